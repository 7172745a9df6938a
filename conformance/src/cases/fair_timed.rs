//! The cases for lock_api's fair and timed locking, for backends that have
//! them: `timeouts_honoured`, `timeout_storm` and `fair_unlock_hands_off`.

use crate::budget::{
    Budget, FAIR_ROUNDS, FAIR_SETTLE, STORM_ATTEMPTS, STORM_MAX_GAP, STORM_MAX_HOLD,
    STORM_MAX_TIMEOUT, STORM_THREADS, TIMEOUT_LATE, TIMEOUTS,
};
use crate::guarded::Guarded;
use crate::wait;
use crate::watchdog::{self, Watch, lock_state};
use crate::workers::{join, spawn};
use crate::xorshift::Xorshift;
use anyhow::ensure;
use libtest_mimic::Trial;
use lock_api::{RawMutex, RawMutexFair, RawMutexTimed};
use lockyard::RawLock;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// What the cases need beyond [`RawLock`]: lock_api's fair and timed
/// traits, on std's clock. Not lockyard's own `RawLockFair` and
/// `RawLockTimed` (which lockyard's unit tests and loom models use): these
/// cases check the surface users call, lock_api's, which is also the one a
/// lock from outside lockyard has.
pub trait FairTimed:
    RawLock + RawMutexFair + RawMutexTimed<Duration = Duration, Instant = Instant>
{
}
impl<L> FairTimed for L where
    L: RawLock + RawMutexFair + RawMutexTimed<Duration = Duration, Instant = Instant>
{
}

/// The fair and timed trials of backend `L`.
pub fn trials<L: FairTimed + 'static>(budget: &Budget) -> Vec<Trial> {
    let budget = *budget;
    vec![
        watchdog::trial(L::NAME, "timeouts_honoured", budget, timeouts_honoured::<L>),
        watchdog::trial(L::NAME, "timeout_storm", budget, timeout_storm::<L>),
        watchdog::trial(
            L::NAME,
            "fair_unlock_hands_off",
            budget,
            fair_unlock_hands_off::<L>,
        ),
    ]
}

/// Against a holder that never lets go, each of [`TIMEOUTS`] fails no
/// earlier than asked and no later than [`TIMEOUT_LATE`] after, and a
/// deadline already past fails at once; then, the lock free, a timed lock
/// succeeds and the lock is left idle, no timed-out sleeper behind.
///
/// # Errors
///
/// At the first timed lock that succeeds while held, returns early or
/// returns absurdly late, or if the lock is not idle at the end.
pub fn timeouts_honoured<L: FairTimed + 'static>(_: &Budget, watch: &Watch) -> anyhow::Result<()> {
    let shared = Arc::new(Guarded::<L>::default());
    watch.watch(&shared);
    let lock = &shared.lock;
    let held = RawMutex::lock(lock);
    let outcomes = std::thread::scope(|s| {
        join(spawn(s, "timed", || {
            let mut outcomes = Vec::new();
            for timeout in TIMEOUTS {
                let began = Instant::now();
                let got = lock.try_lock_for(timeout);
                outcomes.push((timeout, got.is_some(), began.elapsed()));
            }
            let began = Instant::now();
            let got = lock.try_lock_until(began - Duration::from_millis(1));
            outcomes.push((Duration::ZERO, got.is_some(), began.elapsed()));
            outcomes
        })?)
    })?;
    // SAFETY: the guard of the lock taken above.
    unsafe { RawMutex::unlock(lock, held) };
    for (timeout, got, took) in outcomes {
        ensure!(
            !got,
            "a timed lock of {timeout:?} succeeded while another thread held the lock"
        );
        ensure!(
            took >= timeout,
            "a timed lock of {timeout:?} gave up after only {took:?}"
        );
        ensure!(
            took <= timeout + TIMEOUT_LATE,
            "a timed lock of {timeout:?} took {took:?} to give up, more than {TIMEOUT_LATE:?} late"
        );
    }
    let got = std::thread::scope(|s| {
        join(spawn(s, "timed", || {
            match lock.try_lock_for(TIMEOUT_LATE) {
                Some(guard) => {
                    // SAFETY: the guard of the lock just taken.
                    unsafe { RawMutex::unlock(lock, guard) };
                    true
                }
                None => false,
            }
        })?)
    })?;
    ensure!(
        got,
        "a timed lock failed on a free lock: {}",
        lock_state(lock)
    );
    shared.check(0)
}

/// [`STORM_THREADS`] threads make timed locks of 0 to
/// [`STORM_MAX_TIMEOUT`], [`STORM_MAX_GAP`] apart, while a holder takes the
/// lock for up to [`STORM_MAX_HOLD`] at a time: every success and every hold counts once
/// under the lock, no two holders meet, and once all have left the lock is
/// idle (a timed-out sleeper left on the stack shows as contended, or hangs
/// the final lock).
///
/// # Errors
///
/// If the counts are off, two holders met, or the lock is not idle.
pub fn timeout_storm<L: FairTimed + 'static>(budget: &Budget, watch: &Watch) -> anyhow::Result<()> {
    let shared = Arc::new(Guarded::<L>::default());
    watch.watch(&shared);
    let attempts = ((STORM_ATTEMPTS as f64 * budget.scale) as usize).max(16);
    let stop = AtomicBool::new(false);
    let won = AtomicU64::new(0);
    let held = std::thread::scope(|s| -> anyhow::Result<u64> {
        let holder = spawn(s, "holder", || {
            let mut draw = Xorshift::new(0, STORM_THREADS);
            let mut holds = 0;
            // Relaxed: a stop flag; the lock orders the counter.
            while !stop.load(Ordering::Relaxed) {
                RawLock::lock(&shared.lock);
                // SAFETY: locked just above.
                unsafe { shared.critical_section() };
                spin_for(draw.micros(STORM_MAX_HOLD));
                // SAFETY: locked by this thread above.
                unsafe { RawLock::unlock(&shared.lock) };
                holds += 1;
                spin_for(draw.micros(STORM_MAX_GAP));
            }
            holds
        })?;
        let stormers = (0..STORM_THREADS)
            .map(|t| {
                let (shared, won) = (&shared, &won);
                spawn(s, &format!("timed-{t}"), move || {
                    let mut draw = Xorshift::new(1, t);
                    for _ in 0..attempts {
                        if let Some(guard) =
                            shared.lock.try_lock_for(draw.micros(STORM_MAX_TIMEOUT))
                        {
                            // SAFETY: the lock was just taken.
                            unsafe { shared.critical_section() };
                            // SAFETY: the guard of the lock just taken.
                            unsafe { RawMutex::unlock(&shared.lock, guard) };
                            // Relaxed: a tally read after the joins.
                            won.fetch_add(1, Ordering::Relaxed);
                        }
                        spin_for(draw.micros(STORM_MAX_GAP));
                    }
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        for stormer in stormers {
            join(stormer)?;
        }
        stop.store(true, Ordering::Relaxed);
        join(holder)
    })?;
    let won = won.load(Ordering::Relaxed);
    println!(
        "{} timeout_storm: {won} of {} timed locks won, the holder held {held} times",
        L::NAME,
        attempts * STORM_THREADS
    );
    shared.check(held + won)
}

/// With a waiter asleep on the lock, a fair unlock followed at once by the
/// unlocker's own lock must let the waiter in first, [`FAIR_ROUNDS`] times;
/// with nobody waiting it is an ordinary unlock.
///
/// # Errors
///
/// If the unlocker got the lock back before the waiter, or a fair unlock
/// with nobody waiting left the lock held.
pub fn fair_unlock_hands_off<L: FairTimed + 'static>(
    budget: &Budget,
    watch: &Watch,
) -> anyhow::Result<()> {
    let shared = Arc::new(Guarded::<L>::default());
    watch.watch(&shared);
    let lock = &shared.lock;
    for round in 0..FAIR_ROUNDS {
        let waiter_in = AtomicBool::new(false);
        let guard = RawMutex::lock(lock);
        let unlocker_saw = std::thread::scope(|s| -> anyhow::Result<bool> {
            let waiter = spawn(s, "waiter", || {
                RawLock::lock(lock);
                // Relaxed: the lock orders it before the unlocker's read.
                waiter_in.store(true, Ordering::Relaxed);
                // SAFETY: locked just above.
                unsafe { RawLock::unlock(lock) };
            })?;
            let asleep = wait::until_or(budget.settle, || lock.is_contended());
            ensure!(
                asleep,
                "round {round}: the waiter never showed as asleep: {}",
                lock_state(lock)
            );
            std::thread::sleep(FAIR_SETTLE);
            // SAFETY: the guard of the lock taken above.
            unsafe { RawMutexFair::unlock_fair(lock, guard) };
            let again = RawMutex::lock(lock);
            // Relaxed: the lock ordered the waiter's store before this.
            let saw = waiter_in.load(Ordering::Relaxed);
            // SAFETY: the guard of the lock just taken.
            unsafe { RawMutex::unlock(lock, again) };
            join(waiter)?;
            Ok(saw)
        })?;
        ensure!(
            unlocker_saw,
            "round {round}: after a fair unlock the unlocker took the lock back before the \
             sleeping waiter: {}",
            lock_state(lock)
        );
    }
    let guard = RawMutex::lock(lock);
    // SAFETY: the guard of the lock just taken.
    unsafe { RawMutexFair::unlock_fair(lock, guard) };
    ensure!(
        !RawLock::is_locked(lock),
        "a fair unlock with nobody waiting left the lock held: {}",
        lock_state(lock)
    );
    shared.check(0)
}

/// Busy-waits `time`: the storm's holds and gaps are shorter than a sleep's
/// timer slack.
fn spin_for(time: Duration) {
    let until = Instant::now() + time;
    while Instant::now() < until {
        std::hint::spin_loop();
    }
}

impl Xorshift {
    /// A draw of 0 to `max`, in whole microseconds.
    fn micros(&mut self, max: Duration) -> Duration {
        Duration::from_micros(self.below(max.as_micros() as usize + 1) as u64)
    }
}
