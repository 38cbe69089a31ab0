//! The report of a scenario comparison.

use crate::experiment::analysis::{self, ArmTable, Carried, CostEffect, Runs, excludes_zero};
use crate::experiment::plan::Plan;
use crate::metrics::summary::Stats;
use crate::metrics::{METRICS, is_flow, metric_index};
use crate::output::chart::markers::election_note;
use crate::output::chart::{self, Bars, Estimate, ForestPanel, Series, TimeMarks, Tone};
use crate::output::figures::{band_kind_legend, band_of};
use crate::output::number::with_interval;

use super::cells::{Shown, Verdict, judge, mean_ci, metric_title, shown, signed, verdict};
use super::{ExperimentReport, ReportFigure, Summary};

pub(super) fn compare_report(
    plan: &Plan,
    runs: &Runs,
    main: &ArmTable,
    carried: &[Carried],
    costs: &[CostEffect],
    plots: bool,
) -> anyhow::Result<ExperimentReport> {
    let r = plan.replicates();
    let base = &plan.variants[0].label;
    let scale = plan.spec.scale.unwrap_or(1.0);
    // Over plausible services (an ensemble of two draws or more), each
    // effect's sign over the draws, which the In short and the tables
    // read beside the interval of its mean.
    let over_draws = if !plan.draws.is_empty() {
        analysis::ensemble_stats(plan, runs, &plan.report_years, &plan.metrics)
    } else {
        Vec::new()
    };
    let summary = in_short(plan, &over_draws, main, costs);
    let mut intro = Vec::new();
    // The options, not counting the base they are compared with.
    let options = match plan.arms().saturating_sub(1) {
        1 => "One scenario".to_string(),
        n => format!("{n} scenarios"),
    };
    let each = match plan.draws.len() {
        0 if r == 1 => "1 replicate each".to_string(),
        0 => format!("{r} replicates each"),
        d => format!(
            "{r} runs each ({} on each of {} of the posterior)",
            crate::output::number::counted(plan.spec.replicates as usize, "replicate"),
            crate::output::number::counted(d, "draw")
        ),
    };
    intro.push(format!(
        "{options} compared with `{base}` over {} years, {each}, seed {}. Replicate k of every scenario uses the same random streams (common random numbers), so each difference is paired: replicate k against replicate k.",
        plan.years,
        plan.seed
    ));
    let cells = if !crate::experiment::analysis::by_draw(plan) {
        "Each cell is the mean across replicates with its 95% confidence interval (Student's t). The difference column is the mean paired difference from the base with its 95% interval.".to_string()
    } else {
        format!(
            "Each cell is the mean over the {} draws, each draw's value the mean of its replicates, with its 95% confidence interval over the draws (Student's t, {} degrees of freedom): runs on one draw share its parameters, so the draws, not the runs, are the independent observations. The difference column is the mean over the draws of each draw's mean paired difference from the base, with its 95% interval over the draws.",
            plan.draws.len(),
            plan.draws.len().saturating_sub(1)
        )
    };
    let on_average = if over_draws.is_empty() {
        ""
    } else {
        " Over plausible services, \"better on average\" or \"worse on average\" marks a difference whose mean is clear but whose sign changes from one plausible service to another (kept in fewer than 90% of the draws, or fewer than 10 draws)."
    };
    intro.push(format!(
        "{cells} A difference whose interval excludes 0 is marked **better** or **worse** by the metric's direction (lower corruption, vacancy, bills and exits are better; higher competence, efficiency, morale and trust are better), or `*` for a metric with no better direction (months in post, transfers).{on_average}"
    ));
    intro.push(format!("Shares are shown as percentages and their differences in percentage points; bills in billion PKR a year. Numbers are rounded to what their interval supports. A cell from fewer {} than the others, where a metric has no value in some (as the rank correlation in a year without a board), ends with their number, as (n=K) for K of them.", if analysis::by_draw(plan) { "draws" } else { "replicates" }));
    if scale != 1.0 {
        intro.push(format!(
            "This run simulated the service at {scale} of its size (`--scale {scale}`). Shares, means and rates do not depend on the size, but counts and bills do: counts are of the simulated service, while bills and costs are divided by {scale} to give the full service's; so are the counts in the per-billion figures, which do not depend on the scale. The files keep both: `table.csv` and `runs.csv` hold the simulated service's values (bills in million PKR of the service at {scale} of its size: divide them by {scale}), `costs.csv` the full service's."
        ));
    }
    // A cell from fewer observations than the others says how many (a
    // planner's audit: the rank correlation of a year in which a
    // replicate held no board came from 3 of 4, under "4 replicates each").
    let observed = if analysis::by_draw(plan) {
        plan.draws.len()
    } else {
        r
    };
    let fewer = |s: &Stats| -> String {
        if s.n > 0 && s.n < observed {
            format!(" (n={})", s.n)
        } else {
            String::new()
        }
    };
    let mut tables = Vec::new();
    if let Some(t) = changes_table(plan) {
        tables.push(t);
    }
    if let Some(t) = cost_table(plan, costs, &over_draws) {
        tables.push(t);
    }
    for &m in &plan.metrics {
        let name = METRICS[m].name;
        let sh = shown_at(name, scale);
        let head = vec!["scenario".to_string()]
            .into_iter()
            .chain(plan.report_years.iter().flat_map(|y| {
                [
                    format!("year {y} ({})", sh.unit),
                    format!("difference at {y} ({})", sh.diff_unit),
                ]
            }))
            .collect::<Vec<_>>();
        let mut rows = Vec::new();
        for v in 0..plan.arms() {
            let mut row = vec![arm_title(plan, v)];
            for &y in &plan.report_years {
                let a = main.get(m, y, v);
                row.push(format!(
                    "{}{}",
                    mean_ci(&a.stats, sh.factor),
                    fewer(&a.stats)
                ));
                let d = match &a.diff {
                    Some(d) => {
                        // A clear average whose sign changes between
                        // plausible services, as the In short lists it.
                        let unsettled = a.significant
                            && unsettled(
                                &over_draws,
                                plan.draw_count(),
                                name,
                                y,
                                v,
                                judge(name, d.mean, true),
                            )
                            .is_some();
                        format!(
                            "{}{}{}{}",
                            signed(d, sh.factor),
                            verdict(name, d, a.significant),
                            if unsettled { " on average" } else { "" },
                            fewer(d)
                        )
                    }
                    None => "(base)".into(),
                };
                row.push(d);
            }
            rows.push(row);
        }
        tables.push((metric_title(name), head, rows));
    }
    let mut figures = Vec::new();
    if plots && plan.arms() > 1 {
        figures.push(forest_figure(plan, main, &over_draws));
    }
    if plots {
        // In the units of the tables: shares in %, bills in billion PKR a
        // year of the full service.
        let panels: Vec<chart::Panel> = plan
            .metrics
            .iter()
            .map(|&m| {
                let sh = shown_at(METRICS[m].name, scale);
                chart::Panel {
                    title: crate::metrics::label(METRICS[m].name).to_string(),
                    y_label: sh.unit.to_string(),
                    series: (0..plan.arms())
                        .map(|v| replicate_band(plan, runs, v, m, sh.factor, arm_title(plan, v)))
                        .collect(),
                }
            })
            .collect();
        let marks = time_marks(plan);
        let note = if marks.elections.is_empty() {
            String::new()
        } else {
            election_note(government_changes(plan, runs)).join("\n")
        };
        let band = band_kind_legend(r).unwrap_or_default();
        figures.push(ReportFigure {
            lead: false,
            stem: "comparison".into(),
            caption: format!(
                "The main metrics over time, one colour per scenario: {}. Counts of what happened during a year start at year 1. Dashed lines mark reforms, dotted lines election years.",
                lines_and_bands(r, !plan.draws.is_empty())
            ),
            chart: chart::overlay("Scenarios compared", "Years since start", &panels, &band)
                .with_time_marks(marks)
                .with_note(&note),
        });
    }
    let mut notes = vec!["Every metric at every report year, with the same columns, is in `table.csv`; every run's every year in `runs.csv`; all statistics in `summary.json`.".into()];
    if plan.spec.decompose {
        decomposition(plan, carried, plots, &mut intro, &mut tables, &mut figures);
        notes.push("Every metric, report year, scenario and mechanism of the decomposition, with the effect, the effect without the mechanism, the part it carries and their 95% intervals, is in `decomposition.csv`.".into());
    }
    Ok(ExperimentReport {
        summary: Some(summary),
        title: report_title(plan),
        intro,
        tables,
        figures,
        notes,
    })
}

/// What the comparison figure's lines and bands are, for `r` runs an arm
/// (`ensemble`: replicates on every draw of an ensemble).
fn lines_and_bands(r: usize, ensemble: bool) -> String {
    let runs = if ensemble { "runs" } else { "replicates" };
    match r {
        0 | 1 => {
            "lines are each scenario's one run, with no band (one run has no spread)".to_string()
        }
        2 => format!(
            "lines are means across 2 {runs}, bands their minimum and maximum, as in a run's plots; the tables' intervals are of the mean instead"
        ),
        _ => format!(
            "lines are means across {r} {}, bands the 5th–95th percentiles of the {runs}, as in a run's plots; the tables' intervals are of the mean instead",
            if ensemble {
                "runs (replicates on every draw)"
            } else {
                "replicates"
            }
        ),
    }
}

/// Arm `v`'s line of metric `m` over the years: the mean of the replicates
/// over the band of their 5th–95th percentiles (min–max with two, none with
/// one), as a run's plots draw it. A flow has no value at year 0.
fn replicate_band(
    plan: &Plan,
    runs: &Runs,
    v: usize,
    m: usize,
    factor: f64,
    label: String,
) -> Series {
    let flow = is_flow(METRICS[m].name);
    let mut series = Series {
        label,
        ..Default::default()
    };
    for y in 0..=plan.years {
        let (mean, lo, hi) = if flow && y == 0 {
            (f64::NAN, f64::NAN, f64::NAN)
        } else {
            let mut xs = analysis::values(plan, runs, v, y, m);
            xs.iter_mut().for_each(|x| *x *= factor);
            band_of(&mut xs)
        };
        let banded = plan.replicates() > 1;
        series.x.push(f64::from(y));
        series.mean.push(mean);
        series.lo.push(if banded { lo } else { f64::NAN });
        series.hi.push(if banded { hi } else { f64::NAN });
    }
    series
}

/// The reforms and election years of the compared scenarios, to mark on
/// every panel. Reforms every arm shares are labelled as they are; others
/// name their scenario.
fn time_marks(plan: &Plan) -> TimeMarks {
    let scenarios: Vec<_> = plan.variants[..plan.arms()]
        .iter()
        .enumerate()
        .filter_map(|(k, v)| plan.scenario(v).ok().map(|s| (arm_title(plan, k), s)))
        .collect();
    let reform_list = |s: &crate::scenario::Scenario| -> Vec<(f64, String)> {
        s.reforms
            .iter()
            .enumerate()
            .map(|(k, r)| (r.year, r.display_label(k)))
            .collect()
    };
    let mut reforms: Vec<(f64, String)> = Vec::new();
    for (label, s) in &scenarios {
        for reform in reform_list(s) {
            let everywhere = scenarios
                .iter()
                .all(|(_, o)| reform_list(o).contains(&reform));
            let mark = if everywhere {
                reform
            } else if label.to_lowercase().contains(&reform.1.to_lowercase()) {
                // "pay decompression" in "Pay decompression": the title says it.
                (reform.0, label.clone())
            } else {
                (reform.0, format!("{label}: {}", reform.1))
            };
            if !reforms.contains(&mark) {
                reforms.push(mark);
            }
        }
    }
    let mut elections: Vec<f64> = scenarios
        .iter()
        .flat_map(|(_, s)| s.politics.election_years(plan.years))
        .collect();
    elections.sort_by(f64::total_cmp);
    elections.dedup();
    TimeMarks { reforms, elections }
}

/// (changes of government, elections held) over every replicate of every
/// arm, from the `government_changes` count at the last year.
fn government_changes(plan: &Plan, runs: &Runs) -> Option<(usize, usize)> {
    let m = metric_index("government_changes")?;
    let (mut changes, mut held) = (0.0, 0);
    for (v, var) in plan.variants[..plan.arms()].iter().enumerate() {
        let s = plan.scenario(var).ok()?;
        let n = s
            .politics
            .election_years(plan.years)
            .iter()
            .filter(|&&x| x < f64::from(plan.years))
            .count();
        for value in analysis::values(plan, runs, v, plan.years, m) {
            if value.is_finite() {
                changes += value;
                held += n;
            }
        }
    }
    (held > 0).then_some((changes.round() as usize, held))
}

/// The report's title: the experiment's name when it was given one, else
/// the options and the base in words ("Tenure security and Pay
/// decompression against Pakistan baseline").
fn report_title(plan: &Plan) -> String {
    if plan.spec.name != plan.spec.default_name() || plan.arms() < 2 {
        return format!("Comparison: {}", plan.spec.name);
    }
    let options: Vec<String> = (1..plan.arms()).map(|v| arm_title(plan, v)).collect();
    let list = match options.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => options.join(""),
    };
    format!("{list} against {}", arm_title(plan, 0))
}

/// How readers see arm `v`: its scenario's `title` (or name), or the
/// variant's `key=value` label when the variant changes its base. Two arms
/// with one title (a scenario compared with an edited copy of its file)
/// are told apart by their labels, which are unique: "Pakistan baseline
/// (status quo) — pakistan_baseline (2)".
pub(super) fn arm_title(plan: &Plan, v: usize) -> String {
    let title = |v: usize| {
        let var = &plan.variants[v];
        if var.sets.is_empty() {
            plan.bases[var.base].display_title().to_string()
        } else {
            var.label.clone()
        }
    };
    let t = title(v);
    if (0..plan.arms()).any(|u| u != v && title(u) == t) && t != plan.variants[v].label {
        format!("{t} — {}", plan.variants[v].label)
    } else {
        t
    }
}

/// How the report shows metric `name` of a run at `--scale scale`
/// ([`shown`]), with bills divided by the scale: the full service's.
pub(super) fn shown_at(name: &str, scale: f64) -> Shown {
    let mut sh = shown(name);
    if crate::metrics::unit_of(name) == Some("million PKR") {
        sh.factor /= scale;
    }
    sh
}

/// A difference in words' units: "points", "points of 100", "months".
pub(super) fn diff_words(name: &str) -> String {
    match crate::metrics::unit_of(name).unwrap_or("") {
        "share" => "points".into(),
        "index 0-100" => "points of 100".into(),
        "score 0-10" => "on a 0-10 score".into(),
        "0-1" => "on a 0-1 scale".into(),
        // A bare "-1 to 1" after an interval read as a second range.
        "-1 to 1" => "on a -1 to 1 scale".into(),
        _ => shown(name).diff_unit.into(),
    }
}

/// A settled difference as a summary states it: "+8.7 [7.7, 9.8] points",
/// "+0.082 [0.055, 0.109] on a 0-10 score".
fn signed_words(name: &str, d: &Stats, k: f64) -> Option<String> {
    let [m, lo, hi] = with_interval(d.mean? * k, d.ci95_low? * k, d.ci95_high? * k, true);
    Some(format!("{m} [{lo}, {hi}] {}", diff_words(name)))
}

/// What an option costs, in words: "costs 7.2 [6.9, 7.5] billion PKR a
/// year more in wages and pensions", "saves …", or "has no clear cost: …".
fn cost_words(c: &CostEffect, draws: usize) -> Option<String> {
    let s = &c.extra_cost;
    // Full-service million PKR, shown in billions.
    let k = shown("wage_bill").factor;
    let (m, lo, hi) = (s.mean? * k, s.ci95_low? * k, s.ci95_high? * k);
    // Over plausible services, a clear average whose sign the draws do
    // not settle, as for the effects.
    let average = match cost_unsettled(c, draws) {
        Some((share, n)) if m > 0.0 => format!(
            " on average (more in {} plausible services)",
            super::ensemble::of(1.0 - share, n)
        ),
        Some((share, n)) => format!(
            " on average (less in {} plausible services)",
            super::ensemble::of(share, n)
        ),
        None => String::new(),
    };
    Some(if !c.costs_differ {
        let [m, lo, hi] = with_interval(m, lo, hi, true);
        format!("has no clear cost: wage and pension bills {m} [{lo}, {hi}] billion PKR a year")
    } else if m > 0.0 {
        let [m, lo, hi] = with_interval(m, lo, hi, false);
        format!("costs {m} [{lo}, {hi}] billion PKR a year more in wages and pensions{average}")
    } else {
        let [m, lo, hi] = with_interval(-m, -hi, -lo, false);
        format!("saves {m} [{lo}, {hi}] billion PKR a year in wages and pensions{average}")
    })
}

/// With an ensemble, a clear extra cost whose sign the plausible services
/// do not settle ([`super::ensemble::settled_share`]): the share of draws
/// in which the option is cheaper and how many draws count.
fn cost_unsettled(c: &CostEffect, draws: usize) -> Option<(f64, usize)> {
    let (share, n) = c.cheaper_share?;
    let cheaper = c.extra_cost.mean? < 0.0;
    (c.costs_differ && super::ensemble::settled_share(share, n, draws) != Some(cheaper))
        .then_some((share, n))
}

/// Whether the report states what a billion rupees a year of an option
/// buys: only where its extra cost is clearly above 0, its sign settled
/// over plausible services (under `--ensemble`), and known to within half
/// of itself (the 95% interval's lower end at least half the mean). A
/// ratio to a cost that is barely clear of 0 runs to absurd sizes (a
/// planner's audit: "+0.27 [0.15, 1.32] on a 0-1 scale" per billion, the
/// upper end past the whole scale, for a cost of 0.44 [0.09, 0.79]).
fn buys(c: &CostEffect, draws: usize) -> bool {
    let s = &c.extra_cost;
    c.costs_differ
        && cost_unsettled(c, draws).is_none()
        && matches!((s.mean, s.ci95_low), (Some(m), Some(lo)) if m > 0.0 && lo >= m / 2.0)
}

/// Why an option with a clear extra cost gets no per-billion figures
/// ([`buys`]), in words for its cells; `None` when it gets them or has no
/// clear extra cost.
fn not_bought(c: &CostEffect, draws: usize) -> Option<&'static str> {
    if !c.costs_differ || c.extra_cost.mean <= Some(0.0) || buys(c, draws) {
        None
    } else if cost_unsettled(c, draws).is_some() {
        Some("– (cost's sign not settled)")
    } else {
        Some("– (cost too uncertain)")
    }
}

/// Metric `m`'s difference for arm `v` at report year `y` in words, with
/// its verdict and year ("+2.51 [2.35, 2.68] points of 100, better at
/// year 10"), when its interval settles it there (and, over plausible
/// services, its sign); `None` otherwise.
fn clear_at(
    plan: &Plan,
    over_draws: &[analysis::EnsembleStat],
    main: &ArmTable,
    m: usize,
    y: u32,
    v: usize,
) -> Option<String> {
    let name = METRICS[m].name;
    let a = main.get(m, y, v);
    if !a.significant {
        return None;
    }
    let d = a.diff.as_ref()?;
    let scale = plan.spec.scale.unwrap_or(1.0);
    let w = signed_words(name, d, shown_at(name, scale).factor)?;
    let verdict = judge(name, d.mean, true);
    if unsettled(over_draws, plan.draw_count(), name, y, v, verdict).is_some() {
        return None;
    }
    Some(match verdict {
        Verdict::Better => format!("{w}, better at year {y}"),
        Verdict::Worse => format!("{w}, worse at year {y}"),
        _ => format!("{w} at year {y}"),
    })
}

/// Arm `v`'s cost and effects at `year`, if computed.
fn cost_of(costs: &[CostEffect], v: usize, year: u32) -> Option<&CostEffect> {
    costs.iter().find(|c| c.arm == v && c.year == year)
}

/// Over plausible services, the effect of arm `v` on `name` at `year` when
/// `verdict` (better or worse) is not the sign it keeps in 90% of the draws
/// ([`super::ensemble::settled`]): its clear average is then "on
/// average". None without an ensemble or for other verdicts.
fn unsettled<'a>(
    over_draws: &'a [analysis::EnsembleStat],
    draws: usize,
    name: &str,
    year: u32,
    v: usize,
    verdict: Verdict,
) -> Option<&'a analysis::EnsembleStat> {
    if !matches!(verdict, Verdict::Better | Verdict::Worse) {
        return None;
    }
    over_draws
        .iter()
        .find(|s| s.metric == name && s.year == year && s.arm == v)
        .filter(|s| super::ensemble::settled(s, draws) != Some(verdict == Verdict::Better))
}

/// A per-billion effect as a cell: "-1.3 [-1.9, -0.8]", with "better" or
/// "worse" when the interval excludes 0 ("better on average" where the
/// effect's sign is not settled over plausible services, `on_average`);
/// "–" without a bounded interval.
fn per_billion_cell(name: &str, p: &analysis::PerCost, k: f64, on_average: bool) -> String {
    let Some(r) = p.per_billion else {
        return "–".into();
    };
    match p.ci95 {
        Some((lo, hi)) => {
            let [m, l, h] = with_interval(r * k, lo * k, hi * k, true);
            let verdict = judge(name, Some(r), lo > 0.0 || hi < 0.0);
            let average = if on_average && matches!(verdict, Verdict::Better | Verdict::Worse) {
                " on average"
            } else {
                ""
            };
            format!("{m} [{l}, {h}]{}{average}", verdict.suffix())
        }
        None => "– (interval unbounded)".into(),
    }
}

/// The report's opening: at the last report year, for each option, what
/// it costs, what it changes that its interval settles (in words, with the
/// interval, shares in percentage points), what a billion rupees of it
/// buys, and what it leaves unsettled.
fn in_short(
    plan: &Plan,
    over_draws: &[analysis::EnsembleStat],
    main: &ArmTable,
    costs: &[CostEffect],
) -> Summary {
    let year = plan.report_years.last().copied().unwrap_or(plan.years);
    let scale = plan.spec.scale.unwrap_or(1.0);
    let title = |v: usize| arm_title(plan, v);
    let bills = ["wage_bill", "pension_bill"];
    // With an ensemble a scenario's runs are replicates on every draw.
    let runs = match plan.draws.len() {
        0 if plan.replicates() == 1 => "1 replicate each".to_string(),
        0 => format!("{} replicates each", plan.replicates()),
        d => format!(
            "{} runs each: {} on each of {}",
            plan.replicates(),
            crate::output::number::counted(plan.spec.replicates as usize, "replicate"),
            crate::output::number::counted(d, "plausible service")
        ),
    };
    // An interval needs two observations (replicates, or draws of an
    // ensemble): with one, no difference is judged (a planner's audit: a
    // -9.8-point effect read "No clear difference" under "95% intervals").
    let observations = if analysis::by_draw(plan) {
        plan.draws.len()
    } else {
        plan.replicates()
    };
    let judged = observations >= 2;
    // Over plausible services (an ensemble of two draws or more), a clear
    // average is called better or worse only when the effect also keeps
    // that sign in 90% of the draws, as the section "Over plausible
    // services" concludes; otherwise its sign is not settled (a planner's
    // audit: the In short read "Worse" for an effect that section found
    // better in 4 of 10 plausible services).
    let draws = plan.draw_count();
    let lead = if judged {
        format!(
            "**In short.** At year {year}, against {} ({runs}, 95% intervals):",
            title(0)
        )
    } else {
        format!(
            "**In short.** At year {year}, against {} ({runs}: one run gives no interval, so no difference below is judged clear or not; run 2 replicates or more):",
            title(0)
        )
    };
    let mut items = Vec::new();
    // Whether any option's per-billion figures are given (the note on a
    // scaled run's counts is about them).
    let mut any_bought = false;
    for v in 1..plan.arms() {
        // Settled differences by verdict, then the unclear ones.
        let (mut better, mut worse, mut other, mut open) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let (mut unsettled_better, mut unsettled_worse) = (Vec::new(), Vec::new());
        // Clear at an earlier report year and not at the last (a planner's
        // audit: a package whose reforms were reversed read "No clear
        // difference" everywhere though its tables were clear at year 10).
        let mut earlier = Vec::new();
        for &m in &plan.metrics {
            let name = METRICS[m].name;
            if bills.contains(&name) {
                continue;
            }
            let a = main.get(m, year, v);
            let Some(d) = &a.diff else { continue };
            let label = crate::metrics::label(name).to_lowercase();
            if !judged {
                if d.mean.is_some() {
                    let k = shown_at(name, scale).factor;
                    other.push(format!("{label} {} {}", signed(d, k), diff_words(name)));
                }
                continue;
            }
            if !a.significant {
                if let Some(w) = plan
                    .report_years
                    .iter()
                    .rev()
                    .filter(|&&y| y < year)
                    .find_map(|&y| clear_at(plan, over_draws, main, m, y, v))
                {
                    earlier.push(format!("{label} {w}"));
                }
                open.push(label);
                continue;
            }
            // Bills of the full service, as in the tables.
            let Some(w) = signed_words(name, d, shown_at(name, scale).factor) else {
                continue;
            };
            let verdict = judge(name, d.mean, true);
            match (
                verdict,
                unsettled(over_draws, draws, name, year, v, verdict),
            ) {
                (Verdict::Better | Verdict::Worse, Some(s)) => {
                    let (list, share, word) = if verdict == Verdict::Better {
                        (&mut unsettled_better, s.p_better, "better")
                    } else {
                        (&mut unsettled_worse, 1.0 - s.p_better, "worse")
                    };
                    list.push(format!(
                        "{label} {w} ({word} in {} plausible services)",
                        super::ensemble::of(share, s.counted)
                    ));
                }
                (Verdict::Better, _) => better.push(format!("{label} {w}")),
                (Verdict::Worse, _) => worse.push(format!("{label} {w}")),
                _ => other.push(format!("{label} {w}")),
            }
        }
        let mut p = format!("**{}**", title(v));
        let cost = cost_of(costs, v, year);
        p.push_str(&match (cost.and_then(|c| cost_words(c, draws)), cost) {
            (Some(w), _) => format!(" {w}."),
            (None, Some(c)) if !judged && c.extra_cost.mean.is_some() => format!(
                ": wage and pension bills {} billion PKR a year against the base's (not judged).",
                signed(&c.extra_cost, shown("wage_bill").factor)
            ),
            _ => ".".into(),
        });
        // A reform begins after the row of its year: an option whose
        // reforms all begin at the year reported or later differs there
        // only by what it changes from the start (a planner's audit: every
        // metric read "No clear difference" with nothing to say why).
        let scn = &plan.bases[plan.variants[v].base];
        if let Some(first) = scn
            .reforms
            .iter()
            .map(|r| r.year)
            .min_by(f64::total_cmp)
            .filter(|&y| y >= year as f64)
        {
            p.push_str(&format!(
                " Its reforms begin after year {first}, so at year {year} they are not yet in force."
            ));
        }
        let also = if judged {
            "Also"
        } else {
            "Differences, not judged"
        };
        let earlier_head = format!("Clear earlier, not at year {year}");
        // Reforms that can be reversed: how many are still in force.
        let reversible = |r: &crate::model::reforms::Reform| {
            r.reversal_hazard > 0.0 || r.reversal_at_government_change > 0.0
        };
        let begun = scn.reforms.iter().filter(|r| r.year < year as f64).count();
        if scn.reforms.iter().any(reversible)
            && begun > 0
            && let Some(idx) = metric_index("reforms_in_force")
            && let Some(mean) = main.get(idx, year, v).stats.mean
            && mean < begun as f64 - 0.05
        {
            p.push_str(&if begun == 1 && mean < 0.005 {
                format!(" Its reform was reversed by year {year} in every run.")
            } else if begun == 1 {
                format!(
                    " Its reform is still in force at year {year} in {:.0}% of the runs; it was reversed in the others.",
                    100.0 * mean
                )
            } else {
                format!(
                    " Of its {begun} reforms begun by year {year}, on average {mean:.1} remain in force then; reversals took the rest."
                )
            });
        }
        let (on_average_better, on_average_worse) =
            if draws < super::ensemble::MIN_DRAWS_TO_CONCLUDE {
                (
                    "Better on average, too few draws to settle the sign",
                    "Worse on average, too few draws to settle the sign",
                )
            } else {
                (
                    "Better on average, sign not settled",
                    "Worse on average, sign not settled",
                )
            };
        for (head, list) in [
            ("Better", &better),
            ("Worse", &worse),
            (on_average_better, &unsettled_better),
            (on_average_worse, &unsettled_worse),
            (also, &other),
            ("No clear difference", &open),
            (&earlier_head, &earlier),
        ] {
            if !list.is_empty() {
                p.push_str(&format!(" **{head}:** {}.", list.join("; ")));
            }
        }
        // What a billion rupees a year of it buys, where it clearly costs
        // money and the cost is known well enough to divide by ([`buys`]).
        if let Some(c) = cost.filter(|c| buys(c, draws)) {
            let per: Vec<String> = c
                .per_cost
                .iter()
                .filter(|p| {
                    metric_index(p.metric).is_some_and(|m| main.get(m, year, v).significant)
                })
                .filter_map(|p| {
                    let (r, (lo, hi)) = (p.per_billion?, p.ci95?);
                    let k = shown(p.metric).factor;
                    let [r, lo, hi] = with_interval(r * k, lo * k, hi * k, true);
                    // A harm bought is still a harm: each with its verdict,
                    // as the cost table marks it (a planner's audit,
                    // 2026-12-06).
                    let judged = judge(p.metric, p.per_billion, true);
                    let average =
                        if unsettled(over_draws, draws, p.metric, year, v, judged).is_some() {
                            " on average"
                        } else {
                            ""
                        };
                    let verdict = match judged {
                        Verdict::Better => format!(", better{average}"),
                        Verdict::Worse => format!(", worse{average}"),
                        _ => String::new(),
                    };
                    Some(format!(
                        "{} {r} [{lo}, {hi}] {}{verdict}",
                        crate::metrics::label(p.metric).to_lowercase(),
                        diff_words(p.metric)
                    ))
                })
                .collect();
            if !per.is_empty() {
                any_bought = true;
                p.push_str(&format!(" **Per billion PKR a year:** {}.", per.join("; ")));
            }
        } else if let Some(c) = cost.filter(|c| not_bought(c, draws).is_some()) {
            p.push_str(if cost_unsettled(c, draws).is_none() {
                " What a billion rupees of it buys is not given: its cost is too uncertain (its interval's low end is below half its mean), and dividing by it gives ratios of any size."
            } else if draws < super::ensemble::MIN_DRAWS_TO_CONCLUDE {
                " What a billion rupees of it buys is not given: too few plausible services were drawn to settle its cost's sign."
            } else {
                " What a billion rupees of it buys is not given: its cost's sign is not settled over plausible services."
            });
        }
        items.push(p);
    }
    let scaled = match plan.spec.scale {
        Some(f) if f != 1.0 && any_bought => format!(
            " Costs are the full service's: the run simulated {f} of it and its bills are divided by {f}; so are the counts in the per-billion figures, while the counts of the effects above (resignations, say) are the simulated service's."
        ),
        Some(f) if f != 1.0 => format!(
            " Costs are the full service's: the run simulated {f} of it and its bills are divided by {f}."
        ),
        _ => String::new(),
    };
    let intervals = if !judged {
        "With one run each there are no intervals: the differences are one run's and may be chance."
    } else if plan.draws.len() == 1 {
        "Intervals are 95% intervals of the paired difference over the replicates of the one plausible service drawn: they show the simulation's chance at its parameters, not what we do not know about them (draw 20 or more with `--draws`)."
    } else if plan.draws.is_empty() {
        "Intervals are 95% intervals of the paired difference over replicates: they show the simulation's chance, not what we do not know about the parameters (`--ensemble` adds that)."
    } else {
        if draws < super::ensemble::MIN_DRAWS_TO_CONCLUDE {
            "Intervals are 95% intervals of the mean effect over the plausible services drawn, counting each draw (the mean of its replicates) once: they say how well the draws pin down the average effect over plausible services, not how far the effect varies between them (\"Over plausible services\" gives that range). With fewer than 10 draws no sign is settled: an effect is called better or worse without qualification only when it keeps its sign in at least 9 of 10 plausible services, so a clear average is listed as \"on average\"; run with `--draws 20` (the default) or more."
        } else {
            "Intervals are 95% intervals of the mean effect over the plausible services drawn, counting each draw (the mean of its replicates) once: they say how well the draws pin down the average effect over plausible services, not how far the effect varies between them (\"Over plausible services\" gives that range). An effect is called better or worse only when its interval excludes 0 and it keeps its sign in at least 90% of the plausible services; a clear average whose sign changes between them is listed as \"on average, sign not settled\", with the share of services in which it holds."
        }
    };
    let tail = format!(
        "Costs are the paired differences of the yearly wage and pension bills from those of {}.{scaled} {intervals} Read them as relative effects of the options within the model, not forecasts.",
        title(0)
    );
    Summary { lead, items, tail }
}

/// "What each option costs, and what a billion rupees of it buys": at
/// every report year, each option's extra yearly wage and pension bill
/// against the base, and each metric's difference per billion PKR a year
/// of it where the extra cost is clearly above 0.
fn cost_table(
    plan: &Plan,
    costs: &[CostEffect],
    over_draws: &[analysis::EnsembleStat],
) -> Option<Table> {
    if costs.is_empty() {
        return None;
    }
    let metrics: Vec<&'static str> = costs[0].per_cost.iter().map(|p| p.metric).collect();
    let mut head = vec![
        "option".to_string(),
        "year".into(),
        "extra cost (billion PKR a year)".into(),
    ];
    head.extend(metrics.iter().map(|m| {
        format!(
            "{} per billion ({})",
            crate::metrics::label(m),
            shown(m).diff_unit
        )
    }));
    let mut rows = Vec::new();
    for v in 1..plan.arms() {
        for &y in &plan.report_years {
            let Some(c) = cost_of(costs, v, y) else {
                continue;
            };
            let mut row = vec![arm_title(plan, v), y.to_string()];
            let cost = signed(&c.extra_cost, shown("wage_bill").factor);
            row.push(if c.costs_differ {
                let average = if cost_unsettled(c, plan.draw_count()).is_some() {
                    " on average"
                } else {
                    ""
                };
                format!(
                    "{cost}{}{average}",
                    verdict("wage_bill", &c.extra_cost, true)
                )
            } else if c.extra_cost.ci95_low.is_none() {
                // One run: no interval, so nothing to call clear or not.
                format!("{cost} (not judged)")
            } else {
                format!("{cost} (no clear change)")
            });
            let buys = buys(c, plan.draw_count());
            let why_not = not_bought(c, plan.draw_count());
            for p in &c.per_cost {
                row.push(if let Some(why) = why_not {
                    why.into()
                } else if buys {
                    let verdict = judge(p.metric, p.per_billion, true);
                    let on_average =
                        unsettled(over_draws, plan.draw_count(), p.metric, y, v, verdict).is_some();
                    per_billion_cell(p.metric, p, shown(p.metric).factor, on_average)
                } else {
                    "–".into()
                });
            }
            rows.push(row);
        }
    }
    Some((
        "What each option costs, and what a billion rupees a year of it buys".into(),
        head,
        rows,
    ))
}

/// The forest plot that leads the report: every metric's difference from
/// the base at every report year, with its 95% interval.
fn forest_figure(
    plan: &Plan,
    main: &ArmTable,
    over_draws: &[analysis::EnsembleStat],
) -> ReportFigure {
    let draws = plan.draw_count();
    let scale = plan.spec.scale.unwrap_or(1.0);
    let rows: Vec<String> = (1..plan.arms()).map(|v| arm_title(plan, v)).collect();
    let tags: Vec<String> = plan
        .report_years
        .iter()
        .map(|y| format!("year {y}"))
        .collect();
    let panels: Vec<ForestPanel> = plan
        .metrics
        .iter()
        .map(|&m| {
            let name = METRICS[m].name;
            let sh = shown_at(name, scale);
            let estimates = (1..plan.arms())
                .map(|v_arm| {
                    plan.report_years
                        .iter()
                        .map(|&y| {
                            let a = main.get(m, y, v_arm);
                            let d = a.diff.as_ref();
                            let get = |f: fn(&Stats) -> Option<f64>| {
                                d.and_then(f).map_or(f64::NAN, |x| x * sh.factor)
                            };
                            // Over plausible services, a clear average whose
                            // sign the draws do not settle is drawn as the
                            // text words it, "on average" (a planner's audit:
                            // solid dots under "nothing yet from 3 draws").
                            let verdict = d.map(|d| judge(name, d.mean, a.significant));
                            let average =
                                |v| unsettled(over_draws, draws, name, y, v_arm, v).is_some();
                            let tone = match verdict {
                                Some(Verdict::Better) if average(Verdict::Better) => {
                                    Tone::BetterOnAverage
                                }
                                Some(Verdict::Worse) if average(Verdict::Worse) => {
                                    Tone::WorseOnAverage
                                }
                                Some(Verdict::Better) => Tone::Better,
                                Some(Verdict::Worse) => Tone::Worse,
                                Some(Verdict::Differs) => Tone::Differs,
                                _ => Tone::Unclear,
                            };
                            Estimate {
                                mean: get(|s| s.mean),
                                lo: get(|s| s.ci95_low),
                                hi: get(|s| s.ci95_high),
                                tone,
                            }
                        })
                        .collect()
                })
                .collect();
            ForestPanel {
                title: crate::metrics::label(name).to_string(),
                axis: sh.diff_unit.to_string(),
                higher_is_better: crate::metrics::higher_is_better(name),
                estimates,
            }
        })
        .collect();
    let years = match plan.report_years.as_slice() {
        [y] => format!("year {y}"),
        ys => format!(
            "years {}",
            ys.iter()
                .map(|y| y.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let over = if analysis::by_draw(plan) {
        format!(
            "{} (each the mean of its {})",
            crate::output::number::counted(plan.draws.len(), "plausible service"),
            crate::output::number::counted(plan.spec.replicates as usize, "replicate")
        )
    } else {
        crate::output::number::counted(plan.replicates(), "replicate")
    };
    let note = format!(
        "Dots: mean paired difference from {} over {over}; lines: its 95% interval. Within each option, one line per report year\n({years} from top; the last drawn largest). Shares in percentage points, bills in billion PKR a year.",
        arm_title(plan, 0),
    );
    ReportFigure {
        stem: "differences".into(),
        caption: format!(
            "How each option differs from {} at {years}: one panel per metric, each in its own unit; blue is better, vermillion worse, hollow grey an interval that includes 0{}.",
            arm_title(plan, 0),
            if plan.draws.len() > 1 {
                "; a hollow blue or vermillion dot is better or worse on average over the plausible services drawn, its sign not settled between them"
            } else {
                ""
            }
        ),
        chart: chart::forest(
            &format!(
                "Differences from {}, with 95% intervals",
                arm_title(plan, 0)
            ),
            &rows,
            &tags,
            &panels,
        )
        .with_note(&note),
        lead: true,
    }
}

/// "What each option changes": for each compared scenario, every key whose
/// value differs from the base's from the start, and every key a reform of
/// it sets, with the base's value, the option's and from when; read from
/// the resolved scenarios, so it is what was run. `None` when nothing
/// differs.
fn changes_table(plan: &Plan) -> Option<Table> {
    // Each scenario as a tree, walked by path: so that a reform's key inside
    // a list (`structure.grades[1].selection`) finds the base's value too.
    let tree = |s: &crate::scenario::Scenario| -> toml::Value {
        toml::Value::try_from(s).expect("scenario serialises")
    };
    // The run's settings are keys too (a planner's audit: an arm with its
    // own warm-up and engine differed from year 0 with no row to say why);
    // the replicates are the experiment's, the same for every arm.
    let listed = |k: &str| {
        ![
            "name",
            "title",
            "description",
            "reforms",
            "expect",
            "sim.replicates",
        ]
        .iter()
        .any(|x| k == *x || k.starts_with(&format!("{x}.")) || k.starts_with(&format!("{x}[")))
    };
    // A list is compared entry by entry (`structure.grades[1].selection`);
    // one of another length is one row, said by its length when it would
    // not fit a cell (a users' audit, 2026-12-07: two grade lists that
    // differed in one flag filled cells of 1,200 characters).
    let text = |v: &toml::Value| match v {
        toml::Value::String(s) => s.clone(),
        toml::Value::Array(a) if v.to_string().chars().count() > 60 => match a.len() {
            1 => "a list of 1 entry".to_string(),
            n => format!("a list of {n} entries"),
        },
        other => other.to_string(),
    };
    let base = &plan.bases[plan.variants[0].base];
    let base_tree = tree(base);
    // Under an ensemble a posterior column is set on every draw, in every
    // arm: its base value is each draw's, so say their range rather than
    // the scenario's own value (a planner's audit: a reform "raising"
    // detection_rate from 0.06 to 0.15 lowered it on the draws above 0.15).
    let drawn = |key: &str| -> Option<String> {
        let post = plan.spec.ensemble.as_ref()?;
        let want = crate::paths::canonical(key);
        let c = post
            .keys
            .iter()
            .position(|k| crate::paths::canonical(k) == want)?;
        let values: Vec<f64> = plan
            .draws
            .iter()
            .filter_map(|&d| post.rows.get(d)?.get(c)?.parse::<f64>().ok())
            .collect();
        let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        (lo <= hi).then(|| {
            format!(
                "each draw's: {} to {}",
                crate::output::number::report_cell(Some(lo)),
                crate::output::number::report_cell(Some(hi))
            )
        })
    };
    let base_value = |key: &str| {
        drawn(key)
            .unwrap_or_else(|| crate::paths::get(&base_tree, key).map_or("–".to_string(), text))
    };
    let mut rows = Vec::new();
    for (v, var) in plan.variants[..plan.arms()].iter().enumerate() {
        let scn = &plan.bases[var.base];
        // The base's own reforms are listed too, as the base's: they
        // apply in it, and the compared options have them only if they
        // say so.
        let who = if v == 0 {
            format!("{} (the base itself)", arm_title(plan, v))
        } else {
            arm_title(plan, v)
        };
        if v > 0 {
            for (k, _, value) in crate::paths::differences(&base_tree, &tree(scn)) {
                if listed(&k) {
                    rows.push(vec![
                        who.clone(),
                        k.clone(),
                        base_value(&k),
                        value.as_ref().map_or("–".to_string(), text),
                        "from the start".into(),
                    ]);
                }
            }
        }
        for r in &scn.reforms {
            // A reform begins after the row of its year (the year's own
            // row is without it), and may be reversed: both said where a
            // planner reads the change (a planner's audit, 2026-12-06).
            let mut when = if r.ramp_years > 0.0 {
                format!("after year {} (over {} years)", r.year, r.ramp_years)
            } else {
                format!("after year {}", r.year)
            };
            // The chances the run uses: what institutionalisation (legal
            // embedding, monitoring, time-bound tasking) leaves of them.
            let factor = r.reversal_factor();
            let (yearly, at_change) = (
                r.reversal_hazard * factor,
                r.reversal_at_government_change * factor,
            );
            let mut reversed = Vec::new();
            if yearly > 0.0 {
                reversed.push(format!("{} a year", crate::error::rounded(yearly)));
            }
            if at_change > 0.0 {
                reversed.push(format!(
                    "{} at a change of government",
                    crate::error::rounded(at_change)
                ));
            }
            if !reversed.is_empty() {
                when.push_str(&format!(
                    "; reversed at a chance of {}",
                    reversed.join(", ")
                ));
            }
            for (k, value) in crate::paths::flatten(&r.set) {
                rows.push(vec![
                    who.clone(),
                    k.clone(),
                    base_value(&k),
                    text(&value),
                    when.clone(),
                ]);
            }
        }
    }
    if rows.is_empty() {
        return None;
    }
    Some((
        "What each option changes".into(),
        [
            "option",
            "key",
            "base's value at the start",
            "option's value",
            "in force",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
        rows,
    ))
}

/// A report table: heading, column heads, rows.
type Table = (String, Vec<String>, Vec<Vec<String>>);

/// The `--decompose` section: for each compared scenario, at the last
/// report year, its difference from the base in the tables' units and the
/// share of it that each mechanism carries, as a table and a chart. A
/// share is given only where the difference is clear (its interval
/// excludes 0): a share of a difference that may be nothing is noise, and
/// read as hundreds of percent.
fn decomposition(
    plan: &Plan,
    carried: &[Carried],
    plots: bool,
    intro: &mut Vec<String>,
    tables: &mut Vec<Table>,
    figures: &mut Vec<ReportFigure>,
) {
    let year = *plan.report_years.last().expect("a report year");
    let base = arm_title(plan, 0);
    let scale = plan.spec.scale.unwrap_or(1.0);
    intro.push(format!(
        "Decomposition: every scenario was also run with each mechanism switched off, in it and in the base alike ({} mechanisms, the same seeds). The part of a difference a mechanism *carries* is the difference with every mechanism on minus the difference with that mechanism off, paired replicate by replicate. The tables give each scenario's difference at year {year} in the unit of its table above, then the part each mechanism carries as a share of it, rounded to whole percent, with `*` where the carried part's 95% interval excludes 0. A share is given only where the difference itself is clear (its interval excludes 0): a share of a difference that may be nothing says nothing. Mechanisms interact, so the shares need not sum to 100%; every carried part, with its interval, is in `decomposition.csv`.",
        plan.switches.len()
    ));
    let at = |arm: usize, m: &str, switch: &str| {
        carried
            .iter()
            .find(|c| c.arm == arm && c.year == year && c.metric == m && c.switch == switch)
    };
    let names: Vec<&str> = plan.metrics.iter().map(|&m| METRICS[m].name).collect();
    for arm in 1..plan.arms() {
        let label = arm_title(plan, arm);
        // The difference with every mechanism on (the same in each row of
        // the arm), and whether it is clear.
        let effect: Vec<Option<&Stats>> = names
            .iter()
            .map(|m| {
                plan.switches
                    .first()
                    .and_then(|s| at(arm, m, s))
                    .map(|c| &c.effect)
            })
            .collect();
        let clear: Vec<bool> = effect
            .iter()
            .map(|e| e.is_some_and(excludes_zero))
            .collect();
        let mut head = vec!["mechanism switched off".to_string()];
        head.extend(names.iter().map(|m| {
            format!(
                "{} ({})",
                crate::metrics::label(m),
                shown_at(m, scale).diff_unit
            )
        }));
        let mut rows = vec![{
            let mut r = vec![format!("(difference from {base}, every mechanism on)")];
            for (k, m) in names.iter().enumerate() {
                r.push(effect[k].map_or(String::new(), |e| {
                    format!(
                        "{}{}",
                        signed(e, shown_at(m, scale).factor),
                        verdict(m, e, clear[k])
                    )
                }));
            }
            r
        }];
        for s in &plan.switches {
            let mut r = vec![format!("{} (`{s}`)", super::tables::mechanism_name(s))];
            for (k, m) in names.iter().enumerate() {
                r.push(match at(arm, m, s) {
                    Some(c) if clear[k] => share_cell(c),
                    _ => "–".into(),
                });
            }
            rows.push(r);
        }
        tables.push((
            format!("Which mechanisms carry the difference of {label} at year {year}"),
            head,
            rows,
        ));
        // The chart: the clear differences only.
        let shown_metrics: Vec<usize> = (0..names.len()).filter(|&k| clear[k]).collect();
        if plots && !shown_metrics.is_empty() {
            let items: Vec<String> = plan
                .switches
                .iter()
                .map(|s| super::tables::mechanism_name(s).to_string())
                .collect();
            let measures: Vec<Bars> = shown_metrics
                .iter()
                .map(|&k| {
                    let m = names[k];
                    let mut b = Bars {
                        label: crate::metrics::label(m).to_string(),
                        ..Default::default()
                    };
                    for s in &plan.switches {
                        let c = at(arm, m, s);
                        let e = c.and_then(|c| c.effect.mean).filter(|e| *e != 0.0);
                        let pct = |x: Option<f64>| match (x, e) {
                            (Some(x), Some(e)) => 100.0 * x / e,
                            _ => f64::NAN,
                        };
                        b.values.push(pct(c.and_then(|c| c.carried.mean)));
                        let (lo, hi) = (
                            pct(c.and_then(|c| c.carried.ci95_low)),
                            pct(c.and_then(|c| c.carried.ci95_high)),
                        );
                        b.lo.push(lo.min(hi));
                        b.hi.push(lo.max(hi));
                    }
                    b
                })
                .collect();
            let left_out = names.len() - shown_metrics.len();
            let left_out = if left_out == 0 {
                String::new()
            } else {
                format!(
                    " Metrics whose difference is not clear ({left_out} of {}) are left out.",
                    names.len()
                )
            };
            figures.push(ReportFigure {
                lead: false,
                stem: format!("decomposition_{arm}"),
                caption: format!(
                    "{label} against {base} at year {year}: the share of each clear difference that each mechanism carries (bars), with the 95% interval of the carried part as a share of the whole difference.{left_out}"
                ),
                chart: chart::ranking(
                    &format!("What carries the difference of {label}"),
                    &items,
                    &measures,
                    "share of the difference carried (%)",
                ),
            });
        }
    }
}

/// The share of a clear difference that a mechanism carries, in whole
/// percent, with `*` where the carried part's interval excludes 0.
fn share_cell(c: &Carried) -> String {
    match c.share {
        // `+ 0.0` turns a rounded −0 into 0.
        Some(s) if s.is_finite() => format!(
            "{}%{}",
            (100.0 * s).round() + 0.0,
            if excludes_zero(&c.carried) { " *" } else { "" }
        ),
        _ => "–".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cost(mean: f64, lo: f64, hi: f64, cheaper_share: Option<(f64, usize)>) -> CostEffect {
        CostEffect {
            year: 10,
            arm: 1,
            extra_cost: Stats {
                n: 4,
                mean: Some(mean),
                sd: None,
                ci95_low: Some(lo),
                ci95_high: Some(hi),
            },
            costs_differ: lo > 0.0 || hi < 0.0,
            cheaper_share,
            per_cost: Vec::new(),
        }
    }

    /// A planner's audit (2026-12-06, seventh session): per-billion figures
    /// for a cost of 0.44 [0.09, 0.79] ran past the whole scale, and under
    /// an ensemble they were given for a cost whose sign the plausible
    /// services did not settle.
    #[test]
    fn per_billion_figures_need_a_cost_known_to_half_itself_and_settled() {
        assert!(buys(&cost(12.1, 11.0, 13.2, None), 0));
        assert!(
            buys(&cost(4.0, 2.0, 6.0, None), 0),
            "the edge: low end at half"
        );
        let loose = cost(0.44, 0.09, 0.79, None);
        assert!(!buys(&loose, 0));
        assert_eq!(not_bought(&loose, 0), Some("– (cost too uncertain)"));
        // Saving money or no clear cost: no figures, and nothing to explain.
        assert_eq!(not_bought(&cost(-3.0, -4.0, -2.0, None), 0), None);
        assert_eq!(not_bought(&cost(0.2, -0.1, 0.5, None), 0), None);
        // Cheaper in 2 of 10 plausible services: the sign is not settled.
        let unsettled = cost(10.0, 9.0, 11.0, Some((0.2, 10)));
        assert!(!buys(&unsettled, 10));
        assert_eq!(
            not_bought(&unsettled, 10),
            Some("– (cost's sign not settled)")
        );
        assert!(buys(&cost(10.0, 9.0, 11.0, Some((0.0, 20))), 20));
    }
}
