//! An intrusive stack whose head word is also its lock, with a length read
//! without taking it (Go's extra-M list after "clean up extra M API", seed
//! 002: `lockextra`, `getExtraM`, `putExtraM`, `extraMLength`).
//!
//! The head holds the top element's address, 0 when the list is empty, or
//! [`LOCKED`] while a thread pushes or pops. Locking is swapping LOCKED in
//! for the head you saw; unlocking is storing the new head, which publishes
//! the links written while locked. A thread that finds the list locked
//! yields; one that must have an element and finds it empty sleeps about a
//! microsecond between looks, counted in [`LockedList::waiters`] so a
//! producer can see the demand (Go's `extraMWaiters`).
//!
//! The length is a [`Length`]: by default an atomic written only inside the
//! critical section and read without the lock ([`AtomicLen`], the seed's
//! after); [`LockedLen`] is the before, a plain count read under the lock.
//! Every write is under the lock, so the writes form one sequence of counts
//! the list really had, and any read returns one of them.
//!
//! Elements carry their own [`Link`], so putting and getting never allocate:
//! lockyard's waiter-node pool is built on this list, on lock paths that may
//! run inside the global allocator.

mod length;

pub use length::{AtomicLen, Length, LockedLen};

use crate::misuse;
use crate::primitive::{AtomicUsize, Ordering, nap, yield_now};
use core::marker::PhantomData;

/// Head value while the list is locked. No element sits at address 1: an
/// element holds a [`Link`], so it is at least word-aligned.
const LOCKED: usize = 1;

/// A link's value while its element is on no list; 1 for the same reason.
const UNLINKED: usize = 1;

const _: () = assert!(core::mem::align_of::<Link>() > 1);

/// The field an element of a [`LockedList`] is linked through: the address
/// of the element below it, 0 at the bottom, or "unlinked" while it is off
/// the list. Written and read only under the list's lock.
pub struct Link {
    next: AtomicUsize,
}

impl Link {
    crate::primitive::const_fn_unless_loom! {
        /// A link on no list.
        pub fn new() -> Link {
            Link { next: AtomicUsize::new(UNLINKED) }
        }
    }

    /// Whether the element is on a list now (a snapshot: only the list's
    /// lock makes it more than that).
    pub fn is_linked(&self) -> bool {
        // Relaxed: a snapshot, ordered with nothing.
        self.next.load(Ordering::Relaxed) != UNLINKED
    }
}

impl Default for Link {
    fn default() -> Link {
        Link::new()
    }
}

/// An element of a [`LockedList`].
///
/// # Safety
///
/// `link` returns the same [`Link`], stored inside `self`, on every call,
/// and that link is used by at most one list.
pub unsafe trait Linked {
    /// The element's link.
    fn link(&self) -> &Link;
}

/// A stack of `&'a T` whose head word is its lock; its length is an `N`.
pub struct LockedList<'a, T: Linked, N: Length = AtomicLen> {
    head: AtomicUsize,
    len: N,
    waiters: AtomicUsize,
    // The list hands out the `&'a T`s it was given, to any thread: it is
    // Send and Sync exactly when `&'a T` is.
    elements: PhantomData<&'a T>,
}

impl<'a, T: Linked, N: Length> LockedList<'a, T, N> {
    /// An empty list.
    #[cfg(not(lockyard_loom))]
    pub const fn new() -> Self {
        Self::with_len(N::INIT)
    }

    /// An empty list (under loom, whose atomics are not const).
    #[cfg(lockyard_loom)]
    pub fn new() -> Self {
        Self::with_len(N::new())
    }

    crate::primitive::const_fn_unless_loom! {
        fn with_len(len: N) -> Self {
            LockedList {
                head: AtomicUsize::new(0),
                len,
                waiters: AtomicUsize::new(0),
                elements: PhantomData,
            }
        }
    }

    /// Pushes `element`.
    ///
    /// # Panics
    ///
    /// If `element` is on a list already: a second push would make the
    /// stack a cycle.
    pub fn put(&self, element: &'a T) {
        let link = element.link();
        let head = self.lock(false);
        // Relaxed, here and below: links are read and written only under
        // the lock, whose Acquire and Release order them.
        if link.next.load(Ordering::Relaxed) != UNLINKED {
            self.release(head);
            misuse::double_put()
        }
        link.next.store(head, Ordering::Relaxed);
        self.unlock(address(element), 1);
    }

    /// Pops the top element, waiting while the list is empty, and says
    /// whether it was the last one (the list is empty after this call).
    pub fn get(&self) -> (&'a T, bool) {
        let head = self.lock(true);
        // SAFETY: a locked list `lock(true)` returned is not empty.
        unsafe { self.pop(head) }
    }

    /// Pops the top element and says whether it was the last, or `None` at
    /// once when the list is empty.
    pub fn try_get(&self) -> Option<(&'a T, bool)> {
        let head = self.lock(false);
        if head == 0 {
            self.release(0);
            return None;
        }
        // SAFETY: locked and not empty.
        Some(unsafe { self.pop(head) })
    }

    /// Elements on the list: read without the lock for [`AtomicLen`] (a
    /// count the list had at some moment during the call), under it for
    /// [`LockedLen`].
    pub fn len(&self) -> usize {
        if N::READ_UNDER_LOCK {
            let head = self.lock(false);
            // SAFETY: the list's lock is held.
            let len = unsafe { self.len.read() };
            self.release(head);
            len
        } else {
            // SAFETY: `N` reads without the lock.
            unsafe { self.len.read() }
        }
    }

    /// Whether [`len`](Self::len) is 0.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Threads waiting in [`get`](Self::get) for an element right now.
    pub fn waiters(&self) -> usize {
        // Relaxed: a snapshot for a producer deciding whether to make more.
        self.waiters.load(Ordering::Relaxed)
    }

    /// Takes the lock and returns the head it replaced; with `nonempty`,
    /// waits until there is an element to take.
    fn lock(&self, nonempty: bool) -> usize {
        let mut counted = false;
        loop {
            // Relaxed peek: only the exchange below takes the lock.
            let head = self.head.load(Ordering::Relaxed);
            if head == LOCKED {
                yield_now();
                continue;
            }
            if head == 0 && nonempty {
                if !counted {
                    // Relaxed: the count is a hint, ordered with nothing.
                    self.waiters.fetch_add(1, Ordering::Relaxed);
                    counted = true;
                }
                // Filling the list takes another thread's slow work.
                nap();
                continue;
            }
            // Acquire: the elements and links the last holder published.
            if self
                .head
                .compare_exchange_weak(head, LOCKED, Ordering::Acquire, Ordering::Relaxed)
                .is_ok()
            {
                if counted {
                    // Relaxed: as above.
                    self.waiters.fetch_sub(1, Ordering::Relaxed);
                }
                return head;
            }
            yield_now();
        }
    }

    /// Unlocks, leaving `head` on top and the length changed by `delta`.
    fn unlock(&self, head: usize, delta: isize) {
        // SAFETY: the lock is held until the store in `release`.
        unsafe { self.len.changed(delta) };
        self.release(head);
        self.len.after_unlock(delta);
    }

    /// Unlocks, leaving `head` on top and the length as it was.
    fn release(&self, head: usize) {
        // Release: publishes the links written while locked.
        self.head.store(head, Ordering::Release);
    }

    /// Pops `head`, the top of the locked list, and unlocks.
    ///
    /// # Safety
    ///
    /// The caller holds the lock, and `head` is the address of an element
    /// (not 0).
    unsafe fn pop(&self, head: usize) -> (&'a T, bool) {
        // SAFETY: a non-zero head is an element `put` stored from an
        // `&'a T`, with its provenance exposed; `'a` has not ended.
        let element: &'a T = unsafe { &*core::ptr::with_exposed_provenance::<T>(head) };
        let link = element.link();
        // Relaxed: the lock orders links (see `put`).
        let rest = link.next.load(Ordering::Relaxed);
        link.next.store(UNLINKED, Ordering::Relaxed);
        self.unlock(rest, -1);
        (element, rest == 0)
    }
}

impl<T: Linked, N: Length> Default for LockedList<'_, T, N> {
    fn default() -> Self {
        Self::new()
    }
}

/// `element`'s address with its provenance exposed, for the head word.
fn address<T>(element: &T) -> usize {
    (element as *const T).expose_provenance()
}

#[cfg(all(test, not(lockyard_loom)))]
mod tests;
