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

/// How reports and the terminal show a metric: shares as percentages, with
/// differences in percentage points; bills (million PKR a year) in billion
/// PKR a year, the unit of budgets; other metrics in their own unit.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Shown {
    /// What a value is multiplied by to be shown.
    pub factor: f64,
    /// The unit of a value shown.
    pub unit: &'static str,
    /// The unit of a difference between two values shown.
    pub diff_unit: &'static str,
}

pub fn shown(metric: &str) -> Shown {
    let unit = crate::metrics::unit_of(metric).unwrap_or("");
    let (factor, unit, diff_unit) = match unit {
        "share" => (100.0, "%", "points"),
        "million PKR" => (0.001, "billion PKR a year", "billion PKR a year"),
        u => (1.0, u, u),
    };
    Shown {
        factor,
        unit,
        diff_unit,
    }
}

/// A mean and its 95% interval as a report shows them, rounded to the
/// precision the interval supports rather than to a fixed number of
/// decimals: the half-width keeps two significant figures when its leading
/// digits are below 355, one otherwise (the Particle Data Group's rule for
/// quoting errors, Review of Particle Physics, "Introduction: rounding"),
/// and the mean and both bounds take the same decimals. "27.023 [25.050,
/// 28.996]" reads "27.0 [25.1, 29.0]". Without a usable interval (one
/// replicate, all replicates equal) each value keeps three significant
/// figures. `signed` puts "+" before a positive mean.
pub fn with_interval(mean: f64, lo: f64, hi: f64, signed: bool) -> [String; 3] {
    let plus = |s: String, x: f64| {
        if signed && x > 0.0 && !s.starts_with('-') && s != "0" {
            format!("+{s}")
        } else {
            s
        }
    };
    let half = (hi - lo) / 2.0;
    if !(mean.is_finite() && half.is_finite() && half > 0.0) {
        let three = |x: f64| significant(x, 3);
        return [plus(three(mean), mean), three(lo), three(hi)];
    }
    let lead = (half.log10().floor()) as i32;
    let digits = half / 10f64.powi(lead);
    // Two significant figures of the half-width below 3.55, one above.
    let decimals = if digits < 3.55 { 1 - lead } else { -lead };
    let decimals = decimals.min(8);
    let fixed = |x: f64, decimals: i32| -> String {
        let s = if decimals >= 0 {
            format!("{x:.*}", decimals as usize)
        } else {
            let step = 10f64.powi(-decimals);
            format!("{:.0}", (x / step).round() * step)
        };
        if s.trim_start_matches('-')
            .chars()
            .all(|c| c == '0' || c == '.')
        {
            "0".into()
        } else {
            s
        }
    };
    let show = |x: f64| -> String {
        if !x.is_finite() {
            return "–".into();
        }
        fixed(x, decimals)
    };
    // A bound near 0 keeps the digits that show its sign: whether an
    // interval excludes 0 is what a reader looks for ("[0.04, 2.4]", not
    // "[0, 2.4]"), up to three decimals more.
    let bound = |x: f64| -> String {
        let s = show(x);
        if s != "0" || x == 0.0 || !x.is_finite() {
            return s;
        }
        let first = -(x.abs().log10().floor() as i32);
        fixed(x, first.max(decimals).min(decimals.max(0) + 3))
    };
    [plus(show(mean), mean), bound(lo), bound(hi)]
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
    fn intervals_set_the_decimals() {
        let w = |m, lo, hi| with_interval(m, lo, hi, false).join(" ");
        // The example: false precision gone.
        assert_eq!(w(27.023, 25.050, 28.996), "27.0 25.1 29.0");
        // Half-width 0.85 starts with 8: one significant figure.
        assert_eq!(w(21.96, 21.11, 22.81), "22.0 21.1 22.8");
        // Half-width 0.31 starts with 3.1: two.
        assert_eq!(w(22.94, 22.64, 23.26), "22.94 22.64 23.26");
        // Large values round to tens, hundreds.
        assert_eq!(w(7214.0, 7101.0, 7327.0), "7210 7100 7330");
        // Small ones keep their decimals.
        assert_eq!(w(0.000_52, 0.000_31, 0.000_73), "0.00052 0.00031 0.00073");
        // A value that rounds to zero reads 0, not -0.0.
        assert_eq!(w(-0.004, -0.6, 0.6), "0 -0.6 0.6");
        assert_eq!(
            with_interval(0.951, 0.235, 1.667, true).join(" "),
            "+1.0 0.2 1.7"
        );
        assert_eq!(with_interval(-2.0, -3.0, -1.0, true)[0], "-2.0");
        // A bound near 0 shows its sign.
        assert_eq!(w(1.2, 0.04, 2.36), "1.2 0.04 2.4");
        assert_eq!(w(-0.4, -0.8, -0.003), "-0.4 -0.8 -0.003");
        assert_eq!(w(-0.4, -0.8, -0.00001), "-0.4 -0.8 0");
        // No interval: three significant figures.
        assert_eq!(w(0.21834, f64::NAN, f64::NAN), "0.218 – –");
        assert_eq!(w(5.0, 5.0, 5.0), "5 5 5");
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
