//! Who owns a waiter node: the thread that is using it, or the global pool of
//! idle ones. A thread takes a node on its first contention and gives it
//! back when it exits; nodes are never freed (see `waiter`).
//!
//! Nodes are carved from chunks the lock layer maps itself ([`BumpArena`]
//! over OS memory), never from the global allocator, and the thread's node
//! sits in a `const`-initialised thread-local: no lock path allocates or
//! runs std's lazy initialisation, so the locks can guard an allocator.
//!
//! The pool is a [`LockedList`] (seed 002's extra-M list): pushes and pops
//! happen only at thread start and exit, so a list whose head word is its
//! lock is plenty, and its length is read without that lock.

use crate::arena::{BumpArena, chunk_capacity};
use crate::locked_list::{Link, Linked, LockedList};
use crate::waiter::{WAITER_ALIGN, Waiter};
use crate::yield_lock::YieldLock;
use core::cell::Cell;

// SAFETY: `pool_link` is a field of the node, and the pool is the only list
// that uses it.
unsafe impl Linked for Waiter {
    fn link(&self) -> &Link {
        &self.pool_link
    }
}

/// Idle waiter nodes, ready for new threads.
static POOL: LockedList<'static, Waiter> = LockedList::new();

/// Bytes of one chunk of nodes: 64 KiB, a page or sixteen and a few
/// syscalls for a thousand threads. The chunk header takes the first slot.
const CHUNK_BYTES: usize = 64 * 1024;

/// Where new nodes come from. Its lock is a [`YieldLock`]: a lockyard
/// backend might need a node to wait for it.
static NODES: BumpArena<YieldLock> = BumpArena::with_align(CHUNK_BYTES, WAITER_ALIGN);

/// Nodes one chunk holds.
pub const WAITER_CHUNK_NODES: usize =
    chunk_capacity(CHUNK_BYTES, WAITER_ALIGN) / size_of::<Waiter>();

/// A node for a new thread: a recycled one, or a fresh one from the arena.
fn acquire() -> &'static Waiter {
    POOL.try_get().map_or_else(fresh, |(node, _)| node)
}

/// A node carved from the arena.
#[cold]
fn fresh() -> &'static Waiter {
    let Some(slot) = NODES.alloc(size_of::<Waiter>()) else {
        crate::misuse::out_of_memory("a waiter node")
    };
    let node = slot.cast::<Waiter>();
    // SAFETY: the arena hands out WAITER_ALIGN-aligned memory of a node's
    // size that nothing else uses and that is never unmapped, so the node
    // lives for 'static once written.
    unsafe {
        node.write(Waiter::new());
        node.as_ref()
    }
}

/// The thread's node once it has one; gives it back to the pool when the
/// thread exits. A node-less thread exits without touching the pool.
struct Owned(Cell<Option<&'static Waiter>>);

impl Drop for Owned {
    fn drop(&mut self) {
        if let Some(node) = self.0.get() {
            POOL.put(node);
        }
    }
}

std::thread_local! {
    /// `const`, so reaching it never runs an initialiser; std registers the
    /// destructor on first use with its own list on the System allocator
    /// (or the C library's), never the global one.
    static CURRENT: Owned = const { Owned(Cell::new(None)) };
}

/// Runs `f` with this thread's node, creating it on first use.
///
/// During thread-local destruction (a lock taken from another destructor) the
/// node is borrowed from the pool for the call and handed straight back: by
/// the time `f` returns the lock call is over and the node is idle.
pub(crate) fn with_current<R>(f: impl FnOnce(&'static Waiter) -> R) -> R {
    match current() {
        Some(node) => f(node),
        None => {
            let node = Owned(Cell::new(Some(acquire())));
            f(node.0.get().expect("just set"))
        }
    }
}

/// This thread's node, created on first use; `None` while the thread's
/// thread-locals are being destroyed ([`with_current`] then borrows one).
/// The node is the thread's until it exits, so a lock call may hold on to
/// it for as long as it runs.
pub(crate) fn current() -> Option<&'static Waiter> {
    CURRENT
        .try_with(|owned| {
            owned.0.get().unwrap_or_else(|| {
                let node = acquire();
                owned.0.set(Some(node));
                node
            })
        })
        .ok()
}

/// Idle waiter nodes in the global pool right now: nodes left by exited
/// threads and not yet reused. Nodes are never freed, so this plus the number
/// of live threads that ever waited bounds the memory the locks hold.
pub fn idle_waiters() -> usize {
    POOL.len()
}

/// Chunks mapped for waiter nodes so far, [`WAITER_CHUNK_NODES`] nodes each.
/// It never decreases, and grows only when no idle node is left: it bounds
/// the memory all the locks of the process hold for their sleepers.
pub fn waiter_chunks() -> usize {
    NODES.chunks()
}

#[cfg(all(test, not(lockyard_loom)))]
mod tests {
    use super::{idle_waiters, with_current};

    #[test]
    fn an_exited_threads_node_is_reused() {
        let first = std::thread::spawn(|| with_current(|w| w.addr()))
            .join()
            .unwrap();
        assert!(idle_waiters() >= 1);
        // The pool is global and other tests run beside this one, so the
        // very node may go elsewhere; what must hold is that exits return
        // nodes, and a reused node is one we saw before.
        let mut seen = vec![first];
        for _ in 0..64 {
            let addr = std::thread::spawn(|| with_current(|w| w.addr()))
                .join()
                .unwrap();
            if seen.contains(&addr) {
                return;
            }
            seen.push(addr);
        }
        panic!("64 sequential threads never reused a node: the pool leaks");
    }
}
