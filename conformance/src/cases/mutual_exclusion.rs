//! Threads add to a plain counter under the lock: no two may ever be inside
//! at once, and no increment may be lost.

use crate::budget::{Budget, MUTUAL_EXCLUSION_ACQUISITIONS};
use crate::guarded::Guarded;
use crate::watchdog::Watch;
use lockyard::RawLock;
use std::sync::Arc;

/// `threads` threads share [`MUTUAL_EXCLUSION_ACQUISITIONS`] increments.
///
/// # Errors
///
/// If two holders met, an increment was lost, or the lock is not idle after.
pub fn run<L: RawLock + 'static>(
    budget: &Budget,
    watch: &Watch,
    threads: usize,
) -> anyhow::Result<()> {
    let shared = Arc::new(Guarded::<L>::default());
    watch.watch(&shared);
    let each = budget
        .count(MUTUAL_EXCLUSION_ACQUISITIONS)
        .div_ceil(threads);
    shared.contend(threads, each)
}
