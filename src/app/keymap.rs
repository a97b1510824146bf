//! Keys → actions. The defaults are the keys k9s users already know; config may rebind
//! any named action. The help screen is generated from this table, so it cannot drift
//! from what the keys really do. Owns the table; knows nothing about what actions do.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::{Action, BINDABLE};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    pub code: KeyCode,
    pub modifiers: KeyModifiers,
    pub action: &'static str,
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
    }
}

fn ctrl(c: char, action: &'static str) -> Binding {
    Binding {
        code: KeyCode::Char(c),
        modifiers: KeyModifiers::CONTROL,
        action,
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
                Binding {
                    code: Char('G'),
                    modifiers: KeyModifiers::SHIFT,
                    action: "bottom",
                },
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
                Binding {
                    code: Char('T'),
                    modifiers: KeyModifiers::SHIFT,
                    action: "trino",
                },
                Binding {
                    code: Char('K'),
                    modifiers: KeyModifiers::SHIFT,
                    action: "kafka",
                },
                Binding {
                    code: Char('B'),
                    modifiers: KeyModifiers::SHIFT,
                    action: "velero",
                },
                key(Char('!'), "alerts"),
                // k9s sorts with shifted letters.
                Binding {
                    code: Char('N'),
                    modifiers: KeyModifiers::SHIFT,
                    action: "sort-name",
                },
                Binding {
                    code: Char('A'),
                    modifiers: KeyModifiers::SHIFT,
                    action: "sort-age",
                },
                Binding {
                    code: Char('S'),
                    modifiers: KeyModifiers::SHIFT,
                    action: "sort-status",
                },
                Binding {
                    code: Char('R'),
                    modifiers: KeyModifiers::SHIFT,
                    action: "sort-restarts",
                },
                Binding {
                    code: Char('O'),
                    modifiers: KeyModifiers::SHIFT,
                    action: "sort-node",
                },
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
            self.bindings.retain(|b| b.action != action);
            self.bindings
                .extend(keys.into_iter().map(|(code, modifiers)| Binding {
                    code,
                    modifiers,
                    action,
                }));
        }
        Ok(self)
    }

    /// The action a key press means in a normal (non-typing) mode.
    pub fn action(&self, ev: &KeyEvent) -> Option<Action> {
        if let KeyCode::Char(d @ '0'..='9') = ev.code
            && ev.modifiers - KeyModifiers::SHIFT == KeyModifiers::NONE
        {
            return Some(Action::Favourite(d as u8 - b'0'));
        }
        let b = self.bindings.iter().find(|b| same_key(b, ev))?;
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
