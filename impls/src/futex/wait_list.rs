//! futex's wait list, kept only for the contention profile (`profile`
//! feature; seed 001): the kernel knows who sleeps on the word, futex does
//! not, and a sampled unlock needs the number of sleepers and when the
//! newest and the oldest began to wait.
//!
//! A waiter about to sleep pushes its node onto the list with one
//! compare-exchange, singly linked like a stack: a push never waits, and a
//! push that is delayed is delayed by others making progress. Whoever
//! holds the list's lock bit (`LISTING`, bit 0 of the head word: nodes are
//! 1024-byte aligned) links the new part back (each node's `list_prev`,
//! with `LINKED` marking it done) and keeps a tail and a count. Each node
//! is linked back once, so that upkeep costs O(1) per waiter, not per
//! unlock, and a contended lock does not grow more contended by it. With
//! both links a waiter leaves in O(1) from anywhere in the list: the
//! kernel, not the list, picks whom a wake wakes.
//!
//! The holder of the lock bit is the waiter that just took the lock (it
//! leaves), a waiter whose time ran out (it leaves too: futex's timed lock
//! cannot wait for the lock to remove itself), or the holder of the futex
//! at a sampled unlock (it reads and restamps the ends). All are brief and
//! none sleeps holding it.

#[cfg(lockyard_profile)]
mod imp {
    use crate::blame::{self, Blame};
    use crate::primitive::{AtomicUsize, Ordering, const_fn_unless_loom};
    use crate::wait_stack::Word;
    use crate::waiter::Waiter;
    use crate::waiter_pool::current;

    /// The list lock, bit 0 of `head`.
    const LISTING: usize = 1;
    /// In a node's `list_prev`: linked back by a lock holder.
    const LINKED: usize = 1;
    /// The head word as the stack code sees it: the lock bit is its flag.
    const LIST: Word = Word {
        flags: LISTING,
        stack_lock: LISTING,
    };

    /// What `check_locked` found broken. Plain data: the check runs under
    /// the list lock on a lock's slow path (debug builds), where nothing may
    /// allocate; the words are written only when a failure is reported.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub(crate) enum Broken {
        /// A node below a linked one that is not linked itself.
        Unlinked { at: usize },
        /// A node whose back link is not the node above it.
        BackLink {
            at: usize,
            prev: usize,
            above: usize,
        },
        /// The count is not the number of linked nodes.
        Count { n: usize, linked: usize },
        /// The tail is not the last linked node.
        Tail { tail: usize, last: usize },
    }

    impl core::fmt::Display for Broken {
        fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
            match *self {
                Broken::Unlinked { at } => {
                    write!(f, "node {at:#x} is below a linked node but not linked")
                }
                Broken::BackLink { at, prev, above } => {
                    write!(f, "node {at:#x} links back to {prev:#x}, not {above:#x}")
                }
                Broken::Count { n, linked } => write!(f, "{n} nodes linked, count says {linked}"),
                Broken::Tail { tail, last } => write!(f, "tail {tail:#x}, last node {last:#x}"),
            }
        }
    }

    /// The node at a non-zero head or link.
    fn node(addr: usize) -> &'static Waiter {
        // SAFETY: heads and links are only ever 0 or `Waiter::addr` values,
        // and nodes are never freed.
        unsafe { Waiter::from_addr(addr) }
    }

    /// The waiters of one futex lock.
    pub(crate) struct WaitList {
        /// The newest waiter's node, or 0, with `LISTING`.
        head: AtomicUsize,
        /// The oldest linked waiter's node, or 0; under `LISTING`.
        tail: AtomicUsize,
        /// Linked waiters; under `LISTING`.
        linked: AtomicUsize,
    }

    /// One lock call's place on the list: none until its first sleep, so
    /// an acquisition that only spins never reaches for its thread's node.
    pub(crate) struct Entry {
        me: Option<&'static Waiter>,
        since: blame::Stamp,
    }

    impl Entry {
        /// Puts the call on `list` before its first sleep (once). A thread
        /// whose thread-locals are being destroyed has no node to list: its
        /// wait goes uncharged (the lock works as ever).
        pub(crate) fn join(&mut self, list: &WaitList) {
            if self.me.is_none()
                && let Some(me) = current()
            {
                self.since.once(me);
                list.push(me);
                self.me = Some(me);
            }
        }
    }

    impl WaitList {
        const_fn_unless_loom! {
            pub(crate) fn new() -> Self {
                WaitList {
                    head: AtomicUsize::new(0),
                    tail: AtomicUsize::new(0),
                    linked: AtomicUsize::new(0),
                }
            }
        }

        /// Runs a lock call's wait with its place on the list; the call
        /// leaves the list when it ends, holding the futex or not.
        #[inline]
        pub(crate) fn with_entry<R>(&self, wait: impl FnOnce(&mut Entry) -> R) -> R {
            let mut entry = Entry {
                me: None,
                since: blame::Stamp::begin(),
            };
            let r = wait(&mut entry);
            if let Some(me) = entry.me {
                self.leave(me);
            }
            r
        }

        fn push(&self, me: &'static Waiter) {
            // Relaxed: published by the Release push below.
            me.list_prev.store(0, Ordering::Relaxed);
            let mut v = self.head.load(Ordering::Relaxed);
            loop {
                me.next.store(v & !LISTING, Ordering::Relaxed);
                // Release: the lock holder that reads our node sees its fields.
                match self.head.compare_exchange_weak(
                    v,
                    me.addr() | (v & LISTING),
                    Ordering::Release,
                    Ordering::Relaxed,
                ) {
                    Ok(_) => return,
                    Err(now) => v = now,
                }
            }
        }

        /// Takes the list lock; returns the head word with it set.
        fn lock(&self) -> usize {
            // Relaxed: `lock_stack` acquires (the pushed nodes' fields and
            // the last holder's links).
            let v = self.head.load(Ordering::Relaxed);
            LIST.lock_stack(&self.head, v, |_| false)
                .expect("a lock that never gives up returns the word it set")
        }

        fn unlock(&self) {
            // Release: our links, tail and count for the next holder. Pushers
            // may have changed the head; only the bit is ours.
            self.head.fetch_and(!LISTING, Ordering::Release);
        }

        /// Links back the nodes pushed since the last holder looked, from
        /// the head down to the first linked one; keeps tail and count.
        /// Relaxed inside: the lock's Acquire (or a failed exchange's) has
        /// made the pushes visible, and only the lock's holder links.
        fn link_new(&self, v: usize) {
            let mut at = v & !LISTING;
            let mut above = 0;
            let mut added = 0;
            while at != 0 {
                let n = node(at);
                if n.list_prev.load(Ordering::Relaxed) & LINKED != 0 {
                    if above != 0 {
                        n.list_prev.store(above | LINKED, Ordering::Relaxed);
                    }
                    break;
                }
                n.list_prev.store(above | LINKED, Ordering::Relaxed);
                added += 1;
                above = at;
                at = n.next.load(Ordering::Relaxed);
            }
            if at == 0 && above != 0 {
                // The list was empty: the last new node is the oldest.
                self.tail.store(above, Ordering::Relaxed);
            }
            self.linked.fetch_add(added, Ordering::Relaxed);
        }

        /// Takes `me` off the list, wherever it is.
        fn leave(&self, me: &'static Waiter) {
            let v = self.lock();
            self.link_new(v);
            let mine = me.addr();
            let next = me.next.load(Ordering::Relaxed);
            loop {
                let prev = me.list_prev.load(Ordering::Relaxed) & !LINKED;
                if prev != 0 {
                    node(prev).next.store(next, Ordering::Relaxed);
                    break;
                }
                // The newest: only the head word unlinks it, unless pushes
                // came on top. Relaxed on success: the unlock below releases.
                // Acquire on failure: the new nodes get linked next round.
                match self.head.compare_exchange(
                    mine | LISTING,
                    next | LISTING,
                    Ordering::Relaxed,
                    Ordering::Acquire,
                ) {
                    Ok(_) => break,
                    Err(now) => self.link_new(now),
                }
            }
            let prev = me.list_prev.load(Ordering::Relaxed) & !LINKED;
            if next != 0 {
                node(next).list_prev.store(prev | LINKED, Ordering::Relaxed);
            } else {
                self.tail.store(prev, Ordering::Relaxed);
                if prev != 0 {
                    me.pass_blame_to(node(prev));
                }
            }
            self.linked.fetch_sub(1, Ordering::Relaxed);
            me.list_prev.store(0, Ordering::Relaxed);
            me.next.store(0, Ordering::Relaxed);
            #[cfg(debug_assertions)]
            if let Err(broken) = self.check_locked() {
                panic!("futex wait list: {broken}");
            }
            self.unlock();
        }

        /// At an unlock, while the futex is still held: if the unlock is
        /// sampled and `contended` says sleepers may be listed, the charge
        /// for them.
        #[inline]
        pub(crate) fn on_unlock(&self, contended: impl FnOnce() -> bool) -> Option<Blame> {
            if blame::sampled() && contended() {
                self.charge()
            } else {
                None
            }
        }

        /// The charge for the waiters listed, both ends restamped.
        #[cold]
        fn charge(&self) -> Option<Blame> {
            let now = blame::now();
            let v = self.lock();
            self.link_new(v);
            let n = self.linked.load(Ordering::Relaxed);
            let blame = (n != 0).then(|| {
                // The head may be a node pushed after `link_new`: it has not
                // started waiting on our watch; use the newest linked one.
                let (head, tail) = (
                    self.newest_linked(v),
                    node(self.tail.load(Ordering::Relaxed)),
                );
                let blame = blame::estimate(now, blame::since(head), blame::since(tail), n);
                blame::charged(head, tail, now);
                blame
            });
            self.unlock();
            blame
        }

        /// The head word's node, linked by `link_new` on `v` (pushes after
        /// `v` are not, and are newer still, so the head of `v` is newest).
        fn newest_linked(&self, v: usize) -> &'static Waiter {
            node(v & !LISTING)
        }

        /// Walks the list under its lock: every link matches its reverse,
        /// the tail is the last node, the count is the number of nodes.
        fn check_locked(&self) -> Result<usize, Broken> {
            let mut at = self.head.load(Ordering::Acquire) & !LISTING;
            // Nodes pushed since the last `link_new` sit on top, unlinked.
            while at != 0 && node(at).list_prev.load(Ordering::Relaxed) & LINKED == 0 {
                at = node(at).next.load(Ordering::Relaxed);
            }
            let (mut above, mut n) = (0, 0);
            while at != 0 {
                let prev = node(at).list_prev.load(Ordering::Relaxed);
                if prev & LINKED == 0 {
                    return Err(Broken::Unlinked { at });
                }
                if prev & !LINKED != above {
                    return Err(Broken::BackLink { at, prev, above });
                }
                n += 1;
                above = at;
                at = node(at).next.load(Ordering::Relaxed);
            }
            let tail = self.tail.load(Ordering::Relaxed);
            let linked = self.linked.load(Ordering::Relaxed);
            if n != linked {
                return Err(Broken::Count { n, linked });
            }
            if n != 0 && tail != above {
                return Err(Broken::Tail { tail, last: above });
            }
            Ok(n)
        }

        /// Checks the list's links and count under its lock (a test hook):
        /// the number of waiters linked, or what is broken.
        pub(crate) fn check(&self) -> Result<usize, Broken> {
            let v = self.lock();
            self.link_new(v);
            let checked = self.check_locked();
            self.unlock();
            checked
        }
    }
}

#[cfg(not(lockyard_profile))]
mod imp {
    use crate::blame::Blame;

    /// No list without the `profile` feature.
    pub(crate) struct WaitList;

    /// No place on it.
    pub(crate) struct Entry;

    impl Entry {
        #[inline(always)]
        pub(crate) fn join(&mut self, _: &WaitList) {}
    }

    impl WaitList {
        pub(crate) const fn new() -> Self {
            WaitList
        }

        #[inline(always)]
        pub(crate) fn with_entry<R>(&self, wait: impl FnOnce(&mut Entry) -> R) -> R {
            wait(&mut Entry)
        }

        #[inline(always)]
        pub(crate) fn on_unlock(&self, _: impl FnOnce() -> bool) -> Option<Blame> {
            None
        }
    }
}

pub(crate) use imp::*;
