//! kubectl-exact pod READY / STATUS / RESTARTS columns: a port of `printPod` in kubernetes
//! `pkg/printers/internalversion/printers.go` (the same code the API server runs to answer
//! `Accept: application/json;as=Table`). It owns only that derivation from a `Pod` object;
//! it must not do I/O or read the clock (the RESTARTS age takes `now` from the caller).

use jiff::Timestamp;
use k8s_openapi::api::core::v1::{ContainerStatus, Pod, PodCondition};

use crate::duration::human_duration;

/// `k8s.io/kubernetes/pkg/util/node.NodeUnreachablePodReason`: the node controller sets it
/// on pods of a node it lost; kubectl then prints `Unknown` instead of `Terminating`.
const NODE_UNREACHABLE_POD_REASON: &str = "NodeLost";
/// `core/v1.PodReasonSchedulingGated`, carried on the PodScheduled condition.
const POD_REASON_SCHEDULING_GATED: &str = "SchedulingGated";

/// The three kubectl pod columns as values; the `*_column` methods render the cells.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PodColumns {
    /// Ready app containers plus started-and-ready sidecars.
    pub ready: u32,
    /// `spec.containers` plus sidecars (init containers with `restartPolicy: Always`).
    pub total: u32,
    /// The STATUS cell, e.g. `Running`, `CrashLoopBackOff`, `Init:1/3`, `Terminating`.
    pub status: String,
    /// Sum of the restart counts kubectl counts (see `pod_columns`).
    pub restarts: u32,
    /// Latest `lastState.terminated.finishedAt` among the counted containers.
    pub last_restart: Option<Timestamp>,
}

impl PodColumns {
    /// The READY cell, e.g. `1/2`.
    pub fn ready_column(&self) -> String {
        format!("{}/{}", self.ready, self.total)
    }

    /// The RESTARTS cell: `7 (2m3s ago)` when there were restarts and one of them has a
    /// finish time, otherwise just the count (`0`, or `3` if no finish time is known).
    pub fn restarts_column(&self, now: Timestamp) -> String {
        match self.last_restart {
            Some(at) if self.restarts != 0 => {
                format!(
                    "{} ({} ago)",
                    self.restarts,
                    human_duration(now.duration_since(at))
                )
            }
            _ => self.restarts.to_string(),
        }
    }
}

/// Computes READY / STATUS / RESTARTS for `pod` the way `kubectl get pods` does.
///
/// The order of the rules matters and mirrors `printPod` line by line:
/// 1. STATUS starts as `status.reason` (e.g. `Evicted`) or else `status.phase`; a
///    `PodScheduled` condition with reason `SchedulingGated` overrides it.
/// 2. Init container statuses are walked in order; the first one that is not finished
///    (and is not a started sidecar) sets `Init:…` and stops the walk.
/// 3. Unless an init container is still blocking (and the pod is not already
///    `Initialized=True`), app containers are walked *last to first*, so the first
///    container's waiting/terminated reason wins.
/// 4. With a deletion timestamp, STATUS becomes `Unknown` if `status.reason` is `NodeLost`
///    (whatever the phase), else `Terminating` unless the pod is already
///    `Succeeded`/`Failed`.
pub fn pod_columns(pod: &Pod) -> PodColumns {
    let spec = pod.spec.as_ref();
    let status = pod.status.as_ref();
    let init_specs = spec
        .and_then(|s| s.init_containers.as_deref())
        .unwrap_or_default();
    let conditions = status
        .and_then(|s| s.conditions.as_deref())
        .unwrap_or_default();
    let init_statuses = status
        .and_then(|s| s.init_container_statuses.as_deref())
        .unwrap_or_default();
    let app_statuses = status
        .and_then(|s| s.container_statuses.as_deref())
        .unwrap_or_default();

    // Go's `int` arithmetic; i64 cannot overflow on i32 restart counts summed over a pod.
    let mut restarts: i64 = 0;
    let mut sidecar_restarts: i64 = 0;
    let mut ready: usize = 0;
    let mut last_restart: Option<Timestamp> = None;
    let mut last_sidecar_restart: Option<Timestamp> = None;

    let phase = status.and_then(|s| s.phase.as_deref()).unwrap_or_default();
    let status_reason = status.and_then(|s| s.reason.as_deref()).unwrap_or_default();
    let mut reason = if status_reason.is_empty() {
        phase.to_string()
    } else {
        status_reason.to_string()
    };
    if conditions.iter().any(|c| {
        c.type_ == "PodScheduled" && c.reason.as_deref() == Some(POD_REASON_SCHEDULING_GATED)
    }) {
        reason = POD_REASON_SCHEDULING_GATED.to_string();
    }

    // Sidecars count towards the total whether or not they have a status yet.
    let sidecar_count = init_specs
        .iter()
        .filter(|c| c.restart_policy.as_deref() == Some("Always"))
        .count();
    let total = spec.map_or(0, |s| s.containers.len()) + sidecar_count;

    // Status entries are matched to the spec by name, as kubectl does; a status with no
    // matching spec entry is treated as an ordinary init container.
    let is_sidecar = |name: &str| {
        init_specs
            .iter()
            .any(|c| c.name == name && c.restart_policy.as_deref() == Some("Always"))
    };

    let mut initializing = false;
    for (i, c) in init_statuses.iter().enumerate() {
        let sidecar = is_sidecar(&c.name);
        restarts += i64::from(c.restart_count);
        bump_latest(&mut last_restart, last_finished_at(c));
        if sidecar {
            sidecar_restarts += i64::from(c.restart_count);
            bump_latest(&mut last_sidecar_restart, last_finished_at(c));
        }

        let state = c.state.as_ref();
        let terminated = state.and_then(|s| s.terminated.as_ref());
        let waiting_reason = state
            .and_then(|s| s.waiting.as_ref())
            .and_then(|w| w.reason.as_deref())
            .unwrap_or_default();

        if terminated.is_some_and(|t| t.exit_code == 0) {
            // Finished successfully: look at the next init container.
            continue;
        }
        if sidecar && c.started == Some(true) {
            // A running sidecar does not block initialization.
            if c.ready {
                ready += 1;
            }
            continue;
        }
        if let Some(t) = terminated {
            // Initialization failed.
            let t_reason = t.reason.as_deref().unwrap_or_default();
            let signal = t.signal.unwrap_or(0);
            reason = if !t_reason.is_empty() {
                format!("Init:{t_reason}")
            } else if signal != 0 {
                format!("Init:Signal:{signal}")
            } else {
                format!("Init:ExitCode:{}", t.exit_code)
            };
        } else if !waiting_reason.is_empty() && waiting_reason != "PodInitializing" {
            reason = format!("Init:{waiting_reason}");
        } else {
            // Running (or waiting with no useful reason): show progress. N is the index of
            // the *status* entry, M the number of init containers in the spec.
            reason = format!("Init:{i}/{}", init_specs.len());
        }
        initializing = true;
        break;
    }

    if !initializing || is_initialized(conditions) {
        // App containers decide; init restarts no longer count, except sidecars' (they
        // keep running alongside the app containers).
        restarts = sidecar_restarts;
        last_restart = last_sidecar_restart;
        let mut has_running = false;
        for c in app_statuses.iter().rev() {
            restarts += i64::from(c.restart_count);
            bump_latest(&mut last_restart, last_finished_at(c));

            let state = c.state.as_ref();
            let waiting_reason = state
                .and_then(|s| s.waiting.as_ref())
                .and_then(|w| w.reason.as_deref())
                .unwrap_or_default();
            let terminated = state.and_then(|s| s.terminated.as_ref());
            let running = state.is_some_and(|s| s.running.is_some());

            if !waiting_reason.is_empty() {
                reason = waiting_reason.to_string();
            } else if let Some(t) = terminated {
                let t_reason = t.reason.as_deref().unwrap_or_default();
                let signal = t.signal.unwrap_or(0);
                reason = if !t_reason.is_empty() {
                    t_reason.to_string()
                } else if signal != 0 {
                    format!("Signal:{signal}")
                } else {
                    format!("ExitCode:{}", t.exit_code)
                };
            } else if c.ready && running {
                has_running = true;
                ready += 1;
            }
        }

        // One container exited 0 while another still runs (e.g. a finished helper next to
        // a server): kubectl reports the pod by its Ready condition, not "Completed".
        if reason == "Completed" && has_running {
            reason = if has_ready_condition(conditions) {
                "Running".to_string()
            } else {
                "NotReady".to_string()
            };
        }
    }

    let deleting = pod.metadata.deletion_timestamp.is_some();
    if deleting && status_reason == NODE_UNREACHABLE_POD_REASON {
        reason = "Unknown".to_string();
    } else if deleting && phase != "Succeeded" && phase != "Failed" {
        reason = "Terminating".to_string();
    }

    PodColumns {
        ready: saturate_u32(ready),
        total: saturate_u32(total),
        status: reason,
        // Negative restart counts are invalid API data; show them as 0 rather than wrap.
        restarts: u32::try_from(restarts.max(0)).unwrap_or(u32::MAX),
        last_restart,
    }
}

fn saturate_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// `lastState.terminated.finishedAt`, the moment of the container's previous exit.
fn last_finished_at(c: &ContainerStatus) -> Option<Timestamp> {
    c.last_state
        .as_ref()
        .and_then(|s| s.terminated.as_ref())
        .and_then(|t| t.finished_at.as_ref())
        .map(|t| t.0)
}

/// Keeps the later of the two, like Go's `if last.Before(&t) { last = t }` starting from the
/// zero time (a missing `finishedAt` is Go's zero time, which never wins).
fn bump_latest(latest: &mut Option<Timestamp>, candidate: Option<Timestamp>) {
    if let Some(t) = candidate
        && latest.is_none_or(|l| l < t)
    {
        *latest = Some(t);
    }
}

/// kubectl's `isPodInitializedConditionTrue`: only the *first* `Initialized` condition is
/// consulted.
fn is_initialized(conditions: &[PodCondition]) -> bool {
    conditions
        .iter()
        .find(|c| c.type_ == "Initialized")
        .is_some_and(|c| c.status == "True")
}

/// kubectl's `hasPodReadyCondition`: any `Ready=True` condition.
fn has_ready_condition(conditions: &[PodCondition]) -> bool {
    conditions
        .iter()
        .any(|c| c.type_ == "Ready" && c.status == "True")
}

#[cfg(test)]
#[allow(clippy::expect_used)] // test fixtures are hand-written JSON; a bad one should fail loudly
mod tests {
    use super::{PodColumns, pod_columns};
    use jiff::Timestamp;
    use k8s_openapi::api::core::v1::Pod;
    use serde_json::{Value, json};

    const NOW: &str = "2026-08-20T10:00:00Z";

    fn now() -> Timestamp {
        NOW.parse().expect("valid timestamp")
    }

    fn pod(v: Value) -> Pod {
        serde_json::from_value(v).expect("valid Pod JSON")
    }

    /// (READY, STATUS, RESTARTS) as kubectl prints them at `NOW`.
    fn cells(p: &Pod) -> (String, String, String) {
        let c: PodColumns = pod_columns(p);
        (c.ready_column(), c.status.clone(), c.restarts_column(now()))
    }

    fn expect(p: &Pod, ready: &str, status: &str, restarts: &str) {
        assert_eq!(
            cells(p),
            (ready.to_string(), status.to_string(), restarts.to_string())
        );
    }

    fn meta(name: &str) -> Value {
        json!({"name": name, "namespace": "lake", "creationTimestamp": "2026-08-20T08:00:00Z"})
    }

    fn conditions(initialized: bool, ready: bool) -> Value {
        let b = |v: bool| if v { "True" } else { "False" };
        json!([
            {"type": "PodReadyToStartContainers", "status": "True"},
            {"type": "Initialized", "status": b(initialized)},
            {"type": "Ready", "status": b(ready)},
            {"type": "ContainersReady", "status": b(ready)},
            {"type": "PodScheduled", "status": "True"}
        ])
    }

    fn running(name: &str, ready: bool, restarts: i32) -> Value {
        json!({
            "name": name, "image": format!("{name}:1"), "imageID": "", "ready": ready,
            "restartCount": restarts, "started": true,
            "state": {"running": {"startedAt": "2026-08-20T08:00:05Z"}}
        })
    }

    #[test]
    fn running_single_container() {
        let p = pod(json!({
            "metadata": meta("trino-coordinator-0"),
            "spec": {"containers": [{"name": "trino", "image": "trinodb/trino:475"}]},
            "status": {
                "phase": "Running", "conditions": conditions(true, true),
                "containerStatuses": [running("trino", true, 0)]
            }
        }));
        expect(&p, "1/1", "Running", "0");
    }

    #[test]
    fn running_but_one_container_not_ready() {
        let p = pod(json!({
            "metadata": meta("minio-0"),
            "spec": {"containers": [{"name": "minio"}, {"name": "exporter"}]},
            "status": {
                "phase": "Running", "conditions": conditions(true, false),
                "containerStatuses": [running("exporter", false, 0), running("minio", true, 0)]
            }
        }));
        expect(&p, "1/2", "Running", "0");
    }

    #[test]
    fn pending_without_any_statuses() {
        let p = pod(json!({
            "metadata": meta("spark-driver"),
            "spec": {"containers": [{"name": "driver"}]},
            "status": {
                "phase": "Pending",
                "conditions": [{"type": "PodScheduled", "status": "False",
                                "reason": "Unschedulable",
                                "message": "0/3 nodes are available: 3 Insufficient cpu."}]
            }
        }));
        expect(&p, "0/1", "Pending", "0");
    }

    #[test]
    fn pod_with_no_status_at_all() {
        let p = pod(json!({
            "metadata": meta("just-created"),
            "spec": {"containers": [{"name": "app"}, {"name": "proxy"}]}
        }));
        expect(&p, "0/2", "", "0");
    }

    #[test]
    fn scheduling_gated() {
        let p = pod(json!({
            "metadata": meta("gated"),
            "spec": {"containers": [{"name": "app"}], "schedulingGates": [{"name": "example.com/quota"}]},
            "status": {
                "phase": "Pending",
                "conditions": [{"type": "PodScheduled", "status": "False",
                                "reason": "SchedulingGated",
                                "message": "Scheduling is blocked due to non-empty scheduling gates"}]
            }
        }));
        expect(&p, "0/1", "SchedulingGated", "0");
    }

    #[test]
    fn container_creating() {
        let p = pod(json!({
            "metadata": meta("hive-metastore-7d9f"),
            "spec": {"containers": [{"name": "metastore"}]},
            "status": {
                "phase": "Pending", "conditions": conditions(true, false),
                "containerStatuses": [{
                    "name": "metastore", "image": "apache/hive:4.0.1", "imageID": "",
                    "ready": false, "restartCount": 0, "started": false,
                    "state": {"waiting": {"reason": "ContainerCreating"}}
                }]
            }
        }));
        expect(&p, "0/1", "ContainerCreating", "0");
    }

    #[test]
    fn image_pull_backoff() {
        let p = pod(json!({
            "metadata": meta("kafka-ui"),
            "spec": {"containers": [{"name": "ui"}]},
            "status": {
                "phase": "Pending", "conditions": conditions(true, false),
                "containerStatuses": [{
                    "name": "ui", "image": "provectuslabs/kafka-ui:nope", "imageID": "",
                    "ready": false, "restartCount": 0, "started": false,
                    "state": {"waiting": {"reason": "ImagePullBackOff",
                                          "message": "Back-off pulling image \"provectuslabs/kafka-ui:nope\""}}
                }]
            }
        }));
        expect(&p, "0/1", "ImagePullBackOff", "0");
    }

    #[test]
    fn crash_loop_backoff_with_restart_age() {
        let p = pod(json!({
            "metadata": meta("trino-worker-1"),
            "spec": {"containers": [{"name": "trino"}]},
            "status": {
                "phase": "Running", "conditions": conditions(true, false),
                "containerStatuses": [{
                    "name": "trino", "image": "trinodb/trino:475", "imageID": "",
                    "ready": false, "restartCount": 7, "started": false,
                    "state": {"waiting": {"reason": "CrashLoopBackOff",
                                          "message": "back-off 5m0s restarting failed container"}},
                    "lastState": {"terminated": {"exitCode": 1, "reason": "Error",
                                                 "startedAt": "2026-08-20T09:57:40Z",
                                                 "finishedAt": "2026-08-20T09:57:57Z"}}
                }]
            }
        }));
        expect(&p, "0/1", "CrashLoopBackOff", "7 (2m3s ago)");
        let c = pod_columns(&p);
        assert_eq!(c.restarts, 7);
        assert_eq!(
            c.last_restart,
            Some("2026-08-20T09:57:57Z".parse().expect("ts"))
        );
    }

    #[test]
    fn oom_killed() {
        let p = pod(json!({
            "metadata": meta("spark-exec-3"),
            "spec": {"containers": [{"name": "executor"}], "restartPolicy": "Never"},
            "status": {
                "phase": "Failed", "conditions": conditions(true, false),
                "containerStatuses": [{
                    "name": "executor", "image": "spark:3.5", "imageID": "",
                    "ready": false, "restartCount": 0, "started": false,
                    "state": {"terminated": {"exitCode": 137, "reason": "OOMKilled",
                                             "startedAt": "2026-08-20T09:00:00Z",
                                             "finishedAt": "2026-08-20T09:30:00Z"}}
                }]
            }
        }));
        expect(&p, "0/1", "OOMKilled", "0");
    }

    #[test]
    fn completed_job_pod() {
        let p = pod(json!({
            "metadata": meta("compaction-29771520-x2k4q"),
            "spec": {"containers": [{"name": "compact"}], "restartPolicy": "OnFailure"},
            "status": {
                "phase": "Succeeded", "conditions": conditions(true, false),
                "containerStatuses": [{
                    "name": "compact", "image": "lake/compact:2", "imageID": "",
                    "ready": false, "restartCount": 0, "started": false,
                    "state": {"terminated": {"exitCode": 0, "reason": "Completed",
                                             "startedAt": "2026-08-20T09:00:00Z",
                                             "finishedAt": "2026-08-20T09:04:00Z"}}
                }]
            }
        }));
        expect(&p, "0/1", "Completed", "0");
    }

    fn completed_next_to_running(ready_condition: bool) -> Pod {
        pod(json!({
            "metadata": meta("loader"),
            "spec": {"containers": [{"name": "server"}, {"name": "seed"}]},
            "status": {
                "phase": "Running", "conditions": conditions(true, ready_condition),
                "containerStatuses": [
                    running("server", true, 0),
                    {
                        "name": "seed", "image": "seed:1", "imageID": "",
                        "ready": false, "restartCount": 0, "started": false,
                        "state": {"terminated": {"exitCode": 0, "reason": "Completed",
                                                 "finishedAt": "2026-08-20T08:01:00Z"}}
                    }
                ]
            }
        }))
    }

    #[test]
    fn completed_container_beside_running_one_with_ready_pod_is_running() {
        expect(&completed_next_to_running(true), "1/2", "Running", "0");
    }

    #[test]
    fn completed_container_beside_running_one_without_ready_pod_is_not_ready() {
        expect(&completed_next_to_running(false), "1/2", "NotReady", "0");
    }

    #[test]
    fn error_exit() {
        let p = pod(json!({
            "metadata": meta("backfill-abc"),
            "spec": {"containers": [{"name": "backfill"}], "restartPolicy": "Never"},
            "status": {
                "phase": "Failed", "conditions": conditions(true, false),
                "containerStatuses": [{
                    "name": "backfill", "image": "backfill:1", "imageID": "",
                    "ready": false, "restartCount": 0, "started": false,
                    "state": {"terminated": {"exitCode": 1, "reason": "Error",
                                             "finishedAt": "2026-08-20T09:10:00Z"}}
                }]
            }
        }));
        expect(&p, "0/1", "Error", "0");
    }

    #[test]
    fn exit_code_and_signal_without_reason() {
        let terminated = |state: Value| {
            pod(json!({
                "metadata": meta("raw-runtime"),
                "spec": {"containers": [{"name": "app"}]},
                "status": {
                    "phase": "Running", "conditions": conditions(true, false),
                    "containerStatuses": [{
                        "name": "app", "image": "app:1", "imageID": "",
                        "ready": false, "restartCount": 0, "state": {"terminated": state}
                    }]
                }
            }))
        };
        expect(
            &terminated(json!({"exitCode": 3})),
            "0/1",
            "ExitCode:3",
            "0",
        );
        expect(
            &terminated(json!({"exitCode": 137, "signal": 9})),
            "0/1",
            "Signal:9",
            "0",
        );
    }

    #[test]
    fn first_container_reason_wins() {
        // Containers are walked last-to-first, so the first container's reason is the one
        // left standing; restarts and their latest time span all containers.
        let p = pod(json!({
            "metadata": meta("two-broken"),
            "spec": {"containers": [{"name": "app"}, {"name": "sidecar-proxy"}]},
            "status": {
                "phase": "Running", "conditions": conditions(true, false),
                "containerStatuses": [
                    {
                        "name": "app", "image": "app:1", "imageID": "", "ready": false,
                        "restartCount": 4,
                        "state": {"waiting": {"reason": "CrashLoopBackOff"}},
                        "lastState": {"terminated": {"exitCode": 2, "reason": "Error",
                                                     "finishedAt": "2026-08-20T09:50:00Z"}}
                    },
                    {
                        "name": "sidecar-proxy", "image": "envoy:bad", "imageID": "", "ready": false,
                        "restartCount": 1,
                        "state": {"waiting": {"reason": "ImagePullBackOff"}},
                        "lastState": {"terminated": {"exitCode": 1, "reason": "Error",
                                                     "finishedAt": "2026-08-20T09:58:30Z"}}
                    }
                ]
            }
        }));
        expect(&p, "0/2", "CrashLoopBackOff", "5 (90s ago)");
    }

    #[test]
    fn restarts_without_finish_time_print_bare_count() {
        let p = pod(json!({
            "metadata": meta("old-restarts"),
            "spec": {"containers": [{"name": "app"}]},
            "status": {
                "phase": "Running", "conditions": conditions(true, true),
                "containerStatuses": [running("app", true, 3)]
            }
        }));
        expect(&p, "1/1", "Running", "3");
    }

    fn three_inits(statuses: Value) -> Pod {
        pod(json!({
            "metadata": meta("kafka-connect-0"),
            "spec": {
                "initContainers": [{"name": "wait-kafka"}, {"name": "fetch-plugins"}, {"name": "render-config"}],
                "containers": [{"name": "connect"}]
            },
            "status": {
                "phase": "Pending", "conditions": conditions(false, false),
                "initContainerStatuses": statuses,
                "containerStatuses": [{
                    "name": "connect", "image": "connect:1", "imageID": "", "ready": false,
                    "restartCount": 0, "state": {"waiting": {"reason": "PodInitializing"}}
                }]
            }
        }))
    }

    fn init_done(name: &str) -> Value {
        json!({
            "name": name, "image": "busybox", "imageID": "", "ready": true, "restartCount": 0,
            "state": {"terminated": {"exitCode": 0, "reason": "Completed",
                                     "finishedAt": "2026-08-20T08:00:10Z"}}
        })
    }

    fn init_waiting(name: &str, reason: &str) -> Value {
        json!({
            "name": name, "image": "busybox", "imageID": "", "ready": false, "restartCount": 0,
            "state": {"waiting": {"reason": reason}}
        })
    }

    #[test]
    fn init_progress_counts_finished_init_containers() {
        let p = three_inits(json!([
            init_done("wait-kafka"),
            running("fetch-plugins", false, 0),
            init_waiting("render-config", "PodInitializing")
        ]));
        expect(&p, "0/1", "Init:1/3", "0");
    }

    #[test]
    fn init_pod_initializing_shows_progress() {
        let p = three_inits(json!([
            init_waiting("wait-kafka", "PodInitializing"),
            init_waiting("fetch-plugins", "PodInitializing"),
            init_waiting("render-config", "PodInitializing")
        ]));
        expect(&p, "0/1", "Init:0/3", "0");
    }

    #[test]
    fn init_crash_loop_counts_init_restarts() {
        let p = three_inits(json!([
            init_done("wait-kafka"),
            {
                "name": "fetch-plugins", "image": "curl", "imageID": "", "ready": false,
                "restartCount": 4,
                "state": {"waiting": {"reason": "CrashLoopBackOff"}},
                "lastState": {"terminated": {"exitCode": 22, "reason": "Error",
                                             "finishedAt": "2026-08-20T09:55:00Z"}}
            },
            init_waiting("render-config", "PodInitializing")
        ]));
        expect(&p, "0/1", "Init:CrashLoopBackOff", "4 (5m ago)");
    }

    #[test]
    fn init_image_pull_backoff() {
        let p = three_inits(json!([init_waiting("wait-kafka", "ImagePullBackOff")]));
        expect(&p, "0/1", "Init:ImagePullBackOff", "0");
    }

    fn failed_init(terminated: Value) -> Pod {
        three_inits(json!([
            init_done("wait-kafka"),
            {
                "name": "fetch-plugins", "image": "curl", "imageID": "", "ready": false,
                "restartCount": 0, "state": {"terminated": terminated}
            }
        ]))
    }

    #[test]
    fn init_error() {
        let p = failed_init(json!({"exitCode": 1, "reason": "Error"}));
        expect(&p, "0/1", "Init:Error", "0");
    }

    #[test]
    fn init_exit_code_without_reason() {
        let p = failed_init(json!({"exitCode": 6}));
        expect(&p, "0/1", "Init:ExitCode:6", "0");
    }

    #[test]
    fn init_signal_without_reason() {
        let p = failed_init(json!({"exitCode": 143, "signal": 15}));
        expect(&p, "0/1", "Init:Signal:15", "0");
    }

    fn reinitialized(app: Value) -> Pod {
        pod(json!({
            "metadata": meta("reinit"),
            "spec": {"initContainers": [{"name": "setup"}], "containers": [{"name": "app"}]},
            "status": {
                "phase": "Running", "conditions": conditions(true, true),
                "initContainerStatuses": [{
                    "name": "setup", "image": "busybox", "imageID": "", "ready": false,
                    "restartCount": 2, "state": {"waiting": {"reason": "PodInitializing"}}
                }],
                "containerStatuses": [app]
            }
        }))
    }

    #[test]
    fn initialized_condition_lets_app_containers_decide() {
        // After a kubelet restart an init status can look unfinished although the pod is
        // already Initialized=True; kubectl then walks the app containers too, and init
        // restarts no longer count.
        let crashing = json!({
            "name": "app", "image": "app:1", "imageID": "", "ready": false,
            "restartCount": 1, "state": {"waiting": {"reason": "CrashLoopBackOff"}}
        });
        expect(&reinitialized(crashing), "0/1", "CrashLoopBackOff", "1");
        // kubectl quirk: a running app container sets no reason, so the "Init:0/1" from the
        // init walk stays, next to a full READY count.
        expect(
            &reinitialized(running("app", true, 0)),
            "1/1",
            "Init:0/1",
            "0",
        );
    }

    fn with_sidecar(sidecar: Value, migrate: Value, app: Value, init_ok: bool) -> Pod {
        pod(json!({
            "metadata": meta("trino-worker-2"),
            "spec": {
                "initContainers": [
                    {"name": "log-shipper", "restartPolicy": "Always"},
                    {"name": "migrate"}
                ],
                "containers": [{"name": "trino"}]
            },
            "status": {
                "phase": if init_ok { "Running" } else { "Pending" },
                "conditions": conditions(init_ok, init_ok),
                "initContainerStatuses": [sidecar, migrate],
                "containerStatuses": [app]
            }
        }))
    }

    #[test]
    fn sidecar_running_counts_in_ready_total_and_restarts() {
        let sidecar = json!({
            "name": "log-shipper", "image": "fluent-bit:3", "imageID": "", "ready": true,
            "restartCount": 2, "started": true,
            "state": {"running": {"startedAt": "2026-08-20T09:00:00Z"}},
            "lastState": {"terminated": {"exitCode": 1, "reason": "Error",
                                         "finishedAt": "2026-08-20T08:59:59Z"}}
        });
        let p = with_sidecar(
            sidecar,
            init_done("migrate"),
            running("trino", true, 1),
            true,
        );
        // Sidecar restarts survive into the app phase; the latest finish time is the
        // sidecar's, 1h0m1s ago -> "60m".
        expect(&p, "2/2", "Running", "3 (60m ago)");
    }

    #[test]
    fn sidecar_started_then_regular_init_running() {
        let sidecar = running("log-shipper", true, 0);
        let app = json!({
            "name": "trino", "image": "trino", "imageID": "", "ready": false,
            "restartCount": 0, "state": {"waiting": {"reason": "PodInitializing"}}
        });
        let p = with_sidecar(sidecar, running("migrate", false, 0), app, false);
        expect(&p, "1/2", "Init:1/2", "0");
    }

    #[test]
    fn sidecar_not_started_yet_blocks_initialization() {
        let sidecar = json!({
            "name": "log-shipper", "image": "fluent-bit:3", "imageID": "", "ready": false,
            "restartCount": 0, "started": false,
            "state": {"running": {"startedAt": "2026-08-20T09:59:58Z"}}
        });
        let app = json!({
            "name": "trino", "image": "trino", "imageID": "", "ready": false,
            "restartCount": 0, "state": {"waiting": {"reason": "PodInitializing"}}
        });
        let p = with_sidecar(
            sidecar,
            init_waiting("migrate", "PodInitializing"),
            app,
            false,
        );
        expect(&p, "0/2", "Init:0/2", "0");
    }

    #[test]
    fn terminating_running_pod() {
        let p = pod(json!({
            "metadata": {"name": "trino-worker-3", "namespace": "lake",
                         "deletionTimestamp": "2026-08-20T09:59:30Z",
                         "deletionGracePeriodSeconds": 30},
            "spec": {"containers": [{"name": "trino"}]},
            "status": {
                "phase": "Running", "conditions": conditions(true, true),
                "containerStatuses": [running("trino", true, 0)]
            }
        }));
        expect(&p, "1/1", "Terminating", "0");
    }

    #[test]
    fn deleting_a_finished_pod_keeps_its_status() {
        let p = pod(json!({
            "metadata": {"name": "done", "namespace": "lake",
                         "deletionTimestamp": "2026-08-20T09:59:30Z"},
            "spec": {"containers": [{"name": "job"}]},
            "status": {
                "phase": "Succeeded", "conditions": conditions(true, false),
                "containerStatuses": [{
                    "name": "job", "image": "job:1", "imageID": "", "ready": false,
                    "restartCount": 0,
                    "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}
                }]
            }
        }));
        expect(&p, "0/1", "Completed", "0");
    }

    #[test]
    fn node_lost_pod_being_deleted_is_unknown() {
        let p = pod(json!({
            "metadata": {"name": "stranded", "namespace": "lake",
                         "deletionTimestamp": "2026-08-20T09:40:00Z"},
            "spec": {"containers": [{"name": "app"}], "nodeName": "node-c"},
            "status": {
                "phase": "Running", "reason": "NodeLost",
                "message": "Node node-c which was running pod stranded is unresponsive",
                "conditions": conditions(true, false),
                "containerStatuses": [running("app", false, 0)]
            }
        }));
        expect(&p, "0/1", "Unknown", "0");
    }

    #[test]
    fn evicted_pod_shows_status_reason() {
        let p = pod(json!({
            "metadata": meta("spark-exec-9"),
            "spec": {"containers": [{"name": "executor"}]},
            "status": {
                "phase": "Failed", "reason": "Evicted",
                "message": "The node was low on resource: ephemeral-storage."
            }
        }));
        expect(&p, "0/1", "Evicted", "0");
    }

    #[test]
    fn evicted_pod_with_terminated_container_shows_container_reason() {
        // kubectl lets a container's terminated reason override status.reason.
        let p = pod(json!({
            "metadata": meta("spark-exec-10"),
            "spec": {"containers": [{"name": "executor"}]},
            "status": {
                "phase": "Failed", "reason": "Evicted",
                "containerStatuses": [{
                    "name": "executor", "image": "spark:3.5", "imageID": "", "ready": false,
                    "restartCount": 0,
                    "state": {"terminated": {"exitCode": 137, "reason": "ContainerStatusUnknown"}}
                }]
            }
        }));
        expect(&p, "0/1", "ContainerStatusUnknown", "0");
    }

    #[test]
    fn restarts_column_formats() {
        let base = PodColumns {
            ready: 1,
            total: 2,
            status: "Running".into(),
            restarts: 0,
            last_restart: Some("2026-08-20T09:00:00Z".parse().expect("ts")),
        };
        assert_eq!(base.ready_column(), "1/2");
        // Zero restarts never shows an age, even with a finish time.
        assert_eq!(base.restarts_column(now()), "0");
        let restarted = PodColumns {
            restarts: 12,
            ..base.clone()
        };
        assert_eq!(restarted.restarts_column(now()), "12 (60m ago)");
        let no_time = PodColumns {
            restarts: 12,
            last_restart: None,
            ..base
        };
        assert_eq!(no_time.restarts_column(now()), "12");
    }
}
