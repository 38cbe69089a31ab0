//! Every policy lever of the brief's section 3 moves its outcome in the
//! direction docs/model.md states. Each case runs the federal cadre scaled
//! down to a tenth, low and high setting of one lever with common random
//! numbers (replicate k of both uses the same streams), and requires the
//! paired difference of the outcome, averaged over years 3 to the end, to
//! have the stated sign and to exceed twice its standard error.

use bureausim::metrics::{grade_metric_index, metric_index};
use bureausim::scenario::Scenario;
use bureausim::sim::runner::{self, ReplicateResult};

const REPLICATES: u32 = 6;
const YEARS: u32 = 12;

fn small(sets: &[&str]) -> Scenario {
    let mut s = Scenario::default();
    for g in &mut s.structure.grades {
        g.posts /= 10;
        g.initial_officers = g.initial_officers.map(|n| n / 10);
    }
    for c in &mut s.training.courses {
        c.seats_per_year /= 10;
    }
    s.sim.years = YEARS;
    s.sim.replicates = REPLICATES;
    let sets: Vec<String> = sets.iter().map(|x| x.to_string()).collect();
    let s = s.with_sets(&sets).expect("valid --set");
    s.validate("lever test").expect("valid scenario");
    s
}

/// Means of `metric` over years 1–5 and 16–30 of a run without warm-up
/// (at a tenth of the size, every replicate). The run is made once for
/// every test that reads it.
fn early_and_late(metric: &str) -> (f64, f64) {
    static RUN: std::sync::OnceLock<Vec<ReplicateResult>> = std::sync::OnceLock::new();
    let results = RUN.get_or_init(|| {
        let s = small(&["sim.warmup_years=0", "sim.years=30"]);
        runner::run(&s, 0, &|| {}).expect("run")
    });
    let m = metric_index(metric).unwrap();
    let mean_over = |years: std::ops::RangeInclusive<usize>| {
        let n = (years.end() - years.start() + 1) * results.len();
        results
            .iter()
            .flat_map(|r| years.clone().map(move |y| r.rows[y][m]))
            .sum::<f64>()
            / n as f64
    };
    (mean_over(1..=5), mean_over(16..=30))
}

/// Per-replicate mean over years 3..=YEARS of the value `pick` reads from
/// a year's observations (missing values left out).
fn per_replicate_mean(s: &Scenario, pick: impl Fn(&ReplicateResult, usize) -> f64) -> Vec<f64> {
    replicate_means(&runner::run(s, 0, &|| {}).expect("run"), pick)
}

/// [`per_replicate_mean`] of runs already made.
fn replicate_means(
    runs: &[ReplicateResult],
    pick: impl Fn(&ReplicateResult, usize) -> f64,
) -> Vec<f64> {
    runs.iter()
        .map(|r| {
            let v: Vec<f64> = (3..r.rows.len())
                .map(|y| pick(r, y))
                .filter(|x| x.is_finite())
                .collect();
            v.iter().sum::<f64>() / v.len().max(1) as f64
        })
        .collect()
}

/// Per-replicate mean of `metric` over years 3..=YEARS.
fn outcome(s: &Scenario, metric: &str) -> Vec<f64> {
    let m = metric_index(metric).expect("known metric");
    per_replicate_mean(s, |r, y| r.rows[y][m])
}

/// The same for grade metric `metric` of grade `g`.
fn grade_outcome(s: &Scenario, g: usize, metric: &str) -> Vec<f64> {
    let m = grade_metric_index(metric).expect("known grade metric");
    per_replicate_mean(s, |r, y| r.grades[y][g][m])
}

/// Asserts that moving from `low` to `high` changes `metric` with `sign`.
fn lever(low: &[&str], high: &[&str], metric: &str, sign: f64) {
    let a = outcome(&small(low), metric);
    let b = outcome(&small(high), metric);
    assert_paired(&a, &b, metric, low, high, sign);
}

fn assert_paired(a: &[f64], b: &[f64], metric: &str, low: &[&str], high: &[&str], sign: f64) {
    let d: Vec<f64> = a.iter().zip(b).map(|(x, y)| y - x).collect();
    let n = d.len() as f64;
    let mean = d.iter().sum::<f64>() / n;
    let sd = (d.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    let se = sd / n.sqrt();
    assert!(
        mean * sign > 0.0 && mean.abs() > 2.0 * se,
        "{metric}: {low:?} -> {high:?} changed it by {mean:.4} (se {se:.4}); expected sign {sign}"
    );
}

macro_rules! levers {
    ($($name:ident: $low:expr => $high:expr, $metric:literal, $sign:expr;)*) => {
        $(#[test] fn $name() { lever(&$low, &$high, $metric, $sign); })*
    };
}

/// Objective performance management shrinks the appraisal's noise,
/// inflation and bias, so boards that weight the record rank promotees
/// closer to their true performance. The effect is small against the
/// year-to-year noise of a rank correlation on a tenth-size service's few
/// promotions (about +0.04 with 6 replicates' se of 0.02 once the fill
/// shares took their calibrated values; +0.028, se 0.005, over 80
/// replicates once the arms shared their elections, where 20 replicates
/// gave +0.020, se 0.011), so this lever gets 40 replicates.
///
/// Both arms lower the appraisal bar to 4, as the library's reforms do: at
/// the default bar of 6 honest reports keep most officers from the boards
/// (the next test), and the correlation would be read over the few left.
#[test]
fn objective_pm_sharpens_promotion() {
    let low = [
        "promotion.weights.appraisal=0.9",
        "promotion.weights.training=0.05",
        "promotion.weights.discretion=0.05",
        "promotion.appraisal_threshold=4",
        "appraisal.noise_sd=2.5",
        "sim.replicates=40",
    ];
    let mut high = low.to_vec();
    high.push("appraisal.objective_pm=true");
    let a = outcome(&small(&low), "promotion_rank_correlation");
    let b = outcome(&small(&high), "promotion_rank_correlation");
    assert_paired(&a, &b, "promotion_rank_correlation", &low, &high, UP);
}

/// Honest reports with the bar left at 6 keep most of the officers
/// otherwise eligible from the boards, and promotions fall (an audit,
/// 2026-12-06: 97–99% kept out, promotions from about 1,860 a year to 345
/// at full size); with the bar lowered to 4 few are kept out. Inflated
/// reports clear a bar of 6 almost always.
#[test]
fn honest_reports_at_the_inflated_bar_keep_officers_from_the_boards() {
    let base: [&str; 0] = [];
    let honest = ["appraisal.objective_pm=true"];
    let lowered = [
        "appraisal.objective_pm=true",
        "promotion.appraisal_threshold=4",
    ];
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    // One run per arm: the share kept out and the promotions.
    let (barred, promoted): (Vec<Vec<f64>>, Vec<Vec<f64>>) = [&base[..], &honest, &lowered]
        .iter()
        .map(|sets| {
            let s = small(sets);
            let (m, p) = (
                metric_index("appraisal_barred_share").unwrap(),
                metric_index("promotions").unwrap(),
            );
            let runs = runner::run(&s, 0, &|| {}).expect("run");
            (
                replicate_means(&runs, |r, y| r.rows[y][m]),
                replicate_means(&runs, |r, y| r.rows[y][p]),
            )
        })
        .unzip();
    assert_paired(
        &barred[0],
        &barred[1],
        "appraisal_barred_share",
        &base,
        &honest,
        UP,
    );
    let (b, h, l) = (mean(&barred[0]), mean(&barred[1]), mean(&barred[2]));
    assert!(b < 0.05 && h > 0.8 && l < 0.3, "{b:.3} {h:.3} {l:.3}");
    let (a, c) = (&promoted[0], &promoted[1]);
    assert_paired(a, c, "promotions", &base, &honest, DOWN);
    assert!(mean(c) < 0.5 * mean(a), "{} {}", mean(c), mean(a));
}

#[test]
fn minimum_service_delays_promotion_into_the_grade() {
    // BPS-19 (grade index 2): boards already promote at about 16 years of
    // service, and into BPS-20 to 22 at about 17.5, 24.6 and 29.6 (the
    // baseline, 2026-12-06), so a minimum binds only above those; those
    // promoted into the
    // grade then have served longer.
    let low: [&str; 0] = [];
    let high = [
        "structure.grades[2].min_service_years=28",
        "structure.grades[3].min_service_years=29",
        "structure.grades[4].min_service_years=30",
        "structure.grades[5].min_service_years=31",
    ];
    let a = grade_outcome(&small(&low), 2, "service_at_promotion_in");
    let b = grade_outcome(&small(&high), 2, "service_at_promotion_in");
    assert_paired(&a, &b, "service_at_promotion_in (BPS-19)", &low, &high, 1.0);
}

#[test]
fn age_limit_lowers_entry_age() {
    // The CSS age limit binds the cadre ladder, entrants and the starting
    // population alike (drawn with the same limits), so BPS-20 (grade 3),
    // whose posts are all the cadre's, is younger. BPS-20 needs 17 years of
    // service, so over these years (13-22 after the warm-up) it holds
    // starting officers almost only: this checks the starting population;
    // that recruits keep to the limit is
    // `recruitment::tests::recruits_enter_within_the_age_limits`. Until
    // 2026-12-05 this read the service's retirements, which the limit
    // lowered only because every starting officer, ex-cadre too, took the
    // CSS's entry ages; the ex-cadre three quarters enter at 25–52 whatever
    // the CSS limit (docs/model.md §5).
    let (low, high) = (["recruitment.age_max=30"], ["recruitment.age_max=24"]);
    let a = grade_outcome(&small(&low), 3, "mean_age");
    let b = grade_outcome(&small(&high), 3, "mean_age");
    assert_paired(&a, &b, "mean_age (BPS-20)", &low, &high, DOWN);
}

#[test]
fn a_grade_is_moved_as_its_own_exposure_and_rotation_say() {
    // BPS-17 (grade 0) shielded from political transfers and not rotated:
    // no transfer of either kind in that grade, while the grades above keep
    // both; grades.csv's transfers sum to timeseries.csv's every year.
    let s = small(&[
        "structure.grades[0].political_exposure=0",
        "structure.grades[0].rotation=false",
    ]);
    let col = |name: &str| grade_metric_index(name).unwrap();
    let (reg, pol) = (col("transfers_regular"), col("transfers_political"));
    let (total_reg, total_pol) = (
        metric_index("transfers_regular").unwrap(),
        metric_index("transfers_political").unwrap(),
    );
    let mut above = [0.0; 2];
    for r in runner::run(&s, 0, &|| {}).expect("run") {
        for y in 1..r.rows.len() {
            let g = &r.grades[y];
            assert_eq!((g[0][reg], g[0][pol]), (0.0, 0.0), "year {y}");
            let sum = |c: usize| g.iter().map(|row| row[c]).sum::<f64>();
            assert_eq!(sum(reg), r.rows[y][total_reg], "year {y}");
            assert_eq!(sum(pol), r.rows[y][total_pol], "year {y}");
            above[0] += sum(reg);
            above[1] += sum(pol);
        }
    }
    assert!(above[0] > 0.0 && above[1] > 0.0, "{above:?}");
    // A partial exposure lowers the grade's political transfers.
    let low = ["structure.grades[0].political_exposure=0.3"];
    let a = grade_outcome(&small(&[]), 0, "transfers_political");
    let b = grade_outcome(&small(&low), 0, "transfers_political");
    assert_paired(&a, &b, "transfers_political (BPS-17)", &[], &low, DOWN);
}

const UP: f64 = 1.0;
const DOWN: f64 = -1.0;

levers! {
    // Recruitment
    merit_share_raises_ability: ["recruitment.merit_share=0.0", "recruitment.quota_share=0.5", "recruitment.patronage_share=0.5"]
        => ["recruitment.merit_share=1.0", "recruitment.quota_share=0.0", "recruitment.patronage_share=0.0"], "recruit_mean_ability", UP;
    patronage_share_lowers_integrity: ["recruitment.patronage_share=0.0", "recruitment.quota_share=0.925"]
        => ["recruitment.patronage_share=0.6", "recruitment.quota_share=0.325"], "mean_integrity", DOWN;
    quota_share_lowers_recruit_ability: ["recruitment.merit_share=0.9", "recruitment.quota_share=0.1", "recruitment.patronage_share=0.0"]
        => ["recruitment.merit_share=0.1", "recruitment.quota_share=0.9", "recruitment.patronage_share=0.0"], "recruit_mean_ability", DOWN;
    lateral_entry_replaces_promotion_from_within: [] => ["structure.grades[2].lateral_share=0.5", "structure.grades[3].lateral_share=0.5", "structure.grades[4].lateral_share=0.5", "structure.grades[5].lateral_share=0.5"], "promotions", DOWN;
    exam_noise_lowers_recruit_ability: ["recruitment.exam_noise=0.2"] => ["recruitment.exam_noise=4.0"], "recruit_mean_ability", DOWN;
    intake_size_lowers_vacancies: ["recruitment.fill_share=0.05"] => ["recruitment.fill_share=0.6"], "vacancy_rate", DOWN;
    // Evidence: meritocratic recruitment goes with lower corruption (Rauch &
    // Evans 2000; Dahlström, Lapuente & Teorell 2012).
    merit_recruitment_lowers_corruption: ["recruitment.merit_share=0.0", "recruitment.quota_share=0.5", "recruitment.patronage_share=0.5"]
        => ["recruitment.merit_share=1.0", "recruitment.quota_share=0.0", "recruitment.patronage_share=0.0"], "corruption_prevalence", DOWN;
    // Evidence: re-matching officials and bribers lowers bribes (Abbink 2004).
    rotation_lowers_bribes: ["politics.enabled=false", "postings.tenure_months=72"] => ["politics.enabled=false", "postings.tenure_months=12"], "rent_taken", DOWN;
    // Training
    course_seats_raise_courses_passed: ["training.courses[0].seats_per_year=5"] => ["training.courses[0].seats_per_year=150"], "trained", UP;
    mandatory_course_limits_promotion: ["training.courses[0].seats_per_year=2", "structure.grades[2].mandatory_course="] => ["training.courses[0].seats_per_year=2"], "promotions", DOWN;
    // Content mix: specialised content builds expertise in the cadre's
    // sector (used where officers stay in their cluster), generic content
    // managerial skill.
    specialised_content_raises_expertise: ["postings.rule=specialist", "training.induction_gain=3", "training.induction_specialised=0"]
        => ["postings.rule=specialist", "training.induction_gain=3", "training.induction_specialised=1"], "mean_expertise_in_post", UP;
    specialised_content_costs_managerial_skill: ["training.induction_gain=3", "training.induction_specialised=0"]
        => ["training.induction_gain=3", "training.induction_specialised=1"], "mean_managerial", DOWN;
    training_gain_raises_competence: ["training.induction_gain=0.0"] => ["training.induction_gain=3.0"], "mean_competence", UP;
    refresher_training_raises_competence: ["training.refresher_interval_years=0"] => ["training.refresher_interval_years=1", "training.refresher_gain=1.0"], "mean_competence", UP;
    // Postings
    longer_tenure_lengthens_time_in_post: ["postings.tenure_months=12"] => ["postings.tenure_months=60"], "mean_months_in_post", UP;
    tenure_protection_cuts_political_transfers: ["postings.tenure_protection=0.0"] => ["postings.tenure_protection=0.9"], "transfers_political", DOWN;
    best_match_posting_raises_expertise_match: ["postings.rule=generalist"] => ["postings.rule=best_match"], "expertise_match", UP;
    specialist_track_raises_competence: ["postings.rule=generalist"] => ["postings.rule=specialist"], "mean_competence", UP;
    // Promotion
    appraisal_threshold_cuts_promotions: ["promotion.appraisal_threshold=0"] => ["promotion.appraisal_threshold=9.3"], "promotions", DOWN;
    // Boards that reconsider the passed-over keep pools large enough, on a
    // tenth of the service, for the ranking's quality to show (here and in
    // the appraisal cases below).
    board_discretion_capture_lowers_merit: ["promotion.max_supersessions=0", "promotion.discretion_capture=0.0"] => ["promotion.max_supersessions=0", "promotion.discretion_capture=1.0"], "promotion_rank_correlation", DOWN;
    // A skipped board delays promotions (the next one finds more vacancies),
    // so what it shows is posts left empty longer.
    board_skipping_leaves_posts_vacant: ["promotion.board_skip_probability=0.0"] => ["promotion.board_skip_probability=0.8"], "vacancy_rate", UP;
    seniority_rule_raises_service_at_promotion: ["promotion.rule=weighted"] => ["promotion.rule=seniority"], "mean_service_at_promotion", UP;
    supersession_rule_retires_poor_records: ["exits.compulsory_retirement=false"] => ["exits.compulsory_retirement=true"], "exits_compulsory", UP;
    // Appraisal. Boards of 15 against 1, and appraisal noise of 8 against
    // 0.2, give paired t of 5.9 and 4.1 (2026-12-05); boards of 9 and noise
    // of 4 gave 3.4 and 3.05, near the bar of 2, where a change elsewhere
    // in the eligible pool could fail them (test-quality audit).
    larger_boards_select_better: ["promotion.weights.appraisal=0.05", "promotion.weights.training=0.05", "promotion.weights.discretion=0.9", "promotion.discretion_noise=0.5", "promotion.board_size=1"]
        => ["promotion.weights.appraisal=0.05", "promotion.weights.training=0.05", "promotion.weights.discretion=0.9", "promotion.discretion_noise=0.5", "promotion.board_size=15"], "promotion_rank_correlation", UP;
    // Inflated appraisals crowd the records at the top, so boards that weight
    // the record rank promotees less by their true performance. Like
    // `objective_pm_sharpens_promotion`, a small effect against the noise of a tenth-size service's
    // rank correlation: with 6 replicates it was clear under the monthly
    // engine and lost in the noise under the staggered one (−0.013, se
    // 0.022), while 24 replicates at a tenth of the size (`bureausim
    // compare`, years 4, 8 and 12) gave the same effect under both (monthly
    // −0.105, −0.067, −0.101; staggered −0.091, −0.071, −0.021; 95% interval
    // half-widths 0.10–0.13 for each); so 20 replicates. Both arms rank
    // every eligible officer (no supersession limit, no zone of
    // consideration): with the zone's three candidates a vacancy the
    // effect was lost in the noise (−0.007, se 0.013, 2026-12-05). With
    // the top grade's own fill share (0.6), 20 replicates gave −0.018
    // (se 0.017) and 40 give −0.029 (se 0.012): 40 replicates.
    appraisal_inflation_blunts_promotion: ["promotion.weights.appraisal=0.9", "promotion.weights.training=0.05", "promotion.weights.discretion=0.05", "promotion.max_supersessions=0", "promotion.zone_factor=0", "appraisal.inflation=0", "sim.replicates=40"]
        => ["promotion.weights.appraisal=0.9", "promotion.weights.training=0.05", "promotion.weights.discretion=0.05", "promotion.max_supersessions=0", "promotion.zone_factor=0", "appraisal.inflation=0.9", "sim.replicates=40"], "promotion_rank_correlation", DOWN;
    appraisal_noise_makes_arbitrary_poor_records: ["exits.compulsory_retirement=true", "appraisal.noise_sd=0.2"] => ["exits.compulsory_retirement=true", "appraisal.noise_sd=8"], "exits_compulsory", UP;
    // Pay
    pay_level_cuts_resignations: ["pay.level=0.7"] => ["pay.level=1.5"], "exits_voluntary", DOWN;
    pay_level_raises_recruit_ability: ["pay.level=0.7"] => ["pay.level=1.5"], "recruit_mean_ability", UP;
    // Pay deters through what a conviction costs in own pay (the penalty
    // and the premium) against a bribe valued in market pay, so its effect
    // needs working detection (Van Rijckeghem & Weder 2001).
    pay_level_lowers_corruption: ["pay.level=0.7", "accountability.detection_rate=0.4"] => ["pay.level=2.5", "accountability.detection_rate=0.4"], "corruption_prevalence", DOWN;
    decompression_keeps_seniors: ["pay.compression=1.5"] => ["pay.compression=5.0"], "exits_voluntary", DOWN;
    // Pay for performance is paid against the service's mean record, so it
    // moves pay between officers, not the wage bill (against a fixed 7 it
    // raised the bill under inflated reports and cut it under honest ones):
    // the better performers, abler on average, are paid more and quit less.
    // 20 replicates: at 6 the effect was −0.061 (se 0.043) once bribes
    // were valued in market pay, which pay for performance does not move
    // (2026-12-07); at 20, −0.090 (se 0.021). The channel is how strongly
    // resignations answer pay: at the sourced default of 0.4 (docs/model.md
    // §7.10) the effect is −0.039 (se 0.027, 20 replicates), too small to
    // test, so both arms run at 2.5, the old assumption, where it shows.
    pay_for_performance_keeps_able_officers: ["pay.pay_for_performance=0.0", "sim.replicates=20", "exits.quit_sensitivity=2.5"] => ["pay.pay_for_performance=0.5", "sim.replicates=20", "exits.quit_sensitivity=2.5"], "leaver_ability_gap", DOWN;
    increments_raise_wage_bill: ["pay.increment=0.0"] => ["pay.increment=0.05"], "wage_bill", UP;
    // Politics
    interference_shortens_tenure: ["politics.interference=0.1"] => ["politics.interference=0.9"], "mean_months_in_post", DOWN;
    interference_raises_corruption: ["politics.interference=0.1"] => ["politics.interference=0.9"], "corruption_prevalence", UP;
    external_channel_adds_interference: ["politics.interference=0.3"] => ["politics.interference=0.3", "politics.external_interference=0.5"], "transfers_political", UP;
    shorter_election_cycle_more_changes: ["politics.election_cycle_years=6", "politics.change_probability=1"] => ["politics.election_cycle_years=2", "politics.change_probability=1"], "government_changes", UP;
    // Protection shields from detection, so it shows where detection bites.
    protection_raises_corruption: ["politics.protection=0.0", "accountability.detection_rate=0.4"] => ["politics.protection=1.0", "accountability.detection_rate=0.4"], "corruption_prevalence", UP;
    // Accountability
    detection_lowers_corruption: ["accountability.detection_rate=0.02"] => ["accountability.detection_rate=0.6"], "corruption_prevalence", DOWN;
    conviction_rate_lowers_corruption: ["accountability.conviction_rate=0.05", "accountability.detection_rate=0.3"] => ["accountability.conviction_rate=0.9", "accountability.detection_rate=0.3"], "corruption_prevalence", DOWN;
    decided_share_raises_convictions: ["accountability.decided_share=0.1", "accountability.detection_rate=0.3"] => ["accountability.decided_share=1.0", "accountability.detection_rate=0.3"], "convictions", UP;
    decided_share_lowers_corruption: ["accountability.decided_share=0.1", "accountability.detection_rate=0.3"] => ["accountability.decided_share=1.0", "accountability.detection_rate=0.3"], "corruption_prevalence", DOWN;
    judicial_delay_delays_convictions: ["accountability.judicial_delay_months=6"] => ["accountability.judicial_delay_months=60"], "convictions", DOWN;
    penalties_lower_corruption: ["corruption.penalty_years=0", "accountability.detection_rate=0.3"] => ["corruption.penalty_years=10", "accountability.detection_rate=0.3"], "corruption_prevalence", DOWN;
    whistleblower_protection_raises_detection: ["accountability.whistleblower_protection=0"] => ["accountability.whistleblower_protection=1", "accountability.whistleblower_effect=3"], "corruption_prevalence", DOWN;
    selective_enforcement_hits_the_honest: ["accountability.selective_enforcement=0"] => ["accountability.selective_enforcement=1"], "wrongful_inquiries", UP;
    selective_enforcement_lowers_delivery: ["accountability.selective_enforcement=0"] => ["accountability.selective_enforcement=1"], "efficiency", DOWN;
    // Transparency
    egovernance_lowers_rent_taken: ["transparency.egov_target=0.1"] => ["transparency.egov_target=0.9", "transparency.adoption_speed=1.0"], "rent_taken", DOWN;
    grievance_channels_raise_trust: ["transparency.grievance=0"] => ["transparency.grievance=1"], "public_trust", UP;
    // Exits
    later_retirement_age_cuts_retirements: ["exits.retirement_age=60"] => ["exits.retirement_age=63"], "exits_retirement", DOWN;
}

/// The pension bill starts at the level the starting population's
/// retirements keep (docs/model.md §5, step 8), so a run without warm-up
/// does not open with a bill rising from 0. Measured at full size: 17,082
/// million PKR at year 0, 17,247 at year 5 (4 replicates, 2026-12-05); the
/// 15% allowed here for a tenth of the service was set after that
/// measurement (a regression check, named so). Before the steady-state
/// start the bill was 0 at year 0. With the starting careers drawn ladder
/// by ladder (later on 2026-12-05): 24,397 and 24,774; with the pension's
/// pull on quits and the seniority fill (2026-12-06): 28,773 and 28,726.
#[test]
fn the_pension_bill_starts_near_its_early_level() {
    let s = small(&["sim.warmup_years=0"]);
    let m = metric_index("pension_bill").unwrap();
    for r in runner::run(&s, 0, &|| {}).expect("run") {
        let start = r.rows[0][m];
        let early = (1..=5).map(|y| r.rows[y][m]).sum::<f64>() / 5.0;
        assert!(
            start > 0.0 && (early / start - 1.0).abs() < 0.15,
            "year 0 {start}, years 1-5 {early}"
        );
    }
}

/// The pension bill holds its level through a run without warm-up: the
/// starting profile holds as many officers near retirement, as well paid,
/// as the model's own service later (docs/model.md §5, steps 2–4). Until
/// 2026-12-06 it did not: the profile left out the pension's pull on
/// quits, its last month before retirement was empty and the grades below
/// the selection posts were filled at random rather than by seniority, so
/// the starting stock was about a fifth below the level the model's own
/// retirements keep and the bill rose by about a tenth through every run
/// (docs/model.md §9, "Pensions at the start"). The 5% allowed between years 1–5 and
/// 16–30 was chosen before running this test; at this size it measured
/// +0.6%, and -7.6% on the old profile.
#[test]
fn the_pension_bill_holds_its_level_from_the_start() {
    let (early, late) = early_and_late("pension_bill");
    assert!(
        late > 0.0 && (early / late - 1.0).abs() < 0.05,
        "pension bill: years 1-5 {early:.1}, years 16-30 {late:.1}"
    );
}

/// The starting career profile is the service's steady state (docs/model.md
/// §5, step 2): each ladder's officers entered at its own ages, so a run
/// without warm-up opens with retirements at their later pace instead of a
/// wave. Before 2026-12-05 every starting officer took the CSS's entry ages
/// (21–30), ex-cadre officers too, whose entrants are 25–52: retirements ran
/// at about 610 a year at full size for the first decade, then rose to
/// about 1,270 around year 30 and settled near 1,000. The 15% allowed
/// between years 1–5 and years 16–30 was chosen before running this test
/// (the same tolerance as the pension bill's above); the old profile's
/// ratio was about 0.55.
#[test]
fn retirements_start_at_their_steady_pace() {
    let (early, late) = early_and_late("exits_retirement");
    assert!(
        late > 0.0 && (early / late - 1.0).abs() < 0.15,
        "retirements a year: years 1-5 {early:.1}, years 16-30 {late:.1}"
    );
}

/// Pay for performance is paid against the service's mean record: it
/// moves pay between officers and leaves the wage bill nearly as it was,
/// under inflated reports and honest ones alike. Against a fixed record of
/// 7 (before 2026-12-06) it raised the bill under inflated reports and cut
/// it under honest ones (`ncgr_2008`: 13% of the wage bill, and 62% more
/// resignations, from a package meant to reward performance).
#[test]
fn pay_for_performance_leaves_the_wage_bill_on_either_scale() {
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    for reports in [
        &[][..],
        &[
            "appraisal.objective_pm=true",
            "promotion.appraisal_threshold=4",
        ],
    ] {
        let mut with = reports.to_vec();
        with.push("pay.pay_for_performance=0.15");
        let a = mean(&outcome(&small(reports), "wage_bill"));
        let b = mean(&outcome(&small(&with), "wage_bill"));
        assert!(
            (b / a - 1.0).abs() < 0.03,
            "{reports:?}: wage bill {a:.0} without pay for performance, {b:.0} with"
        );
    }
}

/// Bribes are sums of money (`corruption.rent_valuation = "market"`): a
/// general pay rise does not raise the bribes taken, and fewer officers
/// take them; nor does a larger increment. A mechanism audit (2026-12-06)
/// found that valued in own pay they rose with pay: × 1.5 gave
/// `rent_taken` +55% in the baseline (and a review, 2026-12-07, that an
/// increment of 0.06 gave +17% when only level and compression were
/// taken out).
/// `"own_pay"` keeps that rule for results made with it.
#[test]
fn a_pay_rise_does_not_raise_the_bribes_taken_in_money() {
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    // Bribes taken and the share taking them, from one run.
    let run = |sets: &[&str]| {
        let runs = runner::run(&small(sets), 0, &|| {}).expect("run");
        let at = |metric: &str| {
            let m = metric_index(metric).unwrap();
            mean(&replicate_means(&runs, |r, y| r.rows[y][m]))
        };
        (at("rent_taken"), at("corruption_prevalence"))
    };
    let rent = |sets: &[&str]| run(sets).0;
    let base = rent(&[]);
    for rise in ["pay.level=2.0", "pay.increment=0.06"] {
        let raised = rent(&[rise]);
        // 814 and 884 against 902 (2026-12-07); the old rule's +17% and
        // +100% are far outside the 5% allowed for the runs' own luck.
        assert!(
            raised < 1.05 * base,
            "rent_taken {base:.0} at the baseline's pay, {raised:.0} with {rise}"
        );
    }
    // The decision: doubled pay doubles what a conviction costs against
    // the same bribe (σ = 2), so fewer take bribes than under the own-pay
    // rule, where only the premium moved (a review, 2026-12-07: dropping σ
    // from the decision failed no test; it fails this). 0.174 against 0.208, same seeds
    // (2026-12-07).
    let (own_rent, own_share) = run(&["pay.level=2.0", "corruption.rent_valuation=own_pay"]);
    let (_, share) = run(&["pay.level=2.0"]);
    assert!(
        share < 0.97 * own_share,
        "at pay level 2, {share:.4} take bribes with bribes in market pay, {own_share:.4} in own pay"
    );
    assert!(
        own_rent > 1.5 * base,
        "valued in own pay: rent_taken {base:.0} at pay level 1, {own_rent:.0} at 2"
    );
}

/// Selective enforcement is a political use of the agencies: with politics
/// off there are no wrongful inquiries and no fear of them, and the key
/// changes nothing (a mechanism audit, 2026-12-06: with politics off no
/// one was connected, so wrongful inquiries rose, 110 → 141 a year in the
/// baseline, and the fear they spread lowered delivery more).
#[test]
fn politics_off_turns_no_inquiry_against_the_unconnected() {
    let off = small(&["politics.enabled=false"]);
    let m = metric_index("wrongful_inquiries").unwrap();
    for r in runner::run(&off, 0, &|| {}).expect("run") {
        assert!(
            r.rows.iter().all(|row| row[m] == 0.0),
            "{:?}",
            r.rows.iter().map(|row| row[m]).collect::<Vec<_>>()
        );
    }
    let none = small(&[
        "politics.enabled=false",
        "accountability.selective_enforcement=0",
    ]);
    assert_eq!(
        outcome(&off, "efficiency"),
        outcome(&none, "efficiency"),
        "selective enforcement reads nothing with politics off"
    );
    // Year 0's delivery, a snapshot of the starting service, too (a
    // review: it still read the fear with politics off).
    let full = small(&[
        "politics.enabled=false",
        "accountability.selective_enforcement=1",
    ]);
    let e = metric_index("efficiency").unwrap();
    let year0 = |s: &Scenario| -> Vec<f64> {
        runner::run(s, 0, &|| {})
            .expect("run")
            .iter()
            .map(|r| r.rows[0][e])
            .collect()
    };
    assert_eq!(year0(&full), year0(&none));
    let on = outcome(&small(&[]), "wrongful_inquiries");
    assert!(on.iter().all(|&x| x > 0.0), "with politics on: {on:?}");
}
