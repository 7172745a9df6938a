//! Windows 8 and later: `WaitOnAddress` / `WakeByAddressSingle`.

use super::deadline::{Deadline, Left};
use crate::primitive::AtomicU32;
use std::time::Duration;
use windows_sys::Win32::Foundation::{ERROR_TIMEOUT, GetLastError};
use windows_sys::Win32::System::Threading::{INFINITE, WaitOnAddress, WakeByAddressSingle};

pub(crate) const PRIMITIVE: &str = "WaitOnAddress";

pub(crate) fn wait(word: &AtomicU32, expected: u32, timeout: Option<Duration>) -> bool {
    let millis = match Deadline::after(timeout).left() {
        Left::Forever => INFINITE,
        // Round up so a short wait does not turn into a busy poll; stay
        // below INFINITE.
        Left::For(left) => {
            u32::try_from(left.as_nanos().div_ceil(1_000_000)).unwrap_or(INFINITE - 1)
        }
        Left::Expired => return false,
    };
    // SAFETY: both pointers are live and aligned for the call; the compare
    // size matches the 32-bit word.
    let ok = unsafe {
        WaitOnAddress(
            word.as_ptr().cast(),
            (&expected as *const u32).cast(),
            core::mem::size_of::<u32>(),
            millis,
        )
    };
    // SAFETY: reads this thread's last-error slot; no preconditions.
    ok != 0 || unsafe { GetLastError() } != ERROR_TIMEOUT
}

pub(crate) fn wake_one(word: &AtomicU32) {
    // SAFETY: the wake uses the address only as a key; `word` is live.
    unsafe { WakeByAddressSingle(word.as_ptr().cast()) };
}

/// The processors of this process's processor group (`GetSystemInfo`).
pub(super) fn processor_count() -> usize {
    use windows_sys::Win32::System::SystemInformation::{GetSystemInfo, SYSTEM_INFO};
    // SAFETY: SYSTEM_INFO is plain data; all zeros is a valid value.
    let mut info: SYSTEM_INFO = unsafe { core::mem::zeroed() };
    // SAFETY: `info` is a writable SYSTEM_INFO; the call only fills it.
    unsafe { GetSystemInfo(&mut info) };
    usize::try_from(info.dwNumberOfProcessors).map_or(1, |n| n.max(1))
}
