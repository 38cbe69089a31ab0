//! bureausim: an agent-based simulator of civil-service reform.
//!
//! Officers are recruited, trained, posted and rotated, appraised, promoted,
//! paid, tempted by corruption, caught or protected, and retire or leave,
//! under the policies a TOML scenario sets. See docs/model.md for the model
//! and docs/scenarios.md for the scenario keys.

#[macro_use]
pub mod console;
pub mod cli;
pub mod error;
pub mod experiment;
pub mod input;
pub mod metrics;
pub mod model;
pub mod output;
pub mod paths;
pub mod rng;
pub mod scenario;
pub mod serve;
pub mod sim;
pub mod staging;
pub mod version;
