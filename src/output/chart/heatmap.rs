//! Heat maps: a value over a two-parameter grid, coloured on the viridis
//! scale and explained by a colour bar.

use anyhow::bail;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::axes::{finite_bounds, no_data};
use super::style::{
    AXIS_DESC_SIZE, CELL_TEXT_SIZE, MISSING, SIDE, TICK_SIZE, draw_error, fit_text, font,
    text_width, widest,
};
use crate::output::number::significant;

/// The largest grid whose values are printed in the cells.
const MAX_LABELLED_CELLS: usize = 12;

pub(super) fn draw_heatmap<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    (x_label, y_label, z_label): (&str, &str, &str),
    (xs, ys): (&[f64], &[f64]),
    z: &[Vec<f64>],
    (x_names, y_names): &(Option<Vec<String>>, Option<Vec<String>>),
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

    // A cell's tick: its name when the axis's values are names.
    let ticks = |values: &[f64], names: &Option<Vec<String>>| -> Vec<String> {
        match names {
            Some(n) if n.len() == values.len() => n.clone(),
            _ => values.iter().map(|&v| significant(v, 4)).collect(),
        }
    };
    let x_ticks = ticks(xs, x_names);
    let y_ticks = ticks(ys, y_names);
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
