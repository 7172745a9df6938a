//! `futex`: the tristate lock Go's runtime used on Linux and FreeBSD before
//! spinbit (`runtime/lock_futex_tristate.go`: `lock2`, `unlock2`).
//!
//! The state word, 32 bits, one of three values (four with a fair unlock):
//!
//! | value | name       | Go constant      | meaning                                |
//! |-------|------------|------------------|----------------------------------------|
//! | 0     | `UNLOCKED` | `mutex_unlocked` | free                                   |
//! | 1     | `LOCKED`   | `mutex_locked`   | held, nobody asleep                    |
//! | 2     | `SLEEPING` | `mutex_sleeping` | held, and a waiter may be asleep on it |
//! | 3     | `HANDOFF`  | (none)           | held for a waiter that slept: `unlock_fair` (see `futex/fair.rs`) |
//!
//! Anyone may swap the word; waiters sleep on it with the OS's
//! wait-on-address. A waiter that goes to sleep has written `SLEEPING`, and
//! keeps writing `SLEEPING` when it acquires (it cannot know whether others
//! still sleep), so every unlock that could owe a wake sees it.
//!
//! Memory ordering: Acquire on every exchange that can take the lock, Release
//! on the exchange that gives it back, Relaxed on the spin loop's peeks; the
//! swap that writes SLEEPING ahead of a wait also releases the sleeper count
//! that the fair unlock reads (`futex/fair.rs`).
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

use crate::misuse::unlocked_unlock;
use crate::os::{self, Deadline, multiprocessor};
use crate::primitive::{AtomicU32, Ordering, const_fn_unless_loom, passive_spin, procyield};
use crate::stats::{Event, record};
use crate::{RawLock, RawLockTimed};
use std::time::Instant;

mod fair;
mod wait_list;

use crate::blame;
use fair::Claim;
use wait_list::{Entry, WaitList};

/// The spin tuning every backend shares, under this backend's name too.
pub use crate::primitive::{ACTIVE_SPIN, ACTIVE_SPIN_CNT, PASSIVE_SPIN};

const UNLOCKED: u32 = 0; // free
const LOCKED: u32 = 1; // held, no sleepers
const SLEEPING: u32 = 2; // held, maybe sleepers
/// Held for a waiter that slept: a fair unlock's handoff (`fair.rs`).
const HANDOFF: u32 = 3;

/// The tristate futex lock.
pub struct RawFutex {
    key: AtomicU32,
    /// Threads between going to sleep on `key` and their first look at it
    /// after waking: who may still claim a handoff (`fair.rs`).
    sleepers: AtomicU32,
    /// Who waits, for the contention profile (empty without it).
    waiting: WaitList,
}

impl RawFutex {
    const_fn_unless_loom! {
        /// An unlocked lock.
        pub fn new() -> Self {
            RawFutex {
                key: AtomicU32::new(UNLOCKED),
                sleepers: AtomicU32::new(0),
                waiting: WaitList::new(),
            }
        }
    }

    /// Waits for the lock until `deadline` (`None`: for good); returns
    /// whether it got it. `prev` is what the caller's swap found.
    ///
    /// A waiter whose time is up has nothing to undo: the kernel keeps the
    /// sleepers, and the word it leaves SLEEPING only costs the holder's
    /// unlock a wake. After every wait, woken or timed out, it swaps SLEEPING
    /// in once more before it gives up: if a wake was meant for it, that
    /// either takes the free lock (or a handoff) or leaves the holder owing
    /// the next wake, so none is lost.
    #[cold]
    fn lock_slow(&self, prev: u32, deadline: Option<Instant>) -> bool {
        blame::timed_wait(|| {
            self.waiting
                .with_entry(|entry| self.wait(prev, deadline, entry))
        })
    }

    /// `lock_slow`'s loop; `entry` puts the call on the wait list before
    /// its first sleep.
    fn wait(&self, mut prev: u32, deadline: Option<Instant>, entry: &mut Entry) -> bool {
        // What to leave in the word when we take it: once we have seen
        // SLEEPING (or slept ourselves) others may be asleep, so keep it.
        let mut wait = if prev == HANDOFF { SLEEPING } else { prev };
        let spin = if multiprocessor() { ACTIVE_SPIN } else { 0 };
        let mut woken = false;
        let mut timed_out = false;
        // Whether we count in `sleepers`: from the swap before our first
        // wait until we take the lock or give up, through any early or
        // spurious wakes, so that a handoff made while we wait always finds
        // us counted.
        let mut counted = false;
        if prev == HANDOFF {
            if self.handoff_seen(false, false) {
                // The fast path's swap wrote LOCKED over the handoff; others
                // may sleep, so the word must say so.
                self.key.store(SLEEPING, Ordering::Relaxed);
                return true;
            }
            match self.await_claim(false, deadline) {
                Claim::Ours => return true,
                Claim::TimedOut => return false,
                Claim::Made => {}
            }
        }
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
                        self.uncount(&mut counted);
                        return true;
                    }
                }
                record(Event::Spin);
                if round < spin {
                    procyield(ACTIVE_SPIN_CNT);
                } else {
                    passive_spin(woken);
                }
            }
            if !counted {
                // Listed before the swap too, for the contention profile:
                // an unlocker that sees SLEEPING finds us on the list.
                entry.join(&self.waiting);
                // Counted before the swap that makes the word say SLEEPING:
                // an unlocker that sees SLEEPING also sees us.
                // Relaxed: a tally; the word orders the lock.
                self.sleepers.fetch_add(1, Ordering::Relaxed);
                counted = true;
            }
            // Acquire: this swap takes the lock when it finds it free.
            // Release: it publishes our count above, so a holder whose
            // Acquire load sees this SLEEPING sees us counted (fair.rs).
            prev = self.key.swap(SLEEPING, Ordering::AcqRel);
            if prev == UNLOCKED || (prev == HANDOFF && self.handoff_seen(woken, true)) {
                self.uncount(&mut counted);
                return true;
            }
            wait = SLEEPING;
            if prev == HANDOFF {
                // We put a handoff back for a sleeper to claim (fair.rs).
                match self.await_claim(true, deadline) {
                    Claim::Made => continue,
                    claim => {
                        self.uncount(&mut counted);
                        return claim == Claim::Ours;
                    }
                }
            }
            let left = match Deadline::until(deadline).timeout() {
                Some(left) if !timed_out => left,
                _ => {
                    self.uncount(&mut counted);
                    return false;
                }
            };
            record(Event::Sleep);
            // The OS says when the timeout passed; one more swap follows.
            timed_out = !os::wait(&self.key, SLEEPING, left);
            woken = true;
        }
    }

    /// Leaves `sleepers` if `counted` says we are in it.
    #[inline]
    fn uncount(&self, counted: &mut bool) {
        if *counted {
            // Relaxed: a tally; the word orders the lock.
            self.sleepers.fetch_sub(1, Ordering::Relaxed);
            *counted = false;
        }
    }

    /// The unlock while the profile samples: the charge, if this unlock is
    /// contended and sampled, taken while we still hold the lock; then the
    /// unlock proper. Cold: profiling is the rare configuration.
    #[cold]
    #[inline(never)]
    fn unlock_profiled(&self) {
        // Relaxed: a peek at our own lock's word, which only grows to
        // SLEEPING while we hold it.
        let blame = self
            .waiting
            .on_unlock(|| self.key.load(Ordering::Relaxed) >= SLEEPING);
        self.release();
        blame::charge(blame);
    }

    /// The unlock proper, once the profile has taken its charge.
    #[inline]
    fn release(&self) {
        // Release: hand the critical section's writes to the next holder.
        match self.key.swap(UNLOCKED, Ordering::Release) {
            LOCKED => {}
            SLEEPING => self.wake(),
            HANDOFF => {
                // Nobody holds a lock being handed off: a misuse. Put the
                // handoff back before reporting it.
                self.key.store(HANDOFF, Ordering::Relaxed);
                unlocked_unlock();
            }
            // Swapping UNLOCKED over UNLOCKED changed nothing: the misuse is
            // reported with the word intact.
            _ => unlocked_unlock(),
        }
    }

    #[cold]
    fn wake(&self) {
        record(Event::Wake);
        os::wake_one(&self.key);
    }
}

#[cfg(lockyard_profile)]
impl RawFutex {
    /// Checks the contention profile's wait list under its lock: every
    /// back link matches, the tail is the oldest node and the count the
    /// number linked. Returns that number, or what is broken. A test hook:
    /// the holder runs the same check after each acquisition in debug
    /// builds.
    #[doc(hidden)]
    pub fn check_wait_list(&self) -> Result<usize, String> {
        // A test hook, off the lock paths: the words may allocate here.
        self.waiting.check().map_err(|broken| broken.to_string())
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
            self.lock_slow(prev, None);
        }
    }

    #[inline]
    fn try_lock(&self) -> bool {
        // Acquire on success: taking the lock (or a handoff, below).
        match self
            .key
            .compare_exchange(UNLOCKED, LOCKED, Ordering::Acquire, Ordering::Relaxed)
        {
            Ok(_) => true,
            // A handoff that no sleeper is left to claim is as good as free.
            // Relaxed: a tally (see fair.rs).
            Err(HANDOFF) => {
                self.sleepers.load(Ordering::Relaxed) == 0
                    && self
                        .key
                        .compare_exchange(HANDOFF, SLEEPING, Ordering::Acquire, Ordering::Relaxed)
                        .is_ok()
            }
            Err(_) => false,
        }
    }

    #[inline]
    unsafe fn unlock(&self) {
        // The profile's path only while it samples: at rate 0 (and without
        // the feature) the unlock is the one swap, after a load of the rate
        // in the profile build. Not a peek at our own word, which a
        // contended lock's waiters keep pulling away: that costs a second
        // transfer of the line before the swap's.
        if blame::sampling() {
            self.unlock_profiled();
        } else {
            self.release();
        }
    }

    #[inline]
    fn is_locked(&self) -> bool {
        self.key.load(Ordering::Relaxed) != UNLOCKED
    }

    #[inline]
    fn is_contended(&self) -> bool {
        self.key.load(Ordering::Relaxed) >= SLEEPING
    }

    fn state_word(&self) -> Option<usize> {
        // Relaxed: a diagnostic snapshot.
        Some(self.key.load(Ordering::Relaxed) as usize)
    }
}

// SAFETY: a timed lock takes the lock only through `lock_slow`'s exchanges;
// the kernel keeps the sleepers, and a timed-out waiter swaps once more so
// that a wake meant for it is not lost.
unsafe impl RawLockTimed for RawFutex {
    fn try_lock_until(&self, deadline: Instant) -> bool {
        self.try_lock() || self.lock_slow(LOCKED, Some(deadline))
    }
}

crate::raw_lock::impl_lock_api!(RawFutex);
crate::raw_lock::impl_lock_api_fair!(RawFutex);
crate::raw_lock::impl_lock_api_timed!(RawFutex);
crate::raw_lock::lock_api_aliases!(RawFutex, "the tristate futex lock", "lockyard::futex::");
