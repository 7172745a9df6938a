//! The one table of targets lockyard builds, runs and checks.
//!
//! Every other part of the project (the xtask, the CI workflow, the README's
//! table) reads its targets from [`TARGETS`]; none spells a target itself.
//! A row says what the target is (Go's GOOS/GOARCH, the Rust triple, byte
//! order, pointer width, whether it has a native 8-bit atomic swap, lockyard's
//! default backend there) and how this project's machines reach it: natively,
//! under qemu-user with the cross sysroot, or with `cargo check` only. The
//! "how" assumes an x86_64 Linux host ([`TABLE_HOST`]), which is what the
//! development machines and CI run on.
//!
//! Targets are named either way: by Go name (`arm64`, or `darwin/arm64` for
//! a non-Linux one) or by Rust triple (`aarch64-unknown-linux-gnu`). See
//! [`find`] and [`select`].

#![warn(missing_docs)]

pub mod benchname;
pub mod env;
pub mod host;
pub mod suite;

use std::fmt;

/// The host the [`Target::qemu`] and [`Target::native`] columns are written
/// for.
pub const TABLE_HOST: &str = "x86_64-unknown-linux-gnu";

/// Byte order of a target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Endian {
    /// Least significant byte first.
    Little,
    /// Most significant byte first: the flag byte of a word is its last byte.
    Big,
}

impl fmt::Display for Endian {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Endian::Little => "little",
            Endian::Big => "big",
        })
    }
}

/// The way a run executes a target's binaries. A row of [`TARGETS`] says
/// which of these its target supports ([`Target::runners`]) and with what.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Runner {
    /// Executed by the host's kernel, directly or through the target's own
    /// dynamic loader.
    Native,
    /// Executed under qemu-user.
    Qemu,
    /// A Windows binary executed by wine on the host: the program's own
    /// code runs natively, the Windows API is wine's.
    Wine,
    /// Built and run in cross-rs's container image for the target, whose
    /// toolchain and qemu-user replace the host's: where a container
    /// engine runs, for a target qemu runs.
    Cross,
}

impl Runner {
    /// Every runner, in the order command lines list them.
    pub const ALL: [Runner; 4] = [Runner::Native, Runner::Qemu, Runner::Wine, Runner::Cross];

    /// The lower-case name used on command lines and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Runner::Native => "native",
            Runner::Qemu => "qemu",
            Runner::Wine => "wine",
            Runner::Cross => "cross",
        }
    }

    /// Whether its timings are the target's: not under an emulator or a
    /// reimplemented OS, whose figures are smoke.
    pub fn measures(self) -> bool {
        self == Runner::Native
    }
}

impl fmt::Display for Runner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A name that is none of [`Runner::ALL`]'s.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownRunner(pub String);

impl fmt::Display for UnknownRunner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = Runner::ALL.iter().map(|r| r.name()).collect();
        write!(
            f,
            "unknown runner `{}`; valid runners: {}",
            self.0,
            names.join(", ")
        )
    }
}

impl std::error::Error for UnknownRunner {}

impl std::str::FromStr for Runner {
    type Err = UnknownRunner;

    /// Parses a [`Runner::name`].
    fn from_str(s: &str) -> Result<Runner, UnknownRunner> {
        Runner::ALL
            .into_iter()
            .find(|r| r.name() == s)
            .ok_or_else(|| UnknownRunner(s.to_string()))
    }
}

/// How qemu-user runs a target's binaries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Qemu {
    /// The qemu-user binary (`qemu-aarch64`).
    pub binary: &'static str,
    /// The target's C library root, passed as `-L`: the dynamic loader and
    /// libc the cross `libc6-dev-*-cross` package installs there.
    pub sysroot: &'static str,
}

/// How wine runs a Windows target's binaries on [`TABLE_HOST`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Wine {
    /// The wine loader (`wine`; Debian's `wine64` package adds the 64-bit
    /// half it hands 64-bit binaries to).
    pub binary: &'static str,
    /// The prefix (the Windows directory tree and registry wine runs a
    /// binary in), relative to the workspace root like nextest's store, so
    /// that runs are quiet, repeatable and leave `~/.wine` alone.
    pub prefix_dir: &'static str,
}

/// A forge's machine that runs a target natively, on its own hardware:
/// a job of the workflow (`.github/workflows/ci.yml`) beside the emulated
/// runs, where an ordering bug qemu cannot show would fail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hardware {
    /// The GitHub Actions runner label (`ubuntu-24.04-arm`).
    pub runs_on: &'static str,
    /// The repository variable that must be `true` for the job to run,
    /// for runners a project has to be granted (IBM's Power runners); the
    /// job always runs when `None`.
    pub opt_in: Option<&'static str>,
}

/// How [`TABLE_HOST`]'s kernel runs a target's binaries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Native {
    /// As they are: the target is the host.
    Direct,
    /// Through the target's own dynamic loader, for a foreign libc the
    /// kernel can still run (i686 on x86_64, through ia32 compat).
    Loader(NativeLoader),
}

/// Running a foreign-libc binary natively through its own dynamic loader:
/// `LOADER --library-path LIBRARY_PATH BINARY`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NativeLoader {
    /// The target's dynamic loader (`ld-linux.so.2`).
    pub loader: &'static str,
    /// Where the loader finds the target's libc.
    pub library_path: &'static str,
}

/// One target: what it is and how this project reaches it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Target {
    /// Go's GOOS (`linux`, `darwin`, `windows`, ...).
    pub goos: &'static str,
    /// Go's GOARCH (`386`, `amd64`, `arm`, `arm64`, `ppc64`, `ppc64le`).
    pub goarch: &'static str,
    /// The Rust target triple.
    pub triple: &'static str,
    /// Rust's `target_os`.
    pub os: &'static str,
    /// Rust's `target_arch`.
    pub arch: &'static str,
    /// Byte order.
    pub endian: Endian,
    /// Pointer width in bits.
    pub pointer_width: u32,
    /// Whether the architecture has a native 8-bit atomic swap (Go's
    /// `haveXchg8`), which spinbit's byte path needs.
    pub xchg8: bool,
    /// lockyard's default backend there with no experiment set: `spinbit`
    /// where the 8-bit swap exists, else the tristate lock Go used on that OS.
    pub default_backend: &'static str,
    /// How qemu-user runs its binaries on [`TABLE_HOST`], where it does.
    pub qemu: Option<Qemu>,
    /// How [`TABLE_HOST`]'s kernel runs them, where it can.
    pub native: Option<Native>,
    /// How wine runs them, for a Windows target. A target with none of
    /// qemu, native and wine is check-only.
    pub wine: Option<Wine>,
    /// The forge's machine that runs it natively, where one exists.
    pub hardware: Option<Hardware>,
    /// The C compiler cargo links with, when not the host's `cc`.
    pub linker: Option<&'static str>,
    /// The Debian packages that provide the linker, sysroot and emulator.
    pub packages: &'static [&'static str],
}

/// Every target, runnable Linux ones first in Go's GOARCH order.
pub const TARGETS: &[Target] = &[
    Target {
        goos: "linux",
        goarch: "386",
        triple: "i686-unknown-linux-gnu",
        os: "linux",
        arch: "x86",
        endian: Endian::Little,
        pointer_width: 32,
        xchg8: true,
        default_backend: "spinbit",
        qemu: Some(Qemu {
            binary: "qemu-i386",
            sysroot: "/usr/i686-linux-gnu",
        }),
        native: Some(Native::Loader(NativeLoader {
            loader: "/usr/i686-linux-gnu/lib/ld-linux.so.2",
            library_path: "/usr/i686-linux-gnu/lib",
        })),
        wine: None,
        hardware: None,
        linker: Some("i686-linux-gnu-gcc"),
        packages: &["gcc-i686-linux-gnu", "libc6-dev-i386-cross", "qemu-user"],
    },
    Target {
        goos: "linux",
        goarch: "amd64",
        triple: "x86_64-unknown-linux-gnu",
        os: "linux",
        arch: "x86_64",
        endian: Endian::Little,
        pointer_width: 64,
        xchg8: true,
        default_backend: "spinbit",
        qemu: None,
        native: Some(Native::Direct),
        wine: None,
        hardware: None,
        linker: None,
        packages: &[],
    },
    Target {
        goos: "linux",
        goarch: "arm",
        triple: "armv7-unknown-linux-gnueabihf",
        os: "linux",
        arch: "arm",
        endian: Endian::Little,
        pointer_width: 32,
        xchg8: true,
        default_backend: "spinbit",
        qemu: Some(Qemu {
            binary: "qemu-arm",
            sysroot: "/usr/arm-linux-gnueabihf",
        }),
        native: None,
        wine: None,
        hardware: None,
        linker: Some("arm-linux-gnueabihf-gcc"),
        packages: &[
            "gcc-arm-linux-gnueabihf",
            "libc6-dev-armhf-cross",
            "qemu-user",
        ],
    },
    Target {
        goos: "linux",
        goarch: "arm64",
        triple: "aarch64-unknown-linux-gnu",
        os: "linux",
        arch: "aarch64",
        endian: Endian::Little,
        pointer_width: 64,
        xchg8: true,
        default_backend: "spinbit",
        qemu: Some(Qemu {
            binary: "qemu-aarch64",
            sysroot: "/usr/aarch64-linux-gnu",
        }),
        native: None,
        wine: None,
        hardware: Some(Hardware {
            runs_on: "ubuntu-24.04-arm",
            opt_in: None,
        }),
        linker: Some("aarch64-linux-gnu-gcc"),
        packages: &[
            "gcc-aarch64-linux-gnu",
            "libc6-dev-arm64-cross",
            "qemu-user",
        ],
    },
    Target {
        goos: "linux",
        goarch: "ppc64",
        triple: "powerpc64-unknown-linux-gnu",
        os: "linux",
        arch: "powerpc64",
        endian: Endian::Big,
        pointer_width: 64,
        xchg8: true,
        default_backend: "spinbit",
        qemu: Some(Qemu {
            binary: "qemu-ppc64",
            sysroot: "/usr/powerpc64-linux-gnu",
        }),
        native: None,
        wine: None,
        hardware: None,
        linker: Some("powerpc64-linux-gnu-gcc"),
        packages: &[
            "gcc-powerpc64-linux-gnu",
            "libc6-dev-ppc64-cross",
            "qemu-user",
        ],
    },
    Target {
        goos: "linux",
        goarch: "ppc64le",
        triple: "powerpc64le-unknown-linux-gnu",
        os: "linux",
        arch: "powerpc64",
        endian: Endian::Little,
        pointer_width: 64,
        xchg8: true,
        default_backend: "spinbit",
        qemu: Some(Qemu {
            binary: "qemu-ppc64le",
            sysroot: "/usr/powerpc64le-linux-gnu",
        }),
        native: None,
        wine: None,
        hardware: Some(Hardware {
            runs_on: "ubuntu-24.04-ppc64le",
            opt_in: Some(env::HARDWARE_PPC64LE),
        }),
        linker: Some("powerpc64le-linux-gnu-gcc"),
        packages: &[
            "gcc-powerpc64le-linux-gnu",
            "libc6-dev-ppc64el-cross",
            "qemu-user",
        ],
    },
    Target {
        goos: "freebsd",
        goarch: "amd64",
        triple: "x86_64-unknown-freebsd",
        os: "freebsd",
        arch: "x86_64",
        endian: Endian::Little,
        pointer_width: 64,
        xchg8: true,
        default_backend: "spinbit",
        qemu: None,
        native: None,
        wine: None,
        hardware: None,
        linker: None,
        packages: &[],
    },
    Target {
        goos: "darwin",
        goarch: "amd64",
        triple: "x86_64-apple-darwin",
        os: "macos",
        arch: "x86_64",
        endian: Endian::Little,
        pointer_width: 64,
        xchg8: true,
        default_backend: "spinbit",
        qemu: None,
        native: None,
        wine: None,
        hardware: None,
        linker: None,
        packages: &[],
    },
    Target {
        goos: "darwin",
        goarch: "arm64",
        triple: "aarch64-apple-darwin",
        os: "macos",
        arch: "aarch64",
        endian: Endian::Little,
        pointer_width: 64,
        xchg8: true,
        default_backend: "spinbit",
        qemu: None,
        native: None,
        wine: None,
        hardware: Some(Hardware {
            runs_on: "macos-14",
            opt_in: None,
        }),
        linker: None,
        packages: &[],
    },
    Target {
        goos: "windows",
        goarch: "amd64",
        triple: "x86_64-pc-windows-gnu",
        os: "windows",
        arch: "x86_64",
        endian: Endian::Little,
        pointer_width: 64,
        xchg8: true,
        default_backend: "spinbit",
        qemu: None,
        native: None,
        wine: Some(Wine {
            binary: "wine",
            prefix_dir: "target/wine",
        }),
        hardware: Some(Hardware {
            runs_on: "windows-latest",
            opt_in: None,
        }),
        linker: Some("x86_64-w64-mingw32-gcc"),
        packages: &["gcc-mingw-w64-x86-64", "wine", "wine64"],
    },
    Target {
        goos: "illumos",
        goarch: "amd64",
        triple: "x86_64-unknown-illumos",
        os: "illumos",
        arch: "x86_64",
        endian: Endian::Little,
        pointer_width: 64,
        xchg8: true,
        default_backend: "spinbit",
        qemu: None,
        native: None,
        wine: None,
        hardware: None,
        linker: None,
        packages: &[],
    },
];

/// The word that selects every runnable target.
pub const ALL: &str = "all";
/// The word that selects the host's own triple.
pub const HOST: &str = "host";

impl Target {
    /// The short name: GOARCH for a Linux target (`arm64`), `GOOS/GOARCH`
    /// otherwise (`darwin/arm64`).
    pub fn name(&self) -> String {
        if self.goos == "linux" {
            self.goarch.to_string()
        } else {
            format!("{}/{}", self.goos, self.goarch)
        }
    }

    /// Whether `name` names this target: its short name, `GOOS/GOARCH`, or
    /// its triple.
    pub fn is_named(&self, name: &str) -> bool {
        name == self.triple
            || name == self.name()
            || name.split_once('/') == Some((self.goos, self.goarch))
    }

    /// Whether the target is a POSIX system (everything here but Windows),
    /// where every case of the suites applies ([`suite::POSIX_ONLY_CASES`]).
    pub fn is_posix(&self) -> bool {
        self.os != "windows"
    }

    /// Whether this project can run the target's binaries (else it is
    /// check-only).
    pub fn runnable(&self) -> bool {
        !self.runners().is_empty()
    }

    /// The runners this target allows on [`TABLE_HOST`], preferred first:
    /// qemu before a native loader, for runs that match the other
    /// emulated targets. Empty for a check-only target.
    pub fn runners(&self) -> Vec<Runner> {
        let qemu = self.qemu.map(|_| Runner::Qemu);
        let native = self.native.map(|_| Runner::Native);
        let wine = self.wine.map(|_| Runner::Wine);
        // cross-rs's images bring the same qemu-user, in a container.
        let cross = self.qemu.map(|_| Runner::Cross);
        qemu.into_iter()
            .chain(native)
            .chain(wine)
            .chain(cross)
            .collect()
    }

    /// The command prefix cargo's `runner` setting needs to execute this
    /// target's binaries with `runner`: `None` when the host runs them as
    /// they are, or when the target cannot use that runner.
    pub fn runner_command(&self, runner: Runner) -> Option<Vec<String>> {
        let words: Vec<&str> = match (runner, self.qemu, self.native, self.wine) {
            (Runner::Qemu, Some(q), _, _) => vec![q.binary, "-L", q.sysroot],
            (Runner::Native, _, Some(Native::Loader(n)), _) => {
                vec![n.loader, "--library-path", n.library_path]
            }
            (Runner::Wine, _, _, Some(w)) => vec![w.binary],
            _ => return None,
        };
        Some(words.into_iter().map(str::to_string).collect())
    }

    /// The suffix of cargo's per-target environment variables:
    /// `AARCH64_UNKNOWN_LINUX_GNU` for `CARGO_TARGET_<..>_LINKER`.
    pub fn env_key(&self) -> String {
        self.triple.to_uppercase().replace(['-', '.'], "_")
    }

    /// The name as one path component (`darwin-arm64` for `darwin/arm64`),
    /// for files and directories named after the target.
    pub fn file_stem(&self) -> String {
        self.name().replace('/', "-")
    }

    /// How the target runs here, in a few words (for tables).
    pub fn run_summary(&self) -> String {
        let native = self.native.map(|n| match n {
            Native::Direct => "native",
            Native::Loader(_) => "native via its ld.so",
        });
        if let Some(w) = self.wine {
            return format!("{} (smoke: wine's timing is not Windows')", w.binary);
        }
        match (self.qemu, native) {
            (None, None) => "check only".to_string(),
            (None, Some(native)) => native.to_string(),
            (Some(q), None) => format!("{} -L {}", q.binary, q.sysroot),
            (Some(q), Some(native)) => format!("{} -L {}; or {native}", q.binary, q.sysroot),
        }
    }
}

/// The targets whose binaries run here, in table order.
pub fn runnable() -> impl Iterator<Item = &'static Target> {
    TARGETS.iter().filter(|t| t.runnable())
}

/// The targets that are only checked, in table order.
pub fn check_only() -> impl Iterator<Item = &'static Target> {
    TARGETS.iter().filter(|t| !t.runnable())
}

/// The row for a target name (short name, `GOOS/GOARCH` or triple).
pub fn find(name: &str) -> Option<&'static Target> {
    TARGETS.iter().find(|t| t.is_named(name))
}

/// The row for a Rust triple.
pub fn by_triple(triple: &str) -> Option<&'static Target> {
    TARGETS.iter().find(|t| t.triple == triple)
}

/// Why a name did not select a target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SelectError {
    /// No row has this name.
    Unknown(String),
    /// The host triple (for `host`) has no row.
    UnknownHost(String),
}

impl fmt::Display for SelectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SelectError::Unknown(name) => write!(f, "unknown target `{name}`"),
            SelectError::UnknownHost(triple) => {
                write!(
                    f,
                    "the host triple `{triple}` is not in the table of targets"
                )
            }
        }
    }
}

impl std::error::Error for SelectError {}

/// Resolves command-line target names to rows, in the order given, without
/// duplicates: a name, `host` (the row of `host_triple`) or `all` (every
/// runnable target).
pub fn select<S: AsRef<str>>(
    names: &[S],
    host_triple: &str,
) -> Result<Vec<&'static Target>, SelectError> {
    let mut out: Vec<&'static Target> = Vec::new();
    let mut push = |t: &'static Target| {
        if !out.iter().any(|o| o.triple == t.triple) {
            out.push(t);
        }
    };
    for name in names {
        match name.as_ref() {
            ALL => runnable().for_each(&mut push),
            HOST => push(
                by_triple(host_triple)
                    .ok_or_else(|| SelectError::UnknownHost(host_triple.to_string()))?,
            ),
            other => push(find(other).ok_or_else(|| SelectError::Unknown(other.to_string()))?),
        }
    }
    Ok(out)
}

/// Every name [`select`] accepts, for error messages and suggestions: the
/// short names, then the triples, then `host` and `all`.
pub fn valid_names() -> Vec<String> {
    let mut names: Vec<String> = TARGETS.iter().map(Target::name).collect();
    names.extend(TARGETS.iter().map(|t| t.triple.to_string()));
    names.push(HOST.to_string());
    names.push(ALL.to_string());
    names
}

/// The targets as a Markdown table, the one README.md carries.
pub fn markdown_table() -> String {
    let mut s = String::from(
        "| name | triple | endian | ptr | xchg8 | default | runs here as | linker | Debian packages |\n\
         | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n",
    );
    for t in TARGETS {
        let packages = if t.packages.is_empty() {
            "-".to_string()
        } else {
            t.packages.join(" ")
        };
        s.push_str(&format!(
            "| {} | `{}` | {} | {} | {} | {} | {} | {} | {} |\n",
            t.name(),
            t.triple,
            t.endian,
            t.pointer_width,
            if t.xchg8 { "yes" } else { "no" },
            t.default_backend,
            t.run_summary(),
            match (t.linker, t.runnable()) {
                (Some(linker), _) => linker,
                (None, true) => "cc",
                (None, false) => "-",
            },
            packages,
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique() {
        let names = valid_names();
        for (i, a) in names.iter().enumerate() {
            assert!(!names[i + 1..].contains(a), "{a} appears twice");
        }
    }

    #[test]
    fn lookup_by_go_name_and_triple() {
        assert_eq!(find("arm64").unwrap().triple, "aarch64-unknown-linux-gnu");
        assert_eq!(find("aarch64-unknown-linux-gnu").unwrap().goarch, "arm64");
        assert_eq!(find("linux/ppc64").unwrap().endian, Endian::Big);
        assert_eq!(find("darwin/arm64").unwrap().triple, "aarch64-apple-darwin");
        assert_eq!(find("386").unwrap().pointer_width, 32);
        assert!(find("mips").is_none());
        // A bare GOARCH names the Linux row, never a check-only one.
        assert_eq!(find("amd64").unwrap().goos, "linux");
    }

    #[test]
    fn select_all_host_and_dedup() {
        let all = select(&["all"], TABLE_HOST).unwrap();
        let names: Vec<_> = all.iter().map(|t| t.goarch).collect();
        assert_eq!(
            names,
            ["386", "amd64", "arm", "arm64", "ppc64", "ppc64le", "amd64"]
        );
        assert_eq!(all[6].goos, "windows");
        let some = select(&["arm64", "host", "aarch64-unknown-linux-gnu"], TABLE_HOST).unwrap();
        let names: Vec<_> = some.iter().map(|t| t.goarch).collect();
        assert_eq!(names, ["arm64", "amd64"]);
        assert_eq!(
            select(&["arm65"], TABLE_HOST),
            Err(SelectError::Unknown("arm65".into()))
        );
        assert!(matches!(
            select(&["host"], "riscv64gc-unknown-linux-gnu"),
            Err(SelectError::UnknownHost(_))
        ));
    }

    #[test]
    fn rows_are_consistent() {
        for t in TARGETS {
            let runnable = t.runnable();
            assert_eq!(
                runnable,
                t.goos == "linux" || t.goos == "windows",
                "{}",
                t.triple
            );
            assert_eq!(t.wine.is_some(), t.os == "windows", "{}", t.triple);
            if t.wine.is_some() {
                assert!(t.linker.is_some_and(|l| l.contains("mingw32")));
                assert!(t.packages.contains(&"wine"), "{}", t.triple);
            }
            assert_eq!(
                t.native == Some(Native::Direct),
                t.triple == TABLE_HOST,
                "only the host runs binaries as they are: {}",
                t.triple
            );
            if let Some(q) = t.qemu {
                assert!(t.linker.is_some(), "{} needs a cross linker", t.triple);
                assert!(t.packages.contains(&"qemu-user"), "{}", t.triple);
                assert!(q.binary.starts_with("qemu-"));
                let gnu = t.linker.unwrap().trim_end_matches("-gcc");
                assert_eq!(q.sysroot, format!("/usr/{gnu}"), "{}", t.triple);
            }
            if let Some(hw) = t.hardware {
                assert!(hw.opt_in.is_none_or(|v| env::ALL.contains(&v)));
                let same_label = TARGETS
                    .iter()
                    .filter(|o| o.hardware.is_some_and(|h| h.runs_on == hw.runs_on));
                assert_eq!(same_label.count(), 1, "{} shared", hw.runs_on);
            }
            assert_eq!(t.endian == Endian::Big, t.triple.starts_with("powerpc64-"));
            assert_eq!(t.pointer_width == 32, matches!(t.arch, "x86" | "arm"));
            if t.xchg8 {
                assert_eq!(t.default_backend, "spinbit", "{}", t.triple);
            }
        }
        assert_eq!(runnable().count(), 7);
    }

    #[test]
    fn runner_commands() {
        let arm64 = find("arm64").unwrap();
        assert_eq!(arm64.runners(), [Runner::Qemu, Runner::Cross]);
        assert_eq!(
            arm64.runner_command(Runner::Qemu).unwrap().join(" "),
            "qemu-aarch64 -L /usr/aarch64-linux-gnu"
        );
        assert_eq!(arm64.runner_command(Runner::Native), None);
        assert_eq!(arm64.env_key(), "AARCH64_UNKNOWN_LINUX_GNU");
        assert_eq!(arm64.file_stem(), "arm64");
        assert_eq!(find("darwin/arm64").unwrap().file_stem(), "darwin-arm64");

        let i386 = find("386").unwrap();
        assert_eq!(
            i386.runners(),
            [Runner::Qemu, Runner::Native, Runner::Cross]
        );
        assert_eq!(
            i386.runner_command(Runner::Native).unwrap().join(" "),
            "/usr/i686-linux-gnu/lib/ld-linux.so.2 --library-path /usr/i686-linux-gnu/lib"
        );

        let amd64 = find("amd64").unwrap();
        assert_eq!(amd64.runners(), [Runner::Native]);
        assert_eq!(amd64.runner_command(Runner::Native), None);
        let windows = find("windows/amd64").unwrap();
        assert_eq!(windows.runners(), [Runner::Wine]);
        assert_eq!(windows.runner_command(Runner::Wine).unwrap(), ["wine"]);
        assert_eq!(windows.runner_command(Runner::Qemu), None);
        assert!(find("darwin/arm64").unwrap().runners().is_empty());
    }

    #[test]
    fn runners_parse_from_their_names() {
        for r in Runner::ALL {
            assert_eq!(r.name().parse::<Runner>(), Ok(r));
        }
        let err = "bogus".parse::<Runner>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown runner `bogus`; valid runners: native, qemu, wine, cross"
        );
    }

    #[test]
    fn markdown_has_a_row_per_target() {
        let table = markdown_table();
        assert_eq!(table.lines().count(), TARGETS.len() + 2);
        assert!(table.contains("| ppc64 | `powerpc64-unknown-linux-gnu` | big |"));
        assert!(table.contains(
            "| amd64 | `x86_64-unknown-linux-gnu` | little | 64 | yes | spinbit | native | cc | - |"
        ));
        assert!(table.contains(
            "| qemu-i386 -L /usr/i686-linux-gnu; or native via its ld.so | i686-linux-gnu-gcc |"
        ));
        assert!(table.contains("| spinbit | check only | - | - |"));
    }
}
