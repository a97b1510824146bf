//! PLACEHOLDER on branch `tui`: the run-state and question types of the shared issue-5
//! contract (runbook/ API) that the cockpit draws and answers, so the TUI can be built
//! before the real runbook module lands. The real `src/runbook/` replaces this file on
//! merge.

use std::collections::BTreeMap;
use std::path::PathBuf;

use jiff::Timestamp;

use crate::ops::Confirmation;

#[derive(Debug, Clone, PartialEq)]
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
    pub report: Option<PathBuf>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum RunStatus {
    Running,
    Succeeded,
    Failed(String),
    Aborted,
    Interrupted,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StepState {
    pub name: String,
    pub kind: String,
    pub is_finally: bool,
    pub state: StepOutcome,
    pub started: Option<Timestamp>,
    pub ended: Option<Timestamp>,
    pub detail: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum StepOutcome {
    Pending,
    Running,
    Waiting,
    Done,
    Failed(String),
    Skipped,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Note {
    pub at: Timestamp,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Question {
    Acknowledge {
        step: usize,
        text: String,
    },
    Confirm {
        step: usize,
        text: String,
    },
    ConfirmOp {
        step: usize,
        summary: String,
        preview: Vec<String>,
        confirmation: Confirmation,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Yes,
    No,
    Typed(String),
}
