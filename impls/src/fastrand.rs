//! A small per-thread random source for decisions that need to be cheap and
//! only roughly uniform (Go's `cheaprandn`).

use crate::primitive::thread_local;
use core::cell::Cell;

thread_local! {
    /// 0 until the thread's first draw seeds it: a const initialiser, since
    /// a lazy one is std's lazy initialisation on a lock path.
    static STATE: Cell<u64> = const { Cell::new(0) };
}

/// Seeded from this thread's stack address and the clock, so threads
/// diverge; wyrand tolerates any seed but 0 marks "not yet seeded".
#[cfg(not(lockyard_loom))]
fn seed() -> u64 {
    let local = 0u8;
    let here = &local as *const u8 as u64;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    (here.rotate_left(32) ^ now).max(1)
}

/// The state to draw from: a fresh seed for an unseeded thread.
#[cfg(not(lockyard_loom))]
fn seeded(state: u64) -> u64 {
    if state == 0 { seed() } else { state }
}

/// Loom replays each execution and requires the same choices every time:
/// every thread starts from 0, as the initialiser leaves it.
#[cfg(lockyard_loom)]
fn seeded(state: u64) -> u64 {
    state
}

/// A pseudo-random number in `0..n` (wyrand and Lemire's multiply-shift).
#[inline]
pub(crate) fn below(n: u32) -> u32 {
    let x = STATE.with(|state| {
        let s = seeded(state.get()).wrapping_add(0xa076_1d64_78bd_642f);
        state.set(s);
        let t = u128::from(s) * u128::from(s ^ 0xe703_7ed1_a0b4_28db);
        (t >> 64) as u64 ^ t as u64
    });
    ((u64::from(x as u32) * u64::from(n)) >> 32) as u32
}

#[cfg(all(test, not(lockyard_loom)))]
mod tests {
    use super::below;

    #[test]
    fn below_stays_in_range_and_hits_every_value() {
        let mut seen = [0u32; 16];
        for _ in 0..16_000 {
            seen[below(16) as usize] += 1;
        }
        // Each value expects 1000; 500 is far outside any plausible deviation.
        assert!(seen.iter().all(|&n| n > 500), "skewed: {seen:?}");
    }
}
