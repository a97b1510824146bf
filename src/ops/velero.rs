//! Velero operations: a backup now from a schedule (what `velero backup create
//! --from-schedule` builds), a restore with namespace mapping (for drills into fresh
//! namespaces created first and labelled with the run id), and deleting a drill
//! namespace — only ever one that carries the drill label. Must not delete backups or
//! anything a drill did not create.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Namespace, Pod};
use kube::Client;
use kube::api::{
    Api, ApiResource, DeleteParams, DynamicObject, GroupVersionKind, ListParams, PostParams,
};
use serde_json::{Value, json};

use super::{DRILL_RUN_LABEL, DRILL_SOURCE_LABEL, Op, OpError, Outcome};

fn velero(client: &Client, namespace: &str, kind: &str, plural: &str) -> Api<DynamicObject> {
    let ar =
        ApiResource::from_gvk_with_plural(&GroupVersionKind::gvk("velero.io", "v1", kind), plural);
    Api::namespaced_with(client.clone(), namespace, &ar)
}

fn post(dry_run: bool) -> PostParams {
    PostParams {
        dry_run,
        field_manager: Some(super::FIELD_MANAGER.to_string()),
    }
}

fn stamp() -> String {
    jiff::Timestamp::now().strftime("%Y%m%d%H%M%S").to_string()
}

/// The Backup `velero backup create <schedule>-<ts> --from-schedule <schedule>` creates.
fn backup_from(schedule: &DynamicObject, name: &str) -> DynamicObject {
    let sched_name = schedule.metadata.name.clone().unwrap_or_default();
    let mut template = schedule.data["spec"]["template"].clone();
    let mut labels: BTreeMap<String, String> =
        serde_json::from_value(template["metadata"]["labels"].clone())
            .ok()
            .filter(|l: &BTreeMap<String, String>| !l.is_empty())
            .or_else(|| schedule.metadata.labels.clone())
            .unwrap_or_default();
    labels.insert("velero.io/schedule-name".into(), sched_name);
    if let Some(t) = template.as_object_mut() {
        t.remove("metadata");
    }
    let mut backup = DynamicObject::new(
        name,
        &ApiResource::from_gvk_with_plural(
            &GroupVersionKind::gvk("velero.io", "v1", "Backup"),
            "backups",
        ),
    )
    .within(schedule.metadata.namespace.as_deref().unwrap_or("velero"));
    backup.metadata.labels = Some(labels);
    backup.metadata.annotations = schedule.metadata.annotations.clone();
    backup.data = json!({"spec": template});
    backup
}

fn namespaces_of(backup: &Value) -> Vec<String> {
    backup["spec"]["includedNamespaces"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

async fn completed_backup(client: &Client, op: &Op) -> Result<DynamicObject, OpError> {
    let Op::Restore {
        velero_namespace,
        backup,
        namespace_mapping,
        ..
    } = op
    else {
        return Err(OpError::Invalid("not a restore".into()));
    };
    let what = op.target();
    if namespace_mapping.is_empty() {
        return Err(OpError::Invalid(format!(
            "{what}: say which namespaces to restore (a mapping source → target)"
        )));
    }
    let obj = velero(client, velero_namespace, "Backup", "backups")
        .get(backup)
        .await
        .map_err(|e| OpError::from_kube(&what, &e))?;
    let phase = obj.data["status"]["phase"].as_str().unwrap_or("New");
    if !matches!(phase, "Completed" | "PartiallyFailed") {
        return Err(OpError::Invalid(format!(
            "{what} is {phase}: only a Completed (or PartiallyFailed) backup can be restored"
        )));
    }
    let included = namespaces_of(&obj.data);
    if !included.is_empty() && !included.iter().any(|n| n == "*") {
        let missing: Vec<&String> = namespace_mapping
            .keys()
            .filter(|k| !included.contains(k))
            .collect();
        if !missing.is_empty() {
            return Err(OpError::Invalid(format!(
                "{what} does not contain namespace(s) {} — it holds {}",
                missing
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                included.join(", ")
            )));
        }
    }
    for target in namespace_mapping.values() {
        if !valid_namespace_name(target) {
            return Err(OpError::Invalid(format!(
                "{target:?} is not a valid namespace name (lowercase letters, digits and '-', at most 63, starting and ending with a letter or digit)"
            )));
        }
    }
    Ok(obj)
}

fn valid_namespace_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

fn drill_namespace(name: &str, source: &str, run: &str) -> Namespace {
    serde_json::from_value(json!({
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": name, "labels": {DRILL_RUN_LABEL: label_value(run), DRILL_SOURCE_LABEL: source}},
    }))
    .unwrap_or_default()
}

/// Label values are at most 63 characters of `[A-Za-z0-9._-]`; run ids already are.
fn label_value(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-".contains(c) {
                c
            } else {
                '-'
            }
        })
        .take(63)
        .collect()
}

fn restore_object(op: &Op, name: &str) -> DynamicObject {
    let mut obj = DynamicObject::new(
        name,
        &ApiResource::from_gvk_with_plural(
            &GroupVersionKind::gvk("velero.io", "v1", "Restore"),
            "restores",
        ),
    );
    if let Op::Restore {
        velero_namespace,
        backup,
        namespace_mapping,
        drill_run,
    } = op
    {
        obj = obj.within(velero_namespace);
        if let Some(run) = drill_run {
            obj.metadata.labels = Some(BTreeMap::from([(
                DRILL_RUN_LABEL.to_string(),
                label_value(run),
            )]));
        }
        obj.data = json!({"spec": {
            "backupName": backup,
            "includedNamespaces": namespace_mapping.keys().collect::<Vec<_>>(),
            "namespaceMapping": namespace_mapping,
        }});
    }
    obj
}

pub async fn preview(client: &Client, op: &Op) -> Result<Vec<String>, OpError> {
    let what = op.target();
    match op {
        Op::BackupFromSchedule {
            velero_namespace,
            schedule,
        } => {
            let sched = velero(client, velero_namespace, "Schedule", "schedules")
                .get(schedule)
                .await
                .map_err(|e| OpError::from_kube(&what, &e))?;
            let backup = backup_from(&sched, &format!("{schedule}-{}", stamp()));
            let api = velero(client, velero_namespace, "Backup", "backups");
            api.create(&post(true), &backup)
                .await
                .map_err(|e| OpError::from_kube(&what, &e))?;
            let ns = namespaces_of(&backup.data);
            Ok(vec![
                format!(
                    "new Backup {velero_namespace}/{} from schedule {schedule}",
                    backup.metadata.name.unwrap_or_default()
                ),
                format!(
                    "namespaces: {}",
                    if ns.is_empty() {
                        "all".to_string()
                    } else {
                        ns.join(", ")
                    }
                ),
                format!(
                    "ttl {}, storage location {}",
                    backup.data["spec"]["ttl"]
                        .as_str()
                        .unwrap_or("720h0m0s (default)"),
                    backup.data["spec"]["storageLocation"]
                        .as_str()
                        .unwrap_or("default")
                ),
            ])
        }
        Op::Restore {
            velero_namespace,
            backup,
            namespace_mapping,
            drill_run,
        } => {
            let obj = completed_backup(client, op).await?;
            let mut lines = vec![format!(
                "new Restore {velero_namespace}/{backup}-{} from backup {backup} (completed {})",
                stamp(),
                obj.data["status"]["completionTimestamp"]
                    .as_str()
                    .unwrap_or("?")
            )];
            let ns_api: Api<Namespace> = Api::all(client.clone());
            for (from, to) in namespace_mapping {
                lines.push(format!("namespace {from} → {to}"));
                if let Some(run) = drill_run {
                    if ns_api
                        .get_opt(to)
                        .await
                        .map_err(|e| OpError::from_kube(&format!("namespace {to}"), &e))?
                        .is_some()
                    {
                        return Err(OpError::Refused(format!(
                            "namespace {to} already exists: a drill restores only into new namespaces — pick another name or delete it"
                        )));
                    }
                    ns_api
                        .create(&post(true), &drill_namespace(to, from, run))
                        .await
                        .map_err(|e| OpError::from_kube(&format!("namespace {to}"), &e))?;
                }
            }
            velero(client, velero_namespace, "Restore", "restores")
                .create(
                    &post(true),
                    &restore_object(op, &format!("{backup}-{}", stamp())),
                )
                .await
                .map_err(|e| OpError::from_kube(&what, &e))?;
            if drill_run.is_some() {
                lines.push(format!(
                    "target namespaces are created first, labelled {DRILL_RUN_LABEL}"
                ));
            } else {
                lines.push(
                    "objects that already exist in the target namespaces are left as they are"
                        .into(),
                );
            }
            Ok(lines)
        }
        Op::DeleteDrillNamespace { namespace } => {
            let Some(ns) = drill_ns(client, namespace).await? else {
                return Ok(vec![format!(
                    "namespace {namespace} does not exist: nothing to delete"
                )]);
            };
            let ns_api: Api<Namespace> = Api::all(client.clone());
            ns_api
                .delete(namespace, &DeleteParams::default().dry_run())
                .await
                .map_err(|e| OpError::from_kube(&what, &e))?;
            let pods: Api<Pod> = Api::namespaced(client.clone(), namespace);
            let count = pods
                .list_metadata(&ListParams::default())
                .await
                .map(|l| l.items.len())
                .unwrap_or(0);
            let run = ns
                .metadata
                .labels
                .as_ref()
                .and_then(|l| l.get(DRILL_RUN_LABEL).cloned())
                .unwrap_or_default();
            Ok(vec![
                format!("namespace {namespace} (drill run {run}) and everything in it is deleted"),
                format!("{count} pods stop"),
            ])
        }
        _ => Err(OpError::Invalid(format!(
            "{} is not a Velero operation",
            op.name()
        ))),
    }
}

/// Every namespace carrying the drill label, with the run that made it.
pub async fn drill_namespaces(client: &Client) -> Result<Vec<(String, String)>, OpError> {
    let api: Api<Namespace> = Api::all(client.clone());
    let list = api
        .list_metadata(&ListParams::default().labels(DRILL_RUN_LABEL))
        .await
        .map_err(|e| OpError::from_kube("drill namespaces", &e))?;
    Ok(list
        .items
        .into_iter()
        .filter_map(|n| {
            let run = n.metadata.labels?.get(DRILL_RUN_LABEL)?.clone();
            Some((n.metadata.name?, run))
        })
        .collect())
}

/// The namespace if it exists; refuses one without the drill label.
async fn drill_ns(client: &Client, namespace: &str) -> Result<Option<Namespace>, OpError> {
    let what = format!("namespace {namespace}");
    let api: Api<Namespace> = Api::all(client.clone());
    let Some(ns) = api
        .get_opt(namespace)
        .await
        .map_err(|e| OpError::from_kube(&what, &e))?
    else {
        return Ok(None);
    };
    let labelled = ns
        .metadata
        .labels
        .as_ref()
        .is_some_and(|l| l.contains_key(DRILL_RUN_LABEL));
    if !labelled {
        return Err(OpError::Refused(format!(
            "{what} has no {DRILL_RUN_LABEL} label: lakedeck only deletes namespaces a drill created"
        )));
    }
    Ok(Some(ns))
}

pub async fn execute(client: &Client, op: &Op) -> Result<Outcome, OpError> {
    let what = op.target();
    let mut out = Outcome::default();
    match op {
        Op::BackupFromSchedule {
            velero_namespace,
            schedule,
        } => {
            let sched = velero(client, velero_namespace, "Schedule", "schedules")
                .get(schedule)
                .await
                .map_err(|e| OpError::from_kube(&what, &e))?;
            let name = format!("{schedule}-{}", stamp());
            velero(client, velero_namespace, "Backup", "backups")
                .create(&post(false), &backup_from(&sched, &name))
                .await
                .map_err(|e| OpError::from_kube(&what, &e))?;
            out.summary =
                format!("backup {velero_namespace}/{name} created from schedule {schedule}");
            out.outputs.insert("backup".into(), json!(name));
        }
        Op::Restore {
            velero_namespace,
            backup,
            namespace_mapping,
            drill_run,
        } => {
            completed_backup(client, op).await?;
            let ns_api: Api<Namespace> = Api::all(client.clone());
            let mut created = Vec::new();
            if let Some(run) = drill_run {
                for (from, to) in namespace_mapping {
                    if let Err(e) = ns_api
                        .create(&post(false), &drill_namespace(to, from, run))
                        .await
                    {
                        undo_namespaces(&ns_api, &created).await;
                        return Err(OpError::from_kube(&format!("namespace {to}"), &e));
                    }
                    created.push(to.clone());
                }
            }
            let name = format!("{backup}-{}", stamp());
            if let Err(e) = velero(client, velero_namespace, "Restore", "restores")
                .create(&post(false), &restore_object(op, &name))
                .await
            {
                undo_namespaces(&ns_api, &created).await;
                return Err(OpError::from_kube(&what, &e));
            }
            out.summary = format!(
                "restore {velero_namespace}/{name} of backup {backup} created ({})",
                namespace_mapping
                    .iter()
                    .map(|(f, t)| format!("{f} → {t}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            out.outputs.insert("restore".into(), json!(name));
            out.outputs.insert(
                "namespaces".into(),
                json!(namespace_mapping.values().collect::<Vec<_>>()),
            );
        }
        Op::DeleteDrillNamespace { namespace } => {
            if drill_ns(client, namespace).await?.is_none() {
                out.summary = format!("namespace {namespace} was already gone");
                return Ok(out);
            }
            let api: Api<Namespace> = Api::all(client.clone());
            match api.delete(namespace, &DeleteParams::default()).await {
                Ok(_) => out.summary = format!("namespace {namespace} is being deleted"),
                Err(kube::Error::Api(s)) if s.code == 404 => {
                    out.summary = format!("namespace {namespace} was already gone");
                }
                Err(e) => return Err(OpError::from_kube(&what, &e)),
            }
        }
        _ => {
            return Err(OpError::Invalid(format!(
                "{} is not a Velero operation",
                op.name()
            )));
        }
    }
    Ok(out)
}

/// A restore that could not be created must not leave its empty drill namespaces.
async fn undo_namespaces(api: &Api<Namespace>, created: &[String]) {
    for ns in created {
        if let Err(e) = api.delete(ns, &DeleteParams::default()).await {
            tracing::error!("could not remove drill namespace {ns} after a failed restore: {e}");
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // fixtures; a failure should be loud
mod tests {
    use super::*;

    #[test]
    fn a_backup_from_a_schedule_copies_its_template_and_names_the_schedule() {
        let ar = ApiResource::from_gvk_with_plural(
            &GroupVersionKind::gvk("velero.io", "v1", "Schedule"),
            "schedules",
        );
        let mut sched = DynamicObject::new("nightly", &ar).within("velero");
        sched.data = json!({"spec": {"schedule": "0 2 * * *", "template": {"includedNamespaces": ["trino"], "ttl": "720h0m0s"}}});
        let b = backup_from(&sched, "nightly-20261121020000");
        assert_eq!(b.data["spec"]["includedNamespaces"], json!(["trino"]));
        assert_eq!(
            b.metadata.labels.unwrap()["velero.io/schedule-name"],
            "nightly"
        );
        assert_eq!(b.metadata.namespace.as_deref(), Some("velero"));
    }

    #[test]
    fn namespace_names_are_checked_like_the_api_server_does() {
        assert!(valid_namespace_name("drill-20261121-trino"));
        assert!(!valid_namespace_name("Drill"));
        assert!(!valid_namespace_name("-x"));
        assert!(!valid_namespace_name(&"a".repeat(64)));
    }
}
