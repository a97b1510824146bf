//! Alerts as the Alerts pane shows them: rows from Alertmanager API v2 (`gettableAlert`)
//! or, without an Alertmanager, Prometheus `/api/v1/alerts`; grouped by alertname,
//! severity-ordered (critical > warning > info > other), firing before suppressed,
//! oldest first; silences (read only); and which pane an alert concerns. Parsing is
//! defensive: a row without an alertname is skipped, other missing fields become
//! `None`. Pure; no I/O, no drawing.

use jiff::Timestamp;
use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
pub enum AlertState {
    Firing,
    Pending,
    /// Silenced and/or inhibited (Alertmanager "suppressed").
    Suppressed {
        silenced_by: Vec<String>,
        inhibited_by: Vec<String>,
    },
    Unprocessed,
}

impl AlertState {
    /// "firing", "pending", "suppressed (silenced)", "suppressed (inhibited)", …
    pub fn label(&self) -> String {
        match self {
            AlertState::Firing => "firing".into(),
            AlertState::Pending => "pending".into(),
            AlertState::Unprocessed => "unprocessed".into(),
            AlertState::Suppressed {
                silenced_by,
                inhibited_by,
            } => {
                let why = match (silenced_by.is_empty(), inhibited_by.is_empty()) {
                    (false, false) => "silenced+inhibited",
                    (false, true) => "silenced",
                    (true, false) => "inhibited",
                    (true, true) => "muted",
                };
                format!("suppressed ({why})")
            }
        }
    }

    /// One word: "firing", "pending", "silenced", "inhibited", "unprocessed".
    pub fn short_label(&self) -> &'static str {
        match self {
            AlertState::Firing => "firing",
            AlertState::Pending => "pending",
            AlertState::Unprocessed => "unprocessed",
            AlertState::Suppressed { silenced_by, .. } if !silenced_by.is_empty() => "silenced",
            AlertState::Suppressed { inhibited_by, .. } if !inhibited_by.is_empty() => "inhibited",
            AlertState::Suppressed { .. } => "suppressed",
        }
    }

    fn rank(&self) -> u8 {
        match self {
            AlertState::Firing => 0,
            AlertState::Pending => 1,
            AlertState::Unprocessed => 2,
            AlertState::Suppressed { .. } => 3,
        }
    }

    pub fn is_firing(&self) -> bool {
        matches!(self, AlertState::Firing)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct AlertRow {
    pub name: String,
    pub severity: String,
    pub state: AlertState,
    pub since: Option<Timestamp>,
    /// Labels other than alertname and severity, sorted by name.
    pub labels: Vec<(String, String)>,
    pub summary: Option<String>,
    /// The `runbook` annotation (a lakedeck runbook name), or a runbook URL.
    pub runbook: Option<String>,
    pub fingerprint: String,
}

fn str_at(v: &Value, pointer: &str) -> Option<String> {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .map(str::to_string)
        .filter(|s| !s.is_empty())
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// An alert's identity from its labels: alertname, severity, and the other labels.
struct Labels {
    name: String,
    severity: String,
    rest: Vec<(String, String)>,
}

/// `None` without an alertname.
fn split_labels(v: &Value) -> Option<Labels> {
    let labels = v.get("labels")?.as_object()?;
    let name = labels.get("alertname")?.as_str()?.to_string();
    let severity = labels
        .get("severity")
        .and_then(Value::as_str)
        .unwrap_or("none")
        .to_string();
    let mut rest: Vec<(String, String)> = labels
        .iter()
        .filter(|(k, _)| *k != "alertname" && *k != "severity")
        .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string())))
        .collect();
    rest.sort();
    Some(Labels {
        name,
        severity,
        rest,
    })
}

fn annotations(v: &Value) -> (Option<String>, Option<String>) {
    let summary =
        str_at(v, "/annotations/summary").or_else(|| str_at(v, "/annotations/description"));
    let runbook =
        str_at(v, "/annotations/runbook").or_else(|| str_at(v, "/annotations/runbook_url"));
    (summary, runbook)
}

/// A stable fingerprint for sources that send none (Prometheus): FNV-1a over the sorted
/// labels, as 16 hex digits.
fn fingerprint(v: &Value) -> String {
    let mut pairs: Vec<(String, String)> = v
        .get("labels")
        .and_then(Value::as_object)
        .map(|o| {
            o.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                .collect()
        })
        .unwrap_or_default();
    pairs.sort();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for (k, v) in pairs {
        for byte in k.bytes().chain([0xff]).chain(v.bytes()).chain([0xfe]) {
            h ^= u64::from(byte);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

impl AlertRow {
    /// From an Alertmanager v2 `gettableAlert`.
    pub fn from_alertmanager(v: &Value) -> Option<AlertRow> {
        let Labels {
            name,
            severity,
            rest: labels,
        } = split_labels(v)?;
        let state = match v.pointer("/status/state").and_then(Value::as_str) {
            Some("suppressed") => AlertState::Suppressed {
                silenced_by: strings(v.pointer("/status/silencedBy")),
                inhibited_by: strings(v.pointer("/status/inhibitedBy")),
            },
            Some("unprocessed") => AlertState::Unprocessed,
            _ => AlertState::Firing,
        };
        let (summary, runbook) = annotations(v);
        Some(AlertRow {
            name,
            severity,
            state,
            since: str_at(v, "/startsAt").and_then(|t| t.parse().ok()),
            labels,
            summary,
            runbook,
            fingerprint: str_at(v, "/fingerprint").unwrap_or_else(|| fingerprint(v)),
        })
    }

    /// From a Prometheus `/api/v1/alerts` alert (state firing or pending).
    pub fn from_prometheus(v: &Value) -> Option<AlertRow> {
        let Labels {
            name,
            severity,
            rest: labels,
        } = split_labels(v)?;
        let state = match v.get("state").and_then(Value::as_str) {
            Some("pending") => AlertState::Pending,
            _ => AlertState::Firing,
        };
        let (summary, runbook) = annotations(v);
        Some(AlertRow {
            name,
            severity,
            state,
            since: str_at(v, "/activeAt").and_then(|t| t.parse().ok()),
            labels,
            summary,
            runbook,
            fingerprint: fingerprint(v),
        })
    }

    pub fn label(&self, name: &str) -> Option<&str> {
        self.labels
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// critical > warning > info > anything else.
pub fn severity_rank(severity: &str) -> u8 {
    match severity.to_ascii_lowercase().as_str() {
        "critical" | "page" => 0,
        "warning" => 1,
        "info" => 2,
        _ => 3,
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct AlertGroup {
    pub name: String,
    /// The worst severity among its alerts.
    pub severity: String,
    pub alerts: Vec<AlertRow>,
}

impl AlertGroup {
    pub fn firing(&self) -> usize {
        self.alerts.iter().filter(|a| a.state.is_firing()).count()
    }
}

/// Groups by alertname. Groups: worst severity first, then groups with a firing alert
/// before those with none, then the oldest alert first, then name. Inside a group:
/// firing, pending, unprocessed, suppressed; then severity; then oldest first.
pub fn group(alerts: Vec<AlertRow>) -> Vec<AlertGroup> {
    let mut groups: Vec<AlertGroup> = Vec::new();
    for a in alerts {
        match groups.iter_mut().find(|g| g.name == a.name) {
            Some(g) => g.alerts.push(a),
            None => groups.push(AlertGroup {
                name: a.name.clone(),
                severity: String::new(),
                alerts: vec![a],
            }),
        }
    }
    let since = |a: &AlertRow| a.since.unwrap_or(Timestamp::MAX);
    for g in &mut groups {
        g.alerts.sort_by(|a, b| {
            a.state
                .rank()
                .cmp(&b.state.rank())
                .then_with(|| severity_rank(&a.severity).cmp(&severity_rank(&b.severity)))
                .then_with(|| since(a).cmp(&since(b)))
                .then_with(|| a.fingerprint.cmp(&b.fingerprint))
        });
        g.severity = g
            .alerts
            .iter()
            .min_by_key(|a| severity_rank(&a.severity))
            .map(|a| a.severity.clone())
            .unwrap_or_default();
    }
    let key = |g: &AlertGroup| {
        (
            severity_rank(&g.severity),
            g.alerts.iter().map(|a| a.state.rank()).min().unwrap_or(9),
            g.alerts.iter().map(since).min().unwrap_or(Timestamp::MAX),
        )
    };
    groups.sort_by(|a, b| key(a).cmp(&key(b)).then_with(|| a.name.cmp(&b.name)));
    groups
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertOrigin {
    Alertmanager,
    /// Prometheus `/api/v1/alerts` (no Alertmanager configured): no silences.
    Prometheus,
}

impl AlertOrigin {
    pub fn label(&self) -> &'static str {
        match self {
            AlertOrigin::Alertmanager => "Alertmanager",
            AlertOrigin::Prometheus => "Prometheus (no Alertmanager configured)",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct SilenceRow {
    pub id: String,
    /// `alertname="X", namespace=~"lake|dev"` as amtool prints them.
    pub matchers: String,
    pub state: String,
    pub starts: Option<Timestamp>,
    pub ends: Option<Timestamp>,
    pub created_by: String,
    pub comment: String,
}

impl SilenceRow {
    /// From an Alertmanager v2 `gettableSilence`; `None` without an id.
    pub fn from_alertmanager(v: &Value) -> Option<SilenceRow> {
        let id = str_at(v, "/id")?;
        let matchers: Vec<String> = v
            .get("matchers")
            .and_then(Value::as_array)
            .map(|ms| {
                ms.iter()
                    .filter_map(|m| {
                        let name = m.get("name")?.as_str()?;
                        let value = m.get("value").and_then(Value::as_str).unwrap_or_default();
                        let regex = m.get("isRegex").and_then(Value::as_bool).unwrap_or(false);
                        let equal = m.get("isEqual").and_then(Value::as_bool).unwrap_or(true);
                        let op = match (equal, regex) {
                            (true, false) => "=",
                            (true, true) => "=~",
                            (false, false) => "!=",
                            (false, true) => "!~",
                        };
                        Some(format!("{name}{op}{value:?}"))
                    })
                    .collect()
            })
            .unwrap_or_default();
        Some(SilenceRow {
            id,
            matchers: matchers.join(", "),
            state: str_at(v, "/status/state").unwrap_or_else(|| "unknown".into()),
            starts: str_at(v, "/startsAt").and_then(|t| t.parse().ok()),
            ends: str_at(v, "/endsAt").and_then(|t| t.parse().ok()),
            created_by: str_at(v, "/createdBy").unwrap_or_default(),
            comment: str_at(v, "/comment").unwrap_or_default(),
        })
    }
}

/// Active first, then pending, then expired; then by end time (soonest first).
pub fn sort_silences(s: &mut [SilenceRow]) {
    let rank = |r: &SilenceRow| match r.state.as_str() {
        "active" => 0,
        "pending" => 1,
        _ => 2,
    };
    s.sort_by(|a, b| {
        rank(a)
            .cmp(&rank(b))
            .then_with(|| a.ends.cmp(&b.ends))
            .then_with(|| a.id.cmp(&b.id))
    });
}

#[derive(Debug, Clone, PartialEq)]
pub struct AlertsSnapshot {
    pub origin: AlertOrigin,
    pub alerts: Vec<AlertRow>,
    pub silences: Vec<SilenceRow>,
}

impl AlertsSnapshot {
    /// Firing alerts per severity rank: [critical, warning, info, other].
    pub fn firing_by_severity(&self) -> [usize; 4] {
        let mut out = [0; 4];
        for a in self.alerts.iter().filter(|a| a.state.is_firing()) {
            out[severity_rank(&a.severity) as usize] += 1;
        }
        out
    }
}

/// The pane an alert is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Concern {
    Minio,
    Trino,
    Kafka,
    Velero,
    Nodes,
    Pods,
}

impl Concern {
    pub fn label(&self) -> &'static str {
        match self {
            Concern::Minio => "MinIO",
            Concern::Trino => "Trino",
            Concern::Kafka => "Kafka",
            Concern::Velero => "Velero",
            Concern::Nodes => "nodes",
            Concern::Pods => "pods",
        }
    }
}

/// The `lakedeck_pane` label if present, else by alertname prefix.
pub fn concern(alert: &AlertRow) -> Option<Concern> {
    if let Some(pane) = alert.label("lakedeck_pane") {
        let by_label = match pane.to_ascii_lowercase().as_str() {
            "minio" => Some(Concern::Minio),
            "trino" => Some(Concern::Trino),
            "kafka" => Some(Concern::Kafka),
            "velero" => Some(Concern::Velero),
            "nodes" | "node" => Some(Concern::Nodes),
            "pods" | "pod" => Some(Concern::Pods),
            _ => None,
        };
        if by_label.is_some() {
            return by_label;
        }
    }
    let n = alert.name.as_str();
    [
        ("Minio", Concern::Minio),
        ("MinIO", Concern::Minio),
        ("Trino", Concern::Trino),
        ("Kafka", Concern::Kafka),
        ("Velero", Concern::Velero),
        ("KubeNode", Concern::Nodes),
        ("KubePod", Concern::Pods),
    ]
    .into_iter()
    .find(|(prefix, _)| n.starts_with(prefix))
    .map(|(_, c)| c)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // hand-written fixtures; a bad one should fail loudly
mod tests {
    use super::*;
    use serde_json::json;

    fn am(name: &str, severity: &str, state: &str, starts: &str, fp: &str) -> Value {
        json!({
            "labels": {"alertname": name, "severity": severity, "namespace": "lake"},
            "annotations": {"summary": format!("{name} summary"), "runbook": "trino-scale-up"},
            "startsAt": starts, "endsAt": "2026-11-21T11:00:00Z", "updatedAt": starts,
            "fingerprint": fp, "receivers": [{"name": "pager"}],
            "status": {"state": state, "silencedBy": if state == "suppressed" { json!(["s-1"]) } else { json!([]) },
                       "inhibitedBy": [], "mutedBy": []}
        })
    }

    #[test]
    fn alertmanager_rows_parse_and_skip_garbage() {
        let a = AlertRow::from_alertmanager(&am(
            "TrinoQueueHigh",
            "warning",
            "suppressed",
            "2026-11-21T09:00:00Z",
            "ab",
        ))
        .unwrap();
        assert_eq!(a.state.label(), "suppressed (silenced)");
        assert_eq!(a.labels, vec![("namespace".into(), "lake".into())]);
        assert_eq!(a.runbook.as_deref(), Some("trino-scale-up"));
        assert_eq!(a.since, Some("2026-11-21T09:00:00Z".parse().unwrap()));
        assert_eq!(AlertRow::from_alertmanager(&json!({"labels": {}})), None);
        assert_eq!(AlertRow::from_alertmanager(&json!([1, 2])), None);
        let p = AlertRow::from_prometheus(&json!({
            "labels": {"alertname": "KubeNodeNotReady", "severity": "critical", "node": "n1"},
            "annotations": {}, "state": "pending", "activeAt": "2026-11-21T09:59:00Z", "value": "1e+00"
        }))
        .unwrap();
        assert_eq!(p.state, AlertState::Pending);
        assert_eq!(p.fingerprint.len(), 16);
        assert_eq!(concern(&p), Some(Concern::Nodes));
    }

    #[test]
    fn grouped_by_severity_firing_before_suppressed_oldest_first() {
        let rows: Vec<AlertRow> = [
            am(
                "VeleroBackupMissed",
                "warning",
                "active",
                "2026-11-21T08:00:00Z",
                "v1",
            ),
            am(
                "TrinoQueueHigh",
                "info",
                "active",
                "2026-11-21T07:00:00Z",
                "t0",
            ),
            am(
                "MinioDriveOffline",
                "critical",
                "suppressed",
                "2026-11-21T06:00:00Z",
                "m0",
            ),
            am(
                "MinioDriveOffline",
                "critical",
                "active",
                "2026-11-21T09:30:00Z",
                "m2",
            ),
            am(
                "MinioDriveOffline",
                "critical",
                "active",
                "2026-11-21T09:00:00Z",
                "m1",
            ),
            am(
                "KafkaConsumerLagHigh",
                "warning",
                "suppressed",
                "2026-11-21T05:00:00Z",
                "k0",
            ),
            am("Custom", "whatever", "active", "2026-11-21T01:00:00Z", "c0"),
        ]
        .iter()
        .filter_map(AlertRow::from_alertmanager)
        .collect();
        let groups = group(rows);
        let names: Vec<_> = groups.iter().map(|g| g.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "MinioDriveOffline",
                "VeleroBackupMissed",
                "KafkaConsumerLagHigh",
                "TrinoQueueHigh",
                "Custom"
            ]
        );
        let minio: Vec<_> = groups[0]
            .alerts
            .iter()
            .map(|a| a.fingerprint.as_str())
            .collect();
        assert_eq!(
            minio,
            ["m1", "m2", "m0"],
            "firing oldest first, then suppressed"
        );
        assert_eq!(groups[0].firing(), 2);
    }

    #[test]
    fn concern_by_label_then_by_name() {
        let mut a =
            AlertRow::from_alertmanager(&am("TrinoQueueHigh", "warning", "active", "", "x"))
                .unwrap();
        assert_eq!(concern(&a), Some(Concern::Trino));
        a.labels.push(("lakedeck_pane".into(), "pods".into()));
        assert_eq!(concern(&a), Some(Concern::Pods));
        a.labels.clear();
        a.name = "KubePodCrashLooping".into();
        assert_eq!(concern(&a), Some(Concern::Pods));
        a.name = "Watchdog".into();
        assert_eq!(concern(&a), None);
    }

    #[test]
    fn silences_render_matchers_like_amtool() {
        let s = SilenceRow::from_alertmanager(&json!({
            "id": "9b0e", "status": {"state": "active"},
            "matchers": [{"name": "alertname", "value": "MinioDiskOffline", "isRegex": false, "isEqual": true},
                         {"name": "namespace", "value": "lake|lake-dev", "isRegex": true},
                         {"name": "pod", "value": "x", "isRegex": false, "isEqual": false}],
            "startsAt": "2026-11-21T09:00:00Z", "endsAt": "2026-11-21T11:00:00Z",
            "createdBy": "alice", "comment": "disk swap"
        }))
        .unwrap();
        assert_eq!(
            s.matchers,
            r#"alertname="MinioDiskOffline", namespace=~"lake|lake-dev", pod!="x""#
        );
        assert_eq!(
            SilenceRow::from_alertmanager(&json!({"matchers": []})),
            None
        );
    }
}
