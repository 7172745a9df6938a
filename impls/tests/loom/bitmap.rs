//! Loom models of `lockyard::bitmap`'s after form: bits set by atomic or
//! and cleared by atomic and on their byte, set with Release and tested
//! with Acquire; a count by atomic add.

use lockyard::bitmap::{AtomicBitmap, AtomicCounter, Bitmap, Counter};
use loom::cell::UnsafeCell;
use loom::sync::Arc;
use loom::thread;

/// Two threads own neighbouring bits of one byte: each sets its bit and
/// counts it, one clears and sets its bit again; both bits end set and the
/// count says 2.
pub(crate) fn neighbours_keep_their_bits<B: Bitmap + 'static>(bits: B) {
    let bits = Arc::new((bits, AtomicCounter::new()));
    let other = {
        let bits = Arc::clone(&bits);
        thread::spawn(move || {
            bits.0.set(1);
            bits.1.add(1);
        })
    };
    bits.0.set(0);
    bits.0.clear(0);
    bits.0.set(0);
    bits.1.add(1);
    other.join().unwrap();
    assert!(
        bits.0.test(0) && bits.0.test(1),
        "a neighbour's bit was lost"
    );
    assert_eq!(bits.1.get(), 2);
}

#[test]
fn neighbours_in_one_byte_keep_their_bits() {
    loom::model(|| neighbours_keep_their_bits(AtomicBitmap::<1>::new()));
}

/// A span and the bit that publishes it.
struct Span {
    bits: AtomicBitmap<1>,
    words: UnsafeCell<u32>,
}

// SAFETY: `words` is written before bit 0 is set and read only after it is
// found set; whether the bitmap orders the two is what loom checks.
unsafe impl Sync for Span {}

/// What the setter wrote before setting the bit is visible to a thread that
/// finds the bit set (the seed's "fully initialised before its bit").
#[test]
fn a_set_bit_publishes_its_span() {
    loom::model(|| {
        let span = Arc::new(Span {
            bits: AtomicBitmap::new(),
            words: UnsafeCell::new(0),
        });
        let setter = {
            let span = Arc::clone(&span);
            thread::spawn(move || {
                // SAFETY: the bit is clear: nobody reads the span yet.
                span.words.with_mut(|w| unsafe { *w = 7 });
                span.bits.set(0);
            })
        };
        if span.bits.test(0) {
            // SAFETY: the bit is set: the setter is done with the span.
            assert_eq!(span.words.with(|w| unsafe { *w }), 7);
        }
        setter.join().unwrap();
    });
}
