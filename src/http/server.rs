//! The HTTP server on tiny_http: bind (dual-stack by default), one accept loop handing requests to a
//! `threadpool` that grows on demand up to `MCP_WORKERS`, 503 when the queue is full, capped bodies, panics caught per request, and a
//! graceful drain on shutdown. The only module that imports tiny_http.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, TryRecvError};
use serde_json::Value;
use socket2::{Domain, Protocol, Socket, Type};
use threadpool::ThreadPool;

use crate::app::App;
use crate::config::Config;
use crate::http::message::{Reply, ReplyBody, Req, Verb};
use crate::http::sse::SseWriter;
use crate::http::{gzip, route};
use crate::mcp::jsonrpc::{self, RpcError};
use crate::obs::log as obslog;
use crate::obs::metrics::Route;

/// A bound server, ready to [`run`].
pub struct Bound {
    server: tiny_http::Server,
    /// The address actually bound (port 0 resolved).
    pub addr: SocketAddr,
}

/// Binds `HOST:PORT`. `::` is bound dual-stack (`IPV6_V6ONLY` off) so IPv4 and IPv6 clients both reach
/// it; on a host without IPv6 it falls back to `0.0.0.0`.
pub fn bind(cfg: &Config) -> std::io::Result<Bound> {
    let host = if cfg.host() == "localhost" {
        "127.0.0.1"
    } else {
        cfg.host()
    };
    let ip: std::net::IpAddr = host.parse().map_err(|_| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "HOST is not an IP address",
        )
    })?;
    let listener = match listen(SocketAddr::new(ip, cfg.port())) {
        Err(e) if ip.is_unspecified() && ip.is_ipv6() => {
            log::warn!(error = e.to_string(); "IPv6 unavailable; listening on IPv4 only");
            listen(SocketAddr::from(([0, 0, 0, 0], cfg.port())))?
        }
        other => other?,
    };
    let addr = listener.local_addr()?;
    let limits = tiny_http::ConnectionLimits {
        read_timeout: Some(cfg.read_timeout()),
        write_timeout: Some(cfg.read_timeout()),
        max_connections: cfg.max_connections(),
    };
    let server = tiny_http::Server::from_listener_with_limits(listener, None, limits)
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    Ok(Bound { server, addr })
}

fn listen(addr: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    if addr.is_ipv6() {
        socket.set_only_v6(false)?;
    }
    socket.set_reuse_address(true)?;
    socket.bind(&addr.into())?;
    socket.listen(1024)?;
    Ok(socket.into())
}

/// Serves until `shutdown` fires (or its sender is dropped), then stops accepting and drains: requests
/// already received are finished within the drain timeout. Returns how many requests were still
/// running when the drain timed out (0 on a clean drain).
pub fn run(bound: Bound, app: Arc<App>, shutdown: Receiver<()>) -> usize {
    let cfg = &app.config;
    // The pool starts small and doubles on demand up to MCP_WORKERS, so an idle server holds a few
    // threads, and a burst of blocking HubSpot calls gets all 64 within microseconds.
    let initial = cfg.workers().min(INITIAL_WORKERS);
    app.metrics.set_workers_started(initial);
    let mut pool = threadpool::Builder::new()
        .num_threads(initial)
        .thread_name("mcp-worker".into())
        .thread_stack_size(512 * 1024)
        .build();
    let server = bound.server;
    loop {
        match shutdown.try_recv() {
            Ok(()) | Err(TryRecvError::Disconnected) => break,
            Err(TryRecvError::Empty) => {}
        }
        match server.recv_timeout(Duration::from_millis(200)) {
            Ok(Some(rq)) => dispatch(&mut pool, &app, rq, false),
            Ok(None) => {}
            Err(e) => {
                log::warn!(error = e.to_string(); "receive failed");
                std::thread::sleep(Duration::from_millis(10));
            }
        }
    }
    log::info!(in_flight = pool.active_count() + pool.queued_count(); "shutting down: no new connections, draining");
    server.stop_accepting();
    let deadline = Instant::now() + cfg.drain_timeout();
    loop {
        // Requests that arrive on connections already open are still served, with `Connection: close`.
        match server.recv_timeout(Duration::from_millis(20)) {
            Ok(Some(rq)) => dispatch(&mut pool, &app, rq, true),
            _ if pool.active_count() + pool.queued_count() == 0 => return 0,
            _ => {}
        }
        if Instant::now() >= deadline {
            let left = pool.active_count() + pool.queued_count();
            log::warn!(still_running = left; "drain timeout reached");
            return left;
        }
    }
}

/// Worker threads started with the pool (it grows from there to `MCP_WORKERS`).
pub const INITIAL_WORKERS: usize = 4;

fn dispatch(pool: &mut ThreadPool, app: &Arc<App>, rq: tiny_http::Request, draining: bool) {
    // Every started worker taken: start more (double, up to MCP_WORKERS) before queueing anything.
    let workers = app.config.workers();
    if pool.active_count() + pool.queued_count() >= pool.max_count() && pool.max_count() < workers {
        let n = (pool.max_count() * 2).min(workers);
        pool.set_num_threads(n);
        app.metrics.set_workers_started(n);
    }
    // Refuse only when every worker is busy and the queue is at its bound (a `max_queue` of 0 means
    // "no waiting": a request is served at once or refused).
    if pool.active_count() >= pool.max_count() && pool.queued_count() >= app.config.max_queue() {
        app.metrics.record_busy();
        let route = Route::of(rq.url().split('?').next().unwrap_or(""));
        let method = rq.method().as_str().to_string();
        let body = jsonrpc::error_without_id(&RpcError::new(
            jsonrpc::code::SERVER_ERROR,
            "Service Unavailable: every worker is busy; retry after the delay in Retry-After",
        ));
        // Answered from the accept loop, so the body is never read: close the connection after it.
        let _ = rq.respond_and_close(with_headers(
            tiny_http::Response::from_data(body).with_status_code(503),
            &[
                ("Content-Type", "application/json"),
                ("Retry-After", "1"),
                ("Connection", "close"),
            ],
        ));
        app.metrics.record_http(route, &method, 503, Duration::ZERO);
        return;
    }
    app.metrics.request_queued();
    let app = Arc::clone(app);
    pool.execute(move || serve(rq, &app, draining));
}

static REQUEST_SEQ: AtomicU64 = AtomicU64::new(0);

fn request_id() -> String {
    static PREFIX: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
    let p = PREFIX.get_or_init(|| {
        let mut b = [0u8; 4];
        let _ = getrandom::fill(&mut b);
        u32::from_le_bytes(b)
    });
    format!(
        "{p:08x}-{:06x}",
        REQUEST_SEQ.fetch_add(1, Ordering::Relaxed)
    )
}

enum BodyError {
    TooLarge,
    TimedOut,
    Broken,
}

fn read_body(rq: &mut tiny_http::Request, max: usize) -> Result<Vec<u8>, BodyError> {
    if rq.body_length().is_some_and(|n| n > max) {
        return Err(BodyError::TooLarge);
    }
    let mut buf = Vec::with_capacity(rq.body_length().unwrap_or(0).min(max));
    match rq.as_reader().take(max as u64 + 1).read_to_end(&mut buf) {
        Ok(_) if buf.len() > max => Err(BodyError::TooLarge),
        Ok(_) => Ok(buf),
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
            ) =>
        {
            Err(BodyError::TimedOut)
        }
        Err(_) => Err(BodyError::Broken),
    }
}

fn to_verb(m: &tiny_http::Method) -> Verb {
    match m {
        tiny_http::Method::Get => Verb::Get,
        tiny_http::Method::Head => Verb::Head,
        tiny_http::Method::Post => Verb::Post,
        tiny_http::Method::Delete => Verb::Delete,
        tiny_http::Method::Options => Verb::Options,
        other => Verb::Other(other.as_str().to_string()),
    }
}

fn serve(mut rq: tiny_http::Request, app: &Arc<App>, draining: bool) {
    let started = Instant::now();
    app.metrics.request_started();
    let request_id = request_id();
    obslog::begin_request(&request_id);
    let verb = to_verb(rq.method());
    let (path, query) = match rq.url().split_once('?') {
        Some((p, q)) => (p.to_string(), Some(q.to_string())),
        None => (rq.url().to_string(), None),
    };
    let headers: Vec<(String, String)> = rq
        .headers()
        .iter()
        .map(|h| {
            (
                h.field.as_str().as_str().to_ascii_lowercase(),
                h.value.as_str().to_string(),
            )
        })
        .collect();
    let mut req = Req {
        verb,
        path,
        query,
        headers,
        body: Vec::new(),
        remote: rq.remote_addr().map(|a| a.ip()),
        request_id: request_id.clone(),
    };
    let gzip_ok = gzip::accepts(
        req.get("accept-encoding"),
        req.get("x-no-compression").is_some(),
    );
    let method_name = rq.method().as_str().to_string();
    let route = Route::of(&req.path);
    let mut close = draining;
    let reply = match read_body(&mut rq, app.config.max_body_bytes()) {
        Ok(body) => {
            req.body = body;
            handle(app, &req)
        }
        Err(e) => {
            // The rest of the body is unread: the connection cannot carry another request.
            close = true;
            let (status, msg) = match e {
                BodyError::TooLarge => (
                    413,
                    format!(
                        "Payload Too Large: request bodies are limited to {} bytes",
                        app.config.max_body_bytes()
                    ),
                ),
                BodyError::TimedOut => (
                    408,
                    "Request Timeout: the body did not arrive in time".to_string(),
                ),
                BodyError::Broken => (400, "Bad Request: the body could not be read".to_string()),
            };
            Reply::json(
                status,
                jsonrpc::error_without_id(&RpcError::new(jsonrpc::code::SERVER_ERROR, msg)),
            )
        }
    };
    let status = reply.status;
    let streamed = matches!(reply.body, ReplyBody::Sse(_));
    // A full reply is counted before it leaves, so a client that saw it also sees it counted; a stream
    // is counted when it ends (the tool call runs while it streams).
    if !streamed {
        app.metrics
            .record_http(route, &method_name, status, started.elapsed());
    }
    let opts = SendOptions {
        request_id: &request_id,
        close,
        hsts: app.config.environment() == crate::config::Environment::Production,
        gzip: gzip_ok,
    };
    let sent = send(rq, reply, &opts);
    let took = started.elapsed();
    if streamed {
        app.metrics.record_http(route, &method_name, status, took);
    }
    app.metrics.request_finished();
    let notes = obslog::end_request().unwrap_or_default();
    let log_path: std::borrow::Cow<'_, str> = if route == Route::Other {
        // Unknown paths are whatever a scanner sends: keep the access log bounded and printable.
        req.path
            .chars()
            .take(64)
            .filter(|c| !c.is_control())
            .collect()
    } else {
        req.path.as_str().into()
    };
    log::info!(
        request_id = request_id.as_str(),
        method = method_name.as_str(),
        path = log_path.as_ref(),
        status = status,
        duration_ms = took.as_micros() as f64 / 1000.0,
        bytes = sent.bytes,
        gzip = sent.gzip,
        rpc_method = notes.rpc_method.as_deref(),
        tool = notes.tool.as_deref(),
        session = notes.session.as_deref(),
        principal = notes.principal.as_deref();
        "request"
    );
}

/// Routes with panics caught: a panicking handler answers 500 / -32603 and the worker lives on.
pub fn handle(app: &Arc<App>, req: &Req) -> Reply {
    match catch_unwind(AssertUnwindSafe(|| route::route(app, req))) {
        Ok(reply) => reply,
        Err(panic) => {
            app.metrics.record_panic();
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            log::error!(request_id = req.request_id.as_str(), panic = what.as_str(); "handler panicked");
            let id = serde_json::from_slice::<Value>(&req.body)
                .ok()
                .and_then(|v| v.get("id").cloned())
                .filter(|i| i.is_string() || i.is_number())
                .unwrap_or(Value::Null);
            Reply::json(
                500,
                jsonrpc::error_response(
                    &id,
                    &RpcError::internal(
                        "the server failed while handling this request; it has been logged",
                    ),
                ),
            )
        }
    }
}

/// On every response (the original design's helmet set, for an API that serves no HTML).
const SECURITY_HEADERS: [(&str, &str); 6] = [
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "no-referrer"),
    (
        "Content-Security-Policy",
        "default-src 'none'; frame-ancestors 'none'",
    ),
    ("Cross-Origin-Resource-Policy", "same-origin"),
    ("Cache-Control", "no-store"),
];

/// Added in production, where the service sits behind TLS (Railway terminates it).
const HSTS: (&str, &str) = (
    "Strict-Transport-Security",
    "max-age=31536000; includeSubDomains; preload",
);

fn with_headers<R: Read>(
    mut resp: tiny_http::Response<R>,
    headers: &[(&str, &str)],
) -> tiny_http::Response<R> {
    for (k, v) in headers {
        if let Ok(h) = tiny_http::Header::from_bytes(k.as_bytes(), v.as_bytes()) {
            resp.add_header(h);
        }
    }
    resp
}

/// Sends a reply; with `close`, shuts the socket down right after, so an unread body (a 413, a request
/// during the drain) is never read and discarded by a worker, which a client trickling a huge declared
/// body could otherwise stretch out indefinitely.
fn respond<R: Read>(rq: tiny_http::Request, resp: tiny_http::Response<R>, close: bool) {
    let _ = if close {
        rq.respond_and_close(resp)
    } else {
        rq.respond(resp)
    };
}

/// How [`send`] frames a reply.
struct SendOptions<'a> {
    request_id: &'a str,
    close: bool,
    hsts: bool,
    /// The client accepts gzip.
    gzip: bool,
}

/// What [`send`] put on the wire, for the access log.
#[derive(Default)]
struct Sent {
    /// Body bytes (after compression); `None` for a stream.
    bytes: Option<usize>,
    gzip: bool,
}

fn send(rq: tiny_http::Request, reply: Reply, o: &SendOptions<'_>) -> Sent {
    let mut headers: Vec<(&str, &str)> = vec![("X-Request-Id", o.request_id)];
    if o.hsts {
        headers.push(HSTS);
    }
    headers.extend(reply.headers.iter().map(|(k, v)| (*k, v.as_str())));
    let close = o.close;
    if close {
        headers.push(("Connection", "close"));
    }
    match reply.body {
        ReplyBody::Empty => {
            headers.extend(SECURITY_HEADERS);
            let resp = with_headers(tiny_http::Response::empty(reply.status), &headers);
            respond(rq, resp, close);
            Sent {
                bytes: Some(0),
                gzip: false,
            }
        }
        ReplyBody::Full(ctype, body) => {
            headers.extend(SECURITY_HEADERS);
            headers.push(("Content-Type", ctype));
            let considered = gzip::worth_it(ctype, body.len());
            let body = if considered {
                headers.push(("Vary", "Accept-Encoding"));
                match o.gzip.then(|| gzip::compress(&body)).flatten() {
                    Some(z) => {
                        headers.push(("Content-Encoding", "gzip"));
                        z
                    }
                    None => body,
                }
            } else {
                body
            };
            let sent = Sent {
                bytes: Some(body.len()),
                gzip: considered && o.gzip,
            };
            let resp = tiny_http::Response::from_data(body).with_status_code(reply.status);
            respond(rq, with_headers(resp, &headers), close);
            sent
        }
        ReplyBody::Sse(stream) => {
            let mut head = String::from(
                "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache, no-transform\r\n\
                 X-Accel-Buffering: no\r\nTransfer-Encoding: chunked\r\n",
            );
            headers.extend(
                SECURITY_HEADERS
                    .iter()
                    .filter(|(k, _)| *k != "Cache-Control"),
            );
            for (k, v) in &headers {
                head.push_str(k);
                head.push_str(": ");
                head.push_str(v);
                head.push_str("\r\n");
            }
            head.push_str("\r\n");
            let mut out = rq.into_writer();
            if out
                .write_all(head.as_bytes())
                .and_then(|()| out.flush())
                .is_err()
            {
                return Sent::default();
            }
            let mut w = SseWriter::new(&mut out, true);
            stream(&mut w);
            let _ = w.finish();
            Sent::default()
        }
    }
}
