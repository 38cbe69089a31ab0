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

use crate::model::corruption;
use crate::model::pay::PayParams;
use crate::model::population::NONE;
use crate::model::{ageing, work};
use crate::scenario::Scenario;
use crate::sim::rng::Stream;
use crate::sim::step::{
    SituationInputs, detection_hazard_for, months_per_step, per_step, punish_from, situation_from,
};
use crate::sim::world::{
    CHUNK, Derived, Env, Event, World, outside_for, pay_for, peer_share_in, rent_value,
};

/// What one chunk of the pass hands back, in slot order.
#[derive(Clone, Debug, Default)]
pub struct ChunkOut {
    /// Cross-officer events, applied after the pass.
    pub events: Vec<Event>,
    /// Each posted officer's delivered performance (grade-weighted).
    delivery: Vec<f32>,
    /// Each corrupt officer's bribes this step.
    rent: Vec<f64>,
    /// Each exposed officer's political transfer hazard.
    pressure: Vec<f64>,
}

impl ChunkOut {
    fn clear(&mut self) {
        self.events.clear();
        self.delivery.clear();
        self.rent.clear();
        self.pressure.clear();
    }
}

/// Values fixed for the whole step, computed once.
struct StepParams<'a> {
    scn: &'a Scenario,
    d: &'a Derived,
    env: &'a Env,
    unit_count: &'a [u32],
    unit_corrupt: &'a [u32],
    pay: &'a PayParams,
    cp: &'a corruption::CorruptionParams,
    wf: work::WorkFactors,
    mps: u16,
    dt: f64,
    learn_on: bool,
    e_gain: f32,
    m_gain: f32,
    ability_w: f32,
    interference: f64,
    conn_gain: f32,
    fear_level: f32,
    wrongful_rate: f64,
    revision: f64,
    postings_on: bool,
    wave: bool,
    wave_mult: f64,
    osd_rate: f64,
    morale_k: f64,
    fairness_env: f64,
    protection: f64,
    rent_cut: f32,
    sectors: usize,
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
    integrity: &'a mut [f32],
    morale: &'a mut [f32],
    corrupt: &'a mut [bool],
}

/// The fused pass over officers, chunk by chunk (in parallel), each chunk
/// with its own stream.
pub fn officer_pass(w: &mut World) {
    w.ensure_chunk_streams();
    let mps = months_per_step(w);
    let rent_cut = w.rent_cut();
    let World {
        scn,
        d,
        off,
        env,
        unit_count,
        unit_corrupt,
        chunk_rngs,
        chunk_out,
        flows,
        events,
        ..
    } = w;
    let pol = &scn.politics;
    let acc = &scn.accountability;
    let interference = d.interference;
    let postings_on = scn.postings.enabled;
    let p = StepParams {
        scn,
        d,
        env,
        unit_count,
        unit_corrupt,
        pay: &scn.pay,
        cp: &scn.corruption,
        wf: work::WorkFactors::from(&scn.work),
        mps,
        dt: 1.0 / d.spy as f64,
        learn_on: scn.ageing.learning,
        e_gain: 1.0 - (1.0 - scn.ageing.expertise_gain as f32).powi(mps as i32),
        m_gain: 1.0 - (1.0 - scn.ageing.managerial_gain as f32).powi(mps as i32),
        ability_w: scn.work.ability_weight as f32,
        interference,
        conn_gain: if pol.enabled {
            (pol.connection_gain * interference * mps as f64) as f32
        } else {
            0.0
        },
        fear_level: if acc.enabled {
            acc.selective_enforcement as f32
        } else {
            0.0
        },
        wrongful_rate: if acc.enabled {
            acc.wrongful_inquiry_rate * acc.selective_enforcement
        } else {
            0.0
        },
        revision: if scn.corruption.enabled {
            scn.corruption.revision_rate
        } else {
            0.0
        },
        postings_on,
        wave: env.wave_left > 0,
        wave_mult: pol.wave_multiplier,
        osd_rate: if postings_on {
            scn.postings.osd_repost_rate
        } else {
            0.0
        },
        morale_k: 1.0 - (1.0 - scn.pay.morale_rate).powi(mps as i32),
        fairness_env: 1.0 - 0.7 * env.promotion_capture,
        protection: scn.postings.tenure_protection,
        rent_cut,
        sectors: d.sectors,
    };
    let s = off.sectors;
    let slots = off.slots();
    let mut cols: Vec<Cols> = Vec::with_capacity(slots.div_ceil(CHUNK));
    {
        let mut age_m = off.age_m.chunks_mut(CHUNK);
        let mut service_m = off.service_m.chunks_mut(CHUNK);
        let mut grade_m = off.grade_m.chunks_mut(CHUNK);
        let mut training_left = off.training_left.chunks_mut(CHUNK);
        let mut inquiry_left = off.inquiry_left.chunks_mut(CHUNK);
        let mut months_in_post = off.months_in_post.chunks_mut(CHUNK);
        let mut expertise = off.expertise.chunks_mut(CHUNK * s.max(1));
        let mut managerial = off.managerial.chunks_mut(CHUNK);
        let mut connections = off.connections.chunks_mut(CHUNK);
        let mut perf_sum = off.perf_sum.chunks_mut(CHUNK);
        let mut perf_n = off.perf_n.chunks_mut(CHUNK);
        let mut integrity = off.integrity.chunks_mut(CHUNK);
        let mut morale = off.morale.chunks_mut(CHUNK);
        let mut corrupt = off.corrupt.chunks_mut(CHUNK);
        for lo in (0..slots).step_by(CHUNK) {
            let hi = (lo + CHUNK).min(slots);
            cols.push(Cols {
                lo,
                active: &off.active[lo..hi],
                grade: &off.grade[lo..hi],
                post: &off.post[lo..hi],
                post_unit: &off.post_unit[lo..hi],
                post_sector: &off.post_sector[lo..hi],
                post_rent_factor: &off.post_rent_factor[lo..hi],
                appraisal: &off.appraisal[lo..hi],
                ability: &off.ability[lo..hi],
                integrity0: &off.integrity0[lo..hi],
                supersessions: &off.supersessions[lo..hi],
                scalar_comp: &off.scalar_comp[lo..hi],
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
                integrity: integrity.next().expect("chunk"),
                morale: morale.next().expect("chunk"),
                corrupt: corrupt.next().expect("chunk"),
            });
        }
    }
    let chunks = cols.len();
    cols.into_par_iter()
        .zip(chunk_rngs[..chunks].par_iter_mut())
        .zip(chunk_out[..chunks].par_iter_mut())
        .for_each(|((c, rng), out)| chunk_pass(&p, c, rng, out));
    // Merged in slot order: the same sums and event order as one pass.
    let (mut delivery, mut rent_taken, mut pressure, mut pressure_n) = (0.0f64, 0.0f64, 0.0, 0u32);
    events.clear();
    for out in &chunk_out[..chunks] {
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
        events.extend_from_slice(&out.events);
    }
    flows.delivery += delivery;
    flows.rent_taken += rent_taken;
    flows.steps += 1;
    env.transfer_pressure = if pressure_n > 0 {
        pressure / pressure_n as f64
    } else {
        0.0
    };
}

/// One chunk of the pass.
fn chunk_pass(p: &StepParams, c: Cols, rng: &mut Stream, out: &mut ChunkOut) {
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
        integrity,
        morale,
        corrupt,
    } = c;
    let (scn, d, mps, dt, sectors) = (p.scn, p.d, p.mps, p.dt, p.sectors);
    let ev = &mut out.events;
    for j in 0..active.len() {
        if !active[j] {
            continue;
        }
        let i = (lo + j) as u32;
        age_m[j] = age_m[j].saturating_add(mps);
        service_m[j] = service_m[j].saturating_add(mps);
        grade_m[j] = grade_m[j].saturating_add(mps);
        if age_m[j] >= d.retirement_m {
            ev.push(Event::Retire(i));
            continue;
        }
        if training_left[j] > 0 {
            training_left[j] = training_left[j].saturating_sub(mps as u8);
            if training_left[j] == 0 {
                ev.push(Event::TrainingDone(i));
            }
            continue;
        }
        let under_inquiry = inquiry_left[j] >= 0;
        if under_inquiry {
            // Count down first, so a delay of d months gives the verdict
            // after d months whatever the step length.
            let left = (inquiry_left[j] - mps as i16).max(0);
            inquiry_left[j] = left;
            if left == 0 {
                ev.push(Event::Verdict(i));
                continue;
            }
        }
        let g = grade[j] as usize;
        let posted = post[j] != NONE;
        let pay = pay_for(p.pay, d, grade[j], grade_m[j], &appraisal[j]);
        let conn = connections[j];
        let fear = p.fear_level * (1.0 - conn);
        let row = j * sectors..(j + 1) * sectors;
        let mut rent = 0.0f32;
        let mut peers = 0.0f32;
        let mut p_pol = 0.0;
        if posted {
            let s = post_sector[j] as usize;
            months_in_post[j] = months_in_post[j].saturating_add(mps);
            if p.learn_on {
                let e = &mut expertise[j * sectors + s];
                *e = ageing::learn(p.e_gain, *e);
                managerial[j] = ageing::learn(p.m_gain * d.mgmt[g], managerial[j]);
            }
            let desir = d.sector_desirability[s];
            if p.conn_gain > 0.0 {
                connections[j] = conn + p.conn_gain * desir * (1.0 - conn);
            }
            let comp = if d.scalar {
                scalar_comp[j]
            } else {
                work::competence(
                    p.ability_w,
                    ability[j],
                    expertise[j * sectors + s],
                    managerial[j],
                    d.mgmt[g],
                )
            };
            let perf = comp / 10.0
                * work::performance_factor(&p.wf, months_in_post[j], morale[j], corrupt[j], fear);
            perf_sum[j] += perf;
            perf_n[j] = perf_n[j].saturating_add(1);
            out.delivery.push(d.delivery_weight[g] * perf * 10.0);
            let unit = post_unit[j] as usize;
            peers = peer_share_in(p.unit_count[unit], p.unit_corrupt[unit], corrupt[j]);
            rent = rent_value(d.sector_rent[s], post_rent_factor[j], p.rent_cut);
            if p.cp.enabled {
                // The dynamics are monthly; a longer step applies them once a month.
                for _ in 0..mps {
                    integrity[j] = corruption::integrity_step(
                        p.cp,
                        integrity[j],
                        integrity0[j],
                        peers,
                        morale[j],
                    );
                }
            }
            if corrupt[j] {
                let collusion = 1.0 - (-(months_in_post[j] as f64) / p.cp.collusion_months).exp();
                out.rent
                    .push(rent as f64 * p.cp.rent_value * collusion * pay * dt);
            }
            if p.postings_on && !under_inquiry {
                p_pol = scn.postings.political_hazard(
                    p.interference,
                    desir as f64,
                    ability[j] as f64,
                    p.wave,
                    p.wave_mult,
                );
                out.pressure.push(p_pol);
                // A due rotation is applied with the step's events; the
                // officer still faces this step's risks (a rotation that
                // finds no vacancy must not freeze the officer).
                if months_in_post[j] >= d.tenure_m {
                    ev.push(Event::Rotation(i));
                }
            }
        }
        // Outside option and morale.
        let outside = outside_for(p.pay, d, grade[j], ability[j], &expertise[row]);
        if p.pay.morale {
            let supersede = 0.15 * supersessions[j].min(2) as f64;
            let osd = if posted { 0.0 } else { 0.3 };
            let security =
                1.0 - (p_pol.max(p.env.transfer_pressure * (1.0 - p.protection))).min(1.0) - osd;
            let target = p
                .pay
                .target_morale(pay / outside, p.fairness_env - supersede, security);
            let m = morale[j];
            morale[j] = (m + p.morale_k as f32 * (target as f32 - m)).clamp(0.0, 1.0);
        }
        // Competing risks from one uniform draw.
        let is_corrupt = corrupt[j];
        // Computed only where used: the hazard of a corrupt officer, and
        // the rare revision of the decision.
        let detection = || detection_hazard_for(scn, d, p.env, connections[j]);
        let h_det = if is_corrupt && !under_inquiry {
            per_step(detection(), dt)
        } else {
            0.0
        };
        let h_wrong = if !is_corrupt && !under_inquiry {
            per_step(p.wrongful_rate * (1.0 - conn as f64), dt)
        } else {
            0.0
        };
        // p_pol is 0 unless postings are on and the officer is posted.
        let h_pol = per_step(p_pol, dt);
        let service_years = service_m[j] as f64 / 12.0;
        let h_quit = per_step(
            scn.exits
                .quit_hazard(outside / pay, service_years, morale[j] as f64),
            dt,
        );
        let h_rev = if posted && rent > 0.0 && !under_inquiry {
            per_step(p.revision, dt)
        } else {
            0.0
        };
        let h_repost = if !posted && !under_inquiry {
            per_step(p.osd_rate, dt)
        } else {
            0.0
        };
        let u = rng.uniform();
        let mut edge = h_det;
        if u < edge {
            ev.push(Event::Detected(i));
            continue;
        }
        edge += h_wrong;
        if u < edge {
            ev.push(Event::WrongfulInquiry(i));
            continue;
        }
        edge += h_pol;
        if u < edge {
            ev.push(Event::PoliticalTransfer(i));
            continue;
        }
        edge += h_quit;
        if u < edge {
            ev.push(Event::Quit(i));
            continue;
        }
        if u < edge + h_rev {
            // Conditional on revising, (u − edge)/h_rev is again uniform.
            let v = (u - edge) / h_rev;
            let s = situation_from(
                scn,
                d,
                SituationInputs {
                    rent,
                    months_in_post: months_in_post[j],
                    peers,
                    integrity: integrity[j],
                    punish: punish_from(scn, detection()),
                    outside,
                    pay,
                    age_m: age_m[j],
                },
            );
            corrupt[j] = v < corruption::probability(p.cp, &s);
            continue;
        }
        edge += h_rev;
        if u < edge + h_repost {
            ev.push(Event::Repost(i));
        }
    }
}
