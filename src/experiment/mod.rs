//! Experiments over scenarios: ensembles of replicates today; comparison,
//! sweeps and sensitivity analysis build on [`ensemble`].

pub mod analysis;
pub mod ensemble;
pub mod plan;
pub mod sensitivity;
pub mod spec;
pub mod store;
pub mod validation;
