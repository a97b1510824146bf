//! The platform feeds (MinIO, Trino, Kafka, Velero, alerts) as the app holds them: per
//! feed the last good data and when it arrived (kept, marked stale, when a poll fails),
//! and the selectable, filterable lists the platform views show. Pure state; the
//! sources fill it through `Msg`s, the panes read it.

use std::collections::HashMap;

use jiff::Timestamp;

use super::list::{List, ListRow};
use super::{SourceId, SourceState};
use crate::model::alerts::{self, AlertGroup, AlertRow, AlertsSnapshot, SilenceRow};
use crate::model::kafka::{self, KafkaLagRow};
use crate::model::minio::{BucketUsage, MinioSummary};
use crate::model::trino::{self, TrinoQuery, TrinoSummary};
use crate::model::velero::{BackupRow, ScheduleRow, VeleroSnapshot};

/// The last good data of one feed and when it arrived.
#[derive(Debug, Clone, PartialEq)]
pub struct Feed<T> {
    pub data: Option<T>,
    pub at: Option<Timestamp>,
}

impl<T> Default for Feed<T> {
    fn default() -> Self {
        Self {
            data: None,
            at: None,
        }
    }
}

impl<T> Feed<T> {
    /// Takes a poll's result. Ok replaces the data and makes the source Live; Err keeps
    /// the data and makes the source Failing, stale since the data arrived (or since the
    /// first failure when there never was any). Returns the source's new state.
    pub fn accept(
        &mut self,
        result: Result<T, String>,
        now: Timestamp,
        previous: Option<&SourceState>,
    ) -> SourceState {
        match result {
            Ok(data) => {
                self.data = Some(data);
                self.at = Some(now);
                SourceState::Live
            }
            Err(reason) => {
                let (attempt, first) = match previous {
                    Some(SourceState::Failing { attempt, since, .. }) => (attempt + 1, *since),
                    _ => (1, now),
                };
                SourceState::Failing {
                    reason,
                    attempt,
                    retry_in_secs: 0,
                    since: self.at.unwrap_or(first),
                }
            }
        }
    }
}

/// What a platform list needs from its rows: a stable identity (so the cursor follows a
/// row across polls) and the text `/filter` searches.
pub trait PlatformRow: Clone {
    fn id(&self) -> String;
    fn text(&self) -> String;
    fn labels(&self) -> &[(String, String)] {
        &[]
    }
}

/// A row with its place in the feed's own order (the default sort).
#[derive(Debug, Clone, PartialEq)]
pub struct Ranked<T> {
    pub rank: u32,
    pub row: T,
}

impl<T: PlatformRow> ListRow for Ranked<T> {
    type Key = String;

    fn key(&self) -> String {
        self.row.id()
    }

    fn haystack(&self) -> String {
        self.row.text().to_lowercase()
    }

    fn labels_match(&self, selector: &[(String, Option<String>)]) -> bool {
        let labels = self.row.labels();
        !labels.is_empty()
            && selector.iter().all(|(k, v)| {
                labels
                    .iter()
                    .any(|(lk, lv)| lk == k && v.as_ref().is_none_or(|v| v == lv))
            })
    }
}

/// Sort keys of platform lists: the feed's order by default, by identity otherwise.
pub fn ranked_sort_key<T: PlatformRow>(r: &Ranked<T>, column: Option<&str>) -> (u32, String) {
    match column {
        None => (r.rank, String::new()),
        Some(_) => (0, r.row.id()),
    }
}

fn ranked<T>(rows: impl IntoIterator<Item = T>) -> Vec<Ranked<T>> {
    rows.into_iter()
        .enumerate()
        .map(|(i, row)| Ranked {
            rank: i as u32,
            row,
        })
        .collect()
}

impl PlatformRow for BucketUsage {
    fn id(&self) -> String {
        self.name.clone()
    }
    fn text(&self) -> String {
        self.name.clone()
    }
}

impl PlatformRow for TrinoQuery {
    fn id(&self) -> String {
        self.id.clone()
    }
    fn text(&self) -> String {
        format!(
            "{} {} {} {} {} {}",
            self.id,
            self.state,
            self.user,
            self.source.as_deref().unwrap_or(""),
            self.resource_group.as_deref().unwrap_or(""),
            self.query
        )
    }
}

impl PlatformRow for KafkaLagRow {
    fn id(&self) -> String {
        format!("{}/{}", self.group, self.topic)
    }
    fn text(&self) -> String {
        format!("{} {} {}", self.group, self.topic, self.eta.label())
    }
}

impl PlatformRow for BackupRow {
    fn id(&self) -> String {
        self.name.clone()
    }
    fn text(&self) -> String {
        format!(
            "{} {} {} {}",
            self.name,
            self.phase,
            self.schedule.as_deref().unwrap_or(""),
            self.location.as_deref().unwrap_or("")
        )
    }
}

impl PlatformRow for ScheduleRow {
    fn id(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }
    fn text(&self) -> String {
        format!("{} {} {}", self.name, self.cron, self.rpo.label())
    }
}

impl PlatformRow for AlertRow {
    fn id(&self) -> String {
        format!("{}/{}", self.name, self.fingerprint)
    }
    fn text(&self) -> String {
        let labels: Vec<String> = self
            .labels
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        format!(
            "{} {} {} {} {}",
            self.name,
            self.severity,
            self.state.label(),
            labels.join(" "),
            self.summary.as_deref().unwrap_or("")
        )
    }
    fn labels(&self) -> &[(String, String)] {
        &self.labels
    }
}

impl PlatformRow for SilenceRow {
    fn id(&self) -> String {
        self.id.clone()
    }
    fn text(&self) -> String {
        format!(
            "{} {} {} {} {}",
            self.id, self.state, self.matchers, self.created_by, self.comment
        )
    }
}

/// Which of the Velero view's tables has the cursor (tab switches).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum VeleroTable {
    Schedules,
    #[default]
    Backups,
}

/// Every platform feed and the lists its view shows.
#[derive(Debug, Clone, Default)]
pub struct Platform {
    pub minio: Feed<MinioSummary>,
    pub trino: Feed<TrinoSummary>,
    pub kafka: Feed<Vec<KafkaLagRow>>,
    pub velero: Feed<VeleroSnapshot>,
    pub alerts: Feed<AlertsSnapshot>,
    /// The alerts grouped by alertname (computed when alerts arrive).
    pub alert_groups: Vec<AlertGroup>,
    pub buckets: List<Ranked<BucketUsage>>,
    pub queries: List<Ranked<TrinoQuery>>,
    pub lags: List<Ranked<KafkaLagRow>>,
    pub backups: List<Ranked<BackupRow>>,
    pub schedules: List<Ranked<ScheduleRow>>,
    pub velero_focus: VeleroTable,
    /// Alerts flattened in group order.
    pub alert_rows: List<Ranked<AlertRow>>,
    pub silences: List<Ranked<SilenceRow>>,
}

impl Platform {
    pub fn on_minio(
        &mut self,
        result: Result<MinioSummary, String>,
        now: Timestamp,
        sources: &mut HashMap<SourceId, SourceState>,
    ) {
        let state = self
            .minio
            .accept(result, now, sources.get(&SourceId::Minio));
        if state == SourceState::Live
            && let Some(m) = &self.minio.data
        {
            self.buckets.replace_all(ranked(m.buckets.iter().cloned()));
        }
        sources.insert(SourceId::Minio, state);
    }

    pub fn on_trino(
        &mut self,
        result: Result<TrinoSummary, String>,
        now: Timestamp,
        sources: &mut HashMap<SourceId, SourceState>,
    ) {
        let result = result.map(|mut t| {
            trino::sort_queries(&mut t.queries);
            t
        });
        let state = self
            .trino
            .accept(result, now, sources.get(&SourceId::Trino));
        if state == SourceState::Live
            && let Some(t) = &self.trino.data
        {
            self.queries.replace_all(ranked(t.queries.iter().cloned()));
        }
        sources.insert(SourceId::Trino, state);
    }

    pub fn on_kafka(
        &mut self,
        result: Result<Vec<KafkaLagRow>, String>,
        now: Timestamp,
        sources: &mut HashMap<SourceId, SourceState>,
    ) {
        let result = result.map(|mut rows| {
            kafka::sort_rows(&mut rows);
            rows
        });
        let state = self
            .kafka
            .accept(result, now, sources.get(&SourceId::Kafka));
        if state == SourceState::Live
            && let Some(rows) = &self.kafka.data
        {
            self.lags.replace_all(ranked(rows.iter().cloned()));
        }
        sources.insert(SourceId::Kafka, state);
    }

    pub fn on_velero(
        &mut self,
        result: Result<VeleroSnapshot, String>,
        now: Timestamp,
        sources: &mut HashMap<SourceId, SourceState>,
    ) {
        let state = self
            .velero
            .accept(result, now, sources.get(&SourceId::Velero));
        if state == SourceState::Live
            && let Some(v) = &self.velero.data
        {
            self.backups.replace_all(ranked(v.backups.iter().cloned()));
            self.schedules
                .replace_all(ranked(v.schedules.iter().cloned()));
        }
        sources.insert(SourceId::Velero, state);
    }

    pub fn on_alerts(
        &mut self,
        result: Result<AlertsSnapshot, String>,
        now: Timestamp,
        sources: &mut HashMap<SourceId, SourceState>,
    ) {
        let state = self
            .alerts
            .accept(result, now, sources.get(&SourceId::Alerts));
        if state == SourceState::Live
            && let Some(a) = &self.alerts.data
        {
            self.alert_groups = alerts::group(a.alerts.clone());
            self.alert_rows.replace_all(ranked(
                self.alert_groups
                    .iter()
                    .flat_map(|g| g.alerts.iter().cloned()),
            ));
            let mut silences = a.silences.clone();
            alerts::sort_silences(&mut silences);
            self.silences.replace_all(ranked(silences));
        }
        sources.insert(SourceId::Alerts, state);
    }

    /// Brings the lists' visible rows up to date (once per frame).
    pub fn prepare(&mut self) {
        self.buckets.refresh(|_| true, ranked_sort_key);
        self.queries.refresh(|_| true, ranked_sort_key);
        self.lags.refresh(|_| true, ranked_sort_key);
        self.backups.refresh(|_| true, ranked_sort_key);
        self.schedules.refresh(|_| true, ranked_sort_key);
        self.alert_rows.refresh(|_| true, ranked_sort_key);
        self.silences.refresh(|_| true, ranked_sort_key);
    }
}

/// What key handling needs from any list, so one code path serves every view.
pub trait Nav {
    fn move_by(&mut self, delta: isize);
    fn top(&mut self);
    fn bottom(&mut self);
    fn set_filter(&mut self, filter: super::list::Filter);
    fn set_sort(&mut self, column: &str);
    fn filtered(&self) -> bool;
}

impl<R: ListRow> Nav for List<R> {
    fn move_by(&mut self, delta: isize) {
        List::move_by(self, delta);
    }
    fn top(&mut self) {
        List::top(self);
    }
    fn bottom(&mut self) {
        List::bottom(self);
    }
    fn set_filter(&mut self, filter: super::list::Filter) {
        List::set_filter(self, filter);
    }
    fn set_sort(&mut self, column: &str) {
        List::set_sort(self, column);
    }
    fn filtered(&self) -> bool {
        !self.filter.is_empty()
    }
}

impl Platform {
    /// The list a platform view selects in, if `view` is one.
    pub fn list_mut(&mut self, view: &super::View) -> Option<&mut dyn Nav> {
        use super::View;
        Some(match view {
            View::Minio => &mut self.buckets,
            View::Trino => &mut self.queries,
            View::Kafka => &mut self.lags,
            View::Velero => match self.velero_focus {
                VeleroTable::Backups => &mut self.backups,
                VeleroTable::Schedules => &mut self.schedules,
            },
            View::Alerts => &mut self.alert_rows,
            View::Silences => &mut self.silences,
            _ => return None,
        })
    }

    pub fn list_filtered(&self, view: &super::View) -> bool {
        use super::View;
        match view {
            View::Minio => self.buckets.filtered(),
            View::Trino => self.queries.filtered(),
            View::Kafka => self.lags.filtered(),
            View::Velero => match self.velero_focus {
                VeleroTable::Backups => self.backups.filtered(),
                VeleroTable::Schedules => self.schedules.filtered(),
            },
            View::Alerts => self.alert_rows.filtered(),
            View::Silences => self.silences.filtered(),
            _ => false,
        }
    }
}
