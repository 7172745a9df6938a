//! `cargo xtask report`: merges report.json files (one per CI job) into
//! one Markdown matrix of targets × backends for the GitHub step summary.
//!
//! The format `test` writes is [`schema`]; merging reports is [`merge`];
//! the Markdown and terminal tables are [`render`].

mod merge;
mod render;
mod schema;

use std::path::PathBuf;

use anyhow::{Result, bail};

pub use merge::Matrix;
#[cfg(test)]
pub use schema::sample;
pub use schema::{Experiment, Figures, Host, Report, SCHEMA, SuiteFigures, TargetRun, Trial, load};

use crate::flags;
use crate::project;

/// The report `cargo xtask test` writes in [`project::report_dir`], and
/// this command reads unless named others.
pub const FILE: &str = "report.json";
/// A chaos run's report, beside the plain one rather than over it.
pub const CHAOS_FILE: &str = "report-chaos.json";

/// `cargo xtask report`: prints the merged Markdown matrix.
pub fn run(flags: flags::Report) -> Result<()> {
    let files: Vec<PathBuf> = if flags.files.is_empty() {
        let sh = project::shell()?;
        let default = project::report_dir(&sh)?.join(FILE);
        if !default.exists() {
            bail!(
                "cannot find {}; run `cargo xtask test` first, or name report files",
                default.display()
            );
        }
        vec![default]
    } else {
        flags.files
    };
    let reports = files.iter().map(|f| load(f)).collect::<Result<Vec<_>>>()?;
    print!("{}", Matrix::merge(&reports).markdown());
    Ok(())
}
