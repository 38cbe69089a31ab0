//! docs/model.md §7.4, accountability: detection of corrupt officers, inquiries,
//! judicial delay, conviction and its penalty, and selective enforcement
//! against honest, unconnected officers when accountability is politicised.
//!
//! Annual detection hazard of a corrupt officer:
//! `h = detection_rate · (1 + egov_detection·egov + grievance_detection·grievance·trust
//!      + whistleblower_effect·whistleblower_protection) · (1 − protection·I·connections)`
//! with I the effective political interference. Annual hazard of a wrongful
//! inquiry for an honest officer:
//! `wrongful_inquiry_rate · selective_enforcement · (1 − connections)`, and
//! none when politics is off (selective enforcement is a political use of
//! the agencies).
//! After `judicial_delay_months` a share `decided_share` of inquiries ends
//! in a verdict (the rest close undecided): conviction with
//! `conviction_rate` (corrupt) or `wrongful_conviction_rate` (honest) of
//! the decided cases.

use serde::{Deserialize, Serialize};

use crate::model::check::{Checks, check_ranges};
use crate::model::params::Scenario;
use crate::model::population::{ExitReason, NONE};
use crate::model::world::{Derived, Env, World};
use crate::model::{exits, postings};

/// Parameters of the accountability institutions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AccountabilityParams {
    /// Switch: off means no detection, inquiries or convictions.
    pub enabled: bool,
    /// Annual probability that a corrupt officer is detected, before boosts.
    pub detection_rate: f64,
    /// Share of inquiries that reach a verdict; the rest close undecided
    /// (the officer returns to post with no conviction).
    pub decided_share: f64,
    /// Probability that a decided case against a corrupt officer ends in
    /// conviction.
    pub conviction_rate: f64,
    /// Probability that a decided case against an honest officer ends in
    /// conviction.
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
            decided_share: 0.48,
            conviction_rate: 0.73,
            wrongful_conviction_rate: 0.104,
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
        check_ranges!(c, self, "accountability", {
            detection_rate: 0.0, 12.0;
            decided_share: 0.0, 1.0;
            conviction_rate: 0.0, 1.0;
            wrongful_conviction_rate: 0.0, 1.0;
            judicial_delay_months: 0.0, 240.0;
            whistleblower_protection: 0.0, 1.0;
            whistleblower_effect: 0.0, 10.0;
            selective_enforcement: 0.0, 1.0;
            wrongful_inquiry_rate: 0.0, 12.0;
        });
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

/// Annual hazard that a corrupt officer with `connections` is detected
/// (0 when accountability is off): the base rate, raised by the
/// environment's boost and cut by the politicians' shield.
#[inline]
pub fn detection_hazard(scn: &Scenario, d: &Derived, env: &Env, connections: f32) -> f64 {
    let a = &scn.accountability;
    if !a.enabled {
        return 0.0;
    }
    let shield = scn.politics.shield(d.interference, connections);
    a.detection_rate * env.detection_boost * shield.max(0.0)
}

/// Perceived annual probability of punishment given the detection hazard:
/// detection, a verdict, and conviction in a decided case.
#[inline]
pub fn punish_probability(scn: &Scenario, detection: f64) -> f64 {
    let a = &scn.accountability;
    (detection * a.decided_share * a.conviction_rate).min(1.0)
}

/// Annual hazard of a wrongful inquiry against an honest officer with
/// `connections`, given [`wrongful_rate`].
#[inline]
pub fn wrongful_hazard(rate: f64, connections: f32) -> f64 {
    rate * (1.0 - connections as f64)
}

/// Whether accountability can be turned against the unconnected: selective
/// enforcement is a political use of the agencies (the baseline's 0.6 is
/// read from the 68% who say they serve political victimisation), so it
/// needs both accountability and politics on. With politics off no one is
/// connected by politics, and the hazard `rate · (1 − connections)` fell
/// on nearly everyone: switching politics off raised wrongful inquiries
/// (a mechanism audit, 2026-12-06: 110 → 141 a year in the baseline).
fn selective(scn: &Scenario) -> bool {
    scn.accountability.enabled && scn.politics.enabled
}

/// The base rate of wrongful inquiries: selective enforcement turns
/// accountability against the unconnected (0 when accountability or
/// politics is off).
pub fn wrongful_rate(scn: &Scenario) -> f64 {
    let a = &scn.accountability;
    if selective(scn) {
        a.wrongful_inquiry_rate * a.selective_enforcement
    } else {
        0.0
    }
}

/// How much an unconnected officer fears selective enforcement (it lowers
/// performance; 0 when accountability or politics is off).
pub fn fear_level(scn: &Scenario) -> f32 {
    if selective(scn) {
        scn.accountability.selective_enforcement as f32
    } else {
        0.0
    }
}

/// Sets the step's detection multiplier from the institutions in force:
/// e-governance coverage, grievance redress and whistleblower protection.
pub fn refresh_detection_boost(w: &mut World) {
    let t = &w.scn.transparency;
    w.env.detection_boost = if t.enabled {
        detection_boost(
            &w.scn.accountability,
            t.egov_detection,
            w.env.egov,
            t.grievance_detection,
            t.grievance,
            w.env.trust,
        )
    } else {
        detection_boost(&w.scn.accountability, 0.0, 0.0, 0.0, 0.0, 0.0)
    };
}

/// Counts down an inquiry of `months` a step; true when its verdict is due.
/// Counting down first gives the verdict after `judicial_delay_months`
/// whatever the step length.
#[inline]
pub fn count_down(inquiry_left: &mut i16, months: u16) -> bool {
    let left = (*inquiry_left - months as i16).max(0);
    *inquiry_left = left;
    left == 0
}

/// Opens an inquiry against officer `i` (`wrongful` when the officer is
/// honest): the officer stops taking bribes and, if the rules say so, is
/// moved out of post (OSD) until the verdict.
pub fn open_inquiry(w: &mut World, i: usize, wrongful: bool) {
    let a = &w.scn.accountability;
    w.officers.inquiry_left[i] = a.judicial_delay_months.round().clamp(0.0, i16::MAX as f64) as i16;
    w.officers.inquiry_wrongful[i] = wrongful;
    w.officers.inquiries[i] = w.officers.inquiries[i].saturating_add(1);
    w.officers.corrupt[i] = false;
    if a.osd_during_inquiry && w.officers.post[i] != NONE {
        postings::move_to(w, i, None);
    }
}

/// The end of officer `i`'s inquiry: with probability `decided_share` a
/// verdict, and in a decided case conviction with `conviction_rate` (or
/// `wrongful_conviction_rate` for an honest officer), which demotes or
/// dismisses; an officer acquitted, or whose case closes undecided, and on
/// special duty is posted. One uniform draw decides both.
pub fn verdict(w: &mut World, i: usize) {
    let a = &w.scn.accountability;
    let wrongful = w.officers.inquiry_wrongful[i];
    let conviction = if wrongful {
        a.wrongful_conviction_rate
    } else {
        a.conviction_rate
    };
    let decided = a.decided_share;
    let demote = a.on_conviction == "demote";
    w.officers.inquiry_left[i] = -1;
    w.officers.inquiry_wrongful[i] = false;
    let u = w.rng.uniform();
    if u < decided * conviction {
        w.flows.convictions += 1;
        if wrongful {
            w.flows.wrongful_convictions += 1;
        }
        w.officers.convictions[i] = w.officers.convictions[i].saturating_add(1);
        if demote && w.officers.grade[i] > 0 {
            w.officers.grade[i] -= 1;
            w.officers.grade_m[i] = 0;
            postings::repost_in_grade(w, i);
        } else {
            // Conviction dismisses (also a demotion below the bottom grade).
            exits::remove(w, i, ExitReason::Dismissal);
        }
        return;
    }
    if u < decided {
        w.flows.acquittals += 1;
    } else {
        w.flows.cases_undecided += 1;
    }
    if w.officers.post[i] == NONE {
        postings::post(w, i);
    }
}

/// Fear of selective enforcement felt by an officer with `connections`
/// (from [`fear_level`]): the connected fear less.
#[inline]
pub fn fear(level: f32, connections: f32) -> f32 {
    level * (1.0 - connections)
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
