//! `lockyard::locked_list` (seed 002): `list-before` counts under the head
//! lock and reads the count under it ([`LockedLen`]), `list-after` reads an
//! atomic count without it ([`AtomicLen`]), and the `list-latelen` control
//! updates the count after the unlock ([`LateLen`]).
//!
//! The cases pass elements between threads through one list, each thread
//! marking an element taken while it holds it, so an element handed to two
//! threads at once or lost on the way shows; a watcher reads the length the
//! whole time, which must stay within the elements there are.

use super::{Form, STORM_THREADS};
use crate::budget::Budget;
use crate::controls::LateLen;
use crate::watchdog::trial;
use crate::workers::{in_parallel, panic_message};
use anyhow::{bail, ensure};
use libtest_mimic::Trial;
use lockyard::locked_list::{AtomicLen, Length, Link, Linked, LockedLen, LockedList};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Gets and puts per storm thread when elements are plenty.
const SPARE_ROUNDS: usize = 100_000;
/// Elements of that storm: more than its threads, so a get rarely waits.
const SPARE_ELEMENTS: usize = 4 * STORM_THREADS;
/// Gets and puts per storm thread when elements are scarce: each wait for
/// an element sleeps, so fewer.
const SCARCE_ROUNDS: usize = 10_000;
/// Elements of that storm: half its threads, so gets wait on an empty list.
const SCARCE_ELEMENTS: usize = STORM_THREADS / 2;

/// The seed's before.
pub const BEFORE: Form = Form::new(
    "list-before",
    "BenchmarkLockedList",
    trials::<LockedLen>,
    workload::<LockedLen>,
);
/// The seed's after.
pub const AFTER: Form = Form::new(
    "list-after",
    "BenchmarkLockedList",
    trials::<AtomicLen>,
    workload::<AtomicLen>,
);
/// The positive control: the count updated outside the critical section.
pub const CONTROL: Form = Form::new(
    "list-latelen",
    "BenchmarkLockedList",
    trials::<LateLen>,
    workload::<LateLen>,
);

/// An element: its link, its name, and whether a thread holds it now.
struct Element {
    link: Link,
    id: usize,
    taken: AtomicBool,
}

// SAFETY: `link` is a field of the element, used by one list.
unsafe impl Linked for Element {
    fn link(&self) -> &Link {
        &self.link
    }
}

fn elements(n: usize) -> Vec<Element> {
    (0..n)
        .map(|id| Element {
            link: Link::new(),
            id,
            taken: AtomicBool::new(false),
        })
        .collect()
}

/// A list holding every element of `elements`.
fn full<'a, N: Length>(elements: &'a [Element]) -> LockedList<'a, Element, N> {
    let list = LockedList::new();
    for element in elements {
        list.put(element);
    }
    list
}

fn trials<N: Length + 'static>(form: &'static str, budget: &Budget) -> Vec<Trial> {
    vec![
        trial(form, "storm_with_spare_elements", *budget, |budget, _| {
            storm::<N>(SPARE_ELEMENTS, budget.count(SPARE_ROUNDS))
        }),
        trial(form, "storm_with_scarce_elements", *budget, |budget, _| {
            storm::<N>(SCARCE_ELEMENTS, budget.count(SCARCE_ROUNDS))
        }),
        trial(form, "last_is_reported", *budget, |_, _| {
            last_is_reported::<N>()
        }),
        trial(form, "second_put_panics", *budget, |_, _| {
            second_put_panics::<N>()
        }),
    ]
}

/// [`STORM_THREADS`] threads each take and return an element `rounds`
/// times while one more reads the length; then the list must hold every
/// element once.
fn storm<N: Length>(total: usize, rounds: usize) -> anyhow::Result<()> {
    let elements = elements(total);
    let list = full::<N>(&elements);
    let movers_left = AtomicU64::new(STORM_THREADS as u64);
    let results = in_parallel(STORM_THREADS + 1, |i| -> anyhow::Result<()> {
        if i == STORM_THREADS {
            // Relaxed: a stop signal; the join orders what matters.
            while movers_left.load(Ordering::Relaxed) > 0 {
                let len = list.len();
                ensure!(len <= total, "len() said {len} of {total} elements");
            }
            return Ok(());
        }
        let moved = (|| {
            for _ in 0..rounds {
                let (element, _) = list.get();
                // Relaxed: the list's lock orders the hand-over; the flag
                // only has to see two holders at once.
                if element.taken.swap(true, Ordering::Relaxed) {
                    bail!("element {} was handed to two threads", element.id);
                }
                let len = list.len();
                ensure!(
                    len < total,
                    "len() said {len} with element {} out",
                    element.id
                );
                element.taken.store(false, Ordering::Relaxed);
                list.put(element);
            }
            Ok(())
        })();
        movers_left.fetch_sub(1, Ordering::Relaxed);
        moved
    })?;
    for result in results {
        result?;
    }
    ensure!(
        list.len() == total,
        "len() is {} after the storm, not {total}",
        list.len()
    );
    drain(&list, total)
}

/// Empties `list`, which must hold each of `total` elements once and say
/// "last" only for the final one.
fn drain<N: Length>(list: &LockedList<Element, N>, total: usize) -> anyhow::Result<()> {
    let mut seen = vec![false; total];
    for n in 1..=total {
        let Some((element, last)) = list.try_get() else {
            bail!("only {} of {total} elements came back", n - 1);
        };
        ensure!(
            !seen[element.id],
            "element {} is on the list twice",
            element.id
        );
        seen[element.id] = true;
        ensure!(
            last == (n == total),
            "get {n} of {total} said last = {last}"
        );
    }
    ensure!(list.try_get().is_none(), "more elements than were put");
    ensure!(list.is_empty(), "len() is {} on an empty list", list.len());
    Ok(())
}

/// Gets return the last put first and say when the list became empty.
fn last_is_reported<N: Length>() -> anyhow::Result<()> {
    let elements = elements(3);
    let list = full::<N>(&elements);
    ensure!(list.len() == 3, "len() is {} after 3 puts", list.len());
    let got: Vec<(usize, bool)> = (0..3).map(|_| list.get()).map(|(e, l)| (e.id, l)).collect();
    ensure!(
        got == [(2, false), (1, false), (0, true)],
        "gets returned (id, last) = {got:?}"
    );
    ensure!(
        list.try_get().is_none() && list.is_empty(),
        "the list is not empty"
    );
    Ok(())
}

/// Putting an element that is on the list panics and leaves the list as
/// it was.
fn second_put_panics<N: Length>() -> anyhow::Result<()> {
    let elements = elements(2);
    let list = full::<N>(&elements);
    // The default panic hook prints the expected panic: that line is this
    // check working.
    let Err(payload) = catch_unwind(AssertUnwindSafe(|| list.put(&elements[0]))) else {
        bail!("a second put of an element returned");
    };
    let message = panic_message(payload.as_ref());
    ensure!(
        message.contains("already on a list"),
        "it panicked with {message:?}"
    );
    ensure!(
        list.len() == 2,
        "len() is {} after the refused put",
        list.len()
    );
    drain(&list, 2)
}

/// `BenchmarkLockedList`: every thread takes an element, reads the length
/// (as Go's `needm` then `newextram` do) and puts it back, `ops` times in
/// all; the list then holds every element once.
fn workload<N: Length>(threads: usize, ops: u64, started: &mut dyn FnMut()) -> Result<(), String> {
    let total = 2 * threads;
    let elements = elements(total);
    let list = full::<N>(&elements);
    let per_thread = ops.div_ceil(threads as u64);
    let lengths = AtomicU64::new(0);
    crate::throughput::workloads::parallel(threads, started, |_| {
        let mut sum = 0;
        for _ in 0..per_thread {
            let (element, _) = list.get();
            sum += list.len() as u64;
            list.put(element);
        }
        // Relaxed: read after the join.
        lengths.fetch_add(sum, Ordering::Relaxed);
    });
    let most = per_thread * threads as u64 * total as u64;
    if lengths.load(Ordering::Relaxed) > most {
        return Err(format!(
            "len() summed past {most}: a count above the elements"
        ));
    }
    drain(&list, total).map_err(|e| format!("{e:#}"))
}
