//! Design files (`sweep --design points.csv`): one column a key path, one
//! row a point.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::UsageError;

/// Design points read from a file (`sweep --design points.csv`): one
/// column a key path, one row a point, each value as written. Kept whole in
/// the experiment's manifest, so the runs never depend on the file again.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DesignPoints {
    /// The file as given (for the record and the reproducing command).
    pub file: String,
    pub keys: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// The file's line of each row, for messages.
    pub lines: Vec<usize>,
}

/// Most design points a file may hold (as a sweep's runs are capped), and
/// most values in all (points × columns), so a design stays small in memory.
pub const MAX_DESIGN_POINTS: usize = 1_000_000;
pub const MAX_DESIGN_CELLS: usize = 4_000_000;

/// Columns of a design file that are bookkeeping, not parameters: a
/// pandas index (no name) and EMA Workbench's `scenario`, `policy` and
/// `model`.
const BOOKKEEPING: &[&str] = &["", "scenario", "policy", "model"];

/// Reads a design file: a header of key paths, then one point a line.
/// Commas, tabs, semicolons or spaces separate values (found from the
/// header); a header that starts with `#` (as numpy's `savetxt` writes it)
/// counts; blank lines are skipped; bookkeeping columns are left out.
pub fn load_design(path: &Path) -> Result<DesignPoints, UsageError> {
    let shown = path.display().to_string();
    let bad = |m: String| UsageError(format!("--design {shown}: {m}"));
    // Bounded, whatever the file is (`input::MAX_INPUT_BYTES`).
    let text = crate::input::read_text(path).map_err(|e| bad(format!("cannot read it: {e}")))?;
    // A byte-order mark, as spreadsheets write "CSV UTF-8", is not part of
    // the first key (a users' audit, 2026-12-07: the key was refused for a
    // character the user cannot see).
    let mut lines = text
        .strip_prefix('\u{feff}')
        .unwrap_or(&text)
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let (_, header) = lines
        .next()
        .ok_or_else(|| bad("the file is empty; its first line names the keys, e.g. politics.interference,pay.level".into()))?;
    let header = header.trim().trim_start_matches('#').trim();
    // None: values separated by spaces (numpy's savetxt default).
    let delimiter = [',', '\t', ';'].into_iter().find(|d| header.contains(*d));
    let split = |l: &str| -> Vec<String> {
        match delimiter {
            Some(d) => split_delimited(l, d),
            None => l.split_whitespace().map(str::to_string).collect(),
        }
    };
    let names = split(header);
    let keep: Vec<usize> = (0..names.len())
        .filter(|&i| !BOOKKEEPING.contains(&names[i].trim()))
        .collect();
    if keep.is_empty() {
        return Err(bad(
            "the first line names no key; it must name the key paths, e.g. politics.interference,pay.level".into(),
        ));
    }
    let mut keys = Vec::new();
    let mut canonical = std::collections::HashSet::new();
    for &i in &keep {
        let k = names[i].trim().to_string();
        crate::paths::parse(&k).map_err(|e| bad(format!("column {}: {e}", i + 1)))?;
        // One key however its path is written (`a[0].b`, `a.0.b`).
        if !canonical.insert(crate::paths::canonical(&k)) {
            return Err(bad(format!("the key `{k}` names two columns")));
        }
        keys.push(k);
    }
    let (mut rows, mut at) = (Vec::new(), Vec::new());
    for (n, line) in lines {
        let fields = split(line.trim());
        if fields.len() != names.len() {
            return Err(bad(format!(
                "line {} has {} value(s), the header {} column(s)",
                n + 1,
                fields.len(),
                names.len()
            )));
        }
        if let Some(i) = keep.iter().find(|&&i| fields[i].trim().is_empty()) {
            return Err(bad(format!(
                "line {}: the value of `{}` is empty",
                n + 1,
                names[*i].trim()
            )));
        }
        // Values are printed in tables and terminals: no escapes in them.
        if let Some(i) = keep
            .iter()
            .find(|&&i| fields[i].chars().any(|c| c.is_control() && c != '\t'))
        {
            return Err(bad(format!(
                "line {}: the value of `{}` holds a control character; a value is one line of text",
                n + 1,
                names[*i].trim()
            )));
        }
        if rows.len() == MAX_DESIGN_POINTS || (rows.len() + 1) * names.len() > MAX_DESIGN_CELLS {
            return Err(bad(format!(
                "more than {MAX_DESIGN_POINTS} points or {MAX_DESIGN_CELLS} values; split the design into several sweeps"
            )));
        }
        rows.push(keep.iter().map(|&i| fields[i].trim().to_string()).collect());
        at.push(n + 1);
    }
    if rows.is_empty() {
        return Err(bad("the file has a header but no points".into()));
    }
    Ok(DesignPoints {
        file: shown,
        keys,
        rows,
        lines: at,
    })
}

/// Splits a line on `d`, honouring double quotes as CSV does.
fn split_delimited(line: &str, d: char) -> Vec<String> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .delimiter(d as u8)
        .flexible(true)
        .from_reader(line.as_bytes());
    match r.records().next() {
        Some(Ok(rec)) => rec.iter().map(str::to_string).collect(),
        _ => vec![line.to_string()],
    }
}
