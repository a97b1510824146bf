//! The runbook module's errors: each one line that says what is wrong and what is
//! valid instead. A bad file points at file:line:column like the config loader.

use crate::config::located;

#[derive(Debug, Clone, thiserror::Error)]
pub enum RunbookError {
    /// A runbook file that cannot be used (YAML, unknown field or step kind, template
    /// syntax, a reference to an unknown parameter or step).
    #[error("{}", located(file, *line, *column, message))]
    Invalid {
        file: String,
        line: u64,
        column: u64,
        message: String,
    },
    #[error("unknown runbook {name:?}; known runbooks: {}", known.join(", "))]
    UnknownRunbook { name: String, known: Vec<String> },
    /// Unknown parameter, a value of the wrong type or out of range, a missing one.
    #[error("{0}")]
    Param(String),
    #[error("no run {id:?} in {dir}; runs there: {}", if known.is_empty() { "none".to_string() } else { known.join(", ") })]
    UnknownRun {
        id: String,
        dir: String,
        known: Vec<String>,
    },
    /// The run cannot be resumed (finished, or still owned by a live process).
    #[error("{0}")]
    NotResumable(String),
    #[error("{0}")]
    Io(String),
}
