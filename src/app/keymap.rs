//! Keys → actions. The defaults are the keys k9s users already know; config may rebind
//! any named action. Pane actions (k9s's `ctrl-d`, `s`, `c`/`u`…) are bound to the pane
//! they act in and win over a global binding of the same key there (`S` silences in the
//! alerts view and sorts by status elsewhere). The help screen is generated from this
//! table, so it cannot drift from what the keys really do. Owns the table; knows nothing
//! about what actions do.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::{Action, BINDABLE};

/// The panes that have keys of their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Pods,
    Nodes,
    Trino,
    Alerts,
    Silences,
    Velero,
    Runbooks,
    Runbook,
    Run,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    pub code: KeyCode,
    pub modifiers: KeyModifiers,
    pub action: &'static str,
    /// `None`: everywhere; `Some(pane)`: only there, ahead of global keys.
    pub pane: Option<Pane>,
}

#[derive(Debug, Clone)]
pub struct Keymap {
    bindings: Vec<Binding>,
}

fn key(code: KeyCode, action: &'static str) -> Binding {
    Binding {
        code,
        modifiers: KeyModifiers::NONE,
        action,
        pane: None,
    }
}

fn ctrl(c: char, action: &'static str) -> Binding {
    Binding {
        code: KeyCode::Char(c),
        modifiers: KeyModifiers::CONTROL,
        action,
        pane: None,
    }
}

fn shift(c: char, action: &'static str) -> Binding {
    Binding {
        code: KeyCode::Char(c),
        modifiers: KeyModifiers::SHIFT,
        action,
        pane: None,
    }
}

/// A binding that only holds in `pane`.
fn at(pane: Pane, b: Binding) -> Binding {
    Binding {
        pane: Some(pane),
        ..b
    }
}

impl Default for Keymap {
    fn default() -> Self {
        use KeyCode::*;
        Self {
            bindings: vec![
                key(Char('q'), "quit"),
                ctrl('c', "quit"),
                key(Esc, "back"),
                key(Char('k'), "up"),
                key(Up, "up"),
                key(Char('j'), "down"),
                key(Down, "down"),
                key(PageUp, "page-up"),
                ctrl('b', "page-up"),
                key(PageDown, "page-down"),
                ctrl('f', "page-down"),
                key(Char('g'), "top"),
                key(Home, "top"),
                shift('G', "bottom"),
                key(End, "bottom"),
                key(Enter, "enter"),
                key(Char('d'), "describe"),
                key(Char('y'), "yaml"),
                key(Char('l'), "logs"),
                key(Char('?'), "help"),
                key(Char(':'), "command"),
                key(Char('/'), "filter"),
                key(Char('f'), "follow"),
                key(Char('w'), "wrap"),
                key(Char('t'), "timestamps"),
                key(Char('p'), "previous"),
                key(Char('c'), "container"),
                // Platform views: keys no k9s habit or other action uses.
                key(Char('m'), "minio"),
                shift('T', "trino"),
                shift('K', "kafka"),
                shift('B', "velero"),
                key(Char('!'), "alerts"),
                // k9s sorts with shifted letters.
                shift('N', "sort-name"),
                shift('A', "sort-age"),
                shift('S', "sort-status"),
                shift('R', "sort-restarts"),
                shift('O', "sort-node"),
                // Pane actions, with k9s's keys where k9s has one.
                at(Pane::Pods, ctrl('d', "delete")),
                at(Pane::Pods, key(Char('r'), "restart")),
                at(Pane::Pods, key(Char('s'), "scale")),
                at(Pane::Nodes, key(Char('c'), "cordon")),
                at(Pane::Nodes, key(Char('u'), "uncordon")),
                at(Pane::Nodes, shift('D', "drain")),
                at(Pane::Trino, key(Char('x'), "kill")),
                at(Pane::Alerts, shift('S', "silence")),
                at(Pane::Alerts, key(Char('o'), "runbook")),
                at(Pane::Silences, ctrl('d', "delete")),
                at(Pane::Velero, key(Char('b'), "backup")),
                at(Pane::Velero, shift('R', "restore")),
                at(Pane::Velero, key(Tab, "switch-table")),
                at(Pane::Runbooks, key(Tab, "switch-table")),
                at(Pane::Runbooks, key(Char('r'), "run")),
                at(Pane::Runbooks, key(Char('c'), "cleanup")),
                at(Pane::Runbook, key(Char('r'), "run")),
                at(Pane::Run, key(Char('n'), "notes")),
                at(Pane::Run, shift('A', "abort")),
                at(Pane::Run, ctrl('c', "abort")),
                at(Pane::Run, key(Char('v'), "report")),
            ],
        }
    }
}

/// Shifted letters arrive with SHIFT on some terminals and without on others.
fn same_key(b: &Binding, ev: &KeyEvent) -> bool {
    let wanted = b.modifiers - KeyModifiers::SHIFT;
    let got = ev.modifiers - KeyModifiers::SHIFT;
    b.code == ev.code && wanted == got
}

impl Keymap {
    /// Replaces the keys of the actions named in `overrides` (config `keys:`).
    pub fn with_overrides<'a>(
        mut self,
        overrides: impl IntoIterator<Item = (&'a str, Vec<(KeyCode, KeyModifiers)>)>,
    ) -> Result<Self, String> {
        for (name, keys) in overrides {
            let Some(&(action, _)) = BINDABLE.iter().find(|(n, _)| *n == name) else {
                let names: Vec<&str> = BINDABLE.iter().map(|(n, _)| *n).collect();
                return Err(format!(
                    "unknown action {name:?} in keys; known actions: {}",
                    names.join(", ")
                ));
            };
            // A pane action keeps its pane(s): new keys for `scale` still only scale pods.
            let mut panes: Vec<Option<Pane>> = self
                .bindings
                .iter()
                .filter(|b| b.action == action)
                .map(|b| b.pane)
                .collect();
            panes.dedup();
            if panes.is_empty() {
                panes.push(None);
            }
            self.bindings.retain(|b| b.action != action);
            for pane in panes {
                self.bindings
                    .extend(keys.iter().map(|&(code, modifiers)| Binding {
                        code,
                        modifiers,
                        action,
                        pane,
                    }));
            }
        }
        Ok(self)
    }

    /// The action a key press means in a normal (non-typing) mode, outside any pane.
    pub fn action(&self, ev: &KeyEvent) -> Option<Action> {
        self.action_in(None, ev)
    }

    /// The action a key press means in `pane`: the pane's own keys first, then the
    /// global ones.
    pub fn action_in(&self, pane: Option<Pane>, ev: &KeyEvent) -> Option<Action> {
        if let Some(b) = pane.and_then(|p| {
            self.bindings
                .iter()
                .find(|b| b.pane == Some(p) && same_key(b, ev))
        }) {
            return Action::from_name(b.action);
        }
        if let KeyCode::Char(d @ '0'..='9') = ev.code
            && ev.modifiers - KeyModifiers::SHIFT == KeyModifiers::NONE
        {
            return Some(Action::Favourite(d as u8 - b'0'));
        }
        let b = self
            .bindings
            .iter()
            .find(|b| b.pane.is_none() && same_key(b, ev))?;
        Action::from_name(b.action)
    }

    /// Rows for the help screen: (keys, action name, description), in BINDABLE order.
    pub fn help_rows(&self) -> Vec<(String, &'static str, &'static str)> {
        BINDABLE
            .iter()
            .map(|(name, description)| {
                let keys: Vec<String> = self
                    .bindings
                    .iter()
                    .filter(|b| b.action == *name)
                    .map(describe_key)
                    .collect();
                (keys.join(" "), *name, *description)
            })
            .collect()
    }

    /// The first key bound to an action, for footer hints.
    pub fn key_for(&self, name: &str) -> Option<String> {
        self.bindings
            .iter()
            .find(|b| b.action == name)
            .map(describe_key)
    }

    /// The first key bound to an action in `pane` (its own keys, else a global one).
    pub fn key_in(&self, pane: Pane, name: &str) -> Option<String> {
        self.bindings
            .iter()
            .find(|b| b.action == name && b.pane == Some(pane))
            .or_else(|| {
                self.bindings
                    .iter()
                    .find(|b| b.action == name && b.pane.is_none())
            })
            .map(describe_key)
    }
}

pub fn describe_key(b: &Binding) -> String {
    let base = match b.code {
        KeyCode::Char(' ') => "space".to_string(),
        KeyCode::Char(c) => c.to_string(),
        KeyCode::Up => "↑".into(),
        KeyCode::Down => "↓".into(),
        KeyCode::Left => "←".into(),
        KeyCode::Right => "→".into(),
        KeyCode::PageUp => "pgup".into(),
        KeyCode::PageDown => "pgdn".into(),
        KeyCode::Home => "home".into(),
        KeyCode::End => "end".into(),
        KeyCode::Enter => "enter".into(),
        KeyCode::Esc => "esc".into(),
        KeyCode::Tab => "tab".into(),
        other => format!("{other:?}").to_lowercase(),
    };
    if b.modifiers.contains(KeyModifiers::CONTROL) {
        format!("ctrl-{base}")
    } else if b.modifiers.contains(KeyModifiers::ALT) {
        format!("alt-{base}")
    } else {
        base
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    #[test]
    fn k9s_keys_work_and_help_lists_them() {
        let km = Keymap::default();
        assert_eq!(
            km.action(&press(KeyCode::Char('j'), KeyModifiers::NONE)),
            Some(Action::Down)
        );
        assert_eq!(
            km.action(&press(KeyCode::Char('G'), KeyModifiers::NONE)),
            Some(Action::Bottom)
        );
        assert_eq!(
            km.action(&press(KeyCode::Char('G'), KeyModifiers::SHIFT)),
            Some(Action::Bottom)
        );
        assert_eq!(
            km.action(&press(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            Some(Action::Quit)
        );
        assert_eq!(
            km.action(&press(KeyCode::Char('3'), KeyModifiers::NONE)),
            Some(Action::Favourite(3))
        );
        // Pane keys hold in their pane and win there over global ones.
        let shift_s = press(KeyCode::Char('S'), KeyModifiers::SHIFT);
        assert_eq!(
            km.action_in(Some(Pane::Alerts), &shift_s),
            Some(Action::Silence)
        );
        assert_eq!(
            km.action_in(Some(Pane::Pods), &shift_s),
            Some(Action::SortBy("status".into()))
        );
        let ctrl_d = press(KeyCode::Char('d'), KeyModifiers::CONTROL);
        assert_eq!(
            km.action_in(Some(Pane::Pods), &ctrl_d),
            Some(Action::Delete)
        );
        assert_eq!(km.action_in(Some(Pane::Nodes), &ctrl_d), None);
        let ctrl_c = press(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(km.action_in(Some(Pane::Run), &ctrl_c), Some(Action::Abort));
        let help = km.help_rows();
        assert!(
            help.iter()
                .any(|(keys, name, _)| *name == "quit" && keys.contains("ctrl-c"))
        );
    }

    #[test]
    fn rebinding_replaces_the_old_keys() -> Result<(), String> {
        let km = Keymap::default()
            .with_overrides([("describe", vec![(KeyCode::Char('D'), KeyModifiers::SHIFT)])])?;
        assert_eq!(
            km.action(&press(KeyCode::Char('d'), KeyModifiers::NONE)),
            None
        );
        assert_eq!(
            km.action(&press(KeyCode::Char('D'), KeyModifiers::SHIFT)),
            Some(Action::Describe)
        );
        assert!(Keymap::default().with_overrides([("fly", vec![])]).is_err());
        Ok(())
    }
}
