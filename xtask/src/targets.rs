//! `cargo xtask targets`: the table of targets, for people (the README's
//! Markdown) and for CI (the runnable ones as a JSON matrix).

use anyhow::Result;
use lockyard_platforms::Target;

use crate::flags::{self, TargetsFormat};

/// `cargo xtask targets`.
pub fn run(flags: flags::Targets) -> Result<()> {
    match flags.format {
        TargetsFormat::Markdown => print!("{}", lockyard_platforms::markdown_table()),
        TargetsFormat::Json => println!("{}", runnable_json()),
        TargetsFormat::HardwareJson => {
            println!(
                "{}",
                hardware_json(|var| std::env::var(var).is_ok_and(|v| v == "true"))
            )
        }
    }
    Ok(())
}

/// The targets a forge runs natively, as a JSON array for the workflow's
/// hardware matrix: name, file stem, triple (the job installs the Rust
/// toolchain of that host: on Windows the GNU one, whose triple is the
/// table's) and runner label. A target behind an opt-in variable is in it
/// only when `opted_in(variable)`.
pub fn hardware_json(opted_in: impl Fn(&str) -> bool) -> String {
    let rows: Vec<serde_json::Value> = lockyard_platforms::TARGETS
        .iter()
        .filter_map(|t| {
            let hw = t.hardware?;
            hw.opt_in.is_none_or(&opted_in).then(|| {
                let mut row = matrix_row(t);
                row["triple"] = t.triple.into();
                row["runs_on"] = hw.runs_on.into();
                row
            })
        })
        .collect();
    serde_json::to_string(&rows).expect("strings serialize")
}

/// The runnable targets as a JSON array for a CI matrix: each its short
/// name and the name as one path component (for artifact names).
pub fn runnable_json() -> String {
    let rows: Vec<serde_json::Value> = lockyard_platforms::runnable().map(matrix_row).collect();
    serde_json::to_string(&rows).expect("strings serialize")
}

/// A target as a row of a CI matrix: its short name and the name as one
/// path component (for artifact names).
fn matrix_row(t: &Target) -> serde_json::Value {
    serde_json::json!({ "name": t.name(), "file_stem": t.file_stem() })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_matrix_names_every_runnable_target() {
        let rows: Vec<serde_json::Value> = serde_json::from_str(&super::runnable_json()).unwrap();
        let names: Vec<&str> = rows.iter().filter_map(|r| r["name"].as_str()).collect();
        assert_eq!(
            names,
            [
                "386",
                "amd64",
                "arm",
                "arm64",
                "ppc64",
                "ppc64le",
                "windows/amd64"
            ]
        );
        assert!(rows.iter().all(|r| r["file_stem"].is_string()));
    }

    #[test]
    fn the_hardware_matrix_takes_opt_in_runners_only_when_asked() {
        let labels = |opted: bool| {
            let json = super::hardware_json(|_| opted);
            let rows: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
            rows.iter()
                .map(|r| {
                    format!(
                        "{}@{}",
                        r["name"].as_str().unwrap(),
                        r["runs_on"].as_str().unwrap()
                    )
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(
            labels(false),
            [
                "arm64@ubuntu-24.04-arm",
                "darwin/arm64@macos-14",
                "windows/amd64@windows-latest"
            ]
        );
        assert!(labels(true).contains(&"ppc64le@ubuntu-24.04-ppc64le".to_string()));
        let json = super::hardware_json(|_| false);
        let windows = lockyard_platforms::find("windows/amd64").unwrap();
        let triple = format!(r#""triple":"{}""#, windows.triple);
        assert!(json.contains(&triple), "{json}");
    }
}
