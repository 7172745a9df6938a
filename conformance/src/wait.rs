//! Waiting for another thread to get somewhere, without taking a lock.
//!
//! The waits yield rather than sleep: on a 2-core machine the thread we wait
//! for needs the core, and a handoff should not cost a timer tick.

use std::time::{Duration, Instant};

/// Waits until `done()` holds. Unbounded: use it only for progress the case
/// itself guarantees, where a wait that never ends is a hang the watchdog
/// reports.
pub fn until(done: impl Fn() -> bool) {
    while !done() {
        std::thread::yield_now();
    }
}

/// Waits until `done()` holds or `limit` has passed; returns whether it
/// held.
pub fn until_or(limit: Duration, done: impl Fn() -> bool) -> bool {
    let start = Instant::now();
    loop {
        if done() {
            return true;
        }
        if start.elapsed() >= limit {
            return false;
        }
        std::thread::yield_now();
    }
}
