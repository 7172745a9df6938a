//! Slow-path event counters, compiled in only with the `stats` feature.
//!
//! They count what the spinbit change set out to reduce: spin rounds, sleeps
//! and wakes, and the anti-starvation tail wakes that keep it fair. Without
//! the feature [`record`] is an empty inline function and the counters do not
//! exist. The counters are process-wide, so read them around a run of one
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
}

/// Whether this build counts events (the `stats` feature).
pub const ENABLED: bool = cfg!(all(feature = "stats", not(loom)));

#[cfg(all(feature = "stats", not(loom)))]
mod counters {
    /// How many kinds of [`super::Event`] there are.
    const EVENTS: usize = 4;
    // Plain std atomics: the counters are instrumentation, never modelled.
    use core::sync::atomic::AtomicU64;

    /// One cache line per counter so counting does not add false sharing.
    #[repr(align(128))]
    pub(super) struct Padded(pub(super) AtomicU64);

    pub(super) static COUNTERS: [Padded; EVENTS] = [const { Padded(AtomicU64::new(0)) }; EVENTS];
}

/// Counts one event (nothing without the `stats` feature).
#[inline(always)]
pub(crate) fn record(event: Event) {
    #[cfg(all(feature = "stats", not(loom)))]
    {
        // Relaxed: a tally, read only after the threads are joined.
        counters::COUNTERS[event as usize]
            .0
            .fetch_add(1, core::sync::atomic::Ordering::Relaxed);
        if event == Event::TailWake {
            counters::COUNTERS[Event::Wake as usize]
                .0
                .fetch_add(1, core::sync::atomic::Ordering::Relaxed);
        }
    }
    #[cfg(not(all(feature = "stats", not(loom))))]
    let _ = event;
}

/// The totals so far (all zero without the `stats` feature).
pub fn snapshot() -> Stats {
    #[cfg(all(feature = "stats", not(loom)))]
    {
        let get = |e: Event| {
            counters::COUNTERS[e as usize]
                .0
                .load(core::sync::atomic::Ordering::Relaxed)
        };
        Stats {
            spins: get(Event::Spin),
            sleeps: get(Event::Sleep),
            wakes: get(Event::Wake),
            tail_wakes: get(Event::TailWake),
        }
    }
    #[cfg(not(all(feature = "stats", not(loom))))]
    Stats::default()
}

/// Sets every counter back to zero.
pub fn reset() {
    #[cfg(all(feature = "stats", not(loom)))]
    for counter in &counters::COUNTERS {
        counter.0.store(0, core::sync::atomic::Ordering::Relaxed);
    }
}
