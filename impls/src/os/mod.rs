//! The OS layer: wait on an address, wake a waiter on it.
//!
//! Every file in this folder exports the same two functions, and this file
//! picks exactly one of them per target (the only target `cfg` in the crate
//! besides `primitive`). The backends build on nothing else from the OS:
//! `futex` waits on its lock word, and the per-thread semaphore that `sema`
//! and `spinbit` sleep on waits on its own count word. The layer depends on
//! nothing above it: only `primitive`'s atomics and `chaos`'s faults.
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

use crate::primitive::AtomicU32;
use std::time::Duration;

mod deadline;

pub(crate) use deadline::{Deadline, Left};

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
// target.
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

#[cfg(all(test, not(lockyard_loom)))]
mod tests {
    use super::{wait, wake_one};
    use crate::primitive::{AtomicU32, Ordering};
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    #[test]
    fn wait_returns_at_once_when_the_word_differs() {
        let word = AtomicU32::new(1);
        assert!(wait(&word, 0, Some(Duration::from_secs(10))));
    }

    #[test]
    fn wait_times_out_and_says_so() {
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

    #[test]
    fn wake_reaches_a_sleeper() {
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
}
