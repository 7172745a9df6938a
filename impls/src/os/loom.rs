//! The OS layer as loom sees it: loom has no futex, so waits and wakes are
//! modelled with loom's own mutex and condition variable, which loom explores
//! like every other step. One global pair serves every address; a wake
//! notifies all waiters, each re-checks its own word, and so a wake meant for
//! one address can never be swallowed by a waiter on another.

use crate::primitive::{AtomicU32, Ordering};
use loom::sync::{Condvar, Mutex};
use std::time::Duration;

pub(crate) const PRIMITIVE: &str = "loom";

loom::lazy_static! {
    static ref QUEUE: (Mutex<()>, Condvar) = (Mutex::new(()), Condvar::new());
}

pub(crate) fn wait(word: &AtomicU32, expected: u32, timeout: Option<Duration>) -> bool {
    // Loom has no clock: a timed wait times out at once, and loom explores
    // where in the other threads' steps that lands (the timeout-against-pop
    // races of timed locking).
    if timeout.is_some() {
        loom::thread::yield_now();
        return false;
    }
    let (lock, wakeup) = &*QUEUE;
    let guard = lock.lock().unwrap();
    // Relaxed: the queue mutex orders this check against the waker's store.
    if word.load(Ordering::Relaxed) != expected {
        return true;
    }
    drop(wakeup.wait(guard).unwrap());
    true
}

pub(crate) fn wake_one(_word: &AtomicU32) {
    let (lock, wakeup) = &*QUEUE;
    let _guard = lock.lock().unwrap();
    wakeup.notify_all();
}

/// Two, so the model always takes the spin paths and explores them.
pub(super) fn processor_count() -> usize {
    2
}
