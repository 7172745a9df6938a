//! `--runner cross`: a target built and run with cross-rs's container
//! image for it, whose cross toolchain and qemu-user replace the Debian
//! packages the qemu runner needs, through the same nextest and report
//! path.
//!
//! cross puts in its container only the cargo subcommands it knows, and
//! `nextest` is not one of them. nextest builds through `$CARGO`, so the
//! xtask runs nextest's own binary (`cargo-nextest nextest ...`: through
//! `cargo nextest` cargo would set `$CARGO` to itself) with `CARGO=cross`:
//! its `cargo test --no-run` becomes `cross test --no-run`, built in the
//! image with the workspace mounted at its own path. The test binaries
//! then run through a target runner that starts each one in a container
//! of the same image, under the image's qemu (`/linux-runner ARCH`), with
//! the workspace mounted and the suites' `LOCKYARD_*` variables passed in.
//!
//! None of this can run on a machine without a container engine (this
//! project's machines): [`engine`] then stops the run with exit 2 and
//! points at the qemu runner, and the commands are unit-tested.

use std::path::Path;
use std::process::{Command, Stdio};

use lockyard_platforms::{Target, env};

use crate::names::UsageError;
use crate::project;

/// The tag of cross-rs's images: the cross release they come with.
pub const IMAGE_TAG: &str = "0.2.5";

/// Container engines cross runs with, in the order it prefers them.
pub const ENGINES: [&str; 2] = ["docker", "podman"];

/// What a container engine is on this machine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EngineState {
    /// Not on PATH.
    Missing,
    /// On PATH, but `ENGINE info` fails: no daemon or service answers.
    Down,
    /// Answers.
    Up,
}

/// The first engine of [`ENGINES`] that answers, or a usage error (exit
/// 2) saying what each one is and naming the runner that works without.
pub fn choose_engine(
    state: impl Fn(&str) -> EngineState,
    target: &Target,
) -> Result<&'static str, UsageError> {
    let mut seen = Vec::new();
    for engine in ENGINES {
        match state(engine) {
            EngineState::Up => return Ok(engine),
            EngineState::Down => seen.push(format!(
                "`{engine}` is installed but `{engine} info` fails (no daemon answers)"
            )),
            EngineState::Missing => seen.push(format!("`{engine}` is not installed")),
        }
    }
    Err(UsageError(format!(
        "--runner cross needs a container engine that runs, and none does here: {}; \
         run {} under qemu-user instead, which needs none: `cargo xtask test --runner qemu --target {}`",
        seen.join(", "),
        target.name(),
        target.name()
    )))
}

/// The state of `engine` on this machine.
pub fn engine_state(engine: &str) -> EngineState {
    if project::which(engine).is_none() {
        return EngineState::Missing;
    }
    let answers = Command::new(engine)
        .arg("info")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if answers {
        EngineState::Up
    } else {
        EngineState::Down
    }
}

/// The engine for `target`, or why there is none.
pub fn engine(target: &Target) -> Result<&'static str, UsageError> {
    choose_engine(engine_state, target)
}

/// cross-rs's image for `target`.
pub fn image(target: &Target) -> String {
    format!("ghcr.io/cross-rs/{}:{IMAGE_TAG}", target.triple)
}

/// The target runner: each test binary in a fresh container of the
/// image, under its qemu, with `workspace` mounted at its own path (the
/// binaries, the figures directory) and the suites' variables passed in
/// from the runner's environment. `None` for a target qemu does not run.
pub fn runner_command(engine: &str, target: &Target, workspace: &Path) -> Option<Vec<String>> {
    let qemu = target.qemu?;
    let arch = qemu.binary.strip_prefix("qemu-").unwrap_or(qemu.binary);
    let mount = format!("{0}:{0}", workspace.display());
    let mut words: Vec<String> = [engine, "run", "--rm", "--init", "-v", &mount, "-w"]
        .map(str::to_string)
        .to_vec();
    words.push(workspace.display().to_string());
    for var in env::ALL {
        words.extend(["-e".to_string(), var.to_string()]);
    }
    words.push(image(target));
    words.extend(["/linux-runner".to_string(), arch.to_string()]);
    Some(words)
}

/// The variable that sends nextest's builds through cross.
pub const CARGO_VAR: (&str, &str) = ("CARGO", "cross");

/// The program and first argument nextest runs as under `vars`: its own
/// binary where [`CARGO_VAR`] is set (cargo would reset `$CARGO`), else
/// `cargo nextest`.
pub fn nextest_program(vars: &[(String, String)]) -> [&'static str; 2] {
    let (key, value) = CARGO_VAR;
    if vars.iter().any(|(k, v)| k == key && v == value) {
        ["cargo-nextest", "nextest"]
    } else {
        ["cargo", "nextest"]
    }
}

/// Stops with the install command when `cross` is not on PATH.
pub fn require_cross() -> anyhow::Result<()> {
    if project::which("cross").is_none() {
        anyhow::bail!("cannot find `cross`; install it with `cargo install cross --locked`");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arm64() -> &'static Target {
        lockyard_platforms::find("arm64").unwrap()
    }

    /// A machine where `engine` is in `state` and the other is missing.
    fn only(engine: &'static str, state: EngineState) -> impl Fn(&str) -> EngineState {
        move |e| {
            if e == engine {
                state
            } else {
                EngineState::Missing
            }
        }
    }

    #[test]
    fn no_engine_is_a_usage_error_naming_qemu() {
        let err = choose_engine(only("docker", EngineState::Down), arm64()).unwrap_err();
        assert!(err.0.contains("`docker info` fails"), "{err}");
        assert!(err.0.contains("`podman` is not installed"), "{err}");
        let qemu = "`cargo xtask test --runner qemu --target arm64`";
        assert!(err.0.contains(qemu), "{err}");
        let podman = choose_engine(only("podman", EngineState::Up), arm64());
        assert_eq!(podman.unwrap(), "podman");
        assert_eq!(
            choose_engine(|_| EngineState::Up, arm64()).unwrap(),
            "docker"
        );
    }

    #[test]
    fn the_runner_runs_each_binary_in_the_image_under_its_qemu() {
        let words = runner_command("docker", arm64(), Path::new("/w/lockyard")).unwrap();
        let line = words.join(" ");
        assert!(
            line.starts_with(
                "docker run --rm --init -v /w/lockyard:/w/lockyard -w /w/lockyard -e "
            ),
            "{line}"
        );
        assert!(
            line.ends_with(&format!(
                "ghcr.io/cross-rs/{}:{IMAGE_TAG} /linux-runner aarch64",
                arm64().triple
            )),
            "{line}"
        );
        for var in env::ALL {
            assert!(line.contains(&format!("-e {var} ")), "{var}: {line}");
        }
        let host = lockyard_platforms::find("amd64").unwrap();
        assert_eq!(runner_command("docker", host, Path::new("/w")), None);
    }

    #[test]
    fn nextest_builds_through_cross_only_when_told() {
        let (k, v) = CARGO_VAR;
        let cross = vec![(k.to_string(), v.to_string())];
        assert_eq!(nextest_program(&cross), ["cargo-nextest", "nextest"]);
        assert_eq!(nextest_program(&[]), ["cargo", "nextest"]);
    }
}
