//! The list primitive's control under loom (being written).
