//! Building pods the way controllers do: from an owner's pod template, with the owner
//! reference, the controller's naming (deployment hash names, statefulset ordinals,
//! random suffixes) and labels, either brand new (Pending, for the scheduler) or already
//! running since a given time (for a cluster that existed before the lab started).

use jiff::Timestamp;
use serde_json::{Value, json};

use crate::clock::rfc3339;
use crate::store::str_at;

/// Annotation carrying a pod's simulated trouble (see `kubelet`); a lab artefact, named
/// so nobody mistakes it for a real Kubernetes field.
pub const TROUBLE: &str = "lab.lakedeck.io/trouble";
/// Annotation on a workload listing trouble by replica index, copied onto new pods.
pub const WORKLOAD_TROUBLE: &str = "lab.lakedeck.io/pod-trouble";
/// Annotation on Job templates: how long a run takes, in seconds.
pub const RUN_TIME: &str = "lab.lakedeck.io/run-seconds";

/// FNV-1a of a template, rendered in the consonant alphabet Kubernetes uses for hashes.
pub fn template_hash(template: &Value) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in serde_json::to_vec(template).unwrap_or_default() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    (0..10)
        .map(|i| ALPHABET[((h >> (i * 6)) % ALPHABET.len() as u64) as usize] as char)
        .collect()
}

pub fn owner_ref(owner: &Value) -> Value {
    json!({
        "apiVersion": owner["apiVersion"], "kind": owner["kind"],
        "name": owner["metadata"]["name"], "uid": owner["metadata"]["uid"],
        "controller": true, "blockOwnerDeletion": true,
    })
}

/// A new pod for `owner` from its template: Pending, unscheduled unless `node` is given
/// (DaemonSets bind their pods directly).
pub fn from_template(
    owner: &Value,
    name: &str,
    extra_labels: &[(&str, String)],
    node: Option<&str>,
) -> Value {
    let template = &owner["spec"]["template"];
    let mut labels = template["metadata"]["labels"].clone();
    if !labels.is_object() {
        labels = json!({});
    }
    for (k, v) in extra_labels {
        labels[*k] = json!(v);
    }
    let mut pod = json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "namespace": owner["metadata"]["namespace"],
            "labels": labels,
            "ownerReferences": [owner_ref(owner)],
        },
        "spec": template["spec"].clone(),
        "status": {"phase": "Pending", "qosClass": "Burstable"},
    });
    if let Some(ann) = template["metadata"]["annotations"].as_object()
        && !ann.is_empty()
    {
        pod["metadata"]["annotations"] = json!(ann);
    }
    if let Some(node) = node {
        pod["spec"]["nodeName"] = json!(node);
    }
    if owner["kind"] == "DaemonSet" {
        // The DaemonSet controller adds these so its pods stay through node trouble.
        let mut tolerations = pod["spec"]["tolerations"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        for key in [
            "node.kubernetes.io/not-ready",
            "node.kubernetes.io/unreachable",
        ] {
            tolerations.push(json!({"key": key, "operator": "Exists", "effect": "NoExecute"}));
        }
        pod["spec"]["tolerations"] = json!(tolerations);
    }
    for (k, v) in [
        ("restartPolicy", json!("Always")),
        ("terminationGracePeriodSeconds", json!(30)),
        ("dnsPolicy", json!("ClusterFirst")),
        ("schedulerName", json!("default-scheduler")),
        ("serviceAccountName", json!("default")),
    ] {
        if pod["spec"].get(k).is_none() {
            pod["spec"][k] = v;
        }
    }
    pod
}

/// A random 64-hex container id, as containerd reports them.
pub fn container_id() -> String {
    format!(
        "containerd://{:016x}{:016x}{:016x}{:016x}",
        fastrand::u64(..),
        fastrand::u64(..),
        fastrand::u64(..),
        fastrand::u64(..)
    )
}

fn image_id(image: &str) -> String {
    let repo = image.split(':').next().unwrap_or(image);
    format!(
        "{repo}@sha256:{:016x}{:016x}{:016x}{:016x}",
        fastrand::u64(..),
        fastrand::u64(..),
        fastrand::u64(..),
        fastrand::u64(..)
    )
}

pub fn condition(kind: &str, status: bool, at: &str, reason: Option<&str>) -> Value {
    let mut c = json!({"type": kind, "status": if status { "True" } else { "False" }, "lastProbeTime": null, "lastTransitionTime": at});
    if let Some(r) = reason {
        c["reason"] = json!(r);
    }
    c
}

/// A running container's status.
pub fn running_status(container: &Value, started: &str, ready: bool, restarts: i64) -> Value {
    let image = container["image"].as_str().unwrap_or_default();
    json!({
        "name": container["name"], "image": image, "imageID": image_id(image),
        "containerID": container_id(), "ready": ready, "started": true,
        "restartCount": restarts, "state": {"running": {"startedAt": started}}, "lastState": {},
    })
}

/// Turns a just-built pod into one that has been running since `started` on `node`.
pub fn make_running(
    pod: &mut Value,
    node: &str,
    host_ip: &str,
    pod_ip: &str,
    created: Timestamp,
    started: Timestamp,
) {
    let created_s = rfc3339(created);
    let started_s = rfc3339(started);
    pod["metadata"]["creationTimestamp"] = json!(created_s);
    pod["spec"]["nodeName"] = json!(node);
    let containers: Vec<Value> = pod["spec"]["containers"]
        .as_array()
        .map(|cs| {
            cs.iter()
                .map(|c| running_status(c, &started_s, true, 0))
                .collect()
        })
        .unwrap_or_default();
    let mut status = json!({
        "phase": "Running",
        "conditions": [
            condition("PodReadyToStartContainers", true, &started_s, None),
            condition("Initialized", true, &created_s, None),
            condition("Ready", true, &started_s, None),
            condition("ContainersReady", true, &started_s, None),
            condition("PodScheduled", true, &created_s, None),
        ],
        "hostIP": host_ip, "hostIPs": [{"ip": host_ip}],
        "podIP": pod_ip, "podIPs": [{"ip": pod_ip}],
        "startTime": created_s,
        "containerStatuses": containers,
        "qosClass": "Burstable",
    });
    if let Some(inits) = pod["spec"]["initContainers"].as_array() {
        let done: Vec<Value> = inits
            .iter()
            .map(|c| {
                json!({
                    "name": c["name"], "image": c["image"], "imageID": image_id(c["image"].as_str().unwrap_or_default()),
                    "containerID": container_id(), "ready": true, "restartCount": 0, "started": false,
                    "state": {"terminated": {"exitCode": 0, "reason": "Completed", "startedAt": created_s, "finishedAt": started_s, "containerID": container_id()}},
                    "lastState": {},
                })
            })
            .collect();
        status["initContainerStatuses"] = json!(done);
    }
    pod["status"] = status;
}

pub fn container_names(pod: &Value) -> Vec<String> {
    pod["spec"]["containers"]
        .as_array()
        .map(|cs| cs.iter().map(|c| str_at(c, "/name")).collect())
        .unwrap_or_default()
}
