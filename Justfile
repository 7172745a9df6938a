# Thin recipes over `cargo xtask`; `cargo xtask --help` documents them all.

# List the recipes (a bare `just`; the main job is `just test-all`).
default:
    @just --list --unsorted

# Install what the targets and CI need (Debian packages, rustup targets, nextest, linters).
setup *args:
    cargo xtask setup {{args}}

# Run the suites: `just test --target arm64 --backend spinbit`.
test *args:
    cargo xtask test {{args}}

# Every suite on all six targets.
test-all *args:
    cargo xtask test --target all {{args}}

# Check lockyard for the check-only targets.
check *args:
    cargo xtask check {{args}}

# Everything CI runs.
ci *args:
    cargo xtask ci {{args}}

# Go's runtime mutex benchmarks: `just bench --count 10 --compare futex,spinbit`.
bench *args:
    cargo xtask bench {{args}}

# Merge report.json files into one Markdown matrix.
report *files:
    cargo xtask report {{files}}

# The table of targets.
targets *args:
    cargo xtask targets {{args}}

# lockyard's loom models at LOOM_MAX_PREEMPTIONS=3 (`--preemptions N`, a name filter).
loom *args:
    cargo xtask loom {{args}}

# lockyard's tests under Miri on the pinned nightly (`--install` adds it).
miri *args:
    cargo xtask miri {{args}}

# The positive controls against every suite; fails if one survives.
mutants *args:
    cargo xtask mutants {{args}}
