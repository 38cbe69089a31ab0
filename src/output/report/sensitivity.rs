//! The report of a sensitivity analysis (Morris or Sobol).

use crate::experiment::analysis::ParamIndex;
use crate::experiment::plan::Plan;
use crate::experiment::spec::Method;
use crate::metrics::METRICS;
use crate::output::chart::{self, Bars};
use crate::output::number::report_cell;

use super::cells::ci_text;
use super::comparison::{diff_words, shown_at};
use super::{ExperimentReport, ReportFigure};

pub(super) fn sensitivity_report(
    plan: &Plan,
    ix: &[ParamIndex],
    plots: bool,
) -> anyhow::Result<ExperimentReport> {
    let k = plan.spec.params.len();
    let r = plan.spec.replicates;
    let method = plan.spec.method;
    let ranges = plan
        .spec
        .params
        .iter()
        .map(|p| format!("`{}` in [{}, {}]", p.key, p.lo, p.hi))
        .collect::<Vec<_>>()
        .join(", ");
    let mut intro = vec![match method {
        Method::Morris => format!(
            "Morris elementary-effects screening of {k} parameters ({ranges}): {} trajectories on a {}-level grid, {} design points × {r} replicates = {} runs, {} years, seed {}. The output is each metric at year {}, averaged over a point's replicates (the same random streams at every point).",
            plan.spec.trajectories,
            plan.spec.levels,
            plan.variants.len(),
            plan.runs(),
            plan.years,
            plan.seed,
            plan.year
        ),
        Method::Sobol => format!(
            "Sobol indices of {k} parameters ({ranges}) from Saltelli sampling: n = {} base samples, {} design points × {r} replicates = {} runs, {} years, seed {}. The output is each metric at year {}, averaged over a point's replicates (the same random streams at every point).",
            plan.spec.samples,
            plan.variants.len(),
            plan.runs(),
            plan.years,
            plan.seed,
            plan.year
        ),
    }];
    intro.push(match method {
        Method::Morris => "μ* (mean absolute elementary effect, per full range of the parameter) ranks the parameters; σ large against μ* means interactions or non-linearity; μ near −μ* or +μ* gives the direction. Intervals are 95% bootstrap intervals over trajectories.".into(),
        Method::Sobol => "S1 is the share of the output's variance due to the parameter alone; ST includes its interactions. ST − S1 large means the parameter acts through interactions; ST near 0 means it can be fixed anywhere in its range. Intervals are 95% bootstrap intervals; with few samples they are wide, and small negative estimates mean zero.".into(),
    });
    intro.push(format!(
        "Every other parameter stays at the scenario's value, so the ranking is of these {k} over their ranges around that one service, not over every plausible service (`--ensemble` is not taken by a sensitivity analysis). A constant output (the same at every point) has no ranking: its indices are 0 or missing, whatever order the table lists them in."
    ));
    let scale = plan.spec.scale.unwrap_or(1.0);
    if method == Method::Morris {
        // As a comparison shows its differences (a planner's audit: this
        // report showed a share's effects as 0.062 where the comparison
        // said 6.2 points, and bills of the scaled service).
        intro.push(
            "μ, μ* and σ are shown as a comparison shows differences: shares in percentage points, bills in billion PKR a year of the full service; `indices.csv` keeps the units of `timeseries.csv`.".into(),
        );
    }
    if scale != 1.0 && method == Method::Morris {
        intro.push(format!(
            "This analysis simulated the service at {scale} of its size (`--scale {scale}`): the bills' effects are divided by {scale} to give the full service's (`indices.csv` keeps the simulated service's); those of counts are of the simulated service. Shares, means and rates do not depend on the size."
        ));
    }
    let mut tables = Vec::new();
    let mut figures = Vec::new();
    // Sobol estimates outside [0, 1] (beyond a small negative, which
    // means 0): shares of variance cannot be, so the sample is too small.
    let mut outside: Vec<String> = Vec::new();
    // Sobol intervals wider than WIDE (a methods audit, 2026-12-06: at the
    // default n = 32, ST 1.06 [0.69, 1.50] passed without a word, since only
    // estimates were read): (indices, wide ones, the widest as words).
    const WIDE: f64 = 0.2;
    let (mut indices, mut wide) = (0usize, 0usize);
    let mut widest: Option<(f64, String)> = None;
    for &m in &plan.metrics {
        let name = METRICS[m].name;
        // Morris effects in the comparison's units; Sobol indices are shares
        // of variance, without a unit.
        let sh = shown_at(name, scale);
        let per = diff_words(name);
        let k_of = |x: Option<f64>| x.map(|v| v * sh.factor);
        let ci_of = |c: Option<(f64, f64)>| c.map(|(a, b)| (a * sh.factor, b * sh.factor));
        let mut rows: Vec<&ParamIndex> = ix.iter().filter(|i| i.metric == name).collect();
        let key = |i: &ParamIndex| match method {
            Method::Morris => i.mu_star.unwrap_or(f64::NEG_INFINITY),
            Method::Sobol => i.st.unwrap_or(f64::NEG_INFINITY),
        };
        rows.sort_by(|a, b| {
            key(b)
                .total_cmp(&key(a))
                .then(a.parameter.cmp(&b.parameter))
        });
        if method == Method::Sobol {
            for i in &rows {
                for (what, v, ci) in [("S1", i.s1, i.s1_ci), ("ST", i.st, i.st_ci)] {
                    if let (Some(v), Some((lo, hi))) = (v, ci) {
                        indices += 1;
                        let width = hi - lo;
                        if width > WIDE {
                            wide += 1;
                            if widest.as_ref().is_none_or(|(w, _)| width > *w) {
                                let r = crate::error::rounded;
                                widest = Some((
                                    width,
                                    format!(
                                        "{what} of `{}` on {}, {} [{}, {}]",
                                        i.parameter,
                                        crate::metrics::label(name),
                                        r(v),
                                        r(lo),
                                        r(hi)
                                    ),
                                ));
                            }
                        }
                    }
                    if let Some(v) = v.filter(|v| *v > 1.0 || *v < -0.1) {
                        outside.push(format!(
                            "{what} of `{}` on {} is {}",
                            i.parameter,
                            crate::metrics::label(name),
                            crate::error::rounded(v)
                        ));
                    }
                }
            }
        }
        let head: Vec<String> = match method {
            Method::Morris => [
                "rank".into(),
                "parameter".into(),
                format!("μ* [95% CI] ({per} per full range)"),
                "μ".into(),
                "σ".into(),
            ],
            Method::Sobol => {
                ["rank", "parameter", "ST [95% CI]", "S1 [95% CI]", "ST − S1"].map(String::from)
            }
        }
        .to_vec();
        let body: Vec<Vec<String>> = rows
            .iter()
            .enumerate()
            .map(|(n, i)| match method {
                Method::Morris => vec![
                    (n + 1).to_string(),
                    i.parameter.clone(),
                    ci_text(k_of(i.mu_star), ci_of(i.mu_star_ci)),
                    report_cell(k_of(i.mu)),
                    report_cell(k_of(i.sigma)),
                ],
                Method::Sobol => vec![
                    (n + 1).to_string(),
                    i.parameter.clone(),
                    ci_text(i.st, i.st_ci),
                    ci_text(i.s1, i.s1_ci),
                    report_cell(i.st.zip(i.s1).map(|(t, s)| t - s)),
                ],
            })
            .collect();
        tables.push((
            // Without the level's unit: μ* is in the head's unit (points for
            // a share), and Sobol indices are shares of variance.
            format!(
                "{}, column {name}, at year {}",
                crate::metrics::label(name),
                plan.year
            ),
            head,
            body,
        ));
        if plots {
            let items: Vec<String> = rows.iter().map(|i| i.parameter.clone()).collect();
            let bar = |label: &str,
                       v: &dyn Fn(&ParamIndex) -> Option<f64>,
                       c: &dyn Fn(&ParamIndex) -> Option<(f64, f64)>| Bars {
                label: label.to_string(),
                values: rows.iter().map(|i| v(i).unwrap_or(f64::NAN)).collect(),
                lo: rows
                    .iter()
                    .map(|i| c(i).map_or(f64::NAN, |x| x.0))
                    .collect(),
                hi: rows
                    .iter()
                    .map(|i| c(i).map_or(f64::NAN, |x| x.1))
                    .collect(),
            };
            let (measures, value_label) = match method {
                Method::Morris => (
                    vec![bar("μ*", &|i| k_of(i.mu_star), &|i| ci_of(i.mu_star_ci))],
                    format!(
                        "μ*: {per} per full range{}",
                        if scale != 1.0
                            && crate::experiment::analysis::grows_with_service(name)
                            && crate::metrics::unit_of(name) != Some("million PKR")
                        {
                            format!(" (the service at --scale {scale})")
                        } else {
                            String::new()
                        }
                    ),
                ),
                Method::Sobol => (
                    vec![
                        bar("S1 (first order)", &|i| i.s1, &|i| i.s1_ci),
                        bar("ST (total)", &|i| i.st, &|i| i.st_ci),
                    ],
                    "share of variance".to_string(),
                ),
            };
            figures.push(ReportFigure {
                lead: false,
                stem: format!("sensitivity_{name}"),
                caption: format!(
                    "Parameters ranked by {} for `{name}` at year {}, with 95% bootstrap intervals.",
                    match method {
                        Method::Morris => "μ*",
                        Method::Sobol => "total index ST",
                    },
                    plan.year
                ),
                chart: chart::ranking(
                    &format!("{} at year {}", crate::metrics::label(name), plan.year),
                    &items,
                    &measures,
                    &value_label,
                ),
            });
        }
    }
    Ok(ExperimentReport {
        summary: None,
        title: format!(
            "Sensitivity ({}): {}",
            match method {
                Method::Morris => "Morris",
                Method::Sobol => "Sobol",
            },
            plan.spec.name
        ),
        intro,
        tables,
        figures,
        notes: {
            let mut notes = vec!["All indices are in `indices.csv`; every run with its parameter values, replicate and seed in `runs.csv`.".to_string()];
            if !outside.is_empty() {
                notes.push(format!(
                    "**Estimates outside [0, 1]**, which shares of variance cannot be: {}. \
                     The sample is too small for these outputs (n = {}): read their \
                     rankings as unsettled, and raise `samples` (`--samples`) until the \
                     intervals narrow.",
                    outside.join("; "),
                    plan.spec.samples
                ));
            }
            if let Some((_, w)) = widest {
                notes.push(format!(
                    "**Wide intervals**: {wide} of the {indices} indices have a 95% interval \
                     wider than {WIDE} (the widest: {w}). With n = {} base samples, the \
                     order of parameters whose intervals overlap is not settled; the \
                     intervals narrow about as 1/√n, so four times the `samples` \
                     (`--samples`, a power of two) halves them.",
                    plan.spec.samples
                ));
            }
            notes
        },
    })
}
