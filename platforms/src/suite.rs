//! What the xtask and the suite binaries say to each other beyond the
//! environment ([`crate::env`]) and the trial names: the argument that asks a
//! suite binary what its lockyard was built with, the answer's shape, and
//! the name of the positive controls' reference, and how a suite binary
//! marks the last words it writes before it aborts.

use serde::{Deserialize, Serialize};

/// How the starvation suite's case names begin (`contention_8`,
/// `mutex_fairness`, `bounded_wait`): its trials measure, so they run with
/// no other trial beside them. A foreign crate's `lockyard_conformance::main!`
/// binary runs them beside its conformance cases, and the xtask's nextest
/// config for it picks them out by these names; lockyard-conformance's tests
/// check that its starvation trials, and only they, match.
pub const MEASURING_CASES: [&str; 3] = ["contention_", "mutex_fairness", "bounded_wait"];

/// Whether trial case `case` is one of the starvation suite's, by
/// [`MEASURING_CASES`].
pub fn is_measuring(case: &str) -> bool {
    MEASURING_CASES.iter().any(|p| case.starts_with(p))
}

/// Given alone, a suite binary prints its build's [`Experiment`] as one line
/// of JSON and exits 0, so the xtask reports what a build has rather than
/// what the table expects of the target.
pub const EXPERIMENT_ARG: &str = "--lockyard-experiment";

/// The experiment settings a build of lockyard has: `lockyard::Experiment`
/// as it crosses a process boundary (the suites fill it from every field of
/// that struct, so a field added there cannot go missing here unnoticed).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Experiment {
    /// The experiments on, in GOEXPERIMENT syntax (`spinbitmutex,spinbitxchg8`).
    pub flags: String,
    /// Where they came from: `baseline`, or `LOCKYARD_EXPERIMENT=<value>`.
    pub source: String,
    /// `spinbitmutex`: spinbit is the default backend.
    pub spinbit_mutex: bool,
    /// `spinbitxchg8`: spinbit's fast paths swap the flag byte.
    pub spinbit_xchg8: bool,
    /// The backend behind `lockyard::Mutex`.
    pub default_backend: String,
    /// The OS wait/wake primitive compiled in (`futex`, ...).
    pub os_primitive: String,
}

/// The trial-name prefix of stock spinbit run beside the positive controls
/// under their budget: it must pass, or a catch says more about the budget
/// than about the control.
pub const UNMUTATED: &str = "unmutated";

/// How a suite binary begins the line it writes to stderr before aborting,
/// where it cannot fail a trial the usual way (inside its global
/// allocator): the xtask takes that line as the failure's message, rather
/// than only the signal.
pub const ABORT_PREFIX: &str = "lockyard-conformance: ";
