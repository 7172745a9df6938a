//! Benchmark names as lockyard-conformance's `throughput` bench prints them
//! and the xtask reads them back: Go's sub-benchmark convention,
//! `BenchmarkMutexContention/backend=spinbit-8`, with the backend (or a
//! primitive's form) as the key [`BACKEND_KEY`], so that
//! `benchstat -col /backend results.txt` compares backends from one file,
//! and the thread count where Go puts its `-GOMAXPROCS` suffix.
//!
//! The format is golang.org/design/14313-benchmark-format; golang.org/x/perf's
//! `benchfmt` reads `/key=value` parts of a name as configuration and a
//! trailing `-N` of digits as GOMAXPROCS, which is how [`split`] reads them.

/// The sub-benchmark key that names the backend.
pub const BACKEND_KEY: &str = "backend";

/// The full name of benchmark `base` (`BenchmarkMutexHandoff/Solo`) for
/// `backend` at `threads` threads:
/// `BenchmarkMutexHandoff/Solo/backend=futex-1`.
pub fn full(base: &str, backend: &str, threads: usize) -> String {
    format!("{base}/{BACKEND_KEY}={backend}-{threads}")
}

/// Splits a full name into the name without its backend, the `-N` suffix
/// kept (`BenchmarkMutexContention-8`), and the backend (`spinbit`); `None`
/// when the name has no backend.
///
/// Names from before the backend was a key (`BenchmarkMutexContention/spinbit-8`,
/// as an older revision's bench prints them under `cargo xtask bench
/// --baseline`) are read too: without a `backend=` part, the last `/` part is
/// the backend, unless it is another key's.
pub fn split(name: &str) -> Option<(String, &str)> {
    let (path, suffix) = match name.rsplit_once('-') {
        Some((path, n)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => {
            (path, &name[path.len()..])
        }
        _ => (name, ""),
    };
    let mut parts: Vec<&str> = path.split('/').collect();
    let key = format!("{BACKEND_KEY}=");
    let at = match parts[1..].iter().position(|p| p.starts_with(&key)) {
        Some(i) => i + 1,
        None if parts.len() > 1 && !parts[parts.len() - 1].contains('=') => parts.len() - 1,
        None => return None,
    };
    let part = parts.remove(at);
    let backend = part.strip_prefix(&key).unwrap_or(part);
    if backend.is_empty() {
        return None;
    }
    Some((format!("{}{suffix}", parts.join("/")), backend))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_carry_the_backend_as_a_key() {
        assert_eq!(
            full("BenchmarkMutexContention", "spinbit", 8),
            "BenchmarkMutexContention/backend=spinbit-8"
        );
        assert_eq!(
            split("BenchmarkMutexContention/backend=spinbit-8"),
            Some(("BenchmarkMutexContention-8".into(), "spinbit"))
        );
        // Other keys stay; a backend with a dash keeps it.
        let name = full(
            "BenchmarkMutexWork/inside=10/between=100",
            "spinbit-lowlatency",
            4,
        );
        assert_eq!(
            split(&name),
            Some((
                "BenchmarkMutexWork/inside=10/between=100-4".into(),
                "spinbit-lowlatency"
            ))
        );
        assert_eq!(
            split("MutexHandoff/Solo/backend=list-before"),
            Some(("MutexHandoff/Solo".into(), "list-before"))
        );
    }

    #[test]
    fn older_names_end_with_the_backend() {
        assert_eq!(
            split("BenchmarkMutexContention/spinbit-8"),
            Some(("BenchmarkMutexContention-8".into(), "spinbit"))
        );
        assert_eq!(
            split("BenchmarkMutexHandoff/Solo/futex-1"),
            Some(("BenchmarkMutexHandoff/Solo-1".into(), "futex"))
        );
        assert_eq!(split("BenchmarkMutexContention-8"), None);
        assert_eq!(split("BenchmarkX/backend=-2"), None);
        assert_eq!(split("BenchmarkMutexWork/inside=10/between=100-4"), None);
    }
}
