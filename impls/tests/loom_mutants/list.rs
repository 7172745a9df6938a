//! The `list-latelen` control under loom: a locked list whose length is
//! updated after the head store that unlocks it, outside the critical
//! section (what seed 002 kept inside). A get that slips between another
//! thread's unlock and its count takes the count below zero.

#[path = "../loom/list.rs"]
mod model;

use lockyard::locked_list::Length;
use loom::sync::atomic::{AtomicUsize, Ordering};

/// Counts after the unlock: the same mutation as lockyard-conformance's
/// `list-latelen` control.
struct LateLen(AtomicUsize);

impl Length for LateLen {
    const READ_UNDER_LOCK: bool = false;

    fn new() -> Self {
        LateLen(AtomicUsize::new(0))
    }

    unsafe fn changed(&self, _delta: isize) {}

    fn after_unlock(&self, delta: isize) {
        // Relaxed, as the real length's: the mutation is where, not how.
        self.0.fetch_add(delta as usize, Ordering::Relaxed);
    }

    unsafe fn read(&self) -> usize {
        self.0.load(Ordering::Relaxed)
    }
}

#[test]
#[should_panic(expected = "says it holds")]
fn latelen_is_caught() {
    model::get_put_against_try_get::<LateLen>();
}
