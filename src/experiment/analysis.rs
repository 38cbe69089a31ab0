//! The statistics of a finished experiment, computed from its runs in run
//! order only, so that a merged experiment and one run on one machine give
//! the same numbers to the last bit.
//!
//! - Compare: each arm's mean and 95% t interval across replicates, and the
//!   paired difference from the base (replicate k against replicate k, the
//!   same random streams), with its 95% t interval; a difference is marked
//!   when its interval excludes 0.
//! - Sweep: each grid point's mean and 95% interval.
//! - Sensitivity: the output at the analysed year, averaged over replicates
//!   at each design point, fed to Morris or Sobol analysis.

use serde::Serialize;

use crate::experiment::plan::Plan;
use crate::experiment::sensitivity;
use crate::experiment::spec::{Kind, Method};
use crate::metrics::summary::{Stats, stats};

/// `[run][year][metric]`, as `store::load_runs` gives it.
pub type Runs = Vec<Vec<Vec<f64>>>;

/// One arm's value of one metric at one year, and its difference from the base.
#[derive(Clone, Debug, Serialize)]
pub struct ArmStat {
    pub metric: &'static str,
    pub year: u32,
    /// Index of the variant (0 is the base).
    pub arm: usize,
    pub stats: Stats,
    /// Paired difference from the base (None for the base itself).
    pub diff: Option<Stats>,
    /// The difference's interval excludes 0.
    pub significant: bool,
}

/// Values of metric `m` at `year` for every replicate of variant `v`.
pub fn values(plan: &Plan, runs: &Runs, v: usize, year: u32, m: usize) -> Vec<f64> {
    let r = plan.spec.replicates as usize;
    (0..r).map(|k| runs[v * r + k][year as usize][m]).collect()
}

/// True when a 95% interval lies wholly above or below 0.
pub fn excludes_zero(s: &Stats) -> bool {
    match (s.ci95_low, s.ci95_high) {
        (Some(lo), Some(hi)) => lo > 0.0 || hi < 0.0,
        _ => false,
    }
}

/// Every arm's statistics of every metric at the given years, in the order
/// metric, year, arm, so that a cell is found by its position.
pub struct ArmTable {
    pub rows: Vec<ArmStat>,
    years: Vec<u32>,
    arms: usize,
}

impl ArmTable {
    /// Metric `m` (index in `METRICS`) at report year `y` for arm `v`.
    pub fn get(&self, m: usize, y: u32, v: usize) -> &ArmStat {
        let yi = self
            .years
            .iter()
            .position(|&x| x == y)
            .expect("a report year");
        &self.rows[(m * self.years.len() + yi) * self.arms + v]
    }
}

/// Every arm's statistics of every metric at the given years.
pub fn arm_stats(plan: &Plan, runs: &Runs, years: &[u32]) -> ArmTable {
    let mut out = Vec::new();
    for (m, def) in crate::metrics::METRICS.iter().enumerate() {
        for &y in years {
            let base = values(plan, runs, 0, y, m);
            for v in 0..plan.variants.len() {
                let xs = values(plan, runs, v, y, m);
                let diff = if v == 0 || plan.spec.kind != Kind::Compare {
                    None
                } else {
                    let d: Vec<f64> = xs
                        .iter()
                        .zip(&base)
                        .filter(|(a, b)| a.is_finite() && b.is_finite())
                        .map(|(a, b)| a - b)
                        .collect();
                    Some(stats(&d))
                };
                let significant = diff.as_ref().is_some_and(excludes_zero);
                out.push(ArmStat {
                    metric: def.name,
                    year: y,
                    arm: v,
                    stats: stats(&xs),
                    diff,
                    significant,
                });
            }
        }
    }
    ArmTable {
        rows: out,
        years: years.to_vec(),
        arms: plan.variants.len(),
    }
}

/// How much of one arm's difference from the base one mechanism carries
/// (`compare --decompose`), at one report year, for one metric.
#[derive(Clone, Debug, Serialize)]
pub struct Carried {
    pub metric: &'static str,
    pub year: u32,
    /// The compared arm (1 … arms − 1).
    pub arm: usize,
    /// The switch turned off in both arms.
    pub switch: String,
    /// The arm's paired difference from the base, every mechanism on.
    pub effect: Stats,
    /// The same difference with the mechanism off in both arms.
    pub effect_without: Stats,
    /// `effect − effect_without`, paired by replicate: the part of the
    /// difference that needs the mechanism.
    pub carried: Stats,
    /// `carried` as a share of `effect` (of their means); None when the
    /// effect's mean is 0.
    pub share: Option<f64>,
}

/// Paired differences `a − b` of two variants' replicates at one year
/// (replicates where either is not finite are left out).
fn paired(plan: &Plan, runs: &Runs, a: usize, b: usize, year: u32, m: usize) -> Vec<f64> {
    values(plan, runs, a, year, m)
        .iter()
        .zip(values(plan, runs, b, year, m))
        .map(|(x, y)| x - y)
        .collect()
}

/// `compare --decompose`: for every table metric, report year, compared arm
/// and switch, the arm's effect with every mechanism on, with the switch
/// off in both arms, and the part the mechanism carries. With the same
/// seeds in every run, each is paired replicate by replicate.
pub fn decomposition(plan: &Plan, runs: &Runs) -> Vec<Carried> {
    let mut out = Vec::new();
    if plan.switches.is_empty() {
        return out;
    }
    for &m in &plan.metrics {
        for &y in &plan.report_years {
            for arm in 1..plan.arms() {
                let effect = paired(plan, runs, arm, 0, y, m);
                for (s, switch) in plan.switches.iter().enumerate() {
                    let without = paired(
                        plan,
                        runs,
                        plan.switched_off(s, arm),
                        plan.switched_off(s, 0),
                        y,
                        m,
                    );
                    let carried: Vec<f64> =
                        effect.iter().zip(&without).map(|(e, w)| e - w).collect();
                    let (effect, without, carried) =
                        (stats(&effect), stats(&without), stats(&carried));
                    let share = match (carried.mean, effect.mean) {
                        (Some(c), Some(e)) if e != 0.0 => Some(c / e),
                        _ => None,
                    };
                    out.push(Carried {
                        metric: crate::metrics::METRICS[m].name,
                        year: y,
                        arm,
                        switch: switch.clone(),
                        effect,
                        effect_without: without,
                        carried,
                        share,
                    });
                }
            }
        }
    }
    out
}

/// Mean and 95% interval per year of metric `m` for variant `v`:
/// (mean, low, high), NaN where undefined.
pub fn trajectory(plan: &Plan, runs: &Runs, v: usize, m: usize) -> [Vec<f64>; 3] {
    let mut out = [Vec::new(), Vec::new(), Vec::new()];
    for y in 0..=plan.years {
        let s = stats(&values(plan, runs, v, y, m));
        let mean = s.mean.unwrap_or(f64::NAN);
        out[0].push(mean);
        out[1].push(s.ci95_low.unwrap_or(mean));
        out[2].push(s.ci95_high.unwrap_or(mean));
    }
    out
}

/// One parameter's sensitivity measures for one metric (those of the
/// other method are None).
#[derive(Clone, Debug, Default, Serialize)]
pub struct ParamIndex {
    pub metric: &'static str,
    pub parameter: String,
    /// Morris: mean of the elementary effects.
    pub mu: Option<f64>,
    /// Morris: mean of their absolute values (the ranking measure).
    pub mu_star: Option<f64>,
    pub mu_star_ci: Option<(f64, f64)>,
    /// Morris: their standard deviation (interactions, non-linearity).
    pub sigma: Option<f64>,
    /// Sobol first-order index.
    pub s1: Option<f64>,
    pub s1_ci: Option<(f64, f64)>,
    /// Sobol total index.
    pub st: Option<f64>,
    pub st_ci: Option<(f64, f64)>,
}

/// The output of each design point: metric `m` at the analysed year,
/// averaged over the point's replicates (non-finite replicates skipped).
pub fn point_outputs(plan: &Plan, runs: &Runs, m: usize) -> Vec<f64> {
    (0..plan.variants.len())
        .map(|v| {
            stats(&values(plan, runs, v, plan.year, m))
                .mean
                .unwrap_or(f64::NAN)
        })
        .collect()
}

fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

fn finite_pair(p: (f64, f64)) -> Option<(f64, f64)> {
    (p.0.is_finite() && p.1.is_finite()).then_some(p)
}

/// Sensitivity indices of every parameter for each metric, in parameter order.
pub fn indices(plan: &Plan, runs: &Runs, metrics: &[usize]) -> Vec<ParamIndex> {
    let k = plan.spec.params.len();
    let defs = crate::metrics::METRICS;
    let mut out = Vec::new();
    for &m in metrics {
        let y = point_outputs(plan, runs, m);
        let ix: Vec<ParamIndex> = match plan.spec.method {
            Method::Morris => sensitivity::morris_analyze(
                &plan.unit_design,
                &y,
                k,
                plan.spec.bootstrap as usize,
                plan.spec.design_seed,
            )
            .into_iter()
            .map(|i| ParamIndex {
                mu: finite(i.mu),
                mu_star: finite(i.mu_star),
                mu_star_ci: finite_pair(i.mu_star_ci),
                sigma: finite(i.sigma),
                ..Default::default()
            })
            .collect(),
            Method::Sobol => sensitivity::sobol_analyze(
                &y,
                k,
                plan.spec.samples as usize,
                plan.spec.bootstrap as usize,
                plan.spec.design_seed,
            )
            .into_iter()
            .map(|i| ParamIndex {
                s1: finite(i.s1),
                s1_ci: finite_pair(i.s1_ci),
                st: finite(i.st),
                st_ci: finite_pair(i.st_ci),
                ..Default::default()
            })
            .collect(),
        };
        for (p, index) in plan.spec.params.iter().zip(ix) {
            out.push(ParamIndex {
                metric: defs[m].name,
                parameter: p.key.clone(),
                ..index
            });
        }
    }
    out
}
