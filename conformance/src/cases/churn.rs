//! Many short-lived threads contend and exit, so waiter nodes pass from
//! exited threads to new ones through lockyard's pool, and the chunks the
//! nodes are carved from stop growing.

use crate::budget::{Budget, CHURN_ACQUISITIONS, CHURN_POOL_GROWTH, CHURN_THREADS, CHURN_WAVE};
use crate::guarded::Guarded;
use crate::wait;
use crate::watchdog::Watch;
use crate::workers::{join, spawn};
use anyhow::ensure;
use lockyard::{RawLock, WAITER_CHUNK_NODES, idle_waiters, waiter_chunks};
use std::sync::Arc;

/// [`CHURN_THREADS`] threads, [`CHURN_WAVE`] at a time, each take the lock
/// [`CHURN_ACQUISITIONS`] times and exit; each wave meets the lock held until
/// one of its threads sleeps. With `waiter_nodes` (the backend sleeps on
/// lockyard's per-thread nodes) some nodes must be idle in the pool after;
/// for any backend the pool must not grow by more than
/// [`CHURN_POOL_GROWTH`], or new threads are not reusing exited ones' nodes;
/// nor may lockyard map more chunks of nodes than that growth plus as many
/// live threads again need ([`chunk_growth_bound`]).
///
/// # Errors
///
/// If the count is off, two holders met, or the pool check fails.
pub fn run<L: RawLock + 'static>(
    budget: &Budget,
    watch: &Watch,
    waiter_nodes: bool,
) -> anyhow::Result<()> {
    let shared = Arc::new(Guarded::<L>::default());
    watch.watch(&shared);
    let waves = budget.count(CHURN_THREADS).div_ceil(CHURN_WAVE);
    let idle_before = idle_waiters();
    let chunks_before = waiter_chunks();
    for _ in 0..waves {
        std::thread::scope(|scope| {
            // Each wave starts against a held lock and finds it free only
            // once one of them sleeps on it: the wave contends for sure
            // (short threads started one by one rarely meet otherwise).
            shared.lock.lock();
            let wave: anyhow::Result<Vec<_>> = (0..CHURN_WAVE)
                .map(|i| {
                    spawn(scope, &format!("churn-{i}"), || {
                        for _ in 0..CHURN_ACQUISITIONS {
                            shared.increment();
                        }
                    })
                })
                .collect();
            // Bounded: a lag in is_contended must not stall the case; the
            // try_lock case checks that probe.
            wait::until_or(budget.hold, || shared.lock.is_contended());
            // SAFETY: locked above on this thread.
            unsafe { shared.lock.unlock() };
            wave?.into_iter().try_for_each(join)
        })?;
    }
    shared.check((waves * CHURN_WAVE * CHURN_ACQUISITIONS) as u64)?;
    // Joined threads have run their thread-local destructors, which return
    // their nodes to the pool.
    let idle_after = idle_waiters();
    let threads = waves * CHURN_WAVE;
    ensure!(
        !waiter_nodes || idle_after > 0,
        "no idle waiter node after {threads} contending threads exited: \
         exiting threads do not return their nodes to the pool"
    );
    ensure!(
        idle_after.saturating_sub(idle_before) <= CHURN_POOL_GROWTH,
        "the idle waiter pool grew from {idle_before} to {idle_after} over {threads} threads, \
         {CHURN_WAVE} at a time: new threads are not reusing idle nodes"
    );
    let chunks_after = waiter_chunks();
    ensure!(
        chunks_after - chunks_before <= chunk_growth_bound(),
        "lockyard mapped {} chunks of {WAITER_CHUNK_NODES} waiter nodes over {threads} threads, \
         {CHURN_WAVE} at a time (at most {} expected): nodes are not reused",
        chunks_after - chunks_before,
        chunk_growth_bound()
    );
    Ok(())
}

/// Most chunks of waiter nodes the churn may map: enough for the pool's
/// allowed growth plus as many nodes held by live threads, plus the
/// partly used chunk it starts in.
fn chunk_growth_bound() -> usize {
    (2 * CHURN_POOL_GROWTH).div_ceil(WAITER_CHUNK_NODES) + 1
}

#[cfg(test)]
mod tests {
    use crate::watchdog::failure;
    use lockyard::futex::RawFutex;

    #[test]
    fn churn_catches_threads_that_leave_no_waiter_node() {
        // futex sleeps in the kernel and never takes a node, so running it as if
        // it did stands in for a pool that loses the nodes of exiting threads.
        // Sound only in a process where nothing else took a node: nextest runs
        // each test in its own, and no other unit test of this crate uses one.
        let error = failure("futex::thread_churn", |b, w| {
            super::run::<RawFutex>(b, w, true)
        });
        assert!(error.contains("no idle waiter node"), "{error}");
    }
}
