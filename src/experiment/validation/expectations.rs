//! The reform scenarios' stated effects (`[[expect]]`): each scenario
//! against itself with its reforms removed.

use std::path::Path;

use crate::scenario::Scenario;

use super::Settings;
use super::runner::Runner;
use super::statistics::{Effect, Size, Verdict, metric, minus, window_means};

/// A reform scenario's stated effect and what was measured.
pub struct ExpectationResult {
    pub scenario: String,
    pub metric: String,
    pub direction: f64,
    pub band: Option<[f64; 2]>,
    pub years: [u32; 2],
    pub effect: Effect,
    pub verdict: Verdict,
}

/// Measures every `[[expect]]` of `path`: the scenario against itself with
/// its reforms removed.
pub fn measure_expectations(
    path: &Path,
    settings: &Settings,
    on_run: &dyn Fn(&str),
) -> anyhow::Result<Vec<ExpectationResult>> {
    let s = Scenario::load(path, &settings.sets)?;
    if s.expect.is_empty() {
        return Ok(Vec::new());
    }
    // Long enough for every window and every reform (a reform after the
    // last window still has to be a valid year).
    let last_reform = s
        .reforms
        .iter()
        .map(|r| r.year.ceil() as u32)
        .max()
        .unwrap_or(0);
    let years = s
        .expect
        .iter()
        .map(|e| e.years[1])
        .max()
        .unwrap_or(1)
        .max(last_reform)
        .max(1);
    let mut runner = Runner::new(s.clone(), settings.clone());
    let mut with = runner.sized(s.clone(), years);
    with.expect.clear();
    let mut without = with.clone();
    without.reforms.clear();
    on_run(&format!("{} (with and without its reforms)", s.name));
    let runs = [
        (without, format!("{} without reforms", s.name)),
        (with, s.name.clone()),
    ];
    let reps = runner.run(&runs)?;
    let (a, b) = (reps[0], reps[1]);
    let mut out = Vec::new();
    for e in &s.expect {
        let m = metric(&e.metric)?;
        let w = (e.years[0], e.years[1]);
        let base = window_means(a, m, w);
        let treat = window_means(b, m, w);
        let effect = Effect::new(&minus(&treat, &base), Some(&base));
        let size = match e.percent {
            Some([lo, hi]) => Size::Percent(lo, hi),
            None => Size::Direction,
        };
        let verdict = effect.verdict(e.sign(), size);
        out.push(ExpectationResult {
            scenario: s.name.clone(),
            metric: e.metric.clone(),
            direction: e.sign(),
            band: e.percent,
            years: e.years,
            effect,
            verdict,
        });
    }
    Ok(out)
}
