//! HubSpot's private-app rate limits, per token: a rolling ten-second window (190 by default), a separate
//! per-second budget for search (5), a daily budget that resets at midnight UTC, and the
//! `X-HubSpot-RateLimit-*` headers HubSpot puts on every non-search response.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use parking_lot::Mutex;

use crate::time::{now_ms, DAY_MS};

/// The window of the interval limit, in milliseconds.
pub(crate) const INTERVAL_MS: u64 = 10_000;

/// The configured budgets.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    pub(crate) ten_secondly: u32,
    pub(crate) search_per_second: u32,
    pub(crate) daily: u64,
}

/// Which limit refused a call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Policy {
    TenSecondly,
    Secondly,
    Daily,
}

#[derive(Default)]
struct TokenState {
    calls: VecDeque<Instant>,
    searches: VecDeque<Instant>,
    day: i64,
    daily_used: u64,
}

/// What a token has used, for the headers.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Usage {
    pub(crate) in_window: u32,
    in_second: u32,
    pub(crate) daily_used: u64,
}

/// The limiter.
pub(crate) struct RateLimiter {
    limits: Limits,
    tokens: Mutex<HashMap<String, TokenState>>,
}

fn prune(q: &mut VecDeque<Instant>, now: Instant, window: Duration) {
    while q.front().is_some_and(|t| now.duration_since(*t) >= window) {
        q.pop_front();
    }
}

impl TokenState {
    fn roll_day(&mut self) {
        let day = now_ms().div_euclid(DAY_MS);
        if day != self.day {
            self.day = day;
            self.daily_used = 0;
        }
    }

    fn usage(&self, now: Instant) -> Usage {
        Usage {
            in_window: self.calls.len() as u32,
            in_second: self
                .calls
                .iter()
                .filter(|t| now.duration_since(**t) < Duration::from_secs(1))
                .count() as u32,
            daily_used: self.daily_used,
        }
    }
}

impl RateLimiter {
    /// A limiter with these budgets.
    pub(crate) fn new(limits: Limits) -> RateLimiter {
        RateLimiter {
            limits,
            tokens: Mutex::new(HashMap::new()),
        }
    }

    /// The budgets.
    pub(crate) fn limits(&self) -> Limits {
        self.limits
    }

    /// Counts a call for `token` if every budget allows it; search calls use the search budget instead of
    /// the ten-second window.
    pub(crate) fn check(&self, token: &str, search: bool) -> Result<Usage, (Policy, Usage)> {
        let now = Instant::now();
        let mut map = self.tokens.lock();
        let st = map.entry(token.to_string()).or_default();
        st.roll_day();
        prune(&mut st.calls, now, Duration::from_millis(INTERVAL_MS));
        prune(&mut st.searches, now, Duration::from_secs(1));
        if st.daily_used >= self.limits.daily {
            return Err((Policy::Daily, st.usage(now)));
        }
        if search {
            if st.searches.len() as u64 >= u64::from(self.limits.search_per_second) {
                return Err((Policy::Secondly, st.usage(now)));
            }
            st.searches.push_back(now);
        } else {
            if st.calls.len() as u64 >= u64::from(self.limits.ten_secondly) {
                return Err((Policy::TenSecondly, st.usage(now)));
            }
            st.calls.push_back(now);
        }
        st.daily_used += 1;
        Ok(st.usage(now))
    }

    /// What `token` has used, without counting a call.
    pub(crate) fn usage(&self, token: &str) -> Usage {
        let now = Instant::now();
        let mut map = self.tokens.lock();
        let st = map.entry(token.to_string()).or_default();
        st.roll_day();
        prune(&mut st.calls, now, Duration::from_millis(INTERVAL_MS));
        st.usage(now)
    }

    /// Calls made today by every token.
    pub(crate) fn daily_total(&self) -> u64 {
        let mut map = self.tokens.lock();
        map.values_mut()
            .map(|st| {
                st.roll_day();
                st.daily_used
            })
            .sum()
    }

    /// Forgets every token's usage.
    pub(crate) fn reset(&self) {
        self.tokens.lock().clear();
    }

    /// HubSpot's rate-limit headers for `usage`.
    pub(crate) fn headers(&self, usage: Usage) -> Vec<(String, String)> {
        let l = self.limits;
        let secondly = (l.ten_secondly / 10).max(1);
        vec![
            ("X-HubSpot-RateLimit-Daily".into(), l.daily.to_string()),
            (
                "X-HubSpot-RateLimit-Daily-Remaining".into(),
                l.daily.saturating_sub(usage.daily_used).to_string(),
            ),
            (
                "X-HubSpot-RateLimit-Interval-Milliseconds".into(),
                INTERVAL_MS.to_string(),
            ),
            ("X-HubSpot-RateLimit-Max".into(), l.ten_secondly.to_string()),
            (
                "X-HubSpot-RateLimit-Remaining".into(),
                l.ten_secondly.saturating_sub(usage.in_window).to_string(),
            ),
            ("X-HubSpot-RateLimit-Secondly".into(), secondly.to_string()),
            (
                "X-HubSpot-RateLimit-Secondly-Remaining".into(),
                secondly.saturating_sub(usage.in_second).to_string(),
            ),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_and_daily_budget() {
        let rl = RateLimiter::new(Limits {
            ten_secondly: 3,
            search_per_second: 2,
            daily: 6,
        });
        assert_eq!(rl.check("a", false).map(|u| u.in_window).ok(), Some(1));
        rl.check("a", false).ok();
        rl.check("a", false).ok();
        assert_eq!(
            rl.check("a", false).err().map(|e| e.0),
            Some(Policy::TenSecondly)
        );
        assert!(rl.check("b", false).is_ok(), "tokens are separate");
        assert!(rl.check("a", true).is_ok() && rl.check("a", true).is_ok());
        assert_eq!(
            rl.check("a", true).err().map(|e| e.0),
            Some(Policy::Secondly)
        );
        let h = rl.headers(rl.usage("a"));
        assert!(h.contains(&("X-HubSpot-RateLimit-Remaining".into(), "0".into())));
        assert!(h.contains(&("X-HubSpot-RateLimit-Daily-Remaining".into(), "1".into())));
        assert_eq!(rl.daily_total(), 6);
        rl.check("a", false).ok();
        rl.reset();
        assert!(rl.check("a", false).is_ok());
        let daily = RateLimiter::new(Limits {
            ten_secondly: 100,
            search_per_second: 5,
            daily: 1,
        });
        daily.check("t", false).ok();
        assert_eq!(
            daily.check("t", true).err().map(|e| e.0),
            Some(Policy::Daily)
        );
    }
}
