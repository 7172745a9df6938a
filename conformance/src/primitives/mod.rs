//! The primitives suite: lockyard's lock-avoiding structures (seeds 002–004)
//! in both their forms, the "before" that takes a lock on every access and
//! the "after" that takes it rarely or never, held to the same cases and
//! measured by the same benchmarks.
//!
//! A [`Form`] is one form of one primitive, named `<primitive>-<form>`
//! (`arena-after`); its trials are `<primitive>-<form>::<case>`, which the
//! xtask treats as it treats a backend's, and its benchmark runs under that
//! name, so `cargo xtask bench --compare arena-before,arena-after` tables
//! one against the other.
//!
//! * [`list`]: `lockyard::locked_list` (seed 002, Go's extra-M list).
//! * [`arena`]: `lockyard::arena` (seed 003, the mark-bits arenas).
//! * [`bitmap`]: `lockyard::bitmap` (seed 004, the page-in-use bitmap).
//!
//! The before forms that take a lock take [`lockyard::DefaultLock`]; each
//! is generic over its lock, so a user can run it on any backend.

pub mod arena;
pub mod bitmap;
pub mod list;

use crate::budget::Budget;
use libtest_mimic::Trial;

/// Thread counts of the primitives' benchmarks.
pub const BENCH_THREADS: [usize; 5] = [1, 2, 4, 8, 16];

/// Threads of the storms that flip, put or allocate at once: more than the
/// cores of any machine this runs on, so preemption lands mid-operation.
pub const STORM_THREADS: usize = 8;

/// One form of one primitive, as the suites and the benchmarks see it.
#[derive(Clone, Copy)]
pub struct Form {
    /// `<primitive>-<form>`, the first part of its trial names.
    pub name: &'static str,
    /// Its benchmark's name without the form: `BenchmarkBumpArena`.
    pub bench: &'static str,
    trials: fn(&'static str, &Budget) -> Vec<Trial>,
    workload: Workload,
}

/// A benchmark body: runs `ops` operations on `threads` threads at once
/// (calling `started` once every thread is ready, so the clocks start
/// there), then checks what the structure holds; the error says what was
/// wrong.
pub type Workload = fn(threads: usize, ops: u64, started: &mut dyn FnMut()) -> Result<(), String>;

impl Form {
    /// A form named `name` with the trials `trials(name, budget)` makes and
    /// the benchmark `bench`.
    pub const fn new(
        name: &'static str,
        bench: &'static str,
        trials: fn(&'static str, &Budget) -> Vec<Trial>,
        workload: Workload,
    ) -> Form {
        Form {
            name,
            bench,
            trials,
            workload,
        }
    }

    /// Its trials, named `<primitive>-<form>::<case>`.
    pub fn trials(&self, budget: &Budget) -> Vec<Trial> {
        (self.trials)(self.name, budget)
    }

    /// Runs its benchmark body once; see [`Workload`].
    pub fn run(&self, threads: usize, ops: u64, started: &mut dyn FnMut()) -> Result<(), String> {
        (self.workload)(threads, ops, started)
    }
}

/// Every form, before then after, primitive by primitive.
pub static FORMS: &[Form] = &[
    list::BEFORE,
    list::AFTER,
    arena::BEFORE,
    arena::AFTER,
    bitmap::BEFORE,
    bitmap::AFTER,
];

/// The positive controls of the primitives: each breaks an after form the
/// way the seeds warn against (see the README's table for who catches each).
pub static CONTROLS: &[Form] = &[list::CONTROL, arena::CONTROL, bitmap::CONTROL];

/// Every form's trials, then the controls' when [`env::MUTANTS`] asks for
/// them (with [`Budget::for_controls`]).
///
/// [`env::MUTANTS`]: lockyard_platforms::env::MUTANTS
pub fn trials(budget: &Budget) -> Vec<Trial> {
    let mut trials: Vec<Trial> = FORMS.iter().flat_map(|f| f.trials(budget)).collect();
    if crate::registry::controls_enabled() {
        let short = budget.for_controls();
        trials.extend(CONTROLS.iter().flat_map(|f| f.trials(&short)));
    }
    trials
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_primitive_then_form_and_unique() {
        let mut names: Vec<&str> = FORMS.iter().chain(CONTROLS).map(|f| f.name).collect();
        for name in &names {
            let (primitive, form) = name.split_once('-').expect("<primitive>-<form>");
            assert!(!primitive.is_empty() && !form.is_empty(), "{name}");
        }
        names.sort_unstable();
        let len = names.len();
        names.dedup();
        assert_eq!(names.len(), len, "duplicate form name");
    }

    #[test]
    fn every_trial_is_named_form_then_case() {
        let budget = Budget::default();
        for form in FORMS.iter().chain(CONTROLS) {
            crate::watchdog::assert_named(form.name, &form.trials(&budget));
        }
    }
}
