//! docs/model.md §7.5, the market for postings: transfers as a currency of
//! corruption (Wade 1982, 1985 on the "transfer industry"; Iyer & Mani
//! 2012 on transfers as rewards and punishments). Off by default.
//!
//! When it is on, a share `share` of regular postings (rotations, and
//! postings after OSD, training or promotion) are decided by the market
//! instead of the posting rule: an officer who pays (a corrupt officer,
//! from its bribes) or has a patron (with probability its connections) is
//! given the most lucrative of `postings.sample` vacancies; anyone else the
//! least lucrative. And an honest officer in a post with rent `r` is
//! removed more often by political masters who want the post's rents: its
//! political transfer hazard is multiplied by `1 + honest_removal · r`.
//! Frequent transfers then sort corrupt officers into lucrative posts, so
//! rotation can raise corruption as well as break collusion.

use serde::{Deserialize, Serialize};

use crate::model::check::{Checks, check_ranges};
use crate::model::postings::Choice;
use crate::model::world::World;

/// Parameters of the market for postings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PostingMarketParams {
    /// Switch: off means postings follow the posting rule only.
    pub enabled: bool,
    /// Share of regular postings decided by payment or patronage.
    /// Assumption (0.5 when on; no count of bought postings exists).
    pub share: f64,
    /// How much faster an honest officer is transferred out of a post with
    /// rent 1 (`× (1 + honest_removal · rent)`). Assumption.
    pub honest_removal: f64,
}

impl Default for PostingMarketParams {
    fn default() -> Self {
        PostingMarketParams {
            enabled: false,
            share: 0.5,
            honest_removal: 1.0,
        }
    }
}

impl PostingMarketParams {
    pub fn check(&self, c: &mut Checks) {
        check_ranges!(c, self, "posting_market", {
            share: 0.0, 1.0;
            honest_removal: 0.0, 20.0;
        });
    }

    /// The factor on the political transfer hazard of an officer in a post
    /// of effective rent `rent` (1 when off or for a corrupt officer).
    #[inline]
    pub fn removal_factor(&self, corrupt: bool, rent: f32) -> f64 {
        if !self.enabled || corrupt {
            1.0
        } else {
            1.0 + self.honest_removal * rent as f64
        }
    }
}

/// How the market places officer `i` in a regular posting: `None` when the
/// market is off or this posting follows the rule; else the most lucrative
/// vacancy for an officer who pays or has a patron, the least lucrative
/// for the rest. Draws no random number when the market is off.
pub fn placement(w: &mut World, i: usize) -> Option<Choice> {
    let m = &w.scn.posting_market;
    if !m.enabled || m.share <= 0.0 {
        return None;
    }
    let share = m.share;
    if !w.rng.chance(share) {
        return None;
    }
    let pays = w.officers.corrupt[i] || w.rng.chance(w.officers.connections[i] as f64);
    Some(if pays {
        Choice::Favoured
    } else {
        Choice::Punished
    })
}
