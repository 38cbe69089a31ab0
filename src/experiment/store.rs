//! An experiment's folder: `experiment.json` (the manifest: what the
//! experiment is, its fingerprint and its shard), and `runs/`, one CSV per
//! completed run, each written to a temporary file and renamed into place
//! when complete, so a killed experiment loses at most the runs in flight.
//! A run file's first line records which run it is (run number, point,
//! replicate, seed, the experiment's fingerprint) and the SHA-256 of the
//! rest, so a file that was edited, swapped with another or taken from
//! another experiment is refused by name, never averaged in. Re-running the
//! same command finds the folder, checks that the manifest is the same
//! experiment (same version, scenarios, design, seed) and runs only what is
//! missing. Shards (`--shard i/n`) take every n-th run; `merge` checks that
//! shards belong together, that none is missing, doubled or incomplete, and
//! assembles exactly the folder one machine would have made.

use std::path::{Path, PathBuf};

use anyhow::Context;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::UsageError;
use crate::experiment::plan::Plan;
use crate::experiment::spec::{Kind, Posterior, Spec};
use crate::metrics::METRICS;
use crate::scenario::Scenario;
use crate::staging::{self, OutputExists};

/// Which part of an experiment a folder holds: runs j with j mod count = index − 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    /// 1 to count.
    pub index: usize,
    pub count: usize,
}

impl Shard {
    /// Parses `i/n` (1 ≤ i ≤ n).
    pub fn parse(arg: &str) -> Result<Shard, UsageError> {
        let bad = |m: String| UsageError(format!("--shard {arg}: {m}"));
        let (i, n) = arg
            .split_once('/')
            .ok_or_else(|| bad("expected I/N, for example --shard 2/8 (shard 2 of 8)".into()))?;
        let i: usize = i
            .trim()
            .parse()
            .map_err(|_| bad(format!("`{}` is not a whole number", i.trim())))?;
        let n: usize = n
            .trim()
            .parse()
            .map_err(|_| bad(format!("`{}` is not a whole number", n.trim())))?;
        let s = Shard { index: i, count: n };
        match s.problem() {
            Some(why) => Err(bad(why)),
            None => Ok(s),
        }
    }

    /// Why this is no shard, if it is not: the rule for `--shard` and for
    /// the record a folder's `experiment.json` keeps (which may have been
    /// edited), checked before anything is indexed or sized by it.
    pub fn problem(self) -> Option<String> {
        let (i, n) = (self.index, self.count);
        if n == 0 {
            Some(
                "the shard count N must be at least 1, for example --shard 2/8 (shard 2 of 8)"
                    .into(),
            )
        } else if n > MAX_SHARDS {
            // More shards than runs leaves some empty (a job array of fixed
            // size may do that), but merge keeps a place for every shard.
            Some(format!(
                "at most {MAX_SHARDS} shards (the most runs an experiment may have), got {n}"
            ))
        } else if i == 0 || i > n {
            Some(format!(
                "shard numbers run from 1 to the shard count: I must be 1 to {n}, got {i}"
            ))
        } else {
            None
        }
    }

    fn owns(&self, j: usize) -> bool {
        j % self.count == self.index - 1
    }
}

/// `experiment.json`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Manifest {
    pub bureausim_version: String,
    /// The git commits of the builds that made the folder's runs, in the
    /// order they first worked on it (one unless it was resumed by another
    /// build); absent in folders of builds before it was recorded.
    #[serde(default)]
    pub bureausim_commits: Vec<String>,
    /// The platform (target triple) of the build that started the folder:
    /// results are byte-identical only on the same maths library.
    #[serde(default)]
    pub platform: String,
    pub fingerprint: String,
    pub command: String,
    /// The runs of the whole experiment (all shards).
    pub runs: usize,
    pub shard: Option<Shard>,
    pub spec: Spec,
    /// The resolved base scenarios as TOML, so that `merge` and re-rendering
    /// need no scenario file.
    pub scenarios: Vec<String>,
    /// The run files' format: 2 since each carries its record and checksum;
    /// absent (1) in folders of earlier builds.
    #[serde(default = "format_one")]
    pub run_format: u32,
}

/// The run files' format this build writes and reads.
pub const RUN_FORMAT: u32 = 2;

fn format_one() -> u32 {
    1
}

impl Manifest {
    pub fn of(plan: &Plan, shard: Option<Shard>) -> Self {
        Manifest {
            bureausim_version: env!("CARGO_PKG_VERSION").into(),
            bureausim_commits: vec![crate::version::COMMIT.to_string()],
            platform: crate::version::TARGET.to_string(),
            fingerprint: plan.fingerprint.clone(),
            command: plan.command.clone(),
            runs: plan.runs(),
            shard,
            spec: plan.spec.clone(),
            scenarios: plan.bases.iter().map(|s| s.to_toml()).collect(),
            run_format: RUN_FORMAT,
        }
    }

    /// Refuses a folder whose run files this build cannot check.
    fn check_run_format(&self, dir: &Path) -> Result<(), UsageError> {
        if self.run_format == RUN_FORMAT {
            return Ok(());
        }
        Err(UsageError(format!(
            "`{}` was started by an earlier build of bureausim {}, whose run files carry no record of which run they are and no checksum; this build cannot vouch for them: finish it with that build, or pass --force to start it again",
            dir.display(),
            self.bureausim_version
        )))
    }

    /// Rebuilds the plan this manifest was made from.
    pub fn plan(&self) -> anyhow::Result<Plan> {
        if self.bureausim_version != env!("CARGO_PKG_VERSION") {
            return Err(UsageError(format!(
                "these runs were made by bureausim {}, this is {}: rerun them with this version",
                self.bureausim_version,
                env!("CARGO_PKG_VERSION")
            ))
            .into());
        }
        // The manifest may have been edited: what the command line checks
        // of an experiment is checked again here, before anything is read
        // by index or sized by it.
        if self.scenarios.is_empty() {
            return Err(UsageError("experiment.json lists no scenario".into()).into());
        }
        crate::version::check_commits(&self.bureausim_commits, "experiment.json")
            .map_err(UsageError)?;
        if let Some(why) = command_problem(&self.command) {
            return Err(UsageError(format!(
                "experiment.json: its `command` {}: {why}; it is printed in the report as the command that reproduces the experiment",
                crate::error::shorten(&format!("{:?}", self.command), 80)
            ))
            .into());
        }
        crate::experiment::spec::check(&self.spec)
            .map_err(|e| UsageError(format!("experiment.json: {}", e.0)))?;
        let bases = self
            .scenarios
            .iter()
            .map(|t| Scenario::from_toml(t, "experiment.json"))
            .collect::<Result<Vec<_>, _>>()?;
        let plan = Plan::with_bases(self.spec.clone(), bases, self.command.clone())?;
        if plan.fingerprint.clone() != self.fingerprint {
            anyhow::bail!(
                "experiment.json does not match its own fingerprint (made by bureausim {}, this is {})",
                self.bureausim_version,
                env!("CARGO_PKG_VERSION")
            );
        }
        Ok(plan)
    }

    pub fn read(dir: &Path) -> anyhow::Result<Manifest> {
        let path = dir.join("experiment.json");
        // Bounded and a regular file only: a shard folder handed to `merge`
        // may come from someone else (a link to /dev/zero filled memory).
        // Its own bound: a manifest holds a design's points.
        let text = crate::input::read_text_within(&path, crate::input::MAX_MANIFEST_BYTES)
            .map_err(|e| UsageError(format!("cannot read `{}`: {e}", path.display())))?;
        serde_json::from_str(&text).map_err(|e| {
            UsageError(format!(
                "`{}` is not an experiment manifest: {e}",
                path.display()
            ))
            .into()
        })
    }

    fn write(&self, dir: &Path) -> anyhow::Result<()> {
        let text = serde_json::to_string_pretty(self)? + "\n";
        crate::staging::write_file_atomic(&dir.join("experiment.json"), text.as_bytes(), true)
    }
}

/// Why a manifest's `command` cannot be the one its report prints as the
/// command that reproduces the experiment ([`Spec::command`] writes one
/// line starting `bureausim `, its words quoted for a shell); `None` when
/// it can. A shard folder may come from someone else (`merge`): a command
/// with line breaks or a fence could add text of its own to the report.
fn command_problem(c: &str) -> Option<&'static str> {
    if !c.starts_with("bureausim ") {
        Some("does not start with `bureausim `")
    } else if c.chars().any(char::is_control) {
        Some(
            "holds a control character (a line break, a tab; bureausim writes these escaped, in $'…' quotes)",
        )
    } else if c.contains("```") {
        Some("holds a Markdown fence (```)")
    } else if c.len() > 64 * 1024 {
        Some("is longer than 64 KiB")
    } else {
        None
    }
}

/// An experiment's settings without its scenario and design file paths,
/// which may differ between the machines that ran its shards.
fn report_settings(spec: &Spec) -> anyhow::Result<serde_json::Value> {
    let mut v = serde_json::to_value(spec)?;
    if let Some(o) = v.as_object_mut() {
        o.remove("scenarios");
        // A design file's path (and its line numbers) is the machine's;
        // its points are in the fingerprint.
        if let Some(d) = o.get_mut("design").and_then(|d| d.as_object_mut()) {
            d.remove("file");
            d.remove("lines");
        }
    }
    Ok(v)
}

/// How two lists of resolved scenarios (as manifests keep them) differ.
pub struct Difference {
    /// In words, `labels` naming the two sides: "in `pakistan_baseline`,
    /// `sim.engine` is \"monthly\" in the folder and \"staggered\" in this
    /// command".
    pub text: String,
    /// The key path and the first side's value, as `--set` takes them,
    /// when the difference is one scalar setting.
    pub set: Option<String>,
}

/// The first setting in which two lists of resolved scenarios differ, or
/// `None` when they are the same. A default that changed between builds
/// shows up here, as the scenarios are stored resolved, every key written
/// out. `title` is left out: it is not part of an experiment's identity.
pub fn scenarios_difference(
    first: &[String],
    second: &[String],
    labels: (&str, &str),
) -> Option<Difference> {
    use toml::Value;
    let (l1, l2) = labels;
    let plain = |text: String| Difference { text, set: None };
    if first.len() != second.len() {
        let n = first.len();
        return Some(plain(format!(
            "{n} base scenario{} {l1} and {} {l2}",
            if n == 1 { "" } else { "s" },
            second.len()
        )));
    }
    let parse = |t: &str| {
        t.parse::<toml::Table>().ok().map(|mut t| {
            t.remove("title");
            t
        })
    };
    // Other scenarios altogether: say so, rather than name their first
    // differing key (a description) as a setting to resume by (a
    // planner's audit, 2026-12-06).
    let names = |list: &[String]| -> Vec<String> {
        list.iter()
            .map(|t| {
                parse(t)
                    .and_then(|x| x.get("name").and_then(Value::as_str).map(str::to_string))
                    .unwrap_or_else(|| "?".into())
            })
            .collect()
    };
    let (n1, n2) = (names(first), names(second));
    let readable = first.iter().chain(second).all(|t| parse(t).is_some());
    if readable && n1 != n2 {
        let list = |n: &[String]| {
            n.iter()
                .map(|x| format!("`{}`", x.escape_debug()))
                .collect::<Vec<_>>()
                .join(", ")
        };
        return Some(plain(format!(
            "other scenarios: {} {l1}, {} {l2}",
            list(&n1),
            list(&n2)
        )));
    }
    first.iter().zip(second).find_map(|(a, b)| {
        let (Some(x), Some(y)) = (parse(a), parse(b)) else {
            let side = if parse(a).is_none() { l1 } else { l2 };
            return (a != b).then(|| plain(format!("a scenario {side} cannot be read")));
        };
        let name = x.get("name").and_then(Value::as_str).unwrap_or("?");
        let name = name.escape_debug().to_string();
        let (x, y) = (Value::Table(x), Value::Table(y));
        let (path, there, here) = crate::paths::first_difference(&x, &y)?;
        let path = path.escape_debug().to_string();
        let text = match (&there, &here) {
            (Some(Value::Array(v)), Some(Value::Array(w))) => {
                format!("`{path}` has {} entries {l1} and {} {l2}", v.len(), w.len())
            }
            (Some(v), Some(w)) => format!("`{path}` is {} {l1} and {} {l2}", shown(v), shown(w)),
            (Some(v), None) => format!("`{path}` is {} {l1} and not set {l2}", shown(v)),
            (None, Some(w)) => format!("`{path}` is not set {l1} and {} {l2}", shown(w)),
            (None, None) => unreachable!("a difference has a side"),
        };
        let set = match (&there, &here) {
            (Some(Value::String(t)), Some(_)) => Some(format!("{path}={t}")),
            (Some(v @ (Value::Integer(_) | Value::Float(_) | Value::Boolean(_))), Some(_)) => {
                Some(format!("{path}={v}"))
            }
            _ => None,
        };
        Some(Difference {
            text: format!("in `{name}`, {text}"),
            set,
        })
    })
}

/// The flag that sets a scenario setting `key=value` as a folder has it:
/// the experiment's own seed, years and replicates have theirs.
fn resume_flag(set: &str) -> String {
    let (key, value) = set.split_once('=').unwrap_or((set, ""));
    match crate::experiment::spec::sim_setting(key) {
        Some(own) => format!("`--{own} {value}`, or `{own}` in an experiment file"),
        None => format!("`--set {set}`, or in an experiment file's `set`"),
    }
}

/// A scale as it acts: `--scale 1` is the full size, as no scale is.
fn acting_scale(x: Option<f64>) -> Option<f64> {
    x.filter(|&f| f != 1.0)
}

/// Whether two ensembles run over the same: the posterior's contents and
/// the draws taken, not the path as typed.
fn same_ensemble(a: &Option<Posterior>, b: &Option<Posterior>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => {
            (a.draws, &a.keys, &a.rows, &a.weights) == (b.draws, &b.keys, &b.rows, &b.weights)
        }
        (a, b) => a.is_none() && b.is_none(),
    }
}

/// The first of an experiment's own settings (scale, decomposition,
/// ensemble, replicates) that differs between a folder's
/// experiment and this command, with how to resume the folder's. Checked
/// before the scenarios, which a scale changes key by key (a documentation
/// audit, 2026-12-08: a folder made with `--scale 0.25` was refused with
/// "`structure.grades[0].initial_officers` is 3350 in the folder" and the
/// claim that a default of bureausim had changed; `--decompose` and
/// `--ensemble` were never named). Years and seed are the scenarios'
/// `sim.years` and `sim.seed`, which [`scenarios_difference`] names.
fn spec_difference(old: &Spec, new: &Spec) -> Option<String> {
    // In the command's own terms: flags, or an experiment file's keys.
    let src = new.source;
    let resume = |how: String| format!("; to resume the folder's experiment, {how}");
    let leave_out = |name: &str| match src {
        crate::experiment::spec::Source::Flags => format!("leave {} out", src.flag(name)),
        crate::experiment::spec::Source::File => {
            format!("leave {} out of the file", src.flag(name))
        }
    };
    let scale = acting_scale;
    if scale(old.scale) != scale(new.scale) {
        let at = |x: Option<f64>| match scale(x) {
            Some(f) => format!("scale {f}"),
            None => "the full size (no scale)".to_string(),
        };
        return Some(format!(
            "it was run at {}, this command at {}{}",
            at(old.scale),
            at(new.scale),
            resume(match scale(old.scale) {
                Some(f) => format!("give {}", src.given("scale", &f.to_string())),
                None => leave_out("scale"),
            })
        ));
    }
    if old.decompose != new.decompose {
        return Some(if old.decompose {
            format!(
                "it was run with a decomposition, this command without{}",
                resume(match src {
                    crate::experiment::spec::Source::Flags => "add `--decompose`".to_string(),
                    crate::experiment::spec::Source::File => "write `decompose = true`".to_string(),
                })
            )
        } else {
            format!(
                "it was run without a decomposition, this command with one{}",
                resume(leave_out("decompose"))
            )
        });
    }
    if !same_ensemble(&old.ensemble, &new.ensemble) {
        return Some(match (&old.ensemble, &new.ensemble) {
            (Some(a), Some(b)) if a.draws != b.draws => format!(
                "it drew {} plausible services, this command {}{}",
                a.draws,
                b.draws,
                resume(format!("give {}", src.given("draws", &a.draws.to_string())))
            ),
            (Some(a), Some(_)) => format!(
                "its ensemble's posterior (`{}` when the folder was made) holds other parameter sets or weights than this command's; to resume the folder's experiment, give the posterior it was made with",
                a.file
            ),
            (Some(a), None) => format!(
                "it was run over plausible services (`{}`, {} draws), this command is not{}",
                a.file,
                a.draws,
                resume(format!(
                    "give {} and {}",
                    src.given("ensemble", &a.file),
                    src.given("draws", &a.draws.to_string())
                ))
            ),
            (None, _) => format!(
                "it was run without plausible services, this command over them{}",
                resume(leave_out("ensemble"))
            ),
        });
    }
    if old.replicates != new.replicates {
        return Some(format!(
            "{} is {} in the folder and {} in this command{}",
            src.flag("replicates"),
            old.replicates,
            new.replicates,
            resume(format!(
                "give {}",
                src.given("replicates", &old.replicates.to_string())
            ))
        ));
    }
    None
}

/// Which of two experiments' own settings differ, for `merge` (a scale
/// was named key by key there too, a review, 2026-12-08).
fn settings_difference(a: &Spec, b: &Spec) -> Option<String> {
    let scale = |x: Option<f64>| acting_scale(x).unwrap_or(1.0);
    if scale(a.scale) != scale(b.scale) {
        return Some(format!(
            "they were run at scales {} and {}",
            scale(a.scale),
            scale(b.scale)
        ));
    }
    if a.decompose != b.decompose {
        return Some("one was run with a decomposition (--decompose), the other without".into());
    }
    if !same_ensemble(&a.ensemble, &b.ensemble) {
        return Some("their ensembles (--ensemble, --draws) differ".into());
    }
    if a.replicates != b.replicates {
        return Some(format!(
            "they ran {} and {} replicates a point",
            a.replicates, b.replicates
        ));
    }
    None
}

/// How to resume a folder's `what` ("experiment", "calibration") refused
/// for one differing setting: set it as the folder has it (`how`), and
/// where the difference may come from.
pub fn resume_advice(what: &str, how: &str) -> String {
    format!(
        "To resume the folder's {what}, set it as the folder has it ({how}); if neither the files nor the command changed it, a default of bureausim did since the folder was made (CHANGELOG.md)"
    )
}

/// A value as a message shows it: TOML, cut to 60 characters.
fn shown(v: &toml::Value) -> String {
    let t = v.to_string();
    if t.chars().count() > 60 {
        format!("{}…", t.chars().take(60).collect::<String>())
    } else {
        t
    }
}

/// The file of run `j`.
pub fn run_path(dir: &Path, j: usize) -> PathBuf {
    dir.join("runs").join(format!("run-{j:07}.csv"))
}

/// Most shards an experiment may be split into: the most runs it may have.
pub const MAX_SHARDS: usize = 1_000_000;

/// An experiment's folder opened by [`prepare`].
pub struct Prepared {
    /// The runs of this shard still to do.
    pub pending: Vec<usize>,
    /// Where `--force` moved the folder's earlier experiment
    /// ([`staging::set_aside`]): kept until the new one is complete, then
    /// removed by the caller ([`staging::discard_aside`]).
    pub replaced: Option<PathBuf>,
}

/// Opens (or creates) the folder of an experiment and returns the runs of
/// this shard still to do.
pub fn prepare(
    dir: &Path,
    plan: &Plan,
    shard: Option<Shard>,
    force: bool,
) -> anyhow::Result<Prepared> {
    let mut manifest = Manifest::of(plan, shard);
    staging::check_shape(dir)?;
    // First, so that a folder an interrupted replacement left aside is
    // back in place before this command judges the folder.
    staging::clear_stale(dir);
    for d in [dir.to_path_buf(), dir.join("runs")] {
        staging::refuse_links(&d, "an experiment's folder")?;
    }
    let is_experiment = dir.join("experiment.json").is_file();
    let empty = dir.is_dir() && std::fs::read_dir(dir).is_ok_and(|mut d| d.next().is_none());
    if dir.exists() && !(is_experiment && staging::is_ours(dir)) && !empty {
        // --force replaces what bureausim wrote only: never a folder of other files.
        // The same experiment, that is, which the command would resume.
        let resumable = is_experiment
            && staging::claims_ours(dir)
            && Manifest::read(dir).is_ok_and(|m| m.fingerprint == manifest.fingerprint);
        return Err(if !force && resumable {
            // An experiment that could resume but for files put beside it.
            UsageError(format!(
                "`{}` holds an experiment that this command would resume, and also files bureausim did not write ({}): move them out of the folder and run the command again",
                dir.display(),
                staging::foreign_list(dir)
            ))
            .into()
        } else if !is_experiment {
            // With or without --force: advice to pass it would lead
            // nowhere (a planner's audit, 2026-12-06).
            UsageError(format!(
                "`{}` exists and is not an experiment's folder (no experiment.json); an experiment does not replace it, even with --force (that replaces only experiment folders bureausim wrote): choose another folder with --out",
                dir.display()
            ))
            .into()
        } else if !force {
            OutputExists(dir.display().to_string()).into()
        } else {
            staging::not_ours(dir)
        });
    }
    // Replaced under --force: the earlier experiment is kept aside until
    // this one is complete.
    let replaced = if is_experiment && force {
        Some(staging::set_aside(dir)?)
    } else {
        None
    };
    if dir.join("experiment.json").is_file() {
        let old = Manifest::read(dir)?;
        if old.fingerprint == manifest.fingerprint {
            old.check_run_format(dir)?;
        }
        if old.fingerprint != manifest.fingerprint || old.shard != manifest.shard {
            let why = if old.bureausim_version != manifest.bureausim_version {
                format!(
                    "its runs were made by bureausim {}, this is {}",
                    old.bureausim_version, manifest.bureausim_version
                )
            } else if old.spec.kind != manifest.spec.kind {
                let a = |k: Kind| match k {
                    Kind::Compare => "a comparison",
                    Kind::Sweep => "a sweep",
                    Kind::Sensitivity => "a sensitivity analysis",
                };
                format!(
                    "it holds {} (`{}`), this command is {}",
                    a(old.spec.kind),
                    old.command,
                    a(manifest.spec.kind)
                )
            } else if old.shard != manifest.shard {
                format!(
                    "it holds {}, this command asks for {}",
                    shard_text(old.shard),
                    shard_text(manifest.shard)
                )
            } else if let Some(d) = spec_difference(&old.spec, &manifest.spec) {
                d
            } else if let Some(d) = scenarios_difference(
                &old.scenarios,
                &manifest.scenarios,
                ("in the folder", "in this command"),
            ) {
                match d.set {
                    Some(set) => format!(
                        "its scenarios differ from this command's: {}. {}",
                        d.text,
                        resume_advice("experiment", &resume_flag(&set))
                    ),
                    None => format!("its scenarios differ from this command's: {}", d.text),
                }
            } else {
                "its design, replicates, years or seed differ from this command's".to_string()
            };
            return Err(UsageError(format!(
                "`{}` holds a different experiment ({why}); results are never mixed: pass --force to discard it, or choose another folder with --out",
                dir.display()
            ))
            .into());
        }
        if !dir.join(staging::MARKER).is_file() {
            staging::mark(dir, "an experiment")?;
        }
        // Resumed by another build: say so, and keep the folder's record
        // of the builds that made its runs, and of its platform.
        if let Some(note) =
            crate::version::resume_note("an experiment", dir, &old.bureausim_commits)
        {
            errln!("{note}");
        }
        // This build joins the record when it makes a run (below), not
        // for resuming a folder with nothing left to do.
        manifest.bureausim_commits = old.bureausim_commits.clone();
        if !old.platform.is_empty() {
            manifest.platform = old.platform.clone();
        }
        // Same runs; the report settings (years reported, metrics, the
        // analysed year, bootstrap, name) may have changed: keep the new
        // ones, and say that a report drawn with the old ones is redrawn
        // (a report already handed on is replaced: a planner's audit).
        if serde_json::to_value(&old.spec)? != serde_json::to_value(&manifest.spec)? {
            // Only the report's own settings draw another report: the same
            // runs asked for by another spelling (a path from another
            // folder, a flag that repeats the file's value) redraw the
            // same one, which must not push a different kept report out
            // (a review, 2026-12-06).
            let report_of = |s: &Spec| {
                (
                    s.name.clone(),
                    s.report_years.clone(),
                    s.metrics.clone(),
                    s.year,
                    s.bootstrap,
                )
            };
            if dir.join("summary.json").is_file()
                && report_of(&old.spec) != report_of(&manifest.spec)
            {
                staging::keep_previous_report(dir)?;
                errln!(
                    "note: {} holds a report drawn with other report settings (`--at`, `--metrics`, `--year`, `--bootstrap` or the name: {}); it is redrawn now with this command's, the runs kept, and the old report is kept in `{}/`",
                    dir.display(),
                    old.command,
                    staging::PREVIOUS_REPORT
                );
            }
            manifest.write(dir)?;
        }
    } else {
        std::fs::create_dir_all(dir.join("runs"))
            .with_context(|| format!("cannot create `{}`", dir.display()))?;
        staging::mark(dir, "an experiment")?;
        manifest.write(dir)?;
    }
    std::fs::create_dir_all(dir.join("runs"))?;
    clear_temporaries(dir)?;
    let mut pending = Vec::new();
    for j in (0..plan.runs()).filter(|&j| shard.is_none_or(|s| s.owns(j))) {
        let path = run_path(dir, j);
        if !path.is_file() {
            pending.push(j);
        } else {
            // Run files reach the disk whole (written, synced, renamed), so
            // one that fails its checks was changed or put there by hand:
            // say so rather than redo or trust it.
            read_run(&path, plan, j).map_err(|e| {
                UsageError(format!(
                    "{e:#}; results are never mixed: remove that file to run it again, or pass --force to start the experiment afresh"
                ))
            })?;
        }
    }
    // A build that will make runs is recorded among the folder's makers.
    if !pending.is_empty()
        && !manifest
            .bureausim_commits
            .iter()
            .any(|c| c == crate::version::COMMIT)
    {
        manifest.bureausim_commits = crate::version::with_this_commit(&manifest.bureausim_commits);
        manifest.write(dir)?;
    }
    Ok(Prepared { pending, replaced })
}

fn shard_text(s: Option<Shard>) -> String {
    match s {
        None => "the whole experiment".into(),
        Some(s) => format!("shard {}/{}", s.index, s.count),
    }
}

/// Removes the temporary files of runs that were in flight when a process died.
///
/// A file whose process may still be running (another copy of the command
/// on the same folder) is left alone; where liveness cannot be told (no
/// /proc), nothing is removed.
fn clear_temporaries(dir: &Path) -> anyhow::Result<()> {
    let proc = Path::new("/proc/self").exists();
    for e in std::fs::read_dir(dir.join("runs"))? {
        let e = e?;
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(rest) = name.strip_prefix(".tmp-") else {
            continue;
        };
        let pid = rest.rsplit('-').next().and_then(|p| p.parse::<u32>().ok());
        let dead = match pid {
            Some(pid) => proc && !Path::new(&format!("/proc/{pid}")).exists(),
            None => proc,
        };
        if dead {
            let _ = std::fs::remove_file(e.path());
        }
    }
    Ok(())
}

/// Runs `pending` on `threads` threads, writing each run as it completes.
pub fn execute(
    dir: &Path,
    plan: &Plan,
    pending: &[usize],
    threads: usize,
    on_year: &(dyn Fn() + Sync),
) -> anyhow::Result<()> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()?;
    pool.install(|| {
        // Runs that share their first years are simulated together (a
        // comparison's replicate k of every arm, when the arms differ
        // only in their reforms); each is written as it finishes.
        let groups = plan.shared_groups(pending)?;
        groups.par_iter().try_for_each(|g| {
            plan.run_group(g, on_year, &|j, res| write_run(dir, plan, j, &res.rows))
        })
    })
}

/// What a run file's first line records: which run of which experiment
/// it holds, and the SHA-256 of the lines after it.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct RunRecord {
    run: usize,
    point: usize,
    replicate: u64,
    seed: u64,
    experiment: String,
    sha256: String,
}

const RECORD_PREFIX: &str = "# bureausim run ";

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The checksum of a run file's data lines, whatever their line ends: a
/// file whose line ends were converted (CR LF, an added newline at the
/// end) by a transfer or a version-control setting holds the same data.
fn body_checksum(body: &str) -> String {
    let mut lines = String::with_capacity(body.len());
    for l in body.lines() {
        lines.push_str(l.trim_end_matches('\r'));
        lines.push('\n');
    }
    sha256_hex(lines.trim_end_matches('\n').as_bytes())
}

/// The record that run `j` of `plan` must carry (its checksum aside).
fn expected_record(plan: &Plan, j: usize) -> RunRecord {
    let (point, replicate) = plan.run_of(j);
    RunRecord {
        run: j,
        point,
        replicate,
        seed: plan.seed,
        experiment: plan.fingerprint.clone(),
        sha256: String::new(),
    }
}

/// Writes one run's yearly rows, through a temporary file.
fn write_run(dir: &Path, plan: &Plan, j: usize, rows: &[Vec<f64>]) -> anyhow::Result<()> {
    let mut body = String::from("year");
    for m in METRICS {
        body.push(',');
        body.push_str(m.name);
    }
    body.push('\n');
    for (y, row) in rows.iter().enumerate() {
        body.push_str(&y.to_string());
        for x in row {
            // Rust's shortest round-trip form: reading it back gives the same f64.
            body.push_str(&format!(",{x}"));
        }
        body.push('\n');
    }
    let mut record = expected_record(plan, j);
    record.sha256 = body_checksum(&body);
    let text = format!(
        "{RECORD_PREFIX}{}\n{body}",
        serde_json::to_string(&record).expect("record serialises")
    );
    let path = run_path(dir, j);
    let tmp = dir
        .join("runs")
        .join(format!(".tmp-{j:07}-{}", std::process::id()));
    let mut f = std::fs::File::create(&tmp)
        .with_context(|| format!("cannot create `{}`", tmp.display()))?;
    std::io::Write::write_all(&mut f, text.as_bytes())
        .with_context(|| format!("cannot write `{}`", tmp.display()))?;
    // On the disk before it is renamed: a crash leaves no empty run file.
    f.sync_all()
        .with_context(|| format!("cannot write `{}`", tmp.display()))?;
    drop(f);
    std::fs::rename(&tmp, &path).with_context(|| {
        format!(
            "cannot move `{}` to `{}` (is another copy of this command running on the same folder?)",
            tmp.display(),
            path.display()
        )
    })
}

/// Reads every run of a complete experiment: `[run][year][metric]`, each
/// file checked to be the run it claims.
pub fn load_runs(dir: &Path, plan: &Plan) -> anyhow::Result<Vec<Vec<Vec<f64>>>> {
    (0..plan.runs())
        .map(|j| {
            read_run(&run_path(dir, j), plan, j).map_err(|e| UsageError(format!("{e:#}")).into())
        })
        .collect()
}

/// Reads run `j` of `plan` from `path`, refusing a file that is not that
/// run of this experiment, whose data do not match its checksum, or that
/// is not a run file of this version.
fn read_run(path: &Path, plan: &Plan, j: usize) -> anyhow::Result<Vec<Vec<f64>>> {
    let shown = path.display();
    // Bounded, as every input (a run of 5,000 years is about 7 MB).
    let text = crate::input::read_text(path)
        .map_err(|e| UsageError(format!("cannot read `{shown}`: {e}")))?;
    let (first, body) = text.split_once('\n').unwrap_or((&text, ""));
    let record: RunRecord = first
        .trim_end_matches('\r')
        .strip_prefix(RECORD_PREFIX)
        .and_then(|r| serde_json::from_str(r).ok())
        .ok_or_else(|| {
            anyhow::anyhow!(
                "`{shown}` is not a run file of this version (its first line does not say which run it is)"
            )
        })?;
    let want = expected_record(plan, j);
    if record.experiment != want.experiment {
        anyhow::bail!(
            "`{shown}` belongs to another experiment (fingerprint {}, this one {}{})",
            record.experiment.chars().take(12).collect::<String>(),
            &want.experiment[..12],
            if record.seed != want.seed {
                format!(
                    "; made with seed {}, this experiment's is {}",
                    record.seed, want.seed
                )
            } else {
                String::new()
            }
        );
    }
    if (record.run, record.point, record.replicate, record.seed)
        != (want.run, want.point, want.replicate, want.seed)
    {
        anyhow::bail!(
            "`{shown}` holds run {} (point {}, replicate {}, seed {}), not run {j} (point {}, replicate {}, seed {}): a run file was renamed or swapped",
            record.run,
            record.point,
            record.replicate,
            record.seed,
            want.point,
            want.replicate,
            want.seed
        );
    }
    if body_checksum(body) != record.sha256 {
        anyhow::bail!(
            "`{shown}` does not match its checksum: its data were changed after the run wrote them"
        );
    }
    let mut lines = body.lines();
    let header = lines.next().unwrap_or_default().trim_end_matches('\r');
    let want_cols: Vec<&str> = std::iter::once("year")
        .chain(METRICS.iter().map(|m| m.name))
        .collect();
    if header.split(',').collect::<Vec<_>>() != want_cols {
        anyhow::bail!("`{shown}` has other columns than this version's metrics");
    }
    let rows: Vec<Vec<f64>> = lines
        .map(|l| l.trim_end_matches('\r'))
        .filter(|l| !l.is_empty())
        .map(|l| {
            l.split(',')
                .skip(1)
                .map(|x| x.parse::<f64>())
                .collect::<Result<Vec<f64>, _>>()
        })
        .collect::<Result<_, _>>()
        .with_context(|| format!("`{shown}` has a value that is not a number"))?;
    if let Some(k) = rows.iter().position(|r| r.len() != METRICS.len()) {
        anyhow::bail!(
            "`{shown}`: year {k} has {} values, not {}",
            rows[k].len(),
            METRICS.len()
        );
    }
    if rows.len() != plan.years as usize + 1 {
        anyhow::bail!(
            "`{shown}` has {} years, the experiment {}",
            rows.len(),
            plan.years + 1
        );
    }
    Ok(rows)
}

/// Combines shard folders into `out`, exactly as one machine would have
/// made it; returns the merged plan.
pub fn merge(dirs: &[PathBuf], out: &Path, force: bool) -> anyhow::Result<Plan> {
    if dirs.is_empty() {
        return Err(UsageError("merge needs the shard folders to combine".into()).into());
    }
    let mut manifests = Vec::new();
    for d in dirs {
        // A shard folder received from elsewhere: its files are read, and
        // a link in it (to `/dev/zero`, say) was reported as "no
        // experiment.json" (a hostile-input audit, 2026-12-06).
        for f in [d.clone(), d.join("runs")] {
            staging::refuse_links(&f, "a shard's folder")?;
        }
        if !d.join("experiment.json").is_file() {
            return Err(UsageError(format!(
                "`{}` is not an experiment folder (no experiment.json)",
                d.display()
            ))
            .into());
        }
        let m = Manifest::read(d)?;
        m.check_run_format(d)?;
        manifests.push(m);
    }
    let first = &manifests[0];
    for (d, m) in dirs.iter().zip(&manifests).skip(1) {
        if m.fingerprint != first.fingerprint {
            return Err(UsageError(format!(
                "`{}` and `{}` hold different experiments (fingerprints {} and {}{}); only shards of one experiment can be merged",
                dirs[0].display(),
                d.display(),
                first.fingerprint.chars().take(12).collect::<String>(),
                m.fingerprint.chars().take(12).collect::<String>(),
                if m.bureausim_version != first.bureausim_version {
                    format!(
                        "; made by bureausim {} and {}",
                        first.bureausim_version, m.bureausim_version
                    )
                } else if let Some(d) = settings_difference(&first.spec, &m.spec) {
                    format!("; {d}")
                } else if let Some(d) = scenarios_difference(
                    &first.scenarios,
                    &m.scenarios,
                    ("in the first", "in the second"),
                ) {
                    format!("; their scenarios differ: {}", d.text)
                } else {
                    String::new()
                }
            ))
            .into());
        }
    }
    for (d, m) in dirs.iter().zip(&manifests).skip(1) {
        if report_settings(&m.spec)? != report_settings(&first.spec)? {
            return Err(UsageError(format!(
                "`{}` and `{}` are shards of one experiment with different report settings (--at, --metrics, --year, --bootstrap or the name); rerun one with the other's settings (it resumes at once) and merge again",
                dirs[0].display(),
                d.display()
            ))
            .into());
        }
    }
    let plan = first.plan()?;
    // Shards run from other folders or machines name their files by other
    // paths: the report gives the first shard's command, and says so.
    if let Some((d, _)) = dirs
        .iter()
        .zip(&manifests)
        .find(|(_, m)| m.command != first.command)
    {
        errln!(
            "note: the shards were started by different command lines (`{}` and `{}` name their files by other paths, or differ otherwise); the report gives the first's: {}",
            dirs[0].display(),
            d.display(),
            crate::error::shorten(&first.command, 200)
        );
    }
    for (d, m) in dirs.iter().zip(&manifests) {
        if let Some((s, why)) = m.shard.and_then(|s| Some((s, s.problem()?))) {
            return Err(UsageError(format!(
                "`{}`: its experiment.json says shard {}/{}, and a shard is I/N with I from 1 to N: {why}",
                d.display(),
                s.index,
                s.count
            ))
            .into());
        }
    }
    let count = match first.shard {
        Some(s) => s.count,
        None => 1,
    };
    let mut holder: Vec<Option<&Path>> = vec![None; count];
    for (d, m) in dirs.iter().zip(&manifests) {
        let s = m.shard.unwrap_or(Shard { index: 1, count: 1 });
        if s.count != count {
            return Err(UsageError(format!(
                "`{}` is a shard of a split into {}, `{}` of a split into {}; only shards of one split can be merged",
                dirs[0].display(),
                count,
                d.display(),
                s.count
            ))
            .into());
        }
        if let Some(prev) = holder[s.index - 1] {
            return Err(UsageError(format!(
                "shard {}/{count} is given twice: `{}` and `{}`",
                s.index,
                prev.display(),
                d.display()
            ))
            .into());
        }
        holder[s.index - 1] = Some(d);
    }
    let missing: Vec<String> = holder
        .iter()
        .enumerate()
        .filter(|(_, h)| h.is_none())
        .map(|(i, _)| format!("{}/{count}", i + 1))
        .collect();
    if !missing.is_empty() {
        let more = missing.len().saturating_sub(10);
        return Err(UsageError(format!(
            "shard(s) {}{} missing: give every shard's folder",
            missing[..missing.len().min(10)].join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        ))
        .into());
    }
    for (i, h) in holder.iter().enumerate() {
        let d = h.expect("checked");
        let shard = Shard {
            index: i + 1,
            count,
        };
        let absent = (0..plan.runs())
            .filter(|&j| shard.owns(j) && !run_path(d, j).is_file())
            .count();
        if absent > 0 {
            return Err(UsageError(format!(
                "shard {}/{count} in `{}` is incomplete: {absent} run(s) missing; rerun its command (it resumes) before merging",
                i + 1,
                d.display()
            ))
            .into());
        }
    }
    // The result may not be, hold or lie inside any shard it reads.
    let canon = |p: &Path| -> PathBuf {
        let abs = if p.is_absolute() {
            p.to_path_buf()
        } else {
            std::env::current_dir().unwrap_or_default().join(p)
        };
        abs.canonicalize().unwrap_or(abs)
    };
    let out_c = canon(out);
    for d in dirs {
        let d_c = canon(d);
        if d_c.starts_with(&out_c) || out_c.starts_with(&d_c) {
            return Err(UsageError(format!(
                "--out {}: the merged result must be a folder apart from the shard folders (`{}` is, holds or lies inside it)",
                out.display(),
                d.display()
            ))
            .into());
        }
    }
    staging::check_destination(out, force)?;
    for j in 0..plan.runs() {
        let d = holder[j % count].expect("checked");
        read_run(&run_path(d, j), &plan, j).map_err(|e| {
            UsageError(format!(
                "shard {}/{count} in `{}` cannot be merged: {e:#}; remove that file and rerun the shard's command (it redoes missing runs) before merging",
                j % count + 1,
                d.display()
            ))
        })?;
    }
    // Assemble beside the destination, then move into place (an old result
    // is replaced only when the new one is complete).
    let staging = staging::Staging::new(out, force, "a merged experiment")?;
    std::fs::create_dir_all(staging.tmp.join("runs"))?;
    for j in 0..plan.runs() {
        let d = holder[j % count].expect("checked");
        std::fs::copy(run_path(d, j), run_path(&staging.tmp, j))
            .with_context(|| format!("cannot copy run {j} from `{}`", d.display()))?;
    }
    // The merged folder's runs are the shards': so are their commits and
    // platform (the merging build makes no run).
    let mut merged = Manifest::of(&plan, None);
    merged.bureausim_commits = Vec::new();
    for m in &manifests {
        crate::version::add_commits(&mut merged.bureausim_commits, &m.bureausim_commits);
    }
    crate::version::check_commits(&merged.bureausim_commits, "the shards' experiment.json")
        .map_err(UsageError)?;
    if let Some(p) = manifests
        .iter()
        .map(|m| &m.platform)
        .find(|p| !p.is_empty())
    {
        merged.platform = p.clone();
    }
    if let Some(note) = crate::version::merge_note(
        "the shards' runs",
        "experiment.json",
        &merged.bureausim_commits,
    ) {
        errln!("{note}");
    }
    merged.write(&staging.tmp)?;
    staging.commit()?;
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::scenarios_difference;
    use crate::scenario::Scenario;

    const L: (&str, &str) = ("there", "here");

    fn diff(a: &Scenario, b: &Scenario) -> Option<super::Difference> {
        // As a manifest keeps them: `to_toml`, title and all.
        scenarios_difference(&[a.to_toml()], &[b.to_toml()], L)
    }

    #[test]
    fn the_first_differing_setting_is_named() {
        let a = Scenario::default();
        let mut b = a.clone();
        assert!(diff(&a, &b).is_none());
        b.sim.engine = "monthly".into();
        let d = diff(&a, &b).unwrap();
        assert!(
            d.text
                .contains("`sim.engine` is \"staggered\" there and \"monthly\" here"),
            "{}",
            d.text
        );
        assert_eq!(d.set.as_deref(), Some("sim.engine=staggered"));
        // A title is no part of the identity: the real difference is named.
        b.title = "Renamed".into();
        assert!(diff(&a, &b).unwrap().text.contains("`sim.engine`"));
        b.sim.engine = a.sim.engine.clone();
        assert!(diff(&a, &b).is_none());
        // Inside an array of tables, the element is named.
        let mut c = a.clone();
        c.structure.grades[2].posts += 1;
        let d = diff(&a, &c).unwrap();
        assert!(d.text.contains("`structure.grades[2].posts`"), "{}", d.text);
        assert!(d.set.unwrap().starts_with("structure.grades[2].posts="));
        // Arrays of other lengths are counted, not printed.
        c.structure.grades.pop();
        let d = diff(&a, &c).unwrap();
        assert!(
            d.text
                .contains("`structure.grades` has 6 entries there and 5 here"),
            "{}",
            d.text
        );
        assert!(d.set.is_none());
        let d = scenarios_difference(&[a.to_toml()], &[], L).unwrap();
        assert!(d.text.contains("1 base scenario there and 0 here"));
        // Other scenarios are named as such, not by a first differing key
        // to set (their descriptions differ before anything else).
        let mut other = a.clone();
        other.name = "another".into();
        other.description = "something else".into();
        let d = diff(&a, &other).unwrap();
        assert!(d.text.starts_with("other scenarios: `"), "{}", d.text);
        assert!(d.text.contains("`another` here"), "{}", d.text);
        assert!(d.set.is_none());
        let d = scenarios_difference(&[a.to_toml()], &["not = [toml".into()], L).unwrap();
        assert!(
            d.text.contains("a scenario here cannot be read"),
            "{}",
            d.text
        );
    }
}
