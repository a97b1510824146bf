//! Server-side printing (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`): the
//! columns kubectl shows for each kind, computed the way the API server's printers do —
//! whole pod and node rows come from `model::printers` (the same code the cockpit uses,
//! checked against upstream's printer tests in `tests/upstream_printers.rs`). Kinds
//! without a printer get the generic Name/Age table.

use jiff::Timestamp;
use k8s_openapi::api::core::v1::{Node, Pod};
use serde_json::{Value, json};

use super::Call;
use crate::resources::Resource;
use lakedeck_model::duration::human_duration;
use lakedeck_model::printers;

/// (name, type, priority) of each column, in kubectl's order.
fn columns(res: &Resource) -> Vec<(&'static str, &'static str, u8)> {
    let s = "string";
    match (res.group, res.kind) {
        ("", "Pod") => vec![
            ("Name", s, 0),
            ("Ready", s, 0),
            ("Status", s, 0),
            ("Restarts", s, 0),
            ("Age", s, 0),
            ("IP", s, 1),
            ("Node", s, 1),
            ("Nominated Node", s, 1),
            ("Readiness Gates", s, 1),
        ],
        ("", "Node") => vec![
            ("Name", s, 0),
            ("Status", s, 0),
            ("Roles", s, 0),
            ("Age", s, 0),
            ("Version", s, 0),
            ("Internal-IP", s, 1),
            ("External-IP", s, 1),
            ("OS-Image", s, 1),
            ("Kernel-Version", s, 1),
            ("Container-Runtime", s, 1),
        ],
        ("", "Namespace") => vec![("Name", s, 0), ("Status", s, 0), ("Age", s, 0)],
        ("", "Service") => vec![
            ("Name", s, 0),
            ("Type", s, 0),
            ("Cluster-IP", s, 0),
            ("External-IP", s, 0),
            ("Port(s)", s, 0),
            ("Age", s, 0),
            ("Selector", s, 1),
        ],
        ("", "Secret") => vec![
            ("Name", s, 0),
            ("Type", s, 0),
            ("Data", "integer", 0),
            ("Age", s, 0),
        ],
        ("", "ConfigMap") => vec![("Name", s, 0), ("Data", "integer", 0), ("Age", s, 0)],
        ("", "Event") => vec![
            ("Last Seen", s, 0),
            ("Type", s, 0),
            ("Reason", s, 0),
            ("Object", s, 0),
            ("Subobject", s, 1),
            ("Source", s, 1),
            ("Message", s, 0),
            ("First Seen", s, 1),
            ("Count", s, 1),
            ("Name", s, 1),
        ],
        ("apps", "Deployment") => vec![
            ("Name", s, 0),
            ("Ready", s, 0),
            ("Up-to-date", "integer", 0),
            ("Available", "integer", 0),
            ("Age", s, 0),
            ("Containers", s, 1),
            ("Images", s, 1),
            ("Selector", s, 1),
        ],
        ("apps", "StatefulSet") => vec![
            ("Name", s, 0),
            ("Ready", s, 0),
            ("Age", s, 0),
            ("Containers", s, 1),
            ("Images", s, 1),
        ],
        ("apps", "ReplicaSet") => vec![
            ("Name", s, 0),
            ("Desired", "integer", 0),
            ("Current", "integer", 0),
            ("Ready", "integer", 0),
            ("Age", s, 0),
            ("Containers", s, 1),
            ("Images", s, 1),
            ("Selector", s, 1),
        ],
        ("apps", "DaemonSet") => vec![
            ("Name", s, 0),
            ("Desired", "integer", 0),
            ("Current", "integer", 0),
            ("Ready", "integer", 0),
            ("Up-to-date", "integer", 0),
            ("Available", "integer", 0),
            ("Node Selector", s, 0),
            ("Age", s, 0),
        ],
        ("batch", "Job") => vec![
            ("Name", s, 0),
            ("Status", s, 0),
            ("Completions", s, 0),
            ("Duration", s, 0),
            ("Age", s, 0),
        ],
        ("batch", "CronJob") => vec![
            ("Name", s, 0),
            ("Schedule", s, 0),
            ("Timezone", s, 0),
            ("Suspend", "boolean", 0),
            ("Active", "integer", 0),
            ("Last Schedule", s, 0),
            ("Age", s, 0),
        ],
        ("velero.io", "Backup") => vec![
            ("Name", s, 0),
            ("Status", s, 0),
            ("Errors", "integer", 0),
            ("Warnings", "integer", 0),
            ("Created", s, 0),
            ("Expires", s, 0),
            ("Storage Location", s, 0),
            ("Selector", s, 0),
        ],
        ("velero.io", "Restore") => vec![
            ("Name", s, 0),
            ("Backup", s, 0),
            ("Status", s, 0),
            ("Started", s, 0),
            ("Completed", s, 0),
            ("Errors", "integer", 0),
            ("Warnings", "integer", 0),
            ("Age", s, 0),
        ],
        ("velero.io", "Schedule") => vec![
            ("Name", s, 0),
            ("Status", s, 0),
            ("Schedule", s, 0),
            ("Last Backup", s, 0),
            ("Age", s, 0),
            ("Paused", s, 0),
        ],
        ("velero.io", "BackupStorageLocation") => vec![
            ("Name", s, 0),
            ("Phase", s, 0),
            ("Last Validated", s, 0),
            ("Age", s, 0),
            ("Default", "boolean", 0),
        ],
        ("policy", "PodDisruptionBudget") => vec![
            ("Name", s, 0),
            ("Min Available", s, 0),
            ("Max Unavailable", s, 0),
            ("Allowed Disruptions", "integer", 0),
            ("Age", s, 0),
        ],
        ("external-secrets.io", "ExternalSecret") => vec![
            ("Name", s, 0),
            ("StoreType", s, 0),
            ("Store", s, 0),
            ("Refresh Interval", s, 0),
            ("Status", s, 0),
            ("Ready", s, 0),
        ],
        _ => vec![("Name", s, 0), ("Age", s, 0)],
    }
}

fn column_definitions(res: &Resource) -> Value {
    columns(res)
        .into_iter()
        .map(|(name, ty, priority)| {
            json!({
                "name": name, "type": ty, "format": if name == "Name" { "name" } else { "" },
                "description": format!("{name} of the {}", res.kind), "priority": priority,
            })
        })
        .collect()
}

fn time_at(obj: &Value, pointer: &str) -> Option<Timestamp> {
    obj.pointer(pointer)?.as_str()?.parse().ok()
}

/// kubectl's age cell: "<unknown>" without a timestamp.
fn age(obj: &Value, pointer: &str, now: Timestamp) -> String {
    time_at(obj, pointer).map_or_else(
        || "<unknown>".to_string(),
        |t| human_duration(now.duration_since(t)),
    )
}

fn text(obj: &Value, pointer: &str) -> String {
    obj.pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

fn int(obj: &Value, pointer: &str) -> i64 {
    obj.pointer(pointer).and_then(Value::as_i64).unwrap_or(0)
}

fn or_none(s: String) -> String {
    if s.is_empty() {
        "<none>".to_string()
    } else {
        s
    }
}

fn containers_and_images(obj: &Value, pointer: &str) -> (String, String) {
    let list = obj
        .pointer(pointer)
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let names: Vec<&str> = list.iter().filter_map(|c| c["name"].as_str()).collect();
    let images: Vec<&str> = list.iter().filter_map(|c| c["image"].as_str()).collect();
    (names.join(","), images.join(","))
}

/// A workload's `matchLabels` as a selector string (`a=b,c=d`).
pub fn selector_string(obj: &Value) -> String {
    obj["spec"]["selector"]["matchLabels"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
                .collect::<Vec<_>>()
                .join(",")
        })
        .unwrap_or_default()
}

fn cells(res: &Resource, obj: &Value, now: Timestamp) -> Vec<Value> {
    let name = text(obj, "/metadata/name");
    let created = age(obj, "/metadata/creationTimestamp", now);
    match (res.group, res.kind) {
        ("", "Pod") => match serde_json::from_value::<Pod>(obj.clone()) {
            Ok(pod) => printers::pod_cells(&pod, now)
                .into_iter()
                .map(Value::from)
                .collect(),
            Err(_) => {
                let none = json!("<none>");
                vec![
                    json!(name),
                    json!("0/0"),
                    json!("Unknown"),
                    json!("0"),
                    json!(created),
                    none.clone(),
                    none.clone(),
                    none.clone(),
                    none,
                ]
            }
        },
        ("", "Node") => match serde_json::from_value::<Node>(obj.clone()) {
            Ok(node) => printers::node_cells(&node, now)
                .into_iter()
                .map(Value::from)
                .collect(),
            Err(_) => {
                let none = json!("<none>");
                let unknown = json!("<unknown>");
                vec![
                    json!(name),
                    json!("Unknown"),
                    none.clone(),
                    json!(created),
                    json!(""),
                    none.clone(),
                    none,
                    unknown.clone(),
                    unknown.clone(),
                    unknown,
                ]
            }
        },
        ("", "Namespace") => vec![
            json!(name),
            json!(text(obj, "/status/phase")),
            json!(created),
        ],
        ("", "Service") => {
            let ports: Vec<String> = obj["spec"]["ports"]
                .as_array()
                .map(|ps| {
                    ps.iter()
                        .map(|p| {
                            format!("{}/{}", p["port"], p["protocol"].as_str().unwrap_or("TCP"))
                        })
                        .collect()
                })
                .unwrap_or_default();
            let selector = obj["spec"]["selector"]
                .as_object()
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
                        .collect::<Vec<_>>()
                        .join(",")
                })
                .unwrap_or_default();
            vec![
                json!(name),
                json!(text(obj, "/spec/type")),
                json!(or_none(text(obj, "/spec/clusterIP"))),
                json!("<none>"),
                json!(or_none(ports.join(","))),
                json!(created),
                json!(or_none(selector)),
            ]
        }
        ("", "Secret") => {
            let data = obj["data"].as_object().map_or(0, |m| m.len());
            vec![
                json!(name),
                json!(text(obj, "/type")),
                json!(data),
                json!(created),
            ]
        }
        ("", "ConfigMap") => {
            let data = obj["data"].as_object().map_or(0, |m| m.len());
            vec![json!(name), json!(data), json!(created)]
        }
        ("", "Event") => {
            // kubernetes printers.go printEvent: new-style events (eventTime, series)
            // and legacy ones (first/lastTimestamp, count) alike.
            let since = |t: Option<Timestamp>| {
                t.map_or_else(
                    || "<unknown>".to_string(),
                    |t| human_duration(now.duration_since(t)),
                )
            };
            let first =
                since(time_at(obj, "/firstTimestamp").or_else(|| time_at(obj, "/eventTime")));
            let mut last =
                time_at(obj, "/lastTimestamp").map_or_else(|| first.clone(), |t| since(Some(t)));
            let mut count = obj["count"].as_i64().unwrap_or(0);
            if obj["series"].is_object() {
                last = since(time_at(obj, "/series/lastObservedTime"));
                count = obj["series"]["count"].as_i64().unwrap_or(0);
            } else if count == 0 {
                count = 1;
            }
            let object = format!(
                "{}/{}",
                text(obj, "/involvedObject/kind").to_lowercase(),
                text(obj, "/involvedObject/name")
            );
            let (component, host) = match text(obj, "/source/component") {
                c if c.is_empty() => (
                    text(obj, "/reportingComponent"),
                    text(obj, "/reportingInstance"),
                ),
                c => (c, text(obj, "/source/host")),
            };
            let source = if host.is_empty() {
                component
            } else {
                format!("{component}, {host}")
            };
            vec![
                json!(last),
                json!(text(obj, "/type")),
                json!(text(obj, "/reason")),
                json!(object),
                json!(text(obj, "/involvedObject/fieldPath")),
                json!(source),
                json!(text(obj, "/message").trim()),
                json!(first),
                json!(count),
                json!(name),
            ]
        }
        ("apps", "Deployment") => {
            let (c, i) = containers_and_images(obj, "/spec/template/spec/containers");
            vec![
                json!(name),
                json!(format!(
                    "{}/{}",
                    int(obj, "/status/readyReplicas"),
                    int(obj, "/spec/replicas")
                )),
                json!(int(obj, "/status/updatedReplicas")),
                json!(int(obj, "/status/availableReplicas")),
                json!(created),
                json!(c),
                json!(i),
                json!(selector_string(obj)),
            ]
        }
        ("apps", "StatefulSet") => {
            let (c, i) = containers_and_images(obj, "/spec/template/spec/containers");
            vec![
                json!(name),
                json!(format!(
                    "{}/{}",
                    int(obj, "/status/readyReplicas"),
                    int(obj, "/spec/replicas")
                )),
                json!(created),
                json!(c),
                json!(i),
            ]
        }
        ("apps", "ReplicaSet") => {
            let (c, i) = containers_and_images(obj, "/spec/template/spec/containers");
            vec![
                json!(name),
                json!(int(obj, "/spec/replicas")),
                json!(int(obj, "/status/replicas")),
                json!(int(obj, "/status/readyReplicas")),
                json!(created),
                json!(c),
                json!(i),
                json!(selector_string(obj)),
            ]
        }
        ("apps", "DaemonSet") => {
            let node_selector = obj["spec"]["template"]["spec"]["nodeSelector"]
                .as_object()
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
                        .collect::<Vec<_>>()
                        .join(",")
                })
                .unwrap_or_default();
            vec![
                json!(name),
                json!(int(obj, "/status/desiredNumberScheduled")),
                json!(int(obj, "/status/currentNumberScheduled")),
                json!(int(obj, "/status/numberReady")),
                json!(int(obj, "/status/updatedNumberScheduled")),
                json!(int(obj, "/status/numberAvailable")),
                json!(or_none(node_selector)),
                json!(created),
            ]
        }
        ("batch", "Job") => {
            let completions = obj["spec"]["completions"].as_i64().unwrap_or(1);
            let succeeded = int(obj, "/status/succeeded");
            let status = if succeeded >= completions {
                "Complete"
            } else if int(obj, "/status/failed") > 0 {
                "Failed"
            } else {
                "Running"
            };
            let duration = match (
                time_at(obj, "/status/startTime"),
                time_at(obj, "/status/completionTime"),
            ) {
                (Some(s), Some(c)) => human_duration(c.duration_since(s)),
                (Some(s), None) => human_duration(now.duration_since(s)),
                _ => String::new(),
            };
            vec![
                json!(name),
                json!(status),
                json!(format!("{succeeded}/{completions}")),
                json!(duration),
                json!(created),
            ]
        }
        ("batch", "CronJob") => vec![
            json!(name),
            json!(text(obj, "/spec/schedule")),
            json!(or_none(text(obj, "/spec/timeZone"))),
            json!(obj["spec"]["suspend"].as_bool().unwrap_or(false)),
            json!(obj["status"]["active"].as_array().map_or(0, Vec::len)),
            json!(time_at(obj, "/status/lastScheduleTime").map_or_else(
                || "<none>".to_string(),
                |t| human_duration(now.duration_since(t))
            )),
            json!(created),
        ],
        ("velero.io", "Backup") => vec![
            json!(name),
            json!(text(obj, "/status/phase")),
            json!(int(obj, "/status/errors")),
            json!(int(obj, "/status/warnings")),
            json!(text(obj, "/status/startTimestamp")),
            json!(
                time_at(obj, "/status/expiration")
                    .map_or_else(String::new, |t| human_duration(t.duration_since(now)))
            ),
            json!(text(obj, "/spec/storageLocation")),
            json!("<none>"),
        ],
        ("velero.io", "Restore") => vec![
            json!(name),
            json!(text(obj, "/spec/backupName")),
            json!(text(obj, "/status/phase")),
            json!(text(obj, "/status/startTimestamp")),
            json!(text(obj, "/status/completionTimestamp")),
            json!(int(obj, "/status/errors")),
            json!(int(obj, "/status/warnings")),
            json!(created),
        ],
        ("velero.io", "Schedule") => vec![
            json!(name),
            json!(text(obj, "/status/phase")),
            json!(text(obj, "/spec/schedule")),
            json!(age(obj, "/status/lastBackup", now)),
            json!(created),
            json!(obj["spec"]["paused"].as_bool().unwrap_or(false).to_string()),
        ],
        ("velero.io", "BackupStorageLocation") => vec![
            json!(name),
            json!(text(obj, "/status/phase")),
            json!(age(obj, "/status/lastValidationTime", now)),
            json!(created),
            json!(obj["spec"]["default"].as_bool().unwrap_or(false)),
        ],
        ("policy", "PodDisruptionBudget") => {
            let int_or_pct = |v: &Value| match v {
                Value::Number(n) => n.to_string(),
                Value::String(p) => p.clone(),
                _ => "N/A".to_string(),
            };
            vec![
                json!(name),
                json!(int_or_pct(&obj["spec"]["minAvailable"])),
                json!(int_or_pct(&obj["spec"]["maxUnavailable"])),
                json!(int(obj, "/status/disruptionsAllowed")),
                json!(created),
            ]
        }
        ("external-secrets.io", "ExternalSecret") => {
            let ready = obj["status"]["conditions"]
                .as_array()
                .and_then(|cs| cs.iter().find(|c| c["type"] == "Ready"));
            vec![
                json!(name),
                json!(text(obj, "/spec/secretStoreRef/kind")),
                json!(text(obj, "/spec/secretStoreRef/name")),
                json!(text(obj, "/spec/refreshInterval")),
                json!(ready.map_or_else(String::new, |c| text(c, "/reason"))),
                json!(ready.map_or_else(String::new, |c| text(c, "/status"))),
            ]
        }
        _ => vec![json!(name), json!(created)],
    }
}

fn row(res: &Resource, obj: &Value, include_object: &str, now: Timestamp) -> Value {
    let object = match include_object {
        "None" => Value::Null,
        "Object" => obj.clone(),
        _ => {
            json!({"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": obj["metadata"]})
        }
    };
    let mut row = json!({"cells": cells(res, obj, now), "object": object});
    if res.kind == "Pod"
        && matches!(
            obj["status"]["phase"].as_str(),
            Some("Succeeded" | "Failed")
        )
    {
        row["conditions"] = json!([{"type": "Completed", "status": "True", "reason": obj["status"]["phase"], "message": "The pod has completed successfully."}]);
    }
    row
}

fn table(res: &Resource, rows: Vec<Value>, metadata: Value) -> Value {
    json!({
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": metadata,
        "columnDefinitions": column_definitions(res),
        "rows": rows,
    })
}

pub fn include_object(call: &Call) -> &str {
    call.param("includeObject").unwrap_or("Metadata")
}

pub fn list(
    res: &Resource,
    items: &[std::sync::Arc<crate::store::Entry>],
    metadata: Value,
    call: &Call,
    now: Timestamp,
) -> Value {
    let inc = include_object(call);
    let rows = items
        .iter()
        .map(|e| row(res, &e.value(), inc, now))
        .collect();
    table(res, rows, metadata)
}

/// A one-row Table: the answer to a get, and each event of a Table watch.
pub fn one(res: &Resource, obj: &Value, include_object: &str, now: Timestamp) -> Value {
    let meta = json!({"resourceVersion": obj["metadata"]["resourceVersion"]});
    table(res, vec![row(res, obj, include_object, now)], meta)
}
