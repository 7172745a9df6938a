//! Reports seen together: one report merged into another (a later run of a
//! trial replaces the earlier one), and the [`Matrix`] of several reports,
//! one cell per target × backend.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::hash::Hash;

use lockyard_platforms::{Runner, Target};

use super::schema::{Host, Report, Trial};
use crate::junit::Outcome;

impl Report {
    /// Takes in `newer`: its trials and figures replace those of the same
    /// identity and add the rest, its targets replace those of the same
    /// target and runner, and its time adds to this one's. The host and
    /// start stay this report's.
    pub fn merge(&mut self, newer: Report) {
        replace_or_push(&mut self.targets, newer.targets, |t| {
            (t.target.triple, t.runner)
        });
        replace_or_push(&mut self.trials, newer.trials, |t| owned(t.identity()));
        replace_or_push(&mut self.figures, newer.figures, |f| owned(f.identity()));
        self.wall_s += newer.wall_s;
    }
}

/// An identity that outlives the borrow it was read through.
fn owned(
    (target, runner, backend, suite, case): (&'static str, Runner, &str, &str, &str),
) -> (&'static str, Runner, String, String, String) {
    (target, runner, backend.into(), suite.into(), case.into())
}

/// Adds `newer` to `items`, each replacing in place the item with the same
/// key, or going at the end.
fn replace_or_push<T, K: Eq + Hash>(items: &mut Vec<T>, newer: Vec<T>, key: impl Fn(&T) -> K) {
    let mut index: HashMap<K, usize> = items.iter().enumerate().map(|(i, t)| (key(t), i)).collect();
    for item in newer {
        match index.entry(key(&item)) {
            Entry::Occupied(at) => items[*at.get()] = item,
            Entry::Vacant(at) => {
                at.insert(items.len());
                items.push(item);
            }
        }
    }
}

/// Pass, fail and time of one target × backend cell.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Tally {
    /// Trials passed.
    pub passed: usize,
    /// Trials failed.
    pub failed: usize,
    /// Trials skipped.
    pub skipped: usize,
    /// Trials that failed as a known limitation says (not failures).
    pub known: usize,
    /// Summed trial time, seconds.
    pub seconds: f64,
}

impl Tally {
    /// Adds one trial.
    pub fn add(&mut self, t: &Trial) {
        match t.outcome {
            Outcome::Passed => self.passed += 1,
            Outcome::Failed => self.failed += 1,
            Outcome::Skipped => self.skipped += 1,
            Outcome::Known => self.known += 1,
        }
        self.seconds += t.duration_s;
    }

    /// Tallies trials.
    pub fn of<'a>(trials: impl IntoIterator<Item = &'a Trial>) -> Tally {
        let mut tally = Tally::default();
        trials.into_iter().for_each(|t| tally.add(t));
        tally
    }
}

/// Several reports seen as one: one row per target × runner a run used
/// (arm64 under qemu and arm64 on its own hardware are two rows), in
/// table order; backends in order of first appearance; one cell per row ×
/// backend.
pub struct Matrix {
    /// Distinct hosts the reports came from.
    pub hosts: Vec<Host>,
    /// Rows, in table order: each the target and the runners its trials
    /// ran under, its run's runner first (then those of the cases run
    /// another way, 386's natively rerun one).
    pub rows: Vec<(&'static Target, Vec<Runner>)>,
    /// Backend columns.
    pub backends: Vec<String>,
    /// The trials, one per identity, later reports replacing earlier ones.
    pub trials: Vec<Trial>,
    /// The runner of each trial's row, by index into `trials`.
    row_runner: Vec<Runner>,
}

impl Matrix {
    /// Merges reports.
    pub fn merge(reports: &[Report]) -> Matrix {
        let mut hosts: Vec<Host> = Vec::new();
        let mut trials: Vec<Trial> = Vec::new();
        let mut runs: Vec<(&'static Target, Runner)> = Vec::new();
        for r in reports {
            if !hosts.contains(&r.host) {
                hosts.push(r.host.clone());
            }
            for t in &r.targets {
                if !runs.contains(&(t.target, t.runner)) {
                    runs.push((t.target, t.runner));
                }
            }
            replace_or_push(&mut trials, r.trials.clone(), |t| owned(t.identity()));
        }
        // A trial belongs to its own runner's row, else to its target's
        // first run (a case run another way), else to a row of its own.
        let row_runner: Vec<Runner> = trials
            .iter()
            .map(|t| {
                let own = (t.target, t.runner);
                let runner = match runs.iter().find(|r| **r == own) {
                    Some(_) => t.runner,
                    None => runs
                        .iter()
                        .find(|(target, _)| *target == t.target)
                        .map_or(t.runner, |&(_, r)| r),
                };
                if !runs.contains(&(t.target, runner)) {
                    runs.push((t.target, runner));
                }
                runner
            })
            .collect();
        let rows = lockyard_platforms::TARGETS
            .iter()
            .flat_map(|row| {
                let runs: Vec<Runner> = runs
                    .iter()
                    .filter(|(t, _)| *t == row)
                    .map(|&(_, r)| r)
                    .collect();
                let trials = &trials;
                let row_runner = &row_runner;
                runs.into_iter().map(move |run| {
                    let mut runners = vec![run];
                    for (t, placed) in trials.iter().zip(row_runner) {
                        if t.target == row && *placed == run && !runners.contains(&t.runner) {
                            runners.push(t.runner);
                        }
                    }
                    (row, runners)
                })
            })
            .collect();
        let mut backends: Vec<String> = Vec::new();
        for t in &trials {
            if !backends.contains(&t.backend) {
                backends.push(t.backend.clone());
            }
        }
        Matrix {
            hosts,
            rows,
            backends,
            trials,
            row_runner,
        }
    }

    /// The tally of one cell: the row of `target` run by `runner`.
    pub fn cell(&self, target: &Target, runner: Runner, backend: &str) -> Tally {
        Tally::of(
            self.trials
                .iter()
                .zip(&self.row_runner)
                .filter(|(t, r)| t.target == target && **r == runner && t.backend == backend)
                .map(|(t, _)| t),
        )
    }

    /// The tally of everything.
    pub fn total(&self) -> Tally {
        Tally::of(&self.trials)
    }

    /// The failed trials.
    pub fn failures(&self) -> impl Iterator<Item = &Trial> {
        self.trials.iter().filter(|t| t.outcome == Outcome::Failed)
    }
}

#[cfg(test)]
mod tests {
    use super::super::schema::Figures;
    use super::super::schema::sample::{report, trial, two_targets};
    use super::*;

    fn find(name: &str) -> &'static Target {
        lockyard_platforms::find(name).unwrap()
    }

    #[test]
    fn merge_orders_targets_by_table_and_dedups_hosts() {
        let m = Matrix::merge(&two_targets());
        assert_eq!(m.hosts.len(), 1);
        let rows: Vec<String> = m.rows.iter().map(|(t, _)| t.name()).collect();
        assert_eq!(rows, ["386", "arm64"]);
        assert_eq!(m.backends, ["futex", "spinbit"]);
        assert_eq!(m.cell(find("arm64"), Runner::Qemu, "spinbit").failed, 1);
        assert_eq!(
            m.cell(find("386"), Runner::Qemu, "spinbit"),
            Tally::default()
        );
        assert_eq!(
            m.total(),
            Tally {
                passed: 2,
                failed: 1,
                skipped: 0,
                known: 0,
                seconds: 1.5
            }
        );
    }

    #[test]
    fn later_report_replaces_the_same_trial() {
        let first = report("arm64", vec![trial("arm64", "sema", "x", Outcome::Failed)]);
        let rerun = report("arm64", vec![trial("arm64", "sema", "x", Outcome::Passed)]);
        let m = Matrix::merge(&[first, rerun]);
        assert_eq!(m.trials.len(), 1);
        assert_eq!(m.total().failed, 0);
    }

    #[test]
    fn runners_are_listed_in_order_seen() {
        let mut native = trial("386", "sema", "x", Outcome::Passed);
        native.runner = Runner::Native;
        let m = Matrix::merge(&[report("386", vec![native])]);
        assert_eq!(m.rows, [(find("386"), vec![Runner::Qemu, Runner::Native])]);
        assert_eq!(m.cell(find("386"), Runner::Qemu, "sema").passed, 1);
    }

    #[test]
    fn a_run_on_hardware_is_a_row_beside_the_emulated_one() {
        let emulated = report("arm64", vec![trial("arm64", "futex", "x", Outcome::Passed)]);
        let mut on_hardware = trial("arm64", "futex", "x", Outcome::Failed);
        on_hardware.runner = Runner::Native;
        let mut hardware = report("arm64", vec![on_hardware]);
        hardware.targets[0].runner = Runner::Native;
        let m = Matrix::merge(&[emulated, hardware]);
        assert_eq!(
            m.rows,
            [
                (find("arm64"), vec![Runner::Qemu]),
                (find("arm64"), vec![Runner::Native])
            ]
        );
        assert_eq!(m.cell(find("arm64"), Runner::Qemu, "futex").passed, 1);
        assert_eq!(m.cell(find("arm64"), Runner::Native, "futex").failed, 1);
    }

    #[test]
    fn merging_a_rerun_replaces_its_trials_targets_and_figures() {
        let figures = |jain: f64| Figures {
            target: find("amd64"),
            runner: Runner::Native,
            suite: "starvation".into(),
            measured: serde_json::from_value(serde_json::json!({
                "backend": "futex", "case": "contention_8", "jain": jain,
            }))
            .unwrap(),
        };
        let futex = |trials: [(&str, Outcome); 2], jain: f64| {
            let trials = trials.map(|(case, outcome)| trial("arm64", "futex", case, outcome));
            let mut r = report("arm64", trials.to_vec());
            r.figures.push(figures(jain));
            r
        };
        let mut merged = futex([("a", Outcome::Failed), ("b", Outcome::Passed)], 0.5);
        let mut rerun = futex([("a", Outcome::Passed), ("c", Outcome::Passed)], 0.9);
        rerun.targets[0].scale = Some(0.25);
        for _ in 0..2 {
            merged.merge(rerun.clone());
        }
        let cases: Vec<(&str, Outcome)> = merged
            .trials
            .iter()
            .map(|t| (t.case.as_str(), t.outcome))
            .collect();
        assert_eq!(
            cases,
            [
                ("a", Outcome::Passed),
                ("b", Outcome::Passed),
                ("c", Outcome::Passed)
            ]
        );
        assert_eq!(merged.targets.len(), 1);
        assert_eq!(merged.targets[0].scale, Some(0.25));
        assert_eq!(merged.figures, [figures(0.9)]);
        assert_eq!(merged.wall_s, 3.0);
    }
}
