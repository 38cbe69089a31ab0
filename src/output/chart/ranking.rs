//! Rankings: horizontal bars ranking items (e.g. parameters by Sobol index
//! or Morris mu*), one or more measures per item, with error bars.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::axes::{Axes, draw_axes, finite_bounds, no_data, padded};
use super::legend::{CHART_LEGEND, Legend, LegendEntry, Swatch};
use super::style::{
    AXIS_DESC_SIZE, ERROR_BAR, PALETTE, SIDE, TICK_SIZE, draw_error, fit_text, font, widest,
};
use crate::output::number::axis_tick;

/// One measure of a [`ranking`](fn@super::ranking): a value per item, and optionally an error
/// bar per item (`lo`/`hi` empty, shorter than the items, or NaN: no bar).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Bars {
    pub label: String,
    pub values: Vec<f64>,
    pub lo: Vec<f64>,
    pub hi: Vec<f64>,
}

pub(super) fn draw_ranking<DB: DrawingBackend>(
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
    let legend = Legend::layout(area, entries, w - 2 * SIDE, &CHART_LEGEND)?;
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
    draw_axes(
        &mut chart,
        &Axes {
            x_desc,
            y: None,
            x_labels: (plot_w / 110).clamp(2, 10) as usize,
            tick: &axis_tick,
            x_tick: None,
            desc_size: AXIS_DESC_SIZE,
            tick_size: TICK_SIZE,
        },
    )?;

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
