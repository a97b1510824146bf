//! Text for the describe and YAML views: an object's key fields, conditions, container
//! states and its Events (kubectl-describe style, trimmed to what an on-call engineer
//! reads first), and the full object as YAML with `metadata.managedFields` folded away.
//! Pure: takes objects, returns lines.

use jiff::Timestamp;
use k8s_openapi::api::core::v1::{ContainerState, Event, Node, Pod};
use serde_json::Value;

use super::duration::human_duration;
use super::node_status::{node_roles, node_status};
use super::pod_status::pod_columns;

fn ago(t: Option<&k8s_openapi::apimachinery::pkg::apis::meta::v1::Time>, now: Timestamp) -> String {
    t.map_or_else(
        || "<unknown>".into(),
        |t| human_duration(now.duration_since(t.0)),
    )
}

fn state_line(s: Option<&ContainerState>) -> String {
    let Some(s) = s else { return "<none>".into() };
    if let Some(r) = &s.running {
        format!(
            "Running (since {})",
            r.started_at
                .as_ref()
                .map_or("?".into(), |t| t.0.to_string())
        )
    } else if let Some(w) = &s.waiting {
        format!(
            "Waiting: {}{}",
            w.reason.as_deref().unwrap_or(""),
            w.message
                .as_deref()
                .map(|m| format!(" — {m}"))
                .unwrap_or_default()
        )
    } else if let Some(t) = &s.terminated {
        format!(
            "Terminated: {} (exit code {}{})",
            t.reason.as_deref().unwrap_or("?"),
            t.exit_code,
            t.finished_at
                .as_ref()
                .map(|f| format!(", finished {}", f.0))
                .unwrap_or_default()
        )
    } else {
        "<none>".into()
    }
}

/// kubectl describe's Events block (Type, Reason, Age, From, Message), for legacy and
/// events.k8s.io events alike (`model::events`); oldest first by when each last happened.
fn events_section(events: &[Event], now: Timestamp) -> Vec<String> {
    let mut out = vec![String::new()];
    if events.is_empty() {
        out.push("Events:  <none>".into());
        return out;
    }
    out.push("Events:".to_string());
    let mut sorted: Vec<&Event> = events.iter().collect();
    sorted.sort_by_key(|e| super::events::last_seen(e));
    let mut rows = vec![
        ["Type", "Reason", "Age", "From", "Message"].map(String::from),
        ["----", "------", "----", "----", "-------"].map(String::from),
    ];
    for e in sorted {
        rows.push([
            e.type_.clone().unwrap_or_default(),
            e.reason.clone().unwrap_or_default(),
            super::events::age(e, now),
            super::events::from(e).to_string(),
            e.message.as_deref().unwrap_or("").trim().to_string(),
        ]);
    }
    // tabwriter-like columns, two spaces apart (kubectl's padding).
    let mut widths = [0usize; 4];
    for r in &rows {
        for (w, cell) in widths.iter_mut().zip(r.iter()) {
            *w = (*w).max(cell.chars().count());
        }
    }
    for r in rows {
        let mut line = String::from("  ");
        for (cell, w) in r.iter().zip(widths) {
            line.push_str(&format!("{cell:<w$}  "));
        }
        line.push_str(&r[4]);
        out.push(line.trim_end().to_string());
    }
    out
}

pub fn pod(pod: &Pod, events: &[Event], now: Timestamp) -> Vec<String> {
    let meta = &pod.metadata;
    let cols = pod_columns(pod);
    let spec = pod.spec.as_ref();
    let status = pod.status.as_ref();
    let mut out = vec![
        format!("Name:          {}", meta.name.as_deref().unwrap_or("")),
        format!("Namespace:     {}", meta.namespace.as_deref().unwrap_or("")),
        format!(
            "Node:          {}",
            spec.and_then(|s| s.node_name.as_deref())
                .unwrap_or("<none>")
        ),
        format!(
            "Status:        {}   Ready {}   Restarts {}",
            cols.status,
            cols.ready_column(),
            cols.restarts_column(now)
        ),
        format!(
            "Age:           {}",
            ago(meta.creation_timestamp.as_ref(), now)
        ),
        format!(
            "IP:            {}",
            status.and_then(|s| s.pod_ip.as_deref()).unwrap_or("<none>")
        ),
    ];
    if let Some(owner) = meta.owner_references.as_ref().and_then(|o| o.first()) {
        out.push(format!("Controlled By: {}/{}", owner.kind, owner.name));
    }
    if let Some(labels) = &meta.labels {
        let l: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
        out.push(format!("Labels:        {}", l.join(", ")));
    }
    out.push(String::new());
    out.push("Containers:".into());
    let statuses = status.and_then(|s| s.container_statuses.as_ref());
    for c in spec.map(|s| s.containers.as_slice()).unwrap_or_default() {
        let st = statuses.and_then(|ss| ss.iter().find(|s| s.name == c.name));
        out.push(format!("  {}:", c.name));
        out.push(format!(
            "    Image:         {}",
            c.image.as_deref().unwrap_or("")
        ));
        out.push(format!(
            "    State:         {}",
            state_line(st.and_then(|s| s.state.as_ref()))
        ));
        if let Some(last) = st
            .and_then(|s| s.last_state.as_ref())
            .filter(|l| l.terminated.is_some())
        {
            out.push(format!("    Last State:    {}", state_line(Some(last))));
        }
        out.push(format!(
            "    Ready:         {}",
            st.is_some_and(|s| s.ready)
        ));
        out.push(format!(
            "    Restart Count: {}",
            st.map_or(0, |s| s.restart_count)
        ));
        if let Some(req) = c.resources.as_ref().and_then(|r| r.requests.as_ref()) {
            let r: Vec<String> = req.iter().map(|(k, v)| format!("{k}={}", v.0)).collect();
            out.push(format!("    Requests:      {}", r.join(", ")));
        }
        if let Some(env) = &c.env {
            // Names only: values from secrets must never be shown.
            let names: Vec<&str> = env.iter().map(|e| e.name.as_str()).collect();
            out.push(format!(
                "    Environment:   {} (values not shown)",
                names.join(", ")
            ));
        }
    }
    out.push(String::new());
    out.push("Conditions:".into());
    for c in status
        .and_then(|s| s.conditions.as_ref())
        .into_iter()
        .flatten()
    {
        out.push(format!(
            "  {:<26} {}{}",
            c.type_,
            c.status,
            c.message
                .as_deref()
                .map(|m| format!("  ({m})"))
                .unwrap_or_default()
        ));
    }
    out.extend(events_section(events, now));
    out
}

pub fn node(node: &Node, events: &[Event], now: Timestamp) -> Vec<String> {
    let meta = &node.metadata;
    let status = node.status.as_ref();
    let info = status.and_then(|s| s.node_info.as_ref());
    let mut out = vec![
        format!("Name:          {}", meta.name.as_deref().unwrap_or("")),
        format!("Status:        {}", node_status(node)),
        format!("Roles:         {}", node_roles(node)),
        format!(
            "Age:           {}",
            ago(meta.creation_timestamp.as_ref(), now)
        ),
        format!(
            "Kubelet:       {}",
            info.map_or("", |i| i.kubelet_version.as_str())
        ),
        format!(
            "OS image:      {}",
            info.map_or("", |i| i.os_image.as_str())
        ),
    ];
    let taints: Vec<String> = node
        .spec
        .as_ref()
        .and_then(|s| s.taints.as_ref())
        .into_iter()
        .flatten()
        .map(|t| {
            format!(
                "{}{}:{}",
                t.key,
                t.value
                    .as_deref()
                    .map(|v| format!("={v}"))
                    .unwrap_or_default(),
                t.effect
            )
        })
        .collect();
    out.push(format!(
        "Taints:        {}",
        if taints.is_empty() {
            "<none>".into()
        } else {
            taints.join(", ")
        }
    ));
    for (label, map) in [
        ("Capacity", status.and_then(|s| s.capacity.as_ref())),
        ("Allocatable", status.and_then(|s| s.allocatable.as_ref())),
    ] {
        let items: Vec<String> = map
            .into_iter()
            .flatten()
            .map(|(k, v)| format!("{k}={}", v.0))
            .collect();
        out.push(format!("{label:<14} {}", items.join(", ")));
    }
    out.push(String::new());
    out.push("Conditions:".into());
    for c in status
        .and_then(|s| s.conditions.as_ref())
        .into_iter()
        .flatten()
    {
        out.push(format!(
            "  {:<20} {:<8} {}",
            c.type_,
            c.status,
            c.message.as_deref().unwrap_or("")
        ));
    }
    out.extend(events_section(events, now));
    out
}

/// The object as YAML, with managedFields folded to one line (they are noise when
/// reading an object and can be thousands of lines).
pub fn yaml(object: &Value) -> Result<Vec<String>, String> {
    let mut v = object.clone();
    if let Some(meta) = v.get_mut("metadata").and_then(Value::as_object_mut)
        && let Some(mf) = meta.remove("managedFields")
    {
        let n = mf.as_array().map_or(0, Vec::len);
        meta.insert(
            "managedFields".into(),
            Value::String(format!("({n} entries folded)")),
        );
    }
    let text = serde_saphyr::to_string(&v).map_err(|e| format!("cannot render YAML: {e}"))?;
    Ok(text.lines().map(str::to_string).collect())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn pod_describe_shows_state_last_state_and_events_but_no_secret_values() {
        let p: Pod = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "connect-1", "namespace": "kafka", "creationTimestamp": "2026-11-01T00:00:00Z"},
            "spec": {"nodeName": "compute-1", "containers": [{"name": "connect", "image": "strimzi/kafka:0.45",
                "env": [{"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}}]}]},
            "status": {"phase": "Running", "containerStatuses": [{"name": "connect", "image": "x", "imageID": "", "ready": false, "restartCount": 7,
                "state": {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 5m0s"}},
                "lastState": {"terminated": {"exitCode": 1, "reason": "Error", "finishedAt": "2026-11-21T09:58:00Z"}}}]}
        }))
        .unwrap();
        let event: Event = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "e1"}, "involvedObject": {"name": "connect-1"}, "type": "Warning", "reason": "BackOff",
            "message": "Back-off restarting failed container", "count": 12, "lastTimestamp": "2026-11-21T09:59:00Z"
        }))
        .unwrap();
        let text = pod(&p, &[event], at("2026-11-21T10:00:00Z")).join("\n");
        assert!(text.contains("Status:        CrashLoopBackOff"));
        assert!(text.contains("Waiting: CrashLoopBackOff"));
        assert!(text.contains("Last State:    Terminated: Error (exit code 1"));
        assert!(text.contains("BackOff"));
        assert!(text.contains("DB_PASSWORD (values not shown)"));
    }

    #[test]
    fn yaml_folds_managed_fields() {
        let obj = serde_json::json!({"metadata": {"name": "x", "managedFields": [{"manager": "kubectl"}, {"manager": "k"}]}, "spec": {"a": 1}});
        let lines = yaml(&obj).unwrap();
        assert!(
            lines
                .iter()
                .any(|l| l.contains("managedFields") && l.contains("2 entries folded"))
        );
        assert!(!lines.iter().any(|l| l.contains("manager:")));
    }
}
