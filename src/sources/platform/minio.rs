//! MinIO capacity and health from Prometheus: the `queries.minio.<set>` catalog
//! entries run concurrently and are folded into a [`MinioSummary`].

use std::collections::BTreeMap;

use futures_util::future::join_all;

use super::{Platform, unavailable};
use crate::app::{Msg, SourceId};
use crate::endpoints::prometheus::{Prometheus, Sample, min_value, scalar};
use crate::model::minio::{BucketUsage, MinioSummary, forecast, sort_buckets};
use crate::sources::Tx;

pub async fn poll(platform: Platform, tx: Tx) {
    let prometheus = match platform.prometheus() {
        Ok(p) => p.clone(),
        Err(reason) => return unavailable(SourceId::Minio, reason, &tx).await,
    };
    loop {
        let result = fetch(&prometheus, &platform.settings.minio).await;
        if tx.send(Msg::Minio(result)).await.is_err() {
            return;
        }
        tokio::time::sleep(platform.every()).await;
    }
}

/// Runs every configured query; the first failure fails the whole summary (the pane
/// then keeps its last good one) and names the query.
pub async fn fetch(
    prometheus: &Prometheus,
    queries: &BTreeMap<String, String>,
) -> Result<MinioSummary, String> {
    let results = join_all(queries.iter().map(|(name, q)| async move {
        (
            name.as_str(),
            prometheus
                .instant(q)
                .await
                .map_err(|e| format!("minio.{name}: {e}")),
        )
    }))
    .await;
    let mut by_name: BTreeMap<&str, Vec<Sample>> = BTreeMap::new();
    for (name, result) in results {
        by_name.insert(name, result?);
    }
    let one = |name: &str| by_name.get(name).and_then(|s| scalar(s));
    let per_bucket = |name: &str| -> BTreeMap<String, f64> {
        by_name
            .get(name)
            .into_iter()
            .flatten()
            .filter_map(|(labels, v)| labels.get("bucket").map(|b| (b.clone(), *v)))
            .collect()
    };
    let bytes = per_bucket("bucket_bytes");
    let objects = per_bucket("bucket_objects");
    let mut names: Vec<&String> = bytes.keys().chain(objects.keys()).collect();
    names.sort();
    names.dedup();
    let mut buckets: Vec<BucketUsage> = names
        .into_iter()
        .map(|name| BucketUsage {
            name: name.clone(),
            bytes: bytes.get(name).copied(),
            objects: objects.get(name).copied(),
        })
        .collect();
    sort_buckets(&mut buckets);
    let usable_free = one("usable_free");
    Ok(MinioSummary {
        usable_total: one("usable_total"),
        usable_free,
        raw_total: one("raw_total"),
        raw_free: one("raw_free"),
        buckets,
        nodes_online: one("nodes_online"),
        nodes_offline: one("nodes_offline"),
        drives_online: one("drives_online"),
        drives_offline: one("drives_offline"),
        healing_drives: one("healing_drives"),
        s3_5xx_rate: one("s3_5xx_rate"),
        forecast: forecast(
            usable_free,
            by_name.get("free_in_1d").and_then(|s| min_value(s)),
        ),
    })
}
