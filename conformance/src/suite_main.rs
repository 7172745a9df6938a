//! What every suite binary's `main` does: read the budget, build the trials,
//! run them as libtest would.

use crate::Budget;
use crate::experiment;
use libtest_mimic::Trial;
use lockyard_platforms::suite::EXPERIMENT_ARG;
use std::ffi::OsString;
use std::process::ExitCode;

/// Parses libtest's arguments and the budget's environment (a bad
/// `LOCKYARD_SCALE` exits 2), then runs the trials `make` builds.
///
/// Given [`EXPERIMENT_ARG`] as its only argument, it prints the
/// experiment settings of the build's lockyard as one line of JSON instead
/// and runs nothing (before libtest, which would reject the flag).
pub fn run_suite(make: impl FnOnce(&Budget) -> Vec<Trial>) -> ExitCode {
    run_phases(|budget| {
        vec![Phase {
            trials: make(budget),
            alone: false,
        }]
    })
}

/// Trials that run together, one libtest run.
pub struct Phase {
    /// The trials.
    pub trials: Vec<Trial>,
    /// Run them one at a time (`--test-threads 1`): they measure, and a
    /// trial beside them on a small machine would be in their figures.
    pub alone: bool,
}

/// As [`run_suite`], for a binary whose trials run in phases, one after
/// the other, each a libtest run with the same arguments (a listing lists
/// them all; a filter picks from all); fails if any phase failed.
pub fn run_phases(make: impl FnOnce(&Budget) -> Vec<Phase>) -> ExitCode {
    if asks_for_experiment(std::env::args_os().skip(1)) {
        println!("{}", experiment::json());
        return ExitCode::SUCCESS;
    }
    let args = libtest_mimic::Arguments::from_args();
    let budget = match Budget::from_env() {
        Ok(budget) => budget,
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::from(2);
        }
    };
    let mut failed = None;
    for phase in make(&budget) {
        let mut args = args.clone();
        if phase.alone {
            args.test_threads = Some(1);
        }
        let conclusion = libtest_mimic::run(&args, phase.trials);
        if conclusion.has_failed() {
            failed = Some(conclusion.exit_code());
        }
    }
    failed.unwrap_or(ExitCode::SUCCESS)
}

/// Whether `args` (without the program name) are [`EXPERIMENT_ARG`]
/// and nothing else.
fn asks_for_experiment(mut args: impl Iterator<Item = OsString>) -> bool {
    args.next().is_some_and(|a| a == EXPERIMENT_ARG) && args.next().is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asks(args: &[&str]) -> bool {
        asks_for_experiment(args.iter().map(OsString::from))
    }

    #[test]
    fn only_the_lone_flag_asks_for_the_experiment() {
        assert!(asks(&[EXPERIMENT_ARG]));
        assert!(!asks(&[]));
        assert!(!asks(&["--list"]));
        assert!(!asks(&[EXPERIMENT_ARG, "--list"]));
        assert!(!asks(&["--exact", EXPERIMENT_ARG]));
    }
}
