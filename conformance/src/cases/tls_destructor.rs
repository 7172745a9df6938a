//! Threads lock from their thread-local destructors while they exit, against
//! a lock another thread holds, as a runtime lock must allow: by then the
//! thread's other thread-locals (lockyard's own waiter node among them) may
//! already be gone.
//!
//! Half the threads register their destructor before their first contention
//! and half after it, so that whichever order the platform runs
//! destructors in, some lock while their waiter node is still theirs and
//! some after it went back to the pool.

use crate::budget::{
    Budget, TLS_BODY_ACQUISITIONS, TLS_EXIT_ACQUISITIONS, TLS_ROUNDS, TLS_THREADS,
};
use crate::guarded::Guarded;
use crate::wait;
use crate::watchdog::{Watch, lock_state};
use crate::workers::{outcome, panic_message};
use anyhow::{Context, ensure};
use lockyard::RawLock;
use std::cell::RefCell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Runs its closure when the thread's thread-locals are destroyed.
struct AtExit(RefCell<Option<Box<dyn FnOnce()>>>);

impl Drop for AtExit {
    fn drop(&mut self) {
        if let Some(hook) = self.0.get_mut().take() {
            hook();
        }
    }
}

thread_local! {
    /// `const`: registered with the platform on first use, not before.
    static AT_EXIT: AtExit = const { AtExit(RefCell::new(None)) };
}

/// Makes `hook` run in this thread's thread-local destructors.
fn at_exit(hook: Box<dyn FnOnce()>) {
    AT_EXIT.with(|at_exit| *at_exit.0.borrow_mut() = Some(hook));
}

/// The budget's share of [`TLS_ROUNDS`] rounds of [`TLS_THREADS`] fresh
/// threads. Each takes the lock [`TLS_BODY_ACQUISITIONS`] times (first
/// against a lock this thread holds, so that it waits, and likely takes a
/// waiter node), exits, and in its thread-local destructor takes it
/// [`TLS_EXIT_ACQUISITIONS`] times, the first while this thread holds it
/// again. With `waiter_nodes` a destructor must fall asleep on it.
///
/// # Errors
///
/// If a destructor never ran or panicked, no destructor slept (with
/// `waiter_nodes`), the count is off or two holders met. A destructor that
/// never gets the lock hangs, and the watchdog reports it.
pub fn run<L: RawLock + 'static>(
    budget: &Budget,
    watch: &Watch,
    waiter_nodes: bool,
) -> anyhow::Result<()> {
    let shared = Arc::new(Guarded::<L>::default());
    watch.watch(&shared);
    let rounds = budget.count(TLS_ROUNDS);
    for round in 0..rounds {
        let exits = Arc::new(Exits::default());
        // Held until the threads wait in their first acquisition.
        shared.lock.lock();
        let threads = (0..TLS_THREADS)
            .map(|i| {
                let (shared, exits) = (Arc::clone(&shared), Arc::clone(&exits));
                std::thread::Builder::new()
                    .name(format!("tls-{round}-{i}"))
                    .spawn(move || exiting(&shared, &exits, i % 2 == 0))
                    .with_context(|| format!("cannot start thread tls-{round}-{i}"))
            })
            .collect::<anyhow::Result<Vec<_>>>();
        // Bounded: a lag in is_contended must not stall the case.
        wait::until_or(budget.hold, || shared.lock.is_contended());
        // SAFETY: locked above on this thread.
        unsafe { shared.lock.unlock() };
        let threads = threads?;

        // Relaxed: the counters pace the threads; the lock orders the
        // counter it guards. Destructors are let in by batches: all that
        // have arrived, once the earlier ones are done, while this thread
        // holds the lock, so that any contention is theirs. Windows runs
        // thread-exit callbacks one thread at a time (under the loader
        // lock), which makes every batch one destructor; other systems
        // run them at once, which makes batches of several dying waiters.
        // No destructor ever waits for another.
        let patience = if waiter_nodes {
            budget.settle
        } else {
            budget.hold
        };
        let deadline = Instant::now() + patience;
        let mut slept = false;
        let mut state = String::new();
        let mut admitted = 0;
        while admitted < TLS_THREADS {
            wait::until(|| exits.arrived.load(Ordering::Relaxed) > admitted);
            wait::until(|| exits.ended.load(Ordering::Relaxed) >= admitted);
            shared.lock.lock();
            let batch = exits.arrived.load(Ordering::Relaxed);
            exits.admitted.store(batch, Ordering::Relaxed);
            wait::until(|| exits.locking.load(Ordering::Relaxed) >= batch);
            if !slept {
                // One deadline for the round: a lock that never sleeps
                // fails here, within the watchdog's budget.
                let left = deadline.saturating_duration_since(Instant::now());
                slept = wait::until_or(left, || shared.lock.is_contended());
                state = lock_state(&shared.lock);
            }
            // SAFETY: locked above on this thread.
            unsafe { shared.lock.unlock() };
            admitted = batch;
        }
        for thread in threads {
            let name = thread.thread().name().map(str::to_owned);
            // Joining waits for the OS thread, destructors included.
            outcome(name.as_deref(), thread.join())?;
        }
        let errors = exits.errors.lock().unwrap_or_else(|e| e.into_inner());
        ensure!(errors.is_empty(), "{}", errors.join("; "));
        let done = exits.done.load(Ordering::Relaxed);
        ensure!(
            done == TLS_THREADS,
            "{done} of {TLS_THREADS} thread-local destructors ran in round {round}"
        );
        ensure!(
            slept || !waiter_nodes,
            "no thread-local destructor fell asleep on the held lock in {patience:?}: {state}"
        );
    }
    let each = TLS_BODY_ACQUISITIONS + TLS_EXIT_ACQUISITIONS;
    shared.check((rounds * TLS_THREADS * each) as u64)
}

/// How a round's destructors are getting on.
#[derive(Default)]
struct Exits {
    /// Destructors that have started: the next one's ticket.
    arrived: AtomicUsize,
    /// Destructors let in to lock, each once the case holds the lock for it.
    admitted: AtomicUsize,
    /// Destructors about to make their first acquisition.
    locking: AtomicUsize,
    /// Destructors finished, with or without a panic.
    ended: AtomicUsize,
    /// Destructors that made all theirs.
    done: AtomicUsize,
    /// What destructors panicked with.
    errors: Mutex<Vec<String>>,
}

/// A thread's life: its acquisitions, with its destructor registered
/// before them (`hook_first`) or after (on unwinding too, so that a panic
/// shows as the thread's error rather than as a round that never ends).
fn exiting<L: RawLock + 'static>(shared: &Arc<Guarded<L>>, exits: &Arc<Exits>, hook_first: bool) {
    let (hook_shared, hook_exits) = (Arc::clone(shared), Arc::clone(exits));
    let mut hook: Option<Box<dyn FnOnce()>> =
        Some(Box::new(move || on_exit(&hook_shared, &hook_exits)));
    if hook_first {
        at_exit(hook.take().expect("set above"));
    }
    let _late = Register(hook);
    for _ in 0..TLS_BODY_ACQUISITIONS {
        shared.increment();
    }
}

/// Registers its hook, if it has one, when dropped.
struct Register(Option<Box<dyn FnOnce()>>);

impl Drop for Register {
    fn drop(&mut self) {
        if let Some(hook) = self.0.take() {
            at_exit(hook);
        }
    }
}

/// The destructor's part: wait until the case holds the lock for it, then
/// take it. A panic here would abort the process, so it is caught and
/// reported.
fn on_exit<L: RawLock>(shared: &Guarded<L>, exits: &Exits) {
    // Relaxed: pacing, as in `run`.
    let ticket = exits.arrived.fetch_add(1, Ordering::Relaxed);
    wait::until(|| exits.admitted.load(Ordering::Relaxed) > ticket);
    exits.locking.fetch_add(1, Ordering::Relaxed);
    let locked = catch_unwind(AssertUnwindSafe(|| {
        for _ in 0..TLS_EXIT_ACQUISITIONS {
            shared.increment();
        }
    }));
    match locked {
        Ok(()) => {
            exits.done.fetch_add(1, Ordering::Relaxed);
        }
        Err(payload) => exits
            .errors
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(format!(
                "a thread-local destructor panicked: {}",
                panic_message(&*payload)
            )),
    }
    exits.ended.fetch_add(1, Ordering::Relaxed);
}
