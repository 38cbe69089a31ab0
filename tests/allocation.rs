//! Issue 17, item 1: a year of a small service costs no allocation. Once a
//! world's buffers have grown to their working size (the warm-up years),
//! further years of steps (the pass, the events, the annual step with its
//! boards, recruitment and training) neither allocate nor free a buffer,
//! and nor does the yearly observation into rows kept from the year before
//! (`Observer::observe_into`); a buffer may only grow past its largest size
//! so far. Counted by `stats_alloc`'s global allocator, which this test
//! binary alone installs; on one thread, as the work-stealing deques of a
//! larger pool manage their own memory.

use std::path::Path;

use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

use bureausim::metrics::{Observation, Observer};
use bureausim::model::init;
use bureausim::scenario::Scenario;
use bureausim::sim::step::{Engine, step};

// `stats_alloc` counts every allocation of this test binary (all threads),
// without an `unsafe` allocator of our own.
#[global_allocator]
static GLOBAL: &StatsAlloc<std::alloc::System> = &INSTRUMENTED_SYSTEM;

/// What the heap saw while `f` ran: fresh allocations, frees, and
/// reallocations that shrank a buffer or moved it without growing it
/// (churn). A buffer that grows past its largest size so far (a
/// reallocation that adds bytes) is not counted: vectors double, so that
/// happens a handful of times in a run, not every year.
fn count(f: impl FnOnce()) -> usize {
    let region = Region::new(GLOBAL);
    f();
    let c = region.change();
    let churn = usize::from(c.reallocations > 0 && c.bytes_reallocated <= 0);
    c.allocations + c.deallocations + churn
}

/// Per year after `warm` years of `scenario`, the allocations of its steps
/// and of its observation, over `years` years.
fn allocations(scenario: &str, warm: u32, years: u32) -> (Vec<usize>, Vec<usize>) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(scenario);
    let scn = Scenario::load(&path, &[]).expect("the scenario loads");
    let mut w = init::build(&scn, 0);
    let mut engine = Engine::default();
    let mut observer = Observer::new();
    let mut rows = Observation::default();
    let steps = w.scn.sim.steps_per_year;
    let mut year = |w: &mut bureausim::model::world::World| {
        let s = count(|| {
            for _ in 0..steps {
                step(w, &mut engine);
            }
        });
        let o = count(|| observer.observe_into(w, &mut rows));
        w.flows.clear();
        (s, o)
    };
    for _ in 0..warm {
        year(&mut w);
    }
    (0..years).map(|_| year(&mut w)).unzip()
}

/// One test, so that nothing else in this binary allocates while it counts.
#[test]
fn a_year_of_a_small_service_allocates_nothing() {
    // The classic model: a service of 160, one step a year.
    let (steps, observe) = allocations("scenarios/classics/peter_principle.toml", 40, 200);
    assert!(
        steps.iter().all(|&n| n == 0),
        "classic model, steps: {steps:?}"
    );
    assert!(
        observe.iter().all(|&n| n == 0),
        "classic model, observation: {observe:?}"
    );
    // The baseline cadre: 28,000 officers, monthly steps, every mechanism.
    let (steps, observe) = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("a pool")
        .install(|| allocations("scenarios/pakistan_baseline.toml", 20, 10));
    assert!(steps.iter().all(|&n| n == 0), "cadre, steps: {steps:?}");
    assert!(
        observe.iter().all(|&n| n == 0),
        "cadre, observation: {observe:?}"
    );
}
