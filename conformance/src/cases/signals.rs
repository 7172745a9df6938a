//! Signals interrupt the waits inside `lock()`, and no wakeup is lost.
//!
//! A signal whose handler was installed without `SA_RESTART` makes a thread
//! blocked in `futex(FUTEX_WAIT)` (or any other sleeping system call) return
//! `EINTR`. A lock must treat that as "look again", never as a wake it can
//! consume or as the lock being free. The handler here does nothing but
//! count, so the interruption is all there is to it.

use crate::budget::{Budget, SIGNAL_ACQUISITIONS, SIGNAL_GAP, SIGNAL_ROUNDS, SIGNAL_WAITERS};
use crate::guarded::Guarded;
use crate::wait;
use crate::watchdog::Watch;
use crate::workers::in_parallel;
use anyhow::ensure;
use lockyard::RawLock;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Barrier, Mutex, Once};

/// The signal sent: unused by the suite, the harness and the libraries.
const SIGNAL: libc::c_int = libc::SIGUSR1;

/// Signals the handler has run for, in this process.
static HANDLED: AtomicU64 = AtomicU64::new(0);

extern "C" fn on_signal(_: libc::c_int) {
    // Relaxed: a lock-free atomic add is async-signal-safe; only the count
    // matters.
    HANDLED.fetch_add(1, Ordering::Relaxed);
}

/// Installs [`on_signal`] for [`SIGNAL`] once per process, without
/// `SA_RESTART`, so interrupted waits return `EINTR`.
fn install_handler() -> anyhow::Result<()> {
    static INSTALL: Once = Once::new();
    static FAILED: AtomicBool = AtomicBool::new(false);
    INSTALL.call_once(|| {
        // SAFETY: an all-zero sigaction is a valid value (empty mask, no
        // flags); the fields we need are set below.
        let mut action: libc::sigaction = unsafe { std::mem::zeroed() };
        action.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
        action.sa_flags = 0; // no SA_RESTART: interrupted waits return EINTR
        // SAFETY: `action.sa_mask` is a valid sigset_t owned by us.
        unsafe { libc::sigemptyset(&mut action.sa_mask) };
        // SAFETY: `action` is initialised; the handler only does an atomic
        // add, which is async-signal-safe; a null old-action pointer is
        // allowed.
        if unsafe { libc::sigaction(SIGNAL, &action, std::ptr::null_mut()) } != 0 {
            // Relaxed: read after `call_once` returns, which orders it.
            FAILED.store(true, Ordering::Relaxed);
        }
    });
    ensure!(
        !FAILED.load(Ordering::Relaxed),
        "cannot install the SIGUSR1 handler: {}",
        std::io::Error::last_os_error()
    );
    Ok(())
}

/// [`SIGNAL_ROUNDS`] rounds: a holder keeps the lock for the budget's hold
/// time while [`SIGNAL_WAITERS`] waiters block in `lock()`, each then taking
/// it [`SIGNAL_ACQUISITIONS`] times; all the while a signaller sends every
/// waiter `SIGUSR1` every [`SIGNAL_GAP`].
///
/// # Errors
///
/// If the count is off or two holders met; if no signal was sent to a
/// thread inside `lock()` or none was handled (the case then proved
/// nothing). A lost wakeup hangs, and the watchdog reports it.
pub fn run<L: RawLock + 'static>(budget: &Budget, watch: &Watch) -> anyhow::Result<()> {
    install_handler()?;
    let rounds = budget.count(SIGNAL_ROUNDS);
    let shared = Arc::new(Guarded::<L>::default());
    watch.watch(&shared);
    let storm = Storm {
        waiters: Mutex::new(vec![None; SIGNAL_WAITERS]),
        waiting: [const { AtomicBool::new(false) }; SIGNAL_WAITERS],
        stop: AtomicBool::new(false),
        stopped: AtomicBool::new(false),
        sent_while_waiting: AtomicU64::new(0),
    };
    let handled_before = HANDLED.load(Ordering::Relaxed);
    // The holder and the waiters meet at the start and end of each round.
    let start = Barrier::new(SIGNAL_WAITERS + 1);
    let end = Barrier::new(SIGNAL_WAITERS + 1);
    in_parallel(SIGNAL_WAITERS + 2, |i| match i {
        0 => {
            for _ in 0..rounds {
                shared.lock.lock();
                start.wait();
                std::thread::sleep(budget.hold);
                // SAFETY: locked above on this thread.
                unsafe { shared.lock.unlock() };
                end.wait();
            }
            storm.stop.store(true, Ordering::Relaxed);
        }
        1 => storm.signal(),
        _ => {
            let me = i - 2;
            let _registered = storm.register(me);
            for _ in 0..rounds {
                start.wait();
                for _ in 0..SIGNAL_ACQUISITIONS {
                    storm.waiting[me].store(true, Ordering::Relaxed);
                    shared.increment();
                    storm.waiting[me].store(false, Ordering::Relaxed);
                }
                end.wait();
            }
            // Stay alive (and signalable) until the signaller is done.
            wait::until(|| storm.stopped.load(Ordering::Relaxed));
        }
    })?;
    shared.check((rounds * SIGNAL_WAITERS * SIGNAL_ACQUISITIONS) as u64)?;
    let sent = storm.sent_while_waiting.load(Ordering::Relaxed);
    let handled = HANDLED.load(Ordering::Relaxed) - handled_before;
    ensure!(
        sent > 0 && handled > 0,
        "the case proved nothing: {sent} signals went to threads inside lock(), \
         {handled} were handled"
    );
    println!(
        "{} {sent} signals sent into lock(), {handled} handled",
        L::NAME
    );
    Ok(())
}

/// The signaller's view of the waiters.
struct Storm {
    /// Each waiter's thread while it runs; `None` before it starts and once
    /// it has left, so no signal goes to a thread that has exited.
    waiters: Mutex<Vec<Option<libc::pthread_t>>>,
    /// Whether each waiter is inside (or on its way into) `lock()`.
    waiting: [AtomicBool; SIGNAL_WAITERS],
    /// Set by the holder after the last round.
    stop: AtomicBool,
    /// Set by the signaller once it sends no more.
    stopped: AtomicBool,
    /// Signals sent to a waiter flagged as inside `lock()`.
    sent_while_waiting: AtomicU64,
}

// Relaxed throughout: flags and counts that pace the threads; the lock under
// test orders the data, and `waiters` is behind a mutex.
impl Storm {
    /// Makes waiter `me` a target until the returned guard drops (on return
    /// or unwinding alike).
    fn register(&self, me: usize) -> Registered<'_> {
        // SAFETY: pthread_self has no preconditions.
        let thread = unsafe { libc::pthread_self() };
        self.slots()[me] = Some(thread);
        Registered { storm: self, me }
    }

    fn slots(&self) -> std::sync::MutexGuard<'_, Vec<Option<libc::pthread_t>>> {
        self.waiters.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn signal(&self) {
        while !self.stop.load(Ordering::Relaxed) {
            {
                let slots = self.slots();
                for (me, thread) in slots.iter().enumerate() {
                    let Some(thread) = *thread else { continue };
                    let waiting = self.waiting[me].load(Ordering::Relaxed);
                    // SAFETY: the thread is registered, so it has not exited:
                    // it deregisters under this mutex before it can.
                    let sent = unsafe { libc::pthread_kill(thread, SIGNAL) } == 0;
                    if sent && waiting {
                        self.sent_while_waiting.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
            std::thread::sleep(SIGNAL_GAP);
        }
        self.stopped.store(true, Ordering::Relaxed);
    }
}

/// A waiter's registration as a signal target.
struct Registered<'a> {
    storm: &'a Storm,
    me: usize,
}

impl Drop for Registered<'_> {
    fn drop(&mut self) {
        self.storm.slots()[self.me] = None;
    }
}
