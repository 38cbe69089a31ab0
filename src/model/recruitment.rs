//! docs/model.md §7.11, recruitment in the annual exam cycle, and lateral entry.
//!
//! Each entry grade advertises `fill_share` of its vacancies (capped by
//! `intake_cap`), split over channels by their shares. The service's
//! attractiveness `A = prestige · pay / outside wage` at the entry grade sets
//! the applicant pool (`applicants_per_seat · A^pool_elasticity` per seat)
//! and its mean ability (`ability_mean + attract_ability·(A − 1)`).
//! Open merit ranks the national pool on `ability + N(0, exam_noise)`;
//! regional quotas rank smaller separate pools (`pool_factor` of a region);
//! patronage appointments bypass the exam (lower ability and integrity,
//! strong connections). An entry grade with ex-cadre posts recruits for
//! each ladder from its own vacancies (`ex_cadre_*`). Lateral entrants fill
//! a grade's `lateral_share` of vacancies at boards with specialists.

use serde::{Deserialize, Serialize};

use crate::model::check::{Checks, check_ranges};
use crate::model::population::{CADRE, Channel, EX_CADRE, NewOfficer};
use crate::model::world::World;
use crate::model::{postings, training};
use crate::rng::Stream;

/// A region with a quota of the quota channel's seats.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RegionSpec {
    pub name: String,
    /// Share of quota seats.
    pub share: f64,
    /// Applicants per seat relative to the national pool.
    pub pool_factor: f64,
}

impl Default for RegionSpec {
    fn default() -> Self {
        RegionSpec {
            name: String::new(),
            share: 0.0,
            pool_factor: 1.0,
        }
    }
}

/// Parameters of recruitment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RecruitmentParams {
    /// Switch: off means no recruitment and no lateral entry.
    pub enabled: bool,
    /// Share of entry-grade vacancies filled each cycle.
    pub fill_share: f64,
    /// Most recruits a year over all entry grades (0 = no cap).
    pub intake_cap: u32,
    pub merit_share: f64,
    pub quota_share: f64,
    pub patronage_share: f64,
    /// Exam sitters per seat at attractiveness 1.
    pub applicants_per_seat: f64,
    pub pool_elasticity: f64,
    /// Prestige of the service (multiplies attractiveness).
    pub prestige: f64,
    /// Ability of the applicant population (0–10 scale).
    pub ability_mean: f64,
    pub ability_sd: f64,
    /// Shift of applicants' mean ability per unit of attractiveness above 1.
    pub attract_ability: f64,
    /// Exam measurement noise (sd, ability points).
    pub exam_noise: f64,
    /// The exam's age limits (the cadre's ladder).
    pub age_min: f64,
    pub age_max: f64,
    /// Ages at the exam: "uniform" (whole years from `age_min` to
    /// `age_max`) or "normal" (N(`age_mean`, `age_sd`) rounded, clipped to
    /// the limits).
    pub age_distribution: String,
    pub age_mean: f64,
    pub age_sd: f64,
    /// Years from the exam to joining the service: a cadre entrant's age
    /// is its age at the exam plus this.
    pub entry_lag_years: f64,
    /// Mean integrity (0–1) of entrants by open merit; the other channels
    /// differ from it by their gaps.
    pub integrity_mean: f64,
    pub integrity_sd: f64,
    /// How much lower the mean integrity of open-merit entrants is than
    /// `integrity_mean` (negative: higher). 0: assumption (no source
    /// compares the integrity of entrants by channel).
    pub merit_integrity_gap: f64,
    /// The same for entrants on regional quota seats (selected by the same
    /// exam, ranked within their region). 0: assumption.
    pub quota_integrity_gap: f64,
    /// The same for lateral entrants. 0: assumption.
    pub lateral_integrity_gap: f64,
    pub merit_connections: f64,
    pub patronage_ability_gap: f64,
    pub patronage_integrity_gap: f64,
    pub patronage_connections: f64,
    pub lateral_ability_mean: f64,
    pub lateral_expertise: f64,
    /// Ex-cadre entry (departmental and specialist posts recruited through
    /// a public service commission, outside the CSS exam): applicants per
    /// seat relative to the CSS pool. 0.3: assumption.
    pub ex_cadre_pool_factor: f64,
    /// Entry ages of ex-cadre entrants, whole years drawn uniformly.
    /// 25–52: assumption (specialist posts take older entrants than the
    /// CSS's 21–30, and departmental BPS-17 posts are also filled by
    /// promotion of BPS-16 staff late in their careers), calibrated with
    /// the ladders' shares (docs/model.md §7.8).
    pub ex_cadre_age_min: f64,
    pub ex_cadre_age_max: f64,
    pub regions: Vec<RegionSpec>,
}

impl Default for RecruitmentParams {
    fn default() -> Self {
        let r = |name: &str, share: f64, pool: f64| RegionSpec {
            name: name.into(),
            share,
            pool_factor: pool,
        };
        RecruitmentParams {
            enabled: true,
            // Posterior median of the first fit (commit f906508), kept by the refits
            // (docs/calibration.md); 0.22 before the fit.
            fill_share: 0.225,
            intake_cap: 0,
            merit_share: 0.075,
            quota_share: 0.825,
            patronage_share: 0.10,
            applicants_per_seat: 49.6,
            pool_elasticity: 1.0,
            prestige: 1.0,
            ability_mean: 5.0,
            ability_sd: 1.5,
            attract_ability: 1.0,
            exam_noise: 1.5,
            age_min: 21.0,
            age_max: 30.0,
            age_distribution: "normal".into(),
            age_mean: 26.0,
            age_sd: 2.0,
            entry_lag_years: 1.5,
            integrity_mean: 0.6,
            integrity_sd: 0.15,
            merit_integrity_gap: 0.0,
            quota_integrity_gap: 0.0,
            lateral_integrity_gap: 0.0,
            merit_connections: 0.15,
            patronage_ability_gap: 0.8,
            patronage_integrity_gap: 0.2,
            patronage_connections: 0.7,
            lateral_ability_mean: 6.5,
            lateral_expertise: 7.0,
            ex_cadre_pool_factor: 0.3,
            ex_cadre_age_min: 25.0,
            ex_cadre_age_max: 52.0,
            // Quota seats net of the 7.5% merit share, rescaled to sum to 1
            // (Establishment Division 2020); pool factors are assumptions.
            regions: vec![
                r("punjab", 0.5405, 1.0),
                r("sindh_urban", 0.0822, 0.9),
                r("sindh_rural", 0.1233, 0.6),
                r("khyber_pakhtunkhwa", 0.1243, 0.8),
                r("balochistan", 0.0649, 0.4),
                r("ex_fata", 0.0324, 0.3),
                r("gilgit_baltistan", 0.0108, 0.4),
                r("ajk", 0.0216, 0.6),
            ],
        }
    }
}

impl RecruitmentParams {
    pub fn check(&self, c: &mut Checks) {
        check_ranges!(c, self, "recruitment", {
            fill_share: 0.0, 1.0;
            merit_share: 0.0, 1.0;
            quota_share: 0.0, 1.0;
            patronage_share: 0.0, 1.0;
        });
        let s = self.merit_share + self.quota_share + self.patronage_share;
        if (s - 1.0).abs() > 1e-6 {
            c.conflict(format!(
                "`recruitment.merit_share` ({}) + `recruitment.quota_share` ({}) + `recruitment.patronage_share` ({}) must sum to 1, got {}",
                self.merit_share,
                self.quota_share,
                self.patronage_share,
                (s * 1e9).round() / 1e9
            ));
        }
        check_ranges!(c, self, "recruitment", {
            applicants_per_seat: 1.0, 10_000.0;
            pool_elasticity: 0.0, 10.0;
            prestige: 0.01, 100.0;
            ability_mean: 0.0, 10.0;
            ability_sd: 0.0, 10.0;
            attract_ability: 0.0, 10.0;
            exam_noise: 0.0, 10.0;
            age_min: 15.0, 70.0;
            age_max: 15.0, 70.0;
        });
        if self.age_min > self.age_max {
            c.conflict(format!(
                "`recruitment.age_min` ({}) exceeds `recruitment.age_max` ({})",
                self.age_min, self.age_max
            ));
        }
        c.one_of(
            "recruitment.age_distribution",
            &self.age_distribution,
            &["uniform", "normal"],
        );
        check_ranges!(c, self, "recruitment", {
            age_mean: 15.0, 70.0;
            age_sd: 0.0, 30.0;
            entry_lag_years: 0.0, 10.0;
            integrity_mean: 0.0, 1.0;
            integrity_sd: 0.0, 1.0;
            merit_integrity_gap: -1.0, 1.0;
            quota_integrity_gap: -1.0, 1.0;
            lateral_integrity_gap: -1.0, 1.0;
            merit_connections: 0.0, 1.0;
            patronage_ability_gap: 0.0, 10.0;
            patronage_integrity_gap: 0.0, 1.0;
            patronage_connections: 0.0, 1.0;
            lateral_ability_mean: 0.0, 10.0;
            lateral_expertise: 0.0, 10.0;
            ex_cadre_pool_factor: 0.0, 100.0;
            ex_cadre_age_min: 15.0, 70.0;
            ex_cadre_age_max: 15.0, 70.0;
        });
        if self.ex_cadre_age_min > self.ex_cadre_age_max {
            c.conflict(format!(
                "`recruitment.ex_cadre_age_min` ({}) exceeds `recruitment.ex_cadre_age_max` ({})",
                self.ex_cadre_age_min, self.ex_cadre_age_max
            ));
        }
        if self.regions.is_empty() && self.quota_share > 0.0 {
            c.conflict("`recruitment.quota_share` is above 0 but `recruitment.regions` is empty: quota seats need regions");
        }
        let mut total = 0.0;
        for (k, r) in self.regions.iter().enumerate() {
            c.range(
                &format!("recruitment.regions[{k}].share"),
                r.share,
                0.0,
                1.0,
            );
            c.range(
                &format!("recruitment.regions[{k}].pool_factor"),
                r.pool_factor,
                0.01,
                100.0,
            );
            total += r.share;
        }
        if !self.regions.is_empty() && (total - 1.0).abs() > 1e-3 {
            c.conflict(format!(
                "the `recruitment.regions[*].share` values must sum to 1, got {total}"
            ));
        }
    }

    /// An age at the exam in whole years.
    pub fn draw_age(&self, rng: &mut Stream) -> f64 {
        if self.age_distribution == "normal" {
            (self.age_mean + self.age_sd * rng.normal())
                .round()
                .clamp(self.age_min, self.age_max)
        } else {
            rng.range(self.age_min, self.age_max + 1.0).floor()
        }
    }

    /// The oldest age at the exam [`Self::draw_age`] can give: `age_max`
    /// under "normal" (draws are clipped to it); under "uniform", whole
    /// years up to the one that holds `age_max` (58.4 can give 59).
    pub fn oldest_age_at_exam(&self) -> f64 {
        if self.age_distribution == "normal" {
            self.age_max
        } else {
            (self.age_max + 1.0).ceil() - 1.0
        }
    }

    /// The age at which an entrant to `ladder` joins the service: on the
    /// cadre's ladder its age at the exam (whole years) plus
    /// `entry_lag_years`, on the ex-cadre ladder whole years from its
    /// limits.
    pub fn draw_age_of(&self, ladder: u8, rng: &mut Stream) -> f64 {
        if ladder == EX_CADRE {
            rng.range(self.ex_cadre_age_min, self.ex_cadre_age_max + 1.0)
                .floor()
        } else {
            self.draw_age(rng) + self.entry_lag_years
        }
    }

    /// The youngest age [`Self::draw_age_of`] can give on `ladder`.
    pub fn youngest_age_of(&self, ladder: u8) -> f64 {
        if ladder == EX_CADRE {
            self.ex_cadre_age_min.floor()
        } else if self.age_distribution == "normal" {
            self.age_min + self.entry_lag_years
        } else {
            self.age_min.floor() + self.entry_lag_years
        }
    }

    /// Attractiveness of the service at a grade with this pay and outside wage.
    pub fn attractiveness(&self, pay: f64, outside: f64) -> f64 {
        self.prestige * pay / outside.max(1e-9)
    }

    /// What the exam cycle clips at attractiveness `attract`, if anything:
    /// abilities are on a 0–10 scale, so when the applicants' mean ability
    /// (`ability_mean + attract_ability·(A − 1)`) or the weakest merit
    /// entrant's expected ability leaves it, entrants' abilities are
    /// clipped. The message gives the numbers, for a warning before a run.
    pub fn clipping(&self, attract: f64) -> Option<String> {
        use crate::error::rounded;
        let mu = self.ability_mean + self.attract_ability * (attract - 1.0);
        let per_seat = self.applicants_per_seat * attract.max(0.0).powf(self.pool_elasticity);
        let total = (self.ability_sd.powi(2) + self.exam_noise.powi(2)).sqrt();
        // The weakest of the best 1 in `per_seat`: its score's quantile,
        // shrunk to ability by the exam's reliability.
        let z = if per_seat > 1.0 && total > 0.0 {
            let normal = statrs::distribution::Normal::standard();
            -statrs::distribution::ContinuousCDF::inverse_cdf(&normal, 1.0 / per_seat)
        } else {
            0.0
        };
        let weakest = mu + z * self.ability_sd.powi(2) / total.max(f64::MIN_POSITIVE);
        let why = format!(
            "attractiveness {} gives applicants a mean ability of {} and {} applicants a seat",
            rounded(attract),
            rounded(mu),
            rounded(per_seat)
        );
        if weakest >= 10.0 || weakest.is_nan() {
            Some(format!(
                "{why}: even the weakest exam entrant's ability would lie above the 0–10 scale, so entrants' abilities are clipped to 10"
            ))
        } else if mu <= 0.0 || mu.is_nan() {
            Some(format!(
                "{why}: most applicants' abilities would lie below the 0–10 scale, so they are clipped to 0"
            ))
        } else {
            None
        }
    }
}

/// Working space of [`draw_entrants`], kept between calls.
#[derive(Clone, Debug, Default)]
pub struct DrawBuffers {
    /// An exam's candidates: (score, ability).
    pool: Vec<(f64, f64)>,
    /// The quota's seats by region, and the split's working space.
    seats: Vec<u32>,
    exact: Vec<f64>,
    order: Vec<usize>,
}

/// The annual recruitment's working space, kept in the world between
/// years so that a year's intake allocates nothing once it has grown.
#[derive(Clone, Debug, Default)]
pub struct RecruitScratch {
    headcount: Vec<[u32; 2]>,
    entrants: Vec<Entrant>,
    draws: DrawBuffers,
}

/// Traits of one entrant.
#[derive(Clone, Copy, Debug)]
pub struct Entrant {
    pub ability: f32,
    pub integrity: f32,
    pub connections: f32,
    pub region: u8,
    pub channel: Channel,
    pub ladder: u8,
}

/// Draws `n` entrants of a channel to a ladder: exam-ranked pools for merit
/// and quota (on the ex-cadre ladder, a public service commission's pools
/// with `ex_cadre_pool_factor` times the sitters per seat),
/// unscreened appointees for patronage.
/// `buf` holds an exam's candidates and the regions' seats between calls,
/// so that a year's recruitment does not allocate them afresh.
#[allow(clippy::too_many_arguments)]
pub fn draw_entrants(
    p: &RecruitmentParams,
    attract: f64,
    channel: Channel,
    ladder: u8,
    n: usize,
    rng: &mut Stream,
    out: &mut Vec<Entrant>,
    buf: &mut DrawBuffers,
) {
    if n == 0 {
        return;
    }
    let mu = p.ability_mean + p.attract_ability * (attract - 1.0);
    let per_seat = p.applicants_per_seat
        * attract.max(0.0).powf(p.pool_elasticity)
        * if ladder == EX_CADRE {
            p.ex_cadre_pool_factor
        } else {
            1.0
        };
    let integrity_gap = match channel {
        Channel::Quota => p.quota_integrity_gap,
        _ => p.merit_integrity_gap,
    };
    let mut select =
        |rng: &mut Stream, seats: usize, pool_per_seat: f64, region: u8, out: &mut Vec<Entrant>| {
            if seats == 0 {
                return;
            }
            let pool = (seats as f64 * pool_per_seat).round().max(seats as f64);
            let mut push = |rng: &mut Stream, a: f64| {
                out.push(Entrant {
                    ability: a.clamp(0.0, 10.0) as f32,
                    integrity: (p.integrity_mean - integrity_gap + p.integrity_sd * rng.normal())
                        .clamp(0.0, 1.0) as f32,
                    connections: rng.range(0.0, p.merit_connections) as f32,
                    region,
                    channel,
                    ladder,
                });
            };
            if pool <= EXPLICIT_POOL_MAX as f64 {
                let pool = pool as usize;
                let cands = &mut buf.pool;
                cands.clear();
                cands.extend((0..pool).map(|_| {
                    let a = mu + p.ability_sd * rng.normal();
                    (a + p.exam_noise * rng.normal(), a)
                }));
                if seats < pool {
                    cands.select_nth_unstable_by(seats, |a, b| b.0.total_cmp(&a.0));
                }
                for &(_, a) in &cands[..seats] {
                    push(rng, a);
                }
            } else {
                // Drawn best first: shuffled, so that no order by ability
                // reaches the officers' slots.
                let mut top = top_of_pool(rng, seats, pool, mu, p.ability_sd, p.exam_noise);
                rng.shuffle(&mut top);
                for a in top {
                    push(rng, a);
                }
            }
        };
    match channel {
        Channel::Quota if !p.regions.is_empty() => {
            let mut seats = std::mem::take(&mut buf.seats);
            crate::model::structure::largest_remainder_into(
                n as u32,
                p.regions.iter().map(|r| r.share),
                &mut seats,
                &mut buf.exact,
                &mut buf.order,
            );
            for (k, (r, &s)) in p.regions.iter().zip(&seats).enumerate() {
                select(rng, s as usize, per_seat * r.pool_factor, k as u8, out);
            }
            buf.seats = seats;
        }
        Channel::Patronage => {
            for _ in 0..n {
                out.push(Entrant {
                    ability: (mu - p.patronage_ability_gap + p.ability_sd * rng.normal())
                        .clamp(0.0, 10.0) as f32,
                    integrity: (p.integrity_mean - p.patronage_integrity_gap
                        + p.integrity_sd * rng.normal())
                    .clamp(0.0, 1.0) as f32,
                    connections: (p.patronage_connections + rng.range(0.0, 0.3)).min(1.0) as f32,
                    region: 0,
                    channel,
                    ladder,
                });
            }
        }
        _ => select(rng, n, per_seat, 0, out),
    }
}

/// Pools up to this size are drawn applicant by applicant; larger ones by
/// [`top_of_pool`], whose cost does not grow with the pool, so that no
/// scenario can make a recruitment cycle draw millions of applicants (or
/// clip the pool, as a fixed cap did). No scenario of the library comes
/// near it except the national workforce.
pub const EXPLICIT_POOL_MAX: usize = 1_000_000;

/// The abilities of the `seats` best-scoring applicants of a pool of `pool`
/// (ability `N(mu, sd²)`, exam score = ability + `N(0, noise²)`), drawn
/// without drawing the pool: the top `seats` order statistics of `pool`
/// uniforms by the Rényi representation (each the last times `V^(1/m)`, in
/// logs), mapped to scores through the normal quantile, then each ability
/// from its conditional law given the score. Exact for this model; costs
/// O(seats) whatever the pool.
pub fn top_of_pool(
    rng: &mut Stream,
    seats: usize,
    pool: f64,
    mu: f64,
    sd: f64,
    noise: f64,
) -> Vec<f64> {
    let total = (sd * sd + noise * noise).sqrt();
    let std_normal = statrs::distribution::Normal::standard();
    let pool = if pool.is_finite() { pool } else { f64::MAX };
    let mut log_u = 0.0_f64;
    (0..seats)
        .map(|i| {
            // -ln(1 - U) with U in [0, 1) is an exponential draw.
            let e = -(1.0 - rng.uniform()).ln();
            log_u -= e / (pool - i as f64);
            // Upper tail probability of this score, kept accurate when tiny.
            let q = (-log_u.exp_m1()).max(f64::MIN_POSITIVE);
            let z = -statrs::distribution::ContinuousCDF::inverse_cdf(&std_normal, q);
            if total == 0.0 {
                return mu;
            }
            let score = mu + total * z;
            let reliability = sd * sd / (total * total);
            mu + reliability * (score - mu) + (sd * noise / total) * rng.normal()
        })
        .collect()
}

/// Splits `n` seats over the channels by their shares.
pub fn channel_seats(p: &RecruitmentParams, n: u32) -> [(Channel, usize); 3] {
    let s = crate::model::structure::largest_remainder_of(
        n,
        [p.merit_share, p.quota_share, p.patronage_share],
    );
    [
        (Channel::Merit, s[0] as usize),
        (Channel::Quota, s[1] as usize),
        (Channel::Patronage, s[2] as usize),
    ]
}

/// Draws a cadre (sector) in proportion to the sectors' shares of posts.
pub fn draw_cadre(w: &mut World) -> u8 {
    let u = w.rng.uniform();
    cadre_at(&w.scn.structure.sectors, u)
}

/// The sector whose cumulative share interval holds `u` (uniform in [0, 1)).
pub fn cadre_at(sectors: &[crate::model::structure::SectorSpec], u: f64) -> u8 {
    let mut acc = 0.0;
    for (k, s) in sectors.iter().enumerate() {
        acc += s.share;
        if u < acc {
            return k as u8;
        }
    }
    (sectors.len() - 1) as u8
}

/// The annual recruitment cycle: at each entry grade, `fill_share` of
/// each ladder's vacancies, split over merit, quota and patronage — on the
/// cadre ladder the CSS exam, on the ex-cadre ladder a public service
/// commission's recruitment to departmental posts (smaller pools, older
/// entrants).
pub fn recruit(w: &mut World) {
    if !w.scn.recruitment.enabled {
        return;
    }
    let morale_at_entry = crate::model::morale::at_entry(&w.scn.pay);
    // The working space is taken out of the world for the intake; the
    // parameters are read in place (beside the stream, other fields of the
    // world) wherever no call needs the whole world, not cloned.
    let mut scratch = std::mem::take(&mut w.recruit_scratch);
    let RecruitScratch {
        headcount,
        entrants,
        draws: pool,
    } = &mut scratch;
    headcount.clear();
    headcount.resize(w.derived.grades, [0u32; 2]);
    for i in 0..w.officers.slots() {
        if w.officers.active[i] {
            headcount[w.officers.grade[i] as usize][w.officers.ladder[i] as usize] += 1;
        }
    }
    let intake_cap = w.scn.recruitment.intake_cap;
    let mut cap_left = if intake_cap == 0 {
        u32::MAX
    } else {
        intake_cap
    };
    let induction = if w.scn.training.enabled {
        w.scn.training.induction_months.min(255) as u8
    } else {
        0
    };
    for k in 0..w.derived.entry_grades.len() {
        let g = w.derived.entry_grades[k];
        let posts = w.scn.structure.ladder_posts(g);
        let attract = w
            .scn
            .recruitment
            .attractiveness(w.derived.basic_pay[g], w.derived.outside[g]);
        for ladder in 0..2 {
            // A grade without ex-cadre posts draws nothing for them, so a
            // structure of one ladder draws exactly as it always did.
            if ladder == 1 && posts[1] == 0 {
                continue;
            }
            let vac = posts[ladder].saturating_sub(headcount[g][ladder]);
            let exact = vac as f64 * w.scn.recruitment.fill_share;
            let mut n = exact.floor() as u32;
            if w.rng.chance(exact - exact.floor()) {
                n += 1;
            }
            let n = n.min(cap_left);
            cap_left -= n;
            entrants.clear();
            let p = &w.scn.recruitment;
            for (ch, seats) in channel_seats(p, n) {
                draw_entrants(
                    p,
                    attract,
                    ch,
                    ladder as u8,
                    seats,
                    &mut w.rng,
                    entrants,
                    pool,
                );
            }
            for &e in entrants.iter() {
                let age = w.scn.recruitment.draw_age_of(e.ladder, &mut w.rng);
                let cadre = draw_cadre(w);
                let scalar = w.scn.work.draw_scalar(&mut w.rng);
                let slot = w.officers.add(&NewOfficer {
                    grade: g as u8,
                    cadre,
                    channel: e.channel,
                    ladder: e.ladder,
                    region: e.region,
                    age_m: (age * 12.0) as u16,
                    service_m: 0,
                    ability: e.ability,
                    expertise_cadre: 2.0,
                    expertise_other: 1.0,
                    managerial: 1.5,
                    integrity: e.integrity,
                    connections: e.connections,
                    morale: morale_at_entry,
                    training_left: induction,
                    scalar_comp: scalar,
                }) as usize;
                w.officers.course_pending[slot] = training::induction_marker();
                if induction == 0 {
                    postings::post(w, slot);
                }
                w.flows.recruits += 1;
                w.flows.recruits_by_channel[e.channel as usize] += 1;
                w.flows.recruits_by_ladder[e.ladder as usize] += 1;
                if e.ladder == CADRE && e.channel != Channel::Patronage {
                    w.flows.recruits_exam += 1;
                }
                w.flows.recruits_ability_sum += e.ability as f64;
            }
        }
    }
    w.recruit_scratch = scratch;
}

/// Lateral entry of `n` specialists at grade `t`, posted at once.
pub fn lateral(w: &mut World, t: usize, n: usize) {
    let min_years = w.scn.structure.grades[t].min_service_years;
    let morale_at_entry = crate::model::morale::at_entry(&w.scn.pay);
    for _ in 0..n {
        let cadre = draw_cadre(w);
        // Read in place (beside the stream and the officers, other fields
        // of the world), not cloned: a clone would allocate at every board
        // with lateral seats.
        let p = &w.scn.recruitment;
        let ability =
            (p.lateral_ability_mean + p.ability_sd * w.rng.normal()).clamp(0.0, 10.0) as f32;
        let age_years = (p.age_min + 4.0 + min_years).min(w.scn.exits.retirement_age - 3.0);
        let slot = w.officers.add(&NewOfficer {
            grade: t as u8,
            cadre,
            channel: Channel::Lateral,
            ladder: CADRE,
            region: 0,
            age_m: (age_years * 12.0) as u16,
            service_m: (min_years * 12.0) as u16,
            ability,
            expertise_cadre: p.lateral_expertise as f32,
            expertise_other: 1.0,
            managerial: (3.0 + 4.0 * w.derived.mgmt[t]).min(10.0),
            integrity: (p.integrity_mean - p.lateral_integrity_gap
                + p.integrity_sd * w.rng.normal())
            .clamp(0.0, 1.0) as f32,
            connections: 0.1,
            morale: morale_at_entry,
            training_left: 0,
            // In scalar mode drawn as every entrant's is (it was set to
            // `scalar_mean`, so `scalar_sd` and the clip did not reach
            // laterals: a key audit, 2026-12-06).
            scalar_comp: w.scn.work.draw_scalar(&mut w.rng),
        }) as usize;
        // A lateral entrant is credited with the courses of the grades below.
        w.officers.courses[slot] = 0xFF;
        postings::post(w, slot);
        w.flows.laterals += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Recruits enter within `age_min`..=`age_max` at the exam and join
    /// `entry_lag_years` later (the cadre's ladder; the ex-cadre ladder has
    /// its own limits), whatever the starting officers' ages: the limit is
    /// changed after the world is built, so only the recruits can show it
    /// (test-quality audit, 2026-12-05: the lever test of the age limit
    /// passed through the starting population alone).
    #[test]
    fn recruits_enter_within_the_age_limits() {
        let w0 = crate::model::init::build(&crate::model::params::Scenario::default(), 0);
        let lag = w0.scn.recruitment.entry_lag_years;
        assert!(lag > 0.0);
        let mut ages = Vec::new();
        for age_max in [24.0, 30.0] {
            let mut w = w0.clone();
            w.scn.recruitment.age_max = age_max;
            let before = w.officers.slots();
            let was: Vec<bool> = w.officers.active.clone();
            recruit(&mut w);
            let new: Vec<f64> = (0..w.officers.slots())
                .filter(|&i| w.officers.active[i] && (i >= before || !was[i]))
                .filter(|&i| w.officers.ladder[i] == 0)
                .map(|i| w.officers.age_m[i] as f64 / 12.0)
                .collect();
            assert!(new.len() > 50, "{} cadre recruits", new.len());
            let joined = 21.0 + lag..age_max + lag + 1.0;
            assert!(
                new.iter().all(|&a| joined.contains(&a)),
                "an age outside {joined:?}: {:?}",
                new.iter().find(|&&a| !joined.contains(&a))
            );
            ages.push(new.iter().sum::<f64>() / new.len() as f64);
        }
        assert!(ages[0] + 1.0 < ages[1], "mean entry ages {ages:?}");
    }

    /// In scalar mode a lateral entrant's competence is drawn from
    /// N(`scalar_mean`, `scalar_sd`) clipped to [`scalar_min`,
    /// `scalar_max`], as every entrant's is (it was `scalar_mean` exactly).
    #[test]
    fn laterals_draw_their_scalar_competence() {
        let mut s = crate::model::params::Scenario::default();
        s.work.competence = "scalar".into();
        s.work.scalar_mean = 7.0;
        s.work.scalar_sd = 2.0;
        s.work.scalar_min = 1.0;
        s.work.scalar_max = 8.0;
        let mut w = crate::model::init::build(&s, 0);
        let before = w.officers.slots();
        let was: Vec<bool> = w.officers.active.clone();
        lateral(&mut w, 3, 400);
        let c: Vec<f64> = (0..w.officers.slots())
            .filter(|&i| w.officers.active[i] && (i >= before || !was[i]))
            .map(|i| w.officers.scalar_comp[i] as f64)
            .collect();
        assert_eq!(c.len(), 400);
        assert!(c.iter().all(|&x| (1.0..=8.0).contains(&x)), "{c:?}");
        // Clipped at 8 from above: about 31% sit on the clip, and the
        // spread is near the clipped normal's (about 1.5), not 0.
        let top = c.iter().filter(|&&x| x == 8.0).count();
        assert!((80..170).contains(&top), "{top} at the clip");
        let mean = c.iter().sum::<f64>() / c.len() as f64;
        let sd = (c.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / c.len() as f64).sqrt();
        assert!(
            sd > 1.0 && (5.8..6.8).contains(&mean),
            "mean {mean}, sd {sd}"
        );
    }

    /// No draw is older than [`RecruitmentParams::oldest_age_at_exam`],
    /// and the bound is reached.
    #[test]
    fn the_oldest_age_at_the_exam_bounds_the_draws() {
        let mut rng = Stream::new(5, 0, 0);
        for (dist, max) in [("uniform", 58.4), ("uniform", 30.0), ("normal", 30.0)] {
            let p = RecruitmentParams {
                age_distribution: dist.into(),
                age_max: max,
                age_mean: max,
                ..RecruitmentParams::default()
            };
            let top = (0..5_000)
                .map(|_| p.draw_age(&mut rng))
                .fold(f64::MIN, f64::max);
            assert_eq!(top, p.oldest_age_at_exam(), "{dist} {max}");
        }
    }

    /// The default ages of CSS entrants follow their sources: "most" of
    /// those who qualified in 2021 were aged 25 to 27 (FPSC annual report
    /// 2021), and they join about a year and a half after the exam
    /// (docs/model.md §11).
    #[test]
    fn css_entrants_are_mostly_25_to_27_at_the_exam() {
        let p = RecruitmentParams::default();
        let mut rng = Stream::new(3, 0, 0);
        let n = 20_000;
        let ages: Vec<f64> = (0..n).map(|_| p.draw_age_of(CADRE, &mut rng)).collect();
        let at_exam = |a: f64| a - p.entry_lag_years;
        let most = ages
            .iter()
            .filter(|&&a| (25.0..=27.0).contains(&at_exam(a)))
            .count() as f64
            / n as f64;
        // N(26, 2) rounded puts 55% on 25-27; a wider spread would not
        // leave "most" there.
        assert!((0.5..0.6).contains(&most), "share aged 25-27: {most}");
        assert!(ages.iter().all(|&a| (21.0..=30.0).contains(&at_exam(a))));
        let mean = ages.iter().sum::<f64>() / n as f64;
        assert!((mean - 27.5).abs() < 0.1, "mean age on joining: {mean}");
        assert_eq!(p.youngest_age_of(CADRE), 21.0 + p.entry_lag_years);
    }

    #[test]
    fn merit_selects_abler_than_quota_and_patronage() {
        let p = RecruitmentParams::default();
        let mut rng = Stream::new(1, 0, 0);
        let mean = |ch: Channel, rng: &mut Stream| {
            let mut out = Vec::new();
            draw_entrants(
                &p,
                1.25,
                ch,
                CADRE,
                400,
                rng,
                &mut out,
                &mut DrawBuffers::default(),
            );
            assert_eq!(out.len(), 400);
            out.iter().map(|e| e.ability as f64).sum::<f64>() / 400.0
        };
        let merit = mean(Channel::Merit, &mut rng);
        let quota = mean(Channel::Quota, &mut rng);
        let patronage = mean(Channel::Patronage, &mut rng);
        assert!(
            merit > quota && quota > patronage,
            "{merit} {quota} {patronage}"
        );
        assert!(merit > 7.0 && patronage < 5.0, "{merit} {patronage}");
    }

    #[test]
    fn seats_split_exactly() {
        let p = RecruitmentParams::default();
        let s = channel_seats(&p, 200);
        assert_eq!(s.iter().map(|x| x.1).sum::<usize>(), 200);
        // 7.5% merit, 82.5% quota, 10% patronage of 200 seats.
        assert_eq!([s[0].1, s[1].1, s[2].1], [15, 165, 20]);
    }

    #[test]
    fn the_top_of_a_pool_drawn_directly_matches_the_explicit_draw() {
        // The best 40 of 20,000 applicants, 400 times each way: the mean
        // and spread of the entrants' abilities and the best score agree.
        let (seats, pool, mu, sd, noise) = (40usize, 20_000usize, 5.0, 1.5, 1.5);
        let mut rng = Stream::new(7, 0, 0);
        let (mut direct, mut explicit) = (Vec::new(), Vec::new());
        for _ in 0..400 {
            direct.extend(top_of_pool(&mut rng, seats, pool as f64, mu, sd, noise));
            let mut c: Vec<(f64, f64)> = (0..pool)
                .map(|_| {
                    let a = mu + sd * rng.normal();
                    (a + noise * rng.normal(), a)
                })
                .collect();
            c.select_nth_unstable_by(seats, |a, b| b.0.total_cmp(&a.0));
            explicit.extend(c[..seats].iter().map(|x| x.1));
        }
        let moments = |v: &[f64]| {
            let m = v.iter().sum::<f64>() / v.len() as f64;
            let var = v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / v.len() as f64;
            (m, var.sqrt())
        };
        let (md, sdd) = moments(&direct);
        let (me, sde) = moments(&explicit);
        // 16,000 entrants each way: the standard error of a mean is ~0.01.
        assert!((md - me).abs() < 0.05, "mean {md} against {me}");
        assert!((sdd - sde).abs() < 0.05, "sd {sdd} against {sde}");
        assert!(md > mu + 2.0, "selection raises ability: {md}");
    }

    #[test]
    fn any_pool_costs_only_its_seats() {
        // A pool of 10^30 per seat (prestige 100, elasticity 10) is drawn
        // at once, and the best are far above the mean, not clipped.
        let mut rng = Stream::new(1, 0, 0);
        let top = top_of_pool(&mut rng, 1_000, 1e33, 5.0, 1.5, 1.5);
        // Work in proportion to the seats, counted in random words: a few
        // normal draws a seat, not one an applicant.
        let words = rng.words_drawn();
        assert!(words < 100 * 1_000, "{words} words for 1,000 seats");
        assert!(
            top.iter().all(|a| a.is_finite() && *a > 10.0),
            "{:?}",
            &top[..3]
        );
        let top = top_of_pool(&mut rng, 3, f64::INFINITY, 5.0, 0.0, 0.0);
        assert_eq!(top, vec![5.0; 3]);
    }
}
