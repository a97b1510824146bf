//! Whole kubectl table rows for pods and nodes — every cell `printPod` / `printNode` in
//! kubernetes `pkg/printers/internalversion/printers.go` produce, priority-1 ("wide")
//! columns included — assembled from `pod_status` and `node_status`. The lab's
//! server-side Table answers with these rows; `tests/upstream_printers.rs` checks them
//! against the expectations of upstream's `printers_test.go`. Pure: `now` comes from
//! the caller.

use jiff::Timestamp;
use k8s_openapi::api::core::v1::{Node, Pod};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

use crate::duration::human_duration;
use crate::node_status::{node_roles, node_status};
use crate::pod_status::pod_columns;

const NONE: &str = "<none>";
const UNKNOWN: &str = "<unknown>";

/// `translateTimestampSince`: the AGE cell, `<unknown>` without a timestamp.
pub fn age_cell(created: Option<&Time>, now: Timestamp) -> String {
    created.map_or_else(
        || UNKNOWN.to_string(),
        |t| human_duration(now.duration_since(t.0)),
    )
}

fn or(value: &str, empty: &str) -> String {
    if value.is_empty() {
        empty.to_string()
    } else {
        value.to_string()
    }
}

/// NAME, READY, STATUS, RESTARTS, AGE, then the wide IP, NODE, NOMINATED NODE and
/// READINESS GATES.
pub fn pod_cells(pod: &Pod, now: Timestamp) -> Vec<String> {
    let cols = pod_columns(pod);
    let spec = pod.spec.as_ref();
    let status = pod.status.as_ref();
    // The printer reads the internal `PodIPs`; a v1 object converts `podIP` into it when
    // `podIPs` is absent.
    let ip = status
        .and_then(|s| s.pod_ips.as_deref())
        .and_then(|ips| ips.first())
        .map(|ip| ip.ip.as_str())
        .or_else(|| status.and_then(|s| s.pod_ip.as_deref()))
        .unwrap_or_default();
    let conditions = status
        .and_then(|s| s.conditions.as_deref())
        .unwrap_or_default();
    let gates = spec
        .and_then(|s| s.readiness_gates.as_deref())
        .unwrap_or_default();
    // A gate counts when the *first* condition of its type is True.
    let readiness = if gates.is_empty() {
        NONE.to_string()
    } else {
        let passed = gates
            .iter()
            .filter(|g| {
                conditions
                    .iter()
                    .find(|c| c.type_ == g.condition_type)
                    .is_some_and(|c| c.status == "True")
            })
            .count();
        format!("{passed}/{}", gates.len())
    };
    vec![
        pod.metadata.name.clone().unwrap_or_default(),
        cols.ready_column(),
        cols.status.clone(),
        cols.restarts_column(now),
        age_cell(pod.metadata.creation_timestamp.as_ref(), now),
        or(ip, NONE),
        or(
            spec.and_then(|s| s.node_name.as_deref())
                .unwrap_or_default(),
            NONE,
        ),
        or(
            status
                .and_then(|s| s.nominated_node_name.as_deref())
                .unwrap_or_default(),
            NONE,
        ),
        readiness,
    ]
}

/// NAME, STATUS, ROLES, AGE, VERSION, then the wide INTERNAL-IP, EXTERNAL-IP, OS-IMAGE,
/// KERNEL-VERSION and CONTAINER-RUNTIME.
pub fn node_cells(node: &Node, now: Timestamp) -> Vec<String> {
    let status = node.status.as_ref();
    let info = status.and_then(|s| s.node_info.as_ref());
    // The first address of the type, `<none>` without one.
    let address = |kind: &str| {
        status
            .and_then(|s| s.addresses.as_deref())
            .unwrap_or_default()
            .iter()
            .find(|a| a.type_ == kind)
            .map_or_else(|| NONE.to_string(), |a| a.address.clone())
    };
    let info_cell = |field: fn(&k8s_openapi::api::core::v1::NodeSystemInfo) -> &str| {
        or(info.map(field).unwrap_or_default(), UNKNOWN)
    };
    vec![
        node.metadata.name.clone().unwrap_or_default(),
        node_status(node),
        node_roles(node),
        age_cell(node.metadata.creation_timestamp.as_ref(), now),
        info.map(|i| i.kubelet_version.clone()).unwrap_or_default(),
        address("InternalIP"),
        address("ExternalIP"),
        info_cell(|i| &i.os_image),
        info_cell(|i| &i.kernel_version),
        info_cell(|i| &i.container_runtime_version),
    ]
}
