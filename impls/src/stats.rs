//! Slow-path event counters, compiled in only with the `stats` feature.
//!
//! They count what the spinbit change set out to reduce: spin rounds, sleeps
//! and wakes, and the anti-starvation tail wakes that keep it fair. Without
//! the feature every function here is an empty inline one and the counters
//! do not exist: two implementations with the same names, as `primitive`
//! has. The counters are process-wide, so read them around a run of one
//! backend at a time.

/// A slow-path event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// One round of active (pause) or passive spinning (a yield, or after a
    /// wake just another look at the word).
    Spin = 0,
    /// A waiter went to sleep in the OS.
    Sleep = 1,
    /// An unlocker woke a sleeper.
    Wake = 2,
    /// An unlocker woke the bottom of the sleep stack to stop it starving
    /// (spinbit only; also counted as a wake).
    TailWake = 3,
    /// An unlocker handed the lock to a sleeper that had waited past its
    /// bound (spinbit-bounded only; also counted as a wake).
    Handoff = 4,
}

/// Event totals since the last [`reset`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Spin rounds.
    pub spins: u64,
    /// Sleeps.
    pub sleeps: u64,
    /// Wakes, tail wakes included.
    pub wakes: u64,
    /// Tail wakes.
    pub tail_wakes: u64,
    /// Handoffs to a sleeper past its wait bound.
    pub handoffs: u64,
}

/// Whether this build counts events (the `stats` feature).
pub const ENABLED: bool = cfg!(lockyard_stats);

#[cfg(lockyard_stats)]
mod imp {
    use super::{Event, Stats};
    // Plain std atomics: the counters are instrumentation, never modelled.
    use core::sync::atomic::{AtomicU64, Ordering};

    /// How many kinds of [`Event`] there are.
    const EVENTS: usize = 5;

    /// One cache line per counter so counting does not add false sharing.
    #[repr(align(128))]
    struct Padded(AtomicU64);

    static COUNTERS: [Padded; EVENTS] = [const { Padded(AtomicU64::new(0)) }; EVENTS];

    #[inline(always)]
    fn add(event: Event) {
        // Relaxed: a tally, read only after the threads are joined.
        COUNTERS[event as usize].0.fetch_add(1, Ordering::Relaxed);
    }

    #[inline(always)]
    pub(crate) fn record(event: Event) {
        add(event);
        if matches!(event, Event::TailWake | Event::Handoff) {
            add(Event::Wake);
        }
    }

    pub(super) fn snapshot() -> Stats {
        // Relaxed: see `add`.
        let get = |e: Event| COUNTERS[e as usize].0.load(Ordering::Relaxed);
        Stats {
            spins: get(Event::Spin),
            sleeps: get(Event::Sleep),
            wakes: get(Event::Wake),
            tail_wakes: get(Event::TailWake),
            handoffs: get(Event::Handoff),
        }
    }

    pub(super) fn reset() {
        for counter in &COUNTERS {
            // Relaxed: see `add`.
            counter.0.store(0, Ordering::Relaxed);
        }
    }
}

#[cfg(not(lockyard_stats))]
mod imp {
    use super::{Event, Stats};

    #[inline(always)]
    pub(crate) fn record(_: Event) {}

    pub(super) fn snapshot() -> Stats {
        Stats::default()
    }

    pub(super) fn reset() {}
}

/// Counts one event (nothing without the `stats` feature).
pub(crate) use imp::record;

/// The totals so far (all zero without the `stats` feature).
pub fn snapshot() -> Stats {
    imp::snapshot()
}

/// Sets every counter back to zero.
pub fn reset() {
    imp::reset()
}
