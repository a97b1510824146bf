//! The read-only query steps whose outputs later steps use: `read-replicas`,
//! `find-latest-backup` and `find-consumers` (every workload whose pod template uses a
//! Secret through env, envFrom, volumes or projected volumes, and the ExternalSecret
//! that manages it, if any). Also the finders the engine uses to recognise an op that
//! already happened before a crash (a restore with our mapping, a secret backup).
//!
//! Reads only, through [`Backend`].

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::backend::Backend;
use super::fields;
use crate::ops::Op;

pub type Outputs = BTreeMap<String, Value>;

pub async fn read_replicas<B: Backend>(
    b: &B,
    kind: &str,
    ns: &str,
    name: &str,
) -> Result<Outputs, String> {
    let obj = b
        .get(kind, Some(ns), name)
        .await?
        .ok_or_else(|| format!("{kind} {ns}/{name} does not exist"))?;
    let mut out = Outputs::new();
    out.insert(
        "replicas".into(),
        json!(obj["spec"]["replicas"].as_i64().unwrap_or(1)),
    );
    out.insert(
        "ready".into(),
        json!(obj["status"]["readyReplicas"].as_i64().unwrap_or(0)),
    );
    Ok(out)
}

pub async fn find_latest_backup<B: Backend>(
    b: &B,
    velero_ns: &str,
    schedule: &str,
) -> Result<Outputs, String> {
    let backups = b
        .list(
            "Backup",
            Some(velero_ns),
            Some(&format!("velero.io/schedule-name={schedule}")),
            None,
        )
        .await?;
    let latest = backups
        .iter()
        .filter(|o| o["status"]["phase"] == "Completed")
        .filter_map(|o| fields::timestamp(o, "status.completionTimestamp").map(|t| (t, o)))
        .max_by_key(|(t, _)| *t);
    let Some((completed, backup)) = latest else {
        let mut phases: BTreeMap<String, usize> = BTreeMap::new();
        for o in &backups {
            *phases
                .entry(o["status"]["phase"].as_str().unwrap_or("New").to_string())
                .or_default() += 1;
        }
        let seen = if phases.is_empty() {
            "none at all".to_string()
        } else {
            phases
                .iter()
                .map(|(p, n)| format!("{n} {p}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        return Err(format!(
            "no Completed backup of schedule {schedule} in {velero_ns} (backups of it: {seen}) — check the schedule name and `lakedeck` Velero pane"
        ));
    };
    let mut out = Outputs::new();
    out.insert("backup".into(), json!(fields::name(backup)));
    out.insert("completed".into(), json!(completed.to_string()));
    out.insert(
        "started".into(),
        fields::timestamp(backup, "status.startTimestamp")
            .map_or(Value::Null, |t| json!(t.to_string())),
    );
    out.insert(
        "namespaces".into(),
        backup["spec"]["includedNamespaces"].clone(),
    );
    out.insert(
        "items".into(),
        backup["status"]["progress"]["totalItems"].clone(),
    );
    out.insert(
        "age_seconds".into(),
        json!(
            jiff::Timestamp::now()
                .duration_since(completed)
                .as_secs()
                .max(0)
        ),
    );
    Ok(out)
}

/// Where in a pod spec a secret is used (`env`, `envFrom`, `volume`, `projected`).
fn uses(pod_spec: &Value, secret: &str) -> Vec<&'static str> {
    let mut via = Vec::new();
    for list in ["containers", "initContainers", "ephemeralContainers"] {
        for c in pod_spec[list].as_array().into_iter().flatten() {
            if c["env"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|e| e["valueFrom"]["secretKeyRef"]["name"] == secret)
            {
                via.push("env");
            }
            if c["envFrom"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|e| e["secretRef"]["name"] == secret)
            {
                via.push("envFrom");
            }
        }
    }
    for v in pod_spec["volumes"].as_array().into_iter().flatten() {
        if v["secret"]["secretName"] == secret {
            via.push("volume");
        }
        if v["projected"]["sources"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|s| s["secret"]["name"] == secret)
        {
            via.push("projected");
        }
    }
    via.sort_unstable();
    via.dedup();
    via
}

pub async fn find_consumers<B: Backend>(b: &B, ns: &str, secret: &str) -> Result<Outputs, String> {
    let Some(obj) = b.get("Secret", Some(ns), secret).await? else {
        let known: Vec<String> = b
            .list("Secret", Some(ns), None, None)
            .await
            .unwrap_or_default()
            .iter()
            .map(fields::name)
            .filter(|n| !n.contains("-previous-"))
            .take(12)
            .collect();
        return Err(format!(
            "secret {ns}/{secret} does not exist; secrets in {ns}: {}",
            if known.is_empty() {
                "none".into()
            } else {
                known.join(", ")
            }
        ));
    };
    let mut workloads = Vec::new();
    for (kind, path) in [
        ("Deployment", "spec.template.spec"),
        ("StatefulSet", "spec.template.spec"),
        ("DaemonSet", "spec.template.spec"),
        ("CronJob", "spec.jobTemplate.spec.template.spec"),
    ] {
        for w in b.list(kind, Some(ns), None, None).await? {
            let Some(spec) = fields::at(&w, path) else {
                continue;
            };
            let via = uses(spec, secret);
            if !via.is_empty() {
                workloads.push(json!({"kind": kind, "namespace": ns, "name": fields::name(&w), "via": via.join(",")}));
            }
        }
    }
    // Managed by an ExternalSecret: the Secret's owner, or one whose target names it.
    let owner = obj["metadata"]["ownerReferences"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|o| o["kind"] == "ExternalSecret")
        .and_then(|o| o["name"].as_str())
        .map(str::to_string);
    let external = match owner {
        Some(o) => Some(o),
        None => b
            .list("ExternalSecret", Some(ns), None, None)
            .await
            .unwrap_or_default()
            .into_iter()
            .find(|es| {
                let target = es["spec"]["target"]["name"]
                    .as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| fields::name(es));
                target == secret
            })
            .map(|es| fields::name(&es)),
    };
    let restartable: Vec<Value> = workloads
        .iter()
        .filter(|w| w["kind"] != "CronJob")
        .cloned()
        .collect();
    let names: Vec<String> = workloads
        .iter()
        .map(|w| {
            format!(
                "{} {} ({})",
                w["kind"].as_str().unwrap_or("").to_ascii_lowercase(),
                w["name"].as_str().unwrap_or(""),
                w["via"].as_str().unwrap_or("")
            )
        })
        .collect();
    let mut out = Outputs::new();
    out.insert("count".into(), json!(workloads.len()));
    out.insert("workloads".into(), Value::Array(workloads));
    out.insert("restartable".into(), Value::Array(restartable));
    out.insert(
        "names".into(),
        json!(if names.is_empty() {
            "none".to_string()
        } else {
            names.join(", ")
        }),
    );
    out.insert(
        "external_secret".into(),
        json!(external.unwrap_or_default()),
    );
    Ok(out)
}

/// A Restore in `velero_ns` whose namespace mapping is exactly `mapping`.
pub async fn find_restore<B: Backend>(
    b: &B,
    velero_ns: &str,
    mapping: &BTreeMap<String, String>,
) -> Result<Option<String>, String> {
    let want = json!(mapping);
    Ok(b.list("Restore", Some(velero_ns), None, None)
        .await?
        .iter()
        .find(|r| r["spec"]["namespaceMapping"] == want)
        .map(fields::name))
}

/// The outputs of an op that already happened before a crash, found by what it left
/// behind (a restore with this mapping, a secret copy or a backup made since `since`),
/// so a resumed run does not do it twice.
pub async fn already_done<B: Backend>(b: &B, op: &Op, since: jiff::Timestamp) -> Option<Outputs> {
    let (key, found) = match op {
        Op::Restore {
            velero_namespace,
            namespace_mapping,
            ..
        } if !namespace_mapping.is_empty() => (
            "restore",
            find_restore(b, velero_namespace, namespace_mapping).await,
        ),
        Op::RotateSecret { namespace, name } => (
            "previous_secret",
            find_secret_backup(b, namespace, name, since).await,
        ),
        Op::BackupFromSchedule {
            velero_namespace,
            schedule,
        } => (
            "backup",
            find_new_backup(b, velero_namespace, schedule, since).await,
        ),
        _ => return None,
    };
    let name = found.ok().flatten()?;
    Some(Outputs::from([(key.to_string(), json!(name))]))
}

/// The newest backup copy of a secret made by rotation, created at or after `since`.
pub async fn find_secret_backup<B: Backend>(
    b: &B,
    ns: &str,
    secret: &str,
    since: jiff::Timestamp,
) -> Result<Option<String>, String> {
    let selector = format!("{}={secret}", crate::ops::SECRET_BACKUP_LABEL);
    newest_since(b, "Secret", ns, &selector, since).await
}

/// The newest backup of `schedule` created at or after `since`.
pub async fn find_new_backup<B: Backend>(
    b: &B,
    velero_ns: &str,
    schedule: &str,
    since: jiff::Timestamp,
) -> Result<Option<String>, String> {
    let selector = format!("velero.io/schedule-name={schedule}");
    newest_since(b, "Backup", velero_ns, &selector, since).await
}

/// The newest `kind` object matching `selector` created at or after `since` (to the
/// second, as creationTimestamp is): how an op that ran before a crash is recognised.
async fn newest_since<B: Backend>(
    b: &B,
    kind: &str,
    ns: &str,
    selector: &str,
    since: jiff::Timestamp,
) -> Result<Option<String>, String> {
    let found = b.list(kind, Some(ns), Some(selector), None).await?;
    Ok(found
        .iter()
        .filter_map(|c| fields::timestamp(c, "metadata.creationTimestamp").map(|t| (t, c)))
        .filter(|(t, _)| t.as_second() >= since.as_second() - 1)
        .max_by_key(|(t, _)| *t)
        .map(|(_, c)| fields::name(c)))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn finds_every_way_a_pod_uses_a_secret() {
        let spec = json!({
            "containers": [{"env": [{"name": "P", "valueFrom": {"secretKeyRef": {"name": "db", "key": "p"}}}]},
                           {"envFrom": [{"secretRef": {"name": "db"}}]}],
            "volumes": [{"name": "a", "secret": {"secretName": "db"}},
                        {"name": "b", "projected": {"sources": [{"secret": {"name": "db"}}]}}]
        });
        assert_eq!(
            uses(&spec, "db"),
            vec!["env", "envFrom", "projected", "volume"]
        );
        assert!(uses(&spec, "other").is_empty());
    }
}
