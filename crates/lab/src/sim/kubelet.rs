//! The simulated kubelet: advances one bound pod through its life by simulated time —
//! ContainerCreating → Running → Ready, crash loops with the kubelet's exponential
//! back-off (10 s doubling to 5 min), Job pods completing, and graceful termination.
//! Pure: takes the pod and the time, returns the new pod and the events to record;
//! `sim` applies them.

use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

use super::events::EventSpec;
use super::pods::{self, RUN_TIME, TROUBLE};
use crate::clock::rfc3339;
use crate::store::str_at;

/// Image pull + container create time of a new pod.
const CREATE_SECS: i64 = 2;
/// Time from container start to passing its readiness probe.
const READY_SECS: i64 = 2;
/// How long a terminating container takes to exit after SIGTERM (capped by its grace period).
const STOP_SECS: i64 = 2;
const BACKOFF_START: i64 = 10;
const BACKOFF_MAX: i64 = 300;

pub enum Step {
    /// Nothing to do now.
    Idle,
    /// Replace the pod with this, recording these events.
    Update(Value, Vec<EventSpec>),
    /// The pod has terminated: remove it.
    Remove,
}

/// A crash-looping container's behaviour, from the pod's trouble annotation.
#[derive(Debug, Clone, PartialEq)]
pub struct Crashloop {
    pub runs_for: i64,
    pub exit_code: i32,
    /// The container never passes its readiness probe between crashes (it fails while
    /// starting, e.g. a refused database password).
    pub never_ready: bool,
}

pub fn trouble_of(pod: &Value) -> Option<Crashloop> {
    let raw = pod["metadata"]["annotations"][TROUBLE].as_str()?;
    let t: Value = serde_json::from_str(raw).ok()?;
    (t["kind"] == "crashloop").then(|| Crashloop {
        runs_for: t["runs_for"].as_i64().unwrap_or(15).max(1),
        exit_code: t["exit_code"]
            .as_i64()
            .and_then(|c| i32::try_from(c).ok())
            .unwrap_or(1),
        never_ready: t["never_ready"] == true,
    })
}

fn ts(v: &Value) -> Option<Timestamp> {
    v.as_str()?.parse().ok()
}

fn secs_since(now: Timestamp, then: Option<Timestamp>) -> i64 {
    then.map_or(i64::MAX, |t| now.duration_since(t).as_secs())
}

fn set_condition(pod: &mut Value, kind: &str, status: bool, now: &str, reason: Option<&str>) {
    let want = if status { "True" } else { "False" };
    let Some(conds) = pod["status"]["conditions"].as_array_mut() else {
        pod["status"]["conditions"] = json!([pods::condition(kind, status, now, reason)]);
        return;
    };
    match conds.iter_mut().find(|c| c["type"] == kind) {
        Some(c) if c["status"] == want => {}
        Some(c) => *c = pods::condition(kind, status, now, reason),
        None => conds.push(pods::condition(kind, status, now, reason)),
    }
}

/// Back-off before restart number `restarts` (the kubelet's CrashLoopBackOff schedule).
pub fn backoff_secs(restarts: i64) -> i64 {
    let exp = (restarts - 1).clamp(0, 10) as u32;
    (BACKOFF_START * 2i64.pow(exp)).min(BACKOFF_MAX)
}

/// Whether every container is running and ready (the steady state needing no kubelet work).
pub fn is_settled(pod: &Value) -> bool {
    if !pod["metadata"]["deletionTimestamp"].is_null() || trouble_of(pod).is_some() {
        return false;
    }
    if matches!(
        pod["status"]["phase"].as_str(),
        Some("Succeeded" | "Failed")
    ) {
        return true;
    }
    if pod["spec"]["restartPolicy"] != "Always" {
        return false; // a running Job pod will complete
    }
    let statuses = pod["status"]["containerStatuses"].as_array();
    let expected = pod["spec"]["containers"].as_array().map_or(0, Vec::len);
    statuses.is_some_and(|s| s.len() == expected && s.iter().all(|c| c["ready"] == true))
        && !str_at(pod, "/spec/nodeName").is_empty()
}

pub fn step(pod: &Value, pod_ip: &dyn Fn() -> String, now: Timestamp) -> Step {
    let now_s = rfc3339(now);
    let name = str_at(pod, "/metadata/name");
    let ns = str_at(pod, "/metadata/namespace");
    let uid = str_at(pod, "/metadata/uid");
    if let Some(deleted) = ts(&pod["metadata"]["deletionTimestamp"]) {
        // NodeLost pods are never cleaned up by their (unreachable) kubelet.
        if pod["status"]["reason"] == "NodeLost" {
            return Step::Idle;
        }
        let grace = pod["metadata"]["deletionGracePeriodSeconds"]
            .as_i64()
            .unwrap_or(30);
        return if secs_since(now, Some(deleted)) >= grace.min(STOP_SECS) {
            Step::Remove
        } else if pod["status"]["containerStatuses"]
            .as_array()
            .is_some_and(|cs| cs.iter().any(|c| c["state"]["running"].is_object()))
            && pod["metadata"]["annotations"]["lab.lakedeck.io/killing"].is_null()
        {
            let mut p = pod.clone();
            p["metadata"]["annotations"]["lab.lakedeck.io/killing"] = json!("true");
            let events = pods::container_names(pod)
                .into_iter()
                .map(|c| {
                    EventSpec::normal("Killing", "kubelet", format!("Stopping container {c}"))
                        .at_container(&c)
                })
                .collect();
            Step::Update(p, events)
        } else {
            Step::Idle
        };
    }
    if matches!(
        pod["status"]["phase"].as_str(),
        Some("Succeeded" | "Failed")
    ) {
        return Step::Idle;
    }
    let containers = pod["spec"]["containers"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let statuses = pod["status"]["containerStatuses"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let scheduled_at = pod["status"]["conditions"]
        .as_array()
        .and_then(|cs| {
            cs.iter()
                .find(|c| c["type"] == "PodScheduled" && c["status"] == "True")
        })
        .and_then(|c| ts(&c["lastTransitionTime"]));

    // Just bound: containers are being created.
    if statuses.is_empty() {
        let mut p = pod.clone();
        let waiting: Vec<Value> = containers
            .iter()
            .map(|c| {
                json!({"name": c["name"], "image": c["image"], "imageID": "", "ready": false, "started": false,
                       "restartCount": 0, "state": {"waiting": {"reason": "ContainerCreating"}}, "lastState": {}})
            })
            .collect();
        p["status"]["containerStatuses"] = json!(waiting);
        p["status"]["startTime"] = json!(now_s);
        p["status"]["hostIP"] = pod["status"]["hostIP"].clone();
        set_condition(&mut p, "PodReadyToStartContainers", false, &now_s, None);
        set_condition(&mut p, "Initialized", true, &now_s, None);
        set_condition(&mut p, "Ready", false, &now_s, Some("ContainersNotReady"));
        set_condition(
            &mut p,
            "ContainersReady",
            false,
            &now_s,
            Some("ContainersNotReady"),
        );
        return Step::Update(p, Vec::new());
    }

    let crash = trouble_of(pod);
    let run_time = pod["metadata"]["annotations"][RUN_TIME]
        .as_str()
        .and_then(|s| s.parse::<i64>().ok());
    let mut p = pod.clone();
    let mut events = Vec::new();
    let mut changed = false;
    let mut new_statuses = Vec::with_capacity(statuses.len());
    for (spec, st) in containers.iter().zip(statuses.iter()) {
        let cname = str_at(spec, "/name");
        let image = str_at(spec, "/image");
        let mut st = st.clone();
        let restarts = st["restartCount"].as_i64().unwrap_or(0);
        let waiting = st["state"]["waiting"]["reason"]
            .as_str()
            .map(str::to_string);
        let started = ts(&st["state"]["running"]["startedAt"]);
        match (waiting.as_deref(), started) {
            (Some("ContainerCreating"), _) if secs_since(now, scheduled_at) >= CREATE_SECS => {
                st = pods::running_status(spec, &now_s, false, restarts);
                events.push(
                    EventSpec::normal(
                        "Pulled",
                        "kubelet",
                        format!("Container image \"{image}\" already present on machine"),
                    )
                    .at_container(&cname),
                );
                events.push(
                    EventSpec::normal("Created", "kubelet", format!("Created container: {cname}"))
                        .at_container(&cname),
                );
                events.push(
                    EventSpec::normal("Started", "kubelet", format!("Started container {cname}"))
                        .at_container(&cname),
                );
                changed = true;
            }
            (Some("CrashLoopBackOff"), _) => {
                let finished = ts(&st["lastState"]["terminated"]["finishedAt"]);
                if secs_since(now, finished) >= backoff_secs(restarts) {
                    let last = st["lastState"].clone();
                    st = pods::running_status(spec, &now_s, false, restarts);
                    st["lastState"] = last;
                    events.push(
                        EventSpec::normal(
                            "Pulled",
                            "kubelet",
                            format!("Container image \"{image}\" already present on machine"),
                        )
                        .at_container(&cname),
                    );
                    events.push(
                        EventSpec::normal(
                            "Started",
                            "kubelet",
                            format!("Started container {cname}"),
                        )
                        .at_container(&cname),
                    );
                    changed = true;
                }
            }
            (None, Some(started)) => {
                let up = now.duration_since(started).as_secs();
                if let Some(c) = crash.as_ref().filter(|c| up >= c.runs_for) {
                    let restarts = restarts + 1;
                    let backoff = backoff_secs(restarts);
                    st["lastState"] = json!({"terminated": {
                        "exitCode": c.exit_code, "reason": "Error", "startedAt": rfc3339(started),
                        "finishedAt": now_s, "containerID": st["containerID"],
                    }});
                    st["state"] = json!({"waiting": {"reason": "CrashLoopBackOff", "message": format!(
                        "back-off {} restarting failed container={cname} pod={name}_{ns}({uid})",
                        lakedeck_model::duration::human_duration(SignedDuration::from_secs(backoff))
                    )}});
                    st["ready"] = json!(false);
                    st["started"] = json!(false);
                    st["restartCount"] = json!(restarts);
                    events.push(EventSpec::warning("BackOff", "kubelet", format!("Back-off restarting failed container {cname} in pod {name}_{ns}({uid})")).at_container(&cname));
                    changed = true;
                } else if let Some(rt) = run_time.filter(|rt| up >= *rt) {
                    let _ = rt;
                    st["state"] = json!({"terminated": {
                        "exitCode": 0, "reason": "Completed", "startedAt": rfc3339(started),
                        "finishedAt": now_s, "containerID": st["containerID"],
                    }});
                    st["ready"] = json!(false);
                    st["started"] = json!(false);
                    changed = true;
                } else if st["ready"] != true
                    && up >= READY_SECS
                    && !crash.as_ref().is_some_and(|c| c.never_ready)
                {
                    st["ready"] = json!(true);
                    changed = true;
                }
            }
            _ => {}
        }
        new_statuses.push(st);
    }
    if !changed {
        return Step::Idle;
    }
    let all_ready = new_statuses.iter().all(|s| s["ready"] == true);
    let all_done = new_statuses
        .iter()
        .all(|s| s["state"]["terminated"]["exitCode"] == 0);
    let any_running = new_statuses
        .iter()
        .any(|s| s["state"]["running"].is_object());
    p["status"]["containerStatuses"] = json!(new_statuses);
    if all_done {
        p["status"]["phase"] = json!("Succeeded");
        set_condition(&mut p, "Ready", false, &now_s, Some("PodCompleted"));
        set_condition(
            &mut p,
            "ContainersReady",
            false,
            &now_s,
            Some("PodCompleted"),
        );
        set_condition(&mut p, "PodReadyToStartContainers", false, &now_s, None);
    } else {
        if any_running && p["status"]["phase"] == "Pending" {
            p["status"]["phase"] = json!("Running");
            set_condition(&mut p, "PodReadyToStartContainers", true, &now_s, None);
        }
        if p["status"]["podIP"].is_null() {
            let ip = pod_ip();
            p["status"]["podIP"] = json!(ip);
            p["status"]["podIPs"] = json!([{"ip": ip}]);
        }
        let reason = (!all_ready).then_some("ContainersNotReady");
        set_condition(&mut p, "Ready", all_ready, &now_s, reason);
        set_condition(&mut p, "ContainersReady", all_ready, &now_s, reason);
    }
    Step::Update(p, events)
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::Pod;
    use lakedeck_model::pod_status::pod_columns;

    fn bound_pod(trouble: Option<&str>) -> Value {
        let mut p = json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "p", "namespace": "n", "uid": "u"},
            "spec": {"nodeName": "node-1", "restartPolicy": "Always", "containers": [{"name": "c", "image": "img:1"}]},
            "status": {"phase": "Pending", "conditions": [{"type": "PodScheduled", "status": "True", "lastTransitionTime": "2026-01-01T00:00:00Z"}]},
        });
        if let Some(t) = trouble {
            p["metadata"]["annotations"] = json!({TROUBLE: t});
        }
        p
    }

    fn status_of(p: &Value) -> String {
        serde_json::from_value::<Pod>(p.clone())
            .map(|pod| pod_columns(&pod).status)
            .unwrap_or_default()
    }

    fn run(mut p: Value, from: &str, secs: i64) -> Value {
        let start: Timestamp = from.parse().unwrap_or(Timestamp::UNIX_EPOCH);
        for s in 0..=secs {
            let now = start
                .checked_add(SignedDuration::from_secs(s))
                .unwrap_or(start);
            match step(&p, &|| "10.0.0.9".to_string(), now) {
                Step::Update(np, _) => p = np,
                Step::Remove => return Value::Null,
                Step::Idle => {}
            }
        }
        p
    }

    #[test]
    fn new_pod_goes_creating_running_ready() {
        let p = run(bound_pod(None), "2026-01-01T00:00:00Z", 0);
        assert_eq!(status_of(&p), "ContainerCreating");
        let p = run(p, "2026-01-01T00:00:02Z", 0);
        assert_eq!(status_of(&p), "Running");
        assert_eq!(p["status"]["containerStatuses"][0]["ready"], false);
        let p = run(p, "2026-01-01T00:00:03Z", 2);
        assert_eq!(p["status"]["containerStatuses"][0]["ready"], true);
        assert!(is_settled(&p));
    }

    #[test]
    fn crashloop_backs_off_and_counts_restarts() {
        let p = run(
            bound_pod(Some(r#"{"kind":"crashloop","runs_for":5,"exit_code":1}"#)),
            "2026-01-01T00:00:00Z",
            8,
        );
        assert_eq!(status_of(&p), "CrashLoopBackOff");
        assert_eq!(p["status"]["containerStatuses"][0]["restartCount"], 1);
        assert_eq!(
            p["status"]["containerStatuses"][0]["lastState"]["terminated"]["reason"],
            "Error"
        );
        // 10 s back-off, then it runs again and crashes again.
        let p = run(p, "2026-01-01T00:00:09Z", 30);
        assert_eq!(p["status"]["containerStatuses"][0]["restartCount"], 2);
        assert!(!is_settled(&p));
        assert_eq!(backoff_secs(1), 10);
        assert_eq!(backoff_secs(3), 40);
        assert_eq!(backoff_secs(20), 300);
    }

    #[test]
    fn terminating_pod_is_removed_after_stop_time() {
        let mut p = run(bound_pod(None), "2026-01-01T00:00:00Z", 6);
        p["metadata"]["deletionTimestamp"] = json!("2026-01-01T00:00:10Z");
        p["metadata"]["deletionGracePeriodSeconds"] = json!(30);
        assert_eq!(status_of(&p), "Terminating");
        assert!(run(p, "2026-01-01T00:00:10Z", 3).is_null());
    }
}
