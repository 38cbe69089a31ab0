//! `timeseries.csv`, `grades.csv` and `sectors.csv`: one row per replicate
//! per year (and grade or sector).
//! Numbers use Rust's shortest round-trip form, so files are byte-identical
//! for identical results; a missing value is an empty field.

use std::path::Path;

use anyhow::Context;

use crate::metrics::{GRADE_METRICS, METRICS, Metric, SECTOR_METRICS};
use crate::output::number::csv_value;
use crate::sim::runner::ReplicateResult;

/// Writes `timeseries.csv`.
pub fn write_timeseries(path: &Path, results: &[ReplicateResult]) -> anyhow::Result<()> {
    let file = std::fs::File::create(path)
        .with_context(|| format!("cannot write `{}`", path.display()))?;
    timeseries_to(file, results).with_context(|| format!("cannot write `{}`", path.display()))
}

/// Writes the rows of `timeseries.csv` to `out`.
pub fn timeseries_to<W: std::io::Write>(out: W, results: &[ReplicateResult]) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    let mut header = vec!["replicate".to_string(), "year".to_string()];
    header.extend(METRICS.iter().map(|m| m.name.to_string()));
    w.write_record(&header)?;
    let mut rec: Vec<String> = Vec::with_capacity(header.len());
    for (r, res) in results.iter().enumerate() {
        for (y, row) in res.rows.iter().enumerate() {
            rec.clear();
            rec.push(r.to_string());
            rec.push(y.to_string());
            rec.extend(row.iter().map(|v| csv_value(*v)));
            w.write_record(&rec)?;
        }
    }
    w.flush()?;
    Ok(())
}

/// Writes `grades.csv`.
pub fn write_grades(
    path: &Path,
    results: &[ReplicateResult],
    grade_names: &[String],
) -> anyhow::Result<()> {
    write_by(path, results, "grade", GRADE_METRICS, grade_names, |r| {
        &r.grades
    })
}

/// Writes `sectors.csv`.
pub fn write_sectors(
    path: &Path,
    results: &[ReplicateResult],
    sector_names: &[String],
) -> anyhow::Result<()> {
    write_by(path, results, "sector", SECTOR_METRICS, sector_names, |r| {
        &r.sectors
    })
}

/// A table of one row per replicate, year and group (grade or sector):
/// `replicate`, `year`, the group's name in column `key`, then `columns`;
/// `groups` picks a replicate's `[year][group][column]` values.
fn write_by(
    path: &Path,
    results: &[ReplicateResult],
    key: &str,
    columns: &[Metric],
    names: &[String],
    groups: impl Fn(&ReplicateResult) -> &[Vec<Vec<f64>>],
) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_path(path)
        .with_context(|| format!("cannot write `{}`", path.display()))?;
    let mut header = vec!["replicate".to_string(), "year".to_string(), key.to_string()];
    header.extend(columns.iter().map(|m| m.name.to_string()));
    w.write_record(&header)?;
    let mut rec: Vec<String> = Vec::with_capacity(header.len());
    for (r, res) in results.iter().enumerate() {
        for (y, rows) in groups(res).iter().enumerate() {
            for (g, row) in rows.iter().enumerate() {
                rec.clear();
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
