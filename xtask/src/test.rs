//! `cargo xtask test`: the suites of lockyard-conformance on each target,
//! natively or under qemu-user, through nextest.
//!
//! For each target: add its rustup target if missing, find its linker and
//! runner (or stop with the command that installs them), point cargo at them
//! with `CARGO_TARGET_<TRIPLE>_LINKER` / `_RUNNER`, build and list each suite,
//! then run it once per backend with a nextest filter, reading the results
//! from nextest's JUnit output. Each target × backend prints a progress line
//! when it finishes; the end prints the matrix and writes report.json.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, bail};
use lockyard_platforms::{Runner, Target};
use xshell::{Shell, cmd};

use crate::flags;
use crate::junit::{self, Outcome};
use crate::names::{self, UsageError};
use crate::project;
use crate::report::{Host, Matrix, Report, TargetRun, Trial};

/// The variable the suites write their figures' directory from (the
/// starvation suite's `FIGURES_VAR`).
pub const FIGURES_VAR: &str = "LOCKYARD_FIGURES_DIR";

/// The package whose test binaries are the suites.
pub const SUITES_PACKAGE: &str = "lockyard-conformance";

/// LOCKYARD_SCALE under qemu unless `--qemu-scale` or `$LOCKYARD_SCALE`
/// says otherwise: emulation is 5-20× slower, and what qemu can catch
/// (byte order, pointer width, syscall ABI) shows at any iteration count.
pub const QEMU_SCALE: f64 = 0.5;

/// What a finished run counted.
pub struct Outcomes {
    /// Trials passed.
    pub passed: usize,
    /// Trials failed (including builds and runs that gave no results).
    pub failed: usize,
    /// Where report.json went.
    pub report: PathBuf,
}

/// `cargo xtask test`: fails when any trial failed.
pub fn run(flags: flags::Test) -> Result<()> {
    let sh = project::shell()?;
    let out = execute(&sh, &flags)?;
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

/// One target as this run will reach it.
pub(crate) struct Plan {
    pub(crate) target: &'static Target,
    pub(crate) runner: Runner,
    /// The runner command cargo gets (`qemu-<arch> -L <sysroot>`), if any.
    pub(crate) runner_command: Option<Vec<String>>,
    /// Whether this is the host triple: then cargo gets no `--target`, so
    /// the host build that listed the backends is reused.
    pub(crate) is_host: bool,
}

impl Plan {
    /// `--target TRIPLE`, or nothing for the host.
    pub(crate) fn target_flag(&self) -> Option<&'static str> {
        (!self.is_host).then_some(self.target.triple)
    }

    /// The same target run natively, where its binaries can run on the
    /// host's kernel (386 on x86_64 through its own ld.so).
    fn native(&self) -> Option<Plan> {
        if self.runner == Runner::Native || !self.target.runners().contains(&Runner::Native) {
            return None;
        }
        Some(Plan {
            target: self.target,
            runner: Runner::Native,
            runner_command: self.target.runner_command(Runner::Native),
            is_host: self.is_host,
        })
    }
}

/// How a run builds and runs the suites beyond the target: cargo features,
/// environment, extra nextest arguments.
#[derive(Clone, Debug, Default)]
pub(crate) struct Build {
    /// Arguments for both `cargo nextest list` and `run` (`--features ...`).
    pub(crate) cargo_args: Vec<String>,
    /// Environment for both.
    pub(crate) env: Vec<(String, String)>,
    /// Arguments for `cargo nextest run` only (`--max-fail 1`).
    pub(crate) run_args: Vec<String>,
}

impl Build {
    /// The build `--chaos` asks for: lockyard's fault injection, with
    /// settings and a seed fixed for the whole run (so every trial process
    /// can be replayed): $LOCKYARD_CHAOS, with a fresh seed added if it
    /// names none.
    pub(crate) fn chaos() -> Build {
        let given = std::env::var(CHAOS_VAR).unwrap_or_default();
        let settings = if given.split(',').any(|i| i.trim().starts_with("seed=")) {
            given
        } else {
            let seed = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64);
            [format!("seed={seed}"), given]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(",")
        };
        Build {
            cargo_args: vec!["--features".into(), "chaos".into()],
            env: vec![(CHAOS_VAR.into(), settings)],
            run_args: Vec::new(),
        }
    }

    /// The chaos settings, when this build injects faults.
    pub(crate) fn chaos_settings(&self) -> Option<&str> {
        self.env
            .iter()
            .find(|(k, _)| k == CHAOS_VAR)
            .map(|(_, v)| v.as_str())
    }
}

/// lockyard's fault-injection settings (impls/src/chaos.rs).
pub const CHAOS_VAR: &str = "LOCKYARD_CHAOS";

/// A case a runner is known to get wrong: a bug of the runner, not of
/// the locks, shown by running the same binary another way.
pub struct KnownIssue {
    /// Short target name.
    pub target: &'static str,
    /// The runner with the bug.
    pub runner: Runner,
    /// The case (every backend's).
    pub case: &'static str,
    /// What is known, for the report.
    pub note: &'static str,
}

/// The known runner bugs. Where the target can also run natively, the case
/// runs natively instead (the report gives the runner and the note);
/// elsewhere it runs under the runner and its result stands.
pub const KNOWN_ISSUES: &[KnownIssue] = &[KnownIssue {
    target: "386",
    runner: Runner::Qemu,
    case: "no_lost_wakeup_signals",
    note: "run natively: qemu-user's i386 emulator (Debian's 7.2) loses futex wakeups when signals interrupt \
           waits (design.md); under it parking_lot, sema and every spinbit flavor hang or find \
           a sleeper left behind, while the same i686 binary passes on the host's kernel",
}];

/// Which of a backend's trials a run takes.
#[derive(Clone, Debug)]
pub(crate) enum Cases<'a> {
    /// All of them.
    All,
    /// Only this case.
    Only(&'a str),
    /// All but these cases.
    Except(Vec<&'a str>),
}

/// Runs the matrix the flags select, prints it and writes the report;
/// returns the counts without failing on test failures.
pub fn execute(sh: &Shell, flags: &flags::Test) -> Result<Outcomes> {
    let build = if flags.chaos {
        Build::chaos()
    } else {
        Build::default()
    };
    if let Some(settings) = build.chaos_settings() {
        eprintln!(
            "xtask: fault injection on; replay with {CHAOS_VAR}={settings} cargo xtask test --chaos ..."
        );
    }
    let started = Instant::now();
    let started_unix_s = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let host_triple = project::host_triple(sh)?;

    let plans = plan_targets(&flags.targets, flags.runner, &host_triple)?;
    project::require_nextest(sh)?;
    for plan in &plans {
        check_tools(sh, plan)?;
    }
    let suites = names::resolve("suite", &flags.suites, &suite_names(sh)?)?;
    eprintln!(
        "xtask: listing the backends of {} on the host",
        suites.join(", ")
    );
    let mut host_backends = Vec::new();
    for suite in &suites {
        let listing = list(sh, suite, None, &build, &[]).with_context(|| {
            format!("cannot build and list the `{suite}` suite on the host; `cargo nextest list -p {SUITES_PACKAGE}` shows why")
        })?;
        for b in listing.keys() {
            if !host_backends.contains(b) {
                host_backends.push(b.clone());
            }
        }
    }
    let backends = names::resolve("backend", &flags.backends, &host_backends)?;

    let report_dir = project::report_dir(sh)?;
    // A chaos run reports beside the plain one, not over it.
    let (junit_name, report_name) = if flags.chaos {
        ("junit-chaos", "report-chaos.json")
    } else {
        ("junit", "report.json")
    };
    let junit_dir = report_dir.join(junit_name);
    if junit_dir.exists() {
        sh.remove_path(&junit_dir)?;
    }
    sh.create_dir(&junit_dir)?;
    let report_path = report_dir.join(report_name);

    let mut report = Report {
        schema: crate::report::SCHEMA,
        host: Host::detect(sh)?,
        started_unix_s,
        wall_s: 0.0,
        targets: Vec::new(),
        trials: Vec::new(),
        figures: Vec::new(),
    };
    eprintln!("{}", report.host.header());

    let cells = plans.len() * backends.len() * suites.len();
    let mut done = 0;
    for plan in &plans {
        let t = plan.target;
        let name = t.name();
        let env = cargo_env(plan, flags.qemu_scale);
        let scale = env
            .iter()
            .find(|(k, _)| k == "LOCKYARD_SCALE")
            .and_then(|(_, v)| v.parse().ok());
        report.targets.push(TargetRun {
            target: name.clone(),
            triple: t.triple.to_string(),
            runner: plan.runner.name().to_string(),
            runner_command: plan.runner_command.as_ref().map(|c| c.join(" ")),
            default_backend: t.default_backend.to_string(),
            experiment: experiment(t),
            scale,
            chaos: build.chaos_settings().map(str::to_string),
        });
        for suite in &suites {
            eprintln!(
                "xtask: building `{suite}` for {name} ({}, runner: {})",
                t.triple, plan.runner
            );
            let target_flag = plan.target_flag();
            let listing = match list(sh, suite, target_flag, &build, &env) {
                Ok(listing) => listing,
                Err(e) => {
                    // Nothing ran: count one failure per backend so the
                    // matrix shows the hole, and go on with other targets.
                    for backend in &backends {
                        done += 1;
                        report
                            .trials
                            .push(synthetic(&name, plan, backend, suite, "(build)", &e));
                        eprintln!(
                            "xtask: [{done}/{cells}] {name} {backend} ({suite}): BUILD FAILED: {e:#}"
                        );
                    }
                    continue;
                }
            };
            for backend in &backends {
                done += 1;
                let expected = listing.get(backend).copied().unwrap_or(0);
                if expected == 0 {
                    eprintln!(
                        "xtask: [{done}/{cells}] {name} {backend} ({suite}): no trials on this target"
                    );
                    continue;
                }
                let began = Instant::now();
                let native = plan.native();
                let diverted: Vec<&KnownIssue> = KNOWN_ISSUES
                    .iter()
                    .filter(|k| k.target == name && k.runner == plan.runner && native.is_some())
                    .collect();
                let cases = if diverted.is_empty() {
                    Cases::All
                } else {
                    Cases::Except(diverted.iter().map(|k| k.case).collect())
                };
                let mut trials = run_backend(
                    sh,
                    plan,
                    suite,
                    backend,
                    &build,
                    &env,
                    &junit_dir,
                    cases,
                    &mut report.figures,
                )?;
                if let Some(native) = &native {
                    let native_env = cargo_env(native, flags.qemu_scale);
                    let mut native_build = build.clone();
                    native_build
                        .run_args
                        .extend(["--no-tests".into(), "pass".into()]);
                    for known in diverted {
                        let rerun = run_backend(
                            sh,
                            native,
                            suite,
                            backend,
                            &native_build,
                            &native_env,
                            &junit_dir,
                            Cases::Only(known.case),
                            &mut report.figures,
                        )?;
                        trials.extend(rerun.into_iter().map(|mut t| {
                            t.note = Some(known.note.to_string());
                            t
                        }));
                    }
                }
                let passed = trials
                    .iter()
                    .filter(|t| t.outcome == Outcome::Passed)
                    .count();
                let failed = trials
                    .iter()
                    .filter(|t| t.outcome == Outcome::Failed)
                    .count();
                eprintln!(
                    "xtask: [{done}/{cells}] {name} {backend} ({suite}, {}): {passed} passed, {failed} failed in {:.1}s",
                    plan.runner,
                    began.elapsed().as_secs_f64()
                );
                report.trials.extend(trials);
            }
        }
        report.wall_s = started.elapsed().as_secs_f64();
        write_report(sh, &report_path, &report)?;
    }
    report.wall_s = started.elapsed().as_secs_f64();
    write_report(sh, &report_path, &report)?;

    let matrix = Matrix::merge(std::slice::from_ref(&report));
    let total = matrix.total();
    println!("\n{}", matrix.text());
    eprintln!(
        "xtask: wrote {} and JUnit files in {} ({:.0}s)",
        report_path.display(),
        junit_dir.display(),
        report.wall_s
    );
    println!(
        "{}: {} passed, {} failed",
        suites.join("+"),
        total.passed,
        total.failed
    );
    if let Some(settings) = build.chaos_settings() {
        println!("chaos: {CHAOS_VAR}={settings}");
    }

    Ok(Outcomes {
        passed: total.passed,
        failed: total.failed,
        report: report_path,
    })
}

/// The experiments a build for `t` has, as the report records them.
fn experiment(t: &Target) -> String {
    match std::env::var("LOCKYARD_EXPERIMENT") {
        Ok(v) => format!("LOCKYARD_EXPERIMENT={v}"),
        Err(_) if t.xchg8 => "spinbitmutex,spinbitxchg8".to_string(),
        Err(_) => String::new(),
    }
}

/// Resolves target names and the runner each one uses: `wanted` where the
/// target has it, else the target's first.
pub(crate) fn plan_targets(
    names: &[String],
    wanted: Runner,
    host_triple: &str,
) -> Result<Vec<Plan>> {
    let default = [lockyard_platforms::HOST.to_string()];
    let names = if names.is_empty() {
        &default[..]
    } else {
        names
    };
    let targets = lockyard_platforms::select(names, host_triple).map_err(|e| match e {
        lockyard_platforms::SelectError::Unknown(name) => anyhow::Error::new(names::unknown(
            "target",
            &name,
            &lockyard_platforms::valid_names(),
        )),
        other => anyhow::Error::new(other),
    })?;
    let mut plans = Vec::new();
    for t in targets {
        if t.triple == host_triple {
            plans.push(Plan {
                target: t,
                runner: Runner::Native,
                runner_command: None,
                is_host: true,
            });
            continue;
        }
        let runners = t.runners();
        let Some(&first) = runners.first() else {
            return Err(UsageError(format!(
                "target `{}` ({}) is check-only: its binaries cannot run here; \
                 use `cargo xtask check` to build it, or pick a runnable target: {}",
                t.name(),
                t.triple,
                lockyard_platforms::runnable()
                    .map(Target::name)
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
            .into());
        };
        let runner = if runners.contains(&wanted) {
            wanted
        } else {
            first
        };
        plans.push(Plan {
            target: t,
            runner,
            runner_command: t.runner_command(runner),
            is_host: false,
        });
    }
    Ok(plans)
}

/// The suites: the test binaries of [`SUITES_PACKAGE`].
pub(crate) fn suite_names(sh: &Shell) -> Result<Vec<String>> {
    let suites = project::test_targets(sh, SUITES_PACKAGE)?;
    if suites.is_empty() {
        bail!("{SUITES_PACKAGE} has no test binaries yet: there is nothing to run");
    }
    Ok(suites)
}

/// Finds what the target needs, or says how to install it.
pub(crate) fn check_tools(sh: &Shell, plan: &Plan) -> Result<()> {
    let t = plan.target;
    if plan.is_host {
        return Ok(());
    }
    project::ensure_rust_target(sh, t)?;
    let install = || {
        format!(
            "install it with `{}` (as root), or run `cargo xtask setup --target {}`",
            project::apt_command(t.packages),
            t.name()
        )
    };
    if let Some(linker) = t.linker
        && project::which(linker).is_none()
    {
        bail!(
            "cannot find `{linker}`, the linker for {}; {}",
            t.name(),
            install()
        );
    }
    if let Some(program) = plan.runner_command.as_ref().and_then(|c| c.first())
        && project::which(program).is_none()
    {
        bail!(
            "cannot find `{program}`, the {} runner for {}; {}",
            plan.runner,
            t.name(),
            install()
        );
    }
    if let Some(q) = t.qemu
        && !Path::new(q.sysroot).join("lib").is_dir()
    {
        bail!(
            "cannot find {}/lib, the C library of {}; {}",
            q.sysroot,
            t.name(),
            install()
        );
    }
    Ok(())
}

/// The environment cargo and the suites get for a target.
pub(crate) fn cargo_env(plan: &Plan, qemu_scale: Option<f64>) -> Vec<(String, String)> {
    let t = plan.target;
    let key = t.env_key();
    let mut env = Vec::new();
    if let (Some(linker), false) = (t.linker, plan.is_host) {
        env.push((format!("CARGO_TARGET_{key}_LINKER"), linker.to_string()));
    }
    if let Some(command) = &plan.runner_command {
        env.push((format!("CARGO_TARGET_{key}_RUNNER"), command.join(" ")));
    }
    let user_scale = std::env::var("LOCKYARD_SCALE").ok();
    let scale = match (plan.runner, qemu_scale, user_scale) {
        (Runner::Qemu, Some(s), _) => Some(s.to_string()),
        (_, _, Some(s)) => Some(s),
        (Runner::Qemu, None, None) => Some(QEMU_SCALE.to_string()),
        (Runner::Native, _, None) => None,
    };
    if let Some(scale) = scale {
        env.push(("LOCKYARD_SCALE".to_string(), scale));
    }
    env
}

/// Suites whose figures are only meaningful from an optimised build: they
/// are built with cargo's release profile (`--cargo-profile release`).
pub const OPTIMISED_SUITES: &[&str] = &["starvation"];

/// The nextest arguments that pick the cargo profile `suite` is built with.
fn profile_args(suite: &str) -> Vec<&'static str> {
    if OPTIMISED_SUITES.contains(&suite) {
        vec!["--cargo-profile", "release"]
    } else {
        Vec::new()
    }
}

/// Builds a suite for a target and lists its trials: the non-ignored trial
/// count of each backend, by backend name.
pub(crate) fn list(
    sh: &Shell,
    suite: &str,
    target: Option<&str>,
    build: &Build,
    env: &[(String, String)],
) -> Result<BTreeMap<String, usize>> {
    let target_args = target.map(|t| vec!["--target", t]).unwrap_or_default();
    let profile_args = profile_args(suite);
    let cargo_args = &build.cargo_args;
    let json = cmd!(
        sh,
        "cargo nextest list -p {SUITES_PACKAGE} --test {suite} {target_args...} {profile_args...} {cargo_args...} --message-format json"
    )
    .envs(env.iter().chain(&build.env).map(|(k, v)| (k, v)))
    .read()
    .with_context(|| format!("cannot build or list `{suite}`"))?;
    let listing: serde_json::Value =
        serde_json::from_str(&json).context("cannot parse `cargo nextest list` output")?;
    let mut per_backend = BTreeMap::new();
    let suites = listing["rust-suites"]
        .as_object()
        .context("`cargo nextest list` gave no rust-suites")?;
    for s in suites.values() {
        for (name, case) in s["testcases"].as_object().into_iter().flatten() {
            let Some((backend, _)) = name.split_once("::") else {
                continue;
            };
            let count = per_backend.entry(backend.to_string()).or_insert(0);
            if case["ignored"] != true {
                *count += 1;
            }
        }
    }
    Ok(per_backend)
}

/// Runs one backend's trials of a suite on a target (those `cases` picks);
/// returns its trials and adds the figures they wrote to `figures`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn run_backend(
    sh: &Shell,
    plan: &Plan,
    suite: &str,
    backend: &str,
    build: &Build,
    env: &[(String, String)],
    junit_dir: &Path,
    cases: Cases<'_>,
    figures: &mut Vec<serde_json::Value>,
) -> Result<Vec<Trial>> {
    let target = plan.target_flag();
    let name = plan.target.name();
    let profile = match plan.runner {
        Runner::Qemu => "qemu",
        Runner::Native => "ci",
    };
    let junit_path = project::nextest_junit(profile);
    if junit_path.exists() {
        sh.remove_path(&junit_path)?;
    }
    let target_args = target.map(|t| vec!["--target", t]).unwrap_or_default();
    let all = format!("test(/^({})::/)", regex_escape(backend));
    let filter = match &cases {
        Cases::All => all,
        Cases::Only(case) => format!("test(={backend}::{case})"),
        Cases::Except(except) => except
            .iter()
            .fold(all, |f, case| format!("{f} - test(={backend}::{case})")),
    };
    let profile_args = profile_args(suite);
    let (cargo_args, run_args) = (&build.cargo_args, &build.run_args);
    let figures_dir = junit_dir.join("figures");
    if figures_dir.exists() {
        sh.remove_path(&figures_dir)?;
    }
    sh.create_dir(&figures_dir)?;
    let nextest = cmd!(
        sh,
        "cargo nextest run -p {SUITES_PACKAGE} --test {suite} {target_args...} {profile_args...} {cargo_args...} --profile {profile}
            -E {filter} {run_args...} --status-level fail --final-status-level fail --hide-progress-bar"
    )
    .envs(env.iter().chain(&build.env).map(|(k, v)| (k, v)))
    .env(FIGURES_VAR, &figures_dir);
    eprintln!("$ {nextest}");
    // A failing trial makes nextest exit non-zero, which is a result here,
    // not an error: run it through std to see the status and still stream
    // its output.
    let status = std::process::Command::from(nextest).status().context(
        "cannot run `cargo nextest`; install it with `cargo install cargo-nextest --locked`",
    )?;
    let mut trials = Vec::new();
    if junit_path.exists() {
        let saved = junit_dir.join(format!(
            "{}-{}-{suite}-{backend}{}.xml",
            name.replace('/', "-"),
            plan.runner.name(),
            match cases {
                Cases::Only(case) => format!("-{case}"),
                _ => String::new(),
            }
        ));
        sh.copy_file(&junit_path, &saved)?;
        for case in junit::read(&junit_path)? {
            let (b, c) = case
                .name
                .split_once("::")
                .unwrap_or((backend, case.name.as_str()));
            trials.push(Trial {
                target: name.clone(),
                backend: b.to_string(),
                suite: case.binary.clone(),
                case: c.to_string(),
                outcome: case.outcome,
                duration_s: case.duration_s,
                runner: plan.runner.name().to_string(),
                message: case.message.clone(),
                note: None,
            });
        }
    }
    // Each figures file is one run's figures, named `<backend>__<case>`
    // (spinbit's tail-wake comparison also measures spinbit-notailwake).
    for entry in sh.read_dir(&figures_dir)? {
        let json = sh.read_file(&entry)?;
        match serde_json::from_str::<serde_json::Value>(&json) {
            Ok(serde_json::Value::Object(mut f)) => {
                f.insert("target".into(), name.clone().into());
                f.insert("runner".into(), plan.runner.name().into());
                f.insert("suite".into(), suite.into());
                figures.push(serde_json::Value::Object(f));
            }
            _ => eprintln!("xtask: ignoring unreadable figures {}", entry.display()),
        }
    }
    sh.remove_path(&figures_dir)?;
    let failed_in_junit = trials.iter().any(|t| t.outcome == Outcome::Failed);
    if !status.success() && !failed_in_junit {
        let e = anyhow::anyhow!("cargo nextest exited with {status} and reported no failing trial");
        trials.push(synthetic(&name, plan, backend, suite, "(run)", &e));
    }
    Ok(trials)
}

/// A failed pseudo-trial standing for a build or run that gave no results.
fn synthetic(
    target: &str,
    plan: &Plan,
    backend: &str,
    suite: &str,
    case: &str,
    e: &anyhow::Error,
) -> Trial {
    Trial {
        target: target.to_string(),
        backend: backend.to_string(),
        suite: suite.to_string(),
        case: case.to_string(),
        outcome: Outcome::Failed,
        duration_s: 0.0,
        runner: plan.runner.name().to_string(),
        message: Some(format!("{e:#}")),
        note: None,
    }
}

fn write_report(sh: &Shell, path: &Path, report: &Report) -> Result<()> {
    let json = serde_json::to_string_pretty(report)?;
    sh.write_file(path, json + "\n")
        .with_context(|| format!("cannot write {}", path.display()))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(names: &[&str], wanted: Runner) -> Result<Vec<Plan>> {
        let names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        plan_targets(&names, wanted, lockyard_platforms::TABLE_HOST)
    }

    #[test]
    fn plans_pick_runners() {
        let plans = plan(&["all"], Runner::Qemu).unwrap();
        assert_eq!(plans.len(), 6);
        for p in &plans {
            assert_eq!(p.is_host, p.target.triple == lockyard_platforms::TABLE_HOST);
            assert_eq!(p.runner == Runner::Native, p.is_host, "{}", p.target.triple);
        }
        let natively = plan(&["all"], Runner::Native).unwrap();
        let native: Vec<String> = natively
            .iter()
            .filter(|p| p.runner == Runner::Native)
            .map(|p| p.target.name())
            .collect();
        // The host, and the one target whose binaries its kernel can run.
        assert_eq!(native.len(), 2, "{native:?}");
        assert!(
            natively
                .iter()
                .all(|p| p.is_host || p.runner_command.is_some())
        );
    }

    #[test]
    fn bad_targets_are_usage_errors() {
        let err = plan(&["arm65"], Runner::Qemu).err().unwrap();
        let usage = err.downcast_ref::<UsageError>().expect("a usage error");
        assert!(usage.0.contains("did you mean `arm64`"), "{usage}");
        assert!(usage.0.contains("valid targets: "), "{usage}");

        let check_only = lockyard_platforms::check_only().next().unwrap();
        let err = plan(&[check_only.triple], Runner::Qemu).err().unwrap();
        let usage = err.downcast_ref::<UsageError>().expect("a usage error");
        assert!(usage.0.contains("cannot run here"), "{usage}");
        assert!(usage.0.contains("cargo xtask check"), "{usage}");
    }

    #[test]
    fn env_names_linker_runner_and_scale() {
        let plans = plan(&["all"], Runner::Qemu).unwrap();
        let emulated = plans.iter().find(|p| p.runner == Runner::Qemu).unwrap();
        let env = cargo_env(emulated, Some(0.25));
        let key = emulated.target.env_key();
        let get = |k: &str| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        assert_eq!(
            get(&format!("CARGO_TARGET_{key}_LINKER")),
            emulated.target.linker
        );
        assert!(
            get(&format!("CARGO_TARGET_{key}_RUNNER"))
                .unwrap()
                .starts_with("qemu-")
        );
        assert_eq!(get("LOCKYARD_SCALE"), Some("0.25"));
    }

    #[test]
    fn filter_escapes_names() {
        assert_eq!(regex_escape("spinbit-lowlatency"), "spinbit\\-lowlatency");
        assert_eq!(regex_escape("a.b"), "a\\.b");
    }
}
