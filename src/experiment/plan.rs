//! An experiment resolved into runs. Every experiment is a list of
//! *variants* (the scenarios of a comparison, the points of a sweep's grid,
//! the sample points of a sensitivity design), each run for the same
//! replicates: run j is variant `j / replicates`, replicate
//! `j % replicates`. Replicate k of every variant uses the same master seed
//! and so the same random streams (common random numbers), so differences
//! between variants are not sampling noise.

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::UsageError;
use crate::experiment::sensitivity;
use crate::experiment::spec::{self, Kind, Method, Spec, number_text};
use crate::metrics::metric_index;
use crate::paths;
use crate::scenario::{Scenario, linked};
use crate::sim::runner::{self, ReplicateResult};

/// One arm of the experiment: a base scenario with overrides.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Variant {
    /// Short label: the scenario's name, or `key=value` pairs.
    pub label: String,
    /// Index of the base scenario.
    pub base: usize,
    /// `key.path=value` overrides on the base.
    pub sets: Vec<String>,
    /// Overrides that keep shares summing to 1 when `sets` vary one of
    /// them ([`crate::scenario::linked`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub linked: Vec<String>,
    /// The varied values as numbers (NaN where not a number), in the order
    /// of the swept or analysed parameters.
    #[serde(skip)]
    pub coords: Vec<f64>,
}

/// An experiment, resolved and checked, ready to run.
pub struct Plan {
    pub spec: Spec,
    /// The command that reproduces it.
    pub command: String,
    /// The base scenarios, resolved (overrides, seed, years and scale applied).
    pub bases: Vec<Scenario>,
    pub variants: Vec<Variant>,
    /// `--decompose`: the switches turned off, in the order of their blocks
    /// of variants.
    pub switches: Vec<String>,
    /// The sensitivity design in the unit cube, one row per variant.
    pub unit_design: Vec<Vec<f64>>,
    pub years: u32,
    pub seed: u64,
    /// Years the tables report.
    pub report_years: Vec<u32>,
    /// Column indices (in `METRICS`) of the table metrics.
    pub metrics: Vec<usize>,
    /// The year a sensitivity analysis explains.
    pub year: u32,
    /// SHA-256 of everything that determines the runs: the version, the
    /// resolved scenarios and the variants, the replicates, years and seed.
    pub fingerprint: String,
    /// What the model clips in some variants ([`Scenario::warnings`]):
    /// each message once, with the labels of the variants it concerns.
    pub warnings: Vec<(String, Vec<String>)>,
    /// The commits of the builds whose runs the results hold, as the
    /// experiment's folder records them (`experiment.json`); empty until
    /// the runs are there (this build's alone).
    pub made_by: Vec<String>,
    /// `--ensemble`: the posterior rows drawn, one per draw; replicate
    /// `d·R + k` of every variant is replicate k of draw d (R the
    /// replicates a draw), so every arm runs on the same draws and seeds.
    pub draws: Vec<usize>,
}

/// What identifies an experiment's results: everything that changes them.
#[derive(Serialize)]
struct Identity<'a> {
    bureausim_version: &'static str,
    kind: Kind,
    replicates: u32,
    years: u32,
    seed: u64,
    scenarios: Vec<String>,
    variants: &'a [Variant],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    draws: Vec<Vec<String>>,
}

fn err(m: String) -> UsageError {
    UsageError(m)
}

/// Fewer posts than this after `--scale` draw a warning.
const SMALL_SERVICE: u64 = 100;

/// A scenario file's own `sim.years` and `sim.seed`, before an
/// experiment replaces them with its own.
type OwnRun = (u32, u64);

impl Plan {
    /// Loads the scenarios and expands the design; every variant's scenario
    /// is validated here, before anything runs.
    pub fn new(spec: Spec, command: String) -> Result<Self, UsageError> {
        crate::experiment::spec::check(&spec)?;
        let (bases, own) = Self::load_resolved(&spec)?;
        let mut plan = Self::with_bases(spec, bases, command)?;
        plan.note_compared_files(&own);
        Ok(plan)
    }

    /// Warnings on a comparison's files that a reader of its report could
    /// not see (a planner's audit, 2026-12-06): a file given twice, two
    /// files with one `name` (the report told them apart only by "(2)"),
    /// and an option's own `sim.years` or `sim.seed` (`own`, as its file
    /// set them), which the comparison replaces by the first scenario's (or
    /// the flags').
    fn note_compared_files(&mut self, own: &[OwnRun]) {
        if self.spec.kind != Kind::Compare {
            return;
        }
        let paths = &self.spec.scenarios;
        let label = |k: usize| self.variants[k].label.clone();
        let shown = |k: usize| format!("`{}`", paths[k].display());
        let same_file =
            |a: usize, b: usize| match (paths[a].canonicalize(), paths[b].canonicalize()) {
                (Ok(x), Ok(y)) => x == y,
                _ => paths[a] == paths[b],
            };
        let mut notes: Vec<(String, Vec<String>)> = Vec::new();
        for b in 1..paths.len() {
            for a in 0..b {
                if same_file(a, b) {
                    notes.push((
                        format!(
                            "{} is given more than once: its arms `{}` and `{}` are the same scenario on the same random streams, so every difference between them is 0",
                            shown(b),
                            label(a),
                            label(b)
                        ),
                        vec![label(b)],
                    ));
                    break;
                }
                if self.bases[a].name == self.bases[b].name {
                    notes.push((
                        format!(
                            "{} and {} are both named `{}`: the report tells them apart only as `{}` and `{}`, and describes each by its own `title` and `description`; give each scenario its own `name` (and title)",
                            shown(a),
                            shown(b),
                            self.bases[a].name,
                            label(a),
                            label(b)
                        ),
                        vec![label(b)],
                    ));
                    break;
                }
            }
        }
        // An option's own length and seed, which the comparison replaced.
        let first = shown(0);
        for (k, &(years, seed)) in own.iter().enumerate().skip(1) {
            for (flag, given, theirs, run_on) in [
                (
                    "years",
                    self.spec.years.is_some() || years == self.years,
                    years.to_string(),
                    format!("for the first one's {} years ({first})", self.years),
                ),
                (
                    "seed",
                    self.spec.seed.is_some() || seed == self.seed,
                    seed.to_string(),
                    format!(
                        "on the first one's seed {} ({first}), so that replicate k of each uses the same random streams",
                        self.seed
                    ),
                ),
            ] {
                if !given {
                    notes.push((
                        format!(
                            "{} sets `sim.{flag}` = {theirs}, but a comparison runs every scenario {run_on}; give {} to choose",
                            shown(k),
                            self.spec.source.flag(flag)
                        ),
                        vec![label(k)],
                    ));
                }
            }
        }
        // How an option is simulated, not what it changes in the service:
        // its differences include this (a planner's audit: a warm-up of 3
        // years and the monthly engine gave differences from year 0, with
        // no word; the report's "What each option changes" lists them).
        let how = |s: &Scenario| {
            [
                ("warmup_years", s.sim.warmup_years.to_string()),
                ("engine", s.sim.engine.clone()),
                ("stride", s.sim.stride.to_string()),
                ("steps_per_year", s.sim.steps_per_year.to_string()),
                ("annual_step", s.sim.annual_step.to_string()),
            ]
        };
        let base_how = how(&self.bases[self.variants[0].base]);
        // One arm per file: a decomposition's extra arms come after them.
        for k in 1..paths.len() {
            let differ: Vec<String> = how(&self.bases[self.variants[k].base])
                .iter()
                .zip(&base_how)
                .filter(|(a, b)| a.1 != b.1)
                .map(|((key, a), (_, b))| format!("`sim.{key}` {a} (the base: {b})"))
                .collect();
            if !differ.is_empty() {
                notes.push((
                    format!(
                        "{} is simulated otherwise than the base: {}; its differences include what that changes, not only its policies",
                        shown(k),
                        differ.join(", ")
                    ),
                    vec![label(k)],
                ));
            }
        }
        // Another service altogether: its differences and its cost compare
        // two services, not a policy on one (a users' audit, 2026-12-07: a
        // demo of 720 posts against the 37,060-post service "cost" 75
        // billion PKR a year with no word).
        fn service(s: &Scenario) -> (u64, Vec<&str>, Vec<&str>) {
            let st = &s.structure;
            (
                st.total_posts(),
                st.grades.iter().map(|g| g.name.as_str()).collect(),
                st.sectors.iter().map(|x| x.name.as_str()).collect(),
            )
        }
        // The sectors are named when only their names differ, so the two
        // descriptions never read the same (a review, 2026-12-07).
        let said = |(posts, grades, sectors): &(u64, Vec<&str>, Vec<&str>), names: bool| {
            format!(
                "{} posts in {} grade{} ({}) and {} sector{}{}",
                posts,
                grades.len(),
                if grades.len() == 1 { "" } else { "s" },
                grades.join(", "),
                sectors.len(),
                if sectors.len() == 1 { "" } else { "s" },
                if names {
                    format!(" ({})", sectors.join(", "))
                } else {
                    String::new()
                }
            )
        };
        let base_service = service(&self.bases[self.variants[0].base]);
        for k in 1..paths.len() {
            let theirs = service(&self.bases[self.variants[k].base]);
            if theirs != base_service {
                let names = theirs.0 == base_service.0
                    && theirs.1 == base_service.1
                    && theirs.2.len() == base_service.2.len();
                notes.push((
                    format!(
                        "{} is another service than the base: {} (the base: {}); its differences and its cost include that, not only its policies",
                        shown(k),
                        said(&theirs, names),
                        said(&base_service, names)
                    ),
                    vec![label(k)],
                ));
            }
        }
        self.warnings.extend(notes);
    }

    /// Loads and resolves the base scenarios: overrides, seed, years,
    /// replicates and scale applied.
    pub fn load_bases(spec: &Spec) -> Result<Vec<Scenario>, UsageError> {
        Self::load_resolved(spec).map(|(bases, _)| bases)
    }

    /// [`Plan::load_bases`], with each file's own `sim.years` and
    /// `sim.seed` before the experiment's replaced them.
    fn load_resolved(spec: &Spec) -> Result<(Vec<Scenario>, Vec<OwnRun>), UsageError> {
        let mut bases = Vec::new();
        for p in &spec.scenarios {
            // With several scenarios an override reaches each: the one it
            // does not fit is named.
            let several = spec.scenarios.len() > 1;
            let s = Scenario::load(p, &spec.sets).map_err(|e| match e {
                crate::scenario::ScenarioError::Set { arg, message } if several => err(format!(
                    "{} in `{}` (an override reaches every scenario compared): {message}",
                    spec.source.given("set", &arg),
                    p.display()
                )),
                crate::scenario::ScenarioError::Set { arg, message } => {
                    err(format!("{}: {message}", spec.source.given("set", &arg)))
                }
                other => err(other.to_string()),
            })?;
            bases.push(s);
        }
        let own = bases.iter().map(|s| (s.sim.years, s.sim.seed)).collect();
        let years = spec.years.unwrap_or(bases[0].sim.years);
        let seed = spec.seed.unwrap_or(bases[0].sim.seed);
        for (s, p) in bases.iter_mut().zip(&spec.scenarios) {
            s.sim.years = years;
            s.sim.seed = seed;
            s.sim.replicates = spec.replicates;
            if let Some(f) = spec.scale {
                *s = s.clone().scaled(f);
            }
            s.validate(&p.display().to_string()).map_err(|e| {
                let text = e.to_string();
                let noted = spec
                    .years
                    .and_then(|y| spec::years_flag_note(&text, y, spec.source));
                err(noted.unwrap_or(text))
            })?;
        }
        Ok((bases, own))
    }

    /// A plan from already resolved base scenarios (as a manifest keeps them).
    pub fn with_bases(
        spec: Spec,
        bases: Vec<Scenario>,
        command: String,
    ) -> Result<Self, UsageError> {
        let years = bases[0].sim.years;
        let seed = bases[0].sim.seed;
        let report_years: Vec<u32> = if spec.report_years.is_empty() {
            // Those of 10, 20 and 40 within the run, and its last year,
            // which the In short reads: a 15-year run reported year 10
            // only, and a planner read it as the end (an audit,
            // 2026-12-06).
            let mut v: Vec<u32> = [10, 20, 40].into_iter().filter(|&y| y < years).collect();
            v.push(years);
            v
        } else {
            if let Some(&y) = spec.report_years.iter().find(|&&y| y > years) {
                return Err(err(format!(
                    "{}: year {y} is after the last simulated year ({years})",
                    spec.source.flag("at")
                )));
            }
            spec.report_years.clone()
        };
        let mut metrics = Vec::new();
        for m in spec.table_metrics() {
            match metric_index(&m) {
                Some(i) => metrics.push(i),
                None => {
                    return Err(err(format!(
                        "{}: `{m}` is not a metric; the metrics are the columns of timeseries.csv: {}",
                        spec.source.flag("metrics"),
                        crate::metrics::METRICS
                            .iter()
                            .map(|d| d.name)
                            .collect::<Vec<_>>()
                            .join(", ")
                    )));
                }
            }
        }
        let year = spec.year.unwrap_or(20.min(years));
        if year > years || year == 0 {
            return Err(err(format!(
                "{}: {year} is not a simulated year (1 to {years})",
                spec.source.flag("year")
            )));
        }
        let mut plan = Plan {
            command,
            bases,
            variants: Vec::new(),
            switches: Vec::new(),
            unit_design: Vec::new(),
            years,
            seed,
            report_years,
            metrics,
            year,
            spec,
            fingerprint: String::new(),
            warnings: Vec::new(),
            made_by: Vec::new(),
            draws: Vec::new(),
        };
        if let Some(post) = &plan.spec.ensemble {
            plan.draws = post.draw(seed);
        }
        plan.expand()?;
        plan.check_runs()?;
        plan.check_draws()?;
        plan.fingerprint = plan.identity_hash();
        Ok(plan)
    }

    /// Adds a point of a sweep or sensitivity design on the first base:
    /// its `--set`s, completed by the shares linked to them; `explain`
    /// words a failure from the point and the reason.
    fn push_point(
        &mut self,
        sets: Vec<String>,
        coords: Vec<f64>,
        explain: impl FnOnce(&str, String) -> String,
    ) -> Result<(), UsageError> {
        let label = sets.join(" ");
        let linked = linked_sets(&self.bases[0], &sets).map_err(|e| err(explain(&label, e)))?;
        self.variants.push(Variant {
            label,
            base: 0,
            sets,
            linked,
            coords,
        });
        Ok(())
    }

    /// `--decompose`: after the compared arms, every arm again with each
    /// mechanism switched off (one block of arms per switch, in the order
    /// of [`crate::model::MECHANISM_SWITCHES`]); switches off in every arm
    /// are left out. A reform that sets a switch is made to set it off too,
    /// so the mechanism stays off all run.
    fn expand_decomposition(&mut self) -> Result<(), UsageError> {
        let trees: Vec<toml::Value> = self
            .bases
            .iter()
            .map(|b| toml::Value::try_from(b).expect("scenario serialises"))
            .collect();
        let arms = self.variants.len();
        for &(key, _) in crate::model::MECHANISM_SWITCHES {
            let on_somewhere = trees.iter().zip(&self.bases).any(|(t, b)| {
                paths::get(t, key).ok().and_then(toml::Value::as_bool) == Some(true)
                    || b.reforms.iter().any(|r| {
                        paths::get(&toml::Value::Table(r.set.clone()), key)
                            .ok()
                            .and_then(toml::Value::as_bool)
                            == Some(true)
                    })
            });
            if !on_somewhere {
                continue;
            }
            self.switches.push(key.to_string());
            for a in 0..arms {
                let base = &self.bases[self.variants[a].base];
                let mut sets = vec![format!("{key}=false")];
                for (k, r) in base.reforms.iter().enumerate() {
                    if paths::get(&toml::Value::Table(r.set.clone()), key).is_ok() {
                        sets.push(format!("reforms[{k}].set.{key}=false"));
                    }
                }
                let v = Variant {
                    label: format!("{} without {key}", self.variants[a].label),
                    base: self.variants[a].base,
                    sets,
                    linked: Vec::new(),
                    coords: Vec::new(),
                };
                self.scenario(&v)?;
                self.variants.push(v);
            }
        }
        Ok(())
    }

    /// The variant of arm `arm` with switch number `switch` of
    /// [`Plan::switches`] off (`--decompose`).
    pub fn switched_off(&self, switch: usize, arm: usize) -> usize {
        self.arms() * (1 + switch) + arm
    }

    /// The compared arms: the first `arms()` variants (with `--decompose`
    /// the rest are the arms again, one block a switch turned off).
    pub fn arms(&self) -> usize {
        self.variants.len() / (1 + self.switches.len())
    }

    fn expand(&mut self) -> Result<(), UsageError> {
        match self.spec.kind {
            Kind::Compare => {
                self.variants = self
                    .bases
                    .iter()
                    .enumerate()
                    .map(|(k, s)| Variant {
                        label: s.name.clone(),
                        base: k,
                        sets: Vec::new(),
                        linked: Vec::new(),
                        coords: Vec::new(),
                    })
                    .collect();
                let mut seen = std::collections::BTreeSet::new();
                for v in &mut self.variants {
                    let mut label = v.label.clone();
                    let mut n = 2;
                    while !seen.insert(label.clone()) {
                        label = format!("{} ({n})", v.label);
                        n += 1;
                    }
                    v.label = label;
                }
                if self.spec.decompose {
                    self.expand_decomposition()?;
                }
            }
            Kind::Sweep if self.spec.design.is_some() => self.expand_design()?,
            Kind::Sweep => {
                let base = &self.bases[0];
                let origin = self.spec.scenarios[0].display().to_string();
                let w = self.spec.source;
                for v in &mut self.spec.vary {
                    whole_values(base, v, w)?;
                }
                for v in &self.spec.vary {
                    refuse_reform_overwrite(base, &w.flag("vary"), &v.key)?;
                }
                // Each value alone first, so an error names the flag and value.
                for v in &self.spec.vary {
                    for val in &v.values {
                        check_one(base, &origin, &v.key, val).map_err(|e| {
                            let values = v.range.clone().unwrap_or_else(|| v.values.join(","));
                            let given = w.given("vary", &format!("{}={values}", v.key));
                            // An unknown key is not a value's fault.
                            if e.starts_with("unknown key path") {
                                err(format!("{given}: {e}"))
                            } else {
                                err(format!("{given}: the value `{val}` is not allowed: {e}"))
                            }
                        })?;
                    }
                }
                let dims: Vec<usize> = self.spec.vary.iter().map(|v| v.values.len()).collect();
                let total: usize = dims.iter().product();
                for n in 0..total {
                    // Row-major: the first parameter is the outermost.
                    let mut rest = n;
                    let mut idx = vec![0; dims.len()];
                    for d in (0..dims.len()).rev() {
                        idx[d] = rest % dims[d];
                        rest /= dims[d];
                    }
                    let sets: Vec<String> = self
                        .spec
                        .vary
                        .iter()
                        .zip(&idx)
                        .map(|(v, &i)| format!("{}={}", v.key, v.values[i]))
                        .collect();
                    let coords = self
                        .spec
                        .vary
                        .iter()
                        .zip(&idx)
                        .map(|(v, &i)| v.numeric.as_ref().map_or(f64::NAN, |x| x[i]))
                        .collect();
                    self.push_point(sets, coords, |point, e| {
                        format!("the sweep point `{point}`: {e}")
                    })?;
                }
            }
            Kind::Sensitivity => {
                let base = &self.bases[0];
                let origin = self.spec.scenarios[0].display().to_string();
                let tree = toml::Value::try_from(base).expect("scenario serialises");
                let mut integer = Vec::new();
                let w = self.spec.source;
                for p in &self.spec.params {
                    refuse_reform_overwrite(base, &w.flag("param"), &p.key)?;
                }
                for p in &self.spec.params {
                    let shown = w.given("param", &format!("{}={}:{}", p.key, p.lo, p.hi));
                    let like =
                        paths::get(&tree, &p.key).map_err(|e| err(format!("{shown}: {e}")))?;
                    let is_int = match like {
                        toml::Value::Float(_) => false,
                        toml::Value::Integer(_) => true,
                        other => {
                            return Err(err(format!(
                                "{shown}: `{}` is {}, but sensitivity analysis needs a numeric key",
                                p.key,
                                paths::type_name(other)
                            )));
                        }
                    };
                    if is_int {
                        if p.lo.fract() != 0.0 || p.hi.fract() != 0.0 {
                            return Err(err(format!(
                                "{shown}: `{}` takes whole numbers; give whole LOW and HIGH",
                                p.key
                            )));
                        }
                        let steps = self.spec.levels as f64 - 1.0;
                        if self.spec.method == Method::Morris
                            && ((p.hi - p.lo) / steps).fract() != 0.0
                        {
                            return Err(err(format!(
                                "{shown}: `{}` takes whole numbers, so HIGH − LOW must be a multiple of levels − 1 ({steps}) for the Morris grid to fall on whole numbers; for example {}:{}",
                                p.key,
                                p.lo,
                                p.lo + steps * ((p.hi - p.lo) / steps).ceil().max(1.0)
                            )));
                        }
                    }
                    integer.push(is_int);
                    for end in [p.lo, p.hi] {
                        let val = value_text(end, is_int);
                        check_one(base, &origin, &p.key, &val).map_err(|e| {
                            err(format!("{shown}: the end {val} is not allowed: {e}"))
                        })?;
                    }
                }
                let k = self.spec.params.len();
                self.unit_design = match self.spec.method {
                    Method::Morris => sensitivity::morris_design(
                        k,
                        self.spec.trajectories as usize,
                        self.spec.levels as usize,
                        self.spec.design_seed,
                    ),
                    Method::Sobol => sensitivity::saltelli_design(
                        k,
                        self.spec.samples as usize,
                        self.spec.design_seed,
                    ),
                };
                for r in 0..self.unit_design.len() {
                    let row = &self.unit_design[r];
                    let mut sets = Vec::new();
                    let mut coords = Vec::new();
                    for ((p, &u), &is_int) in self.spec.params.iter().zip(row).zip(&integer) {
                        let x = if !is_int {
                            p.lo + u * (p.hi - p.lo)
                        } else if self.spec.method == Method::Morris {
                            // On the grid: exact whole numbers (checked above).
                            (p.lo + u * (p.hi - p.lo)).round()
                        } else {
                            // Each whole number of [lo, hi] equally likely.
                            (p.lo + (u * (p.hi - p.lo + 1.0)).floor()).min(p.hi)
                        };
                        coords.push(x);
                        sets.push(format!("{}={}", p.key, value_text(x, is_int)));
                    }
                    self.push_point(sets, coords, |point, e| {
                        format!(
                            "the sensitivity point `{point}`: {e}; narrow the intervals so that the shares can sum to 1"
                        )
                    })?;
                }
            }
        }
        // Every variant's scenario must be valid as a whole (combinations
        // of individually valid values can still conflict).
        let mut warnings: Vec<(String, Vec<String>)> = Vec::new();
        for (n, v) in self.variants.iter().enumerate() {
            let s = self.scenario(v).map_err(|e| match &self.spec.design {
                Some(d) => err(format!(
                    "{}: the point on line {} (`{}`) is not a valid scenario: {e}",
                    self.spec.source.given("design", &d.file),
                    d.lines[n],
                    v.label
                )),
                None => err(format!(
                    "the {} point `{}` is not a valid scenario: {e}",
                    self.spec.kind.name(),
                    v.label
                )),
            })?;
            for w in s.warnings() {
                match warnings.iter_mut().find(|(t, _)| *t == w) {
                    Some((_, labels)) => labels.push(v.label.clone()),
                    None => warnings.push((w, vec![v.label.clone()])),
                }
            }
        }
        // A --set of a key the points set themselves is overwritten: said,
        // since the report lists it among the overrides. Every point setting
        // it (`--vary`, a design column, `--param`): it counts only in
        // checking the base scenario, which may need it, and a resumed
        // folder's advice may name it, so it is not refused. A key that
        // takes up the varied shares' changes: replaced where it does.
        let varied = matches!(self.spec.kind, Kind::Sweep | Kind::Sensitivity);
        for arg in &self.spec.sets {
            let Some((key, _)) = arg.split_once('=') else {
                continue;
            };
            let key = crate::paths::canonical(key.trim());
            let given = self
                .spec
                .source
                .given("set", &crate::error::shorten(arg, 80));
            let names = |list: &[String]| {
                list.iter().any(|l| {
                    l.split_once('=')
                        .is_some_and(|(k, _)| crate::paths::canonical(k.trim()) == key)
                })
            };
            if varied && !self.variants.is_empty() && self.variants.iter().all(|v| names(&v.sets)) {
                let w = self.spec.source;
                let how = match (self.spec.kind, &self.spec.design) {
                    (Kind::Sensitivity, _) => w.flag("param"),
                    (_, Some(d)) => w.given("design", &d.file),
                    _ => w.flag("vary"),
                };
                warnings.push((
                    format!(
                        "{given}: every {} point sets `{}` from {how}, so this value is used in no run (only in checking the base scenario)",
                        self.spec.kind.name(),
                        paths::display(&key)
                    ),
                    vec!["every point".to_string()],
                ));
                continue;
            }
            let labels: Vec<String> = self
                .variants
                .iter()
                .filter(|v| names(&v.linked))
                .map(|v| v.label.clone())
                .collect();
            if !labels.is_empty() {
                warnings.push((
                    format!(
                        "{given}: `{}` takes up the changes of the varied shares of its group, so the value given is replaced (docs/experiments.md, \"Linked keys\")",
                        paths::display(&key)
                    ),
                    labels,
                ));
            }
        }
        // Saltelli's points are the first n of a Sobol' sequence, whose
        // balance holds for powers of two only (a methods audit,
        // 2026-12-06: `--samples 10` ran without a word).
        let n = self.spec.samples;
        if self.spec.kind == Kind::Sensitivity
            && self.spec.method == Method::Sobol
            && !n.is_power_of_two()
        {
            let below = 1u32 << (31 - n.leading_zeros());
            let above = below.saturating_mul(2);
            // The nearer power the checks accept (samples up to 1,000,000).
            let nearer = if above - n <= n - below && above <= 1_000_000 {
                above
            } else {
                below
            };
            warnings.push((
                format!(
                    "{}: {n} is not a power of two: the first 2^m points of a Sobol' sequence are the ones with its balance properties, so {nearer}, the nearest power of two, would estimate the indices better",
                    self.spec.source.flag("samples"),
                ),
                vec!["the design".to_string()],
            ));
        }
        // A scale that leaves a service of a few posts runs, but its
        // results are mostly chance and its bills, divided by the scale,
        // absurd: say so.
        if let Some(f) = self.spec.scale {
            for (i, b) in self.bases.iter().enumerate() {
                let posts = b.structure.total_posts();
                if posts < SMALL_SERVICE {
                    // The smallest scale in hundredths that keeps this
                    // service at the threshold, from its file as written.
                    let full = self
                        .spec
                        .scenarios
                        .get(i)
                        .and_then(|p| Scenario::load(p, &self.spec.sets).ok());
                    let advice = match full {
                        Some(full) => {
                            match (1..=10_000u32).map(|k| f64::from(k) / 100.0).find(|&k| {
                                full.clone().scaled(k).structure.total_posts() >= SMALL_SERVICE
                            }) {
                                Some(k) => format!(
                                    "; a scale of {k} or more keeps it at {SMALL_SERVICE} posts or more{}",
                                    if k > 1.0 {
                                        " (above its full size)"
                                    } else {
                                        ""
                                    }
                                ),
                                None => String::new(),
                            }
                        }
                        None => String::new(),
                    };
                    let text = format!(
                        "{} leaves `{}` with {posts} posts: results of so small a service are mostly chance, and its bills are divided by {f} to give the full service's{advice}",
                        self.spec.source.given("scale", &f.to_string()),
                        b.name
                    );
                    let labels = self
                        .variants
                        .iter()
                        .filter(|v| v.base == i)
                        .map(|v| v.label.clone());
                    match warnings.iter_mut().find(|(t, _)| *t == text) {
                        Some((_, l)) => l.extend(labels),
                        None => warnings.push((text, labels.collect())),
                    }
                }
            }
        }
        self.warnings = warnings;
        Ok(())
    }

    /// The variants of a sweep over design points read from a file: one a
    /// row, its values as written (whole numbers for integer keys).
    fn expand_design(&mut self) -> Result<(), UsageError> {
        let d = self.spec.design.clone().expect("a design");
        let base = &self.bases[0];
        let tree = toml::Value::try_from(base).expect("scenario serialises");
        let mut integer = Vec::new();
        let mut boolean = Vec::new();
        let design = self.spec.source.given("design", &d.file);
        for k in &d.keys {
            let like = paths::get(&tree, k).map_err(|e| err(format!("{design}: {e}")))?;
            integer.push(matches!(like, toml::Value::Integer(_)));
            boolean.push(matches!(like, toml::Value::Boolean(_)));
            refuse_reform_overwrite(base, &format!("{design} column"), k)?;
        }
        for (row, line) in d.rows.iter().zip(&d.lines) {
            let mut sets = Vec::new();
            let mut coords = Vec::new();
            for (((k, raw), &is_int), &is_bool) in
                d.keys.iter().zip(row).zip(&integer).zip(&boolean)
            {
                let x = raw.parse::<f64>().ok().filter(|x| x.is_finite());
                let text = match x {
                    // pandas writes booleans as True and False.
                    _ if is_bool && ["true", "false"].contains(&raw.to_lowercase().as_str()) => {
                        raw.to_lowercase()
                    }
                    Some(x) if is_int && x.fract() == 0.0 && x.abs() < 9e15 => {
                        format!("{}", x as i64)
                    }
                    Some(x) if is_int && x.fract() == 0.0 => {
                        return Err(err(format!(
                            "{design} line {line}: `{k}` is {raw}, {}",
                            match crate::scenario::checked_int_range(base, k) {
                                Some((lo, hi)) => format!("out of range; allowed {lo} to {hi}"),
                                None => "too large for a whole-number key".into(),
                            }
                        )));
                    }
                    Some(_) if is_int => {
                        return Err(err(format!(
                            "{design} line {line}: `{k}` takes whole numbers, got {raw}; round the design's values for this key"
                        )));
                    }
                    // One text per number, however the file wrote it
                    // (2.4e1, 24, 24.000), so equal points are equal runs.
                    Some(x) => number_text(x),
                    None => raw.clone(),
                };
                coords.push(x.unwrap_or(f64::NAN));
                sets.push(format!("{k}={text}"));
            }
            let linked =
                linked_sets(base, &sets).map_err(|e| err(format!("{design} line {line}: {e}")))?;
            self.variants.push(Variant {
                label: sets.join(" "),
                base: 0,
                sets,
                linked,
                coords,
            });
        }
        Ok(())
    }

    /// The scenario of a variant; an error says what is wrong with it (an
    /// override's problem without a `--set` the user did not type).
    pub fn scenario(&self, v: &Variant) -> Result<Scenario, UsageError> {
        self.scenario_of(v).map_err(|e| err(unset(e)))
    }

    fn scenario_of(&self, v: &Variant) -> Result<Scenario, crate::scenario::ScenarioError> {
        let s = self.bases[v.base]
            .clone()
            .with_sets(&[&v.sets[..], &v.linked[..]].concat())?;
        if !v.sets.is_empty() {
            s.validate(&v.label)?;
        }
        Ok(s)
    }

    /// The plan's metrics whose mechanism is off for the whole of every
    /// run (off in each variant's base, no reform of it switches it on, and
    /// no variant's override touches the switch or the reforms), each with
    /// its switch (`corruption.enabled = false`): their plots would be flat
    /// lines and one-colour maps, which `run` already leaves out (an
    /// instructor's audit, 2026-12-07: half of a sweep of the classic
    /// model's figures). Read from the bases and the overrides' keys, so
    /// that a sweep of many points resolves no scenario for it.
    pub fn off_everywhere(&self) -> Vec<(usize, &'static str)> {
        use crate::paths::canonical;
        let touches = |set: &str, key: &str| {
            let k = canonical(set.split_once('=').map_or(set, |(k, _)| k).trim());
            k == key || key.starts_with(&format!("{k}.")) || k.starts_with("reforms")
        };
        self.metrics
            .iter()
            .filter_map(|&m| {
                let name = crate::metrics::METRICS[m].name;
                let mut switch = None;
                for b in &self.bases {
                    let off = crate::metrics::switched_off(name, b)?;
                    let key = canonical(off.split(" = ").next().unwrap_or(off));
                    let switched_on = b.reforms.iter().any(|r| {
                        crate::paths::flatten(&r.set)
                            .iter()
                            .any(|(k, _)| canonical(k) == key)
                    });
                    if switched_on {
                        return None;
                    }
                    switch = Some((off, key));
                }
                let (off, key) = switch?;
                // An ensemble's posterior columns are set in every run too.
                let drawn = self
                    .spec
                    .ensemble
                    .iter()
                    .flat_map(|p| p.keys.iter())
                    .any(|k| touches(k, &key));
                let varied = drawn
                    || self
                        .variants
                        .iter()
                        .flat_map(|v| v.sets.iter().chain(&v.linked))
                        .any(|s| touches(s, &key));
                (!varied).then_some((m, off))
            })
            .collect()
    }

    /// Runs of each variant: the replicates, times the draws of an ensemble.
    pub fn replicates(&self) -> usize {
        self.spec.replicates as usize * self.draw_count()
    }

    /// Draws of an ensemble (1 without one).
    pub fn draw_count(&self) -> usize {
        self.draws.len().max(1)
    }

    /// Number of runs.
    pub fn runs(&self) -> usize {
        self.variants.len() * self.replicates()
    }

    /// (variant, replicate) of run `j`.
    pub fn run_of(&self, j: usize) -> (usize, u64) {
        let r = self.replicates();
        (j / r, (j % r) as u64)
    }

    /// The scenario of variant `v` on draw `d` of the ensemble (the
    /// variant's own scenario without one).
    pub fn scenario_on_draw(&self, v: &Variant, d: usize) -> Result<Scenario, UsageError> {
        let Some(post) = &self.spec.ensemble else {
            return self.scenario(v);
        };
        let row = self.draws[d];
        let sets = [&post.sets(row)[..], &v.sets[..], &v.linked[..]].concat();
        let s = self.bases[v.base].clone().with_sets(&sets).map_err(|e| {
            err(format!(
                "{}: {}",
                self.spec.source.given("ensemble", &post.file),
                unset(e)
            ))
        })?;
        s.validate(&v.label).map_err(|e| {
            err(format!(
                "{}: the parameters of line {} do not make a valid scenario with `{}`: {e}",
                self.spec.source.given("ensemble", &post.file),
                post.lines[row],
                v.label
            ))
        })?;
        Ok(s)
    }

    /// At most 1,000,000 runs once the plan is expanded: the spec's check
    /// counts the arms and points it is given, and `--decompose` adds the
    /// arms again for every mechanism switch on.
    fn check_runs(&self) -> Result<(), UsageError> {
        let w = self.spec.source;
        if self.spec.decompose && self.runs() > 1_000_000 {
            return Err(err(format!(
                "{}: {} arms, each also without each of {} mechanisms, × {} replicates = {} runs, more than the 1,000,000 an experiment may have; lower {}",
                w.flag("decompose"),
                self.arms(),
                self.switches.len(),
                self.replicates(),
                self.runs(),
                w.flag("replicates")
            )));
        }
        Ok(())
    }

    /// An ensemble runs a comparison or sweep; its columns are scenario
    /// keys; every variant on every row drawn is a valid scenario.
    fn check_draws(&self) -> Result<(), UsageError> {
        let Some(post) = &self.spec.ensemble else {
            return Ok(());
        };
        let w = self.spec.source;
        let ensemble = w.given("ensemble", &post.file);
        if self.spec.kind == Kind::Sensitivity || self.spec.decompose {
            return Err(err(format!(
                "{ensemble}: an ensemble runs a comparison or a sweep over plausible services; {} is not run over one",
                if self.spec.decompose {
                    w.flag("decompose")
                } else {
                    "a sensitivity analysis".into()
                }
            )));
        }
        if self.runs() > 1_000_000 {
            return Err(err(format!(
                "{ensemble}: {} variants × {} draws × {} replicates = {} runs, more than the 1,000,000 an experiment may have; lower {} or {}",
                self.variants.len(),
                self.draws.len(),
                self.spec.replicates,
                self.runs(),
                w.flag("draws"),
                w.flag("replicates")
            )));
        }
        // A --set of a posterior column would be overridden on every draw
        // while the report lists it as applied.
        // A --set of a table that holds a column, or of a key inside one,
        // is overridden in the same way.
        for set in &self.spec.sets {
            let key = set.split_once('=').map_or(set.as_str(), |(k, _)| k);
            let key = paths::segments(key.trim());
            if let Some(k) = post.keys.iter().find(|k| {
                let column = paths::segments(k);
                column.starts_with(&key) || key.starts_with(&column)
            }) {
                return Err(err(format!(
                    "{}: every draw of {ensemble} sets `{k}`, which would override this value; drop the {} (the draws give `{k}` its plausible values), or use a posterior without the column `{k}`",
                    w.given("set", &crate::error::shorten(set, 80)),
                    match w {
                        spec::Source::Flags => "--set".to_string(),
                        spec::Source::File => "`set` entry".to_string(),
                    }
                )));
            }
        }
        let tree = toml::Value::try_from(&self.bases[0]).expect("scenario serialises");
        for k in &post.keys {
            if let Err(e) = paths::get(&tree, k) {
                return Err(err(format!(
                    "{ensemble}: the column `{k}` is not a scenario key: {e}"
                )));
            }
            // A draw sets the key in every arm, so arms that differ in it
            // would lose their difference.
            let first = paths::get(&tree, k).ok().cloned();
            for (b, p) in self.bases.iter().zip(&self.spec.scenarios).skip(1) {
                let other = toml::Value::try_from(b).expect("scenario serialises");
                if paths::get(&other, k).ok() != first.as_ref() {
                    return Err(err(format!(
                        "{ensemble}: `{}` sets `{k}` differently from `{}`, and every draw of the posterior sets `{k}` in every arm, so that difference would vanish; compare scenarios that differ in other keys (or by a reform), or use a posterior without `{k}`",
                        p.display(),
                        self.spec.scenarios[0].display()
                    )));
                }
            }
        }
        let mut seen = std::collections::BTreeSet::new();
        for (d, &row) in self.draws.iter().enumerate() {
            if !seen.insert(row) {
                continue;
            }
            for v in &self.variants {
                self.scenario_on_draw(v, d)?;
            }
        }
        Ok(())
    }

    /// `runs` in the groups whose first years are simulated once
    /// ([`runner::run_shared`]): the same replicate (on the same draw of an
    /// ensemble) of variants whose scenarios differ only in their reforms,
    /// as the arms of a comparison of reform packages on one service do.
    /// Each group keeps the order of `runs`; groups come in the order of
    /// their first run.
    pub fn shared_groups(&self, runs: &[usize]) -> Result<Vec<Vec<usize>>, UsageError> {
        use std::collections::HashMap;
        use std::collections::hash_map::Entry;
        // A class of (variant, draw): its scenario without what a fork may
        // change, as TOML.
        let mut class_of: HashMap<(usize, usize), usize> = HashMap::new();
        let mut classes: HashMap<String, usize> = HashMap::new();
        let mut group_of: HashMap<(u64, usize), usize> = HashMap::new();
        let mut groups: Vec<Vec<usize>> = Vec::new();
        for &j in runs {
            let (v, r) = self.run_of(j);
            let d = r as usize / self.spec.replicates as usize;
            let class = match class_of.entry((v, d)) {
                Entry::Occupied(e) => *e.get(),
                Entry::Vacant(e) => {
                    let mut s = self.scenario_on_draw(&self.variants[v], d)?;
                    s.name.clear();
                    s.title.clear();
                    s.description.clear();
                    s.reforms.clear();
                    s.expect.clear();
                    let next = classes.len();
                    *e.insert(*classes.entry(s.to_toml()).or_insert(next))
                }
            };
            match group_of.entry((r, class)) {
                Entry::Occupied(e) => groups[*e.get()].push(j),
                Entry::Vacant(e) => {
                    e.insert(groups.len());
                    groups.push(vec![j]);
                }
            }
        }
        Ok(groups)
    }

    /// Simulates the runs of `group` (one of [`Plan::shared_groups`]; run
    /// `j` is replicate `j % replicates()` of variant `j / replicates()`, on
    /// draw `(j % replicates()) / spec.replicates` of an ensemble), their
    /// shared years once, and gives `each(j, result)` each run's result as
    /// it finishes: what an experiment's run file holds, and what an
    /// in-memory run of the plan
    /// ([`crate::experiment::ensemble::Ensemble::run_plan`]) gathers. Each
    /// result is that of the run simulated alone.
    pub fn run_group<E: From<UsageError> + Send>(
        &self,
        group: &[usize],
        on_year: &(dyn Fn() + Sync),
        each: &(dyn Fn(usize, ReplicateResult) -> Result<(), E> + Sync),
    ) -> Result<(), E> {
        let Some(&j0) = group.first() else {
            return Ok(());
        };
        let (_, r) = self.run_of(j0);
        let d = r as usize / self.spec.replicates as usize;
        let scenarios = group
            .iter()
            .map(|&j| {
                debug_assert_eq!(self.run_of(j).1, r, "one replicate a group");
                self.scenario_on_draw(&self.variants[self.run_of(j).0], d)
            })
            .collect::<Result<Vec<_>, _>>()?;
        runner::run_shared(&scenarios, r, on_year, &|i, res| each(group[i], res)).map(|_| ())
    }

    fn identity_hash(&self) -> String {
        let id = Identity {
            bureausim_version: env!("CARGO_PKG_VERSION"),
            kind: self.spec.kind,
            replicates: self.spec.replicates,
            years: self.years,
            seed: self.seed,
            scenarios: self.bases.iter().map(|s| s.identity_toml()).collect(),
            variants: &self.variants,
            draws: match &self.spec.ensemble {
                Some(post) => self.draws.iter().map(|&row| post.sets(row)).collect(),
                None => Vec::new(),
            },
        };
        let bytes = serde_json::to_vec(&id).expect("identity serialises");
        let digest = Sha256::digest(&bytes);
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// The overrides that keep linked shares summing to 1 once `sets` apply
/// to `base` ([`crate::scenario::linked`]).
pub(crate) fn linked_sets(base: &Scenario, sets: &[String]) -> Result<Vec<String>, String> {
    let keys: Vec<String> = sets
        .iter()
        .filter_map(|s| s.split_once('=').map(|(k, _)| k.trim().to_string()))
        .collect();
    let tree = toml::Value::try_from(base.clone().with_sets(sets).map_err(unset)?)
        .expect("scenario serialises");
    linked::complete(&tree, &keys)
}

/// A scenario error's text without the `--set ARG:` of an override the
/// user did not type as `--set` (a varied value, a design point).
fn unset(e: crate::scenario::ScenarioError) -> String {
    match e {
        crate::scenario::ScenarioError::Set { message, .. } => message,
        other => other.to_string(),
    }
}

/// Checks `base` with `key` set to `val` alone (and its linked shares), so
/// that an error names one flag and one value.
pub(crate) fn check_one(base: &Scenario, origin: &str, key: &str, val: &str) -> Result<(), String> {
    let sets = [format!("{key}={val}")];
    let linked = linked_sets(base, &sets)?;
    base.clone()
        .with_sets(&[&sets[..], &linked[..]].concat())
        .map_err(unset)?
        .validate(origin)
        .map_err(|e| e.to_string())
}

/// Refuses to vary `key` when a reform of `base` sets it (or a linked share
/// that absorbs its changes): the reform would overwrite the varied value
/// from its year on, and every point would end alike.
pub(crate) fn refuse_reform_overwrite(
    base: &Scenario,
    flag: &str,
    key: &str,
) -> Result<(), UsageError> {
    let tree = toml::Value::try_from(base).expect("scenario serialises");
    let mut keys = vec![key.to_string()];
    keys.extend(linked::partners(&tree, key));
    for (n, k) in keys.iter().enumerate() {
        if let Some((i, r, set)) = base.reform_setting(k) {
            let what = if n == 0 {
                format!("sets `{set}`")
            } else {
                format!(
                    "sets `{set}`, which takes up changes to `{key}` so that its group sums to 1,"
                )
            };
            return Err(err(format!(
                "{flag} {key}: the scenario's reform \"{}\" (reforms[{i}], year {}) {what} and would overwrite the varied value from year {} on, so every point would end alike; to vary what the reform does, vary `reforms[{i}].set.{set}`; to vary the starting value, remove the reform or vary a copy of the scenario without it",
                r.display_label(i),
                r.year,
                r.year
            )));
        }
    }
    Ok(())
}

/// Makes a swept integer key's values whole numbers (`1.0` → `1`), or
/// refuses fractional ones naming the range's step, their cause.
fn whole_values(
    base: &Scenario,
    v: &mut crate::experiment::spec::Vary,
    w: spec::Source,
) -> Result<(), UsageError> {
    let tree = toml::Value::try_from(base).expect("scenario serialises");
    let Ok(toml::Value::Integer(_)) = paths::get(&tree, &v.key) else {
        return Ok(());
    };
    let Some(nums) = v.numeric.clone() else {
        return Ok(());
    };
    if let Some(x) = nums.iter().find(|x| x.fract() != 0.0) {
        let cause = if v.step.is_some_and(|s| s.fract() != 0.0) {
            format!(
                "the STEP {} makes values such as {x}; give a whole STEP",
                number_text(v.step.unwrap_or_default())
            )
        } else {
            format!("{x} is not one; give whole numbers")
        };
        let given = v.range.clone().unwrap_or_else(|| v.values.join(","));
        return Err(err(format!(
            "{}: `{}` takes whole numbers, but {cause}",
            w.given("vary", &format!("{}={given}", v.key)),
            v.key
        )));
    }
    v.values = nums.iter().map(|x| format!("{}", *x as i64)).collect();
    Ok(())
}

/// A parameter value as `--set` text.
pub(crate) fn value_text(x: f64, integer: bool) -> String {
    if integer {
        format!("{}", x.round() as i64)
    } else {
        number_text(x)
    }
}
