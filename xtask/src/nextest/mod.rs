//! The suites of lockyard-conformance through cargo-nextest, for every
//! task that runs them (`test`, `mutants`, `ci`; `bench` plans its target
//! the same way).
//!
//! [`plan`] decides how a target is reached (runner, tools, cargo's
//! environment, the build's features); [`run`] builds and lists a suite,
//! runs one backend's trials and reads their results; [`experiment`] asks
//! a built suite what its lockyard was built with.

mod experiment;
mod plan;
mod run;

use anyhow::{Result, bail};
use xshell::Shell;

pub use experiment::probe_experiment;
pub use plan::{Build, Plan, cargo_env, check_tools, limitations, plan_targets};
pub use run::{BackendRun, Cases, Listing, host_backends, list, run_backend, synthetic};

use crate::project;

/// The package whose test binaries are the suites.
pub const SUITES_PACKAGE: &str = "lockyard-conformance";

/// Suites whose figures are only meaningful from an optimised build: they
/// are built with cargo's release profile (`--cargo-profile release`).
pub const OPTIMISED_SUITES: &[&str] = &["starvation"];

/// The suites: the test binaries of [`SUITES_PACKAGE`].
pub fn suite_names(sh: &Shell) -> Result<Vec<String>> {
    let suites = project::test_targets(sh, SUITES_PACKAGE)?;
    if suites.is_empty() {
        bail!("{SUITES_PACKAGE} has no test binaries yet: there is nothing to run");
    }
    Ok(suites)
}
