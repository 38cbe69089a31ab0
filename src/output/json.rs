//! `summary.json`: for every metric, across replicates, mean, standard
//! deviation and 95% confidence interval at year 0, every tenth year and the
//! final year; with the resolved scenario, seed, replicates and version. It
//! holds nothing that varies between identical runs (no times, no paths).

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context;
use serde::Serialize;

use crate::experiment::ensemble::Ensemble;
use crate::metrics::METRICS;
use crate::metrics::summary::{Stats, stats};
use crate::scenario::Scenario;

#[derive(Serialize)]
struct MetricSummary {
    unit: &'static str,
    about: &'static str,
    /// Year (as text, for JSON keys) → statistics.
    years: BTreeMap<usize, Stats>,
}

#[derive(Serialize)]
struct Summary<'a> {
    bureausim_version: &'static str,
    /// The git commit the binary was built from.
    bureausim_commit: &'static str,
    scenario_name: &'a str,
    seed: u64,
    replicates: u32,
    years: u32,
    steps_per_year: u32,
    /// Years at which statistics are given.
    report_years: Vec<usize>,
    metrics: BTreeMap<&'static str, MetricSummary>,
    scenario: &'a Scenario,
}

/// Years at which the summary reports: 0, every tenth year, and the last.
pub fn report_years(years: u32) -> Vec<usize> {
    let mut v: Vec<usize> = (0..=years as usize).step_by(10).collect();
    if *v.last().unwrap_or(&0) != years as usize {
        v.push(years as usize);
    }
    v
}

/// Writes `summary.json`.
pub fn write_summary(path: &Path, e: &Ensemble) -> anyhow::Result<()> {
    let s = &e.scenario;
    let ys = report_years(s.sim.years);
    let metrics = METRICS
        .iter()
        .enumerate()
        .map(|(m, def)| {
            let years = ys.iter().map(|&y| (y, stats(&e.values(m, y)))).collect();
            (
                def.name,
                MetricSummary {
                    unit: def.unit,
                    about: def.about,
                    years,
                },
            )
        })
        .collect();
    let summary = Summary {
        bureausim_version: env!("CARGO_PKG_VERSION"),
        bureausim_commit: crate::version::COMMIT,
        scenario_name: &s.name,
        seed: s.sim.seed,
        replicates: s.sim.replicates,
        years: s.sim.years,
        steps_per_year: s.sim.steps_per_year,
        report_years: ys,
        metrics,
        scenario: s,
    };
    let text = serde_json::to_string_pretty(&summary)?;
    std::fs::write(path, text + "\n").with_context(|| format!("cannot write `{}`", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_years_include_start_tens_and_end() {
        assert_eq!(report_years(40), vec![0, 10, 20, 30, 40]);
        assert_eq!(report_years(25), vec![0, 10, 20, 25]);
        assert_eq!(report_years(5), vec![0, 5]);
    }
}
