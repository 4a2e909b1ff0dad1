//! Where a person's answer meets the call waiting for it. The call opens a box under a key before it
//! asks (an elicitation's id within its session, or an approval's id), then waits; the answer may arrive
//! on any connection, and with Redis on any replica: it is pushed to a Redis list the waiting replica
//! pops with `BLPOP`. Without Redis, a channel per open box. An answer to no open box is dropped.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::{bounded, Receiver, Sender};
use parking_lot::Mutex;
use serde_json::Value;

use crate::redis::{Redis, Reply};
use crate::redis_cmd;

/// How often a wait wakes to keep its stream alive and look at its deadline.
const TICK: Duration = Duration::from_secs(1);
/// Open boxes at most (memory); past it, new asks are refused.
const MAX_OPEN: usize = 10_000;

/// Pushes an answer only to a box some replica opened, and only the first (answers to nothing, or a
/// flood of answers to one box, never reach Redis's memory).
const POST_SCRIPT: &str = "if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end \
if redis.call('LLEN', KEYS[2]) > 0 then return 0 end \
redis.call('RPUSH', KEYS[2], ARGV[1]) redis.call('PEXPIRE', KEYS[2], ARGV[2]) return 1";

/// Delivers answers to waiting calls.
pub(crate) enum Mailbox {
    /// One process: a channel per open box.
    Memory(Mutex<HashMap<String, Sender<Value>>>),
    /// Replicas: a Redis list per key.
    Redis {
        /// The shared client.
        redis: Arc<Redis>,
        /// `<prefix>approval:`.
        prefix: String,
        /// How long a box's mark and its answer last: longer than any wait.
        ttl_ms: String,
    },
}

/// A box a call waits on; closed when dropped.
pub(crate) struct Opened<'a> {
    mailbox: &'a Mailbox,
    key: String,
    rx: Option<Receiver<Value>>,
}

impl Drop for Opened<'_> {
    fn drop(&mut self) {
        match self.mailbox {
            Mailbox::Memory(m) => {
                m.lock().remove(&self.key);
            }
            Mailbox::Redis { redis, prefix, .. } => {
                let _ = redis.cmd(redis_cmd!(
                    "DEL",
                    Mailbox::open_key(prefix, &self.key),
                    Mailbox::list_key(prefix, &self.key)
                ));
            }
        }
    }
}

impl Mailbox {
    fn list_key(prefix: &str, key: &str) -> String {
        format!("{prefix}answer:{key}")
    }

    fn open_key(prefix: &str, key: &str) -> String {
        format!("{prefix}open:{key}")
    }

    /// Opens the box `key`; `None` when too many are open.
    pub(crate) fn open(&self, key: &str) -> Option<Opened<'_>> {
        let rx = match self {
            Mailbox::Memory(m) => {
                let mut m = m.lock();
                if m.len() >= MAX_OPEN {
                    return None;
                }
                let (tx, rx) = bounded(1);
                m.insert(key.to_string(), tx);
                Some(rx)
            }
            Mailbox::Redis {
                redis,
                prefix,
                ttl_ms,
            } => {
                let mark = redis_cmd!("SET", Self::open_key(prefix, key), "1", "PX", ttl_ms);
                if redis.cmd(mark).is_err() {
                    return None;
                }
                None
            }
        };
        Some(Opened {
            mailbox: self,
            key: key.to_string(),
            rx,
        })
    }

    /// Delivers `answer` to box `key`; false when it could not be handed on (memory: no such box).
    pub(crate) fn post(&self, key: &str, answer: &Value) -> bool {
        match self {
            Mailbox::Memory(m) => m
                .lock()
                .get(key)
                .is_some_and(|tx| tx.try_send(answer.clone()).is_ok()),
            Mailbox::Redis {
                redis,
                prefix,
                ttl_ms,
            } => redis
                .cmd(redis_cmd!(
                    "EVAL",
                    POST_SCRIPT,
                    "2",
                    Self::open_key(prefix, key),
                    Self::list_key(prefix, key),
                    answer.to_string(),
                    ttl_ms
                ))
                .is_ok_and(|r| r.as_int() == Some(1)),
        }
    }
}

impl Opened<'_> {
    /// Waits for the answer until `until`; `tick` runs about once a second (it keeps the client's
    /// stream alive) and ends the wait by returning false (the client is gone).
    pub(crate) fn wait(&self, until: Instant, tick: &mut dyn FnMut() -> bool) -> Option<Value> {
        loop {
            let now = Instant::now();
            let left = until.checked_duration_since(now).filter(|d| !d.is_zero())?;
            let step = left.min(TICK);
            let got = match (self.mailbox, &self.rx) {
                (Mailbox::Memory(_), Some(rx)) => rx.recv_timeout(step).ok(),
                (Mailbox::Redis { redis, prefix, .. }, _) => {
                    let k = Mailbox::list_key(prefix, &self.key);
                    // BLPOP takes whole seconds (fractions since Redis 6); one second at most keeps it
                    // under the client's 2 s read timeout.
                    match redis.cmd(redis_cmd!("BLPOP", k, "1")) {
                        Ok(Reply::Array(Some(items))) => items
                            .get(1)
                            .and_then(Reply::as_bytes)
                            .and_then(|b| serde_json::from_slice(b).ok()),
                        Ok(_) => None,
                        Err(_) => {
                            std::thread::sleep(step);
                            None
                        }
                    }
                }
                (Mailbox::Memory(_), None) => return None,
            };
            if got.is_some() {
                return got;
            }
            if !tick() {
                return None;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_reaches_the_open_box_only() {
        let m = Mailbox::Memory(Mutex::default());
        assert!(!m.post("k", &Value::Bool(true)), "no box yet");
        let b = m.open("k").unwrap();
        assert!(m.post("k", &Value::Bool(true)));
        let mut ticks = 0;
        let got = b.wait(Instant::now() + Duration::from_secs(5), &mut || {
            ticks += 1;
            true
        });
        assert_eq!(got, Some(Value::Bool(true)));
        let none = b.wait(Instant::now() + Duration::from_millis(50), &mut || true);
        assert_eq!(none, None, "a deadline ends the wait");
        drop(b);
        assert!(!m.post("k", &Value::Bool(true)), "closed on drop");
    }
}
