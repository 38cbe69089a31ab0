//! docs/model.md §7.9, pay (morale, which pay drives, is in [`crate::model::morale`];
//! its parameters are keys of `[pay]`).
//!
//! Basic pay of grade g (annual, in units of the bottom grade's pay at
//! level 1):
//! `level · compression^((g − g0)/(G − 1))`, so `compression` is the
//! top-to-entry ratio; plus `increment` per year in grade (up to 20) and a
//! pay-for-performance share that moves with the appraisal record. The
//! outside wage of an officer is the grade's `outside_wage_ratio` × the
//! market pay of the grade (`market_compression^((g − g0)/(G − 1))`, fixed
//! whatever the public scale does) × `(1 + ability_premium·(ability − 5) +
//! expertise_premium·(best expertise − 5))`, so able specialists have the
//! best outside options.
//!

use serde::{Deserialize, Serialize};

use crate::model::check::{Checks, check_ranges};
use crate::model::world::World;

/// Parameters of pay and morale.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PayParams {
    /// Switch for morale dynamics (pay is always computed for the wage bill).
    pub morale: bool,
    /// Top-to-entry basic pay ratio.
    pub compression: f64,
    /// Top-to-entry ratio of the private market's pay for the same grades:
    /// the outside wage of grade g is its `outside_wage_ratio` times the
    /// entry pay times `market_compression^((g − g0)/(G − 1))`, so it does
    /// not move when the public scale is compressed or decompressed. With
    /// `market_increment` it is also the scale a bribe's worth is counted
    /// on ([`PayParams::market_scale_pay`], `corruption.rent_valuation`).
    pub market_compression: f64,
    /// Multiplier on all public pay (a general pay rise is > 1).
    pub level: f64,
    /// Yearly increment as a share of basic pay, for up to 20 years in grade.
    pub increment: f64,
    /// Yearly increment of the private market's pay for the same grades,
    /// for up to 20 years in grade: with `market_compression`, the scale a
    /// bribe's worth is counted on (`corruption.rent_valuation`), which does
    /// not move when the public increment does. Assumption: the public
    /// scale's own default, 0.03.
    pub market_increment: f64,
    /// Share of pay that varies with the appraisal record (±).
    pub pay_for_performance: f64,
    /// Rise in the outside wage per point of ability above 5.
    pub ability_premium: f64,
    /// Rise in the outside wage per point of best expertise above 5.
    pub expertise_premium: f64,
    /// Annual pay of the entry grade in million PKR (to report the wage bill).
    pub entry_pay_million_pkr: f64,
    /// Pension as a share of last pay.
    pub pension_share: f64,
    /// Yearly share of pensions that end (mortality).
    pub pension_mortality: f64,
    /// Monthly share of the gap to target morale closed.
    pub morale_rate: f64,
    pub weight_pay: f64,
    pub weight_fairness: f64,
    pub weight_security: f64,
    /// Slope of pay adequacy in the pay-to-outside-wage ratio.
    pub adequacy_slope: f64,
    /// Morale: fairness lost when every promotion is decided by
    /// connections (`promotion_capture` = 1). Assumption.
    pub fairness_capture_loss: f64,
    /// Morale: fairness lost per supersession suffered (up to two).
    /// Assumption.
    pub supersession_loss: f64,
    /// Morale: security lost while on special duty without a post (OSD).
    /// Assumption.
    pub osd_security_loss: f64,
}

impl Default for PayParams {
    fn default() -> Self {
        PayParams {
            morale: true,
            compression: 2.8,
            market_compression: 2.8,
            level: 1.0,
            increment: 0.03,
            market_increment: 0.03,
            pay_for_performance: 0.0,
            ability_premium: 0.12,
            expertise_premium: 0.04,
            entry_pay_million_pkr: 1.2,
            pension_share: 0.7,
            pension_mortality: 0.05,
            morale_rate: 0.08,
            weight_pay: 0.4,
            weight_fairness: 0.3,
            weight_security: 0.3,
            adequacy_slope: 3.0,
            fairness_capture_loss: 0.7,
            supersession_loss: 0.15,
            osd_security_loss: 0.3,
        }
    }
}

impl PayParams {
    pub fn check(&self, c: &mut Checks) {
        check_ranges!(c, self, "pay", {
            compression: 1.0, 100.0;
            market_compression: 1.0, 100.0;
            level: 0.01, 100.0;
            increment: 0.0, 1.0;
            market_increment: 0.0, 1.0;
            pay_for_performance: 0.0, 1.0;
            ability_premium: 0.0, 1.0;
            expertise_premium: 0.0, 1.0;
            entry_pay_million_pkr: 0.0, 1e6;
            pension_share: 0.0, 2.0;
            pension_mortality: 0.0, 1.0;
            morale_rate: 0.0, 1.0;
            weight_pay: 0.0, 1.0;
            weight_fairness: 0.0, 1.0;
            weight_security: 0.0, 1.0;
            adequacy_slope: 0.0, 100.0;
            fairness_capture_loss: 0.0, 1.0;
            supersession_loss: 0.0, 1.0;
            osd_security_loss: 0.0, 1.0;
        });
        let w = self.weight_pay + self.weight_fairness + self.weight_security;
        if (w - 1.0).abs() > 1e-6 {
            c.conflict(format!(
                "`pay.weight_pay` + `pay.weight_fairness` + `pay.weight_security` must sum to 1, got {w}"
            ));
        }
    }

    /// Basic annual pay of grade index `g` of `grades`.
    pub fn basic(&self, g: usize, grades: usize) -> f64 {
        let x = if grades > 1 {
            g as f64 / (grades - 1) as f64
        } else {
            0.0
        };
        self.level * self.compression.powf(x)
    }

    /// Private-market pay of an average officer at grade `g`, before the
    /// grade's `outside_wage_ratio`.
    pub fn market(&self, g: usize, grades: usize) -> f64 {
        let x = if grades > 1 {
            g as f64 / (grades - 1) as f64
        } else {
            0.0
        };
        self.market_compression.powf(x)
    }

    /// Pay of an officer: basic × increments × pay-for-performance, the
    /// last by the officer's appraisal record against `centre`, the
    /// service's mean record at the last appraisal (an audit, 2026-12-06:
    /// against a fixed 7, inflated reports paid nearly everyone a bonus and
    /// honest ones cut nearly everyone's pay: 13% of the wage bill in
    /// `ncgr_2008`, a package meant to reward performance).
    #[inline]
    pub fn officer_pay(
        &self,
        basic: f64,
        years_in_grade: f64,
        appraisal_mean: f32,
        centre: f32,
    ) -> f64 {
        let rel = if appraisal_mean.is_nan() || centre.is_nan() {
            0.0
        } else {
            ((appraisal_mean as f64 - centre as f64) / 2.5).clamp(-1.0, 1.0)
        };
        with_increments(basic, self.increment, years_in_grade)
            * (1.0 + self.pay_for_performance * rel)
    }

    /// Pay of an officer on the private market's scale, `market` (the
    /// grade's [`PayParams::market`]) with the market's increment for
    /// `years_in_grade` (up to 20): what a bribe is worth is counted in it
    /// (`corruption.rent_valuation = "market"`). It equals
    /// [`PayParams::officer_pay`], bit for bit, while public pay is on the
    /// market's scale (`level` 1, `compression` = `market_compression`,
    /// `increment` = `market_increment`, no pay for performance).
    #[inline]
    pub fn market_scale_pay(&self, market: f64, years_in_grade: f64) -> f64 {
        with_increments(market, self.market_increment, years_in_grade)
    }

    /// Outside wage of an officer given the grade's base outside wage.
    #[inline]
    pub fn outside_wage(&self, grade_outside: f64, ability: f32, best_expertise: f32) -> f64 {
        grade_outside
            * (1.0
                + self.ability_premium * (ability as f64 - 5.0)
                + self.expertise_premium * (best_expertise as f64 - 5.0))
                .max(0.2)
    }
}

/// `base` with a yearly `increment` for `years_in_grade`, up to 20: the
/// one formula of the public scale and the market's, so that the two are
/// the same number when their parameters are.
#[inline]
fn with_increments(base: f64, increment: f64, years_in_grade: f64) -> f64 {
    base * (1.0 + increment * years_in_grade.min(20.0))
}

/// The pension stock at the start, that of a service in steady state: the
/// pensions (`pension_share` of pay) of the officers within a year of
/// `retirement_age`, the year's retirements `F`, kept level by the year-end
/// deaths: `S = (S + F)(1 − m)`, so `S = F (1 − m) / m` with `m` =
/// `pension_mortality`. It assumes the service had today's size, pay and
/// retirements in the past, as the starting population's stationary career
/// profile does (docs/model.md §5); compulsory retirements are left out
/// (rare at the start). The year-end deaths are taken to follow the year's
/// retirements (`sim.annual_step` the year's last step, the default); with
/// an earlier annual step the first year-end finds the stock up to
/// `F (12 − k) / 12` above that level. Without deaths (`m` = 0) there is no steady state
/// and the stock starts at 0. Before 2026-12-05 it always started at 0, so
/// the bill rose through every run towards this level.
pub fn starting_pensions(w: &mut World) {
    let m = w.scn.pay.pension_mortality;
    if m <= 0.0 {
        return;
    }
    let near = w.derived.retirement_m.saturating_sub(12);
    let o = &w.officers;
    let flow: f64 = (0..o.slots())
        .filter(|&i| o.active[i] && o.age_m[i] >= near)
        .map(|i| w.scn.pay.pension_share * w.pay_of(i))
        .sum();
    w.env.pension_stock = flow * (1.0 - m) / m;
}

/// Year-end: pensioners die off at `pension_mortality`, shrinking the
/// pension bill's stock.
pub fn year_end_pensions(w: &mut World) {
    w.env.pension_stock *= 1.0 - w.scn.pay.pension_mortality;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pension_stock_starts_where_a_years_retirements_keep_it() {
        let scn = crate::model::params::Scenario::default();
        let w = crate::model::init::build(&scn, 0);
        let (share, m) = (scn.pay.pension_share, scn.pay.pension_mortality);
        // The year's retirements, counted here from ages in years.
        let flow: f64 = (0..w.officers.slots())
            .filter(|&i| w.officers.active[i])
            .filter(|&i| w.officers.age_m[i] as f64 / 12.0 >= scn.exits.retirement_age - 1.0)
            .map(|i| share * w.pay_of(i))
            .sum();
        assert!(flow > 0.0);
        let s = w.env.pension_stock;
        // A year's retirements joined to it, then the year's deaths: level.
        assert!(((s + flow) * (1.0 - m) - s).abs() < 1e-9 * s, "{s} {flow}");
        let mut scn = scn;
        scn.pay.pension_mortality = 0.0;
        assert_eq!(crate::model::init::build(&scn, 0).env.pension_stock, 0.0);
    }

    #[test]
    fn compression_is_top_to_entry_ratio() {
        let p = PayParams::default();
        assert_eq!(p.basic(0, 6), 1.0);
        assert!((p.basic(5, 6) - 2.8).abs() < 1e-12);
        assert!(p.basic(3, 6) > p.basic(2, 6));
    }

    #[test]
    fn outside_wage_rewards_ability() {
        let p = PayParams::default();
        assert!(p.outside_wage(1.0, 8.0, 5.0) > p.outside_wage(1.0, 5.0, 5.0));
        assert!((p.outside_wage(1.0, 5.0, 5.0) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn pay_for_performance_moves_pay_with_appraisal() {
        let p = PayParams {
            pay_for_performance: 0.2,
            ..Default::default()
        };
        assert!(p.officer_pay(1.0, 0.0, 9.5, 7.0) > p.officer_pay(1.0, 0.0, 7.0, 7.0));
        assert_eq!(p.officer_pay(1.0, 0.0, f32::NAN, 7.0), 1.0);
        // Relative to the service's mean record: the same record pays
        // more where the others' are lower, and the mean record is paid
        // basic pay whatever the scale; no centre, no pay for performance.
        assert!(p.officer_pay(1.0, 0.0, 5.0, 4.0) > p.officer_pay(1.0, 0.0, 5.0, 8.0));
        assert_eq!(p.officer_pay(1.0, 0.0, 4.5, 4.5), 1.0);
        assert_eq!(p.officer_pay(1.0, 0.0, 9.0, f32::NAN), 1.0);
    }
}
