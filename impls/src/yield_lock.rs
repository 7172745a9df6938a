//! A lock that never sleeps on a waiter node: test-and-set, yielding while
//! it is taken. The lock layer's own rare sections use it (adding a chunk to
//! the waiter nodes' arena), where a lockyard backend would need the very
//! node being made in order to wait.

use crate::RawLock;
use crate::misuse;
use crate::primitive::{AtomicU32, Ordering, const_fn_unless_loom, yield_now};

/// Test-and-set with a yield between tries. Fine for sections that run a
/// few times in a process's life; unfair and wasteful under real contention.
pub(crate) struct YieldLock {
    held: AtomicU32,
}

impl YieldLock {
    const_fn_unless_loom! {
        fn unlocked() -> Self {
            YieldLock { held: AtomicU32::new(0) }
        }
    }
}

// SAFETY: the swap from 0 to 1 admits one holder at a time; its Acquire
// pairs with the Release of the store that unlocks.
unsafe impl RawLock for YieldLock {
    const NAME: &'static str = "yield";

    #[cfg(not(lockyard_loom))]
    const INIT: Self = YieldLock::unlocked();

    fn new() -> Self {
        YieldLock::unlocked()
    }

    fn lock(&self) {
        while !self.try_lock() {
            yield_now();
        }
    }

    fn try_lock(&self) -> bool {
        // Relaxed peek first, so waiters do not bounce the line with swaps.
        // Acquire on the swap: see what the last holder wrote.
        self.held.load(Ordering::Relaxed) == 0 && self.held.swap(1, Ordering::Acquire) == 0
    }

    unsafe fn unlock(&self) {
        // Release: the section's writes before the next holder's Acquire.
        // Swapping 0 into a free lock leaves it as it was.
        if self.held.swap(0, Ordering::Release) == 0 {
            misuse::unlocked_unlock();
        }
    }

    fn is_locked(&self) -> bool {
        // Relaxed: a snapshot.
        self.held.load(Ordering::Relaxed) != 0
    }

    /// Nobody ever sleeps on it.
    fn is_contended(&self) -> bool {
        false
    }
}

#[cfg(all(test, not(lockyard_loom)))]
mod tests {
    use super::YieldLock;
    use crate::RawLock;

    #[test]
    fn excludes_and_reports_misuse() {
        let lock = YieldLock::new();
        assert!(lock.try_lock());
        assert!(!lock.try_lock());
        assert!(lock.is_locked());
        // SAFETY: locked above on this thread.
        unsafe { lock.unlock() };
        assert!(!lock.is_locked());
        // SAFETY: deliberately misused; the lock must refuse loudly.
        let misuse = std::panic::catch_unwind(|| unsafe { lock.unlock() });
        assert!(
            misuse.is_err(),
            "an unlock of an unlocked lock was accepted"
        );
    }
}
