//! `starver`: a lock that shuts one thread out, for the unit tests that show
//! the starvation suite's contention run and fairness test catch it.

use lockyard::RawLock;
use lockyard::futex::RawFutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// How long others must leave the lock alone before the victim gets it:
/// longer than any pause a loaded machine puts in a 300 ms run.
const QUIET: Duration = Duration::from_millis(200);

/// A futex lock that shuts out one thread (`worker-0` of a contention
/// run, the latecomer of the fairness test) until nobody else has taken
/// it for [`QUIET`].
pub(crate) struct Starver {
    inner: RawFutex,
    epoch: Instant,
    /// When another thread last took it, in µs since `epoch`.
    last_other: AtomicU64,
}

fn is_victim() -> bool {
    matches!(
        std::thread::current().name(),
        Some("worker-0" | "latecomer")
    )
}

// SAFETY: all exclusion is `inner`'s; the wrapper only delays the victim.
unsafe impl RawLock for Starver {
    const NAME: &'static str = "starver";
    #[allow(clippy::declare_interior_mutable_const)]
    const INIT: Self = unreachable_init();

    fn new() -> Self {
        Starver {
            inner: RawFutex::new(),
            epoch: Instant::now(),
            last_other: AtomicU64::new(0),
        }
    }

    fn lock(&self) {
        if is_victim() {
            let quiet = QUIET.as_micros() as u64;
            // Relaxed: a timestamp; `inner` orders the data.
            while (self.epoch.elapsed().as_micros() as u64)
                .saturating_sub(self.last_other.load(Ordering::Relaxed))
                < quiet
            {
                std::thread::yield_now();
            }
            self.inner.lock();
        } else {
            self.inner.lock();
            self.last_other
                .store(self.epoch.elapsed().as_micros() as u64, Ordering::Relaxed);
        }
    }

    fn try_lock(&self) -> bool {
        self.inner.try_lock()
    }

    unsafe fn unlock(&self) {
        // SAFETY: the caller holds the lock, which is `inner`.
        unsafe { self.inner.unlock() }
    }

    fn is_locked(&self) -> bool {
        self.inner.is_locked()
    }

    fn is_contended(&self) -> bool {
        self.inner.is_contended()
    }
}

/// `Starver` needs a clock, which no const can hold; nothing here uses
/// `INIT`.
const fn unreachable_init() -> Starver {
    panic!("Starver has no const initialiser")
}
