//! Axes: data ranges, the tick mesh, and the runs of drawable points.

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::style::{CAPTION_SIZE, TEXT_GREY, draw_error, font};

/// A chart with two numeric axes, as every chart here draws.
pub(crate) type Chart2d<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// What the tick mesh of a chart shows.
pub(crate) struct Axes<'a> {
    pub(crate) x_desc: String,
    /// The y description and the number of y ticks; `None` for no y ticks
    /// and no horizontal grid lines (bars label their own rows).
    pub(crate) y: Option<(String, usize)>,
    pub(crate) x_labels: usize,
    /// Tick text of a value.
    pub(crate) tick: &'a dyn Fn(f64) -> String,
    /// Tick text of an x value, when it is not `tick`'s (names of a text
    /// parameter's values, numbered 0, 1, ... along the axis).
    pub(crate) x_tick: Option<&'a dyn Fn(f64) -> String>,
    pub(crate) desc_size: f64,
    pub(crate) tick_size: f64,
}

/// Draws the mesh: faint grid lines at the ticks, tick labels and axis
/// descriptions.
pub(crate) fn draw_axes<DB: DrawingBackend>(
    chart: &mut Chart2d<'_, DB>,
    axes: &Axes<'_>,
) -> anyhow::Result<()> {
    let tick = |v: &f64| (axes.tick)(*v);
    let x_tick = |v: &f64| axes.x_tick.unwrap_or(axes.tick)(*v);
    let mut mesh = chart.configure_mesh();
    mesh.x_desc(axes.x_desc.as_str())
        .axis_desc_style(font(axes.desc_size))
        .label_style(font(axes.tick_size))
        .x_labels(axes.x_labels)
        .x_label_formatter(&x_tick)
        .bold_line_style(BLACK.mix(0.12))
        .light_line_style(TRANSPARENT);
    match &axes.y {
        Some((desc, n)) => {
            mesh.y_desc(desc.as_str())
                .y_labels(*n)
                .y_label_formatter(&tick);
        }
        None => {
            mesh.disable_y_mesh().y_labels(0);
        }
    }
    mesh.draw().map_err(draw_error)
}

/// Smallest and largest finite value, if any.
pub(crate) fn finite_bounds(values: impl IntoIterator<Item = f64>) -> Option<(f64, f64)> {
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
pub(crate) fn padded(lo: f64, hi: f64, frac: f64) -> (f64, f64) {
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
pub(crate) fn grid_cols(n: usize) -> usize {
    match n {
        0 | 1 => 1,
        2..=4 => 2,
        _ => 3,
    }
}

/// Runs of consecutive indices where `ok` holds.
pub(crate) fn runs(n: usize, ok: impl Fn(usize) -> bool) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut start = None;
    for i in 0..=n {
        match (i < n && ok(i), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push(s..i);
                start = None;
            }
            _ => {}
        }
    }
    out
}

/// "no data", centred in `area`.
pub(crate) fn no_data<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>) -> anyhow::Result<()> {
    let (w, h) = area.dim_in_pixel();
    let style = font(CAPTION_SIZE)
        .color(&TEXT_GREY)
        .pos(Pos::new(HPos::Center, VPos::Center));
    area.draw_text("no data", &style, (w as i32 / 2, h as i32 / 2))
        .map_err(draw_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_never_collapse() {
        assert_eq!(padded(3.0, 3.0, 0.1), (2.7, 3.3));
        assert_eq!(padded(0.0, 0.0, 0.1), (-1.0, 1.0));
        let (a, b) = padded(0.0, 10.0, 0.1);
        assert!((a + 1.0).abs() < 1e-12 && (b - 11.0).abs() < 1e-12);
        let (a, b) = padded(1e9, 1e9 + 1e-7, 0.1);
        assert!(b - a > 1.0);
    }

    #[test]
    fn runs_split_at_missing_values() {
        let ok = [true, true, false, true, false, false, true];
        assert_eq!(runs(ok.len(), |i| ok[i]), vec![0..2, 3..4, 6..7]);
        assert!(runs(0, |_| true).is_empty());
    }
}
