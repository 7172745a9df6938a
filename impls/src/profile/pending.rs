//! A sampled unlock's stack, captured into a fixed per-thread buffer and
//! added to the table once the lock is given up. One sample waits per
//! thread at most: if the table was busy when the first tried, a second
//! one arriving keeps one of the two at random, weighted by delay, and
//! counts the other as lost, as Go's runtime does.

use super::table;
use crate::fastrand::below;
use core::cell::Cell;

/// Frames kept per stack: the unlock's own frames plus enough callers to
/// name the critical section.
pub(crate) const DEPTH: usize = 32;

/// One sampled unlock.
#[derive(Clone, Copy)]
pub(crate) struct Sample {
    /// Return addresses, innermost first; `depth` of them are set.
    pub(crate) frames: [usize; DEPTH],
    pub(crate) depth: usize,
    pub(crate) delay_ns: u64,
}

impl Sample {
    /// This thread's stack, here.
    #[inline(never)]
    fn capture(delay_ns: u64) -> Sample {
        let mut frames = [0; DEPTH];
        let depth = walk(&mut frames);
        Sample {
            frames,
            depth,
            delay_ns,
        }
    }
}

/// Fills `frames` with this thread's return addresses, innermost first;
/// returns how many.
#[cfg(not(lockyard_loom))]
#[inline(always)]
fn walk(frames: &mut [usize; DEPTH]) -> usize {
    let mut depth = 0;
    // SAFETY: `trace_unsynchronized` is unsafe only because some
    // platforms' unwinders are not thread-safe; libgcc's, which unix
    // targets use, is, and Windows' `RtlVirtualUnwind` is too. The
    // callback only stores into the buffer and never panics.
    unsafe {
        backtrace::trace_unsynchronized(|frame| {
            frames[depth] = frame.ip() as usize;
            depth += 1;
            depth < DEPTH
        });
    }
    depth
}

/// Under loom no stack: its builds leave the unwinder out, and its models
/// check the wait lists, not the sites.
#[cfg(lockyard_loom)]
fn walk(_: &mut [usize; DEPTH]) -> usize {
    0
}

std::thread_local! {
    /// `const` and without a destructor: reaching it never initialises
    /// anything, not even during the thread's exit.
    static PENDING: Cell<Option<Sample>> = const { Cell::new(None) };
}

/// Charges `delay_ns` to this thread's stack.
pub(crate) fn charge(delay_ns: u64) {
    let sample = Sample::capture(delay_ns);
    let left = PENDING.try_with(|pending| {
        let sample = match pending.take() {
            None => sample,
            Some(waiting) => {
                table::count_lost(1);
                pick(waiting, sample)
            }
        };
        if !table::try_add(&sample) {
            pending.set(Some(sample));
        }
    });
    if left.is_err() && !table::try_add(&sample) {
        table::count_lost(1);
    }
}

/// One of two samples, the heavier more likely.
fn pick(a: Sample, b: Sample) -> Sample {
    let total = a.delay_ns.saturating_add(b.delay_ns).max(1);
    // A point in 0..total (two draws of 32 bits, as `below` gives).
    let point = (u64::from(below(u32::MAX)) << 32 | u64::from(below(u32::MAX))) % total;
    if point < a.delay_ns { a } else { b }
}
