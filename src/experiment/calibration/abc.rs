//! Approximate Bayesian computation by sequential Monte Carlo (population
//! Monte Carlo: Beaumont, Cornuet, Marin & Robert 2009; adaptive
//! tolerances as in Del Moral, Doucet & Jasra 2012 and pyABC), the engine
//! of `bureausim calibrate`'s fit. It knows nothing of the simulator: a
//! `distance` closure takes a parameter vector and a seed and returns the
//! distance of the simulated outputs from the targets (`None` for a
//! simulation that failed, which is counted and never accepted).
//!
//! Generation 0 draws `particles` parameter vectors from the prior (uniform
//! on each parameter's bounds, or log-uniform), and keeps them all; each
//! later generation's tolerance is the `quantile` of the last generation's
//! distances, and proposals — a particle of the last generation drawn by
//! weight, moved by a normal kernel with twice the weighted covariance (in
//! the log of log-uniform parameters), redrawn when outside the bounds —
//! are accepted while their distance is within it, until `particles` are
//! accepted. Weights are prior density over the kernel mixture density.
//!
//! Stopping rules, checked after every simulation so that a run never goes
//! on past them: the simulation budget; an acceptance rate below the floor
//! (once `min_tries` proposals of a generation have been simulated); a
//! tolerance that improved by less than `min_improvement` (relative) from
//! one generation to the next; the number of generations. [`Stop`] says
//! which one ended the run. Proposals are simulated in batches; those of a
//! batch after the one that fills a generation count against the budget
//! (they were simulated) but are no tries of it, so the acceptance rate
//! and its stopping rule see only the proposals the generation needed.
//!
//! Reproducible: proposal k of generation t draws from its own stream
//! (seed, t, k), and proposals are simulated in batches whose results are
//! taken in proposal order, so the thread count does not change the result.
//!
//! Shared work ([`fit_shared`]): the proposals of a generation depend only
//! on the generations before it, so machines can simulate disjoint shares
//! of them at once. When the distance of a proposal is another machine's
//! and not known yet ([`Eval::Elsewhere`]), the engine stops there
//! ([`Stop::Pending`]) after offering the rest of a window of the
//! generation's proposals (enough, at the acceptance rate expected, to fill
//! it), so each machine simulates its share of them. Once every distance of
//! the window is known (the machines' journals combined), the next run goes
//! on from there; the fit is the same as one machine's, whoever simulated
//! what.

use rayon::prelude::*;

use crate::rng::Stream;

/// One parameter's prior: bounds, and whether it is drawn log-uniformly.
#[derive(Clone, Debug, PartialEq)]
pub struct Prior {
    pub name: String,
    pub low: f64,
    pub high: f64,
    pub log: bool,
}

impl Prior {
    /// The parameter on the scale the kernel moves it on.
    fn work(&self, x: f64) -> f64 {
        if self.log { x.ln() } else { x }
    }
    /// Back from the work scale.
    fn natural(&self, z: f64) -> f64 {
        if self.log { z.exp() } else { z }
    }
    /// The bounds on the work scale.
    fn bounds_work(&self) -> (f64, f64) {
        (self.work(self.low), self.work(self.high))
    }
}

/// Settings of a fit.
#[derive(Clone, Debug)]
pub struct Settings {
    pub particles: usize,
    /// Quantile of the last generation's distances that sets the next
    /// tolerance (0.5: the median).
    pub quantile: f64,
    /// Most simulations in all.
    pub budget: usize,
    /// Most generations (generation 0 included).
    pub max_generations: usize,
    /// Stop when a generation's acceptance rate falls below this.
    pub min_acceptance: f64,
    /// Proposals a generation must have simulated before its acceptance
    /// rate can stop the run.
    pub min_tries: usize,
    /// Stop when the tolerance falls by less than this share.
    pub min_improvement: f64,
    /// Proposals simulated at once (in parallel).
    pub batch: usize,
    pub seed: u64,
}

/// Why a fit stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    Budget,
    LowAcceptance,
    ToleranceStalled,
    Generations,
    /// Not finished: a distance another machine simulates is not known yet.
    Pending,
}

/// What the distance closure of [`fit_shared`] knows of a proposal.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Eval {
    /// Simulated (here or read back): the distance, `None` if it failed.
    Known(Option<f64>),
    /// Another machine's to simulate, and not known yet.
    Elsewhere,
}

impl Stop {
    /// In words, for the report.
    pub fn words(self) -> &'static str {
        match self {
            Stop::Budget => "the simulation budget was spent",
            Stop::LowAcceptance => "the acceptance rate fell below its floor",
            Stop::ToleranceStalled => "the tolerance stopped improving",
            Stop::Generations => "the last generation was reached",
            Stop::Pending => "it waits for simulations of other shards",
        }
    }
}

/// One generation's accepted particles.
#[derive(Clone, Debug)]
pub struct Generation {
    pub tolerance: f64,
    pub params: Vec<Vec<f64>>,
    pub weights: Vec<f64>,
    pub distances: Vec<f64>,
    /// The seed each accepted particle was simulated with.
    pub seeds: Vec<u64>,
    /// Proposals simulated, and those whose simulation failed.
    pub tries: usize,
    pub failed: usize,
}

impl Generation {
    pub fn acceptance(&self) -> f64 {
        self.params.len() as f64 / self.tries.max(1) as f64
    }
}

/// The result: every complete generation, and why the fit stopped.
#[derive(Clone, Debug)]
pub struct Fit {
    pub generations: Vec<Generation>,
    pub stop: Stop,
    pub simulations: usize,
    /// With [`Stop::Pending`]: the generation that waits, as far as it got.
    pub waiting: Option<Progress>,
}

impl Fit {
    /// The posterior: the last complete generation.
    pub fn posterior(&self) -> &Generation {
        self.generations
            .last()
            .expect("generation 0 is always complete")
    }
}

/// Where a fit is, reported after every batch of simulations.
#[derive(Clone, Copy, Debug)]
pub struct Progress {
    /// The generation being filled (0: the prior).
    pub generation: usize,
    pub tolerance: f64,
    pub accepted: usize,
    pub tries: usize,
    pub simulations: usize,
}

/// Runs the fit. `distance(params, seed)` simulates and measures; the
/// seed is distinct for every proposal. `progress` hears after every
/// batch.
pub fn fit(
    priors: &[Prior],
    s: &Settings,
    distance: &(dyn Fn(&[f64], u64) -> Option<f64> + Sync),
    progress: &dyn Fn(&Progress),
) -> Fit {
    fit_shared(
        priors,
        s,
        &|x, seed| Eval::Known(distance(x, seed)),
        progress,
    )
}

/// The bits every proposal seed of a fit seeded with `seed` shares: the
/// seed mixed (SplitMix64), so that fits with neighbouring seeds (5 and 6)
/// share no model seed. Before, the fit's seed itself was the base, and
/// fits with `--seed 5` and `--seed 6` ran most of their proposals on the
/// same model seeds (`5 ^ (k + 1)` and `6 ^ (k' + 1)` meet for most `k`),
/// so repeated fits meant to show the Monte Carlo error were correlated.
pub fn seed_base(seed: u64) -> u64 {
    crate::rng::splitmix(seed ^ 0x6162_632d_7365_6564) // "abc-seed"
}

/// The name of the rule [`proposal_seed`] follows, as the fingerprint and
/// the manifest (`calibration.json`) record it: a label, kept as first
/// written (it is hashed into every fingerprint since 2026-12-05), not the
/// formula; [`seed_base`] mixes the seed with a constant before SplitMix64.
pub const SEED_RULE: &str = "splitmix(seed) ^ generation << 40 ^ (proposal + 1)";

/// The rule a manifest without one followed: proposals on the fit's seed
/// itself (before 2026-12-05).
pub const OLD_SEED_RULE: &str = "seed ^ generation << 40 ^ (proposal + 1), before 2026-12-05";

/// The seed of proposal `k` of generation `t` of a fit seeded with `seed`:
/// the fit's [`seed_base`] with the generation in the bits from 40 up and
/// `k + 1` below, so that the engine's order (generation, proposal) can be
/// read back from it (`run::order_of`).
pub fn proposal_seed_of(seed: u64, t: usize, k: usize) -> u64 {
    seed_base(seed) ^ ((t as u64) << 40) ^ (k as u64 + 1)
}

/// The seed of proposal `k` of generation `t` of this fit.
fn proposal_seed(s: &Settings, t: usize, k: usize) -> u64 {
    proposal_seed_of(s.seed, t, k)
}

/// The proposal after which a generation's window of shared work ends:
/// enough proposals past `at` to accept the `wanted` particles still
/// missing at the acceptance rate expected (`expected`), with a margin of a
/// fifth, and never past the budget.
fn window_end(s: &Settings, at: usize, wanted: usize, expected: f64, budget_left: usize) -> usize {
    let rate = expected.clamp(s.min_acceptance.max(0.01), 1.0);
    let n = ((1.2 * wanted as f64 / rate).ceil() as usize).max(s.batch.max(1));
    at + n.min(budget_left)
}

/// The acceptance rate expected for generation `t` before it has data of
/// its own: all for the prior; for the first tolerance, about the quantile;
/// later, three quarters of the last generation's (tolerances tighten).
fn expected_acceptance(s: &Settings, generations: &[Generation], current: &Generation) -> f64 {
    if current.tries >= 50 {
        return current.acceptance();
    }
    match generations.len() {
        0 => 1.0,
        1 => s.quantile,
        _ => 0.75 * generations.last().map_or(1.0, Generation::acceptance),
    }
}

/// [`fit`] with a distance that may be another machine's (see the module's
/// notes): stops with [`Stop::Pending`] at the first such distance, once
/// the rest of the generation's window has been offered to `distance`.
pub fn fit_shared(
    priors: &[Prior],
    s: &Settings,
    distance: &(dyn Fn(&[f64], u64) -> Eval + Sync),
    progress: &dyn Fn(&Progress),
) -> Fit {
    let dims = priors.len();
    let mut simulations = 0usize;
    let mut generations: Vec<Generation> = Vec::new();
    let seed_of = |t: usize, k: usize| proposal_seed(s, t, k);
    // Generation 0: the prior, everything kept.
    let mut g0 = Generation {
        tolerance: f64::INFINITY,
        params: Vec::new(),
        weights: Vec::new(),
        distances: Vec::new(),
        seeds: Vec::new(),
        tries: 0,
        failed: 0,
    };
    let mut k = 0usize;
    while g0.params.len() < s.particles {
        let n = s.batch.max(1).min(s.budget.saturating_sub(simulations));
        if n == 0 {
            break;
        }
        let prior_draw = |j: usize| -> Vec<f64> {
            let mut rng = Stream::new(s.seed, 0, j as u64);
            priors
                .iter()
                .map(|p| {
                    let (a, b) = p.bounds_work();
                    p.natural(rng.range(a, b))
                })
                .collect()
        };
        let proposals: Vec<Vec<f64>> = (k..k + n).map(prior_draw).collect();
        let results: Vec<Eval> = proposals
            .par_iter()
            .enumerate()
            .map(|(i, x)| distance(x, seed_of(0, k + i)))
            .collect();
        for (i, (x, d)) in proposals.into_iter().zip(results).enumerate() {
            let d = match d {
                Eval::Known(d) => d,
                Eval::Elsewhere => {
                    let rate = expected_acceptance(s, &generations, &g0);
                    let left = s.budget.saturating_sub(simulations);
                    let end = window_end(s, k + i, s.particles - g0.params.len(), rate, left);
                    (k + n..end.max(k + n)).into_par_iter().for_each(|j| {
                        distance(&prior_draw(j), seed_of(0, j));
                    });
                    let waiting = Some(Progress {
                        generation: 0,
                        tolerance: f64::INFINITY,
                        accepted: g0.params.len(),
                        tries: g0.tries,
                        simulations,
                    });
                    return Fit {
                        generations: vec![g0],
                        stop: Stop::Pending,
                        simulations,
                        waiting,
                    };
                }
            };
            simulations += 1;
            // A proposal simulated in the batch after the generation filled
            // costs budget but was never a try: it does not lower the
            // acceptance rate.
            if g0.params.len() >= s.particles {
                continue;
            }
            g0.tries += 1;
            match d {
                Some(d) if d.is_finite() && g0.params.len() < s.particles => {
                    g0.params.push(x);
                    g0.distances.push(d);
                    g0.weights.push(1.0);
                    g0.seeds.push(seed_of(0, k + i));
                }
                Some(_) => {}
                None => g0.failed += 1,
            }
        }
        k += n;
        progress(&Progress {
            generation: 0,
            tolerance: f64::INFINITY,
            accepted: g0.params.len(),
            tries: g0.tries,
            simulations,
        });
    }
    normalise(&mut g0.weights);
    if g0.params.len() < s.particles {
        return Fit {
            generations: vec![g0],
            stop: Stop::Budget,
            simulations,
            waiting: None,
        };
    }
    generations.push(g0);
    loop {
        if generations.len() >= s.max_generations {
            return Fit {
                generations,
                stop: Stop::Generations,
                simulations,
                waiting: None,
            };
        }
        let last = generations.last().expect("generation 0");
        let tolerance = weighted_quantile(&last.distances, &last.weights, s.quantile);
        if last.tolerance.is_finite() && tolerance > last.tolerance * (1.0 - s.min_improvement) {
            return Fit {
                generations,
                stop: Stop::ToleranceStalled,
                simulations,
                waiting: None,
            };
        }
        let t = generations.len();
        let work: Vec<Vec<f64>> = last
            .params
            .iter()
            .map(|x| x.iter().zip(priors).map(|(v, p)| p.work(*v)).collect())
            .collect();
        let cov = weighted_cov(&work, &last.weights, dims);
        let chol = cholesky(&cov.iter().map(|v| v * 2.0).collect::<Vec<_>>(), dims);
        let cumulative: Vec<f64> = last
            .weights
            .iter()
            .scan(0.0, |acc, w| {
                *acc += w;
                Some(*acc)
            })
            .collect();
        let mut next = Generation {
            tolerance,
            params: Vec::new(),
            weights: Vec::new(),
            distances: Vec::new(),
            seeds: Vec::new(),
            tries: 0,
            failed: 0,
        };
        let mut accepted_work: Vec<Vec<f64>> = Vec::new();
        let mut k = 0usize;
        while next.params.len() < s.particles {
            let n = s.batch.max(1).min(s.budget.saturating_sub(simulations));
            if n == 0 {
                return Fit {
                    generations,
                    stop: Stop::Budget,
                    simulations,
                    waiting: None,
                };
            }
            let draw = |j: usize| -> Vec<f64> {
                let mut rng = Stream::new(s.seed, t as u64, j as u64);
                propose(&mut rng, &work, &cumulative, &chol, priors)
            };
            let natural = |z: &[f64]| -> Vec<f64> {
                z.iter().zip(priors).map(|(v, p)| p.natural(*v)).collect()
            };
            let proposals: Vec<Vec<f64>> = (k..k + n).map(draw).collect();
            let results: Vec<Eval> = proposals
                .par_iter()
                .enumerate()
                .map(|(i, z)| distance(&natural(z), seed_of(t, k + i)))
                .collect();
            for (i, (z, d)) in proposals.into_iter().zip(results).enumerate() {
                let d = match d {
                    Eval::Known(d) => d,
                    Eval::Elsewhere => {
                        let rate = expected_acceptance(s, &generations, &next);
                        let left = s.budget.saturating_sub(simulations);
                        let wanted = s.particles - next.params.len();
                        let end = window_end(s, k + i, wanted, rate, left);
                        (k + n..end.max(k + n)).into_par_iter().for_each(|j| {
                            distance(&natural(&draw(j)), seed_of(t, j));
                        });
                        return Fit {
                            generations,
                            stop: Stop::Pending,
                            simulations,
                            waiting: Some(Progress {
                                generation: t,
                                tolerance,
                                accepted: next.params.len(),
                                tries: next.tries,
                                simulations,
                            }),
                        };
                    }
                };
                simulations += 1;
                // As in generation 0: past the particle that filled the
                // generation, a simulation is no try, and the
                // low-acceptance stop cannot discard the full generation.
                if next.params.len() >= s.particles {
                    continue;
                }
                next.tries += 1;
                match d {
                    Some(d) if d <= tolerance && next.params.len() < s.particles => {
                        next.params
                            .push(z.iter().zip(priors).map(|(v, p)| p.natural(*v)).collect());
                        next.distances.push(d);
                        next.seeds.push(seed_of(t, k + i));
                        accepted_work.push(z);
                    }
                    Some(_) => {}
                    None => next.failed += 1,
                }
                if next.tries >= s.min_tries && next.acceptance() < s.min_acceptance {
                    return Fit {
                        generations,
                        stop: Stop::LowAcceptance,
                        simulations,
                        waiting: None,
                    };
                }
            }
            k += n;
            progress(&Progress {
                generation: t,
                tolerance,
                accepted: next.params.len(),
                tries: next.tries,
                simulations,
            });
        }
        // Weights: prior density (uniform on the work scale) over the
        // kernel mixture's density at each accepted particle.
        let inverse = invert_lower(&chol, dims);
        next.weights = accepted_work
            .iter()
            .map(|z| {
                let mix: f64 = work
                    .iter()
                    .zip(&last.weights)
                    .map(|(x, w)| w * kernel(z, x, &inverse, dims))
                    .sum();
                if mix > 0.0 { 1.0 / mix } else { 0.0 }
            })
            .collect();
        normalise(&mut next.weights);
        generations.push(next);
    }
}

fn normalise(w: &mut [f64]) {
    let sum: f64 = w.iter().sum();
    if sum > 0.0 {
        for x in w.iter_mut() {
            *x /= sum;
        }
    }
}

/// The `q` quantile of `values` under `weights` (summing to 1).
pub fn weighted_quantile(values: &[f64], weights: &[f64], q: f64) -> f64 {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]).then(a.cmp(&b)));
    let mut acc = 0.0;
    for &i in &order {
        acc += weights[i];
        if acc >= q {
            return values[i];
        }
    }
    order.last().map(|&i| values[i]).unwrap_or(f64::NAN)
}

fn weighted_cov(x: &[Vec<f64>], w: &[f64], d: usize) -> Vec<f64> {
    let mut mean = vec![0.0; d];
    for (row, wi) in x.iter().zip(w) {
        for j in 0..d {
            mean[j] += wi * row[j];
        }
    }
    let mut c = vec![0.0; d * d];
    for (row, wi) in x.iter().zip(w) {
        for a in 0..d {
            for b in 0..d {
                c[a * d + b] += wi * (row[a] - mean[a]) * (row[b] - mean[b]);
            }
        }
    }
    // A floor on the diagonal keeps the kernel proper when particles
    // collapse onto one value.
    for a in 0..d {
        c[a * d + a] = c[a * d + a].max(1e-12);
    }
    c
}

/// Lower-triangular Cholesky factor of a d×d matrix (row-major).
fn cholesky(m: &[f64], d: usize) -> Vec<f64> {
    let mut l = vec![0.0; d * d];
    for i in 0..d {
        for j in 0..=i {
            let s: f64 = (0..j).map(|k| l[i * d + k] * l[j * d + k]).sum();
            if i == j {
                l[i * d + i] = (m[i * d + i] - s).max(1e-300).sqrt();
            } else {
                l[i * d + j] = (m[i * d + j] - s) / l[j * d + j];
            }
        }
    }
    l
}

/// Inverse of a lower-triangular matrix.
fn invert_lower(l: &[f64], d: usize) -> Vec<f64> {
    let mut inv = vec![0.0; d * d];
    for i in 0..d {
        inv[i * d + i] = 1.0 / l[i * d + i];
        for j in 0..i {
            let s: f64 = (j..i).map(|k| l[i * d + k] * inv[k * d + j]).sum();
            inv[i * d + j] = -s / l[i * d + i];
        }
    }
    inv
}

/// The kernel's density at `z` around `x`, up to a constant factor common
/// to every particle (it cancels when the weights are normalised).
fn kernel(z: &[f64], x: &[f64], inv: &[f64], d: usize) -> f64 {
    let diff: Vec<f64> = z.iter().zip(x).map(|(a, b)| a - b).collect();
    let mut q = 0.0;
    for i in 0..d {
        let y: f64 = (0..=i).map(|k| inv[i * d + k] * diff[k]).sum();
        q += y * y;
    }
    (-0.5 * q).exp()
}

/// A proposal on the work scale: a particle drawn by weight, moved by the
/// kernel, redrawn until inside the bounds (at most 1,000 times; then the
/// particle itself).
fn propose(
    rng: &mut Stream,
    work: &[Vec<f64>],
    cumulative: &[f64],
    chol: &[f64],
    priors: &[Prior],
) -> Vec<f64> {
    let d = priors.len();
    let total = cumulative.last().copied().unwrap_or(1.0);
    for _ in 0..1000 {
        let u = rng.uniform() * total;
        let i = cumulative.partition_point(|c| *c < u).min(work.len() - 1);
        let e: Vec<f64> = (0..d).map(|_| rng.normal()).collect();
        let z: Vec<f64> = (0..d)
            .map(|a| work[i][a] + (0..=a).map(|k| chol[a * d + k] * e[k]).sum::<f64>())
            .collect();
        if z.iter().zip(priors).all(|(v, p)| {
            let (lo, hi) = p.bounds_work();
            (lo..=hi).contains(v)
        }) {
            return z;
        }
    }
    work[0].clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(seed: u64) -> Settings {
        Settings {
            particles: 200,
            quantile: 0.5,
            budget: 20_000,
            max_generations: 8,
            min_acceptance: 0.01,
            min_tries: 200,
            min_improvement: 0.0,
            batch: 64,
            seed,
        }
    }

    /// A toy model: the mean of 20 draws of N(θ, 1); the target is an
    /// observed mean of 2 from a known θ = 2.
    fn toy(theta: &[f64], seed: u64) -> Option<f64> {
        let mut rng = Stream::new(seed, 0, 0);
        let m = (0..20).map(|_| theta[0] + rng.normal()).sum::<f64>() / 20.0;
        Some((m - 2.0).abs())
    }

    #[test]
    fn fits_with_neighbouring_seeds_share_no_model_seed() {
        let priors = [Prior {
            name: "theta".into(),
            low: -10.0,
            high: 10.0,
            log: false,
        }];
        let seeds_of = |seed: u64| {
            let seen = std::sync::Mutex::new(std::collections::BTreeSet::new());
            let mut s = settings(seed);
            s.budget = 1_000;
            fit(
                &priors,
                &s,
                &|x, k| {
                    seen.lock().unwrap().insert(k);
                    toy(x, k)
                },
                &|_| {},
            );
            seen.into_inner().unwrap()
        };
        let (five, six) = (seeds_of(5), seeds_of(6));
        assert!(
            five.len() >= 900 && six.len() >= 900,
            "{} {}",
            five.len(),
            six.len()
        );
        assert_eq!(five.intersection(&six).count(), 0);
    }

    #[test]
    fn a_known_parameter_is_recovered_inside_the_posterior() {
        let priors = [Prior {
            name: "theta".into(),
            low: -10.0,
            high: 10.0,
            log: false,
        }];
        let f = fit(&priors, &settings(7), &toy, &|_| {});
        let post = f.posterior();
        assert!(
            f.generations.len() >= 4,
            "{} generations",
            f.generations.len()
        );
        let xs: Vec<f64> = post.params.iter().map(|p| p[0]).collect();
        let lo = weighted_quantile(&xs, &post.weights, 0.05);
        let hi = weighted_quantile(&xs, &post.weights, 0.95);
        assert!(lo < 2.0 && 2.0 < hi, "90% interval [{lo}, {hi}]");
        assert!(
            hi - lo < 2.0,
            "the posterior narrowed from the prior: [{lo}, {hi}]"
        );
        // Tolerances fall generation by generation.
        let tol: Vec<f64> = f.generations.iter().skip(1).map(|g| g.tolerance).collect();
        assert!(tol.windows(2).all(|w| w[1] <= w[0]), "{tol:?}");
    }

    #[test]
    fn the_same_seed_gives_the_same_fit_whatever_the_batch_threads() {
        let priors = [Prior {
            name: "theta".into(),
            low: 0.01,
            high: 100.0,
            log: true,
        }];
        let a = fit(&priors, &settings(3), &toy, &|_| {});
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let b = pool.install(|| fit(&priors, &settings(3), &toy, &|_| {}));
        assert_eq!(a.posterior().params, b.posterior().params);
        assert_eq!(a.simulations, b.simulations);
    }

    #[test]
    fn shares_simulated_on_two_machines_give_the_one_machine_fit() {
        let priors = [Prior {
            name: "theta".into(),
            low: -10.0,
            high: 10.0,
            log: false,
        }];
        let s = settings(5);
        let alone = fit(&priors, &s, &toy, &|_| {});
        let known = std::sync::Mutex::new(std::collections::HashMap::<u64, Option<f64>>::new());
        let mut rounds = 0;
        let shared = loop {
            rounds += 1;
            assert!(rounds < 100, "the shared fit does not finish");
            let mut done = None;
            for machine in 0..2u64 {
                let d = |x: &[f64], seed: u64| {
                    if let Some(d) = known.lock().unwrap().get(&seed) {
                        return Eval::Known(*d);
                    }
                    let proposal = ((seed ^ seed_base(s.seed)) & ((1 << 40) - 1)) - 1;
                    if proposal % 2 != machine {
                        return Eval::Elsewhere;
                    }
                    let d = toy(x, seed);
                    known.lock().unwrap().insert(seed, d);
                    Eval::Known(d)
                };
                let f = fit_shared(&priors, &s, &d, &|_| {});
                if f.stop != Stop::Pending {
                    done = Some(f);
                }
            }
            if let Some(f) = done {
                break f;
            }
        };
        assert_eq!(shared.stop, alone.stop);
        assert_eq!(shared.simulations, alone.simulations);
        assert_eq!(shared.generations.len(), alone.generations.len());
        assert_eq!(shared.posterior().params, alone.posterior().params);
        assert_eq!(shared.posterior().weights, alone.posterior().weights);
        // A round a generation, give or take: the windows are big enough.
        assert!(
            rounds <= 2 * alone.generations.len() + 2,
            "{rounds} rounds for {} generations",
            alone.generations.len()
        );
    }

    #[test]
    fn stopping_rules_fire_and_say_which() {
        let priors = [Prior {
            name: "theta".into(),
            low: -10.0,
            high: 10.0,
            log: false,
        }];
        let mut s = settings(1);
        s.budget = 500;
        let f = fit(&priors, &s, &toy, &|_| {});
        assert_eq!(f.stop, Stop::Budget);
        assert!(f.simulations <= 500);
        let mut s = settings(1);
        s.min_acceptance = 0.6;
        assert_eq!(fit(&priors, &s, &toy, &|_| {}).stop, Stop::LowAcceptance);
        let mut s = settings(1);
        s.max_generations = 2;
        assert_eq!(fit(&priors, &s, &toy, &|_| {}).stop, Stop::Generations);
        let mut s = settings(1);
        s.min_improvement = 0.9;
        assert_eq!(fit(&priors, &s, &toy, &|_| {}).stop, Stop::ToleranceStalled);
        // Failed simulations are counted and never accepted.
        let failing = |x: &[f64], seed: u64| if x[0] > 0.0 { None } else { toy(x, seed) };
        let f = fit(&priors, &settings(2), &failing, &|_| {});
        assert!(f.generations[0].failed > 0);
        assert!(f.posterior().params.iter().all(|p| p[0] <= 0.0));
    }
}
