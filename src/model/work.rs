//! docs/model.md §7.2, work: competence at grade and the true performance an officer
//! delivers in a post each step.
//!
//! Competence at grade g in sector s (0–10) is derived, not stored:
//! `c = (1 − m_g)·[w_a·ability + (1 − w_a)·expertise_s] + m_g·managerial`,
//! with `m_g` the grade's management weight. Promotion on performance at g
//! therefore says little about competence at g+1 when m_g and m_{g+1} differ:
//! the channel for the Peter principle. Classic models use a stored scalar
//! competence instead (`competence = "scalar"`).

use serde::{Deserialize, Serialize};

use crate::model::check::{Checks, check_ranges};

/// Parameters of work and competence.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WorkParams {
    /// Switch for the performance modifiers (ramp-up, morale, corruption and
    /// fear drags). Off: performance equals competence.
    pub enabled: bool,
    /// "derived" (grade mix of ability, expertise and managerial skill) or
    /// "scalar" (one stored competence, as in classic pyramid models).
    pub competence: String,
    /// Weight of latent ability against sector expertise in technical competence.
    pub ability_weight: f64,
    /// Share of performance lost at zero months in a new post (months in
    /// post count from 1 in the first step worked, so the first step loses
    /// `ramp_loss·e^(−1/ramp_months)`).
    pub ramp_loss: f64,
    /// Months over which the ramp-up loss decays by a factor e.
    pub ramp_months: f64,
    /// Weight of morale in performance: factor `1 − w + w·morale`.
    pub morale_weight: f64,
    /// Share of performance lost while taking bribes.
    pub corruption_drag: f64,
    /// Share of performance lost to fear-driven inaction by an unconnected
    /// officer under fully selective enforcement.
    pub fear_drag: f64,
    /// Scalar mode: mean and standard deviation of competence at entry,
    /// clipped to [scalar_min, scalar_max].
    pub scalar_mean: f64,
    pub scalar_sd: f64,
    pub scalar_min: f64,
    pub scalar_max: f64,
}

impl Default for WorkParams {
    fn default() -> Self {
        WorkParams {
            enabled: true,
            competence: "derived".into(),
            ability_weight: 0.5,
            ramp_loss: 0.35,
            ramp_months: 6.0,
            morale_weight: 0.3,
            corruption_drag: 0.3,
            fear_drag: 0.25,
            scalar_mean: 7.0,
            scalar_sd: 2.0,
            scalar_min: 1.0,
            scalar_max: 10.0,
        }
    }
}

impl WorkParams {
    pub fn check(&self, c: &mut Checks) {
        c.one_of("work.competence", &self.competence, &["derived", "scalar"]);
        check_ranges!(c, self, "work", {
            ability_weight: 0.0, 1.0;
            ramp_loss: 0.0, 1.0;
            ramp_months: 0.01, 600.0;
            morale_weight: 0.0, 1.0;
            corruption_drag: 0.0, 1.0;
            fear_drag: 0.0, 1.0;
            scalar_mean: 0.0, 10.0;
            scalar_sd: 0.0, 10.0;
            scalar_min: 0.0, 10.0;
            scalar_max: 0.0, 10.0;
        });
        if self.scalar_min > self.scalar_max {
            c.conflict(format!(
                "`work.scalar_min` ({}) must not exceed `work.scalar_max` ({})",
                self.scalar_min, self.scalar_max
            ));
        }
    }

    /// A competence drawn for a new officer in scalar mode (0 otherwise).
    pub fn draw_scalar(&self, rng: &mut crate::rng::Stream) -> f32 {
        if self.scalar() {
            rng.normal_clipped(
                self.scalar_mean,
                self.scalar_sd,
                self.scalar_min,
                self.scalar_max,
            ) as f32
        } else {
            0.0
        }
    }

    /// True when competence is a stored scalar.
    pub fn scalar(&self) -> bool {
        self.competence == "scalar"
    }
}

/// Competence at a grade with management weight `mgmt` (derived mode).
#[inline]
pub fn competence(
    ability_weight: f32,
    ability: f32,
    expertise: f32,
    managerial: f32,
    mgmt: f32,
) -> f32 {
    (1.0 - mgmt) * (ability_weight * ability + (1.0 - ability_weight) * expertise)
        + mgmt * managerial
}

/// Multiplier on competence for everything that is not skill: ramp-up after
/// a move, morale, corruption and fear of selective enforcement. In [0, 1].
#[inline]
pub fn performance_factor(
    p: &WorkFactors,
    months_in_post: u16,
    morale: f32,
    corrupt: bool,
    fear: f32,
) -> f32 {
    if !p.enabled {
        return 1.0;
    }
    factor_with_ramp(p, ramp(p, months_in_post), morale, corrupt, fear)
}

/// The ramp-up factor after `months_in_post` months in the post.
#[inline]
fn ramp(p: &WorkFactors, months_in_post: u16) -> f32 {
    match p.ramp.get(months_in_post as usize) {
        Some(r) => *r,
        None => 1.0 - p.ramp_loss * (-(months_in_post as f32) / p.ramp_months).exp(),
    }
}

/// [`performance_factor`] given the ramp-up factor.
#[inline]
fn factor_with_ramp(p: &WorkFactors, ramp: f32, morale: f32, corrupt: bool, fear: f32) -> f32 {
    let morale_f = 1.0 - p.morale_weight + p.morale_weight * morale;
    let corrupt_f = if corrupt {
        1.0 - p.corruption_drag
    } else {
        1.0
    };
    ramp * morale_f * corrupt_f * (1.0 - p.fear_drag * fear)
}

/// The work parameters as f32, cached for the monthly pass.
#[derive(Clone, Debug)]
pub struct WorkFactors {
    pub enabled: bool,
    pub ramp_loss: f32,
    pub ramp_months: f32,
    pub morale_weight: f32,
    pub corruption_drag: f32,
    pub fear_drag: f32,
    /// Ramp-up factor by months in post, precomputed for the first years.
    pub ramp: [f32; RAMP_TABLE],
}

/// Months of ramp-up factors kept in [`WorkFactors::ramp`].
pub const RAMP_TABLE: usize = 121;

impl From<&WorkParams> for WorkFactors {
    fn from(p: &WorkParams) -> Self {
        WorkFactors {
            enabled: p.enabled,
            ramp_loss: p.ramp_loss as f32,
            ramp_months: p.ramp_months as f32,
            morale_weight: p.morale_weight as f32,
            corruption_drag: p.corruption_drag as f32,
            fear_drag: p.fear_drag as f32,
            ramp: std::array::from_fn(|m| {
                1.0 - p.ramp_loss as f32 * (-(m as f32) / p.ramp_months as f32).exp()
            }),
        }
    }
}

/// An officer's performance this step, 0–1: competence (0–10) scaled by
/// [`performance_factor`].
#[inline]
pub fn performance(
    p: &WorkFactors,
    competence: f32,
    months_in_post: u16,
    morale: f32,
    corrupt: bool,
    fear: f32,
) -> f32 {
    competence / 10.0 * performance_factor(p, months_in_post, morale, corrupt, fear)
}

/// The ramp-up factor's mean over a span of `steps` steps of `step_m`
/// months each that ends with `months_in_post` months in the post: what
/// the monthly engine would have read on each of the span's steps (the
/// staggered engine's update, docs/engines.md). 1 when work is off.
pub fn mean_ramp(p: &WorkFactors, months_in_post: u16, step_m: u16, steps: u16) -> f32 {
    if !p.enabled {
        return 1.0;
    }
    let sum: f32 = (0..steps)
        .map(|s| ramp(p, months_in_post.saturating_sub(s * step_m)))
        .sum();
    sum / steps.max(1) as f32
}

/// [`performance`] with the ramp-up factor given (see [`mean_ramp`]);
/// morale, corruption and fear are read as they are.
#[inline]
pub fn performance_with_ramp(
    p: &WorkFactors,
    competence: f32,
    ramp: f32,
    morale: f32,
    corrupt: bool,
    fear: f32,
) -> f32 {
    let factor = if p.enabled {
        factor_with_ramp(p, ramp, morale, corrupt, fear)
    } else {
        1.0
    };
    competence / 10.0 * factor
}

/// What a posted officer delivers to the efficiency index this step: its
/// performance weighted by its grade's `delivery_weight`.
#[inline]
pub fn delivered(delivery_weight: f32, performance: f32) -> f32 {
    delivery_weight * performance * 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn competence_shifts_to_management_at_senior_grades() {
        // A brilliant technician with poor management skills.
        let junior = competence(0.5, 9.0, 9.0, 2.0, 0.1);
        let senior = competence(0.5, 9.0, 9.0, 2.0, 0.8);
        assert!((junior - 8.3).abs() < 1e-5);
        assert!((senior - 3.4).abs() < 1e-5);
    }

    /// Over a span, the ramp-up is its mean over the span's steps: a span
    /// of one step is the plain performance, and a span that starts with
    /// the move sits between the first and the last step's performance.
    #[test]
    fn a_span_reads_the_mean_ramp() {
        let f = WorkFactors::from(&WorkParams::default());
        let one = performance_with_ramp(&f, 7.0, mean_ramp(&f, 5, 1, 1), 0.8, false, 0.1);
        assert_eq!(one, performance(&f, 7.0, 5, 0.8, false, 0.1));
        let span = performance_with_ramp(&f, 7.0, mean_ramp(&f, 3, 1, 3), 0.8, false, 0.1);
        let (first, last) = (
            performance(&f, 7.0, 1, 0.8, false, 0.1),
            performance(&f, 7.0, 3, 0.8, false, 0.1),
        );
        assert!(first < span && span < last, "{first} {span} {last}");
        let mean = (first + performance(&f, 7.0, 2, 0.8, false, 0.1) + last) / 3.0;
        assert!((span - mean).abs() < 1e-6, "{span} vs {mean}");
    }

    #[test]
    fn ramp_up_and_drags_lower_performance() {
        let f = WorkFactors::from(&WorkParams::default());
        let settled = performance_factor(&f, 120, 1.0, false, 0.0);
        let new_post = performance_factor(&f, 0, 1.0, false, 0.0);
        assert!((settled - 1.0).abs() < 1e-3);
        assert!((new_post - 0.65).abs() < 1e-5);
        assert!(performance_factor(&f, 120, 1.0, true, 0.0) < settled);
        assert!(performance_factor(&f, 120, 0.0, false, 0.0) < settled);
        assert!(performance_factor(&f, 120, 1.0, false, 1.0) < settled);
        let off = WorkFactors {
            enabled: false,
            ..f
        };
        assert_eq!(performance_factor(&off, 0, 0.0, true, 1.0), 1.0);
    }
}
