//! The one trait every backend implements, and its bridge to `lock_api`.

/// A raw mutual-exclusion lock with no data attached: the contract the
/// harness tests and measures, and the only thing a backend provides.
///
/// Code generic over `RawLock` runs on every backend, and on a state word
/// the harness can print:
///
/// ```
/// use lockyard::RawLock;
///
/// fn critical<L: RawLock>(lock: &L, work: impl FnOnce()) {
///     lock.lock();
///     work();
///     println!("{} while held: {:#x?}", L::NAME, lock.state_word());
///     // SAFETY: this thread took the lock above.
///     unsafe { lock.unlock() };
/// }
///
/// static FUTEX: lockyard::futex::RawFutex = lockyard::futex::RawFutex::INIT;
/// let spinbit = <lockyard::spinbit::RawSpinbit>::new();
/// critical(&FUTEX, || assert!(FUTEX.is_locked()));
/// critical(&spinbit, || assert!(!spinbit.try_lock()));
/// assert!(!FUTEX.is_locked() && !spinbit.is_locked());
/// ```
///
/// # Safety
///
/// Implementations must provide mutual exclusion: between a successful
/// [`lock`](RawLock::lock) or [`try_lock`](RawLock::try_lock) and the matching
/// [`unlock`](RawLock::unlock), no other call may succeed, and the unlock must
/// happen-before the next successful acquisition (Release to Acquire).
pub unsafe trait RawLock: Send + Sync {
    /// Short name used by the harness and in trial names (`futex`, `spinbit`).
    const NAME: &'static str;

    /// An unlocked lock, for statics and `lock_api`.
    #[cfg(not(lockyard_loom))]
    #[allow(clippy::declare_interior_mutable_const)]
    const INIT: Self;

    /// An unlocked lock (the only constructor under loom, whose atomics are
    /// not const).
    fn new() -> Self;

    /// Acquires the lock, blocking until it is available.
    fn lock(&self);

    /// Acquires the lock if it is free right now; never blocks.
    fn try_lock(&self) -> bool;

    /// Releases the lock.
    ///
    /// Unlocking a lock that is not locked panics with "unlock of unlocked
    /// lock" and leaves the lock word as it was: the caller's bug is reported
    /// where it happened, never passed on as a corrupted lock.
    ///
    /// # Safety
    ///
    /// The lock must be held by the caller's context (the thread, or whoever
    /// it handed its guard to).
    unsafe fn unlock(&self);

    /// Whether the lock is held right now (a snapshot).
    fn is_locked(&self) -> bool;

    /// Whether a waiter is asleep on the lock right now, as far as the lock
    /// word can tell (Go's `mutexContended`). Spinning waiters do not count.
    /// It is never false while a waiter sleeps; how soon it turns false after
    /// the last sleeper leaves depends on the backend: `sema` and `spinbit`
    /// track their sleep stack exactly, while `futex` keeps its *sleeping*
    /// state until an unlock clears it (a thread that slept takes the lock
    /// back in that state, because it cannot know whether others still sleep).
    fn is_contended(&self) -> bool;

    /// The raw state word, for diagnostics such as a watchdog's report of a
    /// hung lock; `None` for locks whose state is not one word.
    fn state_word(&self) -> Option<usize> {
        None
    }
}

/// Implements `lock_api::RawMutex` for a [`RawLock`] type by delegation.
///
/// `lock_api`'s trait is foreign, so it cannot be implemented once for every
/// `RawLock`; this keeps the per-backend impls identical. The typed aliases
/// come from [`lock_api_aliases!`].
macro_rules! impl_lock_api {
    ($(@<$g:ident: $bound:path>)? $raw:ty) => {
        #[cfg(not(lockyard_loom))]
        // SAFETY: delegates to a `RawLock`, whose contract is mutual
        // exclusion with Release-to-Acquire handover; the guard carries no
        // state and unlocking from another thread is allowed by every backend.
        unsafe impl$(<$g: $bound>)? lock_api::RawMutex for $raw {
            #[allow(clippy::declare_interior_mutable_const)]
            const INIT: Self = <$raw as $crate::RawLock>::INIT;
            type Guard = lock_api::GuardSend;

            #[inline]
            fn lock(&self) -> Self::Guard {
                <$raw as $crate::RawLock>::lock(self);
                lock_api::GuardSend::new()
            }

            #[inline]
            fn try_lock(&self) -> Option<Self::Guard> {
                <$raw as $crate::RawLock>::try_lock(self).then(lock_api::GuardSend::new)
            }

            #[inline]
            unsafe fn unlock(&self, _guard: Self::Guard) {
                // SAFETY: lock_api passes the guard of a successful lock, so
                // the caller's context holds the lock.
                unsafe { <$raw as $crate::RawLock>::unlock(self) }
            }

            #[inline]
            fn is_locked(&self) -> bool {
                <$raw as $crate::RawLock>::is_locked(self)
            }
        }
    };
}
pub(crate) use impl_lock_api;

/// Implements `lock_api::RawMutexFair` for a type with [`impl_lock_api!`]
/// and [`RawLockFair`](crate::RawLockFair); `bump` is lock_api's own (a
/// fair unlock, then a lock).
macro_rules! impl_lock_api_fair {
    ($(@<$g:ident: $bound:path>)? $raw:ty) => {
        #[cfg(not(lockyard_loom))]
        // SAFETY: as `RawLockFair`'s contract, which the type upholds.
        unsafe impl$(<$g: $bound>)? lock_api::RawMutexFair for $raw {
            #[inline]
            unsafe fn unlock_fair(&self, _guard: Self::Guard) {
                // SAFETY: lock_api passes the guard of a successful lock.
                unsafe { <$raw as $crate::RawLockFair>::unlock_fair(self) }
            }
        }
    };
}
pub(crate) use impl_lock_api_fair;

/// Implements `lock_api::RawMutexTimed` for a type with [`impl_lock_api!`]
/// and [`RawLockTimed`](crate::RawLockTimed), on std's clock.
macro_rules! impl_lock_api_timed {
    ($(@<$g:ident: $bound:path>)? $raw:ty) => {
        #[cfg(not(lockyard_loom))]
        // SAFETY: as `RawLockTimed`'s contract, which the type upholds.
        unsafe impl$(<$g: $bound>)? lock_api::RawMutexTimed for $raw {
            type Duration = std::time::Duration;
            type Instant = std::time::Instant;

            #[inline]
            fn try_lock_for(&self, timeout: Self::Duration) -> Option<Self::Guard> {
                <$raw as $crate::RawLockTimed>::try_lock_for(self, timeout)
                    .then(lock_api::GuardSend::new)
            }

            #[inline]
            fn try_lock_until(&self, deadline: Self::Instant) -> Option<Self::Guard> {
                <$raw as $crate::RawLockTimed>::try_lock_until(self, deadline)
                    .then(lock_api::GuardSend::new)
            }
        }
    };
}
pub(crate) use impl_lock_api_timed;

/// Declares `Mutex<T>` and `MutexGuard<'a, T>`, lock_api's typed mutex and
/// guard on `$raw` (a type with [`impl_lock_api!`]), in the calling module;
/// `$what` ends the mutex's doc line ("A mutex on ..."), `$path` is the
/// module's path from the crate root, for its example.
macro_rules! lock_api_aliases {
    ($raw:ty, $what:literal, $path:literal) => {
        #[doc = concat!("A mutex on ", $what, ".")]
        ///
        /// lock_api's `Mutex`: `new` is `const`, `lock` returns a guard that
        /// unlocks on drop, `try_lock` never blocks, and `into_inner`,
        /// `get_mut` and `data_ptr` work as on `std::sync::Mutex` (there is no
        /// poisoning: a panic while holding the guard just unlocks).
        ///
        /// ```
        /// use std::sync::Arc;
        /// use std::thread;
        ///
        #[doc = concat!("let hits = Arc::new(", $path, "Mutex::new(0u64));")]
        /// let workers: Vec<_> = (0..4)
        ///     .map(|_| {
        ///         let hits = Arc::clone(&hits);
        ///         thread::spawn(move || {
        ///             for _ in 0..1000 {
        ///                 *hits.lock() += 1;
        ///             }
        ///         })
        ///     })
        ///     .collect();
        /// for w in workers {
        ///     w.join().unwrap();
        /// }
        /// assert_eq!(*hits.lock(), 4000);
        /// ```
        #[cfg(not(lockyard_loom))]
        pub type Mutex<T> = lock_api::Mutex<$raw, T>;
        /// The guard of [`Mutex`].
        #[cfg(not(lockyard_loom))]
        pub type MutexGuard<'a, T> = lock_api::MutexGuard<'a, $raw, T>;
    };
}
pub(crate) use lock_api_aliases;
