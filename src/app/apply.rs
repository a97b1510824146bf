//! What keys and actions do: typing into the filter, command and log-search lines, and
//! `apply`, the single place where an [`Action`] gets its meaning (navigation, views,
//! namespace scope, logs controls, sorting). Pure like the rest of `app`: returns
//! effects, never performs them.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::keymap::Pane;
use super::list::Filter;
use super::platform::VeleroTable;
use super::{Action, AppState, Effect, Input, LogRequest, LogView, ObjectRef, Scope, View};
use crate::model::alerts::{self, Concern};
use crate::model::pods::PodRow;

/// The pane whose own keys hold in `view`.
pub fn pane_of(view: &View) -> Option<Pane> {
    Some(match view {
        View::Pods => Pane::Pods,
        View::Nodes => Pane::Nodes,
        View::Trino => Pane::Trino,
        View::Alerts => Pane::Alerts,
        View::Silences => Pane::Silences,
        View::Velero => Pane::Velero,
        View::Runbooks => Pane::Runbooks,
        View::Runbook { .. } => Pane::Runbook,
        View::Run => Pane::Run,
        _ => return None,
    })
}

pub(super) fn on_key(state: &mut AppState, key: KeyEvent) -> Vec<Effect> {
    // A dialog is modal: it gets every key first.
    if let Some(effects) = super::dialog::on_key(state, key) {
        return effects;
    }
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
    let pane = pane_of(state.view());
    match state.keymap.action_in(pane, &key) {
        Some(action) => apply(state, action),
        None => Vec::new(),
    }
}

fn set_filter(state: &mut AppState, filter: Filter) {
    let view = state.view().clone();
    if let Some(list) = state.platform.list_mut(&view) {
        list.set_filter(filter);
        return;
    }
    match view {
        View::Nodes => state.nodes.set_filter(filter),
        _ => state.pods.set_filter(filter),
    }
}

/// Opens the view an alert concerns, on top of the alerts view (esc comes back). Node
/// and pod alerts narrow the list to the node or pod they name.
fn jump_to_concern(state: &mut AppState) {
    let Some(alert) = state.selected_alert() else {
        return;
    };
    let Some(concern) = alerts::concern(&alert) else {
        state.say(format!("{}: no pane for this alert", alert.name));
        return;
    };
    let view = match concern {
        Concern::Minio => View::Minio,
        Concern::Trino => View::Trino,
        Concern::Kafka => View::Kafka,
        Concern::Velero => View::Velero,
        Concern::Nodes => {
            if let Some(node) = alert.label("node") {
                state.nodes.set_filter(Filter::parse(node));
            }
            View::Nodes
        }
        Concern::Pods => {
            if state.node_filter.take().is_some() {
                state.pods.touch();
            }
            if let Some(pod) = alert.label("pod") {
                state.pods.set_filter(Filter::parse(pod));
            }
            View::Pods
        }
    };
    state.views.push(view);
}

/// Switches to a top-level view (overview underneath, so esc goes home).
fn open(state: &mut AppState, view: View) {
    state.views = vec![View::Overview, view];
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
                other => state.platform.list_filtered(other),
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
            let view = state.view().clone();
            if let Some(list) = state.platform.list_mut(&view) {
                match action {
                    Action::Top => list.top(),
                    Action::Bottom => list.bottom(),
                    _ => list.move_by(delta),
                }
                return Vec::new();
            }
            if matches!(view, View::Runbooks | View::Runbook { .. } | View::Run) {
                let to_end = match action {
                    Action::Top => Some(false),
                    Action::Bottom => Some(true),
                    _ => None,
                };
                super::runs::move_cursor(state, delta, to_end);
                return Vec::new();
            }
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
                Some(
                    View::Detail { scroll, .. }
                    | View::Help { scroll }
                    | View::TrinoQuery { scroll, .. },
                ) => {
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
                Some(_) | None => {}
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
            View::Alerts => jump_to_concern(state),
            View::Trino => {
                let Some(id) = state
                    .platform
                    .queries
                    .selected_row()
                    .map(|q| q.row.id.clone())
                else {
                    state.say("no query selected");
                    return Vec::new();
                };
                state.views.push(View::TrinoQuery {
                    id: id.clone(),
                    detail: None,
                    scroll: 0,
                });
                return vec![Effect::FetchTrinoQuery(id)];
            }
            View::Contexts { names, selected } => {
                if let Some(name) = names.get(selected).cloned() {
                    state.views.pop();
                    return vec![Effect::SwitchContext(name)];
                }
            }
            View::Runbooks | View::Runbook { .. } | View::Run => {
                return super::runs::apply(state, Action::Enter);
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
        Action::SortBy(column) => {
            let view = state.view().clone();
            if let Some(list) = state.platform.list_mut(&view) {
                list.set_sort(&column);
                return Vec::new();
            }
            match view {
                View::Nodes => state.nodes.set_sort(&column),
                _ => state.pods.set_sort(&column),
            }
        }
        Action::Minio => open(state, View::Minio),
        Action::Trino => open(state, View::Trino),
        Action::Kafka => open(state, View::Kafka),
        Action::Velero => open(state, View::Velero),
        Action::Alerts => open(state, View::Alerts),
        Action::Silences => open(state, View::Silences),
        Action::Delete
        | Action::Restart
        | Action::Scale
        | Action::Cordon
        | Action::Uncordon
        | Action::Drain
        | Action::KillQuery
        | Action::Silence
        | Action::BackupNow
        | Action::Restore => return super::pane_ops::act(state, action),
        Action::SwitchTable if matches!(state.view(), View::Velero) => {
            state.platform.velero_focus = match state.platform.velero_focus {
                VeleroTable::Backups => VeleroTable::Schedules,
                VeleroTable::Schedules => VeleroTable::Backups,
            };
        }
        Action::SwitchTable
        | Action::Runbooks
        | Action::ShowRunbook(_)
        | Action::OpenRunbook
        | Action::Run
        | Action::Cleanup
        | Action::Notes
        | Action::Abort
        | Action::Report => return super::runs::apply(state, action),
    }
    Vec::new()
}
