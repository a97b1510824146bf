//! Files lakedeck keeps for one user only: the audit log, run states, reports and run
//! locks in the data directory say who changed what on which cluster, so they are
//! created owner-only — directories 0700, files 0600, like a kubeconfig — whatever the
//! umask. A file found with wider permissions is narrowed when lakedeck writes to it.
//!
//! Owns only how such files are opened and created; what goes into them is the
//! caller's. Directories that already exist (e.g. a `--data-dir` the user made) keep
//! their mode.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::Path;

#[cfg(unix)]
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};

/// Owner read/write only.
pub const FILE_MODE: u32 = 0o600;
/// Owner only.
pub const DIR_MODE: u32 = 0o700;

/// `mkdir -p` where every directory created is owner-only.
pub fn create_dir_all(dir: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    builder.mode(DIR_MODE);
    builder.create(dir)
}

/// Options that create a file owner-only (an existing file keeps its mode; see
/// [`narrow`]).
pub fn options() -> OpenOptions {
    let mut o = OpenOptions::new();
    #[cfg(unix)]
    o.mode(FILE_MODE);
    o
}

/// Narrows an open file that others may read (made by an older lakedeck or by hand) to
/// owner-only.
pub fn narrow(file: &File) -> io::Result<()> {
    #[cfg(unix)]
    {
        let mode = file.metadata()?.permissions().mode();
        if mode & 0o077 != 0 {
            file.set_permissions(std::fs::Permissions::from_mode((mode & 0o700) | FILE_MODE))?;
        }
    }
    #[cfg(not(unix))]
    let _ = file;
    Ok(())
}

/// Opens `path` for appending (and reading its end), creating it owner-only.
pub fn open_append(path: &Path) -> io::Result<File> {
    let file = options().create(true).append(true).read(true).open(path)?;
    narrow(&file)?;
    Ok(file)
}

/// Creates (or truncates) `path` for writing, owner-only.
pub fn create(path: &Path) -> io::Result<File> {
    let file = options()
        .create(true)
        .write(true)
        .truncate(true)
        .open(path)?;
    narrow(&file)?;
    Ok(file)
}

#[cfg(all(test, unix))]
#[allow(clippy::unwrap_used)] // fixtures; a failure should be loud
mod tests {
    use super::*;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn new_files_and_directories_are_owner_only_and_wide_files_are_narrowed() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("a/b");
        create_dir_all(&dir).unwrap();
        assert_eq!(mode(&tmp.path().join("a")), 0o700);
        assert_eq!(mode(&dir), 0o700);
        let f = dir.join("x");
        create(&f).unwrap();
        assert_eq!(mode(&f), 0o600);
        let wide = dir.join("wide");
        std::fs::write(&wide, b"x").unwrap();
        std::fs::set_permissions(&wide, std::fs::Permissions::from_mode(0o644)).unwrap();
        open_append(&wide).unwrap();
        assert_eq!(mode(&wide), 0o600);
    }
}
