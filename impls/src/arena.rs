//! A bump allocator whose fast path takes no lock (Go's mark-bits arenas
//! after "lock-free fast path for mark bits allocation", seed 003).
//!
//! Memory comes in chunks the arena maps from the OS itself, never through
//! the global allocator, so the arena can serve the lock layer (waiter
//! nodes) and code that runs inside an allocator. An allocation is one
//! `fetch_add` on the free offset of the chunk at the head of the list: a
//! look at the offset first skips a chunk already full, and a check of the
//! returned end catches the race where several threads overshoot it at
//! once (the offset only ever grows, so an overshoot wastes the tail and
//! nothing else). The lock guards only the chunk lists: a thread that finds
//! the head chunk full takes it, tries the head again (another thread may
//! have added one), and otherwise allocates from a fresh chunk *before*
//! publishing it, so that first allocation cannot race and cannot fail.
//!
//! Chunks are never given back to the OS. [`BumpArena::next_epoch`] retires
//! them as Go's `nextMarkBitArenaEpoch` does: the chunks filled during the
//! epoch become *current*, the current ones *previous*, and the previous
//! ones go to the free list, zeroed again before reuse. So an allocation
//! lives through two epoch changes and its memory is reused after the third.
//!
//! How an allocation claims its bytes is the arena's second parameter, a
//! [`Claim`]: [`LockFree`] (the default, the seed's after) or [`UnderLock`],
//! which makes [`LockedArena`] the seed's before: every allocation under
//! the lock, the same chunks and epochs around it.
//!
//! Memory ordering: the head chunk's address is stored with Release (under
//! the lock) and loaded with Acquire by the lock-free path, so a chunk's
//! header and zeroed data are seen before its address; everything else
//! about a chunk is read and written under the lock, or is the Relaxed
//! free offset, which only divides memory already published.

mod claim;

pub use claim::{Claim, FreeOffset, LockFree, UnderLock};

use crate::DefaultLock;
use crate::RawLock;
use crate::os;
use crate::primitive::{AtomicUsize, Ordering, const_fn_unless_loom};
use core::cell::UnsafeCell;
use core::marker::PhantomData;
use core::ptr::{self, NonNull};

/// A chunk's header, at the start of its mapping; the bytes handed out
/// follow it, from the first multiple of the arena's alignment.
struct Chunk {
    /// Offset of the next free byte from the start of the data. Bumped
    /// without the lock by [`LockFree`]; may pass the end (an allocation
    /// that did not fit).
    free: FreeOffset,
    /// The next chunk on whichever list this one is on; written under the
    /// lock, read only under it.
    next: *mut Chunk,
}

/// The chunk lists, read and written only under the arena's lock.
struct Lists {
    /// Chunks filled before the last epoch change: still in use.
    current: *mut Chunk,
    /// Chunks of the epoch before: in use until the next epoch change.
    previous: *mut Chunk,
    /// Chunks ready for reuse.
    free: *mut Chunk,
}

/// A bump allocator over chunks of `chunk_bytes`, handing out memory
/// aligned to `align` (8 unless built with [`BumpArena::with_align`]); with
/// the default [`LockFree`] claim it takes its lock `L` only to add a chunk.
pub struct BumpArena<L: RawLock = DefaultLock, C: Claim = LockFree> {
    /// Address of the chunk allocations come from (Go's `next` list head),
    /// 0 before the first. Read without the lock; stored only under it.
    head: AtomicUsize,
    /// Chunks mapped from the OS so far.
    mapped: AtomicUsize,
    lock: L,
    lists: UnsafeCell<Lists>,
    chunk_bytes: usize,
    align: usize,
    // A strategy, not a value: the arena holds no `C`.
    claim: PhantomData<fn() -> C>,
}

/// The seed's before: a [`BumpArena`] that takes its lock for every
/// allocation.
pub type LockedArena<L = DefaultLock> = BumpArena<L, UnderLock>;

// SAFETY: the raw pointers in `lists` and in chunk headers are touched only
// under `lock`; the chunks themselves are never freed, and what the arena
// hands out is the caller's to share.
unsafe impl<L: RawLock, C: Claim> Sync for BumpArena<L, C> {}
// SAFETY: as for Sync; nothing in the arena is tied to a thread.
unsafe impl<L: RawLock, C: Claim> Send for BumpArena<L, C> {}

impl<L: RawLock, C: Claim> BumpArena<L, C> {
    /// An arena of `chunk_bytes` chunks handing out 8-byte-aligned memory.
    #[cfg(not(lockyard_loom))]
    pub const fn new(chunk_bytes: usize) -> Self {
        Self::with_align(chunk_bytes, 8)
    }

    /// An arena whose allocations are aligned to `align`, a power of two
    /// from 8 to 4096 (what an OS mapping guarantees); each allocation is
    /// rounded up to a multiple of it.
    ///
    /// # Panics
    ///
    /// If `align` is out of range or a chunk cannot hold its header and one
    /// aligned unit.
    #[cfg(not(lockyard_loom))]
    pub const fn with_align(chunk_bytes: usize, align: usize) -> Self {
        Self::checked(chunk_bytes, align, L::INIT)
    }

    /// [`BumpArena::with_align`] under loom, whose locks are not const.
    #[cfg(lockyard_loom)]
    pub fn with_align(chunk_bytes: usize, align: usize) -> Self {
        Self::checked(chunk_bytes, align, L::new())
    }

    const_fn_unless_loom! {
        // `contains` is not const.
        #[allow(clippy::manual_range_contains)]
        fn checked(chunk_bytes: usize, align: usize, lock: L) -> Self {
            assert!(align.is_power_of_two() && align >= 8 && align <= os::MAP_ALIGN);
            assert!(data_offset(align) < chunk_bytes);
            BumpArena {
                head: AtomicUsize::new(0),
                mapped: AtomicUsize::new(0),
                lock,
                lists: UnsafeCell::new(Lists {
                    current: ptr::null_mut(),
                    previous: ptr::null_mut(),
                    free: ptr::null_mut(),
                }),
                chunk_bytes,
                align,
                claim: PhantomData,
            }
        }
    }

    /// Bytes one chunk can hand out.
    pub const fn capacity(&self) -> usize {
        chunk_capacity(self.chunk_bytes, self.align)
    }

    /// Chunks mapped from the OS so far (never decreases: chunks are reused,
    /// not unmapped).
    pub fn chunks(&self) -> usize {
        // Relaxed: a statistic.
        self.mapped.load(Ordering::Relaxed)
    }

    /// `bytes` of zeroed memory aligned to the arena's alignment, valid
    /// until the third [`next_epoch`](Self::next_epoch) after this call
    /// (forever if it is never called); `None` when the OS has no memory.
    ///
    /// # Panics
    ///
    /// If `bytes` is zero or more than a chunk holds ([`capacity`](Self::capacity)).
    pub fn alloc(&self, bytes: usize) -> Option<NonNull<u8>> {
        let bytes = bytes.next_multiple_of(self.align);
        assert!(
            bytes > 0 && bytes <= self.capacity(),
            "BumpArena::alloc: size out of range"
        );
        if !C::UNDER_LOCK {
            // Acquire: pairs with the Release that published the chunk, so
            // its header is initialised before we bump it.
            let head = self.head.load(Ordering::Acquire);
            // SAFETY: `head` is 0 or a chunk address this arena published.
            if let Some(p) = unsafe { self.try_alloc(head, bytes) } {
                return Some(p);
            }
        }
        self.lock.lock();
        let p = self.alloc_locked(bytes);
        // SAFETY: locked above on this thread.
        unsafe { self.lock.unlock() };
        p
    }

    /// The slow path of [`alloc`](Self::alloc), under the lock.
    fn alloc_locked(&self, bytes: usize) -> Option<NonNull<u8>> {
        // Under the lock the head cannot change, but its offset still can;
        // another thread may have added a chunk since we looked. Relaxed:
        // the lock orders this after that thread's store.
        let head = self.head.load(Ordering::Relaxed);
        // SAFETY: as in `alloc`.
        if let Some(p) = unsafe { self.try_alloc(head, bytes) } {
            return Some(p);
        }
        let fresh = self.take_chunk()?;
        // SAFETY: `fresh` is a chunk nobody else can see yet; the header is
        // ours to write.
        unsafe { (*fresh).next = with_address(head) };
        // Not yet published: nobody else can race for it, and it is empty.
        // SAFETY: `fresh` is a valid chunk of this arena.
        let p = unsafe { self.try_alloc(fresh.expose_provenance(), bytes) };
        debug_assert!(p.is_some(), "a fresh chunk holds any allocation");
        // Release: the header (and the zeroed data) before the address.
        self.head
            .store(fresh.expose_provenance(), Ordering::Release);
        p
    }

    /// A chunk with nothing allocated: a free one, or a new mapping.
    fn take_chunk(&self) -> Option<*mut Chunk> {
        // SAFETY: the caller holds the lock, which guards `lists`.
        let lists = unsafe { &mut *self.lists.get() };
        let chunk = if lists.free.is_null() {
            let base = os::map_zeroed(self.chunk_bytes)?.as_ptr().cast::<Chunk>();
            // Relaxed: a statistic.
            self.mapped.fetch_add(1, Ordering::Relaxed);
            // SAFETY: a fresh mapping, writable and aligned for `Chunk`.
            unsafe {
                base.write(Chunk {
                    free: FreeOffset::new(),
                    next: ptr::null_mut(),
                })
            };
            base
        } else {
            let chunk = lists.free;
            // SAFETY: chunks on the free list are valid and unused (the
            // contract of `next_epoch`); the lock is held.
            unsafe {
                lists.free = (*chunk).next;
                let data = chunk.cast::<u8>().add(data_offset(self.align));
                ptr::write_bytes(data, 0, self.capacity());
                // The chunk is published by the Release on `head`.
                (*chunk).free.store(0);
            }
            chunk
        };
        Some(chunk)
    }

    /// Bumps chunk `addr`'s offset by `bytes` if it has the room.
    ///
    /// # Safety
    ///
    /// `addr` is 0 or the address of a chunk of this arena.
    unsafe fn try_alloc(&self, addr: usize, bytes: usize) -> Option<NonNull<u8>> {
        let chunk: *mut Chunk = with_address(addr);
        if chunk.is_null() {
            return None;
        }
        // SAFETY: the caller's contract: a live chunk, never unmapped.
        let free = unsafe { &(*chunk).free };
        let capacity = self.capacity();
        // The seed's look before claiming: a full chunk is not bumped again,
        // so the offset passes the end by at most one claim per racer.
        if free.load() + bytes > capacity {
            return None;
        }
        let end = C::claim(free, bytes) + bytes;
        if end > capacity {
            return None;
        }
        let offset = data_offset(self.align) + end - bytes;
        // SAFETY: `offset + bytes` is within the chunk's mapping.
        NonNull::new(unsafe { chunk.cast::<u8>().add(offset) })
    }

    /// Whether `bytes` bytes at `p` lie inside what this arena has handed
    /// out from one chunk still in use (allocated from in this epoch or one
    /// of the two before it): a check for tests and debugging, which takes
    /// the lock and walks every chunk in use.
    pub fn contains(&self, p: *const u8, bytes: usize) -> bool {
        let addr = p.addr();
        self.lock.lock();
        // SAFETY: the lock is held, which guards `lists`.
        let lists = unsafe { &*self.lists.get() };
        // Relaxed: the lock orders the head's stores.
        let head = with_address(self.head.load(Ordering::Relaxed));
        let mut found = false;
        'lists: for mut chunk in [head, lists.current, lists.previous] {
            while !chunk.is_null() {
                // SAFETY: a chunk on one of this arena's lists; the lock is
                // held, so its `next` is stable.
                let (handed_out, next) = unsafe { ((*chunk).free.load(), (*chunk).next) };
                let start = chunk.addr() + data_offset(self.align);
                let end = start + handed_out.min(self.capacity());
                if addr >= start && addr.checked_add(bytes).is_some_and(|e| e <= end) {
                    found = true;
                    break 'lists;
                }
                chunk = next;
            }
        }
        // SAFETY: locked above on this thread.
        unsafe { self.lock.unlock() };
        found
    }

    /// Ends an epoch: chunks allocated from so far become *current*, the
    /// current ones *previous*, and the previous ones are freed for reuse.
    ///
    /// # Safety
    ///
    /// Nothing allocated before the last but one earlier call of
    /// `next_epoch` may be used after this one: its memory is handed out
    /// again. (With no earlier call, or one, nothing is freed.)
    pub unsafe fn next_epoch(&self) {
        self.lock.lock();
        // SAFETY: the lock is held, which guards `lists`.
        let lists = unsafe { &mut *self.lists.get() };
        let mut retired = lists.previous;
        while !retired.is_null() {
            // SAFETY: a chunk of this arena, unused by the caller's contract.
            let next = unsafe { (*retired).next };
            // SAFETY: as above; the lock is held.
            unsafe { (*retired).next = lists.free };
            lists.free = retired;
            retired = next;
        }
        lists.previous = lists.current;
        // Relaxed: allocations that still land in the old head belong to
        // this epoch's chunks, which stay valid as *current*.
        lists.current = with_address(self.head.swap(0, Ordering::Relaxed));
        // SAFETY: locked above on this thread.
        unsafe { self.lock.unlock() };
    }
}

/// Bytes a chunk of `chunk_bytes` hands out at alignment `align`: all but
/// its header, rounded up to the alignment.
pub const fn chunk_capacity(chunk_bytes: usize, align: usize) -> usize {
    chunk_bytes - data_offset(align)
}

/// Where the data starts in a chunk: the first multiple of `align` past the
/// header.
const fn data_offset(align: usize) -> usize {
    core::mem::size_of::<Chunk>().next_multiple_of(align)
}

/// The chunk at an address this arena exposed (0 is null).
fn with_address(addr: usize) -> *mut Chunk {
    ptr::with_exposed_provenance_mut(addr)
}

#[cfg(all(test, not(lockyard_loom)))]
mod tests;
