//! The bitmap primitive's control under loom (being written).
