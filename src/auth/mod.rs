//! Bearer-token authentication of the HTTP endpoint: `Authorization: Bearer <JWT>` → `Principal`.
//!
//! `Verifier::verify` takes the header, the query string and the time, and returns who is calling and
//! what they may do, or an [`AuthError`] that maps to one HTTP status (`AuthError::status`) and one
//! `WWW-Authenticate` value (`AuthError::www_authenticate`). HS256/384/512 tokens are checked with
//! `JWT_SECRET`; RS*/PS*/ES256/ES384/EdDSA tokens with keys from `JWKS_URI` ([`jwks`]). Each key accepts only
//! its own algorithms, so `alg: none` and HS/RS confusion are refused before any signature check. Verified
//! tokens are remembered by their SHA-256 until they expire (`cache`), so a busy client costs one
//! signature check per token, not per request. `protected_resource_metadata` is the RFC 9728 document
//! clients use to find the authorization server.
//!
//! This module does not read HTTP requests or write responses (the `http` layer does, with this API), and
//! never logs, stores or echoes a token: the cache keeps digests, errors carry no token text.

mod cache;
pub mod claims;
mod crypto;
pub mod jwks;

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::SystemTime;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use jsonwebtoken::{Algorithm, DecodingKey};
use serde_json::{json, Value};

use crate::config::{Config, ConfigError, ConfigErrorKind};
pub(crate) use claims::PrincipalId;
#[cfg(test)]
pub(crate) use claims::SubjectClaim;
pub(crate) use jwks::JwksStatus;

/// Longest token accepted (real access tokens are a few KiB at most).
const MAX_TOKEN_BYTES: usize = 16 * 1024;
/// Query parameters that look like a token and are refused ([`AuthError::TokenInQuery`]).
const TOKEN_QUERY_PARAMS: &[&str] = &["access_token", "token", "jwt", "id_token"];
/// Where the protected resource metadata is served (RFC 9728 section 3).
pub(crate) const METADATA_PATH: &str = "/.well-known/oauth-protected-resource";
/// The name given in the protected resource metadata.
const RESOURCE_NAME: &str = "HubSpot CRM (hubspot-mcp)";

/// Who is calling, from a verified token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Principal {
    /// Who it is: `sub` (else `client_id`, else `azp`) with the claim kept (`sub:alice` and
    /// `client_id:alice` are two principals). A token naming none is refused ([`AuthError::NoSubject`]).
    pub(crate) id: PrincipalId,
    /// The scopes the token carries (`scope` and `scp`), in order, without duplicates.
    scopes: Vec<String>,
    /// May call tools that change nothing. Always true for a principal [`Verifier::verify`] returns.
    can_read: bool,
    /// May call tools that change HubSpot data (check with [`Verifier::require_write`]).
    pub(crate) can_write: bool,
    /// The token's `exp` (unix seconds).
    expires_at: u64,
    /// In `oauth` mode: the HubSpot grant the tools act with (the person's own HubSpot token).
    pub(crate) hubspot: Option<UserGrant>,
}

impl Principal {
    /// The scopes the token carries.
    pub(crate) fn scopes(&self) -> &[String] {
        &self.scopes
    }
    /// A principal signed in through this server's own authorization server (`oauth` mode).
    pub(crate) fn signed_in(
        id: PrincipalId,
        scopes: Vec<String>,
        can_write: bool,
        expires_at: u64,
        grant: UserGrant,
    ) -> Principal {
        Principal {
            id,
            scopes,
            can_read: true,
            can_write,
            expires_at,
            hubspot: Some(grant),
        }
    }
}

/// A person signed in through HubSpot (`oauth` mode): what acting as them needs. Carried inside this
/// server's sealed access token, never shown to the client.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct UserGrant {
    /// The grant's family (every token of one sign-in).
    pub(crate) family: String,
    /// The HubSpot account.
    pub(crate) hub_id: u64,
    /// The HubSpot user.
    pub(crate) user_id: u64,
    /// HubSpot's access token for this user when the token was issued.
    pub(crate) access_token: crate::config::Secret,
    /// When that access token expires (unix seconds).
    pub(crate) access_expires: u64,
    /// HubSpot's refresh token for this user.
    pub(crate) refresh_token: crate::config::Secret,
}

impl fmt::Debug for UserGrant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserGrant")
            .field("hub_id", &self.hub_id)
            .field("user_id", &self.user_id)
            .finish_non_exhaustive()
    }
}

/// Why a request is not authenticated or not allowed. `Display` says what the client can do about it
/// and never contains the token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthError {
    /// No `Authorization` header (or an empty one).
    Missing,
    /// Not `Bearer <JWT>`, or the JWT's header or claims cannot be read; says which part.
    Malformed(String),
    /// The signature does not verify with the key.
    BadSignature,
    /// `exp` (plus the leeway) is past.
    Expired,
    /// `nbf` (minus the leeway) is in the future.
    NotYetValid,
    /// `iss` is not `JWT_ISSUER`.
    WrongIssuer,
    /// `aud` does not contain `JWT_AUDIENCE`.
    WrongAudience,
    /// The token's `alg` (given) is not one its key accepts (`none` never is).
    AlgorithmNotAllowed(String),
    /// No cached key has this `kid`, even after a refresh (empty when the token named none).
    UnknownKey(String),
    /// A token-like parameter is in the URL query (RFC 6750 section 2.3 is not supported: URLs get logged).
    TokenInQuery,
    /// The key set could not be fetched and no key is cached; says why.
    JwksUnavailable(String),
    /// The token names no caller: the first of `sub`, `client_id`, `azp` present is missing, empty or
    /// not a string, so there is no principal to own sessions or count against limits.
    NoSubject,
    /// The grant behind the token was revoked (`oauth` mode: signed out, or a refresh token replayed).
    Revoked,
    /// The grant store or HubSpot could not confirm the token now (`oauth` mode); says why.
    Unavailable(String),
    /// The token is valid but lacks a scope this call needs.
    InsufficientScope {
        /// The scope to ask for.
        needed: String,
    },
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuthError::Missing => {
                f.write_str("authentication required: send the header `Authorization: Bearer <token>`")
            }
            AuthError::Malformed(why) => write!(f, "malformed bearer token: {why}"),
            AuthError::BadSignature => f.write_str(
                "the token's signature does not verify: it was not issued by the trusted authorization server",
            ),
            AuthError::Expired => f.write_str("the token has expired: obtain a new one"),
            AuthError::NotYetValid => f.write_str(
                "the token is not valid yet (nbf is in the future): check the clocks of client and issuer",
            ),
            AuthError::WrongIssuer => {
                f.write_str("the token comes from an issuer (iss) this server does not trust")
            }
            AuthError::WrongAudience => {
                f.write_str("the token is not meant for this server (aud): request one for this resource")
            }
            AuthError::AlgorithmNotAllowed(alg) => {
                write!(f, "the signing algorithm {alg} is not accepted for this key")
            }
            AuthError::UnknownKey(kid) if kid.is_empty() => f.write_str(
                "the token names no key (kid) and no trusted key fits it: obtain a new token",
            ),
            AuthError::UnknownKey(kid) => write!(
                f,
                "the token's signing key (kid {kid}) is not among the trusted keys: obtain a new token"
            ),
            AuthError::TokenInQuery => f.write_str(
                "tokens in the URL query are refused: send it in the header `Authorization: Bearer <token>`",
            ),
            AuthError::JwksUnavailable(why) => write!(
                f,
                "the authorization server's signing keys are unavailable ({why}): retry later"
            ),
            AuthError::NoSubject => f.write_str(
                "the token identifies no caller: it needs a non-empty string `sub` claim (or, for a client's own \
                 token, `client_id` or `azp`); request a token that names its subject",
            ),
            AuthError::Revoked => {
                f.write_str("the grant behind this token was revoked: sign in again")
            }
            AuthError::Unavailable(why) => write!(f, "the token cannot be checked now ({why}): retry later"),
            AuthError::InsufficientScope { needed } => {
                write!(f, "the token lacks the scope {needed}: request a token with it")
            }
        }
    }
}

impl std::error::Error for AuthError {}

impl AuthError {
    /// The HTTP status: 401 for a missing or unusable token, 400 for a token in the query (RFC 6750
    /// `invalid_request`), 403 for a missing scope, 503 when no signing key can be had.
    pub(crate) fn status(&self) -> u16 {
        match self {
            AuthError::TokenInQuery => 400,
            AuthError::InsufficientScope { .. } => 403,
            AuthError::JwksUnavailable(_) | AuthError::Unavailable(_) => 503,
            _ => 401,
        }
    }

    /// A short stable name for logs and metrics (`missing`, `expired`, ...).
    pub(crate) fn reason(&self) -> &'static str {
        match self {
            AuthError::Missing => "missing",
            AuthError::Malformed(_) => "malformed",
            AuthError::BadSignature => "bad_signature",
            AuthError::Expired => "expired",
            AuthError::NotYetValid => "not_yet_valid",
            AuthError::WrongIssuer => "wrong_issuer",
            AuthError::WrongAudience => "wrong_audience",
            AuthError::AlgorithmNotAllowed(_) => "algorithm_not_allowed",
            AuthError::UnknownKey(_) => "unknown_key",
            AuthError::TokenInQuery => "token_in_query",
            AuthError::JwksUnavailable(_) => "jwks_unavailable",
            AuthError::NoSubject => "no_subject",
            AuthError::Revoked => "revoked",
            AuthError::Unavailable(_) => "unavailable",
            AuthError::InsufficientScope { .. } => "insufficient_scope",
        }
    }

    /// The `WWW-Authenticate` value (RFC 6750 section 3, RFC 9728 section 5.1, MCP authorization):
    /// `Bearer error="…", error_description="…", resource_metadata="…"`. No `error` when the token is
    /// missing (RFC 6750: the client just has not authenticated yet); `insufficient_scope` names the needed
    /// scope. `scope` (the scopes this resource uses, space-separated) is added to 401 challenges so a
    /// client knows what to ask for.
    pub(crate) fn www_authenticate(
        &self,
        resource_metadata_url: &str,
        scope: Option<&str>,
    ) -> String {
        let mut params: Vec<(&str, String)> = Vec::new();
        let error = match self {
            AuthError::Missing | AuthError::JwksUnavailable(_) | AuthError::Unavailable(_) => None,
            AuthError::TokenInQuery => Some("invalid_request"),
            AuthError::InsufficientScope { .. } => Some("insufficient_scope"),
            _ => Some("invalid_token"),
        };
        if let Some(e) = error {
            params.push(("error", e.to_string()));
            params.push(("error_description", quotable(&self.to_string())));
        }
        match self {
            AuthError::InsufficientScope { needed } => params.push(("scope", quotable(needed))),
            AuthError::JwksUnavailable(_) | AuthError::Unavailable(_) => {}
            _ => {
                if let Some(s) = scope.filter(|s| !s.is_empty()) {
                    params.push(("scope", quotable(s)));
                }
            }
        }
        params.push(("resource_metadata", quotable(resource_metadata_url)));
        let body: Vec<String> = params.iter().map(|(k, v)| format!("{k}=\"{v}\"")).collect();
        format!("Bearer {}", body.join(", "))
    }
}

/// Text safe inside an RFC 6750 quoted string (%x20-21 / %x23-5B / %x5D-7E).
fn quotable(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '"' => '\'',
            '\\' => '/',
            ' '..='~' => c,
            _ => '?',
        })
        .collect()
}

/// Checks bearer tokens. Built once from the configuration and shared (`Arc`) by the workers.
pub struct Verifier {
    secret: Option<DecodingKey>,
    jwks: Option<jwks::Jwks>,
    issuer: Option<String>,
    audience: Option<String>,
    leeway: u64,
    read_scopes: Vec<String>,
    write_scopes: Vec<String>,
    require_scopes: bool,
    cache: cache::TokenCache,
    signature_checks: AtomicU64,
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier")
            .field("secret", &self.secret.as_ref().map(|_| "***"))
            .field("jwks", &self.jwks)
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .field("leeway", &self.leeway)
            .field("read_scopes", &self.read_scopes)
            .field("write_scopes", &self.write_scopes)
            .field("require_scopes", &self.require_scopes)
            .finish_non_exhaustive()
    }
}

impl Verifier {
    /// The verifier the configuration asks for; `None` when neither `JWT_SECRET` nor `JWKS_URI` is set
    /// (authentication off; the configuration refuses that in production). Fails only when `JWKS_URI` is
    /// not a URL the HTTP client can use.
    pub fn from_config(cfg: &Config) -> Result<Option<Verifier>, ConfigError> {
        // `oauth` mode verifies its own tokens (`crate::oauth`); `none` verifies nothing.
        if cfg.auth_mode() != crate::config::AuthMode::Jwt
            || (cfg.jwt_secret().is_none() && cfg.jwks_uri().is_none())
        {
            return Ok(None);
        }
        let jwks = match cfg.jwks_uri() {
            Some(uri) => {
                if !jwks::is_fetchable(uri) {
                    return Err(ConfigError {
                        var: "JWKS_URI",
                        kind: ConfigErrorKind::Invalid {
                            expected: "a URL the HTTP client can fetch",
                            got: Some(uri.to_string()),
                        },
                    });
                }
                // The operator's CA bundle applies to the token issuer too (a TLS-inspecting proxy, a
                // private issuer).
                let pem = match cfg.hubspot_ca_file() {
                    None => None,
                    Some(path) => Some(std::fs::read(path).map_err(|_| ConfigError {
                        var: "HUBSPOT_CA_FILE",
                        kind: ConfigErrorKind::Invalid {
                            expected: "a readable PEM file",
                            got: Some(path.display().to_string()),
                        },
                    })?),
                };
                let roots = crate::tls::ureq_roots(pem.as_deref()).map_err(|_| ConfigError {
                    var: "HUBSPOT_CA_FILE",
                    kind: ConfigErrorKind::Invalid {
                        expected: "a PEM bundle holding at least one certificate",
                        got: cfg.hubspot_ca_file().map(|p| p.display().to_string()),
                    },
                })?;
                Some(jwks::Jwks::new(
                    uri,
                    cfg.jwks_cache_ttl(),
                    cfg.jwks_min_refresh(),
                    roots,
                ))
            }
            None => None,
        };
        Ok(Some(Verifier {
            secret: cfg
                .jwt_secret()
                .map(|s| DecodingKey::from_secret(s.expose().as_bytes())),
            jwks,
            issuer: cfg.jwt_issuer().map(str::to_string),
            audience: cfg.jwt_audience().map(str::to_string),
            leeway: cfg.jwt_leeway().as_secs(),
            read_scopes: cfg.read_scopes().to_vec(),
            write_scopes: cfg.write_scopes().to_vec(),
            require_scopes: cfg.require_scopes(),
            cache: cache::TokenCache::new(cache::DEFAULT_CAPACITY),
            signature_checks: AtomicU64::new(0),
        }))
    }

    /// Authenticates one request from its `Authorization` header value and its query string (without the
    /// `?`), at `now`. The token is taken only from `Authorization: Bearer …`; a token-like query parameter
    /// is refused even when the header is there too. The principal returned can always read; check
    /// [`Verifier::require_write`] before a call that changes data.
    pub(crate) fn verify(
        &self,
        authorization: Option<&str>,
        query: Option<&str>,
        now: SystemTime,
    ) -> Result<Principal, AuthError> {
        if query.is_some_and(has_token_param) {
            return Err(AuthError::TokenInQuery);
        }
        let token = bearer_token(authorization)?;
        let now_secs = now
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let digest = cache::digest(token);
        if let Some(hit) = self.cache.get(&digest, now_secs, self.leeway) {
            return hit;
        }
        let claims = self.check_signature(token, now)?;
        claims.check_time(now_secs, self.leeway)?;
        claims.check_iss_aud(self.issuer.as_deref(), self.audience.as_deref())?;
        let (can_read, can_write) = claims::grant(
            &claims,
            &self.read_scopes,
            &self.write_scopes,
            self.require_scopes,
        );
        // After the time and issuer checks, so an expired or foreign token is reported as such.
        let Some(id) = claims.subject.clone() else {
            return Err(AuthError::NoSubject);
        };
        if !can_read {
            return Err(AuthError::InsufficientScope {
                needed: self.read_scopes.first().cloned().unwrap_or_default(),
            });
        }
        let principal = Principal {
            id,
            scopes: claims.scopes,
            can_read,
            can_write,
            expires_at: claims.exp,
            hubspot: None,
        };
        self.cache.insert(digest, principal.clone());
        Ok(principal)
    }

    /// `Ok` when `principal` may change data, else [`AuthError::InsufficientScope`] naming the first of
    /// `MCP_WRITE_SCOPES`.
    #[cfg(test)]
    fn require_write(&self, principal: &Principal) -> Result<(), AuthError> {
        if principal.can_write {
            Ok(())
        } else {
            Err(AuthError::InsufficientScope {
                needed: self.write_scopes.first().cloned().unwrap_or_default(),
            })
        }
    }

    /// The scopes this resource knows, space-separated (for the `scope` of a 401 challenge).
    pub(crate) fn scopes_supported(&self) -> String {
        crate::config::scope_union(&self.read_scopes, &self.write_scopes).join(" ")
    }

    /// The key cache's state for `/health`; `None` without `JWKS_URI`.
    pub(crate) fn jwks_status(&self) -> Option<JwksStatus> {
        self.jwks.as_ref().map(jwks::Jwks::status)
    }

    /// Fetches the key set now (at start-up, so the first request does not wait), unless a fetch ran less
    /// than `JWKS_MIN_REFRESH_SECONDS` ago. Returns the keys cached; `None` without `JWKS_URI`.
    pub(crate) fn refresh_jwks(&self, now: SystemTime) -> Option<usize> {
        self.jwks.as_ref().map(|j| j.refresh(now))
    }

    /// Signature checks done since start (the verified-token cache saves the rest).
    #[cfg(test)]
    fn signature_checks(&self) -> u64 {
        self.signature_checks.load(Relaxed)
    }

    /// Tokens in the verified-token cache.
    #[cfg(test)]
    fn cached_tokens(&self) -> usize {
        self.cache.len()
    }

    /// Picks the key by the header's `alg` and `kid`, checks the signature, and reads the claims.
    fn check_signature(&self, token: &str, now: SystemTime) -> Result<claims::Claims, AuthError> {
        let header = claims::parse_header(token)?;
        let alg: Algorithm = header
            .alg
            .parse()
            .map_err(|_| AuthError::AlgorithmNotAllowed(claims::echo(&header.alg)))?;
        let jwks_key;
        let key = match alg {
            Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512 => self
                .secret
                .as_ref()
                .ok_or_else(|| AuthError::AlgorithmNotAllowed(claims::echo(&header.alg)))?,
            _ => {
                let jwks = self
                    .jwks
                    .as_ref()
                    .ok_or_else(|| AuthError::AlgorithmNotAllowed(claims::echo(&header.alg)))?;
                jwks_key = jwks.key_for(header.kid.as_deref(), alg, now)?;
                &jwks_key.decoding
            }
        };
        // Only the signature is checked here (with ring: `crypto.rs`); the claims are checked against
        // the caller's `now`.
        self.signature_checks.fetch_add(1, Relaxed);
        let malformed =
            || AuthError::Malformed("the token's segments are not valid base64url JSON".into());
        let (message, signature) = token.rsplit_once('.').ok_or_else(malformed)?;
        let signature = URL_SAFE_NO_PAD.decode(signature).map_err(|_| malformed())?;
        if !crypto::check(alg, key, message.as_bytes(), &signature) {
            return Err(AuthError::BadSignature);
        }
        let data =
            jsonwebtoken::dangerous::insecure_decode::<Value>(token).map_err(|_| malformed())?;
        claims::Claims::from_value(&data.claims)
    }
}

/// The token of `Authorization: Bearer <token>` (scheme case-insensitive, RFC 7235), checked for shape.
pub(crate) fn bearer_token(authorization: Option<&str>) -> Result<&str, AuthError> {
    let value = authorization.map(str::trim).unwrap_or("");
    if value.is_empty() {
        return Err(AuthError::Missing);
    }
    let (scheme, rest) = value.split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(AuthError::Malformed(
            "the Authorization header must use the Bearer scheme".into(),
        ));
    }
    let token = rest.trim_start();
    if token.is_empty() {
        return Err(AuthError::Malformed("the Bearer token is empty".into()));
    }
    if token.len() > MAX_TOKEN_BYTES {
        return Err(AuthError::Malformed(format!(
            "the token is longer than {MAX_TOKEN_BYTES} bytes"
        )));
    }
    // RFC 6750 b64token; a JWT only uses base64url and dots.
    if !token
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    {
        return Err(AuthError::Malformed(
            "the token has characters a JWT cannot contain".into(),
        ));
    }
    Ok(token)
}

/// True when the query string has a token-like parameter (name compared case-insensitively, after
/// decoding `%xx` in the name).
pub(crate) fn has_token_param(query: &str) -> bool {
    query.split(['&', ';']).any(|pair| {
        let name = pair.split('=').next().unwrap_or("");
        let name = percent_decode(name).to_ascii_lowercase();
        TOKEN_QUERY_PARAMS.contains(&name.trim())
    })
}

/// Form-style decoding of a query parameter name (`+` is a space).
fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(&s.replace('+', " "))
        .decode_utf8_lossy()
        .into_owned()
}

/// The resource this server protects: `MCP_PUBLIC_URL` + `/mcp`, else derived from the request's `Host`
/// (http for loopback names, https otherwise), else `http://localhost:PORT/mcp`.
#[cfg(test)]
pub(crate) fn resource_url(cfg: &Config, request_host: Option<&str>) -> String {
    resource_url_for(cfg, request_host, None)
}

/// The resource URL of a tool profile (`/mcp/<profile>`), or of `/mcp` for `None`: each profile is a
/// protected resource of its own (RFC 9728).
pub(crate) fn resource_url_for(
    cfg: &Config,
    request_host: Option<&str>,
    profile: Option<&str>,
) -> String {
    match profile {
        None => format!("{}/mcp", public_origin(cfg, request_host)),
        Some(p) => format!("{}/mcp/{p}", public_origin(cfg, request_host)),
    }
}

/// Where the protected resource metadata is, to put in `WWW-Authenticate` (`resource_metadata`).
#[cfg(test)]
pub(crate) fn resource_metadata_url(cfg: &Config, request_host: Option<&str>) -> String {
    resource_metadata_url_for(cfg, request_host, None)
}

/// [`resource_metadata_url`] of a profile: RFC 9728's path-inserted well-known URL
/// (`/.well-known/oauth-protected-resource/mcp/<profile>`); `/mcp`'s stays at the root document.
pub(crate) fn resource_metadata_url_for(
    cfg: &Config,
    request_host: Option<&str>,
    profile: Option<&str>,
) -> String {
    match profile {
        None => format!("{}{METADATA_PATH}", public_origin(cfg, request_host)),
        Some(p) => format!(
            "{}{METADATA_PATH}/mcp/{p}",
            public_origin(cfg, request_host)
        ),
    }
}

/// This server's origin as clients see it: `MCP_PUBLIC_URL`, else from `Host` (see [`resource_url`]).
/// In `oauth` mode it is also the authorization server's issuer.
pub(crate) fn public_origin(cfg: &Config, request_host: Option<&str>) -> String {
    if let Some(url) = cfg.public_url() {
        return url.to_string();
    }
    // The http layer has already checked Host against its allowlist; this only guards the shape.
    let host = request_host.map(str::trim).filter(|h| {
        !h.is_empty()
            && h.len() <= 255
            && h.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'))
    });
    match host {
        Some(h) => {
            let name = h
                .rsplit_once(':')
                .filter(|(_, port)| port.bytes().all(|b| b.is_ascii_digit()))
                .map_or(h, |(n, _)| n);
            let name = name.trim_start_matches('[').trim_end_matches(']');
            let loopback = name == "localhost"
                || name
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback());
            format!("{}://{h}", if loopback { "http" } else { "https" })
        }
        None => format!("http://localhost:{}", cfg.port()),
    }
}

/// The OAuth 2.0 Protected Resource Metadata (RFC 9728 section 2) served at [`METADATA_PATH`]: the
/// resource, its authorization server (`JWT_ISSUER`), the scopes it knows, and that tokens go in the header.
#[cfg(test)]
pub(crate) fn protected_resource_metadata(cfg: &Config, request_host: Option<&str>) -> Value {
    protected_resource_metadata_for(cfg, request_host, None)
}

/// [`protected_resource_metadata`] of a tool profile: `resource` is the profile's URL, and
/// `accepted_audiences` (an extension, RFC 9728 section 2 allows more fields) the token audiences its
/// endpoint takes: its own URL, and `/mcp`'s (a token for every tool covers any subset of them).
pub(crate) fn protected_resource_metadata_for(
    cfg: &Config,
    request_host: Option<&str>,
    profile: Option<&str>,
) -> Value {
    let scopes = cfg.scopes_supported();
    let resource = resource_url_for(cfg, request_host, profile);
    let audiences: Vec<String> = match (cfg.auth_mode(), cfg.jwt_audience()) {
        (crate::config::AuthMode::OAuth, _) => accepted_resources(cfg, request_host, profile),
        (_, Some(aud)) => vec![aud.to_string()],
        (_, None) => Vec::new(),
    };
    let mut doc = json!({
        "resource": resource,
        "scopes_supported": scopes,
        "bearer_methods_supported": ["header"],
        "resource_name": RESOURCE_NAME,
    });
    let issuer = match cfg.auth_mode() {
        crate::config::AuthMode::OAuth => Some(public_origin(cfg, request_host)),
        _ => cfg.jwt_issuer().map(str::to_string),
    };
    if let (Some(obj), Some(iss)) = (doc.as_object_mut(), issuer) {
        obj.insert("authorization_servers".into(), json!([iss]));
    }
    if let (Some(obj), false) = (doc.as_object_mut(), audiences.is_empty()) {
        obj.insert("accepted_audiences".into(), json!(audiences));
    }
    doc
}

/// The resources a token of the built-in authorization server may name to be taken at `profile`'s
/// endpoint: the profile's URL and `/mcp`'s (for `/mcp` itself: only its own).
pub(crate) fn accepted_resources(
    cfg: &Config,
    request_host: Option<&str>,
    profile: Option<&str>,
) -> Vec<String> {
    let base = resource_url_for(cfg, request_host, None);
    match profile {
        None => vec![base],
        Some(_) => vec![resource_url_for(cfg, request_host, profile), base],
    }
}

#[cfg(test)]
mod tests;
