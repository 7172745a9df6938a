//! `no-wake`: a tristate lock that never wakes a sleeper, for the unit tests
//! that show the lost-wakeup and tail-wake cases catch one.

use crate::cases::misuse;
use lockyard::RawLock;
use std::hint::spin_loop;
use std::sync::atomic::{AtomicU32, Ordering};

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

// Memory ordering: Acquire to take, Release to give; Relaxed where a
// compare-exchange fails and in the probes, which only report.
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

mod tests {
    use super::*;
    use crate::budget::Budget;
    use crate::cases::{lost_wakeup, tail_wake};
    use crate::watchdog::{Watch, failure};

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
}
