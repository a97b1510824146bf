//! MinIO capacity and health as the MinIO pane shows it: usable/raw capacity, buckets,
//! nodes and drives, healing, S3 5xx rate, and the "full in ~N days" forecast from
//! `predict_linear`. Pure data built by the Prometheus source; no I/O, no drawing.

/// Everything the MinIO pane and its overview block show. Every number is optional
/// (a query may return nothing) and may be NaN/±Inf as Prometheus sent it.
#[derive(Debug, Clone, PartialEq)]
pub struct MinioSummary {
    pub usable_total: Option<f64>,
    pub usable_free: Option<f64>,
    pub raw_total: Option<f64>,
    pub raw_free: Option<f64>,
    /// Sorted by bytes, largest first (see [`sort_buckets`]).
    pub buckets: Vec<BucketUsage>,
    pub nodes_online: Option<f64>,
    pub nodes_offline: Option<f64>,
    pub drives_online: Option<f64>,
    pub drives_offline: Option<f64>,
    pub healing_drives: Option<f64>,
    pub s3_5xx_rate: Option<f64>,
    pub forecast: FillForecast,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BucketUsage {
    pub name: String,
    pub bytes: Option<f64>,
    pub objects: Option<f64>,
}

/// When usable capacity runs out at the current trend.
#[derive(Debug, Clone, PartialEq)]
pub enum FillForecast {
    /// Free space reaches zero in about `days` days.
    Filling { days: f64 },
    /// Free space is steady or growing.
    NotFilling,
    /// No usable space left now.
    Full,
    /// Not enough data (no free-space value or no trend, or a NaN/Inf one).
    Unknown,
}

/// `free_now` = usable free bytes now; `free_in_1d` = `predict_linear(free[window], 86400)`
/// (the minimum over servers): the free space one day from now at the current trend.
pub fn forecast(free_now: Option<f64>, free_in_1d: Option<f64>) -> FillForecast {
    let Some(now) = free_now.filter(|v| v.is_finite()) else {
        return FillForecast::Unknown;
    };
    if now <= 0.0 {
        return FillForecast::Full;
    }
    let Some(later) = free_in_1d.filter(|v| v.is_finite()) else {
        return FillForecast::Unknown;
    };
    let per_day = now - later;
    if per_day <= 0.0 {
        return FillForecast::NotFilling;
    }
    FillForecast::Filling {
        days: now / per_day,
    }
}

impl FillForecast {
    /// "full in ~3 days", "full in ~5 h", "not filling", "FULL", "forecast n/a".
    pub fn label(&self) -> String {
        match self {
            FillForecast::Filling { days } if *days < 1.0 => {
                format!("full in ~{} h", (days * 24.0).ceil().max(1.0) as u64)
            }
            FillForecast::Filling { days } if *days >= 999.0 => "full in >999 days".into(),
            FillForecast::Filling { days } => {
                let d = days.round() as u64;
                format!("full in ~{d} day{}", if d == 1 { "" } else { "s" })
            }
            FillForecast::NotFilling => "not filling".into(),
            FillForecast::Full => "FULL".into(),
            FillForecast::Unknown => "forecast n/a".into(),
        }
    }

    /// Whether an operator should act soon (full, or full within `warn_days`).
    pub fn is_urgent(&self, warn_days: f64) -> bool {
        match self {
            FillForecast::Full => true,
            FillForecast::Filling { days } => *days <= warn_days,
            _ => false,
        }
    }
}

/// Largest first; buckets without a size last; then by name.
pub fn sort_buckets(buckets: &mut [BucketUsage]) {
    let size = |b: &BucketUsage| b.bytes.filter(|v| !v.is_nan()).unwrap_or(f64::NEG_INFINITY);
    buckets.sort_by(|a, b| {
        size(b)
            .total_cmp(&size(a))
            .then_with(|| a.name.cmp(&b.name))
    });
}

impl MinioSummary {
    /// Usable bytes in use (total − free).
    pub fn usable_used(&self) -> Option<f64> {
        Some(self.usable_total? - self.usable_free?)
    }

    /// Usable capacity in use, percent.
    pub fn used_percent(&self) -> Option<f64> {
        super::number::percent(self.usable_used(), self.usable_total)
    }

    /// A bucket's share of the bytes used by all buckets, percent.
    pub fn bucket_share(&self, bucket: &BucketUsage) -> Option<f64> {
        let total: f64 = self
            .buckets
            .iter()
            .filter_map(|b| b.bytes.filter(|v| v.is_finite()))
            .sum();
        super::number::percent(bucket.bytes, Some(total))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // hand-written fixtures; a bad one should fail loudly
mod tests {
    use super::*;

    const TIB: f64 = 1024.0 * 1024.0 * 1024.0 * 1024.0;

    #[test]
    fn forecast_filling_not_filling_full_unknown() {
        // 10 TiB free, 9 TiB tomorrow: 1 TiB a day → ~10 days.
        assert_eq!(
            forecast(Some(10.0 * TIB), Some(9.0 * TIB)),
            FillForecast::Filling { days: 10.0 }
        );
        assert_eq!(
            forecast(Some(10.0 * TIB), Some(9.0 * TIB)).label(),
            "full in ~10 days"
        );
        // Growing or steady free space is not filling.
        assert_eq!(
            forecast(Some(10.0 * TIB), Some(10.0 * TIB)),
            FillForecast::NotFilling
        );
        assert_eq!(
            forecast(Some(10.0 * TIB), Some(11.0 * TIB)),
            FillForecast::NotFilling
        );
        // Nothing free now: full, whatever the trend says.
        assert_eq!(forecast(Some(0.0), Some(-5.0)), FillForecast::Full);
        assert_eq!(forecast(Some(0.0), None), FillForecast::Full);
        // Missing data or NaN/Inf: unknown, never a bogus number.
        assert_eq!(forecast(None, Some(1.0)), FillForecast::Unknown);
        assert_eq!(forecast(Some(TIB), None), FillForecast::Unknown);
        assert_eq!(forecast(Some(f64::NAN), Some(1.0)), FillForecast::Unknown);
        assert_eq!(forecast(Some(TIB), Some(f64::NAN)), FillForecast::Unknown);
        assert_eq!(
            forecast(Some(TIB), Some(f64::NEG_INFINITY)),
            FillForecast::Unknown
        );
    }

    #[test]
    fn forecast_within_a_day_is_in_hours() {
        // 1 TiB free, predicted −1 TiB tomorrow: gone in 12 hours.
        let f = forecast(Some(TIB), Some(-TIB));
        assert_eq!(f, FillForecast::Filling { days: 0.5 });
        assert_eq!(f.label(), "full in ~12 h");
        assert!(f.is_urgent(7.0));
        assert!(!FillForecast::NotFilling.is_urgent(7.0));
        assert_eq!(
            FillForecast::Filling { days: 1.2 }.label(),
            "full in ~1 day"
        );
    }

    #[test]
    fn buckets_largest_first_and_shares() {
        let mut b = vec![
            BucketUsage {
                name: "silver".into(),
                bytes: Some(2.0),
                objects: None,
            },
            BucketUsage {
                name: "odd".into(),
                bytes: Some(f64::NAN),
                objects: None,
            },
            BucketUsage {
                name: "bronze".into(),
                bytes: Some(6.0),
                objects: None,
            },
        ];
        sort_buckets(&mut b);
        let names: Vec<_> = b.iter().map(|b| b.name.as_str()).collect();
        assert_eq!(names, ["bronze", "silver", "odd"]);
        let s = MinioSummary {
            usable_total: Some(100.0),
            usable_free: Some(25.0),
            raw_total: None,
            raw_free: None,
            buckets: b,
            nodes_online: None,
            nodes_offline: None,
            drives_online: None,
            drives_offline: None,
            healing_drives: None,
            s3_5xx_rate: None,
            forecast: FillForecast::Unknown,
        };
        assert_eq!(s.used_percent(), Some(75.0));
        assert_eq!(s.bucket_share(&s.buckets[0]), Some(75.0));
    }
}
