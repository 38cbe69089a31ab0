//! docs/model.md §7.5, postings and transfers.
//!
//! Regular rotation when months in post reach `tenure_months`. Premature
//! political transfers at an annual hazard
//! `political_transfer_rate · I · desirability · (1 − tenure_protection)
//!  · (1 − able_shield·(ability − 5)/5) · wave`, higher in desirable posts
//! (Cyan & Pasha 2017), lower for able officers and several times higher
//! just after a change of government (Iyer & Mani 2012). A connected
//! officer (with probability = connections) is moved to the most desirable
//! of a few vacancies; an unconnected one to the least desirable, or to OSD
//! with `osd_share`. Regular postings follow `rule`: "generalist" (any
//! sector), "specialist" (the cadre's sector cluster) or "best_match" (the
//! vacancy, among a sample, where the officer's expertise is highest).
//! Any transfer resets months in post, and so the ramp-up and collusion.

use serde::{Deserialize, Serialize};

use crate::model::check::{Checks, check_ranges};
use crate::model::population::NONE;
use crate::model::world::World;

/// Parameters of postings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PostingParams {
    /// Switch: off means officers stay in their first post (no rotation,
    /// no political transfers).
    pub enabled: bool,
    /// Nominal tenure: months in post before regular rotation.
    pub tenure_months: f64,
    /// "generalist", "specialist" or "best_match".
    pub rule: String,
    /// Share of premature political transfers blocked, 0–1.
    pub tenure_protection: f64,
    /// Annual political transfer hazard at interference 1 in a post of
    /// desirability 1.
    pub political_transfer_rate: f64,
    /// How much an able officer (ability 10) is shielded from transfer.
    pub able_shield: f64,
    /// Share of unconnected politically transferred officers made OSD.
    pub osd_share: f64,
    /// Annual rate at which an OSD officer is given a post.
    pub osd_repost_rate: f64,
    /// Probability that a corrupt officer moved out of post to special
    /// duty (OSD) keeps its disposition, taking bribes again in its next
    /// post (it takes none while without a post, but can still be found
    /// out). 0 (the disposition ends with the post): assumption; transfers
    /// used as rewards and punishments (Wade 1982; Iyer & Mani 2012) suggest
    /// habits travel.
    pub osd_keeps_corruption: f64,
    /// Vacancies sampled when choosing a post by desirability or expertise.
    pub sample: u32,
}

impl Default for PostingParams {
    fn default() -> Self {
        PostingParams {
            enabled: true,
            tenure_months: 36.0,
            rule: "generalist".into(),
            tenure_protection: 0.0,
            political_transfer_rate: 1.1,
            able_shield: 0.3,
            osd_share: 0.25,
            osd_repost_rate: 2.0,
            osd_keeps_corruption: 0.0,
            sample: 6,
        }
    }
}

/// The values of `postings.rule`.
pub const RULES: [&str; 3] = ["generalist", "specialist", "best_match"];

impl PostingParams {
    pub fn check(&self, c: &mut Checks) {
        check_ranges!(c, self, "postings", {
            tenure_months: 1.0, 600.0;
        });
        c.one_of("postings.rule", &self.rule, &RULES);
        check_ranges!(c, self, "postings", {
            tenure_protection: 0.0, 1.0;
            political_transfer_rate: 0.0, 24.0;
            able_shield: 0.0, 1.0;
            osd_share: 0.0, 1.0;
            osd_repost_rate: 0.0, 120.0;
            osd_keeps_corruption: 0.0, 1.0;
            sample: int 1, 1000;
        });
    }

    /// Annual political transfer hazard of an officer in a post.
    #[inline]
    pub fn political_hazard(
        &self,
        interference: f64,
        desirability: f64,
        ability: f64,
        wave: bool,
        wave_mult: f64,
    ) -> f64 {
        if !self.enabled {
            return 0.0;
        }
        let shield = 1.0 - self.able_shield * ((ability - 5.0) / 5.0).clamp(-1.0, 1.0);
        let w = if wave { wave_mult } else { 1.0 };
        self.political_transfer_rate
            * interference
            * desirability
            * (1.0 - self.tenure_protection)
            * shield
            * w
    }
}

/// How a new post is chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Choice {
    /// The scenario's posting rule.
    Regular,
    /// Political: towards desirable posts.
    Favoured,
    /// Political: towards undesirable posts.
    Punished,
}

/// A vacant post of grade `g` for officer `i`, or None when there is none.
pub fn choose_post(w: &mut World, i: usize, g: usize, choice: Choice) -> Option<u32> {
    let sectors = w.derived.sectors;
    let total = w.posts.vacant_in_grade(g);
    if total == 0 {
        return None;
    }
    let choice = match choice {
        Choice::Regular => crate::model::posting_market::placement(w, i).unwrap_or(choice),
        other => other,
    };
    let rule = w.scn.postings.rule.as_str();
    if choice == Choice::Regular && rule == "specialist" {
        let cl = w.derived.cluster[w.officers.cadre[i] as usize];
        let n: usize = (0..sectors)
            .filter(|&s| w.derived.cluster[s] == cl)
            .map(|s| w.posts.vacant(g, s).len())
            .sum();
        if n > 0 {
            let mut k = w.rng.below(n);
            for s in (0..sectors).filter(|&s| w.derived.cluster[s] == cl) {
                let pool = w.posts.vacant(g, s);
                if k < pool.len() {
                    return Some(pool[k]);
                }
                k -= pool.len();
            }
        }
        // No vacancy in the cluster: fall through to any sector.
    }
    // A vacancy at random, with its sector (known from its pool).
    let pick = |w: &mut World| -> (u32, usize) {
        let k = w.rng.below(total);
        w.posts.nth_vacant_with_sector(g, k)
    };
    if choice == Choice::Regular && rule != "best_match" {
        return Some(pick(w).0);
    }
    let score = |w: &World, (post, s): (u32, usize)| -> f32 {
        match choice {
            Choice::Favoured => w.derived.sector_desirability[s] + w.rent_in(s, post as usize),
            Choice::Punished => -(w.derived.sector_desirability[s] + w.rent_in(s, post as usize)),
            Choice::Regular => w.officers.expertise[i * sectors + s],
        }
    };
    // The sample is drawn a block at a time and then scored: the same
    // draws in the same order and the same choice (the first best), but
    // the scores' reads of posts at random, each a likely cache miss in a
    // large service, no longer wait for one another.
    const BLOCK: usize = 8;
    let mut left = w.scn.postings.sample.max(1) as usize;
    let mut best: Option<(u32, f32)> = None;
    while left > 0 {
        let n = left.min(BLOCK);
        let mut block = [(0u32, 0usize); BLOCK];
        for c in &mut block[..n] {
            *c = pick(w);
        }
        for &c in &block[..n] {
            let sc = score(w, c);
            if best.is_none_or(|(_, b)| sc > b) {
                best = Some((c.0, sc));
            }
        }
        left -= n;
    }
    best.map(|(post, _)| post)
}

/// Vacates officer `i`'s post, if any, counting the completed posting.
pub fn leave_post(w: &mut World, i: usize) {
    let old = w.officers.post[i];
    if old != NONE {
        w.flows.completed_tenure_sum += w.officers.months_in_post[i] as f64;
        w.flows.completed_tenures += 1;
        w.posts.vacate(old);
        w.officers.post[i] = NONE;
    }
}

/// Moves officer `i` out of its current post (if any) into `post`, or into
/// OSD when `post` is None: a corrupt officer keeps its disposition there
/// with probability `osd_keeps_corruption` (no draw when it is 0 or 1).
pub fn move_to(w: &mut World, i: usize, post: Option<u32>) {
    leave_post(w, i);
    match post {
        Some(p) => w.assign_post(i, p),
        None => {
            let keep = w.scn.postings.osd_keeps_corruption;
            let kept = w.officers.corrupt[i] && (keep >= 1.0 || (keep > 0.0 && w.rng.chance(keep)));
            w.officers.corrupt[i] = kept;
        }
    }
    w.officers.months_in_post[i] = 0;
}

/// Regular rotation of officer `i` (stays when no vacancy exists).
pub fn rotate(w: &mut World, i: usize) {
    let g = w.officers.grade[i] as usize;
    if let Some(p) = choose_post(w, i, g, Choice::Regular) {
        move_to(w, i, Some(p));
        count_transfer(w, g, REGULAR);
    }
}

/// A premature political transfer of officer `i`.
pub fn political_transfer(w: &mut World, i: usize) {
    let g = w.officers.grade[i] as usize;
    let connected = w.rng.chance(w.officers.connections[i] as f64);
    let target = if connected {
        match choose_post(w, i, g, Choice::Favoured) {
            Some(p) => Some(p),
            // A patron does not bench a client when nothing better is free.
            None => return,
        }
    } else if w.rng.chance(w.scn.postings.osd_share) {
        None
    } else {
        choose_post(w, i, g, Choice::Punished)
    };
    move_to(w, i, target);
    count_transfer(w, g, POLITICAL);
}

/// Kinds of transfer, as `Flows::grade_transfers` indexes them.
const REGULAR: usize = 0;
const POLITICAL: usize = 1;

/// Counts a transfer of an officer of grade `g`, in the year's total and
/// in the grade's.
fn count_transfer(w: &mut World, g: usize, kind: usize) {
    let f = &mut w.flows;
    match kind {
        REGULAR => f.transfers_regular += 1,
        _ => f.transfers_political += 1,
    }
    if f.grade_transfers.len() <= g {
        f.grade_transfers.resize(w.derived.grades, [0, 0]);
    }
    f.grade_transfers[g][kind] += 1;
}

/// Moves officer `i` straight to a post of its (new) grade, from post to
/// post when one is vacant, else to OSD: used after promotion and demotion,
/// so a change of grade is not a spell out of post.
pub fn repost_in_grade(w: &mut World, i: usize) {
    let g = w.officers.grade[i] as usize;
    let target = choose_post(w, i, g, Choice::Regular);
    move_to(w, i, target);
}

/// Gives an unposted officer (after training, OSD or promotion) a post of
/// its grade by the regular rule; stays OSD when none is vacant.
pub fn post(w: &mut World, i: usize) {
    let g = w.officers.grade[i] as usize;
    if let Some(p) = choose_post(w, i, g, Choice::Regular) {
        move_to(w, i, Some(p));
    }
}

/// Whether an officer `months_in_post` months in post is due to rotate
/// under a nominal tenure of `tenure_m` months.
#[inline]
pub fn rotation_due(months_in_post: u16, tenure_m: u16) -> bool {
    months_in_post >= tenure_m
}

/// Annual rate at which an officer on special duty is given a post (0 when
/// postings are off).
pub fn osd_repost_rate(p: &PostingParams) -> f64 {
    if p.enabled { p.osd_repost_rate } else { 0.0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn political_hazard_directions() {
        let p = PostingParams::default();
        let b = p.political_hazard(0.7, 0.6, 5.0, false, 3.0);
        assert!(p.political_hazard(0.7, 0.9, 5.0, false, 3.0) > b);
        assert!(p.political_hazard(0.7, 0.6, 9.0, false, 3.0) < b);
        assert!((p.political_hazard(0.7, 0.6, 5.0, true, 3.0) - 3.0 * b).abs() < 1e-12);
        let protected = PostingParams {
            tenure_protection: 1.0,
            ..p.clone()
        };
        assert_eq!(protected.political_hazard(0.7, 0.6, 5.0, true, 3.0), 0.0);
        assert_eq!(p.political_hazard(0.0, 0.6, 5.0, true, 3.0), 0.0);
    }

    /// The choice among a sample, one vacancy drawn and scored at a time,
    /// as `choose_post` made it before it drew its sample a block at a time.
    fn chosen_one_at_a_time(w: &mut World, i: usize, g: usize, choice: Choice) -> u32 {
        use crate::model::world::rent_value;
        let total = w.posts.vacant_in_grade(g);
        let sectors = w.derived.sectors;
        let score = |w: &World, post: u32| -> f32 {
            let s = w.posts.sector[post as usize] as usize;
            let rent = rent_value(
                w.derived.sector_rent[s],
                w.posts.rent_factor[post as usize],
                w.rent_cut(),
            );
            match choice {
                Choice::Favoured => w.derived.sector_desirability[s] + rent,
                Choice::Punished => -(w.derived.sector_desirability[s] + rent),
                Choice::Regular => w.officers.expertise[i * sectors + s],
            }
        };
        let mut best = w.posts.nth_vacant_in_grade(g, w.rng.below(total));
        let mut best_score = score(w, best);
        for _ in 1..w.scn.postings.sample {
            let post = w.posts.nth_vacant_in_grade(g, w.rng.below(total));
            let sc = score(w, post);
            if sc > best_score {
                best = post;
                best_score = sc;
            }
        }
        best
    }

    #[test]
    fn a_sample_drawn_by_blocks_chooses_as_one_at_a_time() {
        let mut scn = crate::model::params::Scenario::default();
        scn.postings.rule = "best_match".into();
        scn.structure.initial_fill = 0.5;
        let w0 = crate::model::init::build(&scn, 0);
        // An officer of the grade with the most vacancies.
        let g = (0..scn.structure.grades.len())
            .max_by_key(|&g| w0.posts.vacant_in_grade(g))
            .expect("a grade");
        assert!(
            w0.posts.vacant_in_grade(g) > 20,
            "too few vacancies to test"
        );
        let i = (0..w0.officers.slots())
            .find(|&i| w0.officers.active[i] && w0.officers.grade[i] as usize == g)
            .expect("an officer of the grade");
        // Samples below, at and across the block of 8.
        for sample in [1, 5, 8, 9, 17, 30] {
            for choice in [Choice::Favoured, Choice::Punished, Choice::Regular] {
                let (mut a, mut b) = (w0.clone(), w0.clone());
                a.scn.postings.sample = sample;
                b.scn.postings.sample = sample;
                let chosen = choose_post(&mut a, i, g, choice);
                assert_eq!(chosen, Some(chosen_one_at_a_time(&mut b, i, g, choice)));
                // The same draws were used: the streams are where they were.
                assert_eq!(a.rng.below(1 << 30), b.rng.below(1 << 30));
            }
        }
    }
}
