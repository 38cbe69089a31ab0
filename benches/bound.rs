//! The bound kernel: the memory traffic and random numbers of one monthly
//! step's fused officer pass, with trivial arithmetic in place of the model.
//! Whatever the model does per officer-month costs at least this, so its
//! throughput is the practical ceiling of the design (struct-of-arrays
//! columns, 4096-slot chunks each with its own ChaCha8 stream) on this
//! machine. Throughput in officer-months per second on one thread.
//!
//! ```sh
//! cargo bench --bench bound
//! cargo bench --bench bound -- --quick
//! ```
//!
//! What it mirrors, counted in `src/sim/step.rs` (`officer_pass` and
//! `recount_units`, as of commit bad6148) along the path most officers take
//! each month: active, posted, not retiring, not in training, not under
//! inquiry, default scenario (derived competence; learning, politics,
//! corruption, morale and postings on). The columns are the project's own
//! `Officers` and `Posts`, so their element types follow the model's.
//!
//! Officer columns, 21, 92 bytes per officer:
//! - read and written (11, 61 B): `age_m`, `service_m`, `grade_m`,
//!   `months_in_post` (u16 each); `expertise` (8 sectors × f32 = 32 B: the
//!   whole row is read by `best_sector` in `World::outside_of`, the post's
//!   sector is written by `ageing::learn`); `managerial`, `connections`,
//!   `morale`, `perf_sum`, `integrity` (f32 each); `perf_n` (u8);
//! - read only (10, 31 B): `active`, `corrupt` (bool); `training_left`,
//!   `grade`, `supersessions` (u8); `inquiry_left` (i16); `post` (u32);
//!   `ability`, `integrity0` (f32); `appraisal` ([f32; 3], read by
//!   `World::pay_of`).
//!
//! The post's sector (u8), unit (u32) and rent factor (f32): the model
//! keeps copies of them in officer columns (`post_sector`, `post_unit`,
//! `post_rent_factor`) read in slot order; here post i is held by officer
//! i, so reading the post columns streams the same 9 bytes. Then the
//! unit's posted and corrupt counts (a `UnitCount`, two u32 side by side,
//! `World::peer_share`),
//! gathered by unit as in the model. Before the pass, `recount_units`
//! reads `active`, `post`, `corrupt` and the unit again and recounts the
//! units; that is mirrored too.
//!
//! Random numbers: one `Stream::uniform` (one ChaCha8 `next_u64`) per
//! officer-month, the competing-risks draw (`let u = rng.uniform();` in
//! `officer_pass`); nothing else in the pass draws. The kernel draws one
//! per active officer from the per-chunk streams `CHUNK_BASE + chunk`, the
//! model's layout, and pushes an event for about 1% of officers.
//!
//! Not mirrored: `scalar_comp` (scalar competence mode only), the rare
//! corruption revision (`situation`), the small per-grade and per-sector
//! tables, applying the events, and the annual step (one month in twelve),
//! which the `step` bench includes.

use std::hint::black_box;
use std::time::Duration;

use bureausim::model::population::{Channel, NONE, NewOfficer, Officers};
use bureausim::model::posts::Posts;
use bureausim::model::world::UnitCount;
use bureausim::rng::{CHUNK_BASE, Stream};
use bureausim::scenario::Scenario;
use bureausim::sim::pass::CHUNK;
use criterion::{
    BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};

/// The columns the fused pass touches, and its per-chunk streams.
struct Bound {
    off: Officers,
    posts: Posts,
    units: Vec<UnitCount>,
    rngs: Vec<Stream>,
    chunk_events: Vec<Vec<u32>>,
    events: Vec<u32>,
}

impl Bound {
    /// `n` active officers, officer i in post i, with the default
    /// structure's sectors and unit size.
    fn new(n: usize) -> Self {
        let st = Scenario::default().structure;
        let sectors = st.sectors.len();
        let mut init = Stream::new(1, 0, 1);
        let per_sector = n.div_ceil(sectors) as u32;
        let posts = Posts::build(&[vec![per_sector; sectors]], st.posts_per_unit, || {
            init.range(0.5, 1.5) as f32
        });
        let mut off = Officers::with_capacity(n, sectors);
        for i in 0..n {
            let slot = off.add(&NewOfficer {
                grade: init.below(6) as u8,
                cadre: init.below(sectors) as u8,
                channel: Channel::Initial,
                ladder: 0,
                region: 0,
                age_m: 300 + init.below(300) as u16,
                service_m: init.below(300) as u16,
                ability: init.range(2.0, 9.0) as f32,
                expertise_cadre: init.range(3.0, 8.0) as f32,
                expertise_other: init.range(0.5, 2.0) as f32,
                managerial: init.range(1.0, 6.0) as f32,
                integrity: init.range(0.2, 0.9) as f32,
                connections: init.range(0.0, 0.5) as f32,
                morale: init.range(0.3, 0.8) as f32,
                training_left: 0,
                scalar_comp: 0.0,
            }) as usize;
            debug_assert_eq!(slot, i);
            off.post[slot] = i as u32;
            off.corrupt[slot] = init.chance(0.2);
            off.appraisal[slot] = [7.0, 6.5, 7.5];
        }
        let chunks = n.div_ceil(CHUNK);
        Bound {
            off,
            units: vec![UnitCount::default(); posts.units],
            posts,
            rngs: (0..chunks)
                .map(|c| Stream::new(1, 0, CHUNK_BASE + c as u64))
                .collect(),
            chunk_events: vec![Vec::with_capacity(64); chunks],
            events: Vec::new(),
        }
    }

    /// One month: the unit recount, then the fused pass chunk by chunk.
    /// Returns a sum of everything read, so no load can be dropped.
    #[allow(clippy::needless_range_loop)] // one index over 21 column slices
    fn step(&mut self) -> f64 {
        let o = &mut self.off;
        let posts = &self.posts;
        let units = &mut self.units;
        // recount_units
        units.fill(UnitCount::default());
        for ((&a, &p), &c) in o.active.iter().zip(&o.post).zip(&o.corrupt) {
            if a && p != NONE {
                let u = posts.unit[p as usize] as usize;
                units[u].posted += 1;
                units[u].corrupt += c as u32;
            }
        }
        // officer_pass
        let s = o.sectors;
        let slots = o.slots();
        let mut acc = 0.0f64;
        for (c, (rng, ev)) in self.rngs.iter_mut().zip(&mut self.chunk_events).enumerate() {
            ev.clear();
            let lo = c * CHUNK;
            let hi = (lo + CHUNK).min(slots);
            let active = &o.active[lo..hi];
            let age_m = &mut o.age_m[lo..hi];
            let service_m = &mut o.service_m[lo..hi];
            let grade_m = &mut o.grade_m[lo..hi];
            let training_left = &o.training_left[lo..hi];
            let inquiry_left = &o.inquiry_left[lo..hi];
            let grade = &o.grade[lo..hi];
            let post = &o.post[lo..hi];
            let months_in_post = &mut o.months_in_post[lo..hi];
            let expertise = &mut o.expertise[lo * s..hi * s];
            let managerial = &mut o.managerial[lo..hi];
            let connections = &mut o.connections[lo..hi];
            let ability = &o.ability[lo..hi];
            let morale = &mut o.morale[lo..hi];
            let corrupt = &o.corrupt[lo..hi];
            let perf_sum = &mut o.perf_sum[lo..hi];
            let perf_n = &mut o.perf_n[lo..hi];
            let integrity = &mut o.integrity[lo..hi];
            let integrity0 = &o.integrity0[lo..hi];
            let supersessions = &o.supersessions[lo..hi];
            let appraisal = &o.appraisal[lo..hi];
            let mut chunk_acc = 0.0f32;
            for j in 0..hi - lo {
                if !active[j] {
                    continue;
                }
                age_m[j] = age_m[j].wrapping_add(1);
                service_m[j] = service_m[j].wrapping_add(1);
                grade_m[j] = grade_m[j].wrapping_add(1);
                months_in_post[j] = months_in_post[j].wrapping_add(1);
                let p = post[j] as usize;
                let sector = posts.sector[p] as usize;
                let unit = posts.unit[p] as usize;
                let peers = units[unit].corrupt as f32 / units[unit].posted.max(1) as f32;
                let row = &mut expertise[j * s..(j + 1) * s];
                let best = row.iter().fold(0.0f32, |b, &e| b.max(e));
                row[sector] += 0.01 * (10.0 - row[sector]);
                managerial[j] += 0.01 * (10.0 - managerial[j]);
                connections[j] += 0.01 * (1.0 - connections[j]);
                morale[j] += 0.05 * (0.5 - morale[j]);
                integrity[j] += 0.05 * (integrity0[j] - integrity[j]);
                perf_sum[j] += 0.1 * ability[j];
                perf_n[j] = perf_n[j].wrapping_add(1);
                let a = appraisal[j];
                let small = grade[j] as u32
                    + training_left[j] as u32
                    + supersessions[j] as u32
                    + corrupt[j] as u32;
                chunk_acc += best
                    + a[0]
                    + a[1]
                    + a[2]
                    + posts.rent_factor[p]
                    + peers
                    + small as f32
                    + inquiry_left[j] as f32;
                if rng.uniform() < 0.01 {
                    ev.push((lo + j) as u32);
                }
            }
            acc += chunk_acc as f64;
        }
        self.events.clear();
        for ev in &self.chunk_events {
            self.events.extend_from_slice(ev);
        }
        acc + self.events.len() as f64
    }
}

fn bench_bound(c: &mut Criterion) {
    let mut group = c.benchmark_group("bound_kernel");
    for officers in [10_000usize, 1_000_000, 10_000_000] {
        if officers >= 1_000_000 {
            // Tens to hundreds of milliseconds a pass.
            group
                .sample_size(10)
                .sampling_mode(SamplingMode::Flat)
                .warm_up_time(Duration::from_secs(2))
                .measurement_time(Duration::from_secs(8));
        } else {
            group.sample_size(20);
        }
        let mut b = Bound::new(officers);
        group.throughput(Throughput::Elements(officers as u64));
        group.bench_with_input(
            BenchmarkId::from_parameter(officers),
            &officers,
            |bch, _| {
                bch.iter(|| black_box(b.step()));
            },
        );
        black_box(&b.off);
    }
    group.finish();
}

criterion_group!(benches, bench_bound);
criterion_main!(benches);
