//! The platform sources: one polling task per pane (MinIO, Kafka, Trino, Velero,
//! Alerts), each reading its endpoints every `poll_secs` and sending the pane's model
//! (or the error, which the app shows while keeping the last good data) to the app.
//! A pane whose endpoint is not configured gets one `Unavailable` message saying how
//! to configure it; its task then idles. A slow or broken endpoint delays only its own
//! pane: every call has a timeout and the tasks never wait on each other.
//!
//! Must not touch the terminal or app state; writes (silences, killing queries) belong
//! to `ops/`, not here.

pub mod alerts;
pub mod kafka;
pub mod minio;
pub mod trino;
pub mod velero;

use super::Tx;
use crate::app::{Msg, SourceId, SourceState};
use crate::endpoints::Platform;

pub use trino::fetch_query;

/// The pane pollers, by task name.
pub const TASKS: &[&str] = &["minio", "kafka", "trino", "velero", "alerts"];

/// Starts the poller called `name` (one of [`TASKS`]).
pub fn spawn(name: &str, platform: Platform, tx: Tx) -> Option<tokio::task::JoinHandle<()>> {
    Some(match name {
        "minio" => tokio::spawn(minio::poll(platform, tx)),
        "kafka" => tokio::spawn(kafka::poll(platform, tx)),
        "trino" => tokio::spawn(trino::poll(platform, tx)),
        "velero" => tokio::spawn(velero::poll(platform, tx)),
        "alerts" => tokio::spawn(alerts::poll(platform, tx)),
        _ => return None,
    })
}

/// Reports `id` unavailable and parks the task for good (a finished task would be
/// restarted as if it had crashed).
async fn unavailable(id: SourceId, reason: String, tx: &Tx) {
    let _ = tx
        .send(Msg::Source(id, SourceState::Unavailable(reason)))
        .await;
    std::future::pending::<()>().await;
}
