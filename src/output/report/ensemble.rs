//! The report's section on plausible services (`--ensemble`): each
//! option's effect with the range it takes over the posterior's draws, the
//! probability that it beats the base, how often it ranks first and its
//! regret; `ensemble.csv`; a chart of the effects; and one sentence on
//! what a planner can conclude and what the evidence cannot settle.

use std::path::Path;

use crate::experiment::analysis::{self, EnsembleStat, Runs};
use crate::experiment::plan::Plan;
use crate::output::chart::{self, Bars};
use crate::output::number::{csv_value, report_cell, with_interval_rounded_as};
use crate::staging::write_file_atomic;

use super::ReportFigure;
use super::comparison::{arm_title, shown_at};
use super::tables::CsvText;

/// The fewest draws from which the section says what a planner can
/// conclude: "better in at least 90% of plausible services" must mean at
/// least 9 of 10, not 3 of 3 (a planner's audit: 1 and 3 draws were
/// reported as "better in 100%").
pub(super) const MIN_DRAWS_TO_CONCLUDE: usize = 10;

/// Whether an option's effect keeps one sign over the plausible services
/// drawn, so that a planner can conclude it: `Some(true)` when it is
/// better in at least 90% of them, `Some(false)` when worse in at least
/// 90%, `None` when its sign changes from one to another, or with fewer
/// than [`MIN_DRAWS_TO_CONCLUDE`] draws (`draws`). The section's "What a
/// planner can conclude" and the comparison's In short both read it.
pub(super) fn settled(s: &EnsembleStat, draws: usize) -> Option<bool> {
    if s.all_zero {
        return None;
    }
    settled_share(s.p_better, s.counted, draws)
}

/// [`settled`] from the share of `counted` draws (of `draws`) in which an
/// option is better: also read for its cost (better when cheaper).
pub(super) fn settled_share(p_better: f64, counted: usize, draws: usize) -> Option<bool> {
    if draws < MIN_DRAWS_TO_CONCLUDE || counted < MIN_DRAWS_TO_CONCLUDE || !p_better.is_finite() {
        return None;
    }
    if p_better >= 0.9 {
        Some(true)
    } else if p_better <= 0.1 {
        Some(false)
    } else {
        None
    }
}

/// "`share` of `n`" as a count: 18 of 20 (ties count half: 17.5 of 20).
pub(super) fn of(share: f64, n: usize) -> String {
    let k = share * n as f64;
    if (k - k.round()).abs() < 1e-9 {
        format!("{} of {n}", k.round())
    } else {
        format!("{k:.1} of {n}")
    }
}

/// The year the section reads: the last report year, the year of the
/// comparison's In short (it read year 20 when that was a report year,
/// so a planner met two headline years in one report, an audit,
/// 2026-12-06).
pub(super) fn decision_year(plan: &Plan) -> u32 {
    *plan.report_years.last().expect("a report year")
}

fn pct(p: f64) -> String {
    if p.is_finite() {
        format!("{:.0}%", 100.0 * p)
    } else {
        "–".into()
    }
}

/// A value and its range as the comparison's tables round them
/// ([`with_interval_rounded_as`]), signed.
fn ranged(x: f64, lo: f64, hi: f64) -> [String; 3] {
    ranged_as(x, lo, hi, (lo, hi))
}

/// [`ranged`] with the value rounded as the interval `by` rounds it
/// ([`with_interval_rounded_as`]): the range over the draws, with the
/// effect's digits as beside its 95% interval.
fn ranged_as(x: f64, lo: f64, hi: f64, by: (f64, f64)) -> [String; 3] {
    if [x, lo, hi].iter().all(|v| v.is_finite()) {
        with_interval_rounded_as(x, lo, hi, by, true)
    } else {
        [x, lo, hi].map(|v| report_cell(Some(v).filter(|v| v.is_finite())))
    }
}

/// Writes `ensemble.csv` (every metric, report year and arm).
pub(super) fn write_csv(dir: &Path, plan: &Plan, rows: &[EnsembleStat]) -> anyhow::Result<()> {
    let mut out = CsvText::new(
        &[
            "metric",
            "year",
            "scenario",
            "point",
            "higher_is_better",
            "draws",
            "replicates_per_draw",
            "mean",
            "effect",
            "effect_p05",
            "effect_p95",
            "effect_ci95_low",
            "effect_ci95_high",
            "p_better",
            "p_first",
            "regret_mean",
            "regret_p95",
        ]
        .map(String::from),
    );
    for s in rows {
        out.row(&[
            s.metric.to_string(),
            s.year.to_string(),
            plan.variants[s.arm].label.clone(),
            s.arm.to_string(),
            s.higher_is_better.map_or(String::new(), |b| b.to_string()),
            plan.draw_count().to_string(),
            plan.spec.replicates.to_string(),
            csv_value(s.mean),
            csv_value(s.effect),
            csv_value(s.effect_p05),
            csv_value(s.effect_p95),
            csv_value(s.effect_ci95.0),
            csv_value(s.effect_ci95.1),
            csv_value(s.p_better),
            csv_value(s.p_first),
            csv_value(s.regret_mean),
            csv_value(s.regret_p95),
        ]);
    }
    write_file_atomic(&dir.join("ensemble.csv"), &out.into_bytes(), true)
}

/// Tables, figures, notes and the sentence of the section.
pub(super) struct Section {
    pub tables: Vec<(String, Vec<String>, Vec<Vec<String>>)>,
    pub figures: Vec<ReportFigure>,
    pub intro: Vec<String>,
}

pub(super) fn section(plan: &Plan, runs: &Runs, plots: bool) -> (Vec<EnsembleStat>, Section) {
    let all = analysis::ensemble_stats(plan, runs, &plan.report_years, &plan.metrics);
    let y = decision_year(plan);
    let post = plan.spec.ensemble.as_ref().expect("an ensemble");
    let draws = plan.draw_count();
    let arms = plan.arms();
    let base = &plan.variants[0].label;
    let mut intro = vec![format!(
        "**Over plausible services.** Every option ran on the same {} from the posterior `{}` ({} parameters calibrated to observed patterns), {} a draw, with the same seeds. Each draw is one service consistent with the evidence; the range of an effect over the draws (5th to 95th percentile) carries what the targets leave open about the parameters, and how far the effect varies from one plausible service to another. {} P(better) is the share of draws in which the option beats `{base}`; P(best) the share in which it is the best option; regret how far it falls behind the best option in a draw (mean, and 95th percentile). A draw's effect is the mean of its replicates, so an effect smaller than the replicates' luck can take either sign on a draw. Read at year {y}.",
        crate::output::number::counted(draws, "draw"),
        post.file,
        post.keys.len(),
        crate::output::number::counted(plan.spec.replicates as usize, "replicate"),
        if draws == 1 {
            "With one draw there is no spread between draws to measure: the 95% interval beside it is of the draw's replicates.".to_string()
        } else {
            format!(
                "The 95% interval beside it is of the mean effect over the draws (each draw counted once, as the mean of its replicates): how well {draws} draws pin down the average."
            )
        }
    )];
    let mut conclusive = Vec::new();
    let mut open = Vec::new();
    // Directed effects that are 0 on every draw (an option the same as
    // the base).
    let mut same = 0;
    let mut tables = Vec::new();
    let mut figures = Vec::new();
    let scale = plan.spec.scale.unwrap_or(1.0);
    for &m in &plan.metrics {
        let name = crate::metrics::METRICS[m].name;
        // In the units of the comparison's tables: shares in %, bills in
        // billion PKR a year of the full service.
        let sh = shown_at(name, scale);
        let k = sh.factor;
        let rows: Vec<&EnsembleStat> = all
            .iter()
            .filter(|s| s.metric == name && s.year == y)
            .collect();
        let directed = rows.first().is_some_and(|s| s.higher_is_better.is_some());
        let better_word = match rows.first().and_then(|s| s.higher_is_better) {
            Some(true) => "higher is better",
            Some(false) => "lower is better",
            None => "no better direction: P is of a higher value",
        };
        let head = vec![
            "scenario".to_string(),
            format!("mean at {y}"),
            format!("effect [5th, 95th pct over draws]"),
            "95% CI of the mean effect".into(),
            if directed {
                "P(better)".into()
            } else {
                "P(higher)".into()
            },
            "P(best)".into(),
            format!("regret, {} (mean, 95th pct)", sh.diff_unit),
        ];
        let mut body = Vec::new();
        for s in &rows {
            let is_base = s.arm == 0;
            body.push(vec![
                arm_title(plan, s.arm),
                report_cell(Some(s.mean * k).filter(|x| x.is_finite())),
                if is_base {
                    "(base)".into()
                } else {
                    let (c0, c1) = s.effect_ci95;
                    let [e, lo, hi] = ranged_as(
                        s.effect * k,
                        s.effect_p05 * k,
                        s.effect_p95 * k,
                        (c0 * k, c1 * k),
                    );
                    format!("{e} [{lo}, {hi}]")
                },
                if is_base {
                    String::new()
                } else {
                    let (lo, hi) = s.effect_ci95;
                    let [_, lo, hi] = ranged(s.effect * k, lo * k, hi * k);
                    format!("[{lo}, {hi}]")
                },
                if is_base {
                    String::new()
                } else {
                    pct(s.p_better)
                },
                pct(s.p_first),
                if s.regret_mean.is_finite() {
                    format!(
                        "{} ({})",
                        report_cell(Some(s.regret_mean * k)),
                        report_cell(Some(s.regret_p95 * k))
                    )
                } else {
                    "–".into()
                },
            ]);
            let no_difference = s.all_zero;
            if !is_base && no_difference {
                same += 1;
            }
            if !is_base && directed && s.p_better.is_finite() && !no_difference {
                // Titles and labels, as the report's other tables name
                // them (a planner's audit, 2026-12-06).
                let what = format!(
                    "{} on {}",
                    arm_title(plan, s.arm),
                    crate::metrics::label(name).to_lowercase()
                );
                let n = s.counted;
                // Below the fewest draws the sentence below concludes
                // nothing and lists nothing, whatever this finds.
                match settled(s, draws.max(MIN_DRAWS_TO_CONCLUDE)) {
                    Some(true) => {
                        conclusive.push(format!("{what} is better in {}", of(s.p_better, n)))
                    }
                    Some(false) => {
                        conclusive.push(format!("{what} is worse in {}", of(1.0 - s.p_better, n)))
                    }
                    None => open.push(format!("{what} (better in {})", of(s.p_better, n))),
                }
            }
        }
        tables.push((
            format!(
                "Over plausible services: {} ({}), column {name} at year {y} ({better_word})",
                crate::metrics::label(name),
                sh.unit
            ),
            head,
            body,
        ));
        if plots && arms > 1 {
            let others: Vec<&&EnsembleStat> = rows.iter().filter(|s| s.arm > 0).collect();
            let items: Vec<String> = others.iter().map(|s| arm_title(plan, s.arm)).collect();
            let (label, base_title) = (crate::metrics::label(name), arm_title(plan, 0));
            let plausible = Bars {
                label: "over plausible services (5th-95th percentile of draws)".into(),
                values: others.iter().map(|s| s.effect * k).collect(),
                lo: others.iter().map(|s| s.effect_p05 * k).collect(),
                hi: others.iter().map(|s| s.effect_p95 * k).collect(),
            };
            let luck = Bars {
                label: "mean effect over the draws (95% CI)".into(),
                values: others.iter().map(|s| s.effect * k).collect(),
                lo: others.iter().map(|s| s.effect_ci95.0 * k).collect(),
                hi: others.iter().map(|s| s.effect_ci95.1 * k).collect(),
            };
            figures.push(ReportFigure {
                lead: false,
                stem: format!("ensemble_{}", figures.len() + 1),
                caption: format!(
                    "Effect on {label} (`{name}`) at year {y} against {base_title} ({better_word}): the range over {draws} plausible services, beside the 95% interval of the mean effect over them."
                ),
                chart: chart::ranking(
                    &format!("Effect on {label} at year {y}, over plausible services"),
                    &items,
                    &[plausible, luck],
                    &format!("difference from {base_title} ({})", sh.diff_unit),
                ),
            });
        }
    }
    let sentence = if draws < MIN_DRAWS_TO_CONCLUDE {
        format!(
            "**What a planner can conclude:** nothing yet from {draws} draw{}: at least {MIN_DRAWS_TO_CONCLUDE} are needed before \"better in at least 90% of plausible services\" means 9 of 10 rather than {}; run with `--draws 20` (the default) or more.",
            if draws == 1 { "" } else { "s" },
            if draws == 1 {
                "1 of 1".to_string()
            } else {
                format!("{draws} of {draws}")
            }
        )
    } else {
        match (conclusive.is_empty(), open.is_empty()) {
            (false, false) => format!(
                "**What a planner can conclude** at year {y}: over {draws} plausible services, {}. **What this evidence cannot settle:** {}; their sign changes from one plausible service to another.",
                conclusive.join("; "),
                open.join("; ")
            ),
            (false, true) => format!(
                "**What a planner can conclude** at year {y}: over {draws} plausible services, {}. Every effect keeps its sign in at least 90% of them.",
                conclusive.join("; ")
            ),
            (true, false) => format!(
                "**What this evidence cannot settle** at year {y}: over {draws} plausible services no effect keeps its sign in 90% of them: {}.",
                open.join("; ")
            ),
            (true, true) if same > 0 => format!(
                "**What a planner can conclude** at year {y}: no option differs from `{base}` on any of the {draws} plausible services."
            ),
            (true, true) => {
                "No metric with a better direction was reported, so no option is ranked.".into()
            }
        }
    };
    intro.push(sentence);
    (
        all,
        Section {
            tables,
            figures,
            intro,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stat(p_better: f64, counted: usize) -> EnsembleStat {
        EnsembleStat {
            metric: "efficiency",
            year: 10,
            arm: 1,
            higher_is_better: Some(true),
            mean: 20.0,
            effect: -0.25,
            effect_p05: -0.6,
            effect_p95: 0.15,
            effect_ci95: (-0.47, -0.02),
            p_better,
            counted,
            all_zero: false,
            p_first: 0.2,
            regret_mean: 1.0,
            regret_p95: 3.0,
        }
    }

    /// A planner's audit: an effect better in 4 of 10 plausible services
    /// was called "Worse" because the interval of its mean excluded 0.
    #[test]
    fn a_sign_is_settled_only_when_nine_in_ten_services_agree() {
        assert_eq!(settled(&stat(0.4, 10), 10), None);
        assert_eq!(settled(&stat(0.85, 20), 20), None);
        assert_eq!(settled(&stat(0.9, 10), 10), Some(true));
        assert_eq!(settled(&stat(0.1, 10), 10), Some(false));
        assert_eq!(settled(&stat(0.0, 20), 20), Some(false));
        // 3 of 3 is not 9 of 10, nor 8 of 8 of 10 draws.
        assert_eq!(settled(&stat(1.0, 3), 3), None);
        assert_eq!(settled(&stat(1.0, 8), 10), None);
        // An option that is the base on every draw has no sign.
        let same = EnsembleStat {
            all_zero: true,
            ..stat(0.5, 10)
        };
        assert_eq!(settled(&same, 10), None);
        assert_eq!(settled(&stat(f64::NAN, 0), 10), None);
        // A cost reads the same rule, on the share of draws it is cheaper.
        assert_eq!(settled_share(0.2, 10, 10), None);
        assert_eq!(settled_share(0.95, 20, 20), Some(true));
        assert_eq!(settled_share(0.05, 20, 20), Some(false));
    }

    /// The effect reads the same beside the range of its draws as beside
    /// the interval of its mean (the In short's figure).
    #[test]
    fn an_effect_has_the_same_digits_beside_both_intervals() {
        let s = stat(0.4, 10);
        let [e, lo, hi] = ranged_as(s.effect, s.effect_p05, s.effect_p95, s.effect_ci95);
        let [beside_ci, ..] = ranged(s.effect, s.effect_ci95.0, s.effect_ci95.1);
        assert_eq!(e, beside_ci);
        assert_eq!(
            (e.as_str(), lo.as_str(), hi.as_str()),
            ("-0.25", "-0.60", "0.15")
        );
    }
}
