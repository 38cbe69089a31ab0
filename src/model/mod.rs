//! The model: officer and post storage, and one module per mechanism, each
//! with its own parameter table and on/off switch. See docs/model.md.

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
