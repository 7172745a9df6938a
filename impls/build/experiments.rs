//! The experiment settings, resolved from the target, cargo features and
//! `LOCKYARD_EXPERIMENT` (Go's GOEXPERIMENT syntax). Pure, so build.rs and
//! the crate's tests (`tests/experiments.rs`) share it.

/// Architectures (cargo's `target_arch`) with a native 8-bit atomic swap:
/// Go's `haveXchg8` set (386, amd64, arm, arm64, ppc64, ppc64le).
pub const XCHG8_ARCHES: &[&str] = &["x86", "x86_64", "arm", "aarch64", "powerpc64"];

/// Operating systems whose pre-spinbit Go lock is the futex one (the build
/// tags of Go's `lock_futex.go`: dragonfly, freebsd, linux, which android
/// implies); every other system, openbsd and netbsd included, used the
/// semaphore one.
pub const FUTEX_OSES: &[&str] = &["linux", "android", "freebsd", "dragonfly"];

/// The experiments and what each switches.
pub const EXPERIMENTS: &[(&str, &str)] = &[
    (
        "spinbitmutex",
        "spinbit is the default backend (needs an 8-bit swap)",
    ),
    (
        "spinbitxchg8",
        "spinbit's fast paths swap the flag byte (needs an 8-bit swap)",
    ),
];

/// What the build ends up with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Resolved {
    /// The target has a native 8-bit swap.
    pub have_xchg8: bool,
    /// `spinbitmutex` is on.
    pub spinbitmutex: bool,
    /// `spinbitxchg8` is on.
    pub spinbitxchg8: bool,
    /// The default backend's name.
    pub default: &'static str,
}

impl Resolved {
    /// The experiments on, in GOEXPERIMENT's comma syntax.
    pub fn flags(&self) -> String {
        let mut on = Vec::new();
        if self.spinbitmutex {
            on.push("spinbitmutex");
        }
        if self.spinbitxchg8 {
            on.push("spinbitxchg8");
        }
        on.join(",")
    }
}

fn set(flags: &mut (bool, bool), name: &str, on: bool) -> Result<(), String> {
    match name {
        "spinbitmutex" => flags.0 = on,
        "spinbitxchg8" => flags.1 = on,
        _ => return Err(format!("unknown experiment {name:?}")),
    }
    Ok(())
}

/// Resolves the settings: the target's baseline, then the enabled cargo
/// features (`spinbitmutex`, `nospinbitmutex`, ...), then `env` (the value
/// of `LOCKYARD_EXPERIMENT`) applied left to right, `none` turning all off.
pub fn resolve(
    arch: &str,
    os: &str,
    features: &[&str],
    env: Option<&str>,
) -> Result<Resolved, String> {
    let have_xchg8 = XCHG8_ARCHES.contains(&arch);
    let mut flags = (have_xchg8, have_xchg8);
    for (name, _) in EXPERIMENTS {
        let no = format!("no{name}");
        match (features.contains(name), features.contains(&no.as_str())) {
            (true, true) => return Err(format!("features `{name}` and `{no}` are both enabled")),
            (true, false) => set(&mut flags, name, true)?,
            (false, true) => set(&mut flags, name, false)?,
            (false, false) => {}
        }
    }
    if let Some(list) = env {
        for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            if item == "none" {
                flags = (false, false);
                continue;
            }
            let result = match item.strip_prefix("no") {
                Some(name) if EXPERIMENTS.iter().any(|(n, _)| *n == name) => {
                    set(&mut flags, name, false)
                }
                _ => set(&mut flags, item, true),
            };
            result.map_err(|e| format!("LOCKYARD_EXPERIMENT={list:?}: {e}"))?;
        }
    }
    if !have_xchg8 {
        for (on, name) in [(flags.0, "spinbitmutex"), (flags.1, "spinbitxchg8")] {
            if on {
                return Err(format!(
                    "`{name}` needs a native 8-bit atomic swap, which target_arch {arch:?} lacks \
                     (it has one on: {}); use `no{name}`",
                    XCHG8_ARCHES.join(", ")
                ));
            }
        }
    }
    let default = if flags.0 {
        "spinbit"
    } else if FUTEX_OSES.contains(&os) {
        "futex"
    } else {
        "sema"
    };
    Ok(Resolved {
        have_xchg8,
        spinbitmutex: flags.0,
        spinbitxchg8: flags.1,
        default,
    })
}

/// The error text build.rs prints: the problem, then every valid choice.
pub fn explain(problem: &str) -> String {
    let valid: Vec<String> = EXPERIMENTS
        .iter()
        .map(|(name, what)| format!("  {name} / no{name}: {what}"))
        .collect();
    format!(
        "lockyard: {problem}\nvalid experiments (comma-separated, Go's GOEXPERIMENT syntax; `none` turns all off):\n{}",
        valid.join("\n")
    )
}
