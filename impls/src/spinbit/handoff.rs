//! The bounded flavor's handoff (`spinbit-bounded`, [`super::Bounded`]):
//! spinbit as Go builds it — one spinner, the others asleep on the stack, no
//! wake while a spinner is awake — plus a bound on how long a sleeper waits.
//!
//! **The bound.** Every sleeper stamps its node with the time its lock call
//! first went to sleep. An unlock whose lock word says *sleeping* compares
//! the oldest stamp with the clock; once it is older than the flavor's bound
//! (1 ms), the unlock does not release the lock: it takes the stack lock
//! with `LOCKED` still set, unlinks the bottom of the stack (the oldest
//! sleeper), marks it handed-off and wakes it, and the sleeper returns from
//! `lock` holding the lock. Neither the spinner nor a newcomer can barge in
//! between, since the lock was never free. So a sleeper waits at most the
//! bound, plus the critical sections of the handoffs to older sleepers
//! before it, plus the time the OS takes to run it once woken: on an
//! oversubscribed machine that last term (a scheduler slice) dominates.
//!
//! **The cost.** No walk on the common path: the stack's top node carries a
//! hint, the oldest stamp below it, which a pusher copies from the node it
//! covers. An unlock reads one clock value and that hint (one node line);
//! only when the hint says the bound has passed does it take the stack lock
//! and walk to the bottom, O(sleepers), at most once per bound per lock
//! (each walk either hands off or corrects the hint). The hint can be stale
//! both ways: too old after a tail wake or a handoff took the bottom (a walk
//! finds out and corrects it), too young if a pusher copied it from a node
//! popped and pushed again in between (the next pusher or walk corrects
//! it). Neither breaks mutual exclusion: that is the handoff's `LOCKED`,
//! held throughout. A handoff pays a wake and a context switch per bound
//! instead of none, which is the price of the bound: a lock under constant
//! contention hands off about once per millisecond.
//!
//! **Ordering.** The handed-off waiter reads its flag after taking the
//! semaphore's token; the token's Release/Acquire orders the unlocker's
//! critical section and the flag before the waiter's return. The stack lock
//! is taken with Acquire (the pushers' links) and dropped with Release (the
//! unlinking), as in `unlock_wake`.

use super::timeout::STACK;
use super::{Flavor, LOCKED, M_MASK, RawSpinbit, SLEEPING, STACK_LOCKED, stack_head};
use crate::os::now_us;
use crate::primitive::Ordering;
use crate::stats::{Event, record};
use crate::waiter::Waiter;
use crate::{RawLock, RawLockFair};

/// The node at a non-zero stack head or link.
///
/// # Safety
///
/// `addr` must be a stack head or link of a spinbit lock word: non-zero,
/// packed from `Waiter::addr`.
unsafe fn node(addr: usize) -> &'static Waiter {
    // SAFETY: the caller's promise is `from_addr`'s.
    unsafe { Waiter::from_addr(addr) }
}

/// Of two clock stamps, the one further in the past as seen `now`.
fn older(now: usize, a: usize, b: usize) -> usize {
    if now.wrapping_sub(a) >= now.wrapping_sub(b) {
        a
    } else {
        b
    }
}

// SAFETY: the handoff keeps LOCKED set while it unlinks the oldest sleeper
// and wakes it holding the lock; otherwise the unlock is an ordinary one.
unsafe impl<F: Flavor> RawLockFair for RawSpinbit<F> {
    /// Hands the lock to the oldest sleeper on the stack, whatever its age.
    unsafe fn unlock_fair(&self) {
        // Relaxed: a peek; the stack-lock compare-exchange acquires.
        let v = self.key.load(Ordering::Relaxed);
        if v & LOCKED != 0 && stack_head(v) != 0 && self.hand_off_slow(v, now_us(), 0, true) {
            return;
        }
        // SAFETY: the caller holds the lock (or misuses it, which the
        // ordinary unlock reports).
        unsafe { <Self as RawLock>::unlock(self) }
    }
}

impl<F: Flavor> RawSpinbit<F> {
    /// Before a push: stamps `me` with the start of this lock call's wait
    /// (once per call, so a sleeper woken to compete and sent back to sleep
    /// keeps its age) and with the stack's oldest stamp, from the hint of
    /// the node now on top. Relaxed stores: the push's Release publishes
    /// them with the link.
    pub(super) fn stamp(&self, me: &'static Waiter, stamped: &mut bool) {
        let now = now_us();
        if !*stamped {
            me.wait_start.store(now, Ordering::Relaxed);
            *stamped = true;
        }
        let mine = me.wait_start.load(Ordering::Relaxed);
        // Acquire: the top node's hint was published by its push (Release).
        let v = self.key.load(Ordering::Acquire);
        let oldest = match stack_head(v) {
            0 => mine,
            // SAFETY: a non-zero head of our lock's word. Relaxed: a hint.
            head => older(
                now,
                mine,
                unsafe { node(head) }.oldest.load(Ordering::Relaxed),
            ),
        };
        me.oldest.store(oldest, Ordering::Relaxed);
    }

    /// The unlock of the bounded flavor once it has seen `SLEEPING`: if the
    /// oldest sleeper has waited past the bound, hands it the lock (and
    /// returns `true`: the caller's unlock is done); otherwise leaves the
    /// lock to the ordinary unlock. Out of line, so that the uncontended
    /// unlock stays as short as spinbit's.
    #[inline(never)]
    pub(super) fn hand_off(&self) -> bool {
        let Some(bound) = F::HANDOFF_AFTER_US else {
            return false;
        };
        // Acquire: the top node's hint was published by its push (Release).
        let v = self.key.load(Ordering::Acquire);
        if v & (LOCKED | SLEEPING) != LOCKED | SLEEPING
            || v & STACK_LOCKED != 0
            || stack_head(v) == 0
        {
            return false;
        }
        let now = now_us();
        // SAFETY: a non-zero head of our lock's word. Relaxed: a hint.
        let hint = unsafe { node(stack_head(v)) }
            .oldest
            .load(Ordering::Relaxed);
        if now.wrapping_sub(hint) < bound || F::skip_handoff() {
            return false;
        }
        self.hand_off_slow(v, now, bound, false)
    }

    /// Hands the lock to the bottom of the stack if it has waited `bound`
    /// microseconds by `now`. An unlocker still popping holds the stack
    /// lock: a `patient` caller (the fair unlock) waits for it, the bounded
    /// unlock leaves the handoff to the next unlock.
    #[cold]
    fn hand_off_slow(&self, v: usize, now: usize, bound: usize, patient: bool) -> bool {
        // Take the stack lock with LOCKED still set: the lock stays held.
        // Give up if the stack emptied, or (unless patient) if another
        // unlock's pop is under way: the next unlock looks again.
        let stop = |v: usize| stack_head(v) == 0 || (v & STACK_LOCKED != 0 && !patient);
        let Some(mut v) = STACK.lock_stack(&self.key, v, stop) else {
            return false;
        };

        // We own the links now. Walk to the bottom.
        // SAFETY: the head is non-zero (checked) and only we pop.
        let top = unsafe { node(stack_head(v)) };
        let (mut above, mut bottom) = (None, top);
        loop {
            // Relaxed: the Acquire above published the links.
            let below = bottom.next.load(Ordering::Relaxed);
            if below == 0 {
                break;
            }
            above = Some(bottom);
            // SAFETY: a non-zero link, written by a pusher from `addr`.
            bottom = unsafe { node(below) };
        }
        let due = now.wrapping_sub(bottom.wait_start.load(Ordering::Relaxed)) >= bound;
        // The stack's oldest stamp after this unlock, for the top's hint.
        let oldest = match (due, above) {
            (false, _) => bottom.wait_start.load(Ordering::Relaxed),
            (true, Some(new_bottom)) => new_bottom.wait_start.load(Ordering::Relaxed),
            (true, None) => now,
        };
        top.oldest.store(oldest, Ordering::Relaxed);
        // Whether the bottom is off the stack (or stays, when not due).
        let mut detached = !due;
        if let (true, Some(new_bottom)) = (due, above) {
            new_bottom.next.store(0, Ordering::Relaxed);
            bottom.pass_blame_to(new_bottom);
            detached = true;
        }
        if due {
            bottom.mark_handoff();
        }

        loop {
            // Drop the stack lock; LOCKED and the other flags stay.
            let mut next = v & !STACK_LOCKED;
            if !detached {
                if stack_head(v) == bottom.addr() {
                    // The bottom was the only sleeper and nobody pushed since.
                    next &= M_MASK;
                } else {
                    // Pushers came on top of it: unlink it from the node
                    // right above, found from the new head.
                    // SAFETY: the head is non-zero (it is not the bottom).
                    let mut n = unsafe { node(stack_head(v)) };
                    loop {
                        // Relaxed: our Acquire (or the failed exchange's)
                        // published these pushers' links.
                        let below = n.next.load(Ordering::Relaxed);
                        if below == bottom.addr() {
                            break;
                        }
                        // SAFETY: a link above the bottom is non-zero.
                        n = unsafe { node(below) };
                    }
                    n.next.store(0, Ordering::Relaxed);
                    detached = true;
                }
            }
            // Release: drops the stack lock and publishes the unlinking.
            // Acquire on failure: a new head's link must be visible.
            match self
                .key
                .compare_exchange_weak(v, next, Ordering::Release, Ordering::Acquire)
            {
                Ok(_) => break,
                Err(seen) => v = seen,
            }
        }
        if due {
            record(Event::Handoff);
            bottom.sema.wake();
        }
        due
    }
}
