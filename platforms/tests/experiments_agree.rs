//! The table of targets and lockyard's experiment baseline
//! (`impls/build/experiments.rs`, which lockyard's build script runs) must
//! say the same thing of every target: whether it has the 8-bit swap, and
//! which backend is the default with no experiment set.

#[path = "../../impls/build/experiments.rs"]
#[allow(dead_code)] // build.rs uses the rest
mod experiments;

use lockyard_platforms::TARGETS;

#[test]
fn table_and_baseline_agree_on_xchg8_and_the_default_backend() {
    for t in TARGETS {
        let baseline = experiments::resolve(t.arch, t.os, &[], None)
            .unwrap_or_else(|e| panic!("{}: the baseline refuses the target: {e}", t.triple));
        assert_eq!(baseline.have_xchg8, t.xchg8, "xchg8 of {}", t.triple);
        assert_eq!(
            baseline.default, t.default_backend,
            "default backend of {}",
            t.triple
        );
    }
}

#[test]
fn without_spinbit_each_os_falls_back_to_its_go_lock() {
    // Go's build tags: lock_futex on dragonfly, freebsd and linux;
    // lock_sema on aix, darwin, netbsd, openbsd, plan9, solaris, windows.
    for (os, lock) in [
        ("linux", "futex"),
        ("android", "futex"),
        ("freebsd", "futex"),
        ("dragonfly", "futex"),
        ("openbsd", "sema"),
        ("netbsd", "sema"),
        ("macos", "sema"),
        ("windows", "sema"),
        ("illumos", "sema"),
        ("solaris", "sema"),
    ] {
        let r = experiments::resolve("x86_64", os, &[], Some("nospinbitmutex")).unwrap();
        assert_eq!(r.default, lock, "{os}");
    }
}
