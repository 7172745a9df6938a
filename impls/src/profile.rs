//! The contention profile of lockyard's locks (the `profile` feature): not
//! how long a thread waited, but whose critical section made it wait.
//!
//! A contended unlock is sampled 1 time in [`set_rate`]'s `n`. A sampled
//! unlock, still holding the lock, estimates the time its lock's sleepers
//! have waited since the last charge (Go's estimate, golang/go#66999: the
//! mean of the newest and oldest sleepers' waits times their number) and,
//! once the lock is given up, charges it to its own call stack. The stacks
//! add up per call site: count, total delay, longest delay. Every backend
//! keeps its sleepers in a list with the time each began waiting: sema and
//! spinbit on their stacks, futex in a wait list of its own kept only in
//! this build (`futex/wait_list.rs`; the kernel, not futex, knows who
//! sleeps).
//!
//! Separately, [`total_wait`] is the time threads spent waiting in
//! lockyard's locks, like Go's `/sync/mutex/wait/total:seconds`: one slow
//! path in 8 is timed (every one in `rate` when `rate` is below 8) and
//! scaled by that period.
//!
//! ```
//! use lockyard::profile;
//! use lockyard::spinbit::Mutex;
//!
//! profile::set_rate(1); // every contended unlock
//! let shared = Mutex::new(0u64);
//! std::thread::scope(|s| {
//!     for _ in 0..4 {
//!         s.spawn(|| {
//!             for _ in 0..10_000 {
//!                 *shared.lock() += 1;
//!             }
//!         });
//!     }
//! });
//! profile::set_rate(0);
//! let report = profile::snapshot();
//! print!("{report}"); // sites by total delay
//! let mut pprof = Vec::new();
//! report.write_pprof(&mut pprof)?; // for `go tool pprof`
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! **What a sampled unlock costs, and where it may not allocate.** With the
//! rate at 0 an unlock adds one relaxed load of the rate. A sampled
//! contended unlock takes its lock's stack or list lock once more, walks to
//! the oldest sleeper (sema, spinbit; futex keeps a tail), and after the
//! release captures its stack with the platform unwinder (libgcc's
//! `_Unwind_Backtrace` on Linux, through the `backtrace` crate) into a
//! fixed per-thread buffer. It then adds the sample to a fixed table under
//! a spin flag of its own, never a lockyard lock, and only trying: if the
//! table is busy the sample stays pending on the thread, and a second one
//! arriving first keeps one of the two at random weighted by delay (the
//! other counted in [`Profile::lost`]). Nothing on that path allocates
//! (`tests/profile.rs` counts). Symbols are resolved only when a report is
//! printed or written.
//!
//! **Tail calls.** An optimised build may turn a guard's drop that is the
//! last thing a function does into a tail call; that function's frame is
//! then gone from the stack the unlock records, and its caller takes the
//! charge. Where a site matters, keep the unlock from being the last call
//! (return something read under the lock, as the
//! `examples/contention_profile.rs` does).

pub(crate) mod pending;
#[cfg(not(lockyard_loom))]
mod pprof;
pub(crate) mod rate;
#[cfg(not(lockyard_loom))]
mod report;
#[cfg(not(lockyard_loom))]
mod symbols;
mod table;
pub(crate) mod wait_metric;

pub use rate::{rate, set_rate};
#[cfg(not(lockyard_loom))]
pub use report::{Profile, Site};
pub use wait_metric::total_wait;

/// The profile so far: every call site charged since the last [`reset`],
/// most delay first.
///
/// Not in loom builds, which leave the unwinder and the pprof writer out:
/// their models check the wait lists, not the sites.
#[cfg(not(lockyard_loom))]
pub fn snapshot() -> Profile {
    Profile::collect()
}

/// Forgets every site, the lost count and the wait total.
pub fn reset() {
    table::clear();
    wait_metric::reset();
}
