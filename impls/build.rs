//! Picks the default backend and spinbit's fast-path kind for the target, as
//! Go's `internal/buildcfg` does for GOEXPERIMENT:
//!
//! 1. the baseline, from the target: `spinbitmutex` and `spinbitxchg8` are on
//!    where the architecture has a native 8-bit atomic swap;
//! 2. cargo features of the same names (`spinbitmutex`, `nospinbitmutex`,
//!    `spinbitxchg8`, `nospinbitxchg8`) override it;
//! 3. `LOCKYARD_EXPERIMENT`, in GOEXPERIMENT syntax (a comma list of names,
//!    each optionally prefixed `no`; `none` turns everything off), overrides
//!    both, applied left to right.
//!
//! A name that is not an experiment, or one that needs an 8-bit swap the
//! target lacks, stops the build with the list of valid choices.

use std::env;
use std::process::exit;

/// Architectures (cargo's `target_arch`) with a native 8-bit atomic swap:
/// Go's `haveXchg8` set (386, amd64, arm, arm64, ppc64, ppc64le).
const XCHG8_ARCHES: &[&str] = &["x86", "x86_64", "arm", "aarch64", "powerpc64"];

/// Operating systems whose pre-spinbit Go lock is the futex one; every other
/// system used the semaphore one.
const FUTEX_OSES: &[&str] = &["linux", "android", "freebsd", "openbsd", "dragonfly"];

/// The experiments and what each switches.
const EXPERIMENTS: &[(&str, &str)] = &[
    (
        "spinbitmutex",
        "spinbit is the default backend (needs an 8-bit swap)",
    ),
    (
        "spinbitxchg8",
        "spinbit's fast paths swap the flag byte (needs an 8-bit swap)",
    ),
];

struct Flags {
    spinbitmutex: bool,
    spinbitxchg8: bool,
}

impl Flags {
    fn set(&mut self, name: &str, on: bool) -> Result<(), String> {
        match name {
            "spinbitmutex" => self.spinbitmutex = on,
            "spinbitxchg8" => self.spinbitxchg8 = on,
            _ => return Err(format!("unknown experiment {name:?}")),
        }
        Ok(())
    }
}

fn fail(message: &str) -> ! {
    let valid: Vec<String> = EXPERIMENTS
        .iter()
        .map(|(name, what)| format!("  {name} / no{name}: {what}"))
        .collect();
    eprintln!(
        "error: lockyard: {message}\nvalid experiments (comma-separated, Go's GOEXPERIMENT syntax; `none` turns all off):\n{}",
        valid.join("\n")
    );
    exit(1);
}

fn main() {
    println!("cargo::rerun-if-env-changed=LOCKYARD_EXPERIMENT");
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rustc-check-cfg=cfg(lockyard_has_xchg8)");
    println!("cargo::rustc-check-cfg=cfg(lockyard_spinbit_xchg8)");
    println!(
        "cargo::rustc-check-cfg=cfg(lockyard_default, values(\"futex\", \"sema\", \"spinbit\"))"
    );

    let arch = env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    let os = env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let have_xchg8 = XCHG8_ARCHES.contains(&arch.as_str());

    let mut flags = Flags {
        spinbitmutex: have_xchg8,
        spinbitxchg8: have_xchg8,
    };

    for (name, _) in EXPERIMENTS {
        let on = env::var_os(format!("CARGO_FEATURE_{}", name.to_uppercase())).is_some();
        let off = env::var_os(format!("CARGO_FEATURE_NO{}", name.to_uppercase())).is_some();
        match (on, off) {
            (true, true) => fail(&format!(
                "features `{name}` and `no{name}` are both enabled"
            )),
            (true, false) => flags.set(name, true).unwrap_or_else(|e| fail(&e)),
            (false, true) => flags.set(name, false).unwrap_or_else(|e| fail(&e)),
            (false, false) => {}
        }
    }

    if let Ok(list) = env::var("LOCKYARD_EXPERIMENT") {
        for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            if item == "none" {
                flags = Flags {
                    spinbitmutex: false,
                    spinbitxchg8: false,
                };
                continue;
            }
            let result = match item.strip_prefix("no") {
                Some(name) if EXPERIMENTS.iter().any(|(n, _)| *n == name) => flags.set(name, false),
                _ => flags.set(item, true),
            };
            if let Err(e) = result {
                fail(&format!("LOCKYARD_EXPERIMENT={list:?}: {e}"));
            }
        }
    }

    if !have_xchg8 {
        for (on, name) in [
            (flags.spinbitmutex, "spinbitmutex"),
            (flags.spinbitxchg8, "spinbitxchg8"),
        ] {
            if on {
                fail(&format!(
                    "`{name}` needs a native 8-bit atomic swap, which target_arch {arch:?} lacks \
                     (it has one on: {}); use `no{name}`",
                    XCHG8_ARCHES.join(", ")
                ));
            }
        }
    }

    let default = if flags.spinbitmutex {
        "spinbit"
    } else if FUTEX_OSES.contains(&os.as_str()) {
        "futex"
    } else {
        "sema"
    };
    if have_xchg8 {
        println!("cargo::rustc-cfg=lockyard_has_xchg8");
    }
    if flags.spinbitxchg8 {
        println!("cargo::rustc-cfg=lockyard_spinbit_xchg8");
    }
    println!("cargo::rustc-cfg=lockyard_default=\"{default}\"");

    let mut active = Vec::new();
    for (on, name) in [
        (flags.spinbitmutex, "spinbitmutex"),
        (flags.spinbitxchg8, "spinbitxchg8"),
    ] {
        if on {
            active.push(name);
        }
    }
    println!(
        "cargo::rustc-env=LOCKYARD_EXPERIMENT_FLAGS={}",
        active.join(",")
    );
    println!(
        "cargo::rustc-env=LOCKYARD_EXPERIMENT_SOURCE={}",
        env::var("LOCKYARD_EXPERIMENT").map_or_else(
            |_| "baseline".to_string(),
            |v| format!("LOCKYARD_EXPERIMENT={v}")
        )
    );
}
