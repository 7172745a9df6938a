//! `bitmap-loadstore`: a bitmap whose set and clear load the byte, change
//! the bit and store the byte back.

use lockyard::bitmap::Bitmap;
use std::sync::atomic::{AtomicU8, Ordering};

/// `bitmap-loadstore`: `8 * BYTES` bits whose updates are a load and a
/// store of their byte, not one atomic or/and: a neighbour's update between
/// the two is overwritten (what seed 004's `Or8` and `And8` prevent).
pub struct LoadStoreBitmap<const BYTES: usize> {
    bytes: [AtomicU8; BYTES],
}

impl<const BYTES: usize> LoadStoreBitmap<BYTES> {
    /// Every bit clear.
    pub fn new() -> Self {
        LoadStoreBitmap {
            bytes: [const { AtomicU8::new(0) }; BYTES],
        }
    }

    /// The byte that holds `bit` and the bit's mask there.
    fn locate(&self, bit: usize) -> (&AtomicU8, u8) {
        (&self.bytes[bit / 8], 1 << (bit % 8))
    }
}

impl<const BYTES: usize> Default for LoadStoreBitmap<BYTES> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const BYTES: usize> Bitmap for LoadStoreBitmap<BYTES> {
    const BITS: usize = 8 * BYTES;

    // Acquire loads and Release stores, as the real bitmap orders: the
    // mutation is the lost atomicity, not the ordering.
    fn set(&self, bit: usize) {
        let (byte, mask) = self.locate(bit);
        byte.store(byte.load(Ordering::Acquire) | mask, Ordering::Release);
    }

    fn clear(&self, bit: usize) {
        let (byte, mask) = self.locate(bit);
        byte.store(byte.load(Ordering::Acquire) & !mask, Ordering::Release);
    }

    fn test(&self, bit: usize) -> bool {
        let (byte, mask) = self.locate(bit);
        byte.load(Ordering::Acquire) & mask != 0
    }
}
