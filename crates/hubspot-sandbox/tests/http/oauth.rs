//! HubSpot OAuth over HTTP: the sign-in page, the code flow for each of the two users, the token,
//! introspection and revocation endpoints and their refusals, the users' permissions on API calls
//! (scopes, "owned records only"), expired tokens, and the request log.

use std::collections::HashMap;
use std::time::Duration;

use hubspot_sandbox::{SandboxOptions, OAUTH_CLIENT_ID, OAUTH_CLIENT_SECRET, OAUTH_USERS};
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use serde_json::{json, Value};

use crate::client::{ids, send_raw, try_send, Resp, T, TOKEN};

const REDIRECT: &str = "https://app.example/oauth/callback?from=sandbox";
const SCOPE: &str = "oauth crm.objects.contacts.read crm.objects.contacts.write";
const OPTIONAL: &str = "crm.objects.companies.read crm.objects.deals.read e-commerce tickets";
const FORM: &str = "application/x-www-form-urlencoded";

/// Olive Owner's owner id (the seeded owner whose userId is hers).
const OLIVE_OWNER_ID: &str = "75000002";

fn enc(s: &str) -> String {
    utf8_percent_encode(s, NON_ALPHANUMERIC).to_string()
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
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| {
            let v = percent_encoding::percent_decode_str(v).decode_utf8_lossy();
            (k.to_string(), v.into_owned())
        })
        .collect()
}

fn user(login: &str) -> &'static hubspot_sandbox::OAuthUser {
    OAUTH_USERS.iter().find(|u| u.login == login).unwrap()
}

/// The authorize URL's path and query.
fn authorize_path(pairs: &[(&str, &str)]) -> String {
    format!("/oauth/authorize?{}", form(pairs))
}

fn standard_request() -> Vec<(&'static str, &'static str)> {
    vec![
        ("client_id", OAUTH_CLIENT_ID),
        ("redirect_uri", REDIRECT),
        ("scope", SCOPE),
        ("optional_scope", OPTIONAL),
        ("state", "st-42 &x"),
    ]
}

impl T {
    fn form_post(&self, path: &str, pairs: &[(&str, &str)]) -> Resp {
        send_raw(
            &self.base,
            "POST",
            path,
            &[("Content-Type", FORM)],
            Some(&form(pairs)),
        )
        .unwrap()
    }

    fn as_token(&self, token: &str, method: &str, path: &str, body: Option<&Value>) -> Resp {
        try_send(&self.base, method, path, Some(token), body).unwrap()
    }

    /// The sign-in page for the standard request, then the form posted as `login`: the callback's query.
    fn sign_in(&self, login: &str) -> HashMap<String, String> {
        let page = send_raw(
            &self.base,
            "GET",
            &authorize_path(&standard_request()),
            &[],
            None,
        )
        .unwrap();
        assert_eq!(page.status, 200, "{}", page.raw);
        let mut pairs = standard_request();
        pairs.push(("user", login));
        pairs.push(("decision", "allow"));
        let back = self.form_post("/oauth/authorize", &pairs);
        assert_eq!(back.status, 302, "{}", back.raw);
        let location = back.header("location").unwrap();
        assert!(
            location.starts_with("https://app.example/oauth/callback?from=sandbox&code=na1-"),
            "{location}"
        );
        query_of(location)
    }

    fn exchange(&self, code: &str) -> Resp {
        self.form_post(
            "/oauth/2026-03/token",
            &[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", REDIRECT),
                ("client_id", OAUTH_CLIENT_ID),
                ("client_secret", OAUTH_CLIENT_SECRET),
            ],
        )
    }

    /// A full sign-in as `login`: the token response.
    fn tokens(&self, login: &str) -> Value {
        let q = self.sign_in(login);
        let r = self.exchange(&q["code"]);
        assert_eq!(r.status, 200, "{}", r.raw);
        r.body
    }

    fn refresh(&self, path: &str, refresh: &str) -> Resp {
        self.form_post(
            path,
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh),
                ("client_id", OAUTH_CLIENT_ID),
                ("client_secret", OAUTH_CLIENT_SECRET),
            ],
        )
    }

    fn token_call(&self, what: &str, token: &str, hint: &str) -> Resp {
        self.form_post(
            &format!("/oauth/2026-03/token/{what}"),
            &[
                ("client_id", OAUTH_CLIENT_ID),
                ("client_secret", OAUTH_CLIENT_SECRET),
                ("token", token),
                ("token_type_hint", hint),
            ],
        )
    }
}

fn access(v: &Value) -> String {
    v["access_token"].as_str().unwrap().to_string()
}

#[test]
fn sign_in_page_lists_both_users_and_refuses_bad_requests() {
    let t = T::start();
    let page = send_raw(
        &t.base,
        "GET",
        &authorize_path(&standard_request()),
        &[],
        None,
    )
    .unwrap();
    assert_eq!(page.status, 200);
    assert!(page
        .header("content-type")
        .unwrap()
        .starts_with("text/html"));
    assert_eq!(page.header("cache-control"), Some("no-store"));
    for u in OAUTH_USERS {
        assert!(page.raw.contains(u.name) && page.raw.contains(u.email));
        assert!(page.raw.contains(&format!(
            "<input type=\"radio\" id=\"user-{0}\" name=\"user\" value=\"{0}\"",
            u.login
        )));
    }
    assert!(page
        .raw
        .contains("<form method=\"post\" action=\"/oauth/authorize\">"));
    assert!(page
        .raw
        .contains("<input type=\"hidden\" name=\"state\" value=\"st-42 &amp;x\">"));
    assert!(page.raw.contains("<label for=\"user-reader\">"));
    assert!(!page.raw.contains("<script"));

    // Bad requests: an HTML error page, never a redirect.
    let mut cases: Vec<(Vec<(&str, &str)>, &str)> = Vec::new();
    let with = |k: &'static str, v: &'static str| {
        let mut p: Vec<(&str, &str)> = standard_request()
            .into_iter()
            .filter(|(n, _)| *n != k)
            .collect();
        if !v.is_empty() {
            p.push((k, v));
        }
        p
    };
    cases.push((with("client_id", "someone-else"), "Unknown client_id"));
    cases.push((with("client_id", ""), "client_id parameter is missing"));
    cases.push((with("redirect_uri", "/relative/cb"), "Invalid redirect_uri"));
    cases.push((
        with("redirect_uri", "javascript:alert(1)"),
        "Invalid redirect_uri",
    ));
    cases.push((with("redirect_uri", "https://h/cb#frag"), "fragment"));
    cases.push((with("scope", ""), "scope parameter is missing"));
    cases.push((
        with("scope", "oauth crm.objects.contacts.delete"),
        "Unknown scope",
    ));
    for (pairs, says) in &cases {
        let r = send_raw(&t.base, "GET", &authorize_path(pairs), &[], None).unwrap();
        assert_eq!(r.status, 400, "{pairs:?}");
        assert!(r.header("location").is_none());
        assert!(r.header("content-type").unwrap().starts_with("text/html"));
        assert!(r.raw.contains(says), "{pairs:?}: {}", r.raw);
        // The form post checks the same.
        let mut posted = pairs.clone();
        posted.extend([("user", "reader"), ("decision", "allow")]);
        let r = t.form_post("/oauth/authorize", &posted);
        assert_eq!(r.status, 400, "{posted:?}");
        assert!(r.header("location").is_none());
    }

    // Deny: back to the app with access_denied and the state.
    let mut pairs = standard_request();
    pairs.push(("decision", "deny"));
    let denied = t.form_post("/oauth/authorize", &pairs);
    assert_eq!(denied.status, 302);
    let q = query_of(denied.header("location").unwrap());
    assert_eq!(q["error"], "access_denied");
    assert!(!q["error_description"].is_empty());
    assert_eq!(q["state"], "st-42 &x");
    assert!(!q.contains_key("code"));
    // Allow without a user, or with an unknown one, or no decision: 400.
    for extra in [
        vec![("decision", "allow")],
        vec![("decision", "allow"), ("user", "mallory")],
        vec![("user", "reader")],
    ] {
        let mut pairs = standard_request();
        pairs.extend(extra);
        assert_eq!(t.form_post("/oauth/authorize", &pairs).status, 400);
    }
    // The form must be a form.
    let json_post = t.post("/oauth/authorize", json!({"user": "reader"}));
    assert_eq!(json_post.status, 400);
}

#[test]
fn code_flow_for_each_user() {
    let t = T::start();
    for login in ["reader", "owner"] {
        let u = user(login);
        let q = t.sign_in(login);
        assert_eq!(q["state"], "st-42 &x");
        assert_eq!(q["from"], "sandbox");
        let tok = t.exchange(&q["code"]);
        assert_eq!(tok.status, 200, "{}", tok.raw);
        assert_eq!(tok.header("cache-control"), Some("no-store"));
        let v = &tok.body;
        assert_eq!(v["token_type"], "bearer");
        assert_eq!(v["token_use"], "access_token");
        assert_eq!(v["expires_in"], 1800);
        assert_eq!(v["hub_id"], 24_681_357);
        assert_eq!(v["user_id"], u.user_id);
        let scopes: Vec<&str> = v["scopes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap())
            .collect();
        assert!(scopes.contains(&"oauth") && scopes.contains(&"crm.objects.deals.read"));
        assert!(
            !scopes.contains(&"crm.objects.quotes.read"),
            "not requested"
        );
        if login == "reader" {
            assert!(
                scopes.iter().all(|s| *s == "oauth" || s.ends_with(".read")),
                "{scopes:?}"
            );
        } else {
            assert!(scopes.contains(&"crm.objects.contacts.write") && scopes.contains(&"tickets"));
        }
        let at = access(v);
        let rt = v["refresh_token"].as_str().unwrap().to_string();
        assert!(at.starts_with("sbx-at-") && rt.starts_with("na1-"));

        // Introspection: the user, a user-level app.
        let info = t.token_call("introspect", &at, "access_token");
        assert_eq!(info.status, 200, "{}", info.raw);
        let i = &info.body;
        assert_eq!(i["active"], true);
        assert_eq!(i["token"], at.as_str());
        assert_eq!(i["user_id"], u.user_id);
        assert_eq!(i["user"], u.email);
        assert_eq!(i["hub_id"], 24_681_357);
        assert_eq!(i["client_id"], OAUTH_CLIENT_ID);
        assert_eq!(i["token_use"], "access_token");
        assert_eq!(i["token_type"], "Bearer");
        assert_eq!(i["scopes"], v["scopes"]);
        assert!(i["expires_in"].as_u64().unwrap() <= 1800);
        assert!(i["app_id"].is_u64() && i["hub_domain"].is_string());
        let sat = &i["signed_access_token"];
        assert_eq!(sat["isUserLevel"], true);
        assert_eq!(sat["userId"], u.user_id);
        assert_eq!(sat["hubId"], 24_681_357);
        assert_eq!(sat["hublet"], "na1");
        assert!(sat["expiresAt"].as_i64().unwrap() > 1_700_000_000_000);
        for k in [
            "signature",
            "newSignature",
            "scopes",
            "appInstallId",
            "audience",
        ] {
            assert!(sat[k].is_string(), "{k}");
        }
        let rinfo = t.token_call("introspect", &rt, "refresh_token");
        assert_eq!(rinfo.body["active"], true);
        assert_eq!(rinfo.body["token_use"], "refresh_token");
        assert_eq!(rinfo.body["user_id"], u.user_id);
        assert!(rinfo.body.get("expires_in").is_none());
        assert!(rinfo.body.get("signed_access_token").is_none());

        // Refresh: a new access token, the same refresh token (also on the v3 and v1 paths).
        let mut latest = at.clone();
        for path in ["/oauth/2026-03/token", "/oauth/v3/token", "/oauth/v1/token"] {
            let r = t.refresh(path, &rt);
            assert_eq!(r.status, 200, "{path}: {}", r.raw);
            assert_eq!(r.body["refresh_token"], rt.as_str());
            assert_eq!(r.body["user_id"], u.user_id);
            let next = access(&r.body);
            assert_ne!(next, latest);
            latest = next;
        }
        assert_eq!(
            t.as_token(&latest, "GET", "/crm/v3/objects/contacts?limit=1", None)
                .status,
            200
        );

        // Revoke the refresh token: it and its access tokens are dead.
        let revoked = t.token_call("revoke", &rt, "refresh_token");
        assert_eq!(revoked.status, 204, "{}", revoked.raw);
        for token in [&rt, &at, &latest] {
            let r = t.token_call("introspect", token, "access_token");
            assert_eq!((r.status, &r.body), (200, &json!({"active": false})));
        }
        let again = t.refresh("/oauth/2026-03/token", &rt);
        assert_eq!(again.status, 400);
        assert_eq!(again.body["error"], "invalid_grant");
        assert_eq!(again.body["status"], "BAD_REFRESH_TOKEN");
        let call = t.as_token(&latest, "GET", "/crm/v3/objects/contacts?limit=1", None);
        assert_eq!(call.status, 401);
        assert_eq!(call.body["category"], "INVALID_AUTHENTICATION");
    }
    // Revoking an unknown token is not an error (RFC 7009).
    assert_eq!(t.token_call("revoke", "na1-nope", "").status, 204);
    // The token endpoints are counted in the statistics.
    assert_eq!(t.sb.stats().count("POST /oauth/2026-03/token"), 6);
}

#[test]
fn codes_are_single_use_and_clients_must_authenticate() {
    let t = T::start();
    let code = t.sign_in("reader")["code"].clone();
    let mut pairs = vec![
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT),
        ("client_id", OAUTH_CLIENT_ID),
        ("client_secret", "wrong-secret"),
    ];
    let wrong = t.form_post("/oauth/2026-03/token", &pairs);
    assert_eq!(wrong.status, 401, "{}", wrong.raw);
    assert_eq!(wrong.body["error"], "invalid_client");
    pairs[4] = ("client_secret", OAUTH_CLIENT_SECRET);
    pairs[3] = ("client_id", "other-client");
    assert_eq!(t.form_post("/oauth/2026-03/token", &pairs).status, 401);
    pairs[3] = ("client_id", OAUTH_CLIENT_ID);
    // Missing parameters.
    for drop in ["code", "redirect_uri", "client_secret", "grant_type"] {
        let p: Vec<_> = pairs.iter().copied().filter(|(k, _)| *k != drop).collect();
        let r = t.form_post("/oauth/2026-03/token", &p);
        assert_eq!(r.status, 400, "{drop}");
        assert_eq!(r.body["error"], "invalid_request", "{drop}");
        assert!(r.body["error_description"].as_str().unwrap().contains(drop));
    }
    // Not a form; an unknown grant type.
    let as_json = t.post(
        "/oauth/2026-03/token",
        json!({"grant_type": "authorization_code"}),
    );
    assert_eq!(
        (as_json.status, &as_json.body["error"]),
        (400, &json!("invalid_request"))
    );
    let mut cc = pairs.clone();
    cc[0] = ("grant_type", "client_credentials");
    assert_eq!(
        t.form_post("/oauth/2026-03/token", &cc).body["error"],
        "unsupported_grant_type"
    );
    // A redirect_uri other than the authorization's: refused, and the code is spent.
    let mut other = pairs.clone();
    other[2] = ("redirect_uri", "https://app.example/oauth/callback");
    let mismatch = t.form_post("/oauth/2026-03/token", &other);
    assert_eq!(mismatch.status, 400);
    assert_eq!(mismatch.body["error"], "invalid_grant");
    assert_eq!(mismatch.body["status"], "BAD_AUTH_CODE");
    assert_eq!(mismatch.body["message"], mismatch.body["error_description"]);
    assert_eq!(t.form_post("/oauth/2026-03/token", &pairs).status, 400);
    // A fresh code works once; its reuse is refused.
    let code = t.sign_in("owner")["code"].clone();
    assert_eq!(t.exchange(&code).status, 200);
    let reuse = t.exchange(&code);
    assert_eq!(reuse.status, 400);
    assert_eq!(reuse.body["error"], "invalid_grant");
    assert_eq!(reuse.body["status"], "BAD_AUTH_CODE");
    assert_eq!(t.exchange("na1-made-up").body["status"], "BAD_AUTH_CODE");
    // Introspection and revocation authenticate the client too; unknown tokens are inactive.
    let bad = t.form_post(
        "/oauth/2026-03/token/introspect",
        &[
            ("client_id", OAUTH_CLIENT_ID),
            ("client_secret", "nope"),
            ("token", "sbx-at-x"),
        ],
    );
    assert_eq!(
        (bad.status, &bad.body["error"]),
        (401, &json!("invalid_client"))
    );
    let bad = t.form_post(
        "/oauth/2026-03/token/revoke",
        &[
            ("client_id", "x"),
            ("client_secret", OAUTH_CLIENT_SECRET),
            ("token", "t"),
        ],
    );
    assert_eq!(bad.status, 401);
    assert_eq!(
        t.token_call("introspect", "sbx-at-unknown", "access_token")
            .body,
        json!({"active": false})
    );
    // No bearer token is needed (nor looked at) on these endpoints.
    let with_bearer = send_raw(
        &t.base,
        "POST",
        "/oauth/2026-03/token/introspect",
        &[("Content-Type", FORM), ("Authorization", "Bearer whatever")],
        Some(&form(&[
            ("client_id", OAUTH_CLIENT_ID),
            ("client_secret", OAUTH_CLIENT_SECRET),
            ("token", "x"),
        ])),
    )
    .unwrap();
    assert_eq!(with_bearer.status, 200);
}

#[test]
fn the_reader_may_not_write() {
    let t = T::start();
    let reader = access(&t.tokens("reader"));
    let list = t.as_token(&reader, "GET", "/crm/v3/objects/contacts?limit=100", None);
    assert_eq!(list.status, 200);
    assert_eq!(ids(&list.body).len(), 100, "the reader sees every contact");
    assert_eq!(
        t.as_token(&reader, "GET", "/crm/v3/objects/contacts/101", None)
            .status,
        200
    );
    let create = json!({"properties": {"email": "new.person@example.com"}});
    let w = t.as_token(&reader, "POST", "/crm/v3/objects/contacts", Some(&create));
    assert_eq!(w.status, 403, "{}", w.raw);
    assert_eq!(w.body["category"], "MISSING_SCOPES");
    assert_eq!(
        w.body["errors"][0]["context"]["requiredScopes"],
        json!(["crm.objects.contacts.write"])
    );
    let patch = json!({"properties": {"jobtitle": "x"}});
    assert_eq!(
        t.as_token(
            &reader,
            "PATCH",
            "/crm/v3/objects/contacts/101",
            Some(&patch)
        )
        .status,
        403
    );
    // `tickets` is a read-and-write scope: the reader was not granted it.
    assert_eq!(
        t.as_token(&reader, "GET", "/crm/v3/objects/tickets", None)
            .status,
        403
    );
    // The private-app token still writes.
    assert_eq!(t.post("/crm/v3/objects/contacts", create).status, 201);
}

#[test]
fn the_owner_sees_only_her_records() {
    let t = T::fast();
    let owner = access(&t.tokens("owner"));
    let reader = access(&t.tokens("reader"));
    // What she owns, as the private-app token finds it.
    let theirs = t.post(
        "/crm/v3/objects/contacts/search",
        json!({"filterGroups": [{"filters": [
            {"propertyName": "hubspot_owner_id", "operator": "EQ", "value": OLIVE_OWNER_ID}]}],
            "limit": 200}),
    );
    let hers = ids(&theirs.body);
    let total = t.post("/crm/v3/objects/contacts/search", json!({})).body["total"]
        .as_u64()
        .unwrap();
    assert!(
        !hers.is_empty() && (hers.len() as u64) < total,
        "{} of {total}",
        hers.len()
    );

    // List (paged) shows exactly hers.
    let mut listed = Vec::new();
    let mut after = String::new();
    loop {
        let r = t.as_token(
            &owner,
            "GET",
            &format!("/crm/v3/objects/contacts?limit=7&properties=hubspot_owner_id&after={after}"),
            None,
        );
        assert_eq!(r.status, 200);
        for rec in r.body["results"].as_array().unwrap() {
            assert_eq!(rec["properties"]["hubspot_owner_id"], OLIVE_OWNER_ID);
        }
        listed.extend(ids(&r.body));
        match r.body["paging"]["next"]["after"].as_str() {
            Some(a) => after = a.to_string(),
            None => break,
        }
    }
    assert_eq!(listed, hers);
    // Search counts only what she sees.
    let s = t.as_token(
        &owner,
        "POST",
        "/crm/v3/objects/contacts/search",
        Some(&json!({"limit": 200})),
    );
    assert_eq!(s.body["total"], hers.len());
    assert_eq!(ids(&s.body), hers);
    let everyone = t.as_token(
        &reader,
        "POST",
        "/crm/v3/objects/contacts/search",
        Some(&json!({"limit": 1})),
    );
    assert_eq!(
        everyone.body["total"], total,
        "the reader sees every contact"
    );
    // Contact 101 belongs to owner 75000001: 404 for her, 200 for the reader.
    let not_hers = t.as_token(&owner, "GET", "/crm/v3/objects/contacts/101", None);
    assert_eq!(not_hers.status, 404, "{}", not_hers.raw);
    assert_eq!(not_hers.body["category"], "OBJECT_NOT_FOUND");
    assert_eq!(not_hers.body["context"]["id"], json!(["101"]));
    let by_email = t.as_token(
        &owner,
        "GET",
        "/crm/v3/objects/contacts/maria.chen%40acme.example.com?idProperty=email",
        None,
    );
    assert_eq!(by_email.status, 404);
    assert_eq!(
        t.as_token(&reader, "GET", "/crm/v3/objects/contacts/101", None)
            .status,
        200
    );
    let own = format!("/crm/v3/objects/contacts/{}", hers[0]);
    assert_eq!(t.as_token(&owner, "GET", &own, None).status, 200);
    // Batch read: another's record is a missing one.
    let batch = t.as_token(
        &owner,
        "POST",
        "/crm/v3/objects/contacts/batch/read",
        Some(&json!({"inputs": [{"id": "101"}, {"id": hers[0].to_string()}]})),
    );
    assert_eq!(batch.status, 207, "{}", batch.raw);
    assert_eq!(ids(&batch.body), [hers[0]]);
    assert_eq!(batch.body["errors"][0]["context"]["ids"], json!(["101"]));
    // Companies too; products have no owner, so she sees them all.
    let companies = t.as_token(
        &owner,
        "GET",
        "/crm/v3/objects/companies?limit=100&properties=hubspot_owner_id",
        None,
    );
    let companies = companies.body["results"].as_array().unwrap().clone();
    assert!(companies.len() < 80);
    assert!(companies
        .iter()
        .all(|c| c["properties"]["hubspot_owner_id"] == OLIVE_OWNER_ID));
    let products = t.as_token(&owner, "GET", "/crm/v3/objects/products?limit=100", None);
    assert_eq!(ids(&products.body).len(), 10);
    // She writes; a record she creates for herself she then sees.
    let created = t.as_token(
        &owner,
        "POST",
        "/crm/v3/objects/contacts",
        Some(&json!({"properties": {"email": "olive.new@example.com", "hubspot_owner_id": OLIVE_OWNER_ID}})),
    );
    assert_eq!(created.status, 201, "{}", created.raw);
    let id = created.body["id"].as_str().unwrap();
    assert_eq!(
        t.as_token(
            &owner,
            "GET",
            &format!("/crm/v3/objects/contacts/{id}"),
            None
        )
        .status,
        200
    );
}

#[test]
fn expired_access_tokens_are_refused_until_refreshed() {
    let t = T::start();
    let set = t.post("/__sandbox/oauth", json!({"accessTokenTtlSeconds": 1}));
    assert_eq!(set.status, 200, "{}", set.raw);
    assert_eq!(set.body["accessTokenTtlSeconds"], 1);
    assert_eq!(t.post("/__sandbox/oauth", json!({"ttl": 1})).status, 400);
    assert_eq!(
        t.post("/__sandbox/oauth", json!({"accessTokenTtlSeconds": 0}))
            .status,
        400
    );
    let v = t.tokens("owner");
    assert_eq!(v["expires_in"], 1);
    let at = access(&v);
    let rt = v["refresh_token"].as_str().unwrap().to_string();
    std::thread::sleep(Duration::from_millis(1300));
    let r = t.as_token(&at, "GET", "/crm/v3/objects/contacts", None);
    assert_eq!(r.status, 401, "{}", r.raw);
    assert_eq!(r.body["category"], "EXPIRED_AUTHENTICATION");
    let message = r.body["message"].as_str().unwrap();
    assert!(
        message.starts_with("The OAuth token used to make this call expired ")
            && message.ends_with(" second(s) ago."),
        "{message}"
    );
    assert!(r.body["context"]["expire time"][0].is_string());
    assert_eq!(
        t.token_call("introspect", &at, "access_token").body,
        json!({"active": false})
    );
    // Refreshing gives a token that lives the TTL now set.
    t.post("/__sandbox/oauth", json!({"accessTokenTtlSeconds": 1800}));
    let fresh = t.refresh("/oauth/2026-03/token", &rt);
    assert_eq!(fresh.body["expires_in"], 1800);
    assert_eq!(
        t.as_token(
            &access(&fresh.body),
            "GET",
            "/crm/v3/objects/contacts",
            None
        )
        .status,
        200
    );
    let knobs = t.get("/__sandbox/oauth");
    assert_eq!(knobs.status, 200);
    assert_eq!(knobs.body["accessTokenTtlSeconds"], 1800);
    assert_eq!(knobs.body["codesIssued"], 1);
    assert_eq!(knobs.body["tokensIssued"], 2);
    assert_eq!(knobs.body["refreshes"], 1);
    assert_eq!(knobs.body["introspections"], 1);
    // Control paths take the private-app token only.
    let r = t.as_token(&access(&fresh.body), "GET", "/__sandbox/oauth", None);
    assert_eq!(r.status, 401);
}

#[test]
fn oauth_shaped_tokens_must_be_issued_ones() {
    // With no token configured any bearer token is the private app's, except an OAuth-shaped one.
    let t = T::with(SandboxOptions::default());
    let get = |token: &str| {
        try_send(
            &t.base,
            "GET",
            "/crm/v3/objects/contacts?limit=1",
            Some(token),
            None,
        )
        .unwrap()
    };
    assert_eq!(get("anything").status, 200);
    let forged = get("sbx-at-0123456789abcdef");
    assert_eq!(forged.status, 401);
    assert_eq!(forged.body["category"], "INVALID_AUTHENTICATION");
    let issued = access(&t.tokens("reader"));
    assert_eq!(get(&issued).status, 200);
    assert_eq!(
        try_send(
            &t.base,
            "GET",
            "/__sandbox/requests",
            Some("anything"),
            None
        )
        .unwrap()
        .status,
        200
    );
}

#[test]
fn the_request_log_names_each_user() {
    let t = T::start();
    let reader = access(&t.tokens("reader"));
    let owner = access(&t.tokens("owner"));
    let cleared = t.req("DELETE", "/__sandbox/requests", None);
    assert_eq!(cleared.status, 204);
    t.as_token(&reader, "GET", "/crm/v3/objects/contacts/101", None);
    t.as_token(&owner, "GET", "/crm/v3/objects/deals?limit=1", None);
    t.get("/crm/v3/owners");
    t.as_token("sbx-at-forged", "GET", "/crm/v3/owners", None);
    t.refresh("/oauth/2026-03/token", "na1-x");
    let mut log = t.get("/__sandbox/requests");
    assert_eq!(log.status, 200);
    // Each call says when it was answered (epoch ms), in order; the rest is compared whole.
    let mut last = 0;
    for e in log.body.as_array_mut().unwrap() {
        let at = e
            .as_object_mut()
            .unwrap()
            .remove("at_ms")
            .unwrap()
            .as_i64()
            .unwrap();
        assert!(at >= last, "{at} after {last}");
        last = at;
    }
    let prefix = |tok: &str| format!("{}…", &tok[..10]);
    assert_eq!(
        log.body,
        json!([
            {"method": "GET", "path": "/crm/v3/objects/contacts/101", "user_id": user("reader").user_id,
             "token": prefix(&reader), "status": 200},
            {"method": "GET", "path": "/crm/v3/objects/deals", "user_id": user("owner").user_id,
             "token": prefix(&owner), "status": 200},
            {"method": "GET", "path": "/crm/v3/owners", "user_id": null, "token": prefix(TOKEN), "status": 200},
            {"method": "GET", "path": "/crm/v3/owners", "user_id": null, "token": "sbx-at-for…", "status": 401},
        ])
    );
    // Reset clears it too.
    t.post("/__sandbox/reset", json!({}));
    assert_eq!(t.get("/__sandbox/requests").body, json!([]));
}
