//! Markers over an overlay: a dashed horizontal reference that may step
//! (a policy in force), dashed vertical event lines (reforms) labelled
//! above the plot, the labels stacked in up to three rows and left out if
//! they would still overlap, and light dotted lines at election years,
//! unlabelled (a legend entry and a note explain them).

use std::borrow::Cow;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::axes::Chart2d;
use super::style::{ELECTION_COLOR, EVENT_COLOR, REFERENCE_COLOR, draw_error, font};

const EVENT_LABEL_SIZE: f64 = 14.0;
const MAX_EVENT_LABEL_ROWS: usize = 3;
/// Pixels a row of event labels takes above the plot.
pub(crate) const EVENT_ROW_HEIGHT: i32 = EVENT_LABEL_SIZE as i32 + 4;

/// Events inside the x range, with their labels laid out in rows above the
/// plot.
pub(crate) struct Events<'a> {
    /// (x, label, label width in pixels, row counted upwards from the
    /// plot or `None` when the label would overlap others and is left out).
    pub(crate) marks: Vec<(f64, Cow<'a, str>, i32, Option<i32>)>,
    /// Rows of labels used.
    pub(crate) rows: i32,
}

impl<'a> Events<'a> {
    /// Lays out the labels of `events` (x, label) over an x axis spanning
    /// `x0..x1` drawn `plot_width` pixels wide from `plot_left` pixels into
    /// `area` (an estimate made before the chart is built).
    pub(crate) fn layout<DB: DrawingBackend>(
        area: &DrawingArea<DB, Shift>,
        events: &'a [(f64, String)],
        (x0, x1): (f64, f64),
        (plot_left, plot_width): (f64, f64),
    ) -> anyhow::Result<Self> {
        let mut inside: Vec<(f64, &str)> = events
            .iter()
            .filter(|(x, _)| x.is_finite() && (x0..=x1).contains(x))
            .map(|(x, label)| (*x, label.as_str()))
            .collect();
        inside.sort_by(|a, b| a.0.total_cmp(&b.0));

        let style = font(EVENT_LABEL_SIZE);
        let width = area.dim_in_pixel().0 as i32;
        let mut labels = Vec::with_capacity(inside.len());
        let mut boxes = Vec::with_capacity(inside.len());
        for (x, label) in &inside {
            // A label wider than its panel is shortened to fit, with an
            // ellipsis: centred, it ran into the panels beside it (a
            // planner's audit, comparison.png).
            let fit = width - 4;
            let text_width = |t: &str| -> anyhow::Result<i32> {
                Ok(area.estimate_text_size(t, &style).map_err(draw_error)?.0 as i32)
            };
            let mut label: Cow<str> = Cow::Borrowed(label);
            let mut w = text_width(&label)?;
            if w > fit {
                let chars: Vec<char> = label.chars().collect();
                let mut keep = chars.len();
                while keep > 1 && w > fit {
                    keep -= 1;
                    let cut: String = chars[..keep].iter().collect();
                    label = Cow::Owned(format!("{}…", cut.trim_end()));
                    w = text_width(&label)?;
                }
            }
            // Where the label is drawn: centred over its line, but kept
            // inside the panel (`draw_event_labels`), so its neighbours are
            // judged where it will be.
            let cx = (plot_left + (x - x0) / (x1 - x0) * plot_width).round() as i32;
            let (min, max) = (w / 2 + 2, width - w / 2 - 2);
            let cx = if min <= max {
                cx.clamp(min, max)
            } else {
                width / 2
            };
            boxes.push((cx, w));
            labels.push(label);
        }
        let (rows, n_rows) = stagger(&boxes, MAX_EVENT_LABEL_ROWS);
        let marks = inside
            .into_iter()
            .zip(labels)
            .zip(boxes.iter().zip(rows))
            .map(|(((x, _), label), (&(_, w), row))| (x, label, w, row))
            .collect();
        Ok(Events {
            marks,
            rows: n_rows,
        })
    }
}

/// Assigns each label (centre x in pixels, width) the lowest of at most
/// `max_rows` rows in which it does not overlap a label already placed, or
/// `None` if it fits in none; returns the rows and the row count used.
fn stagger(labels: &[(i32, i32)], max_rows: usize) -> (Vec<Option<i32>>, i32) {
    let mut row_ends: Vec<i32> = Vec::new();
    let rows = labels
        .iter()
        .map(|&(cx, w)| {
            let start = cx - w / 2;
            let row = match row_ends.iter().position(|&end| end + 8 <= start) {
                Some(r) => r,
                None if row_ends.len() < max_rows => {
                    row_ends.push(i32::MIN);
                    row_ends.len() - 1
                }
                None => return None,
            };
            row_ends[row] = start + w;
            Some(row as i32)
        })
        .collect();
    (rows, row_ends.len() as i32)
}

/// The dashed reference line: `values` one per period, period k drawn at
/// x = k. Steps: the value observed at a period's end was in force through
/// that period, so a change shows from the period's start (where an event's
/// line is). Only the corners are drawn: a flat line is two points.
pub(crate) fn draw_reference<DB: DrawingBackend>(
    chart: &mut Chart2d<'_, DB>,
    values: &[f64],
) -> anyhow::Result<()> {
    let x = chart.x_range();
    let mut points: Vec<(f64, f64)> = Vec::new();
    for (k, &v) in values.iter().enumerate().filter(|(_, v)| v.is_finite()) {
        match points.last() {
            None => points.push((x.start, v)),
            Some(&(_, last)) if last != v => {
                points.push((k as f64 - 1.0, last));
                points.push((k as f64 - 1.0, v));
            }
            Some(_) => {}
        }
    }
    if let Some(&(_, last)) = points.last() {
        points.push((x.end, last));
    }
    chart
        .draw_series(DashedLineSeries::new(
            points,
            10,
            6,
            REFERENCE_COLOR.stroke_width(2),
        ))
        .map_err(draw_error)?;
    Ok(())
}

/// A dashed vertical line at each event, the plot's full height.
pub(crate) fn draw_event_lines<DB: DrawingBackend>(
    chart: &mut Chart2d<'_, DB>,
    events: &Events<'_>,
) -> anyhow::Result<()> {
    let y = chart.y_range();
    for &(x, ..) in &events.marks {
        chart
            .draw_series(DashedLineSeries::new(
                [(x, y.end), (x, y.start)],
                8,
                5,
                EVENT_COLOR.stroke_width(2),
            ))
            .map_err(draw_error)?;
    }
    Ok(())
}

/// The election years inside the chart's x range, in order, each once.
pub(crate) fn elections_inside(years: &[f64], (x0, x1): (f64, f64)) -> Vec<f64> {
    let mut inside: Vec<f64> = years
        .iter()
        .copied()
        .filter(|x| x.is_finite() && (x0..=x1).contains(x))
        .collect();
    inside.sort_by(f64::total_cmp);
    inside.dedup();
    inside
}

/// A light dotted vertical line at each election year, the plot's full
/// height.
pub(crate) fn draw_election_lines<DB: DrawingBackend>(
    chart: &mut Chart2d<'_, DB>,
    years: &[f64],
) -> anyhow::Result<()> {
    let (x, y) = (chart.x_range(), chart.y_range());
    // A panel squeezed to no height has no line to dash (plotters' dashes
    // along a degenerate line do not end).
    let (_, py) = chart.plotting_area().get_pixel_range();
    if py.end - py.start < 2 {
        return Ok(());
    }
    for &e in &elections_inside(years, (x.start, x.end)) {
        chart
            .draw_series(DashedLineSeries::new(
                [(e, y.end), (e, y.start)],
                ELECTION_DOT.0,
                ELECTION_DOT.1,
                ELECTION_COLOR.stroke_width(ELECTION_DOT.2),
            ))
            .map_err(draw_error)?;
    }
    Ok(())
}

/// The election lines' dots: dash and gap in pixels, and width.
const ELECTION_DOT: (u32, u32, u32) = (3, 4, 2);

/// The legend swatch of election lines: dotted as the lines are (it was
/// the dashed swatch of reforms, in grey).
pub(crate) const ELECTION_SWATCH: super::legend::Swatch = super::legend::Swatch::Dotted(
    ELECTION_COLOR,
    ELECTION_DOT.0 as i32,
    ELECTION_DOT.1 as i32,
    ELECTION_DOT.2,
);

/// The note under a time plot that marks election years, in two lines:
/// what the lines are, and what a change of government does (why the lines
/// dip after one). `changed` is (changes of government, elections) over all
/// runs drawn (every replicate of every arm), when known.
pub(crate) fn election_note(changed: Option<(usize, usize)>) -> [String; 2] {
    let share = match changed {
        Some((c, n)) if n > 0 => {
            format!(" (the government changed at {c} of {n} elections over the runs drawn)")
        }
        _ => String::new(),
    };
    [
        format!("Dotted grey lines: election years{share}."),
        "A new government reshuffles officers (political transfers jump), so officers restart their ramp-up in new posts: efficiency and time in post dip over the following year.".to_owned(),
    ]
}

/// Event labels, centred above their lines (kept inside `area`).
pub(crate) fn draw_event_labels<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &Chart2d<'_, DB>,
    events: &Events<'_>,
) -> anyhow::Result<()> {
    let style = font(EVENT_LABEL_SIZE)
        .color(&EVENT_COLOR)
        .pos(Pos::new(HPos::Center, VPos::Bottom));
    let (base_x, base_y) = area.get_base_pixel();
    let width = area.dim_in_pixel().0 as i32;
    let top = chart.y_range().end;
    let plot_top = chart.backend_coord(&(chart.x_range().start, top)).1 - base_y;
    for (x, label, w, row) in &events.marks {
        let (x, w) = (*x, *w);
        let Some(row) = *row else { continue };
        let cx = chart.backend_coord(&(x, top)).0 - base_x;
        let (min, max) = (w / 2 + 2, width - w / 2 - 2);
        let cx = if min <= max {
            cx.clamp(min, max)
        } else {
            width / 2
        };
        let y = plot_top - 3 - row * EVENT_ROW_HEIGHT;
        area.draw_text(label.as_ref(), &style, (cx, y))
            .map_err(draw_error)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stagger_moves_overlapping_labels_up_or_drops_them() {
        let (rows, n) = stagger(&[(100, 60), (120, 60), (300, 60)], 3);
        assert_eq!(rows, vec![Some(0), Some(1), Some(0)]);
        assert_eq!(n, 2);
        let (rows, n) = stagger(&[(100, 60), (101, 60), (102, 60), (200, 60)], 2);
        assert_eq!(rows, vec![Some(0), Some(1), None, Some(0)]);
        assert_eq!(n, 2);
    }

    /// A label wider than its panel is shortened to fit, and labels are
    /// staggered where they are drawn, kept inside the panel: two near the
    /// right edge that the clamp would overlap take two rows.
    #[test]
    fn labels_fit_their_panel_and_are_staggered_where_drawn() {
        super::super::style::register_embedded_font().unwrap();
        let mut svg = String::new();
        let area = SVGBackend::with_string(&mut svg, (300, 200)).into_drawing_area();
        let long =
            "a one-year nominal tenure for every officer in every grade, with rotation enforced";
        let events = vec![(5.0, long.to_string())];
        let e = Events::layout(&area, &events, (0.0, 10.0), (40.0, 250.0)).unwrap();
        let (_, label, w, row) = &e.marks[0];
        assert!(label.ends_with('…') && label.len() < long.len(), "{label}");
        assert!(*w <= 296 && row.is_some(), "{w}");
        // Lines at 174 and 290 px, labels about 100 px wide: centred on
        // their lines they would not overlap (one ends at about 224, the
        // other starts at about 240), but the second, kept inside the
        // 300 px panel, is drawn from about 196, over the first: two rows.
        // (Were the font to make them narrow enough to stay apart even so,
        // one row would be right, and `drawn_apart` says so.)
        let events = vec![(6.0, "x".repeat(16)), (10.0, "y".repeat(16))];
        let e = Events::layout(&area, &events, (0.0, 10.0), (0.0, 290.0)).unwrap();
        let rows: Vec<Option<i32>> = e.marks.iter().map(|m| m.3).collect();
        let (w0, w1) = (e.marks[0].2, e.marks[1].2);
        let drawn_apart = 174 + w0 / 2 + 8 <= 298 - w1;
        assert!(
            drawn_apart || rows == vec![Some(0), Some(1)],
            "{rows:?}, widths {w0} {w1}"
        );
    }
}
