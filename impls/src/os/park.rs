//! The portable fallback: a table of parked threads keyed by address, built
//! on std's `thread::park` / `unpark`.
//!
//! `wait` checks the word while holding the address's bucket lock and enqueues
//! itself before letting go; a waker changes the word first and takes the same
//! bucket lock to dequeue. So either the waiter sees the new value and never
//! sleeps, or it is in the queue when the waker looks: no wake is lost.

use super::deadline::{Deadline, Left};
use crate::primitive::{AtomicBool, AtomicU32, Ordering};
use std::time::Duration;

use std::{
    sync::{Arc, Mutex, MutexGuard},
    thread::{self, Thread},
};

pub(crate) const PRIMITIVE: &str = "park";

/// Buckets in the table; a power of two so the address hash is a mask.
const BUCKETS: usize = 64;

struct Parked {
    addr: usize,
    thread: Thread,
    woken: Arc<AtomicBool>,
}

type Bucket = Mutex<Vec<Parked>>;

fn bucket(addr: usize) -> MutexGuard<'static, Vec<Parked>> {
    static TABLE: [Bucket; BUCKETS] = [const { Mutex::new(Vec::new()) }; BUCKETS];
    // The table holds no invariant a panic elsewhere could break.
    TABLE[hash(addr)]
        .lock()
        .unwrap_or_else(|poison| poison.into_inner())
}

fn hash(addr: usize) -> usize {
    // Words of interest are at least 4-byte aligned; drop the bits that never
    // vary and fold the rest.
    (addr >> 2 ^ addr >> 12) & (BUCKETS - 1)
}

pub(crate) fn wait(word: &AtomicU32, expected: u32, timeout: Option<Duration>) -> bool {
    let addr = word as *const AtomicU32 as usize;
    let woken = Arc::new(AtomicBool::new(false));
    {
        let mut queue = bucket(addr);
        // Relaxed: the bucket lock orders this load after any waker's store.
        if word.load(Ordering::Relaxed) != expected {
            return true;
        }
        queue.push(Parked {
            addr,
            thread: thread::current(),
            woken: Arc::clone(&woken),
        });
    }
    let deadline = Deadline::after(timeout);
    // Acquire: pairs with the waker's Release so whatever it did before the
    // wake is visible once we see the flag.
    while !woken.load(Ordering::Acquire) {
        match deadline.left() {
            Left::Forever => thread::park(),
            Left::For(left) => thread::park_timeout(left),
            Left::Expired => {
                // Leave the queue unless a waker took us out first, in which
                // case its wake is ours and we report it.
                let mut queue = bucket(addr);
                return match queue.iter().position(|p| Arc::ptr_eq(&p.woken, &woken)) {
                    Some(i) => {
                        queue.swap_remove(i);
                        false
                    }
                    None => true,
                };
            }
        }
    }
    true
}

pub(crate) fn wake_one(word: &AtomicU32) {
    let addr = word as *const AtomicU32 as usize;
    let parked = {
        let mut queue = bucket(addr);
        match queue.iter().position(|p| p.addr == addr) {
            // Oldest first: remove keeps the order of the rest.
            Some(i) => queue.remove(i),
            None => return,
        }
    };
    // Release: publishes the waker's prior writes to the thread that sees it.
    parked.woken.store(true, Ordering::Release);
    parked.thread.unpark();
}
