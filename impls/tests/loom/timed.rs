//! Loom models of timed locking: a sleeper's timeout racing the unlock that
//! pops it (sema and spinbit, whose sleepers leave the stack themselves),
//! and futex's, whose kernel keeps them. Under loom a timed wait times out
//! at once (`os/loom.rs`), so the model explores where among the holder's
//! steps the timeout lands: before the pop (the sleeper unlinks itself),
//! after it (it must take the wake it is owed), or not at all (it gets the
//! lock). Either way the counts are exact, an untimed lock after it still
//! works, and no sleeper is left on the stack.

use super::Guarded;
use lockyard::futex::RawFutex;
use lockyard::sema::RawSema;
use lockyard::spinbit::{Flavor, RawSpinbit, Standard};
use lockyard::{RawLock, RawLockTimed};
use loom::sync::Arc;
use loom::thread;
use std::time::{Duration, Instant};

/// The main thread holds the lock while the other makes a timed lock and
/// then an untimed one; the main thread lets go, once the other shows as
/// asleep and `linger` more turns have passed, and locks once more.
pub(crate) fn timeout_against_pop<L: RawLockTimed + 'static>(linger: usize) {
    // Std atomics, outside the model: which outcomes the executions reached.
    let outcomes = std::sync::Arc::new([
        std::sync::atomic::AtomicUsize::new(0),
        std::sync::atomic::AtomicUsize::new(0),
    ]);
    let seen = std::sync::Arc::clone(&outcomes);
    loom::model(move || {
        let shared = Arc::new(Guarded::<L>::new());
        shared.lock.lock();
        let timed = {
            let shared = Arc::clone(&shared);
            thread::spawn(move || {
                // Far off for the clock; loom times the wait out at once.
                let got = shared
                    .lock
                    .try_lock_until(Instant::now() + Duration::from_secs(60));
                if got {
                    // SAFETY: the timed lock just succeeded.
                    shared.data.with_mut(|p| unsafe { *p += 1 });
                    // SAFETY: locked just above on this thread.
                    unsafe { shared.lock.unlock() };
                }
                // A node left on the stack, or a wake left owed, breaks this.
                shared.increment();
                got
            })
        };
        // Give the timed thread a bounded number of turns to go to sleep
        // (an unbounded poll is a spin lock loom cannot finish exploring):
        // the executions where it does are the ones where its timeout races
        // our unlock's pop.
        let wait_for_sleeper = || {
            for _ in 0..super::POLLS {
                if shared.lock.is_contended() {
                    break;
                }
                thread::yield_now();
            }
        };
        wait_for_sleeper();
        for _ in 0..linger {
            thread::yield_now();
        }
        // SAFETY: locked above on this thread.
        unsafe { shared.lock.unlock() };
        // Again, so that the timed thread's untimed lock sleeps too: a wake
        // it was owed and never took would end that sleep early, and a node
        // it left on the stack would be pushed twice.
        shared.lock.lock();
        // SAFETY: locked just above on this thread.
        shared.data.with_mut(|p| unsafe { *p += 1 });
        wait_for_sleeper();
        // SAFETY: locked above on this thread.
        unsafe { shared.lock.unlock() };
        let got = timed.join().unwrap();
        seen[usize::from(got)].fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        assert_eq!(shared.value(), 2 + usize::from(got));
        assert!(!shared.lock.is_locked());
        assert!(!shared.lock.is_contended(), "a sleeper was left behind");
    });
    let [timed_out, got] = outcomes
        .each_ref()
        .map(|n| n.load(std::sync::atomic::Ordering::Relaxed));
    println!(
        "{}: {timed_out} executions timed out, {got} got the lock",
        L::NAME
    );
    assert!(
        timed_out > 0 && got > 0,
        "the model never reached both outcomes ({timed_out} timed out, {got} got the lock): it proves nothing"
    );
}

/// futex's waiter spins again after its timed wait before it gives up, and
/// every spin is a turn for the holder's unlock: the holder lingers a few
/// turns so that some executions see the timeout win.
#[test]
fn futex_timeout_against_unlock() {
    timeout_against_pop::<RawFutex>(FUTEX_LINGER);
}

/// Turns the holder lingers for futex: enough for the waiter's spin rounds
/// after its wait in some executions, not in others.
const FUTEX_LINGER: usize = 4;

#[test]
fn sema_timeout_against_pop() {
    timeout_against_pop::<RawSema>(0);
}

#[test]
fn spinbit_timeout_against_pop() {
    timeout_against_pop::<RawSpinbit<Standard>>(0);
}

/// An untimed sleeper under a timed one whose timeout lands while the
/// holder unlocks: the timed sleeper's leave holds the stack lock, and the
/// unlock that meets it must not drop the wake the untimed sleeper is owed
/// (it stays asleep for good, which loom reports as a deadlock). Two deep,
/// so at the two-deep models' preemption bound.
fn leave_against_unlock<F: Flavor>() {
    super::capped::capped(super::TWO_DEEP_PREEMPTIONS).check(|| {
        let shared = Arc::new(Guarded::<RawSpinbit<F>>::new());
        shared.lock.lock();
        let untimed = {
            let shared = Arc::clone(&shared);
            thread::spawn(move || shared.increment())
        };
        for _ in 0..super::POLLS {
            if shared.lock.is_contended() {
                break;
            }
            thread::yield_now();
        }
        let timed = {
            let shared = Arc::clone(&shared);
            thread::spawn(move || {
                // Far off for the clock; loom times the wait out at once.
                if shared
                    .lock
                    .try_lock_until(Instant::now() + Duration::from_secs(60))
                {
                    // SAFETY: the timed lock just succeeded.
                    shared.data.with_mut(|p| unsafe { *p += 1 });
                    // SAFETY: locked just above on this thread.
                    unsafe { shared.lock.unlock() };
                    1
                } else {
                    0
                }
            })
        };
        // Let go once the timed thread is on the stack too (exact: we hold
        // the lock, so nobody pops), where its timeout and leave begin.
        for _ in 0..super::POLLS {
            if shared.lock.sleepers() >= 2 {
                break;
            }
            thread::yield_now();
        }
        // SAFETY: locked above on this thread.
        unsafe { shared.lock.unlock() };
        untimed.join().unwrap();
        let got = timed.join().unwrap();
        assert_eq!(shared.value(), 1 + got);
    });
}

#[test]
fn spinbit_leave_against_unlock() {
    leave_against_unlock::<Standard>();
}
