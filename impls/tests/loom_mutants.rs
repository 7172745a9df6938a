//! The `relaxed` positive control under loom: spinbit taking and giving the
//! lock with Relaxed instead of Acquire/Release. On x86, and under qemu-user
//! on an x86 host, every read-modify-write is a full barrier, so no native
//! run can tell; loom tracks happens-before itself and must report the two
//! holders' unordered accesses to the guarded cell.
//!
//! `cargo xtask mutants` runs this file; by hand:
//! `RUSTFLAGS="--cfg lockyard_loom" cargo test -p lockyard --test loom_mutants --release`.
//! The control's test passes when loom catches the mutant (`should_panic`),
//! and the same model on stock spinbit must pass, so the catch is the
//! ordering's doing, not the model's.

#![cfg(lockyard_loom)]

// The primitives' controls, one file each under tests/loom_mutants/; a
// test `<primitive>::<control>_is_caught` stands for control
// `<primitive>-<control>` in the mutants table.
#[path = "loom_mutants/arena.rs"]
mod arena;
#[path = "loom_mutants/bitmap.rs"]
mod bitmap;
#[path = "loom_mutants/list.rs"]
mod list;

use lockyard::RawLock;
use lockyard::spinbit::{Flavor, RawSpinbit, RawSpinbitWord};
use loom::cell::UnsafeCell;
use loom::sync::Arc;
use loom::sync::atomic::Ordering;

/// spinbit with Relaxed where taking and giving the lock need Acquire and
/// Release; the same mutation as lockyard-conformance's `relaxed` control.
struct Relaxed;
impl Flavor for Relaxed {
    const NAME: &'static str = "relaxed";
    const XCHG8: bool = false;
    const TAKE: Ordering = Ordering::Relaxed;
    const GIVE: Ordering = Ordering::Relaxed;
}

/// A lock beside the value it should order.
struct Cell<L> {
    lock: L,
    value: UnsafeCell<u32>,
}

// SAFETY: `value` is only accessed between `lock` and `unlock` (and after
// the join); whether that orders the accesses is what loom checks.
unsafe impl<L: RawLock> Sync for Cell<L> {}

/// Two threads write the cell under the lock, one after the other; loom
/// explores every interleaving at the default preemption bound.
fn two_holders<L: RawLock + 'static>() {
    loom::model(|| {
        let cell = Arc::new(Cell {
            lock: L::new(),
            value: UnsafeCell::new(0),
        });
        let other = {
            let cell = Arc::clone(&cell);
            loom::thread::spawn(move || write(&cell))
        };
        write(&cell);
        other.join().unwrap();
        // SAFETY: the other thread is joined.
        assert_eq!(cell.value.with(|v| unsafe { *v }), 2);
    });
}

fn write<L: RawLock>(cell: &Cell<L>) {
    cell.lock.lock();
    // SAFETY: under the lock (if the lock orders it: loom checks).
    cell.value.with_mut(|v| unsafe { *v += 1 });
    // SAFETY: locked just above on this thread.
    unsafe { cell.lock.unlock() };
}

#[test]
#[should_panic(expected = "Causality violation")]
fn relaxed_is_caught() {
    two_holders::<RawSpinbit<Relaxed>>();
}

#[test]
fn unmutated_passes_the_same_model() {
    two_holders::<RawSpinbitWord>();
}
