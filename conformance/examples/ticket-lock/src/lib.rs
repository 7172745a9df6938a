//! A ticket lock: each locker draws the next ticket and waits until the
//! lock serves it, so the lock goes round in arrival order (FIFO). Written
//! for lockyard's "Test your own lock" walkthrough: a lock outside lockyard,
//! behind `lock_api::RawMutex`, that lockyard's suites run on every target.
//!
//! Waiters spin, then yield: a ticket lock cannot let a waiter sleep
//! without a wait queue, and cannot skip a waiter that is not running, so
//! on an oversubscribed machine each handoff may wait for the scheduler to
//! run the next ticket's thread. The benchmarks show that cost.
//!
//! With the `relaxed-release` feature the unlock publishes with Relaxed: the
//! next holder may not see the critical section's writes. It is broken on
//! purpose, for the walkthrough.

use std::sync::atomic::{AtomicU32, Ordering};

/// The unlock's ordering: Release, so the next holder's Acquire load of
/// `serving` sees the critical section; Relaxed in the broken variant.
const RELEASE: Ordering = if cfg!(feature = "relaxed-release") {
    Ordering::Relaxed
} else {
    Ordering::Release
};

/// Spins between yields while waiting for our ticket.
const SPINS_PER_YIELD: u32 = 64;

/// A FIFO spinlock on two counters.
pub struct RawTicketLock {
    /// The next ticket to hand out.
    next: AtomicU32,
    /// The ticket the lock serves now: its holder's.
    serving: AtomicU32,
}

impl RawTicketLock {
    /// Threads holding or waiting for the lock, the holder included.
    pub fn in_line(&self) -> u32 {
        // Relaxed: a snapshot.
        let serving = self.serving.load(Ordering::Relaxed);
        self.next.load(Ordering::Relaxed).wrapping_sub(serving)
    }
}

// SAFETY: one ticket is served at a time; a holder's critical section is
// published by its Release store to `serving` and acquired by the next
// holder's Acquire load that sees its ticket (except in the deliberately
// broken `relaxed-release` build).
unsafe impl lock_api::RawMutex for RawTicketLock {
    #[allow(clippy::declare_interior_mutable_const)]
    const INIT: Self = RawTicketLock {
        next: AtomicU32::new(0),
        serving: AtomicU32::new(0),
    };
    type Guard = lock_api::GuardSend;

    fn lock(&self) -> Self::Guard {
        // Relaxed: the draw only orders tickets; the load below acquires.
        let ticket = self.next.fetch_add(1, Ordering::Relaxed);
        let mut spins = 0;
        // Acquire: seeing our ticket served means the previous holder's
        // critical section is over and visible.
        while self.serving.load(Ordering::Acquire) != ticket {
            spins += 1;
            if spins % SPINS_PER_YIELD == 0 {
                std::thread::yield_now();
            } else {
                std::hint::spin_loop();
            }
        }
        lock_api::GuardSend::new()
    }

    fn try_lock(&self) -> Option<Self::Guard> {
        // Acquire: if the lock is free, this is the last holder's release.
        let serving = self.serving.load(Ordering::Acquire);
        // Relaxed: the ticket drawn is served already (the load above
        // acquired its predecessor); a failure changes nothing.
        self.next
            .compare_exchange(
                serving,
                serving.wrapping_add(1),
                Ordering::Relaxed,
                Ordering::Relaxed,
            )
            .ok()
            .map(|_| lock_api::GuardSend::new())
    }

    unsafe fn unlock(&self, _: Self::Guard) {
        // Relaxed: only the holder writes `serving`.
        let ours = self.serving.load(Ordering::Relaxed);
        self.serving.store(ours.wrapping_add(1), RELEASE);
    }

    fn is_locked(&self) -> bool {
        self.in_line() != 0
    }
}

/// A mutex on the ticket lock.
pub type Mutex<T> = lock_api::Mutex<RawTicketLock, T>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mutex_counts_across_threads() {
        let count = Mutex::new(0u32);
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    for _ in 0..1000 {
                        *count.lock() += 1;
                    }
                });
            }
        });
        assert_eq!(*count.lock(), 4000);
    }

    #[test]
    fn try_lock_fails_while_held_and_in_line_counts_the_holder() {
        let m = Mutex::new(());
        let held = m.lock();
        assert!(m.try_lock().is_none());
        // SAFETY: reading the raw lock's counters only.
        assert_eq!(unsafe { m.raw() }.in_line(), 1);
        drop(held);
        assert!(m.try_lock().is_some());
    }
}
