//! Go's `unlock2Wake`: after an unlock that saw `SLEEPING`, pop a sleeper
//! and wake it if the rules call for it. Split from the lock itself because
//! it is the one place that pops (under `STACK_LOCKED`), beside the bounded
//! flavor's handoff, the other.

use super::{Flavor, M_MASK, RawSpinbit, SPINNING, STACK_LOCKED, stack_head};
use crate::primitive::Ordering;
use crate::stats::{Event, record};
use crate::waiter::Waiter;

impl<F: Flavor> RawSpinbit<F> {
    /// Pops and wakes a sleeper if the rules call for it (Go's `unlock2Wake`).
    #[cold]
    pub(super) fn unlock_wake(&self) {
        // Relaxed: the stack-lock compare-exchange below is what acquires.
        let mut v = self.key.load(Ordering::Relaxed);
        let anti_starve = F::tail_wake();
        if !(anti_starve || v & SPINNING == 0 || F::LOW_LATENCY) {
            // A spinner is awake and will take the lock: no wake needed.
            return;
        }
        loop {
            if stack_head(v) == 0 || v & STACK_LOCKED != 0 {
                // Nobody sleeps, or the stack lock's holder will make the very
                // decision we would.
                return;
            }
            // Acquire: the links of every node pushed so far become visible.
            match self.key.compare_exchange_weak(
                v,
                v | STACK_LOCKED,
                Ordering::Acquire,
                Ordering::Relaxed,
            ) {
                Ok(_) => break,
                Err(now) => v = now,
            }
        }

        // We hold the stack lock: pushers may still add on top, but only we
        // remove nodes or rewrite their links.
        let mut committed: Option<&'static Waiter> = None;
        loop {
            let flags = v & (M_MASK & !STACK_LOCKED); // drop the stack lock
            // SAFETY: the head is non-zero (checked above, and only we pop)
            // and every head was packed from `Waiter::addr`.
            let head = unsafe { Waiter::from_addr(stack_head(v)) };
            let mut new_head = stack_head(v);
            let mut wake = committed;
            if committed.is_none() {
                if v & SPINNING == 0 || F::LOW_LATENCY {
                    wake = Some(head);
                }
                if anti_starve {
                    // Walk to the bottom: O(sleepers), one time in 16.
                    let (mut prev, mut bottom) = (head, head);
                    loop {
                        // Relaxed: links were published to us by the Acquire.
                        let below = bottom.next.load(Ordering::Relaxed);
                        if below == 0 {
                            break;
                        }
                        prev = bottom;
                        // SAFETY: a non-zero link is a node address written by
                        // the pusher from `Waiter::addr`.
                        bottom = unsafe { Waiter::from_addr(below) };
                    }
                    wake = Some(bottom);
                    if !core::ptr::eq(bottom, head) {
                        // Unlink the bottom now; the Release below publishes it.
                        prev.next.store(0, Ordering::Relaxed);
                        // The next-oldest inherits its uncharged wait.
                        bottom.pass_blame_to(prev);
                        committed = Some(bottom);
                    }
                }
            }
            if wake.is_some_and(|w| core::ptr::eq(w, head)) {
                // Relaxed: published to us by the Acquire that took the lock.
                new_head = head.next.load(Ordering::Relaxed);
            }
            // Release: drops the stack lock and publishes any unlinking.
            // Acquire on failure: a new head's link must be visible next round.
            match self.key.compare_exchange_weak(
                v,
                new_head | flags,
                Ordering::Release,
                Ordering::Acquire,
            ) {
                Ok(_) => {
                    if let Some(waiter) = wake {
                        record(if anti_starve {
                            Event::TailWake
                        } else {
                            Event::Wake
                        });
                        waiter.sema.wake();
                    }
                    return;
                }
                Err(now) => v = now,
            }
        }
    }
}
