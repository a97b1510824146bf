//! Small input forms shown in the dialog layer before an op or a run: a list of
//! one-line ratatui-textarea fields with labels, help and a validation error, plus the
//! parsers for what operators type into them (durations, silence matchers, namespace
//! mappings, replica counts). Pure state; what a submitted form does is decided by the
//! caller from its [`FormPurpose`].

use std::collections::BTreeMap;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use jiff::SignedDuration;
use ratatui_textarea::TextArea;

use crate::ops::{SilenceMatcher, WorkloadKind};

/// One labelled one-line input.
#[derive(Debug, Clone)]
pub struct Field {
    pub label: String,
    pub help: String,
    pub input: TextArea<'static>,
    pub required: bool,
}

impl Field {
    pub fn new(label: &str, help: &str, value: &str, required: bool) -> Field {
        let mut input = TextArea::new(vec![value.to_string()]);
        input.move_cursor(ratatui_textarea::CursorMove::End);
        Field {
            label: label.to_string(),
            help: help.to_string(),
            input,
            required,
        }
    }

    /// What was typed, on one line, trimmed.
    pub fn value(&self) -> String {
        self.input.lines().join(" ").trim().to_string()
    }
}

/// What a submitted form is for.
#[derive(Debug, Clone, PartialEq)]
pub enum FormPurpose {
    Scale {
        kind: WorkloadKind,
        namespace: String,
        name: String,
    },
    /// Matchers, duration and comment for a new Alertmanager silence.
    Silence,
    Restore {
        velero_namespace: String,
        backup: String,
    },
    /// A runbook's parameters; `defaults` in field order (unchanged defaults are left to
    /// the engine, which may compute them).
    Params {
        runbook: String,
        defaults: Vec<Option<String>>,
    },
}

#[derive(Debug, Clone)]
pub struct Form {
    pub title: String,
    /// Lines above the fields (what the form will do).
    pub intro: Vec<String>,
    pub fields: Vec<Field>,
    pub focus: usize,
    pub error: Option<String>,
    pub purpose: FormPurpose,
}

/// What a key did to a form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormKey {
    Stay,
    Cancel,
    Submit,
}

impl Form {
    pub fn new(title: &str, intro: Vec<String>, fields: Vec<Field>, purpose: FormPurpose) -> Form {
        Form {
            title: title.to_string(),
            intro,
            fields,
            focus: 0,
            error: None,
            purpose,
        }
    }

    /// Tab/↓ and shift-tab/↑ move between fields, enter submits (after the required
    /// fields are filled), esc cancels; everything else edits the focused field.
    pub fn on_key(&mut self, key: KeyEvent) -> FormKey {
        let n = self.fields.len().max(1);
        match key.code {
            KeyCode::Esc => return FormKey::Cancel,
            KeyCode::Tab | KeyCode::Down => self.focus = (self.focus + 1) % n,
            KeyCode::BackTab | KeyCode::Up => self.focus = (self.focus + n - 1) % n,
            KeyCode::Enter => {
                if let Some((i, f)) = self
                    .fields
                    .iter()
                    .enumerate()
                    .find(|(_, f)| f.required && f.value().is_empty())
                {
                    self.error = Some(format!("{} is required", f.label));
                    self.focus = i;
                    return FormKey::Stay;
                }
                return FormKey::Submit;
            }
            // ctrl-m / ctrl-j would insert a newline into a one-line field.
            KeyCode::Char('m' | 'j') if key.modifiers.contains(KeyModifiers::CONTROL) => {}
            _ => {
                if let Some(f) = self.fields.get_mut(self.focus) {
                    f.input.input(key);
                    self.error = None;
                }
            }
        }
        FormKey::Stay
    }

    pub fn values(&self) -> Vec<String> {
        self.fields.iter().map(Field::value).collect()
    }
}

/// `2h`, `90m`, `1h30m`, `1d` (Alertmanager-style), or jiff's `2h 30m` / ISO 8601.
pub fn parse_duration(text: &str) -> Result<SignedDuration, String> {
    let t = text.trim();
    let bad = || format!("duration {t:?} not understood — write e.g. 2h, 30m, 1h30m or 1d");
    let mut total: i64 = 0;
    let mut number = String::new();
    let mut any = false;
    for c in t.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        if c == ' ' {
            continue;
        }
        let unit = match c {
            'w' => 7 * 86_400,
            'd' => 86_400,
            'h' => 3_600,
            'm' => 60,
            's' => 1,
            _ => return t.parse::<SignedDuration>().map_err(|_| bad()),
        };
        let n: i64 = number.parse().map_err(|_| bad())?;
        total = n
            .checked_mul(unit)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(bad)?;
        number.clear();
        any = true;
    }
    if !any || !number.is_empty() {
        return Err(bad());
    }
    if total <= 0 {
        return Err(format!("duration {t:?} must be longer than zero"));
    }
    Ok(SignedDuration::from_secs(total))
}

/// `alertname=TrinoQueueHigh namespace="trino" pod=~"trino-.*" env!=dev`, separated by
/// spaces or commas. At least one matcher.
pub fn parse_matchers(text: &str) -> Result<Vec<SilenceMatcher>, String> {
    let mut out = Vec::new();
    for term in split_terms(text) {
        let (name, op, value) = ["=~", "!~", "!=", "="]
            .iter()
            .find_map(|op| term.split_once(op).map(|(n, v)| (n, *op, v)))
            .ok_or_else(|| {
                format!("matcher {term:?} has no operator — write name=value (or !=, =~, !~)")
            })?;
        let name = name.trim();
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(format!("matcher {term:?}: {name:?} is not a label name"));
        }
        let value = value.trim().trim_matches('"').to_string();
        out.push(SilenceMatcher {
            name: name.to_string(),
            value,
            is_regex: op.ends_with('~'),
            is_equal: !op.starts_with('!'),
        });
    }
    if out.is_empty() {
        return Err("at least one matcher is needed (e.g. alertname=TrinoQueueHigh)".into());
    }
    Ok(out)
}

/// The matchers as the form shows them.
pub fn format_matchers(labels: &[(String, String)]) -> String {
    labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Terms separated by spaces or commas; quotes keep spaces inside a value.
fn split_terms(text: &str) -> Vec<String> {
    let mut terms = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                current.push(c);
            }
            ' ' | ',' if !quoted => {
                if !current.is_empty() {
                    terms.push(std::mem::take(&mut current));
                }
            }
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        terms.push(current);
    }
    terms
}

/// Velero's `--namespace-mappings` syntax: `src:dst,src2:dst2`.
pub fn parse_mapping(text: &str) -> Result<BTreeMap<String, String>, String> {
    let mut out = BTreeMap::new();
    for term in split_terms(text) {
        let (from, to) = term
            .split_once(':')
            .ok_or_else(|| format!("{term:?}: write source:target, e.g. trino:trino-restore"))?;
        let (from, to) = (from.trim(), to.trim());
        for ns in [from, to] {
            if !is_dns_label(ns) {
                return Err(format!(
                    "{ns:?} is not a namespace name (lower-case letters, digits and '-', at most 63)"
                ));
            }
        }
        out.insert(from.to_string(), to.to_string());
    }
    if out.is_empty() {
        return Err("map at least one namespace, e.g. trino:trino-restore".into());
    }
    Ok(out)
}

/// The mapping as the form shows it.
pub fn format_mapping(mapping: &BTreeMap<String, String>) -> String {
    mapping
        .iter()
        .map(|(k, v)| format!("{k}:{v}"))
        .collect::<Vec<_>>()
        .join(",")
}

fn is_dns_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// A replica count between 0 and 1000.
pub fn parse_replicas(text: &str) -> Result<i32, String> {
    match text.trim().parse::<i32>() {
        Ok(n) if (0..=1000).contains(&n) => Ok(n),
        _ => Err(format!(
            "replicas {:?} must be a whole number from 0 to 1000",
            text.trim()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_operators_type() {
        assert_eq!(parse_duration("2h"), Ok(SignedDuration::from_hours(2)));
        assert_eq!(parse_duration("1h30m"), Ok(SignedDuration::from_mins(90)));
        assert_eq!(parse_duration(" 90m "), Ok(SignedDuration::from_mins(90)));
        assert_eq!(parse_duration("1d"), Ok(SignedDuration::from_hours(24)));
        assert!(parse_duration("").is_err());
        assert!(parse_duration("2").is_err());
        assert!(parse_duration("0m").is_err());
        assert!(parse_duration("soon").is_err_and(|e| e.contains("2h")));
    }

    #[test]
    fn matchers_with_operators_and_quotes() {
        let m = parse_matchers(
            r#"alertname=TrinoQueueHigh, namespace="trino" pod=~"trino-.*" env!=dev"#,
        )
        .unwrap_or_default();
        assert_eq!(m.len(), 4);
        assert_eq!(
            m[0],
            SilenceMatcher {
                name: "alertname".into(),
                value: "TrinoQueueHigh".into(),
                is_regex: false,
                is_equal: true
            }
        );
        assert_eq!(m[1].value, "trino");
        assert!(m[2].is_regex && m[2].is_equal && m[2].value == "trino-.*");
        assert!(!m[3].is_regex && !m[3].is_equal);
        assert!(parse_matchers("").is_err());
        assert!(parse_matchers("alertname").is_err());
        assert!(parse_matchers("bad-name=x").is_err());
    }

    #[test]
    fn mappings_use_velero_syntax() {
        let m = parse_mapping("trino:trino-restore, minio:minio-restore").unwrap_or_default();
        assert_eq!(m.get("trino").map(String::as_str), Some("trino-restore"));
        assert_eq!(
            format_mapping(&m),
            "minio:minio-restore,trino:trino-restore"
        );
        assert!(parse_mapping("trino").is_err());
        assert!(parse_mapping("Trino:x").is_err());
        assert!(parse_mapping("").is_err());
    }

    #[test]
    fn form_requires_fields_and_edits_the_focused_one() {
        let mut form = Form::new(
            "t",
            vec![],
            vec![
                Field::new("duration", "", "2h", true),
                Field::new("comment", "", "", true),
            ],
            FormPurpose::Silence,
        );
        let key = |c| KeyEvent::new(c, KeyModifiers::NONE);
        assert_eq!(form.on_key(key(KeyCode::Enter)), FormKey::Stay);
        assert_eq!(form.focus, 1, "focus moves to the missing field");
        assert!(form.error.as_deref().is_some_and(|e| e.contains("comment")));
        for c in "deploy".chars() {
            form.on_key(key(KeyCode::Char(c)));
        }
        assert_eq!(form.values(), vec!["2h", "deploy"]);
        assert_eq!(form.on_key(key(KeyCode::Enter)), FormKey::Submit);
        assert_eq!(form.on_key(key(KeyCode::Esc)), FormKey::Cancel);
    }
}
