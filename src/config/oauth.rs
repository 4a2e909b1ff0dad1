//! [`OAuthSettings`]: the built-in authorization server (`MCP_AUTH_MODE=oauth`): the HubSpot app people
//! sign in through, the keys that seal what the server issues, lifetimes, registration bounds, and the
//! test-only exemptions for client ID metadata documents.

use std::time::Duration;

use super::env::Purpose;
use super::parse::{http_only_to_loopback, is_http_url, Parser};
use super::secret::Secret;
use super::vars;

/// Who may call `/mcp` (`MCP_AUTH_MODE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMode {
    /// No authentication (demo, loopback).
    None,
    /// Tokens of an external issuer (`JWT_SECRET` / `JWKS_URI`).
    Jwt,
    /// This server is the authorization server; people sign in through HubSpot.
    OAuth,
}

impl AuthMode {
    /// Reads `oauth`, `jwt`, `none`.
    pub(crate) fn parse(s: &str) -> Option<AuthMode> {
        match s.trim().to_ascii_lowercase().as_str() {
            "oauth" => Some(AuthMode::OAuth),
            "jwt" => Some(AuthMode::Jwt),
            "none" | "off" => Some(AuthMode::None),
            _ => None,
        }
    }
    /// The word `parse` reads.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            AuthMode::None => "none",
            AuthMode::Jwt => "jwt",
            AuthMode::OAuth => "oauth",
        }
    }
}

/// What the authorization server reads (present only in `oauth` mode).
#[derive(Debug, Clone)]
pub(crate) struct OAuthSettings {
    /// `HUBSPOT_CLIENT_ID` (empty only under `--demo`, which uses the sandbox's app).
    pub(crate) client_id: String,
    /// `HUBSPOT_CLIENT_SECRET`.
    pub(crate) client_secret: Option<Secret>,
    /// `HUBSPOT_OAUTH_SCOPES`.
    pub(crate) scopes: Vec<String>,
    /// `HUBSPOT_OAUTH_OPTIONAL_SCOPES`.
    pub(crate) optional_scopes: Vec<String>,
    /// `HUBSPOT_ALLOWED_PORTALS`: empty means any.
    pub(crate) allowed_portals: Vec<u64>,
    /// `HUBSPOT_OAUTH_AUTHORIZE_URL`.
    pub(crate) authorize_url: String,
    /// `OAUTH_KEYS`, newest first (empty only under `--demo`, which makes one per run).
    pub(crate) keys: Vec<Secret>,
    /// `OAUTH_ACCESS_TTL`.
    pub(crate) access_ttl: Duration,
    /// `OAUTH_REFRESH_TTL`.
    pub(crate) refresh_ttl: Duration,
    /// `OAUTH_CODE_TTL`.
    pub(crate) code_ttl: Duration,
    /// `OAUTH_REGISTRATIONS_PER_HOUR`.
    pub(crate) registrations_per_hour: usize,
    /// `OAUTH_CIMD_ALLOW_ORIGIN` as `host:port` (not in production).
    pub(crate) cimd_exempt: Option<String>,
    /// `OAUTH_CIMD_CA_FILE` (not in production).
    pub(crate) cimd_ca_file: Option<std::path::PathBuf>,
}

/// HubSpot scopes: space- or comma-separated.
fn scope_list(v: Option<String>, default: &[&str]) -> Vec<String> {
    match v {
        Some(v) => v
            .split([',', ' '])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        None => default.iter().map(|s| s.to_string()).collect(),
    }
}

impl OAuthSettings {
    /// Reads the `oauth` mode's variables; `required` is false outside that mode (they are then only
    /// checked for form, and unused).
    pub(super) fn parse(
        p: &mut Parser<'_>,
        prod: bool,
        purpose: Purpose,
        required: bool,
    ) -> OAuthSettings {
        // Outside `oauth` mode nothing is required (the values are still checked for form).
        let demo = purpose == Purpose::Demo || !required;
        let client_id = p.text(&vars::HUBSPOT_CLIENT_ID).unwrap_or_default();
        if client_id.is_empty() && !demo {
            p.missing(
                &vars::HUBSPOT_CLIENT_ID,
                "with MCP_AUTH_MODE=oauth: the client id of the HubSpot app people sign in through",
            );
        }
        let client_secret = p.secret(&vars::HUBSPOT_CLIENT_SECRET);
        if client_secret.is_none() && !demo {
            p.missing(
                &vars::HUBSPOT_CLIENT_SECRET,
                "with MCP_AUTH_MODE=oauth: the client secret of that HubSpot app",
            );
        }
        let scopes = scope_list(
            p.get(&vars::HUBSPOT_OAUTH_SCOPES).map(str::to_string),
            vars::HUBSPOT_OAUTH_SCOPES.kind.default,
        );
        let optional_scopes = scope_list(
            p.get(&vars::HUBSPOT_OAUTH_OPTIONAL_SCOPES)
                .map(str::to_string),
            &[],
        );
        let mut allowed_portals = Vec::new();
        if let Some(v) = p.get(&vars::HUBSPOT_ALLOWED_PORTALS).map(str::to_string) {
            for item in v.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                match item.parse::<u64>() {
                    Ok(n) => allowed_portals.push(n),
                    Err(_) => p.invalid(
                        &vars::HUBSPOT_ALLOWED_PORTALS,
                        "comma-separated hub ids (numbers)",
                        &v,
                    ),
                }
            }
        }
        let authorize_url = p
            .text(&vars::HUBSPOT_OAUTH_AUTHORIZE_URL)
            .unwrap_or_default();
        if !is_http_url(&authorize_url) || authorize_url.contains('?') {
            p.invalid(
                &vars::HUBSPOT_OAUTH_AUTHORIZE_URL,
                "an http(s) URL without a query",
                &authorize_url,
            );
        } else if http_only_to_loopback(&authorize_url) {
            p.rule(
                &vars::HUBSPOT_OAUTH_AUTHORIZE_URL,
                "plain http is allowed only to a loopback address; use https",
            );
        }
        let keys: Vec<Secret> = p
            .get(&vars::OAUTH_KEYS)
            .map(|v| {
                v.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(|s| Secret::new(s.to_string()))
                    .collect()
            })
            .unwrap_or_default();
        if keys.iter().any(|k| k.expose().len() < 32) {
            p.rule(
                &vars::OAUTH_KEYS,
                "each key must be at least 32 characters (openssl rand -hex 32 makes one)",
            );
        }
        if keys.is_empty() && !demo {
            p.missing(
                &vars::OAUTH_KEYS,
                "with MCP_AUTH_MODE=oauth: at least one secret of 32+ characters to seal tokens (openssl rand -hex 32)",
            );
        }
        let access_ttl = p.seconds(&vars::OAUTH_ACCESS_TTL);
        let refresh_ttl = p.seconds(&vars::OAUTH_REFRESH_TTL);
        let code_ttl = p.seconds(&vars::OAUTH_CODE_TTL);
        let registrations_per_hour = p.count(&vars::OAUTH_REGISTRATIONS_PER_HOUR);
        let exempt_origin = p.text(&vars::OAUTH_CIMD_ALLOW_ORIGIN);
        let mut cimd_exempt = None;
        if let Some(o) = &exempt_origin {
            if prod {
                p.rule(
                    &vars::OAUTH_CIMD_ALLOW_ORIGIN,
                    "is for tests: not allowed in production",
                );
            }
            match o
                .strip_prefix("https://")
                .filter(|r| !r.is_empty() && !r.contains(['/', '?', '#', '@']))
            {
                Some(hp) if hp.contains(':') => cimd_exempt = Some(hp.to_string()),
                Some(h) => cimd_exempt = Some(format!("{h}:443")),
                None => p.invalid(
                    &vars::OAUTH_CIMD_ALLOW_ORIGIN,
                    "an https origin such as https://127.0.0.1:8443",
                    o,
                ),
            }
        }
        let cimd_ca_file = p
            .text(&vars::OAUTH_CIMD_CA_FILE)
            .map(std::path::PathBuf::from);
        if cimd_ca_file.is_some() && prod {
            p.rule(
                &vars::OAUTH_CIMD_CA_FILE,
                "is for tests: not allowed in production",
            );
        }
        OAuthSettings {
            client_id,
            client_secret,
            scopes,
            optional_scopes,
            allowed_portals,
            authorize_url,
            keys,
            access_ttl,
            refresh_ttl,
            code_ttl,
            registrations_per_hour,
            cimd_exempt,
            cimd_ca_file,
        }
    }
}
