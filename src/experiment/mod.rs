//! Experiments over scenarios: ensembles of replicates today; comparison,
//! sweeps and sensitivity analysis build on [`ensemble`].

pub mod ensemble;
pub mod validation;
