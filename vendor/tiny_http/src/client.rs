use std::io::Result as IoResult;
use std::io::{BufReader, BufWriter};

use std::net::SocketAddr;
use std::sync::Arc;

use crate::common::HTTPVersion;
use crate::connection::Connection;
use crate::head::{self, HeadError};
use crate::util::{ReadClock, RefinedTcpStream};
use crate::util::{SequentialReader, SequentialReaderBuilder, SequentialWriterBuilder};
use crate::Request;

/// hubspot-mcp patch: what every connection of a server shares: the head's deadline and the headers
/// every refusal written here carries.
#[derive(Debug, Clone)]
pub(crate) struct ConnectionSettings {
    pub head_timeout: Option<std::time::Duration>,
    pub refusal_headers: Arc<[(String, String)]>,
}

/// A ClientConnection is an object that will store a socket to a client
/// and return Request objects.
pub struct ClientConnection {
    // address of the client
    remote_addr: IoResult<Option<SocketAddr>>,

    // sequence of Readers to the stream, so that the data is not read in
    //  the wrong order
    source: SequentialReaderBuilder<BufReader<RefinedTcpStream>>,

    // sequence of Writers to the stream, to avoid writing response #2 before
    //  response #1
    sink: SequentialWriterBuilder<BufWriter<RefinedTcpStream>>,

    // Reader to read the next header from
    next_header_source: SequentialReader<BufReader<RefinedTcpStream>>,

    // set to true if we know that the previous request is the last one
    no_more_requests: bool,

    // true if the connection goes through SSL
    secure: bool,

    // hubspot-mcp patch: the socket, shared with every request read from it, for `Request::abort`.
    abort_handle: Option<Arc<Connection>>,

    // hubspot-mcp patch: the deadline of the head (and body) being read, shared with the socket.
    clock: Arc<ReadClock>,

    // hubspot-mcp patch: head deadline and refusal headers.
    settings: ConnectionSettings,

    // hubspot-mcp patch: the connection's per-address slot, held until its first request has
    // arrived whole (handed to that request, which drops it once its body is read).
    pending: Option<Box<dyn Send>>,
}

impl ClientConnection {
    /// Creates a new `ClientConnection` that takes ownership of the `TcpStream`.
    pub(crate) fn new(
        write_socket: RefinedTcpStream,
        read_socket: RefinedTcpStream,
        clock: Arc<ReadClock>,
        settings: ConnectionSettings,
    ) -> ClientConnection {
        let mut read_socket = read_socket.with_clock(clock.clone());
        let remote_addr = read_socket.peer_addr();
        let secure = read_socket.secure();

        let mut source = SequentialReaderBuilder::new(BufReader::with_capacity(1024, read_socket));
        let first_header = source.next().unwrap();

        ClientConnection {
            source,
            sink: SequentialWriterBuilder::new(BufWriter::with_capacity(1024, write_socket)),
            remote_addr,
            next_header_source: first_header,
            no_more_requests: false,
            secure,
            abort_handle: None,
            clock,
            settings,
            pending: None,
        }
    }

    /// hubspot-mcp patch: the socket every request read from this connection may shut down.
    pub(crate) fn with_abort_handle(mut self, handle: Option<Arc<Connection>>) -> Self {
        self.abort_handle = handle;
        self
    }

    /// hubspot-mcp patch: the per-address slot this connection holds until its first request.
    pub(crate) fn with_pending(mut self, pending: Option<Box<dyn Send>>) -> Self {
        self.pending = pending;
        self
    }

    /// true if the connection is HTTPS
    pub fn secure(&self) -> bool {
        self.secure
    }

    /// Reads a request from the stream: its head only, under the head deadline (which starts with
    /// the head's first byte; before it, the socket's idle timeout applies).
    fn read(&mut self) -> Result<Request, HeadError> {
        let clock = self.clock.clone();
        let head_timeout = self.settings.head_timeout;
        let bytes = head::read_head(&mut self.next_header_source, || {
            if let Some(t) = head_timeout {
                clock.start(t);
            }
        });
        self.clock.clear();
        let bytes = bytes?.ok_or(HeadError::Closed)?;
        let head = head::parse(&bytes)?;

        // building the writer for the request
        let writer = self.sink.next().unwrap();

        // follow-up for next potential request
        let mut data_source = self.source.next().unwrap();
        std::mem::swap(&mut self.next_header_source, &mut data_source);

        let remote_addr = match &self.remote_addr {
            Ok(a) => *a,
            Err(_) => None,
        };
        let request = crate::request::new_request(
            self.secure,
            head.method,
            head.target,
            head.version,
            head.headers,
            remote_addr,
            head.framing,
            head.expects_continue,
            data_source,
            writer,
        );

        Ok(request
            .with_abort_handle(self.abort_handle.clone())
            .with_connection_state(self.clock.clone(), self.pending.take()))
    }

    /// Answers a head that cannot be served and closes the connection: after the responses to
    /// earlier requests on it (pipelining keeps their order), never instead of them.
    fn refuse(&mut self, err: &HeadError) {
        if let Some(status) = err.status() {
            if let Some(mut writer) = self.sink.next() {
                let _ = head::write_refusal(
                    &mut writer,
                    status,
                    &err.message(),
                    &self.settings.refusal_headers,
                );
            }
        }
        if let Some(conn) = &self.abort_handle {
            let _ = conn.shutdown(std::net::Shutdown::Both);
        }
    }
}

impl Iterator for ClientConnection {
    type Item = Request;

    /// Blocks until the next Request is available.
    /// Returns None when no new Requests will come from the client.
    fn next(&mut self) -> Option<Request> {
        // the client sent a "connection: close" header in this previous request
        //  or is using HTTP 1.0, meaning that no new request will come
        if self.no_more_requests {
            return None;
        }

        let rq = match self.read() {
            Ok(rq) => rq,
            Err(HeadError::Closed) => return None,
            Err(err) => {
                // hubspot-mcp patch: every refusal is answered here, directly, and closes the
                // connection (where the next request would start is not known).
                self.refuse(&err);
                return None;
            }
        };

        // updating the status of the connection
        let connection_header = rq
            .headers()
            .iter()
            .find(|h| h.field.equiv("Connection"))
            .map(|h| h.value.as_str());

        let lowercase = connection_header.map(|h| h.to_ascii_lowercase());

        match lowercase {
            Some(ref val) if val.contains("close") => self.no_more_requests = true,
            // hubspot-mcp patch: no upgrade is offered; the request is served as any other and
            // the connection closes after it.
            Some(ref val) if val.contains("upgrade") => self.no_more_requests = true,
            Some(ref val)
                if !val.contains("keep-alive") && *rq.http_version() == HTTPVersion(1, 0) =>
            {
                self.no_more_requests = true
            }
            None if *rq.http_version() == HTTPVersion(1, 0) => self.no_more_requests = true,
            _ => (),
        };

        Some(rq)
    }
}
