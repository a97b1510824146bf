//! Fault injection for resilience tests, behind `/lakedeck/faults` (admin token only):
//!
//! | request | effect |
//! |---|---|
//! | `GET /lakedeck/faults` | current fault state |
//! | `POST /lakedeck/faults/drop-watches` | close every open watch stream |
//! | `POST /lakedeck/faults/expire-history` | forget the watch history: every resume gets 410 Expired |
//! | `POST /lakedeck/faults/unavailable?seconds=N` | answer 503 to every API request for N seconds (and drop watches) |
//! | `POST /lakedeck/faults/latency?ms=N` | delay every API request by N ms (0 = off) |
//! | `DELETE /lakedeck/faults` | clear unavailability and latency |

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::sync::watch;

use crate::status::ApiError;
use crate::store::Store;

pub struct Faults {
    unavailable_until: Mutex<Option<Instant>>,
    latency_ms: AtomicU64,
    /// Bumped to make every open watch end; watch streams select on it.
    drop_watches: watch::Sender<u64>,
}

impl Default for Faults {
    fn default() -> Self {
        Self::new()
    }
}

impl Faults {
    pub fn new() -> Self {
        Self {
            unavailable_until: Mutex::new(None),
            latency_ms: AtomicU64::new(0),
            drop_watches: watch::channel(0).0,
        }
    }

    pub fn watch_drops(&self) -> watch::Receiver<u64> {
        self.drop_watches.subscribe()
    }

    pub fn drop_all_watches(&self) {
        self.drop_watches.send_modify(|n| *n += 1);
    }

    pub fn latency(&self) -> Option<Duration> {
        match self.latency_ms.load(Ordering::Relaxed) {
            0 => None,
            ms => Some(Duration::from_millis(ms)),
        }
    }

    /// Seconds of injected unavailability left, if any.
    pub fn unavailable(&self) -> Option<Duration> {
        let mut guard = self
            .unavailable_until
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        match *guard {
            Some(until) if until > Instant::now() => Some(until - Instant::now()),
            Some(_) => {
                *guard = None;
                None
            }
            None => None,
        }
    }

    fn state(&self) -> Value {
        json!({
            "unavailableSeconds": self.unavailable().map_or(0, |d| d.as_secs() + 1),
            "latencyMs": self.latency_ms.load(Ordering::Relaxed),
            "watchDrops": *self.drop_watches.borrow(),
        })
    }

    /// Runs one admin request. `query` holds the parsed query parameters.
    pub fn handle(
        &self,
        store: &Store,
        method: &str,
        action: Option<&str>,
        query: &[(String, String)],
    ) -> Result<Value, ApiError> {
        let number = |key: &str| -> Result<u64, ApiError> {
            let raw = query
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.as_str())
                .ok_or_else(|| ApiError::bad_request(format!("missing query parameter {key}")))?;
            raw.parse().map_err(|_| {
                ApiError::bad_request(format!("{key} must be a whole number, got {raw:?}"))
            })
        };
        match (method, action) {
            ("GET", None) => {}
            ("DELETE", None) => {
                *self
                    .unavailable_until
                    .lock()
                    .unwrap_or_else(|e| e.into_inner()) = None;
                self.latency_ms.store(0, Ordering::Relaxed);
            }
            ("POST", Some("drop-watches")) => self.drop_all_watches(),
            ("POST", Some("expire-history")) => store.expire_history(),
            ("POST", Some("unavailable")) => {
                let secs = number("seconds")?;
                *self
                    .unavailable_until
                    .lock()
                    .unwrap_or_else(|e| e.into_inner()) =
                    Some(Instant::now() + Duration::from_secs(secs));
                self.drop_all_watches();
            }
            ("POST", Some("latency")) => self.latency_ms.store(number("ms")?, Ordering::Relaxed),
            (_, Some(other))
                if !matches!(
                    other,
                    "drop-watches" | "expire-history" | "unavailable" | "latency"
                ) =>
            {
                return Err(ApiError::path_not_found(&format!(
                    "/lakedeck/faults/{other}"
                )));
            }
            (m, _) => return Err(ApiError::method_not_allowed(m)),
        }
        Ok(self.state())
    }
}
