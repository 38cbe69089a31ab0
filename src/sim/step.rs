//! The schedule of one step (a month by default) and of the year's annual
//! step: which mechanism runs when, nothing of what it does (that is in
//! `crate::model`, one file per mechanism). The order follows docs/model.md
//! §3.

use std::time::Instant;

use crate::model::population::{ExitReason, NONE, owed};
use crate::model::world::{Event, World};
use crate::model::{
    accountability, ageing, appraisal, exits, pay, politics, postings, promotion, recruitment,
    reforms, training, transparency,
};
use crate::sim::pass::{Chunks, officer_pass, owes_before_read, settle_pass};
use crate::sim::timing::{Phases, lap};

/// What the engine keeps beside the world: the pass's per-chunk streams
/// and buffers, and the wall time per phase (for the run record only).
#[derive(Clone, Default)]
pub struct Engine {
    pub chunks: Chunks,
    pub phases: Phases,
}

/// Advances the world by one step.
pub fn step(w: &mut World, engine: &mut Engine) {
    let mut clock = Instant::now();
    // 1. The environment: reforms, elections, e-governance, detection.
    reforms::step(w);
    politics::election(w);
    transparency::step(w);
    accountability::refresh_detection_boost(w);
    w.recount_units();
    lap(&mut clock, &mut engine.phases.prepare);
    // 2. Every officer's month, and the events it gives rise to.
    let mut revised = officer_pass(w, &mut engine.chunks);
    lap(&mut clock, &mut engine.phases.pass);
    apply_events(w);
    lap(&mut clock, &mut engine.phases.events);
    // Under the staggered engine, before the annual step or the year's
    // observation reads the service, the risks of the months an event or
    // a revision left of an officer's span (each round leaves fewer: at
    // most a span's months in all).
    for _ in 0..=owed::MONTHS {
        if !owes_before_read(w, revised) {
            break;
        }
        w.recount_units();
        revised = settle_pass(w, &mut engine.chunks);
        lap(&mut clock, &mut engine.phases.pass);
        apply_events(w);
        lap(&mut clock, &mut engine.phases.events);
    }
    // 3. The annual step, and any further promotion boards in the year.
    let steps_per_year = w.derived.steps_per_year;
    let in_year = (w.env.step % steps_per_year as u64) as u32 + 1;
    if in_year == w.scn.sim.annual_step {
        annual(w);
    } else if promotion::extra_board_due(w, in_year) {
        promotion::board(w);
    }
    politics::end_of_step(w);
    w.env.step += 1;
    lap(&mut clock, &mut engine.phases.annual);
}

/// The pass's events, in slot order.
fn apply_events(w: &mut World) {
    let events = std::mem::take(&mut w.events);
    for (n, &e) in events.iter().enumerate() {
        let i = e.officer();
        if !w.officers.active[i] {
            continue;
        }
        let (old_post, old_sector) = (w.officers.post[i], w.officers.post_sector[i]);
        let months_in_old_post = w.officers.months_in_post[i];
        // An earlier event of this step (a due rotation, applied first on
        // its own step) put the officer in its post: the months it has
        // been there are to be delivered on its next update (`owed::WORK`),
        // not yet counted. (A pass takes every officer's owed months, so
        // the flag is this step's.)
        let entered_this_step = w.officers.owed[i] & owed::WORK != 0;
        apply(w, i, e);
        // Under the staggered engine an event fell on a step of the
        // officer's span, `rest.months` before its end: what it started
        // (a post, an inquiry) has run that long already.
        let Some(&rest) = w.events_after.get(n) else {
            continue;
        };
        if rest.months == 0 {
            continue;
        }
        // The pass counted the officer's delivery, learning and months in
        // its post over the whole span: an event that ended the posting (a
        // move, special duty, an exit) takes back the span's months after
        // it, from the posting's length too (`postings::leave_post` counted
        // the months in post the pass left). A verdict's span counted none
        // of them: the pass only ran the inquiry's clock out (an officer
        // kept in post during its inquiry, `osd_during_inquiry = false`).
        let active = w.officers.active[i];
        let counted = !matches!(e, Event::Verdict(_));
        if counted && old_post != NONE && (!active || w.officers.post[i] != old_post) {
            if !entered_this_step {
                w.flows.delivery -= rest.delivered_after as f64;
            }
            w.flows.completed_tenure_sum -= rest.months.min(months_in_old_post) as f64;
            if active {
                ageing::unlearn(w, i, old_sector as usize, rest.months);
            }
        }
        if !active {
            continue;
        }
        // The officer's draw of the span's risks ended at the event (a due
        // rotation cuts it there too, sim/pass.rs): the rest of the span is
        // owed to the risks in the officer's new state, drawn on its next
        // step, or at once on a step that reads the whole service (the
        // settling pass; in a new post, on special duty, under inquiry, or
        // in the old post for a transfer that found no vacancy). A course has no
        // risks. A revision in the same span (before a due rotation) owed
        // the months after it, which include these.
        let o = &mut w.officers;
        let new_post = o.post[i] != NONE && o.months_in_post[i] == 0;
        if o.training_left[i] == 0 {
            let months = ((o.owed[i] & owed::MONTHS) as u16).max(rest.months);
            // Still in the post an earlier event of this step gave, it
            // still owes that post's months their delivery.
            let stayed = entered_this_step && o.post[i] == old_post;
            let work = if new_post || stayed { owed::WORK } else { 0 };
            o.owed[i] = owed::pack(months, owed::EVENT | work);
        }
        if matches!(e, Event::Detected(_) | Event::WrongfulInquiry(_)) && o.inquiry_left[i] > 0 {
            o.inquiry_left[i] = (o.inquiry_left[i] - rest.months as i16).max(0);
        }
        if new_post {
            o.months_in_post[i] = rest.months;
            ageing::learn_in_post(w, i, rest.months);
        }
    }
    w.events = events;
}

/// One event of the pass, for officer `i`.
fn apply(w: &mut World, i: usize, e: Event) {
    match e {
        Event::Retire(_) => exits::remove(w, i, ExitReason::Retirement),
        Event::Quit(_) => exits::remove(w, i, ExitReason::Voluntary),
        Event::TrainingDone(_) => training::complete(w, i),
        Event::Detected(_) => {
            w.flows.detections += 1;
            accountability::open_inquiry(w, i, false);
        }
        Event::WrongfulInquiry(_) => {
            w.flows.wrongful_inquiries += 1;
            accountability::open_inquiry(w, i, true);
        }
        Event::Verdict(_) => accountability::verdict(w, i),
        Event::PoliticalTransfer(_) => postings::political_transfer(w, i),
        Event::Rotation(_) => postings::rotate(w, i),
        Event::Repost(_) => postings::post(w, i),
    }
}

/// The annual step.
fn annual(w: &mut World) {
    appraisal::run(w);
    exits::annual_review(w);
    promotion::board(w);
    training::allocate(w);
    training::refreshers(w);
    recruitment::recruit(w);
    ageing::decay_expertise(w);
    pay::year_end_pensions(w);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::init;
    use crate::model::world::SpanRest;
    use crate::scenario::Scenario;

    /// On a due rotation's step both the rotation and a drawn event apply,
    /// the rotation first. The rotation's post has not delivered the
    /// months after it yet (`owed::WORK` delivers them on the officer's
    /// next update), so a second event that ends that posting takes back
    /// no delivery: only the rotation takes back the old post's.
    #[test]
    fn a_second_event_on_a_rotations_step_takes_back_no_delivery_from_its_post() {
        let scn = Scenario::default().scaled(0.05);
        let mut moved = 0;
        for replicate in 0..4 {
            let mut w = init::build(&scn, replicate);
            let i = (0..w.officers.slots())
                .find(|&i| w.officers.active[i] && w.officers.post[i] != NONE)
                .expect("a posted officer");
            let rest = SpanRest {
                months: 2,
                delivered_after: 3.0,
            };
            w.flows.delivery = 100.0;
            w.events = vec![Event::Rotation(i as u32), Event::Quit(i as u32)];
            w.events_after = vec![rest, rest];
            let regular = w.flows.transfers_regular;
            apply_events(&mut w);
            assert!(!w.officers.active[i], "the officer quit");
            // Moved or not (a rotation that finds no vacancy leaves the
            // officer in post, and the quit ends that posting), the old
            // post's months are taken back once.
            moved += (w.flows.transfers_regular > regular) as u32;
            assert_eq!(w.flows.delivery, 97.0, "replicate {replicate}");
        }
        assert!(moved > 0, "no rotation found a vacancy");
    }
}
