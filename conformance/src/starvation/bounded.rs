//! The bounded-wait check: a thread that comes back to the lock now and then
//! must get it within [`BOUNDED_WAIT_LIMIT`] while two others keep it busy.
//!
//! The two hammers hold the lock for [`BOUNDED_HAMMER_HOLD`] at a time and
//! retake it at once. Against spinbit that is the worst case for a sleeper:
//! one hammer holds while the other spins (spinbit's one spinner), so an
//! unlock usually finds a spinner and wakes nobody, and the victim, asleep,
//! waits for a tail wake (1 unlock in 16) that then also has to land in its
//! few microseconds of spinning. A lock with a handoff gives it the lock
//! once it has waited the bound. Three threads on a 2-core machine: the
//! victim, once handed the lock, finds a CPU at once (the hammer that does
//! not hold the lock sleeps), so what the victim waits is the lock's doing.

use crate::budget::{
    BOUNDED_ACQUISITIONS, BOUNDED_HAMMER_HOLD, BOUNDED_VICTIM_PAUSE, BOUNDED_WAIT_LIMIT,
};
use crate::starvation::figures::human_ns;
use crate::watchdog::{Inspect, Watch, lock_state};
use crate::workers::spawn;
use anyhow::ensure;
use lockyard::RawLock;
use std::cell::UnsafeCell;
use std::hint::spin_loop;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// The victim's waits, in the order they happened.
#[derive(Debug)]
pub struct VictimWaits {
    /// The backend.
    pub backend: &'static str,
    /// Each acquisition's wait.
    pub waits: Vec<Duration>,
}

impl VictimWaits {
    /// The longest wait.
    pub fn max(&self) -> Duration {
        self.waits.iter().copied().max().unwrap_or_default()
    }

    /// The median wait.
    pub fn median(&self) -> Duration {
        let mut sorted = self.waits.clone();
        sorted.sort_unstable();
        sorted.get(sorted.len() / 2).copied().unwrap_or_default()
    }

    /// One line for the log.
    pub fn line(&self) -> String {
        format!(
            "{} bounded_wait: victim waited at most {}, median {}, over {} acquisitions beside two hammers",
            self.backend,
            human_ns(self.max().as_nanos() as u64),
            human_ns(self.median().as_nanos() as u64),
            self.waits.len()
        )
    }
}

struct Shared<L> {
    lock: L,
    /// Acquisitions, counted inside the lock: an exclusion check for free.
    count: UnsafeCell<u64>,
    stop: AtomicBool,
}

// SAFETY: `count` is touched only by the holder of `lock`.
unsafe impl<L: RawLock> Sync for Shared<L> {}

impl<L: RawLock> Inspect for Shared<L> {
    fn inspect(&self) -> String {
        lock_state(&self.lock)
    }
}

impl<L: RawLock> Shared<L> {
    /// Counts one acquisition; the caller holds the lock.
    fn count(&self) {
        // SAFETY: the caller holds the lock.
        unsafe { *self.count.get() += 1 };
    }

    fn hammer(&self) -> u64 {
        let mut mine = 0;
        // Relaxed: a stop flag; the lock orders nothing here.
        while !self.stop.load(Ordering::Relaxed) {
            self.lock.lock();
            self.count();
            let until = Instant::now() + BOUNDED_HAMMER_HOLD;
            while Instant::now() < until {
                spin_loop();
            }
            // SAFETY: locked above on this thread.
            unsafe { self.lock.unlock() };
            mine += 1;
        }
        mine
    }

    fn victim(&self) -> Vec<Duration> {
        let mut waits = Vec::with_capacity(BOUNDED_ACQUISITIONS);
        for _ in 0..BOUNDED_ACQUISITIONS {
            std::thread::sleep(BOUNDED_VICTIM_PAUSE);
            let began = Instant::now();
            self.lock.lock();
            waits.push(began.elapsed());
            self.count();
            // SAFETY: locked above on this thread.
            unsafe { self.lock.unlock() };
        }
        // Relaxed: see `hammer`.
        self.stop.store(true, Ordering::Relaxed);
        waits
    }
}

/// Runs the victim against the two hammers and returns its waits.
///
/// # Errors
///
/// If a thread panicked or the acquisitions counted inside the lock do not
/// add up (two holders at once).
pub fn measure<L: RawLock + 'static>(watch: &Watch) -> anyhow::Result<VictimWaits> {
    let shared = Arc::new(Shared {
        lock: L::new(),
        count: UnsafeCell::new(0),
        stop: AtomicBool::new(false),
    });
    watch.watch(&shared);
    let (waits, hammered) = std::thread::scope(|s| -> anyhow::Result<_> {
        let hammers = [
            spawn(s, "hammer-0", || shared.hammer())?,
            spawn(s, "hammer-1", || shared.hammer())?,
        ];
        let victim = spawn(s, "victim", || shared.victim())?;
        let waits = crate::workers::outcome(Some("victim"), victim.join())?;
        let mut hammered = 0;
        for h in hammers {
            hammered += crate::workers::outcome(Some("a hammer"), h.join())?;
        }
        Ok((waits, hammered))
    })?;
    // SAFETY: every thread is joined.
    let counted = unsafe { *shared.count.get() };
    ensure!(
        counted == hammered + waits.len() as u64,
        "{counted} acquisitions counted inside the lock, {} made: two holders were inside at once",
        hammered + waits.len() as u64
    );
    Ok(VictimWaits {
        backend: L::NAME,
        waits,
    })
}

/// The verdict for a backend that promises a bounded wait.
///
/// # Errors
///
/// If the victim's longest wait passed [`BOUNDED_WAIT_LIMIT`].
pub fn check(waits: &VictimWaits) -> anyhow::Result<()> {
    ensure!(
        waits.max() <= BOUNDED_WAIT_LIMIT,
        "the victim waited {} for the lock, more than the {} a bounded wait allows: {}",
        human_ns(waits.max().as_nanos() as u64),
        human_ns(BOUNDED_WAIT_LIMIT.as_nanos() as u64),
        waits.line()
    );
    Ok(())
}
