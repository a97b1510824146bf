//! A run's persisted state (`<data dir>/runs/<id>.json`): what the TUI draws, what the
//! report is written from, and what `resume` continues. Written after every change by
//! temp file + fsync + rename so a crash leaves the previous or the new state, never
//! half of one. The owner (pid + hostname + heartbeat) tells a live run from one whose
//! process died.
//!
//! Secret values never enter this state: steps record key names and object names only.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::error::RunbookError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RunStatus {
    Running,
    Succeeded,
    Failed(String),
    Aborted,
    Interrupted,
}

impl RunStatus {
    pub fn is_finished(&self) -> bool {
        matches!(
            self,
            RunStatus::Succeeded | RunStatus::Failed(_) | RunStatus::Aborted
        )
    }

    pub fn label(&self) -> String {
        match self {
            RunStatus::Running => "running".into(),
            RunStatus::Succeeded => "succeeded".into(),
            RunStatus::Failed(why) => format!("failed: {why}"),
            RunStatus::Aborted => "aborted".into(),
            RunStatus::Interrupted => "interrupted".into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum StepOutcome {
    Pending,
    Running,
    /// Polling (a `wait` step) or waiting for the operator's answer.
    Waiting,
    Done,
    Failed(String),
    Skipped,
}

impl StepOutcome {
    pub fn label(&self) -> String {
        match self {
            StepOutcome::Pending => "pending".into(),
            StepOutcome::Running => "running".into(),
            StepOutcome::Waiting => "waiting".into(),
            StepOutcome::Done => "done".into(),
            StepOutcome::Failed(why) => format!("failed: {why}"),
            StepOutcome::Skipped => "skipped".into(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StepState {
    /// What the operator reads: the step's title (rendered when it started), else its id.
    pub name: String,
    pub id: String,
    pub kind: String,
    pub is_finally: bool,
    /// A failure of this step does not stop or fail the run.
    #[serde(default)]
    pub optional: bool,
    pub state: StepOutcome,
    pub started: Option<Timestamp>,
    pub ended: Option<Timestamp>,
    pub detail: Vec<String>,
    /// Outputs later steps can use as `steps.<id>.<key>` (never secret values).
    #[serde(default)]
    pub outputs: BTreeMap<String, Value>,
    /// for_each: items finished (resume continues after them).
    #[serde(default)]
    pub items_done: usize,
    /// An op was sent for the current item; on resume it is looked for, not repeated.
    #[serde(default)]
    pub op_sent: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Note {
    pub at: Timestamp,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Owner {
    pub pid: u32,
    pub hostname: String,
    pub heartbeat: Timestamp,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunState {
    pub id: String,
    pub runbook: String,
    pub title: String,
    pub context: String,
    pub params: BTreeMap<String, String>,
    pub status: RunStatus,
    pub steps: Vec<StepState>,
    pub notes: Vec<Note>,
    pub started: Timestamp,
    pub ended: Option<Timestamp>,
    /// The Markdown report, once written.
    pub report: Option<PathBuf>,
    /// The kube identity ops act as.
    #[serde(default)]
    pub identity: String,
    /// The host the run was started on.
    #[serde(default)]
    pub host: String,
    #[serde(default)]
    pub dry_run: bool,
    /// Outputs of the runbook's lookups (for resolving parameters).
    #[serde(default)]
    pub lookups: BTreeMap<String, Value>,
    pub owner: Option<Owner>,
}

impl RunState {
    /// Index of the first step not finished (the one to resume at).
    pub fn resume_at(&self) -> Option<usize> {
        self.steps.iter().position(|s| {
            matches!(
                s.state,
                StepOutcome::Pending | StepOutcome::Running | StepOutcome::Waiting
            )
        })
    }

    pub fn failed(&self) -> bool {
        self.steps
            .iter()
            .any(|s| !s.is_finally && !s.optional && matches!(s.state, StepOutcome::Failed(_)))
    }
}

/// `<runbook>-<UTC yyyyMMdd-HHmmss>-<4 hex>`.
pub fn new_run_id(runbook: &str, now: Timestamp) -> String {
    format!(
        "{runbook}-{}-{:04x}",
        now.strftime("%Y%m%d-%H%M%S"),
        fastrand::u16(..)
    )
}

pub fn runs_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("runs")
}

pub fn state_path(data_dir: &Path, id: &str) -> PathBuf {
    runs_dir(data_dir).join(format!("{id}.json"))
}

pub fn hostname() -> String {
    ::hostname::get()
        .map(|h| h.to_string_lossy().into_owned())
        .unwrap_or_else(|_| "unknown-host".into())
}

/// Writes `bytes` to `path` atomically: temp file in the same directory, fsync, rename,
/// fsync of the directory. Owner-only (0600, directories 0700): runs and reports say
/// who changed what.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    crate::private_fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    {
        let mut f = crate::private_fs::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)?;
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

pub fn save(data_dir: &Path, state: &RunState) -> Result<(), RunbookError> {
    let path = state_path(data_dir, &state.id);
    let json = serde_json::to_vec_pretty(state)
        .map_err(|e| RunbookError::Io(format!("cannot encode run {}: {e}", state.id)))?;
    write_atomic(&path, &json)
        .map_err(|e| RunbookError::Io(format!("cannot write {}: {e}", path.display())))
}

pub fn load(data_dir: &Path, id: &str) -> Result<RunState, RunbookError> {
    let path = state_path(data_dir, id);
    let text = match std::fs::read(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(RunbookError::UnknownRun {
                id: id.to_string(),
                dir: runs_dir(data_dir).display().to_string(),
                known: all(data_dir).into_iter().map(|s| s.id).collect(),
            });
        }
        Err(e) => {
            return Err(RunbookError::Io(format!(
                "cannot read {}: {e}",
                path.display()
            )));
        }
    };
    serde_json::from_slice(&text)
        .map_err(|e| RunbookError::Io(format!("{}: not a run state file: {e}", path.display())))
}

/// Every run state in the data directory, oldest first.
pub fn all(data_dir: &Path) -> Vec<RunState> {
    let Ok(entries) = std::fs::read_dir(runs_dir(data_dir)) else {
        return Vec::new();
    };
    let mut runs: Vec<RunState> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .filter_map(|p| std::fs::read(p).ok())
        .filter_map(|b| serde_json::from_slice::<RunState>(&b).ok())
        .collect();
    runs.sort_by_key(|r| r.started);
    runs
}

/// How long a run on another host may go without a heartbeat before it counts as dead.
const STALE_SECS: i64 = 120;

/// Whether the process that owns `state` is gone.
pub fn owner_dead(state: &RunState) -> bool {
    let Some(owner) = &state.owner else {
        return true;
    };
    if owner.hostname == hostname() {
        if owner.pid == std::process::id() {
            return false;
        }
        !process_alive(owner.pid)
    } else {
        Timestamp::now().duration_since(owner.heartbeat).as_secs() > STALE_SECS
    }
}

fn process_alive(pid: u32) -> bool {
    let proc_dir = PathBuf::from(format!("/proc/{pid}"));
    if !Path::new("/proc/self").exists() {
        // No procfs: assume alive rather than steal a run.
        return true;
    }
    // A zombie (killed, not yet reaped) is as dead as a missing process.
    match std::fs::read_to_string(proc_dir.join("stat")) {
        Ok(stat) => !stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z')),
        Err(_) => false,
    }
}

/// Runs left Running (or Interrupted) by a process that is gone, shown as Interrupted.
pub fn interrupted(data_dir: &Path) -> Vec<RunState> {
    all(data_dir)
        .into_iter()
        .filter(|s| matches!(s.status, RunStatus::Running | RunStatus::Interrupted))
        .filter(owner_dead)
        .map(|mut s| {
            s.status = RunStatus::Interrupted;
            s
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn state(id: &str, owner: Option<Owner>) -> RunState {
        RunState {
            id: id.into(),
            runbook: "x".into(),
            title: "X".into(),
            context: "c".into(),
            params: BTreeMap::new(),
            status: RunStatus::Running,
            steps: Vec::new(),
            notes: Vec::new(),
            started: Timestamp::now(),
            ended: None,
            report: None,
            identity: String::new(),
            host: String::new(),
            dry_run: false,
            lookups: BTreeMap::new(),
            owner,
        }
    }

    #[test]
    fn saves_atomically_and_finds_dead_owners() {
        let dir = tempfile::tempdir().unwrap();
        let me = Owner {
            pid: std::process::id(),
            hostname: hostname(),
            heartbeat: Timestamp::now(),
        };
        let dead = Owner {
            pid: u32::MAX - 1,
            ..me.clone()
        };
        save(dir.path(), &state("live", Some(me))).unwrap();
        save(dir.path(), &state("dead", Some(dead))).unwrap();
        let mut done = state("done", None);
        done.status = RunStatus::Succeeded;
        save(dir.path(), &done).unwrap();
        let found: Vec<String> = interrupted(dir.path()).into_iter().map(|s| s.id).collect();
        assert_eq!(found, vec!["dead".to_string()]);
        assert_eq!(load(dir.path(), "dead").unwrap().id, "dead");
        let e = load(dir.path(), "nope").unwrap_err().to_string();
        assert!(e.contains("dead") && e.contains("live"), "{e}");
        let leftovers: Vec<_> = std::fs::read_dir(runs_dir(dir.path()))
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty());
    }

    #[test]
    fn run_ids_follow_the_contract() {
        let t: Timestamp = "2026-11-21T10:15:00Z".parse().unwrap();
        let id = new_run_id("velero-restore-drill", t);
        assert!(
            id.starts_with("velero-restore-drill-20261121-101500-"),
            "{id}"
        );
        assert_eq!(id.len(), "velero-restore-drill-20261121-101500-".len() + 4);
    }
}
