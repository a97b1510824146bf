//! One file per view.

pub mod detail;
pub mod help;
pub mod logs;
pub mod nodes;
pub mod overview;
pub mod pods;
