//! Writing the flag byte: the byte path (8-bit swaps of the byte that holds
//! bits 0..8, Go's `Xchg8` / `Or8`) or the word path (`fetch_or` /
//! `fetch_and` of the same bits on the whole word), as the flavor says.
//! With bits 2..8 unused the two are equivalent; see `xchg8` for why the
//! byte path is sound where it is compiled in.

use super::{FLAG_BYTE, Flavor, LOCKED, RawSpinbit};
use crate::primitive::Ordering;

impl<F: Flavor> RawSpinbit<F> {
    /// Sets `bits` (a subset of the flag byte) and returns the old flag bits.
    /// The byte path swaps the whole byte to `bits`, clearing the others; see
    /// the callers for why that is the same.
    #[inline(always)]
    pub(super) fn set_flags(&self, bits: usize, order: Ordering) -> usize {
        const {
            assert!(
                !F::XCHG8 || crate::experiment::HAS_XCHG8,
                "no 8-bit swap here"
            )
        };
        #[cfg(lockyard_byte_path)]
        if F::XCHG8 {
            return crate::xchg8::flag_byte(&self.key, F::FLAG_BYTE_OFFSET).swap(bits as u8, order)
                as usize;
        }
        self.key.fetch_or(bits, order) & FLAG_BYTE
    }

    /// Clears the flag byte and returns the old flag bits.
    #[inline(always)]
    pub(super) fn clear_flags(&self, order: Ordering) -> usize {
        #[cfg(lockyard_byte_path)]
        if F::XCHG8 {
            return crate::xchg8::flag_byte(&self.key, F::FLAG_BYTE_OFFSET).swap(0, order) as usize;
        }
        self.key.fetch_and(!FLAG_BYTE, order) & FLAG_BYTE
    }

    /// Clears the flag byte if LOCKED is all it holds (nobody sleeps):
    /// `Ok` then, or `Err` with the flag bits and nothing written.
    #[inline(always)]
    pub(super) fn release_if_alone(&self, order: Ordering) -> Result<(), usize> {
        #[cfg(lockyard_byte_path)]
        if F::XCHG8 {
            return crate::xchg8::flag_byte(&self.key, F::FLAG_BYTE_OFFSET)
                .compare_exchange(LOCKED as u8, 0, order, Ordering::Relaxed)
                .map(drop)
                .map_err(usize::from);
        }
        // Relaxed: the compare-exchange below is what releases.
        let mut v = self.key.load(Ordering::Relaxed);
        while v & FLAG_BYTE == LOCKED {
            match self
                .key
                .compare_exchange_weak(v, v & !FLAG_BYTE, order, Ordering::Relaxed)
            {
                Ok(_) => return Ok(()),
                Err(seen) => v = seen,
            }
        }
        Err(v & FLAG_BYTE)
    }

    /// ORs bits into the flag byte (Go's `Or8`). Relaxed: only the holder
    /// calls it, to restore a hint; the lock orders nothing through it.
    #[inline(always)]
    pub(super) fn set_flags_or(&self, bits: usize) {
        #[cfg(lockyard_byte_path)]
        if F::XCHG8 {
            crate::xchg8::flag_byte(&self.key, F::FLAG_BYTE_OFFSET)
                .fetch_or(bits as u8, Ordering::Relaxed);
            return;
        }
        self.key.fetch_or(bits, Ordering::Relaxed);
    }
}
