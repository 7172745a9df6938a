//! Which bench binary `cargo xtask bench` runs: lockyard's, or with
//! `--manifest-path` a foreign crate's, and how to build it.

use std::ffi::OsString;
use std::path::PathBuf;

use anyhow::Result;
use xshell::Shell;

use super::BENCH;
use crate::flags;
use crate::names::{self, UsageError};
use crate::nextest::{LOCKYARD_SUITES, SuitePackage};
use crate::project;

/// The bench a foreign crate is expected to name `lockyard` (README).
const FOREIGN_BENCH: &str = "lockyard";

/// Which bench binary runs: lockyard's, or a foreign crate's.
pub(super) struct Source {
    /// cargo's arguments that select its package.
    pub(super) package: Vec<OsString>,
    /// Its bench target.
    pub(super) bench: String,
    /// The features that compile lockyard's stats counters into it.
    pub(super) stats: &'static str,
    /// The features that compile lockyard's contention profile into it.
    pub(super) profile_feature: &'static str,
    /// Where results go: `<its target dir>/lockyard/bench`.
    pub(super) dir: PathBuf,
    /// The cargo profile (`--cargo-profile`): release, which lockyard's
    /// bench profile equals (optimised, `debug = 1`), so a bench build
    /// reuses the starvation suite's optimised artifacts.
    pub(super) profile: String,
}

impl Source {
    /// lockyard's bench, or with `--manifest-path` the crate's: its only
    /// bench target, or `--bench-target`, or the one named `lockyard`.
    pub(super) fn of(sh: &Shell, flags: &flags::Bench) -> Result<Source> {
        let Some(manifest) = &flags.manifest_path else {
            return Ok(Source {
                package: vec!["-p".into(), LOCKYARD_SUITES.into()],
                bench: BENCH.into(),
                stats: "stats",
                profile_feature: "profile",
                dir: project::report_dir(sh)?.join("bench"),
                profile: flags.cargo_profile.clone(),
            });
        };
        let package = SuitePackage::at(sh, manifest)?;
        let bench = match (&flags.bench_target, &package.benches[..]) {
            (Some(name), benches) if benches.contains(name) => name.clone(),
            (Some(name), benches) => {
                return Err(names::unknown("bench target", name, benches).into());
            }
            (None, [only]) => only.clone(),
            (None, benches) if benches.iter().any(|b| b == FOREIGN_BENCH) => FOREIGN_BENCH.into(),
            (None, []) => {
                return Err(UsageError(format!(
                    "{} has no bench targets; add one with `harness = false` whose main is \
                     `lockyard_conformance::bench_main!` (README, \"Test your own lock\")",
                    package.name
                ))
                .into());
            }
            (None, benches) => {
                return Err(UsageError(format!(
                    "{} has several bench targets ({}); name one with --bench-target",
                    package.name,
                    benches.join(", ")
                ))
                .into());
            }
        };
        Ok(Source {
            package: package.cargo_args(),
            bench,
            stats: "lockyard-conformance/stats",
            profile_feature: "lockyard-conformance/profile",
            dir: package.report_dir().join("bench"),
            profile: flags.cargo_profile.clone(),
        })
    }

    /// The `cargo bench` that runs it, for messages.
    pub(super) fn command(&self) -> String {
        let package: Vec<_> = self.package.iter().map(|a| a.to_string_lossy()).collect();
        format!(
            "cargo bench {} --bench {} --profile {}",
            package.join(" "),
            self.bench,
            self.profile
        )
    }
}
