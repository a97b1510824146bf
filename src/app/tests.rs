//! `update` driven by key sequences and messages, with no terminal and no network.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use k8s_openapi::api::core::v1::{Node, Pod};

use super::*;
use crate::model::pods::Interner;

fn pod(ns: &str, name: &str, node: &str, waiting: Option<&str>, restarts: i32) -> PodRow {
    let state = match waiting {
        Some(reason) => serde_json::json!({"waiting": {"reason": reason}}),
        None => serde_json::json!({"running": {"startedAt": "2026-11-20T00:00:00Z"}}),
    };
    let p: Pod = serde_json::from_value(serde_json::json!({
        "metadata": {"name": name, "namespace": ns, "uid": format!("uid-{name}"), "creationTimestamp": "2026-11-01T00:00:00Z", "labels": {"app": name.split('-').next().unwrap()}},
        "spec": {"nodeName": node, "containers": [{"name": "main", "image": "img"}, {"name": "sidecar", "image": "img"}]},
        "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": if waiting.is_none() { "True" } else { "False" }}],
            "containerStatuses": [
                {"name": "main", "image": "img", "imageID": "", "ready": waiting.is_none(), "restartCount": restarts, "state": state},
                {"name": "sidecar", "image": "img", "imageID": "", "ready": true, "restartCount": 0, "state": {"running": {}}}
            ]}
    }))
    .unwrap();
    PodRow::from_pod(&p, &mut Interner::default())
}

fn node(name: &str) -> NodeRow {
    let n: Node = serde_json::from_value(serde_json::json!({
        "metadata": {"name": name},
        "status": {"conditions": [{"type": "Ready", "status": "True"}], "allocatable": {"cpu": "8", "memory": "32Gi", "pods": "110"}}
    }))
    .unwrap();
    NodeRow::from_node(&n)
}

fn state() -> AppState {
    let mut s = AppState::new(
        Connection {
            context: "lab".into(),
            server: "https://x".into(),
            user: None,
            readonly: false,
        },
        Scope::All,
        Keymap::default(),
        vec!["trino".into(), "kafka".into()],
        1000,
    );
    s.now = "2026-11-21T10:00:00Z".parse().unwrap();
    update(
        &mut s,
        Msg::Pods(Change::Reset(vec![
            pod("trino", "trino-worker-0", "compute-1", None, 0),
            pod("trino", "trino-worker-1", "compute-2", None, 0),
            pod(
                "kafka",
                "connect-0",
                "compute-1",
                Some("CrashLoopBackOff"),
                9,
            ),
            pod("airflow", "scheduler-0", "compute-2", None, 0),
        ])),
    );
    update(
        &mut s,
        Msg::Nodes(Change::Reset(vec![node("compute-1"), node("compute-2")])),
    );
    s.prepare();
    s
}

fn key(s: &mut AppState, code: KeyCode) -> Vec<Effect> {
    let effects = update(s, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    s.prepare();
    effects
}

fn typed(s: &mut AppState, text: &str) -> Vec<Effect> {
    let mut effects = Vec::new();
    for c in text.chars() {
        effects.extend(key(s, KeyCode::Char(c)));
    }
    effects
}

fn visible_names(s: &AppState) -> Vec<String> {
    s.pods.window(0, 100).map(|p| p.name.to_string()).collect()
}

#[test]
fn starts_on_the_overview_with_trouble_first_in_the_pods_order() {
    let mut s = state();
    assert_eq!(s.view(), &View::Overview);
    typed(&mut s, ":pods");
    key(&mut s, KeyCode::Enter);
    assert_eq!(s.view(), &View::Pods);
    assert_eq!(
        visible_names(&s)[0],
        "connect-0",
        "the crash-looping pod leads"
    );
}

#[test]
fn slash_filters_inverts_and_esc_clears() {
    let mut s = state();
    typed(&mut s, ":po");
    key(&mut s, KeyCode::Enter);
    typed(&mut s, "/trino");
    assert_eq!(visible_names(&s), ["trino-worker-0", "trino-worker-1"]);
    key(&mut s, KeyCode::Enter); // keep the filter, leave typing mode
    assert_eq!(s.input, Input::None);
    assert_eq!(s.pods.visible_len(), 2);
    typed(&mut s, "/!trino");
    assert_eq!(s.pods.visible_len(), 2);
    assert!(visible_names(&s).iter().all(|n| !n.contains("trino")));
    key(&mut s, KeyCode::Esc);
    assert_eq!(s.pods.visible_len(), 4);
    typed(&mut s, "/-l app=trino");
    assert_eq!(s.pods.visible_len(), 2);
    key(&mut s, KeyCode::Enter);
    // A kept filter: the first esc clears it and stays, the next one leaves.
    key(&mut s, KeyCode::Esc);
    assert_eq!((s.view(), s.pods.visible_len()), (&View::Pods, 4));
    key(&mut s, KeyCode::Esc);
    assert_eq!(s.view(), &View::Overview);
}

#[test]
fn navigation_keys_move_the_cursor_and_describe_fetches_the_selected_pod() {
    let mut s = state();
    typed(&mut s, ":pods");
    key(&mut s, KeyCode::Enter);
    key(&mut s, KeyCode::Char('j'));
    key(&mut s, KeyCode::Char('G'));
    assert_eq!(s.pods.selected, 3);
    key(&mut s, KeyCode::Char('g'));
    assert_eq!(s.pods.selected, 0);
    let effects = key(&mut s, KeyCode::Char('d'));
    assert_eq!(
        effects,
        vec![Effect::FetchDescribe(ObjectRef::Pod {
            namespace: "kafka".into(),
            name: "connect-0".into()
        })]
    );
    assert!(matches!(s.view(), View::Detail { lines: None, .. }));
    let title = match s.view() {
        View::Detail { title, .. } => title.clone(),
        _ => unreachable!(),
    };
    update(
        &mut s,
        Msg::Detail {
            title,
            result: Ok(vec!["Name: connect-0".into()]),
        },
    );
    assert!(matches!(
        s.view(),
        View::Detail {
            lines: Some(Ok(_)),
            ..
        }
    ));
    key(&mut s, KeyCode::Esc);
    assert_eq!(s.view(), &View::Pods);
}

#[test]
fn enter_on_a_node_shows_its_pods() {
    let mut s = state();
    typed(&mut s, ":nodes");
    key(&mut s, KeyCode::Enter);
    assert_eq!(s.view(), &View::Nodes);
    key(&mut s, KeyCode::Enter); // compute-1 (sorted by name)
    assert_eq!(s.view(), &View::Pods);
    assert_eq!(visible_names(&s), ["connect-0", "trino-worker-0"]);
    key(&mut s, KeyCode::Esc);
    assert_eq!(s.view(), &View::Nodes);
    assert_eq!(
        s.pods.visible_len(),
        4,
        "leaving the node's pods lifts the restriction"
    );
}

#[test]
fn logs_open_follow_toggle_switch_container_and_stop_on_esc() {
    let mut s = state();
    typed(&mut s, ":pods");
    key(&mut s, KeyCode::Enter);
    typed(&mut s, "/worker-0");
    key(&mut s, KeyCode::Enter);
    let effects = key(&mut s, KeyCode::Char('l'));
    let Some(Effect::StreamLogs(req)) = effects.first() else {
        panic!("{effects:?}")
    };
    assert_eq!(
        (req.pod.as_str(), req.container.as_str(), req.follow),
        ("trino-worker-0", "main", true)
    );
    let generation = req.generation;
    update(
        &mut s,
        Msg::LogLines {
            generation,
            lines: vec!["a".into(), "b".into()],
        },
    );
    update(
        &mut s,
        Msg::LogLines {
            generation: generation + 99,
            lines: vec!["stale".into()],
        },
    );
    match s.view() {
        View::Logs(v) => assert_eq!(v.lines, ["a", "b"]),
        other => panic!("{other:?}"),
    }
    key(&mut s, KeyCode::Char('f'));
    assert!(matches!(s.view(), View::Logs(v) if v.paused));
    let effects = key(&mut s, KeyCode::Char('c'));
    assert!(
        matches!(effects.as_slice(), [Effect::StopLogs, Effect::StreamLogs(r)] if r.container == "sidecar")
    );
    let effects = key(&mut s, KeyCode::Char('p'));
    assert!(
        matches!(effects.as_slice(), [Effect::StopLogs, Effect::StreamLogs(r)] if r.previous && !r.follow)
    );
    assert_eq!(key(&mut s, KeyCode::Esc), vec![Effect::StopLogs]);
    assert_eq!(s.view(), &View::Pods);
}

#[test]
fn log_buffer_is_bounded() {
    let mut s = state();
    s.log_buffer_lines = 100;
    typed(&mut s, ":pods");
    key(&mut s, KeyCode::Enter);
    let effects = key(&mut s, KeyCode::Char('l'));
    let Some(Effect::StreamLogs(req)) = effects.first() else {
        panic!()
    };
    let generation = req.generation;
    update(
        &mut s,
        Msg::LogLines {
            generation,
            lines: (0..250).map(|i| i.to_string()).collect(),
        },
    );
    match s.view() {
        View::Logs(v) => {
            assert_eq!(v.lines.len(), 100);
            assert_eq!(v.lines.back().map(String::as_str), Some("249"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn namespace_commands_and_favourites_restart_the_pod_watch() {
    let mut s = state();
    typed(&mut s, ":ns kafka");
    let effects = key(&mut s, KeyCode::Enter);
    assert_eq!(
        effects,
        vec![Effect::WatchPods(Scope::Namespace("kafka".into()))]
    );
    assert_eq!(
        s.pods.len(),
        0,
        "old rows are dropped until the new watch lists"
    );
    assert_eq!(
        key(&mut s, KeyCode::Char('1')),
        vec![Effect::WatchPods(Scope::Namespace("trino".into()))]
    );
    assert_eq!(
        key(&mut s, KeyCode::Char('0')),
        vec![Effect::WatchPods(Scope::All)]
    );
    assert!(key(&mut s, KeyCode::Char('7')).is_empty());
    assert!(
        s.message
            .as_ref()
            .is_some_and(|(m, _)| m.contains("no favourite namespace 7"))
    );
}

#[test]
fn unknown_commands_explain_and_q_quits() {
    let mut s = state();
    typed(&mut s, ":frobnicate");
    assert!(key(&mut s, KeyCode::Enter).is_empty());
    assert!(
        s.message
            .as_ref()
            .is_some_and(|(m, _)| m.contains("unknown command :frobnicate"))
    );
    assert_eq!(key(&mut s, KeyCode::Char('q')), vec![Effect::Quit]);
    let ctrl_c = update(
        &mut s,
        Msg::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
    );
    assert_eq!(ctrl_c, vec![Effect::Quit]);
}

#[test]
fn watch_changes_and_source_states_mark_the_screen_dirty_but_idle_ticks_do_not() {
    let mut s = state();
    s.dirty = false;
    update(&mut s, Msg::Tick("2026-11-21T10:00:20Z".parse().unwrap()));
    assert!(!s.dirty, "a tick within the same minute redraws nothing");
    update(
        &mut s,
        Msg::Pods(Change::Upsert(pod(
            "trino",
            "trino-worker-2",
            "compute-1",
            Some("ContainerCreating"),
            0,
        ))),
    );
    assert!(s.dirty);
    s.dirty = false;
    let failing = SourceState::Failing {
        reason: "connection refused".into(),
        attempt: 3,
        retry_in_secs: 8,
        since: s.now,
    };
    update(&mut s, Msg::Source(SourceId::Pods, failing.clone()));
    assert!(s.dirty);
    s.dirty = false;
    update(&mut s, Msg::Source(SourceId::Pods, failing));
    assert!(!s.dirty, "the same state again changes nothing");
    let gone = pod("trino", "trino-worker-2", "compute-1", None, 0);
    update(&mut s, Msg::Pods(Change::Delete(gone)));
    s.prepare();
    assert_eq!(s.pods.len(), 4);
}

#[test]
fn a_stale_marker_redraws_each_second_so_its_age_ticks_and_idle_stays_silent() {
    let mut s = state();
    let t0 = s.now;
    let at = |secs: i64| t0 + jiff::SignedDuration::from_secs(secs);
    s.dirty = false;
    update(&mut s, Msg::Tick(at(1)));
    assert!(!s.dirty, "nothing stale: an idle tick redraws nothing");
    let failing = SourceState::Failing {
        reason: "ServiceUnavailable (503): outage".into(),
        attempt: 1,
        retry_in_secs: 2,
        since: at(1),
    };
    update(&mut s, Msg::Source(SourceId::Nodes, failing));
    s.dirty = false;
    for secs in 2..5 {
        update(&mut s, Msg::Tick(at(secs)));
        assert!(s.dirty, "the STALE age must advance at +{secs}s");
        s.dirty = false;
    }
    update(&mut s, Msg::Source(SourceId::Nodes, SourceState::Live));
    s.dirty = false;
    update(&mut s, Msg::Tick(at(6)));
    assert!(!s.dirty, "live again: back to silent ticks");
}

#[test]
fn help_is_generated_from_the_keymap() {
    let mut s = state();
    key(&mut s, KeyCode::Char('?'));
    assert_eq!(s.view(), &View::Help { scroll: 0 });
    let rows = s.keymap.help_rows();
    assert!(rows.iter().any(|(k, n, _)| *n == "describe" && k == "d"));
}

// ---------------------------------------------------------------------------------------
// Platform views.
// ---------------------------------------------------------------------------------------

use crate::model::alerts::{AlertOrigin, AlertRow, AlertsSnapshot};
use crate::model::minio::{FillForecast, MinioSummary};
use crate::model::trino::{TrinoQuery, TrinoQueryDetail, TrinoSummary};

fn minio(free: f64) -> MinioSummary {
    MinioSummary {
        usable_total: Some(100.0),
        usable_free: Some(free),
        raw_total: None,
        raw_free: None,
        buckets: Vec::new(),
        nodes_online: Some(4.0),
        nodes_offline: Some(0.0),
        drives_online: Some(16.0),
        drives_offline: Some(0.0),
        healing_drives: Some(0.0),
        s3_5xx_rate: Some(0.0),
        forecast: FillForecast::NotFilling,
    }
}

fn alert(name: &str, severity: &str, labels: &[(&str, &str)]) -> AlertRow {
    let mut l = serde_json::Map::new();
    l.insert("alertname".into(), name.into());
    l.insert("severity".into(), severity.into());
    for (k, v) in labels {
        l.insert((*k).into(), (*v).into());
    }
    AlertRow::from_alertmanager(&serde_json::json!({
        "labels": l, "annotations": {"summary": "s"}, "startsAt": "2026-11-21T09:00:00Z",
        "fingerprint": name, "status": {"state": "active", "silencedBy": [], "inhibitedBy": []}
    }))
    .unwrap()
}

fn trino_query(id: &str, state: &str) -> TrinoQuery {
    TrinoQuery::from_basic_info(&serde_json::json!({
        "queryId": id, "state": state, "session": {"user": "etl"}, "query": "SELECT 1",
        "queryStats": {"queuedTime": "1.00s", "elapsedTime": "2.00s"}
    }))
    .unwrap()
}

#[test]
fn a_failing_feed_keeps_its_data_marked_stale_and_recovers() {
    let mut s = state();
    update(&mut s, Msg::Minio(Ok(minio(40.0))));
    assert_eq!(s.source(SourceId::Minio), SourceState::Live);
    let arrived = s.now;
    s.now += jiff::SignedDuration::from_mins(3);
    let err = "Prometheus at https://127.0.0.1:8443/prometheus: bad_data: parse error";
    update(&mut s, Msg::Minio(Err(err.into())));
    assert_eq!(
        s.platform.minio.data.as_ref().and_then(|m| m.usable_free),
        Some(40.0),
        "the last good data stays"
    );
    match s.source(SourceId::Minio) {
        SourceState::Failing {
            reason,
            since,
            attempt,
            ..
        } => {
            assert_eq!(reason, err);
            assert_eq!(since, arrived, "stale since the data arrived");
            assert_eq!(attempt, 1);
        }
        other => panic!("{other:?}"),
    }
    update(&mut s, Msg::Minio(Err(err.into())));
    assert!(matches!(
        s.source(SourceId::Minio),
        SourceState::Failing { attempt: 2, .. }
    ));
    update(&mut s, Msg::Minio(Ok(minio(30.0))));
    assert_eq!(s.source(SourceId::Minio), SourceState::Live);
    assert_eq!(s.platform.minio.at, Some(s.now));
    assert_eq!(
        s.platform.minio.data.as_ref().and_then(|m| m.usable_free),
        Some(30.0)
    );
}

#[test]
fn platform_commands_and_keys_open_their_views() {
    let mut s = state();
    for (cmd, view) in [
        (":minio", View::Minio),
        (":s3", View::Minio),
        (":trino", View::Trino),
        (":kafka", View::Kafka),
        (":lag", View::Kafka),
        (":velero", View::Velero),
        (":backups", View::Velero),
        (":alerts", View::Alerts),
        (":silences", View::Silences),
    ] {
        typed(&mut s, cmd);
        key(&mut s, KeyCode::Enter);
        assert_eq!(s.view(), &view, "{cmd}");
        key(&mut s, KeyCode::Esc);
        assert_eq!(s.view(), &View::Overview, "esc from {cmd}");
    }
    for (c, view) in [
        ('m', View::Minio),
        ('T', View::Trino),
        ('K', View::Kafka),
        ('B', View::Velero),
        ('!', View::Alerts),
    ] {
        key(&mut s, KeyCode::Char(c));
        assert_eq!(s.view(), &view, "key {c}");
    }
}

#[test]
fn enter_on_an_alert_jumps_to_its_pane_and_esc_comes_back() {
    let mut s = state();
    update(
        &mut s,
        Msg::Alerts(Ok(AlertsSnapshot {
            origin: AlertOrigin::Alertmanager,
            alerts: vec![
                alert("TrinoQueueHigh", "critical", &[]),
                alert(
                    "KubePodCrashLooping",
                    "warning",
                    &[("namespace", "kafka"), ("pod", "connect-0")],
                ),
            ],
            silences: Vec::new(),
        })),
    );
    typed(&mut s, ":alerts");
    key(&mut s, KeyCode::Enter);
    assert_eq!(
        s.platform
            .alert_rows
            .selected_row()
            .map(|r| r.row.name.as_str()),
        Some("TrinoQueueHigh"),
        "critical first"
    );
    key(&mut s, KeyCode::Enter);
    assert_eq!(s.view(), &View::Trino);
    key(&mut s, KeyCode::Esc);
    assert_eq!(s.view(), &View::Alerts);
    key(&mut s, KeyCode::Char('j'));
    key(&mut s, KeyCode::Enter);
    assert_eq!(s.view(), &View::Pods);
    assert_eq!(visible_names(&s), ["connect-0"], "narrowed to the pod");
}

#[test]
fn enter_on_a_trino_query_fetches_its_detail() {
    let mut s = state();
    update(
        &mut s,
        Msg::Trino(Ok(TrinoSummary {
            info: None,
            active_nodes: Some(3.0),
            running: Some(1),
            queued: Some(1),
            blocked: Some(0),
            queries: vec![
                trino_query("q-run", "RUNNING"),
                trino_query("q-queued", "QUEUED"),
            ],
            queries_error: None,
        })),
    );
    key(&mut s, KeyCode::Char('T'));
    let effects = key(&mut s, KeyCode::Enter);
    assert_eq!(
        effects,
        vec![Effect::FetchTrinoQuery("q-queued".into())],
        "queued queries come first"
    );
    update(
        &mut s,
        Msg::TrinoQuery {
            id: "q-other".into(),
            result: Err("late answer for another query".into()),
        },
    );
    assert!(matches!(s.view(), View::TrinoQuery { detail: None, .. }));
    let detail = TrinoQueryDetail {
        id: "q-queued".into(),
        lines: vec!["State: QUEUED".into()],
    };
    update(
        &mut s,
        Msg::TrinoQuery {
            id: "q-queued".into(),
            result: Ok(detail.clone()),
        },
    );
    assert_eq!(
        s.view(),
        &View::TrinoQuery {
            id: "q-queued".into(),
            detail: Some(Ok(detail)),
            scroll: 0
        }
    );
    key(&mut s, KeyCode::Esc);
    assert_eq!(s.view(), &View::Trino);
}

#[test]
fn platform_lists_filter_and_esc_clears_first() {
    let mut s = state();
    update(
        &mut s,
        Msg::Trino(Ok(TrinoSummary {
            info: None,
            active_nodes: None,
            running: None,
            queued: None,
            blocked: None,
            queries: vec![
                trino_query("q-a", "RUNNING"),
                trino_query("q-b", "FINISHED"),
            ],
            queries_error: None,
        })),
    );
    typed(&mut s, ":trino");
    key(&mut s, KeyCode::Enter);
    typed(&mut s, "/finished");
    assert_eq!(s.platform.queries.visible_len(), 1);
    key(&mut s, KeyCode::Enter);
    key(&mut s, KeyCode::Esc);
    assert_eq!(
        (s.view(), s.platform.queries.visible_len()),
        (&View::Trino, 2)
    );
}
