//! An experiment's results: tables (CSV), `summary.json`, plots (PNG and
//! SVG), and a report in Markdown and in self-contained HTML (plots inline
//! as SVG, no network needed), each with the exact command that reproduces
//! it. Everything here is computed from the runs in run order and the
//! plan, never from times or paths, so a merged experiment's files are
//! byte-identical to those of the same experiment run on one machine.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::Context;
use serde::Serialize;

use crate::experiment::analysis::{self, ArmStat, ArmTable, ParamIndex, Runs};
use crate::experiment::plan::Plan;
use crate::experiment::spec::{Kind, Method};
use crate::metrics::METRICS;
use crate::metrics::summary::Stats;
use crate::output::chart::{self, Bars, Chart, Panel, Series};
use crate::output::number::{csv_option, csv_value, report_cell};
use crate::output::write_file_atomic;

/// A chart to write: file stem, caption, drawing.
struct Figure {
    stem: String,
    caption: String,
    chart: Chart,
}

/// What the report shows, built once and written in every format.
struct Report {
    title: String,
    intro: Vec<String>,
    /// Markdown tables with a heading each.
    tables: Vec<(String, Vec<String>, Vec<Vec<String>>)>,
    figures: Vec<Figure>,
    notes: Vec<String>,
}

/// Writes every result file of a finished experiment into `dir`; returns
/// the text tables to print and the number of plots written.
pub fn write_all(
    dir: &Path,
    plan: &Plan,
    runs: &Runs,
    plots: bool,
) -> anyhow::Result<(String, usize)> {
    write_runs_csv(dir, plan, runs)?;
    let metrics = plan.metrics.clone();
    let report = match plan.spec.kind {
        Kind::Compare => {
            let table = analysis::arm_stats(plan, runs, &plan.report_years);
            write_compare_csv(dir, plan, &table.rows)?;
            write_summary(dir, plan, &table.rows, &[])?;
            compare_report(plan, runs, &table, plots)?
        }
        Kind::Sweep => {
            let table = analysis::arm_stats(plan, runs, &plan.report_years);
            write_points_csv(dir, plan, &table.rows)?;
            write_summary(dir, plan, &table.rows, &[])?;
            sweep_report(plan, &table, plots)?
        }
        Kind::Sensitivity => {
            let ix = analysis::indices(plan, runs, &metrics);
            write_indices_csv(dir, &ix)?;
            write_summary(dir, plan, &[], &ix)?;
            sensitivity_report(plan, &ix, plots)?
        }
    };
    // Plots of an earlier rendering (other metrics, or plots now off) go,
    // so the folder shows only what this report describes.
    for e in std::fs::read_dir(dir)? {
        let name = e?.file_name().to_string_lossy().into_owned();
        let ours = ["comparison", "sweep", "sensitivity_"]
            .iter()
            .any(|p| name.starts_with(p))
            && (name.ends_with(".png") || name.ends_with(".svg"));
        if ours {
            let _ = std::fs::remove_file(dir.join(&name));
        }
    }
    for f in &report.figures {
        let png = dir.join(format!("{}.png", f.stem));
        let tmp = dir.join(format!(".{}.partial.png", f.stem));
        f.chart.write_png(&tmp)?;
        std::fs::rename(&tmp, &png).with_context(|| format!("cannot write `{}`", png.display()))?;
    }
    // Each SVG is drawn once: written as a file and inlined in the HTML.
    let svgs: Vec<String> = report
        .figures
        .iter()
        .map(|f| f.chart.to_svg())
        .collect::<anyhow::Result<_>>()?;
    for (f, svg) in report.figures.iter().zip(&svgs) {
        write_file_atomic(&dir.join(format!("{}.svg", f.stem)), svg.as_bytes(), true)?;
    }
    write_file_atomic(
        &dir.join("report.md"),
        markdown(plan, &report).as_bytes(),
        true,
    )?;
    write_file_atomic(
        &dir.join("report.html"),
        html(plan, &report, &svgs).as_bytes(),
        true,
    )?;
    let mut printed = String::new();
    if let Some(p) = report.intro.get(1) {
        let _ = writeln!(printed, "{}", p.replace('`', ""));
    }
    for (title, head, rows) in &report.tables {
        let _ = write!(printed, "\n{title}\n{}", text_table(head, rows));
    }
    Ok((printed, report.figures.len()))
}

/// A table aligned in columns for the terminal.
fn text_table(head: &[String], rows: &[Vec<String>]) -> String {
    let width = |s: &str| s.chars().count();
    let mut w: Vec<usize> = head.iter().map(|h| width(h)).collect();
    for r in rows {
        for (k, c) in r.iter().enumerate() {
            w[k] = w[k].max(width(c));
        }
    }
    let line = |cells: &[String]| {
        let mut s = String::from(" ");
        for (k, c) in cells.iter().enumerate() {
            let pad = w[k] - width(c);
            if k == 0 {
                s.push_str(&format!(" {c}{}", " ".repeat(pad)));
            } else {
                s.push_str(&format!("  {}{c}", " ".repeat(pad)));
            }
        }
        s.trim_end().to_string() + "\n"
    };
    let mut out = line(head);
    for r in rows {
        out.push_str(&line(r));
    }
    out
}

// ---------------------------------------------------------------------------
// Numbers as text

fn interval(s: &Stats) -> String {
    match (s.ci95_low, s.ci95_high) {
        (Some(lo), Some(hi)) => format!("[{}, {}]", report_cell(Some(lo)), report_cell(Some(hi))),
        _ => String::new(),
    }
}

fn mean_ci(s: &Stats) -> String {
    let i = interval(s);
    if i.is_empty() {
        report_cell(s.mean)
    } else {
        format!("{} {i}", report_cell(s.mean))
    }
}

fn signed(s: &Stats) -> String {
    let m = match s.mean {
        Some(x) if x > 0.0 => format!("+{}", report_cell(Some(x))),
        other => report_cell(other),
    };
    let i = interval(s);
    if i.is_empty() { m } else { format!("{m} {i}") }
}

// ---------------------------------------------------------------------------
// Files

/// A CSV file built in memory with one writer (quoting as the csv crate does).
struct CsvText(csv::Writer<Vec<u8>>);

impl CsvText {
    fn new(head: &[String]) -> Self {
        let mut t = CsvText(csv::Writer::from_writer(Vec::new()));
        t.row(head);
        t
    }

    fn row(&mut self, fields: &[String]) {
        self.0.write_record(fields).expect("in memory");
    }

    fn into_bytes(self) -> Vec<u8> {
        self.0.into_inner().expect("in memory")
    }
}

/// The parameter columns of an experiment's tables (`scenario` for a
/// comparison; the varied keys, then any linked keys) and each point's
/// values, computed once.
struct Params {
    names: Vec<String>,
    values: Vec<Vec<String>>,
}

impl Params {
    fn of(plan: &Plan) -> Self {
        let mut names = match plan.spec.kind {
            Kind::Compare => vec!["scenario".into()],
            Kind::Sweep => sweep_keys(plan),
            Kind::Sensitivity => plan.spec.params.iter().map(|p| p.key.clone()).collect(),
        };
        // The shares that follow the varied ones at some point, in order of
        // first appearance.
        let mut linked: Vec<String> = Vec::new();
        for v in &plan.variants {
            for s in &v.linked {
                let k = s.split_once('=').map_or(s.as_str(), |x| x.0);
                if !linked.iter().any(|x| x == k) {
                    linked.push(k.to_string());
                }
            }
        }
        let value = |s: &String| {
            let raw = s.split_once('=').map_or("", |x| x.1);
            raw.trim_matches('"').to_string()
        };
        let values = plan
            .variants
            .iter()
            .map(|var| {
                let mut out: Vec<String> = match plan.spec.kind {
                    Kind::Compare => vec![var.label.clone()],
                    _ => var.sets.iter().map(value).collect(),
                };
                for k in &linked {
                    out.push(
                        var.linked
                            .iter()
                            .find(|s| s.split_once('=').is_some_and(|x| x.0 == k))
                            .map(value)
                            .unwrap_or_default(),
                    );
                }
                out
            })
            .collect();
        names.extend(linked);
        Params { names, values }
    }
}

/// `runs.csv`: every run's every year, with its point, parameter values,
/// replicate and seed.
fn write_runs_csv(dir: &Path, plan: &Plan, runs: &Runs) -> anyhow::Result<()> {
    let params = Params::of(plan);
    let mut head: Vec<String> = vec!["point".into()];
    head.extend(params.names.iter().cloned());
    head.extend(["replicate".into(), "seed".into(), "year".into()]);
    head.extend(METRICS.iter().map(|m| m.name.to_string()));
    let mut out = CsvText::new(&head);
    for (j, run) in runs.iter().enumerate() {
        let (v, r) = plan.run_of(j);
        let params = &params.values[v];
        for (y, row) in run.iter().enumerate() {
            let mut f: Vec<String> = vec![v.to_string()];
            f.extend(params.iter().cloned());
            f.extend([r.to_string(), plan.seed.to_string(), y.to_string()]);
            f.extend(row.iter().map(|x| csv_value(*x)));
            out.row(&f);
        }
    }
    write_file_atomic(&dir.join("runs.csv"), &out.into_bytes(), true)
}

fn stats_fields(s: &Stats) -> Vec<String> {
    vec![
        s.n.to_string(),
        csv_option(s.mean),
        csv_option(s.sd),
        csv_option(s.ci95_low),
        csv_option(s.ci95_high),
    ]
}

/// `table.csv` of a comparison: every metric at every report year.
fn write_compare_csv(dir: &Path, plan: &Plan, rows: &[ArmStat]) -> anyhow::Result<()> {
    let mut out = CsvText::new(
        &[
            "metric",
            "year",
            "scenario",
            "n",
            "mean",
            "sd",
            "ci95_low",
            "ci95_high",
            "diff",
            "diff_sd",
            "diff_ci95_low",
            "diff_ci95_high",
            "significant",
        ]
        .map(String::from),
    );
    for a in rows {
        let mut f = vec![
            a.metric.to_string(),
            a.year.to_string(),
            plan.variants[a.arm].label.clone(),
        ];
        f.extend(stats_fields(&a.stats));
        match &a.diff {
            Some(d) => {
                f.extend([
                    csv_option(d.mean),
                    csv_option(d.sd),
                    csv_option(d.ci95_low),
                    csv_option(d.ci95_high),
                ]);
                f.push(a.significant.to_string());
            }
            None => f.extend(std::iter::repeat_n(String::new(), 5)),
        }
        out.row(&f);
    }
    write_file_atomic(&dir.join("table.csv"), &out.into_bytes(), true)
}

/// `points.csv` of a sweep: every grid point, metric and report year.
fn write_points_csv(dir: &Path, plan: &Plan, rows: &[ArmStat]) -> anyhow::Result<()> {
    let params = Params::of(plan);
    let mut head: Vec<String> = vec!["point".into()];
    head.extend(params.names.iter().cloned());
    head.extend(["metric", "year", "n", "mean", "sd", "ci95_low", "ci95_high"].map(String::from));
    let mut out = CsvText::new(&head);
    for a in rows {
        let mut f = vec![a.arm.to_string()];
        f.extend(params.values[a.arm].iter().cloned());
        f.extend([a.metric.to_string(), a.year.to_string()]);
        f.extend(stats_fields(&a.stats));
        out.row(&f);
    }
    write_file_atomic(&dir.join("points.csv"), &out.into_bytes(), true)
}

fn pair(p: Option<(f64, f64)>) -> [String; 2] {
    match p {
        Some((a, b)) => [csv_option(Some(a)), csv_option(Some(b))],
        None => [String::new(), String::new()],
    }
}

/// `indices.csv` of a sensitivity analysis.
fn write_indices_csv(dir: &Path, ix: &[ParamIndex]) -> anyhow::Result<()> {
    let mut out = CsvText::new(
        &[
            "metric",
            "parameter",
            "mu",
            "mu_star",
            "mu_star_ci95_low",
            "mu_star_ci95_high",
            "sigma",
            "s1",
            "s1_ci95_low",
            "s1_ci95_high",
            "st",
            "st_ci95_low",
            "st_ci95_high",
        ]
        .map(String::from),
    );
    for i in ix {
        let mut f = vec![
            i.metric.to_string(),
            i.parameter.clone(),
            csv_option(i.mu),
            csv_option(i.mu_star),
        ];
        f.extend(pair(i.mu_star_ci));
        f.push(csv_option(i.sigma));
        f.push(csv_option(i.s1));
        f.extend(pair(i.s1_ci));
        f.push(csv_option(i.st));
        f.extend(pair(i.st_ci));
        out.row(&f);
    }
    write_file_atomic(&dir.join("indices.csv"), &out.into_bytes(), true)
}

#[derive(Serialize)]
struct VariantOut<'a> {
    point: usize,
    label: &'a str,
    sets: &'a [String],
}

#[derive(Serialize)]
struct ScenarioOut<'a> {
    name: &'a str,
    description: &'a str,
}

#[derive(Serialize)]
struct StatOut<'a> {
    metric: &'a str,
    year: u32,
    point: usize,
    label: &'a str,
    #[serde(flatten)]
    stats: &'a Stats,
    #[serde(skip_serializing_if = "Option::is_none")]
    diff: Option<&'a Stats>,
    #[serde(skip_serializing_if = "Option::is_none")]
    significant: Option<bool>,
}

#[derive(Serialize)]
struct Summary<'a> {
    bureausim_version: &'static str,
    kind: &'static str,
    fingerprint: String,
    command: &'a str,
    replicates: u32,
    seed: u64,
    years: u32,
    report_years: &'a [u32],
    #[serde(skip_serializing_if = "Option::is_none")]
    analysed_year: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    method: Option<Method>,
    scenarios: Vec<ScenarioOut<'a>>,
    points: Vec<VariantOut<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    results: Vec<StatOut<'a>>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    indices: &'a [ParamIndex],
}

/// `summary.json`: the experiment and every statistic, with no times or paths.
fn write_summary(
    dir: &Path,
    plan: &Plan,
    rows: &[ArmStat],
    ix: &[ParamIndex],
) -> anyhow::Result<()> {
    let sens = plan.spec.kind == Kind::Sensitivity;
    let s = Summary {
        bureausim_version: env!("CARGO_PKG_VERSION"),
        kind: plan.spec.kind.name(),
        fingerprint: plan.fingerprint.clone(),
        command: &plan.command,
        replicates: plan.spec.replicates,
        seed: plan.seed,
        years: plan.years,
        report_years: &plan.report_years,
        analysed_year: sens.then_some(plan.year),
        method: sens.then_some(plan.spec.method),
        scenarios: plan
            .bases
            .iter()
            .map(|b| ScenarioOut {
                name: &b.name,
                description: &b.description,
            })
            .collect(),
        points: plan
            .variants
            .iter()
            .enumerate()
            .map(|(k, v)| VariantOut {
                point: k,
                label: &v.label,
                sets: &v.sets,
            })
            .collect(),
        results: rows
            .iter()
            .map(|a| StatOut {
                metric: a.metric,
                year: a.year,
                point: a.arm,
                label: &plan.variants[a.arm].label,
                stats: &a.stats,
                diff: a.diff.as_ref(),
                significant: a.diff.as_ref().map(|_| a.significant),
            })
            .collect(),
        indices: ix,
    };
    let text = serde_json::to_string_pretty(&s)? + "\n";
    write_file_atomic(&dir.join("summary.json"), text.as_bytes(), true)
}

// ---------------------------------------------------------------------------
// The three reports

fn metric_title(m: &str) -> String {
    let def = METRICS.iter().find(|d| d.name == m).expect("metric");
    format!("{m} ({})", def.unit)
}

fn compare_report(
    plan: &Plan,
    runs: &Runs,
    main: &ArmTable,
    plots: bool,
) -> anyhow::Result<Report> {
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
        let panels: Vec<Panel> = plan
            .metrics
            .iter()
            .map(|&m| Panel {
                title: METRICS[m].name.to_string(),
                y_label: METRICS[m].unit.to_string(),
                series: plan
                    .variants
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
                    .collect(),
            })
            .collect();
        figures.push(Figure {
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
        Report {
            title: format!("Comparison: {}", plan.spec.name),
            intro,
            tables,
            figures,
            notes: vec!["Every metric at every report year, with the same columns, is in `table.csv`; every run's every year in `runs.csv`; all statistics in `summary.json`.".into()],
        },
    )
}

/// The keys a sweep varies: its grid's, or its design file's columns.
fn sweep_keys(plan: &Plan) -> Vec<String> {
    match &plan.spec.design {
        Some(d) => d.keys.clone(),
        None => plan.spec.vary.iter().map(|v| v.key.clone()).collect(),
    }
}

fn sweep_report(plan: &Plan, main: &ArmTable, plots: bool) -> anyhow::Result<Report> {
    let r = plan.spec.replicates;
    let keys = sweep_keys(plan);
    let shown = keys.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>();
    let mut intro = vec![match &plan.spec.design {
        Some(d) => format!(
            "A sweep of {} over {} design points read from `{}`, {r} replicates each ({} runs), {} years, seed {}. Replicate k of every point uses the same random streams.",
            shown.join(", "),
            plan.variants.len(),
            d.file,
            plan.runs(),
            plan.years,
            plan.seed
        ),
        None => format!(
            "A full factorial sweep of {} over {} grid points, {r} replicates each ({} runs), {} years, seed {}. Replicate k of every point uses the same random streams.",
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
    intro.push("Each cell is the mean across replicates with its 95% confidence interval.".into());
    let mut tables = Vec::new();
    let params = Params::of(plan);
    for &y in &plan.report_years {
        let mut head = params.names.clone();
        head.extend(plan.metrics.iter().map(|&m| METRICS[m].name.to_string()));
        let mut rows = Vec::new();
        for v in 0..plan.variants.len() {
            let mut row = params.values[v].clone();
            for &m in &plan.metrics {
                let a = main.get(m, y, v);
                row.push(mean_ci(&a.stats));
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
    } else if plots && keys.len() == 1 {
        let v0 = &plan.spec.vary[0];
        let (xs, note): (Vec<f64>, Option<String>) = match &v0.numeric {
            Some(x) => (x.clone(), None),
            None => (
                (0..v0.values.len()).map(|i| i as f64).collect(),
                Some(format!(
                    "`{}` takes text values; the x axis numbers them: {}.",
                    v0.key,
                    v0.values
                        .iter()
                        .enumerate()
                        .map(|(i, v)| format!("{i} = {v}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            ),
        };
        notes.extend(note);
        let panels: Vec<Panel> = plan
            .metrics
            .iter()
            .map(|&m| Panel {
                title: METRICS[m].name.to_string(),
                y_label: METRICS[m].unit.to_string(),
                series: plan
                    .report_years
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
                    .collect(),
            })
            .collect();
        figures.push(Figure {
            stem: "sweep".into(),
            caption: format!(
                "The main metrics against `{}`, one line per report year: means across {r} replicates, bands their 95% confidence intervals.",
                v0.key
            ),
            chart: chart::overlay(
                &format!("Sweep of {}", v0.key),
                &axis_label(v0),
                &panels,
                &format!("bands: 95% confidence interval of the mean of {r} replicates"),
            ),
        });
    } else if plots && keys.len() == 2 {
        let y = *plan.report_years.last().expect("a report year");
        let (a, b) = (&plan.spec.vary[0], &plan.spec.vary[1]);
        let axis = |v: &crate::experiment::spec::Vary| -> Vec<f64> {
            v.numeric
                .clone()
                .unwrap_or_else(|| (0..v.values.len()).map(|i| i as f64).collect())
        };
        for (v, name) in [(a, &a.key), (b, &b.key)] {
            if v.numeric.is_none() {
                notes.push(format!(
                    "`{name}` takes text values; its axis numbers them: {}.",
                    v.values
                        .iter()
                        .enumerate()
                        .map(|(i, x)| format!("{i} = {x}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        }
        let (xs, ys) = (axis(b), axis(a));
        for &m in &plan.metrics {
            let name = METRICS[m].name;
            // Rows: the first parameter (outermost); columns: the second.
            let z: Vec<Vec<f64>> = (0..a.values.len())
                .map(|i| {
                    (0..b.values.len())
                        .map(|k| {
                            let v = i * b.values.len() + k;
                            main.get(m, y, v).stats.mean.unwrap_or(f64::NAN)
                        })
                        .collect()
                })
                .collect();
            figures.push(Figure {
                stem: format!("sweep_{name}"),
                caption: format!(
                    "Mean `{name}` at year {y} over the grid of `{}` (x) and `{}` (y), {r} replicates a cell.",
                    b.key, a.key
                ),
                chart: chart::heatmap(
                    &format!("{name} at year {y}"),
                    &axis_label(b),
                    &axis_label(a),
                    &xs,
                    &ys,
                    &z,
                    METRICS[m].unit,
                ),
            });
        }
    } else if plots {
        notes.push(format!(
            "A sweep of {} parameters has no plot; the tables and `points.csv` hold every point.",
            keys.len()
        ));
    }
    Ok(Report {
        title: format!("Sweep: {}", plan.spec.name),
        intro,
        tables,
        figures,
        notes,
    })
}

/// A swept parameter's axis label; text values are numbered along the
/// axis, so the label says which number is which.
fn axis_label(v: &crate::experiment::spec::Vary) -> String {
    match v.numeric {
        Some(_) => v.key.clone(),
        None => format!(
            "{} ({})",
            v.key,
            v.values
                .iter()
                .enumerate()
                .map(|(i, x)| format!("{i} = {x}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn ci_text(v: Option<f64>, ci: Option<(f64, f64)>) -> String {
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

fn sensitivity_report(plan: &Plan, ix: &[ParamIndex], plots: bool) -> anyhow::Result<Report> {
    let k = plan.spec.params.len();
    let r = plan.spec.replicates;
    let method = plan.spec.method;
    let ranges = plan
        .spec
        .params
        .iter()
        .map(|p| format!("`{}` in [{}, {}]", p.key, p.lo, p.hi))
        .collect::<Vec<_>>()
        .join(", ");
    let mut intro = vec![match method {
        Method::Morris => format!(
            "Morris elementary-effects screening of {k} parameters ({ranges}): {} trajectories on a {}-level grid, {} design points × {r} replicates = {} runs, {} years, seed {}. The output is each metric at year {}, averaged over a point's replicates (the same random streams at every point).",
            plan.spec.trajectories,
            plan.spec.levels,
            plan.variants.len(),
            plan.runs(),
            plan.years,
            plan.seed,
            plan.year
        ),
        Method::Sobol => format!(
            "Sobol indices of {k} parameters ({ranges}) from Saltelli sampling: n = {} base samples, {} design points × {r} replicates = {} runs, {} years, seed {}. The output is each metric at year {}, averaged over a point's replicates (the same random streams at every point).",
            plan.spec.samples,
            plan.variants.len(),
            plan.runs(),
            plan.years,
            plan.seed,
            plan.year
        ),
    }];
    intro.push(match method {
        Method::Morris => "μ* (mean absolute elementary effect, in the metric's units per full range of the parameter) ranks the parameters; σ large against μ* means interactions or non-linearity; μ near −μ* or +μ* gives the direction. Intervals are 95% bootstrap intervals over trajectories.".into(),
        Method::Sobol => "S1 is the share of the output's variance due to the parameter alone; ST includes its interactions. ST − S1 large means the parameter acts through interactions; ST near 0 means it can be fixed anywhere in its range. Intervals are 95% bootstrap intervals; with few samples they are wide, and small negative estimates mean zero.".into(),
    });
    let mut tables = Vec::new();
    let mut figures = Vec::new();
    for &m in &plan.metrics {
        let name = METRICS[m].name;
        let mut rows: Vec<&ParamIndex> = ix.iter().filter(|i| i.metric == name).collect();
        let key = |i: &ParamIndex| match method {
            Method::Morris => i.mu_star.unwrap_or(f64::NEG_INFINITY),
            Method::Sobol => i.st.unwrap_or(f64::NEG_INFINITY),
        };
        rows.sort_by(|a, b| {
            key(b)
                .total_cmp(&key(a))
                .then(a.parameter.cmp(&b.parameter))
        });
        let head: Vec<String> = match method {
            Method::Morris => ["rank", "parameter", "μ* [95% CI]", "μ", "σ"],
            Method::Sobol => ["rank", "parameter", "ST [95% CI]", "S1 [95% CI]", "ST − S1"],
        }
        .map(String::from)
        .to_vec();
        let body: Vec<Vec<String>> = rows
            .iter()
            .enumerate()
            .map(|(n, i)| match method {
                Method::Morris => vec![
                    (n + 1).to_string(),
                    i.parameter.clone(),
                    ci_text(i.mu_star, i.mu_star_ci),
                    report_cell(i.mu),
                    report_cell(i.sigma),
                ],
                Method::Sobol => vec![
                    (n + 1).to_string(),
                    i.parameter.clone(),
                    ci_text(i.st, i.st_ci),
                    ci_text(i.s1, i.s1_ci),
                    report_cell(i.st.zip(i.s1).map(|(t, s)| t - s)),
                ],
            })
            .collect();
        tables.push((
            format!("{} at year {}", metric_title(name), plan.year),
            head,
            body,
        ));
        if plots {
            let items: Vec<String> = rows.iter().map(|i| i.parameter.clone()).collect();
            let bar = |label: &str,
                       v: &dyn Fn(&ParamIndex) -> Option<f64>,
                       c: &dyn Fn(&ParamIndex) -> Option<(f64, f64)>| Bars {
                label: label.to_string(),
                values: rows.iter().map(|i| v(i).unwrap_or(f64::NAN)).collect(),
                lo: rows
                    .iter()
                    .map(|i| c(i).map_or(f64::NAN, |x| x.0))
                    .collect(),
                hi: rows
                    .iter()
                    .map(|i| c(i).map_or(f64::NAN, |x| x.1))
                    .collect(),
            };
            let (measures, value_label) = match method {
                Method::Morris => (
                    vec![bar("μ*", &|i| i.mu_star, &|i| i.mu_star_ci)],
                    format!("μ*: {} per full range", METRICS[m].unit),
                ),
                Method::Sobol => (
                    vec![
                        bar("S1 (first order)", &|i| i.s1, &|i| i.s1_ci),
                        bar("ST (total)", &|i| i.st, &|i| i.st_ci),
                    ],
                    "share of variance".to_string(),
                ),
            };
            figures.push(Figure {
                stem: format!("sensitivity_{name}"),
                caption: format!(
                    "Parameters ranked by {} for `{name}` at year {}, with 95% bootstrap intervals.",
                    match method {
                        Method::Morris => "μ*",
                        Method::Sobol => "total index ST",
                    },
                    plan.year
                ),
                chart: chart::ranking(
                    &format!("{name} at year {}", plan.year),
                    &items,
                    &measures,
                    &value_label,
                ),
            });
        }
    }
    Ok(
        Report {
            title: format!(
                "Sensitivity ({}): {}",
                match method {
                    Method::Morris => "Morris",
                    Method::Sobol => "Sobol",
                },
                plan.spec.name
            ),
            intro,
            tables,
            figures,
            notes: vec!["All indices are in `indices.csv`; every run with its parameter values, replicate and seed in `runs.csv`.".into()],
        },
    )
}

// ---------------------------------------------------------------------------
// Markdown and HTML

fn md_cell(s: &str) -> String {
    s.replace('|', "\\|")
}

fn scenario_lines(plan: &Plan) -> Vec<(String, String)> {
    plan.bases
        .iter()
        .map(|b| (b.name.clone(), b.description.clone()))
        .collect()
}

fn markdown(plan: &Plan, r: &Report) -> String {
    let mut s = format!("# {}\n\n", r.title);
    let _ = writeln!(
        s,
        "Made by bureausim {}. To reproduce it:\n\n```sh\n{}\n```\n",
        env!("CARGO_PKG_VERSION"),
        plan.command
    );
    for p in &r.intro {
        let _ = writeln!(s, "{p}\n");
    }
    s.push_str("## Scenarios\n\n");
    for (name, d) in scenario_lines(plan) {
        let _ = writeln!(
            s,
            "- **{name}**: {}",
            if d.is_empty() { "(no description)" } else { &d }
        );
    }
    s.push('\n');
    if !plan.spec.sets.is_empty() {
        let _ = writeln!(
            s,
            "Overrides applied to every scenario: `{}`\n",
            plan.spec.sets.join("`, `")
        );
    }
    for (title, head, rows) in &r.tables {
        let _ = writeln!(s, "## {title}\n");
        let _ = writeln!(
            s,
            "| {} |",
            head.iter()
                .map(|h| md_cell(h))
                .collect::<Vec<_>>()
                .join(" | ")
        );
        let _ = writeln!(s, "|{}", "---|".repeat(head.len()));
        for row in rows {
            let _ = writeln!(
                s,
                "| {} |",
                row.iter()
                    .map(|c| md_cell(c))
                    .collect::<Vec<_>>()
                    .join(" | ")
            );
        }
        s.push('\n');
    }
    if !r.figures.is_empty() {
        s.push_str("## Plots\n\n");
        for f in &r.figures {
            let _ = writeln!(s, "![{}]({}.png)\n\n{}\n", f.stem, f.stem, f.caption);
        }
    }
    for n in &r.notes {
        let _ = writeln!(s, "{n}\n");
    }
    let _ = writeln!(s, "Experiment fingerprint: `{}`.", plan.fingerprint.clone());
    s
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Minimal Markdown for the report's own prose: `code` and **bold**.
fn inline(s: &str) -> String {
    let e = esc(s);
    let mut out = String::new();
    let mut code = false;
    for (k, part) in e.split('`').enumerate() {
        if k > 0 {
            out.push_str(if code { "</code>" } else { "<code>" });
            code = !code;
        }
        if code {
            out.push_str(part);
        } else {
            let mut bold = false;
            for (b, q) in part.split("**").enumerate() {
                if b > 0 {
                    out.push_str(if bold { "</strong>" } else { "<strong>" });
                    bold = !bold;
                }
                out.push_str(&q.replace("\\*", "*"));
            }
            if bold {
                out.push_str("</strong>");
            }
        }
    }
    if code {
        out.push_str("</code>");
    }
    out
}

fn html(plan: &Plan, r: &Report, svgs: &[String]) -> String {
    let mut s = String::new();
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>\n{}\n</style>\n</head>\n<body>\n<main>\n",
        esc(&r.title),
        CSS
    );
    let _ = writeln!(s, "<h1>{}</h1>", esc(&r.title));
    let _ = writeln!(
        s,
        "<p>Made by bureausim {}. To reproduce it:</p>\n<pre><code>{}</code></pre>",
        env!("CARGO_PKG_VERSION"),
        esc(&plan.command)
    );
    for p in &r.intro {
        let _ = writeln!(s, "<p>{}</p>", inline(p));
    }
    s.push_str("<h2>Scenarios</h2>\n<ul>\n");
    for (name, d) in scenario_lines(plan) {
        let _ = writeln!(
            s,
            "<li><strong>{}</strong>: {}</li>",
            esc(&name),
            if d.is_empty() {
                "(no description)".to_string()
            } else {
                esc(&d)
            }
        );
    }
    s.push_str("</ul>\n");
    if !plan.spec.sets.is_empty() {
        let _ = writeln!(
            s,
            "<p>Overrides applied to every scenario: <code>{}</code></p>",
            esc(&plan.spec.sets.join(" "))
        );
    }
    for (title, head, rows) in &r.tables {
        let _ = writeln!(
            s,
            "<h2>{}</h2>\n<div class=\"scroll\"><table>\n<thead><tr>",
            esc(title)
        );
        for h in head {
            let _ = write!(s, "<th>{}</th>", esc(h));
        }
        s.push_str("</tr></thead>\n<tbody>\n");
        for row in rows {
            s.push_str("<tr>");
            for (k, c) in row.iter().enumerate() {
                let class = if c.ends_with(" *") {
                    " class=\"sig\""
                } else {
                    ""
                };
                if k == 0 {
                    let _ = write!(s, "<th scope=\"row\">{}</th>", esc(c));
                } else {
                    let _ = write!(s, "<td{class}>{}</td>", esc(c));
                }
            }
            s.push_str("</tr>\n");
        }
        s.push_str("</tbody>\n</table></div>\n");
    }
    if !r.figures.is_empty() {
        s.push_str("<h2>Plots</h2>\n");
        for (f, svg) in r.figures.iter().zip(svgs) {
            let svg = svg
                .trim_start_matches(|c| c != '<')
                .trim_start_matches("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
                .trim_start();
            let _ = writeln!(
                s,
                "<figure>\n{svg}\n<figcaption>{}</figcaption>\n</figure>",
                inline(&f.caption)
            );
        }
    }
    for n in &r.notes {
        let _ = writeln!(s, "<p>{}</p>", inline(n));
    }
    let _ = writeln!(
        s,
        "<p class=\"small\">Experiment fingerprint: <code>{}</code>.</p>\n</main>\n</body>\n</html>",
        plan.fingerprint.clone()
    );
    s
}

const CSS: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:0;color:#1a1a1a;background:#fff}
main{max-width:1200px;margin:0 auto;padding:1.5rem}
h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid #ddd}
pre{background:#f5f5f5;padding:.75rem;overflow-x:auto}
code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.92em}
.scroll{overflow-x:auto}
table{border-collapse:collapse;font-size:.9rem;font-variant-numeric:tabular-nums}
th,td{border:1px solid #ddd;padding:.3rem .5rem;text-align:right;white-space:nowrap}
th[scope=row],thead th{text-align:left;background:#fafafa}
td.sig{font-weight:600;background:#fff6dd}
figure{margin:1.5rem 0}figure svg{max-width:100%;height:auto}
figcaption{font-size:.9rem;color:#444}
.small{font-size:.8rem;color:#666}";
