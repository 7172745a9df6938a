//! The throughput suite: Go's runtime mutex benchmarks for every backend,
//! printed in Go's benchmark format so benchstat reads them.
//!
//! `benches/throughput.rs` is the binary (`cargo xtask bench` drives it);
//! this module knows the benchmarks ([`Bench`]), runs one for a backend
//! ([`Runner`]) and formats the result ([`Sample::line`]). A run of `n`
//! operations measures wall time, CPU time (user + sys of the process, from
//! `getrusage`) and, in a build with lockyard's `stats` feature, the slow
//! path events; it also checks the guarded counts, so a smoke run under
//! qemu still proves the lock excluded.

pub mod workloads;

use lockyard::RawLock;
use lockyard_platforms::benchname;
use std::cell::UnsafeCell;
use std::fmt::Write as _;
use std::time::{Duration, Instant};
use workloads::{Capture, Delay, Padded, State};

/// MutexContention's thread counts (Go runs it with `-cpu` 1 to 16).
pub const MUTEX_CONTENTION_THREADS: [usize; 8] = [1, 2, 3, 4, 6, 8, 12, 16];
/// MutexCapture's thread counts.
pub const CAPTURE_THREADS: [usize; 2] = [2, 8];
/// The work-inside / work-between benchmark's threads and (inside, between)
/// rounds of arithmetic: a short section with much work outside it, and a
/// long section with little outside.
pub const WORK: [(usize, u32, u32); 2] = [(4, 10, 100), (4, 100, 10)];

/// One benchmark, with its parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bench {
    /// Go's MutexContention at this many threads.
    Contention(usize),
    /// Go's MutexHandoff/Solo.
    Solo,
    /// Go's MutexHandoff/FastPingPong or SlowPingPong.
    PingPong(Delay),
    /// Go's MutexCapture at this many threads.
    Capture(usize),
    /// Work inside and between: threads, inside rounds, between rounds.
    Work(usize, u32, u32),
}

impl Bench {
    /// Every benchmark, in the order they run.
    pub fn all() -> Vec<Bench> {
        let mut all: Vec<Bench> = MUTEX_CONTENTION_THREADS.map(Bench::Contention).to_vec();
        all.extend([
            Bench::Solo,
            Bench::PingPong(Delay::Fast),
            Bench::PingPong(Delay::Slow),
        ]);
        all.extend(CAPTURE_THREADS.map(Bench::Capture));
        all.extend(WORK.map(|(t, i, b)| Bench::Work(t, i, b)));
        all
    }

    /// Its name without the backend: `BenchmarkMutexHandoff/Solo`.
    pub fn name(&self) -> String {
        match self {
            Bench::Contention(_) => "BenchmarkMutexContention".into(),
            Bench::Solo => "BenchmarkMutexHandoff/Solo".into(),
            Bench::PingPong(Delay::Fast) => "BenchmarkMutexHandoff/FastPingPong".into(),
            Bench::PingPong(Delay::Slow) => "BenchmarkMutexHandoff/SlowPingPong".into(),
            Bench::Capture(_) => "BenchmarkMutexCapture".into(),
            Bench::Work(_, inside, between) => {
                format!("BenchmarkMutexWork/inside={inside}/between={between}")
            }
        }
    }

    /// The threads it runs, Go's `-N` suffix (GOMAXPROCS there).
    pub fn threads(&self) -> usize {
        match *self {
            Bench::Contention(t) | Bench::Capture(t) | Bench::Work(t, _, _) => t,
            Bench::Solo => 1,
            Bench::PingPong(_) => 2,
        }
    }

    /// Its full name for `backend`, the backend a sub-benchmark key:
    /// `BenchmarkMutexContention/backend=spinbit-8` (see
    /// [`lockyard_platforms::benchname`]).
    pub fn full_name(&self, backend: &str) -> String {
        benchname::full(&self.name(), backend, self.threads())
    }
}

/// Whether figures from `runner` are a smoke run (emulation), not
/// performance.
pub fn smoke(runner: &str) -> bool {
    runner != "native"
}

/// What one run of a benchmark measured.
#[derive(Clone, Debug, PartialEq)]
pub struct Sample {
    /// Operations (Go's `b.N`).
    pub n: u64,
    /// Wall time of the run.
    pub wall: Duration,
    /// The ns/op Go reports: wall / n, or the handoff latency per op.
    pub ns_per_op: f64,
    /// User + sys CPU time of the process over the run, if the OS says.
    pub cpu: Option<Duration>,
    /// Further metrics, `(value, unit)`, in Go's `ReportMetric` style.
    pub metrics: Vec<(f64, &'static str)>,
    /// Why the counts are wrong, if they are.
    pub error: Option<String>,
}

impl Sample {
    /// The result line in Go's benchmark format.
    pub fn line(&self, name: &str) -> String {
        let mut s = format!("{name}\t{:>10}\t{:>12.2} ns/op", self.n, self.ns_per_op);
        if let Some(cpu) = self.cpu {
            let _ = write!(
                s,
                "\t{:>12.2} cpu-ns/op",
                cpu.as_nanos() as f64 / self.n as f64
            );
        }
        for (value, unit) in &self.metrics {
            let _ = write!(s, "\t{value:>12.2} {unit}");
        }
        s
    }
}

/// A backend's benchmarks behind a function pointer, so the registry can
/// hold one per backend.
#[derive(Clone, Copy)]
pub struct Runner {
    /// The backend's name.
    pub name: &'static str,
    /// Whether lockyard's `stats` counters see this backend (the peers are
    /// not lockyard's and count nothing).
    pub counted: bool,
    run: fn(Bench, u64) -> Sample,
}

impl Runner {
    /// The runner for backend `L`.
    pub fn of<L: RawLock + 'static>() -> Runner {
        Runner {
            name: L::NAME,
            counted: std::any::type_name::<L>().starts_with("lockyard::"),
            run: run::<L>,
        }
    }

    /// Runs `bench` for `n` operations.
    pub fn run(&self, bench: Bench, n: u64) -> Sample {
        let mut sample = (self.run)(bench, n);
        if self.counted {
            sample.metrics.extend(slow_path_events(n, &PER_ACQUISITION));
        }
        sample
    }

    /// [`calibrate`] for `bench`.
    pub fn calibrate(&self, bench: Bench, benchtime: Duration) -> Sample {
        calibrate(benchtime, |n| self.run(bench, n))
    }
}

/// Units of [`slow_path_events`] per 1000 acquisitions of a backend.
pub const PER_ACQUISITION: [&str; 5] = [
    "spins/1k-acq",
    "sleeps/1k-acq",
    "wakes/1k-acq",
    "tailwakes/1k-acq",
    "handoffs/1k-acq",
];
/// Units of [`slow_path_events`] per 1000 operations of a primitive form:
/// the events of the lockyard lock it takes, if any.
pub const PER_OPERATION: [&str; 5] = [
    "spins/1k-op",
    "sleeps/1k-op",
    "wakes/1k-op",
    "tailwakes/1k-op",
    "handoffs/1k-op",
];

/// In a build with lockyard's `stats` feature, the slow-path events of the
/// run that just ended (spins, sleeps, wakes, tail wakes, handoffs) per 1000 of its
/// `n` operations, in `units`; nothing in other builds.
pub fn slow_path_events(n: u64, units: &[&'static str; 5]) -> Vec<(f64, &'static str)> {
    if !lockyard::stats::ENABLED {
        return Vec::new();
    }
    let s = lockyard::stats::snapshot();
    let per_k = |x: u64| x as f64 * 1000.0 / n as f64;
    let counts = [s.spins, s.sleeps, s.wakes, s.tail_wakes, s.handoffs];
    counts
        .into_iter()
        .map(per_k)
        .zip(units.iter().copied())
        .collect()
}

/// Go's launch sequence: runs with n = 1, then predicts the n that fills
/// `benchtime` (1.2× over, at most 100× the last, at least one more) until
/// a run lasts that long; returns that last run.
pub fn calibrate(benchtime: Duration, mut run: impl FnMut(u64) -> Sample) -> Sample {
    let goal = benchtime.as_nanos() as f64;
    let mut n = 1u64;
    loop {
        let sample = run(n);
        let took = sample.wall.as_nanos() as f64;
        if took >= goal || n >= 1_000_000_000 || sample.error.is_some() {
            return sample;
        }
        let per_op = (took / n as f64).max(1.0);
        let predicted = (goal * 1.2 / per_op) as u64;
        n = predicted.min(n * 100).max(n + 1).min(1_000_000_000);
    }
}

/// Times `body`, a run of `n` operations that calls the function it is
/// given once its threads are ready (the clocks start there) and returns
/// what its check found wrong: a primitive form's benchmark run.
pub fn timed(n: u64, body: impl FnOnce(&mut dyn FnMut()) -> Result<(), String>) -> Sample {
    let mut clocks = None;
    let checked = body(&mut || clocks = Some(Clocks::start()));
    clocks.unwrap_or_else(Clocks::start).stop(n, checked.err())
}

/// The clocks around a run: wall time and process CPU time.
struct Clocks {
    wall: Instant,
    cpu: Option<Duration>,
}

impl Clocks {
    fn start() -> Clocks {
        lockyard::stats::reset();
        Clocks {
            wall: Instant::now(),
            cpu: process_cpu_time(),
        }
    }

    fn stop(&self, n: u64, error: Option<String>) -> Sample {
        let wall = self.wall.elapsed();
        let cpu = process_cpu_time()
            .zip(self.cpu)
            .map(|(end, start)| end.saturating_sub(start));
        Sample {
            n,
            wall,
            ns_per_op: wall.as_nanos() as f64 / n as f64,
            cpu,
            metrics: Vec::new(),
            error,
        }
    }
}

/// User + sys CPU time of the whole process so far.
#[cfg(unix)]
fn process_cpu_time() -> Option<Duration> {
    // SAFETY: an all-zero rusage is a valid value of a plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: RUSAGE_SELF with a pointer to a live, writable rusage.
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) } != 0 {
        return None;
    }
    let tv = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
    };
    Some(tv(usage.ru_utime) + tv(usage.ru_stime))
}

#[cfg(not(unix))]
fn process_cpu_time() -> Option<Duration> {
    None
}

/// The counts check of Go's loops: the count reached `n` (threads may
/// overshoot it by one each) and the shadow agrees with it.
fn check_counts<L>(state: &mut State<L>, n: u64, threads: usize) -> Option<String> {
    let (count, shadow) = state.count.0.totals();
    if count != shadow {
        Some(format!(
            "the guarded shadow counter reads {shadow} against {count} increments: two holders were inside at once"
        ))
    } else if count < n || count >= n + threads as u64 {
        Some(format!(
            "the count reads {count}, expected {n} to {}",
            n + threads as u64 - 1
        ))
    } else {
        None
    }
}

fn run<L: RawLock + 'static>(bench: Bench, n: u64) -> Sample {
    match bench {
        Bench::Contention(threads) => {
            let mut state = State::<L>::new();
            let mut clocks = None;
            workloads::parallel(
                threads,
                || clocks = Some(Clocks::start()),
                |_| workloads::contention(&state, n),
            );
            let error = check_counts(&mut state, n, threads);
            clocks.expect("started").stop(n, error)
        }
        Bench::Capture(threads) => {
            let mut state = State::<L>::new();
            let histograms = std::sync::Mutex::new(Vec::<Capture>::new());
            let mut clocks = None;
            workloads::parallel(
                threads,
                || clocks = Some(Clocks::start()),
                |_| {
                    let h = workloads::capture(&state, n);
                    histograms.lock().expect("no panics while held").push(h);
                },
            );
            let mut sample = clocks.expect("started").stop(n, None);
            sample.error = check_counts(&mut state, n, threads);
            let mut total = [[0u64; 65]; 2];
            for h in histograms.into_inner().expect("no panics while held") {
                for (kind, buckets) in h.iter().enumerate() {
                    for (bucket, v) in buckets.iter().enumerate() {
                        total[kind][bucket] += v;
                    }
                }
            }
            let per_op = sample.ns_per_op;
            let p = |kind: usize, q: f64| {
                per_op * workloads::capture_percentile(&total[kind], q) as f64
            };
            sample.metrics = vec![
                (p(0, 1.0), "ns/streak-p100"),
                (p(0, 0.9), "ns/streak-p90"),
                (p(1, 1.0), "ns/starve-p100"),
                (p(1, 0.9), "ns/starve-p90"),
            ];
            sample
        }
        Bench::Work(threads, inside, between) => {
            let mut state = State::<L>::new();
            let guarded = Padded(UnsafeCell::new(1u64));
            let shared = Shared(&guarded.0);
            let mut clocks = None;
            workloads::parallel(
                threads,
                || clocks = Some(Clocks::start()),
                |_| workloads::work(&state, shared.cell(), inside, between, n),
            );
            let error = check_counts(&mut state, n, threads);
            clocks.expect("started").stop(n, error)
        }
        Bench::Solo => {
            let lock = Padded(L::new());
            let clocks = Clocks::start();
            workloads::solo(&lock, n);
            clocks.stop(n, None)
        }
        Bench::PingPong(delay) => {
            let lock = Padded(L::new());
            let mut clocks = None;
            let latency = workloads::handoff(&lock, delay, n, || clocks = Some(Clocks::start()));
            let mut sample = clocks.expect("started").stop(n, None);
            sample.ns_per_op = latency as f64 / n as f64;
            sample
        }
    }
}

/// A guarded value shared with the benchmark threads: only lock holders
/// touch it.
struct Shared<'a>(&'a UnsafeCell<u64>);
// SAFETY: the work loop touches the cell only while holding the lock.
unsafe impl Sync for Shared<'_> {}

impl Shared<'_> {
    fn cell(&self) -> &UnsafeCell<u64> {
        self.0
    }
}
