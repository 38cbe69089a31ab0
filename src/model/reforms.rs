//! docs/model.md §7.15, the reform timeline. A reform sets any parameter path at a
//! year, optionally ramped in linearly over `ramp_years` (numbers only);
//! once in force it can be reversed each year with `reversal_hazard`
//! (reforms that are not institutionalised decay when priorities change),
//! which restores the values it replaced; `morale_shock` is added to every
//! officer's morale when it starts (negative for resistance).

use serde::{Deserialize, Serialize};
use toml::Value;

use crate::model::world::World;
use crate::paths;

/// One entry of `[[reforms]]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reform {
    /// Years since the start at which the reform begins.
    pub year: f64,
    /// Short label for plots and reports.
    #[serde(default)]
    pub label: String,
    #[serde(default)]
    pub ramp_years: f64,
    /// Yearly probability that the reform, once in force, is reversed
    /// (checked at each year end).
    #[serde(default)]
    pub reversal_hazard: f64,
    /// Probability that a change of government reverses the reform, once
    /// in force (reforms are "started but not sustained when priorities
    /// change": KP sustainability SOP). 0: assumption.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub reversal_at_government_change: f64,
    /// Institutionalisation, as the KP SOP lists it: the share (0–1) of
    /// the risk of reversal that each removes — embedding in law or rules,
    /// monitoring (file tracking, dashboards, citizen portal), and
    /// time-bound tasking with performance evaluation. Both reversal
    /// hazards are multiplied by `(1 − legal_embedding)(1 − monitoring)
    /// (1 − time_bound_tasking)`. The multiplicative form and every value
    /// are assumptions.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub legal_embedding: f64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub monitoring: f64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub time_bound_tasking: f64,
    #[serde(default)]
    pub morale_shock: f64,
    /// Key paths and the values they take.
    pub set: toml::Table,
}

fn is_zero(x: &f64) -> bool {
    *x == 0.0
}

impl Reform {
    /// A reform that sets `set` at `year`, at once and for good: no ramp,
    /// no reversal, no morale shock (each of those added by its field).
    pub fn at_once(year: f64, label: impl Into<String>, set: toml::Table) -> Self {
        Reform {
            year,
            label: label.into(),
            ramp_years: 0.0,
            reversal_hazard: 0.0,
            reversal_at_government_change: 0.0,
            legal_embedding: 0.0,
            monitoring: 0.0,
            time_bound_tasking: 0.0,
            morale_shock: 0.0,
            set,
        }
    }

    /// The step, counted from year 0, on which the reform begins: its year
    /// rounded to the step. `check` refuses one that would begin on the
    /// run's last step or after.
    pub fn start_step(&self, steps_per_year: u32) -> u64 {
        (self.year * steps_per_year as f64).round() as u64
    }

    /// The steps its ramp takes: its `ramp_years` rounded to the step (0:
    /// at once).
    pub fn ramp_steps(&self, steps_per_year: u32) -> u64 {
        (self.ramp_years * steps_per_year as f64).round() as u64
    }

    /// The factor institutionalisation leaves of the reversal hazards.
    pub fn reversal_factor(&self) -> f64 {
        (1.0 - self.legal_embedding) * (1.0 - self.monitoring) * (1.0 - self.time_bound_tasking)
    }

    /// Its label for plots and reports; "reform k" (1-based `index`) when unset.
    pub fn display_label(&self, index: usize) -> String {
        if self.label.is_empty() {
            format!("reform {}", index + 1)
        } else {
            self.label.clone()
        }
    }
}

/// Where a reform is in its life.
#[derive(Clone, Debug, PartialEq)]
pub enum Phase {
    Pending,
    Ramping,
    InForce,
    Reversed,
}

/// Run-time state of one reform.
#[derive(Clone, Debug)]
pub struct ReformState {
    pub spec: Reform,
    pub phase: Phase,
    pub start_step: u64,
    pub ramp_steps: u64,
    /// (path, value before, value after).
    pub changes: Vec<(String, Value, Value)>,
    /// Changes of government seen by the last step.
    pub government_changes_seen: u32,
}

impl ReformState {
    pub fn new(spec: &Reform, steps_per_year: u32) -> Self {
        ReformState {
            spec: spec.clone(),
            phase: Phase::Pending,
            start_step: spec.start_step(steps_per_year),
            ramp_steps: spec.ramp_steps(steps_per_year),
            changes: Vec::new(),
            government_changes_seen: 0,
        }
    }
}

/// Paths a reform may not change: they fix the run or the posts, which
/// exist from the start.
pub fn forbidden(path: &str) -> Option<&'static str> {
    let segs = paths::segments(path);
    let first = segs.first().map(String::as_str).unwrap_or("");
    let last = segs.last().map(String::as_str).unwrap_or("");
    match first {
        "name" | "description" | "sim" | "reforms" | "expect" => {
            Some("it describes the run, not a policy")
        }
        "structure"
            if matches!(
                last,
                "posts"
                    | "initial_officers"
                    | "share"
                    | "initial_fill"
                    | "initial_careers"
                    | "rent_spread"
                    | "posts_per_unit"
                    | "name"
                    | "grades"
                    | "sectors"
            ) =>
        {
            Some("posts and their sectors are laid out at the start")
        }
        // A grade's posts are split between the two ladders at the start
        // (`structure::GradeSpec::ladder_posts`); changed later, the split
        // and the officers on it part (audit, 2026-12-06: a reform raising
        // it filled BPS-17 beyond its posts).
        "structure" if last == "ex_cadre_share" => {
            Some("a grade's posts are split between the cadre and ex-cadre ladders at the start")
        }
        "transparency" if last == "egov_initial" => Some(
            "it is the service's e-governance at the start; a reform moves it through `transparency.egov_target` and `transparency.adoption_speed`",
        ),
        "trust" if last == "initial" => Some(
            "it is the public's trust at the start; trust then follows delivery and integrity (`trust.*` weights and `trust.adjust_rate`)",
        ),
        "training"
            if segs.get(1).map(String::as_str) == Some("courses")
                && (last == "name" || segs.len() == 2) =>
        {
            Some("the list of courses is fixed at the start")
        }
        _ => None,
    }
}

fn lerp(a: &Value, b: &Value, f: f64) -> Value {
    match (a, b) {
        (Value::Float(x), Value::Float(y)) => Value::Float(x + (y - x) * f),
        (Value::Integer(x), Value::Integer(y)) => {
            Value::Integer((*x as f64 + (*y - *x) as f64 * f).round() as i64)
        }
        _ => b.clone(),
    }
}

/// Advances the timeline at the current step; returns true when parameters changed.
pub fn step(w: &mut World) -> bool {
    if w.reforms.is_empty() {
        return false;
    }
    let step = w.env.step;
    let steps_per_year = w.derived.steps_per_year as u64;
    let year_end = step % steps_per_year == 0 && step > 0;
    let mut root: Option<Value> = None;
    let mut shock = 0.0;
    let mut states = std::mem::take(&mut w.reforms);
    for r in states.iter_mut() {
        match r.phase {
            Phase::Pending if step >= r.start_step => {
                let tree = root
                    .get_or_insert_with(|| Value::try_from(&w.scn).expect("scenario serialises"));
                r.changes = paths::flatten(&r.spec.set)
                    .into_iter()
                    .map(|(p, new)| {
                        let old = paths::get(tree, &p).expect("validated at load").clone();
                        let new = paths::coerce(new, &old).expect("validated at load");
                        (p, old, new)
                    })
                    .collect();
                shock += r.spec.morale_shock;
                r.phase = Phase::Ramping;
                apply_ramp(tree, r, step);
            }
            Phase::Ramping => {
                let tree = root
                    .get_or_insert_with(|| Value::try_from(&w.scn).expect("scenario serialises"));
                apply_ramp(tree, r, step);
            }
            Phase::InForce if reversed(w, r, year_end) => {
                let tree = root
                    .get_or_insert_with(|| Value::try_from(&w.scn).expect("scenario serialises"));
                // Restore only what still holds this reform's value: a key a
                // later reform has changed since keeps that reform's value.
                for (p, old, new) in &r.changes {
                    if paths::get(tree, p).expect("validated at load") == new {
                        paths::set(tree, p, old.clone()).expect("validated at load");
                    }
                }
                r.phase = Phase::Reversed;
            }
            _ => {}
        }
    }
    for r in states.iter_mut() {
        r.government_changes_seen = w.env.government_changes;
    }
    w.reforms = states;
    let changed = match root {
        Some(tree) => {
            w.scn = tree.try_into().expect("validated at load");
            w.refresh();
            true
        }
        None => false,
    };
    // A shock moves morale only where morale moves: with its dynamics off
    // (`pay.morale = false`, as the reforms now in force leave it) morale
    // is held at one value and a shock would never decay.
    if shock != 0.0 && w.scn.pay.morale {
        for m in w.officers.morale.iter_mut() {
            *m = (*m + shock as f32).clamp(0.0, 1.0);
        }
    }
    changed
}

/// Whether reform `r`, in force, is reversed at this step: by the yearly
/// hazard at a year end, or by a change of government since the last step,
/// each cut by institutionalisation. A probability of 0 draws nothing.
fn reversed(w: &mut World, r: &ReformState, year_end: bool) -> bool {
    // The probabilities after institutionalisation: a reform embedded
    // wholly (a factor of 0) draws nothing, so it leaves the stream as a
    // reform without a reversal hazard does (it drew on the hazard alone).
    let factor = r.spec.reversal_factor();
    let yearly = r.spec.reversal_hazard * factor;
    let at_change = r.spec.reversal_at_government_change * factor;
    (year_end && yearly > 0.0 && w.rng.chance(yearly))
        || (w.env.government_changes > r.government_changes_seen
            && at_change > 0.0
            && w.rng.chance(at_change))
}

fn apply_ramp(tree: &mut Value, r: &mut ReformState, step: u64) {
    let f = if r.ramp_steps == 0 {
        1.0
    } else {
        ((step + 1 - r.start_step) as f64 / r.ramp_steps as f64).min(1.0)
    };
    for (p, old, new) in &r.changes {
        // At the ramp's end the value is the reform's own: `old + (new -
        // old)` can miss it by a rounding (0.09999999999999998 for 0.1),
        // and a reversal restores only a key that still holds it.
        let v = if f >= 1.0 {
            new.clone()
        } else {
            lerp(old, new, f)
        };
        paths::set(tree, p, v).expect("validated at load");
    }
    if f >= 1.0 {
        r.phase = Phase::InForce;
    }
}

/// Number of reforms in force (ramping or complete, not reversed).
pub fn in_force(w: &World) -> usize {
    w.reforms
        .iter()
        .filter(|r| matches!(r.phase, Phase::Ramping | Phase::InForce))
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn structural_paths_are_forbidden() {
        assert!(forbidden("structure.grades[0].posts").is_some());
        assert!(forbidden("sim.years").is_some());
        assert!(forbidden("structure.grades[2].selection").is_none());
        assert!(forbidden("structure.grades[0].ex_cadre_share").is_some());
        assert!(forbidden("structure.grades[0].lateral_share").is_none());
        assert!(forbidden("promotion.weights.appraisal").is_none());
    }

    /// A small service with `reforms` (the default cadre at a tenth).
    fn world_with(reforms: Vec<Reform>) -> World {
        let mut scn = crate::model::params::Scenario::default();
        for g in &mut scn.structure.grades {
            g.posts /= 10;
            g.initial_officers = g.initial_officers.map(|n| n / 10);
        }
        scn.reforms = reforms;
        crate::model::init::build(&scn, 0)
    }

    fn compression_to(x: f64) -> Reform {
        let mut set = toml::Table::new();
        set.insert("pay.compression".into(), Value::Float(x));
        Reform::at_once(1.0, "", set)
    }

    /// Runs the timeline alone at `step` (no other mechanism moves).
    fn at(w: &mut World, step: u64) {
        w.env.step = step;
        super::step(w);
    }

    /// A reform ramps its numbers in linearly over `ramp_years` and shocks
    /// morale once, when it begins (test-quality audit, 2026-12-05: a ramp
    /// that jumped at once and a shock never applied passed every test).
    #[test]
    fn a_reform_ramps_in_and_shocks_morale_once() {
        let mut r = compression_to(4.8);
        r.ramp_years = 2.0;
        r.morale_shock = -0.05;
        let mut w = world_with(vec![r]);
        let spy = w.derived.steps_per_year as u64;
        let (old, new) = (w.scn.pay.compression, 4.8);
        assert!((old - new).abs() > 1.0, "the default is {old}");
        let before = w.officers.morale.clone();
        at(&mut w, spy - 1);
        assert_eq!(w.scn.pay.compression, old, "pending before its year");
        assert_eq!(w.officers.morale, before);
        let ramp = 2 * spy;
        for k in 0..ramp + spy {
            at(&mut w, spy + k);
            let f = ((k + 1) as f64 / ramp as f64).min(1.0);
            let want = old + (new - old) * f;
            assert!(
                (w.scn.pay.compression - want).abs() < 1e-9,
                "step {k} of the ramp: {} against {want}",
                w.scn.pay.compression
            );
            if k == 0 {
                for (i, (&a, &b)) in before.iter().zip(&w.officers.morale).enumerate() {
                    if w.officers.active[i] {
                        assert_eq!(b, (a - 0.05).clamp(0.0, 1.0), "officer {i}");
                    }
                }
                assert!(before.iter().zip(&w.officers.morale).any(|(a, b)| a != b));
            }
        }
        assert_eq!(w.scn.pay.compression, new);
        assert_eq!(w.reforms[0].phase, Phase::InForce);
        // The shock came once: morale moved only at the first step.
        let settled = w.officers.morale.clone();
        at(&mut w, 4 * spy);
        assert_eq!(w.officers.morale, settled);
    }

    /// With morale's dynamics off, a shock does not move morale: it would
    /// never decay (a mechanism audit, 2026-12-06: −0.2 at year 2 still
    /// held morale at 0.46 at year 10), and a reform that turns the
    /// dynamics off with a shock gives none either.
    #[test]
    fn a_shock_moves_no_morale_held_still() {
        let mut r = compression_to(4.8);
        r.morale_shock = -0.2;
        let mut w = world_with(vec![r.clone()]);
        w.scn.pay.morale = false;
        let before = w.officers.morale.clone();
        let spy = w.derived.steps_per_year as u64;
        at(&mut w, spy);
        assert_eq!(w.reforms[0].phase, Phase::InForce);
        assert_eq!(w.officers.morale, before);
        r.set.insert("pay.morale".into(), Value::Boolean(false));
        let mut w = world_with(vec![r]);
        at(&mut w, spy);
        assert!(!w.scn.pay.morale);
        assert_eq!(w.officers.morale, before);
    }

    /// A change of government reverses a reform with that chance, restoring
    /// the values it replaced; institutionalisation cuts the chance by its
    /// factor, and a reform embedded in law wholly is never reversed.
    #[test]
    fn a_change_of_government_reverses_reforms_as_institutionalised() {
        let n = 400;
        let mut plain = compression_to(4.8);
        plain.reversal_at_government_change = 1.0;
        let mut half = plain.clone();
        half.legal_embedding = 0.5;
        half.monitoring = 0.5;
        let mut law = plain.clone();
        law.legal_embedding = 1.0;
        for (reform, lo, hi) in [(plain, n, n), (half, 60, 140), (law, 0, 0)] {
            let mut w = world_with(vec![reform; n]);
            let spy = w.derived.steps_per_year as u64;
            let old = w.scn.pay.compression;
            at(&mut w, spy);
            assert!(w.reforms.iter().all(|r| r.phase == Phase::InForce));
            at(&mut w, spy + 1);
            assert!(
                w.reforms.iter().all(|r| r.phase == Phase::InForce),
                "no change yet"
            );
            w.env.government_changes += 1;
            at(&mut w, spy + 2);
            let reversed_now = |w: &World| {
                w.reforms
                    .iter()
                    .filter(|r| r.phase == Phase::Reversed)
                    .count()
            };
            let reversed = reversed_now(&w);
            assert!(
                (lo..=hi).contains(&reversed),
                "{reversed} of {n} reversed, expected {lo} to {hi} (factor {})",
                w.reforms[0].spec.reversal_factor()
            );
            // Every reform set the same value: one left in force keeps it.
            let want = if reversed == n { old } else { 4.8 };
            assert_eq!(w.scn.pay.compression, want);
            // Only a new change reverses: the next step reverses no more.
            at(&mut w, spy + 3);
            assert_eq!(reversed_now(&w), reversed);
        }
    }

    #[test]
    fn ramp_interpolates_numbers_only() {
        assert_eq!(
            lerp(&Value::Float(0.0), &Value::Float(1.0), 0.25),
            Value::Float(0.25)
        );
        assert_eq!(
            lerp(&Value::Integer(0), &Value::Integer(10), 0.5),
            Value::Integer(5)
        );
        assert_eq!(
            lerp(&Value::Boolean(false), &Value::Boolean(true), 0.1),
            Value::Boolean(true)
        );
    }
}

/// A scenario's stated effect of its reforms (checked by `bureausim validate`;
/// see the checks in `scenario/expect.rs`).
/// One entry of `[[expect]]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expectation {
    /// A column of `timeseries.csv`.
    pub metric: String,
    /// "up" or "down": the sign of the reforms' effect.
    pub direction: String,
    /// Rough size of the effect, in percent of the no-reform value: the
    /// point estimate should fall in `[low, high]` (signed, so a fall of
    /// about a third is `[-45, -20]`). Optional.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::input::optional_pair"
    )]
    pub percent: Option<[f64; 2]>,
    /// First and last recorded year of the window averaged per replicate.
    #[serde(default = "default_years", deserialize_with = "crate::input::pair")]
    pub years: [u32; 2],
}

fn default_years() -> [u32; 2] {
    [10, 25]
}
