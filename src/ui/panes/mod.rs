//! One file per view.

pub mod alerts;
pub mod detail;
pub mod help;
pub mod kafka;
pub mod logs;
pub mod minio;
pub mod nodes;
pub mod overview;
pub mod platform_summary;
pub mod pods;
pub mod run;
pub mod runbooks;
pub mod trino;
pub mod velero;
