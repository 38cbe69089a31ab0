//! Calibration targets as data (`calibration/<name>.toml`, format in
//! calibration/README.md): each observed pattern a scenario must
//! reproduce, the statistic of the model's output that stands for it, the
//! observed value with its uncertainty, and its source. This module reads
//! and checks a target file and computes each target's statistic and its
//! distance from a run's replicates.

use std::path::Path;

use serde::Deserialize;

use crate::error::UsageError;
use crate::metrics::{GRADE_METRICS, METRICS, metric_index};
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
#[serde(untagged)]
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
    pub years: [u32; 2],
    #[serde(default)]
    pub statistic: Statistic,
    #[serde(default)]
    pub observed: Option<f64>,
    #[serde(default)]
    pub sd: Option<f64>,
    #[serde(default)]
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
    /// The observed value as a point (an interval's middle).
    pub fn centre(&self) -> f64 {
        match (self.observed, self.interval) {
            (Some(o), _) => o,
            (None, Some([a, b])) => (a + b) / 2.0,
            _ => f64::NAN,
        }
    }

    /// The target's scale: its sd, or a quarter of its interval's width
    /// (the interval read as ±2 sd).
    pub fn scale(&self) -> f64 {
        match (self.sd, self.interval) {
            (Some(s), _) => s,
            (None, Some([a, b])) => (b - a) / 4.0,
            _ => f64::NAN,
        }
    }

    /// The distance of a model value from the target in units of its
    /// scale: `|value − observed| / sd`, or for an interval 0 inside it and
    /// the distance to the nearer end over a quarter of its width outside.
    pub fn distance(&self, value: f64) -> f64 {
        if let Some([a, b]) = self.interval {
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

    /// The observed value in words: `0.272 ± 0.04` or `[5, 10]`.
    pub fn observed_text(&self) -> String {
        use crate::error::rounded;
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
    let shown = path.display().to_string();
    let set: TargetSet = crate::scenario::read_toml_file(path, "target file")?;
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
        }
        let columns: Vec<&str> = match t.file {
            Source::Timeseries => METRICS.iter().map(|m| m.name).collect(),
            Source::Grades => GRADE_METRICS.iter().map(|m| m.name).collect(),
            Source::Sectors => vec!["corruption_prevalence"],
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
        let [a, b] = t.years;
        if a > b || b > scn.sim.years {
            problems.push(format!(
                "{at}: `years` [{a}, {b}] must be increasing and within the run's {} years",
                scn.sim.years
            ));
        }
        if t.statistic == Statistic::Order {
            if t.file != Source::Sectors || t.order.len() < 2 {
                problems.push(format!(
                    "{at}: `statistic = \"order\"` needs `file = \"sectors\"` and an `order` of at least two sectors"
                ));
            }
            for s in &t.order {
                if !sector_names.contains(&s.as_str()) {
                    problems.push(format!(
                        "{at}: `order` names \"{s}\", which is not a sector of the scenario (sectors: {})",
                        sector_names.join(", ")
                    ));
                }
            }
        } else {
            match (t.observed, t.sd, t.interval) {
                (Some(o), Some(s), None) if o.is_finite() && s.is_finite() && s > 0.0 => {}
                (None, None, Some([lo, hi])) if lo.is_finite() && hi.is_finite() && lo < hi => {}
                (o, sd, i) => {
                    let given = |name: &str, v: Option<String>| v.map(|v| format!("{name} {v}"));
                    let got: Vec<String> = [
                        given("observed", o.map(|x| x.to_string())),
                        given("sd", sd.map(|x| x.to_string())),
                        given("interval", i.map(|[a, b]| format!("[{a}, {b}]"))),
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
                        "{at}: give `observed` with a positive `sd`, or an `interval = [lo, hi]` with lo < hi (not both); got {got}"
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
/// value, or for outputs bureausim does not write yet).
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
    match (t.file, t.statistic) {
        (Source::Sectors, _) | (_, Statistic::Order) => f64::NAN,
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
        Source::Sectors => return false,
    };
    table.iter().find(|m| m.name == t.metric).is_some_and(|m| {
        matches!(
            m.unit,
            "officers" | "posts" | "count" | "per year" | "million PKR"
        )
    })
}

/// How well a run meets one target.
#[derive(Clone, Debug)]
pub struct Fit {
    pub id: String,
    pub observed: String,
    /// Mean over replicates of the statistic, and its 95% t interval.
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
                low: model - half,
                high: model + half,
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
            "within the run's 40 years",
            "positive `sd`",
        ] {
            assert!(e.contains(want), "{want} not in {e}");
        }
    }
}
