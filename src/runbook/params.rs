//! Runbook parameters: `--param k=v` parsing, checking given values (unknown name,
//! wrong type, out of range, pattern) with messages that list what is valid, and
//! resolving defaults (literal or template over lookups and earlier parameters) into
//! the typed values templates see.
//!
//! No I/O: lookups are run by the engine and passed in.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::error::RunbookError;
use super::load::{ParamSpec, Runbook};
use super::schema::{ParamType, Text};
use super::template;

/// `["replicas=5", "namespaces=a,b"]` → map; a malformed entry is a usage error.
pub fn parse_assignments(args: &[String]) -> Result<BTreeMap<String, String>, RunbookError> {
    let mut out = BTreeMap::new();
    for a in args {
        let Some((k, v)) = a.split_once('=') else {
            return Err(RunbookError::Param(format!(
                "--param {a:?}: write NAME=VALUE, e.g. --param replicas=5"
            )));
        };
        out.insert(k.trim().to_string(), v.trim().to_string());
    }
    Ok(out)
}

fn describe(p: &ParamSpec) -> String {
    let mut s = format!("{} ({}", p.name, p.kind.label());
    if let Some(min) = &p.min {
        s.push_str(&format!(", min {min}"));
    }
    if let Some(max) = &p.max {
        s.push_str(&format!(", max {max}"));
    }
    match &p.default {
        Some(d) => s.push_str(&format!(", default {d}")),
        None => s.push_str(", required"),
    }
    s.push(')');
    s
}

/// The parameters of a runbook, one per line, for messages and `runbook show`.
pub fn describe_all(rb: &Runbook) -> String {
    if rb.params.is_empty() {
        return "none".into();
    }
    rb.params
        .iter()
        .map(describe)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Unknown names and values given without a default are errors before anything runs.
pub fn check_given(rb: &Runbook, given: &BTreeMap<String, String>) -> Result<(), RunbookError> {
    for (k, v) in given {
        let Some(spec) = rb.param(k) else {
            return Err(RunbookError::Param(format!(
                "runbook {} has no parameter {k:?}; its parameters: {}",
                rb.name,
                describe_all(rb)
            )));
        };
        typed(rb, spec, v)?;
    }
    for p in &rb.params {
        if p.default.is_none() && !given.contains_key(&p.name) {
            let help = if p.help.is_empty() {
                String::new()
            } else {
                format!(" — {}", p.help)
            };
            return Err(RunbookError::Param(format!(
                "runbook {} needs --param {}=VALUE ({}){help}",
                rb.name,
                p.name,
                p.kind.label()
            )));
        }
    }
    Ok(())
}

fn is_dns_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// Splits a list given as `a,b`, `a b` or a rendered `["a", "b"]`.
pub fn split_list(s: &str) -> Vec<String> {
    s.split([',', ' ', '[', ']', '"', '\''])
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

/// The typed value of `raw` for `spec`, or a message saying what is valid.
pub fn typed(rb: &Runbook, spec: &ParamSpec, raw: &str) -> Result<Value, RunbookError> {
    let bad = |why: String| {
        RunbookError::Param(format!(
            "runbook {} parameter {}={raw:?}: {why}",
            rb.name, spec.name
        ))
    };
    let value = match spec.kind {
        ParamType::String => json!(raw),
        ParamType::Bool => match raw {
            "true" | "yes" => json!(true),
            "false" | "no" => json!(false),
            _ => return Err(bad("expected true or false".into())),
        },
        ParamType::Int => {
            let n: i64 = raw
                .parse()
                .map_err(|_| bad("expected a whole number".into()))?;
            let min = spec.min.as_deref().and_then(|m| m.parse::<i64>().ok());
            let max = spec.max.as_deref().and_then(|m| m.parse::<i64>().ok());
            if min.is_some_and(|m| n < m) || max.is_some_and(|m| n > m) {
                return Err(bad(format!(
                    "out of range; valid: {}..={}",
                    min.map_or("".into(), |m| m.to_string()),
                    max.map_or("".into(), |m| m.to_string())
                )));
            }
            json!(n)
        }
        ParamType::Duration => {
            let d = template::parse_duration(raw).map_err(bad)?;
            let secs = |m: &Option<String>| {
                m.as_deref()
                    .and_then(|m| template::parse_duration(m).ok())
                    .map(|d| d.as_secs())
            };
            let (min, max) = (secs(&spec.min), secs(&spec.max));
            if min.is_some_and(|m| d.as_secs() < m) || max.is_some_and(|m| d.as_secs() > m) {
                return Err(bad(format!(
                    "out of range; valid: {} to {}",
                    spec.min.as_deref().unwrap_or("0s"),
                    spec.max.as_deref().unwrap_or("any")
                )));
            }
            json!(raw)
        }
        ParamType::Namespace => {
            if !is_dns_label(raw) {
                return Err(bad(
                    "not a namespace name (lowercase letters, digits and -, at most 63)".into(),
                ));
            }
            json!(raw)
        }
        ParamType::NamespaceList => {
            let list = split_list(raw);
            if list.is_empty() {
                return Err(bad(
                    "give at least one namespace, e.g. nessie,keycloak".into()
                ));
            }
            if let Some(n) = list.iter().find(|n| !is_dns_label(n)) {
                return Err(bad(format!("{n:?} is not a namespace name")));
            }
            json!(list)
        }
    };
    if let Some(p) = &spec.pattern
        && let Ok(re) = regex::Regex::new(&format!("^(?:{p})$"))
        && !re.is_match(raw)
    {
        return Err(bad(format!("must match {p}")));
    }
    Ok(value)
}

/// Display strings (kept in the run state) and typed values (what templates see).
pub type Resolved = (BTreeMap<String, String>, serde_json::Map<String, Value>);

/// Resolved parameters: the display strings (kept in the run state) and the typed
/// values templates see. `lookups` are the outputs of the runbook's lookups.
pub fn resolve(
    rb: &Runbook,
    given: &BTreeMap<String, String>,
    lookups: &Value,
    run: &Value,
) -> Result<Resolved, RunbookError> {
    check_given(rb, given)?;
    let env = template::environment();
    let mut shown = BTreeMap::new();
    let mut typed_values = serde_json::Map::new();
    for p in &rb.params {
        let raw = match (given.get(&p.name), &p.default) {
            (Some(v), _) => v.clone(),
            (None, Some(d)) => {
                let ctx = template::context(&json!({
                    "params": Value::Object(typed_values.clone()),
                    "lookups": lookups,
                    "run": run,
                }));
                template::render(&env, &Text::plain(d), &ctx).map_err(|e| {
                    RunbookError::Param(format!(
                        "runbook {} parameter {}: cannot work out the default: {e}",
                        rb.name, p.name
                    ))
                })?
            }
            (None, None) => continue,
        };
        let v = typed(rb, p, &raw)?;
        shown.insert(p.name.clone(), raw);
        typed_values.insert(p.name.clone(), v);
    }
    Ok((shown, typed_values))
}

/// Typed values again from the display strings a run state kept (for resume).
pub fn retype(
    rb: &Runbook,
    shown: &BTreeMap<String, String>,
) -> Result<serde_json::Map<String, Value>, RunbookError> {
    let mut out = serde_json::Map::new();
    for p in &rb.params {
        if let Some(raw) = shown.get(&p.name) {
            out.insert(p.name.clone(), typed(rb, p, raw)?);
        }
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn rb() -> Runbook {
        super::super::load::parse(
            "t.yaml",
            "name: t\ntitle: T\nlookups:\n  - id: w\n    read-replicas: {kind: StatefulSet, namespace: a, name: b}\nparams:\n  - {name: replicas, type: int, min: 1, max: 20, default: \"{{ lookups.w.replicas + 2 }}\"}\n  - {name: namespaces, type: namespace-list, default: \"nessie, keycloak\"}\n  - {name: target_rto, type: duration, default: 30m, max: 24h}\n  - {name: node, help: the node}\nsteps:\n  - id: a\n    note: hi\n",
        )
        .unwrap()
    }

    #[test]
    fn unknown_missing_and_out_of_range_say_what_is_valid() {
        let rb = rb();
        let e = check_given(
            &rb,
            &parse_assignments(&["nope=1".into(), "node=n".into()]).unwrap(),
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("no parameter \"nope\"") && e.contains("replicas (int, min 1, max 20"),
            "{e}"
        );
        let e = check_given(&rb, &BTreeMap::new()).unwrap_err().to_string();
        assert!(
            e.contains("--param node=VALUE") && e.contains("the node"),
            "{e}"
        );
        let e = check_given(
            &rb,
            &parse_assignments(&["replicas=50".into(), "node=n".into()]).unwrap(),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("out of range; valid: 1..=20"), "{e}");
        let e = check_given(
            &rb,
            &parse_assignments(&["target_rto=2d".into(), "node=n".into()]).unwrap(),
        );
        assert!(e.is_err());
        assert!(parse_assignments(&["replicas".into()]).is_err());
    }

    #[test]
    fn defaults_from_lookups_and_lists() {
        let rb = rb();
        let given = parse_assignments(&["node=n1".into()]).unwrap();
        let (shown, typed) =
            resolve(&rb, &given, &json!({"w": {"replicas": 3}}), &json!({})).unwrap();
        assert_eq!(shown["replicas"], "5");
        assert_eq!(typed["replicas"], json!(5));
        assert_eq!(typed["namespaces"], json!(["nessie", "keycloak"]));
        assert_eq!(retype(&rb, &shown).unwrap(), typed);
    }
}
