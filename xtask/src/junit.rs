//! Reads the JUnit XML that nextest writes for a profile with `junit.path`.
//!
//! nextest writes it with `quick-junit`, and reading it back goes through
//! the same crate's deserializer, so the two cannot drift apart on the
//! shape: `<testsuite name="<package>::<binary>">` per test binary, a
//! `<testcase>` per test with its time, and a status (failure or error,
//! skipped, or success with any flaky reruns) with the captured output.
//! What is ours is the verdict on it: the outcome, and the one line that
//! says why a case failed.

use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result};
use lockyard_platforms::suite::ABORT_PREFIX;
use quick_junit::{Report, TestCase, TestCaseStatus};
use serde::{Deserialize, Serialize};

/// How one test case ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// It passed.
    Passed,
    /// It failed, timed out or crashed.
    Failed,
    /// It was not run.
    Skipped,
    /// It failed as a known limitation of its backend says it does
    /// (`nextest::plan::KNOWN_ISSUES`): never read from JUnit, but the
    /// xtask's verdict on such a failure, counted apart from failures.
    Known,
}

/// One `<testcase>`.
#[derive(Clone, Debug, PartialEq)]
pub struct Case {
    /// The test binary: the part of the suite name after `::`.
    pub binary: String,
    /// The test's full name (`spinbit::mutual_exclusion_4`).
    pub name: String,
    /// How it ended.
    pub outcome: Outcome,
    /// Wall time in seconds.
    pub duration_s: f64,
    /// The failure's message attribute or first line, when it failed.
    pub message: Option<String>,
}

/// Parses the JUnit file at `path`.
pub fn read(path: &Path) -> Result<Vec<Case>> {
    let xml =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    parse(&xml).with_context(|| format!("cannot parse JUnit XML in {}", path.display()))
}

/// The text of a failed case's children.
#[derive(Default)]
struct Texts {
    failure_type: Option<String>,
    failure: String,
    stdout: String,
    stderr: String,
}

impl Texts {
    /// The most telling line: libtest's `---- name ----` report on stdout,
    /// else a panic message on stderr, else the failure's own text, else its
    /// type; with the type appended when it adds something.
    fn message(&self, name: &str) -> Option<String> {
        let first_after = |text: &str, marker: &dyn Fn(&str) -> bool| {
            let mut lines = text.lines().map(str::trim);
            lines.find(|l| marker(l))?;
            lines.find(|l| !l.is_empty()).map(str::to_string)
        };
        let header = format!("---- {name} ----");
        let detail = first_after(&self.stdout, &|l| l == header)
            .or_else(|| first_after(&self.stderr, &|l| l.contains("panicked at")))
            .or_else(|| {
                self.failure
                    .lines()
                    .map(str::trim)
                    .find(|l| !l.is_empty())
                    .map(str::to_string)
            });
        match (detail, &self.failure_type) {
            (Some(d), Some(t)) => Some(format!("{d} ({t})")),
            (Some(d), None) => Some(d),
            (None, t) => t.clone(),
        }
    }
}

impl Texts {
    /// What the suite wrote to stderr just before it aborted, if it did:
    /// the line after [`ABORT_PREFIX`].
    fn last_words(&self) -> Option<String> {
        self.stderr
            .lines()
            .find_map(|l| l.trim().strip_prefix(ABORT_PREFIX))
            .map(str::to_string)
    }
}

/// Parses nextest JUnit XML text.
pub fn parse(xml: &str) -> Result<Vec<Case>> {
    let report = Report::deserialize_from_str(xml).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut cases = Vec::new();
    for suite in &report.test_suites {
        let binary = suite.name.as_str().rsplit("::").next().unwrap_or_default();
        cases.extend(suite.test_cases.iter().map(|case| verdict(binary, case)));
    }
    Ok(cases)
}

/// One case's outcome, and for a failure the line that says why: what the
/// suite said before aborting, else the failure's message attribute, else
/// the most telling line of its output ([`Texts::message`]).
fn verdict(binary: &str, case: &TestCase) -> Case {
    let name = case.name.as_str().to_string();
    let text =
        |s: Option<&quick_junit::XmlString>| s.map(|s| s.as_str().to_string()).unwrap_or_default();
    let (outcome, message) = match &case.status {
        TestCaseStatus::Success { .. } => (Outcome::Passed, None),
        TestCaseStatus::Skipped { .. } => (Outcome::Skipped, None),
        TestCaseStatus::NonSuccess {
            message,
            ty,
            description,
            ..
        } => {
            let texts = Texts {
                failure_type: ty.as_ref().map(|t| t.as_str().to_string()),
                failure: text(description.as_ref()),
                stdout: text(case.system_out.as_ref()),
                stderr: text(case.system_err.as_ref()),
            };
            let how = message.as_ref().map(|m| m.as_str().to_string());
            let message = match (texts.last_words(), how) {
                (Some(words), Some(how)) => Some(format!("{words} ({how})")),
                (Some(words), None) => Some(words),
                (None, Some(how)) => Some(how),
                (None, None) => texts.message(&name),
            };
            (Outcome::Failed, message)
        }
    };
    Case {
        binary: binary.to_string(),
        name,
        outcome,
        duration_s: case.time.map_or(0.0, |t: Duration| t.as_secs_f64()),
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="nextest-run" tests="4" failures="1" errors="0" time="1.5">
    <testsuite name="lockyard-conformance::conformance" tests="4" disabled="0" errors="0" failures="1">
        <testcase name="futex::mutual_exclusion_2" classname="lockyard-conformance::conformance" time="0.25">
        </testcase>
        <testcase name="sema::no_lost_wakeup" classname="lockyard-conformance::conformance" time="1.125">
            <failure type="test failure with exit code 101"/>
            <system-out>
running 1 test
test sema::no_lost_wakeup ... FAILED

failures:

---- sema::no_lost_wakeup ----
watchdog: sema hung, word=0x3
</system-out>
            <system-err>thread &apos;x&apos; panicked at a.rs:1:1:
boom</system-err>
        </testcase>
        <testcase name="spinbit::misuse" classname="lockyard-conformance::conformance" time="0.5"/>
        <testcase name="spinbit::slow" classname="lockyard-conformance::conformance" time="0">
            <skipped/>
        </testcase>
    </testsuite>
</testsuites>
"#;

    #[test]
    fn parses_nextest_junit() {
        let cases = parse(SAMPLE).unwrap();
        assert_eq!(cases.len(), 4);
        assert_eq!(cases[0].binary, "conformance");
        assert_eq!(cases[0].name, "futex::mutual_exclusion_2");
        assert_eq!(cases[0].outcome, Outcome::Passed);
        assert_eq!(cases[0].duration_s, 0.25);
        assert_eq!(cases[1].outcome, Outcome::Failed);
        assert_eq!(
            cases[1].message.as_deref(),
            Some("watchdog: sema hung, word=0x3 (test failure with exit code 101)")
        );
        assert_eq!(cases[2].outcome, Outcome::Passed);
        assert_eq!(cases[2].name, "spinbit::misuse");
        assert_eq!(cases[3].outcome, Outcome::Skipped);
    }

    #[test]
    fn failure_message_attribute_wins() {
        let xml = r#"<testsuites><testsuite name="p::b"><testcase name="a::b" time="1">
            <failure message="timed out after 300s" type="test timeout"/></testcase></testsuite></testsuites>"#;
        let cases = parse(xml).unwrap();
        assert_eq!(cases[0].outcome, Outcome::Failed);
        assert_eq!(cases[0].message.as_deref(), Some("timed out after 300s"));
    }

    #[test]
    fn last_words_before_an_abort_lead_the_message() {
        let xml = format!(
            r#"<testsuites><testsuite name="p::b"><testcase name="futex::global_allocator" time="0">
            <failure message="process aborted with signal 6 (SIGABRT)" type="test abort"/>
            <system-err>
{ABORT_PREFIX}global_allocator: re-entered under `futex`
</system-err></testcase></testsuite></testsuites>"#
        );
        let cases = parse(&xml).unwrap();
        assert_eq!(
            cases[0].message.as_deref(),
            Some(
                "global_allocator: re-entered under `futex` (process aborted with signal 6 (SIGABRT))"
            )
        );
    }

    #[test]
    fn panic_message_from_stderr() {
        let xml = r#"<testsuites><testsuite name="p::b"><testcase name="a::b" time="1">
            <failure type="test abort"/><system-out></system-out>
            <system-err>thread &apos;x&apos; panicked at a.rs:1:1:
unlock of unlocked lock
</system-err></testcase></testsuite></testsuites>"#;
        let cases = parse(xml).unwrap();
        assert_eq!(
            cases[0].message.as_deref(),
            Some("unlock of unlocked lock (test abort)")
        );
    }

    #[test]
    fn a_pass_after_retries_is_a_pass() {
        // nextest's shape for a test that failed, then passed on a retry
        // (the starvation suite's mutex_fairness has retries).
        let xml = r#"<testsuites><testsuite name="p::starvation"><testcase name="spinbit::mutex_fairness" time="2.5">
            <flakyFailure message="ran 9 of 10" type="test failure"><system-err>first try</system-err></flakyFailure>
            </testcase></testsuite></testsuites>"#;
        let cases = parse(xml).unwrap();
        assert_eq!(
            (
                cases[0].binary.as_str(),
                cases[0].outcome,
                cases[0].message.as_deref()
            ),
            ("starvation", Outcome::Passed, None)
        );
    }

    #[test]
    fn truncated_xml_is_an_error() {
        assert!(parse(r#"<testsuites><testsuite name="p::b"><testcase name="a::b">"#).is_err());
    }
}
