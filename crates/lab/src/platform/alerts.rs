//! The shipped alert rules (`config/prometheus-rules.yaml`, embedded) and the lab's
//! evaluation of them on the simulated state: which alerts fire, with the labels and
//! rendered annotations a real Prometheus would give them, and since when. The lab
//! treats `for:` as already elapsed so a demo shows alerts at once. Must not know about
//! HTTP or silences.
//!
//! Limit: the lab's PromQL subset has no `and`/`or`, `time()` or `max_over_time`, so four
//! rules (MinioCapacityLow, KafkaConsumerLagHigh, VeleroBackupMissed, KubePodCrashLooping)
//! are decided by [`condition`]'s hand-written equivalents of their `expr`, not by the
//! expression itself. What the rules really do is proven by Prometheus's own evaluator:
//! `config/prometheus-rules.test.yaml` (`promtool test rules`) fires and quiets every rule,
//! and `tests/platform_real.rs` runs a real Prometheus on the lab's series.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::promql::{self, Labels, Point, Source};

pub const RULES_FILE: &str = "config/prometheus-rules.yaml";
pub const RULES_YAML: &str = include_str!("../../../../config/prometheus-rules.yaml");

#[derive(Debug, Clone, Deserialize)]
pub struct RuleFile {
    pub groups: Vec<RuleGroup>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RuleGroup {
    pub name: String,
    pub rules: Vec<Rule>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Rule {
    pub alert: String,
    pub expr: String,
    #[serde(default)]
    pub r#for: Option<String>,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
}

impl Rule {
    pub fn for_secs(&self) -> f64 {
        self.r#for
            .as_deref()
            .and_then(promql::parse_duration)
            .unwrap_or(0.0)
    }
}

pub fn rules() -> Vec<RuleGroup> {
    serde_saphyr::from_str::<RuleFile>(RULES_YAML)
        .map(|f| f.groups)
        .unwrap_or_default()
}

/// One firing alert.
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    pub labels: Labels,
    pub annotations: Labels,
    pub active_at: f64,
    pub value: f64,
}

impl Alert {
    pub fn name(&self) -> &str {
        self.labels.get("alertname").map_or("", String::as_str)
    }
}

/// Renders `{{ $value }}` and `{{ $labels.x }}` the way the rules use them.
pub fn render(template: &str, labels: &Labels, value: f64) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find("}}") else {
            out.push_str(&rest[open..]);
            return out;
        };
        let inner = rest[open + 2..open + close].trim();
        if inner == "$value" {
            out.push_str(&super::series::format_value(value));
        } else if let Some(l) = inner.strip_prefix("$labels.") {
            out.push_str(labels.get(l.trim()).map_or("", String::as_str));
        }
        rest = &rest[open + close + 2..];
    }
    out.push_str(rest);
    out
}

/// What the lab knows beyond samples, for the rules PromQL alone cannot evaluate here.
pub struct Extra {
    pub now: f64,
    /// (namespace, pod, container) crash-looping within the last 5 minutes.
    pub crashlooping: Vec<(String, String, String)>,
}

fn q(src: &dyn Source, t: f64, text: &str) -> Vec<Point> {
    promql::parse(text)
        .and_then(|e| promql::eval(&e, t, src))
        .unwrap_or_default()
}

/// The result series of one rule's expression at `t` (labels, value).
fn condition(rule: &Rule, src: &dyn Source, t: f64, extra: &Extra) -> Vec<(Labels, f64)> {
    let first = |pts: Vec<Point>| pts.into_iter().next().map(|p| p.value);
    match rule.alert.as_str() {
        "MinioCapacityLow" => {
            let predicted = first(q(
                src,
                t,
                "min(predict_linear(minio_cluster_capacity_usable_free_bytes[6h], 86400))",
            ));
            if let Some(p) = predicted.filter(|p| *p < 0.0) {
                return vec![(Labels::new(), p)];
            }
            let free = first(q(src, t, "max(minio_cluster_capacity_usable_free_bytes)"));
            let total = first(q(src, t, "max(minio_cluster_capacity_usable_total_bytes)"));
            match (free, total) {
                (Some(f), Some(tot)) if tot > 0.0 && f / tot < 0.1 => {
                    vec![(Labels::new(), f / tot)]
                }
                _ => Vec::new(),
            }
        }
        "KafkaConsumerLagHigh" => {
            let high = q(
                src,
                t,
                "sum by (consumergroup, topic) (kafka_consumergroup_lag_sum) > 10000",
            );
            let growing = q(
                src,
                t,
                "sum by (consumergroup, topic) (delta(kafka_consumergroup_lag_sum[5m])) > 0",
            );
            high.into_iter()
                .filter(|p| growing.iter().any(|g| g.labels == p.labels))
                .map(|p| (p.labels, p.value))
                .collect()
        }
        "VeleroBackupMissed" => {
            let last = q(
                src,
                t,
                "max by (schedule) (velero_backup_last_successful_timestamp)",
            );
            let every = q(
                src,
                t,
                "max by (schedule) (velero_schedule_expected_interval_seconds)",
            );
            last.into_iter()
                .filter_map(|p| {
                    let interval = every.iter().find(|e| e.labels == p.labels)?.value;
                    let age = extra.now - p.value;
                    (age > 1.5 * interval).then_some((p.labels, age))
                })
                .collect()
        }
        "KubePodCrashLooping" => extra
            .crashlooping
            .iter()
            .map(|(ns, pod, c)| {
                let labels: Labels = [
                    ("container", c.as_str()),
                    ("namespace", ns.as_str()),
                    ("pod", pod.as_str()),
                    ("reason", "CrashLoopBackOff"),
                ]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
                (labels, 1.0)
            })
            .collect(),
        _ => q(src, t, &rule.expr)
            .into_iter()
            .map(|mut p| {
                p.labels.remove("__name__");
                (p.labels, p.value)
            })
            .collect(),
    }
}

/// Every firing alert at `t`, keeping `active_at` of alerts that were already firing.
pub fn evaluate(
    groups: &[RuleGroup],
    src: &dyn Source,
    t: f64,
    extra: &Extra,
    previous: &[Alert],
) -> Vec<Alert> {
    let mut out = Vec::new();
    for rule in groups.iter().flat_map(|g| &g.rules) {
        for (series, value) in condition(rule, src, t, extra) {
            let mut labels = series.clone();
            for (k, v) in &rule.labels {
                labels.insert(k.clone(), v.clone());
            }
            labels.insert("alertname".into(), rule.alert.clone());
            let annotations = rule
                .annotations
                .iter()
                .map(|(k, v)| (k.clone(), render(v, &series, value)))
                .collect();
            let active_at = previous
                .iter()
                .find(|a| a.labels == labels)
                .map_or(t, |a| a.active_at);
            out.push(Alert {
                labels,
                annotations,
                active_at,
                value,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_rules_parse_and_name_runbooks() {
        let groups = rules();
        let names: Vec<&str> = groups
            .iter()
            .flat_map(|g| &g.rules)
            .map(|r| r.alert.as_str())
            .collect();
        for want in [
            "MinioDriveOffline",
            "MinioNodeOffline",
            "MinioCapacityLow",
            "TrinoQueueHigh",
            "KafkaConsumerLagHigh",
            "VeleroBackupMissed",
            "VeleroBackupFailed",
            "VeleroBackupLocationUnavailable",
            "KubeNodeNotReady",
            "KubePodCrashLooping",
        ] {
            assert!(names.contains(&want), "{want} missing");
        }
        for r in groups.iter().flat_map(|g| &g.rules) {
            assert!(r.annotations.contains_key("runbook"), "{}", r.alert);
            assert!(r.labels.contains_key("severity") && r.labels.contains_key("lakedeck_pane"));
        }
    }

    #[test]
    fn templates_render_labels_and_value() {
        let labels: Labels = [("node".to_string(), "compute-3".to_string())].into();
        assert_eq!(
            render(
                "Node {{ $labels.node }} is {{ $value }} {{$labels.x}}!",
                &labels,
                0.0
            ),
            "Node compute-3 is 0 !"
        );
    }
}
