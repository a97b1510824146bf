//! Formatting of metric values that may be NaN or ±Inf (Prometheus sends them as sample
//! strings "NaN", "+Inf", "-Inf"): every helper prints those as such instead of hiding
//! them or printing Rust's `inf`. Pure formatting; no I/O.

/// Prometheus's spelling of a non-finite value, or `None` for a finite one.
pub fn non_finite(v: f64) -> Option<&'static str> {
    if v.is_nan() {
        Some("NaN")
    } else if v == f64::INFINITY {
        Some("+Inf")
    } else if v == f64::NEG_INFINITY {
        Some("-Inf")
    } else {
        None
    }
}

/// A Prometheus sample value string ("1e+00", "NaN", "+Inf", "-Inf") as f64.
pub fn parse_sample(s: &str) -> Option<f64> {
    match s.trim() {
        "NaN" => Some(f64::NAN),
        "+Inf" | "Inf" => Some(f64::INFINITY),
        "-Inf" => Some(f64::NEG_INFINITY),
        other => other.parse().ok(),
    }
}

/// Bytes in binary units with 3 significant-ish figures: `512B`, `12.5KiB`, `3.2GiB`,
/// `1.4TiB`; `n/a` for missing, NaN/±Inf as such.
pub fn bytes(v: Option<f64>) -> String {
    let Some(v) = v else { return "n/a".into() };
    if let Some(s) = non_finite(v) {
        return s.into();
    }
    let sign = if v < 0.0 { "-" } else { "" };
    let mut x = v.abs();
    const UNITS: [&str; 7] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    let mut unit = 0;
    while x >= 1024.0 && unit + 1 < UNITS.len() {
        x /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{sign}{x:.0}B")
    } else if x < 10.0 {
        format!("{sign}{x:.1}{}", UNITS[unit])
    } else {
        format!("{sign}{x:.0}{}", UNITS[unit])
    }
}

/// A count with k/M/G suffixes above 10 000 (`9500`, `12.3k`, `4.1M`).
pub fn count(v: Option<f64>) -> String {
    let Some(v) = v else { return "n/a".into() };
    if let Some(s) = non_finite(v) {
        return s.into();
    }
    let a = v.abs();
    if a < 10_000.0 {
        if v.fract() == 0.0 {
            format!("{v:.0}")
        } else {
            format!("{v:.1}")
        }
    } else if a < 1e6 {
        format!("{:.1}k", v / 1e3)
    } else if a < 1e9 {
        format!("{:.1}M", v / 1e6)
    } else {
        format!("{:.1}G", v / 1e9)
    }
}

/// A per-second rate: `0`, `0.02`, `3.4`, `120`, `12.3k`.
pub fn rate(v: Option<f64>) -> String {
    let Some(v) = v else { return "n/a".into() };
    if let Some(s) = non_finite(v) {
        return s.into();
    }
    let a = v.abs();
    if a == 0.0 {
        "0".into()
    } else if a < 1.0 {
        format!("{v:.2}")
    } else if a < 100.0 {
        format!("{v:.1}")
    } else if a < 10_000.0 {
        format!("{v:.0}")
    } else {
        count(Some(v))
    }
}

/// Seconds as a short duration: `850ms`, `42s`, `12m`, `3h5m`, `2d4h`.
pub fn secs(v: Option<f64>) -> String {
    let Some(v) = v else { return "n/a".into() };
    if let Some(s) = non_finite(v) {
        return s.into();
    }
    if v < 0.0 {
        return format!("-{}", secs(Some(-v)));
    }
    if v < 1.0 {
        return format!("{:.0}ms", v * 1000.0);
    }
    let s = v as u64;
    match s {
        0..120 => format!("{s}s"),
        120..10_800 => format!("{}m", s / 60),
        10_800..172_800 => {
            let (h, m) = (s / 3600, s % 3600 / 60);
            if m == 0 || h >= 10 {
                format!("{h}h")
            } else {
                format!("{h}h{m}m")
            }
        }
        _ => {
            let (d, h) = (s / 86_400, s % 86_400 / 3600);
            if h == 0 || d >= 10 {
                format!("{d}d")
            } else {
                format!("{d}d{h}h")
            }
        }
    }
}

/// A percentage of `part` in `whole` (0–100, rounded), `None` when it cannot be computed.
pub fn percent(part: Option<f64>, whole: Option<f64>) -> Option<f64> {
    let (p, w) = (part?, whole?);
    (p.is_finite() && w.is_finite() && w > 0.0).then(|| p / w * 100.0)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // hand-written fixtures; a bad one should fail loudly
mod tests {
    use super::*;

    #[test]
    fn non_finite_values_print_as_prometheus_spells_them() {
        assert_eq!(bytes(Some(f64::NAN)), "NaN");
        assert_eq!(count(Some(f64::INFINITY)), "+Inf");
        assert_eq!(rate(Some(f64::NEG_INFINITY)), "-Inf");
        assert_eq!(secs(Some(f64::NAN)), "NaN");
        assert_eq!(bytes(None), "n/a");
        assert!(parse_sample("NaN").is_some_and(f64::is_nan));
        assert_eq!(parse_sample("+Inf"), Some(f64::INFINITY));
        assert_eq!(parse_sample("-Inf"), Some(f64::NEG_INFINITY));
        assert_eq!(parse_sample("4.2e+13"), Some(4.2e13));
        assert_eq!(parse_sample("<html>"), None);
    }

    #[test]
    fn human_units() {
        assert_eq!(bytes(Some(512.0)), "512B");
        assert_eq!(bytes(Some(12.4 * 1024.0)), "12KiB");
        assert_eq!(bytes(Some(1.5 * 1024.0)), "1.5KiB");
        assert_eq!(bytes(Some(3.2 * 1024.0 * 1024.0 * 1024.0)), "3.2GiB");
        assert_eq!(count(Some(9500.0)), "9500");
        assert_eq!(count(Some(12_345.0)), "12.3k");
        assert_eq!(rate(Some(0.0)), "0");
        assert_eq!(rate(Some(3.44)), "3.4");
        assert_eq!(secs(Some(42.1)), "42s");
        assert_eq!(secs(Some(720.0)), "12m");
        assert_eq!(secs(Some(3.0 * 3600.0 + 300.0)), "3h5m");
        assert_eq!(secs(Some(2.0 * 86_400.0 + 4.0 * 3600.0)), "2d4h");
        assert_eq!(percent(Some(1.0), Some(4.0)), Some(25.0));
        assert_eq!(percent(Some(1.0), Some(0.0)), None);
        assert_eq!(percent(Some(f64::NAN), Some(4.0)), None);
    }
}
