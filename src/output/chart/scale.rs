//! The y-axis rule of every time plot, so that no axis exaggerates a
//! change:
//!
//! - **Amounts** (shares, counts of officers or posts, flows per year,
//!   money, months, years) start at zero: half the height is half the
//!   amount. A share in percent stops at 100.
//! - **Bounded scores** (units such as "score 0-10", "0-1", "index 0-100")
//!   include zero as well, unless the data would then fill less than
//!   [`FLAT`] of the plot's height (the line would look flat). The axis then
//!   starts near the data and its label says so ("score 0–10, axis from
//!   4.8 (cut)"), a visible mark of the scale break.
//! - **Anything else** (correlations "-1 to 1", differences in "score
//!   points") spans the data, which may be negative.

use super::axes::padded;

/// The smallest share of the plot's height the data may fill before a
/// bounded score's axis is cut above zero.
pub const FLAT: f64 = 0.1;

/// How a panel's y range is chosen.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum YRule {
    /// The data's range, padded (values that may be negative).
    #[default]
    Data,
    /// From zero (an amount).
    Zero,
    /// From zero to at most 100 (a share in percent).
    Percent,
    /// A bounded score: from zero unless that flattens the line.
    Bounded,
}

impl YRule {
    /// The rule for a metric's unit ([`crate::metrics::Metric::unit`]).
    pub fn of_unit(unit: &str) -> Self {
        let unit = unit.trim();
        match unit {
            "share" | "officers" | "posts" | "per year" | "million PKR" | "billion PKR a year"
            | "count" | "months" | "years" => YRule::Zero,
            _ if unit.ends_with('%') => YRule::Percent,
            _ if unit.contains("0-") || unit.contains("0–") => YRule::Bounded,
            _ => YRule::Data,
        }
    }
}

/// The y range (bottom, top) for data spanning `lo..=hi` under `rule`, and
/// the bottom when the axis is cut above zero (a bounded score whose line
/// zero would flatten).
pub fn y_range(rule: YRule, lo: f64, hi: f64) -> ((f64, f64), Option<f64>) {
    let data = || padded(lo, hi, 0.06);
    match rule {
        YRule::Data => (data(), None),
        YRule::Zero | YRule::Percent => {
            let bottom = lo.min(0.0);
            let span = hi - bottom;
            let mut top = if span > 0.0 { hi + 0.08 * span } else { 1.0 };
            if rule == YRule::Percent {
                top = top.min(100.0).max(hi);
            }
            if top <= bottom {
                top = bottom + 1.0;
            }
            let pad = if bottom < 0.0 { 0.05 * span } else { 0.0 };
            ((bottom - pad, top), None)
        }
        YRule::Bounded => {
            let ((_, top), _) = y_range(YRule::Zero, lo.max(0.0), hi);
            if lo >= 0.0 && top > 0.0 && (hi - lo) / top < FLAT {
                let (bottom, top) = data();
                // Cut at a round number, so that the label reads simply.
                let k = (top - bottom).log10().floor() as i32;
                let bottom = if k < 0 {
                    // Divide by a whole power of ten: 599 / 10 is 59.9 exactly.
                    let inv = 10f64.powi(-k);
                    (bottom * inv).floor() / inv
                } else {
                    let step = 10f64.powi(k);
                    (bottom / step).floor() * step
                }
                .max(0.0);
                ((bottom, top), (bottom > 0.0).then_some(bottom))
            } else {
                y_range(YRule::Zero, lo, hi)
            }
        }
    }
}

/// The y-axis label of a cut axis: `label` with where the axis starts.
pub fn cut_label(label: &str, bottom: f64, tick: &dyn Fn(f64) -> String) -> String {
    format!("{label}, axis from {} (cut)", tick(bottom))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_pick_their_rule() {
        for unit in [
            "share",
            "officers",
            "posts",
            "per year",
            "million PKR",
            "count",
            "months",
            "years",
        ] {
            assert_eq!(YRule::of_unit(unit), YRule::Zero, "{unit}");
        }
        for unit in [
            "score 0-10",
            "0-1",
            "index 0-100",
            "score 0–10",
            "index 0–100",
        ] {
            assert_eq!(YRule::of_unit(unit), YRule::Bounded, "{unit}");
        }
        assert_eq!(YRule::of_unit("share of officers, %"), YRule::Percent);
        assert_eq!(YRule::of_unit("-1 to 1"), YRule::Data);
        assert_eq!(YRule::of_unit("score points"), YRule::Data);
    }

    #[test]
    fn amounts_start_at_zero() {
        let ((b, t), cut) = y_range(YRule::Zero, 30.0, 32.0);
        assert_eq!(b, 0.0);
        assert!(t > 32.0 && t < 36.0, "{t}");
        assert!(cut.is_none());
        // A share in percent stops at 100.
        let ((b, t), _) = y_range(YRule::Percent, 40.0, 99.0);
        assert_eq!((b, t), (0.0, 100.0));
        // Negative values stay on the axis.
        let ((b, _), _) = y_range(YRule::Zero, -2.0, 10.0);
        assert!(b < -2.0);
        // All zero: a unit axis.
        assert_eq!(y_range(YRule::Zero, 0.0, 0.0).0, (0.0, 1.0));
    }

    #[test]
    fn bounded_scores_include_zero_unless_the_line_goes_flat() {
        // Competence 4 to 6 of 10: zero keeps the line readable.
        let ((b, _), cut) = y_range(YRule::Bounded, 4.0, 6.0);
        assert_eq!((b, cut), (0.0, None));
        // 60.0 to 60.5 of 100: from zero the line is flat, so the axis is
        // cut, and says where it starts.
        let ((b, t), cut) = y_range(YRule::Bounded, 60.0, 60.5);
        assert!(b > 55.0 && b <= 60.0 && t < 61.0, "{b}..{t}");
        assert_eq!(b, (b * 10.0).round() / 10.0, "a round cut: {b}");
        assert_eq!(cut, Some(b));
        let label = cut_label("index 0–100", b, &|v| format!("{v:.1}"));
        assert!(
            label.contains("axis from 59.9") && label.ends_with("(cut)"),
            "{label}"
        );
        // Data reaching zero is never cut.
        assert_eq!(y_range(YRule::Bounded, 0.0, 0.01).1, None);
    }

    #[test]
    fn other_units_span_the_data() {
        let ((b, t), cut) = y_range(YRule::Data, -0.2, 0.6);
        assert!(b < -0.2 && b > -0.3 && t > 0.6 && t < 0.7, "{b}..{t}");
        assert!(cut.is_none());
    }
}
