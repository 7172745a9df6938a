//! The experiment settings, resolved from the target, cargo features and
//! `LOCKYARD_EXPERIMENT` (Go's GOEXPERIMENT syntax). Pure, so build.rs and
//! the crate's tests (`tests/experiments.rs`) share it.

/// Architectures (cargo's `target_arch`) with a native 8-bit atomic swap:
/// Go's `haveXchg8` set (386, amd64, arm, arm64, ppc64, ppc64le).
pub const XCHG8_ARCHES: &[&str] = &["x86", "x86_64", "arm", "aarch64", "powerpc64"];

/// Operating systems whose pre-spinbit Go lock is the futex one (the build
/// tags of Go's `lock_futex.go`: dragonfly, freebsd, linux, which android
/// implies); every other system, openbsd and netbsd included, used the
/// semaphore one.
pub const FUTEX_OSES: &[&str] = &["linux", "android", "freebsd", "dragonfly"];

/// The experiments and what each switches.
pub const EXPERIMENTS: [(&str, &str); 2] = [
    (
        "spinbitmutex",
        "spinbit is the default backend (on a target without an 8-bit swap it takes the word path)",
    ),
    (
        "spinbitxchg8",
        "spinbit's fast paths swap the flag byte (needs an 8-bit swap)",
    ),
];

/// The cargo features that turn each of [`EXPERIMENTS`] off, in its order.
pub const NO_FEATURES: [&str; 2] = ["nospinbitmutex", "nospinbitxchg8"];

/// What the build ends up with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolved {
    /// The target has a native 8-bit swap.
    pub have_xchg8: bool,
    /// `spinbitmutex` is on.
    pub spinbitmutex: bool,
    /// `spinbitxchg8` is on.
    pub spinbitxchg8: bool,
    /// The default backend's name.
    pub default: &'static str,
    /// Where the settings came from: `baseline`, or the features and the
    /// variable that changed it, in the order they applied.
    pub source: String,
    /// Conflicts that a precedence rule settled, for `cargo:warning`.
    pub warnings: Vec<String>,
}

impl Resolved {
    /// The experiments on, in GOEXPERIMENT's comma syntax.
    pub fn flags(&self) -> String {
        let mut on = Vec::new();
        if self.spinbitmutex {
            on.push("spinbitmutex");
        }
        if self.spinbitxchg8 {
            on.push("spinbitxchg8");
        }
        on.join(",")
    }
}

/// One experiment's value and what last set it.
#[derive(Clone, Copy)]
struct Setting {
    on: bool,
    /// The feature that set it, if a feature did (the variable overriding a
    /// feature is the one conflict worth a warning there).
    by_feature: Option<&'static str>,
}

fn index(name: &str) -> Option<usize> {
    EXPERIMENTS.iter().position(|(n, _)| *n == name)
}

/// Resolves the settings, later sources winning as in GOEXPERIMENT: the
/// target's baseline, then the enabled cargo features, then `env` (the value
/// of `LOCKYARD_EXPERIMENT`) left to right, `none` turning all off.
///
/// Cargo unifies features across a dependency graph, so one crate asking
/// for `spinbitmutex` and another for `nospinbitmutex` must still build:
/// the `no` feature wins (the pre-spinbit lock is the one that is right on
/// every target) and the conflict becomes a warning, as does the variable
/// overriding a feature. Only the impossible is an error: a name that is not
/// an experiment, or the byte path on a target without an 8-bit swap.
pub fn resolve(
    arch: &str,
    os: &str,
    features: &[&str],
    env: Option<&str>,
) -> Result<Resolved, String> {
    let have_xchg8 = XCHG8_ARCHES.contains(&arch);
    let baseline = Setting {
        on: have_xchg8,
        by_feature: None,
    };
    let mut settings = [baseline; EXPERIMENTS.len()];
    let mut warnings = Vec::new();
    let mut sources = Vec::new();
    for (i, (name, _)) in EXPERIMENTS.iter().enumerate() {
        let no = NO_FEATURES[i];
        let (yes, no_on) = (features.contains(name), features.contains(&no));
        if yes && no_on {
            warnings.push(format!(
                "features `{name}` and `{no}` are both enabled (by different dependencies?); \
                 `{no}` wins"
            ));
        }
        if yes || no_on {
            let feature = if no_on { no } else { name };
            settings[i] = Setting {
                on: !no_on,
                by_feature: Some(feature),
            };
            sources.push(format!("feature {feature}"));
        }
    }
    if let Some(list) = env {
        for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let changes: Vec<(usize, bool)> = if item == "none" {
                (0..EXPERIMENTS.len()).map(|i| (i, false)).collect()
            } else if let Some(i) = index(item) {
                vec![(i, true)]
            } else if let Some(i) = item.strip_prefix("no").and_then(index) {
                vec![(i, false)]
            } else {
                return Err(format!(
                    "LOCKYARD_EXPERIMENT={list:?}: unknown experiment {item:?}"
                ));
            };
            for (i, on) in changes {
                if let Some(feature) = settings[i].by_feature
                    && settings[i].on != on
                {
                    warnings.push(format!(
                        "LOCKYARD_EXPERIMENT entry `{item}` overrides feature `{feature}`"
                    ));
                }
                settings[i] = Setting {
                    on,
                    by_feature: None,
                };
            }
        }
        sources.push(format!("LOCKYARD_EXPERIMENT={list}"));
    }
    let [spinbitmutex, spinbitxchg8] = settings.map(|s| s.on);
    if spinbitxchg8 && !have_xchg8 {
        return Err(format!(
            "`spinbitxchg8` needs a native 8-bit atomic swap, which target_arch {arch:?} lacks \
             (it has one on: {}); use `nospinbitxchg8`",
            XCHG8_ARCHES.join(", ")
        ));
    }
    let default = if spinbitmutex {
        "spinbit"
    } else if FUTEX_OSES.contains(&os) {
        "futex"
    } else {
        "sema"
    };
    Ok(Resolved {
        have_xchg8,
        spinbitmutex,
        spinbitxchg8,
        default,
        source: if sources.is_empty() {
            "baseline".to_string()
        } else {
            sources.join(", ")
        },
        warnings,
    })
}

/// The error text build.rs prints: the problem, then every valid choice.
pub fn explain(problem: &str) -> String {
    let valid: Vec<String> = EXPERIMENTS
        .iter()
        .map(|(name, what)| format!("  {name} / no{name}: {what}"))
        .collect();
    format!(
        "lockyard: {problem}\nvalid experiments (comma-separated, Go's GOEXPERIMENT syntax; `none` turns all off):\n{}",
        valid.join("\n")
    )
}
