//! What the API server itself does on writes, beyond storing: defaulting new objects,
//! validation (422 with field causes), generation bumps on spec changes, graceful pod
//! deletion, namespace termination and refusing new content in a terminating namespace.
//! Controllers (what happens *after* a write) live in `lab::sim`.

use serde_json::{Value, json};

use super::clock::rfc3339;
use super::resources::{self, ResId, ids};
use super::status::ApiError;
use super::store::{Entry, Store, str_at};

/// Default termination grace period, as the API server defaults `spec.terminationGracePeriodSeconds`.
const DEFAULT_GRACE: i64 = 30;

pub fn check_namespace_open(store: &Store, ns: &str) -> Result<(), ApiError> {
    let Some(namespace) = store.get_value(ids::namespaces(), "", ns) else {
        return Err(ApiError::namespace_not_found(ns));
    };
    if namespace["status"]["phase"] == "Terminating" {
        return Err(ApiError::forbidden_plain(format!(
            "unable to create new content in namespace {ns} because it is being terminated"
        )));
    }
    Ok(())
}

/// A Secret's write-only `stringData` is merged into `data` (base64) and dropped, as
/// the API server does on every write.
fn merge_string_data(obj: &mut Value) {
    use base64::Engine;
    let Some(plain) = obj.as_object_mut().and_then(|o| o.remove("stringData")) else {
        return;
    };
    for (k, v) in plain.as_object().into_iter().flatten() {
        let text = v.as_str().unwrap_or_default();
        obj["data"][k] = json!(base64::engine::general_purpose::STANDARD.encode(text));
    }
}

pub fn apply_defaults(store: &Store, res: ResId, obj: &mut Value) {
    let r = resources::get(res);
    match (r.group, r.kind) {
        ("", "Secret") => {
            merge_string_data(obj);
            if obj["type"].is_null() {
                obj["type"] = json!("Opaque");
            }
        }
        ("", "Namespace") => {
            let name = str_at(obj, "/metadata/name");
            obj["metadata"]["labels"]["kubernetes.io/metadata.name"] = json!(name);
            obj["spec"] = json!({"finalizers": ["kubernetes"]});
            obj["status"] = json!({"phase": "Active"});
        }
        ("", "Pod") => {
            let spec = &mut obj["spec"];
            for (k, v) in [
                ("restartPolicy", json!("Always")),
                ("terminationGracePeriodSeconds", json!(DEFAULT_GRACE)),
                ("dnsPolicy", json!("ClusterFirst")),
                ("schedulerName", json!("default-scheduler")),
                ("serviceAccountName", json!("default")),
            ] {
                if spec.get(k).is_none() {
                    spec[k] = v;
                }
            }
            if obj["status"]["phase"].is_null() {
                obj["status"] = json!({"phase": "Pending", "qosClass": "Burstable"});
            }
        }
        // A new-style event (eventTime set, e.g. created through events.k8s.io/v1)
        // keeps null first/lastTimestamp and no count, as the API server stores it.
        ("", "Event") if obj["eventTime"].is_null() => {
            let now = rfc3339(store.clock.now());
            for k in ["firstTimestamp", "lastTimestamp"] {
                if obj[k].is_null() {
                    obj[k] = json!(now);
                }
            }
            if obj["count"].is_null() {
                obj["count"] = json!(1);
            }
        }
        ("apps", "Deployment" | "StatefulSet" | "ReplicaSet")
            if obj["spec"]["replicas"].is_null() =>
        {
            obj["spec"]["replicas"] = json!(1);
        }
        ("velero.io", "Backup" | "Restore" | "DeleteBackupRequest")
            if obj["status"]["phase"].is_null() =>
        {
            obj["status"]["phase"] = json!("New");
        }
        _ => {}
    }
}

fn is_dns_subdomain(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.split('.').all(|label| {
            !label.is_empty()
                && label
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

fn is_dns_label(s: &str) -> bool {
    s.len() <= 63 && !s.contains('.') && is_dns_subdomain(s)
}

/// Validates an object as the API server would before storing it.
pub fn validate(res: ResId, obj: &Value) -> Result<(), ApiError> {
    let r = resources::get(res);
    let name = str_at(obj, "/metadata/name");
    let mut causes: Vec<(String, String)> = Vec::new();
    if name.is_empty() {
        causes.push((
            "metadata.name".into(),
            "Required value: name or generateName is required".into(),
        ));
    } else {
        let ok = if matches!(r.kind, "Namespace" | "Service") {
            is_dns_label(&name)
        } else {
            is_dns_subdomain(&name)
        };
        if !ok {
            causes.push((
                "metadata.name".into(),
                format!("Invalid value: \"{name}\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"),
            ));
        }
    }
    if let Some(labels) = obj["metadata"]["labels"].as_object() {
        for (k, v) in labels {
            if !v.is_string() {
                causes.push((
                    format!("metadata.labels[{k}]"),
                    "Invalid value: label values must be strings".into(),
                ));
            }
        }
    }
    match (r.group, r.kind) {
        ("", "Pod") => {
            let containers = obj["spec"]["containers"].as_array();
            if containers.is_none_or(Vec::is_empty) {
                causes.push(("spec.containers".into(), "Required value".into()));
            }
            for (i, c) in containers.into_iter().flatten().enumerate() {
                if c["name"].as_str().is_none_or(str::is_empty) {
                    causes.push((
                        format!("spec.containers[{i}].name"),
                        "Required value".into(),
                    ));
                }
                if c["image"].as_str().is_none_or(str::is_empty) {
                    causes.push((
                        format!("spec.containers[{i}].image"),
                        "Required value".into(),
                    ));
                }
            }
        }
        ("apps", "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet") | ("batch", "Job") => {
            if let Some(replicas) = obj["spec"].get("replicas")
                && replicas.as_i64().is_none_or(|n| n < 0)
            {
                causes.push((
                    "spec.replicas".into(),
                    format!("Invalid value: {replicas}: must be greater than or equal to 0"),
                ));
            }
            let selector = obj["spec"]["selector"]["matchLabels"].as_object();
            let labels = obj["spec"]["template"]["metadata"]["labels"].as_object();
            match (selector, labels) {
                (None, _) if r.kind != "Job" => {
                    causes.push(("spec.selector".into(), "Required value".into()))
                }
                (Some(sel), Some(labels)) if !sel.iter().all(|(k, v)| labels.get(k) == Some(v)) => {
                    causes.push((
                        "spec.template.metadata.labels".into(),
                        "Invalid value: `selector` does not match template `labels`".into(),
                    ))
                }
                (Some(_), None) => causes.push((
                    "spec.template.metadata.labels".into(),
                    "Invalid value: `selector` does not match template `labels`".into(),
                )),
                _ => {}
            }
            if obj["spec"]["template"]["spec"]["containers"]
                .as_array()
                .is_none_or(Vec::is_empty)
            {
                causes.push((
                    "spec.template.spec.containers".into(),
                    "Required value".into(),
                ));
            }
        }
        ("velero.io", "Restore")
            if obj["spec"]["backupName"].as_str().is_none_or(str::is_empty)
                && obj["spec"]["scheduleName"]
                    .as_str()
                    .is_none_or(str::is_empty) =>
        {
            causes.push((
                "spec.backupName".into(),
                "Required value: either a backup or schedule name must be specified".into(),
            ));
        }
        _ => {}
    }
    if causes.is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid(r, &name, causes))
    }
}

/// On any update: a changed spec bumps `metadata.generation`, as for every kind with a
/// status subresource.
pub fn on_update(res: ResId, old: &Value, new: &mut Value) {
    let r = resources::get(res);
    if r.kind == "Secret" {
        merge_string_data(new);
    }
    if matches!(r.kind, "Pod" | "Namespace" | "Node" | "Service") {
        return;
    }
    if old.get("spec") != new.get("spec") {
        let generation = old["metadata"]["generation"].as_i64().unwrap_or(1);
        new["metadata"]["generation"] = json!(generation + 1);
    }
}

/// Deletes `entry` the way the API server would and returns what the response shows.
/// Pods on a node terminate gracefully (the kubelet removes them after the grace
/// period; see `sim`); namespaces enter Terminating and are emptied by the namespace
/// controller; everything else goes at once (its dependents are garbage-collected).
pub fn delete(
    store: &Store,
    res: ResId,
    entry: &Entry,
    grace: Option<i64>,
    orphan: bool,
    dry_run: bool,
) -> Result<Value, ApiError> {
    let r = resources::get(res);
    let mut obj = entry.value();
    let now = rfc3339(store.clock.now());
    let graceful_pod = r.kind == "Pod"
        && grace != Some(0)
        && !str_at(&obj, "/spec/nodeName").is_empty()
        && !matches!(
            obj["status"]["phase"].as_str(),
            Some("Succeeded" | "Failed")
        );
    if graceful_pod || r.kind == "Namespace" {
        if !obj["metadata"]["deletionTimestamp"].is_null() {
            return Ok(obj); // already terminating: deleting again changes nothing
        }
        let grace = grace.unwrap_or_else(|| {
            obj["spec"]["terminationGracePeriodSeconds"]
                .as_i64()
                .unwrap_or(DEFAULT_GRACE)
        });
        if dry_run {
            obj["metadata"]["deletionTimestamp"] = json!(now);
            return Ok(obj);
        }
        let updated = store.update(res, &entry.namespace, &entry.name, None, |o| {
            o["metadata"]["deletionTimestamp"] = json!(now);
            if r.kind == "Pod" {
                o["metadata"]["deletionGracePeriodSeconds"] = json!(grace);
            } else {
                o["status"]["phase"] = json!("Terminating");
            }
            Ok(())
        })?;
        return Ok(updated.value());
    }
    if dry_run {
        return Ok(obj);
    }
    if orphan {
        // Orphaned dependents lose their owner reference instead of being collected.
        for dep in store.owned_by(&entry.uid) {
            let _ = store.update(dep.res, &dep.namespace, &dep.name, None, |o| {
                if let Some(m) = o["metadata"].as_object_mut() {
                    m.remove("ownerReferences");
                }
                Ok(())
            });
        }
    }
    store.remove(res, &entry.namespace, &entry.name);
    Ok(obj)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_validated_like_the_api_server() {
        assert!(is_dns_subdomain("trino-worker-0"));
        assert!(is_dns_subdomain("a.b-c"));
        assert!(!is_dns_subdomain("Trino"));
        assert!(!is_dns_subdomain("-x"));
        assert!(!is_dns_label("a.b"));
        let bad = json!({"metadata": {"name": "Bad_Name"}, "spec": {"containers": []}});
        let err = validate(ids::pods(), &bad).err();
        assert_eq!(err.as_ref().map(|e| e.code), Some(422));
        assert!(err.is_some_and(|e| e.message.contains("spec.containers")));
    }

    #[test]
    fn selector_must_match_template() {
        let dep = json!({"metadata": {"name": "d"}, "spec": {"selector": {"matchLabels": {"app": "a"}}, "template": {"metadata": {"labels": {"app": "b"}}, "spec": {"containers": [{"name": "c", "image": "i"}]}}}});
        assert!(validate(ids::deployments(), &dep).is_err());
    }
}
