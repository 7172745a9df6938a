//! `list-latelen`: a locked list's count updated outside its lock.

use lockyard::locked_list::Length;
use std::sync::atomic::{AtomicUsize, Ordering};

/// `list-latelen`: the count changes after the head store that unlocks
/// the list, where seed 002 keeps it inside. A get that completes between
/// a put's unlock and its count takes the count below zero (it wraps, and
/// reads as far more elements than there are).
pub struct LateLen(AtomicUsize);

impl Length for LateLen {
    const INIT: Self = LateLen(AtomicUsize::new(0));
    const READ_UNDER_LOCK: bool = false;

    unsafe fn changed(&self, _delta: isize) {}

    fn after_unlock(&self, delta: isize) {
        // Relaxed, as the real count's: the mutation is where, not how.
        self.0.fetch_add(delta as usize, Ordering::Relaxed);
    }

    unsafe fn read(&self) -> usize {
        // Relaxed: as above.
        self.0.load(Ordering::Relaxed)
    }
}
