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
