//! Run-time fault knobs (latency, injected 5xx, forced 429s, an exhausted daily budget, dropped
//! connections, revoked scopes, stalled responses) and request statistics, shared by the Rust handle
//! ([`crate::Sandbox::faults`]) and the control paths `/__sandbox/faults` and `/__sandbox/stats`.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, AtomicU16, AtomicU64, Ordering};

use parking_lot::{Mutex, RwLock};
use serde::Serialize;
use serde_json::Value;

/// Fault knobs of a running sandbox; every change applies from the next API request on. Control paths
/// (`/__sandbox/*`) are never subject to faults.
#[derive(Debug, Default)]
pub struct Faults {
    latency_ms: AtomicU64,
    status_5xx: AtomicU16,
    fail_5xx_next: AtomicU64,
    rate_429_next: AtomicU64,
    daily_exhausted: AtomicBool,
    drop_next: AtomicU64,
    stall_ms: AtomicU64,
    revoked: RwLock<BTreeSet<String>>,
}

/// A copy of the fault knobs, as `GET /__sandbox/faults` shows them (the same names `POST` takes).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FaultsSnapshot {
    /// Delay before every API request is handled, in milliseconds.
    latency_ms: u64,
    /// Status `fail5xxNext` answers with (500 when 0).
    status_5xx: u16,
    /// How many of the next API requests fail with `status5xx` (not applied).
    fail_5xx_next: u64,
    /// How many of the next API requests get 429 TEN_SECONDLY_ROLLING (not applied).
    rate_429_next: u64,
    /// Every API request gets 429 DAILY while set.
    daily_exhausted: bool,
    /// How many of the next API requests have their connection closed without a response (not applied).
    drop_next: u64,
    /// Scopes taken away from every token.
    revoke_scopes: Vec<String>,
    /// Delay after an API request was handled (and applied), before the response is written.
    pub stall_ms: u64,
}

fn take(counter: &AtomicU64) -> bool {
    counter
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok()
}

impl Faults {
    /// Delays every API request by `ms` before handling it.
    pub fn set_latency_ms(&self, ms: u64) {
        self.latency_ms.store(ms, Ordering::SeqCst);
    }

    /// The status injected failures use (500 when 0).
    pub fn set_status_5xx(&self, status: u16) {
        self.status_5xx.store(status, Ordering::SeqCst);
    }

    /// The next `n` API requests fail with the injected status and are not applied.
    pub fn set_fail_5xx_next(&self, n: u64) {
        self.fail_5xx_next.store(n, Ordering::SeqCst);
    }

    /// The next `n` API requests get 429 TEN_SECONDLY_ROLLING and are not applied.
    fn set_rate_429_next(&self, n: u64) {
        self.rate_429_next.store(n, Ordering::SeqCst);
    }

    /// While true every API request gets 429 DAILY.
    fn set_daily_exhausted(&self, exhausted: bool) {
        self.daily_exhausted.store(exhausted, Ordering::SeqCst);
    }

    /// The next `n` API requests are read, then their connection is closed without a response.
    fn set_drop_next(&self, n: u64) {
        self.drop_next.store(n, Ordering::SeqCst);
    }

    /// Holds every API response `ms` after the request was applied (to provoke client timeouts).
    fn set_stall_ms(&self, ms: u64) {
        self.stall_ms.store(ms, Ordering::SeqCst);
    }

    /// Takes these scopes away from every token (replacing the previous set; empty restores all).
    fn revoke_scopes<I, S>(&self, scopes: I)
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        *self.revoked.write() = scopes.into_iter().map(Into::into).collect();
    }

    /// Clears every fault.
    pub fn clear(&self) {
        self.set_latency_ms(0);
        self.set_status_5xx(0);
        self.set_fail_5xx_next(0);
        self.set_rate_429_next(0);
        self.set_daily_exhausted(false);
        self.set_drop_next(0);
        self.set_stall_ms(0);
        self.revoked.write().clear();
    }

    /// The current knobs.
    pub fn snapshot(&self) -> FaultsSnapshot {
        FaultsSnapshot {
            latency_ms: self.latency_ms.load(Ordering::SeqCst),
            status_5xx: self.status_5xx.load(Ordering::SeqCst),
            fail_5xx_next: self.fail_5xx_next.load(Ordering::SeqCst),
            rate_429_next: self.rate_429_next.load(Ordering::SeqCst),
            daily_exhausted: self.daily_exhausted.load(Ordering::SeqCst),
            drop_next: self.drop_next.load(Ordering::SeqCst),
            revoke_scopes: self.revoked.read().iter().cloned().collect(),
            stall_ms: self.stall_ms.load(Ordering::SeqCst),
        }
    }

    /// Consumes one pending dropped connection.
    pub(crate) fn take_drop(&self) -> bool {
        take(&self.drop_next)
    }

    /// Consumes one pending injected failure, returning its status.
    pub(crate) fn take_5xx(&self) -> Option<u16> {
        take(&self.fail_5xx_next).then(|| match self.status_5xx.load(Ordering::SeqCst) {
            0 => 500,
            s => s,
        })
    }

    /// Consumes one pending forced 429.
    pub(crate) fn take_429(&self) -> bool {
        take(&self.rate_429_next)
    }

    /// Whether the daily budget is forced to be exhausted.
    pub(crate) fn daily_exhausted(&self) -> bool {
        self.daily_exhausted.load(Ordering::SeqCst)
    }

    /// The latency before handling.
    pub(crate) fn latency_ms(&self) -> u64 {
        self.latency_ms.load(Ordering::SeqCst)
    }

    /// The stall before responding.
    pub(crate) fn stall_ms(&self) -> u64 {
        self.stall_ms.load(Ordering::SeqCst)
    }

    /// Whether `scope` is revoked.
    pub(crate) fn is_revoked(&self, scope: &str) -> bool {
        self.revoked.read().contains(scope)
    }

    /// Applies a `POST /__sandbox/faults` body: only the fields present change; `"clear": true` clears
    /// everything first.
    pub(crate) fn apply_json(&self, body: &Value) -> Result<(), String> {
        let Some(m) = body.as_object() else {
            return Err("the body must be a JSON object".into());
        };
        let num = |k: &str| -> Result<Option<u64>, String> {
            match m.get(k) {
                None | Some(Value::Null) => Ok(None),
                Some(v) => v
                    .as_u64()
                    .map(Some)
                    .ok_or_else(|| format!("{k} must be a non-negative integer")),
            }
        };
        const KNOWN: [&str; 9] = [
            "clear",
            "latencyMs",
            "status5xx",
            "fail5xxNext",
            "rate429Next",
            "dailyExhausted",
            "dropNext",
            "revokeScopes",
            "stallMs",
        ];
        if let Some(k) = m.keys().find(|k| !KNOWN.contains(&k.as_str())) {
            return Err(format!("unknown fault {k}; known: {}", KNOWN.join(", ")));
        }
        let status = num("status5xx")?;
        if let Some(s) = status {
            if !(500..=599).contains(&s) {
                return Err("status5xx must be between 500 and 599".into());
            }
        }
        let scopes = match m.get("revokeScopes") {
            None | Some(Value::Null) => None,
            Some(Value::Array(a)) => Some(
                a.iter()
                    .map(|s| {
                        s.as_str()
                            .map(str::to_string)
                            .ok_or("revokeScopes must hold strings")
                    })
                    .collect::<Result<Vec<_>, _>>()?,
            ),
            Some(_) => return Err("revokeScopes must be an array of scope names".into()),
        };
        let daily = match m.get("dailyExhausted") {
            None | Some(Value::Null) => None,
            Some(v) => Some(v.as_bool().ok_or("dailyExhausted must be a boolean")?),
        };
        let (latency, fail, r429, drop, stall) = (
            num("latencyMs")?,
            num("fail5xxNext")?,
            num("rate429Next")?,
            num("dropNext")?,
            num("stallMs")?,
        );
        if m.get("clear").and_then(Value::as_bool) == Some(true) {
            self.clear();
        }
        if let Some(v) = latency {
            self.set_latency_ms(v);
        }
        if let Some(v) = status {
            self.set_status_5xx(v as u16);
        }
        if let Some(v) = fail {
            self.set_fail_5xx_next(v);
        }
        if let Some(v) = r429 {
            self.set_rate_429_next(v);
        }
        if let Some(v) = daily {
            self.set_daily_exhausted(v);
        }
        if let Some(v) = drop {
            self.set_drop_next(v);
        }
        if let Some(v) = stall {
            self.set_stall_ms(v);
        }
        if let Some(s) = scopes {
            self.revoke_scopes(s);
        }
        Ok(())
    }
}

/// Counts of API requests received (whatever their outcome, dropped ones included), by
/// `"METHOD path-template"` and by `"METHOD path"`.
#[derive(Debug, Default)]
pub(crate) struct Stats {
    inner: Mutex<StatsSnapshot>,
}

/// A copy of the request counts, as `GET /__sandbox/stats` shows them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StatsSnapshot {
    /// Every API request counted.
    pub total: u64,
    /// By `"METHOD template"`, e.g. `"POST /crm/v3/objects/{type}"`.
    requests: BTreeMap<String, u64>,
    /// By `"METHOD path"` (no query), e.g. `"POST /crm/v3/objects/contacts"`.
    paths: BTreeMap<String, u64>,
}

impl StatsSnapshot {
    /// The count for a `"METHOD template"` key (0 when never seen).
    pub fn count(&self, key: &str) -> u64 {
        self.requests.get(key).copied().unwrap_or(0)
    }

    /// The count for a `"METHOD path"` key (0 when never seen).
    #[cfg(test)]
    fn path_count(&self, key: &str) -> u64 {
        self.paths.get(key).copied().unwrap_or(0)
    }
}

impl Stats {
    /// Counts one request.
    pub(crate) fn record(&self, method: &str, template: &str, path: &str) {
        let mut s = self.inner.lock();
        s.total += 1;
        *s.requests
            .entry(format!("{method} {template}"))
            .or_default() += 1;
        *s.paths.entry(format!("{method} {path}")).or_default() += 1;
    }

    /// The counts.
    pub(crate) fn snapshot(&self) -> StatsSnapshot {
        self.inner.lock().clone()
    }

    /// Forgets every count.
    pub(crate) fn clear(&self) {
        *self.inner.lock() = StatsSnapshot::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_knobs_apply_and_count_down() {
        let f = Faults::default();
        f.apply_json(&json!({"status5xx": 503, "fail5xxNext": 2, "revokeScopes": ["tickets"], "dropNext": 1}))
            .unwrap();
        assert_eq!(f.take_5xx(), Some(503));
        assert_eq!(f.take_5xx(), Some(503));
        assert_eq!(f.take_5xx(), None);
        assert!(f.take_drop() && !f.take_drop());
        assert!(f.is_revoked("tickets"));
        let snap = serde_json::to_value(f.snapshot()).unwrap();
        assert_eq!(snap["revokeScopes"], json!(["tickets"]));
        assert_eq!(snap["status5xx"], 503);
        assert!(snap.get("fail5xxNext").is_some() && snap.get("rate429Next").is_some());
        assert!(f.apply_json(&json!({"bogus": 1})).is_err());
        assert!(f.apply_json(&json!({"status5xx": 404})).is_err());
        f.apply_json(&json!({"clear": true, "rate429Next": 1}))
            .unwrap();
        assert!(!f.is_revoked("tickets"));
        assert!(f.take_429() && !f.take_429());
        f.set_fail_5xx_next(1);
        f.set_status_5xx(0);
        assert_eq!(f.take_5xx(), Some(500));
    }

    #[test]
    fn stats_count() {
        let s = Stats::default();
        s.record("POST", "/crm/v3/objects/{type}", "/crm/v3/objects/contacts");
        s.record("POST", "/crm/v3/objects/{type}", "/crm/v3/objects/deals");
        let snap = s.snapshot();
        assert_eq!(
            (snap.total, snap.count("POST /crm/v3/objects/{type}")),
            (2, 2)
        );
        assert_eq!(snap.path_count("POST /crm/v3/objects/deals"), 1);
        s.clear();
        assert_eq!(s.snapshot().total, 0);
    }
}
