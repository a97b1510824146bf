//! `events.k8s.io/v1` Events: a second view of the same stored core/v1 Events, converted
//! both ways as the API server does (kubernetes `pkg/apis/events/v1/conversion.go`):
//! `regarding` ↔ `involvedObject`, `note` ↔ `message`, `deprecatedSource` ↔ `source`,
//! `deprecated{First,Last}Timestamp` ↔ `{first,last}Timestamp`, `deprecatedCount` ↔
//! `count`, `reportingController` ↔ `reportingComponent`; `eventTime`, `series`,
//! `reportingInstance`, `action`, `reason`, `type`, `related` carry over. Requests are
//! served by the core handlers on the core resource; bodies, selectors and answers
//! (objects, lists, watch events) are converted here. Creates get the events.k8s.io
//! validation (kubernetes `pkg/apis/core/validation/events.go`).

use std::sync::Arc;

use axum::body::{Body, to_bytes};
use axum::http::{HeaderValue, header};
use axum::response::Response;
use bytes::Bytes;
use futures_util::StreamExt;
use serde_json::{Map, Value, json};

use super::path::Target;
use super::{Call, Ctx, crud, watch};
use crate::resources::{self, Resource, ids};
use crate::status::ApiError;

pub const GROUP: &str = "events.k8s.io";

/// True for the events.k8s.io view (served through the core Events).
pub fn is_view(res: &Resource) -> bool {
    res.group == GROUP && res.kind == "Event"
}

/// (events.k8s.io name, core name) of the renamed top-level fields.
const RENAMED: &[(&str, &str)] = &[
    ("regarding", "involvedObject"),
    ("note", "message"),
    ("deprecatedSource", "source"),
    ("deprecatedFirstTimestamp", "firstTimestamp"),
    ("deprecatedLastTimestamp", "lastTimestamp"),
    ("deprecatedCount", "count"),
    ("reportingController", "reportingComponent"),
];

/// Field-selector names of the view and the core fields they select.
const FIELD_NAMES: &[(&str, &str)] = &[
    ("regarding.", "involvedObject."),
    ("reportingController", "reportingComponent"),
    ("deprecatedSource", "source"),
];

fn renamed(key: &str, to_core: bool) -> &str {
    RENAMED
        .iter()
        .find_map(|(v1, core)| match to_core {
            true if *v1 == key => Some(*core),
            false if *core == key => Some(*v1),
            _ => None,
        })
        .unwrap_or(key)
}

/// A core/v1 Event as events.k8s.io/v1 serialises it.
pub fn to_v1(core: &Value) -> Value {
    let Some(fields) = core.as_object() else {
        return core.clone();
    };
    let mut out = Map::new();
    for (k, v) in fields {
        out.insert(renamed(k, false).to_string(), v.clone());
    }
    out.insert("apiVersion".into(), json!("events.k8s.io/v1"));
    out.insert("kind".into(), json!("Event"));
    // Zero times marshal as null and stay; omitempty strings and counts go when empty.
    out.entry("eventTime").or_insert(Value::Null);
    for key in ["reportingController", "reportingInstance", "action", "note"] {
        if out.get(key).is_some_and(|v| v.as_str() == Some("")) {
            out.remove(key);
        }
    }
    if out
        .get("deprecatedCount")
        .is_some_and(|v| v.as_i64() == Some(0))
    {
        out.remove("deprecatedCount");
    }
    for key in ["deprecatedFirstTimestamp", "deprecatedLastTimestamp"] {
        out.entry(key).or_insert(Value::Null);
    }
    out.entry("deprecatedSource").or_insert(json!({}));
    Value::Object(out)
}

/// An events.k8s.io/v1 Event as the core/v1 object the server stores.
fn to_core(v1: &Value) -> Value {
    let Some(fields) = v1.as_object() else {
        return v1.clone();
    };
    let mut out = Map::new();
    for (k, v) in fields {
        out.insert(renamed(k, true).to_string(), v.clone());
    }
    out.insert("apiVersion".into(), json!("v1"));
    out.insert("kind".into(), json!("Event"));
    for key in ["reportingComponent", "reportingInstance"] {
        out.entry(key).or_insert(json!(""));
    }
    for key in ["firstTimestamp", "lastTimestamp"] {
        out.entry(key).or_insert(Value::Null);
    }
    out.entry("source").or_insert(json!({}));
    Value::Object(out)
}

/// The events.k8s.io create validation (on top of what every Event gets).
fn validate_create(obj: &Value) -> Result<(), ApiError> {
    let res = resources::get(view_id());
    let name = obj["metadata"]["name"].as_str().unwrap_or("");
    let mut causes = Vec::new();
    let mut cause = |f: &str, m: &str| causes.push((f.to_string(), m.to_string()));
    let set = |k: &str| !obj[k].is_null();
    if !set("eventTime") {
        cause("eventTime", "Required value");
    }
    match obj["type"].as_str() {
        Some("Normal" | "Warning") => {}
        _ => cause(
            "type",
            "Unsupported value: supported values: \"Normal\", \"Warning\"",
        ),
    }
    for k in [
        "deprecatedFirstTimestamp",
        "deprecatedLastTimestamp",
        "deprecatedCount",
    ] {
        if set(k) {
            cause(k, "Invalid value: needs to be unset");
        }
    }
    if obj["deprecatedSource"]
        .as_object()
        .is_some_and(|s| !s.is_empty())
    {
        cause("deprecatedSource", "Invalid value: needs to be unset");
    }
    if set("series") {
        if obj["series"]["count"].as_i64().unwrap_or(0) < 2 {
            cause("series.count", "Invalid value: should be at least 2");
        }
        if obj["series"]["lastObservedTime"].is_null() {
            cause("series.lastObservedTime", "Required value");
        }
    }
    for k in [
        "reportingController",
        "reportingInstance",
        "action",
        "reason",
    ] {
        match obj[k].as_str() {
            None | Some("") => cause(k, "Required value"),
            Some(s) if s.len() > 128 && k != "reportingController" => {
                cause(k, "Invalid value: can have at most 128 characters");
            }
            _ => {}
        }
    }
    if obj["note"].as_str().is_some_and(|n| n.len() > 1024) {
        cause("note", "Invalid value: can have at most 1024 characters");
    }
    if causes.is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid(res, name, causes))
    }
}

fn view_id() -> resources::ResId {
    resources::find(GROUP, "v1", "events").unwrap_or_else(ids::events)
}

/// The same request, aimed at the core Events with a converted body and selector.
fn core_call(call: &Call, body: Option<Value>) -> Call {
    let query = call
        .query
        .iter()
        .map(|(k, v)| {
            if k == "fieldSelector" {
                let mut sel = v.clone();
                for (from, to) in FIELD_NAMES {
                    sel = sel.replace(from, to);
                }
                (k.clone(), sel)
            } else {
                (k.clone(), v.clone())
            }
        })
        .collect();
    let mut headers = call.headers.clone();
    let body = match body {
        Some(v) => {
            headers.insert(
                header::CONTENT_TYPE,
                call.headers
                    .get(header::CONTENT_TYPE)
                    .filter(|_| call.method == axum::http::Method::PATCH)
                    .cloned()
                    .unwrap_or(HeaderValue::from_static("application/json")),
            );
            Bytes::from(serde_json::to_vec(&v).unwrap_or_default())
        }
        None => call.body.clone(),
    };
    Call {
        method: call.method.clone(),
        user: call.user,
        query,
        headers,
        body,
    }
}

/// A patch's keys (merge patches) or paths (JSON patches) in core names.
fn patch_to_core(patch: &Value) -> Value {
    match patch {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (renamed(k, true).to_string(), v.clone()))
                .collect(),
        ),
        Value::Array(ops) => Value::Array(
            ops.iter()
                .map(|op| {
                    let mut op = op.clone();
                    for key in ["path", "from"] {
                        if let Some(p) = op[key].as_str() {
                            let rest = p.trim_start_matches('/');
                            let (first, tail) = rest.split_once('/').unwrap_or((rest, ""));
                            let core = renamed(first, true);
                            op[key] = json!(if tail.is_empty() {
                                format!("/{core}")
                            } else {
                                format!("/{core}/{tail}")
                            });
                        }
                    }
                    op
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Converts whatever the core handler answered into the view's shapes.
fn convert_answer(v: &mut Value) {
    match v["kind"].as_str() {
        Some("Event") => *v = to_v1(v),
        Some("EventList") => {
            v["apiVersion"] = json!("events.k8s.io/v1");
            if let Some(items) = v["items"].as_array_mut() {
                for item in items.iter_mut() {
                    *item = to_v1(item);
                }
            }
        }
        Some("Status") if v["details"]["kind"] == "events" => {
            v["details"]["group"] = json!(GROUP);
            if let Some(m) = v["message"].as_str() {
                v["message"] = json!(m.replacen("events \"", "events.events.k8s.io \"", 1));
            }
        }
        _ => {}
    }
}

async fn convert_response(resp: Response) -> Response {
    let (parts, body) = resp.into_parts();
    let Ok(bytes) = to_bytes(body, usize::MAX).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let body = match serde_json::from_slice::<Value>(&bytes) {
        Ok(mut v) => {
            convert_answer(&mut v);
            Bytes::from(serde_json::to_vec(&v).unwrap_or_default())
        }
        Err(_) => bytes,
    };
    Response::from_parts(parts, Body::from(body))
}

/// Watch events arrive one line per chunk; convert each event's object.
fn convert_watch(resp: Response) -> Response {
    let (parts, body) = resp.into_parts();
    let stream = body.into_data_stream().map(|chunk| {
        chunk.map(|bytes| {
            let Ok(mut ev) = serde_json::from_slice::<Value>(&bytes) else {
                return bytes;
            };
            convert_answer(&mut ev["object"]);
            if ev["type"] == "BOOKMARK" {
                ev["object"]["apiVersion"] = json!("events.k8s.io/v1");
            }
            let mut line = serde_json::to_vec(&ev).unwrap_or_default();
            line.push(b'\n');
            Bytes::from(line)
        })
    });
    Response::from_parts(parts, Body::from_stream(stream))
}

/// Serves one events.k8s.io/v1 request (already authorised) through the core Events.
pub async fn serve(
    ctx: &Arc<Ctx>,
    t: &Target,
    call: &Call,
    verb: &str,
) -> Result<Response, ApiError> {
    let core = Target {
        res: ids::events(),
        namespace: t.namespace.clone(),
        name: t.name.clone(),
        sub: t.sub.clone(),
    };
    let store = &ctx.store;
    let resp = match verb {
        "watch" => {
            return Ok(convert_watch(watch::serve(
                ctx,
                &core,
                &core_call(call, None),
            )));
        }
        "list" => crud::list(store, &core, &core_call(call, None)),
        "get" => crud::get(store, &core, &core_call(call, None)),
        "delete" => crud::delete(store, &core, &core_call(call, None)),
        "deletecollection" => crud::delete_collection(store, &core, &core_call(call, None)),
        "create" | "update" => {
            let body = call.json_body()?;
            check_version(&body)?;
            if verb == "create" {
                validate_create(&body)?;
            }
            let c = core_call(call, Some(to_core(&body)));
            if verb == "create" {
                crud::create(store, &core, &c)
            } else {
                crud::replace(store, &core, &c)
            }
        }
        "patch" => {
            let patch: Value = serde_json::from_slice(&call.body)
                .map_err(|e| ApiError::bad_request(format!("the patch is not valid JSON: {e}")))?;
            crud::patch(store, &core, &core_call(call, Some(patch_to_core(&patch))))
        }
        _ => return Err(ApiError::method_not_allowed(call.method.as_str())),
    };
    match resp {
        Ok(r) => Ok(convert_response(r).await),
        Err(e) => {
            let mut v = e.to_json();
            convert_answer(&mut v);
            Ok(super::json(
                axum::http::StatusCode::from_u16(e.code)
                    .unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR),
                &v,
            ))
        }
    }
}

fn check_version(body: &Value) -> Result<(), ApiError> {
    match (body["apiVersion"].as_str(), body["kind"].as_str()) {
        (Some("events.k8s.io/v1"), Some("Event")) => Ok(()),
        (v, k) => Err(ApiError::bad_request(format!(
            "the object is {}/{}; this endpoint serves events.k8s.io/v1 Event",
            v.unwrap_or("<no apiVersion>"),
            k.unwrap_or("<no kind>")
        ))),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_new_style_event_round_trips_and_reads_like_the_api_server_shows_it() {
        let v1 = json!({
            "apiVersion": "events.k8s.io/v1", "kind": "Event",
            "metadata": {"name": "web-0.1", "namespace": "shop"},
            "eventTime": "2026-08-20T10:01:02.123456Z",
            "series": {"count": 2, "lastObservedTime": "2026-08-20T10:02:05.654321Z"},
            "reportingController": "default-scheduler", "reportingInstance": "default-scheduler-cp-1",
            "action": "Scheduling", "reason": "FailedScheduling", "type": "Warning",
            "regarding": {"kind": "Pod", "namespace": "shop", "name": "web-0"},
            "note": "0/3 nodes are available"
        });
        assert!(validate_create(&v1).is_ok());
        let core = to_core(&v1);
        assert_eq!(core["apiVersion"], "v1");
        assert_eq!(core["involvedObject"]["name"], "web-0");
        assert_eq!(core["message"], "0/3 nodes are available");
        assert_eq!(core["reportingComponent"], "default-scheduler");
        assert!(core["firstTimestamp"].is_null() && core["lastTimestamp"].is_null());
        assert!(core.get("count").is_none());
        assert_eq!(core["source"], json!({}));
        assert_eq!(core["series"]["count"], 2);
        let back = to_v1(&core);
        assert_eq!(back["note"], v1["note"]);
        assert_eq!(back["regarding"], v1["regarding"]);
        assert_eq!(back["reportingController"], "default-scheduler");
        assert!(back["deprecatedFirstTimestamp"].is_null());
    }

    #[test]
    fn a_legacy_event_reads_with_deprecated_fields_and_a_null_event_time() {
        let core = json!({"apiVersion": "v1", "kind": "Event", "metadata": {"name": "x"},
            "involvedObject": {"name": "p"}, "message": "m", "count": 3,
            "firstTimestamp": "2026-01-01T00:00:00Z", "lastTimestamp": "2026-01-01T00:05:00Z",
            "source": {"component": "kubelet"}, "reportingComponent": "kubelet", "reportingInstance": ""});
        let v1 = to_v1(&core);
        assert!(v1["eventTime"].is_null());
        assert_eq!(v1["deprecatedCount"], 3);
        assert_eq!(v1["deprecatedSource"]["component"], "kubelet");
        assert!(v1.get("reportingInstance").is_none());
    }

    #[test]
    fn creates_are_validated_like_events_k8s_io() {
        let bad = json!({"apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": {"name": "x"},
            "type": "Bad", "deprecatedCount": 2, "series": {"count": 1}});
        let e = validate_create(&bad).unwrap_err().to_json();
        let msg = e["message"].as_str().unwrap();
        for want in [
            "eventTime: Required value",
            "type: Unsupported value",
            "deprecatedCount: Invalid value: needs to be unset",
            "series.count: Invalid value: should be at least 2",
            "series.lastObservedTime: Required value",
            "reportingController: Required value",
            "action: Required value",
        ] {
            assert!(msg.contains(want), "{want} in {msg}");
        }
    }
}
