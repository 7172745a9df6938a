//! `pthread`: a default `pthread_mutex_t` through libc, the lock C programs
//! get.

use super::Blocked;
use lockyard::RawLock;
use std::cell::{Cell, UnsafeCell};

/// A POSIX mutex behind the raw-lock trait.
///
/// A `PthreadLock` must not be moved once used (POSIX forbids copying a
/// mutex); the harness only locks locks that stay put.
pub struct PthreadLock {
    mutex: UnsafeCell<libc::pthread_mutex_t>,
    /// Whether somebody holds it: written only by the holder, so a misused
    /// unlock is caught before it reaches pthread (where it is undefined).
    held: Cell<bool>,
    blocked: Blocked,
}

// SAFETY: the pthread mutex is made for sharing between threads; `held` is
// only written by the thread holding the mutex.
unsafe impl Sync for PthreadLock {}
// SAFETY: an unlocked, unused mutex may be moved; see the type docs.
unsafe impl Send for PthreadLock {}

impl Default for PthreadLock {
    fn default() -> Self {
        <Self as RawLock>::new()
    }
}

impl Drop for PthreadLock {
    fn drop(&mut self) {
        // SAFETY: we own the mutex and nobody holds it (a held lock cannot be
        // dropped while its holder borrows it).
        unsafe { libc::pthread_mutex_destroy(self.mutex.get()) };
    }
}

// SAFETY: pthread provides the exclusion and the ordering.
unsafe impl RawLock for PthreadLock {
    const NAME: &'static str = "pthread";
    #[allow(clippy::declare_interior_mutable_const)]
    const INIT: Self = PthreadLock {
        mutex: UnsafeCell::new(libc::PTHREAD_MUTEX_INITIALIZER),
        held: Cell::new(false),
        blocked: Blocked::new(),
    };

    fn new() -> Self {
        Self::INIT
    }

    #[inline]
    fn lock(&self) {
        // SAFETY: the mutex is initialised and stays put (type docs).
        if unsafe { libc::pthread_mutex_trylock(self.mutex.get()) } != 0 {
            // SAFETY: as above.
            let r = self
                .blocked
                .around(|| unsafe { libc::pthread_mutex_lock(self.mutex.get()) });
            assert_eq!(r, 0, "pthread_mutex_lock failed");
        }
        self.held.set(true);
    }

    #[inline]
    fn try_lock(&self) -> bool {
        // SAFETY: the mutex is initialised and stays put (type docs).
        let got = unsafe { libc::pthread_mutex_trylock(self.mutex.get()) } == 0;
        if got {
            self.held.set(true);
        }
        got
    }

    #[inline]
    unsafe fn unlock(&self) {
        if !self.held.replace(false) {
            panic!("unlock of unlocked lock");
        }
        // SAFETY: the caller holds the mutex.
        unsafe { libc::pthread_mutex_unlock(self.mutex.get()) };
    }

    fn is_locked(&self) -> bool {
        self.held.get()
    }

    fn is_contended(&self) -> bool {
        self.blocked.any()
    }
}
