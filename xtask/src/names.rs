//! Bad names on the command line: the error that exits 2, and the nearest
//! valid name to suggest.

use std::fmt;

/// A mistake in what the user typed. `main` exits 2 on it, like a clap
/// parse error, so scripts can tell bad input from a failed run.
#[derive(Debug)]
pub struct UsageError(pub String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// The error for `name`, which is not one of `valid`: says what kind of
/// name it was, suggests the nearest valid one, and lists them all.
pub fn unknown(kind: &str, name: &str, valid: &[String]) -> UsageError {
    let mut msg = format!("unknown {kind} `{name}`");
    if let Some(near) = nearest(name, valid) {
        msg.push_str(&format!("; did you mean `{near}`?"));
    }
    msg.push_str(&format!("\nvalid {kind}s: {}", valid.join(", ")));
    UsageError(msg)
}

/// The valid name closest to `name` by Levenshtein distance over chars
/// (insertions, deletions and substitutions; case-insensitive), when it is
/// close enough to be a typo: at most a third of the longer name's length,
/// and at least 1 edit allowed. Ties go to the earlier name.
pub fn nearest<'a>(name: &str, valid: &'a [String]) -> Option<&'a str> {
    let name = name.to_lowercase();
    valid
        .iter()
        .map(|v| (strsim::levenshtein(&name, &v.to_lowercase()), v))
        .filter(|(d, v)| *d <= (name.chars().count().max(v.chars().count()) / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, v)| v.as_str())
}

/// Resolves `requested` (empty meaning `all`) against `valid`, keeping the
/// order of `valid` for `all` and the order given otherwise, without
/// duplicates.
pub fn resolve(
    kind: &str,
    requested: &[String],
    valid: &[String],
) -> Result<Vec<String>, UsageError> {
    if requested.is_empty() {
        return Ok(valid.to_vec());
    }
    let mut out: Vec<String> = Vec::new();
    for name in requested {
        let names: Vec<String> = if name == "all" {
            valid.to_vec()
        } else if valid.contains(name) {
            vec![name.clone()]
        } else {
            let mut with_all = valid.to_vec();
            with_all.push("all".to_string());
            return Err(unknown(kind, name, &with_all));
        };
        for n in names {
            if !out.contains(&n) {
                out.push(n);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    /// The distance [`nearest`] uses: plain Levenshtein, so a swap of two
    /// letters costs 2 (not 1, as Damerau's would).
    #[test]
    fn distance() {
        use strsim::levenshtein as edit_distance;
        assert_eq!(edit_distance("", ""), 0);
        assert_eq!(edit_distance("spinbit", "spinbit"), 0);
        assert_eq!(edit_distance("spinbti", "spinbit"), 2);
        assert_eq!(edit_distance("futx", "futex"), 1);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "sema"), 4);
        assert_eq!(edit_distance("sémà", "sema"), 2);
    }

    #[test]
    fn suggestions() {
        let backends = names(&["futex", "sema", "spinbit", "spinbit-lowlatency"]);
        assert_eq!(nearest("spinbt", &backends), Some("spinbit"));
        assert_eq!(nearest("FUTEX", &backends), Some("futex"));
        assert_eq!(nearest("semaphore", &backends), None);
        assert_eq!(
            nearest("spinbit-lowlatncy", &backends),
            Some("spinbit-lowlatency")
        );
        let targets = names(&["386", "amd64", "arm", "arm64", "ppc64", "ppc64le"]);
        assert_eq!(nearest("arm65", &targets), Some("arm64"));
        assert_eq!(nearest("ppc", &targets), None);
        assert_eq!(nearest("x", &targets), None);
    }

    #[test]
    fn unknown_lists_and_suggests() {
        let err = unknown("backend", "spinbt", &names(&["futex", "spinbit"]));
        assert_eq!(
            err.to_string(),
            "unknown backend `spinbt`; did you mean `spinbit`?\nvalid backends: futex, spinbit"
        );
        let err = unknown("backend", "zzz", &names(&["futex"]));
        assert!(!err.to_string().contains("did you mean"));
    }

    #[test]
    fn resolve_all_order_and_dedup() {
        let valid = names(&["futex", "sema", "spinbit"]);
        assert_eq!(resolve("backend", &[], &valid).unwrap(), valid);
        assert_eq!(
            resolve("backend", &names(&["spinbit", "all"]), &valid).unwrap(),
            names(&["spinbit", "futex", "sema"])
        );
        let err = resolve("backend", &names(&["spinbti"]), &valid).unwrap_err();
        assert!(err.0.contains("did you mean `spinbit`"), "{err}");
        assert!(err.0.ends_with("futex, sema, spinbit, all"), "{err}");
    }
}
