//! An ensemble: one scenario's replicates, run and kept together with the
//! scenario that produced them.

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

    /// Values of metric column `m` at year index `y`, one per replicate.
    pub fn values(&self, m: usize, y: usize) -> Vec<f64> {
        self.replicates.iter().map(|r| r.rows[y][m]).collect()
    }
}
