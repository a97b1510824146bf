//! The runbook catalog: the runbooks shipped in `runbooks/*.yaml` (embedded) plus the
//! user's `<config dir>/runbooks/*.yaml`, where a file whose runbook has the same name
//! replaces the shipped one. Every file is checked completely at load — YAML, unknown
//! fields, exactly one kind per step, unique step ids, template syntax, references to
//! unknown parameters or earlier steps — and rejected with file:line:column.
//!
//! Must not touch the cluster; running is the engine's job.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::error::RunbookError;
use super::expect::Expect;
use super::schema::{ParamFile, ParamType, RunbookFile, StepFile, Text};
use super::step::{Step, StepKind};
use super::template;
use crate::config::{problem_at, yaml_error};

/// The shipped runbooks, embedded at build time.
const BUILTIN: &[(&str, &str)] = &[
    (
        "trino-scale-up.yaml",
        include_str!("../../runbooks/trino-scale-up.yaml"),
    ),
    (
        "velero-restore-drill.yaml",
        include_str!("../../runbooks/velero-restore-drill.yaml"),
    ),
    (
        "rotate-secret.yaml",
        include_str!("../../runbooks/rotate-secret.yaml"),
    ),
    (
        "kafka-consumer-lag.yaml",
        include_str!("../../runbooks/kafka-consumer-lag.yaml"),
    ),
    (
        "minio-drive-offline.yaml",
        include_str!("../../runbooks/minio-drive-offline.yaml"),
    ),
    (
        "minio-capacity.yaml",
        include_str!("../../runbooks/minio-capacity.yaml"),
    ),
    (
        "node-not-ready.yaml",
        include_str!("../../runbooks/node-not-ready.yaml"),
    ),
    (
        "pod-crashloop.yaml",
        include_str!("../../runbooks/pod-crashloop.yaml"),
    ),
    (
        "velero-backup-missed.yaml",
        include_str!("../../runbooks/velero-backup-missed.yaml"),
    ),
    (
        "velero-bsl-unavailable.yaml",
        include_str!("../../runbooks/velero-bsl-unavailable.yaml"),
    ),
];

/// A parameter as the operator sees it.
#[derive(Debug, Clone)]
pub struct ParamSpec {
    pub name: String,
    pub kind: ParamType,
    pub help: String,
    /// Literal or template (`{{ lookups.workers.replicas + 2 }}`); None = required.
    pub default: Option<String>,
    pub min: Option<String>,
    pub max: Option<String>,
    pub pattern: Option<String>,
}

/// One checked runbook.
#[derive(Debug, Clone)]
pub struct Runbook {
    pub name: String,
    pub title: String,
    pub summary: String,
    pub alerts: Vec<String>,
    pub aliases: Vec<String>,
    pub params: Vec<ParamSpec>,
    /// Where it came from: `built-in runbooks/x.yaml` or the user file's path.
    pub source: String,
    pub lookups: Vec<Step>,
    pub steps: Vec<Step>,
    pub finally: Vec<Step>,
}

impl Runbook {
    pub fn param(&self, name: &str) -> Option<&ParamSpec> {
        self.params.iter().find(|p| p.name == name)
    }
}

#[derive(Debug, Clone, Default)]
pub struct Catalog {
    runbooks: Vec<Runbook>,
    /// User files that did not load: skipped, but asking for them by name gives their
    /// error rather than "unknown runbook" (or, silently, a shipped one they replace).
    broken: Vec<Broken>,
}

#[derive(Debug, Clone)]
struct Broken {
    /// The `name:` the file gives, when that much of it reads.
    name: Option<String>,
    /// The file name without `.yaml`.
    stem: String,
    error: RunbookError,
}

/// Only the name of a runbook file, read leniently from a file that does not load.
#[derive(serde::Deserialize)]
struct NameOnly {
    name: String,
}

/// `<config dir>/runbooks` (e.g. ~/.config/lakedeck/runbooks).
pub fn default_user_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "lakedeck").map(|d| d.config_dir().join("runbooks"))
}

impl Catalog {
    /// The shipped runbooks and the user's; the first bad file is the error.
    pub fn load(user_dir: Option<&Path>) -> Result<Catalog, RunbookError> {
        let (catalog, mut errors) = Catalog::load_lenient(user_dir);
        if errors.is_empty() {
            Ok(catalog)
        } else {
            Err(errors.remove(0))
        }
    }

    /// Everything that loads, and the errors of the files that do not (for a cockpit
    /// that should still offer the good runbooks).
    pub fn load_lenient(user_dir: Option<&Path>) -> (Catalog, Vec<RunbookError>) {
        let mut runbooks = Vec::new();
        let mut errors = Vec::new();
        let mut broken = Vec::new();
        for (file, text) in BUILTIN {
            match parse(&format!("runbooks/{file}"), text) {
                Ok(mut rb) => {
                    rb.source = format!("built-in runbooks/{file}");
                    runbooks.push(rb);
                }
                Err(e) => errors.push(e),
            }
        }
        if let Some(dir) = user_dir {
            for path in user_files(dir, &mut errors) {
                let shown = path.display().to_string();
                let text = match std::fs::read_to_string(&path) {
                    Ok(t) => t,
                    Err(e) => {
                        errors.push(RunbookError::Io(format!("cannot read {shown}: {e}")));
                        continue;
                    }
                };
                match parse(&shown, &text) {
                    Ok(mut rb) => {
                        rb.source = shown;
                        runbooks.retain(|r: &Runbook| r.name != rb.name);
                        runbooks.push(rb);
                    }
                    Err(e) => {
                        broken.push(Broken {
                            name: serde_saphyr::from_str::<NameOnly>(&text)
                                .ok()
                                .map(|n| n.name),
                            stem: path
                                .file_stem()
                                .map(|s| s.to_string_lossy().into_owned())
                                .unwrap_or_default(),
                            error: e.clone(),
                        });
                        errors.push(e);
                    }
                }
            }
        }
        runbooks.sort_by(|a, b| a.name.cmp(&b.name));
        (Catalog { runbooks, broken }, errors)
    }

    /// A catalog of exactly these runbooks (tests, embedding).
    pub fn with(runbooks: Vec<Runbook>) -> Catalog {
        Catalog {
            runbooks,
            broken: Vec::new(),
        }
    }

    pub fn list(&self) -> &[Runbook] {
        &self.runbooks
    }

    pub fn get(&self, name: &str) -> Option<&Runbook> {
        self.runbooks.iter().find(|r| r.name == name).or_else(|| {
            self.runbooks
                .iter()
                .find(|r| r.aliases.iter().any(|a| a == name))
        })
    }

    /// The runbook for `name`; the error of a user file for `name` that did not load
    /// (even where it would replace a shipped one); else an error listing the known
    /// ones.
    pub fn require(&self, name: &str) -> Result<&Runbook, RunbookError> {
        let broken = |f: &dyn Fn(&Broken) -> bool| self.broken.iter().find(|b| f(b));
        if let Some(b) = broken(&|b| b.name.as_deref() == Some(name)) {
            return Err(b.error.clone());
        }
        if let Some(rb) = self.get(name) {
            return Ok(rb);
        }
        if let Some(b) = broken(&|b| b.stem == name) {
            return Err(b.error.clone());
        }
        Err(RunbookError::UnknownRunbook {
            name: name.to_string(),
            known: self.runbooks.iter().map(|r| r.name.clone()).collect(),
        })
    }

    /// The runbook an alert links to: its `runbook` annotation (a name or alias) first,
    /// then a runbook listing the alert name.
    pub fn for_alert(&self, alertname: &str, runbook_annotation: Option<&str>) -> Option<&Runbook> {
        runbook_annotation
            .map(|a| {
                a.trim()
                    .rsplit('/')
                    .next()
                    .unwrap_or(a)
                    .trim_end_matches(".yaml")
            })
            .and_then(|a| self.get(a))
            .or_else(|| {
                self.runbooks
                    .iter()
                    .find(|r| r.alerts.iter().any(|a| a == alertname))
            })
    }
}

fn user_files(dir: &Path, errors: &mut Vec<RunbookError>) -> Vec<PathBuf> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Vec::new(),
        Err(e) => {
            errors.push(RunbookError::Io(format!(
                "cannot read the runbook directory {}: {e}",
                dir.display()
            )));
            return Vec::new();
        }
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
        .collect();
    files.sort();
    files
}

fn invalid(file: &str, line: u64, column: u64, message: String) -> RunbookError {
    RunbookError::Invalid {
        file: file.to_string(),
        line,
        column,
        message,
    }
}

fn at_text(file: &str, text: &Text, fallback: (u64, u64), message: String) -> RunbookError {
    if text.line == 0 {
        invalid(file, fallback.0, fallback.1, message)
    } else {
        invalid(file, text.line, text.column, message)
    }
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Parses and checks one runbook file.
pub fn parse(file: &str, text: &str) -> Result<Runbook, RunbookError> {
    let raw: RunbookFile = serde_saphyr::from_str(text).map_err(|e| {
        let p = yaml_error(file, text, &e);
        invalid(&p.file, p.line, p.column, p.message)
    })?;
    let name = raw.name.value.clone();
    let valid_name = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !valid_name {
        let p = problem_at(
            file,
            &raw.name.referenced,
            format!(
                "name: {name:?} is not a runbook name; use lowercase letters, digits and dashes"
            ),
        );
        return Err(invalid(&p.file, p.line, p.column, p.message));
    }
    let params = params(file, &raw.params)?;
    let env = template::environment();
    let param_names: BTreeSet<String> = params.iter().map(|p| p.name.clone()).collect();
    let mut checker = Checker {
        file,
        env: &env,
        params: &param_names,
        seen: BTreeSet::new(),
        lookups: BTreeSet::new(),
    };
    let lookups = checker.steps(&raw.lookups, Section::Lookups)?;
    checker.lookups = lookups.iter().map(|s| s.id.clone()).collect();
    // Param defaults may use lookups and other params.
    for (p, raw_p) in params.iter().zip(&raw.params) {
        if let Some(d) = &raw_p.default {
            checker
                .template(
                    d,
                    false,
                    Section::Params,
                    false,
                    (raw_p.name.referenced.line(), raw_p.name.referenced.column()),
                )
                .map_err(|e| retitle(e, &format!("param {}: default", p.name)))?;
        }
    }
    let steps = checker.steps(&raw.steps, Section::Steps)?;
    let finally = checker.steps(&raw.finally, Section::Finally)?;
    if steps.is_empty() {
        return Err(invalid(
            file,
            0,
            0,
            "steps: a runbook needs at least one step".into(),
        ));
    }
    Ok(Runbook {
        name,
        title: raw.title,
        summary: raw.summary.trim().to_string(),
        alerts: raw.alerts,
        aliases: raw.aliases,
        params,
        source: file.to_string(),
        lookups,
        steps,
        finally,
    })
}

fn retitle(e: RunbookError, prefix: &str) -> RunbookError {
    match e {
        RunbookError::Invalid {
            file,
            line,
            column,
            message,
        } => RunbookError::Invalid {
            file,
            line,
            column,
            message: format!("{prefix}: {message}"),
        },
        other => other,
    }
}

fn params(file: &str, raw: &[ParamFile]) -> Result<Vec<ParamSpec>, RunbookError> {
    let mut out: Vec<ParamSpec> = Vec::new();
    for p in raw {
        let at = (p.name.referenced.line(), p.name.referenced.column());
        let name = p.name.value.clone();
        if !is_identifier(&name) {
            return Err(invalid(
                file,
                at.0,
                at.1,
                format!(
                    "param {name:?}: a parameter name is lowercase letters, digits and _ (it is used as params.{name} in templates)"
                ),
            ));
        }
        if out.iter().any(|o| o.name == name) {
            return Err(invalid(
                file,
                at.0,
                at.1,
                format!("param {name:?} is declared twice"),
            ));
        }
        let bound = |t: &Option<Text>, which: &str| -> Result<Option<String>, RunbookError> {
            let Some(t) = t else { return Ok(None) };
            let ok = match p.kind {
                ParamType::Int => t.src.trim().parse::<i64>().is_ok(),
                ParamType::Duration => template::parse_duration(&t.src).is_ok(),
                _ => false,
            };
            if ok {
                Ok(Some(t.src.trim().to_string()))
            } else {
                Err(at_text(
                    file,
                    t,
                    at,
                    format!(
                        "param {name}: {which}: {:?} is not valid; {which} applies to int (a whole number) and duration (e.g. 30m) parameters",
                        t.src
                    ),
                ))
            }
        };
        let min = bound(&p.min, "min")?;
        let max = bound(&p.max, "max")?;
        if let Some(pattern) = &p.pattern
            && let Err(e) = regex::Regex::new(pattern)
        {
            return Err(invalid(
                file,
                at.0,
                at.1,
                format!("param {name}: pattern: {e}"),
            ));
        }
        out.push(ParamSpec {
            name,
            kind: p.kind,
            help: p.help.trim().to_string(),
            default: p.default.as_ref().map(|d| d.src.clone()),
            min,
            max,
            pattern: p.pattern.clone(),
        });
    }
    Ok(out)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    Lookups,
    Params,
    Steps,
    Finally,
}

struct Checker<'a> {
    file: &'a str,
    env: &'a minijinja::Environment<'static>,
    params: &'a BTreeSet<String>,
    /// Step ids defined so far (steps, then finally).
    seen: BTreeSet<String>,
    lookups: BTreeSet<String>,
}

/// Names Jinja itself provides (they show up as undeclared variables).
const JINJA_GLOBALS: &[&str] = &[
    "range",
    "dict",
    "namespace",
    "loop",
    "debug",
    "true",
    "false",
    "none",
    "True",
    "False",
    "None",
];

impl Checker<'_> {
    fn steps(&mut self, raw: &[StepFile], section: Section) -> Result<Vec<Step>, RunbookError> {
        let mut out = Vec::new();
        for s in raw {
            let at = (s.id.referenced.line(), s.id.referenced.column());
            let id = s.id.value.clone();
            if !is_identifier(&id) {
                return Err(invalid(
                    self.file,
                    at.0,
                    at.1,
                    format!(
                        "step id {id:?}: use lowercase letters, digits and _ (it is used as steps.{id} in templates)"
                    ),
                ));
            }
            if self.seen.contains(&id) || self.lookups.contains(&id) {
                return Err(invalid(
                    self.file,
                    at.0,
                    at.1,
                    format!("step id {id:?} is used twice"),
                ));
            }
            let step = Step::from_file(s)
                .map_err(|m| invalid(self.file, at.0, at.1, format!("step {id}: {m}")))?;
            if section == Section::Lookups && !matches!(step.kind, StepKind::Query(_)) {
                return Err(invalid(
                    self.file,
                    at.0,
                    at.1,
                    format!(
                        "lookup {id}: lookups may only be read-replicas, find-latest-backup or find-consumers (read-only queries)"
                    ),
                ));
            }
            let has_item = s.for_each.is_some();
            for (text, expression) in step.texts() {
                self.template(text, expression, section, has_item, at)
                    .map_err(|e| retitle(e, &format!("step {id}")))?;
            }
            if let StepKind::Check(c) | StepKind::Wait(c) = &step.kind {
                if let Some(e) = &c.expect
                    && !e.src.contains("{{")
                {
                    Expect::parse(&e.src).map_err(|m| {
                        at_text(self.file, e, at, format!("step {id}: expect: {m}"))
                    })?;
                }
                let is_wait = matches!(step.kind, StepKind::Wait(_));
                if !is_wait && (c.timeout.is_some() || c.interval.is_some()) {
                    return Err(invalid(
                        self.file,
                        at.0,
                        at.1,
                        format!(
                            "step {id}: timeout and interval belong to wait steps; a check looks once"
                        ),
                    ));
                }
                for t in [&c.timeout, &c.interval].into_iter().flatten() {
                    if !t.src.contains("{{") {
                        template::parse_duration(&t.src)
                            .map_err(|m| at_text(self.file, t, at, format!("step {id}: {m}")))?;
                    }
                }
            }
            self.seen.insert(id);
            out.push(step);
        }
        Ok(out)
    }

    fn template(
        &self,
        text: &Text,
        expression: bool,
        section: Section,
        has_item: bool,
        fallback: (u64, u64),
    ) -> Result<(), RunbookError> {
        let names = template::names_used(self.env, text, expression).map_err(|m| {
            at_text(
                self.file,
                text,
                fallback,
                format!("template {:?}: {m}", text.src),
            )
        })?;
        for name in names {
            let mut parts = name.split('.');
            let root = parts.next().unwrap_or_default();
            let second = parts.next();
            let bad =
                |why: String| at_text(self.file, text, fallback, format!("{:?}: {why}", text.src));
            match (root, second) {
                ("params", Some(p)) if !self.params.contains(p) => {
                    return Err(bad(format!(
                        "unknown parameter params.{p}; parameters: {}",
                        list(self.params)
                    )));
                }
                ("params" | "run", _) => {}
                ("lookups", Some(l)) if !self.lookups.contains(l) => {
                    return Err(bad(format!(
                        "unknown lookup lookups.{l}; lookups: {}",
                        list(&self.lookups)
                    )));
                }
                ("lookups", _) => {}
                ("steps", _) if matches!(section, Section::Lookups | Section::Params) => {
                    return Err(bad("parameters and lookups cannot use step outputs (they are resolved before the first step)".into()));
                }
                ("steps", Some(s)) if !self.seen.contains(s) => {
                    return Err(bad(format!(
                        "steps.{s} is not an earlier step; earlier steps: {}",
                        list(&self.seen)
                    )));
                }
                ("steps", _) => {}
                ("item", _) if has_item => {}
                ("item", _) => {
                    return Err(bad("item is only defined in a step with for_each".into()));
                }
                (g, _) if JINJA_GLOBALS.contains(&g) => {}
                (other, _) => {
                    return Err(bad(format!(
                        "unknown name {other:?}; templates can use params.*, steps.<id>.*, lookups.<id>.*, run.id, run.context, run.failed (and item with for_each)"
                    )));
                }
            }
        }
        Ok(())
    }
}

fn list(names: &BTreeSet<String>) -> String {
    if names.is_empty() {
        "none".into()
    } else {
        names.iter().cloned().collect::<Vec<_>>().join(", ")
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        parse("x.yaml", text).unwrap_err().to_string()
    }

    #[test]
    fn shipped_runbooks_load() {
        let c = Catalog::load(None).unwrap();
        for name in [
            "trino-scale-up",
            "velero-restore-drill",
            "rotate-secret",
            "kafka-consumer-lag",
            "minio-drive-offline",
            "node-not-ready",
        ] {
            assert!(c.get(name).is_some(), "{name}");
        }
    }

    #[test]
    fn every_rule_annotation_resolves() {
        let c = Catalog::load(None).unwrap();
        let rules = include_str!("../../config/prometheus-rules.yaml");
        let mut n = 0;
        for line in rules.lines() {
            if let Some(v) = line.trim().strip_prefix("runbook:") {
                n += 1;
                assert!(c.for_alert("X", Some(v.trim())).is_some(), "{v}");
            }
        }
        assert!(n >= 9);
        assert_eq!(
            c.for_alert("TrinoQueueHigh", None).unwrap().name,
            "trino-scale-up"
        );
    }

    #[test]
    fn unknown_step_kind_field_and_template_errors_are_located() {
        let base = "name: x\ntitle: X\nsteps:\n  - id: a\n";
        let e = err(&format!("{base}    nate: hi\n"));
        assert!(e.starts_with("x.yaml:5:"), "{e}");
        let e = err(&format!("{base}    note: \"{{{{ params.nope }}}}\"\n"));
        assert!(
            e.starts_with("x.yaml:5:11:") && e.contains("unknown parameter"),
            "{e}"
        );
        let e = err(&format!("{base}    note: \"{{{{ params.nope \"\n"));
        assert!(e.starts_with("x.yaml:5:11:"), "{e}");
        let e = err(&format!("{base}    title: t\n"));
        assert!(
            e.contains("x.yaml:4:") && e.contains("note, confirm"),
            "{e}"
        );
        let e = err(&format!(
            "{base}    note: a\n  - id: b\n    note: \"{{{{ steps.c.x }}}}\"\n"
        ));
        assert!(
            e.contains("x.yaml:7:") && e.contains("earlier steps: a"),
            "{e}"
        );
        let e = err(&format!(
            "{base}    check: {{promql: up, expect: \"about 3\"}}\n"
        ));
        assert!(e.contains("x.yaml:5:") && e.contains(">= N"), "{e}");
    }

    #[test]
    fn a_typo_in_a_later_step_is_located_at_that_step_and_field() {
        // The second step's `scale` has a misspelt key; the path names the step by its
        // index and the field, not the first key of the step (`steps.id` before).
        let text = "name: mine\ntitle: Mine\nsteps:\n  - id: a\n    note: hi\n  - id: b\n    scale:\n      kind: statefulset\n      namespace: trino\n      nmae: trino-worker\n      replicas: 3\n";
        let e = err(text);
        assert!(
            e.starts_with("x.yaml:10:7: steps[1].scale: unknown field `nmae`"),
            "{e}"
        );
        // A misspelt step kind: the key itself, in the step it belongs to.
        let text = "name: mine\ntitle: Mine\nsteps:\n  - id: a\n    note: hi\n  - id: b\n    scael:\n      kind: statefulset\n";
        let e = err(text);
        assert!(
            e.starts_with("x.yaml:7:5: steps[1]: unknown field `scael`"),
            "{e}"
        );
        // A wrong value, and a step whose first key is not its id.
        let text = "name: mine\ntitle: Mine\nsteps:\n  - id: a\n    note: hi\n  - title: t\n    id: b\n    scale:\n      kind: statefulset\n      namespace: [a]\n";
        let e = err(text);
        assert!(
            e.starts_with("x.yaml:10:7: steps[1].scale.namespace: expected"),
            "{e}"
        );
        // Lists at their key's own indentation, and finally steps.
        let text = "name: mine\ntitle: Mine\nsteps:\n- id: a\n  note: hi\nfinally:\n- id: c\n  note: x\n- id: d\n  cordon:\n    nod: n1\n";
        let e = err(text);
        assert!(
            e.starts_with("x.yaml:11:5: finally[1].cordon: unknown field `nod`"),
            "{e}"
        );
    }
}
