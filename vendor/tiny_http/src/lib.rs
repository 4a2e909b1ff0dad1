//! # Simple usage
//!
//! ## Creating the server
//!
//! The easiest way to create a server is to call `Server::http()`.
//!
//! The `http()` function returns an `IoResult<Server>` which will return an error
//! in the case where the server creation fails (for example if the listening port is already
//! occupied).
//!
//! ```no_run
//! let server = tiny_http::Server::http("0.0.0.0:0").unwrap();
//! ```
//!
//! A newly-created `Server` will immediately start listening for incoming connections and HTTP
//! requests.
//!
//! ## Receiving requests
//!
//! Calling `server.recv()` will block until the next request is available.
//! This function returns an `IoResult<Request>`, so you need to handle the possible errors.
//!
//! ```no_run
//! # let server = tiny_http::Server::http("0.0.0.0:0").unwrap();
//!
//! loop {
//!     // blocks until the next request is received
//!     let request = match server.recv() {
//!         Ok(rq) => rq,
//!         Err(e) => { println!("error: {}", e); break }
//!     };
//!
//!     // do something with the request
//!     // ...
//! }
//! ```
//!
//! In a real-case scenario, you will probably want to spawn multiple worker tasks and call
//! `server.recv()` on all of them. Like this:
//!
//! ```no_run
//! # use std::sync::Arc;
//! # use std::thread;
//! # let server = tiny_http::Server::http("0.0.0.0:0").unwrap();
//! let server = Arc::new(server);
//! let mut guards = Vec::with_capacity(4);
//!
//! for _ in (0 .. 4) {
//!     let server = server.clone();
//!
//!     let guard = thread::spawn(move || {
//!         loop {
//!             let rq = server.recv().unwrap();
//!
//!             // ...
//!         }
//!     });
//!
//!     guards.push(guard);
//! }
//! ```
//!
//! If you don't want to block, you can call `server.try_recv()` instead.
//!
//! ## Handling requests
//!
//! The `Request` object returned by `server.recv()` contains informations about the client's request.
//! The most useful methods are probably `request.method()` and `request.url()` which return
//! the requested method (`GET`, `POST`, etc.) and url.
//!
//! To handle a request, you need to create a `Response` object. See the docs of this object for
//! more infos. Here is an example of creating a `Response` from a file:
//!
//! ```no_run
//! # use std::fs::File;
//! # use std::path::Path;
//! let response = tiny_http::Response::from_file(File::open(&Path::new("image.png")).unwrap());
//! ```
//!
//! All that remains to do is call `request.respond()`:
//!
//! ```no_run
//! # use std::fs::File;
//! # use std::path::Path;
//! # let server = tiny_http::Server::http("0.0.0.0:0").unwrap();
//! # let request = server.recv().unwrap();
//! # let response = tiny_http::Response::from_file(File::open(&Path::new("image.png")).unwrap());
//! let _ = request.respond(response);
//! ```
#![forbid(unsafe_code)]
#![deny(rust_2018_idioms)]
#![allow(clippy::match_like_matches_macro)]

use std::error::Error;
use std::io::Error as IoError;
use std::io::Result as IoResult;
use std::net::{Shutdown, TcpStream, ToSocketAddrs};
use std::sync::atomic::AtomicBool;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::mpsc;
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use client::ClientConnection;
use connection::Connection;
use util::MessagesQueue;

pub use common::{HTTPVersion, Header, HeaderField, Method, StatusCode};
pub use connection::{ConfigListenAddr, ListenAddr, Listener};
pub use request::{BodyError, PeerProbe, ReadWrite, Request};
pub use response::{Response, ResponseBox};
pub use test::TestRequest;

mod client;
mod common;
mod connection;
pub mod head;
mod request;
mod response;
mod test;
mod util;

/// The main class of this library.
///
/// Destroying this object will immediately close the listening socket and the reading
///  part of all the client's connections. Requests that have already been returned by
///  the `recv()` function will not close and the responses will be transferred to the client.
pub struct Server {
    // should be false as long as the server exists
    // when set to true, all the subtasks will close within a few hundreds ms
    close: Arc<AtomicBool>,

    // queue for messages received by child threads
    messages: Arc<MessagesQueue<Message>>,

    // result of TcpListener::local_addr()
    listening_addr: ListenAddr,

    // hubspot-mcp patch: a handle on every open connection, for `close_connections`.
    open_sockets: Arc<OpenSockets>,
}

/// hubspot-mcp patch: the open connections by id.
type OpenSockets = std::sync::Mutex<std::collections::HashMap<u64, Arc<Connection>>>;

/// hubspot-mcp patch: keeps a connection listed in `OpenSockets` while it is served.
struct SocketRegistration {
    sockets: Arc<OpenSockets>,
    id: u64,
}

impl SocketRegistration {
    fn new(sockets: &Arc<OpenSockets>, id: u64, conn: Option<Arc<Connection>>) -> Self {
        if let Some(conn) = conn {
            let mut map = sockets.lock().unwrap_or_else(|e| e.into_inner());
            map.insert(id, conn);
        }
        SocketRegistration {
            sockets: sockets.clone(),
            id,
        }
    }
}

impl Drop for SocketRegistration {
    fn drop(&mut self) {
        let mut map = self.sockets.lock().unwrap_or_else(|e| e.into_inner());
        map.remove(&self.id);
    }
}

// A queued request is moved once, from its connection's thread to `recv`: boxing it would cost an
// allocation per request for nothing.
#[allow(clippy::large_enum_variant)]
enum Message {
    Error(IoError),
    NewRequest(Request),
}

impl From<IoError> for Message {
    fn from(e: IoError) -> Message {
        Message::Error(e)
    }
}

impl From<Request> for Message {
    fn from(rq: Request) -> Message {
        Message::NewRequest(rq)
    }
}

// Server must be Sync and Send: checked at compile time.
const _: fn() = || {
    fn sync_send<T: Sync + Send>() {}
    sync_send::<Server>();
};

pub struct IncomingRequests<'a> {
    server: &'a Server,
}

/// Represents the parameters required to create a server.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// The addresses to try to listen to.
    pub addr: ConfigListenAddr,
}

/// hubspot-mcp patch: limits applied to each accepted TCP connection.
#[derive(Debug, Clone)]
pub struct ConnectionLimits {
    /// Read timeout of each socket: bounds one read (an idle keep-alive connection, a stalled body).
    pub read_timeout: Option<std::time::Duration>,
    /// Write timeout of each socket: bounds clients that stop reading.
    pub write_timeout: Option<std::time::Duration>,
    /// Connections over this count get a 503 and are closed at once.
    pub max_connections: usize,
    /// A whole request head must arrive within this, counted from its first byte.
    pub head_timeout: Option<std::time::Duration>,
    /// Connections from one IP address that have not yet sent their first whole request; one more
    /// gets a 503 and is closed. Established (keep-alive) connections do not count.
    pub max_pending_per_ip: usize,
    /// Headers every response written by tiny_http itself carries (refusals, the connection cap).
    pub refusal_headers: Vec<(String, String)>,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            read_timeout: None,
            write_timeout: None,
            max_connections: usize::MAX,
            head_timeout: None,
            max_pending_per_ip: usize::MAX,
            refusal_headers: Vec::new(),
        }
    }
}

/// hubspot-mcp patch: runs on a request's connection thread once its head is read, before its body
/// and before it is queued: it may answer the request itself (returning `None`), or read its body
/// (`Request::buffer_body`) and hand it on (`Some`).
pub type Gate = Arc<dyn Fn(Request) -> Option<Request> + Send + Sync>;

/// hubspot-mcp patch: connections per IP address that have not yet sent a whole first request.
type PendingMap = std::sync::Mutex<std::collections::HashMap<std::net::IpAddr, usize>>;

/// hubspot-mcp patch: one connection's place in `PendingMap`, given back when dropped.
struct PendingSlot {
    map: Arc<PendingMap>,
    ip: std::net::IpAddr,
}

impl PendingSlot {
    fn take(map: &Arc<PendingMap>, ip: std::net::IpAddr, max: usize) -> Option<PendingSlot> {
        let mut m = map.lock().unwrap_or_else(|e| e.into_inner());
        let n = m.entry(ip).or_insert(0);
        if *n >= max {
            return None;
        }
        *n += 1;
        Some(PendingSlot {
            map: map.clone(),
            ip,
        })
    }
}

impl Drop for PendingSlot {
    fn drop(&mut self) {
        let mut m = self.map.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = m.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                m.remove(&self.ip);
            }
        }
    }
}

struct ConnectionGuard(Arc<std::sync::atomic::AtomicUsize>);

impl ConnectionGuard {
    fn new(count: Arc<std::sync::atomic::AtomicUsize>) -> Self {
        count.fetch_add(1, Relaxed);
        ConnectionGuard(count)
    }
}

impl Drop for ConnectionGuard {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Relaxed);
    }
}

impl Server {
    /// Shortcut for a simple server on a specific address.
    #[inline]
    pub fn http<A>(addr: A) -> Result<Server, Box<dyn Error + Send + Sync + 'static>>
    where
        A: ToSocketAddrs,
    {
        Server::new(ServerConfig {
            addr: ConfigListenAddr::from_socket_addrs(addr)?,
        })
    }

    #[cfg(unix)]
    #[inline]
    /// Shortcut for a UNIX socket server at a specific path
    pub fn http_unix(
        path: &std::path::Path,
    ) -> Result<Server, Box<dyn Error + Send + Sync + 'static>> {
        Server::new(ServerConfig {
            addr: ConfigListenAddr::unix_from_path(path),
        })
    }

    /// Builds a new server that listens on the specified address.
    pub fn new(config: ServerConfig) -> Result<Server, Box<dyn Error + Send + Sync + 'static>> {
        let listener = config.addr.bind()?;
        Self::from_listener(listener)
    }

    /// Builds a new server using the specified TCP listener.
    ///
    /// This is useful if you've constructed TcpListener using some less usual method
    /// such as from systemd. For other cases, you probably want the `new()` function.
    pub fn from_listener<L: Into<Listener>>(
        listener: L,
    ) -> Result<Server, Box<dyn Error + Send + Sync + 'static>> {
        Self::from_listener_with_limits(listener, ConnectionLimits::default())
    }

    /// hubspot-mcp patch: like `from_listener`, with per-socket timeouts, TCP_NODELAY and a
    /// cap on open connections applied to every accepted client.
    pub fn from_listener_with_limits<L: Into<Listener>>(
        listener: L,
        limits: ConnectionLimits,
    ) -> Result<Server, Box<dyn Error + Send + Sync + 'static>> {
        Self::from_listener_with_gate(listener, limits, None)
    }

    /// hubspot-mcp patch: like `from_listener_with_limits`, with a `Gate` every request passes on
    /// its connection thread before it is queued.
    pub fn from_listener_with_gate<L: Into<Listener>>(
        listener: L,
        limits: ConnectionLimits,
        gate: Option<Gate>,
    ) -> Result<Server, Box<dyn Error + Send + Sync + 'static>> {
        let listener = listener.into();
        let pending: Arc<PendingMap> = Arc::default();
        let settings = client::ConnectionSettings {
            head_timeout: limits.head_timeout,
            refusal_headers: limits.refusal_headers.clone().into(),
        };
        let open_connections = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let open_sockets: Arc<OpenSockets> = Arc::default(); // hubspot-mcp patch
        let inside_open_sockets = open_sockets.clone();
        // building the "close" variable
        let close_trigger = Arc::new(AtomicBool::new(false));

        // building the TcpListener
        let (server, local_addr) = {
            let local_addr = listener.local_addr()?;
            log::debug!("Server listening on {}", local_addr);
            (listener, local_addr)
        };

        // creating a task where server.accept() is continuously called
        // and ClientConnection objects are pushed in the messages queue
        let messages = MessagesQueue::with_capacity(8);

        let inside_close_trigger = close_trigger.clone();
        let inside_messages = messages.clone();
        thread::spawn(move || {
            // a tasks pool is used to dispatch the connections into threads
            let tasks_pool = util::TaskPool::new();
            let mut next_id: u64 = 0; // hubspot-mcp patch

            log::debug!("Running accept thread");
            while !inside_close_trigger.load(Relaxed) {
                let new_client = match server.accept() {
                    Ok((mut sock, _)) => {
                        use util::RefinedTcpStream;
                        // hubspot-mcp patch: bound slow and idle clients, answer small
                        // writes at once, and refuse connections over the cap.
                        if let Connection::Tcp(ref tcp) = sock {
                            let _ = tcp.set_read_timeout(limits.read_timeout);
                            let _ = tcp.set_write_timeout(limits.write_timeout);
                            let _ = tcp.set_nodelay(true);
                        }
                        if open_connections.load(Relaxed) >= limits.max_connections {
                            let _ = head::write_refusal(&mut sock, 503, "Service Unavailable: too many open connections; retry after the delay in Retry-After", &limits.refusal_headers);
                            let _ = sock.shutdown(Shutdown::Both);
                            continue;
                        }
                        // hubspot-mcp patch: a bound per address on connections that have not
                        // sent a whole first request yet (slow heads), so one address cannot hold
                        // the connection cap.
                        let slot = match sock.peer_addr() {
                            Ok(Some(addr)) if limits.max_pending_per_ip < usize::MAX => {
                                match PendingSlot::take(
                                    &pending,
                                    addr.ip(),
                                    limits.max_pending_per_ip,
                                ) {
                                    Some(slot) => Some(Box::new(slot) as Box<dyn Send>),
                                    None => {
                                        let _ = head::write_refusal(&mut sock, 503, "Service Unavailable: too many connections from this address are still sending their first request", &limits.refusal_headers);
                                        let _ = sock.shutdown(Shutdown::Both);
                                        continue;
                                    }
                                }
                            }
                            _ => None,
                        };
                        let guard = ConnectionGuard::new(open_connections.clone());
                        // hubspot-mcp patch: one more handle on the socket, listed for
                        // `close_connections` while served and given to requests for `abort`.
                        let handle = sock.try_clone().ok().map(Arc::new);
                        next_id = next_id.wrapping_add(1);
                        let guard = (
                            guard,
                            SocketRegistration::new(&inside_open_sockets, next_id, handle.clone()),
                        );
                        let (read_closable, write_closable) = RefinedTcpStream::new(sock);

                        let clock = Arc::new(util::ReadClock::new(limits.read_timeout));
                        let client = ClientConnection::new(
                            write_closable,
                            read_closable,
                            clock,
                            settings.clone(),
                        )
                        .with_abort_handle(handle) // hubspot-mcp patch
                        .with_pending(slot);
                        Ok((client, guard))
                    }
                    Err(e) => Err(e),
                };

                match new_client {
                    Ok((client, guard)) => {
                        let messages = inside_messages.clone();
                        let gate = gate.clone();
                        let mut client = Some((client, guard));
                        tasks_pool.spawn(Box::new(move || {
                            if let Some((client, _guard)) = client.take() {
                                // Synchronization is needed for HTTPS requests to avoid a deadlock
                                if client.secure() {
                                    let (sender, receiver) = mpsc::channel();
                                    for rq in client {
                                        messages.push(rq.with_notify_sender(sender.clone()).into());
                                        receiver.recv().unwrap();
                                    }
                                } else {
                                    for rq in client {
                                        // hubspot-mcp patch: the gate answers or reads the body here.
                                        let rq = match &gate {
                                            Some(gate) => match gate(rq) {
                                                Some(rq) => rq,
                                                None => continue,
                                            },
                                            None => rq,
                                        };
                                        messages.push(rq.into());
                                    }
                                }
                            }
                        }));
                    }

                    Err(e) => {
                        // hubspot-mcp patch: a failed accept (EMFILE, ECONNABORTED, ...) is
                        // transient; upstream ended the accept loop for good here.
                        log::warn!("Error accepting new client: {}", e);
                        thread::sleep(std::time::Duration::from_millis(20));
                        continue;
                    }
                }
            }
            log::debug!("Terminating accept thread");
        });

        // result
        Ok(Server {
            messages,
            close: close_trigger,
            listening_addr: local_addr,
            open_sockets,
        })
    }

    /// Returns an iterator for all the incoming requests.
    ///
    /// The iterator will return `None` if the server socket is shutdown.
    #[inline]
    pub fn incoming_requests(&self) -> IncomingRequests<'_> {
        IncomingRequests { server: self }
    }

    /// Returns the address the server is listening to.
    #[inline]
    pub fn server_addr(&self) -> ListenAddr {
        self.listening_addr.clone()
    }

    /// Returns the number of clients currently connected to the server.
    pub fn num_connections(&self) -> usize {
        unimplemented!()
        //self.requests_receiver.lock().len()
    }

    /// Blocks until an HTTP request has been submitted and returns it.
    pub fn recv(&self) -> IoResult<Request> {
        match self.messages.pop() {
            Some(Message::Error(err)) => Err(err),
            Some(Message::NewRequest(rq)) => Ok(rq),
            None => Err(IoError::other("thread unblocked")),
        }
    }

    /// Same as `recv()` but doesn't block longer than timeout
    pub fn recv_timeout(&self, timeout: Duration) -> IoResult<Option<Request>> {
        match self.messages.pop_timeout(timeout) {
            Some(Message::Error(err)) => Err(err),
            Some(Message::NewRequest(rq)) => Ok(Some(rq)),
            None => Ok(None),
        }
    }

    /// Same as `recv()` but doesn't block.
    pub fn try_recv(&self) -> IoResult<Option<Request>> {
        match self.messages.try_pop() {
            Some(Message::Error(err)) => Err(err),
            Some(Message::NewRequest(rq)) => Ok(Some(rq)),
            None => Ok(None),
        }
    }

    /// Unblock thread stuck in recv() or incoming_requests().
    /// If there are several such threads, only one is unblocked.
    /// This method allows graceful shutdown of server.
    pub fn unblock(&self) {
        self.messages.unblock();
    }
}

impl Iterator for IncomingRequests<'_> {
    type Item = Request;
    fn next(&mut self) -> Option<Request> {
        self.server.recv().ok()
    }
}

impl Server {
    /// hubspot-mcp patch: stops accepting new connections (the accept thread ends and closes the
    /// listening socket) while requests on connections already open can still be received.
    pub fn stop_accepting(&self) {
        if self.close.swap(true, Relaxed) {
            return;
        }
        let maybe_stream = match &self.listening_addr {
            ListenAddr::IP(addr) => {
                TcpStream::connect_timeout(addr, Duration::from_secs(1)).map(Connection::from)
            }
            #[cfg(unix)]
            ListenAddr::Unix(addr) => match addr.as_pathname() {
                Some(path) => std::os::unix::net::UnixStream::connect(path).map(Connection::from),
                None => return,
            },
        };
        if let Ok(stream) = maybe_stream {
            let _ = stream.shutdown(Shutdown::Both);
        }
    }

    /// hubspot-mcp patch: shuts down (both directions) every connection open now, idle or not:
    /// their threads see end-of-file and end, and responses still being written fail. Call it after
    /// `stop_accepting`, once the accept thread is done, to close everything.
    pub fn close_connections(&self) {
        let conns: Vec<Arc<Connection>> = {
            let mut map = self.open_sockets.lock().unwrap_or_else(|e| e.into_inner());
            map.drain().map(|(_, conn)| conn).collect()
        };
        for conn in conns {
            let _ = conn.shutdown(Shutdown::Both);
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let already_stopped = self.close.load(Relaxed);
        self.close.store(true, Relaxed);
        if already_stopped {
            return;
        }
        // Connect briefly to ourselves to unblock the accept thread
        let maybe_stream = match &self.listening_addr {
            ListenAddr::IP(addr) => TcpStream::connect(addr).map(Connection::from),
            #[cfg(unix)]
            ListenAddr::Unix(addr) => {
                // TODO: use connect_addr when its stabilized.
                let path = addr.as_pathname().unwrap();
                std::os::unix::net::UnixStream::connect(path).map(Connection::from)
            }
        };
        if let Ok(stream) = maybe_stream {
            let _ = stream.shutdown(Shutdown::Both);
        }

        #[cfg(unix)]
        if let ListenAddr::Unix(addr) = &self.listening_addr {
            if let Some(path) = addr.as_pathname() {
                let _ = std::fs::remove_file(path);
            }
        }
    }
}
