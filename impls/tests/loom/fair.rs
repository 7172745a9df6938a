//! Loom models of the fair unlock: with a waiter asleep, the holder's fair
//! unlock hands it the lock and the holder locks again at once. Every
//! interleaving must give both their critical section, in some order,
//! without a deadlock (futex's HANDOFF word must always find its claimer)
//! and leave the lock idle.

use super::Guarded;
use lockyard::RawLockFair;
use lockyard::futex::RawFutex;
use lockyard::sema::RawSema;
use lockyard::spinbit::{RawSpinbit, Standard};
use loom::sync::Arc;
use loom::thread;

fn fair_unlock_then_relock<L: RawLockFair + 'static>() {
    loom::model(|| {
        let shared = Arc::new(Guarded::<L>::new());
        shared.lock.lock();
        let waiter = {
            let shared = Arc::clone(&shared);
            thread::spawn(move || shared.increment())
        };
        for _ in 0..super::POLLS {
            if shared.lock.is_contended() {
                break;
            }
            thread::yield_now();
        }
        // SAFETY: locked above on this thread.
        unsafe { shared.lock.unlock_fair() };
        shared.increment();
        waiter.join().unwrap();
        assert_eq!(shared.value(), 2);
        assert!(!shared.lock.is_locked());
    });
}

#[test]
fn futex_fair_unlock_then_relock() {
    fair_unlock_then_relock::<RawFutex>();
}

#[test]
fn sema_fair_unlock_then_relock() {
    fair_unlock_then_relock::<RawSema>();
}

#[test]
fn spinbit_fair_unlock_then_relock() {
    fair_unlock_then_relock::<RawSpinbit<Standard>>();
}
