//! The `bitmap-loadstore` control under loom: a bitmap whose set and clear
//! load the byte and store it back changed. A neighbour's update between
//! the two is lost.

#[path = "../loom/bitmap.rs"]
mod model;

use lockyard::bitmap::Bitmap;
use loom::sync::atomic::{AtomicU8, Ordering};

/// The same mutation as lockyard-conformance's `bitmap-loadstore` control,
/// on one byte.
struct LoadStoreBitmap(AtomicU8);

impl Bitmap for LoadStoreBitmap {
    const BITS: usize = 8;

    // Acquire and Release, as the real bitmap: the mutation is the lost
    // atomicity, not the ordering.
    fn set(&self, bit: usize) {
        let byte = self.0.load(Ordering::Acquire);
        self.0.store(byte | 1 << bit, Ordering::Release);
    }

    fn clear(&self, bit: usize) {
        let byte = self.0.load(Ordering::Acquire);
        self.0.store(byte & !(1 << bit), Ordering::Release);
    }

    fn test(&self, bit: usize) -> bool {
        self.0.load(Ordering::Acquire) & 1 << bit != 0
    }
}

#[test]
#[should_panic(expected = "a neighbour's bit was lost")]
fn loadstore_is_caught() {
    loom::model(|| model::neighbours_keep_their_bits(LoadStoreBitmap(AtomicU8::new(0))));
}
