//! The HTTP server on tiny_http: bind (dual-stack by default), then two stages per request.
//!
//! On the connection's own thread (tiny_http starts one per open connection, capped by
//! `MCP_MAX_CONNECTIONS`), the head is read under `MCP_HEAD_TIMEOUT_MS` and passed through the gate
//! (`route::admit`): every refusal, and every route that needs no body (health, metrics, preflights),
//! is answered right there, and an admitted request's body is read whole, within `MCP_READ_TIMEOUT_MS`
//! in all. Then, while fewer than `MCP_WORKERS` requests are being served, the request is served on
//! that same thread (one thread per request: no hand-off, the reply written by the thread that read
//! the request). When every place is taken, the accept loop queues it for a `threadpool` whose workers
//! wait for a place (`MCP_MAX_QUEUE` bounds the waiting; 503 past it). Either way a request never waits
//! on its client while it holds a place. Panics are caught per request; shutdown drains both. The only
//! module that imports tiny_http.

use std::io::Read;
use std::net::{SocketAddr, TcpListener};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, TryRecvError};
use serde_json::Value;
use socket2::{Domain, Protocol, Socket, Type};
use threadpool::ThreadPool;

use crate::app::App;
use crate::config::{Config, Environment};
use crate::http::gzip;
use crate::http::message::{Reply, ReplyBody, Req, Verb};
use crate::http::route::{self, Admission, Admitted};
use crate::http::sse::SseWriter;
use crate::mcp::jsonrpc::{self, RpcError, ValueCounter};
use crate::obs::log::{self as obslog, RequestNotes};
use crate::obs::metrics::Route;

/// A bound socket, ready to [`run`].
pub(crate) struct Bound {
    listener: TcpListener,
    /// The address actually bound (port 0 resolved).
    pub(crate) addr: SocketAddr,
}

/// Binds `HOST:PORT`. `::` is bound dual-stack (`IPV6_V6ONLY` off) so IPv4 and IPv6 clients both reach
/// it; on a host without IPv6 it falls back to `0.0.0.0`. Connections wait in the backlog until
/// [`run`] starts serving.
pub(crate) fn bind(cfg: &Config) -> std::io::Result<Bound> {
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
    Ok(Bound { listener, addr })
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

/// The headers every response carries, refusals written by tiny_http itself included.
fn standard_headers(cfg: &Config) -> Vec<(String, String)> {
    let hsts = (cfg.environment() == Environment::Production).then_some(HSTS);
    SECURITY_HEADERS
        .iter()
        .chain(hsts.iter())
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// What the gate and the accept loop share: how many requests are queued or running (so the gate
/// can refuse at once when the workers are saturated) and whether the server is draining.
#[derive(Default)]
struct Load {
    waiting_or_running: AtomicUsize,
    draining: AtomicBool,
    /// Requests being served now, on connection threads or pool workers: at most `MCP_WORKERS`.
    serving: parking_lot::Mutex<usize>,
    /// Signalled when a place to serve frees up (a queued request waits on it in a pool worker).
    freed: parking_lot::Condvar,
}

impl Load {
    /// Takes a place to serve, if one of the `workers` is free.
    fn try_place(&self, workers: usize) -> bool {
        let mut n = self.serving.lock();
        if *n < workers {
            *n += 1;
            true
        } else {
            false
        }
    }

    /// Takes a place to serve, waiting for one.
    fn wait_place(&self, workers: usize) {
        let mut n = self.serving.lock();
        while *n >= workers {
            self.freed.wait(&mut n);
        }
        *n += 1;
    }

    /// Gives a place back.
    fn free_place(&self) {
        *self.serving.lock() -= 1;
        self.freed.notify_one();
    }
}

/// Serves until `shutdown` fires (or its sender is dropped), then stops accepting and drains: requests
/// already received are finished within the drain timeout. Returns how many requests were still
/// running when the drain timed out (0 on a clean drain).
pub(crate) fn run(bound: Bound, app: Arc<App>, shutdown: Receiver<()>) -> usize {
    let cfg = &app.config;
    let load = Arc::new(Load::default());
    let limits = tiny_http::ConnectionLimits {
        read_timeout: Some(cfg.read_timeout()),
        write_timeout: Some(cfg.read_timeout()),
        max_connections: cfg.max_connections(),
        head_timeout: Some(cfg.head_timeout()),
        max_pending_per_ip: cfg.max_pending_per_ip(),
        refusal_headers: standard_headers(cfg),
    };
    let gate: tiny_http::Gate = {
        let (app, load) = (Arc::clone(&app), Arc::clone(&load));
        Arc::new(move |rq| gate(&app, &load, rq))
    };
    let server =
        match tiny_http::Server::from_listener_with_gate(bound.listener, limits, Some(gate)) {
            Ok(s) => s,
            Err(e) => {
                log::error!(error = e.to_string(); "cannot serve on the bound socket");
                return 0;
            }
        };
    // The pool starts with one thread and doubles on demand up to MCP_WORKERS, so an idle server holds
    // few threads, and a burst of blocking HubSpot calls gets all 64 within microseconds.
    let initial = cfg.workers().min(INITIAL_WORKERS);
    app.metrics.set_workers_started(initial);
    let mut pool = threadpool::Builder::new()
        .num_threads(initial)
        .thread_name("mcp-worker".into())
        .thread_stack_size(512 * 1024)
        .build();
    loop {
        match shutdown.try_recv() {
            Ok(()) | Err(TryRecvError::Disconnected) => break,
            Err(TryRecvError::Empty) => {}
        }
        match server.recv_timeout(Duration::from_millis(200)) {
            Ok(Some(rq)) => dispatch(&mut pool, &app, &load, rq),
            Ok(None) => {}
            Err(e) => {
                log::warn!(error = e.to_string(); "receive failed");
                std::thread::sleep(Duration::from_millis(10));
            }
        }
    }
    let running = |pool: &ThreadPool| {
        (pool.active_count() + pool.queued_count())
            .max(load.waiting_or_running.load(Ordering::Relaxed))
    };
    log::info!(in_flight = running(&pool); "shutting down: no new connections, draining");
    load.draining.store(true, Ordering::Relaxed);
    server.stop_accepting();
    let deadline = Instant::now() + cfg.drain_timeout();
    loop {
        // Requests that arrive on connections already open are still served, with `Connection: close`.
        match server.recv_timeout(Duration::from_millis(20)) {
            Ok(Some(rq)) => dispatch(&mut pool, &app, &load, rq),
            _ if running(&pool) == 0 => return 0,
            _ => {}
        }
        if Instant::now() >= deadline {
            let left = running(&pool);
            log::warn!(still_running = left; "drain timeout reached");
            return left;
        }
    }
}

/// Worker threads started with the pool (it grows from there to `MCP_WORKERS`, doubling on demand): one,
/// since requests are served on their connections' threads and the pool only holds those waiting for a
/// place; each idle thread costs resident memory (issue #14).
const INITIAL_WORKERS: usize = 1;

/// A request that passed the gate on its connection's thread, with its body read.
struct Ticket {
    req: Req,
    admitted: Admitted,
    notes: Option<RequestNotes>,
    started: Instant,
    gzip: bool,
}

/// True when every worker is taken and the queue is at its bound (a `max_queue` of 0 means "no
/// waiting": a request is served at once or refused).
fn saturated(app: &App, load: &Load) -> bool {
    load.waiting_or_running.load(Ordering::Relaxed) >= app.config.workers() + app.config.max_queue()
}

fn busy_reply() -> Reply {
    Reply::json(
        503,
        jsonrpc::error_without_id(&RpcError::new(
            jsonrpc::code::SERVER_ERROR,
            "Service Unavailable: every worker is busy; retry after the delay in Retry-After",
        )),
    )
    .with_header("Retry-After", "1")
}

/// The gate, on the connection's thread: answers what needs no body (or no worker), reads the body of
/// what it admits, and hands that on to the accept loop.
fn gate(app: &Arc<App>, load: &Load, rq: tiny_http::Request) -> Option<tiny_http::Request> {
    let started = Instant::now();
    let mut rq = rq;
    let req = head_of(&rq);
    obslog::begin_request(&req.request_id);
    let gzip_ok = gzip::accepts(
        req.get("accept-encoding"),
        req.get("x-no-compression").is_some(),
    );
    let draining = load.draining.load(Ordering::Relaxed);
    let admission = match catch_unwind(AssertUnwindSafe(|| route::admit(app, &req))) {
        Ok(a) => a,
        Err(panic) => Admission::Answer(panicked(app, &req, panic.as_ref())),
    };
    let admitted = match admission {
        Admission::Answer(reply) => {
            // An unread body cannot be skipped safely: close the connection after the reply.
            let close = draining || rq.body_length() != Some(0);
            finish(app, rq, &req, reply, started, close, gzip_ok);
            return None;
        }
        Admission::Serve(a) => a,
    };
    if saturated(app, load) {
        app.metrics.record_busy();
        finish(app, rq, &req, busy_reply(), started, true, gzip_ok);
        return None;
    }
    // JSON bodies are counted as they arrive: one of too many values is refused before it is whole.
    let mut values = ValueCounter::new(app.config.max_json_values());
    let counted = req.verb == Verb::Post && admitted.counts_json();
    match rq.buffer_body(
        app.config.max_body_bytes(),
        app.config.read_timeout(),
        |piece| !counted || values.feed(piece),
    ) {
        Ok(_) => {
            let notes = obslog::end_request();
            let ticket = Ticket {
                req,
                admitted,
                notes,
                started,
                gzip: gzip_ok,
            };
            // One thread per request: while fewer than MCP_WORKERS requests are being served, this one
            // is served here, on the thread that read it (no hand-off to the accept loop and a worker,
            // no reply passed back). Past that, it waits for a worker in the pool's bounded queue.
            if load.try_place(app.config.workers()) {
                load.waiting_or_running.fetch_add(1, Ordering::Relaxed);
                app.metrics.request_queued();
                serve(rq, ticket, app, load.draining.load(Ordering::Relaxed));
                load.free_place();
                load.waiting_or_running.fetch_sub(1, Ordering::Relaxed);
                return None;
            }
            rq.set_ext(Box::new(ticket));
            Some(rq)
        }
        Err(tiny_http::BodyError::Refused) => {
            let reply = Reply::json(413, jsonrpc::error_without_id(&values.refusal()));
            finish(app, rq, &req, reply, started, true, gzip_ok);
            None
        }
        Err(e) => {
            let reply = body_error(app, e);
            finish(app, rq, &req, reply, started, true, gzip_ok);
            None
        }
    }
}

fn body_error(app: &App, e: tiny_http::BodyError) -> Reply {
    let (status, msg) = match e {
        tiny_http::BodyError::TooLarge => (
            413,
            format!(
                "Payload Too Large: request bodies are limited to {} bytes",
                app.config.max_body_bytes()
            ),
        ),
        tiny_http::BodyError::TimedOut => (
            408,
            format!(
                "Request Timeout: the body did not arrive within {} ms",
                app.config.read_timeout().as_millis()
            ),
        ),
        tiny_http::BodyError::Malformed => (
            400,
            "Bad Request: the chunked body is malformed".to_string(),
        ),
        tiny_http::BodyError::Closed | tiny_http::BodyError::Refused => {
            (400, "Bad Request: the body could not be read".to_string())
        }
    };
    Reply::json(
        status,
        jsonrpc::error_without_id(&RpcError::new(jsonrpc::code::SERVER_ERROR, msg)),
    )
}

fn dispatch(pool: &mut ThreadPool, app: &Arc<App>, load: &Arc<Load>, mut rq: tiny_http::Request) {
    let ticket = rq.take_ext().and_then(|t| t.downcast::<Ticket>().ok());
    let Some(ticket) = ticket else {
        // Every request passes the gate; one that did not is not served blind.
        let _ = rq.respond_and_close(tiny_http::Response::empty(500));
        return;
    };
    // Every started worker taken: start more (double, up to MCP_WORKERS) before queueing anything.
    let workers = app.config.workers();
    if pool.active_count() + pool.queued_count() >= pool.max_count() && pool.max_count() < workers {
        let n = (pool.max_count() * 2).min(workers);
        pool.set_num_threads(n);
        app.metrics.set_workers_started(n);
    }
    // A backstop: the gate refuses first, but requests admitted at once can still overshoot.
    if pool.active_count() >= pool.max_count() && pool.queued_count() >= app.config.max_queue() {
        app.metrics.record_busy();
        let Ticket {
            req, started, gzip, ..
        } = *ticket;
        finish(app, rq, &req, busy_reply(), started, true, gzip);
        return;
    }
    app.metrics.request_queued();
    load.waiting_or_running.fetch_add(1, Ordering::Relaxed);
    let (app, load) = (Arc::clone(app), Arc::clone(load));
    pool.execute(move || {
        // Queued until one of the MCP_WORKERS places frees up (served on a connection thread or here).
        load.wait_place(app.config.workers());
        serve(rq, *ticket, &app, load.draining.load(Ordering::Relaxed));
        load.free_place();
        load.waiting_or_running.fetch_sub(1, Ordering::Relaxed);
    });
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

/// The plain request for a head (its body still unread), with a fresh request id, and a probe that
/// tells a long-running handler when its client has gone.
fn head_of(rq: &tiny_http::Request) -> Req {
    let (path, query) = match rq.url().split_once('?') {
        Some((p, q)) => (p.to_string(), Some(q.to_string())),
        None => (rq.url().to_string(), None),
    };
    let all = rq.headers();
    let bytes = all
        .iter()
        .map(|h| h.field.as_str().as_str().len() + h.value.len())
        .sum();
    let mut headers = crate::http::message::Headers::with_capacity(all.len(), bytes);
    for h in all {
        headers.push(h.field.as_str().as_str(), h.value.as_str());
    }
    let mut req = Req {
        verb: to_verb(rq.method()),
        path,
        query,
        headers,
        body: Vec::new(),
        remote: rq.remote_addr().map(|a| a.ip()),
        request_id: request_id(),
        client_gone: None,
    };
    if let Some(probe) = rq.peer_probe() {
        req.client_gone = Some(crate::http::message::ClientGone::new(move || probe.gone()));
    }
    req
}

/// On a worker: serves an admitted request (its body already in memory).
fn serve(mut rq: tiny_http::Request, ticket: Ticket, app: &Arc<App>, draining: bool) {
    app.metrics.request_started();
    let Ticket {
        mut req,
        admitted,
        notes,
        started,
        gzip,
    } = ticket;
    match notes {
        Some(n) => obslog::resume_request(n),
        None => obslog::begin_request(&req.request_id),
    }
    // In memory since the gate read it: moved, not copied.
    req.body = rq.take_body().unwrap_or_default();
    let reply = match catch_unwind(AssertUnwindSafe(|| route::serve(app, &req, admitted))) {
        Ok(reply) => reply,
        Err(panic) => panicked(app, &req, panic.as_ref()),
    };
    finish(app, rq, &req, reply, started, draining, gzip);
    app.metrics.request_finished();
}

/// Sends a reply, records it and writes the access line (on whichever thread answers).
fn finish(
    app: &App,
    rq: tiny_http::Request,
    req: &Req,
    reply: Reply,
    started: Instant,
    close: bool,
    gzip_ok: bool,
) {
    let route = Route::of(&req.path);
    let method_name = rq.method().as_str().to_string();
    let status = reply.status;
    let streamed = matches!(reply.body, ReplyBody::Sse(_));
    // A full reply is counted before it leaves, so a client that saw it also sees it counted; a stream
    // is counted when it ends (the tool call runs while it streams).
    if !streamed {
        app.metrics
            .record_http(route, &method_name, status, started.elapsed());
    }
    let opts = SendOptions {
        request_id: &req.request_id,
        close,
        hsts: app.config.environment() == Environment::Production,
        gzip: gzip_ok,
    };
    let sent = send(rq, reply, &opts);
    let took = started.elapsed();
    if streamed {
        app.metrics.record_http(route, &method_name, status, took);
    }
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
        request_id = req.request_id.as_str(),
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

/// A caught panic: counted, logged, answered 500 / -32603 with the request's id when it can be read.
fn panicked(app: &App, req: &Req, panic: &(dyn std::any::Any + Send)) -> Reply {
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

/// Routes a whole request in memory (gate and handler) with panics caught: a panicking handler
/// answers 500 / -32603 and the caller lives on. What the server does per request, without sockets.
pub fn handle(app: &Arc<App>, req: &Req) -> Reply {
    match catch_unwind(AssertUnwindSafe(|| route::route(app, req))) {
        Ok(reply) => reply,
        Err(panic) => panicked(app, req, panic.as_ref()),
    }
}

/// On every response (the original design's helmet set, for an API that serves no HTML), unless the reply
/// sets the header itself (the sign-in pages' policy allows their inline style).
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

/// True for a header that may be written: the name a token, the value visible ASCII, spaces and
/// horizontal tabs only (RFC 9110 §5.5). A value with CR, LF or NUL would split the response.
fn writable_header(name: &str, value: &str) -> bool {
    let ok = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
        && value
            .bytes()
            .all(|b| b == b'\t' || b == b' ' || b.is_ascii_graphic());
    if !ok {
        log::error!(header = name.escape_debug().to_string(); "refused to write a header with a forbidden character");
    }
    ok
}

fn with_headers<R: Read>(
    mut resp: tiny_http::Response<R>,
    headers: &[(&str, &str)],
) -> tiny_http::Response<R> {
    for (k, v) in headers {
        if !writable_header(k, v) {
            continue;
        }
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
    let own = |name: &str| {
        reply
            .headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case(name))
    };
    let defaults: Vec<(&str, &str)> = SECURITY_HEADERS
        .iter()
        .filter(|(k, _)| !own(k))
        .copied()
        .collect();
    // Full replies say `Connection: close` through `respond_and_close` (tiny_http drops a `Connection`
    // header given to a response); a stream's head is written here, so it says it itself.
    let close = o.close;
    match reply.body {
        ReplyBody::Empty => {
            headers.extend(&defaults);
            let resp = with_headers(tiny_http::Response::empty(reply.status), &headers);
            respond(rq, resp, close);
            Sent {
                bytes: Some(0),
                gzip: false,
            }
        }
        ReplyBody::Full(ctype, body) => {
            headers.extend(&defaults);
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
            // Held whole: Content-Length, never chunked, and head + body in one write.
            let resp = tiny_http::Response::from_data(body)
                .with_status_code(reply.status)
                .with_chunked_threshold(usize::MAX);
            respond(rq, with_headers(resp, &headers), close);
            sent
        }
        ReplyBody::Sse(stream) => {
            let mut head = String::from(
                "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache, no-transform\r\n\
                 X-Accel-Buffering: no\r\nTransfer-Encoding: chunked\r\n",
            );
            headers.extend(defaults.iter().filter(|(k, _)| *k != "Cache-Control"));
            if close {
                headers.push(("Connection", "close"));
            }
            for (k, v) in headers.iter().filter(|(k, v)| writable_header(k, v)) {
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
