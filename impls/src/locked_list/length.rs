//! How a [`LockedList`](super::LockedList) counts its elements.

use crate::primitive::{AtomicUsize, Ordering};
use core::cell::UnsafeCell;

/// A list's element count. The list calls [`changed`](Length::changed)
/// inside every critical section that adds or removes an element, and
/// [`after_unlock`](Length::after_unlock) right after it.
pub trait Length: Sync {
    /// The count of an empty list.
    #[cfg(not(lockyard_loom))]
    const INIT: Self;

    /// Whether [`read`](Length::read) needs the list's lock.
    const READ_UNDER_LOCK: bool;

    /// The count of an empty list (under loom, whose atomics are not const).
    #[cfg(lockyard_loom)]
    fn new() -> Self;

    /// The list gained (`delta > 0`) or lost elements.
    ///
    /// # Safety
    ///
    /// Called with the list's lock held.
    unsafe fn changed(&self, delta: isize);

    /// Called once the critical section that changed the list by `delta`
    /// has unlocked it. The lengths lockyard ships do nothing here; it
    /// exists so a harness can build the broken count the seed fixed
    /// (lockyard-conformance's `list-latelen` control).
    fn after_unlock(&self, delta: isize) {
        let _ = delta;
    }

    /// The count.
    ///
    /// # Safety
    ///
    /// Called with the list's lock held when [`READ_UNDER_LOCK`](Length::READ_UNDER_LOCK).
    unsafe fn read(&self) -> usize;
}

/// The seed's after: an atomic written only under the list's lock and read
/// without it.
pub struct AtomicLen(AtomicUsize);

impl Length for AtomicLen {
    #[cfg(not(lockyard_loom))]
    const INIT: Self = AtomicLen(AtomicUsize::new(0));
    const READ_UNDER_LOCK: bool = false;

    #[cfg(lockyard_loom)]
    fn new() -> Self {
        AtomicLen(AtomicUsize::new(0))
    }

    unsafe fn changed(&self, delta: isize) {
        // A load and a store, not a read-modify-write: only the lock's
        // holder writes, so nothing can come between them. Relaxed: the
        // lock orders every write, so the writes are the sequence of counts
        // the list had; a reader wants one of them, not anything published
        // beside it.
        let len = self.0.load(Ordering::Relaxed);
        let len = len
            .checked_add_signed(delta)
            .expect("locked_list: length out of range");
        self.0.store(len, Ordering::Relaxed);
    }

    unsafe fn read(&self) -> usize {
        // Relaxed: see `changed`.
        self.0.load(Ordering::Relaxed)
    }
}

/// The seed's before: a plain count, read and written under the list's lock.
pub struct LockedLen(UnsafeCell<usize>);

// SAFETY: the cell is touched only by `changed` and `read`, whose callers
// hold the list's lock (READ_UNDER_LOCK makes the list take it for reads).
unsafe impl Sync for LockedLen {}

impl Length for LockedLen {
    #[cfg(not(lockyard_loom))]
    const INIT: Self = LockedLen(UnsafeCell::new(0));
    const READ_UNDER_LOCK: bool = true;

    #[cfg(lockyard_loom)]
    fn new() -> Self {
        LockedLen(UnsafeCell::new(0))
    }

    unsafe fn changed(&self, delta: isize) {
        // SAFETY: the caller holds the list's lock, so no one else is here.
        let len = unsafe { &mut *self.0.get() };
        *len = len
            .checked_add_signed(delta)
            .expect("locked_list: length out of range");
    }

    unsafe fn read(&self) -> usize {
        // SAFETY: the caller holds the list's lock.
        unsafe { *self.0.get() }
    }
}
