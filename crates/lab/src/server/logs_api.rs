//! `GET …/pods/{name}/log`: container logs as the kubelet serves them through the API
//! server — `container`, `tailLines`, `sinceSeconds`, `sinceTime`, `timestamps`,
//! `previous`, `limitBytes` and `follow` (a stream that ends when the container stops).
//! Line content comes from `lab::logs`; this module picks the container instance and
//! time window.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use bytes::Bytes;
use jiff::{SignedDuration, Timestamp};
use serde_json::Value;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;

use super::Call;
use super::path::Target;
use crate::logs::{self, LogLine, LogSource};
use crate::resources::{self, ids};
use crate::status::ApiError;
use crate::store::Store;

/// Without `tailLines`, a log request returns at most this many lines (the lab's logs
/// are synthetic; an unbounded window over a month-old container would be pointless).
const DEFAULT_MAX_LINES: usize = 5_000;
const FOLLOW_POLL: Duration = Duration::from_millis(500);

/// Which instance of a container to read, and its time span.
struct Instance {
    image: String,
    started: Timestamp,
    /// Set when the instance has exited: (when, reason, exit code).
    ended: Option<(Timestamp, String, i32)>,
}

fn time(v: &Value) -> Option<Timestamp> {
    v.as_str()?.parse().ok()
}

fn container_names(pod: &Value) -> Vec<String> {
    pod["spec"]["containers"]
        .as_array()
        .map(|cs| {
            cs.iter()
                .filter_map(|c| c["name"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn pick_instance(
    pod: &Value,
    name: &str,
    container: &str,
    previous: bool,
) -> Result<Instance, ApiError> {
    let statuses = pod["status"]["containerStatuses"]
        .as_array()
        .into_iter()
        .chain(pod["status"]["initContainerStatuses"].as_array())
        .flatten();
    let spec_image = pod["spec"]["containers"]
        .as_array()
        .into_iter()
        .chain(pod["spec"]["initContainers"].as_array())
        .flatten()
        .find(|c| c["name"] == container)
        .and_then(|c| c["image"].as_str())
        .map(str::to_string)
        .ok_or_else(|| {
            ApiError::bad_request(format!("container {container} is not valid for pod {name}"))
        })?;
    let waiting = || {
        ApiError::bad_request(format!(
            "container \"{container}\" in pod \"{name}\" is waiting to start: ContainerCreating"
        ))
    };
    let Some(status) = statuses.into_iter().find(|s| s["name"] == container) else {
        return Err(waiting());
    };
    let terminated = |t: &Value| -> Option<Instance> {
        Some(Instance {
            image: spec_image.clone(),
            started: time(&t["startedAt"])?,
            ended: Some((
                time(&t["finishedAt"])?,
                t["reason"].as_str().unwrap_or("Error").to_string(),
                t["exitCode"]
                    .as_i64()
                    .and_then(|c| i32::try_from(c).ok())
                    .unwrap_or(1),
            )),
        })
    };
    if previous {
        return terminated(&status["lastState"]["terminated"]).ok_or_else(|| {
            ApiError::bad_request(format!(
                "previous terminated container \"{container}\" in pod \"{name}\" not found"
            ))
        });
    }
    let state = &status["state"];
    if let Some(started) = time(&state["running"]["startedAt"]) {
        return Ok(Instance {
            image: spec_image,
            started,
            ended: None,
        });
    }
    if let Some(done) = terminated(&state["terminated"]) {
        return Ok(done);
    }
    // Waiting after a crash: the kubelet still serves the last instance's log.
    if let Some(last) = terminated(&status["lastState"]["terminated"]) {
        return Ok(last);
    }
    let reason = state["waiting"]["reason"]
        .as_str()
        .unwrap_or("ContainerCreating");
    Err(ApiError::bad_request(format!(
        "container \"{container}\" in pod \"{name}\" is waiting to start: {reason}"
    )))
}

struct Options {
    tail: Option<usize>,
    since: Option<Timestamp>,
    timestamps: bool,
    limit_bytes: Option<usize>,
}

fn render(lines: &[LogLine], timestamps: bool) -> String {
    let mut out = String::new();
    for l in lines {
        if timestamps {
            out.push_str(&l.at.strftime("%Y-%m-%dT%H:%M:%S.%fZ").to_string());
            out.push(' ');
        }
        out.push_str(&l.text);
        out.push('\n');
    }
    out
}

fn window(src: &LogSource, inst: &Instance, opts: &Options, now: Timestamp) -> Vec<LogLine> {
    let end = inst.ended.as_ref().map_or(now, |(at, _, _)| *at);
    let from = opts.since.map_or(inst.started, |s| s.max(inst.started));
    let max = opts.tail.unwrap_or(DEFAULT_MAX_LINES);
    let mut lines = logs::lines_between(src, from, end, max);
    if let Some((at, reason, code)) = &inst.ended {
        lines.extend(
            logs::crash_lines(src, *at, reason, *code)
                .into_iter()
                .filter(|l| l.at >= from),
        );
        if lines.len() > max {
            lines.drain(..lines.len() - max);
        }
    }
    lines
}

pub fn serve(store: &Arc<Store>, t: &Target, call: &Call) -> Result<Response, ApiError> {
    let ns = t.namespace.clone().unwrap_or_default();
    let name = t.name.clone().unwrap_or_default();
    let pod = store
        .get_value(ids::pods(), &ns, &name)
        .ok_or_else(|| ApiError::not_found(resources::get(ids::pods()), &name))?;
    let names = container_names(&pod);
    let container = match call.param("container").filter(|c| !c.is_empty()) {
        Some(c) => c.to_string(),
        None if names.len() == 1 => names[0].clone(),
        None => {
            return Err(ApiError::bad_request(format!(
                "a container name must be specified for pod {name}, choose one of: [{}]",
                names.join(" ")
            )));
        }
    };
    let number = |key: &str| -> Result<Option<i64>, ApiError> {
        call.param(key)
            .map(|v| {
                v.parse::<i64>().map_err(|_| {
                    ApiError::bad_request(format!("{key} must be an integer, got {v:?}"))
                })
            })
            .transpose()
    };
    let now = store.clock.now();
    let since = match (number("sinceSeconds")?, call.param("sinceTime")) {
        (Some(s), _) if s > 0 => now.checked_sub(SignedDuration::from_secs(s)).ok(),
        (Some(_), _) => return Err(ApiError::bad_request("sinceSeconds must be greater than 0")),
        (None, Some(t)) => {
            Some(t.parse::<Timestamp>().map_err(|e| {
                ApiError::bad_request(format!("sinceTime {t:?} is not RFC 3339: {e}"))
            })?)
        }
        (None, None) => None,
    };
    let opts = Options {
        tail: number("tailLines")?.map(|n| n.max(0) as usize),
        since,
        timestamps: call.flag("timestamps"),
        limit_bytes: number("limitBytes")?.map(|n| n.max(0) as usize),
    };
    let inst = pick_instance(&pod, &name, &container, call.flag("previous"))?;
    let src_owned = (
        inst.image.clone(),
        ns.clone(),
        name.clone(),
        container.clone(),
    );
    let src = LogSource {
        image: &src_owned.0,
        namespace: &src_owned.1,
        pod: &src_owned.2,
        container: &src_owned.3,
        started_at: inst.started,
    };
    let mut text = render(&window(&src, &inst, &opts, now), opts.timestamps);
    if let Some(limit) = opts.limit_bytes
        && text.len() > limit
    {
        let mut cut = limit;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
    }
    let follow = call.flag("follow") && inst.ended.is_none() && !call.flag("previous");
    let body = if follow {
        let (tx, rx) = mpsc::channel::<Result<Bytes, std::io::Error>>(16);
        let store_clock = store.clock.clone();
        let store_ptr = StorePoll {
            ns,
            name,
            container: container.clone(),
            started: inst.started,
        };
        let first = Bytes::from(text);
        let lookup = store_ptr.lookup(store);
        tokio::spawn(async move {
            if tx.send(Ok(first)).await.is_err() {
                return;
            }
            let mut from = now;
            loop {
                tokio::time::sleep(FOLLOW_POLL).await;
                if tx.is_closed() || !lookup() {
                    return;
                }
                let to = store_clock.now();
                let src = LogSource {
                    image: &src_owned.0,
                    namespace: &src_owned.1,
                    pod: &src_owned.2,
                    container: &src_owned.3,
                    started_at: inst.started,
                };
                let lines = logs::lines_between(&src, from, to, DEFAULT_MAX_LINES);
                from = to;
                if !lines.is_empty()
                    && tx
                        .send(Ok(Bytes::from(render(&lines, opts.timestamps))))
                        .await
                        .is_err()
                {
                    return;
                }
            }
        });
        Body::from_stream(ReceiverStream::new(rx))
    } else {
        Body::from(text)
    };
    let mut resp = Response::new(body);
    *resp.status_mut() = StatusCode::OK;
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    Ok(resp)
}

/// What a follow stream checks each poll: is the same container instance still running?
struct StorePoll {
    ns: String,
    name: String,
    container: String,
    started: Timestamp,
}

impl StorePoll {
    fn lookup(self, store: &Arc<Store>) -> impl Fn() -> bool + Send + 'static {
        let store = Arc::downgrade(store);
        move || {
            let Some(store) = store.upgrade() else {
                return false;
            };
            store
                .get_value(ids::pods(), &self.ns, &self.name)
                .and_then(|pod| {
                    let statuses = pod["status"]["containerStatuses"].as_array()?.clone();
                    let s = statuses
                        .iter()
                        .find(|s| s["name"] == self.container.as_str())?;
                    time(&s["state"]["running"]["startedAt"])
                })
                .is_some_and(|started| started == self.started)
        }
    }
}
