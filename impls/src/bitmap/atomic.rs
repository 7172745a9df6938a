//! The seed's after: bits and count as atomics, read and written without a
//! lock.
//!
//! Memory ordering: `set` and `clear` are Release read-modify-writes on the
//! byte, `test` an Acquire load of it, so what a setter wrote before
//! setting is seen by a tester that finds the bit (the seed's rule that a
//! span is fully initialised before its bit is set), and what a clearer
//! did before clearing by one that finds it clear and takes the span. The
//! counter is Relaxed: it is a statistic that publishes nothing.

use super::{Bitmap, Counter, locate};
use crate::primitive::{AtomicU8, AtomicUsize, Ordering};

/// `8 * BYTES` bits, each set and cleared by an atomic or/and on its byte.
pub struct AtomicBitmap<const BYTES: usize> {
    pub(super) bytes: [AtomicU8; BYTES],
}

impl<const BYTES: usize> AtomicBitmap<BYTES> {
    /// A bitmap with every bit clear.
    #[cfg(not(lockyard_loom))]
    pub const fn new() -> Self {
        AtomicBitmap {
            bytes: [const { AtomicU8::new(0) }; BYTES],
        }
    }

    /// A bitmap with every bit clear (under loom, whose atomics are not
    /// const).
    #[cfg(lockyard_loom)]
    pub fn new() -> Self {
        AtomicBitmap {
            bytes: core::array::from_fn(|_| AtomicU8::new(0)),
        }
    }
}

impl<const BYTES: usize> Default for AtomicBitmap<BYTES> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const BYTES: usize> Bitmap for AtomicBitmap<BYTES> {
    const BITS: usize = 8 * BYTES;

    #[inline]
    fn set(&self, bit: usize) {
        let (byte, mask) = locate(bit, BYTES);
        // Release: publishes what the setter initialised (see the module).
        self.bytes[byte].fetch_or(mask, Ordering::Release);
    }

    #[inline]
    fn clear(&self, bit: usize) {
        let (byte, mask) = locate(bit, BYTES);
        // Release: as `set`, for a tester that finds the bit clear.
        self.bytes[byte].fetch_and(!mask, Ordering::Release);
    }

    #[inline]
    fn test(&self, bit: usize) -> bool {
        let (byte, mask) = locate(bit, BYTES);
        // Acquire: pairs with the Release of the set or clear it reads.
        self.bytes[byte].load(Ordering::Acquire) & mask != 0
    }
}

/// A count kept in one atomic word.
///
/// A `usize`, where Go's `pagesInUse` is 64 bits: it counts things in this
/// address space, so a word holds any count, and an atomic word exists on
/// every target with atomics while a 64-bit one does not.
pub struct AtomicCounter(AtomicUsize);

impl AtomicCounter {
    crate::primitive::const_fn_unless_loom! {
        /// A count of 0.
        pub fn new() -> AtomicCounter {
            AtomicCounter(AtomicUsize::new(0))
        }
    }
}

impl Default for AtomicCounter {
    fn default() -> Self {
        Self::new()
    }
}

impl Counter for AtomicCounter {
    #[inline]
    fn add(&self, n: usize) {
        // Relaxed: see the module.
        let before = self.0.fetch_add(n, Ordering::Relaxed);
        assert!(before.checked_add(n).is_some(), "counter: overflow");
    }

    #[inline]
    fn sub(&self, n: usize) {
        // Relaxed: see the module.
        let before = self.0.fetch_sub(n, Ordering::Relaxed);
        assert!(before >= n, "counter: taken below zero");
    }

    #[inline]
    fn get(&self) -> usize {
        // Relaxed: see the module.
        self.0.load(Ordering::Relaxed)
    }
}
