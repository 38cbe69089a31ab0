//! Forest plots: differences from a base, each a dot at its estimate on a
//! line spanning its interval, against a line at zero; one small panel per
//! measure (each with its own unit and scale), the compared options as
//! rows labelled once at the left of each row of panels, and within an
//! option one line per tag (e.g. per report year), the last drawn largest.
//!
//! Colour says whether a difference is better or worse for its measure
//! (blue and vermillion of the Okabe–Ito palette, safe for the common
//! forms of colour blindness); a hollow grey dot says its interval
//! includes zero. Under each axis, "← better" / "worse →" say which side
//! is which, so that the plot reads in black and white too.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::axes::{Axes, draw_axes, finite_bounds, no_data, padded};
use super::legend::{CHART_LEGEND, Legend, LegendEntry, Swatch};
use super::style::{
    AXIS_DESC_SIZE, PALETTE, SIDE, TEXT_GREY, draw_error, fit_text, font, text_width, widest,
};
use crate::output::number::axis_tick;

/// What an estimate's interval says against zero, for its measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// Excludes zero, on the measure's better side.
    Better,
    /// Excludes zero, on the worse side.
    Worse,
    /// Excludes zero, for a measure with no better direction.
    Differs,
    /// Includes zero (or is unknown).
    Unclear,
    /// Better on average over plausible services, its sign not settled
    /// between them (drawn hollow in the better colour).
    BetterOnAverage,
    /// Worse on average, its sign not settled (hollow, the worse colour).
    WorseOnAverage,
}

impl Tone {
    /// Drawn as a hollow dot: an interval that includes 0, or a clear
    /// average whose sign is not settled.
    fn hollow(self) -> bool {
        matches!(
            self,
            Tone::Unclear | Tone::BetterOnAverage | Tone::WorseOnAverage
        )
    }
}

/// One difference: estimate, 95% interval, and what it says.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    pub mean: f64,
    pub lo: f64,
    pub hi: f64,
    pub tone: Tone,
}

/// One measure's panel: `estimates[row][tag]`, in the rows and tags of the
/// chart.
#[derive(Debug, Clone, PartialEq)]
pub struct ForestPanel {
    pub title: String,
    /// The x axis: what a difference is measured in.
    pub axis: String,
    /// `Some(true)` when higher values are better (better is right of
    /// zero), `Some(false)` when lower are, `None` when neither is.
    pub higher_is_better: Option<bool>,
    pub estimates: Vec<Vec<Estimate>>,
}

pub(crate) const BETTER: RGBColor = PALETTE[0];
pub(crate) const WORSE: RGBColor = PALETTE[1];
const DIFFERS: RGBColor = RGBColor(40, 40, 40);
const UNCLEAR: RGBColor = RGBColor(150, 150, 150);
const PANEL_TITLE_SIZE: f64 = 26.0;
/// Row labels and ticks: larger than other charts', as a forest plot is
/// read at a glance at the top of a report.
const LABEL_SIZE: f64 = 22.0;
/// Pixels of one tag's line within a row.
pub(super) const LINE_PITCH: u32 = 22;
/// Pixels of a panel beyond its lines: title, axis, direction words.
pub(super) const PANEL_EXTRA: u32 = 120;

fn color(tone: Tone) -> RGBColor {
    match tone {
        Tone::Better | Tone::BetterOnAverage => BETTER,
        Tone::Worse | Tone::WorseOnAverage => WORSE,
        Tone::Differs => DIFFERS,
        Tone::Unclear => UNCLEAR,
    }
}

/// Columns of a grid of `n` forest panels: wide rather than tall, so that
/// the plot fits a screen under a report's opening paragraph.
pub(super) fn columns(n: usize) -> usize {
    match n {
        0..=3 => n.max(1),
        4 => 2,
        5 | 6 => 3,
        _ => 4,
    }
}

pub(super) fn draw_forest<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    rows: &[String],
    tags: &[String],
    panels: &[ForestPanel],
) -> anyhow::Result<()> {
    let (w, _) = area.dim_in_pixel();
    let w = w as i32;
    let tones: Vec<Tone> = panels
        .iter()
        .flat_map(|p| p.estimates.iter().flatten().map(|e| e.tone))
        .collect();
    let mut entries = Vec::new();
    for (tone, text) in [
        (Tone::Better, "better"),
        (Tone::Worse, "worse"),
        (Tone::Differs, "differs (no better direction)"),
        (Tone::Unclear, "interval includes 0 (hollow)"),
        (
            Tone::BetterOnAverage,
            "better on average, sign not settled (hollow)",
        ),
        (
            Tone::WorseOnAverage,
            "worse on average, sign not settled (hollow)",
        ),
    ] {
        if tones.contains(&tone) {
            entries.push(LegendEntry {
                swatch: Swatch::Bar(color(tone)),
                text: text.into(),
            });
        }
    }
    let legend = Legend::layout(area, entries, w - 2 * SIDE, &CHART_LEGEND)?;
    let (legend_area, grid) = area.split_vertically(legend.height());
    legend.draw(&legend_area, SIDE)?;
    if panels.is_empty() || rows.is_empty() {
        return no_data(&grid);
    }
    let cols = columns(panels.len());
    let grid_rows = panels.len().div_ceil(cols);
    let (gw, gh) = grid.dim_in_pixel();
    let (gw, gh) = (gw as i32, gh as i32);
    let label_w = (widest(&grid, rows.iter().cloned(), LABEL_SIZE)? + 24).min(gw * 3 / 10);
    let panel_w = (gw - label_w - SIDE) / cols as i32;
    let panel_h = gh / grid_rows as i32;
    // A panel's unit goes between its direction words ("← worse … better
    // →") when every panel's fits there, and on a line of its own below
    // them in every panel when one does not, so that the rows of the grid
    // stay level (a planner's audit: "billion PK…", and "index 0-100"
    // touching "← worse"). A panel's plot is its width less the margins
    // and the chart's own (38 pixels, as `draw_panel` lays it out).
    let words = 2 * (widest(&grid, ["← better".into(), "← worse".into()], AXIS_DESC_SIZE)? + 14);
    let mut unit_below = false;
    for p in panels {
        let between = panel_w
            - 38
            - if p.higher_is_better.is_some() {
                words
            } else {
                0
            }
            - 8;
        unit_below |= text_width(&grid, &p.axis, AXIS_DESC_SIZE)? > between;
    }
    for (k, panel) in panels.iter().enumerate() {
        let (r, c) = ((k / cols) as i32, (k % cols) as i32);
        // The first column carries the row labels.
        let left = if c == 0 { 0 } else { label_w + c * panel_w };
        let width = if c == 0 { label_w + panel_w } else { panel_w };
        let cell = grid.clone().shrink((left, r * panel_h), (width, panel_h));
        let labels = (c == 0).then_some(label_w);
        draw_panel(
            &cell.margin(2, 6, 4, 10),
            panel,
            rows,
            tags.len(),
            labels,
            unit_below,
        )?;
    }
    Ok(())
}

fn draw_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    panel: &ForestPanel,
    rows: &[String],
    tags: usize,
    labels: Option<i32>,
    unit_below: bool,
) -> anyhow::Result<()> {
    let (w, _) = area.dim_in_pixel();
    let w = w as i32;
    let label_w = labels.unwrap_or(0);
    // A long title is drawn smaller before it is cut (a planner's audit:
    // "Promotion picks the best (rank c…").
    let room = w - label_w - 8;
    let title_size = [
        PANEL_TITLE_SIZE,
        PANEL_TITLE_SIZE * 0.85,
        PANEL_TITLE_SIZE * 0.72,
    ]
    .into_iter()
    .find(|&sz| text_width(area, &panel.title, sz).is_ok_and(|t| t <= room))
    .unwrap_or(PANEL_TITLE_SIZE * 0.72);
    let title = fit_text(area, &panel.title, title_size, room)?;
    area.draw_text(
        &title,
        &font(title_size).pos(Pos::new(HPos::Center, VPos::Top)),
        (label_w + (w - label_w) / 2, 0),
    )
    .map_err(draw_error)?;
    let body = area
        .clone()
        .shrink((0, 36), (w, area.dim_in_pixel().1 as i32 - 36));
    let all = panel
        .estimates
        .iter()
        .flatten()
        .flat_map(|e| [e.mean, e.lo, e.hi]);
    let Some((lo, hi)) = finite_bounds(all.chain([0.0])) else {
        return no_data(&body);
    };
    let (x0, x1) = padded(lo, hi, 0.08);
    let n = rows.len();
    let (bw, _) = body.dim_in_pixel();
    const X_LABEL_AREA: i32 = 64;
    // The unit's own line when it does not fit between the direction words.
    const UNIT_LINE: i32 = 26;
    let plot_w = (bw as i32 - label_w - 24).max(1);
    let label_area = if unit_below {
        X_LABEL_AREA + UNIT_LINE
    } else {
        X_LABEL_AREA
    };
    let x_desc = fit_text(&body, &panel.axis, AXIS_DESC_SIZE, plot_w - 8)?;
    let mut chart = ChartBuilder::on(&body)
        .margin_top(4)
        .margin_right(20)
        .margin_left(4)
        .margin_bottom(2)
        .x_label_area_size(label_area)
        .y_label_area_size(label_w.max(4))
        .build_cartesian_2d(x0..x1, 0.0..n as f64)
        .map_err(draw_error)?;
    // Ticks at zero can come out as rounding noise (-2.78e-17).
    let span = x1 - x0;
    let tick = |v: f64| axis_tick(if v.abs() < 1e-9 * span { 0.0 } else { v });
    draw_axes(
        &mut chart,
        &Axes {
            x_desc,
            y: None,
            x_labels: (plot_w / 90).clamp(2, 6) as usize,
            tick: &tick,
            x_tick: None,
            desc_size: AXIS_DESC_SIZE,
            tick_size: LABEL_SIZE,
        },
    )?;
    // Alternate rows shaded, so that an option's lines group.
    chart
        .draw_series((0..n).filter(|i| i % 2 == 1).map(|i| {
            let top = (n - i) as f64;
            Rectangle::new([(x0, top), (x1, top - 1.0)], BLACK.mix(0.04).filled())
        }))
        .map_err(draw_error)?;
    chart
        .draw_series(std::iter::once(PathElement::new(
            [(0.0, 0.0), (0.0, n as f64)],
            BLACK.mix(0.7).stroke_width(2),
        )))
        .map_err(draw_error)?;
    let k = tags.max(1);
    for (i, row) in panel.estimates.iter().enumerate().take(n) {
        for (j, e) in row.iter().enumerate().take(k) {
            if !(e.mean.is_finite()) {
                continue;
            }
            let y = (n - i) as f64 - 0.12 - (j as f64 + 0.5) * 0.76 / k as f64;
            let last = j + 1 == k;
            let c = color(e.tone);
            let shade = if last { c.to_rgba() } else { c.mix(0.55) };
            let (width, radius) = if last { (4, 7) } else { (2, 5) };
            if e.lo.is_finite() && e.hi.is_finite() {
                chart
                    .draw_series(std::iter::once(PathElement::new(
                        [(e.lo, y), (e.hi, y)],
                        shade.stroke_width(width),
                    )))
                    .map_err(draw_error)?;
            }
            let dot: ShapeStyle = if e.tone.hollow() {
                WHITE.filled()
            } else {
                shade.filled()
            };
            chart
                .draw_series([
                    Circle::new((e.mean, y), radius, dot),
                    Circle::new((e.mean, y), radius, shade.stroke_width(2)),
                ])
                .map_err(draw_error)?;
        }
    }
    let (base_x, base_y) = body.get_base_pixel();
    if let Some(label_w) = labels {
        let style = font(LABEL_SIZE).pos(Pos::new(HPos::Right, VPos::Center));
        for (i, row) in rows.iter().enumerate() {
            let (px, py) = chart.backend_coord(&(x0, (n - i) as f64 - 0.5));
            let text = fit_text(&body, row, LABEL_SIZE, label_w - 16)?;
            body.draw_text(&text, &style, (px - base_x - 10, py - base_y))
                .map_err(draw_error)?;
        }
    }
    if let Some(up) = panel.higher_is_better {
        let (left, right) = if up {
            ("← worse", "better →")
        } else {
            ("← better", "worse →")
        };
        let (lx, by) = chart.backend_coord(&(x0, 0.0));
        let (rx, _) = chart.backend_coord(&(x1, 0.0));
        let y = by - base_y + X_LABEL_AREA - 4;
        let grey = |h| {
            font(AXIS_DESC_SIZE)
                .color(&TEXT_GREY)
                .pos(Pos::new(h, VPos::Bottom))
        };
        body.draw_text(left, &grey(HPos::Left), (lx - base_x, y))
            .map_err(draw_error)?;
        body.draw_text(right, &grey(HPos::Right), (rx - base_x, y))
            .map_err(draw_error)?;
    }
    Ok(())
}
