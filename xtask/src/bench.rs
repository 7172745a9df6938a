//! `cargo xtask bench`: Go's runtime mutex benchmarks (the
//! `lockyard-conformance` bench `throughput`) on one target, saved in Go's
//! benchmark format under `target/lockyard/bench/<target>/`, with an SVG
//! chart of MutexContention, and with `--compare A,B` benchstat's table.
//!
//! Two builds run: the timed one, then (unless `--no-stats`) one with
//! lockyard's `stats` counters compiled in, for the slow-path events per
//! 1000 acquisitions; the counters never run inside a timed run.
//!
//! With `--baseline REV` ([`baseline`]) the working tree's build runs
//! against a git revision's instead of backends against each other.

mod baseline;

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};
use lockyard_platforms::Runner;
use xshell::{Shell, cmd};

use crate::chart::{self, Series};
use crate::compare;
use crate::flags;
use crate::names::UsageError;
use crate::nextest::{self, SUITES_PACKAGE};
use crate::project;

/// The bench target of [`SUITES_PACKAGE`].
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
    let target = plan.target.name();
    let smoke = plan.runner != Runner::Native;

    let dir = project::report_dir(sh)?
        .join("bench")
        .join(plan.target.file_stem());
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
    if let Some(rev) = &flags.baseline {
        let how = baseline::How {
            plan,
            target_args: &target_args,
            env: &env,
            args: &args,
        };
        baseline::run(sh, flags, rev, &how, &dir)?;
        return Ok(dir);
    }
    let count = flags.count.to_string();
    let timed = run_bench(sh, &target_args, &[], &env, &args, &count)?;
    if compare::parse(&timed).is_empty() {
        return Err(no_match(&flags.benches));
    }
    let stats = if flags.no_stats {
        None
    } else {
        eprintln!("xtask: the counting run (lockyard built with its `stats` feature)");
        Some(run_bench(
            sh,
            &target_args,
            &["--features", "stats"],
            &env,
            &args,
            "1",
        )?)
    };

    save(sh, &dir, &timed, stats.as_deref(), smoke)?;

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
    target_args: &[&str],
    features: &[&str],
    env: &[(String, String)],
    args: &[String],
    count: &str,
) -> Result<String> {
    let cargo = cmd!(
        sh,
        "cargo bench -p {SUITES_PACKAGE} --bench {BENCH} {target_args...} {features...} -- {args...} --count {count}"
    )
    .envs(env.iter().map(|(k, v)| (k, v)));
    eprintln!("$ {cargo}");
    let hint = format!(
        ", or the build failed; rerun with `cargo bench -p {SUITES_PACKAGE} --bench {BENCH} -- --help`"
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

/// The error for `--bench` names that matched no benchmark.
fn no_match(benches: &[String]) -> anyhow::Error {
    UsageError(format!(
        "no benchmark matched --bench {}; the names: `cargo bench -p {SUITES_PACKAGE} --bench {BENCH} -- --list`",
        benches.join(" --bench ")
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

/// Writes `results.txt` (and `stats.txt`), one file per backend with the
/// backend dropped from the names (`benchstat futex.txt spinbit.txt`), and
/// the MutexContention charts.
fn save(sh: &Shell, dir: &Path, timed: &str, stats: Option<&str>, smoke: bool) -> Result<()> {
    if dir.exists() {
        sh.remove_path(dir)?;
    }
    let by_backend = dir.join("by-backend");
    sh.create_dir(&by_backend)?;
    sh.write_file(dir.join("results.txt"), timed)?;
    if let Some(stats) = stats {
        sh.write_file(dir.join("stats.txt"), stats)?;
    }
    let lines = compare::parse(timed);
    let header: String = timed
        .lines()
        .take_while(|l| !l.starts_with("Benchmark"))
        .map(|l| format!("{l}\n"))
        .collect();
    for backend in backends_in(&lines) {
        let mut text = header.clone();
        for line in timed.lines() {
            if let Some(plain) = compare::without_backend(line, &backend) {
                text.push_str(&plain);
                text.push('\n');
            }
        }
        sh.write_file(by_backend.join(format!("{backend}.txt")), text)?;
    }
    let label = if smoke {
        " (smoke run under emulation: not performance)"
    } else {
        ""
    };
    for (unit, file, what) in [
        ("ns/op", "contention.svg", "wall time"),
        ("cpu-ns/op", "contention-cpu.svg", "CPU time"),
    ] {
        let series = contention_series(&lines, unit);
        if !series.is_empty() {
            let svg = chart::line_chart(
                &format!("MutexContention: {what} per operation{label}"),
                "threads",
                &format!("{unit} (median)"),
                &series,
            );
            sh.write_file(dir.join(file), svg)?;
        }
    }
    Ok(())
}

/// Each backend's median `unit` of MutexContention by thread count.
fn contention_series(lines: &[compare::Line], unit: &str) -> Vec<Series> {
    let (_, samples) = compare::samples(lines);
    backends_in(lines)
        .into_iter()
        .map(|backend| {
            let mut points: Vec<(f64, f64)> = samples
                .iter()
                .filter(|((bench, u), _)| u == unit && bench.starts_with("MutexContention-"))
                .filter_map(|((bench, _), sides)| {
                    let threads: f64 = bench.rsplit_once('-')?.1.parse().ok()?;
                    let mut xs = sides.get(&backend)?.clone();
                    Some((threads, compare::median(&mut xs)))
                })
                .collect();
            points.sort_by(|a, b| a.0.total_cmp(&b.0));
            Series {
                name: backend,
                points,
            }
        })
        .filter(|s| !s.points.is_empty())
        .collect()
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
        no_stats: false,
        runner: Runner::Qemu,
    }
}
