//! Throughput of the full model: one monthly step of the federal cadre
//! scaled to 10^3, 10^4 and 10^5 officers, reported in officer-steps per
//! second. The world is built outside the timed part.

use bureausim::scenario::Scenario;
use bureausim::sim::{init, step};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

fn scaled(officers: u64) -> Scenario {
    let mut s = Scenario::default();
    let base: u64 = (0..s.structure.grades.len())
        .map(|g| s.structure.initial_officers(g) as u64)
        .sum();
    let f = officers as f64 / base as f64;
    for g in &mut s.structure.grades {
        g.posts = ((g.posts as f64 * f).round() as u32).max(1);
        g.initial_officers = g
            .initial_officers
            .map(|n| ((n as f64 * f).round() as u32).min(g.posts));
    }
    for c in &mut s.training.courses {
        c.seats_per_year = ((c.seats_per_year as f64 * f).round() as u32).max(1);
    }
    s
}

fn bench_step(c: &mut Criterion) {
    let mut group = c.benchmark_group("monthly_step");
    group.sample_size(20);
    for officers in [1_000u64, 10_000, 100_000] {
        let s = scaled(officers);
        let mut w = init::build(&s, 0);
        // One simulated year first, so the measured state is a running one.
        for _ in 0..12 {
            step::step(&mut w);
        }
        group.throughput(Throughput::Elements(w.off.headcount() as u64));
        group.bench_with_input(BenchmarkId::from_parameter(officers), &officers, |b, _| {
            b.iter(|| step::step(&mut w));
        });
    }
    group.finish();
}

criterion_group!(benches, bench_step);
criterion_main!(benches);
