//! Fair and timed locking on a [`RawLock`]: lockyard's own traits, which
//! every backend implements and lock_api's `RawMutexFair` and
//! `RawMutexTimed` forward to. They exist under loom too, where lock_api's
//! traits are compiled out (their `const INIT` needs const atomics), so one
//! bound serves lockyard's tests, its loom models and generic user code.

use crate::RawLock;
use std::time::{Duration, Instant};

/// A lock whose unlock can hand the lock to a waiter (lock_api's
/// `RawMutexFair`).
///
/// ```
/// use lockyard::{RawLock, RawLockFair};
/// use lockyard::sema::RawSema;
///
/// let lock = RawSema::new();
/// lock.lock();
/// // SAFETY: this thread holds the lock; with nobody waiting, the fair
/// // unlock is an ordinary one.
/// unsafe { lock.unlock_fair() };
/// assert!(!lock.is_locked());
/// ```
///
/// # Safety
///
/// [`unlock_fair`](RawLockFair::unlock_fair) gives the lock up exactly once,
/// either to a waiter that returns from its lock call holding it or as
/// [`RawLock::unlock`] does, with the same Release-to-Acquire handover.
pub unsafe trait RawLockFair: RawLock {
    /// Unlocks, handing the lock to a waiter that sleeps on it if there is
    /// one: that waiter, not a spinner, a newcomer or this thread locking
    /// again, holds it next. With nobody asleep, an ordinary unlock.
    ///
    /// # Safety
    ///
    /// As [`RawLock::unlock`]: the caller's context holds the lock.
    unsafe fn unlock_fair(&self);
}

/// A lock that can wait for a bounded time (lock_api's `RawMutexTimed`).
///
/// ```
/// use lockyard::{RawLock, RawLockTimed};
/// use lockyard::futex::RawFutex;
/// use std::time::{Duration, Instant};
///
/// let lock = RawFutex::new();
/// lock.lock();
/// let asked = Instant::now();
/// std::thread::scope(|s| {
///     s.spawn(|| assert!(!lock.try_lock_for(Duration::from_millis(5))));
/// });
/// assert!(asked.elapsed() >= Duration::from_millis(5));
/// // SAFETY: this thread holds the lock.
/// unsafe { lock.unlock() };
/// assert!(lock.try_lock_for(Duration::from_millis(5)));
/// # unsafe { lock.unlock() };
/// ```
///
/// # Safety
///
/// The timed calls take the lock only as [`RawLock::lock`] does, never hold
/// it when they return `false`, and never leave behind a waiter's trace that
/// could lose a wake owed to another (a timed-out sleeper leaves the wait
/// list, or takes the wake it was already given).
pub unsafe trait RawLockTimed: RawLock {
    /// Takes the lock if it becomes free before `deadline`; returns whether
    /// it did. Never returns `false` before the deadline.
    fn try_lock_until(&self, deadline: Instant) -> bool;

    /// Takes the lock if it becomes free within `timeout` from now; a
    /// timeout too long for the clock to add is a plain [`RawLock::lock`].
    fn try_lock_for(&self, timeout: Duration) -> bool {
        match Instant::now().checked_add(timeout) {
            Some(deadline) => self.try_lock_until(deadline),
            None => {
                self.lock();
                true
            }
        }
    }
}
