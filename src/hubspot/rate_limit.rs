//! Client-side rate limiting, so HubSpot rarely has to refuse: a GCRA limiter (one timestamp, no timers)
//! for all calls (`HUBSPOT_RATE_LIMIT` per second) and a second one for search (HubSpot allows about 5
//! search requests per second per token). Callers wait for their slot within their deadline instead of
//! failing; the lock is held only to reserve the slot, never while sleeping.

use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;

use crate::redis::{Redis, Reply};

/// A limiter of `rate` calls per second with a burst of `burst` calls.
#[derive(Debug)]
pub(crate) struct Limiter {
    interval: Duration,
    tolerance: Duration,
    tat: Mutex<Option<Instant>>,
}

impl Limiter {
    /// `rate` per second (at least 1), bursts of `burst` (at least 1).
    pub(crate) fn new(rate: u32, burst: u32) -> Limiter {
        let interval = Duration::from_secs(1) / rate.max(1);
        Limiter {
            interval,
            tolerance: interval * (burst.max(1) - 1),
            tat: Mutex::new(None),
        }
    }

    /// Reserves the next slot; returns how long to wait for it, or `Err(wait)` when that wait would pass
    /// `deadline` (nothing is reserved then).
    fn reserve(&self, now: Instant, deadline: Instant) -> Result<Duration, Duration> {
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
    fn acquire(&self, deadline: Instant) -> Result<(), Duration> {
        let wait = self.reserve(Instant::now(), deadline)?;
        if !wait.is_zero() {
            std::thread::sleep(wait);
        }
        Ok(())
    }
}

/// GCRA on Redis, on Redis's own clock (`TIME`), so every replica sharing the key shares one budget.
/// Reserves a slot up to `max_wait` ahead and returns the wait in microseconds, or minus the wait when
/// that is beyond `max_wait` (nothing is reserved then).
const GCRA_SCRIPT: &str = r#"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local max_wait = tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local wait = tat - tolerance - now
if wait < 0 then wait = 0 end
if wait > max_wait then return -wait end
local new_tat = tat + interval
redis.call('SET', KEYS[1], string.format('%d', new_tat), 'PX', math.floor((new_tat - now) / 1000) + 1000)
return wait
"#;

/// A budget shared by every replica through Redis, with the local `Limiter` as the fallback while
/// Redis cannot be reached (each replica then keeps to the rate on its own, and says so once). A
/// reservation whose reply is lost (a read timeout) is not sent again: it counts once on the shared
/// budget, and that call is paced by the local limiter.
#[derive(Debug)]
pub struct SharedLimiter {
    redis: Arc<Redis>,
    key: String,
    interval_us: u64,
    tolerance_us: u64,
    local: Limiter,
    degraded: AtomicBool,
}

impl SharedLimiter {
    /// `rate` per second with bursts of `burst`, kept under `key`.
    pub fn new(redis: Arc<Redis>, key: String, rate: u32, burst: u32) -> SharedLimiter {
        let local = Limiter::new(rate, burst);
        SharedLimiter {
            redis,
            key,
            interval_us: local.interval.as_micros() as u64,
            tolerance_us: local.tolerance.as_micros() as u64,
            local,
            degraded: AtomicBool::new(false),
        }
    }

    /// Waits for a slot of the shared budget; `Err(wait)` when it cannot come before `deadline`.
    pub fn acquire(&self, deadline: Instant) -> Result<(), Duration> {
        let max_wait = deadline.saturating_duration_since(Instant::now());
        let reply = self.redis.cmd(crate::redis_cmd!(
            "EVAL",
            GCRA_SCRIPT,
            "1",
            self.key,
            self.interval_us.to_string(),
            self.tolerance_us.to_string(),
            (max_wait.as_micros() as u64).to_string()
        ));
        match reply {
            Ok(Reply::Int(w)) => {
                if self.degraded.swap(false, Relaxed) {
                    log::info!(key = self.key.as_str(); "shared HubSpot rate budget back in use");
                }
                let wait = Duration::from_micros(w.unsigned_abs());
                if w < 0 {
                    return Err(wait);
                }
                if !wait.is_zero() {
                    std::thread::sleep(wait);
                }
                Ok(())
            }
            other => {
                if !self.degraded.swap(true, Relaxed) {
                    let why = match other {
                        Ok(r) => format!("unexpected reply {r:?}"),
                        Err(e) => e.to_string(),
                    };
                    log::warn!(error = why.as_str(); "shared HubSpot rate budget unavailable: this replica paces its own calls until Redis is back");
                }
                self.local.acquire(deadline)
            }
        }
    }
}

/// The budget a client keeps to: its own, or one shared through Redis.
#[derive(Debug)]
pub(crate) enum Budget {
    /// This process only.
    Local(Limiter),
    /// Every replica on the same Redis and HubSpot token.
    Shared(SharedLimiter),
}

impl Budget {
    /// Waits for a slot; `Err(wait)` when it cannot come before `deadline`.
    pub(crate) fn acquire(&self, deadline: Instant) -> Result<(), Duration> {
        match self {
            Budget::Local(l) => l.acquire(deadline),
            Budget::Shared(s) => s.acquire(deadline),
        }
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
