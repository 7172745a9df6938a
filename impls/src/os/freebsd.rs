//! FreeBSD: `_umtx_op` with the private 32-bit wait and wake operations.

use super::deadline::{errno, timed_wait, timespec};
use crate::primitive::AtomicU32;
use std::time::Duration;

pub(crate) const PRIMITIVE: &str = "_umtx_op";

pub(crate) fn wait(word: &AtomicU32, expected: u32, timeout: Option<Duration>) -> bool {
    timed_wait(timeout, |left| {
        // A relative timeout is passed as a bare timespec: uaddr2 carries its
        // size, as _umtx_op(2) documents.
        let mut ts = left.map(timespec);
        let (size, ts_ptr) = match ts.as_mut() {
            Some(ts) => (
                core::mem::size_of::<libc::timespec>(),
                ts as *mut libc::timespec as *mut libc::c_void,
            ),
            None => (0, core::ptr::null_mut()),
        };
        // SAFETY: `word` is a live, aligned 32-bit atomic the kernel only
        // reads; `ts_ptr` is null or points at `ts`, alive for the call.
        let r = unsafe {
            libc::_umtx_op(
                word.as_ptr().cast(),
                libc::UMTX_OP_WAIT_UINT_PRIVATE,
                expected as libc::c_ulong,
                size as *mut libc::c_void,
                ts_ptr,
            )
        };
        if r == 0 { Ok(()) } else { Err(errno()) }
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
