//! `cargo xtask targets`: the table of targets, for people (the README's
//! Markdown) and for CI (the runnable ones as a JSON matrix).

use anyhow::Result;

use crate::flags::{self, TargetsFormat};

/// `cargo xtask targets`.
pub fn run(flags: flags::Targets) -> Result<()> {
    match flags.format {
        TargetsFormat::Markdown => print!("{}", lockyard_platforms::markdown_table()),
        TargetsFormat::Json => println!("{}", runnable_json()),
    }
    Ok(())
}

/// The runnable targets' short names as a JSON array.
pub fn runnable_json() -> String {
    let names: Vec<String> = lockyard_platforms::runnable().map(|t| t.name()).collect();
    serde_json::to_string(&names).expect("strings serialize")
}
