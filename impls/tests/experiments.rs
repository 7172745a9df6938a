//! The GOEXPERIMENT-style selection build.rs applies, checked for every
//! kind of target and override without rebuilding the crate each time.

#![cfg(not(lockyard_loom))]

#[path = "../build/experiments.rs"]
#[allow(dead_code)]
mod experiments;

use experiments::resolve;

#[test]
fn baseline_follows_the_8_bit_swap_and_the_os() {
    for arch in ["x86", "x86_64", "arm", "aarch64", "powerpc64"] {
        let r = resolve(arch, "linux", &[], None).unwrap();
        assert_eq!((r.default, r.spinbitxchg8), ("spinbit", true), "{arch}");
    }
    assert_eq!(
        resolve("riscv64", "linux", &[], None).unwrap().default,
        "futex"
    );
    assert_eq!(
        resolve("riscv64", "freebsd", &[], None).unwrap().default,
        "futex"
    );
    assert_eq!(
        resolve("mips", "illumos", &[], None).unwrap().default,
        "sema"
    );
    assert_eq!(
        resolve("loongarch64", "windows", &[], None)
            .unwrap()
            .default,
        "sema"
    );
}

#[test]
fn goexperiment_syntax_overrides_left_to_right() {
    let r = resolve("x86_64", "linux", &[], Some("nospinbitmutex")).unwrap();
    assert_eq!((r.default, r.flags().as_str()), ("futex", "spinbitxchg8"));
    let r = resolve("x86_64", "macos", &[], Some("none")).unwrap();
    assert_eq!((r.default, r.flags().as_str()), ("sema", ""));
    let r = resolve("x86_64", "linux", &[], Some("none,spinbitmutex")).unwrap();
    assert_eq!((r.default, r.flags().as_str()), ("spinbit", "spinbitmutex"));
    let r = resolve("aarch64", "linux", &[], Some(" nospinbitxchg8 , ")).unwrap();
    assert_eq!((r.default, r.spinbitxchg8), ("spinbit", false));
}

#[test]
fn features_apply_before_the_environment() {
    let r = resolve("x86_64", "linux", &["nospinbitmutex"], None).unwrap();
    assert_eq!(
        (r.default, r.source.as_str()),
        ("futex", "feature nospinbitmutex")
    );
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    let r = resolve("x86_64", "linux", &["nospinbitmutex"], Some("spinbitmutex")).unwrap();
    assert_eq!(r.default, "spinbit");
    assert_eq!(
        r.source,
        "feature nospinbitmutex, LOCKYARD_EXPERIMENT=spinbitmutex"
    );
    assert_eq!(
        r.warnings,
        ["LOCKYARD_EXPERIMENT entry `spinbitmutex` overrides feature `nospinbitmutex`"]
    );
    // The variable agreeing with a feature is no conflict.
    let r = resolve("x86_64", "linux", &["nospinbitmutex"], Some("none")).unwrap();
    assert_eq!((r.default, r.warnings.len()), ("futex", 0));
}

#[test]
fn opposite_features_resolve_to_the_no_side_with_a_warning() {
    // Two dependencies of one program asking for opposite things: cargo
    // unifies them into both features on, which must still build.
    let both = [
        "spinbitmutex",
        "nospinbitmutex",
        "spinbitxchg8",
        "nospinbitxchg8",
    ];
    let r = resolve("x86_64", "linux", &both, None).unwrap();
    assert_eq!((r.default, r.flags().as_str()), ("futex", ""));
    assert_eq!(r.warnings.len(), 2, "{:?}", r.warnings);
    assert!(
        r.warnings[0].contains("`spinbitmutex` and `nospinbitmutex`")
            && r.warnings[0].contains("`nospinbitmutex` wins"),
        "{:?}",
        r.warnings
    );
    // The variable still has the last word.
    let r = resolve("x86_64", "linux", &both, Some("spinbitmutex")).unwrap();
    assert_eq!(r.default, "spinbit");
    assert_eq!(r.warnings.len(), 3, "{:?}", r.warnings);
    // On a target without an 8-bit swap the `no` side is also the only
    // possible one for the byte path, so the pair builds there too.
    let r = resolve("riscv64", "linux", &both, None).unwrap();
    assert_eq!((r.default, r.spinbitxchg8), ("futex", false));
}

#[test]
fn bad_choices_are_errors_that_name_the_valid_ones() {
    let err = resolve("x86_64", "linux", &[], Some("spinbitmutx")).unwrap_err();
    assert!(err.contains("unknown experiment \"spinbitmutx\""), "{err}");
    let text = experiments::explain(&err);
    assert!(
        text.contains("spinbitmutex / nospinbitmutex") && text.contains("spinbitxchg8"),
        "{text}"
    );
    let err = resolve("riscv64", "linux", &[], Some("spinbitxchg8")).unwrap_err();
    assert!(err.contains("needs a native 8-bit atomic swap"), "{err}");
    assert!(resolve("riscv64", "linux", &["spinbitxchg8"], None).is_err());
}

#[test]
fn spinbit_without_an_8_bit_swap_takes_the_word_path() {
    let r = resolve("riscv64", "linux", &["spinbitmutex"], None).unwrap();
    assert_eq!((r.default, r.spinbitxchg8), ("spinbit", false));
    let r = resolve("riscv64", "linux", &[], Some("spinbitmutex")).unwrap();
    assert_eq!((r.default, r.spinbitxchg8), ("spinbit", false));
}
