//! The yearly observation of a world ([`super::observe`]) with reusable
//! scratch space: one pass over officers into per-grade and per-sector
//! accumulators kept between calls, metric columns at fixed positions
//! resolved when compiling, and what depends only on the posts and the
//! parameters (the efficiency index's denominator, posts per sector) kept
//! until those change.
//!
//! Every value is computed by the same formula, with its sums in the same
//! order (officer slots, then posts, ascending), as a plain pass would:
//! counts are kept as integers, which is exact, and each floating-point sum
//! still adds its terms one by one in slot order.

use super::{GRADE_METRICS, METRICS, Observation, SECTOR_METRICS, column};
use crate::model::population::{Channel, NONE, appraisal_mean_of};
use crate::model::world::{World, rent_value};
use crate::model::{accountability, reforms, work};

/// Months below this have their value in years in [`TWELFTHS`].
const TWELFTHS_KEPT: usize = 1024;

/// `m as f64 / 12.0` for `m` below [`TWELFTHS_KEPT`]: the same division,
/// done when compiling (IEEE, as at run time).
static TWELFTHS: [f64; TWELFTHS_KEPT] = {
    let mut t = [0.0; TWELFTHS_KEPT];
    let mut m = 0;
    while m < TWELFTHS_KEPT {
        t[m] = m as f64 / 12.0;
        m += 1;
    }
    t
};

/// Months `m` in years, `m as f64 / 12.0`, by table when it holds `m`.
#[inline]
fn twelfths(m: u16) -> f64 {
    match TWELFTHS.get(m as usize) {
        Some(y) => *y,
        None => m as f64 / 12.0,
    }
}

/// A running mean: a count and a sum added in order.
#[derive(Default, Clone, Copy)]
struct Acc {
    n: u32,
    sum: f64,
}

impl Acc {
    #[inline]
    fn add(&mut self, x: f64) {
        self.n += 1;
        self.sum += x;
    }
}

/// `sum / n`, NaN when `n` is 0 (an empty mean).
#[inline]
fn mean(sum: f64, n: u32) -> f64 {
    if n > 0 { sum / n as f64 } else { f64::NAN }
}

/// `a / b`, NaN when `b` is not positive.
#[inline]
fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { f64::NAN }
}

/// Per grade: active officers (`head`, the count of every mean but months
/// in post), the sums of their competence, ability, age and service, the
/// corrupt, months in post of the posted, and headcount per ladder.
#[derive(Default, Clone, Copy)]
struct GradeAcc {
    head: u32,
    comp: f64,
    ability: f64,
    age: f64,
    service: f64,
    corrupt: u32,
    mip: Acc,
    ladder: [u32; 2],
}

/// Per sector: posted officers (the count of both means), the corrupt
/// among them and the sums of their posts' rents and months in post.
#[derive(Default, Clone, Copy)]
struct SectorAcc {
    posted: u32,
    corrupt: u32,
    rent: f64,
    mip: f64,
}

/// What depends only on the posts' grades and sectors and the grades'
/// delivery weights, with the inputs it was computed from.
#[derive(Default)]
struct PostsCache {
    valid: bool,
    grade: Vec<u8>,
    sector: Vec<u8>,
    weight_bits: Vec<u32>,
    /// Sum over posts of delivery weight × 10, in post order.
    max_delivery: f64,
    /// Posts per sector.
    sector_posts: Vec<u32>,
}

impl PostsCache {
    fn refresh(&mut self, w: &World, sectors: usize) {
        let weights = &w.derived.delivery_weight;
        if self.valid
            && self.sector_posts.len() == sectors
            && self.grade == w.posts.grade
            && self.sector == w.posts.sector
            && self.weight_bits.len() == weights.len()
            && self
                .weight_bits
                .iter()
                .zip(weights)
                .all(|(b, x)| *b == x.to_bits())
        {
            return;
        }
        self.grade.clone_from(&w.posts.grade);
        self.sector.clone_from(&w.posts.sector);
        self.weight_bits.clear();
        self.weight_bits.extend(weights.iter().map(|x| x.to_bits()));
        self.max_delivery = (0..w.posts.len())
            .map(|p| weights[w.posts.grade[p] as usize] as f64 * 10.0)
            .sum();
        self.sector_posts.clear();
        self.sector_posts.resize(sectors, 0);
        for &s in &w.posts.sector {
            self.sector_posts[s as usize] += 1;
        }
        self.valid = true;
    }
}

/// Scratch space for [`Observer::observe`], reused from year to year so
/// that observing allocates only the rows it returns. Holds no results: an
/// observation depends on the world alone, whatever was observed before.
#[derive(Default)]
pub struct Observer {
    grades: Vec<GradeAcc>,
    sectors: Vec<SectorAcc>,
    posts: PostsCache,
}

impl Observer {
    pub fn new() -> Self {
        Self::default()
    }

    /// One year's observation of `w` (see [`super::observe`]).
    pub fn observe(&mut self, w: &World) -> Observation {
        let mut out = Observation::default();
        self.observe_into(w, &mut out);
        out
    }

    /// As [`Observer::observe`], into `out`, reusing its rows' storage.
    pub fn observe_into(&mut self, w: &World, out: &mut Observation) {
        let grades = w.derived.grades;
        let sectors = w.scn.structure.sectors.len();
        self.posts.refresh(w, sectors);
        self.grades.clear();
        self.grades.resize(grades, GradeAcc::default());
        self.sectors.clear();
        self.sectors.resize(sectors, SectorAcc::default());
        let (ga, sa) = (&mut self.grades[..], &mut self.sectors[..]);
        let o = &w.officers;
        let f = &w.flows;

        let (mut head, mut posted, mut osd, mut training, mut inquiry) =
            (0u32, 0u32, 0u32, 0u32, 0u32);
        let (mut corrupt, mut rent_posts, mut rent_corrupt, mut matched) = (0u32, 0u32, 0u32, 0u32);
        let (mut ability, mut comp, mut integ, mut conn, mut morale, mut managerial) =
            (0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
        let (mut mip, mut exp_here, mut wage) = (0.0, 0.0, 0.0);
        // The delivery of the posted officers now: the efficiency index of a
        // year without steps (year 0); a year with steps reports the flows'.
        let snapshot = f.steps == 0;
        let mut snapshot_delivery = 0.0;
        let factors = snapshot.then(|| work::WorkFactors::from(&w.scn.work));
        // As the pass reads it: none with accountability or politics off.
        let fear_level = accountability::fear_level(&w.scn);
        let cut = w.rent_cut();
        let pay = &w.scn.pay;
        // Without pay for performance the appraisal factor is exactly 1
        // (1 + 0·rel, rel finite), as it is for an empty record.
        let appraisal_pays = pay.pay_for_performance != 0.0;
        // The columns read for every officer, cut to the slots, so that
        // indexing them by slot needs no bounds check.
        let n = o.slots();
        let (active, grade, ladder, post) =
            (&o.active[..n], &o.grade[..n], &o.ladder[..n], &o.post[..n]);
        let (age_m, service_m, grade_m) = (&o.age_m[..n], &o.service_m[..n], &o.grade_m[..n]);
        let (ability_of, managerial_of, integrity_of, connections_of, morale_of) = (
            &o.ability[..n],
            &o.managerial[..n],
            &o.integrity[..n],
            &o.connections[..n],
            &o.morale[..n],
        );
        let (corrupt_of, inquiry_left) = (&o.corrupt[..n], &o.inquiry_left[..n]);
        for i in 0..n {
            if !active[i] {
                continue;
            }
            let g = grade[i] as usize;
            let gacc = &mut ga[g];
            head += 1;
            gacc.head += 1;
            gacc.ladder[ladder[i] as usize] += 1;
            let is_corrupt = corrupt_of[i];
            let here = if post[i] != NONE {
                posted += 1;
                let m = o.months_in_post[i] as f64;
                mip += m;
                gacc.mip.add(m);
                let s = o.post_sector[i] as usize;
                exp_here += o.expertise_of(i)[s] as f64;
                if o.best_sector(i).0 == s {
                    matched += 1;
                }
                let rent = rent_value(w.derived.sector_rent[s], o.post_rent_factor[i], cut);
                let sacc = &mut sa[s];
                sacc.posted += 1;
                sacc.corrupt += is_corrupt as u32;
                sacc.rent += rent as f64;
                sacc.mip += m;
                if rent > 0.3 {
                    rent_posts += 1;
                    rent_corrupt += is_corrupt as u32;
                }
                s
            } else {
                if o.training_left[i] > 0 {
                    training += 1;
                } else {
                    osd += 1;
                }
                o.best_sector(i).0
            };
            if inquiry_left[i] >= 0 {
                inquiry += 1;
            }
            // Competence at own grade: the post's sector, or the best one.
            let c = w.competence_at(i, g, here) as f64;
            if let (Some(factors), true) = (&factors, o.post[i] != NONE) {
                let fear = accountability::fear(fear_level, o.connections[i]);
                let factor = work::performance_factor(
                    factors,
                    o.months_in_post[i],
                    o.morale[i],
                    is_corrupt,
                    fear,
                ) as f64;
                snapshot_delivery += w.derived.delivery_weight[g] as f64 * c * factor;
            }
            comp += c;
            gacc.comp += c;
            ability += ability_of[i] as f64;
            managerial += managerial_of[i] as f64;
            gacc.ability += ability_of[i] as f64;
            integ += integrity_of[i] as f64;
            conn += connections_of[i] as f64;
            morale += morale_of[i] as f64;
            gacc.age += twelfths(age_m[i]);
            gacc.service += twelfths(service_m[i]);
            if is_corrupt {
                corrupt += 1;
                gacc.corrupt += 1;
            }
            let appraisal = if appraisal_pays {
                appraisal_mean_of(&o.appraisal[i])
            } else {
                f32::NAN
            };
            wage += pay.officer_pay(
                w.derived.basic_pay[g],
                twelfths(grade_m[i]),
                appraisal,
                w.env.record_centre,
            );
        }

        let max_delivery = self.posts.max_delivery;
        let posts = w.posts.len() as f64;
        let (head_f, posted_f) = (head as f64, posted as f64);
        let pkr = pay.entry_pay_million_pkr;
        let ability_mean = mean(ability, head);

        let row = &mut out.row;
        row.clear();
        row.resize(METRICS.len(), f64::NAN);
        macro_rules! set {
            ($name:literal, $v:expr) => {
                row[const { column($name) }] = $v
            };
        }
        set!("headcount", head_f);
        set!("posts", posts);
        set!(
            "vacancy_rate",
            if posts > 0.0 {
                (1.0 - head_f / posts).max(0.0)
            } else {
                f64::NAN
            }
        );
        set!("posted", posted_f);
        set!("osd", osd as f64);
        set!("in_training", training as f64);
        set!("under_inquiry", inquiry as f64);
        set!("mean_ability", ability_mean);
        set!("mean_competence", mean(comp, head));
        set!("expertise_match", ratio(matched as f64, posted_f));
        set!("mean_expertise_in_post", mean(exp_here, posted));
        set!("mean_managerial", mean(managerial, head));
        set!(
            "efficiency",
            if max_delivery > 0.0 {
                if f.steps > 0 {
                    100.0 * f.delivery / (max_delivery * f.steps as f64)
                } else {
                    100.0 * snapshot_delivery / max_delivery
                }
            } else {
                f64::NAN
            }
        );
        set!("corruption_prevalence", ratio(corrupt as f64, head_f));
        set!(
            "corruption_in_rent_posts",
            ratio(rent_corrupt as f64, rent_posts as f64)
        );
        set!("rent_taken", f.rent_taken * pkr);
        set!("detections", f.detections as f64);
        set!("convictions", f.convictions as f64);
        set!("acquittals", f.acquittals as f64);
        set!("cases_undecided", f.cases_undecided as f64);
        set!("wrongful_inquiries", f.wrongful_inquiries as f64);
        set!("wrongful_convictions", f.wrongful_convictions as f64);
        set!("promotions", f.promotions as f64);
        set!(
            "mean_service_at_promotion",
            ratio(f.promotion_service_sum, f.promotions as f64)
        );
        set!(
            "promotion_rank_correlation",
            ratio(f.rank_corr_sum, f.rank_corr_weight)
        );
        set!("peter_effect", ratio(f.peter_sum, f.promotions as f64));
        set!("supersessions", f.supersessions as f64);
        set!("boards_held", f.boards_held as f64);
        set!(
            "appraisal_barred_share",
            ratio(f.board_barred_by_appraisal as f64, f.board_qualified as f64)
        );
        set!("mean_months_in_post", mean(mip, posted));
        set!(
            "mean_completed_tenure",
            ratio(f.completed_tenure_sum, f.completed_tenures as f64)
        );
        set!("transfers_regular", f.transfers_regular as f64);
        set!("transfers_political", f.transfers_political as f64);
        set!("exits_retirement", f.exits[0] as f64);
        set!("exits_voluntary", f.exits[1] as f64);
        set!("exits_dismissal", f.exits[2] as f64);
        set!("exits_compulsory", f.exits[3] as f64);
        set!(
            "leaver_ability_gap",
            ratio(f.leaver_ability_sum, f.exits[1] as f64) - ability_mean
        );
        set!("recruits", f.recruits as f64);
        set!(
            "recruit_mean_ability",
            ratio(f.recruits_ability_sum, f.recruits as f64)
        );
        set!("laterals", f.laterals as f64);
        set!("recruits_exam", f.recruits_exam as f64);
        set!("recruits_ex_cadre", f.recruits_by_ladder[1] as f64);
        set!(
            "recruits_patronage",
            f.recruits_by_channel[Channel::Patronage as usize] as f64
        );
        set!("trained", f.trained as f64);
        set!("mean_integrity", mean(integ, head));
        set!("mean_connections", mean(conn, head));
        set!("morale", mean(morale, head));
        set!("public_trust", w.env.trust);
        set!("egov_coverage", w.env.egov);
        set!("wage_bill", wage * pkr);
        set!("pension_bill", w.env.pension_stock * pkr);
        set!("reforms_in_force", reforms::in_force(w) as f64);
        set!("government_changes", w.env.government_changes as f64);
        set!("nominal_tenure_months", w.scn.postings.tenure_months);

        let promotions_in = |g: usize| f.grade_promotions.get(g).copied().unwrap_or(0) as f64;
        let transfers_in =
            |g: usize, kind: usize| f.grade_transfers.get(g).map_or(0, |t| t[kind]) as f64;
        fill_rows(&mut out.grades, grades, GRADE_METRICS.len(), |g, r| {
            let a = &ga[g];
            let gh = a.head as f64;
            let gp = w.scn.structure.grades[g].posts as f64;
            let ladder_posts = w.scn.structure.ladder_posts(g);
            let ladder_vacancy = |l: usize| {
                let posts = ladder_posts[l] as f64;
                if posts > 0.0 {
                    (1.0 - a.ladder[l] as f64 / posts).max(0.0)
                } else {
                    f64::NAN
                }
            };
            r.extend_from_slice(&[
                gh,
                gp,
                if gp > 0.0 {
                    (1.0 - gh / gp).max(0.0)
                } else {
                    f64::NAN
                },
                mean(a.comp, a.head),
                mean(a.ability, a.head),
                ratio(a.corrupt as f64, gh),
                mean(a.mip.sum, a.mip.n),
                mean(a.age, a.head),
                mean(a.service, a.head),
                promotions_in(g),
                ratio(
                    f.grade_promotion_service.get(g).copied().unwrap_or(0.0),
                    promotions_in(g),
                ),
                ratio(
                    f.grade_promotion_age.get(g).copied().unwrap_or(0.0),
                    promotions_in(g),
                ),
                ladder_vacancy(0),
                ladder_vacancy(1),
                transfers_in(g, 0),
                transfers_in(g, 1),
            ]);
        });
        let sector_posts = &self.posts.sector_posts;
        fill_rows(&mut out.sectors, sectors, SECTOR_METRICS.len(), |s, r| {
            let a = &sa[s];
            let sp = a.posted as f64;
            r.extend_from_slice(&[
                sector_posts[s] as f64,
                sp,
                a.corrupt as f64,
                ratio(a.corrupt as f64, sp),
                mean(a.rent, a.posted),
                mean(a.mip, a.posted),
            ]);
        });
        // A zero is written "0", never "-0" (an output consumer's audit: the
        // classic model's pension bill was "-0" in timeseries.csv and -0.0
        // in summary.json). Adding 0 turns −0 into +0 and leaves every other
        // value, NaN included, as it is.
        let rows = std::iter::once(&mut out.row)
            .chain(&mut out.grades)
            .chain(&mut out.sectors);
        for v in rows.flatten() {
            *v += 0.0;
        }
    }
}

/// Makes `rows` `n` rows of `width` values written by `fill(k, row)` (each
/// row given empty), reusing the rows already there.
fn fill_rows(
    rows: &mut Vec<Vec<f64>>,
    n: usize,
    width: usize,
    mut fill: impl FnMut(usize, &mut Vec<f64>),
) {
    rows.truncate(n);
    while rows.len() < n {
        rows.push(Vec::with_capacity(width));
    }
    for (k, r) in rows.iter_mut().enumerate() {
        r.clear();
        fill(k, r);
        debug_assert_eq!(r.len(), width);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::metric_index;

    /// The table of months in years holds the divisions' own results.
    #[test]
    fn twelfths_are_the_divisions() {
        for m in 0..=u16::MAX {
            assert_eq!(twelfths(m).to_bits(), (m as f64 / 12.0).to_bits(), "{m}");
        }
    }

    /// Every column of the three tables is found at its position.
    #[test]
    fn columns_are_the_positions_of_the_names() {
        for (k, m) in METRICS.iter().enumerate() {
            assert_eq!(column(m.name), k, "{}", m.name);
        }
        assert_eq!(column("efficiency"), metric_index("efficiency").unwrap());
    }
}
