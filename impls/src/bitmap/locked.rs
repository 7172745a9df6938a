//! The seed's before: bits and count as plain memory, every read and write
//! under one lock.

use super::{Bitmap, Counter, locate};
use crate::{DefaultLock, RawLock};
use core::cell::UnsafeCell;

/// `8 * BYTES` bits and a count, both read and written under the lock `L`
/// (Go's page-in-use bitmap and `pagesInUse` under the heap lock).
pub struct LockedBitmap<const BYTES: usize, L: RawLock = DefaultLock> {
    lock: L,
    bytes: UnsafeCell<[u8; BYTES]>,
    count: UnsafeCell<usize>,
}

// SAFETY: `bytes` and `count` are touched only in `locked`, with the lock
// held.
unsafe impl<const BYTES: usize, L: RawLock> Sync for LockedBitmap<BYTES, L> {}

impl<const BYTES: usize, L: RawLock> LockedBitmap<BYTES, L> {
    /// Every bit clear and a count of 0.
    #[cfg(not(lockyard_loom))]
    pub const fn new() -> Self {
        Self::with_lock(L::INIT)
    }

    /// Every bit clear and a count of 0 (under loom, whose locks are not
    /// const).
    #[cfg(lockyard_loom)]
    pub fn new() -> Self {
        Self::with_lock(L::new())
    }

    crate::primitive::const_fn_unless_loom! {
        fn with_lock(lock: L) -> Self {
            LockedBitmap {
                lock,
                bytes: UnsafeCell::new([0; BYTES]),
                count: UnsafeCell::new(0),
            }
        }
    }

    /// Runs `f` on the bits and the count with the lock held.
    #[inline]
    fn locked<R>(&self, f: impl FnOnce(&mut [u8; BYTES], &mut usize) -> R) -> R {
        /// Unlocks on the way out, a panic in `f` included, so a refused
        /// call (a bit out of range) leaves the lock free.
        struct Unlock<'a, L: RawLock>(&'a L);
        impl<L: RawLock> Drop for Unlock<'_, L> {
            fn drop(&mut self) {
                // SAFETY: `locked` took the lock on this thread.
                unsafe { self.0.unlock() };
            }
        }
        self.lock.lock();
        let _unlock = Unlock(&self.lock);
        // SAFETY: the lock is held until `_unlock` drops, so nothing else
        // touches the cells meanwhile.
        unsafe { f(&mut *self.bytes.get(), &mut *self.count.get()) }
    }
}

impl<const BYTES: usize, L: RawLock> LockedBitmap<BYTES, L> {
    /// Sets `bit` and adds `n` to the count in one critical section, as Go's
    /// `alloc_m` marked a span in use and counted its pages under the heap
    /// lock.
    ///
    /// # Panics
    ///
    /// If `bit` is out of range or the count would overflow; neither
    /// changes.
    pub fn set_and_add(&self, bit: usize, n: usize) {
        let (byte, mask) = locate(bit, BYTES);
        self.locked(|bytes, count| {
            *count = count.checked_add(n).expect("counter: overflow");
            bytes[byte] |= mask;
        });
    }

    /// Takes `n` from the count and clears `bit` in one critical section,
    /// as Go's `freeSpanLocked` did.
    ///
    /// # Panics
    ///
    /// If `bit` is out of range or the count is below `n`; neither changes.
    pub fn clear_and_sub(&self, bit: usize, n: usize) {
        let (byte, mask) = locate(bit, BYTES);
        self.locked(|bytes, count| {
            *count = count.checked_sub(n).expect("counter: taken below zero");
            bytes[byte] &= !mask;
        });
    }
}

impl<const BYTES: usize, L: RawLock> Default for LockedBitmap<BYTES, L> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const BYTES: usize, L: RawLock> Bitmap for LockedBitmap<BYTES, L> {
    const BITS: usize = 8 * BYTES;

    fn set(&self, bit: usize) {
        let (byte, mask) = locate(bit, BYTES);
        self.locked(|bytes, _| bytes[byte] |= mask);
    }

    fn clear(&self, bit: usize) {
        let (byte, mask) = locate(bit, BYTES);
        self.locked(|bytes, _| bytes[byte] &= !mask);
    }

    fn test(&self, bit: usize) -> bool {
        let (byte, mask) = locate(bit, BYTES);
        self.locked(|bytes, _| bytes[byte] & mask != 0)
    }
}

impl<const BYTES: usize, L: RawLock> Counter for LockedBitmap<BYTES, L> {
    fn add(&self, n: usize) {
        self.locked(|_, count| *count = count.checked_add(n).expect("counter: overflow"));
    }

    fn sub(&self, n: usize) {
        self.locked(|_, count| *count = count.checked_sub(n).expect("counter: taken below zero"));
    }

    fn get(&self) -> usize {
        self.locked(|_, count| *count)
    }
}
