//! Cockpit scale benchmark (a documented run, not a timed test):
//!
//!     cargo bench --bench cockpit                   # 100 000 extra pods
//!     LAB_BENCH_PODS=20000 cargo bench --bench cockpit
//!
//! Starts `lakedeck lab --pods N` as its own process, then in this process does what the
//! cockpit does: connects, watches all pods (rows projected on arrival), and measures
//! - time from start until the first full pods view is drawn,
//! - this process's RSS with every row held (the cockpit's memory),
//! - filter keystroke → prepared and drawn frame (median and p95 over 40 keystrokes),
//! - bytes written to the terminal for a one-row change, vs a full frame, and for an
//!   idle frame (nothing changed: the runtime does not draw at all; here we show what a
//!   forced redraw of an unchanged screen would cost).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use lakedeck::app::keymap::Keymap;
use lakedeck::app::{Action, AppState, Change, Connection, Msg, Scope, apply, update};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use tokio::sync::mpsc;

/// A terminal that counts the bytes written to it.
#[derive(Clone, Default)]
struct Counter(Arc<Mutex<usize>>);

impl Write for Counter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        *self.0.lock().unwrap() += buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        .unwrap_or(0.0)
        / 1024.0
}

fn main() {
    let pods: usize = std::env::var("LAB_BENCH_PODS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = dir.path().join("bench.kubeconfig");
    let mut lab = Command::new(env!("CARGO_BIN_EXE_lakedeck"))
        .args([
            "lab",
            "--listen",
            "127.0.0.1:0",
            "--pods",
            &pods.to_string(),
            "--write-kubeconfig",
        ])
        .arg(&kubeconfig)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(lab.stdout.take().unwrap()).lines();
    for line in lines.by_ref() {
        if line.unwrap_or_default().starts_with("press Ctrl-C") {
            break;
        }
    }
    std::thread::spawn(move || for _ in lines {});

    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let theme = lakedeck::theme::Theme::load("default", false).unwrap();
    rt.block_on(async {
        let rss_before = rss_mib();
        let start = Instant::now();
        let target = lakedeck::cockpit::connect(Some(&kubeconfig), None).await.unwrap();
        let (tx, mut rx) = mpsc::channel(4096);
        let _watch = lakedeck::sources::watch_pods(target.client.clone(), Scope::All, tx);
        let mut state = AppState::new(Connection { context: "bench".into(), ..Default::default() }, Scope::All, Keymap::default(), Vec::new(), 10_000);
        state.size = (160, 48);
        apply(&mut state, Action::Pods);
        let counter = Counter::default();
        let mut term = Terminal::new(CrosstermBackend::new(counter.clone())).unwrap();
        term.resize(ratatui::layout::Rect::new(0, 0, 160, 48)).unwrap();
        loop {
            let msg = rx.recv().await.unwrap();
            let reset = matches!(msg, Msg::Pods(Change::Reset(_)));
            update(&mut state, msg);
            if reset {
                break;
            }
        }
        state.prepare();
        term.draw(|f| lakedeck::ui::draw(&state, &theme, f)).unwrap();
        let first_view = start.elapsed();
        let rows = state.pods.len();
        let rss = rss_mib();
        let full_frame = std::mem::take(&mut *counter.0.lock().unwrap());

        // Idle: draw again with nothing changed (the runtime would not draw at all).
        term.draw(|f| lakedeck::ui::draw(&state, &theme, f)).unwrap();
        let idle_frame = std::mem::take(&mut *counter.0.lock().unwrap());

        // One visible row changes (the selected pod's status).
        let mut row = state.pods.selected_row().cloned().unwrap();
        row.status = "CrashLoopBackOff".into();
        row.restarts += 1;
        update(&mut state, Msg::Pods(Change::Upsert(row)));
        state.prepare();
        term.draw(|f| lakedeck::ui::draw(&state, &theme, f)).unwrap();
        let one_row = std::mem::take(&mut *counter.0.lock().unwrap());

        // Filter keystrokes: type "app-00" then erase it, timing update → prepare → draw.
        let mut times = Vec::new();
        update(&mut state, Msg::Key(KeyEvent::new(KeyCode::Char('/'), KeyModifiers::NONE)));
        for _ in 0..4 {
            for key in "app-00".chars().map(KeyCode::Char).chain(std::iter::repeat_n(KeyCode::Backspace, 6)) {
                let t = Instant::now();
                update(&mut state, Msg::Key(KeyEvent::new(key, KeyModifiers::NONE)));
                state.prepare();
                term.draw(|f| lakedeck::ui::draw(&state, &theme, f)).unwrap();
                times.push(t.elapsed());
            }
        }
        times.sort();
        let median = times[times.len() / 2];
        let p95 = times[times.len() * 95 / 100];

        println!("cockpit with {rows} pods (lab --pods {pods})");
        println!("  first full pods view after   {:>8.2} s", first_view.as_secs_f64());
        println!("  RSS with all rows            {:>8.0} MiB (before connecting: {:.0} MiB)", rss, rss_before);
        println!("  filter keystroke → frame     median {:.1} ms, p95 {:.1} ms ({} keystrokes)", ms(median), ms(p95), times.len());
        println!("  bytes: full frame {full_frame}, one-row change {one_row}, unchanged redraw {idle_frame}");
    });
    let _ = lab.kill();
    let _ = lab.wait();
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
