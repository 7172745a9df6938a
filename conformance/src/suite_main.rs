//! What every suite binary's `main` does: read the budget, build the trials,
//! run them as libtest would.

use crate::Budget;
use libtest_mimic::Trial;
use std::process::ExitCode;

/// Parses libtest's arguments and the budget's environment (a bad
/// `LOCKYARD_SCALE` exits 2), then runs the trials `make` builds.
pub fn run_suite(make: impl FnOnce(&Budget) -> Vec<Trial>) -> ExitCode {
    let args = libtest_mimic::Arguments::from_args();
    let budget = match Budget::from_env() {
        Ok(budget) => budget,
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::from(2);
        }
    };
    libtest_mimic::run(&args, make(&budget)).exit_code()
}
