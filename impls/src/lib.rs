//! lockyard: the Go runtime's three mutexes behind one trait.
//!
//! * [`futex`]: the tristate futex lock (`lock_futex_tristate.go`).
//! * [`sema`]: the tristate semaphore lock (`lock_sema_tristate.go`).
//! * [`spinbit`]: the spinbit lock (`lock_spinbit.go`), Go's default since 1.24,
//!   and beyond Go its bounded-wait flavor, [`spinbit::BoundedMutex`].
//!
//! Every backend implements [`RawLock`] and `lock_api::RawMutex`, so
//! `lockyard::spinbit::Mutex<T>` is a typed mutex with guards. [`Mutex`] uses
//! [`DefaultLock`], chosen per target like Go's `GOEXPERIMENT`: see
//! [`experiment()`] and the README.
//!
//! ```
//! // The target's default backend (spinbit where the CPU has an 8-bit swap).
//! static QUEUE: lockyard::Mutex<Vec<u32>> = lockyard::Mutex::new(Vec::new());
//!
//! // A backend by name, whatever the default.
//! let counter = lockyard::futex::Mutex::new(0u32);
//!
//! std::thread::scope(|s| {
//!     for i in 0..4 {
//!         let counter = &counter;
//!         s.spawn(move || {
//!             QUEUE.lock().push(i);
//!             *counter.lock() += 1;
//!         });
//!     }
//! });
//! assert_eq!(*counter.lock(), 4);
//! assert_eq!(QUEUE.lock().len(), 4);
//! println!("default backend: {}", lockyard::experiment().default_backend);
//! ```
//!
//! None of the lock paths allocates or touches std's lazily initialised
//! state, so a lockyard lock may guard a `#[global_allocator]` and be taken
//! in thread exit or on a thread std did not start.

#![warn(missing_docs)]

pub mod arena;
pub mod bitmap;
mod blame;
#[cfg(lockyard_chaos)]
mod chaos;
mod experiment;
mod fair_timed;
mod fastrand;
pub mod futex;
pub mod locked_list;
mod misuse;
mod os;
mod primitive;
#[cfg(lockyard_profile)]
pub mod profile;
mod raw_lock;
pub mod sema;
mod semaphore;
pub mod spinbit;
pub mod stats;
mod wait_stack;
mod waiter;
#[cfg_attr(lockyard_loom, path = "waiter_pool_loom.rs")]
mod waiter_pool;
pub mod xchg8;
// The node arena's lock; loom models leak their nodes instead.
#[cfg(not(lockyard_loom))]
mod yield_lock;

pub use experiment::{Experiment, HAS_XCHG8, SPINBIT_XCHG8};
pub use fair_timed::{RawLockFair, RawLockTimed};
/// lock_api, whose `Mutex<R, T>` gives any of lockyard's raw locks a typed
/// mutex (the backends' `Mutex` aliases are that), re-exported so that its
/// version always matches the one lockyard implements.
pub use lock_api;
pub use os::PRIMITIVE as OS_PRIMITIVE;
pub use raw_lock::RawLock;
pub use semaphore::Semaphore;
#[cfg(not(lockyard_loom))]
pub use waiter_pool::{WAITER_CHUNK_NODES, idle_waiters, waiter_chunks};

/// The backend behind [`Mutex`]: spinbit where the `spinbitmutex`
/// experiment is on, otherwise the tristate lock Go used on this OS.
#[cfg(lockyard_default = "spinbit")]
pub type DefaultLock = spinbit::RawSpinbit;
/// The backend behind [`Mutex`]: spinbit where the `spinbitmutex`
/// experiment is on, otherwise the tristate lock Go used on this OS.
#[cfg(lockyard_default = "futex")]
pub type DefaultLock = futex::RawFutex;
/// The backend behind [`Mutex`]: spinbit where the `spinbitmutex`
/// experiment is on, otherwise the tristate lock Go used on this OS.
#[cfg(lockyard_default = "sema")]
pub type DefaultLock = sema::RawSema;

/// The experiment settings this build of lockyard was made with.
///
/// ```
/// use lockyard::RawLock;
///
/// let e = lockyard::experiment();
/// // The default backend is the one `Mutex` and `DefaultLock` use.
/// assert_eq!(e.default_backend, lockyard::DefaultLock::NAME);
/// // `spinbitmutex` on means spinbit is the default, and nothing else does.
/// assert_eq!(e.spinbit_mutex, e.default_backend == "spinbit");
/// println!("{} ({}), source: {}", e.default_backend, e.flags, e.source);
/// ```
pub fn experiment() -> Experiment {
    Experiment::of_this_build(DefaultLock::NAME, os::PRIMITIVE)
}

/// Expands its input only where spinbit's byte path exists (the
/// `spinbit-xchg8` flavor, [`spinbit::RawSpinbitXchg8`]), so code outside the
/// crate can name it without copying the target list. `if_xchg8! { { A }
/// else { B } }` expands `A` there and `B` elsewhere.
#[cfg(lockyard_byte_path)]
#[macro_export]
macro_rules! if_xchg8 {
    ({ $($yes:tt)* } else { $($no:tt)* }) => { $($yes)* };
    ($($item:tt)*) => { $($item)* };
}

/// Expands its input only where spinbit's byte path exists; it does not
/// here, so only an `else` branch expands.
#[cfg(not(lockyard_byte_path))]
#[macro_export]
macro_rules! if_xchg8 {
    ({ $($yes:tt)* } else { $($no:tt)* }) => { $($no)* };
    ($($item:tt)*) => {};
}

/// The README's Rust examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeExamples;

raw_lock::lock_api_aliases!(
    DefaultLock,
    "the target's default backend ([`DefaultLock`])",
    "lockyard::"
);
