//! The workload controllers: Deployment → ReplicaSets (one per pod-template hash; a
//! changed template, e.g. `kubectl rollout restart`, rolls to a new one), ReplicaSet →
//! pods, StatefulSet → ordinal pods created in order and rolled highest-first,
//! DaemonSet → one pod per eligible node, Job → pods until completion. Each keeps its
//! workload's `status` in step with its pods.

use jiff::Timestamp;
use serde_json::{Value, json};

use super::events::{EventSpec, Recorder};
use super::pods::{self, WORKLOAD_TROUBLE};
use super::scheduler::NodeInfo;
use crate::clock::rfc3339;
use crate::resources::{self, ResId, ids};
use crate::semantics;
use crate::store::{Entry, Store, str_at};

/// A pod as its controller sees it.
struct PodView {
    entry: std::sync::Arc<Entry>,
    value: Value,
}

impl PodView {
    fn terminating(&self) -> bool {
        !self.value["metadata"]["deletionTimestamp"].is_null()
    }
    fn finished(&self) -> bool {
        matches!(
            self.value["status"]["phase"].as_str(),
            Some("Succeeded" | "Failed")
        )
    }
    fn active(&self) -> bool {
        !self.terminating() && !self.finished()
    }
    fn ready(&self) -> bool {
        self.value["status"]["conditions"]
            .as_array()
            .and_then(|cs| cs.iter().find(|c| c["type"] == "Ready"))
            .is_some_and(|c| c["status"] == "True")
    }
    fn label(&self, key: &str) -> String {
        self.entry.labels.get(key).cloned().unwrap_or_default()
    }
}

fn owned_pods(store: &Store, owner_uid: &str) -> Vec<PodView> {
    store
        .owned_by(owner_uid)
        .into_iter()
        .filter(|e| e.res == ids::pods())
        .map(|entry| PodView {
            value: entry.value(),
            entry,
        })
        .collect()
}

fn delete_pod(store: &Store, p: &PodView) {
    let _ = semantics::delete(store, ids::pods(), &p.entry, None, false, false);
}

fn set_status(store: &Store, res: ResId, obj: &Value, status: Value) {
    let ns = str_at(obj, "/metadata/namespace");
    let name = str_at(obj, "/metadata/name");
    let _ = store.update(res, &ns, &name, None, |o| {
        for (k, v) in status.as_object().into_iter().flatten() {
            o["status"][k] = v.clone();
        }
        Ok(())
    });
}

/// The crash-loop trouble a new pod with `index` gets from its workload, if any.
fn trouble_for(workload: &Value, index: u32) -> Option<String> {
    let list: Value =
        serde_json::from_str(workload["metadata"]["annotations"][WORKLOAD_TROUBLE].as_str()?)
            .ok()?;
    list.as_array()?
        .iter()
        .find(|t| t["pod"].as_u64() == Some(u64::from(index)))
        .map(|t| t["trouble"].to_string())
}

fn create_pod(
    store: &Store,
    rec: &mut Recorder,
    owner: &Value,
    mut pod: Value,
    trouble: Option<String>,
) {
    if let Some(t) = trouble {
        pod["metadata"]["annotations"][pods::TROUBLE] = json!(t);
    }
    store.stamp_new(ids::pods(), &mut pod);
    let name = str_at(&pod, "/metadata/name");
    if store.insert(ids::pods(), pod).is_ok() {
        rec.record(
            store,
            owner,
            EventSpec::normal(
                "SuccessfulCreate",
                controller_name(owner),
                format!("Created pod: {name}"),
            ),
        );
    }
}

fn controller_name(owner: &Value) -> &'static str {
    match owner["kind"].as_str() {
        Some("StatefulSet") => "statefulset-controller",
        Some("DaemonSet") => "daemonset-controller",
        Some("Job") => "job-controller",
        _ => "replicaset-controller",
    }
}

pub fn reconcile(
    store: &Store,
    rec: &mut Recorder,
    res: ResId,
    obj: &Value,
    nodes: &[NodeInfo],
    now: Timestamp,
) {
    if !obj["metadata"]["deletionTimestamp"].is_null() {
        return;
    }
    match resources::get(res).kind {
        "Deployment" => deployment(store, rec, obj),
        "ReplicaSet" => replicaset(store, rec, obj),
        "StatefulSet" => statefulset(store, rec, obj),
        "DaemonSet" => daemonset(store, rec, obj, nodes),
        "Job" => job(store, rec, obj, now),
        _ => {}
    }
}

/// (maxSurge, maxUnavailable) of a rolling update, resolved against `want` replicas the
/// way the deployment controller does: percentages round surge up and unavailability
/// down, defaults 25 %, and both zero means one may be unavailable.
fn rollout_limits(dep: &Value, want: usize) -> (usize, usize) {
    let resolve = |v: &Value, round_up: bool| -> usize {
        match v {
            Value::Number(n) => n.as_u64().unwrap_or(0) as usize,
            Value::String(s) => {
                let pct: usize = s.trim_end_matches('%').parse().unwrap_or(25);
                if round_up {
                    (want * pct).div_ceil(100)
                } else {
                    want * pct / 100
                }
            }
            _ => {
                if round_up {
                    want.div_ceil(4)
                } else {
                    want / 4
                }
            }
        }
    };
    let ru = &dep["spec"]["strategy"]["rollingUpdate"];
    let surge = resolve(&ru["maxSurge"], true);
    let unavailable = resolve(&ru["maxUnavailable"], false);
    if surge == 0 && unavailable == 0 {
        (0, 1)
    } else {
        (surge, unavailable)
    }
}

fn replicas(obj: &Value) -> usize {
    obj["spec"]["replicas"].as_u64().unwrap_or(1) as usize
}

/// The ReplicaSet a Deployment runs its current pod template with: named and labelled by
/// the template's hash, as the deployment controller does.
pub fn replicaset_for(dep: &Value, revision: usize) -> Value {
    let hash = pods::template_hash(&dep["spec"]["template"]);
    let mut template = dep["spec"]["template"].clone();
    template["metadata"]["labels"]["pod-template-hash"] = json!(hash);
    let mut selector = dep["spec"]["selector"].clone();
    selector["matchLabels"]["pod-template-hash"] = json!(hash);
    let mut rs = json!({
        "apiVersion": "apps/v1", "kind": "ReplicaSet",
        "metadata": {
            "name": format!("{}-{hash}", str_at(dep, "/metadata/name")),
            "namespace": dep["metadata"]["namespace"],
            "labels": template["metadata"]["labels"],
            "ownerReferences": [pods::owner_ref(dep)],
            "annotations": {"deployment.kubernetes.io/revision": revision.to_string()},
        },
        "spec": {"replicas": replicas(dep), "selector": selector, "template": template},
        "status": {"replicas": 0},
    });
    if let Some(t) = dep["metadata"]["annotations"][WORKLOAD_TROUBLE].as_str() {
        rs["metadata"]["annotations"][WORKLOAD_TROUBLE] = json!(t);
    }
    rs
}

fn deployment(store: &Store, rec: &mut Recorder, dep: &Value) {
    let uid = str_at(dep, "/metadata/uid");
    let hash = pods::template_hash(&dep["spec"]["template"]);
    let name = str_at(dep, "/metadata/name");
    let ns = str_at(dep, "/metadata/namespace");
    let want = replicas(dep);
    let sets: Vec<Value> = store
        .owned_by(&uid)
        .into_iter()
        .filter(|e| e.res == ids::replicasets())
        .map(|e| e.value())
        .collect();
    let is_current = |rs: &Value| rs["metadata"]["labels"]["pod-template-hash"] == hash.as_str();
    // A ReplicaSet just scaled down still reports its old ready count until its pods
    // go; never count more ready pods than it is meant to keep.
    let ready_of = |rs: &Value| {
        (rs["status"]["readyReplicas"].as_u64().unwrap_or(0) as usize).min(replicas(rs))
    };
    let current = sets.iter().find(|rs| is_current(rs));
    let old: Vec<&Value> = sets.iter().filter(|rs| !is_current(rs)).collect();
    let old_spec: usize = old.iter().map(|rs| replicas(rs)).sum();
    let old_ready: usize = old.iter().map(|rs| ready_of(rs)).sum();
    let new_spec = current.map_or(0, replicas);
    let new_ready = current.map_or(0, ready_of);
    let recreate = dep["spec"]["strategy"]["type"] == "Recreate";
    let (surge, unavailable) = rollout_limits(dep, want);
    // The new ReplicaSet grows while the total stays within want + maxSurge (Recreate:
    // only once the old pods are gone); old ones shrink while enough pods stay ready.
    let new_target = if old_spec == 0 {
        want
    } else if recreate {
        0
    } else {
        (want + surge)
            .saturating_sub(old_spec)
            .clamp(new_spec.min(want), want)
    };
    let mut removable = if recreate {
        old_spec
    } else {
        (new_ready + old_ready).saturating_sub(want.saturating_sub(unavailable))
    };
    let mut targets: Vec<(String, usize, usize)> = Vec::new(); // (name, from, to)
    for rs in &old {
        let from = replicas(rs);
        let cut = from.min(removable);
        removable -= cut;
        targets.push((str_at(rs, "/metadata/name"), from, from - cut));
    }
    match current {
        Some(rs) => targets.push((str_at(rs, "/metadata/name"), new_spec, new_target)),
        None => {
            let mut rs = replicaset_for(dep, sets.len() + 1);
            rs["spec"]["replicas"] = json!(new_target);
            let rs_name = str_at(&rs, "/metadata/name");
            store.stamp_new(ids::replicasets(), &mut rs);
            if store.insert(ids::replicasets(), rs).is_ok() && new_target > 0 {
                rec.record(
                    store,
                    dep,
                    EventSpec::normal(
                        "ScalingReplicaSet",
                        "deployment-controller",
                        format!("Scaled up replica set {rs_name} from 0 to {new_target}"),
                    ),
                );
            }
        }
    }
    for (rs_name, from, to) in targets.into_iter().filter(|(_, from, to)| from != to) {
        let _ = store.update(ids::replicasets(), &ns, &rs_name, None, |o| {
            o["spec"]["replicas"] = json!(to);
            // A spec change: the ReplicaSet controller must take it up.
            let generation = o["metadata"]["generation"].as_i64().unwrap_or(1);
            o["metadata"]["generation"] = json!(generation + 1);
            Ok(())
        });
        let verb = if to > from { "up" } else { "down" };
        rec.record(
            store,
            dep,
            EventSpec::normal(
                "ScalingReplicaSet",
                "deployment-controller",
                format!("Scaled {verb} replica set {rs_name} from {from} to {to}"),
            ),
        );
    }
    let count = |rs: &Value| rs["status"]["replicas"].as_u64().unwrap_or(0) as usize;
    let total: usize = sets.iter().map(count).sum();
    let ready = new_ready + old_ready;
    let updated = current.map_or(0, count);
    let available = ready.min(want);
    let generation = dep["metadata"]["generation"].clone();
    set_status(
        store,
        ids::deployments(),
        dep,
        json!({
            "observedGeneration": generation, "replicas": total, "updatedReplicas": updated,
            "readyReplicas": ready, "availableReplicas": available,
            "unavailableReplicas": want.saturating_sub(available),
            "conditions": [
                {"type": "Available", "status": if available >= want { "True" } else { "False" },
                 "reason": if available >= want { "MinimumReplicasAvailable" } else { "MinimumReplicasUnavailable" },
                 "message": if available >= want { "Deployment has minimum availability." } else { "Deployment does not have minimum availability." }},
                {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable",
                 "message": format!("ReplicaSet \"{name}-{hash}\" has successfully progressed.")},
            ],
        }),
    );
}

fn replicaset(store: &Store, rec: &mut Recorder, rs: &Value) {
    let uid = str_at(rs, "/metadata/uid");
    let name = str_at(rs, "/metadata/name");
    let want = replicas(rs);
    let pods = owned_pods(store, &uid);
    let mut active: Vec<&PodView> = pods.iter().filter(|p| p.active()).collect();
    if active.len() < want {
        for _ in active.len()..want {
            // Trouble indices a current pod does not already carry go to the new pod.
            let taken: Vec<u32> = active
                .iter()
                .filter_map(|p| {
                    p.value["metadata"]["annotations"]["lab.lakedeck.io/trouble-index"]
                        .as_str()?
                        .parse()
                        .ok()
                })
                .collect();
            let index =
                (0..want as u32).find(|i| !taken.contains(i) && trouble_for(rs, *i).is_some());
            let mut pod = pods::from_template(
                rs,
                &store.generate_name(ids::pods(), &str_at(rs, "/metadata/namespace"), &name),
                &[],
                None,
            );
            let trouble = index.and_then(|i| {
                pod["metadata"]["annotations"]["lab.lakedeck.io/trouble-index"] =
                    json!(i.to_string());
                trouble_for(rs, i)
            });
            create_pod(store, rec, rs, pod, trouble);
        }
    } else if active.len() > want {
        // Delete not-ready pods first, then the youngest, as the ReplicaSet controller does.
        active.sort_by_key(|p| {
            (
                p.ready(),
                std::cmp::Reverse(str_at(&p.value, "/metadata/creationTimestamp")),
            )
        });
        for p in active.iter().take(active.len() - want) {
            delete_pod(store, p);
            rec.record(
                store,
                rs,
                EventSpec::normal(
                    "SuccessfulDelete",
                    "replicaset-controller",
                    format!("Deleted pod: {}", p.entry.name),
                ),
            );
        }
    }
    // Counts as of this pass; the pod events of what was just done trigger the next one.
    let count = pods.iter().filter(|p| p.active()).count();
    let ready = pods.iter().filter(|p| p.active() && p.ready()).count();
    set_status(
        store,
        ids::replicasets(),
        rs,
        json!({
            "replicas": count, "fullyLabeledReplicas": count,
            "readyReplicas": ready, "availableReplicas": ready,
            "observedGeneration": rs["metadata"]["generation"],
        }),
    );
}

fn statefulset(store: &Store, rec: &mut Recorder, sts: &Value) {
    let uid = str_at(sts, "/metadata/uid");
    let name = str_at(sts, "/metadata/name");
    let revision = format!("{name}-{}", pods::template_hash(&sts["spec"]["template"]));
    let want = replicas(sts);
    let pods = owned_pods(store, &uid);
    // OrderedReady (the default) waits for each pod to be Running and Ready before it
    // touches the next; Parallel creates and deletes without waiting (updates still
    // roll one pod at a time), like the StatefulSet controller's `monotonic` switch.
    let monotonic = sts["spec"]["podManagementPolicy"] != "Parallel";
    let ordinal = |p: &PodView| -> Option<usize> {
        p.entry.name.strip_prefix(&format!("{name}-"))?.parse().ok()
    };
    let delete = |rec: &mut Recorder, victim: &PodView| {
        delete_pod(store, victim);
        let msg = format!(
            "delete Pod {} in StatefulSet {name} successful",
            victim.entry.name
        );
        rec.record(
            store,
            sts,
            EventSpec::normal("SuccessfulDelete", "statefulset-controller", msg),
        );
    };
    let mut blocked = false;
    for i in 0..want {
        match pods.iter().find(|p| ordinal(p) == Some(i)) {
            Some(p) if p.active() && p.ready() => continue,
            Some(_) if monotonic => {
                blocked = true; // wait for it (OrderedReady)
                break;
            }
            Some(_) => continue,
            None => {
                let pod = pods::from_template(
                    sts,
                    &format!("{name}-{i}"),
                    &[
                        ("statefulset.kubernetes.io/pod-name", format!("{name}-{i}")),
                        ("apps.kubernetes.io/pod-index", i.to_string()),
                        ("controller-revision-hash", revision.clone()),
                    ],
                    None,
                );
                create_pod(store, rec, sts, pod, trouble_for(sts, i as u32));
                // The next pass sees the new pod (not yet healthy) before it rolls on.
                blocked = true;
                if monotonic {
                    break;
                }
            }
        }
    }
    let all_ready = pods.iter().all(|p| p.active() && p.ready());
    if !blocked && (all_ready || !monotonic) {
        let mut by_ordinal: Vec<&PodView> = pods.iter().filter(|p| p.active()).collect();
        by_ordinal.sort_by_key(|p| std::cmp::Reverse(ordinal(p).unwrap_or(0)));
        // Scale down highest first (OrderedReady: one at a time; Parallel: all at once).
        let condemned: Vec<&&PodView> = by_ordinal
            .iter()
            .filter(|p| ordinal(p).is_some_and(|o| o >= want))
            .collect();
        let terminating_condemned = pods
            .iter()
            .any(|p| p.terminating() && ordinal(p).is_some_and(|o| o >= want));
        if !condemned.is_empty() || terminating_condemned {
            if monotonic {
                if let Some(victim) = condemned.first() {
                    delete(rec, victim);
                }
            } else {
                for victim in condemned {
                    delete(rec, victim);
                }
            }
        } else if !pods.iter().any(|p| p.terminating()) {
            // Rolling update, highest ordinal first, one pod at a time: delete the first
            // outdated pod; wait while a pod above it is not yet healthy.
            for p in by_ordinal
                .iter()
                .filter(|p| ordinal(p).is_some_and(|o| o < want))
            {
                if p.label("controller-revision-hash") != revision {
                    delete(rec, p);
                    break;
                }
                if !p.ready() {
                    break;
                }
            }
        }
    }
    let active: Vec<&PodView> = pods.iter().filter(|p| p.active()).collect();
    let ready = active.iter().filter(|p| p.ready()).count();
    let updated = active
        .iter()
        .filter(|p| p.label("controller-revision-hash") == revision)
        .count();
    set_status(
        store,
        ids::statefulsets(),
        sts,
        json!({
            "observedGeneration": sts["metadata"]["generation"], "replicas": active.len(),
            "readyReplicas": ready, "currentReplicas": updated, "updatedReplicas": updated,
            "availableReplicas": ready, "currentRevision": revision, "updateRevision": revision,
            "collisionCount": 0,
        }),
    );
}

fn eligible(ds: &Value, node: &NodeInfo) -> bool {
    let spec = &ds["spec"]["template"]["spec"];
    let selector_ok = spec["nodeSelector"].as_object().is_none_or(|sel| {
        sel.iter()
            .all(|(k, v)| node.labels.get(k).map(String::as_str) == v.as_str())
    });
    let tolerated = node.taints.iter().all(|(k, _, _)| {
        spec["tolerations"].as_array().is_some_and(|ts| {
            ts.iter().any(|t| {
                t["operator"] == "Exists" && (t["key"].is_null() || t["key"] == k.as_str())
            })
        })
    });
    selector_ok && tolerated
}

fn daemonset(store: &Store, rec: &mut Recorder, ds: &Value, nodes: &[NodeInfo]) {
    let uid = str_at(ds, "/metadata/uid");
    let name = str_at(ds, "/metadata/name");
    let hash = pods::template_hash(&ds["spec"]["template"]);
    let pods = owned_pods(store, &uid);
    let targets: Vec<&NodeInfo> = nodes.iter().filter(|n| eligible(ds, n)).collect();
    for node in &targets {
        let on_node = pods
            .iter()
            .any(|p| p.active() && p.value["spec"]["nodeName"] == node.name.as_str());
        if !on_node {
            let pod = pods::from_template(
                ds,
                &store.generate_name(ids::pods(), &str_at(ds, "/metadata/namespace"), &name),
                &[("controller-revision-hash", hash.clone())],
                Some(&node.name),
            );
            create_pod(store, rec, ds, pod, None);
        }
    }
    // Roll one outdated pod at a time, once all are ready.
    if pods.iter().all(|p| !p.active() || p.ready())
        && let Some(old) = pods
            .iter()
            .find(|p| p.active() && p.label("controller-revision-hash") != hash)
    {
        delete_pod(store, old);
    }
    let active: Vec<&PodView> = pods.iter().filter(|p| p.active()).collect();
    let ready = active.iter().filter(|p| p.ready()).count();
    let updated = active
        .iter()
        .filter(|p| p.label("controller-revision-hash") == hash)
        .count();
    set_status(
        store,
        ids::daemonsets(),
        ds,
        json!({
            "desiredNumberScheduled": targets.len(), "currentNumberScheduled": active.len(),
            "numberReady": ready, "numberAvailable": ready, "updatedNumberScheduled": updated,
            "numberMisscheduled": 0, "observedGeneration": ds["metadata"]["generation"],
        }),
    );
}

fn job(store: &Store, rec: &mut Recorder, job: &Value, now: Timestamp) {
    let uid = str_at(job, "/metadata/uid");
    let name = str_at(job, "/metadata/name");
    let completions = job["spec"]["completions"].as_u64().unwrap_or(1) as usize;
    let pods = owned_pods(store, &uid);
    let succeeded = pods
        .iter()
        .filter(|p| p.value["status"]["phase"] == "Succeeded")
        .count();
    let failed = pods
        .iter()
        .filter(|p| p.value["status"]["phase"] == "Failed")
        .count();
    let active = pods.iter().filter(|p| p.active()).count();
    if succeeded < completions && active == 0 && !job["status"]["completionTime"].is_string() {
        let pod = pods::from_template(
            job,
            &store.generate_name(ids::pods(), &str_at(job, "/metadata/namespace"), &name),
            &[
                ("batch.kubernetes.io/job-name", name.clone()),
                ("job-name", name.clone()),
                ("batch.kubernetes.io/controller-uid", uid.clone()),
            ],
            None,
        );
        create_pod(store, rec, job, pod, None);
    }
    let mut status = json!({"active": active, "succeeded": succeeded, "failed": failed, "ready": pods.iter().filter(|p| p.active() && p.ready()).count()});
    if job["status"]["startTime"].is_null() {
        status["startTime"] = json!(rfc3339(now));
    }
    if succeeded >= completions && job["status"]["completionTime"].is_null() {
        status["completionTime"] = json!(rfc3339(now));
        status["conditions"] = json!([
            {"type": "SuccessCriteriaMet", "status": "True", "lastProbeTime": rfc3339(now), "lastTransitionTime": rfc3339(now)},
            {"type": "Complete", "status": "True", "lastProbeTime": rfc3339(now), "lastTransitionTime": rfc3339(now)},
        ]);
        rec.record(
            store,
            job,
            EventSpec::normal("Completed", "job-controller", "Job completed"),
        );
    }
    set_status(store, ids::jobs(), job, status);
}
