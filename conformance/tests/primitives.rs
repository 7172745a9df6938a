//! The primitives suite as a libtest-compatible binary (nextest and
//! `cargo test` drive it): lockyard's lock-avoiding structures in their
//! before and after forms, trials named `<primitive>-<form>::<case>`. See
//! `lockyard_conformance::primitives`.

fn main() -> std::process::ExitCode {
    lockyard_conformance::run_suite(lockyard_conformance::primitives::trials)
}
