//! The model: officer and post storage, and one module per mechanism, each
//! with its own parameter table and on/off switch. See docs/model.md.

/// Each mechanism's on/off switch (a scenario key) and its name: what
/// `compare --decompose` switches off in turn, in the order of
/// docs/model.md §7.
pub const MECHANISM_SWITCHES: &[(&str, &str)] = &[
    ("ageing.learning", "on-the-job learning"),
    ("work.enabled", "performance modifiers"),
    ("corruption.enabled", "corruption"),
    ("accountability.enabled", "accountability"),
    ("postings.enabled", "postings and transfers"),
    ("posting_market.enabled", "market for postings"),
    ("training.enabled", "training"),
    ("appraisal.enabled", "appraisal"),
    ("promotion.enabled", "promotion"),
    ("pay.morale", "morale"),
    ("exits.enabled", "voluntary and compulsory exits"),
    ("recruitment.enabled", "recruitment"),
    ("politics.enabled", "politics"),
    ("transparency.enabled", "transparency"),
    ("trust.enabled", "public trust"),
];

pub mod accountability;
pub mod ageing;
pub mod appraisal;
pub mod check;
pub mod corruption;
pub mod exits;
pub mod hazard;
pub mod init;
pub mod morale;
pub mod params;
pub mod pay;
pub mod politics;
pub mod population;
pub mod posting_market;
pub mod postings;
pub mod posts;
pub mod promotion;
pub mod recruitment;
pub mod reforms;
pub mod structure;
pub mod training;
pub mod transparency;
pub mod trust;
pub mod work;
pub mod world;
