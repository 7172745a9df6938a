//! The OS layer: wait on an address, wake a waiter on it; count the
//! processors; map memory without the global allocator.
//!
//! Every OS file in this folder exports the same three functions (`wait`,
//! `wake_one`, `processor_count`), and this file picks exactly one of them
//! per target (the only target `cfg` in the crate besides `primitive`;
//! `map` only tells unix from Windows). The backends build on nothing else
//! from the OS: `futex` waits on its lock word, and the per-thread semaphore
//! that `sema` and `spinbit` sleep on waits on its own count word. The layer
//! depends on nothing above it: only `primitive`'s atomics and `chaos`'s
//! faults.
//!
//! The contract each file implements:
//!
//! * `wait(word, expected, timeout) -> bool` blocks while `word` holds
//!   `expected`, until a `wake` on the same word or until `timeout` passes.
//!   The comparison and the going to sleep are one step relative to `wake`:
//!   a `wake` issued after `word` changed can never be missed. It returns
//!   `false` only when the timeout passed, `true` otherwise, and it may
//!   return `true` spuriously (callers re-check the word). Interrupted
//!   system calls (EINTR) are retried inside, against the same deadline.
//! * `wake_one(word)` wakes at most one thread blocked in `wait` on `word`.
//!   Waking a word nobody waits on is harmless: waiter nodes are never freed
//!   (see `waiter`), so a late wake only ever reaches live memory.
//! * `processor_count()` is how many processors this process may run on,
//!   read from the OS each call; [`multiprocessor`] caches it.
//!
//! Outside loom's model and Miri (see `map`), nothing here allocates through the global
//! allocator, initialises anything lazily through std or takes a lock a
//! backend could be serving: the global allocator itself may be built on
//! these locks.

use crate::primitive::AtomicU32;
use std::time::Duration;

mod clock;
mod deadline;
mod map;

pub(crate) use clock::now_us;
pub(crate) use deadline::{Deadline, Left};
pub(crate) use map::{MAP_ALIGN, map_zeroed};

#[cfg(all(not(lockyard_loom), any(target_os = "linux", target_os = "android")))]
#[path = "linux.rs"]
mod imp;

#[cfg(all(not(lockyard_loom), target_os = "freebsd"))]
#[path = "freebsd.rs"]
mod imp;

#[cfg(all(not(lockyard_loom), target_vendor = "apple"))]
#[path = "darwin.rs"]
mod imp;

#[cfg(all(not(lockyard_loom), windows))]
#[path = "windows.rs"]
mod imp;

// illumos and Solaris publish no wait-on-address call (their lwp_park is
// private), so they take the portable parking table, as does every other
// unix target.
#[cfg(all(
    not(lockyard_loom),
    not(any(
        target_os = "linux",
        target_os = "android",
        target_os = "freebsd",
        target_vendor = "apple",
        windows
    ))
))]
#[path = "park.rs"]
mod imp;

// The table is built beside the OS's own call in every unix test build
// too, so its tests run wherever CI does; on the fallback targets this is a
// second copy with its own statics, harmless in a test build and cheaper
// than spelling the fallback's target list twice.
#[cfg(all(test, unix, not(lockyard_loom)))]
#[allow(
    dead_code,
    clippy::duplicate_mod,
    reason = "a copy for its own tests; `imp` serves the crate"
)]
mod park;

#[cfg(lockyard_loom)]
#[path = "loom.rs"]
mod imp;

/// See the contract above.
#[inline]
pub(crate) fn wait(word: &AtomicU32, expected: u32, timeout: Option<Duration>) -> bool {
    #[cfg(lockyard_chaos)]
    if crate::chaos::early_return() {
        return true;
    }
    imp::wait(word, expected, timeout)
}

/// See the contract above.
#[inline]
pub(crate) fn wake_one(word: &AtomicU32) {
    #[cfg(lockyard_chaos)]
    crate::chaos::late_wake();
    imp::wake_one(word)
}

/// Name of the OS primitive compiled in, for reports.
pub const PRIMITIVE: &str = imp::PRIMITIVE;

/// Whether spinning can pay off: with one processor the holder cannot run
/// while we spin (Go's `ncpu > 1`). The count is read once, on first use.
pub(crate) fn multiprocessor() -> bool {
    // core's atomic, not primitive's: a cache of an OS answer is no lock
    // step for loom to model or chaos to perturb.
    use core::sync::atomic::{AtomicUsize, Ordering};
    /// The processor count; 0 until first read.
    static NCPU: AtomicUsize = AtomicUsize::new(0);
    // Relaxed: the count stands alone; no other memory is published with it.
    let mut n = NCPU.load(Ordering::Relaxed);
    if n == 0 {
        // Threads arriving together may each ask the OS; they store the
        // same answer, so that race is benign.
        n = imp::processor_count().max(1);
        NCPU.store(n, Ordering::Relaxed);
    }
    n > 1
}

/// Processors online, from `sysconf`: the portable count, and the fallback
/// of the unix files whose own call failed.
#[cfg(all(unix, not(lockyard_loom)))]
fn online_processors() -> usize {
    // SAFETY: sysconf only reads a system setting.
    let n = unsafe { libc::sysconf(libc::_SC_NPROCESSORS_ONLN) };
    // -1 when the system cannot say.
    usize::try_from(n).unwrap_or(1).max(1)
}

#[cfg(all(test, not(lockyard_loom)))]
mod tests {
    use super::{wait, wake_one};
    use crate::primitive::{AtomicU32, Ordering};
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    /// A `wait` under test: this layer's, or one OS file's directly.
    pub(super) type Wait = fn(&AtomicU32, u32, Option<Duration>) -> bool;

    pub(super) fn returns_at_once_when_the_word_differs(wait: Wait) {
        let word = AtomicU32::new(1);
        assert!(wait(&word, 0, Some(Duration::from_secs(10))));
    }

    pub(super) fn times_out_and_says_so(wait: Wait) {
        let word = AtomicU32::new(0);
        let timeout = Duration::from_millis(20);
        let start = Instant::now();
        // The contract allows a spurious `true` (chaos injects them): retry
        // with what is left, as callers do, until the wait reports the
        // timeout, which it must not do early.
        while wait(&word, 0, Some(timeout.saturating_sub(start.elapsed()))) {
            assert!(start.elapsed() < Duration::from_secs(10), "never timed out");
        }
        assert!(start.elapsed() >= timeout);
    }

    pub(super) fn a_wake_reaches_a_sleeper(wait: Wait, wake_one: fn(&AtomicU32)) {
        let word = Arc::new(AtomicU32::new(0));
        let sleeper = {
            let word = Arc::clone(&word);
            std::thread::spawn(move || {
                while word.load(Ordering::Acquire) == 0 {
                    // Generous: only a lost wake would run into this deadline.
                    assert!(wait(&word, 0, Some(Duration::from_secs(30))), "wake lost");
                }
            })
        };
        std::thread::sleep(Duration::from_millis(10));
        word.store(1, Ordering::Release);
        wake_one(&word);
        sleeper.join().unwrap();
    }

    #[test]
    fn wait_returns_at_once_when_the_word_differs() {
        returns_at_once_when_the_word_differs(wait);
    }

    #[test]
    fn wait_times_out_and_says_so() {
        times_out_and_says_so(wait);
    }

    #[test]
    fn wake_reaches_a_sleeper() {
        a_wake_reaches_a_sleeper(wait, wake_one);
    }

    #[test]
    fn the_processor_count_is_at_least_one_and_stable() {
        let n = super::imp::processor_count();
        assert!(n >= 1);
        assert_eq!(super::multiprocessor(), n > 1);
        assert_eq!(super::multiprocessor(), n > 1, "the cached answer");
    }
}
