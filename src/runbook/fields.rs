//! Reading Kubernetes objects as JSON: dotted field paths with `[key=value]` list
//! filters, and "is it Ready" for pods, nodes and workloads the way kubectl's rollout
//! status sees it.
//!
//! Pure functions over `serde_json::Value`.

use serde_json::Value;

/// `status.conditions[type=Ready].status` → the value, if present.
pub fn at<'a>(obj: &'a Value, path: &str) -> Option<&'a Value> {
    let mut cur = obj;
    for seg in split_path(path) {
        let (key, filter) = match seg.split_once('[') {
            Some((k, rest)) => (k, Some(rest.trim_end_matches(']'))),
            None => (seg, None),
        };
        if !key.is_empty() {
            cur = cur.get(key)?;
        }
        if let Some(f) = filter {
            match f.split_once('=') {
                Some((k, v)) => {
                    cur = cur.as_array()?.iter().find(|item| {
                        item.get(k.trim()).and_then(Value::as_str) == Some(v.trim())
                    })?;
                }
                None => cur = cur.as_array()?.get(f.trim().parse::<usize>().ok()?)?,
            }
        }
    }
    Some(cur)
}

/// Splits on dots that are not inside `[…]`.
fn split_path(path: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut start) = (0usize, 0usize);
    for (i, c) in path.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            '.' if depth == 0 => {
                out.push(&path[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&path[start..]);
    out.into_iter().filter(|s| !s.is_empty()).collect()
}

fn int(v: &Value, path: &str) -> i64 {
    at(v, path).and_then(Value::as_i64).unwrap_or(0)
}

pub fn name(v: &Value) -> String {
    v["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

pub fn namespace(v: &Value) -> String {
    v["metadata"]["namespace"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

pub fn condition_true(v: &Value, kind: &str) -> bool {
    at(v, &format!("status.conditions[type={kind}].status")).and_then(Value::as_str) == Some("True")
}

/// Ready, and a line saying why not.
pub fn ready(v: &Value) -> (bool, String) {
    let kind = v["kind"].as_str().unwrap_or_default();
    let id = format!("{} {}", kind.to_ascii_lowercase(), name(v));
    match kind {
        "Pod" | "Node" => {
            let ok = condition_true(v, "Ready");
            (
                ok,
                format!("{id} {}", if ok { "Ready" } else { "not Ready" }),
            )
        }
        "Deployment" | "StatefulSet" => {
            let want = at(v, "spec.replicas").and_then(Value::as_i64).unwrap_or(1);
            let ready = int(v, "status.readyReplicas");
            let updated = int(v, "status.updatedReplicas");
            let total = int(v, "status.replicas");
            let observed = int(v, "status.observedGeneration") >= int(v, "metadata.generation");
            let ok = observed && ready >= want && updated >= want && total <= want;
            (ok, format!("{id}: {ready}/{want} ready, {updated} updated"))
        }
        "DaemonSet" => {
            let want = int(v, "status.desiredNumberScheduled");
            let ready = int(v, "status.numberReady");
            let observed = int(v, "status.observedGeneration") >= int(v, "metadata.generation");
            (
                observed && ready >= want,
                format!("{id}: {ready}/{want} ready"),
            )
        }
        _ => {
            let ok = condition_true(v, "Ready");
            (
                ok,
                format!("{id} {}", if ok { "Ready" } else { "not Ready" }),
            )
        }
    }
}

/// When a pod last became Ready (its Ready condition's lastTransitionTime).
pub fn ready_since(pod: &Value) -> Option<jiff::Timestamp> {
    if !condition_true(pod, "Ready") {
        return None;
    }
    at(pod, "status.conditions[type=Ready].lastTransitionTime")
        .and_then(Value::as_str)
        .and_then(|s| s.parse().ok())
}

pub fn timestamp(v: &Value, path: &str) -> Option<jiff::Timestamp> {
    at(v, path)
        .and_then(Value::as_str)
        .and_then(|s| s.parse().ok())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths_with_filters() {
        let v = json!({"status": {"conditions": [{"type": "A", "status": "False"}, {"type": "Ready", "status": "True"}], "n": [1, 2]}});
        assert_eq!(
            at(&v, "status.conditions[type=Ready].status"),
            Some(&json!("True"))
        );
        assert_eq!(at(&v, "status.n[1]"), Some(&json!(2)));
        assert_eq!(at(&v, "status.missing"), None);
    }

    #[test]
    fn workload_readiness_needs_the_new_generation() {
        let mut sts = json!({"kind": "StatefulSet", "metadata": {"name": "w", "generation": 2},
            "spec": {"replicas": 3}, "status": {"observedGeneration": 1, "readyReplicas": 3, "updatedReplicas": 3, "replicas": 3}});
        assert!(!ready(&sts).0);
        sts["status"]["observedGeneration"] = json!(2);
        assert!(ready(&sts).0);
        sts["spec"]["replicas"] = json!(5);
        let (ok, why) = ready(&sts);
        assert!(!ok && why.contains("3/5"), "{why}");
    }
}
