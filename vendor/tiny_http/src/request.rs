use std::io::Error as IoError;
use std::io::{self, ErrorKind, Read, Write};

use std::convert::TryFrom;
use std::fmt;
use std::net::{Shutdown, SocketAddr};

use std::sync::mpsc::Sender;
use std::sync::Arc;

use crate::connection::Connection;
use crate::head::Framing;
use crate::util::{ChunkedReader, EqualReader, FusedReader, ReadClock};
use crate::{HTTPVersion, Header, Method, Response, StatusCode};

/// Represents an HTTP request made by a client.
///
/// A `Request` object is what is produced by the server, and is your what
/// your code must analyse and answer.
///
/// This object implements the `Send` trait, therefore you can dispatch your requests to
/// worker threads.
///
/// # Pipelining
///
/// If a client sends multiple requests in a row (without waiting for the response), then you will
/// get multiple `Request` objects simultaneously. This is called *requests pipelining*.
/// Tiny-http automatically reorders the responses so that you don't need to worry about the order
/// in which you call `respond` or `into_writer`.
///
/// This mechanic is disabled if:
///
///  - The body of a request is large enough (handling requires pipelining requires storing the
///    body of the request in a buffer ; if the body is too big, tiny-http will avoid doing that)
///  - A request sends a `Expect: 100-continue` header (which means that the client waits to
///    know whether its body will be processed before sending it)
///  - A request sends a `Connection: close` header or `Connection: upgrade` header (used for
///    websockets), which indicates that this is the last request that will be received on this
///    connection
///
/// # Automatic cleanup
///
/// If a `Request` object is destroyed without `into_writer` or `respond` being called,
/// an empty response with a 500 status code (internal server error) will automatically be
/// sent back to the client.
/// This means that if your code fails during the handling of a request, this "internal server
/// error" response will automatically be sent during the stack unwinding.
///
/// # Testing
///
/// If you want to build fake requests to test your server, use [`TestRequest`](crate::test::TestRequest).
pub struct Request {
    // where to read the body from
    data_reader: Option<Box<dyn Read + Send + 'static>>,

    // if this writer is empty, then the request has been answered
    response_writer: Option<Box<dyn Write + Send + 'static>>,

    remote_addr: Option<SocketAddr>,

    // true if HTTPS, false if HTTP
    secure: bool,

    method: Method,

    path: String,

    http_version: HTTPVersion,

    headers: Vec<Header>,

    body_length: Option<usize>,

    // true if a `100 Continue` response must be sent when `as_reader()` is called
    must_send_continue: bool,

    // If Some, a message must be sent after responding
    notify_when_responded: Option<Sender<()>>,

    // hubspot-mcp patch: the connection's socket, to close it without answering (`abort`) or right
    // after answering (`respond_and_close`). None for requests not read from a socket.
    abort_handle: Option<Arc<Connection>>,

    // hubspot-mcp patch: the connection's read deadline, for `buffer_body`.
    clock: Option<Arc<ReadClock>>,

    // hubspot-mcp patch: held until the body has arrived (the connection's per-address slot).
    hold: Option<Box<dyn Send>>,

    // hubspot-mcp patch: what the server's gate decided about this request, for its worker.
    ext: Option<Box<dyn std::any::Any + Send>>,

    // hubspot-mcp patch: the body `buffer_body` read.
    buffered: Option<Vec<u8>>,
}

struct NotifyOnDrop<R> {
    sender: Sender<()>,
    inner: R,
}

impl<R: Read> Read for NotifyOnDrop<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read(buf)
    }
}
impl<R: Write> Write for NotifyOnDrop<R> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}
impl<R> Drop for NotifyOnDrop<R> {
    fn drop(&mut self) {
        self.sender.send(()).unwrap();
    }
}

/// Builds a new request.
///
/// hubspot-mcp patch: the head has been parsed and its framing decided (`crate::head`); the body
/// reader only delimits it. Nothing is read here, so building a request never blocks, and a
/// `Connection: upgrade` request gets its own body only, never the rest of the socket.
#[allow(clippy::too_many_arguments)]
pub(crate) fn new_request<R, W>(
    secure: bool,
    method: Method,
    path: String,
    version: HTTPVersion,
    headers: Vec<Header>,
    remote_addr: Option<SocketAddr>,
    framing: Framing,
    expects_continue: bool,
    source_data: R,
    writer: W,
) -> Request
where
    R: Read + Send + 'static,
    W: Write + Send + 'static,
{
    let (reader, body_length) = match framing {
        Framing::None => (
            Box::new(io::empty()) as Box<dyn Read + Send + 'static>,
            Some(0),
        ),
        Framing::Length(n) => {
            let n = usize::try_from(n).unwrap_or(usize::MAX);
            let (data_reader, _) = EqualReader::new(source_data, n);
            (
                Box::new(FusedReader::new(data_reader)) as Box<dyn Read + Send + 'static>,
                Some(n),
            )
        }
        Framing::Chunked => (
            Box::new(FusedReader::new(ChunkedReader::new(source_data)))
                as Box<dyn Read + Send + 'static>,
            None,
        ),
    };

    Request {
        data_reader: Some(reader),
        response_writer: Some(Box::new(writer) as Box<dyn Write + Send + 'static>),
        remote_addr,
        secure,
        method,
        path,
        http_version: version,
        headers,
        body_length,
        must_send_continue: expects_continue && framing != Framing::None,
        notify_when_responded: None,
        abort_handle: None,
        clock: None,
        hold: None,
        ext: None,
        buffered: None,
    }
}

/// hubspot-mcp patch: see [`Request::peer_probe`].
#[derive(Clone)]
pub struct PeerProbe(Arc<Connection>);

impl PeerProbe {
    /// True once the client has closed or reset its connection (a non-blocking peek sees end-of-file
    /// or an error). Bytes of a pipelined request mean it is still there.
    pub fn gone(&self) -> bool {
        let Connection::Tcp(tcp) = self.0.as_ref() else {
            return false;
        };
        let mut probe = [std::mem::MaybeUninit::<u8>::uninit(); 1];
        match socket2::SockRef::from(tcp)
            .recv_with_flags(&mut probe, libc::MSG_PEEK | libc::MSG_DONTWAIT)
        {
            Ok(0) => true,
            Ok(_) => false,
            Err(e) => !matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::Interrupted),
        }
    }
}

/// hubspot-mcp patch: why [`Request::buffer_body`] failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyError {
    /// The body is (or declares itself) larger than allowed.
    TooLarge,
    /// The body did not arrive within its deadline.
    TimedOut,
    /// The chunked framing is broken.
    Malformed,
    /// The connection ended or failed before the whole body arrived.
    Closed,
    /// The caller's inspector refused what it saw.
    Refused,
}

impl Request {
    /// Returns true if the request was made through HTTPS.
    #[inline]
    pub fn secure(&self) -> bool {
        self.secure
    }

    /// Returns the method requested by the client (eg. `GET`, `POST`, etc.).
    #[inline]
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// Returns the resource requested by the client.
    #[inline]
    pub fn url(&self) -> &str {
        &self.path
    }

    /// Returns a list of all headers sent by the client.
    #[inline]
    pub fn headers(&self) -> &[Header] {
        &self.headers
    }

    /// Returns the HTTP version of the request.
    #[inline]
    pub fn http_version(&self) -> &HTTPVersion {
        &self.http_version
    }

    /// Returns the length of the body in bytes.
    ///
    /// Returns `None` if the length is unknown.
    #[inline]
    pub fn body_length(&self) -> Option<usize> {
        self.body_length
    }

    /// Returns the address of the client that sent this request.
    ///
    /// The address is always `Some` for TCP listeners, but always `None` for UNIX listeners
    /// (as the remote address of a UNIX client is almost always unnamed).
    ///
    /// Note that this is gathered from the socket. If you receive the request from a proxy,
    /// this function will return the address of the proxy and not the address of the actual
    /// user.
    #[inline]
    pub fn remote_addr(&self) -> Option<&SocketAddr> {
        self.remote_addr.as_ref()
    }

    /// Sends a response with a `Connection: upgrade` header, then turns the `Request` into a `Stream`.
    ///
    /// The main purpose of this function is to support websockets.
    /// If you detect that the request wants to use some kind of protocol upgrade, you can
    ///  call this function to obtain full control of the socket stream.
    ///
    /// If you call this on a non-websocket request, tiny-http will wait until this `Stream` object
    ///  is destroyed before continuing to read or write on the socket. Therefore you should always
    ///  destroy it as soon as possible.
    pub fn upgrade<R: Read>(
        mut self,
        protocol: &str,
        response: Response<R>,
    ) -> Box<dyn ReadWrite + Send> {
        use crate::util::CustomStream;

        response
            .raw_print(
                self.response_writer.as_mut().unwrap().by_ref(),
                self.http_version.clone(),
                &self.headers,
                false,
                Some(protocol),
            )
            .ok(); // TODO: unused result

        self.response_writer.as_mut().unwrap().flush().ok(); // TODO: unused result

        let stream = CustomStream::new(self.extract_reader_impl(), self.extract_writer_impl());
        if let Some(sender) = self.notify_when_responded.take() {
            let stream = NotifyOnDrop {
                sender,
                inner: stream,
            };
            Box::new(stream) as Box<dyn ReadWrite + Send>
        } else {
            Box::new(stream) as Box<dyn ReadWrite + Send>
        }
    }

    /// Allows to read the body of the request.
    ///
    /// # Example
    ///
    /// ```no_run
    /// # use std::io::Read;
    /// # let server = tiny_http::Server::http("0.0.0.0:0").unwrap();
    /// let mut request = server.recv().unwrap();
    /// let mut content = String::new();
    /// request.as_reader().read_to_string(&mut content).unwrap();
    /// ```
    ///
    /// If the client sent a `Expect: 100-continue` header with the request, calling this
    ///  function will send back a `100 Continue` response.
    #[inline]
    pub fn as_reader(&mut self) -> &mut dyn Read {
        if self.must_send_continue {
            let msg = Response::new_empty(StatusCode(100));
            msg.raw_print(
                self.response_writer.as_mut().unwrap().by_ref(),
                self.http_version.clone(),
                &self.headers,
                true,
                None,
            )
            .ok();
            self.response_writer.as_mut().unwrap().flush().ok();
            self.must_send_continue = false;
        }

        self.data_reader.as_mut().unwrap()
    }

    /// Turns the `Request` into a writer.
    ///
    /// The writer has a raw access to the stream to the user.
    /// This function is useful for things like CGI.
    ///
    /// Note that the destruction of the `Writer` object may trigger
    /// some events. For exemple if a client has sent multiple requests and the requests
    /// have been processed in parallel, the destruction of a writer will trigger
    /// the writing of the next response.
    /// Therefore you should always destroy the `Writer` as soon as possible.
    #[inline]
    pub fn into_writer(mut self) -> Box<dyn Write + Send + 'static> {
        let writer = self.extract_writer_impl();
        if let Some(sender) = self.notify_when_responded.take() {
            let writer = NotifyOnDrop {
                sender,
                inner: writer,
            };
            Box::new(writer) as Box<dyn Write + Send + 'static>
        } else {
            writer
        }
    }

    /// Extract the response `Writer` object from the Request, dropping this `Writer` has the same side effects
    /// as the object returned by `into_writer` above.
    ///
    /// This may only be called once on a single request.
    fn extract_writer_impl(&mut self) -> Box<dyn Write + Send + 'static> {
        use std::mem;

        assert!(self.response_writer.is_some());
        // hubspot-mcp patch: answered, so no longer "still sending its first request" (given back
        // before the response is written, not when the request is dropped after it).
        self.hold = None;

        let mut writer = None;
        mem::swap(&mut self.response_writer, &mut writer);
        writer.unwrap()
    }

    /// Extract the body `Reader` object from the Request.
    ///
    /// This may only be called once on a single request.
    fn extract_reader_impl(&mut self) -> Box<dyn Read + Send + 'static> {
        use std::mem;

        assert!(self.data_reader.is_some());

        let mut reader = None;
        mem::swap(&mut self.data_reader, &mut reader);
        reader.unwrap()
    }

    /// Sends a response to this request.
    #[inline]
    pub fn respond<R>(mut self, response: Response<R>) -> Result<(), IoError>
    where
        R: Read,
    {
        let res = self.respond_impl(response);
        if let Some(sender) = self.notify_when_responded.take() {
            sender.send(()).unwrap();
        }
        res
    }

    fn respond_impl<R>(&mut self, response: Response<R>) -> Result<(), IoError>
    where
        R: Read,
    {
        let mut writer = self.extract_writer_impl();

        let do_not_send_body = self.method == Method::Head;

        Self::ignore_client_closing_errors(response.raw_print(
            writer.by_ref(),
            self.http_version.clone(),
            &self.headers,
            do_not_send_body,
            None,
        ))?;

        Self::ignore_client_closing_errors(writer.flush())
    }

    fn ignore_client_closing_errors(result: io::Result<()>) -> io::Result<()> {
        result.or_else(|err| match err.kind() {
            ErrorKind::BrokenPipe => Ok(()),
            ErrorKind::ConnectionAborted => Ok(()),
            ErrorKind::ConnectionRefused => Ok(()),
            ErrorKind::ConnectionReset => Ok(()),
            _ => Err(err),
        })
    }

    pub(crate) fn with_notify_sender(mut self, sender: Sender<()>) -> Self {
        self.notify_when_responded = Some(sender);
        self
    }

    /// hubspot-mcp patch: the socket `abort` and `respond_and_close` shut down.
    pub(crate) fn with_abort_handle(mut self, handle: Option<Arc<Connection>>) -> Self {
        self.abort_handle = handle;
        self
    }

    /// hubspot-mcp patch: shuts the connection down (both directions) without sending a response:
    /// the client sees the connection closed. Requests pipelined behind this one on the same
    /// connection are lost as well. Counts as answered, so `Drop` writes no 500.
    pub fn abort(mut self) {
        self.close_connection();
        // Dropped unwritten: the next response in the pipeline may go (to a closed socket).
        drop(self.response_writer.take());
        if let Some(sender) = self.notify_when_responded.take() {
            let _ = sender.send(());
        }
    }

    /// hubspot-mcp patch: sends `response`, then shuts the connection down (both directions), for a
    /// request whose body is left unread (a 413): otherwise tiny_http would read and discard the
    /// rest of the body, up to the read timeout, before the connection could close or carry on.
    pub fn respond_and_close<R>(mut self, mut response: Response<R>) -> Result<(), IoError>
    where
        R: Read,
    {
        // hubspot-mcp patch: the response says the connection closes after it.
        response.set_connection_close();
        let res = self.respond_impl(response);
        self.close_connection();
        if let Some(sender) = self.notify_when_responded.take() {
            let _ = sender.send(());
        }
        res
    }

    /// hubspot-mcp patch: the connection's read deadline and its per-address slot.
    pub(crate) fn with_connection_state(
        mut self,
        clock: Arc<ReadClock>,
        hold: Option<Box<dyn Send>>,
    ) -> Self {
        self.clock = Some(clock);
        // A request without a body has arrived whole: its connection no longer holds the slot.
        self.hold = if self.body_length == Some(0) {
            None
        } else {
            hold
        };
        self
    }

    /// hubspot-mcp patch: reads the whole body into memory, at most `max` bytes, within `limit` in
    /// all (not per read), sending `100 Continue` first when the client waits for it. `inspect` sees
    /// each piece as it arrives and may refuse the body early (`BodyError::Refused`: the rest is not
    /// read). Afterwards the body is in memory ([`Request::take_body`]), and the connection's next
    /// request head can be read at once.
    pub fn buffer_body(
        &mut self,
        max: usize,
        limit: std::time::Duration,
        mut inspect: impl FnMut(&[u8]) -> bool,
    ) -> Result<usize, BodyError> {
        if self.body_length.is_some_and(|n| n > max) {
            return Err(BodyError::TooLarge);
        }
        if self.body_length == Some(0) {
            self.hold = None;
            self.buffered = Some(Vec::new());
            return Ok(0);
        }
        if let Some(clock) = &self.clock {
            clock.start(limit);
        }
        let declared = self.body_length;
        let mut buf = Vec::with_capacity(self.body_length.unwrap_or(0).min(max));
        let mut piece = [0u8; 8192];
        let result = loop {
            match self.as_reader().read(&mut piece) {
                // A declared length the connection ended short of is a broken body, not a short one.
                Ok(0) if declared.is_some_and(|n| buf.len() < n) => break Err(BodyError::Closed),
                Ok(0) => break Ok(buf.len()),
                Ok(n) => {
                    if buf.len() + n > max {
                        break Err(BodyError::TooLarge);
                    }
                    if !inspect(&piece[..n]) {
                        break Err(BodyError::Refused);
                    }
                    buf.extend_from_slice(&piece[..n]);
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => {
                    break Err(match e.kind() {
                        ErrorKind::TimedOut | ErrorKind::WouldBlock => BodyError::TimedOut,
                        ErrorKind::InvalidData => BodyError::Malformed,
                        _ => BodyError::Closed,
                    })
                }
            }
        };
        if let Some(clock) = &self.clock {
            clock.clear();
        }
        let n = result?;
        self.body_length = Some(n);
        self.data_reader = Some(Box::new(io::empty()));
        self.buffered = Some(buf);
        self.hold = None;
        Ok(n)
    }

    /// hubspot-mcp patch: the body [`Request::buffer_body`] read, moved out (`None` before, or twice).
    pub fn take_body(&mut self) -> Option<Vec<u8>> {
        self.buffered.take()
    }

    /// hubspot-mcp patch: a handle that tells, while the request is served, whether its client is
    /// still connected (`None` for requests not read from a TCP socket).
    pub fn peer_probe(&self) -> Option<PeerProbe> {
        self.abort_handle.clone().map(PeerProbe)
    }

    /// hubspot-mcp patch: attaches what a gate decided, for whoever serves the request next.
    pub fn set_ext(&mut self, ext: Box<dyn std::any::Any + Send>) {
        self.ext = Some(ext);
    }

    /// hubspot-mcp patch: takes what a gate attached, if anything.
    pub fn take_ext(&mut self) -> Option<Box<dyn std::any::Any + Send>> {
        self.ext.take()
    }

    /// hubspot-mcp patch: shuts down the socket this request came on, if known.
    fn close_connection(&mut self) {
        if let Some(conn) = self.abort_handle.take() {
            let _ = conn.shutdown(Shutdown::Both);
        }
    }
}

impl fmt::Debug for Request {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> Result<(), fmt::Error> {
        write!(
            formatter,
            "Request({} {} from {:?})",
            self.method, self.path, self.remote_addr
        )
    }
}

impl Drop for Request {
    fn drop(&mut self) {
        if self.response_writer.is_some() {
            let response = Response::empty(500);
            let _ = self.respond_impl(response); // ignoring any potential error
            if let Some(sender) = self.notify_when_responded.take() {
                sender.send(()).unwrap();
            }
        }
    }
}

/// Dummy trait that regroups the `Read` and `Write` traits.
///
/// Automatically implemented on all types that implement both `Read` and `Write`.
pub trait ReadWrite: Read + Write {}
impl<T> ReadWrite for T where T: Read + Write {}

#[cfg(test)]
mod tests {
    use super::Request;

    #[test]
    fn must_be_send() {
        #![allow(dead_code)]
        fn f<T: Send>(_: &T) {}
        fn bar(rq: &Request) {
            f(rq);
        }
    }
}
