//! What the page offers: the scenario library (embedded in the binary, so
//! `serve` works from any folder), the levers grouped as in the model, and
//! the charts with the metrics they draw.

use std::sync::OnceLock;

use serde::Serialize;
use serde_json::{Value as Json, json};

use crate::metrics::{METRICS, metric_index};
use crate::scenario::Scenario;

/// One scenario file of the library, by the id the page uses (its path
/// under `scenarios/` without `.toml`).
pub struct Entry {
    pub id: &'static str,
    pub teaching: bool,
    pub text: &'static str,
}

macro_rules! entry {
    ($id:literal, $teaching:literal) => {
        Entry {
            id: $id,
            teaching: $teaching,
            text: include_str!(concat!("../../scenarios/", $id, ".toml")),
        }
    };
}

/// The library in the page's order: the teaching demos first, then the
/// baseline and the reform packages. Left out: `pakistan_national` (3.5
/// million officers, far above the page's run size) and the classic
/// Peter-principle model (1,000 years, every policy mechanism off).
pub const ENTRIES: &[Entry] = &[
    entry!("teaching/political_transfers", true),
    entry!("teaching/rotation_and_collusion", true),
    entry!("teaching/merit_vs_patronage", true),
    entry!("teaching/honest_appraisals", true),
    entry!("teaching/accountability_bites", true),
    entry!("pakistan_baseline", false),
    entry!("merit_recruitment", false),
    entry!("merit_promotion", false),
    entry!("tenure_security", false),
    entry!("pay_decompression", false),
    entry!("depoliticised_postings", false),
    entry!("accountability_reform", false),
    entry!("e_governance", false),
    entry!("specialist_tracks", false),
    entry!("ncgr_2008", false),
    entry!("task_force_2020", false),
    entry!("smart_civil_service_2025", false),
    entry!("kp_sustainability", false),
];

/// Files of `scenarios/` deliberately not on the page (see [`ENTRIES`]).
pub const LEFT_OUT: &[&str] = &["pakistan_national", "classics/peter_principle"];

/// Limits on what one request may ask for.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Limits {
    pub max_replicates: u32,
    pub max_years: u32,
    pub max_concurrent_runs: usize,
    /// Officers at the start × replicates × (years + warm-up years) × arms.
    pub max_officer_years: u64,
    pub max_body_bytes: usize,
    /// The default replicates keep one arm's run under this many officer-years.
    pub default_officer_years: u64,
}

pub const LIMITS: Limits = Limits {
    max_replicates: 20,
    max_years: 100,
    max_concurrent_runs: 2,
    max_officer_years: 40_000_000,
    max_body_bytes: 64 * 1024,
    default_officer_years: 4_500_000,
};

/// How a lever is set on the page.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum LeverKind {
    /// A slider from `min` to `max` by `step`.
    Number { min: f64, max: f64, step: f64 },
    /// A switch.
    Bool,
    /// A drop-down of strings.
    Choice(&'static [&'static str]),
}

/// A scenario key the page offers as a slider, switch or drop-down.
pub struct Lever {
    pub key: &'static str,
    pub group: &'static str,
    pub label: &'static str,
    pub about: &'static str,
    pub unit: &'static str,
    pub kind: LeverKind,
    /// The switches (boolean scenario keys) the lever's mechanism needs:
    /// where one is off, the lever does nothing, so the page does not
    /// offer it and a request that sets it is refused (an instructor's
    /// audit: "Political interference" was offered at 0.70 in a demo with
    /// politics off, and moving it changed nothing).
    pub needs: &'static [&'static str],
}

/// The groups of levers, as in the model.
pub const GROUPS: &[(&str, &str, &str)] = &[
    (
        "recruitment",
        "Recruitment",
        "Who enters the service: by exam on merit, by regional quota, or by patronage.",
    ),
    (
        "training",
        "Training",
        "Induction, mid-career and senior courses, and refreshers that renew expertise.",
    ),
    (
        "postings",
        "Postings",
        "How long officers stay in a post and where they are sent next.",
    ),
    (
        "promotion",
        "Promotion and appraisal",
        "How boards rank candidates and how honest the annual appraisals are.",
    ),
    (
        "pay",
        "Pay",
        "Public pay against the private market: who stays, who leaves, morale.",
    ),
    (
        "politics",
        "Politics",
        "How far politicians reach into postings, promotions, appraisals and inquiries.",
    ),
    (
        "accountability",
        "Accountability",
        "Whether the corrupt are caught and convicted, and whether enforcement is political.",
    ),
    (
        "transparency",
        "Transparency",
        "E-governance and citizen grievance channels: less rent, more detection.",
    ),
];

const fn num(min: f64, max: f64, step: f64) -> LeverKind {
    LeverKind::Number { min, max, step }
}

/// The levers. Ranges lie within the scenario checks (docs/scenarios.md),
/// so a value the page allows fails only on a combination (for example
/// merit and patronage shares above 1 together).
pub const LEVERS: &[Lever] = &[
    Lever {
        key: "recruitment.merit_share",
        group: "recruitment",
        label: "Open-merit seats",
        about: "Share of entry seats filled by national exam rank; the rest go to regional quotas (and patronage).",
        unit: "share",
        kind: num(0.0, 1.0, 0.05),
        needs: &["recruitment.enabled"],
    },
    Lever {
        key: "recruitment.patronage_share",
        group: "recruitment",
        label: "Patronage appointments",
        about: "Share of entrants appointed without the exam: less able, less honest, better connected. Quota seats make up the rest.",
        unit: "share",
        kind: num(0.0, 1.0, 0.05),
        needs: &["recruitment.enabled"],
    },
    Lever {
        key: "training.enabled",
        group: "training",
        label: "Training",
        about: "Induction and courses; off also drops the courses required for promotion.",
        unit: "",
        kind: LeverKind::Bool,
        needs: &[],
    },
    Lever {
        key: "training.induction_months",
        group: "training",
        label: "Induction",
        about: "Months of training before a recruit's first post.",
        unit: "months",
        kind: num(0.0, 24.0, 1.0),
        needs: &["training.enabled"],
    },
    Lever {
        key: "training.refresher_interval_years",
        group: "training",
        label: "Refresher every",
        about: "Years between refresher courses that renew expertise in the current post (0 = none).",
        unit: "years",
        kind: num(0.0, 10.0, 1.0),
        needs: &["training.enabled"],
    },
    Lever {
        key: "postings.tenure_months",
        group: "postings",
        label: "Nominal tenure",
        about: "Months in a post before regular rotation moves the officer on.",
        unit: "months",
        kind: num(6.0, 72.0, 6.0),
        needs: &["postings.enabled"],
    },
    Lever {
        key: "postings.tenure_protection",
        group: "postings",
        label: "Tenure protection",
        about: "Share of premature political transfers blocked, e.g. by an enforced minimum tenure.",
        unit: "share",
        kind: num(0.0, 1.0, 0.05),
        needs: &["postings.enabled", "politics.enabled"],
    },
    Lever {
        key: "postings.rule",
        group: "postings",
        label: "Posting rule",
        about: "Where rotation sends an officer: any ministry (generalist), within the sector cluster (specialist), or where expertise is highest (best_match).",
        unit: "",
        kind: LeverKind::Choice(&crate::model::postings::RULES),
        needs: &["postings.enabled"],
    },
    Lever {
        key: "promotion.rule",
        group: "promotion",
        label: "Promotion rule",
        about: "How boards rank candidates for selection grades: weighted marks, seniority, or true competence (best, worst, random: classic thought experiments).",
        unit: "",
        kind: LeverKind::Choice(&crate::model::promotion::RULES),
        needs: &["promotion.enabled"],
    },
    Lever {
        key: "promotion.board_skip_probability",
        group: "promotion",
        label: "Boards skipped",
        about: "Chance that a scheduled promotion board does not meet.",
        unit: "probability",
        kind: num(0.0, 1.0, 0.05),
        needs: &["promotion.enabled"],
    },
    Lever {
        key: "promotion.appraisal_threshold",
        group: "promotion",
        label: "Appraisal bar for promotion",
        about: "Minimum mean appraisal score to be considered by a board; inflated scores make any bar meaningless, honest ones make a bar of 6 shut out most officers.",
        unit: "score 0-10",
        kind: num(0.0, 10.0, 0.5),
        needs: &["promotion.enabled", "appraisal.enabled"],
    },
    Lever {
        key: "appraisal.inflation",
        group: "promotion",
        label: "Appraisal inflation",
        about: "Leniency of annual reports: share of the gap to a perfect score added to everyone.",
        unit: "share",
        kind: num(0.0, 1.0, 0.05),
        needs: &["appraisal.enabled"],
    },
    Lever {
        key: "appraisal.objective_pm",
        group: "promotion",
        label: "Objective performance management",
        about: "Measured targets and calibrated raters: less noise, inflation and favouritism in appraisals. Lower the Appraisal bar with it (to about 4): honest scores fall below a bar of 6 and promotions all but stop.",
        unit: "",
        kind: LeverKind::Bool,
        needs: &["appraisal.enabled"],
    },
    Lever {
        key: "pay.compression",
        group: "pay",
        label: "Pay ratio top to entry",
        about: "Basic pay of the top grade over the entry grade; a low ratio pays senior officers far below the market.",
        unit: "ratio",
        kind: num(1.0, 8.0, 0.1),
        needs: &[],
    },
    Lever {
        key: "pay.level",
        group: "pay",
        label: "Pay level",
        about: "All public pay relative to today (1 = no change; the private market does not move).",
        unit: "× today",
        kind: num(0.5, 2.0, 0.05),
        needs: &[],
    },
    Lever {
        key: "pay.pay_for_performance",
        group: "pay",
        label: "Pay for performance",
        about: "Share of pay that moves up or down with the appraisal record, against the service's mean record: it moves pay between officers rather than the wage bill.",
        unit: "share",
        kind: num(0.0, 0.5, 0.05),
        needs: &["appraisal.enabled"],
    },
    Lever {
        key: "politics.interference",
        group: "politics",
        label: "Political interference",
        about: "How far politicians reach into postings, promotions, appraisals and inquiries (0 none, 1 total).",
        unit: "0-1",
        kind: num(0.0, 1.0, 0.05),
        needs: &["politics.enabled"],
    },
    Lever {
        key: "politics.protection",
        group: "politics",
        label: "Protection of the connected",
        about: "How far political connections shield an officer from detection.",
        unit: "0-1",
        kind: num(0.0, 1.0, 0.05),
        needs: &["politics.enabled"],
    },
    Lever {
        key: "politics.election_cycle_years",
        group: "politics",
        label: "Election cycle",
        about: "Years between general elections; a change of government brings a wave of transfers.",
        unit: "years",
        kind: num(2.0, 10.0, 1.0),
        needs: &["politics.enabled"],
    },
    Lever {
        key: "accountability.detection_rate",
        group: "accountability",
        label: "Detection rate",
        about: "Yearly rate (a hazard) at which a corrupt officer is detected, before e-governance, grievances and political protection: 0.4 a year detects about a third of them in a year.",
        unit: "per year",
        kind: num(0.0, 0.6, 0.01),
        needs: &["accountability.enabled"],
    },
    // A lever since 2026-12-06: two reform packages (accountability_bites,
    // accountability_reform) move it beside the other accountability
    // levers, and without it neither opened on the sliders.
    Lever {
        key: "accountability.decided_share",
        group: "accountability",
        label: "Cases decided",
        about: "Share of inquiries that reach a verdict once the months to a verdict have passed; the rest close undecided and the officer goes back to work.",
        unit: "share",
        kind: num(0.0, 1.0, 0.05),
        needs: &["accountability.enabled"],
    },
    Lever {
        key: "accountability.conviction_rate",
        group: "accountability",
        label: "Conviction rate",
        about: "Chance that a decided case against a corrupt officer ends in conviction (see Cases decided).",
        unit: "probability",
        kind: num(0.0, 1.0, 0.05),
        needs: &["accountability.enabled"],
    },
    Lever {
        key: "accountability.selective_enforcement",
        group: "accountability",
        label: "Selective enforcement",
        about: "How far inquiries are aimed at the unconnected rather than the corrupt, a political use of the agencies; honest officers learn to avoid decisions.",
        unit: "0-1",
        kind: num(0.0, 1.0, 0.05),
        needs: &["accountability.enabled", "politics.enabled"],
    },
    Lever {
        key: "accountability.whistleblower_protection",
        group: "accountability",
        label: "Whistle-blower protection",
        about: "Protection for those who report bribery; raises detection.",
        unit: "0-1",
        kind: num(0.0, 1.0, 0.05),
        needs: &["accountability.enabled"],
    },
    Lever {
        key: "accountability.judicial_delay_months",
        group: "accountability",
        label: "Months to a verdict",
        about: "Months from detection to verdict; officers under inquiry wait without a post.",
        unit: "months",
        kind: num(0.0, 60.0, 3.0),
        needs: &["accountability.enabled"],
    },
    Lever {
        key: "transparency.egov_target",
        group: "transparency",
        label: "E-governance target",
        about: "Coverage of file tracking and digital services the government works towards: cuts rents and raises detection.",
        unit: "0-1",
        kind: num(0.0, 1.0, 0.05),
        needs: &["transparency.enabled"],
    },
    Lever {
        key: "transparency.adoption_speed",
        group: "transparency",
        label: "Adoption speed",
        about: "How fast coverage moves towards the target (yearly rate).",
        unit: "per year",
        kind: num(0.0, 2.0, 0.05),
        needs: &["transparency.enabled"],
    },
    Lever {
        key: "transparency.grievance",
        group: "transparency",
        label: "Grievance channels",
        about: "Strength of citizen complaint channels: raises detection and trust.",
        unit: "0-1",
        kind: num(0.0, 1.0, 0.05),
        needs: &["transparency.enabled"],
    },
];

/// A chart of the page: the metrics it draws (mean line and band each), or
/// headcount by grade.
pub struct PageChart {
    pub id: &'static str,
    pub title: &'static str,
    pub unit: &'static str,
    pub about: &'static str,
    pub metrics: &'static [&'static str],
    pub grades: bool,
}

pub const CHARTS: &[PageChart] = &[
    PageChart {
        id: "quality",
        title: "Workforce quality",
        unit: "score 0-10",
        about: "Mean competence of officers at their own grade, and their mean latent ability: who is recruited, what they learn, who is promoted and who leaves.",
        metrics: &["mean_competence", "mean_ability"],
        grades: false,
    },
    PageChart {
        id: "corruption",
        title: "Corruption",
        unit: "share of officers",
        about: "Share of officers taking bribes at year end, overall and in posts with high rent.",
        metrics: &["corruption_prevalence", "corruption_in_rent_posts"],
        grades: false,
    },
    PageChart {
        id: "efficiency",
        title: "Service delivery",
        unit: "index 0-100",
        about: "What the posts deliver (0 when vacant) against every post held by a perfectly competent officer.",
        metrics: &["efficiency"],
        grades: false,
    },
    PageChart {
        id: "tenure",
        title: "Tenure in post",
        unit: "months",
        about: "How long the postings that ended in the year lasted, against the nominal tenure in force; and the months officers had spent in their current post at the year's end, a snapshot of postings under way (about half their length).",
        metrics: &[
            "mean_completed_tenure",
            "mean_months_in_post",
            "nominal_tenure_months",
        ],
        grades: false,
    },
    PageChart {
        id: "promotion",
        title: "Promotion",
        unit: "",
        about: "Whether boards pick those most competent at the next grade (rank correlation of their ranking with that competence: 1 always the best, 0 no better than chance), and eligible officers passed over for someone junior each year.",
        metrics: &["promotion_rank_correlation", "supersessions"],
        grades: false,
    },
    PageChart {
        id: "grades",
        title: "Headcount by grade",
        unit: "officers",
        about: "Officers in each grade (mean over replicates); the gap to the sanctioned posts is the vacancy rate.",
        metrics: &[],
        grades: true,
    },
];

/// Metrics of the year-20 table: the main metrics of every report
/// (`experiment::spec::MAIN_METRICS`), then these (the boards' rank
/// correlation and the Peter effect for the "Honest appraisals" demo: the
/// first, its headline, had no row to star, an instructor's audit,
/// 2026-12-06; no chart draws the second).
const MORE_TABLE_METRICS: &[&str] = &[
    "public_trust",
    "rent_taken",
    "promotion_rank_correlation",
    "peter_effect",
];

/// The year-20 table's metrics, in order.
pub fn table_metrics() -> impl Iterator<Item = &'static str> {
    crate::experiment::spec::MAIN_METRICS
        .iter()
        .chain(MORE_TABLE_METRICS)
        .copied()
}

/// The label the page shows for a metric: the one reports and plots use.
pub fn metric_label(name: &str) -> &str {
    crate::metrics::label(name)
}

/// Every metric streamed each year: the charts' and the table's, once each,
/// as indices into [`METRICS`].
pub fn streamed_metrics() -> &'static [usize] {
    static CELL: OnceLock<Vec<usize>> = OnceLock::new();
    CELL.get_or_init(|| {
        let mut out: Vec<usize> = Vec::new();
        let names = CHARTS
            .iter()
            .flat_map(|c| c.metrics.iter().copied())
            .chain(table_metrics());
        for name in names {
            let m = metric_index(name).expect("page metric exists");
            if !out.contains(&m) {
                out.push(m);
            }
        }
        out
    })
}

/// Something to try with a library scenario, shown under the picker and
/// in the page's About panel. `text` names what to look at only by
/// references to what is on the page, resolved by [`Demo::parts`]:
/// `{chart:ID}` (a chart of [`CHARTS`], shown by its title) and
/// `{row:METRIC}` (a row of the results table, shown by its label), so
/// that a demo never sends students to a file or a column name. `set` is
/// what the page's "Set it up" button puts on the levers.
pub struct Demo {
    pub scenario: &'static str,
    pub text: &'static str,
    pub set: &'static [(&'static str, f64)],
}

pub const DEMOS: &[Demo] = &[
    Demo {
        scenario: "teaching/political_transfers",
        text: "Political interference is set to 0.9 from year 5 (its status-quo value, 0.3, is marked on the slider). Press Compare with baseline: {chart:tenure} and {chart:efficiency} fall against a service left alone (look for the stars in the results table). {chart:corruption} rises too, by a few points. Push interference to 1.0 and compare again: time in post and delivery fall further, but does corruption rise further? Another time, add Tenure protection (Postings) at 0.9: postings lengthen again, but what happens to corruption?",
        set: &[("postings.tenure_protection", 0.9)],
    },
    Demo {
        scenario: "teaching/rotation_and_collusion",
        text: "Nominal tenure is cut to 12 months from year 5. Press Compare with baseline: bribe-taking falls in {chart:corruption} (collusion has no time to build) but {chart:efficiency} falls and stays lower (officers keep learning new posts). Then try 36 months: which would you choose?",
        set: &[("postings.tenure_months", 36.0)],
    },
    Demo {
        scenario: "teaching/merit_vs_patronage",
        text: "From year 5, 60% of entrants are patronage appointments. Press Compare with baseline: {chart:quality} falls slowly, as cohorts turn over, and {chart:corruption} rises. Then raise the Detection rate (Accountability) to 0.4 as well: corruption falls, but does {chart:efficiency} come back?",
        set: &[("accountability.detection_rate", 0.4)],
    },
    Demo {
        scenario: "teaching/honest_appraisals",
        text: "Objective performance management and a lower Appraisal bar for promotion (both under Promotion and appraisal) from year 5. The other charts move little here: the change is in who gets promoted. Press Compare with baseline and look at {chart:promotion}: do the boards now pick those competent at the next grade more often? The row {row:promotion_rank_correlation} in the results table says whether the difference is clear. Then find {row:peter_effect} in the results table: promoted officers still lose competence, since doing one job well is not the same as doing the next.",
        set: &[],
    },
    Demo {
        scenario: "teaching/accountability_bites",
        text: "From year 5 detection rises to 0.4 a year and every case is decided, 60% of them in a conviction: on the sliders Detection rate 0.4, Cases decided 1.0 (from 0.48) and Conviction rate 0.6 (from 0.73 of the decided cases), so that 60% of inquiries end in conviction instead of 35%. Press Compare with baseline: bribe-taking in {chart:corruption} falls over a few years once detection is real. Then raise the Pay level (Pay) to 1.5 as well: a better-paid job is worth more to keep, so fewer risk it.",
        set: &[("pay.level", 1.5)],
    },
    Demo {
        scenario: "pakistan_baseline",
        text: "Move Political interference from 0.7 to 0.9 and compare with the baseline: {chart:tenure} and {chart:efficiency} fall, {chart:corruption} rises a little (a big service: a few seconds with its 3 replicates, less when you compare again with another value; with 3 replicates the intervals are wider than in the small demos, yet these three differences are clear: look for the stars).",
        set: &[("politics.interference", 0.9)],
    },
];

/// A piece of a demo's text: plain text, a chart or a table row.
#[derive(Clone, Debug, PartialEq)]
pub enum DemoPart {
    Text(&'static str),
    /// A chart's id and title.
    Chart(&'static str, &'static str),
    /// A table metric and its label.
    Row(&'static str, &'static str),
}

impl Demo {
    /// The text split at its references, each resolved; an error names a
    /// reference to nothing on the page.
    pub fn parts(&self) -> Result<Vec<DemoPart>, String> {
        let mut parts = Vec::new();
        let mut rest = self.text;
        while let Some(open) = rest.find('{') {
            if open > 0 {
                parts.push(DemoPart::Text(&rest[..open]));
            }
            let close = rest[open..]
                .find('}')
                .ok_or_else(|| format!("{}: an unclosed `{{` in its text", self.scenario))?
                + open;
            let reference = &rest[open + 1..close];
            let part = match reference.split_once(':') {
                Some(("chart", id)) => CHARTS
                    .iter()
                    .find(|c| c.id == id)
                    .map(|c| DemoPart::Chart(c.id, c.title)),
                Some(("row", metric)) => table_metrics()
                    .find(|m| *m == metric)
                    .map(|m| DemoPart::Row(m, metric_label(m))),
                _ => None,
            };
            parts.push(part.ok_or_else(|| {
                format!(
                    "{}: `{{{reference}}}` is neither a chart ({}) nor a row of the results table ({})",
                    self.scenario,
                    CHARTS.iter().map(|c| c.id).collect::<Vec<_>>().join(", "),
                    table_metrics().collect::<Vec<_>>().join(", ")
                )
            })?);
            rest = &rest[close + 1..];
        }
        if !rest.is_empty() {
            parts.push(DemoPart::Text(rest));
        }
        Ok(parts)
    }

    /// As the page's library gives it: `{"parts": [...], "set": {...}}`.
    fn to_json(&self) -> Json {
        let parts: Vec<Json> = self
            .parts()
            .unwrap_or_else(|e| panic!("demo text: {e}"))
            .into_iter()
            .map(|p| match p {
                DemoPart::Text(t) => json!({"text": t}),
                DemoPart::Chart(id, title) => json!({"chart": id, "text": title}),
                DemoPart::Row(metric, label) => json!({"row": metric, "text": label}),
            })
            .collect();
        let set: serde_json::Map<String, Json> = self
            .set
            .iter()
            .map(|(k, v)| (k.to_string(), json!(v)))
            .collect();
        json!({"parts": parts, "set": set})
    }
}

/// The demo of the library scenario with this id, if it has one.
pub fn demo(scenario: &str) -> Option<&'static Demo> {
    DEMOS.iter().find(|d| d.scenario == scenario)
}

/// A library scenario, parsed and validated once.
pub struct Loaded {
    pub entry: &'static Entry,
    pub scenario: Scenario,
    pub officers: u64,
}

/// The library, parsed at first use. A file that does not load is a bug
/// in the build (tests load every one), reported by panicking.
pub fn loaded() -> &'static [Loaded] {
    static CELL: OnceLock<Vec<Loaded>> = OnceLock::new();
    CELL.get_or_init(|| {
        ENTRIES
            .iter()
            .map(|e| {
                let origin = format!("scenarios/{}.toml", e.id);
                let mut s = Scenario::from_toml(e.text, &origin)
                    .unwrap_or_else(|err| panic!("embedded {origin}: {err}"));
                if s.name.is_empty() {
                    s.name = e.id.rsplit('/').next().unwrap_or(e.id).to_string();
                }
                s.validate(&origin)
                    .unwrap_or_else(|err| panic!("embedded {origin}: {err}"));
                let officers = (0..s.structure.grades.len())
                    .map(|g| s.structure.initial_officers(g) as u64)
                    .sum();
                Loaded {
                    entry: e,
                    scenario: s,
                    officers,
                }
            })
            .collect()
    })
}

/// The library scenario with this id.
pub fn find(id: &str) -> Option<&'static Loaded> {
    loaded().iter().find(|l| l.entry.id == id)
}

/// The lever with this key.
pub fn lever(key: &str) -> Option<&'static Lever> {
    LEVERS.iter().find(|l| l.key == key)
}

impl Loaded {
    /// Replicates a page run starts with: the scenario's, fewer when one arm
    /// would exceed [`Limits::default_officer_years`] (at least 2, so that
    /// the charts have a band).
    pub fn default_replicates(&self) -> u32 {
        let s = &self.scenario.sim;
        let per_rep = self.officers.max(1) * (s.years + s.warmup_years) as u64;
        let fit = (LIMITS.default_officer_years / per_rep).max(2) as u32;
        s.replicates.min(fit).min(LIMITS.max_replicates)
    }

    /// Year of the page's reform: when the scenario's first reform is fully
    /// in (its year plus its ramp), or 5 when it has none.
    pub fn default_reform_year(&self) -> f64 {
        self.scenario
            .reforms
            .iter()
            .min_by(|a, b| a.year.total_cmp(&b.year))
            .map_or(5.0, |r| r.year + r.ramp_years)
            .min(self.scenario.sim.years as f64 - 1.0)
            .max(0.0)
    }

    /// The scenario's own reforms as lever settings, when they can be: one
    /// reform year, no ramp, reversal or morale shock, and only lever keys
    /// (the quota share goes with the merit and patronage shares, as on the
    /// page). A teaching demo then opens with its change on the sliders and
    /// its own reforms off, so that "Compare with baseline" shows the demo's
    /// effect against the status quo.
    pub fn preset(&self) -> Option<(f64, serde_json::Map<String, Json>)> {
        let reforms = &self.scenario.reforms;
        let year = reforms.first()?.year;
        let mut levers = serde_json::Map::new();
        for r in reforms {
            if r.year != year
                || r.ramp_years != 0.0
                || r.reversal_hazard != 0.0
                || r.morale_shock != 0.0
            {
                return None;
            }
            for (key, value) in crate::paths::flatten(&r.set) {
                if lever(&key).is_some() {
                    levers.insert(key, toml_to_json(&value));
                } else if key != "recruitment.quota_share" {
                    return None;
                }
            }
        }
        Some((year, levers))
    }

    /// Each switch a lever needs ([`Lever::needs`]), on or off in the
    /// scenario ([`switch_on`] at year 0).
    pub fn switches(&self) -> serde_json::Map<String, Json> {
        let tree = toml::Value::try_from(&self.scenario).expect("scenario serialises");
        let mut out = serde_json::Map::new();
        for n in LEVERS.iter().flat_map(|l| l.needs) {
            out.insert(n.to_string(), json!(switch_on(&self.scenario, &tree, n)));
        }
        out
    }

    /// Each lever's value in the scenario at year 0.
    pub fn lever_values(&self) -> serde_json::Map<String, Json> {
        let tree = toml::Value::try_from(&self.scenario).expect("scenario serialises");
        LEVERS
            .iter()
            .map(|l| {
                let v = crate::paths::get(&tree, l.key).expect("lever key exists");
                (l.key.to_string(), toml_to_json(v))
            })
            .collect()
    }
}

/// Whether the switch `key` (a boolean key of `scn`) is on in `tree` (the
/// scenario as it stands, at year 0 or at a reform year) or turned on by
/// one of the scenario's reforms: only then can a lever that needs it act.
pub fn switch_on(scn: &Scenario, tree: &toml::Value, key: &str) -> bool {
    crate::paths::get(tree, key)
        .ok()
        .and_then(toml::Value::as_bool)
        .unwrap_or(true)
        || scn.reforms.iter().any(|r| {
            crate::paths::flatten(&r.set)
                .iter()
                .any(|(p, v)| p == key && v.as_bool() == Some(true))
        })
}

fn toml_to_json(v: &toml::Value) -> Json {
    match v {
        toml::Value::Boolean(b) => json!(b),
        toml::Value::Integer(i) => json!(i),
        toml::Value::Float(f) => json!(f),
        toml::Value::String(s) => json!(s),
        other => json!(other.to_string()),
    }
}

/// `GET /api/library`: the limits, groups, levers, charts, metrics and
/// scenarios, as documented in docs/serve.md.
pub fn library_json() -> Json {
    let groups: Vec<Json> = GROUPS
        .iter()
        .map(|(id, label, about)| json!({"id": id, "label": label, "about": about}))
        .collect();
    let levers: Vec<Json> = LEVERS
        .iter()
        .map(|l| {
            let mut o = json!({
                "key": l.key, "group": l.group, "label": l.label,
                "about": l.about, "unit": l.unit, "needs": l.needs,
            });
            match l.kind {
                LeverKind::Number { min, max, step } => {
                    o["kind"] = json!("number");
                    o["min"] = json!(min);
                    o["max"] = json!(max);
                    o["step"] = json!(step);
                }
                LeverKind::Bool => o["kind"] = json!("bool"),
                LeverKind::Choice(c) => {
                    o["kind"] = json!("choice");
                    o["choices"] = json!(c);
                }
            }
            o
        })
        .collect();
    let charts: Vec<Json> = CHARTS
        .iter()
        .map(|c| {
            json!({"id": c.id, "title": c.title, "unit": c.unit, "about": c.about,
                   "metrics": c.metrics, "grades": c.grades})
        })
        .collect();
    let metrics: Vec<Json> = streamed_metrics()
        .iter()
        .map(|&m| {
            let d = &METRICS[m];
            json!({"name": d.name, "label": metric_label(d.name), "unit": d.unit, "about": d.about})
        })
        .collect();
    let scenarios: Vec<Json> = loaded()
        .iter()
        .map(|l| {
            let s = &l.scenario;
            let reforms: Vec<Json> = s
                .reforms
                .iter()
                .map(|r| json!({"year": r.year, "label": r.label}))
                .collect();
            json!({
                "id": l.entry.id, "name": s.name, "title": s.display_title(), "description": s.description,
                "teaching": l.entry.teaching, "officers": l.officers,
                "replicates": s.sim.replicates, "years": s.sim.years,
                "warmup_years": s.sim.warmup_years,
                "default_replicates": l.default_replicates(),
                "default_reform_year": l.default_reform_year(),
                "values": l.lever_values(), "switches": l.switches(), "reforms": reforms,
                "preset": l.preset().map(|(year, levers)| json!({"reform_year": year, "levers": levers})),
                "try": demo(l.entry.id).map(Demo::to_json),
            })
        })
        .collect();
    json!({
        "version": env!("CARGO_PKG_VERSION"),
        "limits": LIMITS,
        "groups": groups,
        "levers": levers,
        "charts": charts,
        "metrics": metrics,
        "scenarios": scenarios,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every switch a lever needs is a boolean key of the scenario, and no
    /// demo's preset or suggestion moves a lever that does nothing in its
    /// scenario (an instructor's audit: the politics levers in a demo
    /// with politics off).
    #[test]
    fn a_lever_needs_only_switches_and_every_demo_uses_live_levers() {
        let tree = toml::Value::try_from(Scenario::default()).expect("serialises");
        for l in LEVERS {
            for n in l.needs {
                let v =
                    crate::paths::get(&tree, n).unwrap_or_else(|e| panic!("{}: {n}: {e}", l.key));
                assert!(v.as_bool().is_some(), "{}: `{n}` is not a switch", l.key);
            }
        }
        let mut off_somewhere = 0;
        for loaded in loaded() {
            let switches = loaded.switches();
            let live = |key: &str| {
                lever(key)
                    .expect("a lever")
                    .needs
                    .iter()
                    .all(|n| switches[*n] == json!(true))
            };
            off_somewhere += LEVERS.iter().filter(|l| !live(l.key)).count();
            if let Some((_, levers)) = loaded.preset() {
                for key in levers.keys() {
                    assert!(live(key), "{}: preset moves `{key}`", loaded.entry.id);
                }
            }
            if let Some(d) = demo(loaded.entry.id) {
                for (key, _) in d.set {
                    assert!(live(key), "{}: its demo sets `{key}`", loaded.entry.id);
                }
            }
        }
        // The library has a demo with politics off: its politics levers.
        assert!(off_somewhere >= 4, "{off_somewhere}");
    }

    /// A demo that sent students to `timeseries.csv` for a column
    /// (`promotion_rank_correlation`) is what this guards against: a demo
    /// names only charts, table rows and levers, which are on the page.
    #[test]
    fn every_demo_names_only_what_is_on_the_page() {
        for e in ENTRIES.iter().filter(|e| e.teaching) {
            assert!(
                demo(e.id).is_some(),
                "teaching demo {} has nothing to try",
                e.id
            );
        }
        for d in DEMOS {
            assert!(
                ENTRIES.iter().any(|e| e.id == d.scenario),
                "demo for {}, which is not on the page",
                d.scenario
            );
            let parts = d.parts().unwrap_or_else(|e| panic!("{e}"));
            assert!(
                parts.iter().any(|p| !matches!(p, DemoPart::Text(_))),
                "{}: its text points at no chart or table row",
                d.scenario
            );
            for p in &parts {
                let DemoPart::Text(t) = p else { continue };
                assert!(
                    !t.contains('{') && !t.contains('}'),
                    "{}: {t:?}",
                    d.scenario
                );
                for word in t.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
                {
                    let word = word.trim_matches('.');
                    assert!(
                        !word.contains('_') && !word.ends_with(".csv") && !word.ends_with(".toml"),
                        "{}: `{word}` is a file or column name, not something on the page",
                        d.scenario
                    );
                }
            }
            for (key, value) in d.set {
                let l = lever(key).unwrap_or_else(|| panic!("{}: `{key}` is no lever", d.scenario));
                let LeverKind::Number { min, max, .. } = l.kind else {
                    panic!("{}: `{key}` is not a number lever", d.scenario)
                };
                assert!(
                    (min..=max).contains(value),
                    "{}: {key} = {value}",
                    d.scenario
                );
            }
        }
    }

    #[test]
    fn a_reference_to_nothing_on_the_page_is_an_error() {
        let bad = Demo {
            scenario: "x",
            text: "See {chart:promotion} and {row:supersessions}.",
            set: &[],
        };
        let err = bad.parts().unwrap_err();
        assert!(err.contains("{row:supersessions}"), "{err}");
        let unclosed = Demo {
            scenario: "x",
            text: "See {chart:promotion",
            set: &[],
        };
        assert!(unclosed.parts().unwrap_err().contains("unclosed"));
        let good = Demo {
            scenario: "x",
            text: "See {chart:promotion}, then {row:peter_effect}.",
            set: &[],
        };
        assert_eq!(
            good.parts().unwrap(),
            [
                DemoPart::Text("See "),
                DemoPart::Chart("promotion", "Promotion"),
                DemoPart::Text(", then "),
                DemoPart::Row("peter_effect", crate::metrics::label("peter_effect")),
                DemoPart::Text("."),
            ]
        );
    }

    #[test]
    fn every_chart_metric_is_streamed_and_has_a_label() {
        for c in CHARTS {
            for m in c.metrics {
                assert!(metric_index(m).is_some(), "chart {}: no metric {m}", c.id);
                assert_ne!(metric_label(m), *m, "chart {}: {m} has no label", c.id);
                assert!(streamed_metrics().contains(&metric_index(m).unwrap()));
            }
        }
        let promotion = CHARTS
            .iter()
            .find(|c| c.id == "promotion")
            .expect("a promotion chart");
        assert_eq!(
            promotion.metrics,
            ["promotion_rank_correlation", "supersessions"]
        );
    }
}
