//! The lock works inside a `#[global_allocator]`, as a runtime lock must:
//! with the conformance binary's allocator ([`GuardedAlloc`]) taking it
//! around every call, threads allocate and free hard, and nothing may hang,
//! recurse or slip past the lock.
//!
//! A lock that allocates in `lock` or `unlock` (a lazily made waiter node,
//! a `OnceLock` on the slow path) makes the allocator abort the process
//! with a message naming the backend (see [`crate::allocator`]): the trial
//! fails at once, the same way every time.
//!
//! [`GuardedAlloc`]: crate::allocator::GuardedAlloc

use crate::allocator::Switch;
use crate::budget::{
    ALLOCATOR_PUSHES, ALLOCATOR_ROUNDS, ALLOCATOR_THREADS, ALLOCATOR_WORDS, Budget,
};
use crate::wait;
use crate::watchdog::{Inspect, Watch, lock_state};
use crate::workers::outcome;
use anyhow::{Context, ensure};
use lockyard::RawLock;
use std::fmt::Write as _;
use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::JoinHandle;

/// Switches the allocator's guard on with a fresh lock of `L`, held at
/// first, then [`ALLOCATOR_THREADS`] threads each make the budget's share
/// of [`ALLOCATOR_ROUNDS`] rounds of allocations; the guard goes off when
/// they are done, or after half the watchdog's deadline.
///
/// # Errors
///
/// If the threads are not done in time (the case reports that itself, with
/// the guard off: the watchdog's own report allocates, and would queue on a
/// stuck lock); if a thread panicked; if the plain and atomic counters of
/// the guarded calls differ or two holders met (the lock does not exclude
/// inside the allocator); or if the guard took the lock fewer times than
/// there were rounds (this binary's allocator is not [`GuardedAlloc`]).
///
/// [`GuardedAlloc`]: crate::allocator::GuardedAlloc
pub fn run<L: RawLock + 'static>(budget: &Budget, watch: &Watch) -> anyhow::Result<()> {
    // Leaked with the switch: an allocator call that read the switch just
    // before it went off may still be using the lock.
    let lock: &'static L = Box::leak(Box::new(L::new()));
    let switch = Switch::leak(lock);
    let shared = Arc::new(Shared {
        lock,
        switch,
        finished: AtomicUsize::new(0),
    });
    watch.watch(&shared);
    let rounds = budget.count(ALLOCATOR_ROUNDS);
    // Half the watchdog's: room for qemu (the work takes well under a
    // second natively), and time left to report before the watchdog, whose
    // report would allocate under the guard.
    let deadline = budget.watchdog / 2;

    // The workers start before the guard is on, and wait for `go`: from
    // then on this thread holds the lock and must not allocate.
    let go = Arc::new(AtomicBool::new(false));
    let mut workers: Vec<JoinHandle<()>> = Vec::with_capacity(ALLOCATOR_THREADS);
    let mut refused = None;
    for i in 0..ALLOCATOR_THREADS {
        let name = format!("allocator-{i}");
        let (mine, go) = (Arc::clone(&shared), Arc::clone(&go));
        let started = std::thread::Builder::new()
            .name(name.clone())
            .spawn(move || {
                let _finished = Finished(&mine.finished);
                // Relaxed: a start signal; the lock orders the data.
                wait::until(|| go.load(Ordering::Relaxed));
                allocate_hard(i, rounds);
            })
            .with_context(|| format!("cannot start thread {name}"));
        match started {
            Ok(worker) => workers.push(worker),
            Err(e) => {
                refused = Some(e);
                break;
            }
        }
    }
    // Every worker's first allocation meets the lock held, so each waits
    // (and sleeps, where the lock sleeps) inside the allocator at least
    // once: a lock that allocates only on its slow path is caught every
    // run, not only when the scheduler makes threads meet.
    lock.lock();
    switch.on();
    go.store(true, Ordering::Relaxed);
    // Bounded: a lag in is_contended must not stall the case; the try_lock
    // case checks that probe. The sleep gives spinners time to give up.
    wait::until_or(budget.settle, || lock.is_contended());
    std::thread::sleep(budget.hold);
    // SAFETY: locked above on this thread.
    unsafe { lock.unlock() };
    // Relaxed: a count of finished threads; joining them orders the rest.
    let done = wait::until_or(deadline, || {
        shared.finished.load(Ordering::Relaxed) == workers.len()
    });
    switch.off();
    // From here allocations no longer take the lock: the reports below
    // cannot queue on it.
    if let Some(e) = refused {
        return Err(e);
    }
    ensure!(
        done,
        "hung under the allocator: {} of {ALLOCATOR_THREADS} threads done after {deadline:?} \
         ({} guarded calls so far); its threads are left behind; {}",
        shared.finished.load(Ordering::Relaxed),
        switch.counted(),
        lock_state(lock)
    );
    for worker in workers {
        let name = worker.thread().name().map(str::to_owned);
        outcome(name.as_deref(), worker.join())?;
    }
    let counts = switch.counts();
    ensure!(
        counts.overlaps == 0 && counts.plain == counts.counted,
        "mutual exclusion broken inside the allocator: {} holders found another inside, and the \
         plain counter reads {} of {} guarded calls",
        counts.overlaps,
        counts.plain,
        counts.counted
    );
    let least = (ALLOCATOR_THREADS * rounds) as u64;
    ensure!(
        counts.counted >= least,
        "the allocator took the lock {} times for {least} rounds of allocations: this binary's \
         #[global_allocator] is not lockyard_conformance::allocator::GuardedAlloc",
        counts.counted
    );
    println!(
        "{} {} allocator calls guarded by the lock",
        L::NAME,
        counts.counted
    );
    Ok(())
}

/// Counts its thread finished when dropped, on return or unwinding alike.
struct Finished<'a>(&'a AtomicUsize);

impl Drop for Finished<'_> {
    fn drop(&mut self) {
        // Relaxed: see the wait in `run`.
        self.0.fetch_add(1, Ordering::Relaxed);
    }
}

/// `rounds` rounds of allocations of every kind: a string and a vector
/// that grow (allocations and reallocations), a box, a zeroed buffer
/// (`alloc_zeroed`), all freed at the round's end.
fn allocate_hard(me: usize, rounds: usize) {
    for round in 0..rounds {
        let mut text = String::new();
        for word in 0..ALLOCATOR_WORDS {
            let _ = write!(text, "{me}:{round}:{word} ");
        }
        let mut numbers = Vec::new();
        for n in 0..ALLOCATOR_PUSHES {
            numbers.push(black_box(n));
        }
        let boxed = Box::new([round as u8; 64]);
        let zeroed = vec![0u8; 256];
        // Keeps the optimiser from eliding the allocations.
        black_box((&text, &numbers, &boxed, &zeroed));
    }
}

/// What the hang report shows: the lock and how far the threads got.
struct Shared<L: 'static> {
    lock: &'static L,
    switch: &'static Switch,
    finished: AtomicUsize,
}

impl<L: RawLock> Inspect for Shared<L> {
    fn inspect(&self) -> String {
        format!(
            "{}; {} guarded allocator calls, {} of {ALLOCATOR_THREADS} threads done",
            lock_state(self.lock),
            self.switch.counted(),
            // Relaxed: a snapshot for the report.
            self.finished.load(Ordering::Relaxed)
        )
    }
}
