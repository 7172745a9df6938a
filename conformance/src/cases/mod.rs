//! The cases, and the table that turns them into one backend's trials.
//!
//! Every case is a function generic over [`RawLock`] that returns an error
//! saying what went wrong; [`trials`] runs each under the watchdog as a trial
//! named `<backend>::<case>`.

pub mod churn;
pub mod fair_timed;
#[cfg(unix)]
pub mod foreign_thread;
pub mod global_allocator;
pub mod lost_wakeup;
pub mod many_locks;
pub mod misuse;
pub mod mutual_exclusion;
#[cfg(unix)]
pub mod signals;
pub mod tail_wake;
pub mod tls_destructor;
pub mod try_lock;

use crate::budget::{Budget, MUTUAL_EXCLUSION_THREADS};
use crate::promises::Promises;
use crate::watchdog::{self, Watch};
use libtest_mimic::Trial;
use lockyard::RawLock;

/// Every case that applies to a backend with `promises`, as trials.
pub fn trials<L: RawLock + 'static>(promises: Promises, budget: &Budget) -> Vec<Trial> {
    let budget = *budget;
    let mut trials: Vec<Trial> = MUTUAL_EXCLUSION_THREADS
        .iter()
        .map(|&threads| {
            trial::<L>(
                &format!("mutual_exclusion_{threads}"),
                budget,
                move |b, w| mutual_exclusion::run::<L>(b, w, threads),
            )
        })
        .collect();
    trials.extend([
        trial::<L>("try_lock", budget, try_lock::run::<L>),
        trial::<L>(
            "no_lost_wakeup_ping_pong",
            budget,
            lost_wakeup::ping_pong::<L>,
        ),
        trial::<L>(
            "no_lost_wakeup_long_hold",
            budget,
            lost_wakeup::long_hold::<L>,
        ),
        trial::<L>("thread_churn", budget, move |b, w| {
            churn::run::<L>(b, w, promises.waiter_nodes)
        }),
        trial::<L>("many_locks", budget, many_locks::run::<L>),
        trial::<L>("unlock_of_unlocked_lock", budget, misuse::run::<L>),
        trial::<L>("tls_destructor", budget, move |b, w| {
            tls_destructor::run::<L>(b, w, promises.waiter_nodes)
        }),
        // Held where promised. Elsewhere (parking_lot) it runs on request
        // (`--run-ignored all`; `cargo xtask test` runs it as a known
        // limitation of the peer): it may abort or hang its process, which
        // under plain `cargo test` is every trial's.
        trial::<L>("global_allocator", budget, global_allocator::run::<L>)
            .with_ignored_flag(!promises.allocator_safe),
    ]);
    #[cfg(unix)]
    trials.extend([
        // Miri cannot call sigaction and friends (foreign functions): under
        // it (a foreign crate's `cargo miri test`) the case is ignored.
        trial::<L>("no_lost_wakeup_signals", budget, signals::run::<L>)
            .with_ignored_flag(cfg!(miri)),
        trial::<L>("foreign_thread", budget, move |b, w| {
            foreign_thread::run::<L>(b, w, promises.waiter_nodes)
        }),
    ]);
    if promises.tail_wake {
        trials.push(trial::<L>(
            "oldest_sleeper_wakes",
            budget,
            tail_wake::run::<L>,
        ));
    }
    trials
}

/// The trial `<backend>::<case>` of backend `L`.
fn trial<L: RawLock + 'static>(
    case: &str,
    budget: Budget,
    body: impl FnOnce(&Budget, &Watch) -> anyhow::Result<()> + Send + 'static,
) -> Trial {
    watchdog::trial(L::NAME, case, budget, body)
}
