//! Timed locking (lock_api's `RawMutexTimed`): a spinner whose time is up
//! gives up its permission; a sleeper leaves the stack as `wait_stack`
//! says, under `STACK_LOCKED`.

use super::{Flavor, M_MASK, RawSpinbit, STACK_LOCKED};
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
        STACK.timed_out(&self.key, me)
    }
}
