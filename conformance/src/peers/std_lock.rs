//! `std`: `std::sync::Mutex<()>` (a futex lock on Linux).

use crate::blocked::Blocked;
use lockyard::RawLock;
use std::cell::UnsafeCell;
use std::sync::{Mutex, MutexGuard, TryLockError};

/// std's mutex behind the raw-lock trait. The guard of the current holder is
/// kept inside, so `unlock` can drop it.
///
/// A `StdLock` must not be moved while locked (the kept guard points into
/// it); the harness only ever locks a lock it reaches through a shared
/// reference to a place that stays put.
pub struct StdLock {
    mutex: Mutex<()>,
    held: UnsafeCell<Option<MutexGuard<'static, ()>>>,
    blocked: Blocked,
}

// SAFETY: `held` is written only by the thread holding `mutex`, and the guard
// is dropped by the same thread that made it in every harness use (std's
// guard is !Send because some platforms require that; the trait's contract
// leaves unlocking to the holder's context).
unsafe impl Sync for StdLock {}
// SAFETY: as above; the guard inside is only a borrow of `mutex`.
unsafe impl Send for StdLock {}

impl StdLock {
    /// An unlocked lock.
    pub const fn new() -> Self {
        StdLock {
            mutex: Mutex::new(()),
            held: UnsafeCell::new(None),
            blocked: Blocked::new(),
        }
    }

    fn keep(&self, guard: MutexGuard<'_, ()>) {
        // SAFETY: the guard borrows `self.mutex`, which outlives it because
        // the lock is not moved or dropped while held (type docs); the
        // lifetime is widened only to store it.
        let guard: MutexGuard<'static, ()> = unsafe { std::mem::transmute(guard) };
        // SAFETY: we hold the mutex, so no other thread touches `held`.
        unsafe { *self.held.get() = Some(guard) };
    }
}

impl Default for StdLock {
    fn default() -> Self {
        Self::new()
    }
}

// SAFETY: std's mutex provides the exclusion and the ordering.
unsafe impl RawLock for StdLock {
    const NAME: &'static str = "std";
    #[allow(clippy::declare_interior_mutable_const)]
    const INIT: Self = Self::new();

    fn new() -> Self {
        StdLock::new()
    }

    #[inline]
    fn lock(&self) {
        let guard = match self.mutex.try_lock() {
            Ok(guard) => guard,
            Err(TryLockError::WouldBlock) => self
                .blocked
                .around(|| self.mutex.lock().unwrap_or_else(|p| p.into_inner())),
            Err(TryLockError::Poisoned(p)) => p.into_inner(),
        };
        self.keep(guard);
    }

    #[inline]
    fn try_lock(&self) -> bool {
        match self.mutex.try_lock() {
            Ok(guard) => self.keep(guard),
            Err(TryLockError::WouldBlock) => return false,
            Err(TryLockError::Poisoned(p)) => self.keep(p.into_inner()),
        }
        true
    }

    #[inline]
    unsafe fn unlock(&self) {
        // SAFETY: the caller holds the lock, so only it touches `held`.
        match unsafe { (*self.held.get()).take() } {
            Some(guard) => drop(guard),
            None => panic!("{}", crate::cases::misuse::MESSAGE),
        }
    }

    fn is_locked(&self) -> bool {
        matches!(self.mutex.try_lock(), Err(TryLockError::WouldBlock))
    }

    fn is_contended(&self) -> bool {
        self.blocked.any()
    }
}
