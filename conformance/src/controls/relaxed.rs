//! `relaxed`: spinbit whose lock orders nothing.

use lockyard::spinbit::Flavor;
use std::sync::atomic::Ordering;

/// `relaxed`: spinbit that takes and gives the lock with Relaxed, so the
/// critical sections of successive holders are not ordered. Word path, as
/// its loom model is.
pub struct Relaxed;
impl Flavor for Relaxed {
    const NAME: &'static str = "relaxed";
    const XCHG8: bool = false;
    const TAKE: Ordering = Ordering::Relaxed;
    const GIVE: Ordering = Ordering::Relaxed;
}
