//! Server-Sent Events written straight to the socket, one flushed HTTP chunk per event.
//!
//! tiny_http's `Response` with a reader buffers the whole body before the client sees anything, so
//! streamed replies take the raw writer (`Request::into_writer`), write the head themselves and frame
//! each event as a chunk (`Transfer-Encoding: chunked` keeps the connection reusable).

use std::io::{self, Write};

/// Writes SSE events; after the first write error it stops writing and reports the client gone.
pub struct SseWriter<'a> {
    out: &'a mut dyn Write,
    chunked: bool,
    gone: bool,
}

impl<'a> SseWriter<'a> {
    /// Wraps `out`; `chunked` frames every write as an HTTP/1.1 chunk.
    pub(crate) fn new(out: &'a mut dyn Write, chunked: bool) -> Self {
        SseWriter {
            out,
            chunked,
            gone: false,
        }
    }

    /// Sends one `message` event carrying `json` (which must hold no raw newline: serde_json's compact
    /// output never does). Returns false once the client is gone.
    pub(crate) fn event(&mut self, json: &str) -> bool {
        let mut frame = String::with_capacity(json.len() + 24);
        frame.push_str("event: message\ndata: ");
        frame.push_str(json);
        frame.push_str("\n\n");
        self.write(frame.as_bytes())
    }

    /// Sends an SSE comment: keeps the stream (and any proxy on the way) from timing out while the
    /// call waits. Returns false once the client is gone.
    pub(crate) fn keepalive(&mut self) -> bool {
        self.write(b": keep-alive\n\n")
    }

    /// Ends the chunked body.
    pub(crate) fn finish(&mut self) -> io::Result<()> {
        if self.chunked && !self.gone {
            self.out.write_all(b"0\r\n\r\n")?;
            self.out.flush()?;
        }
        Ok(())
    }

    fn write(&mut self, data: &[u8]) -> bool {
        if self.gone {
            return false;
        }
        let r = if self.chunked {
            write!(self.out, "{:x}\r\n", data.len())
                .and_then(|()| self.out.write_all(data))
                .and_then(|()| self.out.write_all(b"\r\n"))
        } else {
            self.out.write_all(data)
        }
        .and_then(|()| self.out.flush());
        if r.is_err() {
            self.gone = true;
        }
        !self.gone
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_framed_as_chunks() {
        let mut buf = Vec::new();
        let mut w = SseWriter::new(&mut buf, true);
        assert!(w.event("{}"));
        w.finish().unwrap();
        assert_eq!(
            String::from_utf8(buf).unwrap(),
            "19\r\nevent: message\ndata: {}\n\n\r\n0\r\n\r\n"
        );
    }
}
