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

pub(super) fn metric_title(m: &str) -> String {
    let def = METRICS.iter().find(|d| d.name == m).expect("metric");
    format!("{m} ({})", def.unit)
}
