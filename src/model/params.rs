//! The scenario's parameter data: every block of parameters a scenario
//! file sets, each defined by the mechanism that reads it, gathered into
//! one [`Scenario`]. Loading, `--set`, validation and the stated effects'
//! checks are in `scenario/`; this file only holds the data, so that
//! the model can carry the parameters in force without reaching upward.

use serde::{Deserialize, Serialize};

use crate::model::reforms::Expectation;
use crate::model::structure::Structure;
use crate::model::{
    accountability::AccountabilityParams, ageing::AgeingParams, appraisal::AppraisalParams,
    corruption::CorruptionParams, exits::ExitParams, pay::PayParams, politics::PoliticsParams,
    posting_market::PostingMarketParams, postings::PostingParams, promotion::PromotionParams,
    recruitment::RecruitmentParams, reforms::Reform, training::TrainingParams,
    transparency::TransparencyParams, trust::TrustParams, work::WorkParams,
};

/// Run settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(from = "SimParamsFile")]
pub struct SimParams {
    /// Master seed: every random number of the run derives from it.
    #[serde(serialize_with = "crate::rng::serialize_seed")]
    pub seed: u64,
    pub replicates: u32,
    pub years: u32,
    /// Years simulated before year 0 under the starting policies (no
    /// reforms), so that recorded years begin from the model's own steady
    /// state rather than from the synthetic starting population.
    pub warmup_years: u32,
    pub steps_per_year: u32,
    /// Step of the year (1-based) on which annual events fall; a file that
    /// does not give it gets the year's last step.
    pub annual_step: u32,
    /// How the officer pass advances officers: `"staggered"`, the default
    /// (each officer every `stride` steps, in staggered cohorts, and
    /// everyone on the steps that read the whole service), or `"monthly"`
    /// (every officer every step). docs/model.md §3.1; docs/engines.md for
    /// the test that made the staggered engine the default.
    pub engine: String,
    /// Steps between an officer's updates under the staggered engine; 3 by
    /// default, the stride docs/engines.md validated against the monthly
    /// engine (a choice of speed against closeness, not a fact about the
    /// service).
    pub stride: u32,
}

/// `[sim]` as a file gives it: `annual_step` defaults to the year's last
/// step, whatever `steps_per_year` is (12 by default).
#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
struct SimParamsFile {
    #[serde(deserialize_with = "crate::rng::deserialize_seed")]
    seed: u64,
    replicates: u32,
    years: u32,
    warmup_years: u32,
    steps_per_year: u32,
    annual_step: Option<u32>,
    engine: String,
    stride: u32,
}

impl Default for SimParamsFile {
    fn default() -> Self {
        let d = SimParams::default();
        SimParamsFile {
            seed: d.seed,
            replicates: d.replicates,
            years: d.years,
            warmup_years: d.warmup_years,
            steps_per_year: d.steps_per_year,
            annual_step: None,
            engine: d.engine,
            stride: d.stride,
        }
    }
}

impl From<SimParamsFile> for SimParams {
    fn from(f: SimParamsFile) -> Self {
        SimParams {
            seed: f.seed,
            replicates: f.replicates,
            years: f.years,
            warmup_years: f.warmup_years,
            steps_per_year: f.steps_per_year,
            annual_step: f.annual_step.unwrap_or(f.steps_per_year),
            engine: f.engine,
            stride: f.stride,
        }
    }
}

/// The engines `sim.engine` may name.
pub const ENGINES: [&str; 2] = ["monthly", "staggered"];

impl SimParams {
    /// Steps between an officer's updates: 1 under the monthly engine.
    pub fn stride(&self) -> u32 {
        if self.engine == "staggered" {
            self.stride.max(1)
        } else {
            1
        }
    }
}

impl Default for SimParams {
    fn default() -> Self {
        SimParams {
            seed: 20_251_024,
            replicates: 10,
            years: 40,
            warmup_years: 10,
            steps_per_year: 12,
            annual_step: 12,
            engine: "staggered".into(),
            stride: 3,
        }
    }
}

/// A whole scenario. Every key has a default, so a file states only what
/// differs from the defaults (the Pakistan federal officer cadre, BPS 17–22).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Scenario {
    /// Name, used for the default output folder (defaults to the file stem).
    pub name: String,
    /// The scenario's name in words, for the page, reports and plots
    /// ("Tenure security"); empty: the name is shown.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub title: String,
    pub description: String,
    pub sim: SimParams,
    pub structure: Structure,
    pub ageing: AgeingParams,
    pub work: WorkParams,
    pub corruption: CorruptionParams,
    pub accountability: AccountabilityParams,
    pub postings: PostingParams,
    pub posting_market: PostingMarketParams,
    pub training: TrainingParams,
    pub appraisal: AppraisalParams,
    pub promotion: PromotionParams,
    pub pay: PayParams,
    pub exits: ExitParams,
    pub recruitment: RecruitmentParams,
    pub politics: PoliticsParams,
    pub transparency: TransparencyParams,
    pub trust: TrustParams,
    pub reforms: Vec<Reform>,
    /// Effects the reforms are stated to have (checked by `bureausim validate`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub expect: Vec<Expectation>,
}

impl Scenario {
    /// True when `other` is this scenario but for its reforms, name, title,
    /// description and stated effects: the two runs are then the same, draw
    /// for draw, until the first reform of either begins (reforms draw
    /// nothing before they begin, and nothing reads the words).
    pub fn differs_only_in_reforms(&self, other: &Scenario) -> bool {
        Scenario {
            name: other.name.clone(),
            title: other.title.clone(),
            description: other.description.clone(),
            reforms: other.reforms.clone(),
            expect: other.expect.clone(),
            ..self.clone()
        } == *other
    }
}
