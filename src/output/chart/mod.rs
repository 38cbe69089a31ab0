//! The chart engine: every plot bureausim draws, the run figures
//! ([`crate::output::figures`]) and the experiment reports' charts alike,
//! with one palette, one font, one legend and one set of axes
//! ([`style`], [`legend`], [`axes`]).
//!
//! Three kinds of chart are built from plain numbers, without reference to
//! the model:
//!
//! - [`overlay()`]: a grid of panels, each overlaying several lines (a mean
//!   over a shaded band), one colour per series label across all panels and
//!   one shared legend. A one-parameter sweep is an overlay with the
//!   parameter on the x axis.
//! - [`heatmap()`]: a value over a two-parameter grid, with a colour scale.
//! - [`ranking()`]: horizontal bars ranking items (e.g. parameters by Sobol
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
//!
//! The run figures draw their panels from the same parts: the bands and
//! lines of [`overlay`](mod@overlay), the [`legend`], the [`axes`], and the reference and
//! event lines of [`markers`].

pub mod axes;
pub mod forest;
pub mod heatmap;
pub mod legend;
pub mod markers;
pub mod overlay;
pub mod ranking;
pub mod scale;
pub mod style;

use std::path::Path;

use anyhow::Context;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

pub use forest::{Estimate, ForestPanel, Tone};
pub use overlay::{Panel, Series, TimeMarks};
pub use ranking::Bars;
pub use style::{PALETTE, PALETTE_HEX};

use axes::grid_cols;
use style::{
    NOTE_SIZE, SIDE, TEXT_GREY, TITLE_SIZE, draw_error, fit_text, font, register_embedded_font,
};

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
        marks: TimeMarks,
        /// The x values' names, when they are a text parameter's values
        /// numbered 0, 1, ... (`None`: the values themselves).
        x_names: Option<Vec<String>>,
    },
    Heatmap {
        x_label: String,
        y_label: String,
        xs: Vec<f64>,
        ys: Vec<f64>,
        z: Vec<Vec<f64>>,
        z_label: String,
        /// Each axis's tick text, one a cell, when its values are names
        /// (`None`: the values themselves).
        names: (Option<Vec<String>>, Option<Vec<String>>),
    },
    Ranking {
        items: Vec<String>,
        measures: Vec<Bars>,
        value_label: String,
    },
    Forest {
        rows: Vec<String>,
        tags: Vec<String>,
        panels: Vec<ForestPanel>,
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
            marks: TimeMarks::default(),
            x_names: None,
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
            names: (None, None),
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

/// A forest plot of differences from a base ([`forest`](mod@forest)): one
/// panel per measure in a grid wider than tall, `rows` (the compared
/// options) labelled at the left of each row of panels, and within a row
/// one line per `tags` entry (e.g. report years, the last drawn largest).
/// Each panel's `estimates[row][tag]` are dots on interval lines, coloured
/// better / worse / unclear, against a line at zero.
pub fn forest(title: &str, rows: &[String], tags: &[String], panels: &[ForestPanel]) -> Chart {
    let cols = forest::columns(panels.len());
    let grid_rows = panels.len().div_ceil(cols).max(1) as u32;
    let lines = (rows.len() * tags.len().max(1)) as u32;
    let panel_h = forest::PANEL_EXTRA + forest::LINE_PITCH * lines;
    let width = match cols {
        1 => 900,
        2 => 1200,
        3 => 1500,
        _ => 1700,
    };
    Chart {
        title: title.to_owned(),
        note: None,
        // Title, legend and two lines of note.
        size: (width, 150 + panel_h * grid_rows),
        body: Body::Forest {
            rows: rows.to_vec(),
            tags: tags.to_vec(),
            panels: panels.to_vec(),
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

    /// Adds small text under the chart, e.g. what error bars show: a line
    /// for each line of `note`.
    pub fn with_note(mut self, note: &str) -> Self {
        self.note = (!note.is_empty()).then(|| note.to_owned());
        self
    }

    /// An overlay over years with reforms and elections marked on every
    /// panel ([`TimeMarks`]); other charts are unchanged.
    pub fn with_time_marks(mut self, time_marks: TimeMarks) -> Self {
        if let Body::Overlay { marks, .. } = &mut self.body {
            *marks = time_marks;
        }
        self
    }

    /// A heat map or overlay whose x (or a heat map's y) values are names:
    /// each tick is its name (the values number them 0, 1, ...); other
    /// charts are unchanged. Before, a text parameter's values were
    /// numbered and the key to the numbers put in the axis title, cut to
    /// its width (an instructor's audit, 2026-12-07).
    pub fn with_tick_names(mut self, x: Option<Vec<String>>, y: Option<Vec<String>>) -> Self {
        match &mut self.body {
            Body::Heatmap { names, .. } => *names = (x, y),
            Body::Overlay { x_names, .. } => *x_names = x,
            _ => {}
        }
        self
    }

    /// Width and height in pixels.
    pub fn size(&self) -> (u32, u32) {
        self.size
    }

    /// Renders the chart as a PNG file at `path`, whose folder exists and
    /// whose name ends in `.png` (the encoder goes by the extension).
    pub fn write_png(&self, path: &Path) -> anyhow::Result<()> {
        render(BitMapBackend::new(path, self.size), |root| self.draw(root))
            .with_context(|| format!("drawing chart `{}` to {}", self.title, path.display()))
    }

    /// Renders the chart as an SVG document (`<svg ...>...</svg>`), to be
    /// written to a file or inlined in HTML.
    pub fn to_svg(&self) -> anyhow::Result<String> {
        let mut svg = String::new();
        render(SVGBackend::with_string(&mut svg, self.size), |root| {
            self.draw(root)
        })
        .with_context(|| format!("drawing chart `{}` as SVG", self.title))?;
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
            let style = font(NOTE_SIZE)
                .color(&TEXT_GREY)
                .pos(Pos::new(HPos::Left, VPos::Bottom));
            for line in note.lines().rev() {
                let line = fit_text(root, line, NOTE_SIZE, w - 2 * SIDE)?;
                root.draw_text(&line, &style, (SIDE, bottom))
                    .map_err(draw_error)?;
                bottom -= NOTE_SIZE as i32 + 4;
            }
            bottom -= 4;
        }
        let body = root.clone().shrink((0, top), (w, (bottom - top).max(1)));
        match &self.body {
            Body::Overlay {
                x_label,
                panels,
                band_caption,
                marks,
                x_names,
            } => overlay::draw_overlay(
                &body,
                x_label,
                panels,
                band_caption,
                marks,
                x_names.as_deref(),
            ),
            Body::Heatmap {
                x_label,
                y_label,
                xs,
                ys,
                z,
                z_label,
                names,
            } => heatmap::draw_heatmap(&body, (x_label, y_label, z_label), (xs, ys), z, names),
            Body::Ranking {
                items,
                measures,
                value_label,
            } => ranking::draw_ranking(&body, items, measures, value_label),
            Body::Forest { rows, tags, panels } => forest::draw_forest(&body, rows, tags, panels),
        }
    }
}

/// Draws on `backend` with `draw` (on a white or blank area of the
/// backend's size, in the embedded font) and writes the result out.
pub(crate) fn render<DB: DrawingBackend>(
    backend: DB,
    draw: impl FnOnce(&DrawingArea<DB, Shift>) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    register_embedded_font()?;
    let root = backend.into_drawing_area();
    draw(&root)?;
    root.present().map_err(draw_error)
}

#[cfg(test)]
mod tests {
    use super::overlay::{series_styles, style_of};
    use super::style::line_style;
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

    /// A text parameter's values name their ticks (they were numbered, and
    /// the key to the numbers was cut from the axis title).
    #[test]
    fn text_values_name_their_ticks() {
        let names = |v: &[&str]| Some(v.iter().map(|x| x.to_string()).collect::<Vec<_>>());
        let z = vec![vec![1.0, 2.0], vec![3.0, 4.0], vec![5.0, 6.0]];
        let map = heatmap(
            "t",
            "hypothesis",
            "rule",
            &[0.0, 1.0],
            &[0.0, 1.0, 2.0],
            &z,
            "index",
        )
        .with_tick_names(
            names(&["carry_over", "redraw"]),
            names(&["best", "worst", "random"]),
        );
        check(&map, &["carry_over", "redraw", "best", "worst", "random"]);
        let series = Series {
            label: "year 10".into(),
            x: vec![0.0, 1.0, 2.0, 3.0],
            mean: vec![60.0, 80.0, 68.0, 70.0],
            lo: vec![f64::NAN; 4],
            hi: vec![f64::NAN; 4],
        };
        let panel = Panel {
            title: "Service delivery".into(),
            y_label: "index 0-100".into(),
            series: vec![series],
        };
        let chart = overlay("Sweep", "promotion.rule", &[panel], "")
            .with_tick_names(names(&["best", "worst", "random", "best_worst"]), None);
        let svg = check(&chart, &["best_worst", "random"]);
        // No number among the x ticks.
        assert!(!svg.contains(">\n0.5\n<") && !svg.contains(">\n1.5\n<"));
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

    fn forest_chart(panels: Vec<ForestPanel>) -> Chart {
        forest(
            "Differences from the status quo",
            &["Tenure security".into(), "Pay decompression".into()],
            &["year 10".into(), "year 40".into()],
            &panels,
        )
    }

    fn est(mean: f64, half: f64, tone: Tone) -> Estimate {
        Estimate {
            mean,
            lo: mean - half,
            hi: mean + half,
            tone,
        }
    }

    #[test]
    fn forest_renders_panels_rows_directions_and_tones() {
        let corruption = ForestPanel {
            title: "Corruption (all officers)".into(),
            axis: "points".into(),
            higher_is_better: Some(false),
            estimates: vec![
                vec![est(8.0, 2.0, Tone::Worse), est(7.5, 2.5, Tone::Worse)],
                vec![est(-0.5, 2.0, Tone::Unclear), est(-1.0, 2.0, Tone::Unclear)],
            ],
        };
        let tenure = ForestPanel {
            title: "Months in post".into(),
            axis: "months".into(),
            higher_is_better: None,
            estimates: vec![
                vec![est(4.0, 0.7, Tone::Differs), est(2.7, 0.9, Tone::Differs)],
                vec![
                    est(0.1, 0.4, Tone::Unclear),
                    est(f64::NAN, f64::NAN, Tone::Unclear),
                ],
            ],
        };
        let svg = check(
            &forest_chart(vec![corruption, tenure]),
            &[
                "Differences from the status quo",
                "Corruption (all officers)",
                "Months in post",
                "Tenure security",
                "Pay decompression",
                "← better",
                "worse →",
                "worse",
                "differs (no better direction)",
                "interval includes 0 (hollow)",
                "points",
                "months",
            ],
        );
        // Row labels once per row of panels: both panels share a row.
        assert_eq!(svg.matches(">\nTenure security\n<").count(), 1);
        // No better direction, no direction words under that panel; none
        // says "better" for a panel where no estimate is better.
        assert_eq!(svg.matches("← better").count(), 1);
        assert!(
            !svg.contains(">\nbetter\n<"),
            "no legend entry for an unused tone"
        );
        // Empty and awkward forests draw without panicking.
        forest_chart(Vec::new()).to_svg().unwrap();
        forest("x", &[], &[], &[]).to_svg().unwrap();
        let wild = ForestPanel {
            title: "wild".into(),
            axis: "u".into(),
            higher_is_better: Some(true),
            estimates: vec![vec![est(f64::INFINITY, 1.0, Tone::Better)], Vec::new()],
        };
        forest_chart(vec![wild]).to_svg().unwrap();
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
