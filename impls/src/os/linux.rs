//! Linux and Android: the futex system call on a private (process-local) word.

use super::deadline::{errno, timed_wait, timespec};
use crate::primitive::AtomicU32;
use std::time::Duration;

pub(crate) const PRIMITIVE: &str = "futex";

pub(crate) fn wait(word: &AtomicU32, expected: u32, timeout: Option<Duration>) -> bool {
    timed_wait(timeout, |left| {
        let ts = left.map(timespec);
        let ts_ptr = ts
            .as_ref()
            .map_or(core::ptr::null(), |ts| ts as *const libc::timespec);
        // SAFETY: `word` is a live, aligned 32-bit atomic for the whole call;
        // FUTEX_WAIT only reads it. `ts_ptr` is null or points at `ts`, which
        // outlives the call.
        let r = unsafe {
            libc::syscall(
                libc::SYS_futex,
                word.as_ptr(),
                libc::FUTEX_WAIT | libc::FUTEX_PRIVATE_FLAG,
                expected,
                ts_ptr,
            )
        };
        if r == 0 { Ok(()) } else { Err(errno()) }
    })
}

pub(crate) fn wake_one(word: &AtomicU32) {
    // SAFETY: FUTEX_WAKE only uses the address as a key; `word` is live.
    unsafe {
        libc::syscall(
            libc::SYS_futex,
            word.as_ptr(),
            libc::FUTEX_WAKE | libc::FUTEX_PRIVATE_FLAG,
            1,
        );
    }
}

/// The processors this thread may run on (its affinity mask, as a cgroup
/// or `taskset` narrows it), or those online when the mask cannot be read.
pub(super) fn processor_count() -> usize {
    // SAFETY: a cpu_set_t is a plain bit array; all zeros is the empty set.
    let mut set: libc::cpu_set_t = unsafe { core::mem::zeroed() };
    // SAFETY: `set` is a writable cpu_set_t of exactly the size passed; pid
    // 0 is the calling thread.
    let r = unsafe { libc::sched_getaffinity(0, core::mem::size_of_val(&set), &mut set) };
    if r == 0 {
        // SAFETY: CPU_COUNT only reads `set`, which the call filled.
        let n = unsafe { libc::CPU_COUNT(&set) };
        if let Ok(n @ 1..) = usize::try_from(n) {
            return n;
        }
    }
    // More processors than a cpu_set_t holds (EINVAL), or a sandbox that
    // refuses the call.
    super::online_processors()
}
