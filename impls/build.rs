//! Picks the default backend and spinbit's fast-path kind for the target, as
//! Go's `internal/buildcfg` does for GOEXPERIMENT (see build/experiments.rs):
//! the target's baseline, then cargo features, then `LOCKYARD_EXPERIMENT`.
//! A name that is not an experiment, or one that needs an 8-bit swap the
//! target lacks, stops the build with the list of valid choices.

#[path = "build/experiments.rs"]
mod experiments;

use std::env;

fn main() {
    println!("cargo::rerun-if-env-changed=LOCKYARD_EXPERIMENT");
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=build/experiments.rs");
    println!("cargo::rustc-check-cfg=cfg(lockyard_has_xchg8)");
    println!("cargo::rustc-check-cfg=cfg(lockyard_spinbit_xchg8)");
    println!(
        "cargo::rustc-check-cfg=cfg(lockyard_default, values(\"futex\", \"sema\", \"spinbit\"))"
    );

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

    if resolved.have_xchg8 {
        println!("cargo::rustc-cfg=lockyard_has_xchg8");
    }
    if resolved.spinbitxchg8 {
        println!("cargo::rustc-cfg=lockyard_spinbit_xchg8");
    }
    println!("cargo::rustc-cfg=lockyard_default=\"{}\"", resolved.default);
    println!(
        "cargo::rustc-env=LOCKYARD_EXPERIMENT_FLAGS={}",
        resolved.flags()
    );
    println!(
        "cargo::rustc-env=LOCKYARD_EXPERIMENT_SOURCE={}",
        experiment.map_or_else(
            || "baseline".to_string(),
            |v| format!("LOCKYARD_EXPERIMENT={v}")
        )
    );
}
