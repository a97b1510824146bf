//! The cockpit's state machine (The Elm Architecture): one [`AppState`], the [`Msg`]s
//! that change it (keys, source data, ticks) and [`update`], which returns the
//! [`Effect`]s for the runtime to carry out (start a watch, fetch a describe, quit).
//! Synchronous and pure: tested by feeding keys and messages, with no terminal and no
//! network. Must not do I/O or draw.

pub mod action;
pub mod keymap;
pub mod list;
mod rows;

use std::collections::HashMap;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use jiff::Timestamp;

use crate::model::nodes::NodeRow;
use crate::model::pods::{PodRow, Shared};
pub use action::Action;
use keymap::Keymap;
use list::{Filter, List};

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
    pub pods: List<PodRow>,
    pub nodes: List<NodeRow>,
    pub pod_usage: HashMap<(Shared, Box<str>), (u64, u64)>,
    pub node_usage: HashMap<String, (u64, u64)>,
    pub sources: HashMap<SourceId, SourceState>,
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
    log_generation: u64,
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
            pods: List::default(),
            nodes: List::default(),
            pod_usage: HashMap::new(),
            node_usage: HashMap::new(),
            sources: HashMap::new(),
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
            log_generation: 0,
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

    fn say(&mut self, text: impl Into<String>) {
        self.message = Some((text.into(), self.now));
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
    }

    /// Rows per page of the list panes (the terminal minus header, footer, borders).
    fn page(&self) -> isize {
        (self.size.1 as isize - 6).max(1)
    }
}

/// Applies one message; returns what the runtime must do.
pub fn update(state: &mut AppState, msg: Msg) -> Vec<Effect> {
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
    }
    Vec::new()
}

fn on_key(state: &mut AppState, key: KeyEvent) -> Vec<Effect> {
    let input = std::mem::replace(&mut state.input, Input::None);
    match input {
        Input::None => {}
        Input::Filter(text) | Input::Command(text) | Input::LogSearch(text)
            if matches!(key.code, KeyCode::Char('c'))
                && key.modifiers.contains(KeyModifiers::CONTROL) =>
        {
            let _ = text;
            return Vec::new();
        }
        Input::Filter(mut text) => {
            return match key.code {
                KeyCode::Esc => {
                    set_filter(state, Filter::default());
                    Vec::new()
                }
                KeyCode::Enter => Vec::new(),
                KeyCode::Backspace => {
                    text.pop();
                    set_filter(state, Filter::parse(&text));
                    state.input = Input::Filter(text);
                    Vec::new()
                }
                KeyCode::Char(c) => {
                    text.push(c);
                    set_filter(state, Filter::parse(&text));
                    state.input = Input::Filter(text);
                    Vec::new()
                }
                _ => {
                    state.input = Input::Filter(text);
                    Vec::new()
                }
            };
        }
        Input::Command(mut text) => {
            return match key.code {
                KeyCode::Esc => Vec::new(),
                KeyCode::Enter => match Action::from_command(&text) {
                    Ok(action) => apply(state, action),
                    Err(e) => {
                        state.say(e);
                        Vec::new()
                    }
                },
                KeyCode::Backspace => {
                    text.pop();
                    state.input = Input::Command(text);
                    Vec::new()
                }
                KeyCode::Char(c) => {
                    text.push(c);
                    state.input = Input::Command(text);
                    Vec::new()
                }
                _ => {
                    state.input = Input::Command(text);
                    Vec::new()
                }
            };
        }
        Input::LogSearch(mut text) => {
            match key.code {
                KeyCode::Esc => {}
                KeyCode::Enter => {
                    if let Some(View::Logs(v)) = state.view_mut() {
                        v.search = (!text.is_empty()).then_some(text);
                    }
                }
                KeyCode::Backspace => {
                    text.pop();
                    state.input = Input::LogSearch(text);
                }
                KeyCode::Char(c) => {
                    text.push(c);
                    state.input = Input::LogSearch(text);
                }
                _ => state.input = Input::LogSearch(text),
            }
            return Vec::new();
        }
    }
    match state.keymap.action(&key) {
        Some(action) => apply(state, action),
        None => Vec::new(),
    }
}

fn set_filter(state: &mut AppState, filter: Filter) {
    match state.view() {
        View::Nodes => state.nodes.set_filter(filter),
        _ => state.pods.set_filter(filter),
    }
}

fn log_request(
    state: &mut AppState,
    row: &PodRow,
    container: String,
    previous: bool,
    timestamps: bool,
) -> LogRequest {
    state.log_generation += 1;
    LogRequest {
        generation: state.log_generation,
        namespace: row.namespace.to_string(),
        pod: row.name.to_string(),
        container,
        previous,
        timestamps,
        follow: !previous,
    }
}

fn restart_logs(state: &mut AppState, change: impl FnOnce(&mut LogRequest)) -> Vec<Effect> {
    state.log_generation += 1;
    let generation = state.log_generation;
    let Some(View::Logs(v)) = state.view_mut() else {
        return Vec::new();
    };
    change(&mut v.request);
    v.request.generation = generation;
    v.request.follow = !v.request.previous;
    v.lines.clear();
    v.scroll_back = 0;
    v.ended = None;
    vec![Effect::StopLogs, Effect::StreamLogs(v.request.clone())]
}

/// Carries out an action; the single place where actions get their meaning.
pub fn apply(state: &mut AppState, action: Action) -> Vec<Effect> {
    state.dirty = true;
    let page = state.page();
    match action {
        Action::Quit => return vec![Effect::Quit],
        Action::Back => {
            // Like k9s: esc first clears a kept filter, then leaves the view.
            let list_filtered = match state.view() {
                View::Pods => !state.pods.filter.is_empty(),
                View::Nodes => !state.nodes.filter.is_empty(),
                _ => false,
            };
            if list_filtered {
                set_filter(state, Filter::default());
                return Vec::new();
            }
            let leaving = state.views.pop();
            if matches!(leaving, Some(View::Logs(_))) {
                return vec![Effect::StopLogs];
            }
            if state.views.is_empty() {
                state.views.push(View::Overview);
            }
            if matches!(state.view(), View::Nodes | View::Overview)
                && state.node_filter.take().is_some()
            {
                state.pods.touch();
            }
        }
        Action::Up
        | Action::Down
        | Action::PageUp
        | Action::PageDown
        | Action::Top
        | Action::Bottom => {
            let delta = match action {
                Action::Up => -1,
                Action::Down => 1,
                Action::PageUp => -page,
                Action::PageDown => page,
                _ => 0,
            };
            match state.views.last_mut() {
                Some(View::Nodes) => match action {
                    Action::Top => state.nodes.top(),
                    Action::Bottom => state.nodes.bottom(),
                    _ => state.nodes.move_by(delta),
                },
                Some(View::Pods | View::Overview) => match action {
                    Action::Top => state.pods.top(),
                    Action::Bottom => state.pods.bottom(),
                    _ => state.pods.move_by(delta),
                },
                Some(View::Detail { scroll, .. } | View::Help { scroll }) => {
                    *scroll = match action {
                        Action::Top => 0,
                        Action::Bottom => usize::MAX / 2,
                        _ => (*scroll as isize + delta).max(0) as usize,
                    };
                }
                Some(View::Logs(v)) => {
                    v.scroll_back = match action {
                        Action::Top => v.lines.len(),
                        Action::Bottom => 0,
                        _ => (v.scroll_back as isize - delta).clamp(0, v.lines.len() as isize)
                            as usize,
                    };
                }
                Some(View::Contexts { names, selected }) => {
                    let last = names.len().saturating_sub(1) as isize;
                    *selected = (*selected as isize + delta).clamp(0, last.max(0)) as usize;
                }
                None => {}
            }
        }
        Action::Enter => match state.view().clone() {
            View::Nodes => {
                if let Some(node) = state.nodes.selected_row().map(|n| n.name.to_string()) {
                    state.node_filter = Some(node);
                    state.pods.set_filter(Filter::default());
                    state.views.push(View::Pods);
                }
            }
            View::Pods | View::Overview => return apply(state, Action::Describe),
            View::Contexts { names, selected } => {
                if let Some(name) = names.get(selected).cloned() {
                    state.views.pop();
                    return vec![Effect::SwitchContext(name)];
                }
            }
            _ => {}
        },
        Action::Describe | Action::Yaml => {
            let target = match state.view() {
                View::Nodes => state.nodes.selected_row().map(|n| ObjectRef::Node {
                    name: n.name.to_string(),
                }),
                View::Pods | View::Overview => state.pods.selected_row().map(|p| ObjectRef::Pod {
                    namespace: p.namespace.to_string(),
                    name: p.name.to_string(),
                }),
                _ => None,
            };
            let Some(target) = target else {
                state.say("nothing selected");
                return Vec::new();
            };
            let (what, name) = match &target {
                ObjectRef::Pod { namespace, name } => ("pod", format!("{namespace}/{name}")),
                ObjectRef::Node { name } => ("node", name.clone()),
            };
            let yaml = action == Action::Yaml;
            let title = format!("{} {what} {name}", if yaml { "yaml" } else { "describe" });
            state.views.push(View::Detail {
                title,
                lines: None,
                scroll: 0,
            });
            return vec![if yaml {
                Effect::FetchYaml(target)
            } else {
                Effect::FetchDescribe(target)
            }];
        }
        Action::Logs => {
            if !matches!(state.view(), View::Pods | View::Overview) {
                state.say("logs: select a pod first (:pods)");
                return Vec::new();
            }
            let Some(row) = state.pods.selected_row().cloned() else {
                state.say("nothing selected");
                return Vec::new();
            };
            let containers: Vec<String> = row.containers.iter().map(|c| c.to_string()).collect();
            let Some(first) = containers.first().cloned() else {
                state.say("this pod has no containers");
                return Vec::new();
            };
            let request = log_request(state, &row, first, false, false);
            state.views.push(View::Logs(LogView {
                request: request.clone(),
                containers,
                lines: std::collections::VecDeque::new(),
                scroll_back: 0,
                paused: false,
                wrap: false,
                ended: None,
                search: None,
            }));
            return vec![Effect::StreamLogs(request)];
        }
        Action::LogsFollow => {
            if let Some(View::Logs(v)) = state.view_mut() {
                v.paused = !v.paused;
                if !v.paused {
                    v.scroll_back = 0;
                }
            }
        }
        Action::LogsWrap => {
            if let Some(View::Logs(v)) = state.view_mut() {
                v.wrap = !v.wrap;
            }
        }
        Action::LogsTimestamps => return restart_logs(state, |r| r.timestamps = !r.timestamps),
        Action::LogsPrevious => return restart_logs(state, |r| r.previous = !r.previous),
        Action::LogsNextContainer => {
            let next = match state.view() {
                View::Logs(v) if v.containers.len() > 1 => {
                    let i = v
                        .containers
                        .iter()
                        .position(|c| *c == v.request.container)
                        .unwrap_or(0);
                    v.containers.get((i + 1) % v.containers.len()).cloned()
                }
                _ => None,
            };
            if let Some(c) = next {
                return restart_logs(state, |r| r.container = c);
            }
            state.say("this pod has one container");
        }
        Action::Help => {
            if !matches!(state.view(), View::Help { .. }) {
                state.views.push(View::Help { scroll: 0 });
            }
        }
        Action::CommandLine => state.input = Input::Command(String::new()),
        Action::Filter => {
            state.input = if matches!(state.view(), View::Logs(_)) {
                Input::LogSearch(String::new())
            } else {
                if matches!(state.view(), View::Overview) {
                    state.views.push(View::Pods);
                }
                Input::Filter(String::new())
            }
        }
        Action::Overview => state.views = vec![View::Overview],
        Action::Pods => {
            if state.node_filter.take().is_some() {
                state.pods.touch();
            }
            state.views = vec![View::Overview, View::Pods];
        }
        Action::Nodes => state.views = vec![View::Overview, View::Nodes],
        Action::Contexts => return vec![Effect::ListContexts],
        Action::SwitchContext(name) => return vec![Effect::SwitchContext(name)],
        Action::Namespace(ns) => {
            let scope = ns.map_or(Scope::All, Scope::Namespace);
            if scope != state.scope {
                state.scope = scope.clone();
                state.pods.replace_all(Vec::new());
                state.pod_usage.clear();
                state.say(format!("namespace: {}", scope.label()));
                return vec![Effect::WatchPods(scope)];
            }
        }
        Action::Favourite(n) => {
            let ns = if n == 0 {
                Some("all".to_string())
            } else {
                state.favourites.get(n as usize - 1).cloned()
            };
            match ns {
                Some(ns) => return apply(state, Action::Namespace((ns != "all").then_some(ns))),
                None => state.say(format!(
                    "no favourite namespace {n} (set favourites: in config.yaml)"
                )),
            }
        }
        Action::SortBy(column) => match state.view() {
            View::Nodes => state.nodes.set_sort(&column),
            _ => state.pods.set_sort(&column),
        },
    }
    Vec::new()
}

#[cfg(test)]
mod tests;
