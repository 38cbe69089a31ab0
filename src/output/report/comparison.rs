//! The report of a scenario comparison.

use crate::experiment::analysis::{self, ArmTable, Carried, Runs, excludes_zero};
use crate::experiment::plan::Plan;
use crate::metrics::{METRICS, is_flow, metric_index};
use crate::output::chart::markers::election_note;
use crate::output::chart::{self, Bars, Series, TimeMarks};
use crate::output::figures::{band_kind_legend, band_of};
use crate::output::number::report_cell;

use super::cells::{mean_ci, metric_title, signed, verdict};
use super::{ExperimentReport, ReportFigure, metric_panels};

pub(super) fn compare_report(
    plan: &Plan,
    runs: &Runs,
    main: &ArmTable,
    carried: &[Carried],
    plots: bool,
) -> anyhow::Result<ExperimentReport> {
    let r = plan.replicates();
    let base = &plan.variants[0].label;
    let mut intro = vec![in_short(plan, main)];
    intro.push(format!(
        "{} scenarios compared with `{base}` over {} years, {r} replicates each, seed {}. Replicate k of every scenario uses the same random streams (common random numbers), so each difference is paired: replicate k against replicate k.",
        plan.arms(),
        plan.years,
        plan.seed
    ));
    intro.push(
        "Each cell is the mean across replicates with its 95% confidence interval (Student's t). The difference column is the mean paired difference from the base with its 95% interval. A difference whose interval excludes 0 is marked **better** or **worse** by the metric's direction (lower corruption, vacancy, bills and exits are better; higher competence, efficiency, morale and trust are better), or `*` for a metric with no better direction (a count such as transfers).".into(),
    );
    let mut tables = Vec::new();
    if let Some(t) = changes_table(plan) {
        tables.push(t);
    }
    for &m in &plan.metrics {
        let name = METRICS[m].name;
        let head = vec!["scenario".to_string()]
            .into_iter()
            .chain(
                plan.report_years
                    .iter()
                    .flat_map(|y| [format!("year {y}"), format!("diff at {y}")]),
            )
            .collect::<Vec<_>>();
        let mut rows = Vec::new();
        for (v, var) in plan.variants[..plan.arms()].iter().enumerate() {
            let mut row = vec![var.label.clone()];
            for &y in &plan.report_years {
                let a = main.get(m, y, v);
                row.push(mean_ci(&a.stats));
                let d = match &a.diff {
                    Some(d) => format!("{}{}", signed(d), verdict(name, d, a.significant)),
                    None => "(base)".into(),
                };
                row.push(d);
            }
            rows.push(row);
        }
        tables.push((metric_title(name), head, rows));
    }
    let mut figures = Vec::new();
    if plots {
        let panels = metric_panels(plan, |m| {
            plan.variants[..plan.arms()]
                .iter()
                .enumerate()
                .map(|(v, _)| replicate_band(plan, runs, v, m, arm_title(plan, v)))
                .collect()
        });
        let marks = time_marks(plan);
        let note = if marks.elections.is_empty() {
            String::new()
        } else {
            election_note(government_changes(plan, runs)).join("\n")
        };
        let band = band_kind_legend(r).unwrap_or_default();
        figures.push(ReportFigure {
            stem: "comparison".into(),
            caption: format!(
                "The main metrics over time, one colour per scenario: lines are means across {r} replicates, bands the 5th–95th percentiles of the replicates (min–max with two), as in a run's plots; the tables' intervals are of the mean instead. Counts of what happened during a year start at year 1. Dashed lines mark reforms, dotted lines election years."
            ),
            chart: chart::overlay("Scenarios compared", "year", &panels, &band)
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
        title: format!("Comparison: {}", plan.spec.name),
        intro,
        tables,
        figures,
        notes,
    })
}

/// Arm `v`'s line of metric `m` over the years: the mean of the replicates
/// over the band of their 5th–95th percentiles (min–max with two, none with
/// one), as a run's plots draw it. A flow has no value at year 0.
fn replicate_band(plan: &Plan, runs: &Runs, v: usize, m: usize, label: String) -> Series {
    let flow = is_flow(METRICS[m].name);
    let mut series = Series {
        label,
        ..Default::default()
    };
    for y in 0..=plan.years {
        let (mean, lo, hi) = if flow && y == 0 {
            (f64::NAN, f64::NAN, f64::NAN)
        } else {
            band_of(&mut analysis::values(plan, runs, v, y, m))
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
        .filter_map(|v| plan.scenario(v).ok().map(|s| (v.label.clone(), s)))
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
            } else {
                (reform.0, format!("{} ({label})", reform.1))
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
    TimeMarks {
        reforms,
        elections,
        y_by_unit: true,
    }
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

/// How readers see arm `v`: its scenario's `title` (or name), or the
/// variant's `key=value` label when the variant changes its base.
fn arm_title(plan: &Plan, v: usize) -> String {
    let var = &plan.variants[v];
    if var.sets.is_empty() {
        plan.bases[var.base].display_title().to_string()
    } else {
        var.label.clone()
    }
}

/// The report's opening paragraph: at the last report year, what each
/// option changes that its interval settles, in words, with the interval
/// (shares in percentage points), and what it leaves unsettled.
fn in_short(plan: &Plan, main: &ArmTable) -> String {
    let Some(&year) = plan.report_years.last() else {
        return String::new();
    };
    let title = |v: usize| arm_title(plan, v);
    let mut out = format!("**In short.** At year {year}, against {}: ", title(0));
    let mut parts = Vec::new();
    for v in 1..plan.arms() {
        let mut settled = Vec::new();
        let mut open = Vec::new();
        for &m in &plan.metrics {
            let name = METRICS[m].name;
            let a = main.get(m, year, v);
            let Some(d) = &a.diff else { continue };
            let label = crate::metrics::label(name).to_lowercase();
            if !a.significant {
                open.push(label);
                continue;
            }
            let share = METRICS[m].unit == "share";
            let k = if share { 100.0 } else { 1.0 };
            let num = |x: Option<f64>| report_cell(x.map(|x| x * k));
            let unit = match METRICS[m].unit {
                "share" => " points".to_string(),
                "index 0-100" => " points of 100".to_string(),
                "score 0-10" => " on the 0-10 score".to_string(),
                "0-1" => " on the 0-1 scale".to_string(),
                u => format!(" {u}"),
            };
            let sign = if d.mean.is_some_and(|x| x > 0.0) {
                "+"
            } else {
                ""
            };
            let word = verdict(name, d, true).trim();
            let word = match word {
                "*" => String::new(),
                w => format!(", {w}"),
            };
            settled.push(format!(
                "{label} {sign}{}{unit} [{}, {}]{word}",
                num(d.mean),
                num(d.ci95_low),
                num(d.ci95_high)
            ));
        }
        let mut p = format!("**{}** changes ", title(v));
        if settled.is_empty() {
            p.push_str("none of the metrics shown clearly");
        } else {
            p.push_str(&settled.join("; "));
        }
        if !open.is_empty() {
            p.push_str(&format!(" (no clear difference in {})", open.join(", ")));
        }
        parts.push(p);
    }
    out.push_str(&parts.join(". "));
    out.push_str(". Intervals are 95% intervals of the paired difference over replicates: they show the simulation's chance, not what we do not know about the parameters (`--ensemble` adds that). Read them as relative effects of the options within the model, not forecasts.");
    out
}

/// "What each option changes": for each compared scenario, every key whose
/// value differs from the base's from the start, and every key a reform of
/// it sets, with the base's value, the option's and from when; read from
/// the resolved scenarios, so it is what was run. `None` when nothing
/// differs.
fn changes_table(plan: &Plan) -> Option<Table> {
    let flat = |s: &crate::scenario::Scenario| -> Vec<(String, toml::Value)> {
        let t: toml::Table = toml::from_str(&s.to_toml()).expect("a scenario's TOML parses");
        crate::paths::flatten(&t)
            .into_iter()
            .filter(|(k, _)| {
                !["name", "title", "description", "reforms", "expect", "sim"]
                    .iter()
                    .any(|x| {
                        k == x || k.starts_with(&format!("{x}.")) || k.starts_with(&format!("{x}["))
                    })
            })
            .collect()
    };
    let text = |v: &toml::Value| match v {
        toml::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let base = &plan.bases[plan.variants[0].base];
    let base_flat = flat(base);
    let base_value = |key: &str| {
        base_flat
            .iter()
            .find(|(k, _)| k == key)
            .map_or("–".to_string(), |(_, v)| text(v))
    };
    let mut rows = Vec::new();
    for (v, var) in plan.variants[..plan.arms()].iter().enumerate() {
        let scn = &plan.bases[var.base];
        let who = scn.display_title().to_string();
        if v > 0 {
            for (k, value) in flat(scn) {
                let b = base_flat.iter().find(|(bk, _)| *bk == k).map(|(_, x)| x);
                if b != Some(&value) {
                    rows.push(vec![
                        who.clone(),
                        k.clone(),
                        base_value(&k),
                        text(&value),
                        "the start".into(),
                    ]);
                }
            }
        }
        for r in &scn.reforms {
            let when = if r.ramp_years > 0.0 {
                format!("year {} (over {} years)", r.year, r.ramp_years)
            } else {
                format!("year {}", r.year)
            };
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
        ["option", "key", "base value", "option's value", "from"]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        rows,
    ))
}

/// A report table: heading, column heads, rows.
type Table = (String, Vec<String>, Vec<Vec<String>>);

/// The `--decompose` section: for each compared scenario, at the last
/// report year, the share of its difference from the base that each
/// mechanism carries, as a table and a chart.
fn decomposition(
    plan: &Plan,
    carried: &[Carried],
    plots: bool,
    intro: &mut Vec<String>,
    tables: &mut Vec<Table>,
    figures: &mut Vec<ReportFigure>,
) {
    let year = *plan.report_years.last().expect("a report year");
    let base = &plan.variants[0].label;
    intro.push(format!(
        "Decomposition: every scenario was also run with each mechanism switched off, in it and in the base alike ({} mechanisms, the same seeds). The part of a difference a mechanism *carries* is the difference with every mechanism on minus the difference with that mechanism off, paired replicate by replicate; the tables give it as a share of the whole difference at year {year}, with `*` where its 95% interval excludes 0. Mechanisms interact, so the shares need not sum to 100%.",
        plan.switches.len()
    ));
    let at = |arm: usize, m: &str, switch: &str| {
        carried
            .iter()
            .find(|c| c.arm == arm && c.year == year && c.metric == m && c.switch == switch)
    };
    let share = |c: &Carried| match c.share {
        Some(s) => format!(
            "{}%{}",
            report_cell(Some(100.0 * s)),
            if excludes_zero(&c.carried) { " *" } else { "" }
        ),
        None => "–".into(),
    };
    for arm in 1..plan.arms() {
        let label = &plan.variants[arm].label;
        let names: Vec<&str> = plan.metrics.iter().map(|&m| METRICS[m].name).collect();
        let mut head = vec!["mechanism switched off".to_string()];
        head.extend(names.iter().map(|m| m.to_string()));
        let mut rows = vec![{
            let mut r = vec![format!("(difference from {base}, all on)")];
            for m in &names {
                r.push(
                    plan.switches
                        .first()
                        .and_then(|s| at(arm, m, s))
                        .map_or(String::new(), |c| signed(&c.effect)),
                );
            }
            r
        }];
        for s in &plan.switches {
            let mut r = vec![format!("{} (`{s}`)", super::tables::mechanism_name(s))];
            for m in &names {
                r.push(at(arm, m, s).map_or(String::new(), share));
            }
            rows.push(r);
        }
        tables.push((
            format!("Which mechanisms carry the difference of {label} at year {year}"),
            head,
            rows,
        ));
        if plots {
            let items: Vec<String> = plan
                .switches
                .iter()
                .map(|s| super::tables::mechanism_name(s).to_string())
                .collect();
            let measures: Vec<Bars> = names
                .iter()
                .map(|m| {
                    let mut b = Bars {
                        label: m.to_string(),
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
            figures.push(ReportFigure {
                stem: format!("decomposition_{arm}"),
                caption: format!(
                    "{label} against {base} at year {year}: the share of each metric's difference that each mechanism carries (bars), with the 95% interval of the carried part as a share of the whole difference."
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
