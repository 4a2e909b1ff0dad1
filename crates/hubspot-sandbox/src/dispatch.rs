//! The request pipeline shared by every connection: control paths (`/__sandbox/*`), route matching and
//! statistics, then for API calls in order: dropped connection, latency, bearer auth, injected 5xx,
//! forced 429s, the real rate limits, scopes, the handler, the stall; and the HubSpot-shaped response
//! (JSON, `X-HubSpot-Correlation-Id`, rate-limit headers on non-search calls).

use std::sync::Arc;
use std::time::Duration;

use parking_lot::RwLock;
use serde_json::{json, Value};

use crate::api::{self, Ctx, Query};
use crate::errors::{correlation_id, ApiError};
use crate::faults::{Faults, Stats};
use crate::http::{Handler, Outcome, Request, Response};
use crate::ratelimit::{Policy, RateLimiter, Usage};
use crate::routes::{self, required_scopes, Body, Op, Resolved};
use crate::seed;
use crate::store::Store;
use crate::types::{DEFAULT_SCOPES, PORTAL_ID};
use crate::SandboxOptions;

/// A matched API request: its operation, path parameters (decoded), template and body rule.
#[derive(Clone, Copy)]
struct Route<'a> {
    op: Op,
    params: &'a [String],
    template: &'static str,
    body: Body,
}

/// State shared by every connection thread.
pub(crate) struct Shared {
    opts: SandboxOptions,
    pub(crate) store: RwLock<Store>,
    pub(crate) faults: Arc<Faults>,
    pub(crate) stats: Stats,
    pub(crate) limiter: RateLimiter,
    /// `http://addr`, used when a request has no Host header.
    base: String,
}

const JSON: &str = "application/json;charset=utf-8";

/// The sandbox's own control paths (faults, stats, reset); not part of HubSpot's namespace.
pub(crate) const CONTROL: &str = "/__sandbox";

/// The statistics template of requests no route matches (unknown paths, wrong methods, dot segments):
/// counted too, so `total` is every API request the sandbox received.
pub(crate) const UNMATCHED: &str = "(no route)";

fn json_response(
    status: u16,
    body: Option<&Value>,
    mut headers: Vec<(String, String)>,
) -> Response {
    headers.insert(0, ("Content-Type".into(), JSON.into()));
    Response {
        status,
        headers,
        body: body.map(|b| b.to_string().into_bytes()).unwrap_or_default(),
    }
}

fn plain(status: u16, text: &str) -> Response {
    Response {
        status,
        headers: vec![("Content-Type".into(), "text/plain; charset=utf-8".into())],
        body: text.as_bytes().to_vec(),
    }
}

fn bearer(req: &Request) -> Option<&str> {
    let h = req.header("authorization")?.trim();
    let (scheme, token) = h.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

impl Shared {
    /// A fresh account and limiter for `opts`, serving at `base`.
    pub(crate) fn new(opts: SandboxOptions, base: String) -> Shared {
        let limiter = RateLimiter::new(crate::ratelimit::Limits {
            ten_secondly: opts.ten_secondly_limit,
            search_per_second: opts.search_per_second,
            daily: opts.daily_limit,
        });
        Shared {
            store: RwLock::new(seed::seeded(opts.seed)),
            faults: Arc::new(Faults::default()),
            stats: Stats::default(),
            limiter,
            base,
            opts,
        }
    }

    /// Whether `token` is accepted.
    pub(crate) fn token_ok(&self, token: &str) -> bool {
        match &self.opts.token {
            Some(t) => t == token,
            None => !token.is_empty(),
        }
    }

    /// The scopes every token holds now (configured or default, minus revoked ones).
    pub(crate) fn effective_scopes(&self) -> Vec<String> {
        let all: Vec<String> = match &self.opts.scopes {
            Some(s) => s.clone(),
            None => DEFAULT_SCOPES.iter().map(|s| (*s).to_string()).collect(),
        };
        all.into_iter()
            .filter(|s| !self.faults.is_revoked(s))
            .collect()
    }

    /// Restores the seed data and clears faults, statistics and rate-limit windows.
    pub(crate) fn reset(&self) {
        *self.store.write() = seed::seeded(self.opts.seed);
        self.faults.clear();
        self.stats.clear();
        self.limiter.reset();
    }

    fn authorized(&self, req: &Request) -> Option<String> {
        bearer(req).filter(|t| self.token_ok(t)).map(str::to_string)
    }

    fn error(
        &self,
        e: &ApiError,
        correlation: &str,
        mut headers: Vec<(String, String)>,
    ) -> Response {
        headers.push(("X-HubSpot-Correlation-Id".into(), correlation.into()));
        json_response(e.status, Some(&e.body(correlation)), headers)
    }

    fn too_many(&self, policy: Policy, usage: Usage, correlation: &str, search: bool) -> Response {
        let (message, name, group) = match policy {
            Policy::TenSecondly => (
                "You have reached your ten_secondly_rolling limit.",
                "TEN_SECONDLY_ROLLING",
                "ten-secondly",
            ),
            Policy::Secondly => (
                "You have reached your secondly limit.",
                "SECONDLY",
                "search",
            ),
            Policy::Daily => ("You have reached your daily limit.", "DAILY", "daily"),
        };
        let body = json!({
            "status": "error",
            "message": message,
            "errorType": "RATE_LIMIT",
            "correlationId": correlation,
            "policyName": name,
            "groupName": format!("private-apps:{group}:{PORTAL_ID}"),
            "category": "RATE_LIMITS",
        });
        let mut headers = vec![("X-HubSpot-Correlation-Id".into(), correlation.to_string())];
        if !search {
            let mut usage = usage;
            match policy {
                Policy::Daily => usage.daily_used = self.limiter.limits().daily,
                _ => usage.in_window = self.limiter.limits().ten_secondly,
            }
            headers.extend(self.limiter.headers(usage));
        }
        json_response(429, Some(&body), headers)
    }

    fn control(&self, req: &Request) -> Response {
        let correlation = correlation_id();
        if self.authorized(req).is_none() {
            return self.error(&ApiError::unauthorized(), &correlation, Vec::new());
        }
        let sub = req
            .path
            .strip_prefix(CONTROL)
            .unwrap_or("")
            .trim_end_matches('/');
        let ok = |v: Value| json_response(200, Some(&v), Vec::new());
        let to_value = |r: Result<Value, serde_json::Error>| r.unwrap_or(Value::Null);
        match (req.method.as_str(), sub) {
            ("GET", "/faults") => ok(to_value(serde_json::to_value(self.faults.snapshot()))),
            ("POST", "/faults") => {
                let body: Value = match serde_json::from_slice(&req.body) {
                    Ok(v) => v,
                    Err(e) => {
                        return self.error(&ApiError::invalid_json(&e), &correlation, Vec::new())
                    }
                };
                match self.faults.apply_json(&body) {
                    Ok(()) => ok(to_value(serde_json::to_value(self.faults.snapshot()))),
                    Err(why) => self.error(&ApiError::validation(why), &correlation, Vec::new()),
                }
            }
            ("GET", "/stats") => ok(to_value(serde_json::to_value(self.stats.snapshot()))),
            ("DELETE", "/stats") => {
                self.stats.clear();
                json_response(204, None, Vec::new())
            }
            ("POST", "/reset") => {
                self.reset();
                ok(json!({ "status": "reset", "seed": self.opts.seed }))
            }
            _ => plain(404, "Not Found"),
        }
    }

    fn api(&self, req: &Request, route: &Route<'_>, correlation: &str) -> Response {
        let Route {
            op,
            params,
            template,
            body,
        } = *route;
        let token = match self.authorized(req) {
            Some(t) => t,
            // The token-info endpoint authenticates with the token in its body.
            None if op == Op::TokenInfo && req.header("authorization").is_none() => {
                "(token-info)".to_string()
            }
            None => return self.error(&ApiError::unauthorized(), correlation, Vec::new()),
        };
        let search = op == Op::ObjSearch;
        if let Some(status) = self.faults.take_5xx() {
            let message = match status {
                502 => "Bad Gateway",
                503 => "Service Unavailable",
                504 => "Gateway Timeout",
                _ => "internal error",
            };
            return self.error(
                &ApiError::new(status, "INTERNAL_ERROR", message),
                correlation,
                Vec::new(),
            );
        }
        if self.faults.take_429() {
            return self.too_many(
                Policy::TenSecondly,
                self.limiter.usage(&token),
                correlation,
                false,
            );
        }
        if self.faults.daily_exhausted() {
            return self.too_many(
                Policy::Daily,
                self.limiter.usage(&token),
                correlation,
                search,
            );
        }
        let usage = match self.limiter.check(&token, search) {
            Ok(u) => u,
            Err((policy, u)) => return self.too_many(policy, u, correlation, search),
        };
        let mut headers = vec![(
            "X-HubSpot-Correlation-Id".to_string(),
            correlation.to_string(),
        )];
        if !search {
            headers.extend(self.limiter.headers(usage));
        }
        let required = required_scopes(op, params);
        if !required.is_empty() {
            let granted = self.effective_scopes();
            if !required.iter().any(|s| granted.iter().any(|g| g == s)) {
                return self.error(&ApiError::missing_scopes(required), correlation, headers);
            }
        }
        if body == Body::None && !req.body.is_empty() {
            let e = ApiError::unexpected_body(&req.method, template);
            return self.error(&e, correlation, headers);
        }
        let query = Query::parse(&req.query);
        let base = req
            .header("host")
            .map_or_else(|| self.base.clone(), |h| format!("http://{h}"));
        let ctx = Ctx {
            shared: self,
            params,
            query: &query,
            body: &req.body,
            path: req.path.trim_end_matches('/'),
            base,
        };
        match api::call(op, &ctx) {
            Ok(reply) => json_response(reply.status, reply.body.as_ref(), headers),
            Err(e) => self.error(&e, correlation, headers),
        }
    }
}

impl Handler for Shared {
    fn handle(&self, req: Request) -> Outcome {
        if req.path == CONTROL || req.path.starts_with(&format!("{CONTROL}/")) {
            return Outcome::Respond(self.control(&req));
        }
        let route = match routes::table().resolve(&req.method, &req.path) {
            Resolved::Found {
                op,
                template,
                params,
                body,
            } => {
                self.stats
                    .record(&req.method, template, req.path.trim_end_matches('/'));
                (op, template, params, body)
            }
            Resolved::MethodNotAllowed => {
                self.stats
                    .record(&req.method, UNMATCHED, req.path.trim_end_matches('/'));
                let e = ApiError::new(
                    405,
                    "VALIDATION_ERROR",
                    format!("Method {} is not allowed here", req.method),
                );
                return Outcome::Respond(self.error(&e, &correlation_id(), Vec::new()));
            }
            Resolved::NotFound => {
                self.stats
                    .record(&req.method, UNMATCHED, req.path.trim_end_matches('/'));
                return Outcome::Respond(plain(404, "Not Found"));
            }
        };
        if self.faults.take_drop() {
            log::debug!(
                "sandbox: dropping the connection of {} {}",
                req.method,
                req.path
            );
            return Outcome::Drop;
        }
        let latency = self.faults.latency_ms();
        if latency > 0 {
            std::thread::sleep(Duration::from_millis(latency));
        }
        let correlation = correlation_id();
        let (op, template, params, body) = route;
        let route = Route {
            op,
            params: &params,
            template,
            body,
        };
        let resp = self.api(&req, &route, &correlation);
        log::debug!("sandbox: {} {} -> {}", req.method, req.path, resp.status);
        let stall = self.faults.stall_ms();
        if stall > 0 {
            std::thread::sleep(Duration::from_millis(stall));
        }
        Outcome::Respond(resp)
    }
}
