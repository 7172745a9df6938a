//! Locks broken or altered on purpose, which live only in the harness. A
//! suite that cannot fail proves nothing: each broken lock is one some suite
//! must catch.
//!
//! The positive controls run against every suite when `cargo xtask mutants`
//! asks for them (`registry::CONTROLS`), never in a normal run; [`Unmutated`]
//! runs beside them under the same short budget and must pass, or a "catch"
//! says more about the budget than the control.
//!
//! | control | broken how | who must catch it |
//! | --- | --- | --- |
//! | `busted` | `lock` does nothing (Linux locktorture's `lock_busted`) | every exclusion check |
//! | `lostwake` | spinbit whose unlock skips the wake it owes, 1 time in [`LOSTWAKE_PERIOD`] | the lost-wakeup cases (a hang) |
//! | `starving` | spinbit without tail wakes and with a spinner that never gives up | the starvation cases |
//! | `relaxed` | spinbit taking and giving the lock with Relaxed | loom (`impls/tests/loom_mutants.rs`); x86 and qemu cannot |
//! | `littlebyte` | spinbit's byte path on byte 0 of the word | big-endian ppc64 under qemu; right on little-endian |
//! | `bounded-nohandoff` ([`NoHandoff`]) | spinbit-bounded whose unlocks never hand off | the starvation suite's `bounded_wait` |
//! | `timed-noleave` ([`NoLeave`]) | spinbit whose timed-out sleepers return without leaving the stack | the fair and timed cases (`timeout_storm`, `timeouts_honoured`) |
//! | `allocating` | a lock that `Box::new`s a waiter node each time it must wait | conformance `global_allocator` (the allocator's re-entry detector) |
//! | `list-latelen` ([`LateLen`]) | `locked_list` whose count changes after the unlock | loom (`impls/tests/loom_mutants/list.rs`); the primitives storms only by luck |
//! | `arena-loadstore` ([`LoadStoreClaim`]) | `BumpArena` whose lock-free bump is a load and a store | the primitives suite (`storm_never_overlaps`); loom (`impls/tests/loom_mutants/arena.rs`) |
//! | `bitmap-loadstore` ([`LoadStoreBitmap`]) | a bitmap whose set and clear are a load and a store of the byte | the primitives suite (`neighbours_never_lose_a_bit`); loom (`impls/tests/loom_mutants/bitmap.rs`) |
//!
//! The others serve one suite or test each:
//!
//! | lock | altered how | used by |
//! | --- | --- | --- |
//! | `spinbit-notailwake` ([`NoTailWake`]) | spinbit without tail wakes | the starvation suite's `tail_wake_matters` |
//! | `no-wake` | a tristate lock whose unlock never wakes | unit tests: the lost-wakeup and tail-wake cases catch it |
//! | `starver` | futex that shuts one thread out | unit tests: the contention run and the fairness test catch it |

mod allocating;
mod busted;
mod late_len;
mod little_byte;
mod load_store_bitmap;
mod load_store_claim;
mod lost_wake;
mod no_handoff;
mod no_leave;
mod no_tail_wake;
#[cfg(test)]
mod no_wake;
mod relaxed;
#[cfg(test)]
mod starver;
mod starving;
mod unmutated;

pub use allocating::Allocating;
pub use busted::Busted;
pub use late_len::LateLen;
pub use little_byte::LittleByte;
pub use load_store_bitmap::LoadStoreBitmap;
pub use load_store_claim::LoadStoreClaim;
pub use lost_wake::{LOSTWAKE_PERIOD, LostWake};
pub use no_handoff::NoHandoff;
pub use no_leave::NoLeave;
pub use no_tail_wake::NoTailWake;
pub use relaxed::Relaxed;
#[cfg(test)]
pub(crate) use starver::Starver;
pub use starving::{STARVING_SPIN, Starving};
pub use unmutated::{UNMUTATED, Unmutated};
