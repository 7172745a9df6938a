//! The one place the algorithm files get their atomics, spin hints and
//! thread-locals from.
//!
//! Two copies with identical paths, as crossbeam-utils does: the std one for
//! real builds and a `cfg(lockyard_loom)` one so loom can explore every interleaving of
//! the very same backend code. Nothing else in the crate names
//! `core::sync::atomic` directly, except what no model or fault should
//! touch: stats' counters, chaos's own state and the OS layer's cached
//! processor count.

#[cfg(not(lockyard_loom))]
mod imp {
    // std's even under chaos, which wraps only the word types: spinbit's
    // byte path and the bitmap's bytes get no injected delays.
    pub(crate) use core::sync::atomic::AtomicU8;
    pub(crate) use core::sync::atomic::Ordering;
    #[cfg(not(lockyard_chaos))]
    pub(crate) use core::sync::atomic::{AtomicU32, AtomicUsize};
    // With `chaos`, the same names carry fault injection (see chaos.rs).
    #[cfg(lockyard_chaos)]
    pub(crate) use crate::chaos::{AtomicU32, AtomicUsize};
    pub(crate) use std::thread_local;

    /// One pause instruction: tells the core we are busy-waiting.
    #[inline]
    pub(crate) fn spin_hint() {
        core::hint::spin_loop();
    }

    /// Give the rest of this time slice to another runnable thread.
    #[inline]
    pub(crate) fn yield_now() {
        std::thread::yield_now();
    }

    /// Busy-wait for `cycles` pause instructions (Go's `procyield`).
    #[inline]
    pub(crate) fn procyield(cycles: u32) {
        for _ in 0..cycles {
            spin_hint();
        }
    }

    /// Sleep about a microsecond (Go's `usleep(1)`): longer than a yield,
    /// for a wait that depends on another thread's slow work. std's sleep
    /// is one `nanosleep` (`Sleep` on Windows): no allocation, no lazy state.
    #[inline]
    pub(crate) fn nap() {
        std::thread::sleep(core::time::Duration::from_micros(1));
    }
}

#[cfg(lockyard_loom)]
mod imp {
    // Loom tracks every access through its own atomics; a spin or a yield
    // must become a loom yield or a spinning thread would be explored forever.
    pub(crate) use loom::sync::atomic::{AtomicU8, AtomicU32, AtomicUsize, Ordering};

    /// Loom's `thread_local!` predates `const { .. }` initialisers, which
    /// the real builds use (no lazy init on a lock path); loom gets the bare
    /// expression, since its thread-locals are per-model anyway.
    macro_rules! loom_thread_local {
        ($(#[$attr:meta])* $vis:vis static $name:ident: $t:ty = const { $init:expr };) => {
            loom::thread_local! { $(#[$attr])* $vis static $name: $t = $init; }
        };
    }
    pub(crate) use loom_thread_local as thread_local;

    #[inline]
    pub(crate) fn yield_now() {
        loom::thread::yield_now();
    }

    /// A loom yield: loom has no clock, only another thread's turn.
    #[inline]
    pub(crate) fn nap() {
        loom::thread::yield_now();
    }

    /// One loom yield stands for the whole burst: thirty would only multiply
    /// the interleavings without reaching a new state.
    #[inline]
    pub(crate) fn procyield(_cycles: u32) {
        loom::thread::yield_now();
    }
}

pub(crate) use imp::*;

/// Rounds of active spinning before the passive round (Go's `active_spin` in
/// the tristate locks, `mutexActiveSpinCount` in spinbit).
pub const ACTIVE_SPIN: u32 = 4;
/// Pause instructions per active round (Go's `active_spin_cnt`,
/// `mutexActiveSpinSize`).
pub const ACTIVE_SPIN_CNT: u32 = 30;
/// Passive rounds before sleeping (Go's `passive_spin`,
/// `mutexPassiveSpinCount`); see [`passive_spin`] for what one round is.
pub const PASSIVE_SPIN: u32 = 1;

/// The passive spin round of every backend's slow path: Go's one `osyield`
/// before sleeping, taken only until a waiter's first wait returns (woken,
/// or finding the word already changed), never after.
///
/// A yield lowers the yielder's standing with the scheduler, so a woken
/// waiter that yields loses every race for the lock to a thread that
/// releases and retakes it (Go's TestMutexFairness, the starvation suite's
/// `mutex_fairness`, fails without this rule); arriving waiters still yield,
/// which is what keeps many threads on few cores near the 1-thread speed.
/// README's "Benchmarks and fairness" has the measurements.
#[inline]
pub(crate) fn passive_spin(woken: bool) {
    if !woken {
        yield_now();
    }
}

/// Declares a constructor that is `const` in real builds and a plain `fn`
/// under loom, whose atomics cannot be built in a const context.
macro_rules! const_fn_unless_loom {
    ($(#[$meta:meta])* $vis:vis fn $name:ident($($arg:ident: $ty:ty),*) -> $ret:ty $body:block) => {
        #[cfg(not(lockyard_loom))]
        $(#[$meta])*
        $vis const fn $name($($arg: $ty),*) -> $ret $body

        #[cfg(lockyard_loom)]
        $(#[$meta])*
        $vis fn $name($($arg: $ty),*) -> $ret $body
    };
}
pub(crate) use const_fn_unless_loom;
