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

/// A case or a backend that exists on POSIX systems only, and why: on
/// another system (Windows) lockyard-conformance does not build it, and
/// the xtask reports it skipped with this reason rather than leaving a
/// silent hole in the matrix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PosixOnly {
    /// The case name (`foreign_thread`), or the backend name for
    /// [`POSIX_ONLY_BACKENDS`].
    pub name: &'static str,
    /// The suites that have it.
    pub suites: &'static [&'static str],
    /// Why it cannot apply elsewhere.
    pub reason: &'static str,
}

/// Cases, of every backend, that need POSIX.
pub const POSIX_ONLY_CASES: &[PosixOnly] = &[
    PosixOnly {
        name: "no_lost_wakeup_signals",
        suites: &["conformance"],
        reason: "POSIX signals interrupting a wait (sigaction without SA_RESTART, pthread_kill): \
                 Windows has no signals, and its waits are not interrupted by anything like them",
    },
    PosixOnly {
        name: "foreign_thread",
        suites: &["conformance"],
        reason: "the case starts its threads with pthread_create, a POSIX call; a Windows \
                 version would start them with CreateThread, which the suite does not do yet",
    },
];

/// Peers that are POSIX APIs.
pub const POSIX_ONLY_BACKENDS: &[PosixOnly] = &[PosixOnly {
    name: "pthread",
    suites: &["conformance", "starvation"],
    reason: "the pthread_mutex_t peer: Windows has no POSIX threads (its peers there are std, \
             parking_lot and spin)",
}];

/// Why `case` of `backend` in `suite` does not run on a system without
/// POSIX, if it does not: the backend's reason, or the case's.
pub fn posix_only(suite: &str, backend: &str, case: &str) -> Option<&'static str> {
    let named = |list: &'static [PosixOnly], name: &str| {
        list.iter()
            .find(|p| p.name == name && p.suites.contains(&suite))
            .map(|p| p.reason)
    };
    named(POSIX_ONLY_BACKENDS, backend).or_else(|| named(POSIX_ONLY_CASES, case))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn posix_only_reasons_by_backend_then_case() {
        assert!(posix_only("starvation", "pthread", "contention_8").is_some());
        assert!(posix_only("conformance", "futex", "foreign_thread").is_some());
        assert_eq!(posix_only("starvation", "futex", "foreign_thread"), None);
        assert_eq!(posix_only("conformance", "futex", "try_lock"), None);
        assert_eq!(posix_only("primitives", "pthread", "(backend)"), None);
    }
}
