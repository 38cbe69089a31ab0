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
use crate::model::reforms::{Phase, ReformState};
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

impl ReplicateResult {
    /// Recorded year `year`'s observation.
    pub fn observation(&self, year: usize) -> ObservationRef<'_> {
        ObservationRef {
            row: &self.rows[year],
            grades: &self.grades[year],
            sectors: &self.sectors[year],
        }
    }
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
            self.out.observation(year as usize)
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

    /// The parameters in force now: the scenario as its reforms have
    /// changed it so far.
    pub fn parameters(&self) -> &Scenario {
        &self.w.scn
    }

    /// True once the warm-up is over (year 0 observed).
    pub fn warmed_up(&self) -> bool {
        self.warm_left == 0
    }

    /// The recorded years simulated so far.
    pub fn years_done(&self) -> u32 {
        self.years_done
    }

    /// This replicate, as it stands, continued as a run of `other`: `other`
    /// must be this replicate's scenario but for its reforms (and its name
    /// and description), and no reform of either may have begun, nor begin
    /// before the next step. Up to here the two runs are then the same,
    /// draw for draw (reforms draw nothing before they begin), so the fork
    /// goes on exactly as a run of `other` from the start would. `None`
    /// when that does not hold (then run `other` from the start). The page
    /// uses it to simulate a comparison's shared years once.
    pub fn fork(&self, other: &Scenario) -> Option<Replicate> {
        if self.warm_left > 0 || self.held_reforms.is_some() {
            return None;
        }
        if !self.w.scn.differs_only_in_reforms(other) {
            return None;
        }
        let next = self.w.env.step;
        let spy = self.w.derived.steps_per_year;
        let pending = |r: &ReformState| r.phase == Phase::Pending && r.start_step >= next;
        if !self.w.reforms.iter().all(pending) {
            return None;
        }
        let reforms: Vec<ReformState> = other
            .reforms
            .iter()
            .map(|r| ReformState {
                // Every reform's count of government changes is brought
                // up to date at each step (`reforms::step`).
                government_changes_seen: self.w.env.government_changes,
                ..ReformState::new(r, spy)
            })
            .collect();
        if !reforms.iter().all(pending) {
            return None;
        }
        let mut w = self.w.clone();
        w.scn = other.clone();
        w.reforms = reforms;
        Some(Replicate {
            w,
            engine: self.engine.clone(),
            held_reforms: None,
            warm_left: 0,
            warm_last: self.warm_last.clone(),
            years_done: self.years_done,
            out: self.out.clone(),
            observer: metrics::Observer::new(),
        })
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
        self.w.env.wave_steps = 0;
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

/// The recorded years that runs of `scenarios` share: the years before the
/// first reform of any of them (all of them when none has a reform, capped
/// at `sim.years`), or `None` when they differ in more than their reforms
/// (and names), so that they share nothing. With the warm-up before them,
/// these years are simulated once by [`run_shared`] and the page's
/// comparisons.
pub fn shared_years<'a>(scenarios: impl IntoIterator<Item = &'a Scenario>) -> Option<u32> {
    let mut scenarios = scenarios.into_iter();
    let first = scenarios.next()?;
    let spy = first.sim.steps_per_year as u64;
    let start = |s: &Scenario| {
        s.reforms
            .iter()
            .map(|r| (r.year * spy as f64).round() as u64)
            .min()
            .unwrap_or(u64::MAX)
    };
    let mut earliest = start(first);
    for s in scenarios {
        if !first.differs_only_in_reforms(s) {
            return None;
        }
        earliest = earliest.min(start(s));
    }
    Some((earliest / spy).min(first.sim.years as u64) as u32)
}

/// Replicate `replicate` of each of `scenarios`, which differ only in their
/// reforms ([`shared_years`]; otherwise each runs from the start): the
/// warm-up and the years before the first reform of any of them are
/// simulated once, and each scenario's run forks from that state
/// ([`Replicate::fork`]), so that each result is, draw for draw, that of
/// [`run_replicate`] on its scenario. The forks run on the pool's threads,
/// each made when a thread takes it up, so that the copies of the service
/// in memory are the shared state and one a busy thread. `each(i, result)`
/// receives scenario `i`'s result as it finishes; `on_year` is called once
/// for every year a run of its own would have simulated. Returns the years
/// simulated, shared ones once.
pub fn run_shared<E: Send>(
    scenarios: &[Scenario],
    replicate: u64,
    on_year: &(dyn Fn() + Sync),
    each: &(dyn Fn(usize, ReplicateResult) -> Result<(), E> + Sync),
) -> Result<u64, E> {
    use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
    let simulated = AtomicU64::new(0);
    let year = || {
        on_year();
        simulated.fetch_add(1, Relaxed);
    };
    let shared = if scenarios.len() > 1 {
        shared_years(scenarios)
    } else {
        None
    };
    let Some(shared) = shared else {
        for (i, s) in scenarios.iter().enumerate() {
            each(i, run_replicate(s, replicate, &year))?;
        }
        return Ok(simulated.into_inner());
    };
    let mut start = Replicate::new(&scenarios[0], replicate);
    let mut before = 0;
    while !start.warmed_up() || start.years_done() < shared {
        start.advance();
        before += 1;
    }
    // Counted for the progress when a run takes them up.
    simulated.fetch_add(before, Relaxed);
    (0..scenarios.len()).into_par_iter().try_for_each(|i| {
        let mut r = match start.fork(&scenarios[i]) {
            Some(f) => {
                // The years this run did not simulate again count as done.
                (0..before).for_each(|_| on_year());
                f
            }
            // Not for scenarios that `shared_years` accepts; run it whole.
            None => Replicate::new(&scenarios[i], replicate),
        };
        while r.advance().is_some() {
            year();
        }
        each(i, r.finish())
    })?;
    Ok(simulated.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario(file: &str, sets: &[&str]) -> Scenario {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
        let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
        Scenario::load(&path, &sets).expect("scenario loads")
    }

    fn to_end(mut r: Replicate) -> ReplicateResult {
        while r.advance().is_some() {}
        r.finish()
    }

    fn bits(r: &ReplicateResult) -> Vec<u64> {
        r.rows
            .iter()
            .flatten()
            .chain(r.grades.iter().flatten().flatten())
            .chain(r.sectors.iter().flatten().flatten())
            .map(|x| x.to_bits())
            .collect()
    }

    /// Runs that share their first years simulate them once, and each
    /// result is that of its run alone, on one thread and on two.
    #[test]
    fn shared_years_are_simulated_once_with_the_results_of_runs_alone() {
        let load = |sets: &[&str]| {
            scenario(
                "scenarios/teaching/political_transfers.toml",
                &[&["sim.years=7", "sim.warmup_years=2"][..], sets].concat(),
            )
        };
        let reformed = load(&["reforms[0].year=4"]);
        let earlier = load(&["reforms[0].year=2.5"]);
        let mut status_quo = reformed.clone();
        status_quo.reforms.clear();
        let scenarios = [reformed, status_quo, earlier];
        let alone: Vec<Vec<u64>> = scenarios
            .iter()
            .map(|s| bits(&run_replicate(s, 3, &|| {})))
            .collect();
        for threads in [1, 2] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let got: Vec<std::sync::Mutex<Vec<u64>>> = (0..3).map(|_| Default::default()).collect();
            let counted = std::sync::atomic::AtomicU64::new(0);
            let simulated = pool
                .install(|| {
                    run_shared(
                        &scenarios,
                        3,
                        &|| {
                            counted.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        },
                        &|i, r| {
                            *got[i].lock().unwrap() = bits(&r);
                            Ok::<_, ()>(())
                        },
                    )
                })
                .unwrap();
            for (i, g) in got.iter().enumerate() {
                assert_eq!(
                    *g.lock().unwrap(),
                    alone[i],
                    "scenario {i}, {threads} threads"
                );
            }
            // 2 warm-up and 2 recorded years once (the reform at 2.5 ends
            // the shared years), then 5 years each.
            assert_eq!(simulated, 4 + 3 * 5);
            // The progress counts every run's 9 years.
            assert_eq!(counted.into_inner(), 3 * 9);
        }
    }

    #[test]
    fn a_fork_before_the_first_reform_goes_on_as_the_other_run_from_the_start() {
        // The demo raises interference at year 5: its status quo has no reform.
        let with = scenario(
            "scenarios/teaching/political_transfers.toml",
            &["sim.years=8"],
        );
        let mut without = with.clone();
        without.reforms.clear();
        without.name = "status quo".into();
        let mut yours = Replicate::new(&with, 1);
        while yours.years_done() < 5 {
            yours.advance();
        }
        let forked = yours.fork(&without).expect("no reform has begun");
        let fresh = to_end(Replicate::new(&without, 1));
        assert_eq!(
            bits(&to_end(forked)),
            bits(&fresh),
            "the fork is the status quo"
        );
        // The original goes on with its reform, and differs from year 6.
        let reformed = to_end(yours);
        assert_eq!(bits(&reformed), bits(&to_end(Replicate::new(&with, 1))));
        assert_eq!(reformed.rows[5], fresh.rows[5]);
        assert_ne!(reformed.rows[8], fresh.rows[8]);

        // Too late: the reform has begun; and another scenario is refused.
        let mut late = Replicate::new(&with, 1);
        while late.years_done() < 6 {
            late.advance();
        }
        assert!(late.fork(&without).is_none());
        let mut other = without.clone();
        other.politics.interference = 0.5;
        let mut early = Replicate::new(&with, 1);
        while early.years_done() < 2 {
            early.advance();
        }
        assert!(early.fork(&other).is_none());
        // During the warm-up: not yet.
        assert!(Replicate::new(&with, 1).fork(&without).is_none());
    }
}
