//! The futex lock's fair unlock (lock_api's `RawMutexFair`), beyond Go.
//!
//! The kernel keeps futex's sleepers, so an unlock cannot name the one it
//! hands the lock to. Instead it leaves the word HANDOFF, held on behalf of
//! whichever waiter that has slept looks at it first, and wakes one. The
//! rules that make that sound:
//!
//! * `unlock_fair` hands off only while some thread counts as a sleeper
//!   (`sleepers`, raised before the swap that writes SLEEPING ahead of a
//!   thread's first wait; that swap releases the count and the unlock reads
//!   the word with Acquire before the count, so a holder that sees SLEEPING
//!   sees the count — with Relaxed on both, Miri's weak-memory emulation
//!   showed a holder a stale zero and a plain unlock; and
//!   lowered only once it takes the lock or gives up, through early and
//!   spurious wakes): that thread swaps again after its wait, so somebody
//!   will find the HANDOFF, and while it has not yet, nobody else claims it.
//!   Otherwise it is an ordinary unlock.
//! * A thread whose swap finds HANDOFF claims it if it has slept in this
//!   call (it is a waiter the handoff was for) or if nobody else counts as a
//!   sleeper (nobody else could). Its swap already wrote SLEEPING or LOCKED,
//!   so the word says held; a claim leaves SLEEPING, as others may sleep.
//! * Any other thread (a newcomer, the unlocker locking again) puts HANDOFF
//!   back and wakes one more sleeper: the waiter the first wake was meant
//!   for may have looked while the word did not say HANDOFF and gone back to
//!   sleep. Between its swap and its put-back the word says held, so nobody
//!   can claim or take the lock in between, and nothing it overwrites is an
//!   owner's. It then waits for the claim awake and by loads only
//!   (`await_claim`): never asleep, since a thread that slept may claim and
//!   it must not become one by waiting out somebody else's handoff; never
//!   swapping, since each swap hides the handoff for a moment, and a waiter
//!   that looks then goes back to sleep (loom found the livelock of a
//!   put-back thread that kept swapping). So every thread in the kernel is
//!   one a handoff may go to, each wake reaches one, and each newcomer hides
//!   the handoff once at most. If nobody else is left counted (the waiter
//!   it was for gave up before it was made), the awake thread claims it.
//!
//! Orderings: the unlocker releases its critical section with the exchange
//! that writes HANDOFF (Release); a claimer's swap acquires it; a put-back
//! (AcqRel) passes it on from the swap that took it to the one that claims.

use super::{HANDOFF, LOCKED, RawFutex, SLEEPING};
use crate::os::{self, Deadline};
use crate::primitive::{Ordering, yield_now};
use crate::stats::{Event, record};
use crate::{RawLock, RawLockFair};
use std::time::Instant;

// SAFETY: the HANDOFF word stays held until exactly one waiter claims it
// (the rules above), or the unlock is an ordinary one.
unsafe impl RawLockFair for RawFutex {
    unsafe fn unlock_fair(&self) {
        // Acquire: a SLEEPING written by a waiter's swap (Release) carries
        // its count, so the count read next is not stale for that waiter.
        if self.key.load(Ordering::Acquire) == SLEEPING
            // Relaxed: ordered by the load above.
            && self.sleepers.load(Ordering::Relaxed) > 0
            // Release: the critical section goes to the claimer.
            && self
                .key
                .compare_exchange(SLEEPING, HANDOFF, Ordering::Release, Ordering::Relaxed)
                .is_ok()
        {
            record(Event::Handoff);
            os::wake_one(&self.key);
            return;
        }
        // SAFETY: the caller holds the lock (or misuses it, which the
        // ordinary unlock reports).
        unsafe { self.unlock() }
    }
}

/// How [`RawFutex::await_claim`] ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Claim {
    /// A sleeper claimed the handoff; the caller competes again.
    Made,
    /// Nobody else was left to claim it: this thread did, and holds the lock.
    Ours,
    /// The caller's deadline passed first.
    TimedOut,
}

impl RawFutex {
    /// After this thread put a handoff back: waits awake, looking but never
    /// swapping, until the word stops saying HANDOFF, claiming it itself
    /// once no other thread counts as a sleeper (`counted`: this thread is
    /// in `sleepers`).
    pub(super) fn await_claim(&self, counted: bool, deadline: Option<Instant>) -> Claim {
        // Relaxed peek: a claim made by another is its swap's business; ours
        // acquires below.
        while self.key.load(Ordering::Relaxed) == HANDOFF {
            // Relaxed: a tally; a stale count only delays our claim.
            if self.sleepers.load(Ordering::Relaxed) == u32::from(counted)
                // Acquire: the unlocker's critical section, released by its
                // exchange to HANDOFF (and passed on by put-backs).
                && self
                    .key
                    .compare_exchange(HANDOFF, SLEEPING, Ordering::Acquire, Ordering::Relaxed)
                    .is_ok()
            {
                return Claim::Ours;
            }
            if Deadline::until(deadline).timeout().is_none() {
                return Claim::TimedOut;
            }
            yield_now();
        }
        Claim::Made
    }

    /// A swap by this thread found HANDOFF (and wrote SLEEPING or LOCKED
    /// over it): claims the lock if the rules let it (`slept`: this thread
    /// slept in this lock call; `counted`: it is in `sleepers` itself),
    /// returning `true`; otherwise puts HANDOFF back, wakes a sleeper to
    /// claim it, and returns `false`.
    pub(super) fn handoff_seen(&self, slept: bool, counted: bool) -> bool {
        // Relaxed: a tally; a sleeper counted after this read swaps after
        // our claim and finds the word held.
        let others = self.sleepers.load(Ordering::Relaxed) - u32::from(counted);
        if slept || others == 0 {
            return true;
        }
        // AcqRel: passes the unlocker's critical section (acquired by our
        // swap) on to the claimer's swap.
        let overwritten = self.key.swap(HANDOFF, Ordering::AcqRel);
        debug_assert!(
            overwritten == LOCKED || overwritten == SLEEPING,
            "a handoff put back over {overwritten}"
        );
        os::wake_one(&self.key);
        false
    }
}
