//! Turns a scenario into the objects of a cluster that has been running for a while:
//! nodes with capacity and conditions, namespaces, workloads with their ReplicaSets and
//! already-running pods (placed by the simulated scheduler), the scenario's trouble,
//! services, secrets (random values, never printed) and Velero's schedule, storage
//! location and backup history. `--pods N` adds N more pods on extra nodes for scale
//! tests. Runs once at start-up; the controllers in `sim` take it from there.

use base64::Engine;
use jiff::{SignedDuration, Timestamp, ToSpan};
use serde_json::{Value, json};

use super::clock::rfc3339;
use super::resources::{ResId, ids};
use super::scenario::{
    DisruptionBudgetSpec, ExternalSecretSpec, IntOrPercent, NodeGroup, Scenario, TaintEffect,
    TroubleKind, Workload, WorkloadKind, parse_duration,
};
use super::sim::eso;
use super::sim::pods::{self, TROUBLE};
use super::sim::scheduler::{self, NodeInfo};
use super::status::ApiError;
use super::store::Store;

/// Pods per extra node for `--pods N`, and replicas per extra deployment.
const SCALE_PODS_PER_NODE: usize = 50;
const SCALE_DEPLOYMENTS_PER_NAMESPACE: usize = 20;

pub struct Seeded {
    /// Backups whose contents the Velero simulation must capture: (name, namespaces).
    pub backups: Vec<(String, Vec<String>)>,
}

struct Seeder<'a> {
    store: &'a Store,
    now: Timestamp,
    nodes: Vec<NodeInfo>,
    node_index: usize,
}

/// The InternalIP of the idx-th node (1-based, creation order).
fn host_ip(idx: usize) -> String {
    format!("10.0.{}.{}", idx / 200, 10 + idx % 200)
}

fn ago(now: Timestamp, age: &str) -> Timestamp {
    let secs = parse_duration(age).map_or(0, |d| d.as_secs() as i64);
    now.checked_sub(SignedDuration::from_secs(secs))
        .unwrap_or(now)
}

impl Seeder<'_> {
    /// Stores a seeded object with its back-dated creation time; returns it as stored.
    fn insert(&self, res: ResId, obj: Value, created: Timestamp) -> Result<Value, ApiError> {
        self.put(res, obj, created).map(|e| e.value())
    }

    /// Like `insert` without reading the object back (the hot path for `--pods N`).
    fn put(
        &self,
        res: ResId,
        mut obj: Value,
        created: Timestamp,
    ) -> Result<std::sync::Arc<super::store::Entry>, ApiError> {
        self.store.stamp_new(res, &mut obj);
        obj["metadata"]["creationTimestamp"] = json!(rfc3339(created));
        super::semantics::apply_defaults(self.store, res, &mut obj);
        self.store.insert(res, obj)
    }

    /// kube-scheduler's FailedScheduling for a pod Pending since `created`, as the API
    /// server holds it now: retried every RESCHEDULE_EVERY_SECS, the series written at the
    /// second attempt (count 2) and then every 30 minutes (sim/events.rs).
    fn failed_scheduling_history(
        &self,
        pod: &Value,
        message: String,
        created: Timestamp,
    ) -> Result<(), ApiError> {
        use super::sim::events::{EventSpec, new_style_event};
        let retry = super::sim::RESCHEDULE_EVERY_SECS;
        let elapsed = self.now.duration_since(created).as_secs();
        let observed = match elapsed {
            e if e < retry => None,
            e if e < 1800 => Some(retry),
            e => Some(e / 1800 * 1800),
        };
        let series = observed.map(|secs| {
            let at = created
                .checked_add(SignedDuration::from_secs(secs))
                .unwrap_or(created);
            ((1 + secs / retry) as u64, at)
        });
        let spec = EventSpec::warning("FailedScheduling", "default-scheduler", message)
            .new_style("Scheduling");
        let event = new_style_event(self.store, pod, &spec, "Scheduling", created, series);
        self.store.insert(ids::events(), event).map(|_| ())
    }

    fn node(&mut self, g: &NodeGroup, i: u32) -> Result<(), ApiError> {
        self.node_index += 1;
        let idx = self.node_index;
        let name = format!("{}-{i}", g.prefix);
        let mut labels = json!({
            "kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
            "beta.kubernetes.io/os": "linux", "beta.kubernetes.io/arch": "amd64",
            format!("node-role.kubernetes.io/{}", g.role): "",
        });
        for (k, v) in &g.labels {
            labels[k] = json!(v);
        }
        let mem_bytes = lakedeck_model::quantity::bytes(&g.memory).unwrap_or(0);
        let reserved = 512 * 1024 * 1024;
        let created = ago(self.now, "120d");
        let created_s = rfc3339(created);
        let ip = host_ip(idx);
        let cond = |t: &str, s: &str, reason: &str, msg: &str| {
            json!({"type": t, "status": s, "reason": reason, "message": msg,
                   "lastHeartbeatTime": rfc3339(self.now), "lastTransitionTime": created_s})
        };
        let mut node = json!({
            "apiVersion": "v1", "kind": "Node",
            "metadata": {"name": name, "labels": labels, "annotations": {"node.alpha.kubernetes.io/ttl": "0"}},
            "spec": {"podCIDR": format!("10.244.{}.0/24", idx % 250), "podCIDRs": [format!("10.244.{}.0/24", idx % 250)]},
            "status": {
                "capacity": {"cpu": g.cpu, "memory": format!("{}Ki", mem_bytes / 1024), "pods": g.pods.to_string(), "ephemeral-storage": g.storage.clone().unwrap_or_else(|| "100Gi".into())},
                "allocatable": {"cpu": g.cpu, "memory": format!("{}Ki", (mem_bytes - reserved).max(0) / 1024), "pods": g.pods.to_string(), "ephemeral-storage": g.storage.clone().unwrap_or_else(|| "100Gi".into())},
                "conditions": [
                    cond("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
                    cond("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
                    cond("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
                    cond("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
                ],
                "addresses": [{"type": "InternalIP", "address": ip}, {"type": "Hostname", "address": name}],
                "nodeInfo": {
                    "kubeletVersion": "v1.33.0", "kubeProxyVersion": "v1.33.0", "osImage": "Ubuntu 24.04.2 LTS",
                    "kernelVersion": "6.8.0-57-generic", "containerRuntimeVersion": "containerd://1.7.27",
                    "operatingSystem": "linux", "architecture": "amd64",
                    "machineID": format!("{:032x}", fastrand::u128(..)), "systemUUID": format!("{:032x}", fastrand::u128(..)),
                    "bootID": format!("{:032x}", fastrand::u128(..)),
                },
                "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            },
        });
        if !g.taints.is_empty() {
            node["spec"]["taints"] = g
                .taints
                .iter()
                .map(|t| {
                    let effect = match t.effect {
                        TaintEffect::NoSchedule => "NoSchedule",
                        TaintEffect::PreferNoSchedule => "PreferNoSchedule",
                        TaintEffect::NoExecute => "NoExecute",
                    };
                    let mut v = json!({"key": t.key, "effect": effect});
                    if let Some(value) = &t.value {
                        v["value"] = json!(value);
                    }
                    v
                })
                .collect();
        }
        let stored = self.insert(ids::nodes(), node, created)?;
        self.nodes.push(NodeInfo::from_node(&stored));
        Ok(())
    }

    fn namespace(&self, name: &str, age: &str) -> Result<(), ApiError> {
        let created = ago(self.now, age);
        self.insert(
            ids::namespaces(),
            json!({"metadata": {"name": name}}),
            created,
        )?;
        self.insert(
            ids::by_name("ServiceAccount"),
            json!({"metadata": {"name": "default", "namespace": name}}),
            created,
        )?;
        self.insert(
            ids::by_name("ConfigMap"),
            json!({"metadata": {"name": "kube-root-ca.crt", "namespace": name}, "data": {"ca.crt": "-----BEGIN CERTIFICATE-----\n(lakedeck lab CA)\n-----END CERTIFICATE-----\n"}}),
            created,
        )?;
        Ok(())
    }

    /// A pod of `owner` that has been running since the workload was created.
    fn running_pod(
        &mut self,
        owner: &Value,
        name: &str,
        extra: &[(&str, String)],
        (index, trouble): (u32, &[super::scenario::Trouble]),
        node: Option<&str>,
        created: Timestamp,
    ) -> Result<(), ApiError> {
        let mut pod = pods::from_template(owner, name, extra, node);
        let node = match node {
            Some(n) => n.to_string(),
            None => match scheduler::pick(&pod, &self.nodes) {
                Ok(n) => n,
                Err(message) => {
                    // Cannot fit: Pending, with the FailedScheduling series the
                    // scheduler has been writing about it since it was created.
                    let stored = self.put(ids::pods(), pod, created)?;
                    self.failed_scheduling_history(&stored.value(), message, created)?;
                    return Ok(());
                }
            },
        };
        let (cpu, mem) = scheduler::requests(&pod);
        let node_idx = self.nodes.iter().position(|n| n.name == node).unwrap_or(0);
        let Some(n) = self.nodes.get_mut(node_idx) else {
            return Ok(());
        };
        n.used_cpu_m += cpu;
        n.used_mem += mem;
        n.used_pods += 1;
        // Addresses in creation order: unique within the node's pod CIDR.
        let pod_ip = format!("{}.{}", n.pod_net, 1 + n.used_pods);
        let host_ip = host_ip(node_idx + 1);
        let started = created
            .checked_add(SignedDuration::from_secs(9))
            .unwrap_or(created);
        pods::make_running(&mut pod, &node, &host_ip, &pod_ip, created, started);
        for t in trouble.iter().filter(|t| t.pod == index) {
            match &t.kind {
                TroubleKind::Crashloop {
                    runs_for,
                    exit_code,
                    restarts,
                } => {
                    let run = parse_duration(runs_for).map_or(15, |d| d.as_secs() as i64);
                    // The last crash was almost one full back-off ago, so the next restart
                    // (and the restart count growing) comes within seconds of start.
                    let backoff = super::sim::kubelet::backoff_secs(i64::from(*restarts));
                    let finished = self
                        .now
                        .checked_sub(SignedDuration::from_secs(backoff - 8))
                        .unwrap_or(self.now);
                    let began = finished
                        .checked_sub(SignedDuration::from_secs(run))
                        .unwrap_or(finished);
                    let cs = &mut pod["status"]["containerStatuses"][0];
                    cs["restartCount"] = json!(restarts);
                    cs["ready"] = json!(false);
                    cs["started"] = json!(false);
                    cs["state"] = json!({"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 5m0s restarting failed container"}});
                    cs["lastState"] = json!({"terminated": {"exitCode": exit_code, "reason": "Error", "startedAt": rfc3339(began), "finishedAt": rfc3339(finished), "containerID": pods::container_id()}});
                    if let Some(conds) = pod["status"]["conditions"].as_array_mut() {
                        for c in conds
                            .iter_mut()
                            .filter(|c| c["type"] == "Ready" || c["type"] == "ContainersReady")
                        {
                            c["status"] = json!("False");
                            c["reason"] = json!("ContainersNotReady");
                            c["lastTransitionTime"] = json!(rfc3339(finished));
                        }
                    }
                    let t = json!({"kind": "crashloop", "runs_for": run, "exit_code": exit_code});
                    pod["metadata"]["annotations"][TROUBLE] = json!(t.to_string());
                    pod["metadata"]["annotations"]["lab.lakedeck.io/trouble-index"] =
                        json!(index.to_string());
                }
                TroubleKind::OomKilled { ago: when } => {
                    let died = ago(self.now, when);
                    let cs = &mut pod["status"]["containerStatuses"][0];
                    cs["restartCount"] = json!(1);
                    cs["lastState"] = json!({"terminated": {"exitCode": 137, "reason": "OOMKilled", "startedAt": rfc3339(started), "finishedAt": rfc3339(died), "containerID": pods::container_id()}});
                    let restarted = died
                        .checked_add(SignedDuration::from_secs(1))
                        .unwrap_or(died);
                    cs["state"] = json!({"running": {"startedAt": rfc3339(restarted)}});
                }
                TroubleKind::Unschedulable { .. } => {}
            }
        }
        self.put(ids::pods(), pod, created)?;
        Ok(())
    }

    fn workload(&mut self, w: &Workload) -> Result<(), ApiError> {
        let created = ago(self.now, &w.age);
        let obj = super::templates::workload(w);
        let res = match w.kind {
            WorkloadKind::Deployment => ids::deployments(),
            WorkloadKind::StatefulSet => ids::statefulsets(),
            WorkloadKind::DaemonSet => ids::daemonsets(),
            WorkloadKind::Job => ids::jobs(),
            WorkloadKind::CronJob => ids::by_name("CronJob"),
        };
        let stored = self.insert(res, obj, created)?;
        let pod_created = |i: u32| {
            created
                .checked_add(SignedDuration::from_secs(30 + 20 * i64::from(i)))
                .unwrap_or(created)
        };
        match w.kind {
            WorkloadKind::Deployment => {
                let rs = self.insert(
                    ids::replicasets(),
                    super::sim::workloads::replicaset_for(&stored, 1),
                    created,
                )?;
                for i in 0..w.replicas {
                    let name =
                        self.store
                            .generate_name(ids::pods(), &w.namespace, &str_of(&rs, "name"));
                    self.running_pod(&rs, &name, &[], (i, &w.trouble), None, pod_created(i))?;
                }
            }
            WorkloadKind::StatefulSet => {
                let revision = format!(
                    "{}-{}",
                    w.name,
                    pods::template_hash(&stored["spec"]["template"])
                );
                for i in 0..w.replicas {
                    let name = format!("{}-{i}", w.name);
                    let extra = [
                        ("statefulset.kubernetes.io/pod-name", name.clone()),
                        ("apps.kubernetes.io/pod-index", i.to_string()),
                        ("controller-revision-hash", revision.clone()),
                    ];
                    self.running_pod(
                        &stored,
                        &name,
                        &extra,
                        (i, &w.trouble),
                        None,
                        pod_created(i),
                    )?;
                }
            }
            WorkloadKind::DaemonSet => {
                let hash = pods::template_hash(&stored["spec"]["template"]);
                let targets: Vec<String> = self
                    .nodes
                    .iter()
                    .filter(|n| n.taints.is_empty() || w.tolerate_control_plane)
                    .filter(|n| {
                        w.node_selector
                            .iter()
                            .all(|(k, v)| n.labels.get(k) == Some(v))
                    })
                    .map(|n| n.name.clone())
                    .collect();
                for (i, node) in targets.iter().enumerate() {
                    let name = self.store.generate_name(ids::pods(), &w.namespace, &w.name);
                    self.running_pod(
                        &stored,
                        &name,
                        &[("controller-revision-hash", hash.clone())],
                        (i as u32, &w.trouble),
                        Some(node),
                        pod_created(0),
                    )?;
                }
            }
            WorkloadKind::Job => {
                let started = ago(self.now, &w.age);
                let name = self.store.generate_name(ids::pods(), &w.namespace, &w.name);
                let extra = [
                    ("batch.kubernetes.io/job-name", w.name.clone()),
                    ("job-name", w.name.clone()),
                ];
                self.running_pod(&stored, &name, &extra, (0, &w.trouble), None, started)?;
            }
            WorkloadKind::CronJob => self.last_cron_run(w, &stored)?,
        }
        if let Some(port) = w.service_port {
            let svc = json!({
                "apiVersion": "v1", "kind": "Service",
                "metadata": {"name": w.name, "namespace": w.namespace, "labels": w.labels},
                "spec": {"type": "ClusterIP", "clusterIP": format!("10.96.{}.{}", fastrand::u8(1..250), fastrand::u8(1..250)),
                         "ports": [{"port": port, "targetPort": port, "protocol": "TCP"}], "selector": w.labels},
            });
            self.insert(ids::by_name("Service"), svc, created)?;
        }
        Ok(())
    }

    /// The Job (and its Completed pod) a daily CronJob left behind this morning.
    fn last_cron_run(&mut self, w: &Workload, cronjob: &Value) -> Result<(), ApiError> {
        let run_secs = w
            .run_time
            .as_deref()
            .and_then(parse_duration)
            .map_or(30, |d| d.as_secs() as i64);
        let started = ago(self.now, "5h");
        let finished = started
            .checked_add(SignedDuration::from_secs(run_secs))
            .unwrap_or(started);
        let job_name = format!("{}-{}", w.name, started.as_second() / 60);
        let template = cronjob["spec"]["jobTemplate"]["spec"]["template"].clone();
        let job = json!({
            "apiVersion": "batch/v1", "kind": "Job",
            "metadata": {"name": job_name, "namespace": w.namespace, "labels": w.labels, "ownerReferences": [pods::owner_ref(cronjob)]},
            "spec": {"completions": 1, "parallelism": 1, "backoffLimit": 6, "template": template},
            "status": {"succeeded": 1, "active": 0, "failed": 0, "ready": 0, "startTime": rfc3339(started), "completionTime": rfc3339(finished),
                       "conditions": [{"type": "Complete", "status": "True", "lastProbeTime": rfc3339(finished), "lastTransitionTime": rfc3339(finished)}]},
        });
        let job = self.insert(ids::jobs(), job, started)?;
        let mut pod = pods::from_template(
            &job,
            &self
                .store
                .generate_name(ids::pods(), &w.namespace, &job_name),
            &[
                ("batch.kubernetes.io/job-name", job_name.clone()),
                ("job-name", job_name.clone()),
            ],
            None,
        );
        let node = scheduler::pick(&pod, &self.nodes).unwrap_or_default();
        let node_ip = host_ip(self.nodes.iter().position(|n| n.name == node).unwrap_or(0) + 1);
        pods::make_running(&mut pod, &node, &node_ip, "", started, started);
        pod["status"]["phase"] = json!("Succeeded");
        let cs = &mut pod["status"]["containerStatuses"][0];
        cs["ready"] = json!(false);
        cs["started"] = json!(false);
        cs["state"] = json!({"terminated": {"exitCode": 0, "reason": "Completed", "startedAt": rfc3339(started), "finishedAt": rfc3339(finished), "containerID": pods::container_id()}});
        if let Some(conds) = pod["status"]["conditions"].as_array_mut() {
            for c in conds
                .iter_mut()
                .filter(|c| c["type"] == "Ready" || c["type"] == "ContainersReady")
            {
                c["status"] = json!("False");
                c["reason"] = json!("PodCompleted");
            }
        }
        // A finished pod has released its address: the fields are absent, not null.
        if let Some(status) = pod["status"].as_object_mut() {
            status.remove("podIP");
            status.remove("podIPs");
        }
        self.insert(ids::pods(), pod, started)?;
        let ns = str_of(cronjob, "namespace");
        let name = str_of(cronjob, "name");
        let _ = self.store.update(ids::by_name("CronJob"), &ns, &name, None, |o| {
            o["status"] = json!({"lastScheduleTime": rfc3339(started), "lastSuccessfulTime": rfc3339(finished)});
            Ok(())
        });
        Ok(())
    }

    fn velero(&mut self, s: &Scenario) -> Result<Vec<(String, Vec<String>)>, ApiError> {
        let Some(v) = &s.velero else {
            return Ok(Vec::new());
        };
        let created = ago(self.now, "60d");
        self.insert(ids::by_name("BackupStorageLocation"), json!({
            "apiVersion": "velero.io/v1", "kind": "BackupStorageLocation",
            "metadata": {"name": "default", "namespace": "velero"},
            "spec": {"provider": "aws", "default": true, "accessMode": "ReadWrite",
                     "objectStorage": {"bucket": v.bucket, "prefix": "velero"},
                     "config": {"region": "minio", "s3ForcePathStyle": "true", "s3Url": "http://minio.minio.svc.cluster.local:80"},
                     "credential": {"name": "cloud-credentials", "key": "cloud"}},
            "status": {"phase": "Available", "lastValidationTime": rfc3339(ago(self.now, "20s")), "lastSyncedTime": rfc3339(ago(self.now, "40s"))},
        }), created)?;
        let template = json!({"includedNamespaces": v.included_namespaces, "ttl": v.ttl, "storageLocation": "default", "snapshotVolumes": true});
        // Last night's 02:00 UTC (or the night before, before 02:00 today).
        let midnight = self
            .now
            .to_zoned(jiff::tz::TimeZone::UTC)
            .date()
            .to_zoned(jiff::tz::TimeZone::UTC)
            .map(|z| z.timestamp())
            .unwrap_or(self.now);
        let mut last = midnight.checked_add(2.hours()).unwrap_or(midnight);
        if last > self.now {
            last = last.checked_sub(24.hours()).unwrap_or(last);
        }
        let mut backups = Vec::new();
        for day in (1..=v.history_days).rev() {
            let start = last
                .checked_sub(SignedDuration::from_hours(24 * i64::from(day - 1)))
                .unwrap_or(last);
            let end = start
                .checked_add(SignedDuration::from_secs(360 + i64::from(day) * 7))
                .unwrap_or(start);
            let expires = start
                .checked_add(SignedDuration::from_hours(720))
                .unwrap_or(start);
            let partial = v.partially_failed.contains(&day);
            let name = format!("{}-{}", v.schedule, start.strftime("%Y%m%d%H%M%S"));
            let items = 1400 + day * 3;
            if v.failed.contains(&day) {
                // Failed early: the storage location refused the upload.
                self.insert(ids::backups(), json!({
                    "apiVersion": "velero.io/v1", "kind": "Backup",
                    "metadata": {"name": name, "namespace": "velero", "labels": {"velero.io/schedule-name": v.schedule, "velero.io/storage-location": "default"}},
                    "spec": template,
                    "status": {"phase": "Failed", "version": 1, "formatVersion": "1.1.0",
                               "startTimestamp": rfc3339(start), "completionTimestamp": rfc3339(start.checked_add(SignedDuration::from_secs(95)).unwrap_or(start)),
                               "expiration": rfc3339(expires),
                               "failureReason": "error uploading backup tarball: rpc error: code = Unknown desc = operation error S3: PutObject, https response error StatusCode: 503, api error SlowDown: Please reduce your request rate.",
                               "progress": {"totalItems": items, "itemsBackedUp": 212}, "errors": 1, "warnings": 0},
                }), start)?;
                continue;
            }
            self.insert(ids::backups(), json!({
                "apiVersion": "velero.io/v1", "kind": "Backup",
                "metadata": {"name": name, "namespace": "velero", "labels": {"velero.io/schedule-name": v.schedule, "velero.io/storage-location": "default"}},
                "spec": template,
                "status": {"phase": if partial { "PartiallyFailed" } else { "Completed" }, "version": 1, "formatVersion": "1.1.0",
                           "startTimestamp": rfc3339(start), "completionTimestamp": rfc3339(end), "expiration": rfc3339(expires),
                           "progress": {"totalItems": items, "itemsBackedUp": if partial { items - 2 } else { items }},
                           "errors": if partial { 2 } else { 0 }, "warnings": if partial { 5 } else { 1 },
                           "volumeSnapshotsAttempted": 8, "volumeSnapshotsCompleted": if partial { 6 } else { 8 }},
            }), start)?;
            backups.push((name, v.included_namespaces.clone()));
        }
        self.insert(ids::by_name("Schedule"), json!({
            "apiVersion": "velero.io/v1", "kind": "Schedule",
            "metadata": {"name": v.schedule, "namespace": "velero"},
            "spec": {"schedule": v.cron, "template": template, "useOwnerReferencesInBackup": false},
            "status": {"phase": "Enabled", "lastBackup": rfc3339(last)},
        }), created)?;
        Ok(backups)
    }

    fn disruption_budget(&self, b: &DisruptionBudgetSpec) -> Result<(), ApiError> {
        let value = |v: &IntOrPercent| match v {
            IntOrPercent::Int(n) => json!(n),
            IntOrPercent::Percent(p) => json!(p),
        };
        let mut spec = json!({"selector": {"matchLabels": b.selector}});
        match (&b.min_available, &b.max_unavailable) {
            (Some(min), None) => spec["minAvailable"] = value(min),
            (None, Some(max)) => spec["maxUnavailable"] = value(max),
            _ => {
                return Err(ApiError::bad_request(format!(
                    "disruption budget {}/{} needs exactly one of min_available and max_unavailable",
                    b.namespace, b.name
                )));
            }
        }
        self.insert(
            ids::pdbs(),
            json!({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
                   "metadata": {"name": b.name, "namespace": b.namespace}, "spec": spec}),
            ago(self.now, "30d"),
        )?;
        Ok(())
    }

    /// An ExternalSecret that synced its (seeded) Secret 20 minutes ago.
    fn external_secret(&self, es: &ExternalSecretSpec) -> Result<(), ApiError> {
        let target = es.target.clone().unwrap_or_else(|| es.name.clone());
        let Some(secret) = self.store.get_value(ids::secrets(), &es.namespace, &target) else {
            return Err(ApiError::bad_request(format!(
                "external secret {}/{} targets Secret {target}, which the scenario does not define under secrets",
                es.namespace, es.name
            )));
        };
        let remote = es
            .remote_key
            .clone()
            .unwrap_or_else(|| format!("lakehouse/{}/{target}", es.namespace));
        let data: Vec<Value> = secret["data"]
            .as_object()
            .map(|d| {
                d.keys()
                    .map(|k| json!({"secretKey": k, "remoteRef": {"key": remote, "property": k}}))
                    .collect()
            })
            .unwrap_or_default();
        let stored = self.insert(
            ids::external_secrets(),
            json!({"apiVersion": "external-secrets.io/v1", "kind": "ExternalSecret",
                   "metadata": {"name": es.name, "namespace": es.namespace},
                   "spec": {"refreshInterval": es.refresh_interval,
                            "secretStoreRef": {"name": es.store, "kind": "ClusterSecretStore"},
                            "target": {"name": target, "creationPolicy": "Owner", "deletionPolicy": "Retain"},
                            "data": data}}),
            ago(self.now, "45d"),
        )?;
        self.store
            .update(ids::secrets(), &es.namespace, &target, None, |o| {
                eso::mark_managed(o, &stored);
                Ok(())
            })?;
        self.store.update(
            ids::external_secrets(),
            &es.namespace,
            &es.name,
            None,
            |o| {
                o["status"] = eso::synced_status(o, ago(self.now, "20m"));
                Ok(())
            },
        )?;
        Ok(())
    }

    fn secret(&self, ns: &str, name: &str, kind: &str, keys: &[String]) -> Result<(), ApiError> {
        let data: serde_json::Map<String, Value> = keys
            .iter()
            .map(|k| {
                let raw: String = (0..32).map(|_| fastrand::alphanumeric()).collect();
                (
                    k.clone(),
                    json!(base64::engine::general_purpose::STANDARD.encode(raw)),
                )
            })
            .collect();
        self.insert(ids::by_name("Secret"), json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name, "namespace": ns}, "type": kind, "data": data}), ago(self.now, "60d"))?;
        Ok(())
    }

    /// The extra nodes for `--pods N`, added before the workloads so DaemonSets cover them
    /// from the start. Tainted so the scenario's own pods stay on the scenario's nodes.
    fn scale_nodes(&mut self, extra_pods: usize) -> Result<usize, ApiError> {
        let first_node = self.nodes.len();
        if extra_pods == 0 {
            return Ok(first_node);
        }
        let node_count = extra_pods.div_ceil(SCALE_PODS_PER_NODE);
        let group = NodeGroup {
            prefix: "worker".into(),
            count: 0,
            role: "worker".into(),
            cpu: "64".into(),
            memory: "256Gi".into(),
            pods: 110,
            labels: [("lakedeck.io/pool".to_string(), "scale".to_string())].into(),
            taints: vec![super::scenario::TaintSpec {
                key: "lakedeck.io/scale".into(),
                value: Some("true".into()),
                effect: TaintEffect::NoSchedule,
            }],
            storage: None,
        };
        for i in 1..=node_count {
            self.node(&group, i as u32)?;
        }
        Ok(first_node)
    }

    /// The `--pods N` Deployments, ~50 running pods on each extra node.
    fn scale_workloads(&mut self, extra_pods: usize, first_node: usize) -> Result<(), ApiError> {
        let deployments = extra_pods.div_ceil(SCALE_PODS_PER_NODE);
        let mut remaining = extra_pods;
        for d in 0..deployments {
            let ns = format!("scale-{:03}", d / SCALE_DEPLOYMENTS_PER_NAMESPACE);
            if d % SCALE_DEPLOYMENTS_PER_NAMESPACE == 0 {
                self.namespace(&ns, "10d")?;
            }
            let replicas = remaining.min(SCALE_PODS_PER_NODE);
            remaining -= replicas;
            let name = format!("app-{d:04}");
            let labels = json!({"app": name, "tier": "batch"});
            let dep = json!({
                "apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": {"name": name, "namespace": ns, "labels": labels},
                "spec": {"replicas": replicas, "selector": {"matchLabels": labels}, "template": {"metadata": {"labels": labels}, "spec": {
                    "nodeSelector": {"lakedeck.io/pool": "scale"},
                    "tolerations": [{"key": "lakedeck.io/scale", "operator": "Equal", "value": "true", "effect": "NoSchedule"}],
                    "containers": [{"name": "app", "image": "docker.io/library/busybox:1.37", "resources": {"requests": {"cpu": "50m", "memory": "64Mi"}}}],
                }}},
            });
            let dep = self.insert(ids::deployments(), dep, ago(self.now, "10d"))?;
            let rs = self.insert(
                ids::replicasets(),
                super::sim::workloads::replicaset_for(&dep, 1),
                ago(self.now, "10d"),
            )?;
            let node = self.nodes.get(first_node + d).map(|n| n.name.clone());
            for _ in 0..replicas {
                let pod_name = self
                    .store
                    .generate_name(ids::pods(), &ns, &str_of(&rs, "name"));
                self.running_pod(
                    &rs,
                    &pod_name,
                    &[],
                    (0, &[]),
                    node.as_deref(),
                    ago(self.now, "9d"),
                )?;
            }
        }
        Ok(())
    }
}

fn str_of(obj: &Value, field: &str) -> String {
    obj["metadata"][field]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// Builds the scenario's cluster into `store`.
pub fn seed(store: &Store, scenario: &Scenario, extra_pods: usize) -> Result<Seeded, ApiError> {
    let mut s = Seeder {
        store,
        now: store.clock.now(),
        nodes: Vec::new(),
        node_index: 0,
    };
    for g in &scenario.nodes {
        for i in 1..=g.count {
            s.node(g, i)?;
        }
    }
    let first_scale_node = s.scale_nodes(extra_pods)?;
    for ns in ["default", "kube-public", "kube-node-lease"] {
        s.namespace(ns, "120d")?;
    }
    for ns in &scenario.namespaces {
        if store.get(ids::namespaces(), "", ns).is_none() {
            s.namespace(ns, "90d")?;
        }
    }
    for secret in &scenario.secrets {
        s.secret(
            &secret.namespace,
            &secret.name,
            &secret.r#type,
            &secret.keys,
        )?;
    }
    for cm in &scenario.configmaps {
        s.insert(ids::by_name("ConfigMap"), json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": cm.name, "namespace": cm.namespace}, "data": cm.data}), ago(s.now, "45d"))?;
    }
    for w in &scenario.workloads {
        if store.get(ids::namespaces(), "", &w.namespace).is_none() {
            s.namespace(&w.namespace, "90d")?;
        }
        s.workload(w)?;
    }
    for svc in &scenario.services {
        if store.get(ids::namespaces(), "", &svc.namespace).is_none() {
            s.namespace(&svc.namespace, "90d")?;
        }
        let target = svc.target_port.unwrap_or(svc.port);
        s.insert(ids::by_name("Service"), json!({
            "apiVersion": "v1", "kind": "Service",
            "metadata": {"name": svc.name, "namespace": svc.namespace, "labels": svc.selector},
            "spec": {"type": "ClusterIP", "clusterIP": format!("10.96.{}.{}", fastrand::u8(1..250), fastrand::u8(1..250)),
                     "ports": [{"name": "http", "port": svc.port, "targetPort": target, "protocol": "TCP"}], "selector": svc.selector},
        }), ago(s.now, "90d"))?;
    }
    for b in &scenario.disruption_budgets {
        s.disruption_budget(b)?;
    }
    for es in &scenario.external_secrets {
        s.external_secret(es)?;
    }
    let backups = s.velero(scenario)?;
    s.scale_workloads(extra_pods, first_scale_node)?;
    Ok(Seeded { backups })
}
