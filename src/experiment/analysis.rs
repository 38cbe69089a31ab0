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
    let r = plan.replicates();
    (0..r).map(|k| runs[v * r + k][year as usize][m]).collect()
}

/// The observations an interval counts, from one variant's values in run
/// order (`values`, or paired differences of two variants'). Without an
/// ensemble, its replicates. With one (`--ensemble`), its draws, each the
/// mean of the draw's finite replicates (NaN if none): runs on one draw
/// share its parameters, so 4 replicates on each of 3 draws are 3
/// observations of the average over plausible services, not 12; an
/// interval over the 12 as if independent is too narrow by the spread
/// between draws (a planner's audit: 1.4-1.5 times too narrow at the
/// defaults, and narrow enough at 3 draws to call an effect whose draws
/// ranged from -10.9 to -0.7 points clear of 0). An ensemble of one
/// draw has no spread between draws to measure: its replicates are the
/// observations, as in a plain comparison at that draw's values.
pub fn observations(plan: &Plan, xs: &[f64]) -> Vec<f64> {
    if !by_draw(plan) {
        return xs.to_vec();
    }
    draw_means(xs, plan.spec.replicates as usize)
}

/// Per draw of `per` consecutive runs, the mean of its finite values (NaN
/// when it has none).
fn draw_means(xs: &[f64], per: usize) -> Vec<f64> {
    xs.chunks(per.max(1))
        .map(|c| {
            let (sum, n) = c
                .iter()
                .filter(|x| x.is_finite())
                .fold((0.0, 0usize), |(s, n), x| (s + x, n + 1));
            if n == 0 { f64::NAN } else { sum / n as f64 }
        })
        .collect()
}

/// `a − b` run by run: not finite where either is not, which every
/// statistic then leaves out (a pair with a missing value).
fn differences(a: &[f64], b: &[f64]) -> Vec<f64> {
    a.iter().zip(b).map(|(x, y)| x - y).collect()
}

/// Whether intervals count draws rather than replicates
/// ([`observations`]): an ensemble of two draws or more.
pub fn by_draw(plan: &Plan) -> bool {
    plan.draws.len() > 1
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

/// Whether metric `name` is proportional to the size of the service (a
/// bill, a headcount, a flow of officers a year), so that a scaled run's
/// value is the full service's times the scale. Boards held are one a
/// sitting whatever the size.
pub fn grows_with_service(name: &str) -> bool {
    name != "boards_held"
        && matches!(
            crate::metrics::unit_of(name),
            Some("million PKR" | "per year" | "officers" | "posts")
        )
}

/// Every arm's statistics of every metric at the given years.
pub fn arm_stats(plan: &Plan, runs: &Runs, years: &[u32]) -> ArmTable {
    // Sized once: a sweep of 10,000 points holds half a million rows, and
    // growing by doubling held twice that at its peak.
    let mut out =
        Vec::with_capacity(crate::metrics::METRICS.len() * years.len() * plan.variants.len());
    for (m, def) in crate::metrics::METRICS.iter().enumerate() {
        for &y in years {
            let base = values(plan, runs, 0, y, m);
            for v in 0..plan.variants.len() {
                let xs = values(plan, runs, v, y, m);
                let diff = if v == 0 || plan.spec.kind != Kind::Compare {
                    None
                } else {
                    Some(stats(&observations(plan, &differences(&xs, &base))))
                };
                let significant = diff.as_ref().is_some_and(excludes_zero);
                out.push(ArmStat {
                    metric: def.name,
                    year: y,
                    arm: v,
                    stats: crate::metrics::level_stats(def.name, &observations(plan, &xs)),
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

/// What one compared arm costs and what it buys at one report year: the
/// paired difference of its yearly wage plus pension bill from the base's,
/// and each metric's paired difference per unit of that extra cost.
/// Costs are of the service as its scenario describes it: a run at
/// `--scale f` has bills f times as large, so they are divided by f.
#[derive(Clone, Debug, Serialize)]
pub struct CostEffect {
    pub year: u32,
    /// The compared arm (1 … arms − 1).
    pub arm: usize,
    /// Extra wage plus pension bill a year against the base, million PKR,
    /// full service; paired by replicate.
    pub extra_cost: Stats,
    /// Its interval excludes 0.
    pub costs_differ: bool,
    /// With `--ensemble`: the share of plausible services (draws with a
    /// value) in which the option costs less than the base (ties count
    /// half), and how many draws that counts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cheaper_share: Option<(f64, usize)>,
    pub per_cost: Vec<PerCost>,
}

/// A metric's paired difference from the base per billion PKR a year of
/// extra cost (full service), with its 95% interval by Fieller's theorem
/// (`summary::ratio_of_means`; `None` when unbounded).
#[derive(Clone, Debug, Serialize)]
pub struct PerCost {
    pub metric: &'static str,
    pub per_billion: Option<f64>,
    pub ci95: Option<(f64, f64)>,
}

/// The [`CostEffect`] of every compared arm at every report year, for the
/// plan's metrics other than the bills.
pub fn cost_effects(plan: &Plan, runs: &Runs) -> Vec<CostEffect> {
    let (Some(wage), Some(pension)) = (
        crate::metrics::metric_index("wage_bill"),
        crate::metrics::metric_index("pension_bill"),
    ) else {
        return Vec::new();
    };
    let scale = plan.spec.scale.unwrap_or(1.0);
    let bill = |v: usize, y: u32| -> Vec<f64> {
        values(plan, runs, v, y, wage)
            .iter()
            .zip(values(plan, runs, v, y, pension))
            .map(|(w, p)| (w + p) / scale)
            .collect()
    };
    let mut out = Vec::new();
    for &y in &plan.report_years {
        let base_bill = bill(0, y);
        for v in 1..plan.arms() {
            let dc = differences(&bill(v, y), &base_bill);
            let extra_cost = stats(&observations(plan, &dc));
            let costs_differ = excludes_zero(&extra_cost);
            let cheaper_share = (!plan.draws.is_empty()).then(|| {
                let per_draw: Vec<f64> = draw_means(&dc, plan.spec.replicates as usize)
                    .into_iter()
                    .filter(|x| x.is_finite())
                    .collect();
                (share_above_zero(&per_draw, -1.0), per_draw.len())
            });
            // Per billion: the cost in billions.
            let dc_bn: Vec<f64> = dc.iter().map(|c| c / 1000.0).collect();
            let per_cost = plan
                .metrics
                .iter()
                .filter(|&&m| m != wage && m != pension)
                .map(|&m| {
                    let mut dm =
                        differences(&values(plan, runs, v, y, m), &values(plan, runs, 0, y, m));
                    // The cost is the full service's: so is the effect of a
                    // metric that grows with the service (bills, counts,
                    // flows), and the ratio does not depend on the scale.
                    if grows_with_service(crate::metrics::METRICS[m].name) {
                        dm.iter_mut().for_each(|d| *d /= scale);
                    }
                    // Pairs where either is missing are left out before a
                    // draw's means are taken, so both count the same runs.
                    let both = |x: &[f64], other: &[f64]| -> Vec<f64> {
                        x.iter()
                            .zip(other)
                            .map(|(a, b)| if b.is_finite() { *a } else { f64::NAN })
                            .collect()
                    };
                    let r = crate::metrics::summary::ratio_of_means(
                        &observations(plan, &both(&dm, &dc_bn)),
                        &observations(plan, &both(&dc_bn, &dm)),
                    );
                    PerCost {
                        metric: crate::metrics::METRICS[m].name,
                        per_billion: r.map(|r| r.0),
                        ci95: r.and_then(|r| r.1),
                    }
                })
                .collect();
            out.push(CostEffect {
                year: y,
                arm: v,
                extra_cost,
                costs_differ,
                cheaper_share,
                per_cost,
            });
        }
    }
    out
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
    differences(
        &values(plan, runs, a, year, m),
        &values(plan, runs, b, year, m),
    )
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

/// One option's standing over the plausible services of an ensemble
/// (`--ensemble`), for one metric at one year. Each draw of the posterior
/// is one plausible service; on it, an option's value is the mean of its
/// replicates, and its effect the mean paired difference from the base
/// (the first arm). The spread of the effect across draws is what the
/// targets leave open about the parameters, plus the replicates' luck.
#[derive(Clone, Debug, Serialize)]
pub struct EnsembleStat {
    pub metric: &'static str,
    pub year: u32,
    pub arm: usize,
    /// Which way is better (`None`: the metric has no better direction,
    /// and probabilities are of a higher value).
    pub higher_is_better: Option<bool>,
    /// Mean over the draws, each the mean of its replicates (the
    /// comparison table's mean).
    pub mean: f64,
    /// Mean effect over the draws (0 for the base).
    pub effect: f64,
    /// 5th and 95th percentiles of the draws' effects: the range of
    /// effects over plausible services.
    pub effect_p05: f64,
    pub effect_p95: f64,
    /// The 95% t interval of the mean effect over plausible services: of
    /// the draws' effects (each its replicates' mean paired difference),
    /// so it counts the spread between draws and the replicates' luck
    /// within them; the comparison's table prints the same interval.
    pub effect_ci95: (f64, f64),
    /// Share of draws in which the option beats the base (is higher, when
    /// the metric has no better direction); ties count half.
    pub p_better: f64,
    /// The draws `p_better` counts (those with a finite effect).
    pub counted: usize,
    /// Every one of those draws' effects is exactly 0 (the option is the
    /// base on every draw).
    pub all_zero: bool,
    /// Share of draws in which the option is the best of all (ties split).
    pub p_first: f64,
    /// How far the option falls behind the best option, per draw: mean and
    /// 95th percentile (0 when it is best; NaN without a direction).
    pub regret_mean: f64,
    pub regret_p95: f64,
}

/// The share of `xs` (finite values) that `sign · x` puts above 0, ties
/// counting half; NaN for none. P(better) over the draws, and the share of
/// draws in which an option is cheaper (`sign` −1).
fn share_above_zero(xs: &[f64], sign: f64) -> f64 {
    if xs.is_empty() {
        return f64::NAN;
    }
    xs.iter()
        .map(|e| match (sign * e).partial_cmp(&0.0) {
            Some(std::cmp::Ordering::Greater) => 1.0,
            Some(std::cmp::Ordering::Equal) => 0.5,
            _ => 0.0,
        })
        .sum::<f64>()
        / xs.len() as f64
}

/// Percentile `q` of `xs` (linear interpolation between order statistics).
fn percentile(xs: &[f64], q: f64) -> f64 {
    let mut v: Vec<f64> = xs.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let pos = q * (v.len() - 1) as f64;
    let (i, f) = (pos.floor() as usize, pos.fract());
    if i + 1 < v.len() {
        v[i] + f * (v[i + 1] - v[i])
    } else {
        v[i]
    }
}

/// Every arm's [`EnsembleStat`] for each metric of `metrics` at each year.
pub fn ensemble_stats(
    plan: &Plan,
    runs: &Runs,
    years: &[u32],
    metrics: &[usize],
) -> Vec<EnsembleStat> {
    let per = plan.spec.replicates as usize;
    let draws = plan.draw_count();
    let arms = plan.arms();
    let mut out = Vec::new();
    for &m in metrics {
        let name = crate::metrics::METRICS[m].name;
        let better = crate::metrics::higher_is_better(name);
        for &y in years {
            // value[arm][draw]: the draw's mean over its replicates.
            let all: Vec<Vec<f64>> = (0..arms).map(|v| values(plan, runs, v, y, m)).collect();
            let by_draw: Vec<Vec<f64>> = all.iter().map(|xs| draw_means(xs, per)).collect();
            // Oriented so that larger is better (or higher, without a direction).
            let sign = if better == Some(false) { -1.0 } else { 1.0 };
            let mut first = vec![0.0; arms];
            let mut regrets: Vec<Vec<f64>> = vec![Vec::new(); arms];
            for d in 0..draws {
                let vals: Vec<f64> = by_draw.iter().map(|arm| sign * arm[d]).collect();
                if vals.iter().any(|x| !x.is_finite()) {
                    continue;
                }
                let best = vals.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let winners = vals.iter().filter(|&&x| x == best).count() as f64;
                for v in 0..arms {
                    if vals[v] == best {
                        first[v] += 1.0 / winners;
                    }
                    regrets[v].push(best - vals[v]);
                }
            }
            let counted = regrets[0].len().max(1) as f64;
            for v in 0..arms {
                // Each draw's effect: the mean of its replicates' paired
                // differences (a pair with a missing value left out), as
                // the comparison's table counts them.
                let paired = differences(&all[v], &all[0]);
                let effects = draw_means(&paired, per);
                let finite: Vec<f64> = effects.iter().copied().filter(|x| x.is_finite()).collect();
                let p_better = if v == 0 {
                    f64::NAN
                } else {
                    share_above_zero(&finite, sign)
                };
                // As the comparison's table computes it (`arm_stats`).
                let ci = stats(&observations(plan, &paired));
                let directed = better.is_some();
                out.push(EnsembleStat {
                    metric: name,
                    year: y,
                    arm: v,
                    higher_is_better: better,
                    mean: stats(&observations(plan, &all[v])).mean.unwrap_or(f64::NAN),
                    effect: if finite.is_empty() {
                        f64::NAN
                    } else {
                        finite.iter().sum::<f64>() / finite.len() as f64
                    },
                    effect_p05: percentile(&effects, 0.05),
                    effect_p95: percentile(&effects, 0.95),
                    effect_ci95: (
                        ci.ci95_low.unwrap_or(f64::NAN),
                        ci.ci95_high.unwrap_or(f64::NAN),
                    ),
                    p_better,
                    counted: finite.len(),
                    all_zero: !finite.is_empty() && finite.iter().all(|&e| e == 0.0),
                    p_first: if directed {
                        first[v] / counted
                    } else {
                        f64::NAN
                    },
                    regret_mean: if directed && !regrets[v].is_empty() {
                        regrets[v].iter().sum::<f64>() / regrets[v].len() as f64
                    } else {
                        f64::NAN
                    },
                    regret_p95: if directed {
                        percentile(&regrets[v], 0.95)
                    } else {
                        f64::NAN
                    },
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::grows_with_service;

    #[test]
    fn what_grows_with_the_service_is_told_from_what_does_not() {
        for m in [
            "rent_taken",
            "detections",
            "headcount",
            "posts",
            "wage_bill",
        ] {
            assert!(grows_with_service(m), "{m}");
        }
        // One board a sitting at any size; shares, scores and counts of
        // elections do not grow either.
        for m in [
            "boards_held",
            "corruption_prevalence",
            "efficiency",
            "government_changes",
        ] {
            assert!(!grows_with_service(m), "{m}");
        }
    }
}
