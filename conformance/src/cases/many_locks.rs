//! Locks come and go: each round allocates a set of locks, contends on them,
//! and frees them; the next round's allocation of the same size gets the
//! same memory back (glibc does, every round), so a lock must not inherit
//! anything from whatever lived at its address before: a stale sleeper, a
//! parking-lot entry keyed by address.

use crate::budget::{
    Budget, MANY_LOCKS, MANY_LOCKS_ACQUISITIONS, MANY_LOCKS_ROUNDS, MANY_LOCKS_THREADS,
};
use crate::guarded::Guarded;
use crate::watchdog::{Inspect, Watch, lock_state};
use crate::workers::in_parallel;
use crate::xorshift::Xorshift;
use anyhow::Context;
use lockyard::RawLock;
use std::sync::Arc;

/// [`MANY_LOCKS_ROUNDS`] rounds of [`MANY_LOCKS_THREADS`] threads each
/// taking random locks among [`MANY_LOCKS`] fresh ones.
///
/// # Errors
///
/// If any lock of any round lost an increment, let two holders meet, or was
/// not idle at the end of its round.
pub fn run<L: RawLock + 'static>(budget: &Budget, watch: &Watch) -> anyhow::Result<()> {
    for round in 0..budget.count(MANY_LOCKS_ROUNDS) {
        let set = Arc::new(LockSet::<L>(
            (0..MANY_LOCKS).map(|_| Guarded::default()).collect(),
        ));
        watch.watch(&set);
        let tallies = in_parallel(MANY_LOCKS_THREADS, |thread| {
            let mut tally = [0u64; MANY_LOCKS];
            let mut random = Xorshift::new(round, thread);
            for _ in 0..MANY_LOCKS_ACQUISITIONS {
                let k = random.below(MANY_LOCKS);
                set.0[k].increment();
                tally[k] += 1;
            }
            tally
        })?;
        for (k, lock) in set.0.iter().enumerate() {
            let expected = tallies.iter().map(|tally| tally[k]).sum();
            lock.check(expected)
                .with_context(|| format!("round {round}, lock {k}"))?;
        }
        // `set` is freed here; the watch keeps only a weak reference.
    }
    Ok(())
}

/// One round's locks, in one allocation.
struct LockSet<L>(Vec<Guarded<L>>);

impl<L: RawLock> Inspect for LockSet<L> {
    fn inspect(&self) -> String {
        let busy: Vec<String> = self
            .0
            .iter()
            .enumerate()
            .filter(|(_, g)| g.lock.is_locked() || g.lock.is_contended())
            .map(|(k, g)| format!("lock {k}: {}", lock_state(&g.lock)))
            .collect();
        if busy.is_empty() {
            format!("all {} locks of the round idle", self.0.len())
        } else {
            busy.join("; ")
        }
    }
}
