//! FreeBSD: `_umtx_op` with the private 32-bit wait and wake operations.

use super::deadline::timed_wait;
use crate::primitive::AtomicU32;
use std::time::Duration;

pub(crate) const PRIMITIVE: &str = "_umtx_op";

pub(crate) fn wait(word: &AtomicU32, expected: u32, timeout: Option<Duration>) -> bool {
    timed_wait(timeout, |ts| {
        // A relative timeout is passed as a bare timespec: uaddr2 carries its
        // size, as _umtx_op(2) documents.
        let (size, ts_ptr) = match ts {
            Some(ts) => (
                core::mem::size_of::<libc::timespec>(),
                ts as *mut libc::timespec as *mut libc::c_void,
            ),
            None => (0, core::ptr::null_mut()),
        };
        // SAFETY: `word` is a live, aligned 32-bit atomic the kernel only
        // reads; `ts_ptr` is null or points at the timespec `timed_wait`
        // keeps alive across the call.
        let r = unsafe {
            libc::_umtx_op(
                word.as_ptr().cast(),
                libc::UMTX_OP_WAIT_UINT_PRIVATE,
                expected as libc::c_ulong,
                size as *mut libc::c_void,
                ts_ptr,
            )
        };
        r == 0
    })
}

pub(crate) fn wake_one(word: &AtomicU32) {
    // SAFETY: the wake uses the address only as a key; `word` is live.
    unsafe {
        libc::_umtx_op(
            word.as_ptr().cast(),
            libc::UMTX_OP_WAKE_PRIVATE,
            1,
            core::ptr::null_mut(),
            core::ptr::null_mut(),
        );
    }
}
