//! Secret values never leave the cluster through lakedeck: after a secret rotation, an
//! External Secret sync, a restore drill (which copies Secrets into drill namespaces) and
//! a cockpit session that looks at the consumers, none of the lab's secret values —
//! before or after rotation, raw or base64 — appears in the audit log, the run-state
//! files, the reports, the commands' output, the log file or the captured screens.
//! The headless half needs no tmux and always runs; only the screens' half skips
//! without it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use base64::Engine;
use common::LabProcess;
use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, ListParams};

/// Every secret value the cluster holds now, as text and as base64, long enough that
/// finding one by accident is impossible.
async fn secret_values(client: &kube::Client) -> BTreeSet<String> {
    let all: Api<Secret> = Api::all(client.clone());
    let mut values = BTreeSet::new();
    for s in all.list(&ListParams::default()).await.unwrap().items {
        for v in s.data.unwrap_or_default().into_values() {
            if v.0.len() < 8 {
                continue;
            }
            values.insert(base64::engine::general_purpose::STANDARD.encode(&v.0));
            if let Ok(text) = String::from_utf8(v.0.clone()) {
                // Multi-line values (PEM, config files): each substantial line counts.
                for line in text.lines().map(str::trim).filter(|l| l.len() >= 12) {
                    values.insert(line.to_string());
                }
                values.insert(text);
            }
        }
    }
    values
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files_under(&p));
        } else {
            out.push(p);
        }
    }
    out
}

struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }
    fn env(&self, cmd: &mut Command) {
        let h = self.dir.path();
        cmd.env("HOME", h)
            .env("XDG_CONFIG_HOME", h.join("config"))
            .env("XDG_CACHE_HOME", h.join("cache"))
            .env("XDG_DATA_HOME", h.join("xdg-data"))
            .env_remove("KUBECONFIG")
            .env_remove("LAKEDECK_DATA_DIR");
    }
}

/// `lakedeck <global flags> runbook run …`; returns stdout + stderr.
fn runbook(lab: &LabProcess, home: &Home, args: &[&str]) -> String {
    let config = lab.kubeconfig.parent().unwrap().join("lakedeck.yaml");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_lakedeck"));
    home.env(&mut cmd);
    cmd.arg("--kubeconfig")
        .arg(&lab.kubeconfig)
        .args(["--context", "lakedeck-lab", "--config"])
        .arg(&config)
        .arg("--data-dir")
        .arg(home.data())
        .arg("runbook")
        .args(args);
    let out = cmd.output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "runbook {args:?} failed:\n{text}");
    text
}

fn tmux(socket: &str, args: &[&str]) -> String {
    let out = Command::new("tmux")
        .arg("-L")
        .arg(socket)
        .args(args)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Drives the cockpit over the same data directory through the views that show secret
/// consumers and runs, and returns every screen it saw.
fn cockpit_screens(lab: &LabProcess, home: &Home) -> Vec<String> {
    let socket = format!("lakedeck-leak-{}", std::process::id());
    let config = lab.kubeconfig.parent().unwrap().join("lakedeck.yaml");
    let h = home.dir.path().display().to_string();
    let script = format!(
        "env -u KUBECONFIG HOME={h} XDG_CONFIG_HOME={h}/config XDG_CACHE_HOME={h}/cache NO_COLOR=1 TERM=xterm-256color '{}' --kubeconfig '{}' --context lakedeck-lab --config '{}' --data-dir '{}' -A; sleep 30",
        env!("CARGO_BIN_EXE_lakedeck"),
        lab.kubeconfig.display(),
        config.display(),
        home.data().display()
    );
    tmux(
        &socket,
        &[
            "new-session",
            "-d",
            "-s",
            "leak",
            "-x",
            "160",
            "-y",
            "48",
            "sh",
            "-c",
            &script,
        ],
    );
    let capture = || tmux(&socket, &["capture-pane", "-p", "-t", "leak"]);
    let wait_for = |text: &str| {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let screen = capture();
            if screen.contains(text) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "{text:?} never appeared on the screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    };
    let keys = |k: &[&str]| {
        let mut args = vec!["send-keys", "-t", "leak"];
        args.extend_from_slice(k);
        tmux(&socket, &args);
        std::thread::sleep(Duration::from_millis(400));
    };
    let mut screens = vec![wait_for("8 nodes")];
    keys(&[":pods", "Enter"]);
    keys(&["/keycloak-0", "Enter"]);
    screens.push(wait_for("keycloak-0"));
    keys(&["d"]);
    screens.push(wait_for("KC_DB_PASSWORD"));
    keys(&["Escape"]);
    keys(&["y"]);
    screens.push(wait_for("secretKeyRef"));
    keys(&["Escape"]);
    keys(&["Escape"]);
    keys(&[":runbooks", "Enter"]);
    screens.push(wait_for("rotate-secret"));
    tmux(&socket, &["kill-server"]);
    screens
}

/// A lab, a private home, an admin client and every secret value the lab starts with.
async fn leak_lab() -> (LabProcess, Home, kube::Client, BTreeSet<String>) {
    let lab = LabProcess::start(&[]);
    let home = Home {
        dir: tempfile::tempdir().unwrap(),
    };
    let kubeconfig = kube::config::Kubeconfig::read_from(&lab.kubeconfig).unwrap();
    let options = kube::config::KubeConfigOptions {
        context: Some("lakedeck-lab".into()),
        ..Default::default()
    };
    let client = kube::Client::try_from(
        kube::Config::from_custom_kubeconfig(kubeconfig, &options)
            .await
            .unwrap(),
    )
    .unwrap();
    let values = secret_values(&client).await;
    assert!(values.len() > 20, "the lab should hold secrets");
    (lab, home, client, values)
}

fn rotate(lab: &LabProcess, home: &Home, namespace: &str, secret: &str) -> String {
    runbook(
        lab,
        home,
        &[
            "run",
            "rotate-secret",
            "--param",
            &format!("namespace={namespace}"),
            "--param",
            &format!("secret={secret}"),
            "--yes",
        ],
    )
}

/// Every file lakedeck wrote under the private home (audit log, run state, reports, log
/// file), as (path, text).
fn written_files(home: &Home) -> Vec<(String, String)> {
    let files: Vec<PathBuf> = files_under(home.dir.path());
    let written: Vec<&PathBuf> = files
        .iter()
        .filter(|p| {
            p.extension()
                .is_some_and(|e| e == "json" || e == "jsonl" || e == "md" || e == "log")
        })
        .collect();
    assert!(
        written.iter().any(|p| p.ends_with("audit.jsonl")),
        "{files:?}"
    );
    files
        .iter()
        .map(|p| {
            (
                p.display().to_string(),
                String::from_utf8_lossy(&std::fs::read(p).unwrap()).into_owned(),
            )
        })
        .collect()
}

fn assert_no_value_in(haystacks: &[(String, String)], values: &BTreeSet<String>) {
    for (what, text) in haystacks {
        for v in values {
            assert!(
                !text.contains(v.as_str()),
                "a secret value ({} characters) appears in {what}",
                v.len()
            );
        }
    }
}

/// No tmux needed: the headless runs (two rotations, a restore drill that copies
/// Secrets), their output, the audit log, run state and reports.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_value_reaches_audit_runs_reports_output_or_logs() {
    let (lab, home, client, mut values) = leak_lab().await;
    let mut output = String::new();
    output += &rotate(&lab, &home, "keycloak", "keycloak-db");
    output += &rotate(&lab, &home, "trino", "trino-catalog-credentials");
    output += &runbook(
        &lab,
        &home,
        &[
            "run",
            "velero-restore-drill",
            "--param",
            "namespaces=keycloak",
            "--yes",
        ],
    );
    // The values now (rotated ones, kept backups) and before.
    values.extend(secret_values(&client).await);
    let mut haystacks: Vec<(String, String)> = vec![("runbook output".into(), output)];
    haystacks.extend(written_files(&home));
    assert!(
        haystacks.iter().any(|(w, _)| w.ends_with(".md")),
        "no report in {:?}",
        haystacks.iter().map(|(w, _)| w).collect::<Vec<_>>()
    );
    // The haystacks are the real ones: they name the secrets (never their values).
    let audit = haystacks
        .iter()
        .find(|(w, _)| w.ends_with("audit.jsonl"))
        .unwrap();
    assert!(
        audit.1.contains("secret keycloak/keycloak-db")
            && audit.1.contains("trino/trino-catalog-credentials"),
        "the audit log names the rotated secrets"
    );
    assert_no_value_in(&haystacks, &values);
}

/// The cockpit after a rotation: the screens that show secret consumers (describe, YAML
/// with its secretKeyRef) and the runbooks, and the files it writes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_value_reaches_the_cockpits_screens_or_log() {
    if common::require_tool("tmux").is_none() {
        return;
    }
    let (lab, home, client, mut values) = leak_lab().await;
    let output = rotate(&lab, &home, "keycloak", "keycloak-db");
    let screens = cockpit_screens(&lab, &home);
    values.extend(secret_values(&client).await);
    let mut haystacks: Vec<(String, String)> = vec![("runbook output".into(), output)];
    for (i, s) in screens.into_iter().enumerate() {
        haystacks.push((format!("screen {i}"), s));
    }
    haystacks.extend(written_files(&home));
    assert!(
        haystacks
            .iter()
            .any(|(w, t)| w.starts_with("screen") && t.contains("secretKeyRef"))
    );
    assert_no_value_in(&haystacks, &values);
}
