//! Everything the cockpit reads from the outside world. Each source is its own task that
//! owns its connection state and sends owned data to the app as [`Msg`]s: row sources
//! ([`listwatch`]) project every object into a compact row on arrival and drop it (never
//! a store of whole Pods), re-list after 410, back off on failure while reporting why and
//! when the next attempt is, and stop retrying hot on 403. A failing source never blocks another.
//! Must not touch the terminal or app state.

pub mod describe;
mod fault;
pub mod listwatch;
mod logs;
mod metrics;
pub mod platform;

use std::time::Duration;

use k8s_openapi::api::core::v1::{Node, Pod};
use kube::Client;
use kube::api::{Api, ListParams};
use tokio::sync::mpsc;

use crate::app::{LogRequest, Msg, ObjectRef, Scope, SourceId};
use crate::endpoints::explain;
use crate::model::nodes::NodeRow;
use crate::model::pods::{Interner, PodRow};

pub type Tx = mpsc::Sender<Msg>;

/// Exponential back-off with jitter: 1 s doubling to 30 s.
pub fn backoff(attempt: u32) -> Duration {
    let base = 1u64 << attempt.min(5);
    let capped = base.min(30);
    Duration::from_millis(capped * 1000 + fastrand::u64(..capped * 250))
}

/// Watches pods in `scope`, projecting each into a [`PodRow`].
pub fn watch_pods(client: Client, scope: Scope, tx: Tx) -> tokio::task::JoinHandle<()> {
    let api: Api<Pod> = match &scope {
        Scope::All => Api::all(client),
        Scope::Namespace(ns) => Api::namespaced(client, ns),
    };
    tokio::spawn(async move {
        let mut interner = Interner::default();
        let mut projected = 0u64;
        let project = move |p: &Pod| {
            // Owner and node names come and go (jobs, rollouts); drop the ones no row
            // holds any more now and then so the interner does not grow forever.
            projected += 1;
            fault::maybe_panic("pods");
            if projected.is_multiple_of(50_000) {
                interner.release_unused();
            }
            PodRow::from_pod(p, &mut interner)
        };
        listwatch::run(api, SourceId::Pods, tx, project, Msg::Pods).await;
    })
}

pub fn watch_nodes(client: Client, tx: Tx) -> tokio::task::JoinHandle<()> {
    let api: Api<Node> = Api::all(client);
    tokio::spawn(listwatch::run(
        api,
        SourceId::Nodes,
        tx,
        NodeRow::from_node,
        Msg::Nodes,
    ))
}

pub fn poll_metrics(client: Client, scope: Scope, tx: Tx) -> tokio::task::JoinHandle<()> {
    tokio::spawn(metrics::poll(client, scope, tx))
}

/// Asks the API server who we are (SelfSubjectReview), for the header.
pub fn identify(client: Client, tx: Tx) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let body = serde_json::json!({"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"});
        let Ok(req) = ::http::Request::post("/apis/authentication.k8s.io/v1/selfsubjectreviews")
            .header("Content-Type", "application/json")
            .body(serde_json::to_vec(&body).unwrap_or_default())
        else {
            return;
        };
        let user = match client.request::<serde_json::Value>(req).await {
            Ok(v) => v["status"]["userInfo"]["username"]
                .as_str()
                .unwrap_or("unknown")
                .to_string(),
            Err(e) => format!("unknown ({})", explain(&e).1),
        };
        let _ = tx.send(Msg::Identity(user)).await;
    })
}

/// Fetches a describe or YAML view's text.
pub fn fetch_detail(
    client: Client,
    target: ObjectRef,
    yaml: bool,
    title: String,
    tx: Tx,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let result = describe::fetch(client, &target, yaml).await;
        let _ = tx.send(Msg::Detail { title, result }).await;
    })
}

pub fn stream_logs(client: Client, request: LogRequest, tx: Tx) -> tokio::task::JoinHandle<()> {
    tokio::spawn(logs::stream(client, request, tx))
}

/// The first page of pods, to prove the connection works before the TUI starts.
pub async fn probe(client: &Client, scope: &Scope) -> Result<(), kube::Error> {
    let api: Api<Pod> = match scope {
        Scope::All => Api::all(client.clone()),
        Scope::Namespace(ns) => Api::namespaced(client.clone(), ns),
    };
    api.list_metadata(&ListParams::default().limit(1))
        .await
        .map(|_| ())
}
