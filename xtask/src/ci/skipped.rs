//! The error of a step that could not run here.

/// A step that could not run here, for a reason that is not a failure
/// (Miri not installable): reported as skipped, not failed.
#[derive(Debug)]
pub struct Skipped(pub String);

impl std::fmt::Display for Skipped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Skipped {}
