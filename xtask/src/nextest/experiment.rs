//! What a built suite's lockyard has, asked of the suite binary itself:
//! given [`EXPERIMENT_ARG`] alone it prints `lockyard::experiment()`
//! as one line of JSON and exits 0, so the report records the build's
//! settings rather than what the table expects of the target.

use std::ffi::OsStr;
use std::path::Path;

use anyhow::{Context, Result, bail};
use lockyard_platforms::suite::EXPERIMENT_ARG;
use xshell::Shell;

use super::plan::Plan;
use crate::report::Experiment;

/// Runs `binary` as the plan runs the target's binaries (its runner
/// command, or directly) with [`EXPERIMENT_ARG`], in the suites'
/// environment `vars`, and reads its answer.
pub fn probe_experiment(
    sh: &Shell,
    plan: &Plan,
    binary: &Path,
    vars: &[(String, String)],
) -> Result<Experiment> {
    let mut argv: Vec<&OsStr> = plan
        .runner_command
        .iter()
        .flatten()
        .map(OsStr::new)
        .collect();
    argv.extend([binary.as_os_str(), EXPERIMENT_ARG.as_ref()]);
    let command = sh
        .cmd(argv[0])
        .args(&argv[1..])
        .envs(vars.iter().map(|(k, v)| (k, v)))
        .quiet()
        .ignore_status();
    let shown = command.to_string();
    let output = command
        .output()
        .with_context(|| format!("cannot run `{shown}`"))?;
    let why = if output.status.success() {
        match parse(&String::from_utf8_lossy(&output.stdout)) {
            Ok(experiment) => return Ok(experiment),
            Err(e) => format!("{e:#}"),
        }
    } else {
        let stderr = String::from_utf8_lossy(&output.stderr);
        match stderr.lines().find(|l| !l.trim().is_empty()) {
            Some(first) => format!("it exited with {} ({first})", output.status),
            None => format!("it exited with {}", output.status),
        }
    };
    bail!(
        "cannot read what the {} suite binary was built with: `{shown}` must print lockyard's \
         experiment as one line of JSON, but {why}; a suite binary built before it learnt \
         {EXPERIMENT_ARG} cannot answer: rebuild it (`cargo xtask test` does)",
        plan.target.name()
    )
}

/// Reads the one line of JSON a suite binary prints.
fn parse(stdout: &str) -> Result<Experiment> {
    let lines: Vec<&str> = stdout.lines().filter(|l| !l.trim().is_empty()).collect();
    let [line] = lines[..] else {
        bail!("it printed {} lines", lines.len());
    };
    serde_json::from_str(line).with_context(|| format!("it printed `{line}`"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample;

    #[test]
    fn parses_the_contract_line() {
        let e = parse(&format!("{}\n", sample::EXPERIMENT)).unwrap();
        assert_eq!(
            e,
            Experiment {
                flags: "spinbitmutex,spinbitxchg8".into(),
                source: "baseline".into(),
                spinbit_mutex: true,
                spinbit_xchg8: true,
                default_backend: "spinbit".into(),
                os_primitive: "futex".into(),
            }
        );
        let source = format!("{}=nospinbitmutex", lockyard_platforms::env::EXPERIMENT);
        let overridden = sample::EXPERIMENT.replace("baseline", &source).replace(
            r#""default_backend":"spinbit""#,
            r#""default_backend":"futex""#,
        );
        let e = parse(&overridden).unwrap();
        assert_eq!(e.source, source);
        assert_eq!(e.default_backend, "futex");
    }

    #[test]
    fn anything_else_is_a_clear_error() {
        // An old binary that took the argument for a test filter.
        let err = parse("\nrunning 0 tests\n\ntest result: ok. 0 passed\n").unwrap_err();
        assert_eq!(err.to_string(), "it printed 2 lines");
        let err = parse("").unwrap_err();
        assert_eq!(err.to_string(), "it printed 0 lines");
        let err = parse(r#"{"flags":"spinbitmutex"}"#).unwrap_err();
        assert!(
            format!("{err:#}").contains(r#"it printed `{"flags":"spinbitmutex"}`: missing field"#),
            "{err:#}"
        );
    }
}
