//! Sessions in a real `redis-server` (Debian's; scripts/test.sh installs it): shared by replicas,
//! expired by Redis, 503 (not 404) while Redis is down or refuses a change, password auth, TLS, the
//! `database` health entry, the session cap and quota under races, one HubSpot budget charged once.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use hubspot_mcp::hubspot::rate_limit::SharedLimiter;
use hubspot_mcp::redis::{Redis, Reply, Target};

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
fn malformed_redis_urls_are_refused_at_start() {
    for url in [
        "rediss://",
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

/// Fires `per_replica` hubspot_get_record calls at once on every replica; returns how many succeeded,
/// and the span from the first call sent to the last answer received.
fn burst_of_calls(replicas: &[&Server], per_replica: usize) -> (usize, Duration) {
    let started = Instant::now();
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
    let ok = threads
        .into_iter()
        .map(|t| t.join().unwrap())
        .filter(|ok| *ok)
        .count();
    (ok, started.elapsed())
}

#[test]
fn replicas_share_one_hubspot_rate_budget() {
    use crate::support::{SandboxProc, SANDBOX_TOKEN};
    let redis = RedisServer::start(&[]);
    let sb = SandboxProc::start();
    // 3 calls a second (bursts of 3), and 3 s per request. Every call that reaches HubSpot took a slot of
    // the budget between the burst's start and its last answer, and one GCRA budget hands out at most
    // 3 + 3 per second of that span, however slow the machine: two replicas sharing one stay under that
    // bound, two budgets of their own would pass about twice as many (24 of 30 here).
    let env = [
        ("HUBSPOT_API_BASE_URL", sb.base_url.clone()),
        ("HUBSPOT_ACCESS_TOKEN", SANDBOX_TOKEN.to_string()),
        ("HUBSPOT_RATE_LIMIT", "3".to_string()),
        ("MCP_REQUEST_TIMEOUT_MS", "3000".to_string()),
        ("HEALTH_CHECK_ENABLED", "false".to_string()),
        ("REDIS_URL", redis.url()),
    ];
    let pairs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (a, b) = (
        Server::start_args(&["serve"], &pairs),
        Server::start_args(&["serve"], &pairs),
    );
    let evals = redis.calls("eval");
    let (shared, span) = burst_of_calls(&[&a, &b], 15);
    // Every success is a HubSpot call, and every HubSpot call took a slot of the budget (one answered
    // after its deadline is sent yet not a success).
    let upstream = sb.count("GET /crm/v3/objects/{type}/{id}") as usize;
    assert!(
        upstream >= shared,
        "{upstream} HubSpot calls, {shared} successes"
    );
    // Every call, on either replica, asked the one budget in Redis (one EVAL each).
    assert_eq!(redis.calls("eval") - evals, 30);
    let bound = 3 + (3.0 * span.as_secs_f64()).floor() as usize + 1;
    eprintln!("shared budget: {upstream} HubSpot calls of 30 in {span:?} (at most {bound}), {shared} successes");
    assert!(
        shared >= 3 && upstream <= bound,
        "{upstream} calls reached HubSpot in {span:?}: one budget of 3/s with bursts of 3 allows at most {bound}"
    );
    // Redis gone: calls go on, each replica pacing itself, and it says so. (Its own budget may still
    // be charged by reservations whose Redis reply came too late during the burst: a call refused for
    // the budget is tried again, anything else fails the test.)
    drop(redis);
    let c = a.client();
    let end = Instant::now() + Duration::from_secs(30);
    let mut served = 0;
    while served < 3 {
        let r = c.stateless(
            40 + served,
            "tools/call",
            json!({"name": "hubspot_get_record", "arguments": {"objectType": "contacts", "id": "101"}}),
        );
        let res = &r.json()["result"];
        if res["isError"] == false {
            served += 1;
            continue;
        }
        let text = res["content"][0]["text"].as_str().unwrap_or("");
        assert!(
            text.contains("rate budget") || text.contains("did not answer in time"),
            "{r:?}"
        );
        assert!(
            Instant::now() < end,
            "calls stopped with Redis gone: {text}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
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

/// A TCP proxy in front of a Redis that holds each chunk of Redis's replies for `delay` before passing
/// it on (Debian's Redis 7 refuses `DEBUG SLEEP`; a slow network or a busy Redis looks like this).
struct DelayProxy {
    port: u16,
    delay_ms: Arc<AtomicU64>,
}

impl DelayProxy {
    fn start(upstream: u16) -> DelayProxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let delay_ms = Arc::new(AtomicU64::new(0));
        let delay = Arc::clone(&delay_ms);
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { continue };
                let Ok(server) = TcpStream::connect(("127.0.0.1", upstream)) else {
                    continue;
                };
                let (mut from_client, mut to_server) =
                    (client.try_clone().unwrap(), server.try_clone().unwrap());
                std::thread::spawn(move || {
                    let _ = std::io::copy(&mut from_client, &mut to_server);
                    let _ = to_server.shutdown(Shutdown::Both);
                });
                let (mut from_server, mut to_client) = (server, client);
                let delay = Arc::clone(&delay);
                std::thread::spawn(move || {
                    let mut buf = [0u8; 16 * 1024];
                    while let Ok(n @ 1..) = from_server.read(&mut buf) {
                        std::thread::sleep(Duration::from_millis(delay.load(Ordering::SeqCst)));
                        if to_client.write_all(&buf[..n]).is_err() {
                            break;
                        }
                    }
                    let _ = to_client.shutdown(Shutdown::Both);
                });
            }
        });
        DelayProxy { port, delay_ms }
    }

    fn hold_replies(&self, d: Duration) {
        self.delay_ms.store(d.as_millis() as u64, Ordering::SeqCst);
    }
}

#[test]
fn a_reply_that_comes_too_late_is_an_error_not_a_second_charge_of_the_shared_budget() {
    let redis = RedisServer::start(&[]);
    let proxy = DelayProxy::start(redis.port);
    let via = Arc::new(Redis::new(
        Target::parse(&format!("redis://127.0.0.1:{}", proxy.port)).unwrap(),
        Duration::from_millis(300),
        4,
    ));
    // One call a second, bursts of 100: nobody waits, and each charge moves the key's time 1 s on.
    let key = "test:hubspot-rate:late";
    let limiter = SharedLimiter::new(Arc::clone(&via), key.into(), 1, 100);
    let far = Instant::now() + Duration::from_secs(60);
    let t0 = redis.time_us();
    limiter.acquire(far).unwrap(); // pools the connection
                                   // Redis runs the next reservation at once, its reply comes 1 s later: past the client's 300 ms.
    proxy.hold_replies(Duration::from_millis(1000));
    limiter.acquire(far).unwrap(); // falls back to local pacing
    proxy.hold_replies(Duration::ZERO);
    std::thread::sleep(Duration::from_millis(1500)); // the held reply goes out (to nobody)
    let tat: i64 = match redis.cmd(&["GET", key]) {
        Reply::Bulk(Some(b)) => String::from_utf8(b).unwrap().parse().unwrap(),
        other => panic!("{other:?}"),
    };
    let charges = (tat - t0) / 1_000_000;
    let evals = redis.calls("eval");
    assert_eq!(
        (charges, evals),
        (2, 2),
        "the shared budget was charged {charges} times by {evals} EVALs for 2 reservations"
    );
    // The late connection was dropped, not reused out of step: the next call is answered in order.
    limiter.acquire(far).unwrap();
    assert_eq!(redis.calls("eval"), 3);
    // A pooled connection Redis has closed is replaced before anything is sent on it: no error.
    redis.cmd(&["CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes"]);
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(
        via.cmd(hubspot_mcp::redis_cmd!("PING")),
        Ok(Reply::Status("PONG".into()))
    );
}

/// The session's stored JSON, read straight from Redis.
fn stored_session(redis: &RedisServer, sid: &str) -> serde_json::Value {
    match redis.cmd(&["GET", &format!("mcp:session:{sid}")]) {
        Reply::Bulk(Some(b)) => serde_json::from_slice(&b).unwrap(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_session_change_redis_refuses_is_503_with_retry_after_not_a_silent_success() {
    let redis = RedisServer::start(&[]);
    // A user who may look sessions up and renew them, but not write them (`SET`, in scripts too).
    assert_eq!(
        redis.cmd(&[
            "ACL",
            "SETUSER",
            "noset",
            "on",
            ">noset-pass",
            "~*",
            "&*",
            "+@all",
            "-set"
        ]),
        Reply::Status("OK".into())
    );
    let a = replica(&redis.url(), &[]);
    let b = replica(
        &format!("redis://noset:noset-pass@127.0.0.1:{}", redis.port),
        &[],
    );
    let init = a
        .client()
        .post(&[], &crate::support::init_body("2025-06-18"));
    assert_eq!(init.status, 200, "{init:?}");
    let sid = init.header("mcp-session-id").unwrap().to_string();
    let initialized = json!({"jsonrpc":"2.0","method":"notifications/initialized"});
    let n = b.client().post(&[("Mcp-Session-Id", &sid)], &initialized);
    assert_eq!(n.status, 503, "{n:?}");
    assert!(n.header("retry-after").is_some(), "{n:?}");
    let lvl = b.client().call(
        &sid,
        "2025-06-18",
        3,
        "logging/setLevel",
        json!({"level": "warning"}),
    );
    assert_eq!(lvl.status, 503, "{lvl:?}");
    assert!(lvl.header("retry-after").is_some(), "{lvl:?}");
    assert!(lvl.body.contains("Redis"), "{}", lvl.body);
    let v = stored_session(&redis, &sid);
    assert_eq!(
        (&v["initialized"], &v["logLevel"]),
        (&json!(false), &json!(null)),
        "{v}"
    );
    // The other replica stores both, and keeps Redis's creation time.
    let created = v["created"].clone();
    assert_eq!(
        a.client()
            .post(&[("Mcp-Session-Id", &sid)], &initialized)
            .status,
        202
    );
    let lvl = a.client().call(
        &sid,
        "2025-06-18",
        4,
        "logging/setLevel",
        json!({"level": "warning"}),
    );
    assert_eq!(lvl.status, 200, "{lvl:?}");
    let v = stored_session(&redis, &sid);
    assert_eq!(
        (&v["initialized"], &v["logLevel"], &v["created"]),
        (&json!(true), &json!("warning"), &created),
        "{v}"
    );
}

#[test]
fn session_times_in_redis_are_redis_time() {
    let redis = RedisServer::start(&[]);
    let a = replica(&redis.url(), &[]);
    let (sid, _) = a.client().initialize("2025-06-18");
    assert_eq!(tools_list(&a, &sid).status, 200);
    let now_ms = redis.time_us() / 1000;
    let created = stored_session(&redis, &sid)["created"].as_i64().unwrap();
    let seen: i64 = match redis.cmd(&["ZSCORE", "mcp:session:index", &sid]) {
        Reply::Bulk(Some(b)) => String::from_utf8(b).unwrap().parse().unwrap(),
        other => panic!("{other:?}"),
    };
    // Unix ms on Redis's clock, not a process's monotonic clock (ms since it started).
    for (what, t) in [("created", created), ("last seen", seen)] {
        assert!(
            (now_ms - 10_000..=now_ms).contains(&t),
            "{what} {t} is not Redis's TIME {now_ms}"
        );
    }
    assert!(created <= seen);
}

#[test]
fn the_session_cap_holds_across_replicas_racing() {
    use crate::auth::{token_for, AUD, ISS, SECRET};
    let redis = RedisServer::start(&[]);
    let env = [
        ("JWT_SECRET", SECRET),
        ("JWT_ISSUER", ISS),
        ("JWT_AUDIENCE", AUD),
        ("MCP_MAX_SESSIONS", "4"),
        ("MCP_MAX_SESSIONS_PER_PRINCIPAL", "2"),
    ];
    let (a, b) = (replica(&redis.url(), &env), replica(&redis.url(), &env));
    // 24 principals (so no quota is reached) open a session each, all at once, on both replicas.
    let go = Barrier::new(24);
    let statuses: Vec<(u16, bool)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..24)
            .map(|i| {
                let s = if i % 2 == 0 { &a } else { &b };
                let go = &go;
                scope.spawn(move || {
                    let mut c = s.client();
                    c.bearer = Some(token_for("sub", &format!("user-{i}")));
                    go.wait();
                    let r = c.post(&[], &crate::support::init_body("2025-06-18"));
                    (r.status, r.header("retry-after").is_some())
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let count = |st: u16| statuses.iter().filter(|(s, _)| *s == st).count();
    assert_eq!((count(200), count(503)), (4, 20), "{statuses:?}");
    assert!(statuses.iter().all(|(s, ra)| *s != 503 || *ra));
    assert_eq!(redis.cmd(&["ZCARD", "mcp:session:index"]), Reply::Int(4));
}

/// A CA and a certificate it signed for `localhost` and 127.0.0.1, made by openssl in `dir`; returns
/// (CA, certificate, key) paths.
fn tls_files(dir: &std::path::Path) -> [std::path::PathBuf; 3] {
    crate::support::keys::ca_and_cert(dir, "DNS:localhost,IP:127.0.0.1")
}

#[test]
fn rediss_shares_sessions_over_tls_and_refuses_a_server_it_cannot_verify() {
    let tmp = crate::support::keys::TempDir::new();
    let dir = tmp.path();
    let [ca, cert, key] = tls_files(dir);
    let redis = RedisServer::start_tls(&cert, &key, &ca);
    let ca_s = ca.to_string_lossy().into_owned();
    let with_ca = [("HUBSPOT_CA_FILE", ca_s.as_str())];
    let a = replica(&redis.url(), &with_ca);
    // By name too: the certificate names localhost.
    let by_name = format!("rediss://localhost:{}", redis.port);
    let b = replica(&by_name, &with_ca);
    let (sid, _) = a.client().initialize("2025-06-18");
    assert_eq!(tools_list(&b, &sid).status, 200);
    let (_, h) = wait_health(&b, Duration::from_secs(10), |_, v| {
        v["dependencies"]["database"]["detail"]
            .as_str()
            .is_some_and(|d| d.contains("PING"))
    });
    assert_eq!(h["dependencies"]["database"]["status"], "healthy", "{h}");
    // Without the CA: Mozilla's roots do not know it; nothing is sent, and it says why.
    let c = replica(&redis.url(), &[]);
    let init = c
        .client()
        .post(&[], &crate::support::init_body("2025-06-18"));
    assert_eq!(init.status, 503, "{init:?}");
    assert!(init.body.contains("TLS"), "{}", init.body);
    let (_, h) = wait_health(&c, Duration::from_secs(10), |_, v| {
        v["dependencies"]["database"]["status"] == "unhealthy"
    });
    let why = h["dependencies"]["database"]["error"]
        .as_str()
        .unwrap_or("");
    assert!(
        why.contains("UnknownIssuer") && why.contains("HUBSPOT_CA_FILE"),
        "{h}"
    );
    assert!(c.logs().iter().any(|l| l.contains("UnknownIssuer")));
    // A name the certificate does not carry is refused as well.
    let mut elsewhere = Target::parse(&redis.url()).unwrap();
    elsewhere.host = "redis.elsewhere.test".into();
    let d = Redis::with_tls(
        elsewhere,
        Duration::from_secs(2),
        1,
        hubspot_mcp::redis::tls::client_config(Some(&std::fs::read(&ca).unwrap())),
    );
    let e = d
        .cmd(hubspot_mcp::redis_cmd!("PING"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("not valid for name"), "{e}");
}
