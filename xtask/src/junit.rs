//! Reads the JUnit XML that nextest writes for a profile with `junit.path`.
//!
//! The shape (nextest's `quick-junit` output): `<testsuites>` holds one
//! `<testsuite name="<package>::<binary>">` per test binary, each holding
//! `<testcase name=".." time="seconds">`, whose children say how it ended:
//! `<failure>` or `<error>` (failed, timed out, crashed), `<skipped>`, or
//! nothing (passed; `<flakyFailure>` marks a pass after retries).

use std::path::Path;

use anyhow::{Context, Result, bail};
use lockyard_platforms::suite::ABORT_PREFIX;
use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;
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

fn attr(e: &BytesStart<'_>, name: &[u8]) -> Result<Option<String>> {
    for a in e.attributes() {
        let a = a?;
        if a.key.as_ref() == name {
            return Ok(Some(a.unescape_value()?.into_owned()));
        }
    }
    Ok(None)
}

/// The text of a failed case's children, gathered while parsing.
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

/// Which child's text is being read.
#[derive(Clone, Copy, PartialEq)]
enum Capture {
    Failure,
    Stdout,
    Stderr,
}

/// Parses nextest JUnit XML text.
pub fn parse(xml: &str) -> Result<Vec<Case>> {
    let mut reader = Reader::from_str(xml);
    let mut cases = Vec::new();
    let mut binary = String::new();
    let mut current: Option<(Case, Texts)> = None;
    // Text is gathered still escaped (entities arrive as separate events)
    // and unescaped when its element ends.
    let mut capture: Option<(Capture, String)> = None;
    loop {
        let event = reader.read_event()?;
        match &event {
            Event::Start(e) | Event::Empty(e) => {
                let empty = matches!(event, Event::Empty(_));
                match e.name().as_ref() {
                    b"testsuite" => {
                        let name = attr(e, b"name")?.unwrap_or_default();
                        binary = name.rsplit("::").next().unwrap_or_default().to_string();
                    }
                    b"testcase" => {
                        let case = Case {
                            binary: binary.clone(),
                            name: attr(e, b"name")?.context("a <testcase> has no name")?,
                            outcome: Outcome::Passed,
                            duration_s: attr(e, b"time")?
                                .and_then(|t| t.parse().ok())
                                .unwrap_or(0.0),
                            message: None,
                        };
                        if empty {
                            cases.push(case);
                        } else {
                            current = Some((case, Texts::default()));
                        }
                    }
                    b"failure" | b"error" => {
                        if let Some((case, texts)) = current.as_mut() {
                            case.outcome = Outcome::Failed;
                            case.message = case.message.take().or(attr(e, b"message")?);
                            texts.failure_type = texts.failure_type.take().or(attr(e, b"type")?);
                            if !empty {
                                capture = Some((Capture::Failure, String::new()));
                            }
                        }
                    }
                    b"system-out" if !empty && current.is_some() => {
                        capture = Some((Capture::Stdout, String::new()));
                    }
                    b"system-err" if !empty && current.is_some() => {
                        capture = Some((Capture::Stderr, String::new()));
                    }
                    b"skipped" => {
                        if let Some((case, _)) = current.as_mut()
                            && case.outcome == Outcome::Passed
                        {
                            case.outcome = Outcome::Skipped;
                        }
                    }
                    _ => {}
                }
            }
            Event::Text(t) => {
                if let Some((_, text)) = capture.as_mut() {
                    text.push_str(&t.decode()?);
                }
            }
            Event::GeneralRef(r) => {
                if let Some((_, text)) = capture.as_mut() {
                    text.push('&');
                    text.push_str(&r.decode()?);
                    text.push(';');
                }
            }
            Event::End(e) => match e.name().as_ref() {
                b"testcase" => {
                    if let Some((mut case, texts)) = current.take() {
                        if case.outcome == Outcome::Failed {
                            case.message = match (texts.last_words(), case.message.take()) {
                                (Some(words), Some(how)) => Some(format!("{words} ({how})")),
                                (Some(words), None) => Some(words),
                                (None, Some(how)) => Some(how),
                                (None, None) => texts.message(&case.name),
                            };
                        }
                        cases.push(case);
                    }
                }
                b"failure" | b"error" | b"system-out" | b"system-err" => {
                    if let (Some((which, raw)), Some((_, texts))) =
                        (capture.take(), current.as_mut())
                    {
                        let text = quick_xml::escape::unescape(&raw)
                            .map_or(raw.clone(), |t| t.into_owned());
                        match which {
                            Capture::Failure => texts.failure = text,
                            Capture::Stdout => texts.stdout = text,
                            Capture::Stderr => texts.stderr = text,
                        }
                    }
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    if current.is_some() {
        bail!("the XML ends inside a <testcase>");
    }
    Ok(cases)
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
    fn truncated_xml_is_an_error() {
        assert!(parse(r#"<testsuites><testsuite name="p::b"><testcase name="a::b">"#).is_err());
    }
}
