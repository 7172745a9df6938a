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
        if let Some(q) = t.qemu {
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
            // `just --list` is the bare `just`'s recipe: it lists the others.
            let command = body.trim_start_matches('@');
            assert!(
                command.starts_with("cargo xtask") || command.starts_with("just --list"),
                "Justfile recipe line does more than call the xtask: {body}"
            );
        }
    }
}

/// The `src/` folders whose module graphs must stay acyclic.
const CRATE_SOURCES: &[&str] = &["impls/src", "platforms/src", "conformance/src", "xtask/src"];

/// The top-level module a file of `src` belongs to (`os` for
/// `src/os/linux.rs`), or `None` for the crate root: it declares every
/// module and re-exports their items, so every module reaches it and it
/// reaches every module; counting it would make every crate one cycle. What
/// the root defines itself must therefore only be glue over the modules
/// (lockyard's `DefaultLock` alias and `experiment()`), never something a
/// module builds on.
fn top_module(src: &Path, file: &Path) -> Option<String> {
    let first = file.strip_prefix(src).ok()?.components().next()?;
    let name = first.as_os_str().to_str()?.trim_end_matches(".rs");
    (!matches!(name, "lib" | "main")).then(|| name.to_string())
}

/// The modules `text` names through `crate::<module>`, with the line of each
/// first mention. Doc links and comments count: a doc that points at a
/// module leans on it as much as a `use` does.
fn crate_references(text: &str) -> Vec<(String, usize)> {
    let mut out: Vec<(String, usize)> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let mut rest = line;
        while let Some(at) = rest.find("crate::") {
            let before = rest[..at].chars().next_back();
            let after = &rest[at + "crate::".len()..];
            rest = after;
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            // `crate::a::b` names `a`; `crate::{a, b::c}` names `a` and `b`.
            let named: Vec<&str> = match after.strip_prefix('{') {
                Some(group) => group
                    .split('}')
                    .next()
                    .unwrap_or("")
                    .split(',')
                    .map(str::trim)
                    .collect(),
                None => vec![after],
            };
            for path in named {
                let ident: String = path
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !ident.is_empty() && !out.iter().any(|(m, _)| *m == ident) {
                    out.push((ident, n + 1));
                }
            }
        }
    }
    out
}

/// No two modules of a crate depend on each other, directly or through
/// others: each crate is a stack of layers, which is what lets a reader
/// (or a reviewer) take one module at a time.
#[test]
fn modules_form_no_cycles() {
    let root = project::root();
    let mut problems = Vec::new();
    for src in CRATE_SOURCES {
        let src = root.join(src);
        let mut files = Vec::new();
        rust_files(&src, &mut files);
        let mut modules: Vec<String> = files.iter().filter_map(|f| top_module(&src, f)).collect();
        modules.sort();
        modules.dedup();
        let index = |m: &str| modules.iter().position(|x| x == m);
        let n = modules.len();
        // edge[a][b]: where module a first names module b.
        let mut edge: Vec<Vec<Option<String>>> = vec![vec![None; n]; n];
        for file in &files {
            let Some(from) = top_module(&src, file).and_then(|m| index(&m)) else {
                continue;
            };
            for (name, line) in crate_references(&read(file)) {
                if let Some(to) = index(&name)
                    && to != from
                    && edge[from][to].is_none()
                {
                    let rel = file.strip_prefix(&root).unwrap_or(file);
                    edge[from][to] = Some(format!("{}:{line}", rel.display()));
                }
            }
        }
        // Reachability by Floyd–Warshall: the graphs have a few dozen nodes.
        let mut reach: Vec<Vec<bool>> = edge
            .iter()
            .map(|row| row.iter().map(Option::is_some).collect())
            .collect();
        for k in 0..n {
            for i in 0..n {
                for j in 0..n {
                    reach[i][j] |= reach[i][k] && reach[k][j];
                }
            }
        }
        for a in 0..n {
            for b in 0..n {
                if let Some(at) = &edge[a][b]
                    && reach[b][a]
                {
                    problems.push(format!(
                        "{}: `{}` -> `{}` ({at}), and `{}` leads back",
                        src.strip_prefix(&root).unwrap_or(&src).display(),
                        modules[a],
                        modules[b],
                        modules[b]
                    ));
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "module cycles (move the shared piece into a module both can depend on):\n{}",
        problems.join("\n")
    );
}

/// Source files stay small enough to read whole; the table of targets is
/// data and may grow with its rows.
#[test]
fn source_files_stay_under_450_lines() {
    const MAX_LINES: usize = 450;
    let root = project::root();
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    let long: Vec<String> = files
        .iter()
        .filter(|f| !f.ends_with("platforms/src/lib.rs"))
        .filter_map(|f| {
            let lines = read(f).lines().count();
            (lines > MAX_LINES).then(|| format!("{}: {lines} lines", f.display()))
        })
        .collect();
    assert!(
        long.is_empty(),
        "split these files (one concept per file; at most {MAX_LINES} lines):\n{}",
        long.join("\n")
    );
}

/// Every `LOCKYARD_*` variable is named once, in `lockyard_platforms::env`:
/// the harness takes it from there, and lockyard, which builds alone, reads
/// exactly the ones that module says it reads, spelled the same.
#[test]
fn environment_variables_have_one_home() {
    let root = project::root();
    let quoted = concat!("\"", "LOCKYARD_");
    let mut spelled = Vec::new();
    for dir in ["xtask", "conformance"] {
        let mut files = Vec::new();
        rust_files(&root.join(dir), &mut files);
        for file in files.iter().filter(|f| !f.ends_with("tidy.rs")) {
            for (n, line) in read(file).lines().enumerate() {
                if line.contains(quoted) {
                    spelled.push(format!("{}:{}", file.display(), n + 1));
                }
            }
        }
    }
    assert!(
        spelled.is_empty(),
        "use lockyard_platforms::env instead of spelling these variables:\n{}",
        spelled.join("\n")
    );

    let mut files = Vec::new();
    rust_files(&root.join("impls"), &mut files);
    let mut read_by_lockyard: Vec<String> = Vec::new();
    for file in &files {
        let text = read(file);
        let mut rest = text.as_str();
        while let Some(at) = rest.find(concat!("var(", "\"", "LOCKYARD_")) {
            let name: String = rest[at + "var(\"".len()..]
                .chars()
                .take_while(|c| c.is_ascii_uppercase() || *c == '_')
                .collect();
            rest = &rest[at + 1..];
            if !read_by_lockyard.contains(&name) {
                read_by_lockyard.push(name);
            }
        }
    }
    read_by_lockyard.sort();
    let mut expected = vec![
        lockyard_platforms::env::CHAOS.to_string(),
        lockyard_platforms::env::EXPERIMENT.to_string(),
        lockyard_platforms::env::PROFILE_MUTANT.to_string(),
    ];
    expected.sort();
    assert_eq!(
        read_by_lockyard, expected,
        "the variables lockyard reads differ from lockyard_platforms::env's account of them"
    );
}

#[test]
fn crate_references_read_paths_and_groups() {
    let text =
        "use crate::a::X;\nuse crate::{b, c::Y};\n// see `crate::a`\nuse $crate::d; my_crate::e";
    let names: Vec<String> = crate_references(text).into_iter().map(|(m, _)| m).collect();
    assert_eq!(names, ["a", "b", "c", "d"]);
}
