//! The CSV tables of an experiment: `runs.csv`, and `table.csv`,
//! `points.csv` or `indices.csv` by kind.

use std::path::Path;

use crate::experiment::analysis::{ArmStat, Carried, CostEffect, ParamIndex, Runs};
use crate::experiment::plan::Plan;
use crate::experiment::spec::Kind;
use crate::metrics::METRICS;
use crate::metrics::summary::Stats;
use crate::output::number::{csv_option, csv_value};
use crate::staging::write_file_atomic;

use super::sweep::sweep_keys;

/// A CSV file built in memory with one writer (quoting as the csv crate does).
pub(super) struct CsvText(csv::Writer<Vec<u8>>);

impl CsvText {
    pub(super) fn new(head: &[String]) -> Self {
        let mut t = CsvText(csv::Writer::from_writer(Vec::new()));
        t.row(head);
        t
    }

    /// A row; free text a spreadsheet would read as a formula is marked as
    /// text ([`csv_text`](crate::output::number::csv_text)).
    pub(super) fn row(&mut self, fields: &[String]) {
        self.0
            .write_record(fields.iter().map(|f| crate::output::number::csv_text(f)))
            .expect("in memory");
    }

    pub(super) fn into_bytes(self) -> Vec<u8> {
        self.0.into_inner().expect("in memory")
    }
}

/// The parameter columns of an experiment's tables (`scenario` for a
/// comparison; the varied keys, then any linked keys) and each point's
/// values, computed once.
pub(super) struct Params {
    pub(super) names: Vec<String>,
    pub(super) values: Vec<Vec<String>>,
}

impl Params {
    pub(super) fn of(plan: &Plan) -> Self {
        let mut names = match plan.spec.kind {
            Kind::Compare => vec!["scenario".into()],
            Kind::Sweep => sweep_keys(plan),
            Kind::Sensitivity => plan.spec.params.iter().map(|p| p.key.clone()).collect(),
        };
        // The shares that follow the varied ones at some point, in order of
        // first appearance.
        let mut linked: Vec<String> = Vec::new();
        for v in &plan.variants {
            for s in &v.linked {
                let k = s.split_once('=').map_or(s.as_str(), |x| x.0);
                if !linked.iter().any(|x| x == k) {
                    linked.push(k.to_string());
                }
            }
        }
        let value = |s: &String| {
            let raw = s.split_once('=').map_or("", |x| x.1);
            raw.trim_matches('"').to_string()
        };
        let values = plan
            .variants
            .iter()
            .map(|var| {
                let mut out: Vec<String> = match plan.spec.kind {
                    Kind::Compare => vec![var.label.clone()],
                    _ => var.sets.iter().map(value).collect(),
                };
                for k in &linked {
                    out.push(
                        var.linked
                            .iter()
                            .find(|s| s.split_once('=').is_some_and(|x| x.0 == k))
                            .map(value)
                            .unwrap_or_default(),
                    );
                }
                out
            })
            .collect();
        names.extend(linked);
        Params { names, values }
    }
}

/// `runs.csv`: every run's every year, with its point, parameter values,
/// replicate and seed; with an ensemble, also its draw: the index, the
/// posterior file's line and the values it sets.
pub(super) fn write_runs_csv(dir: &Path, plan: &Plan, runs: &Runs) -> anyhow::Result<()> {
    let params = Params::of(plan);
    let post = plan.spec.ensemble.as_ref();
    let mut head: Vec<String> = vec!["point".into()];
    head.extend(params.names.iter().cloned());
    head.push("replicate".into());
    // A posterior key a sweep varies is given once, with the value the run
    // used: the varied one.
    let drawn_keys: Vec<usize> = post.map_or(Vec::new(), |p| {
        (0..p.keys.len())
            .filter(|&i| !params.names.contains(&p.keys[i]))
            .collect()
    });
    if let Some(post) = post {
        head.extend(["draw".into(), "posterior_line".into()]);
        head.extend(drawn_keys.iter().map(|&i| post.keys[i].clone()));
    }
    head.extend(["seed".into(), "year".into()]);
    head.extend(METRICS.iter().map(|m| m.name.to_string()));
    let mut out = CsvText::new(&head);
    for (j, run) in runs.iter().enumerate() {
        let (v, r) = plan.run_of(j);
        let params = &params.values[v];
        let mut drawn = Vec::new();
        if let Some(post) = post {
            let d = r as usize / plan.spec.replicates as usize;
            let row = plan.draws[d];
            drawn.extend([d.to_string(), post.lines[row].to_string()]);
            drawn.extend(drawn_keys.iter().map(|&i| post.rows[row][i].clone()));
        }
        for (y, row) in run.iter().enumerate() {
            let mut f: Vec<String> = vec![v.to_string()];
            f.extend(params.iter().cloned());
            f.push(r.to_string());
            f.extend(drawn.iter().cloned());
            f.extend([plan.seed.to_string(), y.to_string()]);
            f.extend(row.iter().map(|x| csv_value(*x)));
            out.row(&f);
        }
    }
    write_file_atomic(&dir.join("runs.csv"), &out.into_bytes(), true)
}

fn stats_fields(s: &Stats) -> Vec<String> {
    vec![
        s.n.to_string(),
        csv_option(s.mean),
        csv_option(s.sd),
        csv_option(s.ci95_low),
        csv_option(s.ci95_high),
    ]
}

/// `table.csv` of a comparison: every metric at every report year.
pub(super) fn write_compare_csv(dir: &Path, plan: &Plan, rows: &[ArmStat]) -> anyhow::Result<()> {
    let mut out = CsvText::new(
        &[
            "metric",
            "year",
            "scenario",
            "n",
            "mean",
            "sd",
            "ci95_low",
            "ci95_high",
            "diff_n",
            "diff",
            "diff_sd",
            "diff_ci95_low",
            "diff_ci95_high",
            "significant",
        ]
        .map(String::from),
    );
    for a in rows {
        let mut f = vec![
            a.metric.to_string(),
            a.year.to_string(),
            plan.variants[a.arm].label.clone(),
        ];
        f.extend(stats_fields(&a.stats));
        match &a.diff {
            Some(d) => {
                f.extend([
                    d.n.to_string(),
                    csv_option(d.mean),
                    csv_option(d.sd),
                    csv_option(d.ci95_low),
                    csv_option(d.ci95_high),
                ]);
                // Without an interval (one replicate) nothing is judged.
                f.push(if d.ci95_low.is_some() {
                    a.significant.to_string()
                } else {
                    String::new()
                });
            }
            None => f.extend(std::iter::repeat_n(String::new(), 6)),
        }
        out.row(&f);
    }
    write_file_atomic(&dir.join("table.csv"), &out.into_bytes(), true)
}

/// `points.csv` of a sweep: every grid point, metric and report year.
pub(super) fn write_points_csv(dir: &Path, plan: &Plan, rows: &[ArmStat]) -> anyhow::Result<()> {
    let params = Params::of(plan);
    let mut head: Vec<String> = vec!["point".into()];
    head.extend(params.names.iter().cloned());
    head.extend(["metric", "year", "n", "mean", "sd", "ci95_low", "ci95_high"].map(String::from));
    let mut out = CsvText::new(&head);
    for a in rows {
        let mut f = vec![a.arm.to_string()];
        f.extend(params.values[a.arm].iter().cloned());
        f.extend([a.metric.to_string(), a.year.to_string()]);
        f.extend(stats_fields(&a.stats));
        out.row(&f);
    }
    write_file_atomic(&dir.join("points.csv"), &out.into_bytes(), true)
}

fn pair(p: Option<(f64, f64)>) -> [String; 2] {
    match p {
        Some((a, b)) => [csv_option(Some(a)), csv_option(Some(b))],
        None => [String::new(), String::new()],
    }
}

/// `indices.csv` of a sensitivity analysis.
pub(super) fn write_indices_csv(dir: &Path, ix: &[ParamIndex]) -> anyhow::Result<()> {
    let mut out = CsvText::new(
        &[
            "metric",
            "parameter",
            "mu",
            "mu_star",
            "mu_star_ci95_low",
            "mu_star_ci95_high",
            "sigma",
            "s1",
            "s1_ci95_low",
            "s1_ci95_high",
            "st",
            "st_ci95_low",
            "st_ci95_high",
        ]
        .map(String::from),
    );
    for i in ix {
        let mut f = vec![
            i.metric.to_string(),
            i.parameter.clone(),
            csv_option(i.mu),
            csv_option(i.mu_star),
        ];
        f.extend(pair(i.mu_star_ci));
        f.push(csv_option(i.sigma));
        f.push(csv_option(i.s1));
        f.extend(pair(i.s1_ci));
        f.push(csv_option(i.st));
        f.extend(pair(i.st_ci));
        out.row(&f);
    }
    write_file_atomic(&dir.join("indices.csv"), &out.into_bytes(), true)
}

/// `decomposition.csv` of `compare --decompose`: for every metric, report
/// year, compared scenario and mechanism, the difference from the base
/// with every mechanism on, with the mechanism off in both arms, and the
/// part the mechanism carries (paired by replicate), with 95% intervals.
pub(super) fn write_decomposition_csv(
    dir: &Path,
    plan: &Plan,
    rows: &[Carried],
) -> anyhow::Result<()> {
    let mut head: Vec<String> = ["metric", "year", "scenario", "switch", "mechanism", "n"]
        .map(String::from)
        .to_vec();
    for part in ["effect", "effect_without", "carried"] {
        for col in ["", "_ci95_low", "_ci95_high"] {
            head.push(format!("{part}{col}"));
        }
    }
    head.push("share_carried".into());
    let mut out = CsvText::new(&head);
    for c in rows {
        let mut f = vec![
            c.metric.to_string(),
            c.year.to_string(),
            plan.variants[c.arm].label.clone(),
            c.switch.clone(),
            mechanism_name(&c.switch).to_string(),
            c.carried.n.to_string(),
        ];
        for s in [&c.effect, &c.effect_without, &c.carried] {
            f.extend([
                csv_option(s.mean),
                csv_option(s.ci95_low),
                csv_option(s.ci95_high),
            ]);
        }
        f.push(csv_option(c.share));
        out.row(&f);
    }
    write_file_atomic(&dir.join("decomposition.csv"), &out.into_bytes(), true)
}

/// The name of the mechanism a switch turns off.
pub(super) fn mechanism_name(switch: &str) -> &'static str {
    crate::model::MECHANISM_SWITCHES
        .iter()
        .find(|(k, _)| *k == switch)
        .map_or("", |(_, name)| name)
}

/// `costs.csv` of a comparison: for every compared scenario, report year
/// and table metric other than the bills, the scenario's extra yearly wage
/// plus pension bill against the base (million PKR, full service; paired
/// by replicate, with its 95% interval), and the metric's difference per
/// billion PKR a year of it (Fieller's 95% interval; empty when unbounded).
pub(super) fn write_costs_csv(dir: &Path, plan: &Plan, rows: &[CostEffect]) -> anyhow::Result<()> {
    let mut out = CsvText::new(
        &[
            "scenario",
            "year",
            "n",
            "extra_cost",
            "extra_cost_ci95_low",
            "extra_cost_ci95_high",
            "metric",
            "per_billion",
            "per_billion_ci95_low",
            "per_billion_ci95_high",
        ]
        .map(String::from),
    );
    for c in rows {
        for p in &c.per_cost {
            let (lo, hi) = match p.ci95 {
                Some((lo, hi)) => (Some(lo), Some(hi)),
                None => (None, None),
            };
            out.row(&[
                plan.variants[c.arm].label.clone(),
                c.year.to_string(),
                c.extra_cost.n.to_string(),
                csv_option(c.extra_cost.mean),
                csv_option(c.extra_cost.ci95_low),
                csv_option(c.extra_cost.ci95_high),
                p.metric.to_string(),
                csv_option(p.per_billion),
                csv_option(lo),
                csv_option(hi),
            ]);
        }
    }
    write_file_atomic(&dir.join("costs.csv"), &out.into_bytes(), true)
}
