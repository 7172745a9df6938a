//! wine as the runner of a Windows target: the prefix it runs binaries in,
//! made once under the workspace's `target/`; the DLL Rust's std needs where
//! wine lacks it; and a wineserver that outlives each binary, so the
//! hundreds of short trial processes of a run do not each start one
//! (about 0.8 s a process without it, 0.15 s with it, on this project's
//! machines).

use std::path::PathBuf;
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};
use lockyard_platforms::{Runner, Target, Wine};
use xshell::{Shell, cmd};

use crate::project;

/// The DLL std imports `ProcessPrng` from, missing from wine 8 and older.
const PRNG_DLL: &str = "bcryptprimitives.dll";

/// The source [`PRNG_DLL`] is built from when wine lacks it.
const PRNG_SOURCE: &str = "xtask/wine/process_prng.c";

/// How long the wineserver stays up after the last wine process ends:
/// longer than a suite's build between two runs (a wine process that
/// finds no server starts one that holds the caller's output pipes open
/// until it exits, so a run must not outlive its server). A finished run
/// stops it at once ([`stop`]); this bounds one that was interrupted.
const SERVER_LINGER_S: u32 = 900;

/// The prefix of `wine`: absolute, under the workspace root.
pub fn prefix(wine: &Wine) -> PathBuf {
    project::root().join(wine.prefix_dir)
}

/// The environment every wine process of a run gets: the prefix; no
/// debug channels (wine's `fixme:` lines would fill the JUnit output);
/// and no Mono or Gecko, which a fresh prefix would offer to download.
pub fn env(wine: &Wine) -> Vec<(String, String)> {
    vec![
        ("WINEPREFIX".into(), prefix(wine).display().to_string()),
        ("WINEDEBUG".into(), "-all".into()),
        ("WINEDLLOVERRIDES".into(), "mscoree,mshtml=".into()),
    ]
}

/// Where a prefix keeps the 64-bit system DLLs.
fn system32(wine: &Wine) -> PathBuf {
    prefix(wine).join("drive_c/windows/system32")
}

/// Makes `target`'s prefix if it has none and adds [`PRNG_DLL`] where
/// wine lacks it. Nothing for a target wine does not run.
pub fn prepare(sh: &Shell, target: &Target) -> Result<()> {
    let Some(wine) = target.wine else {
        return Ok(());
    };
    if !prefix(&wine).join("system.reg").is_file() {
        eprintln!("xtask: making the wine prefix {}", prefix(&wine).display());
        run_detached(&wine, "wineboot", &["--init"])
            .context("is wine installed (`cargo xtask setup --target windows/amd64`)?")?;
    }
    // A prefix holds a stand-in for every DLL wine has: none means none.
    let dll = system32(&wine).join(PRNG_DLL);
    if !dll.is_file() {
        let linker = target
            .linker
            .context("a wine target needs its mingw gcc in the table")?;
        let source = project::root().join(PRNG_SOURCE);
        eprintln!("xtask: this wine has no {PRNG_DLL}: building it from {PRNG_SOURCE}");
        cmd!(sh, "{linker} -O2 -shared -o {dll} {source} -ladvapi32")
            .quiet()
            .run()
            .with_context(|| format!("cannot build {}", dll.display()))?;
    }
    Ok(())
}

/// Starts the lingering wineserver of `target`'s prefix and the prefix's
/// services when `runner` is wine, just before a run uses them: they
/// outlive any one wine process, so the hundreds of a run's trial
/// processes find them up.
/// Nothing for another runner.
pub fn serve(runner: Runner, target: &Target) -> Result<()> {
    let (Runner::Wine, Some(wine)) = (runner, target.wine) else {
        return Ok(());
    };
    // Everything wine starts here is detached: the server daemonises, and
    // with its output on pipes a caller waiting for their end would wait
    // for the server's. A server already up (wineboot's, or an earlier
    // run's) may linger only seconds: it is replaced, not reused.
    let _ = detached("wineserver", &wine).arg("-k").status();
    let _ = detached("wineserver", &wine).arg("-w").status();
    run_detached(&wine, "wineserver", &[&format!("-p{SERVER_LINGER_S}")])?;
    // The first wine process of a server starts the prefix's services
    // (winedevice.exe), which live as long as the server and keep that
    // process's output handles: started here with none, they cannot hold
    // open the pipes of a listing or probe that reads a binary's output.
    run_detached(&wine, "wineboot", &[])
}

/// Stops the wineserver of `target`'s prefix, if `runner` is wine and it
/// runs one.
pub fn stop(runner: Runner, target: &Target) {
    if let (Runner::Wine, Some(wine)) = (runner, target.wine) {
        let _ = detached("wineserver", &wine).arg("-k").status();
    }
}

/// Runs `program ARGS` [`detached`] and fails naming it and the prefix
/// unless it succeeds.
fn run_detached(wine: &Wine, program: &str, args: &[&str]) -> Result<()> {
    let shown = [program]
        .iter()
        .chain(args)
        .copied()
        .collect::<Vec<_>>()
        .join(" ");
    let status = detached(program, wine)
        .args(args)
        .status()
        .with_context(|| format!("cannot run `{shown}`"))?;
    if !status.success() {
        bail!("`{shown}` failed ({status}) in {}", prefix(wine).display());
    }
    Ok(())
}

/// `program` in `wine`'s prefix with none of our standard streams: what
/// wine starts may outlive it holding them.
fn detached(program: &str, wine: &Wine) -> Command {
    let mut command = Command::new(program);
    command
        .envs(env(wine))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    command
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_prefix_is_the_workspaces_and_quiet() {
        let windows = lockyard_platforms::find("windows/amd64").unwrap();
        let wine = windows.wine.expect("windows runs under wine");
        let vars = env(&wine);
        let get = |k: &str| vars.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        let prefix = get("WINEPREFIX").unwrap();
        assert!(PathBuf::from(&prefix).is_absolute(), "{prefix}");
        assert!(prefix.starts_with(&project::root().display().to_string()));
        assert_eq!(get("WINEDEBUG").as_deref(), Some("-all"));
        assert!(project::root().join(PRNG_SOURCE).is_file());
    }
}
