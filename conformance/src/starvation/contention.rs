//! The fixed-time contention run: `threads` threads take the lock over and
//! over for a set time, timing every wait, then the figures say who got the
//! lock how often and how long the unluckiest waited.

use super::figures::Figures;
use crate::budget::NOT_HELD_TO_FAIRNESS;
use crate::throughput::workloads::Padded;
use crate::watchdog::{Inspect, Watch, lock_state};
use crate::workers::in_parallel;
use anyhow::ensure;
use hdrhistogram::Histogram;
use lockyard::RawLock;
use std::cell::UnsafeCell;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

/// What the threads share: the lock and a plain counter it guards, each on
/// lines of its own, and the start of the run.
struct Shared<L> {
    lock: Padded<L>,
    guarded: Padded<UnsafeCell<u64>>,
    start: OnceLock<Instant>,
}

// SAFETY: `guarded` is only touched by the holder of `lock` (and read after
// the threads are joined); the rest is Sync.
unsafe impl<L: RawLock> Sync for Shared<L> {}

impl<L: RawLock> Inspect for Shared<L> {
    fn inspect(&self) -> String {
        lock_state(&self.lock.0)
    }
}

/// Runs `threads` threads against one `L` for `run`, each in Go's
/// MutexContention loop (lock, count, unlock, nothing between) with its
/// wait recorded inside the critical section, timing every wait.
///
/// # Errors
///
/// If the guarded counter lost or gained increments: two holders were
/// inside at once. Starvation is [`check`]'s verdict, on the figures.
pub fn measure<L: RawLock + 'static>(
    watch: &Watch,
    case: &str,
    threads: usize,
    run: Duration,
) -> anyhow::Result<Figures> {
    let shared = Arc::new(Shared {
        lock: Padded(L::new()),
        guarded: Padded(UnsafeCell::new(0)),
        start: OnceLock::new(),
    });
    watch.watch(&shared);
    let results = in_parallel(threads, |_| worker(&shared, run))?;
    let mut all = Histogram::<u64>::new(3).expect("3 significant figures are valid");
    let mut per_thread = Vec::with_capacity(threads);
    for (count, histogram) in &results {
        per_thread.push(*count);
        all.add(histogram).expect("auto-resizing histograms merge");
    }
    let figures = Figures {
        backend: L::NAME,
        case: case.to_owned(),
        threads,
        run_s: run.as_secs_f64(),
        per_thread,
        max_wait_ns: all.max(),
        p999_wait_ns: all.value_at_quantile(0.999),
        p50_wait_ns: all.value_at_quantile(0.5),
    };
    // SAFETY: every thread is joined; nobody else touches the counter.
    let guarded = unsafe { *shared.guarded.0.get() };
    ensure!(
        guarded == figures.total(),
        "the guarded counter reads {guarded} after {} acquisitions: two holders were inside at once; {}",
        figures.total(),
        figures.line()
    );
    Ok(figures)
}

/// The verdict on a run's figures.
///
/// # Errors
///
/// If a thread got the lock not once in the whole run while the others
/// took it (see [`crate::budget::NOT_HELD_TO_FAIRNESS`] for the backends
/// that are only reported).
pub fn check(figures: &Figures) -> anyhow::Result<()> {
    let starved = figures.per_thread.iter().filter(|&&n| n == 0).count();
    if starved > 0 && NOT_HELD_TO_FAIRNESS.contains(&figures.backend) {
        println!(
            "{}: {starved} thread(s) starved; reported only, see budget::NOT_HELD_TO_FAIRNESS",
            figures.backend
        );
        return Ok(());
    }
    ensure!(
        starved == 0,
        "{starved} of {} threads never got the lock in the {:.2}s run (the longest wait was {}) \
         while the others took it {} times: starved; {}",
        figures.threads,
        figures.run_s,
        super::figures::human_ns(figures.max_wait_ns),
        figures.total(),
        figures.line()
    );
    Ok(())
}

/// One thread's loop: its count of acquisitions before the deadline and
/// the histogram of its waits, the last one (which may end after the
/// deadline, when the others stopped) included.
fn worker<L: RawLock>(shared: &Shared<L>, run: Duration) -> (u64, Histogram<u64>) {
    let mut waits = Histogram::<u64>::new(3).expect("3 significant figures are valid");
    let start = *shared.start.get_or_init(Instant::now);
    let mut count = 0;
    loop {
        let asked = Instant::now();
        shared.lock.0.lock();
        let got = Instant::now();
        let in_time = got - start < run;
        if in_time {
            // SAFETY: we hold the lock, which guards the counter.
            unsafe { *shared.guarded.0.get() += 1 };
            count += 1;
        }
        // Inside the lock, on purpose: the histogram update (tens of ns) is
        // the section's length. With the bare count, spinbit without its
        // tail wake starved nobody on the 2-core host, so the tail-wake
        // comparison showed nothing.
        waits.record((got - asked).as_nanos() as u64).ok();
        // SAFETY: locked above on this thread.
        unsafe { shared.lock.0.unlock() };
        if !in_time {
            return (count, waits);
        }
    }
}
