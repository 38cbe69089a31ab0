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

/// Two-sided 95% critical value of Student's t with `df` degrees of freedom.
pub fn t_critical(df: usize) -> f64 {
    StudentsT::new(0.0, 1.0, df as f64)
        .expect("df > 0")
        .inverse_cdf(0.975)
}

/// Mean, sd and 95% CI of the finite values of `xs`.
pub fn stats(xs: &[f64]) -> Stats {
    let v: Vec<f64> = xs.iter().copied().filter(|x| x.is_finite()).collect();
    let n = v.len();
    if n == 0 {
        return Stats {
            n,
            mean: None,
            sd: None,
            ci95_low: None,
            ci95_high: None,
        };
    }
    let mean = v.iter().sum::<f64>() / n as f64;
    if n == 1 {
        return Stats {
            n,
            mean: Some(mean),
            sd: None,
            ci95_low: None,
            ci95_high: None,
        };
    }
    let sd = (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt();
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
    fn missing_values_are_left_out() {
        let s = stats(&[f64::NAN, 2.0]);
        assert_eq!((s.n, s.mean, s.sd), (1, Some(2.0), None));
        assert_eq!(stats(&[]).mean, None);
        assert!((t_critical(1000) - 1.962).abs() < 1e-3);
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
