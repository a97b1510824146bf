//! kubectl's node STATUS and ROLES columns (`printNode` / `findNodeRoles` in kubernetes
//! `pkg/printers/internalversion/printers.go`), computed from a `Node` object. Pure
//! functions of the object: no I/O, no clock, no other condition types.

use std::collections::BTreeSet;

use k8s_openapi::api::core::v1::Node;

/// Label prefix whose suffix names a role: `node-role.kubernetes.io/<role>=""`.
const LABEL_NODE_ROLE_PREFIX: &str = "node-role.kubernetes.io/";
/// Older role label whose *value* names the role: `kubernetes.io/role=<role>`.
const NODE_LABEL_ROLE: &str = "kubernetes.io/role";

/// The STATUS column: `Ready`, `NotReady` or `Unknown`, plus `,SchedulingDisabled` when
/// the node is cordoned (e.g. `Ready,SchedulingDisabled`).
pub fn node_status(node: &Node) -> String {
    let conditions = node
        .status
        .as_ref()
        .and_then(|s| s.conditions.as_deref())
        .unwrap_or_default();
    // kubectl builds a map keyed by type, so with duplicate Ready conditions the last one
    // wins; `rev().find` reproduces that.
    let ready = conditions.iter().rev().find(|c| c.type_ == "Ready");
    let mut status = match ready {
        // Only "True" is Ready; "False" and "Unknown" (lost heartbeats) both read NotReady.
        Some(c) if c.status == "True" => "Ready".to_string(),
        Some(_) => "NotReady".to_string(),
        // No Ready condition at all: the kubelet never reported.
        None => "Unknown".to_string(),
    };
    let unschedulable = node
        .spec
        .as_ref()
        .and_then(|s| s.unschedulable)
        .unwrap_or(false);
    if unschedulable {
        status.push_str(",SchedulingDisabled");
    }
    status
}

/// The ROLES column: the sorted, de-duplicated union of `node-role.kubernetes.io/<role>`
/// label suffixes and the `kubernetes.io/role` label value, joined by `,`; `<none>` if
/// there are none.
pub fn node_roles(node: &Node) -> String {
    let mut roles = BTreeSet::new();
    for (key, value) in node.metadata.labels.iter().flatten() {
        if let Some(role) = key.strip_prefix(LABEL_NODE_ROLE_PREFIX) {
            // A bare "node-role.kubernetes.io/" key names no role.
            if !role.is_empty() {
                roles.insert(role);
            }
        } else if key == NODE_LABEL_ROLE && !value.is_empty() {
            roles.insert(value.as_str());
        }
    }
    if roles.is_empty() {
        return "<none>".to_string();
    }
    // BTreeSet iterates in byte order, which is what Go's sets.String.List() sorts by.
    roles.into_iter().collect::<Vec<_>>().join(",")
}

#[cfg(test)]
#[allow(clippy::expect_used)] // test fixtures are hand-written JSON; a bad one should fail loudly
mod tests {
    use super::{node_roles, node_status};
    use k8s_openapi::api::core::v1::Node;
    use serde_json::json;

    fn node(v: serde_json::Value) -> Node {
        serde_json::from_value(v).expect("valid Node JSON")
    }

    fn with_ready(status: &str, unschedulable: bool) -> Node {
        node(json!({
            "apiVersion": "v1", "kind": "Node",
            "metadata": {"name": "node-a"},
            "spec": {"unschedulable": unschedulable},
            "status": {"conditions": [
                {"type": "MemoryPressure", "status": "False"},
                {"type": "DiskPressure", "status": "False"},
                {"type": "PIDPressure", "status": "False"},
                {"type": "Ready", "status": status, "reason": "KubeletReady"}
            ]}
        }))
    }

    #[test]
    fn ready_node() {
        assert_eq!(node_status(&with_ready("True", false)), "Ready");
    }

    #[test]
    fn not_ready_node() {
        assert_eq!(node_status(&with_ready("False", false)), "NotReady");
    }

    #[test]
    fn lost_heartbeat_is_not_ready() {
        // Ready=Unknown (node controller lost heartbeats) prints NotReady, not Unknown.
        assert_eq!(node_status(&with_ready("Unknown", false)), "NotReady");
    }

    #[test]
    fn cordoned_node() {
        assert_eq!(
            node_status(&with_ready("True", true)),
            "Ready,SchedulingDisabled"
        );
        assert_eq!(
            node_status(&with_ready("False", true)),
            "NotReady,SchedulingDisabled"
        );
    }

    #[test]
    fn no_ready_condition_is_unknown() {
        let n = node(json!({
            "metadata": {"name": "fresh"},
            "status": {"conditions": [{"type": "MemoryPressure", "status": "False"}]}
        }));
        assert_eq!(node_status(&n), "Unknown");
        let bare = node(json!({"metadata": {"name": "bare"}, "spec": {"unschedulable": true}}));
        assert_eq!(node_status(&bare), "Unknown,SchedulingDisabled");
    }

    #[test]
    fn roles_from_both_label_styles_sorted_and_deduplicated() {
        let n = node(json!({
            "metadata": {"name": "cp-1", "labels": {
                "node-role.kubernetes.io/control-plane": "",
                "node-role.kubernetes.io/etcd": "true",
                "kubernetes.io/role": "control-plane",
                "kubernetes.io/hostname": "cp-1"
            }}
        }));
        assert_eq!(node_roles(&n), "control-plane,etcd");
    }

    #[test]
    fn legacy_role_label_only() {
        let n = node(json!({
            "metadata": {"name": "w", "labels": {"kubernetes.io/role": "worker"}}
        }));
        assert_eq!(node_roles(&n), "worker");
    }

    #[test]
    fn no_roles_is_none() {
        let unlabeled = node(json!({"metadata": {"name": "w"}}));
        assert_eq!(node_roles(&unlabeled), "<none>");
        // Empty suffix and empty legacy value name no role.
        let empty = node(json!({
            "metadata": {"name": "w", "labels": {
                "node-role.kubernetes.io/": "",
                "kubernetes.io/role": "",
                "topology.kubernetes.io/zone": "eu-1a"
            }}
        }));
        assert_eq!(node_roles(&empty), "<none>");
    }
}
