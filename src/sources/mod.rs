//! Everything the cockpit reads from the outside world. Each source is its own task that
//! owns its connection state and sends owned data to the app as [`Msg`]s: watchers
//! project every object into a compact row on arrival and drop it (never a store of
//! whole Pods), re-list after 410, back off on failure while reporting why and when the
//! next attempt is, and stop retrying hot on 403. A failing source never blocks another.
//! Must not touch the terminal or app state.

pub mod describe;
pub mod http;
pub mod kube_error;
mod logs;
mod metrics;
pub mod platform;
pub mod prometheus;

use std::time::Duration;

use futures_util::StreamExt;
use k8s_openapi::api::core::v1::{Node, Pod};
use kube::Client;
use kube::api::{Api, ListParams};
use kube::runtime::watcher;
use tokio::sync::mpsc;

use crate::app::{Change, LogRequest, Msg, ObjectRef, Scope, SourceId, SourceState};
use crate::model::nodes::NodeRow;
use crate::model::pods::{Interner, PodRow};

pub type Tx = mpsc::Sender<Msg>;

/// Exponential back-off with jitter: 1 s doubling to 30 s.
pub fn backoff(attempt: u32) -> Duration {
    let base = 1u64 << attempt.min(5);
    let capped = base.min(30);
    Duration::from_millis(capped * 1000 + fastrand::u64(..capped * 250))
}

pub use kube_error::explain;

fn watcher_error(e: &watcher::Error) -> (bool, String) {
    match e {
        watcher::Error::InitialListFailed(k)
        | watcher::Error::WatchStartFailed(k)
        | watcher::Error::WatchFailed(k) => explain(k),
        watcher::Error::WatchError(s) if s.code == 403 => {
            (true, format!("forbidden: {}", s.message))
        }
        other => (false, kube_error::shorten(&other.to_string())),
    }
}

/// Runs a watcher stream, turning its events into row changes and its failures into
/// source states, forever (until the receiver goes away).
async fn run_watch<K, R>(
    api: Api<K>,
    id: SourceId,
    tx: Tx,
    mut project: impl FnMut(&K) -> R + Send,
    wrap: fn(Change<R>) -> Msg,
) where
    K: kube::Resource + Clone + std::fmt::Debug + serde::de::DeserializeOwned + Send + 'static,
    R: Send + 'static,
{
    // client-go's page size: larger pages list faster but each page's transient Pod
    // objects stay in the allocator's high-water mark (≈50 MB more at 2000 per page).
    let mut stream = watcher(api, watcher::Config::default().page_size(1000)).boxed();
    let mut buffer: Option<Vec<R>> = None;
    let mut attempt = 0u32;
    let mut live = false;
    let mut failing_since = None;
    loop {
        let Some(event) = stream.next().await else {
            return;
        };
        let msg = match event {
            Ok(ev) => {
                attempt = 0;
                failing_since = None;
                if !live {
                    live = true;
                    if tx.send(Msg::Source(id, SourceState::Live)).await.is_err() {
                        return;
                    }
                }
                match ev {
                    watcher::Event::Init => {
                        buffer = Some(Vec::new());
                        None
                    }
                    watcher::Event::InitApply(obj) => {
                        if let Some(b) = buffer.as_mut() {
                            b.push(project(&obj));
                        }
                        None
                    }
                    watcher::Event::InitDone => buffer.take().map(|rows| wrap(Change::Reset(rows))),
                    watcher::Event::Apply(obj) => Some(wrap(Change::Upsert(project(&obj)))),
                    watcher::Event::Delete(obj) => Some(wrap(Change::Delete(project(&obj)))),
                }
            }
            Err(e) => {
                live = false;
                attempt += 1;
                let (forbidden, reason) = watcher_error(&e);
                let delay = if forbidden {
                    Duration::from_secs(60)
                } else {
                    backoff(attempt)
                };
                let since = *failing_since.get_or_insert_with(jiff::Timestamp::now);
                let state = if forbidden {
                    SourceState::Forbidden(reason)
                } else {
                    SourceState::Failing {
                        reason,
                        attempt,
                        retry_in_secs: delay.as_secs().max(1),
                        since,
                    }
                };
                if tx.send(Msg::Source(id, state)).await.is_err() {
                    return;
                }
                tokio::time::sleep(delay).await;
                None
            }
        };
        if let Some(m) = msg
            && tx.send(m).await.is_err()
        {
            return;
        }
    }
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
            if projected.is_multiple_of(50_000) {
                interner.release_unused();
            }
            PodRow::from_pod(p, &mut interner)
        };
        run_watch(api, SourceId::Pods, tx, project, Msg::Pods).await;
    })
}

pub fn watch_nodes(client: Client, tx: Tx) -> tokio::task::JoinHandle<()> {
    let api: Api<Node> = Api::all(client);
    tokio::spawn(run_watch(
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
