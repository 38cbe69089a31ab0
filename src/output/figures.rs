//! The figures of one scenario's run, written as PNG and SVG: which
//! metrics each shows, how, and in what panels, drawn with the chart engine
//! ([`crate::output::chart`]).
//!
//! [`write_plots`] turns a [`PlotData`] (per-replicate time series of the
//! run's metrics and of headcount by grade) into seven figures: workforce
//! quality, corruption, efficiency, tenure in post, headcount by grade,
//! promotion (when a board met) and a 2x2 overview. Every line is the mean
//! across replicates, drawn over a shaded band (5th–95th percentile with
//! three or more replicates, min–max with two, none with one), the one band
//! convention of every time plot, `compare`'s too. Reform events are
//! marked as dashed vertical lines,
//! labelled above the plot (labels are stacked in up to three rows and left
//! out if they would still overlap); election years as light dotted lines,
//! with a note under the figure on why the lines dip after them. Flows
//! (what happened during a year, [`crate::metrics::is_flow`]) have no point
//! at year 0, the starting state. Y axes follow [`YRule`]: amounts from
//! zero, bounded scores from zero unless that flattens the line (then the
//! axis label says where it is cut). Panel captions and line labels are the
//! metrics' plain labels ([`crate::metrics::label`]). Non-finite values leave
//! gaps. Panels whose metrics are missing are left out, and a figure with no
//! panel left is not written at all.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context;
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::metrics::summary::quantile;
use crate::metrics::{is_flow, label};
use crate::output::chart::axes::{Axes, draw_axes, finite_bounds};
use crate::output::chart::legend::{Legend, LegendEntry, LegendLook, Swatch};
use crate::output::chart::markers::{
    ELECTION_SWATCH, EVENT_ROW_HEIGHT, Events, draw_election_lines, draw_event_labels,
    draw_event_lines, draw_reference, election_note, elections_inside,
};
use crate::output::chart::overlay::{LineLook, Point, draw_band, draw_line};
use crate::output::chart::render;
use crate::output::chart::scale::{YRule, cut_label, y_range as rule_range};
use crate::output::chart::style::{
    EVENT_COLOR, LineStyle, REFERENCE_COLOR, TEXT_GREY, draw_error, fit_text, font, line_style,
};
use crate::output::number::plot_label;

/// Everything the plots need from one scenario's run.
pub struct PlotData {
    /// Scenario name, used in titles.
    pub title: String,
    /// x value of each reporting period, in years since the start (e.g. 0.0, 1.0, ... 40.0).
    pub years: Vec<f64>,
    /// metric name -> values [replicate][period]. Every inner Vec has years.len() entries.
    pub metrics: BTreeMap<String, Vec<Vec<f64>>>,
    /// Grade names bottom to top, e.g. ["BPS-17", ..., "BPS-22"].
    pub grade_names: Vec<String>,
    /// Headcount by grade: [grade][replicate][period].
    pub grade_headcount: Vec<Vec<Vec<f64>>>,
    /// Reform events to mark as vertical lines: (year, short label).
    pub reforms: Vec<(f64, String)>,
    /// Years of the election calendar (a change of government is possible
    /// at each), marked lightly.
    pub elections: Vec<f64>,
    /// Corruption is switched off for the whole run (the classic model):
    /// its figure and panels, all zeros, are left out.
    pub corruption_off: bool,
    /// Postings are switched off for the whole run: no nominal tenure is
    /// drawn (nobody rotates on it).
    pub postings_off: bool,
    /// The overrides the run was given (`key=value`, from `--set`), named
    /// under every figure: two runs of one scenario with another
    /// `promotion.rule` drew figures of the same title and nothing else to
    /// tell them apart (an instructor's audit, 2026-12-07).
    pub overrides: Vec<String>,
}

/// A run's overrides as its figures and its summary name them:
/// "--set promotion.rule=worst, --set pay.level=1.2".
pub fn overrides_text(overrides: &[String]) -> String {
    format!("--set {}", overrides.join(", --set "))
}

impl PlotData {
    /// (changes of government, elections held) over all replicates, from
    /// the `government_changes` metric (a count since the start), when it is
    /// there and an election fell inside the run.
    fn government_changes(&self) -> Option<(usize, usize)> {
        let last = *self.years.last()?;
        // An election at year x happens during the year after x: only those
        // before the last year have happened.
        let held = self.elections.iter().filter(|&&x| x < last).count();
        let reps = self.metrics.get("government_changes")?;
        let changes: f64 = reps
            .iter()
            .filter_map(|r| r.last().copied().filter(|v| v.is_finite()))
            .sum();
        (held > 0).then_some((changes.round() as usize, held * reps.len()))
    }
}

/// Writes every plot as PNG and SVG into `dir` (which exists); returns the paths written.
///
/// A figure none of whose metrics are present (or that has no period) is
/// skipped without error.
pub fn write_plots(dir: &Path, data: &PlotData) -> anyhow::Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    for figure in figures(data) {
        let png = dir.join(format!("{}.png", figure.name));
        render(BitMapBackend::new(&png, figure.size), |root| {
            draw_figure(root, &figure, data)
        })
        .with_context(|| format!("drawing {}", png.display()))?;
        written.push(png);

        let svg = dir.join(format!("{}.svg", figure.name));
        render(SVGBackend::new(&svg, figure.size), |root| {
            draw_figure(root, &figure, data)
        })
        .with_context(|| format!("drawing {}", svg.display()))?;
        written.push(svg);
    }
    Ok(written)
}

// ---------------------------------------------------------------------------
// Statistics

/// What the shaded band around a mean line shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BandKind {
    /// One replicate: no band.
    None,
    /// Two replicates: the band spans their minimum and maximum.
    MinMax(usize),
    /// Three or more replicates: 5th to 95th percentile.
    Percentile(usize),
}

impl BandKind {
    fn of_replicates(n: usize) -> Self {
        match n {
            0 | 1 => BandKind::None,
            2 => BandKind::MinMax(n),
            _ => BandKind::Percentile(n),
        }
    }

    /// Legend text, or `None` when there is no band to explain.
    fn legend(self) -> Option<String> {
        match self {
            BandKind::None => None,
            BandKind::MinMax(n) => Some(format!("band: min–max of {n} replicates (line: mean)")),
            BandKind::Percentile(n) => Some(format!(
                "band: 5th–95th percentile of {n} replicates (line: mean)"
            )),
        }
    }
}

/// Per-period summary of a metric across replicates.
#[derive(Debug, Clone, PartialEq)]
struct Band {
    mean: Vec<f64>,
    lo: Vec<f64>,
    hi: Vec<f64>,
    kind: BandKind,
}

/// Mean and band bounds per period of `values[replicate][period]`.
///
/// Non-finite values are skipped; a period with no finite value gets NaN.
/// The bounds are the 5th and 95th percentiles (linear interpolation between
/// order statistics) with three or more replicates, the minimum and maximum
/// with two, and equal to the single value with one.
fn band(values: &[Vec<f64>]) -> Band {
    let periods = values.iter().map(Vec::len).max().unwrap_or(0);
    let kind = BandKind::of_replicates(values.len());
    let mut out = Band {
        mean: Vec::with_capacity(periods),
        lo: Vec::with_capacity(periods),
        hi: Vec::with_capacity(periods),
        kind,
    };
    let mut column = Vec::with_capacity(values.len());
    for t in 0..periods {
        column.clear();
        column.extend(values.iter().filter_map(|rep| rep.get(t).copied()));
        let (mean, lo, hi) = band_at(&mut column, kind);
        out.mean.push(mean);
        out.lo.push(lo);
        out.hi.push(hi);
    }
    out
}

/// Mean, lower and upper band bound of one period's values (one per
/// replicate; reordered, non-finite ones dropped), as the plots draw them:
/// NaN when no value is finite.
pub(crate) fn band_of(column: &mut Vec<f64>) -> (f64, f64, f64) {
    let kind = BandKind::of_replicates(column.len());
    band_at(column, kind)
}

/// What the band of `replicates` replicates shows, for a legend.
pub(crate) fn band_kind_legend(replicates: usize) -> Option<String> {
    BandKind::of_replicates(replicates).legend()
}

fn band_at(column: &mut Vec<f64>, kind: BandKind) -> (f64, f64, f64) {
    column.retain(|v| v.is_finite());
    if column.is_empty() {
        return (f64::NAN, f64::NAN, f64::NAN);
    }
    column.sort_by(f64::total_cmp);
    let mean = column.iter().sum::<f64>() / column.len() as f64;
    let (lo, hi) = match kind {
        BandKind::Percentile(_) => (quantile(column, 0.05), quantile(column, 0.95)),
        _ => (column[0], column[column.len() - 1]),
    };
    (mean, lo, hi)
}

// ---------------------------------------------------------------------------
// Figure specifications

struct Line {
    label: String,
    style: LineStyle,
    band: Band,
}

struct RunPanel {
    caption: String,
    y_desc: &'static str,
    scale: YRule,
    lines: Vec<Line>,
    /// Dashed reference line: its value at each period (a policy in force,
    /// which reforms may change) and its legend label.
    reference: Option<(Vec<f64>, String)>,
}

struct RunFigure {
    name: &'static str,
    title: String,
    size: (u32, u32),
    cols: usize,
    panels: Vec<RunPanel>,
}

/// One metric to draw: (metric key, multiplier); its legend label is the
/// metric's plain label.
type MetricSpec = (&'static str, f64);

/// The band of `metric` scaled by `factor`, if the metric has any finite
/// value. A flow has no value at year 0, the starting state: it is left
/// blank rather than drawn as 0.
fn metric_band(data: &PlotData, metric: &str, factor: f64) -> Option<Band> {
    let values = data.metrics.get(metric)?;
    let flow = is_flow(metric);
    let scaled: Vec<Vec<f64>> = values
        .iter()
        .map(|rep| {
            rep.iter()
                .zip(data.years.iter().chain(std::iter::repeat(&f64::NAN)))
                .map(|(v, &year)| {
                    if flow && year == 0.0 {
                        f64::NAN
                    } else {
                        v * factor
                    }
                })
                .collect()
        })
        .collect();
    let b = band(&scaled);
    b.mean.iter().any(|v| v.is_finite()).then_some(b)
}

/// A panel of the given metrics, or `None` if none of them has data.
fn metric_panel(
    data: &PlotData,
    caption: &str,
    y_desc: &'static str,
    specs: &[MetricSpec],
) -> Option<RunPanel> {
    let lines: Vec<Line> = specs
        .iter()
        .enumerate()
        .filter_map(|(i, &(metric, factor))| {
            metric_band(data, metric, factor).map(|band| Line {
                label: label(metric).to_owned(),
                style: line_style(i),
                band,
            })
        })
        .collect();
    (!lines.is_empty()).then(|| RunPanel {
        caption: caption.to_owned(),
        y_desc,
        scale: YRule::of_unit(y_desc),
        lines,
        reference: None,
    })
}

/// The nominal tenure in force at each period: the mean over replicates
/// (a reform sets it, and a reversible reform may be undone in some
/// replicates only). Labelled with its value, or its first and last when a
/// reform changed it.
fn nominal_tenure(data: &PlotData) -> Option<(Vec<f64>, String)> {
    let reps = data.metrics.get("nominal_tenure_months")?;
    let values = band(reps).mean;
    let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    let (first, last) = (*finite.first()?, *finite.last()?);
    let changes = finite.iter().any(|v| (v - first).abs() > 1e-9);
    // A reversible reform can be undone in some replicates only: the line
    // is then their mean, a tenure no replicate need have had.
    let differ = reps.iter().any(|r| {
        r.iter()
            .zip(&reps[0])
            .any(|(a, b)| a.is_finite() && b.is_finite() && a != b)
    });
    let label = if differ {
        format!(
            "nominal tenure in force, mean of replicates ({} → {} months)",
            plot_label(first),
            plot_label(last)
        )
    } else if changes {
        format!(
            "nominal tenure in force ({} → {} months)",
            plot_label(first),
            plot_label(last)
        )
    } else {
        format!("nominal tenure ({} months)", plot_label(first))
    };
    Some((values, label))
}

fn competence_panel(data: &PlotData, with_ability: bool) -> Option<RunPanel> {
    let mut specs = vec![("mean_competence", 1.0)];
    if with_ability {
        specs.push(("mean_ability", 1.0));
    }
    let mut panel = metric_panel(data, "", "score 0–10", &specs)?;
    panel.caption = match panel.lines.len() {
        2 => "Competence and ability (means)".to_owned(),
        _ => panel.lines[0].label.clone(),
    };
    Some(panel)
}

fn prevalence_panel(data: &PlotData) -> Option<RunPanel> {
    if data.corruption_off {
        return None;
    }
    metric_panel(
        data,
        label("corruption_prevalence"),
        "share of officers, %",
        &[("corruption_prevalence", 100.0)],
    )
}

fn efficiency_panel(data: &PlotData) -> Option<RunPanel> {
    metric_panel(
        data,
        label("efficiency"),
        "index 0–100",
        &[("efficiency", 1.0)],
    )
}

/// How long postings last, against the nominal tenure that rules them, and
/// the months officers have served so far in their current post: a
/// snapshot of postings under way, about half their length, which alone
/// under the nominal tenure's line read as officers moved after a third of
/// it (an instructor's audit, 2026-12-07: 4.0 months under a 12-month rule
/// whose postings lasted 10.9).
fn tenure_panel(data: &PlotData) -> Option<RunPanel> {
    let mut panel = metric_panel(
        data,
        "How long postings last, and months in the current post",
        "months",
        &[("mean_completed_tenure", 1.0), ("mean_months_in_post", 1.0)],
    )?;
    for line in &mut panel.lines {
        if line.label == label("mean_completed_tenure") {
            line.label = "length of the postings that ended in the year".to_owned();
        } else if line.label == label("mean_months_in_post") {
            line.label = "months in the current post so far (year's end)".to_owned();
        }
    }
    if !data.postings_off {
        panel.reference = nominal_tenure(data);
    }
    Some(panel)
}

fn headcount_panel(data: &PlotData) -> Option<RunPanel> {
    let lines: Vec<Line> = data
        .grade_headcount
        .iter()
        .enumerate()
        .filter_map(|(g, values)| {
            let b = band(values);
            b.mean.iter().any(|v| v.is_finite()).then(|| Line {
                label: data
                    .grade_names
                    .get(g)
                    .cloned()
                    .unwrap_or_else(|| format!("grade {}", g + 1)),
                style: line_style(g),
                band: b,
            })
        })
        .collect();
    (!lines.is_empty()).then(|| RunPanel {
        caption: "Headcount by grade (posted, OSD and in training)".to_owned(),
        y_desc: "officers",
        scale: YRule::Zero,
        lines,
        reference: None,
    })
}

/// A figure of the panels that have data, or `None` if none has.
fn figure(
    name: &'static str,
    title: String,
    cols: usize,
    panels: Vec<Option<RunPanel>>,
) -> Option<RunFigure> {
    let panels: Vec<RunPanel> = panels.into_iter().flatten().collect();
    (!panels.is_empty()).then_some(RunFigure {
        name,
        title,
        // A 2x2 grid needs more room than stacked panels.
        size: if cols > 1 { (1400, 950) } else { (1200, 800) },
        cols,
        panels,
    })
}

/// The figures to draw, each with only the panels that have data.
fn figures(data: &PlotData) -> Vec<RunFigure> {
    if data.years.is_empty() {
        return Vec::new();
    }
    let t = &data.title;
    let expertise = metric_panel(
        data,
        label("expertise_match"),
        "share of posted officers, %",
        &[("expertise_match", 100.0)],
    );
    let enforcement = metric_panel(
        data,
        "Corruption cases detected and convictions",
        "per year",
        &[("detections", 1.0), ("convictions", 1.0)],
    )
    .filter(|_| !data.corruption_off);
    [
        figure(
            "quality",
            format!("Workforce quality — {t}"),
            1,
            vec![competence_panel(data, true), expertise],
        ),
        figure(
            "corruption",
            format!("Corruption — {t}"),
            1,
            vec![prevalence_panel(data), enforcement],
        ),
        figure(
            "efficiency",
            format!("Service delivery — {t}"),
            1,
            vec![efficiency_panel(data)],
        ),
        figure(
            "tenure",
            format!("Tenure in post — {t}"),
            1,
            vec![tenure_panel(data)],
        ),
        figure(
            "headcount",
            format!("Headcount by grade — {t}"),
            1,
            vec![headcount_panel(data)],
        ),
        // What the boards pick, for a demo of promotion rules or appraisal
        // (an instructor's audit, 2026-12-06: honest_appraisals' effect was
        // in no plot). No panel when no board meets (both all NaN).
        figure(
            "promotion",
            format!("Promotion — {t}"),
            1,
            vec![
                metric_panel(
                    data,
                    "Do boards promote the most competent? (rank correlation with competence at the new grade)",
                    "rank correlation (-1 to 1)",
                    &[("promotion_rank_correlation", 1.0)],
                ),
                metric_panel(
                    data,
                    "Change in competence on promotion (below 0: the Peter principle)",
                    "score points",
                    &[("peter_effect", 1.0)],
                ),
            ],
        ),
        figure(
            "overview",
            format!("Overview — {t}"),
            2,
            vec![
                competence_panel(data, false),
                prevalence_panel(data),
                efficiency_panel(data),
                tenure_panel(data),
            ],
        ),
    ]
    .into_iter()
    .flatten()
    .collect()
}

// ---------------------------------------------------------------------------
// Drawing

// Run figures use smaller type than experiment charts: they hold more
// panels and legends per pixel.
const TITLE_SIZE: f64 = 30.0;
const CAPTION_SIZE: f64 = 22.0;
const AXIS_DESC_SIZE: f64 = 18.0;
const TICK_SIZE: f64 = 16.0;
const Y_LABEL_AREA: u32 = 80;
const X_LABEL_AREA: u32 = 50;
const MARGIN_LEFT: u32 = 10;
const MARGIN_RIGHT: u32 = 30;
const LINE_WIDTH: u32 = 2;
const NOTE_SIZE: f64 = 15.0;
const NOTE_LINE: i32 = 19;
const NOTE_LEFT: i32 = 16;

/// A run panel's legend: under the plot, flush with its left edge.
const FIGURE_LEGEND: LegendLook = LegendLook {
    text_size: 15.0,
    row: 22,
    pad: 4,
    nudge: 2,
    swatch: 28,
    text_gap: 6,
    entry_gap: 22,
    centred: false,
    line_width: 3,
    dash: (7, 11, 2),
    half_height: 7,
};

fn draw_figure<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    figure: &RunFigure,
    data: &PlotData,
) -> anyhow::Result<()> {
    root.fill(&WHITE).map_err(draw_error)?;
    let body = root
        .margin(8, 0, 0, 0)
        .titled(&figure.title, font(TITLE_SIZE))
        .map_err(draw_error)?;
    let x = x_range(&data.years).unwrap_or((0.0, 0.0));
    // The notes under the panels: the run's overrides, then election years.
    let mut notes: Vec<String> = Vec::new();
    if !data.overrides.is_empty() {
        notes.push(format!("Run with {}", overrides_text(&data.overrides)));
    }
    if !elections_inside(&data.elections, x).is_empty() {
        notes.extend(election_note(data.government_changes()));
    }
    let body = if notes.is_empty() {
        body
    } else {
        let (w, h) = body.dim_in_pixel();
        let height = notes.len() as u32 * NOTE_LINE as u32 + 6;
        let (body, note) = body.split_vertically(h.saturating_sub(height));
        for (i, line) in notes.iter().enumerate() {
            let text = fit_text(&note, line, NOTE_SIZE, w as i32 - 2 * NOTE_LEFT)?;
            note.draw_text(
                &text,
                &font(NOTE_SIZE).color(&TEXT_GREY),
                (NOTE_LEFT, 2 + i as i32 * NOTE_LINE),
            )
            .map_err(draw_error)?;
        }
        body
    };
    let cols = figure.cols.min(figure.panels.len()).max(1);
    let rows = figure.panels.len().div_ceil(cols);
    let cells = body.split_evenly((rows, cols));
    // A lone panel's caption would only repeat the figure title.
    let captioned = figure.panels.len() > 1;
    for (panel, cell) in figure.panels.iter().zip(&cells) {
        draw_panel(&cell.margin(6, 6, 6, 6), panel, captioned, data)?;
    }
    Ok(())
}

fn legend_entries(
    panel: &RunPanel,
    reforms_shown: bool,
    elections_shown: bool,
) -> Vec<LegendEntry> {
    let dashed = |color| {
        Swatch::Line(LineStyle {
            color,
            dashed: true,
        })
    };
    let mut entries: Vec<LegendEntry> = panel
        .lines
        .iter()
        .map(|l| LegendEntry {
            swatch: Swatch::Line(l.style),
            text: l.label.clone(),
        })
        .collect();
    let mut kinds: Vec<BandKind> = Vec::new();
    for line in &panel.lines {
        if !kinds.contains(&line.band.kind) {
            kinds.push(line.band.kind);
        }
    }
    let colors: Vec<_> = panel.lines.iter().map(|l| l.style.color).collect();
    entries.extend(
        kinds
            .into_iter()
            .filter_map(BandKind::legend)
            .map(|text| LegendEntry {
                swatch: Swatch::band_for(&colors),
                text,
            }),
    );
    if let Some((_, label)) = &panel.reference {
        entries.push(LegendEntry {
            swatch: dashed(REFERENCE_COLOR),
            text: label.clone(),
        });
    }
    if reforms_shown {
        entries.push(LegendEntry {
            swatch: dashed(EVENT_COLOR),
            text: "reform".to_owned(),
        });
    }
    if elections_shown {
        entries.push(LegendEntry {
            swatch: ELECTION_SWATCH,
            text: "election year (see note below)".to_owned(),
        });
    }
    entries
}

/// x range of the data, widened when there is a single period.
fn x_range(years: &[f64]) -> Option<(f64, f64)> {
    let (lo, hi) = finite_bounds(years.iter().copied())?;
    Some(if hi > lo {
        (lo, hi)
    } else {
        (lo - 0.5, hi + 0.5)
    })
}

/// y range of a panel from its data under its [`YRule`], and where the
/// axis is cut when it does not start at zero.
fn y_range(panel: &RunPanel, periods: usize) -> Option<((f64, f64), Option<f64>)> {
    let values = panel.lines.iter().flat_map(|l| {
        let b = &l.band;
        let n = periods.min(b.mean.len());
        b.mean[..n]
            .iter()
            .chain(&b.lo[..n])
            .chain(&b.hi[..n])
            .copied()
    });
    let reference = panel
        .reference
        .iter()
        .flat_map(|(v, _)| v[..periods.min(v.len())].iter().copied());
    let (lo, hi) = finite_bounds(values.chain(reference))?;
    Some(rule_range(panel.scale, lo, hi))
}

/// The points of a line: the band's bounds only where it has a band.
fn line_points(line: &Line, years: &[f64]) -> Vec<Point> {
    let b = &line.band;
    let banded = b.kind != BandKind::None;
    (0..years.len().min(b.mean.len()))
        .map(|t| {
            let (lo, hi) = if banded {
                (b.lo[t], b.hi[t])
            } else {
                (f64::NAN, f64::NAN)
            };
            (years[t], b.mean[t], lo, hi)
        })
        .collect()
}

fn draw_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    panel: &RunPanel,
    captioned: bool,
    data: &PlotData,
) -> anyhow::Result<()> {
    let years = &data.years;
    let (Some((x0, x1)), Some(((y0, y1), cut))) = (x_range(years), y_range(panel, years.len()))
    else {
        return Ok(());
    };
    let y_desc = match cut {
        Some(bottom) => cut_label(panel.y_desc, bottom, &plot_label),
        None => panel.y_desc.to_owned(),
    };
    let elections = elections_inside(&data.elections, (x0, x1));
    let area = if captioned {
        area.titled(&panel.caption, font(CAPTION_SIZE))
            .map_err(draw_error)?
    } else {
        area.clone()
    };
    let (width, height) = area.dim_in_pixel();
    let plot_left = MARGIN_LEFT + Y_LABEL_AREA;
    let plot_width = width.saturating_sub(plot_left + MARGIN_RIGHT);
    let events = Events::layout(
        &area,
        &data.reforms,
        (x0, x1),
        (f64::from(plot_left), f64::from(plot_width)),
    )?;

    // Legend strip under the chart, aligned with the plot's left edge.
    let legend = Legend::layout(
        &area,
        legend_entries(panel, !events.marks.is_empty(), !elections.is_empty()),
        width.saturating_sub(MARGIN_RIGHT) as i32 - plot_left as i32,
        &FIGURE_LEGEND,
    )?;
    let (chart_area, legend_area) =
        area.split_vertically(height.saturating_sub(legend.height() as u32));

    let mut chart = ChartBuilder::on(&chart_area)
        .margin_top(8 + events.rows * EVENT_ROW_HEIGHT)
        .margin_left(MARGIN_LEFT)
        .margin_right(MARGIN_RIGHT)
        .margin_bottom(4)
        .x_label_area_size(X_LABEL_AREA)
        .y_label_area_size(Y_LABEL_AREA)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(draw_error)?;
    draw_axes(
        &mut chart,
        &Axes {
            x_desc: "Years since start".to_owned(),
            y: Some((y_desc, 8)),
            x_labels: 12,
            tick: &plot_label,
            x_tick: None,
            desc_size: AXIS_DESC_SIZE,
            tick_size: TICK_SIZE,
        },
    )?;

    // Bands first, so that no band covers a line; then the dashed markers;
    // then the mean lines.
    let lines: Vec<(LineStyle, Vec<Point>)> = panel
        .lines
        .iter()
        .map(|l| (l.style, line_points(l, years)))
        .collect();
    for (style, pts) in &lines {
        draw_band(&mut chart, *style, pts)?;
    }
    if let Some((values, _)) = &panel.reference {
        draw_reference(&mut chart, values)?;
    }
    draw_election_lines(&mut chart, &elections)?;
    draw_event_lines(&mut chart, &events)?;
    for (style, pts) in &lines {
        let look = LineLook {
            style: *style,
            width: LINE_WIDTH,
            dots: false,
        };
        draw_line(&mut chart, look, pts)?;
    }
    draw_event_labels(&chart_area, &chart, &events)?;
    legend.draw(&legend_area, plot_left as i32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nominal_tenure_line_follows_a_reform_that_changes_it() {
        // Issue 12, item 6: the line kept "nominal tenure (36 months)" after
        // a reform set 24 or 12.
        let mut data = synthetic(3, 10);
        let mut tenure = vec![36.0; 10];
        for v in &mut tenure[6..] {
            *v = 12.0;
        }
        data.metrics
            .insert("nominal_tenure_months".into(), vec![tenure.clone(); 3]);
        let (values, label) = nominal_tenure(&data).unwrap();
        assert_eq!(values, tenure);
        assert_eq!(label, "nominal tenure in force (36 → 12 months)");
        let panel = tenure_panel(&data).unwrap();
        // The nominal tenure is set against how long postings last, and the
        // months in the current post are named as a snapshot.
        let labels: Vec<&str> = panel.lines.iter().map(|l| l.label.as_str()).collect();
        assert_eq!(
            labels,
            [
                "length of the postings that ended in the year",
                "months in the current post so far (year's end)"
            ]
        );
        let ((lo, _), _) = y_range(&panel, 10).unwrap();
        assert!(lo < 12.0, "the axis shows the new tenure: {lo}");
        let constant = synthetic(3, 10);
        assert_eq!(
            nominal_tenure(&constant).unwrap().1,
            "nominal tenure (36 months)"
        );
    }

    fn synthetic(replicates: usize, periods: usize) -> PlotData {
        let years: Vec<f64> = (0..periods).map(|t| t as f64).collect();
        let series = |base: f64, slope: f64, wiggle: f64| -> Vec<Vec<f64>> {
            (0..replicates)
                .map(|r| {
                    years
                        .iter()
                        .map(|&y| {
                            base + slope * y
                                + wiggle * ((y * 0.7 + r as f64 * 1.3).sin() + r as f64 * 0.3)
                        })
                        .collect()
                })
                .collect()
        };
        let mut metrics = BTreeMap::new();
        metrics.insert("mean_competence".into(), series(4.0, 0.06, 0.2));
        metrics.insert("mean_ability".into(), series(5.5, 0.02, 0.15));
        metrics.insert("expertise_match".into(), series(0.35, 0.01, 0.03));
        metrics.insert("corruption_prevalence".into(), series(0.30, -0.005, 0.02));
        metrics.insert("detections".into(), series(40.0, 1.5, 6.0));
        metrics.insert("convictions".into(), series(8.0, 0.5, 2.0));
        metrics.insert("efficiency".into(), series(45.0, 0.6, 3.0));
        metrics.insert(
            "promotion_rank_correlation".into(),
            series(0.1, 0.005, 0.05),
        );
        metrics.insert("peter_effect".into(), series(-0.7, 0.002, 0.05));
        metrics.insert("mean_months_in_post".into(), series(14.0, 0.5, 1.5));
        metrics.insert("mean_completed_tenure".into(), series(30.0, 0.5, 1.5));
        metrics.insert(
            "nominal_tenure_months".into(),
            vec![vec![36.0; periods]; replicates],
        );
        let grade_names: Vec<String> = (17..=22).map(|g| format!("BPS-{g}")).collect();
        let grade_headcount = (0..grade_names.len())
            .map(|g| series(900.0 / 2f64.powi(g as i32), 2.0, 15.0 / (g + 1) as f64))
            .collect();
        PlotData {
            title: "Synthetic test".into(),
            years,
            metrics,
            grade_names,
            grade_headcount,
            reforms: vec![(10.0, "tenure law".into())],
            elections: vec![3.0, 8.0],
            corruption_off: false,
            postings_off: false,
            overrides: Vec::new(),
        }
    }

    /// The classic model drew a corruption figure of zeros and a nominal
    /// tenure nobody rotates on (an instructor's audit, 2026-12-05).
    #[test]
    fn mechanisms_switched_off_draw_no_figure_or_reference() {
        let mut data = synthetic(2, 12);
        data.corruption_off = true;
        data.postings_off = true;
        let figs = figures(&data);
        assert!(figs.iter().all(|f| f.name != "corruption"));
        let overview = figs.iter().find(|f| f.name == "overview").unwrap();
        assert_eq!(overview.panels.len(), 3);
        let tenure = figs.iter().find(|f| f.name == "tenure").unwrap();
        assert!(tenure.panels[0].reference.is_none());
        // With them on, both are there.
        let figs = figures(&synthetic(2, 12));
        assert!(figs.iter().any(|f| f.name == "corruption"));
        let tenure = figs.iter().find(|f| f.name == "tenure").unwrap();
        assert!(tenure.panels[0].reference.is_some());
    }

    const NAMES: [&str; 7] = [
        "quality",
        "corruption",
        "efficiency",
        "tenure",
        "headcount",
        "promotion",
        "overview",
    ];

    #[test]
    fn writes_every_plot_as_png_and_svg() {
        let dir = tempfile::TempDir::new().unwrap();
        let written = write_plots(dir.path(), &synthetic(3, 41)).unwrap();
        assert_eq!(written.len(), 2 * NAMES.len());
        for name in NAMES {
            let png = dir.path().join(format!("{name}.png"));
            let svg = dir.path().join(format!("{name}.svg"));
            assert!(written.contains(&png) && written.contains(&svg), "{name}");
            let bytes = std::fs::read(&png).unwrap();
            assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "{name}.png");
            let text = std::fs::read_to_string(&svg).unwrap();
            assert!(text.contains("<svg"), "{name}.svg");
        }
    }

    #[test]
    fn band_uses_percentiles_for_three_or_more_replicates() {
        let b = band(&[vec![0.0, 1.0], vec![10.0, 1.0], vec![20.0, 1.0]]);
        assert_eq!(b.kind, BandKind::Percentile(3));
        assert_eq!(b.mean, vec![10.0, 1.0]);
        assert!((b.lo[0] - 1.0).abs() < 1e-12, "{}", b.lo[0]);
        assert!((b.hi[0] - 19.0).abs() < 1e-12, "{}", b.hi[0]);
        assert_eq!((b.lo[1], b.hi[1]), (1.0, 1.0));

        let many: Vec<Vec<f64>> = (0..=100).map(|v| vec![f64::from(v)]).collect();
        let b = band(&many);
        assert!((b.lo[0] - 5.0).abs() < 1e-9 && (b.hi[0] - 95.0).abs() < 1e-9);
        assert!((b.mean[0] - 50.0).abs() < 1e-9);
    }

    #[test]
    fn band_uses_min_max_for_two_and_nothing_for_one_replicate() {
        let b = band(&[vec![3.0], vec![7.0]]);
        assert_eq!(b.kind, BandKind::MinMax(2));
        assert_eq!((b.mean[0], b.lo[0], b.hi[0]), (5.0, 3.0, 7.0));

        let b = band(&[vec![2.0, 4.0]]);
        assert_eq!(b.kind, BandKind::None);
        assert_eq!(b.mean, b.lo);
        assert_eq!(b.mean, b.hi);
        assert!(BandKind::None.legend().is_none());
    }

    #[test]
    fn band_skips_nan() {
        let b = band(&[
            vec![f64::NAN, 1.0],
            vec![f64::NAN, 3.0],
            vec![f64::NAN, f64::NAN],
        ]);
        assert!(b.mean[0].is_nan() && b.lo[0].is_nan() && b.hi[0].is_nan());
        assert_eq!(b.mean[1], 2.0);
        assert!(band(&[]).mean.is_empty());
    }

    #[test]
    fn missing_metrics_skip_panels_and_plots() {
        let mut data = synthetic(2, 5);
        data.metrics
            .retain(|k, _| k == "efficiency" || k == "corruption_prevalence");
        data.grade_headcount.clear();
        let dir = tempfile::TempDir::new().unwrap();
        let written = write_plots(dir.path(), &data).unwrap();
        let mut names: Vec<String> = written
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(
            names,
            [
                "corruption.png",
                "corruption.svg",
                "efficiency.png",
                "efficiency.svg",
                "overview.png",
                "overview.svg"
            ]
        );
    }

    #[test]
    fn empty_data_writes_nothing() {
        let dir = tempfile::TempDir::new().unwrap();
        let no_periods = synthetic(3, 0);
        assert!(write_plots(dir.path(), &no_periods).unwrap().is_empty());
        let mut no_replicates = synthetic(0, 41);
        no_replicates.grade_headcount = vec![Vec::new(); 6];
        assert!(write_plots(dir.path(), &no_replicates).unwrap().is_empty());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn nan_values_and_one_replicate_do_not_panic() {
        let mut data = synthetic(1, 12);
        for reps in data.metrics.values_mut() {
            reps[0][3] = f64::NAN;
        }
        data.reforms.push((10.5, "second".into()));
        data.reforms.push((f64::NAN, "bad".into()));
        let dir = tempfile::TempDir::new().unwrap();
        assert_eq!(
            write_plots(dir.path(), &data).unwrap().len(),
            2 * NAMES.len()
        );
    }

    #[test]
    fn awkward_inputs_do_not_panic() {
        let dir = tempfile::TempDir::new().unwrap();
        // A single period, crowded long reform labels, a ragged replicate.
        let mut data = synthetic(3, 1);
        data.reforms = (0..12)
            .map(|i| (f64::from(i) * 0.01, "a rather long reform label".into()))
            .collect();
        // The promotion figure's two metrics are counted over a year, so
        // a run of year 0 alone has nothing to draw in it: no figure.
        let written = write_plots(dir.path(), &data).unwrap();
        assert_eq!(written.len(), 2 * (NAMES.len() - 1));
        assert!(!written.iter().any(|p| p.ends_with("promotion.png")));

        let mut data = synthetic(3, 41);
        data.metrics.get_mut("efficiency").unwrap()[1].truncate(7);
        data.grade_names.truncate(2);
        assert_eq!(
            write_plots(dir.path(), &data).unwrap().len(),
            2 * NAMES.len()
        );
    }

    #[test]
    fn share_and_count_panels_start_at_zero() {
        let data = synthetic(3, 12);
        let prevalence = prevalence_panel(&data).unwrap();
        let ((lo, hi), cut) = y_range(&prevalence, 12).unwrap();
        assert_eq!((lo, cut), (0.0, None));
        assert!(hi <= 100.0);
        let tenure = tenure_panel(&data).unwrap();
        assert_eq!(y_range(&tenure, 12).unwrap().0.0, 0.0);
        let heads = headcount_panel(&data).unwrap();
        assert_eq!(y_range(&heads, 12).unwrap().0.0, 0.0);
    }

    #[test]
    fn a_flat_score_cuts_its_axis_and_says_so() {
        let mut data = synthetic(2, 12);
        data.metrics
            .insert("efficiency".into(), vec![vec![60.0; 12], vec![60.4; 12]]);
        let panel = efficiency_panel(&data).unwrap();
        let ((lo, _), cut) = y_range(&panel, 12).unwrap();
        assert!(lo > 50.0 && cut == Some(lo), "{lo} {cut:?}");
        let dir = tempfile::TempDir::new().unwrap();
        write_plots(dir.path(), &data).unwrap();
        let svg = std::fs::read_to_string(dir.path().join("efficiency.svg")).unwrap();
        assert!(svg.contains("(cut)"), "the axis label marks the cut");
    }

    #[test]
    fn a_flow_has_no_point_at_year_0() {
        let data = synthetic(3, 12);
        let detections = metric_band(&data, "detections", 1.0).unwrap();
        assert!(detections.mean[0].is_nan() && detections.lo[0].is_nan());
        assert!(detections.mean[1].is_finite());
        // A stock keeps its starting state.
        let prevalence = metric_band(&data, "corruption_prevalence", 1.0).unwrap();
        assert!(prevalence.mean[0].is_finite());
    }

    #[test]
    fn captions_and_line_labels_are_plain_labels() {
        let data = synthetic(3, 12);
        assert_eq!(
            prevalence_panel(&data).unwrap().caption,
            label("corruption_prevalence")
        );
        assert_eq!(
            efficiency_panel(&data).unwrap().caption,
            label("efficiency")
        );
        let dir = tempfile::TempDir::new().unwrap();
        write_plots(dir.path(), &data).unwrap();
        let svg = std::fs::read_to_string(dir.path().join("corruption.svg")).unwrap();
        assert!(svg.contains(label("detections")), "{}", label("detections"));
        assert!(!svg.contains("corruption_prevalence"));
    }

    #[test]
    fn reforms_and_elections_are_marked_with_a_note() {
        let mut data = synthetic(3, 12);
        // Two of three replicates changed government at the year-3 election.
        data.metrics.insert(
            "government_changes".into(),
            vec![vec![0.0; 12], vec![1.0; 12], vec![1.0; 12]],
        );
        data.reforms = vec![(5.0, "tenure law".into())];
        assert_eq!(data.government_changes(), Some((2, 6)));
        let dir = tempfile::TempDir::new().unwrap();
        write_plots(dir.path(), &data).unwrap();
        let svg = std::fs::read_to_string(dir.path().join("efficiency.svg")).unwrap();
        for text in [
            "tenure law",
            "reform",
            "election year",
            "changed at 2 of 6 elections",
            "efficiency and time in post dip",
        ] {
            assert!(svg.contains(text), "efficiency.svg lacks `{text}`");
        }
        // Without elections, no election legend and no note.
        data.elections.clear();
        write_plots(dir.path(), &data).unwrap();
        let svg = std::fs::read_to_string(dir.path().join("efficiency.svg")).unwrap();
        assert!(!svg.contains("election year") && svg.contains("tenure law"));
        // The run's overrides are named under every figure, with or
        // without the election note.
        data.overrides = vec!["promotion.rule=worst".into()];
        for elections in [vec![], vec![3.0, 8.0]] {
            data.elections = elections;
            write_plots(dir.path(), &data).unwrap();
            for name in ["efficiency.svg", "overview.svg"] {
                let svg = std::fs::read_to_string(dir.path().join(name)).unwrap();
                assert!(
                    svg.contains("Run with --set promotion.rule=worst"),
                    "{name} does not name the override"
                );
            }
        }
    }
}
