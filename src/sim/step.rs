//! The schedule of one step (a month by default): reforms, politics and
//! e-governance; the fused pass over officers in fixed chunks (ageing,
//! learning, work, integrity, the corruption decision, and the hazards of
//! detection, wrongful inquiry, political transfer, voluntary exit and
//! reposting, drawn from one uniform per officer as competing risks); the
//! cross-officer events that pass found, applied in slot order; and, on the
//! annual step, appraisal, the directory review, promotion boards,
//! training, recruitment and skill decay.

use crate::model::population::{ExitReason, NONE};
use crate::model::{
    accountability, appraisal, exits, postings, promotion, recruitment, reforms, training,
};
use crate::scenario::Scenario;
use crate::sim::timing::lap;
use crate::sim::world::{Derived, Env, Event, World};
use std::time::Instant;

/// Months of age and service per step (steps a year divide 12).
pub fn months_per_step(w: &World) -> u16 {
    (12 / w.d.spy) as u16
}

/// Per-step probability of an event with annual hazard `h`.
#[inline]
pub(crate) fn per_step(h: f64, dt: f64) -> f64 {
    let x = h * dt;
    if x <= 0.0 {
        0.0
    } else if x < 0.02 {
        // 1 − e^(−x) by its series; the error is below x⁴/24 < 7e-9.
        x * (1.0 - x * (0.5 - x / 6.0))
    } else {
        1.0 - (-x).exp()
    }
}

/// Recounts corrupt and posted officers per unit.
pub fn refresh_units(w: &mut World) {
    w.unit_corrupt.iter_mut().for_each(|x| *x = 0);
    w.unit_count.iter_mut().for_each(|x| *x = 0);
    for i in 0..w.off.slots() {
        if w.off.active[i] && w.off.post[i] != NONE {
            let u = w.off.post_unit[i] as usize;
            w.unit_count[u] += 1;
            w.unit_corrupt[u] += w.off.corrupt[i] as u32;
        }
    }
}

/// Annual probability that corrupt officer `i` is detected.
#[inline]
pub fn detection_hazard(w: &World, i: usize) -> f64 {
    detection_hazard_for(&w.scn, &w.d, &w.env, w.off.connections[i])
}

/// Annual probability that a corrupt officer with `connections` is detected.
#[inline]
pub fn detection_hazard_for(scn: &Scenario, d: &Derived, env: &Env, connections: f32) -> f64 {
    let a = &scn.accountability;
    if !a.enabled {
        return 0.0;
    }
    let shield = 1.0 - scn.politics.protection * d.interference * connections as f64;
    a.detection_rate * env.detection_boost * shield.max(0.0)
}

/// Perceived annual probability of detection and conviction for officer `i`.
#[inline]
pub fn punish_probability(w: &World, i: usize) -> f64 {
    punish_from(&w.scn, detection_hazard(w, i))
}

/// Perceived annual probability of punishment given the detection hazard.
#[inline]
pub fn punish_from(scn: &Scenario, detection: f64) -> f64 {
    (detection * scn.accountability.conviction_rate).min(1.0)
}

/// The corruption decision's inputs for officer `i` in post `p`.
pub fn situation(w: &World, i: usize, p: usize) -> crate::model::corruption::Situation {
    debug_assert_eq!(w.off.post[i] as usize, p);
    let unit = w.off.post_unit[i] as usize;
    situation_from(
        &w.scn,
        &w.d,
        SituationInputs {
            rent: w.officer_rent(i),
            months_in_post: w.off.months_in_post[i],
            peers: w.peer_share(i, unit),
            integrity: w.off.integrity[i],
            punish: punish_probability(w, i),
            outside: w.outside_of(i),
            pay: w.pay_of(i),
            age_m: w.off.age_m[i],
        },
    )
}

/// One posted officer's own values that the corruption decision reads.
pub struct SituationInputs {
    pub rent: f32,
    pub months_in_post: u16,
    pub peers: f32,
    pub integrity: f32,
    pub punish: f64,
    pub outside: f64,
    pub pay: f64,
    pub age_m: u16,
}

/// The corruption decision's inputs from an officer's own values.
#[inline]
pub fn situation_from(
    scn: &Scenario,
    d: &Derived,
    v: SituationInputs,
) -> crate::model::corruption::Situation {
    crate::model::corruption::Situation {
        rent: v.rent as f64,
        months_in_post: v.months_in_post as f64,
        peers: v.peers as f64,
        integrity: v.integrity as f64 * (1.0 - scn.politics.rent_pressure * d.interference),
        punish: v.punish,
        outside_ratio: v.outside / v.pay,
        years_left: (d.retirement_m as f64 - v.age_m as f64) / 12.0,
    }
}

/// Advances the world by one step.
pub fn step(w: &mut World) {
    let mut clock = Instant::now();
    reforms::step(w);
    let spy = w.d.spy;
    // Politics: elections and transfer waves.
    if w.scn.politics.election_at(w.env.step, spy)
        && w.rng.chance(w.scn.politics.change_probability)
    {
        w.env.government_changes += 1;
        // Whole steps covering the wave (a part-covered step counts).
        w.env.wave_left = (w.scn.politics.wave_months * spy as f64 / 12.0).ceil() as u32;
        let keep = 1.0 - w.scn.politics.connection_reset as f32;
        for c in w.off.connections.iter_mut() {
            *c *= keep;
        }
    }
    let t = &w.scn.transparency;
    if t.enabled {
        w.env.egov = t.step_coverage(w.env.egov, spy);
    }
    w.env.detection_boost = if t.enabled {
        accountability::detection_boost(
            &w.scn.accountability,
            t.egov_detection,
            w.env.egov,
            t.grievance_detection,
            t.grievance,
            w.env.trust,
        )
    } else {
        accountability::detection_boost(&w.scn.accountability, 0.0, 0.0, 0.0, 0.0, 0.0)
    };
    refresh_units(w);
    lap(&mut clock, &mut w.phases.prepare);
    crate::sim::pass::officer_pass(w);
    lap(&mut clock, &mut w.phases.pass);
    apply_events(w);
    lap(&mut clock, &mut w.phases.events);
    let in_year = (w.env.step % spy as u64) as u32 + 1;
    if in_year == w.scn.sim.annual_step {
        annual(w);
    } else if w.scn.promotion.boards_per_year > 1 {
        // Further boards spread evenly over the year.
        let every = (spy / w.scn.promotion.boards_per_year).max(1);
        let offset = (in_year + spy - w.scn.sim.annual_step) % spy;
        if offset % every == 0 && offset / every < w.scn.promotion.boards_per_year {
            promotion::board(w);
        }
    }
    w.env.wave_left = w.env.wave_left.saturating_sub(1);
    w.env.step += 1;
    lap(&mut clock, &mut w.phases.annual);
}

fn open_inquiry(w: &mut World, i: usize, wrongful: bool) {
    let a = &w.scn.accountability;
    w.off.inquiry_left[i] = a.judicial_delay_months.round().clamp(0.0, i16::MAX as f64) as i16;
    w.off.inquiry_wrongful[i] = wrongful;
    w.off.inquiries[i] = w.off.inquiries[i].saturating_add(1);
    w.off.corrupt[i] = false;
    if a.osd_during_inquiry && w.off.post[i] != NONE {
        postings::move_to(w, i, None);
    }
}

fn apply_events(w: &mut World) {
    let events = std::mem::take(&mut w.events);
    for &e in &events {
        let i = match e {
            Event::Retire(i)
            | Event::Quit(i)
            | Event::TrainingDone(i)
            | Event::Verdict(i)
            | Event::Detected(i)
            | Event::WrongfulInquiry(i)
            | Event::PoliticalTransfer(i)
            | Event::Rotation(i)
            | Event::Repost(i) => i as usize,
        };
        if !w.off.active[i] {
            continue;
        }
        match e {
            Event::Retire(_) => exits::remove(w, i, ExitReason::Retirement),
            Event::Quit(_) => exits::remove(w, i, ExitReason::Voluntary),
            Event::TrainingDone(_) => training::complete(w, i),
            Event::Detected(_) => {
                w.flows.detections += 1;
                open_inquiry(w, i, false);
            }
            Event::WrongfulInquiry(_) => {
                w.flows.wrongful_inquiries += 1;
                open_inquiry(w, i, true);
            }
            Event::Verdict(_) => {
                let a = &w.scn.accountability;
                let wrongful = w.off.inquiry_wrongful[i];
                let p = if wrongful {
                    a.wrongful_conviction_rate
                } else {
                    a.conviction_rate
                };
                let demote = a.on_conviction == "demote";
                w.off.inquiry_left[i] = -1;
                w.off.inquiry_wrongful[i] = false;
                if w.rng.chance(p) {
                    w.flows.convictions += 1;
                    if wrongful {
                        w.flows.wrongful_convictions += 1;
                    }
                    w.off.convictions[i] = w.off.convictions[i].saturating_add(1);
                    if demote && w.off.grade[i] > 0 {
                        w.off.grade[i] -= 1;
                        w.off.grade_m[i] = 0;
                        postings::repost_in_grade(w, i);
                    } else {
                        // Conviction dismisses (also a demotion below the bottom grade).
                        exits::remove(w, i, ExitReason::Dismissal);
                    }
                } else if w.off.post[i] == NONE {
                    postings::post(w, i);
                }
            }
            Event::PoliticalTransfer(_) => postings::political_transfer(w, i),
            Event::Rotation(_) => postings::rotate(w, i),
            Event::Repost(_) => postings::post(w, i),
        }
    }
    w.events = events;
}

/// The annual events.
fn annual(w: &mut World) {
    appraisal::run(w);
    exits::annual_review(w);
    promotion::board(w);
    training::allocate(w);
    training::refreshers(w);
    recruitment::recruit(w);
    decay_expertise(w);
    w.env.pension_stock *= 1.0 - w.scn.pay.pension_mortality;
}

/// Expertise in sectors other than the current post's decays each year.
fn decay_expertise(w: &mut World) {
    if !w.scn.ageing.learning || w.scn.ageing.expertise_decay <= 0.0 {
        return;
    }
    let keep = 1.0 - w.scn.ageing.expertise_decay as f32;
    let s = w.d.sectors;
    for i in 0..w.off.slots() {
        if !w.off.active[i] {
            continue;
        }
        let here = w.off.post[i];
        let here = if here == NONE {
            usize::MAX
        } else {
            w.off.post_sector[i] as usize
        };
        for (k, e) in w.off.expertise[i * s..(i + 1) * s].iter_mut().enumerate() {
            if k != here {
                *e = (*e * keep).max(1.0f32.min(*e));
            }
        }
    }
}
