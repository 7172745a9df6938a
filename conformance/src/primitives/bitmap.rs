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

/// Bytes of the cases' and the benchmark's bitmaps: one cache line.
const BYTES: usize = 64;

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
}

/// The seed's before: bits and count under one lock.
pub struct Before(LockedBitmap<BYTES, DefaultLock>);
/// The seed's after: atomic bits beside an atomic count.
pub struct After(AtomicBitmap<BYTES>, AtomicCounter);
/// The control: load-and-store bits beside an atomic count.
pub struct Control(LoadStoreBitmap<BYTES>, AtomicCounter);

impl Pages for Before {
    type Bits = LockedBitmap<BYTES, DefaultLock>;
    type Count = LockedBitmap<BYTES, DefaultLock>;
    fn new() -> Self {
        Before(LockedBitmap::new())
    }
    fn parts(&self) -> (&Self::Bits, &Self::Count) {
        (&self.0, &self.0)
    }
}

impl Pages for After {
    type Bits = AtomicBitmap<BYTES>;
    type Count = AtomicCounter;
    fn new() -> Self {
        After(AtomicBitmap::new(), AtomicCounter::new())
    }
    fn parts(&self) -> (&Self::Bits, &Self::Count) {
        (&self.0, &self.1)
    }
}

impl Pages for Control {
    type Bits = LoadStoreBitmap<BYTES>;
    type Count = AtomicCounter;
    fn new() -> Self {
        Control(LoadStoreBitmap::new(), AtomicCounter::new())
    }
    fn parts(&self) -> (&Self::Bits, &Self::Count) {
        (&self.0, &self.1)
    }
}

/// The seed's before.
pub const BEFORE: Form = Form::new(
    "bitmap-before",
    "BenchmarkPageBitmap",
    trials::<Before>,
    workload::<Before>,
);
/// The seed's after.
pub const AFTER: Form = Form::new(
    "bitmap-after",
    "BenchmarkPageBitmap",
    trials::<After>,
    workload::<After>,
);
/// The positive control: a set that is a load, an or and a store.
pub const CONTROL: Form = Form::new(
    "bitmap-loadstore",
    "BenchmarkPageBitmap",
    trials::<Control>,
    workload::<Control>,
);

/// Rounds of the neighbour storm: each flips every bit a thread owns.
const FLIP_ROUNDS: usize = 2_000;
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

/// Bit `t` of every byte belongs to thread `t`.
fn owned(t: usize, byte: usize) -> usize {
    8 * byte + t
}

/// [`STORM_THREADS`] (8) threads own one bit of every byte each and flip
/// them `rounds` times, counting every set up and every clear down, while
/// one more reads the count, which can never pass one bit a thread; a
/// thread must always find its bit as it left it. Then all of them set all
/// their bits at once: every byte must be full and the count exact.
fn neighbours<P: Pages>(rounds: usize) -> anyhow::Result<()> {
    const _: () = assert!(STORM_THREADS == 8, "one bit of each byte a thread");
    let pages = P::new();
    let (bits, count) = pages.parts();
    let flippers = AtomicUsize::new(STORM_THREADS);
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
        let flipped = (|| {
            for round in 0..rounds {
                for byte in 0..BYTES {
                    let bit = owned(t, byte);
                    bits.set(bit);
                    count.add(1);
                    ensure!(
                        bits.test(bit),
                        "round {round}: bit {bit} lost just after its set"
                    );
                    bits.clear(bit);
                    count.sub(1);
                    ensure!(
                        !bits.test(bit),
                        "round {round}: bit {bit} set again after its clear"
                    );
                }
            }
            Ok(())
        })();
        flippers.fetch_sub(1, Ordering::Relaxed);
        flipped
    })?;
    results.into_iter().collect::<anyhow::Result<()>>()?;
    in_parallel(STORM_THREADS, |t| {
        for byte in 0..BYTES {
            bits.set(owned(t, byte));
            count.add(1);
        }
    })?;
    let lost: Vec<usize> = (0..8 * BYTES).filter(|&bit| !bits.test(bit)).collect();
    ensure!(
        lost.is_empty(),
        "bits {lost:?} are clear after their owners set them"
    );
    ensure!(
        count.get() == 8 * BYTES,
        "the count is {} after {} sets",
        count.get(),
        8 * BYTES
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
/// span, `ops` times in all: set its bit and count it in use, then clear it
/// and count it free (Go's `alloc_m` and `freeSpanLocked`). Thread `t` uses
/// bits `t`, `t + threads`, ..., so threads share bytes as spans in one
/// arena do. Afterwards every bit must be clear and the count 0.
fn workload<P: Pages>(threads: usize, ops: u64, started: &mut dyn FnMut()) -> Result<(), String> {
    let pages = P::new();
    let (bits, count) = pages.parts();
    let per_thread = ops.div_ceil(threads as u64);
    let slots = (P::Bits::BITS / threads) as u64;
    crate::throughput::workloads::parallel(threads, started, |t| {
        for i in 0..per_thread {
            let bit = t + threads * (i % slots) as usize;
            bits.set(bit);
            count.add(1);
            bits.clear(bit);
            count.sub(1);
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
