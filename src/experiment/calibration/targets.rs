//! Calibration targets as data (`calibration/<name>.toml`, format in
//! calibration/README.md): each observed pattern a scenario must
//! reproduce, the statistic of the model's output that stands for it, the
//! observed value with its uncertainty, and its source. This module reads
//! and checks a target file and computes each target's statistic and its
//! distance from a run's replicates.

use std::path::Path;

use serde::Deserialize;

use crate::error::UsageError;
use crate::metrics::{GRADE_METRICS, METRICS, SECTOR_METRICS, metric_index};
use crate::scenario::Scenario;
use crate::sim::runner::ReplicateResult;

/// A target file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetSet {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// The scenario the targets are for, relative to the file.
    #[serde(default)]
    pub scenario: Option<String>,
    #[serde(rename = "target")]
    pub targets: Vec<Target>,
}

/// Which output a target reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    Timeseries,
    Grades,
    Sectors,
}

/// How the replicate's value is computed from the output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Statistic {
    #[default]
    Mean,
    Sum,
    Ratio,
    RelativeChange,
    Order,
}

/// One grade or several.
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged, expecting = "a grade's name (\"BPS-17\") or a list of names")]
pub enum Grades {
    One(String),
    Many(Vec<String>),
}

impl Grades {
    fn names(&self) -> Vec<&str> {
        match self {
            Grades::One(g) => vec![g.as_str()],
            Grades::Many(v) => v.iter().map(|s| s.as_str()).collect(),
        }
    }
}

/// One observed pattern.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    pub id: String,
    pub metric: String,
    pub file: Source,
    #[serde(default)]
    pub grade: Option<Grades>,
    /// The sector of a `mean` over sectors.csv rows.
    #[serde(default)]
    pub sector: Option<String>,
    /// First and last recorded year (inclusive), checked against the run
    /// by [`load`] (signed, so that a negative year gets the run's range
    /// in its message, not the integer type's).
    #[serde(deserialize_with = "crate::input::pair")]
    pub years: [i64; 2],
    #[serde(default)]
    pub statistic: Statistic,
    #[serde(default)]
    pub observed: Option<f64>,
    #[serde(default)]
    pub sd: Option<f64>,
    #[serde(default, deserialize_with = "crate::input::optional_pair")]
    pub interval: Option<[f64; 2]>,
    #[serde(default)]
    pub numerator: Vec<String>,
    #[serde(default)]
    pub denominator: Vec<String>,
    #[serde(default)]
    pub order: Vec<String>,
    pub source: String,
    pub why: String,
}

impl Target {
    /// The observed value as a point (an interval's middle); for an order
    /// target 0, the number of pairs out of order that is observed.
    pub fn centre(&self) -> f64 {
        if self.statistic == Statistic::Order {
            return 0.0;
        }
        match (self.observed, self.interval) {
            (Some(o), _) => o,
            (None, Some([a, b])) => (a + b) / 2.0,
            _ => f64::NAN,
        }
    }

    /// The target's scale: its sd, or a quarter of its interval's width
    /// (the interval read as ±2 sd); for an order target 1 (one pair out of
    /// order).
    pub fn scale(&self) -> f64 {
        if self.statistic == Statistic::Order {
            return 1.0;
        }
        match (self.sd, self.interval) {
            (Some(s), _) => s,
            (None, Some([a, b])) => (b - a) / 4.0,
            _ => f64::NAN,
        }
    }

    /// The distance of a model value from the target in units of its
    /// scale: `|value − observed| / sd`, or for an interval 0 inside it and
    /// the distance to the nearer end over a quarter of its width outside;
    /// for an order target the value itself, the mean number of pairs out
    /// of order (`|value − 0| / 1`).
    pub fn distance(&self, value: f64) -> f64 {
        if self.statistic == Statistic::Order {
            (value - self.centre()).abs() / self.scale()
        } else if let Some([a, b]) = self.interval {
            let outside = if value < a {
                a - value
            } else if value > b {
                value - b
            } else {
                0.0
            };
            outside / self.scale()
        } else {
            (value - self.centre()).abs() / self.scale()
        }
    }

    /// The observation as numbers for the tables' columns `observed_value`,
    /// `observed_sd`, `interval_low` and `interval_high`: the observed value
    /// and its sd, or the interval's ends; none for an order target (an
    /// output consumer's audit, 2026-12-06: `observed` alone is text, so a
    /// table loaded by pandas could not be compared with its `model`).
    pub fn observed_numbers(&self) -> [Option<f64>; 4] {
        if self.statistic == Statistic::Order {
            return [None; 4];
        }
        let [lo, hi] = self
            .interval
            .map_or([None, None], |[a, b]| [Some(a), Some(b)]);
        [self.observed, self.sd, lo, hi]
    }

    /// The observed value in words: `0.272 ± 0.04`, `[5, 10]` or
    /// `order: police > works_procurement > …`.
    pub fn observed_text(&self) -> String {
        use crate::error::rounded;
        if self.statistic == Statistic::Order {
            return format!("order: {}", self.order.join(" > "));
        }
        match (self.observed, self.sd, self.interval) {
            (Some(o), Some(s), _) => format!("{} ± {}", rounded(o), rounded(s)),
            (_, _, Some([a, b])) => format!("[{}, {}]", rounded(a), rounded(b)),
            _ => "order".into(),
        }
    }
}

/// Reads and checks a target file against the scenario it is for: every
/// metric a column, every grade a grade of the scenario, the years within
/// the run, each target with an observed value and sd or an interval.
pub fn load(path: &Path, scn: &Scenario) -> Result<TargetSet, UsageError> {
    let set: TargetSet = crate::scenario::read_toml_file(path, "target file")?;
    check(set, path, scn)
}

/// [`load`] of the file's text already read (`path` names it in
/// messages): what a measurement records the SHA-256 of is then what it
/// measured against.
pub fn load_text(text: &str, path: &Path, scn: &Scenario) -> Result<TargetSet, UsageError> {
    let set: TargetSet = crate::scenario::parse_toml_text(text, path, "target file")?;
    check(set, path, scn)
}

fn check(set: TargetSet, path: &Path, scn: &Scenario) -> Result<TargetSet, UsageError> {
    let shown = path.display().to_string();
    let mut problems = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let grade_names: Vec<&str> = scn
        .structure
        .grades
        .iter()
        .map(|g| g.name.as_str())
        .collect();
    let sector_names: Vec<&str> = scn
        .structure
        .sectors
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    for (k, t) in set.targets.iter().enumerate() {
        let at = format!("target[{k}] (`{}`)", t.id);
        if t.id.is_empty() || !seen.insert(t.id.clone()) {
            problems.push(format!(
                "{at}: `id` must be non-empty and unique, got \"{}\"",
                t.id
            ));
        } else if !t
            .id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        {
            problems.push(format!(
                "{at}: `id` may hold letters, digits, `_`, `-` and `.` only (it heads a column of the journal and a row of the report), got {:?}",
                t.id
            ));
        }
        let columns: Vec<&str> = match t.file {
            Source::Timeseries => METRICS.iter().map(|m| m.name).collect(),
            Source::Grades => GRADE_METRICS.iter().map(|m| m.name).collect(),
            Source::Sectors => SECTOR_METRICS.iter().map(|m| m.name).collect(),
        };
        let named: Vec<&String> = if t.statistic == Statistic::Ratio {
            if t.numerator.is_empty() || t.denominator.is_empty() {
                problems.push(format!(
                    "{at}: `statistic = \"ratio\"` needs `numerator` and `denominator` column lists"
                ));
            }
            t.numerator.iter().chain(&t.denominator).collect()
        } else {
            vec![&t.metric]
        };
        for c in named {
            if !columns.contains(&c.as_str()) {
                problems.push(format!(
                    "{at}: `{c}` is not a column of {}.csv (docs/outputs.md lists them)",
                    match t.file {
                        Source::Timeseries => "timeseries",
                        Source::Grades => "grades",
                        Source::Sectors => "sectors",
                    }
                ));
            }
        }
        match (&t.grade, t.file) {
            (None, Source::Grades) => problems.push(format!(
                "{at}: a grades.csv target needs `grade` (one name or a list)"
            )),
            (Some(_), Source::Timeseries | Source::Sectors) => {
                problems.push(format!("{at}: `grade` applies only to `file = \"grades\"`"))
            }
            (Some(g), Source::Grades) => {
                if g.names().is_empty() {
                    problems.push(format!(
                        "{at}: `grade = []` names no grade; give one name or a list (grades: {})",
                        grade_names.join(", ")
                    ));
                }
                for name in g.names() {
                    if !grade_names.contains(&name) {
                        problems.push(format!(
                            "{at}: `grade` \"{name}\" is not a grade of the scenario (grades: {})",
                            grade_names.join(", ")
                        ));
                    }
                }
            }
            _ => {}
        }
        match (&t.sector, t.file, t.statistic) {
            (Some(_), Source::Timeseries | Source::Grades, _) => {
                problems.push(format!("{at}: `sector` applies only to `file = \"sectors\"`"))
            }
            (Some(_), Source::Sectors, Statistic::Order) => problems.push(format!(
                "{at}: an order target names its sectors in `order`, not `sector`"
            )),
            (Some(name), Source::Sectors, _) if !sector_names.contains(&name.as_str()) => {
                problems.push(format!(
                    "{at}: `sector` \"{name}\" is not a sector of the scenario (sectors: {})",
                    sector_names.join(", ")
                ))
            }
            (None, Source::Sectors, stat) if stat != Statistic::Order => problems.push(format!(
                "{at}: a sectors.csv target needs `sector` (one name), or `statistic = \"order\"` with an `order`"
            )),
            _ => {}
        }
        let [a, b] = t.years;
        if a < 0 || a > b || b > scn.sim.years as i64 {
            problems.push(format!(
                "{at}: `years` [{a}, {b}] must be two years from 0 to the run's {} (year 0 is the state after the warm-up), the first not after the second",
                scn.sim.years
            ));
        }
        if t.statistic == Statistic::Order {
            if t.file != Source::Sectors || t.order.len() < 2 {
                problems.push(format!(
                    "{at}: `statistic = \"order\"` needs `file = \"sectors\"` and an `order` of at least two sectors"
                ));
            }
            for (k, s) in t.order.iter().enumerate() {
                if !sector_names.contains(&s.as_str()) {
                    problems.push(format!(
                        "{at}: `order` names \"{s}\", which is not a sector of the scenario (sectors: {})",
                        sector_names.join(", ")
                    ));
                } else if t.order[..k].contains(s) {
                    problems.push(format!("{at}: `order` names \"{s}\" twice"));
                }
            }
            if t.observed.is_some() || t.sd.is_some() || t.interval.is_some() {
                problems.push(format!(
                    "{at}: an order target's observation is its `order` (no pair out of order): leave out `observed`, `sd` and `interval`"
                ));
            }
        } else {
            if !t.order.is_empty() {
                problems.push(format!(
                    "{at}: `order` applies only to `statistic = \"order\"`"
                ));
            }
            match (t.observed, t.sd, t.interval) {
                // The distance divides by the sd (an interval's quarter
                // width): it must stay finite for any finite output.
                (Some(o), Some(s), None)
                    if s.is_normal() && s > 0.0 && ((o.abs() + 1.0) / s).is_finite() => {}
                (None, None, Some([lo, hi]))
                    if lo < hi
                        && (hi - lo).is_normal()
                        && ((lo.abs().max(hi.abs()) + 1.0) / (hi - lo)).is_finite() => {}
                (o, sd, i) => {
                    let given = |name: &str, v: Option<String>| v.map(|v| format!("{name} {v}"));
                    let got: Vec<String> = [
                        given("observed", o.map(|x| format!("{x:?}"))),
                        given("sd", sd.map(|x| format!("{x:?}"))),
                        given("interval", i.map(|[a, b]| format!("[{a:?}, {b:?}]"))),
                    ]
                    .into_iter()
                    .flatten()
                    .collect();
                    let got = if got.is_empty() {
                        "none".to_string()
                    } else {
                        got.join(", ")
                    };
                    problems.push(format!(
                        "{at}: give `observed` with a positive `sd`, or an `interval = [lo, hi]` with lo < hi (not both), finite numbers with an sd or width that a distance can be divided by; got {got}"
                    ))
                }
            }
        }
        if matches!(t.statistic, Statistic::Ratio | Statistic::RelativeChange)
            && t.file != Source::Timeseries
        {
            problems.push(format!(
                "{at}: `statistic = \"ratio\"` and `\"relative_change\"` read timeseries.csv: they need `file = \"timeseries\"`"
            ));
        }
        if t.statistic == Statistic::Sum && t.file != Source::Grades {
            problems.push(format!(
                "{at}: `statistic = \"sum\"` sums over grades: it needs `file = \"grades\"`"
            ));
        }
        if t.statistic == Statistic::RelativeChange && a == b {
            problems.push(format!(
                "{at}: `statistic = \"relative_change\"` needs two different years"
            ));
        }
        if t.source.trim().is_empty() || t.why.trim().is_empty() {
            problems.push(format!(
                "{at}: every target states its `source` and `why` (the reasoning behind its uncertainty)"
            ));
        }
    }
    if set.targets.is_empty() {
        problems.push("it lists no `[[target]]`".into());
    }
    if problems.is_empty() {
        Ok(set)
    } else {
        Err(UsageError(format!(
            "target file `{shown}`:\n  - {}",
            problems.join("\n  - ")
        )))
    }
}

/// A target's statistic for one replicate (NaN when the years hold no
/// value). For an order target, the number of adjacent pairs of its
/// `order` that the replicate has the wrong way round: sector i's mean of
/// the metric over the years below sector i+1's (NaN when a sector has no
/// value in those years).
pub fn statistic(t: &Target, scn: &Scenario, r: &ReplicateResult) -> f64 {
    let [a, b] = t.years;
    let years = || (a as usize..=b as usize).filter(|&y| y < r.rows.len());
    let column = |name: &str| metric_index(name).expect("checked column");
    let mean = |xs: Vec<f64>| {
        let v: Vec<f64> = xs.into_iter().filter(|x| x.is_finite()).collect();
        if v.is_empty() {
            f64::NAN
        } else {
            v.iter().sum::<f64>() / v.len() as f64
        }
    };
    let sector_mean = |name: &str| -> f64 {
        let i = SECTOR_METRICS
            .iter()
            .position(|m| m.name == t.metric)
            .expect("checked column");
        match scn.structure.sectors.iter().position(|s| s.name == name) {
            Some(s) => mean(years().map(|y| r.sectors[y][s][i]).collect()),
            None => f64::NAN,
        }
    };
    match (t.file, t.statistic) {
        (Source::Sectors, Statistic::Order) => {
            let values: Vec<f64> = t.order.iter().map(|s| sector_mean(s)).collect();
            if values.iter().all(|v| v.is_finite()) {
                out_of_order(&values) as f64
            } else {
                f64::NAN
            }
        }
        (Source::Sectors, _) => t.sector.as_deref().map_or(f64::NAN, sector_mean),
        (_, Statistic::Order) => f64::NAN,
        (Source::Timeseries, Statistic::Ratio) => {
            let sum = |cols: &[String]| -> f64 {
                years()
                    .map(|y| {
                        cols.iter()
                            .map(|c| r.rows[y][column(c)])
                            .filter(|x| x.is_finite())
                            .sum::<f64>()
                    })
                    .sum()
            };
            let d = sum(&t.denominator);
            if d > 0.0 {
                sum(&t.numerator) / d
            } else {
                f64::NAN
            }
        }
        (Source::Timeseries, Statistic::RelativeChange) => {
            let i = column(&t.metric);
            let (first, last) = (r.rows.get(a as usize), r.rows.get(b as usize));
            match (first, last) {
                (Some(f), Some(l)) if f[i] != 0.0 => l[i] / f[i] - 1.0,
                _ => f64::NAN,
            }
        }
        (Source::Timeseries, _) => {
            let i = column(&t.metric);
            mean(years().map(|y| r.rows[y][i]).collect())
        }
        (Source::Grades, stat) => {
            let i = GRADE_METRICS
                .iter()
                .position(|m| m.name == t.metric)
                .expect("checked column");
            let names = t.grade.as_ref().map(|g| g.names()).unwrap_or_default();
            let per_grade: Vec<f64> = names
                .iter()
                .filter_map(|n| scn.structure.grades.iter().position(|g| g.name == *n))
                .map(|g| mean(years().map(|y| r.grades[y][g][i]).collect()))
                .collect();
            match stat {
                Statistic::Sum => per_grade.iter().sum(),
                _ => mean(per_grade),
            }
        }
    }
}

/// The number of adjacent pairs of `values` (listed from the one that
/// should be highest down) in the wrong order: `values[i] < values[i + 1]`.
/// Ties are not violations.
pub fn out_of_order(values: &[f64]) -> usize {
    values.windows(2).filter(|p| p[0] < p[1]).count()
}

/// Whether a target's value grows with the size of the service (a mean or
/// sum of a count, a stock of officers or posts, a flow per year or a
/// bill), so that a run of a service scaled by `f` is compared after
/// dividing by `f`. Ratios, shares, scores, ages and changes are not.
pub fn extensive(t: &Target) -> bool {
    if !matches!(t.statistic, Statistic::Mean | Statistic::Sum) {
        return false;
    }
    let table = match t.file {
        Source::Timeseries => crate::metrics::METRICS,
        Source::Grades => crate::metrics::GRADE_METRICS,
        Source::Sectors => crate::metrics::SECTOR_METRICS,
    };
    table
        .iter()
        .find(|m| m.name == t.metric)
        .is_some_and(|m| matches!(m.unit, "officers" | "posts" | "per year" | "million PKR"))
}

/// The values a target's statistic can take, by which its interval is cut
/// (as the levels of a summary are, docs/outputs.md): a mean of a metric
/// stays in the metric's range, a sum or ratio of metrics that cannot be
/// negative is not negative, a relative change of such a metric is above
/// −1, an order's
/// count of pairs out of place is between 0 and the pairs there are.
pub fn statistic_range(t: &Target) -> (f64, f64) {
    let lowest = |name: &str| {
        crate::metrics::unit_of(name)
            .map_or(f64::NEG_INFINITY, |u| crate::metrics::value_range(u).0)
    };
    let unbounded = (f64::NEG_INFINITY, f64::INFINITY);
    let not_negative = |all: bool| if all { (0.0, f64::INFINITY) } else { unbounded };
    match t.statistic {
        Statistic::Mean => {
            crate::metrics::unit_of(&t.metric).map_or(unbounded, crate::metrics::value_range)
        }
        Statistic::Sum => not_negative(lowest(&t.metric) >= 0.0),
        Statistic::Ratio => not_negative(
            t.numerator
                .iter()
                .chain(&t.denominator)
                .all(|n| lowest(n) >= 0.0),
        ),
        // A change relative to a level that cannot be negative is above
        // −1; of a metric that can (a rank correlation), unbounded.
        Statistic::RelativeChange => {
            if lowest(&t.metric) >= 0.0 {
                (-1.0, f64::INFINITY)
            } else {
                unbounded
            }
        }
        Statistic::Order => (0.0, t.order.len().saturating_sub(1) as f64),
    }
}

/// How well a run meets one target.
#[derive(Clone, Debug)]
pub struct Fit {
    pub id: String,
    pub observed: String,
    /// Mean over replicates of the statistic, and its 95% t interval cut
    /// to the values the statistic can take ([`statistic_range`]).
    pub model: f64,
    pub low: f64,
    pub high: f64,
    /// Distance of the mean from the target in units of its scale.
    pub distance: f64,
    /// Whether the target was evaluated (its output exists).
    pub evaluated: bool,
}

/// Every target's fit over a run's replicates; `size` is the scale of the
/// service run (1 at full size), by which [`extensive`] values are divided.
pub fn evaluate(
    set: &TargetSet,
    scn: &Scenario,
    results: &[ReplicateResult],
    size: f64,
) -> Vec<Fit> {
    set.targets
        .iter()
        .map(|t| {
            let per = if extensive(t) { size } else { 1.0 };
            let (lo, hi) = statistic_range(t);
            let xs: Vec<f64> = results
                .iter()
                .map(|r| statistic(t, scn, r) / per)
                .filter(|x| x.is_finite())
                .collect();
            let n = xs.len();
            let model = if n > 0 {
                xs.iter().sum::<f64>() / n as f64
            } else {
                f64::NAN
            };
            let half = if n > 1 {
                let var = xs.iter().map(|x| (x - model).powi(2)).sum::<f64>() / (n - 1) as f64;
                crate::metrics::summary::t_critical(n - 1) * (var / n as f64).sqrt()
            } else {
                f64::NAN
            };
            Fit {
                id: t.id.clone(),
                observed: t.observed_text(),
                model,
                low: (model - half).clamp(lo, hi),
                high: (model + half).clamp(lo, hi),
                distance: t.distance(model),
                evaluated: n > 0,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_statistic_is_cut_to_the_values_it_can_take() {
        let scn = Scenario::default();
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("calibration/pakistan.toml");
        let set = load(&path, &scn).expect("the shipped targets are valid");
        let range = |id: &str| statistic_range(set.targets.iter().find(|t| t.id == id).unwrap());
        assert_eq!(range("vacancy_bps17"), (0.0, 1.0));
        assert_eq!(range("corruption_level"), (0.0, 1.0));
        assert_eq!(range("headcount"), (0.0, f64::INFINITY));
        assert_eq!(range("conviction_rate_decided"), (0.0, f64::INFINITY));
        assert_eq!(range("corruption_stable"), (-1.0, f64::INFINITY));
        assert_eq!(range("sector_order"), (0.0, 4.0));
    }

    #[test]
    fn the_pakistan_targets_load_and_distances_read_as_documented() {
        let scn = Scenario::default();
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("calibration/pakistan.toml");
        let set = load(&path, &scn).expect("the shipped targets are valid");
        assert!(set.targets.len() >= 15);
        let t = set
            .targets
            .iter()
            .find(|t| t.id == "vacancy_bps17")
            .unwrap();
        assert_eq!(t.distance(0.272), 0.0);
        assert!((t.distance(0.352) - 2.0).abs() < 1e-9);
        let i = set
            .targets
            .iter()
            .find(|t| t.id == "service_at_promotion_bps18")
            .unwrap();
        // Inside the interval: met; 2.5 years beyond its end (width 5): 2.
        assert_eq!(i.distance(7.0), 0.0);
        assert!((i.distance(12.5) - 2.0).abs() < 1e-9);
        let o = set.targets.iter().find(|t| t.id == "sector_order").unwrap();
        assert_eq!(o.statistic, Statistic::Order);
        assert_eq!(o.distance(1.0), 1.0);
        assert!(
            o.observed_text()
                .starts_with("order: police > works_procurement > ")
        );
    }

    /// A small run of the default service (a fiftieth of its size).
    fn small_run() -> (Scenario, ReplicateResult) {
        let scn = Scenario::default()
            .scaled(0.02)
            .with_sets(&["sim.years=6".into(), "sim.warmup_years=2".into()])
            .unwrap();
        let r = crate::sim::runner::run_replicate(&scn, 0, &|| {});
        (scn, r)
    }

    #[test]
    fn sector_prevalence_adds_up_to_the_service_prevalence() {
        let (scn, r) = small_run();
        let col = |name: &str| SECTOR_METRICS.iter().position(|m| m.name == name).unwrap();
        let row = |name: &str| metric_index(name).unwrap();
        assert_eq!(r.sectors.len(), r.rows.len());
        let mut corrupt_years = 0;
        for (y, (sectors, rows)) in r.sectors.iter().zip(&r.rows).enumerate() {
            assert_eq!(sectors.len(), scn.structure.sectors.len());
            let total = |c: usize| sectors.iter().map(|s| s[c]).sum::<f64>();
            let (posted, corrupt) = (total(col("posted")), total(col("corrupt")));
            assert_eq!(posted, rows[row("posted")], "year {y}");
            assert_eq!(total(col("posts")), rows[row("posts")], "year {y}");
            // Posted-weighted, the sectors' prevalence is the posted
            // officers'; with `postings.osd_keeps_corruption = 0` only posted
            // officers take bribes, so it is the service's prevalence
            // (corrupt over all active officers) rescaled to the posted.
            let weighted = sectors
                .iter()
                .filter(|s| s[col("posted")] > 0.0)
                .map(|s| s[col("corruption_prevalence")] * s[col("posted")])
                .sum::<f64>()
                / posted;
            let service = rows[row("corruption_prevalence")] * rows[row("headcount")];
            assert!(
                (weighted * posted - service).abs() < 1e-6,
                "year {y}: {weighted} x {posted} against {service}"
            );
            assert!(
                (corrupt - service).abs() < 1e-6,
                "year {y}: {corrupt} against {service}"
            );
            corrupt_years += (corrupt > 0.0) as usize;
            for s in sectors {
                let (p, c) = (s[col("posted")], s[col("corrupt")]);
                if p > 0.0 {
                    assert_eq!(s[col("corruption_prevalence")], c / p);
                } else {
                    assert!(s[col("corruption_prevalence")].is_nan());
                }
            }
        }
        assert!(corrupt_years > 0, "the test needs some corruption");
    }

    /// A target read from TOML text (one `[[target]]`'s keys).
    fn target(keys: &str) -> Target {
        let set: TargetSet = toml::from_str(&format!(
            "name = \"t\"\n[[target]]\nid = \"t\"\nsource = \"s\"\nwhy = \"w\"\nyears = [1, 2]\n{keys}\n"
        ))
        .unwrap();
        set.targets.into_iter().next().unwrap()
    }

    #[test]
    fn the_order_statistic_counts_adjacent_pairs_out_of_order() {
        assert_eq!(out_of_order(&[0.5, 0.4, 0.3]), 0);
        assert_eq!(out_of_order(&[0.3, 0.4, 0.5]), 2);
        assert_eq!(out_of_order(&[0.5, 0.6, 0.2, 0.3]), 2);
        assert_eq!(out_of_order(&[0.4, 0.4]), 0, "a tie is not a violation");
        // From a replicate's sectors: prevalence (column 3) by sector and
        // year, averaged over the target's years 1-2 (year 0 ignored).
        let scn = Scenario::default();
        let names: Vec<&str> = scn
            .structure
            .sectors
            .iter()
            .map(|s| s.name.as_str())
            .collect();
        let year = |prev: &[(&str, f64)]| -> Vec<Vec<f64>> {
            names
                .iter()
                .map(|n| {
                    let p = prev.iter().find(|(m, _)| m == n).map_or(0.0, |x| x.1);
                    vec![10.0, 10.0, p * 10.0, p, 0.5, 12.0]
                })
                .collect()
        };
        let r = ReplicateResult {
            rows: vec![vec![]; 3],
            grades: vec![vec![]; 3],
            sectors: vec![
                year(&[("police", 0.0), ("works_procurement", 0.9)]),
                year(&[
                    ("police", 0.5),
                    ("works_procurement", 0.25),
                    ("education_health", 0.375),
                ]),
                year(&[
                    ("police", 0.25),
                    ("works_procurement", 0.25),
                    ("education_health", 0.125),
                ]),
            ],
            phases: Default::default(),
        };
        // Means over years 1-2 (exact in binary): police 0.375, works
        // 0.25, education 0.25, district 0, revenue 0.
        let t = target(
            "metric = \"corruption_prevalence\"\nfile = \"sectors\"\nstatistic = \"order\"\norder = [\"police\", \"works_procurement\", \"education_health\", \"district_administration\", \"revenue_taxation\"]",
        );
        assert_eq!(statistic(&t, &scn, &r), 0.0, "0.375 > 0.25 = 0.25 > 0 = 0");
        let reversed = Target {
            order: t.order.iter().rev().cloned().collect(),
            ..t.clone()
        };
        // 0 = 0 < 0.25 = 0.25 < 0.375: two pairs out of order.
        assert_eq!(statistic(&reversed, &scn, &r), 2.0);
        // The observed value is no pair out of order; the distance is the
        // number of pairs out of order.
        assert_eq!((t.centre(), t.scale()), (0.0, 1.0));
        assert_eq!(t.distance(0.0), 0.0);
        assert_eq!(t.distance(1.5), 1.5);
        assert_eq!(
            t.observed_text(),
            "order: police > works_procurement > education_health > district_administration > revenue_taxation"
        );
        // The mean of one sector's metric.
        let police = target(
            "metric = \"corruption_prevalence\"\nfile = \"sectors\"\nsector = \"police\"\nobserved = 0.4\nsd = 0.1",
        );
        assert_eq!(statistic(&police, &scn, &r), 0.375);
        assert!(!extensive(&police));
        let posted = Target {
            metric: "posted".into(),
            ..police
        };
        assert!(
            extensive(&posted),
            "a count of officers scales with the service"
        );
    }

    #[test]
    fn sector_targets_are_checked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.toml");
        let head = "name = \"x\"\n";
        let t = |id: &str, keys: &str| {
            format!(
                "[[target]]\nid = \"{id}\"\nyears = [20, 40]\nsource = \"s\"\nwhy = \"w\"\n{keys}\n"
            )
        };
        let text = [
            head.to_string(),
            t("unknown", "metric = \"corruption_prevalence\"\nfile = \"sectors\"\nstatistic = \"order\"\norder = [\"police\", \"judiciary\"]"),
            t("twice", "metric = \"corruption_prevalence\"\nfile = \"sectors\"\nstatistic = \"order\"\norder = [\"police\", \"police\"]\nobserved = 0.0\nsd = 1.0"),
            t("column", "metric = \"efficiency\"\nfile = \"sectors\"\nsector = \"police\"\nobserved = 1.0\nsd = 1.0"),
            t("nosector", "metric = \"posted\"\nfile = \"sectors\"\nobserved = 1.0\nsd = 1.0"),
            t("badsector", "metric = \"posted\"\nfile = \"sectors\"\nsector = \"courts\"\nobserved = 1.0\nsd = 1.0"),
            t("wrongfile", "metric = \"posted\"\nfile = \"timeseries\"\nsector = \"police\"\norder = [\"police\"]\nobserved = 1.0\nsd = 1.0"),
        ]
        .concat();
        std::fs::write(&path, text).unwrap();
        let e = load(&path, &Scenario::default()).unwrap_err().0;
        for want in [
            "target[0] (`unknown`): `order` names \"judiciary\", which is not a sector",
            "target[1] (`twice`): `order` names \"police\" twice",
            "target[1] (`twice`): an order target's observation is its `order`",
            "target[2] (`column`): `efficiency` is not a column of sectors.csv",
            "target[3] (`nosector`): a sectors.csv target needs `sector`",
            "target[4] (`badsector`): `sector` \"courts\" is not a sector",
            "target[5] (`wrongfile`): `sector` applies only to `file = \"sectors\"`",
            "target[5] (`wrongfile`): `order` applies only to `statistic = \"order\"`",
        ] {
            assert!(e.contains(want), "{want} not in {e}");
        }
    }

    #[test]
    fn a_bad_target_is_refused_naming_it_and_what_is_allowed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.toml");
        std::fs::write(
            &path,
            "name = \"x\"\n[[target]]\nid = \"a\"\nmetric = \"vacancy_rat\"\nfile = \"grades\"\ngrade = \"BPS-99\"\nyears = [20, 90]\nobserved = 1.0\nsource = \"s\"\nwhy = \"w\"\n",
        )
        .unwrap();
        let e = load(&path, &Scenario::default()).unwrap_err().0;
        for want in [
            "`vacancy_rat` is not a column of grades.csv",
            "\"BPS-99\" is not a grade",
            "from 0 to the run's 40",
            "positive `sd`",
        ] {
            assert!(e.contains(want), "{want} not in {e}");
        }
        // An sd no distance can be divided by, an empty grade list: refused
        // when read (before, a fit spent its budget on infinite distances).
        let t = |body: &str| {
            format!(
                "name = \"x\"\n[[target]]\nid = \"a\"\nmetric = \"vacancy_rate\"\nfile = \"grades\"\nyears = [20, 30]\nsource = \"s\"\nwhy = \"w\"\n{body}"
            )
        };
        for (body, want) in [
            (
                "grade = \"BPS-17\"\nobserved = 1e308\nsd = 5e-324\n",
                "got observed 1e308, sd 5e-324",
            ),
            (
                "grade = \"BPS-17\"\ninterval = [0.1, 0.1000000000000000001]\n",
                "lo < hi",
            ),
            (
                "grade = []\nobserved = 0.2\nsd = 0.05\n",
                "`grade = []` names no grade",
            ),
        ] {
            std::fs::write(&path, t(body)).unwrap();
            let e = load(&path, &Scenario::default()).unwrap_err().0;
            assert!(e.contains(want), "{want} not in {e}");
        }
        std::fs::write(&path, t("grade = \"BPS-17\"\nobserved = 0.2\nsd = 0.05\n")).unwrap();
        assert!(load(&path, &Scenario::default()).is_ok());
    }
}
