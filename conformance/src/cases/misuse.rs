//! Unlocking a lock nobody holds panics with "unlock of unlocked lock" (Go's
//! words) and leaves the lock as it was.

use crate::budget::{Budget, MISUSE_ACQUISITIONS, MISUSE_THREADS};
use crate::guarded::Guarded;
use crate::watchdog::{Watch, lock_state};
use crate::workers::panic_message;
use anyhow::{Context, bail, ensure};
use lockyard::RawLock;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

/// The message every backend panics with.
pub const MESSAGE: &str = "unlock of unlocked lock";

/// Unlocks a new lock, then a lock just unlocked after use; each must panic
/// with [`MESSAGE`] and leave the lock working.
///
/// # Errors
///
/// If an unlock returns, panics with another message, or changes the lock.
pub fn run<L: RawLock + 'static>(budget: &Budget, watch: &Watch) -> anyhow::Result<()> {
    let shared = Arc::new(Guarded::<L>::default());
    watch.watch(&shared);
    let lock = &shared.lock;
    unlock_unlocked(lock).context("a new lock")?;
    lock.lock();
    // SAFETY: locked just above on this thread.
    unsafe { lock.unlock() };
    unlock_unlocked(lock).context("a lock just unlocked (a double unlock)")?;
    shared
        .contend(MISUSE_THREADS, budget.count(MISUSE_ACQUISITIONS))
        .context("after the misuse")
}

/// Unlocks the unlocked `lock` and checks the panic and the state after.
fn unlock_unlocked<L: RawLock>(lock: &L) -> anyhow::Result<()> {
    let before = lock.state_word();
    // The default panic hook prints the expected panic to stderr: that line
    // is this check working, not a failure.
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: deliberately wrong, the lock is not held; the contract
        // promises a panic for exactly this, which is what we check.
        unsafe { lock.unlock() }
    }));
    let Err(payload) = outcome else {
        bail!("unlock of an unlocked lock returned instead of panicking");
    };
    let message = panic_message(&*payload);
    ensure!(
        message == MESSAGE,
        "unlock of an unlocked lock panicked with {message:?}, not {MESSAGE:?}"
    );
    ensure!(
        lock.state_word() == before && !lock.is_locked(),
        "the failed unlock changed the lock: {:x?} before, now {}",
        before,
        lock_state(lock)
    );
    ensure!(lock.try_lock(), "try_lock failed after the failed unlock");
    // SAFETY: taken just above on this thread.
    unsafe { lock.unlock() };
    Ok(())
}
