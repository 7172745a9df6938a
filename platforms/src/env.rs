//! Every `LOCKYARD_*` environment variable, named once.
//!
//! The xtask sets them and the suites read them, so both take the names from
//! here. lockyard itself must build without this crate and spells the three
//! it reads ([`EXPERIMENT`] and [`PROFILE_MUTANT`] in its build script,
//! [`CHAOS`] in its fault injection); the xtask's tidy test keeps those
//! spellings equal to these.

/// Build-time experiment settings in Go's GOEXPERIMENT syntax
/// (`spinbitmutex`, `nospinbitxchg8`, `none`), read by lockyard's build.rs.
pub const EXPERIMENT: &str = "LOCKYARD_EXPERIMENT";

/// Fault-injection settings of a `chaos` build
/// (`seed=N,delay=P,cas=P,early=P,late=P`), read by lockyard's chaos module.
pub const CHAOS: &str = "LOCKYARD_CHAOS";

/// A positive factor on every iteration count of the suites (deadlines are
/// never scaled). The xtask sets 0.5 under qemu unless told otherwise.
pub const SCALE: &str = "LOCKYARD_SCALE";

/// Set (to anything but empty or `0`) to register the positive controls in
/// every suite, as `cargo xtask mutants` does.
pub const MUTANTS: &str = "LOCKYARD_MUTANTS";

/// A directory the starvation suite writes one JSON file of figures into per
/// run, for the xtask's report.json.
pub const FIGURES_DIR: &str = "LOCKYARD_FIGURES_DIR";

/// `charge_twice` builds the contention profile's positive control (a
/// profile that never restamps), read by lockyard's build.rs; the CI step
/// `profile` sets it.
pub const PROFILE_MUTANT: &str = "LOCKYARD_PROFILE_MUTANT";

/// The repository variable (GitHub Actions `vars`) that turns on the
/// workflow's ppc64le job on IBM's Power runners, which a project must
/// apply for: `true` runs it. The workflow hands it to `cargo xtask
/// targets --format hardware-json` in the environment.
pub const HARDWARE_PPC64LE: &str = "LOCKYARD_PPC64LE";

/// Every variable above, for checks that no other spelling exists.
pub const ALL: &[&str] = &[
    EXPERIMENT,
    CHAOS,
    SCALE,
    MUTANTS,
    FIGURES_DIR,
    PROFILE_MUTANT,
    HARDWARE_PPC64LE,
];

#[cfg(test)]
mod tests {
    #[test]
    fn names_are_distinct_and_namespaced() {
        for (i, a) in super::ALL.iter().enumerate() {
            assert!(a.starts_with("LOCKYARD_"), "{a}");
            assert!(!super::ALL[i + 1..].contains(a), "{a} twice");
        }
    }
}
