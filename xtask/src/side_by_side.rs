//! Independent commands run at once, for steps whose parts leave a core
//! idle: Miri interprets on one thread, and loom's last long model runs
//! alone while the other models are done. On a 2-core machine two such
//! parts side by side take about as long as the longer one.

use std::process::Command;
use std::thread;

use anyhow::{Result, bail};

/// Runs `jobs` (a name, then the command) at once. Each one's output is
/// captured and printed whole once all have ended, in the order given, so
/// their lines never interleave. Fails naming every job that failed.
pub fn run(jobs: Vec<(String, Command)>) -> Result<()> {
    let names: Vec<String> = jobs.iter().map(|(name, _)| name.clone()).collect();
    eprintln!("xtask: side by side: {}", names.join(" | "));
    let running: Vec<_> = jobs
        .into_iter()
        .map(|(name, mut command)| thread::spawn(move || (name, command.output())))
        .collect();
    let mut failed = Vec::new();
    for job in running {
        let (name, output) = job
            .join()
            .expect("a job's thread only waits for its process");
        eprintln!("xtask: ── {name} ──");
        match output {
            Ok(out) => {
                print!("{}", String::from_utf8_lossy(&out.stdout));
                eprint!("{}", String::from_utf8_lossy(&out.stderr));
                if !out.status.success() {
                    failed.push(format!("`{name}` ({})", out.status));
                }
            }
            Err(e) => failed.push(format!("`{name}` (cannot start it: {e})")),
        }
    }
    if !failed.is_empty() {
        bail!("failed: {}", failed.join(", "));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shell(script: &str) -> (String, Command) {
        let mut command = Command::new("sh");
        command.args(["-c", script]);
        (script.to_string(), command)
    }

    #[test]
    fn every_job_runs_and_failures_are_named() {
        assert!(run(vec![shell("true"), shell("exit 0")]).is_ok());
        let err = run(vec![shell("true"), shell("exit 3"), shell("false")]).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("`exit 3`") && msg.contains("`false`"), "{msg}");
        assert!(!msg.contains("`true`"), "{msg}");
    }

    #[test]
    fn jobs_run_at_once() {
        // Each waits for the other's file: run one after the other, the
        // first would wait for good (the timeouts end it, failing).
        let dir = std::env::temp_dir().join(format!("xtask-side-by-side-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (a, b) = (dir.join("a"), dir.join("b"));
        let waits_for = |mine: &std::path::Path, other: &std::path::Path| {
            shell(&format!(
                "touch {mine}; for i in $(seq 100); do [ -e {other} ] && exit 0; sleep 0.1; done; exit 1",
                mine = mine.display(),
                other = other.display()
            ))
        };
        let result = run(vec![waits_for(&a, &b), waits_for(&b, &a)]);
        std::fs::remove_dir_all(&dir).unwrap();
        result.unwrap();
    }
}
