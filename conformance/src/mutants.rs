//! Locks broken on purpose, and proof that the cases catch them: a suite
//! that cannot fail proves nothing.

use crate::budget::{Budget, MUTUAL_EXCLUSION_THREADS};
use crate::cases::{churn, lost_wakeup, misuse, mutual_exclusion, tail_wake, try_lock};
use crate::watchdog::{self, Watch};
use lockyard::RawLock;
use lockyard::futex::RawFutex;
use std::hint::spin_loop;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

/// A lock whose `lock` does nothing.
struct NoLock;

// SAFETY: it is not safe, on purpose: this lock excludes nobody, and the race
// it lets onto a guarded counter is the very failure the cases look for. Only
// these tests use it.
unsafe impl RawLock for NoLock {
    const NAME: &'static str = "no-lock";
    const INIT: Self = NoLock;

    fn new() -> Self {
        NoLock
    }
    fn lock(&self) {}
    fn try_lock(&self) -> bool {
        true
    }
    unsafe fn unlock(&self) {}
    fn is_locked(&self) -> bool {
        false
    }
    fn is_contended(&self) -> bool {
        false
    }
}

/// A tristate lock whose `unlock` never wakes a sleeper: waiters spin a
/// little, then sleep until a wake that never comes.
struct NoWake {
    state: AtomicU32,
}

const FREE: u32 = 0;
const HELD: u32 = 1;
const SLEEPERS: u32 = 2; // held, maybe sleepers
/// Tries before a waiter sleeps, like a real lock's spin phase.
const SPINS: u32 = 100;

// SAFETY: it does exclude (only a swap or compare-exchange from FREE takes
// it, with Acquire; unlock gives it back with Release); what it breaks on
// purpose is liveness, which these tests show the cases report.
unsafe impl RawLock for NoWake {
    const NAME: &'static str = "no-wake";
    const INIT: Self = NoWake {
        state: AtomicU32::new(FREE),
    };

    fn new() -> Self {
        Self::INIT
    }

    fn lock(&self) {
        loop {
            for _ in 0..SPINS {
                if self.try_lock() {
                    return;
                }
                spin_loop();
            }
            if self.state.swap(SLEEPERS, Ordering::Acquire) == FREE {
                return;
            }
            // Nobody unparks: only a spurious return ever ends this.
            std::thread::park();
        }
    }

    fn try_lock(&self) -> bool {
        self.state
            .compare_exchange(FREE, HELD, Ordering::Acquire, Ordering::Relaxed)
            .is_ok()
    }

    unsafe fn unlock(&self) {
        if self.state.swap(FREE, Ordering::Release) == FREE {
            panic!("{}", misuse::MESSAGE);
        }
    }

    fn is_locked(&self) -> bool {
        self.state.load(Ordering::Relaxed) != FREE
    }

    fn is_contended(&self) -> bool {
        self.state.load(Ordering::Relaxed) == SLEEPERS
    }

    fn state_word(&self) -> Option<usize> {
        Some(self.state.load(Ordering::Relaxed) as usize)
    }
}

/// Short deadlines, so each mutant fails within seconds; the waits a case
/// bounds itself (settle, starvation) end before the watchdog, so their own
/// errors come first.
const BUDGET: Budget = Budget {
    scale: 1.0,
    watchdog: Duration::from_secs(3),
    settle: Duration::from_secs(1),
    starvation: Duration::from_secs(1),
    hold: crate::budget::HOLD,
};

/// Runs `case` under the watchdog as the suite does and returns its error.
fn failure(
    name: &str,
    case: impl FnOnce(&Budget, &Watch) -> anyhow::Result<()> + Send + 'static,
) -> String {
    match watchdog::run(name, BUDGET.watchdog, move |w| case(&BUDGET, w)) {
        Ok(()) => panic!("{name} passed a broken lock"),
        Err(e) => format!("{e:#}"),
    }
}

#[test]
fn mutual_exclusion_catches_a_lock_that_does_not_lock() {
    for threads in MUTUAL_EXCLUSION_THREADS {
        let error = failure("no-lock::mutual_exclusion", move |b, w| {
            mutual_exclusion::run::<NoLock>(b, w, threads)
        });
        assert!(error.contains("mutual exclusion broken"), "{error}");
    }
}

#[test]
fn try_lock_catches_a_lock_that_does_not_lock() {
    let error = failure("no-lock::try_lock", try_lock::run::<NoLock>);
    assert!(error.contains("held without waiters"), "{error}");
}

#[test]
fn misuse_catches_an_unlock_that_does_not_panic() {
    let error = failure("no-lock::unlock_of_unlocked_lock", misuse::run::<NoLock>);
    assert!(error.contains("returned instead of panicking"), "{error}");
}

#[test]
fn lost_wakeups_hang_and_the_watchdog_reports_the_lock() {
    type Case = fn(&Budget, &Watch) -> anyhow::Result<()>;
    let cases: [(&str, Case); 2] = [
        (
            "no-wake::no_lost_wakeup_ping_pong",
            lost_wakeup::ping_pong::<NoWake>,
        ),
        (
            "no-wake::no_lost_wakeup_long_hold",
            lost_wakeup::long_hold::<NoWake>,
        ),
    ];
    for (name, case) in cases {
        let error = failure(name, case);
        assert!(
            error.starts_with(&format!("{name} hung")) && error.contains("no-wake word 0x"),
            "{error}"
        );
    }
}

#[test]
fn tail_wake_catches_a_lock_that_never_wakes_the_oldest_sleeper() {
    let error = failure("no-wake::oldest_sleeper_wakes", tail_wake::run::<NoWake>);
    assert!(error.contains("the oldest sleeper starved"), "{error}");
}

#[test]
fn churn_catches_threads_that_leave_no_waiter_node() {
    // futex sleeps in the kernel and never takes a node, so running it as if
    // it did stands in for a pool that loses the nodes of exiting threads.
    // Sound only in a process where nothing else took a node: nextest runs
    // each test in its own, and no other unit test here uses one.
    let error = failure("futex::thread_churn", |b, w| {
        churn::run::<RawFutex>(b, w, true)
    });
    assert!(error.contains("no idle waiter node"), "{error}");
}
