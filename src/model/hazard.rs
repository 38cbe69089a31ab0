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
