//! Cases known to fail for a reason that is not lockyard's, and what a run
//! does about each: a runner's bug is run another way, a peer's
//! limitation is reported apart from failures.

use lockyard_platforms::Runner;

/// A case known to fail for a reason that is not lockyard's: a bug of a
/// runner, or a limitation of a peer the suites measure beside lockyard.
pub struct KnownIssue {
    /// Whose issue it is.
    pub scope: Scope,
    /// The case.
    pub case: &'static str,
    /// What is known, for the report.
    pub note: &'static str,
}

/// Whose issue a [`KnownIssue`] is, and so what a run does about it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// A bug of `runner` on `target` (its short name), for every backend,
    /// shown by running the same binary another way. Where the target can
    /// also run natively the case runs natively instead (the report gives
    /// the runner and the note); elsewhere its result stands.
    Runner {
        /// Short target name.
        target: &'static str,
        /// The runner with the bug.
        runner: Runner,
    },
    /// A limitation of this backend (a peer), on every target and runner:
    /// the backend does not promise what the case holds it to, so its
    /// suites register the case ignored. `cargo xtask test` runs it anyway,
    /// alone, and reports a failure as known (with the note), not failed.
    Backend(&'static str),
}

/// The known issues.
pub const KNOWN_ISSUES: &[KnownIssue] = &[
    KnownIssue {
        scope: Scope::Runner {
            target: "386",
            runner: Runner::Qemu,
        },
        case: "no_lost_wakeup_signals",
        note: "run natively: qemu-user's i386 emulator (Debian's 7.2) loses futex wakeups when signals \
               interrupt waits (design.md); under it parking_lot, sema and every spinbit flavor hang \
               or find a sleeper left behind, while the same i686 binary passes on the host's kernel",
    },
    KnownIssue {
        scope: Scope::Backend("parking_lot"),
        case: "global_allocator",
        note: "a limitation of the peer, which does not promise allocator safety \
               (conformance's promises.rs): parking_lot's parking table and thread data \
               allocate on its slow path, so inside a #[global_allocator] it re-enters the \
               allocator and the case aborts",
    },
];

/// The known limitations of `backend` ([`Scope::Backend`]).
pub fn limitations(backend: &str) -> Vec<&'static KnownIssue> {
    KNOWN_ISSUES
        .iter()
        .filter(|k| matches!(k.scope, Scope::Backend(b) if b == backend))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nextest::plan_targets;

    #[test]
    fn limitations_are_a_backends_and_divert_nothing() {
        let cases: Vec<&str> = limitations("parking_lot").iter().map(|k| k.case).collect();
        assert_eq!(cases, ["global_allocator"]);
        assert!(limitations("spinbit").is_empty());
        for p in plan_targets(
            &["all".to_string()],
            Runner::Qemu,
            lockyard_platforms::TABLE_HOST,
        )
        .unwrap()
        {
            assert!(
                p.diverted()
                    .iter()
                    .all(|k| matches!(k.scope, Scope::Runner { .. })),
                "{}",
                p.target.name()
            );
        }
    }
}
