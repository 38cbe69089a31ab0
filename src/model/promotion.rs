//! docs/model.md §7.8, promotion boards. Vacancies at grade g+1 (sanctioned posts
//! minus headcount) are filled top-down, so that vacancies cascade, from
//! eligible officers of grade g: minimum service, mandatory course passed,
//! not under inquiry, no conviction, appraisal mean at or above the threshold. A share of
//! vacancies goes to lateral entrants. Selection posts are ranked by `rule`;
//! non-selection posts by seniority (seniority-cum-fitness).
//!
//! The "weighted" rule scores `Σ weight_k · component_k` over seniority
//! (service relative to the longest-serving candidate), the appraisal mean,
//! the training score (each /10), board discretion and connections. Board
//! discretion is the mean reading of `board_size` members, each of whom
//! follows connections with probability `min(1, discretion_capture · I)`
//! and otherwise reads the candidate's true competence at the next grade
//! with noise: seniors can spot able juniors
//! that records miss (Aman-Rana 2020). Pure strategies of classic models are
//! available: "seniority", "best", "worst", "random" and "best_worst" (best
//! with probability `best_probability`), where best means the highest true
//! competence at the current grade (Pluchino, Rapisarda & Garofalo 2010).
//! Candidates passed over for someone with less service are superseded.

use serde::{Deserialize, Serialize};

use crate::model::check::{Checks, check_ranges};
use crate::model::world::World;
use crate::model::{postings, recruitment};

/// Weights of the "weighted" rule (normalised by their sum).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Weights {
    pub seniority: f64,
    pub appraisal: f64,
    pub training: f64,
    pub discretion: f64,
    pub connections: f64,
}

impl Default for Weights {
    /// The 2019 promotion rules: appraisal 40, training 30, board 30.
    fn default() -> Self {
        Weights {
            seniority: 0.0,
            appraisal: 0.4,
            training: 0.3,
            discretion: 0.3,
            connections: 0.0,
        }
    }
}

/// Parameters of promotion.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PromotionParams {
    /// Switch: off means nobody is promoted.
    pub enabled: bool,
    /// Rule for selection posts: "weighted", "seniority", "best", "worst",
    /// "random" or "best_worst".
    pub rule: String,
    /// Probability of "best" under the "best_worst" rule.
    pub best_probability: f64,
    pub weights: Weights,
    /// Boards a year (1 or 2 are usual).
    pub boards_per_year: u32,
    /// Probability that a scheduled board does not meet.
    pub board_skip_probability: f64,
    /// Share of a grade's vacancies a board fills (the rest wait for a
    /// later board), below the top grade.
    pub fill_share: f64,
    /// Share of the top grade's vacancies a board fills: its own board
    /// (Pakistan's High Powered Selection Board, chaired by the Prime
    /// Minister, promotes into BPS-22; the Central Selection Board into
    /// BS-20 and 21).
    pub top_fill_share: f64,
    /// Minimum appraisal mean for eligibility.
    pub appraisal_threshold: f64,
    /// Probability, at interference 1, that board discretion follows connections.
    pub discretion_capture: f64,
    /// Noise (sd, on 0–1) of a board member's reading of true competence.
    pub discretion_noise: f64,
    /// Members of a board. Each member's reading of a candidate follows
    /// connections (with the capture probability) or true competence with
    /// noise, independently; the board's discretion mark is their mean, so
    /// larger boards average out noise and individual capture.
    pub board_size: u32,
    /// Scalar competence on promotion: "carry_over" (plus uniform noise in
    /// ±carry_over_noise) or "redraw" (the Peter hypothesis).
    pub competence_on_promotion: String,
    pub carry_over_noise: f64,
    /// Promotion incentives: how much an officer's effort (its performance)
    /// rises with its stake in the next board, `1 + effort_response ·
    /// stake`, where the stake is the share of the board's score that its
    /// own performance moves (see [`promotion_stake`]) and is 0 for an
    /// officer who cannot reach the next grade's minimum service before
    /// retiring. 0: assumption (no effect); direction: officers who cannot
    /// reach the top perform worse (Bertrand, Burgess, Chawla & Xu 2020).
    pub effort_response: f64,
    /// Supersessions in a grade after which an officer is no longer
    /// considered for promotion out of it (0: no limit). Boards consider
    /// officers batch by batch; one passed over twice has in practice
    /// lost its chance, and two supersessions are a ground for retirement
    /// review under the Directory Retirement Rules 2020 (P). 2: that ground,
    /// read as the end of consideration (an assumption).
    pub max_supersessions: u32,
    /// Zone of consideration: a board considers, in order of service
    /// (most senior first), `zone_factor` eligible officers for each
    /// vacancy it fills (at least one each); the rule ranks only those.
    /// 0: every eligible officer is considered.
    pub zone_factor: f64,
}

impl Default for PromotionParams {
    fn default() -> Self {
        PromotionParams {
            enabled: true,
            rule: "weighted".into(),
            best_probability: 0.5,
            weights: Weights::default(),
            boards_per_year: 2,
            board_skip_probability: 0.3,
            // Posterior median of the first fit (commit f906508), kept by the refits
            // (docs/calibration.md); 0.35 before the fit.
            fill_share: 0.285,
            // The High Powered Selection Board approved about 18 of 30
            // seats in October 2017 (The Nation; docs/model.md §7.8).
            top_fill_share: 0.6,
            appraisal_threshold: 6.0,
            discretion_capture: 0.7,
            discretion_noise: 0.15,
            board_size: 1,
            competence_on_promotion: "carry_over".into(),
            carry_over_noise: 1.0,
            effort_response: 0.0,
            max_supersessions: 2,
            zone_factor: 3.0,
        }
    }
}

/// The values of `promotion.rule`.
pub const RULES: [&str; 6] = [
    "weighted",
    "seniority",
    "best",
    "worst",
    "random",
    "best_worst",
];

impl PromotionParams {
    pub fn check(&self, c: &mut Checks) {
        c.one_of("promotion.rule", &self.rule, &RULES);
        check_ranges!(c, self, "promotion", {
            best_probability: 0.0, 1.0;
        });
        let w = &self.weights;
        for (k, v) in [
            ("seniority", w.seniority),
            ("appraisal", w.appraisal),
            ("training", w.training),
            ("discretion", w.discretion),
            ("connections", w.connections),
        ] {
            c.range(&format!("promotion.weights.{k}"), v, 0.0, 1.0);
        }
        if self.rule == "weighted"
            && w.seniority + w.appraisal + w.training + w.discretion + w.connections <= 0.0
        {
            c.conflict("`promotion.weights.*` are all 0, but `promotion.rule` is \"weighted\": give at least one weight");
        }
        check_ranges!(c, self, "promotion", {
            boards_per_year: int 1, 12;
            board_skip_probability: 0.0, 1.0;
            fill_share: 0.0, 1.0;
            top_fill_share: 0.0, 1.0;
            appraisal_threshold: 0.0, 10.0;
            discretion_capture: 0.0, 1.0;
            discretion_noise: 0.0, 10.0;
            board_size: int 1, 50;
            effort_response: 0.0, 5.0;
            max_supersessions: int 0, 255;
            zone_factor: 0.0, 100.0;
        });
        c.one_of(
            "promotion.competence_on_promotion",
            &self.competence_on_promotion,
            &["carry_over", "redraw"],
        );
        check_ranges!(c, self, "promotion", {
            carry_over_noise: 0.0, 10.0;
        });
    }
}

/// A key whose unsigned order is `f64::total_cmp`'s order, so that sorts
/// can compare plain integers.
#[inline]
pub fn total_key(x: f64) -> u64 {
    let bits = x.to_bits();
    // Negative values: flip every bit; positive: flip the sign bit.
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | (1 << 63)
    }
}

/// Spearman rank correlation of two equally long samples (ties by order).
pub fn spearman(x: &[f64], y: &[f64]) -> f64 {
    spearman_in(x, y, &mut Ranks::default())
}

/// Buffers for [`spearman_in`], kept between calls.
#[derive(Clone, Debug, Default)]
pub struct Ranks {
    keyed: Vec<(u64, u32)>,
    keyed_y: Vec<(u64, u32)>,
    rx: Vec<f64>,
    ry: Vec<f64>,
}

/// Samples at least this long are ranked on every core: the two rankings
/// at once, and a board's ranking beside its promotions. Below it, threads
/// cost more than they save (a cadre's boards rank a few thousand
/// officers).
const PARALLEL_RANKS: usize = 1 << 14;

/// Samples at least this long are ranked by a radix sort, below by a
/// comparison sort in place. The radix sort is the faster from about a
/// thousand values (2.0 against 3.1 µs for 160 values, 15 µs both for
/// 1,000, 75 against 54 µs for 4,000, on the machine of BENCHMARKS.md) but
/// allocates its scratch on each call, which the yearly boards of a cadre
/// should not (tests/allocation.rs); from here on (the national run's
/// lower grades) its speed counts and one allocation per ranking does not.
const RADIX_RANKS: usize = PARALLEL_RANKS;

/// Ranks of `v` into `r` (0 for the smallest, ties by position).
fn rank_into(v: &[f64], keyed: &mut Vec<(u64, u32)>, r: &mut Vec<f64>) {
    keyed.clear();
    keyed.extend(v.iter().enumerate().map(|(i, &x)| (total_key(x), i as u32)));
    // By value, ties by position, either way: the pairs are unique, so a
    // comparison sort of them gives that order, and they are in position
    // order, which the radix sort (stable) keeps among equal values.
    if v.len() >= RADIX_RANKS {
        radsort::sort_by_key(keyed, |&(k, _)| k);
    } else {
        keyed.sort_unstable();
    }
    r.clear();
    r.resize(v.len(), 0.0);
    for (k, &(_, i)) in keyed.iter().enumerate() {
        r[i as usize] = k as f64;
    }
}

/// [`spearman`] with buffers that outlive the call (for a sample of
/// `RADIX_RANKS` or more, the radix sort still allocates its own scratch,
/// as long as the sample, on each call).
pub fn spearman_in(x: &[f64], y: &[f64], b: &mut Ranks) -> f64 {
    let n = x.len();
    if n < 2 {
        return f64::NAN;
    }
    let Ranks {
        keyed,
        keyed_y,
        rx,
        ry,
    } = b;
    if n >= PARALLEL_RANKS {
        rayon::join(|| rank_into(x, keyed, rx), || rank_into(y, keyed_y, ry));
    } else {
        rank_into(x, keyed, rx);
        rank_into(y, keyed, ry);
    }
    let d2: f64 = rx.iter().zip(ry.iter()).map(|(a, b)| (a - b).powi(2)).sum();
    1.0 - 6.0 * d2 / (n as f64 * (n as f64 * n as f64 - 1.0))
}

/// A promotion rule, read once from `promotion.rule` (see [`RULES`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rule {
    Weighted,
    Seniority,
    Best,
    Worst,
    Random,
    BestWorst,
}

impl Rule {
    /// The rule named `name`. Scenarios are checked against [`RULES`];
    /// any other name reads as the weighted rule.
    pub fn parse(name: &str) -> Rule {
        match name {
            "seniority" => Rule::Seniority,
            "best" => Rule::Best,
            "worst" => Rule::Worst,
            "random" => Rule::Random,
            "best_worst" => Rule::BestWorst,
            _ => Rule::Weighted,
        }
    }
}

/// What a board reads of the promotion parameters, copied out of the
/// scenario so that the board can change the world (no allocation).
#[derive(Clone, Copy)]
struct BoardParams {
    rule: Rule,
    redraw: bool,
    carry_over_noise: f64,
    best_probability: f64,
    weights: Weights,
    fill_share: f64,
    top_fill_share: f64,
    discretion_capture: f64,
    discretion_noise: f64,
    board_size: u32,
    appraisal_threshold: f64,
    max_supersessions: u32,
    zone_factor: f64,
}

impl BoardParams {
    fn of(p: &PromotionParams) -> Self {
        BoardParams {
            rule: Rule::parse(&p.rule),
            redraw: p.competence_on_promotion == "redraw",
            carry_over_noise: p.carry_over_noise,
            best_probability: p.best_probability,
            weights: p.weights,
            fill_share: p.fill_share,
            top_fill_share: p.top_fill_share,
            discretion_capture: p.discretion_capture,
            discretion_noise: p.discretion_noise,
            board_size: p.board_size,
            appraisal_threshold: p.appraisal_threshold,
            max_supersessions: p.max_supersessions,
            zone_factor: p.zone_factor,
        }
    }
}

/// A board's working buffers, kept in the world between boards, so that a
/// board allocates nothing once they have grown to the service's size.
#[derive(Clone, Debug, Default)]
pub struct BoardScratch {
    by_grade: Vec<Vec<u32>>,
    headcount: Vec<[i64; 2]>,
    ladders: Vec<(usize, usize)>,
    elig: Vec<u32>,
    scores: Vec<f64>,
    comp_next: Vec<f64>,
    cap_flag: Vec<bool>,
    order: Vec<usize>,
    keyed: Vec<(u64, u32, u32)>,
    chosen: Vec<usize>,
    is_chosen: Vec<bool>,
    ranks: Ranks,
}

/// One promotion board over all grades, top-down.
pub fn board(w: &mut World) {
    if !w.scn.promotion.enabled {
        return;
    }
    if w.board_rng.chance(w.scn.promotion.board_skip_probability) {
        return;
    }
    w.flows.boards_held += 1;
    let mut scratch = std::mem::take(&mut w.board_scratch);
    hold_board(w, &mut scratch);
    w.board_scratch = scratch;
}

fn hold_board(w: &mut World, s: &mut BoardScratch) {
    let p = BoardParams::of(&w.scn.promotion);
    let grades = w.derived.grades;
    let BoardScratch {
        by_grade,
        headcount,
        ladders,
        elig,
        scores,
        comp_next,
        cap_flag,
        order,
        keyed,
        chosen,
        is_chosen,
        ranks,
    } = s;
    by_grade.resize_with(grades.max(by_grade.len()), Vec::new);
    by_grade.iter_mut().for_each(Vec::clear);
    headcount.clear();
    headcount.resize(grades, [0i64; 2]);
    for i in 0..w.officers.slots() {
        if !w.officers.active[i] {
            continue;
        }
        let g = w.officers.grade[i] as usize;
        headcount[g][w.officers.ladder[i] as usize] += 1;
        if w.officers.training_left[i] == 0 && w.officers.inquiry_left[i] < 0 {
            by_grade[g].push(i as u32);
        }
    }
    let interference = w.derived.interference;
    let capture = (p.discretion_capture * interference).min(1.0);
    let training_on = w.scn.training.enabled;
    let appraisal_on = w.scn.appraisal.enabled;
    let mut captured = 0u32;
    let mut promoted_total = 0u32;
    // Each grade's vacancies, top-down; a grade with ex-cadre posts fills
    // its two ladders in turn, each from the same ladder below.
    ladders.clear();
    for t in (1..grades).rev() {
        ladders.push((t, 0));
        if w.scn.structure.ladder_posts(t)[1] > 0 {
            ladders.push((t, 1));
        }
    }
    for &(t, ladder) in ladders.iter() {
        let g = t - 1;
        let posts_t = w.scn.structure.ladder_posts(t)[ladder] as i64;
        let share = if t + 1 == grades {
            p.top_fill_share
        } else {
            p.fill_share
        };
        let open = (posts_t - headcount[t][ladder]).max(0) as f64 * share;
        let vacancies = open.floor() as usize + usize::from(w.rng.chance(open.fract()));
        if vacancies == 0 {
            continue;
        }
        let lateral = if w.scn.recruitment.enabled && ladder == 0 {
            ((vacancies as f64) * w.scn.structure.grades[t].lateral_share).round() as usize
        } else {
            0
        };
        if lateral > 0 {
            recruitment::lateral(w, t, lateral);
            headcount[t][0] += lateral as i64;
        }
        let wanted = vacancies - lateral;
        let min_m = w.derived.min_service_m[t];
        let course = if training_on {
            w.derived.mandatory_course[t]
        } else {
            None
        };
        elig.clear();
        for &i in &by_grade[g] {
            let i = i as usize;
            if !w.officers.active[i]
                || w.officers.grade[i] as usize != g
                || w.officers.ladder[i] as usize != ladder
                || (p.max_supersessions > 0
                    && w.officers.superseded_here[i] as u32 >= p.max_supersessions)
                || w.officers.service_m[i] < min_m
                || w.officers.convictions[i] > 0
            {
                continue;
            }
            if let Some(k) = course
                && w.officers.courses[i] & (1 << k) == 0
            {
                continue;
            }
            w.flows.board_qualified += 1;
            if appraisal_on {
                let m = w.officers.appraisal_mean(i);
                if !m.is_nan() && (m as f64) < p.appraisal_threshold {
                    w.flows.board_barred_by_appraisal += 1;
                    continue;
                }
            }
            elig.push(i as u32);
        }
        if elig.is_empty() || wanted == 0 {
            continue;
        }
        let rule = if w.scn.structure.grades[t].selection {
            p.rule
        } else {
            Rule::Seniority
        };
        // Under seniority the zone's most senior are the chosen anyway.
        if rule != Rule::Seniority {
            keep_zone(elig, &w.officers.service_m, wanted, p.zone_factor);
        }
        scores.clear();
        comp_next.clear();
        cap_flag.clear();
        let max_service = elig
            .iter()
            .map(|&i| w.officers.service_m[i as usize])
            .max()
            .unwrap_or(1)
            .max(1) as f64;
        let ws = &p.weights;
        let wsum = ws.seniority + ws.appraisal + ws.training + ws.discretion + ws.connections;
        for &i in elig.iter() {
            let i = i as usize;
            let next = w.competence_here(i, t) as f64;
            comp_next.push(next);
            let mut captured_here = false;
            let score = match rule {
                Rule::Seniority => w.officers.service_m[i] as f64,
                Rule::Best | Rule::Worst | Rule::BestWorst => w.competence_here(i, g) as f64,
                Rule::Random => w.rng.uniform(),
                Rule::Weighted => {
                    let seniority = w.officers.service_m[i] as f64 / max_service;
                    let app = w.officers.appraisal_mean(i);
                    let app = if app.is_nan() { 0.5 } else { app as f64 / 10.0 };
                    let train = w.officers.training_score[i] as f64 / 10.0;
                    let conn = w.officers.connections[i] as f64;
                    let mut reading = 0.0;
                    let mut members_captured = 0;
                    // With no weight on the board's discretion its members'
                    // readings count for nothing: none is drawn, so that
                    // `board_size` changes no result there (a dead-key
                    // audit, 2026-12-08: it moved results through the
                    // number of draws alone).
                    let members = if ws.discretion > 0.0 { p.board_size } else { 0 };
                    for _ in 0..members {
                        if w.rng.chance(capture) {
                            members_captured += 1;
                            reading += conn;
                        } else {
                            reading += next / 10.0 + p.discretion_noise * w.rng.normal();
                        }
                    }
                    // A promotion counts as captured when most members were.
                    captured_here = 2 * members_captured > p.board_size;
                    let discretion = reading / p.board_size as f64;
                    (ws.seniority * seniority
                        + ws.appraisal * app
                        + ws.training * train
                        + ws.discretion * discretion
                        + ws.connections * conn)
                        / wsum
                }
            };
            scores.push(score);
            cap_flag.push(captured_here && ws.discretion > 0.0);
        }
        // Candidates by score, highest first, ties by slot: keys are unique,
        // so unstable sorts and selections give the one order. Only the
        // "worst" and "best_worst" rules need more than the top n in order.
        let n = wanted.min(elig.len());
        keyed.clear();
        keyed.extend(
            elig.iter()
                .zip(scores.iter())
                .enumerate()
                .map(|(k, (&slot, &sc))| (!total_key(sc), slot, k as u32)),
        );
        match rule {
            Rule::Worst | Rule::BestWorst => keyed.sort_unstable(),
            _ => {
                if n < keyed.len() {
                    keyed.select_nth_unstable(n);
                }
                keyed[..n].sort_unstable();
            }
        }
        order.clear();
        order.extend(keyed.iter().map(|&(_, _, k)| k as usize));
        chosen.clear();
        match rule {
            Rule::Worst => chosen.extend(order.iter().rev().take(n).copied()),
            Rule::BestWorst => {
                let (mut lo, mut hi) = (0usize, order.len());
                for _ in 0..n {
                    if w.rng.chance(p.best_probability) {
                        lo += 1;
                        chosen.push(order[lo - 1]);
                    } else {
                        hi -= 1;
                        chosen.push(order[hi]);
                    }
                }
            }
            _ => chosen.extend(order.iter().take(n).copied()),
        }
        // The rank correlation reads only the scores and the next grade's
        // competence, fixed above: for a large board it runs on another
        // core while the chosen are promoted, and is added afterwards, in
        // the ladders' order as before.
        let mut least_service = u16::MAX;
        is_chosen.clear();
        is_chosen.resize(elig.len(), false);
        // Under scalar competence the next grade's competence is drawn on
        // promotion (carried over with noise, or redrawn): it is known only
        // afterwards, for the chosen, and is drawn for the others from the
        // measures' own stream. Before, the correlation read the current
        // competence, so the classic model's "best" boards scored exactly 1
        // while promotion redrew competence at random (an instructor's
        // audit, 2026-12-06).
        let scalar = w.derived.scalar;
        let (rc, ()) = both(
            !scalar && elig.len() >= PARALLEL_RANKS,
            || (!scalar && elig.len() >= 2).then(|| spearman_in(scores, comp_next, ranks)),
            || {
                for &k in chosen.iter() {
                    is_chosen[k] = true;
                    let i = elig[k] as usize;
                    least_service = least_service.min(w.officers.service_m[i]);
                    let before = w.competence_here(i, g) as f64;
                    if cap_flag[k] {
                        captured += 1;
                    }
                    promote(w, i, t, &p);
                    let after = w.competence_here(i, t) as f64;
                    w.flows.peter_sum += after - before;
                    let service = w.officers.service_m[i] as f64 / 12.0;
                    w.flows.promotion_service_sum += service;
                    w.flows.promotions += 1;
                    if w.flows.grade_promotions.len() < grades {
                        w.flows.grade_promotions.resize(grades, 0);
                        w.flows.grade_promotion_service.resize(grades, 0.0);
                        w.flows.grade_promotion_age.resize(grades, 0.0);
                    }
                    w.flows.grade_promotions[t] += 1;
                    w.flows.grade_promotion_service[t] += service;
                    w.flows.grade_promotion_age[t] += w.officers.age_m[i] as f64 / 12.0;
                    promoted_total += 1;
                }
            },
        );
        let rc = if scalar && elig.len() >= 2 {
            let wp = &w.scn.work;
            for (k, &i) in elig.iter().enumerate() {
                let i = i as usize;
                comp_next[k] = if is_chosen[k] {
                    w.officers.scalar_comp[i] as f64
                } else {
                    let c = if p.redraw {
                        wp.scalar_mean + wp.scalar_sd * w.measure_rng.normal()
                    } else {
                        w.officers.scalar_comp[i] as f64
                            + w.measure_rng.range(-p.carry_over_noise, p.carry_over_noise)
                    };
                    c.clamp(wp.scalar_min, wp.scalar_max) as f32 as f64
                };
            }
            Some(spearman_in(scores, comp_next, ranks))
        } else {
            rc
        };
        if let Some(rc) = rc {
            let rc = if rule == Rule::Worst { -rc } else { rc };
            if rc.is_finite() {
                w.flows.rank_corr_sum += rc * elig.len() as f64;
                w.flows.rank_corr_weight += elig.len() as f64;
            }
        }
        if rule != Rule::Seniority {
            for (k, &i) in elig.iter().enumerate() {
                let i = i as usize;
                if !is_chosen[k] && w.officers.service_m[i] > least_service {
                    w.officers.supersessions[i] = w.officers.supersessions[i].saturating_add(1);
                    w.officers.superseded_here[i] = w.officers.superseded_here[i].saturating_add(1);
                    w.flows.supersessions += 1;
                }
            }
        }
        headcount[t][ladder] += n as i64;
        headcount[g][ladder] -= n as i64;
    }
    w.env.promotion_capture = if promoted_total > 0 {
        captured as f64 / promoted_total as f64
    } else {
        0.0
    };
}

/// The zone of consideration: of the eligible officers `elig` (slots in
/// slot order), keeps the `ceil(factor · wanted)` (at least `wanted`) with
/// the most service, ties to the lower slot, still in slot order; all of
/// them when there are no more, or `factor` is 0. Boards consider officers
/// from the top of the seniority list, a few for each vacancy, so an
/// officer further down waits for those above to be promoted or passed
/// over, and only those considered can be superseded.
fn keep_zone(elig: &mut Vec<u32>, service_m: &[u16], wanted: usize, factor: f64) {
    if factor <= 0.0 {
        return;
    }
    let zone = ((factor * wanted as f64).ceil() as usize).max(wanted);
    if zone >= elig.len() {
        return;
    }
    elig.select_nth_unstable_by_key(zone, |&i| (u16::MAX - service_m[i as usize], i));
    elig.truncate(zone);
    elig.sort_unstable();
}

/// `a` and `b`, on two cores when `parallel` (they share nothing).
fn both<A: Send, B: Send>(
    parallel: bool,
    a: impl FnOnce() -> A + Send,
    b: impl FnOnce() -> B + Send,
) -> (A, B) {
    if parallel {
        rayon::join(a, b)
    } else {
        (a(), b())
    }
}

fn promote(w: &mut World, i: usize, t: usize, p: &BoardParams) {
    w.officers.grade[i] = t as u8;
    w.officers.grade_m[i] = 0;
    w.officers.superseded_here[i] = 0;
    if w.derived.scalar {
        let wp = &w.scn.work;
        let c = if p.redraw {
            wp.scalar_mean + wp.scalar_sd * w.rng.normal()
        } else {
            w.officers.scalar_comp[i] as f64 + w.rng.range(-p.carry_over_noise, p.carry_over_noise)
        };
        w.officers.scalar_comp[i] = c.clamp(wp.scalar_min, wp.scalar_max) as f32;
    }
    postings::repost_in_grade(w, i);
}

/// Whether a further board (beyond the annual step's) sits on step
/// `in_year` (1-based) of the year: `boards_per_year` boards spread evenly
/// over the year from the annual step.
pub fn extra_board_due(w: &World, in_year: u32) -> bool {
    let boards = w.scn.promotion.boards_per_year;
    // No board sits when promotion is off, so no step of one reads the
    // whole service (a dead-key audit, 2026-12-08: `boards_per_year`
    // changed the staggered engine's schedule with promotion off).
    if boards <= 1 || !w.scn.promotion.enabled {
        return false;
    }
    let steps_per_year = w.derived.steps_per_year;
    let every = (steps_per_year / boards).max(1);
    let offset = (in_year + steps_per_year - w.scn.sim.annual_step) % steps_per_year;
    offset % every == 0 && offset / every < boards
}

/// The share of the board's score for promotion out of grade `g` that an
/// officer's own performance moves: under the "weighted" rule at a
/// selection post, the appraisal's normalised weight times how far the
/// reported score follows true performance (`1 − inflation·f`); 0 under
/// seniority, at a non-selection post, at the top grade, when appraisal or
/// promotion is off, and under the classic rules (which read competence,
/// not effort).
pub fn promotion_stake(scn: &crate::model::params::Scenario, g: usize) -> f64 {
    let p = &scn.promotion;
    let grades = &scn.structure.grades;
    if !p.enabled || !scn.appraisal.enabled || g + 1 >= grades.len() || !grades[g + 1].selection {
        return 0.0;
    }
    if p.rule != "weighted" {
        return 0.0;
    }
    let w = &p.weights;
    let sum = w.seniority + w.appraisal + w.training + w.discretion + w.connections;
    if sum <= 0.0 {
        return 0.0;
    }
    let a = &scn.appraisal;
    let f = if a.objective_pm {
        a.objective_factor
    } else {
        1.0
    };
    w.appraisal / sum * (1.0 - a.inflation * f)
}

/// Whether an officer aged `age_m` months with `service_m` months of
/// service can still reach `min_service_m` months of service before the
/// retirement age `retirement_m`.
#[inline]
pub fn can_reach(age_m: u16, service_m: u16, min_service_m: u16, retirement_m: u16) -> bool {
    age_m as u32 + (min_service_m.saturating_sub(service_m) as u32) < retirement_m as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spearman_known_values() {
        let x = [1.0, 2.0, 3.0, 4.0];
        assert!((spearman(&x, &[10.0, 20.0, 30.0, 40.0]) - 1.0).abs() < 1e-12);
        assert!((spearman(&x, &[4.0, 3.0, 2.0, 1.0]) + 1.0).abs() < 1e-12);
        assert!(spearman(&[1.0], &[1.0]).is_nan());
    }

    #[test]
    fn a_sample_of_any_size_is_ranked_by_value_ties_by_position() {
        // Many ties, negative values and -0.0: the comparison sort (small
        // samples), the radix sort and the parallel rankings (large ones)
        // must all give one order (by value, ties by position) bit for bit.
        for n in [1_000, RADIX_RANKS - 1, RADIX_RANKS + 1_234] {
            ranked_by_value_ties_by_position(n);
        }
    }

    fn ranked_by_value_ties_by_position(n: usize) {
        let x: Vec<f64> = (0..n)
            .map(|i| match i % 7 {
                0 => -0.0,
                1 => 0.0,
                _ => ((i * 7919) % 1000) as f64 - 500.0,
            })
            .collect();
        let y: Vec<f64> = (0..n).map(|i| ((i * 104_729) % 313) as f64 / 7.0).collect();
        let ranks = |v: &[f64]| {
            let mut idx: Vec<usize> = (0..v.len()).collect();
            idx.sort_by(|&a, &b| v[a].total_cmp(&v[b]).then(a.cmp(&b)));
            let mut r = vec![0.0; v.len()];
            for (k, &i) in idx.iter().enumerate() {
                r[i] = k as f64;
            }
            r
        };
        let (rx, ry) = (ranks(&x), ranks(&y));
        let d2: f64 = rx.iter().zip(&ry).map(|(a, b)| (a - b).powi(2)).sum();
        let want = 1.0 - 6.0 * d2 / (n as f64 * (n as f64 * n as f64 - 1.0));
        let mut b = Ranks::default();
        let got = spearman_in(&x, &y, &mut b);
        assert_eq!(got.to_bits(), want.to_bits());
        assert_eq!(b.rx, rx);
        assert_eq!(b.ry, ry);
        // And again with the buffers grown (no stale ranks).
        assert_eq!(spearman_in(&y, &x, &mut b).to_bits(), {
            let d2: f64 = ry.iter().zip(&rx).map(|(a, b)| (a - b).powi(2)).sum();
            (1.0 - 6.0 * d2 / (n as f64 * (n as f64 * n as f64 - 1.0))).to_bits()
        });
    }

    #[test]
    fn total_key_orders_like_total_cmp() {
        let xs = [
            f64::NEG_INFINITY,
            -1e300,
            -2.5,
            -0.0,
            0.0,
            1e-300,
            3.0,
            f64::INFINITY,
            f64::NAN,
        ];
        for a in xs {
            for b in xs {
                assert_eq!(
                    total_key(a).cmp(&total_key(b)),
                    a.total_cmp(&b),
                    "{a} vs {b}"
                );
            }
        }
    }

    #[test]
    fn merit_promotion_raises_the_stake_and_no_stake_without_a_chance() {
        let mut scn = crate::model::params::Scenario::default();
        let base = promotion_stake(&scn, 2);
        // The default: appraisal weight 0.4 of 1, reports follow true
        // performance at 1 − inflation 0.6.
        assert!((base - 0.4 * 0.4).abs() < 1e-12, "{base}");
        scn.appraisal.objective_pm = true;
        scn.promotion.weights.appraisal = 0.6;
        scn.promotion.weights.training = 0.2;
        scn.promotion.weights.discretion = 0.2;
        assert!(promotion_stake(&scn, 2) > base);
        let top = scn.structure.grades.len() - 1;
        assert_eq!(promotion_stake(&scn, top), 0.0);
        scn.promotion.rule = "seniority".into();
        assert_eq!(promotion_stake(&scn, 2), 0.0);
        // Aged 55 with 20 of the 25 years a grade needs: out of reach at 60.
        assert!(!can_reach(55 * 12, 20 * 12, 25 * 12, 60 * 12));
        assert!(can_reach(40 * 12, 20 * 12, 25 * 12, 60 * 12));
    }

    #[test]
    fn the_zone_keeps_the_most_senior_in_slot_order() {
        let service = [5u16, 30, 10, 30, 20, 1, 25];
        let all: Vec<u32> = (0..7).collect();
        let zone = |wanted: usize, factor: f64| {
            let mut e = all.clone();
            keep_zone(&mut e, &service, wanted, factor);
            e
        };
        // Two vacancies, 1.5 a vacancy: the three most senior (30, 30, 25).
        assert_eq!(zone(2, 1.5), vec![1, 3, 6]);
        // A tie at the edge goes to the lower slot.
        assert_eq!(zone(1, 1.0), vec![1]);
        // At least one a vacancy, all when the zone covers everyone, and
        // everyone with the zone off.
        assert_eq!(zone(3, 0.5), vec![1, 3, 6]);
        assert_eq!(zone(3, 3.0), all);
        assert_eq!(zone(7, 1.0), all);
        assert_eq!(zone(6, 1.0), vec![0, 1, 2, 3, 4, 6]);
        assert_eq!(zone(2, 0.0), all);
    }

    /// A default service with one ladder and eligibility by service alone:
    /// each board promotes only from the most senior three eligible a
    /// vacancy (and supersedes some of them; nobody outside the zone is
    /// senior to an officer promoted, so none of them can be); with the
    /// zone off it promotes from further down the list.
    #[test]
    fn a_board_promotes_and_supersedes_within_its_zone() {
        let held = |zone_factor: f64| {
            let mut scn = crate::model::params::Scenario::default();
            scn.training.enabled = false;
            scn.appraisal.enabled = false;
            for g in &mut scn.structure.grades {
                g.ex_cadre_share = 0.0;
            }
            scn.promotion.board_skip_probability = 0.0;
            scn.promotion.zone_factor = zone_factor;
            let before = crate::model::init::build(&scn, 11);
            let mut after = before.clone();
            board(&mut after);
            (before, after)
        };
        // For each grade below the top: whether every officer promoted out
        // of it or superseded in it was in its zone.
        let within = |before: &World, after: &World| -> Vec<bool> {
            let (o, n) = (&before.officers, &after.officers);
            (0..before.derived.grades - 1)
                .map(|g| {
                    let min_m = before.derived.min_service_m[g + 1];
                    let mut elig: Vec<u32> = (0..o.slots())
                        .filter(|&i| {
                            o.active[i]
                                && o.grade[i] as usize == g
                                && o.training_left[i] == 0
                                && o.inquiry_left[i] < 0
                                && o.service_m[i] >= min_m
                                && (o.superseded_here[i] as u32)
                                    < before.scn.promotion.max_supersessions
                                && o.convictions[i] == 0
                        })
                        .map(|i| i as u32)
                        .collect();
                    let promoted = elig
                        .iter()
                        .filter(|&&i| n.grade[i as usize] as usize == g + 1)
                        .count();
                    let all = elig.clone();
                    keep_zone(&mut elig, &o.service_m, promoted, 3.0);
                    all.iter().all(|&i| {
                        let i = i as usize;
                        let moved = n.grade[i] as usize != g
                            || n.superseded_here[i] != o.superseded_here[i];
                        !moved || elig.binary_search(&(i as u32)).is_ok()
                    })
                })
                .collect()
        };
        let (before, after) = held(3.0);
        assert!(after.flows.promotions > 100, "{}", after.flows.promotions);
        assert!(after.flows.supersessions > 0);
        assert!(within(&before, &after).iter().all(|&w| w));
        let (before, after) = held(0.0);
        assert!(!within(&before, &after).iter().all(|&w| w));
    }

    /// The top grade's board fills `top_fill_share` of its vacancies, the
    /// others `fill_share`.
    #[test]
    fn the_top_grade_has_its_own_fill_share() {
        let promoted_into = |top: f64| {
            let mut scn = crate::model::params::Scenario::default();
            scn.promotion.board_skip_probability = 0.0;
            scn.promotion.fill_share = 0.5;
            scn.promotion.top_fill_share = top;
            let mut w = crate::model::init::build(&scn, 3);
            board(&mut w);
            w.flows.grade_promotions.clone()
        };
        let top_none = promoted_into(0.0);
        assert_eq!(top_none[5], 0);
        // 100 posts, 82 officers at the start: all 18 vacancies.
        assert_eq!(promoted_into(1.0)[5], 18);
        // A quarter of 18, against the service's half (9).
        assert!((4..=5).contains(&promoted_into(0.25)[5]));
        // The grades below keep the service's share.
        assert!(top_none[1..5].iter().sum::<u32>() > 100, "{top_none:?}");
    }

    /// A board whose largest ladder has at least `PARALLEL_RANKS` eligible
    /// officers ranks them on a second core beside its promotions: on one
    /// thread and on two it leaves the same officers and the same flows,
    /// bit for bit.
    #[test]
    fn a_large_board_is_held_alike_on_one_thread_and_two() {
        let mut scn = crate::model::params::Scenario::default();
        for g in &mut scn.structure.grades {
            g.posts *= 4;
            g.initial_officers = g.initial_officers.map(|n| n * 4);
        }
        // Everyone of the lowest grade in the running for the next.
        scn.structure.grades[1].min_service_years = 0.0;
        scn.promotion.max_supersessions = 0;
        scn.promotion.board_skip_probability = 0.0;
        let world = crate::model::init::build(&scn, 5);
        let held = |threads: usize| {
            let mut w = world.clone();
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("a thread pool")
                .install(|| board(&mut w));
            w
        };
        let (one, two) = (held(1), held(2));
        // The last ladder held is the lowest grade's: the parallel branch.
        let largest = one.board_scratch.elig.len();
        assert!(largest >= PARALLEL_RANKS, "{largest} eligible");
        assert!(one.flows.promotions > 0 && one.flows.rank_corr_weight > 0.0);
        assert_eq!(format!("{:?}", one.flows), format!("{:?}", two.flows));
        let o = (&one.officers, &two.officers);
        assert_eq!(o.0.grade, o.1.grade);
        assert_eq!(o.0.post, o.1.post);
        assert_eq!(o.0.supersessions, o.1.supersessions);
        assert_eq!(o.0.superseded_here, o.1.superseded_here);
        let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&o.0.managerial), bits(&o.1.managerial));
        assert_eq!(
            one.flows.rank_corr_sum.to_bits(),
            two.flows.rank_corr_sum.to_bits()
        );
    }
}
