//! Effects and verdicts: a contrast measured per replicate, its interval,
//! and whether it agrees with a stated direction and size.

use anyhow::Context;

use crate::metrics::metric_index;
use crate::metrics::summary::{Stats, stats};
use crate::sim::runner::ReplicateResult;

/// How large the literature says the effect is, as a band the model's point
/// estimate should fall in to agree in "rough size".
#[derive(Clone, Copy, Debug)]
pub enum Size {
    /// Direction only: the sources give no size the model can be held to.
    Direction,
    /// Percent of the reference arm.
    Percent(f64, f64),
    /// In the metric's own units.
    Absolute(f64, f64),
}

/// Agreement of a measured effect with a stated one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Right direction (95% interval excludes 0) and, where a size is
    /// stated, a point estimate within its band.
    Agrees,
    /// Right direction, size outside the band.
    DirectionOnly,
    /// The interval includes 0.
    NoClearEffect,
    /// The interval excludes 0 on the wrong side.
    Disagrees,
}

impl Verdict {
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Agrees => "agrees",
            Verdict::DirectionOnly => "direction only (size outside band)",
            Verdict::NoClearEffect => "no clear effect",
            Verdict::Disagrees => "disagrees",
        }
    }

    /// True when the direction holds.
    pub fn direction_holds(self) -> bool {
        matches!(self, Verdict::Agrees | Verdict::DirectionOnly)
    }
}

/// A measured effect: the per-replicate contrast and its reference level.
#[derive(Clone, Debug)]
pub struct Effect {
    /// Statistics of the per-replicate contrast.
    pub diff: Stats,
    /// Mean of the reference (base) arm, if there is one.
    pub reference: Option<f64>,
}

impl Effect {
    pub(super) fn new(contrast: &[f64], reference: Option<&[f64]>) -> Self {
        Effect {
            diff: stats(contrast),
            reference: reference.and_then(|r| stats(r).mean),
        }
    }

    /// The mean contrast.
    pub fn mean(&self) -> f64 {
        self.diff.mean.unwrap_or(f64::NAN)
    }

    /// The mean contrast in percent of the size of the reference level
    /// (its absolute value, so the sign is always the contrast's).
    pub fn percent(&self) -> Option<f64> {
        self.reference
            .filter(|r| r.abs() > 1e-12)
            .map(|r| 100.0 * self.mean() / r.abs())
    }

    /// The 95% interval of the mean contrast.
    pub fn ci(&self) -> (f64, f64) {
        (
            self.diff.ci95_low.unwrap_or(f64::NAN),
            self.diff.ci95_high.unwrap_or(f64::NAN),
        )
    }

    /// Judges the effect against a direction and a size band.
    pub fn verdict(&self, direction: f64, size: Size) -> Verdict {
        let (lo, hi) = self.ci();
        let m = self.mean();
        if !(lo.is_finite() && hi.is_finite()) || (lo <= 0.0 && hi >= 0.0) {
            return Verdict::NoClearEffect;
        }
        if m * direction < 0.0 {
            return Verdict::Disagrees;
        }
        let in_band = match size {
            Size::Direction => true,
            Size::Percent(a, b) => self.percent().is_some_and(|p| p >= a && p <= b),
            Size::Absolute(a, b) => m >= a && m <= b,
        };
        if in_band {
            Verdict::Agrees
        } else {
            Verdict::DirectionOnly
        }
    }
}

/// Per-replicate mean of metric `m` over recorded years `from..=to`
/// (missing values left out).
pub fn window_means(reps: &[ReplicateResult], m: usize, (from, to): (u32, u32)) -> Vec<f64> {
    reps.iter()
        .map(|r| {
            let v: Vec<f64> = (from as usize..=(to as usize).min(r.rows.len() - 1))
                .map(|y| r.rows[y][m])
                .filter(|x| x.is_finite())
                .collect();
            if v.is_empty() {
                f64::NAN
            } else {
                v.iter().sum::<f64>() / v.len() as f64
            }
        })
        .collect()
}

pub(super) fn metric(name: &str) -> anyhow::Result<usize> {
    metric_index(name).with_context(|| format!("unknown metric `{name}`"))
}

pub(super) fn minus(a: &[f64], b: &[f64]) -> Vec<f64> {
    a.iter().zip(b).map(|(x, y)| x - y).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn effect(xs: &[f64], reference: f64) -> Effect {
        Effect::new(xs, Some(&[reference, reference]))
    }

    #[test]
    fn verdicts() {
        let down = effect(&[-1.0, -1.2, -0.9, -1.1], 10.0);
        assert_eq!(down.verdict(-1.0, Size::Direction), Verdict::Agrees);
        assert_eq!(down.verdict(1.0, Size::Direction), Verdict::Disagrees);
        assert_eq!(
            down.verdict(-1.0, Size::Percent(-15.0, -5.0)),
            Verdict::Agrees
        );
        assert_eq!(
            down.verdict(-1.0, Size::Percent(-50.0, -20.0)),
            Verdict::DirectionOnly
        );
        assert_eq!(
            down.verdict(-1.0, Size::Absolute(-2.0, -0.5)),
            Verdict::Agrees
        );
        let noise = effect(&[-1.0, 1.0, -0.5, 0.6], 10.0);
        assert_eq!(noise.verdict(-1.0, Size::Direction), Verdict::NoClearEffect);
        assert!((down.percent().unwrap() + 10.5).abs() < 1e-9);
    }

    #[test]
    fn window_means_skip_missing_values() {
        let r = ReplicateResult {
            rows: vec![vec![1.0], vec![f64::NAN], vec![3.0]],
            grades: vec![],
            sectors: vec![],
            phases: Default::default(),
        };
        assert_eq!(window_means(&[r], 0, (0, 2)), vec![2.0]);
    }
}
