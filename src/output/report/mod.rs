//! An experiment's results: tables (CSV), `summary.json`, plots (PNG and
//! SVG), and a report in Markdown and in self-contained HTML (plots inline
//! as SVG, no network needed), each with the exact command that reproduces
//! it. Everything here is computed from the runs in run order and the
//! plan, never from times or paths, so a merged experiment's files are
//! byte-identical to those of the same experiment run on one machine.

mod cells;
mod comparison;
mod ensemble;
pub(crate) mod html;
mod markdown;
mod sensitivity;
mod summary;
mod sweep;
mod tables;
pub(crate) mod terminal;

use std::fmt::Write as _;
use std::path::Path;

use anyhow::Context;

use crate::experiment::analysis::{self, Runs};
use crate::experiment::plan::Plan;
use crate::experiment::spec::Kind;
use crate::metrics::METRICS;
use crate::output::chart::{Chart, Panel, Series};
use crate::staging::write_file_atomic;

/// A chart to write: file stem, caption, drawing, and whether it leads
/// the report (shown with the summary, before the details).
struct ReportFigure {
    stem: String,
    caption: String,
    chart: Chart,
    lead: bool,
}

/// The report's opening: what a reader needs first, in words. A lead
/// sentence, one item per compared option, and what to keep in mind.
struct Summary {
    lead: String,
    items: Vec<String>,
    tail: String,
}

/// What the report shows, built once and written in every format.
struct ExperimentReport {
    title: String,
    summary: Option<Summary>,
    intro: Vec<String>,
    /// Markdown tables with a heading each.
    tables: Vec<(String, Vec<String>, Vec<Vec<String>>)>,
    figures: Vec<ReportFigure>,
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
    tables::write_runs_csv(dir, plan, runs)?;
    let metrics = plan.metrics.clone();
    let mut report = match plan.spec.kind {
        Kind::Compare => {
            let table = analysis::arm_stats(plan, runs, &plan.report_years);
            // The compared arms only; with --decompose the rest are the
            // arms again with one mechanism off, reported by what they carry.
            let rows: Vec<_> = table
                .rows
                .iter()
                .filter(|a| a.arm < plan.arms())
                .cloned()
                .collect();
            let carried = analysis::decomposition(plan, runs);
            tables::write_compare_csv(dir, plan, &rows)?;
            let costs = analysis::cost_effects(plan, runs);
            tables::write_costs_csv(dir, plan, &costs)?;
            if plan.spec.decompose {
                tables::write_decomposition_csv(dir, plan, &carried)?;
            }
            summary::write_summary(dir, plan, &rows, &[], &carried)?;
            comparison::compare_report(plan, runs, &table, &carried, &costs, plots)?
        }
        Kind::Sweep => {
            let table = analysis::arm_stats(plan, runs, &plan.report_years);
            tables::write_points_csv(dir, plan, &table.rows)?;
            summary::write_summary(dir, plan, &table.rows, &[], &[])?;
            sweep::sweep_report(plan, &table, plots)?
        }
        Kind::Sensitivity => {
            let ix = analysis::indices(plan, runs, &metrics);
            tables::write_indices_csv(dir, &ix)?;
            summary::write_summary(dir, plan, &[], &ix, &[])?;
            sensitivity::sensitivity_report(plan, &ix, plots)?
        }
    };
    if plan.spec.ensemble.is_some() && plan.spec.kind != Kind::Sensitivity {
        let (stats, section) = ensemble::section(plan, runs, plots);
        ensemble::write_csv(dir, plan, &stats)?;
        // The section leads: it is what the ensemble was run for.
        let mut intro = report.intro.clone();
        intro.extend(section.intro);
        report.intro = intro;
        let mut tables = section.tables;
        tables.extend(report.tables);
        report.tables = tables;
        report.figures.extend(section.figures);
    }
    // What the terminal warned of when the experiment ran (a scale that
    // leaves a tiny service, what the model clips, a share replaced by its
    // group's) is part of the results: the report says it too (a planner's
    // audit: the --scale 0.001 warning reached stderr only).
    // After the description (the terminal's first line), before the rest.
    let first = if report.summary.is_some() { 0 } else { 1 };
    let at = (first + 1).min(report.intro.len());
    for (k, (text, labels)) in plan.warnings.iter().enumerate() {
        let mut labels = labels.clone();
        labels.dedup();
        report.intro.insert(
            at + k,
            format!(
                "**Warning given when it ran:** {text} (for {}).",
                labels.join(", ")
            ),
        );
    }
    // Plots of an earlier rendering (other metrics) go, so the folder shows
    // only what this report describes. Under --no-plots none is drawn and
    // none is removed: a run again with the flag deleted a report's plots
    // without --force (a hostile-input audit, 2026-12-06); the reports
    // then say that the plots beside them are of an earlier rendering.
    let mut kept = Vec::new();
    for e in std::fs::read_dir(dir)? {
        let name = e?.file_name().to_string_lossy().into_owned();
        let ours = [
            "comparison",
            "differences",
            "decomposition",
            "sweep",
            "sensitivity_",
            "ensemble_",
        ]
        .iter()
        .any(|p| name.starts_with(p))
            && (name.ends_with(".png") || name.ends_with(".svg"));
        if ours && plots {
            let _ = std::fs::remove_file(dir.join(&name));
        } else if ours && name.ends_with(".png") {
            kept.push(name);
        }
    }
    if !kept.is_empty() {
        kept.sort();
        let note = format!(
            "This report was drawn with `--no-plots`; the plots in its folder ({}) are of an earlier rendering, kept as they were.",
            kept.join(", ")
        );
        errln!("note: {}", note.replace('`', ""));
        report.intro.push(note);
    }
    for f in &report.figures {
        let png = dir.join(format!("{}.png", f.stem));
        let tmp = dir.join(format!(".{}.partial.png", f.stem));
        // Whatever holds the temporary's name goes first (a link is removed,
        // not followed).
        let _ = std::fs::remove_file(&tmp);
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
        markdown::markdown(plan, &report).as_bytes(),
        true,
    )?;
    write_file_atomic(
        &dir.join("report.html"),
        html::html(plan, &report, &svgs).as_bytes(),
        true,
    )?;
    let mut printed = String::new();
    let plain = |p: &str| p.replace(['`', '*'], "");
    if let Some(p) = report.intro.get(first) {
        let _ = writeln!(printed, "{}", p.replace('`', ""));
    }
    // A comparison's tables mark differences with "better", "worse" and
    // `*` and give shares' differences in points: the terminal says what
    // those mean, as the report does (a planner's audit, 2026-12-06).
    if plan.spec.kind == Kind::Compare {
        for p in report
            .intro
            .iter()
            .filter(|p| p.starts_with("Each cell") || p.starts_with("Shares are shown"))
        {
            // Bold marks go; the `*` the tables use stays.
            let _ = writeln!(printed, "{}", p.replace("**", "").replace('`', ""));
        }
    }
    for p in report.intro.iter().filter(|p| p.starts_with("**What")) {
        let _ = writeln!(printed, "\n{}", p.replace(['`', '*'], ""));
    }
    for (title, head, rows) in &report.tables {
        let _ = write!(printed, "\n{title}\n{}", terminal::text_table(head, rows));
    }
    if let Some(s) = &report.summary {
        let _ = writeln!(printed, "\n{}", plain(&s.lead));
        for item in &s.items {
            let _ = writeln!(printed, "  - {}", plain(item));
        }
        let _ = writeln!(printed, "{}", plain(&s.tail));
    }
    Ok((printed, report.figures.len()))
}

/// Each scenario as the report lists it: its title, its name when the
/// title differs, and its description.
fn scenario_lines(plan: &Plan) -> Vec<(String, Option<String>, String)> {
    plan.bases
        .iter()
        .map(|b| {
            let title = b.display_title().to_string();
            let name = (title != b.name).then(|| b.name.clone());
            (title, name, with_varied_keys(plan, &b.description))
        })
        .collect()
}

/// A sweep's or a sensitivity analysis's scenario description, which names
/// the file's values, with the keys its points set themselves: a swept
/// reform year or value is not the one described.
fn with_varied_keys(plan: &Plan, description: &str) -> String {
    let keys: Vec<String> = match plan.spec.kind {
        Kind::Sweep => sweep::sweep_keys(plan),
        Kind::Sensitivity => plan.spec.params.iter().map(|p| p.key.clone()).collect(),
        _ => return description.to_string(),
    };
    if description.is_empty() || keys.is_empty() {
        return description.to_string();
    }
    format!(
        "{} (as its file describes it; each point sets {} itself)",
        description.trim_end(),
        keys.iter()
            .map(|k| format!("`{k}`"))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// One chart panel per metric of the plan, titled with the metric's name
/// and labelled with its unit, holding `series(metric)`.
/// A metric of `off` (its mechanism off in every run,
/// [`Plan::off_everywhere`]) has none.
fn metric_panels(
    plan: &Plan,
    off: &[(usize, &str)],
    series: impl Fn(usize) -> Vec<Series>,
) -> Vec<Panel> {
    let scale = plan.spec.scale.unwrap_or(1.0);
    plan.metrics
        .iter()
        .filter(|m| !off.iter().any(|(o, _)| o == *m))
        .map(|&m| {
            // In the units of the report's tables: shares in %, bills in
            // billion PKR a year of the full service.
            let sh = comparison::shown_at(METRICS[m].name, scale);
            let times = |v: Vec<f64>| v.into_iter().map(|x| x * sh.factor).collect();
            Panel {
                title: crate::metrics::label(METRICS[m].name).to_string(),
                y_label: sh.unit.to_string(),
                series: series(m)
                    .into_iter()
                    .map(|s| Series {
                        mean: times(s.mean),
                        lo: times(s.lo),
                        hi: times(s.hi),
                        ..s
                    })
                    .collect(),
            }
        })
        .collect()
}
