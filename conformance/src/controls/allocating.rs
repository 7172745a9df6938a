//! `allocating`: a lock that allocates a waiter node from the heap each time
//! it must wait, as lockyard's waiter nodes were first made (a `Box::new` on
//! a thread's first contention). It excludes and wakes correctly; inside a
//! `#[global_allocator]` it re-enters the allocator, which the conformance
//! case `global_allocator` must catch.

use crate::cases::misuse;
use lockyard::RawLock;
use std::hint::{black_box, spin_loop};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Tries before a waiter yields, like a real lock's spin phase.
const SPINS: u32 = 100;

/// What a waiter allocates for its wait: the shape of a waiter node (a
/// link and a semaphore word), never shared here.
struct Node {
    _next: usize,
    _sema: u32,
}

/// `allocating`: test-and-test-and-set with a heap-allocated node per wait.
pub struct Allocating {
    locked: AtomicBool,
    /// Threads waiting in `lock`, for `is_contended`.
    waiting: AtomicUsize,
}

impl Allocating {
    #[cold]
    fn lock_slow(&self) {
        // The broken part: memory taken on the contended path.
        let node = black_box(Box::new(Node { _next: 0, _sema: 0 }));
        // Relaxed: a diagnostic count; the lock word orders the data.
        self.waiting.fetch_add(1, Ordering::Relaxed);
        'wait: loop {
            for _ in 0..SPINS {
                if self.try_lock() {
                    break 'wait;
                }
                spin_loop();
            }
            std::thread::yield_now();
        }
        self.waiting.fetch_sub(1, Ordering::Relaxed);
        drop(node);
    }
}

// Memory ordering: Acquire to take, Release to give; Relaxed in the probes,
// which only report.
// SAFETY: only a swap or compare-exchange from false to true takes it, with
// Acquire; unlock gives it back with Release. What it breaks on purpose is
// allocator safety, not exclusion.
unsafe impl RawLock for Allocating {
    const NAME: &'static str = "allocating";
    #[allow(clippy::declare_interior_mutable_const)]
    const INIT: Self = Allocating {
        locked: AtomicBool::new(false),
        waiting: AtomicUsize::new(0),
    };

    fn new() -> Self {
        Self::INIT
    }

    #[inline]
    fn lock(&self) {
        if !self.try_lock() {
            self.lock_slow();
        }
    }

    #[inline]
    fn try_lock(&self) -> bool {
        // Relaxed peek first: a waiter spins on a shared line.
        !self.locked.load(Ordering::Relaxed)
            && self
                .locked
                .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
                .is_ok()
    }

    #[inline]
    unsafe fn unlock(&self) {
        if !self.locked.swap(false, Ordering::Release) {
            panic!("{}", misuse::MESSAGE);
        }
    }

    fn is_locked(&self) -> bool {
        self.locked.load(Ordering::Relaxed)
    }

    fn is_contended(&self) -> bool {
        self.waiting.load(Ordering::Relaxed) != 0
    }

    fn state_word(&self) -> Option<usize> {
        Some(usize::from(self.is_locked()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::budget::Budget;
    use crate::cases::global_allocator;
    use crate::watchdog;

    /// The child below, by its full path, which libtest filters on.
    const CHILD: &str = "controls::allocating::tests::under_the_guarded_allocator";

    #[test]
    #[ignore = "aborts its process on purpose: run in a child process by \
                global_allocator_catches_a_lock_that_allocates"]
    fn under_the_guarded_allocator() {
        let budget = Budget::default();
        let result = watchdog::run("allocating::global_allocator", budget.watchdog, move |w| {
            global_allocator::run::<Allocating>(&budget, w)
        });
        panic!("the allocator was not re-entered: the case returned {result:?}");
    }

    #[test]
    fn global_allocator_catches_a_lock_that_allocates() {
        // The detector aborts, so the case runs in a child: this test binary
        // again (it installs the guarded allocator too), asked for the child
        // alone.
        let exe = std::env::current_exe().expect("the test binary's path");
        let child = std::process::Command::new(exe)
            .args([
                CHILD,
                "--exact",
                "--ignored",
                "--nocapture",
                "--test-threads",
                "1",
            ])
            .output()
            .expect("cannot run the test binary again");
        let stderr = String::from_utf8_lossy(&child.stderr);
        assert!(
            stderr.contains("the allocator was re-entered under the `allocating` lock"),
            "status {}, stderr:\n{stderr}",
            child.status
        );
        #[cfg(unix)]
        {
            use std::os::unix::process::ExitStatusExt as _;
            assert_eq!(
                child.status.signal(),
                Some(libc::SIGABRT),
                "{}",
                child.status
            );
        }
        #[cfg(not(unix))]
        assert!(!child.status.success(), "{}", child.status);
    }
}
