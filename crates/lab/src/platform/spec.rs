//! The `platform:` section of a scenario file: the simulated services beyond Kubernetes
//! objects (MinIO tenant and buckets, Kafka topics and consumer groups, Trino's query
//! load). Owns the format, its defaults and how an `extends` overlay merges into its base
//! (buckets, topics and groups by name). Must not compute any simulated value.

use std::collections::BTreeMap;

use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlatformSpec {
    #[serde(default)]
    pub minio: Option<MinioSpec>,
    #[serde(default)]
    pub buckets: Vec<BucketSpec>,
    #[serde(default)]
    pub topics: Vec<TopicSpec>,
    #[serde(default)]
    pub consumer_groups: Vec<GroupSpec>,
    #[serde(default)]
    pub trino: Option<TrinoSpec>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MinioSpec {
    #[serde(default = "default_servers")]
    pub servers: u32,
    #[serde(default = "default_drives")]
    pub drives_per_server: u32,
    /// Raw bytes per drive.
    #[serde(default = "default_drive_bytes")]
    pub drive_bytes: f64,
    /// Drives per erasure set and parity drives per set (EC:N).
    #[serde(default = "default_set_size")]
    pub set_size: u32,
    #[serde(default = "default_parity")]
    pub parity: u32,
    /// S3 requests per second per server.
    #[serde(default = "default_rps")]
    pub requests_per_second: f64,
}

impl Default for MinioSpec {
    fn default() -> Self {
        Self {
            servers: default_servers(),
            drives_per_server: default_drives(),
            drive_bytes: default_drive_bytes(),
            set_size: default_set_size(),
            parity: default_parity(),
            requests_per_second: default_rps(),
        }
    }
}

fn default_servers() -> u32 {
    4
}
fn default_drives() -> u32 {
    4
}
fn default_drive_bytes() -> f64 {
    1e12
}
fn default_set_size() -> u32 {
    8
}
fn default_parity() -> u32 {
    4
}
fn default_rps() -> f64 {
    200.0
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BucketSpec {
    pub name: String,
    /// Bytes stored when the lab starts.
    pub bytes: f64,
    pub objects: f64,
    /// Bytes added per hour (before the lab started too: the history shows it).
    #[serde(default)]
    pub growth_per_hour: f64,
    #[serde(default = "default_object_bytes")]
    pub avg_object_bytes: f64,
}

fn default_object_bytes() -> f64 {
    8e6
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TopicSpec {
    pub name: String,
    pub partitions: u32,
    /// Messages per second over all partitions.
    pub produce_per_second: f64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupSpec {
    pub name: String,
    pub topics: Vec<String>,
    #[serde(default = "default_members")]
    pub members: u32,
    /// Consume capacity as a multiple of the produce rate (> 1 keeps up).
    #[serde(default = "default_headroom")]
    pub headroom: f64,
    /// Seconds of messages a healthy group lags behind.
    #[serde(default = "default_steady_lag")]
    pub steady_lag_secs: f64,
    /// Partitions without a committed offset (lag −1), by topic.
    #[serde(default)]
    pub uncommitted: BTreeMap<String, Vec<u32>>,
}

fn default_members() -> u32 {
    2
}
fn default_headroom() -> f64 {
    1.25
}
fn default_steady_lag() -> f64 {
    2.0
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrinoSpec {
    #[serde(default = "default_arrivals")]
    pub arrivals_per_minute: f64,
    #[serde(default = "default_min_run")]
    pub min_run_secs: u32,
    #[serde(default = "default_max_run")]
    pub max_run_secs: u32,
    /// Concurrent queries each Ready worker runs (the resource group's hard limit scales with it).
    #[serde(default = "default_per_worker")]
    pub queries_per_worker: u32,
    #[serde(default = "default_max_queued")]
    pub max_queued: u32,
    /// Percent of queries that end FAILED.
    #[serde(default = "default_failure")]
    pub failure_percent: u32,
}

impl Default for TrinoSpec {
    fn default() -> Self {
        Self {
            arrivals_per_minute: default_arrivals(),
            min_run_secs: default_min_run(),
            max_run_secs: default_max_run(),
            queries_per_worker: default_per_worker(),
            max_queued: default_max_queued(),
            failure_percent: default_failure(),
        }
    }
}

fn default_arrivals() -> f64 {
    6.0
}
fn default_min_run() -> u32 {
    20
}
fn default_max_run() -> u32 {
    120
}
fn default_per_worker() -> u32 {
    3
}
fn default_max_queued() -> u32 {
    200
}
fn default_failure() -> u32 {
    3
}

fn merge_by_name<T: Clone>(base: &mut Vec<T>, overlay: Vec<T>, name: impl Fn(&T) -> &str) {
    for item in overlay {
        match base.iter_mut().find(|b| name(b) == name(&item)) {
            Some(slot) => *slot = item,
            None => base.push(item),
        }
    }
}

impl PlatformSpec {
    /// `self` as the base, with the overlay's settings replacing same-named entries.
    pub fn merged_with(mut self, overlay: PlatformSpec) -> PlatformSpec {
        if overlay.minio.is_some() {
            self.minio = overlay.minio;
        }
        if overlay.trino.is_some() {
            self.trino = overlay.trino;
        }
        merge_by_name(&mut self.buckets, overlay.buckets, |b| &b.name);
        merge_by_name(&mut self.topics, overlay.topics, |t| &t.name);
        merge_by_name(&mut self.consumer_groups, overlay.consumer_groups, |g| {
            &g.name
        });
        self
    }

    /// Problems serde cannot see: (needle to locate in the file, message).
    pub fn problems(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let m = self.minio.clone().unwrap_or_default();
        if m.servers == 0 || m.drives_per_server == 0 || m.set_size == 0 {
            out.push((
                "servers".into(),
                "minio needs at least one server, drive and erasure-set drive".into(),
            ));
        }
        if m.parity >= m.set_size {
            out.push((
                "parity".into(),
                format!(
                    "parity {} must be below the erasure set size {}",
                    m.parity, m.set_size
                ),
            ));
        }
        for b in &self.buckets {
            if !(b.bytes.is_finite() && b.bytes >= 0.0 && b.avg_object_bytes > 0.0) {
                out.push((
                    format!("name: {}", b.name),
                    format!(
                        "bucket {}: bytes must be ≥ 0 and avg_object_bytes > 0",
                        b.name
                    ),
                ));
            }
        }
        for t in &self.topics {
            if t.partitions == 0 || t.produce_per_second.is_nan() || t.produce_per_second < 0.0 {
                out.push((
                    format!("name: {}", t.name),
                    format!(
                        "topic {}: needs ≥ 1 partition and a produce rate ≥ 0",
                        t.name
                    ),
                ));
            }
        }
        for g in &self.consumer_groups {
            for t in g.topics.iter().chain(g.uncommitted.keys()) {
                if !self.topics.iter().any(|x| &x.name == t) {
                    out.push((
                        t.clone(),
                        format!(
                            "consumer group {} reads topic {t:?}, which the platform does not define",
                            g.name
                        ),
                    ));
                }
            }
            if g.headroom.is_nan() || g.headroom <= 0.0 {
                out.push((
                    format!("name: {}", g.name),
                    format!("consumer group {}: headroom must be > 0", g.name),
                ));
            }
        }
        if let Some(t) = &self.trino
            && (t.min_run_secs == 0 || t.max_run_secs < t.min_run_secs || t.failure_percent > 100)
        {
            out.push((
                "min_run_secs".into(),
                "trino: need 0 < min_run_secs ≤ max_run_secs and failure_percent ≤ 100".into(),
            ));
        }
        out
    }
}
