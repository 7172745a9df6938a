//! `spinbit-notailwake`: spinbit with its tail wake switched off.

use lockyard::spinbit::{Flavor, Standard};

/// spinbit exactly as [`Standard`], but no unlock ever wakes the bottom of
/// the sleep stack: the test-only switch that shows what the tail wake buys.
pub struct NoTailWake;
impl Flavor for NoTailWake {
    const NAME: &'static str = "spinbit-notailwake";
    const XCHG8: bool = <Standard as Flavor>::XCHG8;
    #[inline]
    fn tail_wake() -> bool {
        false
    }
}
