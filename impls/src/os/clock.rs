//! A monotonic clock in microseconds for lock paths: a system call (or a
//! vDSO read) into a plain integer, with no std clock state to set up and no
//! epoch to keep. Only differences of two readings mean anything; they wrap
//! with `usize` (71 minutes on 32-bit targets), and callers subtract with
//! `wrapping_sub`, so a difference is right whenever the true one is
//! shorter than the wrap.

/// Microseconds on a monotonic clock, wrapped to `usize`.
#[cfg(all(unix, not(lockyard_loom)))]
pub(crate) fn now_us() -> usize {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid out-pointer for the call's duration, and
    // CLOCK_MONOTONIC exists on every unix lockyard builds for.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    debug_assert_eq!(rc, 0, "clock_gettime(CLOCK_MONOTONIC) failed");
    (ts.tv_sec as u64)
        .wrapping_mul(1_000_000)
        .wrapping_add(ts.tv_nsec as u64 / 1_000) as usize
}

/// Microseconds on a monotonic clock, wrapped to `usize`.
#[cfg(all(windows, not(lockyard_loom)))]
pub(crate) fn now_us() -> usize {
    use windows_sys::Win32::System::Performance::{
        QueryPerformanceCounter, QueryPerformanceFrequency,
    };
    let (mut count, mut frequency) = (0i64, 0i64);
    // SAFETY: both are valid out-pointers; the calls cannot fail on any
    // Windows since XP, and the frequency is fixed at boot.
    unsafe {
        QueryPerformanceCounter(&mut count);
        QueryPerformanceFrequency(&mut frequency);
    }
    (count as u128 * 1_000_000 / frequency.max(1) as u128) as usize
}

/// Loom has no clock: time stands still, and the flavors that read it are
/// built with a bound of zero under loom, so every wait counts as overdue.
#[cfg(lockyard_loom)]
pub(crate) fn now_us() -> usize {
    0
}

#[cfg(all(test, not(lockyard_loom)))]
mod tests {
    use super::now_us;

    #[test]
    fn the_clock_moves_forward_by_what_passed() {
        let before = now_us();
        std::thread::sleep(std::time::Duration::from_millis(20));
        let passed = now_us().wrapping_sub(before);
        // At least the sleep; at most a generous scheduling delay.
        assert!((20_000..5_000_000).contains(&passed), "{passed} µs");
    }
}
