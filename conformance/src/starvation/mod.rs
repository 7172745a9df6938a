//! The starvation suite: does every waiter get the lock, and how evenly?
//! Trials named `<backend>::<case>`, run by `tests/starvation.rs`:
//!
//! * `contention_{4,8,16}`: fixed-time runs (see [`contention`]) that report
//!   total acquisitions, per-thread max/min with locktorture's flag, Jain's
//!   index, the max, p99.9 and median wait; they fail only on a lost
//!   increment or a thread starved for most of the run.
//! * `mutex_fairness`: Go's `TestMutexFairness` (see [`fairness`]).
//! * `bounded_wait`: a thread that comes back now and then, beside two that
//!   keep the lock busy, must get it within a limit (see [`bounded`]); held
//!   against backends that promise a bounded wait, a measurement for others.
//! * `spinbit::tail_wake_matters`: spinbit against the same lock with its
//!   tail wake switched off ([`NoTailWake`]), interleaved; the suite shows
//!   the worst wait and the smallest share with and without.
//!
//! Every number it fails on is in [`crate::budget`]. The figures go to
//! stdout and, for the xtask's report.json, to the directory
//! [`env::FIGURES_DIR`] names.
//!
//! [`env::FIGURES_DIR`]: lockyard_platforms::env::FIGURES_DIR

pub mod bounded;
pub mod contention;
pub mod fairness;
pub mod figures;

use crate::budget::{
    Budget, CONTENTION_RUN, FAIRNESS_ACQUISITIONS, STARVATION_RUN_THREADS, TAIL_WAKE_MIN_RATIO,
    TAIL_WAKE_ROUNDS, TAIL_WAKE_RUN, TAIL_WAKE_THREADS,
};
use crate::controls::NoTailWake;
use crate::promises::Promises;
use crate::watchdog::{Watch, trial};
use anyhow::ensure;
use figures::{Figures, human_ns};
use libtest_mimic::Trial;
use lockyard::RawLock;
use lockyard::spinbit::{Flavor, RawSpinbit, Standard};
use std::time::Duration;

/// `budget`'s scale applied to a run's length (never below a millisecond).
fn scaled(budget: &Budget, run: Duration) -> Duration {
    run.mul_f64(budget.scale).max(Duration::from_millis(1))
}

/// The starvation trials of backend `L`.
pub fn trials<L: RawLock + 'static>(promises: Promises, budget: &Budget) -> Vec<Trial> {
    let budget = *budget;
    let mut trials: Vec<Trial> = STARVATION_RUN_THREADS
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
    let bounded = trial(L::NAME, "bounded_wait", budget, |_, w| {
        let waits = bounded::measure::<L>(w)?;
        println!("{}", waits.line());
        bounded::check(&waits)
    });
    // Held where promised; a measurement for the rest (`--run-ignored all`).
    trials.push(bounded.with_ignored_flag(!promises.bounded_wait));
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
    //! Positive controls: a lock that starves one thread on purpose
    //! ([`Starver`]), which
    //! the contention runs and the fairness test must both catch, beside a
    //! correct lock that passes the same runs.

    use super::*;
    use crate::controls::Starver;
    use crate::watchdog;
    use lockyard::futex::RawFutex;

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
