//! The fused monthly pass over officers: ageing, learning, work, integrity,
//! the corruption decision, morale, and the hazards of detection, wrongful
//! inquiry, political transfer, voluntary exit, decision revision and
//! reposting, drawn from one uniform per officer as competing risks.
//!
//! The officers are cut into fixed chunks of [`CHUNK`] slots, each with its
//! own random stream, and the chunks run in parallel (rayon): an officer's
//! step reads only its own columns and tables fixed for the step (the
//! parameters, the unit counts recounted before the pass), so chunks are
//! independent. Each chunk hands back its events and the addends of the
//! step's sums in slot order; merging them chunk after chunk gives exactly
//! the sequential result, so results do not depend on the thread count.

use rayon::prelude::*;

use crate::model::hazard::per_step;
use crate::model::morale::{self, MoraleStep};
use crate::model::params::Scenario;
use crate::model::pay::PayParams;
use crate::model::population::{NONE, owed};
use crate::model::world::{
    Derived, Env, Event, SpanRest, UnitCount, World, outside_for, pay_for, peer_share_in,
    rent_value, value_pay_for,
};
use crate::model::{
    accountability, ageing, corruption, politics, postings, promotion, training, work,
};
use crate::rng::{CHUNK_BASE, Stream};

/// Officer slots per work chunk. Each chunk has its own random stream, so
/// the monthly pass gives the same result however chunks are scheduled.
pub const CHUNK: usize = 4096;

/// What one chunk of the pass hands back, in slot order.
#[derive(Clone, Debug, Default)]
pub struct ChunkOut {
    /// Cross-officer events, applied after the pass.
    pub events: Vec<Event>,
    /// Under the staggered engine, per event, what of the span followed it
    /// (see `World::events_after`).
    after: Vec<SpanRest>,
    /// Each posted officer's delivered performance (grade-weighted).
    delivery: Vec<f32>,
    /// Each corrupt officer's bribes this step.
    rent: Vec<f64>,
    /// Each exposed officer's political transfer hazard.
    pressure: Vec<f64>,
    /// Officers a revision left owing months to the risks.
    owing: u32,
}

impl ChunkOut {
    fn clear(&mut self) {
        self.events.clear();
        self.after.clear();
        self.delivery.clear();
        self.rent.clear();
        self.pressure.clear();
        self.owing = 0;
    }
}

/// The pass's random streams and buffers, one per chunk, created as the
/// service grows (stream `c` is the same whenever it is created).
#[derive(Clone, Default)]
pub struct Chunks {
    rngs: Vec<Stream>,
    out: Vec<ChunkOut>,
    cohorts: Cohorts,
    cols: ColsBuf,
}

/// The storage of a pass's per-chunk column slices, kept empty between
/// passes so that a pass allocates nothing for them: each pass borrows the
/// world anew, so the vector is emptied and taken back to the slices'
/// lifetime ([`recycle`]).
#[derive(Default)]
struct ColsBuf(Vec<Cols<'static>>);

impl Clone for ColsBuf {
    /// Empty: it holds no slices between passes.
    fn clone(&self) -> Self {
        ColsBuf(Vec::new())
    }
}

/// `v`, emptied, as a vector of another lifetime's slices: the same
/// storage (`Vec`'s in-place collection reuses it for an element type of
/// one size and alignment; tests/allocation.rs checks that a pass
/// allocates nothing).
fn recycle<'a, 'b>(mut v: Vec<Cols<'a>>) -> Vec<Cols<'b>> {
    v.clear();
    v.into_iter().map(|_| unreachable!("emptied")).collect()
}

/// Passes run so far, and per cohort of the staggered engine the pass of
/// its last update. A due cohort's span is counted from them rather than
/// from the year's schedule, so it stays exact when the steps that update
/// everyone change within a year (a reform changing
/// `promotion.boards_per_year` mid-year).
#[derive(Clone, Copy, Default)]
struct Cohorts {
    passes: u64,
    last: [u64; MAX_SPAN],
}

impl Cohorts {
    /// Counts one pass: each cohort `due` marks (non-zero) gets the passes
    /// since its last update as its span; the others stay 0.
    fn count(&mut self, due: &mut [u16; MAX_SPAN]) {
        self.passes += 1;
        for (k, last) in due.iter_mut().zip(self.last.iter_mut()) {
            if *k > 0 {
                *k = (self.passes - *last).min(MAX_SPAN as u64) as u16;
                *last = self.passes;
            }
        }
    }
}

impl Chunks {
    /// Makes sure every chunk of `slots` officer slots has its stream.
    fn cover(&mut self, seed: u64, replicate: u64, slots: usize) {
        let chunks = slots.div_ceil(CHUNK);
        while self.rngs.len() < chunks {
            let c = self.rngs.len() as u64;
            self.rngs.push(Stream::new(seed, replicate, CHUNK_BASE + c));
            self.out.push(Default::default());
        }
    }
}

/// What an officer's update over a span of steps reads that depends on the
/// span's length: one step under the monthly engine, one to `stride` steps
/// under the staggered engine.
#[derive(Clone, Copy, Default)]
struct Span {
    months: u16,
    /// The span in years.
    dt: f64,
    expertise_gain: f32,
    managerial_gain: f32,
    connection_gain: f32,
    morale: MoraleStep,
}

/// The longest span: a stride is at most 12 steps.
const MAX_SPAN: usize = 12;

/// What every mechanism's monthly update reads that is fixed for the step,
/// computed once by the mechanism that owns it.
struct StepValues<'a> {
    scn: &'a Scenario,
    derived: &'a Derived,
    env: &'a Env,
    units: &'a [UnitCount],
    pay: &'a PayParams,
    cp: &'a corruption::CorruptionParams,
    /// Officer slot `i` belongs to cohort `i % stride`.
    stride: usize,
    /// Per cohort, the steps since its last update when it is updated this
    /// step, 0 when it waits.
    due: [u16; MAX_SPAN],
    /// A settling pass ([`settle_pass`]): every officer owing months is
    /// updated, a revision's months too.
    settle: bool,
    /// Per span of `k` steps, at `k − 1`.
    spans: [Span; MAX_SPAN],
    /// A span of no time: an officer with owed months updated between its
    /// cohort's steps draws only its risks.
    zero: Span,
    // ageing
    learning: bool,
    // work
    work: &'a work::WorkFactors,
    ability_weight: f32,
    // accountability
    fear_level: f32,
    wrongful_rate: f64,
    // corruption
    revision_rate: f64,
    rent_cut: f32,
    // postings
    postings_on: bool,
    wave: bool,
    /// The wave by step, for the staggered engine's spans.
    wave_steps: u64,
    osd_repost_rate: f64,
    /// Pay and the outside wage are needed: morale, exits or corruption on.
    wages: bool,
}

/// One chunk's slices of the officer columns: shared ones read, the rest
/// written. Index `j` is slot `lo + j`.
struct Cols<'a> {
    lo: usize,
    active: &'a [bool],
    grade: &'a [u8],
    post: &'a [u32],
    post_unit: &'a [u32],
    post_sector: &'a [u8],
    post_rent_factor: &'a [f32],
    appraisal: &'a [[f32; 3]],
    ability: &'a [f32],
    integrity0: &'a [f32],
    supersessions: &'a [u8],
    superseded_here: &'a [u8],
    ladder: &'a [u8],
    scalar_comp: &'a [f32],
    age_m: &'a mut [u16],
    service_m: &'a mut [u16],
    grade_m: &'a mut [u16],
    training_left: &'a mut [u8],
    inquiry_left: &'a mut [i16],
    months_in_post: &'a mut [u16],
    expertise: &'a mut [f32],
    managerial: &'a mut [f32],
    connections: &'a mut [f32],
    perf_sum: &'a mut [f32],
    perf_n: &'a mut [u8],
    owed: &'a mut [u8],
    integrity: &'a mut [f32],
    morale: &'a mut [f32],
    corrupt: &'a mut [bool],
}

/// The fused pass over officers, chunk by chunk (in parallel), each chunk
/// with its own stream.
///
/// Returns whether a revision left an officer months of its span owed to
/// the risks (staggered engine; see [`owes_before_read`]).
pub fn officer_pass(w: &mut World, chunks: &mut Chunks) -> bool {
    pass(w, chunks, false)
}

/// Under the staggered engine, on a step that reads the whole service (the
/// annual step, a further board's step, the year's last step, which the
/// year's observation reads): true while the step's last pass left an
/// officer months of its span owed to the risks, which [`settle_pass`]
/// draws before the service is read: an event's (`w.events_after`, once
/// the events are applied) or a revision's (`revised`, what the pass
/// returned).
pub fn owes_before_read(w: &World, revised: bool) -> bool {
    w.scn.sim.stride() > 1
        && reads_whole_service(w, step_in_year(w))
        && (revised || w.events_after.iter().any(|rest| rest.months > 0))
}

/// The owed months' risks of the officers an event moved on this step,
/// drawn now rather than on the next step: the monthly engine would have
/// drawn them within the span, so a board or the year's observation reads
/// the state they leave (a second move, an inquiry, an exit). The same
/// update as an owed officer's between its cohort's steps (a span of no
/// time), also for the months a revision left, which otherwise wait for
/// the officer's next span; no cohort is due, and it is not a step (the
/// step's count and transfer pressure are kept). Returns as
/// [`officer_pass`].
pub fn settle_pass(w: &mut World, chunks: &mut Chunks) -> bool {
    pass(w, chunks, true)
}

/// True if step `m` of the year (1-based) reads the whole service: the
/// year's last step (the year's observation), the annual step and a
/// further board's step. The staggered engine updates every cohort on it
/// ([`due`]) and settles the owed months ([`owes_before_read`]).
pub fn reads_whole_service(w: &World, m: u32) -> bool {
    m == w.derived.steps_per_year || m == w.scn.sim.annual_step || promotion::extra_board_due(w, m)
}

/// The step of the year (1-based) that the world is on.
fn step_in_year(w: &World) -> u32 {
    (w.env.step % w.derived.steps_per_year as u64) as u32 + 1
}

fn pass(w: &mut World, chunks: &mut Chunks, settle: bool) -> bool {
    chunks.cover(w.seed, w.replicate, w.officers.slots());
    let months = w.months_per_step();
    let rent_cut = w.rent_cut();
    let stride = w.scn.sim.stride() as usize;
    let due = if settle {
        [0; MAX_SPAN]
    } else {
        let mut due = due_table(w, stride as u32);
        chunks.cohorts.count(&mut due);
        due
    };
    let mut spans = [Span::default(); MAX_SPAN];
    let zero = Span {
        morale: MoraleStep::new(&w.scn.pay, &w.env, 0),
        ..Span::default()
    };
    let longest = if stride > 1 { MAX_SPAN } else { 1 };
    for k in 1..=longest {
        let m = months * k as u16;
        spans[k - 1] = Span {
            months: m,
            dt: k as f64 / w.derived.steps_per_year as f64,
            expertise_gain: ageing::gain_per_step(w.scn.ageing.expertise_gain, m),
            managerial_gain: ageing::gain_per_step(w.scn.ageing.managerial_gain, m),
            connection_gain: w
                .scn
                .politics
                .connection_gain_per_step(w.derived.interference, m),
            morale: MoraleStep::new(&w.scn.pay, &w.env, m),
        };
    }
    let World {
        scn,
        derived,
        officers,
        env,
        units,
        flows,
        events,
        events_after,
        ..
    } = w;
    let Chunks {
        rngs: chunk_rngs,
        out: chunk_out,
        cols: cols_buf,
        ..
    } = chunks;
    let p = StepValues {
        scn,
        derived,
        env,
        units,
        pay: &scn.pay,
        cp: &scn.corruption,
        stride,
        due,
        settle,
        spans,
        zero,
        learning: scn.ageing.learning,
        work: &derived.work,
        ability_weight: scn.work.ability_weight as f32,
        fear_level: accountability::fear_level(scn),
        wrongful_rate: accountability::wrongful_rate(scn),
        revision_rate: corruption::revision_rate(&scn.corruption),
        rent_cut,
        postings_on: scn.postings.enabled,
        wave: env.wave_left > 0,
        wave_steps: env.wave_steps,
        osd_repost_rate: postings::osd_repost_rate(&scn.postings),
        wages: scn.pay.morale || scn.exits.enabled || scn.corruption.enabled,
    };
    let s = officers.sectors;
    let slots = officers.slots();
    let mut cols: Vec<Cols> = recycle(std::mem::take(&mut cols_buf.0));
    cols.reserve(slots.div_ceil(CHUNK));
    {
        let mut age_m = officers.age_m.chunks_mut(CHUNK);
        let mut service_m = officers.service_m.chunks_mut(CHUNK);
        let mut grade_m = officers.grade_m.chunks_mut(CHUNK);
        let mut training_left = officers.training_left.chunks_mut(CHUNK);
        let mut inquiry_left = officers.inquiry_left.chunks_mut(CHUNK);
        let mut months_in_post = officers.months_in_post.chunks_mut(CHUNK);
        let mut expertise = officers.expertise.chunks_mut(CHUNK * s.max(1));
        let mut managerial = officers.managerial.chunks_mut(CHUNK);
        let mut connections = officers.connections.chunks_mut(CHUNK);
        let mut perf_sum = officers.perf_sum.chunks_mut(CHUNK);
        let mut perf_n = officers.perf_n.chunks_mut(CHUNK);
        let mut owed = officers.owed.chunks_mut(CHUNK);
        let mut integrity = officers.integrity.chunks_mut(CHUNK);
        let mut morale = officers.morale.chunks_mut(CHUNK);
        let mut corrupt = officers.corrupt.chunks_mut(CHUNK);
        for lo in (0..slots).step_by(CHUNK) {
            let hi = (lo + CHUNK).min(slots);
            cols.push(Cols {
                lo,
                active: &officers.active[lo..hi],
                grade: &officers.grade[lo..hi],
                post: &officers.post[lo..hi],
                post_unit: &officers.post_unit[lo..hi],
                post_sector: &officers.post_sector[lo..hi],
                post_rent_factor: &officers.post_rent_factor[lo..hi],
                appraisal: &officers.appraisal[lo..hi],
                ability: &officers.ability[lo..hi],
                integrity0: &officers.integrity0[lo..hi],
                supersessions: &officers.supersessions[lo..hi],
                superseded_here: &officers.superseded_here[lo..hi],
                ladder: &officers.ladder[lo..hi],
                scalar_comp: &officers.scalar_comp[lo..hi],
                age_m: age_m.next().expect("chunk"),
                service_m: service_m.next().expect("chunk"),
                grade_m: grade_m.next().expect("chunk"),
                training_left: training_left.next().expect("chunk"),
                inquiry_left: inquiry_left.next().expect("chunk"),
                months_in_post: months_in_post.next().expect("chunk"),
                expertise: expertise.next().unwrap_or(&mut []),
                managerial: managerial.next().expect("chunk"),
                connections: connections.next().expect("chunk"),
                perf_sum: perf_sum.next().expect("chunk"),
                perf_n: perf_n.next().expect("chunk"),
                owed: owed.next().expect("chunk"),
                integrity: integrity.next().expect("chunk"),
                morale: morale.next().expect("chunk"),
                corrupt: corrupt.next().expect("chunk"),
            });
        }
    }
    let chunks = cols.len();
    if chunks == 1 {
        // A small service: no threads to hand the one chunk to.
        let c = cols.pop().expect("one chunk");
        if stride == 1 {
            chunk_pass::<false>(&p, c, &mut chunk_rngs[0], &mut chunk_out[0]);
        } else {
            chunk_pass::<true>(&p, c, &mut chunk_rngs[0], &mut chunk_out[0]);
        }
    } else {
        cols.par_drain(..)
            .zip(chunk_rngs[..chunks].par_iter_mut())
            .zip(chunk_out[..chunks].par_iter_mut())
            .for_each(|((c, rng), out)| {
                if stride == 1 {
                    chunk_pass::<false>(&p, c, rng, out)
                } else {
                    chunk_pass::<true>(&p, c, rng, out)
                }
            });
    }
    cols_buf.0 = recycle(cols);
    // Merged in slot order: the same sums and event order as one pass.
    let (mut delivery, mut rent_taken, mut pressure, mut pressure_n) = (0.0f64, 0.0f64, 0.0, 0u32);
    let mut owing = 0u32;
    events.clear();
    events_after.clear();
    for out in &chunk_out[..chunks] {
        events_after.extend_from_slice(&out.after);
        for &x in &out.delivery {
            delivery += x as f64;
        }
        for &x in &out.rent {
            rent_taken += x;
        }
        for &x in &out.pressure {
            pressure += x;
        }
        pressure_n += out.pressure.len() as u32;
        owing += out.owing;
        events.extend_from_slice(&out.events);
    }
    flows.delivery += delivery;
    flows.rent_taken += rent_taken;
    if !settle {
        flows.steps += 1;
        env.transfer_pressure = if pressure_n > 0 {
            pressure / pressure_n as f64
        } else {
            0.0
        };
    }
    owing > 0
}

/// One chunk of the pass: for each officer, the mechanisms' monthly
/// updates in the order of docs/model.md §3, then the competing risks drawn
/// from one uniform.
///
/// `STAGGERED` is false for a stride of one step (the monthly engine): then
/// every span is one step and the compiler drops the cohorts' bookkeeping.
fn chunk_pass<const STAGGERED: bool>(
    p: &StepValues,
    c: Cols,
    rng: &mut Stream,
    out: &mut ChunkOut,
) {
    out.clear();
    let Cols {
        lo,
        active,
        grade,
        post,
        post_unit,
        post_sector,
        post_rent_factor,
        appraisal,
        ability,
        integrity0,
        supersessions,
        superseded_here,
        ladder,
        scalar_comp,
        age_m,
        service_m,
        grade_m,
        training_left,
        inquiry_left,
        months_in_post,
        expertise,
        managerial,
        connections,
        perf_sum,
        perf_n,
        owed,
        integrity,
        morale,
        corrupt,
    } = c;
    let (scn, derived) = (p.scn, p.derived);
    let sectors = derived.sectors;
    let ev = &mut out.events;
    let ev_after = &mut out.after;
    // Under the staggered engine every event records the months of the
    // span that followed it and what the officer delivered per step in its
    // post (none under the monthly engine).
    macro_rules! emit {
        ($e:expr, $after:expr, $delivered:expr) => {{
            ev.push($e);
            if STAGGERED {
                ev_after.push(SpanRest {
                    months: $after,
                    delivered_after: $delivered,
                });
            }
        }};
    }
    // Every column cut to the chunk's length, so that indexing by `j` needs
    // no bounds check per column per officer.
    let n = active.len();
    macro_rules! cut {
        ($n:ident; $($c:ident),*; mut $($m:ident),*) => {
            $(let $c = &$c[..$n];)*
            $(let $m = &mut $m[..$n];)*
        };
    }
    cut!(n; grade, post, post_unit, post_sector, post_rent_factor, appraisal, ability,
        integrity0, supersessions, superseded_here, ladder, scalar_comp;
        mut age_m, service_m, grade_m, training_left, inquiry_left, months_in_post,
        managerial, connections, perf_sum, perf_n, owed, integrity, morale, corrupt);
    let mut cohort = lo % p.stride;
    let one = p.spans[0];
    for j in 0..n {
        let k = if STAGGERED {
            let k = p.due[cohort];
            cohort += 1;
            if cohort == p.stride {
                cohort = 0;
            }
            k
        } else {
            1
        };
        // An officer that an event moved early in its last span owes the
        // rest of that span to the risks: it draws them on the next step,
        // over a span of no time, whatever its cohort. A settling pass
        // takes every officer owing months, a revision's too.
        let takes_owed = owed[j] & owed::EVENT != 0 || (p.settle && owed[j] != 0);
        if !active[j] || (k == 0 && !(STAGGERED && takes_owed)) {
            continue;
        }
        // The risks also cover what an early event left of the last span.
        let (owed_m, owed_work) = if STAGGERED {
            let o = std::mem::take(&mut owed[j]);
            ((o & owed::MONTHS) as u16, o & owed::WORK != 0)
        } else {
            (0, false)
        };
        // The engine's step in months, and the owed months in its steps.
        let step_m = one.months.max(1);
        let owed_steps = owed_m / step_m;
        let i = (lo + j) as u32;
        // Ageing and retirement. The officer retires on the step that
        // reaches the retirement age. Over a span (staggered engine) it is
        // first updated over the span's steps before that one, as the
        // monthly engine updates it month by month: it learns, delivers
        // and faces the risks of those steps, and its posting counts their
        // months; its retirement is emitted after any event they give.
        let span_of = |k: u16| {
            if !STAGGERED {
                &one
            } else if k == 0 {
                &p.zero
            } else {
                &p.spans[k as usize - 1]
            }
        };
        let age_before = age_m[j];
        ageing::advance(
            &mut age_m[j],
            &mut service_m[j],
            &mut grade_m[j],
            span_of(k).months,
        );
        let (k_due, mut retires) = (k, false);
        let k = if age_m[j] >= derived.retirement_m {
            let before = if STAGGERED {
                let to_retirement = derived.retirement_m.saturating_sub(age_before);
                to_retirement.div_ceil(step_m).saturating_sub(1).min(k)
            } else {
                0
            };
            if before == 0 && owed_m == 0 {
                emit!(Event::Retire(i), 0, 0.0);
                continue;
            }
            retires = true;
            before
        } else {
            k
        };
        let sp = span_of(k);
        let (months, dt) = (sp.months, sp.dt);
        // The months of the span after its first step: what is left of the
        // span after an event on its first step.
        // (A span of no time has none.)
        let rest = months - months.checked_div(k).unwrap_or(months);
        // The officer's contributions to the step's sums count once per
        // step of its span (exactly 1 under the monthly engine).
        let weight = k as f32;
        // A retiring officer's retirement follows whatever ends its update.
        macro_rules! retire_if_due {
            () => {
                if retires {
                    emit!(Event::Retire(i), 0, 0.0);
                }
            };
        }
        // Training and inquiries.
        if training_left[j] > 0 {
            let left = training_left[j] as u16;
            if training::count_down(&mut training_left[j], months) {
                emit!(
                    Event::TrainingDone(i),
                    (months - left.min(months)).min(rest),
                    0.0
                );
            }
            retire_if_due!();
            continue;
        }
        let under_inquiry = inquiry_left[j] >= 0;
        let left = inquiry_left[j].max(0) as u16;
        if under_inquiry && accountability::count_down(&mut inquiry_left[j], months) {
            emit!(
                Event::Verdict(i),
                (months - left.min(months)).min(rest),
                0.0
            );
            retire_if_due!();
            continue;
        }
        let g = grade[j] as usize;
        let posted = post[j] != NONE;
        // Own pay and the outside wage are read by morale, the quit hazard
        // and corruption only: a model with all three off skips them.
        let pay = if p.wages || corrupt[j] {
            pay_for(
                p.pay,
                derived,
                grade[j],
                grade_m[j],
                &appraisal[j],
                p.env.record_centre,
            )
        } else {
            f64::NAN
        };
        let conn = connections[j];
        let fear = accountability::fear(p.fear_level, conn);
        let mut rent = 0.0f32;
        let mut peers = 0.0f32;
        let mut political = 0.0;
        // What the officer delivers per step in its post over the span and
        // over the owed months before it (staggered engine).
        let mut delivered_step = 0.0f32;
        let mut delivered_owed = 0.0f32;
        // Under the staggered engine, the span's bribes, pushed once the
        // risks are drawn (the monthly engine pushes them as it goes).
        let mut bribes: Option<f64> = None;
        // The months of the span after a due rotation (staggered engine),
        // and whether one is due.
        let mut moved_after = 0u16;
        let mut rotation_due = false;
        if posted {
            let s = post_sector[j] as usize;
            months_in_post[j] = months_in_post[j].saturating_add(months);
            // Learning on the job. Over a span, the officer works each step
            // with what it has learned by then (the monthly engine learns,
            // then works, every step): the mean over the span's steps.
            let (e_start, m_start) = (expertise[j * sectors + s], managerial[j]);
            let (mut e_work, mut m_work) = (e_start, m_start);
            if p.learning {
                let e = &mut expertise[j * sectors + s];
                *e = ageing::learn(sp.expertise_gain, *e);
                managerial[j] = ageing::learn(sp.managerial_gain * derived.mgmt[g], managerial[j]);
                (e_work, m_work) = if STAGGERED && k > 1 {
                    (
                        ageing::mean_learned(one.expertise_gain, e_start, k),
                        ageing::mean_learned(one.managerial_gain * derived.mgmt[g], m_start, k),
                    )
                } else {
                    (*e, managerial[j])
                };
            }
            // Connections grow in desirable posts.
            let desirability = derived.sector_desirability[s];
            if sp.connection_gain > 0.0 {
                connections[j] = politics::grow_connections(conn, sp.connection_gain, desirability);
            }
            // Work: performance and delivery.
            let competence_with = |e: f32, m: f32| {
                if derived.scalar {
                    scalar_comp[j]
                } else {
                    work::competence(p.ability_weight, ability[j], e, m, derived.mgmt[g])
                }
            };
            let competence = competence_with(e_work, m_work);
            // Over a span, the ramp-up after a move is read as its mean over
            // the span's steps.
            let mut perf = if STAGGERED && k > 1 {
                let ramp = work::mean_ramp(p.work, months_in_post[j], months / k, k);
                work::performance_with_ramp(p.work, competence, ramp, morale[j], corrupt[j], fear)
            } else {
                work::performance(
                    p.work,
                    competence,
                    months_in_post[j],
                    morale[j],
                    corrupt[j],
                    fear,
                )
            };
            // Promotion incentives: effort rises with the stake in the next
            // board, for an officer still in the running on its ladder.
            let gain = derived.effort_gain[g][ladder[j] as usize];
            let max_sup = scn.promotion.max_supersessions;
            let effort = gain > 0.0
                && (max_sup == 0 || (superseded_here[j] as u32) < max_sup)
                && promotion::can_reach(
                    age_m[j],
                    service_m[j],
                    derived.min_service_m[g + 1],
                    derived.retirement_m,
                );
            if effort {
                perf = (perf * (1.0 + gain)).min(1.0);
            }
            perf_sum[j] += perf * weight;
            perf_n[j] = perf_n[j].saturating_add(k as u8);
            delivered_step = work::delivered(derived.delivery_weight[g], perf);
            out.delivery.push(delivered_step * weight);
            // Under the staggered engine, the months an event left of the
            // officer's last span after moving it into this post (its
            // months in post before this span) are delivered here, with
            // the ramp-up of those months: the event took them back from
            // the old post (sim/step.rs).
            if STAGGERED && owed_work && one.months > 0 {
                let before = months_in_post[j].saturating_sub(months);
                let owed_steps = before / one.months;
                let ramp = work::mean_ramp(p.work, before, one.months, owed_steps);
                // The owed months came before the span's learning.
                let mut owed_perf = work::performance_with_ramp(
                    p.work,
                    competence_with(e_start, m_start),
                    ramp,
                    morale[j],
                    corrupt[j],
                    fear,
                );
                if effort {
                    owed_perf = (owed_perf * (1.0 + gain)).min(1.0);
                }
                perf_sum[j] += owed_perf * owed_steps as f32;
                perf_n[j] = perf_n[j].saturating_add(owed_steps as u8);
                delivered_owed = work::delivered(derived.delivery_weight[g], owed_perf);
                out.delivery.push(delivered_owed * owed_steps as f32);
            }
            // Corruption: integrity, and bribes if corrupt.
            let unit = post_unit[j] as usize;
            peers = peer_share_in(p.units[unit], corrupt[j]);
            rent = rent_value(derived.sector_rent[s], post_rent_factor[j], p.rent_cut);
            integrity[j] =
                corruption::erode(p.cp, integrity[j], integrity0[j], peers, morale[j], months);
            if corrupt[j] {
                // Collusion builds with months in post: over a span, its
                // mean over the span's steps.
                let collusion = if STAGGERED && k > 1 {
                    let step_m = months / k;
                    (0..k)
                        .map(|s| {
                            derived
                                .collusion
                                .at(p.cp, months_in_post[j].saturating_sub(s * step_m))
                        })
                        .sum::<f64>()
                        / k as f64
                } else {
                    derived.collusion.at(p.cp, months_in_post[j])
                };
                let b = corruption::bribes_at(
                    p.cp,
                    rent,
                    collusion,
                    value_pay_for(p.pay, derived, grade[j], grade_m[j], pay),
                    dt,
                );
                if STAGGERED {
                    bribes = Some(b);
                } else {
                    out.rent.push(b);
                }
            }
            // Postings: political transfer hazard and due rotation.
            if p.postings_on && !under_inquiry {
                // Over a span (and its owed months), the wave's multiplier
                // in proportion to the steps that had a wave.
                let (wave, multiplier) = if STAGGERED {
                    let share = politics::wave_share(
                        p.wave_steps,
                        k as u32,
                        (k_due - k) as u32,
                        owed_steps as u32,
                        // The owed months end with the last step (their
                        // draw on the next one), or with this step in a
                        // settling pass.
                        if p.settle { 0 } else { k_due.max(1) as u32 },
                    );
                    (
                        share > 0.0,
                        1.0 + (scn.politics.wave_multiplier - 1.0) * share,
                    )
                } else {
                    (p.wave, scn.politics.wave_multiplier)
                };
                political = scn.postings.political_hazard(
                    derived.interference,
                    desirability as f64,
                    ability[j] as f64,
                    wave,
                    multiplier,
                ) * derived.political_exposure[g]
                    * scn.posting_market.removal_factor(corrupt[j], rent);
                // A span of no time adds no sample of the hazard.
                if k > 0 {
                    out.pressure.push(political);
                }
                // A due rotation is applied with the step's events; the
                // officer still faces this step's risks (a rotation that
                // finds no vacancy must not freeze the officer).
                if k > 0
                    && derived.rotates[g]
                    && postings::rotation_due(months_in_post[j], derived.tenure_m)
                {
                    rotation_due = true;
                    moved_after = (months_in_post[j] - derived.tenure_m).min(rest);
                }
            }
        }
        // Outside option and morale.
        let outside = if p.wages {
            outside_for(
                p.pay,
                derived,
                grade[j],
                ability[j],
                &expertise[j * sectors..(j + 1) * sectors],
            )
        } else {
            f64::NAN
        };
        morale[j] = morale::update(
            &sp.morale,
            p.pay,
            morale[j],
            pay / outside,
            supersessions[j],
            posted,
            political,
        );
        // Competing risks from one uniform draw. Thinning: most officers
        // have no event in a step, and `per_step(h, dt) ≤ h·dt`, so when the
        // draw is at or above the sum of `h·dt` over the risks (the quit
        // hazard bounded without `exp`), no risk can fire and the exact
        // per-step probabilities are not needed. Otherwise they are
        // computed as always, so the outcome is the same as without the
        // shortcut, draw for draw.
        let is_corrupt = corrupt[j];
        let detection = || accountability::detection_hazard(scn, derived, p.env, connections[j]);
        let a_detected = if is_corrupt && !under_inquiry {
            detection()
        } else {
            0.0
        };
        let a_wrongful = if !is_corrupt && !under_inquiry {
            accountability::wrongful_hazard(p.wrongful_rate, conn)
        } else {
            0.0
        };
        let service_years = service_m[j] as f64 / 12.0;
        let a_revise = if posted && rent > 0.0 && !under_inquiry {
            p.revision_rate
        } else {
            0.0
        };
        let a_repost = if !posted && !under_inquiry {
            p.osd_repost_rate
        } else {
            0.0
        };
        // Under the staggered engine a due rotation ends the old post's
        // exposure: the rest of the span is owed to the risks, drawn in the
        // new post on the next step (sim/step.rs). `kr` is the steps of the
        // span exposed here.
        let kr = if STAGGERED && k > 0 {
            (months - moved_after).div_ceil(step_m).max(1)
        } else {
            k
        };
        // The exposure in the engine's steps: under the staggered engine the
        // owed months, then the span's exposed steps; one step otherwise.
        let n = if STAGGERED {
            (owed_steps + kr) as i32
        } else {
            1
        };
        let dt_risk = n as f64 * one.dt;
        let u = rng.uniform();
        let linear = |h: f64| (h * dt_risk).max(0.0);
        let bound = linear(a_detected)
            + linear(a_wrongful)
            + linear(political)
            + linear(
                scn.exits
                    .quit_hazard_bound(outside / pay, service_years, morale[j] as f64),
            )
            + linear(a_revise)
            + linear(a_repost);
        // What the draw decides: an event, and the months of the span after
        // the step it fell on; a revision changes `corrupt[j]` in place.
        let mut revised_at: Option<u16> = None;
        let drawn: Option<(Event, u16)> = 'draw: {
            if u >= bound {
                break 'draw None;
            }
            // Under the staggered engine the draw is that of the monthly
            // engine's steps over the exposure, the hazards held at their
            // values now ([`StepsDraw`]); the months after the step of the
            // first event are owed to the risks of the officer's new state
            // (sim/step.rs).
            let h_step = |a: f64| per_step(a, one.dt);
            let a_quit = scn
                .exits
                .quit_hazard(outside / pay, service_years, morale[j] as f64);
            let hs = [
                a_detected, a_wrongful, political, a_quit, a_revise, a_repost,
            ]
            .map(h_step);
            let steps = StepsDraw::new(hs.iter().sum(), n);
            let [
                h_detected,
                h_wrongful,
                h_political,
                h_quit,
                h_revise,
                h_repost,
            ] = if STAGGERED {
                hs.map(|h| h * steps.scale())
            } else {
                hs
            };
            // When the first event fell, from where `u` lies in its risk's
            // probability (again uniform), as the months of the span after
            // the step it fell on. An event in the owed months leaves the
            // rest of them and the whole span after it.
            let after = |from: f64, h: f64| {
                if !STAGGERED {
                    return 0;
                }
                let s = steps.step((u - from) / h);
                if s < owed_steps {
                    return months + owed_m - (s + 1) * step_m;
                }
                let steps = s - owed_steps;
                (rest - steps.min(kr.max(1) - 1) * step_m).min(rest)
            };
            let mut edge = h_detected;
            if u < edge {
                break 'draw Some((Event::Detected(i), after(0.0, h_detected)));
            }
            edge += h_wrongful;
            if u < edge {
                break 'draw Some((
                    Event::WrongfulInquiry(i),
                    after(edge - h_wrongful, h_wrongful),
                ));
            }
            edge += h_political;
            if u < edge {
                break 'draw Some((
                    Event::PoliticalTransfer(i),
                    after(edge - h_political, h_political),
                ));
            }
            edge += h_quit;
            if u < edge {
                break 'draw Some((Event::Quit(i), after(edge - h_quit, h_quit)));
            }
            if u < edge + h_revise {
                // Conditional on revising, (u − edge)/h_revise is again uniform.
                let v = (u - edge) / h_revise;
                // Over a span, `v` gives the step the revision fell on: the
                // officer decides with the months in post of that step, as
                // collusion builds fast in a new post, and with a fresh
                // uniform. The draw of the risks ends at the revision: the
                // months after it are owed to them, now with the new
                // decision (a due rotation's months among them,
                // sim/step.rs).
                let (v, months_then) = if STAGGERED {
                    let after_revision = after(edge, h_revise);
                    owed[j] = owed::pack(after_revision, 0);
                    out.owing += (after_revision > 0) as u32;
                    let a = after_revision.min(months);
                    revised_at = Some(a);
                    // Over one step `v` told no time and decides, as under
                    // the monthly engine.
                    let v = if n > 1 { rng.uniform() } else { v };
                    // The months in post on the revision's step, in the
                    // owed months too (before the span, often the first
                    // months of a new post).
                    (v, months_in_post[j].saturating_sub(after_revision))
                } else {
                    (v, months_in_post[j])
                };
                let s = corruption::situation_from(
                    scn,
                    derived,
                    corruption::SituationInputs {
                        rent,
                        value_pay: value_pay_for(p.pay, derived, grade[j], grade_m[j], pay),
                        months_in_post: months_then,
                        peers,
                        integrity: integrity[j],
                        punish: accountability::punish_probability(scn, detection()),
                        outside,
                        pay,
                        age_m: age_m[j],
                        move_hazard: political,
                    },
                );
                corrupt[j] = v < corruption::probability(p.cp, &s);
                break 'draw None;
            }
            edge += h_revise;
            if u < edge + h_repost {
                break 'draw Some((Event::Repost(i), after(edge, h_repost)));
            }
            None
        };
        if STAGGERED && months > 0 {
            // Over a span, the bribes of the months the officer took them in
            // this post: up to the step of an event that ends it (a move,
            // an inquiry, a quit, a revision to honesty) and from the step
            // of a revision to corruption. Collusion starts again in a new
            // post, so the rest of a moved officer's span adds little and is
            // left out.
            let ended = drawn.map_or(0, |(_, a)| a).max(moved_after).min(months);
            let ended = match revised_at {
                Some(a) if !corrupt[j] => ended.max(a),
                _ => ended,
            };
            let share = |m: u16| m as f64 / months as f64;
            if let Some(b) = bribes {
                out.rent.push(b * share(months - ended));
            } else if let (Some(a), true) = (revised_at, corrupt[j]) {
                let m = a.saturating_sub(moved_after);
                if m > 0 && pay.is_finite() {
                    let collusion = derived.collusion.at(p.cp, months_in_post[j]);
                    out.rent.push(corruption::bribes_at(
                        p.cp,
                        rent,
                        collusion,
                        value_pay_for(p.pay, derived, grade[j], grade_m[j], pay),
                        dt * share(m),
                    ));
                }
            }
        }
        // What the officer delivered per step in its owed months: in a new
        // post, counted above; in the same post (after a revision, or a
        // transfer that found no vacancy), counted by its last span, which
        // an event in those months takes back as well, at this update's
        // rate (the last span's is not kept).
        let delivered_owed = if owed_work {
            delivered_owed
        } else {
            delivered_step
        };
        // The due rotation, then the drawn event. Under the staggered
        // engine an event on a step before the rotation's (or in the owed
        // months) ended the posting first, as the monthly engine has it: a
        // move, special duty, an inquiry (no rotation under inquiry) or an
        // exit. Only a revision, which keeps the post, is drawn before a
        // rotation that still follows; on the rotation's own step both
        // apply, the rotation first, as under the monthly engine.
        if rotation_due && drawn.is_none_or(|(_, a)| a <= moved_after) {
            emit!(
                Event::Rotation(i),
                moved_after,
                delivered_after(
                    moved_after,
                    months,
                    k,
                    one.months,
                    delivered_step,
                    delivered_owed
                )
            );
        }
        if let Some((e, a)) = drawn {
            emit!(
                e,
                a,
                delivered_after(a, months, k, one.months, delivered_step, delivered_owed)
            );
        }
        retire_if_due!();
    }
}

/// Under the staggered engine, the draw of the competing risks over `n` of
/// the engine's steps as the monthly engine makes it step by step, the
/// hazards held: each step gives risk i its own probability h_i (of sum H)
/// and the first step with an event ends the draw. So an event comes with
/// probability 1 − (1 − H)^n, of risk i with share h_i/H, on step s with
/// probability ∝ (1 − H)^s.
#[derive(Clone, Copy, Debug)]
struct StepsDraw {
    /// H, at most 1.
    h_any: f64,
    /// The probability of an event over the steps.
    p_any: f64,
    n: i32,
}

impl StepsDraw {
    fn new(h_sum: f64, n: i32) -> Self {
        let h_any = h_sum.clamp(0.0, 1.0);
        // One step is the monthly engine's draw, bit for bit.
        let p_any = match n {
            ..=0 => 0.0,
            1 => h_any,
            _ => 1.0 - (1.0 - h_any).powi(n),
        };
        StepsDraw { h_any, p_any, n }
    }

    /// What a step's probability of a risk becomes over the steps.
    fn scale(&self) -> f64 {
        if self.h_any > 0.0 {
            self.p_any / self.h_any
        } else {
            0.0
        }
    }

    /// The step (from 0) an event fell on, from `w`, uniform on [0, 1): where
    /// the draw lies in its risk's probability.
    fn step(&self, w: f64) -> u16 {
        // The first step s with 1 − (1 − H)^(s+1) above w·P: a few steps,
        // cheaper than the logarithms of the closed form.
        let (target, q) = (w * self.p_any, 1.0 - self.h_any);
        let mut survive = 1.0;
        for s in 0..self.n.max(1) - 1 {
            survive *= q;
            if 1.0 - survive > target {
                return s as u16;
            }
        }
        (self.n.max(1) - 1) as u16
    }
}

/// Under the staggered engine, what the pass counted an officer delivering
/// in its post after an event `after` months before the end of its span
/// (`months` months in `k` steps, `per_step` a step): the span's steps
/// after the event, and, for an event in the owed months before the span,
/// also the owed months after it (`owed_per_step` a step of `step_m`
/// months). An event that ends the posting takes this back (sim/step.rs).
fn delivered_after(
    after: u16,
    months: u16,
    k: u16,
    step_m: u16,
    per_step: f32,
    owed_per_step: f32,
) -> f32 {
    let span = match months.checked_div(k) {
        Some(m) if m > 0 => per_step * after.min(months) as f32 / m as f32,
        _ => 0.0,
    };
    let owed = match after.saturating_sub(months).checked_div(step_m) {
        Some(steps) => owed_per_step * steps as f32,
        None => 0.0,
    };
    span + owed
}

/// Per cohort of the staggered engine, the steps since its last update if
/// it is updated on this step, else 0 (see [`due`]).
fn due_table(w: &World, stride: u32) -> [u16; MAX_SPAN] {
    due(step_in_year(w), w.derived.steps_per_year, stride, |s| {
        reads_whole_service(w, s)
    })
}

/// Per cohort, the steps since its last update if it is updated on step
/// `m` of the year (1-based, of `steps_per_year`), else 0. Cohort `c` is
/// updated on the steps `s` with `s % stride == c`, and every cohort on
/// the steps that read the whole service: those `reads_all` names (the
/// annual step, a further board's step) and the year's last step (the
/// year's observation). The year's last step being one of them, every
/// span ends within its year, and a cohort's spans add up to the year.
/// With `stride` 1 (the monthly engine) every officer is updated on every
/// step, a span of one step.
fn due(
    m: u32,
    steps_per_year: u32,
    stride: u32,
    reads_all: impl Fn(u32) -> bool,
) -> [u16; MAX_SPAN] {
    let whole = |s: u32| s == steps_per_year || reads_all(s);
    let mut due = [0u16; MAX_SPAN];
    for (c, d) in due.iter_mut().enumerate().take(stride as usize) {
        let updated = |s: u32| whole(s) || s % stride == c as u32;
        if updated(m) {
            let last = (1..m).rev().find(|&s| updated(s)).unwrap_or(0);
            *d = (m - last) as u16;
        }
    }
    due
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The staggered engine's draw over n steps gives risk i on step s the
    /// probability the monthly engine's n draws give it: (1 − H)^s · h_i.
    #[test]
    fn the_draw_over_a_span_is_that_of_its_steps() {
        let hs = [0.004, 0.01, 0.06, 0.002, 0.08, 0.0];
        let n = 4;
        let h: f64 = hs.iter().sum();
        let draw = StepsDraw::new(h, n);
        let scaled = hs.map(|x| x * draw.scale());
        let cells = 400_000;
        let mut p = [[0.0f64; 4]; 6];
        let mut none = 0.0;
        for c in 0..cells {
            let u = (c as f64 + 0.5) / cells as f64;
            let mut from = 0.0;
            let hit = scaled.iter().position(|&x| {
                from += x;
                u < from
            });
            match hit {
                Some(r) => {
                    let w = (u - (from - scaled[r])) / scaled[r];
                    p[r][draw.step(w) as usize] += 1.0 / cells as f64;
                }
                None => none += 1.0 / cells as f64,
            }
        }
        for (r, row) in p.iter().enumerate() {
            for (s, &got) in row.iter().enumerate() {
                let want = (1.0 - h).powi(s as i32) * hs[r];
                assert!(
                    (got - want).abs() < 1e-5,
                    "risk {r} step {s}: {got} vs {want}"
                );
            }
        }
        assert!((none - (1.0 - h).powi(n)).abs() < 1e-5, "{none}");
        // A sure event falls on the first step; no steps, no event.
        let sure = StepsDraw::new(1.5, 3);
        assert_eq!((sure.scale(), sure.step(0.9)), (1.0, 0));
        assert_eq!(StepsDraw::new(0.2, 0).scale(), 0.0);
    }

    /// An event takes back the span's steps after it, and, when it fell in
    /// the owed months before the span, the whole span and the owed months
    /// after it.
    #[test]
    fn an_event_takes_back_the_delivery_after_it() {
        // A span of 3 monthly steps, 2.0 a step; owed months 0.5 a step.
        assert_eq!(delivered_after(0, 3, 3, 1, 2.0, 0.5), 0.0);
        assert_eq!(delivered_after(2, 3, 3, 1, 2.0, 0.5), 4.0);
        assert_eq!(delivered_after(5, 3, 3, 1, 2.0, 0.5), 6.0 + 1.0);
        // A span of no time: only owed months.
        assert_eq!(delivered_after(2, 0, 0, 1, 0.0, 0.5), 1.0);
        // Steps of 3 months: a span of 2 steps (6 months), 1 step after.
        assert_eq!(delivered_after(3, 6, 2, 3, 2.0, 0.5), 2.0);
    }

    /// Every cohort's spans cover each step of the year exactly once, none
    /// is longer than the stride, and every officer is updated on the steps
    /// that read the whole service.
    #[test]
    fn spans_cover_the_year_once() {
        for steps_per_year in [1u32, 2, 3, 4, 6, 12] {
            for stride in 1..=12u32 {
                for annual in 1..=steps_per_year {
                    let reads_all = |s: u32| s == annual;
                    let mut covered = vec![0u32; stride as usize];
                    for m in 1..=steps_per_year {
                        let d = due(m, steps_per_year, stride, reads_all);
                        for c in 0..stride as usize {
                            assert!(d[c] as u32 <= stride, "span {} > stride {stride}", d[c]);
                            covered[c] += d[c] as u32;
                            if m == annual || m == steps_per_year {
                                assert!(d[c] > 0, "cohort {c} waits on step {m}");
                            }
                        }
                        assert!(d[stride as usize..].iter().all(|&x| x == 0));
                    }
                    assert!(covered.iter().all(|&x| x == steps_per_year), "{covered:?}");
                }
            }
        }
    }

    #[test]
    fn the_monthly_engine_updates_everyone_every_step() {
        for m in 1..=12 {
            assert_eq!(due(m, 12, 1, |_| false)[0], 1);
        }
    }

    #[test]
    fn a_stride_of_three_staggers_three_cohorts() {
        // Annual step 12, a second board on step 6.
        let reads_all = |s: u32| s == 12 || s == 6;
        let spans: Vec<[u16; 3]> = (1..=12)
            .map(|m| {
                let d = due(m, 12, 3, reads_all);
                [d[0], d[1], d[2]]
            })
            .collect();
        assert_eq!(spans[0], [0, 1, 0]); // step 1: cohort 1 after one step
        assert_eq!(spans[1], [0, 0, 2]); // step 2: cohort 2 after two
        assert_eq!(spans[2], [3, 0, 0]); // step 3: cohort 0 after three
        assert_eq!(spans[5], [3, 2, 1]); // step 6: a board, everyone
        assert_eq!(spans[11], [3, 2, 1]); // step 12: everyone
    }

    /// When the steps that update everyone change within a year (a reform
    /// adds a board on step 8, in force from step 10 of the first year),
    /// the counted spans still cover every step exactly once and each is
    /// the time since the cohort's last update; the schedule alone would
    /// take step 8 for everyone's last update on step 10 and lose steps.
    #[test]
    fn counted_spans_survive_a_schedule_change() {
        for stride in 2..=6u32 {
            let mut cohorts = Cohorts::default();
            let mut covered = [0u64; MAX_SPAN];
            let mut last = [0u64; MAX_SPAN];
            for step in 1..=36u64 {
                let m = ((step - 1) % 12) as u32 + 1;
                let board = step >= 10;
                let mut d = due(m, 12, stride, |s| s == 12 || (board && s == 8));
                cohorts.count(&mut d);
                for c in 0..stride as usize {
                    if d[c] > 0 {
                        assert_eq!(d[c] as u64, step - last[c], "stride {stride} step {step}");
                        assert!(d[c] as u32 <= stride);
                        last[c] = step;
                        covered[c] += d[c] as u64;
                    }
                }
            }
            assert!(
                covered[..stride as usize].iter().all(|&x| x == 36),
                "{covered:?}"
            );
        }
    }
}
