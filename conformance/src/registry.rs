//! The backends under test, one line each, and the positive controls that
//! run beside them when asked.

use crate::backend::Backend;
use crate::budget::Budget;
use crate::controls::{
    Allocating, Busted, LittleByte, LostWake, NoHandoff, NoLeave, Relaxed, Starving, Unmutated,
};
#[cfg(unix)]
use crate::peers::PthreadLock;
use crate::peers::{ParkingLotLock, SpinLock, StdLock};
use crate::promises::Promises;
use libtest_mimic::Trial;
use lockyard::futex::RawFutex;
use lockyard::sema::RawSema;
use lockyard::spinbit::{RawSpinbit, RawSpinbitBounded, RawSpinbitLowLatency, RawSpinbitWord};
use lockyard_platforms::env;

/// The backend list, with spinbit's byte-path flavor after the word path
/// where lockyard has one.
macro_rules! backend_list {
    ($($byte_path:ty)?) => {
        &[
            Backend::of_fair_timed::<RawFutex>(Promises::FUTEX),
            Backend::of_fair_timed::<RawSema>(Promises::WAITER_NODES),
            Backend::of_fair_timed::<RawSpinbit>(Promises::SPINBIT),
            Backend::of_fair_timed::<RawSpinbitBounded>(Promises::SPINBIT_BOUNDED),
            Backend::of_fair_timed::<RawSpinbitLowLatency>(Promises::SPINBIT),
            Backend::of_fair_timed::<RawSpinbitWord>(Promises::SPINBIT),
            $(Backend::of_fair_timed::<$byte_path>(Promises::SPINBIT),)?
            // The peers users would pick instead.
            Backend::of::<StdLock>(Promises::ALLOCATOR_SAFE),
            Backend::of::<ParkingLotLock>(Promises::NONE),
            // POSIX's mutex: not on Windows.
            #[cfg(unix)]
            Backend::of::<PthreadLock>(Promises::ALLOCATOR_SAFE),
            Backend::of::<SpinLock>(Promises::ALLOCATOR_SAFE),
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

/// The positive controls (see [`crate::controls`]), then the unmutated
/// reference that runs beside them.
pub static CONTROLS: &[Backend] = &[
    Backend::of::<Busted>(Promises::NONE),
    Backend::of::<RawSpinbit<LostWake>>(Promises::SPINBIT),
    Backend::of::<RawSpinbit<Starving>>(Promises::SPINBIT),
    Backend::of::<RawSpinbit<Relaxed>>(Promises::SPINBIT),
    Backend::of::<RawSpinbit<LittleByte>>(Promises::SPINBIT),
    // Promises the bound it no longer keeps.
    Backend::of::<RawSpinbit<NoHandoff>>(Promises::SPINBIT_BOUNDED),
    Backend::of_fair_timed::<RawSpinbit<NoLeave>>(Promises::SPINBIT),
    // Promises allocator safety, which it breaks.
    Backend::of::<Allocating>(Promises::ALLOCATOR_SAFE),
    Backend::of_fair_timed::<RawSpinbit<Unmutated>>(Promises::SPINBIT),
];

/// Whether [`env::MUTANTS`] asks for the [`CONTROLS`]: set, and neither
/// empty nor `0`.
pub(crate) fn controls_enabled() -> bool {
    std::env::var(env::MUTANTS).is_ok_and(|v| !v.is_empty() && v != "0")
}

/// The backends a suite runs: [`BACKENDS`], then the [`CONTROLS`] when
/// [`env::MUTANTS`] asks for them, each paired with the budget its trials
/// get ([`Budget::for_controls`] for a control). A suite iterates this, not
/// [`BACKENDS`], so `cargo xtask mutants` can run the controls against it.
pub fn under_test(budget: &Budget) -> impl Iterator<Item = (&'static Backend, Budget)> {
    let budget = *budget;
    let controls = if controls_enabled() { CONTROLS } else { &[] };
    BACKENDS
        .iter()
        .map(move |b| (b, budget))
        .chain(controls.iter().map(move |b| (b, budget.for_controls())))
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

    /// The xtask picks a foreign crate's starvation trials out by name
    /// (`MEASURING_CASES`): they must match, and nothing else may.
    #[test]
    fn measuring_cases_are_the_starvation_trials() {
        use lockyard_platforms::suite::is_measuring;
        let budget = Budget::default();
        let case = |t: &Trial| t.name().split_once("::").map(|(_, c)| c.to_string());
        for backend in BACKENDS {
            for t in backend.starvation_trials(&budget) {
                let c = case(&t).expect("named backend::case");
                assert!(
                    is_measuring(&c),
                    "starvation case {c} is not in MEASURING_CASES"
                );
            }
            for t in backend.trials(&budget) {
                let c = case(&t).expect("named backend::case");
                assert!(
                    !is_measuring(&c),
                    "conformance case {c} looks like a measuring one"
                );
            }
        }
    }

    /// The xtask reports these as skipped off POSIX by name: on POSIX each
    /// must be a case of every backend, or the backend itself, so that a
    /// renamed case cannot leave its skip reason pointing at nothing.
    #[cfg(unix)]
    #[test]
    fn posix_only_names_are_cases_and_backends() {
        use lockyard_platforms::suite::{POSIX_ONLY_BACKENDS, POSIX_ONLY_CASES};
        let budget = Budget::default();
        for backend in BACKENDS {
            let trials: Vec<String> = backend
                .trials(&budget)
                .iter()
                .map(|t| t.name().to_string())
                .collect();
            for case in POSIX_ONLY_CASES {
                let name = format!("{}::{}", backend.name, case.name);
                assert!(trials.contains(&name), "{name} missing");
            }
        }
        for peer in POSIX_ONLY_BACKENDS {
            let backend = BACKENDS.iter().find(|b| b.name == peer.name).unwrap();
            let has = |trials: Vec<Trial>| !trials.is_empty();
            assert!(has(backend.trials(&budget)), "{}", peer.name);
            assert_eq!(
                has(backend.starvation_trials(&budget)),
                peer.suites.contains(&"starvation"),
                "{}",
                peer.name
            );
        }
        for case in POSIX_ONLY_CASES {
            assert_eq!(case.suites, ["conformance"], "{}", case.name);
        }
    }

    #[test]
    fn every_trial_is_named_backend_then_case() {
        let budget = Budget::default();
        for backend in BACKENDS {
            crate::watchdog::assert_named(backend.name, &backend.trials(&budget));
        }
    }
}
