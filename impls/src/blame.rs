//! What the lock paths tell the contention profile (the `profile` feature,
//! `profile.rs`): when a wait began, and, at a sampled contended unlock, how
//! long the sleepers had waited. Without the feature every item here is an
//! empty inline one, as in `stats`: two implementations, the same names.
//!
//! The estimate is Go's (golang/go#66999): with `n` sleepers whose newest
//! and oldest began waiting at `head` and `tail`, the unlocker is charged
//! `((now - head) + (now - tail)) / 2 * n`, and both stamps move to `now`
//! so the same wait is never charged twice. The unlocker reads `now` and
//! takes the charge while it still holds the lock, so a faster lock/unlock
//! pair behind it cannot take the blame for its critical section.

#[cfg(lockyard_profile)]
mod imp {
    use crate::os::now_us;
    use crate::primitive::{AtomicUsize, Ordering};
    use crate::profile::{rate, wait_metric};
    use crate::wait_stack::Word;
    use crate::waiter::Waiter;

    /// A delay to charge to the unlocker's stack, in microseconds.
    #[derive(Clone, Copy, Debug)]
    pub(crate) struct Blame(pub(crate) u64);

    /// Whether this unlock is one the profile samples (1 in the rate).
    #[inline]
    pub(crate) fn sampled() -> bool {
        rate::sampled()
    }

    /// Whether the profile samples at all (its rate is not 0): one load
    /// of a line no lock writes, all an unlock pays at rate 0 (a peek at a
    /// contended lock's own word would cost a second transfer of its line).
    #[inline]
    pub(crate) fn sampling() -> bool {
        rate::rate() != 0
    }

    /// The clock, for a stamp or a charge.
    #[inline]
    pub(crate) fn now() -> usize {
        now_us()
    }

    /// The charge for `n` sleepers, oldest stamped `tail`, newest `head`.
    ///
    /// Never panics (it runs under the stack or list lock): a stamp taken
    /// after `now` was read (a waiter that began meanwhile) counts as no
    /// wait, and the arithmetic saturates.
    pub(crate) fn estimate(now: usize, head: usize, tail: usize, n: usize) -> Blame {
        let waited = |since: usize| match now.wrapping_sub(since) {
            // Later than `now`: the clock's differences wrap (`os/clock.rs`).
            d if d > usize::MAX / 2 => 0,
            d => d as u64,
        };
        Blame((waited(head).saturating_add(waited(tail)) / 2).saturating_mul(n as u64))
    }

    /// Moves `node`'s stamp to `now`: its wait so far has been charged.
    #[inline]
    pub(crate) fn restamp(node: &Waiter, now: usize) {
        // Relaxed: stamps are read and written under the stack's or list's
        // lock, whose Acquire/Release order them.
        node.blame_since.store(now, Ordering::Relaxed);
    }

    /// After a charge at `now`: the waits of `head` and `tail` so far are
    /// paid for, so both restart at `now`.
    #[inline]
    pub(crate) fn charged(head: &Waiter, tail: &Waiter, now: usize) {
        // The positive control of `tests/profile.rs`: charging the same
        // waits again at every sample must make the profile outgrow the
        // wait metric.
        if cfg!(lockyard_profile_mutant = "charge_twice") {
            return;
        }
        restamp(head, now);
        restamp(tail, now);
    }

    /// The stamp on `node`.
    #[inline]
    pub(crate) fn since(node: &Waiter) -> usize {
        // Relaxed: see `restamp`.
        node.blame_since.load(Ordering::Relaxed)
    }

    /// A lock call's wait start, stamped on its node before its first
    /// sleep. While the profile samples, the clock is read when the slow
    /// path begins, so the spinning and yielding before the first sleep
    /// count as waiting, as they do in the wait metric (a yield can give
    /// the CPU away for a whole time slice). With the rate at 0 it is read
    /// only at the first sleep: a clock read at every slow path would cost
    /// the contended acquisitions, most of which never sleep.
    pub(crate) struct Stamp {
        since: Option<usize>,
        done: bool,
    }

    impl Stamp {
        /// At the start of a slow path.
        #[inline]
        pub(crate) fn begin() -> Self {
            let since = (rate::rate() != 0).then(now_us);
            Stamp { since, done: false }
        }

        /// Stamps `me` unless this call did already.
        #[inline]
        pub(crate) fn once(&mut self, me: &Waiter) {
            if !self.done {
                restamp(me, self.since.unwrap_or_else(now_us));
                self.done = true;
            }
        }
    }

    /// At a sampled unlock of a lock whose sleepers sit on a stack headed
    /// in `key` (sema, spinbit), while the caller still holds the lock:
    /// takes the stack lock, walks to the bottom (Go walks too: the tail is
    /// needed only when sampled), charges the estimate and restamps both
    /// ends. `None` when not sampled or nobody sleeps.
    ///
    /// `rearm` is set in the word with the stack lock dropped, if sleepers
    /// remain: spinbit's SLEEPING. An unlock that ran while we held the
    /// stack lock left its wake to us (`spinbit/wake.rs`); the hint makes
    /// our own unlock make that decision.
    #[inline]
    pub(crate) fn on_stack(word: Word, key: &AtomicUsize, rearm: usize) -> Option<Blame> {
        if !sampling() {
            return None;
        }
        // Relaxed: a peek at our own word; `lock_stack` acquires. An empty
        // stack (uncontended): nothing to charge, no draw, no clock read.
        let v = key.load(Ordering::Relaxed);
        if word.head(v) == 0 || !sampled() {
            return None;
        }
        stack_charge(word, key, v, rearm)
    }

    #[cold]
    fn stack_charge(word: Word, key: &AtomicUsize, v: usize, rearm: usize) -> Option<Blame> {
        let now = now_us();
        let v = word.lock_stack(key, v, |v| word.head(v) == 0)?;
        // SAFETY: a non-zero head (the stop above), packed from `Waiter::addr`.
        let head = unsafe { Waiter::from_addr(word.head(v)) };
        let (mut tail, mut n) = (head, 1);
        loop {
            // Relaxed: the stack lock's Acquire published the links.
            let below = tail.next.load(Ordering::Relaxed);
            if below == 0 {
                break;
            }
            // SAFETY: a non-zero link, written from `Waiter::addr`.
            tail = unsafe { Waiter::from_addr(below) };
            n += 1;
        }
        let blame = estimate(now, since(head), since(tail), n);
        charged(head, tail, now);
        // Release: drops the stack lock and publishes the stamps. Pushers
        // may have changed the head meanwhile: a loop, not a blind write.
        let mut v = v;
        loop {
            let next = (v & !word.stack_lock) | if word.head(v) != 0 { rearm } else { 0 };
            match key.compare_exchange_weak(v, next, Ordering::Release, Ordering::Relaxed) {
                Ok(_) => return Some(blame),
                Err(now) => v = now,
            }
        }
    }

    /// After the unlock: charges `blame` to this thread's stack.
    #[inline]
    pub(crate) fn charge(blame: Option<Blame>) {
        if let Some(Blame(us)) = blame {
            crate::profile::pending::charge(us.saturating_mul(1_000));
            // Something after the call, so it is no tail call: a tail call
            // would drop the unlocker's own frame, the one the charge is
            // for, from the stack it walks.
            core::sync::atomic::compiler_fence(Ordering::SeqCst);
        }
    }

    /// Runs a lock call's slow path, timed for the wait metric (1 call in
    /// the metric's period).
    #[inline]
    pub(crate) fn timed_wait<R>(wait: impl FnOnce() -> R) -> R {
        let started = wait_metric::begin();
        let r = wait();
        if let Some(started) = started {
            wait_metric::end(started);
        }
        r
    }
}

#[cfg(not(lockyard_profile))]
mod imp {
    use crate::primitive::AtomicUsize;
    use crate::wait_stack::Word;
    use crate::waiter::Waiter;

    /// Nothing to charge without the `profile` feature.
    #[derive(Clone, Copy, Debug)]
    pub(crate) enum Blame {}

    /// Stamps nothing.
    pub(crate) struct Stamp;

    impl Stamp {
        #[inline(always)]
        pub(crate) fn begin() -> Self {
            Stamp
        }

        #[inline(always)]
        pub(crate) fn once(&mut self, _: &Waiter) {}
    }

    #[inline(always)]
    pub(crate) fn sampling() -> bool {
        false
    }

    #[inline(always)]
    pub(crate) fn on_stack(_: Word, _: &AtomicUsize, _: usize) -> Option<Blame> {
        None
    }

    #[inline(always)]
    pub(crate) fn charge(_: Option<Blame>) {}

    #[inline(always)]
    pub(crate) fn timed_wait<R>(wait: impl FnOnce() -> R) -> R {
        wait()
    }
}

pub(crate) use imp::*;

#[cfg(all(test, lockyard_profile))]
mod tests {
    use super::estimate;

    #[test]
    fn the_estimate_is_the_mean_wait_times_the_sleepers() {
        // Waited 30 and 10: a mean of 20, three sleepers.
        assert_eq!(estimate(100, 90, 70, 3).0, 60);
    }

    #[test]
    fn a_stamp_after_now_counts_as_no_wait() {
        // The newest began after the unlocker read its clock.
        assert_eq!(estimate(100, 130, 40, 2).0, 60);
        // Across the clock's wrap, too.
        assert_eq!(estimate(5, usize::MAX - 4, 5, 2).0, 10);
        assert_eq!(estimate(5, 6, 6, usize::MAX).0, 0);
    }
}
