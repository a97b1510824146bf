//! The three patch types a Kubernetes API server accepts: RFC 6902 JSON patch and RFC 7386
//! merge patch (both from the `json-patch` crate), and strategic merge patch — merge
//! patch plus list merging by each list's merge key (containers by `name`, conditions by
//! `type`, ports by `containerPort`) and the `$patch`/`$setElementOrder` directives,
//! which covers what kubectl sends for rollout restart, annotate, label, cordon and patch.

use serde_json::{Map, Value};

use crate::status::ApiError;

pub fn apply(content_type: &str, target: &Value, patch: &Value) -> Result<Value, ApiError> {
    let media = content_type.split(';').next().unwrap_or("").trim();
    let mut doc = target.clone();
    match media {
        "application/json-patch+json" => {
            let ops: json_patch::Patch = serde_json::from_value(patch.clone())
                .map_err(|e| ApiError::bad_request(format!("the JSON patch is malformed: {e}")))?;
            json_patch::patch(&mut doc, &ops).map_err(|e| {
                ApiError::unprocessable(format!("the JSON patch could not be applied: {e}"))
            })?;
        }
        "application/merge-patch+json" => {
            require_object(patch)?;
            json_patch::merge(&mut doc, patch);
        }
        "application/strategic-merge-patch+json" => {
            require_object(patch)?;
            strategic_merge(&mut doc, patch);
        }
        "application/apply-patch+yaml" => {
            return Err(ApiError::unsupported_media_type(
                "application/apply-patch+yaml (server-side apply is not simulated by the lab)",
            ));
        }
        other => return Err(ApiError::unsupported_media_type(other)),
    }
    Ok(doc)
}

fn require_object(patch: &Value) -> Result<(), ApiError> {
    if patch.is_object() {
        Ok(())
    } else {
        Err(ApiError::bad_request("a merge patch must be a JSON object"))
    }
}

fn strategic_merge(target: &mut Value, patch: &Value) {
    let Some(patch) = patch.as_object() else {
        *target = patch.clone();
        return;
    };
    if patch.get("$patch").and_then(Value::as_str) == Some("replace") {
        *target = Value::Object(without_directives(patch));
        return;
    }
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    let Some(obj) = target.as_object_mut() else {
        return;
    };
    for (key, value) in patch {
        if key.starts_with('$') {
            continue;
        }
        match value {
            Value::Null => {
                obj.remove(key);
            }
            Value::Object(inner)
                if inner.get("$patch").and_then(Value::as_str) == Some("delete") =>
            {
                obj.remove(key);
            }
            Value::Object(_) => {
                strategic_merge(obj.entry(key.clone()).or_insert(Value::Null), value)
            }
            Value::Array(items) => {
                let merged = merge_list(obj.get(key), items);
                obj.insert(key.clone(), merged);
            }
            other => {
                obj.insert(key.clone(), other.clone());
            }
        }
    }
}

fn without_directives(m: &Map<String, Value>) -> Map<String, Value> {
    m.iter()
        .filter(|(k, _)| !k.starts_with('$'))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// The merge key of a list whose patch elements are objects, if they share one.
fn merge_key(items: &[Value]) -> Option<&'static str> {
    [
        "name",
        "type",
        "containerPort",
        "mountPath",
        "devicePath",
        "ip",
    ]
    .into_iter()
    .find(|key| !items.is_empty() && items.iter().all(|i| i.get(*key).is_some() || is_delete(i)))
}

fn is_delete(item: &Value) -> bool {
    item.get("$patch").and_then(Value::as_str) == Some("delete")
}

fn merge_list(current: Option<&Value>, items: &[Value]) -> Value {
    let all_objects = items.iter().all(Value::is_object);
    let (Some(Value::Array(existing)), true, Some(key)) = (current, all_objects, merge_key(items))
    else {
        return Value::Array(items.iter().filter(|i| !is_delete(i)).cloned().collect());
    };
    let mut out = existing.clone();
    for item in items {
        let id = &item[key];
        let pos = out.iter().position(|e| &e[key] == id);
        match (pos, is_delete(item)) {
            (Some(p), true) => {
                out.remove(p);
            }
            (None, true) => {}
            (Some(p), false) => {
                if let Some(slot) = out.get_mut(p) {
                    strategic_merge(slot, item);
                }
            }
            (None, false) => {
                let mut fresh = Value::Null;
                strategic_merge(&mut fresh, item);
                out.push(fresh);
            }
        }
    }
    Value::Array(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const SMP: &str = "application/strategic-merge-patch+json";

    #[test]
    fn rollout_restart_patch_adds_template_annotation() -> Result<(), ApiError> {
        let dep = json!({"spec": {"template": {"metadata": {"labels": {"app": "x"}}, "spec": {"containers": [{"name": "a", "image": "i:1"}]}}}});
        let patch = json!({"spec": {"template": {"metadata": {"annotations": {"kubectl.kubernetes.io/restartedAt": "2026-08-23T14:05:09Z"}}}}});
        let out = apply(SMP, &dep, &patch)?;
        assert_eq!(
            out["spec"]["template"]["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"],
            "2026-08-23T14:05:09Z"
        );
        assert_eq!(out["spec"]["template"]["metadata"]["labels"]["app"], "x");
        Ok(())
    }

    #[test]
    fn containers_merge_by_name() -> Result<(), ApiError> {
        let pod = json!({"spec": {"containers": [{"name": "a", "image": "i:1"}, {"name": "b", "image": "j:1"}]}});
        let out = apply(
            SMP,
            &pod,
            &json!({"spec": {"$setElementOrder/containers": [{"name": "a"}, {"name": "b"}], "containers": [{"name": "b", "image": "j:2"}]}}),
        )?;
        assert_eq!(
            out["spec"]["containers"],
            json!([{"name": "a", "image": "i:1"}, {"name": "b", "image": "j:2"}])
        );
        let out = apply(
            SMP,
            &pod,
            &json!({"spec": {"containers": [{"name": "a", "$patch": "delete"}]}}),
        )?;
        assert_eq!(
            out["spec"]["containers"],
            json!([{"name": "b", "image": "j:1"}])
        );
        Ok(())
    }

    #[test]
    fn merge_patch_null_deletes_and_json_patch_ops_apply() -> Result<(), ApiError> {
        let obj = json!({"metadata": {"labels": {"a": "1", "b": "2"}}});
        let out = apply(
            "application/merge-patch+json",
            &obj,
            &json!({"metadata": {"labels": {"a": null}}}),
        )?;
        assert_eq!(out["metadata"]["labels"], json!({"b": "2"}));
        let out = apply(
            "application/json-patch+json",
            &obj,
            &json!([{"op": "replace", "path": "/metadata/labels/b", "value": "3"}]),
        )?;
        assert_eq!(out["metadata"]["labels"]["b"], "3");
        Ok(())
    }

    #[test]
    fn bad_patches_are_errors_not_panics() {
        let obj = json!({"a": 1});
        assert_eq!(
            apply("application/json-patch+json", &obj, &json!({"op": 1}))
                .err()
                .map(|e| e.code),
            Some(400)
        );
        assert!(
            apply(
                "application/json-patch+json",
                &obj,
                &json!([{"op": "remove", "path": "/nope"}])
            )
            .is_err()
        );
        assert_eq!(
            apply("text/plain", &obj, &json!({})).err().map(|e| e.code),
            Some(415)
        );
        assert_eq!(
            apply("application/merge-patch+json", &obj, &json!([1]))
                .err()
                .map(|e| e.code),
            Some(400)
        );
    }
}
