//! Kubernetes `Event` objects the simulated components emit (Scheduled, Pulled, Started,
//! BackOff, Killing, FailedScheduling, NodeNotReady…), with repeated events folded into
//! one object whose `count` grows, as the real event recorder does.

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::lab::clock::rfc3339;
use crate::lab::resources::ids;
use crate::lab::store::{Store, str_at};

/// What to record about an object.
pub struct EventSpec {
    pub warning: bool,
    pub reason: &'static str,
    pub message: String,
    pub component: &'static str,
    pub field_path: Option<String>,
}

impl EventSpec {
    pub fn normal(
        reason: &'static str,
        component: &'static str,
        message: impl Into<String>,
    ) -> Self {
        Self {
            warning: false,
            reason,
            message: message.into(),
            component,
            field_path: None,
        }
    }

    pub fn warning(
        reason: &'static str,
        component: &'static str,
        message: impl Into<String>,
    ) -> Self {
        Self {
            warning: true,
            reason,
            message: message.into(),
            component,
            field_path: None,
        }
    }

    pub fn at_container(mut self, container: &str) -> Self {
        self.field_path = Some(format!("spec.containers{{{container}}}"));
        self
    }
}

/// Folds repeats: (involved uid, reason, message) → event name.
#[derive(Default)]
pub struct Recorder {
    seen: HashMap<(String, &'static str, String), (String, String)>,
}

impl Recorder {
    pub fn record(&mut self, store: &Store, involved: &Value, spec: EventSpec) {
        let now = rfc3339(store.clock.now());
        let uid = str_at(involved, "/metadata/uid");
        let key = (uid.clone(), spec.reason, spec.message.clone());
        if let Some((ns, name)) = self.seen.get(&key)
            && store
                .update(ids::events(), ns, name, None, |e| {
                    let count = e["count"].as_i64().unwrap_or(1);
                    e["count"] = json!(count + 1);
                    e["lastTimestamp"] = json!(now);
                    Ok(())
                })
                .is_ok()
        {
            return;
        }
        let namespace = match str_at(involved, "/metadata/namespace") {
            ns if ns.is_empty() => "default".to_string(),
            ns => ns,
        };
        let involved_name = str_at(involved, "/metadata/name");
        let name = format!("{involved_name}.{:016x}", fastrand::u64(..));
        let mut involved_ref = json!({
            "kind": involved["kind"], "apiVersion": involved["apiVersion"],
            "name": involved_name, "uid": uid,
            "resourceVersion": involved["metadata"]["resourceVersion"],
        });
        if !str_at(involved, "/metadata/namespace").is_empty() {
            involved_ref["namespace"] = involved["metadata"]["namespace"].clone();
        }
        if let Some(fp) = &spec.field_path {
            involved_ref["fieldPath"] = json!(fp);
        }
        let mut event = json!({
            "apiVersion": "v1", "kind": "Event",
            "metadata": {"name": name, "namespace": namespace},
            "involvedObject": involved_ref,
            "reason": spec.reason, "message": spec.message,
            "type": if spec.warning { "Warning" } else { "Normal" },
            "source": {"component": spec.component},
            "reportingComponent": spec.component,
            "reportingInstance": "",
            "count": 1, "firstTimestamp": now, "lastTimestamp": now, "eventTime": null,
        });
        if spec.component == "kubelet"
            && let Some(node) = involved["spec"]["nodeName"].as_str()
        {
            event["source"]["host"] = json!(node);
        }
        store.stamp_new(ids::events(), &mut event);
        if store.insert(ids::events(), event).is_ok() {
            self.seen.insert(key, (namespace, name));
        }
    }

    /// Forgets folding state for events that no longer exist (after TTL expiry).
    pub fn forget_missing(&mut self, store: &Store) {
        self.seen
            .retain(|_, (ns, name)| store.get(ids::events(), ns, name).is_some());
    }
}
