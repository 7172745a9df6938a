//! Building, listing and running a suite through cargo-nextest: one
//! backend's trials at a time, chosen by a filter, their results read from
//! the JUnit file of the run's nextest profile.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use lockyard_platforms::{Runner, env};
use serde::Deserialize;
use xshell::{Shell, cmd};

use super::SuitePackage;
use super::plan::{Build, Plan};
use super::pseudo::synthetic;
use crate::junit::{self, Outcome};
use crate::report::{Figures, SuiteFigures, Trial};

/// Which of a backend's trials a run takes.
#[derive(Clone, Debug)]
pub enum Cases<'a> {
    /// All of them.
    All,
    /// Only this case.
    Only(&'a str),
    /// All but these cases.
    Except(Vec<&'a str>),
}

/// The nextest profile (`.config/nextest.toml`) of a runner: the emulated
/// one has the longer timeouts.
fn profile(runner: Runner) -> &'static str {
    match runner {
        Runner::Qemu | Runner::Wine | Runner::Cross => "emulated",
        Runner::Native => "ci",
    }
}

/// The nextest arguments that pick the cargo profile `suite` is built with.
fn profile_args(package: &SuitePackage, suite: &str) -> Vec<&'static str> {
    if package.optimised(suite) {
        vec!["--cargo-profile", "release"]
    } else {
        Vec::new()
    }
}

/// The nextest filter for the trials a selection picks: each backend's
/// that its cases pick.
fn selection_filter(selection: &[(&str, Cases<'_>)]) -> String {
    match selection {
        [(backend, cases)] => filter(backend, cases),
        many => many
            .iter()
            .map(|(backend, cases)| format!("({})", filter(backend, cases)))
            .collect::<Vec<_>>()
            .join(" | "),
    }
}

/// The nextest filter for `backend`'s trials that `cases` picks.
fn filter(backend: &str, cases: &Cases<'_>) -> String {
    let all = format!("test(/^({})::/)", regex_escape(backend));
    match cases {
        Cases::All => all,
        Cases::Only(case) => format!("test(={backend}::{case})"),
        Cases::Except(except) => except
            .iter()
            .fold(all, |f, case| format!("{f} - test(={backend}::{case})")),
    }
}

/// Escapes regex metacharacters for a nextest `test(/.../)` filter.
fn regex_escape(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if "\\.+*?()|[]{}^$#&-~/".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A built suite, as `cargo nextest list` gives it.
#[derive(Clone, Debug, PartialEq)]
pub struct Listing {
    /// The non-ignored trial count of each backend, by backend name.
    pub backends: BTreeMap<String, usize>,
    /// Every trial's name, the ignored ones too.
    pub trials: BTreeSet<String>,
    /// The test binary.
    pub binary: PathBuf,
}

/// Builds a suite of `package` for a target and lists its trials.
pub fn list(
    sh: &Shell,
    package: &SuitePackage,
    suite: &str,
    target: Option<&str>,
    build: &Build,
    vars: &[(String, String)],
) -> Result<Listing> {
    let target_args = target.map(|t| vec!["--target", t]).unwrap_or_default();
    let profile_args = profile_args(package, suite);
    let (selected, config) = (package.cargo_args(), package.nextest_args());
    let cargo_args = &build.cargo_args;
    let [program, nextest] = crate::cross::nextest_program(vars);
    let json = cmd!(
        sh,
        "{program} {nextest} list {selected...} {config...} --test {suite} {target_args...} {profile_args...} {cargo_args...} --message-format json"
    )
    .envs(vars.iter().chain(&build.env).map(|(k, v)| (k, v)))
    .read()
    .with_context(|| format!("cannot build or list `{suite}`"))?;
    parse_listing(&json)
}

/// The backends the `suites` list when built for the host, in the order
/// they first appear: what `--backend` names are checked against (`test`,
/// `bench`).
pub fn host_backends(
    sh: &Shell,
    package: &SuitePackage,
    suites: &[String],
    build: &Build,
) -> Result<Vec<String>> {
    eprintln!(
        "xtask: listing the backends of {} on the host",
        suites.join(", ")
    );
    let mut backends: Vec<String> = Vec::new();
    for suite in suites {
        let listing = list(sh, package, suite, None, build, &[]).with_context(|| {
            format!(
                "cannot build and list the `{suite}` suite on the host; `cargo nextest list -p {}` shows why",
                package.name
            )
        })?;
        for b in listing.backends.keys() {
            if !backends.contains(b) {
                backends.push(b.clone());
            }
        }
    }
    Ok(backends)
}

/// The part of `cargo nextest list --message-format json` read here.
#[derive(Deserialize)]
struct NextestList {
    #[serde(rename = "rust-suites")]
    suites: BTreeMap<String, NextestSuite>,
}

/// One test binary of a nextest listing.
#[derive(Deserialize)]
struct NextestSuite {
    #[serde(rename = "binary-path")]
    binary_path: PathBuf,
    #[serde(default)]
    testcases: BTreeMap<String, NextestCase>,
}

/// One test of a nextest listing.
#[derive(Deserialize)]
struct NextestCase {
    #[serde(default)]
    ignored: bool,
}

/// The listing of the one test binary `--test` selects.
fn parse_listing(json: &str) -> Result<Listing> {
    let listing: NextestList =
        serde_json::from_str(json).context("cannot parse `cargo nextest list` output")?;
    let suite = listing
        .suites
        .into_values()
        .next()
        .context("`cargo nextest list` gave no test binary")?;
    let mut backends = BTreeMap::new();
    let trials = suite.testcases.keys().cloned().collect();
    for (name, case) in &suite.testcases {
        let Some((backend, _)) = name.split_once("::") else {
            continue;
        };
        let count = backends.entry(backend.to_string()).or_insert(0);
        if !case.ignored {
            *count += 1;
        }
    }
    Ok(Listing {
        backends,
        trials,
        binary: suite.binary_path,
    })
}

/// One nextest run of a suite on a target: some backends' trials, each
/// backend's picked by its [`Cases`]. A target's backends run together,
/// so that nextest lists the binary and fills both cores once, not once
/// a backend (under qemu or wine each listing starts the emulator).
#[derive(Clone)]
pub struct BackendRun<'a> {
    /// Whose suite.
    pub package: &'a SuitePackage,
    /// The target and runner.
    pub plan: &'a Plan,
    /// The suite.
    pub suite: &'a str,
    /// The backends whose trials run, and which of each one's.
    pub selection: Vec<(&'a str, Cases<'a>)>,
    /// Features, environment and nextest arguments.
    pub build: &'a Build,
    /// cargo's and the suite's environment for the target ([`super::cargo_env`]).
    pub env: &'a [(String, String)],
    /// Where the run's JUnit file is kept.
    pub junit_dir: &'a Path,
}

impl BackendRun<'_> {
    /// The JUnit file's name for this run in the junit directory:
    /// `<target>-<runner>-<suite>-<backend>[-<case>].xml`, the backend
    /// `all` when the run took several.
    fn junit_name(&self) -> String {
        let backend = match &self.selection[..] {
            [(backend, _)] => backend,
            _ => "all",
        };
        let only = |cases: &Cases<'_>| match cases {
            Cases::Only(case) => Some(case.to_string()),
            _ => None,
        };
        let first = self.selection.first().and_then(|(_, cases)| only(cases));
        let case = match first {
            Some(case)
                if self
                    .selection
                    .iter()
                    .all(|(_, c)| only(c).as_ref() == Some(&case)) =>
            {
                format!("-{case}")
            }
            _ => String::new(),
        };
        format!(
            "{}-{}-{}-{backend}{case}.xml",
            self.plan.target.file_stem(),
            self.plan.runner,
            self.suite
        )
    }
}

/// What a [`BackendRun`] gave.
pub struct Ran {
    /// Every trial's result.
    pub trials: Vec<Trial>,
    /// What the trials that measure wrote.
    pub figures: Vec<Figures>,
}

/// Runs the trials of a suite on a target that `run.selection` picks and
/// reads their results.
pub fn run_backend(sh: &Shell, run: &BackendRun<'_>) -> Result<Ran> {
    let BackendRun {
        package,
        plan,
        suite,
        ref selection,
        build,
        env: vars,
        junit_dir,
    } = *run;
    let profile = profile(plan.runner);
    let junit_path = package.junit(profile);
    if junit_path.exists() {
        sh.remove_path(&junit_path)?;
    }
    let target_args = plan
        .target_flag()
        .map(|t| vec!["--target", t])
        .unwrap_or_default();
    let filter = selection_filter(selection);
    let profile_args = profile_args(package, suite);
    let (selected, config) = (package.cargo_args(), package.nextest_args());
    let (cargo_args, run_args) = (&build.cargo_args, &build.run_args);
    let figures_dir = junit_dir.join("figures");
    if figures_dir.exists() {
        sh.remove_path(&figures_dir)?;
    }
    sh.create_dir(&figures_dir)?;
    let [program, nextest] = crate::cross::nextest_program(vars);
    let nextest = cmd!(
        sh,
        "{program} {nextest} run {selected...} {config...} --test {suite} {target_args...} {profile_args...} {cargo_args...} --profile {profile}
            -E {filter} {run_args...} --status-level fail --final-status-level fail --hide-progress-bar"
    )
    .envs(vars.iter().chain(&build.env).map(|(k, v)| (k, v)))
    .env(env::FIGURES_DIR, &figures_dir);
    eprintln!("$ {nextest}");
    // A failing trial makes nextest exit non-zero, which is a result here,
    // not an error: run it through std to see the status and still stream
    // its output.
    let status = std::process::Command::from(nextest).status().context(
        "cannot run `cargo nextest`; install it with `cargo install cargo-nextest --locked`",
    )?;
    let mut trials = Vec::new();
    if junit_path.exists() {
        sh.copy_file(&junit_path, junit_dir.join(run.junit_name()))?;
        for case in junit::read(&junit_path)? {
            let (b, c) = case
                .name
                .split_once("::")
                .unwrap_or((selection[0].0, case.name.as_str()));
            trials.push(Trial {
                target: plan.target,
                backend: b.to_string(),
                suite: case.binary.clone(),
                case: c.to_string(),
                outcome: case.outcome,
                duration_s: case.duration_s,
                runner: plan.runner,
                message: case.message.clone(),
                note: None,
                known: None,
            });
        }
    }
    // Each figures file is one trial's figures, named `<backend>__<case>`
    // (spinbit's tail-wake comparison also measures spinbit-notailwake).
    let mut figures = Vec::new();
    for entry in sh.read_dir(&figures_dir)? {
        match serde_json::from_str::<SuiteFigures>(&sh.read_file(&entry)?) {
            Ok(measured) => figures.push(Figures {
                target: plan.target,
                runner: plan.runner,
                suite: suite.to_string(),
                measured,
            }),
            Err(_) => eprintln!("xtask: ignoring unreadable figures {}", entry.display()),
        }
    }
    sh.remove_path(&figures_dir)?;
    let failed_in_junit = trials.iter().any(|t| t.outcome == Outcome::Failed);
    if !status.success() && !failed_in_junit {
        // Charged to each backend that has no result; to the first when
        // all have some.
        let e = anyhow::anyhow!("cargo nextest exited with {status} and reported no failing trial");
        let silent: Vec<&str> = selection
            .iter()
            .map(|(b, _)| *b)
            .filter(|b| !trials.iter().any(|t| t.backend == *b))
            .collect();
        let charged = if silent.is_empty() {
            vec![selection[0].0]
        } else {
            silent
        };
        for backend in charged {
            trials.push(synthetic(plan, backend, suite, "(run)", &e));
        }
    }
    Ok(Ran { trials, figures })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_escapes_names() {
        assert_eq!(regex_escape("spinbit-lowlatency"), "spinbit\\-lowlatency");
        assert_eq!(regex_escape("a.b"), "a\\.b");
    }

    #[test]
    fn filters_pick_cases() {
        assert_eq!(filter("futex", &Cases::All), "test(/^(futex)::/)");
        assert_eq!(filter("futex", &Cases::Only("x")), "test(=futex::x)");
        assert_eq!(
            filter("sema", &Cases::Except(vec!["x", "y"])),
            "test(/^(sema)::/) - test(=sema::x) - test(=sema::y)"
        );
    }

    #[test]
    fn a_selection_is_its_backends_filters_joined() {
        let one = [("futex", Cases::All)];
        assert_eq!(selection_filter(&one), "test(/^(futex)::/)");
        let two = [
            ("futex", Cases::All),
            ("parking_lot", Cases::Except(vec!["global_allocator"])),
        ];
        assert_eq!(
            selection_filter(&two),
            "(test(/^(futex)::/)) | (test(/^(parking_lot)::/) - test(=parking_lot::global_allocator))"
        );
    }

    #[test]
    fn listing_counts_backends_and_finds_the_binary() {
        let json = r#"{"rust-build-meta":{},"test-count":3,"rust-suites":{
            "lockyard-conformance::conformance":{
                "binary-id":"lockyard-conformance::conformance",
                "binary-path":"/t/debug/deps/conformance-0123",
                "kind":"test",
                "testcases":{
                    "futex::a":{"ignored":false,"filter-match":{"status":"matches"}},
                    "futex::slow":{"ignored":true,"filter-match":{"status":"matches"}},
                    "sema::a":{"ignored":false,"filter-match":{"status":"matches"}}}}}}"#;
        let listing = parse_listing(json).unwrap();
        assert_eq!(listing.binary, Path::new("/t/debug/deps/conformance-0123"));
        let counts: Vec<(&str, usize)> = listing
            .backends
            .iter()
            .map(|(b, &n)| (b.as_str(), n))
            .collect();
        assert_eq!(counts, [("futex", 1), ("sema", 1)]);
        assert!(listing.trials.contains("futex::slow"));
        assert_eq!(listing.trials.len(), 3);
        assert!(parse_listing(r#"{"rust-suites":{}}"#).is_err());
    }
}
