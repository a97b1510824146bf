//! Streams one container's log into the logs view: the last N lines, then follows.
//! Lines are batched (50 ms) so a chatty container costs one message per batch, not
//! one per line. The stream ends with a reason the view shows (container exited,
//! previous instance not found, connection lost).

use std::time::Duration;

use futures_util::{AsyncBufReadExt, StreamExt};
use k8s_openapi::api::core::v1::Pod;
use kube::Client;
use kube::api::{Api, LogParams};

use super::{Tx, explain};
use crate::app::{LogRequest, Msg};

/// Lines fetched before following (the view's buffer keeps more as they arrive).
const TAIL: i64 = 1000;

pub async fn stream(client: Client, request: LogRequest, tx: Tx) {
    let api: Api<Pod> = Api::namespaced(client, &request.namespace);
    let params = LogParams {
        container: Some(request.container.clone()),
        follow: request.follow,
        previous: request.previous,
        timestamps: request.timestamps,
        tail_lines: Some(TAIL),
        ..LogParams::default()
    };
    let generation = request.generation;
    let reader = match api.log_stream(&request.pod, &params).await {
        Ok(r) => r,
        Err(e) => {
            let _ = tx
                .send(Msg::LogEnded {
                    generation,
                    reason: explain(&e).1,
                })
                .await;
            return;
        }
    };
    let mut lines = reader.lines().boxed();
    let mut batch = Vec::new();
    let mut flush_at = tokio::time::Instant::now() + Duration::from_millis(50);
    loop {
        let next = tokio::time::timeout_at(flush_at, lines.next()).await;
        match next {
            Ok(Some(Ok(line))) => {
                batch.push(line);
                continue;
            }
            Ok(Some(Err(e))) => {
                let _ = tx
                    .send(Msg::LogLines {
                        generation,
                        lines: std::mem::take(&mut batch),
                    })
                    .await;
                let _ = tx
                    .send(Msg::LogEnded {
                        generation,
                        reason: format!("log stream failed: {e}"),
                    })
                    .await;
                return;
            }
            Ok(None) => {
                let _ = tx
                    .send(Msg::LogLines {
                        generation,
                        lines: std::mem::take(&mut batch),
                    })
                    .await;
                let reason = if request.follow {
                    "the container stopped; log ended"
                } else {
                    "end of log"
                };
                let _ = tx
                    .send(Msg::LogEnded {
                        generation,
                        reason: reason.into(),
                    })
                    .await;
                return;
            }
            Err(_) => {
                if !batch.is_empty()
                    && tx
                        .send(Msg::LogLines {
                            generation,
                            lines: std::mem::take(&mut batch),
                        })
                        .await
                        .is_err()
                {
                    return;
                }
                flush_at = tokio::time::Instant::now() + Duration::from_millis(50);
            }
        }
    }
}
