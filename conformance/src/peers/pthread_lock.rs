//! `pthread`: a default `pthread_mutex_t` through libc, the lock C programs
//! get.

use crate::blocked::Blocked;
use lockyard::RawLock;
use std::cell::UnsafeCell;
use std::sync::atomic::{AtomicBool, Ordering};

/// A POSIX mutex behind the raw-lock trait.
///
/// A `PthreadLock` must not be moved once used (POSIX forbids copying a
/// mutex); the harness only locks locks that stay put.
pub struct PthreadLock {
    mutex: UnsafeCell<libc::pthread_mutex_t>,
    /// Whether somebody holds it, so a misused unlock is caught before it
    /// reaches pthread (where it is undefined). Atomic: `is_locked` reads it
    /// from other threads, and a misused unlock may come from any thread.
    held: AtomicBool,
    blocked: Blocked,
}

// SAFETY: the pthread mutex is made for sharing between threads; `held` is
// an atomic.
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
        held: AtomicBool::new(false),
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
        // Relaxed: a misuse flag; the mutex orders the data.
        self.held.store(true, Ordering::Relaxed);
    }

    #[inline]
    fn try_lock(&self) -> bool {
        // SAFETY: the mutex is initialised and stays put (type docs).
        let got = unsafe { libc::pthread_mutex_trylock(self.mutex.get()) } == 0;
        if got {
            // Relaxed: as in `lock`.
            self.held.store(true, Ordering::Relaxed);
        }
        got
    }

    #[inline]
    unsafe fn unlock(&self) {
        // Relaxed: as in `lock`; the swap lets only one unlock through.
        if !self.held.swap(false, Ordering::Relaxed) {
            panic!("{}", crate::cases::misuse::MESSAGE);
        }
        // SAFETY: the caller holds the mutex.
        unsafe { libc::pthread_mutex_unlock(self.mutex.get()) };
    }

    fn is_locked(&self) -> bool {
        // Relaxed: a snapshot.
        self.held.load(Ordering::Relaxed)
    }

    fn is_contended(&self) -> bool {
        self.blocked.any()
    }
}
