//! docs/model.md §7.3, the corruption decision, and the integrity dynamics behind it.
//!
//! An officer in a post with rent weighs, in years of the officer's pay on
//! the private market's scale (`rent_valuation`;
//! [`crate::model::world::value_pay_for`]; σ = own pay over that pay, 1 at
//! the baseline's pay), the expected-income comparison of Becker & Stigler
//! (1974) and Van Rijckeghem & Weder (2001):
//!
//! `gain = rent · rent_value · (1 − e^(−months_in_post / collusion_months))`
//! `cost = q · (penalty + max(0, 1 − outside/pay) · min(horizon, years_left) + P) · σ
//!        + moral_weight · integrity · (1 − peer_moral_discount · peers)`
//!
//! with P the pension forfeited on conviction ([`pension_lost`], 0 by
//! default), q the perceived annual probability of detection, a verdict
//! and conviction,
//! lowered by corrupt peers (`peer_risk_discount`) and by political
//! protection. The officer takes bribes with probability
//! `logistic((gain − cost) / temperature)`, revised at `revision_rate` a
//! year. Collusion takes time to build, so a transfer breaks it (Abbink 2004).
//! A bribe is a sum of money, which public pay policy does not change; what
//! a conviction costs is lost from own pay, so pay acts on the decision
//! through it.
//! Corrupt peers in the same unit and low morale erode integrity each month;
//! integrity recovers slowly towards its value at entry.

use serde::{Deserialize, Serialize};

use crate::model::accountability;
use crate::model::check::{Checks, check_ranges};
use crate::model::params::Scenario;
use crate::model::world::{Derived, World};

/// Parameters of the corruption decision.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CorruptionParams {
    /// Switch: off means nobody takes bribes.
    pub enabled: bool,
    /// Yearly rate at which an officer reconsiders taking bribes.
    pub revision_rate: f64,
    /// Annual bribe income in a post of rent 1, in years of pay (on the
    /// scale `rent_valuation` names) once collusion is built.
    pub rent_value: f64,
    /// The pay in which bribes, the moral cost and the decision's noise
    /// are counted. `"market"` (default): the officer's pay on the private
    /// market's scale ([`crate::model::pay::PayParams::market_scale_pay`]),
    /// which public pay policy (level, compression, increment, pay for
    /// performance) does not move, so a bribe is a sum of money and pay
    /// acts on the decision through what a conviction costs (the penalty,
    /// the premium and the pension, all in own pay), as in Becker & Stigler
    /// (1974). `"own_pay"`: everything in the officer's own pay, so a pay
    /// rise raised the bribes taken in money with it and acted only through
    /// the premium (the rule before 2026-12-07). The two agree bit for bit
    /// wherever public pay is on the market's scale, as in the baseline.
    pub rent_valuation: String,
    /// Months for collusion with bribers to build up in a post.
    pub collusion_months: f64,
    /// Moral cost of full integrity, in years of pay (`rent_valuation`).
    pub moral_weight: f64,
    /// Share of the moral cost removed when every peer in the unit is corrupt.
    pub peer_moral_discount: f64,
    /// Share of the perceived risk removed when every peer is corrupt.
    pub peer_risk_discount: f64,
    /// Penalty on conviction, in years of own pay (on top of losing the job).
    pub penalty_years: f64,
    /// Years of lost pay premium counted in the cost of dismissal.
    pub horizon_years: f64,
    /// Share of the pension a convicted officer forfeits (dismissal from
    /// service). The pension's value today, in years of own pay, is
    /// `pay.pension_share / (pay.pension_mortality + discount_rate) ·
    /// e^(−discount_rate · years to retirement)`. 0: assumption (no
    /// effect), kept until the calibration sets it.
    pub pension_at_stake: f64,
    /// Yearly rate at which an officer discounts the pension.
    pub discount_rate: f64,
    /// Noise of the decision (logistic scale), in years of pay
    /// (`rent_valuation`).
    pub temperature: f64,
    /// Monthly erosion of integrity when every peer in the unit is corrupt.
    pub peer_erosion: f64,
    /// Monthly erosion of integrity at zero morale (none at morale ≥ 0.5).
    pub morale_erosion: f64,
    /// Monthly recovery of integrity towards its value at entry.
    pub recovery: f64,
    /// The roving bandit: an officer who expects to be moved soon takes
    /// what it can while it can. The gain of bribery is multiplied by
    /// `1 + haste · h`, with h the officer's annual hazard of a political
    /// transfer. 0: assumption (no effect); direction: Olson (1993) on
    /// roving and stationary bandits.
    pub haste: f64,
}

impl Default for CorruptionParams {
    fn default() -> Self {
        CorruptionParams {
            enabled: true,
            revision_rate: 1.0,
            rent_value: 2.0,
            rent_valuation: "market".into(),
            collusion_months: 6.0,
            moral_weight: 2.2,
            peer_moral_discount: 0.5,
            peer_risk_discount: 0.3,
            penalty_years: 1.0,
            horizon_years: 10.0,
            pension_at_stake: 0.0,
            discount_rate: 0.05,
            temperature: 0.25,
            peer_erosion: 0.004,
            morale_erosion: 0.003,
            recovery: 0.004,
            haste: 0.0,
        }
    }
}

/// The values `corruption.rent_valuation` may name.
pub const RENT_VALUATIONS: [&str; 2] = ["market", "own_pay"];

impl CorruptionParams {
    pub fn check(&self, c: &mut Checks) {
        c.one_of(
            "corruption.rent_valuation",
            &self.rent_valuation,
            &RENT_VALUATIONS,
        );
        check_ranges!(c, self, "corruption", {
            revision_rate: 0.0, 12.0;
            rent_value: 0.0, 100.0;
            collusion_months: 0.01, 600.0;
            moral_weight: 0.0, 100.0;
            peer_moral_discount: 0.0, 1.0;
            peer_risk_discount: 0.0, 1.0;
            penalty_years: 0.0, 100.0;
            horizon_years: 0.0, 50.0;
            pension_at_stake: 0.0, 1.0;
            discount_rate: 0.0, 1.0;
            temperature: 0.001, 100.0;
            peer_erosion: 0.0, 1.0;
            morale_erosion: 0.0, 1.0;
            recovery: 0.0, 1.0;
            haste: 0.0, 100.0;
        });
    }
}

/// Inputs of one officer's decision.
#[derive(Clone, Copy, Debug)]
pub struct Situation {
    /// Effective rent of the post, 0–1 (after e-governance).
    pub rent: f64,
    /// σ, own pay over the pay the decision is counted in (1 at the
    /// baseline's pay): converts a conviction's loss, in own pay.
    pub pay_scale: f64,
    pub months_in_post: f64,
    /// Share of corrupt officers among the unit's posted officers.
    pub peers: f64,
    pub integrity: f64,
    /// Perceived annual probability of detection and conviction.
    pub punish: f64,
    /// Outside wage over own pay.
    pub outside_ratio: f64,
    pub years_left: f64,
    /// Annual hazard of being moved out of the post by a political transfer.
    pub move_hazard: f64,
    /// Value today of the pension forfeited on conviction, in years of own
    /// pay (0 unless `pension_at_stake` > 0).
    pub pension_lost: f64,
}

/// Net expected gain from taking bribes, in years of the pay the decision
/// is counted in (`rent_valuation`; own pay at the baseline's pay).
pub fn net_gain(p: &CorruptionParams, s: &Situation) -> f64 {
    let mut gain = s.rent * p.rent_value * (1.0 - (-s.months_in_post / p.collusion_months).exp());
    if p.haste > 0.0 {
        gain *= 1.0 + p.haste * s.move_hazard;
    }
    let premium = (1.0 - s.outside_ratio).max(0.0);
    let q = s.punish * (1.0 - p.peer_risk_discount * s.peers);
    let cost = q
        * (p.penalty_years + premium * p.horizon_years.min(s.years_left.max(0.0)) + s.pension_lost)
        * s.pay_scale
        + p.moral_weight * s.integrity * (1.0 - p.peer_moral_discount * s.peers);
    gain - cost
}

/// Probability that the officer chooses to take bribes.
pub fn probability(p: &CorruptionParams, s: &Situation) -> f64 {
    1.0 / (1.0 + (-net_gain(p, s) / p.temperature).exp())
}

/// One month of integrity dynamics; returns the new integrity.
#[inline]
pub fn integrity_step(
    p: &CorruptionParams,
    integrity: f32,
    anchor: f32,
    peers: f32,
    morale: f32,
) -> f32 {
    let low_morale = (1.0 - 2.0 * morale).max(0.0);
    let erosion = p.peer_erosion as f32 * peers + p.morale_erosion as f32 * low_morale;
    let next = integrity - erosion * integrity + p.recovery as f32 * (anchor - integrity);
    next.clamp(0.0, 1.0)
}

/// One posted officer's own values that the corruption decision reads.
pub struct SituationInputs {
    pub rent: f32,
    /// The pay a bribe's worth is counted in
    /// ([`crate::model::world::value_pay_for`]).
    pub value_pay: f64,
    pub months_in_post: u16,
    pub peers: f32,
    pub integrity: f32,
    pub punish: f64,
    pub outside: f64,
    pub pay: f64,
    pub age_m: u16,
    pub move_hazard: f64,
}

/// The corruption decision's inputs from an officer's own values: the
/// moral cost is cut by the politicians' pressure for rents
/// ([`politics::PoliticsParams::pressure_factor`]).
#[inline]
pub fn situation_from(scn: &Scenario, d: &Derived, v: SituationInputs) -> Situation {
    let years_left = (d.retirement_m as f64 - v.age_m as f64) / 12.0;
    Situation {
        rent: v.rent as f64,
        pay_scale: v.pay / v.value_pay,
        months_in_post: v.months_in_post as f64,
        peers: v.peers as f64,
        integrity: v.integrity as f64 * scn.politics.pressure_factor(d.interference),
        punish: v.punish,
        outside_ratio: v.outside / v.pay,
        years_left,
        move_hazard: v.move_hazard,
        pension_lost: pension_lost(scn, years_left),
    }
}

/// The value today, in years of own pay, of the pension a convicted
/// officer with `years_left` to retirement forfeits: a pension of
/// `pension_share` of pay from retirement, ending at the yearly
/// `pension_mortality`, discounted at `discount_rate`, times
/// `pension_at_stake`. 0 when `pension_at_stake` is 0.
pub fn pension_lost(scn: &Scenario, years_left: f64) -> f64 {
    let c = &scn.corruption;
    if c.pension_at_stake <= 0.0 {
        return 0.0;
    }
    let pay = &scn.pay;
    let annuity = pay.pension_share / (pay.pension_mortality + c.discount_rate).max(1e-9);
    c.pension_at_stake * annuity * (-c.discount_rate * years_left.max(0.0)).exp()
}

/// The corruption decision's inputs for officer `i` in post `p`.
pub fn situation(w: &World, i: usize, p: usize) -> Situation {
    debug_assert_eq!(w.officers.post[i] as usize, p);
    let unit = w.officers.post_unit[i] as usize;
    let detection =
        accountability::detection_hazard(&w.scn, &w.derived, &w.env, w.officers.connections[i]);
    let pay = w.pay_of(i);
    situation_from(
        &w.scn,
        &w.derived,
        SituationInputs {
            rent: w.officer_rent(i),
            value_pay: crate::model::world::value_pay_for(
                &w.scn.pay,
                &w.derived,
                w.officers.grade[i],
                w.officers.grade_m[i],
                pay,
            ),
            months_in_post: w.officers.months_in_post[i],
            peers: w.peer_share(i, unit),
            integrity: w.officers.integrity[i],
            punish: accountability::punish_probability(&w.scn, detection),
            outside: w.outside_of(i),
            pay,
            age_m: w.officers.age_m[i],
            move_hazard: move_hazard(w, i),
        },
    )
}

/// Posted officer `i`'s annual hazard of a political transfer, as the
/// monthly pass computes it.
fn move_hazard(w: &World, i: usize) -> f64 {
    let s = w.officers.post_sector[i] as usize;
    w.scn.postings.political_hazard(
        w.derived.interference,
        w.derived.sector_desirability[s] as f64,
        w.officers.ability[i] as f64,
        w.env.wave_left > 0,
        w.scn.politics.wave_multiplier,
    ) * w.derived.political_exposure[w.officers.grade[i] as usize]
        * w.scn
            .posting_market
            .removal_factor(w.officers.corrupt[i], w.officer_rent(i))
}

/// Bribes a corrupt officer takes in one step of `dt` years: the post's
/// rent, valued in years of `value_pay` (the pay a bribe's worth is counted
/// in, [`crate::model::world::value_pay_for`]), grows with collusion as the
/// officer stays in post (`collusion`, from [`Collusion`]).
#[inline]
pub fn bribes_at(p: &CorruptionParams, rent: f32, collusion: f64, value_pay: f64, dt: f64) -> f64 {
    rent as f64 * p.rent_value * collusion * value_pay * dt
}

/// Collusion after `months_in_post` months in post: `1 − e^(−m/collusion_months)`.
#[inline]
pub fn collusion(p: &CorruptionParams, months_in_post: u16) -> f64 {
    1.0 - (-(months_in_post as f64) / p.collusion_months).exp()
}

/// Months in post for which [`Collusion`] keeps the factor.
pub const COLLUSION_TABLE: usize = 241;

/// The collusion factor by months in post, computed by [`collusion`] once
/// per parameter change for the first twenty years in post (the same
/// numbers, without an `exp` per corrupt officer per month).
#[derive(Clone, Debug)]
pub struct Collusion {
    table: [f64; COLLUSION_TABLE],
}

impl Collusion {
    pub fn new(p: &CorruptionParams) -> Self {
        Collusion {
            table: std::array::from_fn(|m| collusion(p, m as u16)),
        }
    }

    /// [`collusion`] at `months_in_post`.
    #[inline]
    pub fn at(&self, p: &CorruptionParams, months_in_post: u16) -> f64 {
        match self.table.get(months_in_post as usize) {
            Some(c) => *c,
            None => collusion(p, months_in_post),
        }
    }
}

/// Annual rate at which a posted officer with a rent to take revisits the
/// decision (0 when the mechanism is off).
pub fn revision_rate(p: &CorruptionParams) -> f64 {
    if p.enabled { p.revision_rate } else { 0.0 }
}

/// Integrity after one step of `months` months: the monthly dynamics
/// applied once a month (unchanged when the mechanism is off).
#[inline]
pub fn erode(
    p: &CorruptionParams,
    integrity: f32,
    anchor: f32,
    peers: f32,
    morale: f32,
    months: u16,
) -> f32 {
    let mut x = integrity;
    if p.enabled {
        for _ in 0..months {
            x = integrity_step(p, x, anchor, peers, morale);
        }
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Situation {
        Situation {
            rent: 0.8,
            pay_scale: 1.0,
            months_in_post: 24.0,
            peers: 0.2,
            integrity: 0.6,
            punish: 0.05,
            outside_ratio: 0.9,
            years_left: 20.0,
            move_hazard: 0.0,
            pension_lost: 0.0,
        }
    }

    #[test]
    fn a_pension_at_stake_deters_and_weighs_more_near_retirement() {
        let mut scn = Scenario::default();
        assert_eq!(pension_lost(&scn, 20.0), 0.0);
        scn.corruption.pension_at_stake = 1.0;
        // 0.7 of pay for an expected 1/(0.05 + 0.05) = 10 discounted years.
        let at_retirement = pension_lost(&scn, 0.0);
        assert!((at_retirement - 7.0).abs() < 1e-9, "{at_retirement}");
        let young = pension_lost(&scn, 20.0);
        assert!((young - 7.0 * (-1.0f64).exp()).abs() < 1e-9, "{young}");
        let p = CorruptionParams::default();
        let mut s = base();
        let without = probability(&p, &s);
        s.pension_lost = young;
        assert!(probability(&p, &s) < without);
    }

    #[test]
    fn directions_of_the_decision() {
        let p = CorruptionParams::default();
        let b = probability(&p, &base());
        let more = |f: fn(&mut Situation)| {
            let mut s = base();
            f(&mut s);
            probability(&p, &s)
        };
        assert!(more(|s| s.rent = 1.0) > b, "more rent, more bribes");
        assert!(more(|s| s.peers = 0.8) > b, "corrupt peers raise it");
        assert!(more(|s| s.integrity = 0.9) < b, "integrity lowers it");
        assert!(more(|s| s.punish = 0.4) < b, "deterrence lowers it");
        assert!(
            more(|s| s.outside_ratio = 0.5) < b,
            "a pay premium lowers it"
        );
        assert!(
            more(|s| s.months_in_post = 1.0) < b,
            "a fresh posting breaks collusion"
        );
    }

    #[test]
    fn pay_acts_on_the_decision_through_a_convictions_loss() {
        let p = CorruptionParams::default();
        // No premium over the outside wage: only the penalty is lost.
        let at = |scale: f64, punish: f64, outside_ratio: f64| {
            let mut s = base();
            s.outside_ratio = outside_ratio;
            s.pay_scale = scale;
            s.punish = punish;
            net_gain(&p, &s)
        };
        // Twice the pay on the market's scale: the penalty, in own pay,
        // weighs twice as much against a bribe of the same money.
        let q = 0.05 * (1.0 - p.peer_risk_discount * 0.2);
        assert!((at(1.0, 0.05, 1.2) - at(2.0, 0.05, 1.2) - q * p.penalty_years).abs() < 1e-12);
        // Without a chance of conviction pay does not enter the decision.
        assert_eq!(at(1.0, 0.0, 1.2), at(2.0, 0.0, 1.2));
        // With a premium, its loss weighs twice as much too.
        assert!(at(1.0, 0.05, 0.9) - at(2.0, 0.05, 0.9) > q * p.penalty_years + 1e-9);
    }

    #[test]
    fn bribes_are_valued_in_market_pay_unless_own_pay_is_asked() {
        use crate::model::world::{pay_for, value_pay_for};
        let base = Scenario::default();
        let d = Derived::new(&base);
        let mut raised = base.clone();
        raised.pay.level = 2.0;
        raised.pay.compression = 4.0;
        raised.pay.increment = 0.06;
        raised.pay.pay_for_performance = 0.2;
        let r = Derived::new(&raised);
        let record = [8.0f32, 8.0, 8.0];
        for g in 0..d.grades as u8 {
            for grade_m in [0u16, 60, 300] {
                // The baseline's public pay is on the market's scale: the
                // two are the same number, so results are those of the old
                // rule.
                let own = pay_for(&base.pay, &d, g, grade_m, &record, 7.0);
                assert_eq!(value_pay_for(&base.pay, &d, g, grade_m, own), own);
                // Public pay policy moves own pay, not a bribe's worth.
                let own2 = pay_for(&raised.pay, &r, g, grade_m, &record, 7.0);
                assert!(own2 > 1.9 * own, "grade {g}: {own} {own2}");
                assert_eq!(value_pay_for(&raised.pay, &r, g, grade_m, own2), own);
            }
        }
        raised.corruption.rent_valuation = "own_pay".into();
        let r = Derived::new(&raised);
        assert_eq!(value_pay_for(&raised.pay, &r, 2, 60, 3.5), 3.5);
    }

    #[test]
    fn no_rent_no_gain() {
        let p = CorruptionParams::default();
        let mut s = base();
        s.rent = 0.0;
        assert!(net_gain(&p, &s) <= 0.0);
        assert!(probability(&p, &s) < 0.01);
    }

    /// A step of no time erodes nothing and takes no bribe.
    #[test]
    fn no_time_no_erosion_no_bribes() {
        let p = CorruptionParams::default();
        assert_eq!(erode(&p, 0.42, 0.6, 1.0, 0.1, 0), 0.42);
        assert_eq!(bribes_at(&p, 0.9, 0.8, 1.0, 0.0), 0.0);
    }

    #[test]
    fn integrity_erodes_among_corrupt_peers_and_recovers_alone() {
        let p = CorruptionParams::default();
        let mut i = 0.6;
        for _ in 0..120 {
            i = integrity_step(&p, i, 0.6, 1.0, 0.6);
        }
        assert!(i < 0.45, "{i}");
        let mut j = 0.3;
        for _ in 0..240 {
            j = integrity_step(&p, j, 0.6, 0.0, 0.6);
        }
        assert!(j > 0.45, "{j}");
    }

    #[test]
    fn an_officer_about_to_be_moved_takes_more_when_haste_is_on() {
        let p = CorruptionParams::default();
        let mover = Situation {
            move_hazard: 2.0,
            ..base()
        };
        // Off by default: the hazard of a move does not matter.
        assert_eq!(probability(&p, &mover), probability(&p, &base()));
        let hasty = CorruptionParams {
            haste: 1.0,
            ..p.clone()
        };
        assert!(probability(&hasty, &mover) > probability(&hasty, &base()));
        assert_eq!(probability(&hasty, &base()), probability(&p, &base()));
    }
}
