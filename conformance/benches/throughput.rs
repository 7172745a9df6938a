//! The throughput benchmarks of lockyard's backends and primitives (see
//! `lockyard_conformance::bench_cli`). `cargo xtask bench` builds and
//! drives this; run by hand with
//! `cargo bench -p lockyard-conformance --bench throughput -- --help`.

use lockyard_conformance::bench_cli::{Catalogue, run};
use lockyard_conformance::primitives::FORMS;
use lockyard_conformance::registry::BACKENDS;
use std::process::ExitCode;

/// The backends run when none is named: lockyard's three and the peers.
const DEFAULT_BACKENDS: [&str; 7] = [
    "futex",
    "sema",
    "spinbit",
    "std",
    "parking_lot",
    "pthread",
    "spin",
];

fn main() -> ExitCode {
    run(&Catalogue {
        backends: BACKENDS,
        forms: FORMS,
        defaults: &DEFAULT_BACKENDS,
        pkg: "lockyard/conformance/throughput",
    })
}
