//! Runbooks as data (`runbooks/*.yaml` embedded, plus the user's directory) and the
//! engine that runs them against a cluster: parameters, templated steps, checks and
//! waits, ops through `ops::Ops` (checked, previewed, confirmed, audited), `finally`
//! cleanup that always runs, persisted progress with resume, and a report per run.
//!
//! This file is the API the TUI and the headless CLI use. Must not draw or print:
//! front ends get [`RunEvent`]s and answer [`Question`]s. Must not write to a cluster
//! except through `ops::Ops`.

pub mod backend;
pub mod check;
mod engine;
pub mod error;
pub mod expect;
pub mod fields;
pub mod load;
pub mod lock;
pub mod opbuild;
pub mod params;
pub mod query;
pub mod report;
pub mod schema;
pub mod state;
pub mod step;
pub mod template;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio::sync::{mpsc, watch};

pub use error::RunbookError;
pub use load::{Catalog, ParamSpec, Runbook, default_user_dir};
pub use state::{Note, RunState, RunStatus, StepOutcome, StepState};

use backend::{Backend, Live};
use engine::{Engine, Mode};

/// Questions the engine asks the operator (TUI dialog, or stdin / --yes headless).
#[derive(Debug, Clone)]
pub enum Question {
    /// A `note` step: instructions to acknowledge.
    Acknowledge { step: usize, text: String },
    /// A `confirm` step.
    Confirm { step: usize, text: String },
    /// An op: its one-line summary, the dry-run preview, and how to confirm it.
    ConfirmOp {
        step: usize,
        summary: String,
        preview: Vec<String>,
        confirmation: crate::ops::Confirmation,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Yes,
    No,
    /// For `Confirmation::TypeName`: what the operator typed.
    Typed(String),
}

#[derive(Debug, Clone)]
pub enum RunEvent {
    /// After every change.
    State(RunState),
    Ask(Question),
    /// The run is over (report written); the last event.
    Finished(RunState),
}

/// Stops a run: the current step is abandoned, `finally` steps still run.
#[derive(Debug, Clone)]
pub struct AbortHandle(watch::Sender<bool>);

impl AbortHandle {
    pub fn abort(&self) {
        let _ = self.0.send(true);
    }
}

pub struct RunHandle {
    pub id: String,
    pub events: mpsc::Receiver<RunEvent>,
    pub answers: mpsc::Sender<Answer>,
    /// Operator notes, kept in the run state and the report.
    pub notes: mpsc::Sender<String>,
    pub abort: AbortHandle,
    /// The engine task; its result is the final state.
    pub task: tokio::task::JoinHandle<RunState>,
}

pub struct RunContext {
    pub ops: Arc<crate::ops::Ops>,
    pub prometheus: Option<crate::endpoints::prometheus::Prometheus>,
    pub kube: kube::Client,
    pub data_dir: PathBuf,
    pub dry_run: bool,
}

impl RunContext {
    pub fn backend(&self) -> Live {
        Live {
            ops: self.ops.clone(),
            kube: self.kube.clone(),
            prometheus: self.prometheus.clone(),
        }
    }

    fn context_name(&self) -> String {
        self.ops.context().to_string()
    }
}

/// Starts a run of `runbook` (parameters are checked first: unknown names, types and
/// ranges give a clear error). Must be called inside a tokio runtime.
pub fn start(
    runbook: &Runbook,
    params: BTreeMap<String, String>,
    ctx: RunContext,
) -> Result<RunHandle, RunbookError> {
    let backend = ctx.backend();
    let context = ctx.context_name();
    start_with(
        runbook,
        params,
        backend,
        &context,
        &ctx.data_dir,
        ctx.dry_run,
    )
}

/// [`start`] with any backend (tests use a fake).
pub fn start_with<B: Backend>(
    runbook: &Runbook,
    params: BTreeMap<String, String>,
    backend: B,
    context: &str,
    data_dir: &Path,
    dry_run: bool,
) -> Result<RunHandle, RunbookError> {
    params::check_given(runbook, &params)?;
    let now = jiff::Timestamp::now();
    let state = RunState {
        id: state::new_run_id(&runbook.name, now),
        runbook: runbook.name.clone(),
        title: runbook.title.clone(),
        context: context.to_string(),
        params: params.clone(),
        status: RunStatus::Running,
        steps: engine::step_states(runbook),
        notes: Vec::new(),
        started: now,
        ended: None,
        report: None,
        identity: String::new(),
        host: state::hostname(),
        dry_run,
        lookups: BTreeMap::new(),
        owner: Some(engine::owner()),
    };
    let lock = lock::acquire(data_dir, &state.id)?;
    state::save(data_dir, &state)?;
    Ok(spawn(
        runbook.clone(),
        backend,
        state,
        lock,
        data_dir,
        serde_json::Map::new(),
        Mode::Fresh(params),
    ))
}

fn spawn<B: Backend>(
    rb: Runbook,
    backend: B,
    state: RunState,
    lock: lock::RunLock,
    data_dir: &Path,
    params: serde_json::Map<String, serde_json::Value>,
    mode: Mode,
) -> RunHandle {
    let (ev_tx, ev_rx) = mpsc::channel(256);
    let (ans_tx, ans_rx) = mpsc::channel(8);
    let (note_tx, note_rx) = mpsc::channel(64);
    let (abort_tx, abort_rx) = watch::channel(false);
    let id = state.id.clone();
    let dry_run = state.dry_run;
    let engine = Engine {
        rb,
        backend,
        state,
        lock: Some(lock),
        data_dir: data_dir.to_path_buf(),
        dry_run,
        events: ev_tx,
        answers: ans_rx,
        notes: note_rx,
        abort: abort_rx,
        params,
        env: template::environment(),
        aborted: false,
    };
    let task = tokio::spawn(engine.run(mode));
    RunHandle {
        id,
        events: ev_rx,
        answers: ans_tx,
        notes: note_tx,
        abort: AbortHandle(abort_tx),
        task,
    }
}

/// Continues an interrupted run from the step that was running.
pub fn resume(run_id: &str, ctx: RunContext) -> Result<RunHandle, RunbookError> {
    let catalog = Catalog::load_lenient(default_user_dir().as_deref()).0;
    let backend = ctx.backend();
    continue_with(&catalog, run_id, backend, &ctx.data_dir, false)
}

/// Runs only the `finally` steps of an interrupted run (e.g. to delete its drill
/// namespaces without finishing the drill).
pub fn cleanup(run_id: &str, ctx: RunContext) -> Result<RunHandle, RunbookError> {
    let catalog = Catalog::load_lenient(default_user_dir().as_deref()).0;
    let backend = ctx.backend();
    continue_with(&catalog, run_id, backend, &ctx.data_dir, true)
}

/// [`resume`]/[`cleanup`] with a given catalog and backend.
pub fn continue_with<B: Backend>(
    catalog: &Catalog,
    run_id: &str,
    backend: B,
    data_dir: &Path,
    cleanup_only: bool,
) -> Result<RunHandle, RunbookError> {
    // Known run first (a typo must not leave a lock file), then one runner: the lock
    // is held until this process's engine ends or the process dies.
    state::load(data_dir, run_id)?;
    let lock = lock::acquire(data_dir, run_id)?;
    let state = state::load(data_dir, run_id)?;
    if state.status.is_finished() {
        return Err(RunbookError::NotResumable(format!(
            "run {run_id} already ended ({}); see `lakedeck runbook report {run_id}`",
            state.status.label()
        )));
    }
    if !state::owner_dead(&state) {
        let who = state
            .owner
            .as_ref()
            .map(|o| format!("pid {} on {}", o.pid, o.hostname))
            .unwrap_or_default();
        return Err(RunbookError::NotResumable(format!(
            "run {run_id} is still running ({who}); stop that process first"
        )));
    }
    let rb = catalog.require(&state.runbook)?;
    let ids: Vec<&str> = rb
        .steps
        .iter()
        .chain(&rb.finally)
        .map(|s| s.id.as_str())
        .collect();
    let recorded: Vec<&str> = state.steps.iter().map(|s| s.id.as_str()).collect();
    if ids != recorded {
        return Err(RunbookError::NotResumable(format!(
            "runbook {} changed since run {run_id} started (its steps differ); it cannot be resumed",
            rb.name
        )));
    }
    let params = params::retype(rb, &state.params)?;
    let mode = if cleanup_only {
        Mode::Cleanup
    } else {
        Mode::Resume
    };
    Ok(spawn(
        rb.clone(),
        backend,
        state,
        lock,
        data_dir,
        params,
        mode,
    ))
}

/// Runs left Running by a process that died (the cockpit shows them at start).
pub fn interrupted(data_dir: &Path) -> Vec<RunState> {
    state::interrupted(data_dir)
}

#[cfg(test)]
mod engine_tests;
