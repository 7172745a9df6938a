//! `cargo xtask check`: lockyard compiles (and passes clippy) for every
//! target of another OS than this machine's Linux, so an OS layer nobody
//! runs here still builds, and one that only wine runs is still linted.

use anyhow::{Context, Result};
use xshell::{Shell, cmd};

use crate::flags;
use crate::project;

/// `cargo xtask check`.
pub fn run(flags: flags::Check) -> Result<()> {
    let sh = project::shell()?;
    check(&sh, !flags.no_clippy)
}

/// Checks every target of another OS (the check-only ones and Windows);
/// with `clippy`, lints it too (the dependencies' check results are
/// shared, so this costs little).
pub fn check(sh: &Shell, clippy: bool) -> Result<()> {
    let other_os = lockyard_platforms::TARGETS
        .iter()
        .filter(|t| t.os != "linux");
    for t in other_os {
        let triple = t.triple;
        let name = t.name();
        project::ensure_rust_target(sh, t)?;
        eprintln!("xtask: check {name} ({triple})");
        cmd!(sh, "cargo check -p lockyard --target {triple}")
            .run()
            .with_context(|| format!("cannot build lockyard for {name}; rerun `cargo check -p lockyard --target {triple}`"))?;
        if clippy {
            cmd!(sh, "cargo clippy -p lockyard --target {triple} -- -D warnings")
                .run()
                .with_context(|| {
                    format!("clippy finds problems in lockyard for {name}; rerun `cargo clippy -p lockyard --target {triple} -- -D warnings`")
                })?;
        }
    }
    Ok(())
}
