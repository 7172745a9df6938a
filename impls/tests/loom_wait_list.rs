//! Loom models of futex's wait list (the `profile` feature; seed 001):
//! waiters push themselves without a lock, whoever holds the list bit links
//! them back, and each leaves from wherever the wake order left it. Loom
//! wakes futex sleepers in any order (`os/loom.rs` notifies all), so the
//! models see every order of leaving; a timed waiter leaves without the
//! lock. Each holder checks the list (back links, tail, count) right after
//! it acquires, and the list is empty at the end.
//!
//! Run by `cargo xtask loom`, built with `--features profile`.

#![cfg(lockyard_loom)]

use lockyard::futex::RawFutex;
use lockyard::{RawLock, RawLockTimed};
use loom::sync::Arc;
use loom::thread;
use std::time::{Duration, Instant};

/// How many times the holder looks for its waiters on the list before it
/// lets go, yielding between looks: enough for the waiters' spin rounds
/// (as `POLLS` in `loom.rs`).
const POLLS: usize = 8;

/// Preemption bound: three threads with spin rounds and the list's steps
/// are about 18 s at 1 and past 2.5 min at 2. At 1 both waiters are
/// listed at the unlock in some executions (asserted below).
const PREEMPTIONS: usize = 1;

#[path = "loom/capped.rs"]
mod capped;

fn model(f: impl Fn() + Sync + Send + 'static) {
    capped::capped(PREEMPTIONS).check(f);
}

/// Checks the list as a holder sees it.
fn checked(lock: &RawFutex) -> usize {
    match lock.check_wait_list() {
        Ok(linked) => linked,
        Err(broken) => panic!("futex wait list: {broken}"),
    }
}

/// Holds the lock until up to two waiters are listed, lets go, and lets
/// them leave in whatever order they wake.
fn two_waiters(timed: bool) {
    // A std atomic, outside the model: executions whose unlock found both
    // waiters listed, the ones where they leave in either order.
    let reached = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = std::sync::Arc::clone(&reached);
    model(move || {
        let lock = Arc::new(RawFutex::new());
        lock.lock();
        let waiters: Vec<_> = (0..2)
            .map(|i| {
                let lock = Arc::clone(&lock);
                thread::spawn(move || {
                    // The second waiter of the timed model gives up at once
                    // (loom has no clock: a timed wait times out at once),
                    // leaving the list without the lock.
                    let got = if timed && i == 1 {
                        lock.try_lock_until(Instant::now() + Duration::from_secs(60))
                    } else {
                        lock.lock();
                        true
                    };
                    if got {
                        checked(&lock);
                        // SAFETY: locked just above.
                        unsafe { lock.unlock() };
                    }
                })
            })
            .collect();
        // A bounded wait for a sleeper (one load a turn: the list's own
        // check is many steps, which loom would interleave with everything).
        for _ in 0..POLLS {
            if lock.is_contended() {
                break;
            }
            thread::yield_now();
        }
        if checked(&lock) == 2 {
            seen.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        // SAFETY: locked above on this thread.
        unsafe { lock.unlock() };
        for w in waiters {
            w.join().unwrap();
        }
        assert_eq!(checked(&lock), 0, "a waiter is still listed");
    });
    assert!(
        reached.load(std::sync::atomic::Ordering::Relaxed) > 0,
        "no explored execution listed both waiters: the model proves little"
    );
}

#[test]
fn futex_wait_list_two_waiters_any_order() {
    two_waiters(false);
}

#[test]
fn futex_wait_list_a_timed_waiter_leaves_without_the_lock() {
    two_waiters(true);
}
