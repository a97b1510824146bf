//! `metrics.k8s.io/v1beta1` NodeMetrics and PodMetrics, as metrics-server serves them:
//! usage of every running container derived from its requests by `lab::usage` (plausible
//! and slowly varying), nodes summing their pods plus system overhead.

use std::collections::HashMap;

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use super::crud::Filter;
use super::path::Target;
use super::{Call, json};
use crate::clock::rfc3339;
use crate::resources::{self, ids};
use crate::status::ApiError;
use crate::store::{Entry, Store};
use crate::usage;

pub fn serve(store: &Store, t: &Target, call: &Call) -> Result<Response, ApiError> {
    let res = resources::get(t.res);
    let now = store.clock.now();
    let t_secs = store.clock.elapsed_secs();
    let stamp = rfc3339(now);
    let filter = Filter::from_call(res, call)?;
    let running = |e: &Entry| e.field("status.phase").as_deref() == Some("Running");
    let items: Vec<Value> = match res.kind {
        "PodMetrics" => {
            let pods = match &t.name {
                Some(name) => store
                    .get(ids::pods(), t.namespace.as_deref().unwrap_or(""), name)
                    .filter(|e| running(e))
                    .into_iter()
                    .collect(),
                None => store.all(ids::pods(), t.namespace.as_deref(), |e| {
                    running(e) && filter.matches(e)
                }),
            };
            pods.iter()
                .filter_map(|e| {
                    let shape = usage::PodShape::read(&e.json)?;
                    let containers: Vec<Value> = shape
                        .usage(t_secs)
                        .into_iter()
                        .map(|(name, u)| json!({"name": name, "usage": u.to_json()}))
                        .collect();
                    Some(json!({
                        "kind": "PodMetrics", "apiVersion": "metrics.k8s.io/v1beta1",
                        "metadata": {"name": e.name, "namespace": e.namespace, "labels": shape.metadata.labels, "creationTimestamp": stamp},
                        "timestamp": stamp, "window": "15.01s", "containers": containers,
                    }))
                })
                .collect()
        }
        _ => {
            let mut per_node: HashMap<String, usage::Usage> = HashMap::new();
            for e in store.all(ids::pods(), None, |e| running(e)) {
                let node = e.field("spec.nodeName").unwrap_or_default();
                let Some(shape) = usage::PodShape::read(&e.json) else {
                    continue;
                };
                let total = per_node.entry(node).or_default();
                for (_, u) in shape.usage(t_secs) {
                    total.add(&u);
                }
            }
            let nodes = store.all(ids::nodes(), None, |e| {
                t.name.as_deref().is_none_or(|n| n == e.name) && filter.matches(e)
            });
            nodes
                .iter()
                .filter(|e| usage::node_reporting(&e.value()))
                .map(|e| {
                    let mut u = usage::node_overhead(&e.name, t_secs);
                    if let Some(pods) = per_node.get(&e.name) {
                        u.add(pods);
                    }
                    json!({
                        "kind": "NodeMetrics", "apiVersion": "metrics.k8s.io/v1beta1",
                        "metadata": {"name": e.name, "labels": e.labels, "creationTimestamp": stamp},
                        "timestamp": stamp, "window": "20.05s", "usage": u.to_json(),
                    })
                })
                .collect()
        }
    };
    if t.name.is_some() {
        return items
            .into_iter()
            .next()
            .map(|item| json(StatusCode::OK, &item))
            .ok_or_else(|| ApiError::not_found(res, t.name.as_deref().unwrap_or("")));
    }
    Ok(json(
        StatusCode::OK,
        &json!({"kind": format!("{}List", res.kind), "apiVersion": "metrics.k8s.io/v1beta1", "metadata": {}, "items": items}),
    ))
}
