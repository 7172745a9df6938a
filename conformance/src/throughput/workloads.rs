//! The benchmark bodies, ported from Go's `runtime/runtime_test.go`
//! (`BenchmarkMutexContention`, `BenchmarkMutexCapture`,
//! `BenchmarkMutexHandoff`) and, for the work-inside / work-between loop,
//! parking_lot's `benchmark/src/mutex.rs`. Each runs `n` operations and
//! returns what it measured; the caller times it and checks the counts.

use crate::wait;
use lockyard::RawLock;
use std::cell::UnsafeCell;
use std::hint::{black_box, spin_loop};
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Keeps its contents on cache lines of their own (128 bytes covers the
/// adjacent-line prefetcher on x86 and the 128-byte lines of ppc64), like
/// Go's `cpu.CacheLinePad` around the lock and the counter.
#[repr(align(128))]
#[derive(Default)]
pub struct Padded<T>(pub T);

/// The counter the lock guards: Go's atomic `count`, and beside it on the
/// same line a plain shadow that only holders touch. A lock that let two
/// holders in loses shadow increments, and the totals disagree.
#[derive(Default)]
pub struct Count {
    count: AtomicU64,
    shadow: UnsafeCell<u64>,
}

// SAFETY: `shadow` is only written by the holder of the benchmark's lock,
// and read after every thread is joined.
unsafe impl Sync for Count {}

impl Count {
    /// Counts one operation; call with the lock held. Returns Go's `ours`.
    #[inline]
    pub fn add(&self) -> u64 {
        // SAFETY: the caller holds the lock that guards the shadow.
        unsafe { *self.shadow.get() += 1 };
        // Relaxed: Go's count.Add(1); the lock orders it anyway.
        self.count.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// The atomic count and the shadow, once the threads are joined.
    pub fn totals(&mut self) -> (u64, u64) {
        (*self.count.get_mut(), *self.shadow.get_mut())
    }
}

/// The state Go's benchmarks share: the lock and the counter on separate
/// padded cache lines.
#[derive(Default)]
pub struct State<L> {
    /// The lock under test.
    pub lock: Padded<L>,
    /// What it guards.
    pub count: Padded<Count>,
}

impl<L: RawLock> State<L> {
    /// A fresh state.
    pub fn new() -> Self {
        State {
            lock: Padded(L::new()),
            count: Padded(Count::default()),
        }
    }

    #[inline]
    fn locked<R>(&self, f: impl FnOnce() -> R) -> R {
        self.lock.0.lock();
        let r = f();
        // SAFETY: locked just above on this thread.
        unsafe { self.lock.0.unlock() };
        r
    }
}

/// Starts `threads` threads running `body(i)`, waits until all are up, calls
/// `started` (which starts the clocks), releases them and joins them.
pub fn parallel(threads: usize, started: impl FnOnce(), body: impl Fn(usize) + Sync) {
    let ready = AtomicUsize::new(0);
    let go = AtomicBool::new(false);
    std::thread::scope(|s| {
        for i in 0..threads {
            let (ready, go, body) = (&ready, &go, &body);
            std::thread::Builder::new()
                .name(format!("bench-{i}"))
                .spawn_scoped(s, move || {
                    // Relaxed: a start signal; the work shares nothing through it.
                    ready.fetch_add(1, Ordering::Relaxed);
                    wait::until(|| go.load(Ordering::Relaxed));
                    body(i);
                })
                .expect("cannot start a benchmark thread");
        }
        wait::until(|| ready.load(Ordering::Relaxed) == threads);
        started();
        go.store(true, Ordering::Relaxed);
    });
}

/// Go's MutexContention loop on one thread: until the count reaches `n`.
#[inline]
pub fn contention<L: RawLock>(state: &State<L>, n: u64) {
    loop {
        let ours = state.locked(|| state.count.0.add());
        if ours >= n {
            return;
        }
    }
}

/// Go's MutexCapture histograms: `[0]` streaks (acquisitions in a row by
/// one thread), `[1]` starvation (acquisitions by others between two of
/// ours), bucketed by leading zeros as Go does.
pub type Capture = [[u64; 65]; 2];

/// Go's MutexCapture loop on one thread.
pub fn capture<L: RawLock>(state: &State<L>, n: u64) -> Capture {
    let mut histogram = [[0u64; 65]; 2];
    let (mut prev, mut streak) = (0u64, 0u64);
    loop {
        let ours = state.locked(|| state.count.0.add());
        let delta = ours - prev - 1;
        prev = ours;
        if delta == 0 {
            streak += 1;
        } else {
            histogram[0][streak.leading_zeros() as usize] += 1;
            histogram[1][delta.leading_zeros() as usize] += 1;
            streak = 1;
        }
        if ours >= n {
            if delta == 0 {
                histogram[0][streak.leading_zeros() as usize] += 1;
                histogram[1][delta.leading_zeros() as usize] += 1;
            }
            return histogram;
        }
    }
}

/// Go's percentile of a MutexCapture histogram: the events are cut in half
/// (twice as many, half as long) from the longest down until what is left
/// above falls under `p` of the total; returns that bucket's lower bound.
pub fn capture_percentile(h: &[u64; 65], p: f64) -> u64 {
    // Go's `uint64(1<<63) >> i`, which is 0 for i = 64 (a zero streak).
    let bound = |i: usize| (1u64 << 63).checked_shr(i as u32).unwrap_or(0);
    let sum: u128 = h
        .iter()
        .enumerate()
        .map(|(i, &v)| u128::from(bound(i)) * u128::from(v))
        .sum();
    let mut part: u128 = 0;
    for (i, &v) in h.iter().enumerate() {
        part += u128::from(bound(i)) * u128::from(v);
        if ((sum - part) as f64) < sum as f64 * p {
            return bound(i);
        }
    }
    0
}

/// parking_lot's benchmark loop: `inside` rounds of arithmetic on the
/// guarded value while holding the lock, `between` rounds on a local one
/// after, until the count reaches `n`.
pub fn work<L: RawLock>(
    state: &State<L>,
    guarded: &UnsafeCell<u64>,
    inside: u32,
    between: u32,
    n: u64,
) {
    let mut local = 1u64;
    loop {
        let ours = state.locked(|| {
            // SAFETY: the lock guards `guarded`; we hold it.
            let value = unsafe { &mut *guarded.get() };
            for _ in 0..inside {
                *value = value.wrapping_mul(7).wrapping_add(1);
            }
            state.count.0.add()
        });
        for _ in 0..between {
            local = black_box(local.wrapping_mul(7).wrapping_add(1));
        }
        if ours >= n {
            return;
        }
    }
}

/// How the coordinator of Go's MutexHandoff waits before it unlocks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delay {
    /// Unlocks at once: the worker is spinning or just arriving.
    Fast,
    /// Waits until `is_contended` says the worker sleeps, then 10 µs more
    /// so the OS can finish putting it to sleep.
    Slow,
}

/// Go's `extraNs` of SlowPingPong.
pub const SLOW_EXTRA: Duration = Duration::from_micros(10);

/// Go's MutexHandoff ping-pong: returns the summed latency from the
/// coordinator entering unlock to the worker's lock returning, over `n`
/// handoffs, in nanoseconds.
pub fn handoff<L: RawLock>(lock: &Padded<L>, delay: Delay, n: u64, started: impl FnOnce()) -> i64 {
    let turn = Padded(AtomicI64::new(0));
    let delta = AtomicI64::new(0);
    let epoch = Instant::now();
    let now = || epoch.elapsed().as_nanos() as i64;
    let lock = &lock.0;
    std::thread::scope(|s| {
        let (turn, delta) = (&turn.0, &delta);
        // The worker: on turn 2 mod 4, lock (stop the clock), unlock, pass
        // the turn back; on an odd turn, stop.
        s.spawn(move || {
            let mut t = 0i64;
            loop {
                match turn.load(Ordering::Acquire) & 3 {
                    2 => {
                        lock.lock();
                        t += now();
                        // SAFETY: locked just above on this thread.
                        unsafe { lock.unlock() };
                        turn.fetch_add(2, Ordering::AcqRel);
                    }
                    1 | 3 => {
                        delta.fetch_add(t, Ordering::Relaxed);
                        return;
                    }
                    _ => spin_loop(),
                }
            }
        });
        started();
        // The coordinator: lock, let the worker go for the lock, wait as the
        // delay says, start the clock, unlock, wait for the turn back.
        let mut t = 0i64;
        for _ in 0..n {
            lock.lock();
            turn.fetch_add(2, Ordering::AcqRel);
            if delay == Delay::Slow {
                while !lock.is_contended() {
                    spin_loop();
                }
                let t0 = Instant::now();
                while t0.elapsed() < SLOW_EXTRA {
                    spin_loop();
                }
            }
            t -= now();
            // SAFETY: locked at the top of this iteration on this thread.
            unsafe { lock.unlock() };
            while turn.load(Ordering::Acquire) & 2 != 0 {
                spin_loop();
            }
        }
        turn.fetch_add(1, Ordering::AcqRel);
        delta.fetch_add(t, Ordering::Relaxed);
    });
    delta.into_inner()
}

/// Go's MutexHandoff/Solo: lock and unlock on one thread, no contention.
pub fn solo<L: RawLock>(lock: &Padded<L>, n: u64) {
    for _ in 0..n {
        lock.0.lock();
        // SAFETY: locked just above on this thread.
        unsafe { lock.0.unlock() };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capture_percentiles_follow_go() {
        let mut h = [0u64; 65];
        // 10 streaks of length 1 (63 leading zeros) and one of 1024 (53).
        h[63] = 10;
        h[53] = 1;
        assert_eq!(capture_percentile(&h, 1.0), 1024);
        // 99% of the lock time was the one long streak: p90 lands in it.
        assert_eq!(capture_percentile(&h, 0.9), 1024);
        // Only past the long streak does the remainder dip under 0.5%.
        assert_eq!(capture_percentile(&h, 0.005), 1);
        assert_eq!(capture_percentile(&[0; 65], 0.9), 0);
    }
}
