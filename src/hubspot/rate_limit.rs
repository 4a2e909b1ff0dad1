//! Client-side rate limiting, so HubSpot rarely has to refuse: a GCRA limiter (one timestamp, no timers)
//! for all calls (`HUBSPOT_RATE_LIMIT` per second) and a second one for search (HubSpot allows about 5
//! search requests per second per token). Callers wait for their slot within their deadline instead of
//! failing; the lock is held only to reserve the slot, never while sleeping.

use std::time::{Duration, Instant};

use parking_lot::Mutex;

/// A limiter of `rate` calls per second with a burst of `burst` calls.
#[derive(Debug)]
pub struct Limiter {
    interval: Duration,
    tolerance: Duration,
    tat: Mutex<Option<Instant>>,
}

impl Limiter {
    /// `rate` per second (at least 1), bursts of `burst` (at least 1).
    pub fn new(rate: u32, burst: u32) -> Limiter {
        let interval = Duration::from_secs(1) / rate.max(1);
        Limiter {
            interval,
            tolerance: interval * (burst.max(1) - 1),
            tat: Mutex::new(None),
        }
    }

    /// Reserves the next slot; returns how long to wait for it, or `Err(wait)` when that wait would pass
    /// `deadline` (nothing is reserved then).
    pub fn reserve(&self, now: Instant, deadline: Instant) -> Result<Duration, Duration> {
        let mut tat = self.tat.lock();
        let start = tat.map_or(now, |t| t.max(now));
        let wait = start.saturating_duration_since(now + self.tolerance);
        if now + wait > deadline {
            return Err(wait);
        }
        *tat = Some(start + self.interval);
        Ok(wait)
    }

    /// Waits for a slot (sleeping outside the lock); `Err(wait)` when it cannot come before `deadline`.
    pub fn acquire(&self, deadline: Instant) -> Result<(), Duration> {
        let wait = self.reserve(Instant::now(), deadline)?;
        if !wait.is_zero() {
            std::thread::sleep(wait);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bursts_then_spaces_calls() {
        let l = Limiter::new(10, 3);
        let t0 = Instant::now();
        let far = t0 + Duration::from_secs(60);
        assert_eq!(l.reserve(t0, far), Ok(Duration::ZERO));
        assert_eq!(l.reserve(t0, far), Ok(Duration::ZERO));
        assert_eq!(l.reserve(t0, far), Ok(Duration::ZERO));
        assert_eq!(l.reserve(t0, far), Ok(Duration::from_millis(100)));
        assert_eq!(l.reserve(t0, far), Ok(Duration::from_millis(200)));
        // A caller whose deadline comes first is refused and reserves nothing.
        assert_eq!(
            l.reserve(t0, t0 + Duration::from_millis(50)),
            Err(Duration::from_millis(300))
        );
        assert_eq!(l.reserve(t0, far), Ok(Duration::from_millis(300)));
        // After a quiet second the burst is back.
        let later = t0 + Duration::from_secs(2);
        assert_eq!(
            l.reserve(later, later + Duration::from_secs(1)),
            Ok(Duration::ZERO)
        );
    }
}
