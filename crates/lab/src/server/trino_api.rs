//! The lab's Trino coordinator REST API (`/trino/v1/…`): `info`, `info/state`, the query
//! list (`?state=`), one query's QueryInfo (410 Gone when unknown), kill (`PUT
//! …/killed`: 202/409/410) and cancel (`DELETE`: 204). Query endpoints want
//! `X-Trino-User` (or an Authorization header), like a Trino without authentication.
//! Durations and sizes use airlift's string forms ("42.10s", "1.25GB").

use axum::http::{Method, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

use super::platform_front::{PlainCall, json as reply, text, with_type};
use crate::platform::trino::{Query, QueryState};
use crate::platform::{Platform, rfc3339_ms};

/// airlift `Duration.toString()`: the largest unit with a value ≥ 1, two decimals.
pub fn duration(secs: f64) -> String {
    let nanos = (secs * 1e9).max(0.0);
    let units = [
        ("d", 86_400e9),
        ("h", 3_600e9),
        ("m", 60e9),
        ("s", 1e9),
        ("ms", 1e6),
        ("us", 1e3),
    ];
    for (unit, size) in units {
        if nanos >= size {
            return format!("{:.2}{unit}", nanos / size);
        }
    }
    format!("{nanos:.2}ns")
}

/// airlift `DataSize.toString()`: the largest unit with a value ≥ 1 (1024-based),
/// integral values without decimals.
pub fn data_size(bytes: f64) -> String {
    let units = [
        ("PB", 1024f64.powi(5)),
        ("TB", 1024f64.powi(4)),
        ("GB", 1024f64.powi(3)),
        ("MB", 1024f64.powi(2)),
        ("kB", 1024.0),
    ];
    for (unit, size) in units {
        if bytes >= size {
            let v = bytes / size;
            return if v.fract() == 0.0 {
                format!("{v}{unit}")
            } else {
                format!("{v:.2}{unit}")
            };
        }
    }
    format!("{}B", bytes.max(0.0).round())
}

fn authenticated(call: &PlainCall) -> Option<String> {
    if let Some(u) = call.header("x-trino-user").filter(|u| !u.is_empty()) {
        return Some(u.to_string());
    }
    call.header("authorization")
        .map(|_| "basic-user".to_string())
}

pub fn serve(platform: &Platform, path: &str, call: &PlainCall) -> Response {
    let path = path.trim_end_matches('/');
    let get = call.method == Method::GET || call.method == Method::HEAD;
    match path {
        "/v1/info" if get => {
            let up = platform.now() - platform.start + 3.2 * 86_400.0;
            return reply(
                StatusCode::OK,
                &json!({
                    "nodeVersion": {"version": "476"}, "environment": "lakehouse",
                    "coordinator": true, "starting": false, "uptime": duration(up),
                }),
            );
        }
        "/v1/info/state" if get => return reply(StatusCode::OK, &json!("ACTIVE")),
        "/v1/info/coordinator" if get => return text(StatusCode::OK, ""),
        _ => {}
    }
    if !path.starts_with("/v1/query") {
        return text(
            StatusCode::NOT_FOUND,
            format!(
                "Not Found: the lakedeck lab's Trino serves /v1/info, /v1/info/state and /v1/query; not {path}\n"
            ),
        );
    }
    if authenticated(call).is_none() {
        return text(
            StatusCode::UNAUTHORIZED,
            "Basic authentication or X-Trino-User must be sent",
        );
    }
    let now = platform.now();
    let rest: Vec<&str> = path["/v1/query".len()..]
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    match (rest.as_slice(), &call.method) {
        ([], _) if get => {
            let want = call.param("state").map(str::to_uppercase);
            let trino = platform.trino();
            let list: Vec<Value> = trino
                .queries
                .iter()
                .filter(|q| want.as_deref().is_none_or(|s| s == q.state.as_str()))
                .map(|q| basic_info(q, now))
                .collect();
            reply(StatusCode::OK, &Value::Array(list))
        }
        ([id], _) if get => match platform.trino().find(id) {
            Some(q) => reply(StatusCode::OK, &query_info(q, now)),
            None => gone(id),
        },
        ([id], &Method::DELETE) => {
            // Trino cancels quietly: 204 whether or not the query still runs.
            let _ = platform
                .trino()
                .end(id, "USER_CANCELED", "Query was canceled".into(), now);
            with_type(StatusCode::NO_CONTENT, bytes::Bytes::new(), "text/plain")
        }
        ([id, "killed" | "preempted"], &Method::PUT) => {
            let reason = String::from_utf8_lossy(&call.body)
                .trim()
                .trim_matches('"')
                .to_string();
            let (code, verb) = if rest.get(1) == Some(&"killed") {
                ("ADMINISTRATIVELY_KILLED", "killed")
            } else {
                ("ADMINISTRATIVELY_PREEMPTED", "preempted")
            };
            let message = if reason.is_empty() {
                format!("Query {verb} by an administrator")
            } else {
                format!("Query {verb}. Message: {reason}")
            };
            match platform.trino().end(id, code, message, now) {
                Ok(()) => with_type(StatusCode::ACCEPTED, bytes::Bytes::new(), "text/plain"),
                Err(true) => text(
                    StatusCode::CONFLICT,
                    format!("Query {id} is already done\n"),
                ),
                Err(false) => gone(id),
            }
        }
        _ => text(
            StatusCode::METHOD_NOT_ALLOWED,
            "HTTP 405 Method Not Allowed\n",
        ),
    }
}

fn gone(id: &str) -> Response {
    text(StatusCode::GONE, format!("Query not found: {id}\n"))
}

fn error_code(name: &str) -> Value {
    let (code, kind) = match name {
        "USER_CANCELED" => (3, "USER_ERROR"),
        "ADMINISTRATIVELY_KILLED" => (4, "USER_ERROR"),
        "ADMINISTRATIVELY_PREEMPTED" => (5, "USER_ERROR"),
        "EXCEEDED_LOCAL_MEMORY_LIMIT" => (131_079, "INSUFFICIENT_RESOURCES"),
        "QUERY_QUEUE_FULL" => (131_074, "INSUFFICIENT_RESOURCES"),
        _ => (65_536, "INTERNAL_ERROR"),
    };
    json!({"code": code, "name": name, "type": kind})
}

fn stats(q: &Query, now: f64) -> Value {
    let end = q.ended.unwrap_or(now);
    let queued = q.started.unwrap_or(end) - q.created;
    let elapsed = end - q.created;
    let exec = q.started.map_or(0.0, |s| end - s);
    let progress = q
        .started
        .map(|_| ((exec / q.work_secs.max(1.0)) * 100.0).min(100.0));
    let memory = if q.state == QueryState::Running {
        q.memory
    } else {
        0.0
    };
    let peak = if q.started.is_some() { q.memory } else { 0.0 };
    let drivers = if q.started.is_some() { 48 } else { 0 };
    let done = (f64::from(drivers) * progress.unwrap_or(0.0) / 100.0).floor() as u64;
    let rows = (exec * 1.8e6).floor();
    json!({
        "createTime": rfc3339_ms(q.created), "endTime": q.ended.map(rfc3339_ms),
        "queuedTime": duration(queued), "elapsedTime": duration(elapsed), "executionTime": duration(exec),
        "totalDrivers": drivers, "queuedDrivers": 0, "runningDrivers": drivers as u64 - done.min(drivers as u64),
        "completedDrivers": done,
        "rawInputDataSize": data_size(rows * 96.0), "rawInputPositions": rows as u64,
        "physicalInputDataSize": data_size(rows * 40.0),
        "cumulativeUserMemory": peak * exec, "failedCumulativeUserMemory": 0.0,
        "userMemoryReservation": data_size(memory), "totalMemoryReservation": data_size(memory),
        "peakUserMemoryReservation": data_size(peak), "peakTotalMemoryReservation": data_size(peak),
        "totalCpuTime": duration(exec * 6.5), "failedCpuTime": duration(0.0),
        "totalScheduledTime": duration(exec * 8.0), "failedScheduledTime": duration(0.0),
        "fullyBlocked": q.state == QueryState::Running && q.fully_blocked,
        "blockedReasons": if q.state == QueryState::Running && q.fully_blocked { json!(["WAITING_FOR_MEMORY"]) } else { json!([]) },
        "progressPercentage": progress, "runningPercentage": progress.map(|_| 0.0),
    })
}

fn session(q: &Query) -> Value {
    json!({"queryId": q.id, "user": q.user, "originalUser": q.user, "principal": q.user, "source": q.source,
           "catalog": q.catalog, "schema": q.schema, "clientTags": [], "clientInfo": null,
           "remoteUserAddress": "10.244.3.17", "userAgent": format!("{}/lakedeck-lab", q.source),
           "start": rfc3339_ms(q.created), "systemProperties": {}, "catalogProperties": {},
           "timeZoneKey": 0, "locale": "en_US", "preparedStatements": {}, "protocolHeaders": {"protocolName": "Trino"}})
}

pub fn basic_info(q: &Query, now: f64) -> Value {
    let error = q.error.as_ref();
    json!({
        "queryId": q.id, "session": session(q),
        "resourceGroupId": q.resource_group,
        "state": q.state.as_str(), "scheduled": q.started.is_some(),
        "self": format!("http://trino.trino:8080/v1/query/{}", q.id),
        "query": q.text, "updateType": null, "preparedQuery": null,
        "queryType": if q.text.starts_with("SELECT") { "SELECT" } else { "INSERT" },
        "retryPolicy": "NONE",
        "errorType": error.map(|e| e.1), "errorCode": error.map(|e| error_code(e.0)),
        "queryStats": stats(q, now),
    })
}

fn query_info(q: &Query, now: f64) -> Value {
    let mut v = basic_info(q, now);
    v["failureInfo"] = match &q.error {
        Some((code, _, message)) => {
            json!({"type": "io.trino.spi.TrinoException", "message": message,
                                            "suppressed": [], "stack": [], "errorCode": error_code(code)})
        }
        None => Value::Null,
    };
    v["resourceGroupId"] = json!(q.resource_group);
    v["fieldNames"] = json!([]);
    v["warnings"] = json!([]);
    v["inputs"] =
        json!([{"catalogName": q.catalog, "schema": q.schema, "table": "orders", "columns": []}]);
    v["finalQueryInfo"] = json!(q.state.as_str() == "FINISHED" || q.state.as_str() == "FAILED");
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn airlift_strings() {
        assert_eq!(duration(42.1), "42.10s");
        assert_eq!(duration(90.0), "1.50m");
        assert_eq!(duration(0.0), "0.00ns");
        assert_eq!(duration(3.2 * 86_400.0), "3.20d");
        assert_eq!(data_size(0.0), "0B");
        assert_eq!(data_size(1024.0 * 1024.0 * 1024.0 * 1.25), "1.25GB");
        assert_eq!(data_size(2048.0), "2kB");
    }
}
