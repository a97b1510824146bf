//! The compact pod row the cockpit keeps instead of whole `Pod` objects, plus the
//! derivations panes need from it: kubectl's READY/STATUS/RESTARTS/AGE cells, the
//! "needs attention" verdict that orders trouble first, and `-l` label matching.
//!
//! A watcher projects each `Pod` into a [`PodRow`] the moment it arrives and drops the
//! object: 100 000 pods must fit in well under 200 MB, so a row holds only what a pane,
//! a filter or the log picker reads, and strings repeated across thousands of pods
//! (namespaces, node names, owners, label keys and values) are shared through an
//! [`Interner`]. This module is pure data: no I/O, no clock (callers pass `now`), no
//! ratatui.

use std::collections::HashSet;
use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};
use k8s_openapi::api::core::v1::{Container, ContainerStateTerminated, ContainerStatus, Pod};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

use crate::duration::human_duration;
use crate::pod_status::{PodColumns, pod_columns};
use crate::quantity::{bytes, cpu_millis};

/// A string shared by every row that mentions it; cloning is a reference-count bump.
pub type Shared = Arc<str>;

/// How long a pod may sit in Pending/ContainerCreating/Init or Terminating before it is
/// a Warning rather than normal churn: long enough that a rollout's pods do not flash
/// yellow, short enough that a stuck pod shows up before anyone asks.
const STUCK_AFTER: SignedDuration = SignedDuration::from_secs(2 * 60);
/// An OOM kill older than this is history, not a current problem.
const RECENT_OOM: SignedDuration = SignedDuration::from_secs(60 * 60);
/// Restart count from which a pod is flapping even if it is Running right now.
const MANY_RESTARTS: u32 = 5;

/// Interns repeated strings: namespaces, node names and owner kinds/names are few but
/// repeated on 100k rows, so each distinct value is stored once and rows hold an `Arc`.
///
/// Entries live as long as the interner; a long-running watcher should call
/// [`Interner::release_unused`] now and then (e.g. after a re-list) so values that only
/// churned through (old `pod-template-hash` labels, finished Job names) are freed.
#[derive(Debug, Default)]
pub struct Interner {
    strings: HashSet<Shared>,
}

impl Interner {
    /// Returns the shared copy of `s`, storing it on first sight.
    pub fn intern(&mut self, s: &str) -> Shared {
        if let Some(existing) = self.strings.get(s) {
            return Arc::clone(existing);
        }
        let shared: Shared = Arc::from(s);
        self.strings.insert(Arc::clone(&shared));
        shared
    }

    /// Number of distinct strings held.
    pub fn len(&self) -> usize {
        self.strings.len()
    }

    /// True when nothing has been interned (or everything was released).
    pub fn is_empty(&self) -> bool {
        self.strings.is_empty()
    }

    /// Drops every string no row refers to any more (the interner's own `Arc` is then the
    /// only one). Rows keep their strings; interning the same value later just stores it
    /// again.
    pub fn release_unused(&mut self) {
        self.strings.retain(|s| Arc::strong_count(s) > 1);
    }
}

/// How urgently a pod needs a human. The declaration order is the sort order, so sorting
/// by `Reverse(severity)` puts trouble first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Ok,
    Info,
    Warning,
    Critical,
}

/// One pod, projected to what the cockpit shows and filters on.
#[derive(Debug, Clone, PartialEq)]
pub struct PodRow {
    pub namespace: Shared,
    pub name: Box<str>,
    pub uid: Box<str>,
    /// READY numerator and denominator, computed as kubectl does (sidecars included).
    pub ready: u32,
    pub total: u32,
    /// kubectl's STATUS cell (`Running`, `CrashLoopBackOff`, `Init:0/2`, `Terminating`…).
    pub status: Box<str>,
    /// kubectl's RESTARTS count and the latest previous-exit time behind "(2m ago)".
    pub restarts: u32,
    pub last_restart: Option<Timestamp>,
    pub node: Option<Shared>,
    /// The controlling owner (e.g. `ReplicaSet`, `trino-worker-7d9f`), else the first one.
    pub owner_kind: Option<Shared>,
    pub owner_name: Option<Shared>,
    pub created: Option<Timestamp>,
    pub ip: Option<Box<str>>,
    /// Labels for `-l` filtering, keys and values interned, in key order.
    pub labels: Box<[(Shared, Shared)]>,
    /// Container names for the log picker: app containers first (the usual choice), then
    /// init containers, sidecars included, because a pod stuck in `Init:Error` is
    /// diagnosed from its init container's log.
    pub containers: Box<[Box<str>]>,
    /// Summed CPU (millicores) and memory (bytes) requests of what runs in steady state:
    /// app containers plus sidecars, or the pod-level `spec.resources` when set. Plain
    /// init containers are left out since they are gone by the time usage is measured.
    pub cpu_request_m: u32,
    pub mem_request: u64,
    /// The most recent *failed* exit across all containers (reason, e.g. `OOMKilled`, and
    /// `finishedAt`): previous runs (`lastState`) and current non-zero exits. Clean exits
    /// (code 0) are skipped so a finished helper cannot hide an OOM kill.
    pub last_termination: Option<(Shared, Timestamp)>,
    /// A deletion was requested (`metadata.deletionTimestamp` is set).
    pub deleting: bool,
    /// When that deletion was requested (`deletionTimestamp − deletionGracePeriodSeconds`),
    /// so "stuck Terminating" is measured from the request, not from the grace deadline.
    pub deleting_since: Option<Timestamp>,
    pub resource_version: Box<str>,
}

impl PodRow {
    /// Projects `pod` to a row, interning repeated strings in `interner`.
    pub fn from_pod(pod: &Pod, interner: &mut Interner) -> PodRow {
        let meta = &pod.metadata;
        let spec = pod.spec.as_ref();
        let status = pod.status.as_ref();
        let PodColumns {
            ready,
            total,
            status: status_cell,
            restarts,
            last_restart,
        } = pod_columns(pod);

        // Prefer the controller: that is what "OWNER" means to someone scaling it.
        let owners = meta.owner_references.as_deref().unwrap_or_default();
        let owner = owners
            .iter()
            .find(|o| o.controller == Some(true))
            .or_else(|| owners.first());

        let labels = meta
            .labels
            .iter()
            .flatten()
            .map(|(k, v)| (interner.intern(k), interner.intern(v)))
            .collect();

        let app = spec.map(|s| s.containers.as_slice()).unwrap_or_default();
        let init = spec
            .and_then(|s| s.init_containers.as_deref())
            .unwrap_or_default();
        let containers = app
            .iter()
            .chain(init)
            .map(|c| Box::from(c.name.as_str()))
            .collect();

        let (cpu_request_m, mem_request) = steady_requests(pod, app, init);

        let statuses = status.into_iter().flat_map(|s| {
            s.init_container_statuses
                .iter()
                .flatten()
                .chain(s.container_statuses.iter().flatten())
        });
        let last_termination =
            latest_failure(statuses).map(|(reason, at)| (interner.intern(&reason), at));

        let deletion = meta.deletion_timestamp.as_ref().map(|t| t.0);
        let deleting_since = deletion.map(|at| {
            let grace = meta.deletion_grace_period_seconds.unwrap_or(0);
            at.checked_sub(SignedDuration::from_secs(grace))
                .unwrap_or(at)
        });

        PodRow {
            namespace: interner.intern(meta.namespace.as_deref().unwrap_or_default()),
            name: boxed(meta.name.as_deref()),
            uid: boxed(meta.uid.as_deref()),
            ready,
            total,
            status: status_cell.into_boxed_str(),
            restarts,
            last_restart,
            node: spec
                .and_then(|s| s.node_name.as_deref())
                .filter(|n| !n.is_empty())
                .map(|n| interner.intern(n)),
            owner_kind: owner.map(|o| interner.intern(&o.kind)),
            owner_name: owner.map(|o| interner.intern(&o.name)),
            created: meta.creation_timestamp.as_ref().map(|t| t.0),
            ip: status
                .and_then(|s| s.pod_ip.as_deref())
                .filter(|ip| !ip.is_empty())
                .map(Box::from),
            labels,
            containers,
            cpu_request_m,
            mem_request,
            last_termination,
            deleting: deletion.is_some(),
            deleting_since,
            resource_version: boxed(meta.resource_version.as_deref()),
        }
    }

    /// The identity a watcher keys rows by: (namespace, name).
    pub fn key(&self) -> (Shared, Box<str>) {
        (Arc::clone(&self.namespace), self.name.clone())
    }

    /// The READY cell, e.g. `1/2`.
    pub fn ready_column(&self) -> String {
        format!("{}/{}", self.ready, self.total)
    }

    /// The RESTARTS cell, e.g. `7 (2m ago)`, by the same rule as kubectl (and
    /// [`PodColumns::restarts_column`], which this delegates to).
    pub fn restarts_column(&self, now: Timestamp) -> String {
        PodColumns {
            ready: self.ready,
            total: self.total,
            // Not read by restarts_column; String::new() does not allocate.
            status: String::new(),
            restarts: self.restarts,
            last_restart: self.last_restart,
        }
        .restarts_column(now)
    }

    /// The AGE cell as kubectl prints it, `<unknown>` without a creation timestamp.
    pub fn age_column(&self, now: Timestamp) -> String {
        match self.created {
            Some(created) => human_duration(now.duration_since(created)),
            None => "<unknown>".to_string(),
        }
    }

    /// Why an on-call engineer should look at this pod, if at all: the highest severity
    /// of the rules that apply and their reasons joined with `", "` (in the order below).
    ///
    /// - `Completed` / `Succeeded`: never trouble, whatever else is true → `None`.
    /// - STATUS is a failure → **Critical**, reason = STATUS: `CrashLoopBackOff`, `Error`,
    ///   `ImagePullBackOff`, `ErrImagePull`, `OOMKilled`, `Unknown`, `Evicted`, any `Init:`
    ///   status other than progress (`Init:1/3`, `Init:ContainerCreating`), and the other
    ///   kubelet failures kubectl can print: `CreateContainerConfigError`,
    ///   `CreateContainerError`, `InvalidImageName`, `ErrImageNeverPull`,
    ///   `RunContainerError`, `ContainerCannotRun`, `StartError`,
    ///   `ContainerStatusUnknown`, `DeadlineExceeded`, `Failed`, `NodeAffinity`,
    ///   `UnexpectedAdmissionError`, `OutOf…`, `ExitCode:N`, `Signal:N`.
    /// - Not started yet (`Pending`, `ContainerCreating`, `PodInitializing`,
    ///   `SchedulingGated`, `Init:N/M`, no status yet) → **Warning** when created more
    ///   than 2 minutes ago (`Pending 5m`), else **Info** (`Pending`).
    /// - `Running` (or kubectl's `NotReady`) with ready < total → **Warning**
    ///   (`not ready 1/2`).
    /// - `Terminating` for more than 2 minutes since the delete request → **Warning**
    ///   (`Terminating 5m`).
    /// - The last failed exit was an OOM kill within the last hour and STATUS is not
    ///   itself `OOMKilled` (i.e. the pod was restarted: Running again, or crash-looping)
    ///   → **Warning** (`OOMKilled 25m ago`).
    /// - 5 or more restarts → **Warning** (`7 restarts`).
    /// - Anything else → `None`.
    pub fn attention(&self, now: Timestamp) -> Option<(Severity, String)> {
        let mut worst: Option<Severity> = None;
        let mut reason = String::new();
        self.for_each_finding(now, |finding| {
            if !reason.is_empty() {
                reason.push_str(", ");
            }
            finding.describe(&mut reason);
            worst = worst.max(Some(finding.severity()));
        });
        worst.map(|severity| (severity, reason))
    }

    /// The severity [`PodRow::attention`] would report (`Ok` when it reports nothing),
    /// without building the reason string: sorting 100k rows calls this.
    pub fn severity(&self, now: Timestamp) -> Severity {
        let mut worst = Severity::Ok;
        self.for_each_finding(now, |finding| worst = worst.max(finding.severity()));
        worst
    }

    /// True when every `(key, Some(value))` label equals `value` and every `(key, None)`
    /// label exists: the equality/existence AND-list the cockpit's `-l` filter accepts.
    /// An empty selector matches every pod.
    pub fn matches_labels(&self, selector: &[(String, Option<String>)]) -> bool {
        selector.iter().all(|(key, wanted)| {
            // Pods carry a handful of labels; a linear scan beats any index here and
            // does not depend on `labels` being sorted.
            let found = self.labels.iter().find(|(k, _)| **k == **key);
            match (found, wanted) {
                (Some((_, value)), Some(wanted)) => **value == **wanted,
                (Some(_), None) => true,
                (None, _) => false,
            }
        })
    }

    /// Evaluates the attention rules in their documented order and hands each one that
    /// applies to `report`. Shared by `attention` and `severity` so they cannot disagree.
    fn for_each_finding(&self, now: Timestamp, mut report: impl FnMut(Finding<'_>)) {
        let status = &*self.status;
        if matches!(status, "Completed" | "Succeeded") {
            return;
        }

        if is_failure(status) {
            report(Finding::Failure(status));
        } else if is_not_started(status) {
            report(Finding::NotStarted {
                status,
                age: self.created.map(|c| now.duration_since(c)),
            });
        } else if status == "Terminating"
            && let Some(since) = self.deleting_since
            && now.duration_since(since) > STUCK_AFTER
        {
            report(Finding::Terminating(now.duration_since(since)));
        }

        if matches!(status, "Running" | "NotReady") && self.ready < self.total {
            report(Finding::NotReady {
                ready: self.ready,
                total: self.total,
            });
        }

        if status != "OOMKilled"
            && let Some((reason, at)) = &self.last_termination
            && &**reason == "OOMKilled"
        {
            let ago = now.duration_since(*at);
            if ago <= RECENT_OOM {
                report(Finding::RecentOom(ago));
            }
        }

        if self.restarts >= MANY_RESTARTS {
            report(Finding::Restarts(self.restarts));
        }
    }
}

/// One attention rule that applied, kept allocation-free until a reason is rendered.
#[derive(Debug, Clone, Copy)]
enum Finding<'a> {
    Failure(&'a str),
    NotStarted {
        status: &'a str,
        age: Option<SignedDuration>,
    },
    NotReady {
        ready: u32,
        total: u32,
    },
    Terminating(SignedDuration),
    RecentOom(SignedDuration),
    Restarts(u32),
}

impl Finding<'_> {
    fn severity(&self) -> Severity {
        match self {
            Finding::Failure(_) => Severity::Critical,
            Finding::NotStarted { age, .. } => match age {
                Some(age) if *age > STUCK_AFTER => Severity::Warning,
                _ => Severity::Info,
            },
            Finding::NotReady { .. }
            | Finding::Terminating(_)
            | Finding::RecentOom(_)
            | Finding::Restarts(_) => Severity::Warning,
        }
    }

    fn describe(&self, out: &mut String) {
        match self {
            Finding::Failure(status) => out.push_str(status),
            Finding::NotStarted { status, age } => {
                // A pod the kubelet has not reported on yet has an empty STATUS.
                out.push_str(if status.is_empty() { "Pending" } else { status });
                // The age is only news once the pod is overdue.
                if let Some(age) = age
                    && *age > STUCK_AFTER
                {
                    out.push(' ');
                    out.push_str(&human_duration(*age));
                }
            }
            Finding::NotReady { ready, total } => {
                out.push_str(&format!("not ready {ready}/{total}"));
            }
            Finding::Terminating(for_) => {
                out.push_str("Terminating ");
                out.push_str(&human_duration(*for_));
            }
            Finding::RecentOom(ago) => {
                out.push_str("OOMKilled ");
                out.push_str(&human_duration(*ago));
                out.push_str(" ago");
            }
            Finding::Restarts(n) => out.push_str(&format!("{n} restarts")),
        }
    }
}

/// STATUS values that mean something is broken now, not merely in progress.
fn is_failure(status: &str) -> bool {
    if let Some(init) = status.strip_prefix("Init:") {
        // Init:N/M and a container still being created are progress; every other Init:
        // reason (Error, CrashLoopBackOff, ImagePullBackOff, ExitCode:…) is a failure.
        return !(is_init_progress(init) || init == "ContainerCreating");
    }
    matches!(
        status,
        "CrashLoopBackOff"
            | "Error"
            | "ImagePullBackOff"
            | "ErrImagePull"
            | "OOMKilled"
            | "Unknown"
            | "Evicted"
            | "CreateContainerConfigError"
            | "CreateContainerError"
            | "InvalidImageName"
            | "ErrImageNeverPull"
            | "RunContainerError"
            | "ContainerCannotRun"
            | "StartError"
            | "ContainerStatusUnknown"
            | "DeadlineExceeded"
            | "Failed"
            | "NodeAffinity"
            | "UnexpectedAdmissionError"
    ) || status.starts_with("ExitCode:")
        || status.starts_with("Signal:")
        // Kubelet admission rejections: OutOfcpu, OutOfmemory, OutOfpods, …
        || status.starts_with("OutOf")
}

/// STATUS values of a pod that has not started its app containers yet.
fn is_not_started(status: &str) -> bool {
    match status.strip_prefix("Init:") {
        Some(init) => is_init_progress(init) || init == "ContainerCreating",
        None => matches!(
            status,
            "" | "Pending" | "ContainerCreating" | "PodInitializing" | "SchedulingGated"
        ),
    }
}

/// kubectl's `Init:N/M` progress form (the part after `Init:`).
fn is_init_progress(s: &str) -> bool {
    let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    s.split_once('/')
        .is_some_and(|(done, of)| digits(done) && digits(of))
}

/// Summed steady-state requests (CPU millicores, memory bytes); see `PodRow::cpu_request_m`.
fn steady_requests(pod: &Pod, app: &[Container], init: &[Container]) -> (u32, u64) {
    let sidecars = init
        .iter()
        .filter(|c| c.restart_policy.as_deref() == Some("Always"));
    let mut cpu: i64 = 0;
    let mut mem: i64 = 0;
    for c in app.iter().chain(sidecars) {
        let requests = c.resources.as_ref().and_then(|r| r.requests.as_ref());
        cpu = cpu.saturating_add(request(requests, "cpu", cpu_millis));
        mem = mem.saturating_add(request(requests, "memory", bytes));
    }
    // Pod-level resources (PodLevelResources feature), when given, are the pod's budget.
    let pod_level = pod
        .spec
        .as_ref()
        .and_then(|s| s.resources.as_ref())
        .and_then(|r| r.requests.as_ref());
    if let Some(requests) = pod_level {
        if requests.contains_key("cpu") {
            cpu = request(Some(requests), "cpu", cpu_millis);
        }
        if requests.contains_key("memory") {
            mem = request(Some(requests), "memory", bytes);
        }
    }
    (
        u32::try_from(cpu.max(0)).unwrap_or(u32::MAX),
        u64::try_from(mem.max(0)).unwrap_or(0),
    )
}

/// One resource from a request map; missing or unparsable quantities count as 0 (a
/// request the API server accepted always parses, so this only guards odd input).
fn request(
    requests: Option<&std::collections::BTreeMap<String, Quantity>>,
    resource: &str,
    parse: fn(&str) -> Option<i64>,
) -> i64 {
    requests
        .and_then(|r| r.get(resource))
        .and_then(|q| parse(&q.0))
        .unwrap_or(0)
}

/// The most recent failed exit among `statuses`: previous runs (`lastState.terminated`)
/// and current terminations, skipping clean exits and ones with no `finishedAt`.
fn latest_failure<'a>(
    statuses: impl Iterator<Item = &'a ContainerStatus>,
) -> Option<(String, Timestamp)> {
    let mut latest: Option<(&ContainerStateTerminated, Timestamp)> = None;
    for c in statuses {
        let previous = c.last_state.as_ref().and_then(|s| s.terminated.as_ref());
        let current = c.state.as_ref().and_then(|s| s.terminated.as_ref());
        for t in previous.into_iter().chain(current) {
            if t.exit_code == 0 {
                continue;
            }
            if let Some(at) = t.finished_at.as_ref().map(|f| f.0)
                && latest.is_none_or(|(_, l)| l < at)
            {
                latest = Some((t, at));
            }
        }
    }
    latest.map(|(t, at)| (termination_reason(t), at))
}

/// A termination's reason as kubectl would word it: the runtime's reason, else the
/// signal, else the exit code.
fn termination_reason(t: &ContainerStateTerminated) -> String {
    match (t.reason.as_deref(), t.signal) {
        (Some(reason), _) if !reason.is_empty() => reason.to_string(),
        (_, Some(signal)) if signal != 0 => format!("Signal:{signal}"),
        _ => format!("ExitCode:{}", t.exit_code),
    }
}

fn boxed(s: Option<&str>) -> Box<str> {
    Box::from(s.unwrap_or_default())
}

#[cfg(test)]
#[allow(clippy::expect_used)] // test fixtures are hand-written JSON; a bad one should fail loudly
mod tests {
    use super::{Interner, PodRow, Severity};
    use jiff::Timestamp;
    use k8s_openapi::api::core::v1::Pod;
    use serde_json::{Value, json};
    use std::sync::Arc;

    const NOW: &str = "2026-08-20T10:00:00Z";

    fn now() -> Timestamp {
        NOW.parse().expect("valid timestamp")
    }

    fn ts(s: &str) -> Timestamp {
        s.parse().expect("valid timestamp")
    }

    fn pod(v: Value) -> Pod {
        serde_json::from_value(v).expect("valid Pod JSON")
    }

    fn row(v: Value) -> PodRow {
        PodRow::from_pod(&pod(v), &mut Interner::default())
    }

    /// A one-container pod in namespace `lake` created at `created`, with the given phase
    /// and container status (`name` is filled in).
    fn single(created: &str, phase: &str, mut container: Value) -> PodRow {
        container["name"] = json!("app");
        container["image"] = json!("lake/app:1");
        container["imageID"] = json!("");
        row(json!({
            "metadata": {"name": "app-0", "namespace": "lake", "creationTimestamp": created},
            "spec": {"containers": [{"name": "app", "image": "lake/app:1"}]},
            "status": {"phase": phase, "containerStatuses": [container]}
        }))
    }

    fn running(ready: bool, restarts: i32) -> Value {
        json!({
            "ready": ready, "restartCount": restarts, "started": true,
            "state": {"running": {"startedAt": "2026-08-20T08:00:05Z"}}
        })
    }

    fn waiting(reason: &str) -> Value {
        json!({
            "ready": false, "restartCount": 0, "started": false,
            "state": {"waiting": {"reason": reason}}
        })
    }

    fn attention(r: &PodRow) -> Option<(Severity, String)> {
        let a = r.attention(now());
        // severity() must always agree with attention().
        assert_eq!(
            r.severity(now()),
            a.as_ref().map_or(Severity::Ok, |a| a.0),
            "{a:?}"
        );
        a
    }

    fn critical(r: &PodRow, reason: &str) {
        assert_eq!(
            attention(r),
            Some((Severity::Critical, reason.to_string())),
            "status {}",
            r.status
        );
    }

    /// A realistic Trino worker managed by a ReplicaSet, with a native sidecar and an
    /// init container.
    fn trino_worker(name: &str, node: &str) -> Value {
        json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {
                "name": name, "namespace": "lake",
                "uid": format!("uid-{name}"), "resourceVersion": "48213",
                "creationTimestamp": "2026-08-20T08:00:00Z",
                "labels": {"app.kubernetes.io/name": "trino", "component": "worker",
                           "pod-template-hash": "7d9f8c6b5"},
                "ownerReferences": [
                    {"apiVersion": "v1", "kind": "ConfigMap", "name": "trino-config", "uid": "c1"},
                    {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "trino-worker-7d9f8c6b5",
                     "uid": "rs1", "controller": true, "blockOwnerDeletion": true}
                ]
            },
            "spec": {
                "nodeName": node,
                "initContainers": [
                    {"name": "wait-for-metastore", "image": "busybox",
                     "resources": {"requests": {"cpu": "4", "memory": "1Gi"}}},
                    {"name": "log-shipper", "image": "fluent-bit", "restartPolicy": "Always",
                     "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}}}
                ],
                "containers": [
                    {"name": "trino", "image": "trinodb/trino:475",
                     "resources": {"requests": {"cpu": "1500m", "memory": "12Gi"},
                                   "limits": {"memory": "14Gi"}}},
                    {"name": "jmx-exporter", "image": "jmx:1"}
                ]
            },
            "status": {
                "phase": "Running", "podIP": "10.42.1.17",
                "conditions": [
                    {"type": "Initialized", "status": "True"},
                    {"type": "Ready", "status": "True"},
                    {"type": "ContainersReady", "status": "True"},
                    {"type": "PodScheduled", "status": "True"}
                ],
                "initContainerStatuses": [
                    {"name": "wait-for-metastore", "image": "busybox", "imageID": "", "ready": false,
                     "restartCount": 0, "started": false,
                     "state": {"terminated": {"exitCode": 0, "reason": "Completed",
                                              "finishedAt": "2026-08-20T08:00:20Z"}}},
                    {"name": "log-shipper", "image": "fluent-bit", "imageID": "", "ready": true,
                     "restartCount": 0, "started": true,
                     "state": {"running": {"startedAt": "2026-08-20T08:00:21Z"}}}
                ],
                "containerStatuses": [
                    {"name": "jmx-exporter", "image": "jmx:1", "imageID": "", "ready": true,
                     "restartCount": 0, "started": true,
                     "state": {"running": {"startedAt": "2026-08-20T08:00:22Z"}}},
                    {"name": "trino", "image": "trinodb/trino:475", "imageID": "", "ready": true,
                     "restartCount": 2, "started": true,
                     "state": {"running": {"startedAt": "2026-08-20T09:35:00Z"}},
                     "lastState": {"terminated": {"exitCode": 137, "reason": "OOMKilled",
                                                  "startedAt": "2026-08-20T08:00:22Z",
                                                  "finishedAt": "2026-08-20T09:34:58Z"}}}
                ]
            }
        })
    }

    #[test]
    fn projects_a_realistic_pod() {
        let r = row(trino_worker("trino-worker-7d9f8c6b5-abcde", "node-a"));
        assert_eq!(&*r.namespace, "lake");
        assert_eq!(&*r.name, "trino-worker-7d9f8c6b5-abcde");
        assert_eq!(&*r.uid, "uid-trino-worker-7d9f8c6b5-abcde");
        assert_eq!(&*r.resource_version, "48213");
        assert_eq!((r.ready, r.total), (3, 3));
        assert_eq!(&*r.status, "Running");
        assert_eq!(r.restarts, 2);
        assert_eq!(r.last_restart, Some(ts("2026-08-20T09:34:58Z")));
        assert_eq!(r.node.as_deref(), Some("node-a"));
        // The controller wins over an earlier, non-controlling owner.
        assert_eq!(r.owner_kind.as_deref(), Some("ReplicaSet"));
        assert_eq!(r.owner_name.as_deref(), Some("trino-worker-7d9f8c6b5"));
        assert_eq!(r.created, Some(ts("2026-08-20T08:00:00Z")));
        assert_eq!(r.ip.as_deref(), Some("10.42.1.17"));
        let labels: Vec<(&str, &str)> = r.labels.iter().map(|(k, v)| (&**k, &**v)).collect();
        assert_eq!(
            labels,
            [
                ("app.kubernetes.io/name", "trino"),
                ("component", "worker"),
                ("pod-template-hash", "7d9f8c6b5")
            ]
        );
        let containers: Vec<&str> = r.containers.iter().map(|c| &**c).collect();
        assert_eq!(
            containers,
            ["trino", "jmx-exporter", "wait-for-metastore", "log-shipper"]
        );
        // trino + sidecar; the finished init container's 4 CPUs are not a steady request.
        assert_eq!(r.cpu_request_m, 1600);
        assert_eq!(r.mem_request, 12 * 1024 * 1024 * 1024 + 64 * 1024 * 1024);
        assert_eq!(
            r.last_termination,
            Some((Arc::from("OOMKilled"), ts("2026-08-20T09:34:58Z")))
        );
        assert!(!r.deleting);
        assert_eq!(r.deleting_since, None);
        assert_eq!(r.ready_column(), "3/3");
        assert_eq!(r.restarts_column(now()), "2 (25m ago)");
        assert_eq!(r.age_column(now()), "120m");
    }

    #[test]
    fn bare_pod_has_empty_defaults() {
        let r = row(json!({"metadata": {"name": "x"}}));
        assert_eq!(&*r.namespace, "");
        assert_eq!((r.ready, r.total, r.restarts), (0, 0, 0));
        assert_eq!(r.node, None);
        assert_eq!(r.owner_kind, None);
        assert_eq!(r.ip, None);
        assert!(r.labels.is_empty() && r.containers.is_empty());
        assert_eq!((r.cpu_request_m, r.mem_request), (0, 0));
        assert_eq!(r.age_column(now()), "<unknown>");
        assert_eq!(r.restarts_column(now()), "0");
    }

    #[test]
    fn pod_level_requests_replace_container_sums() {
        let r = row(json!({
            "metadata": {"name": "p", "namespace": "lake"},
            "spec": {
                "resources": {"requests": {"cpu": "2"}},
                "containers": [{"name": "a", "resources": {"requests": {"cpu": "500m", "memory": "1Gi"}}}]
            }
        }));
        assert_eq!(r.cpu_request_m, 2000);
        // Memory is not set at pod level, so the container sum still applies.
        assert_eq!(r.mem_request, 1024 * 1024 * 1024);
    }

    #[test]
    fn interning_shares_repeated_strings() {
        let mut interner = Interner::default();
        let a = PodRow::from_pod(&pod(trino_worker("w-1", "node-a")), &mut interner);
        let b = PodRow::from_pod(&pod(trino_worker("w-2", "node-a")), &mut interner);
        assert!(Arc::ptr_eq(&a.namespace, &b.namespace));
        let (na, nb) = (a.node.expect("node"), b.node.expect("node"));
        assert!(Arc::ptr_eq(&na, &nb));
        let (oa, ob) = (a.owner_name.expect("owner"), b.owner_name.expect("owner"));
        assert!(Arc::ptr_eq(&oa, &ob));
        assert!(Arc::ptr_eq(&a.labels[0].0, &b.labels[0].0));
        // lake, node-a, ReplicaSet, its name, 3 label keys + 3 values, OOMKilled.
        assert_eq!(interner.len(), 11);
        let again = interner.intern("lake");
        assert!(Arc::ptr_eq(&again, &a.namespace));
        assert_eq!(interner.len(), 11);
    }

    #[test]
    fn release_unused_frees_only_unreferenced_strings() {
        let mut interner = Interner::default();
        let kept = interner.intern("lake");
        drop(interner.intern("gone"));
        assert_eq!(interner.len(), 2);
        interner.release_unused();
        assert_eq!(interner.len(), 1);
        assert!(Arc::ptr_eq(&kept, &interner.intern("lake")));
        assert!(!interner.is_empty());
    }

    #[test]
    fn key_is_namespace_and_name() {
        let r = row(trino_worker("w-1", "node-a"));
        let (ns, name) = r.key();
        assert_eq!((&*ns, &*name), ("lake", "w-1"));
    }

    #[test]
    fn last_termination_is_the_latest_failure_and_skips_clean_exits() {
        let r = row(json!({
            "metadata": {"name": "p", "namespace": "lake"},
            "spec": {"containers": [{"name": "a"}, {"name": "b"}, {"name": "c"}]},
            "status": {"phase": "Running", "containerStatuses": [
                {"name": "a", "image": "", "imageID": "", "ready": true, "restartCount": 1,
                 "state": {"running": {}},
                 "lastState": {"terminated": {"exitCode": 137, "reason": "OOMKilled",
                                              "finishedAt": "2026-08-20T09:00:00Z"}}},
                // A later clean exit must not hide the OOM kill.
                {"name": "b", "image": "", "imageID": "", "ready": true, "restartCount": 1,
                 "state": {"running": {}},
                 "lastState": {"terminated": {"exitCode": 0, "reason": "Completed",
                                              "finishedAt": "2026-08-20T09:50:00Z"}}},
                // An older failure loses to the newer one.
                {"name": "c", "image": "", "imageID": "", "ready": true, "restartCount": 1,
                 "state": {"running": {}},
                 "lastState": {"terminated": {"exitCode": 2,
                                              "finishedAt": "2026-08-20T08:00:00Z"}}}
            ]}
        }));
        assert_eq!(
            r.last_termination,
            Some((Arc::from("OOMKilled"), ts("2026-08-20T09:00:00Z")))
        );

        // A current non-zero exit without a reason is worded like kubectl.
        let r = single(
            "2026-08-20T08:00:00Z",
            "Failed",
            json!({"ready": false, "restartCount": 0,
                   "state": {"terminated": {"exitCode": 143, "signal": 15,
                                            "finishedAt": "2026-08-20T09:59:00Z"}}}),
        );
        assert_eq!(
            r.last_termination,
            Some((Arc::from("Signal:15"), ts("2026-08-20T09:59:00Z")))
        );
    }

    #[test]
    fn healthy_running_pod_needs_no_attention() {
        let r = single("2026-08-20T08:00:00Z", "Running", running(true, 0));
        assert_eq!(attention(&r), None);
        assert_eq!(r.severity(now()), Severity::Ok);
    }

    #[test]
    fn crash_loop_back_off_is_critical() {
        let mut c = waiting("CrashLoopBackOff");
        c["restartCount"] = json!(3);
        critical(
            &single("2026-08-20T08:00:00Z", "Running", c),
            "CrashLoopBackOff",
        );
    }

    #[test]
    fn error_is_critical() {
        let r = single(
            "2026-08-20T08:00:00Z",
            "Failed",
            json!({"ready": false, "restartCount": 0,
                   "state": {"terminated": {"exitCode": 1, "reason": "Error",
                                            "finishedAt": "2026-08-20T09:10:00Z"}}}),
        );
        critical(&r, "Error");
    }

    #[test]
    fn image_pull_failures_are_critical() {
        for reason in ["ImagePullBackOff", "ErrImagePull"] {
            critical(
                &single("2026-08-20T09:59:00Z", "Pending", waiting(reason)),
                reason,
            );
        }
    }

    #[test]
    fn oom_killed_status_is_critical_without_a_duplicate_reason() {
        let r = single(
            "2026-08-20T08:00:00Z",
            "Failed",
            json!({"ready": false, "restartCount": 0,
                   "state": {"terminated": {"exitCode": 137, "reason": "OOMKilled",
                                            "finishedAt": "2026-08-20T09:30:00Z"}}}),
        );
        assert_eq!(&*r.status, "OOMKilled");
        critical(&r, "OOMKilled");
    }

    #[test]
    fn unknown_node_lost_pod_is_critical() {
        let r = row(json!({
            "metadata": {"name": "p", "namespace": "lake",
                         "creationTimestamp": "2026-08-20T08:00:00Z",
                         "deletionTimestamp": "2026-08-20T09:00:00Z",
                         "deletionGracePeriodSeconds": 30},
            "spec": {"containers": [{"name": "app"}], "nodeName": "node-c"},
            "status": {"phase": "Running", "reason": "NodeLost"}
        }));
        assert_eq!(&*r.status, "Unknown");
        critical(&r, "Unknown");
    }

    #[test]
    fn evicted_is_critical() {
        let r = row(json!({
            "metadata": {"name": "p", "namespace": "lake", "creationTimestamp": "2026-08-20T08:00:00Z"},
            "spec": {"containers": [{"name": "app"}]},
            "status": {"phase": "Failed", "reason": "Evicted",
                       "message": "The node was low on resource: memory."}
        }));
        critical(&r, "Evicted");
    }

    fn with_init(init_status: Value) -> PodRow {
        row(json!({
            "metadata": {"name": "p", "namespace": "lake", "creationTimestamp": "2026-08-20T09:59:30Z"},
            "spec": {"initContainers": [{"name": "migrate"}, {"name": "warm"}],
                     "containers": [{"name": "app"}]},
            "status": {"phase": "Pending", "initContainerStatuses": [init_status]}
        }))
    }

    #[test]
    fn init_failures_are_critical_but_init_progress_is_not() {
        let failed = with_init(json!({
            "name": "migrate", "image": "", "imageID": "", "ready": false, "restartCount": 0,
            "state": {"terminated": {"exitCode": 1, "reason": "Error"}}
        }));
        critical(&failed, "Init:Error");

        let looping = with_init(json!({
            "name": "migrate", "image": "", "imageID": "", "ready": false, "restartCount": 2,
            "state": {"waiting": {"reason": "CrashLoopBackOff"}}
        }));
        critical(&looping, "Init:CrashLoopBackOff");

        let exit = with_init(json!({
            "name": "migrate", "image": "", "imageID": "", "ready": false, "restartCount": 0,
            "state": {"terminated": {"exitCode": 3}}
        }));
        critical(&exit, "Init:ExitCode:3");

        // Still running the first init container 30 s after creation: just in progress.
        let progressing = with_init(json!({
            "name": "migrate", "image": "", "imageID": "", "ready": false, "restartCount": 0,
            "state": {"running": {}}
        }));
        assert_eq!(&*progressing.status, "Init:0/2");
        assert_eq!(
            attention(&progressing),
            Some((Severity::Info, "Init:0/2".to_string()))
        );
    }

    #[test]
    fn other_kubelet_failures_are_critical() {
        critical(
            &single(
                "2026-08-20T09:59:00Z",
                "Pending",
                waiting("CreateContainerConfigError"),
            ),
            "CreateContainerConfigError",
        );
        let exit = single(
            "2026-08-20T08:00:00Z",
            "Running",
            json!({"ready": false, "restartCount": 0, "state": {"terminated": {"exitCode": 2}}}),
        );
        critical(&exit, "ExitCode:2");
    }

    fn pending(created: &str) -> PodRow {
        row(json!({
            "metadata": {"name": "spark-driver", "namespace": "lake", "creationTimestamp": created},
            "spec": {"containers": [{"name": "driver"}]},
            "status": {"phase": "Pending", "conditions": [
                {"type": "PodScheduled", "status": "False", "reason": "Unschedulable"}]}
        }))
    }

    #[test]
    fn pending_longer_than_two_minutes_is_a_warning() {
        assert_eq!(
            attention(&pending("2026-08-20T09:55:00Z")),
            Some((Severity::Warning, "Pending 5m".to_string()))
        );
    }

    #[test]
    fn pending_for_under_two_minutes_is_info() {
        assert_eq!(
            attention(&pending("2026-08-20T09:59:00Z")),
            Some((Severity::Info, "Pending".to_string()))
        );
        // Exactly two minutes is not yet "longer than".
        assert_eq!(
            attention(&pending("2026-08-20T09:58:00Z")).map(|a| a.0),
            Some(Severity::Info)
        );
    }

    #[test]
    fn container_creating_and_pod_initializing_follow_the_pending_rule() {
        for reason in ["ContainerCreating", "PodInitializing"] {
            let young = single("2026-08-20T09:59:30Z", "Pending", waiting(reason));
            assert_eq!(
                attention(&young),
                Some((Severity::Info, reason.to_string()))
            );
            let stuck = single("2026-08-20T09:50:00Z", "Pending", waiting(reason));
            assert_eq!(
                attention(&stuck),
                Some((Severity::Warning, format!("{reason} 10m")))
            );
        }
    }

    #[test]
    fn pending_pod_without_status_or_creation_time_is_info() {
        let r = row(json!({"metadata": {"name": "p", "namespace": "lake"},
                           "spec": {"containers": [{"name": "a"}]}}));
        assert_eq!(attention(&r), Some((Severity::Info, "Pending".to_string())));
    }

    #[test]
    fn running_but_not_all_ready_is_a_warning() {
        let r = row(json!({
            "metadata": {"name": "minio-0", "namespace": "lake", "creationTimestamp": "2026-08-20T08:00:00Z"},
            "spec": {"containers": [{"name": "minio"}, {"name": "exporter"}]},
            "status": {"phase": "Running", "containerStatuses": [
                {"name": "minio", "image": "", "imageID": "", "ready": true, "restartCount": 0,
                 "state": {"running": {}}},
                {"name": "exporter", "image": "", "imageID": "", "ready": false, "restartCount": 0,
                 "state": {"running": {}}}
            ]}
        }));
        assert_eq!(
            attention(&r),
            Some((Severity::Warning, "not ready 1/2".to_string()))
        );
    }

    fn terminating(requested: &str) -> PodRow {
        // Deleted with the default 30 s grace: deletionTimestamp = request + 30 s.
        let deadline = ts(requested)
            .checked_add(jiff::SignedDuration::from_secs(30))
            .expect("in range");
        row(json!({
            "metadata": {"name": "kafka-1", "namespace": "lake",
                         "creationTimestamp": "2026-08-20T08:00:00Z",
                         "deletionTimestamp": deadline.to_string(),
                         "deletionGracePeriodSeconds": 30},
            "spec": {"containers": [{"name": "kafka"}]},
            "status": {"phase": "Running", "containerStatuses": [
                {"name": "kafka", "image": "", "imageID": "", "ready": true, "restartCount": 0,
                 "state": {"running": {}}}]}
        }))
    }

    #[test]
    fn terminating_longer_than_two_minutes_is_a_warning() {
        let r = terminating("2026-08-20T09:55:00Z");
        assert!(r.deleting);
        assert_eq!(r.deleting_since, Some(ts("2026-08-20T09:55:00Z")));
        assert_eq!(&*r.status, "Terminating");
        assert_eq!(
            attention(&r),
            Some((Severity::Warning, "Terminating 5m".to_string()))
        );
    }

    #[test]
    fn terminating_briefly_needs_no_attention() {
        assert_eq!(attention(&terminating("2026-08-20T09:59:00Z")), None);
    }

    fn restarted_after(reason: &str, exit_code: i32, finished: &str, restarts: i32) -> PodRow {
        let mut c = running(true, restarts);
        c["lastState"] = json!({"terminated": {"exitCode": exit_code, "reason": reason,
                                               "finishedAt": finished}});
        single("2026-08-20T08:00:00Z", "Running", c)
    }

    #[test]
    fn recent_oom_kill_of_a_running_pod_is_a_warning() {
        let r = restarted_after("OOMKilled", 137, "2026-08-20T09:35:00Z", 1);
        assert_eq!(
            attention(&r),
            Some((Severity::Warning, "OOMKilled 25m ago".to_string()))
        );
    }

    #[test]
    fn old_oom_kill_or_other_exit_needs_no_attention() {
        let old = restarted_after("OOMKilled", 137, "2026-08-20T08:30:00Z", 1);
        assert_eq!(attention(&old), None);
        let error = restarted_after("Error", 1, "2026-08-20T09:35:00Z", 1);
        assert_eq!(attention(&error), None);
    }

    #[test]
    fn many_restarts_are_a_warning() {
        let r = restarted_after("Error", 1, "2026-08-20T09:58:00Z", 7);
        assert_eq!(
            attention(&r),
            Some((Severity::Warning, "7 restarts".to_string()))
        );
        let few = restarted_after("Error", 1, "2026-08-20T09:58:00Z", 4);
        assert_eq!(attention(&few), None);
    }

    #[test]
    fn completed_pods_are_never_trouble() {
        let c = json!({"ready": false, "restartCount": 9,
                           "state": {"terminated": {"exitCode": 0, "reason": "Completed",
                                                    "finishedAt": "2026-08-20T09:50:00Z"}},
                           "lastState": {"terminated": {"exitCode": 137, "reason": "OOMKilled",
                                                        "finishedAt": "2026-08-20T09:40:00Z"}}});
        let r = single("2026-08-20T08:00:00Z", "Succeeded", c);
        assert_eq!(&*r.status, "Completed");
        assert_eq!(attention(&r), None);

        // A Succeeded pod with no container statuses left prints its phase.
        let r = row(json!({
            "metadata": {"name": "job", "namespace": "lake"},
            "spec": {"containers": [{"name": "app"}]},
            "status": {"phase": "Succeeded"}
        }));
        assert_eq!(&*r.status, "Succeeded");
        assert_eq!(attention(&r), None);
    }

    #[test]
    fn highest_severity_wins_and_reasons_are_joined() {
        let mut c = waiting("CrashLoopBackOff");
        c["restartCount"] = json!(7);
        c["lastState"] = json!({"terminated": {"exitCode": 137, "reason": "OOMKilled",
                                               "finishedAt": "2026-08-20T09:58:00Z"}});
        let r = single("2026-08-20T08:00:00Z", "Running", c);
        assert_eq!(
            attention(&r),
            Some((
                Severity::Critical,
                "CrashLoopBackOff, OOMKilled 2m ago, 7 restarts".to_string()
            ))
        );

        // Several Warnings stay a Warning.
        let mut c = running(false, 6);
        c["lastState"] = json!({"terminated": {"exitCode": 137, "reason": "OOMKilled",
                                               "finishedAt": "2026-08-20T09:50:00Z"}});
        let r = single("2026-08-20T08:00:00Z", "Running", c);
        assert_eq!(
            attention(&r),
            Some((
                Severity::Warning,
                "not ready 0/1, OOMKilled 10m ago, 6 restarts".to_string()
            ))
        );
    }

    #[test]
    fn severity_orders_trouble_last_so_reverse_sorts_it_first() {
        let mut all = [
            Severity::Warning,
            Severity::Ok,
            Severity::Critical,
            Severity::Info,
        ];
        all.sort_by(|a, b| b.cmp(a));
        assert_eq!(
            all,
            [
                Severity::Critical,
                Severity::Warning,
                Severity::Info,
                Severity::Ok
            ]
        );
    }

    #[test]
    fn label_selector_matching() {
        let r = row(trino_worker("w-1", "node-a"));
        let sel = |items: &[(&str, Option<&str>)]| -> Vec<(String, Option<String>)> {
            items
                .iter()
                .map(|(k, v)| (k.to_string(), v.map(str::to_string)))
                .collect()
        };
        assert!(r.matches_labels(&[]));
        assert!(r.matches_labels(&sel(&[("component", Some("worker"))])));
        assert!(r.matches_labels(&sel(&[
            ("app.kubernetes.io/name", Some("trino")),
            ("pod-template-hash", None)
        ])));
        assert!(!r.matches_labels(&sel(&[("component", Some("coordinator"))])));
        assert!(!r.matches_labels(&sel(&[("component", Some("worker")), ("tier", None)])));
        // A value is never matched as a key.
        assert!(!r.matches_labels(&sel(&[("worker", None)])));
    }

    #[test]
    fn pod_row_stays_compact() {
        let size = std::mem::size_of::<PodRow>();
        println!("size_of::<PodRow>() = {size} bytes");
        assert!(size <= 320, "PodRow grew to {size} bytes");
    }
}
