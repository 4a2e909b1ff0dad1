//! When to retry a HubSpot call, and how long to wait: a pure function of the attempt, the outcome, the
//! call's idempotency and the deadline, so the whole policy is unit-tested without a network.
//!
//! - 429 TEN_SECONDLY_ROLLING / SECONDLY: HubSpot refused without doing anything, so every call (writes
//!   too) waits (`Retry-After`, else backoff bounded by `X-HubSpot-RateLimit-Interval-Milliseconds`) and
//!   retries. 429 DAILY is never retried.
//! - 502 / 503 / 504, resets and timeouts: retried only for idempotent calls (reads, search, batch read):
//!   a write may have happened, and a create must never be sent twice.
//! - A connection that could not be opened: the request was never sent, so any call may retry.
//! - Never past the deadline: a wait that would end after it gives up instead.

use std::time::{Duration, Instant};

/// What happened on one attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// HubSpot answered 429 with this policy and these hints.
    RateLimited {
        /// `policyName`.
        policy: String,
        /// `Retry-After`, if sent.
        retry_after: Option<Duration>,
        /// `X-HubSpot-RateLimit-Interval-Milliseconds`, if sent.
        interval: Option<Duration>,
    },
    /// HubSpot answered this 5xx status.
    ServerError(u16),
    /// The request may have reached HubSpot but no answer came (timeout, reset mid-way).
    Lost,
    /// The connection could not be opened: nothing was sent.
    NotSent,
}

/// The verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Wait this long, then try again.
    RetryAfter(Duration),
    /// Stop and report the error.
    GiveUp,
}

/// The retry policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Policy {
    /// Retries after the first attempt, at most.
    pub(crate) max_retries: u32,
    /// First backoff step.
    pub(crate) base: Duration,
    /// Longest single wait.
    pub(crate) cap: Duration,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            max_retries: 3,
            base: Duration::from_millis(250),
            cap: Duration::from_secs(10),
        }
    }
}

impl Policy {
    /// Decides after attempt number `attempt` (0 = the first) ended with `outcome`. `jitter` is a number in
    /// [0, 1) (random in production, fixed in tests).
    pub(crate) fn decide(
        &self,
        attempt: u32,
        outcome: &Outcome,
        idempotent: bool,
        now: Instant,
        deadline: Instant,
        jitter: f64,
    ) -> Decision {
        if attempt >= self.max_retries {
            return Decision::GiveUp;
        }
        let wait = match outcome {
            Outcome::RateLimited { policy, .. } if policy == "DAILY" => return Decision::GiveUp,
            Outcome::RateLimited {
                retry_after: Some(ra),
                ..
            } => *ra,
            Outcome::RateLimited { interval, .. } => {
                // Back off exponentially, but never longer than one rate window.
                let window = interval.unwrap_or(Duration::from_secs(1));
                self.backoff(attempt + 2, jitter).min(window)
            }
            Outcome::ServerError(502..=504) | Outcome::Lost if idempotent => {
                self.backoff(attempt, jitter)
            }
            Outcome::NotSent => self.backoff(attempt, jitter),
            _ => return Decision::GiveUp,
        };
        let wait = wait.min(self.cap);
        if now + wait >= deadline {
            Decision::GiveUp
        } else {
            Decision::RetryAfter(wait)
        }
    }

    /// `base * 2^attempt`, with "equal jitter": half fixed, half random, so waits never collapse to 0.
    fn backoff(&self, attempt: u32, jitter: f64) -> Duration {
        let exp = self
            .base
            .saturating_mul(1u32 << attempt.min(16))
            .min(self.cap);
        let half = exp / 2;
        half + half.mul_f64(jitter.clamp(0.0, 1.0))
    }
}

/// A number in [0, 1) from the OS's randomness (jitter for backoff).
pub(crate) fn jitter() -> f64 {
    let mut b = [0u8; 4];
    let _ = getrandom::fill(&mut b);
    f64::from(u32::from_le_bytes(b)) / (f64::from(u32::MAX) + 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decide(attempt: u32, o: Outcome, idem: bool, budget_ms: u64) -> Decision {
        let now = Instant::now();
        Policy::default().decide(
            attempt,
            &o,
            idem,
            now,
            now + Duration::from_millis(budget_ms),
            0.5,
        )
    }

    #[test]
    fn schedule() {
        let ten = |ra| Outcome::RateLimited {
            policy: "TEN_SECONDLY_ROLLING".into(),
            retry_after: ra,
            interval: Some(Duration::from_secs(10)),
        };
        assert_eq!(
            decide(0, ten(Some(Duration::from_secs(2))), false, 60_000),
            Decision::RetryAfter(Duration::from_secs(2))
        );
        // Without Retry-After: 250ms * 2^(0+2) = 1s, equal jitter at 0.5 → 750ms.
        assert_eq!(
            decide(0, ten(None), false, 60_000),
            Decision::RetryAfter(Duration::from_millis(750))
        );
        let daily = Outcome::RateLimited {
            policy: "DAILY".into(),
            retry_after: None,
            interval: None,
        };
        assert_eq!(decide(0, daily, true, 60_000), Decision::GiveUp);
        // 5xx and lost answers: reads only.
        assert_eq!(
            decide(0, Outcome::ServerError(503), true, 60_000),
            Decision::RetryAfter(Duration::from_micros(187_500))
        );
        assert_eq!(
            decide(0, Outcome::ServerError(503), false, 60_000),
            Decision::GiveUp
        );
        assert_eq!(decide(0, Outcome::Lost, false, 60_000), Decision::GiveUp);
        assert_eq!(
            decide(0, Outcome::ServerError(500), true, 60_000),
            Decision::GiveUp
        );
        // Not sent: safe for writes.
        assert!(matches!(
            decide(1, Outcome::NotSent, false, 60_000),
            Decision::RetryAfter(_)
        ));
        // Bounded by attempts and by the deadline.
        assert_eq!(
            decide(3, Outcome::ServerError(503), true, 60_000),
            Decision::GiveUp
        );
        assert_eq!(
            decide(0, ten(Some(Duration::from_secs(5))), true, 1000),
            Decision::GiveUp
        );
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let p = Policy::default();
        let waits: Vec<_> = (0..8).map(|a| p.backoff(a, 0.0)).collect();
        assert!(waits.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(*waits.last().unwrap(), p.cap / 2);
        assert!((0..100).map(|_| jitter()).all(|j| (0.0..1.0).contains(&j)));
    }
}
