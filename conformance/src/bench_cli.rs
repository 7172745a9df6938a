//! The throughput benchmarks' command line: Go's runtime mutex benchmarks
//! for each backend, and the primitives' benchmarks for each of their
//! forms, printed in Go's benchmark format (benchstat reads it). lockyard's
//! bench target (`benches/throughput.rs`) and a foreign crate's
//! ([`bench_main!`](crate::bench_main)) are this, with their own catalogue.

use crate::Backend;
use crate::bench_profile::{self, ProfileRun};
use crate::primitives::{BENCH_THREADS, Form};
use crate::registry::BACKENDS;
use crate::throughput::{self, Bench, Runner, Sample};
use lockyard_platforms::{benchname, host};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// What a bench binary offers.
#[derive(Clone, Copy)]
pub struct Catalogue<'a> {
    /// The backends `--backend` may name.
    pub backends: &'a [Backend],
    /// The primitives' forms `--backend` may name.
    pub forms: &'a [Form],
    /// What runs when no `--backend` is given.
    pub defaults: &'a [&'a str],
    /// The `pkg:` header line.
    pub pkg: &'a str,
}

/// lockyard's own backends run beside a foreign crate's locks by default.
const FOREIGN_COMPANIONS: [&str; 4] = ["spinbit", "futex", "std", "parking_lot"];

/// What [`bench_main!`](crate::bench_main) runs: `locks` beside lockyard's
/// backends and the peers (all of them on request, the usual few by
/// default), no primitives.
pub fn foreign_main(locks: &[Backend], pkg: &str) -> ExitCode {
    let mut backends = locks.to_vec();
    backends.extend(
        BACKENDS
            .iter()
            .filter(|b| !locks.iter().any(|l| l.name == b.name)),
    );
    let mut defaults: Vec<&str> = locks.iter().map(|b| b.name).collect();
    defaults.extend(FOREIGN_COMPANIONS);
    run(&Catalogue {
        backends: &backends,
        forms: &[],
        defaults: &defaults,
        pkg,
    })
}

const HELP: &str = "\
Options:
  --backend NAME    a backend or a primitive's form (arena-after) to run
                    (repeatable), or all (every backend and form); default:
                    the list above
  --filter TEXT     run only benchmarks whose name contains TEXT (repeatable)
  --count N         rounds; each round runs every backend once, in turn
                    (A B A B ...), so compared backends share the machine's
                    moods (default 1)
  --benchtime D     how long each run lasts: 200ms, 1s, or Nx for exactly N
                    operations (default 200ms)
  --runner NAME     what runs this binary (native, qemu), for the header;
                    under qemu the figures are labelled smoke
  --profile-rate N  instead of the timed rounds, run each backend alone,
                    once, with lockyard's contention profile sampling 1
                    contended unlock in N, and save its profile (needs a
                    build with lockyard-conformance/profile)
  --profile-dir D   where those go: D/<backend>.pb.gz and .txt
                    (default target/lockyard/profile)
  --list            list the benchmarks, backends and forms, then exit

Output is Go's benchmark format: a header of `key: value` lines (goos,
goarch, pkg, cpu, cores: the CPUs this process may use, runner, and stats:
on in a build with lockyard's stats counters, off otherwise), then a line
per run named with the backend as a sub-benchmark key,
BenchmarkMutexContention/backend=spinbit-8 (the -8: threads), so
`benchstat -col /backend` compares the backends of one file.

Exit status 1 if a run's counts were wrong (the lock let two holders in, or
a primitive lost or doubled what it holds).";

struct Args {
    backends: Vec<String>,
    filters: Vec<String>,
    count: usize,
    benchtime: Benchtime,
    runner: String,
    list: bool,
    profile: Option<ProfileRun>,
}

#[derive(Clone, Copy)]
enum Benchtime {
    Time(Duration),
    Ops(u64),
}

fn parse_benchtime(s: &str) -> Result<Benchtime, String> {
    let bad = || format!("cannot parse --benchtime {s:?}: use 200ms, 1s or 1000x");
    if let Some(n) = s.strip_suffix('x') {
        return n
            .parse()
            .ok()
            .filter(|&n| n > 0)
            .map(Benchtime::Ops)
            .ok_or_else(bad);
    }
    let (number, unit) = s
        .find(|c: char| c.is_ascii_alphabetic())
        .map(|i| s.split_at(i))
        .ok_or_else(bad)?;
    let number: f64 = number.parse().map_err(|_| bad())?;
    let scale = match unit {
        "ns" => 1e-9,
        "us" | "µs" => 1e-6,
        "ms" => 1e-3,
        "s" => 1.0,
        _ => return Err(bad()),
    };
    Duration::try_from_secs_f64(number * scale)
        .ok()
        .filter(|d| !d.is_zero())
        .map(Benchtime::Time)
        .ok_or_else(bad)
}

fn parse_args(catalogue: &Catalogue<'_>) -> Result<Args, String> {
    let mut args = Args {
        backends: Vec::new(),
        filters: Vec::new(),
        count: 1,
        benchtime: Benchtime::Time(Duration::from_millis(200)),
        runner: "native".into(),
        list: false,
        profile: None,
    };
    let mut profile_dir = PathBuf::from("target/lockyard/profile");
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--backend" => args.backends.push(value()?),
            "--filter" => args.filters.push(value()?),
            "--count" => {
                args.count = value()?
                    .parse()
                    .ok()
                    .filter(|&n| n > 0)
                    .ok_or("--count needs a positive number")?
            }
            "--benchtime" => args.benchtime = parse_benchtime(&value()?)?,
            "--runner" => args.runner = value()?,
            "--list" => args.list = true,
            "--profile-rate" => {
                let rate = value()?
                    .parse()
                    .ok()
                    .filter(|&n| n > 0)
                    .ok_or("--profile-rate needs a positive number")?;
                if !bench_profile::AVAILABLE {
                    return Err("--profile-rate: this binary was built without lockyard's \
                                profile feature; build it with --features \
                                lockyard-conformance/profile (`cargo xtask bench \
                                --profile-rate N` does)"
                        .into());
                }
                args.profile = Some(ProfileRun {
                    rate,
                    dir: PathBuf::new(),
                });
            }
            "--profile-dir" => profile_dir = PathBuf::from(value()?),
            // `cargo bench` passes `--bench` to every bench binary.
            "--bench" => {}
            "-h" | "--help" => {
                println!(
                    "Go's runtime mutex benchmarks ({}); default backends: {}\n\n{HELP}",
                    catalogue.pkg,
                    catalogue.defaults.join(", ")
                );
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other:?}; see --help")),
        }
    }
    if let Some(profile) = &mut args.profile {
        profile.dir = profile_dir;
    }
    Ok(args)
}

/// Go's GOARCH for this build.
fn goarch() -> &'static str {
    match (std::env::consts::ARCH, cfg!(target_endian = "big")) {
        ("x86_64", _) => "amd64",
        ("x86", _) => "386",
        ("aarch64", _) => "arm64",
        ("powerpc64", true) => "ppc64",
        ("powerpc64", false) => "ppc64le",
        (arch, _) => arch,
    }
}

/// Runs the benchmarks `catalogue` offers as the command line asks.
pub fn run(catalogue: &Catalogue<'_>) -> ExitCode {
    let Catalogue {
        backends: all_backends,
        forms: all_forms,
        defaults,
        pkg,
    } = *catalogue;
    let args = match parse_args(catalogue) {
        Ok(args) => args,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let wanted: Vec<String> = if args.backends.is_empty() {
        defaults.iter().copied().map(String::from).collect()
    } else if args.backends.iter().any(|b| b == "all") {
        let backends = all_backends.iter().map(|b| b.name);
        backends
            .chain(all_forms.iter().map(|f| f.name))
            .map(String::from)
            .collect()
    } else {
        args.backends.clone()
    };
    let mut runners: Vec<Runner> = Vec::new();
    let mut forms: Vec<Form> = Vec::new();
    for name in &wanted {
        if let Some(b) = all_backends.iter().find(|b| b.name == name) {
            runners.push(b.throughput());
        } else if let Some(f) = all_forms.iter().find(|f| f.name == name) {
            forms.push(*f);
        } else {
            let valid: Vec<&str> = all_backends.iter().map(|b| b.name).collect();
            let forms: Vec<&str> = all_forms.iter().map(|f| f.name).collect();
            eprintln!(
                "error: unknown backend {name:?}; valid: {}; forms: {}",
                valid.join(", "),
                forms.join(", ")
            );
            return ExitCode::from(2);
        }
    }
    let selected = |name: &str, threads: usize| {
        let full = format!("{name}-{threads}");
        args.filters.is_empty() || args.filters.iter().any(|f| full.contains(f.as_str()))
    };
    let groups = jobs(&runners, &forms, &selected);
    if args.list {
        for b in Bench::all()
            .iter()
            .filter(|b| selected(&b.name(), b.threads()))
        {
            println!("{}", b.full_name("BACKEND"));
        }
        for bench in form_benches(all_forms) {
            for threads in BENCH_THREADS.into_iter().filter(|&t| selected(bench, t)) {
                println!("{}", benchname::full(bench, "FORM", threads));
            }
        }
        let names = |names: Vec<&str>| names.join(" ");
        println!(
            "backends: {}",
            names(all_backends.iter().map(|b| b.name).collect())
        );
        println!(
            "forms: {}",
            names(all_forms.iter().map(|f| f.name).collect())
        );
        return ExitCode::SUCCESS;
    }

    let cpu = host::Cpu::detect();
    println!("goos: {}", std::env::consts::OS);
    println!("goarch: {}", goarch());
    println!("pkg: {pkg}");
    println!("cpu: {}", cpu.model);
    println!("cores: {}", cpu.cores);
    println!("runner: {}", args.runner);
    // A configuration key, so benchstat keeps a counting run's results
    // apart from timed ones (it groups tables by the header's keys).
    println!(
        "stats: {}",
        if lockyard::stats::ENABLED {
            "on"
        } else {
            "off"
        }
    );
    if throughput::smoke(&args.runner) {
        println!("note: smoke run under emulation: these figures are not performance");
    }
    if lockyard::stats::ENABLED {
        println!("note: built with lockyard's stats counters: use the event counts, not the times");
    }
    if let Some(profile) = &args.profile {
        return profiled(&runners, &selected, profile, args.benchtime);
    }
    let mut failed = 0;
    for group in &groups {
        // Go runs the launch sequence for every -count; one calibration per
        // job, then the same n in every round, keeps the rounds alike.
        let mut n: Vec<Option<u64>> = vec![None; group.len()];
        for _ in 0..args.count {
            for (i, job) in group.iter().enumerate() {
                let sample = match (n[i], args.benchtime) {
                    (Some(ops), _) | (None, Benchtime::Ops(ops)) => (job.run)(ops),
                    (None, Benchtime::Time(t)) => throughput::calibrate(t, &job.run),
                };
                n[i] = Some(sample.n);
                println!("{}", sample.line(&job.name));
                if let Some(e) = &sample.error {
                    eprintln!("FAIL {}: {e}", job.name);
                    failed += 1;
                }
            }
        }
    }
    if failed > 0 {
        eprintln!("{failed} run(s) had wrong counts");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

/// The profiling run: each backend alone, its benchmarks once, its profile
/// saved (`bench_profile`). Forms are not profiled.
fn profiled(
    runners: &[Runner],
    selected: &dyn Fn(&str, usize) -> bool,
    profile: &ProfileRun,
    benchtime: Benchtime,
) -> ExitCode {
    println!(
        "note: profiling run (lockyard's contention profile at rate 1/{}): use the profiles, not the times",
        profile.rate
    );
    let mut failed = 0;
    for (i, runner) in runners.iter().enumerate() {
        bench_profile::start(profile);
        for group in jobs(runners, &[], selected) {
            let job = &group[i];
            let sample = match benchtime {
                Benchtime::Ops(ops) => (job.run)(ops),
                Benchtime::Time(t) => throughput::calibrate(t, &job.run),
            };
            println!("{}", sample.line(&job.name));
            if let Some(e) = &sample.error {
                eprintln!("FAIL {}: {e}", job.name);
                failed += 1;
            }
        }
        if let Err(e) = bench_profile::finish(profile, runner.name) {
            eprintln!("error: cannot save the profile of {}: {e}", runner.name);
            return ExitCode::FAILURE;
        }
    }
    if failed > 0 {
        eprintln!("{failed} run(s) had wrong counts");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

/// One benchmark on one backend or form: a line per round.
struct Job {
    /// Its full name: `BenchmarkMutexContention/backend=spinbit-8`.
    name: String,
    run: Box<dyn Fn(u64) -> Sample>,
}

/// The jobs to run, grouped by benchmark: a group's jobs take turns round
/// after round (A B A B ...), so the backends or forms it compares share
/// the machine's moods.
fn jobs(
    runners: &[Runner],
    forms: &[Form],
    selected: &dyn Fn(&str, usize) -> bool,
) -> Vec<Vec<Job>> {
    let mut groups: Vec<Vec<Job>> = Vec::new();
    for bench in Bench::all() {
        if !runners.is_empty() && selected(&bench.name(), bench.threads()) {
            let group = runners.iter().map(|&runner| Job {
                name: bench.full_name(runner.name),
                run: Box::new(move |n| runner.run(bench, n)),
            });
            groups.push(group.collect());
        }
    }
    for bench in form_benches(forms) {
        for threads in BENCH_THREADS.into_iter().filter(|&t| selected(bench, t)) {
            let group = forms.iter().filter(|f| f.bench == bench).map(|&form| Job {
                name: benchname::full(bench, form.name, threads),
                run: Box::new(move |n| {
                    let mut sample = throughput::timed(n, |started| form.run(threads, n, started));
                    let events = throughput::slow_path_events(n, &throughput::PER_OPERATION);
                    sample.metrics.extend(events);
                    sample
                }),
            });
            groups.push(group.collect());
        }
    }
    groups
}

/// The benchmarks of `forms`, each once, in the order they first appear.
fn form_benches(forms: &[Form]) -> Vec<&'static str> {
    let mut benches = Vec::new();
    for form in forms {
        if !benches.contains(&form.bench) {
            benches.push(form.bench);
        }
    }
    benches
}
