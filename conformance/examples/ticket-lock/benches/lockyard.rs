//! Go's runtime mutex benchmarks on the ticket lock, beside lockyard's
//! spinbit and futex, std and parking_lot: `cargo bench --bench lockyard`
//! (`-- --help` for the flags), or from lockyard's workspace
//! `cargo xtask bench --manifest-path conformance/examples/ticket-lock/Cargo.toml`.

lockyard_conformance::bench_main! {
    "ticket" => ticket_lock::RawTicketLock;
}
