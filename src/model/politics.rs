//! docs/model.md §7.12, politics: what political interference does.
//!
//! Interference `I` (`interference` + `external_interference`, capped at 1;
//! 0 when off) acts through five channels, all here or named here:
//! - **Elections** ([`election`]): on the election calendar a change of
//!   government (`change_probability`) sets off a transfer wave of
//!   `wave_months` and cuts every officer's connections by
//!   `connection_reset`.
//! - **Connections** ([`grow_connections`]): a posted officer gains
//!   `connection_gain · I` a month, scaled by the post's desirability.
//! - **Protection** ([`PoliticsParams::shield`]): connections shield a
//!   corrupt officer from detection, `× (1 − protection · I · connections)`
//!   (used by `accountability::detection_hazard`).
//! - **Rent pressure** ([`PoliticsParams::pressure_factor`]): the moral
//!   cost of bribery is cut by `× (1 − rent_pressure · I)` (used by
//!   `corruption::situation_from`).
//! - **Transfers, promotions and appraisals**: `I` scales the political
//!   transfer hazard (`postings::PostingParams::political_hazard`, with the
//!   wave's `wave_multiplier`), the share of promotions captured by
//!   connections (`promotion`) and appraisal inflation (`appraisal`).
//! - **Selective enforcement** (`accountability::wrongful_rate`,
//!   `accountability::fear_level`): inquiries into honest, unconnected
//!   officers and the fear they spread need politics on (its strength is
//!   `accountability.selective_enforcement`, not `I`).

use serde::{Deserialize, Serialize};

use crate::model::check::{Checks, check_ranges};
use crate::model::world::World;

/// Parameters of politics.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PoliticsParams {
    /// Switch: off means no interference, elections or connection building.
    pub enabled: bool,
    /// Intensity of political interference in postings, promotions,
    /// appraisals and accountability, 0–1.
    pub interference: f64,
    /// A separate external channel of interference, added to the above.
    pub external_interference: f64,
    /// Years between general elections.
    pub election_cycle_years: f64,
    /// Year of the first election after the start.
    pub first_election_year: f64,
    /// Probability that an election changes the government.
    pub change_probability: f64,
    /// Multiplier on political transfers just after a change of government.
    pub wave_multiplier: f64,
    /// Months the transfer wave lasts.
    pub wave_months: f64,
    /// How far connections shield an officer from accountability, 0–1.
    pub protection: f64,
    /// How far political masters press officers to raise rents for them:
    /// the moral cost of bribery is cut by `rent_pressure · I` (assumption;
    /// the channel by which interference raises corruption beyond protection).
    pub rent_pressure: f64,
    /// Monthly gain of connections in a fully desirable post at interference 1.
    pub connection_gain: f64,
    /// Share of connections lost when the government changes.
    pub connection_reset: f64,
}

impl Default for PoliticsParams {
    fn default() -> Self {
        PoliticsParams {
            enabled: true,
            interference: 0.7,
            external_interference: 0.0,
            election_cycle_years: 5.0,
            first_election_year: 3.0,
            change_probability: 0.6,
            wave_multiplier: 3.0,
            wave_months: 6.0,
            protection: 0.6,
            rent_pressure: 0.3,
            connection_gain: 0.01,
            connection_reset: 0.3,
        }
    }
}

impl PoliticsParams {
    pub fn check(&self, c: &mut Checks) {
        check_ranges!(c, self, "politics", {
            interference: 0.0, 1.0;
            external_interference: 0.0, 1.0;
            election_cycle_years: 0.25, 100.0;
            first_election_year: 0.0, 100.0;
            change_probability: 0.0, 1.0;
            wave_multiplier: 1.0, 100.0;
            wave_months: 0.0, 120.0;
            protection: 0.0, 1.0;
            rent_pressure: 0.0, 1.0;
            connection_gain: 0.0, 1.0;
            connection_reset: 0.0, 1.0;
        });
    }

    /// Effective interference: both channels, capped at 1; 0 when off.
    pub fn effective(&self) -> f64 {
        if self.enabled {
            (self.interference + self.external_interference).min(1.0)
        } else {
            0.0
        }
    }

    /// How far connections shield a corrupt officer from detection:
    /// the detection hazard is multiplied by `1 − protection · I · connections`.
    #[inline]
    pub fn shield(&self, interference: f64, connections: f32) -> f64 {
        1.0 - self.protection * interference * connections as f64
    }

    /// Rent pressure: political masters who want rents raised cut an
    /// officer's moral cost of bribery by the factor `1 − rent_pressure · I`.
    #[inline]
    pub fn pressure_factor(&self, interference: f64) -> f64 {
        1.0 - self.rent_pressure * interference
    }

    /// Connections gained in one step of `months` months in a fully
    /// desirable post (0 when politics is off).
    pub fn connection_gain_per_step(&self, interference: f64, months: u16) -> f32 {
        if self.enabled {
            (self.connection_gain * interference * months as f64) as f32
        } else {
            0.0
        }
    }

    /// True when an election falls on step `step` (0-based, counted from
    /// the start) with `steps_per_year` steps a year.
    pub fn election_at(&self, step: u64, steps_per_year: u32) -> bool {
        if !self.enabled {
            return false;
        }
        let first = (self.first_election_year * steps_per_year as f64).round() as u64;
        let cycle = ((self.election_cycle_years * steps_per_year as f64).round() as u64).max(1);
        step >= first && (step - first) % cycle == 0
    }
}

impl PoliticsParams {
    /// The years of the election calendar from 0 to `years` (none when
    /// politics is off): an election at year x falls in the year after x,
    /// at the step [`PoliticsParams::election_at`] says.
    pub fn election_years(&self, years: u32) -> Vec<f64> {
        if !self.enabled || self.election_cycle_years.is_nan() || self.election_cycle_years <= 0.0 {
            return Vec::new();
        }
        let mut out = Vec::new();
        let mut x = self.first_election_year;
        while x <= f64::from(years) {
            out.push(x);
            x += self.election_cycle_years;
        }
        out
    }
}

/// Connections after one step in a post of desirability `desirability`,
/// with `gain` from [`PoliticsParams::connection_gain_per_step`]: they grow
/// towards 1, faster in desirable posts.
#[inline]
pub fn grow_connections(connections: f32, gain: f32, desirability: f32) -> f32 {
    connections + gain * desirability * (1.0 - connections)
}

/// The election calendar at the current step: an election may change the
/// government, which sets off a transfer wave of `wave_months` and cuts
/// every officer's connections by `connection_reset`.
pub fn election(w: &mut World) {
    let steps_per_year = w.derived.steps_per_year;
    let p = &w.scn.politics;
    if p.election_at(w.env.step, steps_per_year) && w.election_rng.chance(p.change_probability) {
        w.env.government_changes += 1;
        // Whole steps covering the wave (a part-covered step counts).
        w.env.wave_left = (p.wave_months * steps_per_year as f64 / 12.0).ceil() as u32;
        let keep = 1.0 - p.connection_reset as f32;
        for c in w.officers.connections.iter_mut() {
            *c *= keep;
        }
    }
    w.env.wave_steps = (w.env.wave_steps << 1) | (w.env.wave_left > 0) as u64;
}

/// The share of the steps in a wave among an officer's `span` steps, ending
/// `span_end` steps before this one (0: the span ends with this step), and
/// the `owed` steps before them, ending `owed_end` steps ago, from
/// [`crate::model::world::Env::wave_steps`] (0 for no steps).
#[inline]
pub fn wave_share(wave_steps: u64, span: u32, span_end: u32, owed: u32, owed_end: u32) -> f64 {
    if wave_steps == 0 {
        return 0.0;
    }
    let bits = |n: u32, from: u32| -> u64 {
        if n == 0 || from >= 64 {
            0
        } else {
            (u64::MAX >> (64 - n.min(64 - from))) << from
        }
    };
    let steps = span + owed;
    if steps == 0 {
        return 0.0;
    }
    let mask = bits(span, span_end) | bits(owed, owed_end);
    (wave_steps & mask).count_ones() as f64 / steps as f64
}

/// The transfer wave counts down one step.
pub fn end_of_step(w: &mut World) {
    w.env.wave_left = w.env.wave_left.saturating_sub(1);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A span's share of steps in a wave counts its own steps and the
    /// owed steps before it, no others.
    #[test]
    fn the_wave_share_of_a_span() {
        // A wave this step and the one before.
        let w = 0b0011;
        assert_eq!(wave_share(w, 1, 0, 0, 1), 1.0);
        assert_eq!(wave_share(w, 3, 0, 0, 3), 2.0 / 3.0);
        // Two owed steps ending a step ago (bits 1 and 2), no span.
        assert_eq!(wave_share(w, 0, 0, 2, 1), 0.5);
        // Two owed steps ending with this step (bits 0 and 1; a settling
        // pass draws them on the step they end on).
        assert_eq!(wave_share(w, 0, 0, 2, 0), 1.0);
        assert_eq!(wave_share(0b0100, 0, 0, 2, 0), 0.0);
        // Two owed steps before a span of 3 (bits 3 and 4).
        assert_eq!(wave_share(0b11000, 3, 0, 2, 3), 0.4);
        assert_eq!(wave_share(w, 0, 0, 0, 1), 0.0);
        assert_eq!(wave_share(u64::MAX, 60, 0, 10, 60), 64.0 / 70.0);
        // The first two steps of a span of 3 (a retiring officer's, bits 1
        // and 2), then two owed steps before the span (bits 3 and 4).
        assert_eq!(wave_share(0b00001, 2, 1, 0, 3), 0.0);
        assert_eq!(wave_share(0b00110, 2, 1, 0, 3), 1.0);
        assert_eq!(wave_share(0b11110, 2, 1, 2, 3), 1.0);
        assert_eq!(wave_share(0b10100, 2, 1, 2, 3), 0.5);
    }

    #[test]
    fn election_years_follow_the_calendar() {
        let p = PoliticsParams::default();
        assert_eq!(p.election_years(14), vec![3.0, 8.0, 13.0]);
        let off = PoliticsParams {
            enabled: false,
            ..PoliticsParams::default()
        };
        assert!(off.election_years(14).is_empty());
    }

    #[test]
    fn elections_follow_the_calendar() {
        let p = PoliticsParams::default();
        let years: Vec<u64> = (0..12 * 20)
            .filter(|s| p.election_at(*s, 12))
            .map(|s| s / 12)
            .collect();
        assert_eq!(years, vec![3, 8, 13, 18]);
        let off = PoliticsParams {
            enabled: false,
            ..p
        };
        assert!(!(0..240).any(|s| off.election_at(s, 12)));
    }

    #[test]
    fn effective_interference_caps_at_one() {
        let p = PoliticsParams {
            interference: 0.8,
            external_interference: 0.5,
            ..Default::default()
        };
        assert_eq!(p.effective(), 1.0);
    }
}
