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

use std::time::Duration;

use kube::Client;

use super::Tx;
use super::http::{HttpEndpoint, ProxyAccess};
use super::prometheus::Prometheus;
use crate::app::{Msg, SourceId, SourceState};
use crate::config::platform::{EndpointConfig, PlatformSettings};

pub use trino::fetch_query;

/// The endpoints of one context, built once per connection.
#[derive(Clone)]
pub struct Platform {
    pub settings: PlatformSettings,
    pub context: String,
    /// `Err` = configured but unusable (bad CA file, unreadable secret): the message.
    pub prometheus: Option<Result<Prometheus, String>>,
    pub alertmanager: Option<Result<HttpEndpoint, String>>,
    pub trino: Option<Result<HttpEndpoint, String>>,
    pub kube: Client,
}

impl Platform {
    pub fn new(
        settings: PlatformSettings,
        context: &str,
        proxy: &ProxyAccess,
        kube: Client,
    ) -> Platform {
        let build = |what: &str, cfg: &Option<EndpointConfig>| {
            cfg.as_ref()
                .map(|c| HttpEndpoint::build(what, c, Some(proxy), settings.timeout_secs))
        };
        let prometheus =
            build("Prometheus", &settings.prometheus).map(|r| r.and_then(Prometheus::new));
        let alertmanager = build("Alertmanager", &settings.alertmanager);
        let trino = build("Trino", &settings.trino);
        Platform {
            context: context.to_string(),
            prometheus,
            alertmanager,
            trino,
            kube,
            settings,
        }
    }

    /// "how to configure" text for an endpoint that is not set.
    fn not_configured(&self, key: &str, what: &str, flag: &str) -> String {
        format!(
            "no {what} endpoint configured for context {} — set contexts.{}.{key} in ~/.config/lakedeck/config.yaml (a URL or service:<namespace>/<service>:<port>) or pass {flag}",
            self.context, self.context
        )
    }

    pub fn prometheus(&self) -> Result<&Prometheus, String> {
        match &self.prometheus {
            Some(Ok(p)) => Ok(p),
            Some(Err(e)) => Err(e.clone()),
            None => Err(self.not_configured("prometheus", "Prometheus", "--prometheus URL")),
        }
    }

    fn every(&self) -> Duration {
        Duration::from_secs(self.settings.poll_secs.max(1))
    }
}

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
