//! One simulated sample (metric name, labels, value) and the Prometheus text exposition
//! format 0.0.4 the lab's exporters write, with the HELP/TYPE lines of the real
//! exporters. Must not compute values.

use std::fmt::Write;

#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub name: &'static str,
    pub labels: Vec<(&'static str, String)>,
    pub value: f64,
}

impl Sample {
    pub fn new(name: &'static str, labels: &[(&'static str, &str)], value: f64) -> Self {
        Self {
            name,
            labels: labels.iter().map(|(k, v)| (*k, (*v).to_string())).collect(),
            value,
        }
    }

    pub fn label(&self, key: &str) -> Option<&str> {
        self.labels
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// (name, type, help) of every series the lab exports.
const META: &[(&str, &str, &str)] = &[
    (
        "minio_cluster_capacity_raw_total_bytes",
        "gauge",
        "Total capacity online in the cluster",
    ),
    (
        "minio_cluster_capacity_raw_free_bytes",
        "gauge",
        "Total free capacity online in the cluster",
    ),
    (
        "minio_cluster_capacity_usable_total_bytes",
        "gauge",
        "Total usable capacity online in the cluster",
    ),
    (
        "minio_cluster_capacity_usable_free_bytes",
        "gauge",
        "Total free usable capacity online in the cluster",
    ),
    (
        "minio_cluster_usage_total_bytes",
        "gauge",
        "Total cluster usage in bytes",
    ),
    (
        "minio_cluster_usage_object_total",
        "gauge",
        "Total number of objects in a cluster",
    ),
    (
        "minio_cluster_bucket_total",
        "gauge",
        "Total number of buckets in the cluster",
    ),
    (
        "minio_cluster_nodes_online_total",
        "gauge",
        "Total number of MinIO nodes online",
    ),
    (
        "minio_cluster_nodes_offline_total",
        "gauge",
        "Total number of MinIO nodes offline",
    ),
    (
        "minio_cluster_drive_online_total",
        "gauge",
        "Total drives online in the cluster",
    ),
    (
        "minio_cluster_drive_offline_total",
        "gauge",
        "Total drives offline in the cluster",
    ),
    (
        "minio_cluster_drive_total",
        "gauge",
        "Total drives in the cluster",
    ),
    (
        "minio_cluster_health_erasure_set_healing_drives",
        "gauge",
        "Get the count of healing drives of this erasure set",
    ),
    (
        "minio_cluster_health_erasure_set_online_drives",
        "gauge",
        "Get the count of the online drives in this erasure set",
    ),
    (
        "minio_cluster_health_status",
        "gauge",
        "Get current cluster health status",
    ),
    (
        "minio_bucket_usage_total_bytes",
        "gauge",
        "Total bucket size in bytes",
    ),
    (
        "minio_bucket_usage_object_total",
        "gauge",
        "Total number of objects",
    ),
    (
        "minio_s3_requests_total",
        "counter",
        "Total number of S3 requests in the current MinIO server instance",
    ),
    (
        "minio_s3_requests_4xx_errors_total",
        "counter",
        "Total number of S3 requests with (4xx) errors",
    ),
    (
        "minio_s3_requests_5xx_errors_total",
        "counter",
        "Total number of S3 requests with (5xx) errors",
    ),
    (
        "kafka_brokers",
        "gauge",
        "Number of Brokers in the Kafka Cluster.",
    ),
    (
        "kafka_topic_partitions",
        "gauge",
        "Number of partitions for this Topic",
    ),
    (
        "kafka_topic_partition_current_offset",
        "gauge",
        "Current Offset of a Broker at Topic/Partition",
    ),
    (
        "kafka_topic_partition_oldest_offset",
        "gauge",
        "Oldest Offset of a Broker at Topic/Partition",
    ),
    (
        "kafka_consumergroup_current_offset",
        "gauge",
        "Current Offset of a ConsumerGroup at Topic/Partition",
    ),
    (
        "kafka_consumergroup_current_offset_sum",
        "gauge",
        "Current Offset of a ConsumerGroup at Topic for all partitions",
    ),
    (
        "kafka_consumergroup_lag",
        "gauge",
        "Current Approximate Lag of a ConsumerGroup at Topic/Partition",
    ),
    (
        "kafka_consumergroup_lag_sum",
        "gauge",
        "Current Approximate Lag of a ConsumerGroup at Topic for all partitions",
    ),
    (
        "kafka_consumergroup_members",
        "gauge",
        "Amount of members in a consumer group",
    ),
    (
        "trino_execution_name_QueryManager_RunningQueries",
        "gauge",
        "RunningQueries",
    ),
    (
        "trino_execution_name_QueryManager_QueuedQueries",
        "gauge",
        "QueuedQueries",
    ),
    (
        "trino_execution_name_QueryManager_BlockedQueries",
        "gauge",
        "BlockedQueries",
    ),
    (
        "trino_execution_name_QueryManager_FailedQueries_TotalCount",
        "counter",
        "FailedQueries.TotalCount",
    ),
    (
        "trino_execution_name_QueryManager_CompletedQueries_TotalCount",
        "counter",
        "CompletedQueries.TotalCount",
    ),
    (
        "trino_metadata_name_DiscoveryNodeManager_ActiveNodeCount",
        "gauge",
        "ActiveNodeCount",
    ),
    (
        "velero_backup_total",
        "gauge",
        "Current number of existent backups",
    ),
    (
        "velero_backup_attempt_total",
        "counter",
        "Total number of attempted backups",
    ),
    (
        "velero_backup_success_total",
        "counter",
        "Total number of successful backups",
    ),
    (
        "velero_backup_partial_failure_total",
        "counter",
        "Total number of partially failed backups",
    ),
    (
        "velero_backup_failure_total",
        "counter",
        "Total number of failed backups",
    ),
    (
        "velero_backup_last_successful_timestamp",
        "gauge",
        "Last time a backup ran successfully, Unix timestamp in seconds",
    ),
    (
        "velero_backup_last_status",
        "gauge",
        "Last status of the backup. A value of 1 is success, 0 is failure",
    ),
    (
        "velero_schedule_expected_interval_seconds",
        "gauge",
        "Expected interval between consecutive scheduled backups, in seconds",
    ),
    (
        "velero_backup_location_status_gauge",
        "gauge",
        "Backup location status. A value of 1 is available, 0 is unavailable",
    ),
    (
        "kube_node_status_condition",
        "gauge",
        "The condition of a cluster node.",
    ),
    (
        "kube_pod_container_status_waiting_reason",
        "gauge",
        "Describes the reason the container is currently in waiting state.",
    ),
    (
        "kube_pod_container_status_restarts_total",
        "counter",
        "The number of container restarts per container.",
    ),
];

pub fn meta(name: &str) -> (&'static str, &'static str) {
    META.iter()
        .find(|(n, _, _)| *n == name)
        .map_or(("untyped", ""), |(_, t, h)| (*t, *h))
}

/// A sample value as Prometheus writes it (text format and the HTTP API alike).
pub fn format_value(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v == f64::INFINITY {
        "+Inf".into()
    } else if v == f64::NEG_INFINITY {
        "-Inf".into()
    } else {
        format!("{v}")
    }
}

fn escape(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// The text exposition of `samples`, grouped by metric name in first-seen order.
pub fn exposition(samples: &[Sample]) -> String {
    let mut names: Vec<&'static str> = Vec::new();
    for s in samples {
        if !names.contains(&s.name) {
            names.push(s.name);
        }
    }
    let mut out = String::with_capacity(samples.len() * 96);
    for name in names {
        let (kind, help) = meta(name);
        let _ = writeln!(out, "# HELP {name} {help}");
        let _ = writeln!(out, "# TYPE {name} {kind}");
        for s in samples.iter().filter(|s| s.name == name) {
            out.push_str(name);
            if !s.labels.is_empty() {
                out.push('{');
                for (i, (k, v)) in s.labels.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    let _ = write!(out, "{k}=\"{}\"", escape(v));
                }
                out.push('}');
            }
            let _ = writeln!(out, " {}", format_value(s.value));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_format_has_help_type_and_escaped_labels() {
        let text = exposition(&[
            Sample::new(
                "kafka_consumergroup_lag",
                &[("consumergroup", "a\"b")],
                -1.0,
            ),
            Sample::new("kafka_brokers", &[], f64::NAN),
        ]);
        assert!(text.contains("# TYPE kafka_consumergroup_lag gauge\n"));
        assert!(text.contains("kafka_consumergroup_lag{consumergroup=\"a\\\"b\"} -1\n"));
        assert!(text.contains("kafka_brokers NaN\n"));
        assert_eq!(format_value(8e12), "8000000000000");
        assert_eq!(format_value(f64::NEG_INFINITY), "-Inf");
    }
}
