//! macOS, iOS and the other Apple systems: `__ulock_wait` / `__ulock_wake`,
//! the compare-and-wait calls libSystem has exported since macOS 10.12 and
//! that libc++'s atomic wait and Rust's std use too.

use super::deadline::timed_wait;
use crate::primitive::AtomicU32;
use core::ffi::{c_int, c_void};
use std::time::Duration;

pub(crate) const PRIMITIVE: &str = "__ulock_wait";

/// Wait while the 32-bit word equals the value (xnu's `UL_COMPARE_AND_WAIT`).
const UL_COMPARE_AND_WAIT: u32 = 1;
/// Return the error number instead of setting `errno`.
const ULF_NO_ERRNO: u32 = 0x0100_0000;

unsafe extern "C" {
    fn __ulock_wait(operation: u32, addr: *mut c_void, value: u64, timeout_us: u32) -> c_int;
    fn __ulock_wake(operation: u32, addr: *mut c_void, wake_value: u64) -> c_int;
}

pub(crate) fn wait(word: &AtomicU32, expected: u32, timeout: Option<Duration>) -> bool {
    timed_wait(timeout, |left| {
        // 0 means "forever" to __ulock_wait, so a finite wait is at least 1 µs.
        let micros = left.map_or(0, |left| {
            u32::try_from(left.as_micros()).unwrap_or(u32::MAX).max(1)
        });
        // SAFETY: `word` is a live, aligned 32-bit atomic the kernel only
        // reads for the comparison.
        let r = unsafe {
            __ulock_wait(
                UL_COMPARE_AND_WAIT | ULF_NO_ERRNO,
                word.as_ptr().cast(),
                u64::from(expected),
                micros,
            )
        };
        // ULF_NO_ERRNO: a failure returns the negated error number.
        if r >= 0 { Ok(()) } else { Err(-r) }
    })
}

pub(crate) fn wake_one(word: &AtomicU32) {
    // SAFETY: the wake uses the address only as a key; `word` is live.
    unsafe {
        __ulock_wake(UL_COMPARE_AND_WAIT | ULF_NO_ERRNO, word.as_ptr().cast(), 0);
    }
}

/// The processors active now (the `hw.activecpu` sysctl), or those online
/// by `sysconf` when the sysctl cannot be read.
pub(super) fn processor_count() -> usize {
    let mut n: c_int = 0;
    let mut size = core::mem::size_of_val(&n);
    // SAFETY: the name is NUL-terminated; `n` is writable and `size` holds
    // its size; a null new value only reads.
    let r = unsafe {
        libc::sysctlbyname(
            c"hw.activecpu".as_ptr(),
            (&raw mut n).cast(),
            &mut size,
            core::ptr::null_mut(),
            0,
        )
    };
    match usize::try_from(n) {
        Ok(n @ 1..) if r == 0 => n,
        _ => super::online_processors(),
    }
}
