//! The cockpit's own list+watch loop for row sources (client-go's reflector, minus the
//! store): list in pages of 1000 projecting each object into a row on arrival, then watch
//! from the list's resourceVersion with bookmarks; re-list at once on 410, back off on
//! failure (reporting why, the attempt and when the next one is), 60 s on 403.
//!
//! It exists because kube-runtime's `watcher` hides the moments that prove a source is
//! live again: a re-established watch and its bookmarks produce no event, so after an
//! outage a quiet resource stayed "STALE" until one of its objects changed. Here the
//! source is Live as soon as a list succeeds, a watch is accepted (the server answered
//! 2xx and streams), or a bookmark arrives — never on a guess. It keeps no objects.

use std::time::Duration;

use futures_util::StreamExt;
use kube::api::{Api, ListParams, WatchEvent, WatchParams};
use kube::{Resource, ResourceExt};
use serde::de::DeserializeOwned;

use super::{Tx, backoff, explain};
use crate::app::{Change, Msg, SourceId, SourceState};

/// client-go's page size: larger pages list faster but each page's transient objects stay
/// in the allocator's high-water mark (≈50 MB more at 2000 pods per page).
const PAGE: u32 = 1000;
/// The server ends a watch after this; we then re-watch from the last version.
const WATCH_SECS: u32 = 290;
/// A watch silent for longer than its own timeout is a dead connection.
const IDLE: Duration = Duration::from_secs(WATCH_SECS as u64 + 5);

/// Where a source's rows and states go.
struct Out<R> {
    id: SourceId,
    tx: Tx,
    wrap: fn(Change<R>) -> Msg,
    live: bool,
    attempt: u32,
    failing_since: Option<jiff::Timestamp>,
}

/// The receiver is gone: the source ends.
struct Closed;

impl<R> Out<R> {
    async fn send(&self, msg: Msg) -> Result<(), Closed> {
        self.tx.send(msg).await.map_err(|_| Closed)
    }

    /// The server just proved we are in sync (a list, an accepted watch, a bookmark).
    async fn live(&mut self) -> Result<(), Closed> {
        self.attempt = 0;
        self.failing_since = None;
        if !self.live {
            self.live = true;
            self.send(Msg::Source(self.id, SourceState::Live)).await?;
        }
        Ok(())
    }

    async fn rows(&self, change: Change<R>) -> Result<(), Closed> {
        self.send((self.wrap)(change)).await
    }

    /// Reports a failure and waits out the back-off before the caller retries.
    async fn failed(&mut self, forbidden: bool, reason: String) -> Result<(), Closed> {
        self.live = false;
        self.attempt += 1;
        let delay = if forbidden {
            Duration::from_secs(60)
        } else {
            backoff(self.attempt)
        };
        let since = *self.failing_since.get_or_insert_with(jiff::Timestamp::now);
        let state = if forbidden {
            SourceState::Forbidden(reason)
        } else {
            SourceState::Failing {
                reason,
                attempt: self.attempt,
                retry_in_secs: delay.as_secs().max(1),
                since,
            }
        };
        self.send(Msg::Source(self.id, state)).await?;
        tokio::time::sleep(delay).await;
        Ok(())
    }
}

/// How a watch ended.
enum Ended {
    /// Normal end (server timeout, dropped connection): watch again from `rv`.
    Rewatch,
    /// 410 Gone: our version is too old; list again now.
    Relist,
}

/// Lists and watches `api` forever (until the receiver goes away), sending row changes
/// and source states.
pub async fn run<K, R>(
    api: Api<K>,
    id: SourceId,
    tx: Tx,
    mut project: impl FnMut(&K) -> R + Send,
    wrap: fn(Change<R>) -> Msg,
) where
    K: Resource + Clone + std::fmt::Debug + DeserializeOwned + Send + 'static,
    R: Send + 'static,
{
    let mut out = Out {
        id,
        tx,
        wrap,
        live: false,
        attempt: 0,
        failing_since: None,
    };
    let _ = forever(&api, &mut out, &mut project).await;
}

async fn forever<K, R>(
    api: &Api<K>,
    out: &mut Out<R>,
    project: &mut (impl FnMut(&K) -> R + Send),
) -> Result<(), Closed>
where
    K: Resource + Clone + std::fmt::Debug + DeserializeOwned + Send + 'static,
{
    loop {
        let mut rv = match list(api, project).await {
            Ok((_, rv)) if rv.is_empty() => {
                let why = "the server's list carried no resourceVersion to watch from";
                out.failed(false, why.into()).await?;
                continue;
            }
            Ok((rows, rv)) => {
                out.live().await?;
                out.rows(Change::Reset(rows)).await?;
                rv
            }
            Err(e) => {
                let (forbidden, reason) = explain(&e);
                out.failed(forbidden, reason).await?;
                continue;
            }
        };
        loop {
            match watch(api, &mut rv, out, project).await? {
                Ok(Ended::Rewatch) => {}
                Ok(Ended::Relist) => break,
                Err((forbidden, reason)) => out.failed(forbidden, reason).await?,
            }
        }
    }
}

/// All pages, projected as they arrive; the list's resourceVersion.
async fn list<K, R>(
    api: &Api<K>,
    project: &mut impl FnMut(&K) -> R,
) -> Result<(Vec<R>, String), kube::Error>
where
    K: Resource + Clone + std::fmt::Debug + DeserializeOwned,
{
    let mut rows = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut lp = ListParams::default().limit(PAGE);
        if let Some(t) = token.take() {
            lp = lp.continue_token(&t);
        }
        let page = api.list(&lp).await?;
        rows.extend(page.items.iter().map(&mut *project));
        let rv = page.metadata.resource_version.unwrap_or_default();
        match page.metadata.continue_.filter(|c| !c.is_empty()) {
            Some(next) => token = Some(next),
            None => return Ok((rows, rv)),
        }
    }
}

/// One watch from `rv`, keeping `rv` current. The inner error is a failure to report.
async fn watch<K, R>(
    api: &Api<K>,
    rv: &mut String,
    out: &mut Out<R>,
    project: &mut impl FnMut(&K) -> R,
) -> Result<Result<Ended, (bool, String)>, Closed>
where
    K: Resource + Clone + std::fmt::Debug + DeserializeOwned + Send + 'static,
{
    let params = WatchParams::default().timeout(WATCH_SECS);
    let stream = match api.watch(&params, rv).await {
        Ok(s) => s,
        Err(kube::Error::Api(s)) if s.code == 410 => return Ok(Ok(Ended::Relist)),
        Err(e) => return Ok(Err(explain(&e))),
    };
    // The server accepted the watch from our version: what we show is current again.
    out.live().await?;
    let mut stream = std::pin::pin!(stream);
    loop {
        let event = match tokio::time::timeout(IDLE, stream.next()).await {
            Err(_) | Ok(None) => return Ok(Ok(Ended::Rewatch)),
            Ok(Some(e)) => e,
        };
        match event {
            Ok(WatchEvent::Added(obj) | WatchEvent::Modified(obj)) => {
                advance(rv, &obj);
                out.rows(Change::Upsert(project(&obj))).await?;
            }
            Ok(WatchEvent::Deleted(obj)) => {
                advance(rv, &obj);
                out.rows(Change::Delete(project(&obj))).await?;
            }
            Ok(WatchEvent::Bookmark(b)) => {
                *rv = b.metadata.resource_version;
                out.live().await?;
            }
            Ok(WatchEvent::Error(s)) if s.code == 410 => return Ok(Ok(Ended::Relist)),
            Ok(WatchEvent::Error(s)) if s.code == 403 => {
                return Ok(Err((true, format!("forbidden: {}", s.message))));
            }
            Ok(WatchEvent::Error(s)) => {
                return Ok(Err((
                    false,
                    format!("{} ({}): {}", s.reason, s.code, s.message),
                )));
            }
            Err(e) => return Ok(Err(explain(&e))),
        }
    }
}

fn advance<K: Resource>(rv: &mut String, obj: &K) {
    if let Some(v) = obj.resource_version().filter(|v| !v.is_empty()) {
        *rv = v;
    }
}
