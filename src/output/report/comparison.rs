//! The report of a scenario comparison.

use crate::experiment::analysis::{self, ArmTable, Runs};
use crate::experiment::plan::Plan;
use crate::metrics::METRICS;
use crate::output::chart::{self, Series};

use super::cells::{mean_ci, metric_title, signed};
use super::{ExperimentReport, ReportFigure, metric_panels};

pub(super) fn compare_report(
    plan: &Plan,
    runs: &Runs,
    main: &ArmTable,
    plots: bool,
) -> anyhow::Result<ExperimentReport> {
    let r = plan.spec.replicates;
    let base = &plan.variants[0].label;
    let mut intro = vec![format!(
        "{} scenarios compared with `{base}` over {} years, {r} replicates each, seed {}. Replicate k of every scenario uses the same random streams (common random numbers), so each difference is paired: replicate k against replicate k.",
        plan.variants.len(),
        plan.years,
        plan.seed
    )];
    intro.push(
        "Each cell is the mean across replicates with its 95% confidence interval (Student's t). The difference column is the mean paired difference from the base with its 95% interval; a `*` marks a difference whose interval excludes 0.".into(),
    );
    let mut tables = Vec::new();
    for &m in &plan.metrics {
        let name = METRICS[m].name;
        let head = vec!["scenario".to_string()]
            .into_iter()
            .chain(
                plan.report_years
                    .iter()
                    .flat_map(|y| [format!("year {y}"), format!("diff at {y}")]),
            )
            .collect::<Vec<_>>();
        let mut rows = Vec::new();
        for (v, var) in plan.variants.iter().enumerate() {
            let mut row = vec![var.label.clone()];
            for &y in &plan.report_years {
                let a = main.get(m, y, v);
                row.push(mean_ci(&a.stats));
                let d = match &a.diff {
                    Some(d) => format!("{}{}", signed(d), if a.significant { " *" } else { "" }),
                    None => "(base)".into(),
                };
                row.push(d);
            }
            rows.push(row);
        }
        tables.push((metric_title(name), head, rows));
    }
    let mut figures = Vec::new();
    if plots {
        let panels = metric_panels(plan, |m| {
            plan.variants
                .iter()
                .enumerate()
                .map(|(v, var)| {
                    let [mean, lo, hi] = analysis::trajectory(plan, runs, v, m);
                    Series {
                        label: var.label.clone(),
                        x: (0..=plan.years).map(|y| y as f64).collect(),
                        mean,
                        lo,
                        hi,
                    }
                })
                .collect()
        });
        figures.push(ReportFigure {
            stem: "comparison".into(),
            caption: format!(
                "The main metrics over time, one colour per scenario: lines are means across {r} replicates, bands their 95% confidence intervals."
            ),
            chart: chart::overlay(
                "Scenarios compared",
                "year",
                &panels,
                &format!("bands: 95% confidence interval of the mean of {r} replicates"),
            ),
        });
    }
    Ok(
        ExperimentReport {
            title: format!("Comparison: {}", plan.spec.name),
            intro,
            tables,
            figures,
            notes: vec!["Every metric at every report year, with the same columns, is in `table.csv`; every run's every year in `runs.csv`; all statistics in `summary.json`.".into()],
        },
    )
}
