//! Loom models of `lockyard::arena::BumpArena` with the seed's after claim
//! (one `fetch_add`, the lock only to add a chunk).
//!
//! Chunks hold two 8-byte blocks, and the main thread takes the first
//! before the other thread starts, so the two race for the last block of a
//! chunk: one wins it, the other overflows and adds a chunk under the lock,
//! which nobody else contends (a contended lock would multiply the
//! interleavings without reaching a new arena state).

use lockyard::arena::{BumpArena, Claim, chunk_capacity};
use lockyard::futex::RawFutex;
use loom::sync::Arc;
use loom::thread;

/// Bytes of one block.
const BLOCK: usize = 8;

/// An arena whose chunks hand out exactly two blocks (loom's atomics make
/// a chunk's header larger than in a real build, so it is measured).
pub(crate) fn two_block_arena<C: Claim>() -> BumpArena<RawFutex, C> {
    let probe = 4096;
    let header = probe - chunk_capacity(probe, BLOCK);
    BumpArena::with_align(header + 2 * BLOCK, BLOCK)
}

/// Fails unless the blocks at `addresses` share no byte.
pub(crate) fn assert_disjoint(addresses: &mut [usize]) {
    addresses.sort_unstable();
    for pair in addresses.windows(2) {
        assert!(
            pair[0] + BLOCK <= pair[1],
            "blocks overlap: {:#x} and {:#x}",
            pair[0],
            pair[1]
        );
    }
}

/// Two threads race for the last block of a chunk; with the first block,
/// the three blocks are disjoint and one chunk was added.
pub(crate) fn race_for_the_last_block<C: Claim + 'static>() {
    loom::model(|| {
        let arena = Arc::new(two_block_arena::<C>());
        let first = arena.alloc(BLOCK).expect("memory").as_ptr().addr();
        let other = {
            let arena = Arc::clone(&arena);
            thread::spawn(move || arena.alloc(BLOCK).expect("memory").as_ptr().addr())
        };
        let mine = arena.alloc(BLOCK).expect("memory").as_ptr().addr();
        let theirs = other.join().unwrap();
        assert_disjoint(&mut [first, mine, theirs]);
        assert_eq!(arena.chunks(), 2, "three blocks need exactly two chunks");
    });
}

#[test]
fn racing_threads_get_disjoint_blocks() {
    race_for_the_last_block::<lockyard::arena::LockFree>();
}

/// An epoch change against an allocation: the allocation lands in the old
/// head chunk (now *current*) or in a fresh one, and either way no memory
/// allocated before the change is handed out again.
#[test]
fn an_epoch_change_hands_out_nothing_in_use() {
    loom::model(|| {
        let arena = Arc::new(two_block_arena::<lockyard::arena::LockFree>());
        let first = arena.alloc(BLOCK).expect("memory").as_ptr().addr();
        let other = {
            let arena = Arc::clone(&arena);
            thread::spawn(move || arena.alloc(BLOCK).expect("memory").as_ptr().addr())
        };
        // SAFETY: two epoch changes from here on free nothing in use.
        unsafe { arena.next_epoch() };
        let mine = arena.alloc(BLOCK).expect("memory").as_ptr().addr();
        let theirs = other.join().unwrap();
        assert_disjoint(&mut [first, mine, theirs]);
    });
}
