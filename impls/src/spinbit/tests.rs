//! Pointer packing of the state word, against synthetic and real nodes.

use super::*;

/// Every node address a target can produce survives packing with every
/// flag combination, at both ends of the address space and between.
#[test]
fn pointer_packing_round_trips_across_the_address_space() {
    let top = usize::MAX & !M_MASK;
    let mut addrs = vec![WAITER_ALIGN, 2 * WAITER_ALIGN, top, top - WAITER_ALIGN];
    // Walk every bit position of the address part on this width (22 on
    // 32-bit targets, 54 on 64-bit).
    addrs.extend((10..usize::BITS).map(|bit| 1usize << bit));
    addrs.extend((10..usize::BITS).map(|bit| top & !(1usize << bit)));
    if usize::BITS == 64 {
        // Typical 64-bit heap and stack regions.
        addrs.extend([0x5555_5555_4000_u64 as usize, 0x7fff_ffff_fc00_u64 as usize]);
    }
    let flags = [0, LOCKED, SLEEPING, SPINNING, STACK_LOCKED, M_MASK];
    for &addr in &addrs {
        assert_eq!(addr & M_MASK, 0, "{addr:#x} is not node-aligned");
        for &f in &flags {
            let v = with_stack_head(f, addr);
            assert_eq!(stack_head(v), addr, "address lost in {v:#x}");
            assert_eq!(v & M_MASK, f, "flags lost in {v:#x}");
        }
    }
}

#[test]
fn real_nodes_round_trip() {
    with_current(|me| {
        let v = with_stack_head(LOCKED | SLEEPING | SPINNING, me.addr());
        // SAFETY: the head came from `Waiter::addr`.
        let back = unsafe { Waiter::from_addr(stack_head(v)) };
        assert!(core::ptr::eq(back, me));
    });
}
