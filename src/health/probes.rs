//! The probes: HubSpot (a one-record read, as the original design's `getPage(1)`) and the token issuer
//! (the JWKS). Each turns what it saw into a [`Status`] an operator can act on.

use std::time::{Instant, SystemTime};

use crate::health::deps::{DependencyHealth, Deps, Probe, Status, FAILURES_BEFORE_UNHEALTHY};
use crate::hubspot::{paths, ErrorKind, Kind, Method};

/// What a dependency says before its first check: pending, or never (checks off).
fn pending(deps: &Deps<'_>) -> &'static str {
    if deps.checks_enabled {
        // scripts/railway-common.sh's deploy check waits while a dependency says this.
        "first check pending"
    } else {
        "not checked (HEALTH_CHECK_ENABLED=false)"
    }
}

/// Reads one company: proves DNS, TLS, the token and HubSpot's API in one cheap call.
#[derive(Debug, Default)]
pub(crate) struct HubSpotProbe;

impl Probe for HubSpotProbe {
    fn name(&self) -> &'static str {
        "hubspot"
    }

    fn initial(&self, deps: &Deps<'_>) -> DependencyHealth {
        let detail = if deps.hubspot.is_none() {
            "no HubSpot client configured"
        } else {
            pending(deps)
        };
        DependencyHealth::unchecked(Status::Healthy, detail)
    }

    fn check(
        &self,
        deps: &Deps<'_>,
        deadline: Instant,
        previous: &DependencyHealth,
    ) -> DependencyHealth {
        let Some(client) = deps.hubspot else {
            return self.initial(deps);
        };
        let started = Instant::now();
        let result = client.send(
            Method::Get,
            &paths::objects("companies"),
            &[("limit", "1".to_string())],
            None,
            Kind::Read,
            deadline,
        );
        let took = started.elapsed();
        let target = if !deps.hubspot_token {
            "the built-in sandbox"
        } else {
            "HubSpot"
        };
        let mut out = DependencyHealth {
            status: Status::Healthy,
            response_time: Some(took),
            error: None,
            detail: format!(
                "GET {}?limit=1 on {target} answered",
                paths::objects("companies")
            ),
            last_checked: SystemTime::now(),
            consecutive_failures: 0,
        };
        let Err(e) = result else {
            return out;
        };
        // Reachable and the token accepted, but no companies scope: the check proved what it checks.
        if e.status == Some(403) {
            out.detail = format!(
                "{target} reachable and the token accepted (403 on the companies read: the token lacks crm.objects.companies.read)"
            );
            return out;
        }
        out.consecutive_failures = previous.consecutive_failures.saturating_add(1);
        out.error = Some(e.to_string());
        let (status, detail) = match (&e.kind, e.status) {
            (ErrorKind::Api, Some(401)) => (
                Status::Unhealthy,
                "HubSpot refused the access token (401): set a valid HUBSPOT_ACCESS_TOKEN",
            ),
            (ErrorKind::RateLimited { .. } | ErrorKind::DailyLimit, _) => (
                Status::Degraded,
                "HubSpot is rate limiting this account: calls wait or fail until the window resets",
            ),
            (ErrorKind::Setup, _) => (Status::Unhealthy, "the HubSpot client is not usable"),
            _ if out.consecutive_failures >= FAILURES_BEFORE_UNHEALTHY => (
                Status::Unhealthy,
                "HubSpot has failed every check for a while: check the network, proxy (HTTPS_PROXY) and status.hubspot.com",
            ),
            _ => (
                Status::Degraded,
                "the last check of HubSpot failed; it is retried every HEALTH_CHECK_INTERVAL_MS",
            ),
        };
        out.status = status;
        out.detail = detail.to_string();
        out
    }
}

/// The token issuer: with `JWKS_URI`, whether the key set can be fetched and how many keys are cached;
/// with `JWT_SECRET`, nothing to reach; without either, authentication is off.
#[derive(Debug, Default)]
pub(crate) struct AuthProbe;

impl Probe for AuthProbe {
    fn name(&self) -> &'static str {
        "auth"
    }

    fn initial(&self, deps: &Deps<'_>) -> DependencyHealth {
        match deps.verifier {
            None => DependencyHealth::unchecked(Status::Healthy, "authentication off"),
            Some(v) => match v.jwks_status() {
                None => DependencyHealth::unchecked(
                    Status::Healthy,
                    "bearer tokens verified with JWT_SECRET",
                ),
                Some(j) if j.keys > 0 => DependencyHealth::unchecked(
                    Status::Healthy,
                    format!("{} signing keys cached from JWKS_URI", j.keys),
                ),
                Some(_) if deps.checks_enabled => {
                    DependencyHealth::unchecked(Status::Healthy, "first JWKS check pending")
                }
                Some(j) => DependencyHealth {
                    error: j.last_error,
                    ..DependencyHealth::unchecked(
                        Status::Unhealthy,
                        "no signing key cached from JWKS_URI",
                    )
                },
            },
        }
    }

    fn check(
        &self,
        deps: &Deps<'_>,
        _deadline: Instant,
        previous: &DependencyHealth,
    ) -> DependencyHealth {
        let Some(v) = deps.verifier else {
            return self.initial(deps);
        };
        let started = Instant::now();
        // Fetches unless one ran within JWKS_MIN_REFRESH_SECONDS (the fetch has its own timeouts).
        let Some(keys) = v.refresh_jwks(SystemTime::now()) else {
            return self.initial(deps);
        };
        let took = started.elapsed();
        let status = v.jwks_status();
        let error = status.as_ref().and_then(|s| s.last_error.clone());
        let failures = if error.is_some() {
            previous.consecutive_failures.saturating_add(1)
        } else {
            0
        };
        let (st, detail) = match (keys, &error) {
            (0, _) => (
                Status::Unhealthy,
                "no signing key cached from JWKS_URI: every token is refused with 503".to_string(),
            ),
            (n, Some(_)) => (
                Status::Degraded,
                format!("JWKS_URI unreachable; {n} cached signing keys still verify tokens"),
            ),
            (n, None) => (
                Status::Healthy,
                format!("{n} signing keys cached from JWKS_URI"),
            ),
        };
        DependencyHealth {
            status: st,
            response_time: Some(took),
            error,
            detail,
            last_checked: SystemTime::now(),
            consecutive_failures: failures,
        }
    }
}

/// Redis (`REDIS_URL`), the `database` of the original design's health JSON: a `PING`.
#[derive(Debug)]
pub(crate) struct RedisProbe(pub(crate) std::sync::Arc<crate::redis::Redis>);

impl Probe for RedisProbe {
    fn name(&self) -> &'static str {
        "database"
    }

    fn initial(&self, deps: &Deps<'_>) -> DependencyHealth {
        DependencyHealth::unchecked(Status::Healthy, pending(deps))
    }

    fn check(
        &self,
        _deps: &Deps<'_>,
        _deadline: Instant,
        previous: &DependencyHealth,
    ) -> DependencyHealth {
        let started = Instant::now();
        let result = self.0.cmd(crate::redis_cmd!("PING"));
        let mut out = DependencyHealth::unchecked(
            Status::Healthy,
            format!(
                "Redis at {} answered PING: sessions are shared by every replica",
                self.0.addr()
            ),
        );
        out.response_time = Some(started.elapsed());
        match result {
            Ok(crate::redis::Reply::Status(p)) if p == "PONG" => out,
            other => {
                out.status = Status::Unhealthy;
                out.error = Some(match other {
                    Ok(r) => format!("unexpected reply to PING: {r:?}"),
                    Err(e) => e.to_string(),
                });
                out.consecutive_failures = previous.consecutive_failures.saturating_add(1);
                out.detail = format!(
                    "Redis at {} does not answer: sessions cannot be opened or used (503) until it does",
                    self.0.addr()
                );
                out
            }
        }
    }
}
