//! lockyard's conformance suite: every backend held to the [`RawLock`]
//! contract by the same generic cases, as libtest-mimic trials named
//! `<backend>::<case>` (`spinbit::mutual_exclusion_8`).
//!
//! The test binary `tests/conformance.rs` runs [`trials`]:
//! `cargo nextest run -p lockyard-conformance --test conformance`, or with a
//! nextest filter such as `-E 'test(/^spinbit::/)'`. It also answers
//! `--list --format terse`, so the list of backends and cases can be read
//! from a binary built for another target.
//!
//! * [`registry`]: the backends, one line each, and what each promises.
//! * [`peers`]: std, parking_lot, pthread and a spinlock as backends.
//! * [`cases`]: the cases, and the table that makes a backend's trials.
//! * [`budget`]: every deadline and count, and the `LOCKYARD_SCALE` knob.
//! * [`starvation`]: the starvation suite (`tests/starvation.rs`).
//! * [`throughput`]: Go's runtime mutex benchmarks (`benches/throughput.rs`).
//! * [`watchdog`]: a hang becomes a failure that shows the lock's state.
//! * [`mutants`]: positive controls, broken locks the suites must catch.
//!
//! [`RawLock`]: lockyard::RawLock

#![warn(missing_docs)]

pub mod budget;
pub mod cases;
pub mod guarded;
pub mod mutants;
pub mod peers;
pub mod registry;
pub mod starvation;
mod suite_main;
pub mod throughput;
pub mod wait;
pub mod watchdog;
pub mod workers;

pub use budget::Budget;
pub use registry::{BACKENDS, Backend, Promises, trials};
pub use suite_main::run_suite;
