//! `lockyard::bitmap` (seed 004): `bitmap-before` is one [`LockedBitmap`]
//! serving as bits and count under one lock, `bitmap-after` is an
//! [`AtomicBitmap`] beside an [`AtomicCounter`], and the `bitmap-loadstore`
//! control sets and clears bits with a load and a store of their byte
//! ([`LoadStoreBitmap`]).
//!
//! Threads own neighbouring bits of the same bytes, so every byte is
//! written by all of them at once: a write that is not one atomic step on
//! the byte loses a neighbour's bit.

use super::{Form, STORM_THREADS};
use crate::budget::Budget;
use crate::controls::LoadStoreBitmap;
use crate::watchdog::trial;
use crate::workers::in_parallel;
use anyhow::ensure;
use libtest_mimic::Trial;
use lockyard::DefaultLock;
use lockyard::bitmap::{AtomicBitmap, AtomicCounter, Bitmap, Counter, LockedBitmap};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

/// Bytes of the cases' bitmaps: one cache line, every byte shared.
const CASE_BYTES: usize = 64;
/// Bits of the benchmark's region of one thread: 128 bytes, two cache
/// lines, as Go's per-P page caches keep allocating threads apart.
const REGION_BITS: usize = 8 * 128;
/// Bytes of the benchmark's bitmaps: a region for each of 16 threads.
const BENCH_BYTES: usize = 16 * REGION_BITS / 8;

/// The bits and the count of one form, as its cases and benchmark use
/// them.
pub trait Pages: Sync + 'static {
    /// The bits.
    type Bits: Bitmap;
    /// The count.
    type Count: Counter;
    /// A fresh pair: every bit clear, a count of 0.
    fn new() -> Self;
    /// Its bits and its count.
    fn parts(&self) -> (&Self::Bits, &Self::Count);

    /// A span allocated: its bit set, then its page counted (Go's
    /// `alloc_m`), in one critical section where the form has a lock.
    fn alloc(&self, bit: usize) {
        let (bits, count) = self.parts();
        bits.set(bit);
        count.add(1);
    }

    /// A span freed: its page uncounted, then its bit cleared (Go's
    /// `freeSpanLocked`).
    fn free(&self, bit: usize) {
        let (bits, count) = self.parts();
        count.sub(1);
        bits.clear(bit);
    }
}

/// The seed's before: bits and count under one lock.
pub struct Before<const BYTES: usize>(LockedBitmap<BYTES, DefaultLock>);
/// Bits `B` beside an atomic count, no lock: the seed's after with
/// [`AtomicBitmap`], the control with [`LoadStoreBitmap`].
pub struct Unlocked<B>(B, AtomicCounter);
/// The seed's after.
pub type After<const BYTES: usize> = Unlocked<AtomicBitmap<BYTES>>;
/// The control.
pub type Control<const BYTES: usize> = Unlocked<LoadStoreBitmap<BYTES>>;

impl<const BYTES: usize> Pages for Before<BYTES> {
    type Bits = LockedBitmap<BYTES, DefaultLock>;
    type Count = LockedBitmap<BYTES, DefaultLock>;
    fn new() -> Self {
        Before(LockedBitmap::new())
    }
    fn parts(&self) -> (&Self::Bits, &Self::Count) {
        (&self.0, &self.0)
    }
    fn alloc(&self, bit: usize) {
        self.0.set_and_add(bit, 1);
    }
    fn free(&self, bit: usize) {
        self.0.clear_and_sub(bit, 1);
    }
}

impl<B: Bitmap + Default + 'static> Pages for Unlocked<B> {
    type Bits = B;
    type Count = AtomicCounter;
    fn new() -> Self {
        Unlocked(B::default(), AtomicCounter::new())
    }
    fn parts(&self) -> (&Self::Bits, &Self::Count) {
        (&self.0, &self.1)
    }
}

/// The seed's before.
pub const BEFORE: Form = Form::new(
    "bitmap-before",
    "BenchmarkPageBitmap",
    trials::<Before<CASE_BYTES>>,
    workload::<Before<BENCH_BYTES>>,
);
/// The seed's after.
pub const AFTER: Form = Form::new(
    "bitmap-after",
    "BenchmarkPageBitmap",
    trials::<After<CASE_BYTES>>,
    workload::<After<BENCH_BYTES>>,
);
/// The positive control: a set that is a load, an or and a store.
pub const CONTROL: Form = Form::new(
    "bitmap-loadstore",
    "BenchmarkPageBitmap",
    trials::<Control<CASE_BYTES>>,
    workload::<Control<BENCH_BYTES>>,
);

/// Flips of one bit, per thread and byte, in the neighbour storm.
const FLIP_ROUNDS: usize = 10_000;
/// Bitmaps the publication case fills, each bit once.
const PUBLISH_PASSES: usize = 40;

fn trials<P: Pages>(form: &'static str, budget: &Budget) -> Vec<Trial> {
    vec![
        trial(form, "neighbours_never_lose_a_bit", *budget, |budget, _| {
            neighbours::<P>(budget.count(FLIP_ROUNDS))
        }),
        trial(
            form,
            "a_set_bit_publishes_its_span",
            *budget,
            |budget, _| publication::<P>(budget.count(PUBLISH_PASSES)),
        ),
    ]
}

/// Bytes of a 64-bit word: the storm's bytes, one after another.
const WORD_BYTES: usize = 8;

/// Bit `t` of every byte belongs to thread `t` in the cases.
fn owned(t: usize, byte: usize) -> usize {
    8 * byte + t
}

/// [`STORM_THREADS`] (8) threads own one bit of every byte each. Byte by
/// byte through the first word (every position a byte can have in a word:
/// where byte atomics are a masked word operation, the mask's shift
/// depends on the byte order), all of them flip their bit of that byte
/// `rounds` times, starting each byte together,
/// counting every set up and every clear down, while one more reads the
/// count, which can never pass one bit a thread; a thread must always find
/// its bit as it left it. Then all of them set all their bits of every
/// byte at once: every byte must be full and the count exact.
fn neighbours<P: Pages>(rounds: usize) -> anyhow::Result<()> {
    const _: () = assert!(STORM_THREADS == 8, "one bit of each byte a thread");
    let bytes = P::Bits::BITS / 8;
    let pages = P::new();
    let (bits, count) = pages.parts();
    let flippers = AtomicUsize::new(STORM_THREADS);
    let arrived = AtomicUsize::new(0);
    let results = in_parallel(STORM_THREADS + 1, |t| -> anyhow::Result<()> {
        if t == STORM_THREADS {
            // Relaxed: a stop signal; the join orders what matters.
            while flippers.load(Ordering::Relaxed) > 0 {
                let n = count.get();
                ensure!(
                    n <= STORM_THREADS,
                    "the count read {n} with at most {STORM_THREADS} bits set"
                );
            }
            return Ok(());
        }
        let flip = || {
            let mut failed = None;
            for byte in 0..WORD_BYTES {
                // Every thread arrives at every byte, even after a failure,
                // so nobody waits for a thread that has left; all spin
                // (yielding) until all have arrived, so they flip together.
                // Relaxed: a start line; the bits order themselves.
                arrived.fetch_add(1, Ordering::Relaxed);
                crate::wait::until(|| {
                    arrived.load(Ordering::Relaxed) >= (byte + 1) * STORM_THREADS
                });
                let bit = owned(t, byte);
                for round in 0..rounds {
                    if failed.is_some() {
                        break;
                    }
                    pages.alloc(bit);
                    if !bits.test(bit) {
                        failed = Some(format!(
                            "byte {byte}, round {round}: bit {bit} lost just after its set"
                        ));
                    }
                    pages.free(bit);
                    if failed.is_none() && bits.test(bit) {
                        failed = Some(format!(
                            "byte {byte}, round {round}: bit {bit} set again after its clear"
                        ));
                    }
                }
            }
            failed.map_or(Ok(()), |e| Err(anyhow::anyhow!(e)))
        };
        let flipped = flip();
        flippers.fetch_sub(1, Ordering::Relaxed);
        flipped
    })?;
    results.into_iter().collect::<anyhow::Result<()>>()?;
    in_parallel(STORM_THREADS, |t| {
        (0..bytes).for_each(|byte| pages.alloc(owned(t, byte)))
    })?;
    let lost: Vec<usize> = (0..P::Bits::BITS).filter(|&bit| !bits.test(bit)).collect();
    ensure!(
        lost.is_empty(),
        "bits {lost:?} are clear after their owners set them"
    );
    ensure!(
        count.get() == P::Bits::BITS,
        "the count is {} after {} sets",
        count.get(),
        P::Bits::BITS
    );
    Ok(())
}

/// One thread initialises a span (a word per bit) and then sets its bit,
/// span after span through a fresh bitmap; two more read a span whenever
/// they find its bit set, and must find it initialised. `passes` bitmaps in
/// turn. The words are Relaxed, so the bitmap's Release and Acquire are the
/// only order: a weakly ordered machine (or loom, `impls/tests/loom/bitmap.rs`)
/// catches a bitmap without them; x86 and qemu keep stores in order.
fn publication<P: Pages>(passes: usize) -> anyhow::Result<()> {
    for _ in 0..passes {
        let pages = P::new();
        let (bits, _) = pages.parts();
        let spans: Vec<AtomicU64> = (0..P::Bits::BITS).map(|_| AtomicU64::new(0)).collect();
        let publishing = AtomicBool::new(true);
        let results = in_parallel(3, |t| -> anyhow::Result<()> {
            if t == 0 {
                for (bit, span) in spans.iter().enumerate() {
                    // Relaxed, here and in the readers: the bitmap orders them.
                    span.store(bit as u64 + 1, Ordering::Relaxed);
                    bits.set(bit);
                }
                publishing.store(false, Ordering::Relaxed);
                return Ok(());
            }
            loop {
                let last = !publishing.load(Ordering::Relaxed);
                for (bit, span) in spans.iter().enumerate() {
                    if bits.test(bit) {
                        let seen = span.load(Ordering::Relaxed);
                        ensure!(
                            seen == bit as u64 + 1,
                            "bit {bit} was set but its span holds {seen}"
                        );
                    }
                }
                if last {
                    return Ok(());
                }
            }
        })?;
        results.into_iter().collect::<anyhow::Result<()>>()?;
    }
    Ok(())
}

/// `BenchmarkPageBitmap`: each of `threads` threads allocates and frees a
/// span, `ops` times in all: set its bit and count its page, then uncount
/// the page and clear the bit (Go's `alloc_m` and `freeSpanLocked`; one
/// critical section each in the before). Thread `t` takes bits from a
/// region of its own, as Go's per-P page caches give each P pages of its
/// own, so the bits share no cache line and every thread shares the count.
/// Afterwards every bit must be clear and the count 0.
fn workload<P: Pages>(threads: usize, ops: u64, started: &mut dyn FnMut()) -> Result<(), String> {
    assert!(
        threads * REGION_BITS <= P::Bits::BITS,
        "a region for each thread"
    );
    let pages = P::new();
    let (bits, count) = pages.parts();
    let per_thread = ops.div_ceil(threads as u64);
    crate::throughput::workloads::parallel(threads, started, |t| {
        for i in 0..per_thread {
            let bit = t * REGION_BITS + (i % REGION_BITS as u64) as usize;
            pages.alloc(bit);
            pages.free(bit);
        }
    });
    let set = (0..P::Bits::BITS).filter(|&bit| bits.test(bit)).count();
    if set != 0 || count.get() != 0 {
        return Err(format!(
            "{set} bits still set and a count of {} after every span was freed",
            count.get()
        ));
    }
    Ok(())
}
