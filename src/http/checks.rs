//! Request checks that come before any MCP processing: `Host` and `Origin` allowlists (DNS-rebinding
//! protection), `Accept` and `Content-Type` negotiation. Pure functions over header values.

use crate::config::Config;

/// Why a request is refused before it is parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// 403: the `Host` is not one this server answers for.
    Host(String),
    /// 403: the `Origin` is not allowed.
    Origin(String),
    /// 406: the client does not accept what the endpoint answers with.
    NotAcceptable(&'static str),
    /// 415: the body is not JSON.
    UnsupportedMediaType(String),
}

impl Refusal {
    /// The HTTP status.
    pub(crate) fn status(&self) -> u16 {
        match self {
            Refusal::Host(_) | Refusal::Origin(_) => 403,
            Refusal::NotAcceptable(_) => 406,
            Refusal::UnsupportedMediaType(_) => 415,
        }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::Host(h) => write!(
                f,
                "Forbidden: Host {h:?} is not allowed; add it to MCP_ALLOWED_HOSTS if this server should answer to it"
            ),
            Refusal::Origin(o) => write!(
                f,
                "Forbidden: Origin {o:?} is not allowed; add it to CORS_ORIGIN if browsers on it may call this server"
            ),
            Refusal::NotAcceptable(what) => write!(f, "Not Acceptable: the Accept header must list {what}"),
            Refusal::UnsupportedMediaType(ct) => write!(
                f,
                "Unsupported Media Type: Content-Type must be application/json, got {ct:?}"
            ),
        }
    }
}

/// The host part of a `Host` header or of an origin's authority, lowercased, without port or brackets.
///
/// ```
/// use hubspot_mcp::http::checks::host_of;
/// assert_eq!(host_of("LocalHost:3000"), "localhost");
/// assert_eq!(host_of("[::1]:8080"), "::1");
/// assert_eq!(host_of("127.0.0.1"), "127.0.0.1");
/// ```
pub fn host_of(authority: &str) -> String {
    let a = authority.trim();
    let host = if let Some(rest) = a.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else {
        match a.rsplit_once(':') {
            Some((h, p)) if !h.contains(':') && p.bytes().all(|b| b.is_ascii_digit()) => h,
            _ => a,
        }
    };
    host.trim_end_matches('.').to_ascii_lowercase()
}

fn is_loopback_host(h: &str) -> bool {
    h == "localhost"
        || h.ends_with(".localhost")
        || h.parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// `Host` values platform health checkers send, accepted on the health paths only: Railway's checker
/// (Docker's `HEALTHCHECK` and `hubspot-mcp healthcheck` use loopback, which every path accepts).
const HEALTH_CHECKER_HOSTS: [&str; 1] = ["healthcheck.railway.app"];

/// The `Host` check, on every route (DNS rebinding): loopback names, Railway's domains, the host of
/// `MCP_PUBLIC_URL`, the configured extra hosts, the hosts of `CORS_ORIGIN`, and the bind address
/// itself are allowed; `MCP_ALLOWED_HOSTS=*` allows any. `health_path`: the request is for a health
/// endpoint, which platform checkers also reach by their own names ([`HEALTH_CHECKER_HOSTS`]).
pub(crate) fn check_host(
    cfg: &Config,
    host: Option<&str>,
    health_path: bool,
) -> Result<(), Refusal> {
    if cfg.allowed_hosts().iter().any(|h| h == "*") {
        return Ok(());
    }
    let Some(raw) = host else {
        return Err(Refusal::Host(String::new()));
    };
    let h = host_of(raw);
    let railway = cfg.railway();
    let ok = is_loopback_host(&h)
        || cfg.allowed_hosts().iter().any(|a| host_of(a) == h)
        || railway
            .public_domain
            .as_deref()
            .is_some_and(|d| host_of(d) == h)
        || railway
            .private_domain
            .as_deref()
            .is_some_and(|d| host_of(d) == h)
        || cfg.public_url().is_some_and(|u| origin_host(u) == h)
        || cfg.cors_origins().iter().any(|o| origin_host(o) == h)
        || (host_of(cfg.host()) == h && !matches!(cfg.host(), "::" | "0.0.0.0"))
        || (health_path && HEALTH_CHECKER_HOSTS.contains(&h.as_str()));
    if ok {
        Ok(())
    } else {
        Err(Refusal::Host(raw.to_string()))
    }
}

fn origin_host(origin: &str) -> String {
    let rest = origin.split_once("://").map_or(origin, |(_, r)| r);
    host_of(rest.split('/').next().unwrap_or(""))
}

/// The `Origin` check: no `Origin` (not a browser) passes; otherwise it must be listed in `CORS_ORIGIN`
/// (or `CORS_ORIGIN` holds `*` outside production), or be a loopback origin while the `Host` is loopback
/// too (a page on this machine talking to a server on this machine), or be the server's own origin.
pub(crate) fn check_origin(
    cfg: &Config,
    origin: Option<&str>,
    host: Option<&str>,
) -> Result<(), Refusal> {
    let Some(o) = origin else { return Ok(()) };
    // A serialized origin is printable ASCII without spaces: anything else is refused, and so can
    // never be reflected into `Access-Control-Allow-Origin`.
    if !o
        .trim_matches([' ', '\t'])
        .bytes()
        .all(|b| b.is_ascii_graphic())
    {
        return Err(Refusal::Origin(o.escape_debug().to_string()));
    }
    let o_trim = o.trim().trim_end_matches('/');
    if cfg.cors_origins().iter().any(|c| c == o_trim || c == "*") {
        return Ok(());
    }
    if o_trim == "null" || !o_trim.contains("://") {
        return Err(Refusal::Origin(o.to_string()));
    }
    let oh = origin_host(o_trim);
    let hh = host.map(host_of).unwrap_or_default();
    if (is_loopback_host(&oh) && is_loopback_host(&hh)) || (!hh.is_empty() && oh == hh) {
        return Ok(());
    }
    Err(Refusal::Origin(o.to_string()))
}

/// Headers browsers need to read a reply to an allowed cross-origin request (none without `Origin`).
pub(crate) fn cors_headers(
    cfg: &Config,
    origin: Option<&str>,
    host: Option<&str>,
) -> Vec<(&'static str, String)> {
    match origin {
        Some(o) if check_origin(cfg, Some(o), host).is_ok() => vec![
            ("Access-Control-Allow-Origin", o.trim().to_string()),
            ("Vary", "Origin".to_string()),
            (
                "Access-Control-Expose-Headers",
                "Mcp-Session-Id, MCP-Protocol-Version, WWW-Authenticate, Retry-After, RateLimit, RateLimit-Policy"
                    .to_string(),
            ),
        ],
        _ => Vec::new(),
    }
}

/// The extra headers of a CORS preflight answer.
pub(crate) const PREFLIGHT: [(&str, &str); 3] = [
    ("Access-Control-Allow-Methods", "GET, POST, DELETE, OPTIONS"),
    (
        "Access-Control-Allow-Headers",
        "Authorization, Content-Type, Accept, Mcp-Session-Id, MCP-Protocol-Version, Last-Event-ID, Mcp-Method, Mcp-Name",
    ),
    ("Access-Control-Max-Age", "600"),
];

/// True when `accept` admits `mime` (exactly, by `type/*` or by `*/*`).
fn accepts(accept: &str, mime: &str) -> bool {
    let (ty, _) = mime.split_once('/').unwrap_or((mime, ""));
    accept.split(',').any(|part| {
        let m = part
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        m == mime || m == "*/*" || m.strip_suffix("/*") == Some(ty)
    })
}

/// POST needs `Accept` listing both `application/json` and `text/event-stream` (the transport's rule).
pub fn check_accept_post(accept: Option<&str>) -> Result<(), Refusal> {
    let a = accept.unwrap_or("");
    if accepts(a, "application/json") && accepts(a, "text/event-stream") {
        Ok(())
    } else {
        Err(Refusal::NotAcceptable(
            "both application/json and text/event-stream",
        ))
    }
}

/// POST bodies must be `application/json` (parameters such as charset allowed).
pub fn check_content_type(ct: Option<&str>) -> Result<(), Refusal> {
    let c = ct.unwrap_or("");
    let mime = c
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if mime == "application/json" {
        Ok(())
    } else {
        Err(Refusal::UnsupportedMediaType(c.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Purpose, RawEnv};

    fn cfg(pairs: &[(&str, &str)]) -> Config {
        Config::from_raw(&RawEnv::from_pairs(pairs.iter().copied()), Purpose::Demo).unwrap()
    }

    #[test]
    fn hosts() {
        let c = cfg(&[
            ("RAILWAY_PUBLIC_DOMAIN", "mcp.up.railway.app"),
            ("MCP_ALLOWED_HOSTS", "crm.example.com"),
        ]);
        for ok in [
            "localhost:3000",
            "127.0.0.1",
            "[::1]:1",
            "mcp.up.railway.app",
            "CRM.example.com:443",
        ] {
            assert_eq!(check_host(&c, Some(ok), false), Ok(()), "{ok}");
        }
        for bad in [
            "evil.com",
            "evil.com:3000",
            "localhost.evil.com",
            "127.0.0.1.nip.io",
        ] {
            assert!(check_host(&c, Some(bad), false).is_err(), "{bad}");
        }
        assert!(check_host(&c, None, false).is_err());
        assert!(check_host(
            &cfg(&[("MCP_ALLOWED_HOSTS", "*")]),
            Some("any.where"),
            false
        )
        .is_ok());
        // Railway's health checker, on the health paths only.
        assert!(check_host(&c, Some("healthcheck.railway.app"), true).is_ok());
        assert!(check_host(&c, Some("healthcheck.railway.app"), false).is_err());
        // MCP_PUBLIC_URL's host.
        let p = cfg(&[("MCP_PUBLIC_URL", "https://crm-mcp.example.org")]);
        assert!(check_host(&p, Some("crm-mcp.example.org"), false).is_ok());
        assert!(check_host(&p, Some("other.example.org"), false).is_err());
    }

    #[test]
    fn origins() {
        let c = cfg(&[("CORS_ORIGIN", "https://claude.ai, https://cursor.sh/")]);
        assert!(check_origin(&c, None, Some("x")).is_ok());
        assert!(check_origin(&c, Some("https://claude.ai"), Some("mcp.example")).is_ok());
        assert!(check_origin(&c, Some("https://cursor.sh"), Some("mcp.example")).is_ok());
        assert!(check_origin(&c, Some("http://localhost:5173"), Some("localhost:3000")).is_ok());
        assert!(check_origin(&c, Some("http://localhost:5173"), Some("mcp.example")).is_err());
        assert!(check_origin(&c, Some("http://evil.com"), Some("localhost:3000")).is_err());
        assert!(check_origin(&c, Some("null"), Some("localhost")).is_err());
        assert!(check_origin(&c, Some("https://mcp.example"), Some("mcp.example")).is_ok());
        for hostile in [
            "http://localhost:5173\r\nSet-Cookie: a=b",
            "http://localhost\n",
            "http://localhost\0",
            "https://claude.ai\x0b",
            "http://local host",
        ] {
            assert!(
                check_origin(&c, Some(hostile), Some("localhost")).is_err(),
                "{hostile:?}"
            );
            assert!(cors_headers(&c, Some(hostile), Some("localhost")).is_empty());
        }
    }

    #[test]
    fn negotiation() {
        assert!(check_accept_post(Some("application/json, text/event-stream")).is_ok());
        assert!(check_accept_post(Some("text/event-stream;q=0.9, application/json")).is_ok());
        assert!(check_accept_post(Some("*/*")).is_ok());
        assert!(check_accept_post(Some("application/json")).is_err());
        assert!(check_accept_post(None).is_err());
        assert!(check_content_type(Some("application/json; charset=utf-8")).is_ok());
        assert_eq!(
            check_content_type(Some("text/plain")).unwrap_err().status(),
            415
        );
        assert!(check_content_type(None).is_err());
    }
}
