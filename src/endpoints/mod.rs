//! The outside world's endpoints, below both reading (sources) and writing (ops): the
//! HTTP transport with its auth and TLS (`http`), the Prometheus query client, the
//! wording of Kubernetes API failures (`kube_error`), and one context's bundle of them
//! ([`Platform`]). Holds connections, not state; must not import sources, ops or the app.

pub mod http;
pub mod kube_error;
pub mod prometheus;

use std::time::Duration;

use kube::Client;

use crate::config::platform::{EndpointConfig, PlatformSettings};
use http::{HttpEndpoint, ProxyAccess};
pub use kube_error::explain;
use prometheus::Prometheus;

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

    /// Who Trino's REST calls are made as: the configured user, else the login name.
    pub fn trino_user(&self) -> String {
        self.settings
            .trino
            .as_ref()
            .and_then(|t| t.user.clone())
            .or_else(|| std::env::var("USER").ok())
            .unwrap_or_else(|| "lakedeck".into())
    }

    /// "how to configure" text for an endpoint that is not set.
    pub(crate) fn not_configured(&self, key: &str, what: &str, flag: &str) -> String {
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

    /// How often the pane pollers ask.
    pub fn every(&self) -> Duration {
        Duration::from_secs(self.settings.poll_secs.max(1))
    }
}
