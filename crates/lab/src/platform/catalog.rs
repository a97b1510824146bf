//! The queries the lab's Prometheus answers: exactly the default query catalog of the
//! contract (minio v2, kafka_exporter, Trino OpenMetrics, Velero), compared after
//! collapsing whitespace, with `{window}` standing for any duration. Everything else is
//! refused as `bad_data`, so a cockpit that sends a query the lab does not model learns
//! it at once instead of reading an empty answer.

pub const CATALOG: &[&str] = &[
    "max(minio_cluster_capacity_usable_total_bytes)",
    "max(minio_cluster_capacity_usable_free_bytes)",
    "max(minio_cluster_capacity_raw_total_bytes)",
    "max(minio_cluster_capacity_raw_free_bytes)",
    "max by (bucket) (minio_bucket_usage_total_bytes)",
    "max by (bucket) (minio_bucket_usage_object_total)",
    "max(minio_cluster_nodes_online_total)",
    "max(minio_cluster_nodes_offline_total)",
    "max(minio_cluster_drive_online_total)",
    "max(minio_cluster_drive_offline_total)",
    "sum(minio_cluster_health_erasure_set_healing_drives)",
    "sum(rate(minio_s3_requests_5xx_errors_total[5m]))",
    "predict_linear(minio_cluster_capacity_usable_free_bytes[{window}], 86400)",
    "sum by (consumergroup, topic) (kafka_consumergroup_lag_sum)",
    "max by (consumergroup, topic) (kafka_consumergroup_lag)",
    "count by (consumergroup, topic) (kafka_consumergroup_lag < 0)",
    "max by (consumergroup) (kafka_consumergroup_members)",
    "sum by (consumergroup, topic) (rate(kafka_consumergroup_current_offset_sum[5m]))",
    "sum by (topic) (rate(kafka_topic_partition_current_offset[5m]))",
    "sum(trino_execution_name_QueryManager_RunningQueries)",
    "sum(trino_execution_name_QueryManager_QueuedQueries)",
    "sum(trino_metadata_name_DiscoveryNodeManager_ActiveNodeCount)",
    "max by (schedule) (velero_backup_last_successful_timestamp)",
    "max by (backup_location_name) (velero_backup_location_status_gauge)",
];

pub fn normalise(q: &str) -> String {
    q.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn is_window(s: &str) -> bool {
    let digits = s.trim_end_matches(['s', 'm', 'h', 'd']);
    s.len() == digits.len() + 1 && !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit())
}

/// A catalog query compared with a number (`… > 10`, `… <= 5`), as runbook checks
/// write them: the part before the comparison.
fn without_comparison(q: &str) -> Option<&str> {
    for op in [" >= ", " <= ", " == ", " != ", " > ", " < "] {
        if let Some((left, right)) = q.rsplit_once(op)
            && right.trim().parse::<f64>().is_ok_and(f64::is_finite)
        {
            return Some(left.trim());
        }
    }
    None
}

/// Whether `query` is one of the catalog's queries, or one compared with a number.
pub fn allowed(query: &str) -> bool {
    let q = normalise(query);
    let q = without_comparison(&q).unwrap_or(&q).to_string();
    CATALOG
        .iter()
        .any(|entry| match entry.split_once("{window}") {
            None => q == *entry,
            Some((before, after)) => q
                .strip_prefix(before)
                .and_then(|rest| rest.strip_suffix(after))
                .is_some_and(is_window),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_matches_modulo_whitespace_and_window() {
        assert!(!allowed("max( minio_cluster_capacity_usable_free_bytes )"));
        assert!(allowed("  max(minio_cluster_capacity_usable_free_bytes)\n"));
        assert!(allowed(
            "sum by (consumergroup,  topic)\n (kafka_consumergroup_lag_sum)"
        ));
        assert!(allowed(
            "predict_linear(minio_cluster_capacity_usable_free_bytes[6h], 86400)"
        ));
        assert!(allowed(
            "predict_linear(minio_cluster_capacity_usable_free_bytes[90m], 86400)"
        ));
        assert!(!allowed(
            "predict_linear(minio_cluster_capacity_usable_free_bytes[6x], 86400)"
        ));
        assert!(!allowed("up"));
        assert!(allowed(
            "sum(trino_execution_name_QueryManager_QueuedQueries) > 10"
        ));
        assert!(allowed(
            "sum(trino_execution_name_QueryManager_QueuedQueries) <= 4.5"
        ));
        assert!(!allowed(
            "sum(trino_execution_name_QueryManager_QueuedQueries) > x"
        ));
    }
}
