//! The `msrv` step of `cargo xtask ci`: lockyard builds with the toolchain
//! its `rust-version` names, every feature on at once.
//!
//! `rust-version` is the lowest that builds: lockyard's own dependency
//! lock_api 0.5 declares 1.95, so no older toolchain can resolve the crate.
//! Building with every feature also checks that the features are additive:
//! `spinbitmutex` and `nospinbitmutex` (and the xchg8 pair) on together must
//! build, with a warning (impls/build/experiments.rs).

use anyhow::{Context, Result, bail};
use xshell::{Shell, cmd};

use crate::project;

/// The crate whose `rust-version` is checked: the one users depend on.
pub const PACKAGE: &str = "lockyard";

/// The rustup toolchain for a `rust-version` value: `1.95` is `1.95.0`
/// (cargo reads a two-part MSRV as its first patch release).
pub fn toolchain(rust_version: &str) -> Result<String> {
    let parts: Vec<&str> = rust_version.split('.').collect();
    if !(2..=3).contains(&parts.len()) || parts.iter().any(|p| p.parse::<u32>().is_err()) {
        bail!("rust-version {rust_version:?} is not MAJOR.MINOR or MAJOR.MINOR.PATCH");
    }
    Ok(if parts.len() == 2 {
        format!("{rust_version}.0")
    } else {
        rust_version.to_string()
    })
}

/// Builds [`PACKAGE`] with its MSRV toolchain (installed through rustup
/// with the minimal profile when missing, a download of seconds) and
/// `--all-features`, in a target directory of its own so the workspace's
/// stable build stays warm.
pub fn check(sh: &Shell) -> Result<()> {
    let version = project::rust_version(sh, PACKAGE)?;
    let toolchain = toolchain(&version)?;
    let installed = cmd!(sh, "rustup run {toolchain} rustc --version")
        .quiet()
        .ignore_stderr()
        .read()
        .is_ok();
    if !installed {
        eprintln!("xtask msrv: installing {toolchain} (rust-version of {PACKAGE})");
        cmd!(sh, "rustup toolchain install {toolchain} --profile minimal")
            .run()
            .with_context(|| {
                format!("cannot install {toolchain}; run `rustup toolchain install {toolchain}`")
            })?;
    }
    let target_dir = project::target_dir(sh)?.join("msrv");
    cmd!(
        sh,
        "cargo +{toolchain} build --locked -p {PACKAGE} --all-features --target-dir {target_dir}"
    )
    .run()
    .with_context(|| {
        format!(
            "{PACKAGE} does not build with its rust-version {version} ({toolchain}) and every \
             feature on; raise rust-version to the lowest that builds, or fix the code"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_two_part_rust_version_is_its_first_patch_release() {
        assert_eq!(toolchain("1.95").unwrap(), "1.95.0");
        assert_eq!(toolchain("1.95.2").unwrap(), "1.95.2");
        assert!(toolchain("stable").is_err());
        assert!(toolchain("1").is_err());
    }
}
