//! Scenario workloads → Kubernetes objects: the pod template (containers with requests,
//! limits, ports and secret-sourced env; node selector; tolerations) and the workload
//! object around it, with the scenario's trouble encoded where the simulation reads it
//! (crash loops as a workload annotation, unschedulable as an oversized request).
//! Pure translation; storing objects is `seed`'s job.

use serde_json::{Value, json};

use super::scenario::{ContainerSpec, TroubleKind, Workload, WorkloadKind, parse_duration};
use super::sim::pods::{RUN_TIME, WORKLOAD_TROUBLE};

/// A container of a pod template, from the scenario's short form.
fn container(c: &ContainerSpec) -> Value {
    let mut v = json!({"name": c.name, "image": c.image, "imagePullPolicy": "IfNotPresent",
                       "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File"});
    let mut requests = json!({});
    let mut limits = json!({});
    if let Some(cpu) = &c.cpu {
        requests["cpu"] = json!(cpu);
    }
    if let Some(mem) = &c.memory {
        requests["memory"] = json!(mem);
    }
    if let Some(cpu) = &c.cpu_limit {
        limits["cpu"] = json!(cpu);
    }
    if let Some(mem) = &c.memory_limit {
        limits["memory"] = json!(mem);
    }
    v["resources"] = json!({"requests": requests, "limits": limits});
    if let Some(p) = c.port {
        v["ports"] = json!([{"containerPort": p, "protocol": "TCP"}]);
    }
    if !c.secret_env.is_empty() {
        v["env"] = c
            .secret_env
            .iter()
            .map(|e| json!({"name": e.name, "valueFrom": {"secretKeyRef": {"name": e.secret, "key": e.key}}}))
            .collect();
    }
    v
}

/// The Deployment/StatefulSet/DaemonSet/Job/CronJob object a scenario workload describes,
/// with its trouble recorded the way the simulation reads it.
pub fn workload(w: &Workload) -> Value {
    let kind = match w.kind {
        WorkloadKind::Deployment => "Deployment",
        WorkloadKind::StatefulSet => "StatefulSet",
        WorkloadKind::DaemonSet => "DaemonSet",
        WorkloadKind::Job => "Job",
        WorkloadKind::CronJob => "CronJob",
    };
    let mut pod_spec = json!({
        "containers": w.containers.iter().map(container).collect::<Vec<_>>(),
        "restartPolicy": if matches!(w.kind, WorkloadKind::Job | WorkloadKind::CronJob) { "Never" } else { "Always" },
        "terminationGracePeriodSeconds": 30, "dnsPolicy": "ClusterFirst", "schedulerName": "default-scheduler",
        "serviceAccountName": "default",
    });
    if !w.init_containers.is_empty() {
        pod_spec["initContainers"] = w.init_containers.iter().map(container).collect();
    }
    if !w.node_selector.is_empty() {
        pod_spec["nodeSelector"] = json!(w.node_selector);
    }
    if w.tolerate_control_plane {
        pod_spec["tolerations"] = json!([{"operator": "Exists"}]);
    }
    for t in &w.trouble {
        if let TroubleKind::Unschedulable { memory } = &t.kind {
            pod_spec["containers"][0]["resources"]["requests"]["memory"] = json!(memory);
        }
    }
    let mut template = json!({"metadata": {"labels": w.labels}, "spec": pod_spec});
    if let Some(rt) = w.run_time.as_deref().and_then(parse_duration) {
        template["metadata"]["annotations"] = json!({RUN_TIME: rt.as_secs().to_string()});
    }
    let api_version = match w.kind {
        WorkloadKind::Job | WorkloadKind::CronJob => "batch/v1",
        _ => "apps/v1",
    };
    let mut obj = json!({"apiVersion": api_version, "kind": kind, "metadata": {"name": w.name, "namespace": w.namespace, "labels": w.labels}});
    match w.kind {
        WorkloadKind::CronJob => {
            obj["spec"] = json!({"schedule": w.schedule.clone().unwrap_or_else(|| "0 * * * *".into()), "concurrencyPolicy": "Forbid",
                                  "successfulJobsHistoryLimit": 3, "failedJobsHistoryLimit": 1, "suspend": false,
                                  "jobTemplate": {"spec": {"template": template}}});
        }
        WorkloadKind::Job => {
            obj["spec"] = json!({"completions": 1, "parallelism": 1, "backoffLimit": 6, "template": template});
        }
        WorkloadKind::DaemonSet => {
            obj["spec"] = json!({"selector": {"matchLabels": w.labels}, "template": template,
                                  "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1}}});
        }
        WorkloadKind::StatefulSet => {
            obj["spec"] = json!({"replicas": w.replicas, "selector": {"matchLabels": w.labels}, "template": template,
                                  "serviceName": w.name, "podManagementPolicy": format!("{:?}", w.pod_management),
                                  "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}}});
        }
        WorkloadKind::Deployment => {
            obj["spec"] = json!({"replicas": w.replicas, "selector": {"matchLabels": w.labels}, "template": template,
                                  "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
                                  "revisionHistoryLimit": 10, "progressDeadlineSeconds": 600});
        }
    }
    let crashloops: Vec<Value> = w
        .trouble
        .iter()
        .filter_map(|t| match &t.kind {
            TroubleKind::Crashloop { runs_for, exit_code, .. } => Some(json!({"pod": t.pod, "trouble": {
                "kind": "crashloop", "runs_for": parse_duration(runs_for).map_or(15, |d| d.as_secs()), "exit_code": exit_code}})),
            _ => None,
        })
        .collect();
    if !crashloops.is_empty() {
        obj["metadata"]["annotations"] =
            json!({WORKLOAD_TROUBLE: Value::Array(crashloops).to_string()});
    }
    obj
}
