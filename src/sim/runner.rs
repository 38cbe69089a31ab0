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
use crate::model::world::World;
use crate::model::{init, trust};
use crate::scenario::Scenario;
use crate::sim::step::{self, Engine};
use crate::sim::timing::{Phases, lap};

/// One replicate's yearly observations.
#[derive(Clone, Debug)]
pub struct ReplicateResult {
    /// `rows[year]` holds the values of [`metrics::METRICS`].
    pub rows: Vec<Vec<f64>>,
    /// `grades[year][grade]` holds the values of [`metrics::GRADE_METRICS`].
    pub grades: Vec<Vec<Vec<f64>>>,
    /// `sectors[year][sector]` holds the values of
    /// [`metrics::SECTOR_METRICS`], sectors in the order of
    /// `structure.sectors`.
    pub sectors: Vec<Vec<Vec<f64>>>,
    /// Wall time per phase (for the run record; not a result).
    pub phases: Phases,
}

/// One year's observation: the values of [`metrics::METRICS`], per grade
/// those of [`metrics::GRADE_METRICS`] and per sector those of
/// [`metrics::SECTOR_METRICS`].
pub use crate::metrics::Observation;

/// A recorded or warm-up year's observation, borrowed from the replicate
/// (see [`Replicate::observation`]).
#[derive(Clone, Copy, Debug)]
pub struct ObservationRef<'a> {
    pub row: &'a [f64],
    pub grades: &'a [Vec<f64>],
    pub sectors: &'a [Vec<f64>],
}

/// A replicate being simulated one year at a time.
pub struct Replicate {
    w: World,
    engine: Engine,
    /// The reform timeline, held back during the warm-up.
    held_reforms: Option<Vec<ReformState>>,
    warm_left: u32,
    /// The last warm-up year's observation (warm-up years are not kept).
    warm_last: Option<Observation>,
    years_done: u32,
    out: ReplicateResult,
    /// The yearly observation's buffers and caches, kept between years.
    observer: metrics::Observer,
}

impl Replicate {
    /// Builds replicate `replicate` of `scn`; nothing is simulated yet.
    pub fn new(scn: &Scenario, replicate: u64) -> Self {
        let mut t = Instant::now();
        let mut w = init::build(scn, replicate);
        let mut engine = Engine::default();
        lap(&mut t, &mut engine.phases.build);
        let warm = w.scn.sim.warmup_years;
        let held_reforms = (warm > 0).then(|| std::mem::take(&mut w.reforms));
        let mut r = Replicate {
            w,
            engine,
            held_reforms,
            warm_left: warm,
            warm_last: None,
            years_done: 0,
            out: ReplicateResult {
                rows: Vec::new(),
                grades: Vec::new(),
                sectors: Vec::new(),
                phases: Phases::default(),
            },
            observer: metrics::Observer::new(),
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

    /// Simulates the next year, warm-up or recorded, and returns its number:
    /// warm-up years are negative (−warmup_years … −1), recorded years 1 …
    /// years; `None` once the replicate is done. Year 0, the state at the
    /// end of the warm-up, is observed as the warm-up ends (or at once
    /// without one). [`Replicate::observation`] gives what a year observed.
    pub fn advance(&mut self) -> Option<i64> {
        if self.warm_left > 0 {
            let obs = self.simulate_year();
            let year = -(self.warm_left as i64);
            self.warm_left -= 1;
            self.warm_last = Some(obs);
            if self.warm_left == 0 {
                self.end_warm_up();
            }
            return Some(year);
        }
        if self.is_done() {
            return None;
        }
        let obs = self.simulate_year();
        self.record(obs);
        self.years_done += 1;
        Some(self.years_done as i64)
    }

    /// What year `year` observed: a recorded year (0 … those simulated), or
    /// the last warm-up year simulated (any negative `year`).
    pub fn observation(&self, year: i64) -> ObservationRef<'_> {
        if year < 0 {
            let o = self
                .warm_last
                .as_ref()
                .expect("a warm-up year was simulated");
            ObservationRef {
                row: &o.row,
                grades: &o.grades,
                sectors: &o.sectors,
            }
        } else {
            let y = year as usize;
            ObservationRef {
                row: &self.out.rows[y],
                grades: &self.out.grades[y],
                sectors: &self.out.sectors[y],
            }
        }
    }

    /// Keeps a recorded year's observation.
    fn record(&mut self, obs: Observation) {
        self.out.rows.push(obs.row);
        self.out.grades.push(obs.grades);
        self.out.sectors.push(obs.sectors);
    }

    /// One year of steps, observed; the year-end feedback applied and the
    /// year's flows cleared.
    fn simulate_year(&mut self) -> Observation {
        for _ in 0..self.w.scn.sim.steps_per_year {
            step::step(&mut self.w, &mut self.engine);
        }
        let mut t = Instant::now();
        let obs = self.observer.observe(&self.w);
        let efficiency = obs.row[const { metrics::column("efficiency") }];
        let prevalence = obs.row[const { metrics::column("corruption_prevalence") }];
        trust::year_end(&mut self.w, efficiency, prevalence);
        self.w.flows.clear();
        lap(&mut t, &mut self.engine.phases.metrics);
        obs
    }

    /// The replicate's results (the recorded years simulated so far).
    pub fn finish(mut self) -> ReplicateResult {
        self.out.phases = self.engine.phases;
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
        self.w.flows.clear();
        self.observe_start();
    }

    /// Year 0: the state at the start of the recorded years.
    fn observe_start(&mut self) {
        let mut t = Instant::now();
        let obs = self.observer.observe(&self.w);
        self.record(obs);
        lap(&mut t, &mut self.engine.phases.metrics);
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
