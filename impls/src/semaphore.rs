//! A counting semaphore on one 32-bit word: the per-thread sleep Go's locks
//! build on (`semacreate` / `semasleep` / `semawakeup`), here on any OS that
//! can wait on an address, as Go does on its futex platforms.
//!
//! A `wake` that comes before the matching `sleep` leaves a token behind, so
//! it is never lost: the waker may pop a waiter from a lock's stack and wake it
//! before that waiter has even reached its `sleep`.

use crate::os::{self, Deadline, Left};
use crate::primitive::{AtomicU32, Ordering, const_fn_unless_loom};
use std::time::Duration;

/// Tokens waiting to be taken; only the owning thread ever sleeps on it.
pub struct Semaphore {
    count: AtomicU32,
}

impl Semaphore {
    const_fn_unless_loom! {
        /// A semaphore with no tokens.
        pub fn new() -> Self {
            Semaphore { count: AtomicU32::new(0) }
        }
    }

    /// Takes one token, sleeping until one arrives. With a timeout, gives up
    /// after it and returns `false`; otherwise returns `true` once it holds a
    /// token. Spurious returns of the OS wait (signals, EINTR, early wakes) are
    /// absorbed here and never reach the caller.
    pub fn sleep(&self, timeout: Option<Duration>) -> bool {
        let deadline = Deadline::after(timeout);
        loop {
            if self.try_take() {
                return true;
            }
            // At the deadline a token may just have landed: take it rather
            // than strand it for the next sleep.
            let left = match deadline.left() {
                Left::Forever => None,
                Left::For(left) => Some(left),
                Left::Expired => return self.try_take(),
            };
            if !os::wait(&self.count, 0, left) {
                return self.try_take();
            }
        }
    }

    /// Adds one token, waking the owner if it sleeps.
    pub fn wake(&self) {
        // Release: everything the waker wrote before this (the popped stack,
        // the lock word) is visible to the sleeper that takes the token.
        if self.count.fetch_add(1, Ordering::Release) == 0 {
            os::wake_one(&self.count);
        }
    }

    fn try_take(&self) -> bool {
        // Relaxed peek; the decrement below is what synchronises.
        let mut count = self.count.load(Ordering::Relaxed);
        while count > 0 {
            // Acquire: pairs with `wake`'s Release.
            match self.count.compare_exchange_weak(
                count,
                count - 1,
                Ordering::Acquire,
                Ordering::Relaxed,
            ) {
                Ok(_) => return true,
                Err(now) => count = now,
            }
        }
        false
    }
}

impl Default for Semaphore {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(all(test, not(lockyard_loom)))]
mod tests {
    use super::Semaphore;
    use std::sync::Arc;
    use std::time::Duration;

    #[test]
    fn a_wake_before_the_sleep_is_kept() {
        let sema = Semaphore::new();
        sema.wake();
        assert!(sema.sleep(Some(Duration::from_millis(1))));
    }

    #[test]
    fn a_timed_sleep_without_a_wake_reports_the_timeout() {
        let sema = Semaphore::new();
        assert!(!sema.sleep(Some(Duration::from_millis(5))));
    }

    #[test]
    fn tokens_count() {
        let sema = Semaphore::new();
        sema.wake();
        sema.wake();
        assert!(sema.sleep(Some(Duration::ZERO)));
        assert!(sema.sleep(Some(Duration::ZERO)));
        assert!(!sema.sleep(Some(Duration::ZERO)));
    }

    #[test]
    fn a_wake_from_another_thread_ends_an_untimed_sleep() {
        let sema = Arc::new(Semaphore::new());
        let waker = {
            let sema = Arc::clone(&sema);
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(10));
                sema.wake();
            })
        };
        assert!(sema.sleep(None));
        waker.join().unwrap();
    }
}
