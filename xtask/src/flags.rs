//! The command line, declared once: these doc comments are `--help`.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

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
    /// Everything CI runs, in order: fmt, clippy, host tests, check,
    /// workflow lint, the conformance matrix under qemu.
    Ci(Ci),
    /// Print the table of targets.
    Targets(Targets),
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
    /// A suite to run (repeatable): a test binary of lockyard-conformance
    /// (`conformance`, ...), or `all`. Default: all.
    #[arg(long = "suite", value_name = "NAME")]
    pub suites: Vec<String>,
    /// How to run a target that can run both ways (386 on an x86_64 host:
    /// qemu, or the host kernel through the target's own ld.so). Targets
    /// with only one way use it; the report records which ran.
    #[arg(long, value_enum, default_value_t = RunnerChoice::Qemu)]
    pub runner: RunnerChoice,
    /// LOCKYARD_SCALE for runs under qemu, which scales the suites'
    /// iteration counts. Default: $LOCKYARD_SCALE if set, else 0.5.
    #[arg(long, value_name = "FACTOR")]
    pub qemu_scale: Option<f64>,
}

/// `--runner` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RunnerChoice {
    /// The host kernel, directly or through the target's dynamic loader.
    Native,
    /// qemu-user with the target's sysroot.
    Qemu,
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
    /// A JSON array of the runnable targets' short names (the CI matrix).
    Json,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn flags_are_well_formed() {
        super::Xtask::command().debug_assert();
    }
}
