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
    accountability, ageing, appraisal, exits, postings, promotion, recruitment, reforms, training,
    work,
};
use crate::sim::world::{CHUNK, Event, World};

/// Months of age and service per step (steps a year divide 12).
pub fn months_per_step(w: &World) -> u16 {
    (12 / w.d.spy) as u16
}

/// Per-step probability of an event with annual hazard `h`.
#[inline]
fn per_step(h: f64, dt: f64) -> f64 {
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
    let a = &w.scn.accountability;
    if !a.enabled {
        return 0.0;
    }
    let shield = 1.0 - w.scn.politics.protection * w.d.interference * w.off.connections[i] as f64;
    a.detection_rate * w.env.detection_boost * shield.max(0.0)
}

/// Perceived annual probability of detection and conviction for officer `i`.
#[inline]
pub fn punish_probability(w: &World, i: usize) -> f64 {
    (detection_hazard(w, i) * w.scn.accountability.conviction_rate).min(1.0)
}

/// The corruption decision's inputs for officer `i` in post `p`.
pub fn situation(w: &World, i: usize, p: usize) -> crate::model::corruption::Situation {
    debug_assert_eq!(w.off.post[i] as usize, p);
    let unit = w.off.post_unit[i] as usize;
    let pay = w.pay_of(i);
    crate::model::corruption::Situation {
        rent: w.officer_rent(i) as f64,
        months_in_post: w.off.months_in_post[i] as f64,
        peers: w.peer_share(i, unit) as f64,
        integrity: w.off.integrity[i] as f64
            * (1.0 - w.scn.politics.rent_pressure * w.d.interference),
        punish: punish_probability(w, i),
        outside_ratio: w.outside_of(i) / pay,
        years_left: (w.d.retirement_m as f64 - w.off.age_m[i] as f64) / 12.0,
    }
}

/// Advances the world by one step.
pub fn step(w: &mut World) {
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
    officer_pass(w);
    apply_events(w);
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
}

/// The fused pass over officers, chunk by chunk, each chunk with its own stream.
fn officer_pass(w: &mut World) {
    w.ensure_chunk_streams();
    let mut rngs = std::mem::take(&mut w.chunk_rngs);
    let mut bufs = std::mem::take(&mut w.chunk_events);
    let mps = months_per_step(w);
    let dt = 1.0 / w.d.spy as f64;
    let wf = work::WorkFactors::from(&w.scn.work);
    let learn_on = w.scn.ageing.learning;
    let e_gain = 1.0 - (1.0 - w.scn.ageing.expertise_gain as f32).powi(mps as i32);
    let m_gain = 1.0 - (1.0 - w.scn.ageing.managerial_gain as f32).powi(mps as i32);
    let ability_w = w.scn.work.ability_weight as f32;
    let interference = w.d.interference;
    let pol = &w.scn.politics;
    let conn_gain = if pol.enabled {
        (pol.connection_gain * interference * mps as f64) as f32
    } else {
        0.0
    };
    let acc = &w.scn.accountability;
    let fear_level = if acc.enabled {
        acc.selective_enforcement as f32
    } else {
        0.0
    };
    let wrongful_rate = if acc.enabled {
        acc.wrongful_inquiry_rate * acc.selective_enforcement
    } else {
        0.0
    };
    let cp = w.scn.corruption.clone();
    let revision = if cp.enabled { cp.revision_rate } else { 0.0 };
    let postings_on = w.scn.postings.enabled;
    let wave = w.env.wave_left > 0;
    let wave_mult = w.scn.politics.wave_multiplier;
    let osd_rate = if postings_on {
        w.scn.postings.osd_repost_rate
    } else {
        0.0
    };
    let pay_p = w.scn.pay.clone();
    let morale_k = 1.0 - (1.0 - pay_p.morale_rate).powi(mps as i32);
    let fairness_env = 1.0 - 0.7 * w.env.promotion_capture;
    let protection = w.scn.postings.tenure_protection;
    let mut delivery = 0.0f64;
    let mut rent_taken = 0.0f64;
    let mut pressure = 0.0f64;
    let mut pressure_n = 0u32;
    let sectors = w.d.sectors;
    for (c, rng) in rngs.iter_mut().enumerate() {
        let ev = &mut bufs[c];
        ev.clear();
        let end = ((c + 1) * CHUNK).min(w.off.slots());
        for i in c * CHUNK..end {
            if !w.off.active[i] {
                continue;
            }
            w.off.age_m[i] = w.off.age_m[i].saturating_add(mps);
            w.off.service_m[i] = w.off.service_m[i].saturating_add(mps);
            w.off.grade_m[i] = w.off.grade_m[i].saturating_add(mps);
            if w.off.age_m[i] >= w.d.retirement_m {
                ev.push(Event::Retire(i as u32));
                continue;
            }
            if w.off.training_left[i] > 0 {
                w.off.training_left[i] = w.off.training_left[i].saturating_sub(mps as u8);
                if w.off.training_left[i] == 0 {
                    ev.push(Event::TrainingDone(i as u32));
                }
                continue;
            }
            let under_inquiry = w.off.inquiry_left[i] >= 0;
            if under_inquiry {
                // Count down first, so a delay of d months gives the
                // verdict after d months whatever the step length.
                let left = (w.off.inquiry_left[i] - mps as i16).max(0);
                w.off.inquiry_left[i] = left;
                if left == 0 {
                    ev.push(Event::Verdict(i as u32));
                    continue;
                }
            }
            let g = w.off.grade[i] as usize;
            let p = w.off.post[i];
            let posted = p != NONE;
            let pay = w.pay_of(i);
            let conn = w.off.connections[i];
            let fear = fear_level * (1.0 - conn);
            let mut rent = 0.0f32;
            let mut p_pol = 0.0;
            if posted {
                let s = w.off.post_sector[i] as usize;
                w.off.months_in_post[i] = w.off.months_in_post[i].saturating_add(mps);
                if learn_on {
                    let e = &mut w.off.expertise[i * sectors + s];
                    *e = ageing::learn(e_gain, *e);
                    w.off.managerial[i] = ageing::learn(m_gain * w.d.mgmt[g], w.off.managerial[i]);
                }
                let desir = w.d.sector_desirability[s];
                if conn_gain > 0.0 {
                    w.off.connections[i] = conn + conn_gain * desir * (1.0 - conn);
                }
                let comp = if w.d.scalar {
                    w.off.scalar_comp[i]
                } else {
                    work::competence(
                        ability_w,
                        w.off.ability[i],
                        w.off.expertise[i * sectors + s],
                        w.off.managerial[i],
                        w.d.mgmt[g],
                    )
                };
                let perf = comp / 10.0
                    * work::performance_factor(
                        &wf,
                        w.off.months_in_post[i],
                        w.off.morale[i],
                        w.off.corrupt[i],
                        fear,
                    );
                w.off.perf_sum[i] += perf;
                w.off.perf_n[i] = w.off.perf_n[i].saturating_add(1);
                delivery += (w.d.delivery_weight[g] * perf * 10.0) as f64;
                let unit = w.off.post_unit[i] as usize;
                let peers = w.peer_share(i, unit);
                rent = w.officer_rent(i);
                if cp.enabled {
                    // The dynamics are monthly; a longer step applies them once a month.
                    for _ in 0..mps {
                        w.off.integrity[i] = crate::model::corruption::integrity_step(
                            &cp,
                            w.off.integrity[i],
                            w.off.integrity0[i],
                            peers,
                            w.off.morale[i],
                        );
                    }
                }
                if w.off.corrupt[i] {
                    let collusion =
                        1.0 - (-(w.off.months_in_post[i] as f64) / cp.collusion_months).exp();
                    rent_taken += rent as f64 * cp.rent_value * collusion * pay * dt;
                }
                if postings_on && !under_inquiry {
                    p_pol = w.scn.postings.political_hazard(
                        interference,
                        desir as f64,
                        w.off.ability[i] as f64,
                        wave,
                        wave_mult,
                    );
                    pressure += p_pol;
                    pressure_n += 1;
                    // A due rotation is applied with the step's events; the
                    // officer still faces this step's risks (a rotation that
                    // finds no vacancy must not freeze the officer).
                    if w.off.months_in_post[i] >= w.d.tenure_m {
                        ev.push(Event::Rotation(i as u32));
                    }
                }
            }
            // Outside option and morale.
            let outside = w.outside_of(i);
            if pay_p.morale {
                let supersede = 0.15 * w.off.supersessions[i].min(2) as f64;
                let osd = if posted { 0.0 } else { 0.3 };
                let security =
                    1.0 - (p_pol.max(w.env.transfer_pressure * (1.0 - protection))).min(1.0) - osd;
                let target = pay_p.target_morale(pay / outside, fairness_env - supersede, security);
                let m = w.off.morale[i];
                w.off.morale[i] = (m + morale_k as f32 * (target as f32 - m)).clamp(0.0, 1.0);
            }
            // Competing risks from one uniform draw.
            let corrupt = w.off.corrupt[i];
            let h_det = if corrupt && !under_inquiry {
                per_step(detection_hazard(w, i), dt)
            } else {
                0.0
            };
            let h_wrong = if !corrupt && !under_inquiry {
                per_step(wrongful_rate * (1.0 - conn as f64), dt)
            } else {
                0.0
            };
            // p_pol is 0 unless postings are on and the officer is posted.
            let h_pol = per_step(p_pol, dt);
            let service_years = w.off.service_m[i] as f64 / 12.0;
            let h_quit = per_step(
                w.scn
                    .exits
                    .quit_hazard(outside / pay, service_years, w.off.morale[i] as f64),
                dt,
            );
            let h_rev = if posted && rent > 0.0 && !under_inquiry {
                per_step(revision, dt)
            } else {
                0.0
            };
            let h_repost = if !posted && !under_inquiry {
                per_step(osd_rate, dt)
            } else {
                0.0
            };
            let u = rng.uniform();
            let mut edge = h_det;
            if u < edge {
                ev.push(Event::Detected(i as u32));
                continue;
            }
            edge += h_wrong;
            if u < edge {
                ev.push(Event::WrongfulInquiry(i as u32));
                continue;
            }
            edge += h_pol;
            if u < edge {
                ev.push(Event::PoliticalTransfer(i as u32));
                continue;
            }
            edge += h_quit;
            if u < edge {
                ev.push(Event::Quit(i as u32));
                continue;
            }
            if u < edge + h_rev {
                // Conditional on revising, (u − edge)/h_rev is again uniform.
                let v = (u - edge) / h_rev;
                let s = situation(w, i, p as usize);
                w.off.corrupt[i] = v < crate::model::corruption::probability(&cp, &s);
                continue;
            }
            edge += h_rev;
            if u < edge + h_repost {
                ev.push(Event::Repost(i as u32));
            }
        }
    }
    w.flows.delivery += delivery;
    w.flows.rent_taken += rent_taken;
    w.flows.steps += 1;
    w.env.transfer_pressure = if pressure_n > 0 {
        pressure / pressure_n as f64
    } else {
        0.0
    };
    let mut events = std::mem::take(&mut w.events);
    events.clear();
    for b in &bufs {
        events.extend_from_slice(b);
    }
    w.chunk_rngs = rngs;
    w.chunk_events = bufs;
    w.events = events;
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
