//! Pane actions, the op dialog, forms and runbook runs driven by keys and messages:
//! which key emits which effect, every dialog stage's keys (esc always leaves), typed
//! confirmations that must match exactly, read-only refusals.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use k8s_openapi::api::core::v1::Pod;
use serde_json::json;

use super::dialog::{OpOrigin, OpPreview, OpRefusal, OpStage};
use super::runs::{ParamInfo, RunbookInfo};
use super::*;
use crate::model::alerts::{AlertOrigin, AlertRow, SilenceRow};
use crate::model::pods::Interner;
use crate::model::trino::TrinoQuery;
use crate::ops::{Confirmation, SilenceMatcher, WorkloadKind};
use crate::runbook::{Note, RunStatus, StepOutcome, StepState};

fn owned_pod(ns: &str, name: &str, kind: &str, owner: &str, hash: Option<&str>) -> PodRow {
    let mut labels = json!({"app": "x"});
    if let Some(h) = hash {
        labels["pod-template-hash"] = json!(h);
    }
    let p: Pod = serde_json::from_value(json!({
        "metadata": {"name": name, "namespace": ns, "uid": format!("uid-{name}"),
            "creationTimestamp": "2026-11-01T00:00:00Z", "labels": labels,
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": kind, "name": owner, "uid": "o", "controller": true}]},
        "spec": {"nodeName": "compute-1", "containers": [{"name": "main", "image": "img"}]},
        "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}],
            "containerStatuses": [{"name": "main", "image": "img", "imageID": "", "ready": true, "restartCount": 0, "state": {"running": {}}}]}
    }))
    .unwrap();
    PodRow::from_pod(&p, &mut Interner::default())
}

fn cockpit(readonly: bool) -> AppState {
    let mut s = AppState::new(
        Connection {
            context: "lab".into(),
            server: "https://x".into(),
            user: Some("alice".into()),
            readonly,
        },
        Scope::All,
        Keymap::default(),
        Vec::new(),
        1000,
    );
    s.now = "2026-11-21T10:00:00Z".parse().unwrap();
    update(
        &mut s,
        Msg::Pods(Change::Reset(vec![
            owned_pod(
                "trino",
                "trino-worker-0",
                "StatefulSet",
                "trino-worker",
                None,
            ),
            owned_pod(
                "trino",
                "trino-worker-1",
                "StatefulSet",
                "trino-worker",
                None,
            ),
            owned_pod(
                "trino",
                "trino-coordinator-6c9f8d7b5-x2k4p",
                "ReplicaSet",
                "trino-coordinator-6c9f8d7b5",
                Some("6c9f8d7b5"),
            ),
        ])),
    );
    let n: k8s_openapi::api::core::v1::Node = serde_json::from_value(json!({
        "metadata": {"name": "compute-1"},
        "status": {"conditions": [{"type": "Ready", "status": "True"}], "allocatable": {"cpu": "8", "memory": "32Gi", "pods": "110"}}
    }))
    .unwrap();
    update(
        &mut s,
        Msg::Nodes(Change::Reset(vec![NodeRow::from_node(&n)])),
    );
    let alert = AlertRow::from_alertmanager(&json!({
        "labels": {"alertname": "TrinoQueueHigh", "severity": "warning", "namespace": "trino", "lakedeck_pane": "trino"},
        "annotations": {"summary": "queue high", "runbook": "https://runbooks.example/trino-scale-up.md"},
        "startsAt": "2026-11-21T09:41:00Z", "endsAt": "2026-11-21T10:05:00Z", "updatedAt": "2026-11-21T09:41:00Z",
        "fingerprint": "a1", "receivers": [{"name": "pager"}],
        "status": {"state": "active", "silencedBy": [], "inhibitedBy": [], "mutedBy": []}
    }))
    .unwrap();
    let silence = SilenceRow::from_alertmanager(&json!({
        "id": "4b1f0c2e-93aa-4f1e-b6f1-0a6c2bd1e001", "status": {"state": "active"},
        "matchers": [{"name": "alertname", "value": "KafkaConsumerLagHigh", "isRegex": false}],
        "startsAt": "2026-11-21T07:35:00Z", "endsAt": "2026-11-21T12:00:00Z",
        "createdBy": "bob", "comment": "upgrade"
    }))
    .unwrap();
    update(
        &mut s,
        Msg::Alerts(Ok(crate::model::alerts::AlertsSnapshot {
            origin: AlertOrigin::Alertmanager,
            alerts: vec![alert],
            silences: vec![silence],
        })),
    );
    update(
        &mut s,
        Msg::Trino(Ok(crate::model::trino::TrinoSummary {
            info: None,
            active_nodes: Some(2.0),
            running: Some(1),
            queued: Some(0),
            blocked: Some(0),
            queries: vec![TrinoQuery {
                id: "20261121_095500_00042_abcde".into(),
                state: "RUNNING".into(),
                user: "etl".into(),
                source: None,
                resource_group: None,
                queued_secs: None,
                elapsed_secs: Some(60.0),
                memory_bytes: None,
                query: "SELECT 1".into(),
                fully_blocked: false,
                error_code: None,
            }],
            queries_error: None,
        })),
    );
    let velero = crate::model::velero::VeleroSnapshot::from_objects(
        &[
            json!({"metadata": {"name": "nightly", "namespace": "velero"}, "spec": {"schedule": "0 2 * * *"}}),
        ],
        &[
            json!({"metadata": {"name": "nightly-20261121020000", "namespace": "velero",
                 "labels": {"velero.io/schedule-name": "nightly"}},
                 "spec": {"includedNamespaces": ["trino", "minio"]},
                 "status": {"phase": "Completed", "startTimestamp": "2026-11-21T02:00:00Z",
                            "completionTimestamp": "2026-11-21T02:30:00Z"}}),
        ],
        &[],
        &[],
        s.now,
    );
    update(&mut s, Msg::Velero(Ok(velero)));
    update(&mut s, Msg::Runbooks(Ok(vec![scale_up_runbook()])));
    s.prepare();
    s
}

fn scale_up_runbook() -> RunbookInfo {
    RunbookInfo {
        name: "trino-scale-up".into(),
        title: "Add Trino workers under load".into(),
        summary: "Check the queue, scale trino-worker, wait, check it drains.".into(),
        alerts: vec!["TrinoQueueHigh".into()],
        aliases: vec!["trino-queue-high".into()],
        params: vec![ParamInfo {
            name: "replicas".into(),
            help: "target worker count".into(),
            default: Some("{{ lookups.workers.replicas + 2 }}".into()),
        }],
        steps: vec!["check-queue (check)".into(), "scale (scale)".into()],
    }
}

/// A key press's effects, less the write pre-checks (`CheckWrites`, tested on their own
/// in `write_keys_are_offered_only_where_a_write_can_happen`).
fn press(s: &mut AppState, code: KeyCode, modifiers: KeyModifiers) -> Vec<Effect> {
    let effects = update(s, Msg::Key(KeyEvent::new(code, modifiers)));
    s.prepare();
    effects
        .into_iter()
        .filter(|e| !matches!(e, Effect::CheckWrites(_)))
        .collect()
}

fn key(s: &mut AppState, code: KeyCode) -> Vec<Effect> {
    press(s, code, KeyModifiers::NONE)
}

fn ch(s: &mut AppState, c: char) -> Vec<Effect> {
    let m = if c.is_ascii_uppercase() {
        KeyModifiers::SHIFT
    } else {
        KeyModifiers::NONE
    };
    press(s, KeyCode::Char(c), m)
}

fn typed(s: &mut AppState, text: &str) -> Vec<Effect> {
    text.chars().flat_map(|c| ch(s, c)).collect()
}

fn ctrl(s: &mut AppState, c: char) -> Vec<Effect> {
    press(s, KeyCode::Char(c), KeyModifiers::CONTROL)
}

fn op_stage(s: &AppState) -> Option<&OpStage> {
    match &s.dialog {
        Some(Dialog::Op(d)) => Some(&d.stage),
        _ => None,
    }
}

/// The op and id of a single PrepareOp effect.
fn prepared(effects: &[Effect]) -> (u64, crate::ops::Op) {
    match effects {
        [Effect::PrepareOp { id, op }] => (*id, op.clone()),
        other => panic!("expected one PrepareOp, got {other:?}"),
    }
}

fn ready(s: &mut AppState, id: u64, confirmation: Confirmation) {
    update(
        s,
        Msg::OpPrepared {
            id,
            result: Ok(OpPreview {
                summary: "the op".into(),
                lines: vec!["replicas 2 → 4".into()],
                confirmation,
            }),
        },
    );
}

fn select_pod(s: &mut AppState, name: &str) {
    apply(s, Action::Pods);
    s.prepare();
    let names: Vec<String> = s.pods.window(0, 100).map(|p| p.name.to_string()).collect();
    let pos = names.iter().position(|n| n == name).unwrap();
    s.pods.selected = pos;
}

#[test]
fn delete_pod_previews_confirms_executes_and_reports() {
    let mut s = cockpit(false);
    select_pod(&mut s, "trino-worker-1");
    let (id, op) = prepared(&ctrl(&mut s, 'd'));
    assert_eq!(
        op,
        crate::ops::Op::DeletePod {
            namespace: "trino".into(),
            name: "trino-worker-1".into()
        }
    );
    assert_eq!(op_stage(&s), Some(&OpStage::Checking));
    // Keys while checking do nothing but esc; the view's keys are not reached.
    assert!(ch(&mut s, 'y').is_empty());
    assert!(ch(&mut s, 'j').is_empty());
    ready(&mut s, id, Confirmation::YesNo);
    assert!(matches!(op_stage(&s), Some(OpStage::Ready { .. })));
    assert!(key(&mut s, KeyCode::Enter).is_empty(), "enter is not yes");
    assert_eq!(ch(&mut s, 'y'), vec![Effect::ExecuteOp { id, op }]);
    assert_eq!(op_stage(&s), Some(&OpStage::Executing));
    let effects = update(
        &mut s,
        Msg::OpDone {
            id,
            result: Ok("deleted pod trino/trino-worker-1".into()),
        },
    );
    assert!(effects.is_empty(), "pods are watched: no refresh needed");
    assert!(s.dialog.is_none());
    assert!(
        s.message
            .as_ref()
            .is_some_and(|(m, _)| m.contains("deleted pod trino/trino-worker-1"))
    );
}

#[test]
fn esc_leaves_every_stage_and_late_answers_are_ignored() {
    let mut s = cockpit(false);
    select_pod(&mut s, "trino-worker-0");
    // Checking → esc; the late preview must not reopen anything.
    let (id, _) = prepared(&ctrl(&mut s, 'd'));
    assert!(key(&mut s, KeyCode::Esc).is_empty());
    assert!(s.dialog.is_none());
    ready(&mut s, id, Confirmation::YesNo);
    assert!(s.dialog.is_none());
    // Ready → esc cancels without executing.
    let (id, _) = prepared(&ctrl(&mut s, 'd'));
    ready(&mut s, id, Confirmation::YesNo);
    assert!(key(&mut s, KeyCode::Esc).is_empty());
    assert!(s.dialog.is_none());
    // n cancels too.
    let (id, _) = prepared(&ctrl(&mut s, 'd'));
    ready(&mut s, id, Confirmation::YesNo);
    assert!(ch(&mut s, 'n').is_empty());
    assert!(s.dialog.is_none());
    // Executing → esc closes; the outcome still reaches the footer.
    let (id, _) = prepared(&ctrl(&mut s, 'd'));
    ready(&mut s, id, Confirmation::YesNo);
    assert_eq!(ch(&mut s, 'y').len(), 1);
    key(&mut s, KeyCode::Esc);
    assert!(s.dialog.is_none());
    update(
        &mut s,
        Msg::OpDone {
            id,
            result: Err("pods \"trino-worker-0\" not found".into()),
        },
    );
    assert!(
        s.message
            .as_ref()
            .is_some_and(|(m, _)| m.starts_with("failed:"))
    );
    // A form: esc cancels it.
    select_pod(&mut s, "trino-worker-0");
    ch(&mut s, 's');
    assert!(matches!(s.dialog, Some(Dialog::Form(_))));
    key(&mut s, KeyCode::Esc);
    assert!(s.dialog.is_none());
}

#[test]
fn typed_confirmation_must_match_exactly() {
    let mut s = cockpit(false);
    apply(&mut s, Action::Nodes);
    s.prepare();
    let (id, op) = prepared(&ch(&mut s, 'D'));
    assert_eq!(
        op,
        crate::ops::Op::Drain {
            node: "compute-1".into()
        }
    );
    ready(&mut s, id, Confirmation::TypeName("compute-1".into()));
    assert!(ch(&mut s, 'y').is_empty(), "y is just a typed letter here");
    key(&mut s, KeyCode::Backspace);
    typed(&mut s, "compute-");
    assert!(
        key(&mut s, KeyCode::Enter).is_empty(),
        "a prefix is not the name"
    );
    assert!(matches!(&s.dialog, Some(Dialog::Op(d)) if d.error.is_some()));
    typed(&mut s, "1 ");
    assert!(
        key(&mut s, KeyCode::Enter).is_empty(),
        "a trailing space is not the name"
    );
    key(&mut s, KeyCode::Backspace);
    assert_eq!(
        key(&mut s, KeyCode::Enter),
        vec![Effect::ExecuteOp { id, op }]
    );
    key(&mut s, KeyCode::Esc);
    // Case matters, and keys that mean something elsewhere (q quits, ? helps) are
    // just text here.
    let (id, _) = prepared(&ch(&mut s, 'c'));
    ready(&mut s, id, Confirmation::TypeName("compute-1".into()));
    typed(&mut s, "Compute-1");
    assert!(key(&mut s, KeyCode::Enter).is_empty());
    typed(&mut s, "q?");
    assert!(matches!(&s.dialog, Some(Dialog::Op(d)) if d.typed == "Compute-1q?"));
}

#[test]
fn read_only_and_forbidden_show_why_and_cannot_proceed() {
    let mut s = cockpit(true);
    apply(&mut s, Action::Nodes);
    s.prepare();
    // Read-only is refused by ops/ (which audits the refusal), not by the app alone.
    let (id, _) = prepared(&ch(&mut s, 'c'));
    update(
        &mut s,
        Msg::OpPrepared {
            id,
            result: Err(OpRefusal::ReadOnly("read-only: cordon is a write".into())),
        },
    );
    match op_stage(&s) {
        Some(OpStage::Refused(r @ OpRefusal::ReadOnly(_))) => {
            assert!(r.label().starts_with("read-only: "));
        }
        other => panic!("{other:?}"),
    }
    assert!(ch(&mut s, 'y').is_empty());
    assert!(key(&mut s, KeyCode::Enter).is_empty());
    assert!(s.dialog.is_none(), "enter closes a refusal");
    // A refusal from the runtime (RBAC) is shown the same way.
    let mut s = cockpit(false);
    apply(&mut s, Action::Nodes);
    s.prepare();
    let (id, _) = prepared(&ch(&mut s, 'u'));
    update(
        &mut s,
        Msg::OpPrepared {
            id,
            result: Err(OpRefusal::Forbidden(
                "user viewer cannot patch nodes (RBAC)".into(),
            )),
        },
    );
    assert!(ch(&mut s, 'y').is_empty());
    assert!(matches!(op_stage(&s), Some(OpStage::Refused(_))));
    key(&mut s, KeyCode::Esc);
    assert!(s.dialog.is_none());
}

#[test]
fn restart_and_scale_act_on_the_pods_workload() {
    let mut s = cockpit(false);
    select_pod(&mut s, "trino-coordinator-6c9f8d7b5-x2k4p");
    let (_, op) = prepared(&ch(&mut s, 'r'));
    assert_eq!(
        op,
        crate::ops::Op::RolloutRestart {
            kind: WorkloadKind::Deployment,
            namespace: "trino".into(),
            name: "trino-coordinator".into()
        }
    );
    key(&mut s, KeyCode::Esc);
    select_pod(&mut s, "trino-worker-0");
    assert!(ch(&mut s, 's').is_empty(), "scale asks for replicas first");
    match &s.dialog {
        Some(Dialog::Form(f)) => assert_eq!(f.values(), vec!["2"], "two pods now"),
        other => panic!("{other:?}"),
    }
    key(&mut s, KeyCode::Backspace);
    typed(&mut s, "many");
    assert!(key(&mut s, KeyCode::Enter).is_empty());
    assert!(matches!(&s.dialog, Some(Dialog::Form(f)) if f.error.is_some()));
    for _ in 0..4 {
        key(&mut s, KeyCode::Backspace);
    }
    typed(&mut s, "5");
    let (_, op) = prepared(&key(&mut s, KeyCode::Enter));
    assert_eq!(
        op,
        crate::ops::Op::Scale {
            kind: WorkloadKind::StatefulSet,
            namespace: "trino".into(),
            name: "trino-worker".into(),
            replicas: 5
        }
    );
    assert_eq!(op_stage(&s), Some(&OpStage::Checking));
}

#[test]
fn silence_form_needs_a_comment_and_uses_the_alerts_labels() {
    let mut s = cockpit(false);
    apply(&mut s, Action::Alerts);
    s.prepare();
    assert!(ch(&mut s, 'S').is_empty(), "S silences here, not sort");
    match &s.dialog {
        Some(Dialog::Form(f)) => {
            assert_eq!(
                f.values(),
                vec!["alertname=TrinoQueueHigh namespace=trino", "2h", ""]
            );
            assert_eq!(f.focus, 2, "the comment is what is left to write");
        }
        other => panic!("{other:?}"),
    }
    assert!(key(&mut s, KeyCode::Enter).is_empty());
    assert!(
        matches!(&s.dialog, Some(Dialog::Form(f)) if f.error.as_deref() == Some("comment is required"))
    );
    typed(&mut s, "adding workers, see runbook");
    key(&mut s, KeyCode::BackTab);
    for _ in 0..2 {
        key(&mut s, KeyCode::Backspace);
    }
    typed(&mut s, "45m");
    let (id, op) = prepared(&key(&mut s, KeyCode::Enter));
    assert_eq!(
        op,
        crate::ops::Op::CreateSilence {
            matchers: vec![
                SilenceMatcher {
                    name: "alertname".into(),
                    value: "TrinoQueueHigh".into(),
                    is_regex: false,
                    is_equal: true
                },
                SilenceMatcher {
                    name: "namespace".into(),
                    value: "trino".into(),
                    is_regex: false,
                    is_equal: true
                },
            ],
            duration: jiff::SignedDuration::from_mins(45),
            comment: "adding workers, see runbook".into(),
        }
    );
    ready(&mut s, id, Confirmation::YesNo);
    ch(&mut s, 'y');
    let effects = update(
        &mut s,
        Msg::OpDone {
            id,
            result: Ok("silence 5e2c created".into()),
        },
    );
    assert_eq!(effects, vec![Effect::Refresh(SourceId::Alerts)]);
}

#[test]
fn trino_kill_and_silence_expire() {
    let mut s = cockpit(false);
    apply(&mut s, Action::Trino);
    s.prepare();
    let (_, op) = prepared(&ch(&mut s, 'x'));
    assert!(
        matches!(op, crate::ops::Op::KillTrinoQuery { ref query_id, ref reason }
        if query_id == "20261121_095500_00042_abcde" && reason.contains("alice"))
    );
    key(&mut s, KeyCode::Esc);
    apply(&mut s, Action::Silences);
    s.prepare();
    let (_, op) = prepared(&ctrl(&mut s, 'd'));
    assert_eq!(
        op,
        crate::ops::Op::ExpireSilence {
            id: "4b1f0c2e-93aa-4f1e-b6f1-0a6c2bd1e001".into()
        }
    );
}

#[test]
fn velero_tab_selects_schedules_for_backup_and_backups_for_restore() {
    let mut s = cockpit(false);
    apply(&mut s, Action::Velero);
    s.prepare();
    assert!(ch(&mut s, 'b').is_empty());
    assert!(s.dialog.is_none(), "the backups table has the cursor");
    key(&mut s, KeyCode::Tab);
    let (_, op) = prepared(&ch(&mut s, 'b'));
    assert_eq!(
        op,
        crate::ops::Op::BackupFromSchedule {
            velero_namespace: "velero".into(),
            schedule: "nightly".into()
        }
    );
    key(&mut s, KeyCode::Esc);
    key(&mut s, KeyCode::Tab);
    assert!(ch(&mut s, 'R').is_empty());
    match &s.dialog {
        Some(Dialog::Form(f)) => {
            assert_eq!(f.values(), vec!["minio:minio-restore,trino:trino-restore"]);
        }
        other => panic!("{other:?}"),
    }
    let (_, op) = prepared(&key(&mut s, KeyCode::Enter));
    let mut mapping = BTreeMap::new();
    mapping.insert("minio".to_string(), "minio-restore".to_string());
    mapping.insert("trino".to_string(), "trino-restore".to_string());
    assert_eq!(
        op,
        crate::ops::Op::Restore {
            velero_namespace: "velero".into(),
            backup: "nightly-20261121020000".into(),
            namespace_mapping: mapping,
            drill_run: None
        }
    );
}

fn run_state(id: &str, status: RunStatus, steps: &[(&str, StepOutcome)]) -> RunState {
    RunState {
        id: id.into(),
        runbook: "trino-scale-up".into(),
        title: "Add Trino workers under load".into(),
        context: "lab".into(),
        params: BTreeMap::new(),
        status,
        steps: steps
            .iter()
            .map(|(n, o)| StepState {
                name: (*n).into(),
                kind: "check".into(),
                id: (*n).into(),
                is_finally: false,
                optional: false,
                state: o.clone(),
                started: None,
                ended: None,
                detail: vec![],
                outputs: BTreeMap::new(),
                items_done: 0,
                op_sent: false,
            })
            .collect(),
        notes: vec![],
        started: "2026-11-21T10:00:00Z".parse().unwrap(),
        ended: None,
        report: None,
        identity: String::new(),
        host: String::new(),
        dry_run: false,
        lookups: Default::default(),
        owner: None,
    }
}

#[test]
fn alert_opens_its_runbook_which_runs_with_parameters() {
    let mut s = cockpit(false);
    apply(&mut s, Action::Alerts);
    s.prepare();
    assert!(ch(&mut s, 'o').is_empty());
    assert_eq!(
        s.view(),
        &View::Runbook {
            name: "trino-scale-up".into(),
            scroll: 0
        }
    );
    // r: the parameters form; a computed default starts empty (the template means
    // nothing to the operator) and, left empty, is left to the engine.
    assert!(ch(&mut s, 'r').is_empty());
    assert!(matches!(&s.dialog, Some(Dialog::Form(f)) if f.values() == vec![""]));
    assert_eq!(
        key(&mut s, KeyCode::Enter),
        vec![Effect::StartRunbook {
            name: "trino-scale-up".into(),
            params: BTreeMap::new()
        }]
    );
    assert_eq!(s.view(), &View::Run);
    // A second run is refused while this one goes.
    update(&mut s, Msg::RunStarted(Ok("trino-scale-up-1".into())));
    key(&mut s, KeyCode::Esc);
    assert!(ch(&mut s, 'r').is_empty());
    assert!(s.dialog.is_none());
    // A changed parameter is sent.
    let mut s = cockpit(false);
    apply(&mut s, Action::ShowRunbook("trino-scale-up".into()));
    key(&mut s, KeyCode::Enter);
    typed(&mut s, "6");
    let mut params = BTreeMap::new();
    params.insert("replicas".to_string(), "6".to_string());
    assert_eq!(
        key(&mut s, KeyCode::Enter),
        vec![Effect::StartRunbook {
            name: "trino-scale-up".into(),
            params
        }]
    );
    // The engine refuses it: the run view closes and says why.
    update(
        &mut s,
        Msg::RunStarted(Err("replicas: must be at least 1".into())),
    );
    assert!(s.runbooks.run.is_none());
    assert_ne!(s.view(), &View::Run);
}

#[test]
fn run_questions_are_answered_in_the_dialog() {
    let mut s = cockpit(false);
    apply(&mut s, Action::ShowRunbook("trino-scale-up".into()));
    key(&mut s, KeyCode::Enter);
    key(&mut s, KeyCode::Enter);
    update(&mut s, Msg::RunStarted(Ok("r1".into())));
    update(
        &mut s,
        Msg::RunState(run_state(
            "r1",
            RunStatus::Running,
            &[("check-queue", StepOutcome::Waiting)],
        )),
    );
    // A note to acknowledge.
    update(
        &mut s,
        Msg::RunAsk(Question::Acknowledge {
            step: 0,
            text: "Look at the queue".into(),
        }),
    );
    assert!(matches!(
        s.dialog,
        Some(Dialog::Question {
            acknowledge: true,
            ..
        })
    ));
    assert_eq!(
        key(&mut s, KeyCode::Enter),
        vec![Effect::AnswerRun(Answer::Yes)]
    );
    // A confirm step: esc hides it, enter in the run view shows it again, n answers no.
    update(
        &mut s,
        Msg::RunAsk(Question::Confirm {
            step: 1,
            text: "Scale now?".into(),
        }),
    );
    assert!(key(&mut s, KeyCode::Esc).is_empty());
    assert!(s.dialog.is_none());
    assert!(s.runbooks.run.as_ref().unwrap().pending.is_some());
    key(&mut s, KeyCode::Enter);
    assert!(matches!(
        s.dialog,
        Some(Dialog::Question {
            acknowledge: false,
            ..
        })
    ));
    assert_eq!(ch(&mut s, 'n'), vec![Effect::AnswerRun(Answer::No)]);
    // An op with a typed confirmation.
    update(
        &mut s,
        Msg::RunAsk(Question::ConfirmOp {
            step: 2,
            summary: "scale statefulset trino/trino-worker to 4".into(),
            preview: vec!["replicas 2 → 4".into()],
            confirmation: Confirmation::TypeName("trino-worker".into()),
        }),
    );
    assert!(matches!(&s.dialog, Some(Dialog::Op(d)) if d.origin == OpOrigin::Run { step: 2 }));
    typed(&mut s, "trino-work");
    assert!(key(&mut s, KeyCode::Enter).is_empty());
    typed(&mut s, "er");
    assert_eq!(
        key(&mut s, KeyCode::Enter),
        vec![Effect::AnswerRun(Answer::Typed("trino-worker".into()))]
    );
    assert!(s.runbooks.run.as_ref().unwrap().pending.is_none());
    // Notes go to the engine.
    assert!(ch(&mut s, 'n').is_empty());
    assert!(matches!(s.dialog, Some(Dialog::Notes(_))));
    typed(&mut s, "queue at 40, two workers were crashlooping");
    assert_eq!(
        key(&mut s, KeyCode::Enter),
        vec![Effect::RunNote(
            "queue at 40, two workers were crashlooping".into()
        )]
    );
    // Abort asks first, with A or ctrl-c.
    assert!(
        ctrl(&mut s, 'c').is_empty(),
        "ctrl-c in the run view aborts, not quits"
    );
    assert!(matches!(s.dialog, Some(Dialog::Confirm { .. })));
    assert!(key(&mut s, KeyCode::Esc).is_empty());
    ch(&mut s, 'A');
    assert_eq!(ch(&mut s, 'y'), vec![Effect::AbortRun]);
}

#[test]
fn a_finished_run_loads_and_shows_its_report() {
    let mut s = cockpit(false);
    apply(&mut s, Action::ShowRunbook("trino-scale-up".into()));
    key(&mut s, KeyCode::Enter);
    key(&mut s, KeyCode::Enter);
    update(&mut s, Msg::RunStarted(Ok("r2".into())));
    let mut done = run_state("r2", RunStatus::Succeeded, &[("scale", StepOutcome::Done)]);
    done.report = Some("/data/reports/r2.md".into());
    done.notes.push(Note {
        at: s.now,
        text: "ok".into(),
    });
    let effects = update(&mut s, Msg::RunFinished(done));
    assert_eq!(
        effects,
        vec![Effect::LoadReport {
            run: "r2".into(),
            path: "/data/reports/r2.md".into()
        }]
    );
    assert!(!s.runbooks.running());
    update(
        &mut s,
        Msg::RunReport {
            run: "r2".into(),
            result: Ok(vec!["# Report".into(), "- RTO: 4m12s (target 30m)".into()]),
        },
    );
    assert!(ch(&mut s, 'v').is_empty());
    match s.view() {
        View::Detail { title, lines, .. } => {
            assert_eq!(title, "report r2");
            assert_eq!(lines.as_ref().unwrap().as_ref().unwrap().len(), 2);
        }
        other => panic!("{other:?}"),
    }
    // n on a finished run says so instead of opening the notes box.
    key(&mut s, KeyCode::Esc);
    ch(&mut s, 'n');
    assert!(s.dialog.is_none());
}

#[test]
fn drill_namespaces_no_known_run_owns_are_announced() {
    let mut s = cockpit(false);
    update(&mut s, Msg::Interrupted(Vec::new()));
    update(
        &mut s,
        Msg::DrillNamespaces(vec![(
            "drill-20261120-trino".into(),
            "velero-restore-drill-20261120-020000-aaaa".into(),
        )]),
    );
    let (m, _) = s.message.clone().unwrap();
    assert!(
        m.contains("drill namespace still present: drill-20261120-trino (run velero-restore-drill-20261120-020000-aaaa)"),
        "{m}"
    );
}

#[test]
fn interrupted_runs_are_announced_and_can_be_resumed_or_cleaned_up() {
    let mut s = cockpit(false);
    update(
        &mut s,
        Msg::Interrupted(vec![
            run_state(
                "velero-restore-drill-20261121-093000-3fa2",
                RunStatus::Interrupted,
                &[("restore", StepOutcome::Running)],
            ),
            run_state("rotate-secret-x", RunStatus::Interrupted, &[]),
        ]),
    );
    let (m, _) = s.message.clone().unwrap();
    assert!(
        m.contains("2 interrupted runs") && m.contains(":runbooks"),
        "{m}"
    );
    // The interrupted drill's namespace is not announced twice.
    update(
        &mut s,
        Msg::DrillNamespaces(vec![(
            "drill-20261121093000-nessie".into(),
            "velero-restore-drill-20261121-093000-3fa2".into(),
        )]),
    );
    assert_eq!(s.message.clone().unwrap().0, m);
    // Still shown 30 s later.
    let later = s
        .now
        .checked_add(jiff::SignedDuration::from_secs(30))
        .unwrap();
    update(&mut s, Msg::Tick(later));
    assert!(s.message.is_some());
    apply(&mut s, Action::Runbooks);
    s.prepare();
    key(&mut s, KeyCode::Tab);
    assert!(ch(&mut s, 'c').is_empty());
    assert!(matches!(s.dialog, Some(Dialog::Confirm { .. })));
    assert_eq!(
        ch(&mut s, 'y'),
        vec![Effect::CleanupRun(
            "velero-restore-drill-20261121-093000-3fa2".into()
        )]
    );
    key(&mut s, KeyCode::Down);
    assert_eq!(
        ch(&mut s, 'r'),
        vec![Effect::ResumeRun("rotate-secret-x".into())]
    );
    assert_eq!(s.view(), &View::Run);
    update(&mut s, Msg::RunStarted(Ok("rotate-secret-x".into())));
    assert_eq!(s.runbooks.interrupted.len(), 1);
}

#[test]
fn write_keys_are_offered_only_where_a_write_can_happen() {
    let mut s = cockpit(false);
    apply(&mut s, Action::Pods);
    s.prepare();
    // The selection's writes are pre-checked once per action and namespace.
    let asks = match {
        let now = s.now;
        update(&mut s, Msg::Tick(now))
    }
    .as_slice()
    {
        [Effect::CheckWrites(asks)] => asks.clone(),
        other => panic!("expected one CheckWrites, got {other:?}"),
    };
    let names: Vec<&str> = asks.iter().map(|(a, _, _)| *a).collect();
    assert_eq!(names, ["delete", "restart", "scale"]);
    assert!(asks.iter().all(|(_, ns, _)| ns == "trino"), "{asks:?}");
    assert!(
        {
            let now = s.now;
            update(&mut s, Msg::Tick(now))
        }
        .is_empty(),
        "asked again before the answer"
    );
    // Unknown means offered; a "no" hides it.
    assert!(s.write_offered("scale"));
    update(
        &mut s,
        Msg::WritesChecked(vec![
            ("delete", "trino".into(), true),
            ("restart", "trino".into(), true),
            ("scale", "trino".into(), false),
        ]),
    );
    assert!(s.write_offered("delete") && !s.write_offered("scale"));
    assert!(s.write_offered("describe"), "reads are always offered");
    // `s` where scaling is forbidden goes to the gate (which refuses and audits) instead
    // of asking for a replica count first.
    let (_, op) = prepared(&ch(&mut s, 's'));
    assert!(matches!(op, crate::ops::Op::Scale { .. }), "{op:?}");

    // Read-only: nothing is offered and nothing is asked.
    let mut ro = cockpit(true);
    apply(&mut ro, Action::Pods);
    ro.prepare();
    assert!(
        {
            let now = ro.now;
            update(&mut ro, Msg::Tick(now))
        }
        .is_empty()
    );
    for name in crate::app::writes::WRITE_ACTIONS {
        assert!(!ro.write_offered(name), "{name} offered read-only");
    }
    assert!(matches!(
        ch(&mut ro, 's').as_slice(),
        [] | [Effect::PrepareOp { .. }]
    ));
    assert!(
        !matches!(ro.dialog, Some(Dialog::Form(_))),
        "read-only asks no replica count"
    );
}
