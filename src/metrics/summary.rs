//! Across-replicate statistics: mean, standard deviation and the 95%
//! confidence interval of the mean (Student's t with n − 1 degrees of
//! freedom, via statrs). Missing values (NaN) are left out.

use serde::Serialize;
use statrs::distribution::{ContinuousCDF, StudentsT};

/// Statistics of one metric at one year across replicates.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Stats {
    /// Replicates with a value.
    pub n: usize,
    pub mean: Option<f64>,
    pub sd: Option<f64>,
    pub ci95_low: Option<f64>,
    pub ci95_high: Option<f64>,
}

impl Stats {
    /// The interval cut to `[lo, hi]`, the values the statistic can take
    /// (the mean of values in that range lies in it too).
    pub fn within(mut self, (lo, hi): (f64, f64)) -> Self {
        self.ci95_low = self.ci95_low.map(|x| x.clamp(lo, hi));
        self.ci95_high = self.ci95_high.map(|x| x.clamp(lo, hi));
        self
    }
}

/// Two-sided 95% critical value of Student's t with `df` degrees of freedom.
/// Remembered per thread for small `df` (a summary asks for the same few
/// values for every metric and year; the inverse CDF is a numerical search).
pub fn t_critical(df: usize) -> f64 {
    const KEPT: usize = 1024;
    thread_local! {
        static KNOWN: std::cell::RefCell<Vec<Option<f64>>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    if df >= KEPT {
        return t_critical_uncached(df);
    }
    KNOWN.with(|k| {
        let mut k = k.borrow_mut();
        if k.len() <= df {
            k.resize(df + 1, None);
        }
        *k[df].get_or_insert_with(|| t_critical_uncached(df))
    })
}

fn t_critical_uncached(df: usize) -> f64 {
    StudentsT::new(0.0, 1.0, df as f64)
        .expect("df > 0")
        .inverse_cdf(0.975)
}

/// Mean, sd and 95% CI of the finite values of `xs`.
pub fn stats(xs: &[f64]) -> Stats {
    let finite = || xs.iter().copied().filter(|x| x.is_finite());
    let n = finite().count();
    if n == 0 {
        return Stats {
            n,
            mean: None,
            sd: None,
            ci95_low: None,
            ci95_high: None,
        };
    }
    let mean = finite().sum::<f64>() / n as f64;
    if n == 1 {
        return Stats {
            n,
            mean: Some(mean),
            sd: None,
            ci95_low: None,
            ci95_high: None,
        };
    }
    let sd = (finite().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt();
    let half = t_critical(n - 1) * sd / (n as f64).sqrt();
    Stats {
        n,
        mean: Some(mean),
        sd: Some(sd),
        ci95_low: Some(mean - half),
        ci95_high: Some(mean + half),
    }
}

/// The `q` quantile (0..=1) of non-empty ascending `sorted`, interpolating
/// linearly between the closest ranks (the plots' 5th–95th percentile
/// bands, the bootstrap percentile intervals of sensitivity analyses).
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * q;
    let i = h.floor() as usize;
    match sorted.get(i + 1) {
        Some(next) => sorted[i] + (h - i as f64) * (next - sorted[i]),
        None => sorted[i],
    }
}

/// The ratio of two means over paired samples, `mean(num) / mean(den)`
/// (e.g. an option's effect per unit of its extra cost, both paired
/// differences from the base by replicate), with its 95% interval by
/// Fieller's theorem (Fieller 1954, JRSS B 16:175; the form of Franz 2007,
/// BMC Bioinformatics 8:18, with the pairs' covariance). Pairs with a
/// missing value are left out. The interval is `None` with fewer than two
/// pairs, or when the denominator's own interval reaches 0, so that the
/// ratio's set is unbounded; the ratio is `None` when the mean
/// denominator is 0.
pub fn ratio_of_means(num: &[f64], den: &[f64]) -> Option<(f64, Option<(f64, f64)>)> {
    let pairs: Vec<(f64, f64)> = num
        .iter()
        .zip(den)
        .map(|(&a, &b)| (a, b))
        .filter(|(a, b)| a.is_finite() && b.is_finite())
        .collect();
    let n = pairs.len();
    if n == 0 {
        return None;
    }
    let nf = n as f64;
    let a = pairs.iter().map(|p| p.0).sum::<f64>() / nf;
    let b = pairs.iter().map(|p| p.1).sum::<f64>() / nf;
    if b == 0.0 {
        return None;
    }
    let ratio = a / b;
    if n < 2 {
        return Some((ratio, None));
    }
    // Variances and covariance of the two means.
    let cov = |f: &dyn Fn(&(f64, f64)) -> f64| pairs.iter().map(f).sum::<f64>() / (nf - 1.0) / nf;
    let v11 = cov(&|p| (p.0 - a) * (p.0 - a));
    let v22 = cov(&|p| (p.1 - b) * (p.1 - b));
    let v12 = cov(&|p| (p.0 - a) * (p.1 - b));
    let t2 = t_critical(n - 1).powi(2);
    // Roots of (a - R b)^2 = t^2 (v11 - 2 R v12 + R^2 v22).
    let q = b * b - t2 * v22;
    let p = a * b - t2 * v12;
    let disc = p * p - q * (a * a - t2 * v11);
    if q <= 0.0 || disc < 0.0 {
        return Some((ratio, None));
    }
    let root = disc.sqrt();
    Some((ratio, Some(((p - root) / q, (p + root) / q))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_interval() {
        // n = 4, mean 2.5, sd = 1.29099; t(3) = 3.18245.
        let s = stats(&[1.0, 2.0, 3.0, 4.0]);
        assert_eq!(s.mean, Some(2.5));
        assert!((s.sd.unwrap() - 1.290_994_4).abs() < 1e-6);
        assert!((s.ci95_high.unwrap() - (2.5 + 3.182_446 * 1.290_994_4 / 2.0)).abs() < 1e-5);
    }

    #[test]
    fn remembered_critical_values_are_the_computed_ones() {
        for df in [1, 2, 3, 19, 1023, 1024, 5000] {
            for _ in 0..2 {
                assert_eq!(t_critical(df).to_bits(), t_critical_uncached(df).to_bits());
            }
        }
        assert!((t_critical(3) - 3.182_446).abs() < 1e-5);
        assert!(t_critical(2) > t_critical(3));
    }

    #[test]
    fn missing_values_are_left_out() {
        let s = stats(&[f64::NAN, 2.0]);
        assert_eq!((s.n, s.mean, s.sd), (1, Some(2.0), None));
        assert_eq!(stats(&[]).mean, None);
        assert!((t_critical(1000) - 1.962).abs() < 1e-3);
    }

    #[test]
    fn fieller_interval_of_a_ratio_of_paired_means() {
        // A denominator without noise: the interval is the numerator's
        // interval divided by it.
        let num = [1.0, 2.0, 3.0, 4.0];
        let den = [2.0; 4];
        let (r, ci) = ratio_of_means(&num, &den).unwrap();
        assert_eq!(r, 1.25);
        let s = stats(&num);
        let (lo, hi) = ci.unwrap();
        assert!((lo - s.ci95_low.unwrap() / 2.0).abs() < 1e-12);
        assert!((hi - s.ci95_high.unwrap() / 2.0).abs() < 1e-12);
        // A noisy denominator widens it, and the ratio stays inside.
        let den = [1.8, 2.3, 1.9, 2.1];
        let (r, ci) = ratio_of_means(&num, &den).unwrap();
        let (lo2, hi2) = ci.unwrap();
        assert!(lo2 < r && r < hi2);
        // A denominator whose interval reaches 0: no bounded interval.
        let (_, ci) = ratio_of_means(&num, &[1.0, -1.0, 2.0, -1.5]).unwrap();
        assert_eq!(ci, None);
        assert_eq!(ratio_of_means(&num, &[0.0; 4]), None);
        assert_eq!(ratio_of_means(&[1.0], &[2.0]), Some((0.5, None)));
    }

    #[test]
    fn quantiles_interpolate_between_ranks() {
        let sorted = [0.0, 10.0, 20.0];
        assert_eq!(quantile(&sorted, 0.0), 0.0);
        assert!((quantile(&sorted, 0.05) - 1.0).abs() < 1e-12);
        assert!((quantile(&sorted, 0.95) - 19.0).abs() < 1e-12);
        assert_eq!(quantile(&sorted, 1.0), 20.0);
        assert_eq!(quantile(&[7.0], 0.5), 7.0);
    }
}
