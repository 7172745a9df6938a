//! The `profile` step: lockyard's contention profile (the `profile`
//! feature). Its tests run optimised on the host, as the profile would be
//! used, and unoptimised on every other runnable target under qemu (the
//! unwinder differs per architecture: EHABI on arm, ELFv1 descriptors on
//! ppc64); a profile written by a contended program must open in `go tool
//! pprof` (Debian's `golang-go`, which `cargo xtask setup` installs); and
//! the positive control, a build that charges the same waits again at
//! every sample, must fail the tests.

use anyhow::{Context, Result, bail, ensure};
use lockyard_platforms::Runner;
use xshell::{Shell, cmd};

use super::{Counts, count, run_counted};
use crate::nextest::{self, Plan};
use crate::project;

/// The variable and value that build the positive control (see
/// `impls/build.rs` and `impls/src/blame.rs`); only lockyard rebuilds.
const CONTROL: (&str, &str) = (lockyard_platforms::env::PROFILE_MUTANT, "charge_twice");

/// The test the control must fail, and what its failure says.
const CONTROL_CATCHER: (&str, &str) = ("many_waiters_charged_once", "outside 1/1.5..=1.5");

/// What `go tool pprof -raw` must print of the example's profile: Go's
/// mutex-profile sample types, and the function that held the lock.
const RAW_MUST_SHOW: [&str; 2] = [
    "contentions/count delay/nanoseconds",
    "slow_critical_section",
];

pub(super) fn profile(sh: &Shell, counts: &mut Counts) -> Result<()> {
    tests(sh, counts)?;
    other_targets(sh, counts)?;
    let ran = pprof(sh);
    count(counts, ran.is_ok());
    ran?;
    let caught = control(sh);
    count(counts, caught.is_ok());
    caught
}

/// The profile's tests and doctests, counted from libtest's summaries.
fn tests(sh: &Shell, counts: &mut Counts) -> Result<()> {
    for args in [
        &["--release", "--test", "profile"][..],
        &["--doc", "profile"][..],
    ] {
        let command = cmd!(sh, "cargo test -p lockyard --features profile {args...}");
        let passed = run_counted(command, counts).context("the profile's tests failed")?;
        ensure!(
            passed > 0,
            "the profile's tests ran nothing: {}",
            args.join(" ")
        );
    }
    Ok(())
}

/// The profile's tests on every runnable target but the host, under qemu:
/// one cargo build for all of them, then a run per target. Unoptimised,
/// like the conformance step's builds, whose dependencies it shares: the
/// tests check counts, sites and ratios of waits the test itself makes
/// long, not speed (about 3 s a target under qemu).
fn other_targets(sh: &Shell, counts: &mut Counts) -> Result<()> {
    let host = project::host_triple(sh)?;
    let all = [lockyard_platforms::ALL.to_string()];
    let plans: Vec<Plan> = nextest::plan_targets(&all, Runner::Qemu, &host)?
        .into_iter()
        .filter(|p| p.runner == Runner::Qemu)
        .collect();
    let mut vars = Vec::new();
    let mut target_args = Vec::new();
    for plan in &plans {
        nextest::check_tools(sh, plan)?;
        vars.extend(nextest::cargo_env(plan, None));
        target_args.extend(["--target", plan.target.triple]);
    }
    cmd!(
        sh,
        "cargo test -p lockyard --features profile --test profile {target_args...} --no-run"
    )
    .envs(vars.iter().map(|(k, v)| (k, v)))
    .run()
    .context("cannot build the profile's tests for the qemu targets")?;
    let mut failed = Vec::new();
    for plan in &plans {
        let (name, triple) = (plan.target.name(), plan.target.triple);
        eprintln!("xtask ci: the profile's tests on {name} ({triple}, qemu)");
        let command = cmd!(
            sh,
            "cargo test -p lockyard --features profile --test profile --target {triple}"
        )
        .envs(vars.iter().map(|(k, v)| (k, v)));
        match run_counted(command, counts) {
            Ok(0) => failed.push(format!("{name} (ran no test)")),
            Ok(_) => {}
            Err(e) => failed.push(format!("{name} ({e:#})")),
        }
    }
    ensure!(
        failed.is_empty(),
        "the profile's tests failed on {}",
        failed.join(", ")
    );
    Ok(())
}

/// Writes the example's profile and reads it back with `go tool pprof`.
fn pprof(sh: &Shell) -> Result<()> {
    let go = project::which("go").context(
        "cannot find `go`, whose `go tool pprof` reads the profile: install Debian's \
         golang-go (`apt-get install golang-go`, or `cargo xtask setup`)",
    )?;
    let dir = project::report_dir(sh)?.join("profile");
    sh.create_dir(&dir)?;
    let file = dir.join("contention.pb.gz");
    cmd!(
        sh,
        "cargo run --release -p lockyard --features profile --example contention_profile -- {file}"
    )
    .run()
    .context("the contention_profile example failed")?;
    let raw = cmd!(sh, "{go} tool pprof -raw {file}")
        .read()
        .context("`go tool pprof -raw` cannot read the profile")?;
    for wanted in RAW_MUST_SHOW {
        ensure!(
            raw.contains(wanted),
            "`go tool pprof -raw {}` does not show `{wanted}`:\n{raw}",
            file.display()
        );
    }
    let top = cmd!(sh, "{go} tool pprof -top -sample_index=delay {file}")
        .read()
        .context("`go tool pprof -top` cannot read the profile")?;
    println!("{top}");
    ensure!(
        top.contains("slow_critical_section"),
        "`go tool pprof -top` does not name the slow critical section:\n{top}"
    );
    eprintln!("xtask ci: go tool pprof read {}", file.display());
    Ok(())
}

/// The positive control: built with [`CONTROL`], the profile charges every
/// wait again at each sample, and [`CONTROL_CATCHER`] must say so.
fn control(sh: &Shell) -> Result<()> {
    let (test, says) = CONTROL_CATCHER;
    let (variable, value) = CONTROL;
    eprintln!("$ {variable}={value} cargo test ... {test}   (must be caught)");
    let out = cmd!(
        sh,
        "cargo test --release -p lockyard --features profile --test profile -- {test}"
    )
    .env(variable, value)
    .ignore_status()
    .output()
    .context("cannot run the profile's positive control")?;
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if out.status.success() || !printed.contains(says) {
        bail!(
            "the profile's positive control (charge_twice) was not caught by `{test}`:\n{printed}"
        );
    }
    eprintln!("xtask ci: the charge_twice control was caught by {test}");
    Ok(())
}
