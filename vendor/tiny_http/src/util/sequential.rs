use std::io::Result as IoResult;
use std::io::{Read, Write};

// hubspot-mcp patch: a one-shot handoff instead of an `mpsc` channel per request (see `oneshot`).
use self::oneshot::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex};

use std::mem;

pub struct SequentialReaderBuilder<R>
where
    R: Read + Send,
{
    inner: SequentialReaderBuilderInner<R>,
}

enum SequentialReaderBuilderInner<R>
where
    R: Read + Send,
{
    First(R),
    NotFirst(Receiver<R>),
}

pub struct SequentialReader<R>
where
    R: Read + Send,
{
    inner: SequentialReaderInner<R>,
    next: Sender<R>,
}

enum SequentialReaderInner<R>
where
    R: Read + Send,
{
    MyTurn(R),
    Waiting(Receiver<R>),
    Empty,
}

pub struct SequentialWriterBuilder<W>
where
    W: Write + Send,
{
    writer: Arc<Mutex<W>>,
    next_trigger: Option<Receiver<()>>,
}

pub struct SequentialWriter<W>
where
    W: Write + Send,
{
    trigger: Option<Receiver<()>>,
    writer: Arc<Mutex<W>>,
    on_finish: Sender<()>,
}

impl<R: Read + Send> SequentialReaderBuilder<R> {
    pub fn new(reader: R) -> SequentialReaderBuilder<R> {
        SequentialReaderBuilder {
            inner: SequentialReaderBuilderInner::First(reader),
        }
    }
}

impl<W: Write + Send> SequentialWriterBuilder<W> {
    pub fn new(writer: W) -> SequentialWriterBuilder<W> {
        SequentialWriterBuilder {
            writer: Arc::new(Mutex::new(writer)),
            next_trigger: None,
        }
    }
}

impl<R: Read + Send> Iterator for SequentialReaderBuilder<R> {
    type Item = SequentialReader<R>;

    fn next(&mut self) -> Option<SequentialReader<R>> {
        let (tx, rx) = channel();

        let inner = mem::replace(&mut self.inner, SequentialReaderBuilderInner::NotFirst(rx));

        match inner {
            SequentialReaderBuilderInner::First(reader) => Some(SequentialReader {
                inner: SequentialReaderInner::MyTurn(reader),
                next: tx,
            }),

            SequentialReaderBuilderInner::NotFirst(previous) => Some(SequentialReader {
                inner: SequentialReaderInner::Waiting(previous),
                next: tx,
            }),
        }
    }
}

impl<W: Write + Send> Iterator for SequentialWriterBuilder<W> {
    type Item = SequentialWriter<W>;
    fn next(&mut self) -> Option<SequentialWriter<W>> {
        let (tx, rx) = channel();
        let mut next_next_trigger = Some(rx);
        ::std::mem::swap(&mut next_next_trigger, &mut self.next_trigger);

        Some(SequentialWriter {
            trigger: next_next_trigger,
            writer: self.writer.clone(),
            on_finish: tx,
        })
    }
}

impl<R: Read + Send> Read for SequentialReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> IoResult<usize> {
        let mut reader = match self.inner {
            SequentialReaderInner::MyTurn(ref mut reader) => return reader.read(buf),
            SequentialReaderInner::Waiting(ref mut recv) => recv.recv().unwrap(),
            SequentialReaderInner::Empty => unreachable!(),
        };

        let result = reader.read(buf);
        self.inner = SequentialReaderInner::MyTurn(reader);
        result
    }
}

impl<W: Write + Send> Write for SequentialWriter<W> {
    fn write(&mut self, buf: &[u8]) -> IoResult<usize> {
        if let Some(v) = self.trigger.as_mut() {
            v.recv().unwrap()
        }
        self.trigger = None;

        self.writer.lock().unwrap().write(buf)
    }

    fn flush(&mut self) -> IoResult<()> {
        if let Some(v) = self.trigger.as_mut() {
            v.recv().unwrap()
        }
        self.trigger = None;

        self.writer.lock().unwrap().flush()
    }
}

impl<R> Drop for SequentialReader<R>
where
    R: Read + Send,
{
    fn drop(&mut self) {
        let inner = mem::replace(&mut self.inner, SequentialReaderInner::Empty);

        match inner {
            SequentialReaderInner::MyTurn(reader) => {
                self.next.send(reader).ok();
            }
            SequentialReaderInner::Waiting(recv) => {
                let reader = recv.recv().unwrap();
                self.next.send(reader).ok();
            }
            SequentialReaderInner::Empty => (),
        }
    }
}

impl<W> Drop for SequentialWriter<W>
where
    W: Write + Send,
{
    fn drop(&mut self) {
        self.on_finish.send(()).ok();
    }
}

/// hubspot-mcp patch: hands one value from a request to the next on the same connection (the reader,
/// or the writer's turn). `std::sync::mpsc::channel` did it with four allocations per channel, two of
/// them cache-line aligned and one a zeroed block of 31 slots, twice per request; this is one small
/// allocation. `send` never blocks; `recv` waits for the value, or fails once the sender is dropped
/// without sending.
mod oneshot {
    use std::sync::{Arc, Condvar, Mutex};

    enum Slot<T> {
        Empty,
        Full(T),
        Taken,
        Closed,
    }

    struct Shared<T> {
        /// The value's state, and whether the receiver is waiting for it (a `notify_one` is a system
        /// call even with nobody waiting: it is made only when someone is).
        slot: Mutex<(Slot<T>, bool)>,
        ready: Condvar,
    }

    pub struct Sender<T>(Option<Arc<Shared<T>>>);

    pub struct Receiver<T>(Arc<Shared<T>>);

    /// The receiver is gone or the sender went without sending.
    #[derive(Debug)]
    pub struct Disconnected;

    pub fn channel<T>() -> (Sender<T>, Receiver<T>) {
        let shared = Arc::new(Shared {
            slot: Mutex::new((Slot::Empty, false)),
            ready: Condvar::new(),
        });
        (Sender(Some(Arc::clone(&shared))), Receiver(shared))
    }

    impl<T> Sender<T> {
        /// Gives `value` to the receiver (once: the sender is spent).
        pub fn send(&mut self, value: T) -> Result<(), Disconnected> {
            self.finish(Slot::Full(value))
        }

        fn finish(&mut self, to: Slot<T>) -> Result<(), Disconnected> {
            let shared = self.0.take().ok_or(Disconnected)?;
            let mut slot = shared.slot.lock().unwrap_or_else(|e| e.into_inner());
            slot.0 = to;
            if slot.1 {
                shared.ready.notify_one();
            }
            if Arc::strong_count(&shared) == 1 {
                return Err(Disconnected);
            }
            Ok(())
        }
    }

    impl<T> Drop for Sender<T> {
        fn drop(&mut self) {
            let _ = self.finish(Slot::Closed);
        }
    }

    impl<T> Receiver<T> {
        /// Waits for the value.
        pub fn recv(&self) -> Result<T, Disconnected> {
            let mut slot = self.0.slot.lock().unwrap_or_else(|e| e.into_inner());
            loop {
                match std::mem::replace(&mut slot.0, Slot::Taken) {
                    Slot::Full(v) => return Ok(v),
                    Slot::Empty => {
                        *slot = (Slot::Empty, true);
                        slot = self.0.ready.wait(slot).unwrap_or_else(|e| e.into_inner());
                    }
                    Slot::Taken | Slot::Closed => return Err(Disconnected),
                }
            }
        }
    }

    #[cfg(test)]
    mod tests {
        use super::channel;

        #[test]
        fn a_value_crosses_threads_once_and_a_dropped_sender_is_seen() {
            let (mut tx, rx) = channel();
            let t = std::thread::spawn(move || rx.recv().map_err(|_| ()));
            std::thread::sleep(std::time::Duration::from_millis(20));
            tx.send(7).unwrap();
            assert_eq!(t.join().unwrap(), Ok(7));
            assert!(tx.send(8).is_err(), "a sender sends once");
            let (tx, rx) = channel::<u8>();
            drop(tx);
            assert!(rx.recv().is_err());
            let (mut tx, rx) = channel();
            drop(rx);
            assert!(tx.send(1).is_err(), "nobody to receive");
        }
    }
}
