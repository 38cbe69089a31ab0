//! The fit table of `bureausim calibrate`: each target's observed value,
//! the model's mean with its 95% interval and the distance, as text for
//! the terminal and as CSV.

use std::fmt::Write as _;

use crate::error::rounded;
use crate::experiment::calibration::targets::{Fit, TargetSet};
use crate::output::number::csv_value;

/// The table as the terminal shows it.
pub fn text(fits: &[Fit]) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "{:<32} {:>18} {:>30} {:>9}",
        "target", "observed", "model [95% CI]", "distance"
    );
    for f in fits {
        let (model, d) = if f.evaluated {
            (
                format!(
                    "{} [{}, {}]",
                    rounded(f.model),
                    rounded(f.low),
                    rounded(f.high)
                ),
                rounded(f.distance),
            )
        } else {
            ("not evaluated (no output)".into(), "–".into())
        };
        let _ = writeln!(o, "{:<32} {:>18} {:>30} {:>9}", f.id, f.observed, model, d);
    }
    o
}

/// The table as CSV, with each target's source.
pub fn csv(fits: &[Fit], set: &TargetSet) -> anyhow::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "target",
        "observed",
        "model",
        "model_ci95_low",
        "model_ci95_high",
        "distance",
        "evaluated",
        "source",
    ])?;
    for (f, t) in fits.iter().zip(&set.targets) {
        w.write_record([
            f.id.clone(),
            f.observed.clone(),
            csv_value(f.model),
            csv_value(f.low),
            csv_value(f.high),
            csv_value(f.distance),
            f.evaluated.to_string(),
            t.source.clone(),
        ])?;
    }
    w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))
}
