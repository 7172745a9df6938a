//! `cargo xtask bench --feature-cost FEATURE`: what a feature costs while
//! compiled in but idle (the contention profile at rate 0, say). The
//! working tree's benchmark is built twice, without and with `--features
//! FEATURE` of the suites' package (which forwards lockyard's), and the two
//! run [`interleaved`](super::interleaved): each backend with the feature
//! against itself without (`futex+profile` against `futex`).

use std::path::Path;

use anyhow::Result;
use xshell::Shell;

use super::interleaved::{self, How, Side};
use crate::flags;
use crate::names::UsageError;
use crate::nextest::LOCKYARD_SUITES;
use crate::project;

/// Builds both sides, runs them `flags.count` rounds, saves each side's
/// output in `dir` (`without-FEATURE.txt`, `with-FEATURE.txt`) and prints
/// the tables.
pub fn run(sh: &Shell, flags: &flags::Bench, feature: &str, how: &How, dir: &Path) -> Result<()> {
    check(feature, &features(sh)?)?;
    eprintln!("xtask: --feature-cost skips the counting run (the `stats` build): it is not timed");
    let root = project::root();
    eprintln!("xtask: building the benchmark without `{feature}`");
    let without = interleaved::build(sh, &root, None, how, &[])?;
    eprintln!("xtask: building the benchmark with `{feature}`");
    let with = interleaved::build(sh, &root, None, how, &[feature])?;
    let sides = [
        Side {
            name: format!("without {feature}"),
            file: format!("without-{feature}.txt"),
            suffix: String::new(),
            binary: without,
        },
        Side {
            name: format!("with {feature}"),
            file: format!("with-{feature}.txt"),
            suffix: format!("+{feature}"),
            binary: with,
        },
    ];
    interleaved::run(
        sh,
        flags,
        &sides,
        how,
        dir,
        &format!("the benchmark built with `{feature}` against without it"),
    )
}

/// The features of the suites' package, from `cargo metadata`.
fn features(sh: &Shell) -> Result<Vec<String>> {
    let package = project::package(sh, LOCKYARD_SUITES)?;
    let mut names: Vec<String> = package["features"]
        .as_object()
        .into_iter()
        .flat_map(|f| f.keys())
        .filter(|name| *name != "default")
        .cloned()
        .collect();
    names.sort();
    Ok(names)
}

/// A usage error naming the valid features unless `feature` is one.
fn check(feature: &str, valid: &[String]) -> Result<()> {
    if valid.iter().any(|v| v == feature) {
        return Ok(());
    }
    Err(UsageError(format!(
        "--feature-cost `{feature}` is not a feature of {LOCKYARD_SUITES}; the valid ones: {}",
        valid.join(", ")
    ))
    .into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_feature_names_the_valid_ones() {
        let valid = vec!["chaos".to_string(), "profile".into(), "stats".into()];
        assert!(check("profile", &valid).is_ok());
        let err = check("profiel", &valid).unwrap_err();
        assert!(err.downcast_ref::<UsageError>().is_some(), "{err}");
        assert!(
            err.to_string()
                .contains("the valid ones: chaos, profile, stats"),
            "{err}"
        );
    }

    #[test]
    fn the_suites_package_has_the_features_the_docs_name() {
        let sh = project::shell().unwrap();
        let names = features(&sh).unwrap();
        for wanted in ["chaos", "profile", "stats"] {
            assert!(names.iter().any(|n| n == wanted), "{names:?}");
        }
    }
}
