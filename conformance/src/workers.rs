//! Starting and joining a case's worker threads, so that a panic in any of
//! them becomes the case's error rather than a lost message.

use crate::wait;
use anyhow::{Context, anyhow};
use std::any::Any;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::{Builder, Scope, ScopedJoinHandle};

/// The message a panic was raised with (`panic!("...")` carries a `&str`,
/// `panic!("{x}")` a `String`).
pub fn panic_message(payload: &(dyn Any + Send)) -> &str {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(a panic without a message)")
}

/// Starts a named thread in `scope`.
///
/// # Errors
///
/// If the OS refuses a new thread.
pub fn spawn<'scope, T: Send + 'scope>(
    scope: &'scope Scope<'scope, '_>,
    name: &str,
    work: impl FnOnce() -> T + Send + 'scope,
) -> anyhow::Result<ScopedJoinHandle<'scope, T>> {
    Builder::new()
        .name(name.to_owned())
        .spawn_scoped(scope, work)
        .with_context(|| format!("cannot start thread {name}"))
}

/// Waits for a thread and returns its result.
///
/// # Errors
///
/// If the thread panicked; see [`outcome`].
pub fn join<T>(handle: ScopedJoinHandle<'_, T>) -> anyhow::Result<T> {
    let name = handle.thread().name().map(str::to_owned);
    outcome(name.as_deref(), handle.join())
}

/// A joined thread's result, with a panic turned into an error that carries
/// the thread's name and message.
///
/// # Errors
///
/// If the thread panicked.
pub fn outcome<T>(name: Option<&str>, joined: std::thread::Result<T>) -> anyhow::Result<T> {
    joined.map_err(|payload| {
        anyhow!(
            "{} panicked: {}",
            name.unwrap_or("a worker"),
            panic_message(&*payload)
        )
    })
}

/// Runs `work(i)` on `threads` threads at once and returns their results in
/// order of `i`. Each thread waits, yielding, until all are running, so they
/// contend from their first acquisition: on a busy machine a thread woken
/// late could otherwise finish its loop before the next one even starts.
///
/// # Errors
///
/// If a thread cannot be started (the others are then released without
/// working) or panics.
pub fn in_parallel<R: Send>(
    threads: usize,
    work: impl Fn(usize) -> R + Sync,
) -> anyhow::Result<Vec<R>> {
    // Relaxed: a start signal; the work shares nothing through it.
    let running = AtomicUsize::new(0);
    let abandoned = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let mut handles = Vec::with_capacity(threads);
        for i in 0..threads {
            let (running, abandoned, work) = (&running, &abandoned, &work);
            let started = spawn(scope, &format!("worker-{i}"), move || {
                running.fetch_add(1, Ordering::Relaxed);
                wait::until(|| {
                    running.load(Ordering::Relaxed) == threads || abandoned.load(Ordering::Relaxed)
                });
                (!abandoned.load(Ordering::Relaxed)).then(|| work(i))
            });
            match started {
                Ok(handle) => handles.push(handle),
                Err(e) => {
                    abandoned.store(true, Ordering::Relaxed);
                    return Err(e);
                }
            }
        }
        handles
            .into_iter()
            .map(|h| Ok(join(h)?.expect("not abandoned once all started")))
            .collect()
    })
}
