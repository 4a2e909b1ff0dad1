use std::net::TcpStream;
use std::time::Duration;

use serde_json::json;

use crate::streaming::Stream;
use crate::support::Server;

fn slow_stream(s: &Server, delay: u64, steps: u64) -> Stream {
    let c = s.client();
    let (sid, _) = c.initialize("2025-11-25");
    let body = json!({"jsonrpc":"2.0","id":5,"method":"tools/call","params":{
        "name":"echo","arguments":{"text":"drained","delayMs":delay,"steps":steps},"_meta":{"progressToken":1}}});
    let mut st = Stream::open(&c, &[("Mcp-Session-Id", &sid)], &body);
    // Wait until the call is surely running.
    assert_eq!(st.next_event().unwrap()["method"], "notifications/progress");
    st
}

#[test]
fn sigterm_finishes_in_flight_requests_then_exits_zero() {
    let mut s = Server::start(&[]);
    let mut st = slow_stream(&s, 1200, 4);
    s.signal("TERM");
    // New connections are refused soon after the signal...
    let mut refused = false;
    for _ in 0..100 {
        if TcpStream::connect_timeout(&s.addr, Duration::from_millis(200)).is_err() {
            refused = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(refused, "still accepting connections after SIGTERM");
    // ...while the request in flight runs to its result.
    let mut last = None;
    while let Some(e) = st.next_event() {
        last = Some(e);
    }
    assert_eq!(last.unwrap()["result"]["content"][0]["text"], "drained");
    let st = s.wait_exit(Duration::from_secs(10)).expect("did not exit");
    assert_eq!(st.code(), Some(0));
    assert!(s.wait_log("\"unfinished\":0"), "log line never came");
    let logs = s.logs().join("\n");
    assert!(
        logs.contains("shutting down") && logs.contains("\"unfinished\":0"),
        "{logs}"
    );
}

#[test]
fn the_drain_timeout_bounds_shutdown() {
    let mut s = Server::start(&[("MCP_DRAIN_TIMEOUT_MS", "300")]);
    let _st = slow_stream(&s, 10_000, 100);
    s.signal("INT");
    let st = s
        .wait_exit(Duration::from_secs(8))
        .expect("did not exit within the drain timeout");
    assert_eq!(st.code(), Some(0));
    assert!(s.wait_log("\"unfinished\":1"), "log line never came");
    let logs = s.logs().join("\n");
    assert!(
        logs.contains("drain timeout reached") && logs.contains("\"unfinished\":1"),
        "{logs}"
    );
}

#[test]
fn idle_server_exits_zero_on_sigterm() {
    let mut s = Server::start(&[]);
    s.signal("TERM");
    assert_eq!(
        s.wait_exit(Duration::from_secs(5)).map(|st| st.code()),
        Some(Some(0))
    );
}

#[test]
fn the_default_host_serves_ipv4_and_ipv6() {
    let s = Server::start(&[("HOST", "::")]);
    let port = s.addr.port();
    let logs = s.logs().join("\n");
    let v4 = crate::support::Client {
        addr: ([127, 0, 0, 1], port).into(),
        host: format!("127.0.0.1:{port}"),
        bearer: None,
    };
    assert_eq!(v4.request("GET", "/health/live", &[], "").status, 200);
    if logs.contains("IPv6 unavailable") {
        // A host without IPv6: the fallback to IPv4 was taken and said so.
        return;
    }
    assert_eq!(s.addr.to_string(), format!("[::]:{port}"));
    let v6 = crate::support::Client {
        addr: "[::1]:0"
            .parse::<std::net::SocketAddr>()
            .map(|mut a| {
                a.set_port(port);
                a
            })
            .unwrap(),
        host: format!("[::1]:{port}"),
        bearer: None,
    };
    assert_eq!(v6.request("GET", "/health/live", &[], "").status, 200);
}

/// Log lines are batched off the request path (issue #14); a SIGTERM right after a burst of requests
/// still gets every access-log line out before the process exits.
#[test]
fn no_log_line_is_lost_on_sigterm() {
    // Lines wait up to 5 s: only the flush at exit can get the last ones out in time.
    let mut s = Server::start(&[("LOG_LEVEL", "info"), ("LOG_FLUSH_INTERVAL_MS", "5000")]);
    let c = s.client();
    const N: usize = 40;
    for i in 0..N {
        let r = c.stateless(i as i64, "tools/list", serde_json::json!({}));
        assert_eq!(r.status, 200);
    }
    s.signal("TERM");
    assert_eq!(
        s.wait_exit(Duration::from_secs(5)).map(|st| st.code()),
        Some(Some(0))
    );
    // stderr is read to its end by another thread: give it a moment after the exit.
    let end = std::time::Instant::now() + Duration::from_secs(5);
    let count = || {
        s.logs()
            .iter()
            .filter(|l| l.contains(r#""msg":"request""#) && l.contains("tools/list"))
            .count()
    };
    while count() < N && std::time::Instant::now() < end {}
    assert_eq!(count(), N, "access lines after SIGTERM");
    // The last line, written after the drain, made it too.
    let logs = s.logs();
    assert!(
        logs.last()
            .is_some_and(|l| l.contains(r#""msg":"stopped""#)),
        "{:?}",
        logs.last()
    );
}
