//! The cockpit's state machine (The Elm Architecture): one [`AppState`], the [`Msg`]s
//! that change it (keys, source data, ticks) and [`update`], which returns the
//! [`Effect`]s for the runtime to carry out (start a watch, fetch a describe, quit).
//! Synchronous and pure: tested by feeding keys and messages, with no terminal and no
//! network. Must not do I/O or draw.

pub mod action;
mod apply;
pub mod dialog;
pub mod form;
pub mod keymap;
pub mod list;
mod pane_ops;
pub mod platform;
mod rows;
pub mod runs;
pub mod writes;

use std::collections::HashMap;

use crossterm::event::KeyEvent;
use jiff::Timestamp;

use crate::model::alerts::AlertsSnapshot;
use crate::model::kafka::KafkaLagRow;
use crate::model::minio::MinioSummary;
use crate::model::nodes::NodeRow;
use crate::model::pods::{PodRow, Shared};
use crate::model::trino::{TrinoQueryDetail, TrinoSummary};
use crate::model::velero::VeleroSnapshot;
use crate::ops::Op;
use crate::runbook::{Answer, Question, RunState};
pub use action::Action;
use apply::on_key;
pub use apply::{apply, pane_of};
use dialog::{Dialog, OpPreview, OpRefusal};
use keymap::Keymap;
use list::List;
use platform::Platform;
use runs::{RunbookInfo, Runbooks};

/// Which objects the pods view watches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    All,
    Namespace(String),
}

impl Scope {
    pub fn label(&self) -> &str {
        match self {
            Scope::All => "all namespaces",
            Scope::Namespace(ns) => ns,
        }
    }
}

/// Identifies a data source in status messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SourceId {
    Pods,
    Nodes,
    Metrics,
    Minio,
    Trino,
    Kafka,
    Velero,
    Alerts,
}

/// How a source is doing; panes show it next to their data.
#[derive(Debug, Clone, PartialEq)]
pub enum SourceState {
    Connecting,
    Live,
    /// Failing: keep showing the last data, marked stale since `since`.
    Failing {
        reason: String,
        attempt: u32,
        retry_in_secs: u64,
        since: Timestamp,
    },
    Forbidden(String),
    /// Not available at all (e.g. no metrics API); the reason is shown instead of data.
    Unavailable(String),
}

/// Whole-list or single-row changes from a watcher.
#[derive(Debug, Clone)]
pub enum Change<R> {
    /// The complete current set (initial list or re-list after 410).
    Reset(Vec<R>),
    Upsert(R),
    Delete(R),
}

#[derive(Debug, Clone)]
pub enum Msg {
    Key(KeyEvent),
    Resize(u16, u16),
    Tick(Timestamp),
    Pods(Change<PodRow>),
    Nodes(Change<NodeRow>),
    /// Usage by pod (namespace, name) and by node name: (millicores, bytes).
    PodMetrics(HashMap<(Shared, Box<str>), (u64, u64)>),
    NodeMetrics(HashMap<String, (u64, u64)>),
    Source(SourceId, SourceState),
    Identity(String),
    /// On-demand text for a describe/YAML view, or why it failed.
    Detail {
        title: String,
        result: Result<Vec<String>, String>,
    },
    /// Log lines for the open logs view (its generation), or the stream's end/error.
    LogLines {
        generation: u64,
        lines: Vec<String>,
    },
    LogEnded {
        generation: u64,
        reason: String,
    },
    /// A background task failed and is being restarted.
    TaskFailed(String),
    /// Something the user should read in the footer.
    Notice(String),
    Contexts(Vec<String>),
    /// Platform feeds: Ok replaces the data (source Live); Err is the complete
    /// user-facing error (with the endpoint) and keeps the last data, marked stale.
    /// "Not configured" arrives as `Msg::Source(id, SourceState::Unavailable(how))`.
    Minio(Result<MinioSummary, String>),
    Trino(Result<TrinoSummary, String>),
    /// The answer to `Effect::FetchTrinoQuery(id)`.
    TrinoQuery {
        id: String,
        result: Result<TrinoQueryDetail, String>,
    },
    Kafka(Result<Vec<KafkaLagRow>, String>),
    Velero(Result<VeleroSnapshot, String>),
    Alerts(Result<AlertsSnapshot, String>),
    /// The answer to `Effect::PrepareOp { id, .. }`: permission checked and the server's
    /// dry run as preview lines, or why the op cannot go ahead.
    OpPrepared {
        id: u64,
        result: Result<OpPreview, OpRefusal>,
    },
    /// The answers to `Effect::CheckWrites`: (action, namespace, allowed).
    WritesChecked(Vec<(&'static str, String, bool)>),
    /// The answer to `Effect::ExecuteOp { id, .. }`: the outcome's one-line summary.
    OpDone {
        id: u64,
        result: Result<String, String>,
    },
    /// The runbook catalog (embedded + user directory), or why it failed to load.
    Runbooks(Result<Vec<RunbookInfo>, String>),
    /// Runs left `Running` by a process that died (shown at start).
    Interrupted(Vec<RunState>),
    /// Namespaces carrying the drill label, with their run id (checked at start, so a
    /// drill namespace is never left behind unnoticed).
    DrillNamespaces(Vec<(String, String)>),
    /// A run was started or resumed (its id), or could not be (why).
    RunStarted(Result<String, String>),
    /// The engine's events for the active run.
    RunState(RunState),
    RunAsk(Question),
    RunFinished(RunState),
    /// The active run's report text (answer to `Effect::LoadReport`).
    RunReport {
        run: String,
        result: Result<Vec<String>, String>,
    },
}

/// What the runtime must do after an update.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Quit,
    WatchPods(Scope),
    FetchDescribe(ObjectRef),
    FetchYaml(ObjectRef),
    StreamLogs(LogRequest),
    StopLogs,
    ListContexts,
    SwitchContext(String),
    /// `GET /v1/query/{id}` for the query detail view; answered by `Msg::TrinoQuery`.
    FetchTrinoQuery(String),
    /// Ops::check then Ops::preview; answered by `Msg::OpPrepared { id, .. }`.
    PrepareOp {
        id: u64,
        op: Op,
    },
    /// Ops::check for the write actions the selection offers, by action name and
    /// namespace (a pre-check for the footer and help, not a refusal: nothing is
    /// audited); answered by `Msg::WritesChecked`.
    CheckWrites(Vec<(&'static str, String, Op)>),
    /// Ops::execute (the operator confirmed); answered by `Msg::OpDone { id, .. }`.
    ExecuteOp {
        id: u64,
        op: Op,
    },
    /// Poll a platform feed now (after an op changed what it shows).
    Refresh(SourceId),
    /// Start a runbook with the parameters the operator set (the others keep their
    /// defaults); answered by `Msg::RunStarted`, then the run's events.
    StartRunbook {
        name: String,
        params: std::collections::BTreeMap<String, String>,
    },
    /// Resume an interrupted run.
    ResumeRun(String),
    /// Clean up an interrupted run: resume it aborted, so only its finally steps run.
    CleanupRun(String),
    /// The operator's answer to the active run's question.
    AnswerRun(Answer),
    /// An operator note for the active run.
    RunNote(String),
    /// Abort the active run (its finally steps still run).
    AbortRun,
    /// Read the active run's report; answered by `Msg::RunReport`.
    LoadReport {
        run: String,
        path: std::path::PathBuf,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ObjectRef {
    Pod { namespace: String, name: String },
    Node { name: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogRequest {
    pub generation: u64,
    pub namespace: String,
    pub pod: String,
    pub container: String,
    pub previous: bool,
    pub timestamps: bool,
    pub follow: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum View {
    Overview,
    Pods,
    Nodes,
    Detail {
        title: String,
        lines: Option<Result<Vec<String>, String>>,
        scroll: usize,
    },
    Logs(LogView),
    Help {
        scroll: usize,
    },
    Contexts {
        names: Vec<String>,
        selected: usize,
    },
    Minio,
    Trino,
    /// One Trino query's detail (`None` while loading).
    TrinoQuery {
        id: String,
        detail: Option<Result<TrinoQueryDetail, String>>,
        scroll: usize,
    },
    Kafka,
    Velero,
    Alerts,
    Silences,
    /// The runbook catalog and the interrupted runs.
    Runbooks,
    /// One runbook: summary, parameters, steps.
    Runbook {
        name: String,
        scroll: usize,
    },
    /// The active run: steps with state and timers, details, notes, report.
    Run,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LogView {
    pub request: LogRequest,
    pub containers: Vec<String>,
    pub lines: std::collections::VecDeque<String>,
    /// Lines scrolled up from the bottom; 0 = pinned to the newest line.
    pub scroll_back: usize,
    pub paused: bool,
    pub wrap: bool,
    pub ended: Option<String>,
    pub search: Option<String>,
}

/// What the user is typing, if anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    None,
    Filter(String),
    Command(String),
    LogSearch(String),
}

/// Facts about the connection shown in the header.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Connection {
    pub context: String,
    pub server: String,
    pub user: Option<String>,
    pub readonly: bool,
}

pub struct AppState {
    pub connection: Connection,
    pub scope: Scope,
    /// Why the scope is not what was asked for (e.g. "all namespaces forbidden"), shown
    /// beside it in the header.
    pub scope_note: Option<String>,
    pub pods: List<PodRow>,
    pub nodes: List<NodeRow>,
    pub pod_usage: HashMap<(Shared, Box<str>), (u64, u64)>,
    pub node_usage: HashMap<String, (u64, u64)>,
    pub sources: HashMap<SourceId, SourceState>,
    /// MinIO, Trino, Kafka, Velero and alerts: last good data and their lists.
    pub platform: Platform,
    /// The overview's pods needing attention, worst first (kept by `prepare`).
    pub attention: Attention,
    /// Views stacked by navigation; `esc` pops.
    pub views: Vec<View>,
    pub input: Input,
    /// Pods view restricted to one node (Enter on a node).
    pub node_filter: Option<String>,
    pub message: Option<(String, Timestamp)>,
    pub favourites: Vec<String>,
    pub keymap: Keymap,
    pub log_buffer_lines: usize,
    pub now: Timestamp,
    pub size: (u16, u16),
    /// Something visible changed since the last frame.
    pub dirty: bool,
    /// The modal on top of everything (op confirmation, form, runbook question); it
    /// gets every key first.
    pub dialog: Option<Dialog>,
    /// The runbook catalog, interrupted runs and the active run.
    pub runbooks: Runbooks,
    log_generation: u64,
    /// Ids for ops sent to the runtime, so a late answer to a cancelled dialog is ignored.
    op_seq: u64,
    /// Ops confirmed and executing, by id (to refresh what they changed).
    ops_in_flight: Vec<(u64, Op)>,
    /// Which write actions the RBAC pre-check allows, per namespace.
    pub writes: writes::WritePermissions,
}

/// The pods that need attention, worst first, with why. Recomputed only when the pods
/// change or the minute changes (the reasons carry ages), not on every frame.
#[derive(Debug, Clone, Default)]
pub struct Attention {
    pub rows: Vec<(crate::model::pods::Severity, String, (Shared, Box<str>))>,
    stamp: Option<(u64, i64)>,
}

impl Attention {
    fn refresh(&mut self, pods: &List<PodRow>, now: Timestamp) {
        let stamp = (pods.generation(), now.as_second() / 60);
        if self.stamp == Some(stamp) {
            return;
        }
        self.stamp = Some(stamp);
        let mut rows: Vec<_> = pods
            .rows()
            .filter_map(|p| p.attention(now).map(|(s, why)| (s, why, p.key())))
            .collect();
        rows.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.2.cmp(&b.2)));
        self.rows = rows;
    }
}

/// How long a footer message stays.
const MESSAGE_SECS: i64 = 6;

impl AppState {
    pub fn new(
        connection: Connection,
        scope: Scope,
        keymap: Keymap,
        favourites: Vec<String>,
        log_buffer_lines: usize,
    ) -> Self {
        Self {
            connection,
            scope,
            scope_note: None,
            pods: List::default(),
            nodes: List::default(),
            pod_usage: HashMap::new(),
            node_usage: HashMap::new(),
            sources: HashMap::new(),
            platform: Platform::default(),
            attention: Attention::default(),
            views: vec![View::Overview],
            input: Input::None,
            node_filter: None,
            message: None,
            favourites,
            keymap,
            log_buffer_lines: log_buffer_lines.max(100),
            now: Timestamp::now(),
            size: (80, 24),
            dirty: true,
            dialog: None,
            runbooks: Runbooks::default(),
            log_generation: 0,
            op_seq: 0,
            ops_in_flight: Vec::new(),
            writes: writes::WritePermissions::default(),
        }
    }

    pub fn view(&self) -> &View {
        self.views.last().unwrap_or(&View::Overview)
    }

    fn view_mut(&mut self) -> Option<&mut View> {
        self.views.last_mut()
    }

    pub fn source(&self, id: SourceId) -> SourceState {
        self.sources
            .get(&id)
            .cloned()
            .unwrap_or(SourceState::Connecting)
    }

    /// The alert under the cursor in the Alerts view, or a footer note that there is none.
    fn selected_alert(&mut self) -> Option<crate::model::alerts::AlertRow> {
        let alert = self
            .platform
            .alert_rows
            .selected_row()
            .map(|r| r.row.clone());
        if alert.is_none() {
            self.say("no alert selected");
        }
        alert
    }

    fn say(&mut self, text: impl Into<String>) {
        self.message = Some((text.into(), self.now));
    }

    /// A footer message that stays `secs` seconds (instead of the usual few).
    fn say_for(&mut self, text: impl Into<String>, secs: i64) {
        let shown = self
            .now
            .checked_add(jiff::SignedDuration::from_secs(secs - MESSAGE_SECS))
            .unwrap_or(self.now);
        self.message = Some((text.into(), shown));
    }

    fn next_op_id(&mut self) -> u64 {
        self.op_seq += 1;
        self.op_seq
    }

    /// Brings filtered/sorted views up to date; the runtime calls it once before a frame.
    pub fn prepare(&mut self) {
        let now = self.now;
        let node = self.node_filter.clone();
        self.pods.refresh(
            |p| node.as_deref().is_none_or(|n| p.node.as_deref() == Some(n)),
            |p, column| rows::pod_sort_key(p, column, now),
        );
        self.nodes.refresh(|_| true, rows::node_sort_key);
        self.platform.prepare();
        self.attention.refresh(&self.pods, now);
    }

    /// Rows per page of the list panes (the terminal minus header, footer, borders).
    fn page(&self) -> isize {
        (self.size.1 as isize - 6).max(1)
    }
}

/// Applies one message; returns what the runtime must do.
pub fn update(state: &mut AppState, msg: Msg) -> Vec<Effect> {
    let mut effects = update_state(state, msg);
    effects.extend(writes::wanted(state));
    effects
}

fn update_state(state: &mut AppState, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Key(key) => {
            state.dirty = true;
            return on_key(state, key);
        }
        Msg::Resize(w, h) => {
            state.size = (w, h);
            state.dirty = true;
        }
        Msg::Tick(now) => {
            // Ages and staleness are coarse: redraw when a minute label could change.
            if now.as_second() / 60 != state.now.as_second() / 60 {
                state.dirty = true;
            }
            // A STALE marker counts its age in seconds: while one shows, redraw each
            // second so it advances (idle with nothing stale stays silent).
            if now.as_second() != state.now.as_second()
                && state
                    .sources
                    .values()
                    .any(|s| matches!(s, SourceState::Failing { .. }))
            {
                state.dirty = true;
            }
            // The run view's timers count seconds while a run is going.
            if matches!(state.view(), View::Run) && state.runbooks.running() {
                state.dirty = true;
            }
            state.now = now;
            if let Some((_, at)) = &state.message
                && now.duration_since(*at).as_secs() >= MESSAGE_SECS
            {
                state.message = None;
                state.dirty = true;
            }
        }
        Msg::Pods(change) => {
            match change {
                Change::Reset(rows) => state.pods.replace_all(rows),
                Change::Upsert(row) => state.pods.upsert(row),
                Change::Delete(row) => state.pods.remove(&row.key()),
            }
            state.dirty = true;
        }
        Msg::Nodes(change) => {
            match change {
                Change::Reset(rows) => state.nodes.replace_all(rows),
                Change::Upsert(row) => state.nodes.upsert(row),
                Change::Delete(row) => state.nodes.remove(&row.name),
            }
            state.dirty = true;
        }
        Msg::PodMetrics(usage) => {
            state.pod_usage = usage;
            state.dirty = true;
        }
        Msg::NodeMetrics(usage) => {
            state.node_usage = usage;
            state.dirty = true;
        }
        Msg::Source(id, s) => {
            if state.sources.get(&id) != Some(&s) {
                state.sources.insert(id, s);
                state.dirty = true;
            }
        }
        Msg::Identity(user) => {
            state.connection.user = Some(user);
            state.dirty = true;
        }
        Msg::Detail { title, result } => {
            if let Some(View::Detail {
                title: t, lines, ..
            }) = state.view_mut()
                && *t == title
            {
                *lines = Some(result);
                state.dirty = true;
            }
        }
        Msg::LogLines { generation, lines } => {
            let cap = state.log_buffer_lines;
            if let Some(View::Logs(v)) = state.view_mut()
                && v.request.generation == generation
            {
                for l in lines {
                    v.lines.push_back(l);
                    if v.scroll_back > 0 {
                        v.scroll_back += 1; // keep the user's place while new lines arrive
                    }
                }
                while v.lines.len() > cap {
                    v.lines.pop_front();
                }
                state.dirty = !v.paused;
            }
        }
        Msg::LogEnded { generation, reason } => {
            if let Some(View::Logs(v)) = state.view_mut()
                && v.request.generation == generation
            {
                v.ended = Some(reason);
                state.dirty = true;
            }
        }
        Msg::TaskFailed(what) => {
            state.say(format!("{what} (restarting it)"));
            state.dirty = true;
        }
        Msg::Notice(text) => {
            state.say(text);
            state.dirty = true;
        }
        Msg::Contexts(names) => {
            state.views.push(View::Contexts { names, selected: 0 });
            state.dirty = true;
        }
        Msg::Minio(result) => {
            state
                .platform
                .on_minio(result, state.now, &mut state.sources);
            state.dirty = true;
        }
        Msg::Trino(result) => {
            state
                .platform
                .on_trino(result, state.now, &mut state.sources);
            state.dirty = true;
        }
        Msg::TrinoQuery { id, result } => {
            if let Some(View::TrinoQuery {
                id: open, detail, ..
            }) = state.view_mut()
                && *open == id
            {
                *detail = Some(result);
                state.dirty = true;
            }
        }
        Msg::Kafka(result) => {
            state
                .platform
                .on_kafka(result, state.now, &mut state.sources);
            state.dirty = true;
        }
        Msg::Velero(result) => {
            state
                .platform
                .on_velero(result, state.now, &mut state.sources);
            state.dirty = true;
        }
        Msg::Alerts(result) => {
            state
                .platform
                .on_alerts(result, state.now, &mut state.sources);
            state.dirty = true;
        }
        Msg::OpPrepared { id, result } => {
            dialog::on_prepared(state, id, result);
            state.dirty = true;
        }
        Msg::OpDone { id, result } => {
            state.dirty = true;
            return dialog::on_done(state, id, result);
        }
        Msg::WritesChecked(answers) => writes::on_checked(state, answers),
        msg @ (Msg::Runbooks(_)
        | Msg::Interrupted(_)
        | Msg::DrillNamespaces(_)
        | Msg::RunStarted(_)
        | Msg::RunState(_)
        | Msg::RunAsk(_)
        | Msg::RunFinished(_)
        | Msg::RunReport { .. }) => {
            state.dirty = true;
            return runs::on_msg(state, msg);
        }
    }
    Vec::new()
}

#[cfg(test)]
mod action_tests;
#[cfg(test)]
mod tests;
