//! The simulation engine: random streams, the world state, the step
//! schedule and the replicate runner.

pub mod init;
pub mod pass;
pub mod rng;
pub mod runner;
pub mod step;
pub mod timing;
pub mod world;
