//! What approvals remember, in memory or (with `REDIS_URL`) in Redis so every replica sees the same:
//! approvals asked through the page and where each stands, the one-time marks of 2026-07-28 request
//! states, which principals (or sessions) read outside text lately, and each principal's recent audit
//! lines. With Redis, nothing here depends on a replica's own clock: expiry is Redis's, and the pending
//! count is read on Redis's `TIME`.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;

use super::record::{Record, Status};
use crate::redis::{Redis, Reply};
use crate::redis_cmd;

/// The ledger could not be reached or answered nonsense: the write is refused (never made unasked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LedgerError(pub(crate) String);

impl fmt::Display for LedgerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the approval store failed: {}", self.0)
    }
}

/// Audit lines kept per principal for the `hubspot://audit/mine` resource.
pub(crate) const AUDIT_KEPT: usize = 100;
/// Entries a memory ledger holds at most per map (old ones are dropped first).
const MEMORY_CAP: usize = 10_000;

/// The operations approvals need; [`MemoryLedger`] and [`RedisLedger`] are interchangeable.
pub(crate) trait Ledger: Send + Sync {
    /// Stores a new pending approval unless its principal already has `max_pending` waiting (then
    /// `Ok(false)`). It lapses at `ttl`.
    fn create(&self, r: &Record, ttl: Duration, max_pending: usize) -> Result<bool, LedgerError>;
    /// An approval and where it stands; `None` when unknown or lapsed.
    fn get(&self, id: &str) -> Result<Option<(Record, Status)>, LedgerError>;
    /// Moves `id` from `from` to `to`; false when it was not at `from` (someone else moved it first).
    fn advance(&self, r: &Record, from: Status, to: Status) -> Result<bool, LedgerError>;
    /// True the first time `mark` is seen within `ttl` (a request state's single use).
    fn first_use(&self, mark: &str, ttl: Duration) -> Result<bool, LedgerError>;
    /// Remembers that `key` read outside text, for `window`.
    fn taint(&self, key: &str, window: Duration) -> Result<(), LedgerError>;
    /// True while `key`'s window runs.
    fn tainted(&self, key: &str) -> Result<bool, LedgerError>;
    /// Keeps `line` as one of the last [`AUDIT_KEPT`] audit lines of `principal`.
    fn audit(&self, principal: &str, line: &str) -> Result<(), LedgerError>;
    /// `principal`'s last audit lines, newest first.
    fn audit_lines(&self, principal: &str) -> Result<Vec<String>, LedgerError>;
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// The ledger of one process.
#[derive(Default)]
pub(crate) struct MemoryLedger {
    records: Mutex<HashMap<String, (Record, Status)>>,
    marks: Mutex<HashMap<String, u64>>,
    taints: Mutex<HashMap<String, u64>>,
    /// While the untrusted-read marks are full, every key reads as marked, until this time (fail closed).
    taint_overflow: Mutex<u64>,
    audits: Mutex<HashMap<String, VecDeque<String>>>,
}

/// Records one principal may hold at once, whatever their state (pending, decided, used), in memory.
const RECORDS_PER_PRINCIPAL_FACTOR: usize = 4;

/// Drops lapsed entries; true when there is room for one more. Live entries are never dropped: a
/// one-time mark or an untrusted-read mark forgotten early would be a replay or a lifted floor.
fn prune<V>(m: &mut HashMap<String, V>, until: impl Fn(&V) -> u64, now: u64) -> bool {
    if m.len() >= MEMORY_CAP {
        m.retain(|_, v| until(v) > now);
    }
    m.len() < MEMORY_CAP
}

fn full() -> LedgerError {
    LedgerError(format!("{MEMORY_CAP} entries, none lapsed yet"))
}

impl Ledger for MemoryLedger {
    fn create(&self, r: &Record, _ttl: Duration, max_pending: usize) -> Result<bool, LedgerError> {
        let now = now_ms();
        let mut m = self.records.lock();
        if !prune(&mut m, |(r, _)| r.expires_ms, now) {
            return Err(full());
        }
        let (mut waiting, mut held) = (0, 0);
        for (x, s) in m.values() {
            if x.principal == r.principal && x.expires_ms > now {
                held += 1;
                if *s == Status::Pending {
                    waiting += 1;
                }
            }
        }
        if waiting >= max_pending || held >= max_pending * RECORDS_PER_PRINCIPAL_FACTOR {
            return Ok(false);
        }
        m.insert(r.id.clone(), (r.clone(), Status::Pending));
        Ok(true)
    }
    fn get(&self, id: &str) -> Result<Option<(Record, Status)>, LedgerError> {
        let now = now_ms();
        Ok(self
            .records
            .lock()
            .get(id)
            .filter(|(r, _)| r.expires_ms > now)
            .cloned())
    }
    fn advance(&self, r: &Record, from: Status, to: Status) -> Result<bool, LedgerError> {
        let now = now_ms();
        let mut m = self.records.lock();
        match m.get_mut(&r.id) {
            Some((x, s)) if *s == from && x.expires_ms > now => {
                *s = to;
                Ok(true)
            }
            _ => Ok(false),
        }
    }
    fn first_use(&self, mark: &str, ttl: Duration) -> Result<bool, LedgerError> {
        let now = now_ms();
        let mut m = self.marks.lock();
        if m.get(mark).is_some_and(|&until| until > now) {
            return Ok(false);
        }
        if !prune(&mut m, |&u| u, now) {
            return Err(full());
        }
        m.insert(mark.to_string(), now + ttl.as_millis() as u64);
        Ok(true)
    }
    fn taint(&self, key: &str, window: Duration) -> Result<(), LedgerError> {
        let now = now_ms();
        let until = now + window.as_millis() as u64;
        let mut m = self.taints.lock();
        if !prune(&mut m, |&u| u, now) {
            let mut o = self.taint_overflow.lock();
            *o = (*o).max(until);
            return Err(full());
        }
        m.insert(key.to_string(), until);
        Ok(())
    }
    fn tainted(&self, key: &str) -> Result<bool, LedgerError> {
        let now = now_ms();
        if *self.taint_overflow.lock() > now {
            return Ok(true);
        }
        Ok(self.taints.lock().get(key).is_some_and(|&u| u > now))
    }
    fn audit(&self, principal: &str, line: &str) -> Result<(), LedgerError> {
        let mut m = self.audits.lock();
        if !m.contains_key(principal) && m.len() >= MEMORY_CAP {
            // Bounded: the principal with the fewest lines kept gives way.
            if let Some(k) = m
                .iter()
                .min_by_key(|(_, v)| v.len())
                .map(|(k, _)| k.clone())
            {
                m.remove(&k);
            }
        }
        let q = m.entry(principal.to_string()).or_default();
        q.push_front(line.to_string());
        q.truncate(AUDIT_KEPT);
        Ok(())
    }
    fn audit_lines(&self, principal: &str) -> Result<Vec<String>, LedgerError> {
        Ok(self
            .audits
            .lock()
            .get(principal)
            .map(|q| q.iter().cloned().collect())
            .unwrap_or_default())
    }
}

/// Creating a record: drop lapsed pending ids (Redis's clock), refuse past the cap, store record,
/// status and the principal's pending entry.
const CREATE_SCRIPT: &str = "local t = redis.call('TIME') \
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) \
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now) \
if redis.call('ZCARD', KEYS[3]) >= tonumber(ARGV[3]) then return 0 end \
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) \
redis.call('SET', KEYS[2], 'pending', 'PX', ARGV[2]) \
redis.call('ZADD', KEYS[3], now + tonumber(ARGV[2]), ARGV[4]) \
redis.call('PEXPIRE', KEYS[3], ARGV[2]) return 1";

/// Compare-and-set of a status; leaving `pending` also leaves the principal's pending set.
const ADVANCE_SCRIPT: &str = "if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end \
redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL') \
if ARGV[2] ~= 'pending' then redis.call('ZREM', KEYS[2], ARGV[3]) end return 1";

/// The ledger shared by replicas, under `<prefix>approval:`.
pub(crate) struct RedisLedger {
    redis: Arc<Redis>,
    prefix: String,
}

fn failed(e: impl fmt::Display) -> LedgerError {
    LedgerError(e.to_string())
}

fn millis(d: Duration) -> String {
    d.as_millis().max(1).to_string()
}

impl RedisLedger {
    /// Keys start with `prefix` (the session prefix's namespace) then `approval:`.
    pub(crate) fn new(redis: Arc<Redis>, prefix: &str) -> RedisLedger {
        RedisLedger {
            redis,
            prefix: format!("{prefix}approval:"),
        }
    }
    fn key(&self, what: &str, id: &str) -> String {
        format!("{}{what}:{id}", self.prefix)
    }
    fn run(&self, cmd: Vec<Vec<u8>>) -> Result<Reply, LedgerError> {
        match self.redis.cmd(cmd).map_err(failed)? {
            Reply::Error(e) => Err(LedgerError(e)),
            r => Ok(r),
        }
    }
    /// The Redis client (the mailbox shares it).
    pub(crate) fn redis(&self) -> &Arc<Redis> {
        &self.redis
    }
    /// The key prefix (the mailbox shares it).
    pub(crate) fn prefix(&self) -> &str {
        &self.prefix
    }
}

fn text(r: &Reply) -> Option<String> {
    r.as_bytes()
        .map(|b| String::from_utf8_lossy(b).into_owned())
}

impl Ledger for RedisLedger {
    fn create(&self, r: &Record, ttl: Duration, max_pending: usize) -> Result<bool, LedgerError> {
        let reply = self.run(redis_cmd!(
            "EVAL",
            CREATE_SCRIPT,
            "3",
            self.key("record", &r.id),
            self.key("status", &r.id),
            self.key("pending", &r.principal),
            r.to_json(),
            millis(ttl),
            max_pending.to_string(),
            r.id
        ))?;
        Ok(reply.as_int() == Some(1))
    }
    fn get(&self, id: &str) -> Result<Option<(Record, Status)>, LedgerError> {
        let replies = self
            .redis
            .pipeline(&[
                redis_cmd!("GET", self.key("record", id)),
                redis_cmd!("GET", self.key("status", id)),
            ])
            .map_err(failed)?;
        let (Some(r), Some(s)) = (replies.first(), replies.get(1)) else {
            return Err(LedgerError("short pipeline reply".into()));
        };
        let (Some(r), Some(s)) = (text(r), text(s)) else {
            return Ok(None);
        };
        match (Record::from_json(&r), Status::parse(&s)) {
            (Some(r), Some(s)) => Ok(Some((r, s))),
            _ => Err(LedgerError("unreadable approval record".into())),
        }
    }
    fn advance(&self, r: &Record, from: Status, to: Status) -> Result<bool, LedgerError> {
        let reply = self.run(redis_cmd!(
            "EVAL",
            ADVANCE_SCRIPT,
            "2",
            self.key("status", &r.id),
            self.key("pending", &r.principal),
            from.as_str(),
            to.as_str(),
            r.id
        ))?;
        Ok(reply.as_int() == Some(1))
    }
    fn first_use(&self, mark: &str, ttl: Duration) -> Result<bool, LedgerError> {
        let r = self.run(redis_cmd!(
            "SET",
            self.key("used", mark),
            "1",
            "NX",
            "PX",
            millis(ttl)
        ))?;
        Ok(matches!(r, Reply::Status(_)))
    }
    fn taint(&self, key: &str, window: Duration) -> Result<(), LedgerError> {
        self.run(redis_cmd!(
            "SET",
            self.key("taint", key),
            "1",
            "PX",
            millis(window)
        ))?;
        Ok(())
    }
    fn tainted(&self, key: &str) -> Result<bool, LedgerError> {
        let r = self.run(redis_cmd!("EXISTS", self.key("taint", key)))?;
        Ok(r.as_int() == Some(1))
    }
    fn audit(&self, principal: &str, line: &str) -> Result<(), LedgerError> {
        let key = self.key("audit", principal);
        self.redis
            .pipeline(&[
                redis_cmd!("LPUSH", key, line),
                redis_cmd!("LTRIM", key, "0", (AUDIT_KEPT - 1).to_string()),
                redis_cmd!("PEXPIRE", key, "2592000000"),
            ])
            .map_err(failed)?;
        Ok(())
    }
    fn audit_lines(&self, principal: &str) -> Result<Vec<String>, LedgerError> {
        let r = self.run(redis_cmd!(
            "LRANGE",
            self.key("audit", principal),
            "0",
            (AUDIT_KEPT - 1).to_string()
        ))?;
        Ok(match r {
            Reply::Array(Some(items)) => items.iter().filter_map(text).collect(),
            _ => Vec::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(id: &str, who: &str) -> Record {
        Record {
            id: id.into(),
            principal: who.into(),
            tool: "t".into(),
            digest: "d".into(),
            summary: "s".into(),
            csrf: "c".into(),
            expires_ms: now_ms() + 60_000,
        }
    }

    #[test]
    fn memory_ledger_moves_forward_once_and_caps_pending() {
        let l = MemoryLedger::default();
        let ttl = Duration::from_secs(60);
        assert!(l.create(&rec("a", "p"), ttl, 2).unwrap());
        assert!(l.create(&rec("b", "p"), ttl, 2).unwrap());
        assert!(!l.create(&rec("c", "p"), ttl, 2).unwrap(), "cap");
        assert!(l.create(&rec("c", "q"), ttl, 2).unwrap(), "per principal");
        let a = rec("a", "p");
        assert!(l.advance(&a, Status::Pending, Status::Approved).unwrap());
        assert!(!l.advance(&a, Status::Pending, Status::Rejected).unwrap());
        assert!(l.advance(&a, Status::Approved, Status::Used).unwrap());
        assert!(
            !l.advance(&a, Status::Approved, Status::Used).unwrap(),
            "once"
        );
        assert!(
            l.create(&rec("d", "p"), ttl, 2).unwrap(),
            "a answered one frees a slot"
        );
        assert!(l.first_use("m", ttl).unwrap());
        assert!(!l.first_use("m", ttl).unwrap());
        assert!(!l.tainted("k").unwrap());
        l.taint("k", ttl).unwrap();
        assert!(l.tainted("k").unwrap());
        for i in 0..AUDIT_KEPT + 5 {
            l.audit("p", &i.to_string()).unwrap();
        }
        let lines = l.audit_lines("p").unwrap();
        assert_eq!(lines.len(), AUDIT_KEPT);
        assert_eq!(lines[0], (AUDIT_KEPT + 4).to_string());
        assert!(l.audit_lines("q").unwrap().is_empty());
    }

    #[test]
    fn lapsed_records_are_gone() {
        let l = MemoryLedger::default();
        let mut r = rec("a", "p");
        r.expires_ms = now_ms().saturating_sub(1);
        assert!(l.create(&r, Duration::from_secs(1), 5).unwrap());
        assert_eq!(l.get("a").unwrap(), None);
        assert!(!l.advance(&r, Status::Pending, Status::Approved).unwrap());
    }
}
