//! Repository rules that no compiler checks, run as tests (so `cargo xtask
//! ci`'s host tests enforce them).

use std::fs;
use std::path::{Path, PathBuf};

use crate::project;

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Every `.rs` file of the workspace, outside target directories.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if path.is_dir() {
            if !name.starts_with('.') && !name.starts_with("target") {
                rust_files(&path, out);
            }
        } else if name.ends_with(".rs") {
            out.push(path);
        }
    }
}

/// The README carries the table lockyard-platforms prints, unedited.
#[test]
fn readme_targets_table_matches_platforms() {
    let readme = read(&project::root().join("README.md"));
    let table = lockyard_platforms::markdown_table();
    assert!(
        readme.contains(&table),
        "README.md's targets table differs from lockyard-platforms; replace it with the output of \
         `cargo xtask targets`:\n{table}"
    );
}

/// The README opens with the commands a newcomer types.
#[test]
fn readme_gives_the_two_commands() {
    let readme = read(&project::root().join("README.md"));
    for command in [
        "cargo xtask setup",
        "cargo xtask test --target all",
        "cargo xtask ci",
    ] {
        assert!(
            readme.contains(command),
            "README.md does not mention `{command}`"
        );
    }
}

/// Every `unsafe {` block in the workspace has a `// SAFETY:` comment on the
/// lines just above it or on its own line. clippy's
/// `undocumented_unsafe_blocks` checks the same, but only in code compiled
/// for the host: this also covers the other OSes' files.
#[test]
fn unsafe_blocks_have_safety_comments() {
    /// How far above an `unsafe {` its comment may start (a bulleted
    /// SAFETY comment spans several lines).
    const LOOKBACK: usize = 12;
    let mut files = Vec::new();
    rust_files(&project::root(), &mut files);
    let mut missing = Vec::new();
    for file in files {
        let text = read(&file);
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            if !code.contains(concat!("unsafe", " {")) {
                continue;
            }
            let from = i.saturating_sub(LOOKBACK);
            if !lines[from..=i].iter().any(|l| l.contains("SAFETY:")) {
                missing.push(format!("{}:{}", file.display(), i + 1));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "unsafe blocks without a `// SAFETY:` comment just above:\n{}",
        missing.join("\n")
    );
}

/// Only lockyard-platforms names targets: the harness files read the table.
#[test]
fn harness_files_hard_code_no_target() {
    let root = project::root();
    let mut files: Vec<PathBuf> = [
        "Justfile",
        ".ci/run",
        ".config/nextest.toml",
        ".github/workflows/ci.yml",
    ]
    .iter()
    .map(|f| root.join(f))
    .collect();
    let mut xtask_files = Vec::new();
    rust_files(&root.join("xtask"), &mut xtask_files);
    files.extend(xtask_files.into_iter().filter(|f| !f.ends_with("tidy.rs")));

    let mut words: Vec<&str> = Vec::new();
    for t in lockyard_platforms::TARGETS {
        words.push(t.triple);
        words.extend(t.linker);
        if let lockyard_platforms::Run::Qemu(q) = t.run {
            words.push(q.binary);
            words.push(q.sysroot);
        }
    }
    let mut found = Vec::new();
    for file in files.iter().filter(|f| f.exists()) {
        let text = read(file);
        for word in &words {
            if text.contains(word) {
                found.push(format!("{}: {word}", file.display()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "these files name targets that belong in lockyard-platforms' table:\n{}",
        found.join("\n")
    );
}

/// The Justfile stays thin: every recipe line runs the xtask.
#[test]
fn justfile_recipes_run_the_xtask() {
    let justfile = read(&project::root().join("Justfile"));
    for line in justfile.lines() {
        let body = line.trim();
        if line.starts_with([' ', '\t']) && !body.is_empty() && !body.starts_with('#') {
            assert!(
                body.trim_start_matches('@').starts_with("cargo xtask"),
                "Justfile recipe line does more than call the xtask: {body}"
            );
        }
    }
}
