//! The state of one replicate: parameters in force, officers, posts, the
//! environment, this year's flow counters and the replicate's random stream
//! (the monthly pass's per-chunk streams belong to the engine in `sim/`).

use rayon::prelude::*;

use crate::model::params::Scenario;
use crate::model::population::Officers;
use crate::model::posts::Posts;
use crate::model::reforms::ReformState;
use crate::rng::Stream;

/// Values derived from the parameters in force, recomputed when a reform
/// changes them, so the monthly pass does no parsing or lookups.
#[derive(Clone, Debug)]
pub struct Derived {
    pub grades: usize,
    pub sectors: usize,
    pub steps_per_year: u32,
    /// Basic annual pay per grade (entry grade = 1 at pay level 1).
    pub basic_pay: Vec<f64>,
    /// Outside wage of an average officer per grade (market pay × the
    /// grade's outside wage ratio).
    pub outside: Vec<f64>,
    /// The private market's pay per grade ([`crate::model::pay::PayParams::market`]),
    /// the scale a bribe's worth is counted on ([`value_pay_for`]).
    pub market_pay: Vec<f64>,
    /// `corruption.rent_valuation = "own_pay"`: bribes counted in own pay.
    pub rent_in_own_pay: bool,
    pub mgmt: Vec<f32>,
    pub delivery_weight: Vec<f32>,
    pub sector_rent: Vec<f32>,
    pub sector_desirability: Vec<f32>,
    /// Cluster index of each sector.
    pub cluster: Vec<u8>,
    /// Minimum service (months) for promotion into each grade.
    pub min_service_m: Vec<u16>,
    /// Index of the course needed for promotion into each grade.
    pub mandatory_course: Vec<Option<u8>>,
    pub entry_grades: Vec<usize>,
    /// Effective political interference.
    pub interference: f64,
    pub retirement_m: u16,
    pub tenure_m: u16,
    /// Per grade: whether its officers rotate at `tenure_m`, and the
    /// multiplier of their political-transfer hazard.
    pub rotates: Vec<bool>,
    pub political_exposure: Vec<f64>,
    pub scalar: bool,
    /// Promotion incentives: `effort_response · stake` for an officer of
    /// each grade, on each ladder, who can still be promoted (0 at the top
    /// grade and at the ex-cadre ladder's ceiling).
    pub effort_gain: Vec<[f32; 2]>,
    /// The work parameters as the monthly pass and the metrics read them
    /// (with the ramp-up table), built once per parameter change.
    pub work: crate::model::work::WorkFactors,
    /// Collusion by months in post (corruption), built with `work`.
    pub collusion: crate::model::corruption::Collusion,
}

impl Derived {
    /// The derived values of the parameters `scn`.
    pub fn new(scn: &Scenario) -> Self {
        let st = &scn.structure;
        let grades = st.grades.len();
        let basic_pay: Vec<f64> = (0..grades).map(|g| scn.pay.basic(g, grades)).collect();
        let market_pay: Vec<f64> = (0..grades).map(|g| scn.pay.market(g, grades)).collect();
        let mut clusters: Vec<&str> = Vec::new();
        let cluster = st
            .sectors
            .iter()
            .map(|sec| {
                let name = if sec.cluster.is_empty() {
                    sec.name.as_str()
                } else {
                    sec.cluster.as_str()
                };
                match clusters.iter().position(|c| *c == name) {
                    Some(k) => k as u8,
                    None => {
                        clusters.push(name);
                        (clusters.len() - 1) as u8
                    }
                }
            })
            .collect();
        Derived {
            grades,
            sectors: st.sectors.len(),
            steps_per_year: scn.sim.steps_per_year,
            outside: st
                .grades
                .iter()
                .enumerate()
                .map(|(k, g)| g.outside_wage_ratio * market_pay[k])
                .collect(),
            market_pay,
            rent_in_own_pay: scn.corruption.rent_valuation == "own_pay",
            basic_pay,
            mgmt: st
                .grades
                .iter()
                .map(|g| g.management_weight as f32)
                .collect(),
            delivery_weight: st.grades.iter().map(|g| g.delivery_weight as f32).collect(),
            sector_rent: st.sectors.iter().map(|x| x.rent as f32).collect(),
            sector_desirability: st.sectors.iter().map(|x| x.desirability as f32).collect(),
            cluster,
            min_service_m: st
                .grades
                .iter()
                .map(|g| (g.min_service_years * 12.0).round().min(u16::MAX as f64) as u16)
                .collect(),
            mandatory_course: st
                .grades
                .iter()
                .map(|g| {
                    scn.training
                        .courses
                        .iter()
                        .position(|c| {
                            !g.mandatory_course.is_empty() && c.name == g.mandatory_course
                        })
                        .map(|k| k as u8)
                })
                .collect(),
            entry_grades: st
                .grades
                .iter()
                .enumerate()
                .filter(|(_, g)| g.entry)
                .map(|(i, _)| i)
                .collect(),
            interference: scn.politics.effective(),
            retirement_m: (scn.exits.retirement_age * 12.0).round() as u16,
            tenure_m: (scn.postings.tenure_months.round()).clamp(1.0, u16::MAX as f64) as u16,
            rotates: st.grades.iter().map(|g| g.rotation).collect(),
            political_exposure: st.grades.iter().map(|g| g.political_exposure).collect(),
            scalar: scn.work.scalar(),
            effort_gain: (0..grades)
                .map(|g| {
                    let gain = (scn.promotion.effort_response
                        * crate::model::promotion::promotion_stake(scn, g))
                        as f32;
                    // The ex-cadre ladder's ceiling: no grade to reach.
                    let ex_above = g + 1 < grades && scn.structure.ladder_posts(g + 1)[1] > 0;
                    [gain, if ex_above { gain } else { 0.0 }]
                })
                .collect(),
            work: crate::model::work::WorkFactors::from(&scn.work),
            collusion: crate::model::corruption::Collusion::new(&scn.corruption),
        }
    }
}

/// The environment: the state of the world outside the officers.
#[derive(Clone, Debug, Default)]
pub struct Env {
    /// Steps since the start.
    pub step: u64,
    pub egov: f64,
    pub trust: f64,
    /// Steps left in a post-election transfer wave.
    pub wave_left: u32,
    /// The wave by step: bit i is set when step `step − i` had a wave
    /// (bit 0 this step, set by `politics::election`). The staggered
    /// engine reads the share of an officer's span in a wave.
    pub wave_steps: u64,
    /// Share of last board's promotions decided by connections.
    pub promotion_capture: f64,
    /// Annual pensions being paid, in entry-pay units.
    pub pension_stock: f64,
    /// Mean annual political transfer hazard last step (for morale).
    pub transfer_pressure: f64,
    pub government_changes: u32,
    /// Environment multiplier on detection (e-governance, grievances,
    /// whistle-blowers), refreshed each step.
    pub detection_boost: f64,
    /// The service's mean appraisal record at the last appraisal (the
    /// starting records before the first): pay for performance is paid
    /// relative to it (`appraisal::record_centre`; NaN when no officer has
    /// a record).
    pub record_centre: f32,
}

/// Counts and sums over the current reporting year.
#[derive(Clone, Debug, Default)]
pub struct Flows {
    pub steps: u32,
    pub delivery: f64,
    pub rent_taken: f64,
    pub detections: u32,
    pub convictions: u32,
    /// Decided cases that ended without conviction.
    pub acquittals: u32,
    /// Inquiries that closed without a verdict.
    pub cases_undecided: u32,
    pub wrongful_inquiries: u32,
    pub wrongful_convictions: u32,
    pub promotions: u32,
    pub promotion_service_sum: f64,
    /// Promotions into each grade and the service of those promoted.
    pub grade_promotions: Vec<u32>,
    pub grade_promotion_service: Vec<f64>,
    /// Sum of the ages (years) of those promoted into each grade.
    pub grade_promotion_age: Vec<f64>,
    pub peter_sum: f64,
    /// Rank correlations of promotion boards, weighted by candidates.
    pub rank_corr_sum: f64,
    pub rank_corr_weight: f64,
    pub supersessions: u32,
    pub transfers_regular: u32,
    pub transfers_political: u32,
    /// Regular and political transfers by the officer's grade.
    pub grade_transfers: Vec<[u32; 2]>,
    pub completed_tenure_sum: f64,
    pub completed_tenures: u32,
    pub exits: [u32; 4],
    pub leaver_ability_sum: f64,
    pub recruits: u32,
    /// Recruits by entry channel (indexed by `Channel as usize`) and by
    /// ladder, and exam (CSS) entrants: merit and quota on the cadre ladder.
    pub recruits_by_channel: [u32; 5],
    pub recruits_by_ladder: [u32; 2],
    pub recruits_exam: u32,
    pub recruits_ability_sum: f64,
    pub laterals: u32,
    pub trained: u32,
    pub boards_held: u32,
    /// At the year's boards, officers who met every other condition of
    /// eligibility, and those of them kept out by the appraisal bar
    /// (`promotion.appraisal_threshold`).
    pub board_qualified: u32,
    pub board_barred_by_appraisal: u32,
}

impl Flows {
    /// Starts a new reporting year: every count and sum back to 0, the
    /// per-grade vectors zeroed in place (their memory kept, so that a year
    /// allocates nothing for them; a missing grade and a zero read alike).
    pub fn clear(&mut self) {
        let mut promotions = std::mem::take(&mut self.grade_promotions);
        let mut service = std::mem::take(&mut self.grade_promotion_service);
        let mut age = std::mem::take(&mut self.grade_promotion_age);
        let mut transfers = std::mem::take(&mut self.grade_transfers);
        promotions.fill(0);
        service.fill(0.0);
        age.fill(0.0);
        transfers.fill([0, 0]);
        *self = Flows {
            grade_promotions: promotions,
            grade_promotion_service: service,
            grade_promotion_age: age,
            grade_transfers: transfers,
            ..Default::default()
        };
    }
}

/// Under the staggered engine, what of an officer's span followed an event
/// drawn on one of its steps.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct SpanRest {
    /// The months of the span after the step the event fell on.
    pub months: u16,
    /// What the pass counted the officer delivering in its post over those
    /// months (grade-weighted, in steps' worth; 0 when not posted): the
    /// pass counts the whole span, so an event that ends the posting takes
    /// it back.
    pub delivered_after: f32,
}

/// A cross-officer change found in the monthly pass, applied afterwards in
/// slot order.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Event {
    Retire(u32),
    Quit(u32),
    TrainingDone(u32),
    Verdict(u32),
    Detected(u32),
    WrongfulInquiry(u32),
    PoliticalTransfer(u32),
    Rotation(u32),
    Repost(u32),
}

impl Event {
    /// The officer the event concerns (a slot).
    pub fn officer(self) -> usize {
        match self {
            Event::Retire(i)
            | Event::Quit(i)
            | Event::TrainingDone(i)
            | Event::Verdict(i)
            | Event::Detected(i)
            | Event::WrongfulInquiry(i)
            | Event::PoliticalTransfer(i)
            | Event::Rotation(i)
            | Event::Repost(i) => i as usize,
        }
    }
}

/// A unit's posted officers and the corrupt among them, side by side so
/// that the monthly pass, which reads them for each officer in slot order
/// (units in no order), finds both on one cache line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UnitCount {
    pub posted: u32,
    pub corrupt: u32,
}

/// Share of corrupt officers among the others in unit `u`, `me` being one
/// of its posted officers.
#[inline]
pub fn peer_share_in(u: UnitCount, me: bool) -> f32 {
    let others = u.posted.saturating_sub(1);
    if others == 0 {
        0.0
    } else {
        u.corrupt.saturating_sub(me as u32) as f32 / others as f32
    }
}

/// Annual pay of an officer of grade `g`, `grade_m` months in the grade,
/// with appraisal record `appraisal`.
#[inline]
pub fn pay_for(
    pay: &crate::model::pay::PayParams,
    d: &Derived,
    g: u8,
    grade_m: u16,
    appraisal: &[f32; 3],
    centre: f32,
) -> f64 {
    pay.officer_pay(
        d.basic_pay[g as usize],
        grade_m as f64 / 12.0,
        crate::model::population::appraisal_mean_of(appraisal),
        centre,
    )
}

/// The pay a bribe's worth is counted in (`corruption.rent_valuation`) for
/// an officer of grade `g`, `grade_m` months in grade, paid `pay`: under
/// `"market"` the officer's pay on the private market's scale
/// ([`crate::model::pay::PayParams::market_scale_pay`]), which public pay
/// policy (level, compression, increment, pay for performance) does not
/// move and which equals `pay` bit for bit at the baseline's pay; under
/// `"own_pay"` `pay` itself.
#[inline]
pub fn value_pay_for(
    pay_params: &crate::model::pay::PayParams,
    d: &Derived,
    g: u8,
    grade_m: u16,
    pay: f64,
) -> f64 {
    if d.rent_in_own_pay {
        pay
    } else {
        pay_params.market_scale_pay(d.market_pay[g as usize], grade_m as f64 / 12.0)
    }
}

/// Outside wage of an officer of grade `g` with ability `ability` and
/// expertise row `expertise`.
#[inline]
pub fn outside_for(
    pay: &crate::model::pay::PayParams,
    d: &Derived,
    g: u8,
    ability: f32,
    expertise: &[f32],
) -> f64 {
    pay.outside_wage(
        d.outside[g as usize],
        ability,
        crate::model::population::best_of(expertise).1,
    )
}

/// Effective rent of a post in a sector of rent `sector_rent` with rent
/// factor `factor`, after e-governance removes the share `cut`.
#[inline]
pub fn rent_value(sector_rent: f32, factor: f32, cut: f32) -> f32 {
    (sector_rent * factor).min(1.0) * (1.0 - cut)
}

/// One replicate's whole state.
#[derive(Clone)]
pub struct World {
    pub scn: Scenario,
    pub derived: Derived,
    pub officers: Officers,
    pub posts: Posts,
    pub env: Env,
    pub flows: Flows,
    pub rng: Stream,
    /// The election outcomes' stream.
    pub election_rng: Stream,
    /// The board sittings' stream.
    pub board_rng: Stream,
    /// Draws of measures alone (`rng::MEASURE_STREAM`).
    pub measure_rng: Stream,
    pub seed: u64,
    pub replicate: u64,
    pub reforms: Vec<ReformState>,
    /// Posted and corrupt officers per unit, refreshed each step.
    pub units: Vec<UnitCount>,
    /// Per slice of a large service, its posted and corrupt officers per
    /// unit (see [`World::recount_units`]); empty for a small one.
    pub unit_scratch: Vec<UnitCount>,
    /// The cross-officer events the monthly pass found, applied after it.
    pub events: Vec<Event>,
    /// Under the staggered engine, per event (in the same order), what of
    /// the officer's span followed the event; empty under the monthly
    /// engine, where an event ends its step.
    pub events_after: Vec<SpanRest>,
    /// The promotion board's buffers, kept between boards.
    pub board_scratch: crate::model::promotion::BoardScratch,
    /// The annual recruitment's working space (see `recruitment::recruit`).
    pub recruit_scratch: crate::model::recruitment::RecruitScratch,
    /// The course allocation's candidates (see `training::allocate`), kept
    /// between years.
    pub training_scratch: Vec<(u16, u32)>,
}

/// A service with at least this many officer slots has its per-officer
/// sweeps outside the pass (the units' recount, the expertise decay) run on
/// every core; below it, threads cost more than they save (a cadre has a few
/// thousand officers a replicate, and its replicates already fill the cores).
pub const PARALLEL_SLOTS: usize = 1 << 16;

/// The slices a large service's units are recounted in.
const RECOUNT_SLICES: usize = 8;

/// Adds the posted and corrupt officers of `slots` to their units' counts.
fn count_units(o: &Officers, slots: std::ops::Range<usize>, units: &mut [UnitCount]) {
    for i in slots {
        if o.active[i] && o.post[i] != crate::model::population::NONE {
            let u = &mut units[o.post_unit[i] as usize];
            u.posted += 1;
            u.corrupt += o.corrupt[i] as u32;
        }
    }
}

impl World {
    /// Months of age and service per step (steps a year divide 12).
    pub fn months_per_step(&self) -> u16 {
        (12 / self.derived.steps_per_year) as u16
    }

    /// Recounts corrupt and posted officers per unit (the peer groups the
    /// monthly pass reads). A large service is counted in slices on every
    /// core and the slices' counts added: integer sums, so the same counts
    /// on any number of threads.
    pub fn recount_units(&mut self) {
        let slots = self.officers.slots();
        let n = self.units.len();
        self.units.fill(UnitCount::default());
        if slots < PARALLEL_SLOTS || n == 0 {
            count_units(&self.officers, 0..slots, &mut self.units);
            return;
        }
        let slice = slots.div_ceil(RECOUNT_SLICES);
        let o = &self.officers;
        self.unit_scratch
            .resize(n * RECOUNT_SLICES, UnitCount::default());
        self.unit_scratch
            .par_chunks_mut(n)
            .enumerate()
            .for_each(|(k, part)| {
                part.fill(UnitCount::default());
                let lo = (k * slice).min(slots);
                count_units(o, lo..(lo + slice).min(slots), part);
            });
        for part in self.unit_scratch.chunks(n) {
            for (a, b) in self.units.iter_mut().zip(part) {
                a.posted += b.posted;
                a.corrupt += b.corrupt;
            }
        }
    }

    /// Recomputes the derived values after parameters changed.
    pub fn refresh(&mut self) {
        self.derived = Derived::new(&self.scn);
        // Appraisal switched off (by a reform, mid-year) leaves no record to
        // pay on from that step, not only from the year's appraisal
        // (`appraisal::run`).
        if !self.scn.appraisal.enabled {
            self.env.record_centre = f32::NAN;
        }
    }

    /// Share of corrupt officers among the other posted officers of officer
    /// `i`'s unit.
    #[inline]
    pub fn peer_share(&self, i: usize, unit: usize) -> f32 {
        peer_share_in(self.units[unit], self.officers.corrupt[i])
    }

    /// Competence of officer `i` at grade `g` in sector `s` (0–10).
    #[inline]
    pub fn competence_at(&self, i: usize, g: usize, s: usize) -> f32 {
        if self.derived.scalar {
            return self.officers.scalar_comp[i];
        }
        crate::model::work::competence(
            self.scn.work.ability_weight as f32,
            self.officers.ability[i],
            self.officers.expertise[i * self.derived.sectors + s],
            self.officers.managerial[i],
            self.derived.mgmt[g],
        )
    }

    /// Competence of officer `i` at grade `g` in the sector of its post, or
    /// in its best sector when unposted.
    #[inline]
    pub fn competence_here(&self, i: usize, g: usize) -> f32 {
        let post = self.officers.post[i];
        let s = if post == crate::model::population::NONE {
            self.officers.best_sector(i).0
        } else {
            self.officers.post_sector[i] as usize
        };
        self.competence_at(i, g, s)
    }

    /// Annual pay of officer `i`.
    #[inline]
    pub fn pay_of(&self, i: usize) -> f64 {
        let o = &self.officers;
        pay_for(
            &self.scn.pay,
            &self.derived,
            o.grade[i],
            o.grade_m[i],
            &o.appraisal[i],
            self.env.record_centre,
        )
    }

    /// Outside wage of officer `i`.
    #[inline]
    pub fn outside_of(&self, i: usize) -> f64 {
        let o = &self.officers;
        outside_for(
            &self.scn.pay,
            &self.derived,
            o.grade[i],
            o.ability[i],
            o.expertise_of(i),
        )
    }

    /// Puts unposted officer `i` into vacant post `p`, copying the post's
    /// unit, sector and rent factor into the officer's columns.
    pub fn assign_post(&mut self, i: usize, post: u32) {
        self.posts.fill(post, i as u32);
        let pu = post as usize;
        self.officers.post[i] = post;
        self.officers.post_unit[i] = self.posts.unit[pu];
        self.officers.post_sector[i] = self.posts.sector[pu];
        self.officers.post_rent_factor[i] = self.posts.rent_factor[pu];
    }

    /// Effective rent of post `post` (after e-governance), 0–1, given its
    /// sector `s` (known to the caller, so the post's sector is not read).
    #[inline]
    pub fn rent_in(&self, s: usize, post: usize) -> f32 {
        self.rent_at(s, self.posts.rent_factor[post])
    }

    /// Effective rent of posted officer `i`'s post (from the officer's copy
    /// of the post's sector and rent factor).
    #[inline]
    pub fn officer_rent(&self, i: usize) -> f32 {
        self.rent_at(
            self.officers.post_sector[i] as usize,
            self.officers.post_rent_factor[i],
        )
    }

    /// Effective rent of a post in sector `s` with rent factor `factor`.
    #[inline]
    fn rent_at(&self, s: usize, factor: f32) -> f32 {
        rent_value(self.derived.sector_rent[s], factor, self.rent_cut())
    }

    /// Share of rents that e-governance removes, 0–1.
    #[inline]
    pub fn rent_cut(&self) -> f32 {
        if self.scn.transparency.enabled {
            (self.scn.transparency.egov_rent_cut * self.env.egov) as f32
        } else {
            0.0
        }
    }
}

impl World {
    /// Checks the invariants of docs/model.md: a post and its holder point
    /// at each other and no post holds two officers; the vacancy pools hold
    /// exactly the vacant posts, each in its grade's and sector's pool (so
    /// posted officers plus pooled posts are a grade's posts); grades, ages and bounded quantities stay in
    /// range; no NaN. Returns the first violation found.
    pub fn check_invariants(&self) -> Result<(), String> {
        let o = &self.officers;
        let grades = self.derived.grades;
        let mut posted = vec![0u64; grades];
        for i in 0..o.slots() {
            if !o.active[i] {
                continue;
            }
            let g = o.grade[i] as usize;
            if g >= grades {
                return Err(format!("officer {i} has grade {g} of {grades}"));
            }
            let post = o.post[i];
            if post != crate::model::population::NONE {
                posted[g] += 1;
                if self.posts.holder[post as usize] != i as u32 {
                    return Err(format!(
                        "officer {i} thinks it holds post {post}, held by {}",
                        self.posts.holder[post as usize]
                    ));
                }
                let pu = post as usize;
                if o.post_unit[i] != self.posts.unit[pu]
                    || o.post_sector[i] != self.posts.sector[pu]
                    || o.post_rent_factor[i] != self.posts.rent_factor[pu]
                {
                    return Err(format!(
                        "officer {i}'s copy of post {post}'s unit, sector or rent factor is stale"
                    ));
                }
                if self.posts.grade[post as usize] as usize != g {
                    return Err(format!(
                        "officer {i} of grade {g} holds a post of grade {}",
                        self.posts.grade[post as usize]
                    ));
                }
                if o.training_left[i] > 0 {
                    return Err(format!("officer {i} is posted while in training"));
                }
            }
            if o.age_m[i] >= self.derived.retirement_m + 12 {
                return Err(format!(
                    "officer {i} is {} months old, past retirement",
                    o.age_m[i]
                ));
            }
            let bounded = [
                ("ability", o.ability[i], 10.0),
                ("managerial", o.managerial[i], 10.0),
                ("integrity", o.integrity[i], 1.0),
                ("connections", o.connections[i], 1.0),
                ("morale", o.morale[i], 1.0),
                ("training_score", o.training_score[i], 10.0),
            ];
            for (name, v, hi) in bounded {
                if !(0.0..=hi).contains(&v) {
                    return Err(format!("officer {i}: {name} = {v} outside [0, {hi}]"));
                }
            }
            for &e in o.expertise_of(i) {
                if !(0.0..=10.0).contains(&e) {
                    return Err(format!("officer {i}: expertise {e} outside [0, 10]"));
                }
            }
            for &a in &o.appraisal[i] {
                if !a.is_nan() && !(0.0..=10.0).contains(&a) {
                    return Err(format!("officer {i}: appraisal {a} outside [0, 10]"));
                }
            }
            if !o.perf_sum[i].is_finite() {
                return Err(format!("officer {i}: performance sum is {}", o.perf_sum[i]));
            }
        }
        // The vacancy pools the postings draw from list exactly the posts
        // nobody holds, each in its grade's and sector's pool (a check from
        // another source than the officers' loop above, whose headcount
        // split held by construction: test-quality audit, 2026-12-05).
        let mut in_pools = vec![0usize; self.posts.len()];
        for (g, &held) in posted.iter().enumerate() {
            for s in 0..self.derived.sectors {
                for &p in self.posts.vacant(g, s) {
                    let pu = p as usize;
                    if pu >= self.posts.len() {
                        return Err(format!(
                            "grade {g} sector {s}'s pool lists post {p}, which does not exist"
                        ));
                    }
                    in_pools[pu] += 1;
                    if self.posts.grade[pu] as usize != g || self.posts.sector[pu] as usize != s {
                        return Err(format!(
                            "post {p} of grade {} sector {} is in grade {g} sector {s}'s pool",
                            self.posts.grade[pu], self.posts.sector[pu]
                        ));
                    }
                }
            }
            let total = self
                .posts
                .grade
                .iter()
                .filter(|&&x| x as usize == g)
                .count();
            if held as usize + self.posts.vacant_in_grade(g) != total {
                return Err(format!(
                    "grade {g}: {held} posted officers and {} vacant posts in the pools, of {total} posts",
                    self.posts.vacant_in_grade(g)
                ));
            }
        }
        for (post, &n) in in_pools.iter().enumerate() {
            let vacant = self.posts.holder[post] == crate::model::population::NONE;
            if n != usize::from(vacant) {
                return Err(format!(
                    "post {post} ({}) is in the vacancy pools {n} times",
                    if vacant { "vacant" } else { "held" }
                ));
            }
        }
        for (post, &h) in self.posts.holder.iter().enumerate() {
            if h != crate::model::population::NONE
                && (!o.active[h as usize] || o.post[h as usize] != post as u32)
            {
                return Err(format!(
                    "post {post} names holder {h}, who does not hold it"
                ));
            }
        }
        for (name, v) in [("egov", self.env.egov), ("trust", self.env.trust)] {
            if !(0.0..=1.0).contains(&v) {
                return Err(format!("{name} = {v} outside [0, 1]"));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ageing;
    use crate::model::population::NONE;

    /// A service past `PARALLEL_SLOTS`, with some officers corrupt and some
    /// unposted, so that every branch of the sweeps is taken.
    fn large_world() -> World {
        let mut scn = Scenario::default();
        for g in &mut scn.structure.grades {
            g.posts *= 8;
            g.initial_officers = g.initial_officers.map(|n| n * 8);
        }
        let mut w = crate::model::init::build(&scn, 3);
        assert!(
            w.officers.slots() >= PARALLEL_SLOTS,
            "{} slots",
            w.officers.slots()
        );
        for i in 0..w.officers.slots() {
            w.officers.corrupt[i] = i % 5 == 0;
            if i % 11 == 0 {
                w.officers.post[i] = NONE;
            }
            // A freed slot: the sweeps must skip it, whatever its columns hold.
            if i % 13 == 0 {
                w.officers.active[i] = false;
            }
        }
        w
    }

    /// The units' recount in slices on every core gives the one-pass counts.
    #[test]
    fn a_large_service_is_recounted_as_one_pass_counts_it() {
        let mut w = large_world();
        let mut counts = vec![UnitCount::default(); w.units.len()];
        count_units(&w.officers, 0..w.officers.slots(), &mut counts);
        assert!(
            counts.iter().map(|u| u.corrupt).sum::<u32>() > 0,
            "no corrupt officer to count"
        );
        let seven = UnitCount {
            posted: 7,
            corrupt: 7,
        };
        w.units.fill(seven);
        w.recount_units();
        assert_eq!(w.units, counts);
    }

    /// The expertise decay in slices gives, bit for bit, the decay of one
    /// officer after another: every sector but the officer's post's.
    #[test]
    fn a_large_service_decays_as_one_officer_after_another() {
        let mut w = large_world();
        let s = w.derived.sectors;
        let keep = 1.0 - w.scn.ageing.expertise_decay as f32;
        assert!(keep < 1.0 && s > 1);
        let mut want = w.officers.expertise.clone();
        for i in 0..w.officers.slots() {
            if !w.officers.active[i] {
                continue;
            }
            for k in 0..s {
                let here = w.officers.post[i] != NONE && w.officers.post_sector[i] as usize == k;
                if !here {
                    let e = want[i * s + k];
                    want[i * s + k] = (e * keep).max(1.0f32.min(e));
                }
            }
        }
        let before = w.officers.expertise.clone();
        ageing::decay_expertise(&mut w);
        assert_ne!(before, w.officers.expertise, "nothing decayed");
        let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&w.officers.expertise), bits(&want));
    }
}
