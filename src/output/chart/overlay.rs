//! Overlays: lines (a mean over a shaded band) compared in a grid of
//! panels, one colour per series label across all panels and one shared
//! legend; and the band and line drawing that run figures use too.

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use super::axes::{Axes, Chart2d, draw_axes, finite_bounds, grid_cols, no_data, padded, runs};
use super::legend::{CHART_LEGEND, Legend, LegendEntry, Swatch};
use super::markers::{
    ELECTION_SWATCH, EVENT_ROW_HEIGHT, Events, draw_election_lines, draw_event_labels,
    draw_event_lines, elections_inside,
};
use super::scale::{YRule, cut_label, y_range};
use super::style::EVENT_COLOR;
use super::style::{
    AXIS_DESC_SIZE, BAND_ALPHA, BAND_EDGE_ALPHA, CAPTION_SIZE, LINE_WIDTH, LineStyle,
    MARKER_MAX_POINTS, SIDE, TICK_SIZE, draw_error, fit_text, font, line_style, widest,
};
use crate::output::number::axis_tick;

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

/// One panel of an [`overlay`](fn@super::overlay): a metric, with the series to compare.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Panel {
    pub title: String,
    /// y axis label, with units (e.g. "share of officers, %").
    pub y_label: String,
    pub series: Vec<Series>,
}

/// What an overlay over years marks on every panel: reforms (dashed,
/// labelled above the plot) and election years (light, dotted).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TimeMarks {
    /// (year, label) of each reform.
    pub reforms: Vec<(f64, String)>,
    pub elections: Vec<f64>,
}

/// Each distinct series label, in order of first appearance, with its style.
pub(super) fn series_styles(panels: &[Panel]) -> Vec<(String, LineStyle)> {
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

pub(super) fn style_of(styles: &[(String, LineStyle)], label: &str) -> LineStyle {
    styles
        .iter()
        .find(|(l, _)| l == label)
        .map_or(line_style(0), |(_, s)| *s)
}

/// A series point sorted by x: (x, mean, lo, hi), NaN where missing.
pub(crate) type Point = (f64, f64, f64, f64);

pub(crate) fn points(series: &Series) -> Vec<Point> {
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

pub(super) fn draw_overlay<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    x_label: &str,
    panels: &[Panel],
    band_caption: &str,
    marks: &TimeMarks,
    x_names: Option<&[String]>,
) -> anyhow::Result<()> {
    let (w, h) = area.dim_in_pixel();
    let styles = series_styles(panels);
    // The series' entries, the first `shown` of them; the last one shown
    // says how many more there are.
    let series_entries = |shown: usize| -> Vec<LegendEntry> {
        let mut e: Vec<LegendEntry> = styles[..shown]
            .iter()
            .map(|(label, style)| LegendEntry {
                swatch: Swatch::Line(*style),
                text: label.clone(),
            })
            .collect();
        if let Some(last) = e.last_mut().filter(|_| shown < styles.len()) {
            last.text.push_str(&format!(
                " … and {} more, not named here",
                styles.len() - shown
            ));
        }
        e
    };
    // The entries after the series': the band, reforms, elections.
    let mut others: Vec<LegendEntry> = Vec::new();
    if !band_caption.is_empty() && panels.iter().flat_map(|p| &p.series).any(has_band) {
        let colors: Vec<RGBColor> = styles.iter().map(|(_, s)| s.color).collect();
        others.push(LegendEntry {
            swatch: Swatch::band_for(&colors),
            text: band_caption.to_owned(),
        });
    }
    let x_range = overlay_x_range(panels);
    let inside = |x: f64| x_range.is_some_and(|(a, b)| x.is_finite() && (a..=b).contains(&x));
    if marks.reforms.iter().any(|(x, _)| inside(*x)) {
        others.push(LegendEntry {
            swatch: Swatch::Line(LineStyle {
                color: EVENT_COLOR,
                dashed: true,
            }),
            text: "reform".to_owned(),
        });
    }
    if marks.elections.iter().any(|&x| inside(x)) {
        others.push(LegendEntry {
            swatch: ELECTION_SWATCH,
            text: "election year (see note below)".to_owned(),
        });
    }
    // A legend of many series (a comparison of dozens of options, long
    // titles) would leave the panels no height: it keeps to half the
    // figure by naming fewer series.
    let mut shown = styles.len();
    let legend = loop {
        let mut e = series_entries(shown);
        e.extend(others.iter().cloned());
        let legend = Legend::layout(area, e, w as i32 - 2 * SIDE, &CHART_LEGEND)?;
        if legend.height() <= h as i32 / 2 || shown <= 1 {
            break legend;
        }
        shown = (shown * 2 / 3).max(1);
    };
    let (legend_area, grid) = area.split_vertically(legend.height());
    legend.draw(&legend_area, SIDE)?;

    if panels.is_empty() {
        return no_data(&grid);
    }
    let cols = grid_cols(panels.len());
    let cells = grid.split_evenly((panels.len().div_ceil(cols), cols));
    for (panel, cell) in panels.iter().zip(&cells) {
        let area = cell.margin(4, 6, 6, 10);
        let x = XAxis {
            range: x_range,
            label: x_label,
            names: x_names,
        };
        draw_overlay_panel(&area, panel, &x, &styles, marks)?;
    }
    Ok(())
}

/// The x axis every panel of an overlay shares.
struct XAxis<'a> {
    range: Option<(f64, f64)>,
    label: &'a str,
    /// Names of the x values, a text parameter's numbered 0, 1, ...
    names: Option<&'a [String]>,
}

fn draw_overlay_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    panel: &Panel,
    x: &XAxis<'_>,
    styles: &[(String, LineStyle)],
    marks: &TimeMarks,
) -> anyhow::Result<()> {
    let (x_range, x_label, x_names) = (x.range, x.label, x.names);
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
    // Every panel's y axis follows its unit: an amount from zero, a cut
    // bounded score marked as such, anything else (densities, distances,
    // differences) its data's range.
    let ((y0, y1), cut) = y_range(YRule::of_unit(&panel.y_label), lo, hi);

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
    let y_label = match cut {
        Some(bottom) => cut_label(&panel.y_label, bottom, &axis_tick),
        None => panel.y_label.clone(),
    };
    let y_desc = fit_text(&area, &y_label, AXIS_DESC_SIZE, plot_h)?;
    let events = Events::layout(
        &area,
        &marks.reforms,
        (x0, x1),
        (f64::from(4 + y_label_area), f64::from(plot_w)),
    )?;
    let elections = elections_inside(&marks.elections, (x0, x1));

    let name_tick = |v: f64| -> String {
        let k = v.round();
        match x_names {
            Some(n) if (v - k).abs() < 1e-6 && k >= 0.0 && (k as usize) < n.len() => {
                n[k as usize].clone()
            }
            _ => String::new(),
        }
    };
    let mut chart = ChartBuilder::on(&area)
        .margin_top(10 + events.rows * EVENT_ROW_HEIGHT)
        .margin_right(MARGIN_RIGHT)
        .margin_left(4)
        .margin_bottom(4)
        .x_label_area_size(X_LABEL_AREA)
        .y_label_area_size(y_label_area)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(draw_error)?;
    draw_axes(
        &mut chart,
        &Axes {
            x_desc,
            y: Some((y_desc, Y_LABELS)),
            // Names at their whole numbers, one tick each; none between.
            x_labels: x_names.map_or((plot_w / 110).clamp(2, 10) as usize, |n| n.len().max(2)),
            tick: &axis_tick,
            x_tick: x_names
                .is_some()
                .then_some(&name_tick as &dyn Fn(f64) -> String),
            desc_size: AXIS_DESC_SIZE,
            tick_size: TICK_SIZE,
        },
    )?;

    // Every band before any line, so that no band covers a line.
    for (style, pts) in &lines {
        draw_band(&mut chart, *style, pts)?;
    }
    draw_election_lines(&mut chart, &elections)?;
    draw_event_lines(&mut chart, &events)?;
    for (style, pts) in &lines {
        draw_line(&mut chart, LineLook::of(*style, pts.len()), pts)?;
    }
    draw_event_labels(&area, &chart, &events)
}

/// The shaded band where both bounds are known; an isolated point's band is
/// an error bar.
pub(crate) fn draw_band<DB: DrawingBackend>(
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
            .chain(pts[run.clone()].iter().rev().map(|p| (p.0, p.2)))
            .collect();
        chart
            .draw_series(std::iter::once(Polygon::new(
                outline,
                style.color.mix(BAND_ALPHA).filled(),
            )))
            .map_err(draw_error)?;
        // Thin edges in the series' colour keep overlapping bands apart.
        let edge = style.color.mix(BAND_EDGE_ALPHA).stroke_width(1);
        for bound in [2, 3] {
            let xy = pts[run.clone()]
                .iter()
                .map(|p| (p.0, if bound == 2 { p.2 } else { p.3 }));
            chart
                .draw_series(std::iter::once(PathElement::new(
                    xy.collect::<Vec<_>>(),
                    edge,
                )))
                .map_err(draw_error)?;
        }
    }
    Ok(())
}

/// How a mean line is drawn.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LineLook {
    pub(crate) style: LineStyle,
    pub(crate) width: u32,
    /// A dot at every point (isolated points always get one).
    pub(crate) dots: bool,
}

impl LineLook {
    /// The experiment charts' line: dots at the points of a short series.
    fn of(style: LineStyle, points: usize) -> Self {
        LineLook {
            style,
            width: LINE_WIDTH,
            dots: points <= MARKER_MAX_POINTS,
        }
    }
}

/// The mean line, broken where a value is missing, with dots at the points
/// when `look` asks for them and at isolated points.
pub(crate) fn draw_line<DB: DrawingBackend>(
    chart: &mut Chart2d<'_, DB>,
    look: LineLook,
    pts: &[Point],
) -> anyhow::Result<()> {
    let (style, dots) = (look.style, look.dots);
    let stroke = style.color.stroke_width(look.width);
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
