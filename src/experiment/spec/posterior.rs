//! `--ensemble posterior.csv --draws K`: the parameter sets a comparison,
//! sweep or experiment runs every arm on, read from a calibration's
//! posterior (or any CSV with a `weight` column and one column per
//! scenario key).

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::UsageError;

/// The most rows and draws.
const MAX_ROWS: usize = 1_000_000;
pub const MAX_DRAWS: u32 = 10_000;

/// A posterior, as read: the keys it sets, each row's values as TOML text,
/// and the rows' weights.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Posterior {
    /// The file as given, for messages and the command.
    pub file: String,
    /// Draws taken from it.
    pub draws: u32,
    pub keys: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub weights: Vec<f64>,
    /// The row each line came from, for messages.
    pub lines: Vec<usize>,
}

/// Columns of a calibration's `posterior.csv` that are not scenario keys.
const BOOKKEEPING: [&str; 3] = ["particle", "weight", "distance"];

/// Reads `path` (`flag` names where it came from in messages).
pub fn load_posterior(path: &Path, draws: u32, flag: &str) -> Result<Posterior, UsageError> {
    let shown = path.display().to_string();
    let bad = |m: String| UsageError(format!("{flag} {shown}: {m}"));
    if draws == 0 || draws > MAX_DRAWS {
        return Err(UsageError(format!(
            "--draws {draws}: give from 1 to {MAX_DRAWS} draws"
        )));
    }
    // Bounded, whatever the file is (`input::MAX_INPUT_BYTES`).
    let text = crate::input::read_bytes(path).map_err(|e| bad(format!("cannot read it: {e}")))?;
    parse_posterior(&text, &shown, draws, flag)
}

/// Reads a posterior from its bytes (`shown` names it in messages).
pub fn parse_posterior(
    text: &[u8],
    shown: &str,
    draws: u32,
    flag: &str,
) -> Result<Posterior, UsageError> {
    let bad = |m: String| UsageError(format!("{flag} {shown}: {m}"));
    let mut r = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .trim(csv::Trim::All)
        .from_reader(text);
    let head: Vec<String> = r
        .headers()
        .map_err(|e| bad(format!("cannot read its header: {e}")))?
        .iter()
        .map(String::from)
        .collect();
    let Some(wcol) = head.iter().position(|h| h == "weight") else {
        return Err(bad(format!(
            "it has no `weight` column (its columns: {}); a posterior is a CSV with a `weight` column and one column per scenario key, as `bureausim calibrate` writes it",
            head.join(", ")
        )));
    };
    let key_cols: Vec<usize> = (0..head.len())
        .filter(|&i| !BOOKKEEPING.contains(&head[i].as_str()))
        .collect();
    if key_cols.is_empty() {
        return Err(bad(
            "it has no parameter columns besides particle, weight and distance".into(),
        ));
    }
    let keys: Vec<String> = key_cols.iter().map(|&i| head[i].clone()).collect();
    let mut seen = std::collections::HashSet::new();
    for k in &keys {
        if !seen.insert(k.as_str()) {
            return Err(bad(format!(
                "the column `{k}` appears twice; give each key once"
            )));
        }
        if k == "sim" || k.starts_with("sim.") {
            return Err(bad(format!(
                "the column `{k}` sets how the experiment runs (years, seed, replicates), which every draw must share; a posterior holds model parameters only"
            )));
        }
    }
    let mut rows = Vec::new();
    let mut weights = Vec::new();
    let mut lines = Vec::new();
    for rec in r.records() {
        let rec = rec.map_err(|e| bad(format!("{e}")))?;
        let line = rec.position().map_or(0, |p| p.line() as usize);
        if rows.len() >= MAX_ROWS {
            return Err(bad(format!("it has more than {MAX_ROWS} rows")));
        }
        let w: f64 = rec
            .get(wcol)
            .and_then(|s| s.parse().ok())
            .filter(|w: &f64| w.is_finite() && *w >= 0.0)
            .ok_or_else(|| {
                bad(format!(
                    "line {line}: the weight `{}` is not a number of 0 or more",
                    rec.get(wcol).unwrap_or("")
                ))
            })?;
        let mut row = Vec::new();
        for (&i, k) in key_cols.iter().zip(&keys) {
            let v = rec.get(i).unwrap_or("");
            let ok = v.parse::<f64>().is_ok_and(f64::is_finite) || v == "true" || v == "false";
            if !ok {
                return Err(bad(format!(
                    "line {line}: `{k}` is `{v}`; a posterior holds numbers (or true/false)"
                )));
            }
            row.push(v.to_string());
        }
        rows.push(row);
        weights.push(w);
        lines.push(line);
    }
    let total: f64 = weights.iter().sum();
    if rows.is_empty() || total <= 0.0 {
        return Err(bad("it has no row with a weight above 0".into()));
    }
    if !total.is_finite() {
        return Err(bad(
            "its weights sum to more than a number can hold; give relative weights (e.g. summing to 1)".into(),
        ));
    }
    Ok(Posterior {
        file: shown.to_string(),
        draws,
        keys,
        rows,
        weights,
        lines,
    })
}

impl Posterior {
    /// The rows drawn, by systematic resampling on the weights with a
    /// starting point from `seed` (the same draws for every arm). A
    /// posterior of one row gives that row `draws` times.
    pub fn draw(&self, seed: u64) -> Vec<usize> {
        let total: f64 = self.weights.iter().sum();
        let k = self.draws as usize;
        let u0 = crate::rng::Stream::new(seed, 0, 0x0E75_E3B1).uniform();
        let mut out = Vec::with_capacity(k);
        let mut acc = 0.0;
        let mut i = 0usize;
        for n in 0..k {
            let u = (n as f64 + u0) / k as f64 * total;
            while i + 1 < self.weights.len() && acc + self.weights[i] < u {
                acc += self.weights[i];
                i += 1;
            }
            out.push(i);
        }
        out
    }

    /// The `key=value` overrides of row `i`.
    pub fn sets(&self, i: usize) -> Vec<String> {
        self.keys
            .iter()
            .zip(&self.rows[i])
            .map(|(k, v)| format!("{k}={v}"))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_follow_the_weights_and_bad_files_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("post.csv");
        std::fs::write(
            &p,
            "particle,weight,distance,a.b\n1,0.0,1,1.5\n2,0.75,1,2.5\n3,0.25,1,3.5\n",
        )
        .unwrap();
        let post = load_posterior(&p, 8, "--ensemble").unwrap();
        assert_eq!(post.keys, vec!["a.b"]);
        let d = post.draw(3);
        assert_eq!(d.iter().filter(|&&i| i == 0).count(), 0);
        assert_eq!(d.iter().filter(|&&i| i == 1).count(), 6);
        assert_eq!(d.iter().filter(|&&i| i == 2).count(), 2);
        assert_eq!(post.sets(1), vec!["a.b=2.5"]);
        std::fs::write(&p, "particle,weight,a.b\n1,x,1\n").unwrap();
        let e = load_posterior(&p, 8, "--ensemble").unwrap_err().0;
        assert!(e.contains("line 2") && e.contains("weight `x`"), "{e}");
        std::fs::write(&p, "particle,a.b\n1,1\n").unwrap();
        let e = load_posterior(&p, 8, "--ensemble").unwrap_err().0;
        assert!(e.contains("no `weight` column"), "{e}");
        let e = load_posterior(&p, 0, "--ensemble").unwrap_err().0;
        assert!(e.contains("--draws 0"), "{e}");
        std::fs::write(&p, "weight,sim.years,a.b\n1,5,1\n").unwrap();
        let e = load_posterior(&p, 8, "--ensemble").unwrap_err().0;
        assert!(e.contains("`sim.years`"), "{e}");
        std::fs::write(&p, "weight,a.b,a.b\n1,5,1\n").unwrap();
        let e = load_posterior(&p, 8, "--ensemble").unwrap_err().0;
        assert!(e.contains("appears twice"), "{e}");
        std::fs::write(&p, "weight,a.b\n1e308,1\n1e308,2\n").unwrap();
        let e = load_posterior(&p, 8, "--ensemble").unwrap_err().0;
        assert!(e.contains("relative weights"), "{e}");
    }
}
