//! The lab's Alertmanager API v2 (`/alertmanager/api/v2/…`): status, receivers, alerts
//! (derived from the simulated state by the shipped rules; silenced ones `suppressed`)
//! and alert groups, and silences (list, create/update with Alertmanager's rules, get,
//! expire). Errors are JSON strings, as Alertmanager sends them.

// Handlers return a finished error response early; it is built once per request.
#![allow(clippy::result_large_err)]

use std::collections::BTreeMap;

use axum::http::{Method, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

use super::platform_front::{PlainCall, json as reply};
use crate::platform::alerts::Alert;
use crate::platform::silences::{Matcher, SetError, Silence, State, fingerprint};
use crate::platform::{Platform, rfc3339_ms};

const RECEIVER: &str = "lakedeck-oncall";

fn err(code: StatusCode, message: impl Into<String>) -> Response {
    reply(code, &Value::String(message.into()))
}

fn flag(call: &PlainCall, key: &str) -> Result<bool, Response> {
    match call.param(key) {
        None | Some("") => Ok(true),
        Some("true" | "1") => Ok(true),
        Some("false" | "0") => Ok(false),
        Some(v) => Err(err(
            StatusCode::BAD_REQUEST,
            format!("{key} in query must be of type bool: \"{v}\""),
        )),
    }
}

fn filters(call: &PlainCall) -> Result<Vec<Matcher>, Response> {
    call.params("filter")
        .into_iter()
        .chain(call.params("filter[]"))
        .map(|f| Matcher::parse(f).map_err(|e| err(StatusCode::BAD_REQUEST, e)))
        .collect()
}

pub fn serve(platform: &Platform, path: &str, call: &PlainCall) -> Response {
    let path = path.trim_end_matches('/');
    let get = call.method == Method::GET || call.method == Method::HEAD;
    match (path, &call.method) {
        ("/api/v2/status", _) if get => reply(StatusCode::OK, &status(platform)),
        ("/api/v2/receivers", _) if get => reply(StatusCode::OK, &json!([{"name": RECEIVER}])),
        ("/api/v2/alerts", _) if get => alerts(platform, call, false),
        ("/api/v2/alerts", &Method::POST) => reply(StatusCode::OK, &Value::Null),
        ("/api/v2/alerts/groups", _) if get => alerts(platform, call, true),
        ("/api/v2/silences", _) if get => list_silences(platform, call),
        ("/api/v2/silences", &Method::POST) => post_silence(platform, call),
        (p, m) if p.starts_with("/api/v2/silence/") => {
            let id = &p["/api/v2/silence/".len()..];
            let now = platform.now();
            match *m {
                Method::GET => match platform.silences().get(id) {
                    Some(s) => reply(StatusCode::OK, &silence_json(s, now)),
                    None => err(StatusCode::NOT_FOUND, format!("silence {id} not found")),
                },
                Method::DELETE => match platform.silences().expire(id, now) {
                    Ok(()) => reply(StatusCode::OK, &Value::Null),
                    Err(SetError::NotFound(m)) => err(StatusCode::NOT_FOUND, m),
                    Err(SetError::Invalid(m)) => err(StatusCode::INTERNAL_SERVER_ERROR, m),
                },
                _ => err(StatusCode::METHOD_NOT_ALLOWED, "method not allowed"),
            }
        }
        _ => err(
            StatusCode::NOT_FOUND,
            format!(
                "path {path} was not found; the lakedeck lab's Alertmanager serves api/v2/status, receivers, alerts, alerts/groups, silences and silence/{{id}}"
            ),
        ),
    }
}

fn status(platform: &Platform) -> Value {
    let config = "global:\n  resolve_timeout: 5m\nroute:\n  receiver: lakedeck-oncall\n  group_by: [alertname]\n  group_wait: 30s\n  group_interval: 5m\n  repeat_interval: 4h\nreceivers:\n  - name: lakedeck-oncall\ntemplates: []\n";
    json!({
        "cluster": {"name": "01LAKEDECKLAB000000000000", "status": "disabled", "peers": []},
        "versionInfo": {"version": "0.28.1", "revision": "lakedeck-lab", "branch": "HEAD",
                        "buildUser": "lakedeck@lab", "buildDate": "20260101-00:00:00", "goVersion": "go1.24.0"},
        "config": {"original": config},
        "uptime": rfc3339_ms(platform.start),
    })
}

fn alert_json(a: &Alert, silenced_by: &[String], now: f64) -> Value {
    let state = if silenced_by.is_empty() {
        "active"
    } else {
        "suppressed"
    };
    let expr = a.labels.get("alertname").cloned().unwrap_or_default();
    json!({
        "labels": a.labels, "annotations": a.annotations,
        "startsAt": rfc3339_ms(a.active_at), "endsAt": rfc3339_ms(now + 240.0),
        "updatedAt": rfc3339_ms(now), "fingerprint": fingerprint(&a.labels),
        "generatorURL": format!("http://prometheus.monitoring:9090/graph?g0.expr=ALERTS%7Balertname%3D%22{expr}%22%7D&g0.tab=1"),
        "receivers": [{"name": RECEIVER}],
        "status": {"state": state, "silencedBy": silenced_by, "inhibitedBy": [], "mutedBy": []},
    })
}

fn alerts(platform: &Platform, call: &PlainCall, grouped: bool) -> Response {
    let (active, silenced) = match (flag(call, "active"), flag(call, "silenced")) {
        (Ok(a), Ok(s)) => (a, s),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    for key in ["inhibited", "unprocessed", "muted"] {
        if let Err(r) = flag(call, key) {
            return r;
        }
    }
    let filters = match filters(call) {
        Ok(f) => f,
        Err(r) => return r,
    };
    if let Some(re) = call.param("receiver")
        && regex::Regex::new(&format!("^(?:{re})$")).is_ok_and(|r| !r.is_match(RECEIVER))
    {
        return reply(StatusCode::OK, &json!([]));
    }
    let now = platform.now();
    let silences = platform.silences();
    let mut rows: Vec<(Alert, Value)> = Vec::new();
    for a in platform.alerts() {
        if !filters.iter().all(|m| m.matches(&a.labels)) {
            continue;
        }
        let by = silences.muting(&a.labels, now);
        if (by.is_empty() && !active) || (!by.is_empty() && !silenced) {
            continue;
        }
        let v = alert_json(&a, &by, now);
        rows.push((a, v));
    }
    drop(silences);
    rows.sort_by_key(|a| fingerprint(&a.0.labels));
    if !grouped {
        return reply(
            StatusCode::OK,
            &Value::Array(rows.into_iter().map(|r| r.1).collect()),
        );
    }
    let mut groups: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for (a, v) in rows {
        groups.entry(a.name().to_string()).or_default().push(v);
    }
    let out: Vec<Value> = groups
        .into_iter()
        .map(|(name, alerts)| json!({"labels": {"alertname": name}, "receiver": {"name": RECEIVER}, "alerts": alerts}))
        .collect();
    reply(StatusCode::OK, &Value::Array(out))
}

fn silence_json(s: &Silence, now: f64) -> Value {
    json!({
        "id": s.id, "matchers": s.matchers.iter().map(Matcher::to_json).collect::<Vec<_>>(),
        "startsAt": rfc3339_ms(s.starts_at), "endsAt": rfc3339_ms(s.ends_at),
        "updatedAt": rfc3339_ms(s.updated_at), "createdBy": s.created_by, "comment": s.comment,
        "status": {"state": s.state(now).as_str()},
    })
}

fn list_silences(platform: &Platform, call: &PlainCall) -> Response {
    let filters = match filters(call) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let now = platform.now();
    let silences = platform.silences();
    let mut rows: Vec<&Silence> = silences
        .all
        .iter()
        .filter(|s| {
            // Like Alertmanager: the filter must match the labels the silence's equality
            // matchers spell out.
            let labels: BTreeMap<String, String> = s
                .matchers
                .iter()
                .filter(|m| m.is_equal && !m.is_regex)
                .map(|m| (m.name.clone(), m.value.clone()))
                .collect();
            filters.iter().all(|f| f.matches(&labels))
        })
        .collect();
    // Active first (ending soonest), then pending (starting soonest), then expired
    // (most recently ended first), as Alertmanager sorts them.
    let rank = |s: &Silence| match s.state(now) {
        State::Active => (0, s.ends_at),
        State::Pending => (1, s.starts_at),
        State::Expired => (2, -s.ends_at),
    };
    rows.sort_by(|a, b| {
        let (ra, ta) = rank(a);
        let (rb, tb) = rank(b);
        ra.cmp(&rb).then(ta.total_cmp(&tb))
    });
    let out: Vec<Value> = rows.iter().map(|s| silence_json(s, now)).collect();
    reply(StatusCode::OK, &Value::Array(out))
}

fn time_field(v: &Value, key: &str, default: Option<f64>) -> Result<f64, String> {
    match v.get(key).and_then(Value::as_str) {
        Some(s) if !s.is_empty() => s
            .parse::<jiff::Timestamp>()
            .map(|t| t.as_millisecond() as f64 / 1000.0)
            .map_err(|e| format!("{key} in body must be of type date-time: \"{s}\": {e}")),
        _ => default.ok_or_else(|| format!("{key} in body is required")),
    }
}

fn post_silence(platform: &Platform, call: &PlainCall) -> Response {
    let body: Value = match serde_json::from_slice(&call.body) {
        Ok(v) => v,
        Err(e) => {
            return err(
                StatusCode::BAD_REQUEST,
                format!("parsing postableSilence body from \"\" failed, because {e}"),
            );
        }
    };
    let now = platform.now();
    let parsed = (|| -> Result<(Silence, Option<String>), String> {
        let matchers = body
            .get("matchers")
            .and_then(Value::as_array)
            .ok_or("matchers in body is required")?
            .iter()
            .map(|m| {
                let name = m.get("name").and_then(Value::as_str).ok_or("matchers.name in body is required")?;
                let value = m.get("value").and_then(Value::as_str).ok_or("matchers.value in body is required")?;
                let is_regex = m.get("isRegex").and_then(Value::as_bool).ok_or("matchers.isRegex in body is required")?;
                let is_equal = m.get("isEqual").and_then(Value::as_bool).unwrap_or(true);
                if is_regex && regex::Regex::new(value).is_err() {
                    return Err(format!("silence invalid: invalid label matcher: invalid regular expression {value:?}"));
                }
                Ok(Matcher { name: name.to_string(), value: value.to_string(), is_regex, is_equal })
            })
            .collect::<Result<Vec<_>, String>>()?;
        let text = |k: &str| -> Result<String, String> {
            body.get(k)
                .and_then(Value::as_str)
                .map(str::to_string)
                .ok_or_else(|| format!("{k} in body is required"))
        };
        let silence = Silence {
            id: String::new(),
            matchers,
            starts_at: time_field(&body, "startsAt", Some(now))?,
            ends_at: time_field(&body, "endsAt", None)?,
            updated_at: now,
            created_by: text("createdBy")?,
            comment: text("comment")?,
        };
        let id = body.get("id").and_then(Value::as_str).map(str::to_string);
        Ok((silence, id))
    })();
    let (silence, id) = match parsed {
        Ok(x) => x,
        Err(e) => return err(StatusCode::BAD_REQUEST, e),
    };
    match platform.silences().set(silence, id.as_deref(), now) {
        Ok(id) => reply(StatusCode::OK, &json!({"silenceID": id})),
        Err(SetError::Invalid(m)) => err(StatusCode::BAD_REQUEST, m),
        Err(SetError::NotFound(m)) => err(StatusCode::NOT_FOUND, m),
    }
}
