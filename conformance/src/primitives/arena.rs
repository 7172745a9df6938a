//! (being written)

use super::Form;
use crate::budget::Budget;
use libtest_mimic::Trial;

fn trials(_form: &'static str, _budget: &Budget) -> Vec<Trial> {
    Vec::new()
}

fn workload(_threads: usize, _ops: u64, _started: &mut dyn FnMut()) -> Result<(), String> {
    Err("not yet".into())
}

/// Before.
pub const BEFORE: Form = Form::new("arena-before", "BenchmarkBumpArena", trials, workload);
/// After.
pub const AFTER: Form = Form::new("arena-after", "BenchmarkBumpArena", trials, workload);
/// Control.
pub const CONTROL: Form = Form::new("arena-control", "BenchmarkBumpArena", trials, workload);
