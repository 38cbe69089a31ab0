//! Transparency: e-governance coverage (file tracking, digital services)
//! that shrinks the discretionary rent of posts and raises detection, and
//! citizen grievance channels that raise detection and public trust.
//! Coverage moves towards its target at `adoption_speed` a year.

use serde::{Deserialize, Serialize};

use crate::model::check::{Checks, check_ranges};
use crate::model::world::World;

/// Parameters of transparency.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TransparencyParams {
    /// Switch: off means no e-governance or grievance effects.
    pub enabled: bool,
    /// E-governance coverage at the start, 0–1.
    pub egov_initial: f64,
    /// Coverage the government is working towards, 0–1.
    pub egov_target: f64,
    /// Share of the gap to the target closed per year.
    pub adoption_speed: f64,
    /// Share of a post's rent removed at full coverage.
    pub egov_rent_cut: f64,
    /// Relative rise in detection at full coverage.
    pub egov_detection: f64,
    /// Strength of citizen grievance channels, 0–1.
    pub grievance: f64,
    /// Relative rise in detection from grievances at full strength and trust.
    pub grievance_detection: f64,
}

impl Default for TransparencyParams {
    fn default() -> Self {
        TransparencyParams {
            enabled: true,
            egov_initial: 0.1,
            egov_target: 0.15,
            adoption_speed: 0.2,
            egov_rent_cut: 0.5,
            egov_detection: 1.0,
            grievance: 0.1,
            grievance_detection: 1.5,
        }
    }
}

impl TransparencyParams {
    pub fn check(&self, c: &mut Checks) {
        check_ranges!(c, self, "transparency", {
            egov_initial: 0.0, 1.0;
            egov_target: 0.0, 1.0;
            adoption_speed: 0.0, 12.0;
            egov_rent_cut: 0.0, 1.0;
            egov_detection: 0.0, 10.0;
            grievance: 0.0, 1.0;
            grievance_detection: 0.0, 10.0;
        });
    }

    /// Coverage after one step of `1/steps_per_year` years.
    pub fn step_coverage(&self, coverage: f64, steps_per_year: u32) -> f64 {
        let k = 1.0 - (-self.adoption_speed / steps_per_year as f64).exp();
        (coverage + k * (self.egov_target - coverage)).clamp(0.0, 1.0)
    }
}

/// E-governance coverage moves one step towards its target.
pub fn step(w: &mut World) {
    let t = &w.scn.transparency;
    if t.enabled {
        w.env.egov = t.step_coverage(w.env.egov, w.derived.steps_per_year);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coverage_approaches_target() {
        let p = TransparencyParams {
            egov_target: 0.9,
            adoption_speed: 0.5,
            ..Default::default()
        };
        let mut c = p.egov_initial;
        for _ in 0..12 * 10 {
            c = p.step_coverage(c, 12);
        }
        assert!(c > 0.8 && c <= 0.9, "{c}");
    }
}
