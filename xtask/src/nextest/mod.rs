//! The suites of lockyard-conformance through cargo-nextest, for every
//! task that runs them (`test`, `mutants`, `ci`; `bench` plans its target
//! the same way).
//!
//! [`package`] says whose suites they are (lockyard's, or a user's crate's);
//! [`plan`] decides how a target is reached (runner, tools, cargo's
//! environment, the build's features); [`tools`] finds what a plan needs
//! installed; [`known`] lists the cases a known
//! issue sets apart; [`run`] builds and lists a suite, runs some backends'
//! trials in one nextest run and reads their results; [`pseudo`] makes the
//! results of trials that did not run; [`experiment`] asks a built suite
//! what its lockyard was built with.

mod experiment;
mod known;
mod package;
mod plan;
mod pseudo;
mod run;
mod tools;

pub use experiment::probe_experiment;
pub use known::limitations;
pub use package::{LOCKYARD_SUITES, SuitePackage};
pub use plan::{Build, Plan, cargo_env, plan_targets};
pub use pseudo::{not_applicable, synthetic};
pub use run::{BackendRun, Cases, Listing, host_backends, list, run_backend};
pub use tools::{check_tools, leave_out_uninstalled};

/// Suites whose figures are only meaningful from an optimised build: they
/// are built with cargo's release profile (`--cargo-profile release`).
pub const OPTIMISED_SUITES: &[&str] = &["starvation"];
