//! [`SessionStore`] on Redis, so any replica serves any session.
//!
//! Layout under `REDIS_SESSION_PREFIX` (`mcp:session:`): one string per session, `<prefix><id>`, holding
//! the session as JSON with a time-to-live of `SESSION_MAX_AGE` that every request renews (`GETEX`), so
//! Redis itself expires idle sessions; and one sorted set `<prefix>index` of ids scored by when each was
//! last seen (Unix ms), for the session cap, `/health`'s counts and the reaper (which only trims
//! index entries whose session Redis has expired). Wall-clock time is used because replicas share it;
//! each process's monotonic clock is its own.
//!
//! Each principal's sessions are also listed, for its quota (`MCP_MAX_SESSIONS_PER_PRINCIPAL`), in a
//! sorted set `<prefix>owner:<principal>` (`<prefix>owner:sub:alice`; `<prefix>owner:` for sessions
//! opened without authentication), and those sets in `<prefix>owners`. A session counts against the
//! quota while its string exists, so Redis's own expiry (and DELETE) frees a slot: [`INSERT_SCRIPT`]
//! drops members whose session is gone before it refuses, and checks cap and quota and adds the session
//! in one Lua script, so replicas racing to open sessions never exceed either. The reaper also prunes
//! the owner sets ([`PRUNE_OWNERS_SCRIPT`]), dropping the empty ones.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};

use crate::auth::PrincipalId;
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
    per_principal: usize,
    max_idle: Duration,
}

/// Opens a session if the cap and its owner's quota allow, atomically. KEYS: the session, the index,
/// the owner's set, the set of owner sets. ARGV: the session's JSON, its TTL (ms), now (Unix ms), its
/// id, the cap, the quota, the session key prefix. Returns 1 (opened), 0 (the id exists), -1 (cap),
/// -2 (quota).
pub const INSERT_SCRIPT: &str = r#"
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[5]) then return -1 end
local quota = tonumber(ARGV[6])
if redis.call('ZCARD', KEYS[3]) >= quota then
  for _, m in ipairs(redis.call('ZRANGE', KEYS[3], 0, -1)) do
    if redis.call('EXISTS', ARGV[7] .. m) == 0 then redis.call('ZREM', KEYS[3], m) end
  end
  if redis.call('ZCARD', KEYS[3]) >= quota then return -2 end
end
if not redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') then return 0 end
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4])
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[4])
redis.call('SADD', KEYS[4], KEYS[3])
return 1
"#;

/// The reaper's pass over the owner sets: drops members whose session is gone and forgets the sets
/// that end up empty. KEYS: the set of owner sets. ARGV: the session key prefix. Returns the members
/// dropped.
pub const PRUNE_OWNERS_SCRIPT: &str = r#"
local dropped = 0
for _, owner in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  for _, m in ipairs(redis.call('ZRANGE', owner, 0, -1)) do
    if redis.call('EXISTS', ARGV[1] .. m) == 0 then
      redis.call('ZREM', owner, m)
      dropped = dropped + 1
    end
  end
  if redis.call('EXISTS', owner) == 0 then redis.call('SREM', KEYS[1], owner) end
end
return dropped
"#;

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
        "principal": s.principal.as_ref().map(PrincipalId::as_str),
        "client": &*s.client_name,
    })
    .to_string()
}

fn decode(id: SessionId, bytes: &[u8], now_ms: u64) -> Option<Session> {
    let v: Value = serde_json::from_slice(bytes).ok()?;
    // An owner that does not read back as a typed id (a session written before ids carried their
    // claim) belongs to nobody who could present it now: the session is treated as gone.
    let principal = match &v["principal"] {
        Value::Null => None,
        p => Some(PrincipalId::parse(p.as_str()?)?),
    };
    Some(Session {
        id,
        revision: Revision::parse(v["revision"].as_str()?)?,
        created_ms: v["created"].as_u64().unwrap_or(now_ms),
        last_seen_ms: now_ms,
        initialized: v["initialized"].as_bool().unwrap_or(false),
        log_level: v["logLevel"].as_str().and_then(LogLevel::parse),
        principal,
        client_name: v["client"].as_str().unwrap_or("").into(),
    })
}

impl RedisStore {
    /// A store on `redis` under `prefix`, holding at most `max_sessions`, at most `per_principal` of
    /// them opened by one principal.
    pub fn new(
        redis: std::sync::Arc<Redis>,
        prefix: &str,
        max_sessions: usize,
        per_principal: usize,
        max_idle: Duration,
    ) -> RedisStore {
        RedisStore {
            redis,
            prefix: prefix.to_string(),
            max_sessions,
            per_principal,
            max_idle,
        }
    }

    /// The sorted set of `owner`'s sessions (`None`: opened without authentication).
    fn owner(&self, owner: Option<&PrincipalId>) -> String {
        format!(
            "{}owner:{}",
            self.prefix,
            owner.map_or("", PrincipalId::as_str)
        )
    }

    fn owners(&self) -> String {
        format!("{}owners", self.prefix)
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
        let reply = self
            .redis
            .cmd(redis_cmd!(
                "EVAL",
                INSERT_SCRIPT,
                "4",
                self.key(&session.id),
                self.index(),
                self.owner(session.principal.as_ref()),
                self.owners(),
                encode(&session),
                self.ttl_ms(),
                unix_ms().to_string(),
                session.id.to_string(),
                self.max_sessions.to_string(),
                self.per_principal.to_string(),
                self.prefix
            ))
            .map_err(unavailable)?;
        server_error(&reply)?;
        match reply.as_int() {
            Some(1) => Ok(()),
            Some(-1) => Err(StoreError::Full {
                max: self.max_sessions,
            }),
            Some(-2) => Err(StoreError::PrincipalFull {
                max: self.per_principal,
            }),
            Some(0) => Err(StoreError::Unavailable(
                "a session with this id exists already".into(),
            )),
            _ => Err(StoreError::Unavailable(format!(
                "unexpected reply to the session insert: {reply:?}"
            ))),
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
        match self.redis.cmd(redis_cmd!(
            "EVAL",
            PRUNE_OWNERS_SCRIPT,
            "1",
            self.owners(),
            self.prefix
        )) {
            Ok(Reply::Int(n)) if n > 0 => {
                log::debug!(dropped = n; "ended sessions dropped from the per-principal sets")
            }
            Ok(Reply::Int(_)) => {}
            Ok(other) => log::warn!(reply = format!("{other:?}"); "owner prune: unexpected reply"),
            Err(e) => log::warn!(error = e.to_string(); "owner prune failed"),
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_owner_round_trips_with_its_claim_and_an_untyped_one_is_no_session() {
        let id = SessionId::random().unwrap();
        let mut s = Session {
            id,
            revision: Revision::V2025_06_18,
            created_ms: 7,
            last_seen_ms: 7,
            initialized: true,
            log_level: None,
            principal: PrincipalId::parse("client_id:alice"),
            client_name: "c".into(),
        };
        let back = decode(id, encode(&s).as_bytes(), 7).unwrap();
        assert_eq!(back.principal, s.principal);
        assert_ne!(back.principal, PrincipalId::parse("sub:alice"));
        s.principal = None;
        assert_eq!(
            decode(id, encode(&s).as_bytes(), 7).unwrap().principal,
            None
        );
        // Written before ids carried their claim: nobody can own it now.
        let legacy = br#"{"revision":"2025-06-18","principal":"alice","client":"c"}"#;
        assert!(decode(id, legacy, 7).is_none());
    }
}
