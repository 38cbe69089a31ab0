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
    /// The target the binary was built for: results are byte-identical
    /// only on the same maths library (docs/model.md, "Determinism").
    platform: &'static str,
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

/// [`stats`] of many cells with one buffer for their values (the
/// Student-t critical value is remembered by [`stats`] itself).
#[derive(Default)]
struct Cells {
    values: Vec<f64>,
}

impl Cells {
    /// `stats` of `xs`: mean, sd and 95% CI of its finite values.
    fn stats(&mut self, xs: impl Iterator<Item = f64>) -> Stats {
        self.values.clear();
        self.values.extend(xs);
        stats(&self.values)
    }
}

/// Writes `summary.json`.
pub fn write_summary(path: &Path, e: &Ensemble) -> anyhow::Result<()> {
    let s = &e.scenario;
    let ys = report_years(s.sim.years);
    let mut cells = Cells::default();
    let metrics = METRICS
        .iter()
        .enumerate()
        .map(|(m, def)| {
            let years = ys
                .iter()
                .map(|&y| {
                    let s = cells.stats(e.replicates.iter().map(|r| r.rows[y][m]));
                    (y, s.within(crate::metrics::value_range(def.unit)))
                })
                .collect();
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
        platform: crate::version::TARGET,
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
    use proptest::prelude::Strategy;

    /// The bits of a `Stats`'s numbers, so that NaN equals NaN.
    fn bits(s: &Stats) -> (usize, [Option<u64>; 4]) {
        let b = |x: Option<f64>| x.map(f64::to_bits);
        (s.n, [b(s.mean), b(s.sd), b(s.ci95_low), b(s.ci95_high)])
    }

    proptest::proptest! {
        #[test]
        fn cells_have_the_stats_of_their_values(
            xs in proptest::collection::vec(
                proptest::num::f64::ANY.prop_map(|x| if x.is_finite() { x % 1e6 } else { x }),
                0..12,
            ),
            again in proptest::collection::vec(-1e3f64..1e3, 0..6),
        ) {
            let mut cells = Cells::default();
            // A second cell of another size, then the first again: cached
            // critical values are those of the right size.
            for xs in [&xs, &again, &xs] {
                let cached = cells.stats(xs.iter().copied());
                proptest::prop_assert_eq!(bits(&cached), bits(&stats(xs)));
            }
        }
    }

    #[test]
    fn report_years_include_start_tens_and_end() {
        assert_eq!(report_years(40), vec![0, 10, 20, 30, 40]);
        assert_eq!(report_years(25), vec![0, 10, 20, 25]);
        assert_eq!(report_years(5), vec![0, 5]);
    }
}
