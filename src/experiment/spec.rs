//! What an experiment is: a comparison of scenarios, a parameter sweep or a
//! sensitivity analysis, described either by command-line flags or by an
//! experiment file (`bureausim experiment EXP.toml`). Both end in the same
//! [`Spec`], which [`crate::experiment::plan`] turns into runs.
//!
//! The syntax of a varied parameter is the same on the command line and in a
//! file: `key.path=a:b:step` (a range, both ends included), `key.path=v1,v2`
//! (a list of values of the key's type, strings included) or, for
//! sensitivity analysis, `key.path=lo:hi` (an interval).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{UsageError, readable};

/// The three kinds of experiment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Compare,
    Sweep,
    Sensitivity,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Compare => "compare",
            Kind::Sweep => "sweep",
            Kind::Sensitivity => "sensitivity",
        }
    }
}

/// Sensitivity-analysis method.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// Morris elementary effects: screening, r (k + 1) runs.
    Morris,
    /// Sobol indices from Saltelli sampling: n (k + 2) runs.
    Sobol,
}

/// One swept parameter: a key path and the values it takes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Vary {
    pub key: String,
    /// The values as TOML text, in sweep order (e.g. `0.3`, `"seniority"`).
    pub values: Vec<String>,
    /// The values as numbers, when every value is one (for plots).
    pub numeric: Option<Vec<f64>>,
    /// The STEP of a FROM:TO:STEP range, to name it when it is the cause
    /// of a value the key does not take.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<f64>,
    /// The range as typed (`1:3.9:1.5`), for messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub range: Option<String>,
}

/// Design points read from a file (`sweep --design points.csv`): one
/// column a key path, one row a point, each value as written. Kept whole in
/// the experiment's manifest, so the runs never depend on the file again.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DesignPoints {
    /// The file as given (for the record and the reproducing command).
    pub file: String,
    pub keys: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// The file's line of each row, for messages.
    pub lines: Vec<usize>,
}

/// Most design points a file may hold (as a sweep's runs are capped), and
/// most values in all (points × columns), so a design stays small in memory.
pub const MAX_DESIGN_POINTS: usize = 1_000_000;
pub const MAX_DESIGN_CELLS: usize = 4_000_000;

/// Columns of a design file that are bookkeeping, not parameters: a
/// pandas index (no name) and EMA Workbench's `scenario`, `policy` and
/// `model`.
const BOOKKEEPING: &[&str] = &["", "scenario", "policy", "model"];

/// Reads a design file: a header of key paths, then one point a line.
/// Commas, tabs, semicolons or spaces separate values (found from the
/// header); a header that starts with `#` (as numpy's `savetxt` writes it)
/// counts; blank lines are skipped; bookkeeping columns are left out.
pub fn load_design(path: &Path) -> Result<DesignPoints, UsageError> {
    let shown = path.display().to_string();
    let bad = |m: String| UsageError(format!("--design {shown}: {m}"));
    let meta = std::fs::metadata(path).map_err(|e| bad(format!("cannot read it: {e}")))?;
    if meta.len() > 64 << 20 {
        return Err(bad(format!(
            "the file is {} MiB; at most 64 MiB",
            meta.len() >> 20
        )));
    }
    let text = std::fs::read_to_string(path).map_err(|e| bad(format!("cannot read it: {e}")))?;
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let (_, header) = lines
        .next()
        .ok_or_else(|| bad("the file is empty; its first line names the keys, e.g. politics.interference,pay.level".into()))?;
    let header = header.trim().trim_start_matches('#').trim();
    // None: values separated by spaces (numpy's savetxt default).
    let delimiter = [',', '\t', ';'].into_iter().find(|d| header.contains(*d));
    let split = |l: &str| -> Vec<String> {
        match delimiter {
            Some(d) => split_delimited(l, d),
            None => l.split_whitespace().map(str::to_string).collect(),
        }
    };
    let names = split(header);
    let keep: Vec<usize> = (0..names.len())
        .filter(|&i| !BOOKKEEPING.contains(&names[i].trim()))
        .collect();
    if keep.is_empty() {
        return Err(bad(
            "the first line names no key; it must name the key paths, e.g. politics.interference,pay.level".into(),
        ));
    }
    let mut keys = Vec::new();
    for &i in &keep {
        let k = names[i].trim().to_string();
        crate::paths::parse(&k).map_err(|e| bad(format!("column {}: {e}", i + 1)))?;
        if keys.contains(&k) {
            return Err(bad(format!("the key `{k}` names two columns")));
        }
        keys.push(k);
    }
    let (mut rows, mut at) = (Vec::new(), Vec::new());
    for (n, line) in lines {
        let fields = split(line.trim());
        if fields.len() != names.len() {
            return Err(bad(format!(
                "line {} has {} value(s), the header {} column(s)",
                n + 1,
                fields.len(),
                names.len()
            )));
        }
        if let Some(i) = keep.iter().find(|&&i| fields[i].trim().is_empty()) {
            return Err(bad(format!(
                "line {}: the value of `{}` is empty",
                n + 1,
                names[*i].trim()
            )));
        }
        if rows.len() == MAX_DESIGN_POINTS || (rows.len() + 1) * names.len() > MAX_DESIGN_CELLS {
            return Err(bad(format!(
                "more than {MAX_DESIGN_POINTS} points or {MAX_DESIGN_CELLS} values; split the design into several sweeps"
            )));
        }
        rows.push(keep.iter().map(|&i| fields[i].trim().to_string()).collect());
        at.push(n + 1);
    }
    if rows.is_empty() {
        return Err(bad("the file has a header but no points".into()));
    }
    Ok(DesignPoints {
        file: shown,
        keys,
        rows,
        lines: at,
    })
}

/// Splits a line on `d`, honouring double quotes as CSV does.
fn split_delimited(line: &str, d: char) -> Vec<String> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .delimiter(d as u8)
        .flexible(true)
        .from_reader(line.as_bytes());
    match r.records().next() {
        Some(Ok(rec)) => rec.iter().map(str::to_string).collect(),
        _ => vec![line.to_string()],
    }
}

/// One parameter of a sensitivity analysis: a numeric key and its interval.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Param {
    pub key: String,
    pub lo: f64,
    pub hi: f64,
}

/// The main metrics of tables and plots, unless `metrics` says otherwise.
pub const MAIN_METRICS: [&str; 6] = [
    "efficiency",
    "mean_competence",
    "corruption_prevalence",
    "mean_months_in_post",
    "vacancy_rate",
    "morale",
];

/// A whole experiment, as flags or a file give it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Spec {
    /// Name of the experiment (default output folder `outputs/<name>`).
    pub name: String,
    pub kind: Kind,
    /// Scenario files: the base first (compare), or the one scenario.
    /// Kept for the record only (runs depend on the resolved scenarios), so
    /// a path that is not UTF-8 is written with its odd bytes replaced.
    #[serde(serialize_with = "lossy_paths")]
    pub scenarios: Vec<PathBuf>,
    /// `key.path=value` overrides applied to every scenario.
    pub sets: Vec<String>,
    /// Replicates per scenario, grid point or sample point.
    pub replicates: u32,
    /// Years to simulate (default: the base scenario's).
    pub years: Option<u32>,
    /// Master seed for every scenario (default: the base scenario's), so that
    /// replicate k of every arm uses the same random streams.
    pub seed: Option<u64>,
    /// Scale the service by this factor (posts, officers, course seats).
    pub scale: Option<f64>,
    /// Years at which tables report (default 10, 20, 40, within `years`).
    pub report_years: Vec<u32>,
    /// Metrics of the tables and plots (default [`MAIN_METRICS`]).
    pub metrics: Vec<String>,
    /// Swept parameters (sweep), first outermost.
    pub vary: Vec<Vary>,
    /// Design points from a file (sweep), instead of a grid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub design: Option<DesignPoints>,
    /// Parameters and intervals (sensitivity).
    pub params: Vec<Param>,
    pub method: Method,
    /// Morris trajectories.
    pub trajectories: u32,
    /// Morris grid levels (even).
    pub levels: u32,
    /// Sobol base samples n (n (k + 2) points).
    pub samples: u32,
    /// Bootstrap resamples for the intervals of the indices.
    pub bootstrap: u32,
    /// Year whose value the sensitivity analysis explains (default 20,
    /// or the last year when fewer are simulated).
    pub year: Option<u32>,
    /// Seed of the sampling design (Morris trajectories, Saltelli points).
    pub design_seed: u64,
}

fn lossy_paths<S: serde::Serializer>(paths: &[PathBuf], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(paths.iter().map(|p| p.to_string_lossy()))
}

impl Spec {
    /// An experiment of `kind` with every default.
    pub fn new(kind: Kind, scenarios: Vec<PathBuf>) -> Self {
        Spec {
            name: String::new(),
            kind,
            scenarios,
            sets: Vec::new(),
            replicates: match kind {
                Kind::Compare => 10,
                Kind::Sweep => 5,
                Kind::Sensitivity => 2,
            },
            years: None,
            seed: None,
            scale: None,
            report_years: Vec::new(),
            metrics: Vec::new(),
            vary: Vec::new(),
            design: None,
            params: Vec::new(),
            method: Method::Morris,
            trajectories: 10,
            levels: 4,
            samples: 32,
            bootstrap: 500,
            year: None,
            design_seed: 1,
        }
    }

    /// The metrics of tables and plots.
    pub fn table_metrics(&self) -> Vec<String> {
        if self.metrics.is_empty() {
            MAIN_METRICS.iter().map(|s| s.to_string()).collect()
        } else {
            self.metrics.clone()
        }
    }

    /// A default name from the kind and the scenarios' file stems.
    pub fn default_name(&self) -> String {
        let stem = |p: &PathBuf| {
            folder_name(
                &p.file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_else(|| "scenario".into()),
            )
        };
        let mut name = format!("{}_{}", self.kind.name(), stem(&self.scenarios[0]));
        match self.kind {
            Kind::Compare => {
                for p in self.scenarios.iter().skip(1).take(3) {
                    name.push_str("_vs_");
                    name.push_str(&stem(p));
                }
                if self.scenarios.len() > 4 {
                    name.push_str(&format!("_and_{}_more", self.scenarios.len() - 4));
                }
            }
            Kind::Sweep => {
                for v in &self.vary {
                    name.push('_');
                    name.push_str(&folder_name(v.key.rsplit('.').next().unwrap_or(&v.key)));
                }
                if let Some(d) = &self.design {
                    name.push_str("_design_");
                    name.push_str(&stem(&PathBuf::from(&d.file)));
                }
            }
            Kind::Sensitivity => {
                name.push('_');
                name.push_str(match self.method {
                    Method::Morris => "morris",
                    Method::Sobol => "sobol",
                });
            }
        }
        name
    }

    /// The command that reproduces this experiment (without `--out`,
    /// `--shard`, `--threads` and `--force`, which do not change results).
    pub fn command(&self, file: Option<&Path>) -> String {
        if let Some(f) = file {
            return format!(
                "bureausim experiment {}",
                shell_word(&f.display().to_string())
            );
        }
        let mut c = format!("bureausim {}", self.kind.name());
        for p in &self.scenarios {
            c.push(' ');
            c.push_str(&shell_word(&p.display().to_string()));
        }
        for v in &self.vary {
            c.push_str(&format!(
                " --vary {}",
                shell_word(&format!("{}={}", v.key, v.values.join(",")))
            ));
        }
        if let Some(d) = &self.design {
            c.push_str(&format!(" --design {}", shell_word(&d.file)));
        }
        for p in &self.params {
            c.push_str(&format!(
                " --param {}",
                shell_word(&format!("{}={}:{}", p.key, p.lo, p.hi))
            ));
        }
        c.push_str(&format!(" --replicates {}", self.replicates));
        if let Some(y) = self.years {
            c.push_str(&format!(" --years {y}"));
        }
        if let Some(s) = self.seed {
            c.push_str(&format!(" --seed {s}"));
        }
        if let Some(f) = self.scale {
            c.push_str(&format!(" --scale {f}"));
        }
        for s in &self.sets {
            c.push_str(&format!(" --set {}", shell_word(s)));
        }
        if !self.report_years.is_empty() {
            let ys: Vec<String> = self.report_years.iter().map(|y| y.to_string()).collect();
            c.push_str(&format!(" --at {}", ys.join(",")));
        }
        if !self.metrics.is_empty() {
            c.push_str(&format!(" --metrics {}", self.metrics.join(",")));
        }
        if self.kind == Kind::Sensitivity {
            match self.method {
                Method::Morris => c.push_str(&format!(
                    " --method morris --trajectories {} --levels {}",
                    self.trajectories, self.levels
                )),
                Method::Sobol => c.push_str(&format!(" --method sobol --samples {}", self.samples)),
            }
            c.push_str(&format!(" --bootstrap {}", self.bootstrap));
            if let Some(y) = self.year {
                c.push_str(&format!(" --year {y}"));
            }
            if self.design_seed != 1 {
                c.push_str(&format!(" --design-seed {}", self.design_seed));
            }
        }
        c
    }
}

/// `s` made a plain folder name (as a scenario's name is made from its
/// file's stem).
pub fn folder_name(s: &str) -> String {
    crate::scenario::plain_name(s)
}

/// Quotes a word for a POSIX shell when it needs it.
fn shell_word(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

fn usage(flag: &str, arg: &str, message: impl std::fmt::Display) -> UsageError {
    UsageError(format!(
        "{flag} {}: {message}",
        crate::error::shorten(&arg.replace('\n', "\\n"), 200)
    ))
}

/// Parses `s`, the `what` part of a flag's value, as a finite number.
fn finite(flag: &str, arg: &str, s: &str, what: &str) -> Result<f64, UsageError> {
    s.trim()
        .parse::<f64>()
        .ok()
        .filter(|x| x.is_finite())
        .ok_or_else(|| usage(flag, arg, format!("{what} `{s}` is not a number")))
}

/// Formats a number for a `--set` value: the shortest text that reads back
/// as the same f64.
pub fn number_text(x: f64) -> String {
    let s = format!("{x}");
    if s.contains('.') || s.contains('e') || s.contains("inf") || s.contains("NaN") {
        s
    } else {
        format!("{s}.0")
    }
}

/// Parses `key.path=a:b:step` or `key.path=v1,v2,...` (the `--vary` flag).
pub fn parse_vary(arg: &str) -> Result<Vary, UsageError> {
    let flag = "--vary";
    if arg.contains(['\n', '\r']) {
        return Err(usage(
            flag,
            arg,
            "it holds a line break; give each parameter its own --vary",
        ));
    }
    let (key, rhs) = arg.split_once('=').ok_or_else(|| {
        usage(
            flag,
            arg,
            "expected KEY.PATH=FROM:TO:STEP or KEY.PATH=V1,V2,..., for example --vary politics.interference=0.2:0.8:0.2",
        )
    })?;
    let key = key.trim();
    if key.is_empty() {
        return Err(usage(flag, arg, "the key path before `=` is empty"));
    }
    let rhs = rhs.trim();
    if rhs.is_empty() {
        return Err(usage(flag, arg, "no values after `=`"));
    }
    let mut step_given = None;
    let values: Vec<String> = if rhs.contains(':') {
        let parts: Vec<&str> = rhs.split(':').collect();
        if parts.len() != 3 {
            return Err(usage(
                flag,
                arg,
                format!(
                    "a range is FROM:TO:STEP (three numbers), got {} part(s) in `{rhs}`",
                    parts.len()
                ),
            ));
        }
        let num = |s: &str, what: &str| finite(flag, arg, s, what);
        let (a, b, step) = (
            num(parts[0], "FROM")?,
            num(parts[1], "TO")?,
            num(parts[2], "STEP")?,
        );
        step_given = Some(step);
        if step <= 0.0 {
            return Err(usage(
                flag,
                arg,
                format!("STEP must be above 0, got {}", readable(step)),
            ));
        }
        if b < a {
            return Err(usage(
                flag,
                arg,
                format!(
                    "TO ({}) is below FROM ({}); give the range from low to high",
                    readable(b),
                    readable(a)
                ),
            ));
        }
        let n = ((b - a) / step + 1e-9).floor() as u64 + 1;
        if n > 10_000 {
            return Err(usage(
                flag,
                arg,
                format!("{n} values; at most 10000 per parameter"),
            ));
        }
        let integers = [a, b, step].iter().all(|x| x.fract() == 0.0)
            && !parts.iter().any(|p| p.contains('.') || p.contains('e'));
        (0..n)
            .map(|k| {
                // Round away the binary drift of a + k·step (0.1 steps).
                let x = a + k as f64 * step;
                let r = (x * 1e9).round() / 1e9;
                let x = if r.is_finite() { r } else { x };
                if integers {
                    format!("{}", x as i64)
                } else {
                    number_text(x)
                }
            })
            .collect()
    } else {
        let vs: Vec<String> = rhs.split(',').map(|s| s.trim().to_string()).collect();
        if let Some(k) = vs.iter().position(|s| s.is_empty()) {
            return Err(usage(
                flag,
                arg,
                format!("value {} of the list is empty", k + 1),
            ));
        }
        vs
    };
    let mut seen = std::collections::BTreeSet::new();
    for v in &values {
        if !seen.insert(v.clone()) {
            return Err(usage(flag, arg, format!("the value `{v}` is listed twice")));
        }
    }
    let numeric: Option<Vec<f64>> = values.iter().map(|v| v.parse::<f64>().ok()).collect();
    Ok(Vary {
        key: key.to_string(),
        values,
        numeric,
        step: step_given,
        range: step_given.map(|_| rhs.to_string()),
    })
}

/// Parses `key.path=lo:hi` (the `--param` flag).
pub fn parse_param(arg: &str) -> Result<Param, UsageError> {
    let flag = "--param";
    if arg.contains(['\n', '\r']) {
        return Err(usage(
            flag,
            arg,
            "it holds a line break; give each parameter its own --param",
        ));
    }
    let (key, rhs) = arg.split_once('=').ok_or_else(|| {
        usage(
            flag,
            arg,
            "expected KEY.PATH=LOW:HIGH, for example --param politics.interference=0.2:0.9",
        )
    })?;
    let key = key.trim();
    if key.is_empty() {
        return Err(usage(flag, arg, "the key path before `=` is empty"));
    }
    let parts: Vec<&str> = rhs.trim().split(':').collect();
    if parts.len() != 2 {
        return Err(usage(
            flag,
            arg,
            format!(
                "an interval is LOW:HIGH (two numbers), got `{}`",
                rhs.trim()
            ),
        ));
    }
    let num = |s: &str, what: &str| finite(flag, arg, s, what);
    let (lo, hi) = (num(parts[0], "LOW")?, num(parts[1], "HIGH")?);
    if hi <= lo {
        return Err(usage(
            flag,
            arg,
            format!(
                "HIGH ({}) must be above LOW ({})",
                readable(hi),
                readable(lo)
            ),
        ));
    }
    Ok(Param {
        key: key.to_string(),
        lo,
        hi,
    })
}

/// Parses `--at 10,20,40`.
pub fn parse_years(flag: &str, arg: &str) -> Result<Vec<u32>, UsageError> {
    let mut ys = Vec::new();
    for s in arg.split(',') {
        let y = s.trim().parse::<u32>().map_err(|_| {
            usage(
                flag,
                arg,
                format!("`{}` is not a whole number of years", s.trim()),
            )
        })?;
        ys.push(y);
    }
    ys.sort_unstable();
    ys.dedup();
    Ok(ys)
}

/// An experiment file: the same settings as the flags, as TOML keys.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExperimentFile {
    name: Option<String>,
    kind: Kind,
    /// compare: the scenarios, base first.
    scenarios: Option<Vec<PathBuf>>,
    /// sweep and sensitivity: the scenario.
    scenario: Option<PathBuf>,
    #[serde(default)]
    set: Vec<String>,
    replicates: Option<u32>,
    years: Option<u32>,
    seed: Option<u64>,
    scale: Option<f64>,
    #[serde(default)]
    report_years: Vec<u32>,
    #[serde(default)]
    metrics: Vec<String>,
    #[serde(default)]
    vary: Vec<String>,
    /// sweep: design points from a file, relative to the experiment file.
    design: Option<PathBuf>,
    #[serde(default)]
    param: Vec<String>,
    method: Option<Method>,
    trajectories: Option<u32>,
    levels: Option<u32>,
    samples: Option<u32>,
    bootstrap: Option<u32>,
    year: Option<u32>,
    design_seed: Option<u64>,
}

/// Reads an experiment file; scenario paths are relative to the file.
pub fn load_file(path: &Path) -> Result<Spec, UsageError> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| UsageError(format!("cannot read experiment file `{shown}`: {e}")))?;
    let f: ExperimentFile = toml::from_str(&text).map_err(|e| {
        UsageError(format!(
            "experiment file `{shown}` is not valid:\n{}",
            crate::scenario::explain_toml_error(&e, &text).trim_end()
        ))
    })?;
    let dir = path.parent().unwrap_or(Path::new(""));
    let rel = |p: &PathBuf| {
        if p.is_absolute() {
            p.clone()
        } else {
            dir.join(p)
        }
    };
    let bad = |m: String| UsageError(format!("experiment file `{shown}`: {m}"));
    let scenarios: Vec<PathBuf> = match f.kind {
        Kind::Compare => {
            if f.scenario.is_some() {
                return Err(bad(
                    "a comparison lists its scenarios in `scenarios = [...]` (base first), not `scenario`".into(),
                ));
            }
            let s = f.scenarios.clone().unwrap_or_default();
            if s.len() < 2 {
                return Err(bad(format!(
                    "`scenarios` must list at least two scenario files (base first), got {}",
                    s.len()
                )));
            }
            s.iter().map(rel).collect()
        }
        Kind::Sweep | Kind::Sensitivity => {
            if f.scenarios.is_some() {
                return Err(bad(format!(
                    "a {} takes one scenario: `scenario = \"...\"`, not `scenarios`",
                    f.kind.name()
                )));
            }
            match &f.scenario {
                Some(p) => vec![rel(p)],
                None => return Err(bad("`scenario = \"...\"` is missing".into())),
            }
        }
    };
    let not_for = |key: &str, present: bool, kinds: &str| -> Result<(), UsageError> {
        if present {
            Err(bad(format!(
                "`{key}` applies to {kinds} only, not to kind = \"{}\"",
                f.kind.name()
            )))
        } else {
            Ok(())
        }
    };
    let sens = f.kind == Kind::Sensitivity;
    not_for(
        "vary",
        !f.vary.is_empty() && f.kind != Kind::Sweep,
        "a sweep",
    )?;
    not_for(
        "param",
        !f.param.is_empty() && !sens,
        "a sensitivity analysis",
    )?;
    not_for(
        "design",
        f.design.is_some() && f.kind != Kind::Sweep,
        "a sweep",
    )?;
    for (key, present) in [
        ("method", f.method.is_some()),
        ("trajectories", f.trajectories.is_some()),
        ("levels", f.levels.is_some()),
        ("samples", f.samples.is_some()),
        ("bootstrap", f.bootstrap.is_some()),
        ("year", f.year.is_some()),
        ("design_seed", f.design_seed.is_some()),
    ] {
        not_for(key, present && !sens, "a sensitivity analysis")?;
    }
    let mut spec = Spec::new(f.kind, scenarios);
    let in_file = |e: UsageError| bad(e.0.replacen("--", "", 1));
    spec.name = f.name.unwrap_or_else(|| {
        folder_name(
            &path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default(),
        )
    });
    spec.sets = f.set;
    if let Some(r) = f.replicates {
        spec.replicates = r;
    }
    spec.years = f.years;
    spec.seed = f.seed;
    spec.scale = f.scale;
    spec.report_years = f.report_years;
    spec.report_years.sort_unstable();
    spec.report_years.dedup();
    spec.metrics = Vec::new();
    for m in f.metrics {
        if !spec.metrics.contains(&m) {
            spec.metrics.push(m);
        }
    }
    spec.vary = f
        .vary
        .iter()
        .map(|v| parse_vary(v).map_err(in_file))
        .collect::<Result<_, _>>()?;
    spec.design = match &f.design {
        Some(p) => Some(load_design(&rel(p)).map_err(in_file)?),
        None => None,
    };
    spec.params = f
        .param
        .iter()
        .map(|v| parse_param(v).map_err(in_file))
        .collect::<Result<_, _>>()?;
    if let Some(m) = f.method {
        spec.method = m;
    }
    if let Some(t) = f.trajectories {
        spec.trajectories = t;
    }
    if let Some(l) = f.levels {
        spec.levels = l;
    }
    if let Some(n) = f.samples {
        spec.samples = n;
    }
    if let Some(b) = f.bootstrap {
        spec.bootstrap = b;
    }
    spec.year = f.year;
    if let Some(s) = f.design_seed {
        spec.design_seed = s;
    }
    check(&spec).map_err(|e| bad(e.0))?;
    Ok(spec)
}

/// Checks the settings that do not need the scenarios loaded.
pub fn check(spec: &Spec) -> Result<(), UsageError> {
    let u = |m: String| Err(UsageError(m));
    // The name becomes a folder under outputs/: one plain path component,
    // by the same rule as a scenario's name.
    if let Some(why) = crate::scenario::name_problem(&spec.name).filter(|_| !spec.name.is_empty()) {
        return u(format!(
            "name: {} is not allowed: {why}; a name is a folder under outputs/: letters, digits, `_`, `-` and `.`, not starting with `.`, at most 100 characters",
            crate::error::shorten(&format!("{:?}", spec.name), 80)
        ));
    }
    for (flag, keys) in [
        (
            "--vary",
            spec.vary.iter().map(|v| &v.key).collect::<Vec<_>>(),
        ),
        ("--param", spec.params.iter().map(|p| &p.key).collect()),
        (
            "--design",
            spec.design.iter().flat_map(|d| d.keys.iter()).collect(),
        ),
    ] {
        for k in keys {
            let k = k.replace(' ', "");
            if ["sim.seed", "sim.years", "sim.replicates"].contains(&k.as_str()) {
                return u(format!(
                    "{flag} {k}: the seed, years and replicates are the experiment's own (--seed, --years, --replicates): every point shares them"
                ));
            }
            if spec.scale.is_some()
                && (k.starts_with("structure.grades")
                    || k.starts_with("training.courses")
                    || k == "recruitment.intake_cap")
                && (k.ends_with("posts")
                    || k.ends_with("initial_officers")
                    || k.ends_with("seats_per_year")
                    || k == "recruitment.intake_cap")
            {
                return u(format!(
                    "{flag} {k}: --scale changes this key, so it cannot also be varied; drop --scale or give the scaled values without it"
                ));
            }
        }
    }
    if spec.replicates == 0 || spec.replicates > 100_000 {
        return u(format!(
            "replicates: {} is out of range; allowed 1 to 100000",
            spec.replicates
        ));
    }
    if let Some(f) = spec.scale
        && !(f > 0.0 && f <= 100.0)
    {
        return u(format!(
            "scale: {} is out of range; allowed above 0 up to 100",
            readable(f)
        ));
    }
    match spec.kind {
        Kind::Compare => {
            if spec.scenarios.len() < 2 {
                return u("compare needs a base scenario and at least one other".into());
            }
            if spec.scenarios.len() as u64 * spec.replicates as u64 > 1_000_000 {
                return u(format!(
                    "the comparison has {} scenarios × {} replicates; at most 1000000 runs",
                    spec.scenarios.len(),
                    spec.replicates
                ));
            }
        }
        Kind::Sweep => {
            if let Some(d) = &spec.design {
                if !spec.vary.is_empty() {
                    return u(
                        "a sweep takes its points from --vary (a grid) or from --design (a file), not both".into(),
                    );
                }
                let runs = d.rows.len() as u64 * spec.replicates as u64;
                if runs > 1_000_000 {
                    return u(format!(
                        "the design has {} points × {} replicates; at most 1000000 runs",
                        d.rows.len(),
                        spec.replicates
                    ));
                }
            } else if spec.vary.is_empty() {
                return u(
                    "a sweep needs at least one --vary KEY.PATH=FROM:TO:STEP (or V1,V2,...), or --design FILE"
                        .into(),
                );
            }
            let mut keys = std::collections::BTreeSet::new();
            for v in &spec.vary {
                if !keys.insert(&v.key) {
                    return u(format!("--vary {}: the key is varied twice", v.key));
                }
            }
            let points: u64 = spec.vary.iter().map(|v| v.values.len() as u64).product();
            if points * spec.replicates as u64 > 1_000_000 {
                return u(format!(
                    "the sweep has {points} grid points × {} replicates; at most 1000000 runs",
                    spec.replicates
                ));
            }
        }
        Kind::Sensitivity => {
            if spec.params.len() < 2 {
                return u(
                    "a sensitivity analysis needs at least two --param KEY.PATH=LOW:HIGH".into(),
                );
            }
            let mut keys = std::collections::BTreeSet::new();
            for p in &spec.params {
                if !keys.insert(&p.key) {
                    return u(format!("--param {}: the key is given twice", p.key));
                }
            }
            if spec.trajectories < 2 || spec.trajectories > 10_000 {
                return u(format!(
                    "trajectories: {} is out of range; allowed 2 to 10000",
                    spec.trajectories
                ));
            }
            if spec.levels < 2 || spec.levels % 2 != 0 || spec.levels > 100 {
                return u(format!(
                    "levels: {} is not allowed; give an even number from 2 to 100",
                    spec.levels
                ));
            }
            if spec.samples < 4 || spec.samples > 1_000_000 {
                return u(format!(
                    "samples: {} is out of range; allowed 4 to 1000000",
                    spec.samples
                ));
            }
            let k = spec.params.len() as u64;
            let points = match spec.method {
                Method::Morris => spec.trajectories as u64 * (k + 1),
                Method::Sobol => spec.samples as u64 * (k + 2),
            };
            if points * spec.replicates as u64 > 1_000_000 {
                return u(format!(
                    "the {} design has {points} points × {} replicates; at most 1000000 runs: lower {} or --replicates",
                    match spec.method {
                        Method::Morris => "Morris",
                        Method::Sobol => "Sobol",
                    },
                    spec.replicates,
                    match spec.method {
                        Method::Morris => "--trajectories",
                        Method::Sobol => "--samples",
                    }
                ));
            }
            if spec.bootstrap > 100_000 {
                return u(format!(
                    "bootstrap: {} is out of range; allowed 0 to 100000",
                    spec.bootstrap
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_include_both_ends_without_drift() {
        let v = parse_vary("politics.interference=0.1:0.9:0.2").unwrap();
        assert_eq!(v.values, ["0.1", "0.3", "0.5", "0.7", "0.9"]);
        assert_eq!(v.numeric.unwrap()[4], 0.9);
        let v = parse_vary("postings.sample=2:10:4").unwrap();
        assert_eq!(v.values, ["2", "6", "10"]);
        let v = parse_vary("promotion.rule=seniority, weighted").unwrap();
        assert_eq!(v.values, ["seniority", "weighted"]);
        assert!(v.numeric.is_none());
    }

    #[test]
    fn bad_vary_and_param_name_the_flag_and_the_problem() {
        for (arg, want) in [
            ("politics.interference", "expected KEY.PATH="),
            ("=0:1:0.1", "key path before `=` is empty"),
            ("a=0:1", "three numbers"),
            ("a=0:x:1", "TO `x` is not a number"),
            ("a=0:1:0", "STEP must be above 0"),
            ("a=1:0:0.1", "TO (0) is below FROM (1)"),
            ("a=1,,2", "value 2 of the list is empty"),
            ("a=1,1", "listed twice"),
        ] {
            let e = parse_vary(arg).unwrap_err().0;
            assert!(e.starts_with(&format!("--vary {arg}:")), "{e}");
            assert!(e.contains(want), "{arg}: {e}");
        }
        for (arg, want) in [
            ("a", "expected KEY.PATH=LOW:HIGH"),
            ("a=1", "two numbers"),
            ("a=1:1", "must be above LOW"),
            ("a=x:1", "LOW `x` is not a number"),
        ] {
            let e = parse_param(arg).unwrap_err().0;
            assert!(e.starts_with(&format!("--param {arg}:")), "{e}");
            assert!(e.contains(want), "{arg}: {e}");
        }
    }

    #[test]
    fn commands_quote_what_a_shell_would_split() {
        let mut s = Spec::new(
            Kind::Sweep,
            vec![PathBuf::from("scenarios/pakistan_baseline.toml")],
        );
        s.vary = vec![parse_vary("promotion.rule=seniority,weighted").unwrap()];
        s.sets = vec!["description=two words".into()];
        let c = s.command(None);
        assert!(
            c.starts_with("bureausim sweep scenarios/pakistan_baseline.toml --vary promotion.rule=seniority,weighted --replicates 5"),
            "{c}"
        );
        assert!(c.contains("--set 'description=two words'"), "{c}");
    }
}
