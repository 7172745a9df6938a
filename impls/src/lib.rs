//! lockyard: the Go runtime's three mutexes behind one trait.
//!
//! * [`futex`]: the tristate futex lock (`lock_futex_tristate.go`).
//! * [`sema`]: the tristate semaphore lock (`lock_sema_tristate.go`).
//! * [`spinbit`]: the spinbit lock (`lock_spinbit.go`), Go's default since 1.24.
//!
//! Every backend implements [`RawLock`] and `lock_api::RawMutex`, so
//! `lockyard::spinbit::Mutex<T>` is a typed mutex with guards. [`Mutex`] uses
//! [`DefaultLock`], chosen per target like Go's `GOEXPERIMENT`: see
//! [`experiment()`] and the README.

#![warn(missing_docs)]

#[cfg(all(feature = "chaos", not(loom)))]
mod chaos;
mod experiment;
mod fastrand;
pub mod futex;
mod misuse;
mod os;
mod primitive;
mod raw_lock;
pub mod sema;
mod semaphore;
pub mod spinbit;
pub mod stats;
mod waiter;
#[cfg(not(loom))]
mod waiter_pool;
pub mod xchg8;

pub use experiment::{DefaultLock, Experiment, HAS_XCHG8, SPINBIT_XCHG8, experiment};
pub use os::PRIMITIVE as OS_PRIMITIVE;
pub use raw_lock::RawLock;
pub use semaphore::Semaphore;
#[cfg(not(loom))]
pub use waiter_pool::idle_waiters;

#[doc(hidden)]
pub use lock_api as __lock_api;

/// Expands its input only where spinbit's byte path exists (the
/// `spinbit-xchg8` flavor, [`spinbit::RawSpinbitXchg8`]), so code outside the
/// crate can name it without copying the target list. `if_xchg8! { { A }
/// else { B } }` expands `A` there and `B` elsewhere.
#[cfg(all(lockyard_has_xchg8, not(loom), not(miri)))]
#[macro_export]
macro_rules! if_xchg8 {
    ({ $($yes:tt)* } else { $($no:tt)* }) => { $($yes)* };
    ($($item:tt)*) => { $($item)* };
}

/// Expands its input only where spinbit's byte path exists; it does not
/// here, so only an `else` branch expands.
#[cfg(not(all(lockyard_has_xchg8, not(loom), not(miri))))]
#[macro_export]
macro_rules! if_xchg8 {
    ({ $($yes:tt)* } else { $($no:tt)* }) => { $($no)* };
    ($($item:tt)*) => {};
}

/// A mutex on the target's default backend ([`DefaultLock`]).
#[cfg(not(loom))]
pub type Mutex<T> = lock_api::Mutex<DefaultLock, T>;
/// The guard of [`Mutex`].
#[cfg(not(loom))]
pub type MutexGuard<'a, T> = lock_api::MutexGuard<'a, DefaultLock, T>;
