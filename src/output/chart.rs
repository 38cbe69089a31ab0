//! Generic charts for experiment reports: scenario comparisons, parameter
//! sweeps and sensitivity analyses.
//!
//! Three kinds of chart are built from plain numbers, without reference to
//! the model:
//!
//! - [`overlay`]: a grid of panels, each overlaying several lines (a mean
//!   over a shaded band), one colour per series label across all panels and
//!   one shared legend. A one-parameter sweep is an overlay with the
//!   parameter on the x axis.
//! - [`heatmap`]: a value over a two-parameter grid, with a colour scale.
//! - [`ranking`]: horizontal bars ranking items (e.g. parameters by Sobol
//!   index or Morris mu*), one or more measures per item, with error bars.
//!
//! A [`Chart`] holds the drawing instructions; it renders to a PNG file
//! ([`Chart::write_png`]) and to an SVG string ([`Chart::to_svg`]) meant to be
//! inlined in a self-contained HTML report: the SVG refers to no file and
//! names only the font family `sans-serif`. Its `viewBox` lets CSS scale it
//! (`svg { max-width: 100%; height: auto }`).
//!
//! Missing values (NaN or infinite) leave gaps in lines, grey cells in heat
//! maps and no bar in rankings; a chart without data reads "no data".
//! Colours follow the Okabe–Ito palette, which stays distinguishable under
//! the common forms of colour blindness; beyond eight series the colours
//! repeat with dashed lines. Heat maps use the viridis scale.

use std::path::Path;

use anyhow::{Context, anyhow, bail};
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::plots::{FONT, register_embedded_font};
use crate::output::number::{axis_tick, significant};

// ---------------------------------------------------------------------------
// Public API

/// One line with an optional band, e.g. one scenario's mean and 95% CI over
/// years.
///
/// `x` and `mean` are paired by index (extra values in the longer one are
/// ignored); `lo` and `hi` give the band and may be empty for no band.
/// Points need not be sorted by x.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Series {
    /// Legend label; series with the same label share a colour across panels.
    pub label: String,
    pub x: Vec<f64>,
    pub mean: Vec<f64>,
    pub lo: Vec<f64>,
    pub hi: Vec<f64>,
}

impl Series {
    /// A line without a band.
    pub fn line(label: impl Into<String>, x: Vec<f64>, mean: Vec<f64>) -> Self {
        Series {
            label: label.into(),
            x,
            mean,
            lo: Vec::new(),
            hi: Vec::new(),
        }
    }
}

/// One panel of an [`overlay`]: a metric, with the series to compare.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Panel {
    pub title: String,
    /// y axis label, with units (e.g. "share of officers, %").
    pub y_label: String,
    pub series: Vec<Series>,
}

/// One measure of a [`ranking`]: a value per item, and optionally an error
/// bar per item (`lo`/`hi` empty, shorter than the items, or NaN: no bar).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Bars {
    pub label: String,
    pub values: Vec<f64>,
    pub lo: Vec<f64>,
    pub hi: Vec<f64>,
}

/// A chart ready to be rendered as PNG or SVG.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    title: String,
    note: Option<String>,
    size: (u32, u32),
    body: Body,
}

#[derive(Debug, Clone, PartialEq)]
enum Body {
    Overlay {
        x_label: String,
        panels: Vec<Panel>,
        band_caption: String,
    },
    Heatmap {
        x_label: String,
        y_label: String,
        xs: Vec<f64>,
        ys: Vec<f64>,
        z: Vec<Vec<f64>>,
        z_label: String,
    },
    Ranking {
        items: Vec<String>,
        measures: Vec<Bars>,
        value_label: String,
    },
}

/// Several panels in a grid (one column for one panel, two for up to four,
/// three beyond), each overlaying several series.
///
/// Each series label gets one colour (and line style) in every panel, and
/// the legend above the panels lists every label once, followed by
/// `band_caption` (e.g. "bands: 95% confidence interval of the mean") when
/// it is not empty and some series has a band. All panels share the x range
/// and the x axis label `x_label` (e.g. "year" or a parameter key).
pub fn overlay(title: &str, x_label: &str, panels: &[Panel], band_caption: &str) -> Chart {
    let n = panels.len().max(1);
    let cols = grid_cols(n);
    let rows = n.div_ceil(cols);
    let width = match cols {
        1 => 1200,
        2 => 1400,
        _ => 1800,
    };
    let panel_height = if n == 1 { 600 } else { 440 };
    Chart {
        title: title.to_owned(),
        note: None,
        size: (width, 130 + panel_height * rows as u32),
        body: Body::Overlay {
            x_label: x_label.to_owned(),
            panels: panels.to_vec(),
            band_caption: band_caption.to_owned(),
        },
    }
}

/// Heat map of `z[iy][ix]` over the grid `xs` (left to right) by `ys`
/// (bottom to top), each cell centred on its grid value and all cells the
/// same size whatever the spacing of the values.
///
/// Colours follow the viridis scale from the smallest to the largest finite
/// value, explained by a colour bar labelled `z_label` with the minimum and
/// maximum. Missing values (NaN) are grey. Values are printed in the cells
/// when the grid has at most 12 x 12 cells and they fit. A `z` whose shape
/// is not `ys.len()` rows of `xs.len()` values is an error at rendering.
pub fn heatmap(
    title: &str,
    x_label: &str,
    y_label: &str,
    xs: &[f64],
    ys: &[f64],
    z: &[Vec<f64>],
    z_label: &str,
) -> Chart {
    Chart {
        title: title.to_owned(),
        note: None,
        size: (1200, 900),
        body: Body::Heatmap {
            x_label: x_label.to_owned(),
            y_label: y_label.to_owned(),
            xs: xs.to_vec(),
            ys: ys.to_vec(),
            z: z.to_vec(),
            z_label: z_label.to_owned(),
        },
    }
}

/// Horizontal bar chart ranking `items` top to bottom in the order given
/// (the caller sorts them), with one bar per measure per item (e.g. Sobol
/// first-order and total indices; or Morris mu* alone) and its error bar.
///
/// Bars start at zero; the legend above the bars names the measures, and
/// the value axis is labelled `value_label`. Item labels are printed whole
/// to the left of the bars (shortened with "…" only beyond 40% of the
/// width).
pub fn ranking(title: &str, items: &[String], measures: &[Bars], value_label: &str) -> Chart {
    let m = measures.len().max(1) as u32;
    let row = (12 + 18 * m).clamp(34, 80);
    let height = (150 + row * items.len() as u32).max(320);
    Chart {
        title: title.to_owned(),
        note: None,
        size: (1200, height),
        body: Body::Ranking {
            items: items.to_vec(),
            measures: measures.to_vec(),
            value_label: value_label.to_owned(),
        },
    }
}

impl Chart {
    /// The same chart at another size in pixels (at least 480 x 320).
    ///
    /// Fonts keep their size, so a smaller chart has less room for data.
    pub fn with_size(mut self, width: u32, height: u32) -> Self {
        self.size = (width.max(480), height.max(320));
        self
    }

    /// Adds a line of small text under the chart, e.g. what error bars show.
    pub fn with_note(mut self, note: &str) -> Self {
        self.note = (!note.is_empty()).then(|| note.to_owned());
        self
    }

    /// Width and height in pixels.
    pub fn size(&self) -> (u32, u32) {
        self.size
    }

    /// Renders the chart as a PNG file at `path`, whose folder exists and
    /// whose name ends in `.png` (the encoder goes by the extension).
    pub fn write_png(&self, path: &Path) -> anyhow::Result<()> {
        register_embedded_font()?;
        let root = BitMapBackend::new(path, self.size).into_drawing_area();
        self.draw(&root)
            .and_then(|()| root.present().map_err(draw_error))
            .with_context(|| format!("drawing chart `{}` to {}", self.title, path.display()))
    }

    /// Renders the chart as an SVG document (`<svg ...>...</svg>`), to be
    /// written to a file or inlined in HTML.
    pub fn to_svg(&self) -> anyhow::Result<String> {
        register_embedded_font()?;
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, self.size).into_drawing_area();
            self.draw(&root)
                .and_then(|()| root.present().map_err(draw_error))
                .with_context(|| format!("drawing chart `{}` as SVG", self.title))?;
        }
        Ok(svg)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> anyhow::Result<()> {
        root.fill(&WHITE).map_err(draw_error)?;
        let (w, h) = root.dim_in_pixel();
        let (w, h) = (w as i32, h as i32);
        let mut top = 12;
        if !self.title.is_empty() {
            let title = fit_text(root, &self.title, TITLE_SIZE, w - 2 * SIDE)?;
            let style = font(TITLE_SIZE).pos(Pos::new(HPos::Center, VPos::Top));
            root.draw_text(&title, &style, (w / 2, top))
                .map_err(draw_error)?;
            top += TITLE_SIZE as i32 + 14;
        }
        let mut bottom = h - 6;
        if let Some(note) = &self.note {
            let note = fit_text(root, note, NOTE_SIZE, w - 2 * SIDE)?;
            let style = font(NOTE_SIZE)
                .color(&TEXT_GREY)
                .pos(Pos::new(HPos::Left, VPos::Bottom));
            root.draw_text(&note, &style, (SIDE, bottom))
                .map_err(draw_error)?;
            bottom -= NOTE_SIZE as i32 + 8;
        }
        let body = root.clone().shrink((0, top), (w, (bottom - top).max(1)));
        match &self.body {
            Body::Overlay {
                x_label,
                panels,
                band_caption,
            } => draw_overlay(&body, x_label, panels, band_caption),
            Body::Heatmap {
                x_label,
                y_label,
                xs,
                ys,
                z,
                z_label,
            } => draw_heatmap(&body, (x_label, y_label, z_label), xs, ys, z),
            Body::Ranking {
                items,
                measures,
                value_label,
            } => draw_ranking(&body, items, measures, value_label),
        }
    }
}

// ---------------------------------------------------------------------------
// Style

/// The Okabe–Ito palette, ordered for lines on white; its yellow is
/// darkened to show on white.
const PALETTE: [RGBColor; 8] = [
    RGBColor(0, 114, 178),   // blue
    RGBColor(213, 94, 0),    // vermillion
    RGBColor(0, 158, 115),   // bluish green
    RGBColor(204, 121, 167), // reddish purple
    RGBColor(230, 159, 0),   // orange
    RGBColor(86, 180, 233),  // sky blue
    RGBColor(0, 0, 0),       // black
    RGBColor(190, 165, 0),   // yellow, darkened
];
const TEXT_GREY: RGBColor = RGBColor(80, 80, 80);
const ERROR_BAR: RGBColor = RGBColor(40, 40, 40);
const MISSING: RGBColor = RGBColor(200, 200, 200);

// Font sizes as plotters takes them: both backends draw text at size / 1.24
// pixels per em, so the legend's 20 is 16 px and the ticks' 18 is 14.5 px.
const TITLE_SIZE: f64 = 32.0;
const CAPTION_SIZE: f64 = 24.0;
const AXIS_DESC_SIZE: f64 = 20.0;
const TICK_SIZE: f64 = 18.0;
const LEGEND_SIZE: f64 = 20.0;
const NOTE_SIZE: f64 = 18.0;
const CELL_TEXT_SIZE: f64 = 18.0;
const SIDE: i32 = 16;
const LEGEND_ROW: i32 = 30;
const SWATCH: i32 = 34;
const LINE_WIDTH: u32 = 3;
const BAND_ALPHA: f64 = 0.18;
/// Series with at most this many points also get a dot at each point.
const MARKER_MAX_POINTS: usize = 30;

/// Colour and dash of a series: the palette, repeated dashed beyond eight.
#[derive(Debug, Clone, Copy, PartialEq)]
struct LineStyle {
    color: RGBColor,
    dashed: bool,
}

fn line_style(index: usize) -> LineStyle {
    LineStyle {
        color: PALETTE[index % PALETTE.len()],
        dashed: (index / PALETTE.len()) % 2 == 1,
    }
}

/// Each distinct series label, in order of first appearance, with its style.
fn series_styles(panels: &[Panel]) -> Vec<(String, LineStyle)> {
    let mut labels: Vec<String> = Vec::new();
    for series in panels.iter().flat_map(|p| &p.series) {
        if !labels.contains(&series.label) {
            labels.push(series.label.clone());
        }
    }
    labels
        .into_iter()
        .enumerate()
        .map(|(i, label)| (label, line_style(i)))
        .collect()
}

fn style_of(styles: &[(String, LineStyle)], label: &str) -> LineStyle {
    styles
        .iter()
        .find(|(l, _)| l == label)
        .map_or(line_style(0), |(_, s)| *s)
}

/// The viridis colour scale at `t` in 0..=1.
fn viridis(t: f64) -> RGBColor {
    const STOPS: [(u8, u8, u8); 9] = [
        (68, 1, 84),
        (71, 44, 122),
        (59, 81, 139),
        (44, 113, 142),
        (33, 144, 141),
        (39, 173, 129),
        (92, 200, 99),
        (170, 220, 50),
        (253, 231, 37),
    ];
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.5
    };
    let pos = t * (STOPS.len() - 1) as f64;
    let i = (pos.floor() as usize).min(STOPS.len() - 2);
    let f = pos - i as f64;
    let mix = |a: u8, b: u8| (f64::from(a) + f * (f64::from(b) - f64::from(a))).round() as u8;
    let (a, b) = (STOPS[i], STOPS[i + 1]);
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// Black or white, whichever reads better on `bg`.
fn text_on(bg: RGBColor) -> RGBColor {
    let lum = 0.2126 * f64::from(bg.0) + 0.7152 * f64::from(bg.1) + 0.0722 * f64::from(bg.2);
    if lum < 140.0 { WHITE } else { BLACK }
}

// ---------------------------------------------------------------------------
// Helpers

fn draw_error(e: impl std::fmt::Display) -> anyhow::Error {
    anyhow!("chart drawing failed: {e}")
}

fn font(size: f64) -> TextStyle<'static> {
    (FONT, size).into_font().color(&BLACK)
}

fn text_width<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    size: f64,
) -> anyhow::Result<i32> {
    if text.is_empty() {
        return Ok(0);
    }
    let (w, _) = area
        .estimate_text_size(text, &font(size))
        .map_err(draw_error)?;
    Ok(w as i32)
}

/// `text`, shortened with "…" to at most `max_width` pixels.
fn fit_text<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    size: f64,
    max_width: i32,
) -> anyhow::Result<String> {
    if text_width(area, text, size)? <= max_width {
        return Ok(text.to_owned());
    }
    let chars: Vec<char> = text.chars().collect();
    // Binary search on the number of characters kept.
    let (mut lo, mut hi) = (0, chars.len());
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        let candidate: String = chars[..mid].iter().chain(['…'].iter()).collect();
        if text_width(area, &candidate, size)? <= max_width {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    Ok(chars[..lo].iter().chain(['…'].iter()).collect())
}

fn finite_bounds(values: impl IntoIterator<Item = f64>) -> Option<(f64, f64)> {
    values
        .into_iter()
        .filter(|v| v.is_finite())
        .fold(None, |acc, v| match acc {
            None => Some((v, v)),
            Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
        })
}

/// `lo..hi` widened by `frac` of the span on each side; a (nearly) constant
/// range is widened around its value so that it never has zero height.
///
/// Values beyond ±1e300 are clamped so that the span stays finite (plotters
/// cannot place ticks over an infinite span).
fn padded(lo: f64, hi: f64, frac: f64) -> (f64, f64) {
    const LIMIT: f64 = 1e300;
    let (lo, hi) = (lo.clamp(-LIMIT, LIMIT), hi.clamp(-LIMIT, LIMIT));
    let magnitude = lo.abs().max(hi.abs());
    let span = hi - lo;
    if span.is_nan() || span <= 1e-9 * magnitude {
        let half = if magnitude > 0.0 {
            0.1 * magnitude
        } else {
            1.0
        };
        let mid = lo + span / 2.0;
        return (mid - half, mid + half);
    }
    let (a, b) = (lo - frac * span, hi + frac * span);
    if a.is_finite() && b.is_finite() {
        (a, b)
    } else {
        (lo, hi)
    }
}

/// Columns of a grid of `n` panels.
fn grid_cols(n: usize) -> usize {
    match n {
        0 | 1 => 1,
        2..=4 => 2,
        _ => 3,
    }
}

use crate::output::plots::runs;

fn no_data<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>) -> anyhow::Result<()> {
    let (w, h) = area.dim_in_pixel();
    let style = font(CAPTION_SIZE)
        .color(&TEXT_GREY)
        .pos(Pos::new(HPos::Center, VPos::Center));
    area.draw_text("no data", &style, (w as i32 / 2, h as i32 / 2))
        .map_err(draw_error)
}

/// Pixels of the widest of `labels`.
fn widest<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    labels: impl IntoIterator<Item = String>,
    size: f64,
) -> anyhow::Result<i32> {
    labels
        .into_iter()
        .try_fold(0, |w, l| Ok(w.max(text_width(area, &l, size)?)))
}

// ---------------------------------------------------------------------------
// Legend

enum Swatch {
    Line(LineStyle),
    Band,
    Bar(RGBColor),
}

struct LegendEntry {
    swatch: Swatch,
    text: String,
}

/// Legend entries laid out in centred rows.
struct Legend {
    entries: Vec<LegendEntry>,
    /// (x, row) of each entry.
    places: Vec<(i32, i32)>,
    rows: i32,
}

impl Legend {
    /// Lays out `entries` left to right in rows at most `width` pixels
    /// wide, each row centred; an entry wider than a row is shortened.
    fn layout<DB: DrawingBackend>(
        area: &DrawingArea<DB, Shift>,
        mut entries: Vec<LegendEntry>,
        width: i32,
    ) -> anyhow::Result<Self> {
        const GAP: i32 = 28;
        let mut widths = Vec::with_capacity(entries.len());
        for entry in &mut entries {
            entry.text = fit_text(area, &entry.text, LEGEND_SIZE, width - SWATCH - 8)?;
            widths.push(SWATCH + 8 + text_width(area, &entry.text, LEGEND_SIZE)?);
        }
        // Rows of entry indices.
        let mut rows: Vec<Vec<usize>> = Vec::new();
        let mut used = 0;
        for (i, &w) in widths.iter().enumerate() {
            match rows.last_mut() {
                Some(row) if used + GAP + w <= width => {
                    row.push(i);
                    used += GAP + w;
                }
                _ => {
                    rows.push(vec![i]);
                    used = w;
                }
            }
        }
        let mut places = vec![(0, 0); entries.len()];
        for (r, row) in rows.iter().enumerate() {
            let total: i32 =
                row.iter().map(|&i| widths[i]).sum::<i32>() + GAP * (row.len() as i32 - 1);
            let mut x = (width - total) / 2;
            for &i in row {
                places[i] = (x, r as i32);
                x += widths[i] + GAP;
            }
        }
        Ok(Legend {
            entries,
            places,
            rows: rows.len() as i32,
        })
    }

    fn height(&self) -> i32 {
        if self.rows == 0 {
            0
        } else {
            self.rows * LEGEND_ROW + 10
        }
    }

    /// Draws the legend with its rows starting `left` pixels into `area`.
    fn draw<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        left: i32,
    ) -> anyhow::Result<()> {
        let style = font(LEGEND_SIZE).pos(Pos::new(HPos::Left, VPos::Center));
        for (entry, &(x, row)) in self.entries.iter().zip(&self.places) {
            let x = left + x;
            let y = row * LEGEND_ROW + LEGEND_ROW / 2;
            match entry.swatch {
                Swatch::Line(ls) if ls.dashed => (0..3).try_for_each(|i| {
                    let x0 = x + i * 13;
                    area.draw(&PathElement::new(
                        [(x0, y), (x0 + 8, y)],
                        ls.color.stroke_width(LINE_WIDTH + 1),
                    ))
                }),
                Swatch::Line(ls) => area.draw(&PathElement::new(
                    [(x, y), (x + SWATCH, y)],
                    ls.color.stroke_width(LINE_WIDTH + 1),
                )),
                Swatch::Band => area.draw(&Rectangle::new(
                    [(x, y - 8), (x + SWATCH, y + 8)],
                    BLACK.mix(0.22).filled(),
                )),
                Swatch::Bar(color) => area.draw(&Rectangle::new(
                    [(x + 4, y - 8), (x + SWATCH - 4, y + 8)],
                    color.filled(),
                )),
            }
            .map_err(draw_error)?;
            area.draw_text(&entry.text, &style, (x + SWATCH + 8, y))
                .map_err(draw_error)?;
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// Overlay

/// A series point sorted by x: (x, mean, lo, hi), NaN where missing.
type Point = (f64, f64, f64, f64);

fn points(series: &Series) -> Vec<Point> {
    let n = series.x.len().min(series.mean.len());
    let at = |v: &[f64], i: usize| v.get(i).copied().unwrap_or(f64::NAN);
    let mut pts: Vec<Point> = (0..n)
        .filter(|&i| series.x[i].is_finite())
        .map(|i| {
            let (lo, hi) = (at(&series.lo, i), at(&series.hi, i));
            // A band needs both bounds.
            let (lo, hi) = if lo.is_finite() && hi.is_finite() {
                (lo.min(hi), lo.max(hi))
            } else {
                (f64::NAN, f64::NAN)
            };
            (series.x[i], series.mean[i], lo, hi)
        })
        .collect();
    pts.sort_by(|a, b| a.0.total_cmp(&b.0));
    pts
}

fn has_band(series: &Series) -> bool {
    points(series).iter().any(|p| p.2.is_finite())
}

/// The x range shared by all panels: their points with some finite value.
fn overlay_x_range(panels: &[Panel]) -> Option<(f64, f64)> {
    let xs = panels
        .iter()
        .flat_map(|p| &p.series)
        .flat_map(points)
        .filter(|p| p.1.is_finite() || p.2.is_finite())
        .map(|p| p.0);
    let (lo, hi) = finite_bounds(xs)?;
    Some(padded(lo, hi, 0.02))
}

fn draw_overlay<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    x_label: &str,
    panels: &[Panel],
    band_caption: &str,
) -> anyhow::Result<()> {
    let (w, _) = area.dim_in_pixel();
    let styles = series_styles(panels);
    let mut entries: Vec<LegendEntry> = styles
        .iter()
        .map(|(label, style)| LegendEntry {
            swatch: Swatch::Line(*style),
            text: label.clone(),
        })
        .collect();
    if !band_caption.is_empty() && panels.iter().flat_map(|p| &p.series).any(has_band) {
        entries.push(LegendEntry {
            swatch: Swatch::Band,
            text: band_caption.to_owned(),
        });
    }
    let legend = Legend::layout(area, entries, w as i32 - 2 * SIDE)?;
    let (legend_area, grid) = area.split_vertically(legend.height());
    legend.draw(&legend_area, SIDE)?;

    if panels.is_empty() {
        return no_data(&grid);
    }
    let x_range = overlay_x_range(panels);
    let cols = grid_cols(panels.len());
    let cells = grid.split_evenly((panels.len().div_ceil(cols), cols));
    for (panel, cell) in panels.iter().zip(&cells) {
        draw_overlay_panel(&cell.margin(4, 6, 6, 10), panel, x_range, x_label, &styles)?;
    }
    Ok(())
}

type Chart2d<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

fn draw_overlay_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    panel: &Panel,
    x_range: Option<(f64, f64)>,
    x_label: &str,
    styles: &[(String, LineStyle)],
) -> anyhow::Result<()> {
    let (w, _) = area.dim_in_pixel();
    let area = if panel.title.is_empty() {
        area.clone()
    } else {
        let caption = fit_text(area, &panel.title, CAPTION_SIZE, w as i32 - 8)?;
        area.titled(&caption, font(CAPTION_SIZE))
            .map_err(draw_error)?
    };
    let lines: Vec<(LineStyle, Vec<Point>)> = panel
        .series
        .iter()
        .map(|s| (style_of(styles, &s.label), points(s)))
        .collect();
    let y_values = lines
        .iter()
        .flat_map(|(_, pts)| pts.iter().flat_map(|p| [p.1, p.2, p.3]));
    let (Some((x0, x1)), Some((lo, hi))) = (x_range, finite_bounds(y_values)) else {
        return no_data(&area);
    };
    let (y0, y1) = padded(lo, hi, 0.06);

    let (w, h) = area.dim_in_pixel();
    let (w, h) = (w as i32, h as i32);
    const Y_LABELS: usize = 7;
    const X_LABEL_AREA: i32 = 54;
    const MARGIN_RIGHT: i32 = 24;
    let ticks = RangedCoordf64::from(y0..y1).key_points(Y_LABELS);
    let tick_w = widest(&area, ticks.into_iter().map(axis_tick), TICK_SIZE)?;
    let y_label_area = tick_w + 20 + AXIS_DESC_SIZE as i32 + 12;
    let plot_w = (w - y_label_area - MARGIN_RIGHT - 4).max(1);
    let plot_h = (h - X_LABEL_AREA - 14).max(1);
    let x_desc = fit_text(&area, x_label, AXIS_DESC_SIZE, plot_w)?;
    let y_desc = fit_text(&area, &panel.y_label, AXIS_DESC_SIZE, plot_h)?;

    let mut chart = ChartBuilder::on(&area)
        .margin_top(10)
        .margin_right(MARGIN_RIGHT)
        .margin_left(4)
        .margin_bottom(4)
        .x_label_area_size(X_LABEL_AREA)
        .y_label_area_size(y_label_area)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(draw_error)?;
    chart
        .configure_mesh()
        .x_desc(x_desc)
        .y_desc(y_desc)
        .axis_desc_style(font(AXIS_DESC_SIZE))
        .label_style(font(TICK_SIZE))
        .x_labels((plot_w / 110).clamp(2, 10) as usize)
        .y_labels(Y_LABELS)
        .x_label_formatter(&|v| axis_tick(*v))
        .y_label_formatter(&|v| axis_tick(*v))
        .bold_line_style(BLACK.mix(0.12))
        .light_line_style(TRANSPARENT)
        .draw()
        .map_err(draw_error)?;

    // Every band before any line, so that no band covers a line.
    for (style, pts) in &lines {
        draw_band(&mut chart, *style, pts)?;
    }
    for (style, pts) in &lines {
        draw_line(&mut chart, *style, pts)?;
    }
    Ok(())
}

/// The shaded band where both bounds are known; an isolated point's band is
/// an error bar.
fn draw_band<DB: DrawingBackend>(
    chart: &mut Chart2d<'_, DB>,
    style: LineStyle,
    pts: &[Point],
) -> anyhow::Result<()> {
    for run in runs(pts.len(), |i| pts[i].2.is_finite()) {
        if run.len() == 1 {
            let (x, _, lo, hi) = pts[run.start];
            chart
                .draw_series(std::iter::once(PathElement::new(
                    [(x, lo), (x, hi)],
                    style.color.mix(0.6).stroke_width(2),
                )))
                .map_err(draw_error)?;
            continue;
        }
        let outline: Vec<(f64, f64)> = pts[run.clone()]
            .iter()
            .map(|p| (p.0, p.3))
            .chain(pts[run].iter().rev().map(|p| (p.0, p.2)))
            .collect();
        chart
            .draw_series(std::iter::once(Polygon::new(
                outline,
                style.color.mix(BAND_ALPHA).filled(),
            )))
            .map_err(draw_error)?;
    }
    Ok(())
}

/// The mean line, broken where a value is missing, with dots at the points
/// of a short series and at isolated points.
fn draw_line<DB: DrawingBackend>(
    chart: &mut Chart2d<'_, DB>,
    style: LineStyle,
    pts: &[Point],
) -> anyhow::Result<()> {
    let stroke = style.color.stroke_width(LINE_WIDTH);
    let dots = pts.len() <= MARKER_MAX_POINTS;
    for run in runs(pts.len(), |i| pts[i].1.is_finite()) {
        let xy = pts[run.clone()].iter().map(|p| (p.0, p.1));
        if run.len() > 1 {
            if style.dashed {
                chart.draw_series(DashedLineSeries::new(xy.clone(), 10, 6, stroke))
            } else {
                chart.draw_series(LineSeries::new(xy.clone(), stroke))
            }
            .map_err(draw_error)?;
        }
        if dots || run.len() == 1 {
            chart
                .draw_series(xy.map(|p| Circle::new(p, 4, style.color.filled())))
                .map_err(draw_error)?;
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Heat map

/// The largest grid whose values are printed in the cells.
const MAX_LABELLED_CELLS: usize = 12;

fn draw_heatmap<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    (x_label, y_label, z_label): (&str, &str, &str),
    xs: &[f64],
    ys: &[f64],
    z: &[Vec<f64>],
) -> anyhow::Result<()> {
    let (nx, ny) = (xs.len(), ys.len());
    if z.len() != ny {
        bail!("heat map has {ny} y values but {} rows of z", z.len());
    }
    if let Some((iy, row)) = z.iter().enumerate().find(|(_, r)| r.len() != nx) {
        bail!(
            "heat map has {nx} x values but row {iy} of z has {} values",
            row.len()
        );
    }
    if nx == 0 || ny == 0 {
        return no_data(area);
    }
    let (w, h) = area.dim_in_pixel();
    let (w, h) = (w as i32, h as i32);
    let bounds = finite_bounds(z.iter().flatten().copied());
    let any_missing = z.iter().flatten().any(|v| !v.is_finite());

    // Colour bar labels: maximum, middle and minimum.
    let bar_values: Vec<f64> = match bounds {
        Some((lo, hi)) if hi > lo => vec![hi, (lo + hi) / 2.0, lo],
        Some((lo, _)) => vec![lo],
        None => Vec::new(),
    };
    let bar_labels: Vec<String> = bar_values.iter().map(|&v| significant(v, 3)).collect();
    let bar_label_w = widest(area, bar_labels.iter().cloned(), TICK_SIZE)?;
    const BAR_GAP: i32 = 28;
    const BAR_W: i32 = 24;
    let missing_w = if any_missing {
        BAR_W + 10 + text_width(area, "no value", TICK_SIZE)?
    } else {
        0
    };
    let right_w =
        BAR_GAP + (BAR_W + 10 + bar_label_w + 14 + AXIS_DESC_SIZE as i32).max(missing_w) + SIDE;

    let x_ticks: Vec<String> = xs.iter().map(|&v| significant(v, 4)).collect();
    let y_ticks: Vec<String> = ys.iter().map(|&v| significant(v, 4)).collect();
    let y_tick_w = widest(area, y_ticks.iter().cloned(), TICK_SIZE)?;
    let x_tick_w = widest(area, x_ticks.iter().cloned(), TICK_SIZE)?;
    let left_w = SIDE + AXIS_DESC_SIZE as i32 + 14 + y_tick_w + 10;
    let bottom_h = 10 + TICK_SIZE as i32 + 14 + AXIS_DESC_SIZE as i32 + 12;
    let (px0, px1) = (left_w, (w - right_w).max(left_w + 1));
    let (py0, py1) = (10, (h - bottom_h).max(11));
    let cx = |i: usize| px0 + ((px1 - px0) as f64 * i as f64 / nx as f64).round() as i32;
    let cy = |i: usize| py1 - ((py1 - py0) as f64 * i as f64 / ny as f64).round() as i32;
    let cell_w = f64::from(px1 - px0) / nx as f64;
    let cell_h = f64::from(py1 - py0) / ny as f64;
    let gaps = cell_w >= 40.0 && cell_h >= 40.0;

    // Cells.
    let color_of = |v: f64| match bounds {
        _ if !v.is_finite() => MISSING,
        Some((lo, hi)) if hi > lo => viridis((v - lo) / (hi - lo)),
        _ => viridis(0.5),
    };
    let print_values = nx <= MAX_LABELLED_CELLS && ny <= MAX_LABELLED_CELLS;
    let value_size = (cell_h * 0.4).clamp(10.0, CELL_TEXT_SIZE);
    for (iy, row) in z.iter().enumerate() {
        for (ix, &v) in row.iter().enumerate() {
            let (x0, x1) = (cx(ix), cx(ix + 1));
            let (y0, y1) = (cy(iy + 1), cy(iy));
            let color = color_of(v);
            let inset = i32::from(gaps);
            area.draw(&Rectangle::new(
                [(x0 + inset, y0 + inset), (x1 - inset, y1 - inset)],
                color.filled(),
            ))
            .map_err(draw_error)?;
            if print_values && v.is_finite() {
                let text = significant(v, 3);
                let fits = text_width(area, &text, value_size)? <= (x1 - x0) - 6
                    && value_size <= f64::from(y1 - y0) - 4.0;
                if fits {
                    let ink = text_on(color);
                    let style = font(value_size)
                        .color(&ink)
                        .pos(Pos::new(HPos::Center, VPos::Center));
                    area.draw_text(&text, &style, ((x0 + x1) / 2, (y0 + y1) / 2))
                        .map_err(draw_error)?;
                }
            }
        }
    }
    area.draw(&Rectangle::new(
        [(px0, py0), (px1, py1)],
        BLACK.stroke_width(1),
    ))
    .map_err(draw_error)?;

    // Axis ticks: every cell's value, thinned out where they would overlap.
    let tick_style = font(TICK_SIZE);
    let x_step = ((f64::from(x_tick_w + 12) / cell_w).ceil() as usize).max(1);
    for (ix, label) in x_ticks.iter().enumerate().step_by(x_step) {
        let x = (cx(ix) + cx(ix + 1)) / 2;
        area.draw(&PathElement::new(
            [(x, py1), (x, py1 + 5)],
            BLACK.stroke_width(1),
        ))
        .map_err(draw_error)?;
        let style = tick_style.pos(Pos::new(HPos::Center, VPos::Top));
        area.draw_text(label, &style, (x, py1 + 8))
            .map_err(draw_error)?;
    }
    let y_step = ((f64::from(TICK_SIZE as i32 + 6) / cell_h).ceil() as usize).max(1);
    for (iy, label) in y_ticks.iter().enumerate().step_by(y_step) {
        let y = (cy(iy) + cy(iy + 1)) / 2;
        area.draw(&PathElement::new(
            [(px0 - 5, y), (px0, y)],
            BLACK.stroke_width(1),
        ))
        .map_err(draw_error)?;
        let style = tick_style.pos(Pos::new(HPos::Right, VPos::Center));
        area.draw_text(label, &style, (px0 - 8, y))
            .map_err(draw_error)?;
    }

    // Axis descriptions.
    let x_desc = fit_text(area, x_label, AXIS_DESC_SIZE, px1 - px0)?;
    let style = font(AXIS_DESC_SIZE).pos(Pos::new(HPos::Center, VPos::Bottom));
    area.draw_text(&x_desc, &style, ((px0 + px1) / 2, h - 6))
        .map_err(draw_error)?;
    let y_desc = fit_text(area, y_label, AXIS_DESC_SIZE, py1 - py0)?;
    let style = font(AXIS_DESC_SIZE)
        .transform(FontTransform::Rotate270)
        .pos(Pos::new(HPos::Center, VPos::Top));
    area.draw_text(&y_desc, &style, (SIDE, (py0 + py1) / 2))
        .map_err(draw_error)?;

    // Colour bar, as tall as the grid, at most 420 pixels.
    let bar_x = px1 + BAR_GAP;
    let bar_h = (py1 - py0).min(420);
    let (by0, by1) = (py0 + (py1 - py0 - bar_h) / 2, py0 + (py1 - py0 + bar_h) / 2);
    if bounds.is_some() {
        const STEPS: i32 = 64;
        for s in 0..STEPS {
            let t = (f64::from(s) + 0.5) / f64::from(STEPS);
            let color = if bar_values.len() > 1 {
                viridis(t)
            } else {
                viridis(0.5)
            };
            let ya = by1 - (f64::from(by1 - by0) * f64::from(s) / f64::from(STEPS)).round() as i32;
            let yb =
                by1 - (f64::from(by1 - by0) * f64::from(s + 1) / f64::from(STEPS)).round() as i32;
            area.draw(&Rectangle::new(
                [(bar_x, yb), (bar_x + BAR_W, ya + 1)],
                color.filled(),
            ))
            .map_err(draw_error)?;
        }
        area.draw(&Rectangle::new(
            [(bar_x, by0), (bar_x + BAR_W, by1)],
            BLACK.stroke_width(1),
        ))
        .map_err(draw_error)?;
        let style = font(TICK_SIZE).pos(Pos::new(HPos::Left, VPos::Center));
        let n = bar_labels.len();
        for (k, label) in bar_labels.iter().enumerate() {
            let y = if n > 1 {
                by0 + (by1 - by0) * k as i32 / (n as i32 - 1)
            } else {
                (by0 + by1) / 2
            };
            area.draw(&PathElement::new(
                [(bar_x + BAR_W, y), (bar_x + BAR_W + 5, y)],
                BLACK.stroke_width(1),
            ))
            .map_err(draw_error)?;
            area.draw_text(label, &style, (bar_x + BAR_W + 10, y))
                .map_err(draw_error)?;
        }
        let z_desc = fit_text(area, z_label, AXIS_DESC_SIZE, by1 - by0)?;
        let style = font(AXIS_DESC_SIZE)
            .transform(FontTransform::Rotate90)
            .pos(Pos::new(HPos::Center, VPos::Top));
        area.draw_text(
            &z_desc,
            &style,
            (
                bar_x + BAR_W + 10 + bar_label_w + 14 + AXIS_DESC_SIZE as i32,
                (by0 + by1) / 2,
            ),
        )
        .map_err(draw_error)?;
    }
    if any_missing {
        let y = (by1 + 26).min(h - 12);
        area.draw(&Rectangle::new(
            [(bar_x, y - 9), (bar_x + BAR_W, y + 9)],
            MISSING.filled(),
        ))
        .map_err(draw_error)?;
        let style = font(TICK_SIZE).pos(Pos::new(HPos::Left, VPos::Center));
        area.draw_text("no value", &style, (bar_x + BAR_W + 10, y))
            .map_err(draw_error)?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Ranking

fn draw_ranking<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    items: &[String],
    measures: &[Bars],
    value_label: &str,
) -> anyhow::Result<()> {
    let (w, _) = area.dim_in_pixel();
    let w = w as i32;
    let entries = measures
        .iter()
        .enumerate()
        .map(|(j, m)| LegendEntry {
            swatch: Swatch::Bar(PALETTE[j % PALETTE.len()]),
            text: m.label.clone(),
        })
        .collect();
    let legend = Legend::layout(area, entries, w - 2 * SIDE)?;
    let (legend_area, body) = area.split_vertically(legend.height());
    legend.draw(&legend_area, SIDE)?;

    let at = |v: &[f64], i: usize| v.get(i).copied().unwrap_or(f64::NAN);
    let values = measures.iter().flat_map(|m| {
        (0..items.len()).flat_map(move |i| {
            let (lo, hi) = (at(&m.lo, i), at(&m.hi, i));
            let bar = if lo.is_finite() && hi.is_finite() {
                [lo, hi]
            } else {
                [f64::NAN; 2]
            };
            [at(&m.values, i), bar[0], bar[1]]
        })
    });
    let (Some((lo, hi)), false) = (finite_bounds(values), items.is_empty()) else {
        return no_data(&body);
    };
    // Bars start at zero, so zero is always in range and stays at an edge
    // when all values have the same sign.
    let (lo, hi) = (lo.min(0.0), hi.max(0.0));
    let (x0, x1) = padded(lo, hi, 0.05);
    let (x0, x1) = (
        if lo == 0.0 && x1 > 0.0 { 0.0 } else { x0 },
        if hi == 0.0 && x0 < 0.0 { 0.0 } else { x1 },
    );

    let (bw, bh) = body.dim_in_pixel();
    let (bw, bh) = (bw as i32, bh as i32);
    const X_LABEL_AREA: i32 = 54;
    let label_w = widest(&body, items.iter().cloned(), TICK_SIZE)?;
    let y_label_area = (label_w + 20).min(bw * 2 / 5);
    let n = items.len();
    let plot_h = (bh - X_LABEL_AREA - 14).max(1);
    let row_h = f64::from(plot_h) / n as f64;
    let label_size = (row_h * 0.8).clamp(9.0, TICK_SIZE);
    let plot_w = (bw - y_label_area - 40).max(1);
    let x_desc = fit_text(&body, value_label, AXIS_DESC_SIZE, plot_w)?;

    let mut chart = ChartBuilder::on(&body)
        .margin_top(10)
        .margin_right(36)
        .margin_left(4)
        .margin_bottom(4)
        .x_label_area_size(X_LABEL_AREA)
        .y_label_area_size(y_label_area)
        .build_cartesian_2d(x0..x1, 0.0..n as f64)
        .map_err(draw_error)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(0)
        .x_desc(x_desc)
        .axis_desc_style(font(AXIS_DESC_SIZE))
        .label_style(font(TICK_SIZE))
        .x_labels((plot_w / 110).clamp(2, 10) as usize)
        .x_label_formatter(&|v| axis_tick(*v))
        .bold_line_style(BLACK.mix(0.12))
        .light_line_style(TRANSPARENT)
        .draw()
        .map_err(draw_error)?;

    // Alternate rows shaded, so that a label is easily matched to its bars.
    if n > 3 {
        chart
            .draw_series((0..n).filter(|i| i % 2 == 1).map(|i| {
                let top = (n - i) as f64;
                Rectangle::new([(x0, top), (x1, top - 1.0)], BLACK.mix(0.04).filled())
            }))
            .map_err(draw_error)?;
    }
    if x0 < 0.0 {
        chart
            .draw_series(std::iter::once(PathElement::new(
                [(0.0, 0.0), (0.0, n as f64)],
                BLACK.mix(0.6).stroke_width(1),
            )))
            .map_err(draw_error)?;
    }

    let m = measures.len().max(1) as f64;
    let slot = 0.8 / m;
    for (j, measure) in measures.iter().enumerate() {
        let color = PALETTE[j % PALETTE.len()];
        for i in 0..n {
            let top = (n - i) as f64 - 0.1 - slot * j as f64;
            let (y_top, y_bot) = (top - 0.08 * slot, top - 0.92 * slot);
            let y_mid = (y_top + y_bot) / 2.0;
            let v = at(&measure.values, i);
            if v.is_finite() {
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(v.min(0.0), y_top), (v.max(0.0), y_bot)],
                        color.filled(),
                    )))
                    .map_err(draw_error)?;
            }
            let (lo, hi) = (at(&measure.lo, i), at(&measure.hi, i));
            if lo.is_finite() && hi.is_finite() {
                let cap = 0.25 * slot;
                let style = ERROR_BAR.stroke_width(2);
                chart
                    .draw_series([
                        PathElement::new([(lo, y_mid), (hi, y_mid)], style),
                        PathElement::new([(lo, y_mid - cap), (lo, y_mid + cap)], style),
                        PathElement::new([(hi, y_mid - cap), (hi, y_mid + cap)], style),
                    ])
                    .map_err(draw_error)?;
            }
        }
    }

    // Item labels, right-aligned beside the axis.
    let (base_x, base_y) = body.get_base_pixel();
    let label_step = ((f64::from(label_size as i32 + 2) / row_h).ceil() as usize).max(1);
    let style = font(label_size).pos(Pos::new(HPos::Right, VPos::Center));
    for (i, item) in items.iter().enumerate().step_by(label_step) {
        let (px, py) = chart.backend_coord(&(x0, (n - i) as f64 - 0.5));
        let text = fit_text(&body, item, label_size, y_label_area - 14)?;
        body.draw_text(&text, &style, (px - base_x - 8, py - base_y))
            .map_err(draw_error)?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Tests

#[cfg(test)]
mod tests {
    use super::*;

    fn years() -> Vec<f64> {
        (0..=40).map(f64::from).collect()
    }

    fn wave(base: f64, slope: f64, phase: f64) -> Vec<f64> {
        years()
            .iter()
            .map(|&t| base + slope * t + (t * 0.4 + phase).sin())
            .collect()
    }

    fn banded(label: &str, mean: Vec<f64>, half: f64) -> Series {
        Series {
            label: label.into(),
            x: years(),
            lo: mean.iter().map(|m| m - half).collect(),
            hi: mean.iter().map(|m| m + half).collect(),
            mean,
        }
    }

    fn comparison() -> Chart {
        let metric = |title: &str, unit: &str, base: f64| Panel {
            title: title.into(),
            y_label: unit.into(),
            series: vec![
                banded("baseline", wave(base, 0.05, 0.0), 0.8),
                banded("fixed tenure", wave(base + 2.0, 0.08, 1.0), 0.6),
                banded(
                    "politics.interference = 0.8",
                    wave(base - 1.5, 0.02, 2.0),
                    1.0,
                ),
            ],
        };
        overlay(
            "Scenario comparison",
            "year",
            &[
                metric("Competence at grade", "score 0–10", 5.0),
                metric("Corruption prevalence", "share of officers, %", 30.0),
                metric("Service-delivery efficiency", "index 0–100", 50.0),
                metric("Time in current post", "months", 20.0),
            ],
            "bands: 95% confidence interval of the mean",
        )
    }

    fn grid_heatmap(nx: usize, ny: usize) -> Chart {
        let xs: Vec<f64> = (0..nx).map(|i| 0.1 * i as f64).collect();
        let ys: Vec<f64> = (0..ny).map(|i| 12.0 + 6.0 * i as f64).collect();
        let z: Vec<Vec<f64>> = ys
            .iter()
            .map(|&y| xs.iter().map(|&x| 30.0 - 20.0 * x + 0.2 * y).collect())
            .collect();
        heatmap(
            "Corruption by interference and tenure",
            "politics.interference",
            "tenure.nominal_months",
            &xs,
            &ys,
            &z,
            "corruption prevalence, %",
        )
    }

    fn sobol() -> Chart {
        let items: Vec<String> = [
            "politics.interference",
            "pay.real_wage_index",
            "tenure.nominal_months",
            "accountability.detection_rate",
            "recruitment.merit_share",
        ]
        .map(String::from)
        .to_vec();
        ranking(
            "Sensitivity of corruption prevalence",
            &items,
            &[
                Bars {
                    label: "first-order index S1".into(),
                    values: vec![0.42, 0.21, 0.12, 0.05, -0.01],
                    lo: vec![0.35, 0.15, 0.08, 0.01, -0.05],
                    hi: vec![0.49, 0.27, 0.16, 0.09, 0.03],
                },
                Bars {
                    label: "total index ST".into(),
                    values: vec![0.55, 0.30, 0.15, 0.07, 0.02],
                    lo: vec![0.47, 0.24, 0.10, 0.03, 0.0],
                    hi: vec![0.63, 0.36, 0.20, 0.11, 0.04],
                },
            ],
            "Sobol index",
        )
    }

    /// Renders `chart` both ways, checks both outputs and returns the SVG.
    fn check(chart: &Chart, texts: &[&str]) -> String {
        let dir = tempfile::tempdir().unwrap();
        let png = dir.path().join("chart.png");
        chart.write_png(&png).unwrap();
        let bytes = std::fs::read(&png).unwrap();
        assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"));
        assert!(bytes.len() > 5_000, "PNG only {} bytes", bytes.len());
        let svg = chart.to_svg().unwrap();
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
        for text in texts {
            assert!(svg.contains(text), "SVG lacks `{text}`");
        }
        assert!(!svg.contains("href"), "SVG refers to another file");
        svg
    }

    #[test]
    fn overlay_renders_png_and_svg_with_title_and_legend() {
        let svg = check(
            &comparison(),
            &[
                "Scenario comparison",
                "baseline",
                "fixed tenure",
                "politics.interference = 0.8",
                "bands: 95% confidence interval of the mean",
                "Corruption prevalence",
                "share of officers, %",
                "year",
            ],
        );
        // Each legend label appears once, however many panels show it.
        assert_eq!(svg.matches(">\nfixed tenure\n<").count(), 1);
    }

    #[test]
    fn heatmap_renders_png_and_svg_with_values_in_small_grids() {
        let svg = check(
            &grid_heatmap(5, 4),
            &[
                "Corruption by interference and tenure",
                "politics.interference",
                "tenure.nominal_months",
                "corruption prevalence, %",
            ],
        );
        // Cell (x = 0, y = 12) holds 30 - 0 + 2.4 = 32.4; cell (0, 30) holds
        // the maximum, 36, also printed on the colour bar.
        assert_eq!(svg.matches(">\n32.4\n<").count(), 1);
        assert_eq!(svg.matches(">\n36\n<").count(), 2);
        // A large grid prints no values in cells, only min, middle and max on the bar.
        let big = check(&grid_heatmap(30, 20), &["corruption prevalence, %"]);
        assert!(!big.contains(">\n31.3\n<"));
    }

    #[test]
    fn ranking_renders_png_and_svg_with_items_and_measures() {
        check(
            &sobol(),
            &[
                "Sensitivity of corruption prevalence",
                "politics.interference",
                "accountability.detection_rate",
                "first-order index S1",
                "total index ST",
                "Sobol index",
            ],
        );
        let morris = ranking(
            "Morris screening",
            &["a".into(), "b".into()],
            &[Bars {
                label: "mu*".into(),
                values: vec![3.0, 1.0],
                lo: Vec::new(),
                hi: Vec::new(),
            }],
            "mu* (months)",
        )
        .with_note("error bars: 95% bootstrap interval");
        check(&morris, &["mu*", "error bars: 95% bootstrap interval"]);
    }

    #[test]
    fn colours_are_consistent_across_panels() {
        let line = |label: &str| Series::line(label, vec![0.0, 1.0], vec![1.0, 2.0]);
        let panels = [
            Panel {
                title: "one".into(),
                y_label: "u".into(),
                series: vec![line("A"), line("B")],
            },
            Panel {
                title: "two".into(),
                y_label: "u".into(),
                series: vec![line("C"), line("B")],
            },
            Panel {
                title: "three".into(),
                y_label: "u".into(),
                series: vec![line("B"), line("A"), line("C")],
            },
        ];
        let styles = series_styles(&panels);
        assert_eq!(
            styles.iter().map(|(l, _)| l.as_str()).collect::<Vec<_>>(),
            ["A", "B", "C"]
        );
        let (a, b, c) = (line_style(0), line_style(1), line_style(2));
        assert!(a != b && b != c && a != c);
        for panel in &panels {
            for s in &panel.series {
                let expected = match s.label.as_str() {
                    "A" => a,
                    "B" => b,
                    _ => c,
                };
                assert_eq!(style_of(&styles, &s.label), expected);
            }
        }
        // The SVG draws B's lines in B's colour in every panel: one line per
        // panel plus the legend swatch.
        let svg = overlay("t", "x", &panels, "").to_svg().unwrap();
        let RGBColor(r, g, b_) = b.color;
        let hex = format!("#{r:02X}{g:02X}{b_:02X}");
        assert!(svg.matches(&hex).count() >= 4, "{hex}");
    }

    #[test]
    fn palette_cycles_with_dashes_beyond_eight() {
        assert!(!line_style(7).dashed);
        assert!(line_style(8).dashed && line_style(8).color == line_style(0).color);
        assert!(!line_style(16).dashed);
        let series: Vec<Series> = (0..11)
            .map(|i| Series::line(format!("s{i}"), vec![0.0, 1.0], vec![0.0, f64::from(i)]))
            .collect();
        let chart = overlay(
            "Many",
            "x",
            &[Panel {
                title: String::new(),
                y_label: "y".into(),
                series,
            }],
            "",
        );
        check(&chart, &["s0", "s10"]);
    }

    #[test]
    fn awkward_inputs_do_not_panic() {
        let nan = f64::NAN;
        let panel = |series: Vec<Series>| Panel {
            title: "p".into(),
            y_label: "y".into(),
            series,
        };
        let cases = [
            // NaNs in x, mean and band; a single point; a constant series.
            vec![panel(vec![
                Series {
                    label: "gappy".into(),
                    x: vec![0.0, 1.0, nan, 3.0, 4.0, 5.0],
                    mean: vec![1.0, nan, 2.0, 3.0, nan, 5.0],
                    lo: vec![0.5, 0.5, nan, 2.0, 3.0, nan],
                    hi: vec![1.5, 1.5, 2.0, nan, 4.0, 6.0],
                },
                Series::line("single", vec![2.0], vec![7.0]),
                Series::line("constant", vec![0.0, 5.0], vec![3.0, 3.0]),
            ])],
            vec![panel(vec![Series::line("one point", vec![1.0], vec![1.0])])],
            vec![panel(vec![Series::line(
                "zero",
                vec![0.0, 0.0],
                vec![0.0, 0.0],
            )])],
            vec![panel(vec![Series::line(
                "all nan",
                vec![nan, 1.0],
                vec![1.0, nan],
            )])],
            vec![panel(vec![Series::line(
                "ragged",
                vec![0.0, 1.0, 2.0],
                vec![1.0],
            )])],
            vec![panel(vec![Series::line(
                "tiny",
                vec![0.0, 1.0],
                vec![1e9, 1e9 + 1e-7],
            )])],
            vec![panel(vec![Series::line(
                "huge",
                vec![0.0, 1.0],
                vec![-1e308, 1e308],
            )])],
            vec![panel(vec![Series::line(
                "subnormal",
                vec![0.0, 1e-320],
                vec![1e-320, 3e-320],
            )])],
            vec![panel(vec![Series::line(
                "inf",
                vec![0.0, 1.0],
                vec![f64::INFINITY, 1.0],
            )])],
            vec![panel(Vec::new())],
            Vec::new(),
        ];
        for panels in &cases {
            let chart = overlay("Awkward", "x", panels, "bands: something");
            chart.to_svg().unwrap();
        }
        // A folder that does not exist is an error.
        let chart = overlay("t", "x", &cases[0], "");
        assert!(
            chart
                .write_png(Path::new("/nonexistent/folder/c.png"))
                .is_err()
        );
        // Empty inputs render as valid charts reading "no data".
        let empty = overlay("Empty", "x", &[], "");
        assert!(check(&empty, &["no data"]).contains("Empty"));
        let svg = heatmap("H", "x", "y", &[], &[], &[], "z").to_svg().unwrap();
        assert!(svg.contains("no data"));
        let svg = ranking("R", &[], &[], "v").to_svg().unwrap();
        assert!(svg.contains("no data"));
        let svg = ranking("R", &["a".into()], &[], "v").to_svg().unwrap();
        assert!(svg.contains("no data"));

        // Heat maps: NaN cells, a constant grid, all missing, one cell.
        let svg = heatmap(
            "H",
            "x",
            "y",
            &[1.0, 2.0],
            &[1.0, 2.0],
            &[vec![1.0, nan], vec![nan, 4.0]],
            "z",
        )
        .to_svg()
        .unwrap();
        assert!(svg.contains("no value") && svg.contains("#C8C8C8"));
        for z in [vec![vec![2.0, 2.0]], vec![vec![nan, nan]]] {
            heatmap("H", "x", "y", &[1.0, 2.0], &[1.0], &z, "z")
                .to_svg()
                .unwrap();
        }
        heatmap("H", "x", "y", &[1.0], &[1.0], &[vec![5.0]], "z")
            .to_svg()
            .unwrap();
        // A mis-shaped z is an error, not a panic.
        assert!(
            heatmap("H", "x", "y", &[1.0, 2.0], &[1.0], &[vec![1.0]], "z")
                .to_svg()
                .is_err()
        );
        assert!(
            heatmap("H", "x", "y", &[1.0], &[1.0, 2.0], &[vec![1.0]], "z")
                .to_svg()
                .is_err()
        );

        // Rankings: NaN values and bounds, short vectors, all negative, zeros.
        let bars = |values: Vec<f64>, lo: Vec<f64>, hi: Vec<f64>| Bars {
            label: "m".into(),
            values,
            lo,
            hi,
        };
        let items: Vec<String> = vec!["a".into(), "b".into(), "c".into()];
        for measures in [
            vec![bars(
                vec![nan, 1.0, 2.0],
                vec![nan, 0.5],
                vec![1.0, nan, 3.0],
            )],
            vec![bars(vec![-1.0, -2.0, -3.0], Vec::new(), Vec::new())],
            vec![bars(vec![0.0; 3], vec![0.0; 3], vec![0.0; 3])],
            vec![bars(vec![nan; 3], Vec::new(), Vec::new())],
            vec![bars(vec![1e308, -1e308, 0.0], Vec::new(), Vec::new())],
            vec![bars(Vec::new(), Vec::new(), Vec::new())],
        ] {
            ranking("R", &items, &measures, "v").to_svg().unwrap();
        }
        // Very long labels and a tiny size.
        let long = vec!["a".repeat(300), "politics.interference".into()];
        let chart = ranking(
            &"long title ".repeat(40),
            &long,
            &[bars(vec![1.0, 2.0], Vec::new(), Vec::new())],
            &"v".repeat(500),
        )
        .with_size(10, 10);
        assert_eq!(chart.size(), (480, 320));
        let svg = chart.to_svg().unwrap();
        assert!(svg.contains("politics.interference") && svg.contains('…'));
    }

    #[test]
    fn ranges_never_collapse() {
        assert_eq!(padded(3.0, 3.0, 0.1), (2.7, 3.3));
        assert_eq!(padded(0.0, 0.0, 0.1), (-1.0, 1.0));
        let (a, b) = padded(0.0, 10.0, 0.1);
        assert!((a + 1.0).abs() < 1e-12 && (b - 11.0).abs() < 1e-12);
        let (a, b) = padded(1e9, 1e9 + 1e-7, 0.1);
        assert!(b - a > 1.0);
    }

    /// Writes sample charts to /tmp/chart_samples (PNG, and SVG for
    /// comparison) for a look:
    /// `cargo test --release --lib output::chart -- --ignored`.
    #[test]
    #[ignore]
    fn render_samples() {
        let dir = std::path::PathBuf::from("/tmp/chart_samples");
        std::fs::create_dir_all(&dir).unwrap();
        let save = |chart: Chart, name: &str| {
            chart.write_png(&dir.join(format!("{name}.png"))).unwrap();
            std::fs::write(dir.join(format!("{name}.svg")), chart.to_svg().unwrap()).unwrap();
        };
        save(comparison(), "overlay_2x2");
        let sweep_x: Vec<f64> = (0..=8).map(|i| 0.1 * f64::from(i)).collect();
        let sweep = |title: &str, unit: &str, f: &dyn Fn(f64) -> f64| Panel {
            title: title.into(),
            y_label: unit.into(),
            series: vec![Series {
                label: "mean over replicates".into(),
                x: sweep_x.clone(),
                mean: sweep_x.iter().map(|&x| f(x)).collect(),
                lo: sweep_x.iter().map(|&x| f(x) - 1.0 - x).collect(),
                hi: sweep_x.iter().map(|&x| f(x) + 1.0 + x).collect(),
            }],
        };
        let sweep_chart = overlay(
            "Sweep of politics.interference",
            "politics.interference",
            &[
                sweep("Corruption prevalence", "share of officers, %", &|x| {
                    20.0 + 25.0 * x
                }),
                sweep("Efficiency", "index 0–100", &|x| 60.0 - 15.0 * x * x),
            ],
            "bands: 95% confidence interval of the mean",
        );
        save(sweep_chart, "overlay_sweep");
        let mut gappy = comparison();
        if let Body::Overlay { panels, .. } = &mut gappy.body {
            panels.truncate(1);
            panels[0].series[0].mean[10] = f64::NAN;
            panels[0].series[1].lo[20] = f64::NAN;
            panels[0]
                .series
                .push(Series::line("constant", years(), vec![6.0; years().len()]));
        }
        save(gappy.with_size(1200, 730), "overlay_single");
        save(grid_heatmap(6, 5), "heatmap_small");
        let mut big = grid_heatmap(30, 20);
        if let Body::Heatmap { z, .. } = &mut big.body {
            z[3][4] = f64::NAN;
            z[10][20] = f64::NAN;
        }
        save(big, "heatmap_large");
        save(
            sobol().with_note("error bars: 95% bootstrap confidence interval"),
            "ranking_sobol",
        );
        let items: Vec<String> = (0..14)
            .map(|i| format!("module{i}.parameter_with_a_long_name_{i}"))
            .collect();
        let morris = ranking(
            "Morris screening of efficiency",
            &items,
            &[Bars {
                label: "mu* (mean absolute elementary effect)".into(),
                values: (0..14).map(|i| 10.0 / (1.0 + f64::from(i))).collect(),
                lo: Vec::new(),
                hi: Vec::new(),
            }],
            "mu*, index points",
        );
        save(morris, "ranking_morris");
        // Nine series: the ninth repeats the first colour, dashed.
        let many: Vec<Series> = (0..9)
            .map(|i| {
                let i = f64::from(i);
                Series::line(format!("scenario {i}"), years(), wave(i, 0.05 * i, i))
            })
            .collect();
        let many = overlay(
            "Nine scenarios",
            "year",
            &[Panel {
                title: "Competence at grade".into(),
                y_label: "score 0–10".into(),
                series: many,
            }],
            "",
        );
        save(many, "overlay_nine");
        // Gaps, a lone point, a constant line and an empty panel.
        let nan = f64::NAN;
        let awkward = overlay(
            "Awkward inputs",
            "year",
            &[
                Panel {
                    title: "Gaps, a lone point and a constant".into(),
                    y_label: "value".into(),
                    series: vec![
                        Series {
                            label: "gappy".into(),
                            x: vec![0.0, 1.0, nan, 3.0, 4.0, 5.0, 6.0],
                            mean: vec![1.0, nan, 2.0, 3.0, nan, 5.0, 5.5],
                            lo: vec![0.5, 0.5, nan, 2.0, 3.0, nan, 5.0],
                            hi: vec![1.5, 1.5, 2.0, nan, 4.0, 6.0, 6.0],
                        },
                        Series::line("single", vec![2.0], vec![7.0]),
                        Series::line("constant", vec![0.0, 6.0], vec![3.0, 3.0]),
                    ],
                },
                Panel {
                    title: "Nothing to show".into(),
                    y_label: "value".into(),
                    series: Vec::new(),
                },
            ],
            "bands: min–max",
        );
        save(awkward, "overlay_awkward");
        let long = vec![
            "an.extremely.long.parameter.name.that.goes.on.and.on.and.on.forever".into(),
            "politics.interference".into(),
        ];
        let tiny = ranking(
            "A small ranking with a long title that has to be shortened to fit",
            &long,
            &[Bars {
                label: "S1".into(),
                values: vec![0.5, 0.2],
                lo: vec![0.4, 0.1],
                hi: vec![0.6, 0.3],
            }],
            "Sobol index",
        )
        .with_size(480, 320);
        save(tiny, "ranking_tiny");
    }
}
