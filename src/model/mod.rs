//! Plain data and pure derivations shared by the cockpit and the lab: kubectl-exact pod
//! and node columns, Kubernetes quantities and durations. No I/O, no ratatui, nothing of
//! ours imported.

pub mod describe;
pub mod duration;
pub mod node_status;
pub mod nodes;
pub mod pod_status;
pub mod pods;
pub mod quantity;
