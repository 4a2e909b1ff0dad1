//! Per-client request limits on `/mcp` (`RATE_LIMIT_WINDOW_MS`, `RATE_LIMIT_MAX`): a fixed window per key
//! (client address today; the authenticated principal too once auth is on), answered with 429,
//! `Retry-After` and the IETF `RateLimit` / `RateLimit-Policy` headers. Memory is bounded however many
//! clients appear: at most `max_keys` windows are kept; expired ones go first, then the oldest.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use parking_lot::Mutex;

/// The verdict for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Verdict {
    /// False when the request is over the limit.
    pub(crate) allowed: bool,
    /// The limit per window.
    pub(crate) limit: u32,
    /// Requests left in the current window.
    pub(crate) remaining: u32,
    /// Seconds until the window resets.
    pub(crate) reset_secs: u64,
}

impl Verdict {
    /// The `RateLimit-Policy` and `RateLimit` header values.
    pub(crate) fn headers(&self, window: Duration) -> [(&'static str, String); 2] {
        [
            (
                "RateLimit-Policy",
                format!("{};w={}", self.limit, window.as_secs().max(1)),
            ),
            (
                "RateLimit",
                format!(
                    "limit={}, remaining={}, reset={}",
                    self.limit, self.remaining, self.reset_secs
                ),
            ),
        ]
    }
}

/// Fixed-window counters by key.
pub(crate) struct RateLimiter {
    window: Duration,
    max: u32,
    max_keys: usize,
    map: Mutex<HashMap<String, (Instant, u32)>>,
}

impl RateLimiter {
    /// `max` requests per `window` per key, tracking at most `max_keys` keys.
    pub(crate) fn new(window: Duration, max: u32, max_keys: usize) -> RateLimiter {
        RateLimiter {
            window,
            max,
            max_keys: max_keys.max(1),
            map: Mutex::new(HashMap::new()),
        }
    }

    /// The window length.
    pub(crate) fn window(&self) -> Duration {
        self.window
    }

    /// Counts one request of `key` at `now`.
    pub(crate) fn check(&self, key: &str, now: Instant) -> Verdict {
        let mut map = self.map.lock();
        if !map.contains_key(key) && map.len() >= self.max_keys {
            let window = self.window;
            map.retain(|_, (start, _)| now.duration_since(*start) < window);
            if map.len() >= self.max_keys {
                if let Some(oldest) = map
                    .iter()
                    .min_by_key(|(_, (s, _))| *s)
                    .map(|(k, _)| k.clone())
                {
                    map.remove(&oldest);
                }
            }
        }
        let entry = map.entry(key.to_string()).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        let allowed = entry.1 < self.max;
        if allowed {
            entry.1 += 1;
        }
        let reset = self.window.saturating_sub(now.duration_since(entry.0));
        Verdict {
            allowed,
            limit: self.max,
            remaining: self.max.saturating_sub(entry.1),
            reset_secs: reset.as_secs() + u64::from(reset.subsec_nanos() > 0),
        }
    }

    /// Keys tracked now.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.map.lock().len()
    }
}

/// The client's address for limits and logs: the socket peer, or, behind `hops` trusted proxies
/// (`MCP_TRUST_PROXY_HOPS`), the address that many entries from the right of `X-Forwarded-For`.
///
/// Entries left of those are written by the client itself and cannot be trusted.
///
/// ```
/// use hubspot_mcp::ratelimit::client_key;
/// // A client claims 198.51.100.1; the one trusted proxy saw it connect from 203.0.113.7.
/// assert_eq!(client_key(Some("10.0.0.9"), Some("198.51.100.1, 203.0.113.7"), 1), "203.0.113.7");
/// assert_eq!(client_key(Some("10.0.0.9"), Some("203.0.113.7"), 0), "10.0.0.9");
/// ```
pub fn client_key(peer: Option<&str>, forwarded_for: Option<&str>, hops: usize) -> String {
    if hops > 0 {
        if let Some(xff) = forwarded_for {
            let parts: Vec<&str> = xff
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect();
            if let Some(ip) = parts.len().checked_sub(hops).and_then(|i| parts.get(i)) {
                if ip.parse::<std::net::IpAddr>().is_ok() {
                    return (*ip).to_string();
                }
            }
        }
    }
    peer.unwrap_or("unknown").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_limit_and_reset() {
        let l = RateLimiter::new(Duration::from_secs(10), 2, 100);
        let t0 = Instant::now();
        assert!(l.check("a", t0).allowed);
        let v = l.check("a", t0);
        assert!(v.allowed && v.remaining == 0);
        let v = l.check("a", t0 + Duration::from_secs(3));
        assert!(!v.allowed);
        assert_eq!(v.reset_secs, 7);
        assert!(l.check("b", t0).allowed, "keys are independent");
        assert!(
            l.check("a", t0 + Duration::from_secs(10)).allowed,
            "a new window"
        );
        assert_eq!(
            v.headers(Duration::from_secs(10))[1].1,
            "limit=2, remaining=0, reset=7"
        );
    }

    #[test]
    fn memory_is_bounded() {
        let l = RateLimiter::new(Duration::from_secs(60), 5, 100);
        let t0 = Instant::now();
        for i in 0..10_000 {
            l.check(
                &format!("10.0.{}.{}", i / 256, i % 256),
                t0 + Duration::from_millis(i),
            );
        }
        assert!(l.len() <= 100);
    }

    #[test]
    fn forwarded_for_is_used_only_behind_trusted_hops() {
        assert_eq!(client_key(Some("1.1.1.1"), Some("9.9.9.9"), 0), "1.1.1.1");
        assert_eq!(
            client_key(Some("1.1.1.1"), Some("6.6.6.6, 9.9.9.9"), 1),
            "9.9.9.9"
        );
        assert_eq!(
            client_key(Some("1.1.1.1"), Some("6.6.6.6, 9.9.9.9"), 2),
            "6.6.6.6"
        );
        assert_eq!(client_key(Some("1.1.1.1"), Some("garbage"), 1), "1.1.1.1");
        assert_eq!(client_key(Some("1.1.1.1"), Some("6.6.6.6"), 3), "1.1.1.1");
    }
}
