//! Kubernetes Events as kubectl shows them, for both forms a cluster holds: legacy core/v1
//! events (`firstTimestamp`/`lastTimestamp`/`count`) and events written through
//! events.k8s.io/v1 (`eventTime`, `series{count,lastObservedTime}`, `reportingController`
//! — read as core/v1 they have no `lastTimestamp` and no `count`). The rules are kubectl's
//! (`pkg/describe/describe.go` DescribeEvents, `pkg/cmd/events`). Pure.

use jiff::Timestamp;
use k8s_openapi::api::core::v1::Event;

use super::duration::human_duration;

fn since(t: Option<Timestamp>, now: Timestamp) -> String {
    t.map_or_else(
        || "<unknown>".into(),
        |t| human_duration(now.duration_since(t)),
    )
}

fn event_time(e: &Event) -> Option<Timestamp> {
    e.event_time.as_ref().map(|t| t.0)
}

fn series(e: &Event) -> Option<(i32, Option<Timestamp>)> {
    e.series.as_ref().map(|s| {
        (
            s.count.unwrap_or(0),
            s.last_observed_time.as_ref().map(|t| t.0),
        )
    })
}

/// kubectl describe's Age column: `12s (x3 over 5m)` for a repeated event (from its
/// series, else its count), else the time since it first happened; `<unknown>` when the
/// event carries no time at all.
pub fn age(e: &Event, now: Timestamp) -> String {
    let first = match event_time(e) {
        Some(t) => since(Some(t), now),
        None => since(e.first_timestamp.as_ref().map(|t| t.0), now),
    };
    if let Some((count, last)) = series(e) {
        return format!("{} (x{count} over {first})", since(last, now));
    }
    match e.count {
        Some(count) if count > 1 => format!(
            "{} (x{count} over {first})",
            since(e.last_timestamp.as_ref().map(|t| t.0), now)
        ),
        _ => first,
    }
}

/// When the event last happened (kubectl events' order): the series' last observation,
/// else `lastTimestamp`, else `eventTime`.
pub fn last_seen(e: &Event) -> Option<Timestamp> {
    series(e)
        .and_then(|(_, t)| t)
        .or_else(|| e.last_timestamp.as_ref().map(|t| t.0))
        .or_else(|| event_time(e))
}

/// How many times it happened: the series' count, else `count`, else once.
pub fn count(e: &Event) -> i32 {
    series(e)
        .map(|(c, _)| c)
        .or(e.count)
        .filter(|c| *c > 0)
        .unwrap_or(1)
}

/// kubectl describe's From column: the legacy source component, else the reporting
/// controller (core/v1 `reportingComponent`).
pub fn from(e: &Event) -> &str {
    e.source
        .as_ref()
        .and_then(|s| s.component.as_deref())
        .filter(|c| !c.is_empty())
        .or(e.reporting_component.as_deref())
        .unwrap_or("")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn ev(v: serde_json::Value) -> Event {
        serde_json::from_value(v).unwrap()
    }

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn new_style_events_read_their_series_like_kubectl() {
        // As a core/v1 GET shows an event the scheduler wrote through events.k8s.io.
        let e = ev(serde_json::json!({
            "metadata": {"name": "web-0.18a2"}, "involvedObject": {"name": "web-0"},
            "reason": "FailedScheduling", "type": "Warning", "source": {},
            "firstTimestamp": null, "lastTimestamp": null,
            "eventTime": "2026-08-20T10:01:02.000000Z",
            "series": {"count": 3, "lastObservedTime": "2026-08-20T10:05:50.000000Z"},
            "action": "Scheduling", "reportingComponent": "default-scheduler", "reportingInstance": "default-scheduler-cp-1"
        }));
        let now = at("2026-08-20T10:06:02Z");
        assert_eq!(age(&e, now), "12s (x3 over 5m)");
        assert_eq!(count(&e), 3);
        assert_eq!(from(&e), "default-scheduler");
        assert_eq!(last_seen(&e), Some(at("2026-08-20T10:05:50Z")));
        // A singleton new-style event: its eventTime, once.
        let mut single = e.clone();
        single.series = None;
        assert_eq!(age(&single, now), "5m");
        assert_eq!(count(&single), 1);
    }

    #[test]
    fn legacy_events_keep_their_count_and_timestamps() {
        let e = ev(serde_json::json!({
            "metadata": {"name": "x"}, "involvedObject": {"name": "p"}, "count": 12,
            "firstTimestamp": "2026-11-21T09:00:00Z", "lastTimestamp": "2026-11-21T09:59:00Z",
            "source": {"component": "kubelet"}, "reportingComponent": "kubelet"
        }));
        let now = at("2026-11-21T10:00:00Z");
        assert_eq!(age(&e, now), "60s (x12 over 60m)");
        assert_eq!(count(&e), 12);
        assert_eq!(from(&e), "kubelet");
        let bare = ev(serde_json::json!({"metadata": {"name": "y"}, "involvedObject": {}}));
        assert_eq!(age(&bare, now), "<unknown>");
    }
}
