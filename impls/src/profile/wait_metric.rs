//! The wait metric, Go's `/sync/mutex/wait/total:seconds` for lockyard's
//! locks: timing every wait would read the clock twice per slow path, so
//! one in `PERIOD` is timed and counted `PERIOD` times, or one in the rate
//! when the profile samples more often, so the two can be compared.

use super::rate::rate;
use crate::fastrand::below;
use crate::os::now_us;
use core::sync::atomic::{AtomicU64, Ordering};
use core::time::Duration;

/// One slow path in this many is timed (Go's `gTrackingPeriod`).
const PERIOD: u32 = 8;

/// Scaled microseconds waited so far.
static TOTAL_US: AtomicU64 = AtomicU64::new(0);

/// The time threads have spent waiting in lockyard's locks (estimated
/// from the timed slow paths) since the last [`reset`](super::reset).
pub fn total_wait() -> Duration {
    // Relaxed: a tally.
    Duration::from_micros(TOTAL_US.load(Ordering::Relaxed))
}

/// At a slow path's start: the clock and the period, if this one is timed.
#[inline]
pub(crate) fn begin() -> Option<(usize, u32)> {
    let period = match rate() {
        n @ 1..PERIOD => n,
        _ => PERIOD,
    };
    (below(period) == 0).then(|| (now_us(), period))
}

/// At a timed slow path's end.
pub(crate) fn end((start, period): (usize, u32)) {
    let waited = now_us().wrapping_sub(start) as u64;
    // Relaxed: a tally.
    TOTAL_US.fetch_add(waited * u64::from(period), Ordering::Relaxed);
}

pub(super) fn reset() {
    // Relaxed: a tally.
    TOTAL_US.store(0, Ordering::Relaxed);
}
