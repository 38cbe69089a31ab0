//! The command line: argument types (clap) and the commands. It is the top
//! layer (ARCHITECTURE.md): commands turn flags into a validated
//! [`Scenario`] or experiment plan and hand it to the layers below; nothing
//! below imports from here.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::experiment::ensemble::Ensemble;
use crate::experiment::plan::Plan;
use crate::experiment::spec::{self, Kind, Spec};
use crate::experiment::store::{self, Shard};
use crate::metrics::{METRICS, metric_index};
use crate::output;
use crate::scenario::{Scenario, ScenarioError};
use crate::staging::{self, Staging};

/// Agent-based simulator of civil-service reform.
#[derive(Debug, Parser)]
#[command(name = "bureausim", version = crate::version::LONG, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a scenario's replicates and write tables, a summary and plots.
    Run(RunArgs),
    /// Validate a scenario and print it resolved (every default filled in) as TOML.
    Check(CheckArgs),
    /// Check the model against published findings, the reform scenarios
    /// against their stated effects and the classic Peter-principle model
    /// against its paper; write the report (outputs/validation.md by
    /// default; docs/validation.md is the one committed).
    Validate(ValidateArgs),
    /// Compare scenarios with common random numbers: each one's mean and
    /// 95% interval, and its paired difference from the first (the base).
    // Each command's help gives its own default and only the flags it
    // takes (a planner's audit, 2026-12-06: sensitivity listed --at,
    // --ensemble and --draws, which it refuses).
    #[command(mut_arg("replicates", |a| a.help("Replicates per scenario [default: 10; 2 per draw with --ensemble]")))]
    Compare(CompareArgs),
    /// Run a full factorial grid over one or more parameters.
    #[command(mut_arg("replicates", |a| a.help("Replicates per point [default: 5; 2 per draw with --ensemble]")))]
    Sweep(SweepArgs),
    /// Rank parameters by their effect: Morris screening or Sobol indices.
    #[command(
        mut_arg("replicates", |a| a.help("Replicates per point [default: 2]")),
        mut_arg("at", |a| a.hide(true)),
        mut_arg("ensemble", |a| a.hide(true)),
        mut_arg("draws", |a| a.hide(true))
    )]
    Sensitivity(SensitivityArgs),
    /// Run a comparison, sweep, sensitivity analysis or calibration described in a TOML file.
    Experiment(ExperimentFileArgs),
    /// Combine the shard folders of one experiment into its complete result.
    Merge(MergeArgs),
    /// Measure a scenario against calibration targets
    /// (calibration/README.md): for each target the observed value, the
    /// model's with its 95% interval over replicates, and their distance
    /// in units of the target's uncertainty.
    Calibrate(CalibrateArgs),
    /// Serve the classroom and workshop page: sliders, live charts and
    /// side-by-side policies in a browser (docs/serve.md).
    Serve(ServeArgs),
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Port to listen on (0: any free port).
    #[arg(
        long,
        allow_negative_numbers = true,
        value_name = "PORT",
        default_value_t = 8080
    )]
    pub port: u16,
    /// Address to listen on. The default serves this machine only; give
    /// 0.0.0.0 to let the room's network in (anyone who can reach the
    /// machine can then run simulations on it).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1")]
    pub host: String,
    /// Open the page in the default browser.
    #[arg(long)]
    pub open: bool,
}

// Numeric flags take negative numbers as values (`--seed -1`), so that the
// value's own check answers rather than a hint to write `-- -1`.

/// Flags every experiment takes that do not change its results.
#[derive(Debug, Args)]
pub struct RunControl {
    /// Output folder [default: outputs/<experiment name>]. An unfinished
    /// experiment there resumes; a different one is never overwritten
    /// without --force.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Discard an existing output folder and start again.
    #[arg(long)]
    pub force: bool,
    /// Worker threads (0 = all cores). Results do not depend on it.
    #[arg(long, allow_negative_numbers = true, value_name = "T", default_value_t = 0, value_parser = parse_threads)]
    pub threads: usize,
    /// Run only shard I of N (every N-th run, from 1 to N); combine the
    /// shard folders with `bureausim merge`.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,
    /// Skip the plots (tables, summary and report only).
    #[arg(long)]
    pub no_plots: bool,
    /// Refuse to start when the estimated memory exceeds this many GiB
    /// [default: the memory available on this machine]; give a larger value
    /// to run a large experiment anyway.
    #[arg(long, allow_negative_numbers = true, value_name = "GIB", value_parser = parse_gib)]
    pub max_memory: Option<f64>,
}

/// Flags every experiment takes that change what is run.
#[derive(Debug, Args)]
pub struct ExperimentFlags {
    /// Replicates per scenario or point [default: 10 compare, 5 sweep, 2 sensitivity].
    #[arg(long, allow_negative_numbers = true, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub replicates: Option<u32>,
    /// Years to simulate [default: the (base) scenario's].
    #[arg(long, allow_negative_numbers = true, value_name = "Y", value_parser = clap::value_parser!(u32).range(1..=5_000))]
    pub years: Option<u32>,
    /// Master seed for every arm [default: the (base) scenario's].
    #[arg(long, allow_negative_numbers = true, value_name = "S", value_parser = parse_seed)]
    pub seed: Option<u64>,
    /// Override a key in every scenario (repeatable).
    #[arg(long = "set", value_name = "KEY.PATH=VALUE")]
    pub sets: Vec<String>,
    /// Scale the service (posts, officers, course seats, intake cap) by this factor, from 0.001 to 100, e.g. 0.1 for a quick look.
    #[arg(long, allow_negative_numbers = true, value_name = "F")]
    pub scale: Option<f64>,
    /// Years the tables report, comma-separated [default: those of 10,20,40 within the run, and its last year].
    #[arg(long, allow_negative_numbers = true, value_name = "Y1,Y2,...")]
    pub at: Option<String>,
    /// Metrics of the tables and plots, comma-separated [default: efficiency,
    /// mean_competence, corruption_prevalence, mean_months_in_post, vacancy_rate, morale, wage_bill,
    /// pension_bill].
    #[arg(long, value_name = "M1,M2,...")]
    pub metrics: Option<String>,
    /// Run every arm on draws from a calibrated posterior (a CSV with a
    /// `weight` column and one column per scenario key, as `calibrate`
    /// writes it): intervals are then of the average effect over those
    /// plausible services, and the report adds the range of each effect
    /// over them, probabilities, ranks and regret, and calls an effect
    /// better or worse only where it keeps its sign in 90% of them
    /// (compare and sweep).
    #[arg(long, value_name = "POSTERIOR.csv")]
    pub ensemble: Option<PathBuf>,
    /// Draws from the posterior [default: 20]; each runs --replicates
    /// replicates [default with --ensemble: 2].
    #[arg(long, allow_negative_numbers = true, value_name = "K", requires = "ensemble", value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub draws: Option<u32>,
}

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The base scenario, then the scenarios to compare with it.
    #[arg(value_name = "SCENARIO", num_args = 2.., required = true)]
    pub scenarios: Vec<PathBuf>,
    /// Also run every scenario with each mechanism switched off in turn
    /// (same seeds), and report which mechanisms carry each difference and
    /// how much of it (decomposition.csv and a section of the report).
    #[arg(long)]
    pub decompose: bool,
    #[command(flatten)]
    pub design: ExperimentFlags,
    #[command(flatten)]
    pub control: RunControl,
}

#[derive(Debug, Args)]
// The points come from --vary (a grid) or --design (a file): one of them,
// named together when neither is given.
#[command(group(clap::ArgGroup::new("points").required(true).args(["vary", "design_file"])))]
pub struct SweepArgs {
    /// The scenario to sweep.
    pub scenario: PathBuf,
    /// A parameter and its values: KEY.PATH=FROM:TO:STEP or KEY.PATH=V1,V2,... (repeatable; full factorial).
    #[arg(long, value_name = "KEY.PATH=VALUES")]
    pub vary: Vec<String>,
    /// Points from a file instead of a grid: a header of key paths, then
    /// one point a line (CSV, tab- or space-separated; a SALib or EMA
    /// Workbench sample with a header runs as it is).
    #[arg(long = "design", id = "design_file", value_name = "FILE")]
    pub design_file: Option<PathBuf>,
    #[command(flatten)]
    pub design: ExperimentFlags,
    #[command(flatten)]
    pub control: RunControl,
}

#[derive(Debug, Args)]
pub struct SensitivityArgs {
    /// The scenario to analyse.
    pub scenario: PathBuf,
    /// A numeric parameter and its interval: KEY.PATH=LOW:HIGH (repeatable, at least two).
    #[arg(long, value_name = "KEY.PATH=LOW:HIGH", required = true)]
    pub param: Vec<String>,
    /// morris (screening, r (k + 1) points) or sobol (indices, n (k + 2) points).
    #[arg(long, value_name = "METHOD", default_value = "morris", value_parser = ["morris", "sobol"])]
    pub method: String,
    /// Morris trajectories [default: 10].
    #[arg(long, allow_negative_numbers = true, value_name = "R")]
    pub trajectories: Option<u32>,
    /// Morris grid levels (even) [default: 4].
    #[arg(long, allow_negative_numbers = true, value_name = "P")]
    pub levels: Option<u32>,
    /// Sobol base samples n [default: 32].
    #[arg(long, allow_negative_numbers = true, value_name = "N")]
    pub samples: Option<u32>,
    /// Bootstrap resamples for the indices' intervals.
    #[arg(
        long,
        allow_negative_numbers = true,
        value_name = "B",
        default_value_t = 500
    )]
    pub bootstrap: u32,
    /// The year whose values are analysed [default: 20, or the last year].
    #[arg(long, allow_negative_numbers = true, value_name = "Y")]
    pub year: Option<u32>,
    /// Seed of the sampling design.
    #[arg(long, allow_negative_numbers = true, value_name = "S", default_value_t = 1, value_parser = parse_seed)]
    pub design_seed: u64,
    #[command(flatten)]
    pub design: ExperimentFlags,
    #[command(flatten)]
    pub control: RunControl,
}

#[derive(Debug, Args)]
pub struct ExperimentFileArgs {
    /// The experiment file (TOML); scenario paths in it are relative to it.
    pub file: PathBuf,
    /// A calibration file only: also write the report in Markdown to FILE
    /// (a new file, or one bureausim wrote, which it replaces), its plot
    /// links pointing into the folder.
    #[arg(long, value_name = "FILE")]
    pub markdown: Option<PathBuf>,
    #[command(flatten)]
    pub in_file: InFileSettings,
    #[command(flatten)]
    pub control: RunControl,
}

/// The other experiments' settings, which an experiment file holds as
/// keys: accepted by `experiment FILE` only to be refused with the key to
/// write (clap's own refusal suggested "use '-- --scale'", a documentation
/// audit, 2026-12-08).
#[derive(Debug, Args)]
pub struct InFileSettings {
    #[arg(long, hide = true, value_name = "N", allow_hyphen_values = true)]
    replicates: Option<String>,
    #[arg(long, hide = true, value_name = "Y", allow_hyphen_values = true)]
    years: Option<String>,
    #[arg(long, hide = true, value_name = "S", allow_hyphen_values = true)]
    seed: Option<String>,
    #[arg(
        long,
        hide = true,
        value_name = "KEY.PATH=VALUE",
        allow_hyphen_values = true
    )]
    set: Vec<String>,
    #[arg(long, hide = true, value_name = "F", allow_hyphen_values = true)]
    scale: Option<String>,
    #[arg(
        long,
        hide = true,
        value_name = "Y1,Y2,...",
        allow_hyphen_values = true
    )]
    at: Option<String>,
    #[arg(
        long,
        hide = true,
        value_name = "M1,M2,...",
        allow_hyphen_values = true
    )]
    metrics: Option<String>,
    #[arg(long, hide = true)]
    decompose: bool,
    #[arg(long, hide = true, value_name = "FILE", allow_hyphen_values = true)]
    ensemble: Option<String>,
    #[arg(long, hide = true, value_name = "K", allow_hyphen_values = true)]
    draws: Option<String>,
}

impl InFileSettings {
    /// The first setting given: the flag as given, its file key, and the
    /// key written with the value when the value is one the key takes
    /// (else with a placeholder).
    fn first(&self) -> Option<(String, &'static str, String)> {
        let quoted = |v: &str| format!("\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\""));
        let shown = |v: &str| crate::error::shorten(v, 60);
        let list = |v: &str| {
            let items: Vec<String> = v.split(',').map(|x| quoted(x.trim())).collect();
            items.join(", ")
        };
        let whole = |v: &str| v.parse::<u32>().is_ok();
        // A key of one value, written with it when the key takes it.
        let scalar = |key: &'static str,
                      v: &Option<String>,
                      takes: &dyn Fn(&str) -> bool,
                      placeholder: &str| {
            v.as_ref().map(|v| {
                let t = v.trim();
                let value = if takes(t) { t } else { placeholder };
                (
                    format!("--{key} {}", shown(v)),
                    key,
                    format!("{key} = {value}"),
                )
            })
        };
        let listed = |flag: &str, key: &'static str, v: &str, written: String| {
            (format!("--{flag} {}", shown(v)), key, shown(&written))
        };
        scalar("replicates", &self.replicates, &whole, "N")
            .or_else(|| scalar("years", &self.years, &whole, "Y"))
            .or_else(|| {
                scalar(
                    "seed",
                    &self.seed,
                    &|v| v.parse::<i64>().is_ok_and(|x| x >= 0),
                    "S",
                )
            })
            .or_else(|| {
                let all: Vec<String> = self.set.iter().map(|x| quoted(x)).collect();
                self.set
                    .first()
                    .map(|v| listed("set", "set", v, format!("set = [{}]", all.join(", "))))
            })
            .or_else(|| {
                scalar(
                    "scale",
                    &self.scale,
                    &|v| v.parse::<f64>().is_ok_and(f64::is_finite),
                    "F",
                )
            })
            .or_else(|| {
                self.at.as_ref().map(|v| {
                    let years: Option<Vec<u32>> =
                        v.split(',').map(|y| y.trim().parse().ok()).collect();
                    let written = match years {
                        Some(ys) => format!(
                            "report_years = [{}]",
                            ys.iter().map(u32::to_string).collect::<Vec<_>>().join(", ")
                        ),
                        None => "report_years = [Y1, Y2]".to_string(),
                    };
                    (format!("--at {}", shown(v)), "report_years", written)
                })
            })
            .or_else(|| {
                self.metrics
                    .as_ref()
                    .map(|v| listed("metrics", "metrics", v, format!("metrics = [{}]", list(v))))
            })
            .or_else(|| {
                self.decompose
                    .then(|| ("--decompose".into(), "decompose", "decompose = true".into()))
            })
            .or_else(|| {
                self.ensemble.as_ref().map(|v| {
                    listed(
                        "ensemble",
                        "ensemble",
                        v,
                        format!("ensemble = {}", quoted(v)),
                    )
                })
            })
            .or_else(|| scalar("draws", &self.draws, &whole, "K"))
    }
}

/// Refuses `experiment FILE` with a setting its file holds given as a
/// flag, naming the key to write; a calibration file is told which keys
/// it has none of (its targets set the years and metrics it reads).
fn refuse_settings_as_flags(a: &ExperimentFileArgs) -> Result<(), UsageError> {
    let Some((given, key, written)) = a.in_file.first() else {
        return Ok(());
    };
    let calibration = std::fs::read_to_string(&a.file)
        .ok()
        .and_then(|t| toml::from_str::<toml::Table>(&t).ok())
        .is_some_and(|t| t.get("kind").and_then(|k| k.as_str()) == Some("calibrate"));
    let flags =
        "its flags are --out, --force, --threads, --max-memory, --shard, --no-plots and --markdown";
    let file = a.file.display();
    Err(UsageError(
        if calibration
            && matches!(
                key,
                "years" | "report_years" | "metrics" | "decompose" | "ensemble" | "draws"
            )
        {
            format!(
                "{given}: a calibration (`kind = \"calibrate\"` in {file}) has no `{key}`: it fits its parameters to its targets, which set the years and metrics it reads (docs/experiments.md, \"Fitting parameters\"); {flags}"
            )
        } else {
            format!(
                "{given}: `bureausim experiment` takes the experiment's settings from its file, not as flags: write `{written}` in {file} (docs/experiments.md, \"{}\"); {flags}",
                if calibration {
                    "Fitting parameters"
                } else {
                    "Experiment files"
                }
            )
        },
    ))
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The shard folders, every shard of one experiment once.
    #[arg(value_name = "DIR", num_args = 1.., required = true)]
    pub dirs: Vec<PathBuf>,
    /// The folder of the combined result.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Replace the output folder if it exists.
    #[arg(long)]
    pub force: bool,
    /// Skip the plots.
    #[arg(long)]
    pub no_plots: bool,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The scenario library: pakistan_baseline.toml, the reform scenarios
    /// and classics/peter_principle.toml.
    #[arg(long, value_name = "DIR", default_value = "scenarios")]
    pub scenarios: PathBuf,
    /// The report to write (Markdown).
    #[arg(long, value_name = "FILE", default_value = "outputs/validation.md")]
    pub out: PathBuf,
    /// A service a tenth of the size and fewer classic-model runs (under a
    /// minute).
    #[arg(long)]
    pub quick: bool,
    /// Replicates per arm (default 8, with or without --quick).
    #[arg(long, allow_negative_numbers = true, value_name = "N", value_parser = clap::value_parser!(u32).range(2..=10_000))]
    pub replicates: Option<u32>,
    /// Worker threads (0 = all cores). Results do not depend on it.
    #[arg(long, allow_negative_numbers = true, value_name = "T", default_value_t = 0, value_parser = parse_threads)]
    pub threads: usize,
    /// Override a key of every scenario of parts A and B (the baseline and
    /// the reform scenarios, not the classic model), e.g. --set
    /// sim.engine=monthly to validate the monthly engine (repeatable). A
    /// published-finding check that a reform of its arms, or some of its
    /// arms, sets the key in is not run (the report lists it); sim.years
    /// and sim.replicates are refused.
    #[arg(long = "set", value_name = "KEY.PATH=VALUE")]
    pub sets: Vec<String>,
    /// Replace the report if it exists (only a validation report bureausim
    /// wrote; any other file is kept).
    #[arg(long)]
    pub force: bool,
}

/// Flags that change the scenario.
#[derive(Debug, Args)]
pub struct ScenarioArgs {
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    /// Override any scenario key, e.g. --set promotion.rule=seniority (repeatable).
    #[arg(long = "set", value_name = "KEY.PATH=VALUE")]
    pub sets: Vec<String>,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// Output folder [default: outputs/<scenario name>].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Number of replicates (overrides sim.replicates).
    #[arg(long, allow_negative_numbers = true, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub replicates: Option<u32>,
    /// Master seed (overrides sim.seed), 0 to 18446744073709551615.
    #[arg(long, allow_negative_numbers = true, value_name = "S", value_parser = parse_seed)]
    pub seed: Option<u64>,
    /// Years to simulate (overrides sim.years).
    #[arg(long, allow_negative_numbers = true, value_name = "Y", value_parser = clap::value_parser!(u32).range(1..=5_000))]
    pub years: Option<u32>,
    /// Worker threads (0 = all cores). Results do not depend on it.
    #[arg(long, allow_negative_numbers = true, value_name = "T", default_value_t = 0, value_parser = parse_threads)]
    pub threads: usize,
    /// Replace the output folder if it exists.
    #[arg(long)]
    pub force: bool,
    /// Skip the plots (tables and summary only).
    #[arg(long)]
    pub no_plots: bool,
    /// Refuse to start when the estimated memory exceeds this many GiB
    /// [default: the memory available on this machine]; give a larger value
    /// to run a large scenario anyway.
    #[arg(long, allow_negative_numbers = true, value_name = "GIB", value_parser = parse_gib)]
    pub max_memory: Option<f64>,
}

#[derive(Debug, Args)]
pub struct CalibrateArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// The target file, e.g. calibration/pakistan.toml.
    #[arg(long, value_name = "FILE")]
    pub targets: PathBuf,
    /// A parameter to fit and its prior: KEY.PATH=LOW:HIGH (uniform) or
    /// KEY.PATH=LOW:HIGH:log (log-uniform) (repeatable). Without any, the
    /// scenario is only measured against the targets.
    #[arg(long = "param", value_name = "KEY.PATH=LOW:HIGH[:log]")]
    pub params: Vec<String>,
    /// Replicates: of the measured scenario, or a particle's when fitting
    /// [default: the scenario's; 2 when fitting].
    #[arg(long, allow_negative_numbers = true, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub replicates: Option<u32>,
    /// Particles in each generation of the fit.
    #[arg(long, allow_negative_numbers = true, value_name = "N", default_value_t = 100, value_parser = clap::value_parser!(u32).range(10..=100_000))]
    pub particles: u32,
    /// Most simulations in all (each one `--replicates` runs); the fit stops when it is spent.
    #[arg(long, allow_negative_numbers = true, value_name = "N", default_value_t = 3000, value_parser = clap::value_parser!(u32).range(10..=10_000_000))]
    pub budget: u32,
    /// Most generations, the prior's included.
    #[arg(long, allow_negative_numbers = true, value_name = "N", default_value_t = 12, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub generations: u32,
    /// The next tolerance is this quantile of the last generation's distances.
    #[arg(long, value_name = "Q", default_value_t = 0.5)]
    pub quantile: f64,
    /// Stop when a generation accepts less than this share of its proposals.
    #[arg(long, value_name = "F", default_value_t = 0.02)]
    pub min_acceptance: f64,
    /// Stop when the tolerance falls by less than this share from one generation to the next.
    #[arg(long, value_name = "F", default_value_t = 0.02)]
    pub min_improvement: f64,
    /// A target (by id) left out of the fit and reported as a prediction (repeatable).
    #[arg(long = "hold-out", value_name = "ID")]
    pub hold_out: Vec<String>,
    /// Scale the service for the fit (e.g. 0.25); counts are compared per full size.
    #[arg(long, allow_negative_numbers = true, value_name = "F")]
    pub scale: Option<f64>,
    /// Seed of the fit [default: the scenario's].
    #[arg(long, allow_negative_numbers = true, value_name = "S", value_parser = parse_seed)]
    pub seed: Option<u64>,
    /// Without --param: the fit table to write (CSV) [default:
    /// outputs/<scenario name>-fit.csv], its record beside it (NAME.json).
    /// With --param: the calibration folder [default: outputs/<scenario
    /// name>-calibration].
    #[arg(long, value_name = "PATH")]
    pub out: Option<PathBuf>,
    /// Worker threads (0 = all cores). Results do not depend on it.
    #[arg(long, allow_negative_numbers = true, value_name = "T", default_value_t = 0, value_parser = parse_threads)]
    pub threads: usize,
    /// Replace the fit table and its record (only ones bureausim wrote;
    /// any other file is kept), or start the calibration folder again.
    #[arg(long)]
    pub force: bool,
    /// With --param: also write the report in Markdown to FILE (a new
    /// file, or a calibration report bureausim wrote, which it replaces),
    /// its plot links pointing into the calibration folder;
    /// docs/calibration.md is made this way.
    #[arg(long, value_name = "FILE")]
    pub markdown: Option<PathBuf>,
    /// With --param: one round of shard I of N, every shard giving the same
    /// --out (a folder they share): each simulates every N-th proposal.
    /// Run the shards again until one says the fit is complete, then once
    /// without --shard to write the results (docs/experiments.md).
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
}

pub use crate::error::UsageError;

const GIB: f64 = (1u64 << 30) as f64;

/// A seed: a whole number from 0 to 2^64 − 1 ([`crate::rng::MAX_SEED`]).
fn parse_seed(s: &str) -> Result<u64, String> {
    crate::rng::parse_seed(s).ok_or_else(|| {
        format!(
            "a seed is a whole number from 0 to {}, got `{}`",
            crate::rng::MAX_SEED,
            crate::error::shorten(s, 80)
        )
    })
}

/// A thread count: a whole number, 0 for every core.
fn parse_threads(s: &str) -> Result<usize, String> {
    s.trim().parse::<usize>().map_err(|_| {
        format!("a thread count is a whole number of 0 or more (0 = every core), got `{s}`")
    })
}

/// `--max-memory`: a positive number of GiB.
fn parse_gib(s: &str) -> Result<f64, String> {
    s.trim()
        .parse::<f64>()
        .ok()
        .filter(|x| x.is_finite() && *x > 0.0 && *x <= 1e6)
        .ok_or_else(|| format!("`{s}` is not a number of GiB above 0 (for example 8 or 0.5)"))
}

/// Bytes as a person reads them.
fn bytes_text(b: f64) -> String {
    let mib = b / (1u64 << 20) as f64;
    if b >= GIB {
        format!("{:.1} GiB", b / GIB)
    } else if mib >= 10.0 {
        format!("{mib:.0} MiB")
    } else {
        format!("{} MiB", crate::error::rounded(mib))
    }
}

/// Memory this process may use (Linux): the machine's `MemAvailable`, or
/// less when a control group (a Slurm allocation, a container) limits the
/// process, whose own limit then applies. `None` where neither is known.
fn available_memory() -> Option<f64> {
    let machine = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|text| {
            let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
            let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
            Some(kib * 1024.0)
        });
    match (machine, cgroup_headroom()) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// What this process's memory control group still allows: its limit less
/// its use (cgroup v2 `memory.max` − `memory.current`, or v1
/// `memory.limit_in_bytes` − `memory.usage_in_bytes`), if it has a limit.
fn cgroup_headroom() -> Option<f64> {
    let number = |p: &str| -> Option<f64> {
        let t = std::fs::read_to_string(p).ok()?;
        let x: f64 = t.trim().parse().ok()?;
        // "max" (no limit) does not parse; v1 writes no limit as ~2^63.
        (x < 2f64.powi(60)).then_some(x)
    };
    let own = std::fs::read_to_string("/proc/self/cgroup").unwrap_or_default();
    for line in own.lines() {
        let mut parts = line.splitn(3, ':');
        let (id, controllers, path) = (parts.next()?, parts.next()?, parts.next()?);
        let (root, limit, used) = if id == "0" && controllers.is_empty() {
            ("/sys/fs/cgroup", "memory.max", "memory.current")
        } else if controllers.split(',').any(|c| c == "memory") {
            (
                "/sys/fs/cgroup/memory",
                "memory.limit_in_bytes",
                "memory.usage_in_bytes",
            )
        } else {
            continue;
        };
        // The group's own files, or the root's where a container mounts its
        // group at the root.
        for dir in [format!("{root}{path}"), root.to_string()] {
            if let Some(max) = number(&format!("{dir}/{limit}")) {
                let now = number(&format!("{dir}/{used}")).unwrap_or(0.0);
                return Some((max - now).max(0.0));
            }
        }
    }
    None
}

/// Refuses, before any work, a run estimated to need more memory than
/// `--max-memory` or, without it, than this machine has available.
/// `what` describes the run's size in numbers.
fn check_memory(need: u64, max_memory: Option<f64>, what: &str) -> anyhow::Result<()> {
    let need = need as f64;
    let (limit, whose) = match max_memory {
        Some(g) => (g * GIB, format!("--max-memory {g}")),
        None => match available_memory() {
            Some(b) => (b, "available on this machine".to_string()),
            None => return Ok(()),
        },
    };
    if need > limit {
        return Err(UsageError(format!(
            "{what} needs about {} of memory, more than the {} {whose}; make it smaller (fewer replicates, years or posts, or --scale in experiments), or pass --max-memory {} to start it anyway",
            bytes_text(need),
            bytes_text(limit),
            (need / GIB * 1.2).ceil().max(1.0)
        ))
        .into());
    }
    Ok(())
}

/// The worker threads to use for `--threads requested`: 0 means every
/// core; more than the cores is lowered to them (results do not depend on
/// the thread count, and more threads than cores only cost memory).
pub fn worker_threads(requested: usize) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if requested > cores {
        errln!(
            "note: --threads {requested} is more than this machine's {cores} core(s); using {cores} (results do not depend on it)"
        );
        cores
    } else if requested == 0 {
        cores
    } else {
        requested
    }
}

/// The message of `err` and its causes, each said once: a cause whose
/// text the message already holds is not repeated.
pub fn error_message(err: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in err.chain() {
        let c = cause.to_string();
        if c.is_empty() || text.contains(&c) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&c);
    }
    // Messages quote the input (a key, a name, a line of a file), which may
    // hold terminal escapes: every control character but the line breaks
    // and tabs of the message's own layout is shown escaped, not sent to
    // the terminal.
    text.chars()
        .map(|ch| {
            if ch.is_control() && ch != '\n' && ch != '\t' {
                ch.escape_default().to_string()
            } else {
                ch.to_string()
            }
        })
        .collect()
}

/// True when `err` should exit with code 2 (bad input) rather than 1.
pub fn is_usage_error(err: &anyhow::Error) -> bool {
    err.downcast_ref::<ScenarioError>().is_some()
        || err.downcast_ref::<UsageError>().is_some()
        || err.downcast_ref::<staging::OutputExists>().is_some()
        || err.downcast_ref::<staging::FileExists>().is_some()
}

/// Runs the parsed command.
pub fn execute(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Run(a) => run(a),
        Command::Check(a) => check(a),
        Command::Validate(a) => validate(a),
        Command::Calibrate(a) => calibrate(a),
        Command::Compare(a) => {
            let mut spec = design_spec(Kind::Compare, a.scenarios, &a.design)?;
            spec.decompose = a.decompose;
            experiment(spec, None, &a.control)
        }
        Command::Sweep(a) => {
            let mut spec = design_spec(Kind::Sweep, vec![a.scenario], &a.design)?;
            spec.vary = a
                .vary
                .iter()
                .map(|v| spec::parse_vary(v))
                .collect::<Result<_, _>>()?;
            spec.design = a
                .design_file
                .as_deref()
                .map(spec::load_design)
                .transpose()?;
            experiment(spec, None, &a.control)
        }
        Command::Sensitivity(a) => {
            let mut spec = design_spec(Kind::Sensitivity, vec![a.scenario], &a.design)?;
            spec.params = a
                .param
                .iter()
                .map(|p| spec::parse_param(p))
                .collect::<Result<_, _>>()?;
            spec.method = if a.method == "sobol" {
                spec::Method::Sobol
            } else {
                spec::Method::Morris
            };
            spec::method_options(
                spec.method,
                |o| match o {
                    "trajectories" => a.trajectories.is_some(),
                    "levels" => a.levels.is_some(),
                    _ => a.samples.is_some(),
                },
                |o| format!("--{o}"),
            )?;
            spec.trajectories = a.trajectories.unwrap_or(spec.trajectories);
            spec.levels = a.levels.unwrap_or(spec.levels);
            spec.samples = a.samples.unwrap_or(spec.samples);
            spec.bootstrap = a.bootstrap;
            spec.year = a.year;
            spec.design_seed = a.design_seed;
            experiment(spec, None, &a.control)
        }
        Command::Experiment(a) => {
            refuse_settings_as_flags(&a)?;
            if let Some((c, discussion)) = calibration_file(&a)? {
                return calibrate_fit(c, Some((&a.file, discussion)))
                    .map_err(|e| in_calibration_file(e, &a.file));
            }
            if a.markdown.is_some() {
                return Err(UsageError(format!(
                    "--markdown: only a calibration (an experiment file of kind = \"calibrate\") writes its report elsewhere; `{}` is another kind, whose report.md is in its folder",
                    a.file.display()
                ))
                .into());
            }
            let spec = spec::load_file(&a.file)?;
            experiment(spec, Some(&a.file), &a.control)
        }
        Command::Merge(a) => merge(a),
        Command::Serve(a) => serve(a),
    }
}

fn design_spec(kind: Kind, scenarios: Vec<PathBuf>, d: &ExperimentFlags) -> anyhow::Result<Spec> {
    let mut spec = Spec::new(kind, scenarios);
    if let Some(f) = &d.ensemble {
        spec.ensemble = Some(spec::load_posterior(
            f,
            d.draws.unwrap_or(20),
            "--ensemble",
        )?);
        spec.replicates = 2;
    }
    if let Some(r) = d.replicates {
        spec.replicates = r;
    }
    spec.years = d.years;
    spec.seed = d.seed;
    spec.sets = d.sets.clone();
    spec.scale = d.scale;
    if let Some(at) = &d.at {
        spec.report_years = spec::parse_years("--at", at)?;
    }
    if let Some(m) = &d.metrics {
        for x in m.split(',').map(|x| x.trim().to_string()) {
            if !spec.metrics.contains(&x) {
                spec.metrics.push(x);
            }
        }
    }
    Ok(spec)
}

/// Runs (or resumes) an experiment, then writes its tables, plots and report.
fn experiment(mut spec: Spec, file: Option<&Path>, c: &RunControl) -> anyhow::Result<()> {
    let shard = c.shard.as_deref().map(Shard::parse).transpose()?;
    if spec.name.is_empty() {
        spec.name = spec.default_name();
    }
    let command = spec.command(file);
    let mut plan = match file {
        Some(f) => Plan::new(spec, command).map_err(|e| {
            UsageError(format!(
                "experiment file `{}`: {}",
                f.display(),
                overrides_of_the_file(&e.0)
            ))
        })?,
        None => Plan::new(spec, command)?,
    };
    let dest = match &c.out {
        Some(out) => staging::normalize(out),
        None => {
            let suffix = shard.map_or(String::new(), |s| {
                format!("-shard-{}-of-{}", s.index, s.count)
            });
            staging::default_output(&plan.spec.name, &suffix)
        }
    };
    let threads = worker_threads(c.threads);
    let size = plan
        .bases
        .iter()
        .map(|b| b.size_estimate())
        .max_by_key(|e| e.world_bytes)
        .expect("a base scenario");
    let runs = plan.runs() as u64;
    // Every run's yearly rows are read back for the report; the analysis
    // then holds a statistic of every metric at every report year for every
    // arm, and the text of the largest table it writes (measured with
    // heaptrack on a sweep of 10,201 points: 134 MB at its peak, of which
    // 97 MB the statistics and 35 MB the yearly rows; before the summary
    // was streamed and the statistics sized once, 399 MB against an
    // estimate of 108 MiB).
    let metrics = crate::metrics::METRICS.len() as u64;
    let rows = runs * (plan.years as u64 + 1) * metrics * 8;
    let cells = metrics * plan.report_years.len() as u64 * plan.variants.len() as u64;
    let analysis =
        cells * (std::mem::size_of::<crate::experiment::analysis::ArmStat>() as u64 + 64);
    check_memory(
        size.world_bytes * (threads as u64).min(runs) + 3 * rows + analysis,
        c.max_memory,
        &format!(
            "this {} ({runs} runs of up to {} posts and {} officers, {} years)",
            plan.spec.kind.name(),
            size.posts,
            size.officers,
            plan.years
        ),
    )?;
    let store::Prepared { pending, replaced } = store::prepare(&dest, &plan, shard, c.force)?;
    // Said once the folder is settled: a command refused for its folder
    // says only why.
    // In a comparison `--set` reaches every scenario, so a reform's index
    // is named with its file rather than as a `--set` to type.
    let several = plan.bases.len() > 1;
    for (b, p) in plan.bases.iter().zip(&plan.spec.scenarios) {
        note_reform_overrides(b, &plan.spec.sets, several.then_some(p.as_path()));
    }
    for (w, labels) in &plan.warnings {
        let shown: Vec<&str> = labels.iter().take(3).map(String::as_str).collect();
        errln!(
            "warning: {w} (in {}{})",
            shown.join("; "),
            if labels.len() > 3 {
                format!(" and {} more", labels.len() - 3)
            } else {
                String::new()
            }
        );
    }
    let mine = (0..plan.runs())
        .filter(|&j| shard.is_none_or(|s| j % s.count == s.index - 1))
        .count();
    outln!(
        "bureausim {} {}: {} point(s) × {} replicate(s){} = {} runs{}, {} years, seed {}; {} to do, {} already done → {}",
        env!("CARGO_PKG_VERSION"),
        plan.spec.kind.name(),
        plan.variants.len(),
        plan.spec.replicates,
        if plan.draws.is_empty() {
            String::new()
        } else {
            format!(" × {} posterior draws", plan.draws.len())
        },
        plan.runs(),
        shard.map_or(String::new(), |s| format!(
            " (shard {}/{}: {mine})",
            s.index, s.count
        )),
        plan.years,
        plan.seed,
        pending.len(),
        mine - pending.len(),
        dest.display()
    );
    let started = Instant::now();
    if !pending.is_empty() {
        let warm = plan
            .bases
            .iter()
            .map(|b| b.sim.warmup_years)
            .max()
            .unwrap_or(0);
        let total = pending.len() as u64 * (plan.years + warm) as u64;
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} run-years ({eta} left)",
            )
            .expect("valid template"),
        );
        store::execute(&dest, &plan, &pending, threads, &|| bar.inc(1))?;
        bar.finish_and_clear();
    }
    // A shard's report is the merge's.
    if shard.is_none() {
        finish(&dest, &mut plan, c.no_plots)?;
    }
    // The experiment this one replaced (--force) goes once this one is whole.
    if let Some(old) = &replaced {
        staging::discard_aside(old, &dest);
    }
    match shard {
        Some(s) => outln!(
            "shard {}/{} complete: {mine} runs in {} ({:.1} s). When every shard is done: bureausim merge <the {} shard folders> --out <folder>",
            s.index,
            s.count,
            dest.display(),
            started.elapsed().as_secs_f64(),
            s.count
        ),
        None => outln!("done in {:.1} s", started.elapsed().as_secs_f64()),
    }
    Ok(())
}

fn finish(dest: &Path, plan: &mut Plan, no_plots: bool) -> anyhow::Result<()> {
    // The report and summary name the builds that made the runs.
    plan.made_by = store::Manifest::read(dest)?.bureausim_commits;
    let plan = &*plan;
    let runs = store::load_runs(dest, plan)?;
    let (table, figures) = output::report::write_all(dest, plan, &runs, !no_plots)?;
    out!("{table}");
    outln!(
        "\nwrote {}/ : report.html, report.md, summary.json, {}{}runs.csv{}",
        dest.display(),
        match plan.spec.kind {
            Kind::Compare if plan.spec.decompose => "table.csv, costs.csv, decomposition.csv, ",
            Kind::Compare => "table.csv, costs.csv, ",
            Kind::Sweep => "points.csv, ",
            Kind::Sensitivity => "indices.csv, ",
        },
        if plan.spec.ensemble.is_some() {
            "ensemble.csv, "
        } else {
            ""
        },
        match figures {
            0 => String::new(),
            1 => " and 1 plot (PNG and SVG)".into(),
            n => format!(" and {n} plots (PNG and SVG)"),
        }
    );
    Ok(())
}

fn serve(a: ServeArgs) -> anyhow::Result<()> {
    let app = crate::serve::App::bind(&a.host, a.port)?;
    let url = app.url();
    outln!(
        "bureausim {} serving the page at {url} (Ctrl-C to stop)",
        env!("CARGO_PKG_VERSION")
    );
    if !app.addr().ip().is_loopback() {
        outln!(
            "listening on {}: anyone who can reach this machine can open the page and run simulations",
            app.addr()
        );
        if let Some(room) = app.network_url() {
            outln!("others on the network open {room}");
        }
    }
    if a.open && !crate::serve::open_browser(&url) {
        outln!("could not start a browser; open {url} yourself");
    }
    app.run();
    Ok(())
}

fn merge(a: MergeArgs) -> anyhow::Result<()> {
    let out = staging::normalize(&a.out);
    if a.dirs[0].join("calibration.json").is_file() {
        let m = crate::experiment::calibration::run::merge(&a.dirs, &out, a.force)?;
        outln!(
            "merged {} journal(s) of {} calibration folder(s): {} simulations → {}\nNext: give the shards --out {} for another round, or finish the fit there (it resumes from the merged journal):\n  {}",
            m.journals,
            a.dirs.len(),
            m.simulations,
            out.display(),
            out.display(),
            m.command
        );
        return Ok(());
    }
    let mut plan = store::merge(&a.dirs, &out, a.force)?;
    outln!(
        "merged {} shard folder(s): {} runs of `{}` → {}",
        a.dirs.len(),
        plan.runs(),
        plan.command,
        out.display()
    );
    finish(&out, &mut plan, a.no_plots)
}

fn load(a: &ScenarioArgs, extra: Vec<String>) -> anyhow::Result<Scenario> {
    let mut sets = extra;
    sets.extend(a.sets.iter().cloned());
    let s = Scenario::load(&a.scenario, &sets)?;
    note_reform_overrides(&s, &a.sets, None);
    Ok(s)
}

/// Says when a `--set` key is one a reform of the scenario sets later: the
/// value given holds only until that reform's year.
///
/// `among`: the scenario's file when it is one of several (a comparison),
/// where a `--set` reaches every scenario and `reforms[i]` is another
/// reform, or none, in the others (a planner's audit: the advice, typed as
/// given, was refused for the baseline, which has no reforms).
fn note_reform_overrides(s: &Scenario, sets: &[String], among: Option<&std::path::Path>) {
    for arg in sets {
        let Some((key, _)) = arg.split_once('=') else {
            continue;
        };
        if let Some((i, r, set)) = s.reform_setting(key.trim()) {
            let advice = match among {
                None => format!("use --set reforms[{i}].set.{set}=..."),
                Some(file) => format!(
                    "edit `reforms[{i}].set.{set}` in a copy of `{}` and compare the copy (a --set reaches every scenario compared, and the others' reforms[{i}] is another reform or none)",
                    file.display()
                ),
            };
            errln!(
                "note: --set {}: the scenario's reform \"{}\" (reforms[{i}]) sets `{set}` in year {}, so the value given holds until then; to change what the reform sets, {advice}",
                crate::error::shorten(arg, 80),
                r.display_label(i),
                r.year
            );
        }
    }
}

/// A scenario refused for its `sim.years` when `--years` set them says so
/// ([`spec::years_flag_note`]).
fn with_years_flag(e: anyhow::Error, years: u32) -> anyhow::Error {
    match spec::years_flag_note(&e.to_string(), years, spec::Source::Flags) {
        Some(text) if is_usage_error(&e) => UsageError(text).into(),
        _ => e,
    }
}

/// Said after a run whose appraisal bar kept most of the officers
/// otherwise eligible from the promotion boards in some recorded year
/// (`appraisal_barred_share` above one half, mean over replicates): the
/// scenario's own warning reads the bar against the reports' scale before
/// the run; this one reads what the run did.
fn appraisal_bar_note(replicates: &[crate::sim::runner::ReplicateResult]) -> Option<String> {
    let m = metric_index("appraisal_barred_share")?;
    let years = replicates.iter().map(|r| r.rows.len()).min()?;
    let mut over = Vec::new();
    let mut worst = 0.0f64;
    for y in 1..years {
        let v: Vec<f64> = replicates
            .iter()
            .map(|r| r.rows[y][m])
            .filter(|x| x.is_finite())
            .collect();
        if v.is_empty() {
            continue;
        }
        let mean = v.iter().sum::<f64>() / v.len() as f64;
        if mean > 0.5 {
            over.push(y);
            worst = worst.max(mean);
        }
    }
    let (first, last) = (*over.first()?, *over.last()?);
    let span = if first == last {
        format!("year {first}")
    } else {
        format!("{} of the years {first} to {last}", over.len())
    };
    Some(format!(
        "the appraisal bar (`promotion.appraisal_threshold`) kept more than half of the officers \
         otherwise eligible from the promotion boards in {span} (up to {:.0}%, \
         `appraisal_barred_share`): with honest reports the bar may be too high for their scale \
         (docs/model.md §7.7)",
        worst * 100.0
    ))
}

fn check(a: CheckArgs) -> anyhow::Result<()> {
    let s = load(&a.scenario, Vec::new())?;
    for w in s.warnings() {
        errln!("warning: {w}");
    }
    out!("{}{}", check_summary(&s), s.to_toml());
    Ok(())
}

/// What a valid scenario will do, as TOML comments above the resolved
/// scenario (a researcher's audit: `check` printed 450 lines and nothing
/// on what a run of them would simulate). Read from the scenario alone, so
/// that checking the printed scenario prints it again.
fn check_summary(s: &Scenario) -> String {
    use crate::output::number::counted;
    let size = s.size_estimate();
    let reforms = if s.reforms.is_empty() {
        "no reforms".to_string()
    } else {
        let each: Vec<String> = s
            .reforms
            .iter()
            .enumerate()
            .map(|(i, r)| format!("year {} \"{}\"", r.year, r.display_label(i)))
            .collect();
        format!(
            "{}: {}",
            counted(s.reforms.len(), "reform"),
            each.join("; ")
        )
    };
    let tree = |x: &Scenario| match toml::Value::try_from(x) {
        Ok(toml::Value::Table(t)) => crate::paths::flatten(&t),
        _ => Vec::new(),
    };
    let defaults = tree(&Scenario::default());
    let changed: Vec<String> = tree(s)
        .into_iter()
        .filter(|(k, v)| !defaults.iter().any(|(dk, dv)| dk == k && dv == v))
        .map(|(k, _)| k)
        // A scenario's own name, title and description are not settings
        // of the model (an instructor's audit: every file read "1 key
        // differs from the defaults: name").
        .filter(|k| !matches!(k.as_str(), "name" | "title" | "description"))
        .collect();
    let shown: Vec<&str> = changed.iter().take(12).map(String::as_str).collect();
    format!(
        "# bureausim check: a valid scenario. A run simulates {} of {} years after a {}-year warm-up, seed {}: about {} officers in {} posts ({}, {}), with {}.\n# {}{}{}. The resolved scenario follows; its defaults are those of {}.\n",
        counted(s.sim.replicates as usize, "replicate"),
        s.sim.years,
        s.sim.warmup_years,
        s.sim.seed,
        size.officers,
        size.posts,
        counted(s.structure.grades.len(), "grade"),
        counted(s.structure.sectors.len(), "sector"),
        reforms,
        match changed.len() {
            0 => "No key differs from the defaults (its name, title and description aside)"
                .to_string(),
            1 => "1 key differs from the defaults (its name, title and description aside): "
                .to_string(),
            n => format!(
                "{n} keys differ from the defaults (its name, title and description aside): "
            ),
        },
        shown.join(", "),
        if changed.len() > shown.len() {
            ", …"
        } else {
            ""
        },
        crate::version::words()
    )
}

fn validate(a: ValidateArgs) -> anyhow::Result<()> {
    use crate::experiment::validation::{self, Settings};
    // Before the long run: a report that could not be written is refused now.
    staging::check_file_destination(&a.out, a.force)?;
    // Only a report of bureausim's is replaced: checked now, and again
    // just before writing (a file may have come there while the checks ran).
    let replaceable = || {
        staging::check_replaceable(
            "--out",
            &a.out,
            "a validation report",
            output::validation::is_report,
        )
    };
    replaceable()?;
    if !a.scenarios.join("pakistan_baseline.toml").is_file() {
        return Err(UsageError(format!(
            "--scenarios {}: no pakistan_baseline.toml there; give the folder of the scenario library",
            a.scenarios.display()
        ))
        .into());
    }
    let mut settings = if a.quick {
        Settings::quick()
    } else {
        Settings::full()
    };
    if let Some(n) = a.replicates {
        settings.replicates = n;
    }
    settings.threads = worker_threads(a.threads);
    // Each check runs for its own window and every arm with the settings'
    // replicates: a `--set` of either would be overwritten.
    for set in &a.sets {
        let key = set.split_once('=').map_or(set.as_str(), |(k, _)| k).trim();
        let own = match crate::paths::segments(&crate::paths::canonical(key))
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()[..]
        {
            ["sim", "years"] => "each check runs for the years its window needs",
            ["sim", "replicates"] => "give --replicates",
            ["sim"] => "each check runs for its own years, with --replicates",
            _ => continue,
        };
        return Err(UsageError(format!(
            "--set {set}: validate sets `{key}` itself ({own}); leave it out"
        ))
        .into());
    }
    settings.sets = a.sets.clone();
    // Before the long run, as `run` does: its largest run must fit.
    let largest = validation::largest_need(&a.scenarios, &settings)?;
    if let Some((need, path)) = largest
        && let Some(have) = available_memory()
        && need as f64 > have
    {
        return Err(UsageError(format!(
            "validating `{}` needs about {:.1} GiB of memory with {} worker threads, more than the {:.1} GiB available; give fewer with --threads",
            path.display(),
            need as f64 / GIB,
            settings.threads,
            have / GIB
        ))
        .into());
    }
    let mut command = String::from("bureausim validate");
    if a.quick {
        command.push_str(" --quick");
    }
    if a.scenarios != std::path::Path::new("scenarios") {
        command.push_str(&format!(" --scenarios {}", a.scenarios.display()));
    }
    for s in &a.sets {
        command.push_str(&format!(" --set {s}"));
    }
    if let Some(n) = a.replicates {
        command.push_str(&format!(" --replicates {n}"));
    }
    let started = Instant::now();
    let step = std::cell::Cell::new(0u32);
    let report = validation::run_all(&a.scenarios, &settings, &|what| {
        step.set(step.get() + 1);
        errln!(
            "[{:>6.1} s] {:>3}. {what}",
            started.elapsed().as_secs_f64(),
            step.get()
        );
    })?;
    let text = output::validation::render(&report, &command);
    replaceable()?;
    staging::write_file_atomic(&a.out, text.as_bytes(), a.force)?;
    let (ev, ex) = (report.evidence_tally(), report.expectation_tally());
    outln!(
        "published findings: {}/{} agree ({}/{} in direction){}",
        ev.agree,
        ev.total,
        ev.direction,
        ev.total,
        if report.not_run.is_empty() {
            String::new()
        } else {
            format!(
                "; {} not run, their arms set a key --set gives: {}",
                report.not_run.len(),
                report
                    .not_run
                    .iter()
                    .map(|(c, _)| c.id)
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    );
    outln!(
        "reform scenarios: {}/{} stated effects hold ({}/{} in direction)",
        ex.agree,
        ex.total,
        ex.direction,
        ex.total
    );
    outln!(
        "wrote {} in {:.1} s",
        a.out.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn calibrate(a: CalibrateArgs) -> anyhow::Result<()> {
    use crate::experiment::calibration::targets;
    if !a.params.is_empty() {
        return calibrate_fit(a, None);
    }
    for (flag, given) in [
        ("--markdown", a.markdown.is_some()),
        ("--seed", a.seed.is_some()),
        ("--hold-out", !a.hold_out.is_empty()),
        ("--shard", a.shard.is_some()),
    ] {
        if given {
            return Err(UsageError(format!(
                "{flag} belongs to a fit: give the parameters to fit with --param KEY=LOW:HIGH (without --param, calibrate only measures the scenario against its targets)"
            ))
            .into());
        }
    }
    let mut extra = Vec::new();
    if let Some(r) = a.replicates {
        extra.push(format!("sim.replicates={r}"));
    }
    let mut scn = load(&a.scenario, extra)?;
    let scale = check_scale(a.scale)?;
    if scale != 1.0 {
        scn = scn.scaled(scale);
        scn.validate(&a.scenario.scenario.display().to_string())?;
    }
    // Read once: the record's SHA-256 is of the text measured against.
    let targets_text = crate::input::read_toml_text(&a.targets).map_err(|e| {
        UsageError(format!(
            "cannot read target file `{}`: {e}",
            a.targets.display()
        ))
    })?;
    let set = targets::load_text(&targets_text, &a.targets, &scn)?;
    let dest = match &a.out {
        Some(out) => staging::normalize(out),
        None => staging::default_output(&scn.name, "-fit.csv"),
    };
    let inputs = [
        ("targets file", a.targets.as_path()),
        ("scenario file", a.scenario.scenario.as_path()),
    ];
    staging::refuse_input("--out", &dest, &inputs)?;
    staging::check_file_destination(&dest, a.force)?;
    let record = output::calibration::record_path(&dest);
    let beside = || {
        format!(
            "the record of --out {} goes beside it, in `{}`",
            dest.display(),
            record.display()
        )
    };
    staging::refuse_input("--out", &record, &inputs).with_context(beside)?;
    staging::check_file_destination(&record, a.force).with_context(beside)?;
    // Only a table and a record of bureausim's are replaced: checked now,
    // and again just before writing (a file may have come there while the
    // service was simulated).
    let replaceable = || -> anyhow::Result<()> {
        staging::check_replaceable(
            "--out",
            &dest,
            "a calibration table",
            output::calibration::is_table,
        )?;
        staging::check_replaceable(
            "--out",
            &record,
            "a calibration record",
            output::calibration::is_record,
        )
        .with_context(beside)
    };
    replaceable()?;
    let threads = worker_threads(a.threads);
    let size = scn.size_estimate();
    let reps = scn.sim.replicates as u64;
    check_memory(
        size.peak_bytes((threads as u64).min(reps), reps, false),
        None,
        &format!(
            "this run ({} officers × {} replicates)",
            size.officers, reps
        ),
    )?;
    if let Some(for_scenario) = &set.scenario {
        // The targets name the scenario they are for, relative to their file.
        let named = a
            .targets
            .parent()
            .unwrap_or(Path::new(""))
            .join(for_scenario);
        let same = |p: &Path| p.canonicalize().ok();
        if same(&named).is_none() || same(&named) != same(&a.scenario.scenario) {
            errln!(
                "note: `{}` lists targets for `{}`; measuring `{}` against them",
                a.targets.display(),
                named.display(),
                a.scenario.scenario.display()
            );
        }
    }
    let started = Instant::now();
    let results = crate::sim::runner::run(&scn, threads, &|| {})?;
    let fits = targets::evaluate(&set, &scn, &results, scale);
    outln!(
        "{} against `{}` ({}; {:.1} s); distance in units of each target's sd (an interval: 0 inside it, its quarter-width outside):\n",
        scn.name,
        a.targets.display(),
        match reps {
            1 => "1 replicate: no interval, which needs --replicates 2 or more".to_string(),
            n => format!("{n} replicates"),
        },
        started.elapsed().as_secs_f64()
    );
    out!("{}", output::calibration::text(&fits));
    let met = fits
        .iter()
        .filter(|f| f.evaluated && f.distance <= 2.0)
        .count();
    let evaluated = fits.iter().filter(|f| f.evaluated).count();
    replaceable()?;
    staging::write_file_atomic(&dest, &output::calibration::csv(&fits, &set)?, a.force)?;
    let mut command = calibrate_command(&a);
    command.push_str(&format!(" --replicates {reps}"));
    if scale != 1.0 {
        command.push_str(&format!(" --scale {scale}"));
    }
    command.push_str(&format!(" --out {}", dest.display()));
    let measured = output::calibration::Measured {
        command,
        scenario_file: &a.scenario.scenario,
        scenario: &scn,
        targets_file: &a.targets,
        targets_text: targets_text.as_bytes(),
        scale,
        table: &dest,
        met,
        evaluated,
    };
    staging::write_file_atomic(&record, &output::calibration::record(&measured), a.force)?;
    outln!(
        "\n{met} of {evaluated} evaluated targets within 2 (of {} targets); wrote {} and its record, {}",
        fits.len(),
        dest.display(),
        record.display()
    );
    Ok(())
}

/// The start of the command that reproduces a calibration or a
/// measurement: the scenario, the targets and the overrides.
fn calibrate_command(a: &CalibrateArgs) -> String {
    let mut command = format!(
        "bureausim calibrate {} --targets {}",
        a.scenario.scenario.display(),
        a.targets.display()
    );
    for s in &a.scenario.sets {
        command.push_str(&format!(" --set {s}"));
    }
    command
}

/// `--scale`: a factor in (0, 1] (1 when not given).
fn check_scale(scale: Option<f64>) -> anyhow::Result<f64> {
    match scale {
        None => Ok(1.0),
        Some(f) if f.is_finite() && f > 0.0 && f <= 1.0 => Ok(f),
        Some(f) => Err(UsageError(format!(
            "--scale {f}: the scale must be above 0 and at most 1, e.g. 0.25 for a quarter-size service"
        ))
        .into()),
    }
}

/// A calibration file's discussion: (target id, text), and the opening
/// paragraphs under an empty id.
type Discussion = Vec<(String, String)>;

/// A calibration as an experiment file (`kind = "calibrate"`): the keys are
/// `calibrate`'s flags; paths are relative to the file.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct CalibrationFile {
    #[allow(dead_code)]
    kind: String,
    name: Option<String>,
    scenario: PathBuf,
    targets: PathBuf,
    param: Vec<String>,
    #[serde(default)]
    hold_out: Vec<String>,
    #[serde(default)]
    set: Vec<String>,
    scale: Option<f64>,
    replicates: Option<u32>,
    particles: Option<u32>,
    budget: Option<u32>,
    generations: Option<u32>,
    quantile: Option<f64>,
    min_acceptance: Option<f64>,
    min_improvement: Option<f64>,
    #[serde(default, deserialize_with = "crate::rng::deserialize_seed_option")]
    seed: Option<u64>,
    /// The researcher's discussion of targets, by id, for the report.
    #[serde(default)]
    discussion: std::collections::BTreeMap<String, String>,
    /// Paragraphs that open the report: why these parameters and priors.
    #[serde(default)]
    about: Vec<String>,
}

/// The calibrate arguments of an experiment file of `kind = "calibrate"`
/// (`None` for any other kind).
fn calibration_file(a: &ExperimentFileArgs) -> anyhow::Result<Option<(CalibrateArgs, Discussion)>> {
    let shown = a.file.display().to_string();
    // A file that cannot be read or does not parse is refused here, by
    // line, before any flag is judged by its kind.
    let table: toml::Table = crate::scenario::read_toml_file(&a.file, "experiment file")?;
    let kind = table.get("kind").and_then(|k| k.as_str().map(String::from));
    if kind.as_deref() != Some("calibrate") {
        return Ok(None);
    }
    let f: CalibrationFile = crate::scenario::read_toml_file(&a.file, "experiment file")?;
    let dir = a.file.parent().unwrap_or(Path::new(""));
    let rel = |p: &PathBuf| {
        if p.is_absolute() {
            p.clone()
        } else {
            dir.join(p)
        }
    };
    let range =
        |key: &str, v: Option<u32>, lo: u32, hi: u32, default: u32| -> anyhow::Result<u32> {
            match v {
                None => Ok(default),
                Some(x) if (lo..=hi).contains(&x) => Ok(x),
                Some(x) => Err(UsageError(format!(
                    "experiment file `{shown}`: `{key}` is {x}; allowed: {lo} to {hi}"
                ))
                .into()),
            }
        };
    let name = f.name.clone().unwrap_or_else(|| {
        a.file
            .file_stem()
            .map(|s| crate::scenario::plain_name(&s.to_string_lossy()))
            .unwrap_or_else(|| "calibration".into())
    });
    if let Some(why) = crate::scenario::name_problem(&name) {
        return Err(UsageError(format!(
            "experiment file `{shown}`: `name` is {}: {why}; a name is a plain folder name (letters, digits, `_`, `-` and `.`, not starting with `.`), because results go to outputs/<name>",
            crate::error::shorten(&format!("{name:?}"), 80)
        ))
        .into());
    }
    if f.param.is_empty() {
        return Err(UsageError(format!(
            "experiment file `{shown}`: `param = []` is empty; a calibration fits at least one parameter, e.g. `param = [\"politics.interference=0.4:0.95\"]`"
        ))
        .into());
    }
    let mut discussion: Vec<(String, String)> = f.discussion.clone().into_iter().collect();
    // The opening paragraphs travel with the discussion, under an empty id.
    discussion.extend(f.about.iter().map(|p| (String::new(), p.clone())));
    Ok(Some((
        CalibrateArgs {
            scenario: ScenarioArgs {
                scenario: rel(&f.scenario),
                sets: f.set,
            },
            targets: rel(&f.targets),
            params: f.param,
            replicates: Some(range("replicates", f.replicates, 1, 100_000, 2)?),
            particles: range("particles", f.particles, 10, 100_000, 100)?,
            budget: range("budget", f.budget, 10, 10_000_000, 3000)?,
            generations: range("generations", f.generations, 1, 1000, 12)?,
            quantile: f.quantile.unwrap_or(0.5),
            min_acceptance: f.min_acceptance.unwrap_or(0.02),
            min_improvement: f.min_improvement.unwrap_or(0.02),
            hold_out: f.hold_out,
            scale: f.scale,
            seed: f.seed,
            out: Some(
                a.control
                    .out
                    .clone()
                    .unwrap_or_else(|| staging::default_output(&name, "")),
            ),
            threads: a.control.threads,
            force: a.control.force,
            markdown: a.markdown.clone(),
            shard: a.control.shard.clone(),
        },
        discussion,
    )))
}

/// An error of a calibration run from an experiment file, in the file's
/// words: the `calibrate` flag it would name (`--param ARG: …`) becomes
/// the file's key (`` `param` entry "ARG": … ``), under the file's name.
/// The experiment command's own flags (`--out`, `--force`, …) stay.
fn in_calibration_file(e: anyhow::Error, file: &Path) -> anyhow::Error {
    if e.downcast_ref::<UsageError>().is_none() && e.downcast_ref::<ScenarioError>().is_none() {
        return e;
    }
    const KEYS: [(&str, &str, bool); 9] = [
        ("--param", "param", true),
        ("--hold-out", "hold_out", true),
        ("--set", "set", true),
        ("--scale", "scale", false),
        ("--seed", "seed", false),
        ("--replicates", "replicates", false),
        ("--quantile", "quantile", false),
        ("--min-acceptance", "min_acceptance", false),
        ("--min-improvement", "min_improvement", false),
    ];
    let text = e.to_string();
    for (flag, key, list) in KEYS {
        if let Some(rest) = text.strip_prefix(flag).and_then(|r| r.strip_prefix(' ')) {
            let (arg, message) = rest.split_once(": ").unwrap_or((rest, ""));
            let named = if list {
                format!("`{key}` entry \"{arg}\"")
            } else {
                format!("`{key} = {arg}`")
            };
            return UsageError(format!(
                "experiment file `{}`: {named}: {message}",
                file.display()
            ))
            .into();
        }
    }
    // A scenario refused for a value of the file's `set` list.
    if text.contains(crate::scenario::OVERRIDE_NOTE) {
        return UsageError(format!(
            "experiment file `{}`: {}",
            file.display(),
            overrides_of_the_file(&text)
        ))
        .into();
    }
    e
}

/// A scenario's refusal as an experiment file's: the overrides it names
/// are the file's `set` entries (`experiment` takes no `--set`).
fn overrides_of_the_file(text: &str) -> String {
    use crate::scenario::{OVERRIDE_NOTE, OVERRIDE_NOTE_END};
    text.replace(OVERRIDE_NOTE, "(the value of the file's `set` entry ")
        .replace(OVERRIDE_NOTE_END, ", not of the scenario file)")
}

/// Clears a calibration folder's files (its own, and the shards'
/// journals) to start it again. A shard's files go at once (other shards
/// may be writing beside it); a whole fit's are moved into a folder aside
/// (`.NAME.old-PID-N`, [`staging::set_aside`]'s name) and returned, to be
/// removed once the new fit is written, so that an interrupted fit loses
/// nothing finished (a reproducibility audit, 2026-12-06: `--force` and a
/// kill left only the manifest and the journal of a complete fit).
fn clear_calibration(dest: &Path, ours: &[&str], shard: bool) -> anyhow::Result<Option<PathBuf>> {
    let journals = crate::experiment::calibration::run::journals(dest)?;
    if shard {
        for n in ours {
            let _ = std::fs::remove_file(dest.join(n));
        }
        for j in journals {
            let _ = std::fs::remove_file(j);
        }
        return Ok(None);
    }
    let aside = staging::aside_path(dest);
    std::fs::create_dir(&aside).with_context(|| format!("cannot create `{}`", aside.display()))?;
    let files = ours.iter().map(|n| dest.join(n)).chain(journals);
    for f in files.filter(|f| f.exists()) {
        let to = aside.join(f.file_name().expect("a file name"));
        std::fs::rename(&f, &to).with_context(|| format!("cannot move `{}` aside", f.display()))?;
    }
    Ok(Some(aside))
}

/// What a shard's round did and what to run next.
fn shard_round_words(
    s: Shard,
    r: &crate::experiment::calibration::run::Round,
    setup: &crate::experiment::calibration::run::Setup,
    dest: &Path,
) -> String {
    use crate::experiment::calibration::abc::Stop;
    let done = r.fit.generations.len();
    let head = format!(
        "shard {}/{}: simulated {} (and took {} from the journals in {})",
        s.index,
        s.count,
        r.simulated,
        r.replayed,
        dest.display()
    );
    if r.fit.stop != Stop::Pending {
        return format!(
            "{head}. The fit is complete ({}; {}): run it once without --shard to write the results:\n  {}",
            crate::output::number::counted(done, "generation"),
            r.fit.stop.words(),
            setup.command
        );
    }
    let at = match r.at {
        Some(p) => format!(
            "generation {} has {}/{} particles from the first {} proposals{}",
            p.generation,
            p.accepted,
            setup.settings.particles,
            p.tries,
            if p.tolerance.is_finite() {
                format!(" (tolerance {})", crate::error::rounded(p.tolerance))
            } else {
                String::new()
            }
        ),
        None => format!("generation {done} waits for its first proposals"),
    };
    format!(
        "{head}. Round over: {at}, and needs the other shards' simulations. When every shard's round is done, run the shards again (each resumes); repeat until one says the fit is complete."
    )
}

/// `bureausim calibrate --param ...` (or an experiment file of `kind =
/// "calibrate"`, `file`): the fit, run or resumed in its folder.
fn calibrate_fit(
    a: CalibrateArgs,
    file: Option<(&Path, Vec<(String, String)>)>,
) -> anyhow::Result<()> {
    let (file, discussion) = match file {
        Some((f, d)) => (Some(f), d),
        None => (None, Vec::new()),
    };
    use crate::experiment::calibration::{abc, run as cal, targets};
    let shard = a.shard.as_deref().map(Shard::parse).transpose()?;
    if shard.is_some() && a.force {
        return Err(UsageError(
            "--force with --shard: the shards share one folder, and starting it again would delete the other shards' work; start it again once, without --shard, then run the shards".into(),
        )
        .into());
    }
    if shard.is_some() && a.markdown.is_some() {
        return Err(UsageError(
            "--markdown with --shard: a shard writes no report; give --markdown to the run without --shard that writes the results".into(),
        )
        .into());
    }
    if let Some(m) = &a.markdown {
        output::calibration::check_markdown_destination(m)?;
    }
    let reps = a.replicates.unwrap_or(2);
    let mut scn = load(&a.scenario, vec![format!("sim.replicates={reps}")])?;
    let size = check_scale(a.scale)?;
    // The service at full size, for the check of the representative
    // particle after a scaled fit (loaded once, so its notes print once).
    let unscaled = (size != 1.0).then(|| scn.clone());
    if size != 1.0 {
        scn = scn.scaled(size);
    }
    let seed = a.seed.unwrap_or(scn.sim.seed);
    scn.sim.seed = seed;
    scn.validate(&a.scenario.scenario.display().to_string())?;
    let set = targets::load(&a.targets, &scn)?;
    let targets_text = crate::input::read_toml_text(&a.targets)
        .with_context(|| format!("cannot read `{}`", a.targets.display()))?;
    let params = a
        .params
        .iter()
        .map(|p| cal::parse_param(p))
        .collect::<Result<Vec<_>, _>>()?;
    // As an experiment file names them, or as flags.
    let (param_flag, set_flag, scale_flag, budget_flag, particles_flag) = if file.is_some() {
        ("`param`", "`set`", "`scale`", "`budget`", "`particles`")
    } else {
        ("--param", "--set", "--scale", "--budget", "--particles")
    };
    for p in &params {
        let key = crate::paths::canonical(&p.key);
        // A fit at a scale would find the key's value in the scaled
        // service's units, and the full-size check and `--ensemble` would
        // read it unscaled.
        if size != 1.0 && crate::scenario::Scenario::changed_by_scale(&key) {
            return Err(UsageError(format!(
                "{param_flag} {}: {scale_flag} changes this key, so it cannot also be fitted; drop {scale_flag} or fit it at full size",
                p.key
            ))
            .into());
        }
        // A --set of a fitted key would change only the report's "before".
        let segs = crate::paths::segments(&key);
        if let Some(s) = a.scenario.sets.iter().find(|s| {
            let k = crate::paths::segments(&crate::paths::canonical(
                s.split_once('=').map_or(s.as_str(), |(k, _)| k).trim(),
            ));
            // The fitted key itself or a key inside it; a table given whole
            // (`corruption = {...}`) merges, so it may leave the key alone.
            k.starts_with(&segs)
        }) {
            return Err(UsageError(format!(
                "{set_flag} {}: {param_flag} {} fits this key, so every particle sets it and this setting would change only the report's starting value; drop one of them",
                crate::error::shorten(s, 80),
                p.key
            ))
            .into());
        }
    }
    if !params.is_empty() && a.budget < a.particles {
        return Err(UsageError(format!(
            "{budget_flag} {}: below {particles_flag} {}, the fit could not complete its first generation (the prior's); give a budget of at least the particles, several times them for a fit that narrows",
            a.budget, a.particles
        ))
        .into());
    }
    for (flag, v) in [
        ("--quantile", a.quantile),
        ("--min-acceptance", a.min_acceptance),
        ("--min-improvement", a.min_improvement),
    ] {
        let ok = if flag == "--quantile" {
            v > 0.0 && v < 1.0
        } else {
            (0.0..1.0).contains(&v)
        };
        if !ok || !v.is_finite() {
            return Err(UsageError(format!(
                "{flag} {v}: give a share {}",
                if flag == "--quantile" {
                    "above 0 and below 1, e.g. 0.5"
                } else {
                    "from 0 up to (not including) 1"
                }
            ))
            .into());
        }
    }
    let settings = abc::Settings {
        particles: a.particles as usize,
        quantile: a.quantile,
        budget: a.budget as usize,
        max_generations: a.generations as usize,
        min_acceptance: a.min_acceptance,
        min_tries: a.particles as usize,
        min_improvement: a.min_improvement,
        batch: 16,
        seed,
    };
    let mut command = calibrate_command(&a);
    for p in &a.params {
        command.push_str(&format!(" --param {p}"));
    }
    for h in &a.hold_out {
        command.push_str(&format!(" --hold-out {h}"));
    }
    if size != 1.0 {
        command.push_str(&format!(" --scale {size}"));
    }
    command.push_str(&format!(
        " --replicates {reps} --particles {} --budget {} --generations {} --quantile {} --min-acceptance {} --min-improvement {} --seed {seed}",
        a.particles, a.budget, a.generations, a.quantile, a.min_acceptance, a.min_improvement
    ));
    let dest = match &a.out {
        Some(out) => staging::normalize(out),
        None => staging::default_output(&scn.name, "-calibration"),
    };
    command.push_str(&format!(" --out {}", dest.display()));
    staging::check_shape(&dest)?;
    if let Some(f) = file {
        command = format!(
            "bureausim experiment {} --out {}",
            f.display(),
            dest.display()
        );
    }
    if let Some(m) = &a.markdown {
        command.push_str(&format!(" --markdown {}", m.display()));
    }
    let setup = cal::Setup::new(
        scn,
        size,
        set,
        targets_text,
        a.hold_out.clone(),
        params,
        settings,
        command,
    )?;
    let mut setup = setup;
    for (id, _) in &discussion {
        if !id.is_empty() && !setup.targets.targets.iter().any(|t| &t.id == id) {
            return Err(UsageError(format!(
                "experiment file: [discussion] names `{id}`, which is not a target of `{}`",
                a.targets.display()
            ))
            .into());
        }
    }
    setup.discussion = discussion;
    if let Some(mut full) = unscaled {
        full.sim.replicates = reps.max(4);
        full.sim.seed = seed;
        setup.full_size = Some(full);
    }
    let manifest = dest.join("calibration.json");
    // A fit that an interrupted --force was replacing: said (or put back
    // when the folder is gone) before the folder is judged.
    staging::clear_stale(&dest);
    // The files a calibration folder holds; --force removes only these.
    const OURS: [&str; 14] = [
        "calibration.json",
        "simulations.csv",
        "posterior.csv",
        "generations.csv",
        "fit.csv",
        "report.md",
        "report.html",
        "posterior_marginals.png",
        "posterior_marginals.svg",
        "posterior_pairs.png",
        "posterior_pairs.svg",
        "generations.png",
        "generations.svg",
        ".staging",
    ];
    let mut manifest_json = cal::manifest(&setup, &dest);
    // The builds whose simulations a resumed folder holds (none recorded
    // before the record was kept).
    let mut resumed_by: Option<Vec<String>> = None;
    // The folder's manifest as found, when this command resumes it.
    let mut found: Option<serde_json::Value> = None;
    // Where --force moved the fit this one replaces, until it is written.
    let mut replaced: Option<PathBuf> = None;
    // To a shard, a folder with nothing visible in it is new: another shard
    // of the same fit may have created it and not yet written its manifest.
    let visible = |d: &Path| -> anyhow::Result<bool> {
        Ok(std::fs::read_dir(d)
            .with_context(|| format!("cannot read `{}`", d.display()))?
            .filter_map(|e| e.ok())
            .any(|e| !e.file_name().to_string_lossy().starts_with('.')))
    };
    if dest.exists() && (!dest.is_dir() || shard.is_none() || visible(&dest)?) {
        let theirs: Option<serde_json::Value> = crate::input::read_text(&manifest)
            .ok()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
            .filter(|v| v["fingerprint"].is_string());
        let foreign: Vec<String> = std::fs::read_dir(&dest)
            .with_context(|| format!("cannot read `{}`", dest.display()))?
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| {
                !OURS.contains(&n.as_str()) && !cal::is_shard_journal(n) && !n.starts_with('.')
            })
            .collect();
        let Some(theirs) = theirs.filter(|_| foreign.is_empty()) else {
            return Err(UsageError(format!(
                "--out {}: the folder exists and is not a calibration folder ({}); choose another --out",
                dest.display(),
                if foreign.is_empty() {
                    "no calibration.json".to_string()
                } else {
                    format!("it holds {}", foreign.join(", "))
                }
            ))
            .into());
        };
        if theirs["fingerprint"] != manifest_json["fingerprint"] {
            if !a.force {
                let (why, set) = cal::manifests_difference(
                    &theirs,
                    &manifest_json,
                    ("in the folder", "in this command"),
                );
                let resume = match set {
                    Some(r) => format!(
                        ". {}",
                        crate::experiment::store::resume_advice(
                            "calibration",
                            &r.words(file.is_some())
                        )
                    ),
                    None => String::new(),
                };
                return Err(UsageError(format!(
                    "--out {}: the folder holds another calibration ({why}){resume}; give --force to start it again, or choose another --out",
                    dest.display()
                ))
                .into());
            }
            replaced = clear_calibration(&dest, &OURS, shard.is_some())?;
        } else if a.force {
            replaced = clear_calibration(&dest, &OURS, shard.is_some())?;
        } else {
            // The platform of the build that started it stays recorded.
            if let Some(p) = theirs["platform"].as_str().filter(|p| !p.is_empty()) {
                manifest_json["platform"] = p.into();
            }
            resumed_by = Some(crate::version::commits_in(&theirs));
            found = Some(theirs);
        }
    }
    if let Some(commits) = &resumed_by {
        if let Some(note) = crate::version::resume_note("a calibration", &dest, commits) {
            errln!("{note}");
        }
        setup.made_by = crate::version::with_this_commit(commits);
        manifest_json["bureausim_commits"] = setup.made_by.clone().into();
    }
    std::fs::create_dir_all(&dest)
        .with_context(|| format!("cannot create `{}`", dest.display()))?;
    // Shards share the folder: the first writes the manifest, and a shard
    // of another build adds that build to the folder's makers (the
    // journals will hold its simulations).
    if shard.is_none() || !manifest.exists() {
        staging::write_file_atomic(
            &manifest,
            serde_json::to_string_pretty(&manifest_json)?.as_bytes(),
            true,
        )?;
    } else if found.is_none() {
        // Another shard wrote the manifest after this one found the folder
        // new: it must be the same calibration.
        let theirs = crate::input::read_text(&manifest)
            .ok()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok());
        if let Some(theirs) = theirs.filter(|t| t["fingerprint"] != manifest_json["fingerprint"]) {
            let (why, _) = cal::manifests_difference(
                &theirs,
                &manifest_json,
                ("in the folder", "in this command"),
            );
            return Err(UsageError(format!(
                "--out {}: another shard started a different calibration in this folder at the same time ({why}); give every shard the same command",
                dest.display()
            ))
            .into());
        }
    }
    // A shard of another build joining a folder adds that build to the
    // folder's makers once it has simulated something: after the first
    // batch that added to its journal (so a round killed later is
    // credited), not before (a round that only replays adds nothing).
    let to_credit = std::sync::atomic::AtomicBool::new(
        shard.is_some()
            && manifest.exists()
            && found.as_ref().is_some_and(|t| {
                !crate::version::commits_in(t)
                    .iter()
                    .any(|c| c == crate::version::COMMIT)
            }),
    );
    let credit = || -> anyhow::Result<()> {
        if !to_credit.swap(false, std::sync::atomic::Ordering::Relaxed) {
            return Ok(());
        }
        // Read again just before writing: a shard of another build may
        // have added itself since this one started.
        if let Some(mut now) = crate::input::read_text(&manifest)
            .ok()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        {
            now["bureausim_commits"] =
                crate::version::with_this_commit(&crate::version::commits_in(&now)).into();
            staging::write_file_atomic(
                &manifest,
                serde_json::to_string_pretty(&now)?.as_bytes(),
                true,
            )?;
        }
        Ok(())
    };
    let credit_error = std::sync::Mutex::new(None::<anyhow::Error>);
    let threads = worker_threads(a.threads);
    let est = setup.scenario.size_estimate();
    check_memory(
        est.peak_bytes((threads as u64).min(setup.settings.batch as u64), 1, false),
        None,
        &format!("this calibration ({} officers a run)", est.officers),
    )?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()?;
    let started = Instant::now();
    let last = std::sync::Mutex::new(Instant::now() - std::time::Duration::from_secs(10));
    let budget = setup.settings.budget;
    let ran = pool.install(|| {
        cal::run(&setup, &dest, shard, &|p, fresh| {
            if fresh > 0
                && let Err(e) = credit()
            {
                *credit_error.lock().expect("lock") = Some(e);
            }
            let mut l = last.lock().expect("lock");
            if l.elapsed() < std::time::Duration::from_secs(2) && p.simulations < budget {
                return;
            }
            *l = Instant::now();
            let el = started.elapsed().as_secs_f64();
            let left = if fresh > 0 {
                let s = el / fresh as f64 * budget.saturating_sub(p.simulations) as f64;
                format!(", at most {} left (budget)", human_seconds(s))
            } else {
                String::new()
            };
            errln!(
                "generation {}: {}/{} accepted of {} tried ({:.0}%), tolerance {}; {}/{} simulations{left}",
                p.generation,
                p.accepted,
                setup.settings.particles,
                p.tries,
                100.0 * p.accepted as f64 / p.tries.max(1) as f64,
                if p.tolerance.is_finite() {
                    crate::error::rounded(p.tolerance)
                } else {
                    "none (prior)".into()
                },
                p.simulations,
                budget
            );
        })
    })?;
    let outcome = match ran {
        cal::Ran::Done(o) => o,
        cal::Ran::Round(r) => {
            let s = shard.expect("a round is a shard's");
            if let Some(e) = credit_error.into_inner().expect("lock") {
                return Err(e);
            }
            if r.simulated > 0 {
                credit()?;
            }
            outln!("{}", shard_round_words(s, &r, &setup, &dest));
            return Ok(());
        }
    };
    if outcome.replayed > 0 {
        errln!(
            "resumed: {} simulations taken from {}",
            outcome.replayed,
            dest.join("simulations.csv").display()
        );
    }
    // A replay adds no simulation to the journal: the builds that made its
    // simulations are those the folder named (a reproducibility audit: a
    // replay credited this build with the journal's simulations).
    if outcome.simulated == 0
        && let Some(commits) = resumed_by.filter(|c| !c.is_empty())
    {
        setup.made_by = commits;
        manifest_json["bureausim_commits"] = setup.made_by.clone().into();
        staging::write_file_atomic(
            &manifest,
            serde_json::to_string_pretty(&manifest_json)?.as_bytes(),
            true,
        )?;
    }
    let markdown = a.markdown.as_deref().map(staging::normalize);
    let printed = output::calibration::write_fitted(&dest, &setup, &outcome, markdown.as_deref())?;
    if let Some(old) = &replaced {
        staging::discard_aside(old, &dest);
    }
    out!("{printed}");
    outln!(
        "\n{:.1} s; wrote {} (posterior.csv, fit.csv, generations.csv, simulations.csv, report.html, report.md and plots)",
        started.elapsed().as_secs_f64(),
        dest.display()
    );
    Ok(())
}

fn human_seconds(s: f64) -> String {
    if s < 90.0 {
        format!("{s:.0} s")
    } else if s < 5400.0 {
        format!("{:.0} min", s / 60.0)
    } else {
        format!("{:.1} h", s / 3600.0)
    }
}

fn run(a: RunArgs) -> anyhow::Result<()> {
    let mut extra = Vec::new();
    for (flag, own, value) in [
        ("--replicates", "replicates", a.replicates.map(u64::from)),
        ("--seed", "seed", a.seed),
        ("--years", "years", a.years.map(u64::from)),
    ] {
        let Some(value) = value else {
            continue;
        };
        // Both ways at once contradict each other (the --set won silently).
        if let Some(set) = a.scenario.sets.iter().find(|set| {
            let key = set.split_once('=').map_or(set.as_str(), |(k, _)| k);
            crate::experiment::spec::sim_setting(key) == Some(own)
        }) {
            return Err(UsageError(format!(
                "--set {} and {flag} {value} both set `sim.{own}`; give one",
                crate::error::shorten(set, 80)
            ))
            .into());
        }
        extra.push(format!("sim.{own}={value}"));
    }
    let scn = load(&a.scenario, extra).map_err(|e| match a.years {
        Some(y) => with_years_flag(e, y),
        None => e,
    })?;
    let dest = match &a.out {
        Some(out) => staging::normalize(out),
        None => staging::default_output(&scn.name, ""),
    };
    let mut warnings = scn.warnings();
    for w in &warnings {
        errln!("warning: {w}");
    }
    let threads = worker_threads(a.threads);
    let size = scn.size_estimate();
    let officers = size.officers;
    let reps = scn.sim.replicates as u64;
    check_memory(
        size.peak_bytes((threads as u64).min(reps), reps, !a.no_plots),
        a.max_memory,
        &format!(
            "this run ({} posts, {} officers × {} years × {} replicates = {:.3e} officer-years)",
            size.posts,
            size.officers,
            scn.sim.years + scn.sim.warmup_years,
            reps,
            size.officer_years
        ),
    )?;
    let staging = Staging::new(&dest, a.force, "a run")?;
    // The starting population is drawn before the warm-up; year 0 of the
    // files is the state after it.
    outln!(
        "bureausim {}: {} — {} × {} years, {} officers in {} posts {}, seed {}",
        env!("CARGO_PKG_VERSION"),
        scn.name,
        output::number::counted(scn.sim.replicates as usize, "replicate"),
        scn.sim.years,
        officers,
        scn.structure.total_posts(),
        match scn.sim.warmup_years {
            0 => "at the start".to_string(),
            w => format!("before the {w}-year warm-up"),
        },
        scn.sim.seed
    );
    let total = scn.sim.replicates as u64 * (scn.sim.years + scn.sim.warmup_years) as u64;
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} replicate-years, warm-up included ({eta} left)",
        )
        .expect("valid template"),
    );
    let started = Instant::now();
    let ensemble = Ensemble::run(&scn, threads, &|| bar.inc(1))?;
    bar.finish_and_clear();
    let sim_secs = started.elapsed().as_secs_f64();
    if let Some(w) = appraisal_bar_note(&ensemble.replicates) {
        errln!("warning: {w}");
        warnings.push(w);
    }

    let dir = &staging.tmp;
    let grade_names: Vec<String> = scn
        .structure
        .grades
        .iter()
        .map(|g| g.name.clone())
        .collect();
    let id = output::csv::RunId {
        scenario: &scn.name,
        seed: scn.sim.seed,
    };
    output::csv::write_timeseries(
        &dir.join("timeseries.csv"),
        &ensemble.replicates,
        id.scenario,
        id.seed,
    )?;
    output::csv::write_grades(
        &dir.join("grades.csv"),
        id,
        &ensemble.replicates,
        &grade_names,
    )?;
    output::csv::write_codebook(&dir.join("codebook.csv"))?;
    let sector_names: Vec<String> = scn
        .structure
        .sectors
        .iter()
        .map(|s| s.name.clone())
        .collect();
    output::csv::write_sectors(
        &dir.join("sectors.csv"),
        id,
        &ensemble.replicates,
        &sector_names,
    )?;
    output::json::write_summary(&dir.join("summary.json"), &ensemble)?;
    std::fs::write(dir.join("scenario.toml"), scn.to_toml())
        .context("cannot write scenario.toml")?;
    let changed = model_overrides(&a.scenario.sets);
    let plots = if a.no_plots {
        Vec::new()
    } else {
        let mut data = plot_data(&ensemble);
        data.overrides = changed.clone();
        output::figures::write_plots(dir, &data)?
    };
    // Warm-up years are simulated too, so they count in the throughput.
    let months = officers as f64
        * (scn.sim.years + scn.sim.warmup_years) as f64
        * 12.0
        * scn.sim.replicates as f64;
    let wall = started.elapsed().as_secs_f64();
    let mut phases = crate::sim::timing::Phases::default();
    for r in &ensemble.replicates {
        phases += r.phases;
    }
    let record = serde_json::json!({
        "command": std::env::args_os()
            .map(|a| a.to_string_lossy().into_owned())
            .collect::<Vec<_>>(),
        "bureausim_version": env!("CARGO_PKG_VERSION"),
        "bureausim_commit": crate::version::COMMIT,
        "platform": crate::version::TARGET,
        "threads": threads,
        "simulation_seconds": sim_secs,
        "wall_seconds": wall,
        "officer_months": months,
        "officer_months_per_second": months / sim_secs,
        "phase_seconds": phases,
        "warnings": warnings,
    });
    std::fs::write(
        dir.join("run.json"),
        serde_json::to_string_pretty(&record)? + "\n",
    )
    .context("cannot write run.json")?;
    let dest = staging.commit()?;

    let drawn = if a.no_plots {
        " (no plots: --no-plots)".to_string()
    } else {
        format!(" and {} plot files", plots.len())
    };
    outln!(
        "wrote {}/ : timeseries.csv, grades.csv, sectors.csv, codebook.csv, summary.json, scenario.toml, run.json{drawn}",
        dest.display(),
    );
    // What the scenario is for, and what this run changed in it (an
    // instructor's audit, 2026-12-07: a demo's run said neither).
    let about = scn.description.trim();
    if !about.is_empty() || !changed.is_empty() {
        outln!(
            "{}{}{}",
            scn.display_title(),
            if about.is_empty() {
                String::new()
            } else {
                format!(": {about}")
            },
            if changed.is_empty() {
                String::new()
            } else {
                format!(" (run with {})", output::figures::overrides_text(&changed))
            }
        );
    }
    let last = scn.sim.years as usize;
    if scn.sim.replicates == 1 {
        outln!("year {last}, one replicate (no interval: run 2 or more for one):");
    } else {
        outln!(
            "year {last}, mean over {} replicates [95% interval]:",
            scn.sim.replicates
        );
    }
    let mut off = Vec::new();
    for name in spec::MAIN_METRICS {
        if let Some(switch) = crate::metrics::switched_off(name, &scn) {
            off.push(format!("{} (`{switch}`)", crate::metrics::label(name)));
            continue;
        }
        let m = metric_index(name).expect("metric");
        let s = crate::metrics::level_stats(name, &ensemble.values(m, last));
        let sh = output::number::shown(name);
        let k = |v: Option<f64>| v.map_or(f64::NAN, |x| x * sh.factor);
        let [mean, lo, hi] =
            output::number::with_interval(k(s.mean), k(s.ci95_low), k(s.ci95_high), false);
        let value = if s.ci95_low.is_some() {
            format!("{mean} [{lo}, {hi}]")
        } else {
            mean
        };
        outln!(
            "  {:<36} {:>22} {:<20} ({name})",
            crate::metrics::label(name),
            value,
            sh.unit,
        );
    }
    if !off.is_empty() {
        outln!(
            "  Not shown, their mechanisms are off in this scenario: {}.",
            off.join(", ")
        );
    }
    outln!(
        "These are the model's levels for this scenario. Compare it with another (`bureausim compare`) for effects, and read those as relative effects within the model, not forecasts."
    );
    outln!(
        "done in {wall:.2} s ({:.1} million officer-months/s)",
        months / sim_secs / 1e6
    );
    Ok(())
}

/// The `--set` overrides that change what is simulated, as given: not the
/// run's settings (`sim.*`, which the figures' axes and the summary show)
/// nor the names (`name`, `title`, `description`).
fn model_overrides(sets: &[String]) -> Vec<String> {
    sets.iter()
        .filter(|s| {
            let key = s.split_once('=').map_or(s.as_str(), |(k, _)| k).trim();
            let key = key.trim_matches('"');
            !(key == "sim"
                || key.starts_with("sim.")
                || ["name", "title", "description"].contains(&key))
        })
        .map(|s| s.trim().to_string())
        .collect()
}

/// The plots' view of an ensemble.
pub fn plot_data(e: &Ensemble) -> output::figures::PlotData {
    let s = &e.scenario;
    let years: Vec<f64> = (0..=s.sim.years).map(|y| y as f64).collect();
    let metrics = METRICS
        .iter()
        .enumerate()
        .map(|(m, def)| {
            let per_rep = e
                .replicates
                .iter()
                .map(|r| r.rows.iter().map(|row| row[m]).collect())
                .collect();
            (def.name.to_string(), per_rep)
        })
        .collect();
    let grade_headcount = (0..s.structure.grades.len())
        .map(|g| {
            e.replicates
                .iter()
                .map(|r| r.grades.iter().map(|yr| yr[g][0]).collect())
                .collect()
        })
        .collect();
    let reforms = s
        .reforms
        .iter()
        .enumerate()
        .map(|(k, r)| (r.year, r.display_label(k)))
        .collect();
    // A mechanism off for the whole run: off at the start, and no reform
    // switches it on.
    let off = |enabled: bool, key: &str| {
        !enabled
            && !s.reforms.iter().any(|r| {
                crate::paths::flatten(&r.set)
                    .iter()
                    .any(|(k, _)| crate::paths::canonical(k) == crate::paths::canonical(key))
            })
    };
    output::figures::PlotData {
        title: s.display_title().to_string(),
        years,
        metrics,
        grade_names: s.structure.grades.iter().map(|g| g.name.clone()).collect(),
        grade_headcount,
        reforms,
        elections: s.politics.election_years(s.sim.years),
        corruption_off: off(s.corruption.enabled, "corruption.enabled"),
        postings_off: off(s.postings.enabled, "postings.enabled"),
        overrides: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A message quoting the input cannot drive the terminal: escapes are
    /// shown, not sent; the message's own line breaks stay.
    #[test]
    fn control_characters_in_an_error_are_shown_escaped() {
        let err = anyhow::anyhow!("unknown field `\u{1b}]0;PWNED\u{7}`\nat key x");
        let text = error_message(&err);
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{7}'),
            "{text}"
        );
        assert!(
            text.contains("\\u{1b}]0;PWNED\\u{7}") && text.contains("\nat key"),
            "{text}"
        );
    }

    #[test]
    fn each_cause_of_an_error_is_printed_once() {
        // Issue 12, item 15: an OS error wrapped with a message that already
        // quotes it printed twice.
        let os = std::io::Error::other("Resource temporarily unavailable (os error 11)");
        let err = anyhow::Error::new(os)
            .context("cannot start 5000 threads: Resource temporarily unavailable (os error 11)");
        let m = error_message(&err);
        assert_eq!(m.matches("os error 11").count(), 1, "{m}");
        let err = anyhow::anyhow!("inner").context("outer");
        assert_eq!(error_message(&err), "outer: inner");
    }

    #[test]
    fn negative_numbers_reach_the_flags_own_check() {
        let e = Cli::try_parse_from(["bureausim", "run", "x.toml", "--seed", "-1"])
            .unwrap_err()
            .to_string();
        assert!(e.contains("a seed is a whole number from 0 to"), "{e}");
        assert!(!e.contains("-- -1"), "{e}");
        let e = Cli::try_parse_from(["bureausim", "run", "x.toml", "--replicates", "-1"])
            .unwrap_err()
            .to_string();
        assert!(e.contains("-1 is not in 1..=100000"), "{e}");
    }
}
