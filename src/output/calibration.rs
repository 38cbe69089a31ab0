//! The fit table of `bureausim calibrate`: each target's observed value,
//! the model's mean with its 95% interval and the distance, as text for
//! the terminal and as CSV.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::rounded;
use crate::experiment::calibration::targets::{Fit, TargetSet};
use crate::output::number::{csv_option, csv_value};

/// The table as the terminal shows it.
pub fn text(fits: &[Fit]) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "{:<32} {:>18} {:>30} {:>9}",
        "target", "observed", "model [95% CI]", "distance"
    );
    for f in fits {
        let (model, d) = if f.evaluated {
            // One replicate has no interval (the CSV leaves its cells empty).
            let interval = if f.low.is_finite() && f.high.is_finite() {
                format!("[{}, {}]", rounded(f.low), rounded(f.high))
            } else {
                "[no interval]".to_string()
            };
            (
                format!("{} {interval}", rounded(f.model)),
                rounded(f.distance),
            )
        } else {
            ("not evaluated (no output)".into(), "–".into())
        };
        // A value too wide for its column (an order of sectors) goes on a
        // line of its own under the row.
        let (observed, below) = if f.observed.chars().count() > 18 {
            ("(below)", Some(&f.observed))
        } else {
            (f.observed.as_str(), None)
        };
        let _ = writeln!(o, "{:<32} {:>18} {:>30} {:>9}", f.id, observed, model, d);
        if let Some(text) = below {
            let _ = writeln!(o, "    {text}");
        }
    }
    o
}

/// Whether `text`, a file's opening, is a measurement's table as [`csv`]
/// writes it, or as it was written before its observation's number
/// columns (`target,observed,model,…`): what `calibrate --force` may
/// replace.
pub fn is_table(text: &str) -> bool {
    text.starts_with("target,observed,")
}

/// Whether `text`, a file's opening, is a measurement's record as
/// [`record`] writes it (what `calibrate --force` may replace): the one
/// commit that made it, not a calibration folder's manifest, which lists
/// `bureausim_commits` and must not be replaced by a record.
pub fn is_record(text: &str) -> bool {
    text.starts_with('{')
        && text.contains("\"bureausim_commit\":")
        && text.contains("\"bureausim_version\"")
        && text.contains("\"command\": \"bureausim calibrate ")
}

/// The table as CSV, with each target's source.
pub fn csv(fits: &[Fit], set: &TargetSet) -> anyhow::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "target",
        "observed",
        "observed_value",
        "observed_sd",
        "interval_low",
        "interval_high",
        "model",
        "model_ci95_low",
        "model_ci95_high",
        "distance",
        "evaluated",
        "source",
    ])?;
    for (f, t) in fits.iter().zip(&set.targets) {
        let [o, sd, lo, hi] = t.observed_numbers().map(csv_option);
        w.write_record([
            f.id.clone(),
            f.observed.clone(),
            o,
            sd,
            lo,
            hi,
            csv_value(f.model),
            csv_value(f.low),
            csv_value(f.high),
            csv_value(f.distance),
            f.evaluated.to_string(),
            crate::output::number::csv_text(&t.source),
        ])?;
    }
    w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))
}

// ---------------------------------------------------------------------------
// A fitted calibration's folder.

use crate::experiment::calibration::abc::{Fit as AbcFit, weighted_quantile};
use crate::experiment::calibration::run::{Outcome, Setup};
use crate::output::chart::{self, Panel, Series};
use crate::output::report::html::{CSS, esc, figure, inline, table};
use crate::output::report::terminal::text_table;
use crate::staging::write_file_atomic;

/// One parameter's posterior summary.
struct ParamRow {
    key: String,
    prior: String,
    before: f64,
    /// The representative particle's value.
    representative: f64,
    /// Share of the posterior's weight at or below `before`.
    before_percentile: f64,
    mean: f64,
    median: f64,
    low: f64,
    high: f64,
}

/// One target against the accepted simulations of the posterior.
struct TargetRow {
    id: String,
    role: &'static str,
    observed: String,
    /// [`crate::experiment::calibration::targets::Target::observed_numbers`].
    observed_numbers: [Option<f64>; 4],
    before: f64,
    before_distance: f64,
    mean: f64,
    low: f64,
    high: f64,
    distance: f64,
    /// The posterior predictive (fresh simulations of the particles):
    /// weighted mean, 5% and 95%, and the mean's distance.
    p_mean: f64,
    p_low: f64,
    p_high: f64,
    p_distance: f64,
    /// The representative particle at full size (scaled fits).
    full: f64,
    source: String,
}

fn weighted_mean(xs: &[f64], w: &[f64]) -> f64 {
    let (mut s, mut t) = (0.0, 0.0);
    for (x, w) in xs.iter().zip(w) {
        if x.is_finite() {
            s += x * w;
            t += w;
        }
    }
    if t > 0.0 { s / t } else { f64::NAN }
}

fn finite_quantile(xs: &[f64], w: &[f64], q: f64) -> f64 {
    let (v, ww): (Vec<f64>, Vec<f64>) = xs
        .iter()
        .zip(w)
        .filter(|(x, _)| x.is_finite())
        .map(|(x, w)| (*x, *w))
        .unzip();
    let total: f64 = ww.iter().sum();
    if v.is_empty() || total <= 0.0 {
        return f64::NAN;
    }
    let ww: Vec<f64> = ww.iter().map(|x| x / total).collect();
    weighted_quantile(&v, &ww, q)
}

fn param_rows(setup: &Setup, out: &Outcome) -> Vec<ParamRow> {
    let post = out.fit.posterior();
    let rep = out.representative;
    setup
        .params
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let xs: Vec<f64> = post.params.iter().map(|x| x[i]).collect();
            ParamRow {
                key: p.key.clone(),
                prior: format!(
                    "{} [{}, {}]",
                    if p.log { "log-uniform" } else { "uniform" },
                    rounded(p.low),
                    rounded(p.high)
                ),
                before: out.start.params[i],
                before_percentile: xs
                    .iter()
                    .zip(&post.weights)
                    .filter(|(x, _)| **x <= out.start.params[i])
                    .map(|(_, w)| w)
                    .sum::<f64>()
                    / post.weights.iter().sum::<f64>().max(f64::MIN_POSITIVE),
                representative: post.params[rep][i],
                mean: weighted_mean(&xs, &post.weights),
                median: finite_quantile(&xs, &post.weights, 0.5),
                low: finite_quantile(&xs, &post.weights, 0.05),
                high: finite_quantile(&xs, &post.weights, 0.95),
            }
        })
        .collect()
}

fn target_rows(setup: &Setup, out: &Outcome) -> Vec<TargetRow> {
    let post = out.fit.posterior();
    setup
        .targets
        .targets
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let xs: Vec<f64> = post
                .seeds
                .iter()
                .map(|s| out.sim(*s).map_or(f64::NAN, |s| s.values[i]))
                .collect();
            let mean = weighted_mean(&xs, &post.weights);
            let ps: Vec<f64> = out.predictive.iter().map(|s| s.values[i]).collect();
            let p_mean = weighted_mean(&ps, &post.weights);
            let role = if setup.used[i] {
                "fitted"
            } else if setup.held_out.contains(&t.id) {
                "held out"
            } else {
                "not computed"
            };
            TargetRow {
                id: t.id.clone(),
                role,
                observed: t.observed_text(),
                observed_numbers: t.observed_numbers(),
                before: out.start.values[i],
                before_distance: t.distance(out.start.values[i]),
                mean,
                low: finite_quantile(&xs, &post.weights, 0.05),
                high: finite_quantile(&xs, &post.weights, 0.95),
                distance: t.distance(mean),
                p_mean,
                p_low: finite_quantile(&ps, &post.weights, 0.05),
                p_high: finite_quantile(&ps, &post.weights, 0.95),
                p_distance: t.distance(p_mean),
                full: out.full.as_ref().map_or(f64::NAN, |f| f.values[i]),
                source: t.source.clone(),
            }
        })
        .collect()
}

/// `posterior.csv`: the last generation's particles with their weights,
/// the file `--ensemble` reads.
fn posterior_csv(setup: &Setup, out: &Outcome) -> anyhow::Result<Vec<u8>> {
    let post = out.fit.posterior();
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut head = vec!["particle".to_string(), "weight".into(), "distance".into()];
    head.extend(setup.params.iter().map(|p| p.key.clone()));
    w.write_record(&head)?;
    for (k, x) in post.params.iter().enumerate() {
        let mut row = vec![
            (k + 1).to_string(),
            format!("{}", post.weights[k]),
            format!("{}", post.distances[k]),
        ];
        row.extend(
            x.iter()
                .zip(&setup.params)
                .map(|(v, p)| crate::experiment::plan::value_text(*v, p.integer)),
        );
        w.write_record(&row)?;
    }
    w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))
}

/// Effective sample size of normalised weights.
fn ess(w: &[f64]) -> f64 {
    let s: f64 = w.iter().map(|x| x * x).sum();
    if s > 0.0 { 1.0 / s } else { 0.0 }
}

fn generations_csv(setup: &Setup, fit: &AbcFit) -> anyhow::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut head: Vec<String> = [
        "generation",
        "tolerance",
        "accepted",
        "tried",
        "failed",
        "acceptance_rate",
        "effective_sample_size",
        "median_distance",
    ]
    .map(String::from)
    .to_vec();
    for p in &setup.params {
        head.push(format!("{}_median", p.key));
        head.push(format!("{}_p05", p.key));
        head.push(format!("{}_p95", p.key));
    }
    w.write_record(&head)?;
    for (t, g) in fit.generations.iter().enumerate() {
        let mut row = vec![
            t.to_string(),
            csv_value(g.tolerance),
            g.params.len().to_string(),
            g.tries.to_string(),
            g.failed.to_string(),
            csv_value(g.acceptance()),
            csv_value(ess(&g.weights)),
            csv_value(weighted_quantile(&g.distances, &g.weights, 0.5)),
        ];
        for i in 0..setup.params.len() {
            let xs: Vec<f64> = g.params.iter().map(|x| x[i]).collect();
            for q in [0.5, 0.05, 0.95] {
                row.push(csv_value(weighted_quantile(&xs, &g.weights, q)));
            }
        }
        w.write_record(&row)?;
    }
    w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))
}

fn fit_csv(rows: &[TargetRow]) -> anyhow::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "target",
        "role",
        "observed",
        "observed_value",
        "observed_sd",
        "interval_low",
        "interval_high",
        "before",
        "before_distance",
        "posterior_mean",
        "posterior_p05",
        "posterior_p95",
        "distance",
        "predictive_mean",
        "predictive_p05",
        "predictive_p95",
        "predictive_distance",
        "full_size_representative",
        "source",
    ])?;
    for r in rows {
        let [o, sd, lo, hi] = r.observed_numbers.map(csv_option);
        w.write_record([
            r.id.clone(),
            r.role.to_string(),
            r.observed.clone(),
            o,
            sd,
            lo,
            hi,
            csv_value(r.before),
            csv_value(r.before_distance),
            csv_value(r.mean),
            csv_value(r.low),
            csv_value(r.high),
            csv_value(r.distance),
            csv_value(r.p_mean),
            csv_value(r.p_low),
            csv_value(r.p_high),
            csv_value(r.p_distance),
            csv_value(r.full),
            crate::output::number::csv_text(&r.source),
        ])?;
    }
    w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))
}

/// The charts: each parameter's marginal (on its prior range), the
/// posterior correlations, and the tolerance and acceptance by generation.
fn charts(setup: &Setup, out: &Outcome) -> Vec<(String, String, chart::Chart)> {
    let post = out.fit.posterior();
    let bins = 10usize;
    let centres: Vec<f64> = (0..bins).map(|b| (b as f64 + 0.5) / bins as f64).collect();
    let panels: Vec<Panel> = setup
        .params
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let unit = |x: f64| {
                if p.log {
                    (x.ln() - p.low.ln()) / (p.high.ln() - p.low.ln())
                } else {
                    (x - p.low) / (p.high - p.low)
                }
            };
            let mut h = vec![0.0; bins];
            for (x, w) in post.params.iter().zip(&post.weights) {
                let b = ((unit(x[i]) * bins as f64) as usize).min(bins - 1);
                h[b] += w * bins as f64;
            }
            Panel {
                title: format!("{} [{}, {}]", p.key, rounded(p.low), rounded(p.high)),
                y_label: "density".into(),
                series: vec![
                    Series::line("posterior", centres.clone(), h),
                    Series::line("prior", vec![0.0, 1.0], vec![1.0, 1.0]),
                ],
            }
        })
        .collect();
    let marginals = chart::overlay(
        "Posterior of each parameter over its prior range",
        "place in prior range, 0 to 1 (log for log priors)",
        &panels,
        "",
    );
    let k = setup.params.len();
    let idx: Vec<f64> = (1..=k).map(|i| i as f64).collect();
    let mut corr = vec![vec![f64::NAN; k]; k];
    for a in 0..k {
        for b in 0..k {
            let xa: Vec<f64> = post.params.iter().map(|x| x[a]).collect();
            let xb: Vec<f64> = post.params.iter().map(|x| x[b]).collect();
            corr[b][a] = weighted_corr(&xa, &xb, &post.weights);
        }
    }
    let pairs = chart::heatmap(
        "Posterior correlation between parameters",
        "parameter (numbered as in the table)",
        "parameter (numbered as in the table)",
        &idx,
        &idx,
        &corr,
        "weighted correlation",
    );
    let gens: Vec<f64> = (0..out.fit.generations.len()).map(|g| g as f64).collect();
    let tol: Vec<f64> = out.fit.generations.iter().map(|g| g.tolerance).collect();
    let acc: Vec<f64> = out.fit.generations.iter().map(|g| g.acceptance()).collect();
    let progress = chart::overlay(
        "How the fit went, generation by generation",
        "generation",
        &[
            Panel {
                title: "tolerance".into(),
                y_label: "RMS distance (sd units)".into(),
                series: vec![Series::line("tolerance", gens.clone(), tol)],
            },
            Panel {
                title: "acceptance rate".into(),
                y_label: "share of proposals".into(),
                series: vec![Series::line("acceptance rate", gens, acc)],
            },
        ],
        "",
    );
    vec![
        (
            "posterior_marginals".into(),
            "Each parameter's posterior (weighted histogram) against its flat prior, on the prior's range.".into(),
            marginals,
        ),
        (
            "posterior_pairs".into(),
            "Weighted correlations between the parameters in the posterior: strong ones mean the targets fix a combination, not each parameter.".into(),
            pairs,
        ),
        (
            "generations".into(),
            "Tolerance and acceptance rate by generation (generation 0 is the prior, all accepted).".into(),
            progress,
        ),
    ]
}

fn weighted_corr(a: &[f64], b: &[f64], w: &[f64]) -> f64 {
    let ma = weighted_mean(a, w);
    let mb = weighted_mean(b, w);
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for ((x, y), w) in a.iter().zip(b).zip(w) {
        sab += w * (x - ma) * (y - mb);
        saa += w * (x - ma).powi(2);
        sbb += w * (y - mb).powi(2);
    }
    if saa > 0.0 && sbb > 0.0 {
        sab / (saa * sbb).sqrt()
    } else {
        f64::NAN
    }
}

/// The report's text: paragraphs and tables (head, rows).
struct Doc {
    title: String,
    intro: Vec<String>,
    tables: Vec<(String, Vec<String>, Vec<Vec<String>>)>,
    notes: Vec<String>,
}

fn doc(setup: &Setup, out: &Outcome, params: &[ParamRow], targets: &[TargetRow]) -> Doc {
    let fit = &out.fit;
    let post = fit.posterior();
    let fitted: Vec<&TargetRow> = targets.iter().filter(|t| t.role == "fitted").collect();
    let met = fitted.iter().filter(|t| t.distance <= 2.0).count();
    let met_predicted = fitted.iter().filter(|t| t.p_distance <= 2.0).count();
    let failed_predicted = out
        .predictive
        .iter()
        .filter(|s| s.failure.is_some())
        .count();
    let mut intro: Vec<String> = setup
        .discussion
        .iter()
        .filter(|(id, _)| id.is_empty())
        .map(|(_, p)| p.clone())
        .collect();
    intro.extend([
        format!(
            "Scenario `{}` at scale {}, {} replicates a particle; targets `{}` ({} fitted, {} held out, {} not computed); {} parameters.",
            setup.scenario.name,
            setup.size,
            setup.scenario.sim.replicates,
            setup.targets.name,
            fitted.len(),
            targets.iter().filter(|t| t.role == "held out").count(),
            targets.iter().filter(|t| t.role == "not computed").count(),
            setup.params.len()
        ),
        format!(
            "The fit stopped because {} after {} simulations in {} generation{}; the posterior is generation {} ({} particles, effective sample size {:.0}, {}).",
            fit.stop.words(),
            fit.simulations,
            fit.generations.len(),
            if fit.generations.len() == 1 { "" } else { "s" },
            fit.generations.len() - 1,
            post.params.len(),
            ess(&post.weights),
            if post.tolerance.is_finite() {
                format!(
                    "tolerance {}: a root mean square distance from the targets of at most {} of their standard deviations",
                    rounded(post.tolerance),
                    rounded(post.tolerance)
                )
            } else {
                // Generation 0: the prior's draws, every one accepted.
                "no tolerance: these are draws from the prior, every one accepted, so the fit has not yet narrowed anything".into()
            }
        ),
        format!(
            "{met} of {n} fitted targets are within 2 standard deviations (or half an interval's width beyond it) at the mean of the posterior's accepted simulations, and {met_predicted} of {n} at the mean of the posterior predictive ({} fresh simulations, one of each particle on a seed the fit never used, weighted as the particles{}; unlike the accepted simulations, they were not selected for being near the targets).",
            out.predictive.len(),
            if failed_predicted > 0 {
                format!("; {failed_predicted} of them failed and are left out")
            } else {
                String::new()
            },
            n = fitted.len()
        ),
    ]);
    let rep = out.representative;
    intro.push(format!(
        "The representative particle (number {} of `posterior.csv`, nearest the posterior medians; distance {}), as overrides: `{}`.",
        rep + 1,
        rounded(post.distances[rep]),
        // As the fit set them: whole-number keys rounded, and the key that
        // absorbs a linked share's change (a review, 2026-12-07: without
        // it a fitted `recruitment.merit_share` made overrides `run`
        // refuses, the shares not summing to 1). Every posterior particle
        // was simulated through the same sets, so they cannot fail here;
        // if they did, the report says why rather than print overrides
        // that `run` would refuse.
        match setup.sets(&post.params[rep]) {
            Ok(sets) => sets
                .iter()
                .map(|set| format!("--set {set}"))
                .collect::<Vec<_>>()
                .join(" "),
            Err(e) => format!("(the overrides could not be formed: {e})"),
        }
    ));
    intro.push(format!(
        "Each row of `simulations.csv` is one simulation, and `bureausim calibrate` reruns it to the same statistics: the fit's scenario (with its own `--set`s) and targets without `--param`, with `{}--replicates {} --set sim.seed=` the row's seed and a `--set` of each of its parameters, a whole-number key rounded and a share's absorbing key added as the fit set them (docs/experiments.md, \"Rerunning one simulation\").",
        if setup.size != 1.0 {
            format!("--scale {} ", setup.size)
        } else {
            String::new()
        },
        setup.scenario.sim.replicates
    ));
    let failed: usize = fit.generations.iter().map(|g| g.failed).sum();
    if failed > 0 {
        intro.push(format!(
            "{failed} simulations failed (parameters the scenario refuses, or a fitted target without a value) and were not accepted."
        ));
    }
    let ptable = (
        "Parameters: before (the scenario's value) and after (posterior)".to_string(),
        [
            "#",
            "parameter",
            "prior",
            "before",
            "before's posterior percentile",
            "posterior mean",
            "median",
            "90% interval",
            "representative",
        ]
        .map(String::from)
        .to_vec(),
        params
            .iter()
            .enumerate()
            .map(|(i, p)| {
                vec![
                    (i + 1).to_string(),
                    format!("`{}`", p.key),
                    p.prior.clone(),
                    rounded(p.before),
                    format!("{:.0}%", (100.0 * p.before_percentile).max(0.0)),
                    rounded(p.mean),
                    rounded(p.median),
                    format!("[{}, {}]", rounded(p.low), rounded(p.high)),
                    rounded(p.representative),
                ]
            })
            .collect(),
    );
    let full = out.full.is_some();
    let mut thead: Vec<String> = [
        "target",
        "role",
        "observed",
        "before (distance)",
        "accepted simulations' mean [90%]",
        "distance",
        "posterior predictive mean [90%]",
        "distance",
    ]
    .map(String::from)
    .to_vec();
    if full {
        thead.push("representative at full size (distance)".into());
    }
    thead.push("source".into());
    let ttable = (
        "Targets: observed, before, the posterior's accepted simulations and its predictive"
            .to_string(),
        thead,
        targets
            .iter()
            .zip(&setup.targets.targets)
            .map(|(t, target)| {
                let cell = |v: f64| {
                    if v.is_finite() {
                        rounded(v)
                    } else {
                        "–".into()
                    }
                };
                let mut row = vec![
                    t.id.clone(),
                    t.role.to_string(),
                    t.observed.clone(),
                    format!("{} ({})", cell(t.before), cell(t.before_distance)),
                    format!("{} [{}, {}]", cell(t.mean), cell(t.low), cell(t.high)),
                    cell(t.distance),
                    format!("{} [{}, {}]", cell(t.p_mean), cell(t.p_low), cell(t.p_high)),
                    cell(t.p_distance),
                ];
                if full {
                    row.push(format!(
                        "{} ({})",
                        cell(t.full),
                        cell(if t.full.is_finite() {
                            target.distance(t.full)
                        } else {
                            f64::NAN
                        })
                    ));
                }
                row.push(t.source.clone());
                row
            })
            .collect(),
    );
    let gtable = (
        "Generations".to_string(),
        [
            "generation",
            "tolerance",
            "accepted / tried",
            "acceptance",
            "failed",
            "effective sample size",
        ]
        .map(String::from)
        .to_vec(),
        fit.generations
            .iter()
            .enumerate()
            .map(|(t, g)| {
                vec![
                    t.to_string(),
                    if g.tolerance.is_finite() {
                        rounded(g.tolerance)
                    } else {
                        "∞ (prior)".into()
                    },
                    format!("{} / {}", g.params.len(), g.tries),
                    format!("{:.1}%", 100.0 * g.acceptance()),
                    g.failed.to_string(),
                    format!("{:.0}", ess(&g.weights)),
                ]
            })
            .collect(),
    );
    let mut notes = Vec::new();
    if full {
        notes.push(format!(
            "The representative particle was run once more on the service at full size ({} replicates, seed {}), so that the fit at scale {} can be checked where it matters.",
            setup.full_size.as_ref().map_or(0, |s| s.sim.replicates),
            out.base,
            setup.size
        ));
    }
    for (t, target) in targets.iter().zip(&setup.targets.targets) {
        let off = t.distance > 2.0
            || t.p_distance > 2.0
            || (full && t.full.is_finite() && target.distance(t.full) > 2.0);
        if t.role != "fitted" || off {
            notes.push(format!(
                "**{}** ({}{}): {}",
                t.id,
                t.role,
                if off { ", not met" } else { "" },
                target.why
            ));
        }
    }
    for (id, text) in setup.discussion.iter().filter(|(id, _)| !id.is_empty()) {
        notes.push(format!("**{id}** (discussion): {text}"));
    }
    notes.extend([
        "Distances are in units of each target's uncertainty: |model − observed| / sd, or for an interval 0 inside it and the distance to its nearer end over a quarter of its width. The accepted simulations' mean can be farther than the tolerance when targets pull against each other.".to_string(),
        "The accepted simulations are the posterior particles' own simulations, those that passed the acceptance rule, so they sit closer to the targets than fresh simulations of the same particles do. The posterior predictive is the check: each particle simulated once more at the fit's size on a seed no proposal used, so its spread is the posterior's and the model's own chance together, and a target it misses is one the fitted model does not reproduce. The column at full size is a fresh simulation of one particle.".into(),
        "`posterior.csv` holds the particles with their weights; `--ensemble posterior.csv` runs a comparison, sweep or experiment over draws from it, so its intervals carry what the targets leave open about these parameters.".into(),
    ]);
    Doc {
        title: format!(
            "Calibration of {} to {}",
            setup.scenario.name, setup.targets.name
        ),
        intro,
        tables: vec![ptable, ttable, gtable],
        notes,
    }
}

/// "bureausim 0.1.0 (commit …)", and when the folder's simulations were
/// made by other builds (a fit resumed by this one), which.
fn made_by(setup: &Setup) -> String {
    crate::version::made_by_words(&setup.made_by, "simulations")
}

/// The report in Markdown; `plots` is the folder of the plots as seen
/// from where the file is written (empty: the same folder).
fn markdown(setup: &Setup, d: &Doc, plots: &str) -> String {
    let mut s = format!(
        "# {}\n\nMade by {}. To reproduce it:\n\n```sh\n{}\n```\n\n",
        d.title,
        made_by(setup),
        setup.command
    );
    for p in &d.intro {
        let _ = writeln!(s, "{p}\n");
    }
    for (title, head, rows) in &d.tables {
        let _ = writeln!(s, "## {title}\n\n| {} |", head.join(" | "));
        let _ = writeln!(s, "|{}", "---|".repeat(head.len()));
        for r in rows {
            let cells: Vec<String> = r
                .iter()
                .map(|c| {
                    c.replace('|', "\\|")
                        .replace('<', "&lt;")
                        .replace('\n', " ")
                })
                .collect();
            let _ = writeln!(s, "| {} |", cells.join(" | "));
        }
        s.push('\n');
    }
    s.push_str("## Plots\n\n");
    for f in ["posterior_marginals", "posterior_pairs", "generations"] {
        let _ = writeln!(s, "![{f}]({plots}{f}.png)\n");
    }
    for n in &d.notes {
        let _ = writeln!(s, "{n}\n");
    }
    let _ = writeln!(s, "Calibration fingerprint: `{}`.", setup.fingerprint());
    s
}

fn html(setup: &Setup, d: &Doc, figures: &[(String, String, String)]) -> String {
    let mut s = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>\n{}\n</style>\n</head>\n<body>\n<main>\n<h1>{}</h1>\n<p>Made by {}. To reproduce it:</p>\n<pre><code>{}</code></pre>\n",
        esc(&d.title),
        CSS,
        esc(&d.title),
        esc(&made_by(setup)),
        esc(&setup.command)
    );
    for p in &d.intro {
        let _ = writeln!(s, "<p>{}</p>", inline(p));
    }
    for (title, head, rows) in &d.tables {
        s.push_str(&table(title, head, rows, |_, c| {
            format!("<td>{}</td>", inline(c))
        }));
    }
    s.push_str("<h2>Plots</h2>\n");
    for (_, caption, svg) in figures {
        s.push_str(&figure(svg, caption));
    }
    for n in &d.notes {
        let _ = writeln!(s, "<p>{}</p>", inline(n));
    }
    let _ = writeln!(
        s,
        "<p class=\"small\">Calibration fingerprint: <code>{}</code>.</p>\n</main>\n</body>\n</html>",
        setup.fingerprint()
    );
    s
}

/// The path of `to` as seen from the folder `from` (both as given, relative
/// to the same working folder or both absolute), with `/` separators.
fn relative(from: &Path, to: &Path) -> String {
    let abs = |p: &Path| {
        let p = if p.is_absolute() {
            p.to_path_buf()
        } else {
            std::env::current_dir().unwrap_or_default().join(p)
        };
        p.components()
            .filter(|c| !matches!(c, std::path::Component::CurDir))
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
    };
    let (f, t) = (abs(from), abs(to));
    let common = f.iter().zip(&t).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".into(); f.len() - common];
    parts.extend(t[common..].iter().cloned());
    parts.join("/")
}

/// The line a calibration's Markdown report has below its title; a
/// `--markdown` file that exists is replaced only when it has it.
const MADE_BY: &str = "Made by bureausim ";

/// Checks, before a fit starts, that `--markdown FILE` may be written: a
/// new file, or a calibration report that bureausim wrote there before
/// (docs/calibration.md is remade this way). Any other file is kept: the
/// user's notes must not be replaced by a report.
pub fn check_markdown_destination(path: &Path) -> Result<(), crate::error::UsageError> {
    use std::io::Read;
    let bad =
        |why: String| crate::error::UsageError(format!("--markdown {}: {why}", path.display()));
    if path.is_dir() {
        return Err(bad(
            "is a folder; give a file name to write the report to".into()
        ));
    }
    crate::staging::name_fits(path).map_err(bad)?;
    crate::staging::refuse_special("--markdown", path)?;
    if !path.exists() {
        return Ok(());
    }
    let mut head = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(4096).read_to_end(&mut head))
        .map_err(|e| bad(format!("exists and cannot be read ({e})")))?;
    // The report's own opening, not a line that merely mentions the
    // program (a hostile-input audit, 2026-12-06: notes with a line
    // beginning "Made by bureausim" were replaced).
    let text = String::from_utf8_lossy(&head);
    let mut lines = text.lines();
    let ours = lines
        .next()
        .is_some_and(|l| l.starts_with("# Calibration of "))
        && lines
            .take(3)
            .any(|l| l.starts_with(MADE_BY) && l.ends_with("To reproduce it:"));
    if ours {
        Ok(())
    } else {
        Err(bad(
            "exists and is not a calibration report bureausim wrote, so it is kept; remove it or choose another file".into(),
        ))
    }
}

/// Writes a finished calibration's files into `dir` (each atomically):
/// `posterior.csv`, `generations.csv`, `fit.csv`, the plots (PNG and SVG),
/// `report.md` and `report.html`; and, when `markdown` names a file, the
/// Markdown report there too, its plot links pointing into `dir`. Returns
/// the text to print.
pub fn write_fitted(
    dir: &Path,
    setup: &Setup,
    out: &Outcome,
    markdown_copy: Option<&Path>,
) -> anyhow::Result<String> {
    let params = param_rows(setup, out);
    let targets = target_rows(setup, out);
    write_file_atomic(
        &dir.join("posterior.csv"),
        &posterior_csv(setup, out)?,
        true,
    )?;
    write_file_atomic(
        &dir.join("generations.csv"),
        &generations_csv(setup, &out.fit)?,
        true,
    )?;
    write_file_atomic(&dir.join("fit.csv"), &fit_csv(&targets)?, true)?;
    let mut figures = Vec::new();
    for (stem, caption, c) in charts(setup, out) {
        let tmp = dir.join(format!(".{stem}.partial.png"));
        // A link is removed, not followed.
        let _ = std::fs::remove_file(&tmp);
        c.write_png(&tmp)?;
        std::fs::rename(&tmp, dir.join(format!("{stem}.png")))?;
        let svg = c.to_svg()?;
        write_file_atomic(&dir.join(format!("{stem}.svg")), svg.as_bytes(), true)?;
        figures.push((stem, caption, svg));
    }
    let d = doc(setup, out, &params, &targets);
    write_file_atomic(
        &dir.join("report.md"),
        markdown(setup, &d, "").as_bytes(),
        true,
    )?;
    if let Some(path) = markdown_copy {
        let from = path.parent().unwrap_or(Path::new(""));
        let r = relative(from, dir);
        let plots = if r.is_empty() { r } else { format!("{r}/") };
        write_file_atomic(path, markdown(setup, &d, &plots).as_bytes(), true)?;
    }
    write_file_atomic(
        &dir.join("report.html"),
        html(setup, &d, &figures).as_bytes(),
        true,
    )?;
    let mut printed = String::new();
    for p in &d.intro {
        let _ = writeln!(printed, "{}", p.replace('`', ""));
    }
    for (title, head, rows) in d.tables.iter().take(2) {
        let rows: Vec<Vec<String>> = rows
            .iter()
            .map(|r| {
                let mut r = r.clone();
                if head.last().is_some_and(|h| h == "source") {
                    r.pop();
                }
                r.iter().map(|c| c.replace('`', "")).collect()
            })
            .collect();
        let mut head = head.clone();
        if head.last().is_some_and(|h| h == "source") {
            head.pop();
        }
        let _ = write!(printed, "\n{title}\n{}", text_table(&head, &rows));
    }
    Ok(printed)
}

/// Where the record of a measurement goes: beside its table, `NAME.json`
/// for `NAME.csv`; for any other name `.json` is added to it (`x.json`
/// for `x`, `x.json.json` for `x.json`), so the record never is the table.
pub fn record_path(table: &Path) -> PathBuf {
    if table
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"))
    {
        table.with_extension("json")
    } else {
        let mut name = table.as_os_str().to_owned();
        name.push(".json");
        PathBuf::from(name)
    }
}

/// What the record of a measurement holds.
pub struct Measured<'a> {
    /// The command as it reproduces the table.
    pub command: String,
    pub scenario_file: &'a Path,
    /// The resolved scenario that was run (overrides and scale applied).
    pub scenario: &'a crate::scenario::Scenario,
    pub targets_file: &'a Path,
    /// The target file's bytes, as read.
    pub targets_text: &'a [u8],
    pub scale: f64,
    pub table: &'a Path,
    pub met: usize,
    pub evaluated: usize,
}

/// The record written beside a measurement's table (a reproducibility
/// audit: the CSV alone said nothing of the build, the scenario, its
/// seed, replicates, years or overrides, or the target file's years).
pub fn record(m: &Measured) -> Vec<u8> {
    let s = m.scenario;
    let v = serde_json::json!({
        "what": "the record of a bureausim calibrate measurement: what made the table beside it",
        "table": m.table.file_name().map(|n| n.to_string_lossy().into_owned()),
        "bureausim_version": env!("CARGO_PKG_VERSION"),
        "bureausim_commit": crate::version::COMMIT,
        "platform": crate::version::TARGET,
        "command": m.command,
        "scenario_file": m.scenario_file.display().to_string(),
        "targets_file": m.targets_file.display().to_string(),
        "targets_sha256": Sha256::digest(m.targets_text)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>(),
        "seed": s.sim.seed,
        "replicates": s.sim.replicates,
        "years": s.sim.years,
        "warmup_years": s.sim.warmup_years,
        "scale": m.scale,
        "targets_met": m.met,
        "targets_evaluated": m.evaluated,
        "scenario": s.to_toml(),
    });
    let mut bytes = serde_json::to_vec_pretty(&v).expect("a record serialises");
    bytes.push(b'\n');
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `--force` replaces the project's own table, record and report, a
    /// table written before its number columns, and nothing else: not a
    /// calibration folder's manifest, not a scenario (a review, 2026-12-07).
    /// `--markdown` at a socket (or a named pipe, which opening to read
    /// would wait on for ever) is refused from its metadata.
    #[cfg(unix)]
    #[test]
    fn a_report_is_not_written_over_a_socket() {
        let dir = tempfile::tempdir().unwrap();
        let sock = dir.path().join("report.md");
        let _listener = std::os::unix::net::UnixListener::bind(&sock).unwrap();
        let e = check_markdown_destination(&sock).unwrap_err().to_string();
        assert!(
            e.starts_with("--markdown ") && e.contains("not a regular file"),
            "{e}"
        );
    }

    #[test]
    fn force_knows_the_files_bureausim_wrote() {
        let table = include_str!("../../calibration/pakistan_baseline_check.csv");
        let record = include_str!("../../calibration/pakistan_baseline_check.json");
        let manifest = include_str!("../../calibration/pakistan-fit/calibration.json");
        let scenario = include_str!("../../scenarios/pakistan_baseline.toml");
        assert!(is_table(table) && is_table("target,observed,model,model_ci95_low\n"));
        assert!(is_record(&record[..4096.min(record.len())]));
        assert!(!is_record(manifest) && !is_record(&manifest.replace("experiment", "calibrate")));
        assert!(!is_table(scenario) && !is_record(scenario));
        let report = include_str!("../../docs/validation.md");
        assert!(crate::output::validation::is_report(report));
        assert!(!crate::output::validation::is_report(scenario));
    }

    #[test]
    fn the_table_gives_each_observation_as_numbers_too() {
        use crate::experiment::calibration::targets;
        let scn = crate::scenario::Scenario::default();
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("calibration/pakistan.toml");
        let set = targets::load(&path, &scn).expect("the shipped targets load");
        let fits: Vec<Fit> = set
            .targets
            .iter()
            .map(|t| Fit {
                id: t.id.clone(),
                observed: t.observed_text(),
                model: 1.0,
                low: 0.5,
                high: 1.5,
                distance: 0.0,
                evaluated: true,
            })
            .collect();
        let bytes = csv(&fits, &set).unwrap();
        let mut r = ::csv::Reader::from_reader(&bytes[..]);
        let head = r.headers().unwrap().clone();
        let col = |name: &str| head.iter().position(|h| h == name).unwrap();
        let rows: Vec<::csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
        let row = |id: &str| rows.iter().find(|x| &x[0] == id).unwrap().clone();
        let num = |x: &::csv::StringRecord, c: &str| x[col(c)].parse::<f64>().ok();
        // A value with an sd, an interval, and an order (no numbers).
        let v = row("vacancy_bps17");
        assert_eq!(&v[col("observed")], "0.272 ± 0.04");
        assert_eq!(num(&v, "observed_value"), Some(0.272));
        assert_eq!(num(&v, "observed_sd"), Some(0.04));
        assert_eq!(&v[col("interval_low")], "");
        let a = row("age_at_promotion_bps22");
        assert_eq!(num(&a, "interval_low"), Some(57.0));
        assert_eq!(num(&a, "interval_high"), Some(59.0));
        assert_eq!(&a[col("observed_value")], "");
        let o = row("sector_order");
        for c in [
            "observed_value",
            "observed_sd",
            "interval_low",
            "interval_high",
        ] {
            assert_eq!(&o[col(c)], "", "{c}");
        }
    }

    #[test]
    fn plot_links_are_relative_to_where_the_markdown_goes() {
        assert_eq!(
            relative(Path::new("docs"), Path::new("calibration/pakistan-fit")),
            "../calibration/pakistan-fit"
        );
        assert_eq!(relative(Path::new("out"), Path::new("out")), "");
        assert_eq!(relative(Path::new("/a/b"), Path::new("/a/c/d")), "../c/d");
    }

    /// A hostile-input audit (2026-12-06): notes with a line beginning
    /// "Made by bureausim" were taken for a report and replaced.
    #[test]
    fn only_a_report_bureausim_wrote_is_replaced_by_markdown() {
        let dir = tempfile::tempdir().unwrap();
        let notes = dir.path().join("notes.md");
        std::fs::write(
            &notes,
            "# Notes on the fit\n\nMade by bureausim figures were pasted below.\n",
        )
        .unwrap();
        let e = check_markdown_destination(&notes).unwrap_err().to_string();
        assert!(
            e.contains("is not a calibration report bureausim wrote"),
            "{e}"
        );
        let report = dir.path().join("calibration.md");
        std::fs::write(
            &report,
            "# Calibration of a to b\n\nMade by bureausim 0.1.0 (commit abc). To reproduce it:\n\n```sh\n",
        )
        .unwrap();
        check_markdown_destination(&report).unwrap();
        check_markdown_destination(&dir.path().join("new.md")).unwrap();
    }
}
