//! The `own-lock` step: the example crate that brings its own lock
//! (`conformance/examples/ticket-lock`, README "Test your own lock")
//! through `--manifest-path`, as a user would run it.

use anyhow::{Context, Result, ensure};
use xshell::{Shell, cmd};

use super::suites::{matrix, test_flags};
use super::{Counts, Skipped, count};
use crate::project;
use crate::test::Mode;

/// The crate that brings its own lock (README, "Test your own lock").
pub(super) const OWN_LOCK: &str = "conformance/examples/ticket-lock/Cargo.toml";

/// Where the own-lock step runs it: the host, big-endian 64-bit POWER and
/// 32-bit arm.
const OWN_LOCK_TARGETS: [&str; 3] = [lockyard_platforms::HOST, "ppc64", "arm"];

/// The cases the own-lock step leaves out under Miri, to keep it short:
/// the wider exclusion runs and the allocator case take 35 s of the
/// phase's 46 (the rest, 2-thread exclusion included, runs).
const OWN_LOCK_MIRI_SKIPS: [&str; 8] = [
    "--skip",
    "mutual_exclusion_4",
    "--skip",
    "mutual_exclusion_8",
    "--skip",
    "mutual_exclusion_16",
    "--skip",
    "global_allocator",
];

/// The example crate through the bring-your-own-lock path: its unit tests,
/// its suites on
/// [`OWN_LOCK_TARGETS`] (unoptimised, in lockyard's target directory so the
/// conformance step's dependencies serve; its Cargo.lock pins lockyard's
/// versions), then under Miri, where the correct lock must pass and its
/// `relaxed-release` variant must be caught as a data race.
pub(super) fn own_lock(sh: &Shell, counts: &mut Counts) -> Result<()> {
    let manifest = project::root().join(OWN_LOCK);
    let _shared = sh.push_env("CARGO_TARGET_DIR", project::target_dir(sh)?);
    // The crate's own unit tests first, as its author would run them.
    cmd!(sh, "cargo test --manifest-path {manifest} --lib")
        .run()
        .context("the ticket lock's unit tests failed")?;
    let mut flags = test_flags(&OWN_LOCK_TARGETS, &[], "lockyard", false);
    flags.manifest_path = Some(manifest.clone());
    flags.unoptimised = true;
    matrix(sh, counts, &flags, Mode::Replace, "")?;

    if !crate::miri::available(sh) {
        return Err(Skipped(format!(
            "the example passed on {}; its Miri runs were skipped: Miri is not installed \
             (the miri step installs it)",
            OWN_LOCK_TARGETS.join(", ")
        ))
        .into());
    }
    let skips: Vec<String> = OWN_LOCK_MIRI_SKIPS.map(String::from).to_vec();
    let correct = crate::miri::Foreign {
        manifest: &manifest,
        tests: &[],
        features: None,
        args: &skips,
    };
    let (command, _) = crate::miri::foreign_command(sh, &correct)?;
    eprintln!("$ {command}");
    let ran = command.run();
    count(counts, ran.is_ok());
    ran.context("the ticket lock failed under Miri")?;

    let first = ["ticket::mutual_exclusion_2".to_string()];
    let broken = crate::miri::Foreign {
        features: Some("relaxed-release"),
        args: &first,
        ..correct
    };
    let (command, _) = crate::miri::foreign_command(sh, &broken)?;
    eprintln!("$ {command}   (must be caught)");
    let output = command.ignore_status().output()?;
    let report = String::from_utf8_lossy(&output.stderr);
    let caught = !output.status.success() && report.contains("Data race detected");
    count(counts, caught);
    ensure!(
        caught,
        "Miri did not catch the ticket lock's relaxed release (exit {}); its output:\n{report}",
        output.status
    );
    eprintln!("xtask ci: Miri caught the relaxed release as a data race, as it must");
    Ok(())
}
