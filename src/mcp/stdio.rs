//! The stdio transport: newline-delimited JSON-RPC on stdin / stdout, for desktop clients.
//!
//! Same dispatcher as HTTP. Requests run on a small worker pool so `notifications/cancelled` can reach
//! a running tool; every line written to stdout is one whole message: workers hand lines to one writer
//! thread over a channel, so no lock is held while stdout is written.
//! Logs go to stderr only.

use std::io::{BufRead, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use parking_lot::Mutex;
use serde_json::Value;

use crate::mcp::dispatch::{self, Call};
use crate::mcp::jsonrpc::{self, Body, Message, Request, RpcError};
use crate::mcp::method::Method;
use crate::mcp::version::Revision;
use crate::mcp::Host;

/// Where responses go: a channel to the one thread that writes them (to stdout, or a buffer in tests),
/// each line whole and flushed. Cloned by every worker.
#[derive(Clone)]
pub(crate) struct Output {
    lines: crossbeam_channel::Sender<String>,
    broken: Arc<AtomicBool>,
}

impl Output {
    /// Starts the writer thread over `sink`; it ends when every `Output` is dropped (join the handle
    /// to know everything was written).
    pub(crate) fn spawn(
        mut sink: Box<dyn Write + Send>,
    ) -> std::io::Result<(Output, std::thread::JoinHandle<()>)> {
        let (lines, rx) = crossbeam_channel::unbounded::<String>();
        let broken = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&broken);
        let handle = std::thread::Builder::new()
            .name("mcp-stdout".into())
            .spawn(move || {
                for line in rx {
                    let ok = sink
                        .write_all(line.as_bytes())
                        .and_then(|()| sink.write_all(b"\n"))
                        .and_then(|()| sink.flush())
                        .is_ok();
                    if !ok {
                        flag.store(true, Ordering::Relaxed);
                    }
                }
            })?;
        Ok((Output { lines, broken }, handle))
    }
}

/// Queues one line; false once the output is gone (the client closed stdout).
fn write_line(out: &Output, line: &str) -> bool {
    !out.broken.load(Ordering::Relaxed) && out.lines.send(line.to_string()).is_ok()
}

/// The session key of the one client over stdio (where its elicitation answers are delivered).
const STDIO_SESSION: &str = "stdio";

/// What `initialize` told of the client over stdio.
#[derive(Debug, Clone)]
struct Peer {
    /// The tool profile of this process (`stdio --profile`).
    profile: crate::tools::profile::Chosen,
    revision: Revision,
    asks: crate::approval::Asks,
    client: String,
}

impl Default for Peer {
    fn default() -> Self {
        Peer {
            profile: Default::default(),
            revision: Revision::LATEST_SESSION,
            asks: Default::default(),
            client: String::new(),
        }
    }
}

/// Serves `input` until it ends, then waits for running requests. Lines longer than the body cap are
/// answered with -32600 and skipped.
pub(crate) fn run(
    app: Arc<dyn Host>,
    mut input: impl BufRead,
    out: Output,
    profile: crate::tools::profile::Chosen,
) -> std::io::Result<()> {
    let pool = threadpool::Builder::new()
        .num_threads(app.config().workers().min(16))
        .thread_name("mcp-stdio".into())
        .build();
    let negotiated: Arc<Mutex<Option<Peer>>> = Arc::new(Mutex::new(None));
    let max = app.config().max_body_bytes();
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = std::io::Read::take(&mut input, max as u64 + 1).read_until(b'\n', &mut line)?;
        if n == 0 {
            break;
        }
        if line.len() > max && !line.ends_with(b"\n") {
            // Skip the rest of the oversized line.
            let mut rest = Vec::new();
            input.read_until(b'\n', &mut rest)?;
            let e = RpcError::invalid_request(format!("message larger than {max} bytes"));
            write_line(&out, &jsonrpc::error_response(&Value::Null, &e));
            continue;
        }
        let text = trim_ascii(&line);
        if text.is_empty() {
            continue;
        }
        // The same bound on values as over HTTP: memory follows the count, not the length.
        if let Err(e) = jsonrpc::check_size(text, app.config().max_json_values()) {
            write_line(&out, &jsonrpc::error_response(&Value::Null, &e));
            continue;
        }
        match jsonrpc::parse_body(text) {
            Err(e) => {
                write_line(&out, &jsonrpc::error_response(&Value::Null, &e));
            }
            Ok(Body::Batch(items)) => {
                let peer = negotiated.lock().clone().unwrap_or(Peer {
                    profile,
                    ..Peer::default()
                });
                let rev = peer.revision;
                if !rev.allows_batch() {
                    let e = RpcError::invalid_request(format!(
                        "JSON-RPC batches are not part of protocol revision {rev}"
                    ));
                    write_line(&out, &jsonrpc::error_response(&Value::Null, &e));
                    continue;
                }
                let (app, out) = (Arc::clone(&app), out.clone());
                pool.execute(move || {
                    let mut replies = Vec::new();
                    for item in items {
                        match jsonrpc::parse_message(item) {
                            Err((id, e)) => replies.push(jsonrpc::error_response(&id, &e)),
                            Ok(Message::Request(mut r)) => {
                                replies.push(serve(app.as_ref(), &peer, &mut r, None))
                            }
                            Ok(Message::Notification(n)) => {
                                // No session over stdio: nothing is stored, nothing can fail.
                                let _ = dispatch::handle_notification(app.as_ref(), None, &n);
                            }
                            Ok(Message::Response(_)) => {}
                        }
                    }
                    if !replies.is_empty() {
                        write_line(&out, &format!("[{}]", replies.join(",")));
                    }
                });
            }
            Ok(Body::Single(v)) => match jsonrpc::parse_message(v) {
                Err((id, e)) => {
                    write_line(&out, &jsonrpc::error_response(&id, &e));
                }
                Ok(Message::Request(r))
                    if r.kind == Some(Method::Initialize)
                        && !dispatch::claims_stateless(&r.params) =>
                {
                    let reply = match dispatch::initialize(app.as_ref(), &r.params) {
                        Ok((rev, result, client, asks)) => {
                            *negotiated.lock() = Some(Peer {
                                profile,
                                revision: rev,
                                asks,
                                client: client.clone(),
                            });
                            log::info!(revision = rev.as_str(), client = client.as_str(); "stdio session initialized");
                            jsonrpc::response(&r.id, &result)
                        }
                        Err(e) => jsonrpc::error_response(&r.id, &e),
                    };
                    write_line(&out, &reply);
                }
                Ok(Message::Request(mut r)) => {
                    let peer = negotiated.lock().clone().unwrap_or(Peer {
                        profile,
                        ..Peer::default()
                    });
                    let (app, out) = (Arc::clone(&app), out.clone());
                    pool.execute(move || {
                        let out2 = out.clone();
                        // An empty line is a keep-alive over HTTP; stdio needs none.
                        let mut notify = move |l: &str| l.is_empty() || write_line(&out2, l);
                        let reply = serve(app.as_ref(), &peer, &mut r, Some(&mut notify));
                        write_line(&out, &reply);
                    });
                }
                Ok(Message::Notification(n)) => {
                    // No session over stdio: nothing is stored, nothing can fail.
                    let _ = dispatch::handle_notification(app.as_ref(), None, &n);
                }
                Ok(Message::Response(v)) => {
                    app.approvals().answer(STDIO_SESSION, "anonymous", &v);
                }
            },
        }
    }
    pool.join();
    Ok(())
}

fn trim_ascii(b: &[u8]) -> &[u8] {
    let start = b
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(b.len());
    let end = b
        .iter()
        .rposition(|c| !c.is_ascii_whitespace())
        .map_or(start, |e| e + 1);
    &b[start..end]
}

/// Serves one request; a request claiming a per-request version (2026-07-28) is checked and served
/// statelessly, others under the negotiated revision.
fn serve<'a>(
    app: &'a dyn Host,
    peer: &Peer,
    r: &mut Request,
    notify: Option<&'a mut dispatch::NotifyFn<'a>>,
) -> String {
    let revision =
        if dispatch::claims_stateless(&r.params) || r.kind == Some(Method::ServerDiscover) {
            let meta = match dispatch::stateless_meta(&r.params) {
                Ok(m) => m,
                Err(e) => return jsonrpc::error_response(&r.id, &e),
            };
            match Revision::parse(&meta.version).filter(|v| !v.has_sessions()) {
                Some(v) => v,
                None => {
                    return jsonrpc::error_response(
                        &r.id,
                        &dispatch::unsupported_version(&meta.version),
                    )
                }
            }
        } else {
            peer.revision
        };
    let guard = app.inflight().register(None, &r.id);
    let mut asker = dispatch::asker(revision, None, None, &r.params, "");
    if revision.has_sessions() {
        // The client of this process: its elicitation answers arrive on stdin.
        asker.client = peer.client.clone();
        asker.asks = peer.asks;
        asker.taint_key = format!("session:{STDIO_SESSION}");
        asker.session = Some(STDIO_SESSION.into());
    }
    let mut call = Call {
        asker,
        app,
        revision,
        session: None,
        notify,
        cancel: guard.token.clone(),
        deadline: Instant::now() + app.config().request_timeout(),
        budget: std::sync::Arc::new(crate::tools::RequestBudget::new(
            app.config().max_upstream_calls(),
            None,
        )),
        can_write: true,
        user: None,
        profile: peer.profile,
    };
    match catch_unwind(AssertUnwindSafe(|| dispatch::handle_request(&mut call, r))) {
        Ok(Ok(p)) => p.into_response(&r.id),
        Ok(Err(e)) => jsonrpc::error_response(&r.id, &e),
        Err(_) => {
            app.metrics().record_panic();
            log::error!(method = r.method.as_str(); "handler panicked (stdio)");
            jsonrpc::error_response(
                &r.id,
                &RpcError::internal("the server failed while handling this request"),
            )
        }
    }
}
