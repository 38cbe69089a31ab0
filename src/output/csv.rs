//! `timeseries.csv`, `grades.csv` and `sectors.csv`: one row per replicate
//! per year (and grade or sector), each led by the scenario's name and seed
//! so that files of several runs stack into one table; and `codebook.csv`,
//! which says what every column of the three means.
//! Numbers use Rust's shortest round-trip form, so files are byte-identical
//! for identical results; a missing value is an empty field.

use std::path::Path;

use anyhow::Context;

use crate::metrics::{GRADE_METRICS, METRICS, Metric, SECTOR_METRICS};
use std::io::Write;

use crate::output::number::push_csv_value;
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
    let mut t = Table::new(out, scenario, seed, None, METRICS)?;
    for (r, res) in results.iter().enumerate() {
        for (y, row) in res.rows.iter().enumerate() {
            t.row(r, y, None, row)?;
        }
    }
    t.finish()
}

/// A table of `LEAD`, an optional group column and metric columns, written
/// a row at a time into one reused line: numbers go straight into it
/// ([`push_csv_value`]), text fields are quoted once, by the csv crate, as
/// it quotes them in a record. Numbers hold only digits, '-' and '.', which
/// the csv crate never quotes, so the bytes are those of writing every row
/// as a record of strings with `csv::Writer`.
struct Table<W: std::io::Write> {
    out: std::io::BufWriter<W>,
    /// The scenario and seed fields, each followed by a comma.
    run: Vec<u8>,
    line: Vec<u8>,
    columns: usize,
}

impl<W: std::io::Write> Table<W> {
    /// Starts a table by writing its header: `LEAD`, `key` if any, then
    /// `columns`.
    fn new(
        out: W,
        scenario: &str,
        seed: u64,
        key: Option<&str>,
        columns: &[Metric],
    ) -> anyhow::Result<Self> {
        let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
        let mut header: Vec<&str> = LEAD.iter().map(|c| c.0).collect();
        header.extend(key);
        header.extend(columns.iter().map(|m| m.name));
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(&header)?;
        out.write_all(&w.into_inner()?)?;
        let mut run = field(scenario)?;
        run.push(b',');
        run.extend_from_slice(itoa::Buffer::new().format(seed).as_bytes());
        run.push(b',');
        Ok(Table {
            out,
            run,
            line: Vec::new(),
            columns: columns.len(),
        })
    }

    /// Writes the row of replicate `r` and year `y`: the group's field from
    /// [`field`] if the table has a group column, then `values`.
    fn row(
        &mut self,
        r: usize,
        y: usize,
        group: Option<&[u8]>,
        values: &[f64],
    ) -> anyhow::Result<()> {
        anyhow::ensure!(
            values.len() == self.columns,
            "a row of {} values in a table of {} metric columns",
            values.len(),
            self.columns
        );
        let line = &mut self.line;
        line.clear();
        line.extend_from_slice(&self.run);
        line.extend_from_slice(itoa::Buffer::new().format(r).as_bytes());
        line.push(b',');
        line.extend_from_slice(itoa::Buffer::new().format(y).as_bytes());
        if let Some(group) = group {
            line.push(b',');
            line.extend_from_slice(group);
        }
        for &v in values {
            line.push(b',');
            push_csv_value(line, v);
        }
        line.push(b'\n');
        self.out.write_all(line)?;
        Ok(())
    }

    fn finish(mut self) -> anyhow::Result<()> {
        self.out.flush()?;
        Ok(())
    }
}

/// `text` as a field of a record, quoted (or not) exactly as `csv::Writer`
/// quotes it among other fields (where an empty field stays empty).
fn field(text: &str) -> anyhow::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([text, ""])?;
    let mut bytes = w.into_inner()?;
    // The record ends in the empty second field and the terminator.
    anyhow::ensure!(bytes.ends_with(b",\n"), "unexpected CSV record");
    bytes.truncate(bytes.len() - 2);
    Ok(bytes)
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
            // A sector's prevalence is of its posted officers only.
            let label = match (file, m.name) {
                ("sectors.csv", "corruption_prevalence") => "Corruption (posted officers)",
                _ => crate::metrics::label(m.name),
            };
            w.write_record([file, m.name, m.unit, label, &format!("{}{flow}", m.about)])?;
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
    let write = || -> anyhow::Result<()> {
        let file = std::fs::File::create(path)?;
        let mut t = Table::new(file, id.scenario, id.seed, Some(key), columns)?;
        let names = names
            .iter()
            .map(|n| field(n))
            .collect::<anyhow::Result<Vec<_>>>()?;
        for (r, res) in results.iter().enumerate() {
            for (y, rows) in groups(res).iter().enumerate() {
                for (g, row) in rows.iter().enumerate() {
                    let name = names
                        .get(g)
                        .with_context(|| format!("no name for {key} {g}"))?;
                    t.row(r, y, Some(name), row)?;
                }
            }
        }
        t.finish()
    };
    write().with_context(|| format!("cannot write `{}`", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::number::csv_value;

    /// The rows written as records of strings by `csv::Writer`: how the
    /// tables were written before [`Table`].
    fn by_records(
        scenario: &str,
        seed: u64,
        key: Option<&str>,
        rows: &[(&str, Vec<f64>)],
    ) -> Vec<u8> {
        let mut w = csv::Writer::from_writer(Vec::new());
        let mut header: Vec<String> = LEAD.iter().map(|c| c.0.to_string()).collect();
        header.extend(key.map(str::to_string));
        header.extend(
            METRICS[..rows[0].1.len()]
                .iter()
                .map(|m| m.name.to_string()),
        );
        w.write_record(&header).unwrap();
        for (i, (name, values)) in rows.iter().enumerate() {
            let mut rec = vec![scenario.to_string(), seed.to_string()];
            rec.extend([(i % 3).to_string(), (i * 7).to_string()]);
            if key.is_some() {
                rec.push(name.to_string());
            }
            rec.extend(values.iter().map(|v| csv_value(*v)));
            w.write_record(&rec).unwrap();
        }
        w.into_inner().unwrap()
    }

    fn by_table(
        scenario: &str,
        seed: u64,
        key: Option<&str>,
        rows: &[(&str, Vec<f64>)],
    ) -> Vec<u8> {
        let mut out = Vec::new();
        let columns = &METRICS[..rows[0].1.len()];
        let mut t = Table::new(&mut out, scenario, seed, key, columns).unwrap();
        for (i, (name, values)) in rows.iter().enumerate() {
            let name = field(name).unwrap();
            let group = key.map(|_| name.as_slice());
            t.row(i % 3, i * 7, group, values).unwrap();
        }
        t.finish().unwrap();
        out
    }

    #[test]
    fn tables_are_the_bytes_of_csv_records() {
        let values = vec![
            0.0,
            -0.0,
            f64::NAN,
            f64::INFINITY,
            1e-7,
            0.1 + 0.2,
            160.0,
            -2.5584184245059363,
            1e21,
            5e-324,
        ];
        let names = [
            "level_1",
            "",
            "a,b",
            "say \"no\"",
            "two\nlines",
            "cr\r",
            " padded ",
            "#",
        ];
        let rows: Vec<(&str, Vec<f64>)> = names
            .iter()
            .enumerate()
            .map(|(i, n)| (*n, values.iter().map(|v| v * (i as f64 + 1.0)).collect()))
            .collect();
        for scenario in ["peter_principle", "", "a, \"b\"", "x\ny"] {
            for key in [None, Some("grade")] {
                let table = by_table(scenario, 20251024, key, &rows);
                let records = by_records(scenario, 20251024, key, &rows);
                assert_eq!(
                    String::from_utf8(table).unwrap(),
                    String::from_utf8(records).unwrap()
                );
            }
        }
    }

    #[test]
    fn a_row_of_the_wrong_width_is_an_error() {
        let mut out = Vec::new();
        let mut t = Table::new(&mut out, "s", 1, None, &METRICS[..2]).unwrap();
        assert!(t.row(0, 0, None, &[1.0, 2.0]).is_ok());
        assert!(t.row(0, 1, None, &[1.0]).is_err());
    }
}
