//! `lockyard::arena` (seed 003): `arena-before` is [`LockedArena`] (every
//! allocation under the lock), `arena-after` is [`BumpArena`] (one
//! `fetch_add`, the lock only to add a chunk), and the `arena-loadstore`
//! control bumps the offset with a load and a store and no lock
//! ([`LoadStoreClaim`]).
//!
//! Every allocation is checked as it arrives (aligned, zeroed) and then
//! filled with a tag of its own through atomic stores, so memory handed to
//! two holders at once shows as a tag that is not the holder's, without a
//! data race in the harness even when the arena is broken.

use super::{Form, STORM_THREADS};
use crate::budget::Budget;
use crate::controls::LoadStoreClaim;
use crate::watchdog::trial;
use crate::workers::in_parallel;
use anyhow::{bail, ensure};
use libtest_mimic::Trial;
use lockyard::DefaultLock;
use lockyard::arena::{BumpArena, Claim, LockFree, UnderLock};
use std::collections::VecDeque;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

/// The seed's before.
pub const BEFORE: Form = Form::new(
    "arena-before",
    "BenchmarkBumpArena",
    trials::<UnderLock>,
    workload::<UnderLock>,
);
/// The seed's after.
pub const AFTER: Form = Form::new(
    "arena-after",
    "BenchmarkBumpArena",
    trials::<LockFree>,
    workload::<LockFree>,
);
/// The positive control: the lock-free bump as a load and a store.
pub const CONTROL: Form = Form::new(
    "arena-loadstore",
    "BenchmarkBumpArena",
    trials::<LoadStoreClaim>,
    workload::<LoadStoreClaim>,
);

/// An arena of the form under test.
type Arena<C> = BumpArena<DefaultLock, C>;

/// Chunks of the cases: small, so a storm adds hundreds of them and the
/// locked slow path races the lock-free one all the time.
const CASE_CHUNK: usize = 16 * 1024;
/// Allocations per storm thread.
const STORM_ROUNDS: usize = 20_000;
/// Allocations per thread of the epoch storm.
const EPOCH_ROUNDS: usize = 10_000;
/// An epoch-storm thread checks the memory it holds every this many
/// allocations.
const CHECK_EVERY: usize = 16;
/// Bytes of one epoch-storm allocation.
const EPOCH_BYTES: usize = 64;

/// Chunks of the benchmark: Go's 64 KiB mark-bits chunks.
const BENCH_CHUNK: usize = 64 * 1024;
/// Bytes of one benchmark allocation: the mark bits of a span of 512
/// objects, as Go's `newMarkBits` hands out.
const BENCH_BYTES: usize = 64;
/// The benchmark's first thread ends an epoch every this many of its
/// allocations, so a long run reuses chunks instead of mapping more.
const BENCH_EPOCH_EVERY: u64 = 4096;

fn trials<C: Claim + 'static>(form: &'static str, budget: &Budget) -> Vec<Trial> {
    vec![
        trial(form, "storm_never_overlaps", *budget, |budget, _| {
            storm::<C>(budget.count(STORM_ROUNDS))
        }),
        trial(
            form,
            "epochs_never_reuse_memory_in_use",
            *budget,
            |budget, _| epoch_storm::<C>(budget.count(EPOCH_ROUNDS)),
        ),
        trial(form, "every_size_fits_and_aligns", *budget, |_, _| {
            every_size_fits_and_aligns::<C>()
        }),
    ]
}

/// One allocation a thread holds: where, how long, and the tag it wrote.
#[derive(Clone, Copy)]
struct Held {
    at: NonNull<u8>,
    bytes: usize,
    tag: u64,
}

// SAFETY: a `Held` only names memory; the harness reads and writes it
// through atomics.
unsafe impl Send for Held {}

/// The `bytes / 8` words at `at`, as atomics.
///
/// # Safety
///
/// `at` is an 8-aligned allocation of at least `bytes` bytes from an arena
/// that is still alive, and every access to it is atomic.
unsafe fn words<'a>(at: NonNull<u8>, bytes: usize) -> &'a [AtomicU64] {
    // SAFETY: the caller's contract; AtomicU64 has u64's size, and the
    // arena's alignment (8) is AtomicU64's on every target.
    unsafe { std::slice::from_raw_parts(at.cast::<AtomicU64>().as_ptr(), bytes / 8) }
}

/// Allocates `bytes` from `arena`, checks the block is aligned and zeroed,
/// and fills it with `tag`.
fn take<C: Claim>(arena: &Arena<C>, bytes: usize, tag: u64) -> anyhow::Result<Held> {
    let Some(at) = arena.alloc(bytes) else {
        bail!("the arena found no memory for {bytes} bytes");
    };
    ensure!(
        at.as_ptr().addr().is_multiple_of(8),
        "{at:p} is not 8-byte aligned"
    );
    // SAFETY: fresh from the arena, 8-aligned, `bytes` long; accessed only
    // through atomics.
    let words = unsafe { words(at, bytes) };
    for (i, word) in words.iter().enumerate() {
        // Relaxed: a holder's own accesses; the arena publishes the block.
        let seen = word.swap(tag, Ordering::Relaxed);
        ensure!(
            seen == 0,
            "{bytes} bytes at {at:p} came with {seen:#x} in word {i}: not zeroed, or another holder's"
        );
    }
    Ok(Held { at, bytes, tag })
}

/// Fails if `held`'s memory no longer holds its tag.
fn still_mine(held: &Held) -> anyhow::Result<()> {
    // SAFETY: held from the arena, which is alive; atomics only.
    let words = unsafe { words(held.at, held.bytes) };
    for (i, word) in words.iter().enumerate() {
        // Relaxed: see `take`.
        let seen = word.load(Ordering::Relaxed);
        ensure!(
            seen == held.tag,
            "{} bytes at {:p} tagged {:#x} hold {seen:#x} in word {i}: handed to another holder",
            held.bytes,
            held.at,
            held.tag
        );
    }
    Ok(())
}

/// A tag no other allocation of the case has: thread and round, never 0.
fn tag(thread: usize, round: usize) -> u64 {
    ((thread as u64 + 1) << 40) | round as u64
}

/// [`STORM_THREADS`] threads allocate `rounds` blocks of 8 to 128 bytes
/// each from one arena with no epoch change; every block must keep its tag
/// to the end, lie inside what the arena handed out, and share no byte
/// with another.
fn storm<C: Claim>(rounds: usize) -> anyhow::Result<()> {
    let arena = Arena::<C>::new(CASE_CHUNK);
    let per_thread = in_parallel(STORM_THREADS, |t| -> anyhow::Result<Vec<Held>> {
        let mut mine = Vec::with_capacity(rounds);
        for round in 0..rounds {
            let bytes = 8 * (1 + (round + t) % 16);
            mine.push(take(&arena, bytes, tag(t, round))?);
        }
        mine.iter().try_for_each(still_mine)?;
        Ok(mine)
    })?;
    let mut all = Vec::new();
    for mine in per_thread {
        all.extend(mine?);
    }
    for held in &all {
        ensure!(
            arena.contains(held.at.as_ptr(), held.bytes),
            "{} bytes at {:p} are not inside what the arena handed out",
            held.bytes,
            held.at
        );
    }
    all.sort_unstable_by_key(|h| h.at);
    for pair in all.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        ensure!(
            a.at.as_ptr() as usize + a.bytes <= b.at.as_ptr() as usize,
            "{} bytes at {:p} overlap the block at {:p}",
            a.bytes,
            a.at,
            b.at
        );
    }
    ensure!(arena.chunks() > 1, "the storm never left its first chunk");
    Ok(())
}

/// Epoch changes against allocations: [`STORM_THREADS`]` - 1` threads
/// allocate and hold blocks while one more ends epochs as fast as the
/// holders let it; a block must keep its tag for as long as `next_epoch`'s
/// contract says it is in use.
///
/// A block allocated after `done` epoch changes had completed lies in a
/// chunk of that epoch or a later one, so it is in use until change
/// `done + 3` begins. Before change `m` the epoch thread waits until every
/// holder has dropped the blocks that change may free (those with
/// `done <= m - 3`) and said so, so holders check only blocks the contract
/// keeps alive, and an arena that frees or reuses a chunk early shows as a
/// block that lost its tag.
fn epoch_storm<C: Claim>(rounds: usize) -> anyhow::Result<()> {
    let holders = STORM_THREADS - 1;
    let arena = Arena::<C>::new(CASE_CHUNK);
    // Epoch changes begun and completed. SeqCst on both and on `seen`, so
    // every thread agrees on one order of begins, completes and reports.
    let begun = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let seen: Vec<AtomicUsize> = (0..holders).map(|_| AtomicUsize::new(0)).collect();
    let holding = AtomicBool::new(true);
    let results = in_parallel(STORM_THREADS, |t| -> anyhow::Result<()> {
        if t == holders {
            while holding.load(Ordering::SeqCst) {
                let m = begun.load(Ordering::SeqCst) + 1;
                crate::wait::until(|| {
                    !holding.load(Ordering::SeqCst)
                        || seen.iter().all(|s| s.load(Ordering::SeqCst) + 1 >= m)
                });
                begun.store(m, Ordering::SeqCst);
                // SAFETY: every holder has dropped the blocks change `m`
                // may free, and the arena outlives the threads.
                unsafe { arena.next_epoch() };
                done.store(m, Ordering::SeqCst);
            }
            return Ok(());
        }
        // Blocks held, each with the changes completed before it.
        let mut held: VecDeque<(usize, Held)> = VecDeque::new();
        let outcome = (|| {
            for round in 0..rounds {
                let epoch = done.load(Ordering::SeqCst);
                held.push_back((epoch, take(&arena, EPOCH_BYTES, tag(t, round))?));
                if round % CHECK_EVERY == CHECK_EVERY - 1 {
                    let begun_now = begun.load(Ordering::SeqCst);
                    while held.front().is_some_and(|(e, _)| e + 2 <= begun_now) {
                        held.pop_front();
                    }
                    held.iter().try_for_each(|(_, h)| still_mine(h))?;
                    seen[t].store(begun_now, Ordering::SeqCst);
                }
            }
            Ok(())
        })();
        // Never to be waited for again.
        seen[t].store(usize::MAX - 1, Ordering::SeqCst);
        if seen
            .iter()
            .all(|s| s.load(Ordering::SeqCst) == usize::MAX - 1)
        {
            holding.store(false, Ordering::SeqCst);
        }
        outcome
    })?;
    for result in results {
        result?;
    }
    let epochs = done.load(Ordering::SeqCst);
    ensure!(
        epochs >= 3,
        "only {epochs} epoch changes: no chunk was ever reused"
    );
    let filled = holders * rounds * EPOCH_BYTES / arena.capacity();
    ensure!(
        arena.chunks() < filled,
        "{} chunks mapped for {filled} chunks' worth of blocks: retired chunks are not reused",
        arena.chunks()
    );
    Ok(())
}

/// One thread: every size from 1 byte to a whole chunk fits, comes back
/// rounded up to the alignment and aligned, at 8 and at a page; one byte
/// past a chunk is refused.
fn every_size_fits_and_aligns<C: Claim>() -> anyhow::Result<()> {
    for align in [8, 4096] {
        let arena = Arena::<C>::with_align(CASE_CHUNK, align);
        let capacity = arena.capacity();
        for bytes in (1..=capacity).step_by(997).chain([capacity]) {
            let Some(at) = arena.alloc(bytes) else {
                bail!("no memory for {bytes} bytes");
            };
            ensure!(
                at.as_ptr().addr().is_multiple_of(align),
                "{bytes} bytes at {at:p} are not {align}-aligned"
            );
            ensure!(
                arena.contains(at.as_ptr(), bytes.next_multiple_of(align)),
                "{bytes} bytes at {at:p}: the rounded-up block is not all handed out"
            );
        }
        let refused =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| arena.alloc(capacity + 1)));
        ensure!(
            refused.is_err(),
            "{} bytes, more than a chunk holds, were not refused",
            capacity + 1
        );
    }
    Ok(())
}

/// `BenchmarkBumpArena`: threads allocate [`BENCH_BYTES`] blocks, `ops` in
/// all, from one arena of 64 KiB chunks, as Go's sweepers take mark bits;
/// the first thread ends an epoch every [`BENCH_EPOCH_EVERY`] of its
/// blocks. No block is touched, so every epoch change keeps its contract;
/// every allocation must succeed, aligned.
fn workload<C: Claim>(threads: usize, ops: u64, started: &mut dyn FnMut()) -> Result<(), String> {
    let arena = Arena::<C>::new(BENCH_CHUNK);
    let per_thread = ops.div_ceil(threads as u64);
    let bad = AtomicU64::new(0);
    crate::throughput::workloads::parallel(threads, started, |t| {
        let mut misses = 0;
        for i in 0..per_thread {
            match arena.alloc(BENCH_BYTES) {
                Some(at) if at.as_ptr().addr().is_multiple_of(8) => {}
                _ => misses += 1,
            }
            if t == 0 && i % BENCH_EPOCH_EVERY == BENCH_EPOCH_EVERY - 1 {
                // SAFETY: no thread ever touches what it allocated.
                unsafe { arena.next_epoch() };
            }
        }
        // Relaxed: read after the join.
        bad.fetch_add(misses, Ordering::Relaxed);
    });
    match bad.load(Ordering::Relaxed) {
        0 => Ok(()),
        n => Err(format!("{n} allocations failed or came misaligned")),
    }
}
