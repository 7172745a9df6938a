//! placeholder replaced by the platforms work
