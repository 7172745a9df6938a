//! `cargo xtask bench`: Go's runtime mutex benchmarks (the
//! `lockyard-conformance` bench `throughput`) on one target, saved in Go's
//! benchmark format under `target/lockyard/bench/<target>/`, with an SVG
//! chart of MutexContention, and with `--compare A,B` benchstat's table.
//! The names carry the backend as a sub-benchmark key
//! (`BenchmarkMutexContention/backend=spinbit-8`, see
//! [`lockyard_platforms::benchname`]), so `benchstat -col /backend
//! results.txt` compares backends from one file.
//!
//! Two builds run: the timed one, then (unless `--no-stats`) one with
//! lockyard's `stats` counters compiled in, for the slow-path events per
//! 1000 acquisitions; the counters never run inside a timed run, and the
//! header's `stats: on` / `stats: off` line tells the two apart.
//!
//! Backend names are checked before anything is built, against what the
//! suites list on the host (as `cargo xtask test --backend` does).
//!
//! With `--baseline REV` ([`baseline`]) the working tree's build runs
//! against a git revision's instead of backends against each other, and
//! with `--feature-cost FEATURE` ([`feature_cost`]) against itself built
//! with the feature; both through [`interleaved`].

mod baseline;
mod feature_cost;
mod files;
mod interleaved;
mod source;

use source::Source;

use std::io::{BufRead as _, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};
use lockyard_platforms::Runner;
use xshell::{Shell, cmd};

use crate::chart;
use crate::compare;
use crate::flags;
use crate::names::{self, UsageError};
use crate::nextest::{self, Build};
use crate::project;

/// The bench target of [`LOCKYARD_SUITES`].
const BENCH: &str = "throughput";

/// `cargo xtask bench`.
pub fn run(flags: flags::Bench) -> Result<()> {
    let sh = project::shell()?;
    execute(&sh, &flags).map(drop)
}

/// Runs the benchmarks the flags select, saves and prints them; returns
/// the directory they were saved in.
pub fn execute(sh: &Shell, flags: &flags::Bench) -> Result<PathBuf> {
    let host_triple = project::host_triple(sh)?;
    let names = flags.target.clone().map(|t| vec![t]).unwrap_or_default();
    let plans = nextest::plan_targets(&names, flags.runner, &host_triple)?;
    let [plan] = &plans[..] else {
        return Err(UsageError(format!(
            "`cargo xtask bench` runs one target at a time, and `{}` names {}",
            names.join(" "),
            plans.len()
        ))
        .into());
    };
    nextest::check_tools(sh, plan)?;
    crate::wine::serve(plan.runner, plan.target)?;
    let source = Source::of(sh, flags)?;
    // A foreign bench binary checks its own names (it exits 2 naming the
    // valid ones): the suites' listing would not have its locks.
    if flags.manifest_path.is_none() {
        check_backends(sh, flags)?;
    }
    let target = plan.target.name();
    let smoke = !plan.runner.measures();

    let dir = source.dir.join(plan.target.file_stem());
    let backends = match &flags.compare {
        Some(pair) => vec![pair.base.clone(), pair.other.clone()],
        None => flags.backends.clone(),
    };
    let mut args: Vec<String> = Vec::new();
    for b in &backends {
        args.extend(["--backend".into(), b.clone()]);
    }
    for f in &flags.benches {
        args.extend(["--filter".into(), f.clone()]);
    }
    args.extend([
        "--benchtime".into(),
        flags.benchtime.clone(),
        "--runner".into(),
        plan.runner.name().to_string(),
    ]);
    let env = nextest::cargo_env(plan, None);
    let target_args: Vec<&str> = if plan.is_host {
        Vec::new()
    } else {
        vec!["--target", plan.target.triple]
    };

    eprintln!(
        "xtask: bench on {target} ({}, runner: {}){}",
        plan.target.triple,
        plan.runner,
        if smoke {
            ": a smoke run under emulation, not performance"
        } else {
            ""
        }
    );
    let how = interleaved::How {
        plan,
        target_args: &target_args,
        env: &env,
        args: &args,
        profile: &source.profile,
    };
    if let Some(rev) = &flags.baseline {
        baseline::run(sh, flags, rev, &how, &dir)?;
        return Ok(dir);
    }
    if let Some(feature) = &flags.feature_cost {
        feature_cost::run(sh, flags, feature, &how, &dir)?;
        return Ok(dir);
    }
    let count = flags.count.to_string();
    let timed = run_bench(sh, &source, &target_args, &[], &env, &args, &count)?;
    if compare::parse(&timed).is_empty() {
        return Err(no_match(&source, &flags.benches));
    }
    let stats = if flags.no_stats {
        None
    } else {
        eprintln!("xtask: the counting run (lockyard built with its `stats` feature)");
        Some(run_bench(
            sh,
            &source,
            &target_args,
            &["--features", source.stats],
            &env,
            &args,
            "1",
        )?)
    };

    files::save(sh, &dir, &timed, stats.as_deref(), smoke, flags.chart_scale)?;
    if let Some(rate) = flags.profile_rate {
        let out = dir.join("profile");
        eprintln!(
            "xtask: the profiling run (lockyard built with its `profile` feature, rate 1/{rate})"
        );
        let mut args = args.clone();
        args.extend([
            "--profile-rate".into(),
            rate.to_string(),
            "--profile-dir".into(),
        ]);
        args.push(out.display().to_string());
        let features = ["--features", source.profile_feature];
        run_bench(sh, &source, &target_args, &features, &env, &args, "1")?;
        eprintln!(
            "xtask: profiles in {} (`go tool pprof -top FILE`)",
            out.display()
        );
    }
    crate::wine::stop(plan.runner, plan.target);

    let lines = compare::parse(&timed);
    if let Some(flags::Pair { base: a, other: b }) = &flags.compare {
        println!("\n{}", compare::table(&lines, a, b));
        if let Some(stats) = &stats {
            let counted: Vec<compare::Line> = compare::parse(stats)
                .into_iter()
                .map(|mut l| {
                    l.values
                        .retain(|(_, unit)| unit.ends_with("/1k-acq") || unit.ends_with("/1k-op"));
                    l
                })
                .collect();
            println!(
                "slow-path events of lockyard's locks per 1000 acquisitions (1k-acq), or per \
                 1000 operations of a primitive (1k-op; one counting run):"
            );
            println!("{}", compare::medians(&counted, &[a.as_str(), b.as_str()]));
        }
    } else {
        let names: Vec<String> = backends_in(&lines);
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        println!(
            "\nmedians over {} round(s):\n{}",
            flags.count,
            compare::medians(&lines, &names)
        );
    }
    if smoke {
        println!(
            "(run under {}: smoke figures, not performance)",
            plan.runner
        );
    }
    eprintln!("xtask: saved to {}", dir.display());
    Ok(dir)
}

/// Runs the bench binary through `cargo bench`, its output streamed to
/// stdout as it comes, and returns that output.
fn run_bench(
    sh: &Shell,
    source: &Source,
    target_args: &[&str],
    features: &[&str],
    env: &[(String, String)],
    args: &[String],
    count: &str,
) -> Result<String> {
    let (package, bench, profile) = (&source.package, &source.bench, &source.profile);
    let cargo = cmd!(
        sh,
        "cargo bench {package...} --bench {bench} --profile {profile} {target_args...} {features...} -- {args...} --count {count}"
    )
    .envs(env.iter().map(|(k, v)| (k, v)));
    eprintln!("$ {cargo}");
    let hint = format!(
        ", or the build failed; rerun with `{} -- --help`",
        source.command()
    );
    stream(Command::from(cargo), args, &hint)
}

/// Runs a bench command with the benchmark arguments `args`, its output
/// streamed to stdout as it comes, and returns that output; `hint` ends
/// the message of a failed run.
fn stream(mut command: Command, args: &[String], hint: &str) -> Result<String> {
    let mut child = command
        .stdout(Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot run {:?}", command.get_program()))?;
    let mut out = String::new();
    let stdout = child
        .stdout
        .take()
        .context("no stdout from the benchmark")?;
    for line in BufReader::new(stdout).lines() {
        let line = line.context("cannot read the benchmark output")?;
        println!("{line}");
        out.push_str(&line);
        out.push('\n');
    }
    let status = child.wait().context("cannot wait for the benchmark")?;
    // The bench binary exits 2 on a bad argument, such as an unknown
    // backend, after naming the valid ones on stderr.
    if status.code() == Some(2) {
        return Err(UsageError(format!(
            "the benchmark refused its arguments ({}): see the message above",
            args.join(" ")
        ))
        .into());
    }
    if !status.success() {
        bail!(
            "the benchmark failed ({status}): a FAIL line above names a run whose counts were wrong{hint}"
        );
    }
    Ok(out)
}

/// Refuses, before anything is built, a `--backend` or `--compare` name
/// that is not a backend (or primitive's form) of the suites on the host,
/// naming the nearest and listing all; lists the suites only when a name
/// other than `all` is given.
fn check_backends(sh: &Shell, flags: &flags::Bench) -> Result<()> {
    let named: Vec<&String> = match &flags.compare {
        Some(pair) => vec![&pair.base, &pair.other],
        None => flags.backends.iter().collect(),
    };
    if named.iter().all(|n| *n == "all") {
        return Ok(());
    }
    project::require_nextest(sh)?;
    let package = nextest::SuitePackage::lockyard(sh)?;
    let valid = nextest::host_backends(sh, &package, &package.tests, &Build::default())?;
    Ok(check_names(flags, &valid)?)
}

/// [`check_backends`] once the valid names are known: `--backend` takes
/// them or `all`, `--compare` two of them.
fn check_names(flags: &flags::Bench, valid: &[String]) -> Result<(), UsageError> {
    match &flags.compare {
        Some(pair) => [&pair.base, &pair.other]
            .into_iter()
            .find(|n| !valid.contains(n))
            .map_or(Ok(()), |n| Err(names::unknown("backend", n, valid))),
        None => names::resolve("backend", &flags.backends, valid).map(drop),
    }
}

/// The error for `--bench` names that matched no benchmark.
fn no_match(source: &Source, benches: &[String]) -> anyhow::Error {
    UsageError(format!(
        "no benchmark matched --bench {}; the names: `{} -- --list`",
        benches.join(" --bench "),
        source.command()
    ))
    .into()
}

/// The backends in `lines`, in the order they first appear.
fn backends_in(lines: &[compare::Line]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for l in lines {
        if !names.contains(&l.backend) {
            names.push(l.backend.clone());
        }
    }
    names
}

/// The flags of the short smoke run CI makes: every backend, a few thousand
/// operations per benchmark, the counting build too; it checks the counts,
/// never the times.
pub fn smoke_flags(backends: Vec<String>) -> flags::Bench {
    flags::Bench {
        target: None,
        backends,
        benches: Vec::new(),
        count: 1,
        benchtime: "2000x".into(),
        compare: None,
        baseline: None,
        feature_cost: None,
        no_stats: false,
        profile_rate: None,
        runner: Runner::Qemu,
        chart_scale: chart::Scale::Auto,
        manifest_path: None,
        bench_target: None,
        // Counts, not times: unoptimised, so it reuses the conformance
        // step's build of the suites.
        cargo_profile: "dev".into(),
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser as _;

    use super::*;

    fn bench(args: &[&str]) -> flags::Bench {
        let argv = ["xtask", "bench"].iter().chain(args);
        match flags::Xtask::try_parse_from(argv).unwrap().task {
            flags::Task::Bench(bench) => bench,
            other => panic!("not the bench task: {other:?}"),
        }
    }

    #[test]
    fn unknown_backends_are_usage_errors_naming_the_nearest() {
        let valid: Vec<String> = ["futex", "sema", "spinbit", "std", "arena-after"]
            .map(String::from)
            .to_vec();
        let check = |args: &[&str]| check_names(&bench(args), &valid);
        assert!(check(&[]).is_ok());
        assert!(check(&["--backend", "spinbit", "--backend", "all"]).is_ok());
        assert!(check(&["--backend", "arena-after"]).is_ok());
        assert!(check(&["--compare", "futex,spinbit"]).is_ok());

        let err = check(&["--backend", "futex", "--backend", "nosuch"]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown backend `nosuch`\nvalid backends: futex, sema, spinbit, std, arena-after, all"
        );
        let err = check(&["--backend", "spinbt"]).unwrap_err();
        assert!(
            err.0
                .starts_with("unknown backend `spinbt`; did you mean `spinbit`?"),
            "{err}"
        );
        let err = check(&["--compare", "futex,semaa"]).unwrap_err();
        assert!(err.0.contains("did you mean `sema`?"), "{err}");
        assert!(
            err.0.ends_with("futex, sema, spinbit, std, arena-after"),
            "{err}"
        );
        // `all` is no side of a comparison.
        let err = check(&["--compare", "all,futex"]).unwrap_err();
        assert!(err.0.starts_with("unknown backend `all`"), "{err}");
        // main exits 2 on it.
        let err: anyhow::Error = err.into();
        assert!(err.downcast_ref::<UsageError>().is_some());
    }
}
