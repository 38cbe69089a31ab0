//! The one look of every chart: the palette, the greys, the embedded font
//! and the text sizes, and measuring text in that font.
//!
//! Text is rendered with DejaVu Sans, embedded in the binary and registered
//! with plotters' pure-Rust `ab_glyph` font backend, so no system font
//! library is needed.

use std::sync::Once;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::anyhow;
use plotters::coord::Shift;
use plotters::prelude::*;

/// The Okabe–Ito palette, ordered for lines on white; its yellow is
/// darkened to show on white. Series beyond eight repeat it, dashed.
pub const PALETTE: [RGBColor; 8] = [
    RGBColor(0, 114, 178),   // blue
    RGBColor(213, 94, 0),    // vermillion
    RGBColor(0, 158, 115),   // bluish green
    RGBColor(204, 121, 167), // reddish purple
    RGBColor(230, 159, 0),   // orange
    RGBColor(86, 180, 233),  // sky blue
    RGBColor(0, 0, 0),       // black
    RGBColor(190, 165, 0),   // yellow, darkened
];

/// [`PALETTE`] as CSS hex colours, for pages that draw their own charts.
pub const PALETTE_HEX: [&str; 8] = [
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#BEA500",
];

pub(crate) const TEXT_GREY: RGBColor = RGBColor(80, 80, 80);
pub(crate) const ERROR_BAR: RGBColor = RGBColor(40, 40, 40);
pub(crate) const MISSING: RGBColor = RGBColor(200, 200, 200);
/// Dashed reference lines (a policy in force).
pub(crate) const REFERENCE_COLOR: RGBColor = RGBColor(40, 40, 40);
/// Dashed event lines (reforms) and their labels.
pub(crate) const EVENT_COLOR: RGBColor = RGBColor(110, 110, 110);
/// Dotted lines at election years: lighter than reforms, which they must
/// not be mistaken for.
pub(crate) const ELECTION_COLOR: RGBColor = RGBColor(175, 175, 175);

// Font sizes as plotters takes them: both backends draw text at size / 1.24
// pixels per em, so the legend's 20 is 16 px and the ticks' 18 is 14.5 px.
pub(crate) const TITLE_SIZE: f64 = 32.0;
pub(crate) const CAPTION_SIZE: f64 = 24.0;
pub(crate) const AXIS_DESC_SIZE: f64 = 20.0;
pub(crate) const TICK_SIZE: f64 = 18.0;
pub(crate) const NOTE_SIZE: f64 = 18.0;
pub(crate) const CELL_TEXT_SIZE: f64 = 18.0;
pub(crate) const SIDE: i32 = 16;
pub(crate) const LINE_WIDTH: u32 = 3;
/// Bands are light, so that where two overlap each stays visible through
/// the other (with a thin edge in its colour, [`BAND_EDGE_ALPHA`]).
pub(crate) const BAND_ALPHA: f64 = 0.12;
/// The opacity of a band's edges: thin lines along its bounds.
pub(crate) const BAND_EDGE_ALPHA: f64 = 0.55;
/// Series with at most this many points also get a dot at each point.
pub(crate) const MARKER_MAX_POINTS: usize = 30;

/// Colour and dash of a series: the palette, repeated dashed beyond eight.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct LineStyle {
    pub(crate) color: RGBColor,
    pub(crate) dashed: bool,
}

/// The style of the `index`th series (from 0).
pub(crate) fn line_style(index: usize) -> LineStyle {
    LineStyle {
        color: PALETTE[index % PALETTE.len()],
        dashed: (index / PALETTE.len()) % 2 == 1,
    }
}

// ---------------------------------------------------------------------------
// Font

/// Family name the embedded font is registered under; plotters' default.
pub(crate) const FONT: &str = "sans-serif";
const FONT_BYTES: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");

/// Registers the embedded font (once per process); every rendering calls it.
pub(crate) fn register_embedded_font() -> anyhow::Result<()> {
    static REGISTER: Once = Once::new();
    static REGISTERED: AtomicBool = AtomicBool::new(false);
    REGISTER.call_once(|| {
        let ok = plotters::style::register_font(FONT, FontStyle::Normal, FONT_BYTES).is_ok();
        REGISTERED.store(ok, Ordering::Release);
    });
    if REGISTERED.load(Ordering::Acquire) {
        Ok(())
    } else {
        Err(anyhow!("the embedded DejaVu Sans font could not be parsed"))
    }
}

/// Black text in the embedded font at `size`.
pub(crate) fn font(size: f64) -> TextStyle<'static> {
    (FONT, size).into_font().color(&BLACK)
}

pub(crate) fn draw_error(e: impl std::fmt::Display) -> anyhow::Error {
    anyhow!("chart drawing failed: {e}")
}

// ---------------------------------------------------------------------------
// Measuring text

pub(crate) fn text_width<DB: DrawingBackend>(
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
pub(crate) fn fit_text<DB: DrawingBackend>(
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

/// Pixels of the widest of `labels`.
pub(crate) fn widest<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    labels: impl IntoIterator<Item = String>,
    size: f64,
) -> anyhow::Result<i32> {
    labels
        .into_iter()
        .try_fold(0, |w, l| Ok(w.max(text_width(area, &l, size)?)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hex_palette_is_the_palette() {
        for (c, hex) in PALETTE.iter().zip(PALETTE_HEX) {
            assert_eq!(format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2), hex);
        }
    }

    #[test]
    fn the_palette_cycles_with_dashes_beyond_eight() {
        assert!(!line_style(7).dashed);
        assert!(line_style(8).dashed && line_style(8).color == line_style(0).color);
        assert!(!line_style(16).dashed);
    }
}
