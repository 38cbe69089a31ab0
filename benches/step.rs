//! Throughput of the full model: one monthly step of the federal cadre
//! scaled to 10^3 to 10^7 officers, reported in officer-steps
//! (officer-months) per second on one thread (a pool of one). The world is built, and run
//! for one simulated year, outside the timed part.
//!
//! ```sh
//! cargo bench --bench step                  # full run, a few minutes
//! cargo bench --bench step -- --quick       # short run
//! BUREAUSIM_BENCH_MAX_OFFICERS=100000 cargo bench --bench step   # up to 10^5
//! ```
//!
//! Building and warming up the 10^7 world takes about two minutes and
//! 2 GiB of memory, whatever criterion's filter says: set
//! `BUREAUSIM_BENCH_MAX_OFFICERS` to skip the sizes above it. The per-size
//! sample counts and times below override criterion's `--warm-up-time`,
//! `--measurement-time` and `--sample-size` for 10^6 and 10^7; use
//! `--quick` for a short run.
//!
//! The group `one_replicate_threads` steps one world of 10^6 officers on a
//! pool of 1 and of 2 threads: the monthly pass runs its 4096-slot chunks
//! in parallel (`sim::pass`), so this is the speed-up of one large
//! replicate (whole replicates also run in parallel, `sim::runner::run`).
//!
//! The group `year` runs one simulated year (12 steps and the annual step)
//! of the same service under each engine, the monthly one and the
//! staggered default (docs/engines.md), on one thread: the staggered
//! engine updates a third of the officers on most steps, so only a whole
//! year compares the two. Its throughput is officer-months per second, as
//! the other groups'.

use std::time::Duration;

use bureausim::model::init;
use bureausim::scenario::Scenario;
use bureausim::sim::step::{self, Engine};
use criterion::{
    BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};

/// The default federal cadre scaled to about `officers` at the start,
/// under the monthly engine: every step updates every officer, so the
/// throughput is officer-months per second and comparable with
/// BENCHMARKS.md's figures from before the staggered engine became the
/// default (which updates a third of the officers on most steps).
fn scaled(officers: u64) -> Scenario {
    scaled_under(officers, "monthly")
}

/// [`scaled`] under `engine` ("monthly" or "staggered").
fn scaled_under(officers: u64, engine: &str) -> Scenario {
    let mut s = Scenario::default();
    s.sim.engine = engine.into();
    let base: u64 = (0..s.structure.grades.len())
        .map(|g| s.structure.initial_officers(g) as u64)
        .sum();
    s.scaled(officers as f64 / base as f64)
}

/// Largest size to build: `BUREAUSIM_BENCH_MAX_OFFICERS`, or all sizes.
/// Every size's world is built before criterion's filter is applied, so
/// this is how a short run skips the 10^7 set-up.
fn max_officers() -> u64 {
    std::env::var("BUREAUSIM_BENCH_MAX_OFFICERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(u64::MAX)
}

/// A pool of `n` threads for the steps to run in.
fn pool(n: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .build()
        .expect("thread pool")
}

fn bench_step(c: &mut Criterion) {
    // One thread, so that the figures compare with the bound kernel's.
    let one = pool(1);
    let mut group = c.benchmark_group("monthly_step");
    for officers in [1_000u64, 10_000, 100_000, 1_000_000, 10_000_000] {
        if officers > max_officers() {
            continue;
        }
        match officers {
            // Microseconds to tens of milliseconds a step: criterion's
            // default times, 20 samples.
            ..=100_000 => {
                group.sample_size(20).sampling_mode(SamplingMode::Auto);
            }
            // About 0.3 s a step: 10 samples of a few steps each.
            100_001..=1_000_000 => {
                group
                    .sample_size(10)
                    .sampling_mode(SamplingMode::Flat)
                    .warm_up_time(Duration::from_secs(2))
                    .measurement_time(Duration::from_secs(8));
            }
            // Several seconds a step: 10 samples of one step each
            // (criterion warns that they take longer than the target time).
            _ => {
                group
                    .sample_size(10)
                    .sampling_mode(SamplingMode::Flat)
                    .warm_up_time(Duration::from_secs(1))
                    .measurement_time(Duration::from_secs(40));
            }
        }
        let s = scaled(officers);
        let mut w = init::build(&s, 0);
        let mut engine = Engine::default();
        // One simulated year first, so the measured state is a running one.
        for _ in 0..12 {
            step::step(&mut w, &mut engine);
        }
        group.throughput(Throughput::Elements(w.officers.headcount() as u64));
        group.bench_with_input(BenchmarkId::from_parameter(officers), &officers, |b, _| {
            b.iter(|| one.install(|| step::step(&mut w, &mut engine)));
        });
    }
    group.finish();
}

/// One large replicate on 1 and 2 threads.
fn bench_threads(c: &mut Criterion) {
    let officers = 1_000_000u64.min(max_officers());
    let mut group = c.benchmark_group("one_replicate_threads");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(8));
    let s = scaled(officers);
    let mut w = init::build(&s, 0);
    let mut engine = Engine::default();
    for _ in 0..12 {
        step::step(&mut w, &mut engine);
    }
    group.throughput(Throughput::Elements(w.officers.headcount() as u64));
    for threads in [1usize, 2] {
        let pool = pool(threads);
        group.bench_with_input(BenchmarkId::from_parameter(threads), &threads, |b, _| {
            b.iter(|| pool.install(|| step::step(&mut w, &mut engine)));
        });
    }
    group.finish();
}

/// One simulated year under each engine, one thread.
fn bench_year(c: &mut Criterion) {
    let one = pool(1);
    let mut group = c.benchmark_group("year");
    for officers in [10_000u64, 100_000, 1_000_000] {
        if officers > max_officers() {
            continue;
        }
        if officers <= 10_000 {
            group.sample_size(20).sampling_mode(SamplingMode::Auto);
        } else {
            // Up to a few seconds a year: 10 samples of one year each.
            group
                .sample_size(10)
                .sampling_mode(SamplingMode::Flat)
                .warm_up_time(Duration::from_secs(1))
                .measurement_time(Duration::from_secs(if officers > 100_000 { 40 } else { 8 }));
        }
        for engine in ["monthly", "staggered"] {
            let s = scaled_under(officers, engine);
            let mut w = init::build(&s, 0);
            let mut e = Engine::default();
            for _ in 0..12 {
                step::step(&mut w, &mut e);
            }
            // Officer-months in a year.
            group.throughput(Throughput::Elements(12 * w.officers.headcount() as u64));
            group.bench_with_input(BenchmarkId::new(engine, officers), &officers, |b, _| {
                b.iter(|| {
                    one.install(|| {
                        for _ in 0..12 {
                            step::step(&mut w, &mut e);
                        }
                    })
                });
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench_step, bench_threads, bench_year);
criterion_main!(benches);
