//! Sessions of the session-based revisions (2025-03-26 … 2025-11-25): the `SessionStore` seam, its
//! in-memory implementation and the reaper thread.
//!
//! A session is small and plain (no sockets, no buffers) so that a Redis store can serialize it later:
//! everything about a session lives behind `SessionStore`, and callers never hold a lock. The
//! in-memory store's lock is held for one map operation at a time, never across I/O.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use crossbeam_channel::{bounded, RecvTimeoutError, Sender};
use parking_lot::Mutex;

use crate::auth::PrincipalId;
use crate::mcp::version::Revision;

pub(crate) use crate::obs::process::now_ms;

/// A session id: 128 random bits, written as 32 lowercase hex digits (visible ASCII, as the spec requires).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct SessionId([u8; 16]);

impl SessionId {
    /// A new id from the operating system's CSPRNG (`getrandom`: a syscall, works in a scratch image).
    pub(crate) fn random() -> Result<SessionId, getrandom::Error> {
        let mut b = [0u8; 16];
        getrandom::fill(&mut b)?;
        Ok(SessionId(b))
    }

    /// Parses the header form; anything else is `None` (and so, to the client, an unknown session).
    pub fn parse(s: &str) -> Option<SessionId> {
        let s = s.trim().as_bytes();
        if s.len() != 32 {
            return None;
        }
        let mut b = [0u8; 16];
        for (i, pair) in s.chunks_exact(2).enumerate() {
            let hi = hex_val(pair[0])?;
            let lo = hex_val(pair[1])?;
            b[i] = hi << 4 | lo;
        }
        Some(SessionId(b))
    }

    /// The first characters only, for logs (never log an id in full: it is a bearer credential).
    pub(crate) fn hint(&self) -> String {
        crate::obs::redact::session_hint(&self.to_string())
    }
}

fn hex_val(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

impl fmt::Display for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SessionId({})", self.hint())
    }
}

/// MCP log levels (syslog's), lowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum LogLevel {
    /// debug
    Debug,
    /// info
    Info,
    /// notice
    Notice,
    /// warning
    Warning,
    /// error
    Error,
    /// critical
    Critical,
    /// alert
    Alert,
    /// emergency
    Emergency,
}

impl LogLevel {
    /// Parses a level name as the spec writes it.
    pub(crate) fn parse(s: &str) -> Option<LogLevel> {
        Some(match s {
            "debug" => LogLevel::Debug,
            "info" => LogLevel::Info,
            "notice" => LogLevel::Notice,
            "warning" => LogLevel::Warning,
            "error" => LogLevel::Error,
            "critical" => LogLevel::Critical,
            "alert" => LogLevel::Alert,
            "emergency" => LogLevel::Emergency,
            _ => return None,
        })
    }

    /// The level name.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            LogLevel::Debug => "debug",
            LogLevel::Info => "info",
            LogLevel::Notice => "notice",
            LogLevel::Warning => "warning",
            LogLevel::Error => "error",
            LogLevel::Critical => "critical",
            LogLevel::Alert => "alert",
            LogLevel::Emergency => "emergency",
        }
    }
}

/// One session. Plain data: a store may copy or serialize it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Session {
    /// Its id.
    pub(crate) id: SessionId,
    /// The negotiated revision.
    pub(crate) revision: Revision,
    /// [`now_ms`] at creation.
    pub(crate) created_ms: u64,
    /// [`now_ms`] of the last request that named it.
    pub(crate) last_seen_ms: u64,
    /// True once `notifications/initialized` arrived.
    pub(crate) initialized: bool,
    /// Set by `logging/setLevel`; `None` until then (no log notifications are sent).
    pub(crate) log_level: Option<LogLevel>,
    /// The authenticated principal that created it, when auth is on: any other principal (another
    /// claim kind with the same text included) gets 404. Its sessions count against its quota.
    pub(crate) principal: Option<PrincipalId>,
    /// `clientInfo.name`, truncated to 64 bytes, for logs.
    pub(crate) client_name: Box<str>,
    /// How the client can ask its user (its `elicitation` capability at `initialize`).
    pub(crate) asks: crate::approval::Asks,
    /// The tool profile it was opened with (empty: `all`); requests on another profile's URL are refused.
    pub(crate) profile: Box<str>,
}

/// Counts for `/health`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct SessionStats {
    /// Live sessions.
    pub(crate) total: usize,
    /// Of those, seen within the last [`ACTIVE_WINDOW_MS`].
    pub(crate) active: usize,
    /// The others.
    pub(crate) idle: usize,
}

/// A session seen within this window counts as active in [`SessionStats`].
pub(crate) const ACTIVE_WINDOW_MS: u64 = 60_000;

/// Why a store refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum StoreError {
    /// The session cap is reached.
    Full {
        /// The cap (`MCP_MAX_SESSIONS`).
        max: usize,
    },
    /// The principal opening it already holds its quota of live sessions.
    PrincipalFull {
        /// The quota (`MCP_MAX_SESSIONS_PER_PRINCIPAL`).
        max: usize,
    },
    /// The backing store cannot be reached (Redis, later).
    Unavailable(String),
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::Full { max } => write!(
                f,
                "the server holds its maximum of {max} sessions; retry later or end unused sessions with DELETE"
            ),
            StoreError::PrincipalFull { max } => write!(
                f,
                "this principal has {max} open sessions, its limit: end one with DELETE /mcp (with its \
                 Mcp-Session-Id header) or wait for an idle one to expire, then initialize again"
            ),
            StoreError::Unavailable(why) => write!(f, "session store unavailable: {why}"),
        }
    }
}

impl std::error::Error for StoreError {}

/// Where sessions live. Implementations must be cheap to call from many workers at once and must not
/// hold a lock across I/O.
pub(crate) trait SessionStore: Send + Sync {
    /// Adds a new session, unless the cap or its principal's quota is reached (checked and taken in one
    /// atomic step, also across replicas sharing a store).
    fn insert(&self, session: Session) -> Result<(), StoreError>;
    /// Looks a session up and marks it seen at `now_ms`. An expired session is `None` even before the
    /// reaper has removed it; `Err` when the store cannot be reached (the client gets 503, not 404).
    fn touch(&self, id: &SessionId, now_ms: u64) -> Result<Option<Session>, StoreError>;
    /// Changes a live session in place (its owner excepted); `Ok(false)` when it does not exist, `Err`
    /// when the store cannot be reached (the change is not made: the client gets 503, not a success).
    fn update(
        &self,
        id: &SessionId,
        change: &mut dyn FnMut(&mut Session),
    ) -> Result<bool, StoreError>;
    /// Ends a session; false when it did not exist.
    fn remove(&self, id: &SessionId) -> Result<bool, StoreError>;
    /// Drops every session idle longer than the maximum age; returns how many.
    fn reap(&self, now_ms: u64) -> usize;
    /// Counts.
    fn stats(&self, now_ms: u64) -> SessionStats;
}

/// The in-memory store: one `parking_lot` lock over the sessions and each principal's count of them.
pub(crate) struct MemoryStore {
    inner: Mutex<Inner>,
    max_sessions: usize,
    per_principal: usize,
    max_idle_ms: u64,
}

#[derive(Default)]
struct Inner {
    map: HashMap<SessionId, Session>,
    /// Sessions in `map` per owner (`None`: opened without authentication); no zero entries.
    owned: HashMap<Option<PrincipalId>, usize>,
}

impl Inner {
    fn remove(&mut self, id: &SessionId) -> Option<Session> {
        let s = self.map.remove(id)?;
        self.disown(&s.principal);
        Some(s)
    }

    fn disown(&mut self, owner: &Option<PrincipalId>) {
        if let Some(n) = self.owned.get_mut(owner) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                self.owned.remove(owner);
            }
        }
    }
}

impl MemoryStore {
    /// A store holding at most `max_sessions`, at most `per_principal` of them opened by one principal
    /// (all the unauthenticated ones count as one), each living while idle at most `max_idle`.
    pub(crate) fn new(max_sessions: usize, per_principal: usize, max_idle: Duration) -> Self {
        MemoryStore {
            inner: Mutex::new(Inner::default()),
            max_sessions,
            per_principal,
            max_idle_ms: max_idle.as_millis() as u64,
        }
    }

    fn expired(&self, s: &Session, now_ms: u64) -> bool {
        now_ms.saturating_sub(s.last_seen_ms) > self.max_idle_ms
    }
}

impl SessionStore for MemoryStore {
    fn insert(&self, session: Session) -> Result<(), StoreError> {
        let mut inner = self.inner.lock();
        if inner.map.len() >= self.max_sessions {
            return Err(StoreError::Full {
                max: self.max_sessions,
            });
        }
        let owned = |inner: &Inner| inner.owned.get(&session.principal).copied().unwrap_or(0);
        if owned(&inner) >= self.per_principal {
            // Sessions of this principal that expired but were not reaped yet do not count.
            let now = session.last_seen_ms;
            let stale: Vec<SessionId> = inner
                .map
                .values()
                .filter(|s| s.principal == session.principal && self.expired(s, now))
                .map(|s| s.id)
                .collect();
            for id in &stale {
                inner.remove(id);
            }
            if owned(&inner) >= self.per_principal {
                return Err(StoreError::PrincipalFull {
                    max: self.per_principal,
                });
            }
        }
        *inner.owned.entry(session.principal.clone()).or_insert(0) += 1;
        if let Some(old) = inner.map.insert(session.id, session) {
            // A repeated id (never, with 128 random bits) replaces its session: count it once.
            inner.disown(&old.principal);
        }
        Ok(())
    }

    fn touch(&self, id: &SessionId, now_ms: u64) -> Result<Option<Session>, StoreError> {
        let mut inner = self.inner.lock();
        let Some(s) = inner.map.get_mut(id) else {
            return Ok(None);
        };
        if self.expired(s, now_ms) {
            inner.remove(id);
            return Ok(None);
        }
        s.last_seen_ms = now_ms.max(s.last_seen_ms);
        Ok(Some(s.clone()))
    }

    fn update(
        &self,
        id: &SessionId,
        change: &mut dyn FnMut(&mut Session),
    ) -> Result<bool, StoreError> {
        Ok(match self.inner.lock().map.get_mut(id) {
            Some(s) => {
                // The owner is fixed: the per-principal counts depend on it.
                let owner = s.principal.clone();
                change(s);
                s.principal = owner;
                true
            }
            None => false,
        })
    }

    fn remove(&self, id: &SessionId) -> Result<bool, StoreError> {
        Ok(self.inner.lock().remove(id).is_some())
    }

    fn reap(&self, now_ms: u64) -> usize {
        let mut inner = self.inner.lock();
        let stale: Vec<SessionId> = inner
            .map
            .values()
            .filter(|s| self.expired(s, now_ms))
            .map(|s| s.id)
            .collect();
        for id in &stale {
            inner.remove(id);
        }
        let map = &mut inner.map;
        if map.capacity() > 64 && map.len() < map.capacity() / 4 {
            let keep = map.len() * 2;
            map.shrink_to(keep);
        }
        stale.len()
    }

    fn stats(&self, now_ms: u64) -> SessionStats {
        let inner = self.inner.lock();
        let map = &inner.map;
        let active = map
            .values()
            .filter(|s| now_ms.saturating_sub(s.last_seen_ms) <= ACTIVE_WINDOW_MS)
            .count();
        SessionStats {
            total: map.len(),
            active,
            idle: map.len() - active,
        }
    }
}

/// The background thread that calls [`SessionStore::reap`] every interval. Dropping it stops the
/// thread and waits for it (mini-redis's drop-guard shape).
pub(crate) struct Reaper {
    stop: Option<Sender<()>>,
    handle: Option<JoinHandle<()>>,
}

impl Reaper {
    /// Starts the thread; `on_reaped` hears how many sessions each pass removed (for the metrics).
    pub(crate) fn spawn(
        store: Arc<dyn SessionStore>,
        interval: Duration,
        on_reaped: impl Fn(usize) + Send + 'static,
    ) -> std::io::Result<Reaper> {
        let (stop, stopped) = bounded::<()>(1);
        let handle = std::thread::Builder::new()
            .name("session-reaper".into())
            .stack_size(64 * 1024)
            .spawn(move || loop {
                match stopped.recv_timeout(interval) {
                    Err(RecvTimeoutError::Timeout) => {
                        let n = store.reap(now_ms());
                        if n > 0 {
                            on_reaped(n);
                            log::info!(reaped = n; "expired sessions removed");
                        }
                    }
                    _ => return,
                }
            })?;
        Ok(Reaper {
            stop: Some(stop),
            handle: Some(handle),
        })
    }
}

impl Drop for Reaper {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    fn session(now: u64) -> Session {
        Session {
            id: SessionId::random().unwrap(),
            revision: Revision::V2025_06_18,
            created_ms: now,
            last_seen_ms: now,
            initialized: false,
            log_level: None,
            principal: None,
            client_name: "t".into(),
            asks: Default::default(),
            profile: "".into(),
        }
    }

    #[test]
    fn ids_round_trip_and_reject_garbage() {
        let id = SessionId::random().unwrap();
        let s = id.to_string();
        assert_eq!(s.len(), 32);
        assert!(s.bytes().all(|b| (0x21..=0x7e).contains(&b)));
        assert_eq!(SessionId::parse(&s), Some(id));
        assert_eq!(SessionId::parse("xyz"), None);
        assert_eq!(SessionId::parse(&"g".repeat(32)), None);
        assert_ne!(SessionId::random().unwrap(), id);
        assert!(!format!("{id:?}").contains(&s));
    }

    #[test]
    fn store_caps_expires_and_reaps() {
        let store = MemoryStore::new(2, 2, Duration::from_millis(100));
        let a = session(0);
        let b = session(0);
        store.insert(a.clone()).unwrap();
        store.insert(b.clone()).unwrap();
        assert_eq!(store.insert(session(0)), Err(StoreError::Full { max: 2 }));
        assert!(store.touch(&a.id, 90).unwrap().is_some());
        // b was last seen at 0: expired at 150 even before a reap.
        assert!(store.touch(&b.id, 150).unwrap().is_none());
        assert_eq!(store.stats(150).total, 1);
        assert_eq!(store.reap(191), 1);
        assert_eq!(store.stats(191), SessionStats::default());
    }

    fn owned_by(who: Option<&str>, now: u64) -> Session {
        Session {
            principal: who.map(|w| PrincipalId::parse(w).unwrap()),
            ..session(now)
        }
    }

    #[test]
    fn each_principal_has_a_quota_under_the_cap_and_claim_kinds_never_share_it() {
        let store = MemoryStore::new(5, 2, Duration::from_millis(100));
        let a1 = owned_by(Some("sub:alice"), 0);
        store.insert(a1.clone()).unwrap();
        store.insert(owned_by(Some("sub:alice"), 0)).unwrap();
        let over = store.insert(owned_by(Some("sub:alice"), 0));
        assert_eq!(over, Err(StoreError::PrincipalFull { max: 2 }));
        let msg = over.unwrap_err().to_string();
        assert!(
            msg.contains("this principal has 2 open sessions") && msg.contains("DELETE /mcp"),
            "{msg}"
        );
        // Same text, another claim: another principal with its own quota.
        store.insert(owned_by(Some("client_id:alice"), 0)).unwrap();
        store.insert(owned_by(Some("client_id:alice"), 0)).unwrap();
        // The global cap still applies first.
        store.insert(owned_by(None, 0)).unwrap();
        assert_eq!(
            store.insert(owned_by(Some("sub:bob"), 0)),
            Err(StoreError::Full { max: 5 })
        );
        // Ending a session frees a slot of its principal.
        assert_eq!(store.remove(&a1.id), Ok(true));
        store.insert(owned_by(Some("sub:alice"), 0)).unwrap();
        assert_eq!(store.stats(0).total, 5);
    }

    #[test]
    fn expired_sessions_free_the_quota_before_and_after_the_reaper() {
        let store = MemoryStore::new(10, 1, Duration::from_millis(100));
        let a = owned_by(Some("sub:alice"), 0);
        store.insert(a.clone()).unwrap();
        assert_eq!(
            store.insert(owned_by(Some("sub:alice"), 50)),
            Err(StoreError::PrincipalFull { max: 1 })
        );
        // Idle past the limit: no longer counted, even before a reap.
        store.insert(owned_by(Some("sub:alice"), 150)).unwrap();
        assert!(store.touch(&a.id, 150).unwrap().is_none());
        // Through touch and reap, the counts stay in step with the map.
        store.insert(owned_by(Some("sub:bob"), 150)).unwrap();
        assert_eq!(store.reap(400), 2);
        assert!(store.inner.lock().owned.is_empty());
        store.insert(owned_by(Some("sub:bob"), 400)).unwrap();
        // update cannot move a session to another owner.
        let b = owned_by(Some("sub:carol"), 400);
        store.insert(b.clone()).unwrap();
        assert_eq!(store.update(&b.id, &mut |s| s.principal = None), Ok(true));
        assert_eq!(
            store.touch(&b.id, 400).unwrap().unwrap().principal,
            b.principal
        );
    }

    #[test]
    fn stats_split_active_and_idle() {
        let store = MemoryStore::new(10, 10, Duration::from_secs(3600));
        store.insert(session(0)).unwrap();
        store.insert(session(ACTIVE_WINDOW_MS + 10)).unwrap();
        let s = store.stats(ACTIVE_WINDOW_MS + 20);
        assert_eq!((s.total, s.active, s.idle), (2, 1, 1));
    }

    #[test]
    fn reaper_thread_runs_and_stops_on_drop() {
        let store: Arc<dyn SessionStore> =
            Arc::new(MemoryStore::new(10, 10, Duration::from_millis(1)));
        let mut s = session(now_ms());
        s.last_seen_ms = 0;
        s.created_ms = 0;
        store.insert(s).unwrap();
        std::thread::sleep(Duration::from_millis(5));
        let reaper = Reaper::spawn(store.clone(), Duration::from_millis(5), |_| {}).unwrap();
        let deadline = Instant::now() + Duration::from_secs(5);
        while store.stats(0).total > 0 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(store.stats(0).total, 0);
        drop(reaper);
        // Stopped: its thread has let go of the store, and an expired session now stays.
        assert_eq!(
            Arc::strong_count(&store),
            1,
            "the reaper thread still holds the store"
        );
        let mut s = session(now_ms());
        s.last_seen_ms = 0;
        s.created_ms = 0;
        store.insert(s).unwrap();
        std::thread::sleep(Duration::from_millis(50));
        assert_eq!(store.stats(0).total, 1, "a dropped reaper still reaps");
    }
}
