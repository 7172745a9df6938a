//! Threads that Rust did not start (`pthread_create` called directly, as a C
//! library or a runtime embedding Rust would) contend with Rust threads,
//! as a runtime lock must allow: no `std::thread` setup, no name, no
//! handle, and thread-locals first touched by the lock itself.

use crate::budget::{
    Budget, FOREIGN_ACQUISITIONS, FOREIGN_ROUNDS, FOREIGN_RUST_THREADS, FOREIGN_THREADS,
};
use crate::guarded::Guarded;
use crate::wait;
use crate::watchdog::{Watch, lock_state};
use crate::workers::{outcome, panic_message};
use anyhow::{Context, bail, ensure};
use lockyard::{RawLock, idle_waiters};
use std::ffi::c_void;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::ptr::NonNull;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// What a foreign thread gets: the shared lock and counter, its share of
/// the work, and where to leave a panic's message.
struct Job<L> {
    shared: Arc<Guarded<L>>,
    acquisitions: usize,
    panicked: Mutex<Option<String>>,
}

/// The start routine of a foreign thread: its acquisitions, with a panic
/// caught here, since it must not unwind into the C code that called it.
extern "C" fn foreign<L: RawLock>(job: *mut c_void) -> *mut c_void {
    // SAFETY: `job` is the `Job<L>` that `start` passed, which the case
    // keeps alive until it has joined this thread.
    let job = unsafe { &*job.cast::<Job<L>>() };
    let ran = catch_unwind(AssertUnwindSafe(|| {
        for _ in 0..job.acquisitions {
            job.shared.increment();
        }
    }));
    if let Err(payload) = ran {
        let message = panic_message(&*payload).to_owned();
        *job.panicked.lock().unwrap_or_else(|e| e.into_inner()) = Some(message);
    }
    std::ptr::null_mut()
}

/// A foreign thread running `job`. It is joined before the job is freed:
/// by [`Foreign::join`], or else when dropped.
struct Foreign<L> {
    thread: libc::pthread_t,
    /// The job, from `Box::into_raw` and freed in `drop` after the join: a
    /// raw pointer, not a `Box`, because moving a `Box` asserts unique
    /// access while the thread still reads through its own pointer (Miri's
    /// Stacked Borrows caught that).
    job: NonNull<Job<L>>,
    /// `pthread_join` was called (it may be called once).
    joined: bool,
    /// It returned success: the thread is gone, the job may be freed.
    ended: bool,
}

impl<L: RawLock> Foreign<L> {
    fn start(job: Job<L>) -> anyhow::Result<Foreign<L>> {
        let job = NonNull::from(Box::leak(Box::new(job)));
        let arg = job.as_ptr().cast::<c_void>();
        // SAFETY: all-zero bytes are a valid placeholder for a pthread_t,
        // which pthread_create overwrites.
        let mut thread: libc::pthread_t = unsafe { std::mem::zeroed() };
        // SAFETY: `thread` is writable, null attributes mean the defaults,
        // `foreign::<L>` has the start routine's C signature, and `arg`
        // points at the boxed job, which outlives the thread (see the type).
        let error =
            unsafe { libc::pthread_create(&mut thread, std::ptr::null(), foreign::<L>, arg) };
        if error != 0 {
            // SAFETY: no thread started, so nothing else holds the job.
            drop(unsafe { Box::from_raw(job.as_ptr()) });
            bail!(
                "pthread_create failed: {}",
                std::io::Error::from_raw_os_error(error)
            );
        }
        Ok(Foreign {
            thread,
            job,
            joined: false,
            ended: false,
        })
    }

    /// Waits for the thread to end, its thread-local destructors included.
    fn join(&mut self) -> anyhow::Result<()> {
        self.joined = true;
        // SAFETY: `thread` was started by `start` and is joined once: here,
        // or in `drop` when this never ran.
        let error = unsafe { libc::pthread_join(self.thread, std::ptr::null_mut()) };
        if error != 0 {
            bail!(
                "pthread_join failed: {}",
                std::io::Error::from_raw_os_error(error)
            );
        }
        self.ended = true;
        // SAFETY: the job lives until `drop`; the thread that also read it
        // has ended.
        let panicked = unsafe { self.job.as_ref() }
            .panicked
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        match panicked {
            Some(message) => bail!("a foreign thread panicked: {message}"),
            None => Ok(()),
        }
    }
}

impl<L> Drop for Foreign<L> {
    fn drop(&mut self) {
        if !self.joined {
            // SAFETY: as in `join`, which did not run; the job must outlive
            // the thread, so the thread is waited for, not left behind.
            self.ended = unsafe { libc::pthread_join(self.thread, std::ptr::null_mut()) } == 0;
        }
        if self.ended {
            // SAFETY: from `Box::leak` in `start`; the thread has ended, so
            // this is the last use. (A thread that could not be joined keeps
            // its job: it may still read it.)
            drop(unsafe { Box::from_raw(self.job.as_ptr()) });
        }
    }
}

/// Joins every thread (none may be left running over its freed job), and
/// returns the first failure.
fn join_all<L: RawLock>(threads: Vec<Foreign<L>>) -> anyhow::Result<()> {
    let mut first = Ok(());
    for mut thread in threads {
        let joined = thread.join();
        if first.is_ok() {
            first = joined;
        }
    }
    first
}

/// The budget's share of [`FOREIGN_ROUNDS`] rounds: against a lock this
/// thread holds, [`FOREIGN_THREADS`] foreign threads start and block; once
/// one sleeps (required with `waiter_nodes`, otherwise waited for a little),
/// [`FOREIGN_RUST_THREADS`] Rust threads join in and the lock is let go;
/// every thread takes it [`FOREIGN_ACQUISITIONS`] times. With
/// `waiter_nodes`, once the foreign threads are joined (the Rust ones still
/// alive, holding their own nodes) some node must be idle in the pool.
///
/// # Errors
///
/// If a thread cannot be made or joined or panicked, no foreign thread
/// slept (with `waiter_nodes`), the pool stayed empty, the count is off or
/// two holders met. A lost wakeup hangs, and the watchdog reports it.
pub fn run<L: RawLock + 'static>(
    budget: &Budget,
    watch: &Watch,
    waiter_nodes: bool,
) -> anyhow::Result<()> {
    let shared = Arc::new(Guarded::<L>::default());
    watch.watch(&shared);
    let rounds = budget.count(FOREIGN_ROUNDS);
    let each = budget.count(FOREIGN_ACQUISITIONS);
    for round in 0..rounds {
        shared.lock.lock();
        let mut foreign = Vec::with_capacity(FOREIGN_THREADS);
        let mut refused = None;
        for _ in 0..FOREIGN_THREADS {
            let job = Job {
                shared: Arc::clone(&shared),
                acquisitions: each,
                panicked: Mutex::new(None),
            };
            match Foreign::start(job) {
                Ok(thread) => foreign.push(thread),
                Err(e) => {
                    refused = Some(e);
                    break;
                }
            }
        }
        let slept = refused.is_none()
            && wait::until_or(
                if waiter_nodes {
                    budget.settle
                } else {
                    budget.hold
                },
                || shared.lock.is_contended(),
            );
        let state = lock_state(&shared.lock);
        let release = Arc::new(AtomicBool::new(false));
        let rust = (0..FOREIGN_RUST_THREADS)
            .map(|i| {
                let (shared, release) = (Arc::clone(&shared), Arc::clone(&release));
                std::thread::Builder::new()
                    .name(format!("rust-{round}-{i}"))
                    .spawn(move || {
                        for _ in 0..each {
                            shared.increment();
                        }
                        // Relaxed: a start signal; nothing is read after it.
                        wait::until(|| release.load(Ordering::Relaxed));
                    })
                    .with_context(|| format!("cannot start thread rust-{round}-{i}"))
            })
            .collect::<Vec<_>>();
        // SAFETY: locked above on this thread.
        unsafe { shared.lock.unlock() };
        let joined = join_all(foreign);
        let idle = idle_waiters();
        release.store(true, Ordering::Relaxed);
        for thread in rust {
            let thread = thread?;
            let name = thread.thread().name().map(str::to_owned);
            outcome(name.as_deref(), thread.join())?;
        }
        if let Some(e) = refused {
            return Err(e);
        }
        joined?;
        ensure!(
            slept || !waiter_nodes,
            "no foreign thread fell asleep on the held lock in {:?}: {state}",
            budget.settle
        );
        ensure!(
            !waiter_nodes || idle > 0,
            "no idle waiter node after {FOREIGN_THREADS} foreign threads that contended exited: \
             a thread lockyard did not start does not return its node to the pool"
        );
    }
    let threads = FOREIGN_THREADS + FOREIGN_RUST_THREADS;
    shared.check((rounds * threads * each) as u64)
}

#[cfg(test)]
mod tests {
    use crate::watchdog::failure;
    use lockyard::futex::RawFutex;

    #[test]
    fn foreign_thread_catches_threads_that_leave_no_waiter_node() {
        // As churn's test: futex never takes a node, so holding it to the
        // pool check stands in for foreign threads that lose theirs. Sound
        // only in a process where nothing else took a node (nextest runs
        // each test in its own). futex's sleepers show in is_contended, so
        // the sleep check holds.
        let error = failure("futex::foreign_thread", |b, w| {
            super::run::<RawFutex>(b, w, true)
        });
        assert!(error.contains("no idle waiter node"), "{error}");
    }
}
