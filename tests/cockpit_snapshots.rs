//! Snapshot tests of every cockpit view at 80x24 and 160x48 with the `default` and `mono`
//! themes: a deterministic state (fixed clock, a small lakehouse cluster with the usual
//! trouble) is driven through `update`/`apply` exactly as the runtime would, drawn with
//! `ui::draw` onto a `TestBackend`, and the text grid is compared with insta. Every
//! source has reported (the five platform feeds too) unless a view is about one that has
//! not, and the runbook views list the shipped runbooks. Since the snapshots are text,
//! further tests check what they cannot: the mono theme (what `NO_COLOR` selects) puts
//! no colour on screen at all, the default theme colours a crash-looping row, and the
//! footers offer no row action where there is no row.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use jiff::{SignedDuration, Timestamp};
use k8s_openapi::api::core::v1::{Node, Pod};
use lakedeck::app::dialog::OpPreview;
use lakedeck::app::keymap::Keymap;
use lakedeck::app::runs::RunbookInfo;
use lakedeck::app::{
    Action, AppState, Change, Connection, Effect, Msg, ObjectRef, Scope, SourceId, SourceState,
    View, apply, update,
};
use lakedeck::model::describe;
use lakedeck::model::nodes::NodeRow;
use lakedeck::model::pods::{Interner, PodRow};
use lakedeck::ops::Confirmation;
use lakedeck::runbook::{Catalog, Note, Question, RunState, RunStatus, StepOutcome, StepState};
use lakedeck::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Color;
use serde_json::{Value, json};

const NOW: &str = "2026-11-21T10:00:00Z";
const SIZES: [(u16, u16); 2] = [(80, 24), (160, 48)];
const THEMES: [&str; 2] = ["default", "mono"];
const GIB: u64 = 1024 * 1024 * 1024;
const MIB: u64 = 1024 * 1024;

fn now() -> Timestamp {
    NOW.parse().unwrap()
}

// ---------------------------------------------------------------------------------------
// Fixtures: a small lakehouse cluster, every name, uid and timestamp fixed.
// ---------------------------------------------------------------------------------------

fn owner(kind: &str, name: &str) -> Value {
    json!([{
        "apiVersion": if kind == "Job" { "batch/v1" } else { "apps/v1" },
        "kind": kind,
        "name": name,
        "uid": format!("owner-{name}"),
        "controller": true,
        "blockOwnerDeletion": true
    }])
}

fn meta(ns: &str, name: &str, created: &str, owner_kind: &str, owner_name: &str) -> Value {
    let app = name.rsplitn(3, '-').last().unwrap_or(name);
    json!({
        "name": name,
        "namespace": ns,
        "uid": format!("0000-{ns}-{name}"),
        "resourceVersion": "4711",
        "creationTimestamp": created,
        "labels": {"app.kubernetes.io/name": app, "app.kubernetes.io/part-of": "lakehouse"},
        "ownerReferences": owner(owner_kind, owner_name)
    })
}

fn container(name: &str, image: &str, cpu: &str, mem: &str) -> Value {
    json!({
        "name": name,
        "image": image,
        "resources": {"requests": {"cpu": cpu, "memory": mem}}
    })
}

fn running_status(name: &str, image: &str, started: &str, restarts: i32) -> Value {
    json!({
        "name": name,
        "image": image,
        "imageID": format!("{image}@sha256:0123"),
        "ready": true,
        "started": true,
        "restartCount": restarts,
        "state": {"running": {"startedAt": started}}
    })
}

fn ready_conditions(ready: bool) -> Value {
    let s = if ready { "True" } else { "False" };
    json!([
        {"type": "PodScheduled", "status": "True"},
        {"type": "Initialized", "status": "True"},
        {"type": "ContainersReady", "status": s},
        {"type": "Ready", "status": s}
    ])
}

/// A healthy single-container pod.
#[allow(clippy::too_many_arguments)]
fn running_pod(
    ns: &str,
    name: &str,
    node: &str,
    ip: &str,
    created: &str,
    owner_kind: &str,
    owner_name: &str,
    image: &str,
) -> Value {
    let c = name.split('-').next().unwrap();
    json!({
        "metadata": meta(ns, name, created, owner_kind, owner_name),
        "spec": {"nodeName": node, "containers": [container(c, image, "500m", "1Gi")]},
        "status": {
            "phase": "Running",
            "podIP": ip,
            "startTime": created,
            "conditions": ready_conditions(true),
            "containerStatuses": [running_status(c, image, created, 0)]
        }
    })
}

fn pod_fixtures() -> Vec<Value> {
    let trino = "trinodb/trino:478";
    let minio = "quay.io/minio/minio:RELEASE.2025-09-07T16-13-09Z";
    vec![
        running_pod(
            "trino",
            "trino-coordinator-6c9f8d7b5-x2k4p",
            "lake-compute-1",
            "10.42.3.11",
            "2026-11-14T08:00:00Z",
            "ReplicaSet",
            "trino-coordinator-6c9f8d7b5",
            trino,
        ),
        running_pod(
            "trino",
            "trino-worker-7d9f6c5b8-4hq2m",
            "lake-compute-1",
            "10.42.3.12",
            "2026-11-20T22:15:00Z",
            "ReplicaSet",
            "trino-worker-7d9f6c5b8",
            trino,
        ),
        running_pod(
            "trino",
            "trino-worker-7d9f6c5b8-9tkzl",
            "lake-compute-2",
            "10.42.4.17",
            "2026-11-20T22:15:00Z",
            "ReplicaSet",
            "trino-worker-7d9f6c5b8",
            trino,
        ),
        running_pod(
            "trino",
            "trino-worker-7d9f6c5b8-m7wxv",
            "lake-compute-3",
            "10.42.5.9",
            "2026-11-20T22:16:00Z",
            "ReplicaSet",
            "trino-worker-7d9f6c5b8",
            trino,
        ),
        running_pod(
            "minio",
            "minio-0",
            "lake-storage-1",
            "10.42.1.5",
            "2026-10-02T12:00:00Z",
            "StatefulSet",
            "minio",
            minio,
        ),
        running_pod(
            "minio",
            "minio-1",
            "lake-storage-2",
            "10.42.2.5",
            "2026-10-02T12:01:00Z",
            "StatefulSet",
            "minio",
            minio,
        ),
        // Crash-looping: 7 restarts, the last exit an Error 2 minutes ago.
        json!({
            "metadata": meta("kafka", "kafka-connect-5b8d9c7f4-qz8rt", "2026-11-21T08:40:00Z", "ReplicaSet", "kafka-connect-5b8d9c7f4"),
            "spec": {"nodeName": "lake-compute-2", "containers": [
                {"name": "connect", "image": "quay.io/strimzi/kafka:0.48.0-kafka-4.1.0",
                 "env": [{"name": "CONNECT_BOOTSTRAP_SERVERS", "value": "kafka-bootstrap:9092"},
                         {"name": "AWS_SECRET_ACCESS_KEY", "valueFrom": {"secretKeyRef": {"name": "minio-creds", "key": "secret"}}}],
                 "resources": {"requests": {"cpu": "1", "memory": "2Gi"}}}
            ]},
            "status": {
                "phase": "Running",
                "podIP": "10.42.4.23",
                "startTime": "2026-11-21T08:40:00Z",
                "conditions": ready_conditions(false),
                "containerStatuses": [{
                    "name": "connect",
                    "image": "quay.io/strimzi/kafka:0.48.0-kafka-4.1.0",
                    "imageID": "quay.io/strimzi/kafka@sha256:0123",
                    "ready": false,
                    "started": false,
                    "restartCount": 7,
                    "state": {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 5m0s restarting failed container=connect pod=kafka-connect-5b8d9c7f4-qz8rt_kafka(0000-kafka-kafka-connect-5b8d9c7f4-qz8rt)"}},
                    "lastState": {"terminated": {"reason": "Error", "exitCode": 1, "startedAt": "2026-11-21T09:57:40Z", "finishedAt": "2026-11-21T09:58:00Z"}}
                }]
            }
        }),
        // Running again after an OOM kill 25 minutes ago (two containers: a log sidecar).
        json!({
            "metadata": meta("airflow", "airflow-scheduler-0", "2026-11-18T06:30:00Z", "StatefulSet", "airflow-scheduler"),
            "spec": {"nodeName": "lake-compute-3", "containers": [
                container("scheduler", "apache/airflow:3.1.2", "1", "4Gi"),
                container("log-groomer", "apache/airflow:3.1.2", "50m", "128Mi")
            ]},
            "status": {
                "phase": "Running",
                "podIP": "10.42.5.14",
                "startTime": "2026-11-18T06:30:00Z",
                "conditions": ready_conditions(true),
                "containerStatuses": [
                    {
                        "name": "log-groomer",
                        "image": "apache/airflow:3.1.2",
                        "imageID": "apache/airflow@sha256:0123",
                        "ready": true,
                        "started": true,
                        "restartCount": 0,
                        "state": {"running": {"startedAt": "2026-11-18T06:30:20Z"}}
                    },
                    {
                        "name": "scheduler",
                        "image": "apache/airflow:3.1.2",
                        "imageID": "apache/airflow@sha256:0123",
                        "ready": true,
                        "started": true,
                        "restartCount": 1,
                        "state": {"running": {"startedAt": "2026-11-21T09:35:05Z"}},
                        "lastState": {"terminated": {"reason": "OOMKilled", "exitCode": 137, "startedAt": "2026-11-18T06:30:20Z", "finishedAt": "2026-11-21T09:35:00Z"}}
                    }
                ]
            }
        }),
        // Pending for 8 minutes: nothing fits it.
        json!({
            "metadata": meta("dbt", "dbt-run-nightly-29876540-7xk2p", "2026-11-21T09:52:00Z", "Job", "dbt-run-nightly-29876540"),
            "spec": {"containers": [container("dbt", "ghcr.io/dbt-labs/dbt-trino:1.9.3", "4", "16Gi")]},
            "status": {
                "phase": "Pending",
                "conditions": [{"type": "PodScheduled", "status": "False", "reason": "Unschedulable",
                    "message": "0/8 nodes are available: 1 node(s) were unschedulable, 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }, 6 Insufficient memory."}]
            }
        }),
        // Finished job: never trouble.
        json!({
            "metadata": meta("dbt", "dbt-docs-build-29876400-k2j9f", "2026-11-21T07:40:00Z", "Job", "dbt-docs-build-29876400"),
            "spec": {"nodeName": "lake-compute-1", "restartPolicy": "Never", "containers": [container("dbt", "ghcr.io/dbt-labs/dbt-trino:1.9.3", "500m", "1Gi")]},
            "status": {
                "phase": "Succeeded",
                "podIP": "10.42.3.40",
                "startTime": "2026-11-21T07:40:00Z",
                "conditions": [
                    {"type": "PodScheduled", "status": "True"},
                    {"type": "Initialized", "status": "True", "reason": "PodCompleted"},
                    {"type": "ContainersReady", "status": "False", "reason": "PodCompleted"},
                    {"type": "Ready", "status": "False", "reason": "PodCompleted"}
                ],
                "containerStatuses": [{
                    "name": "dbt",
                    "image": "ghcr.io/dbt-labs/dbt-trino:1.9.3",
                    "imageID": "ghcr.io/dbt-labs/dbt-trino@sha256:0123",
                    "ready": false,
                    "started": false,
                    "restartCount": 0,
                    "state": {"terminated": {"reason": "Completed", "exitCode": 0, "startedAt": "2026-11-21T07:40:10Z", "finishedAt": "2026-11-21T07:46:30Z"}}
                }]
            }
        }),
        // Deleted 6 minutes ago and still Terminating (stuck on the NotReady node).
        {
            let mut p = running_pod(
                "kafka",
                "kafka-broker-2",
                "lake-compute-3",
                "10.42.5.30",
                "2026-11-03T09:00:00Z",
                "StatefulSet",
                "kafka-broker",
                "quay.io/strimzi/kafka:0.48.0-kafka-4.1.0",
            );
            p["metadata"]["deletionTimestamp"] = json!("2026-11-21T09:54:30Z");
            p["metadata"]["deletionGracePeriodSeconds"] = json!(30);
            p
        },
        // A typo'd image tag.
        json!({
            "metadata": meta("superset", "superset-web-6f7c8d9b4-p5n7s", "2026-11-21T09:41:00Z", "ReplicaSet", "superset-web-6f7c8d9b4"),
            "spec": {"nodeName": "lake-compute-1", "containers": [container("superset", "apache/superset:5.0.1-py3111", "500m", "2Gi")]},
            "status": {
                "phase": "Pending",
                "podIP": "10.42.3.52",
                "startTime": "2026-11-21T09:41:00Z",
                "conditions": ready_conditions(false),
                "containerStatuses": [{
                    "name": "superset",
                    "image": "apache/superset:5.0.1-py3111",
                    "imageID": "",
                    "ready": false,
                    "started": false,
                    "restartCount": 0,
                    "state": {"waiting": {"reason": "ImagePullBackOff", "message": "Back-off pulling image \"apache/superset:5.0.1-py3111\""}}
                }]
            }
        }),
    ]
}

fn pod_objects() -> Vec<Pod> {
    pod_fixtures()
        .into_iter()
        .map(|v| serde_json::from_value(v).unwrap())
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn node_fixture(
    name: &str,
    role: &str,
    cpu: &str,
    mem: &str,
    created: &str,
    ready: &str,
    unschedulable: bool,
    taints: Value,
) -> Value {
    json!({
        "metadata": {
            "name": name,
            "uid": format!("0000-node-{name}"),
            "resourceVersion": "815",
            "creationTimestamp": created,
            "labels": {
                format!("node-role.kubernetes.io/{role}"): "",
                "kubernetes.io/hostname": name,
                "kubernetes.io/os": "linux"
            }
        },
        "spec": {"unschedulable": unschedulable, "taints": taints},
        "status": {
            "conditions": [
                {"type": "MemoryPressure", "status": if ready == "True" { "False" } else { "Unknown" }},
                {"type": "DiskPressure", "status": if ready == "True" { "False" } else { "Unknown" }},
                {"type": "PIDPressure", "status": if ready == "True" { "False" } else { "Unknown" }},
                {"type": "Ready", "status": ready, "reason": if ready == "True" { "KubeletReady" } else { "NodeStatusUnknown" }}
            ],
            "allocatable": {"cpu": cpu, "memory": mem, "pods": "110"},
            "capacity": {"cpu": cpu, "memory": mem, "pods": "110"},
            "addresses": [{"type": "InternalIP", "address": "192.168.10.1"}, {"type": "Hostname", "address": name}],
            "nodeInfo": {
                "kubeletVersion": "v1.33.4",
                "architecture": "amd64", "bootID": "", "containerRuntimeVersion": "containerd://2.1.4",
                "kernelVersion": "6.8.0-85-generic", "kubeProxyVersion": "v1.33.4", "machineID": "",
                "operatingSystem": "linux", "osImage": "Ubuntu 24.04.3 LTS", "systemUUID": ""
            }
        }
    })
}

fn node_objects() -> Vec<Node> {
    let cp_taint =
        json!([{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}]);
    let storage_taint = json!([{"key": "dedicated", "value": "storage", "effect": "NoSchedule"}]);
    let cordoned = json!([{"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule", "timeAdded": "2026-11-21T09:30:00Z"}]);
    let unreachable = json!([
        {"key": "node.kubernetes.io/unreachable", "effect": "NoSchedule", "timeAdded": "2026-11-21T09:50:00Z"},
        {"key": "node.kubernetes.io/unreachable", "effect": "NoExecute", "timeAdded": "2026-11-21T09:50:05Z"}
    ]);
    let t0 = "2026-03-02T09:00:00Z";
    [
        node_fixture(
            "lake-cp-1",
            "control-plane",
            "4",
            "16Gi",
            t0,
            "True",
            false,
            cp_taint.clone(),
        ),
        node_fixture(
            "lake-cp-2",
            "control-plane",
            "4",
            "16Gi",
            t0,
            "True",
            false,
            cp_taint.clone(),
        ),
        node_fixture(
            "lake-cp-3",
            "control-plane",
            "4",
            "16Gi",
            t0,
            "True",
            false,
            cp_taint,
        ),
        node_fixture(
            "lake-storage-1",
            "storage",
            "8",
            "32Gi",
            "2026-03-02T09:20:00Z",
            "True",
            false,
            storage_taint.clone(),
        ),
        node_fixture(
            "lake-storage-2",
            "storage",
            "8",
            "32Gi",
            "2026-03-02T09:20:00Z",
            "True",
            false,
            storage_taint,
        ),
        node_fixture(
            "lake-compute-1",
            "compute",
            "16",
            "64Gi",
            "2026-09-14T11:00:00Z",
            "True",
            false,
            json!([]),
        ),
        node_fixture(
            "lake-compute-2",
            "compute",
            "16",
            "64Gi",
            "2026-09-14T11:00:00Z",
            "True",
            true,
            cordoned,
        ),
        node_fixture(
            "lake-compute-3",
            "compute",
            "16",
            "64Gi",
            "2026-09-14T11:00:00Z",
            "Unknown",
            false,
            unreachable,
        ),
    ]
    .into_iter()
    .map(|v| serde_json::from_value(v).unwrap())
    .collect()
}

fn node_usage() -> HashMap<String, (u64, u64)> {
    // lake-compute-3 is NotReady: the metrics API has nothing for it.
    [
        ("lake-cp-1", 820, 5 * GIB),
        ("lake-cp-2", 640, 4 * GIB + 512 * MIB),
        ("lake-cp-3", 710, 4 * GIB + 768 * MIB),
        ("lake-storage-1", 2_950, 21 * GIB),
        ("lake-storage-2", 2_400, 19 * GIB),
        ("lake-compute-1", 11_300, 41 * GIB),
        ("lake-compute-2", 6_200, 27 * GIB),
    ]
    .into_iter()
    .map(|(n, c, m)| (n.to_string(), (c, m)))
    .collect()
}

/// Usage as metrics-server reports it: nothing for pods with no running container
/// (Pending, ImagePullBackOff, Completed, Terminating) or on the NotReady node.
fn pod_usage(rows: &[PodRow]) -> HashMap<(lakedeck::model::pods::Shared, Box<str>), (u64, u64)> {
    let usage: HashMap<&str, (u64, u64)> = [
        ("trino-coordinator-6c9f8d7b5-x2k4p", (1_240, 6 * GIB)),
        ("trino-worker-7d9f6c5b8-4hq2m", (3_870, 14 * GIB)),
        (
            "trino-worker-7d9f6c5b8-9tkzl",
            (3_410, 13 * GIB + 300 * MIB),
        ),
        ("minio-0", (420, 3 * GIB)),
        ("minio-1", (385, 2 * GIB + 900 * MIB)),
        ("airflow-scheduler-0", (910, 3 * GIB + 200 * MIB)),
        ("kafka-connect-5b8d9c7f4-qz8rt", (3, 180 * MIB)),
    ]
    .into_iter()
    .collect();
    rows.iter()
        .filter_map(|r| usage.get(&*r.name).map(|u| (r.key(), *u)))
        .collect()
}

// ---------------------------------------------------------------------------------------
// State and rendering.
// ---------------------------------------------------------------------------------------

/// The cockpit as the runtime leaves it once every source has reported: Kubernetes and
/// the five platform feeds (MinIO, Trino, Kafka, Velero, alerts).
fn cockpit() -> AppState {
    cockpit_without(&[])
}

/// The same, except for the platform sources in `missing`, which never delivered data
/// (each such view then says why, e.g. not configured or not installed).
fn cockpit_without(missing: &[SourceId]) -> AppState {
    let mut state = kubernetes_cockpit();
    let feeds: [(SourceId, Msg); 5] = [
        (SourceId::Minio, Msg::Minio(Ok(minio_summary()))),
        (SourceId::Trino, Msg::Trino(Ok(trino_summary()))),
        (SourceId::Kafka, Msg::Kafka(Ok(kafka_rows()))),
        (SourceId::Velero, Msg::Velero(Ok(velero_snapshot()))),
        (SourceId::Alerts, Msg::Alerts(Ok(alerts_snapshot()))),
    ];
    for (id, msg) in feeds {
        if !missing.contains(&id) {
            update(&mut state, msg);
        }
    }
    state.prepare();
    state
}

/// Only the Kubernetes sources (pods, nodes, metrics) have reported.
fn kubernetes_cockpit() -> AppState {
    let mut state = AppState::new(
        Connection {
            context: "lakedeck-lab".into(),
            server: "https://127.0.0.1:6443".into(),
            user: Some("admin".into()),
            readonly: false,
        },
        Scope::All,
        Keymap::default(),
        vec!["trino".into()],
        10_000,
    );
    state.now = now();
    let mut interner = Interner::default();
    let rows: Vec<PodRow> = pod_objects()
        .iter()
        .map(|p| PodRow::from_pod(p, &mut interner))
        .collect();
    let usage = pod_usage(&rows);
    let node_rows: Vec<NodeRow> = node_objects().iter().map(NodeRow::from_node).collect();
    update(&mut state, Msg::Pods(Change::Reset(rows)));
    update(&mut state, Msg::Nodes(Change::Reset(node_rows)));
    update(&mut state, Msg::NodeMetrics(node_usage()));
    update(&mut state, Msg::PodMetrics(usage));
    update(&mut state, Msg::Source(SourceId::Pods, SourceState::Live));
    update(&mut state, Msg::Source(SourceId::Nodes, SourceState::Live));
    update(
        &mut state,
        Msg::Source(SourceId::Metrics, SourceState::Live),
    );
    state.prepare();
    state
}

fn theme(name: &str) -> Theme {
    Theme::load(name, false).unwrap()
}

fn typed(state: &mut AppState, text: &str) {
    for c in text.chars() {
        update(
            state,
            Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)),
        );
    }
}

fn render(state: &mut AppState, theme: &Theme, w: u16, h: u16) -> Terminal<TestBackend> {
    update(state, Msg::Resize(w, h));
    state.prepare();
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal
        .draw(|f| lakedeck::ui::draw(state, theme, f))
        .unwrap();
    terminal
}

/// Snapshots the state `setup` builds at both sizes and with both themes, as
/// `<view>_<w>x<h>_<theme>`.
fn snapshot_view(view: &str, setup: impl Fn() -> AppState) {
    for (w, h) in SIZES {
        for theme_name in THEMES {
            let mut state = setup();
            let terminal = render(&mut state, &theme(theme_name), w, h);
            insta::assert_snapshot!(
                format!("{view}_{w}x{h}_{theme_name}"),
                terminal.backend().to_string()
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// The views.
// ---------------------------------------------------------------------------------------

fn pods_view() -> AppState {
    let mut state = cockpit();
    apply(&mut state, Action::Pods);
    state.prepare();
    state
}

fn filtered_pods_view() -> AppState {
    let mut state = pods_view();
    apply(&mut state, Action::Filter);
    typed(&mut state, "trino");
    state.prepare();
    state
}

fn nodes_view() -> AppState {
    let mut state = cockpit();
    apply(&mut state, Action::Nodes);
    state.prepare();
    state
}

fn describe_view() -> AppState {
    let mut state = pods_view();
    let effects = apply(&mut state, Action::Describe);
    let Some(Effect::FetchDescribe(ObjectRef::Pod { namespace, name })) = effects.first() else {
        panic!("describe on the pods view should fetch a pod, got {effects:?}");
    };
    let pod = pod_objects()
        .into_iter()
        .find(|p| {
            p.metadata.namespace.as_deref() == Some(namespace)
                && p.metadata.name.as_deref() == Some(name)
        })
        .unwrap();
    let View::Detail { title, .. } = state.view().clone() else {
        panic!("describe should push a detail view");
    };
    let lines = describe::pod(&pod, &[], state.now);
    update(
        &mut state,
        Msg::Detail {
            title,
            result: Ok(lines),
        },
    );
    state.prepare();
    state
}

fn logs_view() -> AppState {
    let mut state = pods_view();
    apply(&mut state, Action::Logs);
    let View::Logs(logs) = state.view().clone() else {
        panic!("logs should push a logs view");
    };
    let lines = [
        "2026-11-21 09:57:40,112 INFO Kafka Connect worker initializing ... (org.apache.kafka.connect.cli.AbstractConnectCli)",
        "2026-11-21 09:57:40,530 INFO WorkerInfo values: jvm.args = -Xms1g, -Xmx1g (org.apache.kafka.connect.runtime.WorkerInfo)",
        "2026-11-21 09:57:41,204 INFO Scanning for plugin classes. This might take a moment ...",
        "2026-11-21 09:57:44,871 INFO Loading plugin from: /opt/kafka/plugins/iceberg-kafka-connect",
        "2026-11-21 09:57:47,015 INFO Registered loader: PluginClassLoader{pluginLocation=file:/opt/kafka/plugins/iceberg-kafka-connect/}",
        "2026-11-21 09:57:52,330 INFO Kafka version: 4.1.0",
        "2026-11-21 09:57:53,902 INFO [Worker clientId=connect-1, groupId=lakehouse-connect] Discovered group coordinator kafka-broker-2:9092",
        "2026-11-21 09:57:55,118 WARN [Worker clientId=connect-1, groupId=lakehouse-connect] Connection to node 2 (kafka-broker-2/10.42.5.30:9092) could not be established.",
        "2026-11-21 09:57:58,447 ERROR Failed to start connector iceberg-sink (org.apache.kafka.connect.runtime.Worker)",
        "org.apache.kafka.connect.errors.ConnectException: Unable to reach S3 endpoint http://minio.minio.svc:9000",
        "\tat io.tabular.iceberg.connect.IcebergSinkConnector.start(IcebergSinkConnector.java:62)",
        "\tat org.apache.kafka.connect.runtime.WorkerConnector.doStart(WorkerConnector.java:190)",
        "2026-11-21 09:57:59,990 INFO Kafka Connect stopping",
        "2026-11-21 09:58:00,003 INFO Kafka Connect stopped",
    ];
    update(
        &mut state,
        Msg::LogLines {
            generation: logs.request.generation,
            lines: lines.iter().map(|l| (*l).to_string()).collect(),
        },
    );
    state.prepare();
    state
}

fn help_view() -> AppState {
    let mut state = cockpit();
    apply(&mut state, Action::Help);
    state
}

fn stale_pods_view() -> AppState {
    let mut state = pods_view();
    update(
        &mut state,
        Msg::Source(
            SourceId::Pods,
            SourceState::Failing {
                reason: "connection refused".into(),
                attempt: 3,
                retry_in_secs: 8,
                since: now() - SignedDuration::from_mins(2),
            },
        ),
    );
    state.prepare();
    state
}

fn metrics_unavailable_nodes_view() -> AppState {
    let mut state = nodes_view();
    update(
        &mut state,
        Msg::Source(
            SourceId::Metrics,
            SourceState::Unavailable(
                "the metrics API (metrics.k8s.io) is not installed — deploy metrics-server".into(),
            ),
        ),
    );
    state.prepare();
    state
}

#[test]
fn overview() {
    snapshot_view("overview", cockpit);
}

#[test]
fn pods() {
    snapshot_view("pods", pods_view);
}

#[test]
fn pods_filtered() {
    snapshot_view("pods_filtered_trino", filtered_pods_view);
}

#[test]
fn nodes() {
    snapshot_view("nodes", nodes_view);
}

#[test]
fn describe() {
    snapshot_view("describe_pod", describe_view);
}

#[test]
fn logs() {
    snapshot_view("logs", logs_view);
}

#[test]
fn help() {
    snapshot_view("help", help_view);
}

#[test]
fn pods_stale() {
    snapshot_view("pods_stale", stale_pods_view);
}

#[test]
fn nodes_metrics_unavailable() {
    snapshot_view("nodes_metrics_unavailable", metrics_unavailable_nodes_view);
}

// ---------------------------------------------------------------------------------------
// Platform panes: MinIO, Trino, Kafka, Velero, alerts — realistic data with the usual
// trouble (a drive offline, a Trino backlog, a −1 partition, a missed backup, a
// suppressed alert, a NaN sample), plus stale and not-configured sources.
// ---------------------------------------------------------------------------------------

use lakedeck::model::alerts::{AlertOrigin, AlertRow, AlertsSnapshot, SilenceRow};
use lakedeck::model::kafka::KafkaLagRow;
use lakedeck::model::minio::{self, BucketUsage, MinioSummary};
use lakedeck::model::trino::{TrinoInfo, TrinoQuery, TrinoQueryDetail, TrinoSummary};
use lakedeck::model::velero::VeleroSnapshot;

const TIB: f64 = 1024.0 * 1024.0 * 1024.0 * 1024.0;

fn minio_summary() -> MinioSummary {
    let bucket = |name: &str, tib: f64, objects: f64| BucketUsage {
        name: name.into(),
        bytes: Some(tib * TIB),
        objects: Some(objects),
    };
    let mut buckets = vec![
        bucket("bronze", 14.2, 1_204_332.0),
        bucket("silver", 9.8, 402_118.0),
        bucket("backups", 3.9, 18_220.0),
        bucket("gold", 3.1, 88_412.0),
        BucketUsage {
            name: "scratch".into(),
            bytes: Some(f64::NAN),
            objects: Some(f64::NAN),
        },
    ];
    minio::sort_buckets(&mut buckets);
    let free = 9.2 * TIB;
    MinioSummary {
        usable_total: Some(40.0 * TIB),
        usable_free: Some(free),
        raw_total: Some(80.0 * TIB),
        raw_free: Some(18.4 * TIB),
        buckets,
        nodes_online: Some(4.0),
        nodes_offline: Some(0.0),
        drives_online: Some(15.0),
        drives_offline: Some(1.0),
        healing_drives: Some(1.0),
        s3_5xx_rate: Some(0.02),
        forecast: minio::forecast(Some(free), Some(free - 0.7 * TIB)),
    }
}

#[allow(clippy::too_many_arguments)]
fn query_fixture(
    id: &str,
    state: &str,
    user: &str,
    source: &str,
    queued: &str,
    elapsed: &str,
    memory: &str,
    query: &str,
) -> TrinoQuery {
    TrinoQuery::from_basic_info(&json!({
        "queryId": id,
        "session": {"user": user, "source": source},
        "resourceGroupId": ["global", if user == "etl" { "etl" } else { "adhoc" }],
        "state": state,
        "query": query,
        "queryStats": {"queuedTime": queued, "elapsedTime": elapsed,
            "totalMemoryReservation": memory, "fullyBlocked": state == "RUNNING" && user == "bi"}
    }))
    .unwrap()
}

fn trino_summary() -> TrinoSummary {
    let mut queries = vec![
        query_fixture(
            "20261121_095812_00231_x7k2q",
            "RUNNING",
            "etl",
            "airflow",
            "0.12s",
            "12.40m",
            "18.20GB",
            "INSERT INTO iceberg.silver.orders SELECT o.*, c.segment FROM iceberg.bronze.orders o JOIN iceberg.bronze.customers c ON o.customer_id = c.id",
        ),
        query_fixture(
            "20261121_095931_00240_x7k2q",
            "QUEUED",
            "etl",
            "airflow",
            "6.50m",
            "6.50m",
            "0B",
            "MERGE INTO iceberg.gold.daily_revenue t USING (SELECT day, sum(amount) AS revenue FROM iceberg.silver.orders GROUP BY 1) s ON t.day = s.day WHEN MATCHED THEN UPDATE SET revenue = s.revenue",
        ),
        query_fixture(
            "20261121_095955_00244_x7k2q",
            "QUEUED",
            "analyst",
            "superset",
            "4.05m",
            "4.05m",
            "0B",
            "SELECT region, count(*) FROM iceberg.gold.customers GROUP BY region",
        ),
        query_fixture(
            "20261121_095702_00219_x7k2q",
            "RUNNING",
            "bi",
            "superset",
            "1.20s",
            "3.10m",
            "2.40GB",
            "SELECT * FROM iceberg.gold.daily_revenue ORDER BY day DESC LIMIT 1000",
        ),
        query_fixture(
            "20261121_095501_00201_x7k2q",
            "FAILED",
            "dbt",
            "dbt-trino",
            "0.00ns",
            "45.20s",
            "0B",
            "CREATE TABLE iceberg.silver.tmp_sessions AS SELECT * FROM iceberg.bronze.sessions",
        ),
        query_fixture(
            "20261121_095300_00190_x7k2q",
            "FINISHED",
            "etl",
            "airflow",
            "0.02s",
            "1.12m",
            "0B",
            "DELETE FROM iceberg.bronze.events WHERE event_date < DATE '2026-08-01'",
        ),
    ];
    lakedeck::model::trino::sort_queries(&mut queries);
    let (running, queued, blocked) = TrinoSummary::counts_from_queries(&queries);
    TrinoSummary {
        info: Some(TrinoInfo {
            version: "478".into(),
            environment: "production".into(),
            coordinator: true,
            starting: false,
            uptime: "3.20d".into(),
            state: Some("ACTIVE".into()),
        }),
        active_nodes: Some(3.0),
        running: Some(running + 2),
        queued: Some(queued + 10),
        blocked: Some(blocked),
        queries,
        queries_error: None,
    }
}

fn kafka_rows() -> Vec<KafkaLagRow> {
    let row = |group: &str,
               topic: &str,
               lag: f64,
               max: f64,
               uncommitted: u32,
               members: f64,
               consume: f64,
               produce: f64,
               history: Vec<f64>| {
        let mut r = KafkaLagRow::new(group, topic);
        r.lag = Some(lag);
        r.max_partition_lag = Some(max);
        r.uncommitted_partitions = uncommitted;
        r.members = Some(members);
        r.consume_rate = Some(consume);
        r.produce_rate = Some(produce);
        r.history = history;
        r.update_eta();
        r
    };
    let growing: Vec<f64> = (0..60)
        .map(|i| 200_000.0 + f64::from(i) * 17_500.0)
        .collect();
    let spike: Vec<f64> = (0..60)
        .map(|i| {
            if (20..40).contains(&i) {
                90_000.0 - f64::from(i - 20) * 2_000.0
            } else {
                40_000.0
            }
        })
        .collect();
    vec![
        row(
            "lakehouse-connect",
            "orders.cdc",
            1_250_000.0,
            410_000.0,
            0,
            3.0,
            850.0,
            1200.0,
            growing,
        ),
        row(
            "flink-enrich",
            "clickstream",
            42_000.0,
            9_000.0,
            2,
            4.0,
            5200.0,
            4900.0,
            spike,
        ),
        row(
            "spark-payments",
            "payments",
            f64::NAN,
            f64::NAN,
            0,
            2.0,
            120.0,
            118.0,
            vec![5.0, f64::NAN, 7.0],
        ),
        row(
            "dbt-audit",
            "audit.events",
            0.0,
            0.0,
            0,
            1.0,
            12.0,
            12.0,
            vec![0.0; 60],
        ),
    ]
}

fn velero_snapshot() -> VeleroSnapshot {
    let backup = |name: &str,
                  schedule: &str,
                  phase: &str,
                  start: &str,
                  end: Option<&str>,
                  done: u64,
                  total: u64,
                  errors: u64,
                  location: &str| {
        json!({
            "metadata": {"name": name, "labels": {"velero.io/schedule-name": schedule}, "creationTimestamp": start},
            "spec": {"storageLocation": location},
            "status": {"phase": phase, "startTimestamp": start, "completionTimestamp": end,
                       "expiration": "2026-12-21T02:00:00Z", "errors": errors, "warnings": if errors > 0 { 1 } else { 0 },
                       "progress": {"itemsBackedUp": done, "totalItems": total}}
        })
    };
    let schedules = [
        json!({"metadata": {"name": "nightly"}, "spec": {"schedule": "0 2 * * *"}, "status": {"lastBackup": "2026-11-21T02:00:00Z"}}),
        json!({"metadata": {"name": "lake-hourly"}, "spec": {"schedule": "@every 1h"}, "status": {"lastBackup": "2026-11-21T09:05:00Z"}}),
        json!({"metadata": {"name": "weekly-archive"}, "spec": {"schedule": "0 3 * * SUN", "paused": true}, "status": {"lastBackup": "2026-11-16T03:00:00Z"}}),
    ];
    let backups = [
        backup(
            "lake-hourly-20261121090500",
            "lake-hourly",
            "InProgress",
            "2026-11-21T09:58:00Z",
            None,
            812,
            2210,
            0,
            "default",
        ),
        backup(
            "lake-hourly-20261121085500",
            "lake-hourly",
            "Completed",
            "2026-11-21T09:05:00Z",
            Some("2026-11-21T09:11:40Z"),
            2208,
            2208,
            0,
            "default",
        ),
        backup(
            "nightly-20261121020000",
            "nightly",
            "Failed",
            "2026-11-21T02:00:00Z",
            Some("2026-11-21T02:03:10Z"),
            140,
            5120,
            3,
            "default",
        ),
        backup(
            "nightly-20261120020000",
            "nightly",
            "PartiallyFailed",
            "2026-11-20T02:00:00Z",
            Some("2026-11-20T02:41:00Z"),
            5090,
            5120,
            2,
            "default",
        ),
        backup(
            "nightly-20261119020000",
            "nightly",
            "Completed",
            "2026-11-19T02:00:00Z",
            Some("2026-11-19T02:38:12Z"),
            5101,
            5101,
            0,
            "offsite",
        ),
    ];
    let restores = [json!({
        "metadata": {"name": "drill-20261120"},
        "spec": {"backupName": "nightly-20261119020000"},
        "status": {"phase": "Completed", "startTimestamp": "2026-11-20T14:00:00Z", "completionTimestamp": "2026-11-20T14:12:00Z",
                   "progress": {"itemsRestored": 5101, "totalItems": 5101}, "warnings": 4}
    })];
    let locations = [
        json!({"metadata": {"name": "default"}, "spec": {"default": true}, "status": {"phase": "Available", "lastValidationTime": "2026-11-21T09:59:30Z"}}),
        json!({"metadata": {"name": "offsite"}, "status": {"phase": "Unavailable", "lastValidationTime": "2026-11-21T09:59:30Z",
            "message": "BackupStorageLocation \"offsite\" is unavailable: rpc error: AccessDenied: Access Denied"}}),
    ];
    VeleroSnapshot::from_objects(&schedules, &backups, &restores, &locations, now())
}

fn alerts_snapshot() -> AlertsSnapshot {
    let alert = |name: &str,
                 severity: &str,
                 pane: &str,
                 state: &str,
                 starts: &str,
                 fp: &str,
                 extra: Value,
                 summary: &str,
                 runbook: &str| {
        let mut labels = json!({"alertname": name, "severity": severity, "lakedeck_pane": pane});
        if let (Some(l), Some(e)) = (labels.as_object_mut(), extra.as_object()) {
            l.extend(e.clone());
        }
        AlertRow::from_alertmanager(&json!({
            "labels": labels,
            "annotations": {"summary": summary, "runbook": runbook},
            "startsAt": starts, "endsAt": "2026-11-21T10:05:00Z", "updatedAt": starts,
            "fingerprint": fp, "receivers": [{"name": "pager"}],
            "status": {"state": state,
                       "silencedBy": if state == "suppressed" { json!(["4b1f0c2e-93aa-4f1e-b6f1-0a6c2bd1e001"]) } else { json!([]) },
                       "inhibitedBy": [], "mutedBy": []}
        }))
        .unwrap()
    };
    AlertsSnapshot {
        origin: AlertOrigin::Alertmanager,
        alerts: vec![
            alert("TrinoQueueHigh", "warning", "trino", "active", "2026-11-21T09:41:00Z", "a1",
                json!({"namespace": "trino"}), "12 Trino queries queued for more than 5 minutes", "trino-scale-up"),
            alert("MinioDriveOffline", "critical", "minio", "active", "2026-11-21T09:12:00Z", "a2",
                json!({"server": "minio-2.minio:9000"}), "1 MinIO drive offline", "minio-drive-replace"),
            alert("VeleroBackupMissed", "critical", "velero", "active", "2026-11-21T08:00:00Z", "a3",
                json!({"schedule": "nightly"}), "No successful nightly backup for 55h", "velero-backup-missed"),
            alert("KafkaConsumerLagHigh", "warning", "kafka", "suppressed", "2026-11-21T07:30:00Z", "a4",
                json!({"consumergroup": "lakehouse-connect", "topic": "orders.cdc"}), "Consumer group lakehouse-connect is 1.2M behind and growing", "kafka-lag"),
            alert("KubePodCrashLooping", "warning", "pods", "active", "2026-11-21T08:40:00Z", "a5",
                json!({"namespace": "kafka", "pod": "kafka-connect-5b8d9c7f4-qz8rt"}), "Pod kafka/kafka-connect-5b8d9c7f4-qz8rt is crash looping", "pod-crashloop"),
            alert("KubePodCrashLooping", "warning", "pods", "active", "2026-11-21T09:50:00Z", "a6",
                json!({"namespace": "trino", "pod": "trino-worker-7d9f6c5b8-9tkzl"}), "Pod trino/trino-worker-7d9f6c5b8-9tkzl is crash looping", "pod-crashloop"),
        ],
        silences: vec![
            SilenceRow::from_alertmanager(&json!({
                "id": "4b1f0c2e-93aa-4f1e-b6f1-0a6c2bd1e001", "status": {"state": "active"},
                "matchers": [{"name": "alertname", "value": "KafkaConsumerLagHigh", "isRegex": false, "isEqual": true},
                             {"name": "consumergroup", "value": "lakehouse-connect", "isRegex": false}],
                "startsAt": "2026-11-21T07:35:00Z", "endsAt": "2026-11-21T12:00:00Z",
                "createdBy": "alice", "comment": "connector upgrade in progress, lag expected"
            })).unwrap(),
            SilenceRow::from_alertmanager(&json!({
                "id": "77aa01d3-0c4e-4a55-9d0f-5e2c1f3b9a10", "status": {"state": "expired"},
                "matchers": [{"name": "namespace", "value": "dbt|airflow", "isRegex": true}],
                "startsAt": "2026-11-20T22:00:00Z", "endsAt": "2026-11-21T06:00:00Z",
                "createdBy": "bob", "comment": "nightly maintenance window"
            })).unwrap(),
        ],
    }
}

fn platform_cockpit() -> AppState {
    cockpit()
}

fn platform_view(action: Action) -> AppState {
    let mut state = platform_cockpit();
    apply(&mut state, action);
    state.prepare();
    state
}

fn minio_view() -> AppState {
    platform_view(Action::Minio)
}

fn trino_view() -> AppState {
    platform_view(Action::Trino)
}

fn trino_query_view() -> AppState {
    let mut state = trino_view();
    let effects = apply(&mut state, Action::Enter);
    let Some(Effect::FetchTrinoQuery(id)) = effects.first().cloned() else {
        panic!("enter on a query should fetch it, got {effects:?}");
    };
    let info = json!({
        "queryId": id, "state": "QUEUED", "queryType": "MERGE",
        "session": {"user": "etl", "source": "airflow", "catalog": "iceberg", "schema": "gold"},
        "resourceGroupId": ["global", "etl"],
        "query": "MERGE INTO iceberg.gold.daily_revenue t\nUSING (SELECT day, sum(amount) AS revenue FROM iceberg.silver.orders GROUP BY 1) s\nON t.day = s.day\nWHEN MATCHED THEN UPDATE SET revenue = s.revenue",
        "queryStats": {"createTime": "2026-11-21T09:59:31.204Z", "queuedTime": "6.50m", "elapsedTime": "6.50m",
            "executionTime": "0.00ns", "totalCpuTime": "0.00ns", "totalMemoryReservation": "0B",
            "peakTotalMemoryReservation": "0B", "rawInputDataSize": "0B", "fullyBlocked": false}
    });
    update(
        &mut state,
        Msg::TrinoQuery {
            id,
            result: Ok(TrinoQueryDetail::from_query_info(&info)),
        },
    );
    state.prepare();
    state
}

fn kafka_view() -> AppState {
    platform_view(Action::Kafka)
}

/// Kafka's poll failed after data arrived: the rows stay, marked stale with the error.
fn kafka_stale_view() -> AppState {
    let mut state = platform_cockpit();
    state.now = now() + SignedDuration::from_mins(2);
    update(
        &mut state,
        Msg::Kafka(Err(
            "Prometheus at https://127.0.0.1:8443/prometheus: timeout: query timed out in expression evaluation".into(),
        )),
    );
    apply(&mut state, Action::Kafka);
    state.prepare();
    state
}

fn velero_view() -> AppState {
    platform_view(Action::Velero)
}

fn velero_unavailable_view() -> AppState {
    let mut state = cockpit_without(&[SourceId::Velero]);
    update(
        &mut state,
        Msg::Source(
            SourceId::Velero,
            SourceState::Unavailable(
                "the Velero CRDs (velero.io/v1 schedules, backups) are not served by this cluster — install Velero, or ignore this pane".into(),
            ),
        ),
    );
    apply(&mut state, Action::Velero);
    state.prepare();
    state
}

fn trino_unavailable_view() -> AppState {
    let mut state = cockpit_without(&[SourceId::Trino]);
    update(
        &mut state,
        Msg::Source(
            SourceId::Trino,
            SourceState::Unavailable(
                "no Trino endpoint for context lakedeck-lab — set endpoints.trino in ~/.config/lakedeck/config.yaml or pass --trino https://host:8443".into(),
            ),
        ),
    );
    apply(&mut state, Action::Trino);
    state.prepare();
    state
}

fn alerts_view() -> AppState {
    platform_view(Action::Alerts)
}

fn silences_view() -> AppState {
    platform_view(Action::Silences)
}

/// The overview with every platform block filled, Kafka stale and Trino not configured.
fn overview_platform() -> AppState {
    let mut state = platform_cockpit();
    state.now = now() + SignedDuration::from_mins(3);
    update(
        &mut state,
        Msg::Kafka(Err(
            "Prometheus at https://127.0.0.1:8443/prometheus: connection refused".into(),
        )),
    );
    state.prepare();
    state
}

#[test]
fn minio() {
    snapshot_view("minio", minio_view);
}

#[test]
fn trino() {
    snapshot_view("trino", trino_view);
}

#[test]
fn trino_query() {
    snapshot_view("trino_query", trino_query_view);
}

#[test]
fn trino_unavailable() {
    snapshot_view("trino_unavailable", trino_unavailable_view);
}

#[test]
fn kafka() {
    snapshot_view("kafka", kafka_view);
}

#[test]
fn kafka_stale() {
    snapshot_view("kafka_stale", kafka_stale_view);
}

#[test]
fn velero() {
    snapshot_view("velero", velero_view);
}

#[test]
fn velero_unavailable() {
    snapshot_view("velero_unavailable", velero_unavailable_view);
}

#[test]
fn alerts() {
    snapshot_view("alerts", alerts_view);
}

#[test]
fn silences() {
    snapshot_view("silences", silences_view);
}

#[test]
fn overview_with_platform() {
    snapshot_view("overview_platform", overview_platform);
}

/// Enter on the Trino alert opens the Trino view; esc returns to the alerts.
#[test]
fn alert_enter_jumps_to_its_pane() {
    let mut state = alerts_view();
    let names: Vec<String> = state
        .platform
        .alert_rows
        .window(0, 100)
        .map(|r| r.row.name.clone())
        .collect();
    let trino = names.iter().position(|n| n == "TrinoQueueHigh").unwrap();
    for _ in 0..trino {
        apply(&mut state, Action::Down);
    }
    apply(&mut state, Action::Enter);
    assert_eq!(state.view(), &View::Trino);
    apply(&mut state, Action::Back);
    assert_eq!(state.view(), &View::Alerts);
}

#[test]
fn terminal_too_small() {
    let mut state = cockpit();
    let terminal = render(&mut state, &theme("default"), 50, 10);
    insta::assert_snapshot!("too_small_50x10", terminal.backend().to_string());
}

// ---------------------------------------------------------------------------------------
// Actions: the op dialog, forms, runbooks and a run.
// ---------------------------------------------------------------------------------------

fn key(state: &mut AppState, code: KeyCode) -> Vec<Effect> {
    let m = match code {
        KeyCode::Char(c) if c.is_ascii_uppercase() => KeyModifiers::SHIFT,
        _ => KeyModifiers::NONE,
    };
    let effects = update(state, Msg::Key(KeyEvent::new(code, m)));
    state.prepare();
    effects
}

/// The id of the one PrepareOp among `effects` (write pre-checks aside).
fn prepared_id(effects: &[Effect]) -> u64 {
    let prepared: Vec<_> = effects
        .iter()
        .filter(|e| !matches!(e, Effect::CheckWrites(_)))
        .collect();
    match prepared.as_slice() {
        [Effect::PrepareOp { id, .. }] => *id,
        other => panic!("expected PrepareOp, got {other:?}"),
    }
}

/// `c` on the first node: the dialog with the dry run's preview, asking y/n.
fn cordon_dialog() -> AppState {
    let mut state = nodes_view();
    let id = prepared_id(&key(&mut state, KeyCode::Char('c')));
    update(
        &mut state,
        Msg::OpPrepared {
            id,
            result: Ok(OpPreview {
                summary: "cordon node lake-compute-1".into(),
                lines: vec!["node lake-compute-1: schedulable → unschedulable".into()],
                confirmation: Confirmation::YesNo,
            }),
        },
    );
    state
}

/// `D` (drain): a typed confirmation, half typed.
fn drain_dialog() -> AppState {
    let mut state = nodes_view();
    let id = prepared_id(&key(&mut state, KeyCode::Char('D')));
    update(
        &mut state,
        Msg::OpPrepared {
            id,
            result: Ok(OpPreview {
                summary: "drain node lake-compute-1 (cordon, then evict its pods)".into(),
                lines: vec![
                    "node lake-compute-1: schedulable → unschedulable".into(),
                    "evict 3 pods: trino/trino-coordinator-6c9f8d7b5-x2k4p, trino/trino-worker-7d9f6c5b8-4hq2m, minio/datalake-pool-0-0".into(),
                    "PodDisruptionBudget trino/trino-worker allows 1 disruption".into(),
                ],
                confirmation: Confirmation::TypeName("lake-compute-1".into()),
            }),
        },
    );
    typed(&mut state, "lake-comp");
    state
}

/// Read-only: the same key opens the dialog, which only says why not — as the op gate
/// answers it (the gate refuses and audits; the app never refuses on its own).
fn readonly_dialog() -> AppState {
    let mut state = nodes_view();
    state.connection.readonly = true;
    let id = prepared_id(&key(&mut state, KeyCode::Char('c')));
    update(
        &mut state,
        Msg::OpPrepared {
            id,
            result: Err(lakedeck::app::dialog::OpRefusal::ReadOnly(
                "read-only: cordon is a write and lakedeck runs read-only here (--readonly or `readonly: true` for context lab) — restart without it to act".into(),
            )),
        },
    );
    state.prepare();
    state
}

/// `S` on the Trino alert: matchers from its labels, duration, the comment being typed.
fn silence_form() -> AppState {
    let mut state = alerts_view();
    let trino = state
        .platform
        .alert_rows
        .window(0, 100)
        .position(|r| r.row.name == "TrinoQueueHigh")
        .unwrap();
    for _ in 0..trino {
        apply(&mut state, Action::Down);
    }
    key(&mut state, KeyCode::Char('S'));
    typed(&mut state, "adding workers (trino-scale-up)");
    state
}

/// The shipped runbooks (embedded in the binary), as the cockpit lists them.
fn runbook_catalog() -> Vec<RunbookInfo> {
    lakedeck::cockpit::runbook_infos(&Catalog::load(None).unwrap())
}

/// The steps of shipped runbook `name` as a run starts with them: named by their title
/// unless it is templated (then by id), every one pending.
fn shipped_steps(name: &str) -> Vec<StepState> {
    let catalog = Catalog::load(None).unwrap();
    let rb = catalog.require(name).unwrap();
    let one = |s: &lakedeck::runbook::step::Step, is_finally: bool| StepState {
        name: s
            .title
            .as_ref()
            .filter(|t| !t.src.contains("{{"))
            .map_or_else(|| s.id.clone(), |t| t.src.clone()),
        id: s.id.clone(),
        kind: s.kind_name().into(),
        is_finally,
        optional: s.optional,
        state: StepOutcome::Pending,
        started: None,
        ended: None,
        detail: Vec::new(),
        outputs: Default::default(),
        items_done: 0,
        op_sent: false,
    };
    rb.steps
        .iter()
        .map(|s| one(s, false))
        .chain(rb.finally.iter().map(|s| one(s, true)))
        .collect()
}

/// Sets step `id` of `steps` to `state` with its times (seconds from `NOW`) and detail.
fn set_step(
    steps: &mut [StepState],
    id: &str,
    state: StepOutcome,
    started: Option<i64>,
    ended: Option<i64>,
    detail: &[&str],
) {
    let step = steps
        .iter_mut()
        .find(|s| s.id == id)
        .unwrap_or_else(|| panic!("the shipped runbook has no step {id}"));
    step.state = state;
    step.started = started.map(at);
    step.ended = ended.map(at);
    step.detail = detail.iter().map(|d| d.to_string()).collect();
}

fn at(secs: i64) -> Timestamp {
    now() + SignedDuration::from_secs(secs)
}

/// A restore drill whose process died while the restore ran.
fn interrupted_run() -> RunState {
    let mut steps = shipped_steps("velero-restore-drill");
    set_step(
        &mut steps,
        "latest",
        StepOutcome::Done,
        Some(-1800),
        Some(-1799),
        &["velero/backups: 1 found (expected exists)"],
    );
    set_step(
        &mut steps,
        "location",
        StepOutcome::Done,
        Some(-1799),
        Some(-1798),
        &["velero/default status.phase = Available (expected == Available)"],
    );
    set_step(
        &mut steps,
        "restore",
        StepOutcome::Running,
        Some(-1798),
        None,
        &[],
    );
    RunState {
        id: "velero-restore-drill-20261121-093000-3fa2".into(),
        runbook: "velero-restore-drill".into(),
        title: "Velero restore drill".into(),
        context: "lakedeck-lab".into(),
        params: Default::default(),
        status: RunStatus::Interrupted,
        steps,
        notes: vec![],
        started: at(-1800),
        ended: None,
        report: None,
        identity: String::new(),
        host: String::new(),
        dry_run: false,
        lookups: Default::default(),
        owner: None,
    }
}

fn runbooks_cockpit() -> AppState {
    let mut state = platform_cockpit();
    update(&mut state, Msg::Runbooks(Ok(runbook_catalog())));
    state
}

fn runbooks_view() -> AppState {
    let mut state = runbooks_cockpit();
    update(&mut state, Msg::Interrupted(vec![interrupted_run()]));
    state.message = None;
    apply(&mut state, Action::Runbooks);
    for _ in 0..4 {
        apply(&mut state, Action::Down);
    }
    state.prepare();
    state
}

fn runbook_page() -> AppState {
    let mut state = runbooks_cockpit();
    apply(&mut state, Action::ShowRunbook("trino-scale-up".into()));
    state.prepare();
    state
}

/// trino-scale-up under way: the scale step waits on its op confirmation (the dialog).
fn scale_up_run(finished: bool) -> AppState {
    let mut state = runbook_page();
    key(&mut state, KeyCode::Enter);
    key(&mut state, KeyCode::Enter);
    let id = "trino-scale-up-20261121-100000-ab12";
    update(&mut state, Msg::RunStarted(Ok(id.into())));
    const QUEUED: &str = "sum(trino_execution_name_QueryManager_QueuedQueries)";
    let mut steps = shipped_steps("trino-scale-up");
    set_step(
        &mut steps,
        "queue_high",
        StepOutcome::Done,
        Some(0),
        Some(2),
        &[&format!("{QUEUED} = 14 (expected > 10)")],
    );
    set_step(
        &mut steps,
        "active_workers",
        StepOutcome::Done,
        Some(2),
        Some(3),
        &["sum(trino_metadata_name_DiscoveryNodeManager_ActiveNodeCount) = 4 (expected exists)"],
    );
    set_step(
        &mut steps,
        "scale",
        StepOutcome::Waiting,
        Some(3),
        None,
        &[
            "scale statefulset trino/trino-worker to 5 replicas",
            "preview: replicas 3 → 5",
        ],
    );
    let mut run = RunState {
        id: id.into(),
        runbook: "trino-scale-up".into(),
        title: "Scale up Trino workers".into(),
        context: "lakedeck-lab".into(),
        params: [("replicas".to_string(), "5".to_string())]
            .into_iter()
            .collect(),
        status: RunStatus::Running,
        steps,
        notes: vec![Note {
            at: at(20),
            text: "two workers were CrashLoopBackOff before the run".into(),
        }],
        started: now(),
        ended: None,
        report: None,
        identity: String::new(),
        host: String::new(),
        dry_run: false,
        lookups: Default::default(),
        owner: None,
    };
    state.now = at(47);
    if finished {
        run.status = RunStatus::Succeeded;
        set_step(
            &mut run.steps,
            "scale",
            StepOutcome::Done,
            Some(3),
            Some(50),
            &["scaled statefulset trino/trino-worker 3 → 5"],
        );
        set_step(
            &mut run.steps,
            "ready",
            StepOutcome::Done,
            Some(50),
            Some(170),
            &["trino/trino-worker status.readyReplicas = 5 (expected >= 5)"],
        );
        set_step(
            &mut run.steps,
            "drained",
            StepOutcome::Done,
            Some(170),
            Some(252),
            &[&format!("{QUEUED} = 0 (expected < 5)")],
        );
        run.ended = Some(at(252));
        run.report = Some(
            "/home/oncall/.local/share/lakedeck/reports/trino-scale-up-20261121-100000-ab12.md"
                .into(),
        );
        state.now = at(260);
        update(&mut state, Msg::RunFinished(run));
        update(
            &mut state,
            Msg::RunReport {
                run: id.into(),
                result: Ok(vec![
                    "# Scale up Trino workers".into(),
                    "- RTO: 4m12s (no target)".into(),
                    "- queue: 14 → 0".into(),
                ]),
            },
        );
        state.message = None;
    } else {
        update(&mut state, Msg::RunState(run));
        update(
            &mut state,
            Msg::RunAsk(Question::ConfirmOp {
                step: 2,
                summary: "scale statefulset trino/trino-worker to 5 replicas".into(),
                preview: vec!["replicas 3 → 5".into()],
                confirmation: Confirmation::YesNo,
            }),
        );
    }
    state.prepare();
    state
}

fn run_confirm_view() -> AppState {
    scale_up_run(false)
}

fn run_finished_view() -> AppState {
    scale_up_run(true)
}

/// The run view with the question dismissed (esc) and the notes box open.
fn run_notes_view() -> AppState {
    let mut state = scale_up_run(false);
    key(&mut state, KeyCode::Esc);
    key(&mut state, KeyCode::Char('n'));
    typed(&mut state, "queue still at 14");
    state
}

#[test]
fn op_dialogs() {
    snapshot_view("dialog_cordon", cordon_dialog);
    snapshot_view("dialog_drain_typed", drain_dialog);
    snapshot_view("dialog_readonly", readonly_dialog);
}

#[test]
fn silence_form_snapshot() {
    snapshot_view("silence_form", silence_form);
}

#[test]
fn runbooks_snapshots() {
    snapshot_view("runbooks", runbooks_view);
    snapshot_view("runbook_page", runbook_page);
}

#[test]
fn run_snapshots() {
    snapshot_view("run_confirm", run_confirm_view);
    snapshot_view("run_notes", run_notes_view);
    snapshot_view("run_finished", run_finished_view);
}

/// Builds the state for one view.
type Setup = fn() -> AppState;

/// `NO_COLOR` selects mono, and mono draws every view without a single colour: state is
/// carried by modifiers and symbols only.
#[test]
fn mono_has_no_colour_at_all() {
    let mono = Theme::load("default", true).unwrap();
    assert_eq!(mono, theme("mono"), "NO_COLOR selects the mono theme");
    let views: [(&str, Setup); 30] = [
        ("overview", cockpit),
        ("pods", pods_view),
        ("pods filtered", filtered_pods_view),
        ("nodes", nodes_view),
        ("describe", describe_view),
        ("logs", logs_view),
        ("help", help_view),
        ("stale pods", stale_pods_view),
        ("metrics unavailable", metrics_unavailable_nodes_view),
        ("minio", minio_view),
        ("trino", trino_view),
        ("trino query", trino_query_view),
        ("trino unavailable", trino_unavailable_view),
        ("kafka", kafka_view),
        ("kafka stale", kafka_stale_view),
        ("velero", velero_view),
        ("velero unavailable", velero_unavailable_view),
        ("alerts", alerts_view),
        ("silences", silences_view),
        ("overview platform", overview_platform),
        ("cordon dialog", cordon_dialog),
        ("drain dialog", drain_dialog),
        ("read-only dialog", readonly_dialog),
        ("silence form", silence_form),
        ("runbooks", runbooks_view),
        ("runbook page", runbook_page),
        ("run confirm", run_confirm_view),
        ("run notes", run_notes_view),
        ("run finished", run_finished_view),
        ("too small", cockpit),
    ];
    for (name, setup) in views {
        let sizes: &[(u16, u16)] = if name == "too small" {
            &[(50, 10)]
        } else {
            &SIZES
        };
        for &(w, h) in sizes {
            let mut state = setup();
            let terminal = render(&mut state, &mono, w, h);
            for (i, cell) in terminal.backend().buffer().content().iter().enumerate() {
                let (x, y) = (i as u16 % w, i as u16 / w);
                assert!(
                    cell.fg == Color::Reset && cell.bg == Color::Reset,
                    "{name} {w}x{h}: cell ({x},{y}) {:?} has fg {:?} bg {:?}",
                    cell.symbol(),
                    cell.fg,
                    cell.bg
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Footers and styles: what the text snapshots cannot show.
// ---------------------------------------------------------------------------------------

/// The text of row `y` of the drawn screen.
fn screen_row(terminal: &Terminal<TestBackend>, y: u16) -> String {
    let buffer = terminal.backend().buffer();
    (0..buffer.area.width)
        .map(|x| buffer[(x, y)].symbol().to_string())
        .collect()
}

/// The footer (last line) of `setup`'s view at 160x48.
fn footer(setup: Setup) -> String {
    let mut state = setup();
    let terminal = render(&mut state, &theme("default"), 160, 48);
    screen_row(&terminal, 47)
}

/// A pane with nothing to act on offers no row action: an unconfigured Trino offers no
/// kill, an uninstalled Velero no backup or restore, a finished run no note or abort —
/// while the same panes with data still do.
#[test]
fn footers_offer_row_actions_only_where_there_is_a_row() {
    let trino = footer(trino_view);
    assert!(
        trino.contains(" kill ") && trino.contains("query detail"),
        "{trino}"
    );
    let trino_off = footer(trino_unavailable_view);
    assert!(
        !trino_off.contains("kill") && !trino_off.contains("query detail"),
        "{trino_off}"
    );

    let velero = footer(velero_view);
    assert!(velero.contains("backup now"), "{velero}");
    let velero_off = footer(velero_unavailable_view);
    assert!(
        !velero_off.contains("backup") && !velero_off.contains("restore"),
        "{velero_off}"
    );

    let running = footer(|| {
        let mut state = scale_up_run(false);
        key(&mut state, KeyCode::Esc); // the question waits; its dialog is dismissed
        state
    });
    assert!(
        running.contains(" abort ") && running.contains(" note "),
        "{running}"
    );
    let finished = footer(run_finished_view);
    assert!(
        !finished.contains("abort") && !finished.contains(" note "),
        "{finished}"
    );

    // No pods at all: the overview offers nothing to open, describe or tail.
    let empty = footer(|| {
        let mut state = cockpit();
        update(&mut state, Msg::Pods(Change::Reset(Vec::new())));
        state.prepare();
        state
    });
    for action in ["open", "describe", "yaml", "logs"] {
        assert!(!empty.contains(action), "{action} offered: {empty}");
    }
}

/// The default theme colours the crash-looping pod's row (critical: red) and the mono
/// theme marks it without colour (bold + underline) — the snapshots store text only.
#[test]
fn the_crash_looping_row_is_red_in_default_and_colourless_in_mono() {
    for (name, colour) in [("default", Some(Color::Red)), ("mono", None)] {
        let mut state = pods_view();
        let terminal = render(&mut state, &theme(name), 160, 48);
        let y = (0..48)
            .find(|&y| screen_row(&terminal, y).contains("kafka-connect-5b8d9c7f4-qz8rt"))
            .expect("the crash-looping pod is listed");
        let row = screen_row(&terminal, y);
        let x = row
            .find("CrashLoopBackOff")
            .map(|byte| row[..byte].chars().count() as u16)
            .expect("its STATUS cell");
        let cell = &terminal.backend().buffer()[(x, y)];
        match colour {
            Some(c) => assert_eq!(cell.fg, c, "{name}: {row}"),
            None => {
                assert_eq!(cell.fg, Color::Reset, "{name}: {row}");
                let m = cell.modifier;
                assert!(
                    m.contains(ratatui::style::Modifier::BOLD)
                        && m.contains(ratatui::style::Modifier::UNDERLINED),
                    "{name}: the row is marked by modifiers, got {m:?}"
                );
            }
        }
        // A healthy row next to it keeps the plain text colour.
        let healthy = (0..48)
            .find(|&y| screen_row(&terminal, y).contains("minio-0"))
            .expect("minio-0 is listed");
        let hx = screen_row(&terminal, healthy)
            .find("Running")
            .map(|b| screen_row(&terminal, healthy)[..b].chars().count() as u16)
            .expect("its STATUS cell");
        assert_ne!(
            terminal.backend().buffer()[(hx, healthy)].fg,
            Color::Red,
            "{name}: a healthy row is not red"
        );
    }
}
