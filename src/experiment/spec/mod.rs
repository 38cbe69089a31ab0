//! What an experiment is: a comparison of scenarios, a parameter sweep or a
//! sensitivity analysis, described either by command-line flags or by an
//! experiment file (`bureausim experiment EXP.toml`). Both end in the same
//! [`Spec`], which [`crate::experiment::plan`] turns into runs.
//!
//! The syntax of a varied parameter is the same on the command line and in a
//! file: `key.path=a:b:step` (a range, both ends included), `key.path=v1,v2`
//! (a list of values of the key's type, strings included) or, for
//! sensitivity analysis, `key.path=lo:hi` (an interval).
//!
//! This module holds the types; `flags.rs` parses the flags' syntax,
//! `design.rs` reads design files, `file.rs` experiment files, `check.rs`
//! checks a spec's settings and `command.rs` rebuilds the command that
//! reproduces it.

mod check;
mod command;
mod design;
mod file;
mod flags;
mod posterior;

use std::path::PathBuf;

use crate::scenario::NAME_MAX;

use serde::{Deserialize, Serialize};

pub use check::{check, method_options, sim_setting, years_flag_note};
pub use design::{DesignPoints, MAX_DESIGN_CELLS, MAX_DESIGN_POINTS, load_design};
pub use file::load_file;
pub use flags::{number_text, parse_param, parse_vary, parse_years};
pub use posterior::{MAX_DRAWS, Posterior, load_posterior, parse_posterior};

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

/// Where a spec came from, so that a message names what the user wrote:
/// a flag (`--at`) or an experiment file's key (`report_years`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Source {
    #[default]
    Flags,
    File,
}

impl Source {
    /// A setting as the user wrote it, by its flag's name without dashes:
    /// `--at` on the command line, `` `report_years` `` in a file.
    pub fn flag(self, name: &str) -> String {
        match self {
            Source::Flags => format!("--{name}"),
            Source::File => format!("`{}`", file_key(name)),
        }
    }

    /// A setting and the value given to it: `--seed 4`, `--set a.b=1`;
    /// in a file `` `seed = 4` `` or `` `set` entry "a.b=1" `` for a list.
    pub fn given(self, name: &str, value: &str) -> String {
        match self {
            Source::Flags => format!("--{name} {value}"),
            Source::File => match file_key(name) {
                key @ ("set" | "vary" | "param" | "metrics" | "report_years") => {
                    format!("`{key}` entry \"{value}\"")
                }
                key @ ("design" | "ensemble") => format!("`{key} = \"{value}\"`"),
                key => format!("`{key} = {value}`"),
            },
        }
    }
}

/// The experiment file's key for a flag's name (they differ only for
/// `--at`, the file's `report_years`).
fn file_key(flag: &str) -> &str {
    match flag {
        "at" => "report_years",
        other => other,
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

/// One parameter of a sensitivity analysis: a numeric key and its interval.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Param {
    pub key: String,
    pub lo: f64,
    pub hi: f64,
}

/// The main metrics of tables and plots, unless `metrics` says otherwise:
/// what the service delivers and how, then what it costs (a planner's
/// first question).
pub const MAIN_METRICS: [&str; 8] = [
    "efficiency",
    "mean_competence",
    "corruption_prevalence",
    "mean_months_in_post",
    "vacancy_rate",
    "morale",
    "wage_bill",
    "pension_bill",
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
    /// Years at which tables report (default 10, 20, 40 within `years`,
    /// and the last year).
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
    /// Compare: also run every arm with each mechanism switched off, to
    /// show which mechanisms carry each difference (`--decompose`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub decompose: bool,
    /// Compare and sweep: run every arm on draws from a calibrated
    /// posterior (`--ensemble FILE --draws K`), `replicates` runs a draw.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ensemble: Option<Posterior>,
    /// Flags or a file: how messages name the settings (not part of the
    /// experiment: left out of its record and fingerprint).
    #[serde(skip)]
    pub source: Source,
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
            decompose: false,
            ensemble: None,
            source: Source::Flags,
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

    /// A default name from the kind and the scenarios' file stems: a plain
    /// folder name of at most [`NAME_MAX`] characters and
    /// [`crate::scenario::NAME_MAX_BYTES`] bytes, whatever the stems.
    /// The other scenarios of a comparison (at most three) and a sweep's
    /// parameters are listed while the name fits; the rest are counted
    /// (`compare_a_vs_b_and_4_more`), and a name still too long (one very
    /// long stem) is cut.
    pub fn default_name(&self) -> String {
        let stem = |p: &PathBuf| {
            folder_name(
                &p.file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_else(|| "scenario".into()),
            )
        };
        let head = format!("{}_{}", self.kind.name(), stem(&self.scenarios[0]));
        // The parts that may be left out and counted, and how many at most
        // are listed; then what always ends the name.
        let (parts, listed, end): (Vec<String>, usize, String) = match self.kind {
            Kind::Compare => (
                self.scenarios
                    .iter()
                    .skip(1)
                    .map(|p| format!("_vs_{}", stem(p)))
                    .collect(),
                3,
                String::new(),
            ),
            Kind::Sweep => (
                self.vary
                    .iter()
                    .map(|v| {
                        format!(
                            "_{}",
                            folder_name(v.key.rsplit('.').next().unwrap_or(&v.key))
                        )
                    })
                    .collect(),
                usize::MAX,
                self.design
                    .as_ref()
                    .map(|d| format!("_design_{}", stem(&PathBuf::from(&d.file))))
                    .unwrap_or_default(),
            ),
            Kind::Sensitivity => (
                Vec::new(),
                0,
                match self.method {
                    Method::Morris => "_morris".into(),
                    Method::Sobol => "_sobol".into(),
                },
            ),
        };
        let with = |keep: usize| {
            let mut name = head.clone();
            parts[..keep].iter().for_each(|p| name.push_str(p));
            if parts.len() > keep {
                name.push_str(&format!("_and_{}_more", parts.len() - keep));
            }
            name.push_str(&end);
            name
        };
        // Within the names' two bounds, characters and bytes (a stem of
        // four-byte letters made a default name of 240 bytes, refused
        // with no name of the user's to blame, a hostile-input audit,
        // 2026-12-06).
        let long =
            |n: &str| n.chars().count() > NAME_MAX || n.len() > crate::scenario::NAME_MAX_BYTES;
        let mut keep = parts.len().min(listed);
        let mut name = with(keep);
        while long(&name) && keep > 0 {
            keep -= 1;
            name = with(keep);
        }
        while long(&name) {
            name.pop();
        }
        name.truncate(name.trim_end_matches(['_', '-', '.']).len());
        name
    }
}

/// `s` made a plain folder name (as a scenario's name is made from its
/// file's stem).
pub fn folder_name(s: &str) -> String {
    crate::scenario::plain_name(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compare(stems: &[&str]) -> Spec {
        let paths = stems
            .iter()
            .map(|s| PathBuf::from(format!("scenarios/{s}.toml")))
            .collect();
        Spec::new(Kind::Compare, paths)
    }

    #[test]
    fn a_default_name_lists_three_options_and_counts_the_rest() {
        assert_eq!(compare(&["a", "b"]).default_name(), "compare_a_vs_b");
        assert_eq!(
            compare(&["a", "b", "c", "d"]).default_name(),
            "compare_a_vs_b_vs_c_vs_d"
        );
        assert_eq!(
            compare(&["a", "b", "c", "d", "e", "f"]).default_name(),
            "compare_a_vs_b_vs_c_vs_d_and_2_more"
        );
    }

    #[test]
    fn a_default_name_is_always_a_valid_folder_name() {
        // Five of the library's scenarios: listed in full the name would be
        // 123 characters, which `experiment` refused before it ran.
        let five = compare(&[
            "pakistan_baseline",
            "merit_recruitment",
            "accountability_reform",
            "tenure_security",
            "e_governance",
        ]);
        let name = five.default_name();
        assert_eq!(
            name,
            "compare_pakistan_baseline_vs_merit_recruitment_vs_accountability_reform_and_2_more"
        );
        assert_eq!(crate::scenario::name_problem(&name), None);
        // One stem of 100 characters (the most a file's stem keeps): cut.
        // Four-byte letters too: cut to the bytes a name may take.
        let long = "é".repeat(100);
        let wide = "𝔞".repeat(60);
        for spec in [
            compare(&[&wide, "b"]),
            Spec::new(
                Kind::Sensitivity,
                vec![PathBuf::from(format!("{wide}.toml"))],
            ),
            compare(&[&long, "b"]),
            compare(&["a", &long, &long]),
            Spec::new(
                Kind::Sensitivity,
                vec![PathBuf::from(format!("{long}.toml"))],
            ),
        ] {
            let name = spec.default_name();
            assert!(name.chars().count() <= NAME_MAX, "{name}");
            assert_eq!(crate::scenario::name_problem(&name), None, "{name}");
        }
        assert_eq!(
            compare(&["a", &long, &long]).default_name(),
            "compare_a_and_2_more"
        );
        let mut sweep = Spec::new(Kind::Sweep, vec![PathBuf::from("base.toml")]);
        for k in 0..12 {
            sweep.vary.push(
                flags::parse_vary(&format!("politics.a_rather_long_parameter_{k}=1,2")).unwrap(),
            );
        }
        let name = sweep.default_name();
        assert!(
            name.starts_with("sweep_base_a_rather_long_parameter_0_"),
            "{name}"
        );
        assert!(
            name.ends_with("_more") && name.chars().count() <= NAME_MAX,
            "{name}"
        );
    }
}
