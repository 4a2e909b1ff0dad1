//! Scopes, rate limits and the fault knobs (over `/__sandbox/faults` and from Rust), statistics and reset.

use std::time::{Duration, Instant};

use hubspot_sandbox::SandboxOptions;
use serde_json::json;

use crate::client::{try_send, T, TOKEN};

#[test]
fn revoked_scope_gives_missing_scopes() {
    let t = T::start();
    let set = t.post(
        "/__sandbox/faults",
        json!({"revokeScopes": ["crm.objects.contacts.write"]}),
    );
    assert_eq!(set.status, 200, "{}", set.raw);
    assert_eq!(
        set.body["revokeScopes"],
        json!(["crm.objects.contacts.write"])
    );
    let r = t.post(
        "/crm/v3/objects/contacts",
        json!({"properties": {"firstname": "x"}}),
    );
    assert_eq!(r.status, 403);
    assert_eq!(r.body["category"], "MISSING_SCOPES");
    assert_eq!(
        r.body["errors"][0]["context"]["requiredScopes"],
        json!(["crm.objects.contacts.write"])
    );
    assert_eq!(
        r.body["links"]["scopes"],
        "https://developers.hubspot.com/scopes"
    );
    assert!(r.body["message"]
        .as_str()
        .unwrap()
        .starts_with("This app hasn't been granted all required scopes"));
    assert_eq!(
        t.get("/crm/v3/objects/contacts/101").status,
        200,
        "reads still work"
    );
    let info = t.post(
        "/oauth/v2/private-apps/get/access-token-info",
        json!({"tokenKey": TOKEN}),
    );
    assert!(!info.body["scopes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s == "crm.objects.contacts.write"));
    t.post("/__sandbox/faults", json!({"revokeScopes": []}));
    assert_eq!(
        t.post(
            "/crm/v3/objects/contacts",
            json!({"properties": {"firstname": "x"}})
        )
        .status,
        201
    );
    let limited = T::with(SandboxOptions {
        scopes: Some(vec!["crm.objects.contacts.read".into()]),
        ..SandboxOptions::default()
    });
    let r = try_send(
        &limited.base,
        "GET",
        "/crm/v3/objects/deals",
        Some("t"),
        None,
    )
    .unwrap();
    assert_eq!(r.status, 403);
}

#[test]
fn forced_and_real_rate_limits() {
    let t = T::start();
    t.post("/__sandbox/faults", json!({"rate429Next": 2}));
    for _ in 0..2 {
        let r = t.get("/crm/v3/objects/contacts/101");
        assert_eq!(r.status, 429);
        assert_eq!(r.body["policyName"], "TEN_SECONDLY_ROLLING");
        assert_eq!(r.body["errorType"], "RATE_LIMIT");
        assert_eq!(
            r.body["message"],
            "You have reached your ten_secondly_rolling limit."
        );
        assert!(r.body["groupName"].as_str().is_some());
        assert_eq!(
            r.header("X-HubSpot-RateLimit-Interval-Milliseconds"),
            Some("10000")
        );
        assert_eq!(r.header("X-HubSpot-RateLimit-Remaining"), Some("0"));
        assert!(r.header("Retry-After").is_none());
    }
    assert_eq!(t.get("/crm/v3/objects/contacts/101").status, 200);
    t.post("/__sandbox/faults", json!({"dailyExhausted": true}));
    let d = t.get("/crm/v3/objects/contacts/101");
    assert_eq!(
        (d.status, d.body["policyName"].as_str()),
        (429, Some("DAILY"))
    );
    assert_eq!(d.body["message"], "You have reached your daily limit.");
    assert_eq!(d.header("X-HubSpot-RateLimit-Daily-Remaining"), Some("0"));
    t.post("/__sandbox/faults", json!({"dailyExhausted": false}));
    assert_eq!(t.get("/crm/v3/objects/contacts/101").status, 200);

    let tight = T::with(SandboxOptions {
        token: Some(TOKEN.into()),
        ten_secondly_limit: 3,
        search_per_second: 2,
        ..SandboxOptions::default()
    });
    let remaining: Vec<String> = (0..3)
        .map(|_| {
            tight
                .get("/crm/v3/owners")
                .header("X-HubSpot-RateLimit-Remaining")
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(remaining, ["2", "1", "0"]);
    let over = tight.get("/crm/v3/owners");
    assert_eq!(
        (over.status, over.body["policyName"].as_str()),
        (429, Some("TEN_SECONDLY_ROLLING"))
    );
    assert_eq!(
        tight
            .post("/crm/v3/objects/contacts/search", json!({}))
            .status,
        200,
        "search has its own budget"
    );
    assert_eq!(
        tight
            .post("/crm/v3/objects/contacts/search", json!({}))
            .status,
        200
    );
    let s = tight.post("/crm/v3/objects/contacts/search", json!({}));
    assert_eq!(
        (s.status, s.body["policyName"].as_str()),
        (429, Some("SECONDLY"))
    );
    assert_eq!(s.body["message"], "You have reached your secondly limit.");
    assert!(s.header("X-HubSpot-RateLimit-Remaining").is_none());
    let daily = T::with(SandboxOptions {
        daily_limit: 1,
        ..SandboxOptions::default()
    });
    assert_eq!(
        try_send(&daily.base, "GET", "/crm/v3/owners", Some("a"), None)
            .unwrap()
            .status,
        200
    );
    let r = try_send(&daily.base, "GET", "/crm/v3/owners", Some("a"), None).unwrap();
    assert_eq!(
        (r.status, r.body["policyName"].as_str()),
        (429, Some("DAILY"))
    );
}

#[test]
fn injected_failures_are_not_applied() {
    let t = T::start();
    t.post(
        "/__sandbox/faults",
        json!({"status5xx": 503, "fail5xxNext": 2}),
    );
    let body = json!({"properties": {"email": "fail@example.com"}});
    for _ in 0..2 {
        let r = t.post("/crm/v3/objects/contacts", body.clone());
        assert_eq!(r.status, 503);
        assert_eq!(r.body["status"], "error");
    }
    assert_eq!(
        t.post("/crm/v3/objects/contacts", body).status,
        201,
        "the earlier attempts created nothing"
    );
    let stats = t.get("/__sandbox/stats").body;
    assert_eq!(stats["requests"]["POST /crm/v3/objects/{type}"], 3);
    assert_eq!(stats["paths"]["POST /crm/v3/objects/contacts"], 3);
    t.sb.faults().set_fail_5xx_next(1);
    t.sb.faults().set_status_5xx(0);
    assert_eq!(t.get("/crm/v3/owners").status, 500);
}

#[test]
fn dropped_connections_stats_and_reset() {
    let t = T::start();
    t.post("/__sandbox/faults", json!({"dropNext": 1}));
    let dropped = try_send(
        &t.base,
        "POST",
        "/crm/v3/objects/contacts",
        Some(TOKEN),
        Some(&json!({"properties": {"email": "drop@example.com"}})),
    );
    assert!(dropped.is_none(), "closed without a response");
    assert_eq!(
        t.get("/crm/v3/objects/contacts/drop%40example.com?idProperty=email")
            .status,
        404,
        "not applied"
    );
    let created = t.post(
        "/crm/v3/objects/contacts",
        json!({"properties": {"email": "once@example.com"}}),
    );
    assert_eq!(created.status, 201);
    let stats = t.sb.stats();
    assert_eq!(stats.count("POST /crm/v3/objects/{type}"), 2);
    assert_eq!(stats.count("GET /crm/v3/objects/{type}/{id}"), 1);
    assert_eq!(stats.total, 3, "control paths are not counted");
    let over_http = t.get("/__sandbox/stats").body;
    assert_eq!(over_http["total"], 3);
    assert_eq!(t.req("DELETE", "/__sandbox/stats", None).status, 204);
    assert_eq!(t.sb.stats().total, 0);
    t.post(
        "/__sandbox/faults",
        json!({"latencyMs": 5, "revokeScopes": ["tickets"]}),
    );
    let reset = t.post("/__sandbox/reset", json!({}));
    assert_eq!((reset.status, reset.body["seed"].as_u64()), (200, Some(42)));
    assert_eq!(
        t.get("/__sandbox/faults").body,
        serde_json::to_value(hubspot_sandbox::FaultsSnapshot::default()).unwrap()
    );
    assert_eq!(
        t.get("/crm/v3/objects/contacts/once%40example.com?idProperty=email")
            .status,
        404,
        "seed restored"
    );
    assert_eq!(t.get("/crm/v3/objects/tickets/601").status, 200);
    assert_eq!(
        t.post(
            "/crm/v3/objects/contacts",
            json!({"properties": {"email": "again@example.com"}})
        )
        .body["id"],
        "1095"
    );
    let bad = t.post("/__sandbox/faults", json!({"nope": 1}));
    assert_eq!(bad.status, 400);
}

#[test]
fn latency_and_stall() {
    let t = T::start();
    t.sb.faults().set_latency_ms(150);
    let start = Instant::now();
    assert_eq!(t.get("/crm/v3/owners").status, 200);
    assert!(start.elapsed() >= Duration::from_millis(150));
    t.sb.faults().clear();
    t.post("/__sandbox/faults", json!({"stallMs": 200}));
    let start = Instant::now();
    let r = t.post(
        "/crm/v3/objects/contacts",
        json!({"properties": {"email": "stall@example.com"}}),
    );
    assert_eq!(r.status, 201);
    assert!(start.elapsed() >= Duration::from_millis(200));
    t.sb.reset();
    assert_eq!(t.sb.faults().snapshot().stall_ms, 0);
}
