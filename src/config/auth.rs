//! [`AuthSettings`]: bearer-token verification, and the rules on when it may be off.

use std::time::Duration;

use super::env::{Environment, Purpose};
use super::error::ConfigErrorKind;
use super::oauth::{AuthMode, OAuthSettings};
use super::parse::{http_only_to_loopback, is_http_url, Parser};
use super::secret::Secret;
use super::vars;

/// What the token verifier and the protected resource metadata read.
#[derive(Debug, Clone)]
pub(crate) struct AuthSettings {
    /// `JWT_SECRET`: the shared secret of HS256/HS384/HS512 tokens. With neither it nor `jwks_uri`,
    /// bearer authentication is off (refused in production).
    pub(crate) jwt_secret: Option<Secret>,
    /// `JWT_ISSUER`: the `iss` a token must carry, and the authorization server named in the metadata.
    pub(crate) jwt_issuer: Option<String>,
    /// `JWT_AUDIENCE`: a value the token's `aud` must contain.
    pub(crate) jwt_audience: Option<String>,
    /// `JWKS_URI`: where the public keys of RS*/PS*/ES*/EdDSA tokens are fetched.
    pub(crate) jwks_uri: Option<String>,
    /// `JWKS_CACHE_TTL`: how long a fetched key set is used before it is fetched again.
    pub(crate) jwks_cache_ttl: Duration,
    /// `JWKS_MIN_REFRESH_SECONDS`: fetch attempts are at least this far apart.
    pub(crate) jwks_min_refresh: Duration,
    /// `JWT_LEEWAY_SECONDS`: clock skew allowed when checking `exp` and `nbf`.
    pub(crate) jwt_leeway: Duration,
    /// `MCP_READ_SCOPES`: scopes any of which lets a token read.
    pub(crate) read_scopes: Vec<String>,
    /// `MCP_WRITE_SCOPES`: scopes any of which lets a token write, and so read.
    pub(crate) write_scopes: Vec<String>,
    /// `MCP_REQUIRE_SCOPES`: a token must carry a `scope`/`scp` claim naming a read or write scope.
    pub(crate) require_scopes: bool,
    /// `MCP_PUBLIC_URL`, without a trailing slash; the protected resource is this plus `/mcp`.
    pub(crate) public_url: Option<String>,
    /// `MCP_AUTH_MODE` (or what the other variables imply when it is unset).
    pub(crate) mode: AuthMode,
    /// The authorization server's settings, in `oauth` mode.
    pub(crate) oauth: Option<OAuthSettings>,
}

impl AuthSettings {
    /// True when `/mcp` needs a bearer token (`jwt` or `oauth` mode).
    pub(crate) fn enabled(&self) -> bool {
        self.mode != AuthMode::None
    }

    pub(super) fn parse(
        p: &mut Parser<'_>,
        environment: Environment,
        purpose: Purpose,
        loopback_bind: bool,
    ) -> AuthSettings {
        let prod = environment.is_production();
        let jwt_secret = p.secret(&vars::JWT_SECRET);
        let jwt_issuer = p.text(&vars::JWT_ISSUER);
        if let Some(v) = jwt_issuer.as_deref().filter(|v| !is_http_url(v)) {
            p.invalid(&vars::JWT_ISSUER, "an http(s) URL", v);
        }
        let jwks_uri = p.text(&vars::JWKS_URI);
        if let Some(v) = &jwks_uri {
            if !is_http_url(v) {
                p.invalid(&vars::JWKS_URI, "an http(s) URL", v);
            } else if http_only_to_loopback(v) {
                // Whoever can change the key set in transit can mint tokens.
                p.rule(
                    &vars::JWKS_URI,
                    "plain http is allowed only to a loopback address; use https",
                );
            }
        }
        let public_url = p
            .text(&vars::MCP_PUBLIC_URL)
            .map(|s| s.trim_end_matches('/').to_string());
        if let Some(v) = &public_url {
            if !is_http_url(v) || v.contains(['?', '#']) {
                p.invalid(
                    &vars::MCP_PUBLIC_URL,
                    "the server's public http(s) URL without query or fragment, such as https://mcp.example.com",
                    v,
                );
            } else if prod && http_only_to_loopback(v) {
                p.rule(&vars::MCP_PUBLIC_URL, "must be https in production");
            }
        }
        let explicit = p.text(&vars::MCP_AUTH_MODE);
        let has_jwt = jwt_secret.is_some() || jwks_uri.is_some();
        let mode = match explicit.as_deref().map(|v| (v, AuthMode::parse(v))) {
            Some((_, Some(m))) => m,
            Some((v, None)) => {
                p.invalid(&vars::MCP_AUTH_MODE, "oauth, jwt or none", v);
                if has_jwt {
                    AuthMode::Jwt
                } else {
                    AuthMode::None
                }
            }
            None if has_jwt => AuthMode::Jwt,
            None => AuthMode::None,
        };
        if mode == AuthMode::Jwt && !has_jwt {
            p.missing(
                &vars::JWT_SECRET,
                "with MCP_AUTH_MODE=jwt (or JWKS_URI): the key tokens are checked with",
            );
        }
        let oauth = OAuthSettings::parse(p, prod, purpose, mode == AuthMode::OAuth);
        if mode == AuthMode::OAuth && prod && public_url.is_none() {
            p.missing(
                &vars::MCP_PUBLIC_URL,
                "with MCP_AUTH_MODE=oauth in production: the issuer and redirect URLs must not depend on the Host header",
            );
        }
        let s = AuthSettings {
            mode,
            oauth: (mode == AuthMode::OAuth).then_some(oauth),
            jwt_secret,
            jwt_issuer,
            jwt_audience: p.text(&vars::JWT_AUDIENCE),
            jwks_uri,
            jwks_cache_ttl: p.seconds(&vars::JWKS_CACHE_TTL),
            jwks_min_refresh: p.seconds(&vars::JWKS_MIN_REFRESH_SECONDS),
            jwt_leeway: p.seconds(&vars::JWT_LEEWAY_SECONDS),
            read_scopes: p.scopes(&vars::MCP_READ_SCOPES),
            write_scopes: p.scopes(&vars::MCP_WRITE_SCOPES),
            require_scopes: p.flag(&vars::MCP_REQUIRE_SCOPES),
            public_url,
        };
        s.when_required(p, prod, purpose, loopback_bind);
        s
    }

    /// The rules on authentication as a whole, reported after its last variable.
    fn when_required(&self, p: &mut Parser<'_>, prod: bool, purpose: Purpose, loopback: bool) {
        let last = &vars::OAUTH_CIMD_CA_FILE;
        let missing = |why| ConfigErrorKind::Missing { why };
        if prod && purpose != Purpose::Stdio && !self.enabled() {
            p.push_after(
                last,
                &vars::JWT_SECRET,
                missing(
                    "in production (or JWKS_URI, or MCP_AUTH_MODE=oauth): the HTTP endpoint must not run without authentication",
                ),
            );
        }
        if !prod && purpose == Purpose::Serve && !self.enabled() && !loopback {
            p.push_after(
                last,
                &vars::JWT_SECRET,
                missing(
                    "(or JWKS_URI, or MCP_AUTH_MODE=oauth) to serve a real HubSpot account on a non-loopback HOST: authentication may be off \
                     only with --demo or when HOST is a loopback address such as 127.0.0.1",
                ),
            );
        }
        if prod && self.mode == AuthMode::Jwt {
            if self.jwt_issuer.is_none() {
                p.push_after(
                    last,
                    &vars::JWT_ISSUER,
                    missing("in production to check the token's issuer"),
                );
            }
            if self.jwt_audience.is_none() {
                p.push_after(
                    last,
                    &vars::JWT_AUDIENCE,
                    missing("in production to check the token's audience"),
                );
            }
        }
    }
}
