//! The backends under test: one line each.

use crate::budget::Budget;
use crate::cases;
use crate::mutants;
use crate::peers::{ParkingLotLock, PthreadLock, SpinLock, StdLock};
use libtest_mimic::Trial;
use lockyard::RawLock;
use lockyard::futex::RawFutex;
use lockyard::sema::RawSema;
use lockyard::spinbit::{RawSpinbit, RawSpinbitLowLatency, RawSpinbitWord};

/// What a backend promises beyond the [`RawLock`] contract; each promise
/// adds or sharpens the cases that hold it to it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Promises {
    /// Its waiters sleep on lockyard's per-thread waiter nodes, so threads
    /// that exit must leave their nodes to the pool for new ones.
    pub waiter_nodes: bool,
    /// The oldest sleeper is woken eventually however hard others contend
    /// (spinbit's tail wake).
    pub tail_wake: bool,
    /// A thread that keeps retaking the lock cannot shut out one that comes
    /// back now and then: Go's TestMutexFairness. Every lockyard backend,
    /// whose woken waiters do not yield (lockyard's `primitive::passive_spin`).
    pub latecomer_gets_in: bool,
}

impl Promises {
    /// Nothing beyond the contract: the peers, which the suites measure
    /// rather than hold to lockyard's promises.
    pub const NONE: Promises = Promises {
        waiter_nodes: false,
        tail_wake: false,
        latecomer_gets_in: false,
    };
    /// A sleeper on the lock word itself (futex).
    pub const FUTEX: Promises = Promises {
        latecomer_gets_in: true,
        ..Promises::NONE
    };
    /// A stack of sleepers on waiter nodes (sema).
    pub const WAITER_NODES: Promises = Promises {
        waiter_nodes: true,
        ..Promises::FUTEX
    };
    /// Every spinbit flavor.
    pub const SPINBIT: Promises = Promises {
        tail_wake: true,
        ..Promises::WAITER_NODES
    };
}

/// A backend under test: its name and how to make its trials.
#[derive(Clone, Copy)]
pub struct Backend {
    /// [`RawLock::NAME`], the first part of every trial name.
    pub name: &'static str,
    /// What the cases may hold it to.
    pub promises: Promises,
    trials: fn(Promises, &Budget) -> Vec<Trial>,
    starvation: fn(Promises, &Budget) -> Vec<Trial>,
    throughput: fn() -> crate::throughput::Runner,
}

impl Backend {
    /// The backend `L`.
    pub const fn of<L: RawLock + 'static>(promises: Promises) -> Backend {
        Backend {
            name: L::NAME,
            promises,
            trials: cases::trials::<L>,
            starvation: crate::starvation::trials::<L>,
            throughput: crate::throughput::Runner::of::<L>,
        }
    }

    /// Its starvation trials, named `<backend>::<case>`.
    pub fn starvation_trials(&self, budget: &Budget) -> Vec<Trial> {
        (self.starvation)(self.promises, budget)
    }

    /// Its throughput benchmarks.
    pub fn throughput(&self) -> crate::throughput::Runner {
        (self.throughput)()
    }

    /// Its trials, named `<backend>::<case>`.
    pub fn trials(&self, budget: &Budget) -> Vec<Trial> {
        (self.trials)(self.promises, budget)
    }
}

/// The backend list, with spinbit's byte-path flavor after the word path
/// where lockyard has one.
macro_rules! backend_list {
    ($($byte_path:ty)?) => {
        &[
            Backend::of::<RawFutex>(Promises::FUTEX),
            Backend::of::<RawSema>(Promises::WAITER_NODES),
            Backend::of::<RawSpinbit>(Promises::SPINBIT),
            Backend::of::<RawSpinbitLowLatency>(Promises::SPINBIT),
            Backend::of::<RawSpinbitWord>(Promises::SPINBIT),
            $(Backend::of::<$byte_path>(Promises::SPINBIT),)?
            // The peers users would pick instead.
            Backend::of::<StdLock>(Promises::NONE),
            Backend::of::<ParkingLotLock>(Promises::NONE),
            Backend::of::<PthreadLock>(Promises::NONE),
            Backend::of::<SpinLock>(Promises::NONE),
        ]
    };
}

lockyard::if_xchg8! {
    {
        /// Every backend the suite runs, main matrix first.
        pub static BACKENDS: &[Backend] =
            backend_list!(lockyard::spinbit::RawSpinbitXchg8);
    } else {
        /// Every backend the suite runs, main matrix first.
        pub static BACKENDS: &[Backend] = backend_list!();
    }
}

/// The names of every backend, in [`BACKENDS`] order.
pub fn names() -> impl Iterator<Item = &'static str> {
    BACKENDS.iter().map(|b| b.name)
}

/// The backends a suite runs: [`BACKENDS`], then the positive controls of
/// [`mutants::MUTANTS`] when [`mutants::enabled`] says so, each
/// paired with the budget its trials get. A suite iterates this, not
/// [`BACKENDS`], so `cargo xtask mutants` can run the controls against it.
pub fn under_test(budget: &Budget) -> impl Iterator<Item = (&'static Backend, Budget)> {
    let budget = *budget;
    let controls = if mutants::enabled() {
        mutants::MUTANTS
    } else {
        &[]
    };
    BACKENDS
        .iter()
        .map(move |b| (b, budget))
        .chain(controls.iter().map(move |b| (b, mutants::budget(&budget))))
}

/// The trials of every backend [`under_test`].
pub fn trials(budget: &Budget) -> Vec<Trial> {
    under_test(budget)
        .flat_map(|(b, budget)| b.trials(&budget))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_the_main_matrix_is_there() {
        let names: Vec<&str> = names().collect();
        for main in ["futex", "sema", "spinbit"] {
            assert!(names.contains(&main), "{main} missing from {names:?}");
        }
        let mut sorted = names.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), names.len(), "duplicate in {names:?}");
    }

    #[test]
    fn every_trial_is_named_backend_then_case() {
        let budget = Budget::default();
        for backend in BACKENDS {
            let trials = backend.trials(&budget);
            assert!(!trials.is_empty(), "{} has no trials", backend.name);
            for trial in &trials {
                let case = trial
                    .name()
                    .strip_prefix(backend.name)
                    .and_then(|rest| rest.strip_prefix("::"));
                assert!(
                    case.is_some_and(|c| !c.is_empty() && !c.contains("::")),
                    "{:?} is not {}::<case>",
                    trial.name(),
                    backend.name
                );
            }
        }
    }
}
