//! The lab's control plane: one task that follows the store's event stream (like an
//! informer) and runs the simulated controllers — scheduler, kubelets, workload
//! controllers, garbage collector, namespace controller, node lifecycle, Velero — plus
//! the scenario's timeline. Work is driven by what changed, so a cluster of 100 000
//! settled pods costs next to nothing per tick.

pub mod disruption;
pub mod eso;
pub mod events;
pub mod kubelet;
pub mod pods;
pub mod scheduler;
mod velero;
pub mod workloads;

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};
use tokio::sync::broadcast::error::TryRecvError;

use super::clock::rfc3339;
use super::resources::{self, ResId, ids};
use super::scenario::{TimelineEvent, parse_duration};
use super::semantics;
use super::store::{Entry, EventType, Store, WatchEvent, str_at};
use events::{EventSpec, Recorder};
use scheduler::NodeInfo;

/// Wall-clock period of the control loop.
const TICK: Duration = Duration::from_millis(200);
/// Simulated seconds between full workload resyncs. Events drive all normal work; this
/// only catches what they missed, so it is rare (a resync of 100 000 pods costs seconds).
const RESYNC_SECS: f64 = 120.0;
/// Simulated seconds a NotReady node's pods wait before eviction (Kubernetes: 300 s).
const EVICT_AFTER_SECS: i64 = 30;
/// Simulated seconds before evicted pods of a lost node are force-deleted.
const FORCE_DELETE_AFTER_SECS: i64 = 60;
/// Events older than this are deleted, like the API server's event TTL.
const EVENT_TTL_SECS: i64 = 3600;
/// How often a still-unschedulable pod's FailedScheduling event is refreshed.
pub(crate) const RESCHEDULE_EVERY_SECS: i64 = 30;

type Key = (String, String);
type Events = tokio::sync::broadcast::Receiver<Arc<WatchEvent>>;

pub struct Sim {
    store: Arc<Store>,
    recorder: Recorder,
    /// Pods the scheduler or a kubelet must look at (not settled).
    active: BTreeSet<Key>,
    /// Workloads to reconcile: (resource, namespace, name).
    dirty: BTreeSet<(ResId, String, String)>,
    /// Requests of scheduled, unfinished pods: pod → (node, cpu m, memory, counted).
    placed: HashMap<Key, (String, i64, i64)>,
    nodes: Vec<NodeInfo>,
    nodes_dirty: bool,
    /// Pod → (node, pod IP), and the IPs in use per node, so a new pod's address is found
    /// without scanning every pod.
    ip_of: HashMap<Key, (String, String)>,
    ips_in_use: HashMap<String, std::collections::HashSet<String>>,
    timeline: Vec<(f64, TimelineEvent)>,
    /// NotReady nodes → when they went NotReady.
    lost_nodes: HashMap<String, Timestamp>,
    unschedulable_seen: HashMap<Key, Timestamp>,
    velero: velero::Velero,
    eso: eso::Eso,
    /// Consumers whose new containers fail while a Secret differs from its value at
    /// start: (check, fingerprint of the Secret's data then).
    credentials: Vec<(super::scenario::CredentialCheck, String)>,
    last_resync: f64,
    last_event_gc: f64,
    /// The event subscription `settle` started, handed to `run`.
    events: Option<Events>,
}

impl Sim {
    pub fn new(store: Arc<Store>, timeline: &[super::scenario::TimelineStep]) -> Self {
        let timeline = timeline
            .iter()
            .filter_map(|s| Some((parse_duration(&s.at)?.as_secs_f64(), s.event.clone())))
            .collect();
        Self {
            store,
            recorder: Recorder::default(),
            active: BTreeSet::new(),
            dirty: BTreeSet::new(),
            placed: HashMap::new(),
            nodes: Vec::new(),
            nodes_dirty: true,
            ip_of: HashMap::new(),
            ips_in_use: HashMap::new(),
            timeline,
            lost_nodes: HashMap::new(),
            unschedulable_seen: HashMap::new(),
            velero: velero::Velero::default(),
            eso: eso::Eso::default(),
            credentials: Vec::new(),
            last_resync: 0.0,
            last_event_gc: 0.0,
            events: None,
        }
    }

    /// Records what the seeded backups contain (their objects as of the seed).
    pub fn capture_backup(&mut self, name: &str, namespaces: &[String]) {
        self.velero.capture(&self.store, name, namespaces);
    }

    /// Remembers the Secret of `check` as it is now: the credential its backend (a
    /// database) keeps expecting. New containers of the check's workload started while
    /// the Secret holds anything else crash-loop, never Ready (see
    /// `secret-rotation-breaks`).
    pub fn pin_credentials(&mut self, check: &super::scenario::CredentialCheck) {
        let fingerprint = self.secret_fingerprint(&check.namespace, &check.secret);
        self.credentials.push((check.clone(), fingerprint));
    }

    fn secret_fingerprint(&self, ns: &str, name: &str) -> String {
        self.store
            .get_value(ids::secrets(), ns, name)
            .map(|s| eso::data_hash(&s["data"]))
            .unwrap_or_default()
    }

    /// For a pod of a pinned consumer whose container is about to (re)start: sets or
    /// clears its credential failure by comparing the Secret with the pinned one (the
    /// kubelet resolves secret env vars at every container start). Returns true if it
    /// changed the pod.
    fn check_credentials(&self, pod: &Value) -> bool {
        let ns = str_at(pod, "/metadata/namespace");
        let Some(owner) = pod["metadata"]["ownerReferences"]
            .as_array()
            .and_then(|refs| refs.iter().find(|r| r["controller"] == true))
        else {
            return false;
        };
        let owner_name = owner["name"].as_str().unwrap_or_default();
        let Some((check, pinned)) = self.credentials.iter().find(|(c, _)| {
            c.namespace == ns
                && match owner["kind"].as_str() {
                    Some("ReplicaSet") => owner_name
                        .strip_prefix(c.workload.as_str())
                        .is_some_and(|rest| rest.starts_with('-')),
                    _ => owner_name == c.workload,
                }
        }) else {
            return false;
        };
        let starting = pod["status"]["containerStatuses"]
            .as_array()
            .is_none_or(|cs| {
                cs.is_empty()
                    || cs.iter().any(|c| {
                        matches!(
                            c["state"]["waiting"]["reason"].as_str(),
                            Some("ContainerCreating" | "CrashLoopBackOff")
                        )
                    })
            });
        if !starting || !pod["metadata"]["deletionTimestamp"].is_null() {
            return false;
        }
        let broken = self.secret_fingerprint(&check.namespace, &check.secret) != *pinned;
        let current: Option<Value> = pod["metadata"]["annotations"][pods::TROUBLE]
            .as_str()
            .and_then(|t| serde_json::from_str(t).ok());
        let ours = current
            .as_ref()
            .is_some_and(|t| t["cause"] == "credentials");
        let name = str_at(pod, "/metadata/name");
        if broken && current.is_none() {
            let trouble = json!({"kind": "crashloop", "runs_for": 8, "exit_code": 1,
                                 "never_ready": true, "cause": "credentials"});
            return self
                .store
                .update(ids::pods(), &ns, &name, None, |o| {
                    o["metadata"]["annotations"][pods::TROUBLE] = json!(trouble.to_string());
                    Ok(())
                })
                .is_ok();
        }
        if !broken && ours {
            return self
                .store
                .update(ids::pods(), &ns, &name, None, |o| {
                    if let Some(a) = o["metadata"]["annotations"].as_object_mut() {
                        a.remove(pods::TROUBLE);
                    }
                    Ok(())
                })
                .is_ok();
        }
        false
    }

    /// Subscribes to the store's events, then rebuilds the indexes; from then on the
    /// events keep them current.
    fn start_following(&mut self) -> Events {
        let rx = self.store.live_events();
        self.resync();
        rx
    }

    /// One synchronous pass over everything, before serving: workload statuses and the
    /// scheduler's view start consistent, so clients do not see a start-up storm of
    /// status updates (which would also churn the watch history).
    pub fn settle(&mut self) {
        let rx = self.start_following();
        self.tick();
        self.events = Some(rx);
    }

    /// Runs the control loop forever.
    pub async fn run(mut self) {
        let mut rx = match self.events.take() {
            Some(rx) => rx,
            None => self.start_following(),
        };
        let mut tick = tokio::time::interval(TICK);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if self.ingest(&mut rx) {
                // Fell behind the stream: start over from the store's current state.
                rx = self.start_following();
            }
            self.tick();
        }
    }

    /// Rebuilds every index from the store (start-up, or after falling behind the stream).
    fn resync(&mut self) {
        self.active.clear();
        self.placed.clear();
        self.ip_of.clear();
        self.ips_in_use.clear();
        for e in self.store.all(ids::pods(), None, |_| true) {
            self.observe_pod(&e, false);
        }
        self.mark_all_workloads_dirty();
        self.nodes_dirty = true;
    }

    fn mark_all_workloads_dirty(&mut self) {
        let kinds = [
            ids::deployments(),
            ids::replicasets(),
            ids::statefulsets(),
            ids::daemonsets(),
            ids::jobs(),
        ];
        for res in kinds {
            for e in self.store.all(res, None, |_| true) {
                self.dirty
                    .insert((res, e.namespace.clone(), e.name.clone()));
            }
        }
    }

    /// Applies pending store events to the indexes. Returns true if the stream lagged.
    fn ingest(&mut self, rx: &mut Events) -> bool {
        loop {
            match rx.try_recv() {
                Ok(ev) => self.observe(&ev),
                Err(TryRecvError::Empty) => return false,
                Err(TryRecvError::Lagged(_)) => return true,
                Err(TryRecvError::Closed) => return true,
            }
        }
    }

    fn mark_owner_dirty(&mut self, e: &Entry) {
        let Some(owner) = &e.owner_uid else { return };
        let v = e.value();
        if let Some(r) = v["metadata"]["ownerReferences"]
            .as_array()
            .and_then(|refs| refs.iter().find(|r| r["uid"] == owner.as_str()))
        {
            let group = r["apiVersion"]
                .as_str()
                .unwrap_or("")
                .split('/')
                .next()
                .unwrap_or("");
            let group = if r["apiVersion"].as_str().unwrap_or("").contains('/') {
                group
            } else {
                ""
            };
            if let Some(res) = resources::by_kind(group, r["kind"].as_str().unwrap_or("")) {
                self.dirty.insert((
                    res,
                    e.namespace.clone(),
                    r["name"].as_str().unwrap_or("").to_string(),
                ));
            }
        }
    }

    fn observe_pod(&mut self, e: &Entry, deleted: bool) {
        let key = (e.namespace.clone(), e.name.clone());
        let before = self.placed.get(&key).cloned();
        if deleted {
            self.active.remove(&key);
            self.placed.remove(&key);
            self.unschedulable_seen.remove(&key);
        } else {
            let pod = e.value();
            let node = str_at(&pod, "/spec/nodeName");
            let finished = matches!(
                pod["status"]["phase"].as_str(),
                Some("Succeeded" | "Failed")
            );
            if node.is_empty() || finished {
                self.placed.remove(&key);
            } else {
                let (cpu, mem) = scheduler::requests(&pod);
                self.placed.insert(key.clone(), (node, cpu, mem));
            }
            if kubelet::is_settled(&pod) {
                self.active.remove(&key);
            } else {
                self.active.insert(key.clone());
            }
        }
        let ip_now = if deleted {
            None
        } else {
            let node = e.field("spec.nodeName").unwrap_or_default();
            let ip = e.field("status.podIP").unwrap_or_default();
            (!node.is_empty() && !ip.is_empty()).then_some((node, ip))
        };
        if self.ip_of.get(&key) != ip_now.as_ref() {
            if let Some((node, ip)) = self.ip_of.remove(&key)
                && let Some(set) = self.ips_in_use.get_mut(&node)
            {
                set.remove(&ip);
            }
            if let Some((node, ip)) = ip_now {
                self.ips_in_use
                    .entry(node.clone())
                    .or_default()
                    .insert(ip.clone());
                self.ip_of.insert(key.clone(), (node, ip));
            }
        }
        // Freed or newly used capacity changes what the scheduler may place where.
        if self.placed.get(&key) != before.as_ref() {
            self.nodes_dirty = true;
        }
    }

    fn observe(&mut self, ev: &WatchEvent) {
        let e = &ev.entry;
        let deleted = ev.kind == EventType::Deleted;
        let r = resources::get(e.res);
        match (r.group, r.kind) {
            ("", "Pod") => {
                self.observe_pod(e, deleted);
                self.mark_owner_dirty(e);
            }
            ("", "Node") => self.nodes_dirty = true,
            ("apps", "Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet")
            | ("batch", "Job") => {
                // A controller's own status write (observedGeneration caught up with the
                // spec) needs no new pass; skipping it keeps 100 000-pod labs quiet.
                let v = e.value();
                let caught_up = !v["status"]["observedGeneration"].is_null()
                    && v["status"]["observedGeneration"] == v["metadata"]["generation"];
                if !deleted && !caught_up {
                    self.dirty
                        .insert((e.res, e.namespace.clone(), e.name.clone()));
                }
                self.mark_owner_dirty(e);
            }
            _ => {}
        }
        if deleted && !e.uid.is_empty() {
            self.collect_garbage(&e.uid);
        }
    }

    /// Deletes what an object owned (background propagation).
    fn collect_garbage(&mut self, owner_uid: &str) {
        for dep in self.store.owned_by(owner_uid) {
            let _ = semantics::delete(&self.store, dep.res, &dep, None, false, false);
        }
    }

    fn refresh_nodes(&mut self) {
        let mut nodes: Vec<NodeInfo> = self
            .store
            .all(ids::nodes(), None, |_| true)
            .iter()
            .map(|e| NodeInfo::from_node(&e.value()))
            .collect();
        let by_name: HashMap<String, usize> = nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.name.clone(), i))
            .collect();
        for (node, cpu, mem) in self.placed.values() {
            if let Some(n) = by_name.get(node).and_then(|i| nodes.get_mut(*i)) {
                n.used_cpu_m += cpu;
                n.used_mem += mem;
                n.used_pods += 1;
            }
        }
        self.nodes = nodes;
        self.nodes_dirty = false;
    }

    fn tick(&mut self) {
        let now = self.store.clock.now();
        let elapsed = self.store.clock.elapsed_secs();
        self.run_timeline(elapsed, now);
        self.node_lifecycle(now);
        if self.nodes_dirty {
            self.refresh_nodes();
        }
        if elapsed - self.last_resync >= RESYNC_SECS {
            self.last_resync = elapsed;
            self.mark_all_workloads_dirty();
        }
        let dirty = std::mem::take(&mut self.dirty);
        for (res, ns, name) in dirty {
            if let Some(obj) = self.store.get_value(res, &ns, &name) {
                workloads::reconcile(&self.store, &mut self.recorder, res, &obj, &self.nodes, now);
            }
        }
        self.run_pods(now);
        self.recorder.maintain(&self.store, now);
        self.terminate_namespaces();
        disruption::tick(&self.store, now);
        self.eso.tick(&self.store, now);
        self.velero.tick(&self.store, now);
        if elapsed - self.last_event_gc >= 60.0 {
            self.last_event_gc = elapsed;
            self.expire_events(now);
        }
    }

    fn run_pods(&mut self, now: Timestamp) {
        let keys: Vec<Key> = self.active.iter().cloned().collect();
        for (ns, name) in keys {
            let Some(pod) = self.store.get_value(ids::pods(), &ns, &name) else {
                self.active.remove(&(ns, name));
                continue;
            };
            let node = str_at(&pod, "/spec/nodeName");
            if node.is_empty() {
                if pod["metadata"]["deletionTimestamp"].is_string() {
                    self.store.remove(ids::pods(), &ns, &name);
                } else {
                    self.schedule(&pod, now);
                }
                continue;
            }
            if self.lost_nodes.contains_key(&node) {
                continue; // nobody home to run it
            }
            if !self.credentials.is_empty() && self.check_credentials(&pod) {
                continue; // the kubelet takes it from here on the next pass
            }
            let ip = || self.pod_ip(&node);
            match kubelet::step(&pod, &ip, now) {
                kubelet::Step::Idle => {}
                kubelet::Step::Remove => {
                    self.store.remove(ids::pods(), &ns, &name);
                }
                kubelet::Step::Update(new, events) => {
                    // Claim a newly given address now: another pod may start on this
                    // node in the same pass, before the event reaches `observe_pod`.
                    if let Some(ip) = new["status"]["podIP"].as_str()
                        && pod["status"]["podIP"].is_null()
                    {
                        self.ips_in_use
                            .entry(node.clone())
                            .or_default()
                            .insert(ip.to_string());
                    }
                    if self
                        .store
                        .update(ids::pods(), &ns, &name, None, |o| {
                            *o = new;
                            Ok(())
                        })
                        .is_ok()
                    {
                        for ev in events {
                            self.recorder.record(&self.store, &pod, ev);
                        }
                    }
                }
            }
        }
    }

    /// The lowest free address in the node's pod CIDR (pods' IPs must be unique).
    fn pod_ip(&self, node: &str) -> String {
        let net = self
            .nodes
            .iter()
            .find(|n| n.name == node)
            .map_or_else(|| "10.244.0".to_string(), |n| n.pod_net.clone());
        let used = self.ips_in_use.get(node);
        (2..255)
            .map(|i| format!("{net}.{i}"))
            .find(|ip| used.is_none_or(|u| !u.contains(ip)))
            .unwrap_or_else(|| format!("{net}.254"))
    }

    fn schedule(&mut self, pod: &Value, now: Timestamp) {
        let key = (
            str_at(pod, "/metadata/namespace"),
            str_at(pod, "/metadata/name"),
        );
        match scheduler::pick(pod, &self.nodes) {
            Ok(node) => {
                let now_s = rfc3339(now);
                let host_ip = self.host_ip(&node);
                let bound = self.store.update(ids::pods(), &key.0, &key.1, None, |o| {
                    o["spec"]["nodeName"] = json!(node);
                    o["status"]["hostIP"] = json!(host_ip);
                    o["status"]["hostIPs"] = json!([{"ip": host_ip}]);
                    o["status"]["conditions"] =
                        json!([pods::condition("PodScheduled", true, &now_s, None)]);
                    Ok(())
                });
                if bound.is_ok() {
                    self.recorder.record(
                        &self.store,
                        pod,
                        EventSpec::normal(
                            "Scheduled",
                            "default-scheduler",
                            format!("Successfully assigned {}/{} to {node}", key.0, key.1),
                        )
                        .new_style("Binding"),
                    );
                    let (cpu, mem) = scheduler::requests(pod);
                    if let Some(n) = self.nodes.iter_mut().find(|n| n.name == node) {
                        n.used_cpu_m += cpu;
                        n.used_mem += mem;
                        n.used_pods += 1;
                    }
                }
            }
            Err(message) => {
                let due = self
                    .unschedulable_seen
                    .get(&key)
                    .is_none_or(|t| now.duration_since(*t).as_secs() >= RESCHEDULE_EVERY_SECS);
                if due {
                    self.unschedulable_seen.insert(key.clone(), now);
                    let now_s = rfc3339(now);
                    let _ = self.store.update(ids::pods(), &key.0, &key.1, None, |o| {
                        let already = o["status"]["conditions"].as_array().is_some_and(|cs| {
                            cs.iter().any(|c| {
                                c["type"] == "PodScheduled"
                                    && c["reason"] == "Unschedulable"
                                    && c["message"] == message.as_str()
                            })
                        });
                        if !already {
                            let mut c = pods::condition(
                                "PodScheduled",
                                false,
                                &now_s,
                                Some("Unschedulable"),
                            );
                            c["message"] = json!(message);
                            o["status"]["conditions"] = json!([c]);
                        }
                        Ok(())
                    });
                    self.recorder.record(
                        &self.store,
                        pod,
                        EventSpec::warning("FailedScheduling", "default-scheduler", message)
                            .new_style("Scheduling"),
                    );
                }
            }
        }
    }

    fn host_ip(&self, node: &str) -> String {
        self.store
            .get_value(ids::nodes(), "", node)
            .and_then(|n| {
                n["status"]["addresses"]
                    .as_array()?
                    .iter()
                    .find(|a| a["type"] == "InternalIP")
                    .and_then(|a| a["address"].as_str().map(str::to_string))
            })
            .unwrap_or_default()
    }

    fn run_timeline(&mut self, elapsed: f64, now: Timestamp) {
        let due: Vec<TimelineEvent> = self
            .timeline
            .iter()
            .filter(|(at, _)| *at <= elapsed)
            .map(|(_, e)| e.clone())
            .collect();
        self.timeline.retain(|(at, _)| *at > elapsed);
        for event in due {
            match event {
                TimelineEvent::NodeNotReady(node) => self.set_node_ready(&node, false, now),
                TimelineEvent::NodeReady(node) => self.set_node_ready(&node, true, now),
                TimelineEvent::PodCrashloop {
                    namespace,
                    pod,
                    runs_for,
                } => {
                    let secs = parse_duration(&runs_for).map_or(5, |d| d.as_secs().max(1));
                    let trouble = json!({"kind": "crashloop", "runs_for": secs, "exit_code": 1});
                    let _ = self.store.update(ids::pods(), &namespace, &pod, None, |o| {
                        o["metadata"]["annotations"][pods::TROUBLE] = json!(trouble.to_string());
                        Ok(())
                    });
                }
                TimelineEvent::BslUnavailable(name) => self.set_bsl(&name, false, now),
                TimelineEvent::BslAvailable(name) => self.set_bsl(&name, true, now),
                // The platform simulation reads its own steps from the scenario.
                _ => {}
            }
        }
    }

    /// A BackupStorageLocation's phase, as Velero's validation loop reports it.
    fn set_bsl(&mut self, name: &str, available: bool, now: Timestamp) {
        let _ = self.store.update(
            ids::by_name("BackupStorageLocation"),
            "velero",
            name,
            None,
            |o| {
                o["status"]["phase"] = json!(if available { "Available" } else { "Unavailable" });
                o["status"]["lastValidationTime"] = json!(rfc3339(now));
                o["status"]["message"] = if available {
                    Value::Null
                } else {
                    json!("BackupStorageLocation \"default\" is unavailable: rpc error: code = Unknown desc = operation error S3: ListObjectsV2, https response error StatusCode: 503, api error SlowDown")
                };
                Ok(())
            },
        );
    }

    /// Flips a node's Ready condition and the matching taints, as the node lifecycle
    /// controller does when a kubelet stops (or resumes) posting status.
    pub fn set_node_ready(&mut self, node: &str, ready: bool, now: Timestamp) {
        let now_s = rfc3339(now);
        let Ok(entry) = self.store.update(ids::nodes(), "", node, None, |o| {
            if let Some(conds) = o["status"]["conditions"].as_array_mut() {
                for c in conds.iter_mut() {
                    let (status, reason, message) = match (c["type"].as_str(), ready) {
                        (Some("Ready"), true) => ("True", "KubeletReady", "kubelet is posting ready status"),
                        (Some("Ready"), false) => ("Unknown", "NodeStatusUnknown", "Kubelet stopped posting node status."),
                        (_, true) => ("False", "KubeletHasSufficientResources", "kubelet has sufficient resources"),
                        (_, false) => ("Unknown", "NodeStatusUnknown", "Kubelet stopped posting node status."),
                    };
                    c["status"] = json!(status);
                    c["reason"] = json!(reason);
                    c["message"] = json!(message);
                    c["lastTransitionTime"] = json!(now_s);
                }
            }
            let mut taints: Vec<Value> = o["spec"]["taints"].as_array().cloned().unwrap_or_default();
            taints.retain(|t| t["key"].as_str().is_none_or(|k| k != "node.kubernetes.io/unreachable"));
            if !ready {
                taints.push(json!({"key": "node.kubernetes.io/unreachable", "effect": "NoSchedule", "timeAdded": now_s}));
                taints.push(json!({"key": "node.kubernetes.io/unreachable", "effect": "NoExecute", "timeAdded": now_s}));
            }
            if taints.is_empty() {
                if let Some(spec) = o["spec"].as_object_mut() {
                    spec.remove("taints");
                }
            } else {
                o["spec"]["taints"] = json!(taints);
            }
            Ok(())
        }) else {
            return;
        };
        let node_obj = entry.value();
        if ready {
            self.lost_nodes.remove(node);
            self.recorder.record(
                &self.store,
                &node_obj,
                EventSpec::normal(
                    "NodeReady",
                    "node-controller",
                    format!("Node {node} status is now: NodeReady"),
                ),
            );
        } else {
            self.lost_nodes.insert(node.to_string(), now);
            self.recorder.record(
                &self.store,
                &node_obj,
                EventSpec::normal(
                    "NodeNotReady",
                    "node-controller",
                    format!("Node {node} status is now: NodeNotReady"),
                ),
            );
            // Pods on the node stop being Ready at once.
            for e in self.store.all(ids::pods(), None, |e| {
                e.field("spec.nodeName").as_deref() == Some(node)
            }) {
                let _ =
                    self.store
                        .update(ids::pods(), &e.namespace, &e.name, None, |o| {
                            if let Some(conds) = o["status"]["conditions"].as_array_mut() {
                                for c in conds.iter_mut().filter(|c| {
                                    c["type"] == "Ready" || c["type"] == "ContainersReady"
                                }) {
                                    c["status"] = json!("False");
                                    c["lastTransitionTime"] = json!(now_s);
                                }
                            }
                            if let Some(cs) = o["status"]["containerStatuses"].as_array_mut() {
                                for c in cs.iter_mut() {
                                    c["ready"] = json!(false);
                                }
                            }
                            Ok(())
                        });
            }
        }
        self.nodes_dirty = true;
    }

    /// Evicts the pods of nodes that have been NotReady too long (they show as Unknown:
    /// NodeLost), then force-deletes them so their controllers can replace them elsewhere.
    fn node_lifecycle(&mut self, now: Timestamp) {
        let lost: Vec<(String, Timestamp)> = self
            .lost_nodes
            .iter()
            .map(|(n, t)| (n.clone(), *t))
            .collect();
        for (node, since) in lost {
            let age = now.duration_since(since).as_secs();
            if age < EVICT_AFTER_SECS {
                continue;
            }
            let now_s = rfc3339(now);
            for e in self.store.all(ids::pods(), None, |e| {
                e.field("spec.nodeName").as_deref() == Some(node.as_str())
            }) {
                let pod = e.value();
                // DaemonSet pods tolerate the unreachable taint and stay; finished pods
                // have nothing to evict.
                let stays =
                    scheduler::tolerates(&pod, "node.kubernetes.io/unreachable", "", "NoExecute")
                        || matches!(
                            pod["status"]["phase"].as_str(),
                            Some("Succeeded" | "Failed")
                        );
                if stays {
                    continue;
                }
                if pod["metadata"]["deletionTimestamp"].is_null() {
                    let _ = self
                        .store
                        .update(ids::pods(), &e.namespace, &e.name, None, |o| {
                            o["metadata"]["deletionTimestamp"] = json!(now_s);
                            o["metadata"]["deletionGracePeriodSeconds"] = json!(30);
                            o["status"]["reason"] = json!("NodeLost");
                            o["status"]["message"] = json!(format!(
                                "Node {node} which was running pod {} is unresponsive",
                                e.name
                            ));
                            Ok(())
                        });
                    self.recorder.record(
                        &self.store,
                        &pod,
                        EventSpec::normal(
                            "TaintManagerEviction",
                            "taint-eviction-controller",
                            format!("Marking for deletion Pod {}/{}", e.namespace, e.name),
                        ),
                    );
                } else if ts(&pod["metadata"]["deletionTimestamp"])
                    .is_some_and(|d| now.duration_since(d).as_secs() >= FORCE_DELETE_AFTER_SECS)
                {
                    self.store.remove(ids::pods(), &e.namespace, &e.name);
                }
            }
        }
    }

    /// Empties namespaces being deleted, then removes them.
    fn terminate_namespaces(&mut self) {
        for ns in self.store.all(ids::namespaces(), None, |e| {
            e.field("status.phase").as_deref() == Some("Terminating")
        }) {
            let mut remaining = 0;
            for (res, r) in resources::RESOURCES.iter().enumerate() {
                if !r.namespaced || r.virtual_kind {
                    continue;
                }
                for e in self.store.all(res, Some(&ns.name), |_| true) {
                    remaining += 1;
                    let _ = semantics::delete(&self.store, res, &e, None, false, false);
                }
            }
            if remaining == 0 {
                self.store.remove(ids::namespaces(), "", &ns.name);
            }
        }
    }

    fn expire_events(&mut self, now: Timestamp) {
        let cutoff = now
            .checked_sub(SignedDuration::from_secs(EVENT_TTL_SECS))
            .unwrap_or(now);
        for e in self.store.all(ids::events(), None, |_| true) {
            // The TTL runs from the last write: a series' last observation, a legacy
            // event's lastTimestamp, else its eventTime.
            let v = e.value();
            let last = ts(&v["series"]["lastObservedTime"])
                .or_else(|| ts(&v["lastTimestamp"]))
                .or_else(|| ts(&v["eventTime"]));
            if last.is_some_and(|t| t < cutoff) {
                self.store.remove(ids::events(), &e.namespace, &e.name);
            }
        }
        self.recorder.forget_missing(&self.store);
    }
}

fn ts(v: &Value) -> Option<Timestamp> {
    v.as_str()?.parse().ok()
}
