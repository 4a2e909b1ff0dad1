//! Sessions in a real `redis-server` (Debian's; scripts/test.sh installs it): shared by replicas,
//! expired by Redis, 503 (not 404) while Redis is down, password auth, the `database` health entry.

use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::support::redis_server::RedisServer;
use crate::support::{wait_health, Server};

fn replica(url: &str, extra: &[(&str, &str)]) -> Server {
    let mut env = vec![("REDIS_URL", url), ("HEALTH_CHECK_INTERVAL_MS", "200")];
    env.extend_from_slice(extra);
    Server::start(&env)
}

fn tools_list(s: &Server, sid: &str) -> crate::support::Resp {
    s.client()
        .call(sid, "2025-06-18", 2, "tools/list", json!({}))
}

#[test]
fn replicas_share_sessions_through_redis() {
    let redis = RedisServer::start(&[]);
    let a = replica(&redis.url(), &[]);
    let b = replica(&redis.url(), &[]);
    let (sid, _) = a.client().initialize("2025-06-18");
    // The other replica knows the session, its revision and that it was initialized.
    let r = tools_list(&b, &sid);
    assert_eq!(r.status, 200, "{r:?}");
    assert!(r.json()["result"]["tools"]
        .as_array()
        .is_some_and(|t| !t.is_empty()));
    let lvl = b.client().call(
        &sid,
        "2025-06-18",
        3,
        "logging/setLevel",
        json!({"level": "warning"}),
    );
    assert_eq!(lvl.status, 200, "{lvl:?}");
    // Both count it.
    for s in [&a, &b] {
        let h = s.client().request("GET", "/health", &[], "").json();
        assert_eq!(h["sessions"]["total"], 1, "{h}");
        assert_eq!(h["sessions"]["active"], 1, "{h}");
    }
    // Ended on one, gone on the other.
    assert_eq!(b.client().delete_session(&sid, "2025-06-18").status, 204);
    assert_eq!(tools_list(&a, &sid).status, 404);
    let h = a.client().request("GET", "/health", &[], "").json();
    assert_eq!(h["sessions"]["total"], 0, "{h}");
    // The health report names the store once the background check has run.
    let (_, h) = wait_health(&a, Duration::from_secs(10), |_, v| {
        v["dependencies"]["database"]["detail"]
            .as_str()
            .is_some_and(|d| d.contains("PING"))
    });
    assert_eq!(h["dependencies"]["database"]["status"], "healthy", "{h}");
}

#[test]
fn redis_expires_idle_sessions_and_requests_renew_them() {
    let redis = RedisServer::start(&[]);
    let a = replica(&redis.url(), &[("SESSION_MAX_AGE", "2500")]);
    let (kept, _) = a.client().initialize("2025-06-18");
    let (dropped, _) = a.client().initialize("2025-06-18");
    // Keep one busy for 5 s (twice its idle limit); leave the other alone.
    let end = Instant::now() + Duration::from_secs(5);
    while Instant::now() < end {
        assert_eq!(tools_list(&a, &kept).status, 200);
        std::thread::sleep(Duration::from_millis(400));
    }
    assert_eq!(tools_list(&a, &kept).status, 200);
    assert_eq!(tools_list(&a, &dropped).status, 404);
}

#[test]
fn redis_down_means_503_with_retry_after_not_a_lost_session() {
    let mut redis = RedisServer::start(&[]);
    let port = redis.port;
    let a = replica(&redis.url(), &[]);
    let (sid, _) = a.client().initialize("2025-06-18");
    redis.stop();
    let r = tools_list(&a, &sid);
    assert_eq!(r.status, 503, "{r:?}");
    assert!(r.header("retry-after").is_some());
    assert!(r.body.contains("Redis"), "{}", r.body);
    let init = a
        .client()
        .post(&[], &crate::support::init_body("2025-06-18"));
    assert_eq!(init.status, 503, "{init:?}");
    // /health turns unhealthy (the background check), the stateless revision keeps working.
    let (code, h) = wait_health(&a, Duration::from_secs(10), |code, _| code == 503);
    assert_eq!(code, 503);
    assert_eq!(h["dependencies"]["database"]["status"], "unhealthy", "{h}");
    let st = a.client().stateless(5, "tools/list", json!({}));
    assert_eq!(st.status, 200);
    // Back (empty: no persistence): the old session is really gone now, new ones work.
    let _redis = RedisServer::start_on(port, &[]);
    let end = Instant::now() + Duration::from_secs(10);
    while tools_list(&a, &sid).status != 404 {
        assert!(Instant::now() < end, "never recovered");
        std::thread::sleep(Duration::from_millis(100));
    }
    let (fresh, _) = a.client().initialize("2025-06-18");
    assert_eq!(tools_list(&a, &fresh).status, 200);
}

#[test]
fn redis_password_is_used_and_never_shown() {
    let secret = "s3cr3t-redis-pass-for-tests";
    let redis = RedisServer::start(&["--requirepass", secret]);
    let good = format!("redis://:{secret}@127.0.0.1:{}", redis.port);
    let a = replica(&good, &[]);
    let (sid, _) = a.client().initialize("2025-06-18");
    assert_eq!(tools_list(&a, &sid).status, 200);

    let bad = format!("redis://:wrong-password-here@127.0.0.1:{}", redis.port);
    let b = replica(&bad, &[]);
    let init = b
        .client()
        .post(&[], &crate::support::init_body("2025-06-18"));
    assert_eq!(init.status, 503, "{init:?}");
    let (_, v) = wait_health(&b, Duration::from_secs(10), |_, v| {
        v["dependencies"]["database"]["status"] == "unhealthy"
    });
    let e = v["dependencies"]["database"]["error"]
        .as_str()
        .unwrap_or("");
    assert!(e.contains("WRONGPASS") || e.contains("invalid"), "{v}");
    for s in [&a, &b] {
        let logs = s.logs().join("\n");
        assert!(
            !logs.contains(secret) && !logs.contains("wrong-password-here"),
            "password logged"
        );
        let h = s.client().request("GET", "/health", &[], "").body;
        assert!(!h.contains(secret) && !h.contains("wrong-password-here"));
    }
}

#[test]
fn tls_and_malformed_redis_urls_are_refused_at_start() {
    for url in [
        "rediss://127.0.0.1:6380",
        "redis://",
        "http://127.0.0.1:6379",
        "redis://h:1/x",
    ] {
        let out = Command::new(crate::support::BIN)
            .args(["check-config", "--demo"])
            .env_clear()
            .env("REDIS_URL", url)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(78), "{url}: {err}");
        assert!(err.contains("REDIS_URL"), "{err}");
    }
}

/// Fires `per_replica` hubspot_get_record calls at once on every replica; returns how many succeeded.
fn burst_of_calls(replicas: &[&Server], per_replica: usize) -> usize {
    let mut threads = Vec::new();
    for s in replicas {
        for i in 0..per_replica {
            let c = s.client();
            threads.push(std::thread::spawn(move || {
                let r = c.stateless(
                    i as i64,
                    "tools/call",
                    json!({"name": "hubspot_get_record", "arguments": {"objectType": "contacts", "id": "101"}}),
                );
                r.json()["result"]["isError"] == false
            }));
        }
    }
    threads
        .into_iter()
        .map(|t| t.join().unwrap())
        .filter(|ok| *ok)
        .count()
}

#[test]
fn replicas_share_one_hubspot_rate_budget() {
    use crate::support::{SandboxProc, SANDBOX_TOKEN};
    let redis = RedisServer::start(&[]);
    let sb = SandboxProc::start();
    // 3 calls a second (bursts of 3), and 3 s per request: one replica alone completes about 12 calls in
    // that time, two sharing one budget about 12 together (24 apart).
    let env = |url: Option<&str>| {
        let mut e = vec![
            ("HUBSPOT_API_BASE_URL", sb.base_url.clone()),
            ("HUBSPOT_ACCESS_TOKEN", SANDBOX_TOKEN.to_string()),
            ("HUBSPOT_RATE_LIMIT", "3".to_string()),
            ("MCP_REQUEST_TIMEOUT_MS", "3000".to_string()),
            ("HEALTH_CHECK_ENABLED", "false".to_string()),
        ];
        if let Some(u) = url {
            e.push(("REDIS_URL", u.to_string()));
        }
        e
    };
    let start = |e: &Vec<(&str, String)>| {
        let pairs: Vec<(&str, &str)> = e.iter().map(|(k, v)| (*k, v.as_str())).collect();
        Server::start_args(&["serve"], &pairs)
    };
    let shared_env = env(Some(&redis.url()));
    let (a, b) = (start(&shared_env), start(&shared_env));
    let shared = burst_of_calls(&[&a, &b], 15);
    let upstream_shared = sb.count("GET /crm/v3/objects/{type}/{id}");
    assert_eq!(
        upstream_shared as usize, shared,
        "every success is one HubSpot call"
    );
    // The same two replicas without Redis: each keeps its own budget.
    std::thread::sleep(Duration::from_millis(1500));
    let local_env = env(None);
    let (c, d) = (start(&local_env), start(&local_env));
    let local = burst_of_calls(&[&c, &d], 15);
    eprintln!("shared budget: {shared} of 30 calls passed; separate budgets: {local}");
    assert!(
        shared <= 13 && local >= 16,
        "shared budget: {shared} calls passed; separate budgets: {local} (want <= 13: the shared budget allows 3 + 3 x 3 s; and >= 16)"
    );
    // Redis gone: calls go on, each replica pacing itself, and it says so.
    drop(redis);
    let after = burst_of_calls(&[&a], 3);
    assert_eq!(after, 3);
    assert!(a.wait_log("shared HubSpot rate budget unavailable"));
}

#[test]
fn the_session_quota_holds_across_replicas_sharing_redis() {
    use crate::auth::{token_for, AUD, ISS, SECRET};
    let redis = RedisServer::start(&[]);
    let env = [
        ("JWT_SECRET", SECRET),
        ("JWT_ISSUER", ISS),
        ("JWT_AUDIENCE", AUD),
        ("MCP_MAX_SESSIONS_PER_PRINCIPAL", "3"),
        ("SESSION_MAX_AGE", "4000"),
    ];
    let (a, b) = (replica(&redis.url(), &env), replica(&redis.url(), &env));
    let on = |s: &Server, who: &str| {
        let mut c = s.client();
        c.bearer = Some(token_for("sub", who));
        c
    };
    let open =
        |s: &Server, who: &str| on(s, who).post(&[], &crate::support::init_body("2025-06-18"));
    // Alternately on both replicas: three sessions, then refusals on either.
    let mut alice = Vec::new();
    for (i, s) in [&a, &b, &a, &b, &a, &b].into_iter().enumerate() {
        let r = open(s, "alice");
        if i < 3 {
            assert_eq!(r.status, 200, "session {i}: {r:?}");
            alice.push(r.header("mcp-session-id").unwrap().to_string());
        } else {
            assert_eq!(r.status, 429, "session {i}: {r:?}");
            assert!(
                r.body.contains("this principal has 3 open sessions"),
                "{}",
                r.body
            );
        }
    }
    // Another principal opens sessions meanwhile, on both.
    assert_eq!(open(&b, "bob").status, 200);
    assert_eq!(open(&a, "bob").status, 200);
    // Ended on one replica, the slot is free on the other; then full again.
    assert_eq!(
        on(&a, "alice")
            .delete_session(&alice[1], "2025-06-18")
            .status,
        204
    );
    assert_eq!(open(&b, "alice").status, 200);
    assert_eq!(open(&a, "alice").status, 429);
    // Racing: twelve initializes at once for one principal across both replicas: exactly three win.
    let winners: Vec<u16> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..12)
            .map(|i| {
                let s = if i % 2 == 0 { &a } else { &b };
                scope.spawn(move || open(s, "carol").status)
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(
        (
            winners.iter().filter(|s| **s == 200).count(),
            winners.iter().filter(|s| **s == 429).count()
        ),
        (3, 9),
        "{winners:?}"
    );
    // Redis expiring the idle sessions frees the quota (nothing else touched them).
    std::thread::sleep(Duration::from_millis(4500));
    assert_eq!(open(&a, "carol").status, 200);
    assert_eq!(open(&b, "alice").status, 200);
}
