//! The build's experiment settings and the default backend they select
//! (like Go's `GOEXPERIMENT`; build.rs parses them).

use crate::RawLock;

/// Whether the target has a native 8-bit atomic swap that spinbit's byte path
/// may use. Never under loom or Miri, which check the word path.
pub const HAS_XCHG8: bool = cfg!(all(lockyard_has_xchg8, not(loom), not(miri)));

/// Whether the `spinbit` backend takes the byte path (the `spinbitxchg8`
/// experiment), where it can.
pub const SPINBIT_XCHG8: bool = HAS_XCHG8 && cfg!(lockyard_spinbit_xchg8);

/// The backend behind [`crate::Mutex`]: spinbit where the `spinbitmutex`
/// experiment is on, otherwise the tristate lock Go used on this OS.
#[cfg(lockyard_default = "spinbit")]
pub type DefaultLock = crate::spinbit::RawSpinbit;
/// The backend behind [`crate::Mutex`]: spinbit where the `spinbitmutex`
/// experiment is on, otherwise the tristate lock Go used on this OS.
#[cfg(lockyard_default = "futex")]
pub type DefaultLock = crate::futex::RawFutex;
/// The backend behind [`crate::Mutex`]: spinbit where the `spinbitmutex`
/// experiment is on, otherwise the tristate lock Go used on this OS.
#[cfg(lockyard_default = "sema")]
pub type DefaultLock = crate::sema::RawSema;

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
    /// Name of [`DefaultLock`].
    pub default_backend: &'static str,
    /// The OS wait/wake primitive compiled in.
    pub os_primitive: &'static str,
}

/// The experiment settings this build of lockyard was made with.
pub fn experiment() -> Experiment {
    Experiment {
        flags: env!("LOCKYARD_EXPERIMENT_FLAGS"),
        source: env!("LOCKYARD_EXPERIMENT_SOURCE"),
        spinbit_mutex: cfg!(lockyard_default = "spinbit"),
        spinbit_xchg8: SPINBIT_XCHG8,
        default_backend: DefaultLock::NAME,
        os_primitive: crate::os::PRIMITIVE,
    }
}
