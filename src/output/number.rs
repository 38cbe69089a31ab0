//! Numbers as text, for every file the output layer writes: one function
//! per purpose. Purposes differ on purpose (a CSV field must read back as
//! the same f64, a table cell must be short, an axis tick must not show
//! rounding noise), so the functions differ; each is the only one of its
//! kind, and its output is part of the files' format: change none of them
//! without meaning to change every file that uses it.

/// A CSV field: Rust's shortest round-trip form ("0.1", "1500", "1e-7"), so
/// that identical results give byte-identical files; empty when not finite.
pub fn csv_value(v: f64) -> String {
    csv_option(Some(v).filter(|v| v.is_finite()))
}

/// A CSV field of an optional statistic: its shortest round-trip form, or
/// empty when missing.
pub fn csv_option(x: Option<f64>) -> String {
    x.map(|v| format!("{v}")).unwrap_or_default()
}

/// A cell of an experiment report's tables (Markdown, HTML, terminal): two
/// decimals from 1, three below, five below 0.01, exponent form below
/// 0.0001; one decimal from 100, none from 1000; "–" when missing.
pub fn report_cell(x: Option<f64>) -> String {
    match x {
        None => "–".into(),
        Some(0.0) => "0".into(),
        Some(x) => {
            let a = x.abs();
            if a >= 1000.0 {
                format!("{x:.0}")
            } else if a >= 100.0 {
                format!("{x:.1}")
            } else if a >= 1.0 {
                format!("{x:.2}")
            } else if a >= 0.01 {
                format!("{x:.3}")
            } else if a >= 0.0001 {
                format!("{x:.5}")
            } else {
                format!("{x:.2e}")
            }
        }
    }
}

/// A cell of the validation report (docs/validation.md): about three
/// significant figures, kept readable for large values; "–" when not finite.
pub fn validation_cell(x: f64) -> String {
    if !x.is_finite() {
        return "–".into();
    }
    let a = x.abs();
    if a >= 1000.0 {
        format!("{x:.0}")
    } else if a >= 100.0 {
        format!("{x:.1}")
    } else if a >= 10.0 {
        format!("{x:.2}")
    } else if a >= 1.0 {
        format!("{x:.3}")
    } else {
        format!("{x:.4}")
    }
}

/// A run plot's tick or legend number, without spurious decimals: "10",
/// "2.5", "0.3" (not "0.30000000000000004"); at most six decimals.
pub fn plot_label(v: f64) -> String {
    let s = format!("{v:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_owned()
    } else {
        s.to_owned()
    }
}

/// An experiment chart's axis tick: as [`plot_label`], but in exponent form
/// from a million and below 0.0001: "0.3", "1500", "1.5e6", "-1e-7".
pub fn axis_tick(v: f64) -> String {
    let a = v.abs();
    if a >= 1e6 || (a > 0.0 && a < 1e-4) {
        return exponent(v, 2);
    }
    plot_label(v)
}

/// A value to `digits` significant digits, without trailing zeros, in
/// exponent form outside 0.001..1e6 (heat-map cells and colour bars); "–"
/// when not finite.
pub fn significant(v: f64, digits: i32) -> String {
    if !v.is_finite() {
        return "–".to_owned();
    }
    let a = v.abs();
    if a == 0.0 {
        return "0".to_owned();
    }
    if !(1e-3..1e6).contains(&a) {
        return exponent(v, (digits - 1).max(0) as usize);
    }
    let decimals = (digits - 1 - a.log10().floor() as i32).max(0) as usize;
    let s = format!("{v:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        &s
    };
    if s == "-0" {
        "0".to_owned()
    } else {
        s.to_owned()
    }
}

/// `v` in exponent notation with at most `decimals` decimals: "1.5e6".
pub fn exponent(v: f64, decimals: usize) -> String {
    let s = format!("{v:.decimals$e}");
    match s.split_once('e') {
        Some((mantissa, exp)) if mantissa.contains('.') => format!(
            "{}e{exp}",
            mantissa.trim_end_matches('0').trim_end_matches('.')
        ),
        _ => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_round_trip_and_leave_missing_values_empty() {
        assert_eq!(csv_value(0.1), "0.1");
        assert_eq!(csv_value(1500.0), "1500");
        assert_eq!(csv_value(f64::NAN), "");
        assert_eq!(csv_value(f64::INFINITY), "");
        assert_eq!(csv_option(None), "");
        assert_eq!(csv_option(Some(-2.5)), "-2.5");
    }

    #[test]
    fn table_cells_are_short() {
        assert_eq!(report_cell(None), "–");
        assert_eq!(report_cell(Some(0.0)), "0");
        assert_eq!(report_cell(Some(1234.5)), "1234");
        assert_eq!(report_cell(Some(32.456)), "32.46");
        assert_eq!(report_cell(Some(0.00002)), "2.00e-5");
        assert_eq!(validation_cell(12.3456), "12.35");
        assert_eq!(validation_cell(0.5), "0.5000");
        assert_eq!(validation_cell(f64::NAN), "–");
    }

    #[test]
    fn plot_numbers_are_formatted_without_noise() {
        assert_eq!(plot_label(10.0), "10");
        assert_eq!(plot_label(2.5), "2.5");
        assert_eq!(plot_label(0.30000000000000004), "0.3");
        assert_eq!(plot_label(0.00002), "0.00002");
        assert_eq!(plot_label(-0.0000001), "0");
        assert_eq!(plot_label(1500.0), "1500");
        assert_eq!(axis_tick(0.30000000000000004), "0.3");
        assert_eq!(axis_tick(1500.0), "1500");
        assert_eq!(axis_tick(-0.0000001), "-1e-7");
        assert_eq!(axis_tick(2_500_000.0), "2.5e6");
        assert_eq!(axis_tick(0.0), "0");
        assert_eq!(significant(32.4, 3), "32.4");
        assert_eq!(significant(0.045678, 3), "0.0457");
        assert_eq!(significant(1234.6, 3), "1235");
        assert_eq!(significant(0.1 * 3.0, 4), "0.3");
        assert_eq!(significant(0.00012, 3), "1.2e-4");
        assert_eq!(significant(f64::NAN, 3), "–");
    }
}
