//! Pane actions: what `ctrl-d`, `r`, `s`, `c`/`u`/`D`, `x`, `S`, `b` and `R` mean on the
//! selected row — the op they build (or the form that asks for what the op still needs:
//! replicas, silence matchers/duration/comment, a restore's namespace mapping) — and what
//! a submitted form turns into. Every path ends in the op dialog; nothing here changes a
//! cluster.

use std::collections::BTreeMap;

use super::dialog::open_op;
use super::form::{
    Field, Form, FormPurpose, format_mapping, format_matchers, parse_duration, parse_mapping,
    parse_matchers, parse_replicas,
};
use super::platform::VeleroTable;
use super::{Action, AppState, Dialog, Effect, View};
use crate::model::pods::PodRow;
use crate::ops::{Op, WorkloadKind};

/// The workload that owns a pod: a ReplicaSet's Deployment (its name less the
/// `pod-template-hash` suffix), a StatefulSet or a DaemonSet.
pub fn workload_of(p: &PodRow) -> Option<(WorkloadKind, String)> {
    let kind = p.owner_kind.as_deref()?;
    let owner = p.owner_name.as_deref()?;
    match kind {
        "StatefulSet" => Some((WorkloadKind::StatefulSet, owner.to_string())),
        "DaemonSet" => Some((WorkloadKind::DaemonSet, owner.to_string())),
        "ReplicaSet" => {
            let hash = p
                .labels
                .iter()
                .find(|(k, _)| &**k == "pod-template-hash")
                .map(|(_, v)| v.to_string());
            let name = match hash {
                Some(h) => owner.strip_suffix(&format!("-{h}"))?.to_string(),
                None => owner.rsplit_once('-')?.0.to_string(),
            };
            Some((WorkloadKind::Deployment, name))
        }
        _ => None,
    }
}

pub fn kind_label(kind: WorkloadKind) -> &'static str {
    match kind {
        WorkloadKind::Deployment => "deployment",
        WorkloadKind::StatefulSet => "statefulset",
        WorkloadKind::DaemonSet => "daemonset",
    }
}

/// The op the write action `name` would act on in `view` for its selected row, for the
/// write pre-check ([`super::writes`]): what a form would still ask (replicas, silence
/// matchers, a restore's mapping) stands in by a placeholder, since RBAC does not depend
/// on it. `None` where the action does nothing in that view or nothing is selected.
pub(super) fn probe(state: &AppState, view: &View, name: &str) -> Option<(&'static str, Op)> {
    let name = *super::writes::WRITE_ACTIONS.iter().find(|n| **n == name)?;
    let pod = || state.pods.selected_row();
    let node = || state.nodes.selected_row().map(|n| n.name.to_string());
    let op = match (name, view) {
        ("delete", View::Pods) => {
            let p = pod()?;
            Op::DeletePod {
                namespace: p.namespace.to_string(),
                name: p.name.to_string(),
            }
        }
        ("restart", View::Pods) => {
            let p = pod()?;
            let (kind, name) = workload_of(p)?;
            Op::RolloutRestart {
                kind,
                namespace: p.namespace.to_string(),
                name,
            }
        }
        ("scale", View::Pods) => {
            let p = pod()?;
            match workload_of(p)? {
                (WorkloadKind::DaemonSet, _) => return None,
                (kind, name) => Op::Scale {
                    kind,
                    namespace: p.namespace.to_string(),
                    name,
                    replicas: 0,
                },
            }
        }
        ("cordon", View::Nodes) => Op::Cordon { node: node()? },
        ("uncordon", View::Nodes) => Op::Uncordon { node: node()? },
        ("drain", View::Nodes) => Op::Drain { node: node()? },
        ("kill", View::Trino) => Op::KillTrinoQuery {
            query_id: state.platform.queries.selected_row()?.row.id.clone(),
            reason: String::new(),
        },
        ("silence", View::Alerts) => {
            state.platform.alert_rows.selected_row()?;
            Op::CreateSilence {
                matchers: Vec::new(),
                duration: jiff::SignedDuration::from_hours(2),
                comment: String::new(),
            }
        }
        ("delete", View::Silences) => Op::ExpireSilence {
            id: state.platform.silences.selected_row()?.row.id.clone(),
        },
        ("backup", View::Velero) if state.platform.velero_focus == VeleroTable::Schedules => {
            let s = &state.platform.schedules.selected_row()?.row;
            Op::BackupFromSchedule {
                velero_namespace: s.namespace.clone(),
                schedule: s.name.clone(),
            }
        }
        ("restore", View::Velero) if state.platform.velero_focus == VeleroTable::Backups => {
            let b = &state.platform.backups.selected_row()?.row;
            Op::Restore {
                velero_namespace: b.namespace.clone(),
                backup: b.name.clone(),
                namespace_mapping: BTreeMap::new(),
                drill_run: None,
            }
        }
        _ => return None,
    };
    Some((name, op))
}

/// Carries out a pane action on the focused view's selected row.
pub(super) fn act(state: &mut AppState, action: Action) -> Vec<Effect> {
    let view = state.view().clone();
    match (action.clone(), view) {
        (Action::Delete, View::Pods) => with_pod(state, |state, p| {
            open_op(
                state,
                Op::DeletePod {
                    namespace: p.namespace.to_string(),
                    name: p.name.to_string(),
                },
            )
        }),
        (Action::Restart, View::Pods) => with_pod(state, |state, p| match workload_of(&p) {
            Some((kind, name)) => open_op(
                state,
                Op::RolloutRestart {
                    kind,
                    namespace: p.namespace.to_string(),
                    name,
                },
            ),
            None => no_workload(state, &p),
        }),
        (Action::Scale, View::Pods) => with_pod(state, |state, p| match workload_of(&p) {
            // Read-only, or RBAC already said no: refuse (through the gate, which audits
            // it) before asking for a replica count that could never be applied.
            Some((kind, name))
                if kind != WorkloadKind::DaemonSet && !state.write_offered("scale") =>
            {
                open_op(
                    state,
                    Op::Scale {
                        kind,
                        namespace: p.namespace.to_string(),
                        name,
                        replicas: 0,
                    },
                )
            }
            Some((WorkloadKind::DaemonSet, name)) => {
                state.say(format!(
                    "daemonset {}/{name} runs one pod per node and cannot be scaled",
                    p.namespace
                ));
                Vec::new()
            }
            Some((kind, name)) => {
                let now = state
                    .pods
                    .rows()
                    .filter(|q| q.namespace == p.namespace && q.owner_name == p.owner_name)
                    .count();
                let target = format!("{} {}/{name}", kind_label(kind), p.namespace);
                state.dialog = Some(Dialog::Form(Form::new(
                    "Scale",
                    vec![format!(
                        "scale {target} (the selected pod's owner; {now} pods now)"
                    )],
                    vec![Field::new(
                        "replicas",
                        "the new number of replicas (0-1000)",
                        &now.to_string(),
                        true,
                    )],
                    FormPurpose::Scale {
                        kind,
                        namespace: p.namespace.to_string(),
                        name,
                    },
                )));
                Vec::new()
            }
            None => no_workload(state, &p),
        }),
        (Action::Cordon | Action::Uncordon | Action::Drain, View::Nodes) => {
            let Some(node) = state.nodes.selected_row().map(|n| n.name.to_string()) else {
                state.say("no node selected");
                return Vec::new();
            };
            let op = match action {
                Action::Cordon => Op::Cordon { node },
                Action::Uncordon => Op::Uncordon { node },
                _ => Op::Drain { node },
            };
            open_op(state, op)
        }
        (Action::KillQuery, View::Trino) => {
            let Some(q) = state.platform.queries.selected_row().map(|q| q.row.clone()) else {
                state.say("no query selected");
                return Vec::new();
            };
            let by = state
                .connection
                .user
                .clone()
                .unwrap_or_else(|| "lakedeck".into());
            open_op(
                state,
                Op::KillTrinoQuery {
                    query_id: q.id,
                    reason: format!("killed by {by} from lakedeck"),
                },
            )
        }
        (Action::Silence, View::Alerts) => {
            let Some(a) = state.selected_alert() else {
                return Vec::new();
            };
            let mut labels = vec![("alertname".to_string(), a.name.clone())];
            labels.extend(
                a.labels
                    .iter()
                    .filter(|(k, _)| k != "lakedeck_pane")
                    .cloned(),
            );
            state.dialog = Some(Dialog::Form(Form::new(
                "Silence",
                vec![format!("silence {} in Alertmanager", a.name)],
                vec![
                    Field::new(
                        "matchers",
                        "name=value, !=, =~ regex, !~ — space separated",
                        &format_matchers(&labels),
                        true,
                    ),
                    Field::new("duration", "e.g. 2h, 30m, 1h30m, 1d", "2h", true),
                    Field::new("comment", "why (required)", "", true),
                ],
                FormPurpose::Silence,
            )));
            // Most often only the comment is left to write.
            if let Some(Dialog::Form(f)) = &mut state.dialog {
                f.focus = 2;
            }
            Vec::new()
        }
        (Action::Delete, View::Silences) => {
            let Some(s) = state
                .platform
                .silences
                .selected_row()
                .map(|r| r.row.clone())
            else {
                state.say("no silence selected");
                return Vec::new();
            };
            if s.state == "expired" {
                state.say(format!("silence {} has already expired", short(&s.id)));
                return Vec::new();
            }
            open_op(state, Op::ExpireSilence { id: s.id })
        }
        (Action::BackupNow, View::Velero) => {
            if state.platform.velero_focus != VeleroTable::Schedules {
                state.say("select a schedule first (tab switches to the schedules table)");
                return Vec::new();
            }
            let Some(s) = state
                .platform
                .schedules
                .selected_row()
                .map(|r| r.row.clone())
            else {
                state.say("no schedule selected");
                return Vec::new();
            };
            open_op(
                state,
                Op::BackupFromSchedule {
                    velero_namespace: s.namespace,
                    schedule: s.name,
                },
            )
        }
        (Action::Restore, View::Velero) => {
            if state.platform.velero_focus != VeleroTable::Backups {
                state.say("select a backup first (tab switches to the backups table)");
                return Vec::new();
            }
            let Some(b) = state.platform.backups.selected_row().map(|r| r.row.clone()) else {
                state.say("no backup selected");
                return Vec::new();
            };
            let default: BTreeMap<String, String> = b
                .namespaces
                .iter()
                .filter(|ns| *ns != "*")
                .map(|ns| (ns.clone(), format!("{ns}-restore")))
                .collect();
            state.dialog = Some(Dialog::Form(Form::new(
                "Restore",
                vec![
                    format!("restore backup {} ({})", b.name, b.phase),
                    "into new namespaces, never over the originals".into(),
                ],
                vec![Field::new(
                    "namespace mapping",
                    "source:target,… (velero --namespace-mappings)",
                    &format_mapping(&default),
                    true,
                )],
                FormPurpose::Restore {
                    velero_namespace: b.namespace,
                    backup: b.name,
                },
            )));
            Vec::new()
        }
        (action, _) => {
            state.say(format!("{}: not available in this view", name_of(&action)));
            Vec::new()
        }
    }
}

fn name_of(action: &Action) -> &'static str {
    match action {
        Action::Delete => "delete",
        Action::Restart => "restart",
        Action::Scale => "scale",
        Action::Cordon => "cordon",
        Action::Uncordon => "uncordon",
        Action::Drain => "drain",
        Action::KillQuery => "kill",
        Action::Silence => "silence",
        Action::BackupNow => "backup",
        Action::Restore => "restore",
        _ => "this action",
    }
}

fn short(id: &str) -> String {
    id.chars().take(8).collect()
}

fn with_pod(
    state: &mut AppState,
    f: impl FnOnce(&mut AppState, PodRow) -> Vec<Effect>,
) -> Vec<Effect> {
    match state.pods.selected_row().cloned() {
        Some(p) => f(state, p),
        None => {
            state.say("no pod selected");
            Vec::new()
        }
    }
}

fn no_workload(state: &mut AppState, p: &PodRow) -> Vec<Effect> {
    state.say(format!(
        "pod {}/{} has no deployment, statefulset or daemonset owner",
        p.namespace, p.name
    ));
    Vec::new()
}

/// A submitted form: the op it completes (into the op dialog) or the run it starts. An
/// error keeps the form open with the message.
pub(super) fn submit(state: &mut AppState, form: &Form) -> Result<Vec<Effect>, String> {
    let values = form.values();
    let value = |i: usize| values.get(i).cloned().unwrap_or_default();
    match &form.purpose {
        FormPurpose::Scale {
            kind,
            namespace,
            name,
        } => {
            let replicas = parse_replicas(&value(0))?;
            Ok(open_op(
                state,
                Op::Scale {
                    kind: *kind,
                    namespace: namespace.clone(),
                    name: name.clone(),
                    replicas,
                },
            ))
        }
        FormPurpose::Silence => {
            let matchers = parse_matchers(&value(0))?;
            let duration = parse_duration(&value(1))?;
            let comment = value(2);
            if comment.is_empty() {
                return Err("a comment is required: say why".into());
            }
            Ok(open_op(
                state,
                Op::CreateSilence {
                    matchers,
                    duration,
                    comment,
                },
            ))
        }
        FormPurpose::Restore {
            velero_namespace,
            backup,
        } => {
            let namespace_mapping = parse_mapping(&value(0))?;
            Ok(open_op(
                state,
                Op::Restore {
                    velero_namespace: velero_namespace.clone(),
                    backup: backup.clone(),
                    namespace_mapping,
                    drill_run: None,
                },
            ))
        }
        FormPurpose::Params { runbook, defaults } => {
            let params = form
                .fields
                .iter()
                .zip(defaults)
                .filter_map(|(f, default)| {
                    let v = f.value();
                    let unchanged = default.as_deref() == Some(v.as_str())
                        || (v.is_empty()
                            && (default.is_none() || super::runs::is_computed(default.as_deref())));
                    (!unchanged).then(|| (f.label.clone(), v))
                })
                .collect();
            super::runs::start(state, runbook.clone(), params)
        }
    }
}
