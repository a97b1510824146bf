//! Simulated resource usage: what each running container "uses", derived from its
//! requests by a deterministic, slowly varying curve (so `kubectl top` and the cockpit's
//! CPU%/MEM% look alive but repeatable). Pure; no store access.

use serde_json::{Value, json};

use lakedeck_model::quantity;

#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct Usage {
    pub cpu_nanos: f64,
    pub memory_bytes: f64,
}

impl Usage {
    pub fn add(&mut self, other: &Usage) {
        self.cpu_nanos += other.cpu_nanos;
        self.memory_bytes += other.memory_bytes;
    }

    /// metrics-server style quantities: CPU in nanocores, memory in Ki.
    pub fn to_json(&self) -> Value {
        json!({
            "cpu": format!("{}n", self.cpu_nanos.max(0.0).round() as u64),
            "memory": format!("{}Ki", (self.memory_bytes.max(0.0) / 1024.0).round() as u64),
        })
    }
}

fn seed_of(s: &str) -> f64 {
    // FNV-1a: a stable per-container phase so curves differ between containers.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    (h % 10_000) as f64 / 10_000.0
}

/// A value in [lo, hi] drifting with a period of tens of simulated minutes.
fn wave(seed: f64, t_secs: f64, lo: f64, hi: f64) -> f64 {
    let phase = seed * std::f64::consts::TAU;
    let slow = (t_secs / 900.0 + phase).sin();
    let fast = (t_secs / 97.0 + phase * 3.0).sin() * 0.15;
    let x = ((slow + fast) / 1.15 + 1.0) / 2.0;
    lo + (hi - lo) * x.clamp(0.0, 1.0)
}

/// The few fields of a stored pod that usage needs, read straight from its bytes (a
/// full `Value` of 100 000 pods per metrics poll would cost gigabytes of churn).
#[derive(serde::Deserialize)]
pub struct PodShape {
    pub metadata: ShapeMeta,
    #[serde(default)]
    spec: ShapeSpec,
}

#[derive(serde::Deserialize)]
pub struct ShapeMeta {
    #[serde(default)]
    uid: String,
    #[serde(default)]
    pub labels: Option<std::collections::BTreeMap<String, String>>,
}

#[derive(serde::Deserialize, Default)]
struct ShapeSpec {
    #[serde(default)]
    containers: Vec<ShapeContainer>,
}

#[derive(serde::Deserialize)]
struct ShapeContainer {
    name: String,
    #[serde(default)]
    resources: ShapeResources,
}

#[derive(serde::Deserialize, Default)]
struct ShapeResources {
    #[serde(default)]
    requests: std::collections::BTreeMap<String, String>,
}

impl PodShape {
    pub fn read(json: &[u8]) -> Option<PodShape> {
        serde_json::from_slice(json).ok()
    }

    /// Usage of each container: CPU 20–85 % of its request, memory 45–90 %.
    pub fn usage(&self, t_secs: f64) -> Vec<(String, Usage)> {
        self.spec
            .containers
            .iter()
            .map(|c| {
                let cpu = c
                    .resources
                    .requests
                    .get("cpu")
                    .and_then(|q| quantity::parse(q))
                    .unwrap_or(0.05);
                let mem = c
                    .resources
                    .requests
                    .get("memory")
                    .and_then(|q| quantity::parse(q))
                    .unwrap_or(64.0 * 1024.0 * 1024.0);
                (
                    c.name.clone(),
                    container_usage(&self.metadata.uid, &c.name, cpu, mem, t_secs),
                )
            })
            .collect()
    }
}

fn container_usage(uid: &str, name: &str, cpu: f64, mem: f64, t_secs: f64) -> Usage {
    let seed = seed_of(&format!("{uid}/{name}"));
    Usage {
        cpu_nanos: cpu * 1e9 * wave(seed, t_secs, 0.2, 0.85),
        memory_bytes: mem * wave(seed + 0.37, t_secs, 0.45, 0.9),
    }
}

/// The kubelet and system daemons: ~0.3 core and ~1.5 GiB per node.
pub fn node_overhead(node: &str, t_secs: f64) -> Usage {
    let seed = seed_of(node);
    Usage {
        cpu_nanos: 1e9 * wave(seed, t_secs, 0.2, 0.4),
        memory_bytes: 1024.0 * 1024.0 * 1024.0 * wave(seed, t_secs, 1.2, 1.8),
    }
}

/// A NotReady node's kubelet is unreachable, so metrics-server has nothing for it.
pub fn node_reporting(node: &Value) -> bool {
    node["status"]["conditions"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["type"] == "Ready"))
        .is_some_and(|c| c["status"] == "True")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_stays_within_request_bounds_and_varies_slowly() {
        let pod = json!({"metadata": {"uid": "u1"}, "spec": {"containers": [{"name": "trino", "resources": {"requests": {"cpu": "2", "memory": "4Gi"}}}]}});
        let shape = PodShape::read(&serde_json::to_vec(&pod).unwrap_or_default())
            .unwrap_or_else(|| unreachable!());
        let a = shape.usage(0.0);
        let b = shape.usage(5.0);
        assert_eq!(a.len(), 1);
        let (ua, ub) = (a[0].1, b[0].1);
        assert!(ua.cpu_nanos >= 0.2 * 2e9 && ua.cpu_nanos <= 0.85 * 2e9);
        assert!(
            (ua.cpu_nanos - ub.cpu_nanos).abs() < 0.05 * 2e9,
            "5 s apart should be close"
        );
        assert!(ua.memory_bytes <= 0.9 * 4.0 * 1024.0 * 1024.0 * 1024.0);
    }
}
