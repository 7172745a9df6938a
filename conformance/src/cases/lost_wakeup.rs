//! Every waiter is woken: an unlock that finds a sleeper must wake one.
//!
//! Both cases arrange that after the unlock under test nobody else will
//! unlock until the sleeper has acquired, so a lost wakeup is not masked by
//! a later wake: it hangs, and the watchdog reports the lock's state.

use crate::budget::{
    Budget, LONG_HOLD_ROUNDS, LONG_HOLD_WAITERS, PING_PONG_HANDOFFS, PING_PONG_SLOW_EVERY,
};
use crate::guarded::Guarded;
use crate::wait;
use crate::watchdog::{Inspect, Watch, lock_state};
use crate::workers::in_parallel;
use anyhow::ensure;
use lockyard::RawLock;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::time::Duration;

/// Two threads hand the lock back and forth [`PING_PONG_HANDOFFS`] times in
/// strict turns: the holder unlocks only once the other is on its way into
/// `lock()`, and then waits for it to acquire before asking again. One
/// handoff in [`PING_PONG_SLOW_EVERY`] first waits for the other to fall
/// asleep (as Go's `MutexHandoff/SlowPingPong` does).
///
/// # Errors
///
/// If the lock is not idle at the end; a lost wakeup hangs (see the module).
pub fn ping_pong<L: RawLock + 'static>(budget: &Budget, watch: &Watch) -> anyhow::Result<()> {
    let shared = Arc::new(PingPong {
        lock: L::new(),
        handoffs: budget.count(PING_PONG_HANDOFFS),
        taken: AtomicUsize::new(0),
        waiting: [AtomicBool::new(false), AtomicBool::new(false)],
    });
    watch.watch(&shared);
    in_parallel(2, |me| shared.play(me, budget.hold))?;
    ensure!(
        !shared.lock.is_locked() && !shared.lock.is_contended(),
        "the lock is not idle after the ping-pong: {}",
        lock_state(&shared.lock)
    );
    Ok(())
}

struct PingPong<L> {
    lock: L,
    handoffs: usize,
    /// Acquisitions so far; acquisition `n` is player `n % 2`'s.
    taken: AtomicUsize,
    /// Whether each player is on its way into, or inside, `lock()`.
    waiting: [AtomicBool; 2],
}

impl<L: RawLock> PingPong<L> {
    fn play(&self, me: usize, hold: Duration) {
        let peer = 1 - me;
        // Relaxed throughout: `taken` and `waiting` only pace the players;
        // the lock orders everything else.
        for n in (me..self.handoffs).step_by(2) {
            // Acquisition `n` is ours once the peer has made `n - 1`: it now
            // holds the lock and waits for us to ask.
            wait::until(|| self.taken.load(Ordering::Relaxed) == n);
            self.waiting[me].store(true, Ordering::Relaxed);
            self.lock.lock();
            self.waiting[me].store(false, Ordering::Relaxed);
            self.taken.store(n + 1, Ordering::Relaxed);
            if n + 1 < self.handoffs {
                wait::until(|| self.waiting[peer].load(Ordering::Relaxed));
                if n % PING_PONG_SLOW_EVERY == 0 {
                    // Bounded: a lock whose is_contended lags must not stall
                    // the case; the try_lock case checks that probe.
                    wait::until_or(hold, || self.lock.is_contended());
                }
            }
            // SAFETY: locked above on this thread.
            unsafe { self.lock.unlock() };
        }
    }
}

impl<L: RawLock> Inspect for PingPong<L> {
    fn inspect(&self) -> String {
        format!(
            "{}; {} of {} acquisitions made, player 0 waiting {}, player 1 waiting {}",
            lock_state(&self.lock),
            self.taken.load(Ordering::Relaxed),
            self.handoffs,
            self.waiting[0].load(Ordering::Relaxed),
            self.waiting[1].load(Ordering::Relaxed),
        )
    }
}

/// [`LONG_HOLD_ROUNDS`] rounds: a holder keeps the lock for the budget's
/// hold time, long enough for [`LONG_HOLD_WAITERS`] waiters to fall asleep,
/// then every one of them must acquire before the next round begins.
///
/// # Errors
///
/// If an acquisition is missing or two holders met; a lost wakeup hangs.
pub fn long_hold<L: RawLock + 'static>(budget: &Budget, watch: &Watch) -> anyhow::Result<()> {
    let rounds = budget.count(LONG_HOLD_ROUNDS);
    let shared = Arc::new(Guarded::<L>::default());
    watch.watch(&shared);
    let start = Barrier::new(LONG_HOLD_WAITERS + 1);
    let end = Barrier::new(LONG_HOLD_WAITERS + 1);
    in_parallel(LONG_HOLD_WAITERS + 1, |i| {
        for _ in 0..rounds {
            if i == 0 {
                shared.lock.lock();
                start.wait();
                std::thread::sleep(budget.hold);
                // SAFETY: locked above on this thread.
                unsafe { shared.lock.unlock() };
            } else {
                start.wait();
                shared.increment();
            }
            end.wait();
        }
    })?;
    shared.check((rounds * LONG_HOLD_WAITERS) as u64)
}
