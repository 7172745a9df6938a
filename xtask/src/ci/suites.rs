//! The steps that run lockyard's suites through `cargo xtask test`
//! (conformance, starvation, primitives, chaos), and the helpers the
//! own-lock step shares with them.

use anyhow::{Result, bail};
use lockyard_platforms::Runner;
use xshell::Shell;

use super::Counts;
use crate::flags;
use crate::test::{self, Mode, Output};

/// `cargo xtask test --target T... --backend B... --suite SUITE [--chaos]`,
/// the emulated runner where a target has the choice; no backends is all.
pub(super) fn test_flags(
    targets: &[&str],
    backends: &[&str],
    suite: &str,
    chaos: bool,
) -> flags::Test {
    let owned = |names: &[&str]| names.iter().map(|n| n.to_string()).collect();
    flags::Test {
        targets: owned(targets),
        backends: owned(backends),
        suites: vec![suite.to_string()],
        runner: Runner::Qemu,
        qemu_scale: None,
        chaos,
        manifest_path: None,
        unoptimised: false,
    }
}

/// LOCKYARD_SCALE of the conformance and primitives steps' qemu runs: 0.3 of the native
/// counts, where `cargo xtask test` takes 0.5, to keep `.ci/run` within
/// its 25 minutes (the runs are most of the conformance step's 6 minutes;
/// every case and target still runs, each with thousands of handovers, and
/// `cargo xtask test --target all` runs the full emulated counts).
const CI_QEMU_SCALE: f64 = 0.3;

pub(super) fn conformance(sh: &Shell, counts: &mut Counts) -> Result<()> {
    let mut flags = test_flags(&[lockyard_platforms::ALL], &[], "conformance", false);
    flags.qemu_scale = Some(CI_QEMU_SCALE);
    matrix(sh, counts, &flags, Mode::Replace, "")
}

/// Runs `cargo xtask test` with `flags`, its report written as `mode`
/// says, counts its trials, and fails if any failed; `hint` is added to
/// the error.
pub(super) fn matrix(
    sh: &Shell,
    counts: &mut Counts,
    flags: &flags::Test,
    mode: Mode,
    hint: &str,
) -> Result<()> {
    let output = Output::usual(sh, flags.manifest_path.as_deref(), flags.chaos, mode)?;
    let out = test::execute(sh, flags, &output)?;
    counts.passed += out.passed;
    counts.failed += out.failed;
    if out.failed > 0 {
        bail!(
            "{} {} trial(s) failed; see {}{hint}",
            out.failed,
            flags.suites.join("+"),
            out.report.display()
        );
    }
    Ok(())
}

/// The starvation suite on the host, merged into the conformance step's
/// report.json: its trials and figures join that step's, a rerun's
/// replace its own.
pub(super) fn starvation(sh: &Shell, counts: &mut Counts) -> Result<()> {
    let flags = test_flags(&[lockyard_platforms::HOST], &[], "starvation", false);
    matrix(sh, counts, &flags, Mode::Merge, "")
}

/// The primitives suite on every runnable target, merged into the
/// conformance step's report.json as the starvation suite is.
pub(super) fn primitives(sh: &Shell, counts: &mut Counts) -> Result<()> {
    let mut flags = test_flags(&[lockyard_platforms::ALL], &[], "primitives", false);
    flags.qemu_scale = Some(CI_QEMU_SCALE);
    matrix(sh, counts, &flags, Mode::Merge, "")
}

/// The targets the chaos step runs on: one of each kind the faults could
/// meet differently (32-bit and 64-bit words, native and emulated, little-
/// and big-endian), not all six, to keep `.ci/run` under 25 minutes; about
/// 3 minutes on 2 cores. `cargo xtask test --chaos --target all` runs all.
const CHAOS_TARGETS: &[&str] = &["386", "amd64", "arm64", "ppc64"];
/// lockyard's own backends: the peers have no fault injection.
const CHAOS_BACKENDS: &[&str] = &["futex", "sema", "spinbit", "spinbit-bounded"];

pub(super) fn chaos(sh: &Shell, counts: &mut Counts) -> Result<()> {
    let flags = test_flags(CHAOS_TARGETS, CHAOS_BACKENDS, "conformance", true);
    matrix(
        sh,
        counts,
        &flags,
        Mode::Replace,
        " (under fault injection: the chaos line above replays the run)",
    )
}
