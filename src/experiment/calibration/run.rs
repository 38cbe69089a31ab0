//! A calibration run: the scenario, the targets and the parameters to fit
//! ([`Setup`]), the simulator behind the fitting engine's distance
//! ([`Setup::simulate`]), and the journal that lets a killed calibration
//! resume where it stopped ([`run`]).
//!
//! A particle is a parameter vector; it is simulated as `replicates` runs of
//! the scenario with the parameters set (seeds from the engine, one per
//! proposal), each target's statistic averaged over them, and its distance
//! is the root mean square of the targets' distances in units of their
//! uncertainty ([`Target::distance`]): 1 means "on average one standard
//! deviation away". Held-out targets are computed for every particle but
//! never enter the distance. A parameter vector the scenario refuses (out of
//! a key's allowed range, shares that cannot sum to 1) or a run that leaves
//! a fitted target without a value is a failed simulation: counted,
//! reported, never accepted.
//!
//! The journal `simulations.csv` gets one line per simulation as soon as it
//! is done. The engine is deterministic given the distances, so a rerun of
//! the same calibration replays the journal (taking each recorded distance
//! instead of simulating again) and continues; the result is the same, byte
//! for byte, as one uninterrupted run. When the fit ends the journal is
//! rewritten in the engine's order, so it too does not depend on timing.
//!
//! Shards ([`run`] with a [`Shard`]): machines sharing the calibration's
//! folder each simulate every n-th proposal (by its number within its
//! generation) and write their own journal, `simulations-shard-i-of-n.csv`;
//! every run reads every journal in the folder. A shard's run goes as far
//! as the distances known allow, simulates its share of the window the
//! engine offers ([`abc::fit_shared`]) and stops: one round. Rounds repeat
//! until the fit is complete; a run without a shard then writes the
//! results (simulating itself whatever is still missing), folds the shards'
//! journals into `simulations.csv`, and gives the same bytes as a fit on
//! one machine.

use std::collections::HashMap;
use std::io::Write as _;
use std::path::Path;
use std::sync::Mutex;

use anyhow::Context;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::UsageError;
use crate::experiment::calibration::abc::{self, Prior, Settings};
use crate::experiment::calibration::targets::{self, TargetSet};
use crate::experiment::plan::{check_one, linked_sets, refuse_reform_overwrite, value_text};
use crate::experiment::store::Shard;
use crate::paths;
use crate::scenario::Scenario;
use crate::sim::runner::run_replicate;

/// One parameter to fit: a scenario key and its prior.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Param {
    pub key: String,
    pub low: f64,
    pub high: f64,
    /// Drawn log-uniformly (`:log`).
    pub log: bool,
    /// The key takes whole numbers (values are rounded when set).
    pub integer: bool,
}

/// Parses `--param key.path=LOW:HIGH[:log]`.
pub fn parse_param(arg: &str) -> Result<Param, UsageError> {
    let (body, log) = match arg.strip_suffix(":log") {
        Some(b) => (b, true),
        None => (arg, false),
    };
    let p = crate::experiment::spec::parse_param(body)
        .map_err(|e| UsageError(e.0.replace("LOW:HIGH", "LOW:HIGH[:log]").replace(body, arg)))?;
    if log && p.lo <= 0.0 {
        return Err(UsageError(format!(
            "--param {arg}: a log-uniform prior needs LOW above 0, got {}",
            p.lo
        )));
    }
    Ok(Param {
        key: p.key,
        low: p.lo,
        high: p.hi,
        log,
        integer: false,
    })
}

/// Everything that determines a calibration's result.
pub struct Setup {
    /// The scenario as run for every particle: overrides, scale, years and
    /// replicates per particle applied.
    pub scenario: Scenario,
    /// The scale of the service run (1: full size).
    pub size: f64,
    pub targets: TargetSet,
    /// The target file's text (part of the fingerprint).
    pub targets_text: String,
    /// Per target: whether it enters the distance.
    pub used: Vec<bool>,
    /// Targets held out of the fit, by id.
    pub held_out: Vec<String>,
    pub params: Vec<Param>,
    pub settings: Settings,
    /// The command that reproduces the calibration.
    pub command: String,
    /// With a scaled fit: the scenario at full size, on which the
    /// representative particle is checked once the fit ends.
    pub full_size: Option<Scenario>,
    /// The researcher's discussion of targets, by id (from a calibration
    /// file's `[discussion]`), printed in the report; not part of the result.
    pub discussion: Vec<(String, String)>,
    /// The git commits of the builds whose simulations the folder holds
    /// (this build's alone unless it resumed another's); the report names
    /// them when they are not only this one.
    pub made_by: Vec<String>,
}

/// One simulated particle.
#[derive(Clone, Debug, PartialEq)]
pub struct Sim {
    pub seed: u64,
    pub params: Vec<f64>,
    /// `None`: the simulation failed (see `failure`).
    pub distance: Option<f64>,
    /// Each target's value (mean over the replicates; NaN where none).
    pub values: Vec<f64>,
    pub failure: Option<String>,
}

#[derive(Serialize)]
struct Identity<'a> {
    bureausim_version: &'static str,
    scenario: String,
    size: f64,
    targets: &'a str,
    held_out: &'a [String],
    /// Which targets enter the distance (changes when an output becomes computable).
    fitted: &'a [bool],
    params: &'a [Param],
    particles: usize,
    quantile: f64,
    budget: usize,
    max_generations: usize,
    min_acceptance: f64,
    min_tries: usize,
    min_improvement: f64,
    batch: usize,
    seed: u64,
    /// How proposals' model seeds derive from `seed` (a folder journalled
    /// under another rule holds none of this fit's simulations).
    proposal_seeds: &'static str,
}

impl Setup {
    /// Checks the parameters against the scenario (numeric keys, both ends
    /// allowed, not overwritten by a reform) and the held-out ids against
    /// the targets, and decides which targets enter the distance.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        scenario: Scenario,
        size: f64,
        targets: TargetSet,
        targets_text: String,
        held_out: Vec<String>,
        mut params: Vec<Param>,
        settings: Settings,
        command: String,
    ) -> Result<Self, UsageError> {
        let tree = toml::Value::try_from(&scenario).expect("scenario serialises");
        let origin = scenario.name.clone();
        let mut seen = std::collections::HashSet::new();
        for p in &mut params {
            let shown = format!("--param {}={}:{}", p.key, p.low, p.high);
            if p.key == "sim" || p.key.starts_with("sim.") {
                return Err(UsageError(format!(
                    "{shown}: `{}` sets how the runs go (years, seed, replicates), not the model; calibrate model parameters",
                    p.key
                )));
            }
            if !seen.insert(paths::canonical(&p.key)) {
                return Err(UsageError(format!(
                    "{shown}: `{}` is given twice; give each parameter once",
                    p.key
                )));
            }
            let like =
                paths::get(&tree, &p.key).map_err(|e| UsageError(format!("{shown}: {e}")))?;
            p.integer = match like {
                toml::Value::Float(_) => false,
                toml::Value::Integer(_) => true,
                other => {
                    return Err(UsageError(format!(
                        "{shown}: `{}` is {}, but a calibrated parameter must be a number",
                        p.key,
                        paths::type_name(other)
                    )));
                }
            };
            refuse_reform_overwrite(&scenario, "--param", &p.key)?;
            for end in [p.low, p.high] {
                let val = value_text(end, p.integer);
                check_one(&scenario, &origin, &p.key, &val).map_err(|e| {
                    UsageError(format!("{shown}: the end {val} is not allowed: {e}"))
                })?;
            }
        }
        for id in &held_out {
            if !targets.targets.iter().any(|t| &t.id == id) {
                return Err(UsageError(format!(
                    "--hold-out {id}: no target has this id; the targets are {}",
                    targets
                        .targets
                        .iter()
                        .map(|t| t.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
        }
        let used: Vec<bool> = targets
            .targets
            .iter()
            .map(|t| !held_out.contains(&t.id))
            .collect();
        if !used.iter().any(|&u| u) {
            return Err(UsageError(
                "no target is left to fit: every target is held out".into(),
            ));
        }
        Ok(Setup {
            scenario,
            size,
            targets,
            targets_text,
            used,
            held_out,
            params,
            settings,
            command,
            full_size: None,
            discussion: Vec::new(),
            made_by: vec![crate::version::COMMIT.to_string()],
        })
    }

    /// The engine's priors.
    pub fn priors(&self) -> Vec<Prior> {
        self.params
            .iter()
            .map(|p| Prior {
                name: p.key.clone(),
                low: p.low,
                high: p.high,
                log: p.log,
            })
            .collect()
    }

    /// SHA-256 of everything that determines the result.
    pub fn fingerprint(&self) -> String {
        let s = &self.settings;
        let id = Identity {
            bureausim_version: env!("CARGO_PKG_VERSION"),
            scenario: self.scenario.identity_toml(),
            size: self.size,
            targets: &self.targets_text,
            held_out: &self.held_out,
            fitted: &self.used,
            params: &self.params,
            particles: s.particles,
            quantile: s.quantile,
            budget: s.budget,
            max_generations: s.max_generations,
            min_acceptance: s.min_acceptance,
            min_tries: s.min_tries,
            min_improvement: s.min_improvement,
            batch: s.batch,
            seed: s.seed,
            proposal_seeds: abc::SEED_RULE,
        };
        let digest = Sha256::digest(serde_json::to_vec(&id).expect("identity serialises"));
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// The `key=value` overrides that set a parameter vector (with the
    /// shares linked to them).
    pub fn sets(&self, x: &[f64]) -> Result<Vec<String>, String> {
        let sets: Vec<String> = self
            .params
            .iter()
            .zip(x)
            .map(|(p, v)| format!("{}={}", p.key, value_text(*v, p.integer)))
            .collect();
        let linked = linked_sets(&self.scenario, &sets)?;
        Ok([sets, linked].concat())
    }

    /// Simulates a parameter vector with `seed`: the scenario's replicates,
    /// each target's statistic averaged over them, and the distance.
    pub fn simulate(&self, x: &[f64], seed: u64) -> Sim {
        self.simulate_on(&self.scenario, self.size, x, seed)
    }

    /// Simulates a parameter vector on `base` (of scale `size`).
    pub fn simulate_on(&self, base: &Scenario, size: f64, x: &[f64], seed: u64) -> Sim {
        let failed = |why: String| Sim {
            seed,
            params: x.to_vec(),
            distance: None,
            values: vec![f64::NAN; self.targets.targets.len()],
            failure: Some(why),
        };
        let scn = match self.sets(x).and_then(|sets| {
            let mut s = base.clone().with_sets(&sets).map_err(|e| e.to_string())?;
            s.sim.seed = seed;
            s.validate(&self.scenario.name).map_err(|e| e.to_string())?;
            Ok(s)
        }) {
            Ok(s) => s,
            Err(e) => return failed(e),
        };
        let results: Vec<_> = (0..scn.sim.replicates as u64)
            .map(|r| run_replicate(&scn, r, &|| {}))
            .collect();
        let values: Vec<f64> = self
            .targets
            .targets
            .iter()
            .map(|t| {
                let per = if targets::extensive(t) { size } else { 1.0 };
                let xs: Vec<f64> = results
                    .iter()
                    .map(|r| targets::statistic(t, &scn, r) / per)
                    .filter(|v| v.is_finite())
                    .collect();
                if xs.is_empty() {
                    f64::NAN
                } else {
                    xs.iter().sum::<f64>() / xs.len() as f64
                }
            })
            .collect();
        match self.distance(&values) {
            Ok(d) => Sim {
                seed,
                params: x.to_vec(),
                distance: Some(d),
                values,
                failure: None,
            },
            Err(why) => Sim {
                values,
                ..failed(why)
            },
        }
    }

    /// The root mean square of the fitted targets' distances; an error
    /// naming the first fitted target without a value.
    pub fn distance(&self, values: &[f64]) -> Result<f64, String> {
        let mut sum = 0.0;
        let mut n = 0usize;
        for ((t, v), used) in self.targets.targets.iter().zip(values).zip(&self.used) {
            if !used {
                continue;
            }
            if !v.is_finite() {
                return Err(format!("target `{}` has no value in this run", t.id));
            }
            sum += t.distance(*v).powi(2);
            n += 1;
        }
        Ok((sum / n.max(1) as f64).sqrt())
    }

    /// The journal's header.
    fn header(&self) -> String {
        let mut h = vec!["seed".to_string(), "distance".into()];
        h.extend(self.params.iter().map(|p| p.key.clone()));
        h.extend(self.targets.targets.iter().map(|t| t.id.clone()));
        h.push("failure".into());
        h.join(",")
    }
}

/// A number as the journal writes it: the shortest text that reads back
/// to the same bits; empty for NaN.
fn exact(x: f64) -> String {
    if x.is_nan() {
        String::new()
    } else {
        format!("{x}")
    }
}

fn journal_line(s: &Sim) -> String {
    let mut f = vec![
        s.seed.to_string(),
        s.distance.map(exact).unwrap_or_default(),
    ];
    f.extend(s.params.iter().map(|v| exact(*v)));
    f.extend(s.values.iter().map(|v| exact(*v)));
    let why = s.failure.clone().unwrap_or_default();
    f.push(format!(
        "\"{}\"",
        why.replace('"', "'").replace(['\n', '\r'], " ")
    ));
    f.join(",")
}

fn parse_line(line: &str, params: usize, targets: usize) -> Option<Sim> {
    let (head, why) = line.split_once(",\"")?;
    let why = why.strip_suffix('"')?;
    let f: Vec<&str> = head.split(',').collect();
    if f.len() != 2 + params + targets {
        return None;
    }
    let num = |s: &str| -> Option<f64> {
        if s.is_empty() {
            Some(f64::NAN)
        } else {
            s.parse().ok()
        }
    };
    let seed = f[0].parse().ok()?;
    let distance = if f[1].is_empty() {
        None
    } else {
        Some(f[1].parse().ok()?)
    };
    let xs: Vec<f64> = f[2..2 + params]
        .iter()
        .map(|s| num(s))
        .collect::<Option<_>>()?;
    let values: Vec<f64> = f[2 + params..]
        .iter()
        .map(|s| num(s))
        .collect::<Option<_>>()?;
    Some(Sim {
        seed,
        params: xs,
        distance,
        values,
        failure: (!why.is_empty()).then(|| why.to_string()),
    })
}

/// The journal file a shard writes (`None`: the calibration's own).
pub fn journal_name(shard: Option<Shard>) -> String {
    match shard {
        Some(s) => format!("simulations-shard-{}-of-{}.csv", s.index, s.count),
        None => "simulations.csv".into(),
    }
}

/// Whether a file name is a shard's journal.
pub fn is_shard_journal(name: &str) -> bool {
    name.strip_prefix("simulations-shard-")
        .and_then(|r| r.strip_suffix(".csv"))
        .and_then(|r| r.split_once("-of-"))
        .is_some_and(|(i, n)| i.parse::<usize>().is_ok() && n.parse::<usize>().is_ok())
}

/// A calibration folder's links and special files, refused
/// ([`crate::staging::refuse_links`]).
fn refuse_links(dir: &Path) -> anyhow::Result<()> {
    crate::staging::refuse_links(dir, "a calibration folder")
}

/// Every journal in a calibration folder, the calibration's own first.
pub fn journals(dir: &Path) -> anyhow::Result<Vec<std::path::PathBuf>> {
    let mut shards: Vec<std::path::PathBuf> = match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .filter_map(|e| e.ok())
            .filter(|e| is_shard_journal(&e.file_name().to_string_lossy()))
            .map(|e| e.path())
            .collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(e).with_context(|| format!("cannot read `{}`", dir.display())),
    };
    shards.sort();
    let own = dir.join("simulations.csv");
    Ok(std::iter::once(own)
        .filter(|p| p.exists())
        .chain(shards)
        .collect())
}

/// Reads a journal: every complete line (a line cut short by a kill is
/// left out, and simulated again).
pub fn read_journal(path: &Path, setup: &Setup) -> anyhow::Result<HashMap<u64, Sim>> {
    let mut map = HashMap::new();
    if !path.exists() {
        return Ok(map);
    }
    // Bounded by what a journal of this budget can hold (the general
    // input bound is too small for a large budget), so that a huge file
    // put in its place is refused, not read until the memory runs out; a
    // folder or a pipe in its place is refused likewise (a hostile-input
    // audit, 2026-12-06: exit 1, "Is a directory" or "out of memory").
    let columns = 3 + setup.params.len() + setup.targets.targets.len();
    let line = 32 * columns as u64 + 1024;
    let bound = (64 << 20).max((setup.settings.budget as u64 + 1000) * line);
    let text = crate::input::read_text_within(path, bound).map_err(|e| {
        let why = if e.kind() == std::io::ErrorKind::FileTooLarge {
            format!(
                " (a journal of a budget of {} simulations holds less)",
                setup.settings.budget
            )
        } else {
            String::new()
        };
        crate::error::UsageError(format!(
            "cannot read the journal `{}`: {e}{why}",
            path.display()
        ))
    })?;
    let mut lines = text.split_inclusive('\n');
    match lines.next() {
        // Created by another shard that has not yet written its header
        // (or cut short before it): no simulations yet.
        Some(h) if !h.ends_with('\n') && setup.header().starts_with(h) => return Ok(map),
        None => return Ok(map),
        Some(h) if h.trim_end() == setup.header() => {}
        _ => {
            return Err(crate::error::UsageError(format!(
                "`{}` is not this calibration's journal (its header differs); use --force to start again",
                path.display()
            ))
            .into());
        }
    }
    for (n, line) in lines.enumerate() {
        let Some(line) = line.strip_suffix('\n') else {
            break;
        };
        if let Some(s) = parse_line(line, setup.params.len(), setup.targets.targets.len()) {
            // The distance must follow from the line's values, as this
            // version computes it: an edited line, or one another version
            // wrote, would otherwise steer the fit.
            let again = setup.distance(&s.values).ok();
            if s.distance.map(f64::to_bits) != again.map(f64::to_bits) {
                return Err(crate::error::UsageError(format!(
                    "`{}` line {}: the distance {} does not follow from the line's values ({} by this version); the journal was edited or written by another version: use --force to start again",
                    path.display(),
                    n + 2,
                    s.distance
                        .map_or("(none)".to_string(), |d| crate::error::shorten(
                            &d.to_string(),
                            30
                        )),
                    again.map_or("none".to_string(), |d| d.to_string())
                ))
                .into());
            }
            map.insert(s.seed, s);
        }
    }
    Ok(map)
}

/// What a calibration produced: the fit, every simulation it used (in the
/// engine's order), the scenario's own values simulated once (the start),
/// and how many simulations were taken from the journal.
pub struct Outcome {
    pub fit: abc::Fit,
    pub sims: Vec<Sim>,
    pub start: Sim,
    pub replayed: usize,
    /// Simulations this command ran and added to the journal (0 for a
    /// replay of a finished fit).
    pub simulated: usize,
    /// The engine's seed.
    pub base: u64,
    /// The representative particle (index in the posterior): the one
    /// nearest the posterior's weighted medians, each parameter measured in
    /// widths of its prior (log scale for a log prior).
    pub representative: usize,
    /// With a scaled fit: the representative particle simulated at full size.
    pub full: Option<Sim>,
    /// The posterior predictive: each posterior particle simulated once
    /// more, in the posterior's order, on a seed no proposal used
    /// ([`predictive_seed`]), at the fit's size. Unlike the particles' own
    /// simulations, these were not selected by the acceptance rule.
    pub predictive: Vec<Sim>,
}

/// The generation number in the seeds of the posterior predictive's
/// simulations: past any fit's generations (at most 1,000), so that they
/// share no seed with a proposal of the fit.
const PREDICTIVE: usize = (1 << 24) - 1;

/// The seed of the posterior predictive's simulation of particle `j`
/// (from 0) of a fit seeded with `base`.
pub fn predictive_seed(base: u64, j: usize) -> u64 {
    abc::proposal_seed_of(base, PREDICTIVE, j)
}

impl Outcome {
    /// A simulation of the fit by seed.
    pub fn sim(&self, seed: u64) -> Option<&Sim> {
        let key = order_of(self.base, seed);
        self.sims
            .binary_search_by_key(&key, |s| order_of(self.base, s.seed))
            .ok()
            .map(|i| &self.sims[i])
    }
}

/// The manifest (`calibration.json`) of a calibration of `setup`, in
/// folder `out`. Beside the fingerprint it keeps what a refused folder is
/// told apart by: the scale and the scenario as the command gives it
/// (resolved, every key written out, before scaling, with the fit's seed),
/// so that a differing setting is named as the user sets it.
pub fn manifest(setup: &Setup, out: &Path) -> serde_json::Value {
    let mut given = setup
        .full_size
        .clone()
        .unwrap_or_else(|| setup.scenario.clone());
    given.sim.replicates = setup.scenario.sim.replicates;
    given.sim.seed = setup.scenario.sim.seed;
    serde_json::json!({
        "what": "a bureausim calibration: re-running the command resumes it from simulations.csv",
        "bureausim_version": env!("CARGO_PKG_VERSION"),
        "bureausim_commits": [crate::version::COMMIT],
        "platform": crate::version::TARGET,
        "fingerprint": setup.fingerprint(),
        "command": setup.command,
        "out": out.display().to_string(),
        "scale": setup.size,
        "scenario": given.identity_toml(),
        "proposal_seeds": abc::SEED_RULE,
    })
}

/// What gives a calibration the first side's value of the setting that
/// differs ([`manifests_difference`]); the caller words it for a command
/// line or an experiment file.
#[derive(Clone, Debug, PartialEq)]
pub enum Resume {
    /// `--set key=value` (a file's `set`).
    Set(String),
    /// `--seed` (a file's `seed`).
    Seed(String),
    /// `--replicates` (a file's `replicates`).
    Replicates(String),
    /// `--scale` (a file's `scale`).
    Scale(String),
}

impl Resume {
    /// As an option of `bureausim calibrate`, or a key of an experiment
    /// file (`file`).
    pub fn words(&self, file: bool) -> String {
        match (self, file) {
            (Resume::Set(s), false) => format!("`--set {s}`"),
            (Resume::Set(s), true) => format!("`\"{s}\"` in the experiment file's `set`"),
            (Resume::Seed(v), false) => format!("`--seed {}`", v.trim_matches('"')),
            (Resume::Seed(v), true) => format!(
                "`seed = {}` in the experiment file",
                v.trim_matches('"')
                    .parse::<u64>()
                    .map_or(v.clone(), crate::rng::seed_toml)
            ),
            (Resume::Replicates(v), false) => format!("`--replicates {v}`"),
            (Resume::Replicates(v), true) => format!("`replicates = {v}` in the experiment file"),
            (Resume::Scale(v), false) => format!("`--scale {v}`"),
            (Resume::Scale(v), true) => format!("`scale = {v}` in the experiment file"),
        }
    }
}

/// A calibration's command as words, without the options that are not
/// part of its identity (`--out`, `--markdown` and their values).
fn identity_words(command: &str) -> Vec<&str> {
    let mut words = Vec::new();
    let mut it = command.split(' ').filter(|w| !w.is_empty());
    while let Some(w) = it.next() {
        if w == "--out" || w == "--markdown" {
            it.next();
        } else {
            words.push(w);
        }
    }
    words
}

/// In words, how the calibrations of two manifests differ (`labels` name
/// the two sides, as "in the folder", "in this command"), and what gives
/// the second the first's value when one scalar setting differs: the
/// version, else the scale, else the first scenario setting, else the
/// first option of the commands. A manifest from before manifests kept
/// the scenario says so: what differs may be a default of bureausim.
pub fn manifests_difference(
    a: &serde_json::Value,
    b: &serde_json::Value,
    labels: (&str, &str),
) -> (String, Option<Resume>) {
    let (l1, l2) = labels;
    let text = |v: &serde_json::Value, k: &str| v[k].as_str().unwrap_or("?").to_string();
    let (va, vb) = (text(a, "bureausim_version"), text(b, "bureausim_version"));
    if va != vb {
        return (format!("made by bureausim {va} {l1} and {vb} {l2}"), None);
    }
    // A manifest without a rule was written before 2026-12-05, under the
    // old one (or, for folders made by the two commits that brought the
    // new rule before manifests recorded it, the new: their fingerprints
    // then differ for another reason, which this names wrongly).
    let rule = |v: &serde_json::Value| {
        v["proposal_seeds"]
            .as_str()
            .unwrap_or(abc::OLD_SEED_RULE)
            .to_string()
    };
    let (ra, rb) = (rule(a), rule(b));
    if ra != rb {
        return (
            format!(
                "its proposals' model seeds follow the rule `{ra}` {l1} and `{rb}` {l2}, so no simulation of the one is a simulation of the other"
            ),
            None,
        );
    }
    if let (Some(x), Some(y)) = (a["scale"].as_f64(), b["scale"].as_f64())
        && x != y
    {
        return (
            format!("the scale is {x} {l1} and {y} {l2}"),
            Some(Resume::Scale(x.to_string())),
        );
    }
    if let (Some(sa), Some(sb)) = (a["scenario"].as_str(), b["scenario"].as_str()) {
        if let Some(d) = crate::experiment::store::scenarios_difference(
            &[sa.to_string()],
            &[sb.to_string()],
            labels,
        ) {
            // `calibrate` writes its --seed and --replicates into the scenario.
            let resume = d.set.map(|set| match set.split_once('=') {
                Some(("sim.seed", v)) => Resume::Seed(v.to_string()),
                Some(("sim.replicates", v)) => Resume::Replicates(v.to_string()),
                _ => Resume::Set(set),
            });
            return (d.text, resume);
        }
    } else {
        return (
            format!(
                "the manifest {} was written before manifests recorded the scenario, so the setting cannot be named: an option, a file the command names, or a default of bureausim changed (as `sim.engine` did: a folder made before the staggered default resumes with `--set sim.engine=monthly`, CHANGELOG.md)",
                if a["scenario"].is_string() { l2 } else { l1 }
            ),
            None,
        );
    }
    let (ca, cb) = (text(a, "command"), text(b, "command"));
    let (wa, wb) = (identity_words(&ca), identity_words(&cb));
    match wa.iter().zip(&wb).position(|(x, y)| x != y) {
        Some(k) => {
            // From the option that differs, with its value.
            let from = if k > 0 && !wa[k].starts_with("--") && wa[k - 1].starts_with("--") {
                k - 1
            } else {
                k
            };
            let at = |w: &[&str]| w[from..(k + 1).min(w.len())].join(" ");
            (
                format!(
                    "the scenario is the same; the command has `{}` {l1} and `{}` {l2}",
                    at(&wa),
                    at(&wb)
                ),
                None,
            )
        }
        None if wa.len() != wb.len() => (
            format!(
                "the scenario is the same; the command is `{}` {l1} and `{}` {l2}",
                wa.join(" "),
                wb.join(" ")
            ),
            None,
        ),
        None => (
            format!(
                "the scenario and the command are the same, so the content of a file the command names differs (the targets{})",
                if ca.starts_with("bureausim experiment") {
                    " or the experiment file"
                } else {
                    ""
                }
            ),
            None,
        ),
    }
}

/// What [`merge`] did.
pub struct Merged {
    /// The calibration's command, to run on the merged folder.
    pub command: String,
    /// Journals read, and distinct simulations in the merged journal.
    pub journals: usize,
    pub simulations: usize,
}

/// Combines the journals of calibration folders (shards that ran on
/// machines without a shared folder) into `out`'s `simulations.csv`; `out`
/// may already hold the same calibration, whose journals are kept in the
/// union. Every folder must hold the same calibration (fingerprint). Input
/// folders are only read.
pub fn merge(dirs: &[std::path::PathBuf], out: &Path, force: bool) -> anyhow::Result<Merged> {
    crate::staging::name_fits(out)
        .map_err(|why| UsageError(format!("--out {}: {why}", out.display())))?;
    let fingerprint_of = |d: &Path| -> anyhow::Result<(String, serde_json::Value)> {
        let path = d.join("calibration.json");
        let text = crate::input::read_text(&path).map_err(|_| {
            UsageError(format!(
                "`{}` is not a calibration folder (no calibration.json)",
                d.display()
            ))
        })?;
        let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
            UsageError(format!(
                "`{}`: not a calibration manifest: {e}",
                path.display()
            ))
        })?;
        let fp = v["fingerprint"]
            .as_str()
            .map(String::from)
            .ok_or_else(|| UsageError(format!("`{}` has no fingerprint", path.display())))?;
        Ok((fp, v))
    };
    for d in dirs.iter().chain(std::iter::once(&out.to_path_buf())) {
        refuse_links(d)?;
    }
    let (first, manifest) = fingerprint_of(&dirs[0])?;
    // The commits whose simulations the merged journal holds.
    let mut commits = Vec::new();
    crate::version::add_commits(&mut commits, &crate::version::commits_in(&manifest));
    for d in &dirs[1..] {
        let (fp, other) = fingerprint_of(d)?;
        crate::version::add_commits(&mut commits, &crate::version::commits_in(&other));
        if fp != first {
            let (why, _) =
                manifests_difference(&manifest, &other, ("in the first", "in the second"));
            return Err(UsageError(format!(
                "`{}` and `{}` hold different calibrations ({why}); only shards of one calibration can be merged",
                dirs[0].display(),
                d.display()
            ))
            .into());
        }
    }
    let mut sources: Vec<std::path::PathBuf> = dirs.to_vec();
    if out.exists() {
        match fingerprint_of(out) {
            Ok((fp, v)) if fp == first => {
                crate::version::add_commits(&mut commits, &crate::version::commits_in(&v));
                sources.push(out.to_path_buf())
            }
            _ => {
                return Err(UsageError(format!(
                    "--out {}: the folder exists and does not hold this calibration; choose another --out (merging calibrations adds to a folder of the same calibration and never replaces another{})",
                    out.display(),
                    if force { ", even with --force" } else { "" }
                ))
                .into());
            }
        }
    }
    let mut header: Option<String> = None;
    let mut lines: std::collections::BTreeMap<u64, String> = std::collections::BTreeMap::new();
    let mut read = 0;
    for d in &sources {
        for path in journals(d)? {
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("cannot read `{}`", path.display()))?;
            let mut it = text.split_inclusive('\n');
            let Some(h) = it.next().map(str::trim_end) else {
                continue;
            };
            match &header {
                None => header = Some(h.to_string()),
                Some(x) if x == h => {}
                Some(_) => {
                    return Err(UsageError(format!(
                        "`{}`: its header differs from the other journals'; it is not this calibration's",
                        path.display()
                    ))
                    .into());
                }
            }
            let fields = h.split(',').count();
            for line in it {
                let Some(line) = line.strip_suffix('\n') else {
                    break; // cut short by a kill: simulated again
                };
                if let Some(sim) = parse_line(line, fields.saturating_sub(3), 0) {
                    lines.entry(sim.seed).or_insert_with(|| line.to_string());
                }
            }
            read += 1;
        }
    }
    let header = header.ok_or_else(|| {
        UsageError(format!(
            "no journal (simulations.csv or simulations-shard-*.csv) in {}",
            dirs.iter()
                .map(|d| format!("`{}`", d.display()))
                .collect::<Vec<_>>()
                .join(", ")
        ))
    })?;
    std::fs::create_dir_all(out).with_context(|| format!("cannot create `{}`", out.display()))?;
    let mut text = header;
    text.push('\n');
    for l in lines.values() {
        text.push_str(l);
        text.push('\n');
    }
    let journal = out.join("simulations.csv");
    crate::staging::write_file_atomic(&journal, text.as_bytes(), true)?;
    for j in journals(out)? {
        if j != journal {
            std::fs::remove_file(&j).with_context(|| format!("cannot remove `{}`", j.display()))?;
        }
    }
    let mut m = manifest.clone();
    let old_out = m["out"].as_str().unwrap_or_default().to_string();
    let mut command = m["command"].as_str().unwrap_or_default().to_string();
    let new_out = out.display().to_string();
    if !old_out.is_empty() {
        command = command.replace(&format!("--out {old_out}"), &format!("--out {new_out}"));
    }
    m["out"] = serde_json::Value::String(new_out);
    m["command"] = serde_json::Value::String(command.clone());
    if let Some(note) =
        crate::version::merge_note("the journals' simulations", "calibration.json", &commits)
    {
        errln!("{note}");
    }
    m["bureausim_commits"] = commits.into();
    crate::staging::write_file_atomic(
        &out.join("calibration.json"),
        serde_json::to_string_pretty(&m)?.as_bytes(),
        true,
    )?;
    Ok(Merged {
        command,
        journals: read,
        simulations: lines.len(),
    })
}

/// A shard's round that ended before the fit did ([`run`]).
pub struct Round {
    /// The complete generations so far.
    pub fit: abc::Fit,
    /// Simulated by this run, and taken from the journals.
    pub simulated: usize,
    pub replayed: usize,
    /// Where the fit stands: the generation that waits, as far as it got
    /// (the last progress heard when the fit is complete).
    pub at: Option<abc::Progress>,
}

/// What a run of a calibration came to.
pub enum Ran {
    /// The fit is complete.
    Done(Box<Outcome>),
    /// A shard's round: the fit is not complete (it waits for other
    /// shards), or it is and a run without `--shard` writes the results.
    Round(Round),
}

/// The engine's order of a seed: (generation, proposal), for a fit
/// seeded with `base`.
pub fn order_of(base: u64, seed: u64) -> (u64, u64) {
    let x = seed ^ abc::seed_base(base);
    (x >> 40, (x & ((1 << 40) - 1)).wrapping_sub(1))
}

/// Runs (or resumes) the calibration whose journals are in `dir`, or, with
/// `shard`, one round of that shard's share; `progress` hears after every
/// batch (with the simulations done in this process).
pub fn run(
    setup: &Setup,
    dir: &Path,
    shard: Option<Shard>,
    progress: &dyn Fn(&abc::Progress, usize),
) -> anyhow::Result<Ran> {
    refuse_links(dir)?;
    let path = dir.join(journal_name(shard));
    let mine = read_journal(&path, setup)?;
    let mut old = HashMap::new();
    for other in journals(dir)? {
        if other != path {
            old.extend(read_journal(&other, setup)?);
        }
    }
    let own_empty = mine.is_empty();
    old.extend(mine);
    let base = setup.settings.seed;
    let replayed = std::sync::atomic::AtomicUsize::new(0);
    let fresh = std::sync::atomic::AtomicUsize::new(0);
    let journal = {
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .with_context(|| format!("cannot write `{}`", path.display()))?;
        if own_empty {
            // A journal without a complete line starts again.
            f.set_len(0)?;
            writeln!(f, "{}", setup.header())?;
        } else if !std::fs::read(&path)?.ends_with(b"\n") {
            writeln!(f)?;
        }
        Mutex::new(f)
    };
    let used = Mutex::new(HashMap::<u64, Sim>::new());
    let io_error = Mutex::new(None::<std::io::Error>);
    let last = Mutex::new(None::<abc::Progress>);
    let distance = |x: &[f64], seed: u64| -> abc::Eval {
        let sim = match old.get(&seed) {
            Some(s) if s.params == x => {
                replayed.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                s.clone()
            }
            _ if shard.is_some_and(|s| {
                order_of(base, seed).1 % s.count as u64 != (s.index - 1) as u64
            }) =>
            {
                return abc::Eval::Elsewhere;
            }
            _ => {
                let s = setup.simulate(x, seed);
                fresh.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let mut f = journal.lock().expect("journal lock");
                if let Err(e) = writeln!(f, "{}", journal_line(&s)).and_then(|_| f.flush()) {
                    io_error.lock().expect("lock").get_or_insert(e);
                }
                s
            }
        };
        let d = sim.distance;
        used.lock().expect("lock").insert(seed, sim);
        abc::Eval::Known(d)
    };
    let fit = abc::fit_shared(&setup.priors(), &setup.settings, &distance, &|p| {
        *last.lock().expect("lock") = Some(*p);
        progress(p, fresh.load(std::sync::atomic::Ordering::Relaxed))
    });
    if let Some(e) = io_error.into_inner().expect("lock") {
        return Err(e).with_context(|| format!("cannot write `{}`", path.display()));
    }
    if shard.is_some() {
        return Ok(Ran::Round(Round {
            at: fit.waiting.or(last.into_inner().expect("lock")),
            fit,
            simulated: fresh.into_inner(),
            replayed: replayed.into_inner(),
        }));
    }
    let mut sims: Vec<Sim> = used.into_inner().expect("lock").into_values().collect();
    sims.sort_by_key(|s| order_of(base, s.seed));
    // The journal in the engine's order, so it does not depend on timing.
    let mut text = setup.header();
    text.push('\n');
    for s in &sims {
        text.push_str(&journal_line(s));
        text.push('\n');
    }
    crate::staging::write_file_atomic(&path, text.as_bytes(), true)?;
    // The shards' journals are folded into it (what the fit did not use was
    // simulated past the end of a generation).
    for other in journals(dir)? {
        if other != path {
            std::fs::remove_file(&other)
                .with_context(|| format!("cannot remove `{}`", other.display()))?;
        }
    }
    // The scenario's own values, for the table of before and after.
    let here: Vec<f64> = {
        let tree = toml::Value::try_from(&setup.scenario).expect("scenario serialises");
        setup
            .params
            .iter()
            .map(|p| {
                paths::get(&tree, &p.key)
                    .ok()
                    .and_then(|v| v.as_float().or(v.as_integer().map(|i| i as f64)))
                    .unwrap_or(f64::NAN)
            })
            .collect()
    };
    if fit.posterior().params.is_empty() {
        let mut why: Vec<String> = sims.iter().filter_map(|s| s.failure.clone()).collect();
        why.sort();
        why.dedup();
        return Err(UsageError(format!(
            "no simulation of the {} run succeeded, so there is no posterior{}",
            fit.simulations,
            match why.first() {
                Some(w) => format!(
                    "; the first of {} reasons: {w} (widen the budget only once the parameters' ranges give valid runs)",
                    why.len()
                ),
                None => String::new(),
            }
        ))
        .into());
    }
    let start = setup.simulate(&here, base);
    let representative = representative(setup, &fit);
    let full = setup
        .full_size
        .as_ref()
        .map(|scn| setup.simulate_on(scn, 1.0, &fit.posterior().params[representative], base));
    let predictive: Vec<Sim> = {
        use rayon::prelude::*;
        fit.posterior()
            .params
            .par_iter()
            .enumerate()
            .map(|(j, x)| setup.simulate(x, predictive_seed(base, j)))
            .collect()
    };
    Ok(Ran::Done(Box::new(Outcome {
        fit,
        sims,
        start,
        replayed: replayed.into_inner(),
        simulated: fresh.into_inner(),
        base,
        representative,
        full,
        predictive,
    })))
}

/// The posterior particle nearest the weighted medians (see
/// [`Outcome::representative`]).
fn representative(setup: &Setup, fit: &abc::Fit) -> usize {
    let post = fit.posterior();
    let unit = |i: usize, x: f64| {
        let p = &setup.params[i];
        if p.log {
            (x.ln() - p.low.ln()) / (p.high.ln() - p.low.ln())
        } else {
            (x - p.low) / (p.high - p.low)
        }
    };
    let medians: Vec<f64> = (0..setup.params.len())
        .map(|i| {
            let xs: Vec<f64> = post.params.iter().map(|x| unit(i, x[i])).collect();
            abc::weighted_quantile(&xs, &post.weights, 0.5)
        })
        .collect();
    let d = |k: usize| -> f64 {
        post.params[k]
            .iter()
            .enumerate()
            .map(|(i, x)| (unit(i, *x) - medians[i]).powi(2))
            .sum()
    };
    (0..post.params.len())
        .min_by(|&a, &b| d(a).total_cmp(&d(b)).then(a.cmp(&b)))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A journal replaced by a link to a file outside the folder was
    /// appended to through the link (an untrusted-input audit).
    #[cfg(unix)]
    #[test]
    fn a_calibration_folder_with_a_link_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("fit");
        std::fs::create_dir(&folder).unwrap();
        std::fs::write(folder.join("simulations.csv"), "x\n").unwrap();
        assert!(refuse_links(&folder).is_ok());
        std::fs::remove_file(folder.join("simulations.csv")).unwrap();
        let outside = dir.path().join("elsewhere.csv");
        std::fs::write(&outside, "x\n").unwrap();
        std::os::unix::fs::symlink(&outside, folder.join("simulations.csv")).unwrap();
        let e = refuse_links(&folder).unwrap_err().to_string();
        assert!(e.contains("simulations.csv` is a symbolic link"), "{e}");
        assert!(refuse_links(&dir.path().join("missing")).is_ok());
        // A named pipe as a shard's journal: reading it would wait for ever.
        std::fs::remove_file(folder.join("simulations.csv")).unwrap();
        let fifo = folder.join("simulations-shard-1-of-2.csv");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            let e = refuse_links(&folder).unwrap_err().to_string();
            assert!(e.contains("is not a regular file"), "{e}");
        }
    }

    #[test]
    fn a_proposal_seed_reads_back_as_its_generation_and_number() {
        for (t, k) in [(0, 0), (3, 7), (999, 123_456)] {
            let seed = abc::proposal_seed_of(5, t, k);
            assert_eq!(order_of(5, seed), (t as u64, k as u64));
            // Read against another fit's seed, it is no proposal of it.
            assert!(order_of(6, seed).0 > 1_000, "{:?}", order_of(6, seed));
        }
        assert_eq!(order_of(5, predictive_seed(5, 9)), ((1 << 24) - 1, 9));
    }

    #[test]
    fn two_manifests_differ_by_version_then_scale_then_scenario_then_command() {
        let scn = Scenario {
            name: "s".into(),
            ..Scenario::default()
        };
        let toml = |s: &Scenario| s.identity_toml();
        let mut other = scn.clone();
        other.sim.replicates += 1;
        let m = |version: &str, scenario: Option<String>, command: &str, scale: f64| {
            let mut v = serde_json::json!({
                "bureausim_version": version,
                "fingerprint": "f",
                "command": command,
                "out": "x",
                "scale": scale,
            });
            if let Some(s) = scenario {
                v["scenario"] = serde_json::Value::String(s);
            }
            v
        };
        let l = ("in A", "in B");
        let cmd = "bureausim calibrate s.toml --seed 5 --out x";
        let a = m("0.1.0", Some(toml(&scn)), cmd, 1.0);
        // The version first, whatever else differs.
        let b = m("0.2.0", Some(toml(&other)), "other", 0.5);
        assert_eq!(
            manifests_difference(&a, &b, l),
            (
                "made by bureausim 0.1.0 in A and 0.2.0 in B".to_string(),
                None
            )
        );
        // Then the rule of the proposals' seeds (a manifest without one
        // was written under the rule before 2026-12-05).
        let mut b = m("0.1.0", Some(toml(&other)), "other", 0.5);
        b["proposal_seeds"] = abc::SEED_RULE.into();
        let (text, resume) = manifests_difference(&a, &b, l);
        assert!(
            text.starts_with("its proposals' model seeds follow the rule")
                && text.contains(abc::OLD_SEED_RULE)
                && text.contains(abc::SEED_RULE),
            "{text}"
        );
        assert_eq!(resume, None);
        // Then the scale.
        let b = m("0.1.0", Some(toml(&other)), "other", 0.5);
        let (text, resume) = manifests_difference(&a, &b, l);
        assert_eq!(text, "the scale is 1 in A and 0.5 in B");
        assert_eq!(resume, Some(Resume::Scale("1".into())));
        // Then the first scenario setting, with what resumes A.
        let b = m("0.1.0", Some(toml(&other)), "other", 1.0);
        let (text, resume) = manifests_difference(&a, &b, l);
        assert_eq!(text, "in `s`, `sim.replicates` is 10 in A and 11 in B");
        assert_eq!(resume, Some(Resume::Replicates("10".into())));
        assert_eq!(
            resume.unwrap().words(true),
            "`replicates = 10` in the experiment file"
        );
        // Then the first option of the commands that differs, with its
        // value; --out and --markdown are not part of a calibration.
        let b = m(
            "0.1.0",
            Some(toml(&scn)),
            "bureausim calibrate s.toml --seed 6 --out y --markdown r.md",
            1.0,
        );
        assert_eq!(
            manifests_difference(&a, &b, l),
            (
                "the scenario is the same; the command has `--seed 5` in A and `--seed 6` in B"
                    .to_string(),
                None
            )
        );
        let b = m(
            "0.1.0",
            Some(toml(&scn)),
            "bureausim calibrate s.toml --seed 5 --markdown r.md --out y",
            1.0,
        );
        let (text, _) = manifests_difference(&a, &b, l);
        assert!(
            text.starts_with("the scenario and the command are the same"),
            "{text}"
        );
        assert!(!text.contains("experiment file"), "{text}");
        // A manifest from before manifests kept the scenario: a default may
        // have changed, and the message says which one did.
        let old = m("0.1.0", None, cmd, 1.0);
        let (text, resume) = manifests_difference(&old, &a, l);
        assert!(
            text.contains("in A was written before manifests recorded the scenario")
                && text.contains("--set sim.engine=monthly"),
            "{text}"
        );
        assert_eq!(resume, None);
    }

    #[test]
    fn a_journal_line_reads_back_exactly() {
        let s = Sim {
            seed: 12345,
            params: vec![0.1 + 0.2, 1e-300, 7.0],
            distance: Some(std::f64::consts::PI),
            values: vec![f64::NAN, -2.5],
            failure: None,
        };
        let back = parse_line(&journal_line(&s), 3, 2).unwrap();
        assert_eq!(back.params, s.params);
        assert_eq!(back.distance, s.distance);
        assert!(back.values[0].is_nan() && back.values[1] == -2.5);
        let f = Sim {
            distance: None,
            failure: Some("a \"bad\", value".into()),
            ..s
        };
        let back = parse_line(&journal_line(&f), 3, 2).unwrap();
        assert_eq!(back.distance, None);
        assert_eq!(back.failure.as_deref(), Some("a 'bad', value"));
    }

    #[test]
    fn param_flags_take_a_log_prior_and_refuse_a_bad_one() {
        let p = parse_param("corruption.haste=0.1:10:log").unwrap();
        assert!(p.log && p.low == 0.1 && p.high == 10.0);
        let e = parse_param("corruption.haste=0:10:log").unwrap_err().0;
        assert!(e.contains("LOW above 0"), "{e}");
        let e = parse_param("corruption.haste=1").unwrap_err().0;
        assert!(e.contains("--param corruption.haste=1"), "{e}");
    }
}
