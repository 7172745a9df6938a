//! The portable fallback: a fixed table of buckets, each a pthread mutex
//! and condition variable over an intrusive list of the threads parked on
//! the addresses that hash to it. Nothing allocates: each waiter's record
//! lives in its own `wait` frame and is linked into the list while it sleeps.
//!
//! `wait` checks the word while holding the bucket's mutex and links its
//! record before letting go (`pthread_cond_wait` releases and sleeps as one
//! step); a waker changes the word first, then takes the same mutex to
//! unlink a record and mark it woken. So either the waiter sees the new value
//! and never sleeps, or its record is in the list when the waker looks: no
//! wake is lost.
//!
//! It serves illumos, Solaris and any other unix without a wait-on-address
//! call. A target that is neither unix nor one of the systems with a file of
//! their own has no pthreads to build it on, and stops the build here.

#[cfg(not(unix))]
compile_error!(
    "lockyard supports Linux, Android, FreeBSD, the Apple systems, Windows, and other unix \
     systems through pthreads; this target is none of them"
);

use super::deadline::{Deadline, Left};
use crate::primitive::{AtomicU32, Ordering};
use core::cell::UnsafeCell;
use core::marker::PhantomData;
use core::ptr;
use std::time::Duration;

pub(crate) const PRIMITIVE: &str = "park";

/// Buckets in the table; a power of two so the address hash is a mask.
const BUCKETS: usize = 64;

/// A parked thread, in its own `wait` frame. Read and written only under
/// its bucket's mutex.
struct Record {
    /// The address waited on.
    addr: usize,
    /// The next younger record of the bucket; null at the end.
    next: *mut Record,
    /// Set by the waker as it unlinks the record: a record is either linked
    /// or woken, never both.
    woken: bool,
}

/// One slot of the table: `lock` guards `head` and every record in the
/// list; `cond` is where the list's threads sleep.
struct Bucket {
    lock: UnsafeCell<libc::pthread_mutex_t>,
    cond: UnsafeCell<libc::pthread_cond_t>,
    /// The oldest record; null when nobody waits.
    head: UnsafeCell<*mut Record>,
}

// SAFETY: the pthread objects are made to be shared between threads, and
// `head` and the records it leads to are touched only with `lock` held.
unsafe impl Sync for Bucket {}

static TABLE: [Bucket; BUCKETS] = [const {
    Bucket {
        lock: UnsafeCell::new(libc::PTHREAD_MUTEX_INITIALIZER),
        cond: UnsafeCell::new(libc::PTHREAD_COND_INITIALIZER),
        head: UnsafeCell::new(ptr::null_mut()),
    }
}; BUCKETS];

fn hash(addr: usize) -> usize {
    // Words of interest are at least 4-byte aligned; drop the bits that never
    // vary and fold the rest.
    (addr >> 2 ^ addr >> 12) & (BUCKETS - 1)
}

/// An address's bucket with its mutex held, until dropped. Never sent to
/// another thread (the marker keeps it `!Send`): only the locking thread
/// may unlock a pthread mutex.
struct Locked(&'static Bucket, PhantomData<*const ()>);

impl Locked {
    fn new(addr: usize) -> Locked {
        let bucket = &TABLE[hash(addr)];
        // SAFETY: the mutex is statically initialised and, in a static, never
        // moves; no path locks a bucket it already holds.
        let r = unsafe { libc::pthread_mutex_lock(bucket.lock.get()) };
        debug_assert_eq!(r, 0, "pthread_mutex_lock");
        Locked(bucket, PhantomData)
    }

    /// The link that points at the first record `pick` chooses, or the null
    /// link at the end of the list when it chooses none.
    fn find(&mut self, mut pick: impl FnMut(&Record) -> bool) -> *mut *mut Record {
        let mut link = self.0.head.get();
        // SAFETY: the mutex is held, so the links and records are ours to
        // read, and every linked record's frame is still waiting for it.
        unsafe {
            while !(*link).is_null() && !pick(&**link) {
                link = &raw mut (**link).next;
            }
        }
        link
    }

    /// Appends `record`, the youngest: a walk, but a bucket's list holds
    /// only the threads asleep on its addresses.
    fn link(&mut self, record: *mut Record) {
        let end = self.find(|_| false);
        // SAFETY: the mutex is held; `end` is the list's null tail link.
        unsafe { *end = record };
    }

    /// Unlinks and returns the oldest record `pick` chooses, or null.
    fn unlink(&mut self, pick: impl Fn(&Record) -> bool) -> *mut Record {
        let link = self.find(pick);
        // SAFETY: the mutex is held; `link` is a link of the list, and when
        // not null its record is live (see `find`).
        unsafe {
            let record = *link;
            if !record.is_null() {
                *link = (*record).next;
            }
            record
        }
    }

    /// Sleeps until a broadcast, a spurious wake-up, or `until` on the
    /// realtime clock; the mutex is let go meanwhile and held again after.
    fn sleep(&mut self, until: Option<&libc::timespec>) {
        let (cond, lock) = (self.0.cond.get(), self.0.lock.get());
        // SAFETY: this thread holds `lock`, as both calls require; the pthread
        // objects are statically initialised and never move. `until` is a
        // live timespec. Their results need no handling: every wake-up,
        // ETIMEDOUT included, returns to the caller's re-check.
        unsafe {
            match until {
                None => libc::pthread_cond_wait(cond, lock),
                Some(until) => libc::pthread_cond_timedwait(cond, lock, until),
            }
        };
    }

    /// Wakes every sleeper of the bucket; each re-checks its own record.
    fn broadcast(&mut self) {
        // SAFETY: a statically initialised condition variable that never moves.
        unsafe { libc::pthread_cond_broadcast(self.0.cond.get()) };
    }
}

impl Drop for Locked {
    fn drop(&mut self) {
        // SAFETY: this thread locked the mutex in `Locked::new`.
        let r = unsafe { libc::pthread_mutex_unlock(self.0.lock.get()) };
        debug_assert_eq!(r, 0, "pthread_mutex_unlock");
    }
}

/// `left` from now on the realtime clock, the one `pthread_cond_timedwait`
/// measures by default; `None` if that is past `time_t`. A realtime step
/// backwards can lengthen one sleep; the deadline itself is monotonic.
fn realtime_after(left: Duration) -> Option<libc::timespec> {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `now` is a writable timespec; CLOCK_REALTIME always exists.
    unsafe { libc::clock_gettime(libc::CLOCK_REALTIME, &mut now) };
    // Both parts are below a second, so the sum fits and carries at most one.
    let nanos = now.tv_nsec as u32 + left.subsec_nanos();
    let secs = libc::time_t::try_from(left.as_secs())
        .ok()?
        .checked_add(now.tv_sec)?
        .checked_add(libc::time_t::from(nanos >= 1_000_000_000))?;
    Some(libc::timespec {
        tv_sec: secs,
        tv_nsec: (nanos % 1_000_000_000) as _,
    })
}

/// A record linked into its locked bucket. Dropping it unlinks the record
/// unless a waker already did, so no way out of `wait`, a panic included,
/// leaves the list pointing into a dead frame.
struct Linked<'a> {
    bucket: &'a mut Locked,
    me: *mut Record,
}

impl<'a> Linked<'a> {
    /// Links `record`; the borrow keeps it alive as long as the guard.
    fn new(bucket: &'a mut Locked, record: &'a UnsafeCell<Record>) -> Linked<'a> {
        let me = record.get();
        bucket.link(me);
        Linked { bucket, me }
    }

    /// Whether a waker took the record out of the list.
    fn woken(&self) -> bool {
        // SAFETY: the mutex is held (the guard borrows the locked bucket, and
        // `sleep` retakes it before returning), so `woken` is ours to read.
        unsafe { (*self.me).woken }
    }
}

impl Drop for Linked<'_> {
    fn drop(&mut self) {
        if !self.woken() {
            let me = self.me;
            let unlinked = self.bucket.unlink(|r| ptr::eq(r, me));
            debug_assert_eq!(unlinked, me, "a record not yet woken is linked");
        }
    }
}

pub(crate) fn wait(word: &AtomicU32, expected: u32, timeout: Option<Duration>) -> bool {
    let addr = word as *const AtomicU32 as usize;
    let deadline = Deadline::after(timeout);
    let mut bucket = Locked::new(addr);
    // Relaxed: the bucket mutex orders this load after the store of any waker
    // that has been through the bucket; a later waker will find our record.
    if word.load(Ordering::Relaxed) != expected {
        return true;
    }
    let record = UnsafeCell::new(Record {
        addr,
        next: ptr::null_mut(),
        woken: false,
    });
    let linked = Linked::new(&mut bucket, &record);
    loop {
        if linked.woken() {
            // The waker unlinked us: its wake is ours, even past the deadline.
            return true;
        }
        match deadline.left() {
            Left::Forever => linked.bucket.sleep(None),
            Left::For(left) => linked.bucket.sleep(realtime_after(left).as_ref()),
            // Dropping `linked` takes the record out of the list.
            Left::Expired => return false,
        }
    }
}

pub(crate) fn wake_one(word: &AtomicU32) {
    let addr = word as *const AtomicU32 as usize;
    let mut bucket = Locked::new(addr);
    let oldest = bucket.unlink(|r| r.addr == addr);
    if !oldest.is_null() {
        // SAFETY: the mutex is held and the record was linked, so its waiter
        // is still inside `wait` and cannot leave before we let go.
        unsafe { (*oldest).woken = true };
        bucket.broadcast();
    }
}

/// The processors online, by `sysconf`: the portable count.
pub(super) fn processor_count() -> usize {
    super::online_processors()
}

#[cfg(test)]
mod tests {
    use super::super::tests as os;
    use super::{Locked, hash, processor_count, wait, wake_one};
    use crate::primitive::AtomicU32;
    use std::sync::mpsc;
    use std::time::Duration;

    #[test]
    fn wait_returns_at_once_when_the_word_differs() {
        os::returns_at_once_when_the_word_differs(wait);
    }

    #[test]
    fn wait_times_out_and_says_so() {
        os::times_out_and_says_so(wait);
    }

    #[test]
    fn wake_reaches_a_sleeper() {
        os::a_wake_reaches_a_sleeper(wait, wake_one);
    }

    #[test]
    fn there_is_a_processor() {
        assert!(processor_count() >= 1);
    }

    fn addr(word: &AtomicU32) -> usize {
        word as *const AtomicU32 as usize
    }

    /// How many records wait on `word` now.
    fn parked(word: &AtomicU32) -> usize {
        let mut n = 0;
        Locked::new(addr(word)).find(|r| {
            n += usize::from(r.addr == addr(word));
            false
        });
        n
    }

    /// Blocks until `n` records wait on `word`.
    fn until_parked(word: &AtomicU32, n: usize) {
        while parked(word) != n {
            std::thread::yield_now();
        }
    }

    #[test]
    fn a_timed_out_waiter_leaves_the_list() {
        let word = AtomicU32::new(0);
        // No waker, and this table has no spurious wakes: only the timeout.
        assert!(!wait(&word, 0, Some(Duration::from_millis(5))));
        assert_eq!(parked(&word), 0);
    }

    #[test]
    fn wakes_go_oldest_first_and_only_to_their_address() {
        // Two words that share a bucket.
        let words: Vec<AtomicU32> = (0..2048).map(|_| AtomicU32::new(0)).collect();
        let a = &words[0];
        let b = words[1..]
            .iter()
            .find(|b| hash(addr(a)) == hash(addr(b)))
            .expect("two words in one bucket");
        let (done, finished) = mpsc::channel();
        std::thread::scope(|s| {
            for (name, word) in [("first on a", a), ("on b", b), ("second on a", a)] {
                let waiting = parked(word);
                let done = done.clone();
                s.spawn(move || {
                    // Generous: only a lost wake would run into this deadline.
                    assert!(
                        wait(word, 0, Some(Duration::from_secs(30))),
                        "{name}: wake lost"
                    );
                    done.send(name).unwrap();
                });
                until_parked(word, waiting + 1);
            }
            for (word, expect) in [(a, "first on a"), (a, "second on a"), (b, "on b")] {
                wake_one(word);
                assert_eq!(finished.recv().unwrap(), expect);
            }
        });
        assert!(finished.try_recv().is_err(), "one wake each");
    }
}
