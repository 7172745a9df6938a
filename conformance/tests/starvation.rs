//! The starvation suite as a libtest-compatible binary (nextest and
//! `cargo test` drive it): every backend's fixed-time contention runs and
//! Go's TestMutexFairness, and the spinbit tail-wake comparison. See
//! `lockyard_conformance::starvation`.

use lockyard_conformance::registry::under_test;
use lockyard_conformance::{Budget, starvation};
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
    let mut trials: Vec<_> = under_test(&budget)
        .flat_map(|(backend, budget)| backend.starvation_trials(&budget))
        .collect();
    trials.extend(starvation::comparisons(&budget));
    libtest_mimic::run(&args, trials).exit_code()
}
