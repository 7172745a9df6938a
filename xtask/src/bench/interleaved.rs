//! Two builds of the benchmark run against each other: each round runs
//! both binaries once (which goes first alternates, so neither always
//! follows the other), and each backend's table compares it with itself
//! in the other build (`futex@63861df` against `futex`, or `futex` against
//! `futex+profile`). [`baseline`](super::baseline) builds a git revision
//! against the working tree, [`feature_cost`](super::feature_cost) the
//! working tree without a feature against with it.

use std::ffi::OsString;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result};
use xshell::{Shell, cmd};

use super::{BENCH, Source, backends_in, no_match, stream};
use crate::compare::{self, Line};
use crate::flags;
use crate::nextest::{LOCKYARD_SUITES, Plan};

/// How the current run builds and runs the benchmark, which both builds
/// copy.
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
pub struct Binary {
    exe: PathBuf,
    package_dir: PathBuf,
}

/// One of the two builds.
pub struct Side {
    /// What the log calls it: `baseline 63861df`, `with profile`.
    pub name: String,
    /// The file its merged output is saved to, in the results' directory.
    pub file: String,
    /// Appended to its backends' names in the tables: `@63861df`,
    /// `+profile`, or nothing.
    pub suffix: String,
    /// Its benchmark.
    pub binary: Binary,
}

/// Builds the bench binary of the workspace at `tree` as `how` says, with
/// `features` of the suites' package, into `target_dir` (cargo's own when
/// `None`), and finds it.
pub fn build(
    sh: &Shell,
    tree: &Path,
    target_dir: Option<&Path>,
    how: &How,
    features: &[&str],
) -> Result<Binary> {
    let _cd = sh.push_dir(tree);
    let (target_args, profile) = (how.target_args, how.profile);
    let features: Vec<String> = features
        .iter()
        .flat_map(|f| ["--features".to_string(), f.to_string()])
        .collect();
    let mut cargo = cmd!(
        sh,
        "cargo bench -p {LOCKYARD_SUITES} --bench {BENCH} --profile {profile} {target_args...} {features...} --no-run --message-format=json"
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

/// Runs `sides` (the base first) `flags.count` rounds, saves each side's
/// output in `dir` under its file name, and prints `title` over the
/// tables.
pub fn run(
    sh: &Shell,
    flags: &flags::Bench,
    sides: &[Side; 2],
    how: &How,
    dir: &Path,
    title: &str,
) -> Result<()> {
    for side in sides {
        eprintln!("xtask: {}: {}", side.name, side.binary.exe.display());
    }
    let mut outputs: [Vec<String>; 2] = [Vec::new(), Vec::new()];
    for round in 0..flags.count {
        for i in order(round) {
            let side = &sides[i];
            eprintln!("xtask: round {}/{}: {}", round + 1, flags.count, side.name);
            outputs[i].push(run_once(&side.binary, how)?);
        }
        if round == 0 && compare::parse(&outputs[1][0]).is_empty() {
            return Err(no_match(&Source::of(sh, flags)?, &flags.benches));
        }
    }
    let [base, other] = outputs.map(|runs| merge(&runs));

    sh.create_dir(dir)?;
    sh.write_file(dir.join(&sides[0].file), &base)?;
    sh.write_file(dir.join(&sides[1].file), &other)?;
    println!(
        "\n{title}, {} round(s):\n{}",
        flags.count,
        tables([&base, &other], [&sides[0].suffix, &sides[1].suffix])
    );
    if !how.plan.runner.measures() {
        println!(
            "(run under {}: smoke figures, not performance)",
            how.plan.runner
        );
    }
    eprintln!(
        "xtask: saved to {} (benchstat {} {})",
        dir.display(),
        sides[0].file,
        sides[1].file
    );
    Ok(())
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

/// The sides in round `round`, 0 the base and 1 the other: the base first
/// in even rounds, so that neither always follows the other.
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

/// `lines` with `suffix` appended to their backends' names.
fn relabel(lines: Vec<Line>, suffix: &str) -> Vec<Line> {
    lines
        .into_iter()
        .map(|mut l| {
            l.backend.push_str(suffix);
            l
        })
        .collect()
}

/// For each backend of the other side, benchstat's table of it (named
/// with the other suffix) against the same backend in the base (named
/// with the base's).
fn tables([base, other]: [&str; 2], [base_suffix, other_suffix]: [&str; 2]) -> String {
    let other = compare::parse(other);
    let names = backends_in(&other);
    let mut lines = relabel(compare::parse(base), base_suffix);
    lines.extend(relabel(other, other_suffix));
    let mut out = String::new();
    for backend in names {
        let _ = write!(
            out,
            "\n{backend}:{}",
            compare::table(
                &lines,
                &format!("{backend}{base_suffix}"),
                &format!("{backend}{other_suffix}")
            )
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
        let relabelled = relabel(compare::parse(&baseline), "@abc1234");
        assert_eq!(relabelled[0].backend, "futex@abc1234");
        assert_eq!(relabelled[0].bench, "X-2");

        let t = tables([&baseline, &current], ["@abc1234", ""]);
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

        // A feature's cost: the base unsuffixed, the other suffixed.
        let t = tables([&current, &baseline], ["", "+profile"]);
        assert!(
            t.contains("\nfutex:\n") && t.contains("futex+profile"),
            "{t}"
        );
        assert!(!t.contains('@'), "{t}");
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
