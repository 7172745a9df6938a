//! `parking_lot`: `parking_lot::RawMutex` (0.13), the lock many Rust programs
//! pick over std's, through the adapter any lock_api lock goes through.

use crate::foreign::{Foreign, LockName};

/// parking_lot's name in the harness.
pub struct ParkingLot;

impl LockName for ParkingLot {
    const NAME: &'static str = "parking_lot";
}

/// parking_lot's raw mutex as a backend.
pub type ParkingLotLock = Foreign<parking_lot::RawMutex, ParkingLot>;
