//! `unmutated`: the reference that runs beside the positive controls.

use lockyard::spinbit::Flavor;
/// The name of the reference among the controls: stock spinbit, renamed (the
/// xtask reads its column by this name).
pub use lockyard_platforms::suite::UNMUTATED;

/// Stock spinbit under another name, run beside the controls.
pub struct Unmutated;
impl Flavor for Unmutated {
    const NAME: &'static str = UNMUTATED;
    const XCHG8: bool = lockyard::SPINBIT_XCHG8;
}
