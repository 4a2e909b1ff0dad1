//! hubspot-mcp patch: a deadline for a whole phase of reading (a request head, a body), on top of the
//! socket's per-read timeout. The socket's read half consults it before every read: past the deadline
//! a read fails with `TimedOut` at once, before it the socket's timeout is cut to what is left, so a
//! client trickling one byte at a time cannot stretch a head or a body past its deadline.

use std::convert::TryFrom;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Shared by a connection's reader, its requests and its socket's read half.
#[derive(Debug)]
pub struct ReadClock {
    base: Instant,
    /// Milliseconds since `base` plus one; 0 means no deadline.
    deadline: AtomicU64,
    /// The deadline last applied to the socket (same encoding), so an unchanged one costs no syscall.
    applied: AtomicU64,
    /// The socket's own per-read timeout, restored when a phase ends.
    idle: Option<Duration>,
}

/// What the socket should do before a read.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Before {
    /// Read with the timeout as it is.
    Read,
    /// Set this read timeout, then read.
    SetTimeout(Option<Duration>),
    /// The deadline has passed: fail the read.
    Expired,
}

impl ReadClock {
    /// A clock for a socket whose per-read timeout is `idle`.
    pub fn new(idle: Option<Duration>) -> Self {
        ReadClock {
            base: Instant::now(),
            deadline: AtomicU64::new(0),
            applied: AtomicU64::new(0),
            idle,
        }
    }

    /// Starts a phase that must end within `limit` from now.
    pub fn start(&self, limit: Duration) {
        let at = self.base.elapsed().saturating_add(limit);
        let ms = u64::try_from(at.as_millis()).unwrap_or(u64::MAX - 1);
        self.deadline.store(ms.saturating_add(1), Ordering::Relaxed);
    }

    /// Ends the phase: reads wait the per-read timeout again.
    pub fn clear(&self) {
        self.deadline.store(0, Ordering::Relaxed);
    }

    /// Decides what a read must do now.
    pub(crate) fn before_read(&self) -> Before {
        let deadline = self.deadline.load(Ordering::Relaxed);
        if deadline == 0 {
            if self.applied.swap(0, Ordering::Relaxed) != 0 {
                return Before::SetTimeout(self.idle);
            }
            return Before::Read;
        }
        let now = self.base.elapsed();
        let end = Duration::from_millis(deadline - 1);
        let Some(left) = end.checked_sub(now).filter(|d| !d.is_zero()) else {
            return Before::Expired;
        };
        self.applied.store(deadline, Ordering::Relaxed);
        let timeout = match self.idle {
            Some(idle) if idle < left => idle,
            _ => left,
        };
        // A zero timeout means "none" to the socket: never set it.
        Before::SetTimeout(Some(timeout.max(Duration::from_millis(1))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phases() {
        let c = ReadClock::new(Some(Duration::from_secs(30)));
        assert_eq!(c.before_read(), Before::Read);
        c.start(Duration::from_secs(5));
        match c.before_read() {
            Before::SetTimeout(Some(d)) => assert!(d <= Duration::from_secs(5)),
            other => unreachable!("a deadline ahead gives a timeout: {:?}", other),
        }
        c.clear();
        assert_eq!(
            c.before_read(),
            Before::SetTimeout(Some(Duration::from_secs(30)))
        );
        assert_eq!(c.before_read(), Before::Read);
        c.start(Duration::ZERO);
        assert_eq!(c.before_read(), Before::Expired);
    }
}
