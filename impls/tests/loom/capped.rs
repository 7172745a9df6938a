//! A loom model builder whose preemption bound is capped, for models whose
//! state space explodes past a bound lower than the run's: the run's bound
//! (`LOOM_MAX_PREEMPTIONS`) when lower, else the cap.

/// The builder for a model that runs at preemption bound `cap` at most.
pub(crate) fn capped(cap: usize) -> loom::model::Builder {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(builder.preemption_bound.map_or(cap, |b| b.min(cap)));
    builder
}
