//! Results that stand for trials that did not run: a build or run that
//! gave none fails as one pseudo-trial, and a case or backend that cannot
//! apply on a target is skipped with its reason.

use super::plan::Plan;
use crate::junit::Outcome;
use crate::report::Trial;

/// A failed pseudo-trial standing for a build or run that gave no results.
pub fn synthetic(plan: &Plan, backend: &str, suite: &str, case: &str, e: &anyhow::Error) -> Trial {
    Trial {
        target: plan.target,
        backend: backend.to_string(),
        suite: suite.to_string(),
        case: case.to_string(),
        outcome: Outcome::Failed,
        duration_s: 0.0,
        runner: plan.runner,
        message: Some(format!("{e:#}")),
        note: None,
        known: None,
    }
}

/// The result of a case or backend that cannot apply on the plan's target
/// (a POSIX-only one on Windows): skipped, with `reason` as its message.
pub fn not_applicable(plan: &Plan, backend: &str, suite: &str, case: &str, reason: &str) -> Trial {
    Trial {
        target: plan.target,
        backend: backend.to_string(),
        suite: suite.to_string(),
        case: case.to_string(),
        outcome: Outcome::Skipped,
        duration_s: 0.0,
        runner: plan.runner,
        message: Some(reason.to_string()),
        note: None,
        known: None,
    }
}
