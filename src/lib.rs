//! lakedeck: a terminal operations cockpit for a Kubernetes-hosted data lakehouse, and
//! the embedded lab it is developed, tested and demonstrated against. See DESIGN.md.
#![forbid(unsafe_code)]

pub mod app;
pub mod audit;
pub mod cli;
pub mod cockpit;
pub mod config;
pub mod endpoints;
pub mod logging;
pub mod ops;
pub mod private_fs;
pub mod runbook;
pub mod runbook_cli;
pub mod session;
pub mod sources;
pub mod startup;
pub mod terminal;
pub mod theme;
pub mod ui;

/// The lab and the model are crates of their own (the compiler keeps the lab off the
/// cockpit and the model off everything); the cockpit reaches them by their old paths.
pub use lakedeck_lab as lab;
pub use lakedeck_model as model;
