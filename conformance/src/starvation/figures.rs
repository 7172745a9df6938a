//! What a starvation run measured, how it is summarised (Jain's index,
//! locktorture's max/min flag), and where it goes: a line on stdout and, when
//! [`env::FIGURES_DIR`] names a directory, a JSON file the xtask puts into
//! report.json.

use anyhow::Context;
use lockyard_platforms::env;
use std::path::PathBuf;

/// The figures of one fixed-time contention run of one backend.
#[derive(Clone, Debug, PartialEq)]
pub struct Figures {
    /// The backend measured.
    pub backend: &'static str,
    /// The case (`contention_8`, `tail_wake_8`).
    pub case: String,
    /// Threads contending.
    pub threads: usize,
    /// How long the run lasted, seconds.
    pub run_s: f64,
    /// Acquisitions completed before the deadline, per thread.
    pub per_thread: Vec<u64>,
    /// The longest wait for the lock, nanoseconds (including the wait of a
    /// thread that got the lock only after the deadline).
    pub max_wait_ns: u64,
    /// The 99.9th percentile wait, nanoseconds.
    pub p999_wait_ns: u64,
    /// The median wait, nanoseconds.
    pub p50_wait_ns: u64,
}

impl Figures {
    /// Acquisitions of all threads.
    pub fn total(&self) -> u64 {
        self.per_thread.iter().sum()
    }

    /// The fewest acquisitions of one thread.
    pub fn min(&self) -> u64 {
        self.per_thread.iter().copied().min().unwrap_or(0)
    }

    /// The most acquisitions of one thread.
    pub fn max(&self) -> u64 {
        self.per_thread.iter().copied().max().unwrap_or(0)
    }

    /// locktorture's flag: one thread got more than twice the lock of another.
    pub fn unfair(&self) -> bool {
        self.max() > 2 * self.min()
    }

    /// The smallest share of one thread over an equal share: 1.0 when every
    /// thread got the same, 0.0 when one got nothing.
    pub fn min_share(&self) -> f64 {
        let fair = self.total() as f64 / self.threads.max(1) as f64;
        if fair == 0.0 {
            0.0
        } else {
            self.min() as f64 / fair
        }
    }

    /// Jain's fairness index of the per-thread acquisitions.
    pub fn jain(&self) -> f64 {
        jain(&self.per_thread)
    }

    /// One line as locktorture would print it, with the wait figures.
    pub fn line(&self) -> String {
        format!(
            "{} {}: {} threads {:.2}s: total {} max/min {}/{}{} min share {:.2} jain {:.3} \
             wait max {} p99.9 {} p50 {}",
            self.backend,
            self.case,
            self.threads,
            self.run_s,
            self.total(),
            self.max(),
            self.min(),
            if self.unfair() { " ???" } else { "" },
            self.min_share(),
            self.jain(),
            human_ns(self.max_wait_ns),
            human_ns(self.p999_wait_ns),
            human_ns(self.p50_wait_ns),
        )
    }

    /// The figures as one JSON object, for report.json.
    pub fn json(&self) -> String {
        serde_json::json!({
            "backend": self.backend,
            "case": self.case,
            "threads": self.threads,
            "run_s": self.run_s,
            "total": self.total(),
            "max": self.max(),
            "min": self.min(),
            "unfair": self.unfair(),
            "min_share": self.min_share(),
            "jain": self.jain(),
            "max_wait_ns": self.max_wait_ns,
            "p999_wait_ns": self.p999_wait_ns,
            "p50_wait_ns": self.p50_wait_ns,
            "per_thread": self.per_thread,
        })
        .to_string()
    }

    /// Prints the line and, if [`env::FIGURES_DIR`] is set, writes the JSON to
    /// `<dir>/<backend>__<case>.json`.
    ///
    /// # Errors
    ///
    /// If the file cannot be written.
    pub fn publish(&self) -> anyhow::Result<()> {
        println!("{}", self.line());
        if let Some(dir) = std::env::var_os(env::FIGURES_DIR) {
            let path = PathBuf::from(dir).join(format!("{}__{}.json", self.backend, self.case));
            std::fs::write(&path, self.json() + "\n")
                .with_context(|| format!("cannot write figures to {}", path.display()))?;
        }
        Ok(())
    }
}

/// Jain's fairness index, (Σx)² / (n·Σx²): 1.0 when all are equal, 1/n when
/// one has everything. An empty or all-zero input counts as fair.
pub fn jain(xs: &[u64]) -> f64 {
    let sum: f64 = xs.iter().map(|&x| x as f64).sum();
    let squares: f64 = xs.iter().map(|&x| (x as f64) * (x as f64)).sum();
    if squares == 0.0 {
        1.0
    } else {
        sum * sum / (xs.len() as f64 * squares)
    }
}

/// A duration in nanoseconds, with a unit a person reads at a glance.
pub fn human_ns(ns: u64) -> String {
    match ns {
        0..1_000 => format!("{ns}ns"),
        1_000..1_000_000 => format!("{:.1}µs", ns as f64 / 1e3),
        1_000_000..1_000_000_000 => format!("{:.1}ms", ns as f64 / 1e6),
        _ => format!("{:.2}s", ns as f64 / 1e9),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jain_spans_one_over_n_to_one() {
        assert_eq!(jain(&[5, 5, 5, 5]), 1.0);
        assert_eq!(jain(&[8, 0, 0, 0]), 0.25);
        let skewed = jain(&[10, 5, 5, 5]);
        assert!(skewed > 0.25 && skewed < 1.0, "{skewed}");
        assert_eq!(jain(&[]), 1.0);
    }

    #[test]
    fn the_flag_and_the_share_follow_locktorture() {
        let mut f = Figures {
            backend: "x",
            case: "contention_4".into(),
            threads: 4,
            run_s: 1.0,
            per_thread: vec![10, 10, 10, 10],
            max_wait_ns: 1,
            p999_wait_ns: 1,
            p50_wait_ns: 1,
        };
        assert!(!f.unfair());
        assert_eq!(f.min_share(), 1.0);
        f.per_thread = vec![21, 10, 10, 10];
        assert!(f.unfair());
        assert!(f.line().contains("21/10 ???"), "{}", f.line());
        f.per_thread = vec![40, 0, 0, 0];
        assert_eq!(f.min_share(), 0.0);
        let json: serde_json::Value = serde_json::from_str(&f.json()).unwrap();
        assert!(
            json["min"] == 0 && json["per_thread"] == serde_json::json!([40, 0, 0, 0]),
            "{json}"
        );
    }

    #[test]
    fn durations_read_well() {
        assert_eq!(human_ns(999), "999ns");
        assert_eq!(human_ns(37_400_000), "37.4ms");
        assert_eq!(human_ns(1_500_000_000), "1.50s");
    }
}
