//! Runs the arms of the checks through the experiment runner: the arms of
//! one check are the variants of one comparison ([`Plan`] of kind compare),
//! run in memory ([`Ensemble::run_plan`]) exactly as `bureausim compare`
//! runs its scenarios, replicate k of every arm from the same streams.

use std::collections::HashMap;
use std::path::PathBuf;

use anyhow::Context;

use crate::experiment::ensemble::Ensemble;
use crate::experiment::plan::Plan;
use crate::experiment::spec::{Kind, Spec};
use crate::model::reforms::Reform;
use crate::scenario::Scenario;
use crate::sim::runner::ReplicateResult;

use super::Settings;
use super::evidence::Arm;

/// Runs arms of one base scenario, remembering results so that an arm
/// shared by several checks (the baseline) runs once.
pub struct Runner {
    base: Scenario,
    settings: Settings,
    cache: HashMap<String, Vec<ReplicateResult>>,
}

impl Runner {
    pub fn new(base: Scenario, settings: Settings) -> Self {
        Runner {
            base,
            settings,
            cache: HashMap::new(),
        }
    }

    /// The scenario of `arm`, run for `years`.
    pub fn scenario(&self, arm: &Arm, years: u32) -> anyhow::Result<Scenario> {
        let sets: Vec<String> = arm.sets.iter().map(|s| s.to_string()).collect();
        let mut s = self.base.clone().with_sets(&sets)?;
        if !arm.reforms.is_empty() {
            #[derive(serde::Deserialize)]
            struct Doc {
                reforms: Vec<Reform>,
            }
            let doc: Doc = toml::from_str(arm.reforms).context("validation arm reforms")?;
            s.reforms.extend(doc.reforms);
        }
        Ok(self.sized(s, years))
    }

    /// `s` at the settings' scale and replicates, run for `years`.
    pub(super) fn sized(&self, mut s: Scenario, years: u32) -> Scenario {
        s = s.scaled(self.settings.scale);
        s.sim.replicates = self.settings.replicates;
        s.sim.years = years;
        s
    }

    /// Replicates of each of `runs` (a scenario, validated, and what it is
    /// called in messages), in order; those not run before are run
    /// together as one comparison, the others come from the cache.
    pub fn run(&mut self, runs: &[(Scenario, String)]) -> anyhow::Result<Vec<&[ReplicateResult]>> {
        let mut keys = Vec::new();
        let mut todo: Vec<(String, Scenario)> = Vec::new();
        for (s, what) in runs {
            s.validate(what)?;
            let key = s.to_toml();
            if !self.cache.contains_key(&key) && !todo.iter().any(|(k, _)| *k == key) {
                todo.push((key.clone(), s.clone()));
            }
            keys.push(key);
        }
        if !todo.is_empty() {
            let (new_keys, scenarios): (Vec<String>, Vec<Scenario>) = todo.into_iter().unzip();
            let results = compare(scenarios, self.settings.threads)?;
            self.cache.extend(new_keys.into_iter().zip(results));
        }
        Ok(keys.iter().map(|k| self.cache[k].as_slice()).collect())
    }
}

/// Runs `scenarios` as the variants of one comparison through the
/// experiment runner, on `threads` threads (0 = all cores): each one's
/// replicates, in order. The scenarios share their years, seed and
/// replicates (those of a comparison are its own).
pub fn compare(
    scenarios: Vec<Scenario>,
    threads: usize,
) -> anyhow::Result<Vec<Vec<ReplicateResult>>> {
    let sim = |s: &Scenario| (s.sim.years, s.sim.seed, s.sim.replicates);
    let first = sim(&scenarios[0]);
    anyhow::ensure!(
        scenarios.iter().all(|s| sim(s) == first),
        "the arms of a comparison must share their years, seed and replicates"
    );
    let mut spec = Spec::new(
        Kind::Compare,
        scenarios.iter().map(|s| PathBuf::from(&s.name)).collect(),
    );
    spec.replicates = first.2;
    let plan = Plan::with_bases(spec, scenarios, String::new())?;
    Ok(Ensemble::run_plan(&plan, threads, &|| {})?
        .into_iter()
        .map(|e| e.replicates)
        .collect())
}
