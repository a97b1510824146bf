//! The API server's service proxy (`/api/v1/namespaces/{ns}/services/{[scheme:]name[:port]}/proxy/…`)
//! for the lab's in-process services: monitoring/prometheus:9090, monitoring/alertmanager:9093
//! and trino/trino:8080 reach the lab's Prometheus, Alertmanager and Trino handlers. A
//! missing Service is 404 and one with nothing behind it 503, as from a real API server.
//! The caller's Kubernetes credentials are not forwarded.

use axum::http::{Method, header};
use axum::response::Response;

use super::Ctx;
use super::platform_front::{self, PlainCall};
use crate::resources::{self, ids};
use crate::status::ApiError;

/// The lab's handlers behind Services: (namespace, name, port, route prefix).
const BACKENDS: &[(&str, &str, u16, &str)] = &[
    ("monitoring", "prometheus", 9090, "/prometheus"),
    ("monitoring", "alertmanager", 9093, "/alertmanager"),
    ("trino", "trino", 8080, "/trino"),
];

/// Splits `[scheme:]name[:port]`.
fn parse_service(s: &str) -> (String, Option<String>) {
    let parts: Vec<&str> = s.split(':').collect();
    match parts.as_slice() {
        [name] => ((*name).to_string(), None),
        ["http" | "https", name, port] => ((*name).to_string(), Some((*port).to_string())),
        ["http" | "https", name] => ((*name).to_string(), None),
        [name, port] => ((*name).to_string(), Some((*port).to_string())),
        _ => (s.to_string(), None),
    }
}

pub fn serve(
    ctx: &Ctx,
    namespace: &str,
    service: &str,
    rest: &str,
    method: &Method,
    mut call: PlainCall,
) -> Result<Response, ApiError> {
    let (name, port) = parse_service(service);
    let Some(svc) = ctx
        .store
        .get_value(ids::by_name("Service"), namespace, &name)
    else {
        return Err(ApiError::not_found(
            resources::get(ids::by_name("Service")),
            &name,
        ));
    };
    let ports = svc["spec"]["ports"].as_array().cloned().unwrap_or_default();
    let port_ok = match &port {
        None => !ports.is_empty(),
        Some(p) => ports.iter().any(|sp| {
            sp["port"].as_u64().is_some_and(|n| n.to_string() == *p) || sp["name"] == p.as_str()
        }),
    };
    if !port_ok {
        return Err(ApiError::unavailable(format!(
            "no endpoints available for service \"{service}\""
        )));
    }
    let number = port
        .as_deref()
        .and_then(|p| p.parse::<u16>().ok())
        .or_else(|| {
            ports
                .first()
                .and_then(|p| p["port"].as_u64())
                .and_then(|n| u16::try_from(n).ok())
        });
    let Some((_, _, _, prefix)) = BACKENDS.iter().find(|(ns, n, p, _)| {
        *ns == namespace && *n == name && (number.is_none() || number == Some(*p))
    }) else {
        return Err(ApiError::unavailable(format!(
            "no endpoints available for service \"{service}\""
        )));
    };
    call.headers.remove(header::AUTHORIZATION);
    call.method = method.clone();
    let path = format!("{prefix}{rest}");
    Ok(platform_front::serve(&ctx.platform, &path, &call))
}
