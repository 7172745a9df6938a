//! A count of the threads blocked in a lock's `lock`: `is_contended` for
//! locks that cannot say whether their waiters sleep (the peers, foreign
//! locks).

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
