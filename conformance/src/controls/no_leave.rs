//! `timed-noleave`: spinbit whose timed-out sleepers return without leaving
//! the stack.

use lockyard::spinbit::{Flavor, Standard};

/// spinbit exactly as [`Standard`], but a timed lock whose time runs out
/// returns `false` with its node still on the stack: a later unlock pops it
/// and posts a wake nobody waits for, and the lock counts a sleeper that is
/// gone. The timed cases must catch it.
pub struct NoLeave;
impl Flavor for NoLeave {
    const NAME: &'static str = "timed-noleave";
    const XCHG8: bool = <Standard as Flavor>::XCHG8;
    #[inline]
    fn skip_leave() -> bool {
        true
    }
}
