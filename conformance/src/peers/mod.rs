//! The locks users would pick instead of lockyard's, as `RawLock` backends of
//! the harness, so every suite runs and measures them beside futex, sema and
//! spinbit. They live here, not in the lock library: they are yardsticks.
//!
//! `is_contended` means "a thread is blocked in `lock`" for the peers: none
//! of them says whether its waiters spin or sleep, so each counts the threads
//! that found it taken. That costs one extra `try_lock` before blocking and
//! two counter updates on the contended path only.

mod parking_lot_lock;
mod pthread_lock;
mod spin_lock;
mod std_lock;

pub use parking_lot_lock::ParkingLotLock;
pub use pthread_lock::PthreadLock;
pub use spin_lock::SpinLock;
pub use std_lock::StdLock;

use std::sync::atomic::{AtomicUsize, Ordering};

/// Threads blocked in a peer's `lock`, for `is_contended`.
#[derive(Default)]
pub(crate) struct Blocked(AtomicUsize);

impl Blocked {
    pub(crate) const fn new() -> Self {
        Blocked(AtomicUsize::new(0))
    }

    /// Runs the blocking acquisition `acquire`, counted as blocked.
    #[inline]
    pub(crate) fn around<R>(&self, acquire: impl FnOnce() -> R) -> R {
        // Relaxed: a diagnostic count; the lock itself orders the data.
        self.0.fetch_add(1, Ordering::Relaxed);
        let r = acquire();
        self.0.fetch_sub(1, Ordering::Relaxed);
        r
    }

    pub(crate) fn any(&self) -> bool {
        self.0.load(Ordering::Relaxed) != 0
    }
}
