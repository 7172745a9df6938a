//! Loom models of lockyard's arena primitive (being written).
