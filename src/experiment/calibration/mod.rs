//! Calibration: targets as data ([`targets`]) and how far a scenario's
//! runs are from them.

pub mod targets;
