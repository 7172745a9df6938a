//! `littlebyte`: spinbit's byte path on the wrong byte for big-endian.

use lockyard::spinbit::Flavor;

/// `littlebyte`: spinbit's byte path swapping byte 0 of the word, which
/// holds the flag bits only on a little-endian target.
pub struct LittleByte;
impl Flavor for LittleByte {
    const NAME: &'static str = "littlebyte";
    // Every runnable target has the byte swap; elsewhere this is the word
    // path, and the control has nothing to break.
    const XCHG8: bool = lockyard::HAS_XCHG8;
    const FLAG_BYTE_OFFSET: usize = 0;
}
