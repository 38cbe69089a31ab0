//! Statistics as the report tables' cells show them.

use crate::metrics::METRICS;
use crate::metrics::summary::Stats;
use crate::output::number::report_cell;

pub(super) fn interval(s: &Stats) -> String {
    match (s.ci95_low, s.ci95_high) {
        (Some(lo), Some(hi)) => format!("[{}, {}]", report_cell(Some(lo)), report_cell(Some(hi))),
        _ => String::new(),
    }
}

pub(super) fn mean_ci(s: &Stats) -> String {
    let i = interval(s);
    if i.is_empty() {
        report_cell(s.mean)
    } else {
        format!("{} {i}", report_cell(s.mean))
    }
}

pub(super) fn signed(s: &Stats) -> String {
    let m = match s.mean {
        Some(x) if x > 0.0 => format!("+{}", report_cell(Some(x))),
        other => report_cell(other),
    };
    let i = interval(s);
    if i.is_empty() { m } else { format!("{m} {i}") }
}

pub(super) fn ci_text(v: Option<f64>, ci: Option<(f64, f64)>) -> String {
    match ci {
        Some((lo, hi)) => format!(
            "{} [{}, {}]",
            report_cell(v),
            report_cell(Some(lo)),
            report_cell(Some(hi))
        ),
        None => report_cell(v),
    }
}

/// A metric as a table's heading: its name in words and unit, then the
/// column it comes from.
pub(super) fn metric_title(m: &str) -> String {
    let def = METRICS.iter().find(|d| d.name == m).expect("metric");
    format!("{} ({}), column {m}", crate::metrics::label(m), def.unit)
}

/// What follows a difference from the base in a table: for a difference
/// whose interval excludes 0, "better" or "worse" where the metric has a
/// better direction (`metrics::higher_is_better`), `*` where it has none;
/// nothing otherwise. Words, so that the verdict reads in black and white.
pub(super) fn verdict(metric: &str, d: &Stats, significant: bool) -> &'static str {
    if !significant {
        return "";
    }
    match (crate::metrics::higher_is_better(metric), d.mean) {
        (Some(up), Some(x)) if x != 0.0 => {
            if (x > 0.0) == up {
                " better"
            } else {
                " worse"
            }
        }
        _ => " *",
    }
}
