//! The conformance suite as a libtest-compatible binary, so nextest and
//! `cargo test` drive it and `--list`, `--exact`, `--ignored` and filters
//! work as usual. See the crate docs.

use lockyard_conformance::{Budget, trials};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = libtest_mimic::Arguments::from_args();
    let budget = match Budget::from_env() {
        Ok(budget) => budget,
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::from(2);
        }
    };
    libtest_mimic::run(&args, trials(&budget)).exit_code()
}
