//! A counter that only the lock protects: the critical section every case
//! runs, and the check that the lock really excluded.

use crate::budget::{NAP_EVERY, SECTION_NAP, SECTION_PAUSES};
use crate::watchdog::{Inspect, lock_state};
use crate::workers::in_parallel;
use anyhow::ensure;
use lockyard::RawLock;
use std::cell::UnsafeCell;
use std::hint::{black_box, spin_loop};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// A lock and the plain counter it guards.
pub struct Guarded<L> {
    /// The lock under test.
    pub lock: L,
    /// Touched only by the holder: a plain integer, so overlapping holders
    /// lose updates instead of being saved by atomics.
    count: UnsafeCell<u64>,
    /// Set by the holder for the length of the critical section.
    inside: AtomicBool,
    /// Holders that found `inside` already set.
    overlaps: AtomicU64,
}

// SAFETY: `count` is read and written only between a lock and its unlock, so
// `L`'s mutual exclusion (the `RawLock` contract, and what this type exists
// to check) makes those accesses race-free; the other fields are atomic.
unsafe impl<L: RawLock> Sync for Guarded<L> {}

impl<L: RawLock> Default for Guarded<L> {
    fn default() -> Self {
        Guarded {
            lock: L::new(),
            count: UnsafeCell::new(0),
            inside: AtomicBool::new(false),
            overlaps: AtomicU64::new(0),
        }
    }
}

impl<L: RawLock> Guarded<L> {
    /// Takes the lock, adds one to the counter, releases it.
    pub fn increment(&self) {
        self.lock.lock();
        // SAFETY: locked just above.
        unsafe { self.critical_section() };
        // SAFETY: locked by this thread above.
        unsafe { self.lock.unlock() };
    }

    /// `threads` threads at once each increment `each` times, then
    /// [`check`](Self::check) that every increment landed.
    ///
    /// # Errors
    ///
    /// If a thread panics or the check fails.
    pub fn contend(&self, threads: usize, each: usize) -> anyhow::Result<()> {
        in_parallel(threads, |_| {
            for _ in 0..each {
                self.increment();
            }
        })?;
        self.check((threads * each) as u64)
    }

    /// Adds one under the lock: a read and a separate write, with the
    /// `inside` flag raised around them.
    ///
    /// # Safety
    ///
    /// The caller holds `self.lock`.
    pub unsafe fn critical_section(&self) {
        // Relaxed: the lock orders these flag accesses between holders, and an
        // overlap shows as a set flag whatever the ordering.
        if self.inside.swap(true, Ordering::Relaxed) {
            self.overlaps.fetch_add(1, Ordering::Relaxed);
        }
        // SAFETY: the caller holds the lock, so nobody else touches `count`.
        let read = unsafe { *self.count.get() };
        for _ in 0..SECTION_PAUSES {
            spin_loop();
        }
        if read % NAP_EVERY == 0 {
            std::thread::sleep(SECTION_NAP);
        }
        // `black_box` keeps the read and the write apart: no fused increment.
        // SAFETY: as above.
        unsafe { *self.count.get() = black_box(read) + 1 };
        self.inside.store(false, Ordering::Relaxed);
    }

    /// Checks that `expected` increments all landed, no two holders ever met,
    /// and the lock is free and has no sleepers.
    ///
    /// # Errors
    ///
    /// Says which of those failed, with the lock's state.
    pub fn check(&self, expected: u64) -> anyhow::Result<()> {
        self.lock.lock();
        // SAFETY: locked just above.
        let count = unsafe { *self.count.get() };
        // SAFETY: locked by this thread above.
        unsafe { self.lock.unlock() };
        let overlaps = self.overlaps.load(Ordering::Relaxed);
        ensure!(
            overlaps == 0 && count == expected,
            "mutual exclusion broken: {overlaps} holders found another inside, \
             and the counter reads {count} of {expected} increments"
        );
        ensure!(
            !self.lock.is_locked() && !self.lock.is_contended(),
            "the lock is not idle once everyone has left: {}",
            lock_state(&self.lock)
        );
        Ok(())
    }
}

impl<L: RawLock> Inspect for Guarded<L> {
    fn inspect(&self) -> String {
        format!(
            "{}; {} overlapping holders so far",
            lock_state(&self.lock),
            self.overlaps.load(Ordering::Relaxed)
        )
    }
}
