//! The HubSpot client: one pooled `ureq` agent built once, explicit timeouts, client-side rate limits,
//! retries that never resend a write, and HubSpot's errors kept meaningful.
//!
//! Only this module, `auth::jwks` and `tls` import ureq. It knows nothing of MCP: tools call
//! `Client::get`, `Client::send` with a path from [`paths`] and a deadline, and get JSON or an
//! `Error`.

mod error;
mod mask;
pub(crate) mod oauth;
pub(crate) mod page;
pub mod paths;
pub mod rate_limit;
mod resolve;
mod retry;

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;
use ureq::tls::{RootCerts, TlsConfig};

pub(crate) use error::{Error, ErrorKind};

use crate::config::Config;
use crate::obs::histogram::Histogram;
use crate::obs::redact::Secret;
use mask::Mask;
use page::RecordPage;
use rate_limit::{Budget, Limiter, SharedLimiter};
use retry::{Decision, Outcome, Policy};

/// Per-connection read buffer (must hold a response head: HubSpot's are a few KiB).
const IO_BUFFER_IN: usize = 32 * 1024;
/// Per-connection write buffer (request heads; bodies are written through it in pieces).
const IO_BUFFER_OUT: usize = 16 * 1024;

/// Largest HubSpot response body read (HubSpot pages are far smaller).
const MAX_RESPONSE_BYTES: u64 = 16 * 1024 * 1024;

/// HTTP methods the tools use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Method {
    /// GET
    Get,
    /// POST
    Post,
    /// PUT
    Put,
    /// PATCH
    Patch,
    /// DELETE
    Delete,
}

/// What kind of call this is, for rate limiting and retries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Reads (GET, batch read): retried on 5xx / timeouts.
    Read,
    /// Search: retried like a read, and counted against the search limit too.
    Search,
    /// Writes: never resent once they may have reached HubSpot.
    Write,
}

impl Kind {
    fn idempotent(self) -> bool {
        !matches!(self, Kind::Write)
    }
}

impl Kind {
    /// Every kind, in label order.
    pub(crate) const ALL: [Kind; 3] = [Kind::Read, Kind::Search, Kind::Write];

    /// The metrics label.
    pub(crate) fn label(self) -> &'static str {
        match self {
            Kind::Read => "read",
            Kind::Search => "search",
            Kind::Write => "write",
        }
    }
}

/// Call counters for `/health` and metrics.
#[derive(Debug)]
pub(crate) struct Stats {
    /// Time of each attempt (one HTTP exchange with HubSpot) by [`Kind`], in `Kind::ALL` order.
    pub(crate) duration: [Histogram; 3],
    /// Requests sent (attempts, retries included).
    pub(crate) requests: AtomicU64,
    /// Retries.
    pub(crate) retries: AtomicU64,
    /// 429s received.
    pub(crate) rate_limited: AtomicU64,
    /// Calls that ended in an error.
    pub(crate) errors: AtomicU64,
    /// Connections opened to HubSpot (a pooled connection reused opens none).
    pub(crate) connections: std::sync::Arc<AtomicU64>,
    /// Host lookups made (cached for `resolve::TTL`).
    pub(crate) lookups: resolve::CachingResolver,
}

impl Default for Stats {
    fn default() -> Stats {
        Stats {
            duration: [
                Histogram::latency(),
                Histogram::latency(),
                Histogram::latency(),
            ],
            requests: AtomicU64::new(0),
            retries: AtomicU64::new(0),
            rate_limited: AtomicU64::new(0),
            errors: AtomicU64::new(0),
            connections: std::sync::Arc::default(),
            lookups: resolve::CachingResolver::default(),
        }
    }
}

/// A signed-in user's HubSpot access token (`MCP_AUTH_MODE=oauth`) and the portal it belongs to: calls
/// made with it are charged to that portal's rate budget (HubSpot's limits are per account).
#[derive(Debug, Clone)]
pub(crate) struct UserToken {
    /// The HubSpot account (hub id).
    pub(crate) hub_id: u64,
    /// The access token HubSpot issued to this user.
    pub(crate) access_token: Secret,
}

/// Portals whose budgets are kept at most (past it the least recently created is dropped; a dropped
/// portal simply starts a fresh budget).
const MAX_PORTAL_BUDGETS: usize = 4096;

/// The HubSpot client. Cheap to share (`Arc`); the agent pools connections.
pub struct Client {
    agent: ureq::Agent,
    base: String,
    token: Secret,
    limiter: Budget,
    search_limiter: Budget,
    /// Budgets per portal for calls made with a [`UserToken`]: (all calls, searches).
    portals: parking_lot::Mutex<std::collections::HashMap<u64, Arc<(Budget, Budget)>>>,
    /// What a portal budget is made from.
    budget_settings: (u32, u32, Option<(Arc<crate::redis::Redis>, String)>),
    policy: Policy,
    call_timeout: Duration,
    /// The operator's masked properties: every request and answer passes through it.
    mask: Mask,
    /// Counters.
    pub(crate) stats: Stats,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

/// Settings of the client, from [`Config`] (or set directly in tests).
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    /// Base URL without a trailing slash.
    pub(crate) base_url: String,
    /// Bearer token.
    pub(crate) token: Secret,
    /// Calls per second.
    pub(crate) rate: u32,
    /// Search calls per second.
    pub(crate) search_rate: u32,
    /// Connect timeout.
    pub(crate) connect_timeout: Duration,
    /// Timeout of one attempt (the request's deadline still bounds everything).
    pub(crate) call_timeout: Duration,
    /// Pooled connections to keep (sized to the worker pool).
    pub(crate) pool: usize,
    /// Retries after the first attempt.
    pub(crate) max_retries: u32,
    /// Extra CA certificates (PEM), added to the embedded roots (`HUBSPOT_CA_FILE`).
    pub(crate) extra_ca_pem: Option<Vec<u8>>,
    /// Redis to share the rate budget through (`REDIS_URL`), with the key prefix to use.
    pub(crate) shared_budget: Option<(Arc<crate::redis::Redis>, String)>,
    /// `HUBSPOT_MASKED_PROPERTIES` / `HUBSPOT_MASK_STYLE` (`None`: nothing masked).
    pub(crate) masking: Option<crate::config::Masking>,
}

impl Settings {
    /// Settings from the configuration, with `token` and `base_url` (demo mode passes the sandbox's).
    pub(crate) fn from_config(cfg: &Config, base_url: &str, token: Secret) -> Settings {
        Settings {
            base_url: base_url.trim_end_matches('/').to_string(),
            token,
            rate: cfg.hubspot_rate_limit(),
            search_rate: cfg.hubspot_search_rate_limit(),
            connect_timeout: Duration::from_secs(5),
            call_timeout: cfg.hubspot_timeout(),
            pool: cfg.workers(),
            max_retries: cfg.hubspot_max_retries(),
            extra_ca_pem: None,
            shared_budget: None,
            masking: Some(cfg.hubspot_masking().clone()),
        }
    }

    /// Reads the extra CA bundle named by `HUBSPOT_CA_FILE`, if any.
    pub(crate) fn with_ca_file(
        mut self,
        path: Option<&std::path::Path>,
    ) -> Result<Settings, Error> {
        if let Some(p) = path {
            let pem = std::fs::read(p).map_err(|e| {
                Error::new(
                    ErrorKind::Setup,
                    format!("HUBSPOT_CA_FILE {}: {e}", p.display()),
                )
            })?;
            self.extra_ca_pem = Some(pem);
        }
        Ok(self)
    }
}

/// The roots HubSpot calls trust (`crate::tls`: Mozilla's, plus `HUBSPOT_CA_FILE`).
fn root_certs(extra_pem: Option<&[u8]>) -> Result<RootCerts, Error> {
    crate::tls::ureq_roots(extra_pem).map_err(|e| Error::new(ErrorKind::Setup, e))
}

/// The local limiter, or one shared through Redis under `hubspot-rate:<id><suffix>` (replicas with the
/// same token, or serving the same portal, share it; other deployments on the same Redis do not).
fn budget(
    shared: &Option<(Arc<crate::redis::Redis>, String)>,
    id: &str,
    suffix: &str,
    rate: u32,
    burst: u32,
) -> Budget {
    match shared {
        None => Budget::Local(Limiter::new(rate, burst)),
        Some((redis, prefix)) => Budget::Shared(SharedLimiter::new(
            Arc::clone(redis),
            format!("{prefix}hubspot-rate:{id}{suffix}"),
            rate,
            burst,
        )),
    }
}

/// The budget key of the configured token: a digest, never the token.
fn token_budget_id(token: &Secret) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, token.expose().as_bytes());
    digest
        .as_ref()
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl Client {
    /// Builds the client (and its one agent).
    pub(crate) fn new(s: Settings) -> Result<Client, Error> {
        let tls = TlsConfig::builder()
            .root_certs(root_certs(s.extra_ca_pem.as_deref())?)
            .build();
        let stats = Stats::default();
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .https_only(false)
            .tls_config(tls)
            .proxy(ureq::Proxy::try_from_env())
            .timeout_resolve(Some(Duration::from_secs(3)))
            .timeout_connect(Some(s.connect_timeout))
            .timeout_global(Some(s.call_timeout))
            .max_idle_connections(s.pool.max(4))
            .max_idle_connections_per_host(s.pool.max(4))
            .max_idle_age(Duration::from_secs(50))
            .max_redirects(0)
            // ureq's buffers are 128 KiB each way per connection, touched by the first large answer and
            // kept while the connection is pooled: with a connection per busy worker that was the RSS that
            // kept growing in the soak. HubSpot's headers are a few KiB and bodies stream through.
            .input_buffer_size(IO_BUFFER_IN)
            .output_buffer_size(IO_BUFFER_OUT)
            .user_agent(concat!("hubspot-mcp/", env!("CARGO_PKG_VERSION")))
            .build();
        // No thread and no DNS query per call: addresses cached (`resolve.rs`), connections counted.
        let agent = ureq::Agent::with_parts(
            config,
            resolve::CountingConnector::new(std::sync::Arc::clone(&stats.connections)),
            stats.lookups.clone(),
        );
        let id = token_budget_id(&s.token);
        let limiter = budget(&s.shared_budget, &id, "", s.rate, s.rate.max(1));
        let search_limiter = budget(&s.shared_budget, &id, ":search", s.search_rate, 1);
        Ok(Client {
            agent,
            base: s.base_url,
            token: s.token,
            limiter,
            search_limiter,
            portals: parking_lot::Mutex::default(),
            budget_settings: (s.rate, s.search_rate, s.shared_budget),
            policy: Policy {
                max_retries: s.max_retries,
                ..Policy::default()
            },
            call_timeout: s.call_timeout,
            mask: s.masking.as_ref().map_or_else(Mask::none, Mask::new),
            stats,
        })
    }

    /// Sends one call, with rate limiting and retries, until `deadline`. 204 answers are `Value::Null`.
    pub(crate) fn send(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
        kind: Kind,
        deadline: Instant,
    ) -> Result<Value, Error> {
        self.send_as(Call {
            user: None,
            method,
            path,
            query,
            body,
            kind,
            deadline,
        })
        .map(|r| r.body)
    }

    /// [`Client::send`] with a signed-in user's token instead of the configured one (`None`: the
    /// configured one), charged to that user's portal; the answer keeps HubSpot's correlation id (the
    /// audit line of a write names it).
    pub(crate) fn send_as(&self, call: Call<'_>) -> Result<Reply, Error> {
        let mut answer = Value::Null;
        let correlation_id = self.exchange(call, &mut |text| {
            answer = json_body(text)?;
            Ok(())
        })?;
        self.mask.response(call.path, &mut answer);
        Ok(Reply {
            body: answer,
            correlation_id,
        })
    }

    /// [`Client::send_as`] for a call HubSpot answers with a page of records (a list, a search): the
    /// answer is read as a [`RecordPage`] (no `Value` tree), masked like any other, and given to `f`.
    pub(crate) fn read_page<R>(
        &self,
        call: Call<'_>,
        f: impl FnOnce(RecordPage<'_>) -> R,
    ) -> Result<R, Error> {
        let (mut f, mut out) = (Some(f), None);
        self.exchange(call, &mut |text| {
            let mut page = page::parse(text).map_err(invalid_json)?;
            self.mask.page(call.path, &mut page);
            out = f.take().map(|f| f(page));
            Ok(())
        })?;
        // `exchange` returns `Ok` only once `read` has succeeded, so `out` is set.
        out.ok_or_else(|| Error::new(ErrorKind::Decode, "HubSpot's answer was not read"))
    }

    /// What masking asks of a call before it is sent: the query (and body) to send instead, having
    /// learnt a custom type's other spelling first when the mask needs it; refused when the call
    /// would reveal or set a masked property.
    fn mask_request<'q>(&self, call: &Call<'q>) -> Result<mask::Prepared<'q>, Error> {
        if let Some(ty) = self.mask.needs_schema(call.path) {
            // A custom type spelled as the mask has not seen: its schema's answer (masked like any
            // other, through `send_as`) teaches the mask its other spelling. Without it, refuse.
            let schema = self
                .send_as(Call {
                    method: Method::Get,
                    path: &paths::schema(&ty),
                    query: &[],
                    body: None,
                    kind: Kind::Read,
                    ..*call
                })
                .map_err(|e| {
                    Error::new(
                        ErrorKind::Masked,
                        format!(
                            "properties of a custom object are masked by the operator, and the schema of {ty} \
                             could not be read to tell whether it is that object ({e})"
                        ),
                    )
                })?;
            self.mask.learn_schema(&ty, &schema.body);
        }
        self.mask
            .request(call.method, call.path, call.query, call.body)
    }

    /// One call: masking's part before it is sent ([`Client::mask_request`]), rate limiting, attempts
    /// and retries. `read` is given a successful answer's text (its error: the attempt failed); returns
    /// the answer's correlation id.
    fn exchange(
        &self,
        call: Call<'_>,
        read: &mut dyn FnMut(&str) -> Result<(), Error>,
    ) -> Result<Option<String>, Error> {
        let (query, replaced) = self.mask_request(&call)?;
        let Call {
            user,
            method,
            path,
            body,
            kind,
            deadline,
            ..
        } = call;
        let body = replaced.as_ref().or(body);
        let url = self.url(path, &query);
        let bearer = format!(
            "Bearer {}",
            user.map_or(self.token.expose(), |u| u.access_token.expose())
        );
        let portal = user.map(|u| self.portal_budget(u.hub_id));
        let mut attempt = 0;
        loop {
            self.wait_for_slot(kind, deadline, portal.as_deref())?;
            let now = Instant::now();
            let Some(left) = deadline
                .checked_duration_since(now)
                .filter(|d| !d.is_zero())
            else {
                return Err(self.deadline_error());
            };
            self.stats.requests.fetch_add(1, Relaxed);
            let sent = Instant::now();
            let answer = self.attempt(method, &url, &bearer, body, left.min(self.call_timeout));
            if let Some(h) = self.stats.duration.get(kind as usize) {
                h.observe(sent.elapsed());
            }
            let (outcome, err) = match answer {
                // An answer that does not read is treated as a failed attempt (retried when the
                // call may be).
                Ok((status, a)) if (200..300).contains(&status) => match read(&a.text) {
                    Ok(()) => return Ok(a.correlation_id),
                    Err(e) => (Outcome::ServerError(0), e),
                },
                Ok((429, a)) => {
                    self.stats.rate_limited.fetch_add(1, Relaxed);
                    let body = a.error_body();
                    let policy = body
                        .get("policyName")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string();
                    let err = Error::from_response(429, &body);
                    (
                        Outcome::RateLimited {
                            policy,
                            retry_after: a.retry_after,
                            interval: a.interval,
                        },
                        err,
                    )
                }
                Ok((status, a)) if status >= 500 => (
                    Outcome::ServerError(status),
                    Error::from_response(status, &a.error_body()),
                ),
                Ok((status, a)) => {
                    self.stats.errors.fetch_add(1, Relaxed);
                    return Err(Error::from_response(status, &a.error_body()));
                }
                Err(x) => {
                    // The address may be why: the next call resolves the host afresh.
                    if matches!(x.0, Outcome::NotSent) {
                        self.stats.lookups.forget();
                    }
                    x
                }
            };
            match self.policy.decide(
                attempt,
                &outcome,
                kind.idempotent(),
                Instant::now(),
                deadline,
                retry::jitter(),
            ) {
                Decision::RetryAfter(wait) => {
                    log::info!(path = path, attempt = attempt + 1, wait_ms = wait.as_millis() as u64, error = err.to_string(); "retrying HubSpot call");
                    self.stats.retries.fetch_add(1, Relaxed);
                    std::thread::sleep(wait);
                    attempt += 1;
                }
                Decision::GiveUp => {
                    self.stats.errors.fetch_add(1, Relaxed);
                    return Err(err);
                }
            }
        }
    }

    /// Refuses a planned write to `ty` that sets a masked property (see [`Mask::check_written`]).
    pub(crate) fn check_written<'n>(
        &self,
        ty: &str,
        names: impl Iterator<Item = &'n str>,
    ) -> Result<(), Error> {
        self.mask.check_written(ty, names)
    }

    /// Introspects the configured token: POSTs it as `tokenKey` to [`paths::TOKEN_INFO`] and returns
    /// HubSpot's `{userId, hubId, appId, scopes}`. Only private-app tokens are accepted there (OAuth
    /// access tokens are refused).
    ///
    /// The token travels in the body (and the Authorization header) only. The call is sent as
    /// [`Kind::Write`] so a failed attempt is never retried, and so never logged with an error body that
    /// might echo the token; the token is scrubbed from the returned error as well.
    pub(crate) fn token_info(&self, deadline: Instant) -> Result<Value, Error> {
        let body = serde_json::json!({ "tokenKey": self.token.expose() });
        self.send(
            Method::Post,
            paths::TOKEN_INFO,
            &[],
            Some(&body),
            Kind::Write,
            deadline,
        )
        .map_err(|mut e| {
            let token = self.token.expose();
            if !token.is_empty() {
                e.message = e.message.replace(token, "***");
                e.hint = e.hint.take().map(|h| h.replace(token, "***"));
            }
            e
        })
    }

    fn deadline_error(&self) -> Error {
        self.stats.errors.fetch_add(1, Relaxed);
        Error::new(
            ErrorKind::Timeout,
            "the request's deadline passed before HubSpot answered",
        )
        .with_hint("Narrow the request (fewer records, a smaller limit) or retry.")
    }

    /// The budgets of portal `hub_id`, made on first use.
    fn portal_budget(&self, hub_id: u64) -> Arc<(Budget, Budget)> {
        let mut portals = self.portals.lock();
        if let Some(b) = portals.get(&hub_id) {
            return Arc::clone(b);
        }
        if portals.len() >= MAX_PORTAL_BUDGETS {
            if let Some(k) = portals.keys().next().copied() {
                portals.remove(&k);
            }
        }
        let (rate, search_rate, shared) = &self.budget_settings;
        let id = format!("portal-{hub_id}");
        let b = Arc::new((
            budget(shared, &id, "", *rate, (*rate).max(1)),
            budget(shared, &id, ":search", *search_rate, 1),
        ));
        portals.insert(hub_id, Arc::clone(&b));
        b
    }

    fn wait_for_slot(
        &self,
        kind: Kind,
        deadline: Instant,
        portal: Option<&(Budget, Budget)>,
    ) -> Result<(), Error> {
        let limited = |wait: Duration| {
            Error::new(
                ErrorKind::RateLimited {
                    policy: "CLIENT".into(),
                },
                format!(
                    "the local HubSpot rate budget needs {} ms more than the request has left",
                    wait.as_millis()
                ),
            )
            .with_hint("Too many HubSpot calls at once; retry in a moment.")
        };
        let (all, search) = portal.map_or((&self.limiter, &self.search_limiter), |(a, s)| (a, s));
        if kind == Kind::Search {
            search.acquire(deadline).map_err(limited)?;
        }
        all.acquire(deadline).map_err(limited)
    }

    fn url(&self, path: &str, query: &[(&str, String)]) -> String {
        let mut url = format!("{}{}", self.base, path);
        for (i, (k, v)) in query.iter().enumerate() {
            url.push(if i == 0 { '?' } else { '&' });
            url.push_str(k);
            url.push('=');
            url.push_str(&encode_query(v));
        }
        url
    }

    fn attempt(
        &self,
        method: Method,
        url: &str,
        auth: &str,
        body: Option<&Value>,
        timeout: Duration,
    ) -> Result<(u16, Answer), (Outcome, Error)> {
        let result = match (method, body) {
            (Method::Get, _) => self
                .agent
                .get(url)
                .header("Authorization", auth)
                .config()
                .timeout_global(Some(timeout))
                .build()
                .call(),
            (Method::Delete, _) => self
                .agent
                .delete(url)
                .header("Authorization", auth)
                .config()
                .timeout_global(Some(timeout))
                .build()
                .call(),
            (m, b) => {
                let req = match m {
                    Method::Post => self.agent.post(url),
                    Method::Put => self.agent.put(url),
                    _ => self.agent.patch(url),
                };
                let req = req
                    .header("Authorization", auth)
                    .config()
                    .timeout_global(Some(timeout))
                    .build();
                match b {
                    Some(v) => req.send_json(v),
                    // HubSpot defines no request body for these (the default association PUT): send
                    // none, and so no Content-Type (`Content-Length: 0`).
                    None => req.send_empty(),
                }
            }
        };
        let mut resp = result.map_err(classify)?;
        let status = resp.status().as_u16();
        let header = |name: &str| {
            resp.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let retry_after = error::retry_after(header("retry-after").as_deref());
        let correlation_id = header("x-hubspot-correlation-id");
        let interval = header("x-hubspot-ratelimit-interval-milliseconds")
            .and_then(|v| v.parse::<u64>().ok())
            .map(Duration::from_millis);
        let text = resp
            .body_mut()
            .with_config()
            .limit(MAX_RESPONSE_BYTES)
            .read_to_string()
            .map_err(classify)?;
        Ok((
            status,
            Answer {
                text,
                retry_after,
                interval,
                correlation_id,
            },
        ))
    }
}

/// An answer as read: its text, and what its headers say.
struct Answer {
    text: String,
    retry_after: Option<Duration>,
    interval: Option<Duration>,
    correlation_id: Option<String>,
}

impl Answer {
    /// An error answer's JSON: `Null` when empty, its first 300 characters as `message` when it is
    /// not JSON (a proxy's HTML page).
    fn error_body(&self) -> Value {
        json_body(&self.text).unwrap_or_else(
            |_| serde_json::json!({ "message": self.text.chars().take(300).collect::<String>() }),
        )
    }
}

/// A successful answer's JSON: `Null` when empty (204).
fn json_body(text: &str) -> Result<Value, Error> {
    if text.trim().is_empty() {
        return Ok(Value::Null);
    }
    serde_json::from_str(text).map_err(invalid_json)
}

fn invalid_json(e: serde_json::Error) -> Error {
    Error::new(ErrorKind::Decode, format!("HubSpot sent invalid JSON: {e}"))
}

/// One HubSpot call as its caller describes it, before masking: whose token, what, and by when.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Call<'a> {
    /// A signed-in user's token, charged to that user's portal (`None`: the configured token).
    pub(crate) user: Option<&'a UserToken>,
    pub(crate) method: Method,
    pub(crate) path: &'a str,
    pub(crate) query: &'a [(&'a str, String)],
    pub(crate) body: Option<&'a Value>,
    pub(crate) kind: Kind,
    pub(crate) deadline: Instant,
}

/// A successful call's answer: its JSON (`Value::Null` for 204) and HubSpot's `X-HubSpot-Correlation-Id`
/// (`None` when HubSpot sent none).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Reply {
    /// The body.
    pub(crate) body: Value,
    /// HubSpot's id of the call, for its support and the audit trail.
    pub(crate) correlation_id: Option<String>,
}

/// Maps a transport error to a retry outcome and an [`Error`].
fn classify(e: ureq::Error) -> (Outcome, Error) {
    match e {
        ureq::Error::Timeout(t) => (
            Outcome::Lost,
            Error::new(
                ErrorKind::Timeout,
                format!("HubSpot did not answer in time ({t})"),
            )
            .with_hint("HubSpot was slow; retry, or narrow the request."),
        ),
        ureq::Error::ConnectionFailed | ureq::Error::HostNotFound => (
            Outcome::NotSent,
            Error::new(ErrorKind::Network, format!("cannot reach HubSpot: {e}")).with_hint(
                "Check network access to HUBSPOT_API_BASE_URL (proxy: HTTPS_PROXY / NO_PROXY).",
            ),
        ),
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => (
            Outcome::NotSent,
            Error::new(ErrorKind::Network, format!("cannot reach HubSpot: {io}")),
        ),
        ureq::Error::Io(io)
            if matches!(
                io.kind(),
                std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
            ) =>
        {
            (
                Outcome::Lost,
                Error::new(
                    ErrorKind::Timeout,
                    format!("HubSpot did not answer in time ({io})"),
                ),
            )
        }
        other => (
            Outcome::Lost,
            Error::new(
                ErrorKind::Network,
                format!("the connection to HubSpot failed: {other}"),
            ),
        ),
    }
}

/// Percent-encodes a query value.
fn encode_query(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for b in v.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b',') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sends one call to a one-shot loopback server and returns the raw request it received.
    fn raw_request(method: Method, path: &str, body: Option<&Value>) -> String {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let server = std::thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            let mut raw = Vec::new();
            let mut buf = [0u8; 4096];
            // The head, then as many body bytes as Content-Length says.
            loop {
                let n = s.read(&mut buf).unwrap();
                raw.extend_from_slice(&buf[..n]);
                let text = String::from_utf8_lossy(&raw).to_string();
                if let Some((head, rest)) = text.split_once("\r\n\r\n") {
                    let len = head
                        .lines()
                        .find_map(|l| {
                            let (k, v) = l.split_once(':')?;
                            k.eq_ignore_ascii_case("content-length")
                                .then(|| v.trim().parse::<usize>().unwrap())
                        })
                        .unwrap_or(0);
                    if rest.len() >= len || n == 0 {
                        break;
                    }
                }
            }
            s.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
                .unwrap();
            String::from_utf8_lossy(&raw).to_string()
        });
        let client = Client::new(Settings {
            base_url: format!("http://{addr}"),
            token: Secret::new("pat-test".into()),
            rate: 100,
            search_rate: 10,
            connect_timeout: Duration::from_secs(2),
            call_timeout: Duration::from_secs(5),
            pool: 1,
            max_retries: 0,
            extra_ca_pem: None,
            shared_budget: None,
            masking: None,
        })
        .unwrap();
        let deadline = Instant::now() + Duration::from_secs(5);
        client
            .send(method, path, &[], body, Kind::Write, deadline)
            .unwrap();
        server.join().unwrap()
    }

    fn header<'a>(raw: &'a str, name: &str) -> Option<&'a str> {
        let head = raw.split("\r\n\r\n").next().unwrap();
        head.lines().skip(1).find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case(name).then_some(v.trim())
        })
    }

    #[test]
    fn a_write_without_a_body_sends_none_and_no_content_type() {
        // PUT …/associations/default/…: HubSpot's reference defines no request body.
        let path = paths::association_default("contacts", "101", "companies", "401");
        let raw = raw_request(Method::Put, &path, None);
        assert!(
            raw.starts_with(&format!("PUT {path} HTTP/1.1\r\n")),
            "{raw}"
        );
        assert_eq!(header(&raw, "content-type"), None, "{raw}");
        assert!(
            matches!(header(&raw, "content-length"), None | Some("0")),
            "{raw}"
        );
        assert_eq!(header(&raw, "transfer-encoding"), None, "{raw}");
        assert_eq!(raw.split_once("\r\n\r\n").unwrap().1, "", "no body bytes");

        // A write with a body still sends it as JSON.
        let body = serde_json::json!([{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 279}]);
        let path = paths::association("contacts", "101", "companies", "401");
        let raw = raw_request(Method::Put, &path, Some(&body));
        assert_eq!(
            header(&raw, "content-type"),
            Some("application/json; charset=utf-8"),
            "{raw}"
        );
        let sent: Value = serde_json::from_str(raw.split_once("\r\n\r\n").unwrap().1).unwrap();
        assert_eq!(sent, body);
    }

    #[test]
    fn query_values_are_encoded() {
        assert_eq!(encode_query("a b&c=d,e"), "a%20b%26c%3Dd,e");
    }
}
