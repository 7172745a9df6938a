//! lockyard's conformance and starvation suites on the ticket lock:
//! `cargo test --test lockyard`, or from lockyard's workspace
//! `cargo xtask test --manifest-path conformance/examples/ticket-lock/Cargo.toml --target all`.

use lockyard_conformance::Promises;
use lockyard_conformance::foreign::Contended;
use ticket_lock::RawTicketLock;

/// `is_contended` from the lock's own counters: someone is in line behind
/// the holder (its waiters spin rather than sleep; this is the nearest it
/// has).
struct Waiting;

impl Contended<RawTicketLock> for Waiting {
    fn is_contended(lock: &RawTicketLock, _: bool) -> bool {
        lock.in_line() > 1
    }
}

lockyard_conformance::main! {
    // FIFO, so a latecomer always gets in (Go's TestMutexFairness), and it
    // never allocates, so it may guard a global allocator.
    "ticket" => RawTicketLock,
        promises = Promises { latecomer_gets_in: true, allocator_safe: true, ..Promises::NONE },
        contended = Waiting;
}
