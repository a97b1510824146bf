//! The simulated platform beyond Kubernetes objects: MinIO, Kafka, Trino (their own
//! modules), Velero and kube-state-metrics series derived from the store, the alert
//! rules evaluated on all of it, and Alertmanager's silences. One `Platform` per lab,
//! shared by the HTTP handlers and advanced by a small task (`tick`). Time is the lab's
//! simulated clock; exporter values sit on the 15 s scrape grid so a scrape, the lab's
//! Prometheus and a real Prometheus scraping the lab all see the same numbers. Must not
//! know about HTTP.

pub mod alerts;
pub mod catalog;
pub mod kafka;
pub mod kube;
pub mod minio;
pub mod piecewise;
pub mod promql;
pub mod series;
pub mod silences;
pub mod spec;
pub mod trino;

use std::sync::{Arc, Mutex, MutexGuard};

use alerts::{Alert, RuleGroup};
use series::Sample;
use silences::Silences;

use super::scenario::Scenario;
use super::store::Store;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    Minio,
    Kafka,
    Trino,
    Velero,
    Kube,
}

impl Family {
    pub fn of(name: &str) -> Option<Family> {
        [
            ("minio_", Family::Minio),
            ("kafka_", Family::Kafka),
            ("trino_", Family::Trino),
            ("velero_", Family::Velero),
            ("kube_", Family::Kube),
        ]
        .into_iter()
        .find(|(p, _)| name.starts_with(p))
        .map(|(_, f)| f)
    }

    pub const ALL: [Family; 5] = [
        Family::Minio,
        Family::Kafka,
        Family::Trino,
        Family::Velero,
        Family::Kube,
    ];
}

pub struct Platform {
    pub store: Arc<Store>,
    /// Simulated unix time (s) the lab started.
    pub start: f64,
    pub minio: minio::Minio,
    pub kafka: kafka::Kafka,
    trino: Mutex<trino::Trino>,
    pub rules: Vec<RuleGroup>,
    alerts: Mutex<(f64, Vec<Alert>)>,
    silences: Mutex<Silences>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // Every critical section leaves the state whole, so a poisoned lock is still usable.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Simulated unix seconds of a timestamp.
pub fn secs(t: jiff::Timestamp) -> f64 {
    t.as_millisecond() as f64 / 1000.0
}

/// RFC 3339 with milliseconds, as Prometheus and Alertmanager write times.
pub fn rfc3339_ms(t: f64) -> String {
    jiff::Timestamp::from_millisecond((t * 1000.0).round() as i64)
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
        .strftime("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

impl Platform {
    pub fn new(store: Arc<Store>, scenario: &Scenario) -> Platform {
        let start = secs(store.clock.now()) - store.clock.elapsed_secs();
        let p = &scenario.platform;
        let minio = minio::Minio::new(
            p.minio.clone().unwrap_or_default(),
            &p.buckets,
            &scenario.timeline,
            start,
        );
        let kafka = kafka::Kafka::new(&p.topics, &p.consumer_groups, &scenario.timeline, start);
        let trino = trino::Trino::new(
            p.trino.clone().unwrap_or_default(),
            &scenario.timeline,
            start,
        );
        Platform {
            store,
            start,
            minio,
            kafka,
            trino: Mutex::new(trino),
            rules: alerts::rules(),
            alerts: Mutex::new((f64::NEG_INFINITY, Vec::new())),
            silences: Mutex::new(Silences::default()),
        }
    }

    pub fn now(&self) -> f64 {
        secs(self.store.clock.now())
    }

    /// Advances Trino to the current grid step and re-evaluates the alerts when a new
    /// step began. Cheap when nothing is due.
    pub fn tick(&self) {
        let now = self.now();
        let g = promql::grid(now);
        {
            let mut t = lock(&self.trino);
            if t.stepped_to < g {
                let (workers, coordinator) = kube::trino_pods(&self.store);
                t.step_to(now, workers, coordinator);
            }
        }
        let due = lock(&self.alerts).0 < g;
        if due {
            let extra = alerts::Extra {
                now,
                crashlooping: kube::crashlooping(&self.store, now),
            };
            let previous = lock(&self.alerts).1.clone();
            let fired = alerts::evaluate(&self.rules, self, now, &extra, &previous);
            *lock(&self.alerts) = (g, fired);
        }
    }

    /// The firing alerts (as of the last grid step).
    pub fn alerts(&self) -> Vec<Alert> {
        lock(&self.alerts).1.clone()
    }

    pub fn trino(&self) -> MutexGuard<'_, trino::Trino> {
        lock(&self.trino)
    }

    pub fn silences(&self) -> MutexGuard<'_, Silences> {
        lock(&self.silences)
    }

    /// One family's series as scraped at `t` (grid time for the pure models; the store
    /// as it is now for Velero and kube-state-metrics).
    pub fn family(&self, f: Family, t: f64, out: &mut Vec<Sample>) {
        let g = promql::grid(t);
        match f {
            Family::Minio => self.minio.samples(g, out),
            Family::Kafka => self.kafka.samples(g, out),
            Family::Trino => {
                let tr = lock(&self.trino);
                let gauges = if g >= tr.stepped_to {
                    let (workers, coordinator) = kube::trino_pods(&self.store);
                    Some(tr.gauges(workers, coordinator))
                } else {
                    tr.gauges_at(g)
                };
                if let Some(gg) = gauges {
                    out.push(Sample::new(
                        "trino_execution_name_QueryManager_RunningQueries",
                        &[],
                        gg.running,
                    ));
                    out.push(Sample::new(
                        "trino_execution_name_QueryManager_QueuedQueries",
                        &[],
                        gg.queued,
                    ));
                    out.push(Sample::new(
                        "trino_execution_name_QueryManager_BlockedQueries",
                        &[],
                        gg.blocked,
                    ));
                    out.push(Sample::new(
                        "trino_metadata_name_DiscoveryNodeManager_ActiveNodeCount",
                        &[],
                        gg.active_nodes,
                    ));
                }
                out.push(Sample::new(
                    "trino_execution_name_QueryManager_CompletedQueries_TotalCount",
                    &[],
                    tr.completed_total,
                ));
                out.push(Sample::new(
                    "trino_execution_name_QueryManager_FailedQueries_TotalCount",
                    &[],
                    tr.failed_total,
                ));
            }
            Family::Velero => kube::velero(&self.store, out),
            Family::Kube => kube::kube_state(&self.store, out),
        }
    }

    /// The text exposition of the given families now.
    pub fn exposition(&self, families: &[Family]) -> String {
        let now = self.now();
        let mut out = Vec::new();
        for f in families {
            self.family(*f, now, &mut out);
        }
        series::exposition(&out)
    }
}

impl promql::Source for Platform {
    fn samples(&self, name: &str, t: f64) -> Vec<Sample> {
        let Some(f) = Family::of(name) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        self.family(f, t, &mut out);
        out.retain(|s| s.name == name);
        out
    }
}
