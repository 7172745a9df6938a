//! The oldest sleeper is not starved. Under constant contention a LIFO stack
//! of sleepers keeps its bottom asleep while newer waiters come and go;
//! spinbit's tail wake (one unlock in `TAIL_WAKE_PERIOD`, at random, wakes
//! the bottom instead) is what promises it a turn.
//!
//! What this can and cannot show on a 2-core machine: the stack drains down
//! to the bottom every few milliseconds even without the tail wake, so a
//! spinbit flavor whose `tail_wake()` is always false also passes, only
//! with longer waits. The case checks the promise itself, a bounded wait;
//! telling the mechanism apart needs the many spinning cores of the seed's
//! benchmark.

use crate::budget::{Budget, HAMMER_HOLD, STARVATION_HAMMERS};
use crate::wait;
use crate::watchdog::{Inspect, Watch, lock_state};
use crate::workers::outcome;
use anyhow::{Context, ensure};
use lockyard::RawLock;
use std::hint::spin_loop;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::Instant;

/// A victim goes to sleep first, alone, at the bottom of the stack; then
/// [`STARVATION_HAMMERS`] threads pile on, each holding the lock for
/// [`HAMMER_HOLD`] at a time, longer than a waiter spins, so the others
/// sleep on top of the victim. The victim must acquire within the budget's
/// starvation time.
///
/// # Errors
///
/// If the victim never fell asleep (within the settle time) or starved. A
/// starved victim's threads are left behind, told to stop, as the watchdog
/// leaves a hung case's.
pub fn run<L: RawLock + 'static>(budget: &Budget, watch: &Watch) -> anyhow::Result<()> {
    let shared = Arc::new(Starvation {
        lock: L::new(),
        victim_acquired: AtomicBool::new(false),
        stop: AtomicBool::new(false),
        hammered: AtomicU64::new(0),
    });
    watch.watch(&shared);
    shared.lock.lock();
    let victim = start("victim", &shared, Starvation::victim)?;
    let asleep = wait::until_or(budget.settle, || shared.lock.is_contended());
    let hammers = (0..STARVATION_HAMMERS)
        .map(|i| start(&format!("hammer-{i}"), &shared, Starvation::hammer))
        .collect::<anyhow::Result<Vec<_>>>();
    // Long enough for the hammers to give up spinning and sleep on top of
    // the victim; the unlock then wakes one of them, not the victim.
    std::thread::sleep(budget.hold);
    // SAFETY: locked above on this thread.
    unsafe { shared.lock.unlock() };
    let woken = hammers.is_ok()
        && wait::until_or(budget.starvation, || {
            shared.victim_acquired.load(Ordering::Relaxed)
        });
    shared.stop.store(true, Ordering::Relaxed);
    let hammers = hammers?;
    ensure!(
        asleep,
        "is_contended stayed false for {:?} while the victim was blocked in lock()",
        budget.settle
    );
    ensure!(
        woken,
        "the oldest sleeper starved: not woken in {:?} while {STARVATION_HAMMERS} threads took \
         the lock {} times; {}",
        budget.starvation,
        shared.hammered.load(Ordering::Relaxed),
        lock_state(&shared.lock)
    );
    for thread in hammers.into_iter().chain([victim]) {
        let name = thread.thread().name().map(str::to_owned);
        outcome(name.as_deref(), thread.join())?;
    }
    Ok(())
}

/// Starts `role` on a thread of its own, not scoped: a starved victim must
/// not keep the case from reporting.
fn start<L: RawLock + 'static>(
    name: &str,
    shared: &Arc<Starvation<L>>,
    role: fn(&Starvation<L>),
) -> anyhow::Result<JoinHandle<()>> {
    let shared = Arc::clone(shared);
    std::thread::Builder::new()
        .name(name.to_owned())
        .spawn(move || role(&shared))
        .with_context(|| format!("cannot start thread {name}"))
}

struct Starvation<L> {
    lock: L,
    victim_acquired: AtomicBool,
    stop: AtomicBool,
    hammered: AtomicU64,
}

// Relaxed throughout: flags and a statistic; the lock orders nothing here.
impl<L: RawLock> Starvation<L> {
    fn victim(&self) {
        self.lock.lock();
        self.victim_acquired.store(true, Ordering::Relaxed);
        // SAFETY: locked just above on this thread.
        unsafe { self.lock.unlock() };
    }

    /// Takes the lock back to back, holding it busy for [`HAMMER_HOLD`],
    /// until the victim is through or time is up.
    fn hammer(&self) {
        while !self.victim_acquired.load(Ordering::Relaxed) && !self.stop.load(Ordering::Relaxed) {
            self.lock.lock();
            self.hammered.fetch_add(1, Ordering::Relaxed);
            let start = Instant::now();
            while start.elapsed() < HAMMER_HOLD {
                spin_loop();
            }
            // SAFETY: locked just above on this thread.
            unsafe { self.lock.unlock() };
        }
    }
}

impl<L: RawLock> Inspect for Starvation<L> {
    fn inspect(&self) -> String {
        format!(
            "{}; victim acquired {}, hammers took the lock {} times",
            lock_state(&self.lock),
            self.victim_acquired.load(Ordering::Relaxed),
            self.hammered.load(Ordering::Relaxed)
        )
    }
}
