//! The conformance suite as a libtest-compatible binary, so nextest and
//! `cargo test` drive it and `--list`, `--exact`, `--ignored` and filters
//! work as usual. See the crate docs.

use lockyard_conformance::allocator::GuardedAlloc;

/// Takes the lock under test around every allocation while the
/// `global_allocator` case switches it on; plain `System` otherwise.
#[global_allocator]
static ALLOCATOR: GuardedAlloc = GuardedAlloc;

fn main() -> std::process::ExitCode {
    lockyard_conformance::run_suite(lockyard_conformance::trials)
}
