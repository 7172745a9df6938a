//! The one failure every backend reports the same way.

/// Panics for an unlock of a lock nobody holds, in Go's words. Kept out of
/// line so the unlock fast paths stay small.
#[cold]
#[inline(never)]
#[track_caller]
pub(crate) fn unlocked_unlock() -> ! {
    panic!("unlock of unlocked lock")
}
