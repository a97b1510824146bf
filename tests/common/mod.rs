//! Shared test harness: run the real `lakedeck lab` binary on a free loopback port,
//! locate external tools with the project's skip rule, and drive kubectl against it.
//!
//! Skip rule: a test that needs an external binary prints "skipped: <tool> not found"
//! and passes — unless `LAKEDECK_REAL_DEPS=1`, where a missing tool fails the test.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Finds `tool` on PATH. Returns None (after printing the skip line) when it is missing
/// and real dependencies are not required; panics when they are.
pub fn require_tool(tool: &str) -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join(tool))
            .find(|p| p.is_file())
    });
    match found {
        Some(p) => Some(p),
        None if std::env::var("LAKEDECK_REAL_DEPS").as_deref() == Ok("1") => {
            panic!(
                "{tool} not found on PATH but LAKEDECK_REAL_DEPS=1 requires it (tests/run.sh installs it)"
            )
        }
        None => {
            // Written to the stderr handle itself, not via eprintln!, so the test
            // harness's output capture cannot hide it.
            use std::io::Write;
            let _ = writeln!(std::io::stderr(), "skipped: {tool} not found");
            None
        }
    }
}

/// How long `lakedeck lab` may take to print its banner before the test fails.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// A `lakedeck lab` process; killed on drop.
pub struct LabProcess {
    child: Child,
    pub url: String,
    pub kubeconfig: PathBuf,
    /// What the lab printed before "press Ctrl-C to stop" (its start-up banner).
    pub banner: Vec<String>,
    _dir: tempfile::TempDir,
}

impl LabProcess {
    pub fn start(extra_args: &[&str]) -> LabProcess {
        let dir = tempfile::tempdir().unwrap();
        let kubeconfig = dir.path().join("lab.kubeconfig");
        let mut child = Command::new(env!("CARGO_BIN_EXE_lakedeck"))
            .args(["lab", "--listen", "127.0.0.1:0", "--write-kubeconfig"])
            .arg(&kubeconfig)
            .args(extra_args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start lakedeck lab");
        // Read stdout on a thread: a lab that hangs before its banner must fail the test
        // at the deadline, not block it forever on a read. The thread keeps draining
        // stdout afterwards so the lab never blocks on a full pipe.
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel::<String>();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                // The receiver is gone once the banner is read: keep draining.
                let _ = tx.send(line);
            }
        });
        let mut url = String::new();
        let mut banner = Vec::new();
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(line) => {
                    if let Some(rest) = line.strip_prefix("lakedeck lab serving ") {
                        url = rest
                            .split_whitespace()
                            .next()
                            .unwrap_or_default()
                            .to_string();
                    }
                    if line.starts_with("press Ctrl-C") {
                        break;
                    }
                    banner.push(line);
                }
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    panic!(
                        "lakedeck lab printed no \"press Ctrl-C to stop\" within {START_TIMEOUT:?}; it printed:\n{}",
                        banner.join("\n")
                    );
                }
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                    let status = child.wait().ok();
                    panic!(
                        "lakedeck lab closed its output before \"press Ctrl-C to stop\" (exit {status:?}); it printed:\n{}",
                        banner.join("\n")
                    );
                }
            }
        }
        assert!(
            url.starts_with("https://127.0.0.1:"),
            "lab did not report its URL; it printed:\n{}",
            banner.join("\n")
        );
        LabProcess {
            child,
            url,
            kubeconfig,
            banner,
            _dir: dir,
        }
    }

    pub fn kubectl(&self, kubectl: &Path, args: &[&str]) -> Output {
        Command::new(kubectl)
            .env("KUBECONFIG", &self.kubeconfig)
            .env_remove("KUBERNETES_SERVICE_HOST")
            .args(["--request-timeout=20s"])
            .args(args)
            .output()
            .expect("run kubectl")
    }

    /// Runs kubectl and returns stdout, failing the test with stderr if it failed.
    pub fn kubectl_ok(&self, kubectl: &Path, args: &[&str]) -> String {
        let out = self.kubectl(kubectl, args);
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "kubectl {args:?} failed: {}\nstdout: {stdout}",
            String::from_utf8_lossy(&out.stderr)
        );
        stdout
    }

    /// Polls `check` on kubectl's output until it holds or `timeout` passes.
    pub fn wait_for(
        &self,
        kubectl: &Path,
        args: &[&str],
        timeout: Duration,
        check: impl Fn(&str) -> bool,
    ) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let out = self.kubectl(kubectl, args);
            let text = String::from_utf8_lossy(&out.stdout).into_owned();
            if out.status.success() && check(&text) {
                return text;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting on kubectl {args:?}; last output:\n{text}\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
            std::thread::sleep(Duration::from_millis(300));
        }
    }
}

impl Drop for LabProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
