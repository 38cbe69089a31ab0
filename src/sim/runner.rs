//! Runs replicates: each from its own streams, in parallel with rayon, the
//! results gathered in replicate order so that output never depends on
//! which thread ran what.

use std::time::Instant;

use rayon::prelude::*;

use crate::metrics;
use crate::scenario::Scenario;
use crate::sim::timing::{Phases, lap};
use crate::sim::world::World;
use crate::sim::{init, step};

/// One replicate's yearly observations.
#[derive(Clone, Debug)]
pub struct ReplicateResult {
    /// `rows[year]` holds the values of [`metrics::METRICS`].
    pub rows: Vec<Vec<f64>>,
    /// `grades[year][grade]` holds the values of [`metrics::GRADE_METRICS`].
    pub grades: Vec<Vec<Vec<f64>>>,
    /// Wall time per phase (for the run record; not a result).
    pub phases: Phases,
}

/// Simulates replicate `replicate`; `on_year` is called after each simulated
/// year, warm-up years included.
pub fn run_replicate(
    scn: &Scenario,
    replicate: u64,
    on_year: &(dyn Fn() + Sync),
) -> ReplicateResult {
    let mut t = Instant::now();
    let mut w = init::build(scn, replicate);
    lap(&mut t, &mut w.phases.build);
    warm_up(&mut w, on_year);
    let mut t = Instant::now();
    let (row, grades) = metrics::observe(&w);
    let mut out = ReplicateResult {
        rows: vec![row],
        grades: vec![grades],
        phases: Phases::default(),
    };
    lap(&mut t, &mut w.phases.metrics);
    let spy = scn.sim.steps_per_year as u64;
    for _year in 0..scn.sim.years {
        for _ in 0..spy {
            step::step(&mut w);
        }
        let mut t = Instant::now();
        let (row, grades) = metrics::observe(&w);
        respond_to_year(&mut w, &row);
        w.flows = Default::default();
        out.rows.push(row);
        out.grades.push(grades);
        lap(&mut t, &mut w.phases.metrics);
        on_year();
    }
    out.phases = w.phases;
    out
}

/// Year-end feedback from the year just observed: public trust moves
/// towards the level set by its service delivery and corruption.
fn respond_to_year(w: &mut World, row: &[f64]) {
    let eff = row[metrics::metric_index("efficiency").expect("metric")];
    let prev = row[metrics::metric_index("corruption_prevalence").expect("metric")];
    let grievance = if w.scn.transparency.enabled {
        w.scn.transparency.grievance
    } else {
        0.0
    };
    w.env.trust = w.scn.trust.step(w.env.trust, eff, prev, grievance);
}

/// Simulates `sim.warmup_years` under the starting policies, then restarts
/// the clock: reforms and the election calendar count from the end of the
/// warm-up, and the year's flows and the count of government changes are
/// cleared. Stocks (officers, posts, trust, pensions) carry over.
pub fn warm_up(w: &mut World, on_year: &(dyn Fn() + Sync)) {
    let steps = w.scn.sim.warmup_years as u64 * w.scn.sim.steps_per_year as u64;
    if steps == 0 {
        return;
    }
    let reforms = std::mem::take(&mut w.reforms);
    for _ in 0..steps {
        step::step(w);
        if w.env.step % w.scn.sim.steps_per_year as u64 == 0 {
            let mut t = Instant::now();
            let (row, _) = metrics::observe(w);
            respond_to_year(w, &row);
            w.flows = Default::default();
            lap(&mut t, &mut w.phases.metrics);
            on_year();
        }
    }
    w.reforms = reforms;
    w.env.step = 0;
    w.env.wave_left = 0;
    w.env.government_changes = 0;
    w.flows = Default::default();
}

/// Runs every replicate on a pool of `threads` threads (0 = all cores).
pub fn run(
    scn: &Scenario,
    threads: usize,
    on_year: &(dyn Fn() + Sync),
) -> anyhow::Result<Vec<ReplicateResult>> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()?;
    Ok(pool.install(|| {
        (0..scn.sim.replicates as u64)
            .into_par_iter()
            .map(|r| run_replicate(scn, r, on_year))
            .collect()
    }))
}
