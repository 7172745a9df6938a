//! Fault injection for the `chaos` feature: what real hardware and kernels do
//! that qemu-user on an x86 host never shows. Compiled out entirely without
//! the feature.
//!
//! * Every atomic step of lock and unlock may first yield, spin or sleep a
//!   few microseconds, to shake out interleavings.
//! * `compare_exchange_weak` fails spuriously, as LL/SC does on arm and ppc
//!   when the reservation is lost. (Strong compare-exchanges never fail
//!   spuriously, on any hardware; the backends use the weak form wherever a
//!   retry loop absorbs the failure.)
//! * OS waits return early without a wake, as a signal (EINTR) or a
//!   spurious futex wake does.
//! * Wakes are delayed, so sleepers fall asleep before their wake arrives.
//!
//! Settings come from `LOCKYARD_CHAOS` (`seed=N,delay=P,cas=P,early=P,late=P`,
//! probabilities in 0..=1, any subset) and are printed on first use in the
//! same syntax, so a failing run is replayed by copying that line. The seed
//! fixes each thread's sequence of choices (threads are numbered in the order
//! they first inject); the OS scheduler's choices cannot be replayed.

use core::cell::Cell;
use core::sync::atomic::{self as core_atomic, Ordering};
use std::time::Duration;

/// The probabilities and seed in force.
#[derive(Clone, Copy, Debug)]
struct Settings {
    seed: u64,
    /// Chance that an atomic step is preceded by a yield, spin or sleep.
    delay: f64,
    /// Chance that a weak compare-exchange fails spuriously.
    cas: f64,
    /// Chance that an OS wait returns at once, as if interrupted.
    early: f64,
    /// Chance that a wake is delayed by up to [`LATE_WAKE_MAX`].
    late: f64,
}

/// The longest injected sleep before an atomic step.
const STEP_SLEEP_MAX: Duration = Duration::from_micros(50);
/// The longest injected delay before a wake.
const LATE_WAKE_MAX: Duration = Duration::from_micros(200);
/// The longest injected busy spin, in pause instructions.
const SPIN_MAX: u32 = 1_000;

impl Settings {
    /// The defaults, overridden by `spec` (the variable's value, if set).
    fn parse(spec: Option<&str>) -> Settings {
        let mut s = Settings {
            seed: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64),
            delay: 0.05,
            cas: 0.125,
            early: 0.25,
            late: 0.125,
        };
        for item in spec
            .unwrap_or("")
            .split(',')
            .map(str::trim)
            .filter(|i| !i.is_empty())
        {
            let (key, value) = item.split_once('=').unwrap_or((item, ""));
            let prob = || match value.parse::<f64>() {
                Ok(p) if (0.0..=1.0).contains(&p) => p,
                _ => panic!("LOCKYARD_CHAOS: {item:?}: want a probability in 0..=1"),
            };
            match key {
                "seed" => {
                    s.seed = value
                        .parse()
                        .unwrap_or_else(|_| panic!("LOCKYARD_CHAOS: {item:?}: want an integer"))
                }
                "delay" => s.delay = prob(),
                "cas" => s.cas = prob(),
                "early" => s.early = prob(),
                "late" => s.late = prob(),
                _ => panic!(
                    "LOCKYARD_CHAOS: unknown setting {key:?}; valid: seed, delay, cas, early, late"
                ),
            }
        }
        s
    }
}

/// `LOCKYARD_CHAOS` read without allocating: libc's pointer into the
/// environment (the lock paths that inject faults may run in an allocator).
#[cfg(unix)]
fn with_spec<R>(f: impl FnOnce(Option<&str>) -> R) -> R {
    // SAFETY: getenv returns null or a NUL-terminated string that stays valid
    // while nobody changes the environment; lockyard never does, and the
    // value is parsed before this returns.
    let value = unsafe { libc::getenv(c"LOCKYARD_CHAOS".as_ptr()) };
    if value.is_null() {
        return f(None);
    }
    // SAFETY: as above, non-null and NUL-terminated.
    let value = unsafe { core::ffi::CStr::from_ptr(value) };
    f(Some(value.to_str().expect("LOCKYARD_CHAOS: not UTF-8")))
}

/// Elsewhere std reads the variable, which allocates once, on the first
/// injected fault: chaos builds are test builds, and CI runs them on Linux.
#[cfg(not(unix))]
fn with_spec<R>(f: impl FnOnce(Option<&str>) -> R) -> R {
    let value = std::env::var("LOCKYARD_CHAOS").ok();
    f(value.as_deref())
}

/// The settings, published once in plain atomics rather than a `OnceLock`,
/// whose initialisation may block or allocate on a lock path.
mod published {
    use super::{Settings, with_spec};
    use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};

    static CLAIMED: AtomicBool = AtomicBool::new(false);
    static READY: AtomicBool = AtomicBool::new(false);
    static SEED: AtomicU64 = AtomicU64::new(0);
    /// delay, cas, early, late as f64 bits.
    static PROBS: [AtomicU64; 4] = [const { AtomicU64::new(0) }; 4];

    pub(super) fn get() -> Settings {
        // Acquire: pairs with the Release below, so the fields are written.
        if !READY.load(Ordering::Acquire) {
            publish();
        }
        // Relaxed: ordered by the Acquire above.
        let prob = |i: usize| f64::from_bits(PROBS[i].load(Ordering::Relaxed));
        Settings {
            seed: SEED.load(Ordering::Relaxed),
            delay: prob(0),
            cas: prob(1),
            early: prob(2),
            late: prob(3),
        }
    }

    /// The first thread parses and publishes; any other that arrives
    /// meanwhile yields until it is done: the winner only stores five words
    /// before it says so, and takes no lock in between.
    #[cold]
    fn publish() {
        // Relaxed: the claim orders nothing; READY publishes.
        if CLAIMED.swap(true, Ordering::Relaxed) {
            while !READY.load(Ordering::Acquire) {
                std::thread::yield_now();
            }
            return;
        }
        let s = with_spec(Settings::parse);
        SEED.store(s.seed, Ordering::Relaxed);
        for (slot, p) in PROBS.iter().zip([s.delay, s.cas, s.early, s.late]) {
            slot.store(p.to_bits(), Ordering::Relaxed);
        }
        // Release: the fields above before the flag.
        READY.store(true, Ordering::Release);
        eprintln!(
            "lockyard chaos: LOCKYARD_CHAOS=seed={},delay={},cas={},early={},late={}",
            s.seed, s.delay, s.cas, s.early, s.late
        );
    }
}

fn settings() -> Settings {
    published::get()
}

/// splitmix64: a full-period generator any seed suits.
fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

std::thread_local! {
    /// This thread's generator state; 0 until its first draw seeds it (a
    /// const initialiser: a lazy one would run std's lazy init on a lock path).
    static RNG: Cell<u64> = const { Cell::new(0) };
}

/// The first state of the next thread to draw: the run's seed mixed with
/// the thread's ordinal, never 0.
fn thread_seed() -> u64 {
    static THREADS: core_atomic::AtomicU64 = core_atomic::AtomicU64::new(0);
    // Relaxed: only the numbering matters.
    let ordinal = THREADS.fetch_add(1, Ordering::Relaxed);
    let mut state = settings().seed ^ ordinal.wrapping_mul(0xd1b5_4a32_d192_ed03);
    splitmix(&mut state).max(1)
}

/// A uniform draw in [0, 1) from this thread's sequence.
fn draw() -> f64 {
    let bits = RNG
        .try_with(|rng| {
            let mut state = rng.get();
            if state == 0 {
                state = thread_seed();
            }
            let x = splitmix(&mut state);
            rng.set(state);
            x
        })
        // During thread-local teardown: inject nothing.
        .unwrap_or(u64::MAX);
    (bits >> 11) as f64 / (1u64 << 53) as f64
}

fn chance(p: f64) -> bool {
    p > 0.0 && draw() < p
}

/// Before an atomic step: maybe yield, spin or sleep briefly.
#[inline]
pub(crate) fn step() {
    let s = settings();
    if !chance(s.delay) {
        return;
    }
    let how = draw();
    if how < 0.5 {
        std::thread::yield_now();
    } else if how < 0.8 {
        for _ in 0..(draw() * f64::from(SPIN_MAX)) as u32 {
            core::hint::spin_loop();
        }
    } else {
        std::thread::sleep(STEP_SLEEP_MAX.mul_f64(draw()));
    }
}

/// Whether this weak compare-exchange should fail without trying.
#[inline]
pub(crate) fn spurious_cas_failure() -> bool {
    chance(settings().cas)
}

/// Whether this OS wait should return at once, as if interrupted.
pub(crate) fn early_return() -> bool {
    chance(settings().early)
}

/// Before a wake: maybe hold it back a little.
pub(crate) fn late_wake() {
    if chance(settings().late) {
        std::thread::sleep(LATE_WAKE_MAX.mul_f64(draw()));
    }
}

macro_rules! chaotic_atomic {
    ($name:ident, $int:ty) => {
        /// The std atomic with [`step`] before every operation and spurious
        /// failures of the weak compare-exchange.
        #[repr(transparent)]
        pub(crate) struct $name(core_atomic::$name);

        #[allow(dead_code)] // not every width uses every operation
        impl $name {
            pub(crate) const fn new(v: $int) -> Self {
                $name(core_atomic::$name::new(v))
            }
            pub(crate) fn as_ptr(&self) -> *mut $int {
                self.0.as_ptr()
            }
            pub(crate) fn load(&self, order: Ordering) -> $int {
                step();
                self.0.load(order)
            }
            pub(crate) fn store(&self, v: $int, order: Ordering) {
                step();
                self.0.store(v, order)
            }
            pub(crate) fn swap(&self, v: $int, order: Ordering) -> $int {
                step();
                self.0.swap(v, order)
            }
            pub(crate) fn fetch_or(&self, v: $int, order: Ordering) -> $int {
                step();
                self.0.fetch_or(v, order)
            }
            pub(crate) fn fetch_and(&self, v: $int, order: Ordering) -> $int {
                step();
                self.0.fetch_and(v, order)
            }
            pub(crate) fn fetch_add(&self, v: $int, order: Ordering) -> $int {
                step();
                self.0.fetch_add(v, order)
            }
            pub(crate) fn fetch_sub(&self, v: $int, order: Ordering) -> $int {
                step();
                self.0.fetch_sub(v, order)
            }
            pub(crate) fn compare_exchange(
                &self,
                current: $int,
                new: $int,
                success: Ordering,
                failure: Ordering,
            ) -> Result<$int, $int> {
                step();
                self.0.compare_exchange(current, new, success, failure)
            }
            pub(crate) fn compare_exchange_weak(
                &self,
                current: $int,
                new: $int,
                success: Ordering,
                failure: Ordering,
            ) -> Result<$int, $int> {
                step();
                if spurious_cas_failure() {
                    // A lost reservation: report the value as it is now.
                    return Err(self.0.load(failure));
                }
                self.0.compare_exchange_weak(current, new, success, failure)
            }
        }
    };
}

chaotic_atomic!(AtomicU32, u32);
chaotic_atomic!(AtomicUsize, usize);
