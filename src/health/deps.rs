//! Dependency health: what each background check last found, and the thread that runs the checks.
//!
//! `/health` only reads the [`Board`]; nothing on a request path waits for HubSpot or the token issuer.
//! The [`Checker`] thread runs every probe at start-up and then every `HEALTH_CHECK_INTERVAL_MS`, each
//! with a deadline, and logs when a dependency's status changes.

use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime};

use crossbeam_channel::{bounded, RecvTimeoutError, Sender};
use parking_lot::RwLock;
use serde_json::{json, Value};

use crate::obs::log::rfc3339;

/// A dependency's (or the whole server's) state, ordered from best to worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Status {
    /// Works.
    Healthy,
    /// Works partly, or failed briefly: the server still serves (HTTP 200).
    Degraded,
    /// Does not work: `/health` answers 503.
    Unhealthy,
}

impl Status {
    /// The JSON value.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Status::Healthy => "healthy",
            Status::Degraded => "degraded",
            Status::Unhealthy => "unhealthy",
        }
    }
}

/// What one check found (the original design's `DependencyHealth`, plus `detail`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DependencyHealth {
    /// The verdict.
    pub(crate) status: Status,
    /// How long the check took.
    pub(crate) response_time: Option<Duration>,
    /// Why it failed, in words an operator can act on.
    pub(crate) error: Option<String>,
    /// What was checked, or why nothing was.
    pub(crate) detail: String,
    /// When it was checked (or, before the first check, when the server started).
    pub(crate) last_checked: SystemTime,
    /// Failed checks in a row.
    pub(crate) consecutive_failures: u32,
}

impl DependencyHealth {
    /// A verdict without a check behind it (checks off, nothing to check, first check pending).
    pub(crate) fn unchecked(status: Status, detail: impl Into<String>) -> DependencyHealth {
        DependencyHealth {
            status,
            response_time: None,
            error: None,
            detail: detail.into(),
            last_checked: SystemTime::now(),
            consecutive_failures: 0,
        }
    }

    /// The JSON `/health` shows.
    pub(crate) fn to_json(&self) -> Value {
        let mut v = json!({
            "status": self.status.as_str(),
            "lastChecked": rfc3339(self.last_checked),
            "detail": self.detail,
        });
        if let Some(t) = self.response_time {
            v["responseTime"] = json!(t.as_millis() as u64);
        }
        if let Some(e) = &self.error {
            v["error"] = json!(e);
            v["consecutiveFailures"] = json!(self.consecutive_failures);
        }
        v
    }
}

/// What the probes may reach: the narrow view of the server they check, built by its owner.
#[derive(Clone, Copy)]
pub(crate) struct Deps<'a> {
    /// The HubSpot client, when one is configured.
    pub(crate) hubspot: Option<&'a crate::hubspot::Client>,
    /// The bearer-token verifier, when authentication is on.
    pub(crate) verifier: Option<&'a crate::auth::Verifier>,
    /// `HEALTH_CHECK_ENABLED`.
    pub(crate) checks_enabled: bool,
    /// A real HubSpot token is configured (else the client talks to the built-in sandbox).
    pub(crate) hubspot_token: bool,
}

/// One dependency to check.
pub(crate) trait Probe: Send + Sync {
    /// Its key in `/health`'s `dependencies`.
    fn name(&self) -> &'static str;
    /// The verdict before the first check, and for good when checks are off.
    fn initial(&self, deps: &Deps<'_>) -> DependencyHealth;
    /// Checks now, giving up at `deadline`. `previous` is the last verdict (for failure counting).
    fn check(
        &self,
        deps: &Deps<'_>,
        deadline: Instant,
        previous: &DependencyHealth,
    ) -> DependencyHealth;
}

/// The latest verdict of every probe.
pub(crate) struct Board {
    probes: Vec<Box<dyn Probe>>,
    /// `None` until the probe's first check: then [`Probe::initial`] answers.
    results: RwLock<Vec<Option<DependencyHealth>>>,
}

impl std::fmt::Debug for Board {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Board")
            .field("results", &*self.results.read())
            .finish_non_exhaustive()
    }
}

impl Board {
    /// A board for `probes`, none checked yet.
    pub(crate) fn new(probes: Vec<Box<dyn Probe>>) -> Board {
        let results = probes.iter().map(|_| None).collect();
        Board {
            probes,
            results: RwLock::new(results),
        }
    }

    /// `(name, verdict)` of every dependency.
    pub(crate) fn read(&self, deps: &Deps<'_>) -> Vec<(&'static str, DependencyHealth)> {
        let results = self.results.read();
        self.probes
            .iter()
            .zip(results.iter())
            .map(|(p, r)| (p.name(), r.clone().unwrap_or_else(|| p.initial(deps))))
            .collect()
    }

    /// Runs every probe once, now, and records the verdicts.
    pub(crate) fn check_all(&self, deps: &Deps<'_>, timeout: Duration) {
        for (i, probe) in self.probes.iter().enumerate() {
            let stored = self.results.read().get(i).cloned().flatten();
            let previous = stored.unwrap_or_else(|| probe.initial(deps));
            let started = Instant::now();
            let mut now = probe.check(deps, started + timeout, &previous);
            now.response_time.get_or_insert(started.elapsed());
            if now.status != previous.status {
                let (name, from, to) =
                    (probe.name(), previous.status.as_str(), now.status.as_str());
                let error = now.error.as_deref();
                if now.status > previous.status {
                    log::warn!(dependency = name, from = from, to = to, error = error; "dependency health changed");
                } else {
                    log::info!(dependency = name, from = from, to = to; "dependency health changed");
                }
            }
            if let Some(slot) = self.results.write().get_mut(i) {
                *slot = Some(now);
            }
        }
    }
}

/// Failures in a row before a dependency that failed (but did not refuse us) counts as unhealthy.
pub(crate) const FAILURES_BEFORE_UNHEALTHY: u32 = 3;

/// The background thread running the checks. Dropping it tells the thread to stop without waiting: a
/// probe may be inside a call of up to 10 s, which must not hold up shutdown.
pub(crate) struct Checker {
    stop: Option<Sender<()>>,
    handle: Option<JoinHandle<()>>,
}

/// How long after start the first round waits (at most `interval`): the process answers its first
/// requests before it spends CPU, a DNS lookup and a HubSpot call on checks. On a 2-core container a
/// round at once took the CPU from the first `/health` (cold start 1-1.5 ms later, docs/performance.md).
/// Until then `/health` says the check is pending, as it does while a first round is in flight.
/// (`HEALTH_CHECK_INTERVAL_MS`'s doc in config/vars.rs and docs/operating.md say "1 s" too.)
pub(crate) const FIRST_ROUND_AFTER: Duration = Duration::from_secs(1);

impl Checker {
    /// Starts the thread: `round` after `min(interval, FIRST_ROUND_AFTER)`, then once per `interval`;
    /// it is given the time each probe may take, `min(interval, 10 s)` (the owner calls
    /// [`Board::check_all`] with its [`Deps`]).
    pub(crate) fn spawn(
        round: impl Fn(Duration) + Send + 'static,
        interval: Duration,
    ) -> std::io::Result<Checker> {
        let (stop, stopped) = bounded::<()>(1);
        let timeout = interval.min(Duration::from_secs(10));
        let handle = std::thread::Builder::new()
            .name("health-checker".into())
            .stack_size(256 * 1024)
            .spawn(move || {
                let mut wait = interval.min(FIRST_ROUND_AFTER);
                loop {
                    match stopped.recv_timeout(wait) {
                        Err(RecvTimeoutError::Timeout) => {}
                        _ => return,
                    }
                    round(timeout);
                    wait = interval;
                }
            })?;
        Ok(Checker {
            stop: Some(stop),
            handle: Some(handle),
        })
    }
}

impl Drop for Checker {
    fn drop(&mut self) {
        drop(self.stop.take());
        drop(self.handle.take());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    /// When each round ran, measured from `start`.
    fn rounds_of(interval: Duration, watch: Duration) -> Vec<Duration> {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let start = Instant::now();
        let record = Arc::clone(&seen);
        let checker = Checker::spawn(
            move |_| {
                if let Ok(mut v) = record.lock() {
                    v.push(start.elapsed());
                }
            },
            interval,
        );
        assert!(checker.is_ok());
        std::thread::sleep(watch);
        drop(checker);
        let v = seen.lock().map(|v| v.clone()).unwrap_or_default();
        v
    }

    #[test]
    fn the_first_round_waits_for_the_first_requests() {
        // A long interval: the first round comes FIRST_ROUND_AFTER after start, not at once.
        let rounds = rounds_of(
            Duration::from_secs(60),
            FIRST_ROUND_AFTER + Duration::from_millis(500),
        );
        assert_eq!(rounds.len(), 1, "{rounds:?}");
        assert!(rounds[0] >= FIRST_ROUND_AFTER, "{rounds:?}");
    }

    #[test]
    fn a_short_interval_also_bounds_the_first_wait() {
        // An interval under FIRST_ROUND_AFTER: every round, the first included, one interval apart.
        let interval = Duration::from_millis(150);
        let rounds = rounds_of(interval, Duration::from_millis(700));
        assert!(rounds.len() >= 2, "{rounds:?}");
        assert!(
            rounds[0] >= interval && rounds[0] < FIRST_ROUND_AFTER,
            "{rounds:?}"
        );
    }
}
