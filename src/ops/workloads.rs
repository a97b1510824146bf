//! Scale (the `/scale` subresource, merge patch `{"spec":{"replicas":N}}` as kubectl
//! sends it), rollout restart (kubectl's `restartedAt` pod-template annotation, merge
//! patch) and pod deletion. Must not touch anything but the named object.

use kube::Client;
use kube::api::{
    Api, ApiResource, DeleteParams, DynamicObject, GroupVersionKind, Patch, PatchParams,
};
use serde_json::{Value, json};

use super::{FIELD_MANAGER, Op, OpError, Outcome, RESTARTED_AT, WorkloadKind};

fn workloads(client: &Client, kind: WorkloadKind, namespace: &str) -> Api<DynamicObject> {
    let gvk = GroupVersionKind::gvk(
        "apps",
        "v1",
        match kind {
            WorkloadKind::Deployment => "Deployment",
            WorkloadKind::StatefulSet => "StatefulSet",
            WorkloadKind::DaemonSet => "DaemonSet",
        },
    );
    let ar = ApiResource::from_gvk_with_plural(&gvk, kind.plural());
    Api::namespaced_with(client.clone(), namespace, &ar)
}

fn pods(client: &Client, namespace: &str) -> Api<DynamicObject> {
    let ar = ApiResource::from_gvk_with_plural(&GroupVersionKind::gvk("", "v1", "Pod"), "pods");
    Api::namespaced_with(client.clone(), namespace, &ar)
}

fn params(dry_run: bool) -> PatchParams {
    let pp = PatchParams {
        field_manager: Some(FIELD_MANAGER.to_string()),
        ..PatchParams::default()
    };
    if dry_run { pp.dry_run() } else { pp }
}

pub async fn preview(client: &Client, op: &Op) -> Result<Vec<String>, OpError> {
    match op {
        Op::Scale {
            kind,
            namespace,
            name,
            replicas,
        } => {
            let what = op.target();
            check_replicas(*replicas)?;
            if *kind == WorkloadKind::DaemonSet {
                return Err(OpError::Invalid(format!(
                    "{what}: a DaemonSet runs one pod per eligible node and cannot be scaled"
                )));
            }
            let api = workloads(client, *kind, namespace);
            let obj = api
                .get(name)
                .await
                .map_err(|e| OpError::from_kube(&what, &e))?;
            let before = obj.data["spec"]["replicas"].as_i64().unwrap_or(1);
            let after = api
                .patch_scale(
                    name,
                    &params(true),
                    &Patch::Merge(json!({"spec": {"replicas": replicas}})),
                )
                .await
                .map_err(|e| OpError::from_kube(&what, &e))?
                .spec
                .and_then(|s| s.replicas)
                .unwrap_or(i32::try_from(before).unwrap_or(0));
            let ready = obj.data["status"]["readyReplicas"].as_i64().unwrap_or(0);
            let mut lines = vec![
                format!("replicas {before} → {after}"),
                format!("ready now: {ready}/{before}"),
            ];
            if i64::from(after) == before {
                lines.push("no change: it already has that many replicas".into());
            } else if after == 0 {
                lines.push("every pod of it will be stopped".into());
            }
            Ok(lines)
        }
        Op::RolloutRestart {
            kind,
            namespace,
            name,
        } => {
            let what = op.target();
            let api = workloads(client, *kind, namespace);
            let obj = api
                .get(name)
                .await
                .map_err(|e| OpError::from_kube(&what, &e))?;
            refuse_paused(&what, &obj.data)?;
            let stamp = now_rfc3339();
            let previous = obj.data["spec"]["template"]["metadata"]["annotations"][RESTARTED_AT]
                .as_str()
                .unwrap_or("not set")
                .to_string();
            api.patch(name, &params(true), &restart_patch(&stamp))
                .await
                .map_err(|e| OpError::from_kube(&what, &e))?;
            let mut lines = vec![
                format!("pod template annotation {RESTARTED_AT}: {previous} → {stamp}"),
                rollout_line(*kind, &obj.data),
            ];
            if obj.data["spec"]["updateStrategy"]["type"] == "OnDelete" {
                lines.push(
                    "updateStrategy OnDelete: pods are NOT replaced until someone deletes them"
                        .into(),
                );
            }
            Ok(lines)
        }
        Op::DeletePod { namespace, name } => {
            let what = op.target();
            let api = pods(client, namespace);
            let pod = api
                .get(name)
                .await
                .map_err(|e| OpError::from_kube(&what, &e))?;
            api.delete(name, &DeleteParams::default().dry_run())
                .await
                .map_err(|e| OpError::from_kube(&what, &e))?;
            let grace = pod.data["spec"]["terminationGracePeriodSeconds"]
                .as_i64()
                .unwrap_or(30);
            let node = pod.data["spec"]["nodeName"].as_str().unwrap_or("no node");
            let phase = pod.data["status"]["phase"].as_str().unwrap_or("Unknown");
            let owner = pod.metadata.owner_references.as_deref().and_then(|o| {
                o.iter()
                    .find(|r| r.controller == Some(true))
                    .map(|r| format!("{} {}", r.kind, r.name))
            });
            Ok(vec![
                format!(
                    "pod {namespace}/{name} ({phase} on {node}) is deleted, grace period {grace}s"
                ),
                match owner {
                    Some(o) => format!("{o} creates a replacement"),
                    None => "no controller owns it: it will NOT be recreated".into(),
                },
            ])
        }
        _ => Err(OpError::Invalid(format!(
            "{} is not a workload operation",
            op.name()
        ))),
    }
}

pub async fn execute(client: &Client, op: &Op) -> Result<Outcome, OpError> {
    let what = op.target();
    let mut out = Outcome::default();
    match op {
        Op::Scale {
            kind,
            namespace,
            name,
            replicas,
        } => {
            check_replicas(*replicas)?;
            let api = workloads(client, *kind, namespace);
            let before = api
                .get_scale(name)
                .await
                .map_err(|e| OpError::from_kube(&what, &e))?
                .spec
                .and_then(|s| s.replicas)
                .unwrap_or(0);
            api.patch_scale(
                name,
                &params(false),
                &Patch::Merge(json!({"spec": {"replicas": replicas}})),
            )
            .await
            .map_err(|e| OpError::from_kube(&what, &e))?;
            out.summary = format!("{what} scaled {before} → {replicas}");
            out.outputs.insert("replicas_before".into(), json!(before));
            out.outputs.insert("replicas".into(), json!(replicas));
        }
        Op::RolloutRestart {
            kind,
            namespace,
            name,
        } => {
            let api = workloads(client, *kind, namespace);
            let obj = api
                .get(name)
                .await
                .map_err(|e| OpError::from_kube(&what, &e))?;
            refuse_paused(&what, &obj.data)?;
            let stamp = now_rfc3339();
            api.patch(name, &params(false), &restart_patch(&stamp))
                .await
                .map_err(|e| OpError::from_kube(&what, &e))?;
            out.summary = format!("{what} restarted (restartedAt {stamp})");
            out.outputs.insert("restarted_at".into(), json!(stamp));
        }
        Op::DeletePod { namespace, name } => {
            pods(client, namespace)
                .delete(name, &DeleteParams::default())
                .await
                .map_err(|e| OpError::from_kube(&what, &e))?;
            out.summary = format!("{what} deleted");
        }
        _ => {
            return Err(OpError::Invalid(format!(
                "{} is not a workload operation",
                op.name()
            )));
        }
    }
    Ok(out)
}

/// Replica counts a human would mean; a typo like 500 is caught by the preview showing
/// `3 → 500` and the confirmation, not here.
fn check_replicas(replicas: i32) -> Result<(), OpError> {
    if replicas < 0 {
        return Err(OpError::Invalid(format!(
            "replicas must be 0 or more, got {replicas}"
        )));
    }
    Ok(())
}

fn refuse_paused(what: &str, obj: &Value) -> Result<(), OpError> {
    if obj["spec"]["paused"].as_bool() == Some(true) {
        return Err(OpError::Refused(format!(
            "{what} is paused: can't restart a paused deployment (run `kubectl rollout resume` first)"
        )));
    }
    Ok(())
}

fn restart_patch(stamp: &str) -> Patch<Value> {
    Patch::Merge(
        json!({"spec": {"template": {"metadata": {"annotations": {RESTARTED_AT: stamp}}}}}),
    )
}

fn now_rfc3339() -> String {
    jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

fn rollout_line(kind: WorkloadKind, obj: &Value) -> String {
    let replicas = obj["spec"]["replicas"].as_i64().unwrap_or(1);
    match kind {
        WorkloadKind::Deployment => {
            let s = &obj["spec"]["strategy"];
            if s["type"] == "Recreate" {
                format!("all {replicas} pods stop, then new ones start (strategy Recreate)")
            } else {
                format!(
                    "{replicas} pods are replaced gradually (RollingUpdate, maxUnavailable {}, maxSurge {})",
                    show(&s["rollingUpdate"]["maxUnavailable"], "25%"),
                    show(&s["rollingUpdate"]["maxSurge"], "25%")
                )
            }
        }
        WorkloadKind::StatefulSet => {
            format!("{replicas} pods are replaced one at a time, highest ordinal first")
        }
        WorkloadKind::DaemonSet => "the pod on every node is replaced, one node at a time".into(),
    }
}

fn show(v: &Value, default: &str) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => default.to_string(),
    }
}
