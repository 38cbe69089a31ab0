//! The one legend: entries (a swatch and its text) laid out left to right
//! in rows, wrapped at a width, each row centred or flush left.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::style::{
    BAND_ALPHA, BAND_EDGE_ALPHA, LINE_WIDTH, LineStyle, draw_error, fit_text, font, text_width,
};

/// A legend entry's symbol.
#[derive(Clone, Copy)]
pub(crate) enum Swatch {
    /// A series' line (dashed when its style is).
    Line(LineStyle),
    /// A shaded band: in its series' colour when the legend has one
    /// series, else neutral grey (one swatch for every series' band).
    Band(Option<RGBColor>),
    /// A bar's colour.
    Bar(RGBColor),
    /// A dotted line, drawn as the plot draws it: (colour, dash, gap,
    /// width) in pixels.
    Dotted(RGBColor, i32, i32, u32),
}

impl Swatch {
    /// The band swatch of a legend whose series have these colours: the
    /// colour of a lone series, grey for several.
    pub(crate) fn band_for(colors: &[RGBColor]) -> Swatch {
        match colors {
            [only] => Swatch::Band(Some(*only)),
            _ => Swatch::Band(None),
        }
    }
}

#[derive(Clone)]
pub(crate) struct LegendEntry {
    pub(crate) swatch: Swatch,
    pub(crate) text: String,
}

/// The sizes of a legend: text, rows, swatches and gaps, in pixels.
pub(crate) struct LegendLook {
    pub(crate) text_size: f64,
    pub(crate) row: i32,
    /// Extra pixels under the last row.
    pub(crate) pad: i32,
    /// Pixels from a row's top to its middle, beyond half a row.
    pub(crate) nudge: i32,
    pub(crate) swatch: i32,
    /// Between a swatch and its text.
    pub(crate) text_gap: i32,
    /// Between one entry and the next.
    pub(crate) entry_gap: i32,
    /// Rows centred (else flush left).
    pub(crate) centred: bool,
    pub(crate) line_width: u32,
    /// Dashed swatches: three dashes of this length, at this step, this wide.
    pub(crate) dash: (i32, i32, u32),
    /// Half the height of a band or bar swatch.
    pub(crate) half_height: i32,
}

/// The legend of experiment charts: above the chart, rows centred.
pub(crate) const CHART_LEGEND: LegendLook = LegendLook {
    text_size: 20.0,
    row: 30,
    pad: 10,
    nudge: 0,
    swatch: 34,
    text_gap: 8,
    entry_gap: 28,
    centred: true,
    line_width: LINE_WIDTH + 1,
    dash: (8, 13, LINE_WIDTH + 1),
    half_height: 8,
};

/// Legend entries laid out in rows.
pub(crate) struct Legend<'a> {
    look: &'a LegendLook,
    entries: Vec<LegendEntry>,
    /// (x, row) of each entry.
    places: Vec<(i32, i32)>,
    rows: i32,
}

impl<'a> Legend<'a> {
    /// Lays out `entries` left to right in rows at most `width` pixels
    /// wide; an entry wider than a row is shortened.
    pub(crate) fn layout<DB: DrawingBackend>(
        area: &DrawingArea<DB, Shift>,
        mut entries: Vec<LegendEntry>,
        width: i32,
        look: &'a LegendLook,
    ) -> anyhow::Result<Self> {
        let (size, gap) = (look.text_size, look.entry_gap);
        let lead = look.swatch + look.text_gap;
        let mut widths = Vec::with_capacity(entries.len());
        for entry in &mut entries {
            entry.text = fit_text(area, &entry.text, size, width - lead)?;
            widths.push(lead + text_width(area, &entry.text, size)?);
        }
        // Rows of entry indices.
        let mut rows: Vec<Vec<usize>> = Vec::new();
        let mut used = 0;
        for (i, &w) in widths.iter().enumerate() {
            match rows.last_mut() {
                Some(row) if used + gap + w <= width => {
                    row.push(i);
                    used += gap + w;
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
                row.iter().map(|&i| widths[i]).sum::<i32>() + gap * (row.len() as i32 - 1);
            let mut x = if look.centred { (width - total) / 2 } else { 0 };
            for &i in row {
                places[i] = (x, r as i32);
                x += widths[i] + gap;
            }
        }
        Ok(Legend {
            look,
            entries,
            places,
            rows: rows.len() as i32,
        })
    }

    /// Pixels the legend takes, top to bottom.
    pub(crate) fn height(&self) -> i32 {
        if self.rows == 0 {
            0
        } else {
            self.rows * self.look.row + self.look.pad
        }
    }

    /// Draws the legend with its rows starting `left` pixels into `area`.
    pub(crate) fn draw<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        left: i32,
    ) -> anyhow::Result<()> {
        let look = self.look;
        let (sw, half) = (look.swatch, look.half_height);
        let style = font(look.text_size).pos(Pos::new(HPos::Left, VPos::Center));
        for (entry, &(x, row)) in self.entries.iter().zip(&self.places) {
            let x = left + x;
            let y = row * look.row + look.row / 2 + look.nudge;
            match entry.swatch {
                Swatch::Line(ls) if ls.dashed => {
                    let (len, step, width) = look.dash;
                    (0..3).try_for_each(|i| {
                        let x0 = x + i * step;
                        area.draw(&PathElement::new(
                            [(x0, y), (x0 + len, y)],
                            ls.color.stroke_width(width),
                        ))
                    })
                }
                Swatch::Line(ls) => area.draw(&PathElement::new(
                    [(x, y), (x + sw, y)],
                    ls.color.stroke_width(look.line_width),
                )),
                // Light, with edges, as bands are drawn.
                Swatch::Band(color) => {
                    let (fill, edge) = match color {
                        Some(c) => (c.mix(BAND_ALPHA), c.mix(BAND_EDGE_ALPHA)),
                        None => (BLACK.mix(0.14), BLACK.mix(0.45)),
                    };
                    area.draw(&Rectangle::new(
                        [(x, y - half), (x + sw, y + half)],
                        fill.filled(),
                    ))
                    .and_then(|()| {
                        area.draw(&Rectangle::new(
                            [(x, y - half), (x + sw, y + half)],
                            edge.stroke_width(1),
                        ))
                    })
                }
                Swatch::Bar(color) => area.draw(&Rectangle::new(
                    [(x + 4, y - half), (x + sw - 4, y + half)],
                    color.filled(),
                )),
                Swatch::Dotted(color, dash, gap, width) => (0..)
                    .map(|i| x + i * (dash + gap))
                    .take_while(|&x0| x0 + dash <= x + sw)
                    .try_for_each(|x0| {
                        area.draw(&PathElement::new(
                            [(x0, y), (x0 + dash, y)],
                            color.stroke_width(width),
                        ))
                    }),
            }
            .map_err(draw_error)?;
            area.draw_text(&entry.text, &style, (x + sw + look.text_gap, y))
                .map_err(draw_error)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_band_swatch_takes_a_lone_series_colour_and_grey_for_several() {
        let (a, b) = (RGBColor(1, 2, 3), RGBColor(4, 5, 6));
        assert!(matches!(Swatch::band_for(&[a]), Swatch::Band(Some(c)) if c == a));
        assert!(matches!(Swatch::band_for(&[a, b]), Swatch::Band(None)));
        assert!(matches!(Swatch::band_for(&[]), Swatch::Band(None)));
    }
}
