//! Reading Go's benchmark format and comparing two sides as benchstat does:
//! per benchmark and unit each side's median with the 95% confidence
//! interval of the median, the change of the medians, a two-sided
//! Mann–Whitney U test (`~` when p ≥ 0.05), and a geomean row.
//!
//! The statistics follow golang.org/x/perf's `internal/stats` (utest.go:
//! exact U distribution, ties included, up to 50 values a side without
//! ties and 25 with; beyond that the normal approximation with tie and
//! continuity corrections; p = 1 when the two U statistics are equal) and
//! `benchmath` (the median's confidence interval from order statistics).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use lockyard_platforms::benchname;

/// The significance level benchstat uses by default.
pub const ALPHA: f64 = 0.05;

/// One result line: `BenchmarkMutexContention/backend=spinbit-8 N v unit
/// v unit...`.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    /// The name without `Benchmark` and the backend, the `-N` suffix kept:
    /// `MutexContention-8`.
    pub bench: String,
    /// The backend: the `backend=` part of the name (or, in names from
    /// before it was a key, the last `/` part; see [`benchname::split`]).
    pub backend: String,
    /// Every `(value, unit)` pair of the line.
    pub values: Vec<(f64, String)>,
}

/// Parses the result lines of Go benchmark output; other lines (the
/// `key: value` header, notes) are skipped.
pub fn parse(text: &str) -> Vec<Line> {
    text.lines().filter_map(parse_line).collect()
}

fn parse_line(line: &str) -> Option<Line> {
    let mut fields = line.split_whitespace();
    let name = fields.next()?.strip_prefix("Benchmark")?;
    let _iterations: u64 = fields.next()?.parse().ok()?;
    let (bench, backend) = benchname::split(name)?;
    let rest: Vec<&str> = fields.collect();
    let values = rest
        .chunks_exact(2)
        .filter_map(|pair| Some((pair[0].parse().ok()?, pair[1].to_string())))
        .collect();
    Some(Line {
        bench,
        backend: backend.to_string(),
        values,
    })
}

/// The line, if it is one of `backend`'s, with the backend dropped from its
/// name, so that two backends' files line up under `benchstat a.txt b.txt`:
/// `BenchmarkMutexContention-8 ...`.
pub fn without_backend(line: &str, backend: &str) -> Option<String> {
    let name = line.split_whitespace().next()?;
    let (plain, of) = benchname::split(name.strip_prefix("Benchmark")?)?;
    (of == backend).then(|| line.replacen(name, &format!("Benchmark{plain}"), 1))
}

/// Samples by benchmark, unit and backend.
pub type Samples = BTreeMap<(String, String), BTreeMap<String, Vec<f64>>>;

/// Groups lines into samples, keeping the order benchmarks first appear in
/// through a sortable index prefix.
pub fn samples(lines: &[Line]) -> (Vec<String>, Samples) {
    let mut order: Vec<String> = Vec::new();
    let mut out = Samples::new();
    for line in lines {
        if !order.contains(&line.bench) {
            order.push(line.bench.clone());
        }
        for (value, unit) in &line.values {
            out.entry((line.bench.clone(), unit.clone()))
                .or_default()
                .entry(line.backend.clone())
                .or_default()
                .push(*value);
        }
    }
    (order, out)
}

/// The median of `xs` (which it sorts).
pub fn median(xs: &mut [f64]) -> f64 {
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    if n == 0 {
        f64::NAN
    } else if n % 2 == 1 {
        xs[n / 2]
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) / 2.0
    }
}

/// The 95% confidence interval of the median from order statistics, as the
/// largest distance from the median relative to it; `None` when there are
/// too few values for one (fewer than 6).
pub fn spread(xs: &[f64]) -> Option<f64> {
    let mut xs = xs.to_vec();
    let med = median(&mut xs);
    let n = xs.len();
    // P(k ≤ B ≤ n-k) for B ~ Binomial(n, 1/2): the coverage of
    // [x_(k), x_(n-k+1)] (1-based order statistics).
    let coverage = |k: usize| -> f64 {
        (k..=n - k).map(|i| binomial(n, i)).sum::<f64>() / 2f64.powi(n as i32)
    };
    let k = (1..=n / 2).take_while(|&k| coverage(k) >= 0.95).last()?;
    let (lo, hi) = (xs[k - 1], xs[n - k]);
    Some(((med - lo).abs().max((hi - med).abs())) / med.abs())
}

fn binomial(n: usize, k: usize) -> f64 {
    (0..k).fold(1.0, |acc, i| acc * (n - i) as f64 / (i + 1) as f64)
}

/// The two-sided p-value of the Mann–Whitney U test of `a` against `b`.
pub fn mann_whitney(a: &[f64], b: &[f64]) -> f64 {
    let (n1, n2) = (a.len(), b.len());
    if n1 == 0 || n2 == 0 {
        return 1.0;
    }
    // Merge, rank with ties at their mean rank, and keep each tie group.
    let mut merged: Vec<(f64, bool)> = a
        .iter()
        .map(|&x| (x, true))
        .chain(b.iter().map(|&x| (x, false)))
        .collect();
    merged.sort_by(|x, y| x.0.total_cmp(&y.0));
    let mut doubled_ranks = Vec::with_capacity(merged.len()); // 2 × mean rank
    let mut ties = Vec::new();
    let mut i = 0;
    while i < merged.len() {
        let j = (i..merged.len())
            .find(|&j| merged[j].0 != merged[i].0)
            .unwrap_or(merged.len());
        // Ranks i+1 ..= j, mean (i+1+j)/2, doubled: i+1+j.
        doubled_ranks.extend(std::iter::repeat_n(i + 1 + j, j - i));
        ties.push(j - i);
        i = j;
    }
    let r1_doubled: usize = merged
        .iter()
        .zip(&doubled_ranks)
        .filter(|(m, _)| m.1)
        .map(|(_, r)| r)
        .sum();
    let u1 = r1_doubled as f64 / 2.0 - (n1 * (n1 + 1)) as f64 / 2.0;
    let u2 = (n1 * n2) as f64 - u1;
    if ties.len() == 1 {
        return 1.0; // every value equal: benchstat calls it no change
    }
    let has_ties = ties.iter().any(|&t| t > 1);
    let exact = if has_ties {
        n1 <= 25 && n2 <= 25
    } else {
        n1 <= 50 && n2 <= 50
    };
    if exact {
        if u1 == u2 {
            return 1.0;
        }
        (2.0 * exact_cdf(&doubled_ranks, n1, u1.min(u2))).min(1.0)
    } else {
        let t: f64 = ties.iter().map(|&t| (t * t * t - t) as f64).sum();
        let n = (n1 + n2) as f64;
        let mu = (n1 * n2) as f64 / 2.0;
        let sigma = ((n1 * n2) as f64 * ((n + 1.0) - t / (n * (n - 1.0))) / 12.0).sqrt();
        if sigma == 0.0 {
            return 1.0;
        }
        let mut numer = u1 - mu;
        numer -= numer.signum() * 0.5;
        let z = numer / sigma;
        2.0 * normal_cdf(z).min(1.0 - normal_cdf(z))
    }
}

/// P(U ≤ u) under the null hypothesis, given the tie structure: the share
/// of the C(N, n1) ways to pick the first sample's ranks whose U is at most
/// `u`, counted by dynamic programming over (picked, doubled rank sum).
fn exact_cdf(doubled_ranks: &[usize], n1: usize, u: f64) -> f64 {
    let max_sum: usize = doubled_ranks.iter().sum();
    // ways[k][s]: subsets of size k with doubled rank sum s.
    let mut ways = vec![vec![0f64; max_sum + 1]; n1 + 1];
    ways[0][0] = 1.0;
    for &r in doubled_ranks {
        for k in (1..=n1).rev() {
            for s in (r..=max_sum).rev() {
                let add = ways[k - 1][s - r];
                if add != 0.0 {
                    ways[k][s] += add;
                }
            }
        }
    }
    // U = R1 − n1(n1+1)/2, so U ≤ u is doubled R1 ≤ 2u + n1(n1+1).
    let limit = (2.0 * u + (n1 * (n1 + 1)) as f64).floor() as usize;
    let total: f64 = ways[n1].iter().sum();
    let below: f64 = ways[n1].iter().take(limit.min(max_sum) + 1).sum();
    below / total
}

/// The standard normal CDF (Abramowitz–Stegun 7.1.26 erf, ample for a
/// p-value printed to three places).
fn normal_cdf(z: f64) -> f64 {
    let x = z.abs() / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.327_591_1 * x);
    let poly = t
        * (0.254_829_592
            + t * (-0.284_496_736
                + t * (1.421_413_741 + t * (-1.453_152_027 + t * 1.061_405_429))));
    let erf = 1.0 - poly * (-x * x).exp();
    if z >= 0.0 {
        0.5 * (1.0 + erf)
    } else {
        0.5 * (1.0 - erf)
    }
}

/// benchstat's table of `base` against `other`, one section per unit.
pub fn table(lines: &[Line], base: &str, other: &str) -> String {
    let (order, samples) = samples(lines);
    let mut units: Vec<String> = Vec::new();
    for line in lines {
        for (_, unit) in &line.values {
            if !units.contains(unit) {
                units.push(unit.clone());
            }
        }
    }
    let mut out = String::new();
    for unit in &units {
        let _ = writeln!(out, "\n{unit:<34} {base:>20} {other:>20}   vs base");
        let (mut log_a, mut log_b, mut rows) = (0.0, 0.0, 0);
        for bench in &order {
            let Some(sides) = samples.get(&(bench.clone(), unit.clone())) else {
                continue;
            };
            let (Some(a), Some(b)) = (sides.get(base), sides.get(other)) else {
                continue;
            };
            let (ma, mb) = (median(&mut a.clone()), median(&mut b.clone()));
            let p = mann_whitney(a, b);
            let n = a.len().min(b.len());
            let delta = if p < ALPHA {
                format!("{:+.2}%", (mb / ma - 1.0) * 100.0)
            } else {
                "~".to_string()
            };
            let _ = writeln!(
                out,
                "{bench:<34} {:>20} {:>20}   {delta} (p={p:.3} n={n})",
                cell(ma, a),
                cell(mb, b)
            );
            if ma > 0.0 && mb > 0.0 {
                log_a += ma.ln();
                log_b += mb.ln();
                rows += 1;
            }
        }
        if rows > 0 {
            let (ga, gb) = ((log_a / rows as f64).exp(), (log_b / rows as f64).exp());
            let _ = writeln!(
                out,
                "{:<34} {:>20} {:>20}   {:+.2}%",
                "geomean",
                format_value(ga),
                format_value(gb),
                (gb / ga - 1.0) * 100.0
            );
        }
    }
    out
}

/// A table of medians, one section per unit, one column per backend.
pub fn medians(lines: &[Line], backends: &[&str]) -> String {
    let (order, samples) = samples(lines);
    let mut units: Vec<&str> = Vec::new();
    for line in lines {
        for (_, unit) in &line.values {
            if !units.contains(&unit.as_str()) {
                units.push(unit);
            }
        }
    }
    let mut out = String::new();
    for unit in units {
        let _ = write!(out, "\n{unit:<34}");
        for b in backends {
            let _ = write!(out, " {b:>12}");
        }
        out.push('\n');
        for bench in &order {
            let Some(sides) = samples.get(&(bench.clone(), unit.to_string())) else {
                continue;
            };
            let _ = write!(out, "{bench:<34}");
            for b in backends {
                let value = sides
                    .get(*b)
                    .map_or("-".to_string(), |xs| format_value(median(&mut xs.clone())));
                let _ = write!(out, " {value:>12}");
            }
            out.push('\n');
        }
    }
    out
}

fn cell(median: f64, xs: &[f64]) -> String {
    let spread = spread(xs).map_or("∞".to_string(), |s| format!("{:.0}%", s * 100.0));
    format!("{} ± {spread}", format_value(median))
}

fn format_value(v: f64) -> String {
    if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_parse_and_lose_their_backend() {
        let text = "goos: linux\nBenchmarkMutexContention/backend=spinbit-8\t 100\t 7.5 ns/op\t 3.0 cpu-ns/op\nPASS\n";
        let lines = parse(text);
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].bench, "MutexContention-8");
        assert_eq!(lines[0].backend, "spinbit");
        assert_eq!(
            lines[0].values,
            vec![(7.5, "ns/op".into()), (3.0, "cpu-ns/op".into())]
        );
        let line = "BenchmarkMutexHandoff/Solo/backend=futex-1 10 5 ns/op";
        let plain = without_backend(line, "futex").unwrap();
        assert_eq!(plain, "BenchmarkMutexHandoff/Solo-1 10 5 ns/op");
        assert_eq!(without_backend(line, "sema"), None);
        assert_eq!(without_backend("goos: linux", "futex"), None);
        // A file from before the backend was a key reads the same.
        let old = parse("BenchmarkMutexContention/spinbit-8 100 7.5 ns/op\n");
        assert_eq!(
            (old[0].bench.as_str(), old[0].backend.as_str()),
            ("MutexContention-8", "spinbit")
        );
    }

    #[test]
    fn mann_whitney_matches_known_values() {
        // Fully separated samples of 5: the exact two-sided p is 2/C(10,5).
        let a = [1.0, 2.0, 3.0, 4.0, 5.0];
        let b = [6.0, 7.0, 8.0, 9.0, 10.0];
        assert!((mann_whitney(&a, &b) - 2.0 / 252.0).abs() < 1e-12);
        // Interleaved samples: no evidence of a shift.
        let c = [1.0, 3.0, 5.0, 7.0, 9.0];
        let d = [2.0, 4.0, 6.0, 8.0, 10.0];
        assert!(mann_whitney(&c, &d) > 0.5);
        // Identical samples: p = 1, like benchstat.
        assert_eq!(mann_whitney(&[1.0, 1.0], &[1.0, 1.0]), 1.0);
        // Ties across the samples still give a valid probability.
        let p = mann_whitney(&[1.0, 2.0, 2.0, 3.0], &[2.0, 3.0, 3.0, 4.0]);
        assert!(p > 0.0 && p <= 1.0, "{p}");
        // Large samples take the normal approximation: 60 vs 60 separated.
        let big_a: Vec<f64> = (0..60).map(f64::from).collect();
        let big_b: Vec<f64> = (100..160).map(f64::from).collect();
        assert!(mann_whitney(&big_a, &big_b) < 1e-10);
    }

    #[test]
    fn the_median_interval_needs_six_values() {
        assert_eq!(spread(&[1.0, 2.0, 3.0, 4.0, 5.0]), None);
        // n = 10: the interval is [x_2, x_9].
        let xs: Vec<f64> = (1..=10).map(f64::from).collect();
        let s = spread(&xs).unwrap();
        assert!((s - 3.5 / 5.5).abs() < 1e-12, "{s}");
    }

    #[test]
    fn the_table_marks_insignificant_changes() {
        let mut text = String::new();
        for i in 0..10 {
            let _ = writeln!(text, "BenchmarkX/backend=a-2 1 {} ns/op", 100 + i);
            let _ = writeln!(text, "BenchmarkX/backend=b-2 1 {} ns/op", 50 + i);
            let _ = writeln!(text, "BenchmarkY/backend=a-2 1 {} ns/op", 10 + i % 3);
            let _ = writeln!(text, "BenchmarkY/backend=b-2 1 {} ns/op", 10 + (i + 1) % 3);
        }
        let t = table(&parse(&text), "a", "b");
        let x = t.lines().find(|l| l.starts_with("X-2")).unwrap();
        assert!(x.contains("-47.85%") && x.contains("p=0.000"), "{x}");
        let y = t.lines().find(|l| l.starts_with("Y-2")).unwrap();
        assert!(y.contains(" ~ "), "{y}");
        assert!(t.contains("geomean"), "{t}");
    }
}
