//! The initial state of a replicate: posts laid out from the structure and
//! the starting officers, drawn through the same recruitment channels as
//! later entrants and aged to their grade's career stage.

use rayon::slice::ParallelSliceMut;

use crate::model::corruption;
use crate::model::params::Scenario;
use crate::model::population::{CADRE, Channel, EX_CADRE, NONE, NewOfficer, Officers};
use crate::model::posts::Posts;
use crate::model::recruitment::{self, Entrant};
use crate::model::reforms::ReformState;
use crate::model::world::{Derived, Env, Flows, UnitCount, World};
use crate::rng::{BOARD_STREAM, ELECTION_STREAM, GLOBAL_STREAM, INIT_STREAM, Stream};

/// Builds replicate `replicate` of scenario `scn` at step 0.
pub fn build(scn: &Scenario, replicate: u64) -> World {
    let seed = scn.sim.seed;
    let d = Derived::new(scn);
    let mut init = Stream::new(seed, replicate, INIT_STREAM);
    let spread = scn.structure.rent_spread;
    let posts = Posts::build(
        &scn.structure.posts_by_grade_sector(),
        scn.structure.posts_per_unit,
        || init.range(1.0 - spread, 1.0 + spread) as f32,
    );
    let capacity = (scn.structure.total_posts() as usize * 21 / 20).max(16);
    let mut w = World {
        officers: Officers::with_capacity(capacity, d.sectors),
        units: vec![UnitCount::default(); posts.units],
        unit_scratch: Vec::new(),
        posts,
        env: Env {
            step: 0,
            egov: scn.transparency.egov_initial,
            trust: scn.trust.initial,
            wave_left: 0,
            wave_steps: 0,
            promotion_capture: 0.0,
            pension_stock: 0.0,
            transfer_pressure: 0.0,
            government_changes: 0,
            detection_boost: 1.0,
        },
        flows: Flows::default(),
        rng: Stream::new(seed, replicate, GLOBAL_STREAM),
        election_rng: Stream::new(seed, replicate, ELECTION_STREAM),
        board_rng: Stream::new(seed, replicate, BOARD_STREAM),
        seed,
        replicate,
        reforms: scn
            .reforms
            .iter()
            .map(|r| ReformState::new(r, d.steps_per_year))
            .collect(),
        events: Vec::new(),
        events_after: Vec::new(),
        board_scratch: Default::default(),
        recruit_scratch: Default::default(),
        training_scratch: Vec::new(),
        derived: d,
        scn: scn.clone(),
    };
    populate(&mut w, &mut init);
    crate::model::pay::starting_pensions(&mut w);
    w
}

fn populate(w: &mut World, rng: &mut Stream) {
    let scn = w.scn.clone();
    let rp = &scn.recruitment;
    let grades = w.derived.grades;
    let total: usize = (0..grades)
        .map(|g| scn.structure.initial_officers(g) as usize)
        .sum();
    // A stationary career profile: each officer's service is drawn over a
    // whole career (entry age to retirement), thinned by a constant
    // attrition rate, and grades are filled from the top down at random
    // among officers with the grade's minimum service, so the starting pyramid already has the age structure
    // of a service in steady state and retirements run at their steady pace.
    let attrition = (scn.exits.quit_base + 0.005).max(1e-6);
    let new_entrants = scn.structure.initial_careers == "entry";
    let mut careers: Vec<(f64, f64)> = (0..total)
        .map(|_| {
            let entry_age = rp.draw_age(rng);
            let span = (scn.exits.retirement_age - entry_age - 1.0 / 12.0).max(0.0);
            // Truncated exponential on [0, span] with rate `attrition`.
            let u = rng.uniform();
            let service = if new_entrants {
                0.0
            } else {
                -(1.0 - u * (1.0 - (-attrition * span).exp())).ln() / attrition
            };
            (service, entry_age)
        })
        .collect();
    // A stable sort, on every core for a large service: the one order,
    // whatever the threads.
    careers.par_sort_by(|a, b| b.0.total_cmp(&a.0));
    // Grades are filled from the top: each takes its officers at random
    // among those still unassigned with at least its minimum service (the
    // most senior when too few qualify), so a grade holds a spread of
    // career stages rather than only the oldest.
    let mut by_grade: Vec<Vec<(f64, f64)>> = vec![Vec::new(); grades];
    for g in (0..grades).rev() {
        let n = scn.structure.initial_officers(g) as usize;
        let min_g = scn.structure.grades[g].min_service_years;
        let qualified = careers.iter().take_while(|c| c.0 >= min_g).count();
        let (pick, shuffled) = if qualified > n {
            // Partial Fisher–Yates over the qualified prefix.
            for k in 0..n {
                let j = k + rng.below(qualified - k);
                careers.swap(k, j);
            }
            (n, qualified - n)
        } else {
            (n.min(careers.len()), 0)
        };
        by_grade[g] = careers.drain(..pick).collect();
        // Only the qualified officers left unpicked lost their order (the
        // partial shuffle moved them); every one of them ranks above every
        // unqualified officer behind them, so sorting them alone (stably)
        // gives the whole list's order. A service of millions otherwise
        // sorts millions once a grade.
        careers[..shuffled].par_sort_by(|a, b| b.0.total_cmp(&a.0));
        debug_assert!(careers.is_sorted_by(|a, b| b.0.total_cmp(&a.0).is_le()));
    }
    let mut entrants: Vec<Entrant> = Vec::new();
    let mut pool = recruitment::DrawBuffers::default();
    let entry = w.derived.entry_grades.first().copied().unwrap_or(0);
    let attract = rp.attractiveness(w.derived.basic_pay[entry], w.derived.outside[entry]);
    for g in (0..grades).rev() {
        let n = scn.structure.initial_officers(g) as usize;
        entrants.clear();
        // Officers in post today entered through the same channels, on
        // each ladder in proportion to its posts.
        let ex = ((n as f64) * scn.structure.grades[g].ex_cadre_share).round() as usize;
        for (ch, seats) in recruitment::channel_seats(rp, (n - ex.min(n)) as u32) {
            recruitment::draw_entrants(
                rp,
                attract,
                ch,
                CADRE,
                seats,
                rng,
                &mut entrants,
                &mut pool,
            );
        }
        if ex > 0 {
            for (ch, seats) in recruitment::channel_seats(rp, ex as u32) {
                recruitment::draw_entrants(
                    rp,
                    attract,
                    ch,
                    EX_CADRE,
                    seats,
                    rng,
                    &mut entrants,
                    &mut pool,
                );
            }
        }
        rng.shuffle(&mut entrants);
        let min_here = scn.structure.grades[g].min_service_years;
        for (e, &(drawn, entry_age)) in entrants.iter().zip(&by_grade[g]) {
            // Seniority ranking can leave an officer short of the grade's
            // minimum service only in a service too small for its pyramid.
            let years = drawn.max(
                min_here
                    .min(scn.exits.retirement_age - entry_age - 1.0)
                    .max(0.0),
            );
            let cadre = recruitment::cadre_at(&scn.structure.sectors, rng.uniform());
            let scalar = scn.work.draw_scalar(rng);
            let slot = w.officers.add(&NewOfficer {
                grade: g as u8,
                cadre,
                channel: Channel::Initial,
                ladder: e.ladder,
                region: e.region,
                age_m: ((entry_age + years) * 12.0) as u16,
                service_m: (years * 12.0) as u16,
                ability: e.ability,
                expertise_cadre: (2.0 + 3.5 * (1.0 - (-years / 10.0).exp())) as f32,
                expertise_other: (1.0 + 1.0 * (1.0 - (-years / 15.0).exp())) as f32,
                managerial: (1.5 + 5.0 * (1.0 - (-years / 15.0).exp())) as f32,
                integrity: e.integrity,
                connections: (e.connections as f64 + 0.01 * years).min(1.0) as f32,
                morale: 0.5,
                training_left: 0,
                scalar_comp: scalar,
            }) as usize;
            w.officers.grade_m[slot] = ((years - min_here).max(0.0) * 12.0 * rng.uniform()) as u16;
            // Courses of the grades below were needed to get here.
            for (k, c) in scn.training.courses.iter().enumerate() {
                if let Some(cg) = scn.structure.grades.iter().position(|x| x.name == c.grade)
                    && cg < g
                {
                    w.officers.courses[slot] |= 1 << k;
                    w.officers.training_score[slot] =
                        (e.ability as f64 + rng.normal()).clamp(0.0, 10.0) as f32;
                }
            }
            // Place in a vacant post of the grade, in the cadre's sector when possible.
            let own = w.posts.vacant(g, cadre as usize);
            let post = if !own.is_empty() {
                Some(own[rng.below(own.len())])
            } else {
                let total = w.posts.vacant_in_grade(g);
                (total > 0).then(|| w.posts.nth_vacant_in_grade(g, rng.below(total)))
            };
            if let Some(p) = post {
                w.assign_post(slot, p);
                // A grade that rotates has held its posts up to the
                // nominal tenure; one that does not, since it was reached.
                let span = if w.derived.rotates[g] {
                    scn.postings.tenure_months.min(years * 12.0 + 1.0)
                } else {
                    w.officers.grade_m[slot] as f64 + 1.0
                };
                w.officers.months_in_post[slot] = (rng.uniform() * span) as u16;
            }
            // A first appraisal record, as the current reports would show;
            // none when appraisal is off (rules that read scores see none,
            // docs/scenarios.md). The draw is made either way, so that a
            // comparison of appraisal on and off starts from the same
            // officers.
            let truth = w.competence_here(slot, g) as f64;
            let score = scn.appraisal.reported(
                truth,
                rng.normal(),
                w.derived.interference,
                w.officers.connections[slot] as f64,
            );
            let score = if scn.appraisal.enabled {
                score as f32
            } else {
                f32::NAN
            };
            w.officers.appraisal[slot] = [score, f32::NAN, f32::NAN];
        }
    }
    initial_corruption(w, rng);
}

/// Draws who is corrupt at the start from the decision rule, with peers at
/// the rule's own fixed point found by a few rounds of best response.
fn initial_corruption(w: &mut World, rng: &mut Stream) {
    if !w.scn.corruption.enabled {
        return;
    }
    for _round in 0..4 {
        w.recount_units();
        for i in 0..w.officers.slots() {
            let post = w.officers.post[i];
            if !w.officers.active[i] || post == NONE {
                continue;
            }
            let s = corruption::situation(w, i, post as usize);
            w.officers.corrupt[i] = rng.chance(corruption::probability(&w.scn.corruption, &s));
        }
    }
}
