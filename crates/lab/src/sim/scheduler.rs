//! The simulated kube-scheduler: filters nodes the way the default plugins do (cordon,
//! NotReady, untolerated NoSchedule/NoExecute taints, nodeSelector, requested CPU/memory
//! and pod count vs allocatable), scores the rest by least allocated, and explains a
//! failure with kube-scheduler's FailedScheduling message. Pure.

use std::collections::BTreeMap;

use serde_json::Value;

use lakedeck_model::quantity;

#[derive(Debug, Clone, Default)]
pub struct NodeInfo {
    pub name: String,
    pub labels: BTreeMap<String, String>,
    /// (key, value, effect) of NoSchedule/NoExecute taints.
    pub taints: Vec<(String, String, String)>,
    pub unschedulable: bool,
    pub ready: bool,
    pub alloc_cpu_m: i64,
    pub alloc_mem: i64,
    pub alloc_pods: i64,
    pub used_cpu_m: i64,
    pub used_mem: i64,
    pub used_pods: i64,
    /// The first three octets of the node's pod CIDR ("10.244.6"), for pod IPs.
    pub pod_net: String,
}

impl NodeInfo {
    pub fn from_node(node: &Value) -> Self {
        let alloc = &node["status"]["allocatable"];
        let q = |k: &str| alloc[k].as_str().unwrap_or("0").to_string();
        Self {
            name: node["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            labels: node["metadata"]["labels"]
                .as_object()
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                        .collect()
                })
                .unwrap_or_default(),
            taints: node["spec"]["taints"]
                .as_array()
                .map(|ts| {
                    ts.iter()
                        .filter(|t| {
                            matches!(t["effect"].as_str(), Some("NoSchedule" | "NoExecute"))
                        })
                        .map(|t| {
                            (
                                t["key"].as_str().unwrap_or_default().to_string(),
                                t["value"].as_str().unwrap_or_default().to_string(),
                                t["effect"].as_str().unwrap_or_default().to_string(),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default(),
            unschedulable: node["spec"]["unschedulable"].as_bool().unwrap_or(false),
            ready: crate::usage::node_reporting(node),
            alloc_cpu_m: quantity::cpu_millis(&q("cpu")).unwrap_or(0),
            alloc_mem: quantity::bytes(&q("memory")).unwrap_or(0),
            alloc_pods: q("pods").parse().unwrap_or(110),
            pod_net: node["spec"]["podCIDR"]
                .as_str()
                .and_then(|c| c.rsplit_once('.').map(|(net, _)| net.to_string()))
                .unwrap_or_else(|| "10.244.0".to_string()),
            ..Self::default()
        }
    }
}

/// (CPU millicores, memory bytes) a pod requests: its containers' sum, or its largest
/// init container if that is bigger, as the scheduler computes it.
pub fn requests(pod: &Value) -> (i64, i64) {
    let sum = |list: &Value| -> Vec<(i64, i64)> {
        list.as_array()
            .map(|cs| {
                cs.iter()
                    .map(|c| {
                        let r = &c["resources"]["requests"];
                        (
                            r["cpu"]
                                .as_str()
                                .and_then(quantity::cpu_millis)
                                .unwrap_or(0),
                            r["memory"].as_str().and_then(quantity::bytes).unwrap_or(0),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let main = sum(&pod["spec"]["containers"]);
    let (cpu, mem) = main.iter().fold((0, 0), |(a, b), (c, m)| (a + c, b + m));
    let init = sum(&pod["spec"]["initContainers"]);
    let init_cpu = init.iter().map(|(c, _)| *c).max().unwrap_or(0);
    let init_mem = init.iter().map(|(_, m)| *m).max().unwrap_or(0);
    (cpu.max(init_cpu), mem.max(init_mem))
}

/// Whether the pod tolerates a taint (as the scheduler and the taint manager judge it).
pub fn tolerates(pod: &Value, key: &str, value: &str, effect: &str) -> bool {
    pod["spec"]["tolerations"].as_array().is_some_and(|ts| {
        ts.iter().any(|t| {
            let op_exists = t["operator"] == "Exists";
            let key_ok = t["key"].as_str().is_none_or(|k| k.is_empty() || k == key);
            let key_ok = key_ok && (op_exists || t["key"].as_str() == Some(key));
            let value_ok = op_exists || t["value"].as_str().unwrap_or("") == value;
            let effect_ok = t["effect"]
                .as_str()
                .is_none_or(|e| e.is_empty() || e == effect);
            key_ok && value_ok && effect_ok
        })
    })
}

/// Why a node cannot take the pod, in kube-scheduler's words; empty if it can.
fn misfits(pod: &Value, (cpu, mem): (i64, i64), node: &NodeInfo) -> Vec<String> {
    if node.unschedulable {
        return vec!["node(s) were unschedulable".into()];
    }
    if !node.ready && !tolerates(pod, "node.kubernetes.io/unreachable", "", "NoExecute") {
        return vec!["node(s) had untolerated taint {node.kubernetes.io/unreachable: }".into()];
    }
    for (k, v, e) in &node.taints {
        if !tolerates(pod, k, v, e) {
            return vec![format!("node(s) had untolerated taint {{{k}: {v}}}")];
        }
    }
    if let Some(sel) = pod["spec"]["nodeSelector"].as_object()
        && !sel
            .iter()
            .all(|(k, v)| node.labels.get(k).map(String::as_str) == v.as_str())
    {
        return vec!["node(s) didn't match Pod's node affinity/selector".into()];
    }
    let mut out = Vec::new();
    if node.used_pods + 1 > node.alloc_pods {
        out.push("Too many pods".into());
    }
    if node.used_cpu_m + cpu > node.alloc_cpu_m {
        out.push("Insufficient cpu".into());
    }
    if node.used_mem + mem > node.alloc_mem {
        out.push("Insufficient memory".into());
    }
    out
}

/// The node to bind `pod` to, or kube-scheduler's FailedScheduling message.
pub fn pick(pod: &Value, nodes: &[NodeInfo]) -> Result<String, String> {
    let req = requests(pod);
    let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
    // Preemption is judged per node: only a node short of resources might be helped.
    let mut resource_failures = 0usize;
    let mut best: Option<(f64, &NodeInfo)> = None;
    for node in nodes {
        let why = misfits(pod, req, node);
        if why.is_empty() {
            // LeastAllocated: prefer the node with the most free share after placement.
            let cpu_free = 1.0 - (node.used_cpu_m + req.0) as f64 / node.alloc_cpu_m.max(1) as f64;
            let mem_free = 1.0 - (node.used_mem + req.1) as f64 / node.alloc_mem.max(1) as f64;
            let score = cpu_free + mem_free;
            if best.is_none_or(|(s, _)| score > s) {
                best = Some((score, node));
            }
        } else {
            if why
                .iter()
                .any(|w| w.starts_with("Insufficient") || w.starts_with("Too many"))
            {
                resource_failures += 1;
            }
            for w in why {
                *reasons.entry(w).or_default() += 1;
            }
        }
    }
    if let Some((_, node)) = best {
        return Ok(node.name.clone());
    }
    let total = nodes.len();
    // kube-scheduler sorts the "<count> <reason>" strings themselves.
    let mut parts: Vec<String> = reasons.iter().map(|(r, n)| format!("{n} {r}")).collect();
    parts.sort();
    let unhelpful = total.saturating_sub(resource_failures.min(total));
    let mut preemption = Vec::new();
    if unhelpful > 0 {
        preemption.push(format!(
            "{unhelpful} Preemption is not helpful for scheduling"
        ));
    }
    if resource_failures > 0 {
        preemption.push(format!(
            "{} No preemption victims found for incoming pod",
            resource_failures.min(total)
        ));
    }
    Err(format!(
        "0/{total} nodes are available: {}. preemption: 0/{total} nodes are available: {}.",
        parts.join(", "),
        {
            preemption.sort();
            preemption.join(", ")
        }
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn node(name: &str, cpu: i64, mem_gi: i64, taint: bool, pool: &str) -> NodeInfo {
        NodeInfo {
            name: name.into(),
            labels: [("lakedeck.io/pool".to_string(), pool.to_string())].into(),
            taints: if taint {
                vec![(
                    "node-role.kubernetes.io/control-plane".into(),
                    String::new(),
                    "NoSchedule".into(),
                )]
            } else {
                vec![]
            },
            ready: true,
            alloc_cpu_m: cpu * 1000,
            alloc_mem: mem_gi << 30,
            alloc_pods: 110,
            ..NodeInfo::default()
        }
    }

    fn pod(mem: &str, selector: Option<&str>) -> Value {
        let mut p = json!({"spec": {"containers": [{"name": "c", "resources": {"requests": {"cpu": "1", "memory": mem}}}]}});
        if let Some(s) = selector {
            p["spec"]["nodeSelector"] = json!({"lakedeck.io/pool": s});
        }
        p
    }

    #[test]
    fn too_big_pod_gets_kube_scheduler_message() {
        let nodes = vec![
            node("cp-1", 4, 16, true, ""),
            node("c-1", 16, 64, false, "compute"),
            node("c-2", 16, 64, false, "compute"),
        ];
        let err = pick(&pod("96Gi", None), &nodes).err().unwrap_or_default();
        assert_eq!(
            err,
            "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient memory. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod."
        );
    }

    #[test]
    fn spreads_and_respects_selector_and_cordon() {
        let mut nodes = vec![
            node("s-1", 8, 32, false, "storage"),
            node("c-1", 16, 64, false, "compute"),
            node("c-2", 16, 64, false, "compute"),
        ];
        nodes[1].used_cpu_m = 8000;
        assert_eq!(
            pick(&pod("1Gi", Some("compute")), &nodes).ok().as_deref(),
            Some("c-2")
        );
        nodes[2].unschedulable = true;
        assert_eq!(
            pick(&pod("1Gi", Some("compute")), &nodes).ok().as_deref(),
            Some("c-1")
        );
        assert_eq!(requests(&pod("2Gi", None)), (1000, 2 << 30));
    }
}
