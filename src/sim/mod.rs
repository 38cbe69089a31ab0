//! The simulation engine: the schedule of a step and of a year, the
//! chunked parallel pass over officers and its streams, and the replicate
//! runner. What each mechanism does is in `crate::model`.

#[cfg(test)]
mod observer_reference;
pub mod pass;
pub mod runner;
pub mod step;
pub mod timing;
