//! Velero backups as the Velero pane shows them, from velero.io/v1 objects: schedules
//! with their expected interval (from the cron expression) and RPO status (age of the
//! last *successful* backup against that interval), recent backups, restores and
//! backup storage locations. Parsing is defensive (missing or mistyped fields become
//! `None`). Pure: `now` is passed in; no I/O, no drawing.

use jiff::Timestamp;
use jiff::civil::Date;
use serde_json::Value;

/// How fresh a schedule's last successful backup is against its interval.
#[derive(Debug, Clone, PartialEq)]
pub enum RpoStatus {
    Ok,
    Late,
    Missed,
    NeverSucceeded,
    Paused,
    Unknown,
}

impl RpoStatus {
    pub fn label(&self) -> &'static str {
        match self {
            RpoStatus::Ok => "ok",
            RpoStatus::Late => "late",
            RpoStatus::Missed => "MISSED",
            RpoStatus::NeverSucceeded => "never ok",
            RpoStatus::Paused => "paused",
            RpoStatus::Unknown => "unknown",
        }
    }

    /// Higher is worse (for "worst RPO" on the overview).
    pub fn badness(&self) -> u8 {
        match self {
            RpoStatus::Missed => 5,
            RpoStatus::NeverSucceeded => 4,
            RpoStatus::Late => 3,
            RpoStatus::Unknown => 2,
            RpoStatus::Paused => 1,
            RpoStatus::Ok => 0,
        }
    }
}

/// age ≤ interval: Ok; interval < age ≤ 1.5 × interval: Late; beyond: Missed.
pub fn rpo_status(
    last_success: Option<Timestamp>,
    interval_secs: Option<i64>,
    paused: bool,
    now: Timestamp,
) -> RpoStatus {
    if paused {
        return RpoStatus::Paused;
    }
    let Some(last) = last_success else {
        return RpoStatus::NeverSucceeded;
    };
    let Some(interval) = interval_secs.filter(|i| *i > 0) else {
        return RpoStatus::Unknown;
    };
    // Milliseconds and integer arithmetic, so the boundaries are exact.
    let age_ms = i128::from(now.as_millisecond()) - i128::from(last.as_millisecond());
    let interval_ms = i128::from(interval) * 1000;
    if age_ms <= interval_ms {
        RpoStatus::Ok
    } else if age_ms * 2 <= interval_ms * 3 {
        RpoStatus::Late
    } else {
        RpoStatus::Missed
    }
}

/// The expected interval of a Velero (robfig/cron) schedule in seconds: the smallest gap
/// between consecutive fire times (5-field cron with `*`, lists, ranges, steps and
/// names; `@yearly/@annually/@monthly/@weekly/@daily/@midnight/@hourly`), or the fixed
/// duration of `@every <go duration>`. A `CRON_TZ=`/`TZ=` prefix is ignored.
pub fn expected_interval_secs(cron: &str) -> Result<i64, String> {
    let mut spec = cron.trim();
    if spec.starts_with("CRON_TZ=") || spec.starts_with("TZ=") {
        spec = spec.split_once(' ').map_or("", |(_, rest)| rest.trim());
    }
    let expanded = match spec {
        "@yearly" | "@annually" => "0 0 1 1 *",
        "@monthly" => "0 0 1 * *",
        "@weekly" => "0 0 * * 0",
        "@daily" | "@midnight" => "0 0 * * *",
        "@hourly" => "0 * * * *",
        other => other,
    };
    if let Some(d) = expanded.strip_prefix("@every") {
        let secs = go_duration_secs(d.trim())
            .ok_or_else(|| format!("bad @every duration {:?} in schedule {cron:?}", d.trim()))?;
        // robfig/cron rounds @every below a second up to one second.
        return Ok(secs.max(1));
    }
    if expanded.starts_with('@') {
        return Err(format!(
            "unknown descriptor {expanded:?} in schedule {cron:?}"
        ));
    }
    let fields: Vec<&str> = expanded.split_whitespace().collect();
    let [min, hour, dom, month, dow] = fields.as_slice() else {
        return Err(format!(
            "schedule {cron:?} is not a 5-field cron expression (minute hour day-of-month month day-of-week) nor a descriptor like @daily or @every 6h"
        ));
    };
    let bad = |what: &str, e: String| format!("schedule {cron:?}: {what}: {e}");
    let minutes = field(min, 0, 59, &[]).map_err(|e| bad("minute", e))?;
    let hours = field(hour, 0, 23, &[]).map_err(|e| bad("hour", e))?;
    let doms = field(dom, 1, 31, &[]).map_err(|e| bad("day of month", e))?;
    let months = field(month, 1, 12, &MONTHS).map_err(|e| bad("month", e))?;
    // Day of week 0-6 from Sunday; 7 is also Sunday.
    let mut dows = field(dow, 0, 7, &DAYS).map_err(|e| bad("day of week", e))?;
    if dows[7] {
        dows[0] = true;
    }
    // Like robfig/cron (and Vixie cron): when both day fields are restricted, a day
    // matches if either does.
    let dom_star = dom.starts_with('*') || dom.starts_with('?');
    let dow_star = dow.starts_with('*') || dow.starts_with('?');
    let day_matches = |d: Date| {
        let dom_ok = doms[d.day() as usize];
        let dow_ok = dows[d.weekday().to_sunday_zero_offset() as usize];
        if dom_star || dow_star {
            dom_ok && dow_ok
        } else {
            dom_ok || dow_ok
        }
    };
    // Scan four years from a leap year, so Feb 29 and every weekday/date combination
    // occurs; the smallest gap between consecutive fire times is the interval.
    let start = Date::constant(2024, 1, 1);
    let mut prev: Option<i64> = None;
    let mut best: Option<i64> = None;
    let mut day = start;
    for offset in 0..(4 * 366) {
        if months[day.month() as usize] && day_matches(day) {
            for h in (0..24).filter(|h| hours[*h]) {
                for m in (0..60).filter(|m| minutes[*m]) {
                    let t = offset * 86_400 + h as i64 * 3600 + m as i64 * 60;
                    if let Some(p) = prev {
                        let gap = t - p;
                        best = Some(best.map_or(gap, |b: i64| b.min(gap)));
                        if gap == 60 {
                            return Ok(60);
                        }
                    }
                    prev = Some(t);
                }
            }
        }
        day = match day.tomorrow() {
            Ok(d) => d,
            Err(_) => break,
        };
    }
    best.ok_or_else(|| format!("schedule {cron:?} never fires more than once"))
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];
const DAYS: [&str; 7] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

/// One cron field as a membership table indexed by value (`lo..=hi`).
fn field(spec: &str, lo: usize, hi: usize, names: &[&str]) -> Result<Vec<bool>, String> {
    let mut set = vec![false; hi + 1];
    let value = |s: &str| -> Result<usize, String> {
        if let Some(i) = names.iter().position(|n| n.eq_ignore_ascii_case(s)) {
            return Ok(i + lo);
        }
        let v: usize = s.parse().map_err(|_| format!("{s:?} is not a number"))?;
        if v < lo || v > hi {
            return Err(format!("{v} is outside {lo}-{hi}"));
        }
        Ok(v)
    };
    for part in spec.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => {
                let step: usize = s.parse().map_err(|_| format!("bad step {s:?}"))?;
                if step == 0 {
                    return Err("step 0".into());
                }
                (r, Some(step))
            }
            None => (part, None),
        };
        let (a, b) = match range {
            "*" | "?" => (lo, hi),
            r => match r.split_once('-') {
                Some((a, b)) => (value(a)?, value(b)?),
                // "5/15" means from 5 to the end in steps of 15.
                None if step.is_some() => (value(r)?, hi),
                None => {
                    let v = value(r)?;
                    (v, v)
                }
            },
        };
        if a > b {
            return Err(format!("range {a}-{b} runs backwards"));
        }
        let mut v = a;
        while v <= b {
            set[v] = true;
            v += step.unwrap_or(1);
        }
    }
    Ok(set)
}

/// A Go `time.Duration` string ("6h", "1h30m", "90s", "1.5h", "500ms") in whole
/// seconds (rounded down).
fn go_duration_secs(s: &str) -> Option<i64> {
    if s.is_empty() {
        return None;
    }
    if s == "0" {
        return Some(0);
    }
    let mut rest = s;
    let mut total = 0f64;
    while !rest.is_empty() {
        let end = rest.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
        let (num, tail) = rest.split_at(end);
        let n: f64 = num.parse().ok()?;
        let unit_end = tail
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(tail.len());
        let (unit, next) = tail.split_at(unit_end);
        let factor = match unit {
            "ns" => 1e-9,
            "us" | "µs" | "μs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return None,
        };
        total += n * factor;
        rest = next;
    }
    Some(total as i64)
}

#[derive(Debug, Clone, PartialEq)]
pub struct ScheduleRow {
    pub name: String,
    /// Where the Schedule lives (Velero's namespace, for "back up now").
    pub namespace: String,
    pub cron: String,
    pub paused: bool,
    pub last_backup: Option<Timestamp>,
    pub last_success: Option<Timestamp>,
    pub interval_secs: Option<i64>,
    pub rpo: RpoStatus,
    /// Why the cron expression could not be understood, if it could not.
    pub interval_error: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BackupRow {
    pub name: String,
    /// Where the Backup lives (Velero's namespace, for a restore).
    pub namespace: String,
    /// `spec.includedNamespaces` (empty or `*`: all of them).
    pub namespaces: Vec<String>,
    pub schedule: Option<String>,
    pub phase: String,
    pub items_done: Option<u64>,
    pub items_total: Option<u64>,
    pub errors: u64,
    pub warnings: u64,
    pub started: Option<Timestamp>,
    pub completed: Option<Timestamp>,
    pub expires: Option<Timestamp>,
    pub location: Option<String>,
    pub created: Option<Timestamp>,
    pub failure_reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RestoreRow {
    pub name: String,
    pub backup: String,
    pub phase: String,
    pub items_done: Option<u64>,
    pub items_total: Option<u64>,
    pub errors: u64,
    pub warnings: u64,
    pub started: Option<Timestamp>,
    pub completed: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LocationRow {
    pub name: String,
    pub phase: String,
    pub default: bool,
    pub last_validated: Option<Timestamp>,
    pub message: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct VeleroSnapshot {
    pub schedules: Vec<ScheduleRow>,
    /// Newest first.
    pub backups: Vec<BackupRow>,
    /// Newest first.
    pub restores: Vec<RestoreRow>,
    pub locations: Vec<LocationRow>,
}

fn s(v: &Value, pointer: &str) -> Option<String> {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .map(str::to_string)
}

fn ts(v: &Value, pointer: &str) -> Option<Timestamp> {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .and_then(|t| t.parse().ok())
}

fn n(v: &Value, pointer: &str) -> Option<u64> {
    v.pointer(pointer).and_then(Value::as_u64)
}

fn b(v: &Value, pointer: &str) -> bool {
    v.pointer(pointer).and_then(Value::as_bool).unwrap_or(false)
}

/// Newest first by start (or creation) time, then name.
fn newest_first<T>(rows: &mut [T], key: impl Fn(&T) -> (Option<Timestamp>, &str)) {
    rows.sort_by(|a, b| {
        let (ta, na) = key(a);
        let (tb, nb) = key(b);
        tb.cmp(&ta).then_with(|| na.cmp(nb))
    });
}

impl BackupRow {
    pub fn from_object(v: &Value) -> Option<BackupRow> {
        Some(BackupRow {
            name: s(v, "/metadata/name")?,
            namespace: s(v, "/metadata/namespace").unwrap_or_else(|| "velero".into()),
            namespaces: v
                .pointer("/spec/includedNamespaces")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default(),
            schedule: s(v, "/metadata/labels/velero.io~1schedule-name").filter(|s| !s.is_empty()),
            phase: s(v, "/status/phase").unwrap_or_else(|| "New".into()),
            items_done: n(v, "/status/progress/itemsBackedUp"),
            items_total: n(v, "/status/progress/totalItems"),
            errors: n(v, "/status/errors").unwrap_or(0),
            warnings: n(v, "/status/warnings").unwrap_or(0),
            started: ts(v, "/status/startTimestamp"),
            completed: ts(v, "/status/completionTimestamp"),
            expires: ts(v, "/status/expiration"),
            location: s(v, "/spec/storageLocation"),
            created: ts(v, "/metadata/creationTimestamp"),
            failure_reason: s(v, "/status/failureReason").filter(|s| !s.is_empty()),
        })
    }

    /// completion − start, or now − start while it runs.
    pub fn duration(&self, now: Timestamp) -> Option<jiff::SignedDuration> {
        let start = self.started?;
        Some(self.completed.unwrap_or(now).duration_since(start))
    }

    pub fn is_failed(&self) -> bool {
        matches!(
            self.phase.as_str(),
            "Failed" | "PartiallyFailed" | "FailedValidation"
        )
    }
}

impl RestoreRow {
    pub fn from_object(v: &Value) -> Option<RestoreRow> {
        Some(RestoreRow {
            name: s(v, "/metadata/name")?,
            backup: s(v, "/spec/backupName")
                .or_else(|| s(v, "/spec/scheduleName").map(|s| format!("schedule {s}")))
                .unwrap_or_default(),
            phase: s(v, "/status/phase").unwrap_or_else(|| "New".into()),
            items_done: n(v, "/status/progress/itemsRestored"),
            items_total: n(v, "/status/progress/totalItems"),
            errors: n(v, "/status/errors").unwrap_or(0),
            warnings: n(v, "/status/warnings").unwrap_or(0),
            started: ts(v, "/status/startTimestamp"),
            completed: ts(v, "/status/completionTimestamp"),
        })
    }
}

impl LocationRow {
    pub fn from_object(v: &Value) -> Option<LocationRow> {
        Some(LocationRow {
            name: s(v, "/metadata/name")?,
            phase: s(v, "/status/phase").unwrap_or_else(|| "Unknown".into()),
            default: b(v, "/spec/default"),
            last_validated: ts(v, "/status/lastValidationTime"),
            message: s(v, "/status/message").filter(|s| !s.is_empty()),
        })
    }
}

impl VeleroSnapshot {
    /// Builds the snapshot from the listed objects. A schedule's last success is the
    /// newest `Completed` backup labelled `velero.io/schedule-name=<schedule>`.
    pub fn from_objects(
        schedules: &[Value],
        backups: &[Value],
        restores: &[Value],
        locations: &[Value],
        now: Timestamp,
    ) -> VeleroSnapshot {
        let mut backups: Vec<BackupRow> =
            backups.iter().filter_map(BackupRow::from_object).collect();
        newest_first(&mut backups, |b| (b.started.or(b.created), &b.name));
        let mut restores: Vec<RestoreRow> = restores
            .iter()
            .filter_map(RestoreRow::from_object)
            .collect();
        newest_first(&mut restores, |r| (r.started, &r.name));
        let mut locations: Vec<LocationRow> = locations
            .iter()
            .filter_map(LocationRow::from_object)
            .collect();
        locations.sort_by(|a, b| a.name.cmp(&b.name));
        let mut schedules: Vec<ScheduleRow> = schedules
            .iter()
            .filter_map(|v| {
                let name = s(v, "/metadata/name")?;
                let cron = s(v, "/spec/schedule").unwrap_or_default();
                let paused = b(v, "/spec/paused");
                let last_success = backups
                    .iter()
                    .filter(|b| b.schedule.as_deref() == Some(&name) && b.phase == "Completed")
                    .filter_map(|b| b.completed)
                    .max();
                let (interval_secs, interval_error) = match expected_interval_secs(&cron) {
                    Ok(i) => (Some(i), None),
                    Err(e) => (None, Some(e)),
                };
                Some(ScheduleRow {
                    rpo: rpo_status(last_success, interval_secs, paused, now),
                    namespace: s(v, "/metadata/namespace").unwrap_or_else(|| "velero".into()),
                    last_backup: ts(v, "/status/lastBackup"),
                    name,
                    cron,
                    paused,
                    last_success,
                    interval_secs,
                    interval_error,
                })
            })
            .collect();
        // Worst RPO first, then name.
        schedules.sort_by(|a, b| {
            b.rpo
                .badness()
                .cmp(&a.rpo.badness())
                .then_with(|| a.name.cmp(&b.name))
        });
        VeleroSnapshot {
            schedules,
            backups,
            restores,
            locations,
        }
    }

    /// The schedule in the worst RPO state (for the overview).
    pub fn worst_schedule(&self) -> Option<&ScheduleRow> {
        self.schedules.iter().max_by(|a, b| {
            a.rpo
                .badness()
                .cmp(&b.rpo.badness())
                .then_with(|| b.name.cmp(&a.name))
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // hand-written fixtures; a bad one should fail loudly
mod tests {
    use super::*;
    use jiff::SignedDuration;
    use serde_json::json;

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap_or(Timestamp::UNIX_EPOCH)
    }

    #[test]
    fn rpo_at_the_exact_boundaries() {
        let now = t("2026-11-21T10:00:00Z");
        let ago = |secs: i64| Some(now - SignedDuration::from_secs(secs));
        let day = Some(86_400);
        assert_eq!(rpo_status(ago(3600), day, false, now), RpoStatus::Ok);
        assert_eq!(rpo_status(ago(86_400), day, false, now), RpoStatus::Ok);
        assert_eq!(rpo_status(ago(86_401), day, false, now), RpoStatus::Late);
        assert_eq!(rpo_status(ago(129_600), day, false, now), RpoStatus::Late);
        // Just over 1.5 × interval.
        let just_over = Some(now - SignedDuration::from_millis(129_600_001));
        assert_eq!(rpo_status(just_over, day, false, now), RpoStatus::Missed);
        assert_eq!(rpo_status(ago(129_601), day, false, now), RpoStatus::Missed);
        assert_eq!(rpo_status(ago(999_999), day, true, now), RpoStatus::Paused);
        assert_eq!(rpo_status(None, day, false, now), RpoStatus::NeverSucceeded);
        assert_eq!(rpo_status(ago(10), None, false, now), RpoStatus::Unknown);
        // Odd interval: 1.5 × 15 min = 1350 s exactly.
        assert_eq!(
            rpo_status(ago(1350), Some(900), false, now),
            RpoStatus::Late
        );
        assert_eq!(
            rpo_status(ago(1351), Some(900), false, now),
            RpoStatus::Missed
        );
    }

    #[test]
    fn cron_intervals() {
        assert_eq!(expected_interval_secs("0 2 * * *"), Ok(86_400));
        assert_eq!(expected_interval_secs("*/15 * * * *"), Ok(900));
        assert_eq!(expected_interval_secs("@every 6h"), Ok(21_600));
        assert_eq!(expected_interval_secs("@every 1h30m"), Ok(5400));
        assert_eq!(expected_interval_secs("@daily"), Ok(86_400));
        assert_eq!(expected_interval_secs("@midnight"), Ok(86_400));
        assert_eq!(expected_interval_secs("@hourly"), Ok(3600));
        assert_eq!(expected_interval_secs("@weekly"), Ok(7 * 86_400));
        assert_eq!(expected_interval_secs("@monthly"), Ok(28 * 86_400));
        assert_eq!(expected_interval_secs("* * * * *"), Ok(60));
        // Lists and ranges: the smallest gap counts (02:00 and 14:00 → 12 h).
        assert_eq!(expected_interval_secs("0 2,14 * * *"), Ok(43_200));
        assert_eq!(expected_interval_secs("30 1 * * 1-5"), Ok(86_400));
        assert_eq!(expected_interval_secs("0 3 * * SAT"), Ok(7 * 86_400));
        assert_eq!(expected_interval_secs("0 0-12/6 * * *"), Ok(21_600));
        assert_eq!(expected_interval_secs("5/20 * * * *"), Ok(1200));
        assert_eq!(
            expected_interval_secs("CRON_TZ=Europe/Berlin 0 2 * * *"),
            Ok(86_400)
        );
        for garbage in [
            "",
            "banana",
            "0 2 * *",
            "61 * * * *",
            "*/0 * * * *",
            "@every",
            "@every soon",
            "@fortnightly",
            "0 2 * * * *",
        ] {
            let e = expected_interval_secs(garbage);
            assert!(
                e.as_ref().is_err_and(|m| !m.is_empty()),
                "{garbage:?}: {e:?}"
            );
        }
        assert!(expected_interval_secs("banana").is_err_and(|e| e.contains("5-field")));
    }

    fn backup(name: &str, schedule: &str, phase: &str, done: &str) -> Value {
        json!({
            "metadata": {"name": name, "labels": {"velero.io/schedule-name": schedule},
                         "creationTimestamp": done},
            "spec": {"storageLocation": "default"},
            "status": {"phase": phase, "startTimestamp": done, "completionTimestamp": done,
                       "progress": {"totalItems": 10, "itemsBackedUp": 10}}
        })
    }

    #[test]
    fn last_success_is_the_newest_completed_backup_of_the_schedule() {
        let now = t("2026-11-21T10:00:00Z");
        let schedules = [
            json!({"metadata": {"name": "nightly"}, "spec": {"schedule": "0 2 * * *"}}),
            json!({"metadata": {"name": "hourly"}, "spec": {"schedule": "@every 1h", "paused": true}}),
            json!({"metadata": {"name": "broken"}, "spec": {"schedule": "every day"}}),
            json!({"spec": {"schedule": "nameless"}}),
        ];
        let backups = [
            backup("nightly-2", "nightly", "Failed", "2026-11-21T02:10:00Z"),
            backup("nightly-1", "nightly", "Completed", "2026-11-20T02:10:00Z"),
            backup("nightly-0", "nightly", "Completed", "2026-11-19T02:10:00Z"),
            json!("not an object"),
        ];
        let snap = VeleroSnapshot::from_objects(&schedules, &backups, &[], &[], now);
        assert_eq!(snap.schedules.len(), 3);
        let nightly = snap.schedules.iter().find(|s| s.name == "nightly").unwrap();
        assert_eq!(nightly.last_success, Some(t("2026-11-20T02:10:00Z")));
        // 31h50m since the last success, interval 24h → late (under 36h).
        assert_eq!(nightly.rpo, RpoStatus::Late);
        let broken = snap.schedules.iter().find(|s| s.name == "broken").unwrap();
        assert_eq!(broken.rpo, RpoStatus::NeverSucceeded);
        assert!(broken.interval_error.is_some());
        assert_eq!(snap.backups[0].name, "nightly-2", "newest first");
        assert!(snap.backups[0].is_failed());
        assert_eq!(
            snap.worst_schedule().map(|s| s.name.as_str()),
            Some("broken")
        );
    }
}
