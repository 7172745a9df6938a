//! A snapshot of the profile, its symbols and its text report.

use super::symbols::{Frame, calls, is_machinery, resolve};
use super::table::{self, SITES, Totals};
use super::{rate, wait_metric};
use core::fmt;
use core::time::Duration;
use std::sync::OnceLock;

/// The profile at one moment: see [`snapshot`](super::snapshot).
#[derive(Clone, Debug)]
pub struct Profile {
    sites: Vec<Site>,
    lost: u64,
    rate: u32,
    total_wait: Duration,
}

/// The unlocks charged from one call stack.
#[derive(Clone, Debug)]
pub struct Site {
    frames: Vec<usize>,
    contentions: u64,
    delay: Duration,
    max: Duration,
    /// The calls at each of `frames`, resolved once, when first asked.
    resolved: OnceLock<Vec<Vec<Frame>>>,
}

impl Profile {
    pub(super) fn collect() -> Profile {
        // Allocated before the table is held, so holding it never allocates
        // (an allocator guarded by a lockyard lock may sample as it runs).
        let mut copy = vec![Totals::EMPTY; SITES];
        table::with(|sites| copy.copy_from_slice(sites));
        let mut sites: Vec<Site> = copy
            .iter()
            .filter(|t| t.count != 0)
            .map(|t| Site {
                frames: t.frames[..t.depth].to_vec(),
                contentions: t.count,
                delay: Duration::from_nanos(t.delay_ns),
                max: Duration::from_nanos(t.max_ns),
                resolved: OnceLock::new(),
            })
            .collect();
        sites.sort_by_key(|s| core::cmp::Reverse(s.delay));
        Profile {
            sites,
            lost: table::lost(),
            rate: rate::sampled_at(),
            total_wait: wait_metric::total_wait(),
        }
    }

    /// The sites, most total delay first.
    pub fn sites(&self) -> &[Site] {
        &self.sites
    }

    /// Sampled unlocks charged, over every site.
    pub fn contentions(&self) -> u64 {
        self.sites.iter().map(|s| s.contentions).sum()
    }

    /// Delay charged, over every site.
    pub fn delay(&self) -> Duration {
        self.sites.iter().map(|s| s.delay).sum()
    }

    /// Samples dropped: the table was full, or one of two pending samples
    /// on a thread lost the weighted draw.
    pub fn lost(&self) -> u64 {
        self.lost
    }

    /// The rate the samples were taken at: the last one other than 0 that
    /// [`set_rate`](super::set_rate) set.
    pub fn rate(&self) -> u32 {
        self.rate
    }

    /// The wait metric when the snapshot was taken ([`total_wait`](super::total_wait)).
    pub fn total_wait(&self) -> Duration {
        self.total_wait
    }
}

impl Site {
    /// Return addresses of the unlocker's stack, innermost first.
    pub fn frames(&self) -> &[usize] {
        &self.frames
    }

    /// Sampled unlocks charged here.
    pub fn contentions(&self) -> u64 {
        self.contentions
    }

    /// Delay charged here in all.
    pub fn delay(&self) -> Duration {
        self.delay
    }

    /// The largest single charge.
    pub fn max(&self) -> Duration {
        self.max
    }

    /// The stack's function names, innermost first, inlined calls
    /// included, from the unlock outwards (the profile's own frames left
    /// out).
    pub fn symbols(&self) -> Vec<String> {
        self.unlock_calls()
            .flat_map(|(_, all)| calls(all))
            .map(|f| f.function.clone())
            .collect()
    }

    /// [`frames`](Self::frames) from the unlock outwards: without the
    /// frames of the stack capture and the charge above it.
    pub fn unlock_frames(&self) -> &[usize] {
        &self.frames[self.own_frames()..]
    }

    /// Each of [`unlock_frames`](Self::unlock_frames) with its calls,
    /// innermost inlined call first.
    pub(super) fn unlock_calls(&self) -> impl Iterator<Item = (usize, &[Frame])> {
        let own = self.own_frames();
        self.frames[own..]
            .iter()
            .copied()
            .zip(self.resolved()[own..].iter().map(Vec::as_slice))
    }

    /// How many frames, innermost first, are the stack capture's and the
    /// charge's.
    fn own_frames(&self) -> usize {
        self.resolved()
            .iter()
            .take_while(|calls| calls.iter().all(|f| is_machinery(&f.function)))
            .count()
    }

    /// The calls at every frame: symbolised once per site, when a report
    /// first needs them (DWARF lookups are slow; never on a lock path).
    fn resolved(&self) -> &[Vec<Frame>] {
        self.resolved
            .get_or_init(|| self.frames.iter().map(|&ip| resolve(ip)).collect())
    }

    /// Where the critical section ended: the first function outside
    /// lockyard, lock_api and the standard library.
    pub fn site(&self) -> String {
        let names = self.symbols();
        names
            .iter()
            .find(|n| !is_lock_internal(n))
            .or(names.first())
            .cloned()
            .unwrap_or_else(|| "?".into())
    }
}

/// Frames of the lock itself, its guard and the drop glue.
fn is_lock_internal(name: &str) -> bool {
    let name = name.trim_start_matches('<');
    ["lockyard::", "lock_api::", "core::", "std::", "alloc::"]
        .iter()
        .any(|p| name.starts_with(p))
}

impl fmt::Display for Profile {
    /// A table, most total delay first: total, count, longest, site.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "lockyard contention profile: rate 1/{}, {} contentions, {:.3?} delay charged, {:.3?} waited (metric), {} lost",
            self.rate,
            self.contentions(),
            self.delay(),
            self.total_wait,
            self.lost
        )?;
        writeln!(f, "{:>12} {:>8} {:>12}  site", "total", "count", "max")?;
        for site in &self.sites {
            writeln!(
                f,
                "{:>12} {:>8} {:>12}  {}",
                format!("{:.3?}", site.delay),
                site.contentions,
                format!("{:.3?}", site.max),
                site.site()
            )?;
        }
        Ok(())
    }
}
