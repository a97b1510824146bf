//! The compact node row the cockpit keeps instead of whole `Node` objects, its table
//! cells, and the cluster summary the overview shows (node counts, CPU and memory use
//! against allocatable). A watcher projects each `Node` on arrival and drops the object.
//! Pure data: no I/O, no clock (callers pass `now`), no ratatui; metrics arrive already
//! parsed from the metrics source.

use std::collections::HashMap;

use jiff::Timestamp;
use k8s_openapi::api::core::v1::{Node, Taint};

use crate::duration::human_duration;
use crate::node_status::{node_roles, node_status};
use crate::quantity::{bytes, cpu_millis};

/// Condition types for which `"True"` is bad news, in the order they are displayed.
const PRESSURE_CONDITIONS: [&str; 4] = [
    "MemoryPressure",
    "DiskPressure",
    "PIDPressure",
    "NetworkUnavailable",
];

/// One node, projected to what the nodes view and the overview show.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeRow {
    pub name: Box<str>,
    /// kubectl's STATUS cell, e.g. `Ready,SchedulingDisabled`.
    pub status: Box<str>,
    /// kubectl's ROLES cell, e.g. `control-plane` or `<none>`.
    pub roles: Box<str>,
    /// The `Ready` condition is `"True"` (what kubectl prints as `Ready`).
    pub ready: bool,
    /// Cordoned: `spec.unschedulable`.
    pub unschedulable: bool,
    /// Pressure conditions that are `"True"`, in the order MemoryPressure, DiskPressure,
    /// PIDPressure, NetworkUnavailable.
    pub pressures: Box<[Box<str>]>,
    /// Taints as kubectl writes them: `key=value:Effect` or `key:Effect`.
    pub taints: Box<[Box<str>]>,
    /// Kubelet version, e.g. `v1.33.2`.
    pub version: Box<str>,
    pub created: Option<Timestamp>,
    pub internal_ip: Option<Box<str>>,
    /// Allocatable CPU (millicores), memory (bytes) and pod slots; 0 when not reported.
    pub cpu_allocatable_m: u64,
    pub mem_allocatable: u64,
    pub pods_allocatable: u32,
    pub resource_version: Box<str>,
}

impl NodeRow {
    /// Projects `node` to a row.
    pub fn from_node(node: &Node) -> NodeRow {
        let meta = &node.metadata;
        let status = node.status.as_ref();
        let conditions = status
            .and_then(|s| s.conditions.as_deref())
            .unwrap_or_default();
        // Same rule as node_status: the last Ready condition wins, only "True" is ready.
        let ready = conditions
            .iter()
            .rev()
            .find(|c| c.type_ == "Ready")
            .is_some_and(|c| c.status == "True");
        let pressures = PRESSURE_CONDITIONS
            .iter()
            .filter(|kind| {
                conditions
                    .iter()
                    .rev()
                    .find(|c| c.type_ == **kind)
                    .is_some_and(|c| c.status == "True")
            })
            .map(|kind| Box::from(*kind))
            .collect();
        let spec = node.spec.as_ref();
        let taints = spec
            .and_then(|s| s.taints.as_deref())
            .unwrap_or_default()
            .iter()
            .map(|t| taint_string(t).into_boxed_str())
            .collect();
        let allocatable = status.and_then(|s| s.allocatable.as_ref());
        let quantity = |resource: &str, parse: fn(&str) -> Option<i64>| -> u64 {
            allocatable
                .and_then(|a| a.get(resource))
                .and_then(|q| parse(&q.0))
                .and_then(|v| u64::try_from(v).ok())
                .unwrap_or(0)
        };

        NodeRow {
            name: Box::from(meta.name.as_deref().unwrap_or_default()),
            status: node_status(node).into_boxed_str(),
            roles: node_roles(node).into_boxed_str(),
            ready,
            unschedulable: spec.and_then(|s| s.unschedulable).unwrap_or(false),
            pressures,
            taints,
            version: Box::from(
                status
                    .and_then(|s| s.node_info.as_ref())
                    .map(|i| i.kubelet_version.as_str())
                    .unwrap_or_default(),
            ),
            created: meta.creation_timestamp.as_ref().map(|t| t.0),
            internal_ip: status
                .and_then(|s| s.addresses.as_deref())
                .unwrap_or_default()
                .iter()
                .find(|a| a.type_ == "InternalIP")
                .map(|a| Box::from(a.address.as_str())),
            cpu_allocatable_m: quantity("cpu", cpu_millis),
            mem_allocatable: quantity("memory", bytes),
            pods_allocatable: u32::try_from(quantity("pods", bytes)).unwrap_or(u32::MAX),
            resource_version: Box::from(meta.resource_version.as_deref().unwrap_or_default()),
        }
    }

    /// The AGE cell as kubectl prints it, `<unknown>` without a creation timestamp.
    pub fn age_column(&self, now: Timestamp) -> String {
        match self.created {
            Some(created) => human_duration(now.duration_since(created)),
            None => "<unknown>".to_string(),
        }
    }

    /// The TAINTS cell: `<none>`, the only taint, or the first one and how many more
    /// (`node.kubernetes.io/unreachable:NoExecute +1`) so it fits a narrow column.
    pub fn taints_column(&self) -> String {
        match &*self.taints {
            [] => "<none>".to_string(),
            [only] => only.to_string(),
            [first, rest @ ..] => format!("{first} +{}", rest.len()),
        }
    }

    /// The pressure cell: `-` when healthy, else the true conditions joined by `,`.
    pub fn pressure_column(&self) -> String {
        if self.pressures.is_empty() {
            return "-".to_string();
        }
        self.pressures.join(",")
    }
}

/// kubectl's `Taint.ToString`: `key=value:Effect`, dropping `=value` when it is empty and
/// `:Effect` when there is none.
fn taint_string(t: &Taint) -> String {
    let mut s = t.key.clone();
    if let Some(value) = t.value.as_deref().filter(|v| !v.is_empty()) {
        s.push('=');
        s.push_str(value);
    }
    if !t.effect.is_empty() {
        s.push(':');
        s.push_str(&t.effect);
    }
    s
}

/// Cluster summary for the overview: counts and usage vs allocatable.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NodeSummary {
    pub total: usize,
    pub ready: usize,
    /// `total - ready`: NotReady and Unknown nodes alike.
    pub not_ready: usize,
    /// Nodes with `spec.unschedulable`, ready or not.
    pub cordoned: usize,
    pub cpu_allocatable_m: u64,
    pub mem_allocatable: u64,
    /// Summed usage of the nodes that have metrics; `None` when metrics are unavailable
    /// or cover none of `nodes` (so the overview says "n/a" instead of a false 0%).
    pub cpu_used_m: Option<u64>,
    pub mem_used: Option<u64>,
}

/// Sums `nodes` into a [`NodeSummary`]. `usage` maps node name → (CPU millicores, memory
/// bytes) from the metrics API, or is `None` when that API is missing or forbidden.
/// Usage of nodes not in `nodes` is ignored (the metrics list can lag the node watch);
/// allocatable always covers every node, so a node without metrics lowers the
/// percentage rather than hiding its capacity.
pub fn summarize(nodes: &[NodeRow], usage: Option<&HashMap<String, (u64, u64)>>) -> NodeSummary {
    let mut summary = NodeSummary {
        total: nodes.len(),
        ..NodeSummary::default()
    };
    let mut used: Option<(u64, u64)> = None;
    for node in nodes {
        if node.ready {
            summary.ready += 1;
        }
        if node.unschedulable {
            summary.cordoned += 1;
        }
        summary.cpu_allocatable_m = summary
            .cpu_allocatable_m
            .saturating_add(node.cpu_allocatable_m);
        summary.mem_allocatable = summary.mem_allocatable.saturating_add(node.mem_allocatable);
        if let Some(&(cpu, mem)) = usage.and_then(|u| u.get(&*node.name)) {
            let (c, m) = used.unwrap_or((0, 0));
            used = Some((c.saturating_add(cpu), m.saturating_add(mem)));
        }
    }
    summary.not_ready = summary.total - summary.ready;
    summary.cpu_used_m = used.map(|(c, _)| c);
    summary.mem_used = used.map(|(_, m)| m);
    summary
}

/// Percent of allocatable, or None when unknown; e.g. Some(47).
///
/// Truncates like `kubectl top node` does, and saturates at 255 because usage can exceed
/// allocatable (allocatable is capacity minus system reservations).
pub fn percent(used: u64, allocatable: u64) -> Option<u8> {
    if allocatable == 0 {
        return None;
    }
    // u128 so that memory in bytes times 100 cannot overflow.
    let pct = u128::from(used) * 100 / u128::from(allocatable);
    Some(u8::try_from(pct).unwrap_or(u8::MAX))
}

#[cfg(test)]
#[allow(clippy::expect_used)] // test fixtures are hand-written JSON; a bad one should fail loudly
mod tests {
    use super::{NodeRow, NodeSummary, percent, summarize};
    use jiff::Timestamp;
    use k8s_openapi::api::core::v1::Node;
    use serde_json::{Value, json};
    use std::collections::HashMap;

    fn now() -> Timestamp {
        "2026-08-20T10:00:00Z".parse().expect("valid timestamp")
    }

    fn node(v: Value) -> NodeRow {
        let n: Node = serde_json::from_value(v).expect("valid Node JSON");
        NodeRow::from_node(&n)
    }

    /// A kubelet-reported worker node as the API server returns it.
    fn worker(name: &str, ready: &str, unschedulable: bool, memory_pressure: &str) -> Value {
        json!({
            "apiVersion": "v1", "kind": "Node",
            "metadata": {
                "name": name, "resourceVersion": "9911",
                "creationTimestamp": "2026-08-17T06:00:00Z",
                "labels": {"kubernetes.io/hostname": name,
                           "node-role.kubernetes.io/worker": ""}
            },
            "spec": {"unschedulable": unschedulable, "podCIDR": "10.42.1.0/24"},
            "status": {
                "capacity": {"cpu": "8", "memory": "32863512Ki", "pods": "110"},
                "allocatable": {"cpu": "7910m", "memory": "31763512Ki", "pods": "110",
                                "ephemeral-storage": "95491281146"},
                "conditions": [
                    {"type": "MemoryPressure", "status": memory_pressure,
                     "reason": "KubeletHasSufficientMemory"},
                    {"type": "DiskPressure", "status": "False"},
                    {"type": "PIDPressure", "status": "False"},
                    {"type": "Ready", "status": ready, "reason": "KubeletReady"}
                ],
                "addresses": [
                    {"type": "Hostname", "address": name},
                    {"type": "InternalIP", "address": "192.168.10.21"}
                ],
                "nodeInfo": {
                    "machineID": "", "systemUUID": "", "bootID": "", "kernelVersion": "6.8.0",
                    "osImage": "Ubuntu 24.04", "containerRuntimeVersion": "containerd://2.0.5",
                    "kubeletVersion": "v1.33.2", "kubeProxyVersion": "", "operatingSystem": "linux",
                    "architecture": "amd64"
                }
            }
        })
    }

    #[test]
    fn projects_a_ready_worker() {
        let r = node(worker("node-a", "True", false, "False"));
        assert_eq!(&*r.name, "node-a");
        assert_eq!(&*r.status, "Ready");
        assert_eq!(&*r.roles, "worker");
        assert!(r.ready && !r.unschedulable);
        assert!(r.pressures.is_empty());
        assert_eq!(r.pressure_column(), "-");
        assert!(r.taints.is_empty());
        assert_eq!(r.taints_column(), "<none>");
        assert_eq!(&*r.version, "v1.33.2");
        assert_eq!(r.internal_ip.as_deref(), Some("192.168.10.21"));
        assert_eq!(r.cpu_allocatable_m, 7910);
        assert_eq!(r.mem_allocatable, 31_763_512 * 1024);
        assert_eq!(r.pods_allocatable, 110);
        assert_eq!(&*r.resource_version, "9911");
        assert_eq!(r.age_column(now()), "3d4h");
    }

    #[test]
    fn cordoned_node_is_scheduling_disabled() {
        let r = node(worker("node-b", "True", true, "False"));
        assert_eq!(&*r.status, "Ready,SchedulingDisabled");
        assert!(r.ready && r.unschedulable);
    }

    #[test]
    fn not_ready_node_with_pressure_and_taints() {
        let mut v = worker("node-c", "Unknown", false, "True");
        v["status"]["conditions"]
            .as_array_mut()
            .expect("conditions")
            .push(json!({"type": "NetworkUnavailable", "status": "True"}));
        v["spec"]["taints"] = json!([
            {"key": "node.kubernetes.io/unreachable", "effect": "NoExecute",
             "timeAdded": "2026-08-20T09:40:00Z"},
            {"key": "node.kubernetes.io/unreachable", "effect": "NoSchedule"},
            {"key": "dedicated", "value": "trino", "effect": "NoSchedule"}
        ]);
        let r = node(v);
        assert_eq!(&*r.status, "NotReady");
        assert!(!r.ready);
        let pressures: Vec<&str> = r.pressures.iter().map(|p| &**p).collect();
        assert_eq!(pressures, ["MemoryPressure", "NetworkUnavailable"]);
        assert_eq!(r.pressure_column(), "MemoryPressure,NetworkUnavailable");
        let taints: Vec<&str> = r.taints.iter().map(|t| &**t).collect();
        assert_eq!(
            taints,
            [
                "node.kubernetes.io/unreachable:NoExecute",
                "node.kubernetes.io/unreachable:NoSchedule",
                "dedicated=trino:NoSchedule"
            ]
        );
        assert_eq!(
            r.taints_column(),
            "node.kubernetes.io/unreachable:NoExecute +2"
        );
    }

    #[test]
    fn single_taint_is_shown_whole() {
        let mut v = worker("cp-1", "True", false, "False");
        v["spec"]["taints"] =
            json!([{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}]);
        assert_eq!(
            node(v).taints_column(),
            "node-role.kubernetes.io/control-plane:NoSchedule"
        );
    }

    #[test]
    fn bare_node_is_unknown_with_zero_allocatable() {
        let r = node(json!({"metadata": {"name": "fresh"}}));
        assert_eq!(&*r.status, "Unknown");
        assert_eq!(&*r.roles, "<none>");
        assert!(!r.ready);
        assert_eq!(
            (r.cpu_allocatable_m, r.mem_allocatable, r.pods_allocatable),
            (0, 0, 0)
        );
        assert_eq!(r.internal_ip, None);
        assert_eq!(r.age_column(now()), "<unknown>");
    }

    fn cluster() -> Vec<NodeRow> {
        vec![
            node(worker("node-a", "True", false, "False")),
            node(worker("node-b", "True", true, "False")),
            node(worker("node-c", "False", true, "False")),
        ]
    }

    #[test]
    fn summarize_counts_and_sums() {
        let usage = HashMap::from([
            ("node-a".to_string(), (3000, 8 * 1024 * 1024 * 1024)),
            ("node-b".to_string(), (1000, 2 * 1024 * 1024 * 1024)),
            // Metrics for a node the watch no longer has are ignored.
            ("node-gone".to_string(), (9999, 9999)),
        ]);
        let s = summarize(&cluster(), Some(&usage));
        assert_eq!(
            s,
            NodeSummary {
                total: 3,
                ready: 2,
                not_ready: 1,
                cordoned: 2,
                cpu_allocatable_m: 3 * 7910,
                mem_allocatable: 3 * 31_763_512 * 1024,
                cpu_used_m: Some(4000),
                mem_used: Some(10 * 1024 * 1024 * 1024),
            }
        );
        assert_eq!(percent(4000, s.cpu_allocatable_m), Some(16));
    }

    #[test]
    fn summarize_without_metrics_leaves_usage_unknown() {
        let s = summarize(&cluster(), None);
        assert_eq!((s.total, s.ready, s.cordoned), (3, 2, 2));
        assert_eq!((s.cpu_used_m, s.mem_used), (None, None));
        // Metrics that cover none of the nodes are unknown too, not 0 %.
        let s = summarize(&cluster(), Some(&HashMap::new()));
        assert_eq!((s.cpu_used_m, s.mem_used), (None, None));
        assert_eq!(summarize(&[], None), NodeSummary::default());
    }

    #[test]
    fn percent_truncates_saturates_and_rejects_zero() {
        assert_eq!(percent(471, 1000), Some(47));
        assert_eq!(percent(0, 1000), Some(0));
        assert_eq!(percent(1000, 1000), Some(100));
        assert_eq!(percent(1300, 1000), Some(130));
        assert_eq!(percent(u64::MAX, 1), Some(255));
        assert_eq!(percent(5, 0), None);
    }
}
