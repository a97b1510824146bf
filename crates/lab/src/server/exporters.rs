//! The simulated exporters' scrape endpoints, in Prometheus text format 0.0.4 at their
//! real paths: `/metrics` (everything), `/minio/v2/metrics/cluster`, `/trino/metrics`,
//! `/kafka-exporter/metrics`, `/velero/metrics`, `/kube-state-metrics/metrics`.

use axum::http::{Method, StatusCode};
use axum::response::Response;

use super::platform_front::{PlainCall, text, with_type};
use crate::platform::{Family, Platform};

pub fn families(path: &str) -> Option<&'static [Family]> {
    Some(match path.trim_end_matches('/') {
        "/metrics" => &Family::ALL,
        "/minio/v2/metrics/cluster" => &[Family::Minio],
        "/trino/metrics" => &[Family::Trino],
        "/kafka-exporter/metrics" => &[Family::Kafka],
        "/velero/metrics" => &[Family::Velero],
        "/kube-state-metrics/metrics" => &[Family::Kube],
        _ => return None,
    })
}

pub fn serve(platform: &Platform, path: &str, call: &PlainCall) -> Response {
    if call.method != Method::GET && call.method != Method::HEAD {
        return text(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed\n");
    }
    let Some(families) = families(path) else {
        return text(StatusCode::NOT_FOUND, "404 page not found\n");
    };
    with_type(
        StatusCode::OK,
        platform.exposition(families).into(),
        "text/plain; version=0.0.4; charset=utf-8",
    )
}
