//! `lostwake`: spinbit whose unlock sometimes skips the wake it owes.

use lockyard::spinbit::Flavor;
use std::sync::atomic::{AtomicU32, Ordering};

/// One unlock in this many that owes a wake skips it (`lostwake`).
pub const LOSTWAKE_PERIOD: u32 = 4;

/// `lostwake`: spinbit whose unlock skips the wake it owes, one time in
/// [`LOSTWAKE_PERIOD`] (a counter, not a draw, so it always happens).
pub struct LostWake;
impl Flavor for LostWake {
    const NAME: &'static str = "lostwake";
    const XCHG8: bool = lockyard::SPINBIT_XCHG8;
    fn skip_wake() -> bool {
        static OWED: AtomicU32 = AtomicU32::new(0);
        // Relaxed: a counter; which unlock skips does not matter.
        OWED.fetch_add(1, Ordering::Relaxed)
            .is_multiple_of(LOSTWAKE_PERIOD)
    }
}
