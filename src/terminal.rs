//! Terminal ownership: raw mode and the alternate screen in, everything back out — on a
//! normal exit, on an error and on a panic of the UI thread (a panic in a background
//! task must not tear down a live screen: it is logged and the task restarted). Frames
//! are written through a buffered stdout inside synchronized-output brackets, so each
//! frame leaves in one write and supporting terminals show it atomically. It also
//! watches for the terminal hanging up ([`watch_hangup`]).

use std::io::{self, BufWriter, Stdout, Write};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::ThreadId;

use crossterm::cursor::{Hide, Show};
use crossterm::terminal::{
    BeginSynchronizedUpdate, EndSynchronizedUpdate, EnterAlternateScreen, LeaveAlternateScreen,
    disable_raw_mode, enable_raw_mode,
};
use crossterm::{execute, queue};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

pub type Backend = CrosstermBackend<BufWriter<Stdout>>;

static ACTIVE: AtomicBool = AtomicBool::new(false);
static UI_THREAD: OnceLock<ThreadId> = OnceLock::new();

pub struct Tui {
    pub terminal: Terminal<Backend>,
}

impl Tui {
    /// Takes over the terminal.
    pub fn enter() -> io::Result<Tui> {
        install_panic_hook();
        enable_raw_mode()?;
        ACTIVE.store(true, Ordering::SeqCst);
        let mut out = BufWriter::with_capacity(64 * 1024, io::stdout());
        if let Err(e) = execute!(out, EnterAlternateScreen, Hide) {
            restore();
            return Err(e);
        }
        let terminal = match Terminal::new(CrosstermBackend::new(out)) {
            Ok(t) => t,
            Err(e) => {
                restore();
                return Err(e);
            }
        };
        Ok(Tui { terminal })
    }

    /// Draws one frame inside synchronized-output brackets.
    pub fn draw(&mut self, render: impl FnOnce(&mut ratatui::Frame)) -> io::Result<()> {
        queue!(self.terminal.backend_mut(), BeginSynchronizedUpdate)?;
        self.terminal.draw(render)?;
        execute!(self.terminal.backend_mut(), EndSynchronizedUpdate)?;
        Ok(())
    }
}

impl Drop for Tui {
    fn drop(&mut self) {
        let _ = self.terminal.backend_mut().flush();
        restore();
    }
}

/// Gives the terminal back (idempotent): synchronized output ended, cursor shown,
/// alternate screen left, raw mode off.
pub fn restore() {
    if !ACTIVE.swap(false, Ordering::SeqCst) {
        return;
    }
    let mut out = io::stdout();
    let _ = execute!(out, EndSynchronizedUpdate, Show, LeaveAlternateScreen);
    let _ = disable_raw_mode();
}

/// Makes the calling thread the UI thread and installs the panic hook: a panic on the UI
/// thread gives the terminal back and is printed; one in a background thread is logged
/// (never printed: the screen is, or is about to be, the cockpit's) and its task is
/// restarted by the cockpit. Called before the cockpit starts its source tasks, so a task
/// that panics before the terminal is taken over does not print either.
pub fn install_panic_hook() {
    let _ = UI_THREAD.set(std::thread::current().id());
    static INSTALLED: AtomicBool = AtomicBool::new(false);
    if INSTALLED.swap(true, Ordering::SeqCst) {
        return;
    }
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let on_ui_thread = UI_THREAD
            .get()
            .is_some_and(|id| *id == std::thread::current().id());
        if on_ui_thread {
            restore();
            previous(info);
        } else {
            // A background task: the runtime reports it in the UI and restarts the task;
            // printing here would scribble over the live screen.
            tracing::error!("background task panicked: {info}");
        }
    }));
}

/// Notified once the controlling terminal hangs up (the SSH session or the terminal window
/// went away). A process that ignores SIGHUP (`nohup`, `trap '' HUP`) is not told
/// otherwise: a hung-up tty reads as end-of-file forever, and crossterm's reader retries
/// that read in a tight loop, so the cockpit would burn a core until its next draw failed.
/// A thread blocks in poll(2) on the terminal asking for no events at all: the kernel
/// still reports POLLHUP/POLLERR/POLLNVAL, so it wakes only when the terminal is gone.
/// Without a controlling terminal (nothing to lose) it is never notified.
pub fn watch_hangup() -> std::sync::Arc<tokio::sync::Notify> {
    use rustix::event::{PollFd, PollFlags, poll};
    let notify = std::sync::Arc::new(tokio::sync::Notify::new());
    let Ok(tty) = std::fs::File::open("/dev/tty") else {
        return notify;
    };
    let notified = notify.clone();
    let started = std::thread::Builder::new()
        .name("tty-hangup".into())
        .spawn(move || {
            loop {
                let mut fds = [PollFd::new(&tty, PollFlags::empty())];
                match poll(&mut fds, None) {
                    Err(rustix::io::Errno::INTR) => continue,
                    Err(e) => {
                        tracing::warn!("cannot watch the terminal for a hangup: {e}");
                        return;
                    }
                    Ok(_) => {
                        let gone = PollFlags::HUP | PollFlags::ERR | PollFlags::NVAL;
                        if fds[0].revents().intersects(gone) {
                            tracing::info!("the terminal hung up");
                            notified.notify_one();
                            return;
                        }
                    }
                }
            }
        });
    if let Err(e) = started {
        tracing::warn!("cannot watch the terminal for a hangup: {e}");
    }
    notify
}
