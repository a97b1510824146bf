//! Kubernetes `Event` objects the simulated components emit (Scheduled, Pulled, Started,
//! BackOff, Killing, FailedScheduling, NodeNotReady…), folded as the real recorders fold
//! repeats. Two recorders exist in a real cluster and both are modelled:
//! - the legacy core/v1 one (client-go `tools/record`; the kubelet and the
//!   controller-manager's controllers): `count` grows, `lastTimestamp` moves;
//! - the events.k8s.io/v1 one (client-go `tools/events`; kube-scheduler): `eventTime`,
//!   `action`, `reportingController`/`reportingInstance`, no `count`/`*Timestamp`; the 2nd
//!   occurrence writes `series {count: 2, lastObservedTime}`, later ones only bump the
//!   count in memory, written every 30 minutes and once more when the series has been
//!   quiet for 6 minutes (then forgotten).

use std::collections::{HashMap, HashSet};

use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

use crate::clock::{rfc3339, rfc3339_micro};
use crate::resources::ids;
use crate::store::{Store, str_at};

/// What to record about an object.
pub struct EventSpec {
    pub warning: bool,
    pub reason: &'static str,
    pub message: String,
    pub component: &'static str,
    pub field_path: Option<String>,
    /// Set for components that write through events.k8s.io/v1 (what they did).
    pub action: Option<&'static str>,
}

impl EventSpec {
    pub fn normal(
        reason: &'static str,
        component: &'static str,
        message: impl Into<String>,
    ) -> Self {
        Self {
            warning: false,
            reason,
            message: message.into(),
            component,
            field_path: None,
            action: None,
        }
    }

    pub fn warning(
        reason: &'static str,
        component: &'static str,
        message: impl Into<String>,
    ) -> Self {
        Self {
            warning: true,
            reason,
            message: message.into(),
            component,
            field_path: None,
            action: None,
        }
    }

    /// Recorded through events.k8s.io/v1 (as kube-scheduler does), doing `action`.
    pub fn new_style(mut self, action: &'static str) -> Self {
        self.action = Some(action);
        self
    }

    pub fn at_container(mut self, container: &str) -> Self {
        self.field_path = Some(format!("spec.containers{{{container}}}"));
        self
    }
}

/// client-go `tools/events`: a series is refreshed this often…
const SERIES_REFRESH_SECS: i64 = 30 * 60;
/// …and finished (written a last time, then forgotten) after this long without a repeat.
const SERIES_FINISH_SECS: i64 = 6 * 60;

/// An events.k8s.io event the recorder remembers (client-go's `eventCache`).
struct Series {
    namespace: String,
    name: String,
    event_time: Timestamp,
    /// (count, lastObservedTime) in memory; None until the second occurrence.
    series: Option<(u64, Timestamp)>,
    written: Timestamp,
}

/// Folds repeats. Legacy: (involved uid, reason, message) → event name. New style:
/// (involved uid, type, reason, action, reporting controller) → the cached series.
#[derive(Default)]
pub struct Recorder {
    seen: HashMap<(String, &'static str, String), (String, String)>,
    series: HashMap<(String, bool, &'static str, &'static str, &'static str), Series>,
    /// New-style events this recorder finished: a repeat starts a new event, as a
    /// finished series is gone from client-go's cache too.
    finished: HashSet<(String, String)>,
}

/// kube-scheduler's `reportingInstance`: `<controller>-<hostname>`.
pub fn reporting_instance(controller: &str) -> String {
    format!("{controller}-control-plane-1")
}

/// A new-style event about `involved` as the API server stores it (core/v1 shape: no
/// `count`, null `firstTimestamp`/`lastTimestamp`, empty `source`).
pub fn new_style_event(
    store: &Store,
    involved: &Value,
    spec: &EventSpec,
    action: &str,
    event_time: Timestamp,
    series: Option<(u64, Timestamp)>,
) -> Value {
    let namespace = match str_at(involved, "/metadata/namespace") {
        ns if ns.is_empty() => "default".to_string(),
        ns => ns,
    };
    let involved_name = str_at(involved, "/metadata/name");
    // client-go: `<regarding.name>.<hex UnixNano>`.
    let nanos = event_time.as_nanosecond().max(0) as u128 + u128::from(fastrand::u16(..));
    let mut event = json!({
        "apiVersion": "v1", "kind": "Event",
        "metadata": {"name": format!("{involved_name}.{nanos:x}"), "namespace": namespace},
        "involvedObject": involved_ref(involved, spec),
        "reason": spec.reason, "message": spec.message,
        "type": if spec.warning { "Warning" } else { "Normal" },
        "source": {},
        "firstTimestamp": null, "lastTimestamp": null,
        "eventTime": rfc3339_micro(event_time),
        "action": action,
        "reportingComponent": spec.component,
        "reportingInstance": reporting_instance(spec.component),
    });
    if let Some((count, last)) = series {
        event["series"] = json!({"count": count, "lastObservedTime": rfc3339_micro(last)});
    }
    store.stamp_new(ids::events(), &mut event);
    event
}

fn involved_ref(involved: &Value, spec: &EventSpec) -> Value {
    let mut r = json!({
        "kind": involved["kind"], "apiVersion": involved["apiVersion"],
        "name": str_at(involved, "/metadata/name"), "uid": str_at(involved, "/metadata/uid"),
        "resourceVersion": involved["metadata"]["resourceVersion"],
    });
    if !str_at(involved, "/metadata/namespace").is_empty() {
        r["namespace"] = involved["metadata"]["namespace"].clone();
    }
    if let Some(fp) = &spec.field_path {
        r["fieldPath"] = json!(fp);
    }
    r
}

impl Recorder {
    pub fn record(&mut self, store: &Store, involved: &Value, spec: EventSpec) {
        if let Some(action) = spec.action {
            self.record_new_style(store, involved, spec, action, store.clock.now());
            return;
        }
        let now = rfc3339(store.clock.now());
        let uid = str_at(involved, "/metadata/uid");
        let key = (uid.clone(), spec.reason, spec.message.clone());
        if let Some((ns, name)) = self.seen.get(&key)
            && store
                .update(ids::events(), ns, name, None, |e| {
                    let count = e["count"].as_i64().unwrap_or(1);
                    e["count"] = json!(count + 1);
                    e["lastTimestamp"] = json!(now);
                    Ok(())
                })
                .is_ok()
        {
            return;
        }
        let namespace = match str_at(involved, "/metadata/namespace") {
            ns if ns.is_empty() => "default".to_string(),
            ns => ns,
        };
        let involved_name = str_at(involved, "/metadata/name");
        let name = format!("{involved_name}.{:016x}", fastrand::u64(..));
        let involved_ref = involved_ref(involved, &spec);
        let mut event = json!({
            "apiVersion": "v1", "kind": "Event",
            "metadata": {"name": name, "namespace": namespace},
            "involvedObject": involved_ref,
            "reason": spec.reason, "message": spec.message,
            "type": if spec.warning { "Warning" } else { "Normal" },
            "source": {"component": spec.component},
            "reportingComponent": spec.component,
            "reportingInstance": "",
            "count": 1, "firstTimestamp": now, "lastTimestamp": now, "eventTime": null,
        });
        if spec.component == "kubelet"
            && let Some(node) = involved["spec"]["nodeName"].as_str()
        {
            event["source"]["host"] = json!(node);
        }
        store.stamp_new(ids::events(), &mut event);
        if store.insert(ids::events(), event).is_ok() {
            self.seen.insert(key, (namespace, name));
        }
    }

    /// client-go `tools/events` `recordToSink`: the first occurrence is created, the
    /// second writes `series.count: 2`, later ones count in memory only.
    fn record_new_style(
        &mut self,
        store: &Store,
        involved: &Value,
        spec: EventSpec,
        action: &'static str,
        now: Timestamp,
    ) {
        let key = (
            str_at(involved, "/metadata/uid"),
            spec.warning,
            spec.reason,
            action,
            spec.component,
        );
        if !self.series.contains_key(&key)
            && let Some(adopted) = adopt(store, involved, &spec, action, &self.finished)
        {
            self.series.insert(key.clone(), adopted);
        }
        if let Some(cached) = self.series.get_mut(&key) {
            match cached.series.as_mut() {
                Some((count, last)) => {
                    *count += 1;
                    *last = now;
                }
                None => {
                    cached.series = Some((2, now));
                    write_series(store, cached, now);
                }
            }
            return;
        }
        let event = new_style_event(store, involved, &spec, action, now, None);
        let (namespace, name) = (
            str_at(&event, "/metadata/namespace"),
            str_at(&event, "/metadata/name"),
        );
        if store.insert(ids::events(), event).is_ok() {
            self.series.insert(
                key,
                Series {
                    namespace,
                    name,
                    event_time: now,
                    series: None,
                    written: now,
                },
            );
        }
    }

    /// The broadcaster's timers: refresh running series every 30 minutes; write a series
    /// quiet for 6 minutes a last time and forget it (and forget singletons that old).
    pub fn maintain(&mut self, store: &Store, now: Timestamp) {
        let older =
            |t: Timestamp, secs: i64| now.duration_since(t) >= SignedDuration::from_secs(secs);
        let finished = &mut self.finished;
        self.series.retain(|_, cached| {
            let keep = match cached.series {
                Some((_, last)) if older(last, SERIES_FINISH_SECS) => {
                    write_series(store, cached, now);
                    false
                }
                Some(_) => {
                    if older(cached.written, SERIES_REFRESH_SECS) {
                        write_series(store, cached, now);
                    }
                    true
                }
                None => !older(cached.event_time, SERIES_FINISH_SECS),
            };
            if !keep {
                finished.insert((cached.namespace.clone(), cached.name.clone()));
            }
            keep
        });
    }

    /// Forgets folding state for events that no longer exist (after TTL expiry).
    pub fn forget_missing(&mut self, store: &Store) {
        self.seen
            .retain(|_, (ns, name)| store.get(ids::events(), ns, name).is_some());
        self.series
            .retain(|_, s| store.get(ids::events(), &s.namespace, &s.name).is_some());
        self.finished
            .retain(|(ns, name)| store.get(ids::events(), ns, name).is_some());
    }
}

/// The strategic-merge PATCH `{"series": …}` client-go sends.
fn write_series(store: &Store, cached: &mut Series, now: Timestamp) {
    let Some((count, last)) = cached.series else {
        return;
    };
    let _ = store.update(ids::events(), &cached.namespace, &cached.name, None, |e| {
        e["series"] = json!({"count": count, "lastObservedTime": rfc3339_micro(last)});
        Ok(())
    });
    cached.written = now;
}

/// A series this component was already running when the lab started (the seed wrote it
/// as the scheduler had left it): carry on with it instead of starting a second one.
/// Never one this recorder finished itself.
fn adopt(
    store: &Store,
    involved: &Value,
    spec: &EventSpec,
    action: &str,
    finished: &HashSet<(String, String)>,
) -> Option<Series> {
    let uid = str_at(involved, "/metadata/uid");
    let ns = str_at(involved, "/metadata/namespace");
    let found = store.all(ids::events(), Some(&ns), |e| {
        e.field("involvedObject.uid").as_deref() == Some(uid.as_str())
            && e.field("reason").as_deref() == Some(spec.reason)
    });
    found.iter().find_map(|e| {
        if finished.contains(&(e.namespace.clone(), e.name.clone())) {
            return None;
        }
        let v = e.value();
        if v["action"] != action || v["reportingComponent"] != spec.component {
            return None;
        }
        let event_time: Timestamp = v["eventTime"].as_str()?.parse().ok()?;
        let series = match (
            v["series"]["count"].as_u64(),
            v["series"]["lastObservedTime"].as_str(),
        ) {
            (Some(c), Some(t)) => Some((c, t.parse().ok()?)),
            _ => None,
        };
        Some(Series {
            namespace: e.namespace.clone(),
            name: e.name.clone(),
            event_time,
            series,
            written: series.map_or(event_time, |(_, t)| t),
        })
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::clock::SimClock;

    fn failed(store: &Store) -> Vec<Value> {
        store
            .all(ids::events(), Some("airflow"), |e| {
                e.field("reason").as_deref() == Some("FailedScheduling")
            })
            .iter()
            .map(|e| e.value())
            .collect()
    }

    /// client-go tools/events: 1st occurrence created; 2nd writes series.count 2; later
    /// ones count in memory, written at the 30-minute refresh; after 6 quiet minutes a last
    /// write, and a later repeat starts a new event.
    #[test]
    fn repeated_failed_scheduling_folds_into_a_series_like_the_event_broadcaster() {
        let store = Store::new(SimClock::new(1.0), 100);
        let mut pod = json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "dbt-1", "namespace": "airflow"}, "spec": {"containers": []}});
        store.stamp_new(ids::pods(), &mut pod);
        let t0: Timestamp = "2026-03-01T10:00:00Z".parse().unwrap();
        let at = |secs: i64| t0 + SignedDuration::from_secs(secs);
        let spec = || {
            EventSpec::warning(
                "FailedScheduling",
                "default-scheduler",
                "0/8 nodes are available",
            )
            .new_style("Scheduling")
        };
        let mut rec = Recorder::default();
        rec.record_new_style(&store, &pod, spec(), "Scheduling", at(0));
        let first = failed(&store);
        assert_eq!(first.len(), 1);
        assert_eq!(first[0]["eventTime"], "2026-03-01T10:00:00.000000Z");
        assert!(first[0]["series"].is_null() && first[0].get("count").is_none());
        assert!(first[0]["lastTimestamp"].is_null());
        assert_eq!(
            first[0]["reportingInstance"],
            "default-scheduler-control-plane-1"
        );

        rec.record_new_style(&store, &pod, spec(), "Scheduling", at(30));
        let second = failed(&store);
        assert_eq!(second.len(), 1);
        assert_eq!(second[0]["series"]["count"], 2);
        assert_eq!(
            second[0]["series"]["lastObservedTime"],
            "2026-03-01T10:00:30.000000Z"
        );

        for k in 2..=60 {
            rec.record_new_style(&store, &pod, spec(), "Scheduling", at(30 * k));
            rec.maintain(&store, at(30 * k));
        }
        // Not yet 30 minutes since the last write (at +30 s): the server still says 2.
        assert_eq!(failed(&store)[0]["series"]["count"], 2);
        rec.maintain(&store, at(30 + 1800));
        let refreshed = failed(&store);
        assert_eq!(refreshed[0]["series"]["count"], 61);
        assert_eq!(
            refreshed[0]["series"]["lastObservedTime"],
            "2026-03-01T10:30:00.000000Z"
        );

        // Quiet for 6 minutes: finished; the next occurrence is a new event.
        rec.maintain(&store, at(1800 + 360));
        rec.record_new_style(&store, &pod, spec(), "Scheduling", at(1800 + 400));
        let after = failed(&store);
        assert_eq!(after.len(), 2, "{after:#?}");
        assert!(after.iter().any(|e| e["series"].is_null()));
    }
}
