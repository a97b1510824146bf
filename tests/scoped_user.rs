//! A namespace-scoped user (the lab's `team`, bound like the built-in `edit` role in
//! `trino` and `kafka` only) and the lab's kubeconfig used as it is written:
//! - real kubectl is the oracle for the lab's RBAC: what the team may do answers
//!   normally, everything cluster-scoped or in another namespace answers 403 with the
//!   API server's wording, and `auth can-i` tells the truth;
//! - the real lakedeck binary (in tmux) started as that user with `-A` starts, shows the
//!   namespace it may read and says the rest is forbidden, pane by pane;
//! - the headless runbook path is not refused for it;
//! - `lakedeck --kubeconfig <lab kubeconfig>` alone finds the lab's platform endpoints,
//!   and the lab's banner names the exact cockpit command.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::LabProcess;

const TEAM: &str = "lakedeck-lab-team";
const START: Duration = Duration::from_secs(30);
const STEP: Duration = Duration::from_secs(15);

fn team_kubectl(lab: &LabProcess, kubectl: &Path, args: &[&str]) -> Output {
    let mut all = vec!["--context", TEAM];
    all.extend_from_slice(args);
    lab.kubectl(kubectl, &all)
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Asserts kubectl failed with the API server's Forbidden message `message`.
fn assert_forbidden(out: &Output, what: &str, message: &str) {
    assert!(!out.status.success(), "{what} must fail: {}", stdout(out));
    let err = stderr(out);
    assert!(
        err.contains(&format!("Error from server (Forbidden): {message}")),
        "{what}: expected the API server's 403 wording {message:?}, got:\n{err}"
    );
}

#[test]
fn kubectl_sees_the_team_user_scoped_to_trino_and_kafka() {
    let Some(kubectl) = common::require_tool("kubectl") else {
        return;
    };
    let lab = LabProcess::start(&[]);
    // What a RoleBinding of `edit` gives: its namespaces answer normally.
    let trino = team_kubectl(&lab, &kubectl, &["get", "pods", "-o", "name"]);
    assert!(trino.status.success(), "{}", stderr(&trino));
    assert!(
        stdout(&trino).contains("pod/trino-worker-0"),
        "the context's namespace (trino) lists its pods:\n{}",
        stdout(&trino)
    );
    let kafka = team_kubectl(
        &lab,
        &kubectl,
        &["get", "pods", "-n", "kafka", "-o", "name"],
    );
    assert!(kafka.status.success(), "{}", stderr(&kafka));
    let first_kafka_pod = stdout(&kafka)
        .lines()
        .next()
        .expect("kafka has pods")
        .to_string();
    let dry_delete = team_kubectl(
        &lab,
        &kubectl,
        &[
            "delete",
            "-n",
            "kafka",
            &first_kafka_pod,
            "--dry-run=server",
        ],
    );
    assert!(
        dry_delete.status.success(),
        "the team may delete in kafka: {}",
        stderr(&dry_delete)
    );
    let scale = team_kubectl(
        &lab,
        &kubectl,
        &[
            "scale",
            "statefulset/trino-worker",
            "--replicas=3",
            "--dry-run=server",
        ],
    );
    assert!(
        scale.status.success(),
        "the team may scale in trino: {}",
        stderr(&scale)
    );
    // Cluster scope and other namespaces: 403 in the real API server's words.
    assert_forbidden(
        &team_kubectl(&lab, &kubectl, &["get", "pods", "-A"]),
        "get pods -A",
        r#"pods is forbidden: User "team" cannot list resource "pods" in API group "" at the cluster scope"#,
    );
    assert_forbidden(
        &team_kubectl(&lab, &kubectl, &["get", "nodes"]),
        "get nodes",
        r#"nodes is forbidden: User "team" cannot list resource "nodes" in API group "" at the cluster scope"#,
    );
    assert_forbidden(
        &team_kubectl(&lab, &kubectl, &["get", "pods", "-n", "minio"]),
        "get pods -n minio",
        r#"pods is forbidden: User "team" cannot list resource "pods" in API group "" in the namespace "minio""#,
    );
    assert_forbidden(
        &team_kubectl(&lab, &kubectl, &["get", "namespaces"]),
        "get namespaces",
        r#"namespaces is forbidden: User "team" cannot list resource "namespaces" in API group "" at the cluster scope"#,
    );
    assert_forbidden(
        &team_kubectl(
            &lab,
            &kubectl,
            &[
                "delete",
                "pod",
                "-n",
                "minio",
                "anything",
                "--dry-run=server",
            ],
        ),
        "delete in minio",
        r#"pods "anything" is forbidden: User "team" cannot delete resource "pods" in API group "" in the namespace "minio""#,
    );
    // Its own namespace object may be read (the `view` part of `edit`).
    let ns = team_kubectl(&lab, &kubectl, &["get", "namespace", "trino", "-o", "name"]);
    assert!(ns.status.success(), "{}", stderr(&ns));
    // `auth can-i` (SelfSubjectAccessReview) agrees with what the requests got.
    let can_i = |args: &[&str]| -> String {
        let mut all = vec!["auth", "can-i"];
        all.extend_from_slice(args);
        stdout(&team_kubectl(&lab, &kubectl, &all))
            .trim()
            .to_string()
    };
    assert_eq!(can_i(&["list", "pods", "-n", "trino"]), "yes");
    assert_eq!(can_i(&["delete", "pods", "-n", "kafka"]), "yes");
    assert_eq!(
        can_i(&["patch", "statefulsets/scale", "-n", "trino"]),
        "yes"
    );
    assert_eq!(can_i(&["list", "pods", "-A"]), "no");
    assert_eq!(can_i(&["list", "pods", "-n", "minio"]), "no");
    assert_eq!(can_i(&["list", "nodes"]), "no");
    // `auth can-i --list` (SelfSubjectRulesReview) lists the namespace's rules.
    let rules = |ns: &str| {
        let out = team_kubectl(&lab, &kubectl, &["auth", "can-i", "--list", "-n", ns]);
        assert!(
            out.status.success(),
            "can-i --list -n {ns}: {}",
            stderr(&out)
        );
        stdout(&out)
    };
    let trino_rules = rules("trino");
    let pods_rule = trino_rules
        .lines()
        .find(|l| l.starts_with("pods "))
        .unwrap_or_else(|| panic!("a pods rule in trino:\n{trino_rules}"));
    assert!(pods_rule.contains("list") && pods_rule.contains("delete"));
    let minio_rules = rules("minio");
    assert!(
        !minio_rules.lines().any(|l| l.starts_with("pods ")),
        "no pods rule in minio:\n{minio_rules}"
    );
    let whoami = team_kubectl(
        &lab,
        &kubectl,
        &[
            "auth",
            "whoami",
            "-o",
            "jsonpath={.status.userInfo.username}",
        ],
    );
    assert_eq!(stdout(&whoami).trim(), "team");
    // The other users are unchanged: the admin still lists every namespace.
    lab.kubectl_ok(
        &kubectl,
        &["--context", "lakedeck-lab", "get", "pods", "-A"],
    );
}

#[test]
fn the_lab_banner_names_the_exact_cockpit_command() {
    let lab = LabProcess::start(&[]);
    let banner = lab.banner.join("\n");
    let config = lab.kubeconfig.parent().unwrap().join("lakedeck.yaml");
    let line = lab
        .banner
        .iter()
        .find(|l| l.starts_with("cockpit: "))
        .unwrap_or_else(|| panic!("a `cockpit:` line in the banner:\n{banner}"));
    let expected = format!(
        "{} --kubeconfig {} --config {}",
        env!("CARGO_BIN_EXE_lakedeck"),
        lab.kubeconfig.display(),
        config.display()
    );
    assert_eq!(line.trim_start_matches("cockpit: "), expected, "{banner}");
    assert!(config.is_file(), "the config it names exists");
    assert!(
        banner.contains(TEAM),
        "the banner lists the team context:\n{banner}"
    );
}

#[test]
fn the_headless_runbook_path_runs_as_the_team_user() {
    let lab = LabProcess::start(&[]);
    let kafka_pod = {
        let Some(kubectl) = common::require_tool("kubectl") else {
            return;
        };
        let out = team_kubectl(
            &lab,
            &kubectl,
            &[
                "get",
                "pods",
                "-n",
                "kafka",
                "-o",
                "jsonpath={.items[0].metadata.name}",
            ],
        );
        stdout(&out).trim().to_string()
    };
    let data = tempfile::tempdir().unwrap();
    let run = |ns: &str, pod: &str| {
        Command::new(env!("CARGO_BIN_EXE_lakedeck"))
            .env_remove("KUBECONFIG")
            .env("LAKEDECK_DATA_DIR", data.path())
            .env("HOME", data.path())
            .env("XDG_CONFIG_HOME", data.path().join("config"))
            .args(["--kubeconfig"])
            .arg(&lab.kubeconfig)
            .args(["--context", TEAM, "runbook", "run", "pod-crashloop"])
            .args([
                "-p",
                &format!("namespace={ns}"),
                "-p",
                &format!("pod={pod}"),
            ])
            .args(["--dry-run", "--yes"])
            .output()
            .unwrap()
    };
    let ok = run("kafka", &kafka_pod);
    let text = format!("{}{}", stdout(&ok), stderr(&ok));
    assert!(
        ok.status.success(),
        "a dry run in the team's namespace succeeds:\n{text}"
    );
    assert!(!text.contains("cannot reach"), "{text}");
    // In a namespace it may not use: refused as forbidden, never "cannot reach".
    let refused = run("minio", "anything");
    let text = format!("{}{}", stdout(&refused), stderr(&refused));
    assert!(!refused.status.success(), "{text}");
    assert!(
        text.contains("forbidden"),
        "the refusal says forbidden:\n{text}"
    );
    assert!(!text.contains("cannot reach"), "{text}");
}

// ---- the cockpit in tmux ---------------------------------------------------------

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// One private tmux server running `lakedeck <args>` with a private HOME; killed on drop.
struct Tmux {
    socket: String,
    _home: tempfile::TempDir,
}

impl Tmux {
    fn start(args: &[&str]) -> Option<Tmux> {
        common::require_tool("tmux")?;
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let socket = format!("lakedeck-scoped-{}-{n}", std::process::id());
        let home = tempfile::tempdir().unwrap();
        let h = home.path().display().to_string();
        let quote = |s: &str| format!("'{}'", s.replace('\'', r"'\''"));
        let mut cmd = vec![
            "env".to_string(),
            "-u".into(),
            "KUBECONFIG".into(),
            quote(&format!("HOME={h}")),
            quote(&format!("XDG_CONFIG_HOME={h}/config")),
            quote(&format!("XDG_DATA_HOME={h}/data")),
            quote(&format!("XDG_STATE_HOME={h}/state")),
            "NO_COLOR=1".into(),
            "TERM=xterm-256color".into(),
            quote(env!("CARGO_BIN_EXE_lakedeck")),
        ];
        cmd.extend(args.iter().map(|a| quote(a)));
        let script = format!("{}; echo \"EXITED $?\"; sleep 60", cmd.join(" "));
        let t = Tmux {
            socket,
            _home: home,
        };
        let out = t.tmux(&[
            "new-session",
            "-d",
            "-s",
            "ld",
            "-x",
            "130",
            "-y",
            "36",
            "sh",
            "-c",
            &script,
        ]);
        assert!(out.status.success(), "tmux: {}", stderr(&out));
        Some(t)
    }

    fn tmux(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .env_remove("TMUX")
            .args(["-L", &self.socket, "-f", "/dev/null"])
            .args(args)
            .output()
            .unwrap()
    }

    fn screen(&self) -> String {
        stdout(&self.tmux(&["capture-pane", "-p", "-J", "-t", "ld"]))
    }

    /// Types a `:` command and Enter.
    fn command(&self, text: &str) {
        self.tmux(&["send-keys", "-t", "ld", "-l", &format!(":{text}")]);
        self.tmux(&["send-keys", "-t", "ld", "Enter"]);
    }

    fn wait_for(&self, what: &str, timeout: Duration, cond: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let screen = self.screen();
            if cond(&screen) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "timed out after {timeout:?} waiting for {what}; screen was:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.tmux(&["kill-server"]);
    }
}

fn header(screen: &str) -> &str {
    screen.lines().next().unwrap_or_default()
}

/// The top border (with the title) of the main pane.
fn pane_title(screen: &str) -> &str {
    screen
        .lines()
        .find(|l| l.starts_with('┌'))
        .unwrap_or_default()
}

#[test]
fn team_user_with_all_namespaces_starts_in_its_namespace_and_says_what_is_forbidden() {
    let lab = LabProcess::start(&[]);
    let kubeconfig = lab.kubeconfig.display().to_string();
    let Some(t) = Tmux::start(&["--kubeconfig", &kubeconfig, "--context", TEAM, "-A"]) else {
        return;
    };
    // It starts (no "cannot reach … forbidden"), as the team, in the context's
    // namespace, and the header says all namespaces are forbidden.
    let overview = t.wait_for("the overview as the team user", START, |s| {
        s.contains("EXITED") || (header(s).contains("user team") && s.contains("Platform"))
    });
    assert!(
        !overview.contains("EXITED"),
        "lakedeck must start:\n{overview}"
    );
    assert!(
        header(&overview).contains("ns trino (all namespaces forbidden)"),
        "the header shows the namespace shown and why:\n{overview}"
    );
    // The Overview's node part says forbidden instead of "0 nodes".
    let overview = t.wait_for("the overview's nodes forbidden", STEP, |s| {
        s.contains(r#"nodes is forbidden: User "team" cannot list resource "nodes""#)
    });
    assert!(!overview.contains("0 nodes"), "{overview}");
    // Velero's kinds live in another namespace: that pane says forbidden too, while
    // Trino (its own endpoint) has data.
    t.wait_for(
        "Velero forbidden and Trino live on the overview",
        STEP,
        |s| {
            s.lines()
                .any(|l| l.contains("Velero") && l.contains("forbidden"))
                && s.lines()
                    .any(|l| l.contains("Trino") && l.contains("running"))
        },
    );
    t.command("pods");
    let pods = t.wait_for("the trino pods", STEP, |s| {
        s.contains("Pods (") && s.contains("[trino]") && s.contains("trino-worker-0")
    });
    let title = pods
        .lines()
        .find(|l| l.contains("Pods ("))
        .unwrap_or_default();
    assert!(
        !title.contains("forbidden"),
        "the pods the team may read are not marked forbidden:\n{pods}"
    );
    t.command("nodes");
    t.wait_for("the Nodes pane saying forbidden", STEP, |s| {
        s.contains("Nodes")
            && s.contains(r#"nodes is forbidden: User "team" cannot list resource "nodes" in API group "" at the cluster scope"#)
    });
    t.command("pods");
    t.command("ns kafka");
    t.wait_for("the kafka pods after :ns kafka", STEP, |s| {
        header(s).contains("ns kafka")
            && s.contains("[kafka]")
            && s.contains("datalake-kafka-0")
            && !s.contains("trino-worker-0")
    });
    // And a namespace it may not read says so in the pane (not "cannot reach").
    t.command("ns minio");
    t.wait_for("minio forbidden in the pods pane", STEP, |s| {
        s.contains("Pods [minio]")
            && s.contains(r#"pods is forbidden: User "team" cannot list resource "pods" in API group "" in the namespace "minio""#)
    });
}

#[test]
fn the_lab_kubeconfig_alone_finds_the_lab_platform_config() {
    let lab = LabProcess::start(&[]);
    let kubeconfig = lab.kubeconfig.display().to_string();
    let Some(t) = Tmux::start(&["--kubeconfig", &kubeconfig]) else {
        return;
    };
    t.wait_for("the overview as admin", START, |s| {
        s.contains("EXITED") || header(s).contains("user admin")
    });
    t.command("trino");
    // Not configured reads "not available: no Trino endpoint configured for context …".
    let trino = t.wait_for("the Trino view", START, |s| {
        s.contains("EXITED")
            || (pane_title(s).contains("Trino")
                && (s.contains("QUEUED") || s.contains("endpoint configured")))
    });
    assert!(
        trino.contains("QUEUED") && !trino.contains("endpoint configured"),
        "the Trino pane shows the lab's Trino, not \"not configured\":\n{trino}"
    );
    t.command("minio");
    let minio = t.wait_for("the MinIO view", START, |s| {
        pane_title(s).contains("MinIO")
            && (s.contains("Drives ") || s.contains("endpoint configured"))
    });
    assert!(
        minio.contains("Drives ") && !minio.contains("endpoint configured"),
        "the MinIO pane shows the lab's MinIO:\n{minio}"
    );
}

// ---- the start-up decision, against the in-process lab ----------------------------

mod choose {
    use lakedeck::app::Scope;
    use lakedeck::lab::{Lab, LabOptions};
    use lakedeck::startup::{Chosen, Refusal, Wanted, choose_scope};

    async fn client(lab: &Lab, dir: &std::path::Path, context: &str) -> kube::Client {
        let path = dir.join("kubeconfig");
        lakedeck::lab::kubeconfig::write(&path, &lab.url, &lab.ca_pem, &lab.tokens).unwrap();
        lakedeck::cockpit::connect(Some(&path), Some(context))
            .await
            .unwrap()
            .client
    }

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_string()).collect()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_403_falls_back_or_is_shown_and_only_real_failures_refuse() {
        let lab = Lab::start(LabOptions::default()).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let team = client(&lab, dir.path(), super::TEAM).await;
        // -A: the first candidate the team may list, and why.
        let chosen = choose_scope(&team, &Wanted::All, &names(&["minio", "kafka", "trino"]))
            .await
            .unwrap();
        assert_eq!(chosen.scope, Scope::Namespace("kafka".into()));
        assert_eq!(chosen.note.as_deref(), Some("all namespaces forbidden"));
        let notice = chosen.notice.unwrap_or_default();
        assert!(
            notice.contains("showing namespace kafka")
                && notice.contains(r#"User "team" cannot list resource "pods""#),
            "{notice}"
        );
        // No namespace given and the context's is forbidden: the next one, named.
        let chosen = choose_scope(&team, &Wanted::Default, &names(&["minio", "trino"]))
            .await
            .unwrap();
        assert_eq!(chosen.scope, Scope::Namespace("trino".into()));
        assert_eq!(chosen.note.as_deref(), Some("namespace minio forbidden"));
        // -n minio: shown as asked (its pane says forbidden), with a notice.
        let chosen = choose_scope(
            &team,
            &Wanted::Namespace("minio".into()),
            &names(&["trino"]),
        )
        .await
        .unwrap();
        assert_eq!(chosen.scope, Scope::Namespace("minio".into()));
        assert!(chosen.notice.is_some_and(|n| n.contains("forbidden")));
        // Nothing it may list: it still starts, on the first candidate.
        let chosen = choose_scope(&team, &Wanted::All, &names(&["minio", "velero"]))
            .await
            .unwrap();
        assert_eq!(chosen.scope, Scope::Namespace("minio".into()));
        // The admin is not bothered.
        let admin = client(&lab, dir.path(), "lakedeck-lab").await;
        assert_eq!(
            choose_scope(&admin, &Wanted::All, &names(&["trino"])).await,
            Ok(Chosen {
                scope: Scope::All,
                note: None,
                notice: None
            })
        );
        // 401 and an unreachable server refuse, each in its own words.
        let bad_token = {
            let mut tokens = lab.tokens.clone();
            tokens.team = "not-the-token".into();
            let path = dir.path().join("bad.kubeconfig");
            lakedeck::lab::kubeconfig::write(&path, &lab.url, &lab.ca_pem, &tokens).unwrap();
            lakedeck::cockpit::connect(Some(&path), Some(super::TEAM))
                .await
                .unwrap()
                .client
        };
        assert!(matches!(
            choose_scope(&bad_token, &Wanted::All, &names(&["trino"])).await,
            Err(Refusal::Unauthenticated(_))
        ));
        let outage = http::Request::post("/lakedeck/faults/unavailable?seconds=30")
            .body(Vec::new())
            .unwrap();
        admin.request_text(outage).await.unwrap();
        let down = choose_scope(&team, &Wanted::All, &names(&["trino"])).await;
        assert!(
            matches!(&down, Err(Refusal::Unreachable(why)) if why.contains("503")),
            "{down:?}"
        );
    }
}
