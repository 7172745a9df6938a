//! Leaving a stack of sleepers early, for `sema` and `spinbit`'s timed
//! locking. Both keep their sleepers on a LIFO stack linked through the
//! waiter nodes, headed by the lock word, with a stack-lock bit in the word
//! that the unlockers hold while they pop. A sleeper whose timeout passes
//! takes that same bit, unlinks itself and drops it. If it is no longer on
//! the stack, an unlocker popped it and owes it a wake: it waits for that
//! wake (it is on its way: every pop is followed by exactly one post) and
//! carries on as woken, so no wake is lost and nobody is stranded behind a
//! waiter that left.

use crate::primitive::{AtomicUsize, Ordering, procyield};
use crate::waiter::Waiter;

/// The bits of a lock word that a stack's owner keeps beside its head:
/// `flags` is every one of them, `stack_lock` the one that grants popping.
#[derive(Clone, Copy)]
pub(crate) struct Word {
    /// Every flag bit; the rest of the word is the head's address.
    pub(crate) flags: usize,
    /// The stack lock.
    pub(crate) stack_lock: usize,
}

impl Word {
    /// The head address in `v`.
    pub(crate) fn head(self, v: usize) -> usize {
        v & !self.flags
    }

    /// Takes the stack lock in `key`, starting from a recent value `v`:
    /// waits out another holder (an unlocker popping or a sleeper leaving,
    /// both brief), and gives up with `None` whenever `stop` says, of the
    /// value it sees, that there is nothing left to do. Returns the word it
    /// set. Acquire: the links of every node pushed so far become visible.
    pub(crate) fn lock_stack(
        self,
        key: &AtomicUsize,
        mut v: usize,
        stop: impl Fn(usize) -> bool,
    ) -> Option<usize> {
        loop {
            if stop(v) {
                return None;
            }
            if v & self.stack_lock != 0 {
                procyield(1);
                // Relaxed: the compare-exchange below acquires.
                v = key.load(Ordering::Relaxed);
                continue;
            }
            match key.compare_exchange_weak(
                v,
                v | self.stack_lock,
                Ordering::Acquire,
                Ordering::Relaxed,
            ) {
                Ok(_) => return Some(v | self.stack_lock),
                Err(seen) => v = seen,
            }
        }
    }

    /// After `me`'s timed sleep on the stack headed in `key` ran out: takes
    /// `me` off the stack and returns `false`, or, when an unlocker had
    /// already popped it, takes the wake it is owed and returns `true` (the
    /// caller then carries on as woken).
    pub(crate) fn timed_out(self, key: &AtomicUsize, me: &'static Waiter) -> bool {
        if self.leave(key, me) {
            return false;
        }
        // The popper's post is on its way; `None` waits for it.
        me.sema.sleep(None);
        true
    }

    /// Unlinks `me` from the stack if it is there, under the stack lock;
    /// returns whether it was.
    fn leave(self, key: &AtomicUsize, me: &'static Waiter) -> bool {
        let mine = me.addr();
        // Relaxed: `lock_stack` acquires. An empty stack: we were popped.
        let v = key.load(Ordering::Relaxed);
        let Some(mut v) = self.lock_stack(key, v, |v| self.head(v) == 0) else {
            return false;
        };

        // Relaxed link reads and writes: the Acquire above (or a failed
        // exchange's below) published the links, and only the stack lock's
        // holder rewrites them.
        let below = me.next.load(Ordering::Relaxed);
        let found = self.unlink(v, mine, below);
        let on_stack = found.is_some();
        // Whether `me` still has to come off as the head, through the word.
        let mut as_head = found == Some(false);
        loop {
            let mut next = v & !self.stack_lock;
            if as_head {
                if self.head(v) == mine {
                    next = below | (next & self.flags);
                } else {
                    // Pushers came on top of us: unlink us from below them.
                    as_head = self.unlink(v, mine, below) != Some(true);
                }
            }
            // Release: drops the stack lock and publishes the unlinking.
            // Acquire on failure: a new head's link must be visible.
            match key.compare_exchange_weak(v, next, Ordering::Release, Ordering::Acquire) {
                Ok(_) => break,
                Err(seen) => v = seen,
            }
        }
        on_stack
    }

    /// Looks for `mine` on the stack of word `v`, whose stack lock the
    /// caller holds: `None` if it is not there, `Some(true)` if it was below
    /// the head and is now unlinked (its neighbour above points at `below`),
    /// `Some(false)` if it is the head (which only the word can unlink).
    fn unlink(self, v: usize, mine: usize, below: usize) -> Option<bool> {
        let mut at = self.head(v);
        if at == mine {
            return Some(false);
        }
        while at != 0 {
            // SAFETY: a non-zero head or link, packed from `Waiter::addr`.
            let node = unsafe { Waiter::from_addr(at) };
            let next = node.next.load(Ordering::Relaxed);
            if next == mine {
                node.next.store(below, Ordering::Relaxed);
                if below == 0 {
                    // `me` was the oldest: the next-oldest inherits its
                    // uncharged wait (`blame.rs`).
                    // SAFETY: `mine` is `me`'s address, from `Waiter::addr`.
                    unsafe { Waiter::from_addr(mine) }.pass_blame_to(node);
                }
                return Some(true);
            }
            at = next;
        }
        None
    }
}
