//! lockyard's conformance suite: every backend held to the [`RawLock`]
//! contract by the same generic cases, as libtest-mimic trials named
//! `<backend>::<case>` (`spinbit::mutual_exclusion_8`).
//!
//! The test binary `tests/conformance.rs` runs [`trials`]:
//! `cargo nextest run -p lockyard-conformance --test conformance`, or with a
//! nextest filter such as `-E 'test(/^spinbit::/)'`. It also answers
//! `--list --format terse`, so the list of backends and cases can be read
//! from a binary built for another target, and `--lockyard-experiment`
//! alone, which prints the experiment its lockyard was built with.
//!
//! * [`allocator`]: the global allocator that takes the lock under test
//!   (the `global_allocator` case; `tests/conformance.rs` installs it).
//! * [`registry`]: the backends under test, one line each, and the
//!   positive controls.
//! * [`backend`]: a backend as the suites see it: name, promises, trials.
//! * [`promises`]: what a backend promises beyond the contract.
//! * [`peers`]: std, parking_lot, pthread and a spinlock as backends.
//! * [`foreign`]: any lock_api mutex as a backend; [`main!`] and
//!   [`bench_main!`] run the suites and benchmarks on one from its own crate.
//! * [`controls`]: locks broken or altered on purpose, which the suites must
//!   catch or compare against.
//! * [`cases`]: the cases, and the table that makes a backend's trials.
//! * [`budget`]: every deadline and count, and the `LOCKYARD_SCALE` knob.
//! * [`starvation`]: the starvation suite (`tests/starvation.rs`).
//! * [`primitives`]: the primitives suite (`tests/primitives.rs`): the
//!   lock-avoiding structures in their before and after forms.
//! * [`throughput`]: Go's runtime mutex benchmarks, and [`bench_cli`] the
//!   command line of the bench binaries (`benches/throughput.rs`).
//! * [`watchdog`]: a hang becomes a failure that shows the lock's state.
//!
//! [`RawLock`]: lockyard::RawLock

#![warn(missing_docs)]

pub mod allocator;
pub mod backend;
pub mod bench_cli;
mod bench_profile;
mod blocked;
pub mod budget;
pub mod cases;
pub mod controls;
pub mod entry;
mod experiment;
pub mod foreign;
pub mod guarded;
pub mod peers;
pub mod primitives;
pub mod promises;
pub mod registry;
pub mod starvation;
mod suite_main;
pub mod throughput;
pub mod wait;
pub mod watchdog;
pub mod workers;
pub mod xorshift;

pub use backend::Backend;
pub use budget::Budget;
pub use promises::Promises;
pub use registry::{BACKENDS, trials};
pub use suite_main::{Phase, run_phases, run_suite};

/// The unit tests' allocator, as the conformance binary's, so that the tests
/// that feed the `global_allocator` case a broken lock see it catch it.
#[cfg(test)]
#[global_allocator]
static ALLOCATOR: allocator::GuardedAlloc = allocator::GuardedAlloc;
