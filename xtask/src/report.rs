//! `cargo xtask report`, and the report format `test` writes: a run's host
//! facts and every trial's result, as `target/lockyard/report.json`.
//!
//! Merging reports (one per CI job) gives one Markdown matrix of targets ×
//! backends for the GitHub step summary.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use sysinfo::{CpuRefreshKind, RefreshKind, System};
use xshell::Shell;

use crate::flags;
use crate::junit::Outcome;
use crate::project;

/// The format version in [`Report::schema`].
pub const SCHEMA: u32 = 1;

/// One run of `cargo xtask test`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Report {
    /// [`SCHEMA`] when written.
    pub schema: u32,
    /// The machine it ran on.
    pub host: Host,
    /// Start of the run, seconds since the Unix epoch.
    pub started_unix_s: u64,
    /// Wall time of the whole run, seconds.
    pub wall_s: f64,
    /// Each target the run covered and how.
    pub targets: Vec<TargetRun>,
    /// Every trial's result.
    pub trials: Vec<Trial>,
    /// What the suites that measure wrote, one object per run: the
    /// starvation suite's per-backend figures (acquisitions per thread,
    /// max/min and the unfair flag, Jain's index, max/p99.9/median wait),
    /// with the target, runner and suite added.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub figures: Vec<serde_json::Value>,
}

/// Host facts, as Go's benchmark header gives them (`goos`, `goarch`,
/// `cpu`), plus the core count the figures depend on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Host {
    /// Go's GOOS of the host.
    pub goos: String,
    /// Go's GOARCH of the host.
    pub goarch: String,
    /// The host's Rust triple.
    pub triple: String,
    /// CPU model name.
    pub cpu: String,
    /// Logical CPUs (what GOMAXPROCS defaults to).
    pub cores: usize,
    /// Physical cores, when known.
    pub physical_cores: Option<usize>,
    /// Kernel version, when known.
    pub kernel: Option<String>,
}

impl Host {
    /// Reads the facts of this machine.
    pub fn detect(sh: &Shell) -> Result<Host> {
        let triple = project::host_triple(sh)?;
        let row = lockyard_platforms::by_triple(&triple);
        let sys =
            System::new_with_specifics(RefreshKind::nothing().with_cpu(CpuRefreshKind::nothing()))
                .context("cannot read host facts")?;
        let cpu = sys
            .cpus()
            .first()
            .map(|c| c.brand().trim().to_string())
            .unwrap_or_default();
        Ok(Host {
            goos: row.map_or(std::env::consts::OS, |t| t.goos).to_string(),
            goarch: row.map_or(std::env::consts::ARCH, |t| t.goarch).to_string(),
            triple,
            cpu,
            cores: sys.cpus().len(),
            physical_cores: System::physical_core_count().ok(),
            kernel: System::kernel_version().ok(),
        })
    }

    /// Go's benchmark header lines (`goos: linux` ...).
    pub fn header(&self) -> String {
        format!(
            "goos: {}\ngoarch: {}\ncpu: {}\ncores: {}",
            self.goos, self.goarch, self.cpu, self.cores
        )
    }
}

/// How a run covered one target.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TargetRun {
    /// Short name (`arm64`).
    pub target: String,
    /// Rust triple.
    pub triple: String,
    /// `native` or `qemu`.
    pub runner: String,
    /// The exact runner command cargo was given, if any.
    pub runner_command: Option<String>,
    /// lockyard's default backend there with no experiment set (from
    /// lockyard-platforms).
    pub default_backend: String,
    /// The experiments the build had, in GOEXPERIMENT syntax: the target's
    /// baseline (`spinbitmutex,spinbitxchg8` where it has an 8-bit swap),
    /// or `LOCKYARD_EXPERIMENT=...` when that overrode it.
    pub experiment: String,
    /// LOCKYARD_SCALE the suites ran with.
    pub scale: Option<f64>,
    /// LOCKYARD_CHAOS, when the run injected faults (`test --chaos`): the
    /// settings and seed that replay it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chaos: Option<String>,
}

/// One trial's result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Trial {
    /// Short target name.
    pub target: String,
    /// The backend (the trial name's first part).
    pub backend: String,
    /// The suite (test binary).
    pub suite: String,
    /// The case (the trial name's rest).
    pub case: String,
    /// How it ended.
    pub outcome: Outcome,
    /// Wall time in seconds.
    pub duration_s: f64,
    /// `native` or `qemu`: which runner produced this result.
    pub runner: String,
    /// Why it failed, when it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Why it ran on another runner than its target's others (a known bug
    /// of that runner), when it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Pass, fail and time of one target × backend cell.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Tally {
    /// Trials passed.
    pub passed: usize,
    /// Trials failed.
    pub failed: usize,
    /// Trials skipped.
    pub skipped: usize,
    /// Summed trial time, seconds.
    pub seconds: f64,
}

impl Tally {
    /// Adds one trial.
    pub fn add(&mut self, t: &Trial) {
        match t.outcome {
            Outcome::Passed => self.passed += 1,
            Outcome::Failed => self.failed += 1,
            Outcome::Skipped => self.skipped += 1,
        }
        self.seconds += t.duration_s;
    }

    /// Tallies trials.
    pub fn of<'a>(trials: impl IntoIterator<Item = &'a Trial>) -> Tally {
        let mut tally = Tally::default();
        trials.into_iter().for_each(|t| tally.add(t));
        tally
    }
}

/// Several reports seen as one: targets in table order, backends in order
/// of first appearance, one cell per target × backend.
pub struct Matrix {
    /// Distinct hosts the reports came from.
    pub hosts: Vec<Host>,
    /// Target rows: (short name, runners seen).
    pub rows: Vec<(String, Vec<String>)>,
    /// Backend columns.
    pub backends: Vec<String>,
    /// The trials, one per (target, runner, suite, case), later reports
    /// replacing earlier ones.
    pub trials: Vec<Trial>,
}

impl Matrix {
    /// Merges reports.
    pub fn merge(reports: &[Report]) -> Matrix {
        let mut hosts: Vec<Host> = Vec::new();
        let mut trials: Vec<Trial> = Vec::new();
        let mut index: BTreeMap<(String, String, String, String, String), usize> = BTreeMap::new();
        let mut target_runs: Vec<TargetRun> = Vec::new();
        for r in reports {
            if !hosts.contains(&r.host) {
                hosts.push(r.host.clone());
            }
            target_runs.extend(r.targets.iter().cloned());
            for t in &r.trials {
                let key = (
                    t.target.clone(),
                    t.runner.clone(),
                    t.suite.clone(),
                    t.backend.clone(),
                    t.case.clone(),
                );
                match index.get(&key) {
                    Some(&i) => trials[i] = t.clone(),
                    None => {
                        index.insert(key, trials.len());
                        trials.push(t.clone());
                    }
                }
            }
        }
        let order = |name: &str| {
            lockyard_platforms::TARGETS
                .iter()
                .position(|t| t.name() == name)
                .unwrap_or(usize::MAX)
        };
        let mut rows: Vec<(String, Vec<String>)> = Vec::new();
        let names = target_runs
            .iter()
            .map(|t| (t.target.clone(), t.runner.clone()))
            .chain(trials.iter().map(|t| (t.target.clone(), t.runner.clone())));
        for (target, runner) in names {
            match rows.iter_mut().find(|(t, _)| *t == target) {
                Some((_, runners)) if !runners.contains(&runner) => runners.push(runner),
                Some(_) => {}
                None => rows.push((target, vec![runner])),
            }
        }
        rows.sort_by_key(|(t, _)| order(t));
        let mut backends: Vec<String> = Vec::new();
        for t in &trials {
            if !backends.contains(&t.backend) {
                backends.push(t.backend.clone());
            }
        }
        Matrix {
            hosts,
            rows,
            backends,
            trials,
        }
    }

    /// The tally of one cell.
    pub fn cell(&self, target: &str, backend: &str) -> Tally {
        Tally::of(
            self.trials
                .iter()
                .filter(|t| t.target == target && t.backend == backend),
        )
    }

    /// The tally of everything.
    pub fn total(&self) -> Tally {
        Tally::of(&self.trials)
    }

    /// The failed trials.
    pub fn failures(&self) -> impl Iterator<Item = &Trial> {
        self.trials.iter().filter(|t| t.outcome == Outcome::Failed)
    }

    /// The matrix as Markdown, for a GitHub step summary.
    pub fn markdown(&self) -> String {
        let mut s = String::from("## lockyard test matrix\n\n");
        s.push_str("| target | runner |");
        for b in &self.backends {
            let _ = write!(s, " {b} |");
        }
        s.push_str("\n| --- | --- |");
        s.push_str(&" --- |".repeat(self.backends.len()));
        s.push('\n');
        for (target, runners) in &self.rows {
            let _ = write!(s, "| {target} | {} |", runners.join(", "));
            for b in &self.backends {
                let c = self.cell(target, b);
                let total = c.passed + c.failed;
                if total == 0 {
                    s.push_str(" – |");
                } else {
                    let mark = if c.failed == 0 { "✅" } else { "❌" };
                    let _ = write!(s, " {mark} {}/{total} · {:.1} s |", c.passed, c.seconds);
                }
            }
            s.push('\n');
        }
        let total = self.total();
        let _ = writeln!(
            s,
            "\n{} passed, {} failed, {} skipped across {} target(s).",
            total.passed,
            total.failed,
            total.skipped,
            self.rows.len()
        );
        let mut notes: Vec<String> = Vec::new();
        for t in self.trials.iter().filter(|t| t.note.is_some()) {
            let line = format!(
                "- `{}` {} ({}, {}): {}",
                t.target,
                t.case,
                t.suite,
                t.runner,
                t.note.as_deref().unwrap_or_default()
            );
            if !notes.contains(&line) {
                notes.push(line);
            }
        }
        if !notes.is_empty() {
            s.push_str("\n### Run another way (known runner bugs)\n\n");
            s.push_str(&notes.join("\n"));
            s.push('\n');
        }
        let failures: Vec<&Trial> = self.failures().collect();
        if !failures.is_empty() {
            s.push_str("\n### Failures\n\n");
            for t in failures {
                let _ = write!(
                    s,
                    "- `{}` {}::{} ({}, {})",
                    t.target, t.backend, t.case, t.suite, t.runner
                );
                if let Some(m) = &t.message {
                    let _ = write!(s, ": {}", m.replace('\n', " "));
                }
                s.push('\n');
            }
        }
        if !self.hosts.is_empty() {
            s.push_str("\n<details><summary>hosts</summary>\n\n");
            for h in &self.hosts {
                let _ = writeln!(s, "```\n{}\n```", h.header());
            }
            s.push_str("\n</details>\n");
        }
        s
    }

    /// The matrix as plain text for a terminal.
    pub fn text(&self) -> String {
        let mut header = vec!["target".to_string(), "runner".to_string()];
        header.extend(self.backends.iter().cloned());
        let mut lines = vec![header];
        for (target, runners) in &self.rows {
            let mut line = vec![target.clone(), runners.join(",")];
            for b in &self.backends {
                let c = self.cell(target, b);
                line.push(if c.passed + c.failed == 0 {
                    "-".to_string()
                } else if c.failed == 0 {
                    format!("{} ok {:.1}s", c.passed, c.seconds)
                } else {
                    format!("{} ok {} FAILED {:.1}s", c.passed, c.failed, c.seconds)
                });
            }
            lines.push(line);
        }
        let widths: Vec<usize> = (0..lines[0].len())
            .map(|i| {
                lines
                    .iter()
                    .map(|l| l[i].chars().count())
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let mut s = String::new();
        for line in lines {
            let cells: Vec<String> = line
                .iter()
                .zip(&widths)
                .map(|(c, w)| format!("{c:<w$}"))
                .collect();
            s.push_str(cells.join("  ").trim_end());
            s.push('\n');
        }
        s
    }
}

/// Reads a report.json.
pub fn load(path: &std::path::Path) -> Result<Report> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let report: Report = serde_json::from_str(&text)
        .with_context(|| format!("cannot parse {} as a lockyard report", path.display()))?;
    if report.schema != SCHEMA {
        bail!(
            "{} has report schema {}, this xtask reads {SCHEMA}",
            path.display(),
            report.schema
        );
    }
    Ok(report)
}

/// `cargo xtask report`: prints the merged Markdown matrix.
pub fn run(flags: flags::Report) -> Result<()> {
    let files: Vec<PathBuf> = if flags.files.is_empty() {
        let sh = project::shell()?;
        let default = project::report_dir(&sh)?.join("report.json");
        if !default.exists() {
            bail!(
                "cannot find {}; run `cargo xtask test` first, or name report files",
                default.display()
            );
        }
        vec![default]
    } else {
        flags.files
    };
    let reports = files.iter().map(|f| load(f)).collect::<Result<Vec<_>>>()?;
    print!("{}", Matrix::merge(&reports).markdown());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host() -> Host {
        Host {
            goos: "linux".into(),
            goarch: "amd64".into(),
            triple: lockyard_platforms::TABLE_HOST.into(),
            cpu: "Test CPU".into(),
            cores: 2,
            physical_cores: Some(1),
            kernel: None,
        }
    }

    fn trial(target: &str, backend: &str, case: &str, outcome: Outcome) -> Trial {
        Trial {
            target: target.into(),
            backend: backend.into(),
            suite: "conformance".into(),
            case: case.into(),
            outcome,
            duration_s: 0.5,
            runner: "qemu".into(),
            message: (outcome == Outcome::Failed).then(|| "lost a wakeup\nword=0x3".into()),
            note: None,
        }
    }

    fn report(target: &str, trials: Vec<Trial>) -> Report {
        Report {
            schema: SCHEMA,
            host: host(),
            started_unix_s: 0,
            wall_s: 1.0,
            targets: vec![TargetRun {
                target: target.into(),
                triple: String::new(),
                runner: "qemu".into(),
                runner_command: None,
                default_backend: "spinbit".into(),
                experiment: "spinbitmutex,spinbitxchg8".into(),
                scale: None,
                chaos: None,
            }],
            trials,
            figures: Vec::new(),
        }
    }

    #[test]
    fn merge_orders_targets_by_table_and_dedups_hosts() {
        let a = report(
            "arm64",
            vec![
                trial("arm64", "futex", "a", Outcome::Passed),
                trial("arm64", "spinbit", "a", Outcome::Failed),
            ],
        );
        let b = report("386", vec![trial("386", "futex", "a", Outcome::Passed)]);
        let m = Matrix::merge(&[a, b]);
        assert_eq!(m.hosts.len(), 1);
        let rows: Vec<&str> = m.rows.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(rows, ["386", "arm64"]);
        assert_eq!(m.backends, ["futex", "spinbit"]);
        assert_eq!(m.cell("arm64", "spinbit").failed, 1);
        assert_eq!(m.cell("386", "spinbit"), Tally::default());
        assert_eq!(
            m.total(),
            Tally {
                passed: 2,
                failed: 1,
                skipped: 0,
                seconds: 1.5
            }
        );

        let md = m.markdown();
        assert!(md.contains("| target | runner | futex | spinbit |"), "{md}");
        assert!(md.contains("| 386 | qemu | ✅ 1/1 · 0.5 s | – |"), "{md}");
        assert!(
            md.contains("| arm64 | qemu | ✅ 1/1 · 0.5 s | ❌ 0/1 · 0.5 s |"),
            "{md}"
        );
        assert!(
            md.contains("2 passed, 1 failed, 0 skipped across 2 target(s)."),
            "{md}"
        );
        assert!(
            md.contains("- `arm64` spinbit::a (conformance, qemu): lost a wakeup word=0x3"),
            "{md}"
        );
        assert!(md.contains("goarch: amd64"), "{md}");
    }

    #[test]
    fn trials_run_another_way_say_why() {
        let mut native = trial("386", "sema", "x", Outcome::Passed);
        native.runner = "native".into();
        native.note = Some("run natively: qemu bug".into());
        let m = Matrix::merge(&[report("386", vec![native])]);
        let md = m.markdown();
        assert!(md.contains("### Run another way"), "{md}");
        assert!(
            md.contains("- `386` x (conformance, native): run natively: qemu bug"),
            "{md}"
        );
    }

    #[test]
    fn later_report_replaces_the_same_trial() {
        let first = report("arm64", vec![trial("arm64", "sema", "x", Outcome::Failed)]);
        let rerun = report("arm64", vec![trial("arm64", "sema", "x", Outcome::Passed)]);
        let m = Matrix::merge(&[first, rerun]);
        assert_eq!(m.trials.len(), 1);
        assert_eq!(m.total().failed, 0);
    }

    #[test]
    fn text_matrix_aligns() {
        let m = Matrix::merge(&[report(
            "ppc64",
            vec![
                trial("ppc64", "futex", "a", Outcome::Passed),
                trial("ppc64", "futex", "b", Outcome::Failed),
            ],
        )]);
        let text = m.text();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "target  runner  futex");
        assert_eq!(lines[1], "ppc64   qemu    1 ok 1 FAILED 1.0s");
    }

    #[test]
    fn round_trips_through_json() {
        let r = report("arm", vec![trial("arm", "futex", "a", Outcome::Skipped)]);
        let json = serde_json::to_string(&r).unwrap();
        assert!(json.contains(r#""outcome":"skipped""#));
        let back: Report = serde_json::from_str(&json).unwrap();
        assert_eq!(back.trials, r.trials);
    }
}
