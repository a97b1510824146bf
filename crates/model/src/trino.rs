//! Trino as the Trino pane shows it: coordinator info, queue counters, the live query
//! list from `/v1/query` (BasicQueryInfo) with queued queries first, one query's detail
//! lines from `/v1/query/{id}` (QueryInfo), and airlift `Duration`/`DataSize` strings
//! ("42.10s", "12.5kB") parsed to seconds and bytes. Parsing is defensive: a missing or
//! mistyped field becomes `None`, never a panic. Pure; no I/O, no drawing.

use serde_json::Value;

/// airlift `Duration` text ("42.10s", "1.50m", "3.20d", "0.00ns") → seconds.
pub fn parse_duration(s: &str) -> Option<f64> {
    let (value, unit) = split_number(s)?;
    let factor = match unit {
        "ns" => 1e-9,
        "us" | "µs" => 1e-6,
        "ms" => 1e-3,
        "s" => 1.0,
        "m" => 60.0,
        "h" => 3600.0,
        "d" => 86_400.0,
        _ => return None,
    };
    Some(value * factor)
}

/// airlift `DataSize` text ("0B", "12.5kB", "3.20GB", also "KB"/"MiB" forms) → bytes.
/// airlift's units are binary (kB = 1024 B), so every form here is.
pub fn parse_data_size(s: &str) -> Option<f64> {
    let (value, unit) = split_number(s)?;
    let power = match unit {
        "B" => 0,
        "kB" | "KB" | "KiB" => 1,
        "MB" | "MiB" => 2,
        "GB" | "GiB" => 3,
        "TB" | "TiB" => 4,
        "PB" | "PiB" => 5,
        _ => return None,
    };
    Some(value * 1024f64.powi(power))
}

/// "12.5kB" → (12.5, "kB"); the number must be plain decimal and non-negative.
fn split_number(s: &str) -> Option<(f64, &str)> {
    let s = s.trim();
    let end = s.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
    let (num, unit) = s.split_at(end);
    if num.is_empty() || !num.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let value: f64 = num.parse().ok()?;
    Some((value, unit.trim()))
}

/// `/v1/info` (+ `/v1/info/state`).
#[derive(Debug, Clone, PartialEq)]
pub struct TrinoInfo {
    pub version: String,
    pub environment: String,
    pub coordinator: bool,
    pub starting: bool,
    /// airlift Duration text as Trino sent it ("3.20d").
    pub uptime: String,
    /// NodeState from `/v1/info/state` ("ACTIVE", "SHUTTING_DOWN"…).
    pub state: Option<String>,
}

impl TrinoInfo {
    /// From the `/v1/info` JSON; `None` when it is not an object with a version.
    pub fn from_info(v: &Value, state: Option<String>) -> Option<TrinoInfo> {
        let version = v.pointer("/nodeVersion/version").and_then(text)?;
        Some(TrinoInfo {
            version,
            environment: str_at(v, "/environment").unwrap_or_default(),
            coordinator: v
                .get("coordinator")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            starting: v.get("starting").and_then(Value::as_bool).unwrap_or(false),
            uptime: str_at(v, "/uptime").unwrap_or_default(),
            state,
        })
    }
}

/// One query of `/v1/query`.
#[derive(Debug, Clone, PartialEq)]
pub struct TrinoQuery {
    pub id: String,
    pub state: String,
    pub user: String,
    pub source: Option<String>,
    /// Resource group path joined with "." ("global.etl"), as Trino prints it.
    pub resource_group: Option<String>,
    pub queued_secs: Option<f64>,
    pub elapsed_secs: Option<f64>,
    pub memory_bytes: Option<f64>,
    pub query: String,
    pub fully_blocked: bool,
    pub error_code: Option<String>,
}

fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn str_at(v: &Value, pointer: &str) -> Option<String> {
    v.pointer(pointer).and_then(text)
}

/// Trino's ErrorCode is `{"code":…,"name":"USER_CANCELED","type":"USER_ERROR"}`; older or
/// other clients may send just the name.
fn error_code(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::Object(_) => v
            .and_then(|e| e.get("name"))
            .and_then(text)
            .or_else(|| v.and_then(|e| e.get("code")).and_then(text)),
        other => text(other),
    }
}

fn resource_group(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::Array(parts) => {
            let parts: Vec<String> = parts.iter().filter_map(text).collect();
            (!parts.is_empty()).then(|| parts.join("."))
        }
        other => text(other),
    }
}

impl TrinoQuery {
    /// From one BasicQueryInfo element; `None` without a `queryId`.
    pub fn from_basic_info(v: &Value) -> Option<TrinoQuery> {
        let id = str_at(v, "/queryId")?;
        let stats = v.get("queryStats");
        let dur = |k: &str| {
            stats
                .and_then(|s| s.get(k))
                .and_then(Value::as_str)
                .and_then(parse_duration)
        };
        let size = |k: &str| {
            stats
                .and_then(|s| s.get(k))
                .and_then(Value::as_str)
                .and_then(parse_data_size)
        };
        Some(TrinoQuery {
            id,
            state: str_at(v, "/state").unwrap_or_else(|| "UNKNOWN".into()),
            user: str_at(v, "/session/user").unwrap_or_default(),
            source: str_at(v, "/session/source").filter(|s| !s.is_empty()),
            resource_group: resource_group(v.get("resourceGroupId")),
            queued_secs: dur("queuedTime"),
            elapsed_secs: dur("elapsedTime"),
            memory_bytes: size("totalMemoryReservation").or_else(|| size("userMemoryReservation")),
            query: str_at(v, "/query").unwrap_or_default(),
            fully_blocked: stats
                .and_then(|s| s.get("fullyBlocked"))
                .and_then(Value::as_bool)
                .unwrap_or(false),
            error_code: error_code(v.get("errorCode")),
        })
    }

    pub fn is_queued(&self) -> bool {
        matches!(self.state.as_str(), "QUEUED" | "WAITING_FOR_RESOURCES")
    }

    pub fn is_done(&self) -> bool {
        matches!(self.state.as_str(), "FINISHED" | "FAILED")
    }

    /// Running and fully blocked (what Trino's UI counts as blocked).
    pub fn is_blocked(&self) -> bool {
        self.state == "RUNNING" && self.fully_blocked
    }

    /// The query text on one line (whitespace runs collapsed).
    pub fn one_line(&self) -> String {
        self.query.split_whitespace().collect::<Vec<_>>().join(" ")
    }
}

/// Queued first (longest waiting first), then running by elapsed time (longest first),
/// then finished/failed (newest id first).
pub fn sort_queries(q: &mut [TrinoQuery]) {
    let class = |q: &TrinoQuery| {
        if q.is_queued() {
            0
        } else if q.is_done() {
            2
        } else {
            1
        }
    };
    let num = |v: Option<f64>| v.filter(|x| !x.is_nan()).unwrap_or(f64::NEG_INFINITY);
    q.sort_by(|a, b| {
        class(a)
            .cmp(&class(b))
            .then_with(|| match class(a) {
                0 => num(b.queued_secs).total_cmp(&num(a.queued_secs)),
                1 => num(b.elapsed_secs).total_cmp(&num(a.elapsed_secs)),
                _ => b.id.cmp(&a.id),
            })
            .then_with(|| a.id.cmp(&b.id))
    });
}

/// What the Trino pane and its overview block show.
#[derive(Debug, Clone, PartialEq)]
pub struct TrinoSummary {
    pub info: Option<TrinoInfo>,
    pub active_nodes: Option<f64>,
    pub running: Option<u64>,
    pub queued: Option<u64>,
    pub blocked: Option<u64>,
    /// Sorted with [`sort_queries`].
    pub queries: Vec<TrinoQuery>,
    /// Why the query list could not be read (401/403 explained), if it could not.
    pub queries_error: Option<String>,
}

impl TrinoSummary {
    /// Running / queued / blocked counted from the query list (used when no metric
    /// gives them).
    pub fn counts_from_queries(queries: &[TrinoQuery]) -> (u64, u64, u64) {
        let running = queries
            .iter()
            .filter(|q| q.state == "RUNNING" && !q.fully_blocked)
            .count() as u64;
        let queued = queries.iter().filter(|q| q.is_queued()).count() as u64;
        let blocked = queries.iter().filter(|q| q.is_blocked()).count() as u64;
        (running, queued, blocked)
    }

    /// Active workers: the active node count less the coordinator.
    pub fn workers(&self) -> Option<f64> {
        self.active_nodes.map(|n| (n - 1.0).max(0.0))
    }
}

/// One query's detail (`GET /v1/query/{id}`) as display lines.
#[derive(Debug, Clone, PartialEq)]
pub struct TrinoQueryDetail {
    pub id: String,
    pub lines: Vec<String>,
}

impl TrinoQueryDetail {
    /// From a QueryInfo JSON; fields that are missing are left out.
    pub fn from_query_info(v: &Value) -> TrinoQueryDetail {
        let id = str_at(v, "/queryId").unwrap_or_default();
        let mut lines = Vec::new();
        let mut field = |label: &str, value: Option<String>| {
            if let Some(value) = value.filter(|s| !s.is_empty()) {
                lines.push(format!("{label:<16}{value}"));
            }
        };
        let stat = |k: &str| str_at(v, &format!("/queryStats/{k}"));
        let dur = |k: &str| {
            stat(k).map(|raw| match parse_duration(&raw) {
                Some(secs) => format!("{} ({raw})", super::number::secs(Some(secs))),
                None => raw,
            })
        };
        let size = |k: &str| {
            stat(k).map(|raw| match parse_data_size(&raw) {
                Some(b) => super::number::bytes(Some(b)),
                None => raw,
            })
        };
        field("Query ID:", Some(id.clone()));
        field("State:", str_at(v, "/state"));
        field("User:", str_at(v, "/session/user"));
        field("Source:", str_at(v, "/session/source"));
        field(
            "Catalog/schema:",
            match (str_at(v, "/session/catalog"), str_at(v, "/session/schema")) {
                (Some(c), Some(s)) => Some(format!("{c}.{s}")),
                (c, s) => c.or(s),
            },
        );
        field("Resource group:", resource_group(v.get("resourceGroupId")));
        field("Query type:", str_at(v, "/queryType"));
        field("Created:", stat("createTime"));
        field("Ended:", stat("endTime"));
        field("Queued:", dur("queuedTime"));
        field("Elapsed:", dur("elapsedTime"));
        field("Execution:", dur("executionTime"));
        field("CPU:", dur("totalCpuTime"));
        field("Memory:", size("totalMemoryReservation"));
        field("Peak memory:", size("peakTotalMemoryReservation"));
        field("Input:", size("rawInputDataSize"));
        field("Progress:", {
            v.pointer("/queryStats/progressPercentage")
                .and_then(Value::as_f64)
                .map(|p| format!("{p:.0}%"))
        });
        field(
            "Blocked:",
            v.pointer("/queryStats/fullyBlocked")
                .and_then(Value::as_bool)
                .filter(|b| *b)
                .map(|_| {
                    let reasons: Vec<String> = v
                        .pointer("/queryStats/blockedReasons")
                        .and_then(Value::as_array)
                        .map(|a| a.iter().filter_map(text).collect())
                        .unwrap_or_default();
                    if reasons.is_empty() {
                        "fully blocked".to_string()
                    } else {
                        format!("fully blocked ({})", reasons.join(", "))
                    }
                }),
        );
        field("Error type:", str_at(v, "/errorType"));
        field("Error code:", error_code(v.get("errorCode")));
        field(
            "Failure:",
            str_at(v, "/failureInfo/message").or_else(|| str_at(v, "/failureInfo/type")),
        );
        if let Some(q) = str_at(v, "/query") {
            lines.push(String::new());
            lines.push("Query:".into());
            lines.extend(q.lines().map(|l| format!("  {l}")));
        }
        TrinoQueryDetail { id, lines }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // hand-written fixtures; a bad one should fail loudly
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn airlift_durations() {
        assert_eq!(parse_duration("42.10s"), Some(42.1));
        assert_eq!(parse_duration("1.50m"), Some(90.0));
        assert_eq!(parse_duration("3.20d"), Some(3.2 * 86_400.0));
        assert_eq!(parse_duration("0.00ns"), Some(0.0));
        assert_eq!(parse_duration("250.00ms"), Some(0.25));
        assert_eq!(parse_duration(" 2h "), Some(7200.0));
        for bad in ["", "s", "42", "42x", "-1s", "NaNs", "4 2s", "1.2.3s", ".5s"] {
            assert_eq!(parse_duration(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn airlift_data_sizes() {
        assert_eq!(parse_data_size("0B"), Some(0.0));
        assert_eq!(parse_data_size("12.5kB"), Some(12.5 * 1024.0));
        assert_eq!(parse_data_size("12.5KB"), Some(12.5 * 1024.0));
        assert_eq!(
            parse_data_size("3.20GB"),
            Some(3.2 * 1024.0 * 1024.0 * 1024.0)
        );
        assert_eq!(parse_data_size("1.2MiB"), Some(1.2 * 1024.0 * 1024.0));
        for bad in ["", "GB", "12", "12xB", "-3GB", "<html>"] {
            assert_eq!(parse_data_size(bad), None, "{bad:?}");
        }
    }

    fn basic(id: &str, state: &str, queued: &str, elapsed: &str) -> Value {
        json!({
            "queryId": id,
            "session": {"user": "etl", "source": "airflow"},
            "resourceGroupId": ["global", "etl"],
            "state": state,
            "query": "INSERT INTO silver.orders\n  SELECT *   FROM bronze.orders",
            "errorCode": null,
            "queryStats": {"queuedTime": queued, "elapsedTime": elapsed,
                "totalMemoryReservation": "1.50GB", "fullyBlocked": false}
        })
    }

    #[test]
    fn basic_query_info_parses_and_degrades() {
        let q = TrinoQuery::from_basic_info(&basic("q1", "QUEUED", "42.10s", "42.30s")).unwrap();
        assert_eq!(q.user, "etl");
        assert_eq!(q.source.as_deref(), Some("airflow"));
        assert_eq!(q.resource_group.as_deref(), Some("global.etl"));
        assert_eq!(q.queued_secs, Some(42.1));
        assert_eq!(q.memory_bytes, Some(1.5 * 1024.0 * 1024.0 * 1024.0));
        assert_eq!(
            q.one_line(),
            "INSERT INTO silver.orders SELECT * FROM bronze.orders"
        );
        // Mistyped fields degrade to None instead of failing the whole row.
        let odd =
            json!({"queryId": "q2", "state": 7, "session": [], "queryStats": {"queuedTime": 3}});
        let q = TrinoQuery::from_basic_info(&odd).unwrap();
        assert_eq!((q.state.as_str(), q.queued_secs), ("7", None));
        assert_eq!(
            TrinoQuery::from_basic_info(&json!({"state": "RUNNING"})),
            None
        );
        assert_eq!(TrinoQuery::from_basic_info(&json!("garbage")), None);
        let failed = json!({"queryId": "q3", "state": "FAILED",
            "errorCode": {"code": 3, "name": "USER_CANCELED", "type": "USER_ERROR"}});
        assert_eq!(
            TrinoQuery::from_basic_info(&failed)
                .unwrap()
                .error_code
                .as_deref(),
            Some("USER_CANCELED")
        );
    }

    #[test]
    fn queued_queries_first() {
        let mut qs: Vec<TrinoQuery> = [
            basic("a-done", "FINISHED", "0.00ns", "5.00s"),
            basic("b-run-short", "RUNNING", "1.00s", "10.00s"),
            basic("c-queued-short", "QUEUED", "5.00s", "5.00s"),
            basic("d-run-long", "RUNNING", "1.00s", "10.00m"),
            basic("e-waiting-long", "WAITING_FOR_RESOURCES", "3.00m", "3.00m"),
            basic("f-planning", "PLANNING", "0.00ns", "1.00s"),
        ]
        .iter()
        .filter_map(TrinoQuery::from_basic_info)
        .collect();
        sort_queries(&mut qs);
        let ids: Vec<_> = qs.iter().map(|q| q.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "e-waiting-long",
                "c-queued-short",
                "d-run-long",
                "b-run-short",
                "f-planning",
                "a-done"
            ]
        );
        assert_eq!(TrinoSummary::counts_from_queries(&qs), (2, 2, 0));
    }

    #[test]
    fn query_detail_lines() {
        let mut v = basic("q9", "FAILED", "1.00s", "2.00m");
        v["errorType"] = json!("USER_ERROR");
        v["failureInfo"] =
            json!({"type": "io.trino.spi.TrinoException", "message": "Query killed"});
        let d = TrinoQueryDetail::from_query_info(&v);
        assert_eq!(d.id, "q9");
        assert!(
            d.lines
                .iter()
                .any(|l| l.starts_with("State:") && l.ends_with("FAILED"))
        );
        assert!(d.lines.iter().any(|l| l.contains("Query killed")));
        assert!(d.lines.iter().any(|l| l.contains("2m (2.00m)")));
        assert!(d.lines.iter().any(|l| l == "  INSERT INTO silver.orders"));
        let empty = TrinoQueryDetail::from_query_info(&json!(null));
        assert!(empty.lines.is_empty());
    }
}
