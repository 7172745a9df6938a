//! `parking_lot`: `parking_lot::RawMutex` (0.13), the lock many Rust programs
//! pick over std's.

use super::Blocked;
use lock_api::RawMutex as _;
use lockyard::RawLock;
use parking_lot::RawMutex;
use std::cell::UnsafeCell;

type Guard = <RawMutex as lock_api::RawMutex>::Guard;

/// parking_lot's raw mutex behind the raw-lock trait; the holder's guard
/// marker is kept inside for `unlock`.
pub struct ParkingLotLock {
    raw: RawMutex,
    held: UnsafeCell<Option<Guard>>,
    blocked: Blocked,
}

// SAFETY: `held` is touched only by the holder of `raw`.
unsafe impl Sync for ParkingLotLock {}
// SAFETY: the guard marker holds no data.
unsafe impl Send for ParkingLotLock {}

impl Default for ParkingLotLock {
    fn default() -> Self {
        <Self as RawLock>::new()
    }
}

impl ParkingLotLock {
    fn keep(&self, guard: Guard) {
        // SAFETY: we hold `raw`, so no other thread touches `held`.
        unsafe { *self.held.get() = Some(guard) };
    }
}

// SAFETY: parking_lot's mutex provides the exclusion and the ordering.
unsafe impl RawLock for ParkingLotLock {
    const NAME: &'static str = "parking_lot";
    #[allow(clippy::declare_interior_mutable_const)]
    const INIT: Self = ParkingLotLock {
        raw: RawMutex::INIT,
        held: UnsafeCell::new(None),
        blocked: Blocked::new(),
    };

    fn new() -> Self {
        Self::INIT
    }

    #[inline]
    fn lock(&self) {
        let guard = match self.raw.try_lock() {
            Some(guard) => guard,
            None => self.blocked.around(|| self.raw.lock()),
        };
        self.keep(guard);
    }

    #[inline]
    fn try_lock(&self) -> bool {
        self.raw.try_lock().map(|guard| self.keep(guard)).is_some()
    }

    #[inline]
    unsafe fn unlock(&self) {
        // SAFETY: the caller holds the lock, so only it touches `held`.
        match unsafe { (*self.held.get()).take() } {
            // SAFETY: the guard came from a successful lock of `raw`.
            Some(guard) => unsafe { self.raw.unlock(guard) },
            None => panic!("{}", crate::cases::misuse::MESSAGE),
        }
    }

    fn is_locked(&self) -> bool {
        self.raw.is_locked()
    }

    fn is_contended(&self) -> bool {
        self.blocked.any()
    }
}
