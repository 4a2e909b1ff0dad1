//! [`SessionStore`] on Redis, so any replica serves any session.
//!
//! Layout under `REDIS_SESSION_PREFIX` (`mcp:session:`): one string per session, `<prefix><id>`, holding
//! the session as JSON with a time-to-live of `SESSION_MAX_AGE` that every request renews (`GETEX`), so
//! Redis itself expires idle sessions; and one sorted set `<prefix>index` of ids scored by when each was
//! last seen (Unix ms), for the session cap, `/health`'s counts and the reaper (which only trims
//! index entries whose session Redis has expired). Wall-clock time is used because replicas share it;
//! each process's monotonic clock is its own.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};

use crate::mcp::session::{
    LogLevel, Session, SessionId, SessionStats, SessionStore, StoreError, ACTIVE_WINDOW_MS,
};
use crate::mcp::version::Revision;
use crate::redis::{Redis, RedisError, Reply};
use crate::redis_cmd;

/// Sessions in Redis.
#[derive(Debug)]
pub struct RedisStore {
    redis: std::sync::Arc<Redis>,
    prefix: String,
    max_sessions: usize,
    max_idle: Duration,
}

fn unix_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

fn unavailable(e: RedisError) -> StoreError {
    StoreError::Unavailable(e.to_string())
}

fn encode(s: &Session) -> String {
    json!({
        "revision": s.revision.as_str(),
        "created": s.created_ms,
        "initialized": s.initialized,
        "logLevel": s.log_level.map(LogLevel::as_str),
        "principal": s.principal.as_deref(),
        "client": &*s.client_name,
    })
    .to_string()
}

fn decode(id: SessionId, bytes: &[u8], now_ms: u64) -> Option<Session> {
    let v: Value = serde_json::from_slice(bytes).ok()?;
    Some(Session {
        id,
        revision: Revision::parse(v["revision"].as_str()?)?,
        created_ms: v["created"].as_u64().unwrap_or(now_ms),
        last_seen_ms: now_ms,
        initialized: v["initialized"].as_bool().unwrap_or(false),
        log_level: v["logLevel"].as_str().and_then(LogLevel::parse),
        principal: v["principal"].as_str().map(Into::into),
        client_name: v["client"].as_str().unwrap_or("").into(),
    })
}

impl RedisStore {
    /// A store on `redis` under `prefix`.
    pub fn new(
        redis: std::sync::Arc<Redis>,
        prefix: &str,
        max_sessions: usize,
        max_idle: Duration,
    ) -> RedisStore {
        RedisStore {
            redis,
            prefix: prefix.to_string(),
            max_sessions,
            max_idle,
        }
    }

    fn key(&self, id: &SessionId) -> String {
        format!("{}{id}", self.prefix)
    }

    fn index(&self) -> String {
        format!("{}index", self.prefix)
    }

    fn ttl_ms(&self) -> String {
        self.max_idle.as_millis().max(1).to_string()
    }
}

fn server_error(r: &Reply) -> Result<(), StoreError> {
    match r {
        Reply::Error(e) => Err(StoreError::Unavailable(format!("Redis refused: {e}"))),
        _ => Ok(()),
    }
}

impl SessionStore for RedisStore {
    fn insert(&self, session: Session) -> Result<(), StoreError> {
        let now = unix_ms().to_string();
        let index = self.index();
        let live = self
            .redis
            .cmd(redis_cmd!("ZCARD", index))
            .map_err(unavailable)?;
        server_error(&live)?;
        if live.as_int().unwrap_or(0) >= self.max_sessions as i64 {
            return Err(StoreError::Full {
                max: self.max_sessions,
            });
        }
        let id = session.id.to_string();
        let replies = self
            .redis
            .pipeline(&[
                redis_cmd!(
                    "SET",
                    self.key(&session.id),
                    encode(&session),
                    "PX",
                    self.ttl_ms(),
                    "NX"
                ),
                redis_cmd!("ZADD", index, now, id),
            ])
            .map_err(unavailable)?;
        for r in &replies {
            server_error(r)?;
        }
        match replies.first() {
            Some(Reply::Status(_)) => Ok(()),
            _ => Err(StoreError::Unavailable(
                "a session with this id exists already".into(),
            )),
        }
    }

    fn touch(&self, id: &SessionId, now_ms: u64) -> Result<Option<Session>, StoreError> {
        let replies = self
            .redis
            .pipeline(&[
                redis_cmd!("GETEX", self.key(id), "PX", self.ttl_ms()),
                redis_cmd!(
                    "ZADD",
                    self.index(),
                    "XX",
                    unix_ms().to_string(),
                    id.to_string()
                ),
            ])
            .map_err(unavailable)?;
        let first = replies.first().cloned().unwrap_or(Reply::Bulk(None));
        server_error(&first)?;
        Ok(first.as_bytes().and_then(|b| decode(*id, b, now_ms)))
    }

    fn update(&self, id: &SessionId, change: &mut dyn FnMut(&mut Session)) -> bool {
        let key = self.key(id);
        let current = match self.redis.cmd(redis_cmd!("GET", key)) {
            Ok(r) => r,
            Err(e) => {
                log::warn!(error = e.to_string(); "session update failed");
                return false;
            }
        };
        let Some(mut s) = current.as_bytes().and_then(|b| decode(*id, b, 0)) else {
            return false;
        };
        change(&mut s);
        matches!(
            self.redis
                .cmd(redis_cmd!("SET", key, encode(&s), "KEEPTTL", "XX")),
            Ok(Reply::Status(_))
        )
    }

    fn remove(&self, id: &SessionId) -> Result<bool, StoreError> {
        let replies = self
            .redis
            .pipeline(&[
                redis_cmd!("DEL", self.key(id)),
                redis_cmd!("ZREM", self.index(), id.to_string()),
            ])
            .map_err(unavailable)?;
        let first = replies.first().cloned().unwrap_or(Reply::Int(0));
        server_error(&first)?;
        Ok(first.as_int().unwrap_or(0) > 0)
    }

    fn reap(&self, _now_ms: u64) -> usize {
        let cutoff = unix_ms().saturating_sub(self.max_idle.as_millis() as u64);
        match self.redis.cmd(redis_cmd!(
            "ZREMRANGEBYSCORE",
            self.index(),
            "-inf",
            format!("({cutoff}")
        )) {
            Ok(Reply::Int(n)) => usize::try_from(n).unwrap_or(0),
            Ok(other) => {
                log::warn!(reply = format!("{other:?}"); "session reap: unexpected reply");
                0
            }
            Err(e) => {
                log::warn!(error = e.to_string(); "session reap failed");
                0
            }
        }
    }

    fn stats(&self, _now_ms: u64) -> SessionStats {
        let now = unix_ms();
        let idle_cutoff = now.saturating_sub(self.max_idle.as_millis() as u64);
        let active_cutoff = now.saturating_sub(ACTIVE_WINDOW_MS);
        let index = self.index();
        match self.redis.pipeline(&[
            redis_cmd!("ZCOUNT", index, format!("({idle_cutoff}"), "+inf"),
            redis_cmd!("ZCOUNT", index, active_cutoff.to_string(), "+inf"),
        ]) {
            Ok(r) => {
                let total = r.first().and_then(Reply::as_int).unwrap_or(0).max(0) as usize;
                let active = r.get(1).and_then(Reply::as_int).unwrap_or(0).max(0) as usize;
                SessionStats {
                    total,
                    active: active.min(total),
                    idle: total.saturating_sub(active),
                }
            }
            Err(_) => SessionStats::default(),
        }
    }
}
