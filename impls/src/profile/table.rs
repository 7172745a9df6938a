//! The sites charged so far: a fixed open-addressed table in static memory,
//! so adding a sample never allocates, behind a spin flag that samples only
//! try (a thread that finds it held keeps its sample pending) and readers
//! wait for.

use super::pending::{DEPTH, Sample};
use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Distinct stacks kept; one more counts as lost.
pub(crate) const SITES: usize = 512;

/// Tries a sample makes at a busy table before leaving it pending.
const TRIES: usize = 8;

/// One stack's totals.
#[derive(Clone, Copy)]
pub(crate) struct Totals {
    pub(crate) frames: [usize; DEPTH],
    pub(crate) depth: usize,
    pub(crate) count: u64,
    pub(crate) delay_ns: u64,
    pub(crate) max_ns: u64,
}

impl Totals {
    pub(crate) const EMPTY: Totals = Totals {
        frames: [0; DEPTH],
        depth: 0,
        count: 0,
        delay_ns: 0,
        max_ns: 0,
    };

    fn stack(&self) -> &[usize] {
        &self.frames[..self.depth]
    }
}

struct Table {
    busy: AtomicBool,
    sites: UnsafeCell<[Totals; SITES]>,
}

// SAFETY: `sites` is touched only by the holder of `busy`.
unsafe impl Sync for Table {}

static TABLE: Table = Table {
    busy: AtomicBool::new(false),
    sites: UnsafeCell::new([Totals::EMPTY; SITES]),
};

/// Samples dropped: a full table, or the loser of two pending ones.
static LOST: AtomicU64 = AtomicU64::new(0);

pub(crate) fn count_lost(n: u64) {
    // Relaxed: a tally.
    LOST.fetch_add(n, Ordering::Relaxed);
}

/// Samples dropped so far, for the report (not in loom builds).
#[cfg(not(lockyard_loom))]
pub(crate) fn lost() -> u64 {
    // Relaxed: a tally.
    LOST.load(Ordering::Relaxed)
}

/// Adds `sample` unless the table stays busy through a few tries.
pub(crate) fn try_add(sample: &Sample) -> bool {
    for _ in 0..TRIES {
        if let Some(sites) = try_hold() {
            add(sites, sample);
            release();
            return true;
        }
        std::thread::yield_now();
    }
    false
}

/// Runs `f` on the table, waiting for it.
pub(crate) fn with<R>(f: impl FnOnce(&mut [Totals; SITES]) -> R) -> R {
    let sites = loop {
        if let Some(sites) = try_hold() {
            break sites;
        }
        std::thread::yield_now();
    };
    let r = f(sites);
    release();
    r
}

pub(crate) fn clear() {
    with(|sites| sites.fill(Totals::EMPTY));
    // Relaxed: a tally.
    LOST.store(0, Ordering::Relaxed);
}

fn try_hold() -> Option<&'static mut [Totals; SITES]> {
    // Acquire: the previous holder's writes to the table.
    TABLE
        .busy
        .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
        .ok()?;
    // SAFETY: `busy` is ours until `release`, and no other reference to the
    // table outlives its holder's call.
    Some(unsafe { &mut *TABLE.sites.get() })
}

fn release() {
    // Release: our writes to the table, for the next holder.
    TABLE.busy.store(false, Ordering::Release);
}

fn add(sites: &mut [Totals; SITES], sample: &Sample) {
    let stack = &sample.frames[..sample.depth];
    let start = hash(stack) % SITES;
    for probe in 0..SITES {
        let site = &mut sites[(start + probe) % SITES];
        if site.count == 0 {
            site.frames = sample.frames;
            site.depth = sample.depth;
        } else if site.stack() != stack {
            continue;
        }
        site.count += 1;
        site.delay_ns = site.delay_ns.saturating_add(sample.delay_ns);
        site.max_ns = site.max_ns.max(sample.delay_ns);
        return;
    }
    count_lost(1);
}

/// FNV-1a over the addresses: cheap, and stacks differ in many bits.
fn hash(stack: &[usize]) -> usize {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &ip in stack {
        h = (h ^ ip as u64).wrapping_mul(0x0000_0100_0000_01b3);
    }
    h as usize
}
