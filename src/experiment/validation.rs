//! Validation: does the model agree with the published evidence, do the
//! library's reform scenarios do what their headers say, and does the
//! classic hierarchy model come out as the paper found? Everything here is
//! measured with common random numbers (replicate k of every arm uses the
//! same streams), so chance differences between replicates largely cancel
//! and the intervals of the differences are narrow.
//! `bureausim validate` renders the results as docs/validation.md
//! ([`crate::output::validation`]); tests/validation.rs runs the same checks
//! on a smaller service.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::metrics::metric_index;
use crate::metrics::summary::{Stats, stats};
use crate::model::reforms::Reform;
use crate::scenario::Scenario;
use crate::sim::runner::{self, ReplicateResult};

/// How big and how long the validation runs are.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Size of the service against the scenario files (1 = as written).
    pub scale: f64,
    /// Replicates per arm for the evidence and reform checks.
    pub replicates: u32,
    /// Replicates and years of each classic-model run.
    pub classic_replicates: u32,
    pub classic_years: u32,
    /// Worker threads (0 = all cores); results do not depend on it.
    pub threads: usize,
}

impl Settings {
    /// The settings docs/validation.md is generated with.
    pub fn full() -> Self {
        Settings {
            scale: 1.0,
            replicates: 8,
            classic_replicates: 50,
            classic_years: 1000,
            threads: 0,
        }
    }

    /// A tenth of the service and fewer replicates: the test suite's.
    pub fn quick() -> Self {
        Settings {
            scale: 0.1,
            replicates: 6,
            classic_replicates: 20,
            classic_years: 300,
            threads: 0,
        }
    }
}

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

const fn sets(sets: &'static [&'static str]) -> Arm {
    Arm { sets, reforms: "" }
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

/// How large the literature says the effect is, as a band the model's point
/// estimate should fall in to agree in "rough size".
#[derive(Clone, Copy, Debug)]
pub enum Size {
    /// Direction only: the sources give no size the model can be held to.
    Direction,
    /// Percent of the reference arm.
    Percent(f64, f64),
    /// In the metric's own units.
    Absolute(f64, f64),
}

/// One published finding and how the model is held to it.
#[derive(Clone, Copy, Debug)]
pub struct EvidenceCheck {
    pub id: &'static str,
    /// Section of research/evidence.md.
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

/// A finding of research/evidence.md that the model does not address, and
/// why.
pub struct NotAddressed {
    pub section: &'static str,
    pub finding: &'static str,
    pub source: &'static str,
    pub why: &'static str,
}

const MERIT: Arm = sets(&[
    "recruitment.merit_share=1.0",
    "recruitment.quota_share=0.0",
    "recruitment.patronage_share=0.0",
]);

/// The evidence checks, in the order of research/evidence.md.
pub const EVIDENCE: &[EvidenceCheck] = &[
    EvidenceCheck {
        id: "merit_recruitment_corruption",
        section: "Recruitment",
        finding: "Meritocratic recruitment goes with lower corruption.",
        source: "Rauch & Evans 2000; Dahlström, Lapuente & Teorell 2012; Schuster, Meyer-Sahling & Mikkelsen 2018",
        design: Design::Pair {
            base: BASELINE,
            treat: MERIT,
        },
        arms: "baseline intake (7% merit, 83% quota, 10% patronage) against all-merit intake, both from the start of the warm-up",
        metric: "corruption_prevalence",
        years: (20, 30),
        direction: -1.0,
        size: Size::Direction,
        literature_size: "cross-country: about a third to a half of a standard deviation of corruption per standard deviation of meritocracy; no within-country size",
        agrees: true,
        note: "Patronage entrants are drawn with lower integrity (by 0.2) and strong connections that shield them from detection; quota entrants come from smaller regional pools, so they are less able but as honest as merit entrants. Only the 10% patronage share therefore carries the corruption effect, which grows as merit cohorts replace older ones; it is measured 30-40 years after the change.",
    },
    EvidenceCheck {
        id: "merit_recruitment_performance",
        section: "Recruitment",
        finding: "Meritocratic recruitment goes with better performance.",
        source: "Rauch & Evans 2000; Dahlström, Lapuente & Teorell 2012",
        design: Design::Pair {
            base: BASELINE,
            treat: MERIT,
        },
        arms: "as above",
        metric: "efficiency",
        years: (20, 30),
        direction: 1.0,
        size: Size::Direction,
        literature_size: "not given in comparable units",
        agrees: true,
        note: "Merit entrants have higher ability, which raises competence and delivered performance.",
    },
    EvidenceCheck {
        id: "pay_relative_wage",
        section: "Pay",
        finding: "Doubling civil-service pay relative to manufacturing pay improves a 0-6 corruption rating by about 1 point across countries (about 0.35 in a re-estimate).",
        source: "Van Rijckeghem & Weder 1997/2001; de Haan et al. 2013",
        design: Design::Pair {
            base: BASELINE,
            treat: sets(&["pay.level=2.0"]),
        },
        arms: "pay level 1.0 (baseline) against 2.0, from the start of the warm-up",
        metric: "corruption_prevalence",
        years: (10, 25),
        direction: -1.0,
        size: Size::Percent(-35.0, -3.0),
        literature_size: "1 of 6 rating points (0.35 in the re-estimate): about 6-17% of the scale; band taken as -3% to -35% of prevalence",
        agrees: true,
        note: "Pay raises the cost of being caught (the premium over the outside wage is lost on dismissal) and morale; the effect is modest because detection at baseline is weak.",
    },
    EvidenceCheck {
        id: "pay_needs_detection",
        section: "Pay",
        finding: "In the expected-income form, honesty needs a wage premium that grows with B/p: pay deters only as far as detection works.",
        source: "Becker & Stigler 1974; Besley & McLaren 1993; Van Rijckeghem & Weder 2001",
        design: Design::Interaction {
            a_lo_b_lo: sets(&["accountability.detection_rate=0.01"]),
            a_hi_b_lo: sets(&["pay.level=2.0", "accountability.detection_rate=0.01"]),
            a_lo_b_hi: sets(&["accountability.detection_rate=0.3"]),
            a_hi_b_hi: sets(&["pay.level=2.0", "accountability.detection_rate=0.3"]),
        },
        arms: "effect of pay 1.0 -> 2.0 at detection 0.3, minus the same at detection 0.01",
        metric: "corruption_prevalence",
        years: (10, 25),
        direction: -1.0,
        size: Size::Direction,
        literature_size: "qualitative",
        agrees: true,
        note: "The expected loss from corruption is detection x conviction x (pay premium + fine), so the pay effect scales with detection.",
    },
    EvidenceCheck {
        id: "rotation_lowers_bribes",
        section: "Rotation and transfers",
        finding: "Re-matching officials and bribers lowers bribes against fixed pairs.",
        source: "Abbink 2004 (laboratory); Fišar et al.",
        design: Design::Pair {
            base: sets(&["politics.enabled=false", "postings.tenure_months=72"]),
            treat: sets(&["politics.enabled=false", "postings.tenure_months=12"]),
        },
        arms: "6-year against 1-year postings, no political transfers in either",
        metric: "rent_taken",
        years: (10, 25),
        direction: -1.0,
        size: Size::Direction,
        literature_size: "laboratory: bribes and inefficient decisions clearly lower; no field size",
        agrees: true,
        note: "Collusion with local bribers builds with months in post; a transfer resets it.",
    },
    EvidenceCheck {
        id: "political_transfers_worse",
        section: "Rotation and transfers",
        finding: "Frequent politically driven transfers go with worse outcomes.",
        source: "Iyer & Mani 2012 (India); Cyan & Pasha 2017 (Punjab)",
        design: Design::Pair {
            base: sets(&["politics.interference=0.2"]),
            treat: BASELINE,
        },
        arms: "low political interference (0.2) against the baseline's 0.7",
        metric: "efficiency",
        years: (10, 25),
        direction: -1.0,
        size: Size::Direction,
        literature_size: "not given in comparable units",
        agrees: true,
        note: "Each transfer restarts the ramp-up to full performance in a new post and loses sector expertise; interference also protects the corrupt.",
    },
    EvidenceCheck {
        id: "new_government_transfers",
        section: "Rotation and transfers",
        finding: "New heads of government raise transfer rates.",
        source: "Iyer & Mani 2012; Cyan & Pasha 2017",
        design: Design::ChangeYears,
        arms: "baseline: years with a change of government against other years",
        metric: "transfers_political",
        years: (1, 40),
        direction: 1.0,
        size: Size::Direction,
        literature_size: "transfer probability clearly higher in the year after a new chief minister",
        agrees: true,
        note: "A new government reshuffles: political transfer pressure jumps in the year of the change.",
    },
    EvidenceCheck {
        id: "peter_effect_in_cadre",
        section: "Promotion",
        finding: "Promoting the best performer at one level lowers performance when the next level needs different skills.",
        source: "Benson, Li & Shue 2019; Pluchino, Rapisarda & Garofalo 2010",
        design: Design::Pair {
            base: sets(&["promotion.rule=random"]),
            treat: sets(&["promotion.rule=best"]),
        },
        arms: "selection boards promoting at random against promoting the most competent at the current grade; outcome: competence at the new grade minus competence at the old, for those promoted",
        metric: "peter_effect",
        years: (10, 25),
        direction: -1.0,
        size: Size::Direction,
        literature_size: "sales fall by several percent in teams of promoted top sellers",
        agrees: true,
        note: "Competence at a grade mixes sector expertise and managerial skill with grade-specific weights, so the officer best at BPS-18 is not the best at BPS-19: those picked for their current competence lose more of it on promotion than those picked at random. The classic model below shows the same at its starkest.",
    },
    EvidenceCheck {
        id: "discretion_spots_ability",
        section: "Promotion",
        finding: "Seniors with discretion promoted on merit and spotted able juniors that records missed: discretion is not only patronage.",
        source: "Aman-Rana 2020 (Punjab)",
        design: Design::Pair {
            base: sets(&[
                "promotion.weights.appraisal=0.9",
                "promotion.weights.training=0.05",
                "promotion.weights.discretion=0.05",
                "promotion.discretion_capture=0.0",
            ]),
            treat: sets(&[
                "promotion.weights.appraisal=0.05",
                "promotion.weights.training=0.05",
                "promotion.weights.discretion=0.9",
                "promotion.discretion_capture=0.0",
            ]),
        },
        arms: "boards weighting the (inflated) appraisal record 90% against boards weighting their own uncaptured judgement 90%",
        metric: "promotion_rank_correlation",
        years: (10, 25),
        direction: 1.0,
        size: Size::Direction,
        literature_size: "qualitative",
        agrees: true,
        note: "Uncaptured discretion sees competence with small noise; inflated appraisals bunch near the top and say little. With the baseline's capture (0.7) discretion turns to connections instead.",
    },
    EvidenceCheck {
        id: "beliefs_raise_corruption",
        section: "Corruption dynamics",
        finding: "Beliefs that corruption is common raise the willingness to bribe by 5-10 percentage points.",
        source: "Corbacho et al. 2015",
        design: Design::Pair {
            base: sets(&[
                "corruption.peer_moral_discount=0",
                "corruption.peer_risk_discount=0",
                "corruption.peer_erosion=0",
            ]),
            treat: BASELINE,
        },
        arms: "corrupt peers without influence against the baseline's peer effects",
        metric: "corruption_prevalence",
        years: (10, 25),
        direction: 1.0,
        size: Size::Absolute(0.025, 0.2),
        literature_size: "5-10 percentage points; band taken as 2.5-20 points",
        agrees: true,
        note: "Corrupt peers in the unit lower the moral cost and the perceived risk of taking bribes and erode integrity.",
    },
    EvidenceCheck {
        id: "temporary_push_persists",
        section: "Corruption dynamics",
        finding: "A modest push can move the system from the corrupt state to the honest one (multiple equilibria: the push's effect outlasts it).",
        source: "Hammond 2000; Zausinová et al. 2020",
        design: Design::Pair {
            base: BASELINE,
            treat: Arm {
                sets: &[],
                reforms: "[[reforms]]\nyear = 3\nlabel = \"crackdown\"\nset = { accountability.detection_rate = 0.35 }\n\n[[reforms]]\nyear = 8\nlabel = \"crackdown ends\"\nset = { accountability.detection_rate = 0.06 }\n",
            },
        },
        arms: "baseline against a five-year crackdown (detection 0.06 -> 0.35 in years 3-8, then back)",
        metric: "corruption_prevalence",
        years: (15, 25),
        direction: -1.0,
        size: Size::Percent(-100.0, -30.0),
        literature_size: "a move to the honest state after the push ends; band taken as a fall of at least 30%",
        agrees: false,
        note: "Does not agree: during the crackdown corruption halves (0.22 to 0.11), but within three years of its end it is back within about 5% of the baseline, and level with it by year 20. Integrity recovers towards each officer's own anchor and the corruption decision has one stable state for given policies; peer contagion and the turnover of dismissed officers carry only a small part of the push forward. The model has no memory of partners or networks of friends (Hammond 2000), the mechanisms that produce tipping there; adding one is a model change to propose, not a calibration.",
    },
];

/// Findings of research/evidence.md that the model does not address.
pub const NOT_ADDRESSED: &[NotAddressed] = &[
    NotAddressed {
        section: "Pay",
        finding: "Higher pay can raise corruption where pay inequality within the public sector is high.",
        source: "Demirgüç-Kunt, Lokshin & Kolchin 2023",
        why: "Pay inequality enters only through compression across grades; the model has no channel by which inequality raises corruption.",
    },
    NotAddressed {
        section: "Rotation and transfers",
        finding: "Able officers are transferred less; desirable posts are transferred more often.",
        source: "Iyer & Mani 2012; Cyan & Pasha 2017",
        why: "Political transfers target officers by connections and posts by desirability in the model, but no output reports transfers by ability or by post, so it is not measured here.",
    },
    NotAddressed {
        section: "Rotation and transfers",
        finding: "Officers posted in their home state are seen as more corrupt.",
        source: "Xu, Bertrand & Burgess",
        why: "Officers have a region for quotas but postings have no home/away distinction.",
    },
    NotAddressed {
        section: "Promotion",
        finding: "Under seniority promotion with a fixed retirement age, officers who cannot reach the top perform worse.",
        source: "Bertrand, Burgess, Chawla & Xu 2020",
        why: "Effort does not depend on career prospects in the model; morale responds to supersession, not to the expected top grade.",
    },
    NotAddressed {
        section: "Corruption dynamics",
        finding: "Past a critical arrest probability corruption can oscillate; flatter hierarchies see fewer corrupt acts.",
        source: "Mansury 2024; agent-based studies of organisations",
        why: "Not tested: the first needs a sweep of detection (issue 5's `sweep`), the second a change of hierarchy the cadre's fixed grades do not offer.",
    },
];

/// Agreement of a measured effect with a stated one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Right direction (95% interval excludes 0) and, where a size is
    /// stated, a point estimate within its band.
    Agrees,
    /// Right direction, size outside the band.
    DirectionOnly,
    /// The interval includes 0.
    NoClearEffect,
    /// The interval excludes 0 on the wrong side.
    Disagrees,
}

impl Verdict {
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Agrees => "agrees",
            Verdict::DirectionOnly => "direction only (size outside band)",
            Verdict::NoClearEffect => "no clear effect",
            Verdict::Disagrees => "disagrees",
        }
    }

    /// True when the direction holds.
    pub fn direction_holds(self) -> bool {
        matches!(self, Verdict::Agrees | Verdict::DirectionOnly)
    }
}

/// A measured effect: the per-replicate contrast and its reference level.
#[derive(Clone, Debug)]
pub struct Effect {
    /// Statistics of the per-replicate contrast.
    pub diff: Stats,
    /// Mean of the reference (base) arm, if there is one.
    pub reference: Option<f64>,
}

impl Effect {
    fn new(contrast: &[f64], reference: Option<&[f64]>) -> Self {
        Effect {
            diff: stats(contrast),
            reference: reference.and_then(|r| stats(r).mean),
        }
    }

    /// The mean contrast.
    pub fn mean(&self) -> f64 {
        self.diff.mean.unwrap_or(f64::NAN)
    }

    /// The mean contrast in percent of the size of the reference level
    /// (its absolute value, so the sign is always the contrast's).
    pub fn percent(&self) -> Option<f64> {
        self.reference
            .filter(|r| r.abs() > 1e-12)
            .map(|r| 100.0 * self.mean() / r.abs())
    }

    /// The 95% interval of the mean contrast.
    pub fn ci(&self) -> (f64, f64) {
        (
            self.diff.ci95_low.unwrap_or(f64::NAN),
            self.diff.ci95_high.unwrap_or(f64::NAN),
        )
    }

    /// Judges the effect against a direction and a size band.
    pub fn verdict(&self, direction: f64, size: Size) -> Verdict {
        let (lo, hi) = self.ci();
        let m = self.mean();
        if !(lo.is_finite() && hi.is_finite()) || (lo <= 0.0 && hi >= 0.0) {
            return Verdict::NoClearEffect;
        }
        if m * direction < 0.0 {
            return Verdict::Disagrees;
        }
        let in_band = match size {
            Size::Direction => true,
            Size::Percent(a, b) => self.percent().is_some_and(|p| p >= a && p <= b),
            Size::Absolute(a, b) => m >= a && m <= b,
        };
        if in_band {
            Verdict::Agrees
        } else {
            Verdict::DirectionOnly
        }
    }
}

/// Runs arms of one base scenario, remembering results so that an arm
/// shared by several checks (the baseline) runs once.
pub struct Runner {
    base: Scenario,
    settings: Settings,
    cache: HashMap<String, Vec<ReplicateResult>>,
}

impl Runner {
    pub fn new(base: Scenario, settings: Settings) -> Self {
        Runner {
            base,
            settings,
            cache: HashMap::new(),
        }
    }

    /// The scenario of `arm`, run for `years`.
    pub fn scenario(&self, arm: &Arm, years: u32) -> anyhow::Result<Scenario> {
        let sets: Vec<String> = arm.sets.iter().map(|s| s.to_string()).collect();
        let mut s = self.base.clone().with_sets(&sets)?;
        if !arm.reforms.is_empty() {
            #[derive(serde::Deserialize)]
            struct Doc {
                reforms: Vec<Reform>,
            }
            let doc: Doc = toml::from_str(arm.reforms).context("validation arm reforms")?;
            s.reforms.extend(doc.reforms);
        }
        Ok(self.sized(s, years))
    }

    fn sized(&self, mut s: Scenario, years: u32) -> Scenario {
        s = s.scaled(self.settings.scale);
        s.sim.replicates = self.settings.replicates;
        s.sim.years = years;
        s
    }

    /// Replicates of `s` (validated), from the cache when run before.
    pub fn run(&mut self, s: &Scenario, what: &str) -> anyhow::Result<&[ReplicateResult]> {
        s.validate(what)?;
        let key = s.to_toml();
        if !self.cache.contains_key(&key) {
            let r = runner::run(s, self.settings.threads, &|| {})?;
            self.cache.insert(key.clone(), r);
        }
        Ok(&self.cache[&key])
    }

    fn arm(&mut self, arm: &Arm, years: u32, what: &str) -> anyhow::Result<&[ReplicateResult]> {
        let s = self.scenario(arm, years)?;
        self.run(&s, what)
    }
}

/// Per-replicate mean of metric `m` over recorded years `from..=to`
/// (missing values left out).
pub fn window_means(reps: &[ReplicateResult], m: usize, (from, to): (u32, u32)) -> Vec<f64> {
    reps.iter()
        .map(|r| {
            let v: Vec<f64> = (from as usize..=(to as usize).min(r.rows.len() - 1))
                .map(|y| r.rows[y][m])
                .filter(|x| x.is_finite())
                .collect();
            if v.is_empty() {
                f64::NAN
            } else {
                v.iter().sum::<f64>() / v.len() as f64
            }
        })
        .collect()
}

fn metric(name: &str) -> anyhow::Result<usize> {
    metric_index(name).with_context(|| format!("unknown metric `{name}`"))
}

fn minus(a: &[f64], b: &[f64]) -> Vec<f64> {
    a.iter().zip(b).map(|(x, y)| x - y).collect()
}

/// A check and what was measured for it.
pub struct EvidenceResult {
    pub check: EvidenceCheck,
    pub effect: Effect,
    pub verdict: Verdict,
}

/// Measures one evidence check.
pub fn measure(runner: &mut Runner, c: &EvidenceCheck) -> anyhow::Result<EvidenceResult> {
    let m = metric(c.metric)?;
    let years = c.years.1;
    let w = c.years;
    let mut mean_of = |arm: &Arm, label: &str| -> anyhow::Result<Vec<f64>> {
        let reps = runner.arm(arm, years, &format!("{} ({label})", c.id))?;
        Ok(window_means(reps, m, w))
    };
    let effect = match c.design {
        Design::Pair { base, treat } => {
            let b = mean_of(&base, "base")?;
            let t = mean_of(&treat, "treatment")?;
            Effect::new(&minus(&t, &b), Some(&b))
        }
        Design::Interaction {
            a_lo_b_lo,
            a_hi_b_lo,
            a_lo_b_hi,
            a_hi_b_hi,
        } => {
            let ll = mean_of(&a_lo_b_lo, "low, low")?;
            let hl = mean_of(&a_hi_b_lo, "high, low")?;
            let lh = mean_of(&a_lo_b_hi, "low, high")?;
            let hh = mean_of(&a_hi_b_hi, "high, high")?;
            Effect::new(&minus(&minus(&hh, &lh), &minus(&hl, &ll)), None)
        }
        Design::ChangeYears => {
            let changes = metric("government_changes")?;
            let reps = runner.arm(&BASELINE, years, &format!("{} (baseline)", c.id))?;
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
            Effect::new(&diff, Some(&other))
        }
    };
    let verdict = effect.verdict(c.direction, c.size);
    Ok(EvidenceResult {
        check: *c,
        effect,
        verdict,
    })
}

/// A reform scenario's stated effect and what was measured.
pub struct ExpectationResult {
    pub scenario: String,
    pub metric: String,
    pub direction: f64,
    pub band: Option<[f64; 2]>,
    pub years: [u32; 2],
    pub effect: Effect,
    pub verdict: Verdict,
}

/// Measures every `[[expect]]` of `path`: the scenario against itself with
/// its reforms removed.
pub fn measure_expectations(
    path: &Path,
    settings: &Settings,
    on_run: &dyn Fn(&str),
) -> anyhow::Result<Vec<ExpectationResult>> {
    let s = Scenario::load(path, &[])?;
    if s.expect.is_empty() {
        return Ok(Vec::new());
    }
    // Long enough for every window and every reform (a reform after the
    // last window still has to be a valid year).
    let last_reform = s
        .reforms
        .iter()
        .map(|r| r.year.ceil() as u32)
        .max()
        .unwrap_or(0);
    let years = s
        .expect
        .iter()
        .map(|e| e.years[1])
        .max()
        .unwrap_or(1)
        .max(last_reform)
        .max(1);
    let mut runner = Runner::new(s.clone(), settings.clone());
    let mut with = runner.sized(s.clone(), years);
    with.expect.clear();
    let mut without = with.clone();
    without.reforms.clear();
    on_run(&format!("{} (with and without its reforms)", s.name));
    let a = runner
        .run(&without, &format!("{} without reforms", s.name))?
        .to_vec();
    let b = runner.run(&with, &s.name)?.to_vec();
    let mut out = Vec::new();
    for e in &s.expect {
        let m = metric(&e.metric)?;
        let w = (e.years[0], e.years[1]);
        let base = window_means(&a, m, w);
        let treat = window_means(&b, m, w);
        let effect = Effect::new(&minus(&treat, &base), Some(&base));
        let size = match e.percent {
            Some([lo, hi]) => Size::Percent(lo, hi),
            None => Size::Direction,
        };
        let verdict = effect.verdict(e.sign(), size);
        out.push(ExpectationResult {
            scenario: s.name.clone(),
            metric: e.metric.clone(),
            direction: e.sign(),
            band: e.percent,
            years: e.years,
            effect,
            verdict,
        });
    }
    Ok(out)
}

/// The classic model's promotion strategies and competence hypotheses.
pub const STRATEGIES: &[(&str, &str)] = &[
    ("best", "the best"),
    ("worst", "the worst"),
    ("random", "at random"),
    ("best_worst", "best or worst at random (p = 0.5)"),
];
pub const HYPOTHESES: &[(&str, &str)] = &[
    ("carry_over", "common sense (competence carries over, ±1)"),
    ("redraw", "Peter hypothesis (competence redrawn)"),
];
/// Values of p (probability of promoting the best) in the mixed-strategy sweep.
pub const P_SWEEP: &[f64] = &[0.0, 0.25, 0.5, 0.75, 1.0];

/// One classic-model run: efficiency at the start and at the end.
pub struct ClassicResult {
    pub hypothesis: &'static str,
    pub strategy: &'static str,
    pub p: f64,
    pub start: Stats,
    pub end: Stats,
    /// Per-replicate end minus start, in percentage points.
    pub gain: Stats,
    /// Mean over the second half of the run and over replicates.
    pub late_mean: f64,
}

/// Runs the classic model for every hypothesis and strategy, and the
/// mixed strategy over [`P_SWEEP`].
pub fn classic(
    path: &Path,
    settings: &Settings,
    on_run: &dyn Fn(&str),
) -> anyhow::Result<Vec<ClassicResult>> {
    let eff = metric("efficiency")?;
    let mut out = Vec::new();
    let mut runs: Vec<(&'static str, &'static str, f64)> = Vec::new();
    for &(h, _) in HYPOTHESES {
        for &(st, _) in STRATEGIES {
            runs.push((h, st, 0.5));
        }
        for &p in P_SWEEP {
            if p != 0.5 {
                runs.push((h, "best_worst", p));
            }
        }
    }
    for (h, st, p) in runs {
        let sets = vec![
            format!("promotion.competence_on_promotion={h}"),
            format!("promotion.rule={st}"),
            format!("promotion.best_probability={p}"),
            format!("sim.years={}", settings.classic_years),
            format!("sim.replicates={}", settings.classic_replicates),
        ];
        let s = Scenario::load(path, &sets)?;
        on_run(&format!("classic model: {h}, {st}, p = {p}"));
        let reps = runner::run(&s, settings.threads, &|| {})?;
        let start: Vec<f64> = reps.iter().map(|r| r.rows[0][eff]).collect();
        let end: Vec<f64> = reps
            .iter()
            .map(|r| r.rows.last().expect("rows")[eff])
            .collect();
        let half = settings.classic_years / 2;
        let late = window_means(&reps, eff, (half, settings.classic_years));
        out.push(ClassicResult {
            hypothesis: h,
            strategy: st,
            p,
            start: stats(&start),
            end: stats(&end),
            gain: stats(&minus(&end, &start)),
            late_mean: stats(&late).mean.unwrap_or(f64::NAN),
        });
    }
    Ok(out)
}

/// Everything `bureausim validate` reports.
pub struct Report {
    pub settings: Settings,
    pub evidence: Vec<EvidenceResult>,
    pub expectations: Vec<ExpectationResult>,
    pub classic: Vec<ClassicResult>,
    /// The scenario files whose expectations were measured.
    pub scenario_files: Vec<PathBuf>,
}

/// The scenario files (`*.toml`) directly in `dir`, sorted.
pub fn scenario_files(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot list scenario folder `{}`", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    Ok(files)
}

/// How many verdicts agree in size, hold in direction, and in all.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tally {
    pub agree: usize,
    pub direction: usize,
    pub total: usize,
}

impl Tally {
    fn of(verdicts: impl Iterator<Item = Verdict>) -> Self {
        let mut t = Tally {
            agree: 0,
            direction: 0,
            total: 0,
        };
        for v in verdicts {
            t.total += 1;
            t.agree += (v == Verdict::Agrees) as usize;
            t.direction += v.direction_holds() as usize;
        }
        t
    }
}

impl Report {
    /// The published findings' verdicts.
    pub fn evidence_tally(&self) -> Tally {
        Tally::of(self.evidence.iter().map(|e| e.verdict))
    }

    /// The reform scenarios' stated effects' verdicts.
    pub fn expectation_tally(&self) -> Tally {
        Tally::of(self.expectations.iter().map(|e| e.verdict))
    }
}

/// Runs the whole validation from the scenario library in `dir`.
pub fn run_all(dir: &Path, settings: &Settings, on_run: &dyn Fn(&str)) -> anyhow::Result<Report> {
    let base = Scenario::load(&dir.join("pakistan_baseline.toml"), &[])?;
    // Every file is read and checked before the first run, so a broken
    // scenario stops the command at once rather than after minutes.
    let files = scenario_files(dir)?;
    for f in &files {
        Scenario::load(f, &[])?;
    }
    let classic_path = dir.join("classics").join("peter_principle.toml");
    Scenario::load(&classic_path, &[])?;
    let mut runner = Runner::new(base, settings.clone());
    let evidence = {
        let mut v = Vec::new();
        for c in EVIDENCE {
            on_run(&format!("evidence: {}", c.id));
            v.push(measure(&mut runner, c)?);
        }
        v
    };
    let mut expectations = Vec::new();
    let mut used = Vec::new();
    for f in files {
        let r = measure_expectations(&f, settings, on_run)?;
        if !r.is_empty() {
            used.push(f);
            expectations.extend(r);
        }
    }
    let classic = classic(&classic_path, settings, on_run)?;
    Ok(Report {
        settings: settings.clone(),
        evidence,
        expectations,
        classic,
        scenario_files: used,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn effect(xs: &[f64], reference: f64) -> Effect {
        Effect::new(xs, Some(&[reference, reference]))
    }

    #[test]
    fn verdicts() {
        let down = effect(&[-1.0, -1.2, -0.9, -1.1], 10.0);
        assert_eq!(down.verdict(-1.0, Size::Direction), Verdict::Agrees);
        assert_eq!(down.verdict(1.0, Size::Direction), Verdict::Disagrees);
        assert_eq!(
            down.verdict(-1.0, Size::Percent(-15.0, -5.0)),
            Verdict::Agrees
        );
        assert_eq!(
            down.verdict(-1.0, Size::Percent(-50.0, -20.0)),
            Verdict::DirectionOnly
        );
        assert_eq!(
            down.verdict(-1.0, Size::Absolute(-2.0, -0.5)),
            Verdict::Agrees
        );
        let noise = effect(&[-1.0, 1.0, -0.5, 0.6], 10.0);
        assert_eq!(noise.verdict(-1.0, Size::Direction), Verdict::NoClearEffect);
        assert!((down.percent().unwrap() + 10.5).abs() < 1e-9);
    }

    #[test]
    fn every_check_names_real_metrics_and_valid_arms() {
        let runner = Runner::new(Scenario::default(), Settings::quick());
        for c in EVIDENCE {
            metric(c.metric).unwrap();
            let arms: Vec<Arm> = match c.design {
                Design::Pair { base, treat } => vec![base, treat],
                Design::Interaction {
                    a_lo_b_lo,
                    a_hi_b_lo,
                    a_lo_b_hi,
                    a_hi_b_hi,
                } => vec![a_lo_b_lo, a_hi_b_lo, a_lo_b_hi, a_hi_b_hi],
                Design::ChangeYears => vec![BASELINE],
            };
            for a in arms {
                let s = runner.scenario(&a, c.years.1).unwrap();
                s.validate(c.id).unwrap_or_else(|e| panic!("{}: {e}", c.id));
            }
        }
    }

    #[test]
    fn window_means_skip_missing_values() {
        let r = ReplicateResult {
            rows: vec![vec![1.0], vec![f64::NAN], vec![3.0]],
            grades: vec![],
            phases: Default::default(),
        };
        assert_eq!(window_means(&[r], 0, (0, 2)), vec![2.0]);
    }
}
