//! Diagnostics go to a file, never the terminal (the cockpit owns the screen):
//! `$XDG_STATE_HOME`-style cache dir `lakedeck/lakedeck.log`, level from `LAKEDECK_LOG`
//! (default `warn`). Background-task panics land here too.

use std::path::PathBuf;

/// Starts file logging; returns the log path, or None when no writable place exists
/// (logging is then off rather than a reason not to start).
pub fn init() -> Option<PathBuf> {
    let dir = directories::ProjectDirs::from("", "", "lakedeck")?
        .cache_dir()
        .to_path_buf();
    std::fs::create_dir_all(&dir).ok()?;
    let path = dir.join("lakedeck.log");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .ok()?;
    let filter = tracing_subscriber::EnvFilter::try_from_env("LAKEDECK_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::sync::Mutex::new(file))
        .with_ansi(false)
        .try_init()
        .ok()?;
    Some(path)
}
