//! A bitmap and a counter that readers and writers use without a lock (Go's
//! page-in-use bitmap and `pagesInUse` after "make more page sweeper
//! operations atomic", seed 004), and the before they replaced.
//!
//! Go marks the first page of every span in use in a byte array, one bit a
//! page, and counts the pages in use; both used to be written under the heap
//! lock. The seed makes the bit an 8-bit atomic or/and on the byte that
//! holds it and the count an atomic add, so neither needs the lock, and a
//! sweeper reads both without it. Setting the bit publishes the span: the
//! span must be fully initialised before it, so a reader that sees the bit
//! may use the span.
//!
//! * [`AtomicBitmap`] and [`AtomicCounter`]: the after.
//! * [`LockedBitmap`]: the before, bits and count as plain memory under one
//!   lock (as the heap lock guarded both).
//!
//! Both forms implement [`Bitmap`] and [`Counter`], so code (lockyard's own
//! harness among it) can run either. Bit `i` is bit `i % 8` of byte
//! `i / 8` on every target: bytes have no byte order.

mod atomic;
mod locked;

pub use atomic::{AtomicBitmap, AtomicCounter};
pub use locked::LockedBitmap;

/// Bits that threads set, clear and test at once.
pub trait Bitmap: Sync {
    /// How many bits there are.
    const BITS: usize;

    /// Sets bit `bit`. Whatever the caller wrote before is seen by a thread
    /// whose [`test`](Bitmap::test) then finds the bit set.
    ///
    /// # Panics
    ///
    /// If `bit` is not below [`BITS`](Bitmap::BITS).
    fn set(&self, bit: usize);

    /// Clears bit `bit`; ordered as [`set`](Bitmap::set) is.
    ///
    /// # Panics
    ///
    /// If `bit` is not below [`BITS`](Bitmap::BITS).
    fn clear(&self, bit: usize);

    /// Whether bit `bit` is set.
    ///
    /// # Panics
    ///
    /// If `bit` is not below [`BITS`](Bitmap::BITS).
    fn test(&self, bit: usize) -> bool;
}

/// A count that threads raise and lower at once and read at any time.
pub trait Counter: Sync {
    /// Adds `n`.
    fn add(&self, n: usize);

    /// Takes `n` away.
    ///
    /// # Panics
    ///
    /// If the count is below `n`: more was taken away than was added.
    fn sub(&self, n: usize);

    /// The count: one it had at some moment during the call.
    fn get(&self) -> usize;
}

/// The byte that holds `bit` and its mask there.
///
/// # Panics
///
/// If `bit` is not below `8 * bytes`.
#[inline]
fn locate(bit: usize, bytes: usize) -> (usize, u8) {
    assert!(bit < 8 * bytes, "bitmap: bit {bit} out of range");
    (bit / 8, 1 << (bit % 8))
}

#[cfg(all(test, not(lockyard_loom)))]
mod tests;
