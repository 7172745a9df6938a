//! `starving`: spinbit that lets a spinner shut the oldest sleeper out.

use lockyard::spinbit::Flavor;

/// `starving`: spinbit without tail wakes, whose spinner spins on (for
/// [`STARVING_SPIN`] rounds of pauses) instead of going to sleep.
pub struct Starving;
/// Rounds the `starving` spinner spins: hours, in effect.
pub const STARVING_SPIN: u32 = 1 << 30;
impl Flavor for Starving {
    const NAME: &'static str = "starving";
    const XCHG8: bool = lockyard::SPINBIT_XCHG8;
    const ACTIVE_SPIN: u32 = STARVING_SPIN;
    fn tail_wake() -> bool {
        false
    }
}
