//! The modal layer: the op confirmation dialog (checking → preview → confirm → running,
//! or refused as read-only/forbidden with no way to proceed), input forms, a runbook's
//! questions, the operator notes box and plain yes/no confirmations. A dialog gets
//! every key before anything else; esc closes it at every stage. Pure: confirming
//! returns the effect (execute the op, answer the run), it never performs it.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui_textarea::TextArea;

use super::form::{Form, FormKey};
use super::{AppState, Effect, SourceId};
use crate::ops::{Confirmation, Op};
use crate::runbook::Answer;

/// What the runtime learned before an op: its summary, the server's dry run as preview
/// lines (`replicas 3 → 5`; secrets: key names only) and how to confirm it.
#[derive(Debug, Clone, PartialEq)]
pub struct OpPreview {
    pub summary: String,
    pub lines: Vec<String>,
    pub confirmation: Confirmation,
}

/// Why an op cannot go ahead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpRefusal {
    ReadOnly(String),
    Forbidden(String),
    /// The preview (dry run) failed: not found, invalid, refused, API error.
    Failed(String),
}

impl OpRefusal {
    /// One line saying why, starting with what kind of refusal it is.
    pub fn label(&self) -> String {
        let (prefix, why) = match self {
            OpRefusal::ReadOnly(why) => ("read-only: ", why),
            OpRefusal::Forbidden(why) => ("forbidden: ", why),
            OpRefusal::Failed(why) => ("cannot do this: ", why),
        };
        if why.starts_with(prefix) {
            why.clone()
        } else {
            format!("{prefix}{why}")
        }
    }
}

/// Where a confirmation comes from: a pane action (the app owns the op) or a runbook
/// step (the engine owns it and waits for the answer).
#[derive(Debug, Clone, PartialEq)]
pub enum OpOrigin {
    Pane { id: u64, op: Op },
    Run { step: usize },
}

#[derive(Debug, Clone, PartialEq)]
pub enum OpStage {
    /// Permission check and dry run under way.
    Checking,
    Ready {
        preview: Vec<String>,
        confirmation: Confirmation,
    },
    Refused(OpRefusal),
    /// Confirmed; waiting for the outcome.
    Executing,
    /// Executed and failed (the outcome's error).
    Failed(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct OpDialog {
    pub origin: OpOrigin,
    pub title: String,
    pub stage: OpStage,
    /// What the operator typed for `Confirmation::TypeName`.
    pub typed: String,
    pub error: Option<String>,
}

#[derive(Debug, Clone)]
pub enum Dialog {
    Op(OpDialog),
    Form(Form),
    /// A runbook's `note` (acknowledge) or `confirm` step.
    Question {
        step: usize,
        text: String,
        acknowledge: bool,
    },
    /// The operator notes box of the active run.
    Notes(Box<TextArea<'static>>),
    /// y runs `on_yes`; n / esc do nothing.
    Confirm {
        title: String,
        text: Vec<String>,
        on_yes: Vec<Effect>,
    },
}

/// Opens the confirmation dialog for `op` and asks the runtime to check and preview it.
/// Refusals (read-only too) come back from ops/, which records them in the audit log.
pub(super) fn open_op(state: &mut AppState, op: Op) -> Vec<Effect> {
    let id = state.next_op_id();
    let title = op.summary();
    state.dialog = Some(Dialog::Op(OpDialog {
        origin: OpOrigin::Pane { id, op: op.clone() },
        title,
        stage: OpStage::Checking,
        typed: String::new(),
        error: None,
    }));
    vec![Effect::PrepareOp { id, op }]
}

pub(super) fn on_prepared(state: &mut AppState, id: u64, result: Result<OpPreview, OpRefusal>) {
    let Some(Dialog::Op(d)) = &mut state.dialog else {
        return;
    };
    if !matches!(&d.origin, OpOrigin::Pane { id: open, .. } if *open == id)
        || d.stage != OpStage::Checking
    {
        return;
    }
    d.stage = match result {
        Ok(p) => {
            if !p.summary.is_empty() {
                d.title = p.summary;
            }
            OpStage::Ready {
                preview: p.lines,
                confirmation: p.confirmation,
            }
        }
        Err(refusal) => OpStage::Refused(refusal),
    };
}

/// The sources an op changes, so their panes refresh right after it.
fn refreshes(op: &Op) -> Vec<SourceId> {
    match op {
        Op::BackupFromSchedule { .. } | Op::Restore { .. } => vec![SourceId::Velero],
        Op::CreateSilence { .. } | Op::ExpireSilence { .. } => vec![SourceId::Alerts],
        Op::KillTrinoQuery { .. } => vec![SourceId::Trino],
        // Pods and nodes are watched: their changes arrive by themselves.
        _ => Vec::new(),
    }
}

pub(super) fn on_done(
    state: &mut AppState,
    id: u64,
    result: Result<String, String>,
) -> Vec<Effect> {
    let op = state
        .ops_in_flight
        .iter()
        .position(|(i, _)| *i == id)
        .map(|pos| state.ops_in_flight.remove(pos).1);
    let open_here = matches!(
        &state.dialog,
        Some(Dialog::Op(OpDialog { origin: OpOrigin::Pane { id: open, .. }, .. })) if *open == id
    );
    match result {
        Ok(summary) => {
            if open_here {
                state.dialog = None;
            }
            state.say(format!("done: {summary}"));
            op.map(|op| refreshes(&op).into_iter().map(Effect::Refresh).collect())
                .unwrap_or_default()
        }
        Err(why) => {
            if let (true, Some(Dialog::Op(d))) = (open_here, &mut state.dialog) {
                d.stage = OpStage::Failed(why);
            } else {
                state.say(format!("failed: {why}"));
            }
            Vec::new()
        }
    }
}

fn is_ctrl(key: &KeyEvent) -> bool {
    key.modifiers.contains(KeyModifiers::CONTROL)
}

/// A dialog's keys. Returns `None` when no dialog is open (the key goes on to the view).
pub(super) fn on_key(state: &mut AppState, key: KeyEvent) -> Option<Vec<Effect>> {
    let dialog = state.dialog.take()?;
    let (keep, effects) = match dialog {
        Dialog::Op(d) => op_key(state, d, key),
        Dialog::Form(mut form) => match form.on_key(key) {
            FormKey::Stay => (Some(Dialog::Form(form)), Vec::new()),
            FormKey::Cancel => (None, Vec::new()),
            FormKey::Submit => match super::pane_ops::submit(state, &form) {
                Ok(effects) => (state.dialog.take(), effects),
                Err(e) => {
                    form.error = Some(e);
                    (Some(Dialog::Form(form)), Vec::new())
                }
            },
        },
        Dialog::Question {
            step,
            text,
            acknowledge,
        } => {
            let answer = match key.code {
                KeyCode::Enter if acknowledge => Some(Answer::Yes),
                KeyCode::Char('y' | 'Y') if !is_ctrl(&key) => Some(Answer::Yes),
                KeyCode::Char('n' | 'N') if !acknowledge && !is_ctrl(&key) => Some(Answer::No),
                KeyCode::Esc => return Some(Vec::new()),
                _ => None,
            };
            match answer {
                Some(a) => {
                    state.runbooks.answered();
                    (None, vec![Effect::AnswerRun(a)])
                }
                None => (
                    Some(Dialog::Question {
                        step,
                        text,
                        acknowledge,
                    }),
                    Vec::new(),
                ),
            }
        }
        Dialog::Notes(mut area) => match key.code {
            KeyCode::Esc => (None, Vec::new()),
            KeyCode::Enter => {
                let text = area.lines().join(" ").trim().to_string();
                if text.is_empty() {
                    (None, Vec::new())
                } else {
                    state.say("note added to the run");
                    (None, vec![Effect::RunNote(text)])
                }
            }
            KeyCode::Char('m' | 'j') if is_ctrl(&key) => (Some(Dialog::Notes(area)), Vec::new()),
            _ => {
                area.input(key);
                (Some(Dialog::Notes(area)), Vec::new())
            }
        },
        Dialog::Confirm {
            title,
            text,
            on_yes,
        } => match key.code {
            KeyCode::Char('y' | 'Y') if !is_ctrl(&key) => (None, on_yes),
            KeyCode::Char('n' | 'N') | KeyCode::Esc => (None, Vec::new()),
            _ => (
                Some(Dialog::Confirm {
                    title,
                    text,
                    on_yes,
                }),
                Vec::new(),
            ),
        },
    };
    if state.dialog.is_none() {
        state.dialog = keep;
    }
    Some(effects)
}

fn op_key(state: &mut AppState, mut d: OpDialog, key: KeyEvent) -> (Option<Dialog>, Vec<Effect>) {
    let run = matches!(d.origin, OpOrigin::Run { .. });
    let plain = !is_ctrl(&key);
    match (&d.stage, key.code) {
        // Esc leaves at every stage. A run's question stays pending (enter in the run
        // view shows it again); an op already executing reports in the footer.
        (OpStage::Executing, KeyCode::Esc) => {
            state.say("still running — its outcome will show here");
            (None, Vec::new())
        }
        (_, KeyCode::Esc) => (None, Vec::new()),
        (OpStage::Refused(_) | OpStage::Failed(_), KeyCode::Enter | KeyCode::Char('n' | 'q')) => {
            (None, Vec::new())
        }
        (
            OpStage::Ready {
                confirmation: Confirmation::YesNo,
                ..
            },
            KeyCode::Char('y' | 'Y'),
        ) if plain => confirm(state, d, None),
        (
            OpStage::Ready {
                confirmation: Confirmation::YesNo,
                ..
            },
            KeyCode::Char('n' | 'N'),
        ) if plain => {
            if run {
                state.runbooks.answered();
                (None, vec![Effect::AnswerRun(Answer::No)])
            } else {
                (None, Vec::new())
            }
        }
        (
            OpStage::Ready {
                confirmation: Confirmation::TypeName(name),
                ..
            },
            code,
        ) => {
            let name = name.clone();
            match code {
                KeyCode::Enter if d.typed == name => {
                    let typed = std::mem::take(&mut d.typed);
                    confirm(state, d, Some(typed))
                }
                KeyCode::Enter => {
                    d.error = Some(format!("type {name} exactly to confirm (esc cancels)"));
                    (Some(Dialog::Op(d)), Vec::new())
                }
                KeyCode::Backspace => {
                    d.typed.pop();
                    d.error = None;
                    (Some(Dialog::Op(d)), Vec::new())
                }
                KeyCode::Char(c) if plain => {
                    d.typed.push(c);
                    d.error = None;
                    (Some(Dialog::Op(d)), Vec::new())
                }
                _ => (Some(Dialog::Op(d)), Vec::new()),
            }
        }
        _ => (Some(Dialog::Op(d)), Vec::new()),
    }
}

/// The operator confirmed: a pane op is executed (the dialog waits for the outcome), a
/// run's op is answered (the engine executes it).
fn confirm(
    state: &mut AppState,
    mut d: OpDialog,
    typed: Option<String>,
) -> (Option<Dialog>, Vec<Effect>) {
    match &d.origin {
        OpOrigin::Pane { id, op } => {
            let effect = Effect::ExecuteOp {
                id: *id,
                op: op.clone(),
            };
            state.ops_in_flight.push((*id, op.clone()));
            d.stage = OpStage::Executing;
            (Some(Dialog::Op(d)), vec![effect])
        }
        OpOrigin::Run { .. } => {
            state.runbooks.answered();
            let answer = typed.map_or(Answer::Yes, Answer::Typed);
            (None, vec![Effect::AnswerRun(answer)])
        }
    }
}
