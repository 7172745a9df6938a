//! The contention profile (`profile` feature), per backend: Go's
//! `TestRuntimeLockMetricsAndProfile` shape, the futex wait list under
//! churn, and a sampled unlock that must not allocate.
//!
//! The profile is process-wide, so the tests take turns (`SERIAL`).

#![cfg(not(lockyard_loom))]

use lockyard::futex::RawFutex;
use lockyard::profile::{self, Profile};
use lockyard::sema::RawSema;
use lockyard::spinbit::{RawSpinbit, RawSpinbitBounded, RawSpinbitWord, Standard};
use lockyard::{RawLock, RawLockTimed};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::io::Read;
use std::sync::atomic::{AtomicBool, AtomicIsize, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant};

/// Counts each thread's allocations.
struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

// SAFETY: every call goes straight to `System`; the count is a side note.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        // SAFETY: the caller's promise is `System`'s.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static COUNTING: Counting = Counting;

fn allocations() -> u64 {
    ALLOCATIONS.with(Cell::get)
}

/// One test at a time: the profile and its rate are global.
fn serial() -> MutexGuard<'static, ()> {
    static SERIAL: Mutex<()> = Mutex::new(());
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

/// How long a holder keeps a contended lock: large beside the clock's
/// microsecond and the system's noise. Go's test holds 100 µs. Here a
/// woken waiter takes up to about 110 µs to run again (seen as metric
/// minus profile per wait on these 2-core virtual machines, whose idle
/// vCPU wakes slowly); the metric counts that time and no unlocker can
/// see it, so at 100 µs the two drift 1.6x apart through no fault of the
/// profile. At 500 µs the same latency costs at most 1.25x, inside Go's
/// 1.5x.
const HOLD: Duration = Duration::from_micros(500);

/// Go's worker: takes lock `n`; if it got there first, keeps it until the
/// other worker sleeps on it, then `HOLD` more. The sampled unlock is in
/// this function, so its samples are charged to it.
#[inline(never)]
fn hold_until_contended<L: RawLock>(locks: &[L], next: &AtomicIsize) -> bool {
    // SeqCst throughout: a test's handshake, not a lock path.
    let n = next.load(Ordering::SeqCst);
    if n < 0 {
        return false;
    }
    let lock = &locks[n as usize];
    lock.lock();
    while next.load(Ordering::SeqCst) == n {
        if lock.is_contended() {
            let start = Instant::now();
            while start.elapsed() < HOLD {
                thread::sleep(HOLD);
            }
            break;
        }
        std::hint::spin_loop();
    }
    // SAFETY: locked above by this thread.
    unsafe { lock.unlock() };
    next.store(n - 1, Ordering::SeqCst);
    true
}

/// Two workers through `LOCKS` locks: each lock sees exactly one
/// contended unlock, by the worker that got it first.
const LOCKS: usize = 100;

fn contend_on_each<L: RawLock + Sync>() {
    let locks: Vec<L> = (0..LOCKS).map(|_| L::new()).collect();
    let next = AtomicIsize::new(LOCKS as isize - 1);
    thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| while hold_until_contended(&locks, &next) {});
        }
    });
}

fn profiled<L: RawLock + Sync>(rate: u32) -> Profile {
    profile::reset();
    profile::set_rate(rate);
    contend_on_each::<L>();
    profile::set_rate(0);
    profile::snapshot()
}

fn metrics_and_profile<L: RawLock + Sync>() {
    let _turn = serial();

    // The metric also counts each waiter's time from the unlock to its
    // return, which the unlocker cannot see: on a loaded 2-core machine a
    // late wake can push one run past 1.5x. Such noise only ever raises
    // the metric, so three tries are allowed for that one comparison; a
    // profile that really charges too much or too little fails all three.
    const TRIES: usize = 3;
    for attempt in 1..=TRIES {
        let p = profiled::<L>(1);
        // Every contended unlock is sampled, and each lock had exactly one.
        assert_eq!(p.contentions(), LOCKS as u64, "{}\n{p}", L::NAME);
        assert!(
            p.delay() >= HOLD * LOCKS as u32,
            "{}: {:?} charged for {LOCKS} holds of {HOLD:?}\n{p}",
            L::NAME,
            p.delay()
        );
        let blamed = p.sites().iter().any(|site| {
            site.symbols()
                .iter()
                .any(|f| f.contains("hold_until_contended"))
        });
        assert!(blamed, "{}: no site names the holder\n{p}", L::NAME);
        // The metric times every wait at rate 1; the profile charges the
        // same waits from the unlockers' side.
        let ratio = p.total_wait().as_secs_f64() / p.delay().as_secs_f64();
        if (1.0 / 1.5..=1.5).contains(&ratio) {
            break;
        }
        assert!(
            attempt < TRIES,
            "{}: metric {:?} against profile {:?}, {TRIES} times\n{p}",
            L::NAME,
            p.total_wait(),
            p.delay()
        );
    }

    // At rate 2 each of the 100 contended unlocks is sampled with
    // probability 1/2: 50 expected. Outside 20..=125 (2.5 times either
    // way) has probability below 1e-9 (binomial, 100 trials): a failure is
    // a bug, not bad luck.
    let p = profiled::<L>(2);
    assert!(
        (20..=125).contains(&p.contentions()),
        "{}: {} sampled at rate 2\n{p}",
        L::NAME,
        p.contentions()
    );
}

#[test]
fn futex_metrics_and_profile() {
    metrics_and_profile::<RawFutex>();
}

#[test]
fn sema_metrics_and_profile() {
    metrics_and_profile::<RawSema>();
}

#[test]
fn spinbit_metrics_and_profile() {
    metrics_and_profile::<RawSpinbit<Standard>>();
}

#[test]
fn spinbit_word_metrics_and_profile() {
    metrics_and_profile::<RawSpinbitWord>();
}

#[test]
fn spinbit_bounded_metrics_and_profile() {
    metrics_and_profile::<RawSpinbitBounded>();
}

/// Several sleepers at once, each charged by several unlocks while it
/// waits: the restamping must keep the charges from adding up to more
/// than the waits, and the estimate must not fall far short of them.
fn many_waiters_charged_once<L: RawLock + Sync>() {
    const THREADS: usize = 4;
    const ROUNDS: usize = 40;
    let _turn = serial();
    let mut ratios = Vec::new();
    // As in `metrics_and_profile`: late wakes only raise the metric.
    for _ in 0..3 {
        profile::reset();
        profile::set_rate(1);
        let lock = L::new();
        thread::scope(|s| {
            for _ in 0..THREADS {
                s.spawn(|| {
                    for _ in 0..ROUNDS {
                        lock.lock();
                        thread::sleep(HOLD);
                        // SAFETY: locked above.
                        unsafe { lock.unlock() };
                    }
                });
            }
        });
        profile::set_rate(0);
        let p = profile::snapshot();
        let ratio = p.delay().as_secs_f64() / p.total_wait().as_secs_f64();
        eprintln!(
            "{} ratio {ratio} {:?} {:?}",
            L::NAME,
            p.delay(),
            p.total_wait()
        );
        if (1.0 / 1.5..=1.5).contains(&ratio) {
            return;
        }
        ratios.push(ratio);
    }
    panic!(
        "{}: profile/metric {ratios:?}, outside 1/1.5..=1.5 three times",
        L::NAME
    );
}

#[test]
fn futex_many_waiters_charged_once() {
    many_waiters_charged_once::<RawFutex>();
}

#[test]
fn sema_many_waiters_charged_once() {
    many_waiters_charged_once::<RawSema>();
}

#[test]
fn spinbit_many_waiters_charged_once() {
    many_waiters_charged_once::<RawSpinbit<Standard>>();
}

/// Short critical sections from several threads, every contended unlock
/// sampled: stamps land just after an unlocker read its clock, pops and
/// pushes race the blame. Nothing hangs or panics (a panic under a stack
/// lock strands every waiter), every increment counts, and no charge is
/// longer than the whole run (a stamp read as later than `now` must not
/// wrap into centuries).
fn short_sections_at_rate_one<L: RawLock + Sync>() {
    const THREADS: usize = 4;
    const ROUNDS: usize = 5_000;
    let _turn = serial();
    profile::reset();
    profile::set_rate(1);
    let lock = L::new();
    let count = std::sync::atomic::AtomicUsize::new(0);
    let began = Instant::now();
    thread::scope(|s| {
        for _ in 0..THREADS {
            s.spawn(|| {
                for _ in 0..ROUNDS {
                    lock.lock();
                    // Relaxed: the lock orders it; a lost update shows.
                    let n = count.load(Ordering::Relaxed);
                    count.store(n + 1, Ordering::Relaxed);
                    // SAFETY: locked just above.
                    unsafe { lock.unlock() };
                }
            });
        }
    });
    let run = began.elapsed();
    profile::set_rate(0);
    let p = profile::snapshot();
    assert_eq!(count.into_inner(), THREADS * ROUNDS, "{}", L::NAME);
    for site in p.sites() {
        assert!(
            site.max() <= run * THREADS as u32,
            "{}: one charge of {:?} in a run of {run:?}\n{p}",
            L::NAME,
            site.max()
        );
    }
}

#[test]
fn short_sections_at_rate_one_charge_sanely() {
    short_sections_at_rate_one::<RawFutex>();
    short_sections_at_rate_one::<RawSema>();
    short_sections_at_rate_one::<RawSpinbit<Standard>>();
    short_sections_at_rate_one::<RawSpinbitBounded>();
}

/// A contended unlock, sampled, counting the holder's allocations across
/// it: the blame, the stack capture and the table all stay allocation-free.
fn sampled_unlock_allocates_nothing<L: RawLock + Sync>() {
    let _turn = serial();
    profile::reset();
    profile::set_rate(1);
    let lock = L::new();
    let done = AtomicBool::new(false);
    let during = thread::scope(|s| {
        lock.lock();
        s.spawn(|| {
            lock.lock();
            // SAFETY: locked just above.
            unsafe { lock.unlock() };
            done.store(true, Ordering::SeqCst);
        });
        while !lock.is_contended() {
            thread::yield_now();
        }
        thread::sleep(HOLD);
        let before = allocations();
        // SAFETY: the scope's thread took the lock first.
        unsafe { lock.unlock() };
        allocations() - before
    });
    profile::set_rate(0);
    assert!(done.load(Ordering::SeqCst));
    let p = profile::snapshot();
    assert_eq!(
        p.contentions(),
        1,
        "{}: the unlock was not sampled\n{p}",
        L::NAME
    );
    assert_eq!(
        during,
        0,
        "{}: a sampled unlock allocated {during} times",
        L::NAME
    );
}

#[test]
fn a_sampled_unlock_allocates_nothing() {
    sampled_unlock_allocates_nothing::<RawFutex>();
    sampled_unlock_allocates_nothing::<RawSema>();
    sampled_unlock_allocates_nothing::<RawSpinbit<Standard>>();
}

/// Sleepers come and go in the order the kernel wakes them, some giving up
/// on a timeout; the holder checks the list inside its critical section
/// (and, in debug builds, after each acquisition), and at the end the list
/// is empty.
#[test]
fn futex_wait_list_survives_churn() {
    const THREADS: usize = 6;
    const ROUNDS: usize = 400;
    let _turn = serial();
    profile::reset();
    profile::set_rate(1);
    let lock = RawFutex::new();
    thread::scope(|s| {
        for t in 0..THREADS {
            let lock = &lock;
            s.spawn(move || {
                for i in 0..ROUNDS {
                    let got = if (i + t) % 4 == 0 {
                        lock.try_lock_for(Duration::from_micros(30))
                    } else {
                        lock.lock();
                        true
                    };
                    if !got {
                        continue;
                    }
                    if i % 8 == 0 {
                        let linked = lock.check_wait_list();
                        assert!(linked.is_ok(), "{linked:?}");
                    }
                    if i % 2 == 0 {
                        thread::sleep(Duration::from_micros(20));
                    }
                    // SAFETY: locked above.
                    unsafe { lock.unlock() };
                }
            });
        }
    });
    profile::set_rate(0);
    assert_eq!(lock.check_wait_list(), Ok(0));
    // The churn did sleep: the holders were charged.
    assert!(profile::snapshot().contentions() > 0);
}

/// The report and the pprof file name the holder; the file is gzip'd
/// protobuf with Go's mutex-profile sample types.
#[test]
fn report_and_pprof_name_the_holder() {
    let p = {
        let _turn = serial();
        profiled::<RawSpinbit<Standard>>(1)
    };
    let text = p.to_string();
    assert!(text.contains("hold_until_contended"), "{text}");
    assert!(
        text.starts_with("lockyard contention profile: rate 1/1, 100 contentions"),
        "{text}"
    );

    let mut gz = Vec::new();
    p.write_pprof(&mut gz).unwrap();
    assert_eq!(&gz[..2], &[0x1f, 0x8b], "not gzip");
    let mut raw = Vec::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_end(&mut raw)
        .unwrap();
    for s in [
        "contentions",
        "count",
        "delay",
        "nanoseconds",
        "hold_until_contended",
    ] {
        let found = raw.windows(s.len()).any(|w| w == s.as_bytes());
        assert!(found, "{s:?} is not in the profile's string table");
    }
}
