//! Bearer tokens against the real binary: HS256 with JWT_SECRET, RS256 / ES256 from a JWKS served on
//! loopback with keys made in the test, scopes, session binding, RFC 9728 metadata.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use serde_json::{json, Value};

use crate::support::keys::{self, b64url, Jwks};
use crate::support::{init_body, Client, Resp, Server, ACCEPT};

pub(crate) const SECRET: &str = "an-hs256-secret-of-at-least-32-characters!";
pub(crate) const ISS: &str = "https://auth.example.com";
pub(crate) const AUD: &str = "hubspot-mcp";

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

pub(crate) fn claims(sub: &str) -> Value {
    json!({"sub": sub, "iss": ISS, "aud": AUD, "exp": now() + 600, "iat": now()})
}

pub(crate) fn hs256(secret: &str, c: &Value) -> String {
    encode(
        &Header::new(Algorithm::HS256),
        c,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

fn signed(alg: Algorithm, kid: &str, key: &EncodingKey, c: &Value) -> String {
    let mut h = Header::new(alg);
    h.kid = Some(kid.to_string());
    encode(&h, c, key).unwrap()
}

fn initialize(c: &Client, token: Option<&str>) -> Resp {
    let bearer = token.map(|t| format!("Bearer {t}"));
    let mut h = vec![("Content-Type", "application/json"), ("Accept", ACCEPT)];
    if let Some(b) = &bearer {
        h.push(("Authorization", b));
    }
    c.request("POST", "/mcp", &h, &init_body("2025-11-25").to_string())
}

fn hs_server(extra: &[(&str, &str)]) -> Server {
    let mut env = vec![
        ("JWT_SECRET", SECRET),
        ("JWT_ISSUER", ISS),
        ("JWT_AUDIENCE", AUD),
    ];
    env.extend_from_slice(extra);
    Server::start(&env)
}

#[test]
fn hs256_tokens_each_refusal_and_the_metadata() {
    let s = hs_server(&[]);
    let c = s.client();
    let r = initialize(&c, None);
    assert_eq!(r.status, 401);
    let www = r.header("www-authenticate").unwrap();
    assert!(
        www.starts_with("Bearer ") && www.contains("resource_metadata=\""),
        "{www}"
    );
    let mut expired = claims("u1");
    expired["exp"] = json!(now() - 3600);
    let mut early = claims("u1");
    early["nbf"] = json!(now() + 3600);
    let mut wrong_iss = claims("u1");
    wrong_iss["iss"] = json!("https://evil.example.com");
    let mut wrong_aud = claims("u1");
    wrong_aud["aud"] = json!("someone-else");
    let none = format!(
        "{}.{}.",
        b64url(br#"{"alg":"none","typ":"JWT"}"#),
        b64url(claims("u1").to_string().as_bytes())
    );
    for (what, token) in [
        ("malformed", "not.a.jwt".to_string()),
        (
            "bad signature",
            hs256("another-secret-that-is-32-characters-long", &claims("u1")),
        ),
        ("alg none", none),
        ("expired", hs256(SECRET, &expired)),
        ("not yet valid", hs256(SECRET, &early)),
        ("wrong issuer", hs256(SECRET, &wrong_iss)),
        ("wrong audience", hs256(SECRET, &wrong_aud)),
    ] {
        let r = initialize(&c, Some(&token));
        assert_eq!(r.status, 401, "{what}: {r:?}");
        assert!(
            r.header("www-authenticate")
                .unwrap()
                .contains("invalid_token"),
            "{what}"
        );
        assert!(!r.body.contains(&token), "{what}: the token is not echoed");
    }
    let good = hs256(SECRET, &claims("u1"));
    // Only from the Authorization header, never the query string.
    let r = c.request(
        "POST",
        &format!("/mcp?access_token={good}"),
        &[("Content-Type", "application/json"), ("Accept", ACCEPT)],
        &init_body("2025-11-25").to_string(),
    );
    assert_eq!(r.status, 400, "{r:?}");
    assert_eq!(initialize(&c, Some(&good)).status, 200);
    // The protected-resource metadata names the issuer, at both RFC 9728 locations.
    for path in [
        "/.well-known/oauth-protected-resource",
        "/.well-known/oauth-protected-resource/mcp",
    ] {
        let m = c.request("GET", path, &[], "").json();
        assert_eq!(m["authorization_servers"][0], ISS, "{path}");
        assert!(m["resource"].as_str().unwrap().ends_with("/mcp"));
        assert_eq!(m["bearer_methods_supported"][0], "header");
    }
    // Health and preflight need no token.
    assert_eq!(c.request("GET", "/health", &[], "").status, 200);
    assert_eq!(
        c.request(
            "OPTIONS",
            "/mcp",
            &[("Origin", "http://localhost:6274")],
            ""
        )
        .status,
        204
    );
}

#[test]
fn sessions_belong_to_their_principal_and_scopes_limit_tools() {
    let s = hs_server(&[("MCP_REQUIRE_SCOPES", "true")]);
    let c = s.client();
    let mut reader = claims("reader");
    reader["scope"] = json!("hubspot.read");
    let mut writer = claims("writer");
    writer["scope"] = json!("hubspot.read hubspot.write");
    let (reader, writer) = (hs256(SECRET, &reader), hs256(SECRET, &writer));
    let r = initialize(&c, Some(&writer));
    let sid = r.header("mcp-session-id").unwrap().to_string();
    let call = |token: &str, method: &str, params: Value| {
        let b = format!("Bearer {token}");
        c.post(
            &[("Authorization", &b), ("Mcp-Session-Id", &sid)],
            &json!({"jsonrpc":"2.0","id":2,"method":method,"params":params}),
        )
    };
    assert_eq!(call(&writer, "ping", json!({})).status, 200);
    // Another principal presenting the id: as if it did not exist.
    assert_eq!(call(&reader, "ping", json!({})).status, 404);
    // A read-only principal sees no write tool and cannot call one.
    let b = format!("Bearer {reader}");
    let list = |token: &str| {
        let b = format!("Bearer {token}");
        c.post(
            &[
                ("Authorization", &b),
                ("MCP-Protocol-Version", "2026-07-28"),
                ("Mcp-Method", "tools/list"),
            ],
            &crate::support::stateless_body(3, "tools/list", json!({})),
        )
        .json()["result"]["tools"]
            .as_array()
            .unwrap()
            .clone()
    };
    let ro = list(&reader);
    assert!(!ro.is_empty() && ro.iter().all(|t| t["annotations"]["readOnlyHint"] == true));
    assert!(list(&writer).len() > ro.len());
    let r = c.post(
        &[("Authorization", &b), ("MCP-Protocol-Version", "2026-07-28"), ("Mcp-Method", "tools/call"), ("Mcp-Name", "hubspot_create_record")],
        &crate::support::stateless_body(4, "tools/call", json!({"name": "hubspot_create_record", "arguments": {"objectType": "contacts", "properties": {}}})),
    );
    let res = &r.json()["result"];
    assert_eq!(res["isError"], true, "{res}");
    assert!(res["content"][0]["text"]
        .as_str()
        .unwrap()
        .contains("read access only"));
    // No scope claim at all under MCP_REQUIRE_SCOPES: 403 insufficient_scope.
    let r = initialize(&c, Some(&hs256(SECRET, &claims("nobody"))));
    assert_eq!(r.status, 403);
    assert!(r
        .header("www-authenticate")
        .unwrap()
        .contains("insufficient_scope"));
}

/// A token for `value` under the subject claim `kind` (`sub`, `client_id`, `azp`) and no other.
pub(crate) fn token_for(kind: &str, value: &str) -> String {
    let mut c = claims("");
    c.as_object_mut().unwrap().remove("sub");
    c[kind] = json!(value);
    hs256(SECRET, &c)
}

#[test]
fn a_client_id_principal_never_uses_a_sub_principals_session_and_vice_versa() {
    let s = hs_server(&[]);
    let c = s.client();
    let (user, client, party) = (
        token_for("sub", "alice"),
        token_for("client_id", "alice"),
        token_for("azp", "alice"),
    );
    let open = |token: &str| {
        let r = initialize(&c, Some(token));
        assert_eq!(r.status, 200, "{r:?}");
        r.header("mcp-session-id").unwrap().to_string()
    };
    let ping = |token: &str, sid: &str| {
        let b = format!("Bearer {token}");
        c.post(
            &[("Authorization", &b), ("Mcp-Session-Id", sid)],
            &json!({"jsonrpc":"2.0","id":2,"method":"ping"}),
        )
        .status
    };
    let (by_user, by_client, by_party) = (open(&user), open(&client), open(&party));
    // The same text under another claim is another principal: the session does not exist for it.
    assert_eq!(
        ping(&client, &by_user),
        404,
        "client_id:alice on sub:alice's session"
    );
    assert_eq!(
        ping(&party, &by_user),
        404,
        "azp:alice on sub:alice's session"
    );
    assert_eq!(
        ping(&user, &by_client),
        404,
        "sub:alice on client_id:alice's session"
    );
    assert_eq!(
        ping(&user, &by_party),
        404,
        "sub:alice on azp:alice's session"
    );
    assert_eq!(
        ping(&party, &by_client),
        404,
        "azp:alice on client_id:alice's session"
    );
    for (token, sid) in [
        (&user, &by_user),
        (&client, &by_client),
        (&party, &by_party),
    ] {
        assert_eq!(ping(token, sid), 200);
    }
    // The access log names each principal with its claim.
    let logs = s.logs().join("\n");
    for p in ["sub:alice", "client_id:alice", "azp:alice"] {
        assert!(
            logs.contains(&format!("\"principal\":\"{p}\"")),
            "{p} not in the access log"
        );
    }
}

#[test]
fn a_token_naming_no_subject_gets_401_and_says_why() {
    let s = hs_server(&[]);
    let c = s.client();
    let mut none = claims("");
    none.as_object_mut().unwrap().remove("sub");
    let mut numeric = claims("");
    numeric["sub"] = json!(42);
    numeric["client_id"] = json!("svc");
    let mut empty_client = claims("");
    empty_client.as_object_mut().unwrap().remove("sub");
    empty_client["client_id"] = json!("");
    for (what, c_) in [
        ("no sub, client_id nor azp", none),
        ("empty sub", claims("")),
        ("numeric sub", numeric),
        ("empty client_id", empty_client),
    ] {
        let token = hs256(SECRET, &c_);
        let r = initialize(&c, Some(&token));
        assert_eq!(r.status, 401, "{what}: {r:?}");
        let www = r.header("www-authenticate").unwrap();
        assert!(
            www.contains(r#"error="invalid_token""#)
                && www.contains("error_description=\"the token identifies no caller: it needs a non-empty string `sub` claim"),
            "{what}: {www}"
        );
        assert!(
            r.body.contains("identifies no caller"),
            "{what}: {}",
            r.body
        );
        assert!(
            !r.body.contains(&token) && !www.contains(&token),
            "{what}: the token is not echoed"
        );
    }
    let logs = s.logs().join("\n");
    assert!(
        logs.contains("no_subject"),
        "the refusal's reason is logged"
    );
}

#[test]
fn jwks_keys_rotation_outages_and_algorithm_confusion() {
    let rsa = keys::rsa("rsa-1");
    let ec = keys::ec("ec-1");
    let jwks = Jwks::serve(vec![rsa.jwk.clone(), ec.jwk.clone()]);
    // No health checks: their JWKS probe (1 s after start) is a fetch the counts below do not expect,
    // and it holds off the next refresh for JWKS_MIN_REFRESH_SECONDS.
    let s = Server::start(&[
        ("JWKS_URI", jwks.url.as_str()),
        ("JWT_ISSUER", ISS),
        ("JWT_AUDIENCE", AUD),
        ("JWKS_MIN_REFRESH_SECONDS", "1"),
        ("HEALTH_CHECK_ENABLED", "false"),
    ]);
    let c = s.client();
    let rsa_key = EncodingKey::from_rsa_pem(&rsa.private_pem).unwrap();
    let ec_key = EncodingKey::from_ec_pem(&ec.private_pem).unwrap();
    assert_eq!(
        initialize(
            &c,
            Some(&signed(Algorithm::RS256, "rsa-1", &rsa_key, &claims("r")))
        )
        .status,
        200
    );
    assert_eq!(
        initialize(
            &c,
            Some(&signed(Algorithm::ES256, "ec-1", &ec_key, &claims("e")))
        )
        .status,
        200
    );
    // HS256 "signed" with the RSA public key as the secret: refused.
    let confused = signed(
        Algorithm::HS256,
        "rsa-1",
        &EncodingKey::from_secret(&rsa.public_pem),
        &claims("x"),
    );
    assert_eq!(initialize(&c, Some(&confused)).status, 401);
    // An unknown kid: exactly one refresh, then refused.
    std::thread::sleep(Duration::from_millis(1100));
    let stranger = keys::rsa("rsa-unknown");
    let before = jwks.fetches.load(std::sync::atomic::Ordering::SeqCst);
    let t = signed(
        Algorithm::RS256,
        "rsa-unknown",
        &EncodingKey::from_rsa_pem(&stranger.private_pem).unwrap(),
        &claims("x"),
    );
    assert_eq!(initialize(&c, Some(&t)).status, 401);
    assert_eq!(initialize(&c, Some(&t)).status, 401);
    assert_eq!(
        jwks.fetches.load(std::sync::atomic::Ordering::SeqCst) - before,
        1,
        "one refresh, not one per request"
    );
    // Rotation: the JWKS now serves a new key; a token signed with it is accepted after a refresh.
    let rotated = keys::rsa("rsa-2");
    jwks.keys.lock().unwrap().push(rotated.jwk.clone());
    std::thread::sleep(Duration::from_millis(1100));
    let t2 = signed(
        Algorithm::RS256,
        "rsa-2",
        &EncodingKey::from_rsa_pem(&rotated.private_pem).unwrap(),
        &claims("r2"),
    );
    assert_eq!(initialize(&c, Some(&t2)).status, 200);
    // The JWKS goes down (503 to every fetch). A token naming an unknown kid forces a fetch, which
    // fails; tried until the minimum refresh interval lets one through, each refused 401 meanwhile.
    jwks.down.store(true, std::sync::atomic::Ordering::SeqCst);
    let before = jwks.fetches.load(std::sync::atomic::Ordering::SeqCst);
    let other = keys::rsa("rsa-unknown-2");
    let other_key = EncodingKey::from_rsa_pem(&other.private_pem).unwrap();
    let end = std::time::Instant::now() + Duration::from_secs(10);
    let mut n = 0;
    while jwks.fetches.load(std::sync::atomic::Ordering::SeqCst) == before {
        assert!(
            std::time::Instant::now() < end,
            "no fetch was tried while the JWKS was down"
        );
        n += 1;
        let t = signed(
            Algorithm::RS256,
            "rsa-unknown-2",
            &other_key,
            &claims(&format!("u{n}")),
        );
        let r = initialize(&c, Some(&t));
        assert_eq!(r.status, 401, "unknown kid while the JWKS is down: {r:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        s.wait_log("JWKS fetch failed"),
        "the failed fetch was not logged"
    );
    // The failed fetch kept the cached keys: tokens naming them (new tokens, not in the verified-token
    // cache) still verify, each key type.
    for (alg, kid, key, sub) in [
        (Algorithm::ES256, "ec-1", &ec_key, "e2"),
        (Algorithm::RS256, "rsa-1", &rsa_key, "r3"),
        (
            Algorithm::RS256,
            "rsa-2",
            &EncodingKey::from_rsa_pem(&rotated.private_pem).unwrap(),
            "r4",
        ),
    ] {
        let r = initialize(&c, Some(&signed(alg, kid, key, &claims(sub))));
        assert_eq!(r.status, 200, "{kid} after the failed fetch: {r:?}");
    }
    assert!(
        jwks.fetches.load(std::sync::atomic::Ordering::SeqCst) > before,
        "the outage was never seen by the server"
    );

    // Down with no key cached: 503 with a clear body.
    let dead = Jwks::serve(vec![]);
    dead.down.store(true, std::sync::atomic::Ordering::SeqCst);
    let s2 = Server::start(&[
        ("JWKS_URI", dead.url.as_str()),
        ("JWT_ISSUER", ISS),
        ("JWT_AUDIENCE", AUD),
    ]);
    let r = initialize(
        &s2.client(),
        Some(&signed(Algorithm::RS256, "rsa-1", &rsa_key, &claims("r"))),
    );
    assert_eq!(r.status, 503, "{r:?}");
    assert!(r.header("retry-after").is_some());
    assert!(
        r.body.to_lowercase().contains("jwks") || r.body.to_lowercase().contains("key"),
        "{}",
        r.body
    );
}

#[test]
fn production_sends_hsts_and_a_principal_has_one_budget_across_addresses() {
    let s = Server::start(&[
        ("NODE_ENV", "production"),
        ("JWT_SECRET", SECRET),
        ("JWT_ISSUER", ISS),
        ("JWT_AUDIENCE", AUD),
        ("CORS_ORIGIN", "https://claude.ai"),
        ("LOG_LEVEL", "info"),
        ("RATE_LIMIT_MAX", "3"),
        ("MCP_TRUST_PROXY_HOPS", "1"),
    ]);
    let mut c = s.client();
    let r = c.request("GET", "/health", &[], "");
    assert!(r
        .header("strict-transport-security")
        .unwrap()
        .contains("max-age=31536000"));
    c.bearer = Some(hs256(SECRET, &claims("one-user")));
    let from = |ip: &str| {
        c.post(
            &[
                ("X-Forwarded-For", ip),
                ("MCP-Protocol-Version", "2026-07-28"),
                ("Mcp-Method", "tools/list"),
            ],
            &crate::support::stateless_body(1, "tools/list", json!({})),
        )
        .status
    };
    // Three addresses, one principal: its budget of 3 is shared.
    assert_eq!(
        (
            from("203.0.113.1"),
            from("203.0.113.2"),
            from("203.0.113.3")
        ),
        (200, 200, 200)
    );
    assert_eq!(from("203.0.113.4"), 429);
}

#[test]
fn an_https_jwks_is_trusted_through_the_operators_ca_bundle() {
    let rsa = keys::rsa("tls-1");
    let tmp = keys::TempDir::new();
    let dir = tmp.path();
    std::fs::write(
        dir.join("jwks.json"),
        json!({"keys": [rsa.jwk.clone()]}).to_string(),
    )
    .unwrap();
    let (mut tls, port, ca) = keys::https_file_server(dir, "-WWW");
    let uri = format!("https://127.0.0.1:{port}/jwks.json");
    let token = signed(
        Algorithm::RS256,
        "tls-1",
        &EncodingKey::from_rsa_pem(&rsa.private_pem).unwrap(),
        &claims("tls"),
    );
    let env = |ca: Option<&str>| {
        let mut e = vec![
            ("JWKS_URI", uri.clone()),
            ("JWT_ISSUER", ISS.to_string()),
            ("JWT_AUDIENCE", AUD.to_string()),
        ];
        if let Some(c) = ca {
            e.push(("HUBSPOT_CA_FILE", c.to_string()));
        }
        e
    };
    let start = |e: Vec<(&str, String)>| {
        let pairs: Vec<(&str, &str)> = e.iter().map(|(k, v)| (*k, v.as_str())).collect();
        Server::start(&pairs)
    };
    // Without the bundle the issuer's certificate is unknown: no key, every token 503.
    let without = start(env(None));
    assert_eq!(initialize(&without.client(), Some(&token)).status, 503);
    // With it, the key set is fetched over TLS and the token verifies.
    let with = start(env(Some(&ca.to_string_lossy())));
    assert_eq!(initialize(&with.client(), Some(&token)).status, 200);
    let _ = tls.kill();
    let _ = tls.wait();
}
