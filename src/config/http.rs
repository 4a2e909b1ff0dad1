//! [`HttpSettings`]: where the HTTP server listens and whom it answers (hosts, origins, rate limits).

use std::time::Duration;

use super::env::Environment;
use super::parse::{is_http_url, Parser};
use super::vars;

/// The bind address and the access rules of the HTTP front.
#[derive(Debug, Clone)]
pub(crate) struct HttpSettings {
    /// `PORT`; 0 picks a free port (the bound address is logged).
    pub(crate) port: u16,
    /// `HOST`: `::` with `IPV6_V6ONLY` off accepts IPv4 and IPv6 clients.
    pub(crate) host: String,
    /// True when `HOST` is a loopback address (or `localhost`).
    pub(crate) loopback_bind: bool,
    /// `RATE_LIMIT_WINDOW_MS`.
    pub(crate) rate_limit_window: Duration,
    /// `RATE_LIMIT_MAX`: requests per window and client.
    pub(crate) rate_limit_max: u32,
    /// `CORS_ORIGIN`: allowed browser origins, without trailing slashes.
    pub(crate) cors_origins: Vec<String>,
    /// `MCP_ALLOWED_HOSTS`: extra `Host` names (lower case); `*` turns the check off.
    pub(crate) allowed_hosts: Vec<String>,
    /// `MCP_TRUST_PROXY_HOPS`: reverse proxies appending to `X-Forwarded-For`; 0 ignores the header.
    pub(crate) trust_proxy_hops: usize,
}

impl HttpSettings {
    pub(super) fn parse(p: &mut Parser<'_>, environment: Environment) -> HttpSettings {
        let port = p.port(&vars::PORT);
        let host = p.text(&vars::HOST).unwrap_or_default();
        let ip = host.parse::<std::net::IpAddr>();
        if ip.is_err() && host != "localhost" {
            p.invalid(
                &vars::HOST,
                "an IP address to bind (\"::\" for IPv4 and IPv6, \"0.0.0.0\", \"127.0.0.1\") or localhost",
                &host,
            );
        }
        let loopback_bind = host == "localhost" || ip.is_ok_and(|ip| ip.is_loopback());

        let cors_origins = p
            .items(&vars::CORS_ORIGIN, |s| s.trim_end_matches('/').to_string())
            .unwrap_or_default();
        for o in &cors_origins {
            if o != "*" && !is_http_url(o) {
                p.invalid(
                    &vars::CORS_ORIGIN,
                    "a comma-separated list of origins such as https://claude.ai",
                    o,
                );
            }
        }
        if environment.is_production() && cors_origins.iter().any(|o| o.contains('*')) {
            p.rule(
                &vars::CORS_ORIGIN,
                "should not include wildcards in production",
            );
        }
        HttpSettings {
            port,
            host,
            loopback_bind,
            rate_limit_window: p.millis(&vars::RATE_LIMIT_WINDOW_MS),
            rate_limit_max: p.count(&vars::RATE_LIMIT_MAX) as u32,
            cors_origins,
            allowed_hosts: p
                .items(&vars::MCP_ALLOWED_HOSTS, str::to_ascii_lowercase)
                .unwrap_or_default(),
            trust_proxy_hops: p.count(&vars::MCP_TRUST_PROXY_HOPS),
        }
    }
}
