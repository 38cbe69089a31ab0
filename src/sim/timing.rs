//! Where a run's time goes, phase by phase: measured with the wall clock
//! for the run record (`run.json`), never part of the results, which depend
//! only on the scenario, the seed and the version.

use std::ops::AddAssign;
use std::time::Instant;

use serde::Serialize;

/// Seconds spent in each phase of a replicate (summed over replicates, so
/// with several threads the total exceeds the wall time).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Phases {
    /// Building the world: posts, the starting officers, initial corruption.
    pub build: f64,
    /// Reforms, elections, e-government, detection boost, unit recount.
    pub prepare: f64,
    /// The fused monthly pass over officers (parallel over chunks).
    pub pass: f64,
    /// Applying the pass's events: exits, transfers, rotations, inquiries.
    pub events: f64,
    /// The annual step (appraisal, review, boards, training, recruitment)
    /// and boards held during the year.
    pub annual: f64,
    /// Yearly metrics and the year-end trust update.
    pub metrics: f64,
}

impl Phases {
    /// Sum of the phases.
    pub fn total(&self) -> f64 {
        self.build + self.prepare + self.pass + self.events + self.annual + self.metrics
    }
}

impl AddAssign for Phases {
    fn add_assign(&mut self, o: Phases) {
        self.build += o.build;
        self.prepare += o.prepare;
        self.pass += o.pass;
        self.events += o.events;
        self.annual += o.annual;
        self.metrics += o.metrics;
    }
}

/// Adds the seconds since `*t` to `slot` and restarts `*t`.
#[inline]
pub fn lap(t: &mut Instant, slot: &mut f64) {
    let now = Instant::now();
    *slot += (now - *t).as_secs_f64();
    *t = now;
}
