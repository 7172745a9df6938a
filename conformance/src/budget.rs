//! Every deadline and iteration count of the suite, in one place.
//!
//! Two kinds of number live here, sized for the machines the suite runs on:
//! shared 2-core hosts, natively and under qemu-user, which runs guest code
//! many times slower and schedules guest threads as host threads.
//!
//! * **Deadlines** bound a wait for something that must happen. Missing one
//!   is a failure, so each sits far above any legitimate wait: a loaded
//!   2-core machine can deschedule a thread for tens of milliseconds, and
//!   qemu stretches every step. They are never scaled.
//! * **Counts** say how much work a case does, sized so that CI (6 targets ×
//!   3 backends under qemu-user, run by nextest two at a time) stays under
//!   ten minutes.
//!
//! `LOCKYARD_SCALE` ([`env::SCALE`]), a positive float, default 1.0,
//! multiplies every count, never a deadline: the xtask lowers it under qemu,
//! and a soak run raises it. Thread counts are part of a case's shape, not its
//! length, and are not scaled either; a scaled count never drops below 1.

use anyhow::{Context, ensure};
use lockyard_platforms::env;
use std::time::Duration;

/// How long a case may run before the watchdog calls it hung. A case takes
/// well under a second natively and a few seconds under qemu; 60 s leaves
/// room for a slow emulator on a busy machine without letting a hang stall
/// CI (nextest's own timeout for the suite must be longer, or it kills the
/// test before the watchdog names the lock state).
pub const WATCHDOG: Duration = Duration::from_secs(60);

/// How long to wait for another thread to reach a state, such as a waiter
/// falling asleep: it spins for microseconds first, but may not even be
/// scheduled for a while on a loaded 2-core machine.
pub const SETTLE: Duration = Duration::from_secs(20);

/// How long the oldest sleeper may wait for the lock under constant
/// contention before it counts as starved: far above the tens of
/// milliseconds spinbit's tail wake keeps it waiting natively.
pub const STARVATION: Duration = Duration::from_secs(20);

/// How long a holder keeps the lock so that waiters give up spinning and
/// sleep: they spin for a few hundred pause instructions and one yield, so
/// 2 ms is orders of magnitude more, even under qemu.
pub const HOLD: Duration = Duration::from_millis(2);

/// Pause instructions between reading the guarded counter and writing it
/// back: a window in which a second holder, if the lock let one in, loses an
/// update and trips the overlap flag.
pub const SECTION_PAUSES: u32 = 4;
/// One increment in this many sleeps for [`SECTION_NAP`] inside that window.
/// On a busy machine a peer may sit queued behind another process while one
/// thread runs its whole loop, so the two never meet (a do-nothing lock
/// passed 2-thread runs that way); a holder that sleeps frees its core, the
/// scheduler pulls the peer onto it, and the peer runs into the held lock,
/// which a correct lock keeps it out of, on its sleeping path.
pub const NAP_EVERY: u64 = 256;
/// See [`NAP_EVERY`]; the OS rounds it up to its timer slack, ~50 µs.
pub const SECTION_NAP: Duration = Duration::from_micros(10);

/// Acquisitions per mutual-exclusion case, shared among its threads.
pub const MUTUAL_EXCLUSION_ACQUISITIONS: usize = 100_000;
/// Thread counts of the mutual-exclusion cases, one case each.
pub const MUTUAL_EXCLUSION_THREADS: [usize; 4] = [2, 4, 8, 16];

/// Handoffs of the lock between the two ping-pong threads.
pub const PING_PONG_HANDOFFS: usize = 4_000;
/// One ping-pong handoff in this many waits for the waiter to fall asleep
/// first (bounded by [`HOLD`]); the others catch it spinning or arriving.
pub const PING_PONG_SLOW_EVERY: usize = 8;

/// Rounds of the long-hold case: a holder keeps the lock for [`HOLD`] while
/// waiters fall asleep, then every waiter must acquire.
pub const LONG_HOLD_ROUNDS: usize = 25;
/// Waiters per long-hold round.
pub const LONG_HOLD_WAITERS: usize = 6;

/// Short-lived threads of the churn case, started in waves.
pub const CHURN_THREADS: usize = 1_024;
/// Threads alive at once in the churn case.
pub const CHURN_WAVE: usize = 8;
/// Acquisitions per churn thread before it exits.
pub const CHURN_ACQUISITIONS: usize = 16;
/// Most idle waiter nodes the churn may add to the pool. More than the suite
/// ever runs at once (16 threads a case, a couple of cases in one process):
/// a pool that grows past it is not recycling nodes.
pub const CHURN_POOL_GROWTH: usize = 64;

/// Rounds of the many-locks case, each on freshly allocated locks.
pub const MANY_LOCKS_ROUNDS: usize = 64;
/// Locks per many-locks round.
pub const MANY_LOCKS: usize = 16;
/// Threads per many-locks round.
pub const MANY_LOCKS_THREADS: usize = 4;
/// Acquisitions per thread per many-locks round, each on a random lock.
pub const MANY_LOCKS_ACQUISITIONS: usize = 256;

/// Threads that use the lock after a misuse, to show it still works.
pub const MISUSE_THREADS: usize = 2;
/// Acquisitions each of them makes.
pub const MISUSE_ACQUISITIONS: usize = 1_000;

/// Threads that take the lock over and over while the oldest sleeper waits.
pub const STARVATION_HAMMERS: usize = 4;
/// How long each of them holds the lock, busy: longer than a waiter spins
/// (a few microseconds), so the others sleep and the stack stays deep.
pub const HAMMER_HOLD: Duration = Duration::from_micros(20);

// The starvation suite (`tests/starvation.rs`, module `starvation`). Its
// contention runs are Go's MutexContention loop (lock, count and record the
// wait, unlock, nothing between) for a fixed time, not a count, so that a
// starved thread shows as a wait as long as the run. It fails only on what
// no noise explains: a thread that never got the lock in the whole run. The
// figures (max and p99.9 wait, Jain's index, min/max share) are reported,
// never asserted: on a shared 2-core machine 8 or 16 threads also wait their
// turn for a CPU, so even a correct lock's worst wait swings widely.

/// Thread counts of the starvation suite's fixed-time contention runs, one
/// trial each (not Go's MutexContention counts, which are the throughput
/// suite's).
pub const STARVATION_RUN_THREADS: [usize; 3] = [4, 8, 16];
/// How long each contention run lasts at scale 1.0. The one count the
/// starvation suite scales; under qemu the xtask halves it.
pub const CONTENTION_RUN: Duration = Duration::from_secs(1);
/// Backends whose starved threads the suite reports but does not fail on:
/// `spin`, the test-and-test-and-set spinlock peer, promises nothing about
/// fairness, and on 2 cores with 8+ threads a thread preempted while others
/// spin misses the lock for the whole run. It is in the suite to show
/// exactly that.
pub const NOT_HELD_TO_FAIRNESS: &[&str] = &["spin"];

// Go's TestMutexFairness (`starvation::fairness`), held against every
// lockyard backend (`Promises::latecomer_gets_in`). None has a handoff mode;
// what lets the latecomer in is that a woken waiter does not yield before
// retaking the lock (lockyard's `primitive::passive_spin`).

/// Go's TestMutexFairness: the hog holds the lock this long each time.
pub const FAIRNESS_HOLD: Duration = Duration::from_micros(100);
/// ... and the other thread needs this many acquisitions, each after
/// sleeping [`FAIRNESS_HOLD`] outside the lock ...
pub const FAIRNESS_ACQUISITIONS: usize = 10;
/// ... within this deadline (Go's 10 s; not scaled): orders of magnitude
/// above a pass, room for a loaded machine or qemu.
pub const FAIRNESS_DEADLINE: Duration = Duration::from_secs(10);

// The bounded-wait check (`starvation::bounded`), held against backends
// that promise a bounded wait (`Promises::bounded_wait`: spinbit-bounded,
// whose bound is 1 ms) and run as a measurement for the others.

/// How long each of the two hammers holds the lock, busy: far longer than a
/// waiter spins, so a woken sleeper that finds the lock held sleeps again.
pub const BOUNDED_HAMMER_HOLD: Duration = Duration::from_micros(100);
/// How long the victim stays away between its acquisitions, so that each
/// one starts from sleep under the hammers' traffic.
pub const BOUNDED_VICTIM_PAUSE: Duration = Duration::from_millis(1);
/// The victim's acquisitions.
pub const BOUNDED_ACQUISITIONS: usize = 40;
/// The longest the victim may wait. A handoff after 1 ms, the hammer's
/// 100 µs section and a wake make about 1.5 ms; the limit is over ten times
/// that, room for a loaded machine and qemu, and still well below what a
/// lock without a bound makes the victim wait here (spinbit: tens to
/// hundreds of milliseconds, see the README's figures).
pub const BOUNDED_WAIT_LIMIT: Duration = Duration::from_millis(20);

/// Rounds of the tail-wake comparison: spinbit with and without its tail
/// wake, interleaved, each an 8-thread run of [`TAIL_WAKE_RUN`].
pub const TAIL_WAKE_ROUNDS: usize = 2;
/// How long each run of the tail-wake comparison lasts, never scaled.
/// Without tail wakes the worst wait is about the whole run (a thread is
/// shut out), so the run's length bounds the ratio this shows: 1 s leaves
/// room for [`TAIL_WAKE_MIN_RATIO`] over spinbit's worst wait natively and
/// under qemu alike.
pub const TAIL_WAKE_RUN: Duration = Duration::from_secs(1);
/// Threads of the tail-wake comparison.
pub const TAIL_WAKE_THREADS: usize = 8;
/// How many times longer the worst wait without tail wakes must be than the
/// worst wait with them (the larger of each side over its rounds). The issue
/// targets 10× on the x86_64 host; the test asks for 2×, so that a noisy
/// machine cannot fail it, while a tail wake that does nothing (both sides
/// alike) still does.
pub const TAIL_WAKE_MIN_RATIO: f64 = 2.0;

/// The watchdog of a positive control's trials (see `controls`): a control
/// that loses a wakeup hangs for good, so a short wait tells as much as a
/// long one. It must still outlast every deadline a case sets itself (the
/// starvation suite's fairness deadline is 10 s), or a slow pass would count
/// as a catch; `cargo xtask mutants` runs the controls at scale 0.25, where
/// the whole conformance suite takes a fraction of it even under qemu.
pub const CONTROL_WATCHDOG: Duration = Duration::from_secs(15);
/// [`SETTLE`] for a positive control's trials.
pub const CONTROL_SETTLE: Duration = Duration::from_secs(4);
/// [`STARVATION`] for a positive control's trials: still far above the
/// oldest sleeper's wait with spinbit's tail wake.
pub const CONTROL_STARVATION: Duration = Duration::from_secs(4);

/// Rounds of the signal case: a holder keeps the lock for [`HOLD`] while
/// waiters sleep in it and a signaller interrupts their waits.
pub const SIGNAL_ROUNDS: usize = 25;
/// Waiters per signal-case round.
pub const SIGNAL_WAITERS: usize = 4;
/// Acquisitions each waiter makes per round, so waiters also queue behind
/// each other, not only behind the holder.
pub const SIGNAL_ACQUISITIONS: usize = 8;
/// Pause between two sweeps of the signaller (a signal to every waiter):
/// many signals per [`HOLD`], few enough that waiters still get to sleep.
pub const SIGNAL_GAP: Duration = Duration::from_micros(200);

// The fair and timed cases (lock_api's RawMutexFair and RawMutexTimed).

/// The timeouts `timeouts_honoured` waits out against a holder.
pub const TIMEOUTS: [Duration; 3] = [
    Duration::from_millis(1),
    Duration::from_millis(5),
    Duration::from_millis(20),
];
/// How late past its timeout a failed timed lock may return: the OS's timer
/// slack and a wake on a loaded 2-core machine or under qemu are
/// milliseconds; half a second is absurd for any of them.
pub const TIMEOUT_LATE: Duration = Duration::from_millis(500);
/// Threads of the timeout storm, each making [`STORM_ATTEMPTS`] timed locks.
pub const STORM_THREADS: usize = 4;
/// Timed lock attempts per storm thread at scale 1.
pub const STORM_ATTEMPTS: usize = 2_000;
/// The longest timeout a storm attempt draws (each draws 0 to this).
pub const STORM_MAX_TIMEOUT: Duration = Duration::from_micros(200);
/// The longest the storm's holder keeps the lock (each hold draws 0 to
/// this): around the timeouts, so attempts both win and time out, asleep
/// and spinning.
pub const STORM_MAX_HOLD: Duration = Duration::from_micros(300);
/// The longest the holder stays away, and a timed thread between attempts
/// (each gap draws 0 to this): short, so the holder is back before most
/// timeouts end.
pub const STORM_MAX_GAP: Duration = Duration::from_micros(50);
/// Rounds of `fair_unlock_hands_off`.
pub const FAIR_ROUNDS: usize = 10;
/// How long the fair-unlock case lets its waiter settle once the lock says
/// it is contended: a futex waiter has swapped SLEEPING a moment before it
/// counts as asleep. Generous, so a slow machine still has it asleep.
pub const FAIR_SETTLE: Duration = Duration::from_millis(20);

// The runtime-grade cases (issue 10): where a runtime lock must work.

/// Threads that allocate and free while the global allocator takes the lock
/// under test around every call (the `global_allocator` case).
pub const ALLOCATOR_THREADS: usize = 8;
/// Rounds each of them makes; a round allocates a growing string, a growing
/// vector, a box and a zeroed buffer, some 15 allocator calls in all.
pub const ALLOCATOR_ROUNDS: usize = 2_000;
/// Pieces written into each round's string, one `write!` each.
pub const ALLOCATOR_WORDS: usize = 8;
/// Elements pushed onto each round's vector (it reallocates as it grows).
pub const ALLOCATOR_PUSHES: usize = 64;

/// Rounds of the thread-local-destructor case, each with fresh threads.
pub const TLS_ROUNDS: usize = 16;
/// Threads per round, each locking from its thread-local destructor.
pub const TLS_THREADS: usize = 8;
/// Acquisitions each thread makes before it exits ...
pub const TLS_BODY_ACQUISITIONS: usize = 64;
/// ... and from its destructor, the first against a lock held elsewhere.
pub const TLS_EXIT_ACQUISITIONS: usize = 64;

/// Rounds of the foreign-thread case, each with fresh threads.
pub const FOREIGN_ROUNDS: usize = 8;
/// Threads per round made with `pthread_create`, outside Rust's thread
/// setup ...
pub const FOREIGN_THREADS: usize = 4;
/// ... and Rust threads contending with them.
pub const FOREIGN_RUST_THREADS: usize = 4;
/// Acquisitions per thread per round.
pub const FOREIGN_ACQUISITIONS: usize = 2_000;

/// The budget one run of the suite works to.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Budget {
    /// Multiplies every count ([`env::SCALE`]).
    pub scale: f64,
    /// See [`WATCHDOG`].
    pub watchdog: Duration,
    /// See [`SETTLE`].
    pub settle: Duration,
    /// See [`STARVATION`].
    pub starvation: Duration,
    /// See [`HOLD`].
    pub hold: Duration,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            scale: 1.0,
            watchdog: WATCHDOG,
            settle: SETTLE,
            starvation: STARVATION,
            hold: HOLD,
        }
    }
}

impl Budget {
    /// The default budget with the scale read from [`env::SCALE`].
    ///
    /// # Errors
    ///
    /// If the variable is set but is not a positive finite number.
    pub fn from_env() -> anyhow::Result<Budget> {
        let scale = match std::env::var(env::SCALE) {
            Err(std::env::VarError::NotPresent) => 1.0,
            Ok(text) => parse_scale(&text)?,
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", env::SCALE)),
        };
        Ok(Budget {
            scale,
            ..Budget::default()
        })
    }

    /// This budget with its deadlines cut to the positive controls' ones
    /// ([`CONTROL_WATCHDOG`] and the two beside it), so a control's hang
    /// costs seconds, not a minute.
    pub fn for_controls(&self) -> Budget {
        Budget {
            watchdog: self.watchdog.min(CONTROL_WATCHDOG),
            settle: self.settle.min(CONTROL_SETTLE),
            starvation: self.starvation.min(CONTROL_STARVATION),
            ..*self
        }
    }

    /// `base` scaled, at least 1.
    pub fn count(&self, base: usize) -> usize {
        ((base as f64 * self.scale).round() as usize).max(1)
    }
}

fn parse_scale(text: &str) -> anyhow::Result<f64> {
    let scale: f64 = text
        .trim()
        .parse()
        .with_context(|| format!("cannot parse {}={text:?} as a number", env::SCALE))?;
    ensure!(
        scale.is_finite() && scale > 0.0,
        "{}={text:?} must be a positive number, such as 0.25 under qemu",
        env::SCALE
    );
    Ok(scale)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_accepts_positive_numbers_only() {
        assert_eq!(parse_scale(" 0.25 ").unwrap(), 0.25);
        for bad in ["0", "-1", "inf", "NaN", "fast", ""] {
            assert!(parse_scale(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn counts_scale_but_never_reach_zero() {
        let budget = Budget {
            scale: 0.25,
            ..Budget::default()
        };
        assert_eq!(budget.count(1_000), 250);
        assert_eq!(budget.count(1), 1);
        assert_eq!(Budget::default().count(7), 7);
    }
}
