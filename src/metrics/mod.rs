//! What is measured each reporting year, per replicate: the names, units
//! and meanings of every column of `timeseries.csv`, `grades.csv` and
//! `sectors.csv`, and how each is computed from the world and the year's
//! flows.

mod observer;
pub mod summary;

pub use observer::Observer;

use crate::model::world::World;

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
    "appraisal_barred_share", "share", "Share of the officers otherwise eligible at the year's boards whom the appraisal bar (promotion.appraisal_threshold) kept out (empty when no officer met the other conditions at a board with a vacancy to fill, as in a year without a board).";
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
    "recruits_ex_cadre", "per year", "Entrants to the ex-cadre ladder (departmental and specialist posts), patronage appointees there included.";
    "recruits_patronage", "per year", "Ad-hoc (patronage) appointees, both ladders (those on the ex-cadre ladder are in recruits_ex_cadre too).";
    "trained", "per year", "Courses passed.";
    "mean_integrity", "0-1", "Mean integrity of active officers.";
    "mean_connections", "0-1", "Mean political connections of active officers.";
    "morale", "0-1", "Mean morale of active officers.";
    "public_trust", "0-1", "Public trust in the service.";
    "egov_coverage", "0-1", "E-governance coverage.";
    "wage_bill", "million PKR", "Annual pay of active officers.";
    "pension_bill", "million PKR", "Annual pensions being paid to retired officers: a starting stock for a service in steady state (the first year's retirements times (1 − m) / m, m the pensioners' yearly mortality), plus pensions of officers who retire later, less deaths. The level rests on that assumption and moves with the service's retirements: compare options' differences.";
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
    "transfers_regular", "per year", "Regular rotations of the grade's officers.";
    "transfers_political", "per year", "Premature political transfers of the grade's officers.";
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
        | "recruit_mean_ability"
        // Competence at the new grade minus at the old: a loss is negative.
        | "peter_effect" => Some(true),
        "vacancy_rate"
        | "osd"
        | "corruption_prevalence"
        | "corruption_in_rent_posts"
        | "rent_taken"
        | "wrongful_inquiries"
        | "wrongful_convictions"
        | "exits_voluntary"
        | "wage_bill"
        | "pension_bill"
        | "leaver_ability_gap" => Some(false),
        _ => None,
    }
}

/// The switch that leaves headline metric `name` without a mechanism in
/// scenario `scn` (`corruption.enabled = false` for corruption), if any: its
/// values are then a constant of the model, not an outcome, and the run's
/// summary leaves it out.
pub fn switched_off(name: &str, scn: &crate::model::params::Scenario) -> Option<&'static str> {
    match name {
        "corruption_prevalence" if !scn.corruption.enabled => Some("corruption.enabled = false"),
        "morale" if !scn.pay.morale => Some("pay.morale = false"),
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
        "peter_effect" => "Change in competence on promotion (Peter effect)",
        "supersessions" => "Officers superseded",
        "boards_held" => "Selection boards held",
        "appraisal_barred_share" => "Kept from promotion by the appraisal bar",
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
/// promotions, bribes) rather than the state at its end. Year 0 is the
/// starting state, before any year has run, so a flow has no value there
/// and plots leave it blank. The wage and pension bills are not flows: a
/// year's row holds the annual pay of the officers then active and the
/// pensions then being paid, which the starting state has too.
pub fn is_flow(name: &str) -> bool {
    matches!(
        name,
        "rent_taken"
            | "mean_service_at_promotion"
            | "mean_completed_tenure"
            | "promotion_rank_correlation"
            | "peter_effect"
            | "appraisal_barred_share"
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

/// The values a metric of `unit` can take: shares and 0-1 indices in
/// [0, 1], scores in [0, 10], the efficiency index in [0, 100], a rank
/// correlation in [-1, 1]; counts, flows, months, years and bills from 0
/// up; score differences (`score points`) and any unit not listed
/// unbounded. A 95% interval of a mean is cut to this range
/// ([`level_stats`]): the mean itself lies in it, so the cut loses no
/// coverage, and a share's interval no longer reaches below 0%.
pub fn value_range(unit: &str) -> (f64, f64) {
    match unit {
        "share" | "0-1" => (0.0, 1.0),
        "score 0-10" => (0.0, 10.0),
        "index 0-100" => (0.0, 100.0),
        "-1 to 1" => (-1.0, 1.0),
        "count" | "officers" | "per year" | "months" | "years" | "million PKR" | "posts" => {
            (0.0, f64::INFINITY)
        }
        _ => (f64::NEG_INFINITY, f64::INFINITY),
    }
}

/// Statistics of the values `xs` of the metric `name` (of `timeseries.csv`,
/// `grades.csv` or `sectors.csv`) across replicates, its 95% interval cut
/// to the metric's range ([`value_range`]). For levels only: a difference
/// between arms has its own range and takes [`summary::stats`].
pub fn level_stats(name: &str, xs: &[f64]) -> summary::Stats {
    let s = summary::stats(xs);
    match unit_of(name) {
        Some(unit) => s.within(value_range(unit)),
        None => s,
    }
}

/// Index of a metric in [`METRICS`], by name (see [`column`] for a name
/// known when compiling).
pub fn metric_index(name: &str) -> Option<usize> {
    METRICS.iter().position(|m| m.name == name)
}

/// Index of a column of `grades.csv` in [`GRADE_METRICS`], by name.
pub fn grade_metric_index(name: &str) -> Option<usize> {
    GRADE_METRICS.iter().position(|m| m.name == name)
}

/// Index of a metric in [`METRICS`] by name, for constant contexts:
/// `row[const { metrics::column("efficiency") }]` costs an array index, the
/// name checked at compile time (an unknown name fails to compile).
pub const fn column(name: &str) -> usize {
    position(METRICS, name)
}

/// Position of `name` in `table`; panics (at compile time in a constant)
/// when it is missing.
const fn position(table: &[Metric], name: &str) -> usize {
    let mut k = 0;
    while k < table.len() {
        if str_eq(table[k].name, name) {
            return k;
        }
        k += 1;
    }
    panic!("no such metric")
}

const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut k = 0;
    while k < a.len() {
        if a[k] != b[k] {
            return false;
        }
        k += 1;
    }
    true
}

/// One year's observation of `w`: the row of [`METRICS`], the rows of
/// [`GRADE_METRICS`] per grade and those of [`SECTOR_METRICS`] per sector,
/// in one pass over officers. Uses this thread's [`Observer`] for its
/// scratch space; a caller observing every year can hold its own.
pub fn observe(w: &World) -> Observation {
    thread_local! {
        static OBSERVER: std::cell::RefCell<Observer> = std::cell::RefCell::default();
    }
    OBSERVER.with(|o| o.borrow_mut().observe(w))
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_level_interval_stays_within_what_the_metric_can_take() {
        // Two replicates of a rare share: the t interval reaches below 0.
        let xs = [0.001, 0.02];
        let raw = summary::stats(&xs);
        assert!(raw.ci95_low.unwrap() < 0.0, "{raw:?}");
        let s = level_stats("corruption_prevalence", &xs);
        assert_eq!(s.ci95_low, Some(0.0));
        assert_eq!(s.ci95_high, raw.ci95_high);
        assert_eq!((s.mean, s.sd), (raw.mean, raw.sd));
        // And above 1, and a correlation above 1.
        assert_eq!(
            level_stats("vacancy_rate", &[0.999, 0.98]).ci95_high,
            Some(1.0)
        );
        let r = level_stats("promotion_rank_correlation", &[0.99, 0.7]);
        assert_eq!(r.ci95_high, Some(1.0));
        // Counts from 0, a score difference unbounded.
        assert_eq!(level_stats("convictions", &[0.0, 3.0]).ci95_low, Some(0.0));
        let d = level_stats("peter_effect", &[-0.1, 0.3]);
        assert_eq!(d.ci95_low, summary::stats(&[-0.1, 0.3]).ci95_low);
        // Every unit in use has a range that is not upside down.
        for m in METRICS.iter().chain(GRADE_METRICS).chain(SECTOR_METRICS) {
            let (lo, hi) = value_range(m.unit);
            assert!(lo < hi, "{}", m.name);
        }
    }

    #[test]
    fn every_metric_has_a_plain_label_and_flows_are_told_from_stocks() {
        for m in METRICS.iter().chain(GRADE_METRICS).chain(SECTOR_METRICS) {
            assert_ne!(label(m.name), m.name, "{} has no plain label", m.name);
        }
        assert!(is_flow("exits_voluntary") && is_flow("rent_taken"));
        // The bills are the annual amounts of the year-end state.
        assert!(!is_flow("wage_bill") && !is_flow("pension_bill"));
        assert!(!is_flow("headcount") && !is_flow("corruption_prevalence") && !is_flow("morale"));
    }
}
