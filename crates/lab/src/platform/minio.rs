//! The simulated MinIO tenant `datalake`: servers × drives in erasure sets, buckets that
//! grow, drives and servers going offline and healing, S3 request and 5xx counters — as
//! pure functions of lab time (the scenario's timeline is known up front), so any past
//! instant is answered exactly. Usage numbers move once per data-scanner cycle, like
//! MinIO's. Must not know about HTTP.

use super::piecewise::Piecewise;
use super::series::Sample;
use super::spec::{BucketSpec, MinioSpec};
use crate::scenario::{TimelineEvent, TimelineStep, parse_duration};

/// Seconds between data-scanner usage updates.
const SCANNER_SECS: f64 = 60.0;
/// A replaced drive heals for this long.
const HEAL_SECS: f64 = 600.0;
/// Counters have been counting for this long before the lab started.
const UPTIME_SECS: f64 = 30.0 * 86_400.0;
/// S3 APIs and their share of the requests.
const APIS: &[(&str, f64)] = &[
    ("getobject", 0.6),
    ("putobject", 0.3),
    ("listobjectsv2", 0.1),
];

#[derive(Debug, Clone, Copy, PartialEq)]
enum DriveEvent {
    DriveOffline(u32, u32),
    DriveOnline(u32, u32),
    NodeOffline(u32),
    NodeOnline(u32),
}

#[derive(Debug, Clone)]
pub struct Minio {
    spec: MinioSpec,
    buckets: Vec<(BucketSpec, Piecewise)>,
    events: Vec<(f64, DriveEvent)>,
    /// Per-server 5xx rate (per second) for getobject and putobject.
    errors_5xx: Piecewise,
    start: f64,
}

/// The tenant's state at one instant.
#[derive(Debug, Clone, PartialEq)]
pub struct MinioState {
    pub servers_online: Vec<bool>,
    pub drives_offline: u32,
    pub drives_total: u32,
    /// (pool, set) → healing drives.
    pub healing: Vec<u32>,
    pub set_online: Vec<u32>,
    pub bucket_bytes: Vec<(String, f64, f64)>,
}

impl Minio {
    pub fn new(
        spec: MinioSpec,
        buckets: &[BucketSpec],
        timeline: &[TimelineStep],
        start: f64,
    ) -> Self {
        let at = |s: &TimelineStep| start + parse_duration(&s.at).map_or(0.0, |d| d.as_secs_f64());
        let mut events = Vec::new();
        for step in timeline {
            let e = match &step.event {
                TimelineEvent::MinioDriveOffline(d) => DriveEvent::DriveOffline(d.server, d.drive),
                TimelineEvent::MinioDriveOnline(d) => DriveEvent::DriveOnline(d.server, d.drive),
                TimelineEvent::MinioNodeOffline(n) => DriveEvent::NodeOffline(*n),
                TimelineEvent::MinioNodeOnline(n) => DriveEvent::NodeOnline(*n),
                _ => continue,
            };
            events.push((at(step), e));
        }
        events.sort_by(|a, b| a.0.total_cmp(&b.0));
        let buckets = buckets
            .iter()
            .map(|b| {
                let changes = timeline
                    .iter()
                    .filter_map(|s| match &s.event {
                        TimelineEvent::BucketGrowth { bucket, per_hour } if *bucket == b.name => {
                            Some((at(s), per_hour / 3600.0))
                        }
                        _ => None,
                    })
                    .collect();
                (
                    b.clone(),
                    Piecewise::new(b.growth_per_hour / 3600.0, changes),
                )
            })
            .collect();
        let mut me = Self {
            spec,
            buckets,
            events,
            errors_5xx: Piecewise::constant(0.0),
            start,
        };
        // 5xx errors follow the drive state: a few per minute when healthy, many while
        // any drive or server is down (writes fail quorum checks and retries).
        let healthy = 0.01;
        let degraded = 0.4;
        let mut changes = Vec::new();
        for (t, _) in &me.events {
            let st = me.state(*t);
            let down = st.drives_offline > 0;
            changes.push((*t, if down { degraded } else { healthy }));
        }
        me.errors_5xx = Piecewise::new(healthy, changes);
        me
    }

    pub fn server_name(&self, i: u32) -> String {
        format!("datalake-pool-0-{i}.datalake-hl.minio.svc.cluster.local:9000")
    }

    fn sets(&self) -> u32 {
        (self.spec.servers * self.spec.drives_per_server).div_ceil(self.spec.set_size.max(1))
    }

    pub fn usable_total(&self) -> f64 {
        let drives = f64::from(self.spec.servers * self.spec.drives_per_server);
        let set = f64::from(self.spec.set_size.max(1));
        drives * self.spec.drive_bytes * (set - f64::from(self.spec.parity)) / set
    }

    /// The state at `t` (usage as of the last scanner cycle).
    pub fn state(&self, t: f64) -> MinioState {
        let servers = self.spec.servers as usize;
        let per = self.spec.drives_per_server as usize;
        let mut drive_down = vec![false; servers * per];
        let mut server_down = vec![false; servers];
        let mut healed_at: Vec<Option<f64>> = vec![None; servers * per];
        for (at, e) in self.events.iter().take_while(|(at, _)| *at <= t) {
            match *e {
                DriveEvent::DriveOffline(s, d) => {
                    if let Some(x) = drive_down.get_mut(s as usize * per + d as usize) {
                        *x = true;
                    }
                }
                DriveEvent::DriveOnline(s, d) => {
                    let i = s as usize * per + d as usize;
                    if let Some(x) = drive_down.get_mut(i) {
                        *x = false;
                    }
                    if let Some(h) = healed_at.get_mut(i) {
                        *h = Some(*at);
                    }
                }
                DriveEvent::NodeOffline(s) => {
                    if let Some(x) = server_down.get_mut(s as usize) {
                        *x = true;
                    }
                }
                DriveEvent::NodeOnline(s) => {
                    if let Some(x) = server_down.get_mut(s as usize) {
                        *x = false;
                    }
                }
            }
        }
        let set_size = self.spec.set_size.max(1) as usize;
        let sets = self.sets() as usize;
        let mut healing = vec![0; sets];
        let mut set_online = vec![0; sets];
        let mut offline = 0;
        for i in 0..servers * per {
            let down = drive_down[i] || server_down[i / per];
            let set = i / set_size;
            if down {
                offline += 1;
            } else if let Some(x) = set_online.get_mut(set) {
                *x += 1;
            }
            if !down
                && healed_at[i].is_some_and(|h| t - h < HEAL_SECS)
                && let Some(x) = healing.get_mut(set)
            {
                *x += 1;
            }
        }
        let scan = (t / SCANNER_SECS).floor() * SCANNER_SECS;
        let bucket_bytes = self
            .buckets
            .iter()
            .map(|(b, growth)| {
                let bytes = (b.bytes + growth.integral(self.start, scan))
                    .max(0.0)
                    .round();
                let objects = (b.objects + (bytes - b.bytes) / b.avg_object_bytes)
                    .max(0.0)
                    .round();
                (b.name.clone(), bytes, objects)
            })
            .collect();
        MinioState {
            servers_online: server_down.iter().map(|d| !d).collect(),
            drives_offline: offline,
            drives_total: (servers * per) as u32,
            healing,
            set_online,
            bucket_bytes,
        }
    }

    pub fn usable_free(&self, t: f64) -> f64 {
        let st = self.state(t);
        self.usable_total() - st.bucket_bytes.iter().map(|b| b.1).sum::<f64>()
    }

    /// Every MinIO v2 cluster series at `t`, once per online server (`server` label).
    pub fn samples(&self, t: f64, out: &mut Vec<Sample>) {
        let st = self.state(t);
        let used: f64 = st.bucket_bytes.iter().map(|b| b.1).sum();
        let objects: f64 = st.bucket_bytes.iter().map(|b| b.2).sum();
        let online = f64::from(st.drives_total - st.drives_offline);
        let raw_total = online * self.spec.drive_bytes;
        let set = f64::from(self.spec.set_size.max(1));
        let expansion = set / (set - f64::from(self.spec.parity)).max(1.0);
        let raw_free = raw_total - used * expansion * online / f64::from(st.drives_total.max(1));
        let usable_total = self.usable_total();
        let nodes_online = st.servers_online.iter().filter(|o| **o).count() as f64;
        let nodes_offline = st.servers_online.len() as f64 - nodes_online;
        let uptime = t - self.start + UPTIME_SECS;
        let rps = self.spec.requests_per_second;
        let errors = self.errors_5xx.integral(self.start, t) + 0.01 * UPTIME_SECS;
        for (i, up) in st.servers_online.iter().enumerate() {
            if !up {
                continue;
            }
            let server = self.server_name(i as u32);
            let s = server.as_str();
            let g = |name, v| Sample::new(name, &[("server", s)], v);
            out.push(g("minio_cluster_capacity_raw_total_bytes", raw_total));
            out.push(g("minio_cluster_capacity_raw_free_bytes", raw_free.round()));
            out.push(g("minio_cluster_capacity_usable_total_bytes", usable_total));
            out.push(g(
                "minio_cluster_capacity_usable_free_bytes",
                usable_total - used,
            ));
            out.push(g("minio_cluster_usage_total_bytes", used));
            out.push(g("minio_cluster_usage_object_total", objects));
            out.push(g(
                "minio_cluster_bucket_total",
                st.bucket_bytes.len() as f64,
            ));
            out.push(g("minio_cluster_nodes_online_total", nodes_online));
            out.push(g("minio_cluster_nodes_offline_total", nodes_offline));
            out.push(g("minio_cluster_drive_online_total", online));
            out.push(g(
                "minio_cluster_drive_offline_total",
                f64::from(st.drives_offline),
            ));
            out.push(g("minio_cluster_drive_total", f64::from(st.drives_total)));
            out.push(g(
                "minio_cluster_health_status",
                if st.drives_offline == 0 { 1.0 } else { 0.0 },
            ));
            for (k, (heal, on)) in st.healing.iter().zip(&st.set_online).enumerate() {
                let set = k.to_string();
                let labels = [("pool", "0"), ("server", s), ("set", set.as_str())];
                out.push(Sample::new(
                    "minio_cluster_health_erasure_set_healing_drives",
                    &labels,
                    f64::from(*heal),
                ));
                out.push(Sample::new(
                    "minio_cluster_health_erasure_set_online_drives",
                    &labels,
                    f64::from(*on),
                ));
            }
            for (bucket, bytes, objs) in &st.bucket_bytes {
                let labels = [("bucket", bucket.as_str()), ("server", s)];
                out.push(Sample::new(
                    "minio_bucket_usage_total_bytes",
                    &labels,
                    *bytes,
                ));
                out.push(Sample::new(
                    "minio_bucket_usage_object_total",
                    &labels,
                    *objs,
                ));
            }
            for (api, share) in APIS {
                let labels = [("api", *api), ("server", s)];
                out.push(Sample::new(
                    "minio_s3_requests_total",
                    &labels,
                    (rps * share * uptime).floor(),
                ));
                out.push(Sample::new(
                    "minio_s3_requests_4xx_errors_total",
                    &labels,
                    (0.002 * rps * share * uptime).floor(),
                ));
                let e = match *api {
                    "getobject" => errors * 0.4,
                    "putobject" => errors * 0.6,
                    _ => 0.0,
                };
                out.push(Sample::new(
                    "minio_s3_requests_5xx_errors_total",
                    &labels,
                    e.floor(),
                ));
            }
        }
    }
}
