//! Property tests of the model's invariants (docs/model.md): for random
//! policy settings, every step keeps one holder per post, vacancy pools
//! that list exactly the vacant posts, values in range and no NaN, and no
//! board promotes a convicted officer or one under a long inquiry.

use bureausim::metrics::{self, METRICS};
use bureausim::model::init;
use bureausim::scenario::Scenario;
use bureausim::sim::step::{self, Engine};
use proptest::prelude::*;

fn small(sets: &[String]) -> Scenario {
    let mut s = Scenario::default();
    for g in &mut s.structure.grades {
        g.posts /= 40;
        g.initial_officers = g.initial_officers.map(|n| n / 40);
    }
    for c in &mut s.training.courses {
        c.seats_per_year = (c.seats_per_year / 40).max(1);
    }
    s.sim.years = 4;
    let s = s.with_sets(sets).expect("valid --set");
    s.validate("proptest").expect("valid scenario");
    s
}

/// Metrics that may be missing (no event of that kind in the year).
const MAY_BE_MISSING: &[&str] = &[
    "mean_service_at_promotion",
    "promotion_rank_correlation",
    "peter_effect",
    "mean_completed_tenure",
    "leaver_ability_gap",
    "recruit_mean_ability",
    "corruption_in_rent_posts",
    // Empty when no officer met a board's other conditions (docs/outputs.md);
    // left off this list when the metric was added, and found by a CI run
    // (2026-12-06, seventh session) on a one-step-a-year service.
    "appraisal_barred_share",
];

/// Two ladders: officers of the ex-cadre ladder never reach a grade
/// without ex-cadre posts, each ladder's headcount stays within its posts
/// (plus what it started with), the exam fills only the cadre ladder and
/// the ex-cadre recruitment only the other.
#[test]
fn ex_cadre_officers_climb_only_their_own_ladder() {
    use bureausim::model::population::Channel;
    let s = small(&[
        "structure.grades[0].ex_cadre_share=0.8".into(),
        "structure.grades[1].ex_cadre_share=0.6".into(),
        "structure.grades[2].ex_cadre_share=0".into(),
        "sim.years=12".into(),
    ]);
    let mut w = init::build(&s, 0);
    let mut engine = Engine::default();
    let mut exam = 0u32;
    let mut ex = 0u32;
    for _ in 0..(s.sim.years * s.sim.steps_per_year) {
        step::step(&mut w, &mut engine);
        let mut head = vec![[0u32; 2]; w.derived.grades];
        for i in 0..w.officers.slots() {
            if w.officers.active[i] {
                let g = w.officers.grade[i] as usize;
                head[g][w.officers.ladder[i] as usize] += 1;
            }
        }
        for (g, h) in head.iter().enumerate() {
            let posts = s.structure.ladder_posts(g);
            assert!(g < 2 || h[1] == 0, "ex-cadre officers in grade {g}: {h:?}");
            for l in 0..2 {
                assert!(
                    h[l] <= posts[l].max(s.structure.initial_officers(g)),
                    "grade {g} ladder {l}: {h:?} of {posts:?}"
                );
            }
        }
        let by = &w.flows.recruits_by_channel;
        exam = exam.max(w.flows.recruits_exam);
        ex = ex.max(w.flows.recruits_by_ladder[1]);
        assert!(by[Channel::Merit as usize] + by[Channel::Quota as usize] >= w.flows.recruits_exam);
    }
    assert!(exam > 0 && ex > exam, "exam {exam}, ex-cadre {ex}");
    // Promotions happen on both ladders into BPS-18.
    let grades = metrics::observe(&w).grades;
    assert!(grades[1][metrics::grade_metric_index("vacancy_rate_ex_cadre").unwrap()].is_finite());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]

    #[test]
    fn invariants_hold_under_random_policies(
        interference in 0.0f64..=1.0,
        tenure in 3.0f64..=72.0,
        rule in prop::sample::select(vec!["weighted", "seniority", "best", "worst", "random", "best_worst"]),
        posting in prop::sample::select(vec!["generalist", "specialist", "best_match"]),
        detection in 0.0f64..=2.0,
        selective in 0.0f64..=1.0,
        compression in 1.0f64..=8.0,
        merit in 0.0f64..=1.0,
        steps_per_year in prop::sample::select(vec![1u32, 4, 12]),
        stride in 1u32..=6,
        demote in any::<bool>(),
        compulsory in any::<bool>(),
        ex_cadre in 0.0f64..=0.9,
        seed in 0u64..1_000_000,
    ) {
        let sets = vec![
            format!("politics.interference={interference}"),
            format!("postings.tenure_months={tenure}"),
            format!("promotion.rule={rule}"),
            format!("postings.rule={posting}"),
            format!("accountability.detection_rate={detection}"),
            format!("accountability.selective_enforcement={selective}"),
            format!("pay.compression={compression}"),
            format!("recruitment.merit_share={merit}"),
            format!("recruitment.quota_share={}", (1.0 - merit) * 0.9),
            format!("recruitment.patronage_share={}", 1.0 - merit - (1.0 - merit) * 0.9),
            format!("sim.steps_per_year={steps_per_year}"),
            format!("sim.annual_step={steps_per_year}"),
            format!("sim.engine={}", if stride > 1 { "staggered" } else { "monthly" }),
            format!("sim.stride={stride}"),
            format!("promotion.boards_per_year={}", steps_per_year.min(2)),
            format!("accountability.on_conviction={}", if demote { "demote" } else { "dismiss" }),
            format!("exits.compulsory_retirement={compulsory}"),
            format!("sim.seed={seed}"),
            format!("structure.grades[0].ex_cadre_share={ex_cadre}"),
            format!("structure.grades[1].ex_cadre_share={}", ex_cadre * 0.8),
        ];
        let s = small(&sets);
        let mut w = init::build(&s, 0);
        let mut engine = Engine::default();
        prop_assert_eq!(w.check_invariants(), Ok(()));
        for _ in 0..(s.sim.years * steps_per_year) {
            // Officers a board may not promote at this step: convicted (for
            // good, docs/model.md §7.4) or under an inquiry that outlasts
            // the step. An officer is known again by their ability (a
            // recruit in a freed slot has another). Test-quality audit,
            // 2026-12-05: removing the conviction bar passed every test.
            let o = &w.officers;
            let barred: Vec<(usize, u8, u32)> = (0..o.slots())
                .filter(|&i| o.active[i] && (o.convictions[i] > 0 || o.inquiry_left[i] > 12))
                .map(|i| (i, o.grade[i], o.ability[i].to_bits()))
                .collect();
            step::step(&mut w, &mut engine);
            prop_assert_eq!(w.check_invariants(), Ok(()));
            let o = &w.officers;
            // A step that reads the whole service (a board's, the year's
            // last, which the year's observation reads) leaves no officer
            // owing months of its span to the risks (staggered engine).
            let m = ((w.env.step - 1) % steps_per_year as u64) as u32 + 1;
            if bureausim::sim::pass::reads_whole_service(&w, m) {
                let owing = (0..o.slots()).filter(|&i| o.active[i] && o.owed[i] != 0).count();
                prop_assert_eq!(owing, 0, "officers owing months after step {}", m);
            }
            for (i, g, a) in barred {
                if o.active[i] && o.ability[i].to_bits() == a {
                    prop_assert!(
                        o.grade[i] <= g,
                        "officer {} (convictions {}, inquiry {}) promoted from {} to {}",
                        i, o.convictions[i], o.inquiry_left[i], g, o.grade[i]
                    );
                }
            }
        }
        let metrics::Observation { row, grades, sectors } = metrics::observe(&w);
        for (m, v) in METRICS.iter().zip(&row) {
            prop_assert!(v.is_finite() || MAY_BE_MISSING.contains(&m.name), "{} is {}", m.name, v);
        }
        for g in grades {
            prop_assert!(g[0].is_finite() && g[1].is_finite());
        }
        // The sectors partition the posts and the posted officers.
        let col = |name: &str| metrics::SECTOR_METRICS.iter().position(|m| m.name == name).unwrap();
        let total = |c: usize| sectors.iter().map(|r| r[c]).sum::<f64>();
        prop_assert_eq!(sectors.len(), s.structure.sectors.len());
        prop_assert_eq!(total(col("posts")), row[metrics::metric_index("posts").unwrap()]);
        prop_assert_eq!(total(col("posted")), row[metrics::metric_index("posted").unwrap()]);
        for r in &sectors {
            prop_assert!(r[col("corrupt")] <= r[col("posted")] && r[col("posted")] <= r[col("posts")]);
        }
    }
}

#[test]
fn same_seed_same_world_different_replicate_differs() {
    let s = small(&[]);
    let run = |rep: u64| {
        let mut w = init::build(&s, rep);
        let mut engine = Engine::default();
        for _ in 0..24 {
            step::step(&mut w, &mut engine);
        }
        metrics::observe(&w).row
    };
    let a = run(0);
    let b = run(0);
    let c = run(1);
    assert_eq!(
        a.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
        b.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
    );
    assert_ne!(a, c);
}

/// Guards the bug where reversing a reform restored its old value over a
/// later reform of the same key.
#[test]
fn reversal_keeps_a_later_reforms_value() {
    let mut s = small(&[]);
    s.sim.warmup_years = 0;
    let reform = |year: f64, value: f64, hazard: f64| {
        let text = format!(
            "year = {year}\nreversal_hazard = {hazard}\nset = {{ pay.compression = {value} }}\n"
        );
        toml::from_str::<bureausim::model::reforms::Reform>(&text).expect("reform")
    };
    s.reforms = vec![reform(1.0, 4.0, 1.0), reform(1.5, 6.0, 0.0)];
    s.validate("test").expect("valid");
    let mut w = init::build(&s, 0);
    let mut engine = Engine::default();
    for _ in 0..12 * 3 {
        step::step(&mut w, &mut engine);
    }
    // The first reform has been reversed (hazard 1) after the second set 6.
    assert_eq!(w.scn.pay.compression, 6.0);
    let mut w = init::build(&s, 0);
    let mut engine = Engine::default();
    for _ in 0..19 {
        step::step(&mut w, &mut engine);
    }
    assert_eq!(
        w.scn.pay.compression, 6.0,
        "the second reform applies at step 18"
    );
    let mut only_first = s.clone();
    only_first.reforms.truncate(1);
    let mut w = init::build(&only_first, 0);
    let mut engine = Engine::default();
    for _ in 0..12 * 3 {
        step::step(&mut w, &mut engine);
    }
    assert_eq!(
        w.scn.pay.compression, 2.8,
        "a lone reversed reform restores the old value"
    );
}

/// The default scenario at 0.4 of its size, run for `years` after
/// `warmup` with `replicates`, with `sets` applied.
fn at_four_tenths(sets: &[&str], years: u32, warmup: u32, replicates: u32) -> Scenario {
    let mut s = Scenario::default().scaled(0.4);
    s.sim.years = years;
    s.sim.warmup_years = warmup;
    s.sim.replicates = replicates;
    let sets: Vec<String> = sets.iter().map(|x| x.to_string()).collect();
    let s = s.with_sets(&sets).expect("valid --set");
    s.validate("test").expect("valid scenario");
    s
}

/// A replicate of a scenario large enough for several chunks of the pass.
fn several_chunks(sets: &[&str]) -> Scenario {
    let s = at_four_tenths(sets, 3, 1, 1);
    let officers: u32 = (0..s.structure.grades.len())
        .map(|g| s.structure.initial_officers(g))
        .sum();
    assert!(officers > 2 * 4096, "needs at least three chunks");
    s
}

fn rows(s: &Scenario, threads: usize) -> Vec<Vec<f64>> {
    let r = bureausim::sim::runner::run(s, threads, &|| {}).expect("run");
    r[0].rows.clone()
}

fn same_rows(a: &[Vec<f64>], b: &[Vec<f64>]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| {
            x.iter()
                .zip(y)
                .all(|(p, q)| p.to_bits() == q.to_bits() || (p.is_nan() && q.is_nan()))
        })
}

/// One replicate large enough for several chunks of the officer pass gives
/// bit-identical results on one thread and on two, under either engine:
/// the chunks run in parallel, and their events and sums are merged in
/// slot order.
#[test]
fn one_replicate_is_the_same_on_one_and_two_threads() {
    for sets in [
        &["sim.engine=monthly"][..],
        &["sim.engine=staggered", "sim.stride=3"][..],
    ] {
        let s = several_chunks(sets);
        let (a, b) = (rows(&s, 1), rows(&s, 2));
        assert!(same_rows(&a, &b), "{sets:?}: rows differ:\n{a:?}\n{b:?}");
    }
}

/// The staggered engine's update over a span of one step is the monthly
/// engine's, bit for bit: with one step a year every step is the year's
/// last, on which everyone is updated over one step, whatever the stride.
/// With monthly steps and a stride of 3 spans are longer, and the results
/// differ (the key is read).
#[test]
fn the_staggered_engine_over_one_step_spans_is_the_monthly_engine() {
    let yearly = [
        "sim.engine=monthly",
        "sim.steps_per_year=1",
        "sim.annual_step=1",
        "promotion.boards_per_year=1",
    ];
    let stag = ["sim.engine=staggered", "sim.stride=3"];
    let monthly_yearly = rows(&several_chunks(&yearly), 2);
    let stag_yearly = rows(&several_chunks(&[&yearly[..], &stag[..]].concat()), 2);
    assert!(same_rows(&monthly_yearly, &stag_yearly));
    let monthly = rows(&several_chunks(&["sim.engine=monthly"]), 2);
    let three = rows(&several_chunks(&stag), 2);
    assert!(!same_rows(&monthly, &three));
}

/// A posting lasts as long under the staggered engine as under the monthly
/// one. Over a span, an event that ends a posting (a due rotation, a
/// political transfer, an inquiry, a quit) falls on one of the span's
/// steps, and a retirement on the step that reaches the age: the posting's
/// length counts the months to that step, not to the span's end. Before
/// this was so, `mean_completed_tenure` came out about 4% long at a stride
/// of 3 and 12% long at a stride of 12 (docs/engines.md).
///
/// And the year's observation reads the months in post the monthly engine
/// gives: the risks of the months an event or a revision left of an
/// officer's last span are drawn before it (a second move among them).
/// Before they were, `mean_months_in_post` came out 0.6% long at a stride
/// of 3 and 4.2% at a stride of 12 (docs/engines.md); here 0.66% and 4.4%
/// (now −0.03% and +0.07%), so it is held within 0.5%.
///
/// And the officers deliver as much: an event in the months owed after a
/// revision (or after a transfer that found no vacancy) that moves the
/// officer takes back those months' delivery in the old post, which its
/// last span counted. Before it did, `efficiency` came out 0.10% high at a
/// stride of 3 and 1.15% at a stride of 12 here (then −0.00% and +0.43%;
/// +0.02% and +0.51% since a second event on a rotation's step no longer
/// takes back the rotation post's undelivered months); a regression
/// check, its 0.75% set after measuring.
#[test]
fn a_posting_lasts_as_long_under_either_engine() {
    let col = |name: &str| METRICS.iter().position(|m| m.name == name).unwrap();
    let (tenure, in_post) = (col("mean_completed_tenure"), col("mean_months_in_post"));
    let efficiency = col("efficiency");
    let means = |sets: &[&str]| {
        let s = at_four_tenths(sets, 10, 5, 4);
        let runs = bureausim::sim::runner::run(&s, 2, &|| {}).expect("run");
        let mean = |c: usize| {
            let v: Vec<f64> = runs
                .iter()
                .flat_map(|r| r.rows.iter().skip(1).map(|row| row[c]))
                .collect();
            assert!(v.iter().all(|x| x.is_finite()), "{sets:?}: {v:?}");
            v.iter().sum::<f64>() / v.len() as f64
        };
        (mean(tenure), mean(in_post), mean(efficiency))
    };
    let monthly = means(&["sim.engine=monthly"]);
    for stride in [3, 12] {
        let stride = format!("sim.stride={stride}");
        let staggered = means(&["sim.engine=staggered", &stride]);
        assert!(
            (staggered.0 / monthly.0 - 1.0).abs() < 0.01,
            "{stride}: postings of {} months against {} under the monthly engine",
            staggered.0,
            monthly.0
        );
        assert!(
            (staggered.1 / monthly.1 - 1.0).abs() < 0.005,
            "{stride}: {} months in post against {} under the monthly engine",
            staggered.1,
            monthly.1
        );
        assert!(
            (staggered.2 / monthly.2 - 1.0).abs() < 0.0075,
            "{stride}: efficiency {} against {} under the monthly engine",
            staggered.2,
            monthly.2
        );
    }
}

/// A key that its mechanism's own switch or weight makes idle changes no
/// result (a dead-key audit, 2026-12-08): with promotion off,
/// `boards_per_year` moved the staggered engine's schedule; with no weight
/// on the board's discretion, `board_size` moved results through the
/// number of its members' draws alone. Where they act, they do.
#[test]
fn keys_that_their_mechanism_leaves_idle_change_nothing() {
    let small = |sets: &[&str]| {
        let mut s = Scenario::default().scaled(0.1);
        s.sim.years = 4;
        s.sim.warmup_years = 1;
        s.sim.replicates = 1;
        let sets: Vec<String> = sets.iter().map(|x| x.to_string()).collect();
        let s = s.with_sets(&sets).expect("valid --set");
        s.validate("test").expect("valid scenario");
        rows(&s, 1)
    };
    let off = ["promotion.enabled=false"];
    assert!(same_rows(
        &small(&off),
        &small(&[&off[..], &["promotion.boards_per_year=6"]].concat())
    ));
    assert!(!same_rows(
        &small(&[]),
        &small(&["promotion.boards_per_year=6"])
    ));
    let no_discretion = [
        "promotion.rule=weighted",
        "promotion.weights.discretion=0",
        "promotion.weights.appraisal=0.7",
    ];
    let with = |extra: &[&str]| small(&[&no_discretion[..], extra].concat());
    let base = with(&[]);
    assert!(same_rows(&base, &with(&["promotion.board_size=7"])));
    let with_discretion = |extra: &[&str]| {
        small(
            &[
                &[
                    "promotion.rule=weighted",
                    "promotion.weights.discretion=0.3",
                ][..],
                extra,
            ]
            .concat(),
        )
    };
    assert!(!same_rows(
        &with_discretion(&[]),
        &with_discretion(&["promotion.board_size=7"])
    ));
}
