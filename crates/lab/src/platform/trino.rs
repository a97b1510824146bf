//! The simulated Trino coordinator: queries arrive at the scenario's rate, queue in
//! resource groups, run on the Ready `trino-worker` pods (a fixed number per worker),
//! finish or fail; users can kill or cancel them. Stepped once per scrape interval on
//! the lab's time grid with a seeded random source, so a scenario replays the same way.
//! Keeps finished queries for 15 minutes (Trino's min expire age) and a short history
//! of the queue gauges for range queries. Must not know about HTTP.

use std::collections::VecDeque;

use super::spec::TrinoSpec;
use crate::scenario::{TimelineEvent, TimelineStep, parse_duration};

pub const GRID: f64 = 15.0;
const EXPIRE_SECS: f64 = 900.0;
const MAX_KEPT: usize = 300;
/// Range queries look back at most this far.
const HISTORY_SECS: f64 = 6.0 * 3600.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryState {
    Queued,
    Running,
    Finished,
    Failed,
}

impl QueryState {
    pub fn as_str(self) -> &'static str {
        match self {
            QueryState::Queued => "QUEUED",
            QueryState::Running => "RUNNING",
            QueryState::Finished => "FINISHED",
            QueryState::Failed => "FAILED",
        }
    }

    pub fn done(self) -> bool {
        matches!(self, QueryState::Finished | QueryState::Failed)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub id: String,
    pub state: QueryState,
    pub user: &'static str,
    pub source: &'static str,
    pub resource_group: [&'static str; 2],
    pub catalog: &'static str,
    pub schema: &'static str,
    pub text: &'static str,
    pub created: f64,
    pub started: Option<f64>,
    pub ended: Option<f64>,
    /// Seconds of work once running.
    pub work_secs: f64,
    pub will_fail: bool,
    pub fully_blocked: bool,
    /// Peak user memory (bytes) once running.
    pub memory: f64,
    /// (errorCode name, errorType, message)
    pub error: Option<(&'static str, &'static str, String)>,
}

/// (user, source, resource group, catalog, schema, text)
type Workload = (
    &'static str,
    &'static str,
    [&'static str; 2],
    &'static str,
    &'static str,
    &'static str,
);

const WORKLOAD: &[Workload] = &[
    (
        "etl",
        "airflow",
        ["global", "etl"],
        "iceberg",
        "silver",
        "INSERT INTO iceberg.silver.orders SELECT o.*, c.segment FROM iceberg.bronze.orders_raw o JOIN iceberg.silver.customers c ON o.customer_id = c.id WHERE o.ingest_date = current_date",
    ),
    (
        "dbt",
        "dbt-trino-1.9.0",
        ["global", "etl"],
        "iceberg",
        "gold",
        "CREATE TABLE iceberg.gold.daily_revenue__dbt_tmp AS SELECT order_date, region, sum(amount) AS revenue FROM iceberg.silver.orders GROUP BY 1, 2",
    ),
    (
        "superset",
        "Apache Superset",
        ["global", "dashboards"],
        "iceberg",
        "gold",
        "SELECT region, sum(revenue) FROM iceberg.gold.daily_revenue WHERE order_date >= date '2026-01-01' GROUP BY region ORDER BY 2 DESC",
    ),
    (
        "maria",
        "trino-cli",
        ["global", "adhoc"],
        "iceberg",
        "bronze",
        "SELECT count(*), min(event_time), max(event_time) FROM iceberg.bronze.clickstream WHERE event_date = current_date - interval '1' day",
    ),
    (
        "jupyter",
        "trino-python-client",
        ["global", "adhoc"],
        "iceberg",
        "silver",
        "SELECT customer_id, approx_percentile(amount, 0.99) FROM iceberg.silver.orders GROUP BY customer_id",
    ),
];

#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Gauges {
    pub running: f64,
    pub queued: f64,
    pub blocked: f64,
    pub active_nodes: f64,
}

pub struct Trino {
    spec: TrinoSpec,
    arrivals: Vec<(f64, f64)>,
    rng: fastrand::Rng,
    coordinator_id: String,
    pub queries: VecDeque<Query>,
    seq: u64,
    carry: f64,
    /// Grid time of the last step.
    pub stepped_to: f64,
    pub completed_total: f64,
    pub failed_total: f64,
    history: VecDeque<(f64, Gauges)>,
    pub start: f64,
}

impl Trino {
    pub fn new(spec: TrinoSpec, timeline: &[TimelineStep], start: f64) -> Self {
        let mut arrivals: Vec<(f64, f64)> = timeline
            .iter()
            .filter_map(|s| match &s.event {
                TimelineEvent::TrinoArrivals { per_minute } => Some((
                    start + parse_duration(&s.at).map_or(0.0, |d| d.as_secs_f64()),
                    *per_minute,
                )),
                _ => None,
            })
            .collect();
        arrivals.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut rng = fastrand::Rng::with_seed(0x7a1b_c0de);
        let coordinator_id: String = (0..5).map(|_| rng.lowercase()).collect();
        Self {
            spec,
            arrivals,
            rng,
            coordinator_id,
            queries: VecDeque::new(),
            seq: 0,
            carry: 0.0,
            stepped_to: (start / GRID).floor() * GRID - EXPIRE_SECS,
            completed_total: 41_230.0,
            failed_total: 1_187.0,
            history: VecDeque::new(),
            start,
        }
    }

    fn arrivals_per_minute(&self, t: f64) -> f64 {
        self.arrivals
            .iter()
            .take_while(|(at, _)| *at <= t)
            .last()
            .map_or(self.spec.arrivals_per_minute, |(_, r)| *r)
    }

    pub fn slots(&self, ready_workers: u32) -> usize {
        (ready_workers * self.spec.queries_per_worker) as usize
    }

    /// Advances to grid time `t` (each grid step in turn), with `ready_workers` Ready
    /// workers and `coordinator_up` deciding the active node count.
    pub fn step_to(&mut self, t: f64, ready_workers: u32, coordinator_up: bool) {
        let target = (t / GRID).floor() * GRID;
        while self.stepped_to + GRID <= target {
            let now = self.stepped_to + GRID;
            self.step(now, ready_workers);
            self.stepped_to = now;
            let g = self.gauges(ready_workers, coordinator_up);
            if self.history.is_empty() {
                // The steady state before the lab started, for range queries.
                self.history.push_back((now - HISTORY_SECS, g));
            }
            self.history.push_back((now, g));
            while self
                .history
                .get(1)
                .is_some_and(|(at, _)| *at < now - HISTORY_SECS)
            {
                self.history.pop_front();
            }
        }
    }

    fn step(&mut self, now: f64, ready_workers: u32) {
        // Running queries progress; some fail.
        for q in self.queries.iter_mut() {
            if q.state == QueryState::Running && q.started.is_some_and(|s| now - s >= q.work_secs) {
                q.ended = Some(now);
                if q.will_fail {
                    q.state = QueryState::Failed;
                    q.error = Some((
                        "EXCEEDED_LOCAL_MEMORY_LIMIT",
                        "INSUFFICIENT_RESOURCES",
                        "Query exceeded per-node memory limit of 12GB [Allocated: 11.98GB, Delta: 24.00MB]".into(),
                    ));
                    self.failed_total += 1.0;
                } else {
                    q.state = QueryState::Finished;
                    self.completed_total += 1.0;
                }
            }
        }
        // New arrivals.
        self.carry += self.arrivals_per_minute(now) * GRID / 60.0;
        while self.carry >= 1.0 {
            self.carry -= 1.0;
            let queued = self
                .queries
                .iter()
                .filter(|q| q.state == QueryState::Queued)
                .count();
            let mut q = self.new_query(now);
            if queued >= self.spec.max_queued as usize {
                q.state = QueryState::Failed;
                q.ended = Some(now);
                q.error = Some((
                    "QUERY_QUEUE_FULL",
                    "INSUFFICIENT_RESOURCES",
                    "Too many queued queries for \"global.etl\"".into(),
                ));
                self.failed_total += 1.0;
            }
            self.queries.push_back(q);
        }
        // Admission: FIFO into the free slots.
        let mut running = self
            .queries
            .iter()
            .filter(|q| q.state == QueryState::Running)
            .count();
        let slots = self.slots(ready_workers);
        for q in self.queries.iter_mut() {
            if running >= slots {
                break;
            }
            if q.state == QueryState::Queued {
                q.state = QueryState::Running;
                q.started = Some(now);
                running += 1;
            }
        }
        // Expire old finished queries.
        let mut kept = self.queries.len();
        self.queries.retain(|q| {
            let expired = q.ended.is_some_and(|e| now - e > EXPIRE_SECS) && kept > 20;
            if expired {
                kept -= 1;
            }
            !expired
        });
        while self.queries.len() > MAX_KEPT {
            match self.queries.iter().position(|q| q.state.done()) {
                Some(i) => {
                    self.queries.remove(i);
                }
                None => break,
            }
        }
    }

    fn new_query(&mut self, now: f64) -> Query {
        self.seq += 1;
        let (user, source, rg, catalog, schema, text) = WORKLOAD[self.rng.usize(0..WORKLOAD.len())];
        let date = jiff::Timestamp::from_second(now as i64)
            .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
            .strftime("%Y%m%d_%H%M%S")
            .to_string();
        let id = format!("{date}_{:05}_{}", self.seq % 100_000, self.coordinator_id);
        let span =
            f64::from(self.spec.max_run_secs - self.spec.min_run_secs.min(self.spec.max_run_secs));
        Query {
            id,
            state: QueryState::Queued,
            user,
            source,
            resource_group: rg,
            catalog,
            schema,
            text,
            created: now - f64::from(self.rng.u32(0..14)),
            started: None,
            ended: None,
            work_secs: f64::from(self.spec.min_run_secs) + span * self.rng.f64(),
            will_fail: self.rng.u32(0..100) < self.spec.failure_percent,
            fully_blocked: self.seq.is_multiple_of(7),
            memory: (64.0 + self.rng.f64() * 4000.0).round() * 1024.0 * 1024.0,
            error: None,
        }
    }

    pub fn gauges(&self, ready_workers: u32, coordinator_up: bool) -> Gauges {
        let count = |s: QueryState| self.queries.iter().filter(|q| q.state == s).count() as f64;
        Gauges {
            running: count(QueryState::Running),
            queued: count(QueryState::Queued),
            blocked: self
                .queries
                .iter()
                .filter(|q| q.state == QueryState::Running && q.fully_blocked)
                .count() as f64,
            active_nodes: f64::from(ready_workers) + if coordinator_up { 1.0 } else { 0.0 },
        }
    }

    /// The gauges as recorded at the last grid step at or before `t`.
    pub fn gauges_at(&self, t: f64) -> Option<Gauges> {
        self.history
            .iter()
            .rev()
            .find(|(at, _)| *at <= t)
            .or_else(|| self.history.front())
            .map(|(_, g)| *g)
    }

    pub fn find(&self, id: &str) -> Option<&Query> {
        self.queries.iter().find(|q| q.id == id)
    }

    /// Ends a query FAILED with `code`. Err(true) if it was already done, Err(false) if unknown.
    pub fn end(
        &mut self,
        id: &str,
        code: &'static str,
        message: String,
        now: f64,
    ) -> Result<(), bool> {
        let Some(q) = self.queries.iter_mut().find(|q| q.id == id) else {
            return Err(false);
        };
        if q.state.done() {
            return Err(true);
        }
        q.state = QueryState::Failed;
        q.ended = Some(now);
        q.error = Some((code, "USER_ERROR", message));
        self.failed_total += 1.0;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_builds_without_workers_and_drains_with_them() {
        let spec = TrinoSpec {
            arrivals_per_minute: 60.0,
            ..TrinoSpec::default()
        };
        let mut t = Trino::new(spec, &[], 0.0);
        t.step_to(0.0, 3, true);
        t.step_to(120.0, 0, true);
        let g = t.gauges(0, true);
        assert!(g.queued >= 100.0, "{g:?}");
        t.step_to(1200.0, 3, true);
        assert!(t.gauges(3, true).running <= 9.0);
        let id = t
            .queries
            .iter()
            .find(|q| !q.state.done())
            .map(|q| q.id.clone());
        let id = id.unwrap_or_default();
        assert_eq!(
            t.end(&id, "ADMINISTRATIVELY_KILLED", "x".into(), 1200.0),
            Ok(())
        );
        assert_eq!(
            t.end(&id, "ADMINISTRATIVELY_KILLED", "x".into(), 1200.0),
            Err(true)
        );
        assert_eq!(
            t.end("nope", "USER_CANCELED", "x".into(), 1200.0),
            Err(false)
        );
    }
}
