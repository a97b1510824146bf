//! Trino: coordinator info and state and the live query list from its REST API
//! (`/v1/info`, `/v1/info/state`, `/v1/query`), queue depth and active nodes from
//! Prometheus when configured (else counted from the query list), and one query's
//! detail on demand (`/v1/query/{id}`). Requests carry `X-Trino-User`; 401/403/410
//! are explained.

use serde_json::Value;

use super::{Platform, unavailable};
use crate::app::{Msg, SourceId};
use crate::endpoints::http::HttpEndpoint;
use crate::model::trino::{TrinoInfo, TrinoQuery, TrinoQueryDetail, TrinoSummary, sort_queries};
use crate::sources::Tx;

pub async fn poll(platform: Platform, tx: Tx) {
    let rest = match &platform.trino {
        Some(Ok(e)) => Some(Ok(e.clone())),
        Some(Err(e)) => Some(Err(e.clone())),
        None => None,
    };
    if rest.is_none() && platform.prometheus.is_none() {
        let reason = platform.not_configured("trino", "Trino", "--trino URL");
        return unavailable(SourceId::Trino, reason, &tx).await;
    }
    loop {
        let result = fetch(&platform, rest.as_ref()).await;
        if tx.send(Msg::Trino(result)).await.is_err() {
            return;
        }
        tokio::time::sleep(platform.every()).await;
    }
}

pub async fn fetch(
    platform: &Platform,
    rest: Option<&Result<HttpEndpoint, String>>,
) -> Result<TrinoSummary, String> {
    let metrics = async {
        match platform.prometheus() {
            Ok(p) => {
                let q = &platform.settings.trino_queries;
                let one = |name: &'static str| async move {
                    match q.get(name) {
                        Some(text) => p
                            .instant(text)
                            .await
                            .map(|s| s.first().map(|(_, v)| *v))
                            .map_err(|e| format!("trino.{name}: {e}")),
                        None => Ok(None),
                    }
                };
                let (running, queued, nodes) =
                    futures_util::join!(one("running"), one("queued"), one("active_nodes"));
                Some((running, queued, nodes))
            }
            Err(_) => None,
        }
    };
    let listing = async {
        match rest {
            Some(Ok(endpoint)) => Some(read_rest(endpoint, &platform.trino_user()).await),
            Some(Err(e)) => Some(Err(e.clone())),
            None => None,
        }
    };
    let (metrics, listing) = futures_util::join!(metrics, listing);
    let mut summary = TrinoSummary {
        info: None,
        active_nodes: None,
        running: None,
        queued: None,
        blocked: None,
        queries: Vec::new(),
        queries_error: None,
    };
    match listing {
        Some(Ok((info, queries))) => {
            summary.info = info;
            let (running, queued, blocked) = TrinoSummary::counts_from_queries(&queries);
            summary.running = Some(running);
            summary.queued = Some(queued);
            summary.blocked = Some(blocked);
            summary.queries = queries;
        }
        Some(Err(e)) => summary.queries_error = Some(e),
        None => {
            summary.queries_error = Some(platform.not_configured("trino", "Trino", "--trino URL"));
        }
    }
    if let Some((running, queued, nodes)) = metrics {
        // The metrics are the coordinator's own counters: prefer them for the queue
        // depth; "blocked" only exists in the query list.
        let as_count = |v: Option<f64>| v.filter(|v| v.is_finite() && *v >= 0.0).map(|v| v as u64);
        match (running, queued, nodes, &summary.queries_error) {
            (Ok(r), Ok(q), Ok(n), _) => {
                summary.running = as_count(r).or(summary.running);
                summary.queued = as_count(q).or(summary.queued);
                summary.active_nodes = n;
            }
            (Err(e), _, _, Some(_)) | (_, Err(e), _, Some(_)) | (_, _, Err(e), Some(_)) => {
                // Neither source answered: the pane is failing.
                return Err(format!(
                    "{e}; {}",
                    summary.queries_error.unwrap_or_default()
                ));
            }
            (Err(e), _, _, None) | (_, Err(e), _, None) | (_, _, Err(e), None) => {
                summary.queries_error = Some(e);
            }
        }
    } else if let Some(e) = &summary.queries_error
        && rest.is_some()
    {
        return Err(e.clone());
    }
    Ok(summary)
}

async fn read_rest(
    endpoint: &HttpEndpoint,
    user: &str,
) -> Result<(Option<TrinoInfo>, Vec<TrinoQuery>), String> {
    let headers = [("X-Trino-User", user.to_string())];
    let (info, state, queries) = futures_util::join!(
        endpoint.get_json("/v1/info", &[], &headers),
        endpoint.get_json("/v1/info/state", &[], &headers),
        get(endpoint, "/v1/query", &headers),
    );
    let queries = queries?;
    let state = state.ok().and_then(|v| v.as_str().map(str::to_string));
    let info = info.ok().and_then(|v| TrinoInfo::from_info(&v, state));
    let mut queries: Vec<TrinoQuery> = queries
        .as_array()
        .map(|a| a.iter().filter_map(TrinoQuery::from_basic_info).collect())
        .unwrap_or_default();
    sort_queries(&mut queries);
    Ok((info, queries))
}

/// GET with Trino's meaning of 401/403/410 spelled out.
async fn get(
    endpoint: &HttpEndpoint,
    path: &str,
    headers: &[(&'static str, String)],
) -> Result<Value, String> {
    let mut request = endpoint.client.get(endpoint.url(path));
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    let (status, body) = endpoint.send(request).await?;
    match status {
        200..=299 => endpoint.parse_json(&body),
        401 => Err(format!(
            "{}: 401 — Trino wants a user: set trino.user (sent as X-Trino-User) or basic_auth for this endpoint",
            endpoint.label
        )),
        403 => Err(format!(
            "{}: 403 — this user may not view queries (Trino access control); ask for query view rights or use another user",
            endpoint.label
        )),
        _ => Err(endpoint.status_error(status, &body)),
    }
}

/// One query's detail for the detail view.
pub async fn fetch_query(platform: Platform, id: String, tx: Tx) {
    let result = match &platform.trino {
        Some(Ok(endpoint)) => {
            let headers = [("X-Trino-User", platform.trino_user())];
            let path = format!("/v1/query/{id}");
            match get(endpoint, &path, &headers).await {
                Ok(v) => Ok(TrinoQueryDetail::from_query_info(&v)),
                Err(e) if e.contains("HTTP 410") => Err(format!(
                    "query {id} is gone: the coordinator no longer keeps it (finished queries expire from its history)"
                )),
                Err(e) => Err(e),
            }
        }
        Some(Err(e)) => Err(e.clone()),
        None => Err(platform.not_configured("trino", "Trino", "--trino URL")),
    };
    let _ = tx.send(Msg::TrinoQuery { id, result }).await;
}
