//! The JWKS client and key cache: the authorization server's public keys, fetched from `JWKS_URI` with a
//! `ureq` agent (explicit timeouts, 1 MiB body cap), kept `JWKS_CACHE_TTL`, looked up by `kid`.
//!
//! Rules it keeps: the cache lock is never held across the fetch (a `fetching` flag and a condvar let one
//! caller fetch while the others use the keys they have, or wait for that one fetch); fetch attempts are
//! at least `JWKS_MIN_REFRESH_SECONDS` apart whatever triggers them (unknown `kid`, expired set, earlier
//! failure), so tokens with made-up `kid`s cannot turn this server into a load generator; a failed or
//! empty fetch keeps the keys already cached (stale keys keep serving). Each key carries the algorithms
//! it accepts (by key type, curve and its own `alg`), so a token cannot choose how its key is used.
//!
//! Only this module (besides `hubspot`) imports ureq. Times come from the caller as `SystemTime` so the
//! tests can move the clock; a clock that went backwards counts as "long ago" (at most one extra fetch).

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use jsonwebtoken::{Algorithm, DecodingKey};
use parking_lot::{Condvar, Mutex};
use serde_json::Value;

use super::claims::{b64url_decode, echo};
use super::AuthError;

/// Largest key set read.
const MAX_BODY_BYTES: u64 = 1024 * 1024;
/// Keys kept from one key set (the rest are ignored).
const MAX_KEYS: usize = 64;
/// DNS resolution, connect, and whole-fetch timeouts.
const RESOLVE_TIMEOUT: Duration = Duration::from_secs(3);
/// See [`RESOLVE_TIMEOUT`].
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// See [`RESOLVE_TIMEOUT`].
const FETCH_TIMEOUT: Duration = Duration::from_secs(5);
/// Smallest RSA modulus accepted (2048 bits).
const MIN_RSA_BYTES: usize = 256;

/// One verification key and the algorithms it may verify.
#[derive(Debug)]
pub struct Key {
    /// `kid`, when the key set gives one.
    kid: Option<String>,
    /// The key material.
    pub(crate) decoding: DecodingKey,
    /// What this key may verify: its type's algorithms, narrowed by the JWK's own `alg`.
    algs: Vec<Algorithm>,
}

/// The health report of the key cache (`/health`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct JwksStatus {
    /// `JWKS_URI`.
    uri: String,
    /// Keys cached now.
    pub(crate) keys: usize,
    /// When the cached keys were fetched.
    pub(crate) last_fetch: Option<SystemTime>,
    /// When a fetch was last tried (successful or not).
    last_attempt: Option<SystemTime>,
    /// Why the last attempt failed, if it did (cleared by a success).
    pub(crate) last_error: Option<String>,
    /// Fetch attempts since start.
    pub(crate) fetches: u64,
}

#[derive(Debug, Default)]
struct State {
    keys: Vec<Arc<Key>>,
    fetched_at: Option<SystemTime>,
    last_attempt: Option<SystemTime>,
    last_error: Option<String>,
    fetching: bool,
}

/// The key cache of one `JWKS_URI`.
pub(crate) struct Jwks {
    uri: String,
    agent: ureq::Agent,
    ttl: Duration,
    min_refresh: Duration,
    state: Mutex<State>,
    fetched: Condvar,
    fetches: AtomicU64,
}

impl std::fmt::Debug for Jwks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Jwks")
            .field("uri", &self.uri)
            .field("ttl", &self.ttl)
            .field("min_refresh", &self.min_refresh)
            .finish_non_exhaustive()
    }
}

/// What a look-up in the cached keys found.
enum Found {
    Key(Arc<Key>),
    /// No key with that `kid` (or, without a `kid`, none that accepts the algorithm).
    Missing,
    /// No `kid` in the token and several keys would do: refuse rather than try each.
    Ambiguous,
}

fn find(keys: &[Arc<Key>], kid: Option<&str>, alg: Algorithm) -> Found {
    match kid {
        Some(kid) => keys
            .iter()
            .find(|k| k.kid.as_deref() == Some(kid))
            .map_or(Found::Missing, |k| Found::Key(k.clone())),
        None => {
            let mut fits = keys.iter().filter(|k| k.algs.contains(&alg));
            match (fits.next(), fits.next()) {
                (Some(k), None) => Found::Key(k.clone()),
                (None, _) => Found::Missing,
                (Some(_), Some(_)) => Found::Ambiguous,
            }
        }
    }
}

/// True when `every` has passed since `last` (or never, or the clock went backwards).
fn due(last: Option<SystemTime>, now: SystemTime, every: Duration) -> bool {
    match last {
        None => true,
        Some(t) => now.duration_since(t).map_or(true, |d| d >= every),
    }
}

/// True when the HTTP client can request `uri` (the configuration has checked it is http(s)).
pub(crate) fn is_fetchable(uri: &str) -> bool {
    uri.parse::<ureq::http::Uri>()
        .is_ok_and(|u| u.scheme().is_some() && u.host().is_some())
}

impl Jwks {
    /// A cache for `uri` (an http(s) URL, checked by the configuration), trusting `roots` for https.
    pub(crate) fn new(
        uri: &str,
        ttl: Duration,
        min_refresh: Duration,
        roots: ureq::tls::RootCerts,
    ) -> Jwks {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .tls_config(ureq::tls::TlsConfig::builder().root_certs(roots).build())
            .http_status_as_error(false)
            .https_only(false)
            .proxy(ureq::Proxy::try_from_env())
            .timeout_resolve(Some(RESOLVE_TIMEOUT))
            .timeout_connect(Some(CONNECT_TIMEOUT))
            .timeout_global(Some(FETCH_TIMEOUT))
            .max_idle_connections(2)
            .max_idle_connections_per_host(2)
            .max_redirects(0)
            .user_agent(concat!("hubspot-mcp/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Jwks {
            uri: uri.to_string(),
            agent,
            ttl,
            min_refresh,
            state: Mutex::new(State::default()),
            fetched: Condvar::new(),
            fetches: AtomicU64::new(0),
        }
    }

    /// The key a token names (`kid`) for `alg`, fetching the key set when it is missing, expired, or lacks
    /// that `kid` (each at most once per `min_refresh`).
    ///
    /// Errors: [`AuthError::UnknownKey`] when keys are cached but none fits; [`AuthError::JwksUnavailable`]
    /// when no key at all could be had; [`AuthError::Malformed`] for a token without `kid` that several
    /// keys could verify; [`AuthError::AlgorithmNotAllowed`] when the key does not accept `alg`.
    pub(crate) fn key_for(
        &self,
        kid: Option<&str>,
        alg: Algorithm,
        now: SystemTime,
    ) -> Result<Arc<Key>, AuthError> {
        let key = self.lookup(kid, alg, now)?;
        if key.algs.contains(&alg) {
            Ok(key)
        } else {
            Err(AuthError::AlgorithmNotAllowed(format!("{alg:?}")))
        }
    }

    fn lookup(
        &self,
        kid: Option<&str>,
        alg: Algorithm,
        now: SystemTime,
    ) -> Result<Arc<Key>, AuthError> {
        let mut st = self.state.lock();
        let stale = due(st.fetched_at, now, self.ttl);
        let may_fetch = due(st.last_attempt, now, self.min_refresh);
        match find(&st.keys, kid, alg) {
            Found::Ambiguous => {
                return Err(AuthError::Malformed(
                    "the token has no `kid` and several keys could verify it".into(),
                ))
            }
            Found::Key(k) if !stale || st.fetching || !may_fetch => return Ok(k),
            Found::Key(_) | Found::Missing if !st.fetching && may_fetch => {
                // This caller fetches; the others keep using what is cached, or wait below.
                st.fetching = true;
                st.last_attempt = Some(now);
                drop(st);
                self.refresh_unlocked(now);
                st = self.state.lock();
            }
            Found::Key(_) | Found::Missing if st.fetching => {
                // Someone is fetching and nothing cached fits: wait for that fetch, then look once more.
                let _ = self.fetched.wait_while_for(
                    &mut st,
                    |s| s.fetching,
                    FETCH_TIMEOUT + CONNECT_TIMEOUT,
                );
            }
            Found::Key(_) | Found::Missing => {}
        }
        match find(&st.keys, kid, alg) {
            Found::Key(k) => Ok(k),
            Found::Ambiguous => Err(AuthError::Malformed(
                "the token has no `kid` and several keys could verify it".into(),
            )),
            Found::Missing if st.keys.is_empty() => Err(AuthError::JwksUnavailable(
                st.last_error
                    .clone()
                    .unwrap_or_else(|| "no key fetched yet".into()),
            )),
            Found::Missing => Err(AuthError::UnknownKey(echo(kid.unwrap_or("")))),
        }
    }

    /// Fetches now if no fetch is running and `min_refresh` has passed since the last attempt (used at
    /// start-up so the first request does not wait). Returns the number of keys cached afterwards.
    pub(crate) fn refresh(&self, now: SystemTime) -> usize {
        {
            let mut st = self.state.lock();
            if st.fetching || !due(st.last_attempt, now, self.min_refresh) {
                return st.keys.len();
            }
            st.fetching = true;
            st.last_attempt = Some(now);
        }
        self.refresh_unlocked(now);
        self.state.lock().keys.len()
    }

    /// Fetches without the lock and swaps the result in. The caller has set `fetching`; the guard clears
    /// it and wakes the waiters even if the fetch panics.
    fn refresh_unlocked(&self, now: SystemTime) {
        struct Done<'a>(&'a Jwks);
        impl Drop for Done<'_> {
            fn drop(&mut self) {
                self.0.state.lock().fetching = false;
                self.0.fetched.notify_all();
            }
        }
        let _done = Done(self);
        self.fetches.fetch_add(1, Relaxed);
        let result = self.fetch();
        let mut st = self.state.lock();
        match result {
            Ok((keys, skipped)) => {
                log::info!(keys = keys.len(), skipped = skipped; "JWKS fetched");
                st.keys = keys;
                st.fetched_at = Some(now);
                st.last_error = None;
            }
            Err(e) => {
                log::warn!(error = e.as_str(), cached_keys = st.keys.len(); "JWKS fetch failed");
                st.last_error = Some(e);
            }
        }
    }

    /// One GET of the key set. Errors are short texts for logs, `/health` and a 503's description.
    fn fetch(&self) -> Result<(Vec<Arc<Key>>, usize), String> {
        let mut resp = self
            .agent
            .get(&self.uri)
            .header("Accept", "application/json")
            .call()
            .map_err(|e| format!("JWKS request failed: {e}"))?;
        let status = resp.status().as_u16();
        if status != 200 {
            return Err(format!("JWKS endpoint answered HTTP {status}"));
        }
        let text = resp
            .body_mut()
            .with_config()
            .limit(MAX_BODY_BYTES)
            .read_to_string()
            .map_err(|e| format!("JWKS body unreadable: {e}"))?;
        let (keys, skipped) = parse_key_set(&text)?;
        if keys.is_empty() {
            return Err(format!(
                "the key set has no usable signing key ({skipped} skipped)"
            ));
        }
        Ok((keys, skipped))
    }

    /// The health report.
    pub(crate) fn status(&self) -> JwksStatus {
        let st = self.state.lock();
        JwksStatus {
            uri: self.uri.clone(),
            keys: st.keys.len(),
            last_fetch: st.fetched_at,
            last_attempt: st.last_attempt,
            last_error: st.last_error.clone(),
            fetches: self.fetches.load(Relaxed),
        }
    }
}

/// Parses a JWK Set (RFC 7517 section 5): the usable signing keys, and how many entries were skipped
/// (encryption keys, symmetric keys, unknown types or curves, weak RSA, malformed entries).
pub fn parse_key_set(text: &str) -> Result<(Vec<Arc<Key>>, usize), String> {
    let v: Value = serde_json::from_str(text).map_err(|_| "the key set is not JSON".to_string())?;
    let Some(entries) = v.get("keys").and_then(Value::as_array) else {
        return Err("the key set has no `keys` array".into());
    };
    let mut keys = Vec::new();
    let mut skipped = 0;
    for entry in entries {
        match parse_jwk(entry) {
            Some(k) if keys.len() < MAX_KEYS => keys.push(Arc::new(k)),
            _ => skipped += 1,
        }
    }
    Ok((keys, skipped))
}

/// One JWK as a verification key, or `None` when it cannot or must not verify signatures.
fn parse_jwk(jwk: &Value) -> Option<Key> {
    let field = |name: &str| jwk.get(name).and_then(Value::as_str);
    let bytes = |name: &str| field(name).and_then(b64url_decode);
    if field("use").is_some_and(|u| u != "sig") {
        return None;
    }
    if let Some(ops) = jwk.get("key_ops") {
        let ops = ops.as_array()?;
        if !ops.iter().any(|o| o.as_str() == Some("verify")) {
            return None;
        }
    }
    let (decoding, family): (DecodingKey, &[Algorithm]) = match (field("kty")?, field("crv")) {
        ("RSA", _) => {
            let n = bytes("n")?;
            let e = bytes("e")?;
            let n_len = n.iter().skip_while(|b| **b == 0).count();
            if n_len < MIN_RSA_BYTES || e.is_empty() || e.len() > 8 {
                return None;
            }
            (
                DecodingKey::from_rsa_raw_components(&n, &e),
                &[
                    Algorithm::RS256,
                    Algorithm::RS384,
                    Algorithm::RS512,
                    Algorithm::PS256,
                    Algorithm::PS384,
                    Algorithm::PS512,
                ],
            )
        }
        ("EC", Some(crv)) => {
            let (len, algs): (usize, &[Algorithm]) = match crv {
                "P-256" => (32, &[Algorithm::ES256]),
                "P-384" => (48, &[Algorithm::ES384]),
                _ => return None,
            };
            let (x, y) = (bytes("x")?, bytes("y")?);
            if x.len() != len || y.len() != len {
                return None;
            }
            let mut point = Vec::with_capacity(1 + 2 * len);
            point.push(0x04);
            point.extend_from_slice(&x);
            point.extend_from_slice(&y);
            (DecodingKey::from_ec_der(&point), algs)
        }
        ("OKP", Some("Ed25519")) => {
            let x = bytes("x")?;
            if x.len() != 32 {
                return None;
            }
            (DecodingKey::from_ed_der(&x), &[Algorithm::EdDSA])
        }
        // `oct` keys do not belong in a published key set; anything else is unsupported.
        _ => return None,
    };
    let algs = match field("alg") {
        None => family.to_vec(),
        Some(a) => {
            let a: Algorithm = a.parse().ok()?;
            if !family.contains(&a) {
                return None;
            }
            vec![a]
        }
    };
    Some(Key {
        kid: field("kid").map(str::to_string),
        decoding,
        algs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn b64(bytes: &[u8]) -> String {
        use base64::Engine as _;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    }

    fn rsa(extra: Value) -> Value {
        let mut v = json!({"kty": "RSA", "kid": "r1", "n": b64(&[0xc5; 256]), "e": "AQAB"});
        if let (Some(o), Some(x)) = (v.as_object_mut(), extra.as_object()) {
            o.extend(x.clone());
        }
        v
    }

    #[test]
    fn each_key_type_gets_its_own_algorithms() {
        let k = parse_jwk(&rsa(json!({}))).unwrap();
        assert_eq!(k.kid.as_deref(), Some("r1"));
        assert!(k.algs.contains(&Algorithm::RS256) && k.algs.contains(&Algorithm::PS256));
        assert!(!k.algs.contains(&Algorithm::HS256) && !k.algs.contains(&Algorithm::ES256));
        assert_eq!(
            parse_jwk(&rsa(json!({"alg": "RS256"}))).unwrap().algs,
            [Algorithm::RS256]
        );
        let ec = json!({"kty": "EC", "crv": "P-256", "x": b64(&[1; 32]), "y": b64(&[2; 32])});
        assert_eq!(parse_jwk(&ec).unwrap().algs, [Algorithm::ES256]);
        let ec384 = json!({"kty": "EC", "crv": "P-384", "x": b64(&[1; 48]), "y": b64(&[2; 48])});
        assert_eq!(parse_jwk(&ec384).unwrap().algs, [Algorithm::ES384]);
        let ed = json!({"kty": "OKP", "crv": "Ed25519", "x": b64(&[3; 32])});
        assert_eq!(parse_jwk(&ed).unwrap().algs, [Algorithm::EdDSA]);
    }

    #[test]
    fn unusable_keys_are_skipped() {
        for bad in [
            rsa(json!({"use": "enc"})),
            rsa(json!({"key_ops": ["encrypt"]})),
            rsa(json!({"alg": "HS256"})),
            rsa(json!({"alg": "ES256"})),
            rsa(json!({"alg": "RSA-OAEP"})),
            rsa(json!({"n": b64(&[0xc5; 128])})),
            rsa(json!({"n": "not base64!"})),
            json!({"kty": "oct", "k": b64(b"a shared secret has no place here")}),
            json!({"kty": "EC", "crv": "P-521", "x": b64(&[1; 66]), "y": b64(&[2; 66])}),
            json!({"kty": "EC", "crv": "P-256", "x": b64(&[1; 31]), "y": b64(&[2; 32])}),
            json!({"kty": "EC", "crv": "P-256", "alg": "ES384", "x": b64(&[1; 32]), "y": b64(&[2; 32])}),
            json!({"kty": "OKP", "crv": "Ed448", "x": b64(&[3; 57])}),
            json!({"kty": "OKP", "crv": "Ed25519", "alg": "RS256", "x": b64(&[3; 32])}),
            json!("just a string"),
        ] {
            assert!(parse_jwk(&bad).is_none(), "{bad}");
        }
        assert!(parse_jwk(&rsa(json!({"use": "sig", "key_ops": ["verify"]}))).is_some());
    }

    #[test]
    fn key_sets_are_bounded_and_counted() {
        let many: Vec<Value> = (0..MAX_KEYS + 5).map(|_| rsa(json!({}))).collect();
        let text = json!({"keys": many}).to_string();
        let (keys, skipped) = parse_key_set(&text).unwrap();
        assert_eq!((keys.len(), skipped), (MAX_KEYS, 5));
        assert!(parse_key_set("[]").is_err());
        assert!(parse_key_set("nope").is_err());
        assert_eq!(parse_key_set(r#"{"keys": [1]}"#).unwrap().1, 1);
    }

    #[test]
    fn fetchable_uris() {
        assert!(is_fetchable(
            "https://idp.example.com/.well-known/jwks.json"
        ));
        assert!(is_fetchable("http://127.0.0.1:8080/jwks"));
        assert!(!is_fetchable("https://idp|example.com/jwks"));
        assert!(!is_fetchable("/jwks"));
    }

    #[test]
    fn attempts_are_spaced_and_a_clock_going_back_counts_as_long_ago() {
        let t = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let s = Duration::from_secs(10);
        assert!(due(None, t, s));
        assert!(!due(Some(t), t + Duration::from_secs(9), s));
        assert!(due(Some(t), t + s, s));
        assert!(due(Some(t), t - Duration::from_secs(1), s));
    }
}
