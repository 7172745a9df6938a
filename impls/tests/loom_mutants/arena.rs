//! The arena primitive's control under loom (being written).
