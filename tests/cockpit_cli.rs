//! The real `lakedeck` binary's start-up, before any terminal is taken: what it refuses
//! and how it says so. A kubeconfig that would send credentials in clear text beyond
//! this machine, an unknown context, a server that refuses connections — each is a
//! plain message naming what failed and what to do, with exit code 1.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

const TOKEN: &str = "lakedeck-test-token-must-not-travel";

/// A plain-HTTP server on 127.0.0.1 that records each request's head and answers 401 as
/// an API server would to an unknown token (so the cockpit stops at its probe).
fn recording_server() -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let heads = Arc::new(Mutex::new(Vec::new()));
    let seen = heads.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut head = String::new();
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                head.push_str(&line);
            }
            seen.lock().unwrap().push(head);
            let body = r#"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}"#;
            let _ = write!(
                stream,
                "HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (port, heads)
}

fn kubeconfig(dir: &Path, server: &str, contexts: &[&str]) -> std::path::PathBuf {
    let mut yaml = format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: {server}\nusers:\n- name: u\n  user:\n    token: {TOKEN}\ncontexts:\n"
    );
    for name in contexts {
        yaml.push_str(&format!(
            "- name: {name}\n  context:\n    cluster: c\n    user: u\n"
        ));
    }
    yaml.push_str(&format!("current-context: {}\n", contexts[0]));
    let path = dir.join("kubeconfig");
    std::fs::write(&path, yaml).unwrap();
    path
}

/// Runs the cockpit with no terminal (stdin closed) and a private HOME; returns the exit
/// code and stderr.
fn cockpit(args: &[&str]) -> (i32, String) {
    let home = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_lakedeck"))
        .args(args)
        .env_remove("KUBECONFIG")
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("XDG_CACHE_HOME", home.path().join("cache"))
        .env("XDG_DATA_HOME", home.path().join("data"))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Plain HTTP to an address that is not loopback: the bearer token would cross the
/// network readable by anyone on the path (kubectl sends none there). The server here
/// is reached as 0.0.0.0, which Linux delivers to this machine but which is not a
/// loopback address — so if lakedeck sent anything, the recording server would see it.
#[test]
fn credentials_are_never_sent_over_plain_http_beyond_loopback() {
    let (port, heads) = recording_server();
    let dir = tempfile::tempdir().unwrap();
    let config = kubeconfig(dir.path(), &format!("http://0.0.0.0:{port}"), &["remote"]);
    let (code, err) = cockpit(&["--kubeconfig", config.to_str().unwrap()]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("refusing to send the bearer token of context remote in clear text")
            && err.contains("https://"),
        "says what it refused, why and what to do: {err}"
    );
    assert!(
        !err.contains(TOKEN),
        "the token itself is never printed: {err}"
    );
    assert!(
        heads.lock().unwrap().iter().all(|h| !h.contains(TOKEN)),
        "the token crossed plain HTTP: {:?}",
        heads.lock().unwrap()
    );

    // The same over loopback (kubectl proxy, an SSH tunnel) is allowed: the request
    // arrives, and the 401 it gets is reported as what it is.
    let config = kubeconfig(dir.path(), &format!("http://127.0.0.1:{port}"), &["tunnel"]);
    let (code, err) = cockpit(&["--kubeconfig", config.to_str().unwrap()]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("Unauthorized"), "{err}");
    assert!(
        heads
            .lock()
            .unwrap()
            .iter()
            .any(|h| h.starts_with("GET /api/v1/")),
        "the loopback request arrived: {:?}",
        heads.lock().unwrap()
    );
}

#[test]
fn an_unknown_context_lists_the_contexts_there_are() {
    let dir = tempfile::tempdir().unwrap();
    let config = kubeconfig(dir.path(), "https://127.0.0.1:1", &["prod", "staging"]);
    let (code, err) = cockpit(&[
        "--kubeconfig",
        config.to_str().unwrap(),
        "--context",
        "prdo",
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("no context \"prdo\"") && err.contains("it has: prod, staging"),
        "{err}"
    );
}

/// Nothing listens: the message says so in words, not `ServiceError: client error
/// (Connect)`.
#[test]
fn a_refused_connection_is_said_in_words() {
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let dir = tempfile::tempdir().unwrap();
    let config = kubeconfig(dir.path(), &format!("https://127.0.0.1:{port}"), &["down"]);
    let (code, err) = cockpit(&["--kubeconfig", config.to_str().unwrap()]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains(&format!(
            "cannot reach the Kubernetes API at https://127.0.0.1:{port}"
        )) && err.contains("connection refused"),
        "{err}"
    );
    assert!(
        !err.contains("ServiceError") && !err.contains("client error"),
        "library jargon in {err}"
    );
}

/// Runs the cockpit with no terminal and the given HOME (its XDG directories under it).
fn cockpit_in(home: &Path, args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_lakedeck"))
        .args(args)
        .env_remove("KUBECONFIG")
        .env_remove("NO_COLOR")
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("XDG_DATA_HOME", home.join("data"))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `file:line:column:` of `needle`'s first occurrence in `text` (1-based).
fn position(file: &Path, text: &str, needle: &str) -> String {
    let (line, col) = text
        .lines()
        .enumerate()
        .find_map(|(i, l)| l.find(needle).map(|c| (i + 1, c + 1)))
        .unwrap();
    format!("{}:{line}:{col}:", file.display())
}

/// Issue 11 item 5 (README: "a broken config or theme file is `file:line:column: …` and
/// exit code 2"): a config with a bad value, a theme file (`--theme FILE`) with an unknown
/// colour, a broken theme in the user theme directory (`--theme NAME`) — each exits 2
/// before any connection is tried, pointing at the line and column; an unknown theme name
/// lists the built-in and the user's themes.
#[test]
fn broken_config_and_theme_files_exit_2_with_their_location() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    // Nothing listens here: a connection attempt would be exit code 1, not 2.
    let config_kc = kubeconfig(dir.path(), "https://127.0.0.1:1", &["prod"]);
    let kc = config_kc.to_str().unwrap();

    let config = dir.path().join("config.yaml");
    let text = "theme: default\nfavourites: [trino]\nframe_ms: fast\n";
    std::fs::write(&config, text).unwrap();
    let (code, err) = cockpit_in(
        home.path(),
        &["--kubeconfig", kc, "--config", config.to_str().unwrap()],
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(&position(&config, text, "fast")),
        "the config's line and column: {err}"
    );

    let theme = dir.path().join("night-shift.yaml");
    let text = "base: default\nheader: {fg: black, bg: purple}\n";
    std::fs::write(&theme, text).unwrap();
    let (code, err) = cockpit_in(
        home.path(),
        &["--kubeconfig", kc, "--theme", theme.to_str().unwrap()],
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(&position(&theme, text, "purple")) && err.contains("unknown colour"),
        "the theme file's line and column: {err}"
    );

    let themes = home.path().join("config/lakedeck/themes");
    std::fs::create_dir_all(&themes).unwrap();
    std::fs::write(themes.join("day.yaml"), "base: default\n").unwrap();
    let broken = themes.join("dusk.yaml");
    let text = "base: default\nselected: {reverse: maybe}\n";
    std::fs::write(&broken, text).unwrap();
    let (code, err) = cockpit_in(home.path(), &["--kubeconfig", kc, "--theme", "dusk"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(&format!("{}:2:", broken.display())),
        "the user theme's file and line: {err}"
    );

    let (code, err) = cockpit_in(home.path(), &["--kubeconfig", kc, "--theme", "dawn"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("unknown theme \"dawn\"")
            && err.contains("default, high-contrast, mono")
            && err.contains("day")
            && err.contains("dusk"),
        "an unknown theme lists the built-in and the user's themes: {err}"
    );

    // The good user theme is accepted: the start goes on to the (unreachable) server.
    let (code, err) = cockpit_in(home.path(), &["--kubeconfig", kc, "--theme", "day"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("cannot reach the Kubernetes API"), "{err}");
}
