//! A simulated Velero server. Backups go New → InProgress → Completed over
//! [`BACKUP_SECS`] simulated seconds, `status.progress.itemsBackedUp` growing towards
//! `totalItems`, and capture the objects of their namespaces (and the namespaces' labels)
//! into the lab's "object storage". Restores go New → InProgress → Completed over
//! [`RESTORE_SECS`]: they re-create the backed-up objects item by item
//! (`status.progress.itemsRestored`), in the namespaces `namespaceMapping` names, so the
//! workload controllers start their pods while the restore runs. A target namespace that
//! already exists is kept as it is (its labels too, e.g. a drill's
//! `lakedeck.io/drill-run`); a missing one is created with the backed-up namespace's
//! labels plus `velero.io/backup-name`/`velero.io/restore-name`. Objects that already
//! exist are skipped with a warning, as with `existingResourcePolicy: none`. A Restore
//! naming `scheduleName` instead of `backupName` restores the schedule's newest
//! Completed backup. DeleteBackupRequests remove a backup and its contents.

use std::collections::{BTreeMap, HashMap};

use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

use crate::clock::rfc3339;
use crate::resources::{self, ResId, ids};
use crate::store::{Store, str_at};

/// Simulated duration of a backup or restore.
pub const BACKUP_SECS: i64 = 20;
pub const RESTORE_SECS: i64 = 15;

/// Kinds a backup captures, in Velero's restore priority order (pods and events are
/// not restored; controllers recreate pods).
const CAPTURED: &[(&str, &str)] = &[
    ("", "Secret"),
    ("", "ConfigMap"),
    ("", "ServiceAccount"),
    ("", "Service"),
    ("apps", "Deployment"),
    ("apps", "StatefulSet"),
    ("apps", "DaemonSet"),
    ("batch", "CronJob"),
    ("policy", "PodDisruptionBudget"),
    ("external-secrets.io", "ExternalSecret"),
];

/// What a backup holds: its namespaces (with their labels) and their objects.
#[derive(Default, Clone)]
struct Contents {
    namespaces: Vec<(String, BTreeMap<String, String>)>,
    items: Vec<(ResId, Value)>,
}

#[derive(Default)]
pub struct Velero {
    /// Backup name → captured contents (the bucket).
    contents: HashMap<String, Contents>,
}

fn ts(v: &Value) -> Option<Timestamp> {
    v.as_str()?.parse().ok()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Seconds since `start` as a fraction of `total` (0..=1).
fn fraction(now: Timestamp, start: Option<Timestamp>, total: i64) -> f64 {
    start.map_or(0.0, |s| {
        (now.duration_since(s).as_secs_f64() / total as f64).clamp(0.0, 1.0)
    })
}

/// One step of a restore: make sure a namespace exists, or create an object.
enum Step {
    Namespace(String, BTreeMap<String, String>),
    Object(ResId, Value),
}

impl Velero {
    fn read(store: &Store, namespaces: &[String]) -> Contents {
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
        let namespaces = namespaces
            .iter()
            .filter_map(|ns| {
                let e = store.get(ids::namespaces(), "", ns)?;
                Some((ns.clone(), e.labels.clone()))
            })
            .collect();
        Contents { namespaces, items }
    }

    /// Captures what a backup of `namespaces` holds now; returns the item count.
    pub fn capture(&mut self, store: &Store, backup: &str, namespaces: &[String]) -> usize {
        let contents = Self::read(store, namespaces);
        let n = contents.items.len() + contents.namespaces.len();
        self.contents.insert(backup.to_string(), contents);
        n
    }

    pub fn tick(&mut self, store: &Store, now: Timestamp) {
        self.backups(store, now);
        self.restores(store, now);
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

    fn backups(&mut self, store: &Store, now: Timestamp) {
        let now_s = rfc3339(now);
        for e in store.all(ids::backups(), None, |_| true) {
            let b = e.value();
            let namespaces = strings(&b["spec"]["includedNamespaces"]);
            match b["status"]["phase"].as_str() {
                Some("New") | None => {
                    let ttl = crate::scenario::parse_duration(
                        b["spec"]["ttl"].as_str().unwrap_or("720h"),
                    )
                    .unwrap_or(std::time::Duration::from_secs(720 * 3600));
                    let expires = now
                        .checked_add(SignedDuration::try_from(ttl).unwrap_or_default())
                        .unwrap_or(now);
                    let seen = Self::read(store, &namespaces);
                    let total = seen.items.len() + seen.namespaces.len();
                    let _ = store.update(ids::backups(), &e.namespace, &e.name, None, |o| {
                        o["status"] = json!({"phase": "InProgress", "startTimestamp": now_s,
                            "expiration": rfc3339(expires), "version": 1, "formatVersion": "1.1.0",
                            "progress": {"totalItems": total, "itemsBackedUp": 0}});
                        Ok(())
                    });
                }
                Some("InProgress") => {
                    let start = ts(&b["status"]["startTimestamp"]);
                    let done = fraction(now, start, BACKUP_SECS);
                    if done >= 1.0 {
                        let n = self.capture(store, &e.name, &namespaces);
                        let _ = store.update(ids::backups(), &e.namespace, &e.name, None, |o| {
                            o["status"]["phase"] = json!("Completed");
                            o["status"]["completionTimestamp"] = json!(now_s);
                            o["status"]["progress"] = json!({"totalItems": n, "itemsBackedUp": n});
                            o["status"]["errors"] = json!(0);
                            o["status"]["warnings"] = json!(0);
                            Ok(())
                        });
                    } else {
                        let total = b["status"]["progress"]["totalItems"].as_u64().unwrap_or(0);
                        let backed_up = (total as f64 * done).floor() as u64;
                        let _ = store.update(ids::backups(), &e.namespace, &e.name, None, |o| {
                            o["status"]["progress"]["itemsBackedUp"] = json!(backed_up);
                            Ok(())
                        });
                    }
                }
                _ => {}
            }
        }
    }

    /// The steps a restore takes, in order: its namespaces, then their objects.
    fn plan(contents: &Contents, restore: &Value, restore_name: &str, backup: &str) -> Vec<Step> {
        let mapping = restore["spec"]["namespaceMapping"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        let included = strings(&restore["spec"]["includedNamespaces"]);
        let excluded = strings(&restore["spec"]["excludedNamespaces"]);
        let wanted = |ns: &str| {
            (included.is_empty() || included.iter().any(|i| i == ns || i == "*"))
                && !excluded.iter().any(|x| x == ns)
        };
        let target_ns = |ns: &str| {
            mapping
                .get(ns)
                .and_then(Value::as_str)
                .unwrap_or(ns)
                .to_string()
        };
        let velero_labels = [
            ("velero.io/backup-name", backup.to_string()),
            ("velero.io/restore-name", restore_name.to_string()),
        ];
        let mut steps = Vec::new();
        for (ns, labels) in contents.namespaces.iter().filter(|(ns, _)| wanted(ns)) {
            let mut labels = labels.clone();
            labels.remove("kubernetes.io/metadata.name");
            for (k, v) in &velero_labels {
                labels.insert((*k).to_string(), v.clone());
            }
            steps.push(Step::Namespace(target_ns(ns), labels));
        }
        for (res, obj) in &contents.items {
            let ns = str_at(obj, "/metadata/namespace");
            if !wanted(&ns) {
                continue;
            }
            let mut o = obj.clone();
            o["metadata"] = json!({
                "name": obj["metadata"]["name"], "namespace": target_ns(&ns),
                "labels": obj["metadata"]["labels"], "annotations": obj["metadata"]["annotations"],
            });
            for (k, v) in &velero_labels {
                o["metadata"]["labels"][*k] = json!(v);
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
            steps.push(Step::Object(*res, o));
        }
        steps
    }

    /// Carries out one step; Ok(true) restored, Ok(false) skipped (already exists, a
    /// warning), Err(()) failed.
    fn apply(store: &Store, step: &Step) -> Result<bool, ()> {
        match step {
            Step::Namespace(name, labels) => {
                if store.get(ids::namespaces(), "", name).is_some() {
                    return Ok(false);
                }
                let mut obj = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}});
                store.stamp_new(ids::namespaces(), &mut obj);
                crate::semantics::apply_defaults(store, ids::namespaces(), &mut obj);
                store
                    .insert(ids::namespaces(), obj)
                    .map(|_| true)
                    .map_err(|_| ())
            }
            Step::Object(res, obj) => {
                let ns = str_at(obj, "/metadata/namespace");
                let name = str_at(obj, "/metadata/name");
                // Like the API server: no new content in a namespace being deleted (or
                // gone); Velero counts the item as an error and goes on.
                let namespace = store.get(ids::namespaces(), "", &ns).map(|e| e.value());
                if namespace.is_none_or(|n| n["status"]["phase"] == "Terminating") {
                    return Err(());
                }
                if store.get(*res, &ns, &name).is_some() {
                    return Ok(false);
                }
                let mut o = obj.clone();
                store.stamp_new(*res, &mut o);
                crate::semantics::apply_defaults(store, *res, &mut o);
                store.insert(*res, o).map(|_| true).map_err(|_| ())
            }
        }
    }

    fn restores(&mut self, store: &Store, now: Timestamp) {
        let now_s = rfc3339(now);
        for e in store.all(ids::restores(), None, |_| true) {
            let r = e.value();
            match r["status"]["phase"].as_str() {
                Some("New") | None => {
                    let mut backup = str_at(&r, "/spec/backupName");
                    let schedule = str_at(&r, "/spec/scheduleName");
                    if backup.is_empty() && !schedule.is_empty() {
                        backup = store
                            .all(ids::backups(), Some(&e.namespace), |b| {
                                b.labels.get("velero.io/schedule-name") == Some(&schedule)
                            })
                            .iter()
                            .map(|b| b.value())
                            .filter(|b| b["status"]["phase"] == "Completed")
                            .max_by_key(|b| str_at(b, "/status/completionTimestamp"))
                            .map(|b| str_at(&b, "/metadata/name"))
                            .unwrap_or_default();
                    }
                    let found = store.get_value(ids::backups(), &e.namespace, &backup);
                    let usable = found.as_ref().is_some_and(|b| {
                        matches!(
                            b["status"]["phase"].as_str(),
                            Some("Completed" | "PartiallyFailed")
                        )
                    }) && self.contents.contains_key(&backup);
                    let total = self
                        .contents
                        .get(&backup)
                        .map_or(0, |c| Self::plan(c, &r, &e.name, &backup).len());
                    let _ = store.update(ids::restores(), &e.namespace, &e.name, None, |o| {
                        if usable {
                            o["spec"]["backupName"] = json!(backup);
                            o["status"] = json!({"phase": "InProgress", "startTimestamp": now_s,
                                "progress": {"totalItems": total, "itemsRestored": 0},
                                "errors": 0, "warnings": 0});
                        } else {
                            let what = if backup.is_empty() {
                                format!("No completed backups found for schedule {schedule}")
                            } else {
                                format!("Backup {backup} not found or not completed")
                            };
                            o["status"] =
                                json!({"phase": "FailedValidation", "validationErrors": [what]});
                        }
                        Ok(())
                    });
                }
                Some("InProgress") => {
                    let backup = str_at(&r, "/spec/backupName");
                    let Some(contents) = self.contents.get(&backup) else {
                        let _ = store.update(ids::restores(), &e.namespace, &e.name, None, |o| {
                            o["status"]["phase"] = json!("Failed");
                            o["status"]["failureReason"] = json!(format!(
                                "backup {backup} is no longer in the storage location"
                            ));
                            o["status"]["completionTimestamp"] = json!(now_s);
                            Ok(())
                        });
                        continue;
                    };
                    let steps = Self::plan(contents, &r, &e.name, &backup);
                    let total = steps.len();
                    let progress = &r["status"]["progress"];
                    let processed = progress["itemsRestored"].as_u64().unwrap_or(0) as usize;
                    let mut errors = r["status"]["errors"].as_u64().unwrap_or(0);
                    let mut warnings = r["status"]["warnings"].as_u64().unwrap_or(0);
                    let done = fraction(now, ts(&r["status"]["startTimestamp"]), RESTORE_SECS);
                    let target = ((total as f64 * done).ceil() as usize).min(total);
                    for step in steps.iter().take(target).skip(processed) {
                        match Self::apply(store, step) {
                            Ok(true) => {}
                            Ok(false) => {
                                if matches!(step, Step::Object(..)) {
                                    warnings += 1;
                                }
                            }
                            Err(()) => errors += 1,
                        }
                    }
                    let processed = target.max(processed);
                    let finished = done >= 1.0 && processed >= total;
                    let _ = store.update(ids::restores(), &e.namespace, &e.name, None, |o| {
                        o["status"]["progress"] =
                            json!({"totalItems": total, "itemsRestored": processed});
                        o["status"]["errors"] = json!(errors);
                        o["status"]["warnings"] = json!(warnings);
                        if finished {
                            o["status"]["phase"] = json!(if errors == 0 {
                                "Completed"
                            } else {
                                "PartiallyFailed"
                            });
                            o["status"]["completionTimestamp"] = json!(now_s);
                        }
                        Ok(())
                    });
                }
                _ => {}
            }
        }
    }
}
