//! A global allocator that takes the lock under test around every call
//! while a case switches it on: where a runtime lock has to work.
//!
//! The conformance binary installs [`GuardedAlloc`] as its
//! `#[global_allocator]` (`tests/conformance.rs`; this crate's unit tests
//! do too). Switched off it is [`System`] plus an atomic load and a
//! thread-local read per call. The case `global_allocator` switches it on
//! with a [`Switch`] of the backend's lock: from then on every `alloc`,
//! `alloc_zeroed`, `realloc` and `dealloc` of every thread runs inside that
//! lock, and bumps a plain and an atomic counter in the same critical
//! section, so a lock that does not exclude shows as lost plain increments.
//!
//! A lock whose `lock` or `unlock` allocates calls back into the allocator
//! from inside it: a recursion that overflows the stack, or a deadlock on
//! itself. A thread-local says whether the thread is inside a guarded call;
//! a call that finds it set names the backend on stderr, without
//! allocating, and aborts, so such a lock fails at once and the same way
//! every time. Nextest runs each trial in a process of its own, where the
//! abort ends only that trial; plain `cargo test` runs every trial in one
//! process, which is why a backend that does not promise allocator safety
//! has the case registered ignored (see `cases::trials`).

use crate::wait;
use lockyard::RawLock;
use lockyard_platforms::suite::ABORT_PREFIX;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::{Cell, UnsafeCell};
use std::hint::black_box;
use std::ptr;
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU64, Ordering};

/// The global allocator of the conformance binary: [`System`], inside the
/// lock of the [`Switch`] that is on, if one is.
pub struct GuardedAlloc;

/// The switch that is on, or null. Switches are leaked, so a call that read
/// one just before it was turned off still uses live memory, and unlocks the
/// very lock it locked.
static SWITCH: AtomicPtr<Switch> = AtomicPtr::new(ptr::null_mut());

thread_local! {
    /// The switch whose lock this thread is taking, holding or releasing
    /// inside the allocator; null outside. `const`: a lazy initialiser
    /// would itself be a first access that can allocate.
    static INSIDE: Cell<*const Switch> = const { Cell::new(ptr::null()) };
}

/// A lock as the allocator takes it, type-erased so that one static can
/// point at any backend's.
pub struct Switch {
    backend: &'static str,
    /// The `&'static L` of [`Switch::leak`].
    lock: *const (),
    /// `L::lock` on `lock`.
    acquire: unsafe fn(*const ()),
    /// `L::unlock` on `lock`.
    release: unsafe fn(*const ()),
    /// Guarded calls so far, as a plain integer: overlapping holders lose
    /// updates instead of being saved by atomics.
    plain: UnsafeCell<u64>,
    /// Guarded calls so far, as an atomic: loses none.
    counted: AtomicU64,
    /// Raised by the holder for the length of the critical section.
    inside: AtomicBool,
    /// Holders that found `inside` already raised.
    overlaps: AtomicU64,
}

// SAFETY: `plain` is read and written only while `lock` is held (in
// `section` and `counts`), so the lock's mutual exclusion, which the case
// checks, keeps those accesses race-free; `lock` points at an `L: Sync`
// that lives forever; the rest is atomic or immutable.
unsafe impl Sync for Switch {}
// SAFETY: as above; nothing in it belongs to one thread.
unsafe impl Send for Switch {}

/// [`Switch`]'s counters, read under its lock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Counts {
    /// The plain counter.
    pub plain: u64,
    /// The atomic counter.
    pub counted: u64,
    /// Holders that found another inside.
    pub overlaps: u64,
}

/// # Safety
///
/// `lock` is the `&'static L` a [`Switch`] was made with.
unsafe fn acquire<L: RawLock>(lock: *const ()) {
    // SAFETY: the caller passes the switch's `&'static L`.
    unsafe { &*lock.cast::<L>() }.lock();
}

/// # Safety
///
/// As [`acquire`], and the calling thread holds the lock.
unsafe fn release<L: RawLock>(lock: *const ()) {
    // SAFETY: the caller passes the switch's `&'static L` and holds it.
    unsafe { (*lock.cast::<L>()).unlock() };
}

impl Switch {
    /// A switch for `lock`, leaked: the allocator may still be using it
    /// after it is turned off.
    pub fn leak<L: RawLock + 'static>(lock: &'static L) -> &'static Switch {
        Box::leak(Box::new(Switch {
            backend: L::NAME,
            lock: ptr::from_ref(lock).cast(),
            acquire: acquire::<L>,
            release: release::<L>,
            plain: UnsafeCell::new(0),
            counted: AtomicU64::new(0),
            inside: AtomicBool::new(false),
            overlaps: AtomicU64::new(0),
        }))
    }

    /// Turns the allocator's guard on with this switch, first waiting while
    /// another case's is on (plain `cargo test` runs trials side by side).
    pub fn on(&'static self) {
        let me = ptr::from_ref(self).cast_mut();
        // Release: the allocator's Acquire load then sees the fields.
        // Relaxed on failure: another switch is on; we only retry.
        wait::until(|| {
            SWITCH
                .compare_exchange(ptr::null_mut(), me, Ordering::Release, Ordering::Relaxed)
                .is_ok()
        });
    }

    /// Turns the guard off if this switch is on. Calls that read it before
    /// finish with it, harmlessly: it is never freed.
    pub fn off(&'static self) {
        let me = ptr::from_ref(self).cast_mut();
        // Relaxed: clearing publishes nothing; a call that still sees the
        // switch takes and releases its lock as before.
        let _ = SWITCH.compare_exchange(me, ptr::null_mut(), Ordering::Relaxed, Ordering::Relaxed);
    }

    /// The counters, read under the lock, so that no call is halfway
    /// through its critical section.
    pub fn counts(&self) -> Counts {
        // SAFETY: `self.lock` is the lock `self.acquire` was made for.
        unsafe { (self.acquire)(self.lock) };
        // SAFETY: locked just above, so nobody else touches `plain`.
        let plain = unsafe { *self.plain.get() };
        // Relaxed: the lock orders it with the increments.
        let counted = self.counted.load(Ordering::Relaxed);
        // SAFETY: locked by this thread above.
        unsafe { (self.release)(self.lock) };
        Counts {
            plain,
            counted,
            overlaps: self.overlaps.load(Ordering::Relaxed),
        }
    }

    /// Guarded calls so far (a snapshot, without the lock).
    pub fn counted(&self) -> u64 {
        // Relaxed: a progress figure for a hang report.
        self.counted.load(Ordering::Relaxed)
    }

    /// Runs `call` as the critical section: the plain counter is read
    /// before and written after it, so a second holder in the meantime
    /// loses an update.
    ///
    /// # Safety
    ///
    /// The caller holds the lock.
    unsafe fn section<R>(&self, call: impl FnOnce() -> R) -> R {
        // Relaxed: the lock orders these between holders; an overlap shows
        // as a raised flag whatever the ordering.
        if self.inside.swap(true, Ordering::Relaxed) {
            self.overlaps.fetch_add(1, Ordering::Relaxed);
        }
        // SAFETY: the caller holds the lock.
        let read = unsafe { *self.plain.get() };
        let result = call();
        // SAFETY: as above. `black_box` keeps the read and the write apart.
        unsafe { *self.plain.get() = black_box(read) + 1 };
        self.counted.fetch_add(1, Ordering::Relaxed);
        self.inside.store(false, Ordering::Relaxed);
        result
    }
}

/// Runs `call` (a [`System`] call) inside the lock of the switch that is
/// on, reading the switch once; aborts on re-entry (see the module).
#[inline]
fn guarded<R>(call: impl FnOnce() -> R) -> R {
    // `try_with` never fails for a const, drop-free thread-local; the
    // fallback only keeps a panic path out of the allocator.
    let outer = INSIDE.try_with(Cell::get).unwrap_or(ptr::null());
    if !outer.is_null() {
        // SAFETY: INSIDE only ever holds leaked switches.
        reentered(unsafe { &*outer });
    }
    // Acquire: see the fields `Switch::on` published.
    let switch = SWITCH.load(Ordering::Acquire);
    if switch.is_null() {
        return call();
    }
    // SAFETY: a switch that was ever on is leaked, so it lives forever.
    let switch = unsafe { &*switch };
    let _ = INSIDE.try_with(|inside| inside.set(switch));
    // SAFETY: `switch.lock` is the lock `switch.acquire` was made for.
    unsafe { (switch.acquire)(switch.lock) };
    // SAFETY: locked just above.
    let result = unsafe { switch.section(call) };
    // SAFETY: locked by this thread above.
    unsafe { (switch.release)(switch.lock) };
    let _ = INSIDE.try_with(|inside| inside.set(ptr::null()));
    result
}

/// A lock that allocated while the allocator was taking or releasing it:
/// says so without allocating, and aborts. The first thread to get here
/// speaks for all (their lines would interleave); the others wait for its
/// abort.
#[cold]
fn reentered(switch: &Switch) -> ! {
    static REPORTED: AtomicBool = AtomicBool::new(false);
    // Relaxed: only who reports is decided here; the abort ends everyone.
    if REPORTED.swap(true, Ordering::Relaxed) {
        loop {
            std::thread::sleep(std::time::Duration::from_secs(60));
        }
    }
    // One write, so that the line arrives whole.
    let mut line = [0u8; 512];
    let mut len = 0;
    for part in [
        "\n",
        ABORT_PREFIX,
        "global_allocator: the allocator was re-entered under the `",
        switch.backend,
        "` lock: its lock or unlock allocates, which a lock inside a #[global_allocator] \
         must not do (it would recurse or deadlock); aborting\n",
    ] {
        let take = part.len().min(line.len() - len);
        line[len..len + take].copy_from_slice(&part.as_bytes()[..take]);
        len += take;
    }
    write_stderr(&line[..len]);
    std::process::abort()
}

/// Writes to stderr without allocating (and without std's stderr lock).
#[cfg(unix)]
fn write_stderr(bytes: &[u8]) {
    // SAFETY: `bytes` is a live slice of `bytes.len()` bytes; fd 2 is
    // stderr, and a failed or short write only loses the message.
    let _ = unsafe { libc::write(2, bytes.as_ptr().cast(), bytes.len()) };
}

/// Writes to stderr; std's stderr is unbuffered, so this does not allocate.
#[cfg(not(unix))]
fn write_stderr(bytes: &[u8]) {
    use std::io::Write as _;
    let _ = std::io::stderr().write_all(bytes);
}

// SAFETY: every call is `System`'s with the caller's arguments, unchanged;
// the guard around it only takes and releases a lock and counts.
unsafe impl GlobalAlloc for GuardedAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller meets `alloc`'s contract, which is System's.
        guarded(|| unsafe { System.alloc(layout) })
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as in `alloc`.
        guarded(|| unsafe { System.alloc_zeroed(layout) })
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from this allocator, that is from System.
        guarded(|| unsafe { System.dealloc(ptr, layout) });
    }

    // Not the default (alloc, copy, dealloc), which would call back into
    // this allocator from inside the guard.
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as in `dealloc`; the caller meets `realloc`'s contract.
        guarded(|| unsafe { System.realloc(ptr, layout, new_size) })
    }
}
