//! The experiment settings of the build's lockyard as one line of JSON, which
//! a suite binary prints when asked ([`EXPERIMENT_ARG`]), so the xtask
//! reports what a build has rather than what the target table expects.
//!
//! [`EXPERIMENT_ARG`]: lockyard_platforms::suite::EXPERIMENT_ARG

use lockyard_platforms::suite::Experiment;

/// `lockyard::experiment()` in the shape the xtask reads. Every field is
/// named (no `..`), so a field lockyard adds is a compile error here rather
/// than a value the report silently lacks.
fn of_this_build() -> Experiment {
    let lockyard::Experiment {
        flags,
        source,
        spinbit_mutex,
        spinbit_xchg8,
        default_backend,
        os_primitive,
    } = lockyard::experiment();
    Experiment {
        flags: flags.into(),
        source: source.into(),
        spinbit_mutex,
        spinbit_xchg8,
        default_backend: default_backend.into(),
        os_primitive: os_primitive.into(),
    }
}

/// [`of_this_build`] as one JSON object on one line.
pub(crate) fn json() -> String {
    serde_json::to_string(&of_this_build()).expect("strings and booleans always serialize")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_is_this_build_and_reads_back() {
        let line = json();
        assert!(!line.contains('\n'), "{line}");
        let back: Experiment = serde_json::from_str(&line).expect("valid JSON");
        let e = lockyard::experiment();
        assert_eq!(back.flags, e.flags);
        assert_eq!(back.source, e.source);
        assert_eq!(back.default_backend, e.default_backend);
        assert_eq!(back.os_primitive, e.os_primitive);
        assert_eq!(
            (back.spinbit_mutex, back.spinbit_xchg8),
            (e.spinbit_mutex, e.spinbit_xchg8)
        );
    }
}
