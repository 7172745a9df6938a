//! The failures every backend reports the same way.

/// Panics for an unlock of a lock nobody holds, in Go's words. Kept out of
/// line so the unlock fast paths stay small.
#[cold]
#[inline(never)]
#[track_caller]
pub(crate) fn unlocked_unlock() -> ! {
    panic!("unlock of unlocked lock")
}

/// Panics for a put of an element already on a list, which would make
/// the list a cycle.
#[cold]
#[inline(never)]
#[track_caller]
pub(crate) fn double_put() -> ! {
    panic!("locked_list: put of an element already on a list")
}

/// Aborts when the OS refuses the memory for `what`. Not a panic: the lock
/// paths may run inside an allocator, where unwinding (which allocates) and
/// a caller that goes on without a node can only make things worse. The
/// message goes to stderr unformatted, so printing it allocates nothing.
#[cfg(not(lockyard_loom))]
#[cold]
#[inline(never)]
pub(crate) fn out_of_memory(what: &str) -> ! {
    use std::io::Write;
    let mut err = std::io::stderr();
    // Nothing useful to do if stderr is gone too: the abort says enough.
    let _ = err.write_all(b"lockyard: out of memory for ");
    let _ = err.write_all(what.as_bytes());
    let _ = err.write_all(b"\n");
    std::process::abort()
}
