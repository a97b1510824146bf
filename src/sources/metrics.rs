//! Polls metrics.k8s.io (metrics-server) for pod and node usage every 15 s. A cluster
//! without the metrics API, or a user not allowed to read it, gets a stated reason
//! ("n/a: …") instead of silent blanks; the poll keeps trying at a slow pace.

use std::collections::HashMap;
use std::time::Duration;

use kube::Client;
use kube::api::{Api, ListParams};
use kube::core::{ApiResource, DynamicObject, GroupVersionKind};

use super::{Tx, explain};
use crate::app::{Msg, Scope, SourceId, SourceState};
use crate::model::pods::Interner;
use crate::model::quantity;

const EVERY: Duration = Duration::from_secs(15);

fn usage(v: &serde_json::Value) -> (u64, u64) {
    let cpu = v["cpu"]
        .as_str()
        .and_then(quantity::cpu_millis)
        .unwrap_or(0)
        .max(0) as u64;
    let mem = v["memory"]
        .as_str()
        .and_then(quantity::bytes)
        .unwrap_or(0)
        .max(0) as u64;
    (cpu, mem)
}

pub async fn poll(client: Client, scope: Scope, tx: Tx) {
    let gvk = |kind: &str| GroupVersionKind::gvk("metrics.k8s.io", "v1beta1", kind);
    let node_ar = ApiResource::from_gvk_with_plural(&gvk("NodeMetrics"), "nodes");
    let pod_ar = ApiResource::from_gvk_with_plural(&gvk("PodMetrics"), "pods");
    let nodes: Api<DynamicObject> = Api::all_with(client.clone(), &node_ar);
    let pods: Api<DynamicObject> = match &scope {
        Scope::All => Api::all_with(client, &pod_ar),
        Scope::Namespace(ns) => Api::namespaced_with(client, ns, &pod_ar),
    };
    let mut interner = Interner::default();
    loop {
        let state = match (
            nodes.list(&ListParams::default()).await,
            pods.list(&ListParams::default()).await,
        ) {
            (Ok(n), Ok(p)) => {
                let node_usage: HashMap<String, (u64, u64)> = n
                    .items
                    .iter()
                    .filter_map(|o| Some((o.metadata.name.clone()?, usage(&o.data["usage"]))))
                    .collect();
                let pod_usage = p
                    .items
                    .iter()
                    .filter_map(|o| {
                        let ns = interner.intern(o.metadata.namespace.as_deref()?);
                        let name: Box<str> = o.metadata.name.as_deref()?.into();
                        let total = o.data["containers"]
                            .as_array()?
                            .iter()
                            .map(|c| usage(&c["usage"]))
                            .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
                        Some(((ns, name), total))
                    })
                    .collect();
                if tx.send(Msg::NodeMetrics(node_usage)).await.is_err()
                    || tx.send(Msg::PodMetrics(pod_usage)).await.is_err()
                {
                    return;
                }
                SourceState::Live
            }
            (Err(e), _) | (_, Err(e)) => {
                let reason = match &e {
                    kube::Error::Api(s) if s.code == 404 => {
                        "the metrics API (metrics.k8s.io) is not installed — deploy metrics-server"
                            .to_string()
                    }
                    kube::Error::Api(s) if s.code == 403 => format!("forbidden: {}", s.message),
                    other => explain(other).1,
                };
                SourceState::Unavailable(reason)
            }
        };
        if tx
            .send(Msg::Source(SourceId::Metrics, state))
            .await
            .is_err()
        {
            return;
        }
        tokio::time::sleep(EVERY).await;
    }
}
