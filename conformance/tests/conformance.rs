//! The conformance suite as a libtest-compatible binary, so nextest and
//! `cargo test` drive it and `--list`, `--exact`, `--ignored` and filters
//! work as usual. See the crate docs.

fn main() -> std::process::ExitCode {
    lockyard_conformance::run_suite(lockyard_conformance::trials)
}
