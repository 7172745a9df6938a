//! `cargo xtask test`: the suites of lockyard-conformance (or of a user's
//! crate, `--manifest-path`) on each target, natively or under qemu-user,
//! through nextest.
//!
//! For each target: add its rustup target if missing, find its linker and
//! runner (or stop with the command that installs them), point cargo at them
//! with `CARGO_TARGET_<TRIPLE>_LINKER` / `_RUNNER`, build and list each suite
//! and ask it what its lockyard was built with, then run it once per backend
//! with a nextest filter, reading the results from nextest's JUnit output.
//! Each target × backend prints a progress line when it finishes; the end
//! prints the matrix and writes report.json.

mod suite_run;

use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, bail};
use lockyard_platforms::env;
use xshell::Shell;

use crate::flags;
use crate::names;
use crate::nextest::{self, Build, SuitePackage};
use crate::project;
use crate::report::{self, Host, Matrix, Report, TargetRun};

/// What a finished run counted.
pub struct Outcomes {
    /// Trials passed.
    pub passed: usize,
    /// Trials failed (including builds and runs that gave no results).
    pub failed: usize,
    /// Where report.json went.
    pub report: PathBuf,
}

/// What a run does with a report already at its path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Writes over it, and empties the JUnit directory first.
    Replace,
    /// Merges into it: this run's trials replace those of the same target,
    /// runner, backend, suite and case, the rest are kept, and so are the
    /// JUnit files of the earlier runs.
    Merge,
}

/// Where a run's results go.
#[derive(Clone, Debug)]
pub struct Output {
    /// The report.
    pub report: PathBuf,
    /// The directory of the JUnit files, one per target × runner × suite ×
    /// backend.
    pub junit_dir: PathBuf,
    /// Replace or merge.
    pub mode: Mode,
}

impl Output {
    /// `target/lockyard/report.json` and `junit/`, or for a chaos run
    /// `report-chaos.json` and `junit-chaos/` beside them; for a foreign
    /// crate's suites (`manifest`), under that crate's target directory.
    pub fn usual(sh: &Shell, manifest: Option<&Path>, chaos: bool, mode: Mode) -> Result<Output> {
        let dir = match manifest {
            Some(manifest) => SuitePackage::at(sh, manifest)?.report_dir(),
            None => project::report_dir(sh)?,
        };
        let (report, junit) = if chaos {
            (report::CHAOS_FILE, "junit-chaos")
        } else {
            (report::FILE, "junit")
        };
        Ok(Output {
            report: dir.join(report),
            junit_dir: dir.join(junit),
            mode,
        })
    }
}

/// `cargo xtask test`: fails when any trial failed.
pub fn run(flags: flags::Test) -> Result<()> {
    let sh = project::shell()?;
    let output = Output::usual(
        &sh,
        flags.manifest_path.as_deref(),
        flags.chaos,
        Mode::Replace,
    )?;
    let out = execute(&sh, &flags, &output)?;
    if out.failed > 0 {
        bail!(
            "{} trial(s) failed; the matrix above names them, {} has their messages and the JUnit files \
             are beside it; rerun one cell with `cargo xtask test --target TARGET --backend BACKEND`",
            out.failed,
            out.report.display()
        );
    }
    Ok(())
}

/// Runs the matrix the flags select, prints it and writes the report to
/// `output`; returns this run's counts without failing on test failures.
pub fn execute(sh: &Shell, flags: &flags::Test, output: &Output) -> Result<Outcomes> {
    let build = if flags.chaos {
        Build::chaos()
    } else {
        Build::default()
    };
    if let Some(settings) = build.chaos_settings() {
        eprintln!(
            "xtask: fault injection on; replay with {}={settings} cargo xtask test --chaos ...",
            env::CHAOS
        );
    }
    let started = Instant::now();
    let started_unix_s = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let host_triple = project::host_triple(sh)?;

    let plans = nextest::plan_targets(&flags.targets, flags.runner, &host_triple)?;
    let plans =
        nextest::leave_out_uninstalled(plans, &flags.targets, |p| project::which(p).is_some());
    project::require_nextest(sh)?;
    for plan in &plans {
        nextest::check_tools(sh, plan)?;
    }
    // Read before anything runs, so a report that cannot take the merge
    // stops the run instead of its results.
    let earlier = match output.mode {
        Mode::Merge if output.report.exists() => Some(report::load(&output.report)?),
        _ => None,
    };
    let mut package = match &flags.manifest_path {
        Some(manifest) => SuitePackage::at(sh, manifest)?,
        None => SuitePackage::lockyard(sh)?,
    };
    package.optimise = !flags.unoptimised;
    let suites = names::resolve("suite", &flags.suites, &package.tests)?;
    let host_backends = nextest::host_backends(sh, &package, &suites, &build)?;
    let backends = names::resolve("backend", &flags.backends, &host_backends)?;

    let junit_dir = &output.junit_dir;
    if output.mode == Mode::Replace && junit_dir.exists() {
        sh.remove_path(junit_dir)?;
    }
    sh.create_dir(junit_dir)?;

    let mut report = Report {
        schema: report::SCHEMA,
        host: Host::detect(sh)?,
        started_unix_s,
        wall_s: 0.0,
        targets: Vec::new(),
        trials: Vec::new(),
        figures: Vec::new(),
    };
    eprintln!("{}", report.host.header());

    let mut progress = suite_run::Progress {
        done: 0,
        cells: plans.len() * backends.len() * suites.len(),
    };
    for plan in &plans {
        let name = plan.target.name();
        crate::wine::serve(plan.runner, plan.target)?;
        let vars = nextest::cargo_env(plan, flags.qemu_scale);
        let scale = vars
            .iter()
            .find(|(k, _)| k == env::SCALE)
            .and_then(|(_, v)| v.parse().ok());
        let mut target_run = TargetRun {
            target: plan.target,
            runner: plan.runner,
            runner_command: plan.runner_command.as_ref().map(|c| c.join(" ")),
            experiment: None,
            scale,
            chaos: build.chaos_settings().map(str::to_string),
        };
        for suite in &suites {
            eprintln!(
                "xtask: building `{suite}` for {name} ({}, runner: {})",
                plan.target.triple, plan.runner
            );
            let listing =
                match build_suite(sh, &package, plan, suite, &build, &vars, &mut target_run) {
                    Ok(listing) => listing,
                    Err(e) => {
                        // Nothing ran: count one failure per backend so the
                        // matrix shows the hole, and go on with other targets.
                        for backend in &backends {
                            progress.done += 1;
                            report
                                .trials
                                .push(nextest::synthetic(plan, backend, suite, "(build)", &e));
                            eprintln!(
                                "xtask: [{}/{}] {name} {backend} ({suite}): BUILD FAILED: {e:#}",
                                progress.done, progress.cells
                            );
                        }
                        continue;
                    }
                };
            let (trials, figures) = suite_run::run(
                sh,
                &suite_run::SuiteRun {
                    package: &package,
                    plan,
                    suite,
                    backends: &backends,
                    build: &build,
                    env: &vars,
                    junit_dir,
                    listing: &listing,
                    qemu_scale: flags.qemu_scale,
                },
                &mut progress,
            )?;
            report.trials.extend(trials);
            report.figures.extend(figures);
        }
        report.targets.push(target_run);
        report.wall_s = started.elapsed().as_secs_f64();
        save(sh, output, earlier.as_ref(), &report)?;
    }
    report.wall_s = started.elapsed().as_secs_f64();
    save(sh, output, earlier.as_ref(), &report)?;
    for plan in &plans {
        crate::wine::stop(plan.runner, plan.target);
    }

    let matrix = Matrix::merge(std::slice::from_ref(&report));
    let total = matrix.total();
    println!("\n{}", matrix.text());
    eprintln!(
        "xtask: wrote {} and JUnit files in {} ({:.0}s)",
        output.report.display(),
        junit_dir.display(),
        report.wall_s
    );
    let known = match total.known {
        0 => String::new(),
        n => format!(", {n} known (limitations of the peers, not failures)"),
    };
    println!(
        "{}: {} passed, {} failed{known}",
        suites.join("+"),
        total.passed,
        total.failed
    );
    if let Some(settings) = build.chaos_settings() {
        println!("chaos: {}={settings}", env::CHAOS);
    }

    Ok(Outcomes {
        passed: total.passed,
        failed: total.failed,
        report: output.report.clone(),
    })
}

/// Builds and lists `suite` for the plan, and records in `target_run` what
/// its lockyard was built with: a suite built unlike the target's others
/// is an error.
fn build_suite(
    sh: &Shell,
    package: &SuitePackage,
    plan: &nextest::Plan,
    suite: &str,
    build: &Build,
    vars: &[(String, String)],
    target_run: &mut TargetRun,
) -> Result<nextest::Listing> {
    let listing = nextest::list(sh, package, suite, plan.target_flag(), build, vars)?;
    let all_vars: Vec<_> = vars.iter().chain(&build.env).cloned().collect();
    let experiment = nextest::probe_experiment(sh, plan, &listing.binary, &all_vars)?;
    match &target_run.experiment {
        Some(first) if *first != experiment => bail!(
            "`{suite}` was built with {experiment:?}, unlike the target's other suites ({first:?})"
        ),
        _ => target_run.experiment = Some(experiment),
    }
    Ok(listing)
}

/// Writes the run's report so far, merged into `earlier` when merging.
fn save(sh: &Shell, output: &Output, earlier: Option<&Report>, report: &Report) -> Result<()> {
    let merged = earlier.map(|earlier| {
        let mut merged = earlier.clone();
        merged.merge(report.clone());
        merged
    });
    let json = serde_json::to_string_pretty(merged.as_ref().unwrap_or(report))?;
    sh.write_file(&output.report, json + "\n")
        .with_context(|| format!("cannot write {}", output.report.display()))
}
