//! `timeseries.csv`, `grades.csv` and `sectors.csv`: one row per replicate
//! per year (and grade or sector), each led by the scenario's name and seed
//! so that files of several runs stack into one table; and `codebook.csv`,
//! which says what every column of the three means.
//! Numbers use Rust's shortest round-trip form, so files are byte-identical
//! for identical results; a missing value is an empty field.

use std::path::Path;

use anyhow::Context;

use crate::metrics::{GRADE_METRICS, METRICS, Metric, SECTOR_METRICS};
use crate::output::number::csv_value;
use crate::sim::runner::ReplicateResult;

/// The columns that lead every row: which run, replicate and year.
const LEAD: [(&str, &str, &str); 4] = [
    (
        "scenario",
        "name",
        "The scenario's `name` (scenario.toml beside the data holds all of it).",
    ),
    (
        "seed",
        "integer",
        "The run's seed (`sim.seed`): with the scenario and the version it fixes every number.",
    ),
    (
        "replicate",
        "integer",
        "Replicate number, from 0; each replicate draws from its own random streams.",
    ),
    (
        "year",
        "year",
        "Simulated year: 0 is the starting state (after any warm-up), before any year has run, so counts of what happens during a year are empty or 0 there.",
    ),
];

/// Writes `timeseries.csv`.
pub fn write_timeseries(
    path: &Path,
    results: &[ReplicateResult],
    scenario: &str,
    seed: u64,
) -> anyhow::Result<()> {
    let file = std::fs::File::create(path)
        .with_context(|| format!("cannot write `{}`", path.display()))?;
    timeseries_to(file, results, scenario, seed)
        .with_context(|| format!("cannot write `{}`", path.display()))
}

/// Writes the rows of `timeseries.csv` to `out`.
pub fn timeseries_to<W: std::io::Write>(
    out: W,
    results: &[ReplicateResult],
    scenario: &str,
    seed: u64,
) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    let mut header: Vec<String> = LEAD.iter().map(|c| c.0.to_string()).collect();
    header.extend(METRICS.iter().map(|m| m.name.to_string()));
    w.write_record(&header)?;
    let mut rec: Vec<String> = Vec::with_capacity(header.len());
    let seed = seed.to_string();
    for (r, res) in results.iter().enumerate() {
        for (y, row) in res.rows.iter().enumerate() {
            rec.clear();
            rec.push(scenario.to_string());
            rec.push(seed.clone());
            rec.push(r.to_string());
            rec.push(y.to_string());
            rec.extend(row.iter().map(|v| csv_value(*v)));
            w.write_record(&rec)?;
        }
    }
    w.flush()?;
    Ok(())
}

/// Which run the rows of a table come from: the scenario's name and seed.
#[derive(Clone, Copy)]
pub struct RunId<'a> {
    pub scenario: &'a str,
    pub seed: u64,
}

/// Writes `grades.csv`.
pub fn write_grades(
    path: &Path,
    id: RunId,
    results: &[ReplicateResult],
    grade_names: &[String],
) -> anyhow::Result<()> {
    write_by(
        path,
        id,
        results,
        "grade",
        GRADE_METRICS,
        grade_names,
        |r| &r.grades,
    )
}

/// Writes `sectors.csv`.
pub fn write_sectors(
    path: &Path,
    id: RunId,
    results: &[ReplicateResult],
    sector_names: &[String],
) -> anyhow::Result<()> {
    write_by(
        path,
        id,
        results,
        "sector",
        SECTOR_METRICS,
        sector_names,
        |r| &r.sectors,
    )
}

/// A file of the codebook: its name, its group column (name, meaning) and
/// its metric columns.
type CodebookFile = (
    &'static str,
    Option<(&'static str, &'static str)>,
    &'static [Metric],
);

/// Writes `codebook.csv`: for every column of `timeseries.csv`,
/// `grades.csv` and `sectors.csv`, its unit, its name in words and what it
/// means.
pub fn write_codebook(path: &Path) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_path(path)
        .with_context(|| format!("cannot write `{}`", path.display()))?;
    w.write_record(["file", "column", "unit", "label", "meaning"])?;
    let files: [CodebookFile; 3] = [
        ("timeseries.csv", None, METRICS),
        (
            "grades.csv",
            Some((
                "grade",
                "The grade (BPS-17 ... BPS-22 in the Pakistan scenarios).",
            )),
            GRADE_METRICS,
        ),
        (
            "sectors.csv",
            Some((
                "sector",
                "The sector of the posts (police, revenue_taxation, ...).",
            )),
            SECTOR_METRICS,
        ),
    ];
    for (file, key, columns) in files {
        for (name, unit, about) in LEAD {
            w.write_record([file, name, unit, name, about])?;
        }
        if let Some((name, about)) = key {
            w.write_record([file, name, "name", name, about])?;
        }
        for m in columns {
            let flow = if crate::metrics::is_flow(m.name) {
                " Counted over the year (empty or 0 at year 0)."
            } else {
                ""
            };
            w.write_record([
                file,
                m.name,
                m.unit,
                crate::metrics::label(m.name),
                &format!("{}{flow}", m.about),
            ])?;
        }
    }
    w.flush()
        .with_context(|| format!("cannot write `{}`", path.display()))?;
    Ok(())
}

/// A table of one row per replicate, year and group (grade or sector):
/// `replicate`, `year`, the group's name in column `key`, then `columns`;
/// `groups` picks a replicate's `[year][group][column]` values.
fn write_by(
    path: &Path,
    id: RunId,
    results: &[ReplicateResult],
    key: &str,
    columns: &[Metric],
    names: &[String],
    groups: impl Fn(&ReplicateResult) -> &[Vec<Vec<f64>>],
) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_path(path)
        .with_context(|| format!("cannot write `{}`", path.display()))?;
    let mut header: Vec<String> = LEAD.iter().map(|c| c.0.to_string()).collect();
    header.push(key.to_string());
    header.extend(columns.iter().map(|m| m.name.to_string()));
    w.write_record(&header)?;
    let mut rec: Vec<String> = Vec::with_capacity(header.len());
    let seed = id.seed.to_string();
    for (r, res) in results.iter().enumerate() {
        for (y, rows) in groups(res).iter().enumerate() {
            for (g, row) in rows.iter().enumerate() {
                rec.clear();
                rec.push(id.scenario.to_string());
                rec.push(seed.clone());
                rec.push(r.to_string());
                rec.push(y.to_string());
                rec.push(names[g].clone());
                rec.extend(row.iter().map(|v| csv_value(*v)));
                w.write_record(&rec)?;
            }
        }
    }
    w.flush()
        .with_context(|| format!("cannot write `{}`", path.display()))?;
    Ok(())
}
