//! The starvation suite: does every waiter get the lock, and how evenly?
//! Trials named `<backend>::<case>`, run by `tests/starvation.rs`:
//!
//! * `contention_{4,8,16}`: fixed-time runs (see [`contention`]) that report
//!   total acquisitions, per-thread max/min with locktorture's flag, Jain's
//!   index, the max, p99.9 and median wait; they fail only on a lost
//!   increment or a thread starved for most of the run.
//! * `mutex_fairness`: Go's `TestMutexFairness` (see [`fairness`]).
//! * `spinbit::tail_wake_matters`: spinbit against the same lock with its
//!   tail wake switched off ([`NoTailWake`]), interleaved; the suite shows
//!   the worst wait and the smallest share with and without.
//!
//! Every number it fails on is in [`crate::budget`]. The figures go to
//! stdout and, for the xtask's report.json, to the directory
//! [`env::FIGURES_DIR`] names.
//!
//! [`env::FIGURES_DIR`]: lockyard_platforms::env::FIGURES_DIR

pub mod contention;
pub mod fairness;
pub mod figures;

use crate::budget::{
    Budget, CONTENTION_RUN, CONTENTION_THREADS, FAIRNESS_ACQUISITIONS, TAIL_WAKE_MIN_RATIO,
    TAIL_WAKE_ROUNDS, TAIL_WAKE_RUN, TAIL_WAKE_THREADS,
};
use crate::registry::Promises;
use crate::watchdog::{Watch, trial};
use anyhow::ensure;
use figures::{Figures, human_ns};
use libtest_mimic::Trial;
use lockyard::RawLock;
use lockyard::spinbit::{Flavor, RawSpinbit, Standard};
use std::time::Duration;

/// spinbit exactly as [`Standard`], but no unlock ever wakes the bottom of
/// the sleep stack: the test-only switch that shows what the tail wake buys.
pub struct NoTailWake;
impl Flavor for NoTailWake {
    const NAME: &'static str = "spinbit-notailwake";
    const XCHG8: bool = <Standard as Flavor>::XCHG8;
    #[inline]
    fn tail_wake() -> bool {
        false
    }
}

/// `budget`'s scale applied to a run's length (never below a millisecond).
fn scaled(budget: &Budget, run: Duration) -> Duration {
    run.mul_f64(budget.scale).max(Duration::from_millis(1))
}

/// The starvation trials of backend `L`.
pub fn trials<L: RawLock + 'static>(promises: Promises, budget: &Budget) -> Vec<Trial> {
    let budget = *budget;
    let mut trials: Vec<Trial> = CONTENTION_THREADS
        .iter()
        .map(|&threads| {
            let case = format!("contention_{threads}");
            trial(L::NAME, &case.clone(), budget, move |b, w| {
                let run = scaled(b, CONTENTION_RUN);
                let figures = contention::measure::<L>(w, &case, threads, run)?;
                figures.publish()?;
                contention::check(&figures)
            })
        })
        .collect();
    let fairness = trial(L::NAME, "mutex_fairness", budget, |_, w| {
        let took = fairness::run::<L>(w)?;
        println!(
            "{} mutex_fairness: {FAIRNESS_ACQUISITIONS} acquisitions in {took:?}",
            L::NAME
        );
        Ok(())
    });
    // Held where promised; for the peers it is a measurement, run with
    // `--run-ignored all` (parking_lot, whose waiters yield while spinning,
    // misses it).
    trials.push(fairness.with_ignored_flag(!promises.latecomer_gets_in));
    trials
}

/// Trials that compare backends rather than hold one to a budget.
pub fn comparisons(budget: &Budget) -> Vec<Trial> {
    vec![trial(
        Standard::NAME,
        "tail_wake_matters",
        *budget,
        tail_wake_matters,
    )]
}

/// spinbit with and without its tail wake, [`TAIL_WAKE_ROUNDS`] interleaved
/// rounds of [`TAIL_WAKE_THREADS`] threads. With the tail wake every thread
/// must get the lock in every round; each side's worst wait is its largest
/// over the rounds, and without tail wakes it must be at least
/// [`TAIL_WAKE_MIN_RATIO`] times spinbit's.
fn tail_wake_matters(_: &Budget, watch: &Watch) -> anyhow::Result<()> {
    // Not scaled: the run's length bounds the ratio this can show.
    let run = TAIL_WAKE_RUN;
    let case = format!("tail_wake_{TAIL_WAKE_THREADS}");
    let (mut with, mut without) = (Vec::new(), Vec::new());
    for _ in 0..TAIL_WAKE_ROUNDS {
        let round =
            contention::measure::<RawSpinbit<Standard>>(watch, &case, TAIL_WAKE_THREADS, run)?;
        contention::check(&round)?;
        with.push(round);
        // Without the tail wake a thread may starve for the whole run: that
        // is what this shows, so no starvation check on this side.
        without.push(contention::measure::<RawSpinbit<NoTailWake>>(
            watch,
            &case,
            TAIL_WAKE_THREADS,
            run,
        )?);
    }
    let worst = |runs: &[Figures]| {
        let max_wait = runs.iter().map(|f| f.max_wait_ns).max().unwrap_or(0);
        let min_share = runs.iter().map(Figures::min_share).fold(1.0, f64::min);
        (max_wait, min_share)
    };
    let (with_wait, with_share) = worst(&with);
    let (without_wait, without_share) = worst(&without);
    for f in with.iter().chain(&without) {
        println!("  {}", f.line());
    }
    // The worst round of each side is its figure in report.json.
    for side in [&with, &without] {
        if let Some(f) = side.iter().max_by_key(|f| f.max_wait_ns) {
            f.publish()?;
        }
    }
    let ratio = without_wait as f64 / with_wait.max(1) as f64;
    println!(
        "spinbit tail wake: worst wait {} with, {} without ({ratio:.1}×); smallest share {with_share:.2} with, {without_share:.2} without",
        human_ns(with_wait),
        human_ns(without_wait),
    );
    ensure!(
        with.iter().all(|f| f.min() > 0),
        "with its tail wake spinbit still left a thread without the lock for a whole run: {}",
        with.iter()
            .map(Figures::line)
            .collect::<Vec<_>>()
            .join("; ")
    );
    ensure!(
        ratio >= TAIL_WAKE_MIN_RATIO,
        "switching spinbit's tail wake off made the worst wait only {ratio:.1}× longer \
         ({} against {}), less than {TAIL_WAKE_MIN_RATIO}×: the tail wake shows no effect",
        human_ns(without_wait),
        human_ns(with_wait)
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    //! Positive controls: a lock that starves one thread on purpose, which
    //! the contention runs and the fairness test must both catch, beside a
    //! correct lock that passes the same runs.

    use super::*;
    use crate::watchdog;
    use lockyard::futex::RawFutex;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::time::Instant;

    /// How long others must leave the lock alone before the victim gets it:
    /// longer than any pause a loaded machine puts in a 300 ms run.
    const QUIET: Duration = Duration::from_millis(200);

    /// A futex lock that shuts out one thread (`worker-0` of a contention
    /// run, the latecomer of the fairness test) until nobody else has taken
    /// it for [`QUIET`].
    struct Starver {
        inner: RawFutex,
        epoch: Instant,
        /// When another thread last took it, in µs since `epoch`.
        last_other: AtomicU64,
    }

    fn is_victim() -> bool {
        matches!(
            std::thread::current().name(),
            Some("worker-0" | "latecomer")
        )
    }

    // SAFETY: all exclusion is `inner`'s; the wrapper only delays the victim.
    unsafe impl RawLock for Starver {
        const NAME: &'static str = "starver";
        #[allow(clippy::declare_interior_mutable_const)]
        const INIT: Self = unreachable_init();

        fn new() -> Self {
            Starver {
                inner: RawFutex::new(),
                epoch: Instant::now(),
                last_other: AtomicU64::new(0),
            }
        }

        fn lock(&self) {
            if is_victim() {
                let quiet = QUIET.as_micros() as u64;
                // Relaxed: a timestamp; `inner` orders the data.
                while (self.epoch.elapsed().as_micros() as u64)
                    .saturating_sub(self.last_other.load(Ordering::Relaxed))
                    < quiet
                {
                    std::thread::yield_now();
                }
                self.inner.lock();
            } else {
                self.inner.lock();
                self.last_other
                    .store(self.epoch.elapsed().as_micros() as u64, Ordering::Relaxed);
            }
        }

        fn try_lock(&self) -> bool {
            self.inner.try_lock()
        }

        unsafe fn unlock(&self) {
            // SAFETY: the caller holds the lock, which is `inner`.
            unsafe { self.inner.unlock() }
        }

        fn is_locked(&self) -> bool {
            self.inner.is_locked()
        }

        fn is_contended(&self) -> bool {
            self.inner.is_contended()
        }
    }

    /// `Starver` needs a clock, which no const can hold; nothing here uses
    /// `INIT`.
    const fn unreachable_init() -> Starver {
        panic!("Starver has no const initialiser")
    }

    fn contention<L: RawLock + 'static>() -> Figures {
        let (tx, rx) = std::sync::mpsc::channel();
        watchdog::run("contention", Budget::default().watchdog, move |watch| {
            let figures =
                contention::measure::<L>(watch, "contention_4", 4, Duration::from_millis(300))?;
            tx.send(figures).expect("the test waits for it");
            Ok(())
        })
        .expect("the counts are right");
        rx.recv().expect("sent")
    }

    #[test]
    fn a_starved_thread_fails_the_contention_run() {
        let figures = contention::<Starver>();
        assert_eq!(figures.per_thread[0], 0, "{}", figures.line());
        let err = contention::check(&figures).expect_err("starvation must fail");
        assert!(format!("{err:#}").contains("never got the lock"), "{err:#}");
    }

    #[test]
    fn a_correct_lock_passes_the_same_run() {
        let figures = contention::<RawFutex>();
        contention::check(&figures).expect("futex starves nobody");
        assert_eq!(figures.per_thread.len(), 4);
    }

    #[test]
    fn a_starved_latecomer_fails_the_fairness_test() {
        let err = watchdog::run("fairness", Budget::default().watchdog, |watch| {
            fairness::run_within::<Starver>(watch, Duration::from_millis(300)).map(drop)
        })
        .expect_err("the latecomer is shut out");
        assert!(format!("{err:#}").contains("cannot acquire"), "{err:#}");
    }
}
