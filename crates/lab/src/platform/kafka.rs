//! Simulated Kafka (what kafka_exporter sees): topics with partitions and log-end
//! offsets, consumer groups with committed offsets, lag and members. Pure functions of
//! lab time: produce rates are constant per topic, each group consumes with a capacity
//! that the timeline can slow down or speed up, and lag follows (never below the group's
//! steady lag). Partitions listed as uncommitted report offset and lag −1, like the
//! exporter. Must not know about HTTP.

use std::collections::BTreeSet;

use super::series::Sample;
use super::spec::{GroupSpec, TopicSpec};
use crate::scenario::{TimelineEvent, TimelineStep, parse_duration};

/// Offsets have been growing for this long before the lab started.
const UPTIME_SECS: f64 = 30.0 * 86_400.0;
const BROKERS: f64 = 3.0;

#[derive(Debug, Clone)]
struct Group {
    spec: GroupSpec,
    topics: Vec<usize>,
    uncommitted: BTreeSet<(usize, u32)>,
    /// (time, capacity factor) changes; 1.0 before the first.
    speed: Vec<(f64, f64)>,
}

#[derive(Debug, Clone)]
pub struct Kafka {
    topics: Vec<TopicSpec>,
    groups: Vec<Group>,
    start: f64,
}

/// One partition's view from one group.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PartitionLag {
    pub log_end: f64,
    /// −1 when the group never committed.
    pub committed: f64,
    pub lag: f64,
}

impl Kafka {
    pub fn new(
        topics: &[TopicSpec],
        groups: &[GroupSpec],
        timeline: &[TimelineStep],
        start: f64,
    ) -> Self {
        let groups = groups
            .iter()
            .map(|g| {
                let idx = |name: &str| topics.iter().position(|t| t.name == name);
                let mut speed: Vec<(f64, f64)> = timeline
                    .iter()
                    .filter_map(|s| match &s.event {
                        TimelineEvent::KafkaConsumerSpeed { group, factor } if *group == g.name => {
                            Some((
                                start + parse_duration(&s.at).map_or(0.0, |d| d.as_secs_f64()),
                                *factor,
                            ))
                        }
                        _ => None,
                    })
                    .collect();
                speed.sort_by(|a, b| a.0.total_cmp(&b.0));
                Group {
                    topics: g.topics.iter().filter_map(|t| idx(t)).collect(),
                    uncommitted: g
                        .uncommitted
                        .iter()
                        .filter_map(|(t, ps)| Some((idx(t)?, ps.clone())))
                        .flat_map(|(t, ps)| ps.into_iter().map(move |p| (t, p)))
                        .collect(),
                    spec: g.clone(),
                    speed,
                }
            })
            .collect();
        Self {
            topics: topics.to_vec(),
            groups,
            start,
        }
    }

    /// A partition's share of its topic's produce rate (uneven, like real key skew).
    fn produce_rate(&self, topic: usize, p: u32) -> f64 {
        let Some(t) = self.topics.get(topic) else {
            return 0.0;
        };
        let weight = |i: u32| 1.0 + 0.2 * f64::from((i * 7) % 5);
        let total: f64 = (0..t.partitions).map(weight).sum();
        t.produce_per_second * weight(p) / total.max(1.0)
    }

    fn log_end(&self, topic: usize, p: u32, t: f64) -> f64 {
        let rate = self.produce_rate(topic, p);
        (rate * (t - self.start + UPTIME_SECS) + 1000.0 * f64::from(p)).floor()
    }

    /// Lag (messages) of a group on a partition at `t`: steady before the first speed
    /// change, then growing while capacity < produce rate and draining back otherwise.
    fn lag(&self, g: &Group, topic: usize, p: u32, t: f64) -> f64 {
        let produce = self.produce_rate(topic, p);
        let floor = produce * g.spec.steady_lag_secs;
        let mut lag = floor;
        let mut cursor = f64::NEG_INFINITY;
        let mut factor = 1.0;
        for (at, f) in g.speed.iter().take_while(|(at, _)| *at <= t) {
            if cursor.is_finite() {
                lag = advance(lag, floor, produce, factor * g.spec.headroom, at - cursor);
            }
            cursor = *at;
            factor = *f;
        }
        if cursor.is_finite() {
            lag = advance(lag, floor, produce, factor * g.spec.headroom, t - cursor);
        }
        lag.round()
    }

    pub fn partition(&self, group: usize, topic: usize, p: u32, t: f64) -> Option<PartitionLag> {
        let g = self.groups.get(group)?;
        let log_end = self.log_end(topic, p, t);
        if g.uncommitted.contains(&(topic, p)) {
            return Some(PartitionLag {
                log_end,
                committed: -1.0,
                lag: -1.0,
            });
        }
        let lag = self.lag(g, topic, p, t).min(log_end);
        Some(PartitionLag {
            log_end,
            committed: log_end - lag,
            lag,
        })
    }

    /// Every kafka_exporter series at `t`.
    pub fn samples(&self, t: f64, out: &mut Vec<Sample>) {
        out.push(Sample::new("kafka_brokers", &[], BROKERS));
        for (ti, topic) in self.topics.iter().enumerate() {
            let name = topic.name.as_str();
            out.push(Sample::new(
                "kafka_topic_partitions",
                &[("topic", name)],
                f64::from(topic.partitions),
            ));
            for p in 0..topic.partitions {
                let ps = p.to_string();
                let labels = [("partition", ps.as_str()), ("topic", name)];
                out.push(Sample::new(
                    "kafka_topic_partition_current_offset",
                    &labels,
                    self.log_end(ti, p, t),
                ));
                // Retention keeps about seven days.
                let oldest = (self.log_end(ti, p, t) - self.produce_rate(ti, p) * 7.0 * 86_400.0)
                    .max(0.0)
                    .floor();
                out.push(Sample::new(
                    "kafka_topic_partition_oldest_offset",
                    &labels,
                    oldest,
                ));
            }
        }
        for (gi, g) in self.groups.iter().enumerate() {
            let group = g.spec.name.as_str();
            out.push(Sample::new(
                "kafka_consumergroup_members",
                &[("consumergroup", group)],
                f64::from(g.spec.members),
            ));
            for &ti in &g.topics {
                let Some(topic) = self.topics.get(ti) else {
                    continue;
                };
                let name = topic.name.as_str();
                let (mut offset_sum, mut lag_sum) = (0.0, 0.0);
                for p in 0..topic.partitions {
                    let Some(pl) = self.partition(gi, ti, p, t) else {
                        continue;
                    };
                    let ps = p.to_string();
                    let labels = [
                        ("consumergroup", group),
                        ("partition", ps.as_str()),
                        ("topic", name),
                    ];
                    out.push(Sample::new(
                        "kafka_consumergroup_current_offset",
                        &labels,
                        pl.committed,
                    ));
                    out.push(Sample::new("kafka_consumergroup_lag", &labels, pl.lag));
                    // kafka_exporter adds the raw offset (−1 included) but only real lags.
                    offset_sum += pl.committed;
                    if pl.lag >= 0.0 {
                        lag_sum += pl.lag;
                    }
                }
                let labels = [("consumergroup", group), ("topic", name)];
                out.push(Sample::new(
                    "kafka_consumergroup_current_offset_sum",
                    &labels,
                    offset_sum,
                ));
                out.push(Sample::new("kafka_consumergroup_lag_sum", &labels, lag_sum));
            }
        }
    }
}

fn advance(lag: f64, floor: f64, produce: f64, capacity_factor: f64, dt: f64) -> f64 {
    let slope = produce - capacity_factor * produce;
    if slope > 0.0 {
        lag + slope * dt
    } else {
        (lag + slope * dt).max(floor)
    }
}

#[cfg(test)]
#[allow(clippy::expect_used)] // a broken fixture should fail loudly
mod tests {
    use super::*;
    use crate::scenario::Scenario;

    #[test]
    fn slow_consumer_lags_then_drains_and_uncommitted_is_minus_one() {
        let s = Scenario::load("kafka-lag-spike").expect("kafka-lag-spike loads");
        let k = Kafka::new(
            &s.platform.topics,
            &s.platform.consumer_groups,
            &s.timeline,
            0.0,
        );
        let gi = k
            .groups
            .iter()
            .position(|g| g.spec.name == "connect-s3-sink")
            .unwrap_or(0);
        let ti = k.groups[gi].topics[0];
        let lag = |t: f64| k.partition(gi, ti, 0, t).map_or(0.0, |p| p.lag);
        let steady = lag(-100.0);
        assert!(lag(60.0) > steady + 1000.0, "lag grows while slow");
        assert!(lag(100.0) > lag(60.0));
        assert_eq!(lag(3000.0), steady, "drains back to its steady lag");
        let mut out = Vec::new();
        k.samples(0.0, &mut out);
        assert!(
            out.iter()
                .any(|s| s.name == "kafka_consumergroup_lag" && s.value == -1.0)
        );
    }
}
