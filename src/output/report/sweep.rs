//! The report of a parameter sweep.

use crate::experiment::analysis::ArmTable;
use crate::experiment::plan::Plan;
use crate::experiment::spec::Vary;
use crate::metrics::METRICS;
use crate::metrics::summary::Stats;
use crate::output::chart::{self, Series};

use super::cells::mean_ci;
use super::comparison::shown_at;
use super::tables::Params;
use super::{ExperimentReport, ReportFigure, metric_panels};

/// The keys a sweep varies: its grid's, or its design file's columns.
pub(super) fn sweep_keys(plan: &Plan) -> Vec<String> {
    match &plan.spec.design {
        Some(d) => d.keys.clone(),
        None => plan.spec.vary.iter().map(|v| v.key.clone()).collect(),
    }
}

pub(super) fn sweep_report(
    plan: &Plan,
    main: &ArmTable,
    plots: bool,
) -> anyhow::Result<ExperimentReport> {
    let r = plan.replicates();
    let counted = crate::output::number::counted;
    // Under an ensemble a point's runs are replicates on every draw.
    let each = if plan.draws.is_empty() {
        format!("{} each", counted(r, "replicate"))
    } else {
        format!(
            "{} on each of {} a point",
            counted(plan.spec.replicates as usize, "replicate"),
            counted(plan.draws.len(), "draw")
        )
    };
    let means = if crate::experiment::analysis::by_draw(plan) {
        format!("means over the {} draws", plan.draws.len())
    } else {
        format!("means across {}", counted(r, "replicate"))
    };
    let keys = sweep_keys(plan);
    let shown = keys.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>();
    let mut intro = vec![match &plan.spec.design {
        Some(d) => format!(
            "A sweep of {} over {} design points read from `{}`, {each} ({} runs), {} years, seed {}. Replicate k of every point uses the same random streams.",
            shown.join(", "),
            plan.variants.len(),
            d.file,
            plan.runs(),
            plan.years,
            plan.seed
        ),
        None => format!(
            "A full factorial sweep of {} over {} grid points, {each} ({} runs), {} years, seed {}. Replicate k of every point uses the same random streams.",
            shown.join(" × "),
            plan.variants.len(),
            plan.runs(),
            plan.years,
            plan.seed
        ),
    }];
    if plan.variants.iter().any(|v| !v.linked.is_empty()) {
        intro.push(
            "Shares that must sum to 1 follow the varied ones (docs/experiments.md, \"Linked keys\"); `points.csv` and `runs.csv` give their values at each point.".into(),
        );
    }
    intro.push(if plan.draws.len() == 1 {
        "Each cell is the mean across the replicates of the one plausible service drawn from the posterior, with its 95% confidence interval (Student's t): the simulation's chance at that draw's parameters, not what we do not know about them (draw 20 or more with `--draws`). Read the cells as the model's response, not forecasts.".to_string()
    } else if !crate::experiment::analysis::by_draw(plan) {
        "Each cell is the mean across replicates with its 95% confidence interval (Student's t): the simulation's chance at the scenario's parameters, not what we do not know about them (`--ensemble` adds that). Other parameters stay at the scenario's values. Read the cells as the model's response, not forecasts; two points' intervals that overlap can still differ clearly, since every point runs on the same random streams (`runs.csv` pairs them by replicate).".to_string()
    } else {
        format!(
            "Each cell is the mean over the {} draws of the posterior, each draw's value the mean of its replicates, with its 95% confidence interval over the draws (Student's t): it carries the spread between plausible services as well as the simulation's chance. Read the cells as the model's response, not forecasts.",
            plan.draws.len()
        )
    });
    intro.push("Shares are shown as percentages; bills in billion PKR a year.".into());
    let scale = plan.spec.scale.unwrap_or(1.0);
    if scale != 1.0 {
        intro.push(format!(
            "This sweep simulated the service at {scale} of its size (`--scale {scale}`). Shares, means and rates do not depend on the size, but counts and bills do: counts are of the simulated service, while bills are divided by {scale} to give the full service's (`points.csv` and `runs.csv` keep the simulated service's, in million PKR)."
        ));
    }
    // Metrics whose mechanism is off in every run: flat columns of zeros
    // (or of a fixed level) that the tables and plots leave out and a note
    // names (an instructor's audit, 2026-12-07: the classic model's sweep
    // showed corruption 0 [0, 0] and morale 0.5 [0.5, 0.5] at every
    // point). Read from the bases and the overrides' keys only, so cheap
    // for a sweep of any size; `points.csv` keeps every metric.
    let off = plan.off_everywhere();
    let shown_metrics: Vec<usize> = plan
        .metrics
        .iter()
        .copied()
        .filter(|m| !off.iter().any(|(o, _)| o == m))
        .collect();
    let mut tables = Vec::new();
    let params = Params::of(plan);
    for &y in &plan.report_years {
        let mut head = params.names.clone();
        head.extend(shown_metrics.iter().map(|&m| {
            let name = METRICS[m].name;
            format!(
                "{} ({})",
                crate::metrics::label(name),
                shown_at(name, scale).unit
            )
        }));
        let mut rows = Vec::new();
        for v in 0..plan.variants.len() {
            let mut row = params.values[v].clone();
            for &m in &shown_metrics {
                let a = main.get(m, y, v);
                row.push(mean_ci(&a.stats, shown_at(METRICS[m].name, scale).factor));
            }
            rows.push(row);
        }
        tables.push((format!("Year {y}"), head, rows));
    }
    let mut figures = Vec::new();
    let mut notes = vec!["Every metric at every report year is in `points.csv`; every run's every year, with its parameter values, replicate and seed, in `runs.csv`.".into()];
    if plots && plan.spec.design.is_some() {
        notes.push(
            "Design points are not a grid, so this sweep has no plot; the tables and `points.csv` hold every point.".into(),
        );
    } else if plots && keys.len() == 1 && !shown_metrics.is_empty() {
        let v0 = &plan.spec.vary[0];
        // Text values are placed at 0, 1, ... and named at their ticks.
        let xs: Vec<f64> = match &v0.numeric {
            Some(x) => x.clone(),
            None => (0..v0.values.len()).map(|i| i as f64).collect(),
        };
        let panels = metric_panels(plan, &off, |m| {
            plan.report_years
                .iter()
                .map(|&y| {
                    let pick = |f: &dyn Fn(&Stats) -> Option<f64>| -> Vec<f64> {
                        (0..plan.variants.len())
                            .map(|v| {
                                let a = main.get(m, y, v);
                                f(&a.stats).or(a.stats.mean).unwrap_or(f64::NAN)
                            })
                            .collect()
                    };
                    Series {
                        label: format!("year {y}"),
                        x: xs.clone(),
                        mean: pick(&|s| s.mean),
                        lo: pick(&|s| s.ci95_low),
                        hi: pick(&|s| s.ci95_high),
                    }
                })
                .collect()
        });
        figures.push(ReportFigure {
            lead: false,
            stem: "sweep".into(),
            caption: format!(
                "The main metrics against `{}`, one line per report year: {means}, bands their 95% confidence intervals.",
                v0.key
            ),
            chart: chart::overlay(
                &format!("Sweep of {}", v0.key),
                &v0.key,
                &panels,
                &if crate::experiment::analysis::by_draw(plan) {
                    format!(
                        "bands: 95% confidence interval of the mean over {} draws",
                        plan.draws.len()
                    )
                } else {
                    format!(
                        "bands: 95% confidence interval of the mean of {}",
                        counted(r, "replicate")
                    )
                },
            )
            .with_tick_names(names(v0), None),
        });
    } else if plots && keys.len() == 2 {
        let y = *plan.report_years.last().expect("a report year");
        let (a, b) = (&plan.spec.vary[0], &plan.spec.vary[1]);
        let axis = |v: &Vary| -> Vec<f64> {
            v.numeric
                .clone()
                .unwrap_or_else(|| (0..v.values.len()).map(|i| i as f64).collect())
        };
        let (xs, ys) = (axis(b), axis(a));
        for &m in plan
            .metrics
            .iter()
            .filter(|m| !off.iter().any(|(o, _)| o == *m))
        {
            let name = METRICS[m].name;
            let sh = shown_at(name, scale);
            // Rows: the first parameter (outermost); columns: the second.
            let z: Vec<Vec<f64>> = (0..a.values.len())
                .map(|i| {
                    (0..b.values.len())
                        .map(|k| {
                            let v = i * b.values.len() + k;
                            main.get(m, y, v).stats.mean.unwrap_or(f64::NAN) * sh.factor
                        })
                        .collect()
                })
                .collect();
            figures.push(ReportFigure {
                lead: false,
                stem: format!("sweep_{name}"),
                caption: format!(
                    "{} (`{name}`), {means} at year {y}, over the grid of `{}` (x) and `{}` (y); each cell's 95% interval is in `points.csv` and the tables.",
                    crate::metrics::label(name),
                    b.key,
                    a.key
                ),
                chart: chart::heatmap(
                    &format!("{} at year {y}", crate::metrics::label(name)),
                    &b.key,
                    &a.key,
                    &xs,
                    &ys,
                    &z,
                    sh.unit,
                )
                .with_tick_names(names(b), names(a)),
            });
        }
    } else if plots && keys.len() > 2 {
        notes.push(format!(
            "A sweep of {} parameters has no plot; the tables and `points.csv` hold every point.",
            keys.len()
        ));
    }
    if !off.is_empty() {
        notes.push(format!(
            "Not in the tables{}, their mechanisms are off in every run (their columns are in `points.csv`): {}.",
            if plots { " or plots" } else { "" },
            off.iter()
                .map(|&(m, switch)| format!(
                    "{} (`{switch}`)",
                    crate::metrics::label(METRICS[m].name)
                ))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    Ok(ExperimentReport {
        summary: None,
        title: format!("Sweep: {}", plan.spec.name),
        intro,
        tables,
        figures,
        notes,
    })
}

/// A swept parameter's values as the names of its axis's ticks, when they
/// are text: they were numbered on the axis, and the key to the numbers,
/// in the axis title, was cut to the plot's width (an instructor's audit,
/// 2026-12-07: "3 = …" never said which rule 3 was).
fn names(v: &Vary) -> Option<Vec<String>> {
    v.numeric.is_none().then(|| v.values.clone())
}
