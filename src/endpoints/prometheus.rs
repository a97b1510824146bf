//! Prometheus HTTP API reads for the platform panes: instant and range queries through
//! prometheus-http-query (request building, URL joining, result types), with the body
//! read through [`HttpEndpoint`] (size cap, error wording) and Prometheus's own
//! `errorType` and message passed on verbatim. Also the `/api/v1/alerts` fallback.
//!
//! Knows nothing of what the queries mean; callers map results onto model types.

use std::collections::HashMap;

use prometheus_http_query::response::{Data, PromqlResult};
use serde_json::Value;

use super::http::HttpEndpoint;

/// One series of an instant vector: its labels and value (NaN/±Inf kept).
pub type Sample = (HashMap<String, String>, f64);
/// One series of a range query: labels and (unix seconds, value) points.
pub type Series = (HashMap<String, String>, Vec<(f64, f64)>);

#[derive(Clone)]
pub struct Prometheus {
    endpoint: HttpEndpoint,
    client: prometheus_http_query::Client,
}

impl Prometheus {
    pub fn new(endpoint: HttpEndpoint) -> Result<Prometheus, String> {
        let client =
            prometheus_http_query::Client::from(endpoint.client.clone(), &endpoint.base_url)
                .map_err(|e| format!("{}: not a usable URL: {e}", endpoint.label))?;
        Ok(Prometheus { endpoint, client })
    }

    pub fn label(&self) -> &str {
        &self.endpoint.label
    }

    /// An instant query; a scalar result comes back as one unlabelled sample.
    pub async fn instant(&self, query: &str) -> Result<Vec<Sample>, String> {
        let response = self
            .client
            .query(query)
            .get_raw()
            .await
            .map_err(|e| format!("{}: {}", self.endpoint.label, client_error(&e)))?;
        match self.result(query, response).await? {
            Data::Vector(v) => Ok(v
                .into_iter()
                .map(|s| {
                    let (labels, sample) = s.into_inner();
                    (labels, sample.value())
                })
                .collect()),
            Data::Scalar(s) => Ok(vec![(HashMap::new(), s.value())]),
            Data::Matrix(_) => Err(format!(
                "{}: {query}: returned a range vector; expected an instant vector",
                self.endpoint.label
            )),
        }
    }

    /// A range query over `[start, end]` (unix seconds) every `step` seconds.
    pub async fn range(
        &self,
        query: &str,
        start: i64,
        end: i64,
        step: f64,
    ) -> Result<Vec<Series>, String> {
        let response = self
            .client
            .query_range(query, start, end, step)
            .get_raw()
            .await
            .map_err(|e| format!("{}: {}", self.endpoint.label, client_error(&e)))?;
        match self.result(query, response).await? {
            Data::Matrix(m) => Ok(m
                .into_iter()
                .map(|s| {
                    let (labels, samples) = s.into_inner();
                    (
                        labels,
                        samples
                            .into_iter()
                            .map(|p| (p.timestamp(), p.value()))
                            .collect(),
                    )
                })
                .collect()),
            _ => Err(format!(
                "{}: {query}: expected a range vector from query_range",
                self.endpoint.label
            )),
        }
    }

    /// `GET /api/v1/alerts`: the alerts the rules currently hold (pending/firing).
    pub async fn alerts(&self) -> Result<Vec<Value>, String> {
        let (status, body) = self
            .endpoint
            .send(
                self.endpoint
                    .client
                    .get(self.endpoint.url("/api/v1/alerts")),
            )
            .await?;
        let data = self.envelope("alerts", status, &body)?;
        Ok(data
            .get("alerts")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default())
    }

    async fn result(&self, query: &str, response: reqwest::Response) -> Result<Data, String> {
        let (status, body) = self.endpoint.read(response).await?;
        let data = self.envelope(query, status, &body)?;
        serde_json::from_value::<PromqlResult>(data)
            .map(|r| r.into_inner().0)
            .map_err(|e| {
                format!(
                    "{}: {query}: unexpected result shape ({e})",
                    self.endpoint.label
                )
            })
    }

    /// The `data` of a Prometheus envelope, or its error as Prometheus worded it
    /// (`bad_data: parse error …`). Non-JSON answers (a proxy's HTML page, a bare 502)
    /// are explained by status.
    fn envelope(&self, what: &str, status: u16, body: &[u8]) -> Result<Value, String> {
        let parsed = serde_json::from_slice::<Value>(body);
        let Ok(json) = parsed else {
            if !(200..300).contains(&status) {
                return Err(self.endpoint.status_error(status, body));
            }
            return self.endpoint.parse_json(body);
        };
        match json.get("status").and_then(Value::as_str) {
            Some("success") => Ok(json.get("data").cloned().unwrap_or(Value::Null)),
            Some("error") => {
                let kind = json
                    .get("errorType")
                    .and_then(Value::as_str)
                    .unwrap_or("error");
                let message = json.get("error").and_then(Value::as_str).unwrap_or("");
                Err(format!(
                    "{}: {what}: {kind}: {message}",
                    self.endpoint.label
                ))
            }
            _ if !(200..300).contains(&status) => Err(self.endpoint.status_error(status, body)),
            _ => Err(format!(
                "{}: {what}: not a Prometheus API response (no \"status\" field)",
                self.endpoint.label
            )),
        }
    }
}

/// A transport failure as one line (the crate wraps reqwest's error).
fn client_error(e: &prometheus_http_query::Error) -> String {
    let mut text = e.to_string();
    let mut cause: Option<&dyn std::error::Error> = std::error::Error::source(e);
    while let Some(c) = cause {
        text = c.to_string();
        cause = c.source();
    }
    if text.contains("timed out") || text.contains("deadline") {
        "timed out — the endpoint is slow or unreachable".into()
    } else if text.contains("onnection refused") {
        format!("cannot connect ({text}) — check the URL and that Prometheus is up")
    } else {
        text
    }
}

/// The single value of a one-series result (`None` when the series is absent).
pub fn scalar(samples: &[Sample]) -> Option<f64> {
    samples.first().map(|(_, v)| *v)
}

/// The smallest value across series (e.g. `predict_linear` per server).
pub fn min_value(samples: &[Sample]) -> Option<f64> {
    samples
        .iter()
        .map(|(_, v)| *v)
        .reduce(|a, b| if b < a || a.is_nan() { b } else { a })
}
