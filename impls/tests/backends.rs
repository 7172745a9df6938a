//! The library's own checks, run over every backend with rstest. The
//! harness's conformance suite goes further (more threads, watchdogs, qemu).

#![cfg(not(lockyard_loom))]

use lockyard::futex::RawFutex;
use lockyard::sema::RawSema;
use lockyard::spinbit::{RawSpinbit, RawSpinbitBounded, RawSpinbitLowLatency, RawSpinbitWord};
use lockyard::{RawLock, RawLockFair, RawLockTimed};
use rstest::rstest;
use rstest_reuse::{apply, template};
use std::cell::UnsafeCell;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

#[template]
#[rstest]
#[case::futex(RawFutex::new())]
#[case::sema(RawSema::new())]
#[case::spinbit(RawSpinbit::<lockyard::spinbit::Standard>::new())]
#[case::spinbit_word(RawSpinbitWord::new())]
#[case::spinbit_lowlatency(RawSpinbitLowLatency::new())]
#[case::spinbit_bounded(RawSpinbitBounded::new())]
fn every_backend<L: RawLock + 'static>(#[case] lock: L) {}

/// A counter only the lock holder touches.
struct Guarded<L> {
    lock: L,
    count: UnsafeCell<u64>,
    inside: AtomicBool,
}

// SAFETY: `count` is only touched while `lock` is held.
unsafe impl<L: RawLock> Sync for Guarded<L> {}

#[apply(every_backend)]
fn mutual_exclusion_with_eight_threads<L: RawLock + 'static>(#[case] lock: L) {
    const THREADS: usize = 8;
    // Miri interprets every step; a few hundred rounds still interleave.
    const ROUNDS: u64 = if cfg!(miri) { 200 } else { 20_000 };
    let shared = Arc::new(Guarded {
        lock,
        count: UnsafeCell::new(0),
        inside: AtomicBool::new(false),
    });
    let start = Arc::new(Barrier::new(THREADS));
    let threads: Vec<_> = (0..THREADS)
        .map(|_| {
            let (shared, start) = (Arc::clone(&shared), Arc::clone(&start));
            std::thread::spawn(move || {
                start.wait();
                for _ in 0..ROUNDS {
                    shared.lock.lock();
                    assert!(
                        !shared.inside.swap(true, Ordering::Relaxed),
                        "two holders at once"
                    );
                    // SAFETY: we hold the lock. A read-then-write so a second
                    // holder would lose updates.
                    unsafe {
                        let v = *shared.count.get();
                        *shared.count.get() = v + 1;
                    }
                    shared.inside.store(false, Ordering::Relaxed);
                    // SAFETY: locked above on this thread.
                    unsafe { shared.lock.unlock() };
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    // SAFETY: every thread has been joined.
    assert_eq!(unsafe { *shared.count.get() }, THREADS as u64 * ROUNDS);
    assert!(!shared.lock.is_locked());
}

#[apply(every_backend)]
fn try_lock_fails_while_held_and_succeeds_once_free<L: RawLock + 'static>(#[case] lock: L) {
    let lock = Arc::new(lock);
    assert!(!lock.is_locked());
    assert!(lock.try_lock());
    assert!(lock.is_locked());
    let other = Arc::clone(&lock);
    assert!(!std::thread::spawn(move || other.try_lock()).join().unwrap());
    // SAFETY: taken by try_lock above.
    unsafe { lock.unlock() };
    assert!(!lock.is_locked());
    let other = Arc::clone(&lock);
    assert!(
        std::thread::spawn(move || {
            let got = other.try_lock();
            if got {
                // SAFETY: taken just above.
                unsafe { other.unlock() };
            }
            got
        })
        .join()
        .unwrap()
    );
}

#[apply(every_backend)]
fn unlocking_an_unlocked_lock_panics_and_leaves_it_usable<L: RawLock + 'static>(#[case] lock: L) {
    let err = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        // SAFETY: deliberately wrong: the lock is not held. The contract
        // promises a panic, which is what we check.
        unsafe { lock.unlock() }
    }))
    .expect_err("unlock of an unlocked lock returned");
    let message = err.downcast_ref::<&str>().copied().unwrap_or_default();
    assert_eq!(message, "unlock of unlocked lock");
    assert!(!lock.is_locked(), "misuse changed the word");
    assert!(lock.try_lock(), "misuse left the lock unusable");
    // SAFETY: taken just above.
    unsafe { lock.unlock() };
}

#[apply(every_backend)]
fn is_contended_turns_true_while_a_waiter_sleeps<L: RawLock + 'static>(#[case] lock: L) {
    let lock = Arc::new(lock);
    lock.lock();
    assert!(!lock.is_contended(), "contended with no waiter");
    let acquired = Arc::new(AtomicUsize::new(0));
    let waiters: Vec<_> = (0..2)
        .map(|_| {
            let (lock, acquired) = (Arc::clone(&lock), Arc::clone(&acquired));
            std::thread::spawn(move || {
                lock.lock();
                acquired.fetch_add(1, Ordering::Relaxed);
                // SAFETY: locked just above.
                unsafe { lock.unlock() };
            })
        })
        .collect();
    // Waiters spin for microseconds before they sleep; 30 s is only a
    // guard against a hang on a loaded machine.
    let deadline = Instant::now() + Duration::from_secs(30);
    while !lock.is_contended() {
        assert!(
            Instant::now() < deadline,
            "{}: no waiter ever reported asleep",
            L::NAME
        );
        std::thread::sleep(Duration::from_millis(1));
    }
    assert_eq!(acquired.load(Ordering::Relaxed), 0);
    // SAFETY: locked at the top of the test.
    unsafe { lock.unlock() };
    for w in waiters {
        w.join().unwrap();
    }
    assert_eq!(acquired.load(Ordering::Relaxed), 2);
    assert!(!lock.is_contended() && !lock.is_locked());
}

#[test]
fn typed_mutexes_guard_their_data() {
    let m = lockyard::Mutex::new(0u32);
    *m.lock() += 1;
    assert_eq!(*m.lock(), 1);
    let s = lockyard::spinbit::Mutex::new(vec![1]);
    s.lock().push(2);
    assert_eq!(*s.lock(), [1, 2]);
    let f = lockyard::futex::Mutex::new(());
    let g = f.lock();
    assert!(f.try_lock().is_none());
    drop(g);
    assert!(lockyard::sema::Mutex::new(5).try_lock().is_some());
}

#[test]
fn experiment_reports_the_default_backend() {
    let e = lockyard::experiment();
    assert_eq!(e.default_backend, <lockyard::DefaultLock as RawLock>::NAME);
    assert_eq!(e.spinbit_mutex, e.default_backend == "spinbit");
    assert_eq!(
        e.spinbit_mutex,
        e.flags.split(',').any(|f| f == "spinbitmutex")
    );
}

#[apply(every_backend)]
fn a_timed_lock_gives_up_and_leaves_no_sleeper<L: RawLockFair + RawLockTimed + 'static>(
    #[case] lock: L,
) {
    const TIMEOUT: Duration = Duration::from_millis(5);
    let lock = Arc::new(lock);
    RawLock::lock(&*lock);
    let timed: Vec<_> = (0..2)
        .map(|_| {
            let lock = Arc::clone(&lock);
            std::thread::spawn(move || {
                let began = Instant::now();
                let got = lock.try_lock_for(TIMEOUT);
                (got, began.elapsed())
            })
        })
        .collect();
    for t in timed {
        let (got, took) = t.join().unwrap();
        assert!(!got, "a timed lock succeeded while the lock was held");
        assert!(took >= TIMEOUT, "gave up after {took:?}");
    }
    // SAFETY: locked above on this thread.
    unsafe { RawLock::unlock(&*lock) };
    assert!(
        !RawLock::is_locked(&*lock) && !lock.is_contended(),
        "timed-out waiters left the lock busy: {:?}",
        lock.state_word()
    );
    assert!(
        lock.try_lock_for(TIMEOUT),
        "a timed lock of a free lock failed"
    );
    // SAFETY: the lock just taken.
    unsafe { RawLock::unlock(&*lock) };
}

#[apply(every_backend)]
fn a_fair_unlock_hands_the_lock_to_the_sleeper<L: RawLockFair + RawLockTimed + 'static>(
    #[case] lock: L,
) {
    let lock = Arc::new(lock);
    RawLock::lock(&*lock);
    let waiter_in = Arc::new(AtomicBool::new(false));
    let waiter = {
        let (lock, waiter_in) = (Arc::clone(&lock), Arc::clone(&waiter_in));
        std::thread::spawn(move || {
            RawLock::lock(&*lock);
            waiter_in.store(true, Ordering::Relaxed);
            // SAFETY: locked just above.
            unsafe { RawLock::unlock(&*lock) };
        })
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while !lock.is_contended() {
        assert!(Instant::now() < deadline, "the waiter never slept");
        std::thread::yield_now();
    }
    // A futex waiter has swapped SLEEPING a moment before it sleeps.
    std::thread::sleep(Duration::from_millis(20));
    // SAFETY: the lock taken above.
    unsafe { lock.unlock_fair() };
    RawLock::lock(&*lock);
    assert!(
        waiter_in.load(Ordering::Relaxed),
        "the unlocker took the lock back before the sleeping waiter"
    );
    // SAFETY: locked just above.
    unsafe { RawLock::unlock(&*lock) };
    waiter.join().unwrap();
}
