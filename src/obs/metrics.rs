//! Process-wide counters and histograms: what `/metrics` exposes and `/health` and `/scaling` summarise.
//!
//! Every series has a bounded label set known at start-up (routes, HTTP methods, status codes we send,
//! MCP methods, the registry's tools), so each one is a plain atomic in a fixed array: recording never
//! locks or allocates, and a hostile client cannot grow the exposition by inventing paths or names.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Duration;

use crate::obs::histogram::Histogram;

/// Which endpoint a request was for (the `route` label).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Route {
    /// `/mcp`.
    Mcp,
    /// `/health`, `/health/live`, `/healthz`.
    Health,
    /// `/metrics`.
    Metrics,
    /// `/scaling`.
    Scaling,
    /// `/.well-known/...`.
    WellKnown,
    /// `/oauth/...`: the authorization server (`MCP_AUTH_MODE=oauth`).
    OAuth,
    /// `/approvals/...`: the approval pages.
    Approvals,
    /// `/`.
    Root,
    /// Anything else (answered 404).
    Other,
}

impl Route {
    /// Every route, in label order.
    pub(crate) const ALL: [Route; 9] = [
        Route::Mcp,
        Route::Health,
        Route::Metrics,
        Route::Scaling,
        Route::WellKnown,
        Route::OAuth,
        Route::Approvals,
        Route::Root,
        Route::Other,
    ];

    /// The route of a request path.
    pub(crate) fn of(path: &str) -> Route {
        match path {
            "/mcp" | "/mcp/" => Route::Mcp,
            "/health" | "/health/live" | "/healthz" => Route::Health,
            "/metrics" => Route::Metrics,
            "/scaling" => Route::Scaling,
            "/" => Route::Root,
            p if p.starts_with("/.well-known/") => Route::WellKnown,
            p if p.starts_with("/oauth/") && p.len() <= 32 => Route::OAuth,
            p if p.starts_with("/approvals/") => Route::Approvals,
            _ => Route::Other,
        }
    }

    /// The label value.
    pub(crate) fn label(self) -> &'static str {
        match self {
            Route::Mcp => "/mcp",
            Route::Health => "/health",
            Route::Metrics => "/metrics",
            Route::Scaling => "/scaling",
            Route::WellKnown => "/.well-known",
            Route::OAuth => "/oauth",
            Route::Approvals => "/approvals",
            Route::Root => "/",
            Route::Other => "other",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// HTTP methods with their own label value; anything else is `OTHER`.
const HTTP_METHODS: [&str; 6] = ["GET", "HEAD", "POST", "DELETE", "OPTIONS", "OTHER"];

/// Status codes this server sends; anything else is counted under `other`.
const STATUSES: [u16; 22] = [
    200, 202, 204, 400, 401, 403, 404, 405, 406, 408, 409, 413, 415, 422, 429, 431, 500, 501, 502,
    503, 504, 0,
];

fn method_index(m: &str) -> usize {
    HTTP_METHODS
        .iter()
        .position(|x| *x == m)
        .unwrap_or(HTTP_METHODS.len() - 1)
}

fn status_index(s: u16) -> usize {
    STATUSES
        .iter()
        .position(|x| *x == s)
        .unwrap_or(STATUSES.len() - 1)
}

/// JSON-RPC methods with their own label value; notifications are one value, unknown methods another.
pub(crate) const RPC_METHODS: [&str; 13] = [
    "initialize",
    "ping",
    "tools/list",
    "tools/call",
    "logging/setLevel",
    "server/discover",
    "resources/list",
    "resources/templates/list",
    "resources/read",
    "prompts/list",
    "prompts/get",
    "notifications",
    "other",
];

/// The label index of unknown methods.
pub(crate) const RPC_OTHER: usize = RPC_METHODS.len() - 1;

/// The label index of notifications.
const RPC_NOTIFICATIONS: usize = RPC_METHODS.len() - 2;

fn rpc_index(m: &str) -> usize {
    if m.starts_with("notifications/") {
        return RPC_NOTIFICATIONS;
    }
    RPC_METHODS
        .iter()
        .position(|x| *x == m)
        .unwrap_or(RPC_METHODS.len() - 1)
}

/// How a tool call ended (the `outcome` label).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ToolOutcome {
    /// A result with `isError: false`.
    Ok,
    /// A result with `isError: true` (HubSpot refused, bad arguments, ...).
    Error,
    /// Cancelled by the client.
    Cancelled,
    /// Refused before running (a write tool for a read-only principal).
    Refused,
}

impl ToolOutcome {
    /// Every outcome, in label order.
    pub(crate) const ALL: [ToolOutcome; 4] = [
        ToolOutcome::Ok,
        ToolOutcome::Error,
        ToolOutcome::Cancelled,
        ToolOutcome::Refused,
    ];

    /// The label value.
    pub(crate) fn label(self) -> &'static str {
        match self {
            ToolOutcome::Ok => "ok",
            ToolOutcome::Error => "error",
            ToolOutcome::Cancelled => "cancelled",
            ToolOutcome::Refused => "refused",
        }
    }
}

/// Why a request was refused before reaching a handler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rejection {
    /// Every worker busy and the queue full (503).
    Busy,
    /// Over the per-client request limit (429).
    ClientRateLimit,
    /// Over the per-principal request limit (429).
    PrincipalRateLimit,
    /// No, or an invalid, bearer token (401 / 403 / 400 / 503).
    Unauthenticated,
    /// A `Host` not in the allowlist (403: DNS rebinding).
    Host,
    /// An `Origin` not in the allowlist (403).
    Origin,
}

impl Rejection {
    /// Every reason, in label order.
    pub(crate) const ALL: [Rejection; 6] = [
        Rejection::Busy,
        Rejection::ClientRateLimit,
        Rejection::PrincipalRateLimit,
        Rejection::Unauthenticated,
        Rejection::Host,
        Rejection::Origin,
    ];

    /// The label value.
    pub(crate) fn label(self) -> &'static str {
        match self {
            Rejection::Busy => "busy",
            Rejection::ClientRateLimit => "client_rate_limit",
            Rejection::PrincipalRateLimit => "principal_rate_limit",
            Rejection::Unauthenticated => "unauthenticated",
            Rejection::Host => "host",
            Rejection::Origin => "origin",
        }
    }
}

/// What became of a write at the approval gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WriteOutcome {
    /// The policy let it through without asking.
    Allowed,
    /// A person approved it.
    Approved,
    /// A person was asked and the call returned (the page's link, or a 2026-07-28 `input_required`).
    Asked,
    /// The person said no, or did not answer in time.
    Declined,
    /// The approval given cannot be used (forged, lapsed, reused, widened, someone else's), or none could be
    /// asked for.
    Refused,
    /// The policy forbids it.
    Denied,
}

impl WriteOutcome {
    /// Every outcome, in label order.
    pub(crate) const ALL: [WriteOutcome; 6] = [
        WriteOutcome::Allowed,
        WriteOutcome::Approved,
        WriteOutcome::Asked,
        WriteOutcome::Declined,
        WriteOutcome::Refused,
        WriteOutcome::Denied,
    ];

    /// The label value.
    pub(crate) fn label(self) -> &'static str {
        match self {
            WriteOutcome::Allowed => "allowed",
            WriteOutcome::Approved => "approved",
            WriteOutcome::Asked => "asked",
            WriteOutcome::Declined => "declined",
            WriteOutcome::Refused => "refused",
            WriteOutcome::Denied => "denied",
        }
    }
}

/// Per-tool series.
#[derive(Debug)]
pub(crate) struct ToolSeries {
    /// The tool's name.
    pub(crate) name: String,
    /// Calls by [`ToolOutcome`], in `ToolOutcome::ALL` order.
    pub(crate) calls: [AtomicU64; ToolOutcome::ALL.len()],
    /// Time to run the tool (HubSpot calls included).
    pub(crate) duration: Histogram,
}

/// Counters shared by every worker.
#[derive(Debug)]
pub struct Metrics {
    /// HTTP requests by route x method x status (see [`Metrics::http_requests`]).
    http: Box<[AtomicU64]>,
    http_duration: Vec<Histogram>,
    requests: AtomicU64,
    errors: AtomicU64,
    duration_micros: AtomicU64,
    in_flight: AtomicU64,
    queued: AtomicU64,
    workers_started: AtomicU64,
    rejections: [AtomicU64; Rejection::ALL.len()],
    writes: [AtomicU64; WriteOutcome::ALL.len()],
    panics: AtomicU64,
    rpc: Vec<[AtomicU64; 2]>,
    tools: Vec<ToolSeries>,
    tool_index: HashMap<String, usize>,
    sessions_created: AtomicU64,
    sessions_deleted: AtomicU64,
    sessions_expired: AtomicU64,
}

impl Default for Metrics {
    fn default() -> Metrics {
        Metrics::new(std::iter::empty::<&str>())
    }
}

/// A copy of the request counters at one moment (what `/health` reports).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Snapshot {
    /// HTTP requests answered.
    pub(crate) requests: u64,
    /// Of those, answered with a status of 400 or more.
    pub(crate) errors: u64,
    /// Mean time to answer, in milliseconds.
    pub(crate) average_ms: f64,
    /// Handler panics caught and answered with 500.
    pub panics: u64,
}

impl Metrics {
    /// Counters for a server whose registry lists `tools`.
    pub(crate) fn new<S: AsRef<str>>(tools: impl IntoIterator<Item = S>) -> Metrics {
        let tools: Vec<ToolSeries> = tools
            .into_iter()
            .map(|n| ToolSeries {
                name: n.as_ref().to_string(),
                calls: Default::default(),
                duration: Histogram::latency(),
            })
            .collect();
        let tool_index = tools
            .iter()
            .enumerate()
            .map(|(i, t)| (t.name.clone(), i))
            .collect();
        Metrics {
            http: (0..Route::ALL.len() * HTTP_METHODS.len() * STATUSES.len())
                .map(|_| AtomicU64::new(0))
                .collect(),
            http_duration: Route::ALL.iter().map(|_| Histogram::latency()).collect(),
            requests: AtomicU64::new(0),
            errors: AtomicU64::new(0),
            duration_micros: AtomicU64::new(0),
            in_flight: AtomicU64::new(0),
            queued: AtomicU64::new(0),
            workers_started: AtomicU64::new(0),
            rejections: Default::default(),
            writes: Default::default(),
            panics: AtomicU64::new(0),
            rpc: RPC_METHODS.iter().map(|_| Default::default()).collect(),
            tools,
            tool_index,
            sessions_created: AtomicU64::new(0),
            sessions_deleted: AtomicU64::new(0),
            sessions_expired: AtomicU64::new(0),
        }
    }

    /// A request was handed to the worker pool (the queue gauge).
    pub(crate) fn request_queued(&self) {
        self.queued.fetch_add(1, Relaxed);
    }

    /// A queued request reached a worker (the in-flight gauge); pair with [`Metrics::request_finished`].
    pub(crate) fn request_started(&self) {
        let _ = self
            .queued
            .fetch_update(Relaxed, Relaxed, |n| Some(n.saturating_sub(1)));
        self.in_flight.fetch_add(1, Relaxed);
    }

    /// A worker is done with its request.
    pub(crate) fn request_finished(&self) {
        let _ = self
            .in_flight
            .fetch_update(Relaxed, Relaxed, |n| Some(n.saturating_sub(1)));
    }

    /// Records one answered HTTP request.
    pub(crate) fn record_http(&self, route: Route, method: &str, status: u16, took: Duration) {
        let micros = u64::try_from(took.as_micros()).unwrap_or(u64::MAX);
        let i = (route.index() * HTTP_METHODS.len() + method_index(method)) * STATUSES.len()
            + status_index(status);
        if let Some(c) = self.http.get(i) {
            c.fetch_add(1, Relaxed);
        }
        if let Some(h) = self.http_duration.get(route.index()) {
            h.observe_micros(micros);
        }
        self.requests.fetch_add(1, Relaxed);
        if status >= 400 {
            self.errors.fetch_add(1, Relaxed);
        }
        self.duration_micros.fetch_add(micros, Relaxed);
    }

    /// Records a request refused before any handler ran.
    pub(crate) fn record_rejection(&self, why: Rejection) {
        if let Some(c) = self.rejections.get(why as usize) {
            c.fetch_add(1, Relaxed);
        }
    }

    /// Records what the approval gate did with a write.
    pub(crate) fn record_write(&self, outcome: WriteOutcome) {
        if let Some(c) = self.writes.get(outcome as usize) {
            c.fetch_add(1, Relaxed);
        }
    }

    /// Writes that came to `outcome` at the approval gate.
    pub(crate) fn write_count(&self, outcome: WriteOutcome) -> u64 {
        self.writes
            .get(outcome as usize)
            .map_or(0, |c| c.load(Relaxed))
    }

    /// Records a request refused because every worker was busy and the queue full.
    pub(crate) fn record_busy(&self) {
        self.record_rejection(Rejection::Busy);
    }

    /// Records a handler panic.
    pub(crate) fn record_panic(&self) {
        self.panics.fetch_add(1, Relaxed);
    }

    /// Records one JSON-RPC message handled (`ok` false when it was answered with an error).
    pub(crate) fn record_rpc(&self, method: &str, ok: bool) {
        self.record_rpc_at(rpc_index(method), ok);
    }

    /// Records one JSON-RPC message by its label index (the protocol's method enum gives it).
    pub(crate) fn record_rpc_at(&self, index: usize, ok: bool) {
        if let Some(c) = self.rpc.get(index.min(RPC_OTHER)) {
            c[usize::from(!ok)].fetch_add(1, Relaxed);
        }
    }

    /// Records one tool call. Unknown names (never listed) are not counted: they are -32602 errors,
    /// visible in [`Metrics::record_rpc`].
    pub(crate) fn record_tool(&self, name: &str, outcome: ToolOutcome, took: Duration) {
        let Some(t) = self.tool_index.get(name).and_then(|&i| self.tools.get(i)) else {
            return;
        };
        if let Some(c) = t.calls.get(outcome as usize) {
            c.fetch_add(1, Relaxed);
        }
        t.duration.observe(took);
    }

    /// Records a session opened by `initialize`.
    pub(crate) fn session_created(&self) {
        self.sessions_created.fetch_add(1, Relaxed);
    }

    /// Records a session ended by the client (DELETE).
    pub(crate) fn session_deleted(&self) {
        self.sessions_deleted.fetch_add(1, Relaxed);
    }

    /// Records sessions removed by the reaper after their idle time.
    pub(crate) fn sessions_expired(&self, n: usize) {
        self.sessions_expired.fetch_add(n as u64, Relaxed);
    }

    /// Reads the summary counters.
    pub fn snapshot(&self) -> Snapshot {
        let requests = self.requests.load(Relaxed);
        let micros = self.duration_micros.load(Relaxed);
        Snapshot {
            requests,
            errors: self.errors.load(Relaxed),
            average_ms: if requests == 0 {
                0.0
            } else {
                micros as f64 / requests as f64 / 1000.0
            },
            panics: self.panics.load(Relaxed),
        }
    }

    /// Requests being handled right now.
    pub(crate) fn in_flight(&self) -> u64 {
        self.in_flight.load(Relaxed)
    }

    /// Records how many worker threads the pool has started.
    pub(crate) fn set_workers_started(&self, n: usize) {
        self.workers_started.store(n as u64, Relaxed);
    }

    /// Worker threads started so far.
    pub(crate) fn workers_started(&self) -> u64 {
        self.workers_started.load(Relaxed)
    }

    /// Requests waiting for a worker.
    pub(crate) fn queued(&self) -> u64 {
        self.queued.load(Relaxed)
    }

    /// Total time spent answering requests, in microseconds (the base of worker utilisation).
    pub(crate) fn busy_micros(&self) -> u64 {
        self.duration_micros.load(Relaxed)
    }

    /// Requests refused for `why`.
    pub(crate) fn rejection_count(&self, why: Rejection) -> u64 {
        self.rejections
            .get(why as usize)
            .map_or(0, |c| c.load(Relaxed))
    }

    /// Handler panics.
    pub fn panics(&self) -> u64 {
        self.panics.load(Relaxed)
    }

    /// Every non-zero `(route, method, status, count)`.
    pub(crate) fn http_requests(&self) -> Vec<(Route, &'static str, u16, u64)> {
        let mut out = Vec::new();
        for (r, route) in Route::ALL.iter().enumerate() {
            for (m, method) in HTTP_METHODS.iter().enumerate() {
                for (s, status) in STATUSES.iter().enumerate() {
                    let i = (r * HTTP_METHODS.len() + m) * STATUSES.len() + s;
                    let n = self.http.get(i).map_or(0, |c| c.load(Relaxed));
                    if n > 0 {
                        out.push((*route, *method, *status, n));
                    }
                }
            }
        }
        out
    }

    /// The request-duration histogram of `route`.
    pub(crate) fn http_duration(&self, route: Route) -> Option<&Histogram> {
        self.http_duration.get(route.index())
    }

    /// `(method, ok, errors)` for every JSON-RPC method label.
    pub(crate) fn rpc(&self) -> Vec<(&'static str, u64, u64)> {
        RPC_METHODS
            .iter()
            .zip(&self.rpc)
            .map(|(m, c)| (*m, c[0].load(Relaxed), c[1].load(Relaxed)))
            .collect()
    }

    /// Per-tool series.
    pub(crate) fn tools(&self) -> &[ToolSeries] {
        &self.tools
    }

    /// `(created, deleted, expired)` sessions.
    pub(crate) fn sessions(&self) -> (u64, u64, u64) {
        (
            self.sessions_created.load(Relaxed),
            self.sessions_deleted.load(Relaxed),
            self.sessions_expired.load(Relaxed),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_series_are_keyed_by_route_method_and_status() {
        let m = Metrics::default();
        m.request_queued();
        m.request_started();
        assert_eq!((m.queued(), m.in_flight()), (0, 1));
        m.record_http(Route::Mcp, "POST", 200, Duration::from_millis(2));
        m.request_finished();
        m.request_finished();
        m.record_http(Route::Mcp, "POST", 200, Duration::from_millis(4));
        m.record_http(Route::of("/nope"), "PROPFIND", 404, Duration::ZERO);
        m.record_http(Route::Health, "GET", 299, Duration::ZERO);
        let got = m.http_requests();
        assert_eq!(
            got,
            vec![
                (Route::Mcp, "POST", 200, 2),
                (Route::Health, "GET", 0, 1),
                (Route::Other, "OTHER", 404, 1)
            ]
        );
        let s = m.snapshot();
        assert_eq!((s.requests, s.errors), (4, 1));
        assert!((s.average_ms - 1.5).abs() < 1e-9);
        assert_eq!(m.in_flight(), 0, "never below zero");
        assert_eq!(m.http_duration(Route::Mcp).map(|h| h.count()), Some(2));
    }

    #[test]
    fn rpc_and_tool_series_have_bounded_labels() {
        let m = Metrics::new(["hubspot_get_record"]);
        m.record_rpc("tools/call", true);
        m.record_rpc("notifications/cancelled", true);
        m.record_rpc("made/up", false);
        m.record_tool(
            "hubspot_get_record",
            ToolOutcome::Error,
            Duration::from_millis(30),
        );
        m.record_tool("not_a_tool", ToolOutcome::Ok, Duration::ZERO);
        let rpc = m.rpc();
        assert!(rpc.contains(&("tools/call", 1, 0)));
        assert!(rpc.contains(&("notifications", 1, 0)));
        assert!(rpc.contains(&("other", 0, 1)));
        assert_eq!(m.tools().len(), 1);
        assert_eq!(
            m.tools()[0].calls[ToolOutcome::Error as usize].load(Relaxed),
            1
        );
        assert_eq!(m.tools()[0].duration.count(), 1);
    }
}
