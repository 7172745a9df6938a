//! Linux and Android: the futex system call on a private (process-local) word.

use crate::primitive::AtomicU32;
use std::time::{Duration, Instant};

pub(crate) const PRIMITIVE: &str = "futex";

pub(crate) fn wait(word: &AtomicU32, expected: u32, timeout: Option<Duration>) -> bool {
    let deadline = timeout.map(|t| Instant::now().checked_add(t));
    loop {
        let remaining = match deadline {
            None | Some(None) => None,
            Some(Some(deadline)) => match deadline.checked_duration_since(Instant::now()) {
                Some(left) if !left.is_zero() => Some(left),
                _ => return false,
            },
        };
        let ts = remaining.map(|d| libc::timespec {
            tv_sec: d.as_secs().try_into().unwrap_or(libc::time_t::MAX),
            tv_nsec: d.subsec_nanos() as _,
        });
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
        if r == 0 {
            return true;
        }
        match std::io::Error::last_os_error().raw_os_error() {
            Some(libc::EINTR) => continue,
            Some(libc::ETIMEDOUT) => return false,
            // EAGAIN: the word no longer held `expected`.
            _ => return true,
        }
    }
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
