//! Kubernetes resource quantities ("500m", "2", "32863512Ki", "1.5Gi", "412345678n",
//! "1e3") parsed to plain numbers: CPU in millicores or nanocores, memory in bytes. Only
//! what the cockpit and lab need; no I/O.

/// Parses a quantity to its value in base units (cores for CPU, bytes for memory).
/// Returns `None` for anything that is not a Kubernetes quantity.
pub fn parse(q: &str) -> Option<f64> {
    let q = q.trim();
    if q.is_empty() {
        return None;
    }
    let split = q
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '+' || c == '-'))
        .unwrap_or(q.len());
    let (number, suffix) = q.split_at(split);
    let number: f64 = number.parse().ok()?;
    let factor = match suffix {
        "" => 1.0,
        "n" => 1e-9,
        "u" => 1e-6,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" => 1e18,
        "Ki" => 1024.0,
        "Mi" => 1024.0 * 1024.0,
        "Gi" => 1024.0 * 1024.0 * 1024.0,
        "Ti" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        "Pi" => 1024.0f64.powi(5),
        "Ei" => 1024.0f64.powi(6),
        s if s.starts_with(['e', 'E']) => 10f64.powi(s.get(1..)?.parse::<i32>().ok()?),
        _ => return None,
    };
    let value = number * factor;
    value.is_finite().then_some(value)
}

/// CPU quantity in millicores (rounded up, as the scheduler counts requests).
pub fn cpu_millis(q: &str) -> Option<i64> {
    parse(q).map(|v| (v * 1000.0).ceil() as i64)
}

/// Memory quantity in bytes.
pub fn bytes(q: &str) -> Option<i64> {
    parse(q).map(|v| v.ceil() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_cpu_and_memory_forms() {
        assert_eq!(cpu_millis("500m"), Some(500));
        assert_eq!(cpu_millis("2"), Some(2000));
        assert_eq!(cpu_millis("0.25"), Some(250));
        assert_eq!(cpu_millis("412345678n"), Some(413));
        assert_eq!(bytes("1Ki"), Some(1024));
        assert_eq!(bytes("32Gi"), Some(32 * 1024 * 1024 * 1024));
        assert_eq!(bytes("1.5Gi"), Some(1_610_612_736));
        assert_eq!(bytes("1e3"), Some(1000));
        assert_eq!(bytes("129M"), Some(129_000_000));
    }

    #[test]
    fn rejects_garbage() {
        for bad in ["", "Gi", "12XB", "abc", "1.2.3", "--1"] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }
}
