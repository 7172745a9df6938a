//! `spinbit`: the Go runtime's mutex since Go 1.24 (`runtime/lock_spinbit.go`:
//! `lock2`, `unlock2`, `unlock2Wake`, `mutexWaitListHead`,
//! `mutexPreferLowLatency`), in its latest upstream form.
//!
//! The state word, pointer-sized:
//!
//! | bits   | name           | Go constant        | written by                                 |
//! |--------|----------------|--------------------|--------------------------------------------|
//! | 0      | `LOCKED`       | `mutexLocked`      | lockers (set), the holder (clear)          |
//! | 1      | `SLEEPING`     | `mutexSleeping`    | a hint that the stack below may be non-empty |
//! | 2..8   | unused         |                    | nobody; the flag byte ends here            |
//! | 8      | `SPINNING`     | `mutexSpinning`    | the one waiter allowed to spin             |
//! | 9      | `STACK_LOCKED` | `mutexStackLocked` | the one unlocker allowed to pop            |
//! | 10..   | stack head     | partial `m` pointer | pushers (a new head), the stack-lock holder (a pop) |
//!
//! Waiters that may not spin push their node onto a LIFO stack through the
//! high bits and sleep on their own semaphore. Nodes are 1024-byte aligned
//! (see `waiter`), so the ten flag bits hide nothing of the address: on 64-
//! and 32-bit targets alike the head is the word with the flags masked off
//! (Go needs an offset and an `m0` special case; aligned nodes need neither).
//!
//! At most one waiter spins at a time (`SPINNING`); the rest sleep at once.
//! An unlock that finds a spinner wakes nobody, except that one unlock in
//! [`TAIL_WAKE_PERIOD`] (at random) wakes the bottom of the stack, which then
//! may spin too; otherwise the oldest sleeper could starve.
//!
//! The fast paths are 8-bit swaps of the flag byte (Go's `Xchg8`), or, on the
//! word path, `fetch_or` / `fetch_and` of the same bits on the whole word: with
//! bits 2..8 unused the two are equivalent. See [`Flavor::XCHG8`].
//!
//! [`RawSpinbit`] is the lock as Go builds it for the target; its other
//! flavors pin one choice for comparison, and all of them are locks in their
//! own right:
//!
//! ```
//! use lockyard::lock_api;
//! use lockyard::spinbit::{Flavor, RawSpinbitLowLatency, RawSpinbitWord, Standard};
//!
//! // The standard flavor's fast path follows the `spinbitxchg8` experiment.
//! assert_eq!(Standard::XCHG8, lockyard::SPINBIT_XCHG8);
//! // The word path works on every target; the low-latency flavor lets every
//! // waiter spin and every unlock wake (Go's `mutexPreferLowLatency`).
//! static WORD: lock_api::Mutex<RawSpinbitWord, u32> = lock_api::Mutex::new(0);
//! let eager: lock_api::Mutex<RawSpinbitLowLatency, u8> = lock_api::Mutex::new(7);
//! *WORD.lock() += 1;
//! assert_eq!((*WORD.lock(), *eager.lock()), (1, 7));
//! ```
//!
//! Memory ordering: Acquire on every operation that can take the lock, Release
//! on every one that gives it back or publishes a pushed node's link, Acquire
//! on taking the stack lock (so the links pushers wrote are visible) and
//! Release on dropping it (so a tail removal is visible to the next popper).
//! `SPINNING` is a permission, not a lock around data: Relaxed.

use crate::RawLock;
use crate::blame::{self, Stamp};
use crate::misuse::unlocked_unlock;
use crate::os::{Deadline, multiprocessor};
use crate::primitive::{AtomicUsize, Ordering, const_fn_unless_loom, passive_spin, procyield};
use crate::stats::{Event, record};

/// The spin tuning every backend shares, under this backend's name too.
pub use crate::primitive::{ACTIVE_SPIN, ACTIVE_SPIN_CNT, PASSIVE_SPIN};
use crate::waiter::{WAITER_ALIGN, Waiter};
use crate::waiter_pool::with_current;
use core::marker::PhantomData;
use std::time::Instant;

mod flags;
mod flavor;
mod handoff;
#[cfg(all(test, not(lockyard_loom)))]
mod tests;
mod timeout;
mod wake;

#[cfg(lockyard_byte_path)]
pub use flavor::Xchg8Path;
pub use flavor::{Bounded, Flavor, HANDOFF_AFTER, LowLatency, Standard, WordPath};

/// Held.
pub const LOCKED: usize = 0x001;
/// A hint that the stack may hold sleepers: unlock takes its slow path.
pub const SLEEPING: usize = 0x002;
/// A waiter holds the permission to spin.
pub const SPINNING: usize = 0x100;
/// An unlocker holds the permission to pop.
pub const STACK_LOCKED: usize = 0x200;
/// Every flag bit; the rest of the word is the stack head.
pub const M_MASK: usize = 0x3FF;
/// The bits the fast paths own (the flag byte).
const FLAG_BYTE: usize = LOCKED | SLEEPING;

const _: () = assert!(
    WAITER_ALIGN > M_MASK,
    "waiter nodes must leave the flag bits free"
);

/// One unlock in this many, on average, wakes the bottom of the stack (Go's
/// `mutexTailWakePeriod`).
pub const TAIL_WAKE_PERIOD: u32 = 16;

/// The stack head encoded in a state word: a node address, or 0 for none.
#[inline]
pub const fn stack_head(v: usize) -> usize {
    v & !M_MASK
}

/// `v` with `node` as its stack head, flags kept.
///
/// # Panics
///
/// In debug builds, if `node` has flag bits set (is not a node address).
#[inline]
pub const fn with_stack_head(v: usize, node: usize) -> usize {
    debug_assert!(node & M_MASK == 0);
    node | (v & M_MASK)
}

/// The spinbit lock.
pub struct RawSpinbit<F: Flavor = Standard> {
    key: AtomicUsize,
    flavor: PhantomData<fn() -> F>,
}

/// spinbit on the word path.
pub type RawSpinbitWord = RawSpinbit<WordPath>;
/// spinbit on the byte path.
#[cfg(lockyard_byte_path)]
pub type RawSpinbitXchg8 = RawSpinbit<Xchg8Path>;
/// spinbit's low-latency variant.
pub type RawSpinbitLowLatency = RawSpinbit<LowLatency>;
/// spinbit with a bounded wait (see `spinbit/handoff.rs`).
pub type RawSpinbitBounded = RawSpinbit<Bounded>;

impl<F: Flavor> RawSpinbit<F> {
    const_fn_unless_loom! {
        /// An unlocked lock.
        pub fn new() -> Self {
            RawSpinbit { key: AtomicUsize::new(0), flavor: PhantomData }
        }
    }

    /// How many waiters sleep on the stack: a diagnostic (watchdog reports,
    /// models). Exact while the caller holds the lock and no earlier unlock
    /// is still popping; otherwise a snapshot that may be off by the pops and
    /// pushes racing with the walk. Always memory-safe: nodes are never freed.
    pub fn sleepers(&self) -> usize {
        // Acquire: the links of the nodes pushed so far become visible.
        let mut node = stack_head(self.key.load(Ordering::Acquire));
        let mut count = 0;
        while node != 0 {
            count += 1;
            // SAFETY: a non-zero head or link is a node address packed from
            // `Waiter::addr`, and nodes live forever.
            // Relaxed: the Acquire load of the head published the links.
            node = unsafe { Waiter::from_addr(node) }
                .next
                .load(Ordering::Relaxed);
        }
        count
    }

    /// Waits for the lock until `deadline` (`None`: for good); returns
    /// whether it got the lock. Past the deadline a spinner gives up its
    /// permission and a sleeper takes itself off the stack (`timeout.rs`).
    #[cold]
    fn lock_slow(&self, deadline: Option<Instant>) -> bool {
        blame::timed_wait(|| self.wait(deadline))
    }

    /// `lock_slow`'s loop.
    fn wait(&self, deadline: Option<Instant>) -> bool {
        with_current(|me| {
            let spin = if multiprocessor() { F::ACTIVE_SPIN } else { 0 };
            let mut we_spin = false;
            let mut at_tail = false;
            let mut woken = false;
            // Whether this call's wait start is on our node (bounded flavor).
            let mut stamped = false;
            let mut profile_stamp = Stamp::begin();
            // Relaxed peeks throughout: only the read-modify-writes acquire.
            let mut v = self.key.load(Ordering::Relaxed);
            let mut i = 0;
            loop {
                if v & LOCKED == 0 {
                    if we_spin {
                        // Take the lock and retire as spinner in one step. The
                        // fast path's byte swap may have cleared SLEEPING over
                        // a non-empty stack: set it again, so the unlock wakes.
                        let mut next = (v & !SPINNING) | SLEEPING | LOCKED;
                        if stack_head(next) == 0 {
                            next &= !SLEEPING;
                        }
                        // Acquire: taking the lock.
                        if self
                            .key
                            .compare_exchange_weak(v, next, F::TAKE, Ordering::Relaxed)
                            .is_ok()
                        {
                            return true;
                        }
                    } else if self.set_flags(LOCKED | SLEEPING, F::TAKE) & LOCKED == 0 {
                        // Acquire: taking the lock. SLEEPING goes with it because
                        // we cannot tell whether others still sleep.
                        return true;
                    }
                    v = self.key.load(Ordering::Relaxed);
                    i += 1;
                    continue;
                }

                if !we_spin
                    && v & SPINNING == 0
                    // Relaxed: SPINNING grants permission, it guards no data.
                    // Strong, as in Go: no loop retries this claim, and a
                    // spurious failure would send a would-be spinner to sleep.
                    && self
                        .key
                        .compare_exchange(v, v | SPINNING, Ordering::Relaxed, Ordering::Relaxed)
                        .is_ok()
                {
                    v |= SPINNING;
                    we_spin = true;
                }

                if we_spin || at_tail || F::LOW_LATENCY {
                    if i < spin {
                        record(Event::Spin);
                        procyield(ACTIVE_SPIN_CNT);
                        v = self.key.load(Ordering::Relaxed);
                        i += 1;
                        continue;
                    } else if i < spin + PASSIVE_SPIN {
                        // Go questions this yield (golang/go#69268); see passive_spin.
                        record(Event::Spin);
                        passive_spin(woken);
                        v = self.key.load(Ordering::Relaxed);
                        i += 1;
                        continue;
                    }
                }

                // Go to sleep on top of the stack, unless the time is up.
                if v & LOCKED == 0 {
                    panic!("lock: sleeping while lock is available");
                }
                let Some(left) = Deadline::until(deadline).timeout() else {
                    if we_spin {
                        // Relaxed: SPINNING guards no data.
                        self.key.fetch_and(!SPINNING, Ordering::Relaxed);
                    }
                    // One last grab before giving up. A waiter woken to
                    // compete stands for the sleepers below it (the unlock
                    // that woke it cleared SLEEPING): it may not just leave.
                    // Taking the lock, or leaving SLEEPING on the holder's
                    // word so its unlock wakes one, keeps that promise.
                    // Acquire: this may take the lock.
                    return self.set_flags(LOCKED | SLEEPING, F::TAKE) & LOCKED == 0;
                };
                if F::HANDOFF_AFTER_US.is_some() {
                    self.stamp(me, &mut stamped);
                }
                profile_stamp.once(me);
                // Relaxed: published by the Release push.
                me.next.store(stack_head(v), Ordering::Relaxed);
                let mut next = with_stack_head(v, me.addr()) | SLEEPING;
                if we_spin {
                    next &= !SPINNING;
                }
                // Release: the popper that reads our link must see it.
                if self
                    .key
                    .compare_exchange_weak(v, next, Ordering::Release, Ordering::Relaxed)
                    .is_ok()
                {
                    we_spin = false;
                    record(Event::Sleep);
                    if !me.sema.sleep(left) && !self.timed_out(me) {
                        return false;
                    }
                    if me.take_handoff() {
                        return true;
                    }
                    woken = true;
                    // Relaxed: the semaphore's Acquire ordered the popper's
                    // writes before this read. A node woken with nothing below
                    // it was the oldest sleeper: let it spin next time.
                    at_tail = me.next.load(Ordering::Relaxed) == 0;
                    i = 0;
                }
                me.next.store(0, Ordering::Relaxed);
                v = self.key.load(Ordering::Relaxed);
                i += 1;
            }
        })
    }
    /// The unlock proper, once the profile has taken its charge.
    ///
    /// # Safety
    ///
    /// As [`RawLock::unlock`]: the caller holds the lock.
    #[inline]
    unsafe fn release(&self) {
        if F::HANDOFF_AFTER_US.is_some() {
            // Release, as below. One compare-exchange, no load before it: a
            // load ahead of the read-modify-write costs the uncontended
            // unlock a third of its time.
            match self.release_if_alone(F::GIVE) {
                Ok(()) => return,
                Err(flags) if flags & SLEEPING != 0 && self.hand_off() => return,
                // Sleepers but no handoff due, or a misuse: the usual way.
                Err(_) => {}
            }
        }
        // Release: hand the critical section's writes over.
        let prev = self.clear_flags(F::GIVE);
        if prev & LOCKED == 0 {
            // The flag byte is all zero whenever LOCKED is clear, so the
            // clear wrote nothing new: the misuse leaves the word intact.
            unlocked_unlock();
        }
        if prev & SLEEPING != 0 && !F::skip_wake() {
            self.unlock_wake();
        }
    }
}

impl<F: Flavor> Default for RawSpinbit<F> {
    fn default() -> Self {
        Self::new()
    }
}

// SAFETY: LOCKED is set only by an Acquire read-modify-write that found it
// clear (the byte swap, fetch_or or compare-exchange all report the previous
// value), and cleared only by the holder with Release.
unsafe impl<F: Flavor> RawLock for RawSpinbit<F> {
    const NAME: &'static str = F::NAME;
    #[cfg(not(lockyard_loom))]
    const INIT: Self = Self::new();

    fn new() -> Self {
        RawSpinbit::new()
    }

    #[inline]
    fn lock(&self) {
        // Acquire: taking the lock.
        let prev = self.set_flags(LOCKED, F::TAKE);
        if prev & LOCKED == 0 {
            if F::XCHG8 && prev & SLEEPING != 0 {
                // The byte swap cleared the hint; put it back so our unlock
                // still wakes. Relaxed: we hold the lock, this orders nothing.
                self.set_flags_or(SLEEPING);
            }
            return;
        }
        self.lock_slow(None);
    }

    #[inline]
    fn try_lock(&self) -> bool {
        // A compare-exchange, not the fast path's swap: a failed swap would
        // clear SLEEPING and leave nobody owing the wake.
        let mut v = self.key.load(Ordering::Relaxed);
        while v & LOCKED == 0 {
            // Acquire: taking the lock.
            match self
                .key
                .compare_exchange_weak(v, v | LOCKED, F::TAKE, Ordering::Relaxed)
            {
                Ok(_) => return true,
                Err(now) => v = now,
            }
        }
        false
    }

    #[inline]
    unsafe fn unlock(&self) {
        // The profile's charge, taken while we still hold the lock.
        let blame = blame::on_stack(timeout::STACK, &self.key, SLEEPING);
        // SAFETY: the caller holds the lock, as `unlock` requires.
        unsafe { self.release() };
        blame::charge(blame);
    }

    #[inline]
    fn is_locked(&self) -> bool {
        self.key.load(Ordering::Relaxed) & LOCKED != 0
    }

    #[inline]
    fn is_contended(&self) -> bool {
        stack_head(self.key.load(Ordering::Relaxed)) != 0
    }

    fn state_word(&self) -> Option<usize> {
        // Relaxed: a diagnostic snapshot.
        Some(self.key.load(Ordering::Relaxed))
    }
}

// lock_api's raw traits for every flavor, the harness's own included.
crate::raw_lock::impl_lock_api!(@<F: Flavor> RawSpinbit<F>);
crate::raw_lock::impl_lock_api_fair!(@<F: Flavor> RawSpinbit<F>);
crate::raw_lock::impl_lock_api_timed!(@<F: Flavor> RawSpinbit<F>);

crate::raw_lock::lock_api_aliases!(RawSpinbit, "the spinbit lock", "lockyard::spinbit::");

/// A mutex on spinbit with a bounded wait ([`RawSpinbitBounded`]): once
/// the oldest sleeper has waited [`HANDOFF_AFTER`], an unlock hands the lock
/// straight to it (see `spinbit/handoff.rs`).
///
/// ```
/// use lockyard::spinbit::BoundedMutex;
///
/// let log = BoundedMutex::new(Vec::new());
/// std::thread::scope(|s| {
///     for t in 0..3 {
///         let log = &log;
///         s.spawn(move || {
///             for i in 0..100 {
///                 log.lock().push((t, i));
///             }
///         });
///     }
/// });
/// assert_eq!(log.lock().len(), 300);
/// ```
#[cfg(not(lockyard_loom))]
pub type BoundedMutex<T> = lock_api::Mutex<RawSpinbitBounded, T>;
/// The guard of [`BoundedMutex`].
#[cfg(not(lockyard_loom))]
pub type BoundedMutexGuard<'a, T> = lock_api::MutexGuard<'a, RawSpinbitBounded, T>;
