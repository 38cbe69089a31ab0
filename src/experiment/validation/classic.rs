//! The classic Peter-principle model (Pluchino, Rapisarda & Garofalo 2010)
//! against its paper: every promotion strategy under both competence
//! hypotheses, and the mixed strategy over the probability of promoting
//! the best.

use std::path::Path;

use crate::experiment::plan::Plan;
use crate::experiment::spec::{Kind, Spec};
use crate::metrics::summary::{Stats, stats};

use super::Settings;
use super::runner::compare;
use super::statistics::{metric, minus, window_means};

/// The classic model's promotion strategies and competence hypotheses.
pub const STRATEGIES: &[(&str, &str)] = &[
    ("best", "the best"),
    ("worst", "the worst"),
    ("random", "at random"),
    ("best_worst", "best or worst at random (p = 0.5)"),
];
pub const HYPOTHESES: &[(&str, &str)] = &[
    ("carry_over", "common sense (competence carries over, ±1)"),
    ("redraw", "Peter hypothesis (competence redrawn)"),
];
/// Values of p (probability of promoting the best) in the mixed-strategy sweep.
pub const P_SWEEP: &[f64] = &[0.0, 0.25, 0.5, 0.75, 1.0];

/// One classic-model run: efficiency at the start and at the end.
pub struct ClassicResult {
    pub hypothesis: &'static str,
    pub strategy: &'static str,
    pub p: f64,
    pub start: Stats,
    pub end: Stats,
    /// Per-replicate end minus start, in percentage points.
    pub gain: Stats,
    /// Mean over the second half of the run and over replicates.
    pub late_mean: f64,
}

/// Runs the classic model for every hypothesis and strategy, and the
/// mixed strategy over [`P_SWEEP`].
pub fn classic(
    path: &Path,
    settings: &Settings,
    on_run: &dyn Fn(&str),
) -> anyhow::Result<Vec<ClassicResult>> {
    let eff = metric("efficiency")?;
    let mut out = Vec::new();
    let mut runs: Vec<(&'static str, &'static str, f64)> = Vec::new();
    for &(h, _) in HYPOTHESES {
        for &(st, _) in STRATEGIES {
            runs.push((h, st, 0.5));
        }
        for &p in P_SWEEP {
            if p != 0.5 {
                runs.push((h, "best_worst", p));
            }
        }
    }
    for (h, st, p) in runs {
        let mut spec = Spec::new(Kind::Compare, vec![path.to_path_buf()]);
        spec.sets = vec![
            format!("promotion.competence_on_promotion={h}"),
            format!("promotion.rule={st}"),
            format!("promotion.best_probability={p}"),
        ];
        spec.years = Some(settings.classic_years);
        spec.replicates = settings.classic_replicates;
        let bases = Plan::load_bases(&spec)?;
        on_run(&format!("classic model: {h}, {st}, p = {p}"));
        let reps = compare(bases, settings.threads)?.remove(0);
        let start: Vec<f64> = reps.iter().map(|r| r.rows[0][eff]).collect();
        let end: Vec<f64> = reps
            .iter()
            .map(|r| r.rows.last().expect("rows")[eff])
            .collect();
        let half = settings.classic_years / 2;
        let late = window_means(&reps, eff, (half, settings.classic_years));
        out.push(ClassicResult {
            hypothesis: h,
            strategy: st,
            p,
            start: stats(&start),
            end: stats(&end),
            gain: stats(&minus(&end, &start)),
            late_mean: stats(&late).mean.unwrap_or(f64::NAN),
        });
    }
    Ok(out)
}
