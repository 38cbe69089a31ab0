//! Numbers as text, for every file the output layer writes: one function
//! per purpose. Purposes differ on purpose (a CSV field must read back as
//! the same f64, a table cell must be short, an axis tick must not show
//! rounding noise), so the functions differ; each is the only one of its
//! kind, and its output is part of the files' format: change none of them
//! without meaning to change every file that uses it.

/// "1 replicate", "3 replicates": `n` and the noun, plural by `s` unless 1.
pub fn counted(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// A CSV field of free text (a design file's value, a target's source):
/// as it is, unless a spreadsheet would read it as a formula (it starts
/// with `=`, `+`, `-`, `@`, a tab or a carriage return and is not a
/// number), when it is prefixed with `'`, the spreadsheets' mark of text.
pub fn csv_text(text: &str) -> String {
    let formula = text.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if formula && text.trim().parse::<f64>().is_err() {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

/// A CSV field: Rust's shortest round-trip form ("0.1", "1500", "0.0000001"), so
/// that identical results give byte-identical files; empty when not finite.
pub fn csv_value(v: f64) -> String {
    csv_option(Some(v).filter(|v| v.is_finite()))
}

/// A CSV field of an optional statistic: its shortest round-trip form, or
/// empty when missing or not finite (docs/outputs.md: a missing value is an
/// empty cell; a ratio whose interval has no bound wrote "inf" and "NaN").
pub fn csv_option(x: Option<f64>) -> String {
    x.filter(|v| v.is_finite())
        .map(|v| format!("{v}"))
        .unwrap_or_default()
}

/// Appends [`csv_value`]`(v)` to `out`, byte for byte, without allocating:
/// the form of the large tables (`timeseries.csv`, `grades.csv`,
/// `sectors.csv`), which write hundreds of thousands of numbers.
///
/// Integers below 2^53 are printed by `itoa`: no shorter decimal reads
/// back as them, so they are their own shortest form. Other values take
/// their digits from `ryu`, laid out as `{}` lays them out (no exponent, no
/// trailing ".0"). `ryu` and `{}` both print the shortest digits that read
/// back as `v` and, of those, the closest to `v`; they differ only when two
/// are equally close (`{}` takes the larger in magnitude, `ryu` the even
/// one: 8.1904449462890625 is "8.190444946289063" and "…062"). Then `v` is
/// their midpoint, whose exact decimal has one digit more than them, and
/// such a value ([`tie_possible`]) is printed by `{}` itself.
pub fn push_csv_value(out: &mut Vec<u8>, v: f64) {
    if !v.is_finite() {
        return;
    }
    // Below 2^53 neighbouring doubles are at most 1 apart, so no shorter
    // decimal than the integer itself reads back as it.
    // (A cast rather than `fract`, a call on x86-64's baseline.)
    if v.abs() < 9_007_199_254_740_992.0 && v as i64 as f64 == v {
        if v == 0.0 && v.is_sign_negative() {
            out.extend_from_slice(b"-0");
        } else {
            out.extend_from_slice(itoa::Buffer::new().format(v as i64).as_bytes());
        }
        return;
    }
    let mut ryu = ryu::Buffer::new();
    if !push_positional(out, ryu.format_finite(v).as_bytes(), v) {
        use std::io::Write;
        write!(out, "{v}").expect("writing to a Vec");
    }
}

/// Whether `v`, not an integer below 2^53, might lie halfway between two
/// decimals of `digits` significant digits: whether its exact decimal
/// expansion has `digits + 1` significant digits (or `v` is an integer of
/// 2^53 or more, rare enough not to look further).
fn tie_possible(v: f64, digits: usize) -> bool {
    let bits = v.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    let fraction = bits & ((1 << 52) - 1);
    let (mut m, mut e) = if biased == 0 {
        (fraction, -1074)
    } else {
        (fraction | (1 << 52), biased - 1075)
    };
    if m == 0 {
        return true;
    }
    let zeros = m.trailing_zeros();
    m >>= zeros;
    e += zeros as i32;
    if e >= 0 {
        return true;
    }
    // v = m / 2^k = m 5^k / 10^k with m odd: the exact decimal's
    // significant digits are those of m 5^k, which ends in an odd digit.
    // With k >= 26, m 5^k >= 5^26 > 10^18 has more than the 18 digits of a
    // midpoint of two shortest forms (at most 17 digits).
    let k = e.unsigned_abs();
    if k >= 26 {
        return false;
    }
    let exact = u128::from(m) * 5u128.pow(k);
    // ilog10 is one less than the number of digits.
    exact < 10u128.pow(18) && exact.ilog10() as usize == digits
}

/// Appends the number `ryu` printed ("-1.5e-7", "1234.5", "1e21", "0.001")
/// as `{}` prints it: its digits without leading or trailing zeros, a point
/// only before a fraction, zeros up to the point ("-0.00000015", "1234.5",
/// "1000000000000000000000", "0.001"), or nothing and false if `{}` might
/// print `v`, the number, with other digits ([`tie_possible`]).
fn push_positional(out: &mut Vec<u8>, text: &[u8], v: f64) -> bool {
    let (negative, text) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, text),
    };
    let (mantissa, exp) = match text.iter().position(|&c| c == b'e') {
        Some(i) => {
            let (sign, e) = match &text[i + 1..] {
                [b'-', e @ ..] => (-1, e),
                e => (1, e),
            };
            let e = e
                .iter()
                .fold(0i32, |acc, &c| acc * 10 + i32::from(c - b'0'));
            (&text[..i], sign * e)
        }
        None => (text, 0),
    };
    // The mantissa's digits, and how many of them come before the point.
    let mut digits = [0u8; 32];
    let mut len = 0;
    let mut point = None;
    for &c in mantissa {
        if c == b'.' {
            point = Some(len);
        } else {
            digits[len] = c;
            len += 1;
        }
    }
    let mut point = point.unwrap_or(len) as i32 + exp;
    let mut start = 0;
    while start < len && digits[start] == b'0' {
        start += 1;
        point -= 1;
    }
    while len > start && digits[len - 1] == b'0' {
        len -= 1;
    }
    let digits = &digits[start..len];
    if tie_possible(v, digits.len()) {
        return false;
    }
    if negative {
        out.push(b'-');
    }
    if digits.is_empty() {
        out.push(b'0');
        return true;
    }
    let zeros = |out: &mut Vec<u8>, n: i32| out.resize(out.len() + n as usize, b'0');
    let n = digits.len() as i32;
    if point <= 0 {
        out.extend_from_slice(b"0.");
        zeros(out, -point);
        out.extend_from_slice(digits);
    } else if point >= n {
        out.extend_from_slice(digits);
        zeros(out, point - n);
    } else {
        let (int, frac) = digits.split_at(point as usize);
        out.extend_from_slice(int);
        out.push(b'.');
        out.extend_from_slice(frac);
    }
    true
}

/// A cell of an experiment report's tables (Markdown, HTML, terminal): two
/// decimals from 1, three below, five below 0.01, three significant digits
/// below 0.0001 (exponent form only below 0.000001); one decimal from 100, none from 1000; "–" when missing.
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
                significant_from(x, 3, 1e-6)
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
///
/// An asymmetric interval (Fieller's for a ratio, a level's cut at its
/// metric's range) is rounded as the PDG rounds asymmetric errors: by the
/// mean of the two sides when they differ by less than a tenth of it,
/// otherwise by the narrower side, so that "12.34 [3.94, 189.4]" reads
/// "12 [4, 189]", not "+10 [4, 190]" — but never finer than a tenth of the
/// wider side, so that a very lopsided interval does not print its wide
/// bound to many decimals ("0.0123 [0.0101, 5432.1]" is rounded by 543).
/// A side of zero width (a mean at the end of its range) leaves the other
/// to decide.
pub fn with_interval(mean: f64, lo: f64, hi: f64, signed: bool) -> [String; 3] {
    rounded_by(mean, lo, hi, precision_of(mean, lo, hi), signed)
}

/// [`with_interval`] rounded as another interval of the same mean,
/// `by`, rounds it, so that a mean quoted with two intervals reads the
/// same beside both: an ensemble's effect beside the range of its draws
/// (wide) and beside the 95% interval of its mean (narrow), which the
/// comparison's In short quotes ("-0.25 [-0.47, -0.02]" there read "-0.2
/// [-1.2, 0.6]" in the ensemble's table, a planner's audit). Without a
/// usable `by` it is [`with_interval`].
pub fn with_interval_rounded_as(
    mean: f64,
    lo: f64,
    hi: f64,
    by: (f64, f64),
    signed: bool,
) -> [String; 3] {
    let half = precision_of(mean, by.0, by.1);
    if half.is_finite() && half > 0.0 {
        rounded_by(mean, lo, hi, half, signed)
    } else {
        with_interval(mean, lo, hi, signed)
    }
}

/// [`with_interval`] at the error `half`.
fn rounded_by(mean: f64, lo: f64, hi: f64, half: f64, signed: bool) -> [String; 3] {
    let plus = |s: String, x: f64| {
        if signed && x > 0.0 && !s.starts_with('-') && s != "0" {
            format!("+{s}")
        } else {
            s
        }
    };
    if !(mean.is_finite() && half.is_finite() && half > 0.0) {
        let three = |x: f64| significant_from(x, 3, 1e-6);
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

/// The error by which [`with_interval`] rounds: half the interval's width
/// when its sides are within a tenth of each other (or the mean lies
/// outside it), otherwise the narrower side of positive width, but at
/// least a tenth of the wider.
fn precision_of(mean: f64, lo: f64, hi: f64) -> f64 {
    let (below, above) = (mean - lo, hi - mean);
    let half = (hi - lo) / 2.0;
    if !(below >= 0.0 && above >= 0.0) || (below - above).abs() < 0.1 * half {
        return half;
    }
    match (below > 0.0, above > 0.0) {
        (true, true) => below.min(above).max(below.max(above) / 10.0),
        (true, false) => below,
        (false, true) => above,
        (false, false) => half,
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
    significant_from(v, digits, 1e-3)
}

/// As [`significant`], in plain decimals down to `smallest` (reports' text
/// and tables, where "0.000972" reads better than "9.72e-4").
fn significant_from(v: f64, digits: i32, smallest: f64) -> String {
    if !v.is_finite() {
        return "–".to_owned();
    }
    let a = v.abs();
    if a == 0.0 {
        return "0".to_owned();
    }
    if !(smallest..1e6).contains(&a) {
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
    fn free_text_a_spreadsheet_would_run_is_marked_as_text() {
        assert_eq!(csv_text("=cmd|' /C calc'!A0"), "'=cmd|' /C calc'!A0");
        assert_eq!(csv_text("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_text("+1+1x"), "'+1+1x");
        assert_eq!(csv_text("\tx"), "'\tx");
        // Numbers and plain text stay as they are.
        for plain in ["-0.5", "+2", "-inf", "police", "BPS-17", ""] {
            assert_eq!(csv_text(plain), plain);
        }
    }

    #[test]
    fn csv_fields_round_trip_and_leave_missing_values_empty() {
        assert_eq!(csv_value(0.1), "0.1");
        assert_eq!(csv_value(1500.0), "1500");
        assert_eq!(csv_value(f64::NAN), "");
        assert_eq!(csv_value(f64::INFINITY), "");
        assert_eq!(csv_option(None), "");
        assert_eq!(csv_option(Some(-2.5)), "-2.5");
    }

    /// [`push_csv_value`]'s bytes.
    fn pushed(v: f64) -> String {
        let mut out = b"x".to_vec();
        push_csv_value(&mut out, v);
        String::from_utf8(out[1..].to_vec()).expect("ASCII")
    }

    #[test]
    fn pushed_csv_fields_are_csv_values_at_the_edges() {
        let mut edges = vec![
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.1,
            0.1 + 0.2,
            1e-7,
            -1.5e-7,
            // -2.65174102783203125 and 8.1904449462890625: halfway between
            // two shortest forms (ryu: "…312", "…062").
            -347_569.0 / 131_072.0,
            536_769.0 / 65_536.0,
            0.5,
            1.5,
            0.125,
            1e-5,
            1e-4,
            0.001234,
            123456.789,
            1e15,
            1e16,
            1e17,
            1e21,
            1e22,
            1.5e300,
            f64::MAX,
            f64::MIN,
            f64::MIN_POSITIVE,
            f64::EPSILON,
            5e-324,
            -5e-324,
            9_007_199_254_740_991.0,
            9_007_199_254_740_992.0,
            9_007_199_254_740_993.0,
            18_014_398_509_481_984.0,
            9.223_372_036_854_776e18,
            -9.223_372_036_854_776e18,
            1.844_674_407_370_955_2e19,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ];
        // Every power of ten, and its neighbours: where ryu changes form.
        for e in -323..=308 {
            let p: f64 = format!("1e{e}").parse().expect("number");
            let (up, down) = (p.to_bits() + 1, p.to_bits() - 1);
            edges.extend([p, -p, f64::from_bits(up), f64::from_bits(down)]);
            edges.extend([1.5 * p, 9.999 * p]);
        }
        // Every binary exponent, its smallest and largest mantissa.
        for bits in 0..2048u64 {
            let b = bits << 52;
            edges.extend([f64::from_bits(b), f64::from_bits(b | ((1 << 52) - 1))]);
            edges.push(f64::from_bits(b | 0x0008_0000_0000_0001));
        }
        for v in edges {
            assert_eq!(pushed(v), csv_value(v), "{v:e} (bits {:#x})", v.to_bits());
        }
        assert_eq!(pushed(-0.0), "-0");
        assert_eq!(pushed(1e-7), "0.0000001");
        assert_eq!(pushed(1e21), format!("1{}", "0".repeat(21)));
        assert_eq!(pushed(f64::NAN), "");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(20_000))]

        #[test]
        fn pushed_csv_fields_are_csv_values(bits in proptest::prelude::any::<u64>()) {
            let v = f64::from_bits(bits);
            proptest::prop_assert_eq!(pushed(v), csv_value(v));
        }

        #[test]
        fn pushed_csv_fields_are_csv_values_of_numbers_as_simulated(
            v in proptest::num::f64::NORMAL | proptest::num::f64::ZERO,
            scale in -12i32..12,
        ) {
            // Values of metrics' sizes: shares, means, counts, money.
            let v = v.fract() * 10f64.powi(scale);
            proptest::prop_assert_eq!(pushed(v), csv_value(v));
            let n = (v * 1e6).trunc();
            proptest::prop_assert_eq!(pushed(n), csv_value(n));
        }

        #[test]
        fn pushed_csv_fields_are_csv_values_of_dyadic_fractions(
            m in -(1i64 << 53)..(1i64 << 53),
            k in 0i32..80,
        ) {
            // m / 2^k: short exact decimals, where ties between two
            // shortest forms happen.
            let v = m as f64 / 2f64.powi(k);
            proptest::prop_assert_eq!(pushed(v), csv_value(v));
        }
    }

    #[test]
    fn ties_are_printed_as_display_prints_them() {
        assert_eq!(pushed(-347_569.0 / 131_072.0), "-2.6517410278320313");
        assert_eq!(pushed(536_769.0 / 65_536.0), "8.190444946289063");
        assert!(tie_possible(536_769.0 / 65_536.0, 16));
        assert!(!tie_possible(536_769.0 / 65_536.0, 15));
        assert!(!tie_possible(0.1, 1));
        assert!(tie_possible(1e300, 1));
    }

    #[test]
    fn table_cells_are_short() {
        assert_eq!(report_cell(None), "–");
        assert_eq!(report_cell(Some(0.0)), "0");
        assert_eq!(report_cell(Some(1234.5)), "1234");
        assert_eq!(report_cell(Some(32.456)), "32.46");
        assert_eq!(report_cell(Some(0.00002)), "0.00002");
        assert_eq!(report_cell(Some(-0.0000123456)), "-0.0000123");
        assert_eq!(report_cell(Some(2e-9)), "2e-9");
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
        // Without an interval (one replicate) a small effect keeps plain
        // decimals: "+0.000972", not "+9.72e-4".
        assert_eq!(
            with_interval(0.000_972, f64::NAN, f64::NAN, true)[0],
            "+0.000972"
        );
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
        // Asymmetric intervals: the narrower side decides (a Fieller
        // interval, a level cut at 0); within a tenth, the mean of both.
        assert_eq!(w(12.34, 3.94, 189.4), "12 4 189");
        assert_eq!(w(0.02, 0.0, 0.06), "0.020 0 0.060");
        assert_eq!(w(0.0, 0.0, 0.05), "0 0 0.05");
        assert_eq!(w(21.96, 21.12, 22.81), "22.0 21.1 22.8");
        // ... but not finer than a tenth of the wide side.
        assert_eq!(w(2.0, 1.999, 2.5), "2.00 2.00 2.50");
        assert_eq!(w(0.0123, 0.0101, 5432.1), "0 0.01 5400");
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
