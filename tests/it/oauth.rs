//! `MCP_AUTH_MODE=oauth` end to end over loopback: the real binary as the authorization server, the
//! sandbox (its own process) as HubSpot with two users of different permissions. Every step a client and
//! a person take is driven over raw HTTP here (the SDK clients and a real browser drive it in
//! `tests/sdk` and `tests/browser`); then every refusal the issue lists, each with its OAuth error and
//! nothing granted.

use std::collections::HashMap;
use std::time::Duration;

use serde_json::{json, Value};

use crate::support::{Client, Resp, SandboxProc, Server, SANDBOX_TOKEN};

const KEY: &str = "oauth-test-key-0123456789abcdef0123456789abcdef";
const CLIENT_ID: &str = "sandbox-oauth-client";
const CLIENT_SECRET: &str = "sandbox-oauth-secret-0123456789abcdef";
/// RFC 7636 Appendix B.
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
const REDIRECT: &str = "http://127.0.0.1:9/callback";

fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn dec(s: &str) -> String {
    let s = s.replace('+', " ");
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn query_of(url: &str) -> HashMap<String, String> {
    let q = url.split_once('?').map_or("", |(_, q)| q);
    q.split('&')
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| (dec(k), dec(v)))
        .collect()
}

/// `name="…" value="…"` pairs of hidden inputs (HTML-unescaped).
fn hidden_inputs(html: &str) -> Vec<(String, String)> {
    let unescape = |s: &str| {
        s.replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&")
    };
    html.split("<input")
        .skip(1)
        .filter(|tag| tag.contains("type=\"hidden\""))
        .filter_map(|tag| {
            let attr = |name: &str| {
                let start = tag.find(&format!("{name}=\""))? + name.len() + 2;
                let end = tag[start..].find('"')? + start;
                Some(unescape(&tag[start..end]))
            };
            Some((attr("name")?, attr("value")?))
        })
        .collect()
}

/// The server in `oauth` mode against the sandbox process.
struct Setup {
    sb: std::rc::Rc<SandboxProc>,
    mcp: Server,
    /// `MCP_PUBLIC_URL`, when the test sets one (the issuer; else the server's own address).
    public: Option<String>,
}

fn env_for(sb: &SandboxProc, extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut env: Vec<(String, String)> = vec![
        ("MCP_AUTH_MODE".into(), "oauth".into()),
        ("HUBSPOT_API_BASE_URL".into(), sb.base_url.clone()),
        ("HUBSPOT_CLIENT_ID".into(), CLIENT_ID.into()),
        ("HUBSPOT_CLIENT_SECRET".into(), CLIENT_SECRET.into()),
        (
            "HUBSPOT_OAUTH_AUTHORIZE_URL".into(),
            format!("{}/oauth/authorize", sb.base_url),
        ),
        ("OAUTH_KEYS".into(), KEY.into()),
        ("HUBSPOT_RATE_LIMIT".into(), "1000".into()),
        ("HUBSPOT_SEARCH_RATE_LIMIT".into(), "1000".into()),
        ("HEALTH_CHECK_ENABLED".into(), "false".into()),
    ];
    for (k, v) in extra {
        env.retain(|(e, _)| e != k);
        env.push((k.to_string(), v.to_string()));
    }
    env
}

fn start_mcp(sb: &SandboxProc, extra: &[(&str, &str)]) -> Server {
    let env = env_for(sb, extra);
    let refs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    Server::start_args(&["serve"], &refs)
}

impl Setup {
    fn start(extra: &[(&str, &str)]) -> Setup {
        let sb = SandboxProc::start();
        let mcp = start_mcp(&sb, extra);
        Setup {
            sb: std::rc::Rc::new(sb),
            mcp,
            public: None,
        }
    }

    /// The issuer and the resource's origin.
    fn origin(&self) -> String {
        self.public
            .clone()
            .unwrap_or_else(|| format!("http://127.0.0.1:{}", self.mcp.addr.port()))
    }

    fn c(&self) -> Client {
        self.mcp.client()
    }

    fn register(&self, redirect: &str) -> String {
        let r = self.c().request(
            "POST",
            "/oauth/register",
            &[("Content-Type", "application/json")],
            &json!({"client_name": "Test client", "redirect_uris": [redirect]}).to_string(),
        );
        assert_eq!(r.status, 201, "{r:?}");
        let v = r.json();
        assert_eq!(v["redirect_uris"], json!([redirect]));
        assert_eq!(v["token_endpoint_auth_method"], "none");
        v["client_id"].as_str().unwrap().to_string()
    }

    fn authorize_url(&self, client_id: &str, redirect: &str, extra: &str) -> String {
        format!(
            "/oauth/authorize?response_type=code&client_id={}&redirect_uri={}&state=xyz&resource={}{extra}",
            enc(client_id),
            enc(redirect),
            enc(&format!("{}/mcp", self.origin())),
        )
    }

    /// Walks consent and the sandbox's sign-in as `user`; returns the final redirect's query.
    fn sign_in_with(&self, authorize: &str, user: &str) -> HashMap<String, String> {
        let (hubspot, state_cookie) = self.consent(authorize);
        let callback = self.hubspot_sign_in(&hubspot, user);
        let done = self.callback(&callback, Some(&state_cookie));
        assert_eq!(done.status, 302, "{done:?}");
        let to_client = done.header("location").unwrap().to_string();
        assert!(
            to_client.starts_with(REDIRECT.split('?').next().unwrap())
                || to_client.contains("/callback"),
            "{to_client}"
        );
        query_of(&to_client)
    }

    /// The consent page, then Allow: returns HubSpot's authorize URL and the cookie binding its state to
    /// this browser (the last `Set-Cookie` of the reply).
    fn consent(&self, authorize: &str) -> (String, String) {
        let page = self.c().request("GET", authorize, &[], "");
        assert_eq!(page.status, 200, "consent page: {page:?}");
        let cookie = page
            .header("set-cookie")
            .expect("CSRF cookie")
            .split(';')
            .next()
            .unwrap()
            .to_string();
        let mut fields = hidden_inputs(&page.body);
        fields.push(("decision".into(), "allow".into()));
        let pairs: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let to_hubspot = self.c().request(
            "POST",
            "/oauth/consent",
            &[
                ("Content-Type", "application/x-www-form-urlencoded"),
                ("Cookie", &cookie),
            ],
            &form(&pairs),
        );
        assert_eq!(to_hubspot.status, 302, "{to_hubspot:?}");
        let hubspot = to_hubspot.header("location").unwrap().to_string();
        let state_cookie = to_hubspot
            .header("set-cookie")
            .expect("state cookie")
            .split(';')
            .next()
            .unwrap()
            .to_string();
        assert!(state_cookie.starts_with("hsmcp_state="), "{state_cookie}");
        assert!(
            hubspot.starts_with(&format!("{}/oauth/authorize?", self.sb.base_url)),
            "{hubspot}"
        );
        (hubspot, state_cookie)
    }

    /// The sandbox's HubSpot sign-in as `user`: returns the callback URL HubSpot sends the browser to.
    fn hubspot_sign_in(&self, hubspot: &str, user: &str) -> String {
        let sb = self.sb.server.client();
        let path = hubspot.trim_start_matches(&self.sb.base_url);
        let login = sb.request("GET", path, &[], "");
        assert_eq!(login.status, 200, "{login:?}");
        let mut fields = hidden_inputs(&login.body);
        fields.retain(|(k, _)| k != "user" && k != "decision");
        fields.push(("user".into(), user.into()));
        fields.push(("decision".into(), "allow".into()));
        let pairs: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let back = sb.request(
            "POST",
            "/oauth/authorize",
            &[("Content-Type", "application/x-www-form-urlencoded")],
            &form(&pairs),
        );
        assert_eq!(back.status, 302, "{back:?}");
        let callback = back.header("location").unwrap().to_string();
        assert!(
            callback.starts_with(&format!("{}/oauth/callback?", self.origin())),
            "{callback}"
        );
        callback
    }

    /// The callback request, with the state cookie or without it.
    fn callback(&self, callback: &str, state_cookie: Option<&str>) -> Resp {
        let headers: Vec<(&str, &str)> = state_cookie.map(|c| ("Cookie", c)).into_iter().collect();
        self.c().request(
            "GET",
            callback.trim_start_matches(&self.origin()),
            &headers,
            "",
        )
    }

    fn token(&self, pairs: &[(&str, &str)]) -> Resp {
        self.c().request(
            "POST",
            "/oauth/token",
            &[("Content-Type", "application/x-www-form-urlencoded")],
            &form(pairs),
        )
    }

    fn exchange(&self, client_id: &str, code: &str) -> Resp {
        self.token(&[
            ("grant_type", "authorization_code"),
            ("client_id", client_id),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
        ])
    }

    /// A full sign-in as `user`: (access token, refresh token).
    fn tokens_for(&self, client_id: &str, user: &str) -> (String, String) {
        let url = self.authorize_url(
            client_id,
            REDIRECT,
            &format!("&code_challenge={CHALLENGE}&code_challenge_method=S256"),
        );
        let q = self.sign_in_with(&url, user);
        assert_eq!(q.get("state").map(String::as_str), Some("xyz"));
        assert_eq!(q.get("iss"), Some(&self.origin()));
        let r = self.exchange(client_id, &q["code"]);
        assert_eq!(r.status, 200, "{r:?}");
        let v = r.json();
        assert_eq!(v["token_type"], "Bearer");
        (
            v["access_token"].as_str().unwrap().into(),
            v["refresh_token"].as_str().unwrap().into(),
        )
    }

    fn as_user(&self, access: &str) -> Client {
        let mut c = self.c();
        c.bearer = Some(access.to_string());
        c
    }

    fn call(&self, access: &str, tool: &str, args: Value) -> Resp {
        self.as_user(access)
            .stateless(1, "tools/call", json!({"name": tool, "arguments": args}))
    }

    /// The HTTP status of a one-record list of `object_type` with `access`.
    fn status_of(&self, access: &str, object_type: &str) -> u16 {
        self.call(
            access,
            "hubspot_list_records",
            json!({"objectType": object_type, "limit": 1}),
        )
        .status
    }

    fn sandbox_requests(&self) -> Vec<Value> {
        let auth = format!("Bearer {SANDBOX_TOKEN}");
        let r = self.sb.server.client().request(
            "GET",
            "/__sandbox/requests",
            &[("Authorization", &auth)],
            "",
        );
        assert_eq!(r.status, 200, "{r:?}");
        r.json().as_array().cloned().unwrap_or_default()
    }
}

fn ids_of(result: &Resp) -> Vec<String> {
    let v = result.json();
    assert_eq!(v["result"]["isError"], false, "{v}");
    let sc = &v["result"]["structuredContent"];
    sc["results"]
        .as_array()
        .or_else(|| sc["records"].as_array())
        .unwrap_or_else(|| panic!("no records in {sc}"))
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn metadata_names_this_server_as_its_own_authorization_server() {
    let s = Setup::start(&[]);
    let origin = format!("http://127.0.0.1:{}", s.mcp.addr.port());
    let prm = s
        .c()
        .request("GET", "/.well-known/oauth-protected-resource/mcp", &[], "")
        .json();
    assert_eq!(prm["resource"], format!("{origin}/mcp"));
    assert_eq!(prm["authorization_servers"], json!([origin]));
    for path in [
        "/.well-known/oauth-authorization-server",
        "/.well-known/openid-configuration",
    ] {
        let m = s
            .c()
            .request("GET", path, &[("MCP-Protocol-Version", "2025-06-18")], "");
        assert_eq!(m.status, 200, "{path}");
        let m = m.json();
        assert_eq!(m["issuer"], origin.as_str());
        assert_eq!(m["code_challenge_methods_supported"], json!(["S256"]));
        assert_eq!(m["client_id_metadata_document_supported"], true);
        assert_eq!(m["token_endpoint"], format!("{origin}/oauth/token"));
        assert!(m["registration_endpoint"]
            .as_str()
            .unwrap()
            .ends_with("/oauth/register"));
    }
    // Without a token /mcp says where to look.
    let r = s.c().stateless(1, "tools/list", json!({}));
    assert_eq!(r.status, 401);
    assert!(
        r.header("www-authenticate")
            .unwrap()
            .contains("resource_metadata="),
        "{r:?}"
    );
}

#[test]
fn two_people_sign_in_and_each_acts_as_themselves() {
    let s = Setup::start(&[]);
    let client = s.register(REDIRECT);
    let (reader, _) = s.tokens_for(&client, "reader");
    let (owner, _) = s.tokens_for(&client, "owner");
    let list = json!({"objectType": "contacts", "limit": 100});
    let seen_by_reader = ids_of(&s.call(&reader, "hubspot_list_records", list.clone()));
    let seen_by_owner = ids_of(&s.call(&owner, "hubspot_list_records", list));
    assert!(!seen_by_owner.is_empty(), "the owner sees her own contacts");
    assert!(
        seen_by_owner.len() < seen_by_reader.len(),
        "owner {} vs reader {}",
        seen_by_owner.len(),
        seen_by_reader.len()
    );
    // The reader may not write: HubSpot refuses with its scopes error (and the server lists no write tool
    // when the grant carries no write scope, so either refusal is the reader's own).
    let create = s.call(
        &reader,
        "hubspot_create_record",
        json!({"objectType": "contacts", "properties": {"email": "x@example.com"}}),
    );
    let v = create.json();
    let refused = v["result"]["isError"] == true || v.get("error").is_some();
    assert!(refused, "reader wrote: {v}");
    // The sandbox saw each person's own token.
    let log = s.sandbox_requests();
    let users: std::collections::BTreeSet<String> = log
        .iter()
        .filter(|r| r["path"].as_str().unwrap_or("").starts_with("/crm/"))
        .map(|r| format!("{}|{}", r["user_id"], r["token"]))
        .collect();
    assert!(
        users.len() >= 2,
        "two users' tokens on CRM calls: {users:?}"
    );
    // No HubSpot token, refresh token, client secret or code in our logs.
    let logs = s.mcp.logs().join("\n");
    assert!(!logs.contains(CLIENT_SECRET));
    for r in &log {
        let prefix = r["token"].as_str().unwrap_or("").trim_end_matches('…');
        if prefix.len() >= 8 && prefix != &SANDBOX_TOKEN[..prefix.len().min(SANDBOX_TOKEN.len())] {
            assert!(
                !logs.contains(prefix),
                "a HubSpot token prefix {prefix} is in the logs"
            );
        }
    }
    assert!(
        !logs.contains("hsmcp_rt.") && !logs.contains("hsmcp_code.") && !logs.contains("hsmcp_at.")
    );
    // HubSpot's codes and refresh tokens (`na1-…`) and access tokens (`sbx-at-…`) went through this
    // server (callback, exchange, refresh): none is in a log line, whatever the level (debug here).
    assert!(
        !logs.contains("na1-") && !logs.contains("sbx-at-"),
        "a HubSpot code or token is logged"
    );
}

#[test]
fn refresh_rotates_and_a_replayed_refresh_token_revokes_the_grant() {
    let s = Setup::start(&[]);
    let client = s.register(REDIRECT);
    let (access, refresh) = s.tokens_for(&client, "reader");
    let next = s.token(&[
        ("grant_type", "refresh_token"),
        ("client_id", &client),
        ("refresh_token", &refresh),
    ]);
    assert_eq!(next.status, 200, "{next:?}");
    let next = next.json();
    let (access2, refresh2) = (
        next["access_token"].as_str().unwrap(),
        next["refresh_token"].as_str().unwrap(),
    );
    assert_ne!(refresh2, refresh);
    assert_eq!(s.status_of(access2, "companies"), 200);
    // The old refresh token again: refused, and the whole family is gone.
    let replay = s.token(&[
        ("grant_type", "refresh_token"),
        ("client_id", &client),
        ("refresh_token", &refresh),
    ]);
    assert_eq!(replay.status, 400);
    assert_eq!(replay.json()["error"], "invalid_grant");
    let after = s.token(&[
        ("grant_type", "refresh_token"),
        ("client_id", &client),
        ("refresh_token", refresh2),
    ]);
    assert_eq!(
        after.json()["error"],
        "invalid_grant",
        "the newest refresh token is revoked too"
    );
    for t in [access.as_str(), access2] {
        let r = s.call(
            t,
            "hubspot_list_records",
            json!({"objectType": "companies", "limit": 1}),
        );
        assert_eq!(r.status, 401, "access token of a revoked family: {r:?}");
    }
}

#[test]
fn expired_and_revoked_tokens_are_refused_and_the_client_refreshes() {
    let s = Setup::start(&[("OAUTH_ACCESS_TTL", "2")]);
    let client = s.register(REDIRECT);
    let (access, refresh) = s.tokens_for(&client, "owner");
    assert_eq!(s.status_of(&access, "deals"), 200);
    std::thread::sleep(Duration::from_millis(3100));
    let r = s.call(
        &access,
        "hubspot_list_records",
        json!({"objectType": "deals", "limit": 1}),
    );
    assert_eq!(r.status, 401);
    assert!(r
        .header("www-authenticate")
        .unwrap()
        .contains("invalid_token"));
    let fresh = s
        .token(&[
            ("grant_type", "refresh_token"),
            ("client_id", &client),
            ("refresh_token", &refresh),
        ])
        .json();
    let access2 = fresh["access_token"].as_str().unwrap();
    assert_eq!(s.status_of(access2, "deals"), 200);
    // RFC 7009: revoking the access token revokes the grant.
    let rv = s.c().request(
        "POST",
        "/oauth/revoke",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        &form(&[("client_id", &client), ("token", access2)]),
    );
    assert_eq!(rv.status, 200);
    assert_eq!(s.status_of(access2, "deals"), 401);
    let again = s.token(&[
        ("grant_type", "refresh_token"),
        ("client_id", &client),
        ("refresh_token", fresh["refresh_token"].as_str().unwrap()),
    ]);
    assert_eq!(again.json()["error"], "invalid_grant");
}

#[test]
fn pkce_code_and_redirect_refusals() {
    let s = Setup::start(&[]);
    let client = s.register(REDIRECT);
    // No challenge, and a plain one: back to the client with invalid_request, no consent page.
    for extra in [
        "",
        &format!("&code_challenge={VERIFIER}&code_challenge_method=plain"),
    ] {
        let r = s
            .c()
            .request("GET", &s.authorize_url(&client, REDIRECT, extra), &[], "");
        assert_eq!(r.status, 302, "{r:?}");
        let q = query_of(r.header("location").unwrap());
        assert_eq!(q["error"], "invalid_request");
        assert_eq!(q["state"], "xyz");
    }
    // A redirect URI that was not registered: an error page, never a redirect to it.
    let r = s.c().request(
        "GET",
        &s.authorize_url(
            &client,
            "https://evil.example/cb",
            &format!("&code_challenge={CHALLENGE}&code_challenge_method=S256"),
        ),
        &[],
        "",
    );
    assert_eq!(r.status, 400);
    assert!(r.header("location").is_none());
    assert_eq!(r.header("x-frame-options"), Some("DENY"));
    // Another resource: refused at authorize.
    let other = format!("/oauth/authorize?response_type=code&client_id={}&redirect_uri={}&code_challenge={CHALLENGE}&code_challenge_method=S256&resource={}", enc(&client), enc(REDIRECT), enc("https://other.example/mcp"));
    let r = s.c().request("GET", &other, &[], "");
    assert_eq!(
        query_of(r.header("location").unwrap())["error"],
        "invalid_target"
    );
    // Wrong verifier, then code reuse (which revokes what the first use issued).
    let url = s.authorize_url(
        &client,
        REDIRECT,
        &format!("&code_challenge={CHALLENGE}&code_challenge_method=S256"),
    );
    let code = s.sign_in_with(&url, "reader")["code"].clone();
    let wrong = s.token(&[
        ("grant_type", "authorization_code"),
        ("client_id", &client),
        ("code", &code),
        ("redirect_uri", REDIRECT),
        ("code_verifier", &"a".repeat(43)),
    ]);
    assert_eq!(wrong.json()["error"], "invalid_grant");
    let mismatch = s.token(&[
        ("grant_type", "authorization_code"),
        ("client_id", &client),
        ("code", &code),
        ("redirect_uri", "http://127.0.0.1:9/other"),
        ("code_verifier", VERIFIER),
    ]);
    assert_eq!(mismatch.json()["error"], "invalid_grant");
    let first = s.exchange(&client, &code);
    assert_eq!(first.status, 200, "{first:?}");
    let access = first.json()["access_token"].as_str().unwrap().to_string();
    let second = s.exchange(&client, &code);
    assert_eq!(second.json()["error"], "invalid_grant");
    assert_eq!(s.status_of(&access, "contacts"), 401);
    // Another client cannot use the code either.
    let other_client = s.register(REDIRECT);
    let code = s.sign_in_with(&url, "reader")["code"].clone();
    assert_eq!(
        s.exchange(&other_client, &code).json()["error"],
        "invalid_grant"
    );
}

#[test]
fn consent_needs_its_csrf_token() {
    let s = Setup::start(&[]);
    let client = s.register(REDIRECT);
    let url = s.authorize_url(
        &client,
        REDIRECT,
        &format!("&code_challenge={CHALLENGE}&code_challenge_method=S256"),
    );
    let page = s.c().request("GET", &url, &[], "");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Test client") && page.body.contains("127.0.0.1:9"));
    assert_eq!(page.header("x-frame-options"), Some("DENY"));
    let fields = hidden_inputs(&page.body);
    let request = &fields.iter().find(|(k, _)| k == "request").unwrap().1;
    let csrf = &fields.iter().find(|(k, _)| k == "csrf").unwrap().1;
    let post = |cookie: Option<&str>, csrf: Option<&str>| {
        let mut pairs = vec![("request", request.as_str()), ("decision", "allow")];
        if let Some(c) = csrf {
            pairs.push(("csrf", c));
        }
        let mut h = vec![("Content-Type", "application/x-www-form-urlencoded")];
        let cookie = cookie.map(|c| format!("hsmcp_csrf={c}"));
        if let Some(c) = &cookie {
            h.push(("Cookie", c));
        }
        s.c().request("POST", "/oauth/consent", &h, &form(&pairs))
    };
    for (cookie, token) in [
        (None, Some(csrf.as_str())),
        (Some(csrf.as_str()), None),
        (Some("other"), Some("other")),
    ] {
        let r = post(cookie, token);
        assert_eq!(r.status, 403, "cookie {cookie:?} token {token:?}: {r:?}");
        assert!(r.header("location").is_none());
    }
    assert_eq!(post(Some(csrf), Some(csrf)).status, 302);
}

#[test]
fn a_token_for_another_resource_is_refused_and_grants_survive_a_restart() {
    let s = Setup::start(&[]);
    let client = s.register(REDIRECT);
    let (access, refresh) = s.tokens_for(&client, "reader");
    // The same keys, another resource: its audience does not match.
    let other = start_mcp(&s.sb, &[("MCP_PUBLIC_URL", "http://localhost:1")]);
    let mut c = other.client();
    c.bearer = Some(access.clone());
    let r = c.stateless(1, "tools/list", json!({}));
    assert_eq!(r.status, 401, "{r:?}");
    assert!(r
        .header("www-authenticate")
        .unwrap()
        .contains("invalid_token"));
    // A restart (same keys, same port): the client carries on without signing in again.
    let port = s.mcp.addr.port().to_string();
    let Setup { sb, mut mcp, .. } = s;
    mcp.signal("TERM");
    mcp.wait_exit(Duration::from_secs(10)).unwrap();
    let restarted = start_mcp(&sb, &[("PORT", &port)]);
    let s = Setup {
        sb,
        mcp: restarted,
        public: None,
    };
    assert_eq!(s.status_of(&access, "contacts"), 200);
    let r = s.token(&[
        ("grant_type", "refresh_token"),
        ("client_id", &client),
        ("refresh_token", &refresh),
    ]);
    assert_eq!(r.status, 200, "{r:?}");
}

#[test]
fn registration_is_bounded_and_checked() {
    let s = Setup::start(&[("OAUTH_REGISTRATIONS_PER_HOUR", "5")]);
    for meta in [
        json!({"redirect_uris": ["http://evil.example/cb"]}),
        json!({"client_name": "x"}),
        json!({"redirect_uris": ["https://a.example/cb"], "grant_types": ["password"]}),
    ] {
        let r = s.c().request(
            "POST",
            "/oauth/register",
            &[("Content-Type", "application/json")],
            &meta.to_string(),
        );
        assert_eq!(r.status, 400, "{meta}: {r:?}");
        assert!(r.json()["error"].as_str().unwrap().starts_with("invalid_"));
    }
    let mut created = 0;
    let mut refused = 0;
    for _ in 0..12 {
        let r = s.c().request(
            "POST",
            "/oauth/register",
            &[("Content-Type", "application/json")],
            &json!({"redirect_uris": ["http://127.0.0.1/cb"]}).to_string(),
        );
        match r.status {
            201 => created += 1,
            429 => refused += 1,
            other => panic!("{other}: {r:?}"),
        }
    }
    assert!(
        created <= 5 && refused >= 7,
        "created {created}, refused {refused}"
    );
    // The server keeps serving.
    assert_eq!(s.c().request("GET", "/health", &[], "").status, 200);
}

#[test]
fn client_metadata_documents_on_private_addresses_are_refused() {
    // A document that would be served (its CA is trusted) but sits on loopback, with no exemption:
    // refused by the address guard, not by a failed connection.
    let docs = documents();
    let ca = docs.ca.to_string_lossy().into_owned();
    let s = Setup::start(&[("OAUTH_CIMD_CA_FILE", &ca)]);
    let served = format!("{}/good.json", docs.origin);
    for id in [
        served.as_str(),
        "https://127.0.0.1:1/client.json",
        "https://localhost:1/client.json",
        "https://10.0.0.1/client.json",
        "https://169.254.169.254/latest/meta-data/client.json",
        "https://[::1]:1/client.json",
        "https://[::ffff:127.0.0.1]:1/client.json",
    ] {
        let url = s.authorize_url(
            id,
            REDIRECT,
            &format!("&code_challenge={CHALLENGE}&code_challenge_method=S256"),
        );
        let r = s.c().request("GET", &url, &[], "");
        assert_eq!(r.status, 400, "{id}: {r:?}");
        assert!(r.header("location").is_none(), "{id}: no redirect");
        assert!(
            r.body.contains("not a public address"),
            "{id}: refused by the guard: {}",
            r.body
        );
    }
    let url = s.authorize_url(
        "http://example.com/client.json",
        REDIRECT,
        &format!("&code_challenge={CHALLENGE}&code_challenge_method=S256"),
    );
    let r = s.c().request("GET", &url, &[], "");
    assert_eq!(r.status, 400, "plain http: {r:?}");
}

/// A client ID metadata document server (`openssl s_server -HTTP`, a CA made here) with a good document
/// and bad ones; the server under test exempts its origin from the private-address refusal and trusts
/// its CA, as `OAUTH_CIMD_ALLOW_ORIGIN` / `OAUTH_CIMD_CA_FILE` allow outside production.
struct Documents {
    _tls: ChildGuard,
    /// After `_tls`: fields drop in order, so the server stops before its files go.
    _dir: crate::support::keys::TempDir,
    origin: String,
    ca: std::path::PathBuf,
}

struct ChildGuard(std::process::Child);
impl Drop for ChildGuard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn http_file(dir: &std::path::Path, name: &str, status: &str, headers: &str, body: &str) {
    let text = format!(
        "HTTP/1.0 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{headers}\r\n{body}",
        body.len()
    );
    std::fs::write(dir.join(name), text).unwrap();
}

fn documents() -> Documents {
    let tmp = crate::support::keys::TempDir::new();
    let dir = tmp.path().to_path_buf();
    // The port is known only once the server listens, and the documents must name their own URL: write
    // them with a placeholder port, start, then rewrite (s_server -HTTP reads a file per request).
    let (tls, port, ca) = crate::support::keys::https_file_server(&dir, "-HTTP");
    let origin = format!("https://127.0.0.1:{port}");
    let doc = |name: &str| {
        json!({
            "client_id": format!("{origin}/{name}"),
            "client_name": "Metadata Client",
            "redirect_uris": [REDIRECT],
            "token_endpoint_auth_method": "none",
        })
        .to_string()
    };
    http_file(
        &dir,
        "good.json",
        "200 OK",
        "Cache-Control: max-age=60\r\n",
        &doc("good.json"),
    );
    http_file(
        &dir,
        "redirect.json",
        "302 Found",
        "Location: https://127.0.0.1:1/good.json\r\n",
        "",
    );
    let mut big = json!({"client_id": format!("{origin}/big.json"), "redirect_uris": [REDIRECT]});
    big["padding"] = json!("x".repeat(6000));
    http_file(&dir, "big.json", "200 OK", "", &big.to_string());
    http_file(
        &dir,
        "wrong-id.json",
        "200 OK",
        "",
        &doc("someone-else.json"),
    );
    Documents {
        _tls: ChildGuard(tls),
        _dir: tmp,
        origin,
        ca,
    }
}

#[test]
fn a_client_id_metadata_document_client_signs_in_and_bad_documents_are_refused() {
    let docs = documents();
    let ca = docs.ca.to_string_lossy().into_owned();
    let s = Setup::start(&[
        ("OAUTH_CIMD_ALLOW_ORIGIN", &docs.origin),
        ("OAUTH_CIMD_CA_FILE", &ca),
    ]);
    let client_id = format!("{}/good.json", docs.origin);
    let url = s.authorize_url(
        &client_id,
        REDIRECT,
        &format!("&code_challenge={CHALLENGE}&code_challenge_method=S256"),
    );
    let page = s.c().request("GET", &url, &[], "");
    assert_eq!(page.status, 200, "{page:?}");
    assert!(
        page.body.contains("Metadata Client") && page.body.contains("127.0.0.1"),
        "{}",
        page.body
    );
    let (access, _) = s.tokens_for(&client_id, "owner");
    assert_eq!(s.status_of(&access, "contacts"), 200);
    for (bad, why) in [
        ("redirect.json", "redirects are not followed"),
        ("big.json", "larger than 5 KiB"),
        ("wrong-id.json", "must equal the URL"),
        // s_server -HTTP answers a missing file with a bare error line, not HTTP.
        ("missing.json", "is not JSON"),
    ] {
        let id = format!("{}/{bad}", docs.origin);
        let url = s.authorize_url(
            &id,
            REDIRECT,
            &format!("&code_challenge={CHALLENGE}&code_challenge_method=S256"),
        );
        let r = s.c().request("GET", &url, &[], "");
        assert_eq!(r.status, 400, "{bad}: {r:?}");
        assert!(r.header("location").is_none(), "{bad}");
        assert!(r.body.contains(why), "{bad}: {}", r.body);
    }
}

#[test]
fn a_slow_client_id_metadata_document_is_given_up_in_bounded_time() {
    // Accepts TCP and never answers the TLS handshake.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let held = std::thread::spawn(move || {
        let mut conns = Vec::new();
        listener.set_nonblocking(true).unwrap();
        let end = std::time::Instant::now() + Duration::from_secs(20);
        while std::time::Instant::now() < end {
            if let Ok((c, _)) = listener.accept() {
                conns.push(c);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    });
    let origin = format!("https://127.0.0.1:{port}");
    let s = Setup::start(&[("OAUTH_CIMD_ALLOW_ORIGIN", &origin)]);
    let url = s.authorize_url(
        &format!("{origin}/client.json"),
        REDIRECT,
        &format!("&code_challenge={CHALLENGE}&code_challenge_method=S256"),
    );
    let t = std::time::Instant::now();
    let r = s.c().request("GET", &url, &[], "");
    assert_eq!(r.status, 400, "{r:?}");
    assert!(
        t.elapsed() < Duration::from_secs(8),
        "took {:?}",
        t.elapsed()
    );
    assert_eq!(s.c().request("GET", "/health", &[], "").status, 200);
    drop(held);
}

#[test]
fn hubspot_tokens_are_refreshed_once_for_many_waiting_requests() {
    let s = Setup::start(&[]);
    let auth = format!("Bearer {SANDBOX_TOKEN}");
    let sb = s.sb.server.client();
    // HubSpot tokens that live 30 s: inside the server's 60 s margin, so the first calls must refresh.
    let set = sb.request(
        "POST",
        "/__sandbox/oauth",
        &[
            ("Authorization", &auth),
            ("Content-Type", "application/json"),
        ],
        &json!({"accessTokenTtlSeconds": 30}).to_string(),
    );
    assert_eq!(set.status, 200, "{set:?}");
    let client = s.register(REDIRECT);
    let (access, _) = s.tokens_for(&client, "owner");
    let refreshes = || {
        sb.request("GET", "/__sandbox/oauth", &[("Authorization", &auth)], "")
            .json()["refreshes"]
            .as_u64()
            .unwrap()
    };
    let before = refreshes();
    let calls: Vec<_> = (0..8)
        .map(|_| {
            let c = s.as_user(&access);
            std::thread::spawn(move || c.stateless(1, "tools/call", json!({"name": "hubspot_list_records", "arguments": {"objectType": "contacts", "limit": 1}})).status)
        })
        .collect();
    for c in calls {
        assert_eq!(c.join().unwrap(), 200);
    }
    assert_eq!(
        refreshes() - before,
        1,
        "one refresh for eight waiting requests"
    );
    // The refreshed token is the one the sandbox saw on the calls after it.
    let log = s.sandbox_requests();
    let tokens: std::collections::BTreeSet<_> = log
        .iter()
        .filter(|r| r["user_id"].is_u64())
        .map(|r| r["token"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        tokens.len(),
        1,
        "every call used the refreshed token: {tokens:?}"
    );
}

#[test]
fn two_replicas_on_one_redis_share_grants_and_reuse_detection() {
    let redis = crate::support::redis_server::RedisServer::start(&[]);
    let url = redis.url();
    let sb = std::rc::Rc::new(SandboxProc::start());
    // Two replicas behind one public URL (one issuer, one resource), the same keys, one Redis.
    let public = "http://127.0.0.1:1".to_string();
    let replica = |sb: &std::rc::Rc<SandboxProc>| Setup {
        sb: std::rc::Rc::clone(sb),
        mcp: start_mcp(sb, &[("REDIS_URL", &url), ("MCP_PUBLIC_URL", &public)]),
        public: Some(public.clone()),
    };
    let (a, b) = (replica(&sb), replica(&sb));
    // Registration and sign-in on A, the code traded on B, the token used on A.
    let client = a.register(REDIRECT);
    let authorize = a.authorize_url(
        &client,
        REDIRECT,
        &format!("&code_challenge={CHALLENGE}&code_challenge_method=S256"),
    );
    let code = a.sign_in_with(&authorize, "owner")["code"].clone();
    let t = b.exchange(&client, &code);
    assert_eq!(t.status, 200, "{t:?}");
    let v = t.json();
    let (access, refresh) = (
        v["access_token"].as_str().unwrap(),
        v["refresh_token"].as_str().unwrap(),
    );
    assert_eq!(a.status_of(access, "contacts"), 200, "A honours B's token");
    // The code again, at A: already used (Redis says so), and what it issued is revoked everywhere.
    assert_eq!(a.exchange(&client, &code).json()["error"], "invalid_grant");
    assert_eq!(b.status_of(access, "contacts"), 401);
    // A fresh grant: refresh on A, then the same refresh token replayed on B.
    let code = a.sign_in_with(&authorize, "owner")["code"].clone();
    let v = a.exchange(&client, &code).json();
    let (access, refresh_2) = (
        v["access_token"].as_str().unwrap(),
        v["refresh_token"].as_str().unwrap(),
    );
    let _ = refresh;
    let r = a.token(&[
        ("grant_type", "refresh_token"),
        ("client_id", &client),
        ("refresh_token", refresh_2),
    ]);
    assert_eq!(r.status, 200, "{r:?}");
    let replay = b.token(&[
        ("grant_type", "refresh_token"),
        ("client_id", &client),
        ("refresh_token", refresh_2),
    ]);
    assert_eq!(
        replay.json()["error"],
        "invalid_grant",
        "a replay seen through Redis"
    );
    assert_eq!(
        a.status_of(access, "contacts"),
        401,
        "the family is revoked on A too"
    );
}

#[test]
fn only_allowed_portals_get_a_token() {
    // The sandbox's portal is not in the list: HubSpot signs the person in, this server refuses.
    let s = Setup::start(&[("HUBSPOT_ALLOWED_PORTALS", "1,2")]);
    let client = s.register(REDIRECT);
    let url = s.authorize_url(
        &client,
        REDIRECT,
        &format!("&code_challenge={CHALLENGE}&code_challenge_method=S256"),
    );
    let q = s.sign_in_with(&url, "owner");
    assert_eq!(
        q.get("error").map(String::as_str),
        Some("access_denied"),
        "{q:?}"
    );
    assert!(!q.contains_key("code"));
    assert_eq!(q["state"], "xyz");
}

#[test]
fn keys_rotate_without_signing_anyone_out() {
    const NEW: &str = "oauth-rotated-key-fedcba9876543210fedcba9876543210";
    let s = Setup::start(&[]);
    let client = s.register(REDIRECT);
    let (access, refresh) = s.tokens_for(&client, "reader");
    let port = s.mcp.addr.port().to_string();
    let Setup { sb, mut mcp, .. } = s;
    let restart = |keys: &str, mcp: &mut Server| {
        mcp.signal("TERM");
        mcp.wait_exit(Duration::from_secs(10)).unwrap();
        *mcp = start_mcp(&sb, &[("PORT", &port), ("OAUTH_KEYS", keys)]);
    };
    // A new key first, the old one kept: old tokens still open, new ones are sealed with the new key.
    restart(&format!("{NEW},{KEY}"), &mut mcp);
    let s = Setup {
        sb: std::rc::Rc::clone(&sb),
        mcp,
        public: None,
    };
    assert_eq!(s.status_of(&access, "contacts"), 200);
    let v = s
        .token(&[
            ("grant_type", "refresh_token"),
            ("client_id", &client),
            ("refresh_token", &refresh),
        ])
        .json();
    let (access_2, refresh_2) = (
        v["access_token"].as_str().unwrap().to_string(),
        v["refresh_token"].as_str().unwrap().to_string(),
    );
    // The old key dropped: what it sealed no longer opens (the client id too); what the new one sealed does.
    let Setup { mut mcp, .. } = s;
    restart(NEW, &mut mcp);
    let s = Setup {
        sb,
        mcp,
        public: None,
    };
    assert_eq!(s.status_of(&access, "contacts"), 401);
    assert_eq!(s.status_of(&access_2, "contacts"), 200);
    let _ = refresh_2;
}

#[test]
fn consent_cannot_be_skipped_with_someone_elses_hubspot_link() {
    // An attacker consents for their own client, then hands HubSpot's link (carrying the state) to a
    // victim: the victim signs in at HubSpot, but this server's callback is not in the consenting browser.
    let s = Setup::start(&[]);
    let client = s.register(REDIRECT);
    let authorize = s.authorize_url(
        &client,
        REDIRECT,
        &format!("&code_challenge={CHALLENGE}&code_challenge_method=S256"),
    );
    let (hubspot, state_cookie) = s.consent(&authorize);
    let victim = s.hubspot_sign_in(&hubspot, "owner");
    for cookie in [None, Some("hsmcp_state=0123456789abcdef0123456789abcdef")] {
        let r = s.callback(&victim, cookie);
        assert_eq!(r.status, 400, "{r:?}");
        assert!(r.header("location").is_none(), "no code for anyone: {r:?}");
    }
    // In the consenting browser it works, once.
    let callback = s.hubspot_sign_in(&hubspot, "owner");
    let ok = s.callback(&callback, Some(&state_cookie));
    assert_eq!(ok.status, 302, "{ok:?}");
    assert!(ok.header("location").unwrap().contains("code="));
    let again = s.callback(&s.hubspot_sign_in(&hubspot, "owner"), Some(&state_cookie));
    assert_eq!(again.status, 400, "a state is single-use: {again:?}");
}

/// `oauth` mode: an approval page decides only for the person it was asked for, signed in through
/// HubSpot in this browser (the MCP client's own sign-in counts, or one started from the page).
#[test]
fn the_approval_page_needs_its_person_signed_in() {
    let s = Setup::start(&[]);
    let client_id = s.register(REDIRECT);
    let pkce = format!("&code_challenge={CHALLENGE}&code_challenge_method=S256");
    // The owner connects a client; the callback also signs this browser in for approval pages.
    let sign_in = |user: &str| {
        let (hubspot, state_cookie) = s.consent(&s.authorize_url(&client_id, REDIRECT, &pkce));
        let done = s.callback(&s.hubspot_sign_in(&hubspot, user), Some(&state_cookie));
        assert_eq!(done.status, 302, "{done:?}");
        let person = done.cookie();
        assert!(person.starts_with("hsmcp_person="), "{person}");
        let code = query_of(done.header("location").unwrap())["code"].clone();
        let access = s.exchange(&client_id, &code).json()["access_token"]
            .as_str()
            .unwrap()
            .to_string();
        (access, person)
    };
    let (owner, owner_cookie) = sign_in("owner");
    let (_, reader_cookie) = sign_in("reader");
    let list = s.call(
        &owner,
        "hubspot_list_records",
        json!({"objectType": "contacts", "limit": 1}),
    );
    let id = ids_of(&list)[0].clone();
    let r = s
        .call(
            &owner,
            "hubspot_archive_record",
            json!({"objectType": "contacts", "id": id}),
        )
        .json();
    let text = r["result"]["content"][0]["text"]
        .as_str()
        .unwrap()
        .to_string();
    let (path, aid) = crate::approvals::link_of(&text);
    // Nobody signed in, or someone else: a way to sign in, nothing of the change, no decision.
    for cookie in [None, Some(reader_cookie.as_str())] {
        let h: Vec<(&str, &str)> = cookie.map(|c| ("Cookie", c)).into_iter().collect();
        let page = s.c().request("GET", &path, &h, "");
        assert_eq!(page.status, 403, "{page:?}");
        assert!(!page.body.contains(&id), "the change shown to {cookie:?}");
        assert!(page.body.contains("/oauth/signin?next="), "{}", page.body);
    }
    // The reader, holding the page's CSRF token as served to the owner, still cannot decide.
    let page = s
        .c()
        .request("GET", &path, &[("Cookie", &owner_cookie)], "");
    assert_eq!(page.status, 200, "{page:?}");
    let csrf_cookie = page.cookie();
    let csrf = csrf_cookie.split_once('=').unwrap().1.to_string();
    let origin = s.origin();
    let reader_post = s.c().request(
        "POST",
        &path,
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Cookie", &format!("{csrf_cookie}; {reader_cookie}")),
            ("Origin", &origin),
        ],
        &format!("csrf={csrf}&decision=approve"),
    );
    assert_eq!(reader_post.status, 403, "the reader cannot decide");
    // The owner's browser decides.
    assert_eq!(
        s.c().decide_on_page(&path, "approve", Some(&owner_cookie)),
        200
    );
    let r = s
        .call(
            &owner,
            "hubspot_archive_record",
            json!({"objectType": "contacts", "id": id, "approvalId": aid}),
        )
        .json();
    assert_eq!(r["result"]["isError"], false, "{r}");

    // A sign-in started from the page: HubSpot, back through the callback, to the page, signed in.
    let r = s
        .call(&owner, "hubspot_archive_record", json!({"objectType": "contacts", "id": ids_of(&s.call(&owner, "hubspot_list_records", json!({"objectType": "contacts", "limit": 1})))[0]}))
        .json();
    let (path, _) = crate::approvals::link_of(r["result"]["content"][0]["text"].as_str().unwrap());
    let start = s.c().request(
        "GET",
        &format!("/oauth/signin?next={}", enc(&path)),
        &[],
        "",
    );
    assert_eq!(start.status, 302, "{start:?}");
    let state_cookie = start.cookie();
    let callback = s.hubspot_sign_in(start.header("location").unwrap(), "owner");
    let back = s.callback(&callback, Some(&state_cookie));
    assert_eq!(back.status, 302, "{back:?}");
    assert_eq!(back.header("location"), Some(path.as_str()));
    let cookie = back.cookie();
    let page = s.c().request("GET", &path, &[("Cookie", &cookie)], "");
    assert_eq!(page.status, 200, "{page:?}");
    // Only approval pages are places to come back to.
    let evil = s.c().request(
        "GET",
        "/oauth/signin?next=https%3A%2F%2Fevil.example%2F",
        &[],
        "",
    );
    assert_eq!(evil.status, 400);
}

/// The authorize URL of a client asking for a token for `path` on this server (RFC 8707 `resource`).
fn authorize_for(s: &Setup, client: &str, path: &str) -> String {
    s.authorize_url(
        client,
        REDIRECT,
        &format!("&code_challenge={CHALLENGE}&code_challenge_method=S256"),
    )
    .replace(
        &enc(&format!("{}/mcp", s.origin())),
        &enc(&format!("{}{path}", s.origin())),
    )
}

#[test]
fn a_token_for_a_profile_works_there_and_not_on_wider_endpoints() {
    let s = Setup::start(&[]);
    let client = s.register(REDIRECT);
    // The client connected to /mcp/sales: it asks for a token for that resource (RFC 8707).
    let url = authorize_for(&s, &client, "/mcp/sales");
    let q = s.sign_in_with(&url, "reader");
    let r = s.exchange(&client, &q["code"]);
    assert_eq!(r.status, 200, "{r:?}");
    let sales_token = r.json()["access_token"].as_str().unwrap().to_string();
    let list_at = |token: &str, path: &str| {
        let c = s.as_user(token);
        let body = crate::support::stateless_body(1, "tools/list", json!({}));
        c.request(
            "POST",
            path,
            &[
                ("Content-Type", "application/json"),
                ("Accept", crate::support::ACCEPT),
                ("MCP-Protocol-Version", "2026-07-28"),
                ("Mcp-Method", "tools/list"),
            ],
            &body.to_string(),
        )
    };
    assert_eq!(list_at(&sales_token, "/mcp/sales").status, 200);
    for wider in ["/mcp", "/mcp/admin"] {
        let r = list_at(&sales_token, wider);
        assert_eq!(r.status, 401, "{wider}: {r:?}");
        assert!(r
            .header("www-authenticate")
            .unwrap()
            .contains("invalid_token"));
    }
    // A token for every tool covers a profile's subset.
    let (all_token, _) = s.tokens_for(&client, "reader");
    assert_eq!(list_at(&all_token, "/mcp/sales").status, 200);
    assert_eq!(list_at(&all_token, "/mcp").status, 200);
    // The profile's metadata names its own resource and the audiences its endpoint takes.
    let meta = s
        .c()
        .request(
            "GET",
            "/.well-known/oauth-protected-resource/mcp/sales",
            &[],
            "",
        )
        .json();
    let origin = s.origin();
    assert_eq!(meta["resource"], format!("{origin}/mcp/sales"));
    assert_eq!(
        meta["accepted_audiences"],
        json!([format!("{origin}/mcp/sales"), format!("{origin}/mcp")])
    );
    assert_eq!(meta["authorization_servers"], json!([origin]));
    // A resource that is no profile is refused at authorize.
    let bad = authorize_for(&s, &client, "/mcp/nope");
    let r = s.c().request("GET", &bad, &[], "");
    assert!(r.status == 302 || r.status == 400, "{r:?}");
    let said = format!("{} {}", r.header("location").unwrap_or(""), r.body);
    assert!(said.contains("invalid_target"), "{said}");
}
