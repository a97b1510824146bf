//! Runbooks as the cockpit holds them: the catalog (plain [`RunbookInfo`] the runtime
//! builds from runbook/'s Catalog), runs left interrupted by a dead process, and the
//! one active run — its latest [`RunState`] from the engine, the question it waits on,
//! its report. Also what the runbook keys mean (open, run with parameters, resume,
//! clean up, answer, note, abort, report). Pure: starting, answering and aborting are
//! effects for the runtime, which owns the engine's handle.

use std::collections::BTreeMap;

use super::dialog::{Dialog, OpDialog, OpOrigin, OpStage};
use super::form::{Field, Form, FormPurpose};
use super::{Action, AppState, Effect, Msg, View};
use crate::runbook::{Question, RunState, RunStatus};

#[derive(Debug, Clone, PartialEq)]
pub struct ParamInfo {
    pub name: String,
    pub help: String,
    pub default: Option<String>,
}

/// One runbook of the catalog, as the list and detail views show it.
#[derive(Debug, Clone, PartialEq)]
pub struct RunbookInfo {
    pub name: String,
    pub title: String,
    pub summary: String,
    /// The alerts that link to it.
    pub alerts: Vec<String>,
    /// Other names alert annotations may use for it.
    pub aliases: Vec<String>,
    pub params: Vec<ParamInfo>,
    /// One line per step (`name (kind)`), finally steps marked.
    pub steps: Vec<String>,
}

/// Which table of the runbooks view has the cursor.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum RunbooksTable {
    #[default]
    Catalog,
    Interrupted,
}

/// The run the cockpit drives (one at a time).
#[derive(Debug, Clone)]
pub struct ActiveRun {
    /// `None` until the engine has accepted the start.
    pub id: Option<String>,
    pub runbook: String,
    pub state: Option<RunState>,
    /// The question the engine waits on (shown as a dialog; esc hides it, enter in the
    /// run view shows it again).
    pub pending: Option<Question>,
    pub finished: bool,
    pub report: Option<Result<Vec<String>, String>>,
    /// The step the operator moved the cursor to; `None` follows the current step.
    pub cursor: Option<usize>,
}

#[derive(Debug, Clone, Default)]
pub struct Runbooks {
    pub catalog: Vec<RunbookInfo>,
    pub catalog_error: Option<String>,
    pub loaded: bool,
    pub selected: usize,
    pub interrupted: Vec<RunState>,
    pub interrupted_selected: usize,
    pub focus: RunbooksTable,
    pub run: Option<ActiveRun>,
}

impl Runbooks {
    /// A run is going (started and not finished).
    pub fn running(&self) -> bool {
        self.run.as_ref().is_some_and(|r| !r.finished)
    }

    pub(super) fn answered(&mut self) {
        if let Some(r) = &mut self.run {
            r.pending = None;
        }
    }

    /// The runbook called `name` (or one of its aliases).
    pub fn get(&self, name: &str) -> Option<&RunbookInfo> {
        self.catalog.iter().find(|r| r.name == name).or_else(|| {
            self.catalog
                .iter()
                .find(|r| r.aliases.iter().any(|a| a == name))
        })
    }

    /// The runbook for an alert: the one its `runbook` annotation names (a name, or a
    /// URL/path ending in the name), else one that lists the alert.
    pub fn for_alert(&self, alertname: &str, annotation: Option<&str>) -> Option<&RunbookInfo> {
        annotation
            .map(|a| {
                let last = a.trim_end_matches('/').rsplit('/').next().unwrap_or(a);
                let last = last.split(['#', '?']).next().unwrap_or(last);
                last.strip_suffix(".yaml")
                    .or_else(|| last.strip_suffix(".md"))
                    .unwrap_or(last)
                    .to_string()
            })
            .and_then(|name| self.get(&name))
            .or_else(|| {
                self.catalog
                    .iter()
                    .find(|r| r.alerts.iter().any(|a| a == alertname))
            })
    }

    /// The step the run view details: the operator's choice, else the one running or
    /// waiting, else the last that ran.
    pub fn current_step(&self) -> Option<usize> {
        let run = self.run.as_ref()?;
        let state = run.state.as_ref()?;
        if let Some(c) = run.cursor {
            return Some(c.min(state.steps.len().saturating_sub(1)));
        }
        use crate::runbook::StepOutcome as S;
        state
            .steps
            .iter()
            .position(|s| matches!(s.state, S::Running | S::Waiting))
            .or_else(|| {
                state
                    .steps
                    .iter()
                    .rposition(|s| !matches!(s.state, S::Pending))
            })
            .or(if state.steps.is_empty() {
                None
            } else {
                Some(0)
            })
    }
}

/// The dialog that asks `q`.
pub fn question_dialog(q: &Question) -> Dialog {
    match q {
        Question::Acknowledge { step, text } => Dialog::Question {
            step: *step,
            text: text.clone(),
            acknowledge: true,
        },
        Question::Confirm { step, text } => Dialog::Question {
            step: *step,
            text: text.clone(),
            acknowledge: false,
        },
        Question::ConfirmOp {
            step,
            summary,
            preview,
            confirmation,
        } => Dialog::Op(OpDialog {
            origin: OpOrigin::Run { step: *step },
            title: summary.clone(),
            stage: OpStage::Ready {
                preview: preview.clone(),
                confirmation: confirmation.clone(),
            },
            typed: String::new(),
            error: None,
        }),
    }
}

fn status_label(s: &RunStatus) -> String {
    s.label()
}

pub fn status_text(s: &RunStatus) -> String {
    status_label(s)
}

/// Whether `run` is the active run's (or the active run has no id yet).
fn is_active(state: &AppState, id: &str) -> bool {
    state
        .runbooks
        .run
        .as_ref()
        .is_some_and(|r| r.id.as_deref().is_none_or(|own| own == id))
}

fn show_run_view(state: &mut AppState) {
    if !matches!(state.view(), View::Run) {
        state.views.push(View::Run);
    }
}

pub(super) fn on_msg(state: &mut AppState, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Runbooks(Ok(list)) => {
            state.runbooks.catalog = list;
            state.runbooks.catalog_error = None;
            state.runbooks.loaded = true;
        }
        Msg::Runbooks(Err(why)) => {
            state.say(format!("runbooks: {why}"));
            state.runbooks.catalog_error = Some(why);
            state.runbooks.loaded = true;
        }
        Msg::Interrupted(runs) => {
            if !runs.is_empty() {
                let ids: Vec<&str> = runs.iter().map(|r| r.id.as_str()).collect();
                let text = format!(
                    "{} interrupted run{}: {} — :runbooks to resume (r) or clean up (c)",
                    runs.len(),
                    if runs.len() == 1 { "" } else { "s" },
                    ids.join(", ")
                );
                state.say_for(text, 60);
            }
            state.runbooks.interrupted = runs;
            state.runbooks.interrupted_selected = 0;
        }
        Msg::DrillNamespaces(found) => {
            // Namespaces of an interrupted run are already announced with that run.
            let orphans: Vec<String> = found
                .iter()
                .filter(|(_, run)| !state.runbooks.interrupted.iter().any(|r| &r.id == run))
                .map(|(ns, run)| format!("{ns} (run {run})"))
                .collect();
            if !orphans.is_empty() {
                state.say_for(
                    format!(
                        "drill namespace{} still present: {} — `lakedeck runbook cleanup <run>` where the run lives, or check who is drilling",
                        if orphans.len() == 1 { "" } else { "s" },
                        orphans.join(", ")
                    ),
                    60,
                );
            }
        }
        Msg::RunStarted(Ok(id)) => {
            state.runbooks.interrupted.retain(|r| r.id != id);
            match &mut state.runbooks.run {
                Some(run) if run.id.is_none() || run.id.as_deref() == Some(&id) => {
                    run.id = Some(id);
                }
                _ => {
                    state.runbooks.run = Some(ActiveRun {
                        runbook: id.clone(),
                        id: Some(id),
                        state: None,
                        pending: None,
                        finished: false,
                        report: None,
                        cursor: None,
                    });
                }
            }
            show_run_view(state);
        }
        Msg::RunStarted(Err(why)) => {
            if state.runbooks.run.as_ref().is_some_and(|r| r.id.is_none()) {
                state.runbooks.run = None;
                if matches!(state.view(), View::Run) {
                    state.views.pop();
                }
            }
            state.say(format!("cannot start the run: {why}"));
        }
        Msg::RunState(rs) => {
            if is_active(state, &rs.id)
                && let Some(run) = &mut state.runbooks.run
            {
                run.id = Some(rs.id.clone());
                run.runbook = rs.runbook.clone();
                run.state = Some(rs);
            }
        }
        Msg::RunAsk(q) => {
            let Some(run) = &mut state.runbooks.run else {
                return Vec::new();
            };
            run.pending = Some(q.clone());
            if state.dialog.is_none() {
                state.dialog = Some(question_dialog(&q));
            } else {
                state.say("the run waits for you: enter in the run view (:runbooks)");
            }
        }
        Msg::RunFinished(rs) => {
            if !is_active(state, &rs.id) {
                return Vec::new();
            }
            let text = format!("run {} {}", rs.id, status_label(&rs.status));
            let report = rs.report.clone();
            let id = rs.id.clone();
            if let Some(run) = &mut state.runbooks.run {
                run.id = Some(rs.id.clone());
                run.state = Some(rs);
                run.finished = true;
                run.pending = None;
            }
            // A question of this run still on screen can no longer be answered.
            if matches!(
                state.dialog,
                Some(Dialog::Question { .. })
                    | Some(Dialog::Notes(_))
                    | Some(Dialog::Op(OpDialog {
                        origin: OpOrigin::Run { .. },
                        ..
                    }))
            ) {
                state.dialog = None;
            }
            state.say(text);
            if let Some(path) = report {
                return vec![Effect::LoadReport { run: id, path }];
            }
        }
        Msg::RunReport { run, result } => {
            let title = report_title(&run);
            if let Some(View::Detail {
                title: t, lines, ..
            }) = state.view_mut()
                && *t == title
            {
                *lines = Some(result.clone());
            }
            if let Some(active) = &mut state.runbooks.run
                && active.id.as_deref() == Some(run.as_str())
            {
                active.report = Some(result);
            }
        }
        _ => {}
    }
    Vec::new()
}

fn report_title(run: &str) -> String {
    format!("report {run}")
}

/// Starts `runbook` (one run at a time): the run view opens and waits for the engine.
pub(super) fn start(
    state: &mut AppState,
    runbook: String,
    params: BTreeMap<String, String>,
) -> Result<Vec<Effect>, String> {
    if let Some(run) = state.runbooks.run.as_ref().filter(|r| !r.finished) {
        return Err(format!(
            "run {} is still going — finish or abort it first",
            run.id.as_deref().unwrap_or(&run.runbook)
        ));
    }
    state.runbooks.run = Some(ActiveRun {
        id: None,
        runbook: runbook.clone(),
        state: None,
        pending: None,
        finished: false,
        report: None,
        cursor: None,
    });
    show_run_view(state);
    Ok(vec![Effect::StartRunbook {
        name: runbook,
        params,
    }])
}

/// Run `name`: its parameter form first when it has parameters.
fn run_runbook(state: &mut AppState, name: &str) -> Vec<Effect> {
    let Some(rb) = state.runbooks.get(name).cloned() else {
        state.say(format!("no runbook {name}"));
        return Vec::new();
    };
    if state.runbooks.running() {
        state.say("a run is still going — finish or abort it first (:runbooks, enter)");
        return Vec::new();
    }
    if rb.params.is_empty() {
        return start(state, rb.name, BTreeMap::new()).unwrap_or_else(|e| {
            state.say(e);
            Vec::new()
        });
    }
    let fields = rb
        .params
        .iter()
        .map(|p| {
            // A computed default (`{{ lookups.workers.replicas + 2 }}`) means nothing to
            // the operator: the field starts empty and says when it is worked out.
            let computed = is_computed(p.default.as_deref());
            let help = if computed {
                format!("{} (leave empty: worked out when the run starts)", p.help)
            } else {
                p.help.clone()
            };
            let value = if computed {
                ""
            } else {
                p.default.as_deref().unwrap_or("")
            };
            Field::new(&p.name, &help, value, p.default.is_none())
        })
        .collect();
    state.dialog = Some(Dialog::Form(Form::new(
        "Run runbook",
        vec![
            format!("{} — {}", rb.name, rb.title),
            "enter runs it; every op still asks before it changes anything".into(),
        ],
        fields,
        FormPurpose::Params {
            runbook: rb.name.clone(),
            defaults: rb.params.iter().map(|p| p.default.clone()).collect(),
        },
    )));
    Vec::new()
}

/// Whether a parameter's default is a template the engine computes at start.
pub fn is_computed(default: Option<&str>) -> bool {
    default.is_some_and(|d| d.contains("{{"))
}

fn selected_interrupted(state: &AppState) -> Option<String> {
    state
        .runbooks
        .interrupted
        .get(state.runbooks.interrupted_selected)
        .map(|r| r.id.clone())
}

fn resume(state: &mut AppState, id: String, cleanup: bool) -> Vec<Effect> {
    if state.runbooks.running() {
        state.say("a run is still going — finish or abort it first");
        return Vec::new();
    }
    if cleanup {
        state.dialog = Some(Dialog::Confirm {
            title: "Clean up".into(),
            text: vec![
                format!("clean up run {id}?"),
                "its finally steps run (e.g. deleting drill namespaces);".into(),
                "the run ends as aborted and its report is written".into(),
            ],
            on_yes: vec![Effect::CleanupRun(id)],
        });
        return Vec::new();
    }
    state.runbooks.run = Some(ActiveRun {
        id: Some(id.clone()),
        runbook: id.clone(),
        state: state
            .runbooks
            .interrupted
            .iter()
            .find(|r| r.id == id)
            .cloned(),
        pending: None,
        finished: false,
        report: None,
        cursor: None,
    });
    show_run_view(state);
    vec![Effect::ResumeRun(id)]
}

/// What runbook actions and the list keys mean in the runbook views.
pub(super) fn apply(state: &mut AppState, action: Action) -> Vec<Effect> {
    let view = state.view().clone();
    match (action, view) {
        (Action::Runbooks, _) => {
            state.views = vec![View::Overview, View::Runbooks];
            if let Some(e) = &state.runbooks.catalog_error {
                let e = e.clone();
                state.say(format!("runbooks: {e}"));
            }
        }
        (Action::ShowRunbook(name), _) => {
            if let Some(rb) = state.runbooks.get(&name) {
                let name = rb.name.clone();
                state.views.push(View::Runbook { name, scroll: 0 });
            } else {
                state.say(format!("no runbook {name} (:runbooks lists them)"));
            }
        }
        (Action::OpenRunbook, View::Alerts) => {
            let Some(a) = state.selected_alert() else {
                return Vec::new();
            };
            match state.runbooks.for_alert(&a.name, a.runbook.as_deref()) {
                Some(rb) => {
                    let name = rb.name.clone();
                    state.views.push(View::Runbook { name, scroll: 0 });
                }
                None => state.say(format!(
                    "no runbook for {}{}",
                    a.name,
                    a.runbook
                        .as_deref()
                        .map(|r| format!(" (its runbook annotation: {r})"))
                        .unwrap_or_default()
                )),
            }
        }
        (Action::SwitchTable, View::Runbooks) => {
            state.runbooks.focus = match state.runbooks.focus {
                RunbooksTable::Catalog if !state.runbooks.interrupted.is_empty() => {
                    RunbooksTable::Interrupted
                }
                _ => RunbooksTable::Catalog,
            };
        }
        (action @ (Action::Enter | Action::Run), View::Runbooks) => match state.runbooks.focus {
            RunbooksTable::Catalog => {
                let Some(name) = state
                    .runbooks
                    .catalog
                    .get(state.runbooks.selected)
                    .map(|r| r.name.clone())
                else {
                    state.say("no runbook selected");
                    return Vec::new();
                };
                if action == Action::Run {
                    return run_runbook(state, &name);
                }
                state.views.push(View::Runbook { name, scroll: 0 });
            }
            RunbooksTable::Interrupted => match selected_interrupted(state) {
                Some(id) => return resume(state, id, false),
                None => state.say("no interrupted run selected"),
            },
        },
        (Action::Cleanup, View::Runbooks) => match selected_interrupted(state) {
            Some(id) if state.runbooks.focus == RunbooksTable::Interrupted => {
                return resume(state, id, true);
            }
            _ => state.say("select an interrupted run first (tab switches tables)"),
        },
        (Action::Enter | Action::Run, View::Runbook { name, .. }) => {
            return run_runbook(state, &name);
        }
        (Action::Enter, View::Run) => {
            let Some(run) = &state.runbooks.run else {
                return Vec::new();
            };
            if let Some(q) = &run.pending {
                state.dialog = Some(question_dialog(q));
            } else if run.finished {
                return apply(state, Action::Report);
            }
        }
        (Action::Notes, View::Run) => {
            if !state.runbooks.running() {
                state.say("notes go to a running run; this one has finished");
                return Vec::new();
            }
            let mut area = ratatui_textarea::TextArea::default();
            area.set_placeholder_text("what you saw or did — enter adds it to the run");
            state.dialog = Some(Dialog::Notes(Box::new(area)));
        }
        (Action::Abort, View::Run) => {
            if !state.runbooks.running() {
                state.say("nothing to abort: the run has finished");
                return Vec::new();
            }
            let id = state
                .runbooks
                .run
                .as_ref()
                .and_then(|r| r.id.clone())
                .unwrap_or_default();
            state.dialog = Some(Dialog::Confirm {
                title: "Abort".into(),
                text: vec![
                    format!("abort run {id}?"),
                    "the current step stops; the finally steps still run".into(),
                ],
                on_yes: vec![Effect::AbortRun],
            });
        }
        (Action::Report, View::Run) => {
            let Some(run) = &state.runbooks.run else {
                return Vec::new();
            };
            let id = run.id.clone().unwrap_or_default();
            let path = run.state.as_ref().and_then(|s| s.report.clone());
            let loaded = run.report.clone();
            match (loaded, path) {
                (Some(lines), _) => state.views.push(View::Detail {
                    title: report_title(&id),
                    lines: Some(lines),
                    scroll: 0,
                }),
                (None, Some(path)) => {
                    state.views.push(View::Detail {
                        title: report_title(&id),
                        lines: None,
                        scroll: 0,
                    });
                    return vec![Effect::LoadReport { run: id, path }];
                }
                (None, None) => state.say("no report yet: it is written when the run ends"),
            }
        }
        (_, _) => state.say("not available in this view"),
    }
    Vec::new()
}

/// Cursor moves in the runbook views (`delta` rows; `None` = top/bottom by sign).
pub(super) fn move_cursor(state: &mut AppState, delta: isize, to_end: Option<bool>) {
    let clamp = |cur: usize, len: usize| -> usize {
        match to_end {
            Some(false) => 0,
            Some(true) => len.saturating_sub(1),
            None => (cur as isize + delta).clamp(0, len.saturating_sub(1) as isize) as usize,
        }
    };
    match state.views.last_mut() {
        Some(View::Runbooks) => {
            let r = &mut state.runbooks;
            match r.focus {
                RunbooksTable::Catalog => r.selected = clamp(r.selected, r.catalog.len()),
                RunbooksTable::Interrupted => {
                    r.interrupted_selected = clamp(r.interrupted_selected, r.interrupted.len())
                }
            }
        }
        Some(View::Runbook { scroll, .. }) => {
            *scroll = match to_end {
                Some(false) => 0,
                Some(true) => usize::MAX / 2,
                None => (*scroll as isize + delta).max(0) as usize,
            };
        }
        Some(View::Run) => {
            let current = state.runbooks.current_step();
            if let Some(run) = &mut state.runbooks.run {
                let len = run.state.as_ref().map_or(0, |s| s.steps.len());
                run.cursor = Some(clamp(current.unwrap_or(0), len));
            }
        }
        _ => {}
    }
}
