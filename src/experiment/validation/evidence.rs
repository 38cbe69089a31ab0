//! How a published finding is measured: the arms compared, the design of
//! the contrast, and the measurement itself.

use crate::scenario::Scenario;
use crate::sim::runner::ReplicateResult;

use super::runner::Runner;
use super::statistics::{Effect, Size, Verdict, metric, minus, window_means};

/// One arm of a comparison: `--set` overrides of the baseline and, as TOML
/// text, `[[reforms]]` entries added to it.
#[derive(Clone, Copy, Debug)]
pub struct Arm {
    pub sets: &'static [&'static str],
    pub reforms: &'static str,
}

/// The baseline unchanged.
pub const BASELINE: Arm = Arm {
    sets: &[],
    reforms: "",
};

pub(super) const fn sets(sets: &'static [&'static str]) -> Arm {
    Arm { sets, reforms: "" }
}

impl Arm {
    /// The key paths the arm's `--set`s give.
    pub fn set_keys(&self) -> Vec<String> {
        self.sets
            .iter()
            .map(|s| s.split_once('=').map_or(*s, |(k, _)| k).trim().to_string())
            .collect()
    }

    /// The key paths the arm's reforms set.
    pub fn reform_keys(&self) -> Vec<String> {
        let mut keys = Vec::new();
        if let Ok(doc) = self.reforms.parse::<toml::Table>()
            && let Some(reforms) = doc.get("reforms").and_then(|r| r.as_array())
        {
            for r in reforms {
                if let Some(set) = r.get("set").and_then(|s| s.as_table()) {
                    keys.extend(crate::paths::flatten(set).into_iter().map(|(k, _)| k));
                }
            }
        }
        keys
    }
}

/// What is measured for a finding, per replicate, over the window.
#[derive(Clone, Copy, Debug)]
pub enum Design {
    /// `treat` minus `base`; percent of `base`.
    Pair { base: Arm, treat: Arm },
    /// Does the effect of moving `a` from low to high grow with `b`?
    /// `(a_hi,b_hi − a_lo,b_hi) − (a_hi,b_lo − a_lo,b_lo)`.
    Interaction {
        a_lo_b_lo: Arm,
        a_hi_b_lo: Arm,
        a_lo_b_hi: Arm,
        a_hi_b_hi: Arm,
    },
    /// In the baseline: years with a change of government minus other
    /// years; percent of the other years.
    ChangeYears,
}

impl Design {
    /// The arms the design compares, each with its label in messages.
    pub fn arms(&self) -> Vec<(Arm, &'static str)> {
        match *self {
            Design::Pair { base, treat } => vec![(base, "base"), (treat, "treatment")],
            Design::Interaction {
                a_lo_b_lo,
                a_hi_b_lo,
                a_lo_b_hi,
                a_hi_b_hi,
            } => vec![
                (a_lo_b_lo, "low, low"),
                (a_hi_b_lo, "high, low"),
                (a_lo_b_hi, "low, high"),
                (a_hi_b_hi, "high, high"),
            ],
            Design::ChangeYears => vec![(BASELINE, "baseline")],
        }
    }
}

impl EvidenceCheck {
    /// The keys of `overrides` (`KEY=VALUE`, as `validate --set` takes
    /// them) under which the check does not measure what its words say:
    /// a reform of an arm sets the key (it would return to the check's own
    /// value, not the override's), or some arms set it and others do not
    /// (the comparison's words give the baseline's value). A key every
    /// arm sets leaves the check as it is. A table given whole
    /// (`accountability={...}`) counts for the keys inside it.
    pub fn overridden(&self, overrides: &[String]) -> Vec<String> {
        let segs = |k: &str| crate::paths::segments(&crate::paths::canonical(k.trim()));
        let overlap = |a: &str, b: &str| {
            let (a, b) = (segs(a), segs(b));
            a.starts_with(&b) || b.starts_with(&a)
        };
        let arms = self.design.arms();
        let mut hit: Vec<String> = Vec::new();
        for o in overrides {
            let key = o.split_once('=').map_or(o.as_str(), |(k, _)| k).trim();
            let by_reform = arms
                .iter()
                .any(|(a, _)| a.reform_keys().iter().any(|k| overlap(k, key)));
            let setting = arms
                .iter()
                .filter(|(a, _)| a.set_keys().iter().any(|k| overlap(k, key)))
                .count();
            if (by_reform || (setting > 0 && setting < arms.len())) && !hit.iter().any(|h| h == key)
            {
                hit.push(key.to_string());
            }
        }
        hit
    }
}

/// One published finding and how the model is held to it.
#[derive(Clone, Copy, Debug)]
pub struct EvidenceCheck {
    pub id: &'static str,
    /// Section of docs/sources/evidence.md.
    pub section: &'static str,
    pub finding: &'static str,
    pub source: &'static str,
    pub design: Design,
    /// Words for the doc: what the arms are.
    pub arms: &'static str,
    pub metric: &'static str,
    /// Recorded years averaged per replicate (inclusive).
    pub years: (u32, u32),
    /// +1 the metric should rise, −1 fall.
    pub direction: f64,
    pub size: Size,
    /// The literature's size in words.
    pub literature_size: &'static str,
    /// Whether the model is known to agree (what the tests hold it to).
    pub agrees: bool,
    /// How the model produces the effect, or why it differs.
    pub note: &'static str,
}

/// A finding of docs/sources/evidence.md that the model does not address, and
/// why.
pub struct NotAddressed {
    pub section: &'static str,
    pub finding: &'static str,
    pub source: &'static str,
    pub why: &'static str,
}

/// A check and what was measured for it.
pub struct EvidenceResult {
    pub check: EvidenceCheck,
    pub effect: Effect,
    pub verdict: Verdict,
}
/// Measures one evidence check: its arms run together as one comparison
/// (those run before for another check come from the runner's cache).
pub fn measure(runner: &mut Runner, c: &EvidenceCheck) -> anyhow::Result<EvidenceResult> {
    let m = metric(c.metric)?;
    let w = c.years;
    let runs = c
        .design
        .arms()
        .iter()
        .map(|(arm, label)| Ok((runner.scenario(arm, w.1)?, format!("{} ({label})", c.id))))
        .collect::<anyhow::Result<Vec<(Scenario, String)>>>()?;
    let reps = runner.run(&runs)?;
    let means: Vec<Vec<f64>> = reps.iter().map(|r| window_means(r, m, w)).collect();
    let effect = match c.design {
        Design::Pair { .. } => {
            let (b, t) = (&means[0], &means[1]);
            Effect::new(&minus(t, b), Some(b))
        }
        Design::Interaction { .. } => {
            let (ll, hl, lh, hh) = (&means[0], &means[1], &means[2], &means[3]);
            Effect::new(&minus(&minus(hh, lh), &minus(hl, ll)), None)
        }
        Design::ChangeYears => change_years(reps[0], m, w)?,
    };
    let verdict = effect.verdict(c.direction, c.size);
    Ok(EvidenceResult {
        check: *c,
        effect,
        verdict,
    })
}

/// Years with a change of government minus other years, per replicate;
/// the reference is the other years.
fn change_years(reps: &[ReplicateResult], m: usize, w: (u32, u32)) -> anyhow::Result<Effect> {
    let changes = metric("government_changes")?;
    let mut diff = Vec::new();
    let mut other = Vec::new();
    for r in reps {
        let (mut on, mut off) = (Vec::new(), Vec::new());
        // `government_changes` counts changes since the start.
        for y in (w.0 as usize).max(1)..=(w.1 as usize).min(r.rows.len() - 1) {
            if r.rows[y][changes] > r.rows[y - 1][changes] {
                on.push(r.rows[y][m]);
            } else {
                off.push(r.rows[y][m]);
            }
        }
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
        if !on.is_empty() && !off.is_empty() {
            diff.push(mean(&on) - mean(&off));
            other.push(mean(&off));
        }
    }
    Ok(Effect::new(&diff, Some(&other)))
}
