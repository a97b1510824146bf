//! Plain data and pure derivations shared by the cockpit and the lab: kubectl-exact pod
//! and node columns, Kubernetes quantities and durations, and the platform panes' models
//! (MinIO, Trino, Kafka, Velero, alerts). No I/O, no ratatui, nothing of ours imported.

pub mod alerts;
pub mod describe;
pub mod duration;
pub mod events;
pub mod kafka;
pub mod minio;
pub mod node_status;
pub mod nodes;
pub mod number;
pub mod pod_status;
pub mod pods;
pub mod printers;
pub mod quantity;
pub mod trino;
pub mod velero;
pub mod yaml_words;
