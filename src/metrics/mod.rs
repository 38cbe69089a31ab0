//! What is measured each reporting year, per replicate: the names, units
//! and meanings of every column of `timeseries.csv`, `grades.csv` and
//! `sectors.csv`, and how each is computed from the world and the year's
//! flows.

pub mod summary;

use crate::model::population::{Channel, NONE};
use crate::model::world::World;
use crate::model::{reforms, work};

/// A metric: column name, unit, meaning.
pub struct Metric {
    pub name: &'static str,
    pub unit: &'static str,
    pub about: &'static str,
}

macro_rules! metrics {
    ($($name:literal, $unit:literal, $about:literal;)*) => {
        &[$(Metric { name: $name, unit: $unit, about: $about }),*]
    };
}

/// Columns of `timeseries.csv` after `replicate` and `year`, in order.
pub const METRICS: &[Metric] = metrics![
    "headcount", "officers", "Active officers at year end (posted + OSD + in training).";
    "posts", "posts", "Sanctioned posts.";
    "vacancy_rate", "share", "Share of sanctioned posts with no officer in the grade (1 - headcount/posts).";
    "posted", "officers", "Officers holding a post.";
    "osd", "officers", "Officers on special duty: active, not posted, not in training.";
    "in_training", "officers", "Officers away on induction or a course.";
    "under_inquiry", "officers", "Officers with an open inquiry.";
    "mean_ability", "score 0-10", "Mean latent ability of active officers.";
    "mean_competence", "score 0-10", "Mean competence at own grade (post's sector; best sector when unposted).";
    "expertise_match", "share", "Share of posted officers whose post is in their strongest sector.";
    "mean_expertise_in_post", "score 0-10", "Mean expertise of posted officers in their post's sector.";
    "mean_managerial", "score 0-10", "Mean managerial skill of active officers.";
    "efficiency", "index 0-100", "Service delivery: sum over posts of grade weight x delivered performance (0 when vacant), over the same sum with every post at competence 10; averaged over the year's steps.";
    "corruption_prevalence", "share", "Share of active officers taking bribes at year end.";
    "corruption_in_rent_posts", "share", "Share of officers in posts with rent above 0.3 who take bribes.";
    "rent_taken", "million PKR", "Bribes taken during the year.";
    "detections", "per year", "Corrupt officers detected (inquiries opened).";
    "convictions", "per year", "Convictions (all verdicts against the officer).";
    "acquittals", "per year", "Decided inquiries that ended without conviction.";
    "cases_undecided", "per year", "Inquiries that closed without a verdict.";
    "wrongful_inquiries", "per year", "Inquiries opened against honest officers (selective enforcement).";
    "wrongful_convictions", "per year", "Convictions of honest officers.";
    "promotions", "per year", "Promotions by boards.";
    "mean_service_at_promotion", "years", "Mean years of service of those promoted.";
    "promotion_rank_correlation", "-1 to 1", "Spearman correlation between board ranking and competence at the new grade, over candidates.";
    "peter_effect", "score points", "Mean change in competence on promotion (new grade minus old grade).";
    "supersessions", "per year", "Eligible officers passed over for someone junior.";
    "boards_held", "per year", "Promotion boards that met.";
    "mean_months_in_post", "months", "Mean months the posted officers have spent in their current post.";
    "mean_completed_tenure", "months", "Mean length of the postings that ended this year.";
    "transfers_regular", "per year", "Transfers on completing the nominal tenure.";
    "transfers_political", "per year", "Premature political transfers.";
    "exits_retirement", "per year", "Retirements at the retirement age.";
    "exits_voluntary", "per year", "Resignations (voluntary exits).";
    "exits_dismissal", "per year", "Dismissals on conviction or incompetence.";
    "exits_compulsory", "per year", "Compulsory (directory) retirements.";
    "leaver_ability_gap", "score points", "Mean ability of voluntary leavers minus mean ability of those who stay (empty when nobody left).";
    "recruits", "per year", "Entrants through the exam cycle.";
    "recruit_mean_ability", "score 0-10", "Mean ability of this year's entrants (empty when none).";
    "laterals", "per year", "Lateral entrants above the entry grade.";
    "recruits_exam", "per year", "Entrants through the CSS exam (open merit and regional quota seats, cadre ladder).";
    "recruits_ex_cadre", "per year", "Entrants to the ex-cadre ladder (departmental and specialist posts).";
    "recruits_patronage", "per year", "Ad-hoc (patronage) appointees, both ladders.";
    "trained", "per year", "Courses passed.";
    "mean_integrity", "0-1", "Mean integrity of active officers.";
    "mean_connections", "0-1", "Mean political connections of active officers.";
    "morale", "0-1", "Mean morale of active officers.";
    "public_trust", "0-1", "Public trust in the service.";
    "egov_coverage", "0-1", "E-governance coverage.";
    "wage_bill", "million PKR", "Annual pay of active officers.";
    "pension_bill", "million PKR", "Annual pensions being paid to retired officers.";
    "reforms_in_force", "count", "Reforms ramping or in force (not reversed).";
    "government_changes", "count", "Changes of government since the start.";
    "nominal_tenure_months", "months", "The posting tenure in force.";
];

/// Columns of `grades.csv` after `replicate`, `year` and `grade`.
pub const GRADE_METRICS: &[Metric] = metrics![
    "headcount", "officers", "Active officers in the grade.";
    "posts", "posts", "Sanctioned posts of the grade.";
    "vacancy_rate", "share", "1 - headcount/posts.";
    "mean_competence", "score 0-10", "Mean competence at the grade.";
    "mean_ability", "score 0-10", "Mean latent ability.";
    "corruption_prevalence", "share", "Share taking bribes.";
    "mean_months_in_post", "months", "Mean months in the current post of posted officers.";
    "mean_age", "years", "Mean age.";
    "mean_service", "years", "Mean years of service.";
    "promotions_in", "per year", "Promotions into the grade.";
    "service_at_promotion_in", "years", "Mean years of service of those promoted into the grade (empty when none).";
    "age_at_promotion_in", "years", "Mean age of those promoted into the grade (empty when none).";
    "vacancy_rate_cadre", "share", "1 - headcount/posts on the cadre ladder (empty when it has no posts).";
    "vacancy_rate_ex_cadre", "share", "1 - headcount/posts on the ex-cadre ladder (empty when it has no posts).";
];

/// Columns of `sectors.csv` after `replicate`, `year` and `sector`: the
/// posts of a sector (`structure.sectors`) and the officers holding them,
/// at year end.
pub const SECTOR_METRICS: &[Metric] = metrics![
    "posts", "posts", "Sanctioned posts in the sector, all grades.";
    "posted", "officers", "Officers holding a post in the sector.";
    "corrupt", "officers", "Officers holding a post in the sector who take bribes.";
    "corruption_prevalence", "share", "corrupt/posted: share of the sector's posted officers taking bribes (empty when none is posted).";
    "mean_post_rent", "0-1", "Mean effective rent of the sector's posts held (sector rent x post factor, at most 1, less the e-governance cut).";
    "mean_months_in_post", "months", "Mean months the sector's posted officers have spent in their current post.";
];

/// One year's observation of a world: the row of [`METRICS`], a row of
/// [`GRADE_METRICS`] per grade (bottom up) and a row of [`SECTOR_METRICS`]
/// per sector (in the order of `structure.sectors`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Observation {
    pub row: Vec<f64>,
    pub grades: Vec<Vec<f64>>,
    pub sectors: Vec<Vec<f64>>,
}

fn index(name: &str) -> usize {
    METRICS
        .iter()
        .position(|m| m.name == name)
        .expect("metric exists")
}

/// Index of a metric in [`METRICS`], by name.
/// Which way is better for a metric of `timeseries.csv`, for a planner
/// comparing options: `Some(true)` higher, `Some(false)` lower, `None` for
/// metrics that describe the service without a better direction (counts of
/// flows, tenure, pay levels). Used to word probabilities, ranks and regret.
pub fn higher_is_better(name: &str) -> Option<bool> {
    match name {
        "mean_ability"
        | "mean_competence"
        | "expertise_match"
        | "mean_expertise_in_post"
        | "mean_managerial"
        | "efficiency"
        | "promotion_rank_correlation"
        | "mean_integrity"
        | "morale"
        | "public_trust"
        | "egov_coverage"
        | "recruit_mean_ability" => Some(true),
        "vacancy_rate"
        | "osd"
        | "corruption_prevalence"
        | "corruption_in_rent_posts"
        | "rent_taken"
        | "wrongful_inquiries"
        | "wrongful_convictions"
        | "peter_effect"
        | "exits_voluntary"
        | "wage_bill"
        | "pension_bill"
        | "leaver_ability_gap" => Some(false),
        _ => None,
    }
}

/// A metric's name in plain words, for reports, plots and the page (the
/// unit is [`Metric::unit`]); the column name for a name it does not know.
pub fn label(name: &str) -> &str {
    match name {
        "headcount" => "Officers in service",
        "posts" => "Sanctioned posts",
        "vacancy_rate" => "Vacancy rate",
        "posted" => "Officers in a post",
        "osd" => "Officers on special duty (no post)",
        "in_training" => "Officers in training",
        "under_inquiry" => "Officers under inquiry",
        "mean_ability" => "Mean ability",
        "mean_competence" => "Mean competence",
        "expertise_match" => "Officers in their strongest sector",
        "mean_expertise_in_post" => "Expertise in the post's sector (mean)",
        "mean_managerial" => "Managerial skill (mean)",
        "efficiency" => "Service delivery",
        "corruption_prevalence" => "Corruption (all officers)",
        "corruption_in_rent_posts" => "Corruption (high-rent posts)",
        "rent_taken" => "Bribes taken",
        "detections" => "Corruption cases detected",
        "convictions" => "Convictions",
        "acquittals" => "Acquittals",
        "cases_undecided" => "Cases left undecided",
        "wrongful_inquiries" => "Inquiries against honest officers",
        "wrongful_convictions" => "Honest officers convicted",
        "promotions" => "Promotions",
        "mean_service_at_promotion" => "Years of service at promotion",
        "promotion_rank_correlation" => "Promotion picks the best (rank correlation)",
        "peter_effect" => "Competence lost on promotion (Peter effect)",
        "supersessions" => "Officers superseded",
        "boards_held" => "Selection boards held",
        "mean_months_in_post" => "Months in post",
        "mean_completed_tenure" => "Months a posting lasts",
        "transfers_regular" => "Regular transfers",
        "transfers_political" => "Political transfers",
        "exits_retirement" => "Retirements",
        "exits_voluntary" => "Resignations",
        "exits_dismissal" => "Dismissals",
        "exits_compulsory" => "Compulsory retirements",
        "leaver_ability_gap" => "Ability of leavers above stayers",
        "recruits" => "Recruits",
        "recruit_mean_ability" => "Ability of recruits (mean)",
        "laterals" => "Lateral entrants",
        "recruits_exam" => "Recruits through the CSS exam",
        "recruits_ex_cadre" => "Recruits to ex-cadre posts",
        "recruits_patronage" => "Patronage appointments",
        "trained" => "Officers trained",
        "mean_integrity" => "Integrity (mean)",
        "mean_connections" => "Political connections (mean)",
        "morale" => "Morale",
        "public_trust" => "Public trust",
        "egov_coverage" => "E-governance coverage",
        "wage_bill" => "Wage bill",
        "pension_bill" => "Pension bill",
        "reforms_in_force" => "Reforms in force",
        "government_changes" => "Changes of government",
        "nominal_tenure_months" => "Nominal tenure",
        "mean_age" => "Age (mean)",
        "mean_service" => "Years of service (mean)",
        "promotions_in" => "Promotions into the grade",
        "service_at_promotion_in" => "Years of service at promotion into the grade",
        "age_at_promotion_in" => "Age at promotion into the grade",
        "vacancy_rate_cadre" => "Cadre posts vacant",
        "vacancy_rate_ex_cadre" => "Ex-cadre posts vacant",
        "corrupt" => "Officers taking bribes (count)",
        "mean_post_rent" => "Rent of posts (mean)",
        _ => name,
    }
}

/// Whether a metric counts what happened during a year (a flow: exits,
/// promotions, bribes, bills) rather than the state at its end. Year 0 is
/// the starting state, before any year has run, so a flow has no value
/// there and plots leave it blank.
pub fn is_flow(name: &str) -> bool {
    matches!(
        name,
        "rent_taken"
            | "wage_bill"
            | "pension_bill"
            | "mean_service_at_promotion"
            | "mean_completed_tenure"
            | "promotion_rank_correlation"
            | "peter_effect"
            | "leaver_ability_gap"
            | "recruit_mean_ability"
            | "service_at_promotion_in"
            | "age_at_promotion_in"
    ) || unit_of(name) == Some("per year")
}

/// The unit of a metric of `timeseries.csv`, `grades.csv` or `sectors.csv`.
pub fn unit_of(name: &str) -> Option<&'static str> {
    METRICS
        .iter()
        .chain(GRADE_METRICS)
        .chain(SECTOR_METRICS)
        .find(|m| m.name == name)
        .map(|m| m.unit)
}

pub fn metric_index(name: &str) -> Option<usize> {
    METRICS.iter().position(|m| m.name == name)
}

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
pub fn observe(w: &World) -> Observation {
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
            let fear = if w.scn.accountability.enabled {
                w.scn.accountability.selective_enforcement as f32
                    * (1.0 - w.officers.connections[i])
            } else {
                0.0
            };
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
    let mut set = |name: &str, v: f64| row[index(name)] = v;
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
    let grade_rows = (0..grades)
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
            ]
        })
        .collect();
    let mut s_posts = vec![0.0; sectors];
    for &s in &w.posts.sector {
        s_posts[s as usize] += 1.0;
    }
    let sector_rows = (0..sectors)
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
    Observation {
        row,
        grades: grade_rows,
        sectors: sector_rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_metric_has_a_plain_label_and_flows_are_told_from_stocks() {
        for m in METRICS.iter().chain(GRADE_METRICS).chain(SECTOR_METRICS) {
            assert_ne!(label(m.name), m.name, "{} has no plain label", m.name);
        }
        assert!(is_flow("exits_voluntary") && is_flow("wage_bill") && is_flow("rent_taken"));
        assert!(!is_flow("headcount") && !is_flow("corruption_prevalence") && !is_flow("morale"));
    }
}
