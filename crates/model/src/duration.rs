//! Operator-typed durations (`1h30m`) and human-readable ages ("45s", "2m3s", "5h12m", "3d4h", "2y30d") exactly as kubectl prints
//! them: a port of `k8s.io/apimachinery/pkg/util/duration.HumanDuration`. Pure formatting;
//! it must not read the clock (callers pass `now - then`) or do any I/O.

use jiff::SignedDuration;

/// Parses the durations operators type: `90s`, `15m`, `3h`, `2d`, `1h30m` (no spaces,
/// no fractions). `None` for anything else, including the empty string.
pub fn parse_duration(s: &str) -> Option<std::time::Duration> {
    let mut total = 0u64;
    let mut number = String::new();
    let mut seen = false;
    for c in s.trim().chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let n: u64 = number.parse().ok()?;
        number.clear();
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            _ => return None,
        };
        total = total.checked_add(n.checked_mul(unit)?)?;
        seen = true;
    }
    (number.is_empty() && seen).then(|| std::time::Duration::from_secs(total))
}

/// Formats `d` the way `duration.HumanDuration` does, giving ~2-3 significant figures.
///
/// Slightly negative durations (down to -1.999s) print as "0s" because Go tolerates a
/// little clock skew between the client and the server; anything more negative is
/// "<invalid>". Every step truncates (Go's integer division), it never rounds.
pub fn human_duration(d: SignedDuration) -> String {
    // `as_secs` truncates toward zero, like Go's `int(d.Seconds())`, so -1.5s -> -1 -> "0s".
    let seconds = d.as_secs();
    if seconds < -1 {
        return "<invalid>".to_string();
    }
    if seconds < 0 {
        return "0s".to_string();
    }
    if seconds < 60 * 2 {
        return format!("{seconds}s");
    }

    let minutes = seconds / 60;
    if minutes < 10 {
        let s = seconds % 60;
        if s == 0 {
            return format!("{minutes}m");
        }
        return format!("{minutes}m{s}s");
    }
    if minutes < 60 * 3 {
        return format!("{minutes}m");
    }

    let hours = seconds / 3600;
    if hours < 8 {
        let m = minutes % 60;
        if m == 0 {
            return format!("{hours}h");
        }
        return format!("{hours}h{m}m");
    }
    if hours < 48 {
        return format!("{hours}h");
    }
    if hours < 24 * 8 {
        let h = hours % 24;
        if h == 0 {
            return format!("{}d", hours / 24);
        }
        return format!("{}d{h}h", hours / 24);
    }
    if hours < 24 * 365 * 2 {
        return format!("{}d", hours / 24);
    }
    if hours < 24 * 365 * 8 {
        // Go uses 365-day years here, no leap-year correction; so do we.
        let dy = (hours / 24) % 365;
        if dy == 0 {
            return format!("{}y", hours / 24 / 365);
        }
        return format!("{}y{dy}d", hours / 24 / 365);
    }
    format!("{}y", hours / 24 / 365)
}

#[cfg(test)]
mod tests {
    use super::{human_duration, parse_duration};
    use jiff::SignedDuration;

    #[test]
    fn typed_durations_parse_and_garbage_does_not() {
        let secs = |s: &str| parse_duration(s).map(|d| d.as_secs());
        assert_eq!(secs("90s"), Some(90));
        assert_eq!(secs("1h30m"), Some(5400));
        assert_eq!(secs("2d"), Some(172_800));
        for bad in ["", "5", "h", "1.5h", "2 h", "-1h", "1w"] {
            assert_eq!(secs(bad), None, "{bad:?}");
        }
    }

    fn secs(s: i64) -> String {
        human_duration(SignedDuration::from_secs(s))
    }

    const MIN: i64 = 60;
    const HOUR: i64 = 60 * MIN;
    const DAY: i64 = 24 * HOUR;
    const YEAR: i64 = 365 * DAY;

    #[test]
    fn negative_beyond_skew_tolerance_is_invalid() {
        assert_eq!(secs(-2), "<invalid>");
        assert_eq!(secs(-3600), "<invalid>");
    }

    #[test]
    fn small_negative_is_zero_seconds() {
        assert_eq!(secs(-1), "0s");
        // -1.9s truncates to -1 in Go, still inside the tolerance.
        assert_eq!(human_duration(SignedDuration::from_millis(-1900)), "0s");
        // -0.5s truncates to 0 and takes the "Ns" branch.
        assert_eq!(human_duration(SignedDuration::from_millis(-500)), "0s");
    }

    #[test]
    fn seconds_below_two_minutes() {
        assert_eq!(secs(0), "0s");
        assert_eq!(secs(45), "45s");
        assert_eq!(secs(60), "60s");
        assert_eq!(secs(119), "119s");
        // Sub-second precision is truncated, not rounded.
        assert_eq!(human_duration(SignedDuration::from_millis(45_999)), "45s");
    }

    #[test]
    fn minutes_and_seconds_below_ten_minutes() {
        assert_eq!(secs(2 * MIN), "2m");
        assert_eq!(secs(2 * MIN + 3), "2m3s");
        assert_eq!(secs(5 * MIN), "5m");
        assert_eq!(secs(9 * MIN + 59), "9m59s");
    }

    #[test]
    fn whole_minutes_below_three_hours() {
        assert_eq!(secs(10 * MIN), "10m");
        assert_eq!(secs(10 * MIN + 30), "10m");
        assert_eq!(secs(179 * MIN + 59), "179m");
    }

    #[test]
    fn hours_and_minutes_below_eight_hours() {
        assert_eq!(secs(3 * HOUR), "3h");
        assert_eq!(secs(3 * HOUR + 5 * MIN + 59), "3h5m");
        assert_eq!(secs(7 * HOUR + 59 * MIN), "7h59m");
    }

    #[test]
    fn whole_hours_below_two_days() {
        assert_eq!(secs(8 * HOUR), "8h");
        assert_eq!(secs(47 * HOUR + 59 * MIN), "47h");
    }

    #[test]
    fn days_and_hours_below_eight_days() {
        assert_eq!(secs(2 * DAY), "2d");
        assert_eq!(secs(3 * DAY + 4 * HOUR), "3d4h");
        assert_eq!(secs(7 * DAY + 23 * HOUR + 59 * MIN), "7d23h");
    }

    #[test]
    fn whole_days_below_two_years() {
        assert_eq!(secs(8 * DAY), "8d");
        assert_eq!(secs(400 * DAY), "400d");
        assert_eq!(secs(2 * YEAR - 1), "729d");
    }

    #[test]
    fn years_and_days_below_eight_years() {
        assert_eq!(secs(2 * YEAR), "2y");
        assert_eq!(secs(2 * YEAR + 30 * DAY), "2y30d");
        assert_eq!(secs(8 * YEAR - 1), "7y364d");
    }

    #[test]
    fn whole_years_from_eight_years() {
        assert_eq!(secs(8 * YEAR), "8y");
        assert_eq!(secs(12 * YEAR + 200 * DAY), "12y");
    }
}
