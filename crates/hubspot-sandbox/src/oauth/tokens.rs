//! The OAuth app's codes and tokens, in memory: authorization codes (`na1-…`, single use, 5 minutes,
//! bound to the redirect_uri, user and granted scopes), refresh tokens (`na1-…`, one per authorization,
//! never rotated, living until revoked) and access tokens (`sbx-at-…`, living the configured TTL, tied to
//! the refresh token they came from). Also the knob and counters `/__sandbox/oauth` shows.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use parking_lot::Mutex;
use serde_json::{json, Map, Value};

use super::error::OAuthError;
use crate::time::now_ms;
use crate::visibility::Visibility;
use crate::OAuthUser;

/// Every access token starts with this: a bearer token with it must be one the sandbox issued.
pub(crate) const ACCESS_PREFIX: &str = "sbx-at-";

/// How long a code may wait to be exchanged.
const CODE_TTL_MS: i64 = 5 * 60 * 1000;

/// Expired codes and access tokens are forgotten this long after they expire (until then an expired
/// access token is refused as expired rather than unknown).
const FORGET_AFTER_MS: i64 = 24 * 3600 * 1000;

/// What a user granted the app.
#[derive(Clone, Debug)]
pub(crate) struct Grant {
    /// Who signed in.
    pub(crate) user: &'static OAuthUser,
    /// The granted scopes, in [`crate::types::DEFAULT_SCOPES`] order.
    pub(crate) scopes: Vec<String>,
    /// The records the user sees.
    pub(crate) visibility: Visibility,
}

struct Code {
    grant: Grant,
    redirect_uri: String,
    expires_at: i64,
    used: bool,
}

struct Access {
    /// The refresh token of the authorization it belongs to.
    refresh: String,
    grant: Grant,
    expires_at: i64,
    /// The opaque `signed_access_token.signature` and `newSignature` introspection shows.
    signatures: (String, String),
}

/// What a live access token brings to an API call.
#[derive(Clone, Debug)]
pub(crate) struct Session {
    /// The granted scopes.
    pub(crate) scopes: Vec<String>,
    /// The records the user sees.
    pub(crate) visibility: Visibility,
}

/// Why an access token was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// Never issued, revoked, or long forgotten.
    Unknown,
    /// Expired at this instant (epoch ms).
    Expired(i64),
}

/// Tokens just issued by the token endpoint.
#[derive(Debug)]
pub(crate) struct Issued {
    pub(crate) access_token: String,
    pub(crate) refresh_token: String,
    /// Seconds the access token lives.
    pub(crate) expires_in: u64,
    pub(crate) grant: Grant,
}

/// What introspection finds for a token.
pub(crate) enum Found {
    /// A live access token.
    Access {
        grant: Grant,
        expires_at: i64,
        /// `signature` and `newSignature` of `signed_access_token` (opaque).
        signatures: (String, String),
    },
    /// A live refresh token.
    Refresh(Grant),
    /// Unknown, expired or revoked.
    Inactive,
}

#[derive(Default)]
struct Inner {
    codes: HashMap<String, Code>,
    /// Refresh token → its authorization.
    refresh: HashMap<String, Grant>,
    access: HashMap<String, Access>,
}

impl Inner {
    fn prune(&mut self, now: i64) {
        self.codes
            .retain(|_, c| c.expires_at + FORGET_AFTER_MS > now);
        self.access
            .retain(|_, a| a.expires_at + FORGET_AFTER_MS > now);
    }
}

/// Counters shown by `GET /__sandbox/oauth`.
#[derive(Debug, Default)]
struct Counters {
    codes_issued: AtomicU64,
    tokens_issued: AtomicU64,
    refreshes: AtomicU64,
    introspections: AtomicU64,
    revocations: AtomicU64,
}

/// The codes and tokens of the sandbox's OAuth app.
pub(crate) struct Tokens {
    inner: Mutex<Inner>,
    default_ttl_ms: u64,
    ttl_ms: AtomicU64,
    counters: Counters,
}

fn random<const N: usize>() -> Result<[u8; N], OAuthError> {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).map_err(|_| OAuthError::NoRandomness)?;
    Ok(b)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `na1-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, the form of HubSpot's codes and refresh tokens.
fn hublet_id() -> Result<String, OAuthError> {
    let h = hex(&random::<16>()?);
    Ok(format!(
        "na1-{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    ))
}

/// Standard base64 with padding (for the opaque strings of `signed_access_token`).
pub(crate) fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX).max(1)
}

impl Tokens {
    /// No codes or tokens yet; access tokens live `ttl`.
    pub(crate) fn new(ttl: Duration) -> Tokens {
        Tokens {
            inner: Mutex::new(Inner::default()),
            default_ttl_ms: ms(ttl),
            ttl_ms: AtomicU64::new(ms(ttl)),
            counters: Counters::default(),
        }
    }

    /// Whole seconds an access token issued now lives (rounded up).
    fn ttl_secs(&self) -> u64 {
        self.ttl_ms.load(Ordering::SeqCst).div_ceil(1000)
    }

    /// A code for `grant`, to be exchanged with the same `redirect_uri` within 5 minutes.
    pub(crate) fn issue_code(
        &self,
        grant: Grant,
        redirect_uri: &str,
    ) -> Result<String, OAuthError> {
        let code = hublet_id()?;
        let now = now_ms();
        let mut inner = self.inner.lock();
        inner.prune(now);
        inner.codes.insert(
            code.clone(),
            Code {
                grant,
                redirect_uri: redirect_uri.to_string(),
                expires_at: now + CODE_TTL_MS,
                used: false,
            },
        );
        self.counters.codes_issued.fetch_add(1, Ordering::SeqCst);
        Ok(code)
    }

    fn issue_access(
        &self,
        inner: &mut Inner,
        refresh: &str,
        grant: &Grant,
    ) -> Result<String, OAuthError> {
        let token = format!("{ACCESS_PREFIX}{}", hex(&random::<32>()?));
        let sig = random::<40>()?;
        let signatures = (base64(&sig[..20]), base64(&sig[20..]));
        let ttl = i64::try_from(self.ttl_ms.load(Ordering::SeqCst)).unwrap_or(i64::MAX);
        inner.access.insert(
            token.clone(),
            Access {
                refresh: refresh.to_string(),
                grant: grant.clone(),
                expires_at: now_ms().saturating_add(ttl),
                signatures,
            },
        );
        self.counters.tokens_issued.fetch_add(1, Ordering::SeqCst);
        Ok(token)
    }

    /// Exchanges a code (grant_type=authorization_code). A code is consumed by its first exchange,
    /// whether that succeeds or not.
    pub(crate) fn exchange(&self, code: &str, redirect_uri: &str) -> Result<Issued, OAuthError> {
        let now = now_ms();
        let mut inner = self.inner.lock();
        let c = inner
            .codes
            .get_mut(code)
            .ok_or(OAuthError::BadAuthCode("auth code not found"))?;
        if c.used {
            return Err(OAuthError::BadAuthCode("auth code has already been used"));
        }
        c.used = true;
        if c.expires_at <= now {
            return Err(OAuthError::BadAuthCode("auth code is expired"));
        }
        if c.redirect_uri != redirect_uri {
            return Err(OAuthError::BadAuthCode(
                "redirect_uri does not match the redirect_uri of the authorization request",
            ));
        }
        let grant = c.grant.clone();
        let refresh = hublet_id()?;
        let access = self.issue_access(&mut inner, &refresh, &grant)?;
        inner.refresh.insert(refresh.clone(), grant.clone());
        Ok(Issued {
            access_token: access,
            refresh_token: refresh,
            expires_in: self.ttl_secs(),
            grant,
        })
    }

    /// A new access token for a refresh token (grant_type=refresh_token); the refresh token stays the
    /// same, as HubSpot's does.
    pub(crate) fn refresh(&self, refresh: &str) -> Result<Issued, OAuthError> {
        let mut inner = self.inner.lock();
        inner.prune(now_ms());
        let grant = inner
            .refresh
            .get(refresh)
            .cloned()
            .ok_or(OAuthError::BadRefreshToken)?;
        let access = self.issue_access(&mut inner, refresh, &grant)?;
        self.counters.refreshes.fetch_add(1, Ordering::SeqCst);
        Ok(Issued {
            access_token: access,
            refresh_token: refresh.to_string(),
            expires_in: self.ttl_secs(),
            grant,
        })
    }

    /// The session of a bearer token on an API call.
    pub(crate) fn session(&self, token: &str) -> Result<Session, Refusal> {
        let inner = self.inner.lock();
        let a = inner.access.get(token).ok_or(Refusal::Unknown)?;
        if a.expires_at <= now_ms() {
            return Err(Refusal::Expired(a.expires_at));
        }
        Ok(Session {
            scopes: a.grant.scopes.clone(),
            visibility: a.grant.visibility,
        })
    }

    /// The user of an access token the sandbox issued (live or not), for the request log.
    pub(crate) fn user_of(&self, token: &str) -> Option<u64> {
        if !token.starts_with(ACCESS_PREFIX) {
            return None;
        }
        self.inner
            .lock()
            .access
            .get(token)
            .map(|a| a.grant.user.user_id)
    }

    /// What `token` is, for introspection (counted).
    pub(crate) fn introspect(&self, token: &str) -> Found {
        self.counters.introspections.fetch_add(1, Ordering::SeqCst);
        let inner = self.inner.lock();
        if let Some(a) = inner.access.get(token) {
            if a.expires_at > now_ms() {
                return Found::Access {
                    grant: a.grant.clone(),
                    expires_at: a.expires_at,
                    signatures: a.signatures.clone(),
                };
            }
        }
        match inner.refresh.get(token) {
            Some(g) => Found::Refresh(g.clone()),
            None => Found::Inactive,
        }
    }

    /// Revokes a refresh token and every access token issued from it, or a single access token.
    /// Unknown tokens are ignored (RFC 7009).
    pub(crate) fn revoke(&self, token: &str) {
        let mut inner = self.inner.lock();
        let revoked = if inner.refresh.remove(token).is_some() {
            inner.access.retain(|_, a| a.refresh != token);
            true
        } else {
            inner.access.remove(token).is_some()
        };
        if revoked {
            self.counters.revocations.fetch_add(1, Ordering::SeqCst);
        }
    }

    /// `GET /__sandbox/oauth`: the TTL knob and the counters.
    pub(crate) fn snapshot(&self) -> Value {
        let now = now_ms();
        let inner = self.inner.lock();
        let n = |c: &AtomicU64| c.load(Ordering::SeqCst);
        let c = &self.counters;
        json!({
            "accessTokenTtlSeconds": self.ttl_secs(),
            "codesIssued": n(&c.codes_issued),
            "tokensIssued": n(&c.tokens_issued),
            "refreshes": n(&c.refreshes),
            "introspections": n(&c.introspections),
            "revocations": n(&c.revocations),
            "liveAccessTokens": inner.access.values().filter(|a| a.expires_at > now).count(),
            "refreshTokens": inner.refresh.len(),
        })
    }

    /// Applies a `POST /__sandbox/oauth` body: `{"accessTokenTtlSeconds": n}` (n ≥ 1) sets the lifetime
    /// of access tokens issued from now on.
    pub(crate) fn apply_json(&self, body: &Value) -> Result<(), String> {
        let m: &Map<String, Value> = body.as_object().ok_or("the body must be a JSON object")?;
        if let Some(k) = m.keys().find(|k| k.as_str() != "accessTokenTtlSeconds") {
            return Err(format!("unknown setting {k}; known: accessTokenTtlSeconds"));
        }
        if let Some(v) = m.get("accessTokenTtlSeconds") {
            let secs = v
                .as_u64()
                .filter(|s| (1..=31_536_000).contains(s))
                .ok_or("accessTokenTtlSeconds must be an integer from 1 to 31536000")?;
            self.ttl_ms.store(secs * 1000, Ordering::SeqCst);
        }
        Ok(())
    }

    /// Back to the configured TTL, counters at zero; issued codes and tokens stay valid.
    pub(crate) fn reset(&self) {
        self.ttl_ms.store(self.default_ttl_ms, Ordering::SeqCst);
        let c = &self.counters;
        for counter in [
            &c.codes_issued,
            &c.tokens_issued,
            &c.refreshes,
            &c.introspections,
            &c.revocations,
        ] {
            counter.store(0, Ordering::SeqCst);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::OAUTH_USERS;

    fn grant() -> Grant {
        Grant {
            user: &OAUTH_USERS[0],
            scopes: vec!["oauth".into()],
            visibility: Visibility::All,
        }
    }

    #[test]
    fn codes_are_single_use_and_bound_to_the_redirect() {
        let t = Tokens::new(Duration::from_secs(1800));
        let code = t.issue_code(grant(), "https://app.example/cb").unwrap();
        assert!(code.starts_with("na1-") && code.len() == 40, "{code}");
        let bad = t.exchange(&code, "https://app.example/other").unwrap_err();
        assert_eq!(bad.body()["status"], "BAD_AUTH_CODE");
        // The failed attempt consumed the code.
        assert!(t.exchange(&code, "https://app.example/cb").is_err());
        let code = t.issue_code(grant(), "https://app.example/cb").unwrap();
        let issued = t.exchange(&code, "https://app.example/cb").unwrap();
        assert_eq!(issued.expires_in, 1800);
        assert!(issued.access_token.starts_with(ACCESS_PREFIX));
        assert_eq!(t.session(&issued.access_token).unwrap().scopes, ["oauth"]);
        assert_eq!(
            t.user_of(&issued.access_token),
            Some(OAUTH_USERS[0].user_id)
        );
        let again = t.refresh(&issued.refresh_token).unwrap();
        assert_eq!(again.refresh_token, issued.refresh_token);
        assert_ne!(again.access_token, issued.access_token);
        t.revoke(&issued.refresh_token);
        assert_eq!(
            t.session(&again.access_token).unwrap_err(),
            Refusal::Unknown
        );
        assert_eq!(
            t.refresh(&issued.refresh_token).unwrap_err(),
            OAuthError::BadRefreshToken
        );
        let snap = t.snapshot();
        assert_eq!(
            (snap["codesIssued"].as_u64(), snap["refreshes"].as_u64()),
            (Some(2), Some(1))
        );
    }

    #[test]
    fn ttl_knob_and_base64() {
        let t = Tokens::new(Duration::from_millis(1500));
        assert_eq!(t.ttl_secs(), 2);
        t.apply_json(&json!({"accessTokenTtlSeconds": 7})).unwrap();
        assert_eq!(t.snapshot()["accessTokenTtlSeconds"], 7);
        assert!(t.apply_json(&json!({"accessTokenTtlSeconds": 0})).is_err());
        assert!(t.apply_json(&json!({"ttl": 1})).is_err());
        t.reset();
        assert_eq!(t.ttl_secs(), 2);
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }
}
