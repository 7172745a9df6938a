use super::{AtomicBitmap, AtomicCounter, Bitmap, Counter, LockedBitmap};
use crate::DefaultLock;

/// Every bit of both forms sets, tests and clears alone, leaving its
/// neighbours as they were.
fn bits_are_independent<B: Bitmap>(bits: &B) {
    for bit in 0..B::BITS {
        bits.set(bit);
        for other in 0..B::BITS {
            assert_eq!(bits.test(other), other == bit, "set {bit}, tested {other}");
        }
        bits.clear(bit);
        assert!(!bits.test(bit), "cleared {bit}, still set");
    }
}

#[test]
fn each_bit_is_its_own() {
    bits_are_independent(&AtomicBitmap::<3>::new());
    bits_are_independent(&LockedBitmap::<3, DefaultLock>::new());
}

/// Bit `i` is bit `i % 8` of byte `i / 8`, whatever the target's byte
/// order (Go's `pageIndexOf`).
#[test]
fn bits_are_numbered_within_bytes() {
    let bits = AtomicBitmap::<2>::new();
    bits.set(9);
    // Relaxed: one thread.
    let bytes: Vec<u8> = bits
        .bytes
        .iter()
        .map(|b| b.load(core::sync::atomic::Ordering::Relaxed))
        .collect();
    assert_eq!(bytes, [0, 0b10]);
}

#[test]
#[should_panic(expected = "bit 16 out of range")]
fn a_bit_past_the_end_is_refused() {
    AtomicBitmap::<2>::new().set(16);
}

/// A panic inside the critical section (an overflowing count) unlocks.
#[test]
fn a_refused_count_leaves_the_lock_free() {
    let bits = LockedBitmap::<1, DefaultLock>::new();
    bits.add(1);
    let refused = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| bits.add(usize::MAX)));
    assert!(refused.is_err());
    bits.set(7);
    assert!(bits.test(7));
    assert_eq!(bits.get(), 1);
}

fn counts<C: Counter>(count: &C) {
    count.add(5);
    count.sub(2);
    assert_eq!(count.get(), 3);
}

#[test]
fn counters_add_and_subtract() {
    counts(&AtomicCounter::new());
    counts(&LockedBitmap::<1, DefaultLock>::new());
}

#[test]
#[should_panic(expected = "taken below zero")]
fn an_atomic_counter_refuses_to_go_below_zero() {
    AtomicCounter::new().sub(1);
}

#[test]
#[should_panic(expected = "taken below zero")]
fn a_locked_counter_refuses_to_go_below_zero() {
    LockedBitmap::<1, DefaultLock>::new().sub(1);
}

#[test]
fn set_and_add_change_bits_and_count_together() {
    let pages = LockedBitmap::<1, DefaultLock>::new();
    pages.set_and_add(3, 4);
    assert!(pages.test(3));
    assert_eq!(pages.get(), 4);
    let refused =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| pages.clear_and_sub(3, 5)));
    assert!(refused.is_err());
    assert!(pages.test(3), "a refused clear_and_sub cleared the bit");
    pages.clear_and_sub(3, 4);
    assert!(!pages.test(3));
    assert_eq!(pages.get(), 0);
}
