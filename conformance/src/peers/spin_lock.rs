//! `spin`: a test-and-test-and-set spinlock, the lock that never sleeps, to
//! show what sleeping buys and costs.

use crate::blocked::Blocked;
use lockyard::RawLock;
use std::sync::atomic::{AtomicBool, Ordering};

/// A test-and-test-and-set spinlock.
pub struct SpinLock {
    locked: AtomicBool,
    blocked: Blocked,
}

impl SpinLock {
    #[cold]
    fn lock_contended(&self) {
        loop {
            // Relaxed peek: spin on a shared line until it looks free.
            while self.locked.load(Ordering::Relaxed) {
                std::hint::spin_loop();
            }
            // Acquire: taking the lock.
            if !self.locked.swap(true, Ordering::Acquire) {
                return;
            }
        }
    }
}

impl Default for SpinLock {
    fn default() -> Self {
        <Self as RawLock>::new()
    }
}

// SAFETY: the swap from false to true admits one holder (Acquire); unlock
// stores false with Release.
unsafe impl RawLock for SpinLock {
    const NAME: &'static str = "spin";
    #[allow(clippy::declare_interior_mutable_const)]
    const INIT: Self = SpinLock {
        locked: AtomicBool::new(false),
        blocked: Blocked::new(),
    };

    fn new() -> Self {
        Self::INIT
    }

    #[inline]
    fn lock(&self) {
        // Acquire: taking the lock.
        if self.locked.swap(true, Ordering::Acquire) {
            self.blocked.around(|| self.lock_contended());
        }
    }

    #[inline]
    fn try_lock(&self) -> bool {
        // Acquire: taking the lock.
        !self.locked.swap(true, Ordering::Acquire)
    }

    #[inline]
    unsafe fn unlock(&self) {
        // Release: hand the critical section's writes over.
        if !self.locked.swap(false, Ordering::Release) {
            panic!("{}", crate::cases::misuse::MESSAGE);
        }
    }

    fn is_locked(&self) -> bool {
        self.locked.load(Ordering::Relaxed)
    }

    /// Nobody sleeps on a spinlock: a spinning waiter counts instead.
    fn is_contended(&self) -> bool {
        self.blocked.any()
    }
}
