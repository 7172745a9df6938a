//! Go's `TestMutexFairness` (sync/mutex_test.go): a hog loops lock, sleep
//! 100 µs, unlock; another thread, sleeping 100 µs between tries, must still
//! get the lock 10 times within 10 s. A lock that hands itself back to the
//! releasing thread every time fails it.

use crate::budget::{FAIRNESS_ACQUISITIONS, FAIRNESS_DEADLINE, FAIRNESS_HOLD};
use crate::watchdog::{Inspect, Watch, lock_state};
use crate::workers::outcome;
use anyhow::{Context, bail};
use lockyard::RawLock;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

struct Shared<L> {
    lock: L,
    stop: AtomicBool,
    got: AtomicUsize,
}

impl<L: RawLock> Inspect for Shared<L> {
    fn inspect(&self) -> String {
        format!(
            "{}; the latecomer got the lock {} times",
            lock_state(&self.lock),
            self.got.load(Ordering::Relaxed)
        )
    }
}

/// Runs the test; returns how long the latecomer took for its acquisitions.
///
/// # Errors
///
/// If the latecomer did not get its acquisitions within the deadline.
pub fn run<L: RawLock + 'static>(watch: &Watch) -> anyhow::Result<Duration> {
    run_within::<L>(watch, FAIRNESS_DEADLINE)
}

/// [`run`] with another deadline (the suite's own tests use a short one).
///
/// # Errors
///
/// As [`run`].
pub fn run_within<L: RawLock + 'static>(
    watch: &Watch,
    deadline: Duration,
) -> anyhow::Result<Duration> {
    let shared = Arc::new(Shared {
        lock: L::new(),
        stop: AtomicBool::new(false),
        got: AtomicUsize::new(0),
    });
    watch.watch(&shared);
    let hog = {
        let shared = Arc::clone(&shared);
        std::thread::Builder::new()
            .name("hog".into())
            .spawn(move || {
                // Relaxed: a stop flag; the lock orders nothing here.
                while !shared.stop.load(Ordering::Relaxed) {
                    shared.lock.lock();
                    std::thread::sleep(FAIRNESS_HOLD);
                    // SAFETY: locked just above on this thread.
                    unsafe { shared.lock.unlock() };
                }
            })
            .context("cannot start the hog")?
    };
    let (done, finished) = mpsc::channel();
    let began = Instant::now();
    let latecomer = {
        let shared = Arc::clone(&shared);
        std::thread::Builder::new()
            .name("latecomer".into())
            .spawn(move || {
                for _ in 0..FAIRNESS_ACQUISITIONS {
                    std::thread::sleep(FAIRNESS_HOLD);
                    shared.lock.lock();
                    shared.got.fetch_add(1, Ordering::Relaxed);
                    // SAFETY: locked just above on this thread.
                    unsafe { shared.lock.unlock() };
                }
                let _ = done.send(began.elapsed());
            })
            .context("cannot start the latecomer")?
    };
    // A channel, not a yielding wait: the two threads need both cores.
    let took = finished.recv_timeout(deadline);
    // Read before the hog stops: after that the latecomer gets all it wants.
    let got = shared.got.load(Ordering::Relaxed);
    shared.stop.store(true, Ordering::Relaxed);
    outcome(Some("hog"), hog.join())?;
    outcome(Some("latecomer"), latecomer.join())?;
    let Ok(took) = took else {
        bail!(
            "cannot acquire the lock {FAIRNESS_ACQUISITIONS} times in {deadline:?} beside a \
         thread that holds it for {FAIRNESS_HOLD:?} at a time: got it {got} times; {}",
            lock_state(&shared.lock)
        );
    };
    Ok(took)
}
