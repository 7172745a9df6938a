//! The sampling rate: which contended unlocks are charged.

use crate::fastrand::below;
// Plain std atomics: instrumentation settings, never modelled.
use core::sync::atomic::{AtomicU32, Ordering};

/// 0: off; `n`: one contended unlock in `n`, at random.
static RATE: AtomicU32 = AtomicU32::new(0);

/// The last rate other than 0: what the samples in the table were taken at.
static SAMPLED_AT: AtomicU32 = AtomicU32::new(0);

/// Samples one contended unlock in `n`, at random: 0 turns the profile
/// off (the default), 1 samples every contended unlock.
pub fn set_rate(n: u32) {
    // Relaxed: a setting; the next unlocks see it soon, none needs it now.
    RATE.store(n, Ordering::Relaxed);
    if n != 0 {
        SAMPLED_AT.store(n, Ordering::Relaxed);
    }
}

/// The rate [`set_rate`] last set.
///
/// Inline: every unlock of the profile build reads it, and a call to
/// another crate's function there costs more than the load.
#[inline]
pub fn rate() -> u32 {
    // Relaxed: see `set_rate`.
    RATE.load(Ordering::Relaxed)
}

/// The last rate other than 0 that [`set_rate`] set (0 if none): the rate
/// the profile's samples were taken at, unless it changed meanwhile. For
/// the report, which loom builds leave out.
#[cfg(not(lockyard_loom))]
pub(crate) fn sampled_at() -> u32 {
    // Relaxed: see `set_rate`.
    SAMPLED_AT.load(Ordering::Relaxed)
}

/// Whether this unlock is sampled.
#[inline]
pub(crate) fn sampled() -> bool {
    match rate() {
        0 => false,
        1 => true,
        n => below(n) == 0,
    }
}
