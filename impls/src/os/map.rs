//! Memory the lock layer maps for itself, straight from the OS: the global
//! allocator may be built on these very locks, so a lock path that needs
//! memory must not ask it.

use core::ptr::NonNull;

/// The alignment every mapping has at least: one small page.
pub(crate) const MAP_ALIGN: usize = 4096;

/// Fresh zero-filled read/write memory of at least `bytes` (at least one
/// byte when `bytes` is 0), aligned to [`MAP_ALIGN`], never freed; `None`
/// when the OS refuses.
#[cfg(all(unix, not(any(miri, lockyard_loom))))]
pub(crate) fn map_zeroed(bytes: usize) -> Option<NonNull<u8>> {
    // SAFETY: a private anonymous mapping at an address the kernel picks
    // overlays no existing memory; every argument is a plain value.
    let at = unsafe {
        libc::mmap(
            core::ptr::null_mut(),
            bytes.max(1),
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANON,
            -1,
            0,
        )
    };
    // Mappings start on a page boundary, and no unix target has pages
    // smaller than MAP_ALIGN.
    if at == libc::MAP_FAILED {
        None
    } else {
        NonNull::new(at.cast())
    }
}

/// Fresh zero-filled read/write memory of at least `bytes` (at least one
/// byte when `bytes` is 0), aligned to [`MAP_ALIGN`], never freed; `None`
/// when the OS refuses.
#[cfg(all(windows, not(any(miri, lockyard_loom))))]
pub(crate) fn map_zeroed(bytes: usize) -> Option<NonNull<u8>> {
    use windows_sys::Win32::System::Memory::{
        MEM_COMMIT, MEM_RESERVE, PAGE_READWRITE, VirtualAlloc,
    };
    // SAFETY: a fresh reservation at an address the system picks overlays
    // no existing memory; every argument is a plain value. Committed pages
    // read as zero, and reservations start on the 64 KiB allocation
    // granularity, a multiple of MAP_ALIGN.
    let at = unsafe {
        VirtualAlloc(
            core::ptr::null(),
            bytes.max(1),
            MEM_COMMIT | MEM_RESERVE,
            PAGE_READWRITE,
        )
    };
    NonNull::new(at.cast())
}

/// Fresh zero-filled read/write memory of at least `bytes` (at least one
/// byte when `bytes` is 0), aligned to [`MAP_ALIGN`], never freed; `None`
/// when the allocation fails.
///
/// Loom models and the Miri interpreter run no runtime paths, and both
/// track the allocator's memory, so there the global allocator is fine.
#[cfg(any(miri, lockyard_loom))]
pub(crate) fn map_zeroed(bytes: usize) -> Option<NonNull<u8>> {
    let layout = std::alloc::Layout::from_size_align(bytes.max(1), MAP_ALIGN).ok()?;
    // SAFETY: the layout's size is not zero.
    NonNull::new(unsafe { std::alloc::alloc_zeroed(layout) })
}

#[cfg(all(test, not(lockyard_loom)))]
mod tests {
    use super::{MAP_ALIGN, map_zeroed};

    #[test]
    fn maps_are_fresh_zeroed_aligned_and_writable() {
        const BYTES: usize = 3 * MAP_ALIGN + 100;
        let a = map_zeroed(BYTES).expect("first map").as_ptr();
        let b = map_zeroed(BYTES).expect("second map").as_ptr();
        for at in [a, b] {
            assert_eq!(at as usize % MAP_ALIGN, 0, "{at:p} is not page-aligned");
            // SAFETY: each map is BYTES long, readable and writable, and
            // this test is its only user.
            let bytes = unsafe { core::slice::from_raw_parts_mut(at, BYTES) };
            assert!(bytes.iter().all(|&byte| byte == 0), "{at:p} is not zeroed");
            bytes.fill(0xa5);
        }
        let (a, b) = (a as usize, b as usize);
        assert!(a + BYTES <= b || b + BYTES <= a, "maps overlap");
    }

    #[test]
    fn an_empty_request_still_maps() {
        assert!(map_zeroed(0).is_some());
    }
}
