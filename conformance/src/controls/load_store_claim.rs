//! `arena-loadstore`: a bump arena whose lock-free fast path claims its
//! bytes with a load and a store instead of one `fetch_add`.

use lockyard::arena::{Claim, FreeOffset};

/// `arena-loadstore`: reads the free offset, then stores it moved on, with
/// no lock around the two: threads that read the same offset get the same
/// bytes (what seed 003's `Xadduintptr` prevents).
pub struct LoadStoreClaim;

// SAFETY: it does not hold: this is the positive control, which hands one
// range to two holders. The harness touches what it hands out only through
// atomics, so the overlap is a wrong tag, not a data race (and lockyard's
// loom model, which includes this file, only compares addresses).
unsafe impl Claim for LoadStoreClaim {
    const UNDER_LOCK: bool = false;

    fn claim(free: &FreeOffset, bytes: usize) -> usize {
        let start = free.load();
        free.store(start + bytes);
        start
    }
}
