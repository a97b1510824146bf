//! Kafka consumer lag per consumer group and topic, as the Kafka pane shows it: total
//! lag, worst partition, partitions with no committed offset (kafka_exporter reports
//! their lag as −1; they are counted, never summed), members, consume/produce rates,
//! the drain ETA and the last hour of lag. Pure data; no I/O, no drawing.

/// One consumer group's lag on one topic.
#[derive(Debug, Clone, PartialEq)]
pub struct KafkaLagRow {
    pub group: String,
    pub topic: String,
    /// Sum of the non-negative partition lags (messages).
    pub lag: Option<f64>,
    pub max_partition_lag: Option<f64>,
    /// Partitions whose lag is −1 (no committed offset yet).
    pub uncommitted_partitions: u32,
    pub members: Option<f64>,
    /// Messages/s the group commits on this topic.
    pub consume_rate: Option<f64>,
    /// Messages/s produced to the topic.
    pub produce_rate: Option<f64>,
    /// Lag over the last hour, oldest first (one point a minute).
    pub history: Vec<f64>,
    pub eta: DrainEta,
}

/// When the lag reaches zero at the current rates.
#[derive(Debug, Clone, PartialEq)]
pub enum DrainEta {
    /// No lag.
    Drained,
    /// Lag reaches zero in about `secs` seconds.
    Eta { secs: f64 },
    /// The group consumes no faster than the topic grows.
    NotDraining,
    /// Missing or NaN/Inf inputs.
    Unknown,
}

/// ETA = lag / (consume − produce); not draining when consume ≤ produce.
pub fn drain_eta(lag: Option<f64>, consume: Option<f64>, produce: Option<f64>) -> DrainEta {
    let Some(lag) = lag.filter(|v| v.is_finite()) else {
        return DrainEta::Unknown;
    };
    if lag <= 0.0 {
        return DrainEta::Drained;
    }
    let (Some(c), Some(p)) = (
        consume.filter(|v| v.is_finite()),
        produce.filter(|v| v.is_finite()),
    ) else {
        return DrainEta::Unknown;
    };
    let net = c - p;
    if net <= 0.0 {
        return DrainEta::NotDraining;
    }
    DrainEta::Eta { secs: lag / net }
}

impl DrainEta {
    /// "12m", "3h5m", "not draining", "drained", "n/a".
    pub fn label(&self) -> String {
        match self {
            DrainEta::Drained => "drained".into(),
            DrainEta::Eta { secs } => super::number::secs(Some(*secs)),
            DrainEta::NotDraining => "not draining".into(),
            DrainEta::Unknown => "n/a".into(),
        }
    }
}

/// What kafka_exporter's per-partition lags add up to: the sum and maximum of the
/// committed partitions, and how many partitions have no committed offset (lag −1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PartitionLags {
    pub sum: Option<f64>,
    pub max: Option<f64>,
    pub uncommitted: u32,
}

pub fn partition_lags(lags: &[f64]) -> PartitionLags {
    let mut out = PartitionLags {
        sum: None,
        max: None,
        uncommitted: 0,
    };
    for &l in lags {
        if l < 0.0 {
            // −1 means "no committed offset", not a negative lag.
            out.uncommitted += 1;
            continue;
        }
        out.sum = Some(out.sum.unwrap_or(0.0) + l);
        out.max = Some(out.max.map_or(l, |m: f64| m.max(l)));
    }
    out
}

impl KafkaLagRow {
    /// A row with nothing known yet; fill the fields, then call [`KafkaLagRow::update_eta`].
    pub fn new(group: impl Into<String>, topic: impl Into<String>) -> Self {
        Self {
            group: group.into(),
            topic: topic.into(),
            lag: None,
            max_partition_lag: None,
            uncommitted_partitions: 0,
            members: None,
            consume_rate: None,
            produce_rate: None,
            history: Vec::new(),
            eta: DrainEta::Unknown,
        }
    }

    /// Recomputes `eta` from lag and rates.
    pub fn update_eta(&mut self) {
        self.eta = drain_eta(self.lag, self.consume_rate, self.produce_rate);
    }

    /// Whether the lag has grown over the history window (first vs last point).
    pub fn growing(&self) -> bool {
        match (self.history.first(), self.history.last()) {
            (Some(a), Some(b)) if a.is_finite() && b.is_finite() => b > a,
            _ => false,
        }
    }
}

fn rank(r: &KafkaLagRow) -> (u8, f64) {
    let has_lag = r.lag.is_some_and(|l| l.is_finite() && l > 0.0);
    match &r.eta {
        DrainEta::NotDraining if has_lag => (0, 0.0),
        // Largest ETA first.
        DrainEta::Eta { secs } => (1, -secs),
        DrainEta::Unknown => (2, 0.0),
        DrainEta::NotDraining => (3, 0.0),
        DrainEta::Drained => (4, 0.0),
    }
}

/// Worst first: not draining with lag, then the largest ETA, then lag (largest first),
/// then group/topic.
pub fn sort_rows(rows: &mut [KafkaLagRow]) {
    let lag = |r: &KafkaLagRow| r.lag.filter(|v| !v.is_nan()).unwrap_or(f64::NEG_INFINITY);
    rows.sort_by(|a, b| {
        let (ra, rb) = (rank(a), rank(b));
        ra.0.cmp(&rb.0)
            .then_with(|| ra.1.total_cmp(&rb.1))
            .then_with(|| lag(b).total_cmp(&lag(a)))
            .then_with(|| a.group.cmp(&b.group))
            .then_with(|| a.topic.cmp(&b.topic))
    });
}

/// Unicode block sparkline of `values` scaled to their own min..max in at most `width`
/// cells: with more points than cells, each cell shows the largest of its run of points
/// (so a spike is never averaged away). NaN/±Inf points are drawn as a gap (space).
pub fn sparkline(values: &[f64], width: usize) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let shown: Vec<f64> = if values.len() > width && width > 0 {
        (0..width)
            .map(|cell| {
                let (a, b) = (
                    cell * values.len() / width,
                    ((cell + 1) * values.len() / width).max(cell * values.len() / width + 1),
                );
                let run = &values[a..b.min(values.len())];
                if run.iter().any(|v| !v.is_finite()) && run.iter().all(|v| !v.is_finite()) {
                    f64::NAN
                } else {
                    run.iter()
                        .copied()
                        .filter(|v| v.is_finite())
                        .fold(f64::NEG_INFINITY, f64::max)
                }
            })
            .collect()
    } else {
        values.to_vec()
    };
    let finite = shown.iter().copied().filter(|v| v.is_finite());
    let (lo, hi) = finite.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    shown
        .iter()
        .map(|&v| {
            if !v.is_finite() {
                ' '
            } else if hi <= lo {
                if v > 0.0 { BARS[3] } else { BARS[0] }
            } else {
                let i = ((v - lo) / (hi - lo) * 7.0).round() as usize;
                BARS[i.min(7)]
            }
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // hand-written fixtures; a bad one should fail loudly
mod tests {
    use super::*;

    #[test]
    fn drain_eta_draining_not_draining_drained_unknown() {
        // 6000 messages behind, consuming 30/s while 20/s arrive: 600 s.
        assert_eq!(
            drain_eta(Some(6000.0), Some(30.0), Some(20.0)),
            DrainEta::Eta { secs: 600.0 }
        );
        assert_eq!(
            drain_eta(Some(6000.0), Some(30.0), Some(20.0)).label(),
            "10m"
        );
        // Consuming exactly as fast as producing never catches up.
        assert_eq!(
            drain_eta(Some(6000.0), Some(20.0), Some(20.0)),
            DrainEta::NotDraining
        );
        assert_eq!(
            drain_eta(Some(6000.0), Some(5.0), Some(20.0)).label(),
            "not draining"
        );
        assert_eq!(drain_eta(Some(0.0), None, None), DrainEta::Drained);
        assert_eq!(drain_eta(None, Some(1.0), Some(0.0)), DrainEta::Unknown);
        assert_eq!(drain_eta(Some(10.0), None, Some(0.0)), DrainEta::Unknown);
        assert_eq!(
            drain_eta(Some(f64::NAN), Some(1.0), Some(0.0)),
            DrainEta::Unknown
        );
        assert_eq!(
            drain_eta(Some(10.0), Some(f64::INFINITY), Some(0.0)),
            DrainEta::Unknown
        );
    }

    #[test]
    fn minus_one_partitions_are_counted_not_summed() {
        let p = partition_lags(&[120.0, -1.0, 30.0, -1.0]);
        assert_eq!(p.sum, Some(150.0));
        assert_eq!(p.max, Some(120.0));
        assert_eq!(p.uncommitted, 2);
        let none = partition_lags(&[-1.0, -1.0]);
        assert_eq!((none.sum, none.max, none.uncommitted), (None, None, 2));
    }

    #[test]
    fn worst_rows_first() {
        let row = |g: &str, lag: f64, c: f64, p: f64| {
            let mut r = KafkaLagRow::new(g, "events");
            r.lag = Some(lag);
            r.consume_rate = Some(c);
            r.produce_rate = Some(p);
            r.update_eta();
            r
        };
        let mut rows = vec![
            row("drained", 0.0, 10.0, 10.0),
            row("slow-eta", 10_000.0, 11.0, 10.0),
            row("quick-eta", 10_000.0, 110.0, 10.0),
            row("stuck", 50.0, 0.0, 10.0),
            row("stuck-big", 5000.0, 0.0, 10.0),
        ];
        sort_rows(&mut rows);
        let order: Vec<_> = rows.iter().map(|r| r.group.as_str()).collect();
        assert_eq!(
            order,
            ["stuck-big", "stuck", "slow-eta", "quick-eta", "drained"]
        );
    }

    #[test]
    fn sparkline_is_readable_in_mono() {
        assert_eq!(sparkline(&[0.0, 50.0, 100.0], 10), "▁▅█");
        assert_eq!(sparkline(&[1.0, 2.0, 3.0, 4.0], 2), "▁█");
        assert_eq!(sparkline(&[5.0, f64::NAN, 5.0], 3), "▄ ▄");
        assert_eq!(sparkline(&[], 3), "");
    }
}
