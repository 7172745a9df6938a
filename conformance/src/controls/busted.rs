//! `busted`: a lock whose `lock` does nothing.

use lockyard::RawLock;

/// `busted`: a lock whose `lock` does nothing.
pub struct Busted;

// SAFETY: it is not safe, on purpose: this lock excludes nobody, and the race
// it lets onto a guarded counter is the very failure the cases look for. Only
// the positive-control runs and these tests use it.
unsafe impl RawLock for Busted {
    const NAME: &'static str = "busted";
    const INIT: Self = Busted;

    fn new() -> Self {
        Busted
    }
    fn lock(&self) {}
    fn try_lock(&self) -> bool {
        true
    }
    unsafe fn unlock(&self) {}
    fn is_locked(&self) -> bool {
        false
    }
    fn is_contended(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::budget::MUTUAL_EXCLUSION_THREADS;
    use crate::cases::{global_allocator, misuse, mutual_exclusion, tls_destructor, try_lock};
    use crate::watchdog::failure;

    #[test]
    fn mutual_exclusion_catches_a_lock_that_does_not_lock() {
        for threads in MUTUAL_EXCLUSION_THREADS {
            let error = failure("busted::mutual_exclusion", move |b, w| {
                mutual_exclusion::run::<Busted>(b, w, threads)
            });
            assert!(error.contains("mutual exclusion broken"), "{error}");
        }
    }

    #[test]
    fn try_lock_catches_a_lock_that_does_not_lock() {
        let error = failure("busted::try_lock", try_lock::run::<Busted>);
        assert!(error.contains("held without waiters"), "{error}");
    }

    #[test]
    fn misuse_catches_an_unlock_that_does_not_panic() {
        let error = failure("busted::unlock_of_unlocked_lock", misuse::run::<Busted>);
        assert!(error.contains("returned instead of panicking"), "{error}");
    }

    #[test]
    fn global_allocator_catches_a_lock_that_does_not_lock() {
        let error = failure("busted::global_allocator", global_allocator::run::<Busted>);
        assert!(
            error.contains("mutual exclusion broken inside the allocator"),
            "{error}"
        );
    }

    #[test]
    fn tls_destructor_catches_a_lock_that_does_not_lock() {
        let error = failure("busted::tls_destructor", |b, w| {
            tls_destructor::run::<Busted>(b, w, false)
        });
        assert!(error.contains("mutual exclusion broken"), "{error}");
    }

    /// A lock whose waiters never sleep fails the case's own check, within
    /// the watchdog's budget: not as a hang.
    #[test]
    fn tls_destructor_catches_destructors_that_never_sleep() {
        let error = failure("busted::tls_destructor", |b, w| {
            tls_destructor::run::<Busted>(b, w, true)
        });
        assert!(
            error.contains("no thread-local destructor fell asleep"),
            "{error}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn foreign_thread_catches_a_lock_that_does_not_lock() {
        let error = failure("busted::foreign_thread", |b, w| {
            crate::cases::foreign_thread::run::<Busted>(b, w, false)
        });
        assert!(error.contains("mutual exclusion broken"), "{error}");
    }
}
