//! Polls metrics.k8s.io (metrics-server) for pod and node usage. A cluster without the
//! metrics API, or a user not allowed to read it, gets a stated reason ("n/a: …")
//! instead of silent blanks; the poll keeps trying. A user who may read its pods' usage
//! but not the nodes' (a namespace-scoped one) still gets the pods'. Responses are read into small typed
//! structs (not JSON trees); per-pod usage across all namespaces is skipped on clusters
//! above 5 000 pods (tens of MB per poll), with a notice saying so.

use std::collections::HashMap;
use std::time::Duration;

use kube::Client;
use serde::Deserialize;

use super::{Tx, explain};
use crate::app::{Msg, Scope, SourceId, SourceState};
use crate::model::pods::Interner;
use crate::model::quantity;

const EVERY: Duration = Duration::from_secs(15);
/// Above this many pods in scope, per-pod usage across all namespaces is not polled
/// (tens of MB per poll, for columns nobody reads at that scale); scoping to a
/// namespace brings it back.
const LARGE: u64 = 5_000;

#[derive(Deserialize)]
struct List {
    #[serde(default)]
    items: Vec<Item>,
}

#[derive(Deserialize)]
struct Item {
    metadata: Meta,
    #[serde(default)]
    usage: Option<Usage>,
    #[serde(default)]
    containers: Vec<Container>,
}

#[derive(Deserialize)]
struct Meta {
    name: String,
    #[serde(default)]
    namespace: Option<String>,
}

#[derive(Deserialize)]
struct Container {
    usage: Usage,
}

#[derive(Deserialize)]
struct Usage {
    #[serde(default)]
    cpu: String,
    #[serde(default)]
    memory: String,
}

impl Usage {
    fn parse(&self) -> (u64, u64) {
        (
            quantity::cpu_millis(&self.cpu).unwrap_or(0).max(0) as u64,
            quantity::bytes(&self.memory).unwrap_or(0).max(0) as u64,
        )
    }
}

/// How many pods are in scope, from one cheap metadata page (`remainingItemCount`).
async fn pods_in_scope(client: &Client, scope: &Scope) -> Option<u64> {
    use k8s_openapi::api::core::v1::Pod;
    use kube::api::{Api, ListParams};
    let api: Api<Pod> = match scope {
        Scope::All => Api::all(client.clone()),
        Scope::Namespace(ns) => Api::namespaced(client.clone(), ns),
    };
    let page = api
        .list_metadata(&ListParams::default().limit(1))
        .await
        .ok()?;
    Some(page.items.len() as u64 + page.metadata.remaining_item_count.unwrap_or(0).max(0) as u64)
}

async fn get(client: &Client, path: &str) -> Result<List, kube::Error> {
    let req = http::Request::get(path)
        .body(Vec::new())
        .map_err(kube::Error::HttpError)?;
    client.request::<List>(req).await
}

pub async fn poll(client: Client, scope: Scope, tx: Tx) {
    let pods_path = match &scope {
        Scope::All => "/apis/metrics.k8s.io/v1beta1/pods".to_string(),
        Scope::Namespace(ns) => format!("/apis/metrics.k8s.io/v1beta1/namespaces/{ns}/pods"),
    };
    let mut interner = Interner::default();
    let mut told = false;
    loop {
        let skip_pods = scope == Scope::All
            && pods_in_scope(&client, &scope)
                .await
                .is_some_and(|n| n > LARGE);
        if skip_pods && !told {
            told = true;
            let note = format!(
                "per-pod CPU/MEM is not polled across all namespaces above {LARGE} pods — :ns <name> shows it"
            );
            if tx.send(Msg::Notice(note)).await.is_err() {
                return;
            }
        }
        let pods = if skip_pods {
            Ok(List { items: Vec::new() })
        } else {
            get(&client, &pods_path).await
        };
        let nodes = match get(&client, "/apis/metrics.k8s.io/v1beta1/nodes").await {
            // Node usage is cluster-scoped: a user bound to namespaces still gets its
            // pods' usage (the Nodes pane says why it shows no nodes).
            Err(kube::Error::Api(s)) if s.code == 403 && pods.is_ok() => {
                Ok(List { items: Vec::new() })
            }
            other => other,
        };
        let state = match (nodes, pods) {
            (Ok(nodes), Ok(pods)) => {
                let node_usage: HashMap<String, (u64, u64)> = nodes
                    .items
                    .into_iter()
                    .filter_map(|i| Some((i.metadata.name, i.usage?.parse())))
                    .collect();
                let pod_usage = pods
                    .items
                    .into_iter()
                    .filter_map(|i| {
                        let ns = interner.intern(i.metadata.namespace.as_deref()?);
                        let total = i
                            .containers
                            .iter()
                            .map(|c| c.usage.parse())
                            .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
                        Some(((ns, i.metadata.name.into_boxed_str()), total))
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
