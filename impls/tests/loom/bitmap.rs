//! Loom models of lockyard's bitmap primitive (being written).
