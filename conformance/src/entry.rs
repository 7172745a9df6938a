//! The entry points a crate outside lockyard uses to run lockyard's suites
//! and benchmarks on its own lock: [`main!`](crate::main) for a test target,
//! [`bench_main!`](crate::bench_main) for a bench target, both with
//! `harness = false`.
//!
//! Each lock is named and described in one line:
//!
//! ```text
//! "ticket" => ticket_lock::RawTicketLock
//! "ticket" => ticket_lock::RawTicketLock, promises = Promises::FAIR_ENOUGH
//! "mine" => my::RawMine, promises = Promises::NONE, contended = my::Probe, fair_timed = true
//! ```
//!
//! * the name starts its trial names (`ticket::mutual_exclusion_8`) and its
//!   benchmark lines (`BenchmarkMutexContention/backend=ticket-8`);
//! * the type is any `lock_api::RawMutex` (0.5), behind
//!   [`Foreign`](crate::foreign::Foreign);
//! * `promises` (default [`Promises::NONE`](crate::Promises::NONE)) are what
//!   the cases may hold it to beyond mutual exclusion;
//! * `contended` names a [`Contended`](crate::foreign::Contended) probe
//!   (default: the harness counts the threads blocked in `lock`);
//! * `fair_timed = true` adds the fair and timed cases, for a lock with lock_api's
//!   `RawMutexFair` and `RawMutexTimed` on std's clock.

use crate::Backend;
use crate::suite_main::{Phase, run_phases};
use std::process::ExitCode;

/// What [`main!`](crate::main) runs: the conformance cases of `locks`,
/// several at a time, then their starvation trials, one at a time (they
/// measure).
pub fn test_main(locks: &[Backend]) -> ExitCode {
    if cfg!(miri) {
        eprintln!(
            "lockyard: under Miri the starvation trials (they measure time, an interpreter's) \
             and no_lost_wakeup_signals (Miri cannot call sigaction) are ignored"
        );
    }
    run_phases(|budget| {
        vec![
            Phase {
                trials: locks.iter().flat_map(|b| b.trials(budget)).collect(),
                alone: false,
            },
            Phase {
                trials: locks
                    .iter()
                    .flat_map(|b| b.starvation_trials(budget))
                    .map(|t| {
                        if cfg!(miri) {
                            t.with_ignored_flag(true)
                        } else {
                            t
                        }
                    })
                    .collect(),
                alone: true,
            },
        ]
    })
}

/// A test target's `main` that runs lockyard's conformance and starvation
/// suites on the locks it names (see [`crate::entry`] for the syntax), and
/// installs the global allocator the `global_allocator` case needs.
///
/// In `tests/lockyard.rs` of a crate with a `[[test]] name = "lockyard"`,
/// `harness = false` target:
///
/// ```ignore
/// lockyard_conformance::main! {
///     "ticket" => ticket_lock::RawTicketLock, promises = lockyard_conformance::Promises::FAIR_ENOUGH;
/// }
/// ```
///
/// `cargo test --test lockyard` then runs it (libtest's flags work:
/// `-- --list`, `-- ticket::try_lock --exact`), as do `cargo nextest run`
/// and `cargo xtask test --manifest-path ...` from lockyard.
#[macro_export]
macro_rules! main {
    ($($name:literal => $raw:ty $(, promises = $promises:expr)? $(, contended = $probe:ty)? $(, fair_timed = $fair_timed:tt)?);+ $(;)?) => {
        /// Takes the lock under test around every allocation while the
        /// `global_allocator` case switches it on; plain `System` otherwise.
        #[global_allocator]
        static LOCKYARD_ALLOCATOR: $crate::allocator::GuardedAlloc = $crate::allocator::GuardedAlloc;

        fn main() -> ::std::process::ExitCode {
            $crate::entry::test_main(&[
                $($crate::foreign_backend!($name => $raw $(, promises = $promises)? $(, contended = $probe)? $(, fair_timed = $fair_timed)?)),+
            ])
        }
    };
}

/// A bench target's `main` that runs Go's runtime mutex benchmarks on the
/// locks it names (the syntax of [`main!`](crate::main)) beside lockyard's
/// backends and the peers, in Go's benchmark format; `--help` lists its
/// flags. With no `--backend`, it runs the named locks, spinbit, futex,
/// std and parking_lot, interleaved, so their ratios come from one run.
#[macro_export]
macro_rules! bench_main {
    ($($name:literal => $raw:ty $(, promises = $promises:expr)? $(, contended = $probe:ty)? $(, fair_timed = $fair_timed:tt)?);+ $(;)?) => {
        fn main() -> ::std::process::ExitCode {
            $crate::bench_cli::foreign_main(
                &[$($crate::foreign_backend!($name => $raw $(, promises = $promises)? $(, contended = $probe)? $(, fair_timed = $fair_timed)?)),+],
                env!("CARGO_PKG_NAME"),
            )
        }
    };
}

/// One lock of [`main!`](crate::main) as a [`Backend`]: declares its name
/// type in a block of its own.
#[doc(hidden)]
#[macro_export]
macro_rules! foreign_backend {
    (@promises) => { $crate::Promises::NONE };
    (@promises $promises:expr) => { $promises };
    (@probe) => { $crate::foreign::Counted };
    (@probe $probe:ty) => { $probe };
    (@make $lock:ty) => { $crate::Backend::of::<$lock> };
    (@make $lock:ty, false) => { $crate::Backend::of::<$lock> };
    (@make $lock:ty, true) => { $crate::Backend::of_fair_timed::<$lock> };
    ($name:literal => $raw:ty $(, promises = $promises:expr)? $(, contended = $probe:ty)? $(, fair_timed = $fair_timed:tt)?) => {{
        struct Name;
        impl $crate::foreign::LockName for Name {
            const NAME: &'static str = $name;
        }
        type Lock = $crate::foreign::Foreign<$raw, Name, $crate::foreign_backend!(@probe $($probe)?)>;
        $crate::foreign_backend!(@make Lock $(, $fair_timed)?)($crate::foreign_backend!(@promises $($promises)?))
    }};
}
