//! The audit log: one JSON object per line in `<data dir>/audit.jsonl`, appended and
//! fsync'd per record, never rewritten. `ops/` writes a record before and after every
//! write (and one for every dry run or refusal); `lakedeck audit` reads and filters it.
//!
//! Owns the record format, the data directory's location and the reading side. Must not
//! hold secret values: callers pass parameters that never contain them, and this module
//! writes exactly what it is given.

use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// Environment variable naming the data directory (the `--data-dir` flag wins).
pub const DATA_DIR_ENV: &str = "LAKEDECK_DATA_DIR";

/// Where lakedeck keeps its audit log, run states and drill reports: `--data-dir`, then
/// `LAKEDECK_DATA_DIR`, then the platform's data directory (~/.local/share/lakedeck).
pub fn data_dir(flag: Option<&Path>) -> Result<PathBuf, String> {
    if let Some(dir) = flag {
        return Ok(dir.to_path_buf());
    }
    if let Some(dir) = std::env::var_os(DATA_DIR_ENV).filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    directories::ProjectDirs::from("", "", "lakedeck")
        .map(|d| d.data_dir().to_path_buf())
        .ok_or_else(|| {
            "cannot tell where to keep the audit log (no home directory) — pass --data-dir DIR"
                .to_string()
        })
}

/// Which part of an operation a record describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Phase {
    /// Written just before the write is sent.
    Before,
    /// Written when the write (or dry run) has answered.
    After,
    /// The operation was refused before anything was sent (read-only, RBAC, validation).
    Refused,
}

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditRecord {
    pub time: Timestamp,
    /// The Kubernetes identity the cluster knows us as (SelfSubjectReview), or
    /// `unknown` when the cluster could not say — never an error message.
    pub identity: String,
    /// Why `identity` is `unknown` (the review's failure), kept apart from the name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_unknown: Option<String>,
    /// The kubeconfig user entry the context authenticates with (what lakedeck sent,
    /// whatever the cluster made of it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kubeconfig_user: Option<String>,
    pub context: String,
    /// The operation's name, e.g. `scale`.
    pub op: String,
    /// What it acts on, e.g. `statefulset trino/trino-worker`.
    pub target: String,
    /// The operation's parameters. Never secret values.
    pub params: serde_json::Value,
    pub dry_run: bool,
    pub phase: Phase,
    /// `started`, `ok: …`, `failed: …` or `refused: …`.
    pub outcome: String,
    /// The runbook run this was part of, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run: Option<String>,
}

/// The append-only log. Cheap to clone; appends are serialised within the process and
/// each is one `write` of a whole line on an `O_APPEND` file, so concurrent lakedeck
/// processes do not interleave records.
#[derive(Debug, Clone)]
pub struct AuditLog {
    path: PathBuf,
    lock: Arc<Mutex<()>>,
}

impl AuditLog {
    pub fn in_dir(data_dir: &Path) -> AuditLog {
        AuditLog {
            path: data_dir.join("audit.jsonl"),
            lock: Arc::new(Mutex::new(())),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one record and waits until it is on disk.
    pub fn append(&self, record: &AuditRecord) -> Result<(), String> {
        let mut line = serde_json::to_vec(record)
            .map_err(|e| format!("cannot encode an audit record: {e}"))?;
        line.push(b'\n');
        let _guard = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        let fail = |e: std::io::Error| {
            format!(
                "cannot write the audit log {}: {e} — fix its directory's permissions or pass --data-dir",
                self.path.display()
            )
        };
        if let Some(dir) = self.path.parent() {
            crate::private_fs::create_dir_all(dir).map_err(fail)?;
        }
        let mut file = crate::private_fs::open_append(&self.path).map_err(fail)?;
        if ends_torn(&file).map_err(fail)? {
            // The last write was cut short (a crash, a full disk): start a new line so
            // this record is not glued onto the fragment and lost with it.
            line.insert(0, b'\n');
        }
        file.write_all(&line).map_err(fail)?;
        file.sync_data().map_err(fail)
    }

    /// Every record, oldest first. Lines that do not parse (a torn last line after a
    /// crash, a hand edit) are reported by line number instead of aborting the read.
    pub fn read(&self) -> Result<(Vec<AuditRecord>, Vec<String>), String> {
        let file = match File::open(&self.path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok((Vec::new(), Vec::new()));
            }
            Err(e) => return Err(format!("cannot read {}: {e}", self.path.display())),
        };
        let mut records = Vec::new();
        let mut problems = Vec::new();
        for (i, line) in BufReader::new(file).lines().enumerate() {
            let line = line.map_err(|e| format!("cannot read {}: {e}", self.path.display()))?;
            if line.trim().is_empty() {
                continue;
            }
            match serde_json::from_str::<AuditRecord>(&line) {
                Ok(r) => records.push(r),
                Err(e) if e.is_eof() => problems.push(format!(
                    "{}:{}: a torn record ({} bytes, cut short by a crash or a full disk; the records after it are intact): {e}",
                    self.path.display(),
                    i + 1,
                    line.len()
                )),
                Err(e) => problems.push(format!("{}:{}: {e}", self.path.display(), i + 1)),
            }
        }
        Ok((records, problems))
    }
}

/// Whether the file's last byte is not a newline (a record whose write was cut short).
fn ends_torn(file: &File) -> std::io::Result<bool> {
    let len = file.metadata()?.len();
    if len == 0 {
        return Ok(false);
    }
    let mut last = [0u8; 1];
    #[cfg(unix)]
    std::os::unix::fs::FileExt::read_exact_at(file, &mut last, len - 1)?;
    #[cfg(not(unix))]
    {
        use std::io::{Read, Seek, SeekFrom};
        let mut f = file;
        f.seek(SeekFrom::Start(len - 1))?;
        f.read_exact(&mut last)?;
    }
    Ok(last[0] != b'\n')
}

/// What `lakedeck audit` keeps.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub since: Option<Timestamp>,
    pub until: Option<Timestamp>,
    /// Exact operation name.
    pub op: Option<String>,
    /// Substring of the target.
    pub target: Option<String>,
    pub run: Option<String>,
}

impl AuditFilter {
    pub fn matches(&self, r: &AuditRecord) -> bool {
        self.since.is_none_or(|t| r.time >= t)
            && self.until.is_none_or(|t| r.time <= t)
            && self.op.as_deref().is_none_or(|op| r.op == op)
            && self.target.as_deref().is_none_or(|t| r.target.contains(t))
            && self
                .run
                .as_deref()
                .is_none_or(|run| r.run.as_deref() == Some(run))
    }
}

/// One record as a line of `lakedeck audit`'s table.
pub fn format_line(r: &AuditRecord) -> String {
    let mode = if r.dry_run { "dry-run" } else { "real" };
    let phase = match r.phase {
        Phase::Before => "before",
        Phase::After => "after",
        Phase::Refused => "refused",
    };
    let run = r
        .run
        .as_deref()
        .map(|id| format!("  run {id}"))
        .unwrap_or_default();
    let who = match (&r.identity_unknown, &r.kubeconfig_user) {
        (Some(_), Some(user)) => format!("{}(kubeconfig user {user})", r.identity),
        _ => r.identity.clone(),
    };
    format!(
        "{}  {who}@{}  {}  {}  {mode} {phase}  {}{run}",
        r.time.strftime("%Y-%m-%dT%H:%M:%SZ"),
        r.context,
        r.op,
        r.target,
        r.outcome
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // fixtures; a failure should be loud
mod tests {
    use super::*;

    fn record(op: &str, target: &str, minute: i64) -> AuditRecord {
        AuditRecord {
            time: Timestamp::from_second(1_800_000_000 + minute * 60).unwrap_or_default(),
            identity: "admin".into(),
            identity_unknown: None,
            kubeconfig_user: Some("admin".into()),
            context: "lab".into(),
            op: op.into(),
            target: target.into(),
            params: serde_json::json!({"replicas": 5}),
            dry_run: false,
            phase: Phase::After,
            outcome: "ok".into(),
            run: None,
        }
    }

    #[test]
    fn appends_survive_a_torn_line_and_filter_by_op_target_and_time() {
        let dir = tempfile::tempdir().unwrap();
        let log = AuditLog::in_dir(dir.path());
        log.append(&record("scale", "statefulset trino/trino-worker", 0))
            .unwrap();
        // A crash half-way through a line must not hide the records around it.
        // (no newline: the write stopped mid-record, as on a crash or a full disk).
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(log.path())
            .unwrap();
        f.write_all(b"{\"time\":\"2027-").unwrap();
        log.append(&record("cordon", "node compute-1", 5)).unwrap();
        let (records, problems) = log.read().unwrap();
        assert_eq!(records.len(), 2, "{problems:?}");
        assert_eq!(records[1].op, "cordon");
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].contains("audit.jsonl:2: a torn record"),
            "{problems:?}"
        );

        let by_op = AuditFilter {
            op: Some("cordon".into()),
            ..AuditFilter::default()
        };
        assert_eq!(records.iter().filter(|r| by_op.matches(r)).count(), 1);
        let by_target = AuditFilter {
            target: Some("trino".into()),
            ..AuditFilter::default()
        };
        assert_eq!(records.iter().filter(|r| by_target.matches(r)).count(), 1);
        let since = AuditFilter {
            since: Some(records[1].time),
            ..AuditFilter::default()
        };
        let kept: Vec<_> = records.iter().filter(|r| since.matches(r)).collect();
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].op, "cordon");
        assert!(format_line(kept[0]).contains("admin@lab  cordon  node compute-1  real after  ok"));
    }

    #[test]
    fn a_missing_log_reads_as_empty() {
        let dir = tempfile::tempdir().unwrap();
        let (records, problems) = AuditLog::in_dir(&dir.path().join("nope")).read().unwrap();
        assert!(records.is_empty() && problems.is_empty());
    }
}
