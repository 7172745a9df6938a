//! The `arena-loadstore` control under loom: a bump arena whose lock-free
//! path claims its bytes with a load and a store instead of a `fetch_add`.
//! Two threads that load the same offset get the same block.

#[path = "../loom/arena.rs"]
mod model;

// The harness's control itself: it names only lockyard's `Claim` and
// `FreeOffset`, which are loom's atomics in this build.
#[path = "../../../conformance/src/controls/load_store_claim.rs"]
mod control;

#[test]
#[should_panic(expected = "blocks overlap")]
fn loadstore_is_caught() {
    model::race_for_the_last_block::<control::LoadStoreClaim>();
}
