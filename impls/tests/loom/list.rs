//! Loom models of lockyard's list primitive (being written).
