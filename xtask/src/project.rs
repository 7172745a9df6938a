//! Facts about the workspace, the host and its tools that several tasks need.

use std::env;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use lockyard_platforms::Target;
use xshell::{Shell, cmd};

/// The workspace root (the xtask crate's parent directory).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the workspace root")
        .to_path_buf()
}

/// A shell whose current directory is the workspace root.
pub fn shell() -> Result<Shell> {
    let sh = Shell::new().context("cannot start a shell")?;
    sh.change_dir(root());
    Ok(sh)
}

/// `cargo metadata` for the workspace's own packages.
fn metadata(sh: &Shell) -> Result<serde_json::Value> {
    let json = cmd!(sh, "cargo metadata --format-version 1 --no-deps")
        .quiet()
        .read()
        .context("cannot run `cargo metadata`")?;
    serde_json::from_str(&json).context("cannot parse `cargo metadata`")
}

/// A workspace package's entry in `cargo metadata` (its targets,
/// features, rust-version).
pub fn package(sh: &Shell, name: &str) -> Result<serde_json::Value> {
    let mut meta = metadata(sh)?;
    let packages = meta["packages"]
        .as_array_mut()
        .context("`cargo metadata` gave no packages")?;
    let at = packages
        .iter()
        .position(|p| p["name"] == name)
        .with_context(|| format!("no package `{name}` in the workspace"))?;
    Ok(packages.swap_remove(at))
}

/// A workspace package's `rust-version` (its MSRV), from `cargo metadata`.
pub fn rust_version(sh: &Shell, package: &str) -> Result<String> {
    self::package(sh, package)?["rust_version"]
        .as_str()
        .map(str::to_string)
        .with_context(|| format!("package `{package}` declares no rust-version"))
}

/// The workspace's cargo target directory, as cargo resolves it (honouring
/// `CARGO_TARGET_DIR` and `build.target-dir`).
pub fn target_dir(sh: &Shell) -> Result<PathBuf> {
    let meta = metadata(sh)?;
    let dir = meta["target_directory"]
        .as_str()
        .context("`cargo metadata` gave no target_directory")?;
    Ok(PathBuf::from(dir))
}

/// Where lockyard's reports go: `<target-dir>/lockyard`.
pub fn report_dir(sh: &Shell) -> Result<PathBuf> {
    Ok(target_dir(sh)?.join("lockyard"))
}

/// nextest's store directory, relative to the workspace root: `store.dir`
/// in `.config/nextest.toml`.
pub const NEXTEST_STORE: &str = "target/nextest";

/// The JUnit file nextest writes for a profile with `junit.path = "junit.xml"`.
pub fn nextest_junit(profile: &str) -> PathBuf {
    root().join(NEXTEST_STORE).join(profile).join("junit.xml")
}

/// The host's Rust triple, from `rustc -vV`.
pub fn host_triple(sh: &Shell) -> Result<String> {
    let out = cmd!(sh, "rustc -vV")
        .quiet()
        .read()
        .context("cannot run `rustc -vV`")?;
    out.lines()
        .find_map(|l| l.strip_prefix("host: "))
        .map(str::to_string)
        .context("`rustc -vV` printed no host line")
}

/// The full path of `program` if it is on `PATH`.
pub fn which(program: &str) -> Option<PathBuf> {
    if program.contains('/') {
        let p = PathBuf::from(program);
        return p.is_file().then_some(p);
    }
    // On Windows a program's file ends in `.exe`; elsewhere the suffix is
    // empty and both candidates are the same file.
    let exe = format!("{program}{}", env::consts::EXE_SUFFIX);
    env::split_paths(&env::var_os("PATH")?)
        .flat_map(|dir| [dir.join(program), dir.join(&exe)])
        .find(|p| p.is_file())
}

/// The rustup targets installed for the active toolchain.
pub fn installed_rust_targets(sh: &Shell) -> Result<Vec<String>> {
    let out = cmd!(sh, "rustup target list --installed")
        .quiet()
        .read()
        .context("cannot run `rustup target list --installed`; is rustup installed?")?;
    Ok(out.lines().map(|l| l.trim().to_string()).collect())
}

/// Adds the rustup target for `t` when it is missing.
pub fn ensure_rust_target(sh: &Shell, t: &Target) -> Result<()> {
    if installed_rust_targets(sh)?.iter().any(|i| i == t.triple) {
        return Ok(());
    }
    let triple = t.triple;
    eprintln!("xtask: adding rustup target {triple}");
    cmd!(sh, "rustup target add {triple}")
        .run()
        .with_context(|| {
            format!("cannot add the rustup target {triple}; run `rustup target add {triple}`")
        })
}

/// Whether `cargo nextest` works.
pub fn has_nextest(sh: &Shell) -> bool {
    cmd!(sh, "cargo nextest --version")
        .quiet()
        .ignore_stdout()
        .ignore_stderr()
        .run()
        .is_ok()
}

/// Stops with the install command when cargo-nextest is missing.
pub fn require_nextest(sh: &Shell) -> Result<()> {
    if !has_nextest(sh) {
        bail!(
            "cannot find cargo-nextest; run `cargo xtask setup` or `cargo install cargo-nextest --locked`"
        );
    }
    Ok(())
}

/// Whether this process runs as root.
pub fn is_root(sh: &Shell) -> bool {
    cmd!(sh, "id -u")
        .quiet()
        .read()
        .is_ok_and(|uid| uid.trim() == "0")
}

/// The install command a person types for `packages`.
pub fn apt_command(packages: &[&str]) -> String {
    format!(
        "apt-get install -y --no-install-recommends {}",
        packages.join(" ")
    )
}
