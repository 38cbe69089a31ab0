//! Calibration: targets as data ([`targets`]) and how far a scenario's
//! runs are from them; approximate Bayesian computation by sequential
//! Monte Carlo ([`abc`]), the fitting engine.

pub mod abc;
pub mod targets;
