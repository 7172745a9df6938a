//! What a backend promises beyond the [`RawLock`] contract.
//!
//! [`RawLock`]: lockyard::RawLock

/// What a backend promises beyond the [`RawLock`] contract; each promise
/// adds or sharpens the cases that hold it to it.
///
/// [`RawLock`]: lockyard::RawLock
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Promises {
    /// Its waiters sleep on lockyard's per-thread waiter nodes, so threads
    /// that exit must leave their nodes to the pool for new ones.
    pub waiter_nodes: bool,
    /// The oldest sleeper is woken eventually however hard others contend
    /// (spinbit's tail wake).
    pub tail_wake: bool,
    /// A thread that keeps retaking the lock cannot shut out one that comes
    /// back now and then: Go's TestMutexFairness. Every lockyard backend,
    /// whose woken waiters do not yield (lockyard's `primitive::passive_spin`).
    pub latecomer_gets_in: bool,
    /// It works under a global allocator: a `#[global_allocator]` may take
    /// it around every allocation, so neither `lock` nor `unlock` may
    /// allocate, on any path. Every lockyard backend (issue 10), and the
    /// peers whose locks take no memory (std, pthread, spin); not
    /// parking_lot, whose parking table allocates.
    pub allocator_safe: bool,
    /// A sleeper's wait is bounded: once the oldest has waited the flavor's
    /// bound, an unlock hands it the lock (spinbit-bounded). Held to
    /// [`BOUNDED_WAIT_LIMIT`](crate::budget::BOUNDED_WAIT_LIMIT) in the
    /// starvation suite's contention runs.
    pub bounded_wait: bool,
}

impl Promises {
    /// Nothing beyond the contract: parking_lot, and the controls that break
    /// the contract itself.
    pub const NONE: Promises = Promises {
        waiter_nodes: false,
        tail_wake: false,
        latecomer_gets_in: false,
        allocator_safe: false,
        bounded_wait: false,
    };
    /// Only [`allocator_safe`](Promises::allocator_safe): the peers the
    /// suites measure rather than hold to lockyard's other promises, whose
    /// locks take no memory (std, pthread, spin).
    pub const ALLOCATOR_SAFE: Promises = Promises {
        allocator_safe: true,
        ..Promises::NONE
    };
    /// Only [`latecomer_gets_in`](Promises::latecomer_gets_in): a lock fair
    /// enough for Go's TestMutexFairness, and no more (a foreign lock's
    /// usual claim).
    pub const FAIR_ENOUGH: Promises = Promises {
        latecomer_gets_in: true,
        ..Promises::NONE
    };
    /// A sleeper on the lock word itself (futex).
    pub const FUTEX: Promises = Promises {
        latecomer_gets_in: true,
        ..Promises::ALLOCATOR_SAFE
    };
    /// A stack of sleepers on waiter nodes (sema).
    pub const WAITER_NODES: Promises = Promises {
        waiter_nodes: true,
        ..Promises::FUTEX
    };
    /// Every spinbit flavor.
    pub const SPINBIT: Promises = Promises {
        tail_wake: true,
        ..Promises::WAITER_NODES
    };
    /// spinbit with a bounded wait.
    pub const SPINBIT_BOUNDED: Promises = Promises {
        bounded_wait: true,
        ..Promises::SPINBIT
    };
}
