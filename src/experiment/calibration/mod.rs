//! Calibration: targets as data ([`targets`]) and how far a scenario's
//! runs are from them; approximate Bayesian computation by sequential
//! Monte Carlo ([`abc`]), the fitting engine; and a calibration run over
//! the simulator, journalled so that it resumes ([`run`]).

pub mod abc;
pub mod run;
pub mod targets;
