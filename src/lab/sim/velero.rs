//! A simulated Velero server: Backups go New → InProgress → Completed and capture the
//! objects of their namespaces into the lab's "object storage"; Restores go New →
//! InProgress → Completed and really re-create the backed-up objects, in the namespaces
//! `namespaceMapping` names (workload controllers then start their pods);
//! DeleteBackupRequests remove a backup and its contents.

use std::collections::HashMap;

use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

use crate::lab::clock::rfc3339;
use crate::lab::resources::{self, ResId, ids};
use crate::lab::store::{Store, str_at};

/// Simulated duration of a backup or restore.
const BACKUP_SECS: i64 = 30;
const RESTORE_SECS: i64 = 20;

/// Kinds a backup captures (pods and events are not restored; controllers recreate pods).
const CAPTURED: &[(&str, &str)] = &[
    ("", "ConfigMap"),
    ("", "Secret"),
    ("", "Service"),
    ("", "ServiceAccount"),
    ("apps", "Deployment"),
    ("apps", "StatefulSet"),
    ("apps", "DaemonSet"),
    ("batch", "CronJob"),
];

#[derive(Default)]
pub struct Velero {
    /// Backup name → captured objects (the bucket's contents).
    contents: HashMap<String, Vec<(ResId, Value)>>,
}

fn ts(v: &Value) -> Option<Timestamp> {
    v.as_str()?.parse().ok()
}

impl Velero {
    /// Captures what a backup of `namespaces` holds now.
    pub fn capture(&mut self, store: &Store, backup: &str, namespaces: &[String]) -> usize {
        let mut items = Vec::new();
        for (group, kind) in CAPTURED {
            let Some(res) = resources::by_kind(group, kind) else {
                continue;
            };
            for ns in namespaces {
                for e in store.all(res, Some(ns), |_| true) {
                    items.push((res, e.value()));
                }
            }
        }
        let n = items.len() + namespaces.len();
        self.contents.insert(backup.to_string(), items);
        n
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

    pub fn tick(&mut self, store: &Store, now: Timestamp) {
        let now_s = rfc3339(now);
        for e in store.all(ids::backups(), None, |_| true) {
            let b = e.value();
            match b["status"]["phase"].as_str() {
                Some("New") | None => {
                    let ttl = crate::lab::scenario::parse_duration(
                        &b["spec"]["ttl"]
                            .as_str()
                            .unwrap_or("720h")
                            .replace("0m0s", ""),
                    )
                    .unwrap_or(std::time::Duration::from_secs(720 * 3600));
                    let expires = now
                        .checked_add(SignedDuration::try_from(ttl).unwrap_or_default())
                        .unwrap_or(now);
                    let _ = store.update(ids::backups(), &e.namespace, &e.name, None, |o| {
                        o["status"] = json!({"phase": "InProgress", "startTimestamp": now_s, "expiration": rfc3339(expires), "version": 1, "formatVersion": "1.1.0"});
                        Ok(())
                    });
                }
                Some("InProgress")
                    if ts(&b["status"]["startTimestamp"])
                        .is_some_and(|s| now.duration_since(s).as_secs() >= BACKUP_SECS) =>
                {
                    let namespaces = Self::namespaces_of(&b);
                    let n = self.capture(store, &e.name, &namespaces);
                    let _ = store.update(ids::backups(), &e.namespace, &e.name, None, |o| {
                        o["status"]["phase"] = json!("Completed");
                        o["status"]["completionTimestamp"] = json!(now_s);
                        o["status"]["progress"] = json!({"totalItems": n, "itemsBackedUp": n});
                        Ok(())
                    });
                }
                _ => {}
            }
        }
        for e in store.all(ids::restores(), None, |_| true) {
            let r = e.value();
            match r["status"]["phase"].as_str() {
                Some("New") | None => {
                    let backup = str_at(&r, "/spec/backupName");
                    let found = store.get_value(ids::backups(), &e.namespace, &backup);
                    let usable = found.as_ref().is_some_and(|b| {
                        matches!(
                            b["status"]["phase"].as_str(),
                            Some("Completed" | "PartiallyFailed")
                        )
                    });
                    let _ = store.update(ids::restores(), &e.namespace, &e.name, None, |o| {
                        if usable {
                            o["status"] = json!({"phase": "InProgress", "startTimestamp": now_s});
                        } else {
                            o["status"] = json!({"phase": "FailedValidation", "validationErrors": [format!("Backup {backup} not found or not completed")]});
                        }
                        Ok(())
                    });
                }
                Some("InProgress")
                    if ts(&r["status"]["startTimestamp"])
                        .is_some_and(|s| now.duration_since(s).as_secs() >= RESTORE_SECS) =>
                {
                    let (restored, errors) = self.restore(store, &r, &e.name);
                    let phase = if errors == 0 {
                        "Completed"
                    } else {
                        "PartiallyFailed"
                    };
                    let _ = store.update(ids::restores(), &e.namespace, &e.name, None, |o| {
                        o["status"]["phase"] = json!(phase);
                        o["status"]["completionTimestamp"] = json!(now_s);
                        o["status"]["progress"] =
                            json!({"totalItems": restored + errors, "itemsRestored": restored});
                        o["status"]["errors"] = json!(errors);
                        o["status"]["warnings"] = json!(0);
                        Ok(())
                    });
                }
                _ => {}
            }
        }
        for e in store.all(ids::delete_backup_requests(), None, |_| true) {
            let d = e.value();
            if d["status"]["phase"] == "Processed" {
                continue;
            }
            let backup = str_at(&d, "/spec/backupName");
            store.remove(ids::backups(), &e.namespace, &backup);
            self.contents.remove(&backup);
            let _ = store.update(
                ids::delete_backup_requests(),
                &e.namespace,
                &e.name,
                None,
                |o| {
                    o["status"] = json!({"phase": "Processed"});
                    Ok(())
                },
            );
        }
    }

    /// Re-creates a backup's objects; returns (restored, failed) counts.
    fn restore(&self, store: &Store, restore: &Value, restore_name: &str) -> (usize, usize) {
        let backup = str_at(restore, "/spec/backupName");
        let Some(items) = self.contents.get(&backup) else {
            return (0, 1);
        };
        let mapping = restore["spec"]["namespaceMapping"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        let included: Vec<String> = restore["spec"]["includedNamespaces"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        let (mut ok, mut failed) = (0, 0);
        let target_ns = |ns: &str| {
            mapping
                .get(ns)
                .and_then(Value::as_str)
                .unwrap_or(ns)
                .to_string()
        };
        let labels =
            json!({"velero.io/backup-name": backup, "velero.io/restore-name": restore_name});
        let mut namespaces: Vec<String> = items
            .iter()
            .map(|(_, o)| str_at(o, "/metadata/namespace"))
            .collect();
        namespaces.dedup();
        for ns in namespaces
            .iter()
            .filter(|ns| included.is_empty() || included.contains(ns))
        {
            let target = target_ns(ns);
            if store.get(ids::namespaces(), "", &target).is_none() {
                let mut obj = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": target, "labels": labels}});
                store.stamp_new(ids::namespaces(), &mut obj);
                crate::lab::semantics::apply_defaults(store, ids::namespaces(), &mut obj);
                let _ = store.insert(ids::namespaces(), obj);
            }
        }
        for (res, obj) in items {
            let ns = str_at(obj, "/metadata/namespace");
            if !included.is_empty() && !included.contains(&ns) {
                continue;
            }
            let mut o = obj.clone();
            o["metadata"] = json!({
                "name": obj["metadata"]["name"], "namespace": target_ns(&ns),
                "labels": obj["metadata"]["labels"], "annotations": obj["metadata"]["annotations"],
            });
            for (k, v) in labels.as_object().into_iter().flatten() {
                o["metadata"]["labels"][k] = v.clone();
            }
            if let Some(m) = o.as_object_mut() {
                m.remove("status");
            }
            if resources::get(*res).kind == "Service"
                && let Some(spec) = o["spec"].as_object_mut()
            {
                spec.remove("clusterIP");
                spec.remove("clusterIPs");
            }
            store.stamp_new(*res, &mut o);
            match store.insert(*res, o) {
                Ok(_) => ok += 1,
                Err(_) => failed += 1,
            }
        }
        (ok, failed)
    }
}
