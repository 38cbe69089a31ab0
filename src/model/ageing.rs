//! docs/model.md §7.1, ageing and service time, with the learning that comes with
//! it: expertise in the sector of the current post grows with months served
//! (`e += expertise_gain·(10 − e)` a month) and managerial skill grows with
//! the management content of the grade (`m += managerial_gain·m_g·(10 − m)`);
//! expertise in sectors not worked in decays by `expertise_decay` a year.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::model::check::{Checks, check_ranges};
use crate::model::population::NONE;
use crate::model::world::{PARALLEL_SLOTS, World};

/// Parameters of ageing and on-the-job learning.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AgeingParams {
    /// Switch for on-the-job learning (officers always age).
    pub learning: bool,
    /// Monthly share of the gap to 10 closed in the current post's sector.
    pub expertise_gain: f64,
    /// Yearly share of expertise lost in sectors not worked in that year.
    pub expertise_decay: f64,
    /// Monthly share of the gap to 10 closed in managerial skill, times the
    /// grade's management weight.
    pub managerial_gain: f64,
}

impl Default for AgeingParams {
    fn default() -> Self {
        AgeingParams {
            learning: true,
            expertise_gain: 0.015,
            expertise_decay: 0.04,
            managerial_gain: 0.006,
        }
    }
}

impl AgeingParams {
    pub fn check(&self, c: &mut Checks) {
        check_ranges!(c, self, "ageing", {
            expertise_gain: 0.0, 1.0;
            expertise_decay: 0.0, 1.0;
            managerial_gain: 0.0, 1.0;
        });
    }
}

/// Officer `i`'s learning in its post's sector over `months` months, for
/// an officer whose post the staggered engine moved early in a span: the
/// span's learning went to the old post's sector, the rest of it is
/// learned in the new one (docs/model.md §3.1).
pub fn learn_in_post(w: &mut World, i: usize, months: u16) {
    let o = &mut w.officers;
    if !w.scn.ageing.learning || o.post[i] == crate::model::population::NONE || months == 0 {
        return;
    }
    let e = &mut o.expertise[i * o.sectors + o.post_sector[i] as usize];
    *e = learn(gain_per_step(w.scn.ageing.expertise_gain, months), *e);
}

/// Takes back `months` months of learning in `sector` from officer `i`'s
/// expertise (the inverse of [`learn`] over that many months): under the
/// staggered engine the pass learned a whole span in the post, and an event
/// that ended the posting on an earlier step of it gives back the rest.
pub fn unlearn(w: &mut World, i: usize, sector: usize, months: u16) {
    if !w.scn.ageing.learning || months == 0 {
        return;
    }
    let gain = w.scn.ageing.expertise_gain;
    let o = &mut w.officers;
    let e = &mut o.expertise[i * o.sectors + sector];
    *e = unlearned(gain, months, *e);
}

/// The level from which `months` months of learning at monthly `gain`
/// reach `level` (never above `level`, never below 0).
pub fn unlearned(gain: f64, months: u16, level: f32) -> f32 {
    let keep = 1.0 - gain_per_step(gain, months);
    if keep <= 0.0 {
        return level;
    }
    (10.0 - (10.0 - level) / keep).clamp(0.0, level)
}

/// One month of learning in the post's sector.
#[inline]
pub fn learn(gain: f32, level: f32) -> f32 {
    (level + gain * (10.0 - level)).min(10.0)
}

/// The mean, over `steps` steps of learning at `gain` a step from `level`,
/// of the level after each step: what an officer works with over a span
/// of the staggered engine, which learns and then works on every step
/// (`level` itself when `steps` is 0).
#[inline]
pub fn mean_learned(gain: f32, level: f32, steps: u16) -> f32 {
    if steps == 0 {
        return level;
    }
    let keep = 1.0 - gain;
    let (mut kept, mut sum) = (1.0f32, 0.0f32);
    for _ in 0..steps {
        kept *= keep;
        sum += kept;
    }
    (10.0 - (10.0 - level) * sum / steps as f32).min(10.0)
}

/// The officer's clocks advance by one step of `months` months: age,
/// service and time in grade.
#[inline]
pub fn advance(age_m: &mut u16, service_m: &mut u16, grade_m: &mut u16, months: u16) {
    *age_m = age_m.saturating_add(months);
    *service_m = service_m.saturating_add(months);
    *grade_m = grade_m.saturating_add(months);
}

/// The learning gain of one step of `months` months from a monthly `gain`.
pub fn gain_per_step(gain: f64, months: u16) -> f32 {
    1.0 - (1.0 - gain as f32).powi(months as i32)
}

/// Expertise in sectors other than the current post's decays each year.
pub fn decay_expertise(w: &mut World) {
    if !w.scn.ageing.learning || w.scn.ageing.expertise_decay <= 0.0 {
        return;
    }
    let keep = 1.0 - w.scn.ageing.expertise_decay as f32;
    let s = w.derived.sectors;
    if s == 0 {
        return;
    }
    let o = &mut w.officers;
    let n = o.slots();
    // Each officer's decay reads and writes only its own columns: a large
    // service decays in slices on every core, the same numbers.
    let decay = |(active, post, sector, expertise): (&[bool], &[u32], &[u8], &mut [f32])| {
        for (k, e) in expertise.chunks_mut(s).enumerate() {
            if !active[k] {
                continue;
            }
            let here = if post[k] == NONE {
                usize::MAX
            } else {
                sector[k] as usize
            };
            for (j, e) in e.iter_mut().enumerate() {
                if j != here {
                    *e = (*e * keep).max(1.0f32.min(*e));
                }
            }
        }
    };
    let (active, post, sector) = (&o.active[..n], &o.post[..n], &o.post_sector[..n]);
    let expertise = &mut o.expertise[..n * s];
    if n < PARALLEL_SLOTS {
        decay((active, post, sector, expertise));
    } else {
        const SLICE: usize = 1 << 14;
        active
            .par_chunks(SLICE)
            .zip(post.par_chunks(SLICE))
            .zip(sector.par_chunks(SLICE))
            .zip(expertise.par_chunks_mut(SLICE * s))
            .for_each(|(((a, p), c), e)| decay((a, p, c, e)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A step of no time teaches nothing.
    #[test]
    fn no_months_no_learning() {
        for e in [0.0f32, 3.3, 10.0] {
            assert_eq!(learn(gain_per_step(0.02, 0), e), e);
        }
    }

    /// Taking back months of learning returns the level those months
    /// started from: a span learned in one step, less its last months, is
    /// the span's first months learned.
    #[test]
    fn unlearning_inverts_learning() {
        for e0 in [0.0f32, 2.5, 7.9] {
            for (span, back) in [(3u16, 1u16), (3, 2), (6, 5), (12, 12)] {
                let full = learn(gain_per_step(0.015, span), e0);
                let part = learn(gain_per_step(0.015, span - back), e0);
                let got = unlearned(0.015, back, full);
                assert!(
                    (got - part).abs() < 1e-4,
                    "{e0} {span} {back}: {got} vs {part}"
                );
            }
        }
        assert_eq!(unlearned(0.015, 0, 4.0), 4.0);
        assert_eq!(unlearned(0.015, 5, 10.0), 10.0);
    }

    /// A span's mean level is the mean of the levels a step at a time
    /// reaches, after each step: above the start, below the span's end.
    #[test]
    fn the_mean_over_a_span_is_that_of_its_steps() {
        for e0 in [0.0f32, 2.5, 7.9, 10.0] {
            for steps in [1u16, 2, 3, 6, 12] {
                let (mut e, mut sum) = (e0, 0.0f32);
                for _ in 0..steps {
                    e = learn(0.015, e);
                    sum += e;
                }
                let got = mean_learned(0.015, e0, steps);
                assert!(
                    (got - sum / steps as f32).abs() < 1e-4,
                    "{e0} {steps}: {got}"
                );
                assert!(
                    got >= e0 && got <= e,
                    "{e0} {steps}: {got} not in [{e0}, {e}]"
                );
                if steps > 1 && e0 < 10.0 {
                    assert!(got < e - 1e-3, "{e0} {steps}: {got} is the span's end");
                }
            }
        }
        assert_eq!(mean_learned(0.015, 4.0, 0), 4.0);
    }

    #[test]
    fn learning_saturates_at_ten() {
        let mut e = 2.0;
        for _ in 0..12 * 40 {
            e = learn(0.015, e);
        }
        assert!(e > 9.9 && e <= 10.0);
        // Three years in one post: from 2 to about 5.3.
        let mut e = 2.0;
        for _ in 0..36 {
            e = learn(0.015, e);
        }
        assert!((e - 5.36).abs() < 0.1, "{e}");
    }
}
