//! Writing results: the tables, summaries, plots and reports of runs and
//! experiments. Every file goes through [`crate::staging`], which writes into
//! a temporary place and moves it into place only when complete.

pub mod calibration;
pub mod chart;
pub mod csv;
pub mod figures;
pub mod json;
pub mod number;
pub mod report;
pub mod validation;
