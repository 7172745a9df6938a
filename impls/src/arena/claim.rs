//! How an allocation takes its bytes from a chunk's free offset: the seed's
//! after ([`LockFree`], one `fetch_add` and no lock) or its before
//! ([`UnderLock`], a plain bump with the arena's lock held for the whole
//! allocation).

use crate::primitive::{AtomicUsize, Ordering};

/// A chunk's free offset: the index of the next free byte of its data. It
/// only divides the chunk between allocations; the chunk's memory itself
/// is published with the chunk, so every access here is Relaxed.
pub struct FreeOffset(AtomicUsize);

impl FreeOffset {
    crate::primitive::const_fn_unless_loom! {
        pub(super) fn new() -> FreeOffset {
            FreeOffset(AtomicUsize::new(0))
        }
    }

    /// The offset now.
    #[inline]
    pub fn load(&self) -> usize {
        // Relaxed: see the type's doc.
        self.0.load(Ordering::Relaxed)
    }

    /// Sets the offset to `offset`.
    #[inline]
    pub fn store(&self, offset: usize) {
        // Relaxed: see the type's doc.
        self.0.store(offset, Ordering::Relaxed);
    }

    /// Adds `bytes` in one read-modify-write and returns the offset before.
    #[inline]
    pub fn fetch_add(&self, bytes: usize) -> usize {
        // Relaxed: see the type's doc; atomicity alone makes claims disjoint.
        self.0.fetch_add(bytes, Ordering::Relaxed)
    }
}

/// How a [`BumpArena`](super::BumpArena) claims bytes from a chunk.
///
/// # Safety
///
/// Two claims on one offset never return ranges that share a byte: with
/// [`UNDER_LOCK`](Claim::UNDER_LOCK) false they may run at the same time
/// and must be one atomic step; with it true the arena calls `claim` only
/// with its lock held. The arena hands out `start..start + bytes` as memory
/// that is the caller's alone.
pub unsafe trait Claim {
    /// Whether every allocation takes the arena's lock (the seed's before)
    /// rather than only the one that must add a chunk.
    const UNDER_LOCK: bool;

    /// Moves `free` past `bytes` more bytes and returns where they start:
    /// the offset before the move.
    fn claim(free: &FreeOffset, bytes: usize) -> usize;
}

/// The seed's after: one `fetch_add`, no lock.
pub struct LockFree;

// SAFETY: a single atomic read-modify-write gives every caller its own
// range, however many run at once.
unsafe impl Claim for LockFree {
    const UNDER_LOCK: bool = false;

    #[inline]
    fn claim(free: &FreeOffset, bytes: usize) -> usize {
        free.fetch_add(bytes)
    }
}

/// The seed's before: the arena's lock held for the whole allocation, and
/// a read then a write of the offset under it.
pub struct UnderLock;

// SAFETY: UNDER_LOCK makes the arena hold its lock around every claim, so
// no other claim comes between the read and the write.
unsafe impl Claim for UnderLock {
    const UNDER_LOCK: bool = true;

    #[inline]
    fn claim(free: &FreeOffset, bytes: usize) -> usize {
        let start = free.load();
        free.store(start + bytes);
        start
    }
}
