//! `cargo xtask mutants`: the positive controls (lockyard-conformance's
//! `controls` module: locks broken on purpose) against every suite, and the
//! `relaxed` control against loom (`impls/tests/loom_mutants.rs`).
//!
//! Columns, in order:
//! 1. every suite (test binary of lockyard-conformance) on each `--target`
//!    (default: the host), each control in full;
//! 2. loom, for the controls it models;
//! 3. every untimed suite on each `--then` target (default: the runnable
//!    big-endian ones), only the controls nothing has caught yet.
//!
//! A control's trials run one at a time and stop at the first failure: one
//! catch is the verdict. `unmutated` (stock spinbit under the controls'
//! short budget) runs first and in full in every column: where it fails
//! (a flaky timed case, a budget too tight for the runner) the column is
//! void, its controls are not run, and the table says so. The table goes
//! to stdout and to `target/lockyard/mutants.md`; the run fails if a control
//! survives every column.

mod table;

use std::collections::BTreeMap;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use lockyard_platforms::suite::UNMUTATED;
use lockyard_platforms::{Endian, Runner, Target, env};
use xshell::Shell;

use crate::flags;
use crate::junit::Outcome;
use crate::loom;
use crate::names;
use crate::nextest::{self, BackendRun, Build, Cases};
use crate::project;
use table::{Cell, Column, caught, table};

/// LOCKYARD_SCALE of the controls' runs of the count-based suites, native
/// and emulated: a broken lock shows in the first few hundred acquisitions.
/// The timed suites ([`nextest::OPTIMISED_SUITES`]: fixed-length runs whose
/// verdicts need the whole run) keep their usual scale.
const SCALE: &str = "0.25";
/// The loom test binary of the controls.
const LOOM_MUTANTS: &str = "loom_mutants";
/// Its models are small: loom's default bound explores them in seconds.
const LOOM_PREEMPTIONS: usize = loom::DEFAULT_PREEMPTIONS;

/// `cargo xtask mutants`.
pub fn run(flags: flags::Mutants) -> Result<()> {
    let began = Instant::now();
    let sh = project::shell()?;
    project::require_nextest(&sh)?;
    let host = project::host_triple(&sh)?;
    let first: Vec<String> = if flags.targets.is_empty() {
        vec![lockyard_platforms::HOST.to_string()]
    } else {
        flags.targets.clone()
    };
    let then: Vec<String> = if flags.then.is_empty() {
        lockyard_platforms::runnable()
            .filter(|t| t.endian == Endian::Big)
            .map(Target::name)
            .collect()
    } else {
        flags.then.clone()
    };
    let package = nextest::SuitePackage::lockyard(&sh)?;
    let suites = package.tests.clone();

    let mut controls: Vec<String> = Vec::new();
    let mut columns: Vec<Column> = Vec::new();
    for target in &first {
        for suite in &suites {
            columns.push(suite_column(
                &sh, &host, target, suite, &flags, &columns, false,
            )?);
            add_new(&mut controls, &columns);
        }
    }
    if !flags.no_loom {
        columns.push(loom_column(&sh)?);
        add_new(&mut controls, &columns);
    }
    // The timed suites measure; under emulation that is smoke, not a verdict.
    let untimed: Vec<&String> = suites
        .iter()
        .filter(|s| !nextest::OPTIMISED_SUITES.contains(&s.as_str()))
        .collect();
    for target in &then {
        for suite in untimed.iter().copied() {
            columns.push(suite_column(
                &sh, &host, target, suite, &flags, &columns, true,
            )?);
            add_new(&mut controls, &columns);
        }
    }
    controls.retain(|c| c != UNMUTATED);
    let selected = names::resolve("control", &flags.controls, &controls)?;

    let table = table(&selected, &columns);
    println!("\n{table}");
    let path = project::report_dir(&sh)?.join("mutants.md");
    sh.write_file(&path, &table)
        .with_context(|| format!("cannot write {}", path.display()))?;
    eprintln!(
        "xtask mutants: wrote {} ({:.0}s)",
        path.display(),
        began.elapsed().as_secs_f64()
    );

    let survivors: Vec<&String> = selected.iter().filter(|c| !caught(&columns, c)).collect();
    let reference_failed: Vec<&str> = columns
        .iter()
        .filter(|col| matches!(col.cells.get(UNMUTATED), Some(Cell::Failed(_))))
        .map(|col| col.title.as_str())
        .collect();
    if !reference_failed.is_empty() {
        eprintln!(
            "xtask mutants: warning: `{UNMUTATED}` (stock spinbit under the controls' budget) \
             failed in {}, so the controls did not count there; rerun that suite with `cargo xtask \
             test --backend spinbit` to see whether the suite or the budget is at fault",
            reference_failed.join(", ")
        );
    }
    if !survivors.is_empty() {
        bail!(
            "control(s) survived every suite: {}; a suite that cannot fail proves nothing: add \
             the case that catches it",
            survivors
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    Ok(())
}

/// Adds the controls the last column found, in order.
fn add_new(controls: &mut Vec<String>, columns: &[Column]) {
    if let Some(col) = columns.last() {
        for name in col.cells.keys() {
            if !controls.contains(name) {
                controls.push(name.clone());
            }
        }
    }
}

/// Runs the controls of one suite on one target. With `survivors_only`,
/// controls an earlier column caught are skipped.
fn suite_column(
    sh: &Shell,
    host: &str,
    target: &str,
    suite: &str,
    flags: &flags::Mutants,
    earlier: &[Column],
    survivors_only: bool,
) -> Result<Column> {
    let plan = nextest::plan_targets(&[target.to_string()], Runner::Qemu, host)?
        .into_iter()
        .next()
        .context("a target name selects at least one target")?;
    nextest::check_tools(sh, &plan)?;
    let name = plan.target.name();
    let title = format!("{suite} on {name} ({})", plan.runner);
    eprintln!("\nxtask mutants: ── {title} ──");
    let mut vars = nextest::cargo_env(&plan, None);
    if !nextest::OPTIMISED_SUITES.contains(&suite) {
        vars.retain(|(k, _)| k != env::SCALE);
        vars.push((env::SCALE.into(), SCALE.into()));
    }

    let plain = Build::default();
    let with = Build {
        env: vec![(env::MUTANTS.into(), "1".into())],
        ..Build::default()
    };
    let target_flag = plan.target_flag();
    let package = nextest::SuitePackage::lockyard(sh)?;
    let without = nextest::list(sh, &package, suite, target_flag, &plain, &vars)
        .with_context(|| format!("cannot build or list `{suite}` for {name}"))?
        .backends;
    let listed = nextest::list(sh, &package, suite, target_flag, &with, &vars)?.backends;
    let mut cells = BTreeMap::new();
    let junit_dir = project::report_dir(sh)?.join("mutants");
    sh.create_dir(&junit_dir)?;
    // The reference first: where it fails, the controls are not run.
    let mut order: Vec<(&String, usize)> = listed
        .iter()
        .filter(|(backend, _)| !without.contains_key(*backend))
        .map(|(backend, &count)| (backend, count))
        .collect();
    order.sort_by_key(|(backend, _)| *backend != UNMUTATED);
    for (backend, count) in order {
        let reference = backend == UNMUTATED;
        let wanted = reference
            || flags.controls.is_empty()
            || flags.controls.iter().any(|c| c == backend || c == "all");
        if !wanted || count == 0 {
            continue;
        }
        if !reference && matches!(cells.get(UNMUTATED), Some(Cell::Failed(_))) {
            cells.insert(backend.clone(), Cell::Void);
            continue;
        }
        if survivors_only && !reference && caught(earlier, backend) {
            cells.insert(backend.clone(), Cell::Skipped);
            continue;
        }
        let build = Build {
            // One at a time, stopping at the first failure: a sibling cut
            // short by the stop would count as a failure of its own.
            run_args: if reference {
                Vec::new()
            } else {
                ["--test-threads", "1", "--max-fail", "1"]
                    .map(String::from)
                    .to_vec()
            },
            ..with.clone()
        };
        let began = Instant::now();
        let run = BackendRun {
            package: &package,
            plan: &plan,
            suite,
            selection: vec![(backend, Cases::All)],
            build: &build,
            env: &vars,
            junit_dir: &junit_dir,
        };
        let trials = nextest::run_backend(sh, &run)?.trials;
        let failed: Vec<String> = trials
            .iter()
            .filter(|t| t.outcome == Outcome::Failed)
            .map(|t| t.case.clone())
            .collect();
        let passed = trials
            .iter()
            .filter(|t| t.outcome == Outcome::Passed)
            .count();
        let cell = if failed.is_empty() {
            Cell::Passed(passed)
        } else {
            Cell::Failed(failed)
        };
        eprintln!(
            "xtask mutants: {backend} on {title}: {} in {:.1}s",
            cell.text(reference),
            began.elapsed().as_secs_f64()
        );
        cells.insert(backend.clone(), cell);
    }
    if cells.is_empty() {
        eprintln!(
            "xtask mutants: `{suite}` registers no controls (it does not iterate `registry::under_test`)"
        );
    }
    Ok(Column { title, cells })
}

/// Runs the loom models of the controls: each `<control>_is_caught` test
/// passes when loom reports the mutant, and `unmutated_*` runs the same
/// model on stock spinbit.
fn loom_column(sh: &Shell) -> Result<Column> {
    let title = format!("loom (LOOM_MAX_PREEMPTIONS={LOOM_PREEMPTIONS})");
    eprintln!("\nxtask mutants: ── {title} ──");
    let began = Instant::now();
    let output = loom::cargo_test(sh, LOOM_MUTANTS, LOOM_PREEMPTIONS)?
        .ignore_status()
        .output()
        .context("cannot run the loom models of the controls")?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let mut cells = BTreeMap::new();
    // libtest's lines: `test relaxed_is_caught - should panic ... ok`.
    for line in stdout.lines() {
        let Some(rest) = line.strip_prefix("test ") else {
            continue;
        };
        let Some((name, verdict)) = rest.split_once(" ... ") else {
            continue;
        };
        let name = name.trim_end_matches(" - should panic").trim();
        let ok = verdict.trim() == "ok";
        if let Some(control) = name.strip_suffix("_is_caught") {
            let cell = if ok {
                Cell::Failed(vec![name.to_string()])
            } else {
                Cell::Passed(1)
            };
            // A primitive's control is `<primitive>::<control>_is_caught`.
            cells.insert(control.replace("::", "-"), cell);
        } else if name.starts_with(UNMUTATED) {
            let cell = if ok {
                Cell::Passed(1)
            } else {
                Cell::Failed(vec![name.to_string()])
            };
            cells.insert(UNMUTATED.to_string(), cell);
        }
    }
    if matches!(cells.get(UNMUTATED), Some(Cell::Failed(_))) {
        for (control, cell) in cells.iter_mut() {
            if control != UNMUTATED {
                *cell = Cell::Void;
            }
        }
    }
    if cells.is_empty() {
        bail!(
            "the loom models of the controls did not run; rerun `RUSTFLAGS=\"--cfg lockyard_loom\" cargo test \
             -p lockyard --test {LOOM_MUTANTS} --release` to see why:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    for (control, cell) in &cells {
        eprintln!(
            "xtask mutants: {control} on {title}: {}",
            cell.text(control == UNMUTATED)
        );
    }
    eprintln!(
        "xtask mutants: loom took {:.0}s",
        began.elapsed().as_secs_f64()
    );
    Ok(Column { title, cells })
}
