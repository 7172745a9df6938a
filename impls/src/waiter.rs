//! Waiter nodes: what a thread pushes onto a lock's stack of sleepers (Go's
//! `m` as far as the locks care: its `mWaitList.next` link and its semaphore).
//!
//! Each thread gets one node the first time it has to wait, keeps it for its
//! whole life and hands it back to the global pool when it exits (who owns
//! a node when is `waiter_pool`'s business; this file is the node itself).
//! Nodes are never freed, which is what makes the wake path sound. An
//! unlocker pops a node and then posts its semaphore: the token lands first,
//! the OS wake on the semaphore's word comes after. Between the two the owner
//! can take the token, return from `lock`, exit, and its node can pass to a
//! new thread. The late OS wake then hits live memory and at worst ends one of
//! the new owner's sleeps early, which the semaphore's loop absorbs. Tokens
//! themselves always balance: every pop is followed by exactly one post and
//! exactly one sleep of the popped owner, and a node goes back to the pool
//! only when its thread is outside every lock call.

use crate::locked_list::Link;
use crate::primitive::{AtomicUsize, Ordering};
use crate::semaphore::Semaphore;

/// Alignment of every node. The spinbit backend keeps ten flag bits below a
/// node's address in its state word, so nodes must have those bits clear.
pub const WAITER_ALIGN: usize = 1024;

/// One thread's entry in a lock's stack of sleepers.
#[repr(C, align(1024))]
pub struct Waiter {
    /// Address of the node below this one on the stack it sleeps on, or 0 at
    /// the bottom. Written by the owner before its push, and by the unlocker
    /// that holds the stack (spinbit's stack lock, sema's lock) while the
    /// owner sleeps.
    pub(crate) next: AtomicUsize,
    /// Where the owner sleeps and its waker posts.
    pub(crate) sema: Semaphore,
    /// When the owner's current lock call first went to sleep (the clock's
    /// microseconds): how long it has waited, for a bounded-wait flavor.
    pub(crate) wait_start: AtomicUsize,
    /// A hint, kept on the stack's top node: the `wait_start` of the oldest
    /// sleeper below it. Pushers copy it up; whoever takes the bottom off
    /// refreshes it; a stale value only costs a walk that corrects it.
    pub(crate) oldest: AtomicUsize,
    /// The contention profile's clock stamp (`profile` feature): when the
    /// owner's wait began, or when an unlocker last charged it (`blame.rs`).
    pub(crate) blame_since: AtomicUsize,
    /// futex's wait list (`profile` feature): the node above this one, with
    /// `LINKED` in bit 0 once the list's holder has linked
    /// it back (`futex/wait_list.rs`).
    pub(crate) list_prev: AtomicUsize,
    /// Non-zero when an unlocker handed the lock to this node's owner: it
    /// wakes holding the lock. Written before the wake, read after it.
    pub(crate) handed_off: AtomicUsize,
    /// Link in the pool of idle nodes while no thread owns the node.
    pub(crate) pool_link: Link,
}

const _: () = assert!(core::mem::align_of::<Waiter>() == WAITER_ALIGN);

impl Waiter {
    /// An idle node with nothing below it and no token.
    pub(crate) fn new() -> Self {
        Waiter {
            next: AtomicUsize::new(0),
            sema: Semaphore::new(),
            wait_start: AtomicUsize::new(0),
            oldest: AtomicUsize::new(0),
            blame_since: AtomicUsize::new(0),
            list_prev: AtomicUsize::new(0),
            handed_off: AtomicUsize::new(0),
            pool_link: Link::new(),
        }
    }

    /// Marks the owner as handed the lock by its waker; the wake that
    /// follows publishes the mark (Relaxed here, the semaphore's Release).
    pub(crate) fn mark_handoff(&self) {
        self.handed_off.store(1, Ordering::Relaxed);
    }

    /// After a wake: whether the waker handed the owner the lock, clearing
    /// the mark. Relaxed: the semaphore's Acquire ordered the waker's writes
    /// before this read.
    pub(crate) fn take_handoff(&self) -> bool {
        if self.handed_off.load(Ordering::Relaxed) == 0 {
            return false;
        }
        self.handed_off.store(0, Ordering::Relaxed);
        self.next.store(0, Ordering::Relaxed);
        true
    }

    /// For the contention profile (`blame.rs`): this node, the oldest
    /// sleeper, is leaving, and `next`, the next-oldest, becomes the tail;
    /// it inherits this node's stamp, so what this node waited since its
    /// last charge is charged through `next` at the next sample. Nothing
    /// without the `profile` feature.
    #[inline]
    pub(crate) fn pass_blame_to(&self, next: &Waiter) {
        if cfg!(lockyard_profile) {
            // Relaxed: stamps are read and written under the stack's or
            // list's lock, whose Acquire/Release order them.
            let since = self.blame_since.load(Ordering::Relaxed);
            next.blame_since.store(since, Ordering::Relaxed);
        }
    }

    /// The node's address with its provenance exposed, for packing into a
    /// lock word.
    #[inline]
    pub(crate) fn addr(&'static self) -> usize {
        (self as *const Waiter).expose_provenance()
    }

    /// The node at `addr`, an address produced by [`Waiter::addr`].
    ///
    /// # Safety
    ///
    /// `addr` must be non-zero and come from [`Waiter::addr`].
    #[inline]
    pub(crate) unsafe fn from_addr(addr: usize) -> &'static Waiter {
        debug_assert!(addr != 0 && addr.is_multiple_of(WAITER_ALIGN));
        // SAFETY: `addr` came from `Waiter::addr` of a node carved from the
        // waiter arena (leaked under loom), never freed, hence valid for 'static, and its provenance was exposed there.
        unsafe { &*core::ptr::with_exposed_provenance::<Waiter>(addr) }
    }
}
