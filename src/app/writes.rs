//! Which actions the footer offers where the operator is: no row action (open, logs,
//! kill, …) on a pane without a row under the cursor or whose source is unavailable or
//! forbidden, no note or abort for a finished run; no write in read-only mode, and
//! per action and namespace only those the RBAC pre-check allows — asked once through
//! the op gate's cached SelfSubjectAccessReviews (what `kubectl auth can-i` asks), for
//! the selected row's namespace. The footer and help hide what is not offered, and a
//! form-first action (scale) refuses before asking its questions. Must not decide
//! permissions itself, nor refuse anything: an unknown answer means "offered", and
//! every key pressed anyway still goes to the op gate, which refuses and audits.

use std::collections::HashMap;

use super::pane_ops;
use super::{AppState, Effect};
use crate::ops::Op;

/// The pane actions that write (their keymap names).
pub const WRITE_ACTIONS: &[&str] = &[
    "delete", "restart", "scale", "cordon", "uncordon", "drain", "kill", "silence", "backup",
    "restore",
];

pub fn is_write(name: &str) -> bool {
    WRITE_ACTIONS.contains(&name)
}

/// Answers of the pre-check, by action name and namespace ("" for cluster-scoped ops and
/// ops outside Kubernetes). `None` = asked, no answer yet.
#[derive(Debug, Default)]
pub struct WritePermissions {
    answers: HashMap<(&'static str, String), Option<bool>>,
}

impl WritePermissions {
    /// Forget every answer (another context, or another identity).
    pub fn clear(&mut self) {
        self.answers.clear();
    }
}

/// The keymap names of actions that act on the row under the cursor.
const ROW_ACTIONS: &[&str] = &[
    "enter", "describe", "yaml", "logs", "runbook", "delete", "restart", "scale", "cordon",
    "uncordon", "drain", "kill", "silence", "backup", "restore",
];

impl AppState {
    /// Whether the footer may offer `name` here: a row action needs a row under the cursor
    /// and a source that is not unavailable or forbidden; a write must also be
    /// [`AppState::write_offered`].
    pub fn offered(&self, name: &str) -> bool {
        if ROW_ACTIONS.contains(&name) && !self.has_row_target() {
            return false;
        }
        // A finished run takes no more notes and has nothing to abort.
        if matches!(self.view(), super::View::Run)
            && matches!(name, "notes" | "abort")
            && !self.runbooks.running()
        {
            return false;
        }
        self.write_offered(name)
    }

    /// A row is under the cursor of the current view, and the view's source can still be
    /// read (views without a selection of their own have nothing to check).
    fn has_row_target(&self) -> bool {
        use super::platform::VeleroTable;
        use super::{SourceId, SourceState, View};
        let p = &self.platform;
        let (source, selected) = match self.view() {
            View::Pods | View::Overview => (SourceId::Pods, self.pods.selected_row().is_some()),
            View::Nodes => (SourceId::Nodes, self.nodes.selected_row().is_some()),
            View::Trino => (SourceId::Trino, p.queries.selected_row().is_some()),
            View::Alerts => (SourceId::Alerts, p.alert_rows.selected_row().is_some()),
            View::Silences => (SourceId::Alerts, p.silences.selected_row().is_some()),
            View::Velero => (
                SourceId::Velero,
                match p.velero_focus {
                    VeleroTable::Backups => p.backups.selected_row().is_some(),
                    VeleroTable::Schedules => p.schedules.selected_row().is_some(),
                },
            ),
            _ => return true,
        };
        selected
            && !matches!(
                self.source(source),
                SourceState::Unavailable(_) | SourceState::Forbidden(_)
            )
    }

    /// Whether the footer and help may offer `name` for the current selection: false in
    /// read-only mode or when the pre-check said no; true for anything that is not a write.
    pub fn write_offered(&self, name: &str) -> bool {
        if !is_write(name) {
            return true;
        }
        if self.connection.readonly {
            return false;
        }
        self.write_offered_in(self.view(), name)
    }

    /// The same for `view` (the help screen asks about the view beneath it).
    pub fn write_offered_in(&self, view: &super::View, name: &str) -> bool {
        if !is_write(name) {
            return true;
        }
        if self.connection.readonly {
            return false;
        }
        match pane_ops::probe(self, view, name) {
            Some((action, op)) => self
                .writes
                .answers
                .get(&(action, namespace_of(&op)))
                .copied()
                .flatten()
                .unwrap_or(true),
            None => true,
        }
    }
}

/// The pre-checks the current view's selection still needs, as one effect.
pub(super) fn wanted(state: &mut AppState) -> Option<Effect> {
    if state.connection.readonly {
        return None;
    }
    let mut asks = Vec::new();
    let view = state.view().clone();
    for name in WRITE_ACTIONS {
        let Some((action, op)) = pane_ops::probe(state, &view, name) else {
            continue;
        };
        let key = (action, namespace_of(&op));
        if state.writes.answers.contains_key(&key) {
            continue;
        }
        state.writes.answers.insert(key.clone(), None);
        asks.push((key.0, key.1, op));
    }
    (!asks.is_empty()).then_some(Effect::CheckWrites(asks))
}

/// The runtime's answers to [`Effect::CheckWrites`].
pub(super) fn on_checked(state: &mut AppState, answers: Vec<(&'static str, String, bool)>) {
    for (action, namespace, allowed) in answers {
        state
            .writes
            .answers
            .insert((action, namespace), Some(allowed));
    }
    state.dirty = true;
}

/// The namespace whose RBAC decides `op` ("" when no namespace does).
fn namespace_of(op: &Op) -> String {
    match op {
        Op::Scale { namespace, .. }
        | Op::RolloutRestart { namespace, .. }
        | Op::DeletePod { namespace, .. }
        | Op::RotateSecret { namespace, .. }
        | Op::RestoreSecret { namespace, .. }
        | Op::ForceSyncExternalSecret { namespace, .. } => namespace.clone(),
        Op::BackupFromSchedule {
            velero_namespace, ..
        }
        | Op::Restore {
            velero_namespace, ..
        } => velero_namespace.clone(),
        Op::Cordon { .. }
        | Op::Uncordon { .. }
        | Op::Drain { .. }
        | Op::DeleteDrillNamespace { .. }
        | Op::CreateSilence { .. }
        | Op::ExpireSilence { .. }
        | Op::KillTrinoQuery { .. } => String::new(),
    }
}
