//! `timeseries.csv` and `grades.csv`: one row per replicate per year.
//! Numbers use Rust's shortest round-trip form, so files are byte-identical
//! for identical results; a missing value is an empty field.

use std::path::Path;

use anyhow::Context;

use crate::metrics::{GRADE_METRICS, METRICS};
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
    let mut w = csv::Writer::from_path(path)
        .with_context(|| format!("cannot write `{}`", path.display()))?;
    let mut header = vec![
        "replicate".to_string(),
        "year".to_string(),
        "grade".to_string(),
    ];
    header.extend(GRADE_METRICS.iter().map(|m| m.name.to_string()));
    w.write_record(&header)?;
    let mut rec: Vec<String> = Vec::with_capacity(header.len());
    for (r, res) in results.iter().enumerate() {
        for (y, grades) in res.grades.iter().enumerate() {
            for (g, row) in grades.iter().enumerate() {
                rec.clear();
                rec.push(r.to_string());
                rec.push(y.to_string());
                rec.push(grade_names[g].clone());
                rec.extend(row.iter().map(|v| csv_value(*v)));
                w.write_record(&rec)?;
            }
        }
    }
    w.flush()
        .with_context(|| format!("cannot write `{}`", path.display()))?;
    Ok(())
}
