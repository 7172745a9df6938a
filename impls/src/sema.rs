//! `sema`: the tristate semaphore lock Go's runtime used on darwin, Windows,
//! Solaris and the other non-futex systems before spinbit
//! (`runtime/lock_sema_tristate.go`: `lock2`, `unlock2`).
//!
//! The state word, pointer-sized:
//!
//! | bits      | name     | Go constant | meaning                                      |
//! |-----------|----------|-------------|----------------------------------------------|
//! | 0         | `LOCKED` | `locked`    | held                                         |
//! | 1 and up  | head     | `m` pointer | address of the most recently queued waiter   |
//!
//! Waiters push their node with a compare-exchange (LIFO) and sleep on their
//! own semaphore. Only the holder pops: `unlock` takes the head off the stack
//! and clears `LOCKED` in one compare-exchange, then wakes the popped waiter,
//! which competes for the lock again like any newcomer. Nodes are 1024-byte
//! aligned (see `waiter`), so bit 0 of an address is always free.
//!
//! Every thread that sleeps on a `sema` lock parks on its own semaphore, the
//! per-thread [`Semaphore`](crate::Semaphore) of a waiter node that lockyard
//! keeps and reuses (nodes are never freed, and never allocated on a lock
//! path: they come from chunks the OS maps).
//!
//! ```
//! use lockyard::sema::Mutex;
//!
//! // Go's use: a short critical section around shared runtime state.
//! let free_list = Mutex::new(vec![3, 2, 1]);
//! std::thread::scope(|s| {
//!     for _ in 0..3 {
//!         s.spawn(|| {
//!             let item = free_list.lock().pop();
//!             assert!(item.is_some());
//!         });
//!     }
//! });
//! assert!(free_list.lock().is_empty());
//! ```
//!
//! Memory ordering: Acquire to take the lock, Release to give it back or to
//! publish a pushed node's link; the load that precedes a pop is Acquire so the
//! head's link, written by its pusher, is visible.

use crate::blame::{self, Stamp};
use crate::misuse::unlocked_unlock;
use crate::os::multiprocessor;
use crate::primitive::{AtomicUsize, Ordering, const_fn_unless_loom, passive_spin, procyield};
use crate::stats::{Event, record};
use crate::{RawLock, RawLockFair, RawLockTimed};

use crate::os::Deadline;
/// The spin tuning every backend shares, under this backend's name too.
pub use crate::primitive::{ACTIVE_SPIN, ACTIVE_SPIN_CNT, PASSIVE_SPIN};
use crate::wait_stack::Word;
use crate::waiter::Waiter;
use crate::waiter_pool::with_current;
use std::time::Instant;

const LOCKED: usize = 1; // held
/// Granted to whoever removes nodes from the stack: the holder popping, or a
/// sleeper whose timeout passed leaving it (`wait_stack`). Not in Go, whose
/// runtime locks have no timeout; the pop takes it with one more
/// compare-exchange on the contended unlock, so that a sleeper can unlink
/// itself from under the head without a popper reading a stale link.
const STACK_LOCKED: usize = 2;
/// The flag bits; the rest of the word is the stack head (nodes are 1024-byte
/// aligned).
const FLAGS: usize = LOCKED | STACK_LOCKED;
/// sema's word as the stack code shared with spinbit sees it.
const STACK: Word = Word {
    flags: FLAGS,
    stack_lock: STACK_LOCKED,
};

/// The tristate semaphore lock.
pub struct RawSema {
    key: AtomicUsize,
}

impl RawSema {
    const_fn_unless_loom! {
        /// An unlocked lock.
        pub fn new() -> Self {
            RawSema { key: AtomicUsize::new(0) }
        }
    }

    /// Waits for the lock until `deadline` (`None`: for good); returns
    /// whether it got it.
    #[cold]
    fn lock_slow(&self, deadline: Option<Instant>) -> bool {
        blame::timed_wait(|| self.wait(deadline))
    }

    /// `lock_slow`'s loop.
    fn wait(&self, deadline: Option<Instant>) -> bool {
        with_current(|me| {
            let spin = if multiprocessor() { ACTIVE_SPIN } else { 0 };
            let mut i = 0;
            let mut woken = false;
            let mut profile_stamp = Stamp::begin();
            'acquire: loop {
                // Relaxed peek: the compare-exchange below is what acquires.
                let mut v = self.key.load(Ordering::Relaxed);
                if v & LOCKED == 0 {
                    // Acquire: taking the lock.
                    if self
                        .key
                        .compare_exchange_weak(v, v | LOCKED, Ordering::Acquire, Ordering::Relaxed)
                        .is_ok()
                    {
                        return true;
                    }
                    i = 0;
                }
                if i < spin {
                    record(Event::Spin);
                    procyield(ACTIVE_SPIN_CNT);
                } else if i < spin + PASSIVE_SPIN {
                    record(Event::Spin);
                    passive_spin(woken);
                } else {
                    let Some(left) = Deadline::until(deadline).timeout() else {
                        // One last grab before giving up: a waiter woken to
                        // compete (its unlocker let the lock go) may not
                        // leave a free lock over sleepers nobody will wake.
                        // Held, the holder's unlock pops the next.
                        return self.try_lock();
                    };
                    // Queue ourselves on top of the stack.
                    profile_stamp.once(me);
                    loop {
                        // Relaxed: published by the Release push below.
                        me.next.store(v & !FLAGS, Ordering::Relaxed);
                        // Release: the pop that reads our link must see it.
                        // The flags stay: a push may come while a pop or a
                        // leave holds the stack lock.
                        match self.key.compare_exchange_weak(
                            v,
                            me.addr() | (v & FLAGS),
                            Ordering::Release,
                            Ordering::Relaxed,
                        ) {
                            Ok(_) => break,
                            Err(now) => v = now,
                        }
                        if v & LOCKED == 0 {
                            i += 1;
                            continue 'acquire;
                        }
                    }
                    record(Event::Sleep);
                    if !me.sema.sleep(left) && !STACK.timed_out(&self.key, me) {
                        return false;
                    }
                    if me.take_handoff() {
                        return true;
                    }
                    woken = true;
                    i = 0;
                }
                i += 1;
            }
        })
    }

    /// The unlock with sleepers (or a misuse): pops the top sleeper under
    /// the stack lock and wakes it, to compete like anyone (`fair`: holding
    /// the lock, which then never comes free).
    #[cold]
    fn unlock_slow(&self, mut v: usize, fair: bool) {
        loop {
            if v & LOCKED == 0 {
                unlocked_unlock();
            }
            if v == LOCKED {
                // Release: hand the critical section's writes over.
                match self.key.compare_exchange_weak(
                    LOCKED,
                    0,
                    Ordering::Release,
                    Ordering::Acquire,
                ) {
                    Ok(_) => return,
                    Err(now) => v = now,
                }
                continue;
            }
            // The stack lock (Acquire: the pushers' links become visible),
            // unless the last sleeper left meanwhile: then the plain unlock.
            match STACK.lock_stack(&self.key, v, |v| v & !FLAGS == 0) {
                Some(locked) => {
                    v = locked;
                    break;
                }
                None => {
                    // A leaver may still hold the stack lock: brief.
                    procyield(1);
                    // Acquire: as above.
                    v = self.key.load(Ordering::Acquire);
                }
            }
        }
        loop {
            // SAFETY: with the stack lock held and no room for a leave, the
            // head is a node pushed by `lock_slow` (non-zero: checked above,
            // and only we pop).
            let head = unsafe { Waiter::from_addr(v & !FLAGS) };
            // Relaxed: the Acquire that read `v` made the pusher's link
            // visible, and only the stack lock's holder rewrites links.
            let rest = head.next.load(Ordering::Relaxed);
            let next = if fair { rest | LOCKED } else { rest };
            // Release: gives up the stack lock (and, unless fair, the lock).
            // Acquire on failure: a newer head's link must be visible.
            match self
                .key
                .compare_exchange_weak(v, next, Ordering::Release, Ordering::Acquire)
            {
                Ok(_) => {
                    if fair {
                        head.mark_handoff();
                        record(Event::Handoff);
                    } else {
                        record(Event::Wake);
                    }
                    head.sema.wake();
                    return;
                }
                // A push: the new head goes first (still LIFO).
                Err(now) => v = now,
            }
        }
    }
}

impl Default for RawSema {
    fn default() -> Self {
        Self::new()
    }
}

// SAFETY: only a compare-exchange that finds LOCKED clear sets it, with
// Acquire; every path that clears it is the holder's, with Release.
unsafe impl RawLock for RawSema {
    const NAME: &'static str = "sema";
    #[cfg(not(lockyard_loom))]
    const INIT: Self = Self::new();

    fn new() -> Self {
        RawSema::new()
    }

    #[inline]
    fn lock(&self) {
        // Acquire: taking the lock.
        if self
            .key
            .compare_exchange_weak(0, LOCKED, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            self.lock_slow(None);
        }
    }

    #[inline]
    fn try_lock(&self) -> bool {
        // Relaxed peek: the compare-exchange is what acquires.
        let mut v = self.key.load(Ordering::Relaxed);
        while v & LOCKED == 0 {
            // Acquire: taking the lock.
            match self.key.compare_exchange_weak(
                v,
                v | LOCKED,
                Ordering::Acquire,
                Ordering::Relaxed,
            ) {
                Ok(_) => return true,
                Err(now) => v = now,
            }
        }
        false
    }

    #[inline]
    unsafe fn unlock(&self) {
        // Release: hand the critical section's writes over. Fails unless the
        // word is exactly LOCKED (no waiters), leaving the rest to the slow
        // path; Acquire on failure lets it read the head's link.
        if let Err(v) =
            self.key
                .compare_exchange_weak(LOCKED, 0, Ordering::Release, Ordering::Acquire)
        {
            // The profile's charge, taken while we still hold the lock (the
            // exchange failed): only here, so the uncontended unlock pays
            // nothing for it. No rearm: sema's unlock waits for the stack
            // lock, it never skips a wake.
            let blame = blame::on_stack(STACK, &self.key, 0);
            self.unlock_slow(v, false);
            blame::charge(blame);
        }
    }

    #[inline]
    fn is_locked(&self) -> bool {
        self.key.load(Ordering::Relaxed) & LOCKED != 0
    }

    #[inline]
    fn is_contended(&self) -> bool {
        self.key.load(Ordering::Relaxed) & !FLAGS != 0
    }

    fn state_word(&self) -> Option<usize> {
        // Relaxed: a diagnostic snapshot.
        Some(self.key.load(Ordering::Relaxed))
    }
}

// SAFETY: a timed lock takes the lock only through `lock_slow`'s exchanges,
// and a sleeper that times out leaves the stack (or takes its wake).
unsafe impl RawLockTimed for RawSema {
    fn try_lock_until(&self, deadline: Instant) -> bool {
        self.try_lock() || self.lock_slow(Some(deadline))
    }
}

// SAFETY: the fair unlock pops the top sleeper and wakes it holding the lock
// (it returns from `lock` with it), or unlocks as `unlock` does.
unsafe impl RawLockFair for RawSema {
    unsafe fn unlock_fair(&self) {
        // Release, Acquire on failure: as `unlock`.
        if let Err(v) =
            self.key
                .compare_exchange_weak(LOCKED, 0, Ordering::Release, Ordering::Acquire)
        {
            self.unlock_slow(v, true);
        }
    }
}

crate::raw_lock::impl_lock_api!(RawSema);
crate::raw_lock::impl_lock_api_fair!(RawSema);
crate::raw_lock::impl_lock_api_timed!(RawSema);
crate::raw_lock::lock_api_aliases!(RawSema, "the tristate semaphore lock", "lockyard::sema::");
