//! The verifier end to end: keys made by `openssl` in a temp dir, a key set served from a loopback
//! listener written here (it counts fetches and can be switched down), tokens signed with jsonwebtoken.
//! No test prints a token: failures show `AuthError`s and counters only.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, SystemTime};

use jsonwebtoken::{encode, jwk::Jwk, Algorithm, EncodingKey, Header};
use serde_json::{json, Value};

use super::*;
use crate::config::{Purpose, RawEnv};

const SECRET: &str = "0123456789abcdef0123456789abcdef-test-only";
const ISSUER: &str = "https://idp.example.com";
const AUDIENCE: &str = "hubspot-mcp";
const META: &str = "https://mcp.example.com/.well-known/oauth-protected-resource";

/// A fixed clock: 2023-11-14, so tests never depend on the machine's time.
fn t0() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000)
}
fn at(secs: u64) -> SystemTime {
    t0() + Duration::from_secs(secs)
}
fn unix(t: SystemTime) -> u64 {
    t.duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs()
}

// ---- keys ------------------------------------------------------------------------------------------

struct Keys {
    rsa1: Vec<u8>,
    rsa1_public: Vec<u8>,
    rsa2: Vec<u8>,
    ec: Vec<u8>,
    ed: Vec<u8>,
}

/// Made once per test run with the `openssl` command, in a temp dir removed afterwards.
fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("hubspot-mcp-auth-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let run = |args: &[&str]| {
            let out = std::process::Command::new("openssl")
                .args(args)
                .current_dir(&dir)
                .output()
                .expect("the openssl command");
            assert!(out.status.success(), "openssl {args:?} failed");
        };
        run(&["genrsa", "-traditional", "-out", "rsa1.pem", "2048"]);
        run(&["rsa", "-in", "rsa1.pem", "-pubout", "-out", "rsa1.pub.pem"]);
        run(&["genrsa", "-traditional", "-out", "rsa2.pem", "2048"]);
        run(&[
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-out",
            "ec.pem",
        ]);
        run(&["genpkey", "-algorithm", "ED25519", "-out", "ed.pem"]);
        let read = |f: &str| std::fs::read(dir.join(f)).unwrap();
        let keys = Keys {
            rsa1: read("rsa1.pem"),
            rsa1_public: read("rsa1.pub.pem"),
            rsa2: read("rsa2.pem"),
            ec: read("ec.pem"),
            ed: read("ed.pem"),
        };
        let _ = std::fs::remove_dir_all(&dir);
        keys
    })
}

fn rsa1() -> EncodingKey {
    EncodingKey::from_rsa_pem(&keys().rsa1).unwrap()
}
fn rsa2() -> EncodingKey {
    EncodingKey::from_rsa_pem(&keys().rsa2).unwrap()
}
fn ec() -> EncodingKey {
    EncodingKey::from_ec_pem(&keys().ec).unwrap()
}
fn ed() -> EncodingKey {
    EncodingKey::from_ed_pem(&keys().ed).unwrap()
}

/// The public JWK of `key` under `kid`; `alg` is kept in the JWK only when `declare_alg`.
fn jwk(key: &EncodingKey, alg: Algorithm, kid: &str, declare_alg: bool) -> Value {
    let mut v = serde_json::to_value(Jwk::from_encoding_key(key, alg).unwrap()).unwrap();
    let o = v.as_object_mut().unwrap();
    o.insert("kid".into(), json!(kid));
    o.insert("use".into(), json!("sig"));
    if !declare_alg {
        o.remove("alg");
    }
    v
}

/// The usual key set: rsa1 (no `alg`, so RS* and PS*), an ES256 key, an EdDSA key.
fn key_set() -> Value {
    json!({"keys": [
        jwk(&rsa1(), Algorithm::RS256, "rsa-1", false),
        jwk(&ec(), Algorithm::ES256, "ec-1", true),
        jwk(&ed(), Algorithm::EdDSA, "ed-1", true),
    ]})
}

// ---- tokens ----------------------------------------------------------------------------------------

fn claims(extra: Value) -> Value {
    let mut c = json!({
        "sub": "user-1", "iss": ISSUER, "aud": AUDIENCE,
        "iat": unix(t0()), "exp": unix(t0()) + 3600,
        "scope": "hubspot.read hubspot.write",
    });
    for (k, v) in extra.as_object().unwrap() {
        if v.is_null() {
            c.as_object_mut().unwrap().remove(k);
        } else {
            c[k] = v.clone();
        }
    }
    c
}

fn sign(alg: Algorithm, kid: Option<&str>, key: &EncodingKey, claims: &Value) -> String {
    let mut h = Header::new(alg);
    h.kid = kid.map(str::to_string);
    encode(&h, claims, key).unwrap()
}

fn b64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

// ---- a key set on loopback -------------------------------------------------------------------------

/// Serves `body` at any path; counts requests; `down` answers 503; `delay` holds each answer.
struct FakeJwks {
    addr: std::net::SocketAddr,
    body: Arc<Mutex<String>>,
    down: Arc<AtomicBool>,
    fetches: Arc<AtomicUsize>,
    delay: Arc<Mutex<Duration>>,
    stop: Arc<AtomicBool>,
}

impl FakeJwks {
    fn start(body: Value) -> FakeJwks {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let s = FakeJwks {
            addr: listener.local_addr().unwrap(),
            body: Arc::new(Mutex::new(body.to_string())),
            down: Arc::new(AtomicBool::new(false)),
            fetches: Arc::new(AtomicUsize::new(0)),
            delay: Arc::new(Mutex::new(Duration::ZERO)),
            stop: Arc::new(AtomicBool::new(false)),
        };
        let (body, down, fetches, delay, stop) = (
            s.body.clone(),
            s.down.clone(),
            s.fetches.clone(),
            s.delay.clone(),
            s.stop.clone(),
        );
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                if stop.load(SeqCst) {
                    break;
                }
                let Ok(mut conn) = conn else { continue };
                let (body, down, fetches, delay) =
                    (body.clone(), down.clone(), fetches.clone(), delay.clone());
                std::thread::spawn(move || {
                    conn.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
                    let mut head = Vec::new();
                    let mut buf = [0u8; 1024];
                    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                        match conn.read(&mut buf) {
                            Ok(0) | Err(_) => return,
                            Ok(n) => head.extend_from_slice(&buf[..n]),
                        }
                    }
                    fetches.fetch_add(1, SeqCst);
                    std::thread::sleep(*delay.lock().unwrap());
                    let (status, body) = if down.load(SeqCst) {
                        ("503 Service Unavailable", "{}".to_string())
                    } else {
                        ("200 OK", body.lock().unwrap().clone())
                    };
                    let _ = write!(
                        conn,
                        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    );
                });
            }
        });
        s
    }

    fn uri(&self) -> String {
        format!("http://{}/.well-known/jwks.json", self.addr)
    }
    fn fetches(&self) -> usize {
        self.fetches.load(SeqCst)
    }
    fn set_down(&self, down: bool) {
        self.down.store(down, SeqCst);
    }
    fn serve(&self, body: Value) {
        *self.body.lock().unwrap() = body.to_string();
    }
}

impl Drop for FakeJwks {
    fn drop(&mut self) {
        self.stop.store(true, SeqCst);
        let _ = TcpStream::connect(self.addr);
    }
}

// ---- configurations --------------------------------------------------------------------------------

fn config(pairs: &[(&str, &str)]) -> Config {
    let mut all = vec![("JWT_ISSUER", ISSUER), ("JWT_AUDIENCE", AUDIENCE)];
    all.extend_from_slice(pairs);
    Config::from_raw(&RawEnv::from_pairs(all), Purpose::Demo).unwrap()
}

fn verifier(pairs: &[(&str, &str)]) -> Verifier {
    Verifier::from_config(&config(pairs)).unwrap().unwrap()
}

/// A verifier on a fresh fake key set.
fn jwks_verifier(extra: &[(&str, &str)]) -> (Verifier, FakeJwks) {
    let server = FakeJwks::start(key_set());
    let uri = server.uri();
    let mut pairs = vec![("JWKS_URI", uri.as_str())];
    pairs.extend_from_slice(extra);
    (verifier(&pairs), server)
}

fn hs_verifier(extra: &[(&str, &str)]) -> Verifier {
    let mut pairs = vec![("JWT_SECRET", SECRET)];
    pairs.extend_from_slice(extra);
    verifier(&pairs)
}

fn hs_token(extra: Value) -> String {
    sign(
        Algorithm::HS256,
        None,
        &EncodingKey::from_secret(SECRET.as_bytes()),
        &claims(extra),
    )
}

// ---- the tests -------------------------------------------------------------------------------------

#[test]
fn auth_is_off_without_secret_or_key_set() {
    let cfg = Config::from_raw(&RawEnv::default(), Purpose::Demo).unwrap();
    assert!(Verifier::from_config(&cfg).unwrap().is_none());
    let v = hs_verifier(&[]);
    assert!(v.jwks_status().is_none());
    let debug = format!("{v:?}");
    assert!(!debug.contains(SECRET) && debug.contains("***"), "{debug}");
}

#[test]
fn good_tokens_of_every_algorithm_verify() {
    let (v, server) = jwks_verifier(&[]);
    let c = claims(json!({}));
    for (alg, kid, key) in [
        (Algorithm::RS256, "rsa-1", rsa1()),
        (Algorithm::RS384, "rsa-1", rsa1()),
        (Algorithm::RS512, "rsa-1", rsa1()),
        (Algorithm::PS256, "rsa-1", rsa1()),
        (Algorithm::ES256, "ec-1", ec()),
        (Algorithm::EdDSA, "ed-1", ed()),
    ] {
        let p = v
            .verify(Some(&bearer(&sign(alg, Some(kid), &key, &c))), None, t0())
            .unwrap_or_else(|e| panic!("{alg:?}: {e}"));
        assert_eq!(p.id.as_str(), "sub:user-1");
        assert_eq!(p.expires_at, unix(t0()) + 3600);
        assert!(p.can_read && p.can_write);
    }
    assert_eq!(server.fetches(), 1, "one fetch serves every key");
    let s = v.jwks_status().unwrap();
    assert_eq!((s.keys, s.fetches, s.last_error), (3, 1, None));
    assert_eq!(s.last_fetch, Some(t0()));

    let hs = hs_verifier(&[]);
    let p = hs
        .verify(Some(&bearer(&hs_token(json!({})))), None, t0())
        .unwrap();
    assert_eq!(p.scopes, ["hubspot.read", "hubspot.write"]);
    // The scheme is case-insensitive.
    assert!(hs
        .verify(
            Some(&format!("bearer  {}", hs_token(json!({})))),
            None,
            t0()
        )
        .is_ok());
}

#[test]
fn no_token_is_missing() {
    let v = hs_verifier(&[]);
    for h in [None, Some(""), Some("   ")] {
        let e = v.verify(h, None, t0()).unwrap_err();
        assert_eq!(e, AuthError::Missing);
        assert_eq!(e.status(), 401);
    }
}

#[test]
fn malformed_headers_and_tokens() {
    let v = hs_verifier(&[]);
    let none_header = b64(br#"{"typ":"JWT"}"#);
    let long = "a".repeat(MAX_TOKEN_BYTES + 1);
    for h in [
        "Basic dXNlcjpwYXNz".to_string(),
        "Bearer".to_string(),
        "Bearer ".to_string(),
        "Bearer abc".to_string(),
        "Bearer a.b".to_string(),
        "Bearer a.b.c".to_string(),
        "Bearer a.b.c.d.e".to_string(),
        "Bearer a b.c".to_string(),
        "Bearer ey\"J.x.y".to_string(),
        format!("Bearer {none_header}.e30.sig"),
        format!("Bearer {long}"),
    ] {
        let e = v.verify(Some(&h), None, t0()).unwrap_err();
        assert!(matches!(e, AuthError::Malformed(_)), "{e:?}");
        assert_eq!(e.status(), 401);
    }
    // A valid signature over a payload that is not a claims object.
    let key = EncodingKey::from_secret(SECRET.as_bytes());
    let no_exp = sign(Algorithm::HS256, None, &key, &json!({"sub": "x"}));
    let e = v.verify(Some(&bearer(&no_exp)), None, t0()).unwrap_err();
    assert_eq!(
        e,
        AuthError::Malformed("the token has no `exp` claim".into())
    );
}

#[test]
fn bad_signatures_are_refused() {
    let (v, _server) = jwks_verifier(&[]);
    // Signed by rsa2 but naming rsa1's kid.
    let t = sign(Algorithm::RS256, Some("rsa-1"), &rsa2(), &claims(json!({})));
    assert_eq!(
        v.verify(Some(&bearer(&t)), None, t0()),
        Err(AuthError::BadSignature)
    );
    // A payload swapped under a valid signature.
    let good = sign(Algorithm::ES256, Some("ec-1"), &ec(), &claims(json!({})));
    let evil = sign(
        Algorithm::ES256,
        Some("ec-1"),
        &ec(),
        &claims(json!({"sub": "admin"})),
    );
    let (g, e) = (
        good.split('.').collect::<Vec<_>>(),
        evil.split('.').collect::<Vec<_>>(),
    );
    let spliced = format!("{}.{}.{}", g[0], e[1], g[2]);
    assert_eq!(
        v.verify(Some(&bearer(&spliced)), None, t0()),
        Err(AuthError::BadSignature)
    );
    // HS256 with another secret.
    let hs = hs_verifier(&[]);
    let t = sign(
        Algorithm::HS256,
        None,
        &EncodingKey::from_secret(b"another secret of at least thirty-two bytes"),
        &claims(json!({})),
    );
    let e = hs.verify(Some(&bearer(&t)), None, t0()).unwrap_err();
    assert_eq!((e.clone(), e.status()), (AuthError::BadSignature, 401));
}

#[test]
fn alg_none_is_refused_before_any_signature_check() {
    let (v, _server) = jwks_verifier(&[]);
    let hs = hs_verifier(&[]);
    let body = b64(claims(json!({})).to_string().as_bytes());
    for alg in ["none", "None", "NONE"] {
        let header = b64(json!({"alg": alg, "typ": "JWT", "kid": "rsa-1"})
            .to_string()
            .as_bytes());
        for token in [format!("{header}.{body}."), format!("{header}.{body}.c2ln")] {
            for verifier in [&v, &hs] {
                let e = verifier
                    .verify(Some(&bearer(&token)), None, t0())
                    .unwrap_err();
                assert_eq!(e, AuthError::AlgorithmNotAllowed(alg.into()));
            }
        }
    }
    assert_eq!(v.signature_checks() + hs.signature_checks(), 0);
}

#[test]
fn hs256_signed_with_the_rsa_public_key_is_refused() {
    let forged_with = EncodingKey::from_secret(&keys().rsa1_public);
    let t = sign(
        Algorithm::HS256,
        Some("rsa-1"),
        &forged_with,
        &claims(json!({})),
    );
    // Key set only: an HMAC algorithm has no key at all.
    let (v, _server) = jwks_verifier(&[]);
    assert_eq!(
        v.verify(Some(&bearer(&t)), None, t0()),
        Err(AuthError::AlgorithmNotAllowed("HS256".into()))
    );
    // Secret and key set: HS* is checked with the secret only, never with a published key.
    let (both, _server2) = jwks_verifier(&[("JWT_SECRET", SECRET)]);
    assert_eq!(
        both.verify(Some(&bearer(&t)), None, t0()),
        Err(AuthError::BadSignature)
    );
    // Secret only: RS256 has no key.
    let hs = hs_verifier(&[]);
    let rs = sign(Algorithm::RS256, Some("rsa-1"), &rsa1(), &claims(json!({})));
    assert_eq!(
        hs.verify(Some(&bearer(&rs)), None, t0()),
        Err(AuthError::AlgorithmNotAllowed("RS256".into()))
    );
}

#[test]
fn each_key_accepts_only_its_own_algorithms() {
    let server = FakeJwks::start(json!({"keys": [
        jwk(&rsa1(), Algorithm::RS256, "rsa-rs256-only", true),
        jwk(&ec(), Algorithm::ES256, "ec-1", true),
    ]}));
    let uri = server.uri();
    let v = verifier(&[("JWKS_URI", &uri)]);
    let c = claims(json!({}));
    let cases = [
        // The JWK declares RS256: PS256 with the same RSA key is refused.
        (
            sign(Algorithm::PS256, Some("rsa-rs256-only"), &rsa1(), &c),
            "PS256",
        ),
        // An EC token naming the RSA key, and an RSA token naming the EC key.
        (
            sign(Algorithm::ES256, Some("rsa-rs256-only"), &ec(), &c),
            "ES256",
        ),
        (sign(Algorithm::RS256, Some("ec-1"), &rsa1(), &c), "RS256"),
    ];
    for (t, alg) in cases {
        assert_eq!(
            v.verify(Some(&bearer(&t)), None, t0()),
            Err(AuthError::AlgorithmNotAllowed(alg.into()))
        );
    }
    assert_eq!(v.signature_checks(), 0);
    let ok = sign(Algorithm::RS256, Some("rsa-rs256-only"), &rsa1(), &c);
    assert!(v.verify(Some(&bearer(&ok)), None, t0()).is_ok());
}

#[test]
fn time_claims_with_leeway() {
    let v = hs_verifier(&[("JWT_LEEWAY_SECONDS", "30")]);
    let exp = unix(t0()) + 3600;
    let t = hs_token(json!({}));
    assert!(v.verify(Some(&bearer(&t)), None, at(3630)).is_ok());
    let t = hs_token(json!({"sub": "expired"}));
    let e = v.verify(Some(&bearer(&t)), None, at(3631)).unwrap_err();
    assert_eq!((e.clone(), e.status()), (AuthError::Expired, 401));

    let t = hs_token(json!({"nbf": exp - 100}));
    assert_eq!(
        v.verify(Some(&bearer(&t)), None, t0()),
        Err(AuthError::NotYetValid)
    );
    let t = hs_token(json!({"nbf": unix(t0()) + 30}));
    assert!(
        v.verify(Some(&bearer(&t)), None, t0()).is_ok(),
        "nbf within the leeway"
    );
}

#[test]
fn issuer_and_audience_are_checked() {
    let v = hs_verifier(&[]);
    for (extra, want) in [
        (
            json!({"iss": "https://evil.example.com"}),
            AuthError::WrongIssuer,
        ),
        (json!({"iss": null}), AuthError::WrongIssuer),
        (json!({"aud": "someone-else"}), AuthError::WrongAudience),
        (json!({"aud": ["a", "b"]}), AuthError::WrongAudience),
        (json!({"aud": null}), AuthError::WrongAudience),
    ] {
        let t = hs_token(extra);
        assert_eq!(v.verify(Some(&bearer(&t)), None, t0()), Err(want));
    }
    let t = hs_token(json!({"aud": ["other", AUDIENCE]}));
    assert!(v.verify(Some(&bearer(&t)), None, t0()).is_ok());
    // Not configured: not checked.
    let cfg =
        Config::from_raw(&RawEnv::from_pairs([("JWT_SECRET", SECRET)]), Purpose::Demo).unwrap();
    let open = Verifier::from_config(&cfg).unwrap().unwrap();
    let t = hs_token(json!({"iss": "https://anyone", "aud": "anything"}));
    assert!(open.verify(Some(&bearer(&t)), None, t0()).is_ok());
}

#[test]
fn unknown_kid_refreshes_once_then_is_refused() {
    let (v, server) = jwks_verifier(&[]);
    let good = sign(Algorithm::RS256, Some("rsa-1"), &rsa1(), &claims(json!({})));
    assert!(v.verify(Some(&bearer(&good)), None, t0()).is_ok());
    assert_eq!(server.fetches(), 1);

    let stranger = sign(
        Algorithm::RS256,
        Some("who-is-this"),
        &rsa2(),
        &claims(json!({})),
    );
    let e = v
        .verify(Some(&bearer(&stranger)), None, at(60))
        .unwrap_err();
    assert_eq!(e, AuthError::UnknownKey("who-is-this".into()));
    assert_eq!(e.status(), 401);
    assert_eq!(
        server.fetches(),
        2,
        "exactly one refresh for the unknown kid"
    );
    for s in [60, 61, 65, 69] {
        let e = v.verify(Some(&bearer(&stranger)), None, at(s)).unwrap_err();
        assert_eq!(e, AuthError::UnknownKey("who-is-this".into()));
    }
    assert_eq!(
        server.fetches(),
        2,
        "no refresh within JWKS_MIN_REFRESH_SECONDS"
    );
    let _ = v.verify(Some(&bearer(&stranger)), None, at(70));
    assert_eq!(server.fetches(), 3, "allowed again after the interval");
    // Known keys kept working throughout.
    assert!(v.verify(Some(&bearer(&good)), None, at(71)).is_ok());
}

#[test]
fn a_rotated_key_is_fetched_and_accepted() {
    let (v, server) = jwks_verifier(&[]);
    let old = sign(Algorithm::RS256, Some("rsa-1"), &rsa1(), &claims(json!({})));
    assert!(v.verify(Some(&bearer(&old)), None, t0()).is_ok());
    server.serve(json!({"keys": [jwk(&rsa2(), Algorithm::RS256, "rsa-2", true)]}));
    let new = sign(
        Algorithm::RS256,
        Some("rsa-2"),
        &rsa2(),
        &claims(json!({"sub": "after"})),
    );
    let p = v.verify(Some(&bearer(&new)), None, at(30)).unwrap();
    assert_eq!(p.id.as_str(), "sub:after");
    assert_eq!(server.fetches(), 2);
    // The old key left the set: a token signed with it and not seen before is refused.
    let old2 = sign(
        Algorithm::RS256,
        Some("rsa-1"),
        &rsa1(),
        &claims(json!({"sub": "late"})),
    );
    assert_eq!(
        v.verify(Some(&bearer(&old2)), None, at(31)),
        Err(AuthError::UnknownKey("rsa-1".into()))
    );
}

#[test]
fn stale_keys_keep_serving_while_the_key_set_is_down() {
    let (v, server) = jwks_verifier(&[("JWKS_CACHE_TTL", "60")]);
    let t = |sub: &str| {
        sign(
            Algorithm::ES256,
            Some("ec-1"),
            &ec(),
            &claims(json!({"sub": sub})),
        )
    };
    assert!(v.verify(Some(&bearer(&t("a"))), None, t0()).is_ok());
    server.set_down(true);
    // Past the TTL: one refresh is tried, fails, and the cached key still verifies.
    assert!(v.verify(Some(&bearer(&t("b"))), None, at(120)).is_ok());
    assert_eq!(server.fetches(), 2);
    let s = v.jwks_status().unwrap();
    assert_eq!(s.keys, 3);
    assert_eq!(s.last_fetch, Some(t0()));
    assert!(s.last_error.unwrap().contains("503"));
    // Within the minimum interval no new attempt is made.
    assert!(v.verify(Some(&bearer(&t("c"))), None, at(125)).is_ok());
    assert_eq!(server.fetches(), 2);
    // Back up: the next attempt refreshes and clears the error.
    server.set_down(false);
    assert!(v.verify(Some(&bearer(&t("d"))), None, at(200)).is_ok());
    assert_eq!(server.fetches(), 3);
    assert_eq!(v.jwks_status().unwrap().last_error, None);
}

#[test]
fn no_key_at_all_is_503_and_attempts_are_spaced() {
    let (v, server) = jwks_verifier(&[]);
    server.set_down(true);
    let t = sign(Algorithm::RS256, Some("rsa-1"), &rsa1(), &claims(json!({})));
    let e = v.verify(Some(&bearer(&t)), None, t0()).unwrap_err();
    assert!(
        matches!(&e, AuthError::JwksUnavailable(why) if why.contains("503")),
        "{e:?}"
    );
    assert_eq!(e.status(), 503);
    let _ = v.verify(Some(&bearer(&t)), None, at(5));
    assert_eq!(server.fetches(), 1, "a dead endpoint is not hammered");
    server.set_down(false);
    assert!(v.verify(Some(&bearer(&t)), None, at(10)).is_ok());

    // Nothing listening at all.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let uri = format!("http://127.0.0.1:{port}/jwks");
    let v = verifier(&[("JWKS_URI", &uri)]);
    let e = v.verify(Some(&bearer(&t)), None, t0()).unwrap_err();
    assert!(matches!(e, AuthError::JwksUnavailable(_)), "{e:?}");
    assert_eq!(v.refresh_jwks(t0()), Some(0));
    assert!(v.jwks_status().unwrap().last_error.is_some());

    // A key set with no usable key is a failure too, not an empty cache.
    let server = FakeJwks::start(json!({"keys": [{"kty": "oct", "k": "c2VjcmV0"}]}));
    let uri = server.uri();
    let v = verifier(&[("JWKS_URI", &uri)]);
    let e = v.verify(Some(&bearer(&t)), None, t0()).unwrap_err();
    assert!(
        matches!(&e, AuthError::JwksUnavailable(w) if w.contains("no usable")),
        "{e:?}"
    );
}

#[test]
fn concurrent_requests_share_one_fetch() {
    let (v, server) = jwks_verifier(&[]);
    *server.delay.lock().unwrap() = Duration::from_millis(300);
    let v = Arc::new(v);
    let handles: Vec<_> = (0..8)
        .map(|i| {
            let v = v.clone();
            std::thread::spawn(move || {
                let t = sign(
                    Algorithm::ES256,
                    Some("ec-1"),
                    &ec(),
                    &claims(json!({"sub": format!("user-{i}")})),
                );
                v.verify(Some(&bearer(&t)), None, t0()).map(|p| p.id)
            })
        })
        .collect();
    for h in handles {
        assert!(h.join().unwrap().is_ok());
    }
    assert_eq!(server.fetches(), 1);
}

#[test]
fn refresh_at_start_up_warms_the_cache() {
    let (v, server) = jwks_verifier(&[]);
    assert_eq!(v.refresh_jwks(t0()), Some(3));
    let t = sign(Algorithm::EdDSA, Some("ed-1"), &ed(), &claims(json!({})));
    assert!(v.verify(Some(&bearer(&t)), None, at(1)).is_ok());
    assert_eq!(server.fetches(), 1);
    assert_eq!(hs_verifier(&[]).refresh_jwks(t0()), None);
}

#[test]
fn tokens_in_the_query_are_refused_even_with_a_header() {
    let v = hs_verifier(&[]);
    let h = bearer(&hs_token(json!({})));
    for q in [
        "access_token=abc",
        "x=1&token=abc",
        "JWT=abc",
        "a=1;Access_Token=",
        "%74oken=abc",
        "id_token=x",
    ] {
        let e = v.verify(Some(&h), Some(q), t0()).unwrap_err();
        assert_eq!(
            (e.clone(), e.status()),
            (AuthError::TokenInQuery, 400),
            "{q}"
        );
        assert_eq!(v.verify(None, Some(q), t0()), Err(AuthError::TokenInQuery));
    }
    for q in ["", "tokenizer=1", "session=abc", "x=token"] {
        assert!(v.verify(Some(&h), Some(q), t0()).is_ok(), "{q}");
    }
}

#[test]
fn the_verified_token_cache_skips_the_signature_check() {
    let (v, server) = jwks_verifier(&[]);
    let t = sign(Algorithm::RS256, Some("rsa-1"), &rsa1(), &claims(json!({})));
    let first = v.verify(Some(&bearer(&t)), None, t0()).unwrap();
    assert_eq!(v.signature_checks(), 1);
    server.set_down(true);
    for s in [1, 100, 3000, 3630] {
        assert_eq!(v.verify(Some(&bearer(&t)), None, at(s)), Ok(first.clone()));
    }
    assert_eq!(v.signature_checks(), 1, "hits do not verify again");
    assert_eq!(server.fetches(), 1);
    assert_eq!(v.cached_tokens(), 1);
    // A hit is still checked against the clock, then dropped.
    assert_eq!(
        v.verify(Some(&bearer(&t)), None, at(3631)),
        Err(AuthError::Expired)
    );
    assert_eq!(v.cached_tokens(), 0);
    // Failures are not cached.
    let bad = sign(Algorithm::RS256, Some("rsa-1"), &rsa2(), &claims(json!({})));
    for _ in 0..2 {
        let _ = v.verify(Some(&bearer(&bad)), None, t0());
    }
    assert_eq!((v.signature_checks(), v.cached_tokens()), (3, 0));
}

#[test]
fn scopes_decide_read_and_write() {
    let v = hs_verifier(&[]);
    let p = |extra: Value| v.verify(Some(&bearer(&hs_token(extra))), None, t0());
    let rw = |r: Result<Principal, AuthError>| r.map(|p| (p.can_read, p.can_write));
    assert_eq!(rw(p(json!({}))), Ok((true, true)));
    assert_eq!(rw(p(json!({"scope": "hubspot.read"}))), Ok((true, false)));
    assert_eq!(
        rw(p(json!({"scope": null, "scp": ["hubspot.write"]}))),
        Ok((true, true))
    );
    assert_eq!(
        rw(p(json!({"scope": null}))),
        Ok((true, true)),
        "no scope claim: simple setups"
    );
    let e = p(json!({"scope": "openid email"})).unwrap_err();
    assert_eq!(
        e.clone(),
        AuthError::InsufficientScope {
            needed: "hubspot.read".into()
        }
    );
    assert_eq!(e.status(), 403);

    let read_only = p(json!({"scope": "hubspot.read"})).unwrap();
    assert_eq!(
        v.require_write(&read_only),
        Err(AuthError::InsufficientScope {
            needed: "hubspot.write".into()
        })
    );
    assert!(v.require_write(&p(json!({})).unwrap()).is_ok());

    let strict = hs_verifier(&[
        ("MCP_REQUIRE_SCOPES", "true"),
        ("MCP_READ_SCOPES", "crm.read, crm.objects.contacts.read"),
        ("MCP_WRITE_SCOPES", "crm.write"),
    ]);
    let p = |extra: Value| strict.verify(Some(&bearer(&hs_token(extra))), None, t0());
    assert_eq!(
        p(json!({"scope": null})),
        Err(AuthError::InsufficientScope {
            needed: "crm.read".into()
        })
    );
    assert_eq!(
        rw(p(json!({"scope": "crm.objects.contacts.read"}))),
        Ok((true, false))
    );
    assert_eq!(rw(p(json!({"scp": "crm.write"}))), Ok((true, true)));
    assert_eq!(
        strict.scopes_supported(),
        "crm.read crm.objects.contacts.read crm.write"
    );
}

#[test]
fn www_authenticate_values() {
    let scope = Some("hubspot.read hubspot.write");
    assert_eq!(
        AuthError::Missing.www_authenticate(META, scope),
        format!(r#"Bearer scope="hubspot.read hubspot.write", resource_metadata="{META}""#)
    );
    assert_eq!(
        AuthError::Expired.www_authenticate(META, None),
        format!(
            r#"Bearer error="invalid_token", error_description="the token has expired: obtain a new one", resource_metadata="{META}""#
        )
    );
    assert_eq!(
        AuthError::InsufficientScope {
            needed: "hubspot.write".into()
        }
        .www_authenticate(META, scope),
        format!(
            r#"Bearer error="insufficient_scope", error_description="the token lacks the scope hubspot.write: request a token with it", scope="hubspot.write", resource_metadata="{META}""#
        )
    );
    let q = AuthError::TokenInQuery.www_authenticate(META, None);
    assert!(
        q.starts_with(
            r#"Bearer error="invalid_request", error_description="tokens in the URL query"#
        ),
        "{q}"
    );
    assert_eq!(
        AuthError::JwksUnavailable("down".into()).www_authenticate(META, scope),
        format!(r#"Bearer resource_metadata="{META}""#)
    );
    // Client-controlled text cannot break out of the quoted string.
    let w = AuthError::Malformed("a \"quoted\" \\ thing ✓".into()).www_authenticate(META, None);
    assert!(
        w.contains(r#"error_description="malformed bearer token: a 'quoted' / thing ?""#),
        "{w}"
    );
    let (v, _server) = jwks_verifier(&[]);
    let kid = "k\"i\\d";
    let t = sign(Algorithm::RS256, Some(kid), &rsa1(), &claims(json!({})));
    let e = v.verify(Some(&bearer(&t)), None, t0()).unwrap_err();
    assert_eq!(e, AuthError::UnknownKey("k?i?d".into()));
    // Every message is actionable text, and no error variant is large.
    for e in [
        AuthError::BadSignature,
        AuthError::NotYetValid,
        AuthError::WrongIssuer,
        AuthError::WrongAudience,
        AuthError::AlgorithmNotAllowed("none".into()),
        AuthError::UnknownKey(String::new()),
        AuthError::NoSubject,
    ] {
        assert!(e.www_authenticate(META, None).contains("invalid_token"));
        assert_eq!(e.status(), 401);
        assert!(!e.reason().is_empty());
    }
    assert!(std::mem::size_of::<AuthError>() <= 32);
}

#[test]
fn the_principal_keeps_its_claim_kind_and_a_token_naming_nobody_is_refused() {
    let v = hs_verifier(&[]);
    let id = |extra: Value| {
        v.verify(Some(&bearer(&hs_token(extra))), None, t0())
            .map(|p| p.id)
    };
    let user = id(json!({"sub": "alice"})).unwrap();
    let client = id(json!({"sub": null, "client_id": "alice"})).unwrap();
    let party = id(json!({"sub": null, "azp": "alice"})).unwrap();
    assert_eq!(
        (user.as_str(), client.as_str(), party.as_str()),
        ("sub:alice", "client_id:alice", "azp:alice")
    );
    assert!(user != client && client != party);
    // From the verified-token cache too.
    assert_eq!(id(json!({"sub": null, "client_id": "alice"})), Ok(client));
    for (what, extra) in [
        ("none", json!({"sub": null})),
        ("empty sub", json!({"sub": ""})),
        ("numeric sub", json!({"sub": 7, "client_id": "svc"})),
        ("empty client_id", json!({"sub": null, "client_id": ""})),
        ("array azp", json!({"sub": null, "azp": ["a"]})),
    ] {
        assert_eq!(id(extra), Err(AuthError::NoSubject), "{what}");
    }
    // The time and issuer checks come first: an expired token says so.
    assert_eq!(
        id(json!({"sub": null, "exp": unix(t0()) - 3600})),
        Err(AuthError::Expired)
    );
    let e = AuthError::NoSubject;
    assert_eq!((e.status(), e.reason()), (401, "no_subject"));
    let w = e.www_authenticate(META, None);
    assert!(
        w.contains(r#"error="invalid_token""#)
            && w.contains("error_description=\"the token identifies no caller: it needs a non-empty string `sub` claim"),
        "{w}"
    );
    let t = hs_token(json!({"sub": "alice"}));
    let p = v.verify(Some(&bearer(&t)), None, t0()).unwrap();
    let debug = format!("{p:?}");
    assert!(debug.contains("sub:alice"), "{debug}");
    assert!(
        t.split('.').all(|part| !debug.contains(part)),
        "no token text in Debug"
    );
}

#[test]
fn errors_never_contain_the_token() {
    let (v, _server) = jwks_verifier(&[]);
    let hs = hs_verifier(&[]);
    let t = sign(
        Algorithm::RS256,
        Some("rsa-1"),
        &rsa2(),
        &claims(json!({"exp": 1})),
    );
    let tokens = [
        t.clone(),
        format!("{t}x"),
        hs_token(json!({"exp": 1})),
        hs_token(json!({"iss": "https://evil"})),
    ];
    for token in &tokens {
        for verifier in [&v, &hs] {
            for q in [None, Some("access_token=1")] {
                if let Err(e) = verifier.verify(Some(&bearer(token)), q, t0()) {
                    let text = format!("{e} {e:?} {}", e.www_authenticate(META, None));
                    for part in token.split('.').filter(|p| p.len() > 8) {
                        assert!(
                            !text.contains(part),
                            "an error echoed part of the token ({})",
                            e.reason()
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn protected_resource_metadata_follows_rfc_9728() {
    let cfg = config(&[
        ("JWT_SECRET", SECRET),
        ("MCP_PUBLIC_URL", "https://mcp.example.com/"),
    ]);
    assert_eq!(
        protected_resource_metadata(&cfg, Some("ignored.example")),
        json!({
            "resource": "https://mcp.example.com/mcp",
            "authorization_servers": [ISSUER],
            "scopes_supported": ["hubspot.read", "hubspot.write"],
            "bearer_methods_supported": ["header"],
            "resource_name": "HubSpot CRM (hubspot-mcp)",
            "accepted_audiences": ["hubspot-mcp"],
        })
    );
    assert_eq!(resource_metadata_url(&cfg, None), META);

    let cfg = Config::from_raw(&RawEnv::from_pairs([("PORT", "8080")]), Purpose::Demo).unwrap();
    let doc = protected_resource_metadata(&cfg, Some("mcp.up.railway.app"));
    assert_eq!(doc["resource"], "https://mcp.up.railway.app/mcp");
    assert!(doc.get("authorization_servers").is_none());
    assert_eq!(
        resource_url(&cfg, Some("127.0.0.1:8080")),
        "http://127.0.0.1:8080/mcp"
    );
    assert_eq!(
        resource_url(&cfg, Some("[::1]:8080")),
        "http://[::1]:8080/mcp"
    );
    assert_eq!(
        resource_url(&cfg, Some("localhost")),
        "http://localhost/mcp"
    );
    assert_eq!(
        resource_url(&cfg, Some("evil/\"x")),
        "http://localhost:8080/mcp"
    );
    assert_eq!(resource_url(&cfg, None), "http://localhost:8080/mcp");
}

/// The example that was `AuthError::www_authenticate`'s doctest (the method is crate-private now).
#[test]
fn www_authenticate_example() {
    let url = "https://mcp.example.com/.well-known/oauth-protected-resource";
    assert_eq!(
        AuthError::Missing.www_authenticate(url, None),
        r#"Bearer resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource""#
    );
}
