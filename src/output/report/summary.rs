//! An experiment's `summary.json`.

use std::path::Path;

use serde::Serialize;

use crate::experiment::analysis::{ArmStat, Carried, ParamIndex};
use crate::experiment::plan::Plan;
use crate::experiment::spec::{Kind, Method};
use crate::metrics::summary::Stats;
use crate::staging::write_file_atomic_with;

#[derive(Serialize)]
struct VariantOut<'a> {
    point: usize,
    label: &'a str,
    sets: &'a [String],
}

#[derive(Serialize)]
struct ScenarioOut<'a> {
    name: &'a str,
    description: &'a str,
}

#[derive(Serialize)]
struct StatOut<'a> {
    metric: &'a str,
    year: u32,
    point: usize,
    label: &'a str,
    #[serde(flatten)]
    stats: &'a Stats,
    #[serde(skip_serializing_if = "Option::is_none")]
    diff: Option<&'a Stats>,
    #[serde(skip_serializing_if = "Option::is_none")]
    significant: Option<bool>,
}

#[derive(Serialize)]
struct ExperimentSummary<'a> {
    bureausim_version: &'static str,
    /// The git commit the binary was built from.
    bureausim_commit: &'static str,
    /// The commits of the builds whose runs these results hold
    /// (`experiment.json`); left out when they are this build's alone.
    #[serde(skip_serializing_if = "Option::is_none")]
    run_commits: Option<&'a [String]>,
    kind: &'static str,
    fingerprint: String,
    command: &'a str,
    /// The overrides applied to every scenario (`--set`, or an experiment
    /// file's `set`, which the command does not show); left out when none.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    sets: &'a [String],
    replicates: u32,
    seed: u64,
    years: u32,
    /// `--scale` (or the experiment file's `scale`): counts and bills in
    /// `results` are of the service at this scale; left out at full size.
    #[serde(skip_serializing_if = "Option::is_none")]
    scale: Option<f64>,
    report_years: &'a [u32],
    #[serde(skip_serializing_if = "Option::is_none")]
    analysed_year: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    method: Option<Method>,
    scenarios: Vec<ScenarioOut<'a>>,
    points: Vec<VariantOut<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    results: Vec<StatOut<'a>>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    indices: &'a [ParamIndex],
    /// `compare --decompose`: what each mechanism carries of each difference.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    decomposition: &'a [Carried],
}

/// `summary.json`: the experiment and every statistic, with no times or paths.
pub(super) fn write_summary(
    dir: &Path,
    plan: &Plan,
    rows: &[ArmStat],
    ix: &[ParamIndex],
    carried: &[Carried],
) -> anyhow::Result<()> {
    let sens = plan.spec.kind == Kind::Sensitivity;
    let s = ExperimentSummary {
        bureausim_version: env!("CARGO_PKG_VERSION"),
        bureausim_commit: crate::version::COMMIT,
        run_commits: plan
            .made_by
            .iter()
            .any(|c| !crate::version::same_commit(c, crate::version::COMMIT))
            .then_some(&plan.made_by[..]),
        kind: plan.spec.kind.name(),
        fingerprint: plan.fingerprint.clone(),
        command: &plan.command,
        sets: &plan.spec.sets,
        replicates: plan.spec.replicates,
        seed: plan.seed,
        years: plan.years,
        scale: plan.spec.scale.filter(|&f| f != 1.0),
        report_years: &plan.report_years,
        analysed_year: sens.then_some(plan.year),
        method: sens.then_some(plan.spec.method),
        scenarios: plan
            .bases
            .iter()
            .map(|b| ScenarioOut {
                name: &b.name,
                description: &b.description,
            })
            .collect(),
        points: plan
            .variants
            .iter()
            .enumerate()
            .map(|(k, v)| VariantOut {
                point: k,
                label: &v.label,
                sets: &v.sets,
            })
            .collect(),
        results: rows
            .iter()
            .map(|a| StatOut {
                metric: a.metric,
                year: a.year,
                point: a.arm,
                label: &plan.variants[a.arm].label,
                stats: &a.stats,
                diff: a.diff.as_ref(),
                // None without an interval (one replicate): nothing judged.
                significant: a
                    .diff
                    .as_ref()
                    .filter(|d| d.ci95_low.is_some())
                    .map(|_| a.significant),
            })
            .collect(),
        indices: ix,
        decomposition: carried,
    };
    // Streamed: a sweep of 10,000 points has a summary of some 180 MB.
    write_file_atomic_with(&dir.join("summary.json"), true, |w| {
        serde_json::to_writer_pretty(&mut *w, &s)?;
        w.write_all(b"\n")
    })
}
