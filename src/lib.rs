//! lakedeck: a terminal operations cockpit for a Kubernetes-hosted data lakehouse, and
//! the embedded lab it is developed, tested and demonstrated against. See DESIGN.md.
#![forbid(unsafe_code)]

pub mod app;
pub mod audit;
pub mod cli;
pub mod cockpit;
pub mod config;
pub mod lab;
pub mod logging;
pub mod model;
pub mod ops;
pub mod private_fs;
pub mod runbook;
pub mod session;
pub mod sources;
pub mod startup;
pub mod terminal;
pub mod theme;
pub mod ui;
