//! The checks of a spec's settings that need no scenario loaded.

use crate::error::{UsageError, readable};

use super::{Kind, Method, Source, Spec};

/// The smallest `--scale`: a thousandth of the service (the baseline's
/// cadre of 37,000 officers becomes 37). Bills and costs are divided by
/// the scale, so a scale near 0 gave infinite figures.
pub const MIN_SCALE: f64 = 0.001;

/// Checks the settings that do not need the scenarios loaded.
pub fn check(spec: &Spec) -> Result<(), UsageError> {
    let u = |m: String| Err(UsageError(m));
    let w = spec.source;
    // The name becomes a folder under outputs/: one plain path component,
    // by the same rule as a scenario's name.
    if let Some(why) = crate::scenario::name_problem(&spec.name).filter(|_| !spec.name.is_empty()) {
        return u(format!(
            "name: {} is not allowed: {why}; a name is a folder under outputs/: letters, digits, `_`, `-` and `.`, not starting with `.`, at most 100 characters",
            crate::error::shorten(&format!("{:?}", spec.name), 80)
        ));
    }
    for (flag, keys) in [
        ("vary", spec.vary.iter().map(|v| &v.key).collect::<Vec<_>>()),
        ("param", spec.params.iter().map(|p| &p.key).collect()),
        (
            "design",
            spec.design.iter().flat_map(|d| d.keys.iter()).collect(),
        ),
    ] {
        for k in keys {
            let k = k.replace(' ', "");
            if ["sim.seed", "sim.years", "sim.replicates"].contains(&k.as_str()) {
                // A design's column is named with its file.
                let given = match &spec.design {
                    Some(d) if flag == "design" => format!("{} column", w.given(flag, &d.file)),
                    _ => w.flag(flag),
                };
                return u(format!(
                    "{given} {k}: the seed, years and replicates are the experiment's own ({}, {}, {}): every point shares them",
                    w.flag("seed"),
                    w.flag("years"),
                    w.flag("replicates")
                ));
            }
            if spec.scale.is_some() && crate::scenario::Scenario::changed_by_scale(&k) {
                let scale = w.flag("scale");
                return u(format!(
                    "{} {k}: {scale} changes this key, so it cannot also be varied; drop {scale} or give the scaled values without it",
                    w.flag(flag)
                ));
            }
        }
    }
    // `--set` of the run's own settings: the replicates are always the
    // experiment's, so a --set of them would be dropped without a word; a
    // seed or years given both ways contradict each other.
    for set in &spec.sets {
        let key = set.split_once('=').map_or(set.as_str(), |(k, _)| k);
        let Some(own) = sim_setting(key) else {
            continue;
        };
        let set = crate::error::shorten(set, 80);
        match own {
            "replicates" => {
                return u(format!(
                    "{}: an experiment's replicates are set by {}, not by {}",
                    w.given("set", &set),
                    match w {
                        Source::Flags => "--replicates (`replicates` in an experiment file)".into(),
                        Source::File => w.flag("replicates"),
                    },
                    w.flag("set")
                ));
            }
            "seed" if let Some(seed) = spec.seed => {
                return u(format!(
                    "{} and {} both set `sim.seed`; give one",
                    w.given("set", &set),
                    w.given(
                        "seed",
                        &match w {
                            Source::File => crate::rng::seed_toml(seed),
                            Source::Flags => seed.to_string(),
                        }
                    )
                ));
            }
            "years" if let Some(years) = spec.years => {
                return u(format!(
                    "{} and {} both set `sim.years`; give one",
                    w.given("set", &set),
                    w.given("years", &years.to_string())
                ));
            }
            _ => {}
        }
    }
    if spec.replicates == 0 || spec.replicates > 100_000 {
        return u(format!(
            "replicates: {} is out of range; allowed 1 to 100000",
            spec.replicates
        ));
    }
    if let Some(f) = spec.scale
        && !(MIN_SCALE..=100.0).contains(&f)
    {
        return u(format!(
            "scale: {} is out of range; allowed {MIN_SCALE} to 100 (bills and costs are divided by the scale, so a smaller one would give figures past any number)",
            crate::error::shorten(&readable(f), 40)
        ));
    }
    // The file and the flags sort the report years and give each metric
    // once; a manifest edited by hand (`merge` reads shards from others)
    // is held to the same, which also bounds the report's size.
    if spec.report_years.windows(2).any(|p| p[0] >= p[1]) {
        return u(format!(
            "{}: the report years must be distinct and in increasing order",
            w.flag("at")
        ));
    }
    if let Some((i, m)) = spec
        .metrics
        .iter()
        .enumerate()
        .find(|(i, m)| spec.metrics[..*i].contains(m))
    {
        return u(format!(
            "{}: `{}` is given twice (at positions {} and {}); give each metric once",
            w.flag("metrics"),
            crate::error::shorten(m, 80),
            spec.metrics.iter().position(|k| k == m).unwrap_or(0) + 1,
            i + 1
        ));
    }
    match spec.kind {
        Kind::Compare => {
            if spec.scenarios.len() < 2 {
                return u("compare needs a base scenario and at least one other".into());
            }
            if (spec.scenarios.len() as u64).saturating_mul(spec.replicates as u64) > 1_000_000 {
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
                    return u(format!(
                        "a sweep takes its points from {} (a grid) or from {} (a file), not both",
                        w.flag("vary"),
                        w.flag("design")
                    ));
                }
                let runs = (d.rows.len() as u64).saturating_mul(spec.replicates as u64);
                if runs > 1_000_000 {
                    return u(format!(
                        "the design has {} points × {} replicates; at most 1000000 runs",
                        d.rows.len(),
                        spec.replicates
                    ));
                }
            } else if spec.vary.is_empty() {
                return u(match w {
                    Source::Flags => "a sweep needs at least one --vary KEY.PATH=FROM:TO:STEP (or V1,V2,...), or --design FILE".into(),
                    Source::File => "a sweep needs `vary = [\"KEY.PATH=FROM:TO:STEP\", ...]` (or V1,V2,... for a value list) with at least one entry, or `design = \"FILE\"`".into(),
                });
            }
            let mut keys = std::collections::BTreeSet::new();
            // One key however its path is written (`a[0].b`, `a.0.b`).
            for v in &spec.vary {
                if !keys.insert(crate::paths::canonical(&v.key)) {
                    return u(format!(
                        "{} {}: the key is varied twice",
                        w.flag("vary"),
                        v.key
                    ));
                }
            }
            // Saturating: a grid of many long ranges must not wrap round
            // to a small count.
            let points = spec
                .vary
                .iter()
                .fold(1u64, |n, v| n.saturating_mul(v.values.len() as u64));
            if points.saturating_mul(spec.replicates as u64) > 1_000_000 {
                return u(format!(
                    "the sweep has {} grid points × {} replicates; at most 1000000 runs",
                    if points == u64::MAX {
                        "more than 18446744073709551615".to_string()
                    } else {
                        points.to_string()
                    },
                    spec.replicates
                ));
            }
        }
        Kind::Sensitivity => {
            if spec.params.len() < 2 {
                return u(match w {
                    Source::Flags => {
                        "a sensitivity analysis needs at least two --param KEY.PATH=LOW:HIGH".into()
                    }
                    Source::File => "a sensitivity analysis needs at least two entries in `param = [\"KEY.PATH=LOW:HIGH\", ...]`".into(),
                });
            }
            let mut keys = std::collections::BTreeSet::new();
            for p in &spec.params {
                if !keys.insert(crate::paths::canonical(&p.key)) {
                    return u(format!(
                        "{} {}: the key is given twice",
                        w.flag("param"),
                        p.key
                    ));
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
                Method::Morris => (spec.trajectories as u64).saturating_mul(k + 1),
                Method::Sobol => (spec.samples as u64).saturating_mul(k + 2),
            };
            if points.saturating_mul(spec.replicates as u64) > 1_000_000 {
                return u(format!(
                    "the {} design has {points} points × {} replicates; at most 1000000 runs: lower {} or {}",
                    match spec.method {
                        Method::Morris => "Morris",
                        Method::Sobol => "Sobol",
                    },
                    spec.replicates,
                    w.flag(match spec.method {
                        Method::Morris => "trajectories",
                        Method::Sobol => "samples",
                    }),
                    w.flag("replicates")
                ));
            }
            if !(100..=100_000).contains(&spec.bootstrap) {
                return u(format!(
                    "bootstrap: {} is out of range; allowed 100 to 100000 (the 95% intervals are the 2.5th and 97.5th percentiles of the resamples; the default is 500)",
                    spec.bootstrap
                ));
            }
            // The tables report one year (--year): report years would be
            // recorded as a setting that changes nothing.
            if !spec.report_years.is_empty() {
                return u(format!(
                    "{}: a sensitivity analysis reports the one year {} gives; leave {} out",
                    w.flag("at"),
                    w.flag("year"),
                    w.flag("at")
                ));
            }
        }
    }
    Ok(())
}

/// `seed`, `years` or `replicates` when `key` (a `--set` key path) is
/// `sim.seed`, `sim.years` or `sim.replicates`, however written.
pub fn sim_setting(key: &str) -> Option<&'static str> {
    let segs = crate::paths::segments(key.trim());
    match segs.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["sim", "seed"] => Some("seed"),
        ["sim", "years"] => Some("years"),
        ["sim", "replicates"] => Some("replicates"),
        _ => None,
    }
}

/// Refuses a sensitivity setting that `method` does not use (it was
/// ignored without a word): `given(name)` says whether the user gave
/// `trajectories`, `levels` or `samples`; `flag(name)` words one as the
/// user wrote it (`--samples`, or `samples` in a file).
pub fn method_options(
    method: Method,
    given: impl Fn(&str) -> bool,
    flag: impl Fn(&str) -> String,
) -> Result<(), UsageError> {
    let (unused, method_name, uses): (&[&str], &str, &str) = match method {
        Method::Morris => (&["samples"], "morris", "trajectories and levels"),
        Method::Sobol => (&["trajectories", "levels"], "sobol", "samples"),
    };
    match unused.iter().find(|o| given(o)) {
        Some(o) => Err(UsageError(format!(
            "{}: the {method_name} method does not use it (it takes {}); drop it, or choose the method that does",
            flag(o),
            uses.split(" and ")
                .map(&flag)
                .collect::<Vec<_>>()
                .join(" and ")
        ))),
        None => Ok(()),
    }
}

/// The message of a scenario refused for its `sim.years`, when `--years`
/// (or an experiment file's `years`) set them, with a line naming it (the
/// message names the key, the user wrote the flag); `None` when the
/// message is not about `sim.years`.
pub fn years_flag_note(message: &str, years: u32, source: Source) -> Option<String> {
    message.contains("`sim.years`").then(|| {
        format!(
            "{message}\n  (`sim.years` is {years} here: {}{})",
            source.given("years", &years.to_string()),
            match source {
                Source::Flags => "",
                Source::File => " in the experiment file",
            }
        )
    })
}
