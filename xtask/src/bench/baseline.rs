//! `cargo xtask bench --baseline REV`: the working tree's benchmark against
//! a git revision's. REV is checked out as a detached worktree under
//! `target/lockyard/baseline/<short-sha>` and built there with the same
//! cargo arguments and environment into its own cargo target directory;
//! then the two run [`interleaved`](super::interleaved), each backend
//! against itself at REV (`futex@63861df` against `futex`).

use std::path::Path;

use anyhow::{Context, Result};
use xshell::{Shell, cmd};

use super::interleaved::{self, How, Side};
use crate::flags;
use crate::names::UsageError;
use crate::project;

/// Builds both sides, runs them `flags.count` rounds, saves each side's
/// output in `dir` (`baseline-<sha>.txt`, `current.txt`) and prints the
/// tables.
pub fn run(sh: &Shell, flags: &flags::Bench, rev: &str, how: &How, dir: &Path) -> Result<()> {
    let (sha, short) = resolve(sh, rev)?;
    let root = project::report_dir(sh)?.join("baseline");
    let tree = root.join(&short);
    checkout(sh, &tree, &sha)?;
    eprintln!("xtask: --baseline skips the counting run (the `stats` build): it is not timed");
    let target_dir = root.join("target");
    eprintln!(
        "xtask: building the baseline {short} in {} (CARGO_TARGET_DIR={})",
        tree.display(),
        target_dir.display()
    );
    let baseline = interleaved::build(sh, &tree, Some(&target_dir), how, &[])?;
    eprintln!("xtask: building the working tree's benchmark");
    let current = interleaved::build(sh, &project::root(), None, how, &[])?;
    let sides = [
        Side {
            name: format!("baseline {short}"),
            file: format!("baseline-{short}.txt"),
            suffix: format!("@{short}"),
            binary: baseline,
        },
        Side {
            name: "current".into(),
            file: "current.txt".into(),
            suffix: String::new(),
            binary: current,
        },
    ];
    let named = if rev == short {
        short.clone()
    } else {
        format!("{rev} ({short})")
    };
    interleaved::run(
        sh,
        flags,
        &sides,
        how,
        dir,
        &format!("the working tree against {named}"),
    )
}

/// The commit `rev` names, in full and short; a usage error if none.
fn resolve(sh: &Shell, rev: &str) -> Result<(String, String)> {
    let bad = |why: &str| {
        UsageError(format!(
            "--baseline `{rev}` {why}; give a commit, branch or tag of this repository, such as `main` or `HEAD~1`"
        ))
    };
    if rev.starts_with('-') || rev.trim().is_empty() {
        return Err(bad("is not a git revision").into());
    }
    let spec = format!("{rev}^{{commit}}");
    let out = cmd!(sh, "git rev-parse --verify --quiet {spec}")
        .quiet()
        .ignore_status()
        .ignore_stderr()
        .output()
        .context("cannot run `git rev-parse`; is git installed?")?;
    if !out.status.success() {
        return Err(bad("names no commit (`git rev-parse --verify` found none)").into());
    }
    let sha = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let short = cmd!(sh, "git rev-parse --short {sha}").quiet().read()?;
    Ok((sha, short.trim().to_string()))
}

/// Makes `tree` a detached worktree at `sha`: reused when it is one
/// already, replaced when it is at another commit or broken.
fn checkout(sh: &Shell, tree: &Path, sha: &str) -> Result<()> {
    // Without its own `.git`, `git -C tree` would answer for this checkout.
    if tree.join(".git").exists() {
        let head = cmd!(sh, "git -C {tree} rev-parse HEAD")
            .quiet()
            .ignore_stderr()
            .read();
        if head.is_ok_and(|h| h.trim() == sha) {
            eprintln!("xtask: reusing the worktree {}", tree.display());
            return Ok(());
        }
        let _ = cmd!(sh, "git worktree remove --force {tree}")
            .quiet()
            .ignore_stderr()
            .run();
    }
    if tree.exists() {
        sh.remove_path(tree)?;
    }
    // `--force`: the worktree may still be registered after `cargo clean`
    // deleted it.
    cmd!(sh, "git worktree add --force --detach {tree} {sha}")
        .run()
        .with_context(|| format!("cannot check out {sha} at {}", tree.display()))
}
