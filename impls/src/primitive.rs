//! The one place the algorithm files get their atomics, spin hints and
//! thread-locals from.
//!
//! Two copies with identical paths, as crossbeam-utils does: the std one for
//! real builds and a `cfg(loom)` one so loom can explore every interleaving of
//! the very same backend code. Nothing else in the crate names
//! `core::sync::atomic` directly.

#[cfg(not(loom))]
mod imp {
    // AtomicBool is used only by the parking fallback, which some targets skip.
    #[allow(unused_imports)]
    pub(crate) use core::sync::atomic::AtomicBool;
    #[cfg(lockyard_has_xchg8)]
    pub(crate) use core::sync::atomic::AtomicU8;
    pub(crate) use core::sync::atomic::Ordering;
    #[cfg(not(feature = "chaos"))]
    pub(crate) use core::sync::atomic::{AtomicU32, AtomicUsize};
    // With `chaos`, the same names carry fault injection (see chaos.rs).
    #[cfg(feature = "chaos")]
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

    /// Whether spinning can pay off: with one CPU the holder cannot run while
    /// we spin (Go's `ncpu > 1`). Read once; the answer does not change.
    pub(crate) fn multiprocessor() -> bool {
        static NCPU: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
        *NCPU.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get())) > 1
    }
}

#[cfg(loom)]
mod imp {
    // Loom tracks every access through its own atomics; a spin or a yield
    // must become a loom yield or a spinning thread would be explored forever.
    pub(crate) use loom::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
    pub(crate) use loom::thread_local;

    #[inline]
    pub(crate) fn yield_now() {
        loom::thread::yield_now();
    }

    /// One loom yield stands for the whole burst: thirty would only multiply
    /// the interleavings without reaching a new state.
    #[inline]
    pub(crate) fn procyield(_cycles: u32) {
        loom::thread::yield_now();
    }

    /// The model always takes the spin paths so they are explored.
    pub(crate) fn multiprocessor() -> bool {
        true
    }
}

pub(crate) use imp::*;

/// The passive spin round of every backend's slow path: Go's one `osyield`
/// before sleeping, taken only until a waiter's first wait returns (woken,
/// or finding the word already changed), never after.
///
/// A yield while another thread is runnable on the CPU lowers the yielder's
/// standing with the scheduler (Linux's EEVDF pushes its deadline back a
/// slice). A woken waiter that yields then loses every race for the lock to
/// a thread that releases and retakes it: Go's TestMutexFairness (the
/// starvation suite's `mutex_fairness`) got 0 of its 10 acquisitions in
/// 10 s for futex, sema and spinbit alike on Linux 6.18, and passes in
/// 2-50 ms without the yield after a wake. Arriving waiters still yield,
/// which is what keeps 16 threads on 2 cores at the 1-thread speed: dropping
/// that yield too took futex from 17 to 26-35 MutexContention ns/op at 3-16
/// threads.
/// std's mutex never yields; parking_lot yields in 7 of its 10 spin rounds
/// and fails the same test.
#[inline]
pub(crate) fn passive_spin(woken: bool) {
    if !woken {
        yield_now();
    }
}

/// Declares a constructor that is `const` in real builds and a plain `fn`
/// under loom, whose atomics cannot be built in a const context.
macro_rules! const_fn_unless_loom {
    ($(#[$meta:meta])* $vis:vis fn $name:ident() -> $ret:ty $body:block) => {
        #[cfg(not(loom))]
        $(#[$meta])*
        $vis const fn $name() -> $ret $body

        #[cfg(loom)]
        $(#[$meta])*
        $vis fn $name() -> $ret $body
    };
}
pub(crate) use const_fn_unless_loom;
