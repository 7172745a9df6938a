//! Node ownership as loom sees it (`lib.rs` swaps it in for `waiter_pool`).
//!
//! Each lock call gets a fresh node, leaked like the real ones: a node is
//! only in use for the length of one lock call, so this is the same protocol
//! without the thread-local and the pool, whose loom state would not survive
//! from one model execution to the next.

use crate::waiter::Waiter;

/// Runs `f` with a node of its own.
pub(crate) fn with_current<R>(f: impl FnOnce(&'static Waiter) -> R) -> R {
    f(Box::leak(Box::new(Waiter::new())))
}

/// A node of its own, for the rest of the lock call.
#[cfg_attr(not(lockyard_profile), allow(dead_code))]
pub(crate) fn current() -> Option<&'static Waiter> {
    Some(Box::leak(Box::new(Waiter::new())))
}
