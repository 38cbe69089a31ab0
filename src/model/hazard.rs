//! Annual hazards as per-step probabilities. Every risk an officer runs
//! (detection, wrongful inquiry, political transfer, resignation, revising
//! the corruption decision, reposting) is stated as an annual hazard; a step
//! of `dt` years turns it into a probability.

/// Per-step probability of an event with annual hazard `h` in a step of
/// `dt` years: `1 − e^(−h·dt)`.
#[inline]
pub fn per_step(h: f64, dt: f64) -> f64 {
    let x = h * dt;
    if x <= 0.0 {
        0.0
    } else if x < 0.02 {
        // 1 − e^(−x) by its series; the error is below x⁴/24 < 7e-9.
        x * (1.0 - x * (0.5 - x / 6.0))
    } else {
        1.0 - (-x).exp()
    }
}

/// An upper bound of `e^a` that costs one division and four squarings
/// instead of a call to `exp`: `(1 − a/16)^−16`, which is at least `e^a`
/// for every `a < 16` (equal at 0, 3% above at 1) and infinite from 8 on.
/// The factor `1 + 1e-12` covers the few units in the last place that the
/// arithmetic and the library's `exp` may each be off by near `a = 0`.
/// The monthly pass uses it to decide, without `exp`, that an officer has
/// no event this step (see `sim::pass`, thinning).
#[inline]
pub fn exp_upper(a: f64) -> f64 {
    if a.is_nan() || a >= 8.0 {
        return f64::INFINITY;
    }
    let y = 1.0 - a / 16.0;
    let y2 = y * y;
    let y4 = y2 * y2;
    let y8 = y4 * y4;
    (1.0 + 1e-12) / (y8 * y8)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn exp_upper_bounds_exp_near_zero_and_far_out() {
        for k in -200_000..=200_000 {
            let a = k as f64 * 1e-9;
            assert!(exp_upper(a) >= a.exp(), "a = {a}");
        }
        for a in [-745.0, -100.0, -20.0, -1.0, 0.0, 1.0, 5.0, 7.999, 8.0, 40.0] {
            assert!(exp_upper(a) >= a.exp(), "a = {a}");
        }
        // Not a number: no bound, so the pass computes the exact hazards.
        assert_eq!(exp_upper(f64::NAN), f64::INFINITY);
        // Tight enough to spare the exact computation almost always.
        assert!(exp_upper(1.0) < 1.04 * 1f64.exp());
        assert!(exp_upper(-1.0) < 1.04 * (-1f64).exp());
    }

    #[test]
    fn per_step_never_exceeds_its_linear_bound() {
        for k in 0..10_000 {
            let h = k as f64 * 1e-3;
            assert!(per_step(h, 1.0 / 12.0) <= h * (1.0 / 12.0));
        }
    }

    proptest! {
        #[test]
        fn exp_upper_is_an_upper_bound(a in -800.0f64..20.0) {
            prop_assert!(exp_upper(a) >= a.exp());
        }
    }
}
