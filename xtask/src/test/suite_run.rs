//! One suite on one target: every selected backend's trials in one
//! nextest run, the cases a known issue sets apart run on their own, the
//! cases that cannot apply there reported skipped with their reason, and a
//! progress line per backend.

use std::time::Instant;

use anyhow::Result;
use lockyard_platforms::suite;
use xshell::Shell;

use crate::junit::Outcome;
use crate::nextest::{self, BackendRun, Build, Cases, Listing, Plan, SuitePackage};
use crate::report::{Figures, Trial};

/// The case name of a skipped backend's one result: none of its cases
/// exist on the target.
const BACKEND_CASE: &str = "(backend)";

/// What one suite on one target runs with.
pub struct SuiteRun<'a> {
    /// Whose suites.
    pub package: &'a SuitePackage,
    /// The target and runner.
    pub plan: &'a Plan,
    /// The suite.
    pub suite: &'a str,
    /// The backends asked for.
    pub backends: &'a [String],
    /// Features, environment and nextest arguments.
    pub build: &'a Build,
    /// cargo's and the suite's environment for the target.
    pub env: &'a [(String, String)],
    /// Where JUnit files are kept.
    pub junit_dir: &'a std::path::Path,
    /// The suite as built for the target.
    pub listing: &'a Listing,
    /// `--qemu-scale`, for a case rerun natively.
    pub qemu_scale: Option<f64>,
}

/// Cells done and in all, for the progress lines.
pub struct Progress {
    /// Cells finished.
    pub done: usize,
    /// Cells in the run.
    pub cells: usize,
}

/// Runs the suite for every backend and returns the trials and figures.
pub fn run(
    sh: &Shell,
    r: &SuiteRun<'_>,
    progress: &mut Progress,
) -> Result<(Vec<Trial>, Vec<Figures>)> {
    let (plan, suite) = (r.plan, r.suite);
    let name = plan.target.name();
    let mut trials = Vec::new();
    let mut figures = Vec::new();
    let posix_only = |backend: &str, case: &str| {
        suite::posix_only(suite, backend, case).filter(|_| !plan.target.is_posix())
    };
    // The backends with trials here, each with the cases a known issue
    // sets apart from the shared run.
    let diverted = plan.diverted();
    let mut selection: Vec<(&str, Cases<'_>)> = Vec::new();
    let mut apart_runs = Vec::new();
    for backend in r.backends {
        if r.listing.backends.get(backend).copied().unwrap_or(0) == 0 {
            progress.done += 1;
            let why = posix_only(backend, BACKEND_CASE);
            if let Some(reason) = why {
                trials.push(nextest::not_applicable(
                    plan,
                    backend,
                    suite,
                    BACKEND_CASE,
                    reason,
                ));
            }
            eprintln!(
                "xtask: [{}/{}] {name} {backend} ({suite}): no trials on this target{}",
                progress.done,
                progress.cells,
                why.map(|r| format!(": {r}")).unwrap_or_default()
            );
            continue;
        }
        for posix in suite::POSIX_ONLY_CASES {
            let built = r
                .listing
                .trials
                .contains(&format!("{backend}::{}", posix.name));
            if let Some(reason) = posix_only(backend, posix.name).filter(|_| !built) {
                trials.push(nextest::not_applicable(
                    plan, backend, suite, posix.name, reason,
                ));
            }
        }
        // Only the limitations this suite has a trial for; the suite
        // registers them ignored (the backend does not promise them), so
        // they run on their own, below.
        let limitations: Vec<_> = nextest::limitations(backend)
            .into_iter()
            .filter(|k| r.listing.trials.contains(&format!("{backend}::{}", k.case)))
            .collect();
        let apart: Vec<&str> = diverted
            .iter()
            .chain(&limitations)
            .map(|k| k.case)
            .collect();
        selection.push((
            backend.as_str(),
            if apart.is_empty() {
                Cases::All
            } else {
                Cases::Except(apart)
            },
        ));
        apart_runs.push((backend.as_str(), limitations));
    }
    if selection.is_empty() {
        return Ok((trials, figures));
    }
    let began = Instant::now();
    let run = BackendRun {
        package: r.package,
        plan,
        suite,
        selection,
        build: r.build,
        env: r.env,
        junit_dir: r.junit_dir,
    };
    let mut ran = nextest::run_backend(sh, &run)?;
    // A runner's known bug: its case, of every backend, in one native run.
    if let Some(native) = plan.native().filter(|_| !diverted.is_empty()) {
        let native_env = nextest::cargo_env(&native, r.qemu_scale);
        let mut native_build = r.build.clone();
        native_build
            .run_args
            .extend(["--no-tests".into(), "pass".into()]);
        for known in &diverted {
            let rerun = nextest::run_backend(
                sh,
                &BackendRun {
                    plan: &native,
                    build: &native_build,
                    env: &native_env,
                    selection: apart_runs
                        .iter()
                        .map(|(backend, _)| (*backend, Cases::Only(known.case)))
                        .collect(),
                    ..run.clone()
                },
            )?;
            ran.trials.extend(rerun.trials.into_iter().map(|mut t| {
                t.note = Some(known.note.to_string());
                t
            }));
            ran.figures.extend(rerun.figures);
        }
    }
    // A peer's limitation: its case alone, ignored trials included.
    for (backend, limitations) in &apart_runs {
        for known in limitations {
            let mut ignored_too = r.build.clone();
            ignored_too
                .run_args
                .extend(["--run-ignored".into(), "all".into()]);
            let rerun = nextest::run_backend(
                sh,
                &BackendRun {
                    build: &ignored_too,
                    selection: vec![(*backend, Cases::Only(known.case))],
                    ..run.clone()
                },
            )?;
            ran.trials.extend(rerun.trials.into_iter().map(|mut t| {
                if t.outcome == Outcome::Failed {
                    t.outcome = Outcome::Known;
                }
                t.known = Some(known.note.to_string());
                t
            }));
            ran.figures.extend(rerun.figures);
        }
    }
    let wall = began.elapsed().as_secs_f64();
    for (backend, _) in &apart_runs {
        progress.done += 1;
        let mine: Vec<&Trial> = ran
            .trials
            .iter()
            .filter(|t| t.backend == *backend)
            .collect();
        let count = |o: Outcome| mine.iter().filter(|t| t.outcome == o).count();
        let known = match count(Outcome::Known) {
            0 => String::new(),
            n => format!(", {n} known"),
        };
        let seconds: f64 = mine.iter().map(|t| t.duration_s).sum();
        eprintln!(
            "xtask: [{}/{}] {name} {backend} ({suite}, {}): {} passed, {} failed{known}, trials {seconds:.1}s",
            progress.done,
            progress.cells,
            plan.runner,
            count(Outcome::Passed),
            count(Outcome::Failed),
        );
    }
    eprintln!(
        "xtask: {name} {suite} ({}): {} backends in {wall:.1}s",
        plan.runner,
        apart_runs.len()
    );
    trials.extend(ran.trials);
    figures.extend(ran.figures);
    Ok((trials, figures))
}
