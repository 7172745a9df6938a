//! The byte view of a lock word that spinbit's fast paths swap, as Go's
//! `key8` does. The one place lockyard mixes access sizes on one location.

#[cfg(lockyard_byte_path)]
use crate::primitive::{AtomicU8, AtomicUsize};

/// Index of the byte holding bits 0..8 of a `usize`: the first byte on a
/// little-endian target, the last on a big-endian one (ppc64).
pub const FLAG_BYTE_OFFSET: usize = if cfg!(target_endian = "big") {
    core::mem::size_of::<usize>() - 1
} else {
    0
};

/// The byte of `word` at `offset`: [`FLAG_BYTE_OFFSET`], the one holding its
/// flag bits 0..8, in every stock flavor.
///
/// Other threads compare-and-swap the whole word while this byte is swapped
/// on its own. Rust's memory model does not define such mixed-size atomic
/// accesses (std::sync::atomic, "mixed-size accesses"); Miri rejects them and
/// loom cannot express them, so both check the word path instead. What the
/// byte path relies on, and why it holds where it is compiled in (the targets
/// of the `lockyard_byte_path` cfg, set by build.rs from the baseline table):
///
/// * The hardware makes a byte RMW and an overlapping word RMW on one aligned
///   location atomic with respect to each other, in one coherence order:
///   x86/x86-64 `xchg` on a byte and `lock cmpxchg` on the word lock the same
///   cache line; arm and aarch64 `ldrexb/strexb` (or `swpalb` with LSE) and
///   `ldrex/strex` on the word share one exclusive monitor reservation, which
///   a store to any byte of the granule cancels; powerpc64 `lbarx/stbcx.`
///   and `ldarx/stdcx.` share one reservation granule. Go's runtime has relied
///   on exactly this (`atomic.Xchg8` beside `Casuintptr`) on all of these
///   targets since Go 1.24.
/// * The compiler does not reason across the two views: the word is only
///   ever reached through `AtomicUsize` methods and the byte only through
///   `AtomicU8` methods, both lowered to the instructions above, and nothing
///   non-atomic touches either.
#[cfg(lockyard_byte_path)]
#[inline(always)]
pub(crate) fn flag_byte(word: &AtomicUsize, offset: usize) -> &AtomicU8 {
    assert!(offset < core::mem::size_of::<usize>());
    #[cfg(lockyard_chaos)]
    crate::chaos::step();
    // SAFETY: the pointer is in bounds (asserted above; a constant check),
    // aligned (AtomicU8 has alignment 1) and valid for as long as `word` is
    // borrowed; the access is atomic on every target this is compiled for,
    // by the argument above.
    unsafe { &*word.as_ptr().cast::<u8>().add(offset).cast::<AtomicU8>() }
}
