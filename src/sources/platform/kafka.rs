//! Kafka consumer lag from Prometheus (kafka_exporter or kminion names, per the
//! selected query set): per group and topic the lag, worst partition, partitions with
//! no committed offset, members, consume/produce rates, the drain ETA and the last
//! hour of lag.

use std::collections::{BTreeMap, HashMap};

use futures_util::future::join_all;

use super::{Platform, unavailable};
use crate::app::{Msg, SourceId};
use crate::endpoints::prometheus::{Prometheus, Sample};
use crate::model::kafka::{KafkaLagRow, sort_rows};
use crate::sources::Tx;

const HISTORY_SECS: i64 = 3600;
const HISTORY_STEP: f64 = 60.0;

pub async fn poll(platform: Platform, tx: Tx) {
    let prometheus = match platform.prometheus() {
        Ok(p) => p.clone(),
        Err(reason) => return unavailable(SourceId::Kafka, reason, &tx).await,
    };
    loop {
        let now = jiff::Timestamp::now().as_second();
        let result = fetch(&prometheus, &platform.settings.kafka, now).await;
        if tx.send(Msg::Kafka(result)).await.is_err() {
            return;
        }
        tokio::time::sleep(platform.every()).await;
    }
}

pub async fn fetch(
    prometheus: &Prometheus,
    queries: &BTreeMap<String, String>,
    now: i64,
) -> Result<Vec<KafkaLagRow>, String> {
    let label = |key: &str, default: &str| {
        queries
            .get(key)
            .cloned()
            .unwrap_or_else(|| default.to_string())
    };
    let (group_label, topic_label) = (
        label("group_label", "consumergroup"),
        label("topic_label", "topic"),
    );
    let instant_names = [
        "lag",
        "max_partition_lag",
        "uncommitted_partitions",
        "members",
        "consume_rate",
        "produce_rate",
    ];
    let instant = join_all(
        instant_names
            .iter()
            .filter_map(|name| queries.get(*name).map(|q| (*name, q)))
            .map(|(name, q)| async move {
                (
                    name,
                    prometheus
                        .instant(q)
                        .await
                        .map_err(|e| format!("kafka.{name}: {e}")),
                )
            }),
    );
    let history = async {
        match queries.get("lag") {
            Some(q) => prometheus
                .range(q, now - HISTORY_SECS, now, HISTORY_STEP)
                .await
                .map_err(|e| format!("kafka.lag (last hour): {e}")),
            None => Ok(Vec::new()),
        }
    };
    let (instant, history) = futures_util::join!(instant, history);
    let mut by_name: HashMap<&str, Vec<Sample>> = HashMap::new();
    for (name, result) in instant {
        by_name.insert(name, result?);
    }
    let key = |labels: &HashMap<String, String>| {
        (
            labels.get(&group_label).cloned().unwrap_or_default(),
            labels.get(&topic_label).cloned().unwrap_or_default(),
        )
    };
    let mut rows: BTreeMap<(String, String), KafkaLagRow> = BTreeMap::new();
    // Every group/topic any per-pair query mentions gets a row.
    for name in [
        "lag",
        "max_partition_lag",
        "uncommitted_partitions",
        "consume_rate",
    ] {
        for (labels, value) in by_name.get(name).into_iter().flatten() {
            let (group, topic) = key(labels);
            if group.is_empty() {
                continue;
            }
            let row = rows
                .entry((group.clone(), topic.clone()))
                .or_insert_with(|| KafkaLagRow::new(group, topic));
            match name {
                "lag" => row.lag = Some(*value),
                "max_partition_lag" => row.max_partition_lag = Some(*value),
                "uncommitted_partitions" => row.uncommitted_partitions = *value as u32,
                _ => row.consume_rate = Some(*value),
            }
        }
    }
    let members: HashMap<String, f64> = by_name
        .get("members")
        .into_iter()
        .flatten()
        .filter_map(|(l, v)| l.get(&group_label).map(|g| (g.clone(), *v)))
        .collect();
    let produce: HashMap<String, f64> = by_name
        .get("produce_rate")
        .into_iter()
        .flatten()
        .filter_map(|(l, v)| l.get(&topic_label).map(|t| (t.clone(), *v)))
        .collect();
    let mut history_by: HashMap<(String, String), Vec<f64>> = HashMap::new();
    for (labels, points) in history? {
        history_by.insert(key(&labels), points.into_iter().map(|(_, v)| v).collect());
    }
    let mut rows: Vec<KafkaLagRow> = rows
        .into_iter()
        .map(|(k, mut row)| {
            row.members = members.get(&row.group).copied();
            row.produce_rate = produce.get(&row.topic).copied();
            row.history = history_by.remove(&k).unwrap_or_default();
            // A partition with lag −1 is excluded by `max`; a max of −1 means no
            // partition has a committed offset, which is not a lag.
            if row.max_partition_lag.is_some_and(|m| m < 0.0) {
                row.max_partition_lag = None;
            }
            row.update_eta();
            row
        })
        .collect();
    sort_rows(&mut rows);
    Ok(rows)
}
