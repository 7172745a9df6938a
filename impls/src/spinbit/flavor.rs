//! spinbit's build-time knobs: the [`Flavor`] trait, its stock flavors, and
//! the mutation hooks the harness's positive controls turn.

use super::TAIL_WAKE_PERIOD;
use crate::fastrand;
use crate::primitive::{ACTIVE_SPIN, Ordering};

/// A choice of spinbit's build-time knobs. The stock flavors cover Go's
/// behaviours; tests use their own to pin the random tail wake.
pub trait Flavor: Send + Sync + 'static {
    /// The backend's name in reports and trial names.
    const NAME: &'static str;
    /// Use 8-bit swaps on the flag byte for the fast paths (Go's `Xchg8`)
    /// rather than `fetch_or`/`fetch_and` on the whole word. Only a build
    /// with the byte path (`lockyard_byte_path`: an 8-bit swap, neither loom
    /// nor Miri) may set it; elsewhere it must be `false`.
    const XCHG8: bool;
    /// Go's exemption for `sched.lock`: every waiter may spin and every
    /// unlock wakes, for low-latency handoff at the risk of collapse.
    const LOW_LATENCY: bool = false;
    /// A bound on a sleeper's wait, in microseconds: once the oldest sleeper
    /// has waited this long, an unlock hands the lock straight to it (see
    /// `handoff`). `None` is Go's spinbit, which bounds nothing.
    const HANDOFF_AFTER_US: Option<usize> = None;

    /// Whether this unlock should wake the bottom of the stack. Go draws it at
    /// random, one in [`TAIL_WAKE_PERIOD`].
    #[inline]
    fn tail_wake() -> bool {
        fastrand::below(TAIL_WAKE_PERIOD) == 0
    }

    // Mutation hooks. Every stock flavor keeps Go's choices below; the
    // harness's positive controls (broken flavors its suites must catch)
    // change one each. Constants and inline functions, so the stock flavors
    // pay nothing for them.

    /// Ordering of the read-modify-writes that take the lock.
    #[doc(hidden)]
    const TAKE: Ordering = Ordering::Acquire;
    /// Ordering of the read-modify-write that gives the lock back.
    #[doc(hidden)]
    const GIVE: Ordering = Ordering::Release;
    /// Which byte of the word the byte path swaps.
    #[doc(hidden)]
    const FLAG_BYTE_OFFSET: usize = crate::xchg8::FLAG_BYTE_OFFSET;
    /// Rounds of active spinning for the spinner.
    #[doc(hidden)]
    const ACTIVE_SPIN: u32 = ACTIVE_SPIN;
    /// Whether this unlock skips the wake it owes.
    #[doc(hidden)]
    #[inline]
    fn skip_wake() -> bool {
        false
    }
    /// Whether a sleeper whose timeout passed returns without leaving the
    /// stack.
    #[doc(hidden)]
    #[inline]
    fn skip_leave() -> bool {
        false
    }
    /// Whether this unlock skips a handoff that is due.
    #[doc(hidden)]
    #[inline]
    fn skip_handoff() -> bool {
        false
    }
}

/// The flavor behind `spinbit`: Go's behaviour, with the fast-path kind the
/// experiment settings pick for this target (see [`crate::experiment`]).
pub struct Standard;
impl Flavor for Standard {
    const NAME: &'static str = "spinbit";
    const XCHG8: bool = crate::experiment::SPINBIT_XCHG8;
}

/// Go's behaviour on the word path, whatever the target.
pub struct WordPath;
impl Flavor for WordPath {
    const NAME: &'static str = "spinbit-word";
    const XCHG8: bool = false;
}

/// Go's behaviour on the byte path, where the target has an 8-bit swap.
#[cfg(lockyard_byte_path)]
pub struct Xchg8Path;
#[cfg(lockyard_byte_path)]
impl Flavor for Xchg8Path {
    const NAME: &'static str = "spinbit-xchg8";
    const XCHG8: bool = true;
}

/// Go's `sched.lock` variant: everybody spins, every unlock wakes.
pub struct LowLatency;
impl Flavor for LowLatency {
    const NAME: &'static str = "spinbit-lowlatency";
    const XCHG8: bool = crate::experiment::SPINBIT_XCHG8;
    const LOW_LATENCY: bool = true;
}

/// The default wait bound of [`Bounded`]: Go's `sync.Mutex` starvation
/// threshold (parking_lot forces a fair unlock about every 0.5 ms).
pub const HANDOFF_AFTER: core::time::Duration = core::time::Duration::from_millis(1);

/// spinbit with a bounded wait: Go's behaviour, plus a handoff to the oldest
/// sleeper once it has waited [`HANDOFF_AFTER`]. Under loom, whose clock
/// stands still, the bound is zero: every unlock over a sleeper hands off,
/// so the models explore the handoff.
pub struct Bounded;
impl Flavor for Bounded {
    const NAME: &'static str = "spinbit-bounded";
    const XCHG8: bool = crate::experiment::SPINBIT_XCHG8;
    const HANDOFF_AFTER_US: Option<usize> = Some(if cfg!(lockyard_loom) {
        0
    } else {
        HANDOFF_AFTER.as_micros() as usize
    });
}
