//! How a run reaches each target: which runner, whether the tools are
//! there, what cargo and the suites are told, and how the suites are built.

use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::Result;
use lockyard_platforms::{Runner, Target, env};

use super::known::{KNOWN_ISSUES, KnownIssue, Scope};
use crate::names::{self, UsageError};
use crate::project;

/// LOCKYARD_SCALE under qemu unless `--qemu-scale` or `$LOCKYARD_SCALE`
/// says otherwise: emulation is 5-20× slower, and what qemu can catch
/// (byte order, pointer width, syscall ABI) shows at any iteration count.
pub const QEMU_SCALE: f64 = 0.5;

/// One target as this run will reach it.
pub struct Plan {
    /// The row.
    pub target: &'static Target,
    /// The runner its trials run under.
    pub runner: Runner,
    /// The runner command cargo gets (`qemu-<arch> -L <sysroot>`), if any.
    pub runner_command: Option<Vec<String>>,
    /// Whether this is the host triple: then cargo gets no `--target`, so
    /// the host build that listed the backends is reused.
    pub is_host: bool,
}

impl Plan {
    /// `--target TRIPLE`, or nothing for the host.
    pub fn target_flag(&self) -> Option<&'static str> {
        (!self.is_host).then_some(self.target.triple)
    }

    /// The same target run natively, where its binaries can run on the
    /// host's kernel (386 on x86_64 through its own ld.so).
    pub fn native(&self) -> Option<Plan> {
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

    /// The known issues of this plan's runner whose case runs natively
    /// instead: none unless the target can run natively.
    pub fn diverted(&self) -> Vec<&'static KnownIssue> {
        if self.native().is_none() {
            return Vec::new();
        }
        KNOWN_ISSUES
            .iter()
            .filter(|k| match k.scope {
                Scope::Runner { target, runner } => {
                    self.target.is_named(target) && runner == self.runner
                }
                Scope::Backend(_) => false,
            })
            .collect()
    }
}

/// How a run builds and runs the suites beyond the target: cargo features,
/// environment, extra nextest arguments.
#[derive(Clone, Debug, Default)]
pub struct Build {
    /// Arguments for both `cargo nextest list` and `run` (`--features ...`).
    pub cargo_args: Vec<String>,
    /// Environment for both.
    pub env: Vec<(String, String)>,
    /// Arguments for `cargo nextest run` only (`--max-fail 1`).
    pub run_args: Vec<String>,
}

impl Build {
    /// The build `--chaos` asks for: lockyard's fault injection, with
    /// settings and a seed fixed for the whole run (so every trial process
    /// can be replayed): $LOCKYARD_CHAOS, with a fresh seed added if it
    /// names none.
    pub fn chaos() -> Build {
        let given = std::env::var(env::CHAOS).unwrap_or_default();
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
            env: vec![(env::CHAOS.into(), settings)],
            run_args: Vec::new(),
        }
    }

    /// The chaos settings, when this build injects faults.
    pub fn chaos_settings(&self) -> Option<&str> {
        self.env
            .iter()
            .find(|(k, _)| k == env::CHAOS)
            .map(|(_, v)| v.as_str())
    }
}

/// Resolves target names and the runner each one uses: `wanted` where the
/// target has it, else the target's first.
pub fn plan_targets(names: &[String], wanted: Runner, host_triple: &str) -> Result<Vec<Plan>> {
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
        let runner_command = if runner == Runner::Cross {
            let engine = crate::cross::engine(t)?;
            crate::cross::runner_command(engine, t, &project::root())
        } else {
            t.runner_command(runner)
        };
        plans.push(Plan {
            target: t,
            runner,
            runner_command,
            is_host: false,
        });
    }
    Ok(plans)
}

/// The environment cargo and the suites get for a target.
pub fn cargo_env(plan: &Plan, qemu_scale: Option<f64>) -> Vec<(String, String)> {
    let t = plan.target;
    let key = t.env_key();
    let mut vars = Vec::new();
    match (t.linker, plan.is_host, plan.runner) {
        (_, _, Runner::Cross) => {
            let (k, v) = crate::cross::CARGO_VAR;
            vars.push((k.to_string(), v.to_string()));
        }
        (Some(linker), false, _) => {
            vars.push((format!("CARGO_TARGET_{key}_LINKER"), linker.to_string()));
        }
        _ => {}
    }
    if let Some(command) = &plan.runner_command {
        vars.push((format!("CARGO_TARGET_{key}_RUNNER"), command.join(" ")));
    }
    if let (Runner::Wine, Some(wine)) = (plan.runner, t.wine) {
        vars.extend(crate::wine::env(&wine));
    }
    let user_scale = std::env::var(env::SCALE).ok();
    let scale = match (plan.runner, qemu_scale, user_scale) {
        (Runner::Qemu | Runner::Cross, Some(s), _) => Some(s.to_string()),
        (_, _, Some(s)) => Some(s),
        (Runner::Qemu | Runner::Cross, None, None) => Some(QEMU_SCALE.to_string()),
        (Runner::Native | Runner::Wine, _, None) => None,
    };
    if let Some(scale) = scale {
        vars.push((env::SCALE.to_string(), scale));
    }
    vars
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn plan(names: &[&str], wanted: Runner) -> Result<Vec<Plan>> {
        let names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        plan_targets(&names, wanted, lockyard_platforms::TABLE_HOST)
    }

    #[test]
    fn plans_pick_runners() {
        let plans = plan(&["all"], Runner::Qemu).unwrap();
        assert_eq!(plans.len(), 7);
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
    fn a_hardware_host_runs_its_own_target_natively() {
        // The workflow's hardware jobs run `--target host` on these.
        let hosts: Vec<&Target> = lockyard_platforms::TARGETS
            .iter()
            .filter(|t| t.hardware.is_some())
            .collect();
        assert_eq!(hosts.len(), 4);
        for t in hosts {
            let plans = plan_targets(&["host".to_string()], Runner::Qemu, t.triple).unwrap();
            let [p] = &plans[..] else {
                panic!("{}: {} plans", t.triple, plans.len())
            };
            assert_eq!(p.target, t);
            assert!(p.is_host && p.runner == Runner::Native, "{}", t.triple);
            assert_eq!((p.runner_command.as_ref(), p.target_flag()), (None, None));
            let vars = cargo_env(p, None);
            let foreign = |k: &str| k.starts_with("CARGO_TARGET_") || k.starts_with("WINE");
            assert!(
                !vars.iter().any(|(k, _)| foreign(k)),
                "{}: {vars:?}",
                t.triple
            );
        }
    }

    #[test]
    fn cross_gets_cargo_through_cross_and_a_container_runner() {
        let arm64 = lockyard_platforms::find("arm64").unwrap();
        let command = crate::cross::runner_command("docker", arm64, Path::new("/w")).unwrap();
        let plan = Plan {
            target: arm64,
            runner: Runner::Cross,
            runner_command: Some(command.clone()),
            is_host: false,
        };
        let vars = cargo_env(&plan, Some(0.25));
        let get = |k: &str| vars.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        let key = arm64.env_key();
        assert_eq!(get(&format!("CARGO_TARGET_{key}_LINKER")), None);
        assert_eq!(
            get(&format!("CARGO_TARGET_{key}_RUNNER")),
            Some(command.join(" "))
        );
        assert_eq!(
            (get("CARGO").as_deref(), get(env::SCALE).as_deref()),
            (Some("cross"), Some("0.25"))
        );
        assert_eq!(
            crate::cross::nextest_program(&vars),
            ["cargo-nextest", "nextest"]
        );
    }

    #[test]
    fn known_issues_divert_only_where_native_is_possible() {
        for p in plan(&["all"], Runner::Qemu).unwrap() {
            let diverted: Vec<&str> = p.diverted().iter().map(|k| k.case).collect();
            if p.target.name() == "386" {
                assert_eq!(diverted, ["no_lost_wakeup_signals"]);
            } else {
                assert!(diverted.is_empty(), "{}: {diverted:?}", p.target.name());
            }
        }
        for p in plan(&["386"], Runner::Native).unwrap() {
            assert!(p.diverted().is_empty());
        }
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
        let vars = cargo_env(emulated, Some(0.25));
        let key = emulated.target.env_key();
        let get = |k: &str| vars.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        assert_eq!(
            get(&format!("CARGO_TARGET_{key}_LINKER")),
            emulated.target.linker
        );
        assert!(
            get(&format!("CARGO_TARGET_{key}_RUNNER"))
                .unwrap()
                .starts_with("qemu-")
        );
        assert_eq!(get(env::SCALE), Some("0.25"));
    }
}
