//! The starvation suite as a libtest-compatible binary (nextest and
//! `cargo test` drive it): every backend's fixed-time contention runs and
//! Go's TestMutexFairness, and the spinbit tail-wake comparison. See
//! `lockyard_conformance::starvation`.

use lockyard_conformance::registry::under_test;
use lockyard_conformance::{run_suite, starvation};

fn main() -> std::process::ExitCode {
    run_suite(|budget| {
        let mut trials: Vec<_> = under_test(budget)
            .flat_map(|(backend, budget)| backend.starvation_trials(&budget))
            .collect();
        trials.extend(starvation::comparisons(budget));
        trials
    })
}
