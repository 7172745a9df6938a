//! `cargo xtask`: lockyard's build, test and CI driver, in the style of
//! rust-analyzer's xtask: the flags in [`flags`] are the `--help`, this file
//! dispatches, each task is a module returning `anyhow::Result`, progress
//! goes to stderr and results to stdout.
//!
//! Exit status: 0 on success, 1 when a task fails, 2 on bad input (an
//! unknown target, backend, suite or step; a target that cannot run here).

mod bench;
mod chart;
mod check;
mod ci;
mod compare;
mod cross;
mod flags;
mod junit;
mod loom;
mod miri;
mod msrv;
mod mutants;
mod names;
mod nextest;
mod project;
mod report;
mod setup;
mod side_by_side;
mod targets;
mod test;
#[cfg(test)]
mod tidy;
mod wine;

use std::process::ExitCode;

use clap::Parser;

use crate::flags::Task;

fn main() -> ExitCode {
    let flags = flags::Xtask::parse();
    let result = match flags.task {
        Task::Test(f) => test::run(f),
        Task::Setup(f) => setup::run(f),
        Task::Check(f) => check::run(f),
        Task::Report(f) => report::run(f),
        Task::Ci(f) => ci::run(f),
        Task::Targets(f) => targets::run(f),
        Task::Bench(f) => bench::run(f),
        Task::Loom(f) => loom::run(f),
        Task::Miri(f) => miri::run(f),
        Task::Mutants(f) => mutants::run(f),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            if e.downcast_ref::<names::UsageError>().is_some() {
                ExitCode::from(2)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}
