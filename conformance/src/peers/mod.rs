//! The locks users would pick instead of lockyard's, as `RawLock` backends of
//! the harness, so every suite runs and measures them beside futex, sema and
//! spinbit. They live here, not in the lock library: they are yardsticks.
//!
//! `is_contended` means "a thread is blocked in `lock`" for the peers: none
//! of them says whether its waiters spin or sleep, so each counts the threads
//! that found it taken. That costs one extra `try_lock` before blocking and
//! two counter updates on the contended path only.

mod parking_lot_lock;
#[cfg(unix)]
mod pthread_lock;
mod spin_lock;
mod std_lock;

pub use parking_lot_lock::ParkingLotLock;
#[cfg(unix)]
pub use pthread_lock::PthreadLock;
pub use spin_lock::SpinLock;
pub use std_lock::StdLock;
