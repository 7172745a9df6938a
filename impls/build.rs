//! Picks the default backend and spinbit's fast-path kind for the target, as
//! Go's `internal/buildcfg` does for GOEXPERIMENT (see build/experiments.rs):
//! the target's baseline, then cargo features, then `LOCKYARD_EXPERIMENT`,
//! the later winning. Features stay additive: a feature and its `no` twin
//! both on (two dependencies asking for opposite things) resolve to the `no`
//! side with a `cargo:warning` naming both, as does the variable overriding
//! a feature. A name that is not an experiment, or the byte path on a target
//! without an 8-bit swap, stops the build with the list of valid choices.
//!
//! Each decision the crate's code depends on is made here, once, and
//! emitted as one cfg, so no source file recombines features, loom and Miri:
//!
//! | cfg                      | set when                                                        |
//! |--------------------------|-----------------------------------------------------------------|
//! | `lockyard_byte_path`     | the target has an 8-bit swap and neither loom nor Miri checks this build (both check the word path) |
//! | `lockyard_spinbit_xchg8` | `lockyard_byte_path` and the `spinbitxchg8` experiment is on     |
//! | `lockyard_default`       | `= "futex" \| "sema" \| "spinbit"`: the backend behind `Mutex`  |
//! | `lockyard_chaos`         | the `chaos` feature, outside loom (whose model has its own)     |
//! | `lockyard_stats`         | the `stats` feature, outside loom                               |
//! | `lockyard_profile`       | the `profile` feature, under loom too (the wait list's models)  |
//!
//! `lockyard_loom` is the one input cfg: `RUSTFLAGS="--cfg lockyard_loom"`
//! swaps the atomics for loom's (namespaced, as crossbeam's `crossbeam_loom`,
//! so that a dependency keyed on a bare `loom` cannot flip with it).

#[path = "build/experiments.rs"]
mod experiments;

use std::env;

fn main() {
    println!("cargo::rerun-if-env-changed=LOCKYARD_EXPERIMENT");
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=build/experiments.rs");
    for decision in [
        "lockyard_byte_path",
        "lockyard_spinbit_xchg8",
        "lockyard_chaos",
        "lockyard_stats",
        "lockyard_profile",
    ] {
        println!("cargo::rustc-check-cfg=cfg({decision})");
    }
    println!(
        "cargo::rustc-check-cfg=cfg(lockyard_default, values(\"futex\", \"sema\", \"spinbit\"))"
    );
    // The contention profile's positive control (the CI step `profile`):
    // `LOCKYARD_PROFILE_MUTANT=charge_twice` builds a profile that never
    // restamps. An environment variable, not RUSTFLAGS, so that only
    // lockyard rebuilds, not every dependency.
    println!("cargo::rerun-if-env-changed=LOCKYARD_PROFILE_MUTANT");
    println!("cargo::rustc-check-cfg=cfg(lockyard_profile_mutant, values(\"charge_twice\"))");
    match env::var("LOCKYARD_PROFILE_MUTANT").as_deref() {
        Ok("charge_twice") => println!("cargo::rustc-cfg=lockyard_profile_mutant=\"charge_twice\""),
        Ok(other) => {
            eprintln!("error: LOCKYARD_PROFILE_MUTANT={other:?}: the only control is charge_twice");
            std::process::exit(1);
        }
        Err(_) => {}
    }

    let arch = env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    let os = env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let features: Vec<String> = env::vars()
        .filter_map(|(k, _)| k.strip_prefix("CARGO_FEATURE_").map(str::to_lowercase))
        .collect();
    let features: Vec<&str> = features.iter().map(String::as_str).collect();
    let experiment = env::var("LOCKYARD_EXPERIMENT").ok();

    let resolved = match experiments::resolve(&arch, &os, &features, experiment.as_deref()) {
        Ok(r) => r,
        Err(problem) => {
            eprintln!("error: {}", experiments::explain(&problem));
            std::process::exit(1);
        }
    };

    // Build scripts see the target's cfgs, RUSTFLAGS' and Miri's included.
    let loom = env::var_os("CARGO_CFG_LOCKYARD_LOOM").is_some();
    let miri = env::var_os("CARGO_CFG_MIRI").is_some();
    let byte_path = resolved.have_xchg8 && !loom && !miri;
    let feature = |name: &str| features.contains(&name);
    let decisions = [
        ("lockyard_byte_path", byte_path),
        ("lockyard_spinbit_xchg8", byte_path && resolved.spinbitxchg8),
        ("lockyard_chaos", feature("chaos") && !loom),
        ("lockyard_stats", feature("stats") && !loom),
        // Under loom too: `tests/loom_wait_list.rs` models futex's list.
        ("lockyard_profile", feature("profile")),
    ];
    for (cfg, on) in decisions {
        if on {
            println!("cargo::rustc-cfg={cfg}");
        }
    }
    println!("cargo::rustc-cfg=lockyard_default=\"{}\"", resolved.default);
    println!(
        "cargo::rustc-env=LOCKYARD_EXPERIMENT_FLAGS={}",
        resolved.flags()
    );
    println!(
        "cargo::rustc-env=LOCKYARD_EXPERIMENT_SOURCE={}",
        resolved.source
    );
    for warning in &resolved.warnings {
        println!("cargo::warning=lockyard: {warning}");
    }
}
