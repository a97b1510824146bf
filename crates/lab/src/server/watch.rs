//! Watch streams: newline-delimited `WatchEvent`s over a chunked response, honouring
//! `resourceVersion` (replay from the history, or 410 Expired in-stream when it is gone),
//! `sendInitialEvents`, `allowWatchBookmarks`, `timeoutSeconds`, selectors and Table
//! output. A watcher that falls behind the live fan-out is told its version expired, as
//! the API server does, so it re-lists instead of silently missing events.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use bytes::Bytes;
use serde_json::{Value, json};
use tokio::sync::{broadcast, mpsc};
use tokio_stream::wrappers::ReceiverStream;

use super::crud::{Filter, metadata_only};
use super::path::Target;
use super::{Call, Ctx, error, table};
use crate::resources::{self, Resource};
use crate::status::ApiError;
use crate::store::{Entry, EventType, Subscription};

/// How often a watch that asked for bookmarks gets one (real API servers: about a
/// minute; shorter here so clients' resume logic is exercised in short sessions).
const BOOKMARK_EVERY: Duration = Duration::from_secs(5);
/// Real API servers cap watches at a randomised 30-60 minutes; clients must re-watch.
const MAX_WATCH: Duration = Duration::from_secs(30 * 60);

enum Start {
    /// Replay from the history, then live.
    Resume(Subscription),
    /// Synthetic ADDED for the current state, optionally closed by the initial-events-end bookmark.
    Initial(Vec<Arc<Entry>>, Subscription, bool),
    /// The requested version is gone.
    Expired(ApiError),
}

pub fn serve(ctx: &Arc<Ctx>, t: &Target, call: &Call) -> Response {
    let res = resources::get(t.res);
    if !res.is_watchable() {
        return error(&ApiError::method_not_allowed("watch"));
    }
    let filter = match Filter::from_call(res, call) {
        Ok(f) => f,
        Err(e) => return error(&e),
    };
    let rv = call.param("resourceVersion").unwrap_or("");
    let initial_events = call.flag("sendInitialEvents");
    let start = match rv {
        "" | "0" => {
            let (items, sub) = ctx
                .store
                .snapshot_and_subscribe(t.res, t.namespace.as_deref());
            Start::Initial(items, sub, initial_events)
        }
        n => match n.parse::<u64>() {
            Err(_) => {
                return error(&ApiError::bad_request(format!(
                    "invalid resourceVersion {n:?}: expected a resourceVersion from a list or an earlier event"
                )));
            }
            Ok(_) if initial_events => {
                let (items, sub) = ctx
                    .store
                    .snapshot_and_subscribe(t.res, t.namespace.as_deref());
                Start::Initial(items, sub, true)
            }
            Ok(v) => match ctx.store.subscribe(v) {
                Ok(sub) => Start::Resume(sub),
                Err(e) => Start::Expired(e),
            },
        },
    };
    let timeout = call
        .param("timeoutSeconds")
        .and_then(|s| s.parse::<u64>().ok())
        .map_or(MAX_WATCH, Duration::from_secs)
        .min(MAX_WATCH);
    let stream = WatchStream {
        res,
        namespace: t.namespace.clone(),
        filter,
        bookmarks: call.flag("allowWatchBookmarks"),
        format: Format::of(call),
        include_object: call
            .param("includeObject")
            .unwrap_or("Metadata")
            .to_string(),
        ctx: ctx.clone(),
    };
    let (tx, rx) = mpsc::channel::<Result<Bytes, std::io::Error>>(64);
    tokio::spawn(stream.run(start, timeout, tx));
    let mut resp = Response::new(Body::from_stream(ReceiverStream::new(rx)));
    *resp.status_mut() = StatusCode::OK;
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Object,
    Table,
    Metadata,
}

impl Format {
    fn of(call: &Call) -> Self {
        if call.wants_table() {
            Format::Table
        } else if call.wants_metadata() {
            Format::Metadata
        } else {
            Format::Object
        }
    }
}

struct WatchStream {
    res: &'static Resource,
    namespace: Option<String>,
    filter: Filter,
    bookmarks: bool,
    format: Format,
    include_object: String,
    ctx: Arc<Ctx>,
}

type Sink = mpsc::Sender<Result<Bytes, std::io::Error>>;

impl WatchStream {
    fn wanted(&self, e: &Entry) -> bool {
        resources::get(e.res).plural == self.res.plural
            && resources::get(e.res).group == self.res.group
            && self.namespace.as_deref().is_none_or(|ns| ns == e.namespace)
            && self.filter.matches(e)
    }

    fn encode(&self, kind: &str, entry: &Entry) -> Bytes {
        let object = match self.format {
            Format::Object => {
                // Splice the stored bytes: no re-serialisation on the hot path.
                let mut line = Vec::with_capacity(entry.json.len() + 32);
                line.extend_from_slice(format!("{{\"type\":\"{kind}\",\"object\":").as_bytes());
                line.extend_from_slice(&entry.json);
                line.extend_from_slice(b"}\n");
                return Bytes::from(line);
            }
            Format::Metadata => metadata_only(&entry.value()),
            Format::Table => {
                let now = self.ctx.store.clock.now();
                table::one(self.res, &entry.value(), &self.include_object, now)
            }
        };
        line(&json!({"type": kind, "object": object}))
    }

    fn bookmark(&self, rv: u64, initial_end: bool) -> Bytes {
        let mut meta = json!({"resourceVersion": rv.to_string()});
        if initial_end {
            meta["annotations"] = json!({"k8s.io/initial-events-end": "true"});
        }
        line(&json!({
            "type": "BOOKMARK",
            "object": {"kind": self.res.kind, "apiVersion": self.res.api_version(), "metadata": meta}
        }))
    }

    async fn run(self, start: Start, timeout: Duration, tx: Sink) {
        let mut drops = self.ctx.faults.watch_drops();
        drops.mark_unchanged();
        let (mut live, mut last_rv) = match start {
            Start::Expired(e) => {
                let _ = tx
                    .send(Ok(line(&json!({"type": "ERROR", "object": e.to_json()}))))
                    .await;
                return;
            }
            Start::Resume(sub) => {
                let mut last = 0;
                for ev in &sub.replay {
                    last = ev.entry.rv;
                    if self.wanted(&ev.entry)
                        && tx
                            .send(Ok(self.encode(ev.kind.as_str(), &ev.entry)))
                            .await
                            .is_err()
                    {
                        return;
                    }
                }
                (sub.live, last.max(sub.rv))
            }
            Start::Initial(items, sub, end_bookmark) => {
                for e in items.iter().filter(|e| self.wanted(e)) {
                    if tx.send(Ok(self.encode("ADDED", e))).await.is_err() {
                        return;
                    }
                }
                if end_bookmark && tx.send(Ok(self.bookmark(sub.rv, true))).await.is_err() {
                    return;
                }
                (sub.live, sub.rv)
            }
        };
        let deadline = tokio::time::sleep(timeout);
        tokio::pin!(deadline);
        let mut tick = tokio::time::interval(BOOKMARK_EVERY);
        tick.tick().await;
        loop {
            tokio::select! {
                _ = &mut deadline => return,
                _ = drops.changed() => return,
                _ = tx.closed() => return,
                _ = tick.tick(), if self.bookmarks => {
                    // Only when caught up with the live stream may the bookmark carry
                    // the store's version; otherwise it would skip undelivered events.
                    if let Some(rv) = self.ctx.store.bookmark_rv(&live) {
                        last_rv = last_rv.max(rv);
                        if tx.send(Ok(self.bookmark(last_rv, false))).await.is_err() {
                            return;
                        }
                    }
                }
                ev = live.recv() => match ev {
                    Ok(ev) => {
                        if ev.entry.rv <= last_rv {
                            continue;
                        }
                        last_rv = ev.entry.rv;
                        if self.wanted(&ev.entry) {
                            let kind = match ev.kind {
                                EventType::Added => "ADDED",
                                EventType::Modified => "MODIFIED",
                                EventType::Deleted => "DELETED",
                            };
                            if tx.send(Ok(self.encode(kind, &ev.entry))).await.is_err() {
                                return;
                            }
                        }
                    }
                    Err(broadcast::error::RecvError::Lagged(_)) => {
                        let e = ApiError::expired(format!("too old resource version: {last_rv} (the watch fell behind)"));
                        let _ = tx.send(Ok(line(&json!({"type": "ERROR", "object": e.to_json()})))).await;
                        return;
                    }
                    Err(broadcast::error::RecvError::Closed) => return,
                }
            }
        }
    }
}

fn line(v: &Value) -> Bytes {
    let mut out = serde_json::to_vec(v).unwrap_or_default();
    out.push(b'\n');
    Bytes::from(out)
}
