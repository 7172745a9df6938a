//! report.json's format: what one run of `cargo xtask test` found, as serde
//! types. Targets and runners are typed here and written by name (the
//! target's short name, `native` or `qemu`), so a report names only rows
//! lockyard-platforms has.

use std::path::Path;

use anyhow::{Context, Result, bail};
use lockyard_platforms::{Runner, Target};
use serde::{Deserialize, Serialize};
use sysinfo::System;
use xshell::Shell;

use crate::junit::Outcome;
use crate::project;

/// The format version in [`Report::schema`]. 2: targets and runners must be
/// rows and runners lockyard-platforms knows; each target's `experiment`
/// is the object its suite binaries print, replacing the experiment string
/// and `default_backend`; `triple` is gone (the table has it). 3: a trial
/// may carry `known` (a known limitation of its backend), and its outcome
/// may then be `known` (failed as that says).
pub const SCHEMA: u32 = 3;

/// One run of `cargo xtask test`, or several merged.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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
    /// What the suites that measure wrote, one entry per trial that did.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub figures: Vec<Figures>,
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
    /// CPU model name (`unknown` when the OS gives none).
    pub cpu: String,
    /// The CPUs the run may use: affinity mask and cgroup quota applied
    /// (what GOMAXPROCS defaults to), as the bench header's `cores:` says
    /// ([`lockyard_platforms::host::Cpu`]).
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
        let cpu = lockyard_platforms::host::Cpu::detect();
        Ok(Host {
            goos: row.map_or(std::env::consts::OS, |t| t.goos).to_string(),
            goarch: row.map_or(std::env::consts::ARCH, |t| t.goarch).to_string(),
            triple,
            cpu: cpu.model,
            cores: cpu.cores,
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
    /// The row, written as its short name (`arm64`).
    #[serde(with = "by_name::target")]
    pub target: &'static Target,
    /// The runner its trials ran under (a known issue may move a case to
    /// another: see [`Trial::runner`]).
    #[serde(with = "by_name::runner")]
    pub runner: Runner,
    /// The exact runner command cargo was given, if any.
    pub runner_command: Option<String>,
    /// What the suites' lockyard was built with, as the suite binaries
    /// report it; `null` when no suite built.
    pub experiment: Option<Experiment>,
    /// LOCKYARD_SCALE the suites ran with.
    pub scale: Option<f64>,
    /// LOCKYARD_CHAOS, when the run injected faults (`test --chaos`): the
    /// settings and seed that replay it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chaos: Option<String>,
}

pub use lockyard_platforms::suite::Experiment;

/// One trial's result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Trial {
    /// The target, written as its short name.
    #[serde(with = "by_name::target")]
    pub target: &'static Target,
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
    /// Which runner produced this result.
    #[serde(with = "by_name::runner")]
    pub runner: Runner,
    /// Why it failed, when it did; why it cannot apply to its target,
    /// when it was skipped for that (a POSIX-only case on Windows).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Why it ran on another runner than its target's others (a known bug
    /// of that runner), when it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The known limitation of its backend it ran as, when it did: a
    /// failure is then [`Outcome::Known`], not failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub known: Option<String>,
}

/// What makes two results results of the same trial, so that a later one
/// replaces an earlier one: target, runner, backend, suite, case.
pub type Identity<'a> = (&'static str, Runner, &'a str, &'a str, &'a str);

impl Trial {
    /// Its [`Identity`].
    pub fn identity(&self) -> Identity<'_> {
        (
            self.target.triple,
            self.runner,
            &self.backend,
            &self.suite,
            &self.case,
        )
    }
}

/// One trial's figures, as its suite wrote them, with where it ran.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Figures {
    /// The target, written as its short name.
    #[serde(with = "by_name::target")]
    pub target: &'static Target,
    /// The runner.
    #[serde(with = "by_name::runner")]
    pub runner: Runner,
    /// The suite.
    pub suite: String,
    /// What the suite wrote.
    #[serde(flatten)]
    pub measured: SuiteFigures,
}

impl Figures {
    /// The [`Identity`] of the trial that measured them.
    pub fn identity(&self) -> Identity<'_> {
        (
            self.target.triple,
            self.runner,
            &self.measured.backend,
            &self.suite,
            &self.measured.case,
        )
    }
}

/// The JSON object a suite that measures writes per trial (the starvation
/// suite's acquisitions per thread, max/min and the unfair flag, Jain's
/// index, max/p99.9/median wait).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SuiteFigures {
    /// The backend measured (spinbit's tail-wake comparison also measures
    /// `spinbit-notailwake`).
    pub backend: String,
    /// The case.
    pub case: String,
    /// Everything else, as written.
    #[serde(flatten)]
    pub values: serde_json::Map<String, serde_json::Value>,
}

/// Reads a report.json of this [`SCHEMA`].
pub fn load(path: &Path) -> Result<Report> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    /// Only the version, readable in every schema.
    #[derive(Deserialize)]
    struct Version {
        schema: u32,
    }
    let version: Version = serde_json::from_str(&text)
        .with_context(|| format!("cannot parse {} as a lockyard report", path.display()))?;
    if version.schema != SCHEMA {
        bail!(
            "{} has report schema {}, and this xtask reads only schema {SCHEMA}; rerun `cargo xtask \
             test` to write it anew, or read it with the xtask that wrote it",
            path.display(),
            version.schema
        );
    }
    serde_json::from_str(&text)
        .with_context(|| format!("cannot parse {} as a lockyard report", path.display()))
}

/// Typed fields written as names: a target as its short name, a runner as
/// its [`Runner::name`].
mod by_name {
    use serde::de::Error as _;
    use serde::{Deserialize, Deserializer, Serializer};

    /// Reads a name and resolves it, or says what it is not.
    fn resolve<'de, D: Deserializer<'de>, T>(
        d: D,
        kind: &str,
        parse: impl FnOnce(&str) -> Option<T>,
    ) -> Result<T, D::Error> {
        let name = String::deserialize(d)?;
        parse(&name).ok_or_else(|| D::Error::custom(format!("unknown {kind} `{name}`")))
    }

    pub mod target {
        use super::*;
        use lockyard_platforms::Target;

        pub fn serialize<S: Serializer>(t: &&'static Target, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_str(&t.name())
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<&'static Target, D::Error> {
            resolve(d, "target", lockyard_platforms::find)
        }
    }

    pub mod runner {
        use super::*;
        use lockyard_platforms::Runner;

        pub fn serialize<S: Serializer>(r: &Runner, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_str(r.name())
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Runner, D::Error> {
            resolve(d, "runner", |name| name.parse().ok())
        }
    }
}

/// Reports and trials for the tests of the modules that read them.
#[cfg(test)]
pub mod sample {
    use super::*;

    /// A 2-core amd64 host.
    pub fn host() -> Host {
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

    /// A conformance trial under qemu, half a second long.
    pub fn trial(target: &str, backend: &str, case: &str, outcome: Outcome) -> Trial {
        Trial {
            target: lockyard_platforms::find(target).expect("a target of the table"),
            backend: backend.into(),
            suite: "conformance".into(),
            case: case.into(),
            outcome,
            duration_s: 0.5,
            runner: Runner::Qemu,
            message: (outcome == Outcome::Failed).then(|| "lost a wakeup\nword=0x3".into()),
            note: None,
            known: None,
        }
    }

    /// arm64, where futex passes case `a` and spinbit fails it, then 386,
    /// where futex passes it.
    pub fn two_targets() -> [Report; 2] {
        [
            report(
                "arm64",
                vec![
                    trial("arm64", "futex", "a", Outcome::Passed),
                    trial("arm64", "spinbit", "a", Outcome::Failed),
                ],
            ),
            report("386", vec![trial("386", "futex", "a", Outcome::Passed)]),
        ]
    }

    /// What a baseline build reports (the contract's example line).
    pub const EXPERIMENT: &str = r#"{"flags":"spinbitmutex,spinbitxchg8","source":"baseline","spinbit_mutex":true,"spinbit_xchg8":true,"default_backend":"spinbit","os_primitive":"futex"}"#;

    /// A one-target report of `trials`.
    pub fn report(target: &str, trials: Vec<Trial>) -> Report {
        Report {
            schema: SCHEMA,
            host: host(),
            started_unix_s: 0,
            wall_s: 1.0,
            targets: vec![TargetRun {
                target: lockyard_platforms::find(target).expect("a target of the table"),
                runner: Runner::Qemu,
                runner_command: None,
                experiment: Some(serde_json::from_str(EXPERIMENT).expect("the sample parses")),
                scale: None,
                chaos: None,
            }],
            trials,
            figures: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::sample::{report, trial};
    use super::*;

    #[test]
    fn round_trips_through_json_with_names() {
        let mut r = report("arm", vec![trial("arm", "futex", "a", Outcome::Skipped)]);
        r.figures.push(Figures {
            target: r.targets[0].target,
            runner: Runner::Native,
            suite: "starvation".into(),
            measured: serde_json::from_str(r#"{"backend":"futex","case":"c","jain":0.99}"#)
                .unwrap(),
        });
        let json = serde_json::to_string(&r).unwrap();
        assert!(json.contains(r#""outcome":"skipped""#), "{json}");
        assert!(
            json.contains(r#""target":"arm","backend":"futex""#),
            "{json}"
        );
        assert!(json.contains(r#""runner":"qemu""#), "{json}");
        assert!(
            json.contains(r#""suite":"starvation","backend":"futex","case":"c","jain":0.99"#),
            "{json}"
        );
        let back: Report = serde_json::from_str(&json).unwrap();
        assert_eq!(back, r);
    }

    #[test]
    fn unknown_names_do_not_parse() {
        let json = serde_json::to_string(&trial("arm", "futex", "a", Outcome::Passed)).unwrap();
        let bad = json.replace(r#""target":"arm""#, r#""target":"arm65""#);
        let err = serde_json::from_str::<Trial>(&bad).unwrap_err();
        assert!(err.to_string().contains("unknown target `arm65`"), "{err}");
        let bad = json.replace(r#""runner":"qemu""#, r#""runner":"rosetta""#);
        let err = serde_json::from_str::<Trial>(&bad).unwrap_err();
        assert!(
            err.to_string().contains("unknown runner `rosetta`"),
            "{err}"
        );
    }

    #[test]
    fn an_older_schema_is_refused_by_name() {
        let dir = std::env::temp_dir().join(format!("lockyard-schema-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("report.json");
        // Schema 1's target entry: the experiment was a string.
        std::fs::write(
            &path,
            r#"{"schema":1,"targets":[{"target":"amd64","experiment":"spinbitmutex"}]}"#,
        )
        .unwrap();
        let err = load(&path).unwrap_err().to_string();
        assert!(err.contains("has report schema 1"), "{err}");
        assert!(
            err.contains(&format!("reads only schema {SCHEMA}")),
            "{err}"
        );

        let current = report("386", Vec::new());
        std::fs::write(&path, serde_json::to_string(&current).unwrap()).unwrap();
        assert_eq!(load(&path).unwrap(), current);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
