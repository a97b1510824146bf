//! Series derived from the Kubernetes objects in the lab's store, the way the real
//! exporters derive them: Velero's metrics from its Backup/Schedule/BackupStorageLocation
//! objects, kube-state-metrics' node conditions and container waiting reasons, and the
//! Ready Trino pods the coordinator would count. Reads the store; never writes it.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde_json::Value;

use super::series::Sample;
use crate::resources::ids;
use crate::store::Store;

fn ts(v: &Value) -> Option<f64> {
    v.as_str()?
        .parse::<Timestamp>()
        .ok()
        .map(|t| t.as_millisecond() as f64 / 1000.0)
}

fn pod_ready(p: &Value) -> bool {
    p["metadata"]["deletionTimestamp"].is_null()
        && p["status"]["conditions"].as_array().is_some_and(|cs| {
            cs.iter()
                .any(|c| c["type"] == "Ready" && c["status"] == "True")
        })
}

/// (Ready trino workers, coordinator Ready).
pub fn trino_pods(store: &Store) -> (u32, bool) {
    let mut workers = 0;
    let mut coordinator = false;
    for e in store.all(ids::pods(), Some("trino"), |e| {
        e.labels.get("app.kubernetes.io/name").map(String::as_str) == Some("trino")
    }) {
        let p = e.value();
        if !pod_ready(&p) {
            continue;
        }
        match e
            .labels
            .get("app.kubernetes.io/component")
            .map(String::as_str)
        {
            Some("worker") => workers += 1,
            Some("coordinator") => coordinator = true,
            _ => {}
        }
    }
    (workers, coordinator)
}

/// Seconds between runs of a schedule's cron expression (daily, hourly or every N).
pub fn cron_interval(cron: &str) -> f64 {
    let f: Vec<&str> = cron.split_whitespace().collect();
    match cron.trim() {
        "@hourly" => return 3600.0,
        "@daily" | "@midnight" => return 86_400.0,
        "@weekly" => return 7.0 * 86_400.0,
        _ => {}
    }
    if let Some(every) = cron.trim().strip_prefix("@every ")
        && let Some(d) = crate::scenario::parse_duration(every)
    {
        return d.as_secs_f64();
    }
    match f.as_slice() {
        [m, h, "*", "*", "*"] if m.parse::<u32>().is_ok() && h.parse::<u32>().is_ok() => 86_400.0,
        [m, "*", "*", "*", "*"] if m.parse::<u32>().is_ok() => 3600.0,
        [m, h, "*", "*", _] if m.parse::<u32>().is_ok() && h.parse::<u32>().is_ok() => {
            7.0 * 86_400.0
        }
        _ => 86_400.0,
    }
}

/// Velero's metric series from the store's velero.io objects.
pub fn velero(store: &Store, out: &mut Vec<Sample>) {
    let backups: Vec<Value> = store
        .all(ids::backups(), None, |_| true)
        .iter()
        .map(|e| e.value())
        .collect();
    out.push(Sample::new(
        "velero_backup_total",
        &[],
        backups.len() as f64,
    ));
    // schedule → (attempts, success, partial, failure, last success, newest (start, ok))
    type Stats = (f64, f64, f64, f64, Option<f64>, Option<(f64, bool)>);
    let mut per: BTreeMap<String, Stats> = BTreeMap::new();
    for b in &backups {
        let schedule = b["metadata"]["labels"]["velero.io/schedule-name"]
            .as_str()
            .unwrap_or("")
            .to_string();
        let e = per.entry(schedule).or_default();
        let phase = b["status"]["phase"].as_str().unwrap_or("");
        let started = ts(&b["status"]["startTimestamp"]);
        if started.is_some() {
            e.0 += 1.0;
        }
        match phase {
            "Completed" => {
                e.1 += 1.0;
                if let Some(done) = ts(&b["status"]["completionTimestamp"]) {
                    e.4 = Some(e.4.map_or(done, |x: f64| x.max(done)));
                }
            }
            "PartiallyFailed" => e.2 += 1.0,
            "Failed" | "FailedValidation" => e.3 += 1.0,
            _ => {}
        }
        let terminal = matches!(
            phase,
            "Completed" | "PartiallyFailed" | "Failed" | "FailedValidation"
        );
        if terminal
            && let Some(s) = started
            && e.5.is_none_or(|(t, _)| s > t)
        {
            e.5 = Some((s, phase == "Completed"));
        }
    }
    for s in store.all(ids::by_name("Schedule"), None, |_| true) {
        let v = s.value();
        per.entry(s.name.clone()).or_default();
        out.push(Sample::new(
            "velero_schedule_expected_interval_seconds",
            &[("schedule", s.name.as_str())],
            cron_interval(v["spec"]["schedule"].as_str().unwrap_or("")),
        ));
    }
    for (schedule, (attempts, ok, partial, failed, last_ok, newest)) in &per {
        let l = [("schedule", schedule.as_str())];
        out.push(Sample::new("velero_backup_attempt_total", &l, *attempts));
        out.push(Sample::new("velero_backup_success_total", &l, *ok));
        out.push(Sample::new(
            "velero_backup_partial_failure_total",
            &l,
            *partial,
        ));
        out.push(Sample::new("velero_backup_failure_total", &l, *failed));
        if let Some(t) = last_ok {
            out.push(Sample::new(
                "velero_backup_last_successful_timestamp",
                &l,
                t.floor(),
            ));
        }
        if let Some((_, success)) = newest {
            out.push(Sample::new(
                "velero_backup_last_status",
                &l,
                if *success { 1.0 } else { 0.0 },
            ));
        }
    }
    for bsl in store.all(ids::by_name("BackupStorageLocation"), None, |_| true) {
        let v = bsl.value();
        out.push(Sample::new(
            "velero_backup_location_status_gauge",
            &[("backup_location_name", bsl.name.as_str())],
            if v["status"]["phase"] == "Available" {
                1.0
            } else {
                0.0
            },
        ));
    }
}

/// kube-state-metrics' node conditions and container waiting reasons.
pub fn kube_state(store: &Store, out: &mut Vec<Sample>) {
    for n in store.all(ids::nodes(), None, |_| true) {
        let v = n.value();
        for c in v["status"]["conditions"].as_array().into_iter().flatten() {
            let cond = c["type"].as_str().unwrap_or("");
            let status = c["status"].as_str().unwrap_or("Unknown").to_lowercase();
            for s in ["true", "false", "unknown"] {
                out.push(Sample::new(
                    "kube_node_status_condition",
                    &[
                        ("condition", cond),
                        ("node", n.name.as_str()),
                        ("status", s),
                    ],
                    if s == status { 1.0 } else { 0.0 },
                ));
            }
        }
    }
    for p in store.all(ids::pods(), None, |_| true) {
        let v = p.value();
        for c in v["status"]["containerStatuses"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let container = c["name"].as_str().unwrap_or("");
            let labels = [
                ("container", container),
                ("namespace", p.namespace.as_str()),
                ("pod", p.name.as_str()),
            ];
            out.push(Sample::new(
                "kube_pod_container_status_restarts_total",
                &labels,
                c["restartCount"].as_f64().unwrap_or(0.0),
            ));
            if let Some(reason) = c["state"]["waiting"]["reason"].as_str() {
                out.push(Sample::new(
                    "kube_pod_container_status_waiting_reason",
                    &[
                        ("container", container),
                        ("namespace", p.namespace.as_str()),
                        ("pod", p.name.as_str()),
                        ("reason", reason),
                    ],
                    1.0,
                ));
            }
        }
    }
}

/// Containers crash-looping now or within the last five minutes (restarted recently),
/// which is what `max_over_time(...waiting_reason{reason="CrashLoopBackOff"}[5m])` sees.
pub fn crashlooping(store: &Store, now: f64) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for p in store.all(ids::pods(), None, |_| true) {
        let v = p.value();
        for c in v["status"]["containerStatuses"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let waiting = c["state"]["waiting"]["reason"] == "CrashLoopBackOff";
            let recent = ts(&c["lastState"]["terminated"]["finishedAt"])
                .is_some_and(|f| now - f < 300.0)
                && c["restartCount"].as_f64().unwrap_or(0.0) >= 2.0;
            if waiting || recent {
                out.push((
                    p.namespace.clone(),
                    p.name.clone(),
                    c["name"].as_str().unwrap_or("").to_string(),
                ));
            }
        }
    }
    out
}
