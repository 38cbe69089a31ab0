//! The validation checks of docs/validation.md, run on a service a tenth of
//! the size with fewer replicates (`Settings::quick`): every published
//! finding the model is recorded as agreeing with has the stated sign,
//! every reform scenario's stated effects have theirs, and the classic
//! Peter-principle model reproduces the paper's gains. `bureausim validate`
//! runs the same code at full size and writes the report.

use std::path::{Path, PathBuf};

use bureausim::experiment::validation::{
    self, EVIDENCE, Runner, Settings, Verdict, classic, measure, measure_expectations,
};
use bureausim::scenario::Scenario;

fn library() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios")
}

fn evidence(id: &str) {
    let c = EVIDENCE
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no evidence check `{id}`"));
    let base = Scenario::load(&library().join("pakistan_baseline.toml"), &[]).expect("baseline");
    let mut runner = Runner::new(base, Settings::quick());
    let r = measure(&mut runner, c).expect("measured");
    let (lo, hi) = r.effect.ci();
    // A finding recorded as agreeing must show the stated direction with an
    // interval clear of 0 on this smaller service too (its size may fall
    // outside the band here): a sign alone would pass half the time with
    // the mechanism removed (test-quality audit, 2026-12-05: at these
    // settings every agreeing check's interval excludes 0). One recorded as
    // not agreeing must not agree in size.
    // One whose note says it disagrees in direction must show the opposite
    // sign with an interval clear of 0 (a review, 2026-12-06: "not
    // agreeing" alone passes with identical arms).
    let ok = if c.agrees {
        matches!(r.verdict, Verdict::Agrees | Verdict::DirectionOnly)
    } else if c.note.starts_with("Disagrees in direction") {
        r.verdict == Verdict::Disagrees
    } else {
        r.verdict != Verdict::Agrees
    };
    assert!(
        ok,
        "{id}: effect {:.4} [{lo:.4}, {hi:.4}] on {} ({}); recorded as {}agreeing",
        r.effect.mean(),
        c.metric,
        r.verdict.label(),
        if c.agrees { "" } else { "not " }
    );
}

macro_rules! evidence_tests {
    ($($id:ident),* $(,)?) => {
        $(#[test] fn $id() { evidence(stringify!($id)); })*
        const TESTED: &[&str] = &[$(stringify!($id)),*];
    };
}

evidence_tests!(
    merit_recruitment_corruption,
    merit_recruitment_performance,
    pay_relative_wage,
    pay_needs_detection,
    pay_cut_raises_corruption,
    rotation_lowers_bribes,
    political_transfers_worse,
    new_government_transfers,
    peter_effect_in_cadre,
    discretion_spots_ability,
    beliefs_raise_corruption,
    temporary_push_persists,
);

#[test]
fn every_evidence_check_has_a_test() {
    for c in EVIDENCE {
        assert!(
            TESTED.contains(&c.id),
            "no test for evidence check `{}`",
            c.id
        );
    }
}

/// Every stated effect of a reform scenario holds in direction on the
/// smaller service: the paired difference has the stated sign and its 95%
/// interval excludes 0 (its size may fall outside the stated band here).
fn reform(name: &str) {
    let path = library().join(format!("{name}.toml"));
    // Resignations are a small count at a tenth of the service (about 19 a
    // year), and `pay_decompression`'s fall in them (-8.7% at full size,
    // docs/validation.md) had an interval clear of 0 at 8 replicates on 1
    // of 4 seeds after the staggered engine's corrections of 2026-12-07
    // (-1.2% to -9.2%); at 16, on 3 of 3 (-4.6% to -5.2%), still narrowly.
    let settings = match name {
        "pay_decompression" => Settings {
            replicates: 16,
            ..Settings::quick()
        },
        _ => Settings::quick(),
    };
    let results = measure_expectations(&path, &settings, &|_| {}).expect("measured");
    assert!(!results.is_empty(), "{name} states no effects");
    for e in results {
        let (lo, hi) = e.effect.ci();
        assert!(
            matches!(e.verdict, Verdict::Agrees | Verdict::DirectionOnly),
            "{name}: {} expected {}, measured {:.4} [{lo:.4}, {hi:.4}] ({:+.1}%)",
            e.metric,
            if e.direction > 0.0 { "up" } else { "down" },
            e.effect.mean(),
            e.effect.percent().unwrap_or(f64::NAN)
        );
    }
}

macro_rules! reform_tests {
    ($($name:ident),* $(,)?) => {
        $(#[test] fn $name() { reform(stringify!($name)); })*
        const REFORMS: &[&str] = &[$(stringify!($name)),*];
    };
}

reform_tests!(
    accountability_reform,
    depoliticised_postings,
    e_governance,
    kp_sustainability,
    merit_promotion,
    merit_recruitment,
    ncgr_2008,
    pay_decompression,
    smart_civil_service_2025,
    specialist_tracks,
    task_force_2020,
    tenure_security,
);

#[test]
fn every_reform_scenario_states_its_effects_and_is_tested() {
    for f in validation::scenario_files(&library()).expect("library") {
        let s = Scenario::load(&f, &[]).expect("valid");
        if s.reforms.is_empty() {
            continue;
        }
        assert!(
            !s.expect.is_empty(),
            "{} has reforms but no [[expect]]",
            f.display()
        );
        assert!(
            REFORMS.contains(&s.name.as_str()),
            "no test for {}",
            f.display()
        );
    }
}

/// The classic scenario is the paper's model, not bureausim's defaults:
/// every agent of the level below is a candidate however often it has
/// been passed over (the default limit of 2 made about 90% of the paper's
/// supersessions impossible and shrank its gains by 1.5 points), with no
/// zone of consideration and every vacancy filled at every level, the top
/// included.
#[test]
fn classic_model_has_no_supersession_limit() {
    let path = library().join("classics/peter_principle.toml");
    let scn = bureausim::scenario::Scenario::load(&path, &[]).expect("loads");
    assert_eq!(scn.promotion.max_supersessions, 0);
    assert_eq!(scn.promotion.zone_factor, 0.0);
    assert_eq!(scn.promotion.fill_share, 1.0);
    assert_eq!(scn.promotion.top_fill_share, 1.0);
    assert_eq!(scn.promotion.board_skip_probability, 0.0);
    assert!(
        scn.structure
            .grades
            .iter()
            .all(|g| g.min_service_years == 0.0),
        "any agent of the level below may be promoted"
    );
}

/// Pluchino, Rapisarda & Garofalo (2010). Under the Peter hypothesis the paper reports (in points of efficiency)
/// about -10 for promoting the best and +12 for the worst; promoting at
/// random gains little under either hypothesis.
#[test]
fn classic_model_gains_are_the_papers() {
    let s = Settings {
        classic_replicates: 12,
        classic_years: 300,
        ..Settings::quick()
    };
    let path = library().join("classics/peter_principle.toml");
    let results = classic(&path, &s, &|_| {}).expect("classic runs");
    let gain = |h: &str, st: &str| {
        results
            .iter()
            .find(|r| r.hypothesis == h && r.strategy == st && (r.p - 0.5).abs() < 1e-9)
            .and_then(|r| r.gain.mean)
            .expect("result")
    };
    let near = |x: f64, want: f64, tol: f64| (x - want).abs() <= tol;
    let (b, w, r) = (
        gain("redraw", "best"),
        gain("redraw", "worst"),
        gain("redraw", "random"),
    );
    assert!(near(b, -10.0, 3.0), "Peter hypothesis, best: {b:+.1}");
    assert!(near(w, 12.0, 3.0), "Peter hypothesis, worst: {w:+.1}");
    assert!(near(r, 1.0, 3.0), "Peter hypothesis, random: {r:+.1}");
    let (cb, cw, cr) = (
        gain("carry_over", "best"),
        gain("carry_over", "worst"),
        gain("carry_over", "random"),
    );
    assert!(near(cr, 2.0, 3.0), "common sense, random: {cr:+.1}");
    // The paper's orderings: worst > random > best under the Peter
    // hypothesis, the reverse when competence carries over.
    assert!(
        w > r && r > b,
        "Peter hypothesis: worst {w:+.1}, random {r:+.1}, best {b:+.1}"
    );
    assert!(
        cb > cr && cr > cw,
        "common sense: best {cb:+.1}, random {cr:+.1}, worst {cw:+.1}"
    );
    // The mixed strategy moves monotonically between the pure ones.
    for h in ["redraw", "carry_over"] {
        let late: Vec<f64> = validation::P_SWEEP
            .iter()
            .map(|&p| {
                results
                    .iter()
                    .find(|r| r.hypothesis == h && r.strategy == "best_worst" && r.p == p)
                    .expect("sweep")
                    .late_mean
            })
            .collect();
        let rising = late.windows(2).all(|w| w[1] > w[0]);
        let falling = late.windows(2).all(|w| w[1] < w[0]);
        assert!(rising || falling, "{h}: {late:?}");
    }
}
