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

/// The runnable targets as a JSON array for a CI matrix: each its short
/// name and the name as one path component (for artifact names).
pub fn runnable_json() -> String {
    let rows: Vec<serde_json::Value> = lockyard_platforms::runnable()
        .map(|t| serde_json::json!({ "name": t.name(), "file_stem": t.file_stem() }))
        .collect();
    serde_json::to_string(&rows).expect("strings serialize")
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_matrix_names_every_runnable_target() {
        let rows: Vec<serde_json::Value> = serde_json::from_str(&super::runnable_json()).unwrap();
        let names: Vec<&str> = rows.iter().filter_map(|r| r["name"].as_str()).collect();
        assert_eq!(names, ["386", "amd64", "arm", "arm64", "ppc64", "ppc64le"]);
        assert!(rows.iter().all(|r| r["file_stem"].is_string()));
    }
}
