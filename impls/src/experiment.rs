//! The build's experiment settings (like Go's `GOEXPERIMENT`; build.rs
//! resolves them and emits one cfg per decision). A leaf: the backends read
//! their knobs from here, and the crate root assembles the report.

/// Whether the target has a native 8-bit atomic swap that spinbit's byte path
/// may use. Never under loom or Miri, which check the word path.
pub const HAS_XCHG8: bool = cfg!(lockyard_byte_path);

/// Whether the `spinbit` backend takes the byte path (the `spinbitxchg8`
/// experiment), where it can.
pub const SPINBIT_XCHG8: bool = cfg!(lockyard_spinbit_xchg8);

/// What this build was configured with, for reports.
///
/// The switch is set at build time, like Go's `GOEXPERIMENT`: each
/// experiment is on or off by the target's baseline (both on where the CPU
/// has an 8-bit swap), then by lockyard's cargo features (`spinbitmutex`,
/// `nospinbitmutex`, `spinbitxchg8`, `nospinbitxchg8`; where two crates of
/// one build ask for opposite sides, the `no` side wins with a warning),
/// then by the `LOCKYARD_EXPERIMENT` variable, in Go's syntax, last entry
/// winning:
///
/// ```sh
/// LOCKYARD_EXPERIMENT=nospinbitmutex cargo build      # the tristate lock again
/// LOCKYARD_EXPERIMENT=none,spinbitmutex cargo build   # spinbit on the word path
/// ```
///
/// Whatever was chosen, every backend stays available by name; only
/// [`DefaultLock`](crate::DefaultLock) and [`Mutex`](crate::Mutex) follow it.
///
/// ```
/// let e = lockyard::experiment();
/// // The flags list only experiments that are on, in GOEXPERIMENT's syntax.
/// for flag in e.flags.split(',').filter(|f| !f.is_empty()) {
///     assert!(["spinbitmutex", "spinbitxchg8"].contains(&flag), "{flag}");
/// }
/// // The byte path needs the CPU's 8-bit swap.
/// assert!(!e.spinbit_xchg8 || lockyard::HAS_XCHG8);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Experiment {
    /// The experiments on, comma-separated, as GOEXPERIMENT would list them.
    pub flags: &'static str,
    /// Where they came from: `baseline`, or the cargo features and the
    /// `LOCKYARD_EXPERIMENT` value that changed it (e.g.
    /// `feature nospinbitmutex, LOCKYARD_EXPERIMENT=spinbitxchg8`).
    pub source: &'static str,
    /// `spinbitmutex`: spinbit is the default backend.
    pub spinbit_mutex: bool,
    /// `spinbitxchg8`: spinbit's fast paths swap the flag byte.
    pub spinbit_xchg8: bool,
    /// Name of `DefaultLock`.
    pub default_backend: &'static str,
    /// The OS wait/wake primitive compiled in.
    pub os_primitive: &'static str,
}

impl Experiment {
    /// The settings of this build, given the name of the backend the crate
    /// root aliases as `DefaultLock` and the OS primitive the OS layer chose.
    pub(crate) const fn of_this_build(
        default_backend: &'static str,
        os_primitive: &'static str,
    ) -> Experiment {
        Experiment {
            flags: env!("LOCKYARD_EXPERIMENT_FLAGS"),
            source: env!("LOCKYARD_EXPERIMENT_SOURCE"),
            spinbit_mutex: cfg!(lockyard_default = "spinbit"),
            spinbit_xchg8: SPINBIT_XCHG8,
            default_backend,
            os_primitive,
        }
    }
}
