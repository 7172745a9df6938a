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

/// The processors this process may run on (its cpuset), or those online
/// when the set cannot be read.
pub(super) fn processor_count() -> usize {
    // SAFETY: a cpuset_t is a plain bit array; all zeros is the empty set.
    let mut set: libc::cpuset_t = unsafe { core::mem::zeroed() };
    // SAFETY: `set` is a writable cpuset_t of exactly the size passed; id
    // -1 with CPU_WHICH_PID is the calling process.
    let r = unsafe {
        libc::cpuset_getaffinity(
            libc::CPU_LEVEL_WHICH,
            libc::CPU_WHICH_PID,
            -1,
            core::mem::size_of_val(&set),
            &mut set,
        )
    };
    if r == 0 {
        // SAFETY: CPU_COUNT only reads `set`, which the call filled.
        let n = unsafe { libc::CPU_COUNT(&set) };
        if let Ok(n @ 1..) = usize::try_from(n) {
            return n;
        }
    }
    super::online_processors()
}
