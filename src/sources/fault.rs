//! A test-only fault: makes one source task panic once, so the end-to-end tests can prove
//! that the cockpit restarts a source that died (`Tasks::supervise` in `cockpit.rs`).
//!
//! `LAKEDECK_TEST_PANIC_SOURCE=pods` makes the pods source panic on the first pod it
//! projects, once per process (the restarted source then runs normally). It exists only
//! in debug builds (`cfg(debug_assertions)`, which is what `cargo test` builds): a release
//! binary compiles it out and never reads the variable, so it cannot be triggered in
//! normal use.

/// The variable naming the source that panics once (debug builds only).
#[cfg(debug_assertions)]
pub const PANIC_SOURCE_ENV: &str = "LAKEDECK_TEST_PANIC_SOURCE";

/// Panics if `source` is the one named by [`PANIC_SOURCE_ENV`] and it has not panicked
/// yet in this process. A no-op in release builds.
#[cfg(debug_assertions)]
#[allow(clippy::panic)] // The whole point: a deliberate, test-only panic.
pub fn maybe_panic(source: &str) {
    use std::sync::OnceLock;
    use std::sync::atomic::{AtomicBool, Ordering};
    static WANTED: OnceLock<Option<String>> = OnceLock::new();
    static DONE: AtomicBool = AtomicBool::new(false);
    let wanted = WANTED.get_or_init(|| std::env::var(PANIC_SOURCE_ENV).ok());
    if wanted.as_deref() == Some(source) && !DONE.swap(true, Ordering::SeqCst) {
        panic!("{PANIC_SOURCE_ENV}={source}: injected panic in the {source} source");
    }
}

#[cfg(not(debug_assertions))]
#[inline(always)]
pub fn maybe_panic(_source: &str) {}
