//! The TCP transport under the HubSpot agent, in place of ureq's own (`TcpConnector`) in the
//! connector chain (CONNECT proxy, TCP, then rustls for `https`).
//!
//! ureq's transport spends six system calls a call on bookkeeping: it checks a pooled connection when
//! it is taken out and when it is given back, each time with `set_nonblocking(true)`, a `read` and
//! `set_nonblocking(false)`; and because the deadline it passes down shrinks from call to call, it sets
//! `SO_SNDTIMEO` and `SO_RCVTIMEO` before every call. This one checks with a single
//! `recv(MSG_PEEK | MSG_DONTWAIT)`, and gives the socket a timeout only when the value it would set
//! changes: what is left of the deadline rounded down to a step of at most 1/16 of it (never later
//! than the deadline, at most 1/16 earlier), so calls one after another on a pooled connection set
//! none. Everything else is as ureq does it: the connect budget shared over a host's addresses,
//! `TCP_NODELAY` when configured, the socket registered for `Agent::shutdown`, a read interrupted by a
//! signal retried within what is left.

use std::io::{self, Read, Write};
use std::mem::MaybeUninit;
use std::net::TcpStream;
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use ureq::unversioned::transport::{
    Buffers, ConnectionDetails, Connector, Either, LazyBuffers, NextTimeout, ShutdownHandle,
    Transport,
};
use ureq::Timeout;

/// Opens plain TCP connections for the chain (a connection already made, by a CONNECT proxy, is
/// passed through).
#[derive(Debug, Default)]
pub(crate) struct TcpConnector;

impl<In: Transport> Connector<In> for TcpConnector {
    type Out = Either<In, TcpTransport>;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<In>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        if chained.is_some() {
            return Ok(chained.map(Either::A));
        }
        let stream = Arc::new(open(details)?);
        let weak: Weak<dyn ShutdownHandle> = Arc::downgrade(&stream) as Weak<dyn ShutdownHandle>;
        (details.register_shutdown)(weak)?;
        let config = details.config;
        Ok(Some(Either::B(TcpTransport {
            stream,
            buffers: LazyBuffers::new(config.input_buffer_size(), config.output_buffer_size()),
            read_timeout: None,
            write_timeout: None,
        })))
    }
}

/// Below this, a share of the connect budget is not split further.
const MIN_CONNECT_SHARE: Duration = Duration::from_millis(10);

/// Connects to the first of the host's addresses that answers. Each address but the last gets half of
/// what is left of the budget (ureq's connector shares it the same way), at least 10 ms.
fn open(details: &ConnectionDetails) -> Result<TcpStream, ureq::Error> {
    let budget = details.timeout.not_zero().map(|d| *d);
    let started = Instant::now();
    let count = details.addrs.len();
    let mut last: Option<io::Error> = None;
    for (i, addr) in details.addrs.iter().enumerate() {
        let attempt = match budget {
            None => TcpStream::connect(addr),
            Some(total) => {
                let left = total.saturating_sub(started.elapsed());
                if left.is_zero() {
                    break;
                }
                let share = if i + 1 < count {
                    (left / 2).max(MIN_CONNECT_SHARE).min(left)
                } else {
                    left
                };
                TcpStream::connect_timeout(addr, share)
            }
        };
        match attempt {
            Ok(stream) => {
                if details.config.no_delay() {
                    stream.set_nodelay(true)?;
                }
                return Ok(stream);
            }
            Err(e) => last = Some(e),
        }
    }
    match last {
        None if count == 0 => Err(ureq::Error::HostNotFound),
        None => Err(ureq::Error::Timeout(Timeout::Connect)),
        Some(e) if timed_out(&e) => Err(ureq::Error::Timeout(Timeout::Connect)),
        Some(e) => Err(e.into()),
    }
}

/// A socket timeout that expired: `EAGAIN` from a read or write with `SO_RCVTIMEO`/`SO_SNDTIMEO`, or
/// `connect_timeout`'s own.
fn timed_out(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
    )
}

/// One TCP connection of the agent's pool.
pub(crate) struct TcpTransport {
    /// Shared (weakly) with the agent, which shuts it down on `Agent::shutdown`.
    stream: Arc<TcpStream>,
    buffers: LazyBuffers,
    /// The timeouts the socket has now (`None`: none set).
    read_timeout: Option<Duration>,
    write_timeout: Option<Duration>,
}

impl std::fmt::Debug for TcpTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TcpTransport")
            .field("peer", &self.stream.peer_addr().ok())
            .finish()
    }
}

/// The timeout a socket is given when `left` remains: `left` rounded down to a multiple of the largest
/// power of two milliseconds at most 1/16 of it, so it changes (and costs a system call) only when
/// the deadline moves by more than that step. Below 16 ms, `left` itself.
pub(crate) fn socket_timeout(left: Duration) -> Duration {
    let ms = u64::try_from(left.as_millis()).unwrap_or(u64::MAX);
    if ms < 16 {
        return left;
    }
    let step = 1u64 << (63 - (ms / 16).leading_zeros());
    Duration::from_millis(ms - ms % step)
}

/// Sets a socket timeout through `set` when `want` differs from what `now` says the socket has.
fn update(
    stream: &TcpStream,
    now: &mut Option<Duration>,
    want: Option<Duration>,
    set: fn(&TcpStream, Option<Duration>) -> io::Result<()>,
) -> io::Result<()> {
    if *now != want {
        set(stream, want)?;
        *now = want;
    }
    Ok(())
}

/// What is left of `timeout` for one read or write (`None`: no deadline), and the error for when it
/// has run out.
fn budget(timeout: NextTimeout) -> Result<(Option<Duration>, Timeout), ureq::Error> {
    if timeout.after.is_zero() {
        return Err(ureq::Error::Timeout(timeout.reason));
    }
    Ok((timeout.not_zero().map(|d| *d), timeout.reason))
}

impl Transport for TcpTransport {
    fn buffers(&mut self) -> &mut dyn Buffers {
        &mut self.buffers
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        let (left, reason) = budget(timeout.for_write())?;
        update(
            &self.stream,
            &mut self.write_timeout,
            left.map(socket_timeout),
            TcpStream::set_write_timeout,
        )?;
        let output = self.buffers.output().get(..amount).unwrap_or_default();
        match (&*self.stream).write_all(output) {
            Ok(()) => Ok(()),
            Err(e) if timed_out(&e) => Err(ureq::Error::Timeout(reason)),
            Err(e) => Err(e.into()),
        }
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        let (left, reason) = budget(timeout.for_read())?;
        update(
            &self.stream,
            &mut self.read_timeout,
            left.map(socket_timeout),
            TcpStream::set_read_timeout,
        )?;
        let started = Instant::now();
        let amount = loop {
            match (&*self.stream).read(self.buffers.input_append_buf()) {
                Ok(n) => break n,
                // Linux does not restart a socket read that has a timeout, even with SA_RESTART:
                // read again within what is left.
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {
                    let Some(total) = left else {
                        return Err(e.into());
                    };
                    let rest = total.saturating_sub(started.elapsed());
                    if rest.is_zero() {
                        return Err(ureq::Error::Timeout(reason));
                    }
                    update(
                        &self.stream,
                        &mut self.read_timeout,
                        Some(rest),
                        TcpStream::set_read_timeout,
                    )?;
                }
                Err(e) if timed_out(&e) => return Err(ureq::Error::Timeout(reason)),
                Err(e) => return Err(e.into()),
            }
        };
        self.buffers.input_appended(amount);
        Ok(amount > 0)
    }

    /// Open and quiet: nothing to read and no end of stream, seen without blocking.
    fn is_open(&mut self) -> bool {
        let mut byte = [MaybeUninit::<u8>::uninit()];
        let sock = socket2::SockRef::from(&*self.stream);
        match sock.recv_with_flags(&mut byte, libc::MSG_PEEK | libc::MSG_DONTWAIT) {
            // Nothing waiting: the state a pooled connection should be in.
            Err(e) => e.kind() == io::ErrorKind::WouldBlock,
            // End of stream (the server closed it), or bytes nobody asked for.
            Ok(_) => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::net::TcpListener;

    use super::*;

    #[test]
    fn a_socket_timeout_is_never_later_than_the_deadline_and_at_most_a_sixteenth_earlier() {
        for ms in [
            1u64, 15, 16, 17, 100, 999, 1_000, 29_999, 30_000, 86_400_000,
        ] {
            let left = Duration::from_millis(ms) + Duration::from_micros(700);
            let t = socket_timeout(left);
            assert!(t <= left, "{ms}: {t:?} later than {left:?}");
            assert!(t >= left - left / 16, "{ms}: {t:?} too early for {left:?}");
        }
        // Calls one after another, each with a fresh 30 s budget less a little: one value.
        let a = socket_timeout(Duration::from_millis(29_990));
        let b = socket_timeout(Duration::from_millis(29_700));
        assert_eq!(a, b);
    }

    /// A connection is open while the peer is quiet, and not once it has sent bytes nobody asked for
    /// or closed its end.
    #[test]
    fn a_pooled_connection_is_checked_without_blocking() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let transport = |stream: TcpStream| TcpTransport {
            stream: Arc::new(stream),
            buffers: LazyBuffers::new(1024, 1024),
            read_timeout: None,
            write_timeout: None,
        };

        let mut quiet = transport(TcpStream::connect(addr).unwrap());
        let (_server_quiet, _) = listener.accept().unwrap();
        let started = Instant::now();
        assert!(quiet.is_open());
        assert!(quiet.is_open(), "a check consumes nothing");
        assert!(started.elapsed() < Duration::from_secs(1), "did not block");

        let mut chatty = transport(TcpStream::connect(addr).unwrap());
        let (mut server, _) = listener.accept().unwrap();
        server.write_all(b"x").unwrap();
        std::thread::sleep(Duration::from_millis(50));
        assert!(!chatty.is_open(), "unasked-for bytes");

        let mut closed = transport(TcpStream::connect(addr).unwrap());
        let (server, _) = listener.accept().unwrap();
        drop(server);
        std::thread::sleep(Duration::from_millis(50));
        assert!(!closed.is_open(), "closed by the peer");
        // The check left the socket blocking (ureq's turned it non-blocking and back): a read on the
        // quiet connection waits for its timeout instead of failing at once.
        quiet
            .stream
            .set_read_timeout(Some(Duration::from_millis(50)))
            .unwrap();
        let started = Instant::now();
        let e = (&*quiet.stream).read(&mut [0u8; 1]).unwrap_err();
        assert!(timed_out(&e), "{e}");
        assert!(
            started.elapsed() >= Duration::from_millis(40),
            "the read waited"
        );
    }
}
