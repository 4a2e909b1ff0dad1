//! Where log lines go: stderr, batched. A request's access-log line would otherwise cost a `write` on the
//! hot path of every request; here lines gather in one buffer that a background thread writes out every
//! `LOG_FLUSH_INTERVAL_MS` (or the writer itself, once [`HIGH_WATER`] bytes are waiting). Warnings and errors go
//! out at once, and [`flush`] writes everything left: the commands call it before the process exits
//! (after the graceful drain on SIGTERM), so no line is lost.

use std::io::Write;
use std::sync::Once;
use std::time::Duration;

use parking_lot::Mutex;

/// Bytes waiting at which the writing thread writes them itself.
const HIGH_WATER: usize = 32 * 1024;

static BUFFER: Mutex<Vec<u8>> = Mutex::new(Vec::new());
static FLUSHER: Once = Once::new();

thread_local! {
    /// Set while a warning or an error is formatted: its line goes out at once.
    static URGENT: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Marks the line being formatted on this thread as one to write at once.
pub(crate) fn urgent(level: log::Level) {
    if level <= log::Level::Warn {
        URGENT.with(|u| u.set(true));
    }
}

/// Writes every waiting line to stderr now.
pub(crate) fn flush() {
    let out = std::mem::take(&mut *BUFFER.lock());
    if !out.is_empty() {
        let mut err = std::io::stderr().lock();
        let _ = err.write_all(&out);
        let _ = err.flush();
    }
}

/// The `env_logger` target: appends to the shared buffer.
pub(crate) struct Sink;

impl Sink {
    /// The sink, with its background writer started (once per process), writing every `interval`.
    pub(crate) fn new(interval: Duration) -> Sink {
        FLUSHER.call_once(|| {
            let _ = std::thread::Builder::new()
                .name("log-flush".into())
                .stack_size(64 * 1024)
                .spawn(move || loop {
                    std::thread::sleep(interval);
                    flush();
                });
        });
        Sink
    }
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let full = {
            let mut b = BUFFER.lock();
            b.extend_from_slice(buf);
            b.len() >= HIGH_WATER
        };
        if full {
            flush();
        }
        Ok(buf.len())
    }

    /// `env_logger` flushes after every line: only an urgent line (a warning or an error) is written
    /// at once; the rest wait for the background thread.
    fn flush(&mut self) -> std::io::Result<()> {
        if URGENT.with(|u| u.replace(false)) {
            flush();
        }
        Ok(())
    }
}
