//! Runs replicates: each from its own streams, in parallel with rayon, the
//! results gathered in replicate order so that output never depends on
//! which thread ran what.
//!
//! [`Replicate`] advances one replicate a year at a time (warm-up years
//! first), so that a caller can step many replicates in lockstep and report
//! each year as it completes (`bureausim serve`); [`run_replicate`] is the
//! same stepper driven to the end.

use std::time::Instant;

use rayon::prelude::*;

use crate::metrics;
use crate::model::reforms::ReformState;
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

/// What one year of a [`Replicate`] observed.
#[derive(Clone, Debug, PartialEq)]
pub struct YearObservation {
    /// Warm-up years are negative (−warmup_years … −1), recorded years 0 … years.
    pub year: i64,
    /// Values of [`metrics::METRICS`].
    pub row: Vec<f64>,
    /// `grades[grade]` holds the values of [`metrics::GRADE_METRICS`].
    pub grades: Vec<Vec<f64>>,
}

/// A replicate being simulated one year at a time.
pub struct Replicate {
    w: World,
    /// The reform timeline, held back during the warm-up.
    held_reforms: Option<Vec<ReformState>>,
    warm_left: u32,
    years_done: u32,
    out: ReplicateResult,
}

impl Replicate {
    /// Builds replicate `replicate` of `scn`; nothing is simulated yet.
    pub fn new(scn: &Scenario, replicate: u64) -> Self {
        let mut t = Instant::now();
        let mut w = init::build(scn, replicate);
        lap(&mut t, &mut w.phases.build);
        let warm = w.scn.sim.warmup_years;
        let held_reforms = (warm > 0).then(|| std::mem::take(&mut w.reforms));
        let mut r = Replicate {
            w,
            held_reforms,
            warm_left: warm,
            years_done: 0,
            out: ReplicateResult {
                rows: Vec::new(),
                grades: Vec::new(),
                phases: Phases::default(),
            },
        };
        if warm == 0 {
            r.observe_start();
        }
        r
    }

    /// True when every warm-up and recorded year has been simulated.
    pub fn is_done(&self) -> bool {
        self.warm_left == 0 && self.years_done >= self.w.scn.sim.years
    }

    /// Simulates the next year, warm-up or recorded, and returns what it
    /// observed; `None` once the replicate is done. A recorded year's row
    /// and grades are also kept for [`Replicate::finish`]; the first call
    /// after the warm-up returns year 1 (year 0, the state at the end of the
    /// warm-up, is in [`Replicate::rows`]).
    pub fn advance(&mut self) -> Option<YearObservation> {
        if self.warm_left > 0 {
            let spy = self.w.scn.sim.steps_per_year;
            for _ in 0..spy {
                step::step(&mut self.w);
            }
            let mut t = Instant::now();
            let (row, grades) = metrics::observe(&self.w);
            respond_to_year(&mut self.w, &row);
            self.w.flows = Default::default();
            lap(&mut t, &mut self.w.phases.metrics);
            let year = -(self.warm_left as i64);
            self.warm_left -= 1;
            if self.warm_left == 0 {
                self.end_warm_up();
            }
            return Some(YearObservation { year, row, grades });
        }
        if self.is_done() {
            return None;
        }
        for _ in 0..self.w.scn.sim.steps_per_year {
            step::step(&mut self.w);
        }
        let mut t = Instant::now();
        let (row, grades) = metrics::observe(&self.w);
        respond_to_year(&mut self.w, &row);
        self.w.flows = Default::default();
        self.out.rows.push(row.clone());
        self.out.grades.push(grades.clone());
        lap(&mut t, &mut self.w.phases.metrics);
        self.years_done += 1;
        Some(YearObservation {
            year: self.years_done as i64,
            row,
            grades,
        })
    }

    /// The recorded years so far: `rows()[0]` is year 0.
    pub fn rows(&self) -> &[Vec<f64>] {
        &self.out.rows
    }

    /// The recorded years' grade rows so far.
    pub fn grades(&self) -> &[Vec<Vec<f64>>] {
        &self.out.grades
    }

    /// The replicate's results (the recorded years simulated so far).
    pub fn finish(mut self) -> ReplicateResult {
        self.out.phases = self.w.phases;
        self.out
    }

    /// After the warm-up: restart the clock; reforms and the election
    /// calendar count from here, and the year's flows and the count of
    /// government changes are cleared. Stocks (officers, posts, trust,
    /// pensions) carry over.
    fn end_warm_up(&mut self) {
        if let Some(reforms) = self.held_reforms.take() {
            self.w.reforms = reforms;
        }
        self.w.env.step = 0;
        self.w.env.wave_left = 0;
        self.w.env.government_changes = 0;
        self.w.flows = Default::default();
        self.observe_start();
    }

    /// Year 0: the state at the start of the recorded years.
    fn observe_start(&mut self) {
        let mut t = Instant::now();
        let (row, grades) = metrics::observe(&self.w);
        self.out.rows.push(row);
        self.out.grades.push(grades);
        lap(&mut t, &mut self.w.phases.metrics);
    }
}

/// Simulates replicate `replicate`; `on_year` is called after each simulated
/// year, warm-up years included.
pub fn run_replicate(
    scn: &Scenario,
    replicate: u64,
    on_year: &(dyn Fn() + Sync),
) -> ReplicateResult {
    let mut r = Replicate::new(scn, replicate);
    while r.advance().is_some() {
        on_year();
    }
    r.finish()
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
