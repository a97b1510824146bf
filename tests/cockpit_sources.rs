//! The cockpit's sources against the lab over real HTTPS: the pod rows agree with the lab's
//! kubectl-style Table for every seed pod; the pod watch survives dropped watches, an
//! expired history (re-list, no lost or duplicated rows) and an outage (stale marker,
//! then recovery); a forbidden read is reported as forbidden.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::time::Duration;

use k8s_openapi::api::core::v1::{Node, Pod, Secret};
use kube::Client;
use kube::api::{Api, ListParams};
use lakedeck::app::{Change, Msg, Scope, SourceId, SourceState};
use lakedeck::lab::{Lab, LabOptions};
use lakedeck::model::pods::{Interner, PodRow};
use tokio::sync::mpsc;

async fn lab_and_client(context: &str) -> (Lab, Client, tempfile::TempDir) {
    let lab = Lab::start(LabOptions::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kubeconfig");
    lakedeck::lab::kubeconfig::write(&path, &lab.url, &lab.ca_pem, &lab.tokens).unwrap();
    let target = lakedeck::cockpit::connect(Some(&path), Some(context))
        .await
        .unwrap();
    (lab, target.client, dir)
}

async fn fault(client: &Client, action: &str) {
    let req = http::Request::post(format!("/lakedeck/faults/{action}"))
        .body(Vec::new())
        .unwrap();
    client.request_text(req).await.unwrap();
}

/// Parity, not correctness: the lab's Table and the cockpit's `PodRow` both come from
/// `model::printers` / `model::pod_status`, so agreeing cell for cell proves only that the
/// two transports (the server-side Table JSON kubectl reads, and the typed watch objects
/// the cockpit projects) carry the same pods. Whether the cells are what kubectl would
/// print is checked against upstream's own printer tests in `tests/upstream_printers.rs`,
/// and below against what the seed scenario says its troubled pods are.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pod_rows_agree_with_the_labs_table_for_every_seed_pod() {
    let (_lab, client, _dir) = lab_and_client("lakedeck-lab").await;
    let req = http::Request::get("/api/v1/pods")
        .header("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io")
        .body(Vec::new())
        .unwrap();
    let table: serde_json::Value =
        serde_json::from_str(&client.request_text(req).await.unwrap()).unwrap();
    let pods = Api::<Pod>::all(client)
        .list(&ListParams::default())
        .await
        .unwrap()
        .items;
    let mut interner = Interner::default();
    let rows: BTreeMap<String, PodRow> = pods
        .iter()
        .map(|p| {
            (
                p.metadata.name.clone().unwrap(),
                PodRow::from_pod(p, &mut interner),
            )
        })
        .collect();
    let table_rows = table["rows"].as_array().unwrap();
    assert_eq!(table_rows.len(), rows.len());
    for r in table_rows {
        let cells = r["cells"].as_array().unwrap();
        let name = cells[0].as_str().unwrap();
        let row = &rows[name];
        assert_eq!(
            cells[1].as_str().unwrap(),
            row.ready_column(),
            "READY of {name}"
        );
        assert_eq!(cells[2].as_str().unwrap(), &*row.status, "STATUS of {name}");
        // RESTARTS carries an age; compare the count, which is what can disagree.
        let count = cells[3]
            .as_str()
            .unwrap()
            .split_whitespace()
            .next()
            .unwrap();
        assert_eq!(count, row.restarts.to_string(), "RESTARTS of {name}");
    }
    scenario_troubles_read_as_defined(&pods, &rows);
}

/// An oracle independent of our printer: each `trouble:` of the seed scenario's
/// definition must show in the cockpit's rows the way the definition implies — a
/// crash-looping container reads CrashLoopBackOff (or Error) with at least the restarts
/// it was seeded with, an
/// unschedulable pod Pending with nothing ready, an OOM-killed container Running after
/// exactly one restart.
fn scenario_troubles_read_as_defined(pods: &[Pod], rows: &BTreeMap<String, PodRow>) {
    use lakedeck::lab::scenario::{Scenario, TroubleKind};
    let seed = Scenario::load("seed").unwrap();
    let mut checked = 0;
    for w in &seed.workloads {
        for t in &w.trouble {
            // The workload's pods: owned by it (Deployments through a ReplicaSet named
            // `<workload>-<hash>`, Jobs and StatefulSets directly).
            let mine: Vec<&PodRow> = pods
                .iter()
                .filter(|p| p.metadata.namespace.as_deref() == Some(w.namespace.as_str()))
                .filter(|p| {
                    p.metadata.owner_references.iter().flatten().any(|o| {
                        o.name == w.name
                            || o.name
                                .strip_prefix(&w.name)
                                .is_some_and(|rest| rest.starts_with('-'))
                    })
                })
                .map(|p| &rows[p.metadata.name.as_deref().unwrap()])
                .collect();
            let show = |r: &&PodRow| {
                format!(
                    "{} {} {} {}",
                    r.name,
                    r.ready_column(),
                    r.status,
                    r.restarts
                )
            };
            let all: Vec<String> = mine.iter().map(show).collect();
            let ok = match &t.kind {
                // The seed puts the next restart ~8 s after the lab starts; this runs
                // within the first second or two, while the container is backing off.
                TroubleKind::Crashloop { restarts, .. } => mine.iter().any(|r| {
                    r.restarts >= *restarts
                        && matches!(&*r.status, "CrashLoopBackOff" | "Error")
                        && r.ready_column() == "0/1"
                }),
                TroubleKind::Unschedulable { .. } => mine
                    .iter()
                    .any(|r| &*r.status == "Pending" && r.ready == 0 && r.restarts == 0),
                TroubleKind::OomKilled { .. } => mine
                    .iter()
                    .any(|r| &*r.status == "Running" && r.restarts == 1),
            };
            assert!(
                ok,
                "{}/{} trouble {:?} not shown as defined: {all:?}",
                w.namespace, w.name, t.kind
            );
            checked += 1;
        }
    }
    assert!(
        checked >= 3,
        "the seed defines crashloop, unschedulable and OOM troubles"
    );
}

/// Applies pod messages like the app would and reports source states.
#[derive(Default)]
struct Mirror {
    rows: BTreeMap<(String, String), String>,
    /// The uid of each row (a recreated pod keeps its name, not its uid).
    uids: BTreeMap<(String, String), String>,
    /// Names of the pods whose deletion arrived as a watch event.
    deleted: Vec<String>,
    states: Vec<SourceState>,
    resets: usize,
}

impl Mirror {
    fn apply(&mut self, msg: Msg) {
        let key = |r: &PodRow| (r.namespace.to_string(), r.name.to_string());
        match msg {
            Msg::Pods(Change::Reset(rows)) => {
                self.resets += 1;
                let before = rows.len();
                self.rows = rows
                    .iter()
                    .map(|r| (key(r), r.resource_version.to_string()))
                    .collect();
                assert_eq!(
                    self.rows.len(),
                    before,
                    "a re-list must not carry duplicates"
                );
                self.uids = rows.iter().map(|r| (key(r), r.uid.to_string())).collect();
            }
            Msg::Pods(Change::Upsert(r)) => {
                self.rows.insert(key(&r), r.resource_version.to_string());
                self.uids.insert(key(&r), r.uid.to_string());
            }
            Msg::Pods(Change::Delete(r)) => {
                self.rows.remove(&key(&r));
                self.uids.remove(&key(&r));
                self.deleted.push(r.name.to_string());
            }
            Msg::Source(SourceId::Pods, s) => self.states.push(s),
            _ => {}
        }
    }
}

async fn drain_until(
    rx: &mut mpsc::Receiver<Msg>,
    mirror: &mut Mirror,
    secs: u64,
    done: impl Fn(&Mirror) -> bool,
) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    while !done(mirror) {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(m)) => mirror.apply(m),
            Ok(None) => panic!("source ended"),
            Err(_) => panic!("timed out; states so far: {:?}", mirror.states),
        }
    }
}

async fn truth(client: &Client) -> BTreeMap<(String, String), String> {
    Api::<Pod>::namespaced(client.clone(), "trino")
        .list(&ListParams::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|p| {
            (
                (p.metadata.namespace.unwrap(), p.metadata.name.unwrap()),
                p.metadata.resource_version.unwrap(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pod_watch_survives_dropped_watches_expired_history_and_an_outage() {
    let (_lab, client, _dir) = lab_and_client("lakedeck-lab").await;
    let (tx, mut rx) = mpsc::channel(1024);
    let _task = lakedeck::sources::watch_pods(client.clone(), Scope::Namespace("trino".into()), tx);
    let mut m = Mirror::default();
    drain_until(&mut rx, &mut m, 10, |m| m.resets == 1).await;
    assert_eq!(m.rows, truth(&client).await);

    // Dropped watch, then a change: the watcher resumes (no re-list) and sees both the
    // deletion and the StatefulSet's replacement — events that exist only after the drop.
    let worker = ("trino".to_string(), "trino-worker-1".to_string());
    let old_uid = m.uids[&worker].clone();
    fault(&client, "drop-watches").await;
    let pods: Api<Pod> = Api::namespaced(client.clone(), "trino");
    pods.delete("trino-worker-1", &Default::default())
        .await
        .unwrap();
    drain_until(&mut rx, &mut m, 30, |m| {
        m.deleted.iter().any(|n| n == "trino-worker-1")
            && m.uids.get(&worker).is_some_and(|u| *u != old_uid)
    })
    .await;
    assert_eq!(
        m.resets, 1,
        "the watch resumed from its version, not by a re-list"
    );

    // Expired history plus a dropped watch: a re-list, with nothing lost or doubled.
    fault(&client, "expire-history").await;
    fault(&client, "drop-watches").await;
    drain_until(&mut rx, &mut m, 15, |m| m.resets >= 2).await;
    // The restarted pod keeps changing for a while: the mirror must catch up with the lab.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        while let Ok(msg) = rx.try_recv() {
            m.apply(msg);
        }
        let lab = truth(&client).await;
        if m.rows == lab {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "after the re-list the mirror never equalled the lab:\nmirror {:?}\nlab {lab:?}",
            m.rows
        );
        if let Ok(Some(msg)) = tokio::time::timeout(Duration::from_millis(500), rx.recv()).await {
            m.apply(msg);
        }
    }

    // An outage: the source reports it is failing (and why), then recovers.
    let req = http::Request::post("/lakedeck/faults/unavailable?seconds=3")
        .body(Vec::new())
        .unwrap();
    client.request_text(req).await.unwrap();
    drain_until(&mut rx, &mut m, 15, |m| {
        matches!(m.states.last(), Some(SourceState::Failing { .. }))
    })
    .await;
    if let Some(SourceState::Failing {
        reason,
        attempt,
        retry_in_secs,
        ..
    }) = m.states.last()
    {
        assert!(
            reason.contains("503") || reason.contains("ServiceUnavailable"),
            "{reason}"
        );
        assert!(*attempt >= 1 && *retry_in_secs >= 1);
    }
    drain_until(&mut rx, &mut m, 30, |m| {
        matches!(m.states.last(), Some(SourceState::Live))
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_viewer_is_told_it_is_forbidden() {
    let (_lab, viewer, _dir) = lab_and_client("lakedeck-lab-viewer").await;
    let err = Api::<Secret>::namespaced(viewer.clone(), "keycloak")
        .list(&ListParams::default())
        .await
        .unwrap_err();
    let (forbidden, message) = lakedeck::endpoints::explain(&err);
    assert!(forbidden);
    assert!(
        message.starts_with("forbidden:")
            && message.contains("User \"viewer\" cannot list resource \"secrets\""),
        "{message}"
    );
    // Pods are readable, so the cockpit's own watch works for the viewer.
    let (tx, mut rx) = mpsc::channel(1024);
    let _task = lakedeck::sources::watch_pods(viewer, Scope::All, tx);
    let mut m = Mirror::default();
    drain_until(&mut rx, &mut m, 10, |m| m.resets == 1 && !m.rows.is_empty()).await;
}

/// Issue 10 item 2: after an outage a quiet resource (the seed's nodes never change on
/// their own) is live again as soon as its watch is back — the watch being accepted or a
/// bookmark — not when one of its objects next changes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_quiet_source_is_live_again_after_an_outage_although_nothing_changed() {
    let (_lab, client, _dir) = lab_and_client("lakedeck-lab").await;
    let versions = || async {
        Api::<Node>::all(client.clone())
            .list(&ListParams::default())
            .await
            .unwrap()
            .items
            .into_iter()
            .map(|n| {
                (
                    n.metadata.name.unwrap(),
                    n.metadata.resource_version.unwrap(),
                )
            })
            .collect::<BTreeMap<_, _>>()
    };
    let before = versions().await;
    let (tx, mut rx) = mpsc::channel(1024);
    let _task = lakedeck::sources::watch_nodes(client.clone(), tx);
    let mut states = Vec::new();
    let mut changes_while_stale = 0;
    let mut next =
        async |what: &str| match tokio::time::timeout(Duration::from_secs(30), rx.recv()).await {
            Ok(Some(m)) => m,
            Ok(None) => panic!("source ended"),
            Err(_) => panic!("timed out waiting for {what}"),
        };
    loop {
        if let Msg::Nodes(Change::Reset(rows)) = next("the first list").await {
            assert_eq!(rows.len(), before.len());
            break;
        }
    }
    fault(&client, "unavailable?seconds=4").await;
    loop {
        if let Msg::Source(SourceId::Nodes, s) = next("the outage to show").await {
            let failing = matches!(s, SourceState::Failing { .. });
            states.push(s);
            if failing {
                break;
            }
        }
    }
    loop {
        match next("the source to be live again with no node changing").await {
            Msg::Source(SourceId::Nodes, s) => {
                let live = s == SourceState::Live;
                states.push(s);
                if live {
                    break;
                }
            }
            Msg::Nodes(_) => changes_while_stale += 1,
            _ => {}
        }
    }
    assert_eq!(
        changes_while_stale, 0,
        "live again without any node event; states {states:?}"
    );
    assert_eq!(versions().await, before, "the nodes really stayed quiet");
}
