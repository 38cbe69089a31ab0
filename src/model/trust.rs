//! docs/model.md §7.14, public trust: moves slowly each year towards a level set by
//! service delivery and visible corruption, raised by grievance channels.
//! `target = w_delivery·efficiency/100 + w_integrity·(1 − prevalence) + grievance_boost·grievance`.

use serde::{Deserialize, Serialize};

use crate::model::check::{Checks, check_ranges};
use crate::model::world::World;

/// Parameters of public trust.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TrustParams {
    /// Switch: off keeps trust at its initial value.
    pub enabled: bool,
    /// Trust at the start, 0–1.
    pub initial: f64,
    /// Share of the gap to the target closed per year.
    pub adjust_rate: f64,
    pub weight_delivery: f64,
    pub weight_integrity: f64,
    pub grievance_boost: f64,
}

impl Default for TrustParams {
    fn default() -> Self {
        TrustParams {
            enabled: true,
            initial: 0.3,
            adjust_rate: 0.15,
            weight_delivery: 0.5,
            weight_integrity: 0.4,
            grievance_boost: 0.1,
        }
    }
}

impl TrustParams {
    pub fn check(&self, c: &mut Checks) {
        check_ranges!(c, self, "trust", {
            initial: 0.0, 1.0;
            adjust_rate: 0.0, 1.0;
            weight_delivery: 0.0, 1.0;
            weight_integrity: 0.0, 1.0;
            grievance_boost: 0.0, 1.0;
        });
    }

    /// Trust after one year.
    pub fn step(&self, trust: f64, efficiency: f64, prevalence: f64, grievance: f64) -> f64 {
        if !self.enabled {
            return trust;
        }
        let target = self.weight_delivery * efficiency / 100.0
            + self.weight_integrity * (1.0 - prevalence)
            + self.grievance_boost * grievance;
        (trust + self.adjust_rate * (target.clamp(0.0, 1.0) - trust)).clamp(0.0, 1.0)
    }
}

/// Year-end feedback: trust moves towards the level set by the year's
/// observed efficiency and corruption prevalence (grievance redress counts
/// only while transparency is on).
pub fn year_end(w: &mut World, efficiency: f64, prevalence: f64) {
    let grievance = if w.scn.transparency.enabled {
        w.scn.transparency.grievance
    } else {
        0.0
    };
    w.env.trust = w
        .scn
        .trust
        .step(w.env.trust, efficiency, prevalence, grievance);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trust_follows_delivery_and_integrity() {
        let p = TrustParams::default();
        let good = p.step(0.3, 80.0, 0.05, 0.5);
        let bad = p.step(0.3, 30.0, 0.6, 0.0);
        assert!(good > 0.3 && bad < good);
        let off = TrustParams {
            enabled: false,
            ..p
        };
        assert_eq!(off.step(0.3, 80.0, 0.0, 1.0), 0.3);
    }
}
