//! The audit log's integrity with the real `lakedeck` binary against the real lab: a
//! torn last line (a crash or a full disk mid-write) does not swallow the next record;
//! the audit log, run states and reports are owner-only; and an identity the cluster
//! cannot confirm is recorded as `unknown` with the reason and the kubeconfig user in
//! their own fields, never as an error message in the "who" field.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Stdio};

use common::LabProcess;
use serde_json::Value;

/// Runs `lakedeck <args>` with `data` as the data directory; (exit code, stdout, stderr).
fn lakedeck(
    lab: &LabProcess,
    kubeconfig: &Path,
    data: &Path,
    args: &[&str],
) -> (i32, String, String) {
    let home = data.parent().unwrap().join("home");
    let out = Command::new(env!("CARGO_BIN_EXE_lakedeck"))
        .env_remove("KUBERNETES_SERVICE_HOST")
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .arg("--config")
        .arg(lab.kubeconfig.parent().unwrap().join("lakedeck.yaml"))
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A dry run of velero-backup-missed: audited previews, a run state and a report.
fn dry_run(lab: &LabProcess, kubeconfig: &Path, data: &Path) -> String {
    let (_, out, err) = lakedeck(
        lab,
        kubeconfig,
        data,
        &[
            "runbook",
            "run",
            "velero-backup-missed",
            "--context",
            "lakedeck-lab",
            "--dry-run",
            "--yes",
        ],
    );
    format!("{out}{err}")
}

fn audit_json(lab: &LabProcess, data: &Path) -> (Vec<Value>, String) {
    let (code, out, err) = lakedeck(lab, &lab.kubeconfig, data, &["audit", "--json"]);
    assert_eq!(code, 0, "{out}{err}");
    let records = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    (records, err)
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn a_torn_last_line_does_not_swallow_the_next_record() {
    let lab = LabProcess::start(&[]);
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    // A crash (or a full disk) cut the last record short: no newline after it.
    let fragment = "{\"time\":\"2026-01-01T00:00:00Z\",\"identity\":\"adm";
    std::fs::write(data.join("audit.jsonl"), fragment).unwrap();
    let out = dry_run(&lab, &lab.kubeconfig, &data);
    let (records, err) = audit_json(&lab, &data);
    // The first record appended after the fragment (the run's start) is intact, and so
    // is everything after it.
    let started = records
        .iter()
        .find(|r| r["op"] == "runbook" && r["outcome"] == "started")
        .unwrap_or_else(|| panic!("the run's start record is missing: {records:?}\n{out}"));
    assert_eq!(started["identity"], "admin");
    assert!(
        records
            .iter()
            .any(|r| r["op"] == "backup" && r["dry_run"] == true),
        "{records:?}"
    );
    // Only the fragment is skipped, and it is reported as torn, by line number.
    assert!(
        err.contains("audit.jsonl:1: a torn record") && err.matches("skipped").count() == 1,
        "{err}"
    );
    let raw = std::fs::read_to_string(data.join("audit.jsonl")).unwrap();
    assert!(
        raw.starts_with(&format!("{fragment}\n{{")),
        "the next record starts its own line: {raw}"
    );
    // The pre-existing log (0644 from the test) was narrowed to owner-only.
    assert_eq!(mode(&data.join("audit.jsonl")), 0o600);
}

#[test]
fn audit_log_runs_and_reports_are_owner_only() {
    let lab = LabProcess::start(&[]);
    let tmp = tempfile::tempdir().unwrap();
    // A data directory lakedeck creates itself.
    let data = tmp.path().join("data");
    let out = dry_run(&lab, &lab.kubeconfig, &data);
    let runs: Vec<_> = std::fs::read_dir(data.join("runs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    let reports: Vec<_> = std::fs::read_dir(data.join("reports"))
        .unwrap_or_else(|e| panic!("no reports dir ({e}): {out}"))
        .map(|e| e.unwrap().path())
        .collect();
    assert!(
        runs.iter()
            .any(|p| p.extension().is_some_and(|x| x == "json")),
        "{runs:?}"
    );
    assert!(
        reports
            .iter()
            .any(|p| p.extension().is_some_and(|x| x == "md"))
            && reports
                .iter()
                .any(|p| p.extension().is_some_and(|x| x == "json")),
        "{reports:?}"
    );
    for dir in [data.clone(), data.join("runs"), data.join("reports")] {
        assert_eq!(mode(&dir), 0o700, "{}", dir.display());
    }
    for file in runs
        .iter()
        .chain(&reports)
        .chain(std::iter::once(&data.join("audit.jsonl")))
    {
        assert_eq!(mode(file), 0o600, "{}", file.display());
    }
}

#[test]
fn an_identity_the_cluster_cannot_confirm_is_unknown_with_the_reason_apart() {
    let lab = LabProcess::start(&[]);
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    // The admin's token has expired: every request, the SelfSubjectReview too, is 401.
    let text = std::fs::read_to_string(&lab.kubeconfig).unwrap();
    let mut in_admin = false;
    let expired: Vec<String> = text
        .lines()
        .map(|l| {
            if l.starts_with("- name: ") {
                in_admin = l == "- name: admin";
            }
            match l.split_once("token: ") {
                Some((indent, _)) if in_admin => format!("{indent}token: expired-token"),
                _ => l.to_string(),
            }
        })
        .collect();
    let kubeconfig = tmp.path().join("expired.kubeconfig");
    std::fs::write(&kubeconfig, expired.join("\n")).unwrap();
    let out = dry_run(&lab, &kubeconfig, &data);
    let (records, _) = audit_json(&lab, &data);
    assert!(!records.is_empty(), "{out}");
    for r in &records {
        assert_eq!(r["identity"], "unknown", "{r}");
        assert_eq!(r["kubeconfig_user"], "admin", "{r}");
        let why = r["identity_unknown"].as_str().unwrap_or_default();
        assert!(
            why.contains("SelfSubjectReview") && why.contains("401"),
            "the reason is kept apart from the name: {r}"
        );
    }
    // The table says who, without an error message in the who field.
    let (_, table, _) = lakedeck(&lab, &lab.kubeconfig, &data, &["audit"]);
    assert!(
        table.contains("unknown(kubeconfig user admin)@lakedeck-lab"),
        "{table}"
    );
    // The run's report says the same.
    let report = std::fs::read_dir(data.join("reports"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "json"))
        .unwrap_or_else(|| panic!("no report: {out}"));
    let report: Value = serde_json::from_slice(&std::fs::read(report).unwrap()).unwrap();
    assert_eq!(report["who"], "unknown", "{report}");
}
