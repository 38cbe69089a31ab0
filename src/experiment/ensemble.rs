//! An ensemble: one scenario's replicates, run and kept together with the
//! scenario that produced them; a [`Plan`] run in memory gives one a variant.

use rayon::prelude::*;

use crate::experiment::plan::Plan;
use crate::scenario::Scenario;
use crate::sim::runner::{self, ReplicateResult};

/// A scenario and its replicates' results.
pub struct Ensemble {
    pub scenario: Scenario,
    pub replicates: Vec<ReplicateResult>,
}

impl Ensemble {
    /// Runs every replicate of `scenario` on `threads` threads (0 = all cores).
    pub fn run(
        scenario: &Scenario,
        threads: usize,
        on_year: &(dyn Fn() + Sync),
    ) -> anyhow::Result<Self> {
        Ok(Ensemble {
            scenario: scenario.clone(),
            replicates: runner::run(scenario, threads, on_year)?,
        })
    }

    /// Runs every run of `plan` in memory on `threads` threads (0 = all
    /// cores): one ensemble a variant, in the plan's order, each replicate
    /// exactly as the experiment's run file would hold it
    /// ([`crate::experiment::store::execute`]).
    pub fn run_plan(
        plan: &Plan,
        threads: usize,
        on_year: &(dyn Fn() + Sync),
    ) -> anyhow::Result<Vec<Self>> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()?;
        let runs: Vec<ReplicateResult> = pool.install(|| {
            (0..plan.runs())
                .into_par_iter()
                .map(|j| plan.run(j, on_year))
                .collect::<Result<_, _>>()
        })?;
        let mut runs = runs.into_iter();
        plan.variants
            .iter()
            .map(|v| {
                Ok(Ensemble {
                    scenario: plan.scenario(v)?,
                    replicates: runs.by_ref().take(plan.replicates()).collect(),
                })
            })
            .collect()
    }

    /// Values of metric column `m` at year index `y`, one per replicate.
    pub fn values(&self, m: usize, y: usize) -> Vec<f64> {
        self.replicates.iter().map(|r| r.rows[y][m]).collect()
    }
}
