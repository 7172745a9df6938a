//! The deadline of a wait that may be retried: an OS wait interrupted by a
//! signal, a semaphore sleep woken spuriously. Each retry asks what is left,
//! so retries never outlast the timeout.

use std::time::{Duration, Instant};

/// What is left of a wait's timeout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Left {
    /// No timeout, or one too far off for the clock: wait until woken.
    Forever,
    /// This much, never zero.
    For(Duration),
    /// The timeout has passed.
    Expired,
}

/// When a wait gives up, fixed as it starts.
pub(crate) struct Deadline(Option<Instant>);

impl Deadline {
    /// `timeout` from now; `None` never expires.
    pub(crate) fn after(timeout: Option<Duration>) -> Deadline {
        Deadline(timeout.and_then(|t| Instant::now().checked_add(t)))
    }

    /// The deadline `at` (`None` never expires).
    pub(crate) fn until(at: Option<Instant>) -> Deadline {
        Deadline(at)
    }

    /// The timeout of a wait that starts now: `Some(None)` for good,
    /// `Some(Some(left))`, or `None` once the deadline has passed.
    pub(crate) fn timeout(&self) -> Option<Option<Duration>> {
        match self.left() {
            Left::Forever => Some(None),
            Left::For(left) => Some(Some(left)),
            Left::Expired => None,
        }
    }

    /// What is left now.
    pub(crate) fn left(&self) -> Left {
        match self.0 {
            None => Left::Forever,
            Some(at) => match at.checked_duration_since(Instant::now()) {
                Some(left) if !left.is_zero() => Left::For(left),
                _ => Left::Expired,
            },
        }
    }
}

/// A futex-style wait against a deadline: `call(left)` makes the system
/// call once with the time left (`None`: no timeout) and returns `Err` with
/// the error number if it failed. An interrupted call (EINTR) is made again
/// with what is then left; ETIMEDOUT or a passed deadline is `false`; success
/// or any other error (EAGAIN: the word no longer held the value) is `true`.
#[cfg(all(
    not(lockyard_loom),
    any(
        target_os = "linux",
        target_os = "android",
        target_os = "freebsd",
        target_vendor = "apple"
    )
))]
pub(super) fn timed_wait(
    timeout: Option<Duration>,
    mut call: impl FnMut(Option<Duration>) -> Result<(), i32>,
) -> bool {
    let deadline = Deadline::after(timeout);
    loop {
        let left = match deadline.left() {
            Left::Forever => None,
            Left::For(left) => Some(left),
            Left::Expired => return false,
        };
        match call(left) {
            Ok(()) => return true,
            Err(libc::EINTR) => continue,
            Err(libc::ETIMEDOUT) => return false,
            Err(_) => return true,
        }
    }
}

/// This thread's `errno` after a failed system call.
#[cfg(all(
    not(lockyard_loom),
    any(target_os = "linux", target_os = "android", target_os = "freebsd")
))]
pub(super) fn errno() -> i32 {
    std::io::Error::last_os_error().raw_os_error().unwrap_or(0)
}

/// `d` as the relative timespec futex(2) and _umtx_op(2) take; seconds
/// beyond `time_t` saturate (a wait of centuries).
#[cfg(all(
    not(lockyard_loom),
    any(target_os = "linux", target_os = "android", target_os = "freebsd")
))]
pub(super) fn timespec(d: Duration) -> libc::timespec {
    libc::timespec {
        tv_sec: d.as_secs().try_into().unwrap_or(libc::time_t::MAX),
        tv_nsec: d.subsec_nanos() as _,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_timeout_or_an_unrepresentable_one_waits_forever() {
        assert_eq!(Deadline::after(None).left(), Left::Forever);
        assert_eq!(Deadline::after(Some(Duration::MAX)).left(), Left::Forever);
    }

    #[test]
    fn a_zero_timeout_has_expired_and_a_long_one_has_time_left() {
        assert_eq!(Deadline::after(Some(Duration::ZERO)).left(), Left::Expired);
        let hour = Duration::from_secs(3600);
        match Deadline::after(Some(hour)).left() {
            Left::For(left) => assert!(left <= hour && left > hour / 2, "{left:?}"),
            other => panic!("an hour from now: {other:?}"),
        }
    }
}
