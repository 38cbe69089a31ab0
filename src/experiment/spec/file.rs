//! Experiment files (`bureausim experiment EXP.toml`): the same settings as
//! the flags, as TOML keys.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::UsageError;

use super::flags::as_file_entry;
use super::{Kind, Method, Spec, check, folder_name, load_design, parse_param, parse_vary};

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
    #[serde(
        default,
        deserialize_with = "crate::input::optional_count::<_, 1, 100000>"
    )]
    replicates: Option<u32>,
    #[serde(
        default,
        deserialize_with = "crate::input::optional_count::<_, 1, 5000>"
    )]
    years: Option<u32>,
    #[serde(default, deserialize_with = "crate::rng::deserialize_seed_option")]
    seed: Option<u64>,
    scale: Option<f64>,
    report_years: Option<Vec<u32>>,
    metrics: Option<Vec<String>>,
    #[serde(default)]
    vary: Vec<String>,
    /// sweep: design points from a file, relative to the experiment file.
    design: Option<PathBuf>,
    #[serde(default)]
    param: Vec<String>,
    method: Option<Method>,
    #[serde(
        default,
        deserialize_with = "crate::input::optional_count::<_, 2, 10000>"
    )]
    trajectories: Option<u32>,
    #[serde(default, deserialize_with = "crate::input::optional_levels")]
    levels: Option<u32>,
    #[serde(
        default,
        deserialize_with = "crate::input::optional_count::<_, 4, 1000000>"
    )]
    samples: Option<u32>,
    #[serde(
        default,
        deserialize_with = "crate::input::optional_count::<_, 100, 100000>"
    )]
    bootstrap: Option<u32>,
    #[serde(default, deserialize_with = "crate::input::optional_year")]
    year: Option<u32>,
    #[serde(default, deserialize_with = "crate::rng::deserialize_seed_option")]
    design_seed: Option<u64>,
    /// compare: also run each arm with each mechanism off (`--decompose`).
    #[serde(default)]
    decompose: bool,
    /// compare and sweep: a posterior to run every arm on, relative to the
    /// experiment file (`--ensemble`), and the draws taken from it.
    ensemble: Option<PathBuf>,
    #[serde(
        default,
        deserialize_with = "crate::input::optional_count::<_, 1, 10000>"
    )]
    draws: Option<u32>,
}

/// Reads an experiment file; scenario paths are relative to the file.
pub fn load_file(path: &Path) -> Result<Spec, UsageError> {
    let shown = path.display().to_string();
    // A calibration (`kind = "calibrate"`) is read apart, before this: name
    // it among the kinds an unknown one could have meant.
    let f: ExperimentFile =
        crate::scenario::read_toml_file(path, "experiment file").map_err(|e| {
            UsageError(e.0.replace(
                "expected one of `compare`, `sweep`, `sensitivity`",
                "expected one of `compare`, `sweep`, `sensitivity`, `calibrate`",
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
        "decompose",
        f.decompose && f.kind != Kind::Compare,
        "a comparison",
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
    // An empty list would fall back to the defaults without a word.
    for (key, empty) in [
        (
            "report_years",
            f.report_years.as_ref().is_some_and(Vec::is_empty),
        ),
        ("metrics", f.metrics.as_ref().is_some_and(Vec::is_empty)),
    ] {
        if empty {
            return Err(bad(format!(
                "`{key} = []` is empty; list at least one, or leave `{key}` out for the defaults"
            )));
        }
    }
    let mut spec = Spec::new(f.kind, scenarios);
    spec.source = super::Source::File;
    // The flags' parsers name the flag (`--vary ARG: ...`); here the key.
    let in_file = |e: UsageError| {
        bad(
            match e.0.strip_prefix("--").and_then(|r| r.split_once(' ')) {
                Some((flag, rest)) => format!("{} {rest}", super::Source::File.flag(flag)),
                None => e.0,
            },
        )
    };
    spec.name = f.name.unwrap_or_else(|| {
        folder_name(
            &path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default(),
        )
    });
    spec.sets = f.set;
    spec.decompose = f.decompose;
    if f.draws.is_some() && f.ensemble.is_none() {
        return Err(bad("`draws` is the number of draws from `ensemble`; give `ensemble = \"posterior.csv\"` too".into()));
    }
    if let Some(p) = &f.ensemble {
        spec.ensemble = Some(
            super::load_posterior(&rel(p), f.draws.unwrap_or(20), "--ensemble").map_err(in_file)?,
        );
        spec.replicates = 2;
    }
    if let Some(r) = f.replicates {
        spec.replicates = r;
    }
    spec.years = f.years;
    spec.seed = f.seed;
    spec.scale = f.scale;
    spec.report_years = f.report_years.unwrap_or_default();
    spec.report_years.sort_unstable();
    spec.report_years.dedup();
    spec.metrics = Vec::new();
    for m in f.metrics.unwrap_or_default() {
        if !spec.metrics.contains(&m) {
            spec.metrics.push(m);
        }
    }
    spec.vary = f
        .vary
        .iter()
        .map(|v| parse_vary(v).map_err(|e| in_file(as_file_entry(e, "--vary", v))))
        .collect::<Result<_, _>>()?;
    spec.design = match &f.design {
        Some(p) => Some(load_design(&rel(p)).map_err(in_file)?),
        None => None,
    };
    spec.params = f
        .param
        .iter()
        .map(|v| parse_param(v).map_err(|e| in_file(as_file_entry(e, "--param", v))))
        .collect::<Result<_, _>>()?;
    if sens {
        crate::experiment::spec::method_options(
            f.method.unwrap_or(spec.method),
            |o| match o {
                "trajectories" => f.trajectories.is_some(),
                "levels" => f.levels.is_some(),
                _ => f.samples.is_some(),
            },
            |o| format!("`{o}`"),
        )
        .map_err(|e| bad(e.0))?;
    }
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
