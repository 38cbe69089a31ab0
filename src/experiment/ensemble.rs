//! An ensemble: one scenario's replicates, run and kept together with the
//! scenario that produced them; a [`Plan`] run in memory gives one a variant.

use std::sync::OnceLock;

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
    /// cores), the years runs share once ([`Plan::run_group`]): one
    /// ensemble a variant, in the plan's order, each replicate exactly as
    /// the experiment's run file would hold it
    /// ([`crate::experiment::store::execute`]).
    pub fn run_plan(
        plan: &Plan,
        threads: usize,
        on_year: &(dyn Fn() + Sync),
    ) -> anyhow::Result<Vec<Self>> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()?;
        let done: Vec<OnceLock<ReplicateResult>> =
            (0..plan.runs()).map(|_| OnceLock::new()).collect();
        pool.install(|| -> anyhow::Result<()> {
            let all: Vec<usize> = (0..plan.runs()).collect();
            let groups = plan.shared_groups(&all)?;
            groups.par_iter().try_for_each(|g| {
                plan.run_group(g, on_year, &|j, res| -> anyhow::Result<()> {
                    done[j]
                        .set(res)
                        .map_err(|_| anyhow::anyhow!("run {j} simulated twice"))
                })
            })
        })?;
        let mut runs = done
            .into_iter()
            .map(|r| r.into_inner().expect("every run is in a group"));
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

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::error::UsageError;
    use crate::experiment::spec::{Kind, Spec};
    use crate::sim::runner::run_replicate;

    fn demo(years: &str, reform_year: Option<&str>) -> Scenario {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("scenarios/teaching/political_transfers.toml");
        let mut sets = vec![
            format!("sim.years={years}"),
            "sim.warmup_years=2".to_string(),
        ];
        sets.extend(reform_year.map(|y| format!("reforms[0].year={y}")));
        Scenario::load(&path, &sets).expect("demo loads")
    }

    fn bits(r: &ReplicateResult) -> Vec<u64> {
        let grades = r.grades.iter().flatten().flatten();
        let sectors = r.sectors.iter().flatten().flatten();
        r.rows
            .iter()
            .flatten()
            .chain(grades)
            .chain(sectors)
            .map(|x| x.to_bits())
            .collect()
    }

    #[test]
    fn runs_that_share_their_first_years_are_simulated_together_with_the_results_of_runs_alone() {
        let reformed = demo("7", Some("4"));
        let earlier = demo("7", Some("2.5"));
        let mut status_quo = reformed.clone();
        status_quo.reforms.clear();
        status_quo.name = "status_quo".into();
        // Another service: no years shared with the others.
        let mut other = status_quo.clone();
        other.politics.interference = 0.5;
        other.name = "other".into();
        // The years before the first reform of any (2.5 → 2 whole years).
        assert_eq!(
            runner::shared_years([&reformed, &status_quo, &earlier]),
            Some(2)
        );
        assert_eq!(runner::shared_years([&status_quo, &status_quo]), Some(7));
        assert_eq!(runner::shared_years([&reformed, &other]), None);
        let scenarios = vec![reformed, status_quo, earlier, other];
        let mut spec = Spec::new(
            Kind::Compare,
            scenarios.iter().map(|s| PathBuf::from(&s.name)).collect(),
        );
        spec.replicates = 3;
        let plan = Plan::with_bases(spec, scenarios, String::new()).expect("plan");
        let all: Vec<usize> = (0..plan.runs()).collect();
        let groups = plan.shared_groups(&all).expect("groups");
        // Replicate k of the first three arms, then each run of `other`.
        assert_eq!(groups[..3], [vec![0, 3, 6], vec![1, 4, 7], vec![2, 5, 8]]);
        assert_eq!(groups[3..], [vec![9], vec![10], vec![11]]);
        // Both schedules after the fork, on one thread and on two.
        for threads in [1, 2] {
            let ensembles = Ensemble::run_plan(&plan, threads, &|| {}).expect("runs");
            for (v, e) in ensembles.iter().enumerate() {
                for (r, got) in e.replicates.iter().enumerate() {
                    let alone = run_replicate(&plan.bases[v], r as u64, &|| {});
                    assert_eq!(bits(got), bits(&alone), "arm {v}, replicate {r}");
                }
            }
        }
        // The years counted are those of the runs alone.
        let years = std::sync::atomic::AtomicUsize::new(0);
        let count = || {
            years.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        };
        plan.run_group(&groups[0], &count, &|_, _| Ok::<_, UsageError>(()))
            .expect("group runs");
        assert_eq!(
            years.load(std::sync::atomic::Ordering::Relaxed),
            3 * (2 + 7)
        );
    }
}
