//! `cargo xtask bench --baseline REV`: the working tree's benchmark against
//! a git revision's. REV is checked out as a detached worktree under
//! `target/lockyard/baseline/<short-sha>` and built there with the same
//! cargo arguments and environment into its own cargo target directory;
//! then each round runs both binaries once (which goes first alternates),
//! and each backend's table compares it with itself at REV
//! (`futex@63861df` against `futex`).

use std::ffi::OsString;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result};
use lockyard_platforms::Runner;
use xshell::{Shell, cmd};

use super::{BENCH, Source, backends_in, no_match, stream};
use crate::compare::{self, Line};
use crate::flags;
use crate::names::UsageError;
use crate::nextest::{LOCKYARD_SUITES, Plan};
use crate::project;

/// How the current run builds and runs the benchmark, which the baseline
/// copies.
pub struct How<'a> {
    /// The target.
    pub plan: &'a Plan,
    /// `--target TRIPLE`, or nothing for the host.
    pub target_args: &'a [&'a str],
    /// The environment of cargo and of the benchmark.
    pub env: &'a [(String, String)],
    /// The benchmark's arguments but `--count`.
    pub args: &'a [String],
    /// The cargo profile to build with.
    pub profile: &'a str,
}

/// A built bench binary and the directory cargo would run it in (its
/// package's).
#[derive(Debug, PartialEq)]
struct Binary {
    exe: PathBuf,
    package_dir: PathBuf,
}

/// Builds both sides, runs them `flags.count` rounds, saves each side's
/// output in `dir` (`baseline-<sha>.txt`, `current.txt`) and prints the
/// tables.
pub fn run(sh: &Shell, flags: &flags::Bench, rev: &str, how: &How, dir: &Path) -> Result<()> {
    let (sha, short) = resolve(sh, rev)?;
    let root = project::report_dir(sh)?.join("baseline");
    let tree = root.join(&short);
    checkout(sh, &tree, &sha)?;
    eprintln!("xtask: --baseline skips the counting run (the `stats` build): it is not timed");
    let target_dir = root.join("target");
    eprintln!(
        "xtask: building the baseline {short} in {} (CARGO_TARGET_DIR={})",
        tree.display(),
        target_dir.display()
    );
    let baseline = build(sh, &tree, Some(&target_dir), how)?;
    eprintln!("xtask: building the working tree's benchmark");
    let current = build(sh, &project::root(), None, how)?;

    let sides = [
        (format!("baseline {short}"), baseline),
        ("current".into(), current),
    ];
    let mut outputs: [Vec<String>; 2] = [Vec::new(), Vec::new()];
    for (name, binary) in &sides {
        eprintln!("xtask: {name}: {}", binary.exe.display());
    }
    for round in 0..flags.count {
        for side in order(round) {
            let (name, binary) = &sides[side];
            eprintln!("xtask: round {}/{}: {name}", round + 1, flags.count);
            outputs[side].push(run_once(binary, how)?);
        }
        if round == 0 && compare::parse(&outputs[1][0]).is_empty() {
            return Err(no_match(&Source::of(sh, flags)?, &flags.benches));
        }
    }
    let [baseline, current] = outputs.map(|runs| merge(&runs));

    sh.create_dir(dir)?;
    sh.write_file(dir.join(format!("baseline-{short}.txt")), &baseline)?;
    sh.write_file(dir.join("current.txt"), &current)?;
    let named = if rev == short {
        short.clone()
    } else {
        format!("{rev} ({short})")
    };
    println!(
        "\nthe working tree against {named}, {} round(s):\n{}",
        flags.count,
        tables(&baseline, &current, &short)
    );
    if how.plan.runner != Runner::Native {
        println!(
            "(run under {}: smoke figures, not performance)",
            how.plan.runner
        );
    }
    eprintln!(
        "xtask: saved to {} (benchstat baseline-{short}.txt current.txt)",
        dir.display()
    );
    Ok(())
}

/// The commit `rev` names, in full and short; a usage error if none.
fn resolve(sh: &Shell, rev: &str) -> Result<(String, String)> {
    let bad = |why: &str| {
        UsageError(format!(
            "--baseline `{rev}` {why}; give a commit, branch or tag of this repository, such as `main` or `HEAD~1`"
        ))
    };
    if rev.starts_with('-') || rev.trim().is_empty() {
        return Err(bad("is not a git revision").into());
    }
    let spec = format!("{rev}^{{commit}}");
    let out = cmd!(sh, "git rev-parse --verify --quiet {spec}")
        .quiet()
        .ignore_status()
        .ignore_stderr()
        .output()
        .context("cannot run `git rev-parse`; is git installed?")?;
    if !out.status.success() {
        return Err(bad("names no commit (`git rev-parse --verify` found none)").into());
    }
    let sha = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let short = cmd!(sh, "git rev-parse --short {sha}").quiet().read()?;
    Ok((sha, short.trim().to_string()))
}

/// Makes `tree` a detached worktree at `sha`: reused when it is one
/// already, replaced when it is at another commit or broken.
fn checkout(sh: &Shell, tree: &Path, sha: &str) -> Result<()> {
    // Without its own `.git`, `git -C tree` would answer for this checkout.
    if tree.join(".git").exists() {
        let head = cmd!(sh, "git -C {tree} rev-parse HEAD")
            .quiet()
            .ignore_stderr()
            .read();
        if head.is_ok_and(|h| h.trim() == sha) {
            eprintln!("xtask: reusing the worktree {}", tree.display());
            return Ok(());
        }
        let _ = cmd!(sh, "git worktree remove --force {tree}")
            .quiet()
            .ignore_stderr()
            .run();
    }
    if tree.exists() {
        sh.remove_path(tree)?;
    }
    // `--force`: the worktree may still be registered after `cargo clean`
    // deleted it.
    cmd!(sh, "git worktree add --force --detach {tree} {sha}")
        .run()
        .with_context(|| format!("cannot check out {sha} at {}", tree.display()))
}

/// Builds the bench binary of the workspace at `tree` as `how` says, into
/// `target_dir` (cargo's own when `None`), and finds it.
fn build(sh: &Shell, tree: &Path, target_dir: Option<&Path>, how: &How) -> Result<Binary> {
    let _cd = sh.push_dir(tree);
    let (target_args, profile) = (how.target_args, how.profile);
    let mut cargo = cmd!(
        sh,
        "cargo bench -p {LOCKYARD_SUITES} --bench {BENCH} --profile {profile} {target_args...} --no-run --message-format=json"
    )
    .envs(how.env.iter().map(|(k, v)| (k, v)));
    if let Some(dir) = target_dir {
        cargo = cargo.env("CARGO_TARGET_DIR", dir);
    }
    eprintln!("$ {cargo}");
    let json = cargo
        .read()
        .with_context(|| format!("cannot build the benchmark in {}", tree.display()))?;
    executable(&json).with_context(|| {
        format!(
            "cargo built no `{BENCH}` bench executable in {}",
            tree.display()
        )
    })
}

/// The `BENCH` executable in cargo's `--message-format=json` output.
fn executable(json: &str) -> Option<Binary> {
    json.lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == BENCH)
        .filter(|m| {
            m["target"]["kind"]
                .as_array()
                .is_some_and(|k| k.iter().any(|k| k == "bench"))
        })
        .find_map(|m| {
            Some(Binary {
                exe: m["executable"].as_str()?.into(),
                package_dir: Path::new(m["manifest_path"].as_str()?).parent()?.into(),
            })
        })
}

/// The sides in round `round`, 0 the baseline and 1 the current tree: the
/// baseline first in even rounds, so that neither always follows the other.
fn order(round: u32) -> [usize; 2] {
    if round.is_multiple_of(2) {
        [0, 1]
    } else {
        [1, 0]
    }
}

/// One run of `binary` for one round, as cargo would run it (the target's
/// runner command first, in the package directory).
fn run_once(binary: &Binary, how: &How) -> Result<String> {
    let mut argv: Vec<OsString> = how
        .plan
        .runner_command
        .iter()
        .flatten()
        .map(OsString::from)
        .collect();
    argv.push(binary.exe.clone().into());
    argv.extend(how.args.iter().map(OsString::from));
    argv.extend(["--count".into(), "1".into()]);
    let mut command = Command::new(&argv[0]);
    command
        .args(&argv[1..])
        .current_dir(&binary.package_dir)
        .envs(how.env.iter().map(|(k, v)| (k, v)));
    stream(command, how.args, &format!(" ({})", binary.exe.display()))
}

/// The runs of one side as one Go benchmark file: the first run's header,
/// then every run's lines after theirs.
fn merge(runs: &[String]) -> String {
    let mut out = String::new();
    for (i, run) in runs.iter().enumerate() {
        let mut lines = run.lines().peekable();
        if i > 0 {
            while lines.next_if(|l| !l.starts_with("Benchmark")).is_some() {}
        }
        for line in lines {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// The name of `backend` at the baseline in the tables.
fn at(backend: &str, short: &str) -> String {
    format!("{backend}@{short}")
}

/// The baseline's lines with their backends renamed [`at`] the baseline.
fn relabel(lines: Vec<Line>, short: &str) -> Vec<Line> {
    lines
        .into_iter()
        .map(|mut l| {
            l.backend = at(&l.backend, short);
            l
        })
        .collect()
}

/// For each backend of `current`, benchstat's table of it against the
/// same backend in `baseline`.
fn tables(baseline: &str, current: &str, short: &str) -> String {
    let current = compare::parse(current);
    let mut lines = relabel(compare::parse(baseline), short);
    lines.extend(current.iter().cloned());
    let mut out = String::new();
    for backend in backends_in(&current) {
        let _ = write!(
            out,
            "\n{backend}:{}",
            compare::table(&lines, &at(&backend, short), &backend)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_alternate_which_side_goes_first() {
        assert_eq!(order(0), [0, 1]);
        assert_eq!(order(1), [1, 0]);
        assert_eq!(order(2), [0, 1]);
    }

    #[test]
    fn runs_merge_under_one_header() {
        let run =
            |ns: u32| format!("goos: linux\ncores: 2\nBenchmarkX/backend=futex-1 10 {ns} ns/op\n");
        let merged = merge(&[run(5), run(6), run(7)]);
        assert_eq!(merged.matches("goos: linux").count(), 1, "{merged}");
        assert!(
            merged.starts_with("goos: linux\ncores: 2\nBenchmarkX/backend=futex-1 10 5 ns/op\n")
        );
        assert!(
            merged.ends_with("6 ns/op\nBenchmarkX/backend=futex-1 10 7 ns/op\n"),
            "{merged}"
        );
        assert_eq!(compare::parse(&merged).len(), 3);
    }

    #[test]
    fn tables_compare_each_backend_with_its_baseline() {
        let (mut baseline, mut current) = (String::from("goos: linux\n"), String::new());
        for i in 0..10 {
            // A baseline from before the backend was a key in the names.
            let _ = writeln!(baseline, "BenchmarkX/futex-2 1 {} ns/op", 100 + i);
            let _ = writeln!(
                baseline,
                "BenchmarkX/backend=sema-2 1 {} ns/op",
                200 + i % 3
            );
            let _ = writeln!(current, "BenchmarkX/backend=futex-2 1 {} ns/op", 50 + i);
            let _ = writeln!(
                current,
                "BenchmarkX/backend=sema-2 1 {} ns/op",
                200 + (i + 1) % 3
            );
        }
        let relabelled = relabel(compare::parse(&baseline), "abc1234");
        assert_eq!(relabelled[0].backend, "futex@abc1234");
        assert_eq!(relabelled[0].bench, "X-2");

        let t = tables(&baseline, &current, "abc1234");
        let (futex, sema) = t.split_once("\nsema:").expect("a section per backend");
        assert!(futex.starts_with("\nfutex:\n"), "{t}");
        assert!(
            futex.contains("futex@abc1234") && !futex.contains("sema"),
            "{t}"
        );
        let row = |s: &str| {
            s.lines()
                .find(|l| l.starts_with("X-2"))
                .unwrap()
                .to_string()
        };
        assert!(row(futex).contains("-47.85%"), "{t}");
        assert!(sema.contains("sema@abc1234"), "{t}");
        assert!(row(sema).contains(" ~ "), "{t}");
    }

    #[test]
    fn the_executable_comes_from_cargo_json() {
        let json = r#"{"reason":"compiler-artifact","target":{"name":"lockyard","kind":["lib"]},"executable":null,"manifest_path":"/w/impls/Cargo.toml"}
{"reason":"compiler-artifact","target":{"name":"throughput","kind":["bench"]},"executable":"/w/target/release/deps/throughput-1f","manifest_path":"/w/conformance/Cargo.toml"}
{"reason":"build-finished","success":true}"#;
        assert_eq!(
            executable(json),
            Some(Binary {
                exe: "/w/target/release/deps/throughput-1f".into(),
                package_dir: "/w/conformance".into(),
            })
        );
        assert_eq!(executable(r#"{"reason":"build-finished"}"#), None);
    }
}
