//! The simulated disruption controller: keeps every PodDisruptionBudget's status
//! (expectedPods, desiredHealthy, currentHealthy, disruptionsAllowed, disruptedPods and the
//! DisruptionAllowed condition) in step with its pods, the way kube-controller-manager's
//! `disruption` controller does. The eviction subresource (`server::eviction`) reads that
//! status and decrements it. Also home of the selector and readiness helpers both share.

use std::collections::BTreeMap;

use jiff::{SignedDuration, Timestamp};
use serde_json::{Map, Value, json};

use crate::clock::rfc3339;
use crate::resources::ids;
use crate::store::{Entry, Store, str_at};

/// How long an evicted pod counts as "about to go" (the controller's DeletionTimeout).
const DELETION_TIMEOUT_SECS: i64 = 120;

/// Whether a policy/v1 label selector (matchLabels + matchExpressions) selects `labels`.
/// An empty selector selects everything; a missing one selects nothing.
pub fn selector_matches(selector: &Value, labels: &BTreeMap<String, String>) -> bool {
    if !selector.is_object() {
        return false;
    }
    let labels_ok = selector["matchLabels"].as_object().is_none_or(|m| {
        m.iter()
            .all(|(k, v)| labels.get(k).map(String::as_str) == v.as_str())
    });
    let exprs_ok = selector["matchExpressions"].as_array().is_none_or(|es| {
        es.iter().all(|e| {
            let key = e["key"].as_str().unwrap_or_default();
            let values: Vec<&str> = e["values"]
                .as_array()
                .map(|vs| vs.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let have = labels.get(key).map(String::as_str);
            match e["operator"].as_str() {
                Some("In") => have.is_some_and(|h| values.contains(&h)),
                Some("NotIn") => have.is_none_or(|h| !values.contains(&h)),
                Some("Exists") => have.is_some(),
                Some("DoesNotExist") => have.is_none(),
                _ => false,
            }
        })
    });
    labels_ok && exprs_ok
}

pub fn pod_ready(pod: &Value) -> bool {
    pod["status"]["conditions"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["type"] == "Ready"))
        .is_some_and(|c| c["status"] == "True")
}

/// The PodDisruptionBudgets in the pod's namespace that select it.
pub fn budgets_for(store: &Store, pod: &Entry) -> Vec<std::sync::Arc<Entry>> {
    store.all(ids::pdbs(), Some(&pod.namespace), |pdb| {
        selector_matches(&pdb.value()["spec"]["selector"], &pod.labels)
    })
}

/// An int-or-percent resolved against `total`, rounding up as the controller does.
fn scaled(v: &Value, total: i64) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => {
            let pct: i64 = s.strip_suffix('%')?.trim().parse().ok()?;
            Some((total * pct + 99) / 100)
        }
        _ => None,
    }
}

/// The replicas the pods' controllers want (a ReplicaSet of a Deployment counts as the
/// Deployment), each controller once.
fn controllers_scale(store: &Store, ns: &str, pods: &[Value]) -> i64 {
    let mut seen: BTreeMap<String, i64> = BTreeMap::new();
    for pod in pods {
        let Some(owner) = pod["metadata"]["ownerReferences"]
            .as_array()
            .and_then(|refs| refs.iter().find(|r| r["controller"] == true))
        else {
            continue;
        };
        let name = owner["name"].as_str().unwrap_or_default();
        let uid = owner["uid"].as_str().unwrap_or_default().to_string();
        if seen.contains_key(&uid) {
            continue;
        }
        let replicas = match owner["kind"].as_str() {
            Some("StatefulSet") => store
                .get_value(ids::statefulsets(), ns, name)
                .map(|s| s["spec"]["replicas"].as_i64().unwrap_or(1)),
            Some("ReplicaSet") => store.get_value(ids::replicasets(), ns, name).map(|rs| {
                let deployment = rs["metadata"]["ownerReferences"]
                    .as_array()
                    .and_then(|refs| refs.iter().find(|r| r["kind"] == "Deployment"))
                    .and_then(|r| r["name"].as_str())
                    .and_then(|d| store.get_value(ids::deployments(), ns, d));
                deployment.as_ref().unwrap_or(&rs)["spec"]["replicas"]
                    .as_i64()
                    .unwrap_or(1)
            }),
            _ => None,
        };
        seen.insert(uid, replicas.unwrap_or(0));
    }
    seen.values().sum()
}

fn ts(v: &Value) -> Option<Timestamp> {
    v.as_str()?.parse().ok()
}

/// The status the disruption controller would write for `pdb` given its pods now;
/// `disrupted` is the budget's current `status.disruptedPods`.
fn compute(
    pdb: &Value,
    pods: &[Value],
    scale: i64,
    disrupted: &Map<String, Value>,
    now: Timestamp,
) -> Value {
    let spec = &pdb["spec"];
    let (expected, desired) = if let Some(max) = spec.get("maxUnavailable").filter(|v| !v.is_null())
    {
        (scale, scale - scaled(max, scale).unwrap_or(0))
    } else if let Some(min) = spec.get("minAvailable").filter(|v| !v.is_null()) {
        if min.is_number() {
            (pods.len() as i64, min.as_i64().unwrap_or(0))
        } else {
            (scale, scaled(min, scale).unwrap_or(0))
        }
    } else {
        (0, 0)
    };
    let desired = desired.max(0);
    // Evicted pods stay "about to go" until they are terminating, gone or overdue.
    let mut still_disrupted = Map::new();
    for pod in pods {
        let name = str_at(pod, "/metadata/name");
        if !pod["metadata"]["deletionTimestamp"].is_null() {
            continue;
        }
        if let Some(at) = disrupted.get(&name)
            && ts(at).is_some_and(|t| {
                t.checked_add(SignedDuration::from_secs(DELETION_TIMEOUT_SECS))
                    .is_ok_and(|due| due > now)
            })
        {
            still_disrupted.insert(name, at.clone());
        }
    }
    let healthy = pods
        .iter()
        .filter(|p| p["metadata"]["deletionTimestamp"].is_null())
        .filter(|p| !still_disrupted.contains_key(&str_at(p, "/metadata/name")))
        .filter(|p| pod_ready(p))
        .count() as i64;
    let allowed = if expected <= 0 || healthy - desired <= 0 {
        0
    } else {
        healthy - desired
    };
    let (cond_status, reason) = if allowed > 0 {
        ("True", "SufficientPods")
    } else {
        ("False", "InsufficientPods")
    };
    let generation = pdb["metadata"]["generation"].as_i64().unwrap_or(1);
    let previous = pdb["status"]["conditions"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["type"] == "DisruptionAllowed"));
    let since = previous
        .filter(|c| c["status"] == cond_status)
        .map_or_else(|| json!(rfc3339(now)), |c| c["lastTransitionTime"].clone());
    let mut status = json!({
        "observedGeneration": generation,
        "disruptionsAllowed": allowed,
        "currentHealthy": healthy,
        "desiredHealthy": desired,
        "expectedPods": expected,
        "conditions": [{
            "type": "DisruptionAllowed", "status": cond_status, "reason": reason, "message": "",
            "observedGeneration": generation, "lastTransitionTime": since,
        }],
    });
    if !still_disrupted.is_empty() {
        status["disruptedPods"] = Value::Object(still_disrupted);
    }
    status
}

/// Brings every budget's status up to date (written only when it changed).
pub fn tick(store: &Store, now: Timestamp) {
    for pdb in store.all(ids::pdbs(), None, |_| true) {
        let value = pdb.value();
        if !value["metadata"]["deletionTimestamp"].is_null() {
            continue;
        }
        let selector = value["spec"]["selector"].clone();
        let pods: Vec<Value> = store
            .all(ids::pods(), Some(&pdb.namespace), |p| {
                selector_matches(&selector, &p.labels)
            })
            .iter()
            .map(|p| p.value())
            .collect();
        let scale = controllers_scale(store, &pdb.namespace, &pods);
        // Computed under the store's lock from the budget as it is then, so an eviction
        // recorded meanwhile (disruptedPods, a decremented allowance) is never lost.
        let _ = store.update(ids::pdbs(), &pdb.namespace, &pdb.name, None, |o| {
            let disrupted = o["status"]["disruptedPods"]
                .as_object()
                .cloned()
                .unwrap_or_default();
            o["status"] = compute(o, &pods, scale, &disrupted, now);
            Ok(())
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn pod(name: &str, ready: bool, terminating: bool) -> Value {
        let mut p = json!({"metadata": {"name": name}, "status": {"conditions": [{"type": "Ready", "status": if ready { "True" } else { "False" }}]}});
        if terminating {
            p["metadata"]["deletionTimestamp"] = json!("2026-01-01T00:00:00Z");
        }
        p
    }

    #[test]
    fn selectors_match_labels_and_expressions() {
        let l = labels(&[("app", "trino"), ("component", "worker")]);
        assert!(selector_matches(&json!({}), &l));
        assert!(!selector_matches(&Value::Null, &l));
        assert!(selector_matches(
            &json!({"matchLabels": {"app": "trino"}, "matchExpressions": [{"key": "component", "operator": "In", "values": ["worker"]}]}),
            &l
        ));
        assert!(!selector_matches(
            &json!({"matchExpressions": [{"key": "component", "operator": "NotIn", "values": ["worker"]}]}),
            &l
        ));
        assert!(selector_matches(
            &json!({"matchExpressions": [{"key": "x", "operator": "DoesNotExist"}]}),
            &l
        ));
    }

    #[test]
    fn max_unavailable_and_min_available_budgets() {
        let now: Timestamp = "2026-01-01T00:01:00Z"
            .parse()
            .unwrap_or(Timestamp::UNIX_EPOCH);
        let pods = vec![
            pod("w-0", true, false),
            pod("w-1", true, false),
            pod("w-2", true, false),
        ];
        let pdb = json!({"metadata": {"generation": 1}, "spec": {"maxUnavailable": 1}});
        let s = compute(&pdb, &pods, 3, &Map::new(), now);
        assert_eq!(
            (
                s["expectedPods"].as_i64(),
                s["desiredHealthy"].as_i64(),
                s["currentHealthy"].as_i64(),
                s["disruptionsAllowed"].as_i64()
            ),
            (Some(3), Some(2), Some(3), Some(1))
        );
        assert_eq!(s["conditions"][0]["reason"], "SufficientPods");
        // One evicted (recorded, not yet terminating) and one terminating: none allowed.
        let mut disrupted = Map::new();
        disrupted.insert("w-0".into(), json!("2026-01-01T00:00:50Z"));
        let pods2 = vec![
            pod("w-0", true, false),
            pod("w-1", true, true),
            pod("w-2", true, false),
        ];
        let s = compute(&pdb, &pods2, 3, &disrupted, now);
        assert_eq!(s["currentHealthy"].as_i64(), Some(1));
        assert_eq!(s["disruptionsAllowed"].as_i64(), Some(0));
        assert_eq!(s["conditions"][0]["reason"], "InsufficientPods");
        let min = json!({"metadata": {"generation": 2}, "spec": {"minAvailable": 3}});
        let four: Vec<Value> = (0..4)
            .map(|i| pod(&format!("m-{i}"), true, false))
            .collect();
        let s = compute(&min, &four, 0, &Map::new(), now);
        assert_eq!(s["disruptionsAllowed"].as_i64(), Some(1));
        assert_eq!(s["observedGeneration"].as_i64(), Some(2));
        let pct = json!({"metadata": {"generation": 1}, "spec": {"minAvailable": "50%"}});
        let s = compute(&pct, &four, 4, &Map::new(), now);
        assert_eq!(s["desiredHealthy"].as_i64(), Some(2));
    }
}
