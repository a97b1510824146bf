//! The lab's non-Kubernetes endpoints on the same listener: the exporters' scrape paths,
//! and the Prometheus, Alertmanager and Trino APIs under their route prefixes. Like the
//! real services behind a scrape config or an ingress, they take no Kubernetes token
//! (Trino checks its own `X-Trino-User`). Also reached through the service proxy.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use bytes::Bytes;

use super::{alertmanager_api, exporters, prometheus_api, trino_api};
use crate::platform::Platform;

/// One request to a platform endpoint.
pub struct PlainCall {
    pub method: Method,
    pub query: Vec<(String, String)>,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl PlainCall {
    pub fn param(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    pub fn params(&self, key: &str) -> Vec<&str> {
        self.query
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    Exporter,
    Prometheus,
    Alertmanager,
    Trino,
}

/// Which platform endpoint a path addresses, if any.
pub fn route(path: &str) -> Option<Service> {
    if exporters::families(path).is_some() {
        return Some(Service::Exporter);
    }
    let under = |prefix: &str| path == prefix || path.starts_with(&format!("{prefix}/"));
    if under("/prometheus") {
        Some(Service::Prometheus)
    } else if under("/alertmanager") {
        Some(Service::Alertmanager)
    } else if under("/trino") {
        Some(Service::Trino)
    } else {
        None
    }
}

pub fn serve(platform: &Platform, path: &str, call: &PlainCall) -> Response {
    platform.tick();
    match route(path) {
        Some(Service::Exporter) => exporters::serve(platform, path, call),
        Some(Service::Prometheus) => {
            prometheus_api::serve(platform, &path["/prometheus".len()..], call)
        }
        Some(Service::Alertmanager) => {
            alertmanager_api::serve(platform, &path["/alertmanager".len()..], call)
        }
        Some(Service::Trino) => trino_api::serve(platform, &path["/trino".len()..], call),
        None => text(StatusCode::NOT_FOUND, "404 page not found\n"),
    }
}

pub fn text(code: StatusCode, body: impl Into<String>) -> Response {
    with_type(code, body.into().into(), "text/plain; charset=utf-8")
}

pub fn with_type(code: StatusCode, body: Bytes, content_type: &'static str) -> Response {
    let mut resp = Response::new(Body::from(body));
    *resp.status_mut() = code;
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    resp
}

pub fn json(code: StatusCode, v: &serde_json::Value) -> Response {
    with_type(
        code,
        Bytes::from(serde_json::to_vec(v).unwrap_or_default()),
        "application/json",
    )
}

/// Form fields of a POST body plus the URL's query parameters.
pub fn with_form(call: &PlainCall) -> Vec<(String, String)> {
    let mut all = call.query.clone();
    let form = call
        .header("content-type")
        .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"));
    if form {
        all.extend(form_urlencoded::parse(&call.body).into_owned());
    }
    all
}
