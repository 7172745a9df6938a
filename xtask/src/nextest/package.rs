//! Whose suites a run builds: lockyard-conformance's test binaries, or the
//! test targets of a user's crate named by `--manifest-path` (a crate that
//! runs lockyard's suites on its own lock through
//! `lockyard_conformance::main!`).

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::Deserialize;
use xshell::{Shell, cmd};

use super::OPTIMISED_SUITES;
use crate::names::UsageError;
use crate::project;
use lockyard_platforms::suite::MEASURING_CASES;

/// lockyard's own suites' package.
pub const LOCKYARD_SUITES: &str = "lockyard-conformance";

/// A package whose test targets are suites.
#[derive(Clone, Debug, PartialEq)]
pub struct SuitePackage {
    /// Its name, for cargo's `-p`.
    pub name: String,
    /// Its manifest, when it is not in lockyard's workspace.
    pub manifest: Option<PathBuf>,
    /// The root of its workspace, where nextest keeps its store.
    pub workspace_root: PathBuf,
    /// Its workspace's cargo target directory.
    pub target_dir: PathBuf,
    /// Its test targets: the suites.
    pub tests: Vec<String>,
    /// Its bench targets.
    pub benches: Vec<String>,
    /// The nextest config it runs with, when it is not lockyard's own
    /// (a foreign crate: [`foreign_config`]).
    pub config: Option<PathBuf>,
    /// Build the suites that measure with optimisations (the default):
    /// [`SuitePackage::optimised`].
    pub optimise: bool,
}

/// The part of `cargo metadata` read here.
#[derive(Deserialize)]
struct Metadata {
    packages: Vec<MetaPackage>,
    workspace_root: PathBuf,
    target_directory: PathBuf,
}

#[derive(Deserialize)]
struct MetaPackage {
    name: String,
    manifest_path: PathBuf,
    targets: Vec<MetaTarget>,
}

#[derive(Deserialize)]
struct MetaTarget {
    name: String,
    kind: Vec<String>,
}

impl SuitePackage {
    /// lockyard-conformance, in this workspace.
    pub fn lockyard(sh: &Shell) -> Result<SuitePackage> {
        let json = cmd!(sh, "cargo metadata --format-version 1 --no-deps")
            .quiet()
            .read()
            .context("cannot run `cargo metadata`")?;
        let package = from_metadata(&json, None)?;
        if package.tests.is_empty() {
            anyhow::bail!("{LOCKYARD_SUITES} has no test binaries yet: there is nothing to run");
        }
        Ok(package)
    }

    /// The package whose `Cargo.toml` is `manifest`, outside lockyard's
    /// workspace. A path that is not a package's manifest, or a package
    /// with no test target, is a usage error (exit 2) saying what was
    /// found.
    pub fn at(sh: &Shell, manifest: &Path) -> Result<SuitePackage> {
        if !manifest.is_file() {
            return Err(UsageError(format!(
                "--manifest-path {}: no such file; point it at the Cargo.toml of the crate \
                 whose `lockyard_conformance::main!` test target should run",
                manifest.display()
            ))
            .into());
        }
        let manifest = manifest
            .canonicalize()
            .with_context(|| format!("cannot resolve {}", manifest.display()))?;
        let json = cmd!(
            sh,
            "cargo metadata --format-version 1 --no-deps --manifest-path {manifest}"
        )
        .quiet()
        .read()
        .with_context(|| format!("cannot run `cargo metadata` on {}", manifest.display()))?;
        let mut package = from_metadata(&json, Some(&manifest))?;
        package.config = Some(foreign_config(sh)?);
        if package.tests.is_empty() {
            return Err(UsageError(format!(
                "{} has no test targets; add one with `harness = false` whose main is \
                 `lockyard_conformance::main!` (README, \"Test your own lock\")",
                package.name
            ))
            .into());
        }
        Ok(package)
    }

    /// Where its reports go: `<target-dir>/lockyard` for lockyard's own,
    /// `<target-dir>/lockyard/<package>` for a foreign crate's (so the two
    /// never overwrite each other when they share a target directory).
    pub fn report_dir(&self) -> PathBuf {
        let dir = self.target_dir.join("lockyard");
        if self.is_foreign() {
            dir.join(&self.name)
        } else {
            dir
        }
    }

    /// Whether this is a crate outside lockyard's workspace.
    pub fn is_foreign(&self) -> bool {
        self.manifest.is_some()
    }

    /// cargo's arguments that select the package: `-p NAME`, after
    /// `--manifest-path PATH` for a foreign crate.
    pub fn cargo_args(&self) -> Vec<OsString> {
        let mut args = Vec::new();
        if let Some(manifest) = &self.manifest {
            args.extend([OsString::from("--manifest-path"), manifest.into()]);
        }
        args.extend([OsString::from("-p"), OsString::from(&self.name)]);
        args
    }

    /// nextest's arguments beyond cargo's: a foreign crate runs with
    /// lockyard's nextest profiles (`--config-file`), which the xtask's
    /// runs and JUnit reading rely on.
    pub fn nextest_args(&self) -> Vec<OsString> {
        match &self.config {
            Some(config) => vec!["--config-file".into(), config.into()],
            None => Vec::new(),
        }
    }

    /// Whether `suite` is built with the release profile: lockyard's
    /// measuring suites, and every foreign suite (`main!` runs the
    /// starvation trials too), unless [`SuitePackage::optimise`] is off.
    pub fn optimised(&self, suite: &str) -> bool {
        self.optimise && (self.is_foreign() || OPTIMISED_SUITES.contains(&suite))
    }

    /// The JUnit file nextest writes for `profile` (`junit.path =
    /// "junit.xml"` under `store.dir`, relative to the workspace root).
    pub fn junit(&self, profile: &str) -> PathBuf {
        self.workspace_root
            .join(project::NEXTEST_STORE)
            .join(profile)
            .join("junit.xml")
    }
}

/// The package of `cargo metadata --no-deps` output `json`: the one whose
/// manifest is `manifest`, or lockyard-conformance when `None`.
fn from_metadata(json: &str, manifest: Option<&Path>) -> Result<SuitePackage> {
    let meta: Metadata = serde_json::from_str(json).context("cannot parse `cargo metadata`")?;
    let names = || {
        meta.packages
            .iter()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let found = match manifest {
        None => meta.packages.iter().find(|p| p.name == LOCKYARD_SUITES),
        Some(m) => meta.packages.iter().find(|p| p.manifest_path == m),
    };
    let Some(package) = found else {
        return Err(match manifest {
            None => UsageError(format!(
                "package `{LOCKYARD_SUITES}` is not in this workspace (found: {})",
                names()
            )),
            Some(m) => UsageError(format!(
                "--manifest-path {} is a workspace's manifest, not a package's; point it at one \
                 of its packages' Cargo.toml (packages: {})",
                m.display(),
                names()
            )),
        }
        .into());
    };
    let of_kind = |kind: &str| -> Vec<String> {
        package
            .targets
            .iter()
            .filter(|t| t.kind.iter().any(|k| k == kind))
            .map(|t| t.name.clone())
            .collect()
    };
    Ok(SuitePackage {
        name: package.name.clone(),
        manifest: manifest.map(Path::to_path_buf),
        workspace_root: meta.workspace_root.clone(),
        target_dir: meta.target_directory.clone(),
        tests: of_kind("test"),
        benches: of_kind("bench"),
        config: None,
        optimise: true,
    })
}

/// Writes the nextest config a foreign crate runs with and returns its
/// path: lockyard's (`.config/nextest.toml`: the `ci` and `qemu` profiles
/// the xtask picks and reads JUnit from) less its overrides that name
/// lockyard's packages, which nextest rejects in another workspace, with
/// their intent restated by trial name ([`foreign_overrides`]).
fn foreign_config(sh: &Shell) -> Result<PathBuf> {
    let own = project::root().join(".config/nextest.toml");
    let mut config: toml::Table = sh
        .read_file(&own)?
        .parse()
        .with_context(|| format!("cannot parse {}", own.display()))?;
    for (_, profile) in config
        .get_mut("profile")
        .and_then(toml::Value::as_table_mut)
        .into_iter()
        .flatten()
    {
        if let Some(overrides) = profile
            .get_mut("overrides")
            .and_then(toml::Value::as_array_mut)
        {
            overrides.retain(|o| {
                !o.get("filter")
                    .and_then(toml::Value::as_str)
                    .is_some_and(|f| f.contains("package("))
            });
        }
    }
    let default = config
        .get_mut("profile")
        .and_then(|p| p.get_mut("default"))
        .and_then(toml::Value::as_table_mut)
        .context("lockyard's nextest.toml has no [profile.default]")?;
    let overrides = default
        .entry("overrides")
        .or_insert_with(|| toml::Value::Array(Vec::new()))
        .as_array_mut()
        .context("profile.default.overrides is not an array")?;
    overrides.extend(foreign_overrides());
    let path = project::report_dir(sh)?.join("nextest-foreign.toml");
    sh.write_file(&path, toml::to_string(&config)?)?;
    Ok(path)
}

/// What lockyard's nextest.toml does for its starvation suite, for the
/// same trials in a foreign crate's `main!` binary, found by name
/// ([`MEASURING_CASES`]): they run alone, and Go's fairness test, which
/// asserts a timing, gets two retries.
fn foreign_overrides() -> [toml::Value; 2] {
    let measuring = format!("test(/::({})/)", MEASURING_CASES.join("|"));
    let mut alone = toml::Table::new();
    alone.insert("filter".into(), measuring.into());
    alone.insert("threads-required".into(), "num-test-threads".into());
    let mut retried = toml::Table::new();
    retried.insert("filter".into(), "test(/::mutex_fairness$/)".into());
    retried.insert("retries".into(), 2.into());
    [alone.into(), retried.into()]
}

#[cfg(test)]
mod tests {
    use super::*;

    const META: &str = r#"{"packages":[
        {"name":"ticket-lock","manifest_path":"/u/ticket/Cargo.toml","targets":[
            {"name":"ticket_lock","kind":["lib"]},
            {"name":"lockyard","kind":["test"]},
            {"name":"lockyard","kind":["bench"]}]},
        {"name":"other","manifest_path":"/u/other/Cargo.toml","targets":[]}],
        "workspace_root":"/u","target_directory":"/u/target"}"#;

    #[test]
    fn a_package_is_found_by_its_manifest() {
        let p = from_metadata(META, Some(Path::new("/u/ticket/Cargo.toml"))).unwrap();
        assert_eq!(p.name, "ticket-lock");
        assert_eq!(p.tests, ["lockyard"]);
        assert_eq!(p.benches, ["lockyard"]);
        assert!(p.is_foreign() && p.optimised("lockyard"));
        assert_eq!(p.junit("ci"), Path::new("/u/target/nextest/ci/junit.xml"));
        assert_eq!(p.report_dir(), Path::new("/u/target/lockyard/ticket-lock"));
        let quick = SuitePackage {
            optimise: false,
            ..p.clone()
        };
        assert!(!quick.optimised("lockyard"));
        let args: Vec<String> = p
            .cargo_args()
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            args,
            [
                "--manifest-path",
                "/u/ticket/Cargo.toml",
                "-p",
                "ticket-lock"
            ]
        );
        assert!(
            p.nextest_args().is_empty(),
            "set by `at`, not by the metadata"
        );
    }

    #[test]
    fn foreign_overrides_pick_the_measuring_cases() {
        let [alone, retried] = foreign_overrides();
        assert_eq!(
            alone["filter"].as_str(),
            Some("test(/::(contention_|mutex_fairness|bounded_wait)/)")
        );
        assert_eq!(alone["threads-required"].as_str(), Some("num-test-threads"));
        assert_eq!(retried["retries"].as_integer(), Some(2));
    }

    #[test]
    fn a_workspace_manifest_is_a_usage_error_naming_the_packages() {
        let err = from_metadata(META, Some(Path::new("/u/Cargo.toml"))).unwrap_err();
        let usage = err.downcast_ref::<UsageError>().expect("exit 2");
        assert!(usage.0.contains("ticket-lock, other"), "{usage}");
    }

    #[test]
    fn lockyards_own_suites_are_neither_foreign_nor_all_optimised() {
        let meta = r#"{"packages":[{"name":"lockyard-conformance","manifest_path":"/w/conformance/Cargo.toml",
            "targets":[{"name":"conformance","kind":["test"]},{"name":"starvation","kind":["test"]}]}],
            "workspace_root":"/w","target_directory":"/w/target"}"#;
        let p = from_metadata(meta, None).unwrap();
        assert!(!p.is_foreign());
        assert!(p.optimised("starvation") && !p.optimised("conformance"));
        assert!(p.nextest_args().is_empty());
        assert_eq!(p.tests, ["conformance", "starvation"]);
    }
}
