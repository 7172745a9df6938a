//! Turns a hung case into a failed one that says what the locks looked like.
//!
//! A lost wakeup or a deadlock shows up as a thread that never returns. The
//! case runs on a thread of its own while the trial's thread waits for it
//! with a deadline; past it, the trial fails with the state of every lock the
//! case asked to have watched, and the stuck threads are left behind. Under
//! nextest each test is a process of its own, so they die with it.

use crate::budget::Budget;
use crate::workers::outcome;
use anyhow::{Context, bail};
use libtest_mimic::Trial;
use lockyard::RawLock;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

/// Something a hang report can describe: a lock, or a case's shared state
/// (a lock with its progress counters).
pub trait Inspect: Send + Sync {
    /// A one-line account of the current state, read without blocking.
    fn inspect(&self) -> String;
}

/// A lock's own account of its state: its word, `is_locked` and
/// `is_contended`.
pub fn lock_state<L: RawLock>(lock: &L) -> String {
    let word = lock
        .state_word()
        .map_or_else(|| "(not one word)".to_owned(), |w| format!("{w:#x}"));
    format!(
        "{} word {word}, is_locked {}, is_contended {}",
        L::NAME,
        lock.is_locked(),
        lock.is_contended()
    )
}

/// What a running case has asked the watchdog to report if it hangs.
#[derive(Default)]
pub struct Watch {
    watched: Mutex<Vec<Weak<dyn Inspect>>>,
}

impl Watch {
    /// Adds `item` to the hang report. Only a weak reference is kept, so the
    /// case still decides when its locks are freed; freed ones drop out of
    /// the report.
    pub fn watch<T: Inspect + 'static>(&self, item: &Arc<T>) {
        let weak: Weak<dyn Inspect> = Arc::downgrade(item) as Weak<dyn Inspect>;
        let mut watched = self.watched.lock().unwrap_or_else(|e| e.into_inner());
        watched.retain(|w| w.strong_count() > 0);
        watched.push(weak);
    }

    fn report(&self) -> String {
        let watched = self.watched.lock().unwrap_or_else(|e| e.into_inner());
        let lines: Vec<String> = watched
            .iter()
            .filter_map(Weak::upgrade)
            .map(|item| format!("\n  {}", item.inspect()))
            .collect();
        if lines.is_empty() {
            " (the case watched no live lock)".to_owned()
        } else {
            lines.concat()
        }
    }
}

/// The libtest trial `<backend>::<case>`: `body` under the watchdog, with
/// `budget`'s watchdog deadline.
pub fn trial(
    backend: &str,
    case: &str,
    budget: Budget,
    body: impl FnOnce(&Budget, &Watch) -> anyhow::Result<()> + Send + 'static,
) -> Trial {
    let name = format!("{backend}::{case}");
    Trial::test(name.clone(), move || {
        run(&name, budget.watchdog, move |watch| body(&budget, watch))
            .map_err(|e| format!("{e:#}").into())
    })
}

/// Runs `case` on its own thread named `name` (the trial's name) and waits
/// for it at most `deadline`.
///
/// # Errors
///
/// What `case` returns; a panic of the case thread, with its message; or,
/// past the deadline, a hang report naming the trial and the state of what
/// the case watched.
pub fn run(
    name: &str,
    deadline: Duration,
    case: impl FnOnce(&Watch) -> anyhow::Result<()> + Send + 'static,
) -> anyhow::Result<()> {
    let watch = Arc::new(Watch::default());
    let (done, result) = mpsc::channel();
    let thread = {
        let watch = Arc::clone(&watch);
        std::thread::Builder::new()
            .name(name.to_owned())
            .spawn(move || {
                // The receiver is gone only after a timeout, when nobody
                // listens any more.
                let _ = done.send(case(&watch));
            })
            .context("cannot start the case thread")?
    };
    match result.recv_timeout(deadline) {
        Ok(result) => {
            // It has sent its result, so it is finishing: the join is short.
            let _ = thread.join();
            result
        }
        Err(RecvTimeoutError::Disconnected) => {
            outcome(Some(name), thread.join())?;
            bail!("{name} ended without a result")
        }
        Err(RecvTimeoutError::Timeout) => bail!(
            "{name} hung: not done after {deadline:?}; its threads are left behind. \
             Watched state:{}",
            watch.report()
        ),
    }
}

/// Short deadlines for the unit tests that feed a case a broken lock, so
/// each fails within seconds; the waits a case bounds itself (settle,
/// starvation) end before the watchdog, so their own errors come first.
#[cfg(test)]
const SHORT: Budget = Budget {
    scale: 1.0,
    watchdog: Duration::from_secs(3),
    settle: Duration::from_secs(1),
    starvation: Duration::from_secs(1),
    hold: crate::budget::HOLD,
};

/// Runs `case` under the watchdog as the suite does, on [`SHORT`] deadlines,
/// and returns its error: for the unit tests that show a case catches a
/// broken lock. Panics if the case passes.
#[cfg(test)]
pub(crate) fn failure(
    name: &str,
    case: impl FnOnce(&Budget, &Watch) -> anyhow::Result<()> + Send + 'static,
) -> String {
    match run(name, SHORT.watchdog, move |w| case(&SHORT, w)) {
        Ok(()) => panic!("{name} passed a broken lock"),
        Err(e) => format!("{e:#}"),
    }
}

/// Fails unless `owner` has trials and each is named `<owner>::<case>`, as
/// [`trial`] names them: for the registries' unit tests.
#[cfg(test)]
pub(crate) fn assert_named(owner: &str, trials: &[Trial]) {
    assert!(!trials.is_empty(), "{owner} has no trials");
    for trial in trials {
        let case = trial
            .name()
            .strip_prefix(owner)
            .and_then(|rest| rest.strip_prefix("::"));
        assert!(
            case.is_some_and(|c| !c.is_empty() && !c.contains("::")),
            "{:?} is not {owner}::<case>",
            trial.name()
        );
    }
}
