//! What a run of `cargo xtask bench` leaves in its directory:
//! `results.txt` and `stats.txt` as the bench printed them, `by-backend/`
//! (one file per backend, the backend dropped from the names), and the
//! MutexContention charts.

use std::path::Path;

use anyhow::Result;
use clap::ValueEnum as _;
use xshell::Shell;

use super::backends_in;
use crate::chart::{self, Series};
use crate::compare;

/// Writes `results.txt` (and `stats.txt`), one file per backend with the
/// backend dropped from the names (`benchstat futex.txt spinbit.txt`), and
/// the MutexContention charts, their y axis as `scale` says.
pub(super) fn save(
    sh: &Shell,
    dir: &Path,
    timed: &str,
    stats: Option<&str>,
    smoke: bool,
    scale: chart::Scale,
) -> Result<()> {
    if dir.exists() {
        sh.remove_path(dir)?;
    }
    let by_backend = dir.join("by-backend");
    sh.create_dir(&by_backend)?;
    sh.write_file(dir.join("results.txt"), timed)?;
    if let Some(stats) = stats {
        sh.write_file(dir.join("stats.txt"), stats)?;
    }
    let lines = compare::parse(timed);
    let header: String = timed
        .lines()
        .take_while(|l| !l.starts_with("Benchmark"))
        .map(|l| format!("{l}\n"))
        .collect();
    for backend in backends_in(&lines) {
        let mut text = header.clone();
        for line in timed.lines() {
            if let Some(plain) = compare::without_backend(line, &backend) {
                text.push_str(&plain);
                text.push('\n');
            }
        }
        sh.write_file(by_backend.join(format!("{backend}.txt")), text)?;
    }
    let label = if smoke {
        " (smoke run under emulation: not performance)"
    } else {
        ""
    };
    for (unit, file, what) in [
        ("ns/op", "contention.svg", "wall time"),
        ("cpu-ns/op", "contention-cpu.svg", "CPU time"),
    ] {
        let series = contention_series(&lines, unit);
        if !series.is_empty() {
            let axis = chart::axis(scale, &series);
            let svg = chart::line_chart(
                &format!("MutexContention: {what} per operation{label}"),
                "threads",
                &format!("{unit} (median)"),
                &series,
                axis,
            );
            sh.write_file(dir.join(file), svg)?;
            eprintln!("xtask: {file}: {}", axis_note(scale, axis, &series));
        }
    }
    Ok(())
}

/// Why a chart's y axis is what it is: `log y axis (--chart-scale auto:
/// the lines span 47×)`.
fn axis_note(scale: chart::Scale, axis: chart::Axis, series: &[Series]) -> String {
    let span = chart::span(series).map_or("no positive values".to_string(), |s| {
        format!("the lines span {s:.1}×")
    });
    let scale = scale
        .to_possible_value()
        .map_or(String::new(), |v| v.get_name().to_string());
    format!("{} y axis (--chart-scale {scale}: {span})", axis.name())
}

/// Each backend's median `unit` of MutexContention by thread count.
fn contention_series(lines: &[compare::Line], unit: &str) -> Vec<Series> {
    let (_, samples) = compare::samples(lines);
    backends_in(lines)
        .into_iter()
        .map(|backend| {
            let mut points: Vec<(f64, f64)> = samples
                .iter()
                .filter(|((bench, u), _)| u == unit && bench.starts_with("MutexContention-"))
                .filter_map(|((bench, _), sides)| {
                    let threads: f64 = bench.rsplit_once('-')?.1.parse().ok()?;
                    let mut xs = sides.get(&backend)?.clone();
                    Some((threads, compare::median(&mut xs)))
                })
                .collect();
            points.sort_by(|a, b| a.0.total_cmp(&b.0));
            Series {
                name: backend,
                points,
            }
        })
        .filter(|s| !s.points.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contention_series_read_the_backend_key() {
        let text = "stats: off\n\
            BenchmarkMutexContention/backend=futex-1 10 15 ns/op\n\
            BenchmarkMutexContention/backend=spin-1 10 16 ns/op\n\
            BenchmarkMutexContention/backend=futex-16 10 25 ns/op\n\
            BenchmarkMutexContention/backend=spin-16 10 700 ns/op\n\
            BenchmarkMutexHandoff/Solo/backend=futex-1 10 5 ns/op\n";
        let lines = compare::parse(text);
        assert_eq!(backends_in(&lines), ["futex", "spin"]);
        let series = contention_series(&lines, "ns/op");
        assert_eq!(series.len(), 2);
        assert_eq!(series[0].name, "futex");
        assert_eq!(series[0].points, [(1.0, 15.0), (16.0, 25.0)]);
        assert_eq!(series[1].points, [(1.0, 16.0), (16.0, 700.0)]);
        assert_eq!(chart::axis(chart::Scale::Auto, &series), chart::Axis::Log);
        assert_eq!(
            axis_note(chart::Scale::Auto, chart::Axis::Log, &series),
            "log y axis (--chart-scale auto: the lines span 46.7×)"
        );
    }
}
