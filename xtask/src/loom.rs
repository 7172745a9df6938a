//! `cargo xtask loom`: lockyard's loom models (`impls/tests/loom.rs`), built
//! with `--cfg lockyard_loom` in a target directory of their own (`<target>/loom`),
//! so switching between loom and normal builds rebuilds neither.

use std::time::Instant;

use anyhow::{Context, Result};
use xshell::{Cmd, Shell, cmd};

use crate::flags;
use crate::project;
use crate::side_by_side;

/// The preemption bound `cargo xtask loom` uses unless told otherwise: the
/// largest that finishes in minutes on 2 cores (about 4 with every model).
pub const DEFAULT_PREEMPTIONS: usize = 3;

/// The loom models' test binary in lockyard.
pub const MODELS: &str = "loom";

/// The models of futex's wait list, a test binary of lockyard's `profile`
/// build.
const WAIT_LIST_MODELS: &str = "loom_wait_list";

/// `cargo xtask loom`.
pub fn run(flags: flags::Loom) -> Result<()> {
    let sh = project::shell()?;
    let bound = preemptions(flags.preemptions)?;
    models(&sh, bound, flags.filter.as_deref())
}

/// Runs the models at `bound` and says how long they took.
pub fn models(sh: &Shell, bound: usize, filter: Option<&str>) -> Result<()> {
    eprintln!(
        "xtask loom: the models of impls/tests/{MODELS}.rs and {WAIT_LIST_MODELS}.rs at \
         LOOM_MAX_PREEMPTIONS={bound} (the three-thread ones cap themselves at 2; see impls/tests/loom.rs)"
    );
    let began = Instant::now();
    let filter: Vec<&str> = filter.into_iter().collect();
    // futex's wait list exists only in the profile build.
    let features: [&[&str]; 2] = [&[], &["--features", "profile"]];
    let run = || -> Result<()> {
        // Built one after the other, then run side by side: the models'
        // last long one runs alone, and the wait list's take the idle core.
        let mut jobs = Vec::new();
        for (test, features) in [MODELS, WAIT_LIST_MODELS].into_iter().zip(features) {
            cargo_test(sh, test, bound)?
                .args(features)
                .arg("--no-run")
                .run()?;
            let command = cargo_test(sh, test, bound)?
                .args(features)
                .arg("--")
                .args(&filter);
            jobs.push((format!("tests/{test}.rs"), command.into()));
        }
        side_by_side::run(jobs)
    };
    let result = run();
    let seconds = began.elapsed().as_secs_f64();
    result.with_context(|| {
        format!(
            "loom models failed at LOOM_MAX_PREEMPTIONS={bound} after {seconds:.0}s; loom prints \
             the failing interleaving above; rerun one with `cargo xtask loom NAME`"
        )
    })?;
    eprintln!("xtask loom: all models passed at LOOM_MAX_PREEMPTIONS={bound} in {seconds:.0}s");
    Ok(())
}

/// The bound from the flag, else `$LOOM_MAX_PREEMPTIONS`, else
/// [`DEFAULT_PREEMPTIONS`].
pub fn preemptions(flag: Option<usize>) -> Result<usize> {
    if let Some(n) = flag {
        return Ok(n);
    }
    match std::env::var("LOOM_MAX_PREEMPTIONS") {
        Ok(v) => v
            .trim()
            .parse()
            .with_context(|| format!("cannot parse LOOM_MAX_PREEMPTIONS={v:?} as a count")),
        Err(_) => Ok(DEFAULT_PREEMPTIONS),
    }
}

/// `cargo test -p lockyard --test <test> --release` built with `--cfg lockyard_loom`
/// (added to any RUSTFLAGS already set) at preemption bound `bound`.
pub fn cargo_test<'a>(sh: &'a Shell, test: &str, bound: usize) -> Result<Cmd<'a>> {
    let target_dir = project::target_dir(sh)?.join("loom");
    let rustflags = match std::env::var("RUSTFLAGS") {
        Ok(flags) if !flags.trim().is_empty() => format!("{flags} --cfg lockyard_loom"),
        _ => "--cfg lockyard_loom".to_string(),
    };
    Ok(cmd!(sh, "cargo test -p lockyard --test {test} --release")
        .env("RUSTFLAGS", rustflags)
        .env("LOOM_MAX_PREEMPTIONS", bound.to_string())
        .env("CARGO_TARGET_DIR", target_dir))
}
