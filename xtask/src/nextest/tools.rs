//! What a plan needs installed: the rustup target, the linker, the
//! runner's program and the C library, or the command that installs them;
//! and the targets `all` leaves out because their runner is missing.

use std::path::Path;

use anyhow::{Result, bail};
use lockyard_platforms::{Runner, Target};
use xshell::Shell;

use super::plan::Plan;
use crate::project;

/// Finds what the target needs, or says how to install it.
pub fn check_tools(sh: &Shell, plan: &Plan) -> Result<()> {
    let t = plan.target;
    if plan.is_host {
        return Ok(());
    }
    project::ensure_rust_target(sh, t)?;
    if plan.runner == Runner::Cross {
        // The image brings the linker, the C library and qemu.
        return crate::cross::require_cross();
    }
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
    if plan.runner == Runner::Wine {
        crate::wine::prepare(sh, t)?;
    }
    Ok(())
}

/// The plans `all` chose whose runner program is not installed, taken out
/// of `plans` with a line saying so and what installs it: a wine target
/// is in `all` only where wine is. A target named on its own stays, and
/// [`check_tools`] stops on it with the install command.
pub fn leave_out_uninstalled(
    plans: Vec<Plan>,
    names: &[String],
    installed: impl Fn(&str) -> bool,
) -> Vec<Plan> {
    let by_all = |t: &Target| {
        names.iter().any(|n| n == lockyard_platforms::ALL) && !names.iter().any(|n| t.is_named(n))
    };
    plans
        .into_iter()
        .filter(|p| {
            let program = p.runner_command.as_ref().and_then(|c| c.first());
            let missing = p.runner == Runner::Wine
                && by_all(p.target)
                && program.is_some_and(|program| !installed(program));
            if missing {
                eprintln!(
                    "xtask: `all` leaves out {} ({}): {} is not installed; \
                     `cargo xtask setup --target {}` installs it",
                    p.target.name(),
                    p.runner,
                    program.map_or("its runner", String::as_str),
                    p.target.name()
                );
            }
            !missing
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nextest::plan_targets;

    #[test]
    fn all_takes_wine_targets_only_where_wine_is() {
        let names = |ns: &[&str]| ns.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let kept = |ns: &[&str], wine: bool| {
            let ns = names(ns);
            let plans = plan_targets(&ns, Runner::Qemu, lockyard_platforms::TABLE_HOST).unwrap();
            leave_out_uninstalled(plans, &ns, |p| wine || p != "wine")
                .iter()
                .map(|p| format!("{}:{}", p.target.name(), p.runner))
                .collect::<Vec<_>>()
        };
        assert!(kept(&["all"], true).contains(&"windows/amd64:wine".to_string()));
        let without = kept(&["all"], false);
        assert_eq!(without.len(), 6, "{without:?}");
        assert!(without.iter().all(|p| !p.starts_with("windows")));
        // Named on its own it stays, for check_tools to name the install.
        assert_eq!(kept(&["all", "windows/amd64"], false).len(), 7);
        assert_eq!(kept(&["windows/amd64"], false), ["windows/amd64:wine"]);
    }
}
