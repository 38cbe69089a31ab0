//! Global sensitivity analysis: designs in the unit hypercube `[0, 1]^k` and
//! the analysis of the outputs a model returns on them.
//!
//! This module is pure mathematics. The caller scales each unit coordinate to
//! its parameter's range, runs the simulator once per design row, and hands
//! the outputs back in row order. Every result depends only on the arguments:
//! randomness comes from seeded [`Stream`]s (design and bootstrap on distinct
//! stream ids, far from the simulator's own), so designs and intervals are
//! bit-for-bit reproducible.
//!
//! # Morris screening
//!
//! Morris (1991) elementary effects. A trajectory starts at a random point of
//! the grid `{0, 1/(p-1), …, 1}^k` (`p` = `levels`, even) and moves one
//! coordinate at a time, in random order, by `±Δ` with
//! `Δ = p / (2 (p − 1))`, so that `k + 1` points give one elementary effect
//! per parameter:
//!
//! ```text
//! EE_i = (f(x + Δx_i e_i) − f(x)) / Δx_i        (Δx_i = ±Δ)
//! ```
//!
//! measured in output units per unit of the parameter's *normalised* range,
//! so parameters with different units are comparable. Over `r` trajectories:
//!
//! ```text
//! μ_i  = (1/r) Σ EE_i
//! μ*_i = (1/r) Σ |EE_i|                         (Campolongo, Cariboni & Saltelli 2007)
//! σ_i  = sqrt( Σ (EE_i − μ_i)² / (r − 1) )
//! ```
//!
//! `μ*` ranks importance (it cannot cancel like `μ` can for non-monotonic
//! effects); a large `σ` flags non-linearity or interactions. The interval
//! on `μ*` is a 95 % bootstrap percentile interval over resampled
//! trajectories.
//!
//! # Sobol indices
//!
//! Saltelli et al. (2010) sampling: two `n × k` base matrices `A` and `B`
//! (the left and right halves of one `2k`-dimensional Owen-scrambled Sobol'
//! sequence) and, for each `i`, `AB_i` = `A` with column `i` taken from `B`;
//! `n (k + 2)` model runs in all. With `V = Var(Y)` estimated from the
//! outputs on `A` and `B` together:
//!
//! ```text
//! S_i  = (1/n)  Σ_j f(B)_j (f(AB_i)_j − f(A)_j) / V      (Saltelli et al. 2010, table 2 (b))
//! ST_i = (1/2n) Σ_j (f(A)_j − f(AB_i)_j)² / V           (Jansen 1999)
//! ```
//!
//! Outputs are centred on the mean of `f(A)` and `f(B)` first (the
//! estimators are invariant to a shift in expectation; centring removes the
//! noise a large mean would add). Intervals are 95 % bootstrap percentile
//! intervals over the `n` resampled base rows (each resampled row carries its
//! `f(A)`, `f(B)` and every `f(AB_i)`). The bootstrap treats rows as
//! independent, which quasi-random rows are not, so the intervals are, if
//! anything, conservative. Take `n` a power of two: the first `2^m` points of
//! a Sobol' sequence are the ones with its balance properties.
//!
//! # Edge cases
//!
//! * Non-finite outputs are skipped, never propagated: Morris drops every
//!   elementary effect that involves one; Sobol drops base row `j` from
//!   parameter `i`'s indices when `f(A)_j`, `f(B)_j` or `f(AB_i)_j` is not
//!   finite, and estimates `V` from the finite `f(A)` and `f(B)` values.
//!   Each estimate uses the rows that are left, so a few failed runs cost
//!   precision, not the analysis; outputs that fail *systematically* in one
//!   region of the parameter space bias the indices, as any deletion would.
//! * Zero output variance (up to rounding: `V ≤ (8 ε max|y|)²`) makes Sobol
//!   indices undefined: they come back NaN, as do their intervals. Morris
//!   effects are then simply 0.
//! * Statistics with too few values to exist are NaN: `σ` with fewer than
//!   two effects, a parameter with no usable effect or row, an interval with
//!   `bootstrap == 0` or no finite bootstrap replicate.
//! * Malformed input (wrong lengths, a Morris step that does not change
//!   exactly one coordinate) is a programming error and panics.
//!
//! # References
//!
//! * Morris, M. D. (1991). Factorial sampling plans for preliminary
//!   computational experiments. *Technometrics* 33(2), 161–174.
//! * Campolongo, F., Cariboni, J. & Saltelli, A. (2007). An effective
//!   screening design for sensitivity analysis of large models.
//!   *Environmental Modelling & Software* 22(10), 1509–1518.
//! * Saltelli, A., Annoni, P., Azzini, I., Campolongo, F., Ratto, M. &
//!   Tarantola, S. (2010). Variance based sensitivity analysis of model
//!   output. Design and estimator for the total sensitivity index.
//!   *Computer Physics Communications* 181(2), 259–270.
//! * Jansen, M. J. W. (1999). Analysis of variance designs for model output.
//!   *Computer Physics Communications* 117(1–2), 35–43.
//! * Burley, B. (2020). Practical hash-based Owen scrambling. *Journal of
//!   Computer Graphics Techniques* 9(4) (the `sobol_burley` sequence).

use crate::metrics::summary::quantile;
use crate::rng::Stream;

/// Stream ids of this module: a namespace far above the simulator's own
/// (0, 1 and `CHUNK_BASE + chunk`), so a caller that reuses one seed for the
/// design and the runs gets unrelated numbers.
const STREAM_NAMESPACE: u64 = 0x5E45_0000_0000_0000;
const MORRIS_DESIGN_STREAM: u64 = STREAM_NAMESPACE + 1;
const MORRIS_BOOTSTRAP_STREAM: u64 = STREAM_NAMESPACE + 2;
const SALTELLI_DESIGN_STREAM: u64 = STREAM_NAMESPACE + 3;
const SOBOL_BOOTSTRAP_STREAM: u64 = STREAM_NAMESPACE + 4;

/// Points per independently scrambled block of the Sobol' sequence (the
/// most `sobol_burley` supports).
const SOBOL_INDEX_BLOCK: usize = 1 << 16;
/// Dimensions per independently scrambled block of the Sobol' sequence.
const SOBOL_DIM_BLOCK: usize = sobol_burley::NUM_DIMENSIONS as usize;

/// Lower and upper quantiles of the 95 % percentile intervals.
const CI_LOW: f64 = 0.025;
const CI_HIGH: f64 = 0.975;

/// The Morris step `Δ = levels / (2 (levels − 1))` for a grid of `levels`
/// levels.
pub fn morris_delta(levels: usize) -> f64 {
    levels as f64 / (2.0 * (levels as f64 - 1.0))
}

/// Morris (1991) screening design in [0,1]^k: `trajectories` trajectories of
/// k+1 points each on a grid of `levels` levels (levels even, ≥ 2), step
/// Δ = levels / (2 (levels − 1)); rows in trajectory order, so row r*(k+1)+j.
///
/// Each trajectory starts from a random grid point whose coordinates lie in
/// the lower half `{0, …, 1 − Δ}` or, for a coordinate that will move down,
/// the upper half; then each coordinate, in a random order, moves once by
/// `+Δ` or `−Δ`. Every coordinate is on the grid, so every value is in
/// `[0, 1]`, and each of the `levels` levels is equally likely.
///
/// # Panics
///
/// If `k == 0` or `levels` is odd or below 2.
pub fn morris_design(k: usize, trajectories: usize, levels: usize, seed: u64) -> Vec<Vec<f64>> {
    assert!(k >= 1, "a Morris design needs at least one parameter");
    assert!(
        levels >= 2 && levels % 2 == 0,
        "Morris levels must be even and at least 2, got {levels}"
    );
    let half = levels / 2;
    let top = (levels - 1) as f64;
    let unit = |level: &[usize]| level.iter().map(|&l| l as f64 / top).collect::<Vec<f64>>();

    let mut rng = Stream::new(seed, 0, MORRIS_DESIGN_STREAM);
    let mut rows = Vec::with_capacity(trajectories * (k + 1));
    for _ in 0..trajectories {
        // Lower-half level and direction of each coordinate, then the order
        // in which the coordinates move.
        let base: Vec<usize> = (0..k).map(|_| rng.below(half)).collect();
        let up: Vec<bool> = (0..k).map(|_| rng.below(2) == 0).collect();
        let mut order: Vec<usize> = (0..k).collect();
        rng.shuffle(&mut order);

        let mut level: Vec<usize> = base
            .iter()
            .zip(&up)
            .map(|(&b, &u)| if u { b } else { b + half })
            .collect();
        rows.push(unit(&level));
        for &i in &order {
            level[i] = if up[i] { base[i] + half } else { base[i] };
            rows.push(unit(&level));
        }
    }
    rows
}

/// Morris screening measures of one parameter.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MorrisIndex {
    /// Mean elementary effect μ (signed; effects of opposite sign cancel).
    pub mu: f64,
    /// Mean absolute elementary effect μ* (Campolongo et al. 2007): the
    /// importance measure.
    pub mu_star: f64,
    /// Standard deviation σ of the elementary effects (denominator r − 1;
    /// NaN with fewer than two effects): non-linearity and interactions.
    pub sigma: f64,
    /// 95% bootstrap percentile interval of mu_star (resampling trajectories).
    pub mu_star_ci: (f64, f64),
}

/// Elementary effects from the design and the outputs y (one per row),
/// in output units per unit of the parameter's *normalised* range
/// (so effects of parameters with different units are comparable).
/// Non-finite outputs: skip the affected elementary effects.
///
/// `design` is a Morris design in unit coordinates (as [`morris_design`]
/// returns it; any step size works, each effect is divided by its own step).
/// The interval on μ* comes from `bootstrap` resamples of the trajectories,
/// drawn from a stream seeded by `seed`; `bootstrap == 0` gives (NaN, NaN).
/// A parameter left with no finite effect gets NaN everywhere.
///
/// # Panics
///
/// If `k == 0`, `y.len() != design.len()`, the number of rows is not a
/// multiple of `k + 1`, a row does not have `k` coordinates, or a trajectory
/// does not move each coordinate exactly once, one per step.
pub fn morris_analyze(
    design: &[Vec<f64>],
    y: &[f64],
    k: usize,
    bootstrap: usize,
    seed: u64,
) -> Vec<MorrisIndex> {
    assert!(k >= 1, "a Morris analysis needs at least one parameter");
    assert_eq!(design.len(), y.len(), "one output per design row");
    assert!(
        design.len() % (k + 1) == 0,
        "{} rows are not whole trajectories of {} points",
        design.len(),
        k + 1
    );
    let r = design.len() / (k + 1);

    // ee[t][i]: the effect of parameter i in trajectory t; NaN when skipped.
    let mut ee = vec![vec![f64::NAN; k]; r];
    for (t, effects) in ee.iter_mut().enumerate() {
        let mut moved = vec![false; k];
        for step in 0..k {
            let a = t * (k + 1) + step;
            let (from, to) = (&design[a], &design[a + 1]);
            assert!(
                from.len() == k && to.len() == k,
                "design rows {a} and {} must have {k} coordinates",
                a + 1
            );
            let mut changed = (0..k).filter(|&i| from[i] != to[i]);
            let i = match (changed.next(), changed.next()) {
                (Some(i), None) => i,
                _ => panic!(
                    "trajectory {t}, step {step}: rows {a} and {} must differ in exactly one coordinate",
                    a + 1
                ),
            };
            assert!(
                !moved[i],
                "trajectory {t} moves coordinate {i} more than once"
            );
            moved[i] = true;
            let effect = (y[a + 1] - y[a]) / (to[i] - from[i]);
            if effect.is_finite() {
                effects[i] = effect;
            }
        }
    }

    // Bootstrap replicates of mu_star, one resample of trajectories shared by
    // all parameters.
    let mut replicates = vec![Vec::with_capacity(bootstrap); k];
    if r > 0 {
        let mut rng = Stream::new(seed, 0, MORRIS_BOOTSTRAP_STREAM);
        let mut sum = vec![0.0; k];
        let mut count = vec![0usize; k];
        for _ in 0..bootstrap {
            sum.fill(0.0);
            count.fill(0);
            for _ in 0..r {
                let t = rng.below(r);
                for (i, &e) in ee[t].iter().enumerate() {
                    if e.is_finite() {
                        sum[i] += e.abs();
                        count[i] += 1;
                    }
                }
            }
            for i in 0..k {
                if count[i] > 0 {
                    replicates[i].push(sum[i] / count[i] as f64);
                }
            }
        }
    }

    (0..k)
        .map(|i| {
            let effects: Vec<f64> = ee.iter().map(|e| e[i]).filter(|e| e.is_finite()).collect();
            let m = effects.len() as f64;
            let (mu, mu_star) = if effects.is_empty() {
                (f64::NAN, f64::NAN)
            } else {
                (
                    effects.iter().sum::<f64>() / m,
                    effects.iter().map(|e| e.abs()).sum::<f64>() / m,
                )
            };
            let sigma = if effects.len() < 2 {
                f64::NAN
            } else {
                (effects.iter().map(|e| (e - mu).powi(2)).sum::<f64>() / (m - 1.0)).sqrt()
            };
            MorrisIndex {
                mu,
                mu_star,
                sigma,
                mu_star_ci: percentile_interval(&mut replicates[i]),
            }
        })
        .collect()
}

/// Saltelli (2010) sampling for Sobol indices: base matrices A and B of n
/// rows each; rows ordered A (n rows), B (n rows), then AB_1 .. AB_k
/// (A with column i taken from B), n rows each: n (k + 2) rows in [0,1]^k.
///
/// `A` and `B` are the first `k` and the last `k` coordinates of the first
/// `n` points of a `2k`-dimensional Owen-scrambled Sobol' sequence
/// (`sobol_burley`), scrambled by keys drawn from a stream seeded by
/// `seed`. Past 256 dimensions, and past 2^16 points, the sequence is padded
/// with independently scrambled blocks (Burley 2020). Values are in `[0, 1)`
/// with 23 bits of resolution. Prefer `n` a power of two.
///
/// # Panics
///
/// If `k == 0`.
pub fn saltelli_design(k: usize, n: usize, seed: u64) -> Vec<Vec<f64>> {
    assert!(k >= 1, "a Saltelli design needs at least one parameter");
    let dim_blocks = (2 * k).div_ceil(SOBOL_DIM_BLOCK);
    let index_blocks = n.div_ceil(SOBOL_INDEX_BLOCK);
    let mut rng = Stream::new(seed, 0, SALTELLI_DESIGN_STREAM);
    let keys: Vec<u32> = (0..index_blocks * dim_blocks)
        .map(|_| (rng.uniform() * 4_294_967_296.0) as u32)
        .collect();
    let point = |j: usize, d: usize| -> f64 {
        let key = keys[(j / SOBOL_INDEX_BLOCK) * dim_blocks + d / SOBOL_DIM_BLOCK];
        f64::from(sobol_burley::sample(
            (j % SOBOL_INDEX_BLOCK) as u32,
            (d % SOBOL_DIM_BLOCK) as u32,
            key,
        ))
    };

    let a: Vec<Vec<f64>> = (0..n)
        .map(|j| (0..k).map(|i| point(j, i)).collect())
        .collect();
    let b: Vec<Vec<f64>> = (0..n)
        .map(|j| (0..k).map(|i| point(j, k + i)).collect())
        .collect();
    let mut rows = Vec::with_capacity(n * (k + 2));
    rows.extend(a.iter().cloned());
    rows.extend(b.iter().cloned());
    for i in 0..k {
        for (ra, rb) in a.iter().zip(&b) {
            let mut row = ra.clone();
            row[i] = rb[i];
            rows.push(row);
        }
    }
    rows
}

/// Sobol indices of one parameter, each with its 95 % bootstrap percentile
/// interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SobolIndex {
    /// First-order index S_i: the share of the output variance due to this
    /// parameter alone (Saltelli et al. 2010 estimator).
    pub s1: f64,
    /// 95 % bootstrap percentile interval of `s1`.
    pub s1_ci: (f64, f64),
    /// Total index ST_i: the share due to this parameter including all its
    /// interactions (Jansen 1999 estimator).
    pub st: f64,
    /// 95 % bootstrap percentile interval of `st`.
    pub st_ci: (f64, f64),
}

/// First-order (Saltelli 2010 estimator) and total (Jansen 1999) indices
/// with 95% bootstrap percentile intervals (resampling the n base rows).
///
/// `y` holds the outputs on [`saltelli_design`]`(k, n, _)`, one per row and
/// in its order, so `y.len() == n (k + 2)`. Estimates can stray slightly
/// outside [0, 1] when the index is near a bound. Non-finite outputs and
/// zero variance are handled as the module documentation says; `n == 0`
/// gives NaN indices.
///
/// # Panics
///
/// If `k == 0` or `y.len() != n (k + 2)`.
pub fn sobol_analyze(
    y: &[f64],
    k: usize,
    n: usize,
    bootstrap: usize,
    seed: u64,
) -> Vec<SobolIndex> {
    assert!(k >= 1, "a Sobol analysis needs at least one parameter");
    assert_eq!(
        y.len(),
        n * (k + 2),
        "a Saltelli design of n = {n} and k = {k} has n (k + 2) rows"
    );
    let base = &y[..2 * n];
    let finite = || base.iter().copied().filter(|v| v.is_finite());
    let count = finite().count();
    let centre = if count == 0 {
        0.0
    } else {
        finite().sum::<f64>() / count as f64
    };
    let scale = finite().fold(0.0_f64, |m, v| m.max(v.abs()));
    let centred: Vec<f64> = y.iter().map(|v| v - centre).collect();
    let est = SobolEstimator {
        fa: &centred[..n],
        fb: &centred[n..2 * n],
        fab: centred[2 * n..].chunks_exact(n.max(1)).collect(),
        k,
        zero_variance: (8.0 * f64::EPSILON * scale).powi(2),
    };

    let all: Vec<usize> = (0..n).collect();
    let point = est.estimate(&all);

    let mut s1_reps = vec![Vec::with_capacity(bootstrap); k];
    let mut st_reps = vec![Vec::with_capacity(bootstrap); k];
    if n > 0 {
        let mut rng = Stream::new(seed, 0, SOBOL_BOOTSTRAP_STREAM);
        let mut rows = vec![0usize; n];
        for _ in 0..bootstrap {
            for row in rows.iter_mut() {
                *row = rng.below(n);
            }
            for (i, (s1, st)) in est.estimate(&rows).into_iter().enumerate() {
                s1_reps[i].push(s1);
                st_reps[i].push(st);
            }
        }
    }

    point
        .into_iter()
        .enumerate()
        .map(|(i, (s1, st))| SobolIndex {
            s1,
            s1_ci: percentile_interval(&mut s1_reps[i]),
            st,
            st_ci: percentile_interval(&mut st_reps[i]),
        })
        .collect()
}

/// Centred outputs of a Saltelli design, split by matrix.
struct SobolEstimator<'a> {
    fa: &'a [f64],
    fb: &'a [f64],
    /// `fab[i]`: outputs on AB_i. Empty when n = 0.
    fab: Vec<&'a [f64]>,
    k: usize,
    /// Variances at or below this are rounding noise: the output is constant.
    zero_variance: f64,
}

impl SobolEstimator<'_> {
    /// (S_i, ST_i) for every parameter, from the base rows `rows` (with
    /// repetition, for the bootstrap).
    fn estimate(&self, rows: &[usize]) -> Vec<(f64, f64)> {
        let undefined = vec![(f64::NAN, f64::NAN); self.k];
        // V from every finite output on A and B, two-pass.
        let values = || {
            rows.iter()
                .flat_map(|&j| [self.fa[j], self.fb[j]])
                .filter(|v| v.is_finite())
        };
        let m = values().count();
        if m < 2 {
            return undefined;
        }
        let mean = values().sum::<f64>() / m as f64;
        let var = values().map(|v| (v - mean).powi(2)).sum::<f64>() / m as f64;
        if var.is_nan() || var <= self.zero_variance {
            return undefined;
        }

        self.fab
            .iter()
            .map(|fab| {
                let (mut used, mut first, mut total) = (0usize, 0.0, 0.0);
                for &j in rows {
                    let (a, b, ab) = (self.fa[j], self.fb[j], fab[j]);
                    if a.is_finite() && b.is_finite() && ab.is_finite() {
                        used += 1;
                        first += b * (ab - a);
                        total += (a - ab).powi(2);
                    }
                }
                if used == 0 {
                    (f64::NAN, f64::NAN)
                } else {
                    let used = used as f64;
                    (first / used / var, total / (2.0 * used) / var)
                }
            })
            .collect()
    }
}

/// The 95 % percentile interval of the finite values in `reps` (sorted in
/// place), interpolating linearly between order statistics; (NaN, NaN) when
/// there are none.
fn percentile_interval(reps: &mut Vec<f64>) -> (f64, f64) {
    reps.retain(|v| v.is_finite());
    if reps.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    reps.sort_by(f64::total_cmp);
    (quantile(reps, CI_LOW), quantile(reps, CI_HIGH))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    /// Outputs of `f` on every row of `design`.
    fn run(design: &[Vec<f64>], f: impl Fn(&[f64]) -> f64) -> Vec<f64> {
        design.iter().map(|x| f(x)).collect()
    }

    /// Ishigami function, a = 7, b = 0.1, on unit coordinates scaled to
    /// [−π, π].
    fn ishigami(u: &[f64]) -> f64 {
        let x: Vec<f64> = u.iter().map(|v| -PI + 2.0 * PI * v).collect();
        x[0].sin() + 7.0 * x[1].sin().powi(2) + 0.1 * x[2].powi(4) * x[0].sin()
    }

    /// Analytic (S1, ST) of the Ishigami function, a = 7, b = 0.1.
    fn ishigami_analytic() -> ([f64; 3], [f64; 3]) {
        let (a, b) = (7.0_f64, 0.1_f64);
        let v1 = 0.5 * (1.0 + b * PI.powi(4) / 5.0).powi(2);
        let v2 = a * a / 8.0;
        let v13 = b * b * PI.powi(8) * (1.0 / 18.0 - 1.0 / 50.0);
        let v = v1 + v2 + v13;
        ([v1 / v, v2 / v, 0.0], [(v1 + v13) / v, v2 / v, v13 / v])
    }

    fn bits(rows: &[Vec<f64>]) -> Vec<Vec<u64>> {
        rows.iter()
            .map(|r| r.iter().map(|v| v.to_bits()).collect())
            .collect()
    }

    #[test]
    fn ishigami_analytic_values_are_the_published_ones() {
        let (s1, st) = ishigami_analytic();
        let round = |v: f64| (v * 1e4).round() / 1e4;
        assert_eq!(s1.map(round), [0.3139, 0.4424, 0.0]);
        assert_eq!(st.map(round), [0.5576, 0.4424, 0.2437]);
    }

    #[test]
    fn morris_design_shape_grid_and_one_step_at_a_time() {
        for (k, r, levels) in [(4, 20, 4), (1, 5, 2), (6, 10, 6), (3, 7, 8)] {
            let design = morris_design(k, r, levels, 11);
            let delta = morris_delta(levels);
            assert_eq!(design.len(), r * (k + 1));
            for row in &design {
                assert_eq!(row.len(), k);
                for &v in row {
                    assert!((0.0..=1.0).contains(&v), "{v}");
                    let level = v * (levels - 1) as f64;
                    assert!((level - level.round()).abs() < 1e-9, "{v} off the grid");
                }
            }
            for t in 0..r {
                let mut moved = vec![0; k];
                for j in 0..k {
                    let (a, b) = (&design[t * (k + 1) + j], &design[t * (k + 1) + j + 1]);
                    let changed: Vec<usize> = (0..k).filter(|&i| a[i] != b[i]).collect();
                    assert_eq!(changed.len(), 1, "trajectory {t} step {j}");
                    let i = changed[0];
                    assert!(((b[i] - a[i]).abs() - delta).abs() < 1e-12);
                    moved[i] += 1;
                }
                assert!(moved.iter().all(|&m| m == 1), "{moved:?}");
            }
        }
    }

    #[test]
    fn morris_design_uses_every_level_and_both_directions() {
        let (k, levels) = (3, 4);
        let design = morris_design(k, 200, levels, 5);
        let mut seen = [0usize; 4];
        for row in &design {
            for &v in row {
                seen[(v * 3.0).round() as usize] += 1;
            }
        }
        // Every level is equally likely: 200 × 4 × 3 / 4 = 600 each.
        for c in seen {
            assert!((c as f64 - 600.0).abs() < 120.0, "{seen:?}");
        }
        let ups = (0..200)
            .filter(|t| {
                design[t * (k + 1) + 1].iter().sum::<f64>()
                    > design[t * (k + 1)].iter().sum::<f64>()
            })
            .count();
        assert!((60..140).contains(&ups), "{ups}");
    }

    #[test]
    fn designs_are_reproducible_and_seed_dependent() {
        let m = morris_design(5, 10, 4, 42);
        assert_eq!(bits(&m), bits(&morris_design(5, 10, 4, 42)));
        assert_ne!(bits(&m), bits(&morris_design(5, 10, 4, 43)));
        let s = saltelli_design(4, 64, 42);
        assert_eq!(bits(&s), bits(&saltelli_design(4, 64, 42)));
        assert_ne!(bits(&s), bits(&saltelli_design(4, 64, 43)));
    }

    #[test]
    fn saltelli_design_shape_and_ab_columns() {
        let (k, n) = (3, 128);
        let design = saltelli_design(k, n, 7);
        assert_eq!(design.len(), n * (k + 2));
        assert!(design.iter().all(|r| r.len() == k));
        assert!(design.iter().flatten().all(|v| (0.0..1.0).contains(v)));
        let (a, b) = (&design[..n], &design[n..2 * n]);
        assert!(
            a.iter()
                .zip(b)
                .all(|(ra, rb)| (0..k).all(|i| ra[i] != rb[i]))
        );
        for i in 0..k {
            let ab = &design[(2 + i) * n..(3 + i) * n];
            for j in 0..n {
                for c in 0..k {
                    let want = if c == i { b[j][c] } else { a[j][c] };
                    assert_eq!(ab[j][c].to_bits(), want.to_bits(), "AB_{i} row {j} col {c}");
                }
            }
        }
    }

    #[test]
    fn saltelli_base_matrices_are_stratified() {
        // The first 2^m points of a scrambled Sobol' sequence put exactly one
        // point in each interval [s/2^m, (s+1)/2^m) of every coordinate.
        let (k, n) = (4, 1024);
        let design = saltelli_design(k, n, 3);
        for c in 0..2 * k {
            let mut hit = vec![false; n];
            for j in 0..n {
                let v = if c < k {
                    design[j][c]
                } else {
                    design[n + j][c - k]
                };
                let s = (v * n as f64) as usize;
                assert!(!hit[s], "column {c}: stratum {s} hit twice");
                hit[s] = true;
            }
        }
    }

    #[test]
    fn saltelli_design_pads_past_the_sequence_limits() {
        // 2k = 260 > 256 dimensions: the padded columns are not copies.
        let k = 130;
        let design = saltelli_design(k, 16, 9);
        assert_eq!(design.len(), 16 * (k + 2));
        let b = &design[16..32];
        assert!((0..16).any(|j| b[j][126] != design[j][0]));
        assert!(design.iter().flatten().all(|v| (0.0..1.0).contains(v)));
        // More than 2^16 rows: the second block is scrambled afresh.
        let n = (1 << 16) + 2;
        let design = saltelli_design(1, n, 9);
        assert_eq!(design.len(), 3 * n);
        assert_ne!(design[0][0], design[1 << 16][0]);
        assert!(design.iter().flatten().all(|v| (0.0..1.0).contains(v)));
    }

    #[test]
    fn morris_linear_effects_are_exact() {
        let c = [2.0, -3.0, 0.5, 0.0];
        let k = c.len();
        let design = morris_design(k, 30, 4, 1);
        let y = run(&design, |x| x.iter().zip(&c).map(|(x, c)| x * c).sum());
        let idx = morris_analyze(&design, &y, k, 200, 2);
        for (m, &ci) in idx.iter().zip(&c) {
            assert!((m.mu_star - ci.abs()).abs() < 1e-9, "{m:?} vs {ci}");
            assert!((m.mu - ci).abs() < 1e-9, "{m:?} vs {ci}");
            assert!(m.sigma < 1e-9, "{m:?}");
            assert!((m.mu_star_ci.0 - ci.abs()).abs() < 1e-9);
            assert!((m.mu_star_ci.1 - ci.abs()).abs() < 1e-9);
        }
        assert_eq!(idx[3].mu_star, 0.0);
    }

    #[test]
    fn morris_parameter_outside_the_function_is_zero() {
        let design = morris_design(3, 25, 6, 4);
        let y = run(&design, ishigami_two);
        let idx = morris_analyze(&design, &y, 3, 200, 4);
        assert_eq!(idx[2].mu_star, 0.0);
        assert_eq!(idx[2].sigma, 0.0);
        assert_eq!(idx[2].mu_star_ci, (0.0, 0.0));
        assert!(idx[0].mu_star > 0.1 && idx[1].mu_star > 0.1, "{idx:?}");
        for m in &idx[..2] {
            assert!(
                m.mu_star_ci.0 <= m.mu_star && m.mu_star <= m.mu_star_ci.1,
                "{m:?}"
            );
        }
    }

    #[test]
    fn morris_skips_non_finite_outputs() {
        let c = [1.5, -0.5, 4.0];
        let design = morris_design(3, 10, 4, 8);
        let mut y = run(&design, |x| x.iter().zip(&c).map(|(x, c)| x * c).sum());
        y[0] = f64::NAN;
        y[9] = f64::INFINITY;
        let idx = morris_analyze(&design, &y, 3, 100, 8);
        for (m, &ci) in idx.iter().zip(&c) {
            assert!((m.mu_star - ci.abs()).abs() < 1e-9, "{m:?}");
            assert!(m.sigma < 1e-9 && m.mu_star_ci.0.is_finite(), "{m:?}");
        }
        // Every output of the single trajectory fails: NaN, no panic.
        let design = morris_design(2, 1, 4, 8);
        let idx = morris_analyze(&design, &[f64::NAN; 3], 2, 10, 8);
        assert!(
            idx.iter()
                .all(|m| m.mu_star.is_nan() && m.mu_star_ci.0.is_nan())
        );
    }

    #[test]
    fn morris_edge_cases() {
        // k = 1, one trajectory: sigma undefined, mu_star exact.
        let design = morris_design(1, 1, 2, 3);
        let y = run(&design, |x| 3.0 * x[0]);
        let idx = morris_analyze(&design, &y, 1, 50, 3);
        assert!((idx[0].mu_star - 3.0).abs() < 1e-12 && idx[0].sigma.is_nan());
        // Constant output: effects are zero, not undefined.
        let design = morris_design(2, 5, 4, 3);
        let idx = morris_analyze(&design, &[2.5; 15], 2, 50, 3);
        assert!(idx.iter().all(|m| m.mu_star == 0.0 && m.sigma == 0.0));
        // No trajectories, no bootstrap.
        let idx = morris_analyze(&[], &[], 2, 50, 3);
        assert!(idx.len() == 2 && idx[0].mu_star.is_nan());
        let design = morris_design(2, 5, 4, 3);
        let y = run(&design, |x| x[0] * x[1]);
        let idx = morris_analyze(&design, &y, 2, 0, 3);
        assert!(idx[0].mu_star.is_finite() && idx[0].mu_star_ci.0.is_nan());
    }

    #[test]
    #[should_panic(expected = "exactly one coordinate")]
    fn morris_rejects_a_malformed_design() {
        let mut design = morris_design(2, 2, 4, 3);
        design[1] = design[0].clone();
        morris_analyze(&design, &[0.0; 6], 2, 0, 3);
    }

    /// Ishigami without x3: a function of the first two of three parameters.
    fn ishigami_two(u: &[f64]) -> f64 {
        let x: Vec<f64> = u.iter().map(|v| -PI + 2.0 * PI * v).collect();
        x[0].sin() + 7.0 * x[1].sin().powi(2)
    }

    /// Tolerance on Ishigami indices for n = 8192. Over design seeds 0..20
    /// the worst absolute error of the six indices was 0.0040 (pseudo-random
    /// A and B of the same n: 0.033), so 0.01 leaves a 2.5-fold margin.
    const ISHIGAMI_TOL: f64 = 0.01;

    #[test]
    fn sobol_ishigami_matches_analytic_indices() {
        let (s1_true, st_true) = ishigami_analytic();
        let (k, n) = (3, 8192);
        for seed in [1, 2, 3] {
            let design = saltelli_design(k, n, seed);
            let y = run(&design, ishigami);
            let idx = sobol_analyze(&y, k, n, 500, seed);
            for i in 0..k {
                let (s, s1, st) = (&idx[i], s1_true[i], st_true[i]);
                assert!(
                    (s.s1 - s1).abs() < ISHIGAMI_TOL,
                    "seed {seed} S1[{i}] {s:?} vs {s1}"
                );
                assert!(
                    (s.st - st).abs() < ISHIGAMI_TOL,
                    "seed {seed} ST[{i}] {s:?} vs {st}"
                );
                // The analytic value lies inside its interval (intervals are
                // about 0.04-0.06 wide here: the bootstrap ignores the gain
                // from quasi-random rows).
                let near = |v: f64, (lo, hi): (f64, f64)| lo <= v && v <= hi;
                assert!(near(s1, s.s1_ci), "seed {seed} S1[{i}] {s:?} vs {s1}");
                assert!(near(st, s.st_ci), "seed {seed} ST[{i}] {s:?} vs {st}");
                assert!(s.s1_ci.0 <= s.s1 && s.s1 <= s.s1_ci.1, "{s:?}");
                assert!(s.st_ci.0 <= s.st && s.st <= s.st_ci.1, "{s:?}");
            }
        }
    }

    #[test]
    fn sobol_linear_indices_are_squared_coefficient_shares() {
        let c = [1.0, -2.0, 0.5, 3.0];
        let (k, n) = (4, 4096);
        let total: f64 = c.iter().map(|c| c * c).sum();
        let design = saltelli_design(k, n, 5);
        let y = run(&design, |x| {
            10.0 + x.iter().zip(&c).map(|(x, c)| x * c).sum::<f64>()
        });
        let idx = sobol_analyze(&y, k, n, 200, 5);
        for (s, ci) in idx.iter().zip(&c) {
            let share = ci * ci / total;
            // Worst error over design seeds 0..20: 0.00024.
            assert!((s.s1 - share).abs() < 0.002, "{s:?} vs {share}");
            assert!((s.st - share).abs() < 0.002, "{s:?} vs {share}");
        }
    }

    #[test]
    fn sobol_parameter_outside_the_function_is_zero() {
        let (k, n) = (3, 2048);
        let design = saltelli_design(k, n, 6);
        let y = run(&design, ishigami_two);
        let idx = sobol_analyze(&y, k, n, 200, 6);
        assert_eq!(idx[2].s1, 0.0);
        assert_eq!(idx[2].st, 0.0);
        assert_eq!(idx[2].st_ci, (0.0, 0.0));
        // V1 = 1/2, V2 = a²/8 = 6.125; worst error over seeds 0..20: 0.0062.
        let (s1, s2) = (0.5 / 6.625, 6.125 / 6.625);
        assert!(
            (idx[0].s1 - s1).abs() < 0.02 && (idx[0].st - s1).abs() < 0.02,
            "{idx:?}"
        );
        assert!(
            (idx[1].s1 - s2).abs() < 0.02 && (idx[1].st - s2).abs() < 0.02,
            "{idx:?}"
        );
    }

    #[test]
    fn sobol_zero_variance_gives_nan() {
        let (k, n) = (3, 64);
        for c in [0.0, 0.1, -7.3e12] {
            let idx = sobol_analyze(&vec![c; n * (k + 2)], k, n, 100, 1);
            assert_eq!(idx.len(), k);
            for s in &idx {
                assert!(s.s1.is_nan() && s.st.is_nan(), "{s:?}");
                assert!(s.s1_ci.0.is_nan() && s.st_ci.1.is_nan(), "{s:?}");
            }
        }
    }

    #[test]
    fn sobol_edge_cases() {
        // k = 1: the one parameter explains everything.
        let n = 1024;
        let design = saltelli_design(1, n, 2);
        let y = run(&design, |x| x[0].powi(2));
        let idx = sobol_analyze(&y, 1, n, 100, 2);
        assert!(
            (idx[0].s1 - 1.0).abs() < 0.005 && (idx[0].st - 1.0).abs() < 0.005,
            "{idx:?}"
        );
        // Tiny n: no panic, finite where defined.
        for n in [1, 2, 3] {
            let design = saltelli_design(2, n, 2);
            let y = run(&design, |x| x[0] + 2.0 * x[1]);
            let idx = sobol_analyze(&y, 2, n, 50, 2);
            assert!(idx.iter().all(|s| s.st.is_finite()), "n = {n}: {idx:?}");
        }
        // n = 0: undefined.
        let idx = sobol_analyze(&[], 2, 0, 50, 2);
        assert!(idx.len() == 2 && idx.iter().all(|s| s.s1.is_nan() && s.st_ci.0.is_nan()));
        // No bootstrap: point estimates, NaN intervals.
        let design = saltelli_design(2, 64, 2);
        let y = run(&design, |x| x[0] + x[1]);
        let idx = sobol_analyze(&y, 2, 64, 0, 2);
        assert!(idx[0].s1.is_finite() && idx[0].s1_ci.0.is_nan());
    }

    #[test]
    fn sobol_skips_non_finite_outputs() {
        let (s1_true, st_true) = ishigami_analytic();
        let (k, n) = (3, 8192);
        let design = saltelli_design(k, n, 4);
        let mut y = run(&design, ishigami);
        // Fail about 1 % of the runs, in every block. Dropping rows breaks
        // the sequence's balance: worst error over seeds 0..20 was 0.0066.
        for (r, v) in y.iter_mut().enumerate() {
            if r % 97 == 0 {
                *v = if r % 2 == 0 { f64::NAN } else { f64::INFINITY };
            }
        }
        let idx = sobol_analyze(&y, k, n, 200, 4);
        for i in 0..k {
            assert!(
                (idx[i].s1 - s1_true[i]).abs() < 2.0 * ISHIGAMI_TOL,
                "{:?}",
                idx[i]
            );
            assert!(
                (idx[i].st - st_true[i]).abs() < 2.0 * ISHIGAMI_TOL,
                "{:?}",
                idx[i]
            );
            assert!(idx[i].s1_ci.0.is_finite() && idx[i].st_ci.1.is_finite());
        }
    }

    #[test]
    fn analyses_are_reproducible_and_seed_dependent() {
        let design = saltelli_design(3, 256, 1);
        let y = run(&design, ishigami);
        let a = sobol_analyze(&y, 3, 256, 100, 10);
        assert_eq!(a, sobol_analyze(&y, 3, 256, 100, 10));
        let b = sobol_analyze(&y, 3, 256, 100, 11);
        assert_eq!(a[0].s1, b[0].s1);
        assert_ne!(a[0].s1_ci, b[0].s1_ci);

        let design = morris_design(3, 20, 4, 1);
        let y = run(&design, ishigami);
        let a = morris_analyze(&design, &y, 3, 100, 10);
        assert_eq!(a, morris_analyze(&design, &y, 3, 100, 10));
        let b = morris_analyze(&design, &y, 3, 100, 11);
        assert_eq!(a[0].mu_star, b[0].mu_star);
        assert_ne!(a[0].mu_star_ci, b[0].mu_star_ci);
    }
}
