//! A page run: every replicate of every arm advanced a year at a time in
//! lockstep (the replicates of a year in parallel), each year's statistics
//! sent as soon as the year is done. Each replicate keeps its own random
//! streams, so results are those of `bureausim run` with the same scenario,
//! whatever the threads.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use rayon::prelude::*;
use serde_json::{Value as Json, json};

use crate::experiment::analysis::excludes_zero;
use crate::metrics::summary::{Stats, stats};
use crate::metrics::{METRICS, is_flow, level_stats};
use crate::output::figures::{band_kind_legend, band_of};
use crate::scenario::Scenario;
use crate::serve::library;
use crate::sim::runner::{self, ObservationRef, Replicate, ReplicateResult};

/// A run stopped early because the page went away (a write failed).
#[derive(Debug)]
pub struct Gone;

/// A finished run's results, kept for the CSV downloads.
pub struct Finished {
    /// (arm name, replicates' results).
    pub arms: Vec<(&'static str, Vec<ReplicateResult>)>,
    /// Each arm's scenario name and seed, for the downloads' columns.
    pub ids: Vec<(String, u64)>,
    /// The stem of the downloads' file names ([`Prepared::file_stem`]).
    ///
    /// [`Prepared::file_stem`]: crate::serve::request::Prepared::file_stem
    pub stem: String,
}

/// The file name of an arm's CSV download: `<stem>_yours.csv` or
/// `<stem>_baseline.csv`.
pub fn csv_name(stem: &str, arm: &str) -> String {
    format!("{stem}_{arm}.csv")
}

/// Runs `arms` (name, scenario; same years, warm-up and replicates) and
/// sends `start` and one `year` per simulated year through `emit` (event
/// name, data); returns the results and the `done` event, which the caller
/// sends once it has kept the results, so that its download links work as
/// soon as the page sees them. `run_id` is the downloads' address, `stem`
/// their file names' stem; `baseline` describes the second arm for the
/// page (null without one).
pub fn run(
    run_id: &str,
    stem: &str,
    arms: Vec<(&'static str, Scenario)>,
    draws: &[Vec<String>],
    baseline: Json,
    emit: &mut dyn FnMut(&str, &Json) -> std::io::Result<()>,
) -> Result<(Finished, Json), Gone> {
    let started = Instant::now();
    let first = &arms[0].1;
    let (years, warm, reps) = (
        first.sim.years,
        first.sim.warmup_years,
        first.sim.replicates as usize,
    );
    let reforms: Vec<Json> = first
        .reforms
        .iter()
        .enumerate()
        .map(|(k, r)| json!({"year": r.year, "label": r.display_label(k)}))
        .collect();
    let start = json!({
        "run": run_id,
        "arms": arms.iter().map(|a| a.0).collect::<Vec<_>>(),
        "years": years,
        "warmup_years": warm,
        "replicates": reps,
        "seed": first.sim.seed,
        "grades": first.structure.grades.iter().map(|g| g.name.clone()).collect::<Vec<_>>(),
        "reforms": reforms,
        "baseline": baseline,
        "band": match band_kind_legend(reps) {
            Some(b) if !draws.is_empty() => Some(format!(
                "{} — over plausible services: each replicate runs on its own calibrated parameter set",
                b.replace("replicates", "runs")
            )),
            other => other,
        },
        "plausible": !draws.is_empty(),
        "stem": stem,
    });
    emit("start", &start).map_err(|_| Gone)?;

    // Each replicate's scenario: the arm's, on the replicate's draw of
    // plausible parameters when there are draws.
    let scenario_of = |a: usize, r: usize| -> Scenario {
        match draws.get(r) {
            Some(sets) => arms[a]
                .1
                .clone()
                .with_sets(sets)
                .expect("checked when the request was prepared"),
            None => arms[a].1.clone(),
        }
    };
    // A comparison's arms differ only from the first reform of either: the
    // years before it are simulated once, and the baseline's replicates
    // fork from yours there (`Replicate::fork`), the same draw for draw.
    let shared = shared_years(&arms);
    let n_arms = arms.len();
    // The same baseline compared again (another lever, the same settings):
    // its years after the fork are those of the last time. `shared_years`
    // compared the arms without the draws; the draws set the same model
    // keys in both arms (never `sim`, the reforms or the words), so they
    // keep the arms' difference to the reforms.
    let cached = shared.and_then(|_| BASELINES.find(&arms[1].1, draws));
    let first_arms = if shared.is_some() { 1 } else { n_arms };
    let jobs: Vec<(usize, u64)> = (0..first_arms)
        .flat_map(|a| (0..reps as u64).map(move |r| (a, r)))
        .collect();
    let mut running: Vec<Replicate> = jobs
        .par_iter()
        .map(|&(a, r)| Replicate::new(&scenario_of(a, r as usize), r))
        .collect();
    let mut emit_year = |year: i64, running: &[Replicate]| {
        let mut obs: Vec<_> = running.iter().map(|r| r.observation(year)).collect();
        if obs.len() < n_arms * reps {
            match &cached {
                Some(base) if year > shared.unwrap_or(0) as i64 => {
                    obs.extend(base.iter().map(|b| b.observation(year as usize)));
                }
                // Not yet forked: the baseline's years are yours.
                _ => obs.extend_from_within(..reps),
            }
        }
        emit("year", &year_json(year, &obs, n_arms, reps)).map_err(|_| Gone)
    };
    let fork = |running: &mut Vec<Replicate>| {
        if running.len() < n_arms * reps && cached.is_none() {
            let forks: Vec<Replicate> = running
                .par_iter()
                .enumerate()
                .map(|(r, rep)| {
                    let scn = scenario_of(1, r);
                    rep.fork(&scn).unwrap_or_else(|| {
                        // Cannot happen for arms that `shared_years`
                        // accepts; run the baseline from the start.
                        let mut b = Replicate::new(&scn, r as u64);
                        while b.years_done() < rep.years_done() || !b.warmed_up() {
                            b.advance();
                        }
                        b
                    })
                })
                .collect();
            running.extend(forks);
        }
    };
    if warm == 0 {
        emit_year(0, &running)?;
        if shared == Some(0) {
            fork(&mut running);
        }
    }
    loop {
        let years: Vec<Option<i64>> = running.par_iter_mut().map(Replicate::advance).collect();
        let Some(year) = years[0] else {
            break;
        };
        debug_assert!(years.iter().all(|y| *y == Some(year)), "lockstep");
        emit_year(year, &running)?;
        if year == -1 {
            // The warm-up is over: year 0 is the state it left.
            emit_year(0, &running)?;
        }
        if shared == Some(year.max(0) as u32) && year >= -1 {
            fork(&mut running);
        }
    }
    // Arms identical to the end: the baseline's results are yours.
    fork(&mut running);

    let mut results = running.into_iter().map(Replicate::finish);
    let mut arm_results: Vec<(&'static str, Vec<ReplicateResult>)> = arms
        .iter()
        .map(|(name, _)| (*name, results.by_ref().take(reps).collect()))
        .collect();
    if shared.is_some() {
        match &cached {
            Some(base) => arm_results[1].1 = base.as_ref().clone(),
            None => BASELINES.keep(&arms[1].1, draws, &arm_results[1].1),
        }
    }
    let finished = Finished {
        arms: arm_results,
        ids: arms
            .iter()
            .map(|(_, s)| (s.name.clone(), s.sim.seed))
            .collect(),
        stem: stem.to_string(),
    };
    let table_year = years.min(20);
    let done = json!({
        "seconds": started.elapsed().as_secs_f64(),
        "baseline_reused": cached.is_some(),
        "table_year": table_year,
        "table": table(&finished, table_year as usize),
        "downloads": {
            "csv": format!("/api/runs/{run_id}/yours.csv"),
            "baseline_csv": (n_arms > 1).then(|| format!("/api/runs/{run_id}/baseline.csv")),
            "csv_name": csv_name(stem, "yours"),
            "baseline_csv_name": (n_arms > 1).then(|| csv_name(stem, "baseline")),
            "toml_name": format!("{stem}.toml"),
        },
    });
    Ok((finished, done))
}

/// The baselines of the last comparisons, kept so that comparing the same
/// baseline again (another lever, the same run settings) runs only your
/// arm. A baseline's results depend only on its scenario, its draws and
/// this binary, so a kept one is what a new run would give.
struct Baselines(Mutex<Vec<Kept>>);

/// One kept baseline: its scenario, its replicates' draws, its results.
type Kept = (Scenario, Vec<Vec<String>>, Arc<Vec<ReplicateResult>>);

/// Baselines kept at most (each a few hundred kB for the page's runs).
const BASELINES_KEPT: usize = 8;

static BASELINES: Baselines = Baselines(Mutex::new(Vec::new()));

impl Baselines {
    /// The kept results of `scn` on `draws`, now the last to be dropped.
    fn find(&self, scn: &Scenario, draws: &[Vec<String>]) -> Option<Arc<Vec<ReplicateResult>>> {
        let mut kept = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let at = kept
            .iter()
            .position(|(s, d, _)| s == scn && d.as_slice() == draws)?;
        let entry = kept.remove(at);
        let results = Arc::clone(&entry.2);
        kept.push(entry);
        Some(results)
    }

    fn keep(&self, scn: &Scenario, draws: &[Vec<String>], results: &[ReplicateResult]) {
        let mut kept = self.0.lock().unwrap_or_else(|e| e.into_inner());
        kept.retain(|(s, d, _)| !(s == scn && d.as_slice() == draws));
        if kept.len() >= BASELINES_KEPT {
            kept.remove(0);
        }
        kept.push((scn.clone(), draws.to_vec(), Arc::new(results.to_vec())));
    }
}

/// The recorded years a comparison's two arms share
/// ([`runner::shared_years`]; `None` when there is one arm).
fn shared_years(arms: &[(&'static str, Scenario)]) -> Option<u32> {
    let [(_, a), (_, b)] = arms else {
        return None;
    };
    runner::shared_years([a, b])
}

/// One `year` event: per arm, each streamed metric's mean and band, and the
/// mean headcount of each grade. `obs` is in arm-major replicate order.
fn year_json(year: i64, obs: &[ObservationRef], n_arms: usize, reps: usize) -> Json {
    let mut column = Vec::with_capacity(reps);
    let arms: Vec<Json> = (0..n_arms)
        .map(|a| {
            let mine = &obs[a * reps..(a + 1) * reps];
            let mut metrics = serde_json::Map::new();
            for &m in library::streamed_metrics() {
                // Year 0 is the starting state: a flow (supersessions, the
                // rank correlation of promotions) has no value there, as
                // in the plots of `bureausim run`.
                if year == 0 && is_flow(METRICS[m].name) {
                    metrics.insert(METRICS[m].name.to_string(), json!([null, null, null]));
                    continue;
                }
                column.clear();
                column.extend(mine.iter().map(|o| o.row[m]));
                let (mean, lo, hi) = band_of(&mut column);
                let band = if reps > 1 {
                    json!([num(mean), num(lo), num(hi)])
                } else {
                    json!([num(mean), null, null])
                };
                metrics.insert(METRICS[m].name.to_string(), band);
            }
            let grades: Vec<Json> = (0..mine[0].grades.len())
                .map(|g| num(mine.iter().map(|o| o.grades[g][0]).sum::<f64>() / reps as f64))
                .collect();
            json!({"metrics": metrics, "grades": grades})
        })
        .collect();
    json!({"year": year, "arms": arms})
}

fn num(x: f64) -> Json {
    if x.is_finite() { json!(x) } else { Json::Null }
}

fn triple(s: &Stats) -> Json {
    json!([
        s.mean.map_or(Json::Null, num),
        s.ci95_low.map_or(Json::Null, num),
        s.ci95_high.map_or(Json::Null, num)
    ])
}

/// The `done` table: each table metric at `year` for your run (mean and 95%
/// interval of the mean), the baseline's, and the paired difference (same
/// seeds, replicate k against replicate k) with its 95% interval.
fn table(f: &Finished, year: usize) -> Vec<Json> {
    library::table_metrics()
        .map(|name| {
            let m = crate::metrics::metric_index(name).expect("metric");
            let at = |reps: &[ReplicateResult]| -> Vec<f64> {
                reps.iter().map(|r| r.rows[year][m]).collect()
            };
            let yours = at(&f.arms[0].1);
            let mut row = json!({
                "metric": name, "label": library::metric_label(name), "unit": METRICS[m].unit,
                "yours": triple(&level_stats(name, &yours)), "baseline": null, "diff": null,
                "significant": false,
            });
            if let Some((_, base)) = f.arms.get(1) {
                let base = at(base);
                let diff: Vec<f64> = yours.iter().zip(&base).map(|(y, b)| y - b).collect();
                let d = stats(&diff);
                row["baseline"] = triple(&level_stats(name, &base));
                row["diff"] = triple(&d);
                row["significant"] = json!(excludes_zero(&d));
            }
            row
        })
        .collect()
}
