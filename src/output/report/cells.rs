//! Statistics as the report tables' cells show them: in the units readers
//! use ([`shown`]) and rounded to the precision their interval supports
//! ([`crate::output::number::with_interval`]).

use crate::metrics::summary::Stats;
use crate::output::number::{report_cell, with_interval};

pub(super) use crate::output::number::{Shown, shown};

/// `[mean, low, high]` of `s` times `k`, rounded by the interval.
fn parts(s: &Stats, k: f64, signed: bool) -> Option<[String; 3]> {
    let m = s.mean? * k;
    let (lo, hi) = match (s.ci95_low, s.ci95_high) {
        (Some(lo), Some(hi)) => (lo * k, hi * k),
        _ => (f64::NAN, f64::NAN),
    };
    Some(with_interval(m, lo, hi, signed))
}

fn cell(s: &Stats, k: f64, signed: bool) -> String {
    match parts(s, k, signed) {
        None => "–".into(),
        Some([m, lo, hi]) if s.ci95_low.is_some() => format!("{m} [{lo}, {hi}]"),
        Some([m, ..]) => m,
    }
}

/// A mean times `k` with its 95% interval: "22.0 [21.1, 22.8]".
pub(super) fn mean_ci(s: &Stats, k: f64) -> String {
    cell(s, k, false)
}

/// A difference times `k` with its 95% interval: "+8.8 [6.2, 11.3]".
pub(super) fn signed(s: &Stats, k: f64) -> String {
    cell(s, k, true)
}

pub(super) fn ci_text(v: Option<f64>, ci: Option<(f64, f64)>) -> String {
    match (v, ci) {
        (Some(v), Some((lo, hi))) => {
            let [m, lo, hi] = with_interval(v, lo, hi, false);
            format!("{m} [{lo}, {hi}]")
        }
        _ => report_cell(v),
    }
}

/// A metric as a comparison table's heading: its name in words, the unit
/// it is shown in ([`shown`]), then the column it comes from.
pub(super) fn metric_title(m: &str) -> String {
    format!(
        "{} ({}), column {m}",
        crate::metrics::label(m),
        shown(m).unit
    )
}

/// What a difference from the base says for its metric.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Verdict {
    /// Its interval excludes 0, on the metric's better side
    /// (`metrics::higher_is_better`).
    Better,
    /// Its interval excludes 0, on the worse side.
    Worse,
    /// Its interval excludes 0, for a metric with no better direction.
    Differs,
    /// Its interval includes 0.
    Unclear,
}

/// The verdict on a difference with mean `mean` whose interval excludes 0
/// when `significant`.
pub(super) fn judge(metric: &str, mean: Option<f64>, significant: bool) -> Verdict {
    if !significant {
        return Verdict::Unclear;
    }
    match (crate::metrics::higher_is_better(metric), mean) {
        (Some(up), Some(x)) if x != 0.0 => {
            if (x > 0.0) == up {
                Verdict::Better
            } else {
                Verdict::Worse
            }
        }
        _ => Verdict::Differs,
    }
}

/// What follows a difference from the base in a table: " better" or
/// " worse" ([`judge`]), " *" for a metric with no better direction,
/// nothing when the interval includes 0. Words, so that the verdict reads
/// in black and white.
pub(super) fn verdict(metric: &str, d: &Stats, significant: bool) -> &'static str {
    judge(metric, d.mean, significant).suffix()
}

impl Verdict {
    /// The words a table cell ends with: " better", " worse", " *", "".
    pub(super) fn suffix(self) -> &'static str {
        match self {
            Verdict::Better => " better",
            Verdict::Worse => " worse",
            Verdict::Differs => " *",
            Verdict::Unclear => "",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn st(mean: f64, lo: f64, hi: f64) -> Stats {
        Stats {
            n: 4,
            mean: Some(mean),
            sd: Some(1.0),
            ci95_low: Some(lo),
            ci95_high: Some(hi),
        }
    }

    #[test]
    fn shares_show_as_percentages_and_bills_in_billions() {
        let s = shown("corruption_prevalence");
        assert_eq!((s.factor, s.unit, s.diff_unit), (100.0, "%", "points"));
        assert_eq!(
            mean_ci(&st(0.2196, 0.2111, 0.2281), s.factor),
            "22.0 [21.1, 22.8]"
        );
        assert_eq!(
            signed(&st(0.088, 0.062, 0.113), s.factor),
            "+8.8 [6.2, 11.3]"
        );
        let b = shown("wage_bill");
        assert_eq!(b.unit, "billion PKR a year");
        assert_eq!(
            mean_ci(&st(12598.8, 12100.0, 13100.0), b.factor),
            "12.6 [12.1, 13.1]"
        );
        assert_eq!(shown("mean_months_in_post").unit, "months");
        assert_eq!(
            metric_title("corruption_prevalence"),
            "Corruption (all officers) (%), column corruption_prevalence"
        );
        let one = Stats {
            n: 1,
            mean: Some(0.5),
            sd: None,
            ci95_low: None,
            ci95_high: None,
        };
        assert_eq!(mean_ci(&one, 100.0), "50");
    }
}
