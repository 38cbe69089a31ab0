//! The yearly observation checked against the plain pass it replaced:
//! `metrics::Observer` (src/metrics/observer.rs) must give the bits of the
//! reference below, year by year, through the schedule. It lives in `sim`
//! because stepping a world is the schedule's (the layer order keeps
//! `metrics` below `sim` and `scenario`).

use crate::metrics::{METRICS, Observation, Observer, metric_index};
use crate::model::init;
use crate::model::population::{Channel, NONE};
use crate::model::world::World;
use crate::model::{accountability, reforms, work};
use crate::scenario::Scenario;
use crate::sim::step::{self, Engine};

// The plain pass this module replaces (slot order, every value
// recomputed, names looked up at run time), kept as the reference the
// observer must match bit for bit.
#[derive(Default, Clone, Copy)]
struct Acc {
    n: f64,
    sum: f64,
}

impl Acc {
    fn add(&mut self, x: f64) {
        self.n += 1.0;
        self.sum += x;
    }
    fn mean(&self) -> f64 {
        if self.n > 0.0 {
            self.sum / self.n
        } else {
            f64::NAN
        }
    }
}

/// The vacancy rate of one ladder of grade `g` (NaN when it has no posts).
fn ladder_vacancy(w: &World, g: usize, ladder: usize, head: &[[u32; 2]]) -> f64 {
    let posts = w.scn.structure.ladder_posts(g)[ladder] as f64;
    if posts > 0.0 {
        (1.0 - head[g][ladder] as f64 / posts).max(0.0)
    } else {
        f64::NAN
    }
}

/// One year's row of [`METRICS`], the rows of [`GRADE_METRICS`] per grade
/// and those of [`SECTOR_METRICS`] per sector, in one pass over officers.
fn reference(w: &World) -> Observation {
    let grades = w.derived.grades;
    let sectors = w.scn.structure.sectors.len();
    let mut row = vec![f64::NAN; METRICS.len()];
    let (mut head, mut posted, mut osd, mut training, mut inquiry) = (0.0, 0.0, 0.0, 0.0, 0.0);
    let (mut ability, mut comp, mut integ, mut conn, mut morale) = (
        Acc::default(),
        Acc::default(),
        Acc::default(),
        Acc::default(),
        Acc::default(),
    );
    let (mut corrupt, mut rent_posts, mut rent_corrupt, mut matched) = (0.0, 0.0, 0.0, 0.0);
    let mut mip = Acc::default();
    let (mut exp_here, mut managerial) = (Acc::default(), Acc::default());
    let mut wage = 0.0;
    let mut snapshot_delivery = 0.0;
    let factors = work::WorkFactors::from(&w.scn.work);
    let mut g_head = vec![0.0; grades];
    let mut g_comp = vec![Acc::default(); grades];
    let mut g_ability = vec![Acc::default(); grades];
    let mut g_corrupt = vec![0.0; grades];
    let mut g_mip = vec![Acc::default(); grades];
    let mut g_age = vec![Acc::default(); grades];
    let mut g_service = vec![Acc::default(); grades];
    let mut g_ladder_head = vec![[0u32; 2]; grades];
    let mut s_posted = vec![0.0; sectors];
    let mut s_corrupt = vec![0.0; sectors];
    let mut s_rent = vec![Acc::default(); sectors];
    let mut s_mip = vec![Acc::default(); sectors];
    for i in 0..w.officers.slots() {
        if !w.officers.active[i] {
            continue;
        }
        let g = w.officers.grade[i] as usize;
        head += 1.0;
        g_head[g] += 1.0;
        g_ladder_head[g][w.officers.ladder[i] as usize] += 1;
        let p = w.officers.post[i];
        if p != NONE {
            posted += 1.0;
            let m = w.officers.months_in_post[i] as f64;
            mip.add(m);
            g_mip[g].add(m);
            let s = w.officers.post_sector[i] as usize;
            exp_here.add(w.officers.expertise_of(i)[s] as f64);
            if w.officers.best_sector(i).0 == s {
                matched += 1.0;
            }
            let rent = w.officer_rent(i);
            s_posted[s] += 1.0;
            s_corrupt[s] += w.officers.corrupt[i] as u8 as f64;
            s_rent[s].add(rent as f64);
            s_mip[s].add(m);
            if rent > 0.3 {
                rent_posts += 1.0;
                rent_corrupt += w.officers.corrupt[i] as u8 as f64;
            }
            let c = w.competence_at(i, g, s) as f64;
            let fear = accountability::fear(
                accountability::fear_level(&w.scn),
                w.officers.connections[i],
            );
            let factor = work::performance_factor(
                &factors,
                w.officers.months_in_post[i],
                w.officers.morale[i],
                w.officers.corrupt[i],
                fear,
            ) as f64;
            snapshot_delivery += w.derived.delivery_weight[g] as f64 * c * factor;
        } else if w.officers.training_left[i] > 0 {
            training += 1.0;
        } else {
            osd += 1.0;
        }
        if w.officers.inquiry_left[i] >= 0 {
            inquiry += 1.0;
        }
        let c = w.competence_here(i, g) as f64;
        comp.add(c);
        g_comp[g].add(c);
        ability.add(w.officers.ability[i] as f64);
        managerial.add(w.officers.managerial[i] as f64);
        g_ability[g].add(w.officers.ability[i] as f64);
        integ.add(w.officers.integrity[i] as f64);
        conn.add(w.officers.connections[i] as f64);
        morale.add(w.officers.morale[i] as f64);
        g_age[g].add(w.officers.age_m[i] as f64 / 12.0);
        g_service[g].add(w.officers.service_m[i] as f64 / 12.0);
        if w.officers.corrupt[i] {
            corrupt += 1.0;
            g_corrupt[g] += 1.0;
        }
        wage += w.pay_of(i);
    }
    let f = &w.flows;
    let posts = w.posts.len() as f64;
    let max_delivery: f64 = (0..w.posts.len())
        .map(|p| w.derived.delivery_weight[w.posts.grade[p] as usize] as f64 * 10.0)
        .sum();
    let efficiency = if f.steps > 0 {
        100.0 * f.delivery / (max_delivery * f.steps as f64)
    } else {
        100.0 * snapshot_delivery / max_delivery
    };
    let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { f64::NAN };
    let pkr = w.scn.pay.entry_pay_million_pkr;
    let mut set = |name: &str, v: f64| row[metric_index(name).expect("metric")] = v;
    set("headcount", head);
    set("posts", posts);
    set(
        "vacancy_rate",
        if posts > 0.0 {
            (1.0 - head / posts).max(0.0)
        } else {
            f64::NAN
        },
    );
    set("posted", posted);
    set("osd", osd);
    set("in_training", training);
    set("under_inquiry", inquiry);
    set("mean_ability", ability.mean());
    set("mean_competence", comp.mean());
    set("expertise_match", ratio(matched, posted));
    set("mean_expertise_in_post", exp_here.mean());
    set("mean_managerial", managerial.mean());
    set(
        "efficiency",
        if max_delivery > 0.0 {
            efficiency
        } else {
            f64::NAN
        },
    );
    set("corruption_prevalence", ratio(corrupt, head));
    set("corruption_in_rent_posts", ratio(rent_corrupt, rent_posts));
    set("rent_taken", f.rent_taken * pkr);
    set("detections", f.detections as f64);
    set("convictions", f.convictions as f64);
    set("acquittals", f.acquittals as f64);
    set("cases_undecided", f.cases_undecided as f64);
    set("wrongful_inquiries", f.wrongful_inquiries as f64);
    set("wrongful_convictions", f.wrongful_convictions as f64);
    set("promotions", f.promotions as f64);
    set(
        "mean_service_at_promotion",
        ratio(f.promotion_service_sum, f.promotions as f64),
    );
    set(
        "promotion_rank_correlation",
        ratio(f.rank_corr_sum, f.rank_corr_weight),
    );
    set("peter_effect", ratio(f.peter_sum, f.promotions as f64));
    set("supersessions", f.supersessions as f64);
    set("boards_held", f.boards_held as f64);
    set(
        "appraisal_barred_share",
        ratio(f.board_barred_by_appraisal as f64, f.board_qualified as f64),
    );
    set("mean_months_in_post", mip.mean());
    set(
        "mean_completed_tenure",
        ratio(f.completed_tenure_sum, f.completed_tenures as f64),
    );
    set("transfers_regular", f.transfers_regular as f64);
    set("transfers_political", f.transfers_political as f64);
    set("exits_retirement", f.exits[0] as f64);
    set("exits_voluntary", f.exits[1] as f64);
    set("exits_dismissal", f.exits[2] as f64);
    set("exits_compulsory", f.exits[3] as f64);
    set(
        "leaver_ability_gap",
        ratio(f.leaver_ability_sum, f.exits[1] as f64) - ability.mean(),
    );
    set("recruits", f.recruits as f64);
    set(
        "recruit_mean_ability",
        ratio(f.recruits_ability_sum, f.recruits as f64),
    );
    set("laterals", f.laterals as f64);
    set("recruits_exam", f.recruits_exam as f64);
    set("recruits_ex_cadre", f.recruits_by_ladder[1] as f64);
    set(
        "recruits_patronage",
        f.recruits_by_channel[Channel::Patronage as usize] as f64,
    );
    set("trained", f.trained as f64);
    set("mean_integrity", integ.mean());
    set("mean_connections", conn.mean());
    set("morale", morale.mean());
    set("public_trust", w.env.trust);
    set("egov_coverage", w.env.egov);
    set("wage_bill", wage * pkr);
    set("pension_bill", w.env.pension_stock * pkr);
    set("reforms_in_force", reforms::in_force(w) as f64);
    set("government_changes", w.env.government_changes as f64);
    set("nominal_tenure_months", w.scn.postings.tenure_months);
    let grade_rows: Vec<Vec<f64>> = (0..grades)
        .map(|g| {
            let gp = w.scn.structure.grades[g].posts as f64;
            vec![
                g_head[g],
                gp,
                if gp > 0.0 {
                    (1.0 - g_head[g] / gp).max(0.0)
                } else {
                    f64::NAN
                },
                g_comp[g].mean(),
                g_ability[g].mean(),
                ratio(g_corrupt[g], g_head[g]),
                g_mip[g].mean(),
                g_age[g].mean(),
                g_service[g].mean(),
                f.grade_promotions.get(g).copied().unwrap_or(0) as f64,
                ratio(
                    f.grade_promotion_service.get(g).copied().unwrap_or(0.0),
                    f.grade_promotions.get(g).copied().unwrap_or(0) as f64,
                ),
                ratio(
                    f.grade_promotion_age.get(g).copied().unwrap_or(0.0),
                    f.grade_promotions.get(g).copied().unwrap_or(0) as f64,
                ),
                ladder_vacancy(w, g, 0, &g_ladder_head),
                ladder_vacancy(w, g, 1, &g_ladder_head),
                f.grade_transfers.get(g).map_or(0, |t| t[0]) as f64,
                f.grade_transfers.get(g).map_or(0, |t| t[1]) as f64,
            ]
        })
        .collect();
    let mut s_posts = vec![0.0; sectors];
    for &s in &w.posts.sector {
        s_posts[s as usize] += 1.0;
    }
    let sector_rows: Vec<Vec<f64>> = (0..sectors)
        .map(|s| {
            vec![
                s_posts[s],
                s_posted[s],
                s_corrupt[s],
                ratio(s_corrupt[s], s_posted[s]),
                s_rent[s].mean(),
                s_mip[s].mean(),
            ]
        })
        .collect();
    // A zero is +0, never −0 (docs/outputs.md).
    let plus = |v: Vec<f64>| -> Vec<f64> {
        v.into_iter()
            .map(|x| if x == 0.0 { 0.0 } else { x })
            .collect()
    };
    Observation {
        row: plus(row),
        grades: grade_rows.into_iter().map(plus).collect(),
        sectors: sector_rows.into_iter().map(plus).collect(),
    }
}

fn scenario(file: &str, sets: &[&str]) -> Scenario {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    Scenario::load(&path, &sets).expect("scenario loads")
}

fn bits(o: &Observation) -> Vec<u64> {
    o.row
        .iter()
        .chain(o.grades.iter().flatten())
        .chain(o.sectors.iter().flatten())
        .map(|x| x.to_bits())
        .collect()
}

fn assert_same(a: &Observation, b: &Observation, what: &str) {
    assert_eq!(a.grades.len(), b.grades.len(), "{what}: grades");
    assert_eq!(a.sectors.len(), b.sectors.len(), "{what}: sectors");
    assert_eq!(bits(a), bits(b), "{what}: values differ");
}

/// Year by year, through warm-up, reforms, year 0 without steps, pay
/// for performance, e-governance, selective enforcement and several
/// sectors, the observer (one, reused across worlds of different
/// shapes) and the thread's `observe` give the reference's bits.
#[test]
fn observer_matches_the_plain_pass_bit_for_bit() {
    let cases: &[(&str, &[&str])] = &[
        ("scenarios/classics/peter_principle.toml", &["sim.years=30"]),
        (
            "scenarios/pakistan_baseline.toml",
            &["sim.years=3", "pay.pay_for_performance=0.2"],
        ),
        ("scenarios/e_governance.toml", &["sim.years=8"]),
        (
            "scenarios/accountability_reform.toml",
            &["sim.years=6", "accountability.selective_enforcement=0.5"],
        ),
        ("scenarios/classics/peter_principle.toml", &["sim.years=3"]),
    ];
    let mut observer = Observer::new();
    let mut into = Observation::default();
    for (file, sets) in cases {
        let scn = scenario(file, sets).scaled(0.05);
        let mut w = init::build(&scn, 1);
        let mut engine = Engine::default();
        for year in 0..=scn.sim.years {
            if year > 0 {
                for _ in 0..scn.sim.steps_per_year {
                    step::step(&mut w, &mut engine);
                }
            }
            let want = reference(&w);
            let what = format!("{file} year {year}");
            assert_same(&observer.observe(&w), &want, &what);
            observer.observe_into(&w, &mut into);
            assert_same(&into, &want, &what);
            assert_same(&crate::metrics::observe(&w), &want, &what);
            if year == 1 {
                // The efficiency index's denominator follows the
                // parameters in force.
                w.scn.structure.grades[0].delivery_weight *= 0.5;
                w.refresh();
                assert_same(&observer.observe(&w), &reference(&w), &what);
            }
            w.flows = Default::default();
        }
    }
}
