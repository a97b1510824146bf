//! End-to-end tests of the real `lakedeck` binary inside tmux: tmux is a real terminal
//! emulator (it answers cursor queries and tracks the alternate screen), so these tests
//! see exactly what a user at a terminal would see.
//!
//! Every test runs in its own tmux server on a private socket (`-L`), never the user's,
//! and waits for screen conditions instead of sleeping and hoping. The program is run as
//! `sh -c '<lakedeck> …; echo "EXITED $?"; stty -a; sleep 60'` so that after it quits the
//! pane shows its exit code and the terminal mode it left behind.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const START: Duration = Duration::from_secs(30);
const STEP: Duration = Duration::from_secs(15);

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// Quotes `s` for a POSIX shell.
fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// One tmux server (private socket) with one session running lakedeck; killed on drop.
struct Session {
    socket: String,
    name: String,
    _home: tempfile::TempDir,
}

struct SessionSpec<'a> {
    width: u16,
    height: u16,
    args: &'a [&'a str],
    /// (name, Some(value)) sets a variable, (name, None) removes it.
    env: Vec<(&'a str, Option<&'a str>)>,
    /// Run as `trap '' HUP; exec lakedeck …` (as under nohup): the pane's process is then
    /// lakedeck itself, and it outlives the terminal unless it notices the hangup.
    ignore_hangup: bool,
}

impl<'a> SessionSpec<'a> {
    /// `lakedeck <args>` at `width`×`height` with NO_COLOR=1 and TERM=xterm-256color.
    fn new(width: u16, height: u16, args: &'a [&'a str]) -> Self {
        SessionSpec {
            width,
            height,
            args,
            env: vec![("NO_COLOR", Some("1")), ("TERM", Some("xterm-256color"))],
            ignore_hangup: false,
        }
    }
}

impl Session {
    fn start(spec: SessionSpec<'_>) -> Session {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let pid = std::process::id();
        let socket = format!("lakedeck-test-{pid}-{n}");
        let name = format!("ld-{pid}-{n}");
        // A private HOME/XDG tree: no user config, theme or kubeconfig leaks into the
        // test, and the program's log file is not written into the user's home.
        let home = tempfile::tempdir().unwrap();
        let h = home.path().to_str().unwrap().to_string();
        let mut env_args: Vec<String> = vec![
            "-u".into(),
            "KUBECONFIG".into(),
            "-u".into(),
            "COLORTERM".into(),
            format!("HOME={h}"),
            format!("XDG_CONFIG_HOME={h}/config"),
            format!("XDG_CACHE_HOME={h}/cache"),
            format!("XDG_STATE_HOME={h}/state"),
            format!("XDG_DATA_HOME={h}/data"),
        ];
        for (k, v) in &spec.env {
            match v {
                Some(v) => env_args.push(format!("{k}={v}")),
                None => {
                    env_args.push("-u".into());
                    env_args.push((*k).into());
                }
            }
        }
        let mut program = vec!["env".to_string()];
        program.extend(env_args.iter().map(|a| sh_quote(a)));
        program.push(sh_quote(env!("CARGO_BIN_EXE_lakedeck")));
        program.extend(spec.args.iter().map(|a| sh_quote(a)));
        let script = if spec.ignore_hangup {
            format!("trap '' HUP; exec {}", program.join(" "))
        } else {
            format!(
                "{}; echo \"EXITED $?\"; stty -a; sleep 60",
                program.join(" ")
            )
        };
        let width = spec.width.to_string();
        let height = spec.height.to_string();
        let session = Session {
            socket,
            name,
            _home: home,
        };
        let out = session.tmux(&[
            "new-session",
            "-d",
            "-s",
            &session.name,
            "-x",
            &width,
            "-y",
            &height,
            "sh",
            "-c",
            &script,
        ]);
        assert!(
            out.status.success(),
            "tmux new-session failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        session
    }

    fn tmux(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .env_remove("TMUX")
            .args(["-L", &self.socket, "-f", "/dev/null"])
            .args(args)
            .output()
            .expect("run tmux")
    }

    fn tmux_ok(&self, args: &[&str]) -> String {
        let out = self.tmux(args);
        assert!(
            out.status.success(),
            "tmux {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Sends tmux key names (`Enter`, `Escape`, `j`, `?`…). After Escape it pauses
    /// briefly: an Escape immediately followed by another key reads as Alt+key.
    fn send(&self, keys: &[&str]) {
        for key in keys {
            self.tmux_ok(&["send-keys", "-t", &self.name, key]);
            if *key == "Escape" {
                std::thread::sleep(Duration::from_millis(300));
            }
        }
    }

    /// Types `text` literally.
    fn type_text(&self, text: &str) {
        self.tmux_ok(&["send-keys", "-t", &self.name, "-l", text]);
    }

    /// The visible screen as plain text.
    fn screen(&self) -> String {
        self.tmux_ok(&["capture-pane", "-p", "-t", &self.name])
    }

    /// The visible screen with wrapped lines joined (for shell output such as stty's).
    fn screen_joined(&self) -> String {
        self.tmux_ok(&["capture-pane", "-p", "-J", "-t", &self.name])
    }

    /// The visible screen including SGR escape sequences.
    fn screen_with_escapes(&self) -> String {
        self.tmux_ok(&["capture-pane", "-p", "-e", "-t", &self.name])
    }

    /// Whether the pane is currently showing the alternate screen.
    fn alternate_screen_on(&self) -> bool {
        self.tmux_ok(&["display-message", "-p", "-t", &self.name, "#{alternate_on}"])
            .trim()
            == "1"
    }

    fn resize(&self, width: u16, height: u16) {
        self.tmux_ok(&[
            "resize-window",
            "-t",
            &self.name,
            "-x",
            &width.to_string(),
            "-y",
            &height.to_string(),
        ]);
    }

    /// Polls the screen every 200 ms until `cond` holds; fails with the last screen.
    fn wait_for(&self, what: &str, timeout: Duration, cond: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let screen = self.screen();
            if cond(&screen) {
                return screen;
            }
            if Instant::now() >= deadline {
                panic!("timed out after {timeout:?} waiting for {what}; screen was:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Like [`Session::wait_for`], but returns only a screen that two captures 200 ms
    /// apart agree on: tmux can be read while a frame is half written (a re-sorted table
    /// whose top rows are new and bottom rows old), which no user ever reads.
    fn wait_settled(&self, what: &str, timeout: Duration, cond: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + timeout;
        let mut previous = self.wait_for(what, timeout, &cond);
        loop {
            std::thread::sleep(Duration::from_millis(200));
            let screen = self.wait_for(
                what,
                deadline.saturating_duration_since(Instant::now()),
                &cond,
            );
            if screen == previous {
                return screen;
            }
            // A screen that never stops changing while the condition holds is a failure
            // too, not a reason to wait forever.
            assert!(
                Instant::now() < deadline,
                "timed out after {timeout:?} waiting for {what} to settle; last screen:\n{screen}"
            );
            previous = screen;
        }
    }

    /// Waits until the program has exited and returns the (joined) screen.
    fn wait_for_exit(&self) -> String {
        self.wait_for("the program to exit", STEP, |s| s.contains("EXITED"));
        // stty prints after the echo; wait for its last line (it names the lflags).
        let deadline = Instant::now() + STEP;
        loop {
            let s = self.screen_joined();
            if s.contains("echoctl") || Instant::now() >= deadline {
                return s;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = self.tmux(&["kill-server"]);
    }
}

/// Collects failed expectations so one run reports every problem of a flow, not only
/// the first; navigation steps that later steps depend on still fail immediately.
#[derive(Default)]
struct Expectations {
    failures: Vec<String>,
}

impl Expectations {
    fn check(&mut self, ok: bool, what: &str, screen: &str) {
        if !ok {
            self.failures.push(format!("{what}; screen was:\n{screen}"));
        }
    }

    fn finish(self) {
        assert!(
            self.failures.is_empty(),
            "{} expectation(s) failed:\n\n{}",
            self.failures.len(),
            self.failures.join("\n\n")
        );
    }
}

fn lines_containing<'a>(screen: &'a str, needle: &str) -> Vec<&'a str> {
    screen.lines().filter(|l| l.contains(needle)).collect()
}

/// The first line of the main pane (its top border with the title).
fn title_line(screen: &str) -> &str {
    screen
        .lines()
        .find(|l| l.starts_with('┌'))
        .unwrap_or_default()
}

/// Table rows of the main pane: bordered lines after the column header line.
fn table_rows(screen: &str) -> Vec<&str> {
    screen
        .lines()
        .skip_while(|l| !l.contains("NAMESPACE"))
        .skip(1)
        .take_while(|l| l.starts_with('│'))
        .filter(|l| !l.trim_matches(|c| c == '│' || c == ' ').is_empty())
        .collect()
}

fn overview_ready(s: &str) -> bool {
    s.contains("ctx lakedeck-lab")
        && s.contains("Pods needing attention")
        && s.contains("datalake-kafka-connect-")
        && s.contains("airflow-scheduler-")
        && s.contains("dbt-full-refresh-")
}

/// Everything a user should be able to read on the overview of the seed scenario.
fn check_overview(exp: &mut Expectations, s: &str, size: &str) {
    exp.check(
        s.lines()
            .next()
            .unwrap_or_default()
            .contains("ctx lakedeck-lab"),
        &format!("{size}: the header shows the context"),
        s,
    );
    exp.check(
        s.contains("8 nodes") && s.contains("8 Ready"),
        &format!("{size}: the nodes summary counts 8 Ready nodes"),
        s,
    );
    // The crash-looping pod runs for 20 s between back-offs, so its STATUS is not
    // always CrashLoopBackOff (see `CRASHLOOP`); its restarts always show.
    let kafka = lines_containing(s, "datalake-kafka-connect-");
    exp.check(
        kafka
            .iter()
            .any(|l| l.contains("CrashLoopBackOff") || l.contains("restarts")),
        &format!("{size}: the crash-looping kafka-connect pod is listed with why"),
        s,
    );
    let scheduler = lines_containing(s, "airflow-scheduler-");
    exp.check(
        scheduler
            .iter()
            .any(|l| l.contains("OOMKilled") && l.contains(" ago")),
        &format!(
            "{size}: the airflow scheduler's row gives its whole reason (\"OOMKilled 25m ago\")"
        ),
        s,
    );
    let dbt = lines_containing(s, "dbt-full-refresh-");
    exp.check(
        dbt.iter().any(|l| l.contains("Pending")),
        &format!("{size}: the dbt job pod is shown Pending"),
        s,
    );
    // Footer hints are whole or absent, never cut mid-hint ("… <?> help  <").
    let footer = s
        .lines()
        .rfind(|l| !l.trim().is_empty())
        .unwrap_or_default();
    exp.check(
        footer.matches('<').count() == footer.matches('>').count(),
        &format!("{size}: the footer shows whole key hints, not one cut in half"),
        s,
    );
}

/// The seed's kafka-connect pod is in CrashLoopBackOff at start, restarts ~8 s later,
/// runs 20 s, then backs off for 5 min: waits (past the run, if need be) until its row
/// shows CrashLoopBackOff.
const CRASHLOOP: Duration = Duration::from_secs(50);

fn crashloop_shown(s: &str) -> bool {
    lines_containing(s, "datalake-kafka-connect-")
        .iter()
        .any(|l| l.contains("CrashLoopBackOff"))
}

#[test]
fn demo_overview_shows_the_seed_trouble_pods() {
    if common::require_tool("tmux").is_none() {
        return;
    }
    let wide = Session::start(SessionSpec::new(120, 32, &["demo"]));
    let small = Session::start(SessionSpec::new(80, 24, &["demo"]));
    let mut exp = Expectations::default();
    for (session, size) in [(&wide, "120×32"), (&small, "80×24")] {
        session.wait_for(&format!("the overview at {size}"), START, overview_ready);
        let s = session.wait_for(
            &format!("the kafka-connect pod in CrashLoopBackOff at {size}"),
            CRASHLOOP,
            |s| overview_ready(s) && crashloop_shown(s),
        );
        check_overview(&mut exp, &s, size);
    }
    exp.finish();
}

#[test]
fn pods_filter_describe_logs_and_back() {
    if common::require_tool("tmux").is_none() {
        return;
    }
    let s = Session::start(SessionSpec::new(120, 32, &["demo"]));
    let mut exp = Expectations::default();
    s.wait_for("the overview", START, overview_ready);

    // :pods → all pods, trouble first.
    s.type_text(":pods");
    s.send(&["Enter"]);
    let screen = s.wait_for("the pods view", STEP, |s| {
        title_line(s).contains("Pods (") && title_line(s).contains("[all namespaces]")
    });
    let crash = lines_containing(&screen, "datalake-kafka-connect-");
    exp.check(
        crash.iter().any(|l| l.contains(" ago)")),
        "pods view: the crash-looping pod's RESTARTS reads like kubectl's \"7 (4m57s ago)\", not cut off",
        &screen,
    );

    // /trino Enter → only trino pods.
    s.type_text("/trino");
    s.send(&["Enter"]);
    let screen = s.wait_for("the pods filtered to trino", STEP, |s| {
        title_line(s).contains("/trino") && s.contains("trino-worker-") && !s.contains("kafka")
    });
    let rows = table_rows(&screen);
    exp.check(
        rows.len() >= 4 && rows.iter().all(|r| r.contains("trino")),
        "filtered pods view: every row is a trino pod",
        &screen,
    );

    // Enter → describe of the selected (first) trino pod.
    s.send(&["Enter"]);
    let screen = s.wait_for("describe of a trino pod", STEP, |s| {
        title_line(s).contains("describe pod trino/") && s.contains("Events:")
    });
    exp.check(
        screen.contains("Name:") && screen.contains("Namespace:     trino"),
        "describe shows Name: and Namespace: trino",
        &screen,
    );

    // Esc → back to the filtered pods view.
    s.send(&["Escape"]);
    s.wait_for("the filtered pods view again", STEP, |s| {
        title_line(s).contains("Pods (") && title_line(s).contains("/trino")
    });

    // G selects the last row; Enter describes it.
    s.send(&["G", "Enter"]);
    s.wait_for("describe of the last trino pod", STEP, |s| {
        title_line(s).contains("describe pod trino/trino-worker-2")
    });
    s.send(&["Escape"]);
    s.wait_for("the filtered pods view again", STEP, |s| {
        title_line(s).contains("Pods (") && title_line(s).contains("/trino")
    });

    // g, j → second row; d describes it.
    s.send(&["g", "j", "d"]);
    s.wait_for("describe (d) of the second trino pod", STEP, |s| {
        title_line(s).contains("describe pod trino/trino-worker-0") && s.contains("Events:")
    });
    s.send(&["Escape"]);
    s.wait_for("the filtered pods view again", STEP, |s| {
        title_line(s).contains("Pods (") && title_line(s).contains("/trino")
    });

    // l → logs of the selected pod, real-looking Trino log lines.
    s.send(&["l"]);
    let screen = s.wait_for("trino log lines", STEP, |s| {
        title_line(s).starts_with("┌ logs trino/")
            && title_line(s).contains('[')
            && s.contains("io.trino")
    });
    // Trino separates its fields with tabs; they must show as space, not vanish
    // ("…494ZINFOdispatcher-query-47io.trino.event…").
    let fields_separated = lines_containing(&screen, "io.trino").iter().any(|l| {
        let words: Vec<&str> = l.trim_matches('│').split_whitespace().collect();
        words
            .iter()
            .any(|w| ["INFO", "WARN", "ERROR", "DEBUG"].contains(w))
            && words.iter().any(|w| w.starts_with("io.trino."))
    });
    exp.check(
        fields_separated,
        "logs: the level and logger of a Trino line are separate words (tabs shown as space)",
        &screen,
    );

    // Esc → back to pods; Esc again clears the kept filter (k9s; help: "close the
    // view / clear the filter") and stays in the pods view.
    s.send(&["Escape"]);
    s.wait_for("the filtered pods view after logs", STEP, |s| {
        title_line(s).contains("Pods (") && title_line(s).contains("/trino")
    });
    s.send(&["Escape"]);
    let screen = s.wait_for("the filter cleared or the view left", STEP, |s| {
        !title_line(s).contains("/trino")
    });
    exp.check(
        title_line(&screen).contains("Pods (") && screen.contains("datalake-kafka-connect-"),
        "Esc on a filtered pods view clears the filter and stays in the pods view",
        &screen,
    );

    // :nodes → 8 nodes.
    s.type_text(":nodes");
    s.send(&["Enter"]);
    let screen = s.wait_for("the nodes view", STEP, |s| {
        title_line(s).contains(" Nodes (8) ") && s.contains("compute-1")
    });
    let node_rows: Vec<&str> = screen
        .lines()
        .skip_while(|l| !l.contains("NAME"))
        .skip(1)
        .filter(|l| l.contains(" Ready"))
        .collect();
    exp.check(
        node_rows.len() == 8,
        "nodes view: 8 Ready node rows",
        &screen,
    );
    exp.check(
        screen.contains("VERSION") && screen.contains("v1."),
        "nodes view at 120 columns: the VERSION column is shown (room is there: NAME and STATUS are 32 wide)",
        &screen,
    );

    // Enter on the first node → its pods.
    s.send(&["Enter"]);
    let screen = s.wait_for("the pods of compute-1", STEP, |s| {
        title_line(s).contains("node compute-1") && s.contains("Running")
    });
    let rows = table_rows(&screen);
    exp.check(
        !rows.is_empty() && rows.iter().all(|r| r.contains("compute-1")),
        "node's pods view: every pod runs on compute-1",
        &screen,
    );

    // ? → help generated from the keymap.
    s.send(&["?"]);
    let screen = s.wait_for("help", STEP, |s| title_line(s).contains("Help"));
    exp.check(
        screen.contains("describe") && screen.contains("logs") && screen.contains("filter"),
        "help lists describe, logs and filter",
        &screen,
    );

    s.send(&["q"]);
    let screen = s.wait_for_exit();
    exp.check(screen.contains("EXITED 0"), "q from help exits 0", &screen);
    exp.finish();
}

#[test]
fn resize_redraws_and_tiny_terminal_says_too_small() {
    if common::require_tool("tmux").is_none() {
        return;
    }
    let s = Session::start(SessionSpec::new(100, 30, &["demo"]));
    s.wait_for("the overview", START, overview_ready);

    s.resize(50, 10);
    let screen = s.wait_for("the too-small message", STEP, |s| {
        s.contains("terminal too small (50×10, need 60×12)")
    });
    assert!(
        !screen.contains('┌') && !screen.contains("Pods needing attention"),
        "no half-drawn layout next to the too-small message:\n{screen}"
    );

    s.resize(100, 30);
    let screen = s.wait_for("the overview after growing back", STEP, |s| {
        overview_ready(s) && !s.contains("terminal too small")
    });
    let lines: Vec<&str> = screen.lines().collect();
    assert_eq!(lines.len(), 30, "30 rows:\n{screen}");
    for title in ["┌ Nodes", "┌ Platform", "┌ Pods needing attention"] {
        let top = lines
            .iter()
            .find(|l| l.starts_with(title))
            .unwrap_or_else(|| panic!("no box {title:?}:\n{screen}"));
        assert!(
            top.chars().count() == 100 && top.ends_with('┐'),
            "box {title:?} spans the full 100 columns:\n{screen}"
        );
    }
    let bottoms = lines.iter().filter(|l| l.starts_with('└')).count();
    assert_eq!(bottoms, 3, "all three boxes are closed:\n{screen}");
    let mut exp = Expectations::default();
    check_overview(&mut exp, &screen, "100×30 after resize");
    exp.finish();
}

#[test]
fn q_leaves_the_terminal_usable() {
    if common::require_tool("tmux").is_none() {
        return;
    }
    let s = Session::start(SessionSpec::new(100, 30, &["demo"]));
    s.wait_for("the overview", START, overview_ready);
    assert!(
        s.alternate_screen_on(),
        "the cockpit runs on the alternate screen"
    );

    s.send(&["q"]);
    let screen = s.wait_for_exit();
    assert!(screen.contains("EXITED 0"), "q exits 0:\n{screen}");
    assert_terminal_restored(&s, &screen);
}

/// User and system CPU time of process `pid` in clock ticks (1/100 s), or None once it
/// is gone (or a zombie).
fn cpu_ticks(pid: &str) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may contain spaces) in parentheses.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    if fields.first() == Some(&"Z") {
        return None;
    }
    Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
}

/// `trap '' HUP; exec lakedeck` (as under nohup), then the terminal goes away: a hung-up
/// tty reads as end-of-file forever, and the cockpit must stop at once instead of
/// retrying that read in a tight loop (it used to burn a full core for ~8 s).
#[test]
fn a_hangup_with_sighup_ignored_ends_the_cockpit_without_spinning() {
    if common::require_tool("tmux").is_none() {
        return;
    }
    let mut spec = SessionSpec::new(100, 30, &["demo"]);
    spec.ignore_hangup = true;
    let s = Session::start(spec);
    s.wait_for("the overview", START, overview_ready);
    let pid = s
        .tmux_ok(&["display-message", "-p", "-t", &s.name, "#{pane_pid}"])
        .trim()
        .to_string();
    let before = cpu_ticks(&pid).expect("lakedeck is running as the pane's process");
    // Closing the session closes the pty: the kernel hangs the terminal up.
    s.tmux_ok(&["kill-session", "-t", &s.name]);
    let deadline = Instant::now() + STEP;
    let mut last = before;
    while let Some(ticks) = cpu_ticks(&pid) {
        last = ticks;
        assert!(
            Instant::now() < deadline,
            "lakedeck (pid {pid}) still runs {STEP:?} after its terminal hung up, having used {} ms of CPU since",
            (ticks - before) * 10
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // A second of CPU would be a core spinning; stopping costs a few ticks.
    assert!(
        last - before < 50,
        "lakedeck used {} ms of CPU between the hangup and its exit: it spun on the dead terminal",
        (last - before) * 10
    );
}

/// After the program is gone: cooked mode with echo, normal screen, no cockpit left.
fn assert_terminal_restored(s: &Session, screen: &str) {
    let words: Vec<&str> = screen.split_whitespace().collect();
    for mode in ["icanon", "echo"] {
        assert!(
            words.contains(&mode) && !words.contains(&format!("-{mode}").as_str()),
            "the terminal is left in {mode} mode (stty shows {mode}, not -{mode}):\n{screen}"
        );
    }
    assert!(
        !s.alternate_screen_on(),
        "the alternate screen was left:\n{screen}"
    );
    assert!(
        !screen.contains("ctx lakedeck-lab") && !screen.contains('┌'),
        "the normal screen shows the shell's output, not a leftover cockpit:\n{screen}"
    );
}

/// SGR parameters that set a colour (foreground, background or underline colour).
fn colour_sgr_params(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("\x1b[") {
        let after = &rest[start + 2..];
        let end = after
            .find(|c: char| !(c.is_ascii_digit() || c == ';' || c == ':'))
            .unwrap_or(after.len());
        if after[end..].starts_with('m') {
            let params: Vec<&str> = after[..end].split(';').collect();
            let mut i = 0;
            while i < params.len() {
                let p = params[i];
                let head: u32 = p.split(':').next().unwrap_or("").parse().unwrap_or(0);
                match head {
                    30..=37 | 40..=47 | 90..=97 | 100..=107 => found.push(p.to_string()),
                    38 | 48 | 58 => {
                        found.push(params[i..].join(";"));
                        if !p.contains(':') {
                            // 38;5;N or 38;2;R;G;B: skip the colour's own parameters.
                            i += match params.get(i + 1) {
                                Some(&"5") => 2,
                                Some(&"2") => 4,
                                _ => 0,
                            };
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
        }
        rest = &after[end..];
    }
    found
}

#[test]
fn no_color_shows_no_colour_escapes() {
    if common::require_tool("tmux").is_none() {
        return;
    }
    let s = Session::start(SessionSpec::new(120, 32, &["demo"]));
    let mut exp = Expectations::default();
    let screen = s.wait_for("the overview with the crash loop", CRASHLOOP, |s| {
        overview_ready(s) && crashloop_shown(s)
    });
    let crash = lines_containing(&screen, "datalake-kafka-connect-");
    exp.check(
        crash.iter().any(|l| l.contains('✗')),
        "overview: the crash-looping row carries a severity symbol (✗) without colour",
        &screen,
    );
    let escaped = s.screen_with_escapes();
    exp.check(
        colour_sgr_params(&escaped).is_empty(),
        &format!(
            "overview with NO_COLOR=1 uses no colour SGR codes, found {:?}",
            colour_sgr_params(&escaped)
        ),
        &escaped,
    );

    s.type_text(":pods");
    s.send(&["Enter"]);
    let screen = s.wait_for("the pods view with the crash loop", CRASHLOOP, |s| {
        title_line(s).contains("Pods (") && crashloop_shown(s)
    });
    let crash = lines_containing(&screen, "datalake-kafka-connect-");
    exp.check(
        crash.iter().any(|l| l.contains('✗')),
        "pods view: the crash-looping row carries a severity symbol (✗) without colour",
        &screen,
    );
    let escaped = s.screen_with_escapes();
    exp.check(
        colour_sgr_params(&escaped).is_empty(),
        &format!(
            "pods view with NO_COLOR=1 uses no colour SGR codes, found {:?}",
            colour_sgr_params(&escaped)
        ),
        &escaped,
    );
    // The selection must still be visible without colour: reverse video.
    exp.check(
        escaped.contains("\x1b[7m") || escaped.contains(";7m") || escaped.contains("[7;"),
        "pods view with NO_COLOR=1 marks the selected row with reverse video",
        &escaped,
    );
    exp.finish();
}

/// The positive control of `no_color_shows_no_colour_escapes`: without NO_COLOR the
/// default theme draws the crash-looping row in colour (critical: red), and `--theme
/// mono` — NO_COLOR unset — draws the same screen with no colour at all. Without it the
/// NO_COLOR test would also pass if colour were never emitted, or never captured.
#[test]
fn default_theme_colours_the_crash_loop_and_mono_does_not() {
    if common::require_tool("tmux").is_none() {
        return;
    }
    // NO_COLOR empty: "not set" for no-color.org (`env -u` cannot follow assignments).
    let spec = |args: &'static [&'static str]| {
        let mut spec = SessionSpec::new(120, 32, args);
        spec.env = vec![("NO_COLOR", Some("")), ("TERM", Some("xterm-256color"))];
        spec
    };
    let default = Session::start(spec(&["demo"]));
    let mono = Session::start(spec(&["demo", "--theme", "mono"]));
    let mut exp = Expectations::default();
    // tmux reports the named colours as palette indexes or as SGR 31/91.
    let red = |c: &String| ["31", "91", "38;5;1", "38;5;9"].contains(&c.as_str());
    for (s, theme) in [(&default, "default"), (&mono, "mono")] {
        s.wait_for(&format!("{theme}: the crash loop"), CRASHLOOP, |s| {
            overview_ready(s) && crashloop_shown(s)
        });
        let escaped = s.screen_with_escapes();
        let row = lines_containing(&escaped, "datalake-kafka-connect-")
            .into_iter()
            .find(|l| l.contains("CrashLoopBackOff"))
            .unwrap_or_default();
        let colours = colour_sgr_params(row);
        if theme == "default" {
            exp.check(
                colours.iter().any(red),
                &format!("default theme: the crash-looping row is red, found {colours:?}"),
                &escaped,
            );
        } else {
            exp.check(
                colour_sgr_params(&escaped).is_empty(),
                &format!(
                    "mono theme: no colour SGR codes, found {:?}",
                    colour_sgr_params(&escaped)
                ),
                &escaped,
            );
        }
    }
    exp.finish();
}

#[test]
fn bad_kubeconfig_is_a_plain_message_not_a_tui() {
    if common::require_tool("tmux").is_none() {
        return;
    }
    let missing = Path::new("/nonexistent/lakedeck-test/kubeconfig");
    assert!(!missing.exists());
    let s = Session::start(SessionSpec::new(
        100,
        30,
        &["--kubeconfig", missing.to_str().unwrap()],
    ));
    let screen = s.wait_for_exit();
    assert!(screen.contains("EXITED 1"), "exit code 1:\n{screen}");
    assert!(
        screen.contains("kubeconfig /nonexistent/lakedeck-test/kubeconfig does not exist"),
        "a plain message names the problem:\n{screen}"
    );
    assert_terminal_restored(&s, &screen);
}

#[test]
fn colour_sgr_detection_is_itself_correct() {
    // The NO_COLOR test is only as good as its detector.
    assert!(colour_sgr_params("\x1b[0;1;7mX\x1b[39m\x1b[49m\x1b[2m").is_empty());
    assert_eq!(colour_sgr_params("\x1b[31mX"), ["31"]);
    assert_eq!(colour_sgr_params("\x1b[1;38;5;5mX"), ["38;5;5"]);
    assert_eq!(colour_sgr_params("\x1b[48;2;1;2;3;1mX"), ["48;2;1;2;3;1"]);
    assert_eq!(colour_sgr_params("\x1b[0;102m"), ["102"]);
    assert!(colour_sgr_params("\x1b[2J\x1b[10;5H").is_empty());
}

#[test]
fn ctx_lists_contexts_and_switching_reconnects_as_the_other_user() {
    if common::require_tool("tmux").is_none() {
        return;
    }
    let s = Session::start(SessionSpec::new(120, 32, &["demo"]));
    s.wait_for("the overview as admin", START, |s| {
        overview_ready(s) && s.contains("user admin")
    });
    s.type_text(":ctx");
    s.send(&["Enter"]);
    s.wait_for("the context list", STEP, |s| {
        s.contains("Contexts")
            && s.contains("lakedeck-lab  (current)")
            && s.contains("lakedeck-lab-viewer")
    });
    s.send(&["j"]);
    s.send(&["Enter"]);
    // The header follows the switch: the viewer's context and identity, and its data.
    s.wait_for("the header as the viewer", START, |s| {
        s.contains("ctx lakedeck-lab-viewer")
            && s.contains("user viewer")
            && s.contains("Pods needing attention")
    });
}

/// The incident flow of issue 4: `demo --scenario trino-backlog` shows the backlog on the
/// Overview and in the Trino view, the alert in Alerts, and Enter on the alert opens
/// Trino (esc comes back to Alerts). Checked at 80×24.
#[test]
fn trino_backlog_from_overview_to_alert_to_trino() {
    if common::require_tool("tmux").is_none() {
        return;
    }
    let s = Session::start(SessionSpec::new(
        80,
        24,
        &["demo", "--scenario", "trino-backlog"],
    ));
    let mut exp = Expectations::default();
    let queued = |screen: &str| -> Option<u32> {
        // The overview's Trino line and the Trino view's counts line both read
        // "… N queued …".
        let line = screen.lines().find(|l| l.contains(" queued"))?;
        let before = line.split(" queued").next()?;
        before.split_whitespace().last()?.parse().ok()
    };
    let overview = s.wait_for(
        "the overview's Trino line with more than 10 queued",
        Duration::from_secs(60),
        |screen| screen.contains("ctx lakedeck-lab") && queued(screen).is_some_and(|q| q > 10),
    );
    exp.check(
        overview.contains("CrashLoopBackOff") && overview.contains("trino-worker"),
        "the crash-looping Trino workers among the pods needing attention",
        &overview,
    );

    s.send(&["!"]);
    let alerts = s.wait_for("TrinoQueueHigh in the Alerts view", STEP, |screen| {
        title_line(screen).contains("Alerts") && screen.contains("TrinoQueueHigh")
    });
    exp.check(
        lines_containing(&alerts, "TrinoQueueHigh")
            .iter()
            .any(|l| l.contains("warning") && l.contains("firing")),
        "TrinoQueueHigh shown as a firing warning",
        &alerts,
    );

    // Select the alert (the list may put other alerts first) and press Enter.
    let rows = rows_after(&alerts, "SEVERITY");
    let index = rows
        .iter()
        .position(|l| l.contains("TrinoQueueHigh"))
        .expect("TrinoQueueHigh row");
    s.send(&["g"]);
    for _ in 0..index {
        s.send(&["j"]);
    }
    s.send(&["Enter"]);
    let trino = s.wait_for("the Trino view after Enter on the alert", STEP, |screen| {
        title_line(screen).contains("Trino") && screen.contains("QUEUED")
    });
    exp.check(
        queued(&trino).is_some_and(|q| q > 10),
        "the Trino view's queue depth above 10",
        &trino,
    );
    let first_query = rows_after(&trino, "ELAPSED")
        .into_iter()
        .find(|l| l.contains("QUEUED") || l.contains("RUNNING"))
        .unwrap_or_default();
    exp.check(
        first_query.contains("QUEUED"),
        "queued queries listed first",
        &trino,
    );

    s.send(&["Escape"]);
    let back = s.wait_for("esc back to Alerts", STEP, |screen| {
        title_line(screen).contains("Alerts")
    });
    exp.check(
        back.contains("TrinoQueueHigh"),
        "Alerts again after esc",
        &back,
    );
    exp.finish();
}

/// The non-empty table rows below the header line containing `header`.
fn rows_after<'a>(screen: &'a str, header: &str) -> Vec<&'a str> {
    screen
        .lines()
        .skip_while(|l| !l.contains(header))
        .skip(1)
        .take_while(|l| l.starts_with('│'))
        .filter(|l| !l.trim_matches(|c| c == '│' || c == ' ').is_empty())
        .collect()
}

/// A pane action end to end: `c` on a node opens the confirmation dialog with the
/// server's dry-run preview, `y` cordons it for real, the node shows
/// SchedulingDisabled, and the audit log in --data-dir has the record.
#[test]
fn cordon_a_node_from_the_nodes_view_with_its_confirmation() {
    if common::require_tool("tmux").is_none() {
        return;
    }
    let data = tempfile::tempdir().unwrap();
    let data_dir = data.path().to_str().unwrap().to_string();
    let s = Session::start(SessionSpec::new(80, 24, &["demo", "--data-dir", &data_dir]));
    let mut exp = Expectations::default();
    s.wait_for("the overview", Duration::from_secs(60), overview_ready);
    s.type_text(":nodes");
    s.send(&["Enter"]);
    let nodes = s.wait_for("the nodes view with Ready nodes", STEP, |screen| {
        screen.contains("PRESSURE") && screen.contains(" Ready")
    });
    // The first node that is plainly Ready (not already cordoned).
    let rows = rows_after(&nodes, "STATUS");
    let words = |l: &str| -> Vec<String> {
        l.split(|c: char| c.is_whitespace() || c == '│')
            .filter(|w| w.len() > 1)
            .map(str::to_string)
            .collect()
    };
    let index = rows
        .iter()
        .position(|l| words(l).get(1).map(String::as_str) == Some("Ready"))
        .unwrap_or_else(|| panic!("a Ready node in:\n{nodes}"));
    let node = words(rows[index])[0].clone();
    s.send(&["g"]);
    for _ in 0..index {
        s.send(&["j"]);
    }
    s.send(&["c"]);
    let dialog = s.wait_for("the cordon preview", STEP, |screen| {
        screen.contains("Preview (server dry run)") && screen.contains("Go ahead?")
    });
    exp.check(
        dialog.contains(&format!("cordon node {node}")),
        "the dialog names the op and its target",
        &dialog,
    );
    exp.check(
        dialog.contains("unschedulable"),
        "the preview says what changes",
        &dialog,
    );
    s.send(&["y"]);
    let after = s.wait_for("the node SchedulingDisabled", STEP, |screen| {
        lines_containing(screen, &node)
            .iter()
            .any(|l| l.contains("SchedulingDisabled"))
    });
    exp.check(
        !after.contains("Go ahead?"),
        "the dialog closed after the op",
        &after,
    );
    let audit = std::fs::read_to_string(data.path().join("audit.jsonl")).unwrap_or_default();
    exp.check(
        audit.contains("\"cordon\"") && audit.contains(&node),
        "the audit log has the cordon",
        &audit,
    );
    s.send(&["q"]);
    s.wait_for_exit();
    exp.finish();
}

/// The issue's end-to-end flow: from the firing TrinoQueueHigh alert, `o` opens its
/// runbook (trino-scale-up), `r` and enter run it with the default parameters, the
/// scale step's op is confirmed in the dialog (preview `replicas 3 → 5`), an operator
/// note goes into the run while it waits for the new workers, the queue drains and the
/// run succeeds, and `v` shows the report it wrote, with the note; the scale is in the
/// audit log with the run id.
#[test]
fn trino_alert_to_runbook_run_with_confirmation_to_report() {
    if common::require_tool("tmux").is_none() {
        return;
    }
    let data = tempfile::tempdir().unwrap();
    let data_dir = data.path().to_str().unwrap().to_string();
    let s = Session::start(SessionSpec::new(
        80,
        24,
        &[
            "demo",
            "--scenario",
            "trino-backlog",
            "--data-dir",
            &data_dir,
        ],
    ));
    let mut exp = Expectations::default();
    s.wait_for("the overview", Duration::from_secs(60), |screen| {
        screen.contains("ctx lakedeck-lab")
    });
    s.send(&["!"]);
    let alerts = s.wait_for(
        "TrinoQueueHigh firing in the Alerts view",
        Duration::from_secs(90),
        |screen| {
            title_line(screen).contains("Alerts")
                && lines_containing(screen, "TrinoQueueHigh")
                    .iter()
                    .any(|l| l.contains("firing"))
        },
    );
    let index = rows_after(&alerts, "SEVERITY")
        .iter()
        .position(|l| l.contains("TrinoQueueHigh"))
        .expect("TrinoQueueHigh row");
    s.send(&["g"]);
    for _ in 0..index {
        s.send(&["j"]);
    }
    let selected = s.wait_for("the alert's runbook named below the list", STEP, |screen| {
        screen.contains("runbook trino-scale-up")
    });
    exp.check(
        selected.contains("o opens"),
        "the key that opens the runbook is shown",
        &selected,
    );
    s.send(&["o"]);
    let page = s.wait_for("the runbook page", STEP, |screen| {
        screen.contains("Runbook trino-scale-up") && screen.contains("Steps:")
    });
    exp.check(
        page.contains("replicas") && page.contains("Scale trino-worker"),
        "parameters and steps on the runbook page",
        &page,
    );
    s.send(&["r"]);
    s.wait_for("the parameters form", STEP, |screen| {
        screen.contains("Run runbook") && screen.contains("replicas")
    });
    s.send(&["Enter"]);
    let confirm = s.wait_for(
        "the scale step's confirmation dialog",
        Duration::from_secs(30),
        |screen| screen.contains("Go ahead?"),
    );
    exp.check(
        confirm.contains("scale statefulset trino/trino-worker to 5 replicas")
            && confirm.contains("replicas 3 → 5"),
        "the op summary and its dry-run preview",
        &confirm,
    );
    exp.check(
        confirm.contains("Run trino-scale-up-") && confirm.contains("waiting for you"),
        "the run view behind the dialog shows the step waiting",
        &confirm,
    );
    s.send(&["y"]);
    // The scale is done and the run waits for the new workers: the operator writes a
    // note; the new workers drain the queue and the run succeeds.
    let waiting = s.wait_for(
        "the scale done and the wait under way",
        Duration::from_secs(60),
        |screen| {
            lines_containing(screen, "Scale trino-worker")
                .iter()
                .any(|l| l.contains("done"))
                && lines_containing(screen, "added workers are Ready")
                    .iter()
                    .any(|l| l.contains("waiting") || l.contains("done"))
        },
    );
    exp.check(
        waiting.contains("readyReplicas") || waiting.contains("added workers are Ready"),
        "the wait step's detail",
        &waiting,
    );
    s.send(&["n"]);
    s.wait_for("the notes box", STEP, |screen| {
        screen.contains("Operator note")
    });
    s.type_text("queue at 60, two workers crash-looping");
    s.send(&["Enter"]);
    let noted = s.wait_for("the note in the run's notes", STEP, |screen| {
        screen.contains("Notes (1)") && screen.contains("two workers crash-looping")
    });
    exp.check(
        !noted.contains("Operator note"),
        "the notes box closed",
        &noted,
    );
    let done = s.wait_for(
        "the run to succeed (the queue drained)",
        Duration::from_secs(240),
        |screen| screen.contains("Finished") && title_line(screen).contains("succeeded"),
    );
    exp.check(
        lines_containing(&done, "✓ 3. Scale trino-worker").len() == 1,
        "the scale step done with its mark",
        &done,
    );
    exp.check(
        done.contains("report ") && done.contains("/reports/trino-scale-up-"),
        "the report path in the finished box",
        &done,
    );
    s.send(&["v"]);
    let report = s.wait_for("the report text", STEP, |screen| {
        screen.contains("report trino-scale-up-") && screen.contains("# Scale up Trino workers")
    });
    exp.check(
        report.contains("## Parameters") || report.contains("Parameters"),
        "the report's sections",
        &report,
    );
    // The note is the report's last section: at the bottom of the report view.
    s.send(&["G"]);
    let bottom = s.wait_for("the end of the report", STEP, |screen| {
        screen.contains("## Operator notes")
    });
    exp.check(
        lines_containing(&bottom, "queue at 60, two workers crash-looping").len() == 1,
        "the operator's note in the report on screen",
        &bottom,
    );
    let reports: Vec<_> = std::fs::read_dir(data.path().join("reports"))
        .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    let md: Vec<String> = reports
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    exp.check(
        md.len() == 1,
        "one report file in --data-dir",
        &format!("{reports:?}"),
    );
    exp.check(
        md.iter().any(|t| {
            t.split("## Operator notes")
                .nth(1)
                .is_some_and(|notes| notes.contains("queue at 60, two workers crash-looping"))
        }),
        "the report file has the note under \"Operator notes\"",
        &md.join("\n---\n"),
    );
    let audit = std::fs::read_to_string(data.path().join("audit.jsonl")).unwrap_or_default();
    exp.check(
        audit.contains("\"scale\"") && audit.contains("trino-scale-up-"),
        "the scale audited with the run id",
        &audit,
    );
    s.send(&["Escape"]);
    s.send(&["q"]);
    s.wait_for_exit();
    exp.finish();
}

/// The footer line (the last non-empty one).
fn footer(screen: &str) -> &str {
    screen
        .lines()
        .rfind(|l| !l.trim().is_empty())
        .unwrap_or_default()
}

/// Read-only, then as the viewer (whom RBAC forbids every write): the pods view's footer
/// and the help offer no write key, and `s` refuses at once instead of asking for a
/// replica count that could never be applied.
#[test]
fn write_keys_are_not_offered_where_no_write_can_happen() {
    if common::require_tool("tmux").is_none() {
        return;
    }
    let mut exp = Expectations::default();
    let ro = Session::start(SessionSpec::new(120, 60, &["demo", "--readonly"]));
    ro.wait_for("the overview", START, overview_ready);
    ro.type_text(":pods");
    ro.send(&["Enter"]);
    let screen = ro.wait_for("the pods view", STEP, |s| {
        title_line(s).contains("Pods (") && footer(s).contains("filter")
    });
    let f = footer(&screen);
    exp.check(
        ["delete", "restart", "scale"]
            .iter()
            .all(|w| !f.contains(w)),
        "read-only: the pods footer offers no delete/restart/scale",
        &screen,
    );
    ro.send(&["?"]);
    let screen = ro.wait_for("the help", STEP, |s| s.contains("Keys (pane actions"));
    exp.check(
        !screen.contains("pods: delete the pod")
            && !screen.contains("pods: scale the pod's")
            && screen.contains("not offered here: delete, restart, scale")
            && screen.contains("read-only mode"),
        "read-only: the help lists no write key and says why",
        &screen,
    );
    ro.send(&["Escape"]);
    ro.wait_for("the pods view again", STEP, |s| {
        title_line(s).contains("Pods (")
    });
    ro.send(&["s"]);
    let screen = ro.wait_for("the refusal", STEP, |s| s.contains("read-only"));
    exp.check(
        !screen.contains("new number of replicas"),
        "read-only: s refuses before asking for the replica count",
        &screen,
    );

    // The viewer: allowed to read, forbidden every write (SelfSubjectAccessReview).
    let v = Session::start(SessionSpec::new(120, 60, &["demo"]));
    v.wait_for("the overview", START, overview_ready);
    v.type_text(":ctx");
    v.send(&["Enter"]);
    v.wait_for("the context list", STEP, |s| {
        s.contains("lakedeck-lab-viewer")
    });
    v.send(&["j", "Enter"]);
    v.wait_for("the viewer's overview", START, |s| {
        s.contains("user viewer") && s.contains("Pods needing attention")
    });
    v.type_text(":pods");
    v.send(&["Enter"]);
    let screen = v.wait_for("the pods footer without writes", STEP, |s| {
        title_line(s).contains("Pods (")
            && footer(s).contains("filter")
            && !footer(s).contains("delete")
    });
    exp.check(
        !footer(&screen).contains("scale") && !footer(&screen).contains("restart"),
        "viewer: the pods footer offers no restart/scale",
        &screen,
    );
    v.send(&["s"]);
    let screen = v.wait_for("the refusal", STEP, |s| s.contains("forbidden"));
    exp.check(
        !screen.contains("new number of replicas") && screen.contains("SelfSubjectAccessReview"),
        "viewer: s refuses (RBAC) before asking for the replica count",
        &screen,
    );
    exp.finish();
}

/// Asks the lab (as admin, through its kubeconfig) to inject a fault.
fn lab_fault(lab: &common::LabProcess, action: &str) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let target = lakedeck::cockpit::connect(Some(&lab.kubeconfig), Some("lakedeck-lab"))
            .await
            .unwrap();
        let req = http::Request::post(format!("/lakedeck/faults/{action}"))
            .body(Vec::new())
            .unwrap();
        target.client.request_text(req).await.unwrap();
    });
}

/// The age in a pane title's `STALE <age>:` marker, if it shows one.
fn stale_age(screen: &str) -> Option<String> {
    let title = title_line(screen);
    let rest = &title[title.find("STALE ")? + "STALE ".len()..];
    Some(rest[..rest.find(':')?].to_string())
}

/// Issue 10 item 2, on the real binary against a `lakedeck lab` process: during an outage
/// the Nodes title says STALE with an age that advances; once the outage ends the marker
/// clears within seconds although no node changes (the seed's nodes are quiet, and so
/// are the pods of `-n nessie`).
#[test]
fn stale_marker_ticks_during_an_outage_and_clears_when_the_watch_is_back() {
    if common::require_tool("tmux").is_none() {
        return;
    }
    let lab = common::LabProcess::start(&[]);
    let kubeconfig = lab.kubeconfig.to_str().unwrap().to_string();
    let s = Session::start(SessionSpec::new(
        160,
        30,
        &["--kubeconfig", &kubeconfig, "-n", "nessie"],
    ));
    let mut exp = Expectations::default();
    s.wait_for("the cockpit", START, |s| s.contains("ctx lakedeck-lab"));
    s.type_text(":nodes");
    s.send(&["Enter"]);
    s.wait_for("the nodes view, live", STEP, |screen| {
        screen.contains("PRESSURE") && screen.contains(" Ready") && stale_age(screen).is_none()
    });
    lab_fault(&lab, "unavailable?seconds=6");
    let first = s.wait_for("the STALE marker", STEP, |screen| {
        stale_age(screen).is_some()
    });
    let age0 = stale_age(&first).unwrap();
    exp.check(
        title_line(&first).contains("reconnecting (attempt"),
        "the marker says it is reconnecting",
        &first,
    );
    // The marker's age advances while the outage lasts (or the marker is gone already).
    let later = s.wait_for("the STALE age to advance", STEP, |screen| {
        stale_age(screen).is_none_or(|age| age != age0)
    });
    exp.check(
        stale_age(&later).is_some(),
        "the age advanced while still stale (not only after recovery)",
        &later,
    );
    // Back within seconds of the outage's end, with no node having changed.
    let back = s.wait_for("the marker to clear", Duration::from_secs(30), |screen| {
        stale_age(screen).is_none() && screen.contains(" Ready")
    });
    exp.check(
        !title_line(&back).contains("reconnecting"),
        "nothing says reconnecting any more",
        &back,
    );
    s.type_text(":pods");
    s.send(&["Enter"]);
    let pods = s.wait_for("the pods view of nessie", STEP, |screen| {
        title_line(screen).contains("nessie")
    });
    exp.check(
        stale_age(&pods).is_none(),
        "the quiet pods of nessie are live again too",
        &pods,
    );
    s.send(&["q"]);
    s.wait_for_exit();
    exp.finish();
}

/// Issue 10: a refusal in the cockpit is in the audit log exactly like a headless one —
/// read-only (`--readonly`) and RBAC (the viewer context) alike. `c` on a node in the
/// real binary against the real lab, then the record is read back from `--data-dir`:
/// op, target, phase refused, and the reason in the outcome.
#[test]
fn cockpit_refusals_are_audited_like_headless_ones() {
    if common::require_tool("tmux").is_none() {
        return;
    }
    let lab = common::LabProcess::start(&[]);
    let kubeconfig = lab.kubeconfig.to_str().unwrap().to_string();
    for (context, extra, reason) in [
        ("lakedeck-lab", Some("--readonly"), "read-only"),
        ("lakedeck-lab-viewer", None, "forbidden"),
    ] {
        let data = tempfile::tempdir().unwrap();
        let data_dir = data.path().to_str().unwrap().to_string();
        let mut args = vec![
            "--kubeconfig",
            kubeconfig.as_str(),
            "--context",
            context,
            "--data-dir",
            data_dir.as_str(),
        ];
        args.extend(extra);
        let s = Session::start(SessionSpec::new(120, 30, &args));
        s.wait_for("the overview", Duration::from_secs(60), |screen| {
            screen.contains(&format!("ctx {context} ")) && screen.contains(" Ready ")
        });
        s.type_text(":nodes");
        s.send(&["Enter"]);
        let nodes = s.wait_for("the nodes view", STEP, |screen| {
            screen.contains("PRESSURE") && screen.contains(" Ready")
        });
        let node = rows_after(&nodes, "STATUS")
            .first()
            .and_then(|l| {
                l.split(|c: char| c.is_whitespace() || c == '│')
                    .find(|w| w.len() > 1)
            })
            .unwrap_or_else(|| panic!("a node row in:\n{nodes}"))
            .to_string();
        s.send(&["g", "c"]);
        s.wait_for("the refusal in the dialog", STEP, |screen| {
            screen.contains(&format!("{reason}:"))
        });
        let path = data.path().join("audit.jsonl");
        let deadline = Instant::now() + STEP;
        let refusal = loop {
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            let found = text
                .lines()
                .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
                .find(|r| r["phase"] == "refused");
            if let Some(r) = found {
                break r;
            }
            assert!(
                Instant::now() < deadline,
                "{context}: no refusal in the audit log:\n{text}"
            );
            std::thread::sleep(Duration::from_millis(200));
        };
        assert_eq!(refusal["op"], "cordon", "{refusal}");
        assert_eq!(refusal["target"], format!("node {node}"), "{refusal}");
        assert_eq!(refusal["context"], context, "{refusal}");
        let outcome = refusal["outcome"].as_str().unwrap_or_default();
        assert!(
            outcome.starts_with("refused: ") && outcome.contains(reason),
            "{context}: {refusal}"
        );
        s.send(&["Escape", "q"]);
        s.wait_for_exit();
    }
}

/// Issue 11 item 5: a source task that panics is restarted. The test-only fault
/// `LAKEDECK_TEST_PANIC_SOURCE=pods` (debug builds only, `src/sources/fault.rs`) makes the
/// pods source panic on its first pod, once: the footer says the source stopped and is
/// restarted, the pods view fills (only the restarted source can fill it), the panic went
/// to the log file and not over the screen, and `q` leaves the terminal as it was.
#[test]
fn a_source_that_panics_is_restarted_and_the_terminal_survives() {
    if common::require_tool("tmux").is_none() {
        return;
    }
    let mut spec = SessionSpec::new(120, 32, &["demo"]);
    spec.env.push(("LAKEDECK_TEST_PANIC_SOURCE", Some("pods")));
    let s = Session::start(spec);
    let mut exp = Expectations::default();
    s.wait_for("the footer notice of the restart", START, |screen| {
        footer(screen).contains("the pods source stopped unexpectedly (restarting it)")
    });
    s.type_text(":pods");
    s.send(&["Enter"]);
    let pods = s.wait_for(
        "the pods view filled by the restarted source",
        STEP,
        |screen| {
            title_line(screen).contains("Pods (")
                && table_rows(screen).len() >= 20
                && screen.contains("datalake-kafka-connect-")
        },
    );
    exp.check(
        !pods.contains("panicked"),
        "nothing of the panic is printed over the screen",
        &pods,
    );
    let log = s._home.path().join("cache/lakedeck/lakedeck.log");
    let logged = std::fs::read_to_string(&log).unwrap_or_default();
    exp.check(
        logged.contains("background task panicked")
            && logged.contains("injected panic in the pods source"),
        "the panic is in the log file",
        &logged,
    );
    s.send(&["q"]);
    let screen = s.wait_for_exit();
    exp.check(screen.contains("EXITED 0"), "q exits 0", &screen);
    exp.check(
        !screen.contains("panicked"),
        "no panic message left on the normal screen",
        &screen,
    );
    assert_terminal_restored(&s, &screen);
    exp.finish();
}

/// One row of the pods table, cut at the header's column starts.
#[derive(Debug)]
struct PodLine {
    name: String,
    status: String,
    restarts: u32,
    node: String,
}

fn pod_lines(screen: &str) -> Vec<PodLine> {
    let lines: Vec<Vec<char>> = screen.lines().map(|l| l.chars().collect()).collect();
    let Some(header) = lines
        .iter()
        .position(|l| String::from_iter(l.iter()).contains("RESTARTS"))
    else {
        return Vec::new();
    };
    let head: String = lines[header].iter().collect();
    // Column starts of the columns shown (narrow terminals leave some out).
    let mut cols: Vec<(&str, usize)> = vec![("NAMESPACE", 1)];
    for name in [
        "NAME", "READY", "STATUS", "RESTARTS", "CPU", "MEM", "NODE", "OWNER", "AGE",
    ] {
        let found = head
            .find(&format!(" {name} "))
            .or_else(|| head.find(&format!(" {name}│")));
        if let Some(byte) = found {
            cols.push((name, head[..byte + 1].chars().count()));
        }
    }
    let cell = |l: &[char], name: &str| -> String {
        let Some(i) = cols.iter().position(|(n, _)| *n == name) else {
            return String::new();
        };
        let end = cols.get(i + 1).map_or(l.len(), |c| c.1).min(l.len());
        l[cols[i].1.min(end)..end]
            .iter()
            .collect::<String>()
            .trim()
            .to_string()
    };
    lines[header + 1..]
        .iter()
        .take_while(|l| l.first() == Some(&'│'))
        .filter(|l| {
            l.iter()
                .filter(|c| !c.is_whitespace() && **c != '│')
                .count()
                > 0
        })
        .map(|l| PodLine {
            // The NAME cell may start with a severity symbol ("✗ ", "! ").
            name: cell(l, "NAME")
                .split_whitespace()
                .last()
                .unwrap_or("")
                .to_string(),
            status: cell(l, "STATUS"),
            restarts: cell(l, "RESTARTS")
                .split_whitespace()
                .next()
                .and_then(|n| n.parse().ok())
                .unwrap_or(u32::MAX),
            node: cell(l, "NODE"),
        })
        .collect()
}

/// The count in the pods title, "Pods (74)".
fn pods_in_title(screen: &str) -> Option<usize> {
    let t = title_line(screen);
    let rest = &t[t.find("Pods (")? + "Pods (".len()..];
    rest[..rest.find(')')?].parse().ok()
}

fn non_decreasing<T: PartialOrd + std::fmt::Debug>(values: &[T]) -> bool {
    values.windows(2).all(|w| w[0] <= w[1])
}

/// What kubectl says about every pod: (creationTimestamp, nodeName, restarts) by name.
fn kubectl_pods(
    lab: &common::LabProcess,
    kubectl: &Path,
) -> std::collections::HashMap<String, (jiff::Timestamp, String, u64)> {
    let json: serde_json::Value =
        serde_json::from_str(&lab.kubectl_ok(kubectl, &["get", "pods", "-A", "-o", "json"]))
            .unwrap();
    json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let restarts = p["status"]["containerStatuses"].as_array().map_or(0, |cs| {
                cs.iter().filter_map(|c| c["restartCount"].as_u64()).sum()
            });
            (
                p["metadata"]["name"].as_str().unwrap().to_string(),
                (
                    p["metadata"]["creationTimestamp"]
                        .as_str()
                        .unwrap()
                        .parse()
                        .unwrap(),
                    p["spec"]["nodeName"].as_str().unwrap_or("").to_string(),
                    restarts,
                ),
            )
        })
        .collect()
}

/// Issue 11 item 5, on the real binary against a `lakedeck lab` process, with kubectl as
/// the oracle: the pod sort keys `N` `A` `S` `R` `O` (again: reversed) order the rows as
/// kubectl's names, creation times, restart counts and nodes say; the log viewer's `w`
/// wraps and keeps the newest line in sight, `t` asks for the API server's timestamps,
/// `/` highlights the matching lines; `:ctx NAME` switches directly (and an unknown name
/// is refused in words).
#[test]
fn pod_sort_keys_log_keys_and_ctx_by_name() {
    if common::require_tool("tmux").is_none() {
        return;
    }
    let Some(kubectl) = common::require_tool("kubectl") else {
        return;
    };
    let lab = common::LabProcess::start(&[]);
    let kubeconfig = lab.kubeconfig.to_str().unwrap().to_string();
    let s = Session::start(SessionSpec::new(
        200,
        100,
        &["--kubeconfig", &kubeconfig, "-A"],
    ));
    let mut exp = Expectations::default();
    s.wait_for("the cockpit", START, |screen| {
        screen.contains("ctx lakedeck-lab")
    });
    s.type_text(":pods");
    s.send(&["Enter"]);
    s.wait_for("every pod on one screen", STEP, |screen| {
        pods_in_title(screen).is_some_and(|n| n > 50 && pod_lines(screen).len() == n)
    });
    let oracle = kubectl_pods(&lab, &kubectl);
    let sorted = |key: &str, title: &str| -> (String, Vec<PodLine>) {
        s.send(&[key]);
        let screen = s.wait_settled(&format!("the pods sorted ({title})"), STEP, |screen| {
            title_line(screen).contains(&format!("sort {title}"))
                && pods_in_title(screen).is_some_and(|n| pod_lines(screen).len() == n)
        });
        let rows = pod_lines(&screen);
        (screen, rows)
    };

    let (screen, rows) = sorted("N", "name↑");
    let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
    exp.check(non_decreasing(&names), "N: names ascending", &screen);
    let (screen, rows) = sorted("N", "name↓");
    let mut names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
    names.reverse();
    exp.check(non_decreasing(&names), "N again: names descending", &screen);

    let (screen, rows) = sorted("A", "age↑");
    let created: Vec<jiff::Timestamp> = rows
        .iter()
        .map(|r| {
            oracle
                .get(&r.name)
                .unwrap_or_else(|| panic!("{} unknown to kubectl", r.name))
                .0
        })
        .collect();
    exp.check(
        non_decreasing(&created) && created.first() < created.last(),
        "A: oldest first, by kubectl's creationTimestamp",
        &screen,
    );

    let (screen, rows) = sorted("S", "status↑");
    let statuses: Vec<&str> = rows.iter().map(|r| r.status.as_str()).collect();
    exp.check(
        non_decreasing(&statuses)
            && statuses.contains(&"Completed")
            && statuses.contains(&"Pending")
            && statuses.contains(&"Running"),
        "S: statuses in order (Completed … Pending … Running)",
        &screen,
    );

    let (screen, rows) = sorted("R", "restarts↑");
    let restarts: Vec<u32> = rows.iter().map(|r| r.restarts).collect();
    exp.check(
        non_decreasing(&restarts),
        "R: fewest restarts first",
        &screen,
    );
    let (screen, rows) = sorted("R", "restarts↓");
    let most = oracle
        .iter()
        .max_by_key(|(_, (_, _, r))| *r)
        .map(|(name, (_, _, r))| (name.clone(), *r))
        .unwrap();
    exp.check(
        rows.first().is_some_and(|r| {
            r.name == most.0
                && u64::from(r.restarts) >= most.1
                && most.0.starts_with("datalake-kafka-connect-")
        }),
        &format!(
            "R again: the crash-looping pod first (kubectl: {} with {} restarts)",
            most.0, most.1
        ),
        &screen,
    );

    let (screen, rows) = sorted("O", "node↑");
    let nodes: Vec<&str> = rows
        .iter()
        .map(|r| oracle.get(&r.name).map_or("?", |o| o.1.as_str()))
        .collect();
    exp.check(
        non_decreasing(&nodes)
            && rows
                .first()
                .is_some_and(|r| r.name.starts_with("dbt-full-refresh-") && r.node == "<none>"),
        "O: by kubectl's spec.nodeName, the unscheduled pod first",
        &screen,
    );

    // The log viewer at 80×24, where Trino's lines are longer than the pane.
    s.resize(80, 24);
    s.type_text("/trino-worker-0");
    s.send(&["Enter"]);
    s.wait_for("only trino-worker-0", STEP, |screen| {
        let rows = pod_lines(screen);
        rows.len() == 1 && rows[0].name == "trino-worker-0"
    });
    s.send(&["l"]);
    let log_times = |screen: &str| -> Vec<jiff::Timestamp> {
        screen
            .lines()
            .filter_map(|l| l.trim_start_matches('│').split_whitespace().next())
            .filter_map(|w| w.parse::<jiff::Timestamp>().ok())
            .collect()
    };
    let unwrapped = s.wait_for("trino-worker-0's log filling the pane", STEP, |screen| {
        title_line(screen).contains("logs trino/trino-worker-0") && log_times(screen).len() >= 15
    });
    let newest = *log_times(&unwrapped).iter().max().unwrap();
    s.send(&["w"]);
    let wrapped = s.wait_for("the log wrapped", STEP, |screen| {
        title_line(screen).contains("· wrap")
    });
    let rows_in_box = |screen: &str| -> Vec<String> {
        screen
            .lines()
            .skip_while(|l| !l.starts_with('┌'))
            .skip(1)
            .take_while(|l| l.starts_with('│'))
            .map(|l| l.trim_matches('│').to_string())
            .collect()
    };
    exp.check(
        rows_in_box(&wrapped).iter().any(|r| {
            !r.is_empty()
                && r.split_whitespace()
                    .next()
                    .is_some_and(|w| w.parse::<jiff::Timestamp>().is_err())
        }),
        "w: long lines continue on the next row",
        &wrapped,
    );
    exp.check(
        log_times(&wrapped)
            .iter()
            .max()
            .is_some_and(|t| *t >= newest),
        &format!("w: the newest line ({newest}) is still in sight, not pushed below the pane"),
        &wrapped,
    );
    s.send(&["w", "t"]);
    let stamped = s.wait_for("the log with the API server's timestamps", STEP, |screen| {
        let title = title_line(screen);
        title.contains("timestamps") && !title.contains("wrap") && log_times(screen).len() >= 15
    });
    // kubectl logs --timestamps: each line starts with the kubelet's RFC 3339 time, then
    // the line as Trino wrote it (which starts with Trino's own time).
    let rows = rows_in_box(&stamped);
    exp.check(
        rows.iter().filter(|r| !r.trim().is_empty()).all(|r| {
            let mut words = r.split_whitespace();
            words
                .next()
                .is_some_and(|w| w.parse::<jiff::Timestamp>().is_ok())
                && words
                    .next()
                    .is_some_and(|w| w.parse::<jiff::Timestamp>().is_ok())
        }),
        "t: every line starts with the API server's timestamp before Trino's own",
        &stamped,
    );
    s.type_text("/WARN");
    s.send(&["Enter"]);
    s.wait_for("the search in the title", STEP, |screen| {
        title_line(screen).contains("/WARN")
    });
    let escaped = s.screen_with_escapes();
    let log_rows: Vec<&str> = escaped
        .lines()
        .skip_while(|l| !l.contains('┌'))
        .skip(1)
        .take_while(|l| l.contains('│') && !l.contains('└'))
        .collect();
    let strip = |l: &str| -> String {
        let mut out = String::new();
        let mut chars = l.chars();
        while let Some(c) = chars.next() {
            if c == '\x1b' {
                for c in chars.by_ref() {
                    if c.is_ascii_alphabetic() {
                        break;
                    }
                }
            } else {
                out.push(c);
            }
        }
        out
    };
    // mono's `filter` style: bold and underlined (SGR 1 and 4).
    let styled = |l: &str| {
        l.contains("\x1b[1m")
            || l.contains(";1m")
            || l.contains("[1;")
            || l.contains("\x1b[4m")
            || l.contains(";4m")
    };
    let (hits, misses): (Vec<&&str>, Vec<&&str>) =
        log_rows.iter().partition(|l| strip(l).contains("WARN"));
    exp.check(
        !hits.is_empty() && !misses.is_empty(),
        "/WARN: some lines match and some do not",
        &escaped,
    );
    exp.check(
        hits.iter().all(|l| styled(l)) && misses.iter().all(|l| !styled(l)),
        "/WARN: exactly the matching lines are highlighted",
        &escaped,
    );
    s.send(&["Escape"]);

    // :ctx NAME switches directly; an unknown name is refused, the list shown to pick
    // from, and the context kept.
    s.type_text(":ctx no-such-context");
    s.send(&["Enter"]);
    let refused = s.wait_for("the refusal of an unknown context", STEP, |screen| {
        footer(screen).contains("no context \"no-such-context\"")
    });
    exp.check(
        refused.contains("ctx lakedeck-lab ")
            && refused.contains("Contexts")
            && refused.contains("lakedeck-lab-viewer"),
        "the unknown context is refused with the list of the contexts there are",
        &refused,
    );
    s.send(&["Escape"]);
    s.type_text(":ctx lakedeck-lab-viewer");
    s.send(&["Enter"]);
    s.wait_for("the viewer's context", START, |screen| {
        screen.contains("ctx lakedeck-lab-viewer") && screen.contains("user viewer")
    });
    s.send(&["q"]);
    let screen = s.wait_for_exit();
    exp.check(screen.contains("EXITED 0"), "q exits 0", &screen);
    exp.finish();
}

/// Issue 11 item 5: `--theme FILE` and a theme in the user theme directory
/// (`$XDG_CONFIG_HOME/lakedeck/themes/NAME.yaml`, `--theme NAME`) are what the screen is
/// drawn with: the header takes the theme's background (the default theme's is cyan).
#[test]
fn theme_file_and_user_theme_directory_colour_the_screen() {
    if common::require_tool("tmux").is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("night-shift.yaml");
    std::fs::write(
        &file,
        "base: default\nheader: {fg: black, bg: lightmagenta}\n",
    )
    .unwrap();
    let config = dir.path().join("config");
    std::fs::create_dir_all(config.join("lakedeck/themes")).unwrap();
    std::fs::write(
        config.join("lakedeck/themes/daylight.yaml"),
        "base: default\nheader: {fg: black, bg: lightgreen}\n",
    )
    .unwrap();
    let config_home = config.to_str().unwrap().to_string();
    let session = |theme: &str| {
        let args: Vec<&str> = vec!["demo", "--theme", theme];
        let args: &'static [&'static str] = Box::leak(
            args.into_iter()
                .map(|a| &*Box::leak(a.to_string().into_boxed_str()))
                .collect::<Vec<_>>()
                .into_boxed_slice(),
        );
        let mut spec = SessionSpec::new(100, 30, args);
        // NO_COLOR empty: "not set" for no-color.org (`env -u` cannot follow assignments).
        spec.env = vec![
            ("NO_COLOR", Some("")),
            ("TERM", Some("xterm-256color")),
            ("XDG_CONFIG_HOME", Some(&config_home)),
        ];
        Session::start(spec)
    };
    let from_file = session(file.to_str().unwrap());
    let from_dir = session("daylight");
    let mut exp = Expectations::default();
    for (s, what, bg) in [
        // tmux reports named colours as palette indexes: lightmagenta 13, lightgreen 10,
        // the default theme's cyan 6.
        (&from_file, "--theme FILE", "48;5;13"),
        (
            &from_dir,
            "--theme NAME from the user theme directory",
            "48;5;10",
        ),
    ] {
        s.wait_for(what, START, overview_ready);
        let escaped = s.screen_with_escapes();
        let header = escaped.lines().next().unwrap_or_default();
        let colours = colour_sgr_params(header);
        exp.check(
            colours.iter().any(|c| c == bg) && !colours.iter().any(|c| c == "48;5;6"),
            &format!(
                "{what}: the header's background is the theme's (SGR {bg}), found {colours:?}"
            ),
            &escaped,
        );
    }
    exp.finish();
}
