//! `cargo xtask miri`: lockyard's tests under Miri, on a pinned nightly.
//!
//! Miri checks the word paths (the byte path's mixed-size atomics are
//! outside Rust's memory model, so lockyard compiles them out under Miri).
//! Its flags: leaked waiter nodes are by design (they are never freed, see
//! the README), the OS layer reads the clock, and the node pointers packed
//! into lock words need permissive provenance.

use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use lockyard_platforms::env;
use xshell::{Shell, cmd};

use crate::flags;
use crate::names;
use crate::nextest::SuitePackage;
use crate::project;
use crate::side_by_side;

/// The toolchain Miri runs on: a dated nightly, so that a new nightly (or
/// a forge's image update) cannot change what CI checks. Move it forward on
/// purpose, with a Miri run, when a newer Miri is wanted.
pub const TOOLCHAIN: &str = "nightly-2026-10-30";

/// MIRIFLAGS lockyard needs (see the module docs).
pub const MIRIFLAGS: &str =
    "-Zmiri-ignore-leaks -Zmiri-disable-isolation -Zmiri-permissive-provenance";

/// The races Miri's scheduler and weak-memory emulation rarely reach in one
/// run, rerun under many seeds: the fair and timed handoffs. One seed of
/// the whole file missed a stale sleeper count in futex's fair unlock that
/// seed 23 of these finds at once.
const SEEDED_TESTS: [&str; 2] = ["fair", "timed"];

/// The seeds of that rerun (`-Zmiri-many-seeds`): about 2 s each, two at
/// a time. The bug above showed at seed 23 of one case; widen this when
/// the fair or timed code changes (0..64 took about two minutes).
const SEEDS: &str = "0..16";

/// The command that installs what Miri needs.
pub const INSTALL: &str =
    "rustup toolchain install nightly-2026-10-30 --profile minimal -c miri,rust-src";

/// `cargo xtask miri`.
pub fn run(flags: flags::Miri) -> Result<()> {
    let sh = project::shell()?;
    if !available(&sh) {
        if !flags.install {
            bail!(
                "cannot find Miri on the {TOOLCHAIN} toolchain; install it with `{INSTALL}`, \
                 or run `cargo xtask miri --install`"
            );
        }
        install(&sh)?;
    }
    match &flags.manifest_path {
        Some(manifest) => foreign(
            &sh,
            &Foreign {
                manifest,
                tests: &flags.tests,
                features: flags.features.as_deref(),
                args: &flags.args,
            },
        ),
        None => test(&sh),
    }
}

/// LOCKYARD_SCALE for a foreign crate's cases under Miri, which interprets
/// every step: a hundredth of the native iterations still gives two
/// threads thousands of handovers, and the whole conformance phase of the
/// example's ticket lock about a minute.
const FOREIGN_SCALE: &str = "0.01";

/// What a foreign crate's Miri run takes: the crate, its test targets
/// (none: all), features, and libtest's arguments for its binaries.
#[derive(Clone, Copy, Debug)]
pub struct Foreign<'a> {
    /// Its Cargo.toml.
    pub manifest: &'a Path,
    /// Test targets.
    pub tests: &'a [String],
    /// cargo features of the crate.
    pub features: Option<&'a str>,
    /// Arguments after `--`, as libtest takes them (a filter, `--skip`).
    pub args: &'a [String],
}

/// `cargo +TOOLCHAIN miri test --manifest-path MANIFEST --test T... -- ARGS...`
/// at [`FOREIGN_SCALE`], with [`MIRIFLAGS`]: the conformance cases of a
/// foreign crate's `main!` binaries (the library ignores the starvation
/// trials and the signals case under Miri, and says so). Returns the
/// command, not run, and the crate's name.
pub fn foreign_command<'a>(sh: &'a Shell, run: &Foreign<'_>) -> Result<(xshell::Cmd<'a>, String)> {
    let package = SuitePackage::at(sh, run.manifest)?;
    let tests = names::resolve("test target", run.tests, &package.tests)?;
    let selected = package.cargo_args();
    let test_args: Vec<&str> = tests.iter().flat_map(|t| ["--test", t.as_str()]).collect();
    let feature_args: Vec<&str> = run
        .features
        .map(|f| vec!["--features", f])
        .unwrap_or_default();
    let args = run.args;
    let command = cmd!(
        sh,
        "cargo +{TOOLCHAIN} miri test {selected...} {test_args...} {feature_args...} -- {args...}"
    )
    .env("MIRIFLAGS", MIRIFLAGS)
    .env(env::SCALE, FOREIGN_SCALE);
    Ok((command, package.name))
}

/// Runs [`foreign_command`], its output streamed; fails if a trial did.
fn foreign(sh: &Shell, run: &Foreign<'_>) -> Result<()> {
    let (command, name) = foreign_command(sh, run)?;
    eprintln!(
        "xtask miri: MIRIFLAGS=\"{MIRIFLAGS}\" {}={FOREIGN_SCALE} {command}",
        env::SCALE
    );
    let began = Instant::now();
    command.run().with_context(|| {
        format!(
            "{name}'s cases failed under Miri; its report above names the operation (a data race \
             is a missing Release or Acquire)"
        )
    })?;
    eprintln!(
        "xtask miri: {name} passed in {:.0}s",
        began.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Whether `cargo +TOOLCHAIN miri` works here.
pub fn available(sh: &Shell) -> bool {
    cmd!(sh, "cargo +{TOOLCHAIN} miri --version")
        .quiet()
        .ignore_stdout()
        .ignore_stderr()
        .run()
        .is_ok()
}

/// Installs [`TOOLCHAIN`] with miri and rust-src.
///
/// # Errors
///
/// If rustup cannot (offline, or that nightly lacks miri).
pub fn install(sh: &Shell) -> Result<()> {
    eprintln!("xtask miri: installing: {INSTALL}");
    cmd!(
        sh,
        "rustup toolchain install {TOOLCHAIN} --profile minimal -c miri,rust-src"
    )
    .run()
    .with_context(|| format!("cannot install Miri with `{INSTALL}`"))?;
    if !available(sh) {
        bail!("`{INSTALL}` succeeded but `cargo +{TOOLCHAIN} miri` still does not run");
    }
    Ok(())
}

/// `cargo +TOOLCHAIN miri test -p lockyard --lib --tests` with [`MIRIFLAGS`], then the
/// [`SEEDED_TESTS`] under [`SEEDS`].
pub fn test(sh: &Shell) -> Result<()> {
    let miriflags = match std::env::var("MIRIFLAGS") {
        Ok(flags) if !flags.trim().is_empty() => format!("{MIRIFLAGS} {flags}"),
        _ => MIRIFLAGS.to_string(),
    };
    eprintln!(
        "xtask miri: MIRIFLAGS=\"{miriflags}\" cargo +{TOOLCHAIN} miri test -p lockyard --lib --tests"
    );
    let began = Instant::now();
    // The doctests are examples of the API, run natively by the doc-tests
    // step; under Miri each compiles on its own, for little more than the
    // unit tests check. Built once, then the unit tests and the test
    // targets run side by side: Miri interprets on one thread.
    let miri_test = |what: &[&str]| {
        cmd!(sh, "cargo +{TOOLCHAIN} miri test -p lockyard {what...}").env("MIRIFLAGS", &miriflags)
    };
    miri_test(&["--lib", "--tests", "--no-run"])
        .run()
        .context("cannot build lockyard's tests for Miri")?;
    let targets: Vec<String> = test_targets(sh)?
        .into_iter()
        .flat_map(|t| ["--test".to_string(), t])
        .collect();
    let targets: Vec<&str> = targets.iter().map(String::as_str).collect();
    side_by_side::run(vec![
        ("miri: the unit tests".into(), miri_test(&["--lib"]).into()),
        ("miri: the test targets".into(), miri_test(&targets).into()),
    ])
    .context("lockyard's tests failed under Miri; its report above names the operation")?;
    let seeded = format!("{miriflags} -Zmiri-many-seeds={SEEDS}");
    eprintln!(
        "xtask miri: MIRIFLAGS=\"{seeded}\" cargo +{TOOLCHAIN} miri test -p lockyard \
         --test backends -- {}",
        SEEDED_TESTS.join(" ")
    );
    cmd!(
        sh,
        "cargo +{TOOLCHAIN} miri test -p lockyard --test backends -- {SEEDED_TESTS...}"
    )
    .env("MIRIFLAGS", &seeded)
    .run()
    .context(
        "the fair and timed cases failed under one of Miri's seeds; its report above names \
         the failing seed (rerun it with -Zmiri-seed=N)",
    )?;
    eprintln!(
        "xtask miri: passed in {:.0}s",
        began.elapsed().as_secs_f64()
    );
    Ok(())
}

/// lockyard's test targets that `--tests` builds: those without required
/// features (`--test NAME` would insist on them).
fn test_targets(sh: &Shell) -> Result<Vec<String>> {
    let package = project::package(sh, "lockyard")?;
    let targets: Vec<String> = package["targets"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|t| {
            t["kind"]
                .as_array()
                .is_some_and(|k| k.iter().any(|k| k == "test"))
        })
        .filter(|t| t["required-features"].as_array().is_none_or(Vec::is_empty))
        .filter_map(|t| t["name"].as_str().map(str::to_string))
        .collect();
    if targets.is_empty() {
        bail!("`cargo metadata` lists no test target of lockyard");
    }
    Ok(targets)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_install_line_names_the_pinned_toolchain() {
        assert!(
            INSTALL.contains(&format!(" {TOOLCHAIN} ")),
            "{INSTALL} vs {TOOLCHAIN}"
        );
    }

    #[test]
    fn the_test_targets_are_those_miri_builds() {
        let sh = crate::project::shell().unwrap();
        let targets = test_targets(&sh).unwrap();
        assert!(targets.iter().any(|t| t == "backends"), "{targets:?}");
        // The profile's need its feature, which `--tests` leaves out.
        assert!(!targets.iter().any(|t| t == "profile"), "{targets:?}");
    }
}
