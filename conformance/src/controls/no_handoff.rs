//! `bounded-nohandoff`: spinbit-bounded whose unlocks never hand off.

use lockyard::spinbit::{Bounded, Flavor};

/// [`Bounded`] with the handoff that bounds its wait switched off: it keeps
/// the bound's bookkeeping (the stamps, the clock reads) and promises the
/// bound, so the starvation suite's `bounded_wait` must catch it.
pub struct NoHandoff;
impl Flavor for NoHandoff {
    const NAME: &'static str = "bounded-nohandoff";
    const XCHG8: bool = <Bounded as Flavor>::XCHG8;
    const HANDOFF_AFTER_US: Option<usize> = <Bounded as Flavor>::HANDOFF_AFTER_US;
    #[inline]
    fn skip_handoff() -> bool {
        true
    }
}
