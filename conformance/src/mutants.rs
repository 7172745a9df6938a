//! Positive controls: locks broken on purpose, each of which some suite
//! must catch. A suite that cannot fail proves nothing.
//!
//! They exist only in the harness. [`MUTANTS`] registers them so every
//! suite can run them, but only when [`env::MUTANTS`] is set (as `cargo xtask
//! mutants` does), never in a normal run. [`UNMUTATED`] runs beside them
//! under the same short budget: it must pass, or a "catch" says more about
//! the budget than the mutant.
//!
//! | control | broken how | who must catch it |
//! | --- | --- | --- |
//! | `busted` | `lock` does nothing (Linux locktorture's `lock_busted`) | every exclusion check |
//! | `lostwake` | spinbit whose unlock skips the wake it owes, 1 time in [`LOSTWAKE_PERIOD`] | the lost-wakeup cases (a hang) |
//! | `starving` | spinbit without tail wakes and with a spinner that never gives up | the starvation cases |
//! | `relaxed` | spinbit taking and giving the lock with Relaxed | loom (`impls/tests/loom_mutants.rs`); x86 and qemu cannot |
//! | `littlebyte` | spinbit's byte path on byte 0 of the word | big-endian ppc64 under qemu; right on little-endian |

use crate::budget::Budget;
use crate::registry::{Backend, Promises};
use lockyard::RawLock;
use lockyard::spinbit::{Flavor, RawSpinbit};
use lockyard_platforms::env;
use std::sync::atomic::{AtomicU32, Ordering};

/// Whether [`env::MUTANTS`] asks for the controls: set, and neither empty
/// nor `0`.
pub fn enabled() -> bool {
    std::env::var(env::MUTANTS).is_ok_and(|v| !v.is_empty() && v != "0")
}

/// The controls, then the unmutated reference that runs beside them.
pub static MUTANTS: &[Backend] = &[
    Backend::of::<Busted>(Promises::NONE),
    Backend::of::<RawSpinbit<LostWake>>(Promises::SPINBIT),
    Backend::of::<RawSpinbit<Starving>>(Promises::SPINBIT),
    Backend::of::<RawSpinbit<Relaxed>>(Promises::SPINBIT),
    Backend::of::<RawSpinbit<LittleByte>>(Promises::SPINBIT),
    Backend::of::<RawSpinbit<Unmutated>>(Promises::SPINBIT),
];

/// The name of the reference in [`MUTANTS`]: stock spinbit, renamed.
pub const UNMUTATED: &str = "unmutated";

/// The budget of a control's trials: `budget` with deadlines cut to the
/// mutant ones in [`crate::budget`], so a hang costs seconds, not a minute.
pub fn budget(budget: &Budget) -> Budget {
    Budget {
        watchdog: budget.watchdog.min(crate::budget::MUTANT_WATCHDOG),
        settle: budget.settle.min(crate::budget::MUTANT_SETTLE),
        starvation: budget.starvation.min(crate::budget::MUTANT_STARVATION),
        ..*budget
    }
}

/// `busted`: a lock whose `lock` does nothing.
pub struct Busted;

// SAFETY: it is not safe, on purpose: this lock excludes nobody, and the race
// it lets onto a guarded counter is the very failure the cases look for. Only
// the positive-control runs and these tests use it.
unsafe impl RawLock for Busted {
    const NAME: &'static str = "busted";
    const INIT: Self = Busted;

    fn new() -> Self {
        Busted
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

/// One unlock in this many that owes a wake skips it (`lostwake`).
pub const LOSTWAKE_PERIOD: u32 = 4;

/// `lostwake`: spinbit whose unlock skips the wake it owes, one time in
/// [`LOSTWAKE_PERIOD`] (a counter, not a draw, so it always happens).
pub struct LostWake;
impl Flavor for LostWake {
    const NAME: &'static str = "lostwake";
    const XCHG8: bool = lockyard::SPINBIT_XCHG8;
    fn skip_wake() -> bool {
        static OWED: AtomicU32 = AtomicU32::new(0);
        // Relaxed: a counter; which unlock skips does not matter.
        OWED.fetch_add(1, Ordering::Relaxed)
            .is_multiple_of(LOSTWAKE_PERIOD)
    }
}

/// `starving`: spinbit without tail wakes, whose spinner spins on (for
/// [`STARVING_SPIN`] rounds of pauses) instead of going to sleep.
pub struct Starving;
/// Rounds the `starving` spinner spins: hours, in effect.
pub const STARVING_SPIN: u32 = 1 << 30;
impl Flavor for Starving {
    const NAME: &'static str = "starving";
    const XCHG8: bool = lockyard::SPINBIT_XCHG8;
    const ACTIVE_SPIN: u32 = STARVING_SPIN;
    fn tail_wake() -> bool {
        false
    }
}

/// `relaxed`: spinbit that takes and gives the lock with Relaxed, so the
/// critical sections of successive holders are not ordered. Word path, as
/// its loom model is.
pub struct Relaxed;
impl Flavor for Relaxed {
    const NAME: &'static str = "relaxed";
    const XCHG8: bool = false;
    const TAKE: Ordering = Ordering::Relaxed;
    const GIVE: Ordering = Ordering::Relaxed;
}

/// `littlebyte`: spinbit's byte path swapping byte 0 of the word, which
/// holds the flag bits only on a little-endian target.
pub struct LittleByte;
impl Flavor for LittleByte {
    const NAME: &'static str = "littlebyte";
    // Every runnable target has the byte swap; elsewhere this is the word
    // path, and the control has nothing to break.
    const XCHG8: bool = lockyard::HAS_XCHG8;
    const FLAG_BYTE_OFFSET: usize = 0;
}

/// Stock spinbit under another name, run beside the controls.
pub struct Unmutated;
impl Flavor for Unmutated {
    const NAME: &'static str = UNMUTATED;
    const XCHG8: bool = lockyard::SPINBIT_XCHG8;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::budget::MUTUAL_EXCLUSION_THREADS;
    use crate::cases::{churn, lost_wakeup, misuse, mutual_exclusion, tail_wake, try_lock};
    use crate::watchdog::{self, Watch};
    use lockyard::futex::RawFutex;
    use std::hint::spin_loop;
    use std::time::Duration;

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
            let error = failure("busted::mutual_exclusion", move |b, w| {
                mutual_exclusion::run::<Busted>(b, w, threads)
            });
            assert!(error.contains("mutual exclusion broken"), "{error}");
        }
    }

    #[test]
    fn try_lock_catches_a_lock_that_does_not_lock() {
        let error = failure("busted::try_lock", try_lock::run::<Busted>);
        assert!(error.contains("held without waiters"), "{error}");
    }

    #[test]
    fn misuse_catches_an_unlock_that_does_not_panic() {
        let error = failure("busted::unlock_of_unlocked_lock", misuse::run::<Busted>);
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
}
