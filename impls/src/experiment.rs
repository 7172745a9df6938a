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
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Experiment {
    /// The experiments on, comma-separated, as GOEXPERIMENT would list them.
    pub flags: &'static str,
    /// Where they came from: `baseline` or the `LOCKYARD_EXPERIMENT` value.
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
