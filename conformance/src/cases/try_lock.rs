//! `try_lock` fails while the lock is held and succeeds once it is free;
//! `is_locked` and `is_contended` tell the truth along the way.

use crate::budget::Budget;
use crate::guarded::Guarded;
use crate::wait;
use crate::watchdog::{Watch, lock_state};
use crate::workers::{join, spawn};
use anyhow::ensure;
use lockyard::RawLock;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Walks one lock through free, held, held with a sleeping waiter, and free
/// again, checking what `try_lock` and the two probes say at each step.
///
/// # Errors
///
/// At the first step where the lock misreports its state or lets a second
/// holder in.
pub fn run<L: RawLock + 'static>(budget: &Budget, watch: &Watch) -> anyhow::Result<()> {
    let shared = Arc::new(Guarded::<L>::default());
    watch.watch(&shared);
    let lock = &shared.lock;
    ensure!(
        !lock.is_locked() && !lock.is_contended(),
        "a new lock is not idle: {}",
        lock_state(lock)
    );
    ensure!(lock.try_lock(), "try_lock failed on a free lock");
    ensure!(
        lock.is_locked() && !lock.is_contended(),
        "held without waiters, the lock reports {}",
        lock_state(lock)
    );
    ensure!(
        !try_lock_elsewhere(lock)?,
        "try_lock succeeded on another thread while the lock was held"
    );

    let acquired = AtomicBool::new(false);
    std::thread::scope(|scope| -> anyhow::Result<()> {
        let waiter = spawn(scope, "waiter", || {
            lock.lock();
            // Relaxed: a flag; the last read comes after the join.
            acquired.store(true, Ordering::Relaxed);
            // SAFETY: locked just above on this thread.
            unsafe { lock.unlock() };
        })?;
        let asleep = wait::until_or(budget.settle, || {
            lock.is_contended() || acquired.load(Ordering::Relaxed)
        });
        let verdict = (|| {
            ensure!(
                !acquired.load(Ordering::Relaxed),
                "lock() returned on another thread while the lock was held"
            );
            ensure!(
                asleep,
                "is_contended stayed false for {:?} while a waiter was blocked in lock(): {}",
                budget.settle,
                lock_state(lock)
            );
            ensure!(
                lock.is_locked() && !try_lock_elsewhere(lock)?,
                "with a waiter asleep, try_lock succeeded or is_locked is false: {}",
                lock_state(lock)
            );
            Ok(())
        })();
        // Release the waiter whatever the verdict, or the scope never ends.
        // SAFETY: taken by try_lock at the top, on this thread.
        unsafe { lock.unlock() };
        join(waiter)?;
        verdict
    })?;
    ensure!(
        acquired.load(Ordering::Relaxed),
        "the waiter never acquired"
    );
    ensure!(
        !lock.is_locked() && !lock.is_contended(),
        "once the waiter has left, the lock is not idle: {}",
        lock_state(lock)
    );
    ensure!(
        try_lock_elsewhere(lock)?,
        "try_lock failed on another thread once the lock was free"
    );
    Ok(())
}

/// Calls `try_lock` on a thread of its own (unlocking again if it got the
/// lock) and says whether it succeeded.
fn try_lock_elsewhere<L: RawLock>(lock: &L) -> anyhow::Result<bool> {
    std::thread::scope(|scope| {
        join(spawn(scope, "try_lock", || {
            let got = lock.try_lock();
            if got {
                // SAFETY: taken just above on this thread.
                unsafe { lock.unlock() };
            }
            got
        })?)
    })
}
