//! Alerts: from Alertmanager API v2 (alerts with their silenced/inhibited state, and
//! the silences), or — when no Alertmanager is configured — from Prometheus's
//! `/api/v1/alerts` (pending/firing, no silences).

use serde_json::Value;

use super::{Platform, unavailable};
use crate::app::{Msg, SourceId};
use crate::endpoints::http::HttpEndpoint;
use crate::endpoints::prometheus::Prometheus;
use crate::model::alerts::{AlertOrigin, AlertRow, AlertsSnapshot, SilenceRow, sort_silences};
use crate::sources::Tx;

enum Via {
    Alertmanager(HttpEndpoint),
    Prometheus(Prometheus),
    Broken(String),
}

pub async fn poll(platform: Platform, tx: Tx) {
    let via = match (&platform.alertmanager, &platform.prometheus) {
        (Some(Ok(am)), _) => Via::Alertmanager(am.clone()),
        (Some(Err(e)), _) => Via::Broken(e.clone()),
        (None, Some(Ok(p))) => Via::Prometheus(p.clone()),
        (None, Some(Err(e))) => Via::Broken(e.clone()),
        (None, None) => {
            let reason = platform.not_configured(
                "alertmanager",
                "Alertmanager (or Prometheus)",
                "--alertmanager URL",
            );
            return unavailable(SourceId::Alerts, reason, &tx).await;
        }
    };
    loop {
        let result = match &via {
            Via::Alertmanager(am) => from_alertmanager(am).await,
            Via::Prometheus(p) => from_prometheus(p).await,
            Via::Broken(e) => Err(e.clone()),
        };
        if tx.send(Msg::Alerts(result)).await.is_err() {
            return;
        }
        tokio::time::sleep(platform.every()).await;
    }
}

pub async fn from_alertmanager(am: &HttpEndpoint) -> Result<AlertsSnapshot, String> {
    let (alerts, silences) = futures_util::join!(
        am.get_json("/api/v2/alerts", &[], &[]),
        am.get_json("/api/v2/silences", &[], &[]),
    );
    let alerts = rows(&alerts?, AlertRow::from_alertmanager);
    let mut silences = rows(&silences?, SilenceRow::from_alertmanager);
    sort_silences(&mut silences);
    Ok(AlertsSnapshot {
        origin: AlertOrigin::Alertmanager,
        alerts,
        silences,
    })
}

pub async fn from_prometheus(p: &Prometheus) -> Result<AlertsSnapshot, String> {
    let alerts = p
        .alerts()
        .await?
        .iter()
        .filter_map(AlertRow::from_prometheus)
        .collect();
    Ok(AlertsSnapshot {
        origin: AlertOrigin::Prometheus,
        alerts,
        silences: Vec::new(),
    })
}

fn rows<T>(v: &Value, parse: impl Fn(&Value) -> Option<T>) -> Vec<T> {
    v.as_array()
        .map(|a| a.iter().filter_map(&parse).collect())
        .unwrap_or_default()
}
