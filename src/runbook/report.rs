//! The report every run writes: `<data dir>/reports/<run-id>.md` and `.json` — runbook,
//! parameters, who (kube identity), context, where (host), start/end, a timeline per
//! step, verification results (check and wait steps), operator notes, and for a
//! restore drill the RTO (cluster clock: restore created → completed and pods Ready;
//! plus the wall time) against the target and the RPO (restore start − the backup's
//! completion).
//!
//! Built from the run state only, which never holds secret values.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::expect::text_of;
use super::state::{RunState, StepOutcome, StepState, write_atomic};
use crate::model::duration::human_duration;

pub fn reports_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("reports")
}

fn secs(a: Option<jiff::Timestamp>, b: Option<jiff::Timestamp>) -> Option<i64> {
    Some(b?.duration_since(a?).as_secs())
}

fn dur(s: Option<i64>) -> String {
    s.map_or("—".into(), |s| {
        human_duration(jiff::SignedDuration::from_secs(s.max(0)))
    })
}

fn first_output<'a>(state: &'a RunState, key: &str) -> Option<(&'a StepState, &'a Value)> {
    state
        .steps
        .iter()
        .find_map(|s| s.outputs.get(key).filter(|v| !v.is_null()).map(|v| (s, v)))
}

/// The recovery measurements, when the run verified a restore.
pub fn recovery(state: &RunState) -> Option<Value> {
    let (verify, rto) = first_output(state, "rto_seconds")?;
    let restore_step = state.steps.iter().find(|s| s.kind == "restore");
    let wall = secs(restore_step.and_then(|s| s.started), verify.ended);
    let get = |k: &str| verify.outputs.get(k).cloned().unwrap_or(Value::Null);
    let backup = first_output(state, "backup")
        .map(|(_, v)| v.clone())
        .unwrap_or(Value::Null);
    Some(json!({
        "rto_seconds": rto,
        "target_rto_seconds": get("target_rto_seconds"),
        "rto_met": get("rto_met"),
        "rpo_seconds": get("rpo_seconds"),
        "restore": get("restore"),
        "restore_created": get("restore_created"),
        "restore_started": get("restore_started"),
        "restore_completed": get("restore_completed"),
        "ready_at": get("ready_at"),
        "backup": backup,
        "backup_completed": get("backup_completed"),
        "wall_seconds": wall,
        "clock": "RTO and RPO use the cluster's timestamps (restore creationTimestamp/startTimestamp/completionTimestamp, pods' Ready transition, the backup's completionTimestamp); wall_seconds is this machine's clock from the restore step's start to verification",
    }))
}

pub fn to_json(state: &RunState) -> Value {
    let steps: Vec<Value> = state
        .steps
        .iter()
        .map(|s| {
            json!({
                "id": s.id, "name": s.name, "kind": s.kind, "finally": s.is_finally,
                "outcome": s.state.label(),
                "started": s.started.map(|t| t.to_string()), "ended": s.ended.map(|t| t.to_string()),
                "duration_seconds": secs(s.started, s.ended),
                "detail": s.detail,
            })
        })
        .collect();
    let verification: Vec<Value> = state
        .steps
        .iter()
        .filter(|s| s.kind == "check" || s.kind == "wait")
        .map(|s| json!({"step": s.id, "name": s.name, "outcome": s.state.label(), "detail": s.detail}))
        .collect();
    json!({
        "run": state.id,
        "runbook": state.runbook,
        "title": state.title,
        "status": state.status.label(),
        "dry_run": state.dry_run,
        "params": state.params,
        "who": state.identity,
        "context": state.context,
        "where": state.host,
        "started": state.started.to_string(),
        "ended": state.ended.map(|t| t.to_string()),
        "duration_seconds": secs(Some(state.started), state.ended),
        "steps": steps,
        "verification": verification,
        "recovery": recovery(state),
        "notes": state.notes.iter().map(|n| json!({"at": n.at.to_string(), "text": n.text})).collect::<Vec<_>>(),
    })
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

pub fn to_markdown(state: &RunState) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "# {} — {}\n", state.title, state.status.label());
    let _ = writeln!(md, "| | |\n|---|---|");
    let _ = writeln!(md, "| Run | `{}` |", state.id);
    let _ = writeln!(
        md,
        "| Runbook | `{}`{} |",
        state.runbook,
        if state.dry_run { " (dry run)" } else { "" }
    );
    let _ = writeln!(md, "| Who | {} |", cell(&state.identity));
    let _ = writeln!(md, "| Context | {} |", cell(&state.context));
    let _ = writeln!(md, "| Where | {} |", cell(&state.host));
    let _ = writeln!(md, "| Started | {} |", state.started);
    let _ = writeln!(
        md,
        "| Ended | {} |",
        state.ended.map_or("—".into(), |t| t.to_string())
    );
    let _ = writeln!(
        md,
        "| Duration | {} |",
        dur(secs(Some(state.started), state.ended))
    );
    if !state.params.is_empty() {
        let _ = writeln!(md, "\n## Parameters\n");
        for (k, v) in &state.params {
            let _ = writeln!(md, "- `{k}` = `{v}`");
        }
    }
    if let Some(r) = recovery(state) {
        let _ = writeln!(md, "\n## Recovery\n");
        let rto = r["rto_seconds"].as_i64();
        let target = r["target_rto_seconds"].as_i64();
        let met = match r["rto_met"].as_bool() {
            Some(true) => "met",
            Some(false) => "MISSED",
            None => "no target",
        };
        let _ = writeln!(
            md,
            "- **RTO**: {} (target {}: {met}) — restore created {} → restored and pods Ready {} (cluster clock)",
            dur(rto),
            dur(target),
            text_of(&r["restore_created"]),
            text_of(&r["ready_at"])
        );
        let _ = writeln!(
            md,
            "- **RTO wall time**: {} (this machine, restore step start → verified)",
            dur(r["wall_seconds"].as_i64())
        );
        let _ = writeln!(
            md,
            "- **RPO**: {} — backup `{}` completed {} → restore started {} (cluster clock)",
            dur(r["rpo_seconds"].as_i64()),
            text_of(&r["backup"]),
            text_of(&r["backup_completed"]),
            text_of(&r["restore_started"])
        );
    }
    let _ = writeln!(md, "\n## Timeline\n");
    let _ = writeln!(
        md,
        "| # | Step | Kind | Start | End | Duration | Outcome | Detail |\n|---|---|---|---|---|---|---|---|"
    );
    for (n, s) in state.steps.iter().enumerate() {
        let time = |t: Option<jiff::Timestamp>| {
            t.map_or("—".into(), |t| t.strftime("%H:%M:%S").to_string())
        };
        let _ = writeln!(
            md,
            "| {} | {}{} | {} | {} | {} | {} | {} | {} |",
            n + 1,
            cell(&s.name),
            if s.is_finally { " (finally)" } else { "" },
            s.kind,
            time(s.started),
            time(s.ended),
            dur(secs(s.started, s.ended)),
            cell(&s.state.label()),
            cell(&s.detail.join("; "))
        );
    }
    let checks: Vec<&StepState> = state
        .steps
        .iter()
        .filter(|s| s.kind == "check" || s.kind == "wait")
        .collect();
    if !checks.is_empty() {
        let _ = writeln!(md, "\n## Verification\n");
        for s in checks {
            let mark = match s.state {
                StepOutcome::Done => "PASS",
                StepOutcome::Failed(_) => "FAIL",
                _ => "not run",
            };
            let _ = writeln!(md, "- {mark} {}: {}", s.name, s.detail.join("; "));
        }
    }
    let rollback: Vec<&StepState> = state
        .steps
        .iter()
        .filter(|s| s.is_finally && s.state == StepOutcome::Done)
        .collect();
    if !rollback.is_empty()
        && state
            .steps
            .iter()
            .any(|s| !s.is_finally && matches!(s.state, StepOutcome::Failed(_)))
    {
        let _ = writeln!(md, "\n## Rollback and cleanup after the failure\n");
        for s in rollback {
            let _ = writeln!(md, "- {}: {}", s.name, s.detail.join("; "));
        }
    }
    let _ = writeln!(md, "\n## Operator notes\n");
    if state.notes.is_empty() {
        let _ = writeln!(md, "(none)");
    }
    for n in &state.notes {
        let _ = writeln!(md, "- {} {}", n.at.strftime("%H:%M:%S"), n.text);
    }
    md
}

/// Writes both files; returns the Markdown's path.
pub fn write(data_dir: &Path, state: &RunState) -> Result<PathBuf, String> {
    let dir = reports_dir(data_dir);
    let md = dir.join(format!("{}.md", state.id));
    let js = dir.join(format!("{}.json", state.id));
    let json = serde_json::to_vec_pretty(&to_json(state)).map_err(|e| e.to_string())?;
    write_atomic(&js, &json).map_err(|e| format!("cannot write {}: {e}", js.display()))?;
    write_atomic(&md, to_markdown(state).as_bytes())
        .map_err(|e| format!("cannot write {}: {e}", md.display()))?;
    Ok(md)
}
