//! Timed locking (lock_api's `RawMutexTimed`): a spinner whose time is up
//! gives up its permission; a sleeper leaves the stack as `wait_stack`
//! says, under `STACK_LOCKED`.

use super::{Flavor, LOCKED, M_MASK, RawSpinbit, SLEEPING, STACK_LOCKED, stack_head};
use crate::primitive::Ordering;
use crate::wait_stack::Word;
use crate::waiter::Waiter;
use crate::{RawLock, RawLockTimed};
use std::time::Instant;

/// spinbit's word as the stack code shared with sema sees it.
pub(super) const STACK: Word = Word {
    flags: M_MASK,
    stack_lock: STACK_LOCKED,
};

// SAFETY: a timed lock takes the lock only through `lock_slow`'s exchanges;
// a spinner gives up SPINNING and a sleeper leaves the stack or takes the
// wake it is owed (`timed_out`).
unsafe impl<F: Flavor> RawLockTimed for RawSpinbit<F> {
    fn try_lock_until(&self, deadline: Instant) -> bool {
        self.try_lock() || self.lock_slow(Some(deadline))
    }
}

impl<F: Flavor> RawSpinbit<F> {
    /// After `me`'s timed sleep ran out: see [`Word::timed_out`].
    pub(super) fn timed_out(&self, me: &'static Waiter) -> bool {
        if F::skip_leave() {
            // The mutation: our node stays on the stack for a pop to find.
            return false;
        }
        let woken = STACK.timed_out(&self.key, me);
        self.owe_no_wake();
        woken
    }

    /// After a leave, which held the stack lock: an unlock in that window
    /// skipped its wake, trusting the stack lock's holder to make the same
    /// decision (`unlock_wake`), and a leaver makes none. So the leaver
    /// makes it now: with sleepers left, it sets SLEEPING while the lock is
    /// held, so that the holder's unlock wakes one, or, the lock being
    /// free, wakes one itself as that unlock would have. Without this an
    /// untimed sleeper below a leaver could sleep for good (the loom model
    /// `spinbit_leave_against_unlock` found it). At worst a wake too many,
    /// which a woken waiter absorbs by competing again.
    fn owe_no_wake(&self) {
        // Relaxed: the exchange below and `unlock_wake` do their own ordering.
        let mut v = self.key.load(Ordering::Relaxed);
        loop {
            if stack_head(v) == 0 || v & (LOCKED | SLEEPING) == LOCKED | SLEEPING {
                // Nobody is left to strand, or the holder's unlock wakes.
                return;
            }
            if v & LOCKED == 0 {
                self.unlock_wake();
                return;
            }
            // Relaxed: a hint for the holder's unlock, whose read-modify-
            // write on the word sees it (as `set_flags_or`).
            match self.key.compare_exchange_weak(
                v,
                v | SLEEPING,
                Ordering::Relaxed,
                Ordering::Relaxed,
            ) {
                Ok(_) => return,
                Err(now) => v = now,
            }
        }
    }
}
