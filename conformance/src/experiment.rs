//! The experiment settings of the build's lockyard as one line of JSON, which
//! a suite binary prints when asked ([`SUITE_EXPERIMENT_ARG`]), so the xtask
//! reports what a build has rather than what the target table expects.
//!
//! [`SUITE_EXPERIMENT_ARG`]: lockyard_platforms::SUITE_EXPERIMENT_ARG

use lockyard::Experiment;
use serde::Serialize;

/// [`Experiment`]'s fields as serde sees them, in their declared order; the
/// remote derive checks each against lockyard's own.
#[derive(Serialize)]
#[serde(remote = "Experiment")]
struct Fields {
    flags: &'static str,
    source: &'static str,
    spinbit_mutex: bool,
    spinbit_xchg8: bool,
    default_backend: &'static str,
    os_primitive: &'static str,
}

/// [`lockyard::experiment()`] as one JSON object on one line.
pub(crate) fn json() -> String {
    let mut out = serde_json::Serializer::new(Vec::new());
    Fields::serialize(&lockyard::experiment(), &mut out)
        .expect("strings and booleans always serialize");
    String::from_utf8(out.into_inner()).expect("serde_json writes UTF-8")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    #[test]
    fn the_line_holds_every_field_of_the_build_in_order() {
        let e = lockyard::experiment();
        let line = json();
        assert!(!line.contains('\n'), "{line}");
        let parsed: Value = serde_json::from_str(&line).expect("valid JSON");
        assert_eq!(
            parsed,
            json!({
                "flags": e.flags,
                "source": e.source,
                "spinbit_mutex": e.spinbit_mutex,
                "spinbit_xchg8": e.spinbit_xchg8,
                "default_backend": e.default_backend,
                "os_primitive": e.os_primitive,
            })
        );
        let keys = [
            "flags",
            "source",
            "spinbit_mutex",
            "spinbit_xchg8",
            "default_backend",
            "os_primitive",
        ];
        let order: Option<Vec<usize>> = keys
            .iter()
            .map(|k| line.find(&format!("\"{k}\":")))
            .collect();
        let order = order.expect("every key is there");
        assert!(order.is_sorted(), "{line}");
    }
}
