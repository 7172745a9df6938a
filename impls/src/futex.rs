//! `futex`: the tristate lock Go's runtime used on Linux and FreeBSD before
//! spinbit (`runtime/lock_futex_tristate.go`: `lock2`, `unlock2`).
//!
//! The state word, 32 bits, one of three values:
//!
//! | value | name       | Go constant      | meaning                                |
//! |-------|------------|------------------|----------------------------------------|
//! | 0     | `UNLOCKED` | `mutex_unlocked` | free                                   |
//! | 1     | `LOCKED`   | `mutex_locked`   | held, nobody asleep                    |
//! | 2     | `SLEEPING` | `mutex_sleeping` | held, and a waiter may be asleep on it |
//!
//! Anyone may swap the word; waiters sleep on it with the OS's
//! wait-on-address. A waiter that goes to sleep has written `SLEEPING`, and
//! keeps writing `SLEEPING` when it acquires (it cannot know whether others
//! still sleep), so every unlock that could owe a wake sees it.
//!
//! Memory ordering: Acquire on every exchange that can take the lock, Release
//! on the exchange that gives it back, Relaxed on the spin loop's peeks.
//!
//! The word is visible through [`RawLock::state_word`], so a caller can see
//! the three states go by:
//!
//! ```
//! use lockyard::RawLock;
//! use lockyard::futex::RawFutex;
//!
//! let lock = RawFutex::new();
//! assert_eq!(lock.state_word(), Some(0)); // UNLOCKED
//! lock.lock();
//! assert_eq!(lock.state_word(), Some(1)); // LOCKED, nobody asleep
//! std::thread::scope(|s| {
//!     s.spawn(|| {
//!         lock.lock(); // spins a little, then sleeps and writes SLEEPING
//!         // SAFETY: this thread holds the lock.
//!         unsafe { lock.unlock() };
//!     });
//!     while !lock.is_contended() {
//!         std::thread::yield_now();
//!     }
//!     assert_eq!(lock.state_word(), Some(2)); // SLEEPING
//!     // SAFETY: the main thread took the lock above; this unlock owes a wake.
//!     unsafe { lock.unlock() };
//! });
//! assert_eq!(lock.state_word(), Some(0));
//! ```

use crate::RawLock;
use crate::misuse::unlocked_unlock;
use crate::os::{self, multiprocessor};
use crate::primitive::{AtomicU32, Ordering, const_fn_unless_loom, passive_spin, procyield};
use crate::stats::{Event, record};

/// The spin tuning every backend shares, under this backend's name too.
pub use crate::primitive::{ACTIVE_SPIN, ACTIVE_SPIN_CNT, PASSIVE_SPIN};

const UNLOCKED: u32 = 0; // free
const LOCKED: u32 = 1; // held, no sleepers
const SLEEPING: u32 = 2; // held, maybe sleepers

/// The tristate futex lock.
pub struct RawFutex {
    key: AtomicU32,
}

impl RawFutex {
    const_fn_unless_loom! {
        /// An unlocked lock.
        pub fn new() -> Self {
            RawFutex { key: AtomicU32::new(UNLOCKED) }
        }
    }

    #[cold]
    fn lock_slow(&self, mut prev: u32) {
        // What to leave in the word when we take it: once we have seen
        // SLEEPING (or slept ourselves) others may be asleep, so keep it.
        let mut wait = prev;
        let spin = if multiprocessor() { ACTIVE_SPIN } else { 0 };
        let mut woken = false;
        loop {
            for round in 0..spin + PASSIVE_SPIN {
                // Relaxed peek: the exchange below is what acquires.
                while self.key.load(Ordering::Relaxed) == UNLOCKED {
                    // Acquire: taking the lock.
                    if self
                        .key
                        .compare_exchange_weak(UNLOCKED, wait, Ordering::Acquire, Ordering::Relaxed)
                        .is_ok()
                    {
                        return;
                    }
                }
                record(Event::Spin);
                if round < spin {
                    procyield(ACTIVE_SPIN_CNT);
                } else {
                    passive_spin(woken);
                }
            }
            // Acquire: this swap takes the lock when it finds it free.
            prev = self.key.swap(SLEEPING, Ordering::Acquire);
            if prev == UNLOCKED {
                return;
            }
            wait = SLEEPING;
            record(Event::Sleep);
            os::wait(&self.key, SLEEPING, None);
            woken = true;
        }
    }

    #[cold]
    fn wake(&self) {
        record(Event::Wake);
        os::wake_one(&self.key);
    }
}

impl Default for RawFutex {
    fn default() -> Self {
        Self::new()
    }
}

// SAFETY: the word admits one holder: only a transition from UNLOCKED takes
// it, with Acquire, and unlock gives it back with Release.
unsafe impl RawLock for RawFutex {
    const NAME: &'static str = "futex";
    #[cfg(not(lockyard_loom))]
    const INIT: Self = Self::new();

    fn new() -> Self {
        RawFutex::new()
    }

    #[inline]
    fn lock(&self) {
        // Acquire: taking the lock.
        let prev = self.key.swap(LOCKED, Ordering::Acquire);
        if prev != UNLOCKED {
            self.lock_slow(prev);
        }
    }

    #[inline]
    fn try_lock(&self) -> bool {
        // Acquire on success: taking the lock.
        self.key
            .compare_exchange(UNLOCKED, LOCKED, Ordering::Acquire, Ordering::Relaxed)
            .is_ok()
    }

    #[inline]
    unsafe fn unlock(&self) {
        // Release: hand the critical section's writes to the next holder.
        match self.key.swap(UNLOCKED, Ordering::Release) {
            LOCKED => {}
            SLEEPING => self.wake(),
            // Swapping UNLOCKED over UNLOCKED changed nothing: the misuse is
            // reported with the word intact.
            _ => unlocked_unlock(),
        }
    }

    #[inline]
    fn is_locked(&self) -> bool {
        self.key.load(Ordering::Relaxed) != UNLOCKED
    }

    #[inline]
    fn is_contended(&self) -> bool {
        self.key.load(Ordering::Relaxed) == SLEEPING
    }

    fn state_word(&self) -> Option<usize> {
        // Relaxed: a diagnostic snapshot.
        Some(self.key.load(Ordering::Relaxed) as usize)
    }
}

crate::raw_lock::impl_lock_api!(RawFutex);
crate::raw_lock::lock_api_aliases!(RawFutex, "the tristate futex lock", "lockyard::futex::");
