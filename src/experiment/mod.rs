//! Experiments over scenarios: a run's replicates ([`ensemble`]); the
//! experiment file and flags ([`spec`]); the runs of a comparison, sweep or
//! sensitivity analysis ([`plan`]), run, stored and resumed ([`store`]) and
//! analysed ([`analysis`], [`sensitivity`]); the checks of the model
//! against published findings ([`validation`]); and calibration targets
//! ([`calibration`]).

pub mod analysis;
pub mod calibration;
pub mod ensemble;
pub mod plan;
pub mod sensitivity;
pub mod spec;
pub mod store;
pub mod validation;
