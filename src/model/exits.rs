//! docs/model.md §7.10, exits: retirement at the scenario's age; voluntary exit
//! whose annual hazard is
//! `quit_base · exp(quit_sensitivity·(outside/pay − 1)) · (1 + morale_effect·(1 − 2·morale))`,
//! cut by `pension_pull` in the last `pension_window_years` before pension
//! eligibility and after it, so able officers with good outside options
//! leave first (brain drain); dismissal on conviction (in accountability);
//! and compulsory ("directory") retirement after `compulsory_min_service`
//! years for poor records (Civil Servants Act 1973 s.13; Directory
//! Retirement Rules 2020).

use serde::{Deserialize, Serialize};

use crate::model::check::{Checks, check_ranges};
use crate::model::population::ExitReason;
use crate::model::world::World;

/// Parameters of exits.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ExitParams {
    /// Switch for voluntary exit and compulsory retirement (retirement at
    /// `retirement_age` always applies).
    pub enabled: bool,
    pub retirement_age: f64,
    /// Annual voluntary exit hazard at pay equal to the outside wage and morale 0.5.
    pub quit_base: f64,
    /// How strongly the hazard's wage term answers pay against the outside
    /// wage. Pay also moves the hazard through morale, so the model's
    /// resignations answer pay with an elasticity of about −(0.63 + 0.94 ·
    /// quit_sensitivity): 0.4 gives about −1.0, the value read from public
    /// servants' quit responses to pay (docs/model.md §7.10).
    pub quit_sensitivity: f64,
    /// Relative rise in the hazard at morale 0 (and fall at morale 1).
    pub morale_effect: f64,
    /// Years of service that earn a pension.
    pub pension_service_years: f64,
    /// Years before pension eligibility from which the hazard is cut.
    pub pension_window_years: f64,
    /// Share of the hazard removed near and after pension eligibility.
    pub pension_pull: f64,
    /// Directory retirement of poor records after minimum service.
    pub compulsory_retirement: bool,
    pub compulsory_min_service: f64,
    /// Appraisal mean below which a record is poor.
    pub compulsory_appraisal_below: f64,
    /// Supersessions that make a record poor.
    pub compulsory_supersessions: u32,
    /// Probability that a poor record found in the annual review is retired.
    pub compulsory_enforcement: f64,
    /// Dismiss officers whose competence falls below this (0 = never), in
    /// the annual review, even when `enabled` is false; classic pyramid
    /// models dismiss below 4.
    pub dismiss_below_competence: f64,
}

impl Default for ExitParams {
    fn default() -> Self {
        ExitParams {
            enabled: true,
            retirement_age: 60.0,
            quit_base: 0.012,
            quit_sensitivity: 0.4,
            morale_effect: 1.0,
            pension_service_years: 25.0,
            pension_window_years: 8.0,
            pension_pull: 0.6,
            compulsory_retirement: false,
            compulsory_min_service: 20.0,
            compulsory_appraisal_below: 6.0,
            compulsory_supersessions: 2,
            compulsory_enforcement: 0.5,
            dismiss_below_competence: 0.0,
        }
    }
}

impl ExitParams {
    pub fn check(&self, c: &mut Checks) {
        check_ranges!(c, self, "exits", {
            retirement_age: 18.0, 100.0;
            quit_base: 0.0, 1.0;
            quit_sensitivity: 0.0, 50.0;
            morale_effect: 0.0, 1.0;
            pension_service_years: 0.0, 60.0;
            pension_window_years: 0.0, 60.0;
            pension_pull: 0.0, 1.0;
            compulsory_min_service: 0.0, 60.0;
            compulsory_appraisal_below: 0.0, 10.0;
            compulsory_supersessions: int 1, 100;
            compulsory_enforcement: 0.0, 1.0;
            dismiss_below_competence: 0.0, 10.0;
        });
    }

    /// Annual voluntary exit hazard.
    #[inline]
    pub fn quit_hazard(&self, outside_over_pay: f64, service_years: f64, morale: f64) -> f64 {
        self.quit_hazard_with(outside_over_pay, service_years, morale, f64::exp)
    }

    /// An upper bound of [`Self::quit_hazard`] without a call to `exp`
    /// ([`crate::model::hazard::exp_upper`]): the same products in the same
    /// order, each factor non-negative, so the bound is never below the
    /// hazard as computed.
    #[inline]
    pub fn quit_hazard_bound(&self, outside_over_pay: f64, service_years: f64, morale: f64) -> f64 {
        self.quit_hazard_with(
            outside_over_pay,
            service_years,
            morale,
            crate::model::hazard::exp_upper,
        )
    }

    /// Years of service from which `pension_pull` cuts the hazard.
    #[inline]
    pub fn pull_from(&self) -> f64 {
        self.pension_service_years - self.pension_window_years
    }

    #[inline(always)]
    fn quit_hazard_with(
        &self,
        outside_over_pay: f64,
        service_years: f64,
        morale: f64,
        exp: impl Fn(f64) -> f64,
    ) -> f64 {
        if !self.enabled {
            return 0.0;
        }
        let pull = if service_years >= self.pull_from() {
            1.0 - self.pension_pull
        } else {
            1.0
        };
        let morale_f = 1.0 + self.morale_effect * (1.0 - 2.0 * morale);
        self.quit_base * exp(self.quit_sensitivity * (outside_over_pay - 1.0)) * pull * morale_f
    }
}

/// Removes officer `i` from the service for `reason`, vacating its post and
/// updating the year's flows and the pension stock.
pub fn remove(w: &mut World, i: usize, reason: ExitReason) {
    crate::model::postings::leave_post(w, i);
    match reason {
        ExitReason::Retirement | ExitReason::Compulsory => {
            w.env.pension_stock += w.scn.pay.pension_share * w.pay_of(i);
        }
        ExitReason::Voluntary => {
            w.flows.leaver_ability_sum += w.officers.ability[i] as f64;
        }
        ExitReason::Dismissal => {}
    }
    w.flows.exits[reason as usize] += 1;
    w.officers.remove(i as u32);
}

/// The annual review: directory retirement of poor records and, in classic
/// models, dismissal of incompetents.
pub fn annual_review(w: &mut World) {
    let p = w.scn.exits.clone();
    let review = p.enabled && p.compulsory_retirement;
    if !review && p.dismiss_below_competence <= 0.0 {
        return;
    }
    let min_m = (p.compulsory_min_service * 12.0) as u16;
    for i in 0..w.officers.slots() {
        if !w.officers.active[i] {
            continue;
        }
        if p.dismiss_below_competence > 0.0 {
            let g = w.officers.grade[i] as usize;
            if (w.competence_here(i, g) as f64) < p.dismiss_below_competence {
                remove(w, i, ExitReason::Dismissal);
                continue;
            }
        }
        if review && w.officers.service_m[i] >= min_m {
            let mean = w.officers.appraisal_mean(i);
            let poor = (!mean.is_nan() && (mean as f64) < p.compulsory_appraisal_below)
                || w.officers.supersessions[i] as u32 >= p.compulsory_supersessions
                || w.officers.convictions[i] > 0;
            if poor && w.rng.chance(p.compulsory_enforcement) {
                remove(w, i, ExitReason::Compulsory);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quitting_rises_with_outside_wage_and_falls_near_pension() {
        let p = ExitParams::default();
        let base = p.quit_hazard(1.0, 5.0, 0.5);
        assert!((base - 0.012).abs() < 1e-12);
        // The wage term: exp(quit_sensitivity · (outside/pay − 1)).
        let raised = p.quit_hazard(1.5, 5.0, 0.5);
        assert!((raised - base * (0.5 * p.quit_sensitivity).exp()).abs() < 1e-12);
        assert!(raised > 1.2 * base);
        assert!(p.quit_hazard(1.0, 20.0, 0.5) < base);
        assert!(p.quit_hazard(1.0, 5.0, 0.1) > base);
        let off = ExitParams {
            enabled: false,
            ..p
        };
        assert_eq!(off.quit_hazard(3.0, 1.0, 0.0), 0.0);
    }
}
