//! A scenario's stated effects: `[[expect]]` entries saying which outcome
//! its reforms move, in which direction and roughly how far, against the
//! same scenario with its reforms removed (same seeds, so the difference is
//! the reforms' rather than chance). `bureausim validate` measures each one and
//! reports whether it holds; the header comment of a scenario file says the
//! same in words.

use crate::metrics::{METRICS, metric_index};
use crate::model::check::Checks;
pub use crate::model::reforms::Expectation;

impl Expectation {
    /// +1 for "up", -1 for "down".
    pub fn sign(&self) -> f64 {
        if self.direction == "down" { -1.0 } else { 1.0 }
    }

    /// Adds every problem with entry `k` to `c`. The window is not held to
    /// `sim.years`: `validate` runs as many years as the window needs, and
    /// `run --years` may well be shorter.
    pub fn check(&self, k: usize, has_reforms: bool, c: &mut Checks) {
        let key = format!("expect[{k}]");
        if metric_index(&self.metric).is_none() {
            c.conflict(format!(
                "`{key}.metric` is \"{}\", which is not a column of timeseries.csv (docs/outputs.md lists them; e.g. {})",
                self.metric,
                METRICS
                    .iter()
                    .take(4)
                    .map(|m| m.name)
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        c.one_of(
            &format!("{key}.direction"),
            &self.direction,
            &["up", "down"],
        );
        let [from, to] = self.years;
        if from > to || to > 5_000 {
            c.conflict(format!(
                "`{key}.years` must be [first, last] with first <= last <= 5000, got [{from}, {to}]"
            ));
        }
        if let Some([lo, hi]) = self.percent {
            if !(lo.is_finite() && hi.is_finite() && lo <= hi) {
                c.conflict(format!(
                    "`{key}.percent` must be [low, high] with low <= high, got [{lo}, {hi}]"
                ));
            } else if (self.sign() > 0.0 && (lo < 0.0 || hi <= 0.0))
                || (self.sign() < 0.0 && (hi > 0.0 || lo >= 0.0))
            {
                // A band reaching across 0 would let an effect of the
                // other sign pass as "in size" while the direction fails.
                let side = if self.sign() > 0.0 {
                    "0 <= low <= high"
                } else {
                    "low <= high <= 0"
                };
                c.conflict(format!(
                    "`{key}.percent` [{lo}, {hi}] must lie on the side of direction \"{}\" ({side})",
                    self.direction
                ));
            }
        }
        if !has_reforms {
            c.conflict(format!(
                "`{key}`: expectations are measured against the scenario without its `[[reforms]]`, and this scenario has none"
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(e: &Expectation, has_reforms: bool) -> Vec<String> {
        let mut c = Checks::default();
        e.check(0, has_reforms, &mut c);
        c.into_result().err().unwrap_or_default()
    }

    #[test]
    fn every_field_is_checked() {
        let good = Expectation {
            metric: "efficiency".into(),
            direction: "up".into(),
            percent: Some([5.0, 15.0]),
            years: [10, 25],
        };
        assert!(problems(&good, true).is_empty());
        let bad = Expectation {
            metric: "eficiency".into(),
            direction: "higher".into(),
            percent: Some([-5.0, -1.0]),
            years: [30, 20],
        };
        let p = problems(&bad, false).join("\n");
        for want in [
            "\"eficiency\"",
            "`expect[0].direction`",
            "`expect[0].years`",
            "has none",
        ] {
            assert!(p.contains(want), "{want} missing from:\n{p}");
        }
        let contradiction = Expectation {
            direction: "up".into(),
            ..bad
        };
        let side = |e: &Expectation| {
            problems(e, true)
                .join("\n")
                .contains("must lie on the side of direction")
        };
        assert!(side(&contradiction));
        // A band across 0 is refused too (audit, 2026-12-06): it would let
        // an effect of the wrong sign pass as "in size".
        let across = |direction: &str, band: [f64; 2]| Expectation {
            direction: direction.into(),
            percent: Some(band),
            ..good.clone()
        };
        assert!(side(&across("up", [-10.0, 20.0])));
        assert!(side(&across("down", [-20.0, 10.0])));
        assert!(!side(&across("up", [0.0, 20.0])));
        assert!(!side(&across("down", [-20.0, 0.0])));
        assert!(!side(&across("down", [-20.0, -5.0])));
    }
}
