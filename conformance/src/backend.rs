//! A backend as the suites see it: its name, its promises, and how to make
//! its trials and benchmarks. It sits above the suites, which are generic
//! over [`RawLock`] and never name it.

use crate::budget::Budget;
use crate::cases;
use crate::cases::fair_timed::FairTimed;
use crate::promises::Promises;
use crate::starvation;
use crate::throughput::Runner;
use libtest_mimic::Trial;
use lockyard::RawLock;

/// A backend under test: its name and how to make its trials.
#[derive(Clone, Copy)]
pub struct Backend {
    /// [`RawLock::NAME`], the first part of every trial name.
    pub name: &'static str,
    /// What the cases may hold it to.
    pub promises: Promises,
    trials: fn(Promises, &Budget) -> Vec<Trial>,
    /// The fair and timed cases, where it has lock_api's traits for them.
    fair_timed: Option<fn(&Budget) -> Vec<Trial>>,
    starvation: fn(Promises, &Budget) -> Vec<Trial>,
    throughput: fn() -> Runner,
}

impl Backend {
    /// The backend `L`.
    pub const fn of<L: RawLock + 'static>(promises: Promises) -> Backend {
        Backend {
            name: L::NAME,
            promises,
            trials: cases::trials::<L>,
            fair_timed: None,
            starvation: starvation::trials::<L>,
            throughput: Runner::of::<L>,
        }
    }

    /// The backend `L`, with the fair and timed cases (lock_api's
    /// `RawMutexFair` and `RawMutexTimed`) among its trials.
    pub const fn of_fair_timed<L: FairTimed + 'static>(promises: Promises) -> Backend {
        Backend {
            fair_timed: Some(cases::fair_timed::trials::<L>),
            ..Backend::of::<L>(promises)
        }
    }

    /// Its starvation trials, named `<backend>::<case>`.
    pub fn starvation_trials(&self, budget: &Budget) -> Vec<Trial> {
        (self.starvation)(self.promises, budget)
    }

    /// Its throughput benchmarks.
    pub fn throughput(&self) -> Runner {
        (self.throughput)()
    }

    /// Its trials, named `<backend>::<case>`.
    pub fn trials(&self, budget: &Budget) -> Vec<Trial> {
        let mut trials = (self.trials)(self.promises, budget);
        if let Some(fair_timed) = self.fair_timed {
            trials.extend(fair_timed(budget));
        }
        trials
    }
}
