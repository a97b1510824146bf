//! One run, one runner: a run is driven by one process at a time, which holds an OS
//! file lock (`flock`, through std's `File::try_lock`) on `<data dir>/runs/<id>.lock`
//! for as long as its engine runs. The OS releases it when the process exits or is
//! killed, so a crash never leaves a run locked; a second `resume` (headless or from the
//! cockpit) finds it held and is told who holds it — pid, host and since when, written
//! into the lock file by the holder.
//!
//! Owns only the lock; whether a run may be resumed at all is `mod.rs`'s decision.

use std::fs::{File, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::error::RunbookError;
use super::state::{hostname, runs_dir};

/// Who holds a run, as written into its lock file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holder {
    pub pid: u32,
    pub host: String,
    pub since: Timestamp,
}

/// The held lock of one run; dropping it (or the process ending) releases it.
#[derive(Debug)]
pub struct RunLock {
    file: File,
    path: PathBuf,
}

pub fn lock_path(data_dir: &Path, id: &str) -> PathBuf {
    runs_dir(data_dir).join(format!("{id}.lock"))
}

/// Takes run `id`'s lock without waiting: an error naming the holder when another
/// process has it.
pub fn acquire(data_dir: &Path, id: &str) -> Result<RunLock, RunbookError> {
    let path = lock_path(data_dir, id);
    let io = |e: std::io::Error| {
        RunbookError::Io(format!("cannot lock run {id} ({}): {e}", path.display()))
    };
    crate::private_fs::create_dir_all(&runs_dir(data_dir)).map_err(io)?;
    // Never truncated on open: the holder's details stay readable to the second comer.
    let mut file = crate::private_fs::options()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(io)?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            let who = match read_holder(&mut file) {
                Some(h) => format!(
                    "pid {} on {} since {}",
                    h.pid,
                    h.host,
                    h.since.strftime("%Y-%m-%d %H:%M:%S UTC")
                ),
                None => "another lakedeck process".to_string(),
            };
            return Err(RunbookError::NotResumable(format!(
                "run {id} is being run by {who} (it holds {}) — one process runs a run at a time; wait for it to end, or stop that process and resume again",
                path.display()
            )));
        }
        Err(TryLockError::Error(e)) => return Err(io(e)),
    }
    let holder = Holder {
        pid: std::process::id(),
        host: hostname(),
        since: Timestamp::now(),
    };
    let text = serde_json::to_vec(&holder)
        .map_err(|e| RunbookError::Io(format!("cannot encode the lock of run {id}: {e}")))?;
    file.set_len(0).map_err(io)?;
    file.seek(SeekFrom::Start(0)).map_err(io)?;
    file.write_all(&text).map_err(io)?;
    Ok(RunLock { file, path })
}

/// The holder named in a lock file someone else holds. The holder writes its details just
/// after taking the lock, so a second comer may read the file empty, half-written, or
/// still naming an earlier holder that is gone: read again for up to a second until it
/// names a live process (on this host; another host's pid cannot be checked).
fn read_holder(file: &mut File) -> Option<Holder> {
    let here = hostname();
    let mut last = None;
    for _ in 0..20 {
        let mut text = String::new();
        let read = file
            .seek(SeekFrom::Start(0))
            .and_then(|_| file.read_to_string(&mut text));
        if read.is_ok()
            && let Ok(h) = serde_json::from_str::<Holder>(&text)
        {
            let alive = h.host != here || Path::new("/proc").join(h.pid.to_string()).exists();
            if alive {
                return Some(h);
            }
            last = Some(h);
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    last
}

impl RunLock {
    /// Releases the lock of a run that has ended and removes its lock file (an ended
    /// run is never resumed, so nobody can be waiting for this file).
    pub fn release_ended(self) {
        let _ = std::fs::remove_file(&self.path);
        let _ = self.file.unlock();
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn a_held_run_is_refused_with_its_holder_and_free_again_once_released() {
        let dir = tempfile::tempdir().unwrap();
        let held = acquire(dir.path(), "r1").unwrap();
        // A second open file description, as another process would have.
        let e = acquire(dir.path(), "r1").unwrap_err().to_string();
        assert!(
            e.contains(&format!("pid {} on {}", std::process::id(), hostname()))
                && e.contains("r1.lock"),
            "{e}"
        );
        // Another run is not affected.
        let other = acquire(dir.path(), "r2").unwrap();
        drop(held);
        let again = acquire(dir.path(), "r1").unwrap();
        again.release_ended();
        assert!(!lock_path(dir.path(), "r1").exists());
        drop(other);
    }
}
