//! A simulated External Secrets Operator (external-secrets.io/v1 `ExternalSecret`).
//!
//! Like ESO's reconciler, it compares `status.syncedResourceVersion` with
//! `"<generation>-<hash(labels + annotations)>"`: a mismatch (a new ExternalSecret, a
//! changed spec, or `kubectl annotate es … force-sync=$(date +%s) --overwrite`) means a
//! refresh, unless `refreshPolicy: CreatedOnce` (never after the first sync) or
//! `Periodic` with `refreshInterval: 0s`. The lab's secret backend "rotated" in the
//! meantime, so every refresh writes NEW random values for every key of the target
//! Secret (`spec.target.name`, default the ExternalSecret's name), labels it
//! `reconcile.external-secrets.io/managed=true`, annotates
//! `reconcile.external-secrets.io/data-hash`, owns it (creationPolicy Owner) and sets
//! the status: `refreshTime`, `syncedResourceVersion`, `binding.name` and
//! `Ready=True/SecretSynced`. A sync takes [`SYNC_SECS`] simulated seconds, so a "wait
//! for SecretSynced" is observable. A periodic refresh (every `refreshInterval`) finds
//! the backend unchanged: it only advances `refreshTime`. Values are never logged.

use std::collections::HashMap;

use base64::Engine;
use jiff::{SignedDuration, Timestamp};
use serde_json::{Map, Value, json};

use crate::clock::rfc3339;
use crate::resources::ids;
use crate::scenario::parse_duration;
use crate::store::{Store, str_at};

/// Simulated seconds between noticing a change and the Secret being written.
pub const SYNC_SECS: i64 = 3;
pub const MANAGED_LABEL: &str = "reconcile.external-secrets.io/managed";
pub const DATA_HASH: &str = "reconcile.external-secrets.io/data-hash";

fn fnv(bytes: &[u8], seed: u64) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ seed;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// A 32-hex-digit digest (the shape of ESO's md5 hashes).
fn digest(v: &Value) -> String {
    let bytes = serde_json::to_vec(v).unwrap_or_default();
    format!("{:016x}{:016x}", fnv(&bytes, 0), fnv(&bytes, 0x9e37_79b9))
}

/// `"<generation>-<hash(labels + annotations)>"`, ESO's `GetResourceVersion`.
pub fn resource_version(es: &Value) -> String {
    let meta = &es["metadata"];
    format!(
        "{}-{}",
        meta["generation"].as_i64().unwrap_or(1),
        digest(&json!({"annotations": meta["annotations"], "labels": meta["labels"]}))
    )
}

pub fn data_hash(data: &Value) -> String {
    digest(data)
}

/// Fresh random values (base64 of 32 alphanumerics) for `keys`.
pub fn random_data(keys: &[String]) -> Map<String, Value> {
    keys.iter()
        .map(|k| {
            let raw: String = (0..32).map(|_| fastrand::alphanumeric()).collect();
            (
                k.clone(),
                json!(base64::engine::general_purpose::STANDARD.encode(raw)),
            )
        })
        .collect()
}

pub fn target_name(es: &Value) -> String {
    es["spec"]["target"]["name"]
        .as_str()
        .filter(|n| !n.is_empty())
        .map_or_else(|| str_at(es, "/metadata/name"), str::to_string)
}

/// The status of a just-synced ExternalSecret (keeps Ready's transition time if it was
/// already Ready).
pub fn synced_status(es: &Value, now: Timestamp) -> Value {
    let now_s = rfc3339(now);
    let since = es["status"]["conditions"]
        .as_array()
        .and_then(|cs| {
            cs.iter()
                .find(|c| c["type"] == "Ready" && c["status"] == "True")
        })
        .map_or_else(|| json!(now_s), |c| c["lastTransitionTime"].clone());
    json!({
        "refreshTime": now_s,
        "syncedResourceVersion": resource_version(es),
        "binding": {"name": target_name(es)},
        "conditions": [{"type": "Ready", "status": "True", "reason": "SecretSynced",
                        "message": "secret synced", "lastTransitionTime": since}],
    })
}

/// Marks `secret` as managed by `es`: label, data-hash annotation and (creationPolicy
/// Owner, the default) a controller owner reference.
pub fn mark_managed(secret: &mut Value, es: &Value) {
    secret["metadata"]["labels"][MANAGED_LABEL] = json!("true");
    secret["metadata"]["annotations"][DATA_HASH] = json!(data_hash(&secret["data"]));
    let policy = es["spec"]["target"]["creationPolicy"]
        .as_str()
        .unwrap_or("Owner");
    if policy == "Owner" {
        secret["metadata"]["ownerReferences"] = json!([{
            "apiVersion": "external-secrets.io/v1", "kind": "ExternalSecret",
            "name": es["metadata"]["name"], "uid": es["metadata"]["uid"],
            "controller": true, "blockOwnerDeletion": true,
        }]);
    }
}

#[derive(Default)]
pub struct Eso {
    /// ExternalSecret (namespace, name) → when its pending sync completes.
    pending: HashMap<(String, String), Timestamp>,
}

impl Eso {
    pub fn tick(&mut self, store: &Store, now: Timestamp) {
        let all = store.all(ids::external_secrets(), None, |_| true);
        self.pending
            .retain(|(ns, name), _| all.iter().any(|e| &e.namespace == ns && &e.name == name));
        for e in all {
            let es = e.value();
            if !es["metadata"]["deletionTimestamp"].is_null() {
                continue;
            }
            let key = (e.namespace.clone(), e.name.clone());
            let synced = es["status"]["syncedResourceVersion"].as_str();
            let policy = es["spec"]["refreshPolicy"].as_str().unwrap_or("Periodic");
            let interval = es["spec"]["refreshInterval"]
                .as_str()
                .and_then(parse_duration)
                .map_or(3600, |d| d.as_secs() as i64);
            let changed = synced != Some(resource_version(&es).as_str());
            let refresh = match synced {
                None => true,
                Some(_) => {
                    changed && policy != "CreatedOnce" && !(policy == "Periodic" && interval == 0)
                }
            };
            if refresh {
                let due = *self.pending.entry(key.clone()).or_insert_with(|| {
                    now.checked_add(SignedDuration::from_secs(SYNC_SECS))
                        .unwrap_or(now)
                });
                if now >= due {
                    self.pending.remove(&key);
                    sync(store, &es, now);
                }
                continue;
            }
            // Periodic refresh: the backend has not changed, so only refreshTime moves.
            let last = es["status"]["refreshTime"]
                .as_str()
                .and_then(|t| t.parse::<Timestamp>().ok());
            if policy == "Periodic"
                && interval > 0
                && last.is_some_and(|t| now.duration_since(t).as_secs() >= interval)
            {
                let _ = store.update(ids::external_secrets(), &e.namespace, &e.name, None, |o| {
                    o["status"]["refreshTime"] = json!(rfc3339(now));
                    Ok(())
                });
            }
        }
    }
}

/// Writes new values for every key into the target Secret (creating it if needed) and
/// records the sync on the ExternalSecret.
fn sync(store: &Store, es: &Value, now: Timestamp) {
    let ns = str_at(es, "/metadata/namespace");
    let name = str_at(es, "/metadata/name");
    let target = target_name(es);
    let existing = store.get_value(ids::secrets(), &ns, &target);
    let mut keys: Vec<String> = es["spec"]["data"]
        .as_array()
        .map(|d| {
            d.iter()
                .filter_map(|k| k["secretKey"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    if keys.is_empty()
        && let Some(data) = existing.as_ref().and_then(|s| s["data"].as_object())
    {
        keys = data.keys().cloned().collect();
    }
    let data = Value::Object(random_data(&keys));
    let written = match existing {
        Some(_) => store
            .update(ids::secrets(), &ns, &target, None, |o| {
                o["data"] = data.clone();
                mark_managed(o, es);
                Ok(())
            })
            .is_ok(),
        None => {
            let kind = es["spec"]["target"]["template"]["type"]
                .as_str()
                .unwrap_or("Opaque");
            let mut secret = json!({"apiVersion": "v1", "kind": "Secret",
                "metadata": {"name": target, "namespace": ns}, "type": kind, "data": data});
            mark_managed(&mut secret, es);
            store.stamp_new(ids::secrets(), &mut secret);
            store.insert(ids::secrets(), secret).is_ok()
        }
    };
    if written {
        let _ = store.update(ids::external_secrets(), &ns, &name, None, |o| {
            o["status"] = synced_status(o, now);
            Ok(())
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_version_follows_generation_labels_and_annotations() {
        let es = json!({"metadata": {"name": "x", "generation": 2, "annotations": {"a": "1"}}});
        let v = resource_version(&es);
        assert!(v.starts_with("2-") && v.len() == 34, "{v}");
        let mut bumped = es.clone();
        bumped["metadata"]["annotations"]["force-sync"] = json!("1700000000");
        assert_ne!(resource_version(&bumped), v);
        let mut labelled = es.clone();
        labelled["metadata"]["labels"] = json!({"team": "data"});
        assert_ne!(resource_version(&labelled), v);
    }

    #[test]
    fn random_data_is_new_every_time_and_target_defaults_to_the_name() {
        let keys = vec!["a".to_string(), "b".to_string()];
        let one = random_data(&keys);
        let two = random_data(&keys);
        assert_eq!(one.len(), 2);
        assert!(one != two, "values are regenerated");
        assert_eq!(target_name(&json!({"metadata": {"name": "es"}})), "es");
        assert_eq!(
            target_name(&json!({"metadata": {"name": "es"}, "spec": {"target": {"name": "t"}}})),
            "t"
        );
    }
}
