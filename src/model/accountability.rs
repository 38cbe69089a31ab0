//! Process 4, accountability: detection of corrupt officers, inquiries,
//! judicial delay, conviction and its penalty, and selective enforcement
//! against honest, unconnected officers when accountability is politicised.
//!
//! Annual detection hazard of a corrupt officer:
//! `h = detection_rate · (1 + egov_detection·egov + grievance_detection·grievance·trust
//!      + whistleblower_effect·whistleblower_protection) · (1 − protection·I·connections)`
//! with I the effective political interference. Annual hazard of a wrongful
//! inquiry for an honest officer:
//! `wrongful_inquiry_rate · selective_enforcement · (1 − connections)`.
//! A verdict follows after `judicial_delay_months`: conviction with
//! `conviction_rate` (corrupt) or `wrongful_conviction_rate` (honest).

use serde::{Deserialize, Serialize};

use crate::scenario::check::Checks;

/// Parameters of the accountability institutions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AccountabilityParams {
    /// Switch: off means no detection, inquiries or convictions.
    pub enabled: bool,
    /// Annual probability that a corrupt officer is detected, before boosts.
    pub detection_rate: f64,
    /// Probability that an inquiry into a corrupt officer ends in conviction.
    pub conviction_rate: f64,
    /// Probability that an inquiry into an honest officer ends in conviction.
    pub wrongful_conviction_rate: f64,
    /// Months from detection to verdict.
    pub judicial_delay_months: f64,
    /// Whistle-blower protection, 0 (none) to 1 (full).
    pub whistleblower_protection: f64,
    /// Relative rise in detection under full whistle-blower protection.
    pub whistleblower_effect: f64,
    /// How far enforcement is used politically, 0 (neutral) to 1 (fully selective).
    pub selective_enforcement: f64,
    /// Annual rate of inquiries into honest unconnected officers at full
    /// selective enforcement.
    pub wrongful_inquiry_rate: f64,
    /// Officers under inquiry are removed from their post (made OSD).
    pub osd_during_inquiry: bool,
    /// What conviction does: "dismiss" or "demote" (one grade down).
    pub on_conviction: String,
}

impl Default for AccountabilityParams {
    fn default() -> Self {
        AccountabilityParams {
            enabled: true,
            detection_rate: 0.06,
            conviction_rate: 0.35,
            wrongful_conviction_rate: 0.05,
            judicial_delay_months: 30.0,
            whistleblower_protection: 0.0,
            whistleblower_effect: 0.5,
            selective_enforcement: 0.6,
            wrongful_inquiry_rate: 0.015,
            osd_during_inquiry: true,
            on_conviction: "dismiss".into(),
        }
    }
}

impl AccountabilityParams {
    pub fn check(&self, c: &mut Checks) {
        c.range(
            "accountability.detection_rate",
            self.detection_rate,
            0.0,
            12.0,
        );
        c.range(
            "accountability.conviction_rate",
            self.conviction_rate,
            0.0,
            1.0,
        );
        c.range(
            "accountability.wrongful_conviction_rate",
            self.wrongful_conviction_rate,
            0.0,
            1.0,
        );
        c.range(
            "accountability.judicial_delay_months",
            self.judicial_delay_months,
            0.0,
            240.0,
        );
        c.range(
            "accountability.whistleblower_protection",
            self.whistleblower_protection,
            0.0,
            1.0,
        );
        c.range(
            "accountability.whistleblower_effect",
            self.whistleblower_effect,
            0.0,
            10.0,
        );
        c.range(
            "accountability.selective_enforcement",
            self.selective_enforcement,
            0.0,
            1.0,
        );
        c.range(
            "accountability.wrongful_inquiry_rate",
            self.wrongful_inquiry_rate,
            0.0,
            12.0,
        );
        c.one_of(
            "accountability.on_conviction",
            &self.on_conviction,
            &["dismiss", "demote"],
        );
    }
}

/// Environment-level multiplier on the base detection rate.
pub fn detection_boost(
    p: &AccountabilityParams,
    egov_detection: f64,
    egov: f64,
    grievance_detection: f64,
    grievance: f64,
    trust: f64,
) -> f64 {
    1.0 + egov_detection * egov
        + grievance_detection * grievance * trust
        + p.whistleblower_effect * p.whistleblower_protection
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn institutions_raise_detection() {
        let mut p = AccountabilityParams::default();
        let none = detection_boost(&p, 1.0, 0.0, 1.0, 0.0, 0.5);
        assert_eq!(none, 1.0);
        assert!(detection_boost(&p, 1.0, 0.8, 1.0, 0.0, 0.5) > none);
        assert!(detection_boost(&p, 1.0, 0.0, 1.0, 0.8, 0.5) > none);
        p.whistleblower_protection = 1.0;
        assert_eq!(detection_boost(&p, 1.0, 0.0, 1.0, 0.0, 0.5), 1.5);
    }
}
