//! The lab's Prometheus HTTP API (`/prometheus/api/v1/…`): `query` and `query_range`
//! (GET or form POST) for the default query catalog, evaluated on the simulated state
//! with Prometheus's own functions; `alerts`, `rules` (the shipped rules with the lab's
//! alert states) and `status/buildinfo`. Anything outside the catalog is `bad_data`,
//! with the real envelope and status codes.

// Handlers return a finished error response early; it is built once per request.
#![allow(clippy::result_large_err)]

use axum::http::{Method, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

use super::platform_front::{PlainCall, json as reply, with_form};
use crate::platform::promql::{self, Point};
use crate::platform::series::format_value;
use crate::platform::{Platform, catalog, rfc3339_ms};

const MAX_POINTS: f64 = 11_000.0;

fn error(code: StatusCode, kind: &str, message: impl Into<String>) -> Response {
    reply(
        code,
        &json!({"status": "error", "errorType": kind, "error": message.into()}),
    )
}

fn bad_data(message: impl Into<String>) -> Response {
    error(StatusCode::BAD_REQUEST, "bad_data", message)
}

fn success(data: Value) -> Response {
    reply(StatusCode::OK, &json!({"status": "success", "data": data}))
}

/// RFC 3339 or unix seconds, as Prometheus accepts them.
fn parse_time(s: &str) -> Option<f64> {
    if let Ok(v) = s.parse::<f64>() {
        return v.is_finite().then_some(v);
    }
    s.parse::<jiff::Timestamp>()
        .ok()
        .map(|t| t.as_millisecond() as f64 / 1000.0)
}

fn time_param(params: &[(String, String)], key: &str) -> Result<Option<f64>, Response> {
    match params
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
    {
        None | Some("") => Ok(None),
        Some(v) => parse_time(v).map(Some).ok_or_else(|| {
            bad_data(format!(
                "invalid parameter \"{key}\": cannot parse \"{v}\" to a valid timestamp"
            ))
        }),
    }
}

fn ts_json(t: f64) -> Value {
    json!((t * 1000.0).round() / 1000.0)
}

/// Parses `query` and checks it is in the catalog.
fn checked(query: Option<&str>) -> Result<promql::Expr, Response> {
    let q = query.unwrap_or("");
    let expr =
        promql::parse(q).map_err(|e| bad_data(format!("invalid parameter \"query\": {e}")))?;
    if !catalog::allowed(q) {
        return Err(bad_data(format!(
            "invalid parameter \"query\": the lakedeck lab's Prometheus answers only the default query catalog, and {:?} is not in it",
            catalog::normalise(q)
        )));
    }
    Ok(expr)
}

fn vector(points: Vec<Point>, t: f64) -> Value {
    Value::Array(
        points
            .into_iter()
            .map(|p| json!({"metric": p.labels, "value": [ts_json(t), format_value(p.value)]}))
            .collect(),
    )
}

pub fn serve(platform: &Platform, path: &str, call: &PlainCall) -> Response {
    let params = with_form(call);
    let get = |k: &str| {
        params
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    };
    let read = call.method == Method::GET || call.method == Method::HEAD;
    let post_ok = read || call.method == Method::POST;
    match path.trim_end_matches('/') {
        "/api/v1/query" if post_ok => {
            let expr = match checked(get("query")) {
                Ok(e) => e,
                Err(r) => return r,
            };
            let t = match time_param(&params, "time") {
                Ok(t) => t.unwrap_or_else(|| platform.now()),
                Err(r) => return r,
            };
            match promql::eval(&expr, t, platform) {
                Ok(points) => success(json!({"resultType": "vector", "result": vector(points, t)})),
                Err(e) => error(StatusCode::UNPROCESSABLE_ENTITY, "execution", e),
            }
        }
        "/api/v1/query_range" if post_ok => query_range(platform, &params),
        "/api/v1/alerts" if read => {
            let alerts: Vec<Value> = platform.alerts().iter().map(alert_json).collect();
            success(json!({"alerts": alerts}))
        }
        "/api/v1/rules" if read => rules(platform, &params),
        "/api/v1/status/buildinfo" if read => success(json!({
            "version": "3.2.1", "revision": "lakedeck-lab", "branch": "HEAD",
            "buildUser": "lakedeck@lab", "buildDate": "20260101-00:00:00", "goVersion": "go1.24.0",
        })),
        p if p.starts_with("/api/v1/") && !post_ok => error(
            StatusCode::METHOD_NOT_ALLOWED,
            "bad_data",
            format!("method {} not allowed", call.method),
        ),
        p => error(
            StatusCode::NOT_FOUND,
            "not_found",
            format!(
                "the lakedeck lab's Prometheus does not serve {p}; it serves api/v1/query, query_range, alerts, rules and status/buildinfo"
            ),
        ),
    }
}

fn query_range(platform: &Platform, params: &[(String, String)]) -> Response {
    let get = |k: &str| {
        params
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    };
    let expr = match checked(get("query")) {
        Ok(e) => e,
        Err(r) => return r,
    };
    let (start, end) = match (time_param(params, "start"), time_param(params, "end")) {
        (Ok(Some(s)), Ok(Some(e))) => (s, e),
        (Err(r), _) | (_, Err(r)) => return r,
        (Ok(None), _) => {
            return bad_data("invalid parameter \"start\": cannot parse \"\" to a valid timestamp");
        }
        (_, Ok(None)) => {
            return bad_data("invalid parameter \"end\": cannot parse \"\" to a valid timestamp");
        }
    };
    if end < start {
        return bad_data("invalid parameter \"end\": end timestamp must not be before start time");
    }
    let step = match get("step") {
        Some(s) => match s.parse::<f64>().ok().or_else(|| promql::parse_duration(s)) {
            Some(v) if v > 0.0 => v,
            Some(_) => {
                return bad_data(
                    "invalid parameter \"step\": zero or negative query resolution step widths are not accepted. Try a positive integer",
                );
            }
            None => {
                return bad_data(format!(
                    "invalid parameter \"step\": cannot parse \"{s}\" to a valid duration"
                ));
            }
        },
        None => {
            return bad_data("invalid parameter \"step\": cannot parse \"\" to a valid duration");
        }
    };
    if (end - start) / step > MAX_POINTS {
        return bad_data(
            "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)",
        );
    }
    let mut series: std::collections::BTreeMap<promql::Labels, Vec<Value>> = Default::default();
    let mut t = start;
    while t <= end + 1e-9 {
        match promql::eval(&expr, t, platform) {
            Ok(points) => {
                for p in points {
                    series
                        .entry(p.labels)
                        .or_default()
                        .push(json!([ts_json(t), format_value(p.value)]));
                }
            }
            Err(e) => return error(StatusCode::UNPROCESSABLE_ENTITY, "execution", e),
        }
        t += step;
    }
    let result: Vec<Value> = series
        .into_iter()
        .map(|(labels, values)| json!({"metric": labels, "values": values}))
        .collect();
    success(json!({"resultType": "matrix", "result": result}))
}

/// A value as Prometheus writes an alert's `value` (Go's `%e`-like: `1e+00`).
pub fn go_exp(v: f64) -> String {
    if !v.is_finite() {
        return format_value(v);
    }
    let s = format!("{v:e}");
    let (mantissa, exp) = s.split_once('e').unwrap_or((s.as_str(), "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    format!(
        "{mantissa}e{}{:02}",
        if exp < 0 { '-' } else { '+' },
        exp.abs()
    )
}

fn alert_json(a: &crate::platform::alerts::Alert) -> Value {
    json!({"labels": a.labels, "annotations": a.annotations, "state": "firing",
           "activeAt": rfc3339_ms(a.active_at), "value": go_exp(a.value)})
}

fn rules(platform: &Platform, params: &[(String, String)]) -> Response {
    let want = params
        .iter()
        .find(|(k, _)| k == "type")
        .map(|(_, v)| v.as_str());
    if want.is_some_and(|t| t != "alert" && t != "record") {
        return bad_data(format!(
            "invalid parameter \"type\": {:?} is not one of alert or record",
            want.unwrap_or("")
        ));
    }
    let firing = platform.alerts();
    let now = rfc3339_ms(platform.now());
    let groups: Vec<Value> = platform
        .rules
        .iter()
        .map(|g| {
            let rules: Vec<Value> = if want == Some("record") {
                Vec::new()
            } else {
                g.rules
                    .iter()
                    .map(|r| {
                        let alerts: Vec<Value> = firing
                            .iter()
                            .filter(|a| a.name() == r.alert)
                            .map(alert_json)
                            .collect();
                        let state = if alerts.is_empty() {
                            "inactive"
                        } else {
                            "firing"
                        };
                        json!({"type": "alerting", "name": r.alert, "query": r.expr,
                               "duration": r.for_secs(), "keepFiringFor": 0,
                               "labels": r.labels, "annotations": r.annotations,
                               "alerts": alerts, "health": "ok", "evaluationTime": 0.000_4,
                               "lastEvaluation": now, "state": state})
                    })
                    .collect()
            };
            json!({"name": g.name, "file": crate::platform::alerts::RULES_FILE,
                   "rules": rules, "interval": 15, "limit": 0,
                   "evaluationTime": 0.001, "lastEvaluation": now})
        })
        .collect();
    success(json!({"groups": groups}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alert_values_look_like_prometheus() {
        assert_eq!(go_exp(1.0), "1e+00");
        assert_eq!(go_exp(25.0), "2.5e+01");
        assert_eq!(go_exp(0.05), "5e-02");
        assert_eq!(parse_time("2026-01-01T00:00:00Z"), Some(1_767_225_600.0));
        assert_eq!(parse_time("1767225600.5"), Some(1_767_225_600.5));
        assert_eq!(parse_time("soon"), None);
    }
}
