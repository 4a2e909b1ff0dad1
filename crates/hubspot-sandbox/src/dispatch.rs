//! The request pipeline shared by every connection: control paths (`/__sandbox/*`), route matching and
//! statistics, the OAuth endpoints (handed to `oauth`, outside the rest of the pipeline), then for API
//! calls in order: dropped connection, latency, bearer auth (the private-app token or a live OAuth
//! access token), injected 5xx, forced 429s, the real rate limits, scopes (the private-app token's, or
//! those granted to the OAuth token), the handler (with what the caller may see), the stall; the
//! HubSpot-shaped response (JSON, `X-HubSpot-Correlation-Id`, rate-limit headers on non-search calls);
//! and an entry in the request log.

use std::sync::Arc;
use std::time::Duration;

use parking_lot::RwLock;
use serde_json::{json, Value};

use crate::api::{self, Ctx, Query};
use crate::errors::{correlation_id, ApiError};
use crate::faults::{Faults, Stats};
use crate::http::{Handler, Outcome, Request, Response};
use crate::oauth::{self, Refusal, Session, Tokens, ACCESS_PREFIX};
use crate::ratelimit::{Policy, RateLimiter, Usage};
use crate::reqlog::{Entry, RequestLog};
use crate::routes::{self, required_scopes, Body, Op, Resolved};
use crate::seed;
use crate::store::Store;
use crate::time::now_ms;
use crate::types::{DEFAULT_SCOPES, PORTAL_ID};
use crate::visibility::Visibility;
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
    /// The OAuth app's codes and tokens.
    pub(crate) oauth: Tokens,
    /// The last API calls, for tests.
    pub(crate) requests: RequestLog,
    /// `http://addr`, used when a request has no Host header.
    base: String,
}

/// Who makes an API call.
#[derive(Clone, Debug)]
enum Caller {
    /// The private-app token (or, when none is configured, any other non-empty bearer token).
    PrivateApp,
    /// A signed-in user, by a live OAuth access token.
    User(Session),
}

const JSON: &str = "application/json;charset=utf-8";

/// The sandbox's own control paths (faults, stats, requests, oauth, reset); not part of HubSpot's
/// namespace.
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
            store: RwLock::new(seed::seeded_with(opts.seed, opts.dataset)),
            faults: Arc::new(Faults::default()),
            stats: Stats::default(),
            limiter,
            oauth: Tokens::new(opts.oauth_access_token_ttl),
            requests: RequestLog::default(),
            base,
            opts,
        }
    }

    /// Whether `token` is the private-app token: the configured one, or when none is configured any
    /// non-empty token that does not look like an OAuth access token.
    pub(crate) fn token_ok(&self, token: &str) -> bool {
        match &self.opts.token {
            Some(t) => t == token,
            None => !token.is_empty() && !token.starts_with(ACCESS_PREFIX),
        }
    }

    /// The caller of an API request and its bearer token: the private-app token, or an OAuth access
    /// token the sandbox issued and that is still live (an expired one: 401 EXPIRED_AUTHENTICATION).
    fn caller(&self, req: &Request) -> Result<(String, Caller), ApiError> {
        let token = bearer(req).ok_or_else(ApiError::unauthorized)?;
        if self.token_ok(token) {
            return Ok((token.to_string(), Caller::PrivateApp));
        }
        if !token.starts_with(ACCESS_PREFIX) {
            return Err(ApiError::unauthorized());
        }
        match self.oauth.session(token) {
            Ok(s) => Ok((token.to_string(), Caller::User(s))),
            Err(Refusal::Expired(at)) => Err(ApiError::expired_token(at, now_ms())),
            Err(Refusal::Unknown) => Err(ApiError::unauthorized()),
        }
    }

    /// The scopes `caller` holds now (revoked ones taken away).
    fn scopes_of(&self, caller: &Caller) -> Vec<String> {
        match caller {
            Caller::PrivateApp => self.effective_scopes(),
            Caller::User(s) => s
                .scopes
                .iter()
                .filter(|g| !self.faults.is_revoked(g))
                .cloned()
                .collect(),
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
        *self.store.write() = seed::seeded_with(self.opts.seed, self.opts.dataset);
        self.faults.clear();
        self.stats.clear();
        self.limiter.reset();
        self.oauth.reset();
        self.requests.clear();
    }

    /// Whether a control request carries the private-app token (an OAuth access token is not enough).
    fn control_authorized(&self, req: &Request) -> bool {
        bearer(req).is_some_and(|t| self.token_ok(t))
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
        if !self.control_authorized(req) {
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
            ("GET", "/requests") => ok(to_value(serde_json::to_value(self.requests.snapshot()))),
            ("DELETE", "/requests") => {
                self.requests.clear();
                json_response(204, None, Vec::new())
            }
            ("GET", "/oauth") => ok(self.oauth.snapshot()),
            ("POST", "/oauth") => {
                let body: Value = match serde_json::from_slice(&req.body) {
                    Ok(v) => v,
                    Err(e) => {
                        return self.error(&ApiError::invalid_json(&e), &correlation, Vec::new())
                    }
                };
                match self.oauth.apply_json(&body) {
                    Ok(()) => ok(self.oauth.snapshot()),
                    Err(why) => self.error(&ApiError::validation(why), &correlation, Vec::new()),
                }
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
        let (token, caller) = match self.caller(req) {
            Ok(c) => c,
            // The token-info endpoint authenticates with the token in its body.
            Err(_) if op == Op::TokenInfo && req.header("authorization").is_none() => {
                ("(token-info)".to_string(), Caller::PrivateApp)
            }
            Err(e) => return self.error(&e, correlation, Vec::new()),
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
            let granted = self.scopes_of(&caller);
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
            visibility: match &caller {
                Caller::PrivateApp => Visibility::All,
                Caller::User(s) => s.visibility,
            },
        };
        match api::call(op, &ctx) {
            Ok(reply) => json_response(reply.status, reply.body.as_ref(), headers),
            Err(e) => self.error(&e, correlation, headers),
        }
    }

    /// An API request after control paths and OAuth endpoints: everything but the request log.
    fn serve(&self, req: &Request, resolved: Resolved) -> Outcome {
        let route = match resolved {
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
        let resp = self.api(req, &route, &correlation);
        log::debug!("sandbox: {} {} -> {}", req.method, req.path, resp.status);
        let stall = self.faults.stall_ms();
        if stall > 0 {
            std::thread::sleep(Duration::from_millis(stall));
        }
        Outcome::Respond(resp)
    }
}

impl Handler for Shared {
    fn handle(&self, req: Request) -> Outcome {
        if req.path == CONTROL || req.path.starts_with(&format!("{CONTROL}/")) {
            return Outcome::Respond(self.control(&req));
        }
        let resolved = routes::table().resolve(&req.method, &req.path);
        if let Resolved::Found {
            op: Op::OAuth(endpoint),
            template,
            ..
        } = resolved
        {
            self.stats
                .record(&req.method, template, req.path.trim_end_matches('/'));
            let resp = oauth::handle(&self.oauth, endpoint, &req);
            log::debug!("sandbox: {} {} -> {}", req.method, req.path, resp.status);
            return Outcome::Respond(resp);
        }
        let outcome = self.serve(&req, resolved);
        let token = bearer(&req);
        let status = match &outcome {
            Outcome::Respond(r) => Some(r.status),
            Outcome::Drop => None,
        };
        self.requests.record(Entry::new(
            &req.method,
            &req.path,
            token.and_then(|t| self.oauth.user_of(t)),
            token,
            status,
        ));
        outcome
    }
}
