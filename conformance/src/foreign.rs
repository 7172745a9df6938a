//! A lock from outside lockyard as a backend of the harness: any
//! `lock_api::RawMutex` (0.5), behind [`RawLock`], so every suite runs it as
//! it runs lockyard's own. [`crate::main!`] and [`crate::bench_main!`] wrap
//! it for a user's crate; parking_lot, a peer, is one too.
//!
//! What lock_api does not have, the adapter supplies or does without:
//!
//! * `is_contended` is "a thread is blocked in `lock`": the adapter counts
//!   the threads whose `try_lock` failed until their `lock` returns, as for
//!   the peers. A lock that says whether its waiters sleep can report that
//!   instead through [`Contended`].
//! * `state_word` is `None`: a hung lock's report says so.
//! * The fair and timed cases run when the lock has lock_api's
//!   `RawMutexFair` and `RawMutexTimed` on std's clock
//!   ([`Backend::of_fair_timed`](crate::Backend::of_fair_timed)).

use crate::blocked::Blocked;
use lock_api::{RawMutex, RawMutexFair, RawMutexTimed};
use lockyard::RawLock;
use std::cell::UnsafeCell;
use std::marker::PhantomData;
use std::time::{Duration, Instant};

/// A foreign lock's name, the first part of its trial names
/// (`ticket::mutual_exclusion_8`); [`crate::main!`] declares one per lock.
pub trait LockName: 'static {
    /// The name.
    const NAME: &'static str;
}

/// How a foreign lock answers `is_contended` (Go's `mutexContended`: a
/// waiter sleeps on it). [`Counted`], the default, says what the adapter
/// counts; a lock that knows better implements this on a type of its own
/// and names it in [`crate::main!`] (`contended: MyProbe`).
pub trait Contended<R>: 'static {
    /// Whether a waiter is asleep on `lock` right now, as far as it can
    /// tell; never false while one sleeps. `blocked`: whether the adapter
    /// counts a thread inside `lock` whose `try_lock` failed.
    fn is_contended(lock: &R, blocked: bool) -> bool;
}

/// The default [`Contended`]: the adapter's own count of blocked threads.
pub struct Counted;

impl<R> Contended<R> for Counted {
    fn is_contended(_: &R, blocked: bool) -> bool {
        blocked
    }
}

/// Lock `R` named `N`, whose `is_contended` comes from `C`.
pub struct Foreign<R: RawMutex, N, C = Counted> {
    raw: R,
    /// The holder's guard, kept for `unlock`.
    held: UnsafeCell<Option<R::Guard>>,
    blocked: Blocked,
    _name: PhantomData<fn() -> (N, C)>,
}

// SAFETY: `held` is touched only by the holder of `raw`, whose lock_api
// contract orders one holder's accesses before the next's; the raw lock is
// shared by reference only, which `R: Sync` allows.
unsafe impl<R: RawMutex + Sync, N, C> Sync for Foreign<R, N, C> {}
// SAFETY: the held guard never leaves the thread that locked: no case
// unlocks a lock another thread took (a misused unlock of a free lock finds
// no guard and panics), so a `GuardNoSend` lock is used as its contract
// allows; the adapter's own lock_api guard is `GuardNoSend` too.
unsafe impl<R: RawMutex + Send, N, C> Send for Foreign<R, N, C> {}

impl<R: RawMutex, N, C> Foreign<R, N, C> {
    /// An unlocked lock.
    pub const fn new() -> Self {
        Foreign {
            raw: R::INIT,
            held: UnsafeCell::new(None),
            blocked: Blocked::new(),
            _name: PhantomData,
        }
    }

    /// Keeps the guard of a successful acquisition for `unlock`.
    fn keep(&self, guard: R::Guard) {
        // SAFETY: we hold `raw`, so no other thread touches `held`.
        unsafe { *self.held.get() = Some(guard) };
    }

    /// The guard of the holder, for an unlock; panics as lockyard's locks do
    /// when nobody holds the lock.
    ///
    /// # Safety
    ///
    /// The caller holds the lock, or nobody does (a misuse this reports).
    unsafe fn take(&self) -> R::Guard {
        // SAFETY: the caller holds the lock, so only it touches `held`.
        match unsafe { (*self.held.get()).take() } {
            Some(guard) => guard,
            None => panic!("{}", crate::cases::misuse::MESSAGE),
        }
    }
}

impl<R: RawMutex, N, C> Default for Foreign<R, N, C> {
    fn default() -> Self {
        Self::new()
    }
}

// SAFETY: `R`'s lock_api contract provides the exclusion and the ordering;
// the adapter only carries the guard between lock and unlock.
unsafe impl<R, N, C> RawLock for Foreign<R, N, C>
where
    R: RawMutex + Send + Sync + 'static,
    N: LockName,
    C: Contended<R>,
{
    const NAME: &'static str = N::NAME;
    #[allow(clippy::declare_interior_mutable_const)]
    const INIT: Self = Foreign::new();

    fn new() -> Self {
        Foreign::new()
    }

    #[inline]
    fn lock(&self) {
        let guard = match self.raw.try_lock() {
            Some(guard) => guard,
            None => self.blocked.around(|| self.raw.lock()),
        };
        self.keep(guard);
    }

    #[inline]
    fn try_lock(&self) -> bool {
        self.raw.try_lock().map(|guard| self.keep(guard)).is_some()
    }

    #[inline]
    unsafe fn unlock(&self) {
        // SAFETY: passed on from the caller.
        let guard = unsafe { self.take() };
        // SAFETY: the guard came from a successful lock of `raw`.
        unsafe { self.raw.unlock(guard) }
    }

    fn is_locked(&self) -> bool {
        self.raw.is_locked()
    }

    fn is_contended(&self) -> bool {
        C::is_contended(&self.raw, self.blocked.any())
    }
}

// SAFETY: forwards to `R`, with the guard the adapter keeps.
unsafe impl<R, N, C> RawMutex for Foreign<R, N, C>
where
    R: RawMutex + Send + Sync + 'static,
    N: LockName,
    C: Contended<R>,
{
    #[allow(clippy::declare_interior_mutable_const)]
    const INIT: Self = Foreign::new();
    type Guard = lock_api::GuardNoSend;

    fn lock(&self) -> Self::Guard {
        RawLock::lock(self);
        lock_api::GuardNoSend::new()
    }

    fn try_lock(&self) -> Option<Self::Guard> {
        RawLock::try_lock(self).then(lock_api::GuardNoSend::new)
    }

    unsafe fn unlock(&self, _: Self::Guard) {
        // SAFETY: lock_api passes the guard of a successful lock.
        unsafe { RawLock::unlock(self) }
    }

    fn is_locked(&self) -> bool {
        self.raw.is_locked()
    }
}

// SAFETY: forwards to `R`'s fair unlock, with the guard the adapter keeps.
unsafe impl<R, N, C> RawMutexFair for Foreign<R, N, C>
where
    R: RawMutexFair + Send + Sync + 'static,
    N: LockName,
    C: Contended<R>,
{
    unsafe fn unlock_fair(&self, _: Self::Guard) {
        // SAFETY: lock_api passes the guard of a successful lock.
        let guard = unsafe { self.take() };
        // SAFETY: the guard came from a successful lock of `raw`.
        unsafe { self.raw.unlock_fair(guard) }
    }
}

// SAFETY: forwards to `R`'s timed calls, keeping the guard of a success.
unsafe impl<R, N, C> RawMutexTimed for Foreign<R, N, C>
where
    R: RawMutexTimed<Duration = Duration, Instant = Instant> + Send + Sync + 'static,
    N: LockName,
    C: Contended<R>,
{
    type Duration = Duration;
    type Instant = Instant;

    fn try_lock_for(&self, timeout: Duration) -> Option<Self::Guard> {
        let guard = self.blocked.around(|| self.raw.try_lock_for(timeout))?;
        self.keep(guard);
        Some(lock_api::GuardNoSend::new())
    }

    fn try_lock_until(&self, deadline: Instant) -> Option<Self::Guard> {
        let guard = self.blocked.around(|| self.raw.try_lock_until(deadline))?;
        self.keep(guard);
        Some(lock_api::GuardNoSend::new())
    }
}
