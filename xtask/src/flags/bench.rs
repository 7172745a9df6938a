//! Flags of `cargo xtask bench`.

use std::path::PathBuf;
use std::str::FromStr;

use lockyard_platforms::Runner;

use super::runner;

/// Flags of `cargo xtask bench`.
#[derive(Debug, clap::Args)]
pub struct Bench {
    /// The target to run on (names as for `test`). Default: host. Under
    /// qemu the run is a smoke check and says its figures are not
    /// performance.
    #[arg(long, value_name = "NAME")]
    pub target: Option<String>,
    /// A backend to run (repeatable), or `all`. Default: futex, sema,
    /// spinbit and the peers std, parking_lot, pthread and spin. Names are
    /// checked before the benchmark is built, against the backends (and
    /// primitives' forms) the suites list on the host, as for `test`.
    #[arg(long = "backend", value_name = "NAME")]
    pub backends: Vec<String>,
    /// Run only benchmarks whose name contains NAME (repeatable), such as
    /// `MutexContention` or `SlowPingPong`.
    #[arg(long = "bench", value_name = "NAME")]
    pub benches: Vec<String>,
    /// Rounds: each runs every backend once, in turn (A B A B ...), so that
    /// compared backends share the machine's moods.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    pub count: u32,
    /// How long each run lasts (`200ms`, `1s`), or `Nx` for exactly N
    /// operations.
    #[arg(long, default_value = "200ms", value_name = "DURATION")]
    pub benchtime: String,
    /// Compare two backends, `A,B`: run just those, interleaved, and print
    /// benchstat's table (median ± 95% interval, the change, a Mann-Whitney
    /// U p-value, `~` where p ≥ 0.05, a geomean row). Cannot be combined
    /// with --backend.
    #[arg(long, value_name = "A,B", conflicts_with = "backends")]
    pub compare: Option<Pair>,
    /// Compare the working tree with git revision REV: build REV's
    /// benchmark in a detached worktree under target/lockyard/baseline/
    /// (its own cargo target directory), run the two binaries in each
    /// round (which goes first alternates), and print benchstat's table of
    /// each backend against itself at REV. Skips the counting run; cannot
    /// be combined with --compare.
    #[arg(long, value_name = "REV", conflicts_with_all = ["compare", "manifest_path"])]
    pub baseline: Option<String>,
    /// What a feature costs compiled in but idle (`profile` at rate 0,
    /// `stats`): build the benchmark without and with `--features
    /// FEATURE` (lockyard-conformance's, which forward lockyard's), run the
    /// two in each round (which goes first alternates) and print
    /// benchstat's table of each backend with the feature against itself
    /// without. Skips the counting run; cannot be combined with --compare,
    /// --baseline or --manifest-path.
    #[arg(long, value_name = "FEATURE", conflicts_with_all = ["compare", "baseline", "manifest_path"])]
    pub feature_cost: Option<String>,
    /// Run this crate's bench target instead of lockyard's: the Cargo.toml
    /// of a crate whose `harness = false` bench target calls
    /// `lockyard_conformance::bench_main!` on its own lock, which runs it
    /// beside lockyard's backends and the peers (README, "Test your own
    /// lock"). Results go under that crate's target/lockyard/bench/.
    #[arg(long, value_name = "PATH")]
    pub manifest_path: Option<PathBuf>,
    /// With --manifest-path: which of the crate's bench targets, when it
    /// has several. Default: its only one, or the one named `lockyard`.
    #[arg(long, value_name = "NAME", requires = "manifest_path")]
    pub bench_target: Option<String>,
    /// The cargo profile to build with: `release` (optimised, `debug = 1`,
    /// as lockyard's bench profile) for figures; `dev` builds faster and
    /// still checks every count, but its times say little (CI's smoke run).
    #[arg(long, default_value = "release", value_name = "PROFILE")]
    pub cargo_profile: String,
    /// Skip the counting run (the build with lockyard's `stats` feature).
    #[arg(long)]
    pub no_stats: bool,
    /// Then profile each backend alone at rate 1/N: `profile/<backend>.pb.gz`, `.txt`.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub profile_rate: Option<u32>,
    /// How to run a target that can run both ways (as for `test`).
    #[arg(long, value_parser = runner(), default_value_t = Runner::Qemu)]
    pub runner: Runner,
    /// The y axis of the SVG charts: `auto` draws it logarithmic when the
    /// lines span more than 10× (largest value over smallest), else linear.
    #[arg(long, value_enum, value_name = "SCALE", default_value_t = crate::chart::Scale::Auto)]
    pub chart_scale: crate::chart::Scale,
}

/// `--compare A,B`: the base backend, then the one compared with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pair {
    /// A: the base.
    pub base: String,
    /// B: measured against A.
    pub other: String,
}

impl FromStr for Pair {
    type Err = String;

    fn from_str(s: &str) -> Result<Pair, String> {
        match s.split(',').map(str::trim).collect::<Vec<_>>()[..] {
            [base, other] if !base.is_empty() && !other.is_empty() => Ok(Pair {
                base: base.to_string(),
                other: other.to_string(),
            }),
            _ => Err(format!(
                "takes two backends, `A,B` (such as `futex,spinbit`), not `{s}`"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::flags::{Task, Xtask};

    /// `cargo xtask bench ARGS` parsed.
    fn bench(args: &[&str]) -> Result<Bench, clap::Error> {
        let argv = ["xtask", "bench"].iter().chain(args);
        Xtask::try_parse_from(argv).map(|flags| match flags.task {
            Task::Bench(bench) => bench,
            other => panic!("not the bench task: {other:?}"),
        })
    }

    #[test]
    fn compare_takes_a_pair() {
        let pair = |s: &str| s.parse::<Pair>();
        assert_eq!(
            pair("futex, spinbit"),
            Ok(Pair {
                base: "futex".into(),
                other: "spinbit".into()
            })
        );
        for bad in ["futex", "futex,", ",spinbit", "a,b,c", ""] {
            let err = pair(bad).unwrap_err();
            assert!(err.contains("takes two backends, `A,B`"), "{bad}: {err}");
        }
        let err = Xtask::try_parse_from(["xtask", "bench", "--compare", "futex"]).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(err.to_string().contains("not `futex`"), "{err}");
    }

    #[test]
    fn compare_does_not_take_backends_too() {
        let err = Xtask::try_parse_from([
            "xtask",
            "bench",
            "--compare",
            "futex,spinbit",
            "--backend",
            "sema",
        ])
        .unwrap_err();
        assert_eq!(err.exit_code(), 2);
        let msg = err.to_string();
        assert!(msg.contains("cannot be used with"), "{msg}");
        assert!(
            msg.contains("--compare") && msg.contains("--backend"),
            "{msg}"
        );
    }

    #[test]
    fn chart_scale_is_auto_linear_or_log() {
        use crate::chart::Scale;
        let scale = |args: &[&str]| bench(args).map(|b| b.chart_scale);
        assert_eq!(scale(&[]).unwrap(), Scale::Auto);
        assert_eq!(scale(&["--chart-scale", "log"]).unwrap(), Scale::Log);
        assert_eq!(scale(&["--chart-scale", "linear"]).unwrap(), Scale::Linear);
        let err = scale(&["--chart-scale", "sqrt"]).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(err.to_string().contains("auto, linear, log"), "{err}");
    }

    #[test]
    fn baseline_takes_a_revision_but_not_with_compare() {
        let flags = bench(&[
            "--baseline",
            "63861df",
            "--backend",
            "futex",
            "--count",
            "10",
        ])
        .unwrap();
        assert_eq!(flags.baseline.as_deref(), Some("63861df"));
        assert_eq!(flags.backends, ["futex"]);
        assert_eq!(flags.count, 10);
        assert_eq!(bench(&[]).unwrap().baseline, None);
        let err = bench(&["--baseline"]).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        let err = bench(&["--baseline", "HEAD~1", "--compare", "futex,sema"]).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(err.to_string().contains("cannot be used with"), "{err}");
    }

    #[test]
    fn feature_cost_takes_a_feature_but_not_with_baseline() {
        let flags = bench(&["--feature-cost", "profile", "--backend", "futex"]).unwrap();
        assert_eq!(flags.feature_cost.as_deref(), Some("profile"));
        assert_eq!(bench(&[]).unwrap().feature_cost, None);
        for other in [&["--baseline", "HEAD"][..], &["--compare", "futex,sema"]] {
            let args: Vec<&str> = ["--feature-cost", "profile"]
                .iter()
                .chain(other)
                .copied()
                .collect();
            let err = bench(&args).unwrap_err();
            assert_eq!(err.exit_code(), 2);
            assert!(err.to_string().contains("cannot be used with"), "{err}");
        }
    }
}
