//! The `lakedeck lab` process as a user runs it: Ctrl-C (SIGINT) stops it cleanly
//! ("lakedeck lab stopped", exit code 0, its port free again), the kubeconfig it writes
//! is private (mode 0600: it holds the admin token), and in the `node-failure` scenario
//! the lost node's evicted pods are force-deleted and replaced, as kubectl reads them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Kills the lab if the test fails before it stopped (its inherited stderr would keep
/// the test runner's output open).
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn ctrl_c_stops_the_lab_cleanly_and_its_kubeconfig_is_private() {
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = dir.path().join("lab.kubeconfig");
    let mut lab = KillOnDrop(
        Command::new(env!("CARGO_BIN_EXE_lakedeck"))
            .args(["lab", "--listen", "127.0.0.1:0", "--write-kubeconfig"])
            .arg(&kubeconfig)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap(),
    );
    let child = &mut lab.0;
    // Lines arrive on a channel, so waiting for one has a deadline that can fire.
    let (tx, rx) = mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    let next_line = |what: &str| -> String {
        rx.recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("no line from the lab while waiting for {what}"))
    };
    let mut port = None;
    loop {
        let line = next_line("its banner");
        if let Some(rest) = line.strip_prefix("lakedeck lab serving https://127.0.0.1:") {
            port = rest
                .split_whitespace()
                .next()
                .and_then(|p| p.parse::<u16>().ok());
        }
        if line.starts_with("press Ctrl-C") {
            break;
        }
    }
    let port = port.expect("the banner names the port");

    let mode = std::fs::metadata(&kubeconfig).unwrap().permissions().mode() & 0o777;
    assert_eq!(
        mode, 0o600,
        "the kubeconfig (admin token) is private: {mode:o}"
    );
    assert!(
        std::net::TcpListener::bind(("127.0.0.1", port)).is_err(),
        "the lab holds its port while serving"
    );

    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(next_line("the stop message"), "lakedeck lab stopped");
    let deadline = Instant::now() + Duration::from_secs(30);
    let code = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status.code();
        }
        assert!(Instant::now() < deadline, "the lab still runs after Ctrl-C");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(code, Some(0), "Ctrl-C is a clean exit");
    assert!(
        std::net::TcpListener::bind(("127.0.0.1", port)).is_ok(),
        "the port is free again"
    );
}

/// node-failure at 20×: compute-3 goes NotReady 60 simulated seconds in, its pods are
/// evicted 30 s later and force-deleted 60 s after that. kubectl then finds none of the
/// lost pods (by UID) and every StatefulSet pod recreated under its name, off compute-3
/// (scheduled elsewhere, or Pending where the scheduler finds no room, as trino-worker-0).
#[test]
fn node_failure_force_deletes_the_lost_pods_and_they_are_replaced() {
    let Some(kubectl) = common::require_tool("kubectl") else {
        return;
    };
    let lab = common::LabProcess::start(&["--scenario", "node-failure", "--speed", "20"]);
    let list = ["get", "pods", "-A", "-o", "json"];
    let pods: serde_json::Value = serde_json::from_str(&lab.kubectl_ok(&kubectl, &list)).unwrap();
    let lost: Vec<(String, String, String)> = pods["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["spec"]["nodeName"] == "compute-3")
        .filter(|p| {
            let kind = p["metadata"]["ownerReferences"][0]["kind"].as_str();
            matches!(kind, Some("ReplicaSet" | "StatefulSet")) && p["status"]["phase"] == "Running"
        })
        .map(|p| {
            (
                p["metadata"]["uid"].as_str().unwrap().to_string(),
                p["metadata"]["name"].as_str().unwrap().to_string(),
                p["metadata"]["ownerReferences"][0]["kind"]
                    .as_str()
                    .unwrap()
                    .to_string(),
            )
        })
        .collect();
    assert!(
        lost.iter().any(|l| l.2 == "StatefulSet") && lost.iter().any(|l| l.2 == "ReplicaSet"),
        "the seed runs StatefulSet and Deployment pods on compute-3: {lost:?}"
    );
    lab.wait_for(&kubectl, &list, Duration::from_secs(90), |text| {
        let now: serde_json::Value = serde_json::from_str(text).unwrap();
        let items = now["items"].as_array().unwrap();
        let gone = lost
            .iter()
            .all(|(uid, ..)| !items.iter().any(|p| p["metadata"]["uid"] == uid.as_str()));
        let back = lost
            .iter()
            .filter(|l| l.2 == "StatefulSet")
            .all(|(_, name, _)| {
                items.iter().any(|p| {
                    p["metadata"]["name"] == name.as_str()
                        && p["spec"]["nodeName"].as_str() != Some("compute-3")
                })
            });
        gone && back
    });
}
