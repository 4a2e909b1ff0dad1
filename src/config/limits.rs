//! [`HttpLimits`]: the bounds on what clients may hold: threads, queue, connections, time and size.

use std::time::Duration;

use super::parse::Parser;
use super::vars;

/// Every bound the HTTP server and the per-request budget apply, as they apply (effective values).
#[derive(Debug, Clone)]
pub(crate) struct HttpLimits {
    /// `MCP_WORKERS`: request worker threads, sized for blocking HubSpot calls.
    pub(crate) workers: usize,
    /// `MCP_MAX_QUEUE`: requests waiting for a worker before new ones get 503.
    pub(crate) max_queue: usize,
    /// `MCP_MAX_BODY_BYTES`: larger request bodies get 413.
    pub(crate) max_body_bytes: usize,
    /// `MCP_MAX_CONNECTIONS`: open TCP connections at most.
    pub(crate) max_connections: usize,
    /// `MCP_READ_TIMEOUT_MS`: a body must arrive whole within it; idle keep-alive connections close.
    pub(crate) read_timeout: Duration,
    /// `MCP_REQUEST_TIMEOUT_MS`: deadline of one MCP request, HubSpot calls included.
    pub(crate) request_timeout: Duration,
    /// `MCP_HEAD_TIMEOUT_MS`, never longer than `MCP_READ_TIMEOUT_MS`: a request head must arrive whole
    /// within it, from its first byte (slow-header attacks).
    pub(crate) head_timeout: Duration,
    /// `MCP_MAX_PENDING_PER_IP`: connections from one address still sending their first request;
    /// unbounded behind a proxy (`MCP_TRUST_PROXY_HOPS` > 0), where every connection is the proxy's.
    pub(crate) max_pending_per_ip: usize,
    /// `MCP_MAX_HUBSPOT_CALLS_PER_REQUEST`: HubSpot calls one POST may make (a batch's messages share it).
    pub(crate) max_upstream_calls: usize,
    /// `MCP_MAX_JSON_VALUES`: JSON values one request body may hold, counted before parsing.
    pub(crate) max_json_values: usize,
    /// `MCP_DRAIN_TIMEOUT_MS`: on SIGTERM, in-flight requests get this long to finish.
    pub(crate) drain_timeout: Duration,
}

impl HttpLimits {
    pub(super) fn parse(p: &mut Parser<'_>, trust_proxy_hops: usize) -> HttpLimits {
        let read_timeout = p.millis(&vars::MCP_READ_TIMEOUT_MS);
        let max_pending_per_ip = p.count(&vars::MCP_MAX_PENDING_PER_IP);
        HttpLimits {
            workers: p.count(&vars::MCP_WORKERS),
            max_queue: p.count(&vars::MCP_MAX_QUEUE),
            max_body_bytes: p.count(&vars::MCP_MAX_BODY_BYTES),
            max_connections: p.count(&vars::MCP_MAX_CONNECTIONS),
            read_timeout,
            request_timeout: p.millis(&vars::MCP_REQUEST_TIMEOUT_MS),
            head_timeout: p.millis(&vars::MCP_HEAD_TIMEOUT_MS).min(read_timeout),
            max_pending_per_ip: if trust_proxy_hops > 0 {
                usize::MAX
            } else {
                max_pending_per_ip
            },
            max_upstream_calls: p.count(&vars::MCP_MAX_HUBSPOT_CALLS_PER_REQUEST),
            max_json_values: p.count(&vars::MCP_MAX_JSON_VALUES),
            drain_timeout: p.millis(&vars::MCP_DRAIN_TIMEOUT_MS),
        }
    }
}
