//! Writes to the platform's own APIs: Alertmanager silences (create: `POST
//! /api/v2/silences`; expire: `DELETE /api/v2/silence/{id}`) and killing a Trino query
//! (`PUT /v1/query/{id}/killed`, what the Trino web UI does). Neither API has a dry run,
//! so the preview validates what Alertmanager would reject and reads the current state
//! of what would change. Must not retry a write: a timeout is reported as unknown.

use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

use super::{Op, OpError, Outcome, SilenceMatcher};
use crate::endpoints::http::HttpEndpoint;

/// Longest silence lakedeck creates; longer ones hide real trouble for too long.
const MAX_SILENCE: SignedDuration = SignedDuration::from_hours(24 * 7);

fn check_silence(
    matchers: &[SilenceMatcher],
    duration: SignedDuration,
    comment: &str,
) -> Result<(), OpError> {
    if matchers.is_empty() {
        return Err(OpError::Invalid(
            "a silence needs at least one matcher (e.g. alertname=\"TrinoQueueHigh\")".into(),
        ));
    }
    if let Some(m) = matchers.iter().find(|m| m.name.trim().is_empty()) {
        return Err(OpError::Invalid(format!("matcher {m} has no label name")));
    }
    if matchers
        .iter()
        .all(|m| m.value.is_empty() || (m.is_regex && m.value == ".*"))
    {
        return Err(OpError::Invalid(
            "these matchers match every alert — name at least one label value".into(),
        ));
    }
    if duration <= SignedDuration::ZERO {
        return Err(OpError::Invalid(
            "the silence's duration must be positive (e.g. 2h)".into(),
        ));
    }
    if duration > MAX_SILENCE {
        return Err(OpError::Invalid(
            "silences longer than 7 days are refused: fix the alert or its rule instead".into(),
        ));
    }
    if comment.trim().is_empty() {
        return Err(OpError::Invalid(
            "a silence needs a comment saying why (and e.g. the ticket)".into(),
        ));
    }
    Ok(())
}

fn matcher_json(m: &SilenceMatcher) -> Value {
    json!({"name": m.name, "value": m.value, "isRegex": m.is_regex, "isEqual": m.is_equal})
}

async fn silence(am: &HttpEndpoint, id: &str) -> Result<Value, OpError> {
    am.get_json(&format!("/api/v2/silence/{id}"), &[], &[])
        .await
        .map_err(|e| {
            if e.contains("404") {
                OpError::NotFound(format!("silence {id} does not exist in {}", am.label))
            } else {
                OpError::Api(e)
            }
        })
}

fn silence_line(s: &Value) -> String {
    let matchers: Vec<String> = s["matchers"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|m| {
            SilenceMatcher {
                name: m["name"].as_str().unwrap_or("").to_string(),
                value: m["value"].as_str().unwrap_or("").to_string(),
                is_regex: m["isRegex"].as_bool().unwrap_or(false),
                is_equal: m["isEqual"].as_bool().unwrap_or(true),
            }
            .to_string()
        })
        .collect();
    format!(
        "{{{}}} {} until {} by {}: {}",
        matchers.join(","),
        s["status"]["state"].as_str().unwrap_or("?"),
        s["endsAt"].as_str().unwrap_or("?"),
        s["createdBy"].as_str().unwrap_or("?"),
        s["comment"].as_str().unwrap_or("")
    )
}

pub async fn preview_silence(am: &HttpEndpoint, op: &Op) -> Result<Vec<String>, OpError> {
    match op {
        Op::CreateSilence {
            matchers,
            duration,
            comment,
        } => {
            check_silence(matchers, *duration, comment)?;
            let filter: Vec<(&str, String)> =
                matchers.iter().map(|m| ("filter", m.to_string())).collect();
            let filter: Vec<(&str, &str)> = filter.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let matching = am
                .get_json("/api/v2/alerts", &filter, &[])
                .await
                .map_err(OpError::Api)?;
            let names: std::collections::BTreeSet<&str> = matching
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|a| a["labels"]["alertname"].as_str())
                .collect();
            let ends = Timestamp::now() + *duration;
            Ok(vec![
                format!(
                    "new silence {{{}}} from now until {}",
                    matchers
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(","),
                    ends.strftime("%Y-%m-%d %H:%M UTC")
                ),
                format!(
                    "silences {} alert(s) firing now{}",
                    matching.as_array().map_or(0, Vec::len),
                    if names.is_empty() {
                        String::new()
                    } else {
                        format!(": {}", names.into_iter().collect::<Vec<_>>().join(", "))
                    }
                ),
                format!("comment: {comment}"),
            ])
        }
        Op::ExpireSilence { id } => {
            let s = silence(am, id).await?;
            let mut lines = vec![format!("silence {id}: {}", silence_line(&s))];
            if s["status"]["state"] == "expired" {
                lines.push("already expired: nothing changes".into());
            } else {
                lines.push("ends now: the alerts it hides notify again".into());
            }
            Ok(lines)
        }
        _ => Err(OpError::Invalid(format!(
            "{} is not a silence operation",
            op.name()
        ))),
    }
}

pub async fn execute_silence(
    am: &HttpEndpoint,
    op: &Op,
    created_by: &str,
) -> Result<Outcome, OpError> {
    let mut out = Outcome::default();
    match op {
        Op::CreateSilence {
            matchers,
            duration,
            comment,
        } => {
            check_silence(matchers, *duration, comment)?;
            let now = Timestamp::now();
            let body = json!({
                "matchers": matchers.iter().map(matcher_json).collect::<Vec<_>>(),
                "startsAt": now.to_string(),
                "endsAt": (now + *duration).to_string(),
                "createdBy": created_by,
                "comment": comment,
            });
            let (status, bytes) = am
                .send(am.client.post(am.url("/api/v2/silences")).json(&body))
                .await
                .map_err(OpError::Api)?;
            if !(200..300).contains(&status) {
                return Err(OpError::Api(am.status_error(status, &bytes)));
            }
            let v = am.parse_json(&bytes).map_err(OpError::Api)?;
            let id = v["silenceID"].as_str().unwrap_or("").to_string();
            out.summary = format!(
                "silence {id} created until {}",
                (now + *duration).strftime("%Y-%m-%d %H:%M UTC")
            );
            out.outputs.insert("silence_id".into(), json!(id));
        }
        Op::ExpireSilence { id } => {
            let (status, bytes) = am
                .send(am.client.delete(am.url(&format!("/api/v2/silence/{id}"))))
                .await
                .map_err(OpError::Api)?;
            match status {
                200..=299 => out.summary = format!("silence {id} expired"),
                404 => {
                    return Err(OpError::NotFound(format!(
                        "silence {id} does not exist in {}",
                        am.label
                    )));
                }
                _ => return Err(OpError::Api(am.status_error(status, &bytes))),
            }
        }
        _ => {
            return Err(OpError::Invalid(format!(
                "{} is not a silence operation",
                op.name()
            )));
        }
    }
    Ok(out)
}

fn trino_headers(user: &str) -> [(&'static str, String); 1] {
    [("X-Trino-User", user.to_string())]
}

async fn query_info(trino: &HttpEndpoint, user: &str, id: &str) -> Result<Value, OpError> {
    trino
        .get_json(&format!("/v1/query/{id}"), &[], &trino_headers(user))
        .await
        .map_err(|e| {
            if e.contains("410") || e.contains("404") {
                OpError::NotFound(format!("Trino query {id} is gone (finished queries expire from the coordinator's history)"))
            } else {
                OpError::Api(e)
            }
        })
}

const DONE_STATES: &[&str] = &["FINISHED", "FAILED"];

pub async fn preview_kill(
    trino: &HttpEndpoint,
    user: &str,
    op: &Op,
) -> Result<Vec<String>, OpError> {
    let Op::KillTrinoQuery { query_id, reason } = op else {
        return Err(OpError::Invalid(format!(
            "{} is not a Trino operation",
            op.name()
        )));
    };
    let info = query_info(trino, user, query_id).await?;
    let state = info["state"].as_str().unwrap_or("?");
    let sql: String = info["query"]
        .as_str()
        .unwrap_or("")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(120)
        .collect();
    let mut lines = vec![
        format!(
            "query {query_id} ({state}, user {}, source {})",
            info["session"]["user"].as_str().unwrap_or("?"),
            info["session"]["source"].as_str().unwrap_or("-")
        ),
        format!("sql: {sql}"),
        format!("fails with ADMINISTRATIVELY_KILLED: {reason}"),
    ];
    if DONE_STATES.contains(&state) {
        lines.push(format!("already {state}: nothing to kill"));
    }
    Ok(lines)
}

pub async fn execute_kill(trino: &HttpEndpoint, user: &str, op: &Op) -> Result<Outcome, OpError> {
    let Op::KillTrinoQuery { query_id, reason } = op else {
        return Err(OpError::Invalid(format!(
            "{} is not a Trino operation",
            op.name()
        )));
    };
    let request = trino
        .client
        .put(trino.url(&format!("/v1/query/{query_id}/killed")))
        .header("X-Trino-User", user)
        .header("Content-Type", "application/json")
        .body(json!(reason).to_string());
    let (status, bytes) = trino.send(request).await.map_err(OpError::Api)?;
    match status {
        200..=299 => Ok(Outcome {
            summary: format!("Trino query {query_id} killed"),
            ..Outcome::default()
        }),
        409 => Err(OpError::Refused(format!(
            "Trino query {query_id} has already finished"
        ))),
        410 | 404 => Err(OpError::NotFound(format!("Trino query {query_id} is gone"))),
        _ => Err(OpError::Api(trino.status_error(status, &bytes))),
    }
}
