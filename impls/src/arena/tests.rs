use super::{BumpArena, Claim, LockFree, UnderLock};
use crate::DefaultLock;
use std::collections::HashSet;

/// Small chunks, so a test crosses many of them.
const CHUNK: usize = 4096;
/// Allocations per thread: fewer under Miri, which interprets every byte
/// written, yet still tens of chunks.
const ROUNDS: usize = if cfg!(miri) { 200 } else { 2_000 };
/// Allocations per racing thread: under Miri, 8 threads × 50 of about 40
/// bytes still fill several chunks (and the race for the last bytes of
/// each), in a quarter of the time 200 took (50 s of Miri's 86 s).
const RACE_ROUNDS: usize = if cfg!(miri) { 50 } else { ROUNDS };

fn addr(p: core::ptr::NonNull<u8>) -> usize {
    p.as_ptr() as usize
}

#[test]
fn allocations_are_aligned_zeroed_and_disjoint_across_chunks() {
    let arena = BumpArena::<DefaultLock>::new(CHUNK);
    let mut ranges = Vec::new();
    for i in 0..ROUNDS {
        let bytes = 1 + i % 200;
        let p = arena.alloc(bytes).expect("memory");
        assert_eq!(addr(p) % 8, 0, "misaligned");
        // SAFETY: `bytes` bytes at `p` are ours.
        let mem = unsafe { core::slice::from_raw_parts_mut(p.as_ptr(), bytes) };
        assert!(mem.iter().all(|&b| b == 0), "not zeroed");
        mem.fill(0xa5);
        ranges.push((addr(p), bytes));
    }
    assert!(arena.chunks() > 1, "the test never left its first chunk");
    assert_disjoint(&mut ranges);
}

#[test]
fn a_large_alignment_is_kept() {
    let arena = BumpArena::<DefaultLock>::with_align(16 * 1024, 1024);
    for _ in 0..100 {
        assert_eq!(addr(arena.alloc(1000).expect("memory")) % 1024, 0);
    }
}

#[test]
#[should_panic(expected = "size out of range")]
fn an_allocation_larger_than_a_chunk_is_refused() {
    let arena = BumpArena::<DefaultLock>::new(CHUNK);
    let _ = arena.alloc(CHUNK);
}

#[test]
fn threads_racing_for_the_same_chunk_never_overlap() {
    racing_threads_never_overlap::<LockFree>();
}

#[test]
fn threads_racing_under_the_lock_never_overlap() {
    racing_threads_never_overlap::<UnderLock>();
}

fn racing_threads_never_overlap<C: Claim>() {
    let arena = BumpArena::<DefaultLock, C>::new(CHUNK);
    let ranges = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for t in 0..8u8 {
            let (arena, ranges) = (&arena, &ranges);
            s.spawn(move || {
                let mut mine = Vec::new();
                for i in 0..RACE_ROUNDS {
                    let bytes = 8 * (1 + (i + usize::from(t)) % 9);
                    let p = arena.alloc(bytes).expect("memory");
                    // SAFETY: `bytes` bytes at `p` are ours alone.
                    unsafe { p.as_ptr().write_bytes(t + 1, bytes) };
                    mine.push((addr(p), bytes, t + 1));
                }
                // Another thread writing into our bytes shows up here.
                for &(a, bytes, tag) in &mine {
                    // SAFETY: still ours; the arena never reuses without an epoch.
                    let mem = unsafe { core::slice::from_raw_parts(a as *const u8, bytes) };
                    assert!(mem.iter().all(|&b| b == tag), "bytes overwritten");
                }
                for &(a, bytes, _) in &mine {
                    assert!(
                        arena.contains(a as *const u8, bytes),
                        "{a:#x}+{bytes} not in a chunk"
                    );
                }
                let mine = mine.into_iter().map(|(a, b, _)| (a, b));
                ranges.lock().unwrap().extend(mine);
            });
        }
    });
    assert!(arena.chunks() > 1, "the racers never left the first chunk");
    assert_disjoint(&mut ranges.into_inner().unwrap());
}

#[test]
fn chunks_live_through_two_epochs_and_are_reused_after_the_third() {
    let arena = BumpArena::<DefaultLock>::new(CHUNK);
    // The chunks 40 allocations of 512 bytes land in, each filled with 0xa5.
    let fill = |n: usize| -> HashSet<usize> {
        (0..n)
            .map(|_| {
                let p = arena.alloc(512).expect("memory");
                // SAFETY: 512 bytes at `p` are ours until the third epoch change.
                unsafe { p.as_ptr().write_bytes(0xa5, 512) };
                addr(p) / CHUNK
            })
            .collect()
    };
    let mut epochs = vec![fill(40)];
    for _ in 0..2 {
        // SAFETY: no allocation is two epoch changes old yet.
        unsafe { arena.next_epoch() };
        let next = fill(40);
        for older in &epochs {
            assert!(
                older.is_disjoint(&next),
                "chunks still in use handed out again"
            );
        }
        epochs.push(next);
    }
    let mapped = arena.chunks();
    // SAFETY: the first epoch's memory is dead from here on.
    unsafe { arena.next_epoch() };
    let reused = fill(40);
    assert!(reused.is_disjoint(&epochs[1]) && reused.is_disjoint(&epochs[2]));
    assert!(
        !reused.is_disjoint(&epochs[0]),
        "retired chunks never reused"
    );
    assert!(
        arena.chunks() <= mapped + 1,
        "mapped new chunks instead of reusing"
    );
}

#[test]
fn a_reused_chunk_is_zeroed_again() {
    let arena = BumpArena::<DefaultLock>::new(CHUNK);
    let first = arena.alloc(4000).expect("memory");
    // SAFETY: 4000 bytes at `first` are ours.
    unsafe { first.as_ptr().write_bytes(0xff, 4000) };
    for _ in 0..3 {
        // SAFETY: `first` is not used again.
        unsafe { arena.next_epoch() };
    }
    let p = arena.alloc(4000).expect("memory");
    assert_eq!(p, first, "the only retired chunk was not reused");
    // SAFETY: 4000 bytes at `p` are ours.
    let mem = unsafe { core::slice::from_raw_parts(p.as_ptr(), 4000) };
    assert!(mem.iter().all(|&b| b == 0), "reused memory not zeroed");
}

/// Sorts `ranges` and fails if two of them share a byte.
fn assert_disjoint(ranges: &mut [(usize, usize)]) {
    ranges.sort_unstable();
    for pair in ranges.windows(2) {
        let ((a, len), (b, _)) = (pair[0], pair[1]);
        assert!(a + len <= b, "allocations overlap: {a:#x}+{len} and {b:#x}");
    }
}

#[test]
fn contains_knows_what_was_handed_out() {
    let arena = BumpArena::<DefaultLock>::new(CHUNK);
    let p = arena.alloc(64).expect("memory").as_ptr();
    assert!(arena.contains(p, 64));
    // Past the handed-out bytes, before the data, and in another arena.
    assert!(!arena.contains(p, 65));
    assert!(!arena.contains(p.wrapping_sub(8), 8));
    let other = BumpArena::<DefaultLock>::new(CHUNK);
    assert!(!other.contains(p, 8));
    for _ in 0..2 {
        // SAFETY: `p` is only compared, never used, from here on.
        unsafe { arena.next_epoch() };
        assert!(arena.contains(p, 64), "in use for two epoch changes");
    }
    // SAFETY: as above.
    unsafe { arena.next_epoch() };
    assert!(!arena.contains(p, 64), "retired after the third");
}
