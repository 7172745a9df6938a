//! The [`Matrix`] for people: Markdown for a GitHub step summary, aligned
//! text for a terminal.

use std::fmt::Write as _;

use lockyard_platforms::Runner;

use super::merge::Matrix;
use super::schema::Trial;
use crate::junit::Outcome;

/// The runners of a row, joined by `sep`.
fn joined(runners: &[Runner], sep: &str) -> String {
    runners
        .iter()
        .map(|r| r.name())
        .collect::<Vec<_>>()
        .join(sep)
}

/// A runner as the forge's matrix names it: native runs are on the
/// target's own hardware, which the rows beside them emulate.
fn forge_label(runner: Runner) -> &'static str {
    match runner {
        Runner::Native => "native-hw",
        other => other.name(),
    }
}

impl Matrix {
    /// The matrix as Markdown, for a GitHub step summary.
    pub fn markdown(&self) -> String {
        let mut s = String::from("## lockyard test matrix\n\n");
        s.push_str("| target | runner |");
        for b in &self.backends {
            let _ = write!(s, " {b} |");
        }
        s.push_str("\n| --- | --- |");
        s.push_str(&" --- |".repeat(self.backends.len()));
        s.push('\n');
        for (target, runners) in &self.rows {
            let labels: Vec<&str> = runners.iter().map(|&r| forge_label(r)).collect();
            let _ = write!(s, "| {} | {} |", target.name(), labels.join(", "));
            for b in &self.backends {
                let c = self.cell(target, runners[0], b);
                let total = c.passed + c.failed;
                let known = if c.known == 0 {
                    String::new()
                } else {
                    format!(" + {} known", c.known)
                };
                if total == 0 && c.known == 0 {
                    s.push_str(" – |");
                } else {
                    let mark = if c.failed == 0 { "✅" } else { "❌" };
                    let _ = write!(
                        s,
                        " {mark} {}/{total}{known} · {:.1} s |",
                        c.passed, c.seconds
                    );
                }
            }
            s.push('\n');
        }
        s.push_str(
            "\nRunners: native-hw, the target's own hardware; qemu, qemu-user on an x86_64 \
             host (no weak-memory reorderings); wine, wine on an x86_64 Linux host. Times \
             under qemu and wine are smoke.\n",
        );
        let total = self.total();
        let known = if total.known == 0 {
            String::new()
        } else {
            format!(", {} known", total.known)
        };
        let _ = writeln!(
            s,
            "\n{} passed, {} failed, {} skipped{known} across {} target(s).",
            total.passed,
            total.failed,
            total.skipped,
            self.rows.len()
        );
        let mut notes: Vec<String> = Vec::new();
        for t in self.trials.iter().filter(|t| t.note.is_some()) {
            let line = format!(
                "- `{}` {} ({}, {}): {}",
                t.target.name(),
                t.case,
                t.suite,
                t.runner,
                t.note.as_deref().unwrap_or_default()
            );
            if !notes.contains(&line) {
                notes.push(line);
            }
        }
        if !notes.is_empty() {
            s.push_str("\n### Run another way (known runner bugs)\n\n");
            s.push_str(&notes.join("\n"));
            s.push('\n');
        }
        let inapplicable = self.inapplicable();
        if !inapplicable.is_empty() {
            s.push_str("\n### Not run here (cannot apply on the target)\n\n");
            s.push_str(&inapplicable.join("\n"));
            s.push('\n');
        }
        let limitations = self.limitations();
        if !limitations.is_empty() {
            s.push_str("\n### Known limitations of the peers (not counted as failures)\n\n");
            s.push_str(&limitations.join("\n"));
            s.push('\n');
        }
        let failures: Vec<&Trial> = self.failures().collect();
        if !failures.is_empty() {
            s.push_str("\n### Failures\n\n");
            for t in failures {
                let _ = write!(
                    s,
                    "- `{}` {}::{} ({}, {})",
                    t.target.name(),
                    t.backend,
                    t.case,
                    t.suite,
                    t.runner
                );
                if let Some(m) = &t.message {
                    let _ = write!(s, ": {}", m.replace('\n', " "));
                }
                s.push('\n');
            }
        }
        if !self.hosts.is_empty() {
            s.push_str("\n<details><summary>hosts</summary>\n\n");
            for h in &self.hosts {
                let _ = writeln!(s, "```\n{}\n```", h.header());
            }
            s.push_str("\n</details>\n");
        }
        s
    }

    /// One line per target × suite × case or backend skipped because it
    /// cannot apply there, with the reason.
    fn inapplicable(&self) -> Vec<String> {
        let mut lines: Vec<String> = Vec::new();
        for t in &self.trials {
            let (Outcome::Skipped, Some(reason)) = (t.outcome, &t.message) else {
                continue;
            };
            let what = if t.case.starts_with('(') {
                format!("backend {}", t.backend)
            } else {
                t.case.clone()
            };
            let line = format!(
                "- `{}` {what} ({}, {}): {reason}",
                t.target.name(),
                t.suite,
                t.runner
            );
            if !lines.contains(&line) {
                lines.push(line);
            }
        }
        lines
    }

    /// One line per backend × case × suite that ran as a known limitation:
    /// where it failed as known, where it passed after all, and the note.
    fn limitations(&self) -> Vec<String> {
        let mut seen: Vec<(&str, &str, &str, &str)> = Vec::new();
        for t in &self.trials {
            if let Some(note) = &t.known {
                let key = (
                    t.backend.as_str(),
                    t.case.as_str(),
                    t.suite.as_str(),
                    note.as_str(),
                );
                if !seen.contains(&key) {
                    seen.push(key);
                }
            }
        }
        seen.into_iter()
            .map(|(backend, case, suite, note)| {
                let places = |outcome: Outcome| {
                    self.trials
                        .iter()
                        .filter(|t| {
                            t.known.as_deref() == Some(note)
                                && (t.backend.as_str(), t.case.as_str(), t.suite.as_str())
                                    == (backend, case, suite)
                                && t.outcome == outcome
                        })
                        .map(|t| format!("{} ({})", t.target.name(), t.runner))
                        .collect::<Vec<_>>()
                };
                let mut line = format!("- `{backend}` {case} ({suite})");
                for (outcome, how) in [
                    (Outcome::Known, "failed on"),
                    (Outcome::Passed, "passed on"),
                ] {
                    let at = places(outcome);
                    if !at.is_empty() {
                        let _ = write!(line, ", {how} {}", at.join(", "));
                    }
                }
                let _ = write!(line, ": {note}");
                line
            })
            .collect()
    }

    /// The matrix as plain text for a terminal.
    pub fn text(&self) -> String {
        let mut header = vec!["target".to_string(), "runner".to_string()];
        header.extend(self.backends.iter().cloned());
        let mut lines = vec![header];
        for (target, runners) in &self.rows {
            let mut line = vec![target.name(), joined(runners, ",")];
            for b in &self.backends {
                let c = self.cell(target, runners[0], b);
                let known = if c.known == 0 {
                    String::new()
                } else {
                    format!(" {} known", c.known)
                };
                line.push(if c.passed + c.failed + c.known == 0 {
                    "-".to_string()
                } else if c.failed == 0 {
                    format!("{} ok{known} {:.1}s", c.passed, c.seconds)
                } else {
                    format!(
                        "{} ok {} FAILED{known} {:.1}s",
                        c.passed, c.failed, c.seconds
                    )
                });
            }
            lines.push(line);
        }
        let widths: Vec<usize> = (0..lines[0].len())
            .map(|i| {
                lines
                    .iter()
                    .map(|l| l[i].chars().count())
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let mut s = String::new();
        for line in lines {
            let cells: Vec<String> = line
                .iter()
                .zip(&widths)
                .map(|(c, w)| format!("{c:<w$}"))
                .collect();
            s.push_str(cells.join("  ").trim_end());
            s.push('\n');
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::super::schema::sample::{report, trial, two_targets};
    use super::*;

    #[test]
    fn markdown_has_cells_failures_and_hosts() {
        let md = Matrix::merge(&two_targets()).markdown();
        assert!(md.contains("| target | runner | futex | spinbit |"), "{md}");
        assert!(md.contains("| 386 | qemu | ✅ 1/1 · 0.5 s | – |"), "{md}");
        assert!(
            md.contains("| arm64 | qemu | ✅ 1/1 · 0.5 s | ❌ 0/1 · 0.5 s |"),
            "{md}"
        );
        assert!(
            md.contains("2 passed, 1 failed, 0 skipped across 2 target(s)."),
            "{md}"
        );
        assert!(
            md.contains("- `arm64` spinbit::a (conformance, qemu): lost a wakeup word=0x3"),
            "{md}"
        );
        assert!(md.contains("goarch: amd64"), "{md}");
    }

    #[test]
    fn trials_run_another_way_say_why() {
        let mut native = trial("386", "sema", "x", Outcome::Passed);
        native.runner = Runner::Native;
        native.note = Some("run natively: qemu bug".into());
        let md = Matrix::merge(&[report("386", vec![native])]).markdown();
        assert!(md.contains("| 386 | qemu, native-hw |"), "{md}");
        assert!(md.contains("### Run another way"), "{md}");
        assert!(
            md.contains("- `386` x (conformance, native): run natively: qemu bug"),
            "{md}"
        );
    }

    #[test]
    fn cases_that_cannot_apply_say_why() {
        let mut case = trial("windows/amd64", "futex", "foreign_thread", Outcome::Skipped);
        case.runner = Runner::Wine;
        case.message = Some("needs pthread_create".into());
        let mut backend = trial("windows/amd64", "pthread", "(backend)", Outcome::Skipped);
        backend.runner = Runner::Wine;
        backend.message = Some("no POSIX threads".into());
        let plain = trial("windows/amd64", "futex", "a", Outcome::Passed);
        let m = Matrix::merge(&[report("windows/amd64", vec![case, backend, plain])]);
        assert_eq!((m.total().skipped, m.total().failed), (2, 0));
        let md = m.markdown();
        assert!(md.contains("### Not run here"), "{md}");
        assert!(
            md.contains(
                "- `windows/amd64` foreign_thread (conformance, wine): needs pthread_create"
            ),
            "{md}"
        );
        assert!(
            md.contains("- `windows/amd64` backend pthread (conformance, wine): no POSIX threads"),
            "{md}"
        );
    }

    #[test]
    fn known_limitations_are_counted_apart_and_explained() {
        let mut known = trial("arm64", "parking_lot", "global_allocator", Outcome::Known);
        known.known = Some("the peer allocates".into());
        let mut passed = known.clone();
        passed.target = lockyard_platforms::find("386").unwrap();
        passed.outcome = Outcome::Passed;
        let plain = trial("arm64", "parking_lot", "a", Outcome::Passed);
        let m = Matrix::merge(&[report("arm64", vec![known, passed, plain])]);
        assert_eq!(m.total().failed, 0);
        assert_eq!(m.total().known, 1);
        let md = m.markdown();
        assert!(
            md.contains("| arm64 | qemu | ✅ 1/1 + 1 known · 1.0 s |"),
            "{md}"
        );
        assert!(
            md.contains("2 passed, 0 failed, 0 skipped, 1 known across"),
            "{md}"
        );
        assert!(
            md.contains(
                "- `parking_lot` global_allocator (conformance), failed on arm64 (qemu), \
                 passed on 386 (qemu): the peer allocates"
            ),
            "{md}"
        );
        assert!(!md.contains("### Failures"), "{md}");
        assert!(m.text().contains("1 ok 1 known 1.0s"), "{}", m.text());
    }

    #[test]
    fn text_matrix_aligns() {
        let m = Matrix::merge(&[report(
            "ppc64",
            vec![
                trial("ppc64", "futex", "a", Outcome::Passed),
                trial("ppc64", "futex", "b", Outcome::Failed),
            ],
        )]);
        let text = m.text();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "target  runner  futex");
        assert_eq!(lines[1], "ppc64   qemu    1 ok 1 FAILED 1.0s");
    }
}
