//! golive: move a company's customer data into a new CRM on go-live day.
//!
//! Stages (each a module, talking through the workspace): [`ingest`] →
//! [`normalize`] → [`matching`] → [`link`] → [`review`] → load → report;
//! [`pipeline`] sequences them.

pub mod cli;
pub mod commands;
pub mod config;
pub mod error;
pub mod export;
pub mod ingest;
pub mod link;
pub mod load;
pub mod matching;
pub mod model;
pub mod normalize;
pub mod pipeline;
pub mod progress;
pub mod report;
pub mod review;
pub mod workspace;

pub use error::{Error, Result};
